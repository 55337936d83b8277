/*
 * The MS-RAI expert (see ra/rai-client.h).
 */
#include "ra/rai-client.h"
#include "ra/actprop.h"
#include "rai-ndr.h"
#include "ra/connstr.h"

#include <string.h>

gboolean ra_rai_expert_interface_parse(const char *text, RaRaiExpertInterface *out)
{
    if (g_ascii_strcasecmp(text, "auto") == 0)
        *out = RA_RAI_EXPERT_AUTO;
    else if (g_ascii_strcasecmp(text, "irasrv") == 0)
        *out = RA_RAI_EXPERT_IRASRV;
    else if (g_ascii_strcasecmp(text, "ipchservice") == 0)
        *out = RA_RAI_EXPERT_IPCHSERVICE;
    else
        return FALSE;
    return TRUE;
}

void ra_rai_expert_session_free(gpointer session)
{
    RaRaiExpertSession *s = session;
    g_free(s->domain);
    g_free(s->user);
    g_free(s);
}

gboolean ra_rai_expert_session_usable(const RaRaiExpertSession *s)
{
    return s->domain && *s->domain && s->user && *s->user;
}

void ra_rai_expert_add_session_entries(GPtrArray *sessions, const RaBstrArray *names)
{
    for (guint i = 0; names && i < names->count; i++) {
        const char *entry = names->items[i];
        gchar *domain, *user;
        guint32 id;
        if (entry == NULL || !ra_session_entry_parse(entry, &domain, &user, &id))
            continue;
        RaRaiExpertSession *s = g_new0(RaRaiExpertSession, 1);
        s->id = id;
        s->domain = domain;
        s->user = user;
        s->state = -1;
        g_ptr_array_add(sessions, s);
    }
}

/* ISAFSession's DomainName (user FALSE) or UserName: a copy, "" for a NULL BSTR; NULL on error. */
static gchar *get_bstr(RaOrpcBinding *saf, gboolean user, RaArena *arena, GError **error)
{
    if (!user) {
        RaRai_ISAFSession_get_DomainName_in in = {0};
        RaRai_ISAFSession_get_DomainName_out out = {0};
        if (!ra_rai_call_ISAFSession_get_DomainName(saf, &in, &out, arena, error))
            return NULL;
        return g_strdup(out.pVal ? out.pVal : "");
    }
    RaRai_ISAFSession_get_UserName_in in = {0};
    RaRai_ISAFSession_get_UserName_out out = {0};
    if (!ra_rai_call_ISAFSession_get_UserName(saf, &in, &out, arena, error))
        return NULL;
    return g_strdup(out.pVal ? out.pVal : "");
}

gboolean ra_rai_expert_read_session(RaDcomClient *c, const RaInterfacePointer *item,
                                    RaRaiExpertSession *s, RaArena *arena, GError **error)
{
    /* A VT_DISPATCH carries the object's IDispatch (or its ISAFSession): ask for ISAFSession. */
    RaOrpcBinding *disp = NULL, *saf = NULL;
    if (!ra_dcom_client_unmarshal(c, item, NULL, &disp, error))
        return FALSE;
    if (ra_uuid_equal(&disp->iid, &ra_rai_iid_ISAFSession)) {
        saf = disp;
    } else if (!ra_dcom_client_query_interface(c, disp, &ra_rai_iid_ISAFSession, &saf, NULL,
                                               error)) {
        return FALSE;
    }
    RaRai_ISAFSession_get_SessionID_in idin = {0};
    RaRai_ISAFSession_get_SessionID_out idout = {0};
    RaRai_ISAFSession_get_SessionState_in stin = {0};
    RaRai_ISAFSession_get_SessionState_out stout = {0};
    if (!ra_rai_call_ISAFSession_get_SessionID(saf, &idin, &idout, arena, error) ||
        !ra_rai_call_ISAFSession_get_SessionState(saf, &stin, &stout, arena, error))
        return FALSE;
    s->id = idout.pVal;
    s->state = (gint)stout.pVal;
    s->domain = get_bstr(saf, FALSE, arena, error);
    if (s->domain == NULL)
        return FALSE;
    s->user = get_bstr(saf, TRUE, arena, error);
    if (s->user == NULL)
        return FALSE;
    ra_dcom_client_release(c, saf, NULL);
    if (saf != disp)
        ra_dcom_client_release(c, disp, NULL);
    return TRUE;
}

void ra_rai_offer_result_free(RaRaiOfferResult *r)
{
    if (r == NULL)
        return;
    g_free(r->fallback_reason);
    if (r->sessions)
        g_ptr_array_unref(r->sessions);
    g_free(r->connection_string);
    g_free(r->exporter.binding);
    g_free(r);
}

static void note(const RaRaiExpertConfig *config, const char *format, ...) G_GNUC_PRINTF(2, 3);

static void note(const RaRaiExpertConfig *config, const char *format, ...)
{
    if (config->note == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    config->note(msg, config->user_data);
    g_free(msg);
}

/* The session to offer help in: the one asked for, the only usable (or only active) one, or the
 * user's choice. */
static RaRaiExpertSession *choose_session(const RaRaiExpertConfig *config, GPtrArray *all,
                                          GError **error)
{
    GPtrArray *ok = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++) {
        RaRaiExpertSession *s = g_ptr_array_index(all, i);
        /* [MS-RAI] 3.2.4 step 5: sessions with no DomainName or UserName MUST be ignored. */
        if (ra_rai_expert_session_usable(s))
            g_ptr_array_add(ok, s);
    }
    RaRaiExpertSession *pick = NULL;
    if (config->has_session) {
        for (guint i = 0; i < ok->len && pick == NULL; i++) {
            RaRaiExpertSession *s = g_ptr_array_index(ok, i);
            if (s->id == config->session_id)
                pick = s;
        }
        if (pick == NULL)
            g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                        "the novice has no session %u with a user (%u usable session(s))",
                        config->session_id, ok->len);
    } else if (ok->len == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                    "the novice reports no session with a user to help");
    } else if (ok->len == 1) {
        pick = g_ptr_array_index(ok, 0);
    } else {
        /* Several: the only Active one when the states are known, else ask. */
        RaRaiExpertSession *active = NULL;
        guint n_active = 0;
        for (guint i = 0; i < ok->len; i++) {
            RaRaiExpertSession *s = g_ptr_array_index(ok, i);
            if (s->state == 0) {
                active = s;
                n_active++;
            }
        }
        if (n_active == 1) {
            pick = active;
        } else if (config->choose != NULL) {
            gint i = config->choose(ok, config->user_data, error);
            if (i >= 0 && (guint)i < ok->len)
                pick = g_ptr_array_index(ok, (guint)i);
            else if (error && *error == NULL)
                g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "no session chosen");
        } else {
            GString *list = g_string_new(NULL);
            for (guint i = 0; i < ok->len; i++) {
                RaRaiExpertSession *s = g_ptr_array_index(ok, i);
                g_string_append_printf(list, "%s%u (%s\\%s)", i ? ", " : "", s->id, s->domain,
                                       s->user);
            }
            g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                        "the novice has %u sessions: %s; choose one with --session", ok->len,
                        list->str);
            g_string_free(list, TRUE);
        }
    }
    g_ptr_array_unref(ok);
    return pick;
}

/* Does an IRASrv failure mean "this novice has no IRASrv" (then IPCHService is worth a try)? */
static gboolean no_irasrv(const GError *error, guint32 hresult, RaDcomClient *c, RaOrpcBinding *b)
{
    if (g_error_matches(error, RA_ERROR, RA_ERROR_HRESULT))
        return hresult == RA_REGDB_E_CLASSNOTREG || hresult == RA_E_NOINTERFACE ||
               hresult == RA_CO_E_CLASSSTRING;
    if (g_error_matches(error, RA_ERROR, RA_ERROR_FAULT) && b != NULL && b->client != NULL) {
        guint32 fault = ra_rpc_client_last_fault(b->client);
        return fault == RA_NCA_OP_RNG_ERROR || fault == RA_NCA_UNK_IF;
    }
    /* A bind the server refuses: the interface is not served. */
    return g_error_matches(error, RA_ERROR, RA_ERROR_PROTOCOL);
}

/* Traces of successive clients numbered on: a fallback opens new connections. */
typedef struct {
    const RaRaiExpertConfig *config;
    guint base;
} TraceBase;

static void trace_pdu(guint connection, gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    const TraceBase *t = data;
    t->config->trace(t->base + connection, sent, pdu, len, t->config->trace_data);
}

static RaDcomClient *connect_client(const RaRaiExpertConfig *config, RaRaiOfferResult *r,
                                    TraceBase *trace, GError **error)
{
    trace->config = config;
    trace->base = r->connections;
    /* The activation connection exists before the tracer is attached, but has sent nothing. */
    RaDcomClient *c = ra_dcom_client_new(&config->dcom, error);
    if (c && config->trace)
        ra_dcom_client_set_trace(c, trace_pdu, trace);
    return c;
}

/* Frees the client (releasing what it still holds) after counting its connections. */
static void free_client(RaDcomClient *c, RaRaiOfferResult *r)
{
    r->connections += ra_dcom_client_n_connections(c);
    ra_dcom_client_free(c);
}

static void copy_exporter(RaRaiOfferResult *r, RaDcomClient *c)
{
    g_free(r->exporter.binding);
    r->exporter = *ra_dcom_client_exporter(c);
    r->exporter.binding = g_strdup(r->exporter.binding);
}

/* ---- IRASrv ---- */

/* Returns FALSE with *error; *fallback says whether IPCHService is worth trying. */
static gboolean via_irasrv(const RaRaiExpertConfig *config, RaRaiOfferResult *r, gboolean *fallback,
                           GError **error)
{
    *fallback = FALSE;
    TraceBase trace;
    RaDcomClient *c = connect_client(config, r, &trace, error);
    if (c == NULL)
        return FALSE;
    gboolean ok = FALSE;
    RaOrpcBinding *b = NULL;
    guint32 hr = 0;
    g_autoptr(RaArena) arena = ra_arena_new();
    if (!ra_dcom_client_create_instance(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                        RA_ACTPROP_ANY_SESSION, &b, &hr, error)) {
        *fallback = no_irasrv(*error, hr, c, NULL);
        goto out;
    }
    copy_exporter(r, c);
    r->interface = "IRASrv";
    RaRai_IRASrv_GetSessionInfo_in gin = {0};
    RaRai_IRASrv_GetSessionInfo_out gout = {0};
    if (!ra_rai_call_IRASrv_GetSessionInfo(b, &gin, &gout, arena, error)) {
        *fallback = no_irasrv(*error, gout.result, c, b);
        goto out;
    }
    ra_rai_expert_add_session_entries(r->sessions, gout.UserNames);
    ra_dcom_client_release(c, b, NULL);
    r->chosen = choose_session(config, r->sessions, error);
    if (r->chosen == NULL)
        goto out;
    /* [MS-RAI] 3.4.4 step 4: the call runs in the session chosen at activation. */
    RaOrpcBinding *in_session = NULL;
    if (!ra_dcom_client_create_instance(c, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv, r->chosen->id,
                                        &in_session, &hr, error))
        goto out;
    RaRai_IRASrv_GetNoviceUserInfo_in nin = {0};
    RaRai_IRASrv_GetNoviceUserInfo_out nout = {0};
    if (!ra_rai_call_IRASrv_GetNoviceUserInfo(in_session, &nin, &nout, arena, error))
        goto out;
    if (nout.szName == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "GetNoviceUserInfo succeeded without a connection string");
        goto out;
    }
    r->version = 2;
    r->connection_string = g_strdup(nout.szName);
    ok = TRUE;
out:
    free_client(c, r);
    return ok;
}

/* ---- IPCHService ---- */

static gboolean read_session(RaDcomClient *c, RaOrpcBinding *col, gint32 index,
                             RaRaiExpertSession *s, RaArena *arena, GError **error)
{
    RaRai_IPCHCollection_get_Item_in iin = {0};
    RaRai_IPCHCollection_get_Item_out iout = {0};
    iin.vIndex = index;
    if (!ra_rai_call_IPCHCollection_get_Item(col, &iin, &iout, arena, error))
        return FALSE;
    if (iout.ppEntry.vt != RA_VT_DISPATCH && iout.ppEntry.vt != RA_VT_UNKNOWN) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "IPCHCollection::Item(%d) is a VARIANT of type 0x%04x, not an object", index,
                    iout.ppEntry.vt);
        return FALSE;
    }
    if (iout.ppEntry.v.iface == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "IPCHCollection::Item(%d) is NULL", index);
        return FALSE;
    }
    return ra_rai_expert_read_session(c, iout.ppEntry.v.iface, s, arena, error);
}

static gboolean via_ipchservice(const RaRaiExpertConfig *config, RaRaiOfferResult *r,
                                GError **error)
{
    TraceBase trace;
    RaDcomClient *c = connect_client(config, r, &trace, error);
    if (c == NULL)
        return FALSE;
    gboolean ok = FALSE;
    g_autoptr(RaArena) arena = ra_arena_new();
    RaOrpcBinding *svc = NULL, *col = NULL;
    if (!ra_dcom_client_create_instance(c, &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService,
                                        RA_ACTPROP_ANY_SESSION, &svc, NULL, error))
        goto out;
    copy_exporter(r, c);
    r->interface = "IPCHService";
    RaRai_IPCHService_RemoteUserSessionInfo_in uin = {0};
    RaRai_IPCHService_RemoteUserSessionInfo_out uout = {0};
    if (!ra_rai_call_IPCHService_RemoteUserSessionInfo(svc, &uin, &uout, arena, error))
        goto out;
    if (uout.pVal == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "RemoteUserSessionInfo returned NULL");
        goto out;
    }
    if (!ra_dcom_client_unmarshal(c, uout.pVal, &ra_rai_iid_IPCHCollection, &col, error))
        goto out;
    RaRai_IPCHCollection_get_Count_in cin = {0};
    RaRai_IPCHCollection_get_Count_out cout = {0};
    if (!ra_rai_call_IPCHCollection_get_Count(col, &cin, &cout, arena, error))
        goto out;
    if (cout.pVal < 0 || cout.pVal > 65536) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "IPCHCollection::Count is %d", cout.pVal);
        goto out;
    }
    /* [MS-RAI] 3.2.4 step 4: Item is one-based. */
    for (gint32 i = 1; i <= cout.pVal; i++) {
        RaRaiExpertSession *s = g_new0(RaRaiExpertSession, 1);
        g_ptr_array_add(r->sessions, s);
        if (!read_session(c, col, i, s, arena, error))
            goto out;
    }
    ra_dcom_client_release(c, col, NULL);
    r->chosen = choose_session(config, r->sessions, error);
    if (r->chosen == NULL)
        goto out;
    /* [MS-RAI] 3.1.4.1.1: the help blob names the expert. */
    gchar *blob = ra_blob_build_help(config->dcom.auth.domain ? config->dcom.auth.domain : "",
                                     config->dcom.auth.user);
    RaRai_IPCHService_RemoteConnectionParms_in pin = {0};
    RaRai_IPCHService_RemoteConnectionParms_out pout = {0};
    pin.bstrUserName = ra_arena_strdup(arena, r->chosen->user);
    pin.bstrDomainName = ra_arena_strdup(arena, r->chosen->domain);
    pin.lSessionID = (gint32)r->chosen->id;
    pin.bstrUserHelpBlob = ra_arena_strdup(arena, blob);
    g_free(blob);
    if (!ra_rai_call_IPCHService_RemoteConnectionParms(svc, &pin, &pout, arena, error))
        goto out;
    if (pout.pbstrConnectionString == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "RemoteConnectionParms succeeded without a connection string");
        goto out;
    }
    r->version = 1;
    r->connection_string = g_strdup(pout.pbstrConnectionString);
    ok = TRUE;
out:
    free_client(c, r);
    return ok;
}

RaRaiOfferResult *ra_rai_expert_offer(const RaRaiExpertConfig *config, GError **error)
{
    RaRaiOfferResult *r = g_new0(RaRaiOfferResult, 1);
    r->sessions = g_ptr_array_new_with_free_func(ra_rai_expert_session_free);
    gboolean ok = FALSE;
    if (config->iface != RA_RAI_EXPERT_IPCHSERVICE) {
        gboolean fallback;
        GError *local = NULL;
        ok = via_irasrv(config, r, &fallback, &local);
        if (!ok && fallback && config->iface == RA_RAI_EXPERT_AUTO) {
            /* [MS-RAI] Appendix C <2>: a Vista+ expert tries IRASrv, then IPCHService. */
            r->fallback_reason = g_strdup(local->message);
            note(config, "IRASrv: %s; falling back to IPCHService (a Windows XP novice)",
                 local->message);
            g_error_free(local);
            g_ptr_array_set_size(r->sessions, 0);
            r->chosen = NULL;
        } else if (!ok) {
            g_propagate_error(error, local);
            ra_rai_offer_result_free(r);
            return NULL;
        } else {
            return r;
        }
    }
    ok = via_ipchservice(config, r, error);
    if (!ok) {
        ra_rai_offer_result_free(r);
        return NULL;
    }
    return r;
}
