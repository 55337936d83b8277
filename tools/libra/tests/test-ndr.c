/*
 * NDR 2.0 runtime: the annotated vectors of testdata/ndr (primitives and strings, pulled,
 * printed, pushed back), and the mechanisms generated code relies on: deferred pointers in the
 * SCALARS/BUFFERS passes, full pointers, conformant and varying arrays, unions, the sticky error,
 * alignment, limits and the print format.
 */
#include "ra/ndr.h"

#include "ndrvec.h"

static void test_vector(gconstpointer data)
{
    guint n;
    const RaNdrType *types = ra_ndr_types(&n);
    ndrvec_run(types, n, data);
}

/* A structure with embedded pointers, as generated code would marshal it:
 *     typedef struct { long id; [string, unique] wchar_t *name; [unique] long *value; } Item;
 *     [size_is(n)] Item items[];  (a conformant array of 2 items)
 * C706 14.3.12.3: the array's conformance, every item's scalars, then every item's deferred
 * referents in order. */
typedef struct {
    guint32 id;
    gchar *name;
    guint32 *value;
} Item;

static gboolean push_item(RaNdrPush *ndr, int flags, const Item *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->id) ||
            !ra_ndr_push_ptr(ndr, r->name) || !ra_ndr_push_ptr(ndr, r->value))
            return FALSE;
    }
    if (flags & RA_NDR_BUFFERS) {
        if (r->name && !ra_ndr_push_wstring(ndr, r->name))
            return FALSE;
        if (r->value && !ra_ndr_push_u32(ndr, *r->value))
            return FALSE;
    }
    return ra_ndr_push_ok(ndr);
}

static gchar pending[1]; /* a non-NULL placeholder between the passes */

static gboolean pull_item(RaNdrPull *ndr, int flags, Item *r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 name_id, value_id;
        if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->id) ||
            !ra_ndr_pull_ptr(ndr, &name_id) || !ra_ndr_pull_ptr(ndr, &value_id))
            return FALSE;
        /* Non-NULL pointers get a placeholder the buffers pass fills. */
        r->name = name_id ? pending : NULL;
        r->value = value_id ? ra_arena_new0(ra_ndr_pull_arena(ndr), guint32) : NULL;
    }
    if (flags & RA_NDR_BUFFERS) {
        if (r->name && !ra_ndr_pull_wstring(ndr, &r->name))
            return FALSE;
        if (r->value && !ra_ndr_pull_u32(ndr, r->value))
            return FALSE;
    }
    return ra_ndr_pull_ok(ndr);
}

static void test_deferred_pointers(void)
{
    guint32 v0 = 7, v1 = 9;
    gchar ab[] = "ab";
    Item items[2] = {{1, ab, &v0}, {2, NULL, &v1}};
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_ndr_push_array_size(push, 2));
    for (int i = 0; i < 2; i++)
        g_assert_true(push_item(push, RA_NDR_SCALARS, &items[i]));
    for (int i = 0; i < 2; i++)
        g_assert_true(push_item(push, RA_NDR_BUFFERS, &items[i]));
    GError *error = NULL;
    GBytes *out = ra_ndr_push_finish(push, &error);
    g_assert_no_error(error);
    gsize len;
    const guint8 *bytes = g_bytes_get_data(out, &len);
    assert_hex(bytes, len,
               "02000000"                   /* conformance 2 */
               "01000000 00000200 04000200" /* item 0: id, name ID, value ID */
               "02000000 00000000 08000200" /* item 1: id, NULL name, value ID */
               "03000000 00000000 03000000" /* item 0 name: max, offset, actual */
               "61006200 0000"              /* "ab\0" */
               "0000"                       /* align to 4 */
               "07000000"                   /* item 0 *value */
               "09000000");                 /* item 1 *value */
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(bytes, len, arena);
    guint32 count;
    g_assert_true(ra_ndr_pull_array_size(pull, 12, &count));
    g_assert_cmpuint(count, ==, 2);
    Item *got = ra_ndr_pull_alloc_array(pull, count, sizeof(Item), 12);
    for (guint i = 0; i < count; i++)
        g_assert_true(pull_item(pull, RA_NDR_SCALARS, &got[i]));
    for (guint i = 0; i < count; i++)
        g_assert_true(pull_item(pull, RA_NDR_BUFFERS, &got[i]));
    g_assert_true(ra_ndr_pull_finish(pull, &error));
    g_assert_cmpuint(got[0].id, ==, 1);
    g_assert_cmpstr(got[0].name, ==, "ab");
    g_assert_cmpuint(*got[0].value, ==, 7);
    g_assert_null(got[1].name);
    g_assert_cmpuint(*got[1].value, ==, 9);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
    g_bytes_unref(out);
    ra_ndr_push_free(push);
}

static void test_full_pointers(void)
{
    RaNdrPush *push = ra_ndr_push_new();
    guint32 a = 5, b = 6;
    gboolean first;
    g_assert_true(ra_ndr_push_full_ptr(push, &a, &first));
    g_assert_true(first);
    g_assert_true(ra_ndr_push_full_ptr(push, &b, &first));
    g_assert_true(first);
    g_assert_true(ra_ndr_push_full_ptr(push, &a, &first)); /* aliases a */
    g_assert_false(first);
    g_assert_true(ra_ndr_push_full_ptr(push, NULL, &first));
    g_assert_false(first);
    gsize len;
    const guint8 *d = ra_ndr_push_data(push, &len);
    assert_hex(d, len, "00000200 04000200 00000200 00000000");
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(d, len, arena);
    guint32 ids[4];
    for (int i = 0; i < 4; i++)
        g_assert_true(ra_ndr_pull_ptr(pull, &ids[i]));
    g_assert_null(ra_ndr_pull_full_ptr_lookup(pull, ids[0]));
    ra_ndr_pull_full_ptr_register(pull, ids[0], &a);
    g_assert_true(ra_ndr_pull_full_ptr_lookup(pull, ids[2]) == &a);
    g_assert_null(ra_ndr_pull_full_ptr_lookup(pull, ids[1]));
    g_assert_null(ra_ndr_pull_full_ptr_lookup(pull, 0));
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
    ra_ndr_push_free(push);
}

static void test_ref_pointers(void)
{
    RaNdrPush *push = ra_ndr_push_new();
    GError *error = NULL;
    g_assert_false(ra_ndr_push_ref_ptr(push, NULL));
    g_assert_null(ra_ndr_push_finish(push, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    ra_ndr_push_free(push);
    static const guint8 zero[4] = {0};
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(zero, 4, arena);
    g_assert_false(ra_ndr_pull_ref_ptr(pull));
    g_assert_false(ra_ndr_pull_finish(pull, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_assert_nonnull(strstr(error->message, "[ref]"));
    g_clear_error(&error);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
}

static void test_arrays(void)
{
    /* A conformant varying array of u16: max 5, offset 1, length 3. */
    static const guint8 cv[] = {5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0};
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(cv, sizeof cv, arena);
    guint32 max, off, act;
    guint16 *v;
    g_assert_true(ra_ndr_pull_array_size(pull, 2, &max));
    g_assert_true(ra_ndr_pull_array_length(pull, max, 2, &off, &act));
    g_assert_true(ra_ndr_pull_u16_array(pull, act, &v));
    g_assert_cmpuint(v[2], ==, 3);
    g_assert_true(ra_ndr_pull_finish(pull, NULL));
    ra_ndr_pull_free(pull);
    /* offset + length over max_count. */
    static const guint8 over[] = {2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0};
    GError *error = NULL;
    pull = ra_ndr_pull_new(over, sizeof over, arena);
    g_assert_true(ra_ndr_pull_array_size(pull, 2, &max));
    g_assert_false(ra_ndr_pull_array_length(pull, max, 2, &off, &act));
    g_assert_false(ra_ndr_pull_finish(pull, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    ra_ndr_pull_free(pull);
    /* A count the remaining bytes cannot hold is refused before any allocation. */
    static const guint8 huge[] = {0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4};
    pull = ra_ndr_pull_new(huge, sizeof huge, arena);
    gsize used = ra_arena_used(arena);
    g_assert_false(ra_ndr_pull_array_size(pull, 4, &max));
    g_assert_null(ra_ndr_pull_alloc_array(pull, 0x7fffffff, 64, 4));
    g_assert_cmpuint(ra_arena_used(arena), ==, used);
    ra_ndr_pull_free(pull);
    /* Push side. */
    RaNdrPush *push = ra_ndr_push_new();
    guint32 words[3] = {1, 2, 3};
    g_assert_true(ra_ndr_push_u8(push, 9));
    g_assert_true(ra_ndr_push_array_size(push, 3));
    g_assert_true(ra_ndr_push_u32_array(push, words, 3));
    gsize len;
    const guint8 *d = ra_ndr_push_data(push, &len);
    assert_hex(d, len, "09000000 03000000 01000000 02000000 03000000");
    ra_ndr_push_free(push);
    ra_arena_free(arena);
}

static void test_unions(void)
{
    /* A union switch_type(short): discriminant 2 -> a long arm, aligned to 4. */
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_ndr_push_union_level(push, 2, 2));
    g_assert_true(ra_ndr_push_align(push, 4));
    g_assert_true(ra_ndr_push_u32(push, 0xdeadbeef));
    gsize len;
    const guint8 *d = ra_ndr_push_data(push, &len);
    assert_hex(d, len, "0200 0000 efbeadde");
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(d, len, arena);
    guint32 level, arm;
    g_assert_true(ra_ndr_pull_union_level(pull, 2, &level));
    g_assert_cmpuint(level, ==, 2);
    g_assert_true(ra_ndr_pull_align(pull, 4));
    g_assert_true(ra_ndr_pull_u32(pull, &arm));
    g_assert_cmphex(arm, ==, 0xdeadbeef);
    g_assert_false(ra_ndr_pull_bad_switch(pull, "EXAMPLE_UNION", 9));
    GError *error = NULL;
    g_assert_false(ra_ndr_pull_finish(pull, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_assert_nonnull(strstr(error->message, "EXAMPLE_UNION"));
    g_clear_error(&error);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
    ra_ndr_push_free(push);
}

static void test_sticky_error(void)
{
    static const guint8 data[] = {1, 0, 0, 0, 2, 0};
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(data, sizeof data, arena);
    guint32 a, b;
    guint16 c = 99;
    g_assert_true(ra_ndr_pull_u32(pull, &a));
    g_assert_false(ra_ndr_pull_u32(pull, &b)); /* only 2 bytes left */
    g_assert_cmpuint(b, ==, 0);
    gsize off = ra_ndr_pull_offset(pull);
    g_assert_false(ra_ndr_pull_u16(pull, &c)); /* would succeed, but the context failed */
    g_assert_cmpuint(c, ==, 0);
    g_assert_cmpuint(ra_ndr_pull_offset(pull), ==, off);
    g_assert_false(ra_ndr_pull_ok(pull));
    g_assert_false(ra_ndr_pull_fail(pull, RA_ERROR_UNSUPPORTED, "second error"));
    GError *error = NULL;
    g_assert_false(ra_ndr_pull_finish(pull, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED); /* the first error wins */
    g_assert_nonnull(strstr(error->message, "NDR offset 0x4"));
    g_clear_error(&error);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
}

static void test_alignment_and_trailing(void)
{
    /* A u8, then a u32 after three non-zero pad bytes: accepted (lenient on receipt). */
    static const guint8 data[] = {7, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4};
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(data, sizeof data, arena);
    guint8 x;
    guint32 y;
    g_assert_true(ra_ndr_pull_u8(pull, &x));
    g_assert_true(ra_ndr_pull_u32(pull, &y));
    g_assert_cmphex(y, ==, 0x04030201);
    g_assert_true(ra_ndr_pull_finish(pull, NULL));
    ra_ndr_pull_free(pull);
    /* Trailing bytes: up to 7 zero bytes are padding, anything else is an error. */
    static const guint8 t1[] = {1, 0, 0, 0, 0, 0, 0};
    static const guint8 t2[] = {1, 0, 0, 0, 0, 0, 9};
    static const guint8 t3[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const guint8 *cases[] = {t1, t2, t3};
    gsize lens[] = {sizeof t1, sizeof t2, sizeof t3};
    gboolean ok[] = {TRUE, FALSE, FALSE};
    for (int i = 0; i < 3; i++) {
        GError *error = NULL;
        pull = ra_ndr_pull_new(cases[i], lens[i], arena);
        g_assert_true(ra_ndr_pull_u32(pull, &y));
        g_assert_true(ra_ndr_pull_finish(pull, &error) == ok[i]);
        if (!ok[i]) {
            g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
            g_clear_error(&error);
        }
        ra_ndr_pull_free(pull);
    }
    /* Push writes zero padding; hyper and double align to 8. */
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_ndr_push_u16(push, 1));
    g_assert_true(ra_ndr_push_u64(push, 2));
    g_assert_true(ra_ndr_push_u8(push, 3));
    g_assert_true(ra_ndr_push_double(push, 1.0));
    gsize len;
    const guint8 *d = ra_ndr_push_data(push, &len);
    assert_hex(d, len, "0100 000000000000 0200000000000000 03 00000000000000 000000000000f03f");
    ra_ndr_push_free(push);
    ra_arena_free(arena);
}

static void test_limits(void)
{
    RaNdrPush *push = ra_ndr_push_new();
    ra_ndr_push_set_limit(push, 10);
    g_assert_true(ra_ndr_push_u64(push, 1));
    g_assert_false(ra_ndr_push_u32(push, 2));
    GError *error = NULL;
    g_assert_null(ra_ndr_push_finish(push, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    /* The context is usable again after finish. */
    g_assert_true(ra_ndr_push_u32(push, 3));
    GBytes *b = ra_ndr_push_finish(push, &error);
    g_assert_cmpuint(g_bytes_get_size(b), ==, 4);
    g_bytes_unref(b);
    for (int i = 0; i < RA_NDR_MAX_DEPTH; i++)
        g_assert_true(ra_ndr_push_enter(push));
    g_assert_false(ra_ndr_push_enter(push));
    ra_ndr_push_free(push);

    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(NULL, 0, arena);
    for (int i = 0; i < RA_NDR_MAX_DEPTH; i++)
        g_assert_true(ra_ndr_pull_enter(pull));
    g_assert_false(ra_ndr_pull_enter(pull));
    g_assert_false(ra_ndr_pull_finish(pull, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
}

static void test_drep(void)
{
    static const guint8 le[4] = RA_NDR_DREP_INIT;
    static const guint8 be[4] = {0x00, 0, 0, 0};
    static const guint8 ebcdic[4] = {0x11, 0, 0, 0};
    static const guint8 vax[4] = {0x10, 1, 0, 0};
    GError *error = NULL;
    g_assert_true(ra_ndr_check_drep(le, &error));
    g_assert_false(ra_ndr_check_drep(be, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "big-endian"));
    g_clear_error(&error);
    g_assert_false(ra_ndr_check_drep(ebcdic, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    g_assert_false(ra_ndr_check_drep(vax, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "VAX"));
    g_clear_error(&error);
}

static void test_print_format(void)
{
    static const guint8 blob[20] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
    RaUuid u;
    g_assert_true(ra_uuid_parse("12345678-9abc-def0-1234-56789abcdef0", &u, NULL));
    RaNdrPrint *p = ra_ndr_print_new();
    ra_ndr_print_begin(p, "r", "struct", "Example");
    ra_ndr_print_u32(p, "count", 258);
    ra_ndr_print_i32(p, "delta", -3);
    ra_ndr_print_hex32(p, "hr", 0x80070005);
    ra_ndr_print_enum(p, "state", "Active", 1);
    ra_ndr_print_enum(p, "other", NULL, 99);
    ra_ndr_print_boolean(p, "flag", TRUE);
    ra_ndr_print_uuid(p, "id", &u);
    ra_ndr_print_string(p, "name", "tab\there");
    ra_ndr_print_null(p, "ptr");
    ra_ndr_print_array_begin(p, "list", 1);
    ra_ndr_print_u8(p, "[0]", 255);
    ra_ndr_print_end(p);
    ra_ndr_print_bytes(p, "blob", blob, sizeof blob);
    ra_ndr_print_end(p);
    gchar *text = ra_ndr_print_steal(p);
    g_assert_cmpstr(text, ==,
                    "r: struct Example\n"
                    "    count: 258 (0x102)\n"
                    "    delta: -3\n"
                    "    hr: 0x80070005\n"
                    "    state: Active (1)\n"
                    "    other: UNKNOWN (99)\n"
                    "    flag: TRUE\n"
                    "    id: 12345678-9abc-def0-1234-56789abcdef0\n"
                    "    name: \"tab\\there\"\n"
                    "    ptr: NULL\n"
                    "    list: ARRAY[1]\n"
                    "        [0]: 255 (0xff)\n"
                    "    blob: 20 bytes\n"
                    "        0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"
                    "        0010  10 11 00 00\n");
    g_free(text);
}

/* A pull over GBytes reads the arena's copy: the bytes may go at once. */
static void test_pull_bytes(void)
{
    static const guint8 wire[] = {0x78, 0x56, 0x34, 0x12, 'a', 'b', 'c'};
    g_autoptr(RaArena) arena = ra_arena_new();
    GBytes *bytes = g_bytes_new(wire, sizeof wire);
    RaNdrPull *ndr = ra_ndr_pull_new_bytes(bytes, arena);
    g_bytes_unref(bytes);
    guint32 v = 0;
    const guint8 *tail = NULL;
    g_assert_true(ra_ndr_pull_u32(ndr, &v));
    g_assert_cmphex(v, ==, 0x12345678);
    g_assert_true(ra_ndr_pull_bytes_ref(ndr, 3, &tail));
    g_assert_true(tail != wire + 4);
    g_assert_cmpmem(tail, 3, "abc", 3);
    g_assert_true(ra_ndr_pull_finish(ndr, NULL));
    ra_ndr_pull_free(ndr);
    bytes = g_bytes_new(NULL, 0);
    ndr = ra_ndr_pull_new_bytes(bytes, arena);
    g_bytes_unref(bytes);
    g_assert_cmpuint(ra_ndr_pull_remaining(ndr), ==, 0);
    g_assert_false(ra_ndr_pull_u8(ndr, (guint8 *)&v));
    ra_ndr_pull_free(ndr);
}

static void test_utf16_helper(void)
{
    /* DUALSTRINGARRAY-style UTF-16 in a byte area: stop at the first NUL. */
    static const guint8 units[] = {'a', 0, 'b', 0, 0, 0, 'c', 0};
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(units, sizeof units, arena);
    gchar *s;
    g_assert_true(ra_ndr_pull_utf16(pull, units, 4, TRUE, TRUE, &s));
    g_assert_cmpstr(s, ==, "ab");
    g_assert_false(ra_ndr_pull_utf16(pull, units + 6, 1, TRUE, TRUE, &s)); /* no NUL */
    g_assert_null(s);
    ra_ndr_pull_free(pull);
    RaNdrPush *push = ra_ndr_push_new();
    gsize n;
    g_assert_true(ra_ndr_push_utf16(push, "\xf0\x9d\x84\x9e", &n)); /* U+1D11E: 2 units */
    g_assert_cmpuint(n, ==, 2);
    GError *error = NULL;
    g_assert_false(ra_ndr_push_wstring(push, "\xff"));
    g_assert_null(ra_ndr_push_finish(push, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    ra_ndr_push_free(push);
    ra_arena_free(arena);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gchar **files = hexvec_list("ndr", ".hex");
    for (guint i = 0; files[i] != NULL; i++) {
        gchar *name = g_strdup_printf("/ndr/vector/%s", files[i] + 4);
        g_test_add_data_func_full(name, g_strdup(files[i]), test_vector, g_free);
        g_free(name);
    }
    g_strfreev(files);
    g_test_add_func("/ndr/deferred-pointers", test_deferred_pointers);
    g_test_add_func("/ndr/full-pointers", test_full_pointers);
    g_test_add_func("/ndr/ref-pointers", test_ref_pointers);
    g_test_add_func("/ndr/arrays", test_arrays);
    g_test_add_func("/ndr/unions", test_unions);
    g_test_add_func("/ndr/sticky-error", test_sticky_error);
    g_test_add_func("/ndr/alignment-and-trailing", test_alignment_and_trailing);
    g_test_add_func("/ndr/limits", test_limits);
    g_test_add_func("/ndr/drep", test_drep);
    g_test_add_func("/ndr/print-format", test_print_format);
    g_test_add_func("/ndr/utf16-helper", test_utf16_helper);
    g_test_add_func("/ndr/pull-bytes", test_pull_bytes);
    return g_test_run();
}
