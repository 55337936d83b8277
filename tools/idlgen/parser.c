/*
 * The parser of idlgen (see parser.h).
 */
#include "parser.h"
#include "lexer.h"

#include <string.h>

/* Imports nest at most this deep (a cycle is caught earlier: each file is read once). */
#define MAX_IMPORT_DEPTH 16

typedef struct {
    AstModule *module;
    AstFile *file;
    Lexer lexer;
    Token cur;
    const char *const *include_dirs;
    guint depth;
    GError **error;
} Parser;

static gboolean read_text(AstModule *module, AstFile *file, const char *text, gsize len,
                          const char *const *include_dirs, guint depth, GError **error);

static gboolean next(Parser *p)
{
    token_clear(&p->cur);
    return lexer_next(&p->lexer, &p->cur, p->error);
}

static gboolean fail_expected(Parser *p, const char *what)
{
    g_autofree char *found = token_describe(&p->cur);
    ast_error(p->error, IDLGEN_ERROR_SYNTAX, p->cur.loc, "expected %s, found %s", what, found);
    return FALSE;
}

static gboolean expect_punct(Parser *p, const char *punct)
{
    if (!token_is_punct(&p->cur, punct)) {
        g_autofree char *what = g_strdup_printf("'%s'", punct);
        return fail_expected(p, what);
    }
    return next(p);
}

/* Takes an identifier: *name is set (owned) and the parser moves on. */
static gboolean take_ident(Parser *p, const char *what, char **name, AstLoc *loc)
{
    if (p->cur.kind != TOK_IDENT)
        return fail_expected(p, what);
    *name = g_strdup(p->cur.text);
    if (loc != NULL)
        *loc = p->cur.loc;
    return next(p);
}

/* ---- directives ---- */

static char *tokens_text(const GPtrArray *tokens)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < tokens->len; i++) {
        const Token *t = g_ptr_array_index(tokens, i);
        if (i > 0 && t->space_before)
            g_string_append_c(s, ' ');
        if (t->kind == TOK_STRING)
            g_string_append_printf(s, "\"%s\"", t->text);
        else
            g_string_append(s, t->text);
    }
    return g_string_free(s, FALSE);
}

static gboolean same_body(const AstDefine *a, const AstDefine *b)
{
    if ((a->params == NULL) != (b->params == NULL) || a->body->len != b->body->len)
        return FALSE;
    for (guint i = 0; i < a->body->len; i++) {
        const Token *x = g_ptr_array_index(a->body, i);
        const Token *y = g_ptr_array_index(b->body, i);
        if (x->kind != y->kind || strcmp(x->text, y->text) != 0)
            return FALSE;
    }
    return TRUE;
}

static gboolean parse_define(Parser *p, AstLoc hash_loc)
{
    char *name;
    AstLoc name_loc;
    if (!take_ident(p, "a macro name after #define", &name, &name_loc))
        return FALSE;
    AstDefine *define = ast_define_new(name, name_loc);
    define->file = p->file;
    g_free(name);
    /* A '(' right after the name (no blank) makes a function-like macro, as in C. */
    if (token_is_punct(&p->cur, "(") && !p->cur.space_before) {
        define->params = g_ptr_array_new_with_free_func(g_free);
        if (!next(p))
            goto fail;
        if (!token_is_punct(&p->cur, ")")) {
            for (;;) {
                char *param;
                if (!take_ident(p, "a macro parameter name", &param, NULL))
                    goto fail;
                g_ptr_array_add(define->params, param);
                if (token_is_punct(&p->cur, ")"))
                    break;
                if (!expect_punct(p, ","))
                    goto fail;
            }
        }
        if (!next(p))
            goto fail;
    }
    while (p->cur.kind != TOK_EOL) {
        if (p->cur.kind == TOK_HASH) {
            ast_error(p->error, IDLGEN_ERROR_SYNTAX, p->cur.loc,
                      "'#' and '##' are not supported in macro bodies");
            goto fail;
        }
        g_ptr_array_add(define->body, token_copy(&p->cur));
        if (!next(p))
            goto fail;
    }
    define->body_text = tokens_text(define->body);
    AstDefine *old = ast_find_define(p->module, define->name);
    if (old != NULL) {
        if (!same_body(old, define)) {
            ast_error(p->error, IDLGEN_ERROR_SEMANTIC, define->loc,
                      "'%s' redefined differently (first defined at %s:%u:%u)", define->name,
                      old->loc.file, old->loc.line, old->loc.col);
            goto fail;
        }
        g_ptr_array_add(p->module->defines, define); /* kept for the dump; the first one rules */
        return next(p);
    }
    g_ptr_array_add(p->module->defines, define);
    g_hash_table_insert(p->module->define_by_name, define->name, define);
    (void)hash_loc;
    return next(p); /* past TOK_EOL */
fail:
    g_ptr_array_add(p->module->defines, define); /* freed with the module */
    return FALSE;
}

static gboolean parse_directive(Parser *p)
{
    AstLoc hash_loc = p->cur.loc;
    if (!next(p))
        return FALSE;
    if (p->cur.kind == TOK_EOL) /* a lone '#' is a null directive in C */
        return next(p);
    if (token_is_ident(&p->cur, "define")) {
        if (!next(p))
            return FALSE;
        return parse_define(p, hash_loc);
    }
    if (p->cur.kind == TOK_IDENT) {
        ast_error(p->error, IDLGEN_ERROR_SYNTAX, p->cur.loc, "unsupported directive '#%s'",
                  p->cur.text);
        return FALSE;
    }
    return fail_expected(p, "a directive name");
}

/* ---- attributes ---- */

static gboolean parse_attributes(Parser *p, GPtrArray *attrs)
{
    if (!token_is_punct(&p->cur, "["))
        return TRUE;
    if (!next(p))
        return FALSE;
    for (;;) {
        if (p->cur.kind != TOK_IDENT)
            return fail_expected(p, "an attribute name");
        g_autofree char *name = g_strdup(p->cur.text);
        AstLoc loc = p->cur.loc;
        if (!next(p))
            return FALSE;
        char *arg = NULL;
        AstLoc arg_loc = {NULL, 0, 0};
        if (token_is_punct(&p->cur, "(")) {
            /* The lexer stands right after '(': take the raw argument up to the balancing ')'. */
            if (!lexer_raw_balanced(&p->lexer, &arg, &arg_loc, p->error))
                return FALSE;
            if (!next(p)) {
                g_free(arg);
                return FALSE;
            }
        }
        g_ptr_array_add(attrs, ast_attr_new(name, arg, loc, arg_loc));
        g_free(arg);
        if (token_is_punct(&p->cur, "]"))
            return next(p);
        if (!expect_punct(p, ","))
            return FALSE;
    }
}

/* ---- types ---- */

static gboolean parse_type(Parser *p, AstType **out)
{
    if (p->cur.kind != TOK_IDENT)
        return fail_expected(p, "a type name");
    AstType *type = ast_type_new(AST_TYPE_VOID, p->cur.text, p->cur.loc);
    if (!next(p))
        goto fail;
    if (strcmp(type->name, "SAFEARRAY") == 0 && token_is_punct(&p->cur, "(")) {
        /* SAFEARRAY(type): the element type is kept even though ms-rai.idl also defines
         * SAFEARRAY(type) as a macro expanding to SAFEARRAY (see idl/README.md). */
        if (!next(p))
            goto fail;
        if (p->cur.kind != TOK_IDENT) {
            fail_expected(p, "the element type of SAFEARRAY");
            goto fail;
        }
        type->element = ast_type_new(AST_TYPE_VOID, p->cur.text, p->cur.loc);
        if (!next(p) || !expect_punct(p, ")"))
            goto fail;
    }
    while (token_is_punct(&p->cur, "*")) {
        type->pointers++;
        if (!next(p))
            goto fail;
    }
    *out = type;
    return TRUE;
fail:
    g_free(type->name);
    if (type->element != NULL) {
        g_free(type->element->name);
        g_free(type->element);
    }
    g_free(type);
    return FALSE;
}

/* ---- interfaces ---- */

static gboolean parse_param(Parser *p, AstMethod *method)
{
    AstParam *param = ast_param_new();
    param->index = method->params->len;
    g_ptr_array_add(method->params, param); /* owned by the method from here on */
    param->loc = p->cur.loc;
    if (!parse_attributes(p, param->attrs))
        return FALSE;
    if (!parse_type(p, &param->type))
        return FALSE;
    return take_ident(p, "a parameter name", &param->name, &param->loc);
}

static gboolean parse_method(Parser *p, AstInterface *iface)
{
    AstMethod *method = ast_method_new();
    method->defined_in = iface;
    g_ptr_array_add(iface->methods, method); /* owned by the interface from here on */
    method->loc = p->cur.loc;
    if (!parse_attributes(p, method->attrs))
        return FALSE;
    if (!parse_type(p, &method->ret))
        return FALSE;
    if (!take_ident(p, "a method name", &method->name, &method->loc))
        return FALSE;
    if (!expect_punct(p, "("))
        return FALSE;
    if (token_is_ident(&p->cur, "void")) {
        if (!next(p))
            return FALSE;
    } else if (!token_is_punct(&p->cur, ")")) {
        for (;;) {
            if (!parse_param(p, method))
                return FALSE;
            if (token_is_punct(&p->cur, ")"))
                break;
            if (!expect_punct(p, ","))
                return FALSE;
        }
    }
    if (!expect_punct(p, ")"))
        return FALSE;
    return expect_punct(p, ";");
}

static gboolean parse_interface(Parser *p, GPtrArray *attrs)
{
    AstLoc kw = p->cur.loc;
    if (!next(p))
        return FALSE;
    char *name;
    AstLoc name_loc;
    if (!take_ident(p, "an interface name", &name, &name_loc))
        return FALSE;
    if (token_is_punct(&p->cur, ";")) { /* forward declaration */
        g_free(name);
        if (attrs->len > 0) {
            const AstAttr *first = g_ptr_array_index(attrs, 0);
            ast_error(p->error, IDLGEN_ERROR_SYNTAX, first->loc,
                      "attributes on a forward declaration of an interface");
            return FALSE;
        }
        return next(p);
    }
    AstInterface *iface = ast_interface_new(name, name_loc);
    g_free(name);
    iface->file = p->file;
    (void)kw;
    g_ptr_array_add(p->module->interfaces, iface);
    while (attrs->len > 0)
        g_ptr_array_add(iface->attrs, g_ptr_array_steal_index(attrs, 0));
    if (token_is_punct(&p->cur, ":")) {
        if (!next(p) || !take_ident(p, "a base interface name", &iface->base_name, NULL))
            return FALSE;
    }
    if (!expect_punct(p, "{"))
        return FALSE;
    while (!token_is_punct(&p->cur, "}")) {
        if (p->cur.kind == TOK_EOF)
            return fail_expected(p, "'}' to end the interface");
        if (!parse_method(p, iface))
            return FALSE;
    }
    if (!next(p))
        return FALSE;
    if (token_is_punct(&p->cur, ";"))
        return next(p);
    return TRUE;
}

/* ---- coclasses ---- */

static gboolean parse_coclass(Parser *p, GPtrArray *attrs)
{
    if (!next(p))
        return FALSE;
    char *name;
    AstLoc name_loc;
    if (!take_ident(p, "a coclass name", &name, &name_loc))
        return FALSE;
    AstCoclass *coclass = ast_coclass_new(name, name_loc);
    g_free(name);
    coclass->file = p->file;
    g_ptr_array_add(p->module->coclasses, coclass);
    while (attrs->len > 0)
        g_ptr_array_add(coclass->attrs, g_ptr_array_steal_index(attrs, 0));
    if (!expect_punct(p, "{"))
        return FALSE;
    while (!token_is_punct(&p->cur, "}")) {
        if (p->cur.kind == TOK_EOF)
            return fail_expected(p, "'}' to end the coclass");
        AstCoclassMember *member = ast_coclass_member_new();
        g_ptr_array_add(coclass->members, member);
        member->loc = p->cur.loc;
        if (!parse_attributes(p, member->attrs))
            return FALSE;
        if (!token_is_ident(&p->cur, "interface"))
            return fail_expected(p, "'interface' in a coclass");
        if (!next(p) || !take_ident(p, "an interface name", &member->name, &member->loc) ||
            !expect_punct(p, ";"))
            return FALSE;
    }
    if (!next(p))
        return FALSE;
    if (token_is_punct(&p->cur, ";"))
        return next(p);
    return TRUE;
}

/* ---- typedef enum ---- */

static gboolean parse_typedef(Parser *p)
{
    AstEnum *e = ast_enum_new();
    e->file = p->file;
    g_ptr_array_add(p->module->enums, e); /* owned by the module from here on */
    e->loc = p->cur.loc;
    if (!next(p))
        return FALSE;
    if (!parse_attributes(p, e->attrs))
        return FALSE;
    if (!token_is_ident(&p->cur, "enum")) {
        g_autofree char *found = token_describe(&p->cur);
        ast_error(p->error, IDLGEN_ERROR_SYNTAX, p->cur.loc,
                  "only 'typedef enum' is supported, found %s", found);
        return FALSE;
    }
    if (!next(p))
        return FALSE;
    if (p->cur.kind == TOK_IDENT && !take_ident(p, "an enum tag", &e->tag, NULL))
        return FALSE;
    if (!expect_punct(p, "{"))
        return FALSE;
    while (!token_is_punct(&p->cur, "}")) {
        AstEnumValue *value = g_new0(AstEnumValue, 1);
        g_ptr_array_add(e->values, value);
        if (!take_ident(p, "an enumerator name", &value->name, &value->loc))
            return FALSE;
        if (token_is_punct(&p->cur, "=")) {
            if (!next(p))
                return FALSE;
            value->expr_tokens = g_ptr_array_new_with_free_func((GDestroyNotify)token_free);
            guint depth = 0;
            while (depth > 0 || !(token_is_punct(&p->cur, ",") || token_is_punct(&p->cur, "}"))) {
                if (p->cur.kind == TOK_EOF)
                    return fail_expected(p, "'}' to end the enum");
                if (token_is_punct(&p->cur, "("))
                    depth++;
                else if (token_is_punct(&p->cur, ")") && depth > 0)
                    depth--;
                g_ptr_array_add(value->expr_tokens, token_copy(&p->cur));
                if (!next(p))
                    return FALSE;
            }
            value->expr = tokens_text(value->expr_tokens);
            if (value->expr_tokens->len == 0) {
                ast_error(p->error, IDLGEN_ERROR_SYNTAX, p->cur.loc, "expected a value after '='");
                return FALSE;
            }
        }
        if (token_is_punct(&p->cur, "}"))
            break;
        if (!expect_punct(p, ","))
            return FALSE;
    }
    if (!next(p))
        return FALSE;
    if (!take_ident(p, "the enum's typedef name", &e->name, &e->loc))
        return FALSE;
    return expect_punct(p, ";");
}

/* ---- imports ---- */

static gboolean import_one(Parser *p, const char *name, AstLoc loc)
{
    g_autofree char *found = NULL;
    if (p->file->path != NULL && p->file->role != AST_FILE_PRELUDE) {
        g_autofree char *dir = g_path_get_dirname(p->file->path);
        g_autofree char *candidate = g_build_filename(dir, name, NULL);
        if (g_file_test(candidate, G_FILE_TEST_IS_REGULAR))
            found = g_steal_pointer(&candidate);
    }
    for (guint i = 0; found == NULL && p->include_dirs != NULL && p->include_dirs[i] != NULL; i++) {
        g_autofree char *candidate = g_build_filename(p->include_dirs[i], name, NULL);
        if (g_file_test(candidate, G_FILE_TEST_IS_REGULAR))
            found = g_steal_pointer(&candidate);
    }
    if (found == NULL) {
        ast_error(p->error, IDLGEN_ERROR_IO, loc, "cannot find imported file \"%s\"", name);
        return FALSE;
    }
    /* Each file is read once per module, which also ends import cycles. */
    g_autofree char *canonical = g_canonicalize_filename(found, NULL);
    for (guint i = 0; i < p->module->files->len; i++) {
        AstFile *f = g_ptr_array_index(p->module->files, i);
        g_autofree char *other = g_canonicalize_filename(f->path, NULL);
        if (strcmp(other, canonical) == 0)
            return TRUE;
    }
    if (p->depth + 1 > MAX_IMPORT_DEPTH) {
        ast_error(p->error, IDLGEN_ERROR_SYNTAX, loc, "imports nested more than %d deep",
                  MAX_IMPORT_DEPTH);
        return FALSE;
    }
    gchar *text;
    gsize len;
    GError *io = NULL;
    if (!g_file_get_contents(found, &text, &len, &io)) {
        ast_error(p->error, IDLGEN_ERROR_IO, loc, "cannot read imported file: %s", io->message);
        g_error_free(io);
        return FALSE;
    }
    AstFile *file = g_new0(AstFile, 1);
    file->path = g_steal_pointer(&found);
    file->name = g_path_get_basename(file->path);
    file->role = AST_FILE_IMPORT;
    g_ptr_array_add(p->module->files, file);
    gboolean ok = read_text(p->module, file, text, len, p->include_dirs, p->depth + 1, p->error);
    g_free(text);
    return ok;
}

static gboolean parse_import(Parser *p)
{
    if (!next(p))
        return FALSE;
    for (;;) {
        if (p->cur.kind != TOK_STRING)
            return fail_expected(p, "a file name string after import");
        g_autofree char *name = g_strdup(p->cur.text);
        AstLoc loc = p->cur.loc;
        if (!next(p))
            return FALSE;
        if (!import_one(p, name, loc))
            return FALSE;
        if (token_is_punct(&p->cur, ";"))
            return next(p);
        if (!expect_punct(p, ","))
            return FALSE;
    }
}

/* ---- files ---- */

static gboolean parse_top(Parser *p)
{
    while (p->cur.kind != TOK_EOF) {
        if (p->cur.kind == TOK_HASH) {
            if (!parse_directive(p))
                return FALSE;
        } else if (token_is_ident(&p->cur, "import")) {
            if (!parse_import(p))
                return FALSE;
        } else if (token_is_ident(&p->cur, "typedef")) {
            if (!parse_typedef(p))
                return FALSE;
        } else if (token_is_punct(&p->cur, "[") || token_is_ident(&p->cur, "interface") ||
                   token_is_ident(&p->cur, "coclass")) {
            g_autoptr(GPtrArray) attrs = ast_attr_list_new();
            gboolean ok = parse_attributes(p, attrs);
            if (ok && token_is_ident(&p->cur, "interface"))
                ok = parse_interface(p, attrs);
            else if (ok && token_is_ident(&p->cur, "coclass"))
                ok = parse_coclass(p, attrs);
            else if (ok)
                ok = fail_expected(p, "'interface' or 'coclass' after attributes");
            if (!ok)
                return FALSE;
        } else {
            return fail_expected(p,
                                 "a declaration (typedef, interface, coclass, import or #define)");
        }
    }
    return TRUE;
}

static gboolean read_text(AstModule *module, AstFile *file, const char *text, gsize len,
                          const char *const *include_dirs, guint depth, GError **error)
{
    Parser p;
    memset(&p, 0, sizeof p);
    p.module = module;
    p.file = file;
    p.include_dirs = include_dirs;
    p.depth = depth;
    p.error = error;
    if (memchr(text, 0, len) != NULL) {
        AstLoc loc = {file->path, 0, 0};
        ast_error(error, IDLGEN_ERROR_SYNTAX, loc, "the file contains a NUL byte");
        return FALSE;
    }
    lexer_init(&p.lexer, file->path, text, len);
    gboolean ok = lexer_next(&p.lexer, &p.cur, error) && parse_top(&p);
    token_clear(&p.cur);
    return ok;
}

static AstFile *add_file(AstModule *module, const char *path, AstFileRole role)
{
    AstFile *file = g_new0(AstFile, 1);
    file->path = g_strdup(path);
    file->name = g_path_get_basename(path);
    file->role = role;
    g_ptr_array_add(module->files, file);
    return file;
}

gboolean parser_read_file(AstModule *module, const char *path, AstFileRole role,
                          const char *const *include_dirs, GError **error)
{
    gchar *text;
    gsize len;
    GError *io = NULL;
    if (!g_file_get_contents(path, &text, &len, &io)) {
        AstLoc loc = {path, 0, 0};
        ast_error(error, IDLGEN_ERROR_IO, loc, "%s", io->message);
        g_error_free(io);
        return FALSE;
    }
    AstFile *file = add_file(module, path, role);
    gboolean ok = read_text(module, file, text, len, include_dirs, 0, error);
    g_free(text);
    return ok;
}

gboolean parser_read_string(AstModule *module, const char *name, const char *text, AstFileRole role,
                            const char *const *include_dirs, GError **error)
{
    AstFile *file = add_file(module, name, role);
    return read_text(module, file, text, strlen(text), include_dirs, 0, error);
}
