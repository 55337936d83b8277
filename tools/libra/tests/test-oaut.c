/*
 * OLE Automation types: the annotated vectors of testdata/oaut (Windows, Wine and impacket wire
 * forms and malformed inputs: pulled, printed, pushed in the Windows form, pulled again), and the
 * cases the vectors do not cover: the SAFEARRAY forms at other alignments, BSTRs embedded in a
 * structure (scalars and buffers passes), and the values pushed from C.
 */
#include "ra/oaut.h"
#include "ra/bytes.h"

#include "ndrvec.h"

static void test_vector(gconstpointer data)
{
    guint n;
    const RaNdrType *types = ra_oaut_types(&n);
    ndrvec_run(types, n, data);
}

/* The aligned (Wine) form is only recognised where the marker ends at 4 mod 8; elsewhere the
 * Windows form is read directly after the marker. */
static void test_safearray_alignment(void)
{
    gchar a[] = "one";
    gchar *items[] = {a};
    RaBstrArray arr = {1, 0, items, RA_SAFEARRAY_FORM_WINDOWS};
    for (guint lead = 0; lead < 3; lead++) {
        RaNdrPush *push = ra_ndr_push_new();
        for (guint i = 0; i < lead; i++)
            g_assert_true(ra_ndr_push_u32(push, 0x11111111));
        g_assert_true(ra_oaut_push_safearray_bstr(push, RA_NDR_BOTH, &arr));
        GBytes *out = ra_ndr_push_finish(push, NULL);
        RaArena *arena = ra_arena_new();
        gsize len;
        const guint8 *d = g_bytes_get_data(out, &len);
        RaNdrPull *pull = ra_ndr_pull_new(d, len, arena);
        guint32 skip;
        for (guint i = 0; i < lead; i++)
            g_assert_true(ra_ndr_pull_u32(pull, &skip));
        RaBstrArray *got = NULL;
        g_assert_true(ra_oaut_pull_safearray_bstr(pull, RA_NDR_BOTH, &got));
        g_assert_true(ra_ndr_pull_finish(pull, NULL));
        g_assert_nonnull(got);
        g_assert_cmpint(got->form, ==, RA_SAFEARRAY_FORM_WINDOWS);
        g_assert_cmpuint(got->count, ==, 1);
        g_assert_cmpstr(got->items[0], ==, "one");
        ra_ndr_pull_free(pull);
        ra_arena_free(arena);
        g_bytes_unref(out);
        ra_ndr_push_free(push);
    }
}

/* A structure { BSTR a; long n; BSTR b; } marshalled with both passes: the markers stay in the
 * scalars, the blobs follow in order. */
static void test_embedded_bstrs(void)
{
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_oaut_push_bstr(push, RA_NDR_SCALARS, "A"));
    g_assert_true(ra_ndr_push_u32(push, 5));
    g_assert_true(ra_oaut_push_bstr(push, RA_NDR_SCALARS, NULL));
    g_assert_true(ra_oaut_push_bstr(push, RA_NDR_BUFFERS, "A"));
    g_assert_true(ra_oaut_push_bstr(push, RA_NDR_BUFFERS, NULL));
    GBytes *out = ra_ndr_push_finish(push, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(out, &len);
    assert_hex(d, len,
               "55736572 05000000 55736572"      /* scalars: marker, n, marker */
               "01000000 02000000 01000000 4100" /* "A" */
               "0000"                            /* align */
               "00000000 ffffffff 00000000");    /* NULL */
    RaArena *arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(d, len, arena);
    gchar *a = NULL, *b = NULL;
    guint32 n;
    g_assert_true(ra_oaut_pull_bstr(pull, RA_NDR_SCALARS, &a));
    g_assert_true(ra_ndr_pull_u32(pull, &n));
    g_assert_true(ra_oaut_pull_bstr(pull, RA_NDR_SCALARS, &b));
    g_assert_true(ra_oaut_pull_bstr(pull, RA_NDR_BUFFERS, &a));
    g_assert_true(ra_oaut_pull_bstr(pull, RA_NDR_BUFFERS, &b));
    g_assert_true(ra_ndr_pull_finish(pull, NULL));
    g_assert_cmpstr(a, ==, "A");
    g_assert_null(b);
    ra_ndr_pull_free(pull);
    ra_arena_free(arena);
    g_bytes_unref(out);
    ra_ndr_push_free(push);
}

/* Values built in C, pushed and pulled back, for every supported VARIANT type. */
static void test_variant_types(void)
{
    static guint8 objref[] = {'M', 'E', 'O', 'W', 1, 0, 0, 0};
    RaInterfacePointer ip = {sizeof objref, objref};
    gchar s[] = "text";
    gchar *items[] = {s, NULL};
    RaBstrArray arr = {2, -1, items, RA_SAFEARRAY_FORM_WINDOWS};
    RaVariant inner = {.vt = RA_VT_I2};
    inner.v.i2 = -7;
    RaVariant cases[20];
    guint n = 0;
    memset(cases, 0, sizeof cases);
    cases[n].vt = RA_VT_NULL, n++;
    cases[n].vt = RA_VT_I1, cases[n].v.i1 = -1, n++;
    cases[n].vt = RA_VT_UI2, cases[n].v.ui2 = 65535, n++;
    cases[n].vt = RA_VT_BOOL, cases[n].v.boolean = -1, n++;
    cases[n].vt = RA_VT_UINT, cases[n].v.ui4 = 4000000000u, n++;
    cases[n].vt = RA_VT_ERROR, cases[n].v.scode = 0x80004005, n++;
    cases[n].vt = RA_VT_R4, cases[n].v.r4 = 1.5f, n++;
    cases[n].vt = RA_VT_R8, cases[n].v.r8 = -2.25, n++;
    cases[n].vt = RA_VT_DATE, cases[n].v.date = 45000.5, n++;
    cases[n].vt = RA_VT_I8, cases[n].v.i8 = G_MININT64, n++;
    cases[n].vt = RA_VT_CY, cases[n].v.cy = 12345678, n++;
    cases[n].vt = RA_VT_BSTR, cases[n].v.bstr = NULL, n++;
    cases[n].vt = RA_VT_UNKNOWN, cases[n].v.iface = &ip, n++;
    cases[n].vt = RA_VT_DISPATCH, cases[n].v.iface = NULL, n++;
    cases[n].vt = RA_VT_ARRAY | RA_VT_BSTR, cases[n].v.bstr_array = &arr, n++;
    cases[n].vt = RA_VT_BYREF | RA_VT_BSTR, cases[n].v.bstr = s, n++;
    cases[n].vt = RA_VT_BYREF | RA_VT_R8, cases[n].v.r8 = 0.5, n++;
    cases[n].vt = RA_VT_BYREF | RA_VT_DISPATCH, cases[n].v.iface = &ip, n++;
    cases[n].vt = RA_VT_BYREF | RA_VT_VARIANT, cases[n].v.variant = &inner, n++;
    cases[n].vt = RA_VT_BYREF | RA_VT_ARRAY | RA_VT_BSTR, cases[n].v.bstr_array = &arr, n++;
    for (guint i = 0; i < n; i++) {
        RaNdrPrint *p = ra_ndr_print_new();
        ra_oaut_print_variant(p, "r", &cases[i]);
        gchar *want = ra_ndr_print_steal(p);
        RaNdrPush *push = ra_ndr_push_new();
        g_assert_true(ra_ndr_push_u8(push, 1)); /* misalign the start on purpose */
        g_assert_true(ra_oaut_push_variant(push, RA_NDR_BOTH, &cases[i]));
        GBytes *out = ra_ndr_push_finish(push, NULL);
        gsize len;
        const guint8 *d = g_bytes_get_data(out, &len);
        /* clSize: the body's size in 8-byte units (the body starts at offset 8 here). */
        guint32 cl = ra_le32(d + 8);
        g_assert_cmpuint(cl, ==, (len - 8 + 7) / 8);
        RaArena *arena = ra_arena_new();
        RaNdrPull *pull = ra_ndr_pull_new(d, len, arena);
        guint8 lead;
        RaVariant got;
        g_assert_true(ra_ndr_pull_u8(pull, &lead));
        g_assert_true(ra_oaut_pull_variant(pull, RA_NDR_BOTH, &got));
        GError *error = NULL;
        g_assert_true(ra_ndr_pull_finish(pull, &error));
        g_assert_no_error(error);
        p = ra_ndr_print_new();
        ra_oaut_print_variant(p, "r", &got);
        gchar *have = ra_ndr_print_steal(p);
        g_assert_cmpstr(have, ==, want);
        g_free(have);
        g_free(want);
        ra_ndr_pull_free(pull);
        ra_arena_free(arena);
        g_bytes_unref(out);
        ra_ndr_push_free(push);
    }
    /* Unsupported types are refused on push as on pull. */
    RaVariant dec = {.vt = 14};
    RaNdrPush *push = ra_ndr_push_new();
    GError *error = NULL;
    g_assert_false(ra_oaut_push_variant(push, RA_NDR_BOTH, &dec));
    g_assert_null(ra_ndr_push_finish(push, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    ra_ndr_push_free(push);
    gchar *name = ra_oaut_vartype_name(RA_VT_BYREF | RA_VT_ARRAY | RA_VT_BSTR);
    g_assert_cmpstr(name, ==, "VT_BYREF|VT_ARRAY|VT_BSTR");
    g_free(name);
    name = ra_oaut_vartype_name(0x0fff);
    g_assert_cmpstr(name, ==, "0x0fff");
    g_free(name);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gchar **files = hexvec_list("oaut", ".hex");
    for (guint i = 0; files[i] != NULL; i++) {
        gchar *name = g_strdup_printf("/oaut/vector/%s", files[i] + 5);
        g_test_add_data_func_full(name, g_strdup(files[i]), test_vector, g_free);
        g_free(name);
    }
    g_strfreev(files);
    g_test_add_func("/oaut/safearray-alignment", test_safearray_alignment);
    g_test_add_func("/oaut/embedded-bstrs", test_embedded_bstrs);
    g_test_add_func("/oaut/variant-types", test_variant_types);
    return g_test_run();
}
