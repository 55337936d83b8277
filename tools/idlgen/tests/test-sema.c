/*
 * Unit tests of the semantic pass (sema.h) on the real MS-RAI IDL: the opnums and DISPIDs of all
 * four interfaces against [MS-RAI] (3.1.4.1, 3.1.4.1.2.1, 3.1.4.1.2.2, 3.3.4.1 and
 * ../shared/notes/facts.md), the coclasses, and the resolved parameter shapes. Semantic errors
 * are tested as data in errors/.
 */
#include "parser.h"
#include "sema.h"

#include <string.h>

static AstModule *load_rai(void)
{
    const char *dir = g_getenv("RAI_IDL_DIR");
    g_assert_nonnull(dir);
    g_autofree char *errata = g_build_filename(dir, "ms-rai-errata.idl", NULL);
    g_autofree char *main_idl = g_build_filename(dir, "ms-rai.idl", NULL);
    AstModule *m = ast_module_new();
    GError *error = NULL;
    g_assert_true(parser_read_file(m, errata, AST_FILE_PRELUDE, NULL, &error));
    g_assert_true(parser_read_file(m, main_idl, AST_FILE_MAIN, NULL, &error));
    g_assert_true(sema_resolve(m, &error));
    g_assert_no_error(error);
    return m;
}

typedef struct {
    guint opnum;
    const char *c_name;
    gboolean has_dispid;
    guint32 dispid;
} Expect;

static void check_interface(const AstModule *m, const char *name, const char *uuid,
                            const Expect *expect, guint n)
{
    AstInterface *iface = ast_find_interface(m, name);
    g_assert_nonnull(iface);
    g_assert_cmpstr(iface->uuid.text, ==, uuid);
    g_assert_true(iface->object && iface->dual);
    g_assert_true(iface->base == m->idispatch);
    g_assert_cmpuint(iface->own_first, ==, 7);
    g_assert_cmpuint(iface->methods->len, ==, 7 + n);
    static const char *const inherited[] = {
        "QueryInterface", "AddRef",        "Release", "GetTypeInfoCount",
        "GetTypeInfo",    "GetIDsOfNames", "Invoke"};
    for (guint i = 0; i < 7; i++) {
        const AstMethod *mt = g_ptr_array_index(iface->methods, i);
        g_assert_cmpstr(mt->name, ==, inherited[i]);
        g_assert_cmpuint(mt->opnum, ==, i);
        g_assert_true(mt->defined_in != iface);
        g_assert_cmpint(mt->remote, ==, i >= 5); /* 0-2 via IRemUnknown, 3-4 never remote */
    }
    for (guint i = 0; i < n; i++) {
        const AstMethod *mt = g_ptr_array_index(iface->methods, 7 + i);
        g_assert_cmpuint(mt->opnum, ==, expect[i].opnum);
        g_assert_cmpstr(mt->c_name, ==, expect[i].c_name);
        g_assert_cmpint(mt->has_dispid, ==, expect[i].has_dispid);
        if (expect[i].has_dispid)
            g_assert_cmphex((guint32)mt->dispid, ==, expect[i].dispid);
        g_assert_true(mt->defined_in == iface);
        g_assert_true(mt->remote);
    }
}

static void test_opnums_dispids(void)
{
    g_autoptr(AstModule) m = load_rai();
    static const Expect collection[] = {
        {7, "get__NewEnum", TRUE, 0xFFFFFFFC}, /* DISPID_NEWENUM = -4 */
        {8, "get_Item", TRUE, 0},              /* DISPID_VALUE */
        {9, "get_Count", TRUE, 0x08010000},
    };
    check_interface(m, "IPCHCollection", "833E4100-AFF7-4AC3-AAC2-9F24C1457BCE", collection, 3);

    Expect service[15];
    char names[12][32];
    for (guint i = 0; i < 12; i++) {
        g_snprintf(names[i], sizeof names[i], "Opnum%uNotUsedByProtocol", 7 + i);
        service[i].opnum = 7 + i;
        service[i].c_name = names[i];
        service[i].has_dispid = FALSE;
    }
    service[12] = (Expect){19, "RemoteConnectionParms", TRUE, 0x08000040};
    service[13] = (Expect){20, "RemoteUserSessionInfo", TRUE, 0x08000041};
    service[14] = (Expect){21, "Opnum21NotUsedByProtocol", FALSE, 0};
    check_interface(m, "IPCHService", "833E4200-AFF7-4AC3-AAC2-9F24C1457BCE", service, 15);

    static const Expect session[] = {
        {7, "get_SessionID", TRUE, 0x08020D10},    {8, "put_SessionID", TRUE, 0x08020D10},
        {9, "get_SessionState", TRUE, 0x08020D11}, {10, "put_SessionState", TRUE, 0x08020D11},
        {11, "get_DomainName", TRUE, 0x08020D12},  {12, "put_DomainName", TRUE, 0x08020D12},
        {13, "get_UserName", TRUE, 0x08020D13},    {14, "put_UserName", TRUE, 0x08020D13},
    };
    check_interface(m, "ISAFSession", "833E41AA-AFF7-4AC3-AAC2-9F24C1457BCE", session, 8);

    static const Expect rasrv[] = {
        {7, "GetNoviceUserInfo", TRUE, 1},
        {8, "GetSessionInfo", TRUE, 2},
    };
    check_interface(m, "IRASrv", "F120A684-B926-447F-9DF4-C966CB785648", rasrv, 2);
    g_assert_true(ast_find_interface(m, "IRASrv")->nonextensible);
}

static const AstParam *param(const AstModule *m, const char *iface, guint opnum, guint index)
{
    const AstInterface *f = ast_find_interface(m, iface);
    const AstMethod *mt = g_ptr_array_index(f->methods, opnum);
    return g_ptr_array_index(mt->params, index);
}

static void test_params(void)
{
    g_autoptr(AstModule) m = load_rai();
    /* GetNoviceUserInfo([in,out] LPWSTR *szName): a ref pointer to a unique string pointer */
    const AstParam *p = param(m, "IRASrv", 7, 0);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_LPWSTR);
    g_assert_cmpint(p->dir, ==, AST_DIR_INOUT);
    g_assert_cmpuint(p->n_ptrs, ==, 1);
    g_assert_cmpint(p->ptrs[0], ==, AST_PTR_REF);
    g_assert_cmpint(p->string_ptr, ==, AST_PTR_UNIQUE);
    /* GetSessionInfo([in,out] SAFEARRAY(BSTR) *UserNames, [in,out] INT *Count) */
    p = param(m, "IRASrv", 8, 0);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_SAFEARRAY);
    g_assert_cmpint(p->type->element->kind, ==, AST_TYPE_BSTR);
    g_assert_cmpuint(p->n_ptrs, ==, 1);
    p = param(m, "IRASrv", 8, 1);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_INT);
    /* RemoteUserSessionInfo([out, retval] IPCHCollection **pVal): ref, then the interface pointer
     */
    p = param(m, "IPCHService", 20, 0);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_INTERFACE);
    g_assert_true(p->type->iface == ast_find_interface(m, "IPCHCollection"));
    g_assert_true(p->is_interface_pointer);
    g_assert_cmpuint(p->n_ptrs, ==, 1);
    g_assert_true(p->retval);
    g_assert_cmpint(p->dir, ==, AST_DIR_OUT);
    /* _NewEnum([out, retval] IUnknown* *pVal) */
    p = param(m, "IPCHCollection", 7, 0);
    g_assert_true(p->type->iface == m->iunknown);
    /* put_SessionState([in] SessionStateEnum pVal): the enum, 16 bits in strict NDR */
    p = param(m, "ISAFSession", 10, 0);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_ENUM);
    g_assert_false(p->type->enumeration->v1_enum);
    g_assert_cmpint(p->type->enumeration->min, ==, 0);
    g_assert_cmpint(p->type->enumeration->max, ==, 10);
    g_assert_cmpuint(p->n_ptrs, ==, 0);
    /* RemoteConnectionParms: 4 [in] then the [out, retval] BSTR* */
    const AstMethod *rcp = g_ptr_array_index(ast_find_interface(m, "IPCHService")->methods, 19);
    g_assert_cmpuint(rcp->params->len, ==, 5);
    p = g_ptr_array_index(rcp->params, 2);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_LONG);
    p = g_ptr_array_index(rcp->params, 4);
    g_assert_cmpint(p->type->kind, ==, AST_TYPE_BSTR);
    g_assert_true(p->retval);
}

static void test_coclasses(void)
{
    g_autoptr(AstModule) m = load_rai();
    g_assert_cmpuint(m->coclasses->len, ==, 2);
    AstCoclass *pch = ast_find_coclass(m, "PCHService");
    g_assert_cmpstr(pch->uuid.text, ==, "833E4010-AFF7-4AC3-AAC2-9F24C1457BCE");
    AstCoclassMember *d = g_ptr_array_index(pch->members, 0);
    g_assert_true(d->is_default);
    g_assert_true(d->iface == ast_find_interface(m, "IPCHService"));
    AstCoclass *ra = ast_find_coclass(m, "RASrv");
    g_assert_cmpstr(ra->uuid.text, ==, "3C3A70A7-A468-49B9-8ADA-28E11FCCAD5D");
    g_assert_cmphex(ra->uuid.data1, ==, 0x3C3A70A7);
    g_assert_cmphex(ra->uuid.data2, ==, 0xA468);
    g_assert_cmphex(ra->uuid.data3, ==, 0x49B9);
    g_assert_cmphex(ra->uuid.data4[0], ==, 0x8A);
    g_assert_cmphex(ra->uuid.data4[7], ==, 0x5D);
}

/* Without the errata prelude the published IDL does not resolve: the typo is caught. */
static void test_without_errata(void)
{
    const char *dir = g_getenv("RAI_IDL_DIR");
    g_autofree char *main_idl = g_build_filename(dir, "ms-rai.idl", NULL);
    g_autoptr(AstModule) m = ast_module_new();
    GError *error = NULL;
    g_assert_true(parser_read_file(m, main_idl, AST_FILE_MAIN, NULL, &error));
    g_assert_false(sema_resolve(m, &error));
    g_assert_nonnull(strstr(error->message,
                            "ms-rai.idl:79:9: error: 'DISPID_PCH_SVC__REMOTECONNECTIONPARMS' is "
                            "not defined"));
    g_error_free(error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sema/opnums-dispids", test_opnums_dispids);
    g_test_add_func("/sema/params", test_params);
    g_test_add_func("/sema/coclasses", test_coclasses);
    g_test_add_func("/sema/without-errata", test_without_errata);
    return g_test_run();
}
