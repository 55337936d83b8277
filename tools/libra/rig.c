/*
 * A novice and an expert in one process, every byte recorded (see ra/rig.h).
 */
#include "ra/rig.h"
#include "ra/bytes.h"
#include "ra/actprop.h"
#include "ra/dcom-server.h"
#include "ra/epm.h"
#include "ra/error.h"
#include "ra/idispatch.h"
#include "ra/ndr.h"
#include "ra/ntlmssp.h"
#include "ra/oxid.h"
#include "ra/pdu.h"
#include "ra/rpc-server.h"
#include "ra/transport.h"
#include "rai-ndr.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_NOVICE   "192.0.2.10"
#define DEFAULT_EXPERT   "192.0.2.20"
#define SOCKET_TIMEOUT_S 30

/* What the dispatch wrapper learned about the call in progress, from the novice's side. */
typedef struct {
    guint32 call_id;
    gchar *request;  /* comment for the request's first fragment */
    gchar *response; /* comment for the answer's first fragment */
} CallNote;

typedef struct {
    RaRig *rig;
    guint index;
    GSocket *expert_socket; /* our reference: g_socket_is_closed() tells the expert closed it */
    GSocket *novice_socket;
    GSource *source;
    RaRpcAssoc *assoc;
    GByteArray *in;
    gboolean expert_closed; /* recorded */
    gboolean novice_closed; /* recorded */
    gint last_request;      /* event index of the last request's first fragment, or -1 */
    /* bound presentation contexts: context id -> interface name (for comments) */
    GHashTable *contexts;
    gboolean activation; /* reached at the activation port */
} RigConn;

/* One interface wrapped for comments. */
typedef struct {
    RaRig *rig;
    RaRpcDispatchFunc dispatch;
    gpointer user_data;
    RaSyntaxId id;
    gchar *name;
} Wrapped;

struct RaRig {
    RaRigConfig config;
    gchar *novice_address, *expert_address, *computer_name;
    gboolean ipv6;
    /* the novice, used on its thread only once started */
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    RaRpcServer *rpc;
    RaEpm *epm;
    RaOxidResolver *oxid;
    RaDcomServer *dcom;
    RaRaiServer *rai;
    GPtrArray *wrapped; /* Wrapped* */
    /* set by the novice's thread around ra_rpc_assoc_input() */
    RigConn *current;
    GPtrArray *notes;  /* CallNote* */
    GPtrArray *logged; /* gchar*: refusals and errors the runtime logged during this input */
    gchar *offer_note; /* what the novice's offer callback said during this input */
    /* shared: under lock */
    GMutex lock;
    GPtrArray *events;       /* RaRigEvent* */
    GPtrArray *conns;        /* RigConn* */
    GPtrArray *public_conns; /* RaRigConnection* */
    gchar *note;
    guint64 offers, refused;
    gboolean finished;
};

void ra_rig_config_init(RaRigConfig *config)
{
    memset(config, 0, sizeof *config);
    config->novice_address = DEFAULT_NOVICE;
    config->activation_port = 135;
    config->exporter_port = 49668;
    config->computer_name = "NOVICE";
    config->min_auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config->flavor = RA_RAI_FLAVOR_BOTH;
    config->listener_port = 49685;
    config->expert_address = DEFAULT_EXPERT;
    config->first_expert_port = 49750;
}

/* ---- names for comments ---- */

static const char *guid_name(const RaUuid *g, char buf[RA_UUID_STRING_LEN + 1])
{
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++) {
        if (ra_uuid_equal(g, &ra_rai_interfaces[i]->syntax->uuid))
            return ra_rai_interfaces[i]->name;
    }
    if (ra_uuid_equal(g, &ra_rai_clsid_RASrv))
        return "RASrv";
    if (ra_uuid_equal(g, &ra_rai_clsid_PCHService))
        return "PCHService";
    if (ra_uuid_equal(g, &ra_iid_idispatch))
        return "IDispatch";
    if (ra_uuid_equal(g, &ra_iid_iunknown))
        return "IUnknown";
    if (ra_uuid_equal(g, &ra_iid_iremote_scm_activator))
        return "IRemoteSCMActivator";
    if (ra_uuid_equal(g, &ra_iid_iremunknown))
        return "IRemUnknown";
    if (ra_uuid_equal(g, &ra_iid_iremunknown2))
        return "IRemUnknown2";
    if (ra_uuid_equal(g, &ra_oxid_syntax.uuid))
        return "IObjectExporter";
    const char *known = ra_dcom_guid_name(g);
    if (known != NULL)
        return g_str_has_prefix(known, "IID_") ? known + 4 : known;
    return ra_uuid_format(g, buf);
}

static const char *hresult_text(guint32 hr, char buf[32])
{
    const char *name = ra_hresult_name(hr);
    if (name != NULL)
        return name;
    g_snprintf(buf, 32, "0x%08x", hr);
    return buf;
}

static const char *fault_text(guint32 status, char buf[32])
{
    const char *name = ra_rpc_fault_name(status);
    if (name == NULL)
        name = ra_pdu_fault_name(status);
    if (name != NULL)
        return name;
    g_snprintf(buf, 32, "0x%08x", status);
    return buf;
}

/* The method of a MS-RAI interface at opnum, or NULL. */
static const RaRaiMethodInfo *rai_method(const RaRaiInterfaceInfo **iface, const RaUuid *uuid,
                                         guint16 opnum)
{
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++) {
        const RaRaiInterfaceInfo *f = ra_rai_interfaces[i];
        if (ra_uuid_equal(&f->syntax->uuid, uuid)) {
            *iface = f;
            return opnum < f->n_methods ? &f->methods[opnum] : NULL;
        }
    }
    *iface = NULL;
    return NULL;
}

/* The MS-RAI method a DISPID (and Invoke flags) names, across the four interfaces. */
static const RaRaiMethodInfo *dispid_method(gint32 dispid, guint32 flags,
                                            const RaRaiInterfaceInfo **iface)
{
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++) {
        const RaRaiInterfaceInfo *f = ra_rai_interfaces[i];
        for (guint m = f->own_first; m < f->n_methods; m++) {
            const RaRaiMethodInfo *mi = &f->methods[m];
            if (!mi->has_dispid || mi->dispid != dispid)
                continue;
            gboolean put = (flags & (RA_DISPATCH_PROPERTYPUT | RA_DISPATCH_PROPERTYPUTREF)) != 0;
            if ((mi->prop == RA_RAI_PROP_PUT || mi->prop == RA_RAI_PROP_PUTREF) != put)
                continue;
            *iface = f;
            return mi;
        }
    }
    return NULL;
}

/* ---- recording (under lock) ---- */

static RaRigEvent *record(RaRig *r, RaRigEventType type, guint conn, gboolean from_expert,
                          const guint8 *data, gsize len, gchar *comment)
{
    RaRigEvent *e = g_new0(RaRigEvent, 1);
    e->type = type;
    e->conn = conn;
    e->from_expert = from_expert;
    if (data != NULL)
        e->data = g_bytes_new(data, len);
    /* A caller's note goes in front of the next thing the expert does. */
    if (r->note != NULL && from_expert && type != RA_RIG_CLOSE) {
        gchar *joined = comment ? g_strdup_printf("%s; %s", r->note, comment) : g_strdup(r->note);
        g_free(comment);
        comment = joined;
        g_clear_pointer(&r->note, g_free);
    }
    e->comment = comment;
    g_ptr_array_add(r->events, e);
    return e;
}

static void event_free(gpointer p)
{
    RaRigEvent *e = p;
    if (e->data)
        g_bytes_unref(e->data);
    g_free(e->comment);
    g_free(e);
}

static void public_conn_free(gpointer p)
{
    RaRigConnection *c = p;
    g_free(c->expert_address);
    g_free(c->novice_address);
    g_free(c);
}

/* ---- comments from PDU headers (what anyone on the wire can read) ---- */

static gchar *describe_bind(RaRig *r, RigConn *c, const RaPdu *pdu)
{
    const char *verb = pdu->hdr.ptype == RA_PDU_BIND ? "binds to" : "adds";
    GString *s = g_string_new("expert ");
    g_string_append(s, verb);
    for (guint i = 0; i < pdu->u.bind.n_contexts; i++) {
        const RaPresContext *pc = &pdu->u.bind.contexts[i];
        char buf[RA_UUID_STRING_LEN + 1];
        const char *name = guid_name(&pc->abstract_syntax.uuid, buf);
        g_string_append_printf(s, "%s %s", i ? "," : "", name);
        g_hash_table_replace(c->contexts, GUINT_TO_POINTER(pc->context_id), g_strdup(name));
    }
    if (pdu->hdr.ptype == RA_PDU_ALTER_CONTEXT)
        g_string_append(s, " (alter_context)");
    if (pdu->has_auth && pdu->auth.auth_type == RA_AUTH_TYPE_WINNT)
        g_string_append_printf(s, ", NTLM NEGOTIATE at %s",
                               ra_rpc_auth_level_name(pdu->auth.auth_level));
    else if (!pdu->has_auth)
        g_string_append(s, " without authentication");
    (void)r;
    return g_string_free(s, FALSE);
}

static gchar *describe_auth3(const RaPdu *pdu)
{
    RaNtlmAuthenticate msg = {0};
    gchar *text;
    if (pdu->has_auth &&
        ra_ntlm_authenticate_decode(pdu->auth.auth_value, pdu->auth.auth_value_len, &msg, NULL))
        text = g_strdup_printf("expert authenticates as %s%s%s (NTLMv2 AUTHENTICATE)",
                               msg.domain ? msg.domain : "", msg.domain && *msg.domain ? "\\" : "",
                               msg.user ? msg.user : "");
    else
        text = g_strdup("expert completes NTLM authentication (AUTHENTICATE)");
    ra_ntlm_authenticate_clear(&msg);
    return text;
}

/* The name of opnum on the interface called `iface` (as guid_name() names it), or NULL. */
static const char *opnum_name(const char *iface, guint16 opnum)
{
    static const char *const activator[] = {NULL, NULL, NULL, "RemoteGetClassObject",
                                            "RemoteCreateInstance"};
    static const char *const remunknown[] = {
        NULL, NULL, NULL, "RemQueryInterface", "RemAddRef", "RemRelease", "RemQueryInterface2"};
    static const char *const exporter[] = {"ResolveOxid", "SimplePing",   "ComplexPing",
                                           "ServerAlive", "ResolveOxid2", "ServerAlive2"};
    if (iface == NULL)
        return NULL;
    if (strcmp(iface, "IRemoteSCMActivator") == 0)
        return opnum < G_N_ELEMENTS(activator) ? activator[opnum] : NULL;
    if (strcmp(iface, "IRemUnknown") == 0 || strcmp(iface, "IRemUnknown2") == 0)
        return opnum < G_N_ELEMENTS(remunknown) ? remunknown[opnum] : NULL;
    if (strcmp(iface, "IObjectExporter") == 0)
        return opnum < G_N_ELEMENTS(exporter) ? exporter[opnum] : NULL;
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++) {
        const RaRaiInterfaceInfo *f = ra_rai_interfaces[i];
        if (strcmp(f->name, iface) == 0)
            return opnum < f->n_methods ? f->methods[opnum].c_name : NULL;
    }
    return NULL;
}

/* A request the novice's runtime may refuse before dispatch: what its header says. */
static gchar *describe_request_header(RigConn *c, const RaPdu *pdu)
{
    const char *iface =
        g_hash_table_lookup(c->contexts, GUINT_TO_POINTER(pdu->u.request.context_id));
    const char *method = opnum_name(iface, pdu->u.request.opnum);
    if (method != NULL)
        return g_strdup_printf("expert calls %s::%s (opnum %u)", iface, method,
                               pdu->u.request.opnum);
    return g_strdup_printf("expert calls %s opnum %u%s", iface ? iface : "an unbound interface",
                           pdu->u.request.opnum,
                           iface ? ", which the interface does not have" : "");
}

static gchar *describe_from_expert(RaRig *r, RigConn *c, const guint8 *data, gsize len,
                                   gboolean *is_first_request)
{
    RaPdu pdu;
    *is_first_request = FALSE;
    if (!ra_pdu_decode(data, len, &pdu, NULL))
        return g_strdup("expert sends a PDU that does not decode");
    gchar *text = NULL;
    switch (pdu.hdr.ptype) {
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        text = describe_bind(r, c, &pdu);
        break;
    case RA_PDU_AUTH3:
        text = describe_auth3(&pdu);
        break;
    case RA_PDU_REQUEST:
        if (pdu.hdr.pfc_flags & RA_PFC_FIRST_FRAG) {
            *is_first_request = TRUE;
            text = describe_request_header(c, &pdu);
        }
        break;
    default:
        text = g_strdup_printf("expert sends %s", ra_pdu_type_name(pdu.hdr.ptype));
        break;
    }
    ra_pdu_clear(&pdu);
    return text;
}

static const char *nak_reason(guint16 reason)
{
    const char *name = ra_pdu_bind_nak_reason_name(reason);
    return name != NULL ? name : "reason not specified";
}

/* The last thing the runtime logged as a refusal or an error during this input, or NULL. */
static const char *last_logged(RaRig *r)
{
    return r->logged->len ? g_ptr_array_index(r->logged, r->logged->len - 1) : NULL;
}

static gchar *describe_from_novice(RaRig *r, const guint8 *data, gsize len)
{
    RaPdu pdu;
    if (!ra_pdu_decode(data, len, &pdu, NULL))
        return g_strdup("novice sends a PDU that does not decode");
    gchar *text = NULL;
    char buf[32];
    switch (pdu.hdr.ptype) {
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP: {
        gboolean accepted = pdu.u.bind_ack.n_results > 0;
        for (guint i = 0; i < pdu.u.bind_ack.n_results; i++) {
            if (pdu.u.bind_ack.results[i].result != RA_PDU_RESULT_ACCEPTANCE &&
                pdu.u.bind_ack.results[i].result != RA_PDU_RESULT_NEGOTIATE_ACK)
                accepted = FALSE;
        }
        if (accepted)
            text = g_strdup_printf("novice accepts%s",
                                   pdu.has_auth ? " and challenges (NTLM CHALLENGE)" : "");
        else
            text = g_strdup("novice rejects the interface: it does not serve it");
        break;
    }
    case RA_PDU_BIND_NAK:
        text = g_strdup_printf("novice refuses the bind: %s",
                               nak_reason(pdu.u.bind_nak.reject_reason));
        break;
    case RA_PDU_FAULT: {
        const char *why = last_logged(r);
        text =
            g_strdup_printf("novice answers with a fault: %s%s%s",
                            fault_text(pdu.u.fault.status, buf), why ? " - " : "", why ? why : "");
        break;
    }
    default:
        break;
    }
    ra_pdu_clear(&pdu);
    return text;
}

/* ---- comments from the calls the novice dispatches (in clear) ---- */

static gchar *who(const RaRpcCall *call)
{
    if (call->identity.user == NULL)
        return g_strdup("an anonymous caller");
    return g_strdup_printf("%s%s%s", call->identity.domain ? call->identity.domain : "",
                           call->identity.domain && *call->identity.domain ? "\\" : "",
                           call->identity.user);
}

static gchar *describe_activation_in(const RaRpcCall *call)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *ndr = ra_ndr_pull_new(call->stub, call->stub_len, arena);
    RaInterfacePointer *props = NULL;
    if (call->opnum == RA_OPNUM_REMOTECREATEINSTANCE) {
        RaRemoteCreateInstanceIn in = {0};
        if (ra_dcom_pull_remotecreateinstance_in(ndr, &in))
            props = in.act_properties;
    } else {
        RaRemoteGetClassObjectIn in = {0};
        if (ra_dcom_pull_remotegetclassobject_in(ndr, &in))
            props = in.act_properties;
    }
    gboolean ok = ra_ndr_pull_finish(ndr, NULL);
    ra_ndr_pull_free(ndr);
    RaActivationBlob blob;
    if (!ok || props == NULL || !ra_actprop_from_mip(props, FALSE, arena, &blob, NULL))
        return g_strdup("expert asks for an activation that does not decode");
    const RaActProperty *inst = ra_actprop_find(&blob, RA_ACTPROP_INSTANTIATION_INFO);
    const RaActProperty *special = ra_actprop_find(&blob, RA_ACTPROP_SPECIAL_PROPERTIES);
    char b1[RA_UUID_STRING_LEN + 1], b2[RA_UUID_STRING_LEN + 1];
    GString *s = g_string_new("expert ");
    if (inst == NULL) {
        g_string_append(s, "activates an unnamed class");
    } else {
        const RaInstantiationInfo *ii = &inst->u.instantiation;
        g_string_append_printf(s, "%s %s (",
                               call->opnum == RA_OPNUM_REMOTECREATEINSTANCE ? "activates"
                                                                            : "asks for the class "
                                                                              "object of",
                               guid_name(&ii->class_id, b1));
        for (guint i = 0; i < ii->n_iids; i++)
            g_string_append_printf(s, "%s%s", i ? ", " : "", guid_name(&ii->iids[i], b2));
        g_string_append(s, ")");
    }
    if (special != NULL && special->u.special.session_id != RA_ACTPROP_ANY_SESSION)
        g_string_append_printf(s, " in session %u", special->u.special.session_id);
    else
        g_string_append(s, " in any session");
    return g_string_free(s, FALSE);
}

static gchar *describe_activation_out(RaRig *r, const RaRpcCall *call)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(call->response, &len);
    g_autoptr(RaArena) arena = ra_arena_new();
    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);
    RaRemoteActivationOut out = {0};
    gboolean ok = ra_dcom_pull_remoteactivation_out(ndr, &out) && ra_ndr_pull_finish(ndr, NULL);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return g_strdup("novice answers the activation (undecodable)");
    char buf[32];
    if (out.hresult & 0x80000000u) {
        g_autofree gchar *caller = who(call);
        const char *why = NULL;
        g_autofree gchar *owned = NULL;
        if (out.hresult == RA_E_ACCESSDENIED && !call->identity.helper)
            why = owned =
                g_strdup_printf("%s is not in the Offer Remote Assistance Helpers group", caller);
        else if (out.hresult == RA_REGDB_E_CLASSNOTREG)
            why = "this novice has no such class";
        else
            why = last_logged(r);
        return g_strdup_printf("novice refuses the activation: %s%s%s%s",
                               hresult_text(out.hresult, buf), why ? " (" : "", why ? why : "",
                               why ? ")" : "");
    }
    RaActivationBlob blob;
    const char *binding = NULL;
    guint64 oxid = 0;
    if (out.act_properties && ra_actprop_from_mip(out.act_properties, TRUE, arena, &blob, NULL)) {
        const RaActProperty *reply = ra_actprop_find(&blob, RA_ACTPROP_SCM_REPLY_INFO);
        if (reply && reply->u.scm_reply.remote_reply) {
            oxid = reply->u.scm_reply.remote_reply->oxid;
            const RaDualStringArray *dsa = reply->u.scm_reply.remote_reply->oxid_bindings;
            if (dsa && dsa->n_strings > 0)
                binding = dsa->strings[0].address;
        }
    }
    return g_strdup_printf("novice activates the object: exporter OXID 0x%016" G_GINT64_MODIFIER
                           "x at %s",
                           oxid, binding ? binding : "?");
}

/* The HRESULT at the end of an ORPC response stub. */
static guint32 trailing_hresult(GBytes *response)
{
    gsize len;
    const guint8 *d = response ? g_bytes_get_data(response, &len) : NULL;
    if (d == NULL || len < 4)
        return 0;
    return ra_le32(d + len - 4);
}

/* Up to three session entries, then "...". */
static void append_entries(GString *s, const RaBstrArray *a)
{
    for (guint i = 0; a && i < a->count && i < 3; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : ": ", a->items[i] ? a->items[i] : "(null)");
    if (a && a->count > 3)
        g_string_append_printf(s, ", ... (%u more)", a->count - 3);
}

/* Comments on an MS-RAI method called directly (request: out == NULL). */
static gchar *describe_rai(RaRig *r, const RaRpcCall *call, const RaRaiInterfaceInfo *f,
                           const RaRaiMethodInfo *m, gboolean response)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    gsize len = call->stub_len;
    const guint8 *data = call->stub;
    if (response) {
        if (call->response == NULL)
            return NULL;
        data = g_bytes_get_data(call->response, &len);
    }
    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);
    GString *s = g_string_new(NULL);
    char buf[32];
    if (!response) {
        g_string_append_printf(s, "expert calls %s::%s", f->name, m->c_name);
        if (f == &ra_rai_iface_IPCHService &&
            m->opnum == RA_RAI_OPNUM_IPCHService_RemoteConnectionParms) {
            RaRai_IPCHService_RemoteConnectionParms_in in = {0};
            if (ra_rai_pull_IPCHService_RemoteConnectionParms_in(ndr, &in))
                g_string_append_printf(s, " for %s\\%s in session %d", in.bstrDomainName,
                                       in.bstrUserName, in.lSessionID);
        } else if (f == &ra_rai_iface_IPCHCollection &&
                   m->opnum == RA_RAI_OPNUM_IPCHCollection_get_Item) {
            RaRai_IPCHCollection_get_Item_in in = {0};
            if (ra_rai_pull_IPCHCollection_get_Item_in(ndr, &in))
                g_string_append_printf(s, "(%d)", in.vIndex);
        }
    } else {
        guint32 hr = trailing_hresult(call->response);
        if (hr & 0x80000000u) {
            g_string_append_printf(s, "novice refuses %s::%s: %s", f->name, m->c_name,
                                   hresult_text(hr, buf));
            if (r->offer_note)
                g_string_append_printf(s, " (%s)", r->offer_note);
        } else if (r->offer_note) {
            g_string_append_printf(s, "novice %s", r->offer_note);
        } else if (f == &ra_rai_iface_IRASrv && m->opnum == RA_RAI_OPNUM_IRASrv_GetSessionInfo) {
            RaRai_IRASrv_GetSessionInfo_out out = {0};
            if (ra_rai_pull_IRASrv_GetSessionInfo_out(ndr, &out)) {
                g_string_append_printf(s, "novice lists %d session(s)", out.Count);
                append_entries(s, out.UserNames);
            }
        } else if (f == &ra_rai_iface_IPCHService &&
                   m->opnum == RA_RAI_OPNUM_IPCHService_RemoteUserSessionInfo) {
            g_string_append(s, "novice hands out an IPCHCollection of its sessions");
        } else if (f == &ra_rai_iface_IPCHCollection &&
                   m->opnum == RA_RAI_OPNUM_IPCHCollection_get_Count) {
            RaRai_IPCHCollection_get_Count_out out = {0};
            if (ra_rai_pull_IPCHCollection_get_Count_out(ndr, &out))
                g_string_append_printf(s, "novice: Count = %d", out.pVal);
        } else if (f == &ra_rai_iface_IPCHCollection &&
                   m->opnum == RA_RAI_OPNUM_IPCHCollection_get_Item) {
            g_string_append(s, "novice hands out an ISAFSession object");
        } else if (f == &ra_rai_iface_IPCHCollection &&
                   m->opnum == RA_RAI_OPNUM_IPCHCollection_get__NewEnum) {
            g_string_append(s, "novice hands out an enumerator");
        } else if (f == &ra_rai_iface_ISAFSession && m->prop == RA_RAI_PROP_GET) {
            g_string_append_printf(s, "novice: %s", m->name);
            if (m->opnum == RA_RAI_OPNUM_ISAFSession_get_SessionID) {
                RaRai_ISAFSession_get_SessionID_out out = {0};
                if (ra_rai_pull_ISAFSession_get_SessionID_out(ndr, &out))
                    g_string_append_printf(s, " = %u", out.pVal);
            } else if (m->opnum == RA_RAI_OPNUM_ISAFSession_get_SessionState) {
                RaRai_ISAFSession_get_SessionState_out out = {0};
                if (ra_rai_pull_ISAFSession_get_SessionState_out(ndr, &out)) {
                    const char *name = ra_session_state_enum_name(out.pVal);
                    g_string_append_printf(s, " = %s", name ? name : "(out of range)");
                }
            } else if (m->opnum == RA_RAI_OPNUM_ISAFSession_get_UserName) {
                RaRai_ISAFSession_get_UserName_out out = {0};
                if (ra_rai_pull_ISAFSession_get_UserName_out(ndr, &out))
                    g_string_append_printf(s, " = %s", out.pVal ? out.pVal : "(null)");
            } else if (m->opnum == RA_RAI_OPNUM_ISAFSession_get_DomainName) {
                RaRai_ISAFSession_get_DomainName_out out = {0};
                if (ra_rai_pull_ISAFSession_get_DomainName_out(ndr, &out))
                    g_string_append_printf(s, " = %s", out.pVal ? out.pVal : "(null)");
            }
        } else {
            g_string_append_printf(s, "novice answers %s::%s: %s", f->name, m->c_name,
                                   hresult_text(hr, buf));
        }
    }
    ra_ndr_pull_free(ndr);
    return g_string_free(s, FALSE);
}

static gchar *describe_dispatch(RaRig *r, const RaRpcCall *call, gboolean response)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    char buf[32];
    if (call->opnum == RA_OPNUM_GETIDSOFNAMES) {
        if (response)
            return g_strdup_printf("novice returns the DISPIDs: %s",
                                   hresult_text(trailing_hresult(call->response), buf));
        RaNdrPull *ndr = ra_ndr_pull_new(call->stub, call->stub_len, arena);
        RaGetIDsOfNamesIn in = {0};
        GString *s = g_string_new("expert asks for the DISPID of");
        if (ra_dispatch_pull_getidsofnames_in(ndr, &in)) {
            for (guint i = 0; i < in.n_names; i++)
                g_string_append_printf(s, "%s %s", i ? "," : "",
                                       in.names[i] ? in.names[i] : "(null)");
        }
        ra_ndr_pull_free(ndr);
        g_string_append(s, " (IDispatch::GetIDsOfNames)");
        return g_string_free(s, FALSE);
    }
    RaNdrPull *ndr = ra_ndr_pull_new(call->stub, call->stub_len, arena);
    RaInvokeIn in = {0};
    gboolean ok = ra_dispatch_pull_invoke_in(ndr, &in);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return response ? NULL : g_strdup("expert invokes a method (undecodable)");
    const RaRaiInterfaceInfo *f = NULL;
    const RaRaiMethodInfo *m = dispid_method(in.dispid, in.flags, &f);
    g_autofree gchar *method =
        m ? g_strdup_printf("%s::%s", f->name, m->c_name) : g_strdup_printf("DISPID %d", in.dispid);
    if (!response)
        return g_strdup_printf("expert invokes %s through IDispatch::Invoke (DISPID 0x%08x)",
                               method, (guint32)in.dispid);
    if (call->response == NULL)
        return NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data(call->response, &len);
    ndr = ra_ndr_pull_new(data, len, arena);
    RaInvokeOut out = {0};
    out.n_var_ref = in.n_var_ref;
    ok = ra_dispatch_pull_invoke_out(ndr, &out);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return g_strdup_printf("novice answers Invoke of %s (undecodable)", method);
    if (out.hresult == RA_DISP_E_EXCEPTION)
        return g_strdup_printf("novice answers Invoke of %s: DISP_E_EXCEPTION carrying %s%s%s%s",
                               method, hresult_text(out.excep_info.scode, buf),
                               r->offer_note ? " (" : "", r->offer_note ? r->offer_note : "",
                               r->offer_note ? ")" : "");
    if (out.hresult & 0x80000000u)
        return g_strdup_printf("novice answers Invoke of %s: %s", method,
                               hresult_text(out.hresult, buf));
    if (r->offer_note)
        return g_strdup_printf("novice %s (through Invoke)", r->offer_note);
    const RaVariant *v = ra_variant_deref(&out.result);
    switch (v->vt) {
    case RA_VT_I4:
    case RA_VT_INT:
        return g_strdup_printf("novice answers Invoke of %s: %d", method, v->v.i4);
    case RA_VT_BSTR:
        return g_strdup_printf("novice answers Invoke of %s: \"%s\"", method,
                               v->v.bstr ? v->v.bstr : "");
    case RA_VT_DISPATCH:
    case RA_VT_UNKNOWN:
        return g_strdup_printf("novice answers Invoke of %s: an object", method);
    default:
        return g_strdup_printf("novice answers Invoke of %s: S_OK", method);
    }
}

static gchar *describe_call(RaRig *r, const Wrapped *w, const RaRpcCall *call, guint32 status,
                            gboolean response)
{
    char buf[32];
    g_autofree gchar *caller = who(call);
    if (response && status != 0) {
        const char *why = call->fault_detail ? call->fault_detail : last_logged(r);
        return g_strdup_printf("novice answers with a fault: %s%s%s", fault_text(status, buf),
                               why ? " - " : "", why ? why : "");
    }
    if (ra_uuid_equal(&w->id.uuid, &ra_iid_iremote_scm_activator) &&
        (call->opnum == RA_OPNUM_REMOTECREATEINSTANCE ||
         call->opnum == RA_OPNUM_REMOTEGETCLASSOBJECT)) {
        if (!response) {
            gchar *what = describe_activation_in(call);
            gchar *text = g_strdup_printf("%s, as %s", what, caller);
            g_free(what);
            return text;
        }
        return describe_activation_out(r, call);
    }
    if (call->opnum == RA_OPNUM_GETIDSOFNAMES || call->opnum == RA_OPNUM_INVOKE) {
        gboolean dispatch = ra_uuid_equal(&w->id.uuid, &ra_iid_idispatch);
        for (guint i = 0; !dispatch && i < RA_RAI_N_INTERFACES; i++)
            dispatch = ra_uuid_equal(&w->id.uuid, &ra_rai_interfaces[i]->syntax->uuid);
        if (dispatch)
            return describe_dispatch(r, call, response);
    }
    const RaRaiInterfaceInfo *f;
    const RaRaiMethodInfo *m = rai_method(&f, &w->id.uuid, call->opnum);
    if (m != NULL)
        return describe_rai(r, call, f, m, response);
    if (ra_uuid_equal(&w->id.uuid, &ra_iid_iremunknown) ||
        ra_uuid_equal(&w->id.uuid, &ra_iid_iremunknown2)) {
        static const char *const names[] = {"RemQueryInterface", "RemAddRef", "RemRelease",
                                            "RemQueryInterface2"};
        const char *name = call->opnum >= 3 && call->opnum <= 6 ? names[call->opnum - 3] : "?";
        if (!response) {
            if (call->opnum == 3) {
                g_autoptr(RaArena) arena = ra_arena_new();
                RaNdrPull *ndr = ra_ndr_pull_new(call->stub, call->stub_len, arena);
                RaRemQueryInterfaceIn in = {0};
                GString *s = g_string_new("expert asks the object for");
                if (ra_dcom_pull_remqueryinterface_in(ndr, &in)) {
                    for (guint i = 0; i < in.n_iids; i++) {
                        char b[RA_UUID_STRING_LEN + 1];
                        g_string_append_printf(s, "%s %s", i ? "," : "", guid_name(&in.iids[i], b));
                    }
                }
                ra_ndr_pull_free(ndr);
                g_string_append(s, " (RemQueryInterface)");
                return g_string_free(s, FALSE);
            }
            if (call->opnum == 5)
                return g_strdup("expert releases its references (RemRelease)");
            return g_strdup_printf("expert calls %s::%s", w->name, name);
        }
        return g_strdup_printf("novice answers %s: %s", name,
                               hresult_text(trailing_hresult(call->response), buf));
    }
    if (!response)
        return g_strdup_printf("expert calls %s opnum %u", w->name, call->opnum);
    return NULL;
}

static guint32 wrapped_dispatch(RaRpcCall *call, gpointer data)
{
    Wrapped *w = data;
    RaRig *r = w->rig;
    g_clear_pointer(&r->offer_note, g_free);
    CallNote *note = g_new0(CallNote, 1);
    note->call_id = call->call_id;
    note->request = describe_call(r, w, call, 0, FALSE);
    guint32 status = w->dispatch(call, w->user_data);
    note->response = describe_call(r, w, call, status, TRUE);
    g_ptr_array_add(r->notes, note);
    return status;
}

static void note_free(gpointer p)
{
    CallNote *n = p;
    g_free(n->request);
    g_free(n->response);
    g_free(n);
}

static void wrapped_free(gpointer p)
{
    Wrapped *w = p;
    g_free(w->name);
    g_free(w);
}

/* Every interface the novice serves goes through wrapped_dispatch (the runtime's public
 * re-registration replaces an interface in place). */
static void wrap_interfaces(RaRig *r)
{
    GPtrArray *ifaces = ra_rpc_server_get_interfaces(r->rpc);
    for (guint i = 0; i < ifaces->len; i++) {
        const RaRpcInterface *orig = g_ptr_array_index(ifaces, i);
        Wrapped *w = g_new0(Wrapped, 1);
        w->rig = r;
        w->dispatch = orig->dispatch;
        w->user_data = orig->user_data;
        w->id = orig->id;
        w->name = g_strdup(orig->name);
        g_ptr_array_add(r->wrapped, w);
        RaRpcInterface copy = *orig;
        copy.dispatch = wrapped_dispatch;
        copy.user_data = w;
        ra_rpc_server_register(r->rpc, &copy);
    }
}

static void on_log(RaRpcLogLevel level, const char *peer, const char *message, gpointer data)
{
    RaRig *r = data;
    if (level == RA_RPC_LOG_REFUSAL || level == RA_RPC_LOG_ERROR)
        g_ptr_array_add(r->logged, g_strdup(message));
}

static void on_offer(const RaRaiOffer *offer, guint32 hresult, const char *what, RaDcomCall *call,
                     gpointer data)
{
    RaRig *r = data;
    g_free(r->offer_note);
    if (offer != NULL) {
        r->offers++;
        r->offer_note = g_strdup_printf(
            "offers Remote Assistance in session %u (%s) to %s: a Connection String %d",
            offer->session_id, offer->session_user, offer->expert, offer->version);
    } else {
        r->refused++;
        r->offer_note = g_strdup(what);
    }
}

/* ---- the novice's side of each connection (its thread) ---- */

static RigConn *conn_by_index(RaRig *r, guint i)
{
    return g_ptr_array_index(r->conns, i);
}

/* Closes the novice's end (after its last PDU); records it unless `quiet`. */
static void novice_close(RigConn *c, gboolean quiet)
{
    RaRig *r = c->rig;
    if (c->source) {
        g_source_destroy(c->source);
        g_source_unref(c->source);
        c->source = NULL;
    }
    g_clear_pointer(&c->assoc, ra_rpc_assoc_free);
    if (c->novice_socket) {
        g_socket_close(c->novice_socket, NULL);
        g_clear_object(&c->novice_socket);
    }
    if (!quiet) {
        g_mutex_lock(&r->lock);
        if (!c->novice_closed) {
            c->novice_closed = TRUE;
            record(r, RA_RIG_CLOSE, c->index, FALSE, NULL, 0,
                   g_strdup("novice closes the connection"));
        }
        g_mutex_unlock(&r->lock);
    }
}

static void handle_pdu(RigConn *c, const guint8 *pdu, gsize len)
{
    RaRig *r = c->rig;
    g_mutex_lock(&r->lock);
    gboolean first_request;
    gchar *comment = describe_from_expert(r, c, pdu, len, &first_request);
    if (first_request)
        c->last_request = (gint)r->events->len;
    RaRigEvent *input = record(r, RA_RIG_DATA, c->index, TRUE, pdu, len, comment);
    g_mutex_unlock(&r->lock);

    r->current = c;
    g_ptr_array_set_size(r->notes, 0);
    g_ptr_array_set_size(r->logged, 0);
    g_clear_pointer(&r->offer_note, g_free);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    gboolean keep = ra_rpc_assoc_input(c->assoc, pdu, len, out);
    r->current = NULL;

    g_mutex_lock(&r->lock);
    /* A PDU with no answer (auth3) that the novice refused: say so where it happened. */
    if (out->len == 0 && last_logged(r) != NULL) {
        gchar *text = g_strdup_printf("%s - the novice: %s", input->comment ? input->comment : "",
                                      last_logged(r));
        g_free(input->comment);
        input->comment = text;
    }
    CallNote *note = r->notes->len ? g_ptr_array_index(r->notes, r->notes->len - 1) : NULL;
    if (note && note->request && c->last_request >= 0) {
        RaRigEvent *e = g_ptr_array_index(r->events, (guint)c->last_request);
        g_free(e->comment);
        e->comment = g_strdup(note->request);
    }
    for (guint i = 0; i < out->len; i++) {
        gsize n;
        const guint8 *d = g_bytes_get_data(g_ptr_array_index(out, i), &n);
        gchar *text = NULL;
        if (i == 0 && note && note->response)
            text = g_strdup(note->response);
        else if (i == 0)
            text = describe_from_novice(r, d, n);
        record(r, RA_RIG_DATA, c->index, FALSE, d, n, text);
    }
    /* The novice's close is recorded before the expert can read the last answer, so that the
     * expert's thread finds it recorded (ra_rig_sync). */
    if (!keep && !c->novice_closed) {
        c->novice_closed = TRUE;
        record(r, RA_RIG_CLOSE, c->index, FALSE, NULL, 0, g_strdup("novice closes the connection"));
    }
    g_mutex_unlock(&r->lock);

    for (guint i = 0; i < out->len && c->novice_socket; i++) {
        gsize n;
        const guint8 *d = g_bytes_get_data(g_ptr_array_index(out, i), &n);
        gsize done = 0;
        while (done < n) {
            gssize w = g_socket_send_with_blocking(c->novice_socket, (const gchar *)d + done,
                                                   n - done, TRUE, NULL, NULL);
            if (w <= 0)
                break;
            done += (gsize)w;
        }
    }
    g_ptr_array_unref(out);
    if (!keep)
        novice_close(c, TRUE);
}

static gboolean on_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
    RigConn *c = data;
    guint8 buf[16384];
    GError *error = NULL;
    gssize n =
        g_socket_receive_with_blocking(socket, (gchar *)buf, sizeof buf, FALSE, NULL, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_error_free(error);
        return G_SOURCE_CONTINUE;
    }
    g_clear_error(&error);
    if (n <= 0) {
        /* The expert closed its end: the novice closes too. The expert's thread records both
         * closes (ra_rig_sync), so that their place among the events does not depend on when
         * this thread noticed. */
        novice_close(c, TRUE);
        return G_SOURCE_REMOVE;
    }
    g_byte_array_append(c->in, buf, (guint)n);
    while (c->in->len >= RA_PDU_COMMON_HEADER && c->assoc != NULL) {
        guint frame = ra_tcp_frame_length(c->in->data, c->in->len, 65535, NULL);
        if (frame == 0) {
            /* Not DCE/RPC: what the transport would do - close. */
            novice_close(c, FALSE);
            break;
        }
        if (c->in->len < frame)
            break;
        guint8 *pdu = g_memdup2(c->in->data, frame);
        g_byte_array_remove_range(c->in, 0, frame);
        handle_pdu(c, pdu, frame);
        g_free(pdu);
    }
    (void)cond;
    return c->source != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

typedef struct {
    RigConn *c;
    RaRpcPeer peer;
    gchar *expert_address;
    gchar *novice_address;
} Attach;

static gboolean attach_conn(gpointer data)
{
    Attach *a = data;
    RigConn *c = a->c;
    a->peer.peer_address = a->expert_address;
    a->peer.local_address = a->novice_address;
    c->assoc = ra_rpc_assoc_new(c->rig->rpc, &a->peer);
    c->source = g_socket_create_source(c->novice_socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(c->source, (GSourceFunc)(void (*)(void))on_readable, c, NULL);
    g_source_attach(c->source, c->rig->context);
    g_free(a->expert_address);
    g_free(a->novice_address);
    g_free(a);
    return G_SOURCE_REMOVE;
}

/* ---- the expert's side (its thread) ---- */

void ra_rig_sync(RaRig *r)
{
    g_mutex_lock(&r->lock);
    for (guint i = r->conns->len; i-- > 0;) {
        RigConn *c = conn_by_index(r, i);
        if (c->expert_closed || !g_socket_is_closed(c->expert_socket))
            continue;
        c->expert_closed = TRUE;
        record(r, RA_RIG_CLOSE, c->index, TRUE, NULL, 0, g_strdup("expert closes the connection"));
        if (!c->novice_closed) {
            /* The novice closes as soon as it sees the expert's FIN. */
            c->novice_closed = TRUE;
            record(r, RA_RIG_CLOSE, c->index, FALSE, NULL, 0, NULL);
        }
    }
    g_mutex_unlock(&r->lock);
}

void ra_rig_trace(guint connection, gboolean sent, const guint8 *pdu, gsize len, gpointer rig)
{
    (void)connection;
    (void)pdu;
    (void)len;
    if (sent)
        ra_rig_sync(rig);
}

static RaRpcClient *rig_connect(const char *host, guint16 port, guint timeout_ms, gpointer data,
                                GError **error)
{
    RaRig *r = data;
    ra_rig_sync(r);
    GInetAddress *want = g_inet_address_new_from_string(host);
    GInetAddress *novice = g_inet_address_new_from_string(r->novice_address);
    gboolean ours = want != NULL && g_inet_address_equal(want, novice) &&
                    (port == r->config.activation_port || port == r->config.exporter_port);
    g_clear_object(&want);
    g_object_unref(novice);
    if (!ours) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO,
                    "cannot connect to %s port %u: connection refused", host, port);
        return NULL;
    }
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "socketpair: %s", g_strerror(errno));
        return NULL;
    }
    GSocket *expert = g_socket_new_from_fd(fds[0], NULL);
    GSocket *novice_sock = g_socket_new_from_fd(fds[1], NULL);
    if (expert == NULL || novice_sock == NULL) {
        g_clear_object(&expert);
        g_clear_object(&novice_sock);
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot wrap a socket pair");
        return NULL;
    }
    g_socket_set_blocking(expert, TRUE);
    g_socket_set_timeout(expert, timeout_ms ? (timeout_ms + 999) / 1000 : SOCKET_TIMEOUT_S);
    g_socket_set_blocking(novice_sock, FALSE);

    RigConn *c = g_new0(RigConn, 1);
    c->rig = r;
    c->expert_socket = g_object_ref(expert);
    c->novice_socket = novice_sock;
    c->in = g_byte_array_new();
    c->last_request = -1;
    c->contexts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    c->activation = port == r->config.activation_port;
    RaRigConnection *pc = g_new0(RaRigConnection, 1);
    pc->expert_address = g_strdup(r->expert_address);
    pc->novice_address = g_strdup(r->novice_address);
    pc->novice_port = port;

    g_mutex_lock(&r->lock);
    c->index = r->conns->len;
    pc->expert_port = (guint16)(r->config.first_expert_port + c->index);
    g_ptr_array_add(r->conns, c);
    g_ptr_array_add(r->public_conns, pc);
    record(r, RA_RIG_OPEN, c->index, TRUE, NULL, 0,
           r->config.activation_port == r->config.exporter_port
               ? g_strdup_printf("expert connects to the novice at port %u", port)
           : c->activation
               ? g_strdup_printf("expert connects to the novice's activation port %u", port)
               : g_strdup_printf("expert connects to the object exporter at %s port %u",
                                 r->novice_address, port));
    g_mutex_unlock(&r->lock);

    Attach *a = g_new0(Attach, 1);
    a->c = c;
    a->expert_address = g_strdup(pc->expert_address);
    a->novice_address = g_strdup(pc->novice_address);
    a->peer.peer_port = pc->expert_port;
    a->peer.local_port = port;
    g_main_context_invoke(r->context, attach_conn, a);
    return ra_rpc_client_new_from_socket(expert);
}

void ra_rig_dcom_config(RaRig *r, RaDcomClientConfig *config)
{
    config->host = r->novice_address;
    config->port = r->config.activation_port;
    config->connect = rig_connect;
    config->connect_data = r;
    if (config->timeout_ms == 0)
        config->timeout_ms = SOCKET_TIMEOUT_S * 1000;
}

void ra_rig_note(RaRig *r, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *text = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_mutex_lock(&r->lock);
    if (r->note != NULL) {
        gchar *joined = g_strdup_printf("%s; %s", r->note, text);
        g_free(text);
        text = joined;
    }
    g_free(r->note);
    r->note = text;
    g_mutex_unlock(&r->lock);
}

void ra_rig_pause(RaRig *r, guint ms)
{
    ra_rig_sync(r);
    g_mutex_lock(&r->lock);
    RaRigEvent *e = record(r, RA_RIG_PAUSE, 0, FALSE, NULL, 0, NULL);
    e->pause_ms = ms;
    g_mutex_unlock(&r->lock);
}

/* ---- life cycle ---- */

static gpointer thread_main(gpointer data)
{
    RaRig *r = data;
    g_main_context_push_thread_default(r->context);
    g_main_loop_run(r->loop);
    g_main_context_pop_thread_default(r->context);
    return NULL;
}

RaRig *ra_rig_new(const RaRigConfig *config, GError **error)
{
    GInetAddress *na = g_inet_address_new_from_string(config->novice_address);
    GInetAddress *ea = g_inet_address_new_from_string(config->expert_address);
    gboolean ok =
        na != NULL && ea != NULL && g_inet_address_get_family(na) == g_inet_address_get_family(ea);
    gboolean ipv6 = ok && g_inet_address_get_family(na) == G_SOCKET_FAMILY_IPV6;
    g_clear_object(&na);
    g_clear_object(&ea);
    if (!ok) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "the novice's and the expert's addresses (%s, %s) must be IP address literals "
                    "of one family",
                    config->novice_address ? config->novice_address : "(null)",
                    config->expert_address ? config->expert_address : "(null)");
        return NULL;
    }
    RaRig *r = g_new0(RaRig, 1);
    r->config = *config;
    r->ipv6 = ipv6;
    r->novice_address = g_strdup(config->novice_address);
    r->expert_address = g_strdup(config->expert_address);
    r->computer_name = g_strdup(config->computer_name ? config->computer_name : "NOVICE");
    if (r->config.exporter_port == 0)
        r->config.exporter_port = r->config.activation_port;
    g_mutex_init(&r->lock);
    r->events = g_ptr_array_new_with_free_func(event_free);
    r->conns = g_ptr_array_new();
    r->public_conns = g_ptr_array_new_with_free_func(public_conn_free);
    r->notes = g_ptr_array_new_with_free_func(note_free);
    r->logged = g_ptr_array_new_with_free_func(g_free);
    r->wrapped = g_ptr_array_new_with_free_func(wrapped_free);
    r->context = g_main_context_new();
    r->loop = g_main_loop_new(r->context, FALSE);

    /* The novice, assembled as `ratool serve` does (RPC server, endpoint mapper, exporter, OXID
     * resolver, MS-RAI classes). */
    RaRpcServerConfig rc;
    ra_rpc_server_config_init(&rc);
    rc.accounts = config->accounts;
    rc.min_auth_level = config->min_auth_level ? config->min_auth_level : RA_AUTH_LEVEL_PKT_PRIVACY;
    rc.computer_name = r->computer_name;
    rc.log = on_log;
    rc.log_user_data = r;
    rc.max_contexts = 256; /* as `ratool serve` */
    rc.max_security_contexts = 256;
    rc.ntlm_fixed_time = config->ntlm_time;
    r->rpc = ra_rpc_server_new(&rc);
    r->epm = ra_epm_new();
    ra_epm_register_service(r->epm, r->rpc);
    RaDcomServerConfig dc;
    ra_dcom_server_config_init(&dc);
    dc.rpc = r->rpc;
    dc.epm = r->epm;
    dc.log = on_log;
    dc.log_user_data = r;
    dc.exporter_port = r->config.exporter_port;
    r->dcom = ra_dcom_server_new(&dc, r->config.activation_port);
    RaOxidConfig oc;
    ra_oxid_config_init(&oc);
    oc.context = r->context;
    oc.oid_expired = ra_dcom_server_oid_expired;
    oc.user_data = r->dcom;
    r->oxid = ra_oxid_resolver_new(&oc);
    ra_oxid_register_service(r->oxid, r->rpc);
    ra_dcom_server_attach_resolver(r->dcom, r->oxid);
    ra_epm_add_endpoint(r->epm, &ra_oxid_syntax, NULL, r->config.activation_port,
                        "DCOM OXID resolver");
    RaRaiServerConfig ac;
    ra_rai_server_config_init(&ac);
    ac.flavor = config->flavor ? config->flavor : RA_RAI_FLAVOR_BOTH;
    ac.sessions = config->sessions;
    ac.offers_disabled = config->offers_disabled;
    ac.listener_port = config->listener_port ? config->listener_port : 49685;
    ac.on_offer = on_offer;
    ac.user_data = r;
    r->rai = ra_rai_server_new(&ac, r->dcom);
    wrap_interfaces(r);
    r->thread = g_thread_new("rig-novice", thread_main, r);
    return r;
}

static gboolean close_all(gpointer data)
{
    RaRig *r = data;
    for (guint i = 0; i < r->conns->len; i++)
        novice_close(conn_by_index(r, i), TRUE);
    g_main_loop_quit(r->loop);
    return G_SOURCE_REMOVE;
}

void ra_rig_finish(RaRig *r)
{
    if (r->finished)
        return;
    r->finished = TRUE;
    ra_rig_sync(r);
    /* Whatever the expert still holds open is closed now, the expert first. */
    g_mutex_lock(&r->lock);
    for (guint i = r->conns->len; i-- > 0;) {
        RigConn *c = conn_by_index(r, i);
        if (!c->expert_closed) {
            c->expert_closed = TRUE;
            record(r, RA_RIG_CLOSE, c->index, TRUE, NULL, 0,
                   g_strdup("expert closes the connection"));
        }
        if (!c->novice_closed) {
            c->novice_closed = TRUE;
            record(r, RA_RIG_CLOSE, c->index, FALSE, NULL, 0, NULL);
        }
    }
    g_mutex_unlock(&r->lock);
    g_main_context_invoke(r->context, close_all, r);
    g_thread_join(r->thread);
    r->thread = NULL;
}

void ra_rig_free(RaRig *r)
{
    if (r == NULL)
        return;
    ra_rig_finish(r);
    ra_rpc_server_free(r->rpc);
    ra_rai_server_free(r->rai);
    ra_dcom_server_free(r->dcom);
    ra_oxid_resolver_free(r->oxid);
    ra_epm_free(r->epm);
    for (guint i = 0; i < r->conns->len; i++) {
        RigConn *c = conn_by_index(r, i);
        g_clear_object(&c->expert_socket);
        g_byte_array_unref(c->in);
        g_hash_table_unref(c->contexts);
        g_free(c);
    }
    g_ptr_array_unref(r->conns);
    g_ptr_array_unref(r->public_conns);
    g_ptr_array_unref(r->events);
    g_ptr_array_unref(r->notes);
    g_ptr_array_unref(r->logged);
    g_ptr_array_unref(r->wrapped);
    g_main_loop_unref(r->loop);
    g_main_context_unref(r->context);
    g_mutex_clear(&r->lock);
    g_free(r->note);
    g_free(r->offer_note);
    g_free(r->novice_address);
    g_free(r->expert_address);
    g_free(r->computer_name);
    g_free(r);
}

const GPtrArray *ra_rig_events(RaRig *r)
{
    return r->events;
}

const GPtrArray *ra_rig_connections(RaRig *r)
{
    return r->public_conns;
}

void ra_rig_get_stats(RaRig *r, RaRigStats *stats)
{
    memset(stats, 0, sizeof *stats);
    RaRpcServerStats rs;
    ra_rpc_server_get_stats(r->rpc, &rs);
    RaDcomServerStats ds;
    ra_dcom_server_get_stats(r->dcom, &ds);
    stats->associations = rs.associations;
    stats->calls = rs.calls;
    stats->faults = rs.faults;
    stats->activations = ds.activations;
    g_mutex_lock(&r->lock);
    stats->offers = r->offers;
    stats->refused = r->refused;
    g_mutex_unlock(&r->lock);
}

gboolean ra_rig_play(RaRig *r, RaCapture *capture, GError **error)
{
    GArray *ids = g_array_new(FALSE, TRUE, sizeof(guint));
    g_array_set_size(ids, r->public_conns->len);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < r->events->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(r->events, i);
        switch (e->type) {
        case RA_RIG_OPEN: {
            const RaRigConnection *pc = g_ptr_array_index(r->public_conns, e->conn);
            ok = ra_capture_connect(capture, pc->expert_address, pc->expert_port,
                                    pc->novice_address, pc->novice_port, e->comment,
                                    &g_array_index(ids, guint, e->conn), error);
            break;
        }
        case RA_RIG_DATA: {
            gsize n;
            const guint8 *d = g_bytes_get_data(e->data, &n);
            ok = ra_capture_send(capture, g_array_index(ids, guint, e->conn), e->from_expert, d, n,
                                 e->comment, error);
            break;
        }
        case RA_RIG_CLOSE:
            ok = ra_capture_close(capture, g_array_index(ids, guint, e->conn), e->from_expert,
                                  e->comment, error);
            break;
        case RA_RIG_PAUSE:
            ok = ra_capture_advance(capture, (guint64)e->pause_ms * 1000000, error);
            break;
        }
    }
    g_array_unref(ids);
    return ok;
}
