/*
 * The scenarios of `ratool capture` (see capture-scenarios.h).
 */
#include "capture-scenarios.h"

#include "ra/connstr.h"
#include "ra/crypto.h"
#include "ra/dcom-client.h"
#include "ra/error.h"
#include "ra/idispatch.h"
#include "ra/ndr.h"
#include "ra/rai-client.h"
#include "ra/rig.h"
#include "rai-ndr.h"

#include <string.h>

#define DOMAIN        "CONTOSO"
#define HELPER        "expert"
#define NON_HELPER    "mallory"
#define WORKSTATION   "EXPERT"
#define WRONG_PASS    "Wr0ng-Passw0rd"
#define NOVICE_V4     "192.0.2.10"
#define NOVICE2_V4    "192.0.2.11"
#define EXPERT_V4     "192.0.2.20"
#define NOVICE_V6     "2001:db8::10"
#define EXPERT_V6     "2001:db8::20"
#define PAUSE_ACT_MS  1000
#define LARGE_COUNT   400
#define LARGE_SESSION 250

/* The novice's login sessions in every scenario but `large`: two users to help, one without a
 * user (a listener: GetSessionInfo lists it, the expert ignores it), one disconnected (left out),
 * one with a non-ASCII name. */
static const char sessions_ini[] = "[session 1]\ndomain = CONTOSO\nuser = alice\nstate = active\n"
                                   "[session 2]\ndomain = CONTOSO\nuser = bob\nstate = connected\n"
                                   "[session 3]\nstate = listen\n"
                                   "[session 4]\ndomain = CONTOSO\nuser = carol\n"
                                   "state = disconnected\n"
                                   "[session 5]\ndomain = WORKGROUP\nuser = Łukasz\n"
                                   "state = active\n";

void capture_run_init(CaptureRun *run, RaCapture *capture)
{
    memset(run, 0, sizeof *run);
    run->capture = capture;
    run->password = CAPTURE_DEFAULT_PASSWORD;
    run->seed = CAPTURE_DEFAULT_SEED;
    run->next_expert_port = 49750;
}

/* ---- acts ---- */

typedef struct {
    CaptureRun *run;
    const char *scenario;
    RaAccounts *accounts;
    RaSessionTable *sessions;
    RaRig *rig;
} Act;

typedef struct {
    RaRaiFlavor flavor;
    gboolean offers_disabled;
    gboolean ipv6;
    gboolean second_novice;
    const char *sessions; /* key file text; NULL = sessions_ini */
} ActConfig;

/* FILETIME (100 ns since 1601) of a time in ns since 1970. */
static guint64 filetime(gint64 ns)
{
    return (guint64)(ns / 100) + G_GUINT64_CONSTANT(116444736000000000);
}

static gboolean act_begin(CaptureRun *run, Act *act, const char *scenario, const ActConfig *ac,
                          GError **error)
{
    memset(act, 0, sizeof *act);
    act->run = run;
    act->scenario = scenario;
    if (run->acts > 0 && !ra_capture_advance(run->capture, PAUSE_ACT_MS * 1000000ull, error))
        return FALSE;
    run->acts++;
    gchar *seed = g_strdup_printf("%s/%s/%u", run->seed, scenario, run->acts);
    ra_random_set_seed(seed);
    g_free(seed);
    act->accounts = ra_accounts_new();
    gboolean ok =
        ra_accounts_add(act->accounts, DOMAIN, HELPER, run->password, NULL, TRUE, error) &&
        ra_accounts_add(act->accounts, DOMAIN, NON_HELPER, run->password, NULL, FALSE, error);
    const char *text = ac->sessions ? ac->sessions : sessions_ini;
    act->sessions = ok ? ra_sessions_parse(text, strlen(text), scenario, error) : NULL;
    if (act->sessions == NULL) {
        ra_accounts_free(act->accounts);
        return FALSE;
    }
    RaRigConfig config;
    ra_rig_config_init(&config);
    config.novice_address = ac->ipv6 ? NOVICE_V6 : ac->second_novice ? NOVICE2_V4 : NOVICE_V4;
    config.expert_address = ac->ipv6 ? EXPERT_V6 : EXPERT_V4;
    config.computer_name = ac->second_novice ? "NOVICE2" : "NOVICE";
    config.accounts = act->accounts;
    config.sessions = act->sessions;
    config.flavor = ac->flavor;
    config.offers_disabled = ac->offers_disabled;
    config.min_auth_level = run->sealed ? RA_AUTH_LEVEL_PKT_PRIVACY : RA_AUTH_LEVEL_PKT_INTEGRITY;
    config.ntlm_time = filetime(ra_capture_now(run->capture));
    config.first_expert_port = run->next_expert_port;
    act->rig = ra_rig_new(&config, error);
    if (act->rig == NULL) {
        ra_session_table_free(act->sessions);
        ra_accounts_free(act->accounts);
        return FALSE;
    }
    return TRUE;
}

/* Plays the act into the capture (ok = the act went as planned) and frees it. */
static gboolean act_end(Act *act, gboolean ok, GError **error)
{
    CaptureRun *run = act->run;
    ra_rig_finish(act->rig);
    if (ok)
        ok = ra_rig_play(act->rig, run->capture, error);
    run->next_expert_port += ra_rig_connections(act->rig)->len;
    RaRigStats st;
    ra_rig_get_stats(act->rig, &st);
    run->offers += st.offers;
    run->refusals += st.refused;
    const GPtrArray *ev = ra_rig_events(act->rig);
    for (guint i = 0; i < ev->len; i++)
        run->pdus += ((const RaRigEvent *)g_ptr_array_index(ev, i))->type == RA_RIG_DATA;
    if (run->progress)
        fprintf(run->progress, "ratool capture: %s act %u: %u connection(s), %u event(s)\n",
                act->scenario, run->acts, ra_rig_connections(act->rig)->len, ev->len);
    ra_rig_free(act->rig);
    ra_session_table_free(act->sessions);
    ra_accounts_free(act->accounts);
    return ok;
}

static RaRpcAuth auth(const Act *act, const char *user, const char *password)
{
    RaRpcAuth a = {0};
    a.level = act->run->sealed ? RA_AUTH_LEVEL_PKT_PRIVACY : RA_AUTH_LEVEL_PKT_INTEGRITY;
    a.domain = DOMAIN;
    a.user = user;
    a.password = password;
    a.workstation = WORKSTATION;
    return a;
}

/* The expert of ra/rai-client.h, as `ratool offer` runs it. */
static RaRaiOfferResult *offer(Act *act, RaRaiExpertInterface iface, const char *user,
                               const char *password, guint32 session, GError **error)
{
    RaRaiExpertConfig config = {0};
    ra_rig_dcom_config(act->rig, &config.dcom);
    config.dcom.auth = auth(act, user, password);
    config.iface = iface;
    config.has_session = TRUE;
    config.session_id = session;
    config.trace = ra_rig_trace;
    config.trace_data = act->rig;
    return ra_rai_expert_offer(&config, error);
}

/* An offer that must succeed. */
static gboolean offer_ok(Act *act, RaRaiExpertInterface iface, guint32 session, int version,
                         GError **error)
{
    RaRaiOfferResult *r = offer(act, iface, HELPER, act->run->password, session, error);
    if (r == NULL) {
        g_prefix_error(error, "scenario %s: the offer failed: ", act->scenario);
        return FALSE;
    }
    gboolean ok = r->version == version;
    if (!ok)
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "scenario %s: got a Connection String %d, expected %d", act->scenario,
                    r->version, version);
    ra_rai_offer_result_free(r);
    return ok;
}

/* An attempt that must fail with an error of `code` whose message names `expected`. */
static gboolean expect_failure(Act *act, gboolean succeeded, GError *got, RaError code,
                               const char *expected, GError **error)
{
    gboolean ok = !succeeded && got != NULL && got->domain == RA_ERROR && got->code == (int)code &&
                  strstr(got->message, expected) != NULL;
    if (!ok)
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "scenario %s: expected a failure naming %s, got %s", act->scenario, expected,
                    got ? got->message : "success");
    g_clear_error(&got);
    return ok;
}

static gboolean offer_fails(Act *act, RaRaiExpertInterface iface, const char *user,
                            const char *password, guint32 session, RaError code,
                            const char *expected, GError **error)
{
    GError *got = NULL;
    RaRaiOfferResult *r = offer(act, iface, user, password, session, &got);
    ra_rai_offer_result_free(r);
    return expect_failure(act, r != NULL, got, code, expected, error);
}

/* ---- scenarios built on the expert of `ratool offer` ---- */

static gboolean run_vista(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_VISTA};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s: a Windows Vista or later novice; the expert offers help to "
                "CONTOSO\\bob (session 2) through IRASrv",
                name);
    return act_end(&act, offer_ok(&act, RA_RAI_EXPERT_IRASRV, 2, 2, error), error);
}

static gboolean run_ipv6(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_VISTA, .ipv6 = TRUE};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s: the IRASrv offer over IPv6 (string bindings and listeners name "
                "the IPv6 address)",
                name);
    return act_end(&act, offer_ok(&act, RA_RAI_EXPERT_IRASRV, 1, 2, error), error);
}

static gboolean run_xp(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_XP};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s: a Windows XP novice; the expert enumerates the sessions through "
                "IPCHService, IPCHCollection and ISAFSession, then asks for "
                "CONTOSO\\alice's (session 1) with RemoteConnectionParms",
                name);
    return act_end(&act, offer_ok(&act, RA_RAI_EXPERT_IPCHSERVICE, 1, 1, error), error);
}

static gboolean run_fallback(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_XP};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s: a Windows XP novice has no RASrv; the expert tries IRASrv first "
                "and falls back to IPCHService, as Windows experts do",
                name);
    GError *local = NULL;
    RaRaiOfferResult *r = offer(&act, RA_RAI_EXPERT_AUTO, HELPER, run->password, 1, &local);
    gboolean ok = r != NULL && r->fallback_reason != NULL && r->version == 1;
    if (!ok)
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "scenario %s: expected a fallback to IPCHService, got %s", name,
                    local ? local->message : r ? r->interface : "nothing");
    g_clear_error(&local);
    ra_rai_offer_result_free(r);
    return act_end(&act, ok, error);
}

static gboolean run_large(CaptureRun *run, const char *name, GError **error)
{
    /* Hundreds of sessions: GetSessionInfo's answer spans several fragments (and each fragment
     * several TCP segments). Every 9th session is disconnected and every 13th idle (left out). */
    GString *ini = g_string_new(NULL);
    for (guint i = 1; i <= LARGE_COUNT; i++)
        g_string_append_printf(ini, "[session %u]\ndomain = CONTOSO\nuser = user%03u\nstate = %s\n",
                               i, i,
                               i % 9 == 0    ? "disconnected"
                               : i % 13 == 0 ? "idle"
                               : i % 2 == 0  ? "connected"
                                             : "active");
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_VISTA, .sessions = ini->str};
    gboolean begun = act_begin(run, &act, name, &ac, error);
    g_string_free(ini, TRUE);
    if (!begun)
        return FALSE;
    ra_rig_note(act.rig,
                "%s: a terminal server with %u sessions; GetSessionInfo's answer is fragmented",
                name, LARGE_COUNT);
    return act_end(&act, offer_ok(&act, RA_RAI_EXPERT_IRASRV, LARGE_SESSION, 2, error), error);
}

/* ---- errors ---- */

/* Calls opnum on a binding with a request that is only the ORPCTHIS; the fault status. */
static guint32 call_opnum(RaOrpcBinding *b, guint16 opnum, GError **error)
{
    RaNdrPush *push = ra_ndr_push_new();
    ra_dcom_push_orpcthis(push, RA_NDR_BOTH, ra_orpc_binding_orpcthis(b));
    GBytes *req = ra_ndr_push_finish(push, error);
    ra_ndr_push_free(push);
    if (req == NULL)
        return 0;
    GBytes *resp = ra_orpc_call(b, opnum, req, error);
    g_bytes_unref(req);
    if (resp != NULL) {
        g_bytes_unref(resp);
        return 0;
    }
    return ra_rpc_client_last_fault(b->client);
}

/* The expert calls an opnum its interface does not have, on IRASrv and on IPCHService. */
static gboolean unknown_opnums(Act *act, GError **error)
{
    RaDcomClientConfig dc = {0};
    ra_rig_dcom_config(act->rig, &dc);
    dc.auth = auth(act, HELPER, act->run->password);
    RaDcomClient *c = ra_dcom_client_new(&dc, error);
    if (c == NULL)
        return FALSE;
    ra_dcom_client_set_trace(c, ra_rig_trace, act->rig);
    struct {
        const RaUuid *clsid, *iid;
        guint16 opnum;
    } calls[] = {
        {&ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, RA_RAI_IRASrv_N_OPNUMS},
        {&ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService,
         RA_RAI_OPNUM_IPCHService_Opnum7NotUsedByProtocol},
    };
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < G_N_ELEMENTS(calls); i++) {
        RaOrpcBinding *b = NULL;
        ok = ra_dcom_client_create_instance(c, calls[i].clsid, calls[i].iid, RA_ACTPROP_ANY_SESSION,
                                            &b, NULL, error);
        if (!ok)
            break;
        GError *got = NULL;
        guint32 fault = call_opnum(b, calls[i].opnum, &got);
        if (fault != RA_NCA_OP_RNG_ERROR) {
            g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                        "scenario %s: opnum %u: expected nca_s_op_rng_error, got %s", act->scenario,
                        calls[i].opnum, got ? got->message : "an answer");
            ok = FALSE;
        }
        g_clear_error(&got);
        ra_dcom_client_release(c, b, NULL);
    }
    ra_dcom_client_free(c);
    return ok;
}

static gboolean run_errors(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_BOTH};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig, "%s 1/5: the expert types a wrong password", name);
    gboolean ok = offer_fails(&act, RA_RAI_EXPERT_AUTO, HELPER, WRONG_PASS, 1, RA_ERROR_FAULT,
                              "nca_s_fault_access_denied", error);
    if (ok) {
        ra_rig_pause(act.rig, PAUSE_ACT_MS);
        ra_rig_note(act.rig,
                    "%s 2/5: CONTOSO\\mallory is not in the Offer Remote Assistance "
                    "Helpers group",
                    name);
        ok = offer_fails(&act, RA_RAI_EXPERT_AUTO, NON_HELPER, run->password, 1, RA_ERROR_HRESULT,
                         "E_ACCESSDENIED", error);
    }
    if (ok) {
        ra_rig_pause(act.rig, PAUSE_ACT_MS);
        ra_rig_note(act.rig,
                    "%s 3/5: an offer to CONTOSO\\alice (session 1), then another while "
                    "the first is pending",
                    name);
        ok = offer_ok(&act, RA_RAI_EXPERT_IRASRV, 1, 2, error);
        ok = ok && offer_fails(&act, RA_RAI_EXPERT_IRASRV, HELPER, run->password, 1,
                               RA_ERROR_HRESULT, "ERROR_CANNOT_MAKE", error);
    }
    if (ok) {
        ra_rig_pause(act.rig, PAUSE_ACT_MS);
        ra_rig_note(act.rig,
                    "%s 4/5: opnums the interfaces do not have (IRASrv opnum %u, "
                    "IPCHService opnum 7, unused by the protocol)",
                    name, RA_RAI_IRASrv_N_OPNUMS);
        ok = unknown_opnums(&act, error);
    }
    if (!act_end(&act, ok, error))
        return FALSE;

    ActConfig ac2 = {.flavor = RA_RAI_FLAVOR_BOTH, .offers_disabled = TRUE, .second_novice = TRUE};
    if (!act_begin(run, &act, name, &ac2, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s 5/5: a second novice where policy disables offers; the expert tries "
                "IRASrv, then IPCHService",
                name);
    ok = offer_fails(&act, RA_RAI_EXPERT_IRASRV, HELPER, run->password, 1, RA_ERROR_HRESULT,
                     "ERROR_ACCESS_DISABLED_BY_POLICY", error);
    ok = ok && offer_fails(&act, RA_RAI_EXPERT_IPCHSERVICE, HELPER, run->password, 1,
                           RA_ERROR_HRESULT, "ERROR_ACCESS_DISABLED_BY_POLICY", error);
    return act_end(&act, ok, error);
}

/* ---- invoke: the same calls through IDispatch::GetIDsOfNames and Invoke (opnums 5 and 6 of
 * the dual interfaces), with the [in, out] arguments by reference, as an automation client
 * makes them ---- */

typedef struct {
    Act *act;
    RaDcomClient *client;
    RaArena *arena;
} Script;

static gboolean get_id(Script *s, RaOrpcBinding *b, const char *name, gint32 *id, GError **error)
{
    RaGetIDsOfNamesIn in = {0};
    in.orpcthis = *ra_orpc_binding_orpcthis(b);
    in.n_names = 1;
    gchar *names[1] = {ra_arena_strdup(s->arena, name)};
    in.names = names;
    in.lcid = 0x409;
    RaNdrPush *push = ra_ndr_push_new();
    ra_dispatch_push_getidsofnames_in(push, &in);
    GBytes *req = ra_ndr_push_finish(push, error);
    ra_ndr_push_free(push);
    if (req == NULL)
        return FALSE;
    GBytes *resp = ra_orpc_call(b, RA_OPNUM_GETIDSOFNAMES, req, error);
    g_bytes_unref(req);
    if (resp == NULL)
        return FALSE;
    RaNdrPull *pull = ra_ndr_pull_new_bytes(resp, s->arena);
    g_bytes_unref(resp);
    RaGetIDsOfNamesOut out = {0};
    out.n_ids = 1;
    ra_dispatch_pull_getidsofnames_out(pull, &out);
    gboolean ok = ra_ndr_pull_finish(pull, error);
    ra_ndr_pull_free(pull);
    if (ok && (out.result & 0x80000000u))
        return ra_orpc_check_hresult(out.result, name, error);
    if (ok)
        *id = out.ids[0];
    return ok;
}

/* IDispatch::Invoke; FALSE with *error for a failure HRESULT (or the exception's). */
static gboolean invoke(Script *s, RaOrpcBinding *b, gint32 dispid, guint32 flags, RaVariant *args,
                       guint n_args, guint32 *ref_idx, RaVariant *refs, guint n_refs,
                       RaInvokeOut *out, GError **error)
{
    RaInvokeIn in = {0};
    in.orpcthis = *ra_orpc_binding_orpcthis(b);
    in.dispid = dispid;
    in.flags = flags;
    in.params.n_args = n_args;
    in.params.args = args;
    in.n_var_ref = n_refs;
    in.var_ref_idx = ref_idx;
    in.var_ref = refs;
    RaNdrPush *push = ra_ndr_push_new();
    ra_dispatch_push_invoke_in(push, &in);
    GBytes *req = ra_ndr_push_finish(push, error);
    ra_ndr_push_free(push);
    if (req == NULL)
        return FALSE;
    GBytes *resp = ra_orpc_call(b, RA_OPNUM_INVOKE, req, error);
    g_bytes_unref(req);
    if (resp == NULL)
        return FALSE;
    RaNdrPull *pull = ra_ndr_pull_new_bytes(resp, s->arena);
    g_bytes_unref(resp);
    memset(out, 0, sizeof *out);
    out->n_var_ref = n_refs;
    ra_dispatch_pull_invoke_out(pull, out);
    gboolean ok = ra_ndr_pull_finish(pull, error);
    ra_ndr_pull_free(pull);
    if (!ok)
        return FALSE;
    if (out->hresult == RA_DISP_E_EXCEPTION)
        return ra_orpc_check_hresult(out->excep_info.scode, "Invoke (exception)", error);
    return ra_orpc_check_hresult(out->hresult, "Invoke", error);
}

static gboolean get_property(Script *s, RaOrpcBinding *b, gint32 dispid, RaVariant *index,
                             RaInvokeOut *out, GError **error)
{
    return invoke(s, b, dispid, RA_DISPATCH_PROPERTYGET, index, index ? 1 : 0, NULL, NULL, 0, out,
                  error);
}

/* IRASrv through IDispatch: GetIDsOfNames, then Invoke with [in, out] arguments by reference. */
static gboolean script_irasrv(Script *s, guint32 session, GError **error)
{
    RaOrpcBinding *disp = NULL, *in_session = NULL;
    gint32 id;
    RaInvokeOut out;
    if (!ra_dcom_client_create_instance(s->client, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                        RA_ACTPROP_ANY_SESSION, &disp, NULL, error) ||
        !get_id(s, disp, "GetSessionInfo", &id, error))
        return FALSE;
    /* GetSessionInfo([in, out] SAFEARRAY(BSTR) *UserNames, [in, out] INT *Count): rgvarg holds
     * the last parameter first; both go by reference (rgVarRef). */
    RaVariant args[2], refs[2];
    memset(args, 0, sizeof args);
    memset(refs, 0, sizeof refs);
    refs[0].vt = RA_VT_BYREF | RA_VT_INT;
    refs[1].vt = RA_VT_BYREF | RA_VT_ARRAY | RA_VT_BSTR;
    guint32 idx[2] = {0, 1};
    if (!invoke(s, disp, id, RA_DISPATCH_METHOD, args, 2, idx, refs, 2, &out, error))
        return FALSE;
    ra_dcom_client_release(s->client, disp, NULL);
    if (!ra_dcom_client_create_instance(s->client, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, session,
                                        &in_session, NULL, error) ||
        !get_id(s, in_session, "GetNoviceUserInfo", &id, error))
        return FALSE;
    RaVariant ref;
    memset(&ref, 0, sizeof ref);
    ref.vt = RA_VT_BYREF | RA_VT_BSTR;
    guint32 zero = 0;
    if (!invoke(s, in_session, id, RA_DISPATCH_METHOD, args, 1, &zero, &ref, 1, &out, error))
        return FALSE;
    if (out.n_var_ref != 1 || out.var_ref[0].v.bstr == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "GetNoviceUserInfo gave no string");
        return FALSE;
    }
    ra_dcom_client_release(s->client, in_session, NULL);
    return TRUE;
}

/* The object in a VT_DISPATCH result, as its dual MS-RAI interface iid: the OBJREF may carry
 * IDispatch (then RemQueryInterface) or iid itself. */
static RaOrpcBinding *as_dual(Script *s, const RaInvokeOut *out, const RaUuid *iid, GError **error)
{
    if (out->result.vt != RA_VT_DISPATCH || out->result.v.iface == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "expected an object, got VARIANT type %u",
                    out->result.vt);
        return NULL;
    }
    RaOrpcBinding *b = NULL, *dual = NULL;
    if (!ra_dcom_client_unmarshal(s->client, out->result.v.iface, NULL, &b, error))
        return NULL;
    if (ra_uuid_equal(&b->iid, iid))
        return b;
    if (!ra_dcom_client_query_interface(s->client, b, iid, &dual, NULL, error))
        return NULL;
    ra_dcom_client_release(s->client, b, NULL);
    return dual;
}

/* IPCHService through IDispatch: the collection's Count and Item, each session's properties, then
 * RemoteConnectionParms with its four arguments. */
static gboolean script_ipchservice(Script *s, guint32 session, GError **error)
{
    RaOrpcBinding *svc = NULL;
    RaInvokeOut out;
    if (!ra_dcom_client_create_instance(s->client, &ra_rai_clsid_PCHService,
                                        &ra_rai_iid_IPCHService, RA_ACTPROP_ANY_SESSION, &svc, NULL,
                                        error) ||
        !get_property(s, svc, RA_RAI_DISPID_IPCHService_RemoteUserSessionInfo, NULL, &out, error))
        return FALSE;
    RaOrpcBinding *col = as_dual(s, &out, &ra_rai_iid_IPCHCollection, error);
    if (col == NULL ||
        !get_property(s, col, RA_RAI_DISPID_IPCHCollection_get_Count, NULL, &out, error))
        return FALSE;
    gint32 count = out.result.v.i4;
    gchar *user = NULL, *domain = NULL;
    for (gint32 i = 1; i <= count; i++) {
        RaVariant index;
        memset(&index, 0, sizeof index);
        index.vt = RA_VT_I4;
        index.v.i4 = i;
        if (!get_property(s, col, RA_DISPID_VALUE, &index, &out, error))
            return FALSE;
        RaOrpcBinding *saf = as_dual(s, &out, &ra_rai_iid_ISAFSession, error);
        if (saf == NULL ||
            !get_property(s, saf, RA_RAI_DISPID_ISAFSession_get_SessionID, NULL, &out, error))
            return FALSE;
        gboolean chosen = (guint32)out.result.v.i4 == session;
        static const gint32 props[] = {RA_RAI_DISPID_ISAFSession_get_SessionState,
                                       RA_RAI_DISPID_ISAFSession_get_DomainName,
                                       RA_RAI_DISPID_ISAFSession_get_UserName};
        for (guint p = 0; p < G_N_ELEMENTS(props); p++) {
            if (!get_property(s, saf, props[p], NULL, &out, error))
                return FALSE;
            if (chosen && p == 1)
                domain = ra_arena_strdup(s->arena, out.result.v.bstr);
            if (chosen && p == 2)
                user = ra_arena_strdup(s->arena, out.result.v.bstr);
        }
        ra_dcom_client_release(s->client, saf, NULL);
    }
    ra_dcom_client_release(s->client, col, NULL);
    if (user == NULL || domain == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "no session %u in the collection", session);
        return FALSE;
    }
    /* RemoteConnectionParms(bstrUserName, bstrDomainName, lSessionID, bstrUserHelpBlob):
     * rgvarg in reverse order; the connection string is the [retval]. */
    gchar *blob = ra_blob_build_help(DOMAIN, HELPER);
    RaVariant args[4];
    memset(args, 0, sizeof args);
    args[0].vt = RA_VT_BSTR;
    args[0].v.bstr = ra_arena_strdup(s->arena, blob);
    args[1].vt = RA_VT_I4;
    args[1].v.i4 = (gint32)session;
    args[2].vt = RA_VT_BSTR;
    args[2].v.bstr = domain;
    args[3].vt = RA_VT_BSTR;
    args[3].v.bstr = user;
    g_free(blob);
    if (!invoke(s, svc, RA_RAI_DISPID_IPCHService_RemoteConnectionParms, RA_DISPATCH_METHOD, args,
                4, NULL, NULL, 0, &out, error))
        return FALSE;
    ra_dcom_client_release(s->client, svc, NULL);
    return TRUE;
}

static gboolean run_invoke(CaptureRun *run, const char *name, GError **error)
{
    Act act;
    ActConfig ac = {.flavor = RA_RAI_FLAVOR_BOTH};
    if (!act_begin(run, &act, name, &ac, error))
        return FALSE;
    ra_rig_note(act.rig,
                "%s: a script drives RASrv through IDispatch (GetIDsOfNames, Invoke) "
                "and offers help to CONTOSO\\bob (session 2)",
                name);
    RaDcomClientConfig dc = {0};
    ra_rig_dcom_config(act.rig, &dc);
    dc.auth = auth(&act, HELPER, run->password);
    Script s = {&act, NULL, ra_arena_new()};
    s.client = ra_dcom_client_new(&dc, error);
    gboolean ok = s.client != NULL;
    if (ok) {
        ra_dcom_client_set_trace(s.client, ra_rig_trace, act.rig);
        ok = script_irasrv(&s, 2, error);
        if (ok) {
            ra_rig_note(act.rig,
                        "%s: the same script reads PCHService's sessions through "
                        "IDispatch and asks for CONTOSO\\alice's (session 1)",
                        name);
            ok = script_ipchservice(&s, 1, error);
        }
        ra_dcom_client_free(s.client);
    }
    ra_arena_free(s.arena);
    if (!ok)
        g_prefix_error(error, "scenario %s: ", name);
    return act_end(&act, ok, error);
}

static const CaptureScenario scenarios[] = {
    {"vista-offer", "IRASrv: sessions, activation in the chosen session, Connection String 2",
     run_vista},
    {"xp-offer",
     "IPCHService: the IPCHCollection of ISAFSession objects, RemoteConnectionParms, Connection "
     "String 1",
     run_xp},
    {"fallback", "no RASrv on an XP novice: the expert falls back from IRASrv to IPCHService",
     run_fallback},
    {"invoke", "the same calls through IDispatch::GetIDsOfNames and Invoke", run_invoke},
    {"errors",
     "wrong password, not a helper, an offer pending, unknown opnums, offers disabled by policy",
     run_errors},
    {"large", "400 sessions: GetSessionInfo answered in several fragments", run_large},
    {"ipv6-offer", "the IRASrv offer over IPv6", run_ipv6},
};

const CaptureScenario *capture_scenarios(guint *n)
{
    *n = G_N_ELEMENTS(scenarios);
    return scenarios;
}

const CaptureScenario *capture_scenario_find(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(scenarios); i++) {
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    }
    return NULL;
}
