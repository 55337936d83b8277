/*
 * Endpoint mapper: tower encoding as literal bytes, tower parsing and its errors, and ept_map /
 * ept_lookup (with paging) / the refused operations through our client and server.
 */
#include "rpc-test-server.h"

#include "ra/epm.h"
#include "ra/error.h"
#include "ra/ndr.h"
#include "ra/rpc-client.h"

#include <string.h>

/* The tower of IObjectExporter v0.0 over NDR 2.0 at ncacn_ip_tcp 127.0.0.1[135], one floor a
 * line: LHS length, protocol id and data, RHS length and data ([C706] appendix L). */
static const guint8 oxid_tower_135[] = {
    0x05, 0x00,                                           /* 5 floors */
    0x13, 0x00, 0x0d,                                     /* 1: 19 bytes, UUID */
    0xc4, 0xfe, 0xfc, 0x99, 0x60, 0x52, 0x1b, 0x10,       /*    99fcfec4-5260-101b */
    0xbb, 0xcb, 0x00, 0xaa, 0x00, 0x21, 0x34, 0x7a,       /*    -bbcb-00aa0021347a */
    0x00, 0x00, 0x02, 0x00, 0x00, 0x00,                   /*    v0 | minor 0 */
    0x13, 0x00, 0x0d,                                     /* 2: 19 bytes, UUID */
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,       /*    8a885d04-1ceb-11c9 */
    0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,       /*    -9fe8-08002b104860 */
    0x02, 0x00, 0x02, 0x00, 0x00, 0x00,                   /*    v2 | minor 0 */
    0x01, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00,             /* 3: RPC CO | minor 0 */
    0x01, 0x00, 0x07, 0x02, 0x00, 0x00, 0x87,             /* 4: TCP | port 135 */
    0x01, 0x00, 0x09, 0x04, 0x00, 0x7f, 0x00, 0x00, 0x01, /* 5: IP | 127.0.0.1 */
};

static void test_tower_bytes(void)
{
    static const guint8 lo[4] = {127, 0, 0, 1};
    GBytes *t = ra_epm_tower_build_tcp(&ra_oxid_syntax, &ra_syntax_ndr20, 135, lo);
    g_assert_cmpmem(g_bytes_get_data(t, NULL), g_bytes_get_size(t), oxid_tower_135,
                    sizeof oxid_tower_135);
    g_bytes_unref(t);

    RaArena *arena = ra_arena_new();
    RaEpmTower tower;
    GError *error = NULL;
    g_assert_true(ra_epm_tower_parse(oxid_tower_135, sizeof oxid_tower_135, arena, &tower, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(tower.n_floors, ==, 5);
    g_assert_true(ra_syntax_id_equal(&tower.iface, &ra_oxid_syntax));
    g_assert_true(ra_syntax_id_equal(&tower.transfer, &ra_syntax_ndr20));
    g_assert_cmpuint(tower.rpc_protocol, ==, RA_EPM_PROT_NCACN);
    g_assert_cmpuint(tower.transport, ==, RA_EPM_PROT_TCP);
    g_assert_cmpuint(tower.port, ==, 135);
    g_assert_cmpuint(tower.host_protocol, ==, RA_EPM_PROT_IP);
    g_assert_cmpmem(tower.ipv4, 4, lo, 4);
    gchar *s = ra_epm_tower_to_string(&tower);
    g_assert_cmpstr(s, ==, "ncacn_ip_tcp:127.0.0.1[135]");
    g_free(s);
    ra_arena_free(arena);
}

static void test_tower_named_pipe(void)
{
    /* ncacn_np: floor 4 a pipe name, floor 5 a NetBIOS host, both NUL-terminated. */
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, oxid_tower_135, 2 + 25 + 25 + 7);
    static const guint8 pipe[] = {0x01, 0x00, 0x0f, 0x0d, 0x00, '\\', 'p', 'i', 'p',
                                  'e',  '\\', 'e',  'p',  'm',  'a',  'p', 'p', 0};
    static const guint8 host[] = {0x01, 0x00, 0x11, 0x07, 0x00, 'N', 'O', 'V', 'I', 'C', 'E', 0};
    g_byte_array_append(b, pipe, sizeof pipe);
    g_byte_array_append(b, host, sizeof host);
    RaArena *arena = ra_arena_new();
    RaEpmTower tower;
    GError *error = NULL;
    g_assert_true(ra_epm_tower_parse(b->data, b->len, arena, &tower, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(tower.endpoint, ==, "\\pipe\\epmapp");
    g_assert_cmpstr(tower.host, ==, "NOVICE");
    gchar *s = ra_epm_tower_to_string(&tower);
    g_assert_cmpstr(s, ==, "ncacn_np:NOVICE[\\pipe\\epmapp]");
    g_free(s);
    /* The name without its NUL is refused. */
    b->data[b->len - 1] = 'X';
    g_assert_false(ra_epm_tower_parse(b->data, b->len, arena, &tower, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    ra_arena_free(arena);
    g_byte_array_unref(b);
}

static void expect_bad_tower(const guint8 *data, gsize len, const char *why)
{
    RaArena *arena = ra_arena_new();
    RaEpmTower tower;
    GError *error = NULL;
    gboolean ok = ra_epm_tower_parse(data, len, arena, &tower, &error);
    if (ok)
        g_error("tower accepted: %s", why);
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_error_free(error);
    ra_arena_free(arena);
}

static void test_tower_errors(void)
{
    /* Every truncation of a good tower is refused. */
    for (gsize n = 0; n < sizeof oxid_tower_135; n++)
        expect_bad_tower(oxid_tower_135, n, "truncated");
    guint8 t[sizeof oxid_tower_135 + 1];
    memcpy(t, oxid_tower_135, sizeof oxid_tower_135);
    t[sizeof oxid_tower_135] = 0;
    expect_bad_tower(t, sizeof t, "trailing byte");
    memcpy(t, oxid_tower_135, sizeof oxid_tower_135);
    t[0] = 2;
    expect_bad_tower(t, sizeof oxid_tower_135, "2 floors");
    t[0] = 17;
    expect_bad_tower(t, sizeof oxid_tower_135, "17 floors");
    memcpy(t, oxid_tower_135, sizeof oxid_tower_135);
    t[4] = 0x0c; /* floor 1 is not a UUID floor */
    expect_bad_tower(t, sizeof oxid_tower_135, "floor 1 protocol");
    memcpy(t, oxid_tower_135, sizeof oxid_tower_135);
    t[2] = 0xff; /* floor 1 LHS length past the end */
    expect_bad_tower(t, sizeof oxid_tower_135, "LHS length");
    memcpy(t, oxid_tower_135, sizeof oxid_tower_135);
    t[2 + 25 + 25 + 7 + 3] = 3; /* port RHS of 3 bytes */
    expect_bad_tower(t, sizeof oxid_tower_135, "port length");
}

/* ---- the service ---- */

static RaRpcClient *bound_client(TestServer *ts, guint16 *ctx)
{
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    g_assert_true(ra_rpc_client_bind(c, &ra_epm_syntax, NULL, ctx, &error));
    g_assert_no_error(error);
    return c;
}

/* ept_map request: [ptr] object, [ptr] tower, entry handle, max_towers. */
static GBytes *map_request(GBytes *tower, guint32 max_towers)
{
    RaNdrPush *ndr = ra_ndr_push_new();
    RaUuid nil = {0};
    ra_ndr_push_ptr(ndr, &nil);
    ra_ndr_push_uuid(ndr, &nil);
    gsize n;
    const guint8 *d = g_bytes_get_data(tower, &n);
    ra_ndr_push_ptr(ndr, d);
    ra_ndr_push_array_size(ndr, (guint32)n);
    ra_ndr_push_u32(ndr, (guint32)n);
    ra_ndr_push_bytes(ndr, d, n);
    ra_ndr_push_align(ndr, 4);
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_uuid(ndr, &nil);
    ra_ndr_push_u32(ndr, max_towers);
    GBytes *b = ra_ndr_push_finish(ndr, NULL);
    ra_ndr_push_free(ndr);
    return b;
}

/* Parses an ept_map response; returns the towers' strings (NULL-terminated) and the status. */
static gchar **parse_map_response(GBytes *resp, guint32 *status)
{
    RaArena *arena = ra_arena_new();
    RaNdrPull *ndr = ra_ndr_pull_new(g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), arena);
    guint32 attr, num, max_count, offset, actual;
    RaUuid handle;
    ra_ndr_pull_u32(ndr, &attr);
    ra_ndr_pull_uuid(ndr, &handle);
    ra_ndr_pull_u32(ndr, &num);
    ra_ndr_pull_array_size(ndr, 0, &max_count);
    ra_ndr_pull_array_length(ndr, max_count, 4, &offset, &actual);
    g_assert_cmpuint(actual, ==, num);
    for (guint32 i = 0; i < num; i++) {
        guint32 ref;
        ra_ndr_pull_ptr(ndr, &ref);
        g_assert_cmpuint(ref, !=, 0);
    }
    GPtrArray *out = g_ptr_array_new();
    for (guint32 i = 0; i < num; i++) {
        guint32 mc, len;
        const guint8 *bytes;
        ra_ndr_pull_array_size(ndr, 1, &mc);
        ra_ndr_pull_u32(ndr, &len);
        g_assert_cmpuint(mc, ==, len);
        g_assert_true(ra_ndr_pull_bytes_ref(ndr, len, &bytes));
        RaEpmTower t;
        g_assert_true(ra_epm_tower_parse(bytes, len, arena, &t, NULL));
        g_ptr_array_add(out, ra_epm_tower_to_string(&t));
    }
    ra_ndr_pull_u32(ndr, status);
    GError *error = NULL;
    g_assert_true(ra_ndr_pull_finish(ndr, &error));
    g_assert_no_error(error);
    ra_ndr_pull_free(ndr);
    ra_arena_free(arena);
    g_ptr_array_add(out, NULL);
    return (gchar **)g_ptr_array_free(out, FALSE);
}

static gchar **ept_map(RaRpcClient *c, guint16 ctx, const RaSyntaxId *iface, guint8 transport,
                       guint32 max_towers, guint32 *status)
{
    static const guint8 any[4] = {0, 0, 0, 0};
    GBytes *tower = ra_epm_tower_build_tcp(iface, &ra_syntax_ndr20, 0, any);
    if (transport != RA_EPM_PROT_TCP) {
        /* Same tower with another transport id in floor 4. */
        GByteArray *b = g_bytes_unref_to_array(tower);
        b->data[2 + 25 + 25 + 7 + 2] = transport;
        tower = g_byte_array_free_to_bytes(b);
    }
    GBytes *req = map_request(tower, max_towers);
    GError *error = NULL;
    GBytes *resp = ra_rpc_client_call(c, ctx, 3, NULL, g_bytes_get_data(req, NULL),
                                      g_bytes_get_size(req), &error);
    g_assert_no_error(error);
    gchar **towers = parse_map_response(resp, status);
    g_bytes_unref(resp);
    g_bytes_unref(req);
    g_bytes_unref(tower);
    return towers;
}

static void test_ept_map(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    guint16 ctx;
    RaRpcClient *c = bound_client(ts, &ctx);
    guint32 status = 1;
    gchar **towers = ept_map(c, ctx, &ra_oxid_syntax, RA_EPM_PROT_TCP, 4, &status);
    gchar *want = g_strdup_printf("ncacn_ip_tcp:127.0.0.1[%u]", ts->port);
    g_assert_cmpuint(status, ==, 0);
    g_assert_cmpuint(g_strv_length(towers), ==, 1);
    g_assert_cmpstr(towers[0], ==, want);
    g_strfreev(towers);
    /* An older minor version than registered matches; the test interface is v1.2. */
    RaSyntaxId v = test_iface_syntax;
    v.if_version_minor = 0;
    towers = ept_map(c, ctx, &v, RA_EPM_PROT_TCP, 4, &status);
    g_assert_cmpuint(status, ==, 0);
    g_assert_cmpstr(towers[0], ==, want);
    g_strfreev(towers);
    /* Not registered: an unknown interface, a newer version, another transport, no room. */
    RaSyntaxId unknown = ra_oxid_syntax;
    unknown.uuid.node[5] ^= 0xff;
    RaSyntaxId newer = test_iface_syntax;
    newer.if_version_minor = 3;
    const RaSyntaxId *ifaces[] = {&unknown, &newer, &ra_oxid_syntax, &ra_oxid_syntax};
    guint8 transports[] = {RA_EPM_PROT_TCP, RA_EPM_PROT_TCP, RA_EPM_PROT_HTTP, RA_EPM_PROT_TCP};
    guint32 max[] = {4, 4, 4, 0};
    for (gsize i = 0; i < G_N_ELEMENTS(ifaces); i++) {
        towers = ept_map(c, ctx, ifaces[i], transports[i], max[i], &status);
        g_assert_cmphex(status, ==, RA_EPT_S_NOT_REGISTERED);
        g_assert_cmpuint(g_strv_length(towers), ==, 0);
        g_strfreev(towers);
    }
    /* A request that is not NDR gets a fault, and the association stays. */
    GError *error = NULL;
    static const guint8 junk[] = {1, 2, 3};
    g_assert_null(ra_rpc_client_call(c, ctx, 3, NULL, junk, sizeof junk, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_clear_error(&error);
    g_assert_cmphex(ra_rpc_client_last_fault(c), ==, RA_NCA_S_FAULT_NDR);
    towers = ept_map(c, ctx, &ra_oxid_syntax, RA_EPM_PROT_TCP, 1, &status);
    g_assert_cmpstr(towers[0], ==, want);
    g_strfreev(towers);
    g_free(want);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

static gboolean add_entries(gpointer data)
{
    TestServer *ts = data;
    for (guint i = 0; i < 5; i++) {
        RaSyntaxId id = test_iface_syntax;
        id.uuid.time_low += i + 1;
        gchar *note = g_strdup_printf("extra %u", i);
        ra_epm_add_endpoint(ts->epm, &id, NULL, (guint16)(1000 + i), note);
        g_free(note);
    }
    return G_SOURCE_REMOVE;
}

typedef struct {
    RaUuid handle;
    guint32 num;
    guint32 status;
    gchar *annotations; /* joined with ',' */
} LookupResult;

static void ept_lookup(RaRpcClient *c, guint16 ctx, guint32 inquiry, const RaSyntaxId *iface,
                       RaUuid *handle, guint32 max_ents, LookupResult *r)
{
    RaNdrPush *ndr = ra_ndr_push_new();
    ra_ndr_push_u32(ndr, inquiry);
    ra_ndr_push_ptr(ndr, NULL); /* object */
    ra_ndr_push_ptr(ndr, iface);
    if (iface != NULL) {
        ra_ndr_push_uuid(ndr, &iface->uuid);
        ra_ndr_push_u16(ndr, iface->if_version_major);
        ra_ndr_push_u16(ndr, iface->if_version_minor);
    }
    ra_ndr_push_u32(ndr, 2); /* vers_option: compatible */
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_uuid(ndr, handle);
    ra_ndr_push_u32(ndr, max_ents);
    GBytes *req = ra_ndr_push_finish(ndr, NULL);
    ra_ndr_push_free(ndr);
    GError *error = NULL;
    GBytes *resp = ra_rpc_client_call(c, ctx, 2, NULL, g_bytes_get_data(req, NULL),
                                      g_bytes_get_size(req), &error);
    g_assert_no_error(error);
    g_bytes_unref(req);

    RaArena *arena = ra_arena_new();
    RaNdrPull *in = ra_ndr_pull_new(g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), arena);
    guint32 attr, max_count, offset, actual;
    ra_ndr_pull_u32(in, &attr);
    ra_ndr_pull_uuid(in, &r->handle);
    ra_ndr_pull_u32(in, &r->num);
    ra_ndr_pull_array_size(in, 0, &max_count);
    g_assert_cmpuint(max_count, ==, max_ents);
    ra_ndr_pull_array_length(in, max_count, 4, &offset, &actual);
    g_assert_cmpuint(actual, ==, r->num);
    GString *notes = g_string_new(NULL);
    for (guint32 i = 0; i < r->num; i++) {
        RaUuid object;
        guint32 ref, noff, ncount;
        ra_ndr_pull_uuid(in, &object);
        ra_ndr_pull_ptr(in, &ref);
        ra_ndr_pull_array_length(in, 64, 1, &noff, &ncount);
        gchar *note = ra_arena_alloc(arena, ncount + 1);
        ra_ndr_pull_bytes(in, (guint8 *)note, ncount);
        g_string_append_printf(notes, "%s%s", i ? "," : "", note);
    }
    for (guint32 i = 0; i < r->num; i++) {
        guint32 mc, len;
        const guint8 *bytes;
        ra_ndr_pull_array_size(in, 1, &mc);
        ra_ndr_pull_u32(in, &len);
        ra_ndr_pull_bytes_ref(in, len, &bytes);
        RaEpmTower t;
        g_assert_true(ra_epm_tower_parse(bytes, len, arena, &t, NULL));
    }
    ra_ndr_pull_u32(in, &r->status);
    g_assert_true(ra_ndr_pull_finish(in, &error));
    g_assert_no_error(error);
    ra_ndr_pull_free(in);
    ra_arena_free(arena);
    g_bytes_unref(resp);
    r->annotations = g_string_free(notes, FALSE);
}

static void test_ept_lookup(void)
{
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    test_server_run(ts, add_entries, ts);
    guint16 ctx;
    RaRpcClient *c = bound_client(ts, &ctx);
    /* All 7 entries, 3 at a time: 3 + 3 + 1, a handle until the last page. */
    RaUuid handle = {0};
    LookupResult r;
    ept_lookup(c, ctx, 0, NULL, &handle, 3, &r);
    g_assert_cmpuint(r.num, ==, 3);
    g_assert_cmpuint(r.status, ==, 0);
    g_assert_cmpstr(r.annotations, ==, "OXID resolver,test interface,extra 0");
    g_assert_false(ra_uuid_is_nil(&r.handle));
    g_free(r.annotations);
    handle = r.handle;
    ept_lookup(c, ctx, 0, NULL, &handle, 3, &r);
    g_assert_cmpuint(r.num, ==, 3);
    g_assert_cmpstr(r.annotations, ==, "extra 1,extra 2,extra 3");
    g_assert_true(ra_uuid_equal(&r.handle, &handle));
    g_free(r.annotations);
    ept_lookup(c, ctx, 0, NULL, &handle, 3, &r);
    g_assert_cmpuint(r.num, ==, 1);
    g_assert_cmpstr(r.annotations, ==, "extra 4");
    g_assert_true(ra_uuid_is_nil(&r.handle));
    g_free(r.annotations);
    /* The finished handle is gone: using it again is refused. */
    GError *error = NULL;
    RaNdrPush *ndr = ra_ndr_push_new();
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_ptr(ndr, NULL);
    ra_ndr_push_ptr(ndr, NULL);
    ra_ndr_push_u32(ndr, 1);
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_uuid(ndr, &handle);
    ra_ndr_push_u32(ndr, 3);
    GBytes *req = ra_ndr_push_finish(ndr, NULL);
    ra_ndr_push_free(ndr);
    g_assert_null(ra_rpc_client_call(c, ctx, 2, NULL, g_bytes_get_data(req, NULL),
                                     g_bytes_get_size(req), &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_clear_error(&error);
    g_bytes_unref(req);
    /* By interface: just the match. */
    RaUuid nil = {0};
    ept_lookup(c, ctx, 1, &ra_oxid_syntax, &nil, 10, &r);
    g_assert_cmpuint(r.num, ==, 1);
    g_assert_cmpstr(r.annotations, ==, "OXID resolver");
    g_free(r.annotations);
    RaSyntaxId unknown = ra_oxid_syntax;
    unknown.uuid.time_mid ^= 1;
    ept_lookup(c, ctx, 1, &unknown, &nil, 10, &r);
    g_assert_cmpuint(r.num, ==, 0);
    g_assert_cmphex(r.status, ==, RA_EPT_S_NOT_REGISTERED);
    g_free(r.annotations);
    /* A handle freed early (opnum 4) cannot be continued. */
    ept_lookup(c, ctx, 0, NULL, &nil, 2, &r);
    g_free(r.annotations);
    ndr = ra_ndr_push_new();
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_uuid(ndr, &r.handle);
    req = ra_ndr_push_finish(ndr, NULL);
    ra_ndr_push_free(ndr);
    GBytes *resp = ra_rpc_client_call(c, ctx, 4, NULL, g_bytes_get_data(req, NULL),
                                      g_bytes_get_size(req), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(resp), ==, 24);
    g_bytes_unref(resp);
    g_bytes_unref(req);
    /* Remote registration is refused with EPT_S_CANT_PERFORM_OP. */
    resp = ra_rpc_client_call(c, ctx, 0, NULL, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(resp), ==, 4);
    g_assert_cmphex(((const guint8 *)g_bytes_get_data(resp, NULL))[0] |
                        ((const guint8 *)g_bytes_get_data(resp, NULL))[1] << 8,
                    ==, RA_EPT_S_CANT_PERFORM_OP);
    g_bytes_unref(resp);
    ra_rpc_client_free(c);
    test_server_stop(ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/epm/tower-bytes", test_tower_bytes);
    g_test_add_func("/epm/tower-named-pipe", test_tower_named_pipe);
    g_test_add_func("/epm/tower-errors", test_tower_errors);
    g_test_add_func("/epm/ept-map", test_ept_map);
    g_test_add_func("/epm/ept-lookup", test_ept_lookup);
    return g_test_run();
}
