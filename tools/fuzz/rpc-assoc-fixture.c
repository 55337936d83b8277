/* See rpc-assoc-fixture.h. */
#include "rpc-assoc-fixture.h"

#include "ra/crypto.h"
#include "ra/epm.h"
#include "ra/oxid.h"

const RaSyntaxId fuzz_echo_syntax = {
    RA_UUID_INIT(0x6e7f0a52, 0x9b3c, 0x4d1e, 0x8f, 0x20, 0x5a, 0x6b, 0x7c, 0x8d, 0x9e, 0x0f), 1, 2};

static guint32 echo(RaRpcCall *call, gpointer data)
{
    if (call->opnum == 1)
        return RA_NCA_S_FAULT_CANT_PERFORM;
    call->response = g_bytes_new(call->stub, call->stub_len);
    return 0;
}

RaRpcServer *fuzz_rpc_server(void)
{
    static RaRpcServer *server;
    if (server != NULL)
        return server;
    RaAccounts *accounts = ra_accounts_new();
    ra_accounts_add_spec(accounts, FUZZ_DOMAIN "\\" FUZZ_USER ":" FUZZ_PASSWORD, TRUE, NULL);
    RaRpcServerConfig c;
    ra_rpc_server_config_init(&c);
    c.accounts = accounts;
    c.computer_name = "NOVICE";
    c.max_fragments = 64;
    c.max_request_size = 256 * 1024;
    c.ntlm_fixed_time = FUZZ_FILETIME;
    server = ra_rpc_server_new(&c);
    RaEpm *epm = ra_epm_new();
    ra_epm_add_endpoint(epm, &ra_oxid_syntax, NULL, 135, "OXID resolver");
    ra_epm_add_endpoint(epm, &fuzz_echo_syntax, NULL, 135, "echo");
    ra_epm_register_service(epm, server);
    RaOxidResolver *resolver = ra_oxid_resolver_new(NULL);
    RaUuid ipid = RA_UUID_INIT(0x00007c01, 0x0001, 0x0002, 0xaa, 0xbb, 1, 2, 3, 4, 5, 6);
    ra_oxid_add(resolver, FUZZ_OXID, &ipid, RA_AUTH_LEVEL_PKT_PRIVACY, 0);
    for (guint64 oid = 1; oid <= 4; oid++)
        ra_oxid_add_oid(resolver, FUZZ_OXID, oid);
    ra_oxid_register_service(resolver, server);
    RaRpcInterface iface = {fuzz_echo_syntax, "echo", 2, echo, NULL, 1};
    ra_rpc_server_register(server, &iface);
    /* accounts, epm and resolver live as long as the process. */
    return server;
}

RaRpcAssoc *fuzz_rpc_session(void)
{
    RaRpcServer *server = fuzz_rpc_server();
    ra_random_set_seed(FUZZ_SEED);
    RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
    return ra_rpc_assoc_new(server, &peer);
}
