/*
 * The contract between the generated part of the dissector (rai-gen.c, written at build time by
 * idlgen's Wireshark backend from idl/ms-rai.idl) and the hand-written shell (packet-rai.c).
 *
 * The generated part is data plus one tiny entry point per method and direction: it describes
 * every interface, method and parameter of the IDL (RaiInterface, RaiMethod, RaiParam), declares
 * the header fields of the parameters, and hands each PDU to rai_dissect_request() or
 * rai_dissect_response() with the method's description. The shell walks the NDR wire form
 * ([C706] 14, [MS-RPCE] 2.2.5, [MS-OAUT], [MS-DCOM]) following that description.
 */
#ifndef PACKET_RAI_H
#define PACKET_RAI_H

#include "rai-compat.h"

/* What a parameter's value is, on the wire. */
typedef enum {
    RAI_KIND_INT32,     /* long, INT */
    RAI_KIND_UINT32,    /* DWORD */
    RAI_KIND_ENUM,      /* an IDL enum: 16 bits in strict NDR, 32 with the typelib marshaller */
    RAI_KIND_BSTR,      /* user-marshalled BSTR ([MS-OAUT] 2.2.23) */
    RAI_KIND_LPWSTR,    /* [string] wchar_t* */
    RAI_KIND_VARIANT,   /* user-marshalled VARIANT ([MS-OAUT] 2.2.29) */
    RAI_KIND_SAFEARRAY, /* user-marshalled SAFEARRAY ([MS-OAUT] 2.2.30); element in RaiParam */
    RAI_KIND_IFACE,     /* interface pointer: MInterfacePointer ([MS-DCOM] 2.2.14) */
} RaiKind;

typedef enum {
    RAI_PTR_REF,
    RAI_PTR_UNIQUE,
    RAI_PTR_FULL,
} RaiPtr;

typedef enum {
    RAI_BUILTIN_NONE,
    RAI_BUILTIN_QUERYINTERFACE,
    RAI_BUILTIN_ADDREF,
    RAI_BUILTIN_RELEASE,
    RAI_BUILTIN_GETTYPEINFOCOUNT,
    RAI_BUILTIN_GETTYPEINFO,
    RAI_BUILTIN_GETIDSOFNAMES,
    RAI_BUILTIN_INVOKE,
} RaiBuiltin;

typedef enum {
    RAI_PROP_NONE,
    RAI_PROP_GET,
    RAI_PROP_PUT,
    RAI_PROP_PUTREF,
} RaiProp;

#define RAI_DIR_IN       1
#define RAI_DIR_OUT      2
#define RAI_MAX_POINTERS 4

typedef struct RaiInterface RaiInterface;
typedef struct RaiMethod RaiMethod;

typedef struct {
    const char *name; /* the IDL name */
    const char *key;  /* "Interface.c_name.name": the name hooks use (packet-rai.c) */
    const char *decl; /* the declaration as text, e.g. "[in,out] SAFEARRAY(BSTR) *UserNames" */
    RaiKind kind;
    RaiKind element; /* RAI_KIND_SAFEARRAY: the element kind */
    guint8 dir;      /* RAI_DIR_IN | RAI_DIR_OUT */
    gboolean retval;
    guint8 n_ptrs; /* pointer levels before the value, outermost first (ast.h) */
    guint8 ptrs[RAI_MAX_POINTERS];
    guint8 string_ptr;        /* RAI_KIND_LPWSTR: class of the string pointer */
    int *hf;                  /* the value's field */
    gint *ett;                /* its subtree */
    const value_string *vals; /* RAI_KIND_ENUM */
    gint64 enum_min, enum_max;
    gboolean v1_enum;
    const e_guid_t *iid; /* RAI_KIND_IFACE: the interface the IDL names */
    const char *iid_name;
} RaiParam;

struct RaiMethod {
    const char *name;     /* unique within the interface (get_/put_ for properties) */
    const char *idl_name; /* as declared */
    guint16 opnum;
    gboolean remote; /* FALSE: never called across the network (see ast.h) */
    RaiBuiltin builtin;
    gboolean has_dispid;
    gint32 dispid;
    RaiProp prop;
    const RaiParam *params;
    guint n_params;
    const RaiInterface *iface;
};

/*
 * An interface is registered as a protocol of its own ("MS-RAI IRASrv", filter rai.irasrv), as
 * Wireshark's DCE/RPC layer wants one protocol per interface UUID; the shell adds the umbrella
 * protocol "rai" to every PDU of the four.
 */
struct RaiInterface {
    const char *name;       /* "IRASrv" */
    const char *proto_name; /* "MS-RAI IRASrv" */
    const char *filter;     /* "rai.irasrv" */
    e_guid_t uuid;
    guint16 version;
    const char *helpstring;
    int *proto;
    gint *ett;
    int *hf_opnum;
    const RaiMethod *methods; /* index == opnum */
    guint n_methods;
    dcerpc_sub_dissector *procs;
    hf_register_info *hf; /* the opnum field and one field per parameter */
    guint n_hf;
    gint *const *etts; /* the interface's subtree and one per parameter */
    guint n_etts;
};

typedef struct {
    const char *name;
    e_guid_t clsid;
    const char *helpstring;
} RaiCoclass;

/* Implemented by the shell; called by the generated entry points. */
int rai_dissect_request(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                        dcerpc_info *di, guint8 *drep, const RaiMethod *method);
int rai_dissect_response(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                         dcerpc_info *di, guint8 *drep, const RaiMethod *method);

#endif
