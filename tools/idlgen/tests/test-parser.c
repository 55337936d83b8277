/*
 * Unit tests of the idlgen parser (parser.h): what it builds before the semantic pass. Error
 * messages are tested as data, one case per file, in errors/ (see CMakeLists.txt).
 */
#include "parser.h"

#include <string.h>

static AstModule *parse(const char *text)
{
    AstModule *module = ast_module_new();
    GError *error = NULL;
    if (!parser_read_string(module, "p.idl", text, AST_FILE_MAIN, NULL, &error))
        g_error("unexpected parse error: %s", error->message);
    return module;
}

static void test_interface(void)
{
    g_autoptr(AstModule) m = parse("[object, uuid(F120A684-B926-447F-9DF4-C966CB785648), dual,\n"
                                   " helpstring(\"x, (y)\"), pointer_default(unique)]\n"
                                   "interface IX : IDispatch {\n"
                                   "  [id(1), propget] HRESULT A([out, retval] long *p);\n"
                                   "  HRESULT B(void);\n"
                                   "  HRESULT C([in,out] SAFEARRAY(BSTR) * s, [in] IUnknown* *u);\n"
                                   "};\n");
    g_assert_cmpuint(m->interfaces->len, ==, 1);
    AstInterface *iface = g_ptr_array_index(m->interfaces, 0);
    g_assert_cmpstr(iface->name, ==, "IX");
    g_assert_cmpstr(iface->base_name, ==, "IDispatch");
    g_assert_cmpuint(iface->attrs->len, ==, 5);
    const AstAttr *uuid = ast_find_attr(iface->attrs, "uuid");
    g_assert_cmpstr(uuid->arg, ==, "F120A684-B926-447F-9DF4-C966CB785648");
    g_assert_cmpuint(uuid->arg_loc.line, ==, 1);
    g_assert_cmpuint(uuid->arg_loc.col, ==, 15);
    g_assert_cmpstr(ast_find_attr(iface->attrs, "helpstring")->arg, ==, "\"x, (y)\"");
    g_assert_null(ast_find_attr(iface->attrs, "dual")->arg);
    /* before the semantic pass an interface holds its own methods only */
    g_assert_cmpuint(iface->methods->len, ==, 3);
    AstMethod *a = g_ptr_array_index(iface->methods, 0);
    g_assert_cmpstr(a->name, ==, "A");
    g_assert_cmpstr(ast_find_attr(a->attrs, "id")->arg, ==, "1");
    g_assert_cmpuint(a->params->len, ==, 1);
    AstParam *p = g_ptr_array_index(a->params, 0);
    g_assert_cmpstr(p->name, ==, "p");
    g_assert_cmpstr(p->type->name, ==, "long");
    g_assert_cmpuint(p->type->pointers, ==, 1);
    g_assert_cmpuint(p->attrs->len, ==, 2);
    AstMethod *b = g_ptr_array_index(iface->methods, 1);
    g_assert_cmpuint(b->params->len, ==, 0);
    AstMethod *c = g_ptr_array_index(iface->methods, 2);
    g_assert_cmpuint(c->params->len, ==, 2);
    AstParam *s = g_ptr_array_index(c->params, 0);
    g_assert_cmpstr(s->type->name, ==, "SAFEARRAY");
    g_assert_cmpstr(s->type->element->name, ==, "BSTR");
    g_assert_cmpuint(s->type->pointers, ==, 1);
    AstParam *u = g_ptr_array_index(c->params, 1);
    g_assert_cmpuint(u->type->pointers, ==, 2);
    g_assert_cmpuint(u->index, ==, 1);
}

static void test_enum_coclass_define(void)
{
    g_autoptr(AstModule) m = parse("#define TEN 10\n"
                                   "#define F(a, b) a\n"
                                   "typedef [v1_enum] enum tag { one = 1, two, ten = (TEN), } E;\n"
                                   "[uuid(3C3A70A7-A468-49B9-8ADA-28E11FCCAD5D)]\n"
                                   "coclass K { [default] interface IX; interface IY; }\n"
                                   "interface IFwd;\n");
    g_assert_cmpuint(m->defines->len, ==, 2);
    AstDefine *ten = ast_find_define(m, "TEN");
    g_assert_null(ten->params);
    g_assert_cmpstr(ten->body_text, ==, "10");
    AstDefine *f = ast_find_define(m, "F");
    g_assert_cmpuint(f->params->len, ==, 2);
    g_assert_cmpstr(f->body_text, ==, "a");
    g_assert_cmpuint(m->enums->len, ==, 1);
    AstEnum *e = g_ptr_array_index(m->enums, 0);
    g_assert_cmpstr(e->name, ==, "E");
    g_assert_cmpstr(e->tag, ==, "tag");
    g_assert_cmpuint(e->values->len, ==, 3);
    AstEnumValue *two = g_ptr_array_index(e->values, 1);
    g_assert_null(two->expr);
    AstEnumValue *tenv = g_ptr_array_index(e->values, 2);
    g_assert_cmpstr(tenv->expr, ==, "(TEN)");
    g_assert_cmpuint(m->coclasses->len, ==, 1);
    AstCoclass *k = g_ptr_array_index(m->coclasses, 0);
    g_assert_cmpuint(k->members->len, ==, 2);
    AstCoclassMember *m0 = g_ptr_array_index(k->members, 0);
    g_assert_cmpstr(m0->name, ==, "IX");
    g_assert_nonnull(ast_find_attr(m0->attrs, "default"));
    /* a forward declaration declares nothing */
    g_assert_cmpuint(m->interfaces->len, ==, 0);
}

static void test_import(void)
{
    const char *dir = g_getenv("RAI_IDL_DIR");
    g_assert_nonnull(dir);
    g_autoptr(AstModule) m = ast_module_new();
    const char *const dirs[] = {dir, NULL};
    GError *error = NULL;
    /* imported twice: read once */
    g_assert_true(parser_read_string(m, "i.idl", "import \"ms-oadt.idl\", \"ms-oadt.idl\";\n",
                                     AST_FILE_MAIN, dirs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(m->files->len, ==, 2);
    AstFile *imported = g_ptr_array_index(m->files, 1);
    g_assert_cmpstr(imported->name, ==, "ms-oadt.idl");
    g_assert_cmpint(imported->role, ==, AST_FILE_IMPORT);
    g_assert_nonnull(ast_find_define(m, "DISPID_NEWENUM"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/parser/interface", test_interface);
    g_test_add_func("/parser/enum-coclass-define", test_enum_coclass_define);
    g_test_add_func("/parser/import", test_import);
    return g_test_run();
}
