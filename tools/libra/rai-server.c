/*
 * The MS-RAI novice: RASrv, PCHService, IPCHCollection, ISAFSession (see ra/rai-server.h).
 */
#include "ra/rai-server.h"
#include "ra/offerstr.h"
#include "ra/crypto.h"

#include <string.h>

struct RaRaiServer {
    RaRaiServerConfig config;
    gchar **addresses;
    RaDcomServer *dcom;
    guint8 key[32];
    gchar *kh;
    guint16 port;
    GPtrArray *offers; /* RaRaiOffer* */
    guint64 next_offer;
};

/* An ISAFSession: a copy of one session that the expert may change. */
typedef struct {
    RaRaiServer *server;
    guint32 id;
    guint32 state;
    gchar *domain;
    gchar *user;
} SafSession;

/* An IPCHCollection: a snapshot of the session table. */
typedef struct {
    RaRaiServer *server;
    GPtrArray *sessions; /* RaSession* copies */
} Collection;

/* A RASrv or PCHService instance. */
typedef struct {
    RaRaiServer *server;
    guint32 session_id; /* chosen at activation (RASrv) */
} Service;

gboolean ra_rai_flavor_parse(const char *text, RaRaiFlavor *flavor)
{
    if (g_ascii_strcasecmp(text, "vista") == 0)
        *flavor = RA_RAI_FLAVOR_VISTA;
    else if (g_ascii_strcasecmp(text, "xp") == 0)
        *flavor = RA_RAI_FLAVOR_XP;
    else if (g_ascii_strcasecmp(text, "both") == 0)
        *flavor = RA_RAI_FLAVOR_BOTH;
    else
        return FALSE;
    return TRUE;
}

void ra_rai_server_config_init(RaRaiServerConfig *config)
{
    memset(config, 0, sizeof *config);
    config->flavor = RA_RAI_FLAVOR_BOTH;
    config->offer_lifetime_s = 600;
}

/* ---- offers ---- */

static void offer_free(gpointer p)
{
    RaRaiOffer *o = p;
    g_free(o->session_user);
    g_free(o->expert);
    g_free(o->peer);
    g_free(o->connection_string);
    g_free(o);
}

static void drop_expired(RaRaiServer *s)
{
    gint64 now = g_get_real_time();
    for (guint i = s->offers->len; i-- > 0;) {
        const RaRaiOffer *o = g_ptr_array_index(s->offers, i);
        if (o->expires <= now)
            g_ptr_array_remove_index(s->offers, i);
    }
}

GPtrArray *ra_rai_server_offers(RaRaiServer *s)
{
    drop_expired(s);
    return s->offers;
}

void ra_rai_server_withdraw(RaRaiServer *s, guint32 session_id)
{
    for (guint i = s->offers->len; i-- > 0;) {
        const RaRaiOffer *o = g_ptr_array_index(s->offers, i);
        if (o->session_id == session_id)
            g_ptr_array_remove_index(s->offers, i);
    }
}

static const RaRaiOffer *pending_offer(RaRaiServer *s, guint32 session_id)
{
    drop_expired(s);
    for (guint i = 0; i < s->offers->len; i++) {
        const RaRaiOffer *o = g_ptr_array_index(s->offers, i);
        if (o->session_id == session_id)
            return o;
    }
    return NULL;
}

static void refuse(RaRaiServer *s, RaDcomCall *call, guint32 hr, const char *what)
{
    if (s->config.on_offer)
        s->config.on_offer(NULL, hr, what, call, s->config.user_data);
}

/* The addresses the expert is told to connect to. */
static GPtrArray *listener_addresses(RaRaiServer *s, RaDcomCall *call)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; s->addresses && s->addresses[i]; i++)
        g_ptr_array_add(a, g_strdup(s->addresses[i]));
    if (a->len == 0)
        g_ptr_array_add(a, g_strdup(ra_dcom_call_rpc(call)->local_address));
    return a;
}

static gchar *build_cs(RaRaiServer *s, RaDcomCall *call, int version)
{
    GPtrArray *addrs = listener_addresses(s, call);
    gchar *text =
        version == 2 ? ra_offer_cs2(s->kh, addrs, s->port) : ra_offer_cs1(s->kh, addrs, s->port);
    g_ptr_array_unref(addrs);
    return text;
}

static const RaRaiOffer *record_offer(RaRaiServer *s, RaDcomCall *call, const RaSession *session,
                                      const char *method, int version, gchar *text)
{
    RaRaiOffer *o = g_new0(RaRaiOffer, 1);
    const RaRpcCall *rpc = ra_dcom_call_rpc(call);
    o->id = ++s->next_offer;
    o->created = g_get_real_time();
    o->expires = o->created + (gint64)s->config.offer_lifetime_s * G_USEC_PER_SEC;
    o->session_id = session->id;
    o->session_user = g_strdup_printf("%s\\%s", session->domain, session->user);
    o->expert = g_strdup(ra_dcom_call_who(call));
    o->peer = g_strdup_printf("%s:%u", rpc->peer_address ? rpc->peer_address : "?", rpc->peer_port);
    o->method = method;
    o->version = version;
    o->connection_string = text;
    g_ptr_array_add(s->offers, o);
    if (s->config.on_offer)
        s->config.on_offer(o, 0, NULL, call, s->config.user_data);
    return o;
}

/* ---- IRASrv ([MS-RAI] 3.3.4.1) ---- */

/* Sessions a novice can be helped in: someone is logged on and it is on a console or a client. */
static gboolean helpable(const RaSession *session)
{
    if (*session->user == '\0')
        return FALSE;
    switch (session->state) {
    case RA_SESSION_ACTIVE:
    case RA_SESSION_CONNECTED:
    case RA_SESSION_SHADOW:
        return TRUE;
    default:
        return FALSE;
    }
}

static const RaSession *activation_session(RaRaiServer *s, guint32 id)
{
    if (id != RA_ACTPROP_ANY_SESSION)
        return ra_sessions_find(s->config.sessions, id);
    for (guint i = 0; i < s->config.sessions->sessions->len; i++) {
        const RaSession *x = g_ptr_array_index(s->config.sessions->sessions, i);
        if (x->state == RA_SESSION_ACTIVE && *x->user)
            return x;
    }
    return NULL;
}

static guint32 rasrv_get_novice_user_info(gpointer object, RaDcomCall *call,
                                          const RaRai_IRASrv_GetNoviceUserInfo_in *in,
                                          RaRai_IRASrv_GetNoviceUserInfo_out *out)
{
    Service *svc = object;
    RaRaiServer *s = svc->server;
    const RaSession *session = activation_session(s, svc->session_id);
    out->szName = NULL;
    if (s->config.offers_disabled) {
        out->result = RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY;
        refuse(s, call, out->result, "offers are disabled by policy");
    } else if (session == NULL) {
        out->result = RA_HRESULT_ERROR_NO_SUCH_LOGON_SESSION;
        refuse(s, call, out->result, "no such session");
    } else if (!helpable(session)) {
        out->result = RA_HRESULT_ERROR_NONE_MAPPED;
        refuse(s, call, out->result, "nobody to help in that session");
    } else if (pending_offer(s, session->id)) {
        /* [MS-RAI] 3.3.4.1.1: an instance of Remote Assistance is already running. */
        out->result = RA_HRESULT_ERROR_CANNOT_MAKE;
        refuse(s, call, out->result, "an offer for that session is pending");
    } else {
        const RaRaiOffer *o =
            record_offer(s, call, session, "IRASrv::GetNoviceUserInfo", 2, build_cs(s, call, 2));
        out->szName = ra_arena_strdup(ra_dcom_call_arena(call), o->connection_string);
        out->result = RA_S_OK;
    }
    return 0;
}

static guint32 rasrv_get_session_info(gpointer object, RaDcomCall *call,
                                      const RaRai_IRASrv_GetSessionInfo_in *in,
                                      RaRai_IRASrv_GetSessionInfo_out *out)
{
    Service *svc = object;
    RaArena *arena = ra_dcom_call_arena(call);
    GPtrArray *rep = ra_sessions_reportable(svc->server->config.sessions);
    RaBstrArray *a = ra_arena_new0(arena, RaBstrArray);
    a->count = rep->len;
    a->items = ra_arena_alloc_n(arena, rep->len ? rep->len : 1, sizeof(gchar *));
    for (guint i = 0; i < rep->len; i++) {
        gchar *e = ra_session_entry(g_ptr_array_index(rep, i));
        a->items[i] = ra_arena_strdup(arena, e);
        g_free(e);
    }
    out->UserNames = a;
    out->Count = (gint32)rep->len;
    out->result = RA_S_OK;
    g_ptr_array_unref(rep);
    return 0;
}

static const RaRai_IRASrv_Handlers rasrv_handlers = {
    .GetNoviceUserInfo = rasrv_get_novice_user_info,
    .GetSessionInfo = rasrv_get_session_info,
};

/* ---- ISAFSession ([MS-RAI] 3.1.4.1.2.2) ---- */

static guint32 saf_get_id(gpointer object, RaDcomCall *call,
                          const RaRai_ISAFSession_get_SessionID_in *in,
                          RaRai_ISAFSession_get_SessionID_out *out)
{
    out->pVal = ((SafSession *)object)->id;
    return 0;
}

static guint32 saf_put_id(gpointer object, RaDcomCall *call,
                          const RaRai_ISAFSession_put_SessionID_in *in,
                          RaRai_ISAFSession_put_SessionID_out *out)
{
    ((SafSession *)object)->id = in->pVal;
    return 0;
}

static guint32 saf_get_state(gpointer object, RaDcomCall *call,
                             const RaRai_ISAFSession_get_SessionState_in *in,
                             RaRai_ISAFSession_get_SessionState_out *out)
{
    out->pVal = ((SafSession *)object)->state;
    return 0;
}

static guint32 saf_put_state(gpointer object, RaDcomCall *call,
                             const RaRai_ISAFSession_put_SessionState_in *in,
                             RaRai_ISAFSession_put_SessionState_out *out)
{
    /* [MS-RAI] 3.1.4.1.2.2.6: the value MUST be a SessionStateEnum. */
    if (in->pVal > RA_RAI_SessionStateEnum_MAX) {
        out->result = RA_E_INVALIDARG;
        return 0;
    }
    ((SafSession *)object)->state = in->pVal;
    return 0;
}

static guint32 saf_get_domain(gpointer object, RaDcomCall *call,
                              const RaRai_ISAFSession_get_DomainName_in *in,
                              RaRai_ISAFSession_get_DomainName_out *out)
{
    out->pVal = ra_arena_strdup(ra_dcom_call_arena(call), ((SafSession *)object)->domain);
    return 0;
}

static guint32 saf_put_domain(gpointer object, RaDcomCall *call,
                              const RaRai_ISAFSession_put_DomainName_in *in,
                              RaRai_ISAFSession_put_DomainName_out *out)
{
    SafSession *x = object;
    g_free(x->domain);
    x->domain = g_strdup(in->pVal ? in->pVal : "");
    return 0;
}

static guint32 saf_get_user(gpointer object, RaDcomCall *call,
                            const RaRai_ISAFSession_get_UserName_in *in,
                            RaRai_ISAFSession_get_UserName_out *out)
{
    out->pVal = ra_arena_strdup(ra_dcom_call_arena(call), ((SafSession *)object)->user);
    return 0;
}

static guint32 saf_put_user(gpointer object, RaDcomCall *call,
                            const RaRai_ISAFSession_put_UserName_in *in,
                            RaRai_ISAFSession_put_UserName_out *out)
{
    SafSession *x = object;
    g_free(x->user);
    x->user = g_strdup(in->pVal ? in->pVal : "");
    return 0;
}

static const RaRai_ISAFSession_Handlers saf_handlers = {
    .get_SessionID = saf_get_id,
    .put_SessionID = saf_put_id,
    .get_SessionState = saf_get_state,
    .put_SessionState = saf_put_state,
    .get_DomainName = saf_get_domain,
    .put_DomainName = saf_put_domain,
    .get_UserName = saf_get_user,
    .put_UserName = saf_put_user,
};

static const RaDcomInterfaceImpl saf_ifaces[] = {{&ra_rai_iface_ISAFSession, &saf_handlers}};

static void saf_free(gpointer p)
{
    SafSession *x = p;
    g_free(x->domain);
    g_free(x->user);
    g_free(x);
}

/* ---- IPCHCollection ([MS-RAI] 3.1.4.1.2.1) ---- */

static void session_copy_free(gpointer p)
{
    RaSession *x = p;
    g_free(x->domain);
    g_free(x->user);
    g_free(x);
}

static void collection_free(gpointer p)
{
    Collection *c = p;
    g_ptr_array_unref(c->sessions);
    g_free(c);
}

static Collection *collection_new(RaRaiServer *s, const GPtrArray *sessions)
{
    Collection *c = g_new0(Collection, 1);
    c->server = s;
    c->sessions = g_ptr_array_new_with_free_func(session_copy_free);
    for (guint i = 0; i < sessions->len; i++) {
        const RaSession *x = g_ptr_array_index(sessions, i);
        RaSession *y = g_new0(RaSession, 1);
        y->id = x->id;
        y->state = x->state;
        y->domain = g_strdup(x->domain);
        y->user = g_strdup(x->user);
        g_ptr_array_add(c->sessions, y);
    }
    return c;
}

static const RaDcomInterfaceImpl *collection_ifaces(void);

static guint32 col_new_enum(gpointer object, RaDcomCall *call,
                            const RaRai_IPCHCollection_get__NewEnum_in *in,
                            RaRai_IPCHCollection_get__NewEnum_out *out)
{
    /* [MS-RAI] 3.1.4.1.2.1.1: a copy of the collection, as IUnknown. */
    Collection *c = object;
    Collection *copy = collection_new(c->server, c->sessions);
    RaDcomObject *o = ra_dcom_object_new(ra_dcom_call_server(call), collection_ifaces(), 1, copy,
                                         collection_free);
    out->pVal = ra_arena_new0(ra_dcom_call_arena(call), RaInterfacePointer);
    if (!ra_dcom_object_marshal(call, o, &ra_iid_iunknown, ra_dcom_call_arena(call), out->pVal,
                                NULL)) {
        out->pVal = NULL;
        out->result = RA_E_OUTOFMEMORY;
    }
    return 0;
}

static guint32 col_item(gpointer object, RaDcomCall *call,
                        const RaRai_IPCHCollection_get_Item_in *in,
                        RaRai_IPCHCollection_get_Item_out *out)
{
    Collection *c = object;
    /* vIndex is one-based ([MS-RAI] 3.1.4.1.2.1.2). */
    if (in->vIndex < 1 || (guint)in->vIndex > c->sessions->len) {
        out->result = RA_E_INVALIDARG;
        return 0;
    }
    const RaSession *x = g_ptr_array_index(c->sessions, (guint)in->vIndex - 1);
    SafSession *saf = g_new0(SafSession, 1);
    saf->server = c->server;
    saf->id = x->id;
    saf->state = x->state;
    saf->domain = g_strdup(x->domain);
    saf->user = g_strdup(x->user);
    RaDcomObject *o = ra_dcom_object_new(ra_dcom_call_server(call), saf_ifaces, 1, saf, saf_free);
    RaInterfacePointer *mip = ra_arena_new0(ra_dcom_call_arena(call), RaInterfacePointer);
    /* A VT_DISPATCH VARIANT carries the object's IDispatch, as VARIANT marshaling does. */
    if (!ra_dcom_object_marshal(call, o, &ra_iid_idispatch, ra_dcom_call_arena(call), mip, NULL)) {
        out->result = RA_E_OUTOFMEMORY;
        return 0;
    }
    out->ppEntry.vt = RA_VT_DISPATCH;
    out->ppEntry.v.iface = mip;
    return 0;
}

static guint32 col_count(gpointer object, RaDcomCall *call,
                         const RaRai_IPCHCollection_get_Count_in *in,
                         RaRai_IPCHCollection_get_Count_out *out)
{
    out->pVal = (gint32)((Collection *)object)->sessions->len;
    return 0;
}

static const RaRai_IPCHCollection_Handlers col_handlers = {
    .get__NewEnum = col_new_enum,
    .get_Item = col_item,
    .get_Count = col_count,
};

static const RaDcomInterfaceImpl col_ifaces[] = {{&ra_rai_iface_IPCHCollection, &col_handlers}};

static const RaDcomInterfaceImpl *collection_ifaces(void)
{
    return col_ifaces;
}

/* ---- IPCHService ([MS-RAI] 3.1.4.1) ---- */

static guint32 pch_remote_connection_parms(gpointer object, RaDcomCall *call,
                                           const RaRai_IPCHService_RemoteConnectionParms_in *in,
                                           RaRai_IPCHService_RemoteConnectionParms_out *out)
{
    Service *svc = object;
    RaRaiServer *s = svc->server;
    out->pbstrConnectionString = NULL;
    if (s->config.offers_disabled) {
        out->result = RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY;
        refuse(s, call, out->result, "offers are disabled by policy");
        return 0;
    }
    /* [MS-RAI] 3.1.4.1.1: invalid user or domain BSTRs give ERROR_NONE_MAPPED. */
    const RaSession *session =
        in->lSessionID < 0 ? NULL : ra_sessions_find(s->config.sessions, (guint32)in->lSessionID);
    if (in->bstrUserName == NULL || in->bstrDomainName == NULL || session == NULL ||
        g_ascii_strcasecmp(session->user, in->bstrUserName) != 0 ||
        g_ascii_strcasecmp(session->domain, in->bstrDomainName) != 0 || !helpable(session)) {
        out->result = RA_HRESULT_ERROR_NONE_MAPPED;
        gchar *what = g_strdup_printf("no session %d of %s\\%s", in->lSessionID,
                                      in->bstrDomainName ? in->bstrDomainName : "(null)",
                                      in->bstrUserName ? in->bstrUserName : "(null)");
        refuse(s, call, out->result, what);
        g_free(what);
        return 0;
    }
    /* The user help blob: "<n>;UNSOLICITED=1<n>;ID=DOMAIN\user". */
    gchar *bdomain = NULL, *buser = NULL, *why = NULL;
    if (!ra_offer_check_help_blob(in->bstrUserHelpBlob, &bdomain, &buser, &why)) {
        out->result = RA_E_INVALIDARG;
        gchar *what = g_strdup_printf("the user help blob is malformed: %s", why);
        refuse(s, call, out->result, what);
        g_free(what);
        g_free(why);
        return 0;
    }
    gchar *named = g_strdup_printf("%s\\%s", bdomain, buser);
    const char *caller = ra_dcom_call_who(call);
    if (g_ascii_strcasecmp(named, caller) != 0)
        ra_dcom_call_log(call, RA_RPC_LOG_INFO,
                         "the help blob names %s, the call is authenticated as %s", named, caller);
    g_free(named);
    g_free(bdomain);
    g_free(buser);
    if (pending_offer(s, session->id)) {
        out->result = RA_HRESULT_ERROR_CANNOT_MAKE;
        refuse(s, call, out->result, "an offer for that session is pending");
        return 0;
    }
    const RaRaiOffer *o = record_offer(s, call, session, "IPCHService::RemoteConnectionParms", 1,
                                       build_cs(s, call, 1));
    out->pbstrConnectionString = ra_arena_strdup(ra_dcom_call_arena(call), o->connection_string);
    out->result = RA_S_OK;
    return 0;
}

static guint32 pch_remote_user_session_info(gpointer object, RaDcomCall *call,
                                            const RaRai_IPCHService_RemoteUserSessionInfo_in *in,
                                            RaRai_IPCHService_RemoteUserSessionInfo_out *out)
{
    Service *svc = object;
    if (svc->server->config.offers_disabled) {
        out->result = RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY;
        refuse(svc->server, call, out->result, "offers are disabled by policy");
        return 0;
    }
    Collection *c = collection_new(svc->server, svc->server->config.sessions->sessions);
    RaDcomObject *o =
        ra_dcom_object_new(ra_dcom_call_server(call), col_ifaces, 1, c, collection_free);
    out->pVal = ra_arena_new0(ra_dcom_call_arena(call), RaInterfacePointer);
    if (!ra_dcom_object_marshal(call, o, &ra_rai_iid_IPCHCollection, ra_dcom_call_arena(call),
                                out->pVal, NULL)) {
        out->pVal = NULL;
        out->result = RA_E_OUTOFMEMORY;
    }
    return 0;
}

/* Opnums 7-18 and 21 have no handler: nca_s_op_rng_error ([MS-RAI] 3.1.4.1). */
static const RaRai_IPCHService_Handlers pch_handlers = {
    .RemoteConnectionParms = pch_remote_connection_parms,
    .RemoteUserSessionInfo = pch_remote_user_session_info,
};

/* ---- classes ---- */

static const RaDcomInterfaceImpl rasrv_ifaces[] = {{&ra_rai_iface_IRASrv, &rasrv_handlers}};
static const RaDcomInterfaceImpl pch_ifaces[] = {{&ra_rai_iface_IPCHService, &pch_handlers}};

static gpointer service_create(gpointer class_data, RaDcomCall *call, const RaDcomActivation *act,
                               guint32 *hresult)
{
    RaRaiServer *s = class_data;
    if (act->session_id != RA_ACTPROP_ANY_SESSION &&
        ra_sessions_find(s->config.sessions, act->session_id) == NULL) {
        *hresult = RA_HRESULT_ERROR_NO_SUCH_LOGON_SESSION;
        return NULL;
    }
    Service *svc = g_new0(Service, 1);
    svc->server = s;
    svc->session_id = act->session_id;
    return svc;
}

RaRaiServer *ra_rai_server_new(const RaRaiServerConfig *config, RaDcomServer *dcom)
{
    RaRaiServer *s = g_new0(RaRaiServer, 1);
    s->config = *config;
    GPtrArray *addrs = g_ptr_array_new();
    for (guint i = 0; config->listener_addresses && config->listener_addresses[i]; i++)
        g_ptr_array_add(addrs, g_strdup(config->listener_addresses[i]));
    g_ptr_array_add(addrs, NULL);
    s->addresses = (gchar **)g_ptr_array_free(addrs, FALSE);
    s->config.listener_addresses = NULL;
    s->dcom = dcom;
    s->offers = g_ptr_array_new_with_free_func(offer_free);
    ra_random_bytes(s->key, sizeof s->key);
    guint8 digest[20];
    ra_digest(RA_DIGEST_SHA1, s->key, sizeof s->key, digest, NULL);
    s->kh = g_base64_encode(digest, sizeof digest);
    s->port = config->listener_port;
    if (s->port == 0) {
        guint16 r;
        ra_random_bytes((guint8 *)&r, sizeof r);
        s->port = (guint16)(49152 + r % 16384);
    }
    if (config->flavor & RA_RAI_FLAVOR_VISTA) {
        RaDcomClass cls = {ra_rai_clsid_RASrv, "RASrv", 1, rasrv_ifaces, service_create, g_free, s};
        ra_dcom_server_register_class(dcom, &cls);
    }
    if (config->flavor & RA_RAI_FLAVOR_XP) {
        RaDcomClass cls = {ra_rai_clsid_PCHService, "PCHService", 1, pch_ifaces,
                           service_create,          g_free,       s};
        ra_dcom_server_register_class(dcom, &cls);
    }
    /* The objects handed out inside calls are served too (their interfaces must be bound). */
    if (config->flavor & RA_RAI_FLAVOR_XP) {
        ra_dcom_server_serve_interfaces(dcom, col_ifaces, G_N_ELEMENTS(col_ifaces));
        ra_dcom_server_serve_interfaces(dcom, saf_ifaces, G_N_ELEMENTS(saf_ifaces));
    }
    return s;
}

void ra_rai_server_free(RaRaiServer *s)
{
    if (s == NULL)
        return;
    g_ptr_array_unref(s->offers);
    memset(s->key, 0, sizeof s->key);
    g_free(s->kh);
    g_strfreev(s->addresses);
    g_free(s);
}

const char *ra_rai_server_kh(RaRaiServer *s)
{
    return s->kh;
}

guint16 ra_rai_server_listener_port(RaRaiServer *s)
{
    return s->port;
}
