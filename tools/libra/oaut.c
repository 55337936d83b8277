/*
 * OLE Automation wire types (see ra/oaut.h): [MS-OAUT] 2.2.23 (BSTR), 2.2.29 (VARIANT),
 * 2.2.30 (SAFEARRAY), [MS-DCOM] 2.2.14 (MInterfacePointer).
 */
#include "ra/oaut.h"
#include "ra/bytes.h"

#include <string.h>

/* Placeholders between the scalars and the buffers pass (never dereferenced). */
static gchar bstr_pending[1];

#define BSTR_NULL_FLAGS 0xffffffffu

/* ---- MInterfacePointer ---- */

gboolean ra_oaut_pull_minterface_pointer(RaNdrPull *ndr, int flags, RaInterfacePointer *r)
{
    r->size = 0;
    r->data = NULL;
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_pull_ok(ndr);
    guint32 max = 0, cnt = 0;
    /* [MS-DCOM] 2.2.14: a conformant structure, so its conformance comes first. */
    if (!ra_ndr_pull_array_size(ndr, 1, &max) || !ra_ndr_pull_u32(ndr, &cnt))
        return FALSE;
    if (cnt != max)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "MInterfacePointer ulCntData %u differs from its conformance %u",
                                cnt, max);
    if (cnt > RA_OAUT_MAX_OBJREF)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "OBJREF of %u bytes is over %u", cnt,
                                RA_OAUT_MAX_OBJREF);
    if (!ra_ndr_pull_u8_array(ndr, cnt, &r->data))
        return FALSE;
    r->size = cnt;
    return TRUE;
}

gboolean ra_oaut_push_minterface_pointer(RaNdrPush *ndr, int flags, const RaInterfacePointer *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_push_ok(ndr);
    return ra_ndr_push_array_size(ndr, r->size) && ra_ndr_push_u32(ndr, r->size) &&
           ra_ndr_push_bytes(ndr, r->data, r->size);
}

void ra_oaut_print_minterface_pointer(RaNdrPrint *p, const char *name, const RaInterfacePointer *r)
{
    ra_ndr_print_begin(p, name, "struct", "MInterfacePointer");
    ra_ndr_print_u32(p, "ulCntData", r->size);
    ra_ndr_print_bytes(p, "abData", r->data, r->size);
    ra_ndr_print_end(p);
}

gboolean ra_oaut_pull_interface_ptr(RaNdrPull *ndr, int flags, RaInterfacePointer **r)
{
    if (flags & RA_NDR_SCALARS) {
        *r = NULL;
        guint32 id;
        if (!ra_ndr_pull_ptr(ndr, &id))
            return FALSE;
        if (id != 0)
            *r = ra_arena_new0(ra_ndr_pull_arena(ndr), RaInterfacePointer);
    }
    if ((flags & RA_NDR_BUFFERS) && *r != NULL)
        return ra_oaut_pull_minterface_pointer(ndr, RA_NDR_BOTH, *r);
    return ra_ndr_pull_ok(ndr);
}

gboolean ra_oaut_push_interface_ptr(RaNdrPush *ndr, int flags, const RaInterfacePointer *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r != NULL)
        return ra_oaut_push_minterface_pointer(ndr, RA_NDR_BOTH, r);
    return ra_ndr_push_ok(ndr);
}

void ra_oaut_print_interface_ptr(RaNdrPrint *p, const char *name, const RaInterfacePointer *r)
{
    if (r == NULL)
        ra_ndr_print_null(p, name);
    else
        ra_oaut_print_minterface_pointer(p, name, r);
}

/* ---- BSTR ---- */

/* The user-marshal marker (or plain referent ID) of a wire_marshal type, with its quirks. */
static gboolean pull_marker(RaNdrPull *ndr, guint32 *marker)
{
    if (!ra_ndr_pull_u32(ndr, marker))
        return FALSE;
    if (*marker == 0)
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_BSTR_NULL_POINTER);
    else if (*marker != RA_OAUT_USER_MARSHAL_MARKER)
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_BSTR_PLAIN_POINTER);
    return TRUE;
}

/* FLAGGED_WORD_BLOB ([MS-OAUT] 2.2.23.1). */
static gboolean pull_flagged_word_blob(RaNdrPull *ndr, gchar **r)
{
    *r = NULL;
    guint32 max = 0, byte_len = 0, cl_size = 0;
    const guint8 *units;
    if (!ra_ndr_pull_array_size(ndr, 2, &max) || !ra_ndr_pull_u32(ndr, &byte_len) ||
        !ra_ndr_pull_u32(ndr, &cl_size))
        return FALSE;
    if (cl_size != max)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "BSTR clSize %u differs from its size %u",
                                cl_size, max);
    if (!ra_ndr_pull_bytes_ref(ndr, 2 * (gsize)cl_size, &units))
        return FALSE;
    if (byte_len == BSTR_NULL_FLAGS)
        return TRUE; /* a NULL BSTR ([MS-OAUT] 2.2.23.1: fFlags) */
    if (byte_len > 2 * (guint64)cl_size)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "BSTR byte length %u exceeds its %u characters", byte_len, cl_size);
    gsize n = byte_len / 2; /* an odd last byte cannot be UTF-16: dropped */
    while (n > 0 && units[2 * n - 2] == 0 && units[2 * n - 1] == 0)
        n--; /* trailing NULs some clients include */
    return ra_ndr_pull_utf16(ndr, units, n, FALSE, FALSE, r);
}

gboolean ra_oaut_pull_bstr(RaNdrPull *ndr, int flags, gchar **r)
{
    if (flags & RA_NDR_SCALARS) {
        *r = NULL;
        guint32 marker;
        if (!pull_marker(ndr, &marker))
            return FALSE;
        if (marker != 0)
            *r = bstr_pending;
    }
    if ((flags & RA_NDR_BUFFERS) && *r == bstr_pending)
        return pull_flagged_word_blob(ndr, r);
    return ra_ndr_pull_ok(ndr);
}

gboolean ra_oaut_push_bstr(RaNdrPush *ndr, int flags, const gchar *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_u32(ndr, RA_OAUT_USER_MARSHAL_MARKER))
        return FALSE;
    if (!(flags & RA_NDR_BUFFERS))
        return ra_ndr_push_ok(ndr);
    if (r == NULL) /* Windows: conformance 0, fFlags 0xFFFFFFFF, clSize 0 */
        return ra_ndr_push_u32(ndr, 0) && ra_ndr_push_u32(ndr, BSTR_NULL_FLAGS) &&
               ra_ndr_push_u32(ndr, 0);
    /* Sizes first: write placeholders, then the characters, then patch. */
    if (!ra_ndr_push_align(ndr, 4))
        return FALSE;
    gsize at = ra_ndr_push_offset(ndr);
    gsize n = 0;
    if (!ra_ndr_push_zeros(ndr, 12) || !ra_ndr_push_utf16(ndr, r, &n))
        return FALSE;
    return ra_ndr_push_u32_at(ndr, at, (guint32)n) &&
           ra_ndr_push_u32_at(ndr, at + 4, (guint32)(2 * n)) &&
           ra_ndr_push_u32_at(ndr, at + 8, (guint32)n);
}

void ra_oaut_print_bstr(RaNdrPrint *p, const char *name, const gchar *r)
{
    ra_ndr_print_string(p, name, r);
}

/* ---- SAFEARRAY(BSTR) ---- */

const char *ra_safearray_form_name(RaSafeArrayForm form)
{
    switch (form) {
    case RA_SAFEARRAY_FORM_WINDOWS:
        return "Windows user-marshal form";
    case RA_SAFEARRAY_FORM_ALIGNED8:
        return "user-marshal form aligned to 8 (Wine)";
    case RA_SAFEARRAY_FORM_SHORT:
        return "short form (impacket)";
    }
    return "unknown form";
}

/* Does a _wireSAFEARRAY of BSTR plausibly start at `at` bytes into the remaining input (a
 * conformance equal to cDims, FADF_BSTR, cbElements 4)? */
static gboolean plausible_safearray(const guint8 *rest, gsize left, gsize at)
{
    if (left < at + 12)
        return FALSE;
    const guint8 *p = rest + at;
    guint32 conformance = ra_le32(p);
    guint16 dims = ra_le16(p + 4);
    guint16 features = ra_le16(p + 6);
    return conformance == dims && dims != 0 && (features & RA_FADF_BSTR) && ra_le32(p + 8) == 4;
}

/* The _wireSAFEARRAY ([MS-OAUT] 2.2.30.10) of BSTRs and its deferred BSTR array. */
static gboolean pull_wire_safearray_bstr(RaNdrPull *ndr, RaBstrArray *a)
{
    guint32 conformance = 0, elem_size = 0, locks = 0, sf_type = 0, size = 0;
    guint16 dims = 0, features = 0;
    if (!ra_ndr_pull_array_size(ndr, 8, &conformance) || !ra_ndr_pull_u16(ndr, &dims) ||
        !ra_ndr_pull_u16(ndr, &features) || !ra_ndr_pull_u32(ndr, &elem_size) ||
        !ra_ndr_pull_u32(ndr, &locks) || !ra_ndr_pull_union_level(ndr, 4, &sf_type))
        return FALSE;
    if (conformance != dims)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "SAFEARRAY cDims %u differs from its conformance %u", dims,
                                conformance);
    if (dims != 1)
        return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED,
                                "SAFEARRAY with %u dimensions (only 1 is supported)", dims);
    if (sf_type != RA_SF_BSTR || !(features & RA_FADF_BSTR) || elem_size != 4)
        return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED,
                                "SAFEARRAY of type %u (features 0x%04x, %u-byte elements) is not "
                                "an array of BSTR",
                                sf_type, features, elem_size);
    /* SAFEARR_BSTR: Size, [ref] aBstr; then rgsabound. */
    if (!ra_ndr_pull_u32(ndr, &size) || !ra_ndr_pull_ref_ptr(ndr))
        return FALSE;
    guint32 elements = 0;
    gint32 lbound = 0;
    if (!ra_ndr_pull_u32(ndr, &elements) || !ra_ndr_pull_i32(ndr, &lbound))
        return FALSE;
    if (elements != size)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "SAFEARRAY bound of %u elements differs from its size %u", elements,
                                size);
    if (size > RA_OAUT_MAX_SAFEARRAY_ELEMENTS)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "SAFEARRAY of %u elements", size);
    /* Deferred: the conformant array of wireBSTR (markers, then the blobs). */
    guint32 count = 0;
    if (!ra_ndr_pull_array_size(ndr, 4, &count))
        return FALSE;
    if (count != size)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "SAFEARRAY BSTR array of %u differs from its size %u", count, size);
    gchar **items = ra_ndr_pull_alloc_array(ndr, count, sizeof(gchar *), 4);
    if (items == NULL)
        return FALSE;
    for (guint32 i = 0; i < count; i++)
        if (!ra_oaut_pull_bstr(ndr, RA_NDR_SCALARS, &items[i]))
            return FALSE;
    for (guint32 i = 0; i < count; i++)
        if (!ra_oaut_pull_bstr(ndr, RA_NDR_BUFFERS, &items[i]))
            return FALSE;
    a->count = count;
    a->lower_bound = lbound;
    a->items = items;
    return TRUE;
}

gboolean ra_oaut_pull_safearray_bstr(RaNdrPull *ndr, int flags, RaBstrArray **r)
{
    if (flags & RA_NDR_SCALARS) {
        *r = NULL;
        guint32 marker;
        if (!ra_ndr_pull_u32(ndr, &marker))
            return FALSE;
        if (marker != 0)
            *r = ra_arena_new0(ra_ndr_pull_arena(ndr), RaBstrArray);
    }
    if (!(flags & RA_NDR_BUFFERS) || *r == NULL)
        return ra_ndr_pull_ok(ndr);
    RaBstrArray *a = *r;
    if (!ra_ndr_pull_align(ndr, 4))
        return FALSE;
    gsize off = ra_ndr_pull_offset(ndr), left = ra_ndr_pull_remaining(ndr);
    const guint8 *rest;
    if (!ra_ndr_pull_bytes_ref(ndr, 0, &rest))
        return FALSE;
    guint32 first = left >= 4 ? ra_le32(rest) : 0;
    /* Tell the forms apart by where a plausible header sits (facts.md, "wire forms"). */
    if (off % 8 == 4 && left >= 8 && first == 0 && ra_le32(rest + 4) != 0 &&
        plausible_safearray(rest, left, 8)) {
        a->form = RA_SAFEARRAY_FORM_ALIGNED8;
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_SAFEARRAY_ALIGNED8);
        if (!ra_ndr_pull_skip(ndr, 8))
            return FALSE;
    } else if (first != 0 && plausible_safearray(rest, left, 4)) {
        a->form = RA_SAFEARRAY_FORM_WINDOWS;
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_SAFEARRAY_WINDOWS);
        if (!ra_ndr_pull_skip(ndr, 4))
            return FALSE;
    } else if (plausible_safearray(rest, left, 0)) {
        a->form = RA_SAFEARRAY_FORM_SHORT;
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_SAFEARRAY_SHORT);
    } else if (left >= 4 && first == 0) {
        /* Windows form of a NULL array: marker, then a NULL pointer. */
        ra_ndr_pull_add_quirk(ndr, RA_NDR_QUIRK_SAFEARRAY_WINDOWS);
        *r = NULL;
        return ra_ndr_pull_skip(ndr, 4);
    } else {
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "no SAFEARRAY of BSTR in any known wire form here");
    }
    return pull_wire_safearray_bstr(ndr, a);
}

gboolean ra_oaut_push_safearray_bstr(RaNdrPush *ndr, int flags, const RaBstrArray *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_u32(ndr, RA_OAUT_USER_MARSHAL_MARKER))
        return FALSE;
    if (!(flags & RA_NDR_BUFFERS))
        return ra_ndr_push_ok(ndr);
    if (r == NULL)
        return ra_ndr_push_u32(ndr, 0);
    if (r->count > RA_OAUT_MAX_SAFEARRAY_ELEMENTS)
        return ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "SAFEARRAY of %u elements", r->count);
    /* The non-NULL pointer Windows XP and later write as 1 (Wine's tests). */
    gboolean ok = ra_ndr_push_u32(ndr, 1) && ra_ndr_push_array_size(ndr, 1) &&
                  ra_ndr_push_u16(ndr, 1) &&
                  ra_ndr_push_u16(ndr, RA_FADF_BSTR | RA_FADF_HAVEVARTYPE) &&
                  ra_ndr_push_u32(ndr, 4) &&                         /* cbElements */
                  ra_ndr_push_u32(ndr, (guint32)RA_VT_BSTR << 16) && /* cLocks: VARTYPE high */
                  ra_ndr_push_union_level(ndr, 4, RA_SF_BSTR) && ra_ndr_push_u32(ndr, r->count) &&
                  ra_ndr_push_ref_ptr(ndr, r) && ra_ndr_push_u32(ndr, r->count) &&
                  ra_ndr_push_i32(ndr, r->lower_bound) && ra_ndr_push_array_size(ndr, r->count);
    for (guint32 i = 0; ok && i < r->count; i++)
        ok = ra_oaut_push_bstr(ndr, RA_NDR_SCALARS, r->items[i]);
    for (guint32 i = 0; ok && i < r->count; i++)
        ok = ra_oaut_push_bstr(ndr, RA_NDR_BUFFERS, r->items[i]);
    return ok;
}

void ra_oaut_print_safearray_bstr(RaNdrPrint *p, const char *name, const RaBstrArray *r)
{
    if (r == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    ra_ndr_print_begin(p, name, "SAFEARRAY", "BSTR");
    ra_ndr_print_i32(p, "lLbound", r->lower_bound);
    ra_ndr_print_array_begin(p, "elements", r->count);
    for (guint32 i = 0; i < r->count; i++) {
        char idx[16];
        g_snprintf(idx, sizeof idx, "[%u]", i);
        ra_ndr_print_string(p, idx, r->items[i]);
    }
    ra_ndr_print_end(p);
    ra_ndr_print_end(p);
}

/* ---- VARIANT ---- */

static const struct {
    guint16 vt;
    const char *name;
} vt_names[] = {
    {RA_VT_EMPTY, "VT_EMPTY"},     {RA_VT_NULL, "VT_NULL"},
    {RA_VT_I2, "VT_I2"},           {RA_VT_I4, "VT_I4"},
    {RA_VT_R4, "VT_R4"},           {RA_VT_R8, "VT_R8"},
    {RA_VT_CY, "VT_CY"},           {RA_VT_DATE, "VT_DATE"},
    {RA_VT_BSTR, "VT_BSTR"},       {RA_VT_DISPATCH, "VT_DISPATCH"},
    {RA_VT_ERROR, "VT_ERROR"},     {RA_VT_BOOL, "VT_BOOL"},
    {RA_VT_VARIANT, "VT_VARIANT"}, {RA_VT_UNKNOWN, "VT_UNKNOWN"},
    {RA_VT_I1, "VT_I1"},           {RA_VT_UI1, "VT_UI1"},
    {RA_VT_UI2, "VT_UI2"},         {RA_VT_UI4, "VT_UI4"},
    {RA_VT_I8, "VT_I8"},           {RA_VT_UI8, "VT_UI8"},
    {RA_VT_INT, "VT_INT"},         {RA_VT_UINT, "VT_UINT"},
};

gchar *ra_oaut_vartype_name(guint16 vt)
{
    const char *base = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(vt_names); i++)
        if (vt_names[i].vt == (vt & RA_VT_TYPEMASK))
            base = vt_names[i].name;
    if (base == NULL || (vt & ~(RA_VT_TYPEMASK | RA_VT_ARRAY | RA_VT_BYREF)) != 0)
        return g_strdup_printf("0x%04x", vt);
    return g_strdup_printf("%s%s%s", (vt & RA_VT_BYREF) ? "VT_BYREF|" : "",
                           (vt & RA_VT_ARRAY) ? "VT_ARRAY|" : "", base);
}

/* Wire size and alignment of the scalar VARIANT types; 0 for the others. */
static guint scalar_size(guint16 base)
{
    switch (base) {
    case RA_VT_I1:
    case RA_VT_UI1:
        return 1;
    case RA_VT_I2:
    case RA_VT_UI2:
    case RA_VT_BOOL:
        return 2;
    case RA_VT_I4:
    case RA_VT_UI4:
    case RA_VT_INT:
    case RA_VT_UINT:
    case RA_VT_R4:
    case RA_VT_ERROR:
        return 4;
    case RA_VT_I8:
    case RA_VT_UI8:
    case RA_VT_R8:
    case RA_VT_CY:
    case RA_VT_DATE:
        return 8;
    default:
        return 0;
    }
}

static gboolean supported_vt(guint16 vt)
{
    guint16 base = vt & RA_VT_TYPEMASK;
    guint16 modifiers = vt & ~RA_VT_TYPEMASK;
    if (modifiers & ~(RA_VT_ARRAY | RA_VT_BYREF))
        return FALSE;
    if (modifiers & RA_VT_ARRAY)
        return base == RA_VT_BSTR;
    if (base == RA_VT_EMPTY || base == RA_VT_NULL)
        return modifiers == 0;
    if (base == RA_VT_VARIANT)
        return modifiers == RA_VT_BYREF;
    return scalar_size(base) != 0 || base == RA_VT_BSTR || base == RA_VT_UNKNOWN ||
           base == RA_VT_DISPATCH;
}

static gboolean pull_scalar_value(RaNdrPull *ndr, guint16 base, RaVariant *r)
{
    switch (scalar_size(base)) {
    case 1:
        return ra_ndr_pull_u8(ndr, &r->v.ui1);
    case 2:
        return ra_ndr_pull_u16(ndr, &r->v.ui2);
    case 4:
        return ra_ndr_pull_u32(ndr, &r->v.ui4);
    case 8:
        return ra_ndr_pull_u64(ndr, &r->v.ui8);
    }
    g_return_val_if_reached(FALSE);
}

static gboolean push_scalar_value(RaNdrPush *ndr, guint16 base, const RaVariant *r)
{
    switch (scalar_size(base)) {
    case 1:
        return ra_ndr_push_u8(ndr, r->v.ui1);
    case 2:
        return ra_ndr_push_u16(ndr, r->v.ui2);
    case 4:
        return ra_ndr_push_u32(ndr, r->v.ui4);
    case 8:
        return ra_ndr_push_u64(ndr, r->v.ui8);
    }
    g_return_val_if_reached(FALSE);
}

/* The union arm of _wireVARIANT for r->vt (byref pointer included). */
static gboolean pull_variant_arm(RaNdrPull *ndr, RaVariant *r)
{
    guint16 base = r->vt & RA_VT_TYPEMASK;
    if (r->vt & RA_VT_BYREF) {
        guint32 id;
        if (!ra_ndr_pull_ptr(ndr, &id))
            return FALSE;
        if (id == 0)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "NULL VT_BYREF pointer in VARIANT");
    }
    if (r->vt & RA_VT_ARRAY)
        return ra_oaut_pull_safearray_bstr(ndr, RA_NDR_BOTH, &r->v.bstr_array);
    if (base == RA_VT_EMPTY || base == RA_VT_NULL)
        return TRUE;
    if (base == RA_VT_BSTR)
        return ra_oaut_pull_bstr(ndr, RA_NDR_BOTH, &r->v.bstr);
    if (base == RA_VT_UNKNOWN || base == RA_VT_DISPATCH)
        return ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->v.iface);
    if (base == RA_VT_VARIANT) {
        r->v.variant = ra_arena_new0(ra_ndr_pull_arena(ndr), RaVariant);
        return ra_oaut_pull_variant(ndr, RA_NDR_BOTH, r->v.variant);
    }
    return pull_scalar_value(ndr, base, r);
}

gboolean ra_oaut_pull_variant(RaNdrPull *ndr, int flags, RaVariant *r)
{
    if (flags & RA_NDR_SCALARS) {
        memset(r, 0, sizeof *r);
        if (!pull_marker(ndr, &r->wire_marker))
            return FALSE;
    }
    if (!(flags & RA_NDR_BUFFERS))
        return ra_ndr_pull_ok(ndr);
    /* Count the nesting even for a NULL wireVARIANT (read as VT_EMPTY): we would send it with a
     * body, so what pulls must stay within the depth a push accepts. */
    if (!ra_ndr_pull_enter(ndr))
        return FALSE;
    if (r->wire_marker == 0) {
        ra_ndr_pull_leave(ndr);
        return TRUE;
    }
    guint32 cl_size, reserved, discriminant;
    guint16 vt, w1, w2, w3;
    gboolean ok = ra_ndr_pull_align(ndr, 8) && ra_ndr_pull_u32(ndr, &cl_size) &&
                  ra_ndr_pull_u32(ndr, &reserved) && ra_ndr_pull_u16(ndr, &vt) &&
                  ra_ndr_pull_u16(ndr, &w1) && ra_ndr_pull_u16(ndr, &w2) &&
                  ra_ndr_pull_u16(ndr, &w3) && ra_ndr_pull_union_level(ndr, 4, &discriminant);
    if (ok) {
        /* [MS-OAUT] 2.2.29.2: the discriminant is vt, except that for VT_ARRAY only the
         * modifier bits are kept (Wine's tests, which pass on Windows). */
        guint32 expect = (vt & RA_VT_ARRAY) ? (guint32)(vt & ~RA_VT_TYPEMASK) : vt;
        if (discriminant != expect && discriminant != vt)
            ok = ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                  "VARIANT discriminant 0x%x does not match vt 0x%04x",
                                  discriminant, vt);
        else if (!supported_vt(vt)) {
            gchar *name = ra_oaut_vartype_name(vt);
            ok = ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED, "VARIANT of type %s", name);
            g_free(name);
        }
    }
    if (ok) {
        r->vt = vt;
        ok = pull_variant_arm(ndr, r);
    }
    ra_ndr_pull_leave(ndr);
    return ok;
}

static gboolean push_variant_arm(RaNdrPush *ndr, const RaVariant *r)
{
    guint16 base = r->vt & RA_VT_TYPEMASK;
    if ((r->vt & RA_VT_BYREF) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if (r->vt & RA_VT_ARRAY)
        return ra_oaut_push_safearray_bstr(ndr, RA_NDR_BOTH, r->v.bstr_array);
    if (base == RA_VT_EMPTY || base == RA_VT_NULL)
        return TRUE;
    if (base == RA_VT_BSTR)
        return ra_oaut_push_bstr(ndr, RA_NDR_BOTH, r->v.bstr);
    if (base == RA_VT_UNKNOWN || base == RA_VT_DISPATCH)
        return ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->v.iface);
    if (base == RA_VT_VARIANT) {
        if (r->v.variant == NULL)
            return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, "VT_BYREF|VT_VARIANT without a value");
        return ra_oaut_push_variant(ndr, RA_NDR_BOTH, r->v.variant);
    }
    return push_scalar_value(ndr, base, r);
}

gboolean ra_oaut_push_variant(RaNdrPush *ndr, int flags, const RaVariant *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_u32(ndr, RA_OAUT_USER_MARSHAL_MARKER))
        return FALSE;
    if (!(flags & RA_NDR_BUFFERS))
        return ra_ndr_push_ok(ndr);
    if (!supported_vt(r->vt)) {
        gchar *name = ra_oaut_vartype_name(r->vt);
        ra_ndr_push_fail(ndr, RA_ERROR_UNSUPPORTED, "VARIANT of type %s", name);
        g_free(name);
        return FALSE;
    }
    if (!ra_ndr_push_enter(ndr))
        return FALSE;
    guint32 discriminant = (r->vt & RA_VT_ARRAY) ? (guint32)(r->vt & ~RA_VT_TYPEMASK) : r->vt;
    gsize start = 0;
    gboolean ok = ra_ndr_push_align(ndr, 8);
    if (ok)
        start = ra_ndr_push_offset(ndr);
    ok = ok && ra_ndr_push_u32(ndr, 0) /* clSize, patched below */ && ra_ndr_push_u32(ndr, 0) &&
         ra_ndr_push_u16(ndr, r->vt) && ra_ndr_push_u16(ndr, 0) && ra_ndr_push_u16(ndr, 0) &&
         ra_ndr_push_u16(ndr, 0) && ra_ndr_push_union_level(ndr, 4, discriminant) &&
         push_variant_arm(ndr, r);
    /* clSize: the marshalled size in 8-byte units, rounded up ([MS-OAUT] 2.2.29.2). */
    ok = ok && ra_ndr_push_u32_at(ndr, start, (guint32)((ra_ndr_push_offset(ndr) - start + 7) / 8));
    ra_ndr_push_leave(ndr);
    return ok;
}

void ra_oaut_print_variant(RaNdrPrint *p, const char *name, const RaVariant *r)
{
    gchar *type = ra_oaut_vartype_name(r->vt);
    ra_ndr_print_begin(p, name, "VARIANT", type);
    g_free(type);
    guint16 base = r->vt & RA_VT_TYPEMASK;
    if (r->vt & RA_VT_ARRAY) {
        ra_oaut_print_safearray_bstr(p, "parray", r->v.bstr_array);
    } else {
        switch (base) {
        case RA_VT_EMPTY:
        case RA_VT_NULL:
            break;
        case RA_VT_I1:
            ra_ndr_print_i8(p, "cVal", r->v.i1);
            break;
        case RA_VT_UI1:
            ra_ndr_print_u8(p, "bVal", r->v.ui1);
            break;
        case RA_VT_I2:
            ra_ndr_print_i16(p, "iVal", r->v.i2);
            break;
        case RA_VT_UI2:
            ra_ndr_print_u16(p, "uiVal", r->v.ui2);
            break;
        case RA_VT_BOOL:
            ra_ndr_print_i16(p, "boolVal", r->v.boolean);
            break;
        case RA_VT_I4:
        case RA_VT_INT:
            ra_ndr_print_i32(p, "lVal", r->v.i4);
            break;
        case RA_VT_UI4:
        case RA_VT_UINT:
            ra_ndr_print_u32(p, "ulVal", r->v.ui4);
            break;
        case RA_VT_ERROR:
            ra_ndr_print_hex32(p, "scode", r->v.scode);
            break;
        case RA_VT_R4:
            ra_ndr_print_double(p, "fltVal", r->v.r4);
            break;
        case RA_VT_R8:
            ra_ndr_print_double(p, "dblVal", r->v.r8);
            break;
        case RA_VT_DATE:
            ra_ndr_print_double(p, "date", r->v.date);
            break;
        case RA_VT_I8:
        case RA_VT_CY:
            ra_ndr_print_i64(p, base == RA_VT_CY ? "cyVal" : "llVal", r->v.i8);
            break;
        case RA_VT_UI8:
            ra_ndr_print_u64(p, "ullVal", r->v.ui8);
            break;
        case RA_VT_BSTR:
            ra_oaut_print_bstr(p, "bstrVal", r->v.bstr);
            break;
        case RA_VT_UNKNOWN:
        case RA_VT_DISPATCH:
            ra_oaut_print_interface_ptr(p, base == RA_VT_UNKNOWN ? "punkVal" : "pdispVal",
                                        r->v.iface);
            break;
        case RA_VT_VARIANT:
            if (r->v.variant)
                ra_oaut_print_variant(p, "pvarVal", r->v.variant);
            else
                ra_ndr_print_null(p, "pvarVal");
            break;
        default:
            ra_ndr_print_line(p, "(unsupported type)");
        }
    }
    ra_ndr_print_end(p);
}

/* ---- descriptors ---- */

static gboolean pull_bstr_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_oaut_pull_bstr(ndr, flags, r);
}

static gboolean push_bstr_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_oaut_push_bstr(ndr, flags, *(gchar *const *)r);
}

static void print_bstr_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_oaut_print_bstr(p, name, *(gchar *const *)r);
}

static gboolean pull_safearray_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_oaut_pull_safearray_bstr(ndr, flags, r);
}

static gboolean push_safearray_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_oaut_push_safearray_bstr(ndr, flags, *(RaBstrArray *const *)r);
}

static void print_safearray_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_oaut_print_safearray_bstr(p, name, *(RaBstrArray *const *)r);
}

static gboolean pull_variant_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_oaut_pull_variant(ndr, flags, r);
}

static gboolean push_variant_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_oaut_push_variant(ndr, flags, r);
}

static void print_variant_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_oaut_print_variant(p, name, r);
}

static gboolean pull_iface_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_oaut_pull_interface_ptr(ndr, flags, r);
}

static gboolean push_iface_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_oaut_push_interface_ptr(ndr, flags, *(RaInterfacePointer *const *)r);
}

static void print_iface_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_oaut_print_interface_ptr(p, name, *(RaInterfacePointer *const *)r);
}

static gboolean pull_mip_t(RaNdrPull *ndr, int flags, gpointer r)
{
    return ra_oaut_pull_minterface_pointer(ndr, flags, r);
}

static gboolean push_mip_t(RaNdrPush *ndr, int flags, gconstpointer r)
{
    return ra_oaut_push_minterface_pointer(ndr, flags, r);
}

static void print_mip_t(RaNdrPrint *p, const char *name, gconstpointer r)
{
    ra_oaut_print_minterface_pointer(p, name, r);
}

static const RaNdrType oaut_types[] = {
    {"bstr", sizeof(gchar *), pull_bstr_t, push_bstr_t, print_bstr_t},
    {"safearray_bstr", sizeof(RaBstrArray *), pull_safearray_t, push_safearray_t,
     print_safearray_t},
    {"variant", sizeof(RaVariant), pull_variant_t, push_variant_t, print_variant_t},
    {"interface_ptr", sizeof(RaInterfacePointer *), pull_iface_t, push_iface_t, print_iface_t},
    {"minterface_pointer", sizeof(RaInterfacePointer), pull_mip_t, push_mip_t, print_mip_t},
};

const RaNdrType *ra_oaut_types(guint *n)
{
    *n = G_N_ELEMENTS(oaut_types);
    return oaut_types;
}
