/*
 * NDR 2.0 runtime, little-endian only (see ra/ndr.h). [C706] ch. 14, [MS-RPCE] 2.2.4.
 */
#include "ra/ndr.h"
#include "ra/bytes.h"

#include <stdarg.h>
#include <string.h>

/* MIDL numbers referent IDs from 0x00020000 in steps of 4; so do we (any non-zero ID is legal). */
#define FIRST_REFERENT_ID 0x00020000u

gboolean ra_ndr_check_drep(const guint8 drep[4], GError **error)
{
    /* C706 14.1: drep[0] high nibble = integer representation (1 = little-endian),
     * low nibble = character representation (0 = ASCII); drep[1] = floating point (0 = IEEE). */
    if ((drep[0] & 0xf0) != RA_NDR_DREP_LITTLE_ENDIAN) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "big-endian NDR data representation (drep 0x%02x) is not supported", drep[0]);
        return FALSE;
    }
    if ((drep[0] & 0x0f) != RA_NDR_DREP_CHAR_ASCII) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "EBCDIC character representation (drep 0x%02x) is not supported", drep[0]);
        return FALSE;
    }
    if (drep[1] != RA_NDR_DREP_FLOAT_IEEE) {
        static const char *const names[] = {"IEEE", "VAX", "Cray", "IBM"};
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "%s floating-point representation (drep %u) is not supported",
                    drep[1] < 4 ? names[drep[1]] : "unknown", drep[1]);
        return FALSE;
    }
    return TRUE;
}

/* ====================================================================================== */
/* Pull                                                                                    */
/* ====================================================================================== */

struct RaNdrPull {
    const guint8 *data;
    gsize len;
    gsize off;
    RaArena *arena;
    GError *error;
    guint quirks;
    guint depth;
    GHashTable *full_ptrs; /* referent ID -> object */
};

RaNdrPull *ra_ndr_pull_new(const guint8 *data, gsize len, RaArena *arena)
{
    RaNdrPull *ndr = g_new0(RaNdrPull, 1);
    ndr->data = data;
    ndr->len = data ? len : 0;
    ndr->arena = arena;
    return ndr;
}

RaNdrPull *ra_ndr_pull_new_bytes(GBytes *bytes, RaArena *arena)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    return ra_ndr_pull_new(ra_arena_memdup(arena, data, len), len, arena);
}

void ra_ndr_pull_free(RaNdrPull *ndr)
{
    if (ndr == NULL)
        return;
    g_clear_error(&ndr->error);
    if (ndr->full_ptrs)
        g_hash_table_destroy(ndr->full_ptrs);
    g_free(ndr);
}

RaArena *ra_ndr_pull_arena(RaNdrPull *ndr)
{
    return ndr->arena;
}

gsize ra_ndr_pull_offset(const RaNdrPull *ndr)
{
    return ndr->off;
}

gsize ra_ndr_pull_remaining(const RaNdrPull *ndr)
{
    return ndr->len - ndr->off;
}

gboolean ra_ndr_pull_ok(const RaNdrPull *ndr)
{
    return ndr->error == NULL;
}

guint ra_ndr_pull_quirks(const RaNdrPull *ndr)
{
    return ndr->quirks;
}

void ra_ndr_pull_add_quirk(RaNdrPull *ndr, RaNdrQuirk quirk)
{
    ndr->quirks |= (guint)quirk;
}

gboolean ra_ndr_pull_fail(RaNdrPull *ndr, RaError code, const char *format, ...)
{
    if (ndr->error != NULL)
        return FALSE;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    ndr->error =
        g_error_new(RA_ERROR, code, "NDR offset 0x%" G_GSIZE_MODIFIER "x: %s", ndr->off, msg);
    g_free(msg);
    return FALSE;
}

gboolean ra_ndr_pull_get_error(const RaNdrPull *ndr, GError **error)
{
    if (ndr->error == NULL)
        return TRUE;
    g_propagate_error(error, g_error_copy(ndr->error));
    return FALSE;
}

gboolean ra_ndr_pull_finish(RaNdrPull *ndr, GError **error)
{
    if (!ra_ndr_pull_get_error(ndr, error))
        return FALSE;
    gsize left = ndr->len - ndr->off;
    if (left == 0)
        return TRUE;
    gboolean zeros = left < 8;
    for (gsize i = 0; zeros && i < left; i++)
        zeros = ndr->data[ndr->off + i] == 0;
    if (zeros)
        return TRUE;
    ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%" G_GSIZE_FORMAT " bytes left over", left);
    return ra_ndr_pull_get_error(ndr, error);
}

gboolean ra_ndr_pull_enter(RaNdrPull *ndr)
{
    if (ndr->error != NULL)
        return FALSE;
    if (ndr->depth >= RA_NDR_MAX_DEPTH)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "nested more than %d levels deep",
                                RA_NDR_MAX_DEPTH);
    ndr->depth++;
    return TRUE;
}

void ra_ndr_pull_leave(RaNdrPull *ndr)
{
    if (ndr->depth > 0)
        ndr->depth--;
}

/* TRUE if n more bytes are there; otherwise sets the error. */
static gboolean pull_need(RaNdrPull *ndr, gsize n)
{
    if (ndr->error != NULL)
        return FALSE;
    if (ndr->len - ndr->off < n)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "%" G_GSIZE_FORMAT " bytes needed, %" G_GSIZE_FORMAT " left", n,
                                ndr->len - ndr->off);
    return TRUE;
}

gboolean ra_ndr_pull_align(RaNdrPull *ndr, guint n)
{
    g_return_val_if_fail(n == 1 || n == 2 || n == 4 || n == 8, FALSE);
    gsize pad = (n - (ndr->off & (n - 1))) & (n - 1);
    if (!pull_need(ndr, pad))
        return FALSE;
    ndr->off += pad;
    return TRUE;
}

gboolean ra_ndr_pull_skip(RaNdrPull *ndr, gsize n)
{
    if (!pull_need(ndr, n))
        return FALSE;
    ndr->off += n;
    return TRUE;
}

/* Aligns to size and returns a pointer to size bytes, advancing; NULL on error. */
static const guint8 *pull_scalar(RaNdrPull *ndr, guint size)
{
    if (!ra_ndr_pull_align(ndr, size) || !pull_need(ndr, size))
        return NULL;
    const guint8 *p = ndr->data + ndr->off;
    ndr->off += size;
    return p;
}

gboolean ra_ndr_pull_u8(RaNdrPull *ndr, guint8 *v)
{
    *v = 0;
    const guint8 *p = pull_scalar(ndr, 1);
    if (p == NULL)
        return FALSE;
    *v = p[0];
    return TRUE;
}

gboolean ra_ndr_pull_u16(RaNdrPull *ndr, guint16 *v)
{
    *v = 0;
    const guint8 *p = pull_scalar(ndr, 2);
    if (p == NULL)
        return FALSE;
    *v = ra_le16(p);
    return TRUE;
}

gboolean ra_ndr_pull_u32(RaNdrPull *ndr, guint32 *v)
{
    *v = 0;
    const guint8 *p = pull_scalar(ndr, 4);
    if (p == NULL)
        return FALSE;
    *v = ra_le32(p);
    return TRUE;
}

gboolean ra_ndr_pull_u64(RaNdrPull *ndr, guint64 *v)
{
    *v = 0;
    const guint8 *p = pull_scalar(ndr, 8);
    if (p == NULL)
        return FALSE;
    *v = ra_le64(p);
    return TRUE;
}

gboolean ra_ndr_pull_i8(RaNdrPull *ndr, gint8 *v)
{
    guint8 u;
    gboolean ok = ra_ndr_pull_u8(ndr, &u);
    *v = (gint8)u;
    return ok;
}

gboolean ra_ndr_pull_i16(RaNdrPull *ndr, gint16 *v)
{
    guint16 u;
    gboolean ok = ra_ndr_pull_u16(ndr, &u);
    *v = (gint16)u;
    return ok;
}

gboolean ra_ndr_pull_i32(RaNdrPull *ndr, gint32 *v)
{
    guint32 u;
    gboolean ok = ra_ndr_pull_u32(ndr, &u);
    *v = (gint32)u;
    return ok;
}

gboolean ra_ndr_pull_i64(RaNdrPull *ndr, gint64 *v)
{
    guint64 u;
    gboolean ok = ra_ndr_pull_u64(ndr, &u);
    *v = (gint64)u;
    return ok;
}

gboolean ra_ndr_pull_float(RaNdrPull *ndr, gfloat *v)
{
    guint32 u;
    gboolean ok = ra_ndr_pull_u32(ndr, &u);
    memcpy(v, &u, sizeof *v);
    return ok;
}

gboolean ra_ndr_pull_double(RaNdrPull *ndr, gdouble *v)
{
    guint64 u;
    gboolean ok = ra_ndr_pull_u64(ndr, &u);
    memcpy(v, &u, sizeof *v);
    return ok;
}

gboolean ra_ndr_pull_boolean(RaNdrPull *ndr, gboolean *v)
{
    guint8 u;
    gboolean ok = ra_ndr_pull_u8(ndr, &u);
    *v = u != 0;
    return ok;
}

gboolean ra_ndr_pull_enum16(RaNdrPull *ndr, guint16 *v)
{
    return ra_ndr_pull_u16(ndr, v);
}

gboolean ra_ndr_pull_uuid(RaNdrPull *ndr, RaUuid *v)
{
    memset(v, 0, sizeof *v);
    if (!ra_ndr_pull_align(ndr, 4) || !pull_need(ndr, 16))
        return FALSE;
    ra_uuid_from_le(ndr->data + ndr->off, v);
    ndr->off += 16;
    return TRUE;
}

gboolean ra_ndr_pull_syntax_id(RaNdrPull *ndr, RaSyntaxId *v)
{
    guint32 version = 0;
    gboolean ok = ra_ndr_pull_uuid(ndr, &v->uuid) && ra_ndr_pull_u32(ndr, &version);
    v->if_version_major = (guint16)version;
    v->if_version_minor = (guint16)(version >> 16);
    return ok;
}

gboolean ra_ndr_pull_bytes(RaNdrPull *ndr, guint8 *out, gsize n)
{
    if (!pull_need(ndr, n)) {
        memset(out, 0, n);
        return FALSE;
    }
    memcpy(out, ndr->data + ndr->off, n);
    ndr->off += n;
    return TRUE;
}

gboolean ra_ndr_pull_bytes_ref(RaNdrPull *ndr, gsize n, const guint8 **out)
{
    *out = NULL;
    if (!pull_need(ndr, n))
        return FALSE;
    *out = ndr->data + ndr->off;
    ndr->off += n;
    return TRUE;
}

/* ---- pointers ---- */

gboolean ra_ndr_pull_ptr(RaNdrPull *ndr, guint32 *referent_id)
{
    return ra_ndr_pull_u32(ndr, referent_id);
}

gboolean ra_ndr_pull_ref_ptr(RaNdrPull *ndr)
{
    guint32 id;
    if (!ra_ndr_pull_u32(ndr, &id))
        return FALSE;
    if (id == 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "NULL [ref] pointer");
    return TRUE;
}

gpointer ra_ndr_pull_full_ptr_lookup(RaNdrPull *ndr, guint32 referent_id)
{
    if (ndr->full_ptrs == NULL || referent_id == 0)
        return NULL;
    return g_hash_table_lookup(ndr->full_ptrs, GUINT_TO_POINTER(referent_id));
}

void ra_ndr_pull_full_ptr_register(RaNdrPull *ndr, guint32 referent_id, gpointer object)
{
    if (referent_id == 0)
        return;
    if (ndr->full_ptrs == NULL)
        ndr->full_ptrs = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(ndr->full_ptrs, GUINT_TO_POINTER(referent_id), object);
}

/* ---- arrays ---- */

gboolean ra_ndr_pull_check_count(RaNdrPull *ndr, guint64 count, gsize min_elem_size)
{
    if (ndr->error != NULL)
        return FALSE;
    gsize left = ndr->len - ndr->off;
    if (min_elem_size == 0)
        min_elem_size = 1;
    if (count > left / min_elem_size)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "count %" G_GUINT64_FORMAT " of %" G_GSIZE_FORMAT
                                "-byte elements exceeds the %" G_GSIZE_FORMAT " bytes left",
                                count, min_elem_size, left);
    return TRUE;
}

gboolean ra_ndr_pull_array_size(RaNdrPull *ndr, gsize min_elem_size, guint32 *max_count)
{
    return ra_ndr_pull_u32(ndr, max_count) &&
           ra_ndr_pull_check_count(ndr, *max_count, min_elem_size);
}

gboolean ra_ndr_pull_array_length(RaNdrPull *ndr, guint32 max_count, gsize min_elem_size,
                                  guint32 *offset, guint32 *actual_count)
{
    *offset = 0;
    *actual_count = 0;
    if (!ra_ndr_pull_u32(ndr, offset) || !ra_ndr_pull_u32(ndr, actual_count))
        return FALSE;
    if ((guint64)*offset + *actual_count > max_count)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "array offset %u + length %u exceed its size %u", *offset,
                                *actual_count, max_count);
    return ra_ndr_pull_check_count(ndr, *actual_count, min_elem_size);
}

gpointer ra_ndr_pull_alloc_array(RaNdrPull *ndr, guint32 count, gsize elem_size,
                                 gsize min_elem_size)
{
    if (!ra_ndr_pull_check_count(ndr, count, min_elem_size))
        return NULL;
    return ra_arena_alloc_n(ndr->arena, count, elem_size);
}

gboolean ra_ndr_pull_u8_array(RaNdrPull *ndr, guint32 count, guint8 **out)
{
    *out = NULL;
    const guint8 *p;
    if (!ra_ndr_pull_check_count(ndr, count, 1) || !ra_ndr_pull_bytes_ref(ndr, count, &p))
        return FALSE;
    *out = ra_arena_memdup(ndr->arena, p, count);
    return TRUE;
}

gboolean ra_ndr_pull_u16_array(RaNdrPull *ndr, guint32 count, guint16 **out)
{
    *out = NULL;
    if (!ra_ndr_pull_align(ndr, 2) || !ra_ndr_pull_check_count(ndr, count, 2))
        return FALSE;
    guint16 *a = ra_arena_alloc_n(ndr->arena, count, sizeof *a);
    for (guint32 i = 0; i < count; i++)
        a[i] = ra_le16(ndr->data + ndr->off + 2 * (gsize)i);
    ndr->off += 2 * (gsize)count;
    *out = a;
    return TRUE;
}

gboolean ra_ndr_pull_u32_array(RaNdrPull *ndr, guint32 count, guint32 **out)
{
    *out = NULL;
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_check_count(ndr, count, 4))
        return FALSE;
    guint32 *a = ra_arena_alloc_n(ndr->arena, count, sizeof *a);
    for (guint32 i = 0; i < count; i++)
        a[i] = ra_le32(ndr->data + ndr->off + 4 * (gsize)i);
    ndr->off += 4 * (gsize)count;
    *out = a;
    return TRUE;
}

/* ---- unions ---- */

gboolean ra_ndr_pull_union_level(RaNdrPull *ndr, guint width, guint32 *level)
{
    *level = 0;
    switch (width) {
    case 1: {
        guint8 v;
        gboolean ok = ra_ndr_pull_u8(ndr, &v);
        *level = v;
        return ok;
    }
    case 2: {
        guint16 v;
        gboolean ok = ra_ndr_pull_u16(ndr, &v);
        *level = v;
        return ok;
    }
    case 4:
        return ra_ndr_pull_u32(ndr, level);
    default:
        g_return_val_if_reached(FALSE);
    }
}

gboolean ra_ndr_pull_bad_switch(RaNdrPull *ndr, const char *type_name, guint32 level)
{
    return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "union %s has no arm for discriminant %u",
                            type_name, level);
}

/* ---- strings ---- */

gboolean ra_ndr_pull_utf16(RaNdrPull *ndr, const guint8 *data, gsize n_units, gboolean stop_at_nul,
                           gboolean require_nul, gchar **out)
{
    *out = NULL;
    if (ndr->error != NULL)
        return FALSE;
    gsize n = n_units;
    gboolean found_nul = FALSE;
    if (stop_at_nul) {
        for (gsize i = 0; i < n_units; i++) {
            if (data[2 * i] == 0 && data[2 * i + 1] == 0) {
                n = i;
                found_nul = TRUE;
                break;
            }
        }
        if (require_nul && !found_nul)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string has no terminator");
    }
    gunichar2 *units = g_new(gunichar2, n + 1);
    for (gsize i = 0; i < n; i++) {
        units[i] = ra_le16(data + 2 * i);
        /* g_utf16_to_utf8 would stop at a NUL silently: refuse it instead. */
        if (units[i] == 0) {
            g_free(units);
            return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED, "string contains a NUL character");
        }
    }
    GError *conv = NULL;
    glong written = 0;
    gchar *utf8 = g_utf16_to_utf8(units, (glong)n, NULL, &written, &conv);
    g_free(units);
    if (utf8 == NULL) {
        ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "invalid UTF-16 string: %s", conv->message);
        g_error_free(conv);
        return FALSE;
    }
    if ((gsize)written != strlen(utf8)) {
        g_free(utf8);
        return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED, "string contains a NUL character");
    }
    *out = ra_arena_adopt(ndr->arena, utf8);
    return TRUE;
}

/* The units of a [string] array whose actual_count (incl. terminator) is known: the last must be
 * NUL, none before it. */
static gboolean pull_terminated_utf16(RaNdrPull *ndr, guint32 actual, gchar **out)
{
    const guint8 *p;
    if (actual == 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string has no terminator");
    if (!ra_ndr_pull_bytes_ref(ndr, 2 * (gsize)actual, &p))
        return FALSE;
    if (p[2 * (gsize)actual - 2] != 0 || p[2 * (gsize)actual - 1] != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string of %u units is not terminated",
                                actual);
    for (guint32 i = 0; i + 1 < actual; i++) {
        if (p[2 * i] == 0 && p[2 * i + 1] == 0)
            return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED,
                                    "string contains a NUL character at unit %u", i);
    }
    return ra_ndr_pull_utf16(ndr, p, actual - 1, FALSE, FALSE, out);
}

gboolean ra_ndr_pull_wstring(RaNdrPull *ndr, gchar **out)
{
    *out = NULL;
    guint32 max = 0, offset = 0, actual = 0;
    if (!ra_ndr_pull_array_size(ndr, 2, &max) ||
        !ra_ndr_pull_array_length(ndr, max, 2, &offset, &actual))
        return FALSE;
    if (offset != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string offset %u is not 0", offset);
    return pull_terminated_utf16(ndr, actual, out);
}

gboolean ra_ndr_pull_wstring_varying(RaNdrPull *ndr, guint32 max_units, gchar **out)
{
    *out = NULL;
    guint32 offset = 0, actual = 0;
    if (!ra_ndr_pull_array_length(ndr, max_units, 2, &offset, &actual))
        return FALSE;
    if (offset != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string offset %u is not 0", offset);
    return pull_terminated_utf16(ndr, actual, out);
}

gboolean ra_ndr_pull_cstring(RaNdrPull *ndr, gchar **out)
{
    *out = NULL;
    guint32 max = 0, offset = 0, actual = 0;
    const guint8 *p;
    if (!ra_ndr_pull_array_size(ndr, 1, &max) ||
        !ra_ndr_pull_array_length(ndr, max, 1, &offset, &actual))
        return FALSE;
    if (offset != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string offset %u is not 0", offset);
    if (actual == 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string has no terminator");
    if (!ra_ndr_pull_bytes_ref(ndr, actual, &p))
        return FALSE;
    if (p[actual - 1] != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "string is not terminated");
    if (memchr(p, 0, actual - 1) != NULL)
        return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED, "string contains a NUL character");
    if (!g_utf8_validate((const gchar *)p, actual - 1, NULL))
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "8-bit string is not UTF-8");
    *out = ra_arena_strndup(ndr->arena, (const gchar *)p, actual - 1);
    return TRUE;
}

gboolean ra_ndr_pull_lpwstr(RaNdrPull *ndr, gchar **out)
{
    *out = NULL;
    guint32 id;
    if (!ra_ndr_pull_ptr(ndr, &id))
        return FALSE;
    if (id == 0)
        return TRUE;
    return ra_ndr_pull_wstring(ndr, out);
}

/* ====================================================================================== */
/* Push                                                                                    */
/* ====================================================================================== */

struct RaNdrPush {
    GByteArray *buf;
    gsize limit;
    GError *error;
    guint depth;
    guint32 next_referent;
    GHashTable *full_ptrs; /* pointer -> referent ID */
};

RaNdrPush *ra_ndr_push_new(void)
{
    RaNdrPush *ndr = g_new0(RaNdrPush, 1);
    ndr->buf = g_byte_array_sized_new(256);
    ndr->limit = RA_NDR_PUSH_DEFAULT_LIMIT;
    ndr->next_referent = FIRST_REFERENT_ID;
    return ndr;
}

void ra_ndr_push_free(RaNdrPush *ndr)
{
    if (ndr == NULL)
        return;
    g_byte_array_unref(ndr->buf);
    g_clear_error(&ndr->error);
    if (ndr->full_ptrs)
        g_hash_table_destroy(ndr->full_ptrs);
    g_free(ndr);
}

void ra_ndr_push_set_limit(RaNdrPush *ndr, gsize limit)
{
    ndr->limit = limit;
}

gsize ra_ndr_push_offset(const RaNdrPush *ndr)
{
    return ndr->buf->len;
}

const guint8 *ra_ndr_push_data(const RaNdrPush *ndr, gsize *len)
{
    if (len)
        *len = ndr->buf->len;
    return ndr->buf->data;
}

gboolean ra_ndr_push_ok(const RaNdrPush *ndr)
{
    return ndr->error == NULL;
}

gboolean ra_ndr_push_fail(RaNdrPush *ndr, RaError code, const char *format, ...)
{
    if (ndr->error != NULL)
        return FALSE;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    ndr->error = g_error_new(RA_ERROR, code, "NDR push at 0x%x: %s", ndr->buf->len, msg);
    g_free(msg);
    return FALSE;
}

GBytes *ra_ndr_push_finish(RaNdrPush *ndr, GError **error)
{
    if (ndr->error != NULL) {
        g_propagate_error(error, ndr->error);
        ndr->error = NULL;
        g_byte_array_set_size(ndr->buf, 0);
        return NULL;
    }
    GBytes *out = g_byte_array_free_to_bytes(ndr->buf);
    ndr->buf = g_byte_array_sized_new(256);
    ndr->next_referent = FIRST_REFERENT_ID;
    if (ndr->full_ptrs)
        g_hash_table_remove_all(ndr->full_ptrs);
    return out;
}

gboolean ra_ndr_push_enter(RaNdrPush *ndr)
{
    if (ndr->error != NULL)
        return FALSE;
    if (ndr->depth >= RA_NDR_MAX_DEPTH)
        return ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "nested more than %d levels deep",
                                RA_NDR_MAX_DEPTH);
    ndr->depth++;
    return TRUE;
}

void ra_ndr_push_leave(RaNdrPush *ndr)
{
    if (ndr->depth > 0)
        ndr->depth--;
}

/* Room for n more bytes: returns where to write them (zeroed), or NULL on error. */
static guint8 *push_grow(RaNdrPush *ndr, gsize n)
{
    if (ndr->error != NULL)
        return NULL;
    if (n > ndr->limit || ndr->buf->len > ndr->limit - n) {
        ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "output would exceed %" G_GSIZE_FORMAT " bytes",
                         ndr->limit);
        return NULL;
    }
    gsize at = ndr->buf->len;
    g_byte_array_set_size(ndr->buf, (guint)(at + n));
    memset(ndr->buf->data + at, 0, n);
    return ndr->buf->data + at;
}

gboolean ra_ndr_push_align(RaNdrPush *ndr, guint n)
{
    g_return_val_if_fail(n == 1 || n == 2 || n == 4 || n == 8, FALSE);
    gsize pad = (n - (ndr->buf->len & (n - 1))) & (n - 1);
    return push_grow(ndr, pad) != NULL;
}

gboolean ra_ndr_push_zeros(RaNdrPush *ndr, gsize n)
{
    return push_grow(ndr, n) != NULL;
}

static guint8 *push_scalar(RaNdrPush *ndr, guint size)
{
    if (!ra_ndr_push_align(ndr, size))
        return NULL;
    return push_grow(ndr, size);
}

gboolean ra_ndr_push_u8(RaNdrPush *ndr, guint8 v)
{
    guint8 *p = push_scalar(ndr, 1);
    if (p == NULL)
        return FALSE;
    p[0] = v;
    return TRUE;
}

gboolean ra_ndr_push_u16(RaNdrPush *ndr, guint16 v)
{
    guint8 *p = push_scalar(ndr, 2);
    if (p == NULL)
        return FALSE;
    ra_put_le16(p, v);
    return TRUE;
}

gboolean ra_ndr_push_u32(RaNdrPush *ndr, guint32 v)
{
    guint8 *p = push_scalar(ndr, 4);
    if (p == NULL)
        return FALSE;
    ra_put_le32(p, v);
    return TRUE;
}

gboolean ra_ndr_push_u64(RaNdrPush *ndr, guint64 v)
{
    guint8 *p = push_scalar(ndr, 8);
    if (p == NULL)
        return FALSE;
    ra_put_le32(p, (guint32)v);
    ra_put_le32(p + 4, (guint32)(v >> 32));
    return TRUE;
}

gboolean ra_ndr_push_i8(RaNdrPush *ndr, gint8 v)
{
    return ra_ndr_push_u8(ndr, (guint8)v);
}

gboolean ra_ndr_push_i16(RaNdrPush *ndr, gint16 v)
{
    return ra_ndr_push_u16(ndr, (guint16)v);
}

gboolean ra_ndr_push_i32(RaNdrPush *ndr, gint32 v)
{
    return ra_ndr_push_u32(ndr, (guint32)v);
}

gboolean ra_ndr_push_i64(RaNdrPush *ndr, gint64 v)
{
    return ra_ndr_push_u64(ndr, (guint64)v);
}

gboolean ra_ndr_push_float(RaNdrPush *ndr, gfloat v)
{
    guint32 u;
    memcpy(&u, &v, sizeof u);
    return ra_ndr_push_u32(ndr, u);
}

gboolean ra_ndr_push_double(RaNdrPush *ndr, gdouble v)
{
    guint64 u;
    memcpy(&u, &v, sizeof u);
    return ra_ndr_push_u64(ndr, u);
}

gboolean ra_ndr_push_boolean(RaNdrPush *ndr, gboolean v)
{
    return ra_ndr_push_u8(ndr, v ? 1 : 0);
}

gboolean ra_ndr_push_enum16(RaNdrPush *ndr, guint16 v)
{
    return ra_ndr_push_u16(ndr, v);
}

gboolean ra_ndr_push_uuid(RaNdrPush *ndr, const RaUuid *v)
{
    if (!ra_ndr_push_align(ndr, 4))
        return FALSE;
    guint8 *p = push_grow(ndr, 16);
    if (p == NULL)
        return FALSE;
    ra_uuid_to_le(v, p);
    return TRUE;
}

gboolean ra_ndr_push_syntax_id(RaNdrPush *ndr, const RaSyntaxId *v)
{
    return ra_ndr_push_uuid(ndr, &v->uuid) &&
           ra_ndr_push_u32(ndr, (guint32)v->if_version_major | (guint32)v->if_version_minor << 16);
}

gboolean ra_ndr_push_bytes(RaNdrPush *ndr, const guint8 *data, gsize n)
{
    guint8 *p = push_grow(ndr, n);
    if (p == NULL)
        return FALSE;
    if (n > 0)
        memcpy(p, data, n);
    return TRUE;
}

gboolean ra_ndr_push_u32_at(RaNdrPush *ndr, gsize offset, guint32 v)
{
    if (ndr->error != NULL)
        return FALSE;
    if (offset > ndr->buf->len || ndr->buf->len - offset < 4)
        return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED,
                                "patch at 0x%" G_GSIZE_MODIFIER "x is outside the output", offset);
    ra_put_le32(ndr->buf->data + offset, v);
    return TRUE;
}

static guint32 new_referent(RaNdrPush *ndr)
{
    guint32 id = ndr->next_referent;
    ndr->next_referent += 4;
    if (ndr->next_referent == 0)
        ndr->next_referent = FIRST_REFERENT_ID;
    return id;
}

gboolean ra_ndr_push_ptr(RaNdrPush *ndr, gconstpointer p)
{
    if (ndr->error != NULL)
        return FALSE;
    return ra_ndr_push_u32(ndr, p ? new_referent(ndr) : 0);
}

gboolean ra_ndr_push_ref_ptr(RaNdrPush *ndr, gconstpointer p)
{
    if (ndr->error != NULL)
        return FALSE;
    if (p == NULL)
        return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, "NULL [ref] pointer");
    return ra_ndr_push_u32(ndr, new_referent(ndr));
}

gboolean ra_ndr_push_full_ptr(RaNdrPush *ndr, gconstpointer p, gboolean *first)
{
    *first = FALSE;
    if (ndr->error != NULL)
        return FALSE;
    if (p == NULL)
        return ra_ndr_push_u32(ndr, 0);
    if (ndr->full_ptrs == NULL)
        ndr->full_ptrs = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint32 id = GPOINTER_TO_UINT(g_hash_table_lookup(ndr->full_ptrs, p));
    if (id == 0) {
        id = new_referent(ndr);
        g_hash_table_insert(ndr->full_ptrs, (gpointer)(guintptr)p, GUINT_TO_POINTER(id));
        *first = TRUE;
    }
    return ra_ndr_push_u32(ndr, id);
}

gboolean ra_ndr_push_array_size(RaNdrPush *ndr, guint32 max_count)
{
    return ra_ndr_push_u32(ndr, max_count);
}

gboolean ra_ndr_push_array_length(RaNdrPush *ndr, guint32 offset, guint32 actual_count)
{
    return ra_ndr_push_u32(ndr, offset) && ra_ndr_push_u32(ndr, actual_count);
}

gboolean ra_ndr_push_u16_array(RaNdrPush *ndr, const guint16 *v, guint32 count)
{
    if (!ra_ndr_push_align(ndr, 2))
        return FALSE;
    guint8 *p = push_grow(ndr, 2 * (gsize)count);
    if (p == NULL)
        return FALSE;
    for (guint32 i = 0; i < count; i++)
        ra_put_le16(p + 2 * (gsize)i, v[i]);
    return TRUE;
}

gboolean ra_ndr_push_u32_array(RaNdrPush *ndr, const guint32 *v, guint32 count)
{
    if (!ra_ndr_push_align(ndr, 4))
        return FALSE;
    guint8 *p = push_grow(ndr, 4 * (gsize)count);
    if (p == NULL)
        return FALSE;
    for (guint32 i = 0; i < count; i++)
        ra_put_le32(p + 4 * (gsize)i, v[i]);
    return TRUE;
}

gboolean ra_ndr_push_union_level(RaNdrPush *ndr, guint width, guint32 level)
{
    switch (width) {
    case 1:
        return ra_ndr_push_u8(ndr, (guint8)level);
    case 2:
        return ra_ndr_push_u16(ndr, (guint16)level);
    case 4:
        return ra_ndr_push_u32(ndr, level);
    default:
        g_return_val_if_reached(FALSE);
    }
}

gboolean ra_ndr_push_bad_switch(RaNdrPush *ndr, const char *type_name, guint32 level)
{
    return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, "union %s has no arm for discriminant %u",
                            type_name, level);
}

/* UTF-8 -> newly allocated UTF-16 units (n_units without terminator); NULL + error if invalid. */
static gunichar2 *to_utf16(RaNdrPush *ndr, const gchar *s, glong *n_units)
{
    GError *conv = NULL;
    gunichar2 *u = g_utf8_to_utf16(s, -1, NULL, n_units, &conv);
    if (u == NULL) {
        ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, "string is not valid UTF-8: %s", conv->message);
        g_error_free(conv);
    } else if (*n_units >= G_MAXUINT32 / 2) {
        g_free(u);
        u = NULL;
        ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "string too long");
    }
    return u;
}

static gboolean push_units(RaNdrPush *ndr, const gunichar2 *u, gsize n)
{
    guint8 *p = push_grow(ndr, 2 * n);
    if (p == NULL)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        ra_put_le16(p + 2 * i, u[i]);
    return TRUE;
}

gboolean ra_ndr_push_utf16(RaNdrPush *ndr, const gchar *s, gsize *n_units)
{
    if (n_units)
        *n_units = 0;
    if (ndr->error != NULL)
        return FALSE;
    glong n = 0;
    gunichar2 *u = to_utf16(ndr, s ? s : "", &n);
    if (u == NULL)
        return FALSE;
    gboolean ok = push_units(ndr, u, (gsize)n);
    g_free(u);
    if (ok && n_units)
        *n_units = (gsize)n;
    return ok;
}

gboolean ra_ndr_push_wstring(RaNdrPush *ndr, const gchar *s)
{
    if (ndr->error != NULL)
        return FALSE;
    glong n = 0;
    gunichar2 *u = to_utf16(ndr, s ? s : "", &n);
    if (u == NULL)
        return FALSE;
    guint32 count = (guint32)n + 1; /* with the terminator */
    gboolean ok = ra_ndr_push_array_size(ndr, count) && ra_ndr_push_array_length(ndr, 0, count) &&
                  push_units(ndr, u, (gsize)count); /* u[n] is the NUL g_utf8_to_utf16 added */
    g_free(u);
    return ok;
}

gboolean ra_ndr_push_wstring_varying(RaNdrPush *ndr, guint32 max_units, const gchar *s)
{
    if (ndr->error != NULL)
        return FALSE;
    glong n = 0;
    gunichar2 *u = to_utf16(ndr, s ? s : "", &n);
    if (u == NULL)
        return FALSE;
    guint32 count = (guint32)n + 1;
    gboolean ok;
    if (count > max_units)
        ok = ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "string of %u units exceeds %u", count,
                              max_units);
    else
        ok = ra_ndr_push_array_length(ndr, 0, count) && push_units(ndr, u, (gsize)count);
    g_free(u);
    return ok;
}

gboolean ra_ndr_push_cstring(RaNdrPush *ndr, const gchar *s)
{
    if (ndr->error != NULL)
        return FALSE;
    if (s == NULL)
        s = "";
    gsize len = strlen(s);
    if (!g_utf8_validate(s, (gssize)len, NULL))
        return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, "string is not valid UTF-8");
    if (len >= G_MAXUINT32)
        return ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "string too long");
    guint32 count = (guint32)len + 1;
    return ra_ndr_push_array_size(ndr, count) && ra_ndr_push_array_length(ndr, 0, count) &&
           ra_ndr_push_bytes(ndr, (const guint8 *)s, count);
}

gboolean ra_ndr_push_lpwstr(RaNdrPush *ndr, const gchar *s)
{
    if (!ra_ndr_push_ptr(ndr, s))
        return FALSE;
    return s == NULL || ra_ndr_push_wstring(ndr, s);
}

/* ====================================================================================== */
/* Print                                                                                   */
/* ====================================================================================== */

struct RaNdrPrint {
    GString *out;
    guint depth;
};

RaNdrPrint *ra_ndr_print_new(void)
{
    RaNdrPrint *p = g_new0(RaNdrPrint, 1);
    p->out = g_string_new(NULL);
    return p;
}

void ra_ndr_print_free(RaNdrPrint *p)
{
    if (p == NULL)
        return;
    g_string_free(p->out, TRUE);
    g_free(p);
}

const gchar *ra_ndr_print_text(const RaNdrPrint *p)
{
    return p->out->str;
}

gchar *ra_ndr_print_steal(RaNdrPrint *p)
{
    gchar *s = g_string_free(p->out, FALSE);
    g_free(p);
    return s;
}

static void print_indent(RaNdrPrint *p)
{
    for (guint i = 0; i < p->depth; i++)
        g_string_append(p->out, "    ");
}

void ra_ndr_print_line(RaNdrPrint *p, const char *format, ...)
{
    print_indent(p);
    va_list ap;
    va_start(ap, format);
    g_string_append_vprintf(p->out, format, ap);
    va_end(ap);
    g_string_append_c(p->out, '\n');
}

void ra_ndr_print_begin(RaNdrPrint *p, const char *name, const char *kind, const char *type_name)
{
    ra_ndr_print_line(p, "%s: %s %s", name, kind, type_name);
    p->depth++;
}

void ra_ndr_print_end(RaNdrPrint *p)
{
    if (p->depth > 0)
        p->depth--;
}

void ra_ndr_print_array_begin(RaNdrPrint *p, const char *name, guint32 count)
{
    ra_ndr_print_line(p, "%s: ARRAY[%u]", name, count);
    p->depth++;
}

void ra_ndr_print_u8(RaNdrPrint *p, const char *name, guint8 v)
{
    ra_ndr_print_line(p, "%s: %u (0x%x)", name, v, v);
}

void ra_ndr_print_u16(RaNdrPrint *p, const char *name, guint16 v)
{
    ra_ndr_print_line(p, "%s: %u (0x%x)", name, v, v);
}

void ra_ndr_print_u32(RaNdrPrint *p, const char *name, guint32 v)
{
    ra_ndr_print_line(p, "%s: %u (0x%x)", name, v, v);
}

void ra_ndr_print_u64(RaNdrPrint *p, const char *name, guint64 v)
{
    ra_ndr_print_line(p, "%s: %" G_GUINT64_FORMAT " (0x%" G_GINT64_MODIFIER "x)", name, v, v);
}

void ra_ndr_print_i8(RaNdrPrint *p, const char *name, gint8 v)
{
    ra_ndr_print_line(p, "%s: %d", name, v);
}

void ra_ndr_print_i16(RaNdrPrint *p, const char *name, gint16 v)
{
    ra_ndr_print_line(p, "%s: %d", name, v);
}

void ra_ndr_print_i32(RaNdrPrint *p, const char *name, gint32 v)
{
    ra_ndr_print_line(p, "%s: %d", name, v);
}

void ra_ndr_print_i64(RaNdrPrint *p, const char *name, gint64 v)
{
    ra_ndr_print_line(p, "%s: %" G_GINT64_FORMAT, name, v);
}

void ra_ndr_print_double(RaNdrPrint *p, const char *name, gdouble v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    ra_ndr_print_line(p, "%s: %s", name, g_ascii_dtostr(buf, sizeof buf, v));
}

void ra_ndr_print_boolean(RaNdrPrint *p, const char *name, gboolean v)
{
    ra_ndr_print_line(p, "%s: %s", name, v ? "TRUE" : "FALSE");
}

void ra_ndr_print_enum(RaNdrPrint *p, const char *name, const char *value_name, guint32 v)
{
    ra_ndr_print_line(p, "%s: %s (%u)", name, value_name ? value_name : "UNKNOWN", v);
}

void ra_ndr_print_hex32(RaNdrPrint *p, const char *name, guint32 v)
{
    ra_ndr_print_line(p, "%s: 0x%08x", name, v);
}

void ra_ndr_print_string(RaNdrPrint *p, const char *name, const gchar *s)
{
    if (s == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    print_indent(p);
    g_string_append_printf(p->out, "%s: \"", name);
    for (const guchar *c = (const guchar *)s; *c; c++) {
        switch (*c) {
        case '\\':
            g_string_append(p->out, "\\\\");
            break;
        case '"':
            g_string_append(p->out, "\\\"");
            break;
        case '\n':
            g_string_append(p->out, "\\n");
            break;
        case '\r':
            g_string_append(p->out, "\\r");
            break;
        case '\t':
            g_string_append(p->out, "\\t");
            break;
        default:
            if (*c < 0x20 || *c == 0x7f)
                g_string_append_printf(p->out, "\\x%02x", *c);
            else
                g_string_append_c(p->out, (gchar)*c);
        }
    }
    g_string_append(p->out, "\"\n");
}

void ra_ndr_print_uuid(RaNdrPrint *p, const char *name, const RaUuid *v)
{
    char buf[RA_UUID_STRING_LEN + 1];
    ra_ndr_print_line(p, "%s: %s", name, ra_uuid_format(v, buf));
}

void ra_ndr_print_syntax_id(RaNdrPrint *p, const char *name, const RaSyntaxId *v)
{
    char buf[RA_UUID_STRING_LEN + 1];
    ra_ndr_print_line(p, "%s: %s v%u.%u", name, ra_uuid_format(&v->uuid, buf), v->if_version_major,
                      v->if_version_minor);
}

void ra_ndr_print_bytes(RaNdrPrint *p, const char *name, const guint8 *data, gsize len)
{
    ra_ndr_print_line(p, "%s: %" G_GSIZE_FORMAT " bytes", name, len);
    p->depth++;
    for (gsize i = 0; i < len; i += 16) {
        print_indent(p);
        g_string_append_printf(p->out, "%04" G_GSIZE_MODIFIER "x ", i);
        for (gsize j = i; j < len && j < i + 16; j++)
            g_string_append_printf(p->out, " %02x", data[j]);
        g_string_append_c(p->out, '\n');
    }
    p->depth--;
}

void ra_ndr_print_null(RaNdrPrint *p, const char *name)
{
    ra_ndr_print_line(p, "%s: NULL", name);
}

/* ====================================================================================== */
/* Type descriptors                                                                        */
/* ====================================================================================== */

#define SCALAR_TYPE(tname, ctype, fmt_print)                                    \
    static gboolean pull_##tname(RaNdrPull *ndr, int flags, gpointer r)         \
    {                                                                           \
        return ra_ndr_pull_##tname(ndr, (ctype *)r);                            \
    }                                                                           \
    static gboolean push_##tname(RaNdrPush *ndr, int flags, gconstpointer r)    \
    {                                                                           \
        return ra_ndr_push_##tname(ndr, *(const ctype *)r);                     \
    }                                                                           \
    static void print_##tname(RaNdrPrint *p, const char *name, gconstpointer r) \
    {                                                                           \
        fmt_print(p, name, *(const ctype *)r);                                  \
    }

SCALAR_TYPE(u8, guint8, ra_ndr_print_u8)
SCALAR_TYPE(u16, guint16, ra_ndr_print_u16)
SCALAR_TYPE(u32, guint32, ra_ndr_print_u32)
SCALAR_TYPE(u64, guint64, ra_ndr_print_u64)
SCALAR_TYPE(double, gdouble, ra_ndr_print_double)
SCALAR_TYPE(enum16, guint16, ra_ndr_print_u16)

static gboolean pull_uuid_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_ndr_pull_uuid(ndr, r);
}

static gboolean push_uuid_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_ndr_push_uuid(ndr, r);
}

static void print_uuid_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_ndr_print_uuid(p, name, r);
}

static gboolean pull_syntax_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_ndr_pull_syntax_id(ndr, r);
}

static gboolean push_syntax_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_ndr_push_syntax_id(ndr, r);
}

static void print_syntax_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_ndr_print_syntax_id(p, name, r);
}

#define STRING_TYPE(tname)                                                       \
    static gboolean pull_##tname##_t(RaNdrPull *ndr, int flags, gpointer r)      \
    {                                                                            \
        return ra_ndr_pull_##tname(ndr, (gchar **)r);                            \
    }                                                                            \
    static gboolean push_##tname##_t(RaNdrPush *ndr, int flags, gconstpointer r) \
    {                                                                            \
        return ra_ndr_push_##tname(ndr, *(gchar *const *)r);                     \
    }

STRING_TYPE(wstring)
STRING_TYPE(cstring)
STRING_TYPE(lpwstr)

static void print_string_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_ndr_print_string(p, name, *(gchar *const *)r);
}

static const RaNdrType ndr_types[] = {
    {"u8", sizeof(guint8), pull_u8, push_u8, print_u8},
    {"u16", sizeof(guint16), pull_u16, push_u16, print_u16},
    {"u32", sizeof(guint32), pull_u32, push_u32, print_u32},
    {"hyper", sizeof(guint64), pull_u64, push_u64, print_u64},
    {"double", sizeof(gdouble), pull_double, push_double, print_double},
    {"enum16", sizeof(guint16), pull_enum16, push_enum16, print_enum16},
    {"uuid", sizeof(RaUuid), pull_uuid_t, push_uuid_t, print_uuid_t},
    {"syntax_id", sizeof(RaSyntaxId), pull_syntax_t, push_syntax_t, print_syntax_t},
    {"wstring", sizeof(gchar *), pull_wstring_t, push_wstring_t, print_string_t},
    {"cstring", sizeof(gchar *), pull_cstring_t, push_cstring_t, print_string_t},
    {"lpwstr", sizeof(gchar *), pull_lpwstr_t, push_lpwstr_t, print_string_t},
};

const RaNdrType *ra_ndr_types(guint *n)
{
    *n = G_N_ELEMENTS(ndr_types);
    return ndr_types;
}

const RaNdrType *ra_ndr_type_lookup(const RaNdrType *types, guint n, const char *name)
{
    for (guint i = 0; i < n; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}
