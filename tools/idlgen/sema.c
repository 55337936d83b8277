/*
 * The semantic pass of idlgen (see sema.h).
 */
#include "sema.h"
#include "eval.h"
#include "lexer.h"

#include <string.h>

/* The attributes the subset knows, per place. Flags take no argument; the others need one. */
typedef struct {
    const char *name;
    gboolean takes_arg;
} AttrRule;

static const AttrRule interface_attrs[] = {
    {"object", FALSE},         {"uuid", TRUE},           {"dual", FALSE},
    {"oleautomation", FALSE},  {"nonextensible", FALSE}, {"helpstring", TRUE},
    {"pointer_default", TRUE}, {"local", FALSE},         {NULL, FALSE},
};
static const AttrRule method_attrs[] = {
    {"id", TRUE},          {"propget", FALSE},   {"propput", FALSE},
    {"propputref", FALSE}, {"helpstring", TRUE}, {NULL, FALSE},
};
static const AttrRule param_attrs[] = {
    {"in", FALSE},
    {"out", FALSE},
    {"retval", FALSE},
    {NULL, FALSE},
};
static const AttrRule enum_attrs[] = {{"v1_enum", FALSE}, {NULL, FALSE}};
static const AttrRule coclass_attrs[] = {{"uuid", TRUE}, {"helpstring", TRUE}, {NULL, FALSE}};
static const AttrRule member_attrs[] = {{"default", FALSE}, {NULL, FALSE}};

static gboolean check_attrs(const GPtrArray *attrs, const AttrRule *rules, const char *place,
                            GError **error)
{
    for (guint i = 0; i < attrs->len; i++) {
        const AstAttr *attr = g_ptr_array_index(attrs, i);
        const AttrRule *rule = NULL;
        for (const AttrRule *r = rules; r->name != NULL; r++) {
            if (strcmp(r->name, attr->name) == 0)
                rule = r;
        }
        if (rule == NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->loc,
                      "attribute '%s' is not supported on %s", attr->name, place);
            return FALSE;
        }
        if (rule->takes_arg && attr->arg == NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->loc, "attribute '%s' needs an argument",
                      attr->name);
            return FALSE;
        }
        if (!rule->takes_arg && attr->arg != NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->loc, "attribute '%s' takes no argument",
                      attr->name);
            return FALSE;
        }
        for (guint j = 0; j < i; j++) {
            const AstAttr *other = g_ptr_array_index(attrs, j);
            if (strcmp(other->name, attr->name) == 0) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->loc, "attribute '%s' given twice",
                          attr->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* Re-lexes an attribute's argument into tokens, located where it was written. */
static GPtrArray *arg_tokens(const AstAttr *attr, GError **error)
{
    GPtrArray *tokens = g_ptr_array_new_with_free_func((GDestroyNotify)token_free);
    Lexer lexer;
    lexer_init_at(&lexer, attr->arg_loc.file, attr->arg, strlen(attr->arg), attr->arg_loc.line,
                  attr->arg_loc.col);
    for (;;) {
        Token t;
        if (!lexer_next(&lexer, &t, error)) {
            g_ptr_array_unref(tokens);
            return NULL;
        }
        if (t.kind == TOK_EOF) {
            token_clear(&t);
            return tokens;
        }
        if (t.kind == TOK_HASH || t.kind == TOK_EOL) {
            ast_error(error, IDLGEN_ERROR_SYNTAX, t.loc, "unexpected '#' in an attribute");
            token_clear(&t);
            g_ptr_array_unref(tokens);
            return NULL;
        }
        g_ptr_array_add(tokens, token_copy(&t));
        token_clear(&t);
    }
}

/* helpstring("text"): exactly one string literal. */
static gboolean attr_string(const AstAttr *attr, char **value, GError **error)
{
    g_autoptr(GPtrArray) tokens = arg_tokens(attr, error);
    if (tokens == NULL)
        return FALSE;
    if (tokens->len != 1 || ((Token *)g_ptr_array_index(tokens, 0))->kind != TOK_STRING) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->arg_loc,
                  "the argument of '%s' must be one string literal", attr->name);
        return FALSE;
    }
    *value = g_strdup(((Token *)g_ptr_array_index(tokens, 0))->text);
    return TRUE;
}

static gboolean attr_uuid(const AstAttr *attr, AstUuid *uuid, GError **error)
{
    if (!ast_uuid_parse(attr->arg, uuid)) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->arg_loc,
                  "malformed UUID '%s' (expected 8-4-4-4-12 hexadecimal digits)", attr->arg);
        return FALSE;
    }
    return TRUE;
}

/* ---- types ---- */

typedef struct {
    const char *name;
    AstTypeKind kind;
} BuiltinType;

static const BuiltinType builtin_types[] = {
    {"void", AST_TYPE_VOID},     {"HRESULT", AST_TYPE_HRESULT}, {"long", AST_TYPE_LONG},
    {"LONG", AST_TYPE_LONG},     {"int", AST_TYPE_INT},         {"INT", AST_TYPE_INT},
    {"DWORD", AST_TYPE_DWORD},   {"ULONG", AST_TYPE_DWORD},     {"BSTR", AST_TYPE_BSTR},
    {"LPWSTR", AST_TYPE_LPWSTR}, {"VARIANT", AST_TYPE_VARIANT}, {"SAFEARRAY", AST_TYPE_SAFEARRAY},
    {NULL, AST_TYPE_VOID},
};

static gboolean resolve_type(AstModule *module, AstType *type, GError **error)
{
    for (const BuiltinType *b = builtin_types; b->name != NULL; b++) {
        if (strcmp(b->name, type->name) == 0) {
            type->kind = b->kind;
            if (type->kind == AST_TYPE_SAFEARRAY) {
                if (type->element == NULL) {
                    ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc,
                              "SAFEARRAY needs an element type: SAFEARRAY(type)");
                    return FALSE;
                }
                if (!resolve_type(module, type->element, error))
                    return FALSE;
                switch (type->element->kind) {
                case AST_TYPE_BSTR:
                case AST_TYPE_LONG:
                case AST_TYPE_INT:
                case AST_TYPE_DWORD:
                case AST_TYPE_VARIANT:
                    break;
                default:
                    ast_error(error, IDLGEN_ERROR_SEMANTIC, type->element->loc,
                              "SAFEARRAY of '%s' is not supported", type->element->name);
                    return FALSE;
                }
            }
            return TRUE;
        }
    }
    if (type->element != NULL) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc, "'%s(...)' is not a type", type->name);
        return FALSE;
    }
    AstEnum *e = ast_find_enum(module, type->name);
    if (e != NULL) {
        type->kind = AST_TYPE_ENUM;
        type->enumeration = e;
        return TRUE;
    }
    AstInterface *iface = ast_find_interface(module, type->name);
    if (iface != NULL) {
        type->kind = AST_TYPE_INTERFACE;
        type->iface = iface;
        return TRUE;
    }
    ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc, "unknown type '%s'", type->name);
    return FALSE;
}

/* ---- enums ---- */

static gboolean resolve_enum(AstModule *module, AstEnum *e, GError **error)
{
    if (!check_attrs(e->attrs, enum_attrs, "an enum", error))
        return FALSE;
    e->v1_enum = ast_find_attr(e->attrs, "v1_enum") != NULL;
    if (e->values->len == 0) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, e->loc, "enum '%s' has no values", e->name);
        return FALSE;
    }
    gint64 next = 0;
    for (guint i = 0; i < e->values->len; i++) {
        AstEnumValue *v = g_ptr_array_index(e->values, i);
        if (g_hash_table_contains(module->enumerators, v->name) ||
            ast_find_define(module, v->name) != NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, v->loc, "'%s' is already defined", v->name);
            return FALSE;
        }
        if (v->expr_tokens != NULL) {
            if (!eval_tokens(module, v->expr_tokens, v->loc, &next, error))
                return FALSE;
        }
        v->value = next;
        if (i == 0 || v->value < e->min)
            e->min = v->value;
        if (i == 0 || v->value > e->max)
            e->max = v->value;
        eval_set_enumerator(module, v->name, v->value);
        if (next == G_MAXINT64) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, v->loc, "enumerator value overflows");
            return FALSE;
        }
        next++;
    }
    /* An NDR enum is 16 bits without [v1_enum] ([C706] 14.2.11): values must fit. */
    if (e->min < (e->v1_enum ? G_MININT32 : 0) || e->max > (e->v1_enum ? G_MAXINT32 : 0x7FFF)) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, e->loc,
                  "enum '%s' has values outside the range of an NDR %s enum", e->name,
                  e->v1_enum ? "32-bit" : "16-bit");
        return FALSE;
    }
    return TRUE;
}

/* ---- interfaces ---- */

static gboolean resolve_param(AstModule *module, AstInterface *iface, AstMethod *method,
                              AstParam *param, GError **error)
{
    if (!check_attrs(param->attrs, param_attrs, "a parameter", error))
        return FALSE;
    gboolean in = ast_find_attr(param->attrs, "in") != NULL;
    gboolean out = ast_find_attr(param->attrs, "out") != NULL;
    param->retval = ast_find_attr(param->attrs, "retval") != NULL;
    if (!in && !out)
        in = TRUE; /* MIDL: [in] by default */
    param->dir = (in ? AST_DIR_IN : 0) | (out ? AST_DIR_OUT : 0);
    if (!resolve_type(module, param->type, error))
        return FALSE;
    AstType *type = param->type;
    if (type->kind == AST_TYPE_VOID || type->kind == AST_TYPE_HRESULT) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc, "a parameter cannot have type '%s'",
                  type->name);
        return FALSE;
    }
    guint levels = type->pointers;
    if (type->kind == AST_TYPE_INTERFACE) {
        if (levels == 0) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc,
                      "interface '%s' can only be passed by pointer", type->name);
            return FALSE;
        }
        levels--;
        param->is_interface_pointer = TRUE;
    }
    if (levels > AST_MAX_POINTERS) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, type->loc, "more than %d levels of pointers",
                  AST_MAX_POINTERS);
        return FALSE;
    }
    param->n_ptrs = levels;
    for (guint i = 0; i < levels; i++)
        param->ptrs[i] = i == 0 ? AST_PTR_REF : iface->pointer_default;
    param->string_ptr = levels > 0 ? iface->pointer_default : AST_PTR_REF;
    if (out && levels == 0) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, param->loc,
                  "[out] parameter '%s' must be a pointer", param->name);
        return FALSE;
    }
    if (param->retval) {
        if (!out || in) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, param->loc,
                      "[retval] parameter '%s' must be [out] only", param->name);
            return FALSE;
        }
        if (param->index + 1 != method->params->len) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, param->loc,
                      "[retval] parameter '%s' must be the last one", param->name);
            return FALSE;
        }
    }
    for (guint i = 0; i < param->index; i++) {
        const AstParam *other = g_ptr_array_index(method->params, i);
        if (strcmp(other->name, param->name) == 0) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, param->loc, "parameter '%s' declared twice",
                      param->name);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean resolve_dispid(AstModule *module, AstMethod *method, const AstAttr *attr,
                               GError **error)
{
    g_autoptr(GPtrArray) tokens = arg_tokens(attr, error);
    if (tokens == NULL)
        return FALSE;
    gint64 value;
    if (!eval_tokens(module, tokens, attr->arg_loc, &value, error))
        return FALSE;
    /* A DISPID is a 32-bit LONG ([MS-OAUT] 2.2.32); accept the unsigned spelling too. */
    if (value < G_MININT32 || value > (gint64)G_MAXUINT32) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, attr->arg_loc,
                  "DISPID %" G_GINT64_FORMAT " does not fit 32 bits", value);
        return FALSE;
    }
    method->has_dispid = TRUE;
    method->dispid = (gint32)(guint32)(value & 0xFFFFFFFF);
    method->dispid_expr = g_strdup(attr->arg);
    return TRUE;
}

static gboolean resolve_method(AstModule *module, AstInterface *iface, AstMethod *method,
                               GError **error)
{
    if (!check_attrs(method->attrs, method_attrs, "a method", error))
        return FALSE;
    guint props = 0;
    if (ast_find_attr(method->attrs, "propget") != NULL) {
        method->prop = AST_PROP_GET;
        props++;
    }
    if (ast_find_attr(method->attrs, "propput") != NULL) {
        method->prop = AST_PROP_PUT;
        props++;
    }
    if (ast_find_attr(method->attrs, "propputref") != NULL) {
        method->prop = AST_PROP_PUTREF;
        props++;
    }
    if (props > 1) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, method->loc,
                  "method '%s' has more than one of propget, propput, propputref", method->name);
        return FALSE;
    }
    static const char *const prefixes[] = {"", "get_", "put_", "putref_"};
    method->c_name = g_strconcat(prefixes[method->prop], method->name, NULL);
    const AstAttr *help = ast_find_attr(method->attrs, "helpstring");
    if (help != NULL && !attr_string(help, &method->helpstring, error))
        return FALSE;
    const AstAttr *id = ast_find_attr(method->attrs, "id");
    if (id != NULL && !resolve_dispid(module, method, id, error))
        return FALSE;
    if (!resolve_type(module, method->ret, error))
        return FALSE;
    if (method->ret->kind != AST_TYPE_HRESULT || method->ret->pointers != 0) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, method->ret->loc,
                  "methods of an object interface must return HRESULT");
        return FALSE;
    }
    for (guint i = 0; i < method->params->len; i++) {
        if (!resolve_param(module, iface, method, g_ptr_array_index(method->params, i), error))
            return FALSE;
    }
    if (method->prop == AST_PROP_GET) {
        const AstParam *last = method->params->len > 0
                                   ? g_ptr_array_index(method->params, method->params->len - 1)
                                   : NULL;
        if (last == NULL || !last->retval) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, method->loc,
                      "[propget] method '%s' needs an [out, retval] last parameter", method->name);
            return FALSE;
        }
    }
    if (method->prop == AST_PROP_PUT || method->prop == AST_PROP_PUTREF) {
        const AstParam *last = method->params->len > 0
                                   ? g_ptr_array_index(method->params, method->params->len - 1)
                                   : NULL;
        if (last == NULL || last->dir != AST_DIR_IN) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, method->loc,
                      "[%s] method '%s' needs an [in] last parameter",
                      ast_prop_kind_name(method->prop), method->name);
            return FALSE;
        }
    }
    return TRUE;
}

typedef enum { IFACE_TODO, IFACE_BUSY, IFACE_DONE } IfaceState;

static gboolean resolve_interface(AstModule *module, AstInterface *iface, GHashTable *state,
                                  GError **error);

static gboolean resolve_base(AstModule *module, AstInterface *iface, GHashTable *state,
                             GError **error)
{
    if (iface->base_name == NULL) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc,
                  "interface '%s' needs a base interface (IUnknown or IDispatch)", iface->name);
        return FALSE;
    }
    AstInterface *base = ast_find_interface(module, iface->base_name);
    if (base == NULL) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc, "unknown base interface '%s'",
                  iface->base_name);
        return FALSE;
    }
    if (!base->builtin && !resolve_interface(module, base, state, error))
        return FALSE;
    iface->base = base;
    return TRUE;
}

static gboolean resolve_interface(AstModule *module, AstInterface *iface, GHashTable *state,
                                  GError **error)
{
    IfaceState st = GPOINTER_TO_INT(g_hash_table_lookup(state, iface));
    if (st == IFACE_DONE)
        return TRUE;
    if (st == IFACE_BUSY) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc, "interface '%s' inherits from itself",
                  iface->name);
        return FALSE;
    }
    g_hash_table_insert(state, iface, GINT_TO_POINTER(IFACE_BUSY));

    if (!check_attrs(iface->attrs, interface_attrs, "an interface", error))
        return FALSE;
    iface->object = ast_find_attr(iface->attrs, "object") != NULL;
    iface->dual = ast_find_attr(iface->attrs, "dual") != NULL;
    iface->oleautomation = ast_find_attr(iface->attrs, "oleautomation") != NULL;
    iface->nonextensible = ast_find_attr(iface->attrs, "nonextensible") != NULL;
    iface->local = ast_find_attr(iface->attrs, "local") != NULL;
    const AstAttr *uuid = ast_find_attr(iface->attrs, "uuid");
    if (uuid != NULL) {
        if (!attr_uuid(uuid, &iface->uuid, error))
            return FALSE;
        iface->has_uuid = TRUE;
    } else if (iface->object) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc, "object interface '%s' needs a uuid",
                  iface->name);
        return FALSE;
    }
    if (!iface->object) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc,
                  "interface '%s' is not [object]: only DCOM interfaces are supported",
                  iface->name);
        return FALSE;
    }
    const AstAttr *help = ast_find_attr(iface->attrs, "helpstring");
    if (help != NULL && !attr_string(help, &iface->helpstring, error))
        return FALSE;
    const AstAttr *pd = ast_find_attr(iface->attrs, "pointer_default");
    if (pd != NULL) {
        iface->has_pointer_default = TRUE;
        if (strcmp(pd->arg, "ref") == 0) {
            iface->pointer_default = AST_PTR_REF;
        } else if (strcmp(pd->arg, "unique") == 0) {
            iface->pointer_default = AST_PTR_UNIQUE;
        } else if (strcmp(pd->arg, "ptr") == 0) {
            iface->pointer_default = AST_PTR_FULL;
        } else {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, pd->arg_loc,
                      "pointer_default must be ref, unique or ptr, not '%s'", pd->arg);
            return FALSE;
        }
    }
    if (!resolve_base(module, iface, state, error))
        return FALSE;
    if (iface->dual && iface->base != module->idispatch) {
        /* A dual interface derives from IDispatch ([MS-OAUT] 2.2.49.4.2 / MIDL). Deeper
         * chains through another dual interface are allowed too. */
        const AstInterface *b = iface->base;
        while (b != NULL && b != module->idispatch)
            b = b->base;
        if (b == NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, iface->loc,
                      "dual interface '%s' must derive from IDispatch", iface->name);
            return FALSE;
        }
    }

    /* Methods: resolve the own ones, then lay out the vtable (base first, opnum = index). */
    for (guint i = 0; i < iface->methods->len; i++) {
        if (!resolve_method(module, iface, g_ptr_array_index(iface->methods, i), error))
            return FALSE;
    }
    GPtrArray *all = g_ptr_array_new();
    for (guint i = 0; i < iface->base->methods->len; i++)
        g_ptr_array_add(all, g_ptr_array_index(iface->base->methods, i));
    guint own_first = all->len;
    for (guint i = 0; i < iface->methods->len; i++) {
        AstMethod *m = g_ptr_array_index(iface->methods, i);
        m->opnum = all->len;
        g_ptr_array_add(all, m);
    }
    g_ptr_array_unref(iface->methods);
    iface->methods = all;
    iface->own_first = own_first;

    for (guint i = own_first; i < all->len; i++) {
        const AstMethod *m = g_ptr_array_index(all, i);
        for (guint j = 0; j < i; j++) {
            const AstMethod *o = g_ptr_array_index(all, j);
            if (strcmp(o->c_name, m->c_name) == 0 ||
                (strcmp(o->name, m->name) == 0 &&
                 (o->prop == AST_PROP_NONE || m->prop == AST_PROP_NONE))) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, m->loc,
                          "method '%s' is declared twice in '%s'", m->c_name, iface->name);
                return FALSE;
            }
            /* One DISPID per member; a property's get and put share theirs. */
            if (m->has_dispid && o->has_dispid && o->dispid == m->dispid &&
                (strcmp(o->name, m->name) != 0 || o->prop == m->prop)) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, m->loc,
                          "DISPID %d of '%s' is already used by '%s'", m->dispid, m->c_name,
                          o->c_name);
                return FALSE;
            }
        }
    }
    g_hash_table_insert(state, iface, GINT_TO_POINTER(IFACE_DONE));
    return TRUE;
}

/* ---- coclasses ---- */

static gboolean resolve_coclass(AstModule *module, AstCoclass *coclass, GError **error)
{
    if (!check_attrs(coclass->attrs, coclass_attrs, "a coclass", error))
        return FALSE;
    const AstAttr *uuid = ast_find_attr(coclass->attrs, "uuid");
    if (uuid == NULL) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, coclass->loc, "coclass '%s' needs a uuid",
                  coclass->name);
        return FALSE;
    }
    if (!attr_uuid(uuid, &coclass->uuid, error))
        return FALSE;
    coclass->has_uuid = TRUE;
    const AstAttr *help = ast_find_attr(coclass->attrs, "helpstring");
    if (help != NULL && !attr_string(help, &coclass->helpstring, error))
        return FALSE;
    guint defaults = 0;
    for (guint i = 0; i < coclass->members->len; i++) {
        AstCoclassMember *member = g_ptr_array_index(coclass->members, i);
        if (!check_attrs(member->attrs, member_attrs, "a coclass member", error))
            return FALSE;
        member->is_default = ast_find_attr(member->attrs, "default") != NULL;
        if (member->is_default && ++defaults > 1) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, member->loc,
                      "coclass '%s' has more than one [default] interface", coclass->name);
            return FALSE;
        }
        member->iface = ast_find_interface(module, member->name);
        if (member->iface == NULL) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, member->loc, "unknown interface '%s'",
                      member->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- the module ---- */

static gboolean check_unique_names(AstModule *module, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(seen, module->iunknown->name, &module->iunknown->loc);
    g_hash_table_insert(seen, module->idispatch->name, &module->idispatch->loc);
#define CHECK(list, type)                                                                          \
    for (guint i = 0; i < (list)->len; i++) {                                                      \
        type *node = g_ptr_array_index((list), i);                                                 \
        const AstLoc *first = g_hash_table_lookup(seen, node->name);                               \
        if (first != NULL) {                                                                       \
            if (first->file != NULL)                                                               \
                ast_error(error, IDLGEN_ERROR_SEMANTIC, node->loc,                                 \
                          "'%s' is already declared at %s:%u:%u", node->name, first->file,         \
                          first->line, first->col);                                                \
            else                                                                                   \
                ast_error(error, IDLGEN_ERROR_SEMANTIC, node->loc, "'%s' is a built-in interface", \
                          node->name);                                                             \
            return FALSE;                                                                          \
        }                                                                                          \
        g_hash_table_insert(seen, node->name, &node->loc);                                         \
    }
    CHECK(module->enums, AstEnum)
    CHECK(module->interfaces, AstInterface)
    CHECK(module->coclasses, AstCoclass)
#undef CHECK
    return TRUE;
}

gboolean sema_resolve(AstModule *module, GError **error)
{
    if (!check_unique_names(module, error))
        return FALSE;
    for (guint i = 0; i < module->enums->len; i++) {
        if (!resolve_enum(module, g_ptr_array_index(module->enums, i), error))
            return FALSE;
    }
    g_autoptr(GHashTable) state = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < module->interfaces->len; i++) {
        if (!resolve_interface(module, g_ptr_array_index(module->interfaces, i), state, error))
            return FALSE;
    }
    for (guint i = 0; i < module->coclasses->len; i++) {
        if (!resolve_coclass(module, g_ptr_array_index(module->coclasses, i), error))
            return FALSE;
    }
    /* Give every object-like #define its value now that all files are read (a backend may list
     * them). One that is not a constant is no error unless something uses it, as in C. */
    for (guint i = 0; i < module->defines->len; i++) {
        AstDefine *d = g_ptr_array_index(module->defines, i);
        gint64 ignored;
        if (d->params == NULL && ast_find_define(module, d->name) == d)
            eval_define(module, d, d->loc, &ignored, NULL);
    }
    return TRUE;
}
