/*
 * Activation properties ([MS-DCOM] 2.2.22): the blob an expert sends in RemoteCreateInstance /
 * RemoteGetClassObject (ActivationPropertiesIn) and the novice returns (ActivationPropertiesOut),
 * each wrapped in an OBJREF_CUSTOM inside an MInterfacePointer.
 *
 * == Layout ==
 *   ActivationPropertiesBlob: dwSize, dwReserved, CustomHeader, Property[cIfs]
 * The CustomHeader and every property are separate NDR Type Serialization Version 1 streams
 * ([MS-RPCE] 2.2.6): an 8-byte common type header (version 1, 0x10 little-endian, length 8,
 * filler 0xcccccccc), an 8-byte private header (ObjectBufferLength, filler 0), then the NDR body
 * padded to a multiple of 8. CustomHeader.pSizes[i] is the full size of property i (headers and
 * padding included); CustomHeader.pclsid[i] says what it is.
 *
 * == What is accepted ==
 * The parser checks every length against the bytes that are there before using it: dwSize and
 * totalSize against the blob, headerSize and each pSizes[i] (sum computed in 64 bits) against
 * totalSize, each ObjectBufferLength against its property's size, cIfs against
 * [MIN_ACTPROP_LIMIT, MAX_ACTPROP_LIMIT] = [1, 10], array counts against their count fields and
 * the bytes left. Violations are RA_ERROR_MALFORMED naming the field (or RA_ERROR_TOO_LARGE for
 * sizes over the limits below; RA_ERROR_UNSUPPORTED for a big-endian or version-2 stream).
 * ObjectBufferLength may exclude the padding (impacket writes it so) or include it (as [MS-RPCE]
 * says). Properties whose CLSID is not one of those below are kept as raw bytes.
 *
 * == Memory ==
 * Parsed blobs live in the arena given (raw byte ranges point into the caller's input, which must
 * outlive them). Built blobs are new GBytes.
 */
#ifndef RA_ACTPROP_H
#define RA_ACTPROP_H

#include "ra/dcom.h"

G_BEGIN_DECLS

/* Property CLSIDs ([MS-DCOM] 1.9). */
extern const RaUuid ra_clsid_instantiation_info;        /* 000001ab-...-46 */
extern const RaUuid ra_clsid_activation_context_info;   /* 000001a5 */
extern const RaUuid ra_clsid_server_location_info;      /* 000001a4 */
extern const RaUuid ra_clsid_scm_request_info;          /* 000001aa */
extern const RaUuid ra_clsid_security_info;             /* 000001a6 */
extern const RaUuid ra_clsid_special_system_properties; /* 000001b9 */
extern const RaUuid ra_clsid_instance_info;             /* 000001ad */
extern const RaUuid ra_clsid_props_out_info;            /* 00000339 */
extern const RaUuid ra_clsid_scm_reply_info;            /* 000001b6 */

/* [MS-DCOM] 2.2.28.1. */
#define RA_MIN_ACTPROP_LIMIT        1
#define RA_MAX_ACTPROP_LIMIT        10
#define RA_MAX_REQUESTED_INTERFACES 0x8000
#define RA_MAX_REQUESTED_PROTSEQS   0x8000
/* Largest activation blob accepted (an OBJREF carries at most RA_OAUT_MAX_OBJREF bytes). */
#define RA_ACTPROP_MAX_BLOB RA_OAUT_MAX_OBJREF

/* ---- NDR Type Serialization Version 1 ([MS-RPCE] 2.2.6) ---- */

#define RA_TS1_HEADER_SIZE 16 /* common (8) + private (8) header */

/*
 * Splits a serialized stream of `len` bytes: checks the common header (version 1, little-endian,
 * length 8) and the private header (ObjectBufferLength <= len - 16) and returns the body
 * (ObjectBufferLength bytes after the headers). RA_ERROR_MALFORMED / RA_ERROR_UNSUPPORTED.
 */
gboolean ra_ts1_split(const guint8 *data, gsize len, const guint8 **body, gsize *body_len,
                      GError **error);
/* Wraps an NDR body: headers, the body, zero padding to 8. ObjectBufferLength includes the
 * padding ([MS-RPCE] 2.2.6.2). */
GBytes *ra_ts1_wrap(const guint8 *body, gsize len);

/* ---- the properties ([MS-DCOM] 2.2.22.1, 2.2.22.2) ---- */

typedef struct {
    guint32 total_size;  /* from the start of the CustomHeader to the end of the last property */
    guint32 header_size; /* the serialized CustomHeader, headers included */
    guint32 reserved;    /* dwReserved */
    guint32 dest_ctx;
    guint32 n_ifs;           /* cIfs */
    RaUuid class_info_clsid; /* GUID_NULL */
    RaUuid *clsids;          /* pclsid: n_ifs entries */
    guint32 *sizes;          /* pSizes: n_ifs entries */
    guint32 *pdw_reserved;   /* NULL on send; a pointer to the value if a peer sent one */
} RaCustomHeader;

typedef struct {
    RaUuid class_id;
    guint32 class_ctx;
    guint32 actvflags;
    gint32 is_surrogate; /* fIsSurrogate */
    guint32 n_iids;      /* cIID: 1..RA_MAX_REQUESTED_INTERFACES */
    guint32 inst_flag;
    RaUuid *iids;      /* pIID: n_iids entries */
    guint32 this_size; /* set by the builder to the serialized size of this property */
    RaComVersion client_version;
} RaInstantiationInfo;

typedef struct {
    gint32 client_ok;
    gint32 b_reserved1;
    guint32 dw_reserved1;
    guint32 dw_reserved2;
    RaInterfacePointer *client_ctx;    /* pIFDClientCtx, or NULL */
    RaInterfacePointer *prototype_ctx; /* pIFDPrototypeCtx, or NULL */
} RaActivationContextInfo;

typedef struct {
    gchar *machine_name; /* NULL on send, ignored on receipt */
    guint32 process_id;
    guint32 apartment_id;
    guint32 context_id;
} RaLocationInfo;

typedef struct {
    guint32 client_imp_level;
    guint16 n_protseqs; /* cRequestedProtseqs */
    guint16 *protseqs;  /* pRequestedProtseqs, or NULL */
} RaRemoteRequestScmInfo;

typedef struct {
    guint32 *pdw_reserved;                  /* NULL */
    RaRemoteRequestScmInfo *remote_request; /* or NULL */
} RaScmRequestInfo;

typedef struct {
    guint32 reserved1;
    gchar *name;           /* pwszName, or NULL */
    guint32 *pdw_reserved; /* NULL */
    guint32 reserved2;
} RaCoServerInfo;

typedef struct {
    guint32 authn_flags;
    RaCoServerInfo *server_info; /* or NULL */
    guint32 *pdw_reserved;       /* NULL */
} RaSecurityInfo;

/* dwSessionId meaning "any session" ([MS-DCOM] 2.2.22.2.2). */
#define RA_ACTPROP_ANY_SESSION          0xffffffffu
#define RA_SPD_FLAG_USE_CONSOLE_SESSION 0x00000001u

typedef struct {
    guint32 session_id;            /* dwSessionId */
    gint32 remote_this_session_id; /* TRUE iff session_id != any */
    gint32 client_impersonating;
    gint32 partition_id_present;
    guint32 default_authn_lvl;
    RaUuid guid_partition;
    guint32 prt_flags;
    guint32 orig_clsctx;
    guint32 flags; /* dwFlags: RA_SPD_FLAG_USE_CONSOLE_SESSION */
    guint32 reserved1;
    guint64 reserved2;
    guint32 reserved3[5];
} RaSpecialProperties;

typedef struct {
    gchar *file_name; /* or NULL */
    guint32 mode;
    RaInterfacePointer *ifd_rot; /* or NULL */
    RaInterfacePointer *ifd_stg; /* or NULL */
} RaInstanceInfo;

typedef struct {
    guint32 n_ifs;                  /* cIfs */
    RaUuid *iids;                   /* piid */
    guint32 *hresults;              /* phresults */
    RaInterfacePointer **intf_data; /* ppIntfData: n_ifs entries, NULL where the QI failed */
} RaPropsOutInfo;

typedef struct {
    guint64 oxid;
    RaDualStringArray *oxid_bindings; /* pdsaOxidBindings: MUST NOT be NULL */
    RaUuid ipid_rem_unknown;
    guint32 authn_hint;
    RaComVersion server_version;
} RaRemoteReplyScmInfo;

typedef struct {
    guint32 *pdw_reserved;              /* NULL */
    RaRemoteReplyScmInfo *remote_reply; /* MUST NOT be NULL on send */
} RaScmReplyInfo;

typedef enum {
    RA_ACTPROP_RAW, /* unknown CLSID: kept as bytes */
    RA_ACTPROP_INSTANTIATION_INFO,
    RA_ACTPROP_ACTIVATION_CONTEXT_INFO,
    RA_ACTPROP_LOCATION_INFO,
    RA_ACTPROP_SCM_REQUEST_INFO,
    RA_ACTPROP_SECURITY_INFO,
    RA_ACTPROP_SPECIAL_PROPERTIES,
    RA_ACTPROP_INSTANCE_INFO,
    RA_ACTPROP_PROPS_OUT_INFO,
    RA_ACTPROP_SCM_REPLY_INFO,
} RaActPropKind;

typedef struct {
    RaActPropKind kind;
    RaUuid clsid;
    const guint8 *raw; /* the serialized property (headers included) as received */
    gsize raw_len;
    union {
        RaInstantiationInfo instantiation;
        RaActivationContextInfo context;
        RaLocationInfo location;
        RaScmRequestInfo scm_request;
        RaSecurityInfo security;
        RaSpecialProperties special;
        RaInstanceInfo instance;
        RaPropsOutInfo props_out;
        RaScmReplyInfo scm_reply;
    } u;
} RaActProperty;

typedef struct {
    guint32 size;     /* dwSize */
    guint32 reserved; /* dwReserved */
    RaCustomHeader header;
    guint n_properties;
    RaActProperty *properties;
} RaActivationBlob;

/* The CLSID of a kind (RA_ACTPROP_RAW has none: NULL), and the kind of a CLSID. */
const RaUuid *ra_actprop_clsid(RaActPropKind kind);
RaActPropKind ra_actprop_kind(const RaUuid *clsid);

/* NDR bodies of each property, for tests and fuzzers; RA_NDR_BOTH is what a stream holds. */
gboolean ra_actprop_pull_custom_header(RaNdrPull *ndr, int flags, RaCustomHeader *r);
gboolean ra_actprop_push_custom_header(RaNdrPush *ndr, int flags, const RaCustomHeader *r);
void ra_actprop_print_custom_header(RaNdrPrint *p, const char *name, const RaCustomHeader *r);
/* One property body of the given kind (not RAW). */
gboolean ra_actprop_pull_property(RaNdrPull *ndr, RaActProperty *r);
gboolean ra_actprop_push_property(RaNdrPush *ndr, const RaActProperty *r);
void ra_actprop_print_property(RaNdrPrint *p, const char *name, const RaActProperty *r);

/*
 * Decodes an ActivationPropertiesBlob (the pObjectData of the OBJREF_CUSTOM). See the top of this
 * header for what is checked. The result lives in arena.
 */
gboolean ra_actprop_blob_parse(const guint8 *data, gsize len, RaArena *arena, RaActivationBlob *out,
                               GError **error);
/*
 * Encodes a blob from header.dest_ctx and the properties in order (their kinds and union
 * members; RAW properties are copied as they are): computes every size field (pSizes,
 * headerSize, totalSize, dwSize, ObjectBufferLength, InstantiationInfo.thisSize) and sets cIfs and
 * pclsid. RA_ERROR_MALFORMED for a property count outside [1, 10] or a property that cannot be
 * encoded.
 */
GBytes *ra_actprop_blob_build(const RaActivationBlob *blob, GError **error);
void ra_actprop_blob_print(RaNdrPrint *p, const char *name, const RaActivationBlob *blob);

/* The first property of that kind, or NULL. */
const RaActProperty *ra_actprop_find(const RaActivationBlob *blob, RaActPropKind kind);

/*
 * MInterfacePointer <-> blob: the OBJREF_CUSTOM must carry CLSID_ActivationPropertiesIn (out =
 * FALSE) or CLSID_ActivationPropertiesOut (out = TRUE) and the matching IID
 * (IActivationPropertiesIn/Out); RA_ERROR_MALFORMED otherwise. The MInterfacePointer's bytes must
 * outlive the result.
 */
gboolean ra_actprop_from_mip(const RaInterfacePointer *mip, gboolean out, RaArena *arena,
                             RaActivationBlob *blob, GError **error);
gboolean ra_actprop_to_mip(const RaActivationBlob *blob, gboolean out, RaArena *arena,
                           RaInterfacePointer *mip, GError **error);

G_END_DECLS

#endif
