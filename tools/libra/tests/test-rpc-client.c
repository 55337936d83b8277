/*
 * Our client against our server over loopback, at every authentication level: calls, identities,
 * fragmentation both ways, alter_context with a fresh handshake, object UUIDs, faults, wrong
 * passwords, NT-hash credentials, association groups, bind time feature negotiation, IPv6.
 */
#include "rpc-test-server.h"

#include "ra/epm.h"
#include "ra/error.h"
#include "ra/ndr.h"
#include "ra/ntlmssp.h"
#include "ra/rpc-client.h"

#include <string.h>

static const guint8 levels[] = {RA_AUTH_LEVEL_NONE, RA_AUTH_LEVEL_CONNECT,
                                RA_AUTH_LEVEL_PKT_INTEGRITY, RA_AUTH_LEVEL_PKT_PRIVACY};

static RaRpcClient *connect_to(TestServer *ts)
{
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    return c;
}

static RaRpcAuth auth_at(guint8 level)
{
    RaRpcAuth a = {level, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, "EXPERT"};
    return a;
}

static guint16 bind_or_die(RaRpcClient *c, const RaSyntaxId *iface, const RaRpcAuth *auth)
{
    GError *error = NULL;
    guint16 ctx = 0xffff;
    g_assert_true(ra_rpc_client_bind(c, iface, auth, &ctx, &error));
    g_assert_no_error(error);
    return ctx;
}

static GBytes *call_ok(RaRpcClient *c, guint16 ctx, guint16 opnum, const void *stub, gsize len)
{
    GError *error = NULL;
    GBytes *r = ra_rpc_client_call(c, ctx, opnum, NULL, stub, len, &error);
    g_assert_no_error(error);
    g_assert_nonnull(r);
    return r;
}

static void assert_fault(RaRpcClient *c, guint16 ctx, guint16 opnum, const void *stub, gsize len,
                         guint32 status)
{
    GError *error = NULL;
    GBytes *r = ra_rpc_client_call(c, ctx, opnum, NULL, stub, len, &error);
    g_assert_null(r);
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_error_free(error);
    g_assert_cmphex(ra_rpc_client_last_fault(c), ==, status);
}

static gchar *whoami(RaRpcClient *c, guint16 ctx)
{
    GBytes *r = call_ok(c, ctx, 2, NULL, 0);
    gsize n;
    const gchar *d = g_bytes_get_data(r, &n);
    gchar *s = g_strndup(d, n);
    g_bytes_unref(r);
    return s;
}

/* Every level against a server whose minimum is CONNECT: each call runs with its identity. */
static void test_every_level(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_CONNECT);
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        RaRpcClient *c = connect_to(ts);
        RaRpcAuth auth = auth_at(levels[i]);
        guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
        const char msg[] = "hello, novice";
        GBytes *r = call_ok(c, ctx, 0, msg, sizeof msg);
        g_assert_cmpmem(g_bytes_get_data(r, NULL), g_bytes_get_size(r), msg, sizeof msg);
        g_bytes_unref(r);
        if (levels[i] == RA_AUTH_LEVEL_NONE) {
            /* Unauthenticated: only the anonymous opnum (echo) runs. */
            assert_fault(c, ctx, 2, NULL, 0, RA_NCA_S_FAULT_ACCESS_DENIED);
        } else {
            gchar *who = whoami(c, ctx);
            gchar *want = g_strdup_printf(TEST_DOMAIN "\\" TEST_USER "|%u|0", levels[i]);
            g_assert_cmpstr(who, ==, want);
            g_free(who);
            g_free(want);
        }
        ra_rpc_client_free(c);
    }
    g_assert_true(test_server_log_contains(ts, "authenticated CONTOSO\\alice"));
    test_server_stop(ts);
}

/* The default minimum (privacy): lower levels are refused for protected opnums, per call. */
static void test_minimum_level(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        RaRpcClient *c = connect_to(ts);
        RaRpcAuth auth = auth_at(levels[i]);
        guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
        if (levels[i] == RA_AUTH_LEVEL_PKT_PRIVACY) {
            gchar *who = whoami(c, ctx);
            g_assert_cmpstr(who, ==, TEST_DOMAIN "\\" TEST_USER "|6|0");
            g_free(who);
        } else {
            assert_fault(c, ctx, 2, NULL, 0, RA_NCA_S_FAULT_ACCESS_DENIED);
        }
        /* The refusal leaves the association usable: the anonymous opnum still runs. */
        GBytes *r = call_ok(c, ctx, 0, "x", 1);
        g_bytes_unref(r);
        ra_rpc_client_free(c);
    }
    g_assert_true(test_server_log_contains(ts, "privacy required"));
    test_server_stop(ts);
}

static void check_blob(GBytes *r, gsize n)
{
    gsize len;
    const guint8 *d = g_bytes_get_data(r, &len);
    g_assert_cmpuint(len, ==, n);
    for (gsize i = 0; i < n; i++) {
        if (d[i] != (guint8)((i * 7 + 3) & 0xff))
            g_assert_cmpuint(i, ==, G_MAXSIZE); /* report the first bad offset */
    }
}

static void test_fragmentation(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_CONNECT);
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        RaRpcClient *c = connect_to(ts);
        /* The smallest fragments every implementation must take: many fragments each way. */
        ra_rpc_client_set_max_frag(c, RA_PDU_MIN_MAX_FRAG, RA_PDU_MIN_MAX_FRAG);
        RaRpcAuth auth = auth_at(levels[i]);
        guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
        g_assert_cmpuint(ra_rpc_client_get_max_xmit(c), ==, RA_PDU_MIN_MAX_FRAG);
        g_assert_cmpuint(ra_rpc_client_get_max_recv(c), ==, RA_PDU_MIN_MAX_FRAG);
        gsize sizes[] = {0, 1, 1400, 1432, 5000, 200000};
        for (gsize k = 0; k < G_N_ELEMENTS(sizes); k++) {
            guint8 *stub = g_malloc(sizes[k] + 1);
            for (gsize j = 0; j < sizes[k]; j++)
                stub[j] = (guint8)(j * 13 + k);
            GBytes *r = call_ok(c, ctx, 0, stub, sizes[k]);
            g_assert_cmpmem(g_bytes_get_data(r, NULL), g_bytes_get_size(r), stub, sizes[k]);
            g_bytes_unref(r);
            g_free(stub);
            guint32 n = GUINT32_TO_LE((guint32)sizes[k]);
            r = call_ok(c, ctx, 3, &n, 4);
            check_blob(r, sizes[k]);
            g_bytes_unref(r);
        }
        ra_rpc_client_free(c);
    }
    test_server_stop(ts);
}

static gboolean dsa_has_binding(GBytes *response, const char *want)
{
    /* ServerAlive2 response: COMVERSION (4), referent ID (4), max_count (4), wNumEntries,
     * wSecurityOffset, the array. */
    gsize n;
    const guint8 *d = g_bytes_get_data(response, &n);
    g_assert_cmpuint(n, >=, 16);
    g_assert_cmpuint(d[0] | d[1] << 8, ==, 5);
    g_assert_cmpuint(d[2] | d[3] << 8, ==, 7);
    guint16 entries = (guint16)(d[12] | d[13] << 8), secoff = (guint16)(d[14] | d[15] << 8);
    g_assert_cmpuint(n, >=, 16 + 2 * (gsize)entries);
    RaArena *arena = ra_arena_new();
    RaDualStringArray dsa;
    GError *error = NULL;
    g_assert_true(ra_dsa_parse(d + 16, entries, secoff, arena, &dsa, &error));
    g_assert_no_error(error);
    gboolean found = FALSE;
    for (guint i = 0; i < dsa.n_strings; i++)
        found = found || (dsa.strings[i].tower_id == RA_TOWERID_NCACN_IP_TCP &&
                          strcmp(dsa.strings[i].address, want) == 0);
    g_assert_cmpuint(dsa.n_security, >=, 1);
    g_assert_cmpuint(dsa.security[0].authn_svc, ==, RA_AUTH_TYPE_WINNT);
    ra_arena_free(arena);
    return found;
}

/* A second interface by alter_context, each with its own NTLM context; both keep working. */
static void test_alter_context(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    RaRpcClient *c = connect_to(ts);
    RaRpcAuth auth = auth_at(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx1 = bind_or_die(c, &test_iface_syntax, &auth);
    RaRpcAuth helper = {RA_AUTH_LEVEL_PKT_INTEGRITY, TEST_DOMAIN, TEST_HELPER,
                        TEST_HELPER_PASSWORD,        NULL,        NULL};
    guint16 ctx2 = bind_or_die(c, &ra_oxid_syntax, &helper);
    g_assert_cmpuint(ctx1, !=, ctx2);
    guint16 ctx3 = bind_or_die(c, &test_iface_syntax, &helper);
    gchar *want = g_strdup_printf("127.0.0.1[%u]", ts->port);
    for (int round = 0; round < 3; round++) {
        gchar *who = whoami(c, ctx1);
        g_assert_cmpstr(who, ==, TEST_DOMAIN "\\" TEST_USER "|6|0");
        g_free(who);
        GBytes *r = call_ok(c, ctx2, 5, NULL, 0); /* ServerAlive2 */
        g_assert_true(dsa_has_binding(r, want));
        g_bytes_unref(r);
        /* The helper's context at integrity: refused below privacy for protected opnums. */
        assert_fault(c, ctx3, 2, NULL, 0, RA_NCA_S_FAULT_ACCESS_DENIED);
    }
    g_free(want);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static void test_helper_identity(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    RaRpcClient *c = connect_to(ts);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY, "contoso", TEST_HELPER,
                      TEST_HELPER_PASSWORD,      NULL,      NULL};
    guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
    gchar *who = whoami(c, ctx);
    g_assert_cmpstr(who, ==, "contoso\\" TEST_HELPER "|6|1");
    g_free(who);
    ra_rpc_client_free(c);
    g_assert_true(test_server_log_contains(ts, "[helper]"));
    test_server_stop(ts);
}

static void test_nt_hash_credentials(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint8 hash[16];
    g_assert_true(ra_ntlm_nt_hash(TEST_PASSWORD, hash, NULL));
    RaRpcClient *c = connect_to(ts);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY, TEST_DOMAIN, TEST_USER, NULL, hash, NULL};
    guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
    gchar *who = whoami(c, ctx);
    g_assert_cmpstr(who, ==, TEST_DOMAIN "\\" TEST_USER "|6|0");
    g_free(who);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static void test_wrong_password(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    const char *users[][2] = {{TEST_USER, "wrong"}, {"mallory", TEST_PASSWORD}};
    for (gsize i = 0; i < G_N_ELEMENTS(users); i++) {
        for (gsize l = 1; l < G_N_ELEMENTS(levels); l++) {
            RaRpcClient *c = connect_to(ts);
            RaRpcAuth auth = {levels[l], TEST_DOMAIN, users[i][0], users[i][1], NULL, NULL};
            guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
            /* Even the anonymous opnum: a failed authentication taints the association. */
            assert_fault(c, ctx, 0, "x", 1, RA_NCA_S_FAULT_ACCESS_DENIED);
            GError *error = NULL;
            GBytes *r = ra_rpc_client_call(c, ctx, 0, NULL, (const guint8 *)"x", 1, &error);
            g_assert_null(r);
            g_assert_error(error, RA_ERROR, RA_ERROR_IO); /* closed */
            g_error_free(error);
            ra_rpc_client_free(c);
        }
    }
    RaRpcServerStats st;
    test_server_stats(ts, &st);
    g_assert_cmpuint(st.auth_failures, ==, 6);
    g_assert_true(test_server_log_contains(ts, "authentication failed for CONTOSO\\mallory"));
    g_assert_false(test_server_log_contains(ts, TEST_PASSWORD));
    g_assert_false(test_server_log_contains(ts, "wrong"));
    test_server_stop(ts);
}

static void test_faults(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    RaRpcClient *c = connect_to(ts);
    RaRpcAuth auth = auth_at(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
    guint32 st = GUINT32_TO_LE(0x80070005u);
    assert_fault(c, ctx, 1, &st, 4, 0x80070005u); /* a handler's HRESULT */
    assert_fault(c, ctx, TEST_IFACE_N_OPNUMS, NULL, 0, RA_NCA_OP_RNG_ERROR);
    assert_fault(c, ctx, 0xffff, NULL, 0, RA_NCA_OP_RNG_ERROR);
    assert_fault(c, ctx, 7, NULL, 0, RA_NCA_S_FAULT_CANT_PERFORM);
    /* Faults leave the association usable. */
    gchar *who = whoami(c, ctx);
    g_assert_cmpstr(who, ==, TEST_DOMAIN "\\" TEST_USER "|6|0");
    g_free(who);
    /* An interface the server does not have: the context is refused. */
    RaSyntaxId unknown = test_iface_syntax;
    unknown.uuid.time_low ^= 1;
    GError *error = NULL;
    guint16 ctx2;
    g_assert_false(ra_rpc_client_bind(c, &unknown, &auth, &ctx2, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_assert_nonnull(strstr(error->message, "abstract syntax not supported"));
    g_clear_error(&error);
    /* A newer minor version than the server's is refused too; an older one is fine. */
    RaSyntaxId newer = test_iface_syntax, older = test_iface_syntax;
    newer.if_version_minor++;
    older.if_version_minor--;
    g_assert_false(ra_rpc_client_bind(c, &newer, &auth, &ctx2, &error));
    g_clear_error(&error);
    ctx2 = bind_or_die(c, &older, &auth);
    g_assert_cmpuint(ctx2, !=, ctx);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static void test_object_uuid(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    RaRpcClient *c = connect_to(ts);
    RaRpcAuth auth = auth_at(RA_AUTH_LEVEL_PKT_PRIVACY);
    ra_rpc_client_set_max_frag(c, RA_PDU_MIN_MAX_FRAG, RA_PDU_MIN_MAX_FRAG);
    guint16 ctx = bind_or_die(c, &test_iface_syntax, &auth);
    RaUuid ipid;
    ra_uuid_generate(&ipid);
    /* A stub big enough to need fragments, each carrying the object UUID. */
    guint8 *stub = g_malloc0(4000);
    GError *error = NULL;
    GBytes *r = ra_rpc_client_call(c, ctx, 4, &ipid, stub, 4000, &error);
    g_assert_no_error(error);
    guint8 want[16];
    ra_uuid_to_le(&ipid, want);
    g_assert_cmpmem(g_bytes_get_data(r, NULL), g_bytes_get_size(r), want, 16);
    g_bytes_unref(r);
    r = ra_rpc_client_call(c, ctx, 4, NULL, NULL, 0, &error);
    g_assert_no_error(error);
    memset(want, 0, 16);
    g_assert_cmpmem(g_bytes_get_data(r, NULL), g_bytes_get_size(r), want, 16);
    g_bytes_unref(r);
    g_free(stub);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static void test_bind_features_and_groups(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    RaRpcClient *a = connect_to(ts);
    ra_rpc_client_set_bind_features(a, RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING |
                                           RA_BTFN_KEEP_CONNECTION_ON_ORPHAN | 0x80);
    RaRpcAuth auth = auth_at(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx = bind_or_die(a, &test_iface_syntax, &auth);
    /* The server answers the bits it shares, not the unknown 0x80. */
    g_assert_cmphex(ra_rpc_client_get_bind_features(a), ==,
                    RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING | RA_BTFN_KEEP_CONNECTION_ON_ORPHAN);
    GBytes *r = call_ok(a, ctx, 0, "y", 1);
    g_bytes_unref(r);
    guint32 group = ra_rpc_client_get_assoc_group(a);
    g_assert_cmpuint(group, !=, 0);

    /* A second connection joins the group; a made-up group is refused. */
    RaRpcClient *b = connect_to(ts);
    ra_rpc_client_set_assoc_group(b, group);
    bind_or_die(b, &test_iface_syntax, &auth);
    g_assert_cmpuint(ra_rpc_client_get_assoc_group(b), ==, group);
    RaRpcClient *bad = connect_to(ts);
    ra_rpc_client_set_assoc_group(bad, group + 12345);
    GError *error = NULL;
    guint16 ctx2;
    g_assert_false(ra_rpc_client_bind(bad, &test_iface_syntax, &auth, &ctx2, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    ra_rpc_client_free(bad);
    /* The group lives while a member does. */
    ra_rpc_client_free(a);
    RaRpcClient *c = connect_to(ts);
    ra_rpc_client_set_assoc_group(c, group);
    bind_or_die(c, &test_iface_syntax, &auth);
    ra_rpc_client_free(b);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static void test_ipv6(void)
{
    GError *error = NULL;
    GSocket *probe =
        g_socket_new(G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV6);
    GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
    gboolean have_v6 = probe != NULL && g_socket_bind(probe, sa, TRUE, NULL);
    g_clear_error(&error);
    g_clear_object(&probe);
    g_object_unref(sa);
    g_object_unref(lo);
    if (!have_v6) {
        g_test_skip("no IPv6 loopback");
        return;
    }
    TestServer *ts = test_server_start_full("::1", RA_AUTH_LEVEL_PKT_PRIVACY, NULL, 0);
    RaRpcClient *c = ra_rpc_client_connect("::1", ts->port, 10000, &error);
    g_assert_no_error(error);
    RaRpcAuth auth = auth_at(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx = bind_or_die(c, &ra_oxid_syntax, &auth);
    GBytes *r = call_ok(c, ctx, 5, NULL, 0);
    gchar *want = g_strdup_printf("::1[%u]", ts->port);
    g_assert_true(dsa_has_binding(r, want));
    g_free(want);
    g_bytes_unref(r);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

/* The acceptance calls - ServerAlive2 and ept_map - at every level, against the default
 * minimum (privacy): both are callable without authentication, and with it at any level. */
static void test_acceptance_calls_every_level(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    gchar *binding = g_strdup_printf("127.0.0.1[%u]", ts->port);
    static const guint8 any[4] = {0};
    GBytes *tower = ra_epm_tower_build_tcp(&ra_oxid_syntax, &ra_syntax_ndr20, 0, any);
    gsize tlen;
    const guint8 *t = g_bytes_get_data(tower, &tlen);
    RaNdrPush *p = ra_ndr_push_new();
    RaUuid nil = {0};
    ra_ndr_push_ptr(p, &nil);
    ra_ndr_push_uuid(p, &nil);
    ra_ndr_push_ptr(p, t);
    ra_ndr_push_array_size(p, (guint32)tlen);
    ra_ndr_push_u32(p, (guint32)tlen);
    ra_ndr_push_bytes(p, t, tlen);
    ra_ndr_push_align(p, 4);
    ra_ndr_push_u32(p, 0);
    ra_ndr_push_uuid(p, &nil);
    ra_ndr_push_u32(p, 1);
    GBytes *map = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        RaRpcClient *c = connect_to(ts);
        RaRpcAuth auth = auth_at(levels[i]);
        guint16 oxid = bind_or_die(c, &ra_oxid_syntax, &auth);
        guint16 epm = bind_or_die(c, &ra_epm_syntax, &auth);
        GBytes *r = call_ok(c, oxid, 5, NULL, 0);
        g_assert_true(dsa_has_binding(r, binding));
        g_bytes_unref(r);
        r = call_ok(c, epm, 3, g_bytes_get_data(map, NULL), g_bytes_get_size(map));
        /* ept_map's answer: handle (20), num_towers (4), ...; status last. */
        gsize n;
        const guint8 *d = g_bytes_get_data(r, &n);
        g_assert_cmpuint(d[20], ==, 1);
        g_assert_cmpuint(d[n - 4] | d[n - 3] | d[n - 2] | d[n - 1], ==, 0);
        g_bytes_unref(r);
        ra_rpc_client_free(c);
    }
    g_bytes_unref(map);
    g_bytes_unref(tower);
    g_free(binding);
    test_server_stop(ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc-client/every-level", test_every_level);
    g_test_add_func("/rpc-client/minimum-level", test_minimum_level);
    g_test_add_func("/rpc-client/fragmentation", test_fragmentation);
    g_test_add_func("/rpc-client/alter-context", test_alter_context);
    g_test_add_func("/rpc-client/helper-identity", test_helper_identity);
    g_test_add_func("/rpc-client/nt-hash", test_nt_hash_credentials);
    g_test_add_func("/rpc-client/wrong-password", test_wrong_password);
    g_test_add_func("/rpc-client/faults", test_faults);
    g_test_add_func("/rpc-client/object-uuid", test_object_uuid);
    g_test_add_func("/rpc-client/features-and-groups", test_bind_features_and_groups);
    g_test_add_func("/rpc-client/ipv6", test_ipv6);
    g_test_add_func("/rpc-client/acceptance-calls-every-level", test_acceptance_calls_every_level);
    return g_test_run();
}
