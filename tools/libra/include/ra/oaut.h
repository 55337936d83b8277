/*
 * The OLE Automation wire types MS-RAI uses ([MS-OAUT] 2.2.23 BSTR, 2.2.29 VARIANT,
 * 2.2.30 SAFEARRAY; [MS-DCOM] 2.2.14 MInterfacePointer), with pull/push/print on the NDR runtime of
 * ra/ndr.h and the same conventions (flags = RA_NDR_SCALARS/RA_NDR_BUFFERS passes, sticky errors,
 * results in the pull arena, strings UTF-8 on the C side).
 *
 * BSTR, VARIANT and SAFEARRAY are [wire_marshal] types whose wire type is a unique pointer.
 * Windows' NDR engine writes the user-marshal marker 0x72657355 ('User') where that pointer's
 * referent ID would be, and the pointee as the deferred part. So, like any embedded pointer, the
 * marker goes in the RA_NDR_SCALARS pass and the body in the RA_NDR_BUFFERS pass; a top-level
 * parameter uses both passes at once. On receipt any non-zero value is accepted as the marker
 * (impacket sends an ordinary referent ID), and a zero marker means NULL. We always send 'User'.
 *
 * Wire forms, with what we accept and what we send:
 *  - BSTR: marker, then FLAGGED_WORD_BLOB (conformance = clSize, fFlags = byte length or
 *    0xFFFFFFFF for a NULL BSTR, clSize, clSize UTF-16 units). Accepted: a NULL BSTR as a zero
 *    marker (impacket) or as fFlags 0xFFFFFFFF (Windows); odd byte lengths (the last byte is
 *    dropped); trailing NUL characters (dropped). Sent: the Windows form. A NUL inside the text
 *    is RA_ERROR_UNSUPPORTED (C strings cannot carry it).
 *  - SAFEARRAY(BSTR): three forms on receipt, told apart structurally (see
 * ra_oaut_pull_safearray_bstr); the Windows form on send.
 *  - VARIANT: marker, then (aligned to 8) the _wireVARIANT: clSize (size in 8-byte units),
 *    rpcReserved, vt, 3 reserved words, the union discriminant (vt, or for VT_ARRAY the flag bits
 *    only), then the arm aligned to its own alignment.
 *  - Interface pointers (VT_UNKNOWN, VT_DISPATCH, [out] IFoo**): a unique pointer to an
 *    MInterfacePointer, whose OBJREF bytes are kept opaque here (DCOM code parses them).
 */
#ifndef RA_OAUT_H
#define RA_OAUT_H

#include "ra/ndr.h"

G_BEGIN_DECLS

/* The user-marshal marker ('User' little-endian), [MS-OAUT] 2.2.23.2 / [MS-RPCE] 2.2.5.3.x. */
#define RA_OAUT_USER_MARSHAL_MARKER 0x72657355u

/* VARTYPE ([MS-OAUT] 2.2.7). */
enum {
    RA_VT_EMPTY = 0,
    RA_VT_NULL = 1,
    RA_VT_I2 = 2,
    RA_VT_I4 = 3,
    RA_VT_R4 = 4,
    RA_VT_R8 = 5,
    RA_VT_CY = 6,
    RA_VT_DATE = 7,
    RA_VT_BSTR = 8,
    RA_VT_DISPATCH = 9,
    RA_VT_ERROR = 10,
    RA_VT_BOOL = 11,
    RA_VT_VARIANT = 12,
    RA_VT_UNKNOWN = 13,
    RA_VT_I1 = 16,
    RA_VT_UI1 = 17,
    RA_VT_UI2 = 18,
    RA_VT_UI4 = 19,
    RA_VT_I8 = 20,
    RA_VT_UI8 = 21,
    RA_VT_INT = 22,
    RA_VT_UINT = 23,
    RA_VT_TYPEMASK = 0x0fff,
    RA_VT_ARRAY = 0x2000,
    RA_VT_BYREF = 0x4000,
};

/* FADF_* feature flags of a SAFEARRAY ([MS-OAUT] 2.2.9). */
#define RA_FADF_HAVEVARTYPE 0x0080
#define RA_FADF_BSTR        0x0100
/* SF_TYPE of a SAFEARRAY of BSTR ([MS-OAUT] 2.2.8): = VT_BSTR. */
#define RA_SF_BSTR 0x0008

/* ---- MInterfacePointer ([MS-DCOM] 2.2.14) ---- */

typedef struct {
    guint32 size; /* ulCntData */
    guint8 *data; /* abData: the OBJREF, size bytes (in the pull arena when pulled) */
} RaInterfacePointer;

/* The MInterfacePointer structure itself (conformance, ulCntData, bytes). The two counts must
 * agree; a size over RA_OAUT_MAX_OBJREF is RA_ERROR_TOO_LARGE. */
#define RA_OAUT_MAX_OBJREF (64u * 1024)
gboolean ra_oaut_pull_minterface_pointer(RaNdrPull *ndr, int flags, RaInterfacePointer *r);
gboolean ra_oaut_push_minterface_pointer(RaNdrPush *ndr, int flags, const RaInterfacePointer *r);
void ra_oaut_print_minterface_pointer(RaNdrPrint *p, const char *name, const RaInterfacePointer *r);

/*
 * A unique pointer to an MInterfacePointer (PMInterfacePointer, an interface pointer parameter or
 * member): referent ID in the scalars pass, the structure in the buffers pass. *r is NULL for a
 * NULL pointer; after the scalars pass alone it is a placeholder the buffers pass fills.
 */
gboolean ra_oaut_pull_interface_ptr(RaNdrPull *ndr, int flags, RaInterfacePointer **r);
gboolean ra_oaut_push_interface_ptr(RaNdrPush *ndr, int flags, const RaInterfacePointer *r);
void ra_oaut_print_interface_ptr(RaNdrPrint *p, const char *name, const RaInterfacePointer *r);

/* ---- BSTR ---- */

/*
 * *r is UTF-8 in the arena, NULL for a NULL BSTR. Between the scalars and the buffers pass *r
 * holds a placeholder; only the buffers pass gives it its value.
 */
gboolean ra_oaut_pull_bstr(RaNdrPull *ndr, int flags, gchar **r);
gboolean ra_oaut_push_bstr(RaNdrPush *ndr, int flags, const gchar *r);
void ra_oaut_print_bstr(RaNdrPrint *p, const char *name, const gchar *r);

/* ---- SAFEARRAY(BSTR) ---- */

/* Which wire form a SAFEARRAY arrived in (facts: Windows/Wine/impacket). */
typedef enum {
    RA_SAFEARRAY_FORM_WINDOWS,  /* marker, pointer, _wireSAFEARRAY */
    RA_SAFEARRAY_FORM_ALIGNED8, /* marker, zero padding to 8, pointer, _wireSAFEARRAY (Wine) */
    RA_SAFEARRAY_FORM_SHORT,    /* referent ID, _wireSAFEARRAY (impacket) */
} RaSafeArrayForm;

const char *ra_safearray_form_name(RaSafeArrayForm form);

/* A one-dimensional SAFEARRAY of BSTR. */
typedef struct {
    guint32 count;        /* cElements */
    gint32 lower_bound;   /* lLbound */
    gchar **items;        /* count UTF-8 strings; an entry is NULL for a NULL BSTR */
    RaSafeArrayForm form; /* pull: the form seen; push ignores it and sends the Windows form */
} RaBstrArray;

/* Largest element count accepted (besides the remaining-bytes check). */
#define RA_OAUT_MAX_SAFEARRAY_ELEMENTS 65536u

/*
 * SAFEARRAY(BSTR) * as a parameter, or an embedded wirePSAFEARRAY: the marker in the scalars pass,
 * the rest in the buffers pass. *r is NULL for a NULL array (a zero marker, or a zero inner
 * pointer). On receipt the form is recognised by where a plausible header sits: cDims (u16) equal
 * to the conformance, FADF_BSTR set in fFeatures, cbElements == 4 - right after the marker
 * (SHORT), after one pointer (WINDOWS), or after 4 zero bytes of padding and one pointer when the
 * marker ended at an offset of 4 mod 8 (ALIGNED8). The form is recorded in (*r)->form and as an
 * RaNdrQuirk. A NULL array in the aligned form cannot be told from a NULL array followed by a zero
 * word and is read as the Windows form. Only one dimension, VT_BSTR and FADF_BSTR arrays are
 * accepted (else RA_ERROR_UNSUPPORTED).
 */
gboolean ra_oaut_pull_safearray_bstr(RaNdrPull *ndr, int flags, RaBstrArray **r);
gboolean ra_oaut_push_safearray_bstr(RaNdrPush *ndr, int flags, const RaBstrArray *r);
void ra_oaut_print_safearray_bstr(RaNdrPrint *p, const char *name, const RaBstrArray *r);

/* ---- VARIANT ---- */

typedef struct RaVariant RaVariant;
struct RaVariant {
    guint16 vt; /* VARTYPE, including RA_VT_BYREF / RA_VT_ARRAY */
    /* Value by type. VT_BYREF|X keeps the pointee in X's member (VT_BYREF|VT_I4 -> i4);
     * VT_BYREF|VT_VARIANT uses `variant`. */
    union {
        gint8 i1;
        guint8 ui1;
        gint16 i2;
        guint16 ui2;
        gint32 i4;   /* VT_I4, VT_INT */
        guint32 ui4; /* VT_UI4, VT_UINT */
        gint64 i8;
        guint64 ui8;
        gfloat r4;
        gdouble r8;
        gint16 boolean;            /* VARIANT_BOOL: -1 true, 0 false */
        guint32 scode;             /* VT_ERROR */
        gint64 cy;                 /* VT_CY, in 1/10000 units */
        gdouble date;              /* VT_DATE */
        gchar *bstr;               /* VT_BSTR: UTF-8, NULL = NULL BSTR */
        RaInterfacePointer *iface; /* VT_UNKNOWN, VT_DISPATCH: NULL = null interface pointer */
        RaBstrArray *bstr_array;   /* VT_ARRAY|VT_BSTR: NULL = NULL array */
        RaVariant *variant;        /* VT_BYREF|VT_VARIANT */
    } v;
    guint32 wire_marker; /* internal: the marker read in the scalars pass */
};

/*
 * A VARIANT parameter or member (wireVARIANT): marker in the scalars pass, body in the buffers
 * pass. Supported types: VT_EMPTY, VT_NULL, VT_I1/UI1/I2/UI2/I4/UI4/INT/UINT/I8/UI8, VT_R4/R8,
 * VT_BOOL, VT_ERROR, VT_CY, VT_DATE, VT_BSTR, VT_UNKNOWN, VT_DISPATCH, VT_ARRAY|VT_BSTR, and
 * VT_BYREF of each of those and of VT_VARIANT (nested at most RA_NDR_MAX_DEPTH deep). Others are
 * RA_ERROR_UNSUPPORTED. A zero marker reads as VT_EMPTY (RA_NDR_QUIRK_BSTR_NULL_POINTER). clSize
 * is written correctly and not checked on receipt.
 */
gboolean ra_oaut_pull_variant(RaNdrPull *ndr, int flags, RaVariant *r);
gboolean ra_oaut_push_variant(RaNdrPush *ndr, int flags, const RaVariant *r);
void ra_oaut_print_variant(RaNdrPrint *p, const char *name, const RaVariant *r);

/* "VT_BSTR", "VT_BYREF|VT_I4", "VT_ARRAY|VT_BSTR", or "0xNNNN"; newly allocated. */
gchar *ra_oaut_vartype_name(guint16 vt);

/* Descriptors (ra/ndr.h) of this module's types: "bstr", "safearray_bstr", "variant",
 * "interface_ptr" (C type RaInterfacePointer *) and "minterface_pointer". */
const RaNdrType *ra_oaut_types(guint *n);

G_END_DECLS

#endif
