/*
 * Unit tests of the DCOM wire types (ra/dcom.h) and activation properties (ra/actprop.h).
 *
 * Known answers: every testdata/dcom/<case>.hex (annotated bytes, written field by field from
 * [MS-DCOM] and checked against impacket's own NDR classes by testdata/dcom/make-vectors.py) is
 * pulled, printed and compared with testdata/dcom/<case>.txt, and pushed back: the push must give
 * the same bytes. Activation blobs inside are decoded and rebuilt the same way.
 *
 * Hostile input: truncations at every length, absurd sizes and counts, bogus OBJREFs - each must
 * fail with the documented error, never crash (ASan in CI).
 *
 * RAI_UPDATE_GOLDEN=1 rewrites the .txt files (review the diff before committing).
 */
#include "hexvec.h"
#include "ra/actprop.h"
#include "ra/bytes.h"
#include "ra/dcom.h"

#include <string.h>

typedef struct {
    const char *type;
    /* Pulls `data`, prints it into p, pushes it back; returns the pushed bytes (NULL on error). */
    GBytes *(*run)(const guint8 *data, gsize len, const HexVec *v, RaNdrPrint *p, GError **error);
} CaseType;

static guint directive_count(const HexVec *v)
{
    const char *c = hexvec_get(v, "count");
    return c ? (guint)g_ascii_strtoull(c, NULL, 10) : 0;
}

/* Decodes and prints the activation blob in an MInterfacePointer, and checks that rebuilding
 * the blob gives the same MInterfacePointer bytes. */
static void check_actprop(const RaInterfacePointer *mip, gboolean out, RaNdrPrint *p)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaActivationBlob blob;
    GError *error = NULL;
    gboolean ok = ra_actprop_from_mip(mip, out, arena, &blob, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    ra_actprop_blob_print(p, out ? "ActivationPropertiesOut" : "ActivationPropertiesIn", &blob);
    RaInterfacePointer again;
    ok = ra_actprop_to_mip(&blob, out, arena, &again, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpmem(again.data, again.size, mip->data, mip->size);
}

#define PULL_PUSH(TYPE, CTYPE, PULL, PUSH, PRINT, SETUP, AFTER)                              \
    static GBytes *run_##TYPE(const guint8 *data, gsize len, const HexVec *v, RaNdrPrint *p, \
                              GError **error)                                                \
    {                                                                                        \
        g_autoptr(RaArena) arena = ra_arena_new();                                           \
        RaNdrPull *pull = ra_ndr_pull_new(data, len, arena);                                 \
        CTYPE r;                                                                             \
        memset(&r, 0, sizeof r);                                                             \
        SETUP;                                                                               \
        PULL;                                                                                \
        gboolean ok = ra_ndr_pull_finish(pull, error);                                       \
        ra_ndr_pull_free(pull);                                                              \
        if (!ok)                                                                             \
            return NULL;                                                                     \
        PRINT;                                                                               \
        AFTER;                                                                               \
        RaNdrPush *push = ra_ndr_push_new();                                                 \
        PUSH;                                                                                \
        GBytes *b = ra_ndr_push_finish(push, error);                                         \
        ra_ndr_push_free(push);                                                              \
        return b;                                                                            \
    }

PULL_PUSH(orpcthis, RaOrpcThis, ra_dcom_pull_orpcthis(pull, RA_NDR_BOTH, &r),
          ra_dcom_push_orpcthis(push, RA_NDR_BOTH, &r), ra_dcom_print_orpcthis(p, "r", &r), (void)v,
          (void)0)
PULL_PUSH(orpcthat, RaOrpcThat, ra_dcom_pull_orpcthat(pull, RA_NDR_BOTH, &r),
          ra_dcom_push_orpcthat(push, RA_NDR_BOTH, &r), ra_dcom_print_orpcthat(p, "r", &r), (void)v,
          (void)0)
PULL_PUSH(remotecreateinstance_in, RaRemoteCreateInstanceIn,
          ra_dcom_pull_remotecreateinstance_in(pull, &r),
          ra_dcom_push_remotecreateinstance_in(push, &r),
          ra_dcom_print_remotecreateinstance_in(p, "r", &r), (void)v,
          check_actprop(r.act_properties, FALSE, p))
PULL_PUSH(remoteactivation_out, RaRemoteActivationOut, ra_dcom_pull_remoteactivation_out(pull, &r),
          ra_dcom_push_remoteactivation_out(push, &r),
          ra_dcom_print_remoteactivation_out(p, "r", &r), (void)v,
          check_actprop(r.act_properties, TRUE, p))
PULL_PUSH(remqueryinterface_in, RaRemQueryInterfaceIn, ra_dcom_pull_remqueryinterface_in(pull, &r),
          ra_dcom_push_remqueryinterface_in(push, &r),
          ra_dcom_print_remqueryinterface_in(p, "r", &r), (void)v, (void)0)
PULL_PUSH(remqueryinterface_out, RaRemQueryInterfaceOut,
          ra_dcom_pull_remqueryinterface_out(pull, &r),
          ra_dcom_push_remqueryinterface_out(push, &r),
          ra_dcom_print_remqueryinterface_out(p, "r", &r),
          r.n_results = (guint16)directive_count(v), (void)0)
PULL_PUSH(remaddref_in, RaRemAddRefIn, ra_dcom_pull_remaddref_in(pull, &r),
          ra_dcom_push_remaddref_in(push, &r), ra_dcom_print_remaddref_in(p, "r", &r), (void)v,
          (void)0)
PULL_PUSH(remaddref_out, RaRemAddRefOut, ra_dcom_pull_remaddref_out(pull, &r),
          ra_dcom_push_remaddref_out(push, &r), ra_dcom_print_remaddref_out(p, "r", &r),
          r.n_results = (guint16)directive_count(v), (void)0)
PULL_PUSH(remrelease_out, RaRemReleaseOut, ra_dcom_pull_remrelease_out(pull, &r),
          ra_dcom_push_remrelease_out(push, &r), ra_dcom_print_remrelease_out(p, "r", &r), (void)v,
          (void)0)
PULL_PUSH(remqueryinterface2_in, RaRemQueryInterface2In,
          ra_dcom_pull_remqueryinterface2_in(pull, &r),
          ra_dcom_push_remqueryinterface2_in(push, &r),
          ra_dcom_print_remqueryinterface2_in(p, "r", &r), (void)v, (void)0)
PULL_PUSH(remqueryinterface2_out, RaRemQueryInterface2Out,
          ra_dcom_pull_remqueryinterface2_out(pull, &r),
          ra_dcom_push_remqueryinterface2_out(push, &r),
          ra_dcom_print_remqueryinterface2_out(p, "r", &r), r.n_iids = (guint16)directive_count(v),
          (void)0)

static GBytes *run_objref(const guint8 *data, gsize len, const HexVec *v, RaNdrPrint *p,
                          GError **error)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaObjRef r;
    if (!ra_objref_parse(data, len, arena, &r, error))
        return NULL;
    ra_objref_print(p, "r", &r);
    return ra_objref_build(&r, error);
}

static GBytes *run_actprop_in(const guint8 *data, gsize len, const HexVec *v, RaNdrPrint *p,
                              GError **error)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaActivationBlob blob;
    if (!ra_actprop_blob_parse(data, len, arena, &blob, error))
        return NULL;
    ra_actprop_blob_print(p, "r", &blob);
    return ra_actprop_blob_build(&blob, error);
}

static const CaseType case_types[] = {
    {"orpcthis", run_orpcthis},
    {"orpcthat", run_orpcthat},
    {"objref", run_objref},
    {"remotecreateinstance_in", run_remotecreateinstance_in},
    {"remoteactivation_out", run_remoteactivation_out},
    {"remqueryinterface_in", run_remqueryinterface_in},
    {"remqueryinterface_out", run_remqueryinterface_out},
    {"remaddref_in", run_remaddref_in},
    {"remaddref_out", run_remaddref_out},
    {"remrelease_out", run_remrelease_out},
    {"remqueryinterface2_in", run_remqueryinterface2_in},
    {"remqueryinterface2_out", run_remqueryinterface2_out},
    {"actprop_in", run_actprop_in},
};

static const CaseType *find_type(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(case_types); i++) {
        if (strcmp(case_types[i].type, name) == 0)
            return &case_types[i];
    }
    g_error("unknown vector type '%s'", name);
}

static void test_vector(gconstpointer data)
{
    const char *rel = data;
    HexVec *v = hexvec_load(rel);
    const char *type = hexvec_get(v, "type");
    g_assert_nonnull(type);
    const CaseType *t = find_type(type);
    RaNdrPrint *p = ra_ndr_print_new();
    GError *error = NULL;
    GBytes *pushed = t->run(v->bytes->data, v->bytes->len, v, p, &error);
    g_assert_no_error(error);
    g_assert_nonnull(pushed);
    g_assert_cmpmem(g_bytes_get_data(pushed, NULL), g_bytes_get_size(pushed), v->bytes->data,
                    v->bytes->len);
    g_bytes_unref(pushed);

    /* The printed form against its golden file. */
    gchar *txt_rel = g_strdup(rel);
    strcpy(txt_rel + strlen(txt_rel) - 4, ".txt");
    gchar *txt_path = testdata_path(txt_rel);
    const gchar *got = ra_ndr_print_text(p);
    if (g_getenv("RAI_UPDATE_GOLDEN")) {
        g_assert_true(g_file_set_contents(txt_path, got, -1, NULL));
    } else {
        gchar *want = NULL;
        if (!g_file_get_contents(txt_path, &want, NULL, &error))
            g_error("%s (RAI_UPDATE_GOLDEN=1 writes it)", error->message);
        g_assert_cmpstr(got, ==, want);
        g_free(want);
    }
    g_free(txt_path);
    g_free(txt_rel);
    ra_ndr_print_free(p);

    /* Every truncation fails cleanly with an error (no crash, no success). */
    for (gsize n = 0; n < v->bytes->len; n++) {
        RaNdrPrint *q = ra_ndr_print_new();
        GBytes *b = t->run(v->bytes->data, n, v, q, &error);
        if (b != NULL) {
            /* A prefix may be a complete value only when the rest was trailing padding. */
            g_assert_cmpuint(v->bytes->len - n, <, 8);
            g_bytes_unref(b);
        } else {
            g_assert_nonnull(error);
            g_clear_error(&error);
        }
        ra_ndr_print_free(q);
    }
    hexvec_free(v);
}

/* ---- hostile inputs ---- */

/* Loads a vector's bytes. */
static GByteArray *load_bytes(const char *rel)
{
    HexVec *v = hexvec_load(rel);
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, v->bytes->data, v->bytes->len);
    hexvec_free(v);
    return b;
}

/* Parses an OBJREF expecting an error of `code` whose message contains `fragment`. */
static void expect_objref_error(const guint8 *data, gsize len, gint code, const char *fragment)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaObjRef r;
    GError *error = NULL;
    g_assert_false(ra_objref_parse(data, len, arena, &r, &error));
    g_assert_error(error, RA_ERROR, code);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, fragment));
    g_error_free(error);
}

static void test_bogus_objrefs(void)
{
    GByteArray *good = load_bytes("dcom/objref-standard.hex");
    GByteArray *b;
#define MUTATE(off, value, code, fragment)                        \
    do {                                                          \
        b = g_byte_array_new();                                   \
        g_byte_array_append(b, good->data, good->len);            \
        ra_put_le32(b->data + (off), (value));                    \
        expect_objref_error(b->data, b->len, (code), (fragment)); \
        g_byte_array_unref(b);                                    \
    } while (0)
    MUTATE(0, 0x574f454e, RA_ERROR_MALFORMED, "signature");
    MUTATE(4, 0, RA_ERROR_MALFORMED, "not one OBJREF form");
    MUTATE(4, 3, RA_ERROR_MALFORMED, "not one OBJREF form");
    MUTATE(4, 0x10, RA_ERROR_MALFORMED, "not one OBJREF form");
    /* iid GUID_NULL */
    b = g_byte_array_new();
    g_byte_array_append(b, good->data, good->len);
    memset(b->data + 8, 0, 16);
    expect_objref_error(b->data, b->len, RA_ERROR_MALFORMED, "GUID_NULL");
    g_byte_array_unref(b);
    /* DUALSTRINGARRAY at 0x40: wNumEntries beyond the data, absurd, security offset wrong. */
    MUTATE(0x40, 0x00130018, RA_ERROR_MALFORMED, "aStringArray");
    MUTATE(0x40, 0x0013ffff, RA_ERROR_TOO_LARGE, "entries");
    MUTATE(0x40, 0x00160017, RA_ERROR_MALFORMED, "DUALSTRINGARRAY");
    MUTATE(0x40, 0x00050017, RA_ERROR_MALFORMED, "DUALSTRINGARRAY");
    MUTATE(0x40, 0x00000017, RA_ERROR_MALFORMED, "DUALSTRINGARRAY");
    /* A string binding without terminator (overwrite the NUL after the address). */
    MUTATE(0x66, 0x00410041, RA_ERROR_MALFORMED, "DUALSTRINGARRAY");
#undef MUTATE
    /* OBJREF_EXTENDED with wrong signatures and element counts; OBJREF_CUSTOM truncated. */
    /* OBJREF_EXTENDED: std ends at 0x40; Signature1 0x40; an empty DSA at 0x44 (4 zero entries,
     * security offset 2); nElms 0x50; Signature2 0x54; DATAELEMENT at 0x58 (cbSize 0x68,
     * cbRounded 0x6c, Data 0x70). */
    guint8 ext[256];
    memset(ext, 0, sizeof ext);
    memcpy(ext, good->data, 0x40);
    ra_put_le32(ext + 4, RA_OBJREF_EXTENDED);
    ra_put_le32(ext + 0x40, 0x12345678);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "Signature1");
    ra_put_le32(ext + 0x40, RA_OBJREF_EXTENDED_SIGNATURE);
    ext[0x44] = 4;
    ext[0x46] = 2;
    ra_put_le32(ext + 0x50, 2);
    ra_put_le32(ext + 0x54, 0x12345678);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "Signature2");
    ra_put_le32(ext + 0x54, RA_OBJREF_EXTENDED_SIGNATURE);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "nElms 2");
    ra_put_le32(ext + 0x50, 1);
    ra_put_le32(ext + 0x68, 5);
    ra_put_le32(ext + 0x6c, 16);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "cbRounded");
    ra_put_le32(ext + 0x6c, 8);
    g_autoptr(RaArena) arena = ra_arena_new();
    RaObjRef r;
    GError *error = NULL;
    g_assert_true(ra_objref_parse(ext, sizeof ext, arena, &r, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(r.elements->size, ==, 5);
    g_assert_cmpuint(r.res_addr.n_strings, ==, 0);
    /* cbSize whose rounding overflows 32 bits; a huge element beyond the data. */
    ra_put_le32(ext + 0x68, 0xfffffff9);
    ra_put_le32(ext + 0x6c, 0);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "cbRounded");
    ra_put_le32(ext + 0x68, 0x7ffffff8);
    ra_put_le32(ext + 0x6c, 0x7ffffff8);
    expect_objref_error(ext, sizeof ext, RA_ERROR_MALFORMED, "ElmArray.Data");
    /* OBJREF_CUSTOM cut inside its header. */
    ra_put_le32(ext + 4, RA_OBJREF_CUSTOM);
    expect_objref_error(ext, 0x20, RA_ERROR_MALFORMED, "clsid");
    g_assert_true(ra_objref_parse(ext, 0x30, arena, &r, &error));
    g_assert_cmpuint(r.object_data_len, ==, 0);
    g_byte_array_unref(good);
}

/* The activation blob inside remotecreateinstance-in.hex: the OBJREF starts at 0x30 of the stub,
 * pObjectData at 0x60. */
#define OBJREF_OFFSET 0x30
#define BLOB_OFFSET   0x60

static void expect_blob_error(GByteArray *stub, gint code, const char *fragment)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaActivationBlob blob;
    GError *error = NULL;
    g_assert_false(ra_actprop_blob_parse(stub->data + BLOB_OFFSET, stub->len - BLOB_OFFSET, arena,
                                         &blob, &error));
    g_assert_error(error, RA_ERROR, code);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, fragment));
    g_error_free(error);
}

static void test_absurd_property_sizes(void)
{
    GByteArray *good = load_bytes("dcom/remotecreateinstance-in.hex");
    /* The blob as it is parses. */
    {
        g_autoptr(RaArena) arena = ra_arena_new();
        RaActivationBlob blob;
        GError *error = NULL;
        g_assert_true(ra_actprop_blob_parse(good->data + BLOB_OFFSET, good->len - BLOB_OFFSET,
                                            arena, &blob, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(blob.n_properties, ==, 4);
        const RaActProperty *inst = ra_actprop_find(&blob, RA_ACTPROP_INSTANTIATION_INFO);
        g_assert_nonnull(inst);
        g_assert_cmpuint(inst->u.instantiation.n_iids, ==, 1);
        g_assert_null(ra_actprop_find(&blob, RA_ACTPROP_SPECIAL_PROPERTIES));
    }
    /* Offsets inside the blob (see remotecreateinstance-in.hex, minus BLOB_OFFSET). */
    static const struct {
        gsize off;
        guint32 value;
        gint code;
        const char *fragment;
    } cases[] = {
        {0, 0xffffffff, RA_ERROR_MALFORMED, "dwSize"},
        {0x18, 0xfffffff0, RA_ERROR_MALFORMED, "totalSize"},
        {0x1c, 0xfffffff0, RA_ERROR_MALFORMED, "headerSize"},
        {0x1c, 8, RA_ERROR_MALFORMED, "headerSize"},
        {0x28, 0, RA_ERROR_MALFORMED, "cIfs"},
        {0x28, 11, RA_ERROR_MALFORMED, "cIfs"},
        {0x28, 0xffffffff, RA_ERROR_MALFORMED, "cIfs"},
        {0x10, 0xffffff00, RA_ERROR_MALFORMED, "ObjectBufferLength"},
        {0x90, 0xfffffff0, RA_ERROR_MALFORMED, "pSizes"},
        {0x90, 8, RA_ERROR_MALFORMED, "headers"},
        {0xa8, 0x7fffffff, RA_ERROR_MALFORMED, "ObjectBufferLength"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = g_byte_array_new();
        g_byte_array_append(b, good->data, good->len);
        ra_put_le32(b->data + BLOB_OFFSET + cases[i].off, cases[i].value);
        expect_blob_error(b, cases[i].code, cases[i].fragment);
        g_byte_array_unref(b);
    }
    /* The MInterfacePointer with an ActivationPropertiesOut where In is expected. */
    g_autoptr(RaArena) arena = ra_arena_new();
    RaInterfacePointer mip = {good->len - OBJREF_OFFSET, good->data + OBJREF_OFFSET};
    RaActivationBlob blob;
    GError *error = NULL;
    g_assert_false(ra_actprop_from_mip(&mip, TRUE, arena, &blob, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_assert_nonnull(strstr(error->message, "ActivationPropertiesOut expected"));
    g_clear_error(&error);
    g_assert_true(ra_actprop_from_mip(&mip, FALSE, arena, &blob, &error));
    g_assert_no_error(error);
    g_byte_array_unref(good);
}

static void test_ts1(void)
{
    static const guint8 body[5] = {1, 2, 3, 4, 5};
    GBytes *w = ra_ts1_wrap(body, sizeof body);
    gsize len;
    const guint8 *d = g_bytes_get_data(w, &len);
    assert_hex(d, len, "01100800 cccccccc 08000000 00000000 0102030405000000");
    const guint8 *out;
    gsize out_len;
    GError *error = NULL;
    g_assert_true(ra_ts1_split(d, len, &out, &out_len, &error));
    g_assert_cmpuint(out_len, ==, 8);
    guint8 bad[24];
    memcpy(bad, d, 24);
    bad[0] = 2;
    g_assert_false(ra_ts1_split(bad, 24, &out, &out_len, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    bad[0] = 1;
    bad[1] = 0x00; /* big-endian */
    g_assert_false(ra_ts1_split(bad, 24, &out, &out_len, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    bad[1] = 0x10;
    bad[2] = 16;
    g_assert_false(ra_ts1_split(bad, 24, &out, &out_len, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_false(ra_ts1_split(d, 15, &out, &out_len, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_bytes_unref(w);
}

/* A built blob carries what was put in, with every size computed. */
static void test_build_session_blob(void)
{
    RaActProperty props[3];
    memset(props, 0, sizeof props);
    RaUuid iid = ra_iid_iunknown;
    props[0].kind = RA_ACTPROP_SPECIAL_PROPERTIES;
    props[0].u.special.session_id = 7;
    props[0].u.special.remote_this_session_id = 1;
    props[1].kind = RA_ACTPROP_INSTANTIATION_INFO;
    props[1].u.instantiation.n_iids = 1;
    props[1].u.instantiation.iids = &iid;
    props[1].u.instantiation.client_version = (RaComVersion){5, 7};
    guint16 tcp = 7;
    RaRemoteRequestScmInfo req = {2, 1, &tcp};
    props[2].kind = RA_ACTPROP_SCM_REQUEST_INFO;
    props[2].u.scm_request.remote_request = &req;
    RaActivationBlob blob = {0};
    blob.header.dest_ctx = 2;
    blob.n_properties = 3;
    blob.properties = props;
    g_autoptr(RaArena) arena = ra_arena_new();
    RaInterfacePointer mip;
    GError *error = NULL;
    g_assert_true(ra_actprop_to_mip(&blob, FALSE, arena, &mip, &error));
    g_assert_no_error(error);
    RaActivationBlob back;
    g_assert_true(ra_actprop_from_mip(&mip, FALSE, arena, &back, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(back.n_properties, ==, 3);
    const RaActProperty *sp = ra_actprop_find(&back, RA_ACTPROP_SPECIAL_PROPERTIES);
    g_assert_nonnull(sp);
    g_assert_cmpuint(sp->u.special.session_id, ==, 7);
    const RaActProperty *in = ra_actprop_find(&back, RA_ACTPROP_INSTANTIATION_INFO);
    g_assert_cmpuint(in->u.instantiation.this_size, ==, in->raw_len);
    g_assert_true(ra_uuid_equal(&in->u.instantiation.iids[0], &ra_iid_iunknown));
    const RaActProperty *sq = ra_actprop_find(&back, RA_ACTPROP_SCM_REQUEST_INFO);
    g_assert_cmpuint(sq->u.scm_request.remote_request->protseqs[0], ==, 7);
    g_assert_cmpuint(back.header.total_size, ==, back.size);
    /* Counts out of range are refused. */
    blob.n_properties = 0;
    g_assert_false(ra_actprop_to_mip(&blob, FALSE, arena, &mip, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

static void test_names(void)
{
    g_assert_cmpstr(ra_dcom_guid_name(&ra_iid_iremunknown2), ==, "IID_IRemUnknown2");
    g_assert_cmpstr(ra_dcom_guid_name(&ra_clsid_special_system_properties), ==,
                    "CLSID_SpecialSystemProperties");
    g_assert_cmpstr(ra_dcom_guid_name(&ra_iid_iactivation), ==, "IID_IActivation");
    RaUuid other = ra_iid_iunknown;
    other.node[5] = 0x47;
    g_assert_null(ra_dcom_guid_name(&other));
    g_assert_cmpstr(ra_hresult_name(RA_HRESULT_ERROR_CANNOT_MAKE), ==, "ERROR_CANNOT_MAKE");
    g_assert_cmpstr(ra_hresult_name(0x800704ec), ==, "ERROR_ACCESS_DISABLED_BY_POLICY");
    g_assert_cmpstr(ra_hresult_name(0x80070534), ==, "ERROR_NONE_MAPPED");
    g_assert_null(ra_hresult_name(0x12345678));
    /* COM's own range, as written in [MS-DCOM] 1.9. */
    static const RaUuid remunknown2 = RA_COM_GUID(0x00000143);
    char text[RA_UUID_STRING_LEN + 1];
    g_assert_cmpstr(ra_uuid_format(&remunknown2, text), ==, "00000143-0000-0000-c000-000000000046");
    g_assert_true(ra_uuid_equal(&remunknown2, &ra_iid_iremunknown2));
    g_assert_cmpstr(ra_uuid_format(&ra_clsid_props_out_info, text), ==,
                    "00000339-0000-0000-c000-000000000046");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gchar **files = hexvec_list("dcom", ".hex");
    for (guint i = 0; files[i]; i++) {
        gchar *name = g_strdup_printf("/dcom/vector/%s", files[i] + strlen("dcom/"));
        g_test_add_data_func(name, files[i], test_vector);
        g_free(name);
    }
    g_test_add_func("/dcom/bogus-objrefs", test_bogus_objrefs);
    g_test_add_func("/dcom/absurd-property-sizes", test_absurd_property_sizes);
    g_test_add_func("/dcom/ts1", test_ts1);
    g_test_add_func("/dcom/build-session-blob", test_build_session_blob);
    g_test_add_func("/dcom/names", test_names);
    int rc = g_test_run();
    g_strfreev(files);
    return rc;
}
