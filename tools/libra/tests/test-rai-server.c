/*
 * The novice (ra/rai-server.h) on the DCOM server (ra/dcom-server.h), driven by our DCOM client
 * (ra/dcom-client.h) and the generated proxies (rai-ndr.h) over loopback at PKT_PRIVACY: every
 * method of IRASrv, IPCHService, IPCHCollection and ISAFSession, the session table of
 * testdata/sessions/example.ini, the errors of [MS-RAI] and issue 5 (ERROR_CANNOT_MAKE,
 * ERROR_NONE_MAPPED, ERROR_ACCESS_DISABLED_BY_POLICY, E_ACCESSDENIED, op_rng_error), the flavors,
 * IRemUnknown2, IDispatch GetIDsOfNames/Invoke, object lifetime (RemRelease, ping expiry) and
 * hostile DCOM input (bogus OBJREFs, absurd activation property sizes, calls on released IPIDs).
 */
#include "ra/actprop.h"
#include "ra/bytes.h"
#include "ra/connstr.h"
#include "ra/dcom-client.h"
#include "ra/idispatch.h"
#include "rai-ndr.h"
#include "rai-test-server.h"

#include <string.h>

/* Every interface of the server on one connection (alter_context), as impacket does. */
static gboolean share_connections;

static RaDcomClient *client_as(RaiTestServer *ts, const char *user, const char *password)
{
    RaDcomClientConfig config = {0};
    config.share_connections = share_connections;
    config.host = "127.0.0.1";
    config.port = rai_test_server_port(ts);
    config.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config.auth.domain = RAI_TEST_DOMAIN;
    config.auth.user = user;
    config.auth.password = password;
    config.timeout_ms = 10000;
    GError *error = NULL;
    RaDcomClient *c = ra_dcom_client_new(&config, &error);
    g_assert_no_error(error);
    return c;
}

static RaDcomClient *expert(RaiTestServer *ts)
{
    return client_as(ts, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
}

static RaOrpcBinding *activate(RaDcomClient *c, const RaUuid *clsid, const RaUuid *iid,
                               guint32 session)
{
    RaOrpcBinding *b = NULL;
    GError *error = NULL;
    g_assert_true(ra_dcom_client_create_instance(c, clsid, iid, session, &b, NULL, &error));
    g_assert_no_error(error);
    return b;
}

static gchar *get_novice_user_info(RaOrpcBinding *b, guint32 *hr)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaRai_IRASrv_GetNoviceUserInfo_in in = {0};
    RaRai_IRASrv_GetNoviceUserInfo_out out = {0};
    GError *error = NULL;
    gboolean ok = ra_rai_call_IRASrv_GetNoviceUserInfo(b, &in, &out, arena, &error);
    *hr = out.result;
    if (!ok) {
        g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
        g_error_free(error);
        return NULL;
    }
    return g_strdup(out.szName);
}

/* A string the test owns, for the gchar* fields of [in] structures. */
#define S(x) ra_arena_strdup(arena, (x))

/* The same, returning the call's error instead of asserting. */
static gchar *get_novice_user_info_raw(RaOrpcBinding *b, guint32 *hr, GError **error)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaRai_IRASrv_GetNoviceUserInfo_in in = {0};
    RaRai_IRASrv_GetNoviceUserInfo_out out = {0};
    gboolean ok = ra_rai_call_IRASrv_GetNoviceUserInfo(b, &in, &out, arena, error);
    *hr = out.result;
    return ok ? g_strdup(out.szName) : NULL;
}

/* ---- IRASrv ---- */

static void test_irasrv(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    RaDcomClient *c = expert(ts);
    RaOrpcBinding *b = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_ACTPROP_ANY_SESSION);
    g_autofree gchar *binding = g_strdup_printf("127.0.0.1[%u]", rai_test_server_port(ts));
    g_assert_cmpstr(ra_dcom_client_exporter(c)->binding, ==, binding);
    g_assert_cmpuint(ra_dcom_client_exporter(c)->authn_hint, ==, RA_AUTH_LEVEL_PKT_PRIVACY);

    /* GetSessionInfo: every session but the Idle (4) and Disconnected (3) ones. */
    g_autoptr(RaArena) arena = ra_arena_new();
    RaRai_IRASrv_GetSessionInfo_in gin = {0};
    RaRai_IRASrv_GetSessionInfo_out gout = {0};
    GError *error = NULL;
    g_assert_true(ra_rai_call_IRASrv_GetSessionInfo(b, &gin, &gout, arena, &error));
    g_assert_no_error(error);
    g_assert_cmpint(gout.Count, ==, 8);
    g_assert_nonnull(gout.UserNames);
    g_assert_cmpuint(gout.UserNames->count, ==, 8);
    g_assert_cmpstr(gout.UserNames->items[0], ==, "CONTOSO\\alice:1");
    g_assert_cmpstr(gout.UserNames->items[1], ==, "CONTOSO\\bob:2");
    g_assert_cmpstr(gout.UserNames->items[2], ==, "\\:5");
    g_assert_cmpstr(gout.UserNames->items[3], ==, "WORKGROUP\\\xc5\x81ukasz:6");
    g_assert_cmpstr(gout.UserNames->items[7], ==, "CONTOSO\\heidi:10");

    /* GetNoviceUserInfo: a Connection String 2 for session 1 (the first active one). */
    guint32 hr;
    g_autofree gchar *cs = get_novice_user_info(b, &hr);
    g_assert_cmphex(hr, ==, 0);
    g_assert_nonnull(cs);
    g_autoptr(RaConnStr2) parsed = ra_connstr2_parse(cs, strlen(cs), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(parsed->warnings->len, ==, 0);
    g_assert_nonnull(parsed->kh);
    g_assert_cmpuint(strlen(parsed->kh), ==, 28); /* base64 of a SHA-1 */
    g_assert_cmpuint(strlen(parsed->id), ==, 64); /* base64 of 48 bytes */
    const RaTransport *t = g_ptr_array_index(parsed->transports, 0);
    g_assert_cmpstr(t->id, ==, "1");
    const RaListener *l = g_ptr_array_index(t->listeners, 0);
    g_assert_cmpstr(l->name, ==, "127.0.0.1");
    g_assert_cmpuint(l->port, ==, 3389);
    g_assert_true(rai_test_server_log_contains(ts, "IRASrv::GetNoviceUserInfo session 1 to "
                                                   "CONTOSO\\expert"));

    /* A second offer for the same session while the first is pending: ERROR_CANNOT_MAKE. */
    g_assert_null(get_novice_user_info(b, &hr));
    g_assert_cmphex(hr, ==, RA_HRESULT_ERROR_CANNOT_MAKE);
    g_assert_true(rai_test_server_log_contains(ts, "offer refused 0x80070052"));
    /* Withdrawn, it can be offered again. */
    rai_test_server_withdraw(ts, 1);
    g_autofree gchar *again = get_novice_user_info(b, &hr);
    g_assert_cmphex(hr, ==, 0);
    g_assert_cmpstr(again, !=, cs); /* fresh ID and SID */

    /* Sessions chosen at activation ([MS-DCOM] 2.2.22.2.2). */
    RaOrpcBinding *b2 = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, 2);
    g_autofree gchar *cs2 = get_novice_user_info(b2, &hr);
    g_assert_nonnull(cs2);
    g_assert_cmphex(hr, ==, 0);
    RaOrpcBinding *b3 = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, 3);
    g_assert_null(get_novice_user_info(b3, &hr)); /* disconnected: nobody to help */
    g_assert_cmphex(hr, ==, RA_HRESULT_ERROR_NONE_MAPPED);
    RaOrpcBinding *b5 = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, 5);
    g_assert_null(get_novice_user_info(b5, &hr)); /* listener session: no user */
    g_assert_cmphex(hr, ==, RA_HRESULT_ERROR_NONE_MAPPED);
    RaOrpcBinding *bad = NULL;
    guint32 ahr = 0;
    g_assert_false(ra_dcom_client_create_instance(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, 99,
                                                  &bad, &ahr, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
    g_assert_cmphex(ahr, ==, RA_HRESULT_ERROR_NO_SUCH_LOGON_SESSION);
    g_clear_error(&error);

    ra_dcom_client_free(c);
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 0); /* every object released by the client */
    g_assert_cmpuint(st.released, ==, 4);
    rai_test_server_stop(ts);
}

/* ---- IPCHService, IPCHCollection, ISAFSession ---- */

static void test_ipchservice(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    RaDcomClient *c = expert(ts);
    RaOrpcBinding *svc =
        activate(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION);
    g_autoptr(RaArena) arena = ra_arena_new();
    GError *error = NULL;

    RaRai_IPCHService_RemoteUserSessionInfo_in uin = {0};
    RaRai_IPCHService_RemoteUserSessionInfo_out uout = {0};
    g_assert_true(ra_rai_call_IPCHService_RemoteUserSessionInfo(svc, &uin, &uout, arena, &error));
    g_assert_no_error(error);
    g_assert_nonnull(uout.pVal);
    RaOrpcBinding *col = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, uout.pVal, NULL, &col, &error));
    g_assert_no_error(error);
    g_assert_true(ra_uuid_equal(&col->iid, &ra_rai_iid_IPCHCollection));

    RaRai_IPCHCollection_get_Count_in cin = {0};
    RaRai_IPCHCollection_get_Count_out cout = {0};
    g_assert_true(ra_rai_call_IPCHCollection_get_Count(col, &cin, &cout, arena, &error));
    g_assert_cmpint(cout.pVal, ==, 10); /* every session, with its state */

    /* Item(6) (one-based): the WORKGROUP session, as a VT_DISPATCH ISAFSession. */
    RaRai_IPCHCollection_get_Item_in iin = {0};
    RaRai_IPCHCollection_get_Item_out iout = {0};
    iin.vIndex = 6;
    g_assert_true(ra_rai_call_IPCHCollection_get_Item(col, &iin, &iout, arena, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(iout.ppEntry.vt, ==, RA_VT_DISPATCH);
    RaOrpcBinding *saf = NULL;
    g_assert_true(
        ra_dcom_client_unmarshal(c, iout.ppEntry.v.iface, &ra_rai_iid_ISAFSession, &saf, &error));
    g_assert_no_error(error);
    RaRai_ISAFSession_get_UserName_in gun = {0};
    RaRai_ISAFSession_get_UserName_out gu = {0};
    g_assert_true(ra_rai_call_ISAFSession_get_UserName(saf, &gun, &gu, arena, &error));
    g_assert_cmpstr(gu.pVal, ==, "\xc5\x81ukasz");
    RaRai_ISAFSession_get_DomainName_in gdn = {0};
    RaRai_ISAFSession_get_DomainName_out gd = {0};
    g_assert_true(ra_rai_call_ISAFSession_get_DomainName(saf, &gdn, &gd, arena, &error));
    g_assert_cmpstr(gd.pVal, ==, "WORKGROUP");
    RaRai_ISAFSession_get_SessionID_in gin = {0};
    RaRai_ISAFSession_get_SessionID_out gi = {0};
    g_assert_true(ra_rai_call_ISAFSession_get_SessionID(saf, &gin, &gi, arena, &error));
    g_assert_cmpuint(gi.pVal, ==, 6);
    RaRai_ISAFSession_get_SessionState_in gsn = {0};
    RaRai_ISAFSession_get_SessionState_out gs = {0};
    g_assert_true(ra_rai_call_ISAFSession_get_SessionState(saf, &gsn, &gs, arena, &error));
    g_assert_cmpuint(gs.pVal, ==, RA_RAI_pchShadow);
    /* The setters change the object's copy. */
    RaRai_ISAFSession_put_SessionState_in psn = {0};
    RaRai_ISAFSession_put_SessionState_out ps = {0};
    psn.pVal = RA_RAI_pchIdle;
    g_assert_true(ra_rai_call_ISAFSession_put_SessionState(saf, &psn, &ps, arena, &error));
    g_assert_true(ra_rai_call_ISAFSession_get_SessionState(saf, &gsn, &gs, arena, &error));
    g_assert_cmpuint(gs.pVal, ==, RA_RAI_pchIdle);
    psn.pVal = 11; /* not a SessionStateEnum: E_INVALIDARG */
    g_assert_false(ra_rai_call_ISAFSession_put_SessionState(saf, &psn, &ps, arena, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
    g_assert_cmphex(ps.result, ==, RA_E_INVALIDARG);
    g_clear_error(&error);
    RaRai_ISAFSession_put_UserName_in pun = {0};
    RaRai_ISAFSession_put_UserName_out pu = {0};
    pun.pVal = S("z\xc3\xa9ro");
    g_assert_true(ra_rai_call_ISAFSession_put_UserName(saf, &pun, &pu, arena, &error));
    g_assert_true(ra_rai_call_ISAFSession_get_UserName(saf, &gun, &gu, arena, &error));
    g_assert_cmpstr(gu.pVal, ==, "z\xc3\xa9ro");
    RaRai_ISAFSession_put_SessionID_in pin = {0};
    RaRai_ISAFSession_put_SessionID_out pi = {0};
    pin.pVal = 77;
    g_assert_true(ra_rai_call_ISAFSession_put_SessionID(saf, &pin, &pi, arena, &error));
    g_assert_true(ra_rai_call_ISAFSession_get_SessionID(saf, &gin, &gi, arena, &error));
    g_assert_cmpuint(gi.pVal, ==, 77);
    RaRai_ISAFSession_put_DomainName_in pdn = {0};
    RaRai_ISAFSession_put_DomainName_out pd = {0};
    pdn.pVal = NULL;
    g_assert_true(ra_rai_call_ISAFSession_put_DomainName(saf, &pdn, &pd, arena, &error));
    g_assert_true(ra_rai_call_ISAFSession_get_DomainName(saf, &gdn, &gd, arena, &error));
    g_assert_cmpstr(gd.pVal, ==, "");

    /* Out-of-range items; _NewEnum as a copy of the collection. */
    iin.vIndex = 0;
    g_assert_false(ra_rai_call_IPCHCollection_get_Item(col, &iin, &iout, arena, &error));
    g_assert_cmphex(iout.result, ==, RA_E_INVALIDARG);
    g_clear_error(&error);
    iin.vIndex = 11;
    g_assert_false(ra_rai_call_IPCHCollection_get_Item(col, &iin, &iout, arena, &error));
    g_clear_error(&error);
    RaRai_IPCHCollection_get__NewEnum_in nin = {0};
    RaRai_IPCHCollection_get__NewEnum_out nout = {0};
    g_assert_true(ra_rai_call_IPCHCollection_get__NewEnum(col, &nin, &nout, arena, &error));
    RaOrpcBinding *copy = NULL;
    g_assert_true(
        ra_dcom_client_unmarshal(c, nout.pVal, &ra_rai_iid_IPCHCollection, &copy, &error));
    g_assert_no_error(error);
    g_assert_true(ra_rai_call_IPCHCollection_get_Count(copy, &cin, &cout, arena, &error));
    g_assert_cmpint(cout.pVal, ==, 10);

    /* RemoteConnectionParms: a Connection String 1 for a session that matches. */
    RaRai_IPCHService_RemoteConnectionParms_in rin = {0};
    RaRai_IPCHService_RemoteConnectionParms_out rout = {0};
    rin.bstrUserName = S("bob");
    rin.bstrDomainName = S("contoso"); /* names compare case-insensitively */
    rin.lSessionID = 2;
    rin.bstrUserHelpBlob = S("13;UNSOLICITED=117;ID=CONTOSO\\expert");
    g_assert_true(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_no_error(error);
    g_autoptr(RaConnStr1) cs1 =
        ra_connstr1_parse(rout.pbstrConnectionString, strlen(rout.pbstrConnectionString), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(cs1->warnings->len, ==, 0);
    g_assert_cmpstr(cs1->protocol_version, ==, "65538");
    g_assert_cmpstr(cs1->machine_address_list, ==, "127.0.0.1:3389");
    g_assert_cmpuint(strlen(cs1->ra_session_id), ==, 44);
    /* ... pending now; another user, a wrong session, a bad blob. */
    g_assert_false(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_cmphex(rout.result, ==, RA_HRESULT_ERROR_CANNOT_MAKE);
    g_clear_error(&error);
    rin.bstrUserName = S("eve");
    rin.lSessionID = 1;
    g_assert_false(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_cmphex(rout.result, ==, RA_HRESULT_ERROR_NONE_MAPPED);
    g_clear_error(&error);
    rin.bstrUserName = NULL;
    g_assert_false(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_cmphex(rout.result, ==, RA_HRESULT_ERROR_NONE_MAPPED);
    g_clear_error(&error);
    rin.bstrUserName = S("alice");
    rin.bstrUserHelpBlob = S("13;UNSOLICITED=119;ID=CONTOSO\\expert"); /* wrong length */
    g_assert_false(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_cmphex(rout.result, ==, RA_E_INVALIDARG);
    g_clear_error(&error);
    rin.bstrUserHelpBlob = S("17;ID=CONTOSO\\expert"); /* no UNSOLICITED=1 */
    g_assert_false(ra_rai_call_IPCHService_RemoteConnectionParms(svc, &rin, &rout, arena, &error));
    g_assert_cmphex(rout.result, ==, RA_E_INVALIDARG);
    g_clear_error(&error);
    g_assert_true(rai_test_server_log_contains(ts, "the user help blob is malformed"));

    ra_dcom_client_free(c);
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    rai_test_server_stop(ts);
}

/* ---- errors: the account, the policy, the flavor, unknown opnums ---- */

static void test_refusals(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    GError *error = NULL;
    /* An authenticated account outside the helpers group: E_ACCESSDENIED. */
    RaDcomClient *m = client_as(ts, RAI_TEST_USER, RAI_TEST_USER_PASSWORD);
    RaOrpcBinding *b = NULL;
    guint32 hr = 0;
    g_assert_false(ra_dcom_client_create_instance(m, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                                  RA_ACTPROP_ANY_SESSION, &b, &hr, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
    g_assert_cmphex(hr, ==, RA_E_ACCESSDENIED);
    g_clear_error(&error);
    g_assert_true(rai_test_server_log_contains(ts, "CONTOSO\\mallory is not in the helpers group"));
    ra_dcom_client_free(m);
    /* A wrong password: the first call faults with access denied. */
    RaDcomClient *w = client_as(ts, RAI_TEST_HELPER, "wrong");
    g_assert_false(ra_dcom_client_create_instance(w, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                                  RA_ACTPROP_ANY_SESSION, &b, &hr, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_clear_error(&error);
    ra_dcom_client_free(w);

    /* Opnums the spec leaves unused: nca_s_op_rng_error (RPC_S_PROCNUM_OUT_OF_RANGE). */
    RaDcomClient *c = expert(ts);
    RaOrpcBinding *svc =
        activate(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION);
    g_autoptr(RaArena) arena = ra_arena_new();
    static const guint16 unused[] = {3, 4, 7, 12, 18, 21, 22};
    for (gsize i = 0; i < G_N_ELEMENTS(unused); i++) {
        RaRai_IPCHService_Opnum7NotUsedByProtocol_in in = {0};
        in.orpcthis = svc->orpcthis;
        RaNdrPush *push = ra_ndr_push_new();
        g_assert_true(ra_rai_push_IPCHService_Opnum7NotUsedByProtocol_in(push, &in));
        GBytes *req = ra_ndr_push_finish(push, NULL);
        ra_ndr_push_free(push);
        GBytes *resp = ra_orpc_call(svc, unused[i], req, &error);
        g_bytes_unref(req);
        g_assert_null(resp);
        g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
        g_assert_cmphex(ra_rpc_client_last_fault(svc->client), ==, RA_NCA_OP_RNG_ERROR);
        g_clear_error(&error);
    }
    ra_dcom_client_free(c);
    rai_test_server_stop(ts);

    /* Offers disabled by policy. */
    RaiTestServerOptions opts = {0};
    opts.offers_disabled = TRUE;
    ts = rai_test_server_start(&opts);
    c = expert(ts);
    b = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_ACTPROP_ANY_SESSION);
    g_assert_null(get_novice_user_info(b, &hr));
    g_assert_cmphex(hr, ==, RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY);
    svc = activate(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION);
    RaRai_IPCHService_RemoteUserSessionInfo_in uin = {0};
    RaRai_IPCHService_RemoteUserSessionInfo_out uout = {0};
    g_assert_false(ra_rai_call_IPCHService_RemoteUserSessionInfo(svc, &uin, &uout, arena, &error));
    g_assert_cmphex(uout.result, ==, RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY);
    g_clear_error(&error);
    ra_dcom_client_free(c);
    rai_test_server_stop(ts);

    /* Flavors: XP has PCHService only, Vista RASrv only. */
    opts.offers_disabled = FALSE;
    opts.flavor = "xp";
    ts = rai_test_server_start(&opts);
    c = expert(ts);
    g_assert_false(ra_dcom_client_create_instance(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                                  RA_ACTPROP_ANY_SESSION, &b, &hr, &error));
    g_assert_cmphex(hr, ==, RA_REGDB_E_CLASSNOTREG);
    g_clear_error(&error);
    svc = activate(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION);
    ra_dcom_client_free(c);
    rai_test_server_stop(ts);
    opts.flavor = "vista";
    ts = rai_test_server_start(&opts);
    c = expert(ts);
    g_assert_false(ra_dcom_client_create_instance(c, &ra_rai_clsid_PCHService,
                                                  &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION,
                                                  &b, &hr, &error));
    g_assert_cmphex(hr, ==, RA_REGDB_E_CLASSNOTREG);
    g_clear_error(&error);
    /* An interface the class does not have. */
    g_assert_false(ra_dcom_client_create_instance(c, &ra_rai_clsid_RASrv, &ra_rai_iid_ISAFSession,
                                                  RA_ACTPROP_ANY_SESSION, &b, &hr, &error));
    g_assert_cmphex(hr, ==, RA_E_NOINTERFACE);
    g_clear_error(&error);
    ra_dcom_client_free(c);
    rai_test_server_stop(ts);
}

/* ---- IRemUnknown2 and lifetime ---- */

static void test_lifetime(void)
{
    RaiTestServerOptions opts = {0};
    opts.ping_period_ms = 200;
    RaiTestServer *ts = rai_test_server_start(&opts);
    RaDcomClient *c = expert(ts);
    GError *error = NULL;
    RaOrpcBinding *b = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_ACTPROP_ANY_SESSION);
    /* RemQueryInterface for IDispatch and IUnknown; not for another class's interface. */
    RaOrpcBinding *disp = NULL, *unk = NULL, *none = NULL;
    guint32 hr;
    g_assert_true(ra_dcom_client_query_interface(c, b, &ra_iid_idispatch, &disp, &hr, &error));
    g_assert_no_error(error);
    g_assert_true(ra_dcom_client_query_interface(c, b, &ra_iid_iunknown, &unk, &hr, &error));
    g_assert_false(
        ra_dcom_client_query_interface(c, b, &ra_rai_iid_IPCHService, &none, &hr, &error));
    g_assert_cmphex(hr, ==, RA_E_NOINTERFACE);
    g_clear_error(&error);
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 1);
    g_assert_cmpuint(st.ipids, ==, 3);

    /* Releasing two of three IPIDs keeps the object; the third releases it. */
    g_assert_true(ra_dcom_client_release(c, disp, &error));
    g_assert_true(ra_dcom_client_release(c, unk, &error));
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 1);
    RaOrpcBinding keep = *b; /* a copy to call after the release */
    g_assert_true(ra_dcom_client_release(c, b, &error));
    g_assert_no_error(error);
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    g_assert_cmpuint(st.ipids, ==, 0);
    /* A call on the released IPID: the fault RPC_E_INVALID_IPID. */
    keep.released = FALSE;
    guint32 ignored;
    g_assert_null(get_novice_user_info_raw(&keep, &ignored, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_assert_cmphex(ra_rpc_client_last_fault(keep.client), ==, RA_RPC_E_INVALID_IPID);
    g_clear_error(&error);
    g_assert_true(rai_test_server_log_contains(ts, "no such object"));

    /* An object whose client pings lives; one whose client stops pinging expires. */
    RaOrpcBinding *x = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, 2);
    g_assert_true(ra_dcom_client_ping(c, &error)); /* ComplexPing adds the OID */
    g_assert_no_error(error);
    for (int i = 0; i < 6; i++) {
        g_usleep(150 * 1000);
        g_assert_true(ra_dcom_client_ping(c, &error)); /* SimplePing */
        rai_test_server_expire(ts);
    }
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 1);
    g_usleep(900 * 1000); /* 3 periods of 200 ms without a ping */
    rai_test_server_expire(ts);
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    g_assert_cmpuint(st.expired, ==, 1);
    g_assert_null(get_novice_user_info_raw(x, &ignored, &error));
    g_assert_cmphex(ra_rpc_client_last_fault(x->client), ==, RA_RPC_E_INVALID_IPID);
    g_clear_error(&error);
    x->released = TRUE; /* nothing left to release */
    ra_dcom_client_free(c);
    rai_test_server_stop(ts);
}

/* ---- IDispatch ([MS-OAUT] 3.1.4.3, 3.1.4.4) on the dual interfaces ---- */

static GBytes *push_getids(const RaGetIDsOfNamesIn *in)
{
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_dispatch_push_getidsofnames_in(push, in));
    GBytes *b = ra_ndr_push_finish(push, NULL);
    ra_ndr_push_free(push);
    return b;
}

/* GetIDsOfNames of one name (and parameter names); the DISPIDs into ids, the HRESULT returned. */
static guint32 get_ids(RaOrpcBinding *b, const char *const *names, guint n, gint32 *ids)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaGetIDsOfNamesIn in = {0};
    in.orpcthis = b->orpcthis;
    in.n_names = n;
    in.names = ra_arena_alloc_n(arena, n, sizeof(gchar *));
    for (guint i = 0; i < n; i++)
        in.names[i] = S(names[i]);
    in.lcid = 0x409;
    GBytes *req = push_getids(&in);
    GError *error = NULL;
    GBytes *resp = ra_orpc_call(b, RA_OPNUM_GETIDSOFNAMES, req, &error);
    g_bytes_unref(req);
    g_assert_no_error(error);
    RaNdrPull *pull = ra_ndr_pull_new(g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), arena);
    RaGetIDsOfNamesOut out = {0};
    out.n_ids = n;
    g_assert_true(ra_dispatch_pull_getidsofnames_out(pull, &out));
    g_assert_true(ra_ndr_pull_finish(pull, NULL));
    ra_ndr_pull_free(pull);
    g_bytes_unref(resp);
    memcpy(ids, out.ids, n * sizeof(gint32));
    return out.result;
}

/* Invoke with args (DISPPARAMS order) and var refs; returns the Invoke HRESULT; *out filled. */
static guint32 invoke(RaOrpcBinding *b, RaArena *arena, gint32 dispid, guint32 flags,
                      RaVariant *args, guint n_args, guint32 *ref_idx, RaVariant *refs,
                      guint n_refs, gboolean put, RaInvokeOut *out)
{
    RaInvokeIn in = {0};
    in.orpcthis = b->orpcthis;
    in.dispid = dispid;
    in.flags = flags;
    in.params.n_args = n_args;
    in.params.args = args;
    static gint32 putid = RA_DISPID_PROPERTYPUT;
    if (put) {
        in.params.n_named = 1;
        in.params.named = &putid;
    }
    in.n_var_ref = n_refs;
    in.var_ref_idx = ref_idx;
    in.var_ref = refs;
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_dispatch_push_invoke_in(push, &in));
    GBytes *req = ra_ndr_push_finish(push, NULL);
    ra_ndr_push_free(push);
    GError *error = NULL;
    GBytes *resp = ra_orpc_call(b, RA_OPNUM_INVOKE, req, &error);
    g_bytes_unref(req);
    g_assert_no_error(error);
    RaNdrPull *pull = ra_ndr_pull_new_bytes(resp, arena);
    g_bytes_unref(resp);
    out->n_var_ref = n_refs;
    g_assert_true(ra_dispatch_pull_invoke_out(pull, out));
    g_assert_true(ra_ndr_pull_finish(pull, NULL));
    ra_ndr_pull_free(pull);
    return out->hresult;
}

static void test_idispatch(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    RaDcomClient *c = expert(ts);
    g_autoptr(RaArena) arena = ra_arena_new();
    GError *error = NULL;
    RaOrpcBinding *b = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_ACTPROP_ANY_SESSION);
    RaOrpcBinding *disp = NULL;
    guint32 hr;
    g_assert_true(ra_dcom_client_query_interface(c, b, &ra_iid_idispatch, &disp, &hr, &error));
    g_assert_no_error(error);

    /* GetIDsOfNames: the IDL's DISPIDs, names compared case-insensitively; parameter names. */
    gint32 ids[3];
    static const char *const n1[] = {"GetSessionInfo", "Count", "usernames"};
    g_assert_cmphex(get_ids(disp, n1, 3, ids), ==, RA_S_OK);
    g_assert_cmpint(ids[0], ==, 2);
    g_assert_cmpint(ids[1], ==, 1);
    g_assert_cmpint(ids[2], ==, 0);
    static const char *const n2[] = {"getnoviceuserinfo"};
    g_assert_cmphex(get_ids(b, n2, 1, ids), ==, RA_S_OK); /* on IRASrv's own IPID too */
    g_assert_cmpint(ids[0], ==, 1);
    static const char *const n3[] = {"Nothing"};
    g_assert_cmphex(get_ids(disp, n3, 1, ids), ==, RA_DISP_E_UNKNOWNNAME);
    g_assert_cmpint(ids[0], ==, RA_DISPID_UNKNOWN);

    /* Invoke GetSessionInfo (DISPID 2) with its two [in, out] arguments by reference. */
    RaVariant args[2];
    memset(args, 0, sizeof args);
    RaVariant refs[2];
    memset(refs, 0, sizeof refs);
    refs[0].vt = RA_VT_BYREF | RA_VT_INT; /* Count: the last parameter comes first */
    refs[0].v.i4 = 0;
    refs[1].vt = RA_VT_BYREF | RA_VT_ARRAY | RA_VT_BSTR;
    refs[1].v.bstr_array = NULL;
    guint32 idx[2] = {0, 1};
    RaInvokeOut out = {0};
    g_assert_cmphex(invoke(disp, arena, 2, RA_DISPATCH_METHOD, args, 2, idx, refs, 2, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_cmpint(out.var_ref[0].v.i4, ==, 8);
    g_assert_nonnull(out.var_ref[1].v.bstr_array);
    g_assert_cmpuint(out.var_ref[1].v.bstr_array->count, ==, 8);
    g_assert_cmpstr(out.var_ref[1].v.bstr_array->items[0], ==, "CONTOSO\\alice:1");

    /* Invoke GetNoviceUserInfo (DISPID 1) twice: the second is DISP_E_EXCEPTION carrying
     * ERROR_CANNOT_MAKE in EXCEPINFO. The string comes back through the by-reference argument. */
    RaVariant ref;
    memset(&ref, 0, sizeof ref);
    ref.vt = RA_VT_BYREF | RA_VT_BSTR;
    guint32 one = 0;
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(disp, arena, 1, RA_DISPATCH_METHOD, args, 1, &one, &ref, 1, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_nonnull(out.var_ref[0].v.bstr);
    g_assert_true(g_str_has_prefix(out.var_ref[0].v.bstr, "<E>"));
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(disp, arena, 1, RA_DISPATCH_METHOD, args, 1, &one, &ref, 1, FALSE, &out),
                    ==, RA_DISP_E_EXCEPTION);
    g_assert_cmphex(out.excep_info.scode, ==, RA_HRESULT_ERROR_CANNOT_MAKE);

    /* Errors of Invoke itself. */
    memset(&out, 0, sizeof out);
    g_assert_cmphex(
        invoke(disp, arena, 77, RA_DISPATCH_METHOD, NULL, 0, NULL, NULL, 0, FALSE, &out), ==,
        RA_DISP_E_MEMBERNOTFOUND);
    g_assert_cmphex(invoke(disp, arena, 2, RA_DISPATCH_METHOD, NULL, 0, NULL, NULL, 0, FALSE, &out),
                    ==, RA_DISP_E_BADPARAMCOUNT);
    args[0].vt = RA_VT_BSTR; /* Count as a string */
    args[0].v.bstr = S("x");
    args[1].vt = RA_VT_EMPTY;
    g_assert_cmphex(invoke(disp, arena, 2, RA_DISPATCH_METHOD, args, 2, NULL, NULL, 0, FALSE, &out),
                    ==, RA_DISP_E_TYPEMISMATCH);
    g_assert_cmpuint(out.arg_err, ==, 0); /* rgvarg[0], the Count */

    /* On IPCHService's objects: property get and put through Invoke. */
    RaOrpcBinding *svc =
        activate(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION);
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(svc, arena, RA_RAI_DISPID_IPCHService_RemoteUserSessionInfo,
                           RA_DISPATCH_METHOD, NULL, 0, NULL, NULL, 0, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_cmpuint(out.result.vt, ==, RA_VT_DISPATCH);
    RaOrpcBinding *col = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, out.result.v.iface, &ra_iid_idispatch, &col, &error));
    g_assert_no_error(error);
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(col, arena, RA_RAI_DISPID_IPCHCollection_get_Count,
                           RA_DISPATCH_PROPERTYGET, NULL, 0, NULL, NULL, 0, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_cmpuint(out.result.vt, ==, RA_VT_I4);
    g_assert_cmpint(out.result.v.i4, ==, 10);
    RaVariant index;
    memset(&index, 0, sizeof index);
    index.vt = RA_VT_I2; /* coerced to long */
    index.v.i2 = 1;
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(col, arena, RA_DISPID_VALUE, RA_DISPATCH_PROPERTYGET, &index, 1, NULL,
                           NULL, 0, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_cmpuint(out.result.vt, ==, RA_VT_DISPATCH);
    RaOrpcBinding *saf = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, out.result.v.iface, NULL, &saf, &error));
    g_assert_true(ra_uuid_equal(&saf->iid, &ra_iid_idispatch));
    RaVariant value;
    memset(&value, 0, sizeof value);
    value.vt = RA_VT_BSTR;
    value.v.bstr = S("carol");
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(saf, arena, RA_RAI_DISPID_ISAFSession_put_UserName,
                           RA_DISPATCH_PROPERTYPUT, &value, 1, NULL, NULL, 0, TRUE, &out),
                    ==, RA_S_OK);
    memset(&out, 0, sizeof out);
    g_assert_cmphex(invoke(saf, arena, RA_RAI_DISPID_ISAFSession_get_UserName,
                           RA_DISPATCH_PROPERTYGET, NULL, 0, NULL, NULL, 0, FALSE, &out),
                    ==, RA_S_OK);
    g_assert_cmpstr(out.result.v.bstr, ==, "carol");
    /* A put without the DISPID_PROPERTYPUT name. */
    g_assert_cmphex(invoke(saf, arena, RA_RAI_DISPID_ISAFSession_put_UserName,
                           RA_DISPATCH_PROPERTYPUT, &value, 1, NULL, NULL, 0, FALSE, &out),
                    ==, RA_DISP_E_PARAMNOTFOUND);
    ra_dcom_client_free(c);
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    rai_test_server_stop(ts);
}

/* ---- hostile DCOM input ---- */

/* Calls an IRemoteSCMActivator opnum with a raw stub; returns the fault status (0 = answered). */
static guint32 raw_activation_full(RaiTestServer *ts, guint16 opnum, const guint8 *stub, gsize len,
                                   guint32 *hresult, GBytes **response)
{
    GError *error = NULL;
    RaRpcClient *rpc = ra_rpc_client_connect("127.0.0.1", rai_test_server_port(ts), 10000, &error);
    g_assert_no_error(error);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY,
                      RAI_TEST_DOMAIN,
                      RAI_TEST_HELPER,
                      RAI_TEST_HELPER_PASSWORD,
                      NULL,
                      NULL};
    guint16 ctx;
    g_assert_true(ra_rpc_client_bind(rpc, &ra_syntax_iremote_scm_activator, &auth, &ctx, &error));
    GBytes *resp = ra_rpc_client_call(rpc, ctx, opnum, NULL, stub, len, &error);
    guint32 fault = 0;
    if (resp == NULL) {
        g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
        g_clear_error(&error);
        fault = ra_rpc_client_last_fault(rpc);
    } else {
        gsize n = g_bytes_get_size(resp);
        const guint8 *d = g_bytes_get_data(resp, NULL);
        g_assert_cmpuint(n, >=, 4);
        *hresult = ra_le32(d + n - 4);
        if (response)
            *response = resp;
        else
            g_bytes_unref(resp);
    }
    ra_rpc_client_free(rpc);
    return fault;
}

static guint32 raw_activation(RaiTestServer *ts, guint16 opnum, const guint8 *stub, gsize len,
                              guint32 *hresult)
{
    return raw_activation_full(ts, opnum, stub, len, hresult, NULL);
}

static GByteArray *vector_bytes(const char *name)
{
    const char *dir = g_getenv("RAI_TESTDATA");
    gchar *path = g_build_filename(dir, "dcom", name, NULL);
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    GByteArray *b = g_byte_array_new();
    gchar **lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (lines[i][0] == '#' || strchr(lines[i], '|') == NULL)
            continue;
        *strchr(lines[i], '|') = '\0';
        gchar **tok = g_strsplit_set(lines[i], " ", -1);
        gboolean first = TRUE;
        for (guint t = 0; tok[t]; t++) {
            if (*tok[t] == '\0')
                continue;
            if (first) {
                first = FALSE;
                continue;
            }
            guint8 v = (guint8)g_ascii_strtoull(tok[t], NULL, 16);
            g_byte_array_append(b, &v, 1);
        }
        g_strfreev(tok);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return b;
}

static void test_hostile(void)
{
    RaiTestServer *ts = rai_test_server_start(NULL);
    /* impacket's RemoteCreateInstance for RASrv (testdata/dcom): answered S_OK as it is. */
    GByteArray *good = vector_bytes("remotecreateinstance-in.hex");
    guint32 hr = 1;
    g_assert_cmphex(raw_activation(ts, 4, good->data, good->len, &hr), ==, 0);
    g_assert_cmphex(hr, ==, RA_S_OK);
    /* Absurd activation property sizes and counts: the fault nca_s_fault_ndr, logged. */
    static const struct {
        gsize off;
        guint32 value;
    } mutations[] = {
        {0x60, 0xffffffff},        /* dwSize */
        {0x78, 0x7fffffff},        /* totalSize */
        {0x7c, 0xfffffff0},        /* headerSize */
        {0x88, 1000},              /* cIfs */
        {0x60 + 0x90, 0xfffffff0}, /* pSizes[0] */
        {0x60 + 0xa8, 0x7fffffff}, /* ObjectBufferLength of InstantiationInfoData */
        {0x30, 0x12345678},        /* OBJREF signature */
        {0x34, 1},                 /* OBJREF flags: STANDARD, where CUSTOM is required */
        {0x34, 9},                 /* OBJREF flags: not one form */
        {0x28, 0x10000},           /* MInterfacePointer conformance over the stub */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(mutations); i++) {
        GByteArray *b = g_byte_array_new();
        g_byte_array_append(b, good->data, good->len);
        ra_put_le32(b->data + mutations[i].off, mutations[i].value);
        guint32 fault = raw_activation(ts, 4, b->data, b->len, &hr);
        g_test_message("mutation %" G_GSIZE_FORMAT ": fault 0x%08x", i, fault);
        g_assert_cmphex(fault, ==, RA_NCA_S_FAULT_NDR);
        g_byte_array_unref(b);
    }
    g_assert_true(rai_test_server_log_contains(ts, "activation refused"));
    /* Every truncation of the request: a fault, never a crash or a hang. */
    for (gsize n = 0; n < good->len; n += 7) {
        guint32 fault = raw_activation(ts, 4, good->data, n, &hr);
        g_assert_cmphex(fault, !=, 0);
    }
    /* The server still serves. */
    RaDcomClient *c = expert(ts);
    RaOrpcBinding *b = activate(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_ACTPROP_ANY_SESSION);
    g_assert_nonnull(b);
    /* RemoteGetClassObject: for IRASrv, E_NOINTERFACE (a class object is an IClassFactory);
     * for IClassFactory, an object whose CreateInstance makes a RASrv. pIID[0] of the
     * InstantiationInfoData sits at 0x140 of the request without pUnkOuter. */
    GByteArray *gco = g_byte_array_new();
    g_byte_array_append(gco, good->data, 0x20);                    /* ORPCTHIS */
    g_byte_array_append(gco, good->data + 0x24, good->len - 0x24); /* without pUnkOuter */
    g_assert_cmphex(raw_activation(ts, 3, gco->data, gco->len, &hr), ==, 0);
    g_assert_cmphex(hr, ==, RA_E_NOINTERFACE);
    ra_uuid_to_le(&ra_iid_iclassfactory, gco->data + 0x140);
    GBytes *resp = NULL;
    g_assert_cmphex(raw_activation_full(ts, 3, gco->data, gco->len, &hr, &resp), ==, 0);
    g_assert_cmphex(hr, ==, RA_S_OK);
    g_byte_array_unref(gco);
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new(g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), arena);
    RaRemoteActivationOut aout;
    g_assert_true(ra_dcom_pull_remoteactivation_out(pull, &aout));
    ra_ndr_pull_free(pull);
    RaActivationBlob blob;
    GError *error = NULL;
    g_assert_true(ra_actprop_from_mip(aout.act_properties, TRUE, arena, &blob, &error));
    const RaActProperty *po = ra_actprop_find(&blob, RA_ACTPROP_PROPS_OUT_INFO);
    RaOrpcBinding *cf = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, po->u.props_out.intf_data[0], NULL, &cf, &error));
    g_assert_no_error(error);
    g_assert_true(ra_uuid_equal(&cf->iid, &ra_iid_iclassfactory));
    /* IClassFactory::RemoteCreateInstance(riid = IRASrv) */
    RaNdrPush *push = ra_ndr_push_new();
    g_assert_true(ra_dcom_push_orpcthis(push, RA_NDR_BOTH, &cf->orpcthis) &&
                  ra_ndr_push_uuid(push, &ra_rai_iid_IRASrv));
    GBytes *req = ra_ndr_push_finish(push, NULL);
    ra_ndr_push_free(push);
    GBytes *cresp = ra_orpc_call(cf, 3, req, &error);
    g_bytes_unref(req);
    g_assert_no_error(error);
    pull = ra_ndr_pull_new(g_bytes_get_data(cresp, NULL), g_bytes_get_size(cresp), arena);
    RaOrpcThat that;
    RaInterfacePointer *made = NULL;
    guint32 chr = 1;
    g_assert_true(ra_dcom_pull_orpcthat(pull, RA_NDR_BOTH, &that) &&
                  ra_oaut_pull_interface_ptr(pull, RA_NDR_BOTH, &made) &&
                  ra_ndr_pull_u32(pull, &chr) && ra_ndr_pull_finish(pull, NULL));
    ra_ndr_pull_free(pull);
    g_assert_cmphex(chr, ==, RA_S_OK);
    RaOrpcBinding *rasrv = NULL;
    g_assert_true(ra_dcom_client_unmarshal(c, made, NULL, &rasrv, &error));
    g_assert_no_error(error);
    RaRai_IRASrv_GetSessionInfo_in gin = {0};
    RaRai_IRASrv_GetSessionInfo_out gout = {0};
    g_assert_true(ra_rai_call_IRASrv_GetSessionInfo(rasrv, &gin, &gout, arena, &error));
    g_assert_cmpint(gout.Count, ==, 8);
    g_bytes_unref(cresp);
    g_bytes_unref(resp);
    ra_dcom_client_free(c);
    g_byte_array_unref(good);
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.refusals, >=, 10);
    rai_test_server_stop(ts);
}

static void test_irasrv_shared(void)
{
    share_connections = TRUE;
    test_irasrv();
    share_connections = FALSE;
}

static void test_ipchservice_shared(void)
{
    share_connections = TRUE;
    test_ipchservice();
    share_connections = FALSE;
}

static void test_idispatch_shared(void)
{
    share_connections = TRUE;
    test_idispatch();
    share_connections = FALSE;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rai-server/irasrv", test_irasrv);
    g_test_add_func("/rai-server/ipchservice", test_ipchservice);
    g_test_add_func("/rai-server/refusals", test_refusals);
    g_test_add_func("/rai-server/lifetime", test_lifetime);
    g_test_add_func("/rai-server/idispatch", test_idispatch);
    g_test_add_func("/rai-server/hostile", test_hostile);
    g_test_add_func("/rai-server/shared-connections/irasrv", test_irasrv_shared);
    g_test_add_func("/rai-server/shared-connections/ipchservice", test_ipchservice_shared);
    g_test_add_func("/rai-server/shared-connections/idispatch", test_idispatch_shared);
    return g_test_run();
}
