/*
 * DCOM wire types ([MS-DCOM] 2.2): the ORPC headers every DCOM call carries (ORPCTHIS, ORPCTHAT,
 * their extensions), object references (OBJREF in its four forms, STDOBJREF, DUALSTRINGARRAY in
 * both the NDR and the packed form), the IRemUnknown/IRemUnknown2 calls, and the
 * IRemoteSCMActivator calls RemoteGetClassObject and RemoteCreateInstance. The activation
 * property blobs those calls carry are in ra/actprop.h.
 *
 * Conventions are those of ra/ndr.h: each NDR type has pull/push/print with RA_NDR_SCALARS and
 * RA_NDR_BUFFERS passes, a sticky error per context, pulled data in the pull arena (strings UTF-8),
 * nothing allocated from a count before the count has been checked against the remaining bytes.
 * Request and response structures of a call are pulled and pushed whole (both passes) and end
 * with the HRESULT where the method returns one.
 *
 * An OBJREF is not NDR: it is a hand-marshaled byte array inside an MInterfacePointer
 * ([MS-DCOM] 2.2.14, 2.2.18). ra_objref_parse()/ra_objref_build() convert between those bytes and
 * RaObjRef. The packed DUALSTRINGARRAY inside it is decoded by ra_dsa_parse() of ra/oxid.h (the
 * OXID resolver owns that codec; this module adds the NDR form).
 *
 * ISystemActivator (the name Windows' headers and Wireshark give it) and IRemoteSCMActivator
 * ([MS-DCOM] 3.1.2.5.2) are one interface, 000001a0-0000-0000-c000-000000000046, with
 * RemoteGetClassObject at opnum 3 and RemoteCreateInstance at opnum 4.
 */
#ifndef RA_DCOM_H
#define RA_DCOM_H

#include "ra/ndr.h"
#include "ra/oaut.h"
#include "ra/oxid.h"

G_BEGIN_DECLS

/* ---- well-known GUIDs ([MS-DCOM] 1.9, [MS-OAUT] 1.9) ---- */

/* An initializer for a GUID of COM's own range, {tl-0000-0000-C000-000000000046}. */
#define RA_COM_GUID(tl) \
    RA_UUID_INIT((tl), 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)

extern const RaUuid ra_iid_iunknown;                    /* 00000000-0000-0000-c000-000000000046 */
extern const RaUuid ra_iid_iclassfactory;               /* 00000001-... */
extern const RaUuid ra_iid_idispatch;                   /* 00020400-... */
extern const RaUuid ra_iid_iremunknown;                 /* 00000131-... */
extern const RaUuid ra_iid_iremunknown2;                /* 00000143-... */
extern const RaUuid ra_iid_iremote_scm_activator;       /* 000001a0-... (= ISystemActivator) */
extern const RaUuid ra_iid_iactivation;                 /* 4d9f4ab8-7d1c-11cf-861e-0020af6e7c57 */
extern const RaUuid ra_iid_iactivation_properties_in;   /* 000001a2-... */
extern const RaUuid ra_iid_iactivation_properties_out;  /* 000001a3-... */
extern const RaUuid ra_clsid_activation_properties_in;  /* 00000338-... */
extern const RaUuid ra_clsid_activation_properties_out; /* 00000339-... (= CLSID_PropsOutInfo) */
extern const RaUuid ra_clsid_error_extension;           /* 0000031c-... */
extern const RaUuid ra_clsid_context_extension;         /* 00000334-... */

/* Interface syntax ids (version 0.0) of the DCOM interfaces served on the activation port. */
extern const RaSyntaxId ra_syntax_iremote_scm_activator;
extern const RaSyntaxId ra_syntax_iremunknown;
extern const RaSyntaxId ra_syntax_iremunknown2;

/* A name for the well-known GUIDs of this header and ra/actprop.h ("IID_IRemUnknown2",
 * "CLSID_SpecialSystemProperties", ...), or NULL. Static strings. */
const char *ra_dcom_guid_name(const RaUuid *guid);

/* Prints "name: <uuid> (<well-known name>)" or "name: <uuid>". */
void ra_dcom_print_guid(RaNdrPrint *p, const char *name, const RaUuid *guid);

/* ---- HRESULTs used by the DCOM layer ([MS-ERREF] 2.1) ---- */

#define RA_S_OK                                0x00000000u
#define RA_S_FALSE                             0x00000001u
#define RA_E_NOTIMPL                           0x80004001u
#define RA_E_NOINTERFACE                       0x80004002u
#define RA_E_POINTER                           0x80004003u
#define RA_E_FAIL                              0x80004005u
#define RA_E_UNEXPECTED                        0x8000ffffu
#define RA_E_ACCESSDENIED                      0x80070005u
#define RA_E_OUTOFMEMORY                       0x8007000eu
#define RA_E_INVALIDARG                        0x80070057u
#define RA_CO_E_CLASSSTRING                    0x800401f3u
#define RA_REGDB_E_CLASSNOTREG                 0x80040154u
#define RA_CLASS_E_NOAGGREGATION               0x80040110u
#define RA_RPC_E_VERSION_MISMATCH              0x80010110u
#define RA_RPC_E_INVALID_OXID                  0x80010112u
#define RA_RPC_E_DISCONNECTED                  0x80010108u
#define RA_RPC_E_INVALID_OBJECT                0x80010114u
#define RA_CO_E_OBJNOTCONNECTED                0x800401fdu
#define RA_RPC_E_INVALID_IPID                  0x80010113u
#define RA_CO_E_OBJNOTREG                      0x800401fbu
#define RA_DISP_E_NONAMEDARGS                  0x80020007u
#define RA_HRESULT_ERROR_NO_SUCH_LOGON_SESSION 0x80070520u
#define RA_DISP_E_UNKNOWNINTERFACE             0x80020001u
#define RA_DISP_E_MEMBERNOTFOUND               0x80020003u
#define RA_DISP_E_PARAMNOTFOUND                0x80020004u
#define RA_DISP_E_TYPEMISMATCH                 0x80020005u
#define RA_DISP_E_UNKNOWNNAME                  0x80020006u
#define RA_DISP_E_BADPARAMCOUNT                0x8002000eu
#define RA_DISP_E_BADINDEX                     0x8002000bu
#define RA_DISP_E_PARAMNOTOPTIONAL             0x8002000fu
/* [MS-RAI] 3.1.4.1.1, 3.3.4.1.1: HRESULT_FROM_WIN32 of these Win32 errors. */
#define RA_HRESULT_ERROR_CANNOT_MAKE               0x80070052u
#define RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY 0x800704ecu
#define RA_HRESULT_ERROR_NONE_MAPPED               0x80070534u

/* "E_NOINTERFACE", "ERROR_CANNOT_MAKE", ... for the values above; NULL otherwise. */
const char *ra_hresult_name(guint32 hresult);
/* Prints "name: 0x%08x (NAME)" or "name: 0x%08x". */
void ra_dcom_print_hresult(RaNdrPrint *p, const char *name, guint32 hresult);

/* ---- COMVERSION ([MS-DCOM] 2.2.11) ---- */

/* The version this implementation speaks and announces: 5.7 ([MS-DCOM] 1.7). */
#define RA_COM_VERSION_MAJOR 5
#define RA_COM_VERSION_MINOR 7

typedef struct {
    guint16 major;
    guint16 minor;
} RaComVersion;

gboolean ra_dcom_pull_comversion(RaNdrPull *ndr, int flags, RaComVersion *r);
gboolean ra_dcom_push_comversion(RaNdrPush *ndr, int flags, const RaComVersion *r);
void ra_dcom_print_comversion(RaNdrPrint *p, const char *name, const RaComVersion *r);

/* ---- ORPC_EXTENT, ORPC_EXTENT_ARRAY, ORPCTHIS, ORPCTHAT ([MS-DCOM] 2.2.13) ---- */

/* Largest extent data accepted on receipt (Windows' error and context extensions are small). */
#define RA_DCOM_MAX_EXTENT_SIZE (256u * 1024)

typedef struct {
    RaUuid id;
    guint32 size;       /* bytes of data in use; the wire carries (size + 7) & ~7 bytes */
    const guint8 *data; /* size bytes (pulled: points into the input or the arena) */
} RaOrpcExtent;

typedef struct {
    guint32 size;     /* number of extents ([MS-DCOM] 2.2.13.2) */
    guint32 reserved; /* 0 on send, ignored on receipt */
    /* The array of (size + 1) & ~1 unique pointers; entries may be NULL. On push, n_extents
     * entries are given and the array is padded with NULL pointers to an even length. */
    guint32 n_extents;
    RaOrpcExtent **extents;
} RaOrpcExtentArray;

/* ORPCTHIS.flags ([MS-DCOM] 2.2.13.3). */
#define RA_ORPCF_NULL      0x00
#define RA_ORPCF_LOCAL     0x01
#define RA_ORPCF_RESERVED1 0x02
#define RA_ORPCF_RESERVED2 0x04
#define RA_ORPCF_RESERVED3 0x08
#define RA_ORPCF_RESERVED4 0x10

typedef struct {
    RaComVersion version;
    guint32 flags;
    guint32 reserved1;
    RaUuid cid;                    /* causality id */
    RaOrpcExtentArray *extensions; /* NULL when absent */
} RaOrpcThis;

typedef struct {
    guint32 flags;
    RaOrpcExtentArray *extensions; /* NULL when absent */
} RaOrpcThat;

/* An extent array: its scalars are size, reserved and the array pointer; its buffers are the
 * array of extent pointers and the extents. Counts are checked against what remains; an extent
 * over RA_DCOM_MAX_EXTENT_SIZE is RA_ERROR_TOO_LARGE; size must not exceed the array length. */
gboolean ra_dcom_pull_orpc_extent_array(RaNdrPull *ndr, int flags, RaOrpcExtentArray *r);
gboolean ra_dcom_push_orpc_extent_array(RaNdrPush *ndr, int flags, const RaOrpcExtentArray *r);
void ra_dcom_print_orpc_extent_array(RaNdrPrint *p, const char *name, const RaOrpcExtentArray *r);

gboolean ra_dcom_pull_orpcthis(RaNdrPull *ndr, int flags, RaOrpcThis *r);
gboolean ra_dcom_push_orpcthis(RaNdrPush *ndr, int flags, const RaOrpcThis *r);
void ra_dcom_print_orpcthis(RaNdrPrint *p, const char *name, const RaOrpcThis *r);

gboolean ra_dcom_pull_orpcthat(RaNdrPull *ndr, int flags, RaOrpcThat *r);
gboolean ra_dcom_push_orpcthat(RaNdrPush *ndr, int flags, const RaOrpcThat *r);
void ra_dcom_print_orpcthat(RaNdrPrint *p, const char *name, const RaOrpcThat *r);

/* An ORPCTHIS for a new call: version 5.7, flags 0, a fresh random causality id, no extensions. */
void ra_orpcthis_init(RaOrpcThis *r);

/* ---- STDOBJREF ([MS-DCOM] 2.2.18.2) ---- */

#define RA_SORF_NOPING 0x00001000u

typedef struct {
    guint32 flags;       /* RA_SORF_NOPING or 0 */
    guint32 public_refs; /* cPublicRefs */
    guint64 oxid;
    guint64 oid;
    RaUuid ipid;
} RaStdObjRef;

/* The NDR form (REMQIRESULT); aligned to 8. */
gboolean ra_dcom_pull_stdobjref(RaNdrPull *ndr, int flags, RaStdObjRef *r);
gboolean ra_dcom_push_stdobjref(RaNdrPush *ndr, int flags, const RaStdObjRef *r);
void ra_dcom_print_stdobjref(RaNdrPrint *p, const char *name, const RaStdObjRef *r);

/* ---- DUALSTRINGARRAY ([MS-DCOM] 2.2.19) ---- */

/* Largest wNumEntries accepted in either form (Windows' arrays are a few hundred entries). */
#define RA_DCOM_MAX_DSA_ENTRIES 8192u

/*
 * The NDR form: a conformant structure (conformance = wNumEntries, wNumEntries, wSecurityOffset,
 * the u16 array), as in ResolveOxid and ScmReplyInfo. The conformance must equal wNumEntries; the
 * layout is checked by ra_dsa_parse(). Pulled strings live in the pull arena.
 */
gboolean ra_dcom_pull_dsa(RaNdrPull *ndr, int flags, RaDualStringArray *r);
gboolean ra_dcom_push_dsa(RaNdrPush *ndr, int flags, const RaDualStringArray *r);
void ra_dcom_print_dsa(RaNdrPrint *p, const char *name, const RaDualStringArray *r);

/* ---- OBJREF ([MS-DCOM] 2.2.18) ---- */

#define RA_OBJREF_SIGNATURE 0x574f454du /* 'MEOW' */
#define RA_OBJREF_STANDARD  0x00000001u
#define RA_OBJREF_HANDLER   0x00000002u
#define RA_OBJREF_CUSTOM    0x00000004u
#define RA_OBJREF_EXTENDED  0x00000008u
/* OBJREF_EXTENDED signatures ([MS-DCOM] 2.2.18.7): 'VYSN'. */
#define RA_OBJREF_EXTENDED_SIGNATURE 0x4e535956u

/* Largest DATAELEMENT / custom object data accepted (an OBJREF is at most RA_OAUT_MAX_OBJREF). */
typedef struct {
    RaUuid data_id;
    guint32 size;         /* cbSize */
    guint32 rounded_size; /* cbRounded: size rounded up to 8 */
    const guint8 *data;   /* rounded_size bytes */
} RaDataElement;

typedef struct {
    guint32 flags; /* exactly one of RA_OBJREF_STANDARD/HANDLER/CUSTOM/EXTENDED */
    RaUuid iid;
    /* STANDARD, HANDLER, EXTENDED */
    RaStdObjRef std;
    RaDualStringArray res_addr; /* saResAddr */
    /* HANDLER, CUSTOM */
    RaUuid clsid;
    /* CUSTOM */
    guint32 cb_extension;      /* 0 on send, ignored on receipt */
    guint32 reserved;          /* "size" in older documents; any value on receipt */
    const guint8 *object_data; /* pObjectData: the rest of the OBJREF */
    gsize object_data_len;
    /* EXTENDED: nElms (must be 1) and the elements */
    guint32 n_elements;
    RaDataElement *elements;
} RaObjRef;

/*
 * Decodes an OBJREF (the abData of an MInterfacePointer). Results live in arena (object_data and
 * element data point into `data`, which must outlive them). RA_ERROR_MALFORMED with a message
 * naming the field for: a wrong signature, flags that are not exactly one known form, GUID_NULL as
 * iid, a truncated structure, a bad DUALSTRINGARRAY (entries past the end, a security offset out
 * of range, missing terminators, invalid UTF-16), EXTENDED signatures or counts that are wrong;
 * RA_ERROR_TOO_LARGE for a DUALSTRINGARRAY of more than RA_DCOM_MAX_DSA_ENTRIES entries. Bytes
 * after a STANDARD, HANDLER or EXTENDED OBJREF are ignored (Windows pads some).
 */
gboolean ra_objref_parse(const guint8 *data, gsize len, RaArena *arena, RaObjRef *out,
                         GError **error);
/* Encodes an OBJREF. RA_ERROR_MALFORMED for unknown flags or bindings ra_dsa_build() refuses. */
GBytes *ra_objref_build(const RaObjRef *r, GError **error);
void ra_objref_print(RaNdrPrint *p, const char *name, const RaObjRef *r);

/* Convenience: an OBJREF_STANDARD for iid/std/res_addr wrapped as an MInterfacePointer whose
 * data is allocated from arena. */
gboolean ra_objref_standard_to_mip(const RaUuid *iid, const RaStdObjRef *std,
                                   const RaDualStringArray *res_addr, RaArena *arena,
                                   RaInterfacePointer *out, GError **error);

/* ---- IRemUnknown / IRemUnknown2 ([MS-DCOM] 3.1.1.5.6, 3.1.1.5.7) ---- */

/* Opnums: 3 RemQueryInterface, 4 RemAddRef, 5 RemRelease (IRemUnknown), 6 RemQueryInterface2. */
#define RA_OPNUM_REMQUERYINTERFACE  3
#define RA_OPNUM_REMADDREF          4
#define RA_OPNUM_REMRELEASE         5
#define RA_OPNUM_REMQUERYINTERFACE2 6

/* Largest cIids / cInterfaceRefs accepted (the u16 counts of these calls). */
#define RA_DCOM_MAX_IIDS 1024u

typedef struct {
    RaUuid ipid;
    guint32 public_refs;  /* cPublicRefs */
    guint32 private_refs; /* cPrivateRefs */
} RaRemInterfaceRef;

typedef struct {
    guint32 hresult;
    RaStdObjRef std;
} RaRemQiResult;

typedef struct {
    RaOrpcThis orpcthis;
    RaUuid ripid;
    guint32 refs; /* cRefs */
    guint16 n_iids;
    RaUuid *iids;
} RaRemQueryInterfaceIn;

typedef struct {
    RaOrpcThat orpcthat;
    guint16 n_results;      /* not on the wire: the request's cIids (size_is(,cIids)) */
    RaRemQiResult *results; /* NULL when the server returned a NULL array */
    guint32 hresult;
} RaRemQueryInterfaceOut;

typedef struct {
    RaOrpcThis orpcthis;
    guint16 n_refs; /* cInterfaceRefs */
    RaRemInterfaceRef *refs;
} RaRemAddRefIn, RaRemReleaseIn;

typedef struct {
    RaOrpcThat orpcthat;
    guint16 n_results; /* not on the wire: the request's cInterfaceRefs */
    guint32 *results;  /* pResults */
    guint32 hresult;
} RaRemAddRefOut;

typedef struct {
    RaOrpcThat orpcthat;
    guint32 hresult;
} RaRemReleaseOut;

typedef struct {
    RaOrpcThis orpcthis;
    RaUuid ripid;
    guint16 n_iids;
    RaUuid *iids;
} RaRemQueryInterface2In;

typedef struct {
    RaOrpcThat orpcthat;
    guint16 n_iids;            /* not on the wire: the request's cIids */
    guint32 *hresults;         /* phr */
    RaInterfacePointer **mifs; /* ppMIF: n_iids entries, NULL where the QI failed */
    guint32 hresult;
} RaRemQueryInterface2Out;

/*
 * The [out] sides carry arrays sized by an [in] count; pull them with n_* set from the request
 * (the pull checks that the wire conformance equals it). A request whose array count differs from
 * its count field is RA_ERROR_MALFORMED.
 */
gboolean ra_dcom_pull_remqueryinterface_in(RaNdrPull *ndr, RaRemQueryInterfaceIn *r);
gboolean ra_dcom_push_remqueryinterface_in(RaNdrPush *ndr, const RaRemQueryInterfaceIn *r);
void ra_dcom_print_remqueryinterface_in(RaNdrPrint *p, const char *name,
                                        const RaRemQueryInterfaceIn *r);
gboolean ra_dcom_pull_remqueryinterface_out(RaNdrPull *ndr, RaRemQueryInterfaceOut *r);
gboolean ra_dcom_push_remqueryinterface_out(RaNdrPush *ndr, const RaRemQueryInterfaceOut *r);
void ra_dcom_print_remqueryinterface_out(RaNdrPrint *p, const char *name,
                                         const RaRemQueryInterfaceOut *r);

gboolean ra_dcom_pull_remaddref_in(RaNdrPull *ndr, RaRemAddRefIn *r);
gboolean ra_dcom_push_remaddref_in(RaNdrPush *ndr, const RaRemAddRefIn *r);
void ra_dcom_print_remaddref_in(RaNdrPrint *p, const char *name, const RaRemAddRefIn *r);
gboolean ra_dcom_pull_remaddref_out(RaNdrPull *ndr, RaRemAddRefOut *r);
gboolean ra_dcom_push_remaddref_out(RaNdrPush *ndr, const RaRemAddRefOut *r);
void ra_dcom_print_remaddref_out(RaNdrPrint *p, const char *name, const RaRemAddRefOut *r);

/* RemRelease has the same [in] as RemAddRef. */
gboolean ra_dcom_pull_remrelease_out(RaNdrPull *ndr, RaRemReleaseOut *r);
gboolean ra_dcom_push_remrelease_out(RaNdrPush *ndr, const RaRemReleaseOut *r);
void ra_dcom_print_remrelease_out(RaNdrPrint *p, const char *name, const RaRemReleaseOut *r);

gboolean ra_dcom_pull_remqueryinterface2_in(RaNdrPull *ndr, RaRemQueryInterface2In *r);
gboolean ra_dcom_push_remqueryinterface2_in(RaNdrPush *ndr, const RaRemQueryInterface2In *r);
void ra_dcom_print_remqueryinterface2_in(RaNdrPrint *p, const char *name,
                                         const RaRemQueryInterface2In *r);
gboolean ra_dcom_pull_remqueryinterface2_out(RaNdrPull *ndr, RaRemQueryInterface2Out *r);
gboolean ra_dcom_push_remqueryinterface2_out(RaNdrPush *ndr, const RaRemQueryInterface2Out *r);
void ra_dcom_print_remqueryinterface2_out(RaNdrPrint *p, const char *name,
                                          const RaRemQueryInterface2Out *r);

/* ---- IRemoteSCMActivator ([MS-DCOM] 3.1.2.5.2.3) ---- */

#define RA_OPNUM_REMOTEGETCLASSOBJECT 3
#define RA_OPNUM_REMOTECREATEINSTANCE 4

typedef struct {
    RaOrpcThis orpcthis;
    RaInterfacePointer *act_properties; /* pActProperties: ActivationPropertiesIn OBJREF */
} RaRemoteGetClassObjectIn;

typedef struct {
    RaOrpcThis orpcthis;
    RaInterfacePointer *unk_outer;      /* pUnkOuter: MUST be NULL ([MS-DCOM] 3.1.2.5.2.3.3) */
    RaInterfacePointer *act_properties; /* pActProperties */
} RaRemoteCreateInstanceIn;

/* The response of both calls. */
typedef struct {
    RaOrpcThat orpcthat;
    RaInterfacePointer *act_properties; /* ppActProperties: ActivationPropertiesOut OBJREF */
    guint32 hresult;
} RaRemoteActivationOut;

gboolean ra_dcom_pull_remotegetclassobject_in(RaNdrPull *ndr, RaRemoteGetClassObjectIn *r);
gboolean ra_dcom_push_remotegetclassobject_in(RaNdrPush *ndr, const RaRemoteGetClassObjectIn *r);
void ra_dcom_print_remotegetclassobject_in(RaNdrPrint *p, const char *name,
                                           const RaRemoteGetClassObjectIn *r);
gboolean ra_dcom_pull_remotecreateinstance_in(RaNdrPull *ndr, RaRemoteCreateInstanceIn *r);
gboolean ra_dcom_push_remotecreateinstance_in(RaNdrPush *ndr, const RaRemoteCreateInstanceIn *r);
void ra_dcom_print_remotecreateinstance_in(RaNdrPrint *p, const char *name,
                                           const RaRemoteCreateInstanceIn *r);
gboolean ra_dcom_pull_remoteactivation_out(RaNdrPull *ndr, RaRemoteActivationOut *r);
gboolean ra_dcom_push_remoteactivation_out(RaNdrPush *ndr, const RaRemoteActivationOut *r);
void ra_dcom_print_remoteactivation_out(RaNdrPrint *p, const char *name,
                                        const RaRemoteActivationOut *r);

G_END_DECLS

#endif
