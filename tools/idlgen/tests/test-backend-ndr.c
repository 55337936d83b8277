/*
 * Unit tests of idlgen's ndr backend (backend-ndr.c): what it generates from the real MS-RAI IDL
 * (structures with the right fields and C types per wire form, opnums and DISPIDs, the method
 * tables, dispatch ranges, proxies) and what it refuses (constructs it cannot marshal), each with
 * a small IDL of its own. The generated code itself is compiled into the library and exercised by
 * tools/libra/tests/test-rai-ndr.c (known-answer stubs) and the rai-ndr fuzzer (round trips).
 */
#include "backend.h"
#include "parser.h"
#include "sema.h"

#include <string.h>

static void generate_rai(char **header, char **code)
{
    const char *dir = g_getenv("RAI_IDL_DIR");
    g_assert_nonnull(dir);
    g_autofree char *errata = g_build_filename(dir, "ms-rai-errata.idl", NULL);
    g_autofree char *main_idl = g_build_filename(dir, "ms-rai.idl", NULL);
    g_autoptr(AstModule) m = ast_module_new();
    GError *error = NULL;
    g_assert_true(parser_read_file(m, errata, AST_FILE_PRELUDE, NULL, &error));
    g_assert_true(parser_read_file(m, main_idl, AST_FILE_MAIN, NULL, &error));
    g_assert_true(sema_resolve(m, &error));
    g_assert_true(backend_ndr_string(m, header, code, &error));
    g_assert_no_error(error);
}

/* The text of `struct ... } NAME;` in the header, without spaces at line starts. */
static char *struct_body(const char *header, const char *name)
{
    g_autofree char *end_tag = g_strdup_printf("} %s;", name);
    const char *end = strstr(header, end_tag);
    g_assert_nonnull(end);
    const char *start = end;
    while (start > header && !g_str_has_prefix(start, "typedef struct {"))
        start--;
    g_assert_true(g_str_has_prefix(start, "typedef struct {"));
    start += strlen("typedef struct {\n");
    GString *s = g_string_new(NULL);
    g_autofree char *text = g_strndup(start, (gsize)(end - start));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        const char *l = g_strstrip(lines[i]);
        if (*l)
            g_string_append_printf(s, "%s%s", s->len ? "|" : "", l);
    }
    return g_string_free(s, FALSE);
}

static void test_structures(void)
{
    g_autofree char *h = NULL, *c = NULL;
    generate_rai(&h, &c);
    /* Every own method of the four interfaces has its [in] and [out] structures, with ORPCTHIS /
     * ORPCTHAT first and the HRESULT last, and one field per parameter in declaration order. */
    static const struct {
        const char *name, *fields;
    } want[] = {
        {"RaRai_IRASrv_GetNoviceUserInfo_in", "RaOrpcThis orpcthis;|gchar *szName;"},
        {"RaRai_IRASrv_GetNoviceUserInfo_out",
         "RaOrpcThat orpcthat;|gchar *szName;|guint32 result; /* HRESULT */"},
        {"RaRai_IRASrv_GetSessionInfo_in",
         "RaOrpcThis orpcthis;|RaBstrArray *UserNames;|gint32 Count;"},
        {"RaRai_IRASrv_GetSessionInfo_out", "RaOrpcThat orpcthat;|RaBstrArray *UserNames;|gint32 "
                                            "Count;|guint32 result; /* HRESULT */"},
        {"RaRai_IPCHService_RemoteConnectionParms_in",
         "RaOrpcThis orpcthis;|gchar *bstrUserName;|gchar *bstrDomainName;|gint32 lSessionID;|"
         "gchar *bstrUserHelpBlob;"},
        {"RaRai_IPCHService_RemoteConnectionParms_out",
         "RaOrpcThat orpcthat;|gchar *pbstrConnectionString;|guint32 result; /* HRESULT */"},
        {"RaRai_IPCHService_RemoteUserSessionInfo_out",
         "RaOrpcThat orpcthat;|RaInterfacePointer *pVal;|guint32 result; /* HRESULT */"},
        {"RaRai_IPCHService_Opnum7NotUsedByProtocol_in", "RaOrpcThis orpcthis;"},
        {"RaRai_IPCHCollection_get__NewEnum_out",
         "RaOrpcThat orpcthat;|RaInterfacePointer *pVal;|guint32 result; /* HRESULT */"},
        {"RaRai_IPCHCollection_get_Item_in", "RaOrpcThis orpcthis;|gint32 vIndex;"},
        {"RaRai_IPCHCollection_get_Item_out",
         "RaOrpcThat orpcthat;|RaVariant ppEntry;|guint32 result; /* HRESULT */"},
        {"RaRai_IPCHCollection_get_Count_out",
         "RaOrpcThat orpcthat;|gint32 pVal;|guint32 result; /* HRESULT */"},
        {"RaRai_ISAFSession_get_SessionID_out",
         "RaOrpcThat orpcthat;|guint32 pVal;|guint32 result; /* HRESULT */"},
        {"RaRai_ISAFSession_put_SessionState_in", "RaOrpcThis orpcthis;|guint32 pVal;"},
        {"RaRai_ISAFSession_put_UserName_in", "RaOrpcThis orpcthis;|gchar *pVal;"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree char *body = struct_body(h, want[i].name);
        g_assert_cmpstr(body, ==, want[i].fields);
    }
    /* Inherited methods get no stubs (IUnknown goes through IRemUnknown, IDispatch by hand). */
    g_assert_null(strstr(h, "RaRai_IRASrv_QueryInterface_in"));
    g_assert_null(strstr(h, "RaRai_IRASrv_Invoke_in"));
    /* Wire forms in the code: 16-bit enum, user-marshal BSTR/SAFEARRAY, unique LPWSTR. */
    g_assert_nonnull(strstr(c, "pull_enum16(ndr, &r->pVal)"));
    g_assert_nonnull(strstr(c, "ra_oaut_pull_safearray_bstr(ndr, RA_NDR_BOTH, &r->UserNames)"));
    g_assert_nonnull(strstr(c, "ra_ndr_pull_lpwstr(ndr, &r->szName)"));
    g_assert_nonnull(strstr(c, "ra_oaut_push_bstr(ndr, RA_NDR_BOTH, r->pbstrConnectionString)"));
    g_assert_nonnull(strstr(c, "ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->pVal)"));
    g_assert_nonnull(strstr(c, "ra_ndr_pull_u32(ndr, &r->result)"));
}

static void test_numbers(void)
{
    g_autofree char *h = NULL, *c = NULL;
    generate_rai(&h, &c);
    /* Opnums and DISPIDs from [MS-RAI] and facts.md. */
    static const char *const lines[] = {
        "#define RA_RAI_OPNUM_IRASrv_GetNoviceUserInfo 7",
        "#define RA_RAI_DISPID_IRASrv_GetNoviceUserInfo 1",
        "#define RA_RAI_OPNUM_IRASrv_GetSessionInfo 8",
        "#define RA_RAI_DISPID_IRASrv_GetSessionInfo 2",
        "#define RA_RAI_OPNUM_IPCHService_RemoteConnectionParms 19",
        "#define RA_RAI_DISPID_IPCHService_RemoteConnectionParms 134217792",
        "#define RA_RAI_OPNUM_IPCHService_RemoteUserSessionInfo 20",
        "#define RA_RAI_DISPID_IPCHService_RemoteUserSessionInfo 134217793",
        "#define RA_RAI_OPNUM_IPCHService_Opnum21NotUsedByProtocol 21",
        "#define RA_RAI_OPNUM_IPCHCollection_get__NewEnum 7",
        "#define RA_RAI_DISPID_IPCHCollection_get__NewEnum -4",
        "#define RA_RAI_DISPID_IPCHCollection_get_Item 0",
        "#define RA_RAI_DISPID_IPCHCollection_get_Count 134283264",
        "#define RA_RAI_OPNUM_ISAFSession_get_SessionID 7",
        "#define RA_RAI_DISPID_ISAFSession_get_SessionID 134352144",
        "#define RA_RAI_OPNUM_ISAFSession_put_UserName 14",
        "#define RA_RAI_DISPID_ISAFSession_put_UserName 134352147",
        "#define RA_RAI_IRASrv_N_OPNUMS 9",
        "#define RA_RAI_IPCHService_N_OPNUMS 22",
        "#define RA_RAI_IPCHCollection_N_OPNUMS 10",
        "#define RA_RAI_ISAFSession_N_OPNUMS 15",
        "#define RA_RAI_pchActive 0",
        "#define RA_RAI_pchStateInvalid 10",
        "#define RA_RAI_N_INTERFACES 4",
        /* 4 interfaces: 2 + 15 + 3 + 8 methods of their own, two structures each */
        "#define RA_RAI_N_TYPES 56",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
        if (strstr(h, lines[i]) == NULL)
            g_error("missing: %s", lines[i]);
    }
    /* The method tables: opnums 0-2 and 3-4 not remote, 5-6 remote built-ins. */
    g_assert_nonnull(strstr(c, "{\"QueryInterface\", \"QueryInterface\", 0, FALSE, TRUE, FALSE, 0, "
                               "RA_RAI_PROP_NONE, 0, NULL}"));
    g_assert_nonnull(strstr(c, "{\"GetTypeInfo\", \"GetTypeInfo\", 4, FALSE, TRUE, FALSE, 0, "
                               "RA_RAI_PROP_NONE, 0, NULL}"));
    g_assert_nonnull(strstr(c, "{\"Invoke\", \"Invoke\", 6, TRUE, TRUE, FALSE, 0, "
                               "RA_RAI_PROP_NONE, 0, NULL}"));
    g_assert_nonnull(strstr(c,
                            "{\"SessionState\", \"put_SessionState\", 10, TRUE, FALSE, TRUE, "
                            "134352145, RA_RAI_PROP_PUT, 1, params_ISAFSession_put_SessionState}"));
    /* Parameter infos carry the Automation types Invoke uses. */
    g_assert_nonnull(strstr(c, "{\"UserNames\", 3, FALSE, (RA_VT_ARRAY | RA_VT_BSTR)}"));
    g_assert_nonnull(strstr(c, "{\"Count\", 3, FALSE, RA_VT_INT}"));
    g_assert_nonnull(strstr(c, "{\"pVal\", 2, TRUE, RA_VT_DISPATCH}")); /* IPCHCollection** */
    g_assert_nonnull(strstr(c, "{\"pVal\", 2, TRUE, RA_VT_UNKNOWN}"));  /* IUnknown** */
    /* CLSIDs and IIDs. */
    g_assert_nonnull(strstr(c, "const RaUuid ra_rai_clsid_RASrv = RA_UUID_INIT(0x3c3a70a7, 0xa468, "
                               "0x49b9, 0x8a, 0xda, 0x28, 0xe1, 0x1f, 0xcc, 0xad, 0x5d);"));
    g_assert_nonnull(strstr(c, "const RaUuid ra_rai_iid_IPCHService = RA_UUID_INIT(0x833e4200, "
                               "0xaff7, 0x4ac3, 0xaa, 0xc2, 0x9f, 0x24, 0xc1, 0x45, 0x7b, 0xce);"));
    /* A banner naming the inputs. */
    g_assert_true(g_str_has_prefix(h, "/*\n * DO NOT EDIT: generated by idlgen"));
    g_assert_nonnull(strstr(h, "ms-rai.idl (main)"));
}

/* IDL fragments the backend must refuse, with a fragment of the message. */
static const struct {
    const char *idl;
    const char *message;
} refused[] = {
    {"[object, uuid(11111111-2222-3333-4444-555555555555), pointer_default(unique)]\n"
     "interface IBad : IUnknown { HRESULT M([out] long **x); };\n",
     "cannot express the pointers of parameter 'x'"},
    {"[object, uuid(11111111-2222-3333-4444-555555555555), pointer_default(unique)]\n"
     "interface IBad : IUnknown { HRESULT M([in] SAFEARRAY(long) *x); };\n",
     "cannot marshal parameter 'x'"},
    {"typedef [v1_enum] enum { a = 0, b = 1 } E32;\n"
     "[object, uuid(11111111-2222-3333-4444-555555555555), pointer_default(unique)]\n"
     "interface IBad : IUnknown { HRESULT M([in] E32 x); };\n",
     "cannot marshal parameter 'x'"},
    {"[object, uuid(11111111-2222-3333-4444-555555555555), pointer_default(unique)]\n"
     "interface IBad : IUnknown { HRESULT M([out] IUnknown ***x); };\n",
     "cannot express the pointers of parameter 'x'"},
};

static void test_refusals(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_autoptr(AstModule) m = ast_module_new();
        GError *error = NULL;
        gboolean ok =
            parser_read_string(m, "bad.idl", refused[i].idl, AST_FILE_MAIN, NULL, &error) &&
            sema_resolve(m, &error);
        if (!ok) {
            /* The front end refused it first: then it is not this backend's case. */
            g_test_message("front end: %s", error->message);
            g_assert_not_reached();
        }
        char *h = NULL, *c = NULL;
        g_assert_false(backend_ndr_string(m, &h, &c, &error));
        g_assert_error(error, IDLGEN_ERROR, IDLGEN_ERROR_SEMANTIC);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, refused[i].message));
        g_assert_true(g_str_has_prefix(error->message, "bad.idl:"));
        g_error_free(error);
    }
}

/* A minimal interface of each supported form generates. */
static void test_small_interface(void)
{
    static const char idl[] =
        "typedef enum { x = 0, y = 7 } Small;\n"
        "[object, uuid(11111111-2222-3333-4444-555555555555), dual, pointer_default(unique)]\n"
        "interface ISmall : IDispatch {\n"
        "  [id(5)] HRESULT A([in] LPWSTR s, [in] Small e, [out, retval] VARIANT *v);\n"
        "  [propput, id(6)] HRESULT B([in] DWORD d);\n"
        "};\n";
    g_autoptr(AstModule) m = ast_module_new();
    GError *error = NULL;
    g_assert_true(parser_read_string(m, "small.idl", idl, AST_FILE_MAIN, NULL, &error));
    g_assert_true(sema_resolve(m, &error));
    g_autofree char *h = NULL, *c = NULL;
    g_assert_true(backend_ndr_string(m, &h, &c, &error));
    g_assert_no_error(error);
    g_autofree char *in = struct_body(h, "RaRai_ISmall_A_in");
    g_assert_cmpstr(in, ==, "RaOrpcThis orpcthis;|gchar *s;|guint32 e;");
    /* a top-level [in] LPWSTR is a [ref] string: no referent ID */
    g_assert_nonnull(strstr(c, "ra_ndr_pull_wstring(ndr, &r->s)"));
    g_assert_nonnull(strstr(c, "case 7:\n        return \"y\";"));
    g_assert_nonnull(strstr(h, "#define RA_RAI_OPNUM_ISmall_put_B 8"));
    g_assert_nonnull(strstr(c, "if (n_args != 2)")); /* A: the VARIANT retval is not an argument */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/backend-ndr/structures", test_structures);
    g_test_add_func("/backend-ndr/numbers", test_numbers);
    g_test_add_func("/backend-ndr/refusals", test_refusals);
    g_test_add_func("/backend-ndr/small-interface", test_small_interface);
    return g_test_run();
}
