/*
 * AST nodes of idlgen (see ast.h): construction, lookup, release, and the built-in base
 * interfaces IUnknown ([MS-DCOM] 3.1.1.5.8) and IDispatch ([MS-OAUT] 3.1.4).
 */
#include "ast.h"
#include "lexer.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(idlgen - error - quark, idlgen_error)

void ast_error(GError **error, IdlgenError code, AstLoc loc, const char *format, ...)
{
    if (error == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    g_autofree gchar *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    if (loc.file != NULL && loc.line > 0)
        g_set_error(error, IDLGEN_ERROR, code, "%s:%u:%u: error: %s", loc.file, loc.line, loc.col,
                    message);
    else if (loc.file != NULL)
        g_set_error(error, IDLGEN_ERROR, code, "%s: error: %s", loc.file, message);
    else
        g_set_error(error, IDLGEN_ERROR, code, "error: %s", message);
}

void ast_attr_free(AstAttr *attr)
{
    if (attr == NULL)
        return;
    g_free(attr->name);
    g_free(attr->arg);
    g_free(attr);
}

static void attr_free(gpointer p)
{
    ast_attr_free(p);
}

GPtrArray *ast_attr_list_new(void)
{
    return g_ptr_array_new_with_free_func(attr_free);
}

AstAttr *ast_attr_new(const char *name, const char *arg, AstLoc loc, AstLoc arg_loc)
{
    AstAttr *attr = g_new0(AstAttr, 1);
    attr->name = g_strdup(name);
    attr->arg = g_strdup(arg);
    attr->loc = loc;
    attr->arg_loc = arg_loc;
    return attr;
}

static void type_free(AstType *type)
{
    if (type == NULL)
        return;
    type_free(type->element);
    g_free(type->name);
    g_free(type);
}

AstType *ast_type_new(AstTypeKind kind, const char *name, AstLoc loc)
{
    AstType *type = g_new0(AstType, 1);
    type->kind = kind;
    type->name = g_strdup(name);
    type->loc = loc;
    return type;
}

static void param_free(gpointer p)
{
    AstParam *param = p;
    g_free(param->name);
    type_free(param->type);
    g_ptr_array_unref(param->attrs);
    g_free(param);
}

AstParam *ast_param_new(void)
{
    AstParam *param = g_new0(AstParam, 1);
    param->attrs = g_ptr_array_new_with_free_func(attr_free);
    param->string_ptr = AST_PTR_REF;
    return param;
}

static void method_free(gpointer p)
{
    AstMethod *method = p;
    g_free(method->name);
    g_free(method->c_name);
    g_free(method->dispid_expr);
    type_free(method->ret);
    g_ptr_array_unref(method->params);
    g_ptr_array_unref(method->attrs);
    g_free(method->helpstring);
    g_free(method);
}

AstMethod *ast_method_new(void)
{
    AstMethod *method = g_new0(AstMethod, 1);
    method->params = g_ptr_array_new_with_free_func(param_free);
    method->attrs = g_ptr_array_new_with_free_func(attr_free);
    method->remote = TRUE;
    return method;
}

static void interface_free(gpointer p)
{
    AstInterface *iface = p;
    /* The interface owns its own methods only; inherited entries belong to the base. */
    for (guint i = iface->own_first; i < iface->methods->len; i++)
        method_free(g_ptr_array_index(iface->methods, i));
    g_ptr_array_unref(iface->methods);
    g_ptr_array_unref(iface->attrs);
    g_free(iface->name);
    g_free(iface->base_name);
    g_free(iface->helpstring);
    g_free(iface);
}

AstInterface *ast_interface_new(const char *name, AstLoc loc)
{
    AstInterface *iface = g_new0(AstInterface, 1);
    iface->name = g_strdup(name);
    iface->attrs = g_ptr_array_new_with_free_func(attr_free);
    iface->methods = g_ptr_array_new();
    iface->pointer_default = AST_PTR_UNIQUE;
    iface->loc = loc;
    return iface;
}

static void enum_value_free(gpointer p)
{
    AstEnumValue *value = p;
    g_free(value->name);
    g_free(value->expr);
    if (value->expr_tokens != NULL)
        g_ptr_array_unref(value->expr_tokens);
    g_free(value);
}

static void enum_free(gpointer p)
{
    AstEnum *e = p;
    g_free(e->name);
    g_free(e->tag);
    g_ptr_array_unref(e->attrs);
    g_ptr_array_unref(e->values);
    g_free(e);
}

AstEnum *ast_enum_new(void)
{
    AstEnum *e = g_new0(AstEnum, 1);
    e->attrs = g_ptr_array_new_with_free_func(attr_free);
    e->values = g_ptr_array_new_with_free_func(enum_value_free);
    return e;
}

static void member_free(gpointer p)
{
    AstCoclassMember *member = p;
    g_free(member->name);
    g_ptr_array_unref(member->attrs);
    g_free(member);
}

AstCoclassMember *ast_coclass_member_new(void)
{
    AstCoclassMember *member = g_new0(AstCoclassMember, 1);
    member->attrs = ast_attr_list_new();
    return member;
}

static void coclass_free(gpointer p)
{
    AstCoclass *coclass = p;
    g_free(coclass->name);
    g_free(coclass->helpstring);
    g_ptr_array_unref(coclass->attrs);
    g_ptr_array_unref(coclass->members);
    g_free(coclass);
}

AstCoclass *ast_coclass_new(const char *name, AstLoc loc)
{
    AstCoclass *coclass = g_new0(AstCoclass, 1);
    coclass->name = g_strdup(name);
    coclass->attrs = g_ptr_array_new_with_free_func(attr_free);
    coclass->members = g_ptr_array_new_with_free_func(member_free);
    coclass->loc = loc;
    return coclass;
}

static void define_free(gpointer p)
{
    AstDefine *define = p;
    g_free(define->name);
    if (define->params != NULL)
        g_ptr_array_unref(define->params);
    g_ptr_array_unref(define->body);
    g_free(define->body_text);
    g_free(define);
}

AstDefine *ast_define_new(const char *name, AstLoc loc)
{
    AstDefine *define = g_new0(AstDefine, 1);
    define->name = g_strdup(name);
    define->body = g_ptr_array_new_with_free_func((GDestroyNotify)token_free);
    define->loc = loc;
    return define;
}

static void file_free(gpointer p)
{
    AstFile *file = p;
    g_free(file->path);
    g_free(file->name);
    g_free(file);
}

/* A built-in method: no parameters are modelled, backends implement these by hand. */
static void add_builtin(AstInterface *iface, const char *name, AstBuiltin builtin, gboolean remote)
{
    AstMethod *method = ast_method_new();
    AstLoc none = {NULL, 0, 0};
    method->name = g_strdup(name);
    method->c_name = g_strdup(name);
    method->opnum = iface->methods->len;
    method->builtin = builtin;
    method->remote = remote;
    method->defined_in = iface;
    method->ret = ast_type_new(AST_TYPE_HRESULT, "HRESULT", none);
    g_ptr_array_add(iface->methods, method);
}

AstModule *ast_module_new(void)
{
    AstModule *module = g_new0(AstModule, 1);
    module->files = g_ptr_array_new_with_free_func(file_free);
    module->defines = g_ptr_array_new_with_free_func(define_free);
    module->define_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    module->enums = g_ptr_array_new_with_free_func(enum_free);
    module->interfaces = g_ptr_array_new_with_free_func(interface_free);
    module->coclasses = g_ptr_array_new_with_free_func(coclass_free);
    module->enumerators = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    AstLoc none = {NULL, 0, 0};
    /* IUnknown ([MS-DCOM] 3.1.1.5.8): opnums 0-2, never called on an ORPC object interface. */
    AstInterface *unk = ast_interface_new("IUnknown", none);
    unk->builtin = TRUE;
    unk->object = TRUE;
    ast_uuid_parse("00000000-0000-0000-C000-000000000046", &unk->uuid);
    unk->has_uuid = TRUE;
    add_builtin(unk, "QueryInterface", AST_BUILTIN_QUERYINTERFACE, FALSE);
    add_builtin(unk, "AddRef", AST_BUILTIN_ADDREF, FALSE);
    add_builtin(unk, "Release", AST_BUILTIN_RELEASE, FALSE);
    module->iunknown = unk;

    /* IDispatch ([MS-OAUT] 3.1.4): opnums 3-6. [MS-RAI] 3.1.4.1: opnums 3 and 4 are not used
     * across the network by the MS-RAI interfaces; 5 and 6 are. */
    AstInterface *disp = ast_interface_new("IDispatch", none);
    disp->builtin = TRUE;
    disp->object = TRUE;
    disp->base = unk;
    disp->base_name = g_strdup("IUnknown");
    ast_uuid_parse("00020400-0000-0000-C000-000000000046", &disp->uuid);
    disp->has_uuid = TRUE;
    for (guint i = 0; i < unk->methods->len; i++)
        g_ptr_array_add(disp->methods, g_ptr_array_index(unk->methods, i));
    disp->own_first = disp->methods->len;
    add_builtin(disp, "GetTypeInfoCount", AST_BUILTIN_GETTYPEINFOCOUNT, FALSE);
    add_builtin(disp, "GetTypeInfo", AST_BUILTIN_GETTYPEINFO, FALSE);
    add_builtin(disp, "GetIDsOfNames", AST_BUILTIN_GETIDSOFNAMES, TRUE);
    add_builtin(disp, "Invoke", AST_BUILTIN_INVOKE, TRUE);
    module->idispatch = disp;
    return module;
}

void ast_module_free(AstModule *module)
{
    if (module == NULL)
        return;
    g_ptr_array_unref(module->interfaces);
    g_ptr_array_unref(module->coclasses);
    g_ptr_array_unref(module->enums);
    g_hash_table_unref(module->define_by_name);
    g_ptr_array_unref(module->defines);
    g_hash_table_unref(module->enumerators);
    interface_free(module->idispatch);
    interface_free(module->iunknown);
    g_ptr_array_unref(module->files);
    g_free(module);
}

AstInterface *ast_find_interface(const AstModule *module, const char *name)
{
    if (strcmp(name, "IUnknown") == 0)
        return module->iunknown;
    if (strcmp(name, "IDispatch") == 0)
        return module->idispatch;
    for (guint i = 0; i < module->interfaces->len; i++) {
        AstInterface *iface = g_ptr_array_index(module->interfaces, i);
        if (strcmp(iface->name, name) == 0)
            return iface;
    }
    return NULL;
}

AstEnum *ast_find_enum(const AstModule *module, const char *name)
{
    for (guint i = 0; i < module->enums->len; i++) {
        AstEnum *e = g_ptr_array_index(module->enums, i);
        if (strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

AstDefine *ast_find_define(const AstModule *module, const char *name)
{
    return g_hash_table_lookup(module->define_by_name, name);
}

AstCoclass *ast_find_coclass(const AstModule *module, const char *name)
{
    for (guint i = 0; i < module->coclasses->len; i++) {
        AstCoclass *coclass = g_ptr_array_index(module->coclasses, i);
        if (strcmp(coclass->name, name) == 0)
            return coclass;
    }
    return NULL;
}

const AstAttr *ast_find_attr(const GPtrArray *attrs, const char *name)
{
    for (guint i = 0; i < attrs->len; i++) {
        const AstAttr *attr = g_ptr_array_index(attrs, i);
        if (strcmp(attr->name, name) == 0)
            return attr;
    }
    return NULL;
}

static gboolean hex_field(const char *text, guint digits, guint64 *value)
{
    *value = 0;
    for (guint i = 0; i < digits; i++) {
        if (!g_ascii_isxdigit(text[i]))
            return FALSE;
        *value = *value * 16 + (guint64)g_ascii_xdigit_value(text[i]);
    }
    return TRUE;
}

gboolean ast_uuid_parse(const char *text, AstUuid *uuid)
{
    static const guint groups[] = {8, 4, 4, 4, 12};
    if (strlen(text) != 36)
        return FALSE;
    guint64 v[5];
    const char *p = text;
    for (guint g = 0; g < 5; g++) {
        if (!hex_field(p, groups[g], &v[g]))
            return FALSE;
        p += groups[g];
        if (g < 4 && *p++ != '-')
            return FALSE;
    }
    memset(uuid, 0, sizeof *uuid);
    for (guint i = 0; i < 36; i++)
        uuid->text[i] = g_ascii_toupper(text[i]);
    uuid->data1 = (guint32)v[0];
    uuid->data2 = (guint16)v[1];
    uuid->data3 = (guint16)v[2];
    uuid->data4[0] = (guint8)(v[3] >> 8);
    uuid->data4[1] = (guint8)v[3];
    for (guint i = 0; i < 6; i++)
        uuid->data4[2 + i] = (guint8)(v[4] >> (8 * (5 - i)));
    return TRUE;
}

const char *ast_type_kind_name(AstTypeKind kind)
{
    switch (kind) {
    case AST_TYPE_VOID:
        return "void";
    case AST_TYPE_HRESULT:
        return "HRESULT";
    case AST_TYPE_LONG:
        return "long";
    case AST_TYPE_INT:
        return "INT";
    case AST_TYPE_DWORD:
        return "DWORD";
    case AST_TYPE_BSTR:
        return "BSTR";
    case AST_TYPE_LPWSTR:
        return "LPWSTR";
    case AST_TYPE_VARIANT:
        return "VARIANT";
    case AST_TYPE_SAFEARRAY:
        return "SAFEARRAY";
    case AST_TYPE_ENUM:
        return "enum";
    case AST_TYPE_INTERFACE:
        return "interface";
    }
    return "?";
}

const char *ast_ptr_kind_name(AstPtrKind kind)
{
    switch (kind) {
    case AST_PTR_REF:
        return "ref";
    case AST_PTR_UNIQUE:
        return "unique";
    case AST_PTR_FULL:
        return "ptr";
    }
    return "?";
}

const char *ast_direction_name(AstDirection dir)
{
    switch (dir) {
    case AST_DIR_IN:
        return "in";
    case AST_DIR_OUT:
        return "out";
    case AST_DIR_INOUT:
        return "in,out";
    }
    return "?";
}

const char *ast_prop_kind_name(AstPropKind prop)
{
    switch (prop) {
    case AST_PROP_NONE:
        return "method";
    case AST_PROP_GET:
        return "propget";
    case AST_PROP_PUT:
        return "propput";
    case AST_PROP_PUTREF:
        return "propputref";
    }
    return "?";
}

const char *ast_builtin_name(AstBuiltin builtin)
{
    switch (builtin) {
    case AST_BUILTIN_NONE:
        return "none";
    case AST_BUILTIN_QUERYINTERFACE:
        return "IUnknown::QueryInterface";
    case AST_BUILTIN_ADDREF:
        return "IUnknown::AddRef";
    case AST_BUILTIN_RELEASE:
        return "IUnknown::Release";
    case AST_BUILTIN_GETTYPEINFOCOUNT:
        return "IDispatch::GetTypeInfoCount";
    case AST_BUILTIN_GETTYPEINFO:
        return "IDispatch::GetTypeInfo";
    case AST_BUILTIN_GETIDSOFNAMES:
        return "IDispatch::GetIDsOfNames";
    case AST_BUILTIN_INVOKE:
        return "IDispatch::Invoke";
    }
    return "?";
}
