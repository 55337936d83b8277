/*
 * The DCOM client: activation, exporter connections, interface bindings, IRemUnknown, pinging
 * (see ra/dcom-client.h).
 */
#include "ra/dcom-client.h"
#include "ra/actprop.h"
#include "ra/crypto.h"
#include "ra/oxid.h"

#include <string.h>

/* IObjectExporter opnums ([MS-DCOM] 3.1.2.5.1). */
#define OPNUM_SIMPLE_PING   1
#define OPNUM_COMPLEX_PING  2
#define OPNUM_RESOLVE_OXID2 4

/* CLSCTX_LOCAL_SERVER | CLSCTX_REMOTE_SERVER, as a Windows client activating remotely asks. */
#define CLSCTX_REMOTE 0x14
/* RPC_C_IMP_LEVEL_IMPERSONATE ([MS-RAI] 5.1 note <13>). */
#define IMP_LEVEL_IMPERSONATE 3

/* A presentation context for one interface, and the connection it is on. */
typedef struct {
    RaRpcClient *conn;
    guint16 ctx;
} IfaceContext;

typedef struct {
    guint64 oxid;
    RaRpcClient *conn;      /* the first connection: its first interface binds here */
    GPtrArray *extra_conns; /* RaRpcClient*: one per further interface (unless shared) */
    gboolean conn_used;     /* an interface is bound on conn */
    GHashTable *contexts;   /* RaUuid* iid -> IfaceContext* */
    RaUuid ipid_rem_unknown;
    guint32 authn_hint;
    RaComVersion version;
    gchar *binding;
    guint16 port;
} Exporter;

/* The user data of one connection's trace: which connection it is. */
typedef struct {
    RaDcomClient *client;
    guint index;
} TraceSlot;

struct RaDcomClient {
    gchar *host;
    guint16 port;
    RaRpcAuth auth;
    gchar *domain, *user, *password, *workstation;
    guint8 nt_hash[16];
    gboolean has_hash;
    guint timeout_ms;
    RaDcomConnectFunc connect;
    gpointer connect_data;
    RaRpcClient *activation;
    /* The activator's and the OXID resolver's connections: activation, or their own. */
    RaRpcClient *activator, *resolver;
    gboolean share_connections, activation_used;
    gboolean activator_bound, exporter_bound;
    guint16 activator_ctx, exporter_ctx;
    GPtrArray *exporters; /* Exporter* */
    GPtrArray *bindings;  /* RaOrpcBinding* */
    RaDcomExporterInfo info;
    RaDcomTraceFunc trace;
    gpointer trace_data;
    GPtrArray *trace_slots; /* TraceSlot*, one per connection */
    guint64 set_id;
    guint16 ping_seq;
    GArray *pinged_oids;   /* guint64 already in the ping set */
    GPtrArray *advertised; /* issue 7: gchar*, the last activation's string bindings */
};

const RaOrpcThis *ra_orpc_binding_orpcthis(const RaOrpcBinding *binding)
{
    return &binding->orpcthis;
}

gboolean ra_orpc_check_hresult(guint32 hresult, const char *what, GError **error)
{
    if (!(hresult & 0x80000000u))
        return TRUE;
    const char *name = ra_hresult_name(hresult);
    g_set_error(error, RA_ERROR, RA_ERROR_HRESULT, "%s returned 0x%08x%s%s%s", what, hresult,
                name ? " (" : "", name ? name : "", name ? ")" : "");
    return FALSE;
}

static gboolean binding_context(RaOrpcBinding *binding, GError **error);

GBytes *ra_orpc_call(RaOrpcBinding *binding, guint16 opnum, GBytes *request, GError **error)
{
    if (binding->released) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "the interface has been released");
        return NULL;
    }
    if (binding->client == NULL && !binding_context(binding, error))
        return NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data(request, &len);
    return ra_rpc_client_call(binding->client, binding->context_id, opnum, &binding->std.ipid, data,
                              len, error);
}

/* Ends the pull of a response (ok: what the pull of its parts returned) and frees it. FALSE with
 * *error, prefixed "<what> response: ", if a part or the end failed. */
static gboolean response_done(RaNdrPull *pull, gboolean ok, const char *what, GError **error)
{
    ok = ra_ndr_pull_finish(pull, error) && ok;
    ra_ndr_pull_free(pull);
    if (!ok)
        g_prefix_error(error, "%s response: ", what);
    return ok;
}

/* ---- connections ---- */

static void trace_pdu(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    const TraceSlot *slot = data;
    if (slot->client->trace)
        slot->client->trace(slot->index, sent, pdu, len, slot->client->trace_data);
}

static RaRpcClient *connect_to(RaDcomClient *c, const char *host, guint16 port, GError **error)
{
    RaRpcClient *conn = c->connect != NULL
                            ? c->connect(host, port, c->timeout_ms, c->connect_data, error)
                            : ra_rpc_client_connect(host, port, c->timeout_ms, error);
    if (conn) {
        TraceSlot *slot = g_new0(TraceSlot, 1);
        slot->client = c;
        slot->index = c->trace_slots->len;
        g_ptr_array_add(c->trace_slots, slot);
        ra_rpc_client_set_trace(conn, trace_pdu, slot);
    }
    return conn;
}

RaDcomClient *ra_dcom_client_new(const RaDcomClientConfig *config, GError **error)
{
    RaDcomClient *c = g_new0(RaDcomClient, 1);
    c->host = g_strdup(config->host);
    c->port = config->port ? config->port : 135;
    c->domain = g_strdup(config->auth.domain);
    c->user = g_strdup(config->auth.user);
    c->password = g_strdup(config->auth.password);
    c->workstation = g_strdup(config->auth.workstation);
    if (config->auth.nt_hash) {
        memcpy(c->nt_hash, config->auth.nt_hash, 16);
        c->has_hash = TRUE;
    }
    c->auth = config->auth;
    c->auth.domain = c->domain;
    c->auth.user = c->user;
    c->auth.password = c->password;
    c->auth.workstation = c->workstation;
    c->auth.nt_hash = c->has_hash ? c->nt_hash : NULL;
    c->timeout_ms = config->timeout_ms;
    c->connect = config->connect;
    c->connect_data = config->connect_data;
    c->share_connections = config->share_connections;
    c->exporters = g_ptr_array_new();
    c->bindings = g_ptr_array_new();
    c->pinged_oids = g_array_new(FALSE, FALSE, sizeof(guint64));
    c->trace_slots = g_ptr_array_new_with_free_func(g_free);
    c->advertised = g_ptr_array_new_with_free_func(g_free);
    c->activation = connect_to(c, c->host, c->port, error);
    if (c->activation == NULL) {
        ra_dcom_client_free(c);
        return NULL;
    }
    return c;
}

void ra_dcom_client_set_trace(RaDcomClient *c, RaDcomTraceFunc func, gpointer user_data)
{
    c->trace = func;
    c->trace_data = user_data;
}

static void exporter_free(Exporter *e)
{
    ra_rpc_client_free(e->conn);
    for (guint i = 0; i < e->extra_conns->len; i++)
        ra_rpc_client_free(g_ptr_array_index(e->extra_conns, i));
    g_ptr_array_unref(e->extra_conns);
    g_hash_table_unref(e->contexts);
    g_free(e->binding);
    g_free(e);
}

void ra_dcom_client_free(RaDcomClient *c)
{
    if (c == NULL)
        return;
    for (guint i = 0; i < c->bindings->len; i++) {
        RaOrpcBinding *b = g_ptr_array_index(c->bindings, i);
        if (!b->released)
            ra_dcom_client_release(c, b, NULL);
    }
    for (guint i = 0; i < c->bindings->len; i++)
        g_free(g_ptr_array_index(c->bindings, i));
    g_ptr_array_unref(c->bindings);
    for (guint i = 0; i < c->exporters->len; i++)
        exporter_free(g_ptr_array_index(c->exporters, i));
    g_ptr_array_unref(c->exporters);
    ra_rpc_client_free(c->activation);
    if (c->activator != c->activation)
        ra_rpc_client_free(c->activator);
    if (c->resolver != c->activation)
        ra_rpc_client_free(c->resolver);
    g_array_unref(c->pinged_oids);
    if (c->trace_slots)
        g_ptr_array_unref(c->trace_slots);
    if (c->advertised)
        g_ptr_array_unref(c->advertised);
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    memset(c->nt_hash, 0, sizeof c->nt_hash);
    g_free(c->host);
    g_free(c->domain);
    g_free(c->user);
    g_free(c->password);
    g_free(c->workstation);
    g_free(c->info.binding);
    g_free(c);
}

guint ra_dcom_client_n_connections(RaDcomClient *c)
{
    return c->trace_slots->len;
}

guint ra_dcom_client_advertised(RaDcomClient *c, const char *const **bindings)
{
    *bindings = (const char *const *)c->advertised->pdata;
    return c->advertised->len;
}

const RaDcomExporterInfo *ra_dcom_client_exporter(RaDcomClient *c)
{
    return &c->info;
}

/*
 * The connection and context id for iid at an exporter, binding it the first time: on the
 * exporter's first connection for its first interface, then on a new connection per interface
 * (or, with share_connections, by alter_context on the first one).
 */
static gboolean exporter_context(RaDcomClient *c, Exporter *e, const RaUuid *iid,
                                 RaRpcClient **conn, guint16 *ctx, GError **error)
{
    IfaceContext *ic = g_hash_table_lookup(e->contexts, iid);
    if (ic != NULL) {
        *conn = ic->conn;
        *ctx = ic->ctx;
        return TRUE;
    }
    RaRpcClient *on = e->conn;
    gboolean fresh = FALSE;
    if (e->conn_used && !c->share_connections) {
        on = connect_to(c, c->host, e->port, error);
        if (on == NULL)
            return FALSE;
        fresh = TRUE;
    }
    RaSyntaxId syntax = {*iid, 0, 0};
    if (!ra_rpc_client_bind(on, &syntax, &c->auth, ctx, error)) {
        if (fresh)
            ra_rpc_client_free(on);
        return FALSE;
    }
    if (fresh)
        g_ptr_array_add(e->extra_conns, on);
    e->conn_used = TRUE;
    ic = g_new0(IfaceContext, 1);
    ic->conn = on;
    ic->ctx = *ctx;
    g_hash_table_insert(e->contexts, g_memdup2(iid, sizeof *iid), ic);
    *conn = on;
    return TRUE;
}

static Exporter *find_exporter(RaDcomClient *c, guint64 oxid)
{
    for (guint i = 0; i < c->exporters->len; i++) {
        Exporter *e = g_ptr_array_index(c->exporters, i);
        if (e->oxid == oxid)
            return e;
    }
    return NULL;
}

/* Splits "addr[port]" (port may be absent: 0). */
static gboolean split_binding(const char *text, gchar **addr, guint16 *port)
{
    const char *bracket = strchr(text, '[');
    if (bracket == NULL) {
        *addr = g_strdup(text);
        *port = 0;
        return TRUE;
    }
    const char *close = strchr(bracket, ']');
    if (close == NULL || close[1] != '\0')
        return FALSE;
    gchar *digits = g_strndup(bracket + 1, (gsize)(close - bracket - 1));
    gchar *end;
    guint64 p = g_ascii_strtoull(digits, &end, 10);
    gboolean ok = *digits && *end == '\0' && p > 0 && p <= 65535;
    g_free(digits);
    if (!ok)
        return FALSE;
    *addr = g_strndup(text, (gsize)(bracket - text));
    *port = (guint16)p;
    return TRUE;
}

/*
 * Connects to an exporter from its bindings: a TCP string binding whose address is the host we
 * activated at (as impacket chooses), else the first TCP binding with that host substituted.
 */
static Exporter *add_exporter(RaDcomClient *c, guint64 oxid, const RaDualStringArray *dsa,
                              const RaUuid *ipid_rem_unknown, guint32 hint,
                              const RaComVersion *version, GError **error)
{
    const RaStringBinding *pick = NULL;
    for (guint i = 0; i < dsa->n_strings; i++) {
        const RaStringBinding *b = &dsa->strings[i];
        if (b->tower_id != RA_TOWERID_NCACN_IP_TCP)
            continue;
        gchar *addr;
        guint16 port;
        if (!split_binding(b->address, &addr, &port))
            continue;
        gboolean same = g_ascii_strcasecmp(addr, c->host) == 0;
        g_free(addr);
        if (same) {
            pick = b;
            break;
        }
        if (pick == NULL)
            pick = b;
    }
    if (pick == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "the object exporter offers no TCP binding (%u string bindings)",
                    dsa->n_strings);
        return NULL;
    }
    gchar *addr;
    guint16 port;
    split_binding(pick->address, &addr, &port);
    if (port == 0)
        port = c->port;
    /* Reach it at the host name we were given: the exporter's own address may be unroutable. */
    RaRpcClient *conn = connect_to(c, c->host, port, error);
    if (conn == NULL) {
        g_prefix_error(error, "object exporter %s: ", pick->address);
        g_free(addr);
        return NULL;
    }
    g_free(addr);
    Exporter *e = g_new0(Exporter, 1);
    e->oxid = oxid;
    e->conn = conn;
    e->port = port;
    e->extra_conns = g_ptr_array_new();
    e->contexts = g_hash_table_new_full(ra_uuid_hash, ra_uuid_equal_func, g_free, g_free);
    e->ipid_rem_unknown = *ipid_rem_unknown;
    e->authn_hint = hint;
    e->version = *version;
    e->binding = g_strdup(pick->address);
    g_ptr_array_add(c->exporters, e);
    return e;
}

/*
 * A new binding to an interface of a remote object (takes the OBJREF's references). The
 * presentation context is bound at the first call: an interface pointer only held and released
 * (an IDispatch from IPCHCollection::Item, queried for ISAFSession) costs no connection.
 */
static RaOrpcBinding *new_binding(RaDcomClient *c, const RaUuid *iid, const RaStdObjRef *std,
                                  const RaOrpcThis *orpcthis)
{
    RaOrpcBinding *b = g_new0(RaOrpcBinding, 1);
    b->owner = c;
    b->context_id = G_MAXUINT16;
    b->iid = *iid;
    b->std = *std;
    b->orpcthis = *orpcthis;
    g_ptr_array_add(c->bindings, b);
    return b;
}

static gboolean binding_context(RaOrpcBinding *b, GError **error)
{
    /* IUnknown is never called remotely (IRemUnknown stands in, [MS-DCOM] 3.1.1.5.8). */
    if (ra_uuid_equal(&b->iid, &ra_iid_iunknown)) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "IUnknown is not called remotely: query another interface");
        return FALSE;
    }
    Exporter *e = find_exporter(b->owner, b->std.oxid);
    if (e == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "unknown object exporter");
        return FALSE;
    }
    return exporter_context(b->owner, e, &b->iid, &b->client, &b->context_id, error);
}

/* ---- activation ---- */

/* What fill_in_properties() points into. */
typedef struct {
    RaUuid iid;
    guint16 tcp;
    RaRemoteRequestScmInfo scm_request;
    RaCoServerInfo server_info;
} InStorage;

/* The ActivationPropertiesIn a Windows expert sends ([MS-DCOM] 3.2.4.1.1.1). */
static void fill_in_properties(RaDcomClient *c, const RaUuid *clsid, const RaUuid *iid,
                               guint32 session_id, InStorage *st, RaActProperty *props, guint *n)
{
    memset(st, 0, sizeof *st);
    st->iid = *iid;
    st->tcp = RA_TOWERID_NCACN_IP_TCP;
    st->scm_request.client_imp_level = IMP_LEVEL_IMPERSONATE;
    st->scm_request.n_protseqs = 1;
    st->scm_request.protseqs = &st->tcp;
    st->server_info.name = c->host;
    memset(props, 0, 6 * sizeof *props);
    /* [MS-DCOM] 2.2.22.2.2: the session is chosen with SpecialPropertiesData. */
    props[0].kind = RA_ACTPROP_SPECIAL_PROPERTIES;
    props[0].u.special.session_id = session_id;
    props[0].u.special.remote_this_session_id = session_id != RA_ACTPROP_ANY_SESSION;
    props[0].u.special.default_authn_lvl = c->auth.level;
    props[0].u.special.orig_clsctx = CLSCTX_REMOTE;
    props[1].kind = RA_ACTPROP_INSTANTIATION_INFO;
    props[1].u.instantiation.class_id = *clsid;
    props[1].u.instantiation.class_ctx = CLSCTX_REMOTE;
    props[1].u.instantiation.n_iids = 1;
    props[1].u.instantiation.iids = &st->iid;
    props[1].u.instantiation.client_version =
        (RaComVersion){RA_COM_VERSION_MAJOR, RA_COM_VERSION_MINOR};
    props[2].kind = RA_ACTPROP_ACTIVATION_CONTEXT_INFO;
    props[3].kind = RA_ACTPROP_LOCATION_INFO;
    props[4].kind = RA_ACTPROP_SECURITY_INFO;
    props[4].u.security.server_info = &st->server_info;
    props[5].kind = RA_ACTPROP_SCM_REQUEST_INFO;
    props[5].u.scm_request.remote_request = &st->scm_request;
    *n = 6;
}

/*
 * A connection to the activation endpoint for one more interface (the activator or the OXID
 * resolver): the first one opened, if nothing is bound on it yet or connections are shared;
 * else a new one.
 */
static RaRpcClient *activation_connection(RaDcomClient *c, GError **error)
{
    if (!c->activation_used || c->share_connections) {
        c->activation_used = TRUE;
        return c->activation;
    }
    return connect_to(c, c->host, c->port, error);
}

static gboolean ensure_activator(RaDcomClient *c, GError **error)
{
    if (c->activator_bound)
        return TRUE;
    if (c->activator == NULL && (c->activator = activation_connection(c, error)) == NULL)
        return FALSE;
    if (!ra_rpc_client_bind(c->activator, &ra_syntax_iremote_scm_activator, &c->auth,
                            &c->activator_ctx, error))
        return FALSE;
    c->activator_bound = TRUE;
    return TRUE;
}

gboolean ra_dcom_client_create_instance(RaDcomClient *c, const RaUuid *clsid, const RaUuid *iid,
                                        guint32 session_id, RaOrpcBinding **binding,
                                        guint32 *hresult, GError **error)
{
    *binding = NULL;
    if (hresult)
        *hresult = 0;
    if (!ensure_activator(c, error))
        return FALSE;
    g_autoptr(RaArena) arena = ra_arena_new();
    RaActProperty props[6];
    InStorage storage;
    RaActivationBlob blob = {0};
    blob.header.dest_ctx = 2;
    blob.properties = props;
    fill_in_properties(c, clsid, iid, session_id, &storage, props, &blob.n_properties);
    RaRemoteCreateInstanceIn in = {0};
    ra_orpcthis_init(&in.orpcthis);
    RaInterfacePointer act;
    if (!ra_actprop_to_mip(&blob, FALSE, arena, &act, error))
        return FALSE;
    in.act_properties = &act;
    RaNdrPush *push = ra_ndr_push_new();
    GBytes *request = NULL;
    if (ra_dcom_push_remotecreateinstance_in(push, &in))
        request = ra_ndr_push_finish(push, error);
    else
        ra_ndr_push_finish(push, error);
    ra_ndr_push_free(push);
    if (request == NULL)
        return FALSE;
    GBytes *response =
        ra_rpc_client_call(c->activator, c->activator_ctx, RA_OPNUM_REMOTECREATEINSTANCE, NULL,
                           g_bytes_get_data(request, NULL), g_bytes_get_size(request), error);
    g_bytes_unref(request);
    if (response == NULL) {
        g_prefix_error(error, "RemoteCreateInstance: ");
        return FALSE;
    }
    RaNdrPull *pull = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    RaRemoteActivationOut out;
    if (!response_done(pull, ra_dcom_pull_remoteactivation_out(pull, &out), "RemoteCreateInstance",
                       error))
        return FALSE;
    if (out.hresult & 0x80000000u) {
        if (hresult)
            *hresult = out.hresult;
        return ra_orpc_check_hresult(out.hresult, "RemoteCreateInstance", error);
    }
    if (out.act_properties == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "RemoteCreateInstance succeeded without activation properties");
        return FALSE;
    }
    RaActivationBlob reply;
    if (!ra_actprop_from_mip(out.act_properties, TRUE, arena, &reply, error))
        return FALSE;
    const RaActProperty *po = ra_actprop_find(&reply, RA_ACTPROP_PROPS_OUT_INFO);
    const RaActProperty *sr = ra_actprop_find(&reply, RA_ACTPROP_SCM_REPLY_INFO);
    if (po == NULL || sr == NULL || sr->u.scm_reply.remote_reply == NULL ||
        sr->u.scm_reply.remote_reply->oxid_bindings == NULL || po->u.props_out.n_ifs < 1 ||
        po->u.props_out.hresults == NULL || po->u.props_out.intf_data == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "ActivationPropertiesOut lacks PropsOutInfo or ScmReplyInfoData");
        return FALSE;
    }
    if (po->u.props_out.hresults[0] & 0x80000000u) {
        if (hresult)
            *hresult = po->u.props_out.hresults[0];
        return ra_orpc_check_hresult(po->u.props_out.hresults[0],
                                     "RemoteCreateInstance (interface)", error);
    }
    const RaRemoteReplyScmInfo *rr = sr->u.scm_reply.remote_reply;
    c->info.oxid = rr->oxid;
    c->info.ipid_rem_unknown = rr->ipid_rem_unknown;
    c->info.authn_hint = rr->authn_hint;
    c->info.server_version = rr->server_version;
    /* issue 7: what the exporter advertises, kept before connecting (ra_dcom_client_advertised). */
    g_ptr_array_set_size(c->advertised, 0);
    for (guint i = 0; i < rr->oxid_bindings->n_strings; i++)
        if (rr->oxid_bindings->strings[i].tower_id == RA_TOWERID_NCACN_IP_TCP)
            g_ptr_array_add(c->advertised, g_strdup(rr->oxid_bindings->strings[i].address));
    Exporter *e = find_exporter(c, rr->oxid);
    if (e == NULL)
        e = add_exporter(c, rr->oxid, rr->oxid_bindings, &rr->ipid_rem_unknown, rr->authn_hint,
                         &rr->server_version, error);
    if (e == NULL)
        return FALSE;
    g_free(c->info.binding);
    c->info.binding = g_strdup(e->binding);
    const RaInterfacePointer *mip = po->u.props_out.intf_data[0];
    if (mip == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "PropsOutInfo without an interface");
        return FALSE;
    }
    RaObjRef ref;
    if (!ra_objref_parse(mip->data, mip->size, arena, &ref, error))
        return FALSE;
    if (ref.flags != RA_OBJREF_STANDARD) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "the activated object came as OBJREF form %u, not OBJREF_STANDARD", ref.flags);
        return FALSE;
    }
    *binding = new_binding(c, iid, &ref.std, &in.orpcthis);
    return *binding != NULL;
}

/* ---- IRemUnknown ---- */

/* A call binding to the IRemUnknown of the exporter of oxid, with orpcthis (IRemUnknown is bound
 * on the exporter at its first use). FALSE with *error: RA_ERROR_NOT_FOUND for an unknown
 * exporter, or the bind's error. */
static gboolean remunknown_of(RaDcomClient *c, guint64 oxid, const RaOrpcThis *orpcthis,
                              RaOrpcBinding *rb, GError **error)
{
    Exporter *e = find_exporter(c, oxid);
    guint16 ctx;
    RaRpcClient *conn;
    if (e == NULL || !exporter_context(c, e, &ra_iid_iremunknown, &conn, &ctx, error)) {
        if (e == NULL)
            g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "unknown object exporter");
        return FALSE;
    }
    memset(rb, 0, sizeof *rb);
    rb->owner = c;
    rb->client = conn;
    rb->context_id = ctx;
    rb->iid = ra_iid_iremunknown;
    rb->std.ipid = e->ipid_rem_unknown;
    rb->orpcthis = *orpcthis;
    return TRUE;
}

static GBytes *push_bytes(gboolean ok, RaNdrPush *push, GError **error)
{
    GBytes *b = ok ? ra_ndr_push_finish(push, error) : NULL;
    if (!ok)
        ra_ndr_push_finish(push, error);
    ra_ndr_push_free(push);
    return b;
}

gboolean ra_dcom_client_query_interface(RaDcomClient *c, RaOrpcBinding *of, const RaUuid *iid,
                                        RaOrpcBinding **binding, guint32 *hresult, GError **error)
{
    *binding = NULL;
    if (hresult)
        *hresult = 0;
    RaOrpcBinding rb;
    if (!remunknown_of(c, of->std.oxid, &of->orpcthis, &rb, error))
        return FALSE;
    RaRemQueryInterfaceIn in = {0};
    in.orpcthis = of->orpcthis;
    in.ripid = of->std.ipid;
    in.refs = RA_DCOM_CLIENT_REFS;
    RaUuid wanted = *iid;
    in.n_iids = 1;
    in.iids = &wanted;
    RaNdrPush *push = ra_ndr_push_new();
    GBytes *request = push_bytes(ra_dcom_push_remqueryinterface_in(push, &in), push, error);
    if (request == NULL)
        return FALSE;
    GBytes *response = ra_orpc_call(&rb, RA_OPNUM_REMQUERYINTERFACE, request, error);
    g_bytes_unref(request);
    if (response == NULL) {
        g_prefix_error(error, "RemQueryInterface: ");
        return FALSE;
    }
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    RaRemQueryInterfaceOut out = {0};
    out.n_results = 1;
    if (!response_done(pull, ra_dcom_pull_remqueryinterface_out(pull, &out), "RemQueryInterface",
                       error))
        return FALSE;
    guint32 hr = out.hresult;
    if (!(hr & 0x80000000u) && out.results == NULL)
        hr = RA_E_UNEXPECTED;
    if (!(hr & 0x80000000u))
        hr = out.results[0].hresult;
    if (hr & 0x80000000u) {
        if (hresult)
            *hresult = hr;
        return ra_orpc_check_hresult(hr, "RemQueryInterface", error);
    }
    *binding = new_binding(c, iid, &out.results[0].std, &of->orpcthis);
    return *binding != NULL;
}

gboolean ra_dcom_client_release(RaDcomClient *c, RaOrpcBinding *b, GError **error)
{
    if (b->released)
        return TRUE;
    b->released = TRUE;
    if (b->std.public_refs == 0)
        return TRUE;
    RaOrpcBinding rb;
    if (!remunknown_of(c, b->std.oxid, &b->orpcthis, &rb, error))
        return FALSE;
    RaRemInterfaceRef ref = {b->std.ipid, b->std.public_refs, 0};
    RaRemReleaseIn in = {0};
    in.orpcthis = b->orpcthis;
    in.n_refs = 1;
    in.refs = &ref;
    RaNdrPush *push = ra_ndr_push_new();
    GBytes *request = push_bytes(ra_dcom_push_remaddref_in(push, &in), push, error);
    if (request == NULL)
        return FALSE;
    GBytes *response = ra_orpc_call(&rb, RA_OPNUM_REMRELEASE, request, error);
    g_bytes_unref(request);
    if (response == NULL) {
        g_prefix_error(error, "RemRelease: ");
        return FALSE;
    }
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    RaRemReleaseOut out;
    if (!response_done(pull, ra_dcom_pull_remrelease_out(pull, &out), "RemRelease", error))
        return FALSE;
    b->std.public_refs = 0;
    return ra_orpc_check_hresult(out.hresult, "RemRelease", error);
}

/* ---- IObjectExporter (not ORPC: no ORPCTHIS) at the activation endpoint ---- */

static gboolean ensure_exporter_iface(RaDcomClient *c, GError **error)
{
    if (c->exporter_bound)
        return TRUE;
    if (c->resolver == NULL && (c->resolver = activation_connection(c, error)) == NULL)
        return FALSE;
    if (!ra_rpc_client_bind(c->resolver, &ra_oxid_syntax, &c->auth, &c->exporter_ctx, error))
        return FALSE;
    c->exporter_bound = TRUE;
    return TRUE;
}

static GBytes *exporter_call(RaDcomClient *c, guint16 opnum, GBytes *request, GError **error)
{
    GBytes *r =
        ra_rpc_client_call(c->resolver, c->exporter_ctx, opnum, NULL,
                           g_bytes_get_data(request, NULL), g_bytes_get_size(request), error);
    g_bytes_unref(request);
    return r;
}

/* IObjectExporter::ResolveOxid2 ([MS-DCOM] 3.1.2.5.1.5). */
static Exporter *resolve_oxid(RaDcomClient *c, guint64 oxid, GError **error)
{
    if (!ensure_exporter_iface(c, error))
        return NULL;
    RaNdrPush *push = ra_ndr_push_new();
    static const guint16 tcp = RA_TOWERID_NCACN_IP_TCP;
    gboolean ok = ra_ndr_push_u64(push, oxid) && ra_ndr_push_u16(push, 1) &&
                  ra_ndr_push_array_size(push, 1) && ra_ndr_push_u16_array(push, &tcp, 1);
    GBytes *request = push_bytes(ok, push, error);
    if (request == NULL)
        return NULL;
    GBytes *response = exporter_call(c, OPNUM_RESOLVE_OXID2, request, error);
    if (response == NULL) {
        g_prefix_error(error, "ResolveOxid2: ");
        return NULL;
    }
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    guint32 ptr, hint, status;
    RaDualStringArray dsa = {0};
    RaUuid ipid;
    RaComVersion version;
    ok = ra_ndr_pull_ptr(pull, &ptr) && (ptr == 0 || ra_dcom_pull_dsa(pull, RA_NDR_BOTH, &dsa)) &&
         ra_ndr_pull_uuid(pull, &ipid) && ra_ndr_pull_u32(pull, &hint) &&
         ra_dcom_pull_comversion(pull, RA_NDR_BOTH, &version) && ra_ndr_pull_u32(pull, &status);
    if (!response_done(pull, ok, "ResolveOxid2", error))
        return NULL;
    if (status != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                    "ResolveOxid2: the server does not know OXID 0x%016" G_GINT64_MODIFIER
                    "x (status %u)",
                    oxid, status);
        return NULL;
    }
    return add_exporter(c, oxid, &dsa, &ipid, hint, &version, error);
}

gboolean ra_dcom_client_unmarshal(RaDcomClient *c, const RaInterfacePointer *mip, const RaUuid *iid,
                                  RaOrpcBinding **binding, GError **error)
{
    *binding = NULL;
    g_autoptr(RaArena) arena = ra_arena_new();
    RaObjRef ref;
    if (!ra_objref_parse(mip->data, mip->size, arena, &ref, error))
        return FALSE;
    if (ref.flags != RA_OBJREF_STANDARD) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "an interface pointer in OBJREF form %u (only OBJREF_STANDARD is supported)",
                    ref.flags);
        return FALSE;
    }
    Exporter *e = find_exporter(c, ref.std.oxid);
    if (e == NULL)
        e = resolve_oxid(c, ref.std.oxid, error);
    if (e == NULL)
        return FALSE;
    RaOrpcThis orpcthis;
    ra_orpcthis_init(&orpcthis);
    *binding = new_binding(c, iid ? iid : &ref.iid, &ref.std, &orpcthis);
    return *binding != NULL;
}

/* ---- pinging ([MS-DCOM] 3.2.6.1) ---- */

gboolean ra_dcom_client_ping(RaDcomClient *c, GError **error)
{
    if (!ensure_exporter_iface(c, error))
        return FALSE;
    GArray *add = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint i = 0; i < c->bindings->len; i++) {
        const RaOrpcBinding *b = g_ptr_array_index(c->bindings, i);
        if (b->released || (b->std.flags & RA_SORF_NOPING))
            continue;
        gboolean known = FALSE;
        for (guint j = 0; j < c->pinged_oids->len && !known; j++)
            known = g_array_index(c->pinged_oids, guint64, j) == b->std.oid;
        for (guint j = 0; j < add->len && !known; j++)
            known = g_array_index(add, guint64, j) == b->std.oid;
        if (!known)
            g_array_append_val(add, b->std.oid);
    }
    RaNdrPush *push = ra_ndr_push_new();
    gboolean ok;
    guint16 opnum;
    if (add->len > 0 || c->set_id == 0) {
        /* ComplexPing: [in, out] SETID *pSetId, SequenceNum, cAddToSet, cDelFromSet,
         * [unique, size_is(cAddToSet)] OID AddToSet[], [unique] OID DelFromSet[]. */
        opnum = OPNUM_COMPLEX_PING;
        ok = ra_ndr_push_u64(push, c->set_id) && ra_ndr_push_u16(push, ++c->ping_seq) &&
             ra_ndr_push_u16(push, (guint16)add->len) && ra_ndr_push_u16(push, 0) &&
             ra_ndr_push_ptr(push, add->len ? add->data : NULL);
        if (ok && add->len) {
            ok = ra_ndr_push_array_size(push, add->len);
            for (guint i = 0; ok && i < add->len; i++)
                ok = ra_ndr_push_u64(push, g_array_index(add, guint64, i));
        }
        ok = ok && ra_ndr_push_ptr(push, NULL);
    } else {
        opnum = OPNUM_SIMPLE_PING;
        ok = ra_ndr_push_u64(push, c->set_id);
    }
    GBytes *request = push_bytes(ok, push, error);
    if (request == NULL) {
        g_array_unref(add);
        return FALSE;
    }
    GBytes *response = exporter_call(c, opnum, request, error);
    if (response == NULL) {
        g_array_unref(add);
        g_prefix_error(error, "%s: ", opnum == OPNUM_SIMPLE_PING ? "SimplePing" : "ComplexPing");
        return FALSE;
    }
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *pull = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    guint32 status = 0;
    guint64 set_id = c->set_id;
    guint16 backoff;
    if (opnum == OPNUM_COMPLEX_PING)
        ok = ra_ndr_pull_u64(pull, &set_id) && ra_ndr_pull_u16(pull, &backoff) &&
             ra_ndr_pull_u32(pull, &status);
    else
        ok = ra_ndr_pull_u32(pull, &status);
    ok = ra_ndr_pull_finish(pull, error) && ok;
    ra_ndr_pull_free(pull);
    if (ok && status != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "ping refused with status %u", status);
        ok = FALSE;
    }
    if (ok) {
        c->set_id = set_id;
        g_array_append_vals(c->pinged_oids, add->data, add->len);
    }
    g_array_unref(add);
    return ok;
}
