/*
 * IDispatch GetIDsOfNames and Invoke ([MS-OAUT] 3.1.4.3, 3.1.4.4) and VARIANT conversions (see
 * ra/idispatch.h).
 */
#include "ra/idispatch.h"

#include <string.h>

/* ---- arrays of VARIANT / u32 / i32 used by both calls ---- */

/* A conformant array of VARIANTs of `count` elements (conformance checked): scalars of every
 * element, then their buffers ([C706] 14.3.12.3). */
static gboolean pull_variant_array(RaNdrPull *ndr, guint32 count, const char *what, RaVariant **out)
{
    guint32 max_count;
    if (!ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != count)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%s: %u VARIANTs for a count of %u", what,
                                max_count, count);
    RaVariant *v = ra_ndr_pull_alloc_array(ndr, count, sizeof(RaVariant), 4);
    if (v == NULL)
        return FALSE;
    for (guint32 i = 0; i < count; i++) {
        if (!ra_oaut_pull_variant(ndr, RA_NDR_SCALARS, &v[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < count; i++) {
        if (!ra_oaut_pull_variant(ndr, RA_NDR_BUFFERS, &v[i]))
            return FALSE;
    }
    *out = v;
    return TRUE;
}

static gboolean push_variant_array(RaNdrPush *ndr, guint32 count, const RaVariant *v)
{
    if (!ra_ndr_push_array_size(ndr, count))
        return FALSE;
    for (guint32 i = 0; i < count; i++) {
        if (!ra_oaut_push_variant(ndr, RA_NDR_SCALARS, &v[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < count; i++) {
        if (!ra_oaut_push_variant(ndr, RA_NDR_BUFFERS, &v[i]))
            return FALSE;
    }
    return TRUE;
}

static void print_variant_array(RaNdrPrint *p, const char *name, guint32 count, const RaVariant *v)
{
    if (v == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    ra_ndr_print_array_begin(p, name, count);
    for (guint32 i = 0; i < count; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_oaut_print_variant(p, e, &v[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
}

static gboolean pull_u32_array_counted(RaNdrPull *ndr, guint32 count, const char *what,
                                       guint32 **out)
{
    guint32 max_count;
    if (!ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != count)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%s: %u entries for a count of %u", what,
                                max_count, count);
    return ra_ndr_pull_u32_array(ndr, count, out);
}

static gboolean push_u32_array_counted(RaNdrPush *ndr, guint32 count, const guint32 *v)
{
    return ra_ndr_push_array_size(ndr, count) && ra_ndr_push_u32_array(ndr, v, count);
}

static void print_u32s(RaNdrPrint *p, const char *name, guint32 count, const guint32 *v,
                       gboolean is_signed)
{
    if (v == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    ra_ndr_print_array_begin(p, name, count);
    for (guint32 i = 0; i < count; i++) {
        if (is_signed)
            ra_ndr_print_line(p, "[%u]: %d (0x%08x)", i, (gint32)v[i], v[i]);
        else
            ra_ndr_print_line(p, "[%u]: %u (0x%x)", i, v[i], v[i]);
    }
    ra_ndr_print_end(p);
}

static gboolean check_limit(RaNdrPull *ndr, const char *what, guint32 n, guint32 limit)
{
    if (n > limit)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "%s %u over the limit of %u", what, n,
                                limit);
    return TRUE;
}

/* ---- GetIDsOfNames ([MS-OAUT] 3.1.4.3) ---- */

gboolean ra_dispatch_pull_getidsofnames_in(RaNdrPull *ndr, RaGetIDsOfNamesIn *r)
{
    memset(r, 0, sizeof *r);
    guint32 max_count;
    if (!ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) ||
        !ra_ndr_pull_uuid(ndr, &r->riid) || !ra_ndr_pull_array_size(ndr, 4, &max_count) ||
        !check_limit(ndr, "cNames", max_count, RA_DISPATCH_MAX_NAMES))
        return FALSE;
    /* [in, size_is(cNames)] LPOLESTR *rgszNames: the array comes before cNames on the wire. */
    guint32 *ptrs = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(guint32), 4);
    gchar **names = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(gchar *), 4);
    if (ptrs == NULL || names == NULL)
        return FALSE;
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_ndr_pull_ptr(ndr, &ptrs[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < max_count; i++) {
        if (ptrs[i] != 0 && !ra_ndr_pull_wstring(ndr, &names[i]))
            return FALSE;
    }
    if (!ra_ndr_pull_u32(ndr, &r->n_names) || !ra_ndr_pull_u32(ndr, &r->lcid))
        return FALSE;
    if (r->n_names != max_count)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "cNames %u, rgszNames of %u", r->n_names,
                                max_count);
    r->names = names;
    return TRUE;
}

gboolean ra_dispatch_push_getidsofnames_in(RaNdrPush *ndr, const RaGetIDsOfNamesIn *r)
{
    if (!ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) ||
        !ra_ndr_push_uuid(ndr, &r->riid) || !ra_ndr_push_array_size(ndr, r->n_names))
        return FALSE;
    for (guint32 i = 0; i < r->n_names; i++) {
        if (!ra_ndr_push_ptr(ndr, r->names[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < r->n_names; i++) {
        if (r->names[i] && !ra_ndr_push_wstring(ndr, r->names[i]))
            return FALSE;
    }
    return ra_ndr_push_u32(ndr, r->n_names) && ra_ndr_push_u32(ndr, r->lcid);
}

void ra_dispatch_print_getidsofnames_in(RaNdrPrint *p, const char *name, const RaGetIDsOfNamesIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "GetIDsOfNames_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_dcom_print_guid(p, "riid", &r->riid);
    ra_ndr_print_array_begin(p, "rgszNames", r->n_names);
    for (guint32 i = 0; i < r->n_names; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_ndr_print_string(p, e, r->names[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_ndr_print_u32(p, "cNames", r->n_names);
    ra_ndr_print_hex32(p, "lcid", r->lcid);
    ra_ndr_print_end(p);
}

gboolean ra_dispatch_pull_getidsofnames_out(RaNdrPull *ndr, RaGetIDsOfNamesOut *r)
{
    guint32 n = r->n_ids;
    memset(r, 0, sizeof *r);
    r->n_ids = n;
    return ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           pull_u32_array_counted(ndr, n, "rgDispId", (guint32 **)&r->ids) &&
           ra_ndr_pull_u32(ndr, &r->result);
}

gboolean ra_dispatch_push_getidsofnames_out(RaNdrPush *ndr, const RaGetIDsOfNamesOut *r)
{
    return ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           push_u32_array_counted(ndr, r->n_ids, (const guint32 *)r->ids) &&
           ra_ndr_push_u32(ndr, r->result);
}

void ra_dispatch_print_getidsofnames_out(RaNdrPrint *p, const char *name,
                                         const RaGetIDsOfNamesOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "GetIDsOfNames_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    print_u32s(p, "rgDispId", r->n_ids, (const guint32 *)r->ids, TRUE);
    ra_dcom_print_hresult(p, "result", r->result);
    ra_ndr_print_end(p);
}

/* ---- DISPPARAMS ([MS-OAUT] 2.2.33) ---- */

static gboolean pull_dispparams(RaNdrPull *ndr, RaDispParams *r)
{
    guint32 args_ptr, named_ptr;
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_ptr(ndr, &args_ptr) ||
        !ra_ndr_pull_ptr(ndr, &named_ptr) || !ra_ndr_pull_u32(ndr, &r->n_args) ||
        !ra_ndr_pull_u32(ndr, &r->n_named) ||
        !check_limit(ndr, "cArgs", r->n_args, RA_DISPATCH_MAX_ARGS) ||
        !check_limit(ndr, "cNamedArgs", r->n_named, RA_DISPATCH_MAX_ARGS))
        return FALSE;
    if (args_ptr == 0 && r->n_args != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "cArgs %u with a NULL rgvarg", r->n_args);
    if (named_ptr == 0 && r->n_named != 0)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "cNamedArgs %u with a NULL rgdispidNamedArgs", r->n_named);
    if (args_ptr && !pull_variant_array(ndr, r->n_args, "rgvarg", &r->args))
        return FALSE;
    if (named_ptr &&
        !pull_u32_array_counted(ndr, r->n_named, "rgdispidNamedArgs", (guint32 **)&r->named))
        return FALSE;
    return TRUE;
}

static gboolean push_dispparams(RaNdrPush *ndr, const RaDispParams *r)
{
    if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_ptr(ndr, r->args) ||
        !ra_ndr_push_ptr(ndr, r->named) || !ra_ndr_push_u32(ndr, r->n_args) ||
        !ra_ndr_push_u32(ndr, r->n_named))
        return FALSE;
    if (r->args && !push_variant_array(ndr, r->n_args, r->args))
        return FALSE;
    if (r->named && !push_u32_array_counted(ndr, r->n_named, (const guint32 *)r->named))
        return FALSE;
    return TRUE;
}

static void print_dispparams(RaNdrPrint *p, const char *name, const RaDispParams *r)
{
    ra_ndr_print_begin(p, name, "struct", "DISPPARAMS");
    print_variant_array(p, "rgvarg", r->n_args, r->args);
    print_u32s(p, "rgdispidNamedArgs", r->n_named, (const guint32 *)r->named, TRUE);
    ra_ndr_print_u32(p, "cArgs", r->n_args);
    ra_ndr_print_u32(p, "cNamedArgs", r->n_named);
    ra_ndr_print_end(p);
}

/* ---- EXCEPINFO ([MS-OAUT] 2.2.36) ---- */

static gboolean pull_excepinfo(RaNdrPull *ndr, RaExcepInfo *r)
{
    return ra_ndr_pull_align(ndr, 4) && ra_ndr_pull_u16(ndr, &r->code) &&
           ra_ndr_pull_u16(ndr, &r->reserved) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_SCALARS, &r->source) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_SCALARS, &r->description) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_SCALARS, &r->help_file) &&
           ra_ndr_pull_u32(ndr, &r->help_context) && ra_ndr_pull_u32(ndr, &r->pv_reserved) &&
           ra_ndr_pull_u32(ndr, &r->deferred_fill_in) && ra_ndr_pull_u32(ndr, &r->scode) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_BUFFERS, &r->source) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_BUFFERS, &r->description) &&
           ra_oaut_pull_bstr(ndr, RA_NDR_BUFFERS, &r->help_file);
}

static gboolean push_excepinfo(RaNdrPush *ndr, const RaExcepInfo *r)
{
    return ra_ndr_push_align(ndr, 4) && ra_ndr_push_u16(ndr, r->code) &&
           ra_ndr_push_u16(ndr, r->reserved) && ra_oaut_push_bstr(ndr, RA_NDR_SCALARS, r->source) &&
           ra_oaut_push_bstr(ndr, RA_NDR_SCALARS, r->description) &&
           ra_oaut_push_bstr(ndr, RA_NDR_SCALARS, r->help_file) &&
           ra_ndr_push_u32(ndr, r->help_context) && ra_ndr_push_u32(ndr, r->pv_reserved) &&
           ra_ndr_push_u32(ndr, r->deferred_fill_in) && ra_ndr_push_u32(ndr, r->scode) &&
           ra_oaut_push_bstr(ndr, RA_NDR_BUFFERS, r->source) &&
           ra_oaut_push_bstr(ndr, RA_NDR_BUFFERS, r->description) &&
           ra_oaut_push_bstr(ndr, RA_NDR_BUFFERS, r->help_file);
}

static void print_excepinfo(RaNdrPrint *p, const char *name, const RaExcepInfo *r)
{
    ra_ndr_print_begin(p, name, "struct", "EXCEPINFO");
    ra_ndr_print_u16(p, "wCode", r->code);
    ra_ndr_print_u16(p, "wReserved", r->reserved);
    ra_oaut_print_bstr(p, "bstrSource", r->source);
    ra_oaut_print_bstr(p, "bstrDescription", r->description);
    ra_oaut_print_bstr(p, "bstrHelpFile", r->help_file);
    ra_ndr_print_u32(p, "dwHelpContext", r->help_context);
    ra_ndr_print_u32(p, "pvReserved", r->pv_reserved);
    ra_ndr_print_u32(p, "pfnDeferredFillIn", r->deferred_fill_in);
    ra_dcom_print_hresult(p, "scode", r->scode);
    ra_ndr_print_end(p);
}

/* ---- Invoke ([MS-OAUT] 3.1.4.4) ---- */

gboolean ra_dispatch_pull_invoke_in(RaNdrPull *ndr, RaInvokeIn *r)
{
    memset(r, 0, sizeof *r);
    guint32 max_count;
    if (!ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) ||
        !ra_ndr_pull_i32(ndr, &r->dispid) || !ra_ndr_pull_uuid(ndr, &r->riid) ||
        !ra_ndr_pull_u32(ndr, &r->lcid) || !ra_ndr_pull_u32(ndr, &r->flags) ||
        !pull_dispparams(ndr, &r->params) || !ra_ndr_pull_u32(ndr, &r->n_var_ref) ||
        !check_limit(ndr, "cVarRef", r->n_var_ref, RA_DISPATCH_MAX_ARGS) ||
        !pull_u32_array_counted(ndr, r->n_var_ref, "rgVarRefIdx", &r->var_ref_idx))
        return FALSE;
    (void)max_count;
    return pull_variant_array(ndr, r->n_var_ref, "rgVarRef", &r->var_ref);
}

gboolean ra_dispatch_push_invoke_in(RaNdrPush *ndr, const RaInvokeIn *r)
{
    return ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_ndr_push_i32(ndr, r->dispid) && ra_ndr_push_uuid(ndr, &r->riid) &&
           ra_ndr_push_u32(ndr, r->lcid) && ra_ndr_push_u32(ndr, r->flags) &&
           push_dispparams(ndr, &r->params) && ra_ndr_push_u32(ndr, r->n_var_ref) &&
           push_u32_array_counted(ndr, r->n_var_ref, r->var_ref_idx) &&
           push_variant_array(ndr, r->n_var_ref, r->var_ref);
}

void ra_dispatch_print_invoke_in(RaNdrPrint *p, const char *name, const RaInvokeIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "Invoke_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_ndr_print_line(p, "dispIdMember: %d (0x%08x)", r->dispid, (guint32)r->dispid);
    ra_dcom_print_guid(p, "riid", &r->riid);
    ra_ndr_print_hex32(p, "lcid", r->lcid);
    ra_ndr_print_hex32(p, "dwFlags", r->flags);
    print_dispparams(p, "pDispParams", &r->params);
    ra_ndr_print_u32(p, "cVarRef", r->n_var_ref);
    print_u32s(p, "rgVarRefIdx", r->n_var_ref, r->var_ref_idx, FALSE);
    print_variant_array(p, "rgVarRef", r->n_var_ref, r->var_ref);
    ra_ndr_print_end(p);
}

gboolean ra_dispatch_pull_invoke_out(RaNdrPull *ndr, RaInvokeOut *r)
{
    guint32 n = r->n_var_ref;
    memset(r, 0, sizeof *r);
    r->n_var_ref = n;
    return ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_oaut_pull_variant(ndr, RA_NDR_BOTH, &r->result) &&
           pull_excepinfo(ndr, &r->excep_info) && ra_ndr_pull_u32(ndr, &r->arg_err) &&
           pull_variant_array(ndr, n, "rgVarRef", &r->var_ref) && ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dispatch_push_invoke_out(RaNdrPush *ndr, const RaInvokeOut *r)
{
    return ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_oaut_push_variant(ndr, RA_NDR_BOTH, &r->result) &&
           push_excepinfo(ndr, &r->excep_info) && ra_ndr_push_u32(ndr, r->arg_err) &&
           push_variant_array(ndr, r->n_var_ref, r->var_ref) && ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dispatch_print_invoke_out(RaNdrPrint *p, const char *name, const RaInvokeOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "Invoke_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    ra_oaut_print_variant(p, "pVarResult", &r->result);
    print_excepinfo(p, "pExcepInfo", &r->excep_info);
    ra_ndr_print_u32(p, "pArgErr", r->arg_err);
    print_variant_array(p, "rgVarRef", r->n_var_ref, r->var_ref);
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}

gboolean ra_dispatch_merge_var_refs(RaInvokeIn *in, RaArena *arena, RaVariant ***args,
                                    GError **error)
{
    guint32 n = in->params.n_args;
    if (in->n_var_ref > n) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "cVarRef %u exceeds cArgs %u",
                    in->n_var_ref, n);
        return FALSE;
    }
    RaVariant **slots = ra_arena_alloc_n(arena, n ? n : 1, sizeof(RaVariant *));
    for (guint32 i = 0; i < n; i++)
        slots[i] = &in->params.args[i];
    gboolean *taken = ra_arena_alloc_n(arena, n ? n : 1, sizeof(gboolean));
    for (guint32 i = 0; i < in->n_var_ref; i++) {
        guint32 idx = in->var_ref_idx[i];
        if (idx >= n || taken[idx]) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "rgVarRefIdx[%u] = %u is out of range or repeated", i, idx);
            return FALSE;
        }
        taken[idx] = TRUE;
        slots[idx] = &in->var_ref[i];
    }
    /* rgvarg holds the last parameter first: reverse into parameter order. */
    RaVariant **ordered = ra_arena_alloc_n(arena, n ? n : 1, sizeof(RaVariant *));
    for (guint32 i = 0; i < n; i++)
        ordered[i] = slots[n - 1 - i];
    *args = ordered;
    return TRUE;
}

/* ---- VARIANT conversions ---- */

const RaVariant *ra_variant_deref(const RaVariant *v)
{
    if (v->vt == (RA_VT_BYREF | RA_VT_VARIANT) && v->v.variant != NULL)
        return v->v.variant;
    return v;
}

/* An integer value of v (byref or not) as 64 bits; FALSE for other types. */
static gboolean get_integer(const RaVariant *v, gint64 *out, guint64 *uout, gboolean *is_unsigned)
{
    v = ra_variant_deref(v);
    *is_unsigned = FALSE;
    switch (v->vt & ~RA_VT_BYREF) {
    case RA_VT_I1:
        *out = v->v.i1;
        return TRUE;
    case RA_VT_UI1:
        *out = v->v.ui1;
        return TRUE;
    case RA_VT_I2:
        *out = v->v.i2;
        return TRUE;
    case RA_VT_BOOL:
        *out = v->v.boolean;
        return TRUE;
    case RA_VT_UI2:
        *out = v->v.ui2;
        return TRUE;
    case RA_VT_I4:
    case RA_VT_INT:
        *out = v->v.i4;
        return TRUE;
    case RA_VT_UI4:
    case RA_VT_UINT:
    case RA_VT_ERROR:
        *out = v->v.ui4;
        return TRUE;
    case RA_VT_I8:
        *out = v->v.i8;
        return TRUE;
    case RA_VT_UI8:
        *uout = v->v.ui8;
        *is_unsigned = TRUE;
        return TRUE;
    default:
        return FALSE;
    }
}

gboolean ra_variant_get_i32(const RaVariant *v, gint32 *out)
{
    gint64 x = 0;
    guint64 u = 0;
    gboolean is_unsigned;
    if (!get_integer(v, &x, &u, &is_unsigned))
        return FALSE;
    if (is_unsigned) {
        if (u > G_MAXINT32)
            return FALSE;
        x = (gint64)u;
    }
    if (x < G_MININT32 || x > G_MAXINT32)
        return FALSE;
    *out = (gint32)x;
    return TRUE;
}

gboolean ra_variant_get_u32(const RaVariant *v, guint32 *out)
{
    gint64 x = 0;
    guint64 u = 0;
    gboolean is_unsigned;
    if (!get_integer(v, &x, &u, &is_unsigned))
        return FALSE;
    if (is_unsigned) {
        if (u > G_MAXUINT32)
            return FALSE;
        *out = (guint32)u;
        return TRUE;
    }
    if (x < 0 || x > G_MAXUINT32)
        return FALSE;
    *out = (guint32)x;
    return TRUE;
}

gboolean ra_variant_get_bstr(const RaVariant *v, gchar **out)
{
    v = ra_variant_deref(v);
    if ((v->vt & ~RA_VT_BYREF) != RA_VT_BSTR)
        return FALSE;
    *out = v->v.bstr;
    return TRUE;
}

gboolean ra_variant_get_bstr_array(const RaVariant *v, RaBstrArray **out)
{
    v = ra_variant_deref(v);
    guint16 vt = v->vt & ~RA_VT_BYREF;
    if (vt == RA_VT_EMPTY || vt == RA_VT_NULL) {
        *out = NULL;
        return TRUE;
    }
    if (vt != (RA_VT_ARRAY | RA_VT_BSTR))
        return FALSE;
    *out = v->v.bstr_array;
    return TRUE;
}

gboolean ra_variant_get_iface(const RaVariant *v, RaInterfacePointer **out)
{
    v = ra_variant_deref(v);
    guint16 vt = v->vt & ~RA_VT_BYREF;
    if (vt == RA_VT_EMPTY) {
        *out = NULL;
        return TRUE;
    }
    if (vt != RA_VT_UNKNOWN && vt != RA_VT_DISPATCH)
        return FALSE;
    *out = v->v.iface;
    return TRUE;
}

void ra_variant_set_i32(RaVariant *v, gint32 x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_I4;
    v->v.i4 = x;
}

void ra_variant_set_int(RaVariant *v, gint32 x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_INT;
    v->v.i4 = x;
}

void ra_variant_set_u32(RaVariant *v, guint32 x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_UI4;
    v->v.ui4 = x;
}

void ra_variant_set_error(RaVariant *v, guint32 x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_ERROR;
    v->v.scode = x;
}

void ra_variant_set_bstr(RaVariant *v, gchar *x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_BSTR;
    v->v.bstr = x;
}

void ra_variant_set_bstr_array(RaVariant *v, RaBstrArray *x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_ARRAY | RA_VT_BSTR;
    v->v.bstr_array = x;
}

void ra_variant_set_dispatch(RaVariant *v, RaInterfacePointer *x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_DISPATCH;
    v->v.iface = x;
}

void ra_variant_set_unknown(RaVariant *v, RaInterfacePointer *x)
{
    memset(v, 0, sizeof *v);
    v->vt = RA_VT_UNKNOWN;
    v->v.iface = x;
}

/* The variant a by-reference argument points to, for storing: the VT_BYREF variant itself (its
 * pointee lives in its own union), or for VT_BYREF|VT_VARIANT the inner variant. NULL for
 * by-value arguments. */
static RaVariant *byref_target(RaVariant *v, guint16 *base)
{
    if (!(v->vt & RA_VT_BYREF))
        return NULL;
    if (v->vt == (RA_VT_BYREF | RA_VT_VARIANT)) {
        *base = 0; /* any type: replaced */
        return v->v.variant;
    }
    *base = v->vt & ~RA_VT_BYREF;
    return v;
}

static void store_integer(RaVariant *v, gint64 x, guint16 as_vt)
{
    guint16 base;
    RaVariant *t = byref_target(v, &base);
    if (t == NULL)
        return;
    if (base == 0) {
        memset(t, 0, sizeof *t);
        t->vt = as_vt;
        t->v.ui8 = 0;
        t->v.i4 = (gint32)x;
        return;
    }
    switch (base) {
    case RA_VT_I1:
    case RA_VT_UI1:
        t->v.ui1 = (guint8)x;
        break;
    case RA_VT_I2:
    case RA_VT_UI2:
    case RA_VT_BOOL:
        t->v.ui2 = (guint16)x;
        break;
    case RA_VT_I4:
    case RA_VT_UI4:
    case RA_VT_INT:
    case RA_VT_UINT:
    case RA_VT_ERROR:
        t->v.ui4 = (guint32)x;
        break;
    case RA_VT_I8:
    case RA_VT_UI8:
        t->v.i8 = x;
        break;
    default:
        break;
    }
}

void ra_variant_store_i32(RaVariant *v, gint32 x)
{
    store_integer(v, x, RA_VT_I4);
}

void ra_variant_store_int(RaVariant *v, gint32 x)
{
    store_integer(v, x, RA_VT_INT);
}

void ra_variant_store_u32(RaVariant *v, guint32 x)
{
    store_integer(v, x, RA_VT_UI4);
}

void ra_variant_store_error(RaVariant *v, guint32 x)
{
    store_integer(v, x, RA_VT_ERROR);
}

void ra_variant_store_bstr(RaVariant *v, gchar *x)
{
    guint16 base;
    RaVariant *t = byref_target(v, &base);
    if (t == NULL)
        return;
    if (base == 0)
        ra_variant_set_bstr(t, x);
    else if (base == RA_VT_BSTR)
        t->v.bstr = x;
}

void ra_variant_store_bstr_array(RaVariant *v, RaBstrArray *x)
{
    guint16 base;
    RaVariant *t = byref_target(v, &base);
    if (t == NULL)
        return;
    if (base == 0)
        ra_variant_set_bstr_array(t, x);
    else if (base == (RA_VT_ARRAY | RA_VT_BSTR))
        t->v.bstr_array = x;
}

static void store_iface(RaVariant *v, RaInterfacePointer *x, guint16 vt)
{
    guint16 base;
    RaVariant *t = byref_target(v, &base);
    if (t == NULL)
        return;
    if (base == 0) {
        memset(t, 0, sizeof *t);
        t->vt = vt;
        t->v.iface = x;
    } else if (base == RA_VT_UNKNOWN || base == RA_VT_DISPATCH) {
        t->v.iface = x;
    }
}

void ra_variant_store_dispatch(RaVariant *v, RaInterfacePointer *x)
{
    store_iface(v, x, RA_VT_DISPATCH);
}

void ra_variant_store_unknown(RaVariant *v, RaInterfacePointer *x)
{
    store_iface(v, x, RA_VT_UNKNOWN);
}

void ra_variant_store_variant(RaVariant *v, const RaVariant *x)
{
    if (v->vt == (RA_VT_BYREF | RA_VT_VARIANT) && v->v.variant != NULL)
        *v->v.variant = *x;
}
