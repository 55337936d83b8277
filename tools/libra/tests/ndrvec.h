/*
 * Runs one annotated NDR vector (testdata/ndr, testdata/oaut) against a table of type
 * descriptors (tests only). Directives: `type` (descriptor name), `print` (expected lines for
 * the value printed as "r"), or `error` (MALFORMED/UNSUPPORTED/TOO_LARGE), `roundtrip` (yes:
 * pushing the pulled value gives the same bytes; otherwise pull(push(pull(x))) must print the
 * same), `quirks` (a quirk the pull must report).
 */
#ifndef RA_TESTS_NDRVEC_H
#define RA_TESTS_NDRVEC_H

#include "ra/ndr.h"

#include "hexvec.h"

static RaError ndrvec_error_code(const char *name)
{
    if (strcmp(name, "MALFORMED") == 0)
        return RA_ERROR_MALFORMED;
    if (strcmp(name, "UNSUPPORTED") == 0)
        return RA_ERROR_UNSUPPORTED;
    if (strcmp(name, "TOO_LARGE") == 0)
        return RA_ERROR_TOO_LARGE;
    g_error("unknown error name %s", name);
}

static guint ndrvec_quirk(const char *name)
{
    static const struct {
        const char *name;
        guint quirk;
    } q[] = {{"safearray-windows", RA_NDR_QUIRK_SAFEARRAY_WINDOWS},
             {"safearray-aligned8", RA_NDR_QUIRK_SAFEARRAY_ALIGNED8},
             {"safearray-short", RA_NDR_QUIRK_SAFEARRAY_SHORT},
             {"bstr-plain-pointer", RA_NDR_QUIRK_BSTR_PLAIN_POINTER},
             {"bstr-null-pointer", RA_NDR_QUIRK_BSTR_NULL_POINTER}};
    for (gsize i = 0; i < G_N_ELEMENTS(q); i++)
        if (strcmp(q[i].name, name) == 0)
            return q[i].quirk;
    g_error("unknown quirk %s", name);
}

/* Pulls type t from bytes; returns the printed value (g_free) or NULL with error set. */
static gchar *ndrvec_pull_print(const RaNdrType *t, const guint8 *data, gsize len, RaArena *arena,
                                guint *quirks, gpointer value, GError **error)
{
    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);
    memset(value, 0, t->size);
    gboolean ok = t->pull(ndr, RA_NDR_BOTH, value);
    gboolean finished = ra_ndr_pull_finish(ndr, error);
    g_assert_true(ok || !finished); /* a failed pull always leaves the sticky error */
    if (quirks)
        *quirks = ra_ndr_pull_quirks(ndr);
    ra_ndr_pull_free(ndr);
    if (!finished)
        return NULL;
    RaNdrPrint *p = ra_ndr_print_new();
    t->print(p, "r", value);
    return ra_ndr_print_steal(p);
}

static G_GNUC_UNUSED void ndrvec_run(const RaNdrType *types, guint n, const char *rel)
{
    HexVec *v = hexvec_load(rel);
    const char *type = hexvec_get(v, "type");
    g_assert_nonnull(type);
    const RaNdrType *t = ra_ndr_type_lookup(types, n, type);
    g_assert_nonnull(t);
    RaArena *arena = ra_arena_new();
    gpointer value = g_malloc0(t->size);
    GError *error = NULL;
    guint quirks = 0;
    gchar *printed =
        ndrvec_pull_print(t, v->bytes->data, v->bytes->len, arena, &quirks, value, &error);
    const char *err = hexvec_get(v, "error");
    if (err != NULL) {
        g_assert_null(printed);
        g_assert_error(error, RA_ERROR, (gint)ndrvec_error_code(err));
        g_test_message("%s: %s", rel, error->message);
        g_error_free(error);
    } else {
        g_assert_no_error(error);
        gchar *want = g_strconcat(hexvec_get(v, "print"), "\n", NULL);
        g_assert_cmpstr(printed, ==, want);
        g_free(want);
        const char *q = hexvec_get(v, "quirks");
        if (q != NULL)
            g_assert_true(quirks & ndrvec_quirk(q));
        RaNdrPush *push = ra_ndr_push_new();
        g_assert_true(t->push(push, RA_NDR_BOTH, value));
        GBytes *out = ra_ndr_push_finish(push, &error);
        g_assert_no_error(error);
        ra_ndr_push_free(push);
        const char *rt = hexvec_get(v, "roundtrip");
        g_assert_nonnull(rt);
        if (g_str_has_prefix(rt, "yes"))
            g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), v->bytes->data,
                            v->bytes->len);
        gpointer again = g_malloc0(t->size);
        gchar *printed2 = ndrvec_pull_print(t, g_bytes_get_data(out, NULL), g_bytes_get_size(out),
                                            arena, NULL, again, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(printed2, ==, printed);
        g_free(printed2);
        g_free(again);
        g_bytes_unref(out);
        /* Every truncation of a good vector fails cleanly (or, for a few lenient forms, pulls
         * something) and never reads past the end. */
        for (guint len = 0; len < v->bytes->len; len++) {
            guint8 *copy = g_memdup2(v->bytes->data, len);
            gpointer tmp = g_malloc0(t->size);
            GError *e = NULL;
            gchar *s = ndrvec_pull_print(t, copy, len, arena, NULL, tmp, &e);
            g_free(s);
            g_clear_error(&e);
            g_free(tmp);
            g_free(copy);
        }
    }
    g_free(printed);
    g_free(value);
    ra_arena_free(arena);
    hexvec_free(v);
}

#endif
