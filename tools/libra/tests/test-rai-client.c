/*
 * The expert's building blocks (ra/rai-client.h): the interface names, the session rules of
 * [MS-RAI] 3.2.4 step 5 and 3.3.4.1.2, and reading an IPCHCollection item's session from the
 * test novice (rai-test-server). The whole offer is exercised by test-rig and the ratool tests.
 */
#include "ra/rai-client.h"
#include "ra/actprop.h"
#include "rai-ndr.h"
#include "rai-test-server.h"

static void test_interface_parse(void)
{
    RaRaiExpertInterface i = RA_RAI_EXPERT_IRASRV;
    g_assert_true(ra_rai_expert_interface_parse("auto", &i));
    g_assert_cmpint(i, ==, RA_RAI_EXPERT_AUTO);
    g_assert_true(ra_rai_expert_interface_parse("IRASrv", &i));
    g_assert_cmpint(i, ==, RA_RAI_EXPERT_IRASRV);
    g_assert_true(ra_rai_expert_interface_parse("IPCHSERVICE", &i));
    g_assert_cmpint(i, ==, RA_RAI_EXPERT_IPCHSERVICE);
    g_assert_false(ra_rai_expert_interface_parse("ipch", &i));
    g_assert_false(ra_rai_expert_interface_parse("", &i));
    g_assert_cmpint(i, ==, RA_RAI_EXPERT_IPCHSERVICE);
}

static void test_session_usable(void)
{
    char domain[] = "CONTOSO", user[] = "alice", empty[] = "";
    RaRaiExpertSession s = {1, domain, user, 0};
    g_assert_true(ra_rai_expert_session_usable(&s));
    s.domain = empty;
    g_assert_false(ra_rai_expert_session_usable(&s));
    s.domain = NULL;
    g_assert_false(ra_rai_expert_session_usable(&s));
    s.domain = domain;
    s.user = empty;
    g_assert_false(ra_rai_expert_session_usable(&s));
    s.user = NULL;
    g_assert_false(ra_rai_expert_session_usable(&s));
}

static void test_session_entries(void)
{
    static const char *const entries[] = {
        "CONTOSO\\alice:1",
        NULL,                 /* a NULL BSTR: skipped */
        "no-backslash:3",     /* skipped */
        "\\:2",               /* parses: no domain, no user (kept, but not usable) */
        "X\\y:4294967296",    /* an id over 32 bits: skipped */
        "CONTOSO\\bob:",      /* no id: skipped */
        "WORKGROUP\\a:b\\c:7" /* the last colon ends the user */
    };
    gchar *items[G_N_ELEMENTS(entries)];
    for (guint i = 0; i < G_N_ELEMENTS(entries); i++)
        items[i] = g_strdup(entries[i]);
    RaBstrArray names = {0};
    names.count = G_N_ELEMENTS(items);
    names.items = items;
    GPtrArray *sessions = g_ptr_array_new_with_free_func(ra_rai_expert_session_free);
    ra_rai_expert_add_session_entries(sessions, NULL);
    g_assert_cmpuint(sessions->len, ==, 0);
    ra_rai_expert_add_session_entries(sessions, &names);
    g_assert_cmpuint(sessions->len, ==, 3);
    const RaRaiExpertSession *s = g_ptr_array_index(sessions, 0);
    g_assert_cmpuint(s->id, ==, 1);
    g_assert_cmpstr(s->domain, ==, "CONTOSO");
    g_assert_cmpstr(s->user, ==, "alice");
    g_assert_cmpint(s->state, ==, -1);
    s = g_ptr_array_index(sessions, 1);
    g_assert_cmpuint(s->id, ==, 2);
    g_assert_cmpstr(s->domain, ==, "");
    g_assert_cmpstr(s->user, ==, "");
    g_assert_false(ra_rai_expert_session_usable(s));
    s = g_ptr_array_index(sessions, 2);
    g_assert_cmpuint(s->id, ==, 7);
    g_assert_cmpstr(s->domain, ==, "WORKGROUP");
    g_assert_cmpstr(s->user, ==, "a:b\\c");
    /* Appends. */
    names.count = 1;
    ra_rai_expert_add_session_entries(sessions, &names);
    g_assert_cmpuint(sessions->len, ==, 4);
    g_ptr_array_unref(sessions);
    for (guint i = 0; i < G_N_ELEMENTS(items); i++)
        g_free(items[i]);
}

/* Item(index) of the novice's IPCHCollection, read as the expert reads it. */
static gboolean read_item(RaDcomClient *c, RaOrpcBinding *col, gint32 index, RaRaiExpertSession *s,
                          RaArena *arena, GError **error)
{
    RaRai_IPCHCollection_get_Item_in in = {0};
    RaRai_IPCHCollection_get_Item_out out = {0};
    in.vIndex = index;
    g_assert_true(ra_rai_call_IPCHCollection_get_Item(col, &in, &out, arena, error));
    g_assert_cmpuint(out.ppEntry.vt, ==, RA_VT_DISPATCH);
    g_assert_nonnull(out.ppEntry.v.iface);
    return ra_rai_expert_read_session(c, out.ppEntry.v.iface, s, arena, error);
}

static void test_read_session(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    RaDcomClientConfig config = {0};
    config.host = "127.0.0.1";
    config.port = rai_test_server_port(ts);
    config.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config.auth.domain = RAI_TEST_DOMAIN;
    config.auth.user = RAI_TEST_HELPER;
    config.auth.password = RAI_TEST_HELPER_PASSWORD;
    config.timeout_ms = 10000;
    GError *error = NULL;
    RaDcomClient *c = ra_dcom_client_new(&config, &error);
    g_assert_no_error(error);
    g_autoptr(RaArena) arena = ra_arena_new();
    RaOrpcBinding *svc = NULL;
    g_assert_true(ra_dcom_client_create_instance(c, &ra_rai_clsid_PCHService,
                                                 &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION,
                                                 &svc, NULL, &error));
    RaRai_IPCHService_RemoteUserSessionInfo_in uin = {0};
    RaRai_IPCHService_RemoteUserSessionInfo_out uout = {0};
    g_assert_true(ra_rai_call_IPCHService_RemoteUserSessionInfo(svc, &uin, &uout, arena, &error));
    RaOrpcBinding *col = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, uout.pVal, &ra_rai_iid_IPCHCollection, &col, &error));
    g_assert_no_error(error);
    RaiTestServerStats before, after;
    rai_test_server_stats(ts, &before);

    /* testdata/sessions/example.ini: session 6 is WORKGROUP\Łukasz, shadowing. */
    RaRaiExpertSession s = {0};
    g_assert_true(read_item(c, col, 6, &s, arena, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(s.id, ==, 6);
    g_assert_cmpint(s.state, ==, RA_RAI_pchShadow);
    g_assert_cmpstr(s.domain, ==, "WORKGROUP");
    g_assert_cmpstr(s.user, ==, "\xc5\x81ukasz");
    g_free(s.domain);
    g_free(s.user);
    /* Session 5 (listening) has neither: NULL BSTRs read as "". */
    RaRaiExpertSession l = {0};
    g_assert_true(read_item(c, col, 5, &l, arena, &error));
    g_assert_cmpuint(l.id, ==, 5);
    g_assert_cmpint(l.state, ==, RA_RAI_pchListen);
    g_assert_cmpstr(l.domain, ==, "");
    g_assert_cmpstr(l.user, ==, "");
    g_assert_false(ra_rai_expert_session_usable(&l));
    g_free(l.domain);
    g_free(l.user);
    /* Every interface it took is released again: no object is left but the service's two. */
    rai_test_server_stats(ts, &after);
    g_assert_cmpuint(after.objects, ==, before.objects);
    g_assert_cmpuint(after.released, >, before.released);

    ra_dcom_client_free(c);
    rai_test_server_stop(ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rai-client/interface-parse", test_interface_parse);
    g_test_add_func("/rai-client/session-usable", test_session_usable);
    g_test_add_func("/rai-client/session-entries", test_session_entries);
    g_test_add_func("/rai-client/read-session", test_read_session);
    return g_test_run();
}
