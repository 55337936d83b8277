/*
 * IDispatch over DCOM ([MS-OAUT] 3.1.4): the GetIDsOfNames (opnum 5) and Invoke (opnum 6) calls
 * every dual interface has, their DISPPARAMS and EXCEPINFO, and the VARIANT conversions a server
 * needs to map Invoke arguments onto a method's parameters (a small, explicit subset of
 * VariantChangeType).
 *
 * Conventions of ra/ndr.h and ra/oaut.h: pull/push/print, sticky errors, pulled data in the arena.
 *
 * Invoke's by-reference arguments ([MS-OAUT] 3.1.4.4.2): a client sends [in, out] arguments in
 * rgVarRef (VT_BYREF variants) and says with rgVarRefIdx which positions of rgvarg they fill;
 * ra_dispatch_merge_var_refs() puts them back in place on the server, and the response returns
 * rgVarRef with the new values.
 */
#ifndef RA_IDISPATCH_H
#define RA_IDISPATCH_H

#include "ra/dcom.h"
#include "ra/oaut.h"

G_BEGIN_DECLS

#define RA_OPNUM_GETIDSOFNAMES 5
#define RA_OPNUM_INVOKE        6

/* Invoke dwFlags ([MS-OAUT] 3.1.4.4). */
#define RA_DISPATCH_METHOD         0x00000001u
#define RA_DISPATCH_PROPERTYGET    0x00000002u
#define RA_DISPATCH_PROPERTYPUT    0x00000004u
#define RA_DISPATCH_PROPERTYPUTREF 0x00000008u
#define RA_DISPATCH_ZEROVARRESULT  0x00020000u
#define RA_DISPATCH_ZEROEXCEPINFO  0x00040000u
#define RA_DISPATCH_ZEROARGERR     0x00080000u

#define RA_DISPID_UNKNOWN     (-1)
#define RA_DISPID_VALUE       0
#define RA_DISPID_PROPERTYPUT (-3)
#define RA_DISPID_NEWENUM     (-4)

#define RA_DISP_E_EXCEPTION 0x80020009u

/* Limits on receipt ([MS-OAUT] range attributes: cNames 0..16384; we accept fewer). */
#define RA_DISPATCH_MAX_NAMES 1024u
#define RA_DISPATCH_MAX_ARGS  1024u

typedef struct {
    guint32 n_args;  /* cArgs */
    RaVariant *args; /* rgvarg: n_args VARIANTs, last parameter first; NULL if absent */
    guint32 n_named; /* cNamedArgs */
    gint32 *named;   /* rgdispidNamedArgs, or NULL */
} RaDispParams;

typedef struct {
    guint16 code; /* wCode */
    guint16 reserved;
    gchar *source; /* bstrSource, or NULL */
    gchar *description;
    gchar *help_file;
    guint32 help_context;
    guint32 pv_reserved; /* ULONG_PTR: 32 bits in NDR 2.0 */
    guint32 deferred_fill_in;
    guint32 scode;
} RaExcepInfo;

typedef struct {
    RaOrpcThis orpcthis;
    RaUuid riid;     /* IID_NULL */
    guint32 n_names; /* cNames */
    gchar **names;   /* rgszNames: UTF-8, entries may be NULL */
    guint32 lcid;
} RaGetIDsOfNamesIn;

typedef struct {
    RaOrpcThat orpcthat;
    guint32 n_ids; /* not on the wire: the request's cNames */
    gint32 *ids;   /* rgDispId */
    guint32 result;
} RaGetIDsOfNamesOut;

typedef struct {
    RaOrpcThis orpcthis;
    gint32 dispid;
    RaUuid riid;
    guint32 lcid;
    guint32 flags;
    RaDispParams params;
    guint32 n_var_ref;    /* cVarRef */
    guint32 *var_ref_idx; /* rgVarRefIdx */
    RaVariant *var_ref;   /* rgVarRef */
} RaInvokeIn;

typedef struct {
    RaOrpcThat orpcthat;
    RaVariant result;       /* pVarResult */
    RaExcepInfo excep_info; /* pExcepInfo */
    guint32 arg_err;        /* pArgErr */
    guint32 n_var_ref;      /* not on the wire: the request's cVarRef */
    RaVariant *var_ref;     /* rgVarRef */
    guint32 hresult;
} RaInvokeOut;

/* Requests are checked for count consistency (arrays whose conformance differs from their count
 * field are RA_ERROR_MALFORMED) and limits (RA_ERROR_TOO_LARGE). Pull the [out] sides with n_ids /
 * n_var_ref set from the request. */
gboolean ra_dispatch_pull_getidsofnames_in(RaNdrPull *ndr, RaGetIDsOfNamesIn *r);
gboolean ra_dispatch_push_getidsofnames_in(RaNdrPush *ndr, const RaGetIDsOfNamesIn *r);
void ra_dispatch_print_getidsofnames_in(RaNdrPrint *p, const char *name,
                                        const RaGetIDsOfNamesIn *r);
gboolean ra_dispatch_pull_getidsofnames_out(RaNdrPull *ndr, RaGetIDsOfNamesOut *r);
gboolean ra_dispatch_push_getidsofnames_out(RaNdrPush *ndr, const RaGetIDsOfNamesOut *r);
void ra_dispatch_print_getidsofnames_out(RaNdrPrint *p, const char *name,
                                         const RaGetIDsOfNamesOut *r);

gboolean ra_dispatch_pull_invoke_in(RaNdrPull *ndr, RaInvokeIn *r);
gboolean ra_dispatch_push_invoke_in(RaNdrPush *ndr, const RaInvokeIn *r);
void ra_dispatch_print_invoke_in(RaNdrPrint *p, const char *name, const RaInvokeIn *r);
gboolean ra_dispatch_pull_invoke_out(RaNdrPull *ndr, RaInvokeOut *r);
gboolean ra_dispatch_push_invoke_out(RaNdrPush *ndr, const RaInvokeOut *r);
void ra_dispatch_print_invoke_out(RaNdrPrint *p, const char *name, const RaInvokeOut *r);

/*
 * Server side of [MS-OAUT] 3.1.4.4.2: returns the arguments in parameter order (rgvarg reversed)
 * as pointers, with each rgVarRef entry in the place rgVarRefIdx names (so that results written
 * through them reach the response). RA_ERROR_MALFORMED if an index is out of range or used twice,
 * or cVarRef exceeds cArgs. The array lives in arena.
 */
gboolean ra_dispatch_merge_var_refs(RaInvokeIn *in, RaArena *arena, RaVariant ***args,
                                    GError **error);

/* ---- VARIANT conversions ---- */

/* v itself, or for VT_BYREF|VT_VARIANT the variant it points to (once). */
const RaVariant *ra_variant_deref(const RaVariant *v);

/*
 * Reads an argument as a parameter's type, byref or not: integers from VT_I1/UI1/I2/UI2/I4/UI4/
 * INT/UINT/I8/UI8/BOOL/ERROR when the value fits (i32: -2^31..2^31-1, u32: 0..2^32-1); BSTRs from
 * VT_BSTR (a NULL BSTR is NULL); arrays from VT_ARRAY|VT_BSTR (or VT_EMPTY/VT_NULL = NULL);
 * interface pointers from VT_UNKNOWN/VT_DISPATCH (or VT_EMPTY = NULL). FALSE otherwise
 * (DISP_E_TYPEMISMATCH for the caller).
 */
gboolean ra_variant_get_i32(const RaVariant *v, gint32 *out);
gboolean ra_variant_get_u32(const RaVariant *v, guint32 *out);
gboolean ra_variant_get_bstr(const RaVariant *v, gchar **out);
gboolean ra_variant_get_bstr_array(const RaVariant *v, RaBstrArray **out);
gboolean ra_variant_get_iface(const RaVariant *v, RaInterfacePointer **out);

/* Sets a result VARIANT (by value). Strings, arrays and interface pointers are referenced, not
 * copied. */
void ra_variant_set_i32(RaVariant *v, gint32 x);
void ra_variant_set_int(RaVariant *v, gint32 x);
void ra_variant_set_u32(RaVariant *v, guint32 x);
void ra_variant_set_error(RaVariant *v, guint32 x);
void ra_variant_set_bstr(RaVariant *v, gchar *x);
void ra_variant_set_bstr_array(RaVariant *v, RaBstrArray *x);
void ra_variant_set_dispatch(RaVariant *v, RaInterfacePointer *x);
void ra_variant_set_unknown(RaVariant *v, RaInterfacePointer *x);

/* Writes an [out] value through a VT_BYREF argument, converted to the argument's own type when
 * it holds (an integer into VT_BYREF|VT_I4/INT/UI4/I2/...; a string into VT_BYREF|VT_BSTR; ...).
 * A by-value argument, or one of another type, is left alone (the caller passed no place for the
 * value). */
void ra_variant_store_i32(RaVariant *v, gint32 x);
void ra_variant_store_int(RaVariant *v, gint32 x);
void ra_variant_store_u32(RaVariant *v, guint32 x);
void ra_variant_store_error(RaVariant *v, guint32 x);
void ra_variant_store_bstr(RaVariant *v, gchar *x);
void ra_variant_store_bstr_array(RaVariant *v, RaBstrArray *x);
void ra_variant_store_dispatch(RaVariant *v, RaInterfacePointer *x);
void ra_variant_store_unknown(RaVariant *v, RaInterfacePointer *x);
void ra_variant_store_variant(RaVariant *v, const RaVariant *x);

G_END_DECLS

#endif
