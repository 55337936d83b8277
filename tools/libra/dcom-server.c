/*
 * The DCOM object exporter: activation, IRemUnknown(2), ORPC dispatch, IDispatch, lifetime
 * (see ra/dcom-server.h).
 */
#include "ra/dcom-server.h"
#include "ra/crypto.h"
#include "ra/idispatch.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
    RaUuid ipid;
    RaUuid iid;
    RaDcomObject *object;
    guint32 public_refs;
} IpidEntry;

struct RaDcomObject {
    RaDcomServer *server;
    guint64 oid;
    RaDcomInterfaceImpl *ifaces;
    guint n_ifaces;
    gpointer impl;
    void (*destroy)(gpointer impl);
    GPtrArray *ipids;              /* IpidEntry*, owned by server->ipids */
    const RaDcomClass *factory_of; /* non-NULL for a class object (IClassFactory) */
    gchar *label;                  /* for logs: "RASrv", "IPCHCollection" */
};

struct RaDcomCall {
    RaDcomServer *server;
    RaRpcCall *rpc;
    RaDcomObject *object;
};

struct RaDcomServer {
    RaDcomServerConfig config;
    guint16 port;
    guint64 oxid;
    RaUuid ipid_rem_unknown;
    GHashTable *ipids;   /* RaUuid* -> IpidEntry* (owned) */
    GHashTable *objects; /* guint64* oid -> RaDcomObject* (owned) */
    GPtrArray *classes;  /* RaDcomClass* (owned copies) */
    GHashTable *served;  /* RaUuid* of interfaces registered with the RPC server */
    GPtrArray *fresh;    /* objects created during the current call */
    RaDcomServerStats stats;
};

/* ---- well-known interfaces served here ---- */

static const RaSyntaxId syntax_idispatch = {RA_COM_GUID(0x00020400), 0, 0};
static const RaSyntaxId syntax_iclassfactory = {RA_COM_GUID(0x00000001), 0, 0};
static const RaUuid iid_null = {0};

/* IClassFactory ([MS-DCOM] does not specify it; the remotable form from objidl.idl):
 *   opnum 3 RemoteCreateInstance([in] REFIID riid, [out, iid_is(riid)] IUnknown **ppvObject)
 *   opnum 4 RemoteLockServer([in] BOOL fLock) */
#define OPNUM_CF_CREATEINSTANCE 3
#define OPNUM_CF_LOCKSERVER     4

/* ---- logging ---- */

static void slog(RaDcomServer *s, const RaRpcCall *rpc, RaRpcLogLevel level, const char *format,
                 ...) G_GNUC_PRINTF(4, 5);

static void slog(RaDcomServer *s, const RaRpcCall *rpc, RaRpcLogLevel level, const char *format,
                 ...)
{
    if (s->config.log == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    gchar *peer =
        rpc ? g_strdup_printf("%s:%u", rpc->peer_address ? rpc->peer_address : "?", rpc->peer_port)
            : NULL;
    s->config.log(level, peer, msg, s->config.log_user_data);
    g_free(peer);
    g_free(msg);
}

/* "DOMAIN\user" of the caller, in arena. */
static const char *who(const RaRpcCall *rpc, RaArena *arena)
{
    if (rpc->identity.user == NULL)
        return "(anonymous)";
    gchar *w = rpc->identity.domain && *rpc->identity.domain
                   ? g_strconcat(rpc->identity.domain, "\\", rpc->identity.user, NULL)
                   : g_strdup(rpc->identity.user);
    const char *r = ra_arena_strdup(arena, w);
    g_free(w);
    return r;
}

/* ---- the call object handed to handlers ---- */

const RaRpcCall *ra_dcom_call_rpc(RaDcomCall *call)
{
    return call->rpc;
}

RaDcomServer *ra_dcom_call_server(RaDcomCall *call)
{
    return call->server;
}

RaDcomObject *ra_dcom_call_object(RaDcomCall *call)
{
    return call->object;
}

RaArena *ra_dcom_call_arena(RaDcomCall *call)
{
    return call->rpc->arena;
}

const char *ra_dcom_call_who(RaDcomCall *call)
{
    return who(call->rpc, call->rpc->arena);
}

void ra_dcom_call_log(RaDcomCall *call, RaRpcLogLevel level, const char *format, ...)
{
    RaDcomServer *s = call->server;
    if (s->config.log == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    slog(s, call->rpc, level, "%s", msg);
    g_free(msg);
}

/* ---- objects and IPIDs ---- */

static guint64 random_u64(void)
{
    guint64 v = 0;
    while (v == 0)
        ra_random_bytes((guint8 *)&v, sizeof v);
    return v;
}

RaDcomObject *ra_dcom_object_new(RaDcomServer *s, const RaDcomInterfaceImpl *ifaces, guint n_ifaces,
                                 gpointer impl, void (*destroy)(gpointer impl))
{
    RaDcomObject *o = g_new0(RaDcomObject, 1);
    o->server = s;
    do {
        o->oid = random_u64();
    } while (g_hash_table_contains(s->objects, &o->oid));
    o->ifaces = g_memdup2(ifaces, n_ifaces * sizeof *ifaces);
    o->n_ifaces = n_ifaces;
    o->impl = impl;
    o->destroy = destroy;
    o->ipids = g_ptr_array_new();
    o->label = g_strdup(n_ifaces ? ifaces[0].info->name : "object");
    g_hash_table_insert(s->objects, &o->oid, o);
    if (s->config.resolver)
        ra_oxid_add_oid(s->config.resolver, s->oxid, o->oid);
    g_ptr_array_add(s->fresh, o);
    return o;
}

/* Destroys an object: its IPIDs go, the resolver forgets its OID (unless it expired there). */
static void object_destroy(RaDcomObject *o, gboolean from_resolver)
{
    RaDcomServer *s = o->server;
    for (guint i = 0; i < o->ipids->len; i++) {
        IpidEntry *e = g_ptr_array_index(o->ipids, i);
        g_hash_table_remove(s->ipids, &e->ipid);
    }
    g_ptr_array_unref(o->ipids);
    o->ipids = NULL;
    if (!from_resolver && s->config.resolver)
        ra_oxid_remove_oid(s->config.resolver, o->oid);
    g_ptr_array_remove(s->fresh, o);
    if (o->destroy)
        o->destroy(o->impl);
    g_free(o->ifaces);
    g_free(o->label);
    g_hash_table_remove(s->objects, &o->oid);
    g_free(o);
}

static gboolean object_implements(const RaDcomObject *o, const RaUuid *iid)
{
    if (ra_uuid_equal(iid, &ra_iid_iunknown))
        return TRUE;
    if (o->factory_of)
        return ra_uuid_equal(iid, &ra_iid_iclassfactory);
    if (ra_uuid_equal(iid, &ra_iid_idispatch))
        return o->n_ifaces > 0 && o->ifaces[0].info->dual;
    for (guint i = 0; i < o->n_ifaces; i++) {
        if (ra_uuid_equal(&o->ifaces[i].info->syntax->uuid, iid))
            return TRUE;
    }
    return FALSE;
}

static IpidEntry *object_ipid(RaDcomObject *o, const RaUuid *iid)
{
    for (guint i = 0; i < o->ipids->len; i++) {
        IpidEntry *e = g_ptr_array_index(o->ipids, i);
        if (ra_uuid_equal(&e->iid, iid))
            return e;
    }
    IpidEntry *e = g_new0(IpidEntry, 1);
    do {
        ra_uuid_generate(&e->ipid);
    } while (g_hash_table_contains(o->server->ipids, &e->ipid));
    e->iid = *iid;
    e->object = o;
    g_hash_table_insert(o->server->ipids, &e->ipid, e);
    g_ptr_array_add(o->ipids, e);
    return e;
}

/* The string and security bindings clients reach us at: the address of this call, and its port
 * or the configured exporter port. */
static void call_bindings(const RaDcomServer *s, const RaRpcCall *rpc, RaArena *arena,
                          RaDualStringArray *dsa)
{
    guint16 port = s->config.exporter_port != 0 ? s->config.exporter_port : rpc->local_port;
    memset(dsa, 0, sizeof *dsa);
    const char *const *extra = s->config.extra_bindings; /* issue 7 */
    dsa->n_strings = 1;
    while (extra != NULL && extra[dsa->n_strings - 1] != NULL)
        dsa->n_strings++;
    dsa->strings = ra_arena_alloc_n(arena, dsa->n_strings, sizeof(RaStringBinding));
    dsa->strings[0].tower_id = RA_TOWERID_NCACN_IP_TCP;
    gchar *addr = g_strdup_printf("%s[%u]", rpc->local_address ? rpc->local_address : "", port);
    dsa->strings[0].address = ra_arena_strdup(arena, addr);
    g_free(addr);
    for (guint i = 1; i < dsa->n_strings; i++) {
        dsa->strings[i].tower_id = RA_TOWERID_NCACN_IP_TCP;
        dsa->strings[i].address = ra_arena_strdup(arena, extra[i - 1]);
    }
    dsa->n_security = 1;
    dsa->security = ra_arena_new0(arena, RaSecurityBinding);
    dsa->security[0].authn_svc = RA_AUTH_TYPE_WINNT;
    dsa->security[0].principal = ra_arena_strdup(arena, "");
}

static void object_std(IpidEntry *e, guint32 refs, RaStdObjRef *std)
{
    memset(std, 0, sizeof *std);
    std->public_refs = refs;
    std->oxid = e->object->server->oxid;
    std->oid = e->object->oid;
    std->ipid = e->ipid;
    e->public_refs += refs;
}

gboolean ra_dcom_object_marshal(RaDcomCall *call, RaDcomObject *o, const RaUuid *iid,
                                RaArena *arena, RaInterfacePointer *out, GError **error)
{
    if (!object_implements(o, iid)) {
        char b[RA_UUID_STRING_LEN + 1];
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "%s does not implement %s", o->label,
                    ra_uuid_format(iid, b));
        return FALSE;
    }
    IpidEntry *e = object_ipid(o, iid);
    RaStdObjRef std;
    object_std(e, RA_DCOM_PUBLIC_REFS, &std);
    RaDualStringArray dsa;
    call_bindings(call->server, call->rpc, arena, &dsa);
    return ra_objref_standard_to_mip(iid, &std, &dsa, arena, out, error);
}

/* After a dispatch: objects made during the call that were never handed out die now. */
static void collect_fresh(RaDcomServer *s)
{
    while (s->fresh->len > 0) {
        RaDcomObject *o = g_ptr_array_index(s->fresh, s->fresh->len - 1);
        g_ptr_array_remove_index(s->fresh, s->fresh->len - 1);
        if (o->ipids->len == 0)
            object_destroy(o, FALSE);
    }
}

/* Drops `refs` public references of an IPID; the object dies when none of its IPIDs has any. */
static void release_refs(RaDcomServer *s, IpidEntry *e, guint32 refs)
{
    /* [MS-DCOM] 3.1.1.5.6.1.3: more than held sets the count to 0. */
    e->public_refs = refs > e->public_refs ? 0 : e->public_refs - refs;
    RaDcomObject *o = e->object;
    for (guint i = 0; i < o->ipids->len; i++) {
        const IpidEntry *x = g_ptr_array_index(o->ipids, i);
        if (x->public_refs > 0)
            return;
    }
    s->stats.released++;
    slog(s, NULL, RA_RPC_LOG_DEBUG, "%s object (OID 0x%016" G_GINT64_MODIFIER "x) released",
         o->label, o->oid);
    object_destroy(o, FALSE);
}

void ra_dcom_server_oid_expired(guint64 oxid, guint64 oid, gpointer user_data)
{
    RaDcomServer *s = user_data;
    RaDcomObject *o = g_hash_table_lookup(s->objects, &oid);
    if (o == NULL || oxid != s->oxid)
        return;
    s->stats.expired++;
    slog(s, NULL, RA_RPC_LOG_INFO,
         "%s object (OID 0x%016" G_GINT64_MODIFIER "x) expired: its client stopped pinging",
         o->label, o->oid);
    object_destroy(o, TRUE);
}

/* ---- common checks ---- */

/* Ends the pull of a request (ok: what the pull of its parts returned); the pull stays the
 * caller's. FALSE, after logging "<what> does not decode: <why>", if a part or the end failed: the
 * caller answers nca_s_fault_ndr. */
static gboolean request_decoded(RaDcomServer *s, const RaRpcCall *rpc, RaNdrPull *ndr, gboolean ok,
                                const char *what)
{
    GError *error = NULL;
    if (ra_ndr_pull_finish(ndr, &error) && ok)
        return TRUE;
    if (error == NULL)
        ra_ndr_pull_get_error(ndr, &error);
    slog(s, rpc, RA_RPC_LOG_ERROR, "%s does not decode: %s", what,
         error != NULL ? error->message : "failed");
    g_clear_error(&error);
    return FALSE;
}

/* Pulls the ORPCTHIS at the start of a request and checks its version ([MS-DCOM] 3.1.1.5.1:
 * a major version other than 5 is RPC_E_VERSION_MISMATCH). Returns 0 or a fault. */
static guint32 check_orpcthis(RaDcomServer *s, RaRpcCall *rpc, RaOrpcThis *orpcthis)
{
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    gboolean ok = ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, orpcthis);
    GError *error = NULL;
    if (!ok)
        ra_ndr_pull_get_error(ndr, &error);
    ra_ndr_pull_free(ndr);
    if (!ok) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "%s opnum %u: bad ORPCTHIS: %s", rpc->iface->name,
             rpc->opnum, error->message);
        g_error_free(error);
        return RA_NCA_S_FAULT_NDR;
    }
    if (orpcthis->version.major != RA_COM_VERSION_MAJOR) {
        slog(s, rpc, RA_RPC_LOG_REFUSAL, "%s opnum %u: COM version %u.%u is not supported",
             rpc->iface->name, rpc->opnum, orpcthis->version.major, orpcthis->version.minor);
        return RA_RPC_E_VERSION_MISMATCH;
    }
    return 0;
}

static gboolean check_helper(RaDcomServer *s, RaRpcCall *rpc, const char *what)
{
    if (!s->config.require_helper || rpc->identity.helper)
        return TRUE;
    s->stats.refusals++;
    slog(s, rpc, RA_RPC_LOG_REFUSAL, "%s refused: %s is not in the helpers group", what,
         who(rpc, rpc->arena));
    return FALSE;
}

static GBytes *push_or_null(gboolean ok, RaNdrPush *ndr, GError **error)
{
    GBytes *b = ok ? ra_ndr_push_finish(ndr, error) : NULL;
    if (!ok)
        ra_ndr_push_finish(ndr, error);
    ra_ndr_push_free(ndr);
    return b;
}

/* ---- activation ---- */

static const RaDcomClass *find_class(RaDcomServer *s, const RaUuid *clsid)
{
    for (guint i = 0; i < s->classes->len; i++) {
        const RaDcomClass *c = g_ptr_array_index(s->classes, i);
        if (ra_uuid_equal(&c->clsid, clsid))
            return c;
    }
    return NULL;
}

/* A RemoteCreateInstance/RemoteGetClassObject reply carrying a failure HRESULT only. */
static guint32 activation_reply(RaRpcCall *rpc, RaInterfacePointer *props, guint32 hresult)
{
    RaRemoteActivationOut out = {0};
    out.act_properties = props;
    out.hresult = hresult;
    RaNdrPush *ndr = ra_ndr_push_new();
    gboolean ok = ra_dcom_push_remoteactivation_out(ndr, &out);
    rpc->response = push_or_null(ok, ndr, NULL);
    return rpc->response ? 0 : RA_NCA_S_FAULT_NDR;
}

static const char *class_label(const RaDcomClass *cls, const RaUuid *clsid, RaArena *arena)
{
    if (cls)
        return cls->name;
    char b[RA_UUID_STRING_LEN + 1];
    return ra_arena_strdup(arena, ra_uuid_format(clsid, b));
}

static guint32 activate(RaDcomServer *s, RaRpcCall *rpc)
{
    gboolean class_object = rpc->opnum == RA_OPNUM_REMOTEGETCLASSOBJECT;
    RaInterfacePointer *mip = NULL, *unk_outer = NULL;
    RaOrpcThis orpcthis;
    guint32 fault = check_orpcthis(s, rpc, &orpcthis);
    if (fault)
        return fault;
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    gboolean ok;
    if (class_object) {
        RaRemoteGetClassObjectIn in;
        ok = ra_dcom_pull_remotegetclassobject_in(ndr, &in);
        mip = in.act_properties;
    } else {
        RaRemoteCreateInstanceIn in;
        ok = ra_dcom_pull_remotecreateinstance_in(ndr, &in);
        mip = in.act_properties;
        unk_outer = in.unk_outer;
    }
    ok = request_decoded(s, rpc, ndr, ok, "activation request");
    ra_ndr_pull_free(ndr);
    if (!ok) {
        s->stats.refusals++;
        return RA_NCA_S_FAULT_NDR;
    }
    GError *error = NULL;
    if (mip == NULL) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "activation without activation properties");
        return activation_reply(rpc, NULL, RA_E_INVALIDARG);
    }
    RaActivationBlob blob;
    if (!ra_actprop_from_mip(mip, FALSE, rpc->arena, &blob, &error)) {
        s->stats.refusals++;
        slog(s, rpc, RA_RPC_LOG_ERROR, "activation refused: %s", error->message);
        g_error_free(error);
        return RA_NCA_S_FAULT_NDR;
    }
    const RaActProperty *inst = ra_actprop_find(&blob, RA_ACTPROP_INSTANTIATION_INFO);
    if (inst == NULL || inst->u.instantiation.iids == NULL) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "activation without InstantiationInfoData");
        return activation_reply(rpc, NULL, RA_E_INVALIDARG);
    }
    RaDcomActivation act = {0};
    act.clsid = inst->u.instantiation.class_id;
    act.client_version = inst->u.instantiation.client_version;
    act.n_iids = inst->u.instantiation.n_iids;
    act.iids = inst->u.instantiation.iids;
    act.class_object = class_object;
    act.session_id = RA_ACTPROP_ANY_SESSION;
    const RaActProperty *special = ra_actprop_find(&blob, RA_ACTPROP_SPECIAL_PROPERTIES);
    if (special)
        act.session_id = special->u.special.session_id;
    const RaDcomClass *cls = find_class(s, &act.clsid);
    const char *name = class_label(cls, &act.clsid, rpc->arena);
    gchar *session = act.session_id == RA_ACTPROP_ANY_SESSION
                         ? g_strdup("any session")
                         : g_strdup_printf("session %u", act.session_id);

    guint32 hr = RA_S_OK;
    if (!check_helper(s, rpc, class_object ? "class object activation" : "activation"))
        hr = RA_E_ACCESSDENIED;
    else if (unk_outer != NULL)
        hr = RA_CLASS_E_NOAGGREGATION;
    else if (cls == NULL)
        hr = RA_REGDB_E_CLASSNOTREG;
    else if (g_hash_table_size(s->objects) >= s->config.max_objects)
        hr = RA_E_OUTOFMEMORY;
    RaDcomObject *object = NULL;
    if (hr == RA_S_OK) {
        RaDcomCall dcall = {s, rpc, NULL};
        if (class_object) {
            object = ra_dcom_object_new(s, NULL, 0, NULL, NULL);
            object->factory_of = cls;
            g_free(object->label);
            object->label = g_strdup_printf("%s class object", cls->name);
        } else {
            gpointer impl = cls->create(cls->class_data, &dcall, &act, &hr);
            if (impl != NULL)
                object = ra_dcom_object_new(s, cls->ifaces, cls->n_ifaces, impl, cls->destroy);
            else if (hr == RA_S_OK)
                hr = RA_E_FAIL;
        }
    }
    if (hr != RA_S_OK) {
        if (hr != RA_E_ACCESSDENIED)
            s->stats.refusals++;
        slog(s, rpc, RA_RPC_LOG_REFUSAL, "activation of %s (%s) by %s: 0x%08x (%s)", name, session,
             who(rpc, rpc->arena), hr, ra_hresult_name(hr) ? ra_hresult_name(hr) : "?");
        g_free(session);
        collect_fresh(s);
        return activation_reply(rpc, NULL, hr);
    }

    /* PropsOutInfo: an OBJREF per requested IID ([MS-DCOM] 3.1.2.5.2.3.3). */
    RaPropsOutInfo *po = ra_arena_new0(rpc->arena, RaPropsOutInfo);
    po->n_ifs = act.n_iids;
    po->iids = ra_arena_memdup(rpc->arena, act.iids, act.n_iids * sizeof(RaUuid));
    po->hresults = ra_arena_alloc_n(rpc->arena, act.n_iids, sizeof(guint32));
    po->intf_data = ra_arena_alloc_n(rpc->arena, act.n_iids, sizeof(RaInterfacePointer *));
    RaDcomCall dcall = {s, rpc, object};
    guint found = 0;
    for (guint i = 0; i < act.n_iids; i++) {
        RaInterfacePointer *p = ra_arena_new0(rpc->arena, RaInterfacePointer);
        if (ra_dcom_object_marshal(&dcall, object, &act.iids[i], rpc->arena, p, NULL)) {
            po->intf_data[i] = p;
            found++;
        } else {
            po->hresults[i] = RA_E_NOINTERFACE;
        }
    }
    if (found == 0) {
        slog(s, rpc, RA_RPC_LOG_REFUSAL, "activation of %s by %s: no requested interface", name,
             who(rpc, rpc->arena));
        g_free(session);
        collect_fresh(s);
        return activation_reply(rpc, NULL, RA_E_NOINTERFACE);
    }
    /* ScmReplyInfoData: the exporter's OXID and bindings. impacket reads PropsOutInfo first. */
    RaScmReplyInfo *sr = ra_arena_new0(rpc->arena, RaScmReplyInfo);
    sr->remote_reply = ra_arena_new0(rpc->arena, RaRemoteReplyScmInfo);
    sr->remote_reply->oxid = s->oxid;
    sr->remote_reply->oxid_bindings = ra_arena_new0(rpc->arena, RaDualStringArray);
    call_bindings(s, rpc, rpc->arena, sr->remote_reply->oxid_bindings);
    sr->remote_reply->ipid_rem_unknown = s->ipid_rem_unknown;
    sr->remote_reply->authn_hint = s->config.authn_hint;
    sr->remote_reply->server_version = (RaComVersion){RA_COM_VERSION_MAJOR, RA_COM_VERSION_MINOR};
    RaActProperty props[2];
    memset(props, 0, sizeof props);
    props[0].kind = RA_ACTPROP_PROPS_OUT_INFO;
    props[0].u.props_out = *po;
    props[1].kind = RA_ACTPROP_SCM_REPLY_INFO;
    props[1].u.scm_reply = *sr;
    RaActivationBlob out_blob = {0};
    out_blob.header.dest_ctx = 2; /* MSHCTX_DIFFERENTMACHINE, as Windows writes it */
    out_blob.n_properties = 2;
    out_blob.properties = props;
    RaInterfacePointer *out_mip = ra_arena_new0(rpc->arena, RaInterfacePointer);
    if (!ra_actprop_to_mip(&out_blob, TRUE, rpc->arena, out_mip, &error)) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "activation reply: %s", error->message);
        g_error_free(error);
        g_free(session);
        return RA_NCA_S_FAULT_REMOTE_NO_MEMORY;
    }
    s->stats.activations++;
    slog(s, rpc, RA_RPC_LOG_INFO, "activation of %s (%s) by %s: OID 0x%016" G_GINT64_MODIFIER "x",
         name, session, who(rpc, rpc->arena), object->oid);
    g_free(session);
    g_ptr_array_remove(s->fresh, object);
    collect_fresh(s);
    return activation_reply(rpc, out_mip, RA_S_OK);
}

static guint32 dispatch_activator(RaRpcCall *rpc, gpointer user_data)
{
    RaDcomServer *s = user_data;
    if (rpc->opnum != RA_OPNUM_REMOTECREATEINSTANCE && rpc->opnum != RA_OPNUM_REMOTEGETCLASSOBJECT)
        return RA_NCA_OP_RNG_ERROR;
    return activate(s, rpc);
}

/* ---- IRemUnknown / IRemUnknown2 ---- */

static IpidEntry *lookup_ipid(RaDcomServer *s, const RaUuid *ipid)
{
    return g_hash_table_lookup(s->ipids, ipid);
}

static guint32 rem_query_interface(RaDcomServer *s, RaRpcCall *rpc, RaNdrPull *ndr, RaNdrPush *push)
{
    RaRemQueryInterfaceIn in;
    if (!request_decoded(s, rpc, ndr, ra_dcom_pull_remqueryinterface_in(ndr, &in),
                         "RemQueryInterface"))
        return RA_NCA_S_FAULT_NDR;
    RaRemQueryInterfaceOut out = {0};
    out.n_results = in.n_iids;
    IpidEntry *e = lookup_ipid(s, &in.ripid);
    if (e == NULL) {
        /* [MS-DCOM] 3.1.1.5.6.1.1 */
        out.hresult = RA_RPC_E_INVALID_OBJECT;
    } else {
        out.results =
            ra_arena_alloc_n(rpc->arena, in.n_iids ? in.n_iids : 1, sizeof(RaRemQiResult));
        guint found = 0;
        for (guint i = 0; i < in.n_iids; i++) {
            if (object_implements(e->object, &in.iids[i])) {
                IpidEntry *x = object_ipid(e->object, &in.iids[i]);
                object_std(x, in.refs, &out.results[i].std);
                found++;
            } else {
                out.results[i].hresult = RA_E_NOINTERFACE;
            }
        }
        out.hresult = found == in.n_iids ? RA_S_OK : found ? RA_S_FALSE : RA_E_NOINTERFACE;
    }
    return ra_dcom_push_remqueryinterface_out(push, &out) ? 0 : RA_NCA_S_FAULT_NDR;
}

static guint32 rem_query_interface2(RaDcomServer *s, RaRpcCall *rpc, RaNdrPull *ndr,
                                    RaNdrPush *push)
{
    RaRemQueryInterface2In in;
    if (!request_decoded(s, rpc, ndr, ra_dcom_pull_remqueryinterface2_in(ndr, &in),
                         "RemQueryInterface2"))
        return RA_NCA_S_FAULT_NDR;
    RaRemQueryInterface2Out out = {0};
    out.n_iids = in.n_iids;
    out.hresults = ra_arena_alloc_n(rpc->arena, in.n_iids ? in.n_iids : 1, sizeof(guint32));
    out.mifs =
        ra_arena_alloc_n(rpc->arena, in.n_iids ? in.n_iids : 1, sizeof(RaInterfacePointer *));
    IpidEntry *e = lookup_ipid(s, &in.ripid);
    if (e == NULL) {
        for (guint i = 0; i < in.n_iids; i++)
            out.hresults[i] = RA_RPC_E_INVALID_OBJECT;
        out.hresult = RA_RPC_E_INVALID_OBJECT;
    } else {
        RaDcomCall dcall = {s, rpc, e->object};
        guint found = 0;
        for (guint i = 0; i < in.n_iids; i++) {
            RaInterfacePointer *p = ra_arena_new0(rpc->arena, RaInterfacePointer);
            if (ra_dcom_object_marshal(&dcall, e->object, &in.iids[i], rpc->arena, p, NULL)) {
                out.mifs[i] = p;
                found++;
            } else {
                out.hresults[i] = RA_E_NOINTERFACE;
            }
        }
        out.hresult = found == in.n_iids ? RA_S_OK : found ? RA_S_FALSE : RA_E_NOINTERFACE;
    }
    return ra_dcom_push_remqueryinterface2_out(push, &out) ? 0 : RA_NCA_S_FAULT_NDR;
}

static guint32 rem_add_release(RaDcomServer *s, RaRpcCall *rpc, RaNdrPull *ndr, RaNdrPush *push,
                               gboolean add)
{
    RaRemAddRefIn in;
    if (!request_decoded(s, rpc, ndr, ra_dcom_pull_remaddref_in(ndr, &in),
                         add ? "RemAddRef" : "RemRelease"))
        return RA_NCA_S_FAULT_NDR;
    if (add) {
        RaRemAddRefOut out = {0};
        out.n_results = in.n_refs;
        out.results = ra_arena_alloc_n(rpc->arena, in.n_refs ? in.n_refs : 1, sizeof(guint32));
        for (guint i = 0; i < in.n_refs; i++) {
            IpidEntry *e = lookup_ipid(s, &in.refs[i].ipid);
            if (e == NULL)
                out.results[i] = RA_CO_E_OBJNOTREG; /* [MS-DCOM] 3.1.1.5.6.1.2 */
            else if (in.refs[i].public_refs > G_MAXUINT32 - e->public_refs)
                out.results[i] = RA_E_INVALIDARG;
            else
                e->public_refs += in.refs[i].public_refs;
        }
        return ra_dcom_push_remaddref_out(push, &out) ? 0 : RA_NCA_S_FAULT_NDR;
    }
    /* [MS-DCOM] 3.1.1.5.6.1.3: unknown IPIDs are skipped. A RemRelease may name one IPID twice:
     * look each up again, since an earlier entry may have destroyed the object. */
    for (guint i = 0; i < in.n_refs; i++) {
        IpidEntry *e = lookup_ipid(s, &in.refs[i].ipid);
        if (e != NULL)
            release_refs(s, e, in.refs[i].public_refs);
    }
    RaRemReleaseOut out = {0};
    return ra_dcom_push_remrelease_out(push, &out) ? 0 : RA_NCA_S_FAULT_NDR;
}

static guint32 dispatch_remunknown(RaRpcCall *rpc, gpointer user_data)
{
    RaDcomServer *s = user_data;
    gboolean v2 = ra_uuid_equal(&rpc->iface->id.uuid, &ra_iid_iremunknown2);
    if (rpc->opnum < RA_OPNUM_REMQUERYINTERFACE ||
        rpc->opnum > (v2 ? RA_OPNUM_REMQUERYINTERFACE2 : RA_OPNUM_REMRELEASE))
        return RA_NCA_OP_RNG_ERROR;
    if (!rpc->has_object || !ra_uuid_equal(&rpc->object, &s->ipid_rem_unknown)) {
        s->stats.refusals++;
        slog(s, rpc, RA_RPC_LOG_REFUSAL, "%s call on an IPID that is not IRemUnknown's",
             rpc->iface->name);
        return RA_RPC_E_INVALID_IPID;
    }
    if (!check_helper(s, rpc, rpc->iface->name))
        return RA_NCA_S_FAULT_ACCESS_DENIED;
    RaOrpcThis orpcthis;
    guint32 fault = check_orpcthis(s, rpc, &orpcthis);
    if (fault)
        return fault;
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    RaNdrPush *push = ra_ndr_push_new();
    switch (rpc->opnum) {
    case RA_OPNUM_REMQUERYINTERFACE:
        fault = rem_query_interface(s, rpc, ndr, push);
        break;
    case RA_OPNUM_REMADDREF:
        fault = rem_add_release(s, rpc, ndr, push, TRUE);
        break;
    case RA_OPNUM_REMRELEASE:
        fault = rem_add_release(s, rpc, ndr, push, FALSE);
        break;
    default:
        fault = rem_query_interface2(s, rpc, ndr, push);
        break;
    }
    ra_ndr_pull_free(ndr);
    if (fault == 0) {
        rpc->response = push_or_null(TRUE, push, NULL);
        if (rpc->response == NULL)
            fault = RA_NCA_S_FAULT_NDR;
    } else {
        ra_ndr_push_free(push);
    }
    collect_fresh(s);
    return fault;
}

/* ---- IDispatch ([MS-OAUT] 3.1.4.3, 3.1.4.4) on the generated tables ---- */

static guint32 get_ids_of_names(RaDcomServer *s, RaRpcCall *rpc, const RaRaiInterfaceInfo *info)
{
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    RaGetIDsOfNamesIn in;
    gboolean ok =
        request_decoded(s, rpc, ndr, ra_dispatch_pull_getidsofnames_in(ndr, &in), "GetIDsOfNames");
    ra_ndr_pull_free(ndr);
    if (!ok)
        return RA_NCA_S_FAULT_NDR;
    RaGetIDsOfNamesOut out = {0};
    out.n_ids = in.n_names;
    out.ids = ra_arena_alloc_n(rpc->arena, in.n_names ? in.n_names : 1, sizeof(gint32));
    if (!ra_uuid_equal(&in.riid, &iid_null)) {
        out.result = RA_DISP_E_UNKNOWNINTERFACE;
    } else if (in.n_names == 0) {
        out.result = RA_E_INVALIDARG;
    } else {
        out.result = RA_S_OK;
        for (guint i = 0; i < in.n_names; i++)
            out.ids[i] = RA_DISPID_UNKNOWN;
        /* The member, then its parameters by name (their position). */
        const RaRaiMethodInfo *member = NULL;
        for (guint m = 0; m < info->n_methods && in.names[0]; m++) {
            const RaRaiMethodInfo *mi = &info->methods[m];
            if (!mi->has_dispid || g_ascii_strcasecmp(mi->name, in.names[0]) != 0)
                continue;
            out.ids[0] = mi->dispid;
            if (member == NULL || mi->n_params > member->n_params)
                member = mi;
        }
        if (member == NULL)
            out.result = RA_DISP_E_UNKNOWNNAME;
        for (guint i = 1; i < in.n_names; i++) {
            for (guint p = 0; member && in.names[i] && p < member->n_params; p++) {
                if (g_ascii_strcasecmp(member->params[p].name, in.names[i]) == 0)
                    out.ids[i] = (gint32)p;
            }
            if (out.ids[i] == RA_DISPID_UNKNOWN)
                out.result = RA_DISP_E_UNKNOWNNAME;
        }
    }
    RaNdrPush *push = ra_ndr_push_new();
    ok = ra_dispatch_push_getidsofnames_out(push, &out);
    rpc->response = push_or_null(ok, push, NULL);
    return rpc->response ? 0 : RA_NCA_S_FAULT_NDR;
}

static const RaRaiMethodInfo *find_member(const RaRaiInterfaceInfo *info, gint32 dispid,
                                          guint32 flags, gboolean *exists)
{
    *exists = FALSE;
    for (guint m = 0; m < info->n_methods; m++) {
        const RaRaiMethodInfo *mi = &info->methods[m];
        if (!mi->has_dispid || mi->dispid != dispid || !mi->remote || mi->builtin)
            continue;
        *exists = TRUE;
        if ((flags & RA_DISPATCH_PROPERTYPUT) && mi->prop == RA_RAI_PROP_PUT)
            return mi;
        if ((flags & RA_DISPATCH_PROPERTYPUTREF) && mi->prop == RA_RAI_PROP_PUTREF)
            return mi;
        if ((flags & (RA_DISPATCH_METHOD | RA_DISPATCH_PROPERTYGET)) &&
            (mi->prop == RA_RAI_PROP_NONE || mi->prop == RA_RAI_PROP_GET))
            return mi;
    }
    return NULL;
}

static guint32 invoke(RaDcomServer *s, RaRpcCall *rpc, RaDcomObject *o,
                      const RaDcomInterfaceImpl *impl)
{
    const RaRaiInterfaceInfo *info = impl->info;
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    RaInvokeIn in;
    gboolean ok = request_decoded(s, rpc, ndr, ra_dispatch_pull_invoke_in(ndr, &in), "Invoke");
    ra_ndr_pull_free(ndr);
    if (!ok)
        return RA_NCA_S_FAULT_NDR;
    RaInvokeOut out = {0};
    out.n_var_ref = in.n_var_ref;
    out.var_ref = in.var_ref;
    GError *error = NULL;
    guint32 hr = RA_S_OK;
    gboolean exists;
    const RaRaiMethodInfo *mi = NULL;
    RaVariant **args = NULL;
    guint n_args = 0;
    if (!ra_uuid_equal(&in.riid, &iid_null)) {
        hr = RA_DISP_E_UNKNOWNINTERFACE;
    } else if ((mi = find_member(info, in.dispid, in.flags, &exists)) == NULL) {
        hr = RA_DISP_E_MEMBERNOTFOUND;
    } else if ((in.flags & (RA_DISPATCH_PROPERTYPUT | RA_DISPATCH_PROPERTYPUTREF)) &&
               (in.params.n_named != 1 || in.params.named[0] != RA_DISPID_PROPERTYPUT)) {
        /* A property put names its value DISPID_PROPERTYPUT ([MS-OAUT] 3.1.4.4). */
        hr = RA_DISP_E_PARAMNOTFOUND;
    } else if (!(in.flags & (RA_DISPATCH_PROPERTYPUT | RA_DISPATCH_PROPERTYPUTREF)) &&
               in.params.n_named != 0) {
        hr = RA_DISP_E_NONAMEDARGS;
    } else if (!ra_dispatch_merge_var_refs(&in, rpc->arena, &args, &error)) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "Invoke: %s", error->message);
        g_error_free(error);
        return RA_NCA_S_FAULT_NDR;
    } else {
        n_args = in.params.n_args;
        guint arg_err = 0;
        RaDcomCall dcall = {s, rpc, o};
        guint32 fault = info->invoke(impl->handlers, o->impl, &dcall, mi->opnum, args, n_args,
                                     &out.result, rpc->arena, &hr, &arg_err);
        if (fault != 0)
            return fault;
        if (hr == RA_DISP_E_TYPEMISMATCH || hr == RA_DISP_E_PARAMNOTFOUND) {
            out.arg_err = n_args - 1 - arg_err; /* DISPPARAMS order */
        } else if ((hr & 0x80000000u) && hr != RA_DISP_E_BADPARAMCOUNT) {
            /* The method failed: DISP_E_EXCEPTION with its HRESULT, as ITypeInfo::Invoke
             * reports a failed dual-interface method. */
            out.excep_info.scode = hr;
            out.excep_info.source = ra_arena_strdup(rpc->arena, info->name);
            const char *hn = ra_hresult_name(hr);
            out.excep_info.description = ra_arena_strdup(rpc->arena, hn ? hn : "the method failed");
            hr = RA_DISP_E_EXCEPTION;
        }
    }
    if (in.flags & RA_DISPATCH_ZEROVARRESULT)
        memset(&out.result, 0, sizeof out.result);
    if (in.flags & RA_DISPATCH_ZEROEXCEPINFO)
        memset(&out.excep_info, 0, sizeof out.excep_info);
    if (in.flags & RA_DISPATCH_ZEROARGERR)
        out.arg_err = 0;
    out.hresult = hr;
    RaNdrPush *push = ra_ndr_push_new();
    ok = ra_dispatch_push_invoke_out(push, &out);
    rpc->response = push_or_null(ok, push, &error);
    if (rpc->response == NULL) {
        slog(s, rpc, RA_RPC_LOG_ERROR, "Invoke reply: %s", error ? error->message : "?");
        g_clear_error(&error);
        return RA_NCA_S_FAULT_NDR;
    }
    return 0;
}

/* ---- ORPC calls on objects ---- */

static const RaDcomInterfaceImpl *object_iface(const RaDcomObject *o, const RaUuid *iid)
{
    for (guint i = 0; i < o->n_ifaces; i++) {
        if (ra_uuid_equal(&o->ifaces[i].info->syntax->uuid, iid))
            return &o->ifaces[i];
    }
    return NULL;
}

static guint32 class_factory_call(RaDcomServer *s, RaRpcCall *rpc, RaDcomObject *o)
{
    const RaDcomClass *cls = o->factory_of;
    RaNdrPull *ndr = ra_ndr_pull_new(rpc->stub, rpc->stub_len, rpc->arena);
    RaOrpcThis orpcthis;
    RaUuid riid = {0};
    gint32 lock = 0;
    gboolean ok = ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &orpcthis);
    if (rpc->opnum == OPNUM_CF_CREATEINSTANCE)
        ok = ok && ra_ndr_pull_uuid(ndr, &riid);
    else
        ok = ok && ra_ndr_pull_i32(ndr, &lock);
    ok = request_decoded(s, rpc, ndr, ok, "IClassFactory call");
    ra_ndr_pull_free(ndr);
    if (!ok)
        return RA_NCA_S_FAULT_NDR;
    RaNdrPush *push = ra_ndr_push_new();
    RaOrpcThat that = {0};
    ok = ra_dcom_push_orpcthat(push, RA_NDR_BOTH, &that);
    guint32 hr = RA_S_OK;
    if (rpc->opnum == OPNUM_CF_CREATEINSTANCE) {
        RaDcomActivation act = {0};
        act.clsid = cls->clsid;
        act.session_id = RA_ACTPROP_ANY_SESSION;
        act.n_iids = 1;
        act.iids = &riid;
        RaDcomCall dcall = {s, rpc, o};
        RaInterfacePointer *mip = NULL;
        gpointer impl = cls->create(cls->class_data, &dcall, &act, &hr);
        if (impl != NULL) {
            RaDcomObject *obj =
                ra_dcom_object_new(s, cls->ifaces, cls->n_ifaces, impl, cls->destroy);
            mip = ra_arena_new0(rpc->arena, RaInterfacePointer);
            if (!ra_dcom_object_marshal(&dcall, obj, &riid, rpc->arena, mip, NULL)) {
                mip = NULL;
                hr = RA_E_NOINTERFACE;
            } else {
                s->stats.activations++;
                slog(s, rpc, RA_RPC_LOG_INFO,
                     "IClassFactory::CreateInstance of %s by %s: OID 0x%016" G_GINT64_MODIFIER "x",
                     cls->name, who(rpc, rpc->arena), obj->oid);
            }
        } else if (hr == RA_S_OK) {
            hr = RA_E_FAIL;
        }
        /* [out, iid_is(riid)] IUnknown **ppvObject: a unique interface pointer. */
        ok = ok && ra_oaut_push_interface_ptr(push, RA_NDR_BOTH, mip);
    }
    ok = ok && ra_ndr_push_u32(push, hr);
    rpc->response = push_or_null(ok, push, NULL);
    return rpc->response ? 0 : RA_NCA_S_FAULT_NDR;
}

static guint32 dispatch_object(RaRpcCall *rpc, gpointer user_data)
{
    RaDcomServer *s = user_data;
    IpidEntry *e = rpc->has_object ? lookup_ipid(s, &rpc->object) : NULL;
    if (e == NULL) {
        s->stats.refusals++;
        char b[RA_UUID_STRING_LEN + 1];
        slog(s, rpc, RA_RPC_LOG_REFUSAL,
             "%s opnum %u on %s: no such object (released or never "
             "exported)",
             rpc->iface->name, rpc->opnum,
             rpc->has_object ? ra_uuid_format(&rpc->object, b) : "no IPID");
        return RA_RPC_E_INVALID_IPID;
    }
    if (!check_helper(s, rpc, "call"))
        return RA_NCA_S_FAULT_ACCESS_DENIED;
    RaDcomObject *o = e->object;
    const RaUuid *bound = &rpc->iface->id.uuid;
    guint32 fault;
    if (o->factory_of) {
        if (!ra_uuid_equal(bound, &ra_iid_iclassfactory))
            return RA_NCA_UNK_IF;
        if (rpc->opnum != OPNUM_CF_CREATEINSTANCE && rpc->opnum != OPNUM_CF_LOCKSERVER)
            return RA_NCA_OP_RNG_ERROR;
        fault = class_factory_call(s, rpc, o);
        collect_fresh(s);
        return fault;
    }
    const RaDcomInterfaceImpl *impl = object_iface(o, bound);
    if (impl == NULL && ra_uuid_equal(bound, &ra_iid_idispatch) && o->n_ifaces > 0 &&
        o->ifaces[0].info->dual)
        impl = &o->ifaces[0];
    if (impl == NULL) {
        s->stats.refusals++;
        slog(s, rpc, RA_RPC_LOG_REFUSAL, "%s call on a %s object, which does not implement it",
             rpc->iface->name, o->label);
        return RA_NCA_UNK_IF;
    }
    RaOrpcThis orpcthis;
    fault = check_orpcthis(s, rpc, &orpcthis);
    if (fault)
        return fault;
    const RaRaiInterfaceInfo *info = impl->info;
    gboolean dispatch_only = ra_uuid_equal(bound, &ra_iid_idispatch);
    if (rpc->opnum == RA_OPNUM_GETIDSOFNAMES && info->dual) {
        fault = get_ids_of_names(s, rpc, info);
    } else if (rpc->opnum == RA_OPNUM_INVOKE && info->dual) {
        fault = invoke(s, rpc, o, impl);
    } else if (!dispatch_only && rpc->opnum >= info->own_first && rpc->opnum < info->n_methods) {
        RaDcomCall dcall = {s, rpc, o};
        GError *error = NULL;
        fault = info->dispatch(impl->handlers, o->impl, &dcall, rpc->opnum, rpc->stub,
                               rpc->stub_len, rpc->arena, &rpc->response, &error);
        if (error != NULL) {
            slog(s, rpc, RA_RPC_LOG_ERROR, "%s", error->message);
            g_error_free(error);
        }
    } else {
        /* IUnknown 0-2 go through IRemUnknown; IDispatch 3-4 are never remote ([MS-RAI]
         * 3.1.4.1); anything else is not a method of this interface. */
        fault = RA_NCA_OP_RNG_ERROR;
    }
    collect_fresh(s);
    return fault;
}

/* ---- setup ---- */

void ra_dcom_server_config_init(RaDcomServerConfig *config)
{
    memset(config, 0, sizeof *config);
    config->require_helper = TRUE;
    config->authn_hint = RA_AUTH_LEVEL_PKT_PRIVACY;
    config->max_objects = 65536;
}

static void serve_interface(RaDcomServer *s, const RaSyntaxId *id, const char *name,
                            guint16 n_opnums, RaRpcDispatchFunc dispatch)
{
    if (g_hash_table_contains(s->served, &id->uuid))
        return;
    g_hash_table_add(s->served, g_memdup2(&id->uuid, sizeof id->uuid));
    RaRpcInterface iface = {0};
    iface.id = *id;
    iface.name = name;
    iface.n_opnums = n_opnums;
    iface.dispatch = dispatch;
    iface.user_data = s;
    ra_rpc_server_register(s->config.rpc, &iface);
}

RaDcomServer *ra_dcom_server_new(const RaDcomServerConfig *config, guint16 port)
{
    RaDcomServer *s = g_new0(RaDcomServer, 1);
    s->config = *config;
    s->port = port;
    s->ipids = g_hash_table_new_full(ra_uuid_hash, ra_uuid_equal_func, NULL, g_free);
    s->objects = g_hash_table_new(g_int64_hash, g_int64_equal);
    s->classes = g_ptr_array_new_with_free_func(g_free);
    s->served = g_hash_table_new_full(ra_uuid_hash, ra_uuid_equal_func, g_free, NULL);
    s->fresh = g_ptr_array_new();
    s->oxid = random_u64();
    ra_uuid_generate(&s->ipid_rem_unknown);
    if (s->config.resolver)
        ra_oxid_add(s->config.resolver, s->oxid, &s->ipid_rem_unknown, s->config.authn_hint,
                    s->config.exporter_port);
    if (s->config.rpc) {
        serve_interface(s, &ra_syntax_iremote_scm_activator, "IRemoteSCMActivator", 5,
                        dispatch_activator);
        serve_interface(s, &ra_syntax_iremunknown, "IRemUnknown", 6, dispatch_remunknown);
        serve_interface(s, &ra_syntax_iremunknown2, "IRemUnknown2", 7, dispatch_remunknown);
        serve_interface(s, &syntax_idispatch, "IDispatch", 7, dispatch_object);
        serve_interface(s, &syntax_iclassfactory, "IClassFactory", 5, dispatch_object);
    }
    if (s->config.epm && port != 0)
        ra_epm_add_endpoint(s->config.epm, &ra_syntax_iremote_scm_activator, NULL, port,
                            "DCOM activation (IRemoteSCMActivator)");
    return s;
}

void ra_dcom_server_serve_interfaces(RaDcomServer *s, const RaDcomInterfaceImpl *ifaces,
                                     guint n_ifaces)
{
    for (guint i = 0; s->config.rpc && i < n_ifaces; i++) {
        const RaRaiInterfaceInfo *info = ifaces[i].info;
        serve_interface(s, info->syntax, info->name, info->n_methods, dispatch_object);
    }
}

void ra_dcom_server_register_class(RaDcomServer *s, const RaDcomClass *cls)
{
    RaDcomClass *copy = g_memdup2(cls, sizeof *cls);
    g_ptr_array_add(s->classes, copy);
    ra_dcom_server_serve_interfaces(s, cls->ifaces, cls->n_ifaces);
}

void ra_dcom_server_attach_resolver(RaDcomServer *s, RaOxidResolver *resolver)
{
    s->config.resolver = resolver;
    ra_oxid_add(resolver, s->oxid, &s->ipid_rem_unknown, s->config.authn_hint,
                s->config.exporter_port);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->objects);
    while (g_hash_table_iter_next(&it, NULL, &v))
        ra_oxid_add_oid(resolver, s->oxid, ((RaDcomObject *)v)->oid);
}

void ra_dcom_server_free(RaDcomServer *s)
{
    if (s == NULL)
        return;
    /* The resolver may be gone already: forget it before destroying objects. */
    s->config.resolver = NULL;
    GList *objects = g_hash_table_get_values(s->objects);
    for (GList *l = objects; l; l = l->next)
        object_destroy(l->data, TRUE);
    g_list_free(objects);
    g_hash_table_unref(s->ipids);
    g_hash_table_unref(s->objects);
    g_ptr_array_unref(s->classes);
    g_hash_table_unref(s->served);
    g_ptr_array_unref(s->fresh);
    g_free(s);
}

void ra_dcom_server_get_stats(RaDcomServer *s, RaDcomServerStats *stats)
{
    *stats = s->stats;
    stats->oxid = s->oxid;
    stats->ipid_rem_unknown = s->ipid_rem_unknown;
    stats->objects = g_hash_table_size(s->objects);
    stats->ipids = g_hash_table_size(s->ipids);
}
