/*
 * OXID resolver: DUALSTRINGARRAY as literal bytes and its parsing rules, and IObjectExporter
 * through our client and server: ServerAlive/ServerAlive2 unauthenticated, ResolveOxid/2 at
 * privacy (known and unknown OXIDs), ping sets (SimplePing, ComplexPing) and their expiry.
 */
#include "rpc-test-server.h"

#include "ra/error.h"
#include "ra/bytes.h"
#include "ra/ndr.h"
#include "ra/oxid.h"
#include "ra/rpc-client.h"

#include <string.h>

/* "127.0.0.1[135]" over ncacn_ip_tcp, NTLM without SPN ([MS-DCOM] 2.2.19.1), one field a line. */
static const guint8 dsa_127_135[] = {
    0x15, 0x00,                                 /* wNumEntries 21 */
    0x11, 0x00,                                 /* wSecurityOffset 17 */
    0x07, 0x00,                                 /* wTowerId ncacn_ip_tcp */
    '1',  0,    '2', 0, '7', 0, '.', 0, '0', 0, /* aNetworkAddr */
    '.',  0,    '0', 0, '.', 0, '1', 0, '[', 0, /*   "127.0.0.1[135]" */
    '1',  0,    '3', 0, '5', 0, ']', 0, 0,   0, /*   and its NUL */
    0x00, 0x00,                                 /* end of string bindings */
    0x0a, 0x00,                                 /* wAuthnSvc NTLM */
    0xff, 0xff,                                 /* Reserved */
    0x00, 0x00,                                 /* aPrincName "" */
    0x00, 0x00,                                 /* end of security bindings */
};

static void test_dsa_bytes(void)
{
    gchar addr[] = "127.0.0.1[135]", spn[] = "";
    RaStringBinding sb = {RA_TOWERID_NCACN_IP_TCP, addr};
    RaSecurityBinding sec = {RA_AUTH_TYPE_WINNT, spn};
    RaDualStringArray dsa = {1, &sb, 1, &sec};
    GError *error = NULL;
    GBytes *b = ra_dsa_build(&dsa, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), dsa_127_135,
                    sizeof dsa_127_135);
    g_bytes_unref(b);

    RaArena *arena = ra_arena_new();
    RaDualStringArray got;
    g_assert_true(ra_dsa_parse(dsa_127_135 + 4, 21, 17, arena, &got, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(got.n_strings, ==, 1);
    g_assert_cmpuint(got.strings[0].tower_id, ==, 7);
    g_assert_cmpstr(got.strings[0].address, ==, "127.0.0.1[135]");
    g_assert_cmpuint(got.n_security, ==, 1);
    g_assert_cmpuint(got.security[0].authn_svc, ==, 10);
    g_assert_cmpstr(got.security[0].principal, ==, "");
    ra_arena_free(arena);
}

static void test_dsa_round_trip(void)
{
    gchar a1[] = "NOVICE", a2[] = "192.0.2.7[49152]", a3[] = "fe80::1%3[135]", p1[] = "",
          p2[] = "host/novice.contoso.com", p3[] = "Kérberos ünïcode";
    RaStringBinding sb[] = {{7, a1}, {7, a2}, {7, a3}};
    RaSecurityBinding sec[] = {{10, p1}, {16, p2}, {9, p3}};
    RaDualStringArray dsa = {3, sb, 3, sec};
    GBytes *b = ra_dsa_build(&dsa, NULL);
    const guint8 *d = g_bytes_get_data(b, NULL);
    RaArena *arena = ra_arena_new();
    RaDualStringArray got;
    GError *error = NULL;
    g_assert_true(ra_dsa_parse(d + 4, d[0] | d[1] << 8, d[2] | d[3] << 8, arena, &got, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(got.n_strings, ==, 3);
    g_assert_cmpuint(got.n_security, ==, 3);
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpstr(got.strings[i].address, ==, sb[i].address);
        g_assert_cmpstr(got.security[i].principal, ==, sec[i].principal);
        g_assert_cmpuint(got.security[i].authn_svc, ==, sec[i].authn_svc);
    }
    g_bytes_unref(b);

    /* Empty lists: the smallest array is four zeros, security offset 2. */
    RaDualStringArray empty = {0, NULL, 0, NULL};
    b = ra_dsa_build(&empty, NULL);
    static const guint8 smallest[] = {4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), smallest, sizeof smallest);
    g_assert_true(ra_dsa_parse(smallest + 4, 4, 2, arena, &got, &error));
    g_assert_cmpuint(got.n_strings + got.n_security, ==, 0);
    g_bytes_unref(b);
    ra_arena_free(arena);
}

static void expect_bad_dsa(const guint8 *units, guint16 n, guint16 secoff, const char *why)
{
    RaArena *arena = ra_arena_new();
    RaDualStringArray got;
    GError *error = NULL;
    if (ra_dsa_parse(units, n, secoff, arena, &got, &error))
        g_error("DUALSTRINGARRAY accepted: %s", why);
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_error_free(error);
    ra_arena_free(arena);
}

static void test_dsa_errors(void)
{
    const guint8 *u = dsa_127_135 + 4;
    expect_bad_dsa(u, 21, 16, "security offset one early");
    expect_bad_dsa(u, 21, 18, "security offset one late");
    expect_bad_dsa(u, 21, 0, "security offset 0");
    expect_bad_dsa(u, 21, 21, "security offset at the end");
    expect_bad_dsa(u, 20, 17, "no security terminator");
    expect_bad_dsa(u, 3, 2, "too short");
    guint8 t[sizeof dsa_127_135];
    memcpy(t, dsa_127_135, sizeof t);
    t[4 + 2 * 15] = 'x'; /* the address's NUL overwritten */
    expect_bad_dsa(t + 4, 21, 17, "unterminated address");
    memcpy(t, dsa_127_135, sizeof t);
    t[4 + 2 * 3] = 0x00;
    t[4 + 2 * 3 + 1] = 0xd8; /* a lone high surrogate */
    expect_bad_dsa(t + 4, 21, 17, "invalid UTF-16");
    /* Junk after the last terminator is refused; zero padding is accepted. */
    guint8 longer[sizeof dsa_127_135 + 4];
    memcpy(longer, dsa_127_135, sizeof dsa_127_135);
    memset(longer + sizeof dsa_127_135, 0, 4);
    RaArena *arena = ra_arena_new();
    RaDualStringArray got;
    g_assert_true(ra_dsa_parse(longer + 4, 23, 17, arena, &got, NULL));
    ra_arena_free(arena);
    longer[sizeof longer - 2] = 1;
    expect_bad_dsa(longer + 4, 23, 17, "junk after the end");
}

/* ---- the service ---- */

static RaRpcClient *bound(TestServer *ts, guint8 level, guint16 *ctx)
{
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    RaRpcAuth auth = {level, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, NULL};
    g_assert_true(ra_rpc_client_bind(c, &ra_oxid_syntax, &auth, ctx, &error));
    g_assert_no_error(error);
    return c;
}

static GBytes *call(RaRpcClient *c, guint16 ctx, guint16 opnum, GBytes *req, guint32 *fault)
{
    GError *error = NULL;
    GBytes *r = ra_rpc_client_call(c, ctx, opnum, NULL, req ? g_bytes_get_data(req, NULL) : NULL,
                                   req ? g_bytes_get_size(req) : 0, &error);
    *fault = 0;
    if (r == NULL) {
        g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
        g_error_free(error);
        *fault = ra_rpc_client_last_fault(c);
    }
    return r;
}

static guint32 last_u32(GBytes *b)
{
    gsize n;
    const guint8 *d = g_bytes_get_data(b, &n);
    g_assert_cmpuint(n, >=, 4);
    return ra_le32(d + n - 4);
}

/* Pulls [unique] DUALSTRINGARRAY* and returns its first string binding (arena). */
static const char *pull_bindings(RaNdrPull *in, RaArena *arena)
{
    guint32 ref, max_count;
    guint16 n, secoff;
    const guint8 *units;
    ra_ndr_pull_ptr(in, &ref);
    if (ref == 0)
        return NULL;
    ra_ndr_pull_array_size(in, 2, &max_count);
    ra_ndr_pull_u16(in, &n);
    ra_ndr_pull_u16(in, &secoff);
    g_assert_cmpuint(max_count, ==, n);
    g_assert_true(ra_ndr_pull_bytes_ref(in, 2 * (gsize)n, &units));
    RaDualStringArray dsa;
    GError *error = NULL;
    g_assert_true(ra_dsa_parse(units, n, secoff, arena, &dsa, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(dsa.n_strings, >=, 1);
    return dsa.strings[0].address;
}

static void test_server_alive(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx;
    RaRpcClient *c = bound(ts, RA_AUTH_LEVEL_NONE, &ctx);
    guint32 fault;
    GBytes *r = call(c, ctx, 3, NULL, &fault); /* ServerAlive */
    g_assert_nonnull(r);
    g_assert_cmpuint(g_bytes_get_size(r), ==, 4);
    g_assert_cmpuint(last_u32(r), ==, 0);
    g_bytes_unref(r);
    r = call(c, ctx, 5, NULL, &fault); /* ServerAlive2 */
    g_assert_nonnull(r);
    RaArena *arena = ra_arena_new();
    RaNdrPull *in = ra_ndr_pull_new(g_bytes_get_data(r, NULL), g_bytes_get_size(r), arena);
    guint16 major, minor;
    guint32 reserved, status;
    ra_ndr_pull_u16(in, &major);
    ra_ndr_pull_u16(in, &minor);
    const char *binding = pull_bindings(in, arena);
    ra_ndr_pull_u32(in, &reserved);
    ra_ndr_pull_u32(in, &status);
    GError *error = NULL;
    g_assert_true(ra_ndr_pull_finish(in, &error));
    g_assert_cmpuint(major, ==, 5);
    g_assert_cmpuint(minor, ==, 7);
    gchar *want = g_strdup_printf("127.0.0.1[%u]", ts->port);
    g_assert_cmpstr(binding, ==, want);
    g_assert_cmpuint(status, ==, 0);
    g_free(want);
    ra_ndr_pull_free(in);
    ra_arena_free(arena);
    g_bytes_unref(r);
    /* Unauthenticated, the resolver's other operations are refused. */
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, TEST_OXID);
    ra_ndr_push_u16(p, 0);
    ra_ndr_push_array_size(p, 0);
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    g_assert_null(call(c, ctx, 4, req, &fault));
    g_assert_cmphex(fault, ==, RA_NCA_S_FAULT_ACCESS_DENIED);
    g_bytes_unref(req);
    /* Opnum 6 does not exist. */
    g_assert_null(call(c, ctx, 6, NULL, &fault));
    g_assert_cmphex(fault, ==, RA_NCA_OP_RNG_ERROR);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static GBytes *resolve_request(guint64 oxid, const guint16 *protseqs, guint16 n)
{
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, oxid);
    ra_ndr_push_u16(p, n);
    ra_ndr_push_array_size(p, n);
    ra_ndr_push_u16_array(p, protseqs, n);
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    return req;
}

static void test_resolve(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx;
    RaRpcClient *c = bound(ts, RA_AUTH_LEVEL_PKT_PRIVACY, &ctx);
    static const guint16 tcp_udp[] = {8, 7}, udp[] = {8};
    gchar *want = g_strdup_printf("127.0.0.1[%u]", ts->port);
    for (int v2 = 0; v2 < 2; v2++) {
        GBytes *req = resolve_request(TEST_OXID, tcp_udp, 2);
        guint32 fault;
        GBytes *r = call(c, ctx, v2 ? 4 : 0, req, &fault);
        g_assert_nonnull(r);
        RaArena *arena = ra_arena_new();
        RaNdrPull *in = ra_ndr_pull_new(g_bytes_get_data(r, NULL), g_bytes_get_size(r), arena);
        const char *binding = pull_bindings(in, arena);
        RaUuid ipid;
        guint32 hint, status;
        ra_ndr_pull_uuid(in, &ipid);
        ra_ndr_pull_u32(in, &hint);
        if (v2) {
            guint16 major, minor;
            ra_ndr_pull_u16(in, &major);
            ra_ndr_pull_u16(in, &minor);
            g_assert_cmpuint(major, ==, 5);
            g_assert_cmpuint(minor, ==, 7);
        }
        ra_ndr_pull_u32(in, &status);
        g_assert_true(ra_ndr_pull_finish(in, NULL));
        g_assert_cmpstr(binding, ==, want);
        g_assert_true(ra_uuid_equal(&ipid, &ts->rem_unknown));
        g_assert_cmpuint(hint, ==, RA_AUTH_LEVEL_PKT_PRIVACY);
        g_assert_cmpuint(status, ==, 0);
        ra_ndr_pull_free(in);
        ra_arena_free(arena);
        g_bytes_unref(r);
        g_bytes_unref(req);

        /* Unknown OXID, or no protocol sequence we serve: OR_INVALID_OXID, NULL bindings. */
        GBytes *bad[] = {resolve_request(TEST_OXID + 1, tcp_udp, 2),
                         resolve_request(TEST_OXID, udp, 1)};
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
            r = call(c, ctx, v2 ? 4 : 0, bad[i], &fault);
            g_assert_nonnull(r);
            g_assert_cmphex(last_u32(r), ==, RA_OR_INVALID_OXID);
            g_assert_cmpuint(((const guint8 *)g_bytes_get_data(r, NULL))[0], ==, 0);
            g_bytes_unref(r);
            g_bytes_unref(bad[i]);
        }
    }
    /* A count that disagrees with the array's conformance is bad stub data. */
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, TEST_OXID);
    ra_ndr_push_u16(p, 3);
    ra_ndr_push_array_size(p, 1);
    ra_ndr_push_u16(p, 7);
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    guint32 fault;
    g_assert_null(call(c, ctx, 4, req, &fault));
    g_assert_cmphex(fault, ==, RA_NCA_S_FAULT_NDR);
    g_bytes_unref(req);
    g_free(want);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static GBytes *complex_ping(guint64 setid, guint16 seq, const guint64 *add, guint16 n_add,
                            const guint64 *del, guint16 n_del)
{
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, setid);
    ra_ndr_push_u16(p, seq);
    ra_ndr_push_u16(p, n_add);
    ra_ndr_push_u16(p, n_del);
    ra_ndr_push_ptr(p, n_add ? add : NULL);
    if (n_add) {
        ra_ndr_push_array_size(p, n_add);
        for (guint i = 0; i < n_add; i++)
            ra_ndr_push_u64(p, add[i]);
    }
    ra_ndr_push_ptr(p, n_del ? del : NULL);
    if (n_del) {
        ra_ndr_push_array_size(p, n_del);
        for (guint i = 0; i < n_del; i++)
            ra_ndr_push_u64(p, del[i]);
    }
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    return req;
}

static guint64 complex_ping_call(RaRpcClient *c, guint16 ctx, guint64 setid, guint16 seq,
                                 const guint64 *add, guint16 n_add, const guint64 *del,
                                 guint16 n_del, guint32 *status)
{
    GBytes *req = complex_ping(setid, seq, add, n_add, del, n_del);
    guint32 fault;
    GBytes *r = call(c, ctx, 2, req, &fault);
    g_assert_nonnull(r);
    g_assert_cmpuint(g_bytes_get_size(r), ==, 16);
    const guint8 *d = g_bytes_get_data(r, NULL);
    guint64 out;
    memcpy(&out, d, 8);
    *status = last_u32(r);
    g_bytes_unref(r);
    g_bytes_unref(req);
    return GUINT64_FROM_LE(out);
}

static guint32 simple_ping(RaRpcClient *c, guint16 ctx, guint64 setid)
{
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, setid);
    GBytes *req = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    guint32 fault;
    GBytes *r = call(c, ctx, 1, req, &fault);
    g_assert_nonnull(r);
    guint32 status = last_u32(r);
    g_bytes_unref(r);
    g_bytes_unref(req);
    return status;
}

typedef struct {
    TestServer *ts;
    guint64 oids[4];
    gboolean present[4];
} OidData;

static gboolean add_oids(gpointer data)
{
    OidData *d = data;
    for (int i = 0; i < 4; i++)
        g_assert_true(ra_oxid_add_oid(d->ts->oxid, TEST_OXID, d->oids[i]));
    return G_SOURCE_REMOVE;
}

static gboolean check_oids(gpointer data)
{
    OidData *d = data;
    for (int i = 0; i < 4; i++)
        d->present[i] = ra_oxid_has_oid(d->ts->oxid, d->oids[i]);
    return G_SOURCE_REMOVE;
}

static void test_pings(void)
{
    /* A short ping period so that expiry happens within the test: 3 x 200 ms, with margins
     * of a few hundred milliseconds either way for a loaded machine. */
    TestServer *ts = test_server_start_full(NULL, RA_AUTH_LEVEL_PKT_PRIVACY, NULL, 200);
    OidData d = {ts, {0x1001, 0x1002, 0x1003, 0x1004}, {0}};
    test_server_run(ts, add_oids, &d);
    guint16 ctx;
    RaRpcClient *c = bound(ts, RA_AUTH_LEVEL_PKT_PRIVACY, &ctx);
    guint32 status;
    /* A new set with OIDs 1 and 2. */
    guint64 setid = complex_ping_call(c, ctx, 0, 1, d.oids, 2, NULL, 0, &status);
    g_assert_cmpuint(status, ==, 0);
    g_assert_cmpuint(setid, !=, 0);
    /* An unknown OID: OR_INVALID_OID, nothing changes. */
    guint64 bogus[] = {0x1003, 0xdead};
    g_assert_cmpuint(complex_ping_call(c, ctx, setid, 2, bogus, 2, NULL, 0, &status), ==, setid);
    g_assert_cmphex(status, ==, RA_OR_INVALID_OID);
    /* Unknown sets. */
    g_assert_cmphex(simple_ping(c, ctx, setid + 1), ==, RA_OR_INVALID_SET);
    complex_ping_call(c, ctx, setid + 1, 1, NULL, 0, NULL, 0, &status);
    g_assert_cmphex(status, ==, RA_OR_INVALID_SET);
    /* Remove OID 2 (seq 2): it stays registered until it expires unpinged. */
    complex_ping_call(c, ctx, setid, 2, NULL, 0, d.oids + 1, 1, &status);
    g_assert_cmpuint(status, ==, 0);
    /* Keep pinging the set for 1.5 s: OID 1 lives; 2 (left the set), 3 and 4 (never in one)
     * expire after 600 ms without pings. */
    for (int i = 0; i < 30; i++) {
        g_assert_cmpuint(simple_ping(c, ctx, setid), ==, 0);
        g_usleep(50000);
    }
    test_server_run(ts, check_oids, &d);
    g_assert_true(d.present[0]);
    g_assert_false(d.present[1]);
    g_assert_false(d.present[2]);
    g_assert_false(d.present[3]);
    g_assert_cmpint(g_atomic_int_get(&ts->expired), ==, 3);
    /* Stop pinging: the set and OID 1 go too. */
    g_usleep(1500000);
    test_server_run(ts, check_oids, &d);
    g_assert_false(d.present[0]);
    g_assert_cmpint(g_atomic_int_get(&ts->expired), ==, 4);
    g_assert_cmphex(simple_ping(c, ctx, setid), ==, RA_OR_INVALID_SET);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/oxid/dsa-bytes", test_dsa_bytes);
    g_test_add_func("/oxid/dsa-round-trip", test_dsa_round_trip);
    g_test_add_func("/oxid/dsa-errors", test_dsa_errors);
    g_test_add_func("/oxid/server-alive", test_server_alive);
    g_test_add_func("/oxid/resolve", test_resolve);
    g_test_add_func("/oxid/pings", test_pings);
    return g_test_run();
}
