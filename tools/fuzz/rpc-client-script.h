/*
 * What the client does in the fuzz-rpc-client harness, and in its corpus generator against a
 * real server: bind to IObjectExporter (unauthenticated, or NTLMv2 at PKT_PRIVACY), ServerAlive2,
 * ResolveOxid2, alter_context to the echo/test interface, and a 10000-byte answer in 1432-byte
 * fragments. Every step runs whatever the previous ones got; errors are the point.
 */
#ifndef RPC_CLIENT_SCRIPT_H
#define RPC_CLIENT_SCRIPT_H

#include "ra/ndr.h"
#include "ra/oxid.h"
#include "ra/rpc-client.h"

static inline void fuzz_client_script(RaRpcClient *c, gboolean privacy)
{
    static const RaSyntaxId test_iface = {
        RA_UUID_INIT(0x6e7f0a52, 0x9b3c, 0x4d1e, 0x8f, 0x20, 0x5a, 0x6b, 0x7c, 0x8d, 0x9e, 0x0f), 1,
        2};
    RaRpcAuth none = {RA_AUTH_LEVEL_NONE, NULL, NULL, NULL, NULL, NULL};
    RaRpcAuth sealed = {RA_AUTH_LEVEL_PKT_PRIVACY, "CONTOSO", "alice", "S3cret-Pw!x", NULL, NULL};
    ra_rpc_client_set_max_frag(c, 1432, 1432);
    guint16 ctx = 0, ctx2 = 0;
    GBytes *r;
    if (!ra_rpc_client_bind(c, &ra_oxid_syntax, privacy ? &sealed : &none, &ctx, NULL))
        return;
    r = ra_rpc_client_call(c, ctx, 5, NULL, NULL, 0, NULL);
    if (r != NULL)
        g_bytes_unref(r);
    static const guint8 resolve[] = {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 1,
                                     0,    0,    0,    1,    0,    0,    0,    7,    0};
    r = ra_rpc_client_call(c, ctx, 4, NULL, resolve, sizeof resolve, NULL);
    if (r != NULL)
        g_bytes_unref(r);
    if (!ra_rpc_client_bind(c, &test_iface, &none, &ctx2, NULL))
        return;
    static const guint8 ten_thousand[] = {0x10, 0x27, 0, 0};
    RaUuid object = {1, 2, 3, {4, 5}, {6, 7, 8, 9, 10, 11}};
    r = ra_rpc_client_call(c, ctx2, 3, &object, ten_thousand, sizeof ten_thousand, NULL);
    if (r != NULL)
        g_bytes_unref(r);
}

#endif
