/*
 * `--backend dump`: every node of the resolved AST as stable text, one fact per line. It proves
 * that the AST alone carries what a backend needs, and it is what the front end's golden tests
 * compare (tools/idlgen/tests/golden/). Locations show file base names, so the dump does not
 * depend on where the sources are.
 */
#include "backend.h"

#include <stdio.h>
#include <string.h>

static const char *base_name(const AstModule *module, const char *path)
{
    for (guint i = 0; i < module->files->len; i++) {
        const AstFile *f = g_ptr_array_index(module->files, i);
        if (f->path == path || (path != NULL && strcmp(f->path, path) == 0))
            return f->name;
    }
    return path != NULL ? path : "<built-in>";
}

static void loc(GString *out, const AstModule *module, AstLoc l)
{
    if (l.file == NULL)
        g_string_append(out, " @<built-in>");
    else
        g_string_append_printf(out, " @%s:%u:%u", base_name(module, l.file), l.line, l.col);
}

static void attrs(GString *out, const GPtrArray *list)
{
    if (list->len == 0)
        return;
    g_string_append(out, " [");
    for (guint i = 0; i < list->len; i++) {
        const AstAttr *a = g_ptr_array_index(list, i);
        g_string_append_printf(out, "%s%s", i ? ", " : "", a->name);
        if (a->arg != NULL)
            g_string_append_printf(out, "(%s)", a->arg);
    }
    g_string_append_c(out, ']');
}

static void type_text(GString *out, const AstType *t)
{
    g_string_append(out, t->name);
    if (t->element != NULL)
        g_string_append_printf(out, "(%s)", t->element->name);
    for (guint i = 0; i < t->pointers; i++)
        g_string_append_c(out, '*');
    switch (t->kind) {
    case AST_TYPE_ENUM:
        g_string_append_printf(out, " {enum %s}", t->enumeration->name);
        break;
    case AST_TYPE_INTERFACE:
        g_string_append_printf(out, " {interface %s}", t->iface->name);
        break;
    case AST_TYPE_SAFEARRAY:
        g_string_append_printf(out, " {SAFEARRAY of %s}", ast_type_kind_name(t->element->kind));
        break;
    default:
        g_string_append_printf(out, " {%s}", ast_type_kind_name(t->kind));
        break;
    }
}

static void dump_method(GString *out, const AstModule *module, const AstInterface *iface,
                        const AstMethod *m)
{
    g_string_append_printf(out, "  opnum %u %s", m->opnum, m->c_name);
    if (m->defined_in != iface)
        g_string_append_printf(out, " (inherited from %s)", m->defined_in->name);
    if (m->builtin != AST_BUILTIN_NONE)
        g_string_append_printf(out, " builtin=%s", ast_builtin_name(m->builtin));
    g_string_append_printf(out, " %s", m->remote ? "remote" : "not-remote");
    if (m->prop != AST_PROP_NONE)
        g_string_append_printf(out, " %s(%s)", ast_prop_kind_name(m->prop), m->name);
    if (m->has_dispid)
        g_string_append_printf(out, " dispid=%d (0x%08X) from id(%s)", m->dispid,
                               (guint32)m->dispid, m->dispid_expr);
    if (m->helpstring != NULL)
        g_string_append_printf(out, " helpstring=\"%s\"", m->helpstring);
    if (m->defined_in == iface) {
        attrs(out, m->attrs);
        loc(out, module, m->loc);
    }
    g_string_append_c(out, '\n');
    for (guint i = 0; i < m->params->len; i++) {
        const AstParam *p = g_ptr_array_index(m->params, i);
        g_string_append_printf(out, "    param %u %s %s%s type=", p->index, p->name,
                               ast_direction_name(p->dir), p->retval ? ",retval" : "");
        type_text(out, p->type);
        g_string_append(out, " ptrs=[");
        for (guint k = 0; k < p->n_ptrs; k++)
            g_string_append_printf(out, "%s%s", k ? "," : "", ast_ptr_kind_name(p->ptrs[k]));
        g_string_append_c(out, ']');
        if (p->is_interface_pointer)
            g_string_append(out, " interface-pointer");
        if (p->type->kind == AST_TYPE_LPWSTR)
            g_string_append_printf(out, " string-pointer=%s", ast_ptr_kind_name(p->string_ptr));
        attrs(out, p->attrs);
        loc(out, module, p->loc);
        g_string_append_c(out, '\n');
    }
}

static const char *role_name(AstFileRole role)
{
    switch (role) {
    case AST_FILE_PRELUDE:
        return "prelude";
    case AST_FILE_MAIN:
        return "main";
    case AST_FILE_IMPORT:
        return "import";
    }
    return "?";
}

char *backend_dump_string(const AstModule *module)
{
    GString *out = g_string_new("# idlgen AST dump\n");
    for (guint i = 0; i < module->files->len; i++) {
        const AstFile *f = g_ptr_array_index(module->files, i);
        g_string_append_printf(out, "file %s %s\n", role_name(f->role), f->name);
    }
    for (guint i = 0; i < module->defines->len; i++) {
        AstDefine *d = g_ptr_array_index(module->defines, i);
        g_string_append_printf(out, "define %s", d->name);
        if (d->params != NULL) {
            g_string_append_c(out, '(');
            for (guint k = 0; k < d->params->len; k++)
                g_string_append_printf(out, "%s%s", k ? "," : "",
                                       (const char *)g_ptr_array_index(d->params, k));
            g_string_append_c(out, ')');
        }
        g_string_append_printf(out, " = %s", d->body_text);
        if (d->params != NULL) {
            g_string_append(out, " -> function-like");
        } else if (ast_find_define(module, d->name) != d) {
            g_string_append(out, " -> repeated definition");
        } else {
            if (d->state == AST_DEFINE_DONE)
                g_string_append_printf(out,
                                       " -> %" G_GINT64_FORMAT " (0x%08" G_GINT64_MODIFIER "X)",
                                       d->value, d->value & 0xFFFFFFFF);
            else
                g_string_append(out, " -> not a constant");
        }
        loc(out, module, d->loc);
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < module->enums->len; i++) {
        const AstEnum *e = g_ptr_array_index(module->enums, i);
        g_string_append_printf(out, "enum %s%s%s %s range=%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                               e->name, e->tag ? " tag=" : "", e->tag ? e->tag : "",
                               e->v1_enum ? "v1_enum(32-bit)" : "ndr-enum(16-bit)", e->min, e->max);
        attrs(out, e->attrs);
        loc(out, module, e->loc);
        g_string_append_c(out, '\n');
        for (guint k = 0; k < e->values->len; k++) {
            const AstEnumValue *v = g_ptr_array_index(e->values, k);
            g_string_append_printf(out, "  %s = %" G_GINT64_FORMAT "%s%s%s", v->name, v->value,
                                   v->expr ? " from '" : " (implicit)", v->expr ? v->expr : "",
                                   v->expr ? "'" : "");
            loc(out, module, v->loc);
            g_string_append_c(out, '\n');
        }
    }
    for (guint i = 0; i < module->interfaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(module->interfaces, i);
        g_string_append_printf(out, "interface %s : %s uuid=%s", f->name, f->base->name,
                               f->has_uuid ? f->uuid.text : "(none)");
        if (f->has_uuid)
            g_string_append_printf(out, " {0x%08x,0x%04x,0x%04x,{%u,%u,%u,%u,%u,%u,%u,%u}}",
                                   f->uuid.data1, f->uuid.data2, f->uuid.data3, f->uuid.data4[0],
                                   f->uuid.data4[1], f->uuid.data4[2], f->uuid.data4[3],
                                   f->uuid.data4[4], f->uuid.data4[5], f->uuid.data4[6],
                                   f->uuid.data4[7]);
        g_string_append_printf(out, "%s%s%s%s%s pointer_default=%s%s", f->object ? " object" : "",
                               f->dual ? " dual" : "", f->oleautomation ? " oleautomation" : "",
                               f->nonextensible ? " nonextensible" : "", f->local ? " local" : "",
                               ast_ptr_kind_name(f->pointer_default),
                               f->has_pointer_default ? "" : "(default)");
        if (f->helpstring != NULL)
            g_string_append_printf(out, " helpstring=\"%s\"", f->helpstring);
        g_string_append_printf(out, " methods=%u own_first=%u", f->methods->len, f->own_first);
        attrs(out, f->attrs);
        loc(out, module, f->loc);
        g_string_append_c(out, '\n');
        for (guint k = 0; k < f->methods->len; k++)
            dump_method(out, module, f, g_ptr_array_index(f->methods, k));
    }
    for (guint i = 0; i < module->coclasses->len; i++) {
        const AstCoclass *c = g_ptr_array_index(module->coclasses, i);
        g_string_append_printf(out, "coclass %s uuid=%s", c->name, c->uuid.text);
        if (c->helpstring != NULL)
            g_string_append_printf(out, " helpstring=\"%s\"", c->helpstring);
        attrs(out, c->attrs);
        loc(out, module, c->loc);
        g_string_append_c(out, '\n');
        for (guint k = 0; k < c->members->len; k++) {
            const AstCoclassMember *m = g_ptr_array_index(c->members, k);
            g_string_append_printf(out, "  interface %s%s uuid=%s", m->iface->name,
                                   m->is_default ? " default" : "", m->iface->uuid.text);
            loc(out, module, m->loc);
            g_string_append_c(out, '\n');
        }
    }
    return g_string_free(out, FALSE);
}

gboolean backend_dump_generate(const AstModule *module, const BackendOptions *options,
                               GError **error)
{
    g_autofree char *text = backend_dump_string(module);
    return backend_write_file(options->output, text, error);
}

gboolean backend_write_file(const char *path, const char *contents, GError **error)
{
    if (strcmp(path, "-") == 0) {
        fputs(contents, stdout);
        return fflush(stdout) == 0;
    }
    gchar *old = NULL;
    gsize old_len;
    if (g_file_get_contents(path, &old, &old_len, NULL) && old_len == strlen(contents) &&
        memcmp(old, contents, old_len) == 0) {
        g_free(old);
        return TRUE;
    }
    g_free(old);
    GError *io = NULL;
    if (!g_file_set_contents(path, contents, -1, &io)) {
        AstLoc l = {path, 0, 0};
        ast_error(error, IDLGEN_ERROR_IO, l, "%s", io->message);
        g_error_free(io);
        return FALSE;
    }
    return TRUE;
}

char *backend_banner(const AstModule *module, const char *what)
{
    GString *b = g_string_new("/*\n * DO NOT EDIT: generated by idlgen (tools/idlgen) ");
    g_string_append_printf(b, "%s.\n * Inputs:", what);
    for (guint i = 0; i < module->files->len; i++) {
        const AstFile *f = g_ptr_array_index(module->files, i);
        g_string_append_printf(b, " %s (%s)%s", f->name, role_name(f->role),
                               i + 1 < module->files->len ? "," : "");
    }
    g_string_append(b, ".\n * Change the IDL or the generator, never this file.\n */\n");
    return g_string_free(b, FALSE);
}
