/*
 * The AST of idlgen: the contract between the IDL front end (lexer, parser, evaluator, semantic
 * pass) and every backend (the Wireshark dissector today, the NDR marshalling code later).
 *
 * A backend receives an AstModule after the semantic pass (sema_resolve()) has succeeded. Then
 * everything in it is resolved, and a backend never looks at IDL text again:
 *  - every name a declaration uses points at what it names (base interfaces, enum and interface
 *    types, coclass members);
 *  - every interface lists all its methods in opnum order, the inherited ones included
 *    (IUnknown 0-2 and IDispatch 3-6 are built-in interfaces, see ast_module_new());
 *  - every id() attribute is evaluated (AstMethod.dispid), with #define expansion done lazily as
 *    a C preprocessor would, so a name may be used before the #define that gives it a value;
 *  - every enum value is evaluated;
 *  - every parameter has its direction, [retval], its type and the class (ref, unique, full) of
 *    each pointer level, following the MIDL rules (see AstParam).
 *
 * Memory: an AstModule owns every node reachable from it; ast_module_free() releases all.
 * Nodes are never shared between modules. Strings are UTF-8, NUL-terminated, owned by their node.
 *
 * The AST describes the IDL, not a wire format: how a BSTR, a VARIANT or an interface pointer is
 * laid out on the wire is each backend's business (idl/README.md lists the mappings).
 */
#ifndef IDLGEN_AST_H
#define IDLGEN_AST_H

#include <glib.h>

G_BEGIN_DECLS

/* Where a node was written. line and col are 1-based; col counts bytes. */
typedef struct {
    const char *file; /* the path as given to the generator, owned by the AstFile */
    guint line;
    guint col;
} AstLoc;

/* How a file entered the module. */
typedef enum {
    AST_FILE_PRELUDE, /* --prelude: read first (errata, extra #defines) */
    AST_FILE_MAIN,    /* the IDL named on the command line */
    AST_FILE_IMPORT,  /* reached through `import "..."` */
} AstFileRole;

typedef struct {
    char *path; /* as given on the command line or resolved for an import */
    char *name; /* the base name, as a banner shows it */
    AstFileRole role;
} AstFile;

/* A generic attribute, `name` or `name(arg)`, exactly as written (arg trimmed, or NULL). Every
 * attribute of an interface, method, parameter, enum, coclass and coclass member is kept here
 * even when a typed field below also carries its meaning. */
typedef struct {
    char *name;
    char *arg;      /* raw text between the parentheses, trimmed (string quotes kept) */
    AstLoc loc;     /* of the name */
    AstLoc arg_loc; /* of the first character of arg */
} AstAttr;

/* A UUID: the text (uppercase, 8-4-4-4-12) and its fields as a GUID structure holds them. */
typedef struct {
    char text[37];
    guint32 data1;
    guint16 data2;
    guint16 data3;
    guint8 data4[8];
} AstUuid;

typedef enum {
    AST_PTR_REF,    /* [ref]: never NULL, no referent ID on the wire when top-level */
    AST_PTR_UNIQUE, /* [unique]: may be NULL, no aliasing */
    AST_PTR_FULL,   /* [ptr]: may be NULL, may alias */
} AstPtrKind;

typedef struct AstEnum AstEnum;
typedef struct AstInterface AstInterface;

/* The types the MIDL subset knows. The OLE Automation and Windows base types are built in. */
typedef enum {
    AST_TYPE_VOID,      /* only as `(void)` parameter lists */
    AST_TYPE_HRESULT,   /* 32-bit signed status */
    AST_TYPE_LONG,      /* long: 32-bit signed */
    AST_TYPE_INT,       /* INT, int: 32-bit signed */
    AST_TYPE_DWORD,     /* DWORD: 32-bit unsigned */
    AST_TYPE_BSTR,      /* OLE Automation string ([MS-OAUT] 2.2.23) */
    AST_TYPE_LPWSTR,    /* [string] wchar_t*: the string pointer is part of the type */
    AST_TYPE_VARIANT,   /* [MS-OAUT] 2.2.29 */
    AST_TYPE_SAFEARRAY, /* SAFEARRAY(element) ([MS-OAUT] 2.2.30); AstType.element is set */
    AST_TYPE_ENUM,      /* a typedef enum of the module; AstType.enumeration is set */
    AST_TYPE_INTERFACE, /* IUnknown, IDispatch or a declared interface; AstType.iface is set */
} AstTypeKind;

typedef struct AstType {
    AstTypeKind kind;
    char *name;              /* as written: "long", "SessionStateEnum", "IPCHCollection"... */
    guint pointers;          /* the '*' written after the type name */
    struct AstType *element; /* AST_TYPE_SAFEARRAY: the element type (no pointers) */
    AstEnum *enumeration;    /* AST_TYPE_ENUM */
    AstInterface *iface;     /* AST_TYPE_INTERFACE */
    AstLoc loc;
} AstType;

typedef enum {
    AST_DIR_IN = 1,
    AST_DIR_OUT = 2,
    AST_DIR_INOUT = 3,
} AstDirection;

#define AST_MAX_POINTERS 4

/*
 * A parameter.
 *
 * ptrs[] lists the pointer levels a backend must walk before it reaches the value, outermost
 * first, each with its class resolved by the MIDL rules:
 *  - a top-level pointer of a parameter (the outermost '*') is [ref] unless an attribute says
 *    otherwise;
 *  - any other pointer takes the interface's pointer_default (unique when none is given).
 * For an interface type, the last written '*' is the interface pointer itself: it is not listed
 * in ptrs[]; is_interface_pointer is TRUE instead (an interface pointer is a unique pointer to an
 * MInterfacePointer on the wire). For LPWSTR, the string pointer is part of the type: it is not
 * listed either, and string_ptr gives its class (the pointer_default when it sits below another
 * pointer, [ref] for a top-level `[in] LPWSTR`).
 */
typedef struct {
    char *name;
    AstType *type;
    AstDirection dir;
    gboolean retval;
    guint index;      /* position in the method's parameter list, from 0 */
    GPtrArray *attrs; /* of AstAttr* */
    guint n_ptrs;
    AstPtrKind ptrs[AST_MAX_POINTERS];
    gboolean is_interface_pointer;
    AstPtrKind string_ptr; /* AST_TYPE_LPWSTR only */
    AstLoc loc;
} AstParam;

typedef enum {
    AST_PROP_NONE,
    AST_PROP_GET,    /* [propget] */
    AST_PROP_PUT,    /* [propput] */
    AST_PROP_PUTREF, /* [propputref] */
} AstPropKind;

/* The methods of the built-in base interfaces, which a backend implements by hand. */
typedef enum {
    AST_BUILTIN_NONE,
    AST_BUILTIN_QUERYINTERFACE,   /* IUnknown, opnum 0 */
    AST_BUILTIN_ADDREF,           /* IUnknown, opnum 1 */
    AST_BUILTIN_RELEASE,          /* IUnknown, opnum 2 */
    AST_BUILTIN_GETTYPEINFOCOUNT, /* IDispatch, opnum 3 */
    AST_BUILTIN_GETTYPEINFO,      /* IDispatch, opnum 4 */
    AST_BUILTIN_GETIDSOFNAMES,    /* IDispatch, opnum 5 */
    AST_BUILTIN_INVOKE,           /* IDispatch, opnum 6 */
} AstBuiltin;

typedef struct {
    char *name; /* as declared, e.g. "SessionID" */
    char *
        c_name; /* unique within the interface: get_SessionID, put_SessionID, putref_X, else name */
    guint opnum; /* position in the vtable: base interface's method count + declaration order */
    gboolean has_dispid;
    gint32 dispid;     /* id(...) evaluated; DISPID_NEWENUM is -4 */
    char *dispid_expr; /* id(...) as written, or NULL */
    AstPropKind prop;
    AstType *ret;      /* HRESULT for every method of this subset */
    GPtrArray *params; /* of AstParam*; empty for `(void)` */
    GPtrArray *attrs;  /* of AstAttr* */
    char *helpstring;  /* or NULL */
    /* FALSE when the method is never called remotely on an MS-RAI object: IUnknown 0-2 (DCOM
     * calls them through IRemUnknown, [MS-DCOM] 3.1.1.5.8) and IDispatch 3-4 ([MS-RAI] 3.1.4.1,
     * "Opnums 3 and 4 are not used across the network"). */
    gboolean remote;
    AstBuiltin builtin;
    AstInterface *defined_in; /* where the method was declared (a built-in base, or the owner) */
    AstLoc loc;
} AstMethod;

struct AstInterface {
    char *name;
    gboolean has_uuid;
    AstUuid uuid;
    char *base_name;    /* as written, or NULL for IUnknown itself */
    AstInterface *base; /* resolved; NULL only for IUnknown */
    GPtrArray *attrs;   /* of AstAttr* */
    /* Typed views of the attributes this subset uses: */
    gboolean object, dual, oleautomation, nonextensible, local;
    gboolean has_pointer_default;
    AstPtrKind pointer_default; /* AST_PTR_UNIQUE when not given */
    char *helpstring;           /* or NULL */
    /* All methods in opnum order (index == opnum), inherited ones first. The inherited entries
     * point at the base interface's AstMethod (defined_in tells them apart); the interface owns
     * only the methods from own_first on. */
    GPtrArray *methods;
    guint own_first;
    gboolean builtin; /* IUnknown and IDispatch, created by ast_module_new() */
    AstFile *file;    /* NULL for built-ins */
    AstLoc loc;
};

typedef struct {
    char *name;
    gint64 value;
    char *expr; /* the value as written, or NULL when implicit (previous + 1) */
    AstLoc loc;
    GPtrArray *expr_tokens; /* front end only: the tokens of expr (Token*), or NULL */
} AstEnumValue;

struct AstEnum {
    char *name;        /* the typedef name */
    char *tag;         /* `enum tag {`, or NULL */
    GPtrArray *attrs;  /* of AstAttr* (typedef attributes) */
    gboolean v1_enum;  /* [v1_enum]: 32 bits in strict NDR; otherwise 16 bits ([C706] 14.2.11) */
    GPtrArray *values; /* of AstEnumValue*, in declaration order */
    gint64 min, max;
    AstFile *file;
    AstLoc loc;
};

typedef struct {
    char *name; /* the interface name as written */
    AstInterface *iface;
    gboolean is_default; /* [default] */
    GPtrArray *attrs;    /* of AstAttr* */
    AstLoc loc;
} AstCoclassMember;

typedef struct {
    char *name;
    gboolean has_uuid;
    AstUuid uuid;
    char *helpstring;
    GPtrArray *attrs;   /* of AstAttr* */
    GPtrArray *members; /* of AstCoclassMember* */
    AstFile *file;
    AstLoc loc;
} AstCoclass;

/* A #define. Object-like when params is NULL. The body is kept as tokens (see lexer.h) and
 * evaluated on first use (eval_define()), so the order of definitions does not matter. */
typedef struct {
    char *name;
    GPtrArray *params; /* of char*, function-like macros only */
    GPtrArray *body;   /* of Token* */
    char *body_text;   /* the body as written, trimmed */
    AstFile *file;
    AstLoc loc;
    /* evaluation state, filled by eval_define() */
    enum { AST_DEFINE_UNSEEN, AST_DEFINE_BUSY, AST_DEFINE_DONE, AST_DEFINE_NOT_CONSTANT } state;
    gint64 value;
} AstDefine;

typedef struct {
    GPtrArray *files;   /* of AstFile*, in reading order */
    GPtrArray *defines; /* of AstDefine*, in reading order */
    GHashTable *define_by_name;
    GPtrArray *enums;        /* of AstEnum* */
    GPtrArray *interfaces;   /* of AstInterface*, declared ones only, in declaration order */
    GPtrArray *coclasses;    /* of AstCoclass* */
    GHashTable *enumerators; /* enumerator name -> gint64*, filled as enums are evaluated */
    AstInterface *iunknown;  /* built-in */
    AstInterface *idispatch; /* built-in */
} AstModule;

/* A new module holding only the built-in IUnknown and IDispatch. Never NULL. */
AstModule *ast_module_new(void);
void ast_module_free(AstModule *module);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AstModule, ast_module_free)

/* Lookups by name; NULL when absent. ast_find_interface() finds built-ins too. */
AstInterface *ast_find_interface(const AstModule *module, const char *name);
AstEnum *ast_find_enum(const AstModule *module, const char *name);
AstDefine *ast_find_define(const AstModule *module, const char *name);
AstCoclass *ast_find_coclass(const AstModule *module, const char *name);
/* The attribute of that name, or NULL. */
const AstAttr *ast_find_attr(const GPtrArray *attrs, const char *name);

/* Parses "833E4100-AFF7-4AC3-AAC2-9F24C1457BCE" (case-insensitive). FALSE when malformed. */
gboolean ast_uuid_parse(const char *text, AstUuid *uuid);

/* Names for dumps and messages: "long", "in", "ref", "propget"... (static strings). */
const char *ast_type_kind_name(AstTypeKind kind);
const char *ast_ptr_kind_name(AstPtrKind kind);
const char *ast_direction_name(AstDirection dir);
const char *ast_prop_kind_name(AstPropKind prop);
const char *ast_builtin_name(AstBuiltin builtin);

/* Errors of the generator: every message starts "file:line:col: " (GNU style). */
#define IDLGEN_ERROR (idlgen_error_quark())
typedef enum {
    IDLGEN_ERROR_IO,       /* a file cannot be read or written */
    IDLGEN_ERROR_SYNTAX,   /* the text is not in the MIDL subset */
    IDLGEN_ERROR_SEMANTIC, /* well formed, but wrong: unknown names, bad attributes, ... */
} IdlgenError;
GQuark idlgen_error_quark(void);
/* Sets *error (if error is not NULL) to "<file>:<line>:<col>: error: <message>". */
void ast_error(GError **error, IdlgenError code, AstLoc loc, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* Constructors used by the parser; each returns a zeroed node with its lists created. */
AstAttr *ast_attr_new(const char *name, const char *arg, AstLoc loc, AstLoc arg_loc);
void ast_attr_free(AstAttr *attr);
/* A list that frees its AstAttr elements. */
GPtrArray *ast_attr_list_new(void);
AstCoclassMember *ast_coclass_member_new(void);
AstType *ast_type_new(AstTypeKind kind, const char *name, AstLoc loc);
AstParam *ast_param_new(void);
AstMethod *ast_method_new(void);
AstInterface *ast_interface_new(const char *name, AstLoc loc);
AstEnum *ast_enum_new(void);
AstCoclass *ast_coclass_new(const char *name, AstLoc loc);
AstDefine *ast_define_new(const char *name, AstLoc loc);

G_END_DECLS

#endif
