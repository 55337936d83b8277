/*
 * `--backend ndr`: typed NDR stubs for the protocol library (tools/libra).
 *
 * Writes two files into the output folder:
 *  - rai-ndr.h: the API. For every interface of the main IDL file: its syntax id and IID, its
 *    method table (RaRaiInterfaceInfo: names, opnums, DISPIDs, property kinds, parameters with
 *    their OLE Automation types), and for every method of its own (opnum 7 on) the typed [in]
 *    and [out] structures, their pull/push/print functions, a client proxy, a server handler slot
 *    and an IDispatch::Invoke adapter; then one dispatch function per interface. Enums become
 *    constants with a name function, coclasses CLSIDs.
 *  - rai-ndr.c: the code, plus ra_rai_types[], every generated structure with generic
 *    pull/push/print pointers (for the round-trip fuzzer and tests).
 *
 * Wire forms (facts.md, [MS-OAUT], [MS-RPCE]):
 *  - an ORPC method's request starts with ORPCTHIS, its response with ORPCTHAT, and ends with the
 *    HRESULT ([MS-DCOM] 2.2.13);
 *  - BSTR, VARIANT and SAFEARRAY(BSTR) use the user-marshal forms of ra/oaut.h (Windows form on
 *    send; every known form on receipt);
 *  - an enum without [v1_enum] is 16 bits; a peer's 32-bit form reads the same (ra/ndr.h); the
 *    value is not range-checked on receipt (the handler answers E_INVALIDARG, [MS-RAI]
 *    3.1.4.1.2.2.6), only printed by name;
 *  - interface pointers are unique pointers to an MInterfacePointer whose OBJREF stays opaque;
 *  - a top-level [ref] pointer has no wire form; LPWSTR's own pointer is unique when it sits under
 *    another pointer (`[in, out] LPWSTR *`).
 * Parameters outside these forms (another pointer level, full pointers, other SAFEARRAY element
 * types) are refused with an error naming them: the backend never emits a guess.
 *
 * Generated names: types RaRai_<Interface>_<c_name>_in/_out, functions
 * ra_rai_{pull,push,print}_<Interface>_<c_name>_{in,out}, ra_rai_call_<Interface>_<c_name>,
 * RaRai_<Interface>_Handlers, ra_rai_<Interface>_dispatch, ra_rai_<Interface>_invoke.
 */
#include "backend.h"

#include <string.h>

typedef enum {
    K_I32,     /* long, INT */
    K_U32,     /* DWORD */
    K_HRESULT, /* HRESULT as a parameter */
    K_ENUM,    /* 16-bit NDR enum, kept as guint32 */
    K_BSTR,
    K_LPWSTR,
    K_VARIANT,
    K_SA_BSTR,
    K_IFACE,
} Kind;

typedef struct {
    const AstParam *p;
    Kind kind;
    gboolean in, out;
} Param;

static gboolean is_main(const AstFile *file)
{
    return file != NULL && file->role == AST_FILE_MAIN;
}

static const char *dispatch_vt(const Param *q)
{
    switch (q->kind) {
    case K_I32:
        return q->p->type->kind == AST_TYPE_INT ? "RA_VT_INT" : "RA_VT_I4";
    case K_U32:
        return "RA_VT_UI4";
    case K_HRESULT:
        return "RA_VT_ERROR";
    case K_ENUM:
        return "RA_VT_I4";
    case K_BSTR:
    case K_LPWSTR:
        return "RA_VT_BSTR";
    case K_VARIANT:
        return "RA_VT_VARIANT";
    case K_SA_BSTR:
        return "(RA_VT_ARRAY | RA_VT_BSTR)";
    case K_IFACE: {
        const AstInterface *t = q->p->type->iface;
        return t->dual || strcmp(t->name, "IDispatch") == 0 ? "RA_VT_DISPATCH" : "RA_VT_UNKNOWN";
    }
    }
    return "RA_VT_EMPTY";
}

static const char *c_type(Kind k)
{
    switch (k) {
    case K_I32:
        return "gint32 ";
    case K_U32:
    case K_HRESULT:
    case K_ENUM:
        return "guint32 ";
    case K_BSTR:
    case K_LPWSTR:
        return "gchar *";
    case K_VARIANT:
        return "RaVariant ";
    case K_SA_BSTR:
        return "RaBstrArray *";
    case K_IFACE:
        return "RaInterfacePointer *";
    }
    return "void *";
}

/* Classifies a parameter, or fails naming what the backend cannot express. */
static gboolean classify(const AstMethod *m, const AstParam *p, Param *out, GError **error)
{
    out->p = p;
    out->in = (p->dir & AST_DIR_IN) != 0;
    out->out = (p->dir & AST_DIR_OUT) != 0;
    /* The pointer levels this backend walks: none, or one top-level [ref] (an [out] or [in,out]
     * parameter passed by reference). */
    gboolean ptrs_ok = p->n_ptrs == 0 || (p->n_ptrs == 1 && p->ptrs[0] == AST_PTR_REF);
    if (out->out && p->n_ptrs == 0 && !p->is_interface_pointer)
        ptrs_ok = FALSE; /* an [out] needs a pointer */
    if (!ptrs_ok) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, p->loc,
                  "the ndr backend cannot express the pointers of parameter '%s' of %s "
                  "(supported: none, or one top-level [ref])",
                  p->name, m->name);
        return FALSE;
    }
    if (p->is_interface_pointer) {
        out->kind = K_IFACE;
        return TRUE;
    }
    switch (p->type->kind) {
    case AST_TYPE_LONG:
    case AST_TYPE_INT:
        out->kind = K_I32;
        return TRUE;
    case AST_TYPE_DWORD:
        out->kind = K_U32;
        return TRUE;
    case AST_TYPE_HRESULT:
        out->kind = K_HRESULT;
        return TRUE;
    case AST_TYPE_ENUM:
        if (p->type->enumeration->v1_enum)
            break; /* a 32-bit enum: not in this IDL, not implemented */
        out->kind = K_ENUM;
        return TRUE;
    case AST_TYPE_BSTR:
        out->kind = K_BSTR;
        return TRUE;
    case AST_TYPE_LPWSTR:
        /* `[in] LPWSTR` (its own pointer [ref]) or `[..] LPWSTR *` (then unique). */
        if (p->n_ptrs == 1 && p->string_ptr != AST_PTR_UNIQUE)
            break;
        out->kind = K_LPWSTR;
        return TRUE;
    case AST_TYPE_VARIANT:
        out->kind = K_VARIANT;
        return TRUE;
    case AST_TYPE_SAFEARRAY:
        if (p->type->element->kind != AST_TYPE_BSTR)
            break;
        out->kind = K_SA_BSTR;
        return TRUE;
    default:
        break;
    }
    ast_error(error, IDLGEN_ERROR_SEMANTIC, p->loc,
              "the ndr backend cannot marshal parameter '%s' of %s (type %s)", p->name, m->name,
              p->type->name);
    return FALSE;
}

/* The pull / push / print statement for field `f` of r. */
static void emit_pull(GString *c, const Param *q)
{
    const char *n = q->p->name;
    switch (q->kind) {
    case K_I32:
        g_string_append_printf(c, "ra_ndr_pull_i32(ndr, &r->%s)", n);
        break;
    case K_U32:
    case K_HRESULT:
        g_string_append_printf(c, "ra_ndr_pull_u32(ndr, &r->%s)", n);
        break;
    case K_ENUM:
        g_string_append_printf(c, "pull_enum16(ndr, &r->%s)", n);
        break;
    case K_BSTR:
        g_string_append_printf(c, "ra_oaut_pull_bstr(ndr, RA_NDR_BOTH, &r->%s)", n);
        break;
    case K_LPWSTR:
        if (q->p->n_ptrs == 0)
            g_string_append_printf(c, "ra_ndr_pull_wstring(ndr, &r->%s)", n);
        else
            g_string_append_printf(c, "ra_ndr_pull_lpwstr(ndr, &r->%s)", n);
        break;
    case K_VARIANT:
        g_string_append_printf(c, "ra_oaut_pull_variant(ndr, RA_NDR_BOTH, &r->%s)", n);
        break;
    case K_SA_BSTR:
        g_string_append_printf(c, "ra_oaut_pull_safearray_bstr(ndr, RA_NDR_BOTH, &r->%s)", n);
        break;
    case K_IFACE:
        g_string_append_printf(c, "ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->%s)", n);
        break;
    }
}

static void emit_push(GString *c, const Param *q)
{
    const char *n = q->p->name;
    switch (q->kind) {
    case K_I32:
        g_string_append_printf(c, "ra_ndr_push_i32(ndr, r->%s)", n);
        break;
    case K_U32:
    case K_HRESULT:
        g_string_append_printf(c, "ra_ndr_push_u32(ndr, r->%s)", n);
        break;
    case K_ENUM:
        g_string_append_printf(c, "push_enum16(ndr, r->%s)", n);
        break;
    case K_BSTR:
        g_string_append_printf(c, "ra_oaut_push_bstr(ndr, RA_NDR_BOTH, r->%s)", n);
        break;
    case K_LPWSTR:
        if (q->p->n_ptrs == 0)
            g_string_append_printf(c, "push_wstring_ref(ndr, r->%s)", n);
        else
            g_string_append_printf(c, "ra_ndr_push_lpwstr(ndr, r->%s)", n);
        break;
    case K_VARIANT:
        g_string_append_printf(c, "ra_oaut_push_variant(ndr, RA_NDR_BOTH, &r->%s)", n);
        break;
    case K_SA_BSTR:
        g_string_append_printf(c, "ra_oaut_push_safearray_bstr(ndr, RA_NDR_BOTH, r->%s)", n);
        break;
    case K_IFACE:
        g_string_append_printf(c, "ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->%s)", n);
        break;
    }
}

static void emit_print(GString *c, const Param *q)
{
    const char *n = q->p->name;
    switch (q->kind) {
    case K_I32:
        g_string_append_printf(c, "    ra_ndr_print_i32(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_U32:
        g_string_append_printf(c, "    ra_ndr_print_u32(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_HRESULT:
        g_string_append_printf(c, "    ra_dcom_print_hresult(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_ENUM:
        g_string_append_printf(c,
                               "    ra_ndr_print_enum(p, \"%s\", ra_rai_%s_name(r->%s), r->%s);\n",
                               n, q->p->type->enumeration->name, n, n);
        break;
    case K_BSTR:
        g_string_append_printf(c, "    ra_oaut_print_bstr(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_LPWSTR:
        g_string_append_printf(c, "    ra_ndr_print_string(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_VARIANT:
        g_string_append_printf(c, "    ra_oaut_print_variant(p, \"%s\", &r->%s);\n", n, n);
        break;
    case K_SA_BSTR:
        g_string_append_printf(c, "    ra_oaut_print_safearray_bstr(p, \"%s\", r->%s);\n", n, n);
        break;
    case K_IFACE:
        g_string_append_printf(c, "    ra_oaut_print_interface_ptr(p, \"%s\", r->%s);\n", n, n);
        break;
    }
}

/* Invoke adapter: converting a VARIANT argument into the [in] field, and results back. */
static void emit_arg_in(GString *c, const Param *q, guint index)
{
    const char *n = q->p->name;
    const char *getter = NULL;
    switch (q->kind) {
    case K_I32:
        getter = "ra_variant_get_i32";
        break;
    case K_U32:
    case K_HRESULT:
    case K_ENUM:
        getter = "ra_variant_get_u32";
        break;
    case K_BSTR:
    case K_LPWSTR:
        getter = "ra_variant_get_bstr";
        break;
    case K_SA_BSTR:
        getter = "ra_variant_get_bstr_array";
        break;
    case K_IFACE:
        getter = "ra_variant_get_iface";
        break;
    case K_VARIANT:
        g_string_append_printf(c, "    in.%s = *ra_variant_deref(args[%u]);\n", n, index);
        return;
    }
    g_string_append_printf(c,
                           "    if (!%s(args[%u], &in.%s)) {\n"
                           "        *arg_err = %u;\n"
                           "        *hresult = RA_DISP_E_TYPEMISMATCH;\n"
                           "        return 0;\n"
                           "    }\n",
                           getter, index, n, index);
}

/* "i32", "bstr", ...: the suffix of ra_variant_set_* and ra_variant_store_* (ra/idispatch.h). */
static const char *variant_suffix(const Param *q)
{
    switch (q->kind) {
    case K_I32:
        return q->p->type->kind == AST_TYPE_INT ? "int" : "i32";
    case K_U32:
        return "u32";
    case K_ENUM:
        return "i32";
    case K_HRESULT:
        return "error";
    case K_BSTR:
    case K_LPWSTR:
        return "bstr";
    case K_SA_BSTR:
        return "bstr_array";
    case K_IFACE: {
        const AstInterface *t = q->p->type->iface;
        return t->dual || strcmp(t->name, "IDispatch") == 0 ? "dispatch" : "unknown";
    }
    case K_VARIANT:
        return "variant";
    }
    return "variant";
}

static char *fn_base(const AstInterface *f, const AstMethod *m)
{
    return g_strdup_printf("%s_%s", f->name, m->c_name);
}

/* The methods a backend generates stubs for: the interface's own ones. */
static gboolean own_method(const AstInterface *f, guint index)
{
    return index >= f->own_first;
}

static gboolean classify_all(const AstMethod *m, GArray *params, GError **error)
{
    for (guint i = 0; i < m->params->len; i++) {
        Param q;
        if (!classify(m, g_ptr_array_index(m->params, i), &q, error))
            return FALSE;
        g_array_append_val(params, q);
    }
    if (m->ret == NULL || m->ret->kind != AST_TYPE_HRESULT) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, m->loc,
                  "the ndr backend needs ORPC methods that return HRESULT (%s does not)", m->name);
        return FALSE;
    }
    return TRUE;
}

static void emit_guid(GString *out, const AstUuid *u)
{
    g_string_append_printf(out,
                           "RA_UUID_INIT(0x%08x, 0x%04x, 0x%04x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, "
                           "0x%02x, 0x%02x, 0x%02x, 0x%02x)",
                           u->data1, u->data2, u->data3, u->data4[0], u->data4[1], u->data4[2],
                           u->data4[3], u->data4[4], u->data4[5], u->data4[6], u->data4[7]);
}

static const char *prop_const(AstPropKind k)
{
    static const char *const names[] = {"RA_RAI_PROP_NONE", "RA_RAI_PROP_GET", "RA_RAI_PROP_PUT",
                                        "RA_RAI_PROP_PUTREF"};
    return names[k];
}

/* The fixed part of rai-ndr.h: types the generated tables use. */
static const char header_types[] =
    "/* What a method is, for logs, GetIDsOfNames and Invoke. */\n"
    "typedef enum {\n"
    "    RA_RAI_PROP_NONE,\n"
    "    RA_RAI_PROP_GET,    /* [propget]: Invoke with DISPATCH_PROPERTYGET */\n"
    "    RA_RAI_PROP_PUT,    /* [propput]: DISPATCH_PROPERTYPUT */\n"
    "    RA_RAI_PROP_PUTREF, /* [propputref]: DISPATCH_PROPERTYPUTREF */\n"
    "} RaRaiPropKind;\n\n"
    "typedef struct {\n"
    "    const char *name;\n"
    "    guint dir;       /* 1 in, 2 out, 3 in,out */\n"
    "    gboolean retval; /* [retval]: Invoke's result, not an argument */\n"
    "    guint16 vt;      /* the OLE Automation type Invoke carries it as */\n"
    "} RaRaiParamInfo;\n\n"
    "typedef struct {\n"
    "    const char *name;   /* as declared: \"SessionID\" */\n"
    "    const char *c_name; /* unique: \"get_SessionID\" */\n"
    "    guint16 opnum;\n"
    "    gboolean remote;    /* FALSE: IUnknown 0-2 and IDispatch 3-4 are never called remotely "
    "*/\n"
    "    gboolean builtin;   /* an IUnknown or IDispatch method (implemented by hand) */\n"
    "    gboolean has_dispid;\n"
    "    gint32 dispid;\n"
    "    RaRaiPropKind prop;\n"
    "    guint n_params;\n"
    "    const RaRaiParamInfo *params;\n"
    "} RaRaiMethodInfo;\n\n"
    "/* The generated server entry points of an interface (see ra_rai_<I>_dispatch / _invoke). */\n"
    "typedef guint32 (*RaRaiDispatchFunc)(gconstpointer handlers, gpointer object, RaDcomCall "
    "*call,\n"
    "                                     guint16 opnum, const guint8 *stub, gsize len,\n"
    "                                     RaArena *arena, GBytes **response, GError **error);\n"
    "typedef guint32 (*RaRaiInvokeFunc)(gconstpointer handlers, gpointer object, RaDcomCall "
    "*call,\n"
    "                                   guint16 opnum, RaVariant **args, guint n_args,\n"
    "                                   RaVariant *result, RaArena *arena, guint32 *hresult,\n"
    "                                   guint *arg_err);\n\n"
    "typedef struct {\n"
    "    const char *name;\n"
    "    const RaSyntaxId *syntax; /* IID, version 0.0 */\n"
    "    gboolean dual;\n"
    "    guint16 n_methods;        /* = opnums 0 .. n_methods - 1 */\n"
    "    const RaRaiMethodInfo *methods; /* indexed by opnum */\n"
    "    guint16 own_first;        /* the first opnum of the interface's own methods */\n"
    "    RaRaiDispatchFunc dispatch;\n"
    "    RaRaiInvokeFunc invoke;\n"
    "} RaRaiInterfaceInfo;\n\n"
    "/* A generated structure, for generic code (fuzzers, round-trip tests). */\n"
    "typedef struct {\n"
    "    const char *name; /* \"IRASrv_GetSessionInfo_in\" */\n"
    "    gsize size;\n"
    "    gboolean (*pull)(RaNdrPull *ndr, gpointer r);\n"
    "    gboolean (*push)(RaNdrPush *ndr, gconstpointer r);\n"
    "    void (*print)(RaNdrPrint *p, const char *name, gconstpointer r);\n"
    "} RaRaiTypeInfo;\n\n";

/* The fixed helpers at the top of rai-ndr.c. */
static const char c_helpers[] =
    "/* An NDR enum without [v1_enum] ([C706] 14.2.5), kept in 32 bits on the C side. */\n"
    "static gboolean pull_enum16(RaNdrPull *ndr, guint32 *v)\n"
    "{\n"
    "    guint16 x = 0;\n"
    "    gboolean ok = ra_ndr_pull_enum16(ndr, &x);\n"
    "    *v = x;\n"
    "    return ok;\n"
    "}\n\n"
    "static gboolean push_enum16(RaNdrPush *ndr, guint32 v)\n"
    "{\n"
    "    if (v > G_MAXUINT16)\n"
    "        return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, \"enum value %u does not fit 16 "
    "bits\", v);\n"
    "    return ra_ndr_push_enum16(ndr, (guint16)v);\n"
    "}\n\n"
    "G_GNUC_UNUSED static gboolean push_wstring_ref(RaNdrPush *ndr, const gchar *s)\n"
    "{\n"
    "    if (s == NULL)\n"
    "        return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED, \"NULL [ref] string\");\n"
    "    return ra_ndr_push_wstring(ndr, s);\n"
    "}\n\n"
    "/* Pulls a request or response stub completely; the error names the method. */\n"
    "static gboolean pull_stub(const guint8 *data, gsize len, RaArena *arena,\n"
    "                          gboolean (*pull)(RaNdrPull *, gpointer), gpointer r, const char "
    "*what,\n"
    "                          GError **error)\n"
    "{\n"
    "    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);\n"
    "    gboolean ok = pull(ndr, r);\n"
    "    GError *local = NULL;\n"
    "    ok = ra_ndr_pull_finish(ndr, &local) && ok;\n"
    "    ra_ndr_pull_free(ndr);\n"
    "    if (!ok) {\n"
    "        g_set_error(error, RA_ERROR, local->code, \"%s: %s\", what, local->message);\n"
    "        g_error_free(local);\n"
    "    }\n"
    "    return ok;\n"
    "}\n\n"
    "static GBytes *push_stub(gboolean (*push)(RaNdrPush *, gconstpointer), gconstpointer r,\n"
    "                         const char *what, GError **error)\n"
    "{\n"
    "    RaNdrPush *ndr = ra_ndr_push_new();\n"
    "    push(ndr, r);\n"
    "    GError *local = NULL;\n"
    "    GBytes *b = ra_ndr_push_finish(ndr, &local);\n"
    "    ra_ndr_push_free(ndr);\n"
    "    if (b == NULL) {\n"
    "        g_set_error(error, RA_ERROR, local->code, \"%s: %s\", what, local->message);\n"
    "        g_error_free(local);\n"
    "    }\n"
    "    return b;\n"
    "}\n\n";

static gboolean generate(const AstModule *module, GString *h, GString *c, GError **error)
{
    g_autofree char *banner = backend_banner(module, "with --backend ndr");
    g_autoptr(GPtrArray) ifaces = g_ptr_array_new();
    for (guint i = 0; i < module->interfaces->len; i++) {
        AstInterface *f = g_ptr_array_index(module->interfaces, i);
        if (is_main(f->file))
            g_ptr_array_add(ifaces, f);
    }

    g_string_append(h, banner);
    g_string_append(h, "#ifndef RA_RAI_NDR_H\n#define RA_RAI_NDR_H\n\n"
                       "#include \"ra/dcom.h\"\n#include \"ra/oaut.h\"\n\n"
                       "G_BEGIN_DECLS\n\n"
                       "typedef struct RaDcomCall RaDcomCall;       /* ra/dcom-server.h */\n"
                       "typedef struct RaOrpcBinding RaOrpcBinding; /* ra/dcom-client.h */\n\n");
    g_string_append(h, header_types);
    g_string_append(c, banner);
    g_string_append(c, "#include \"rai-ndr.h\"\n#include \"ra/dcom-client.h\"\n"
                       "#include \"ra/idispatch.h\"\n\n#include <string.h>\n\n");
    g_string_append(c, c_helpers);

    /* ---- enums ---- */
    for (guint i = 0; i < module->enums->len; i++) {
        const AstEnum *e = g_ptr_array_index(module->enums, i);
        if (!is_main(e->file))
            continue;
        g_string_append_printf(h, "/* typedef enum %s (16 bits on the wire) */\n", e->name);
        for (guint k = 0; k < e->values->len; k++) {
            const AstEnumValue *v = g_ptr_array_index(e->values, k);
            g_string_append_printf(h, "#define RA_RAI_%s %" G_GINT64_FORMAT "\n", v->name,
                                   v->value);
        }
        g_string_append_printf(h,
                               "#define RA_RAI_%s_MIN %" G_GINT64_FORMAT
                               "\n#define RA_RAI_%s_MAX %" G_GINT64_FORMAT "\n",
                               e->name, e->min, e->name, e->max);
        g_string_append_printf(h,
                               "/* The enumerator's name (\"%s\"), or NULL for a value outside the "
                               "enum. */\nconst char *ra_rai_%s_name(guint32 value);\n\n",
                               ((const AstEnumValue *)g_ptr_array_index(e->values, 0))->name,
                               e->name);
        g_string_append_printf(
            c, "const char *ra_rai_%s_name(guint32 value)\n{\n    switch (value) {\n", e->name);
        for (guint k = 0; k < e->values->len; k++) {
            const AstEnumValue *v = g_ptr_array_index(e->values, k);
            g_string_append_printf(c, "    case %" G_GINT64_FORMAT ":\n        return \"%s\";\n",
                                   v->value, v->name);
        }
        g_string_append(c, "    default:\n        return NULL;\n    }\n}\n\n");
    }

    /* ---- coclasses ---- */
    for (guint i = 0; i < module->coclasses->len; i++) {
        const AstCoclass *k = g_ptr_array_index(module->coclasses, i);
        if (!is_main(k->file) || !k->has_uuid)
            continue;
        g_string_append_printf(h, "extern const RaUuid ra_rai_clsid_%s; /* %s */\n", k->name,
                               k->uuid.text);
        g_string_append_printf(c, "const RaUuid ra_rai_clsid_%s = ", k->name);
        emit_guid(c, &k->uuid);
        g_string_append(c, ";\n");
    }
    g_string_append(h, "\n");
    g_string_append(c, "\n");

    GString *types = g_string_new("const RaRaiTypeInfo ra_rai_types[] = {\n");
    guint n_types = 0;

    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        if (!f->has_uuid) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, f->loc,
                      "the ndr backend needs a uuid for interface %s", f->name);
            g_string_free(types, TRUE);
            return FALSE;
        }
        g_string_append_printf(h, "/* ==== interface %s (%s) ==== */\n\n", f->name, f->uuid.text);
        g_string_append_printf(h, "extern const RaUuid ra_rai_iid_%s;\n", f->name);
        g_string_append_printf(h, "extern const RaSyntaxId ra_rai_syntax_%s;\n", f->name);
        g_string_append_printf(h, "extern const RaRaiInterfaceInfo ra_rai_iface_%s;\n", f->name);
        g_string_append_printf(h, "#define RA_RAI_%s_N_OPNUMS %u\n\n", f->name, f->methods->len);
        g_string_append_printf(
            c, "/* ==== interface %s ==== */\n\nconst RaUuid ra_rai_iid_%s = ", f->name, f->name);
        emit_guid(c, &f->uuid);
        g_string_append_printf(c, ";\nconst RaSyntaxId ra_rai_syntax_%s = {", f->name);
        emit_guid(c, &f->uuid);
        g_string_append(c, ", 0, 0};\n\n");

        GString *handlers = g_string_new(NULL);
        GString *dispatch = g_string_new(NULL);
        GString *invoke = g_string_new(NULL);
        GString *table = g_string_new(NULL);
        g_string_append_printf(handlers,
                               "/*\n * The server side of %s: one handler per method (NULL = not "
                               "implemented: the\n * call gets nca_s_op_rng_error). A handler "
                               "reads *in (pulled data, in the call's arena),\n * fills *out (its "
                               "strings and arrays must live until the response is pushed: use\n"
                               " * the call's arena), sets out->result to the HRESULT and returns "
                               "0, or returns a\n * fault status. out->orpcthat is zeroed.\n */\n"
                               "typedef struct {\n",
                               f->name);

        for (guint mi = 0; mi < f->methods->len; mi++) {
            const AstMethod *m = g_ptr_array_index(f->methods, mi);
            /* method info (all opnums) */
            GString *pinfo = g_string_new(NULL);
            g_autoptr(GArray) params = g_array_new(FALSE, TRUE, sizeof(Param));
            if (own_method(f, mi)) {
                if (!classify_all(m, params, error)) {
                    g_string_free(pinfo, TRUE);
                    g_string_free(handlers, TRUE);
                    g_string_free(dispatch, TRUE);
                    g_string_free(invoke, TRUE);
                    g_string_free(table, TRUE);
                    g_string_free(types, TRUE);
                    return FALSE;
                }
                if (params->len > 0) {
                    g_string_append_printf(pinfo,
                                           "static const RaRaiParamInfo params_%s_%s[] = {\n",
                                           f->name, m->c_name);
                    for (guint k = 0; k < params->len; k++) {
                        const Param *q = &g_array_index(params, Param, k);
                        g_string_append_printf(pinfo, "    {\"%s\", %u, %s, %s},\n", q->p->name,
                                               (guint)q->p->dir, q->p->retval ? "TRUE" : "FALSE",
                                               dispatch_vt(q));
                    }
                    g_string_append(pinfo, "};\n");
                    g_string_append(c, pinfo->str);
                }
            }
            g_string_free(pinfo, TRUE);
            g_autofree char *pname = params->len
                                         ? g_strdup_printf("params_%s_%s", f->name, m->c_name)
                                         : g_strdup("NULL");
            g_string_append_printf(table, "    {\"%s\", \"%s\", %u, %s, %s, %s, %d, %s, %u, %s},\n",
                                   m->name, m->c_name, m->opnum, m->remote ? "TRUE" : "FALSE",
                                   m->builtin != AST_BUILTIN_NONE ? "TRUE" : "FALSE",
                                   m->has_dispid ? "TRUE" : "FALSE", m->has_dispid ? m->dispid : 0,
                                   prop_const(m->prop), params->len, pname);
            if (!own_method(f, mi))
                continue;

            g_autofree char *base = fn_base(f, m);
            /* ---- structures ---- */
            g_string_append_printf(h, "/* %s::%s, opnum %u", f->name, m->name, m->opnum);
            if (m->has_dispid)
                g_string_append_printf(h, ", DISPID %d (0x%08x)", m->dispid, (guint32)m->dispid);
            g_string_append(h, " */\n");
            g_string_append_printf(h, "#define RA_RAI_OPNUM_%s %u\n", base, m->opnum);
            if (m->has_dispid)
                g_string_append_printf(h, "#define RA_RAI_DISPID_%s %d\n", base, m->dispid);
            g_string_append(h, "typedef struct {\n    RaOrpcThis orpcthis;\n");
            for (guint k = 0; k < params->len; k++) {
                const Param *q = &g_array_index(params, Param, k);
                if (q->in)
                    g_string_append_printf(h, "    %s%s;\n", c_type(q->kind), q->p->name);
            }
            g_string_append_printf(h, "} RaRai_%s_in;\n", base);
            g_string_append(h, "typedef struct {\n    RaOrpcThat orpcthat;\n");
            for (guint k = 0; k < params->len; k++) {
                const Param *q = &g_array_index(params, Param, k);
                if (q->out)
                    g_string_append_printf(h, "    %s%s;\n", c_type(q->kind), q->p->name);
            }
            g_string_append_printf(h, "    guint32 result; /* HRESULT */\n} RaRai_%s_out;\n", base);
            for (int dir = 0; dir < 2; dir++) {
                const char *sfx = dir == 0 ? "in" : "out";
                g_string_append_printf(
                    h,
                    "gboolean ra_rai_pull_%s_%s(RaNdrPull *ndr, RaRai_%s_%s *r);\n"
                    "gboolean ra_rai_push_%s_%s(RaNdrPush *ndr, const RaRai_%s_%s "
                    "*r);\n"
                    "void ra_rai_print_%s_%s(RaNdrPrint *p, const char *name, "
                    "const RaRai_%s_%s *r);\n",
                    base, sfx, base, sfx, base, sfx, base, sfx, base, sfx, base, sfx);
                /* pull */
                g_string_append_printf(
                    c,
                    "gboolean ra_rai_pull_%s_%s(RaNdrPull *ndr, RaRai_%s_%s *r)\n"
                    "{\n    memset(r, 0, sizeof *r);\n    return ",
                    base, sfx, base, sfx);
                g_string_append_printf(c, dir == 0 ? "ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, "
                                                     "&r->orpcthis)"
                                                   : "ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, "
                                                     "&r->orpcthat)");
                for (guint k = 0; k < params->len; k++) {
                    const Param *q = &g_array_index(params, Param, k);
                    if (dir == 0 ? q->in : q->out) {
                        g_string_append(c, " &&\n           ");
                        emit_pull(c, q);
                    }
                }
                if (dir == 1)
                    g_string_append(c, " &&\n           ra_ndr_pull_u32(ndr, &r->result)");
                g_string_append(c, ";\n}\n\n");
                /* push */
                g_string_append_printf(
                    c,
                    "gboolean ra_rai_push_%s_%s(RaNdrPush *ndr, const RaRai_%s_%s "
                    "*r)\n{\n    return ",
                    base, sfx, base, sfx);
                g_string_append_printf(c, dir == 0 ? "ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, "
                                                     "&r->orpcthis)"
                                                   : "ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, "
                                                     "&r->orpcthat)");
                for (guint k = 0; k < params->len; k++) {
                    const Param *q = &g_array_index(params, Param, k);
                    if (dir == 0 ? q->in : q->out) {
                        g_string_append(c, " &&\n           ");
                        emit_push(c, q);
                    }
                }
                if (dir == 1)
                    g_string_append(c, " &&\n           ra_ndr_push_u32(ndr, r->result)");
                g_string_append(c, ";\n}\n\n");
                /* print */
                g_string_append_printf(c,
                                       "void ra_rai_print_%s_%s(RaNdrPrint *p, const char *name, "
                                       "const RaRai_%s_%s *r)\n{\n"
                                       "    ra_ndr_print_begin(p, name, \"struct\", \"%s_%s\");\n",
                                       base, sfx, base, sfx, base, sfx);
                g_string_append(c, dir == 0 ? "    ra_dcom_print_orpcthis(p, \"ORPCthis\", "
                                              "&r->orpcthis);\n"
                                            : "    ra_dcom_print_orpcthat(p, \"ORPCthat\", "
                                              "&r->orpcthat);\n");
                for (guint k = 0; k < params->len; k++) {
                    const Param *q = &g_array_index(params, Param, k);
                    if (dir == 0 ? q->in : q->out)
                        emit_print(c, q);
                }
                if (dir == 1)
                    g_string_append(c, "    ra_dcom_print_hresult(p, \"result\", r->result);\n");
                g_string_append(c, "    ra_ndr_print_end(p);\n}\n\n");
                /* generic wrappers for the type table */
                g_string_append_printf(
                    c,
                    "static gboolean gen_pull_%s_%s(RaNdrPull *ndr, gpointer r)\n"
                    "{\n    return ra_rai_pull_%s_%s(ndr, r);\n}\n"
                    "static gboolean gen_push_%s_%s(RaNdrPush *ndr, gconstpointer "
                    "r)\n{\n    return ra_rai_push_%s_%s(ndr, r);\n}\n"
                    "static void gen_print_%s_%s(RaNdrPrint *p, const char *name, "
                    "gconstpointer r)\n{\n    ra_rai_print_%s_%s(p, name, r);\n}\n\n",
                    base, sfx, base, sfx, base, sfx, base, sfx, base, sfx, base, sfx);
                g_string_append_printf(types,
                                       "    {\"%s_%s\", sizeof(RaRai_%s_%s), gen_pull_%s_%s, "
                                       "gen_push_%s_%s, gen_print_%s_%s},\n",
                                       base, sfx, base, sfx, base, sfx, base, sfx, base, sfx);
                n_types++;
            }

            /* ---- client proxy ---- */
            g_string_append_printf(
                h,
                "/* Client proxy: sets in->orpcthis from the binding, calls opnum %u on the "
                "binding's IPID,\n * pulls *out (into arena). FALSE with RA_ERROR_HRESULT when "
                "out->result is a failure\n * (out is filled), or with the error of the call or "
                "the decoding. */\n"
                "gboolean ra_rai_call_%s(RaOrpcBinding *binding, RaRai_%s_in *in, RaRai_%s_out "
                "*out,\n                         RaArena *arena, GError **error);\n\n",
                m->opnum, base, base, base);
            g_string_append_printf(
                c,
                "static gboolean pull_%s_out_cb(RaNdrPull *ndr, gpointer r)\n{\n"
                "    return ra_rai_pull_%s_out(ndr, r);\n}\n\n"
                "gboolean ra_rai_call_%s(RaOrpcBinding *binding, RaRai_%s_in *in, RaRai_%s_out "
                "*out,\n                         RaArena *arena, GError **error)\n{\n"
                "    in->orpcthis = *ra_orpc_binding_orpcthis(binding);\n"
                "    GBytes *request = push_stub(gen_push_%s_in, in, \"%s::%s request\", error);\n"
                "    if (request == NULL)\n        return FALSE;\n"
                "    GBytes *response = ra_orpc_call(binding, %u, request, error);\n"
                "    g_bytes_unref(request);\n"
                "    if (response == NULL)\n        return FALSE;\n"
                "    gsize len;\n"
                "    const guint8 *data = g_bytes_get_data(response, &len);\n"
                "    /* the pulled strings point into the arena, not into the response */\n"
                "    data = ra_arena_memdup(arena, data, len);\n"
                "    g_bytes_unref(response);\n"
                "    if (!pull_stub(data, len, arena, pull_%s_out_cb, out, \"%s::%s response\", "
                "error))\n        return FALSE;\n"
                "    return ra_orpc_check_hresult(out->result, \"%s::%s\", error);\n}\n\n",
                base, base, base, base, base, base, f->name, m->name, m->opnum, base, f->name,
                m->name, f->name, m->name);

            /* ---- server ---- */
            g_string_append_printf(handlers,
                                   "    guint32 (*%s)(gpointer object, RaDcomCall *call, const "
                                   "RaRai_%s_in *in,\n                  RaRai_%s_out *out);\n",
                                   m->c_name, base, base);
            g_string_append_printf(
                dispatch,
                "    case %u: {\n"
                "        if (h->%s == NULL)\n"
                "            return RA_NCA_OP_RNG_ERROR;\n"
                "        RaRai_%s_in *in = ra_arena_new0(arena, RaRai_%s_in);\n"
                "        RaRai_%s_out *out = ra_arena_new0(arena, RaRai_%s_out);\n"
                "        if (!pull_stub(stub, len, arena, gen_pull_%s_in, in, "
                "\"%s::%s request\", error))\n"
                "            return RA_NCA_S_FAULT_NDR;\n"
                "        guint32 fault = h->%s(object, call, in, out);\n"
                "        if (fault != 0)\n"
                "            return fault;\n"
                "        *response = push_stub(gen_push_%s_out, out, \"%s::%s "
                "response\", error);\n"
                "        return *response ? 0 : RA_NCA_S_FAULT_NDR;\n"
                "    }\n",
                m->opnum, m->c_name, base, base, base, base, base, f->name, m->name, m->c_name,
                base, f->name, m->name);

            /* ---- Invoke adapter ---- */
            guint n_args = 0;
            const Param *retval = NULL;
            for (guint k = 0; k < params->len; k++) {
                const Param *q = &g_array_index(params, Param, k);
                if (q->p->retval)
                    retval = q;
                else
                    n_args++;
            }
            g_string_append_printf(invoke,
                                   "    case %u: {\n"
                                   "        if (h->%s == NULL)\n"
                                   "            return RA_NCA_OP_RNG_ERROR;\n"
                                   "        if (n_args != %u) {\n"
                                   "            *hresult = RA_DISP_E_BADPARAMCOUNT;\n"
                                   "            return 0;\n"
                                   "        }\n"
                                   "        return invoke_%s(h, object, call, args, result, "
                                   "arena, hresult, arg_err);\n    }\n",
                                   m->opnum, m->c_name, n_args, base);
            g_string_append_printf(c,
                                   "static guint32 invoke_%s(const RaRai_%s_Handlers *h, gpointer "
                                   "object, RaDcomCall *call,\n"
                                   "                         RaVariant **args, RaVariant *result, "
                                   "RaArena *arena,\n"
                                   "                         guint32 *hresult, guint *arg_err)\n{\n"
                                   "    (void)args;\n    (void)result;\n    (void)arg_err;\n"
                                   "    RaRai_%s_in in;\n    memset(&in, 0, sizeof in);\n",
                                   base, f->name, base);
            guint ai = 0;
            for (guint k = 0; k < params->len; k++) {
                const Param *q = &g_array_index(params, Param, k);
                if (q->p->retval)
                    continue;
                if (q->in)
                    emit_arg_in(c, q, ai);
                ai++;
            }
            g_string_append_printf(c,
                                   "    RaRai_%s_out *out = ra_arena_new0(arena, RaRai_%s_out);\n"
                                   "    guint32 fault = h->%s(object, call, &in, out);\n"
                                   "    if (fault != 0)\n        return fault;\n"
                                   "    *hresult = out->result;\n"
                                   "    if (out->result & 0x80000000u)\n        return 0;\n",
                                   base, base, m->c_name);
            ai = 0;
            for (guint k = 0; k < params->len; k++) {
                const Param *q = &g_array_index(params, Param, k);
                if (q->p->retval)
                    continue;
                if (q->out) {
                    if (q->kind == K_VARIANT)
                        g_string_append_printf(
                            c, "    ra_variant_store_variant(args[%u], &out->%s);\n", ai,
                            q->p->name);
                    else
                        g_string_append_printf(c, "    ra_variant_store_%s(args[%u], out->%s);\n",
                                               variant_suffix(q), ai, q->p->name);
                }
                ai++;
            }
            if (retval) {
                if (retval->kind == K_VARIANT)
                    g_string_append_printf(c, "    if (result)\n        *result = out->%s;\n",
                                           retval->p->name);
                else
                    g_string_append_printf(
                        c, "    if (result)\n        ra_variant_set_%s(result, out->%s);\n",
                        variant_suffix(retval), retval->p->name);
            }
            g_string_append(c, "    return 0;\n}\n\n");
        }

        /* method table */
        g_string_append_printf(c, "static const RaRaiMethodInfo methods_%s[] = {\n%s};\n\n",
                               f->name, table->str);
        GString *info = g_string_new(NULL);
        g_string_append_printf(info,
                               "const RaRaiInterfaceInfo ra_rai_iface_%s = {\"%s\", "
                               "&ra_rai_syntax_%s, %s, %u, methods_%s, %u, ra_rai_%s_dispatch, "
                               "ra_rai_%s_invoke};\n\n",
                               f->name, f->name, f->name, f->dual ? "TRUE" : "FALSE",
                               f->methods->len, f->name, f->own_first, f->name, f->name);
        g_string_append_printf(handlers, "} RaRai_%s_Handlers;\n\n", f->name);
        g_string_append(h, handlers->str);
        g_string_append_printf(
            h,
            "/*\n * Serves one call of %s: opnum %u..%u (its own methods). Returns 0 with "
            "*response (a new\n * GBytes), or a fault status: nca_s_op_rng_error for an opnum "
            "outside them or without\n * a handler, nca_s_fault_ndr (RPC_X_BAD_STUB_DATA, with "
            "*error saying why) for a request\n * that does not decode, or the handler's. Pulled "
            "data and the handler's results live in arena.\n */\n"
            "guint32 ra_rai_%s_dispatch(gconstpointer handlers /* const RaRai_%s_Handlers * */,\n"
            "                          gpointer object, RaDcomCall *call, guint16 opnum, const "
            "guint8 "
            "*stub,\n                          gsize len, RaArena *arena, GBytes **response, "
            "GError "
            "**error);\n\n",
            f->name, f->own_first, f->methods->len - 1, f->name, f->name);
        g_string_append_printf(
            h,
            "/*\n * IDispatch::Invoke of method `opnum` of %s: args are the arguments in "
            "parameter order\n * (the [retval] left out; VT_BYREF variants for [in, out] "
            "parameters, which receive the\n * results), result receives the [retval] (may be "
            "NULL). Sets *hresult (the method's\n * HRESULT, or DISP_E_BADPARAMCOUNT / "
            "DISP_E_TYPEMISMATCH with *arg_err = the argument's\n * index) and returns 0, or "
            "returns a fault status as _dispatch does.\n */\n"
            "guint32 ra_rai_%s_invoke(gconstpointer handlers /* const RaRai_%s_Handlers * */,\n"
            "                        gpointer object, RaDcomCall *call, guint16 opnum, RaVariant "
            "**args,\n                        guint n_args, RaVariant *result, RaArena *arena, "
            "guint32 *hresult,\n                        guint *arg_err);\n\n",
            f->name, f->name, f->name);
        g_string_append_printf(c,
                               "guint32 ra_rai_%s_dispatch(gconstpointer handlers, gpointer "
                               "object, RaDcomCall *call,\n"
                               "                          guint16 opnum, const guint8 *stub, "
                               "gsize len, RaArena *arena,\n"
                               "                          GBytes **response, GError **error)\n{\n"
                               "    const RaRai_%s_Handlers *h = handlers;\n"
                               "    *response = NULL;\n    switch (opnum) {\n%s"
                               "    default:\n        return RA_NCA_OP_RNG_ERROR;\n    }\n}\n\n",
                               f->name, f->name, dispatch->str);
        g_string_append_printf(c,
                               "guint32 ra_rai_%s_invoke(gconstpointer handlers, gpointer "
                               "object, RaDcomCall *call,\n"
                               "                        guint16 opnum, RaVariant **args, guint "
                               "n_args, RaVariant *result,\n"
                               "                        RaArena *arena, guint32 *hresult, guint "
                               "*arg_err)\n{\n"
                               "    const RaRai_%s_Handlers *h = handlers;\n"
                               "    *hresult = 0;\n    *arg_err = 0;\n    switch (opnum) {\n%s"
                               "    default:\n        return RA_NCA_OP_RNG_ERROR;\n    }\n}\n\n",
                               f->name, f->name, invoke->str);
        g_string_append(c, info->str);
        g_string_free(info, TRUE);
        g_string_free(handlers, TRUE);
        g_string_free(dispatch, TRUE);
        g_string_free(invoke, TRUE);
        g_string_free(table, TRUE);
    }

    /* ---- tables of everything ---- */
    g_string_append_printf(h,
                           "/* Every interface of the IDL, and every generated structure. */\n"
                           "#define RA_RAI_N_INTERFACES %u\n"
                           "extern const RaRaiInterfaceInfo *const "
                           "ra_rai_interfaces[RA_RAI_N_INTERFACES];\n"
                           "#define RA_RAI_N_TYPES %u\n"
                           "extern const RaRaiTypeInfo ra_rai_types[RA_RAI_N_TYPES];\n\n",
                           ifaces->len, n_types);
    g_string_append(c,
                    "const RaRaiInterfaceInfo *const ra_rai_interfaces[RA_RAI_N_INTERFACES] = {\n");
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        g_string_append_printf(c, "    &ra_rai_iface_%s,\n", f->name);
    }
    g_string_append(c, "};\n\n");
    g_string_append(c, types->str);
    g_string_append(c, "};\n");
    g_string_free(types, TRUE);
    g_string_append(h, "G_END_DECLS\n\n#endif\n");
    return TRUE;
}

gboolean backend_ndr_string(const AstModule *module, char **header, char **code, GError **error)
{
    GString *h = g_string_new(NULL);
    GString *c = g_string_new(NULL);
    if (!generate(module, h, c, error)) {
        g_string_free(h, TRUE);
        g_string_free(c, TRUE);
        return FALSE;
    }
    *header = g_string_free(h, FALSE);
    *code = g_string_free(c, FALSE);
    return TRUE;
}

gboolean backend_ndr_generate(const AstModule *module, const BackendOptions *options,
                              GError **error)
{
    g_autofree char *header = NULL;
    g_autofree char *code = NULL;
    if (!backend_ndr_string(module, &header, &code, error))
        return FALSE;
    g_autofree char *hpath = g_build_filename(options->output, "rai-ndr.h", NULL);
    g_autofree char *cpath = g_build_filename(options->output, "rai-ndr.c", NULL);
    return backend_write_file(hpath, header, error) && backend_write_file(cpath, code, error);
}
