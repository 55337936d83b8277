/*
 * `--backend wireshark`: the generated part of the Wireshark plugin.
 *
 * Writes two files into the output folder:
 *  - rai-gen.h: the tables the shell (plugin/packet-rai.c) reads;
 *  - rai-gen.c: for every interface of the main IDL file, its UUID, its opnum field and subtree,
 *    one RaiMethod per opnum (inherited IUnknown/IDispatch methods included), one RaiParam and
 *    one header field and subtree per parameter, one value_string per enum, the
 *    dcerpc_sub_dissector table with a request and a response entry point per opnum, and the
 *    coclasses. The data types are declared in plugin/packet-rai.h.
 *
 * Every interface is a protocol of its own for Wireshark ("MS-RAI <name>", filter rai.<name>),
 * with the fields rai.<interface>.opnum and rai.<interface>.<method>.<parameter>, lowercase, where
 * <method> is the unique C name (get_X/put_X for properties).
 */
#include "backend.h"

#include <string.h>

/* RAI_MAX_POINTERS of plugin/packet-rai.h: the size of RaiParam.ptrs. */
#define RAI_MAX_POINTERS_GEN 4
G_STATIC_ASSERT(AST_MAX_POINTERS <= RAI_MAX_POINTERS_GEN);

/* A C string literal for s (quotes included). */
static void c_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        if ((unsigned char)*p < 0x20)
            g_string_append_printf(out, "\\%03o", (unsigned char)*p);
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void guid_init(GString *out, const AstUuid *u)
{
    g_string_append_printf(out,
                           "{0x%08x, 0x%04x, 0x%04x, {0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, "
                           "0x%02x, 0x%02x, 0x%02x}}",
                           u->data1, u->data2, u->data3, u->data4[0], u->data4[1], u->data4[2],
                           u->data4[3], u->data4[4], u->data4[5], u->data4[6], u->data4[7]);
}

static const char *ptr_name(AstPtrKind k)
{
    switch (k) {
    case AST_PTR_REF:
        return "RAI_PTR_REF";
    case AST_PTR_UNIQUE:
        return "RAI_PTR_UNIQUE";
    case AST_PTR_FULL:
        return "RAI_PTR_FULL";
    }
    return "RAI_PTR_REF";
}

static const char *builtin_name(AstBuiltin b)
{
    static const char *const names[] = {
        "RAI_BUILTIN_NONE",          "RAI_BUILTIN_QUERYINTERFACE",   "RAI_BUILTIN_ADDREF",
        "RAI_BUILTIN_RELEASE",       "RAI_BUILTIN_GETTYPEINFOCOUNT", "RAI_BUILTIN_GETTYPEINFO",
        "RAI_BUILTIN_GETIDSOFNAMES", "RAI_BUILTIN_INVOKE",
    };
    return names[b];
}

static const char *prop_name(AstPropKind p)
{
    static const char *const names[] = {"RAI_PROP_NONE", "RAI_PROP_GET", "RAI_PROP_PUT",
                                        "RAI_PROP_PUTREF"};
    return names[p];
}

/* The RaiKind of a parameter, or NULL (with an error) when the shell cannot walk it. */
static const char *param_kind(const AstParam *p, const char **element, GError **error)
{
    *element = "RAI_KIND_INT32";
    if (p->is_interface_pointer)
        return "RAI_KIND_IFACE";
    switch (p->type->kind) {
    case AST_TYPE_LONG:
    case AST_TYPE_INT:
        return "RAI_KIND_INT32";
    case AST_TYPE_DWORD:
        return "RAI_KIND_UINT32";
    case AST_TYPE_ENUM:
        return "RAI_KIND_ENUM";
    case AST_TYPE_BSTR:
        return "RAI_KIND_BSTR";
    case AST_TYPE_LPWSTR:
        return "RAI_KIND_LPWSTR";
    case AST_TYPE_VARIANT:
        return "RAI_KIND_VARIANT";
    case AST_TYPE_SAFEARRAY:
        if (p->type->element->kind == AST_TYPE_BSTR) {
            *element = "RAI_KIND_BSTR";
            return "RAI_KIND_SAFEARRAY";
        }
        break;
    default:
        break;
    }
    ast_error(error, IDLGEN_ERROR_SEMANTIC, p->loc,
              "the wireshark backend cannot dissect parameter '%s' of type %s%s%s%s", p->name,
              p->type->name, p->type->element ? "(" : "",
              p->type->element ? p->type->element->name : "", p->type->element ? ")" : "");
    return NULL;
}

static void field_type(GString *out, const AstParam *p)
{
    if (p->is_interface_pointer) {
        g_string_append(out, "FT_NONE, BASE_NONE, NULL");
        return;
    }
    switch (p->type->kind) {
    case AST_TYPE_LONG:
    case AST_TYPE_INT:
        g_string_append(out, "FT_INT32, BASE_DEC, NULL");
        break;
    case AST_TYPE_DWORD:
        g_string_append(out, "FT_UINT32, BASE_DEC, NULL");
        break;
    case AST_TYPE_ENUM:
        g_string_append_printf(out, "FT_UINT32, BASE_DEC, VALS(rai_gen_%s_vals)",
                               p->type->enumeration->name);
        break;
    case AST_TYPE_BSTR:
    case AST_TYPE_LPWSTR:
        g_string_append(out, "FT_STRING, BASE_NONE, NULL");
        break;
    default:
        g_string_append(out, "FT_NONE, BASE_NONE, NULL");
        break;
    }
}

/* "[in,out] SAFEARRAY(BSTR) *UserNames", as a reader of the IDL would write it. */
static char *param_decl(const AstParam *p)
{
    GString *d = g_string_new("[");
    g_string_append(d, ast_direction_name(p->dir));
    if (p->retval)
        g_string_append(d, ",retval");
    g_string_append(d, "] ");
    g_string_append(d, p->type->name);
    if (p->type->element != NULL)
        g_string_append_printf(d, "(%s)", p->type->element->name);
    g_string_append_c(d, ' ');
    for (guint i = 0; i < p->type->pointers; i++)
        g_string_append_c(d, '*');
    g_string_append(d, p->name);
    return g_string_free(d, FALSE);
}

static gboolean is_main(const AstFile *file)
{
    return file != NULL && file->role == AST_FILE_MAIN;
}

static gboolean generate_c(const AstModule *module, GString *c, GString *h, GError **error)
{
    g_autofree char *banner = backend_banner(module, "with --backend wireshark");
    g_autoptr(GPtrArray) ifaces = g_ptr_array_new();
    for (guint i = 0; i < module->interfaces->len; i++) {
        AstInterface *f = g_ptr_array_index(module->interfaces, i);
        if (is_main(f->file))
            g_ptr_array_add(ifaces, f);
    }
    g_autoptr(GPtrArray) coclasses = g_ptr_array_new();
    for (guint i = 0; i < module->coclasses->len; i++) {
        AstCoclass *k = g_ptr_array_index(module->coclasses, i);
        if (is_main(k->file))
            g_ptr_array_add(coclasses, k);
    }

    /* ---- rai-gen.h ---- */
    g_string_append(h, banner);
    g_string_append(h, "#ifndef RAI_GEN_H\n#define RAI_GEN_H\n\n#include \"packet-rai.h\"\n\n");
    g_string_append_printf(h, "#define RAI_GEN_N_INTERFACES %u\n", ifaces->len);
    g_string_append_printf(h, "#define RAI_GEN_N_COCLASSES %u\n\n", coclasses->len);
    g_string_append(h, "extern const RaiInterface rai_gen_interfaces[RAI_GEN_N_INTERFACES];\n"
                       "extern const RaiCoclass rai_gen_coclasses[RAI_GEN_N_COCLASSES];\n");
    for (guint i = 0; i < module->enums->len; i++) {
        const AstEnum *e = g_ptr_array_index(module->enums, i);
        g_string_append_printf(h, "extern const value_string rai_gen_%s_vals[];\n", e->name);
    }
    g_string_append(h, "\n#endif\n");

    /* ---- rai-gen.c ---- */
    g_string_append(c, banner);
    g_string_append(c, "#include \"rai-gen.h\"\n\n");

    /* enums */
    for (guint i = 0; i < module->enums->len; i++) {
        const AstEnum *e = g_ptr_array_index(module->enums, i);
        g_string_append_printf(c,
                               "/* typedef enum %s */\nconst value_string rai_gen_%s_vals[] = {\n",
                               e->name, e->name);
        for (guint k = 0; k < e->values->len; k++) {
            const AstEnumValue *v = g_ptr_array_index(e->values, k);
            g_string_append_printf(c, "    {%" G_GINT64_FORMAT ", \"%s\"},\n", v->value, v->name);
        }
        g_string_append(c, "    {0, NULL},\n};\n\n");
    }

    /* interface IDs used by interface-pointer parameters (built-ins included) */
    g_autoptr(GHashTable) iids = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        for (guint m = f->own_first; m < f->methods->len; m++) {
            const AstMethod *mt = g_ptr_array_index(f->methods, m);
            for (guint p = 0; p < mt->params->len; p++) {
                const AstParam *pa = g_ptr_array_index(mt->params, p);
                if (pa->is_interface_pointer && !g_hash_table_contains(iids, pa->type->iface)) {
                    g_hash_table_add(iids, pa->type->iface);
                    g_string_append_printf(
                        c, "static const e_guid_t rai_gen_iid_%s = ", pa->type->iface->name);
                    guid_init(c, &pa->type->iface->uuid);
                    g_string_append(c, ";\n");
                }
            }
        }
    }
    g_string_append(c, "\n");

    /* fields and subtrees, one array of each per interface (each is its own protocol) */
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        g_autofree char *lf = g_ascii_strdown(f->name, -1);
        GString *hf = g_string_new(NULL);
        GString *ett = g_string_new(NULL);
        g_string_append_printf(hf, "static hf_register_info rai_gen_%s_hf[] = {\n", f->name);
        g_string_append_printf(ett, "static gint *const rai_gen_%s_ett[] = {\n", f->name);
        g_string_append_printf(c, "/* interface %s */\nstatic int proto_rai_%s = -1;\n", f->name,
                               f->name);
        g_string_append_printf(c, "static int hf_rai_%s_opnum = -1;\n", f->name);
        g_string_append_printf(c, "static gint ett_rai_%s = -1;\n", f->name);
        g_string_append_printf(hf,
                               "    {&hf_rai_%s_opnum,\n     {\"Operation\", \"rai.%s.opnum\", "
                               "FT_UINT16, BASE_DEC, NULL, 0, \"%s operation number\", HFILL}},\n",
                               f->name, lf, f->name);
        g_string_append_printf(ett, "    &ett_rai_%s,\n", f->name);
        for (guint m = f->own_first; m < f->methods->len; m++) {
            const AstMethod *mt = g_ptr_array_index(f->methods, m);
            g_autofree char *lm = g_ascii_strdown(mt->c_name, -1);
            for (guint p = 0; p < mt->params->len; p++) {
                const AstParam *pa = g_ptr_array_index(mt->params, p);
                const char *element;
                if (param_kind(pa, &element, error) == NULL) {
                    g_string_free(hf, TRUE);
                    g_string_free(ett, TRUE);
                    return FALSE;
                }
                g_autofree char *lp = g_ascii_strdown(pa->name, -1);
                g_autofree char *decl = param_decl(pa);
                g_string_append_printf(c, "static int hf_rai_%s_%s_%s = -1;\n", f->name, mt->c_name,
                                       pa->name);
                g_string_append_printf(c, "static gint ett_rai_%s_%s_%s = -1;\n", f->name,
                                       mt->c_name, pa->name);
                g_string_append_printf(hf,
                                       "    {&hf_rai_%s_%s_%s,\n     {\"%s\", \"rai.%s.%s.%s\", ",
                                       f->name, mt->c_name, pa->name, pa->name, lf, lm, lp);
                field_type(hf, pa);
                g_string_append(hf, ", 0, ");
                g_autofree char *blurb = g_strdup_printf("%s::%s %s", f->name, mt->c_name, decl);
                c_string(hf, blurb);
                g_string_append(hf, ", HFILL}},\n");
                g_string_append_printf(ett, "    &ett_rai_%s_%s_%s,\n", f->name, mt->c_name,
                                       pa->name);
            }
        }
        g_string_append(hf, "};\n");
        g_string_append(ett, "};\n\n");
        g_string_append(c, hf->str);
        g_string_append(c, ett->str);
        g_string_free(hf, TRUE);
        g_string_free(ett, TRUE);
    }

    /* parameters */
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        for (guint m = f->own_first; m < f->methods->len; m++) {
            const AstMethod *mt = g_ptr_array_index(f->methods, m);
            if (mt->params->len == 0)
                continue;
            g_string_append_printf(c, "static const RaiParam rai_gen_%s_%s_params[] = {\n", f->name,
                                   mt->c_name);
            for (guint p = 0; p < mt->params->len; p++) {
                const AstParam *pa = g_ptr_array_index(mt->params, p);
                const char *element;
                const char *kind = param_kind(pa, &element, error);
                g_autofree char *decl = param_decl(pa);
                g_string_append_printf(c, "    {\"%s\", \"%s.%s.%s\", ", pa->name, f->name,
                                       mt->c_name, pa->name);
                c_string(c, decl);
                g_string_append_printf(c, ", %s, %s, %s%s%s, %s, %u, {", kind, element,
                                       pa->dir & AST_DIR_IN ? "RAI_DIR_IN" : "",
                                       pa->dir == AST_DIR_INOUT ? " | " : "",
                                       pa->dir & AST_DIR_OUT ? "RAI_DIR_OUT" : "",
                                       pa->retval ? "TRUE" : "FALSE", pa->n_ptrs);
                for (guint k = 0; k < RAI_MAX_POINTERS_GEN; k++)
                    g_string_append_printf(c, "%s%s", k ? ", " : "",
                                           k < pa->n_ptrs ? ptr_name(pa->ptrs[k]) : "RAI_PTR_REF");
                g_string_append_printf(c, "}, %s,\n     &hf_rai_%s_%s_%s, &ett_rai_%s_%s_%s, ",
                                       ptr_name(pa->string_ptr), f->name, mt->c_name, pa->name,
                                       f->name, mt->c_name, pa->name);
                if (pa->type->kind == AST_TYPE_ENUM && !pa->is_interface_pointer)
                    g_string_append_printf(
                        c, "rai_gen_%s_vals, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %s, ",
                        pa->type->enumeration->name, pa->type->enumeration->min,
                        pa->type->enumeration->max,
                        pa->type->enumeration->v1_enum ? "TRUE" : "FALSE");
                else
                    g_string_append(c, "NULL, 0, 0, FALSE, ");
                if (pa->is_interface_pointer)
                    g_string_append_printf(c, "&rai_gen_iid_%s, \"%s\"},\n", pa->type->iface->name,
                                           pa->type->iface->name);
                else
                    g_string_append(c, "NULL, NULL},\n");
            }
            g_string_append(c, "};\n");
        }
    }
    g_string_append(c, "\n");

    /* methods */
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        g_string_append_printf(c, "static const RaiMethod rai_gen_%s_methods[] = {\n", f->name);
        for (guint m = 0; m < f->methods->len; m++) {
            const AstMethod *mt = g_ptr_array_index(f->methods, m);
            g_string_append_printf(c, "    {\"%s\", \"%s\", %u, %s, %s, %s, %d, %s, ", mt->c_name,
                                   mt->name, mt->opnum, mt->remote ? "TRUE" : "FALSE",
                                   builtin_name(mt->builtin), mt->has_dispid ? "TRUE" : "FALSE",
                                   mt->dispid, prop_name(mt->prop));
            if (mt->params->len > 0)
                g_string_append_printf(c, "rai_gen_%s_%s_params, %u, ", f->name, mt->c_name,
                                       mt->params->len);
            else
                g_string_append(c, "NULL, 0, ");
            g_string_append_printf(c, "&rai_gen_interfaces[%u]},\n", i);
        }
        g_string_append(c, "};\n\n");
    }

    /* entry points and dcerpc tables */
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        for (guint m = 0; m < f->methods->len; m++) {
            static const char *const dirs[] = {"rqst", "resp"};
            static const char *const fns[] = {"rai_dissect_request", "rai_dissect_response"};
            for (guint d = 0; d < 2; d++)
                g_string_append_printf(
                    c,
                    "static int rai_gen_%s_%u_%s(tvbuff_t *tvb, int offset, packet_info *pinfo, "
                    "proto_tree *tree, dcerpc_info *di, guint8 *drep)\n{\n    return %s(tvb, "
                    "offset, pinfo, tree, di, drep, &rai_gen_%s_methods[%u]);\n}\n",
                    f->name, m, dirs[d], fns[d], f->name, m);
        }
        g_string_append_printf(c, "\nstatic dcerpc_sub_dissector rai_gen_%s_procs[] = {\n",
                               f->name);
        for (guint m = 0; m < f->methods->len; m++) {
            const AstMethod *mt = g_ptr_array_index(f->methods, m);
            g_string_append_printf(c, "    {%u, \"%s\", rai_gen_%s_%u_rqst, rai_gen_%s_%u_resp},\n",
                                   mt->opnum, mt->c_name, f->name, m, f->name, m);
        }
        g_string_append(c, "    {0, NULL, NULL, NULL},\n};\n\n");
    }

    g_string_append(c, "const RaiInterface rai_gen_interfaces[RAI_GEN_N_INTERFACES] = {\n");
    for (guint i = 0; i < ifaces->len; i++) {
        const AstInterface *f = g_ptr_array_index(ifaces, i);
        g_autofree char *lf = g_ascii_strdown(f->name, -1);
        g_string_append_printf(c, "    {\"%s\", \"MS-RAI %s\", \"rai.%s\", ", f->name, f->name, lf);
        guid_init(c, &f->uuid);
        g_string_append(c, ", 0, ");
        c_string(c, f->helpstring != NULL ? f->helpstring : f->name);
        g_string_append_printf(
            c,
            ",\n     &proto_rai_%s, &ett_rai_%s, &hf_rai_%s_opnum, rai_gen_%s_methods, "
            "%u, rai_gen_%s_procs,\n     rai_gen_%s_hf, "
            "G_N_ELEMENTS(rai_gen_%s_hf), rai_gen_%s_ett, "
            "G_N_ELEMENTS(rai_gen_%s_ett)},\n",
            f->name, f->name, f->name, f->name, f->methods->len, f->name, f->name, f->name, f->name,
            f->name);
    }
    g_string_append(c, "};\n\n");

    g_string_append(c, "const RaiCoclass rai_gen_coclasses[RAI_GEN_N_COCLASSES] = {\n");
    for (guint i = 0; i < coclasses->len; i++) {
        const AstCoclass *k = g_ptr_array_index(coclasses, i);
        g_string_append_printf(c, "    {\"%s\", ", k->name);
        guid_init(c, &k->uuid);
        g_string_append(c, ", ");
        c_string(c, k->helpstring != NULL ? k->helpstring : k->name);
        g_string_append(c, "},\n");
    }
    g_string_append(c, "};\n");
    return TRUE;
}

gboolean backend_ws_generate(const AstModule *module, const BackendOptions *options, GError **error)
{
    g_autoptr(GString) c = g_string_new(NULL);
    g_autoptr(GString) h = g_string_new(NULL);
    if (!generate_c(module, c, h, error))
        return FALSE;
    if (g_mkdir_with_parents(options->output, 0755) != 0) {
        AstLoc l = {options->output, 0, 0};
        ast_error(error, IDLGEN_ERROR_IO, l, "cannot create the output folder");
        return FALSE;
    }
    g_autofree char *c_path = g_build_filename(options->output, "rai-gen.c", NULL);
    g_autofree char *h_path = g_build_filename(options->output, "rai-gen.h", NULL);
    return backend_write_file(h_path, h->str, error) && backend_write_file(c_path, c->str, error);
}
