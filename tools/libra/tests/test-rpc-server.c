/*
 * The server's association state machine, fed hand-made PDUs without a transport: bind_ack
 * shape (impacket's needs), presentation context results (NDR64 refused, bind time feature
 * negotiation, several contexts), NTLM at the PDU level (replayed, tampered and mislevelled
 * sealed requests), fragment limits, orphaned calls, and the PDUs that close an association.
 */
#include "rpc-test-server.h"

#include "ra/error.h"
#include "ra/ntlmssp.h"
#include "ra/pdu.h"

#include <string.h>

typedef struct {
    RaAccounts *accounts;
    RaRpcServer *server;
    RaEpm *epm;
    RaOxidResolver *oxid;
    RaRpcAssoc *assoc;
    GString *log;
    /* the client side of one NTLM context */
    RaNtlmssp *ntlm;
    guint32 auth_context_id;
    guint8 level;
    guint32 call_id;
} Fx;

static guint32 echo_dispatch(RaRpcCall *call, gpointer data)
{
    if (call->opnum == 1)
        return RA_NCA_S_FAULT_CANT_PERFORM;
    call->response = g_bytes_new(call->stub, call->stub_len);
    return 0;
}

static void on_log(RaRpcLogLevel level, const char *peer, const char *message, gpointer data)
{
    g_string_append_printf(data, "%s\n", message);
}

static void fx_setup(Fx *fx, gconstpointer config)
{
    memset(fx, 0, sizeof *fx);
    fx->accounts = ra_accounts_new();
    g_assert_true(ra_accounts_add_spec(fx->accounts, TEST_DOMAIN "\\" TEST_USER ":" TEST_PASSWORD,
                                       FALSE, NULL));
    fx->log = g_string_new(NULL);
    RaRpcServerConfig c;
    ra_rpc_server_config_init(&c);
    c.accounts = fx->accounts;
    c.computer_name = "NOVICE";
    c.max_fragments = 8;
    c.max_request_size = 64 * 1024;
    c.log = on_log;
    c.log_user_data = fx->log;
    fx->server = ra_rpc_server_new(&c);
    fx->epm = ra_epm_new();
    ra_epm_register_service(fx->epm, fx->server);
    fx->oxid = ra_oxid_resolver_new(NULL);
    ra_oxid_register_service(fx->oxid, fx->server);
    RaRpcInterface iface = {test_iface_syntax, "ITest", 2, echo_dispatch, NULL, 0x3};
    ra_rpc_server_register(fx->server, &iface);
    RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
    fx->assoc = ra_rpc_assoc_new(fx->server, &peer);
    fx->call_id = 1;
}

static void fx_teardown(Fx *fx, gconstpointer config)
{
    ra_rpc_assoc_free(fx->assoc);
    ra_ntlmssp_free(fx->ntlm);
    ra_rpc_server_free(fx->server);
    ra_oxid_resolver_free(fx->oxid);
    ra_epm_free(fx->epm);
    ra_accounts_free(fx->accounts);
    g_string_free(fx->log, TRUE);
}

/* Feeds bytes; returns the answers (GBytes*), *keep whether the association stays. */
static GPtrArray *feed(Fx *fx, const guint8 *data, gsize len, gboolean *keep)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    gboolean k = ra_rpc_assoc_input(fx->assoc, data, len, out);
    if (keep != NULL)
        *keep = k;
    return out;
}

static GByteArray *encode(const RaPdu *pdu, RaPduLayout *layout)
{
    GByteArray *b = g_byte_array_new();
    RaPduLayout l;
    GError *error = NULL;
    g_assert_true(ra_pdu_encode(pdu, b, layout ? layout : &l, &error));
    g_assert_no_error(error);
    return b;
}

/* Decodes an answer into *pdu; the bytes stay valid in the GBytes. */
static void decode(GBytes *b, RaPdu *pdu)
{
    GError *error = NULL;
    g_assert_true(ra_pdu_decode(g_bytes_get_data(b, NULL), g_bytes_get_size(b), pdu, &error));
    g_assert_no_error(error);
}

/* Feeds one PDU expecting exactly one answer of the given type; returns it decoded. */
static GBytes *exchange(Fx *fx, GByteArray *in, guint8 ptype, gboolean want_keep, RaPdu *answer)
{
    gboolean keep;
    GPtrArray *out = feed(fx, in->data, in->len, &keep);
    g_assert_cmpuint(out->len, ==, 1);
    GBytes *b = g_bytes_ref(g_ptr_array_index(out, 0));
    g_ptr_array_unref(out);
    decode(b, answer);
    g_assert_cmpuint(answer->hdr.ptype, ==, ptype);
    g_assert_cmpint(keep, ==, want_keep);
    return b;
}

static void expect_fault(Fx *fx, GByteArray *in, guint32 status, gboolean want_keep)
{
    RaPdu f;
    GBytes *b = exchange(fx, in, RA_PDU_FAULT, want_keep, &f);
    g_assert_cmphex(f.u.fault.status, ==, status);
    ra_pdu_clear(&f);
    g_bytes_unref(b);
}

static RaPdu bind_pdu(guint8 ptype, guint32 call_id, RaPresContext *pcs, guint n)
{
    RaPdu p = {0};
    p.hdr.ptype = ptype;
    p.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
    p.hdr.call_id = call_id;
    p.u.bind.max_xmit_frag = 4280;
    p.u.bind.max_recv_frag = 4280;
    p.u.bind.n_contexts = n;
    p.u.bind.contexts = pcs;
    return p;
}

static RaSyntaxId ndr20(void)
{
    return ra_syntax_ndr20;
}

/* Binds context 0 to iface, unauthenticated or with an NTLM handshake at level. */
static void do_bind(Fx *fx, guint8 ptype, const RaSyntaxId *iface, guint16 ctx, guint8 level)
{
    RaSyntaxId ts = ndr20();
    RaPresContext pc = {ctx, *iface, 1, &ts};
    RaPdu p = bind_pdu(ptype, fx->call_id++, &pc, 1);
    GBytes *negotiate = NULL;
    if (level != RA_AUTH_LEVEL_NONE) {
        ra_ntlmssp_free(fx->ntlm);
        RaNtlmClientConfig nc = {0};
        nc.user = TEST_USER;
        nc.domain = TEST_DOMAIN;
        nc.password = TEST_PASSWORD;
        fx->ntlm = ra_ntlmssp_client_new(&nc, NULL);
        g_assert_true(ra_ntlmssp_step(fx->ntlm, NULL, 0, &negotiate, NULL));
        fx->level = level;
        fx->auth_context_id++;
        p.has_auth = TRUE;
        p.auth.auth_type = RA_AUTH_TYPE_WINNT;
        p.auth.auth_level = level;
        p.auth.auth_context_id = fx->auth_context_id;
        p.auth.auth_value = g_bytes_get_data(negotiate, &p.auth.auth_value_len);
    }
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, ptype == RA_PDU_BIND ? RA_PDU_BIND_ACK : RA_PDU_ALTER_CONTEXT_RESP,
                         TRUE, &ack);
    g_assert_cmpuint(ack.u.bind_ack.results[0].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    if (level != RA_AUTH_LEVEL_NONE) {
        g_assert_true(ack.has_auth);
        GBytes *authenticate = NULL;
        GError *error = NULL;
        g_assert_true(ra_ntlmssp_step(fx->ntlm, ack.auth.auth_value, ack.auth.auth_value_len,
                                      &authenticate, &error));
        g_assert_no_error(error);
        RaPdu a3 = {0};
        a3.hdr.ptype = RA_PDU_AUTH3;
        a3.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
        a3.hdr.call_id = p.hdr.call_id;
        a3.has_auth = TRUE;
        a3.auth.auth_type = RA_AUTH_TYPE_WINNT;
        a3.auth.auth_level = level;
        a3.auth.auth_context_id = fx->auth_context_id;
        a3.auth.auth_value = g_bytes_get_data(authenticate, &a3.auth.auth_value_len);
        GByteArray *in3 = encode(&a3, NULL);
        gboolean keep;
        GPtrArray *out = feed(fx, in3->data, in3->len, &keep);
        g_assert_cmpuint(out->len, ==, 0); /* no answer to an auth3 */
        g_assert_true(keep);
        g_ptr_array_unref(out);
        g_byte_array_unref(in3);
        g_bytes_unref(authenticate);
        g_bytes_unref(negotiate);
    }
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
}

/* A request, protected with the fixture's NTLM context when level >= integrity. */
static GByteArray *request(Fx *fx, guint32 call_id, guint16 ctx, guint16 opnum, guint8 flags,
                           const guint8 *stub, gsize len, guint32 alloc_hint, guint8 level)
{
    RaPdu p = {0};
    p.hdr.ptype = RA_PDU_REQUEST;
    p.hdr.pfc_flags = flags;
    p.hdr.call_id = call_id;
    p.u.request.alloc_hint = alloc_hint;
    p.u.request.context_id = ctx;
    p.u.request.opnum = opnum;
    p.stub = stub;
    p.stub_len = len;
    if (level >= RA_AUTH_LEVEL_PKT_INTEGRITY) {
        p.has_auth = TRUE;
        p.auth.auth_type = RA_AUTH_TYPE_WINNT;
        p.auth.auth_level = level;
        p.auth.auth_context_id = fx->auth_context_id;
        p.auth.auth_value_len = RA_NTLMSSP_SIGNATURE_SIZE;
    }
    RaPduLayout layout;
    GByteArray *b = encode(&p, &layout);
    if (p.has_auth)
        g_assert_true(ra_pdu_protect(b->data, &layout, level, fx->ntlm, NULL));
    return b;
}

/* ServerAlive (opnum 3 of IObjectExporter): no parameters. */
static GByteArray *server_alive(Fx *fx, guint16 ctx, guint8 level)
{
    return request(fx, fx->call_id++, ctx, 3, RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG, NULL, 0, 0,
                   level);
}

static GByteArray *simple_request(Fx *fx, guint16 ctx, guint16 opnum, guint8 level)
{
    static const guint8 stub[] = "0123456789abcdef";
    return request(fx, fx->call_id++, ctx, opnum, RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG, stub,
                   sizeof stub, sizeof stub, level);
}

/* A response: unprotected with the fixture's context at level, the stub compared to want. */
static void expect_response(Fx *fx, GByteArray *in, guint8 level, const guint8 *want, gsize len)
{
    gboolean keep;
    GPtrArray *out = feed(fx, in->data, in->len, &keep);
    g_assert_true(keep);
    g_assert_cmpuint(out->len, ==, 1);
    GByteArray *copy = g_byte_array_new();
    GBytes *b = g_ptr_array_index(out, 0);
    g_byte_array_append(copy, g_bytes_get_data(b, NULL), (guint)g_bytes_get_size(b));
    RaPdu r;
    GError *error = NULL;
    g_assert_true(ra_pdu_decode(copy->data, copy->len, &r, &error));
    g_assert_cmpuint(r.hdr.ptype, ==, RA_PDU_RESPONSE);
    if (level >= RA_AUTH_LEVEL_PKT_INTEGRITY) {
        g_assert_true(ra_pdu_unprotect(copy->data, copy->len, &r, level, fx->ntlm, &error));
        g_assert_no_error(error);
    } else {
        g_assert_false(r.has_auth);
    }
    g_assert_cmpmem(r.stub, r.stub_len, want, len);
    ra_pdu_clear(&r);
    g_byte_array_unref(copy);
    g_ptr_array_unref(out);
}

/* ---- binds ---- */

static void test_bind_ack_shape(Fx *fx, gconstpointer unused)
{
    /* Unauthenticated: results, sizes, group, secondary address = the local port. */
    RaSyntaxId ts = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &ts};
    RaPdu p = bind_pdu(RA_PDU_BIND, 7, &pc, 1);
    p.u.bind.max_xmit_frag = 2000;
    p.u.bind.max_recv_frag = 60000;
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, RA_PDU_BIND_ACK, TRUE, &ack);
    g_assert_cmpuint(ack.hdr.call_id, ==, 7);
    g_assert_cmpuint(ack.u.bind_ack.max_recv_frag, ==, 2000);                    /* its xmit */
    g_assert_cmpuint(ack.u.bind_ack.max_xmit_frag, ==, RA_PDU_DEFAULT_MAX_FRAG); /* capped */
    g_assert_cmpuint(ack.u.bind_ack.assoc_group_id, !=, 0);
    g_assert_cmpstr(ack.u.bind_ack.secondary_address, ==, "135");
    g_assert_cmpuint(ack.u.bind_ack.results[0].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    g_assert_true(ra_syntax_id_equal(&ack.u.bind_ack.results[0].transfer_syntax, &ts));
    g_assert_false(ack.has_auth);
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
}

static void test_bind_ack_ntlm(Fx *fx, gconstpointer unused)
{
    RaNtlmClientConfig nc = {0};
    nc.user = TEST_USER;
    nc.password = TEST_PASSWORD;
    RaNtlmssp *ntlm = ra_ntlmssp_client_new(&nc, NULL);
    GBytes *negotiate;
    g_assert_true(ra_ntlmssp_step(ntlm, NULL, 0, &negotiate, NULL));
    RaSyntaxId ts = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &ts};
    RaPdu p = bind_pdu(RA_PDU_BIND, 1, &pc, 1);
    p.has_auth = TRUE;
    p.auth.auth_type = RA_AUTH_TYPE_WINNT;
    p.auth.auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    p.auth.auth_context_id = 79231;
    p.auth.auth_value = g_bytes_get_data(negotiate, &p.auth.auth_value_len);
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, RA_PDU_BIND_ACK, TRUE, &ack);
    /* impacket reads the sec_trailer right after the results: no auth padding. */
    g_assert_true(ack.has_auth);
    g_assert_cmpuint(ack.auth.auth_pad_length, ==, 0);
    gsize n;
    const guint8 *d = g_bytes_get_data(b, &n);
    gsize trailer = n - ack.hdr.auth_length - RA_PDU_SEC_TRAILER_SIZE;
    g_assert_cmpuint(trailer, ==,
                     16 + 10 + 4 + 2 + 4 + 24); /* header, sizes+group, "135", results */
    g_assert_cmpuint(d[trailer + 2], ==, 0);    /* auth_pad_length */
    g_assert_cmpuint(ack.auth.auth_level, ==, RA_AUTH_LEVEL_PKT_PRIVACY);
    g_assert_cmpuint(ack.auth.auth_context_id, ==, 79231);
    /* The CHALLENGE names the computer (impacket needs MsvAvNbComputerName). */
    RaNtlmChallenge ch;
    GError *error = NULL;
    g_assert_true(
        ra_ntlm_challenge_decode(ack.auth.auth_value, ack.auth.auth_value_len, &ch, &error));
    g_assert_no_error(error);
    RaNtlmTargetInfo info;
    g_assert_true(ra_ntlm_target_info_parse(ch.target_info, ch.target_info_len, &info, &error));
    g_assert_cmpstr(info.nb_computer, ==, "NOVICE");
    g_assert_true(info.has_timestamp);
    ra_ntlm_target_info_clear(&info);
    ra_ntlm_challenge_clear(&ch);
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
    g_bytes_unref(negotiate);
    ra_ntlmssp_free(ntlm);
}

static void test_context_results(Fx *fx, gconstpointer unused)
{
    RaSyntaxId n20 = ndr20(), n64 = ra_syntax_ndr64, both[] = {ra_syntax_ndr64, ra_syntax_ndr20},
               features;
    ra_syntax_bind_time_features(RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING | 0x40, &features);
    RaSyntaxId unknown = test_iface_syntax;
    unknown.uuid.time_low++;
    RaPresContext pcs[] = {
        {0, ra_oxid_syntax, 1, &n64},     /* NDR64 only: refused */
        {1, ra_oxid_syntax, 2, both},     /* NDR64 and NDR 2.0: NDR 2.0 accepted */
        {2, unknown, 1, &n20},            /* unknown interface */
        {3, ra_epm_syntax, 1, &n20},      /* fine */
        {4, ra_epm_syntax, 1, &features}, /* bind time feature negotiation */
    };
    RaPdu p = bind_pdu(RA_PDU_BIND, 1, pcs, G_N_ELEMENTS(pcs));
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, RA_PDU_BIND_ACK, TRUE, &ack);
    g_assert_cmpuint(ack.u.bind_ack.n_results, ==, 5);
    const RaPresResult *r = ack.u.bind_ack.results;
    g_assert_cmpuint(r[0].result, ==, RA_PDU_RESULT_PROVIDER_REJECTION);
    g_assert_cmpuint(r[0].reason, ==, RA_PDU_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED);
    g_assert_cmpuint(r[1].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    g_assert_true(ra_syntax_id_equal(&r[1].transfer_syntax, &n20));
    g_assert_cmpuint(r[2].result, ==, RA_PDU_RESULT_PROVIDER_REJECTION);
    g_assert_cmpuint(r[2].reason, ==, RA_PDU_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
    g_assert_cmpuint(r[3].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    g_assert_cmpuint(r[4].result, ==, RA_PDU_RESULT_NEGOTIATE_ACK);
    g_assert_cmpuint(r[4].reason, ==, RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING);
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
    /* The refused context cannot be called; the accepted ones can. */
    GByteArray *req = simple_request(fx, 0, 5, RA_AUTH_LEVEL_NONE);
    expect_fault(fx, req, RA_NCA_UNK_IF, TRUE);
    g_byte_array_unref(req);
    req = server_alive(fx, 1, RA_AUTH_LEVEL_NONE); /* ServerAlive on context 1 */
    static const guint8 zero4[4] = {0};
    expect_response(fx, req, RA_AUTH_LEVEL_NONE, zero4, 4);
    g_byte_array_unref(req);
    g_assert_nonnull(strstr(fx->log->str, "NDR64 is not supported"));
}

static void test_second_bind_and_alter(Fx *fx, gconstpointer unused)
{
    do_bind(fx, RA_PDU_BIND, &ra_epm_syntax, 0, RA_AUTH_LEVEL_NONE);
    /* Redefining context 0 by alter_context is refused... */
    RaSyntaxId n20 = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &n20};
    RaPdu p = bind_pdu(RA_PDU_ALTER_CONTEXT, 9, &pc, 1);
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, RA_PDU_ALTER_CONTEXT_RESP, TRUE, &ack);
    g_assert_cmpuint(ack.u.bind_ack.results[0].result, ==, RA_PDU_RESULT_PROVIDER_REJECTION);
    g_assert_cmpstr(ack.u.bind_ack.secondary_address, ==, "");
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
    /* ...but a second bind starts the contexts afresh (impacket does this). */
    do_bind(fx, RA_PDU_BIND, &ra_oxid_syntax, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    GByteArray *req = server_alive(fx, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    static const guint8 zero4[4] = {0};
    expect_response(fx, req, RA_AUTH_LEVEL_PKT_PRIVACY, zero4, 4);
    g_byte_array_unref(req);
    /* An alter_context with a fresh handshake adds a second security context. */
    RaNtlmssp *first = fx->ntlm;
    guint32 first_id = fx->auth_context_id;
    fx->ntlm = NULL;
    do_bind(fx, RA_PDU_ALTER_CONTEXT, &test_iface_syntax, 1, RA_AUTH_LEVEL_PKT_INTEGRITY);
    static const guint8 stub[] = "0123456789abcdef";
    req = simple_request(fx, 1, 0, RA_AUTH_LEVEL_PKT_INTEGRITY);
    expect_response(fx, req, RA_AUTH_LEVEL_PKT_INTEGRITY, stub, sizeof stub);
    g_byte_array_unref(req);
    /* Back to the first security context: its keys and sequence numbers are its own. */
    RaNtlmssp *second = fx->ntlm;
    guint32 second_id = fx->auth_context_id;
    fx->ntlm = first;
    fx->auth_context_id = first_id;
    req = server_alive(fx, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    expect_response(fx, req, RA_AUTH_LEVEL_PKT_PRIVACY, zero4, 4);
    g_byte_array_unref(req);
    ra_ntlmssp_free(second);
    (void)second_id;
}

static void test_refused_auth(Fx *fx, gconstpointer unused)
{
    RaSyntaxId n20 = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &n20};
    static const guint8 token[] = "NTLMSSP";
    struct {
        guint8 type, level;
        guint16 reason;
    } cases[] = {
        {RA_AUTH_TYPE_GSS_NEGOTIATE, RA_AUTH_LEVEL_PKT_PRIVACY,
         RA_BIND_NAK_AUTHENTICATION_TYPE_NOT_RECOGNIZED},
        {RA_AUTH_TYPE_WINNT, RA_AUTH_LEVEL_PKT, RA_BIND_NAK_REASON_NOT_SPECIFIED},
        {RA_AUTH_TYPE_WINNT, RA_AUTH_LEVEL_PKT_PRIVACY, RA_BIND_NAK_INVALID_CHECKSUM}, /* junk */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        RaPdu p = bind_pdu(RA_PDU_BIND, 1, &pc, 1);
        p.has_auth = TRUE;
        p.auth.auth_type = cases[i].type;
        p.auth.auth_level = cases[i].level;
        p.auth.auth_value = token;
        p.auth.auth_value_len = sizeof token;
        GByteArray *in = encode(&p, NULL);
        RaPdu nak;
        GBytes *b = exchange(fx, in, RA_PDU_BIND_NAK, FALSE, &nak);
        g_assert_cmpuint(nak.u.bind_nak.reject_reason, ==, cases[i].reason);
        ra_pdu_clear(&nak);
        g_bytes_unref(b);
        g_byte_array_unref(in);
    }
}

/* ---- PDUs that close the association ---- */

static void test_out_of_place(Fx *fx, gconstpointer unused)
{
    GByteArray *req = simple_request(fx, 0, 0, RA_AUTH_LEVEL_NONE);
    expect_fault(fx, req, RA_NCA_PROTO_ERROR, FALSE); /* request before bind */
    g_byte_array_unref(req);

    RaSyntaxId n20 = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &n20};
    RaPdu p = bind_pdu(RA_PDU_ALTER_CONTEXT, 1, &pc, 1);
    GByteArray *in = encode(&p, NULL);
    expect_fault(fx, in, RA_NCA_PROTO_ERROR, FALSE); /* alter_context before bind */
    g_byte_array_unref(in);

    RaPdu a3 = {0};
    a3.hdr.ptype = RA_PDU_AUTH3;
    a3.hdr.pfc_flags = 3;
    a3.has_auth = TRUE;
    a3.auth.auth_type = RA_AUTH_TYPE_WINNT;
    a3.auth.auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    a3.auth.auth_value = (const guint8 *)"x";
    a3.auth.auth_value_len = 1;
    in = encode(&a3, NULL);
    expect_fault(fx, in, RA_NCA_PROTO_ERROR, FALSE); /* auth3 nobody asked for */
    g_byte_array_unref(in);

    /* A server-side PDU type from the client, and types that do not exist. */
    guint8 ptypes[] = {RA_PDU_BIND_ACK, RA_PDU_RESPONSE, RA_PDU_SHUTDOWN, 1, 99, 255};
    for (gsize i = 0; i < G_N_ELEMENTS(ptypes); i++) {
        guint8 raw[24] = {5, 0, ptypes[i], 3, 0x10, 0, 0, 0, 24, 0, 0, 0, 42, 0, 0, 0};
        gboolean keep = TRUE;
        GPtrArray *out = feed(fx, raw, sizeof raw, &keep);
        g_assert_false(keep);
        g_assert_cmpuint(out->len, ==, 1);
        RaPdu f;
        decode(g_ptr_array_index(out, 0), &f);
        g_assert_cmpuint(f.hdr.ptype, ==, RA_PDU_FAULT);
        g_assert_cmpuint(f.hdr.call_id, ==, 42);
        ra_pdu_clear(&f);
        g_ptr_array_unref(out);
    }
}

static void test_big_endian(Fx *fx, gconstpointer unused)
{
    RaSyntaxId n20 = ndr20();
    RaPresContext pc = {0, ra_oxid_syntax, 1, &n20};
    RaPdu p = bind_pdu(RA_PDU_BIND, 1, &pc, 1);
    GByteArray *in = encode(&p, NULL);
    /* The same bind claiming big-endian integers, its lengths swapped to match. */
    in->data[4] = 0x00;
    guint8 t = in->data[8];
    in->data[8] = in->data[9];
    in->data[9] = t;
    RaPdu nak;
    gboolean keep;
    GPtrArray *out = feed(fx, in->data, in->len, &keep);
    g_assert_false(keep);
    g_assert_cmpuint(out->len, ==, 1);
    decode(g_ptr_array_index(out, 0), &nak);
    g_assert_cmpuint(nak.hdr.ptype, ==, RA_PDU_BIND_NAK);
    g_assert_cmpuint(nak.u.bind_nak.reject_reason, ==, RA_BIND_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
    ra_pdu_clear(&nak);
    g_ptr_array_unref(out);
    g_byte_array_unref(in);
}

/* ---- security at the PDU level ---- */

static void test_replay_tamper_level(Fx *fx, gconstpointer unused)
{
    static const guint8 stub[] = "0123456789abcdef";
    for (int variant = 0; variant < 4; variant++) {
        ra_rpc_assoc_free(fx->assoc);
        RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
        fx->assoc = ra_rpc_assoc_new(fx->server, &peer);
        do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
        GByteArray *req = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
        GByteArray *copy = g_byte_array_new();
        g_byte_array_append(copy, req->data, req->len);
        expect_response(fx, req, RA_AUTH_LEVEL_PKT_PRIVACY, stub, sizeof stub);
        GByteArray *bad;
        guint32 status = RA_NCA_S_FAULT_SEC_PKG_ERROR;
        if (variant == 0) {
            bad = copy; /* replayed: the sequence number (and RC4 state) moved on */
        } else if (variant == 1) {
            bad = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
            bad->data[30] ^= 0x40; /* one bit of the sealed stub */
        } else if (variant == 2) {
            /* The same context at a lower level than it was bound with. */
            bad = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_INTEGRITY);
        } else {
            /* An auth_context_id that was never established. */
            fx->auth_context_id += 100;
            bad = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
            status = RA_NCA_S_FAULT_ACCESS_DENIED;
        }
        expect_fault(fx, bad, status, FALSE);
        if (bad != copy)
            g_byte_array_unref(bad);
        g_byte_array_unref(copy);
        g_byte_array_unref(req);
    }
    g_assert_nonnull(strstr(fx->log->str, "rejected"));
}

static void test_call_level_policy(Fx *fx, gconstpointer unused)
{
    /* Bound at integrity (below the default privacy): the test interface's opnums 0-1 are
     * anonymous, but the OXID resolver's ResolveOxid is not. */
    do_bind(fx, RA_PDU_BIND, &ra_oxid_syntax, 0, RA_AUTH_LEVEL_PKT_INTEGRITY);
    GByteArray *req = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_INTEGRITY);
    expect_fault(fx, req, RA_NCA_S_FAULT_ACCESS_DENIED, TRUE);
    g_byte_array_unref(req);
    /* An unprotected request on the same association: unauthenticated, also refused. */
    req = simple_request(fx, 0, 0, RA_AUTH_LEVEL_NONE);
    expect_fault(fx, req, RA_NCA_S_FAULT_ACCESS_DENIED, TRUE);
    g_byte_array_unref(req);
    /* ServerAlive2 is fine at any level. */
    req = server_alive(fx, 0, RA_AUTH_LEVEL_PKT_INTEGRITY);
    static const guint8 zero4[4] = {0};
    expect_response(fx, req, RA_AUTH_LEVEL_PKT_INTEGRITY, zero4, 4);
    g_byte_array_unref(req);
    g_assert_nonnull(strstr(fx->log->str, "privacy required"));
}

/* ---- fragments ---- */

static void test_fragments(Fx *fx, gconstpointer unused)
{
    do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    guint8 *stub = g_malloc(3000);
    for (int i = 0; i < 3000; i++)
        stub[i] = (guint8)i;
    /* Three fragments, reassembled and answered once. */
    guint32 id = fx->call_id++;
    guint8 flags[] = {RA_PFC_FIRST_FRAG, 0, RA_PFC_LAST_FRAG};
    for (int i = 0; i < 3; i++) {
        GByteArray *f = request(fx, id, 0, 0, flags[i], stub + 1000 * i, 1000, 3000 - 1000 * i,
                                RA_AUTH_LEVEL_PKT_PRIVACY);
        if (i < 2) {
            gboolean keep;
            GPtrArray *out = feed(fx, f->data, f->len, &keep);
            g_assert_true(keep);
            g_assert_cmpuint(out->len, ==, 0);
            g_ptr_array_unref(out);
        } else {
            /* 3000 bytes fit one 4280-byte fragment. */
            expect_response(fx, f, RA_AUTH_LEVEL_PKT_PRIVACY, stub, 3000);
        }
        g_byte_array_unref(f);
    }
    /* An orphaned call: its fragments are dropped, the next call is fine. */
    id = fx->call_id++;
    GByteArray *f =
        request(fx, id, 0, 0, RA_PFC_FIRST_FRAG, stub, 100, 200, RA_AUTH_LEVEL_PKT_PRIVACY);
    GPtrArray *out = feed(fx, f->data, f->len, NULL);
    g_ptr_array_unref(out);
    g_byte_array_unref(f);
    RaPdu orphan = {0};
    orphan.hdr.ptype = RA_PDU_ORPHANED;
    orphan.hdr.pfc_flags = 3;
    orphan.hdr.call_id = id;
    f = encode(&orphan, NULL);
    gboolean keep;
    out = feed(fx, f->data, f->len, &keep);
    g_assert_true(keep);
    g_assert_cmpuint(out->len, ==, 0);
    g_ptr_array_unref(out);
    g_byte_array_unref(f);
    static const guint8 small[] = "0123456789abcdef";
    f = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    expect_response(fx, f, RA_AUTH_LEVEL_PKT_PRIVACY, small, sizeof small);
    g_byte_array_unref(f);
    g_free(stub);
}

static void test_fragment_limits(Fx *fx, gconstpointer unused)
{
    static const guint8 stub[64] = {0};
    for (int variant = 0; variant < 4; variant++) {
        ra_rpc_assoc_free(fx->assoc);
        RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
        fx->assoc = ra_rpc_assoc_new(fx->server, &peer);
        do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_NONE);
        guint32 id = fx->call_id++;
        if (variant == 0) {
            /* More fragments than the limit (8 in this fixture). */
            for (int i = 0; i < 8; i++) {
                GByteArray *f = request(fx, id, 0, 0, i == 0 ? RA_PFC_FIRST_FRAG : 0, stub,
                                        sizeof stub, 64, RA_AUTH_LEVEL_NONE);
                GPtrArray *out = feed(fx, f->data, f->len, NULL);
                g_assert_cmpuint(out->len, ==, 0);
                g_ptr_array_unref(out);
                g_byte_array_unref(f);
            }
            GByteArray *f = request(fx, id, 0, 0, 0, stub, sizeof stub, 64, RA_AUTH_LEVEL_NONE);
            expect_fault(fx, f, RA_NCA_S_FAULT_REMOTE_NO_MEMORY, FALSE);
            g_byte_array_unref(f);
        } else if (variant == 1) {
            /* An alloc_hint beyond the request size limit (64 KiB here). */
            GByteArray *f = request(fx, id, 0, 0, RA_PFC_FIRST_FRAG, stub, sizeof stub, 0xffffffffu,
                                    RA_AUTH_LEVEL_NONE);
            expect_fault(fx, f, RA_NCA_S_FAULT_REMOTE_NO_MEMORY, FALSE);
            g_byte_array_unref(f);
        } else if (variant == 2) {
            /* A middle fragment with no first. */
            GByteArray *f = request(fx, id, 0, 0, 0, stub, sizeof stub, 64, RA_AUTH_LEVEL_NONE);
            expect_fault(fx, f, RA_NCA_PROTO_ERROR, FALSE);
            g_byte_array_unref(f);
        } else {
            /* A fragment larger than the negotiated receive size (4280). */
            guint8 *big = g_malloc0(5000);
            GByteArray *f = request(fx, id, 0, 0, 3, big, 5000, 5000, RA_AUTH_LEVEL_NONE);
            expect_fault(fx, f, RA_NCA_PROTO_ERROR, FALSE);
            g_byte_array_unref(f);
            g_free(big);
        }
    }
}

static void test_truncated_and_lying(Fx *fx, gconstpointer unused)
{
    do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_NONE);
    GByteArray *good = simple_request(fx, 0, 0, RA_AUTH_LEVEL_NONE);
    /* Every prefix of a good request, as if frag_length said so: closed with a fault, never a
     * crash. (The transport only passes whole PDUs; the association checks anyway.) */
    for (guint n = 0; n < good->len; n++) {
        ra_rpc_assoc_free(fx->assoc);
        RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
        fx->assoc = ra_rpc_assoc_new(fx->server, &peer);
        do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_NONE);
        gboolean keep = TRUE;
        GPtrArray *out = feed(fx, good->data, n, &keep);
        g_assert_false(keep);
        g_ptr_array_unref(out);
    }
    /* auth_length beyond the PDU. */
    ra_rpc_assoc_free(fx->assoc);
    RaRpcPeer peer = {"192.0.2.1", 50000, "192.0.2.2", 135};
    fx->assoc = ra_rpc_assoc_new(fx->server, &peer);
    do_bind(fx, RA_PDU_BIND, &test_iface_syntax, 0, RA_AUTH_LEVEL_NONE);
    good->data[10] = 0xf0;
    expect_fault(fx, good, RA_NCA_PROTO_ERROR, FALSE);
    g_byte_array_unref(good);
}

/* The three-leg handshake's last leg in an alter_context instead of an auth3 ([MS-RPCE]
 * 3.3.1.5.x): answered with an alter_context_resp, and the context works. */
static void test_third_leg_in_alter_context(Fx *fx, gconstpointer unused)
{
    RaNtlmClientConfig nc = {0};
    nc.user = TEST_USER;
    nc.domain = TEST_DOMAIN;
    nc.password = TEST_PASSWORD;
    fx->ntlm = ra_ntlmssp_client_new(&nc, NULL);
    fx->auth_context_id = 7;
    GBytes *negotiate, *authenticate;
    g_assert_true(ra_ntlmssp_step(fx->ntlm, NULL, 0, &negotiate, NULL));
    RaSyntaxId n20 = ndr20();
    RaPresContext pc = {0, test_iface_syntax, 1, &n20};
    RaPdu p = bind_pdu(RA_PDU_BIND, fx->call_id++, &pc, 1);
    p.has_auth = TRUE;
    p.auth.auth_type = RA_AUTH_TYPE_WINNT;
    p.auth.auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    p.auth.auth_context_id = 7;
    p.auth.auth_value = g_bytes_get_data(negotiate, &p.auth.auth_value_len);
    GByteArray *in = encode(&p, NULL);
    RaPdu ack;
    GBytes *b = exchange(fx, in, RA_PDU_BIND_ACK, TRUE, &ack);
    g_assert_true(ra_ntlmssp_step(fx->ntlm, ack.auth.auth_value, ack.auth.auth_value_len,
                                  &authenticate, NULL));
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
    /* alter_context re-presenting context 0, carrying the AUTHENTICATE. */
    RaPdu alter = bind_pdu(RA_PDU_ALTER_CONTEXT, fx->call_id++, &pc, 1);
    alter.has_auth = TRUE;
    alter.auth = p.auth;
    alter.auth.auth_value = g_bytes_get_data(authenticate, &alter.auth.auth_value_len);
    in = encode(&alter, NULL);
    b = exchange(fx, in, RA_PDU_ALTER_CONTEXT_RESP, TRUE, &ack);
    g_assert_cmpuint(ack.u.bind_ack.results[0].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    ra_pdu_clear(&ack);
    g_bytes_unref(b);
    g_byte_array_unref(in);
    static const guint8 stub[] = "0123456789abcdef";
    GByteArray *req = simple_request(fx, 0, 0, RA_AUTH_LEVEL_PKT_PRIVACY);
    expect_response(fx, req, RA_AUTH_LEVEL_PKT_PRIVACY, stub, sizeof stub);
    g_byte_array_unref(req);
    g_assert_nonnull(strstr(fx->log->str, "authenticated CONTOSO\\alice"));
    g_bytes_unref(negotiate);
    g_bytes_unref(authenticate);
}

/* The names of the authentication levels, as ra/rpc-server.h promises them. */
static void test_auth_level_names(void)
{
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_NONE), ==, "none");
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_CONNECT), ==, "connect");
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_CALL), ==, "call");
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_PKT), ==, "packet");
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_PKT_INTEGRITY), ==, "integrity");
    g_assert_cmpstr(ra_rpc_auth_level_name(RA_AUTH_LEVEL_PKT_PRIVACY), ==, "privacy");
    g_assert_cmpstr(ra_rpc_auth_level_name(0), ==, "unknown level");
    g_assert_cmpstr(ra_rpc_auth_level_name(7), ==, "unknown level");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc-server/auth-level-names", test_auth_level_names);
#define ADD(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)
    ADD("/rpc-server/bind-ack-shape", test_bind_ack_shape);
    ADD("/rpc-server/bind-ack-ntlm", test_bind_ack_ntlm);
    ADD("/rpc-server/context-results", test_context_results);
    ADD("/rpc-server/second-bind-and-alter", test_second_bind_and_alter);
    ADD("/rpc-server/refused-auth", test_refused_auth);
    ADD("/rpc-server/out-of-place", test_out_of_place);
    ADD("/rpc-server/big-endian", test_big_endian);
    ADD("/rpc-server/replay-tamper-level", test_replay_tamper_level);
    ADD("/rpc-server/call-level-policy", test_call_level_policy);
    ADD("/rpc-server/fragments", test_fragments);
    ADD("/rpc-server/fragment-limits", test_fragment_limits);
    ADD("/rpc-server/truncated-and-lying", test_truncated_and_lying);
    ADD("/rpc-server/third-leg-in-alter-context", test_third_leg_in_alter_context);
    return g_test_run();
}
