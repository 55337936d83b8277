/*
 * `ratool probe` (see ra/probe.h): each step opens its own connections, so that one failing
 * leaves the next ones meaningful, and none calls anything that offers or changes something.
 */
#include "ra/probe.h"
#include "ra/bytes.h"
#include "ra/actprop.h"
#include "ra/connstr.h"
#include "ra/dcom.h"
#include "ra/epm.h"
#include "ra/error.h"
#include "ra/oxid.h"
#include "ra/rai-client.h"
#include "ra/rpc-server.h"
#include "ra/sessions.h"
#include "ra/troubleshoot.h"
#include "rai-ndr.h"

#include <gio/gio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS  10000
#define MAX_BINDINGS        32 /* advertised bindings checked at most */
#define MAX_SESSIONS        256
#define OPNUM_EPT_MAP       3
#define OPNUM_RESOLVE_OXID2 4
#define OPNUM_SERVER_ALIVE2 5
/* The OXID asked for in the auth step: made up ("PROBE" in ASCII), unknown to any novice. */
#define PROBE_OXID G_GUINT64_CONSTANT(0x00000045424f5250)

static const char *const step_keys[RA_PROBE_N_STEPS] = {
    "tcp",        "epm",     "resolver", "auth",   "rasrv",
    "pchservice", "helpers", "bindings", "policy", "sessions",
};

static const char *const step_titles[RA_PROBE_N_STEPS] = {
    "TCP port reachable",
    "endpoint mapper answers",
    "OXID resolver answers ServerAlive2",
    "NTLM logon accepted",
    "RASrv activation (Vista and later)",
    "PCHService activation (XP)",
    "account in the helpers group",
    "advertised bindings reachable",
    "offers allowed by policy",
    "sessions to help",
};

const char *ra_probe_status_name(RaProbeStatus status)
{
    static const char *const names[] = {"PASS", "WARN", "FAIL", "SKIP"};
    return (guint)status < G_N_ELEMENTS(names) ? names[status] : "?";
}

const char *ra_probe_step_key(RaProbeStepId id)
{
    return (guint)id < RA_PROBE_N_STEPS ? step_keys[id] : "?";
}

const char *ra_probe_step_title(RaProbeStepId id)
{
    return (guint)id < RA_PROBE_N_STEPS ? step_titles[id] : "?";
}

/* One activation attempt and what came of it. */
typedef struct {
    const char *class_name;
    gboolean ok;
    gboolean answered; /* the activator answered (even if the object could not be reached) */
    guint32 hresult;   /* the failure HRESULT, or 0 */
    guint32 fault;     /* the fault status, or 0 */
    GError *error;
    RaDcomClient *client;
    RaOrpcBinding *binding;
    gchar *exporter; /* the binding connected to */
    gint64 elapsed_us;
} Activation;

typedef struct {
    const RaProbeConfig *cfg;
    RaProbeResult *r;
    gboolean decided[RA_PROBE_N_STEPS];
    guint emitted;
    gint64 step_start;
    guint timeout_ms;
    guint16 port;
    RaRpcAuth auth;
    gchar *who; /* DOMAIN\user */
    gboolean logged_on;
    GPtrArray *resolver_bindings; /* gchar*, ServerAlive2's */
    GPtrArray *exporter_bindings; /* gchar*, the activations' */
    gchar *exporter_error;        /* why the object exporter could not be reached */
    Activation rasrv, pch;
} Probe;

/* ---- steps ---- */

static void flush(Probe *p)
{
    while (p->emitted < RA_PROBE_N_STEPS && p->decided[p->emitted]) {
        if (p->cfg->on_step)
            p->cfg->on_step(&p->r->steps[p->emitted], p->cfg->user_data);
        p->emitted++;
    }
}

static void decide(Probe *p, RaProbeStepId id, RaProbeStatus status, gint trouble, const char *next,
                   const char *format, ...) G_GNUC_PRINTF(6, 7);
static void decide(Probe *p, RaProbeStepId id, RaProbeStatus status, gint trouble, const char *next,
                   const char *format, ...)
{
    RaProbeStep *s = &p->r->steps[id];
    va_list ap;
    va_start(ap, format);
    s->id = id;
    s->status = status;
    s->evidence = g_strdup_vprintf(format, ap);
    va_end(ap);
    s->trouble = trouble;
    /* The next thing to try: the caller's, else the remedy of the row. */
    if (status != RA_PROBE_PASS) {
        if (next != NULL)
            s->next = g_strdup(next);
        else if (trouble >= 0)
            s->next = g_strdup(ra_trouble((RaTroubleId)trouble)->remedy);
    }
    if (s->elapsed_us == 0)
        s->elapsed_us = g_get_monotonic_time() - p->step_start;
    p->decided[id] = TRUE;
    flush(p);
}

static void start(Probe *p)
{
    p->step_start = g_get_monotonic_time();
}

/* The number in the last parentheses of a message: "(0x00000005)", "(9)". */
static gboolean last_paren_number(const char *message, guint32 *out)
{
    const char *open = strrchr(message, '(');
    if (open == NULL)
        return FALSE;
    gchar *end;
    guint64 v = g_ascii_strtoull(open + 1, &end, 0);
    if (end == open + 1 || *end != ')' || v > G_MAXUINT32)
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

/* The fault status of an RA_ERROR_FAULT (from its message when no client is at hand). */
static guint32 error_fault(const GError *e, RaRpcClient *c)
{
    if (!g_error_matches(e, RA_ERROR, RA_ERROR_FAULT))
        return 0;
    if (c != NULL && ra_rpc_client_last_fault(c) != 0)
        return ra_rpc_client_last_fault(c);
    guint32 v = 0;
    return last_paren_number(e->message, &v) ? v : 0;
}

/* The row for an RPC failure: fault, bind_nak reason, rejected context; else `otherwise`. */
static gint rpc_trouble(const GError *e, RaRpcClient *c, gint otherwise)
{
    const RaTrouble *t = NULL;
    guint32 v;
    if (g_error_matches(e, RA_ERROR, RA_ERROR_FAULT))
        t = ra_trouble_find(RA_TROUBLE_FAULT, error_fault(e, c));
    else if (g_error_matches(e, RA_ERROR, RA_ERROR_PROTOCOL) &&
             strstr(e->message, "refused the bind") && last_paren_number(e->message, &v))
        t = ra_trouble_find(RA_TROUBLE_NAK, v);
    else if (g_error_matches(e, RA_ERROR, RA_ERROR_PROTOCOL) &&
             strstr(e->message, "rejected the interface"))
        t = ra_trouble(RA_TS_CONTEXT_ABSTRACT_SYNTAX);
    return t != NULL ? (gint)t->id : otherwise;
}

/* ---- TCP ---- */

static GList *resolve(const char *host, GError **error)
{
    GInetAddress *literal = g_inet_address_new_from_string(host);
    if (literal != NULL)
        return g_list_append(NULL, literal);
    GResolver *resolver = g_resolver_get_default();
    GList *addrs = g_resolver_lookup_by_name(resolver, host, NULL, error);
    g_object_unref(resolver);
    return addrs;
}

/*
 * Connects to host:port (every address of the name until one accepts) and closes. FALSE with
 * *trouble (tcp-refused, tcp-no-answer or name-unresolved) and a message.
 */
static gboolean tcp_reach(const char *host, guint16 port, guint timeout_ms, gint *trouble,
                          gchar **message)
{
    GError *local = NULL;
    GList *addrs = resolve(host, &local);
    if (addrs == NULL) {
        *trouble = RA_TS_NAME_UNRESOLVED;
        *message =
            g_strdup_printf("%s does not resolve: %s", host, local ? local->message : "no address");
        g_clear_error(&local);
        return FALSE;
    }
    gboolean ok = FALSE, refused = FALSE;
    GString *why = g_string_new(NULL);
    for (GList *l = addrs; l != NULL && !ok; l = l->next) {
        GInetAddress *addr = l->data;
        gchar *text = g_inet_address_to_string(addr);
        GSocket *s = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &local);
        if (s != NULL) {
            g_socket_set_timeout(s, MAX(1u, (timeout_ms + 999) / 1000));
            GSocketAddress *sa = g_inet_socket_address_new(addr, port);
            ok = g_socket_connect(s, sa, NULL, &local);
            g_object_unref(sa);
            g_socket_close(s, NULL);
            g_object_unref(s);
        }
        if (!ok) {
            if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
                refused = TRUE;
            g_string_append_printf(why, "%s%s port %u: %s", why->len ? "; " : "", text, port,
                                   g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                                       ? "no answer (timed out)"
                                   : local ? local->message
                                           : "failed");
        }
        g_clear_error(&local);
        g_free(text);
    }
    g_resolver_free_addresses(addrs);
    if (!ok) {
        *trouble = refused ? RA_TS_TCP_REFUSED : RA_TS_TCP_NO_ANSWER;
        *message = g_string_free(why, FALSE);
    } else {
        g_string_free(why, TRUE);
    }
    return ok;
}

static void step_tcp(Probe *p)
{
    start(p);
    gint trouble;
    gchar *why = NULL;
    if (tcp_reach(p->cfg->host, p->port, p->timeout_ms, &trouble, &why))
        decide(p, RA_PROBE_TCP, RA_PROBE_PASS, -1, NULL, "%s port %u accepts TCP connections",
               p->cfg->host, p->port);
    else
        decide(p, RA_PROBE_TCP, RA_PROBE_FAIL, trouble, NULL, "%s", why);
    g_free(why);
}

/* ---- unauthenticated RPC ---- */

static RaRpcClient *rpc_connect(Probe *p, const RaSyntaxId *iface, const RaRpcAuth *auth,
                                guint16 *ctx, GError **error)
{
    RaRpcClient *c = ra_rpc_client_connect(p->cfg->host, p->port, p->timeout_ms, error);
    if (c == NULL)
        return NULL;
    static const RaRpcAuth none = {RA_AUTH_LEVEL_NONE, NULL, NULL, NULL, NULL, NULL};
    if (!ra_rpc_client_bind(c, iface, auth ? auth : &none, ctx, error)) {
        g_prefix_error(error, "bind: ");
        /* Keep the client for its last fault: the caller frees it. */
        return c;
    }
    return c;
}

static GBytes *finish_push(RaNdrPush *push)
{
    GBytes *b = ra_ndr_push_finish(push, NULL);
    ra_ndr_push_free(push);
    return b;
}

static GBytes *call(RaRpcClient *c, guint16 ctx, guint16 opnum, GBytes *request, GError **error)
{
    gsize n = 0;
    const guint8 *d = request ? g_bytes_get_data(request, &n) : NULL;
    GBytes *r = ra_rpc_client_call(c, ctx, opnum, NULL, d, n, error);
    if (request)
        g_bytes_unref(request);
    return r;
}

static void step_epm(Probe *p)
{
    start(p);
    GError *error = NULL;
    guint16 ctx = 0;
    RaRpcClient *c = rpc_connect(p, &ra_epm_syntax, NULL, &ctx, &error);
    GBytes *response = NULL;
    if (error == NULL) {
        static const guint8 any[4] = {0, 0, 0, 0};
        GBytes *tower =
            ra_epm_tower_build_tcp(&ra_syntax_iremote_scm_activator, &ra_syntax_ndr20, 0, any);
        gsize tn;
        const guint8 *td = g_bytes_get_data(tower, &tn);
        RaUuid nil = {0};
        RaNdrPush *push = ra_ndr_push_new();
        ra_ndr_push_ptr(push, &nil);
        ra_ndr_push_uuid(push, &nil);
        ra_ndr_push_ptr(push, td);
        ra_ndr_push_array_size(push, (guint32)tn);
        ra_ndr_push_u32(push, (guint32)tn);
        ra_ndr_push_bytes(push, td, tn);
        ra_ndr_push_u32(push, 0); /* entry_handle: attributes, nil uuid */
        ra_ndr_push_uuid(push, &nil);
        ra_ndr_push_u32(push, 4); /* max_towers */
        response = call(c, ctx, OPNUM_EPT_MAP, finish_push(push), &error);
        g_bytes_unref(tower);
    }
    if (response == NULL) {
        gint t = rpc_trouble(error, c, RA_TS_EPM_NO_ANSWER);
        decide(p, RA_PROBE_EPM, RA_PROBE_FAIL, t, NULL,
               "ept_map (IRemoteSCMActivator over TCP) failed: %s", error->message);
        g_error_free(error);
        ra_rpc_client_free(c);
        return;
    }
    /* entry_handle, num_towers, towers (conformant varying array of pointers), status. */
    g_autoptr(RaArena) arena = ra_arena_new();
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    guint32 attr, num = 0, max = 0, off = 0, actual = 0, status = 0;
    RaUuid handle;
    ra_ndr_pull_u32(in, &attr);
    ra_ndr_pull_uuid(in, &handle);
    ra_ndr_pull_u32(in, &num);
    ra_ndr_pull_array_size(in, 4, &max);
    ra_ndr_pull_array_length(in, max, 4, &off, &actual);
    guint32 *ptrs = ra_ndr_pull_alloc_array(in, actual, sizeof(guint32), 4);
    for (guint32 i = 0; ra_ndr_pull_ok(in) && i < actual; i++)
        ra_ndr_pull_ptr(in, &ptrs[i]);
    GString *ports = g_string_new(NULL);
    for (guint32 i = 0; ra_ndr_pull_ok(in) && i < actual; i++) {
        if (ptrs[i] == 0)
            continue;
        guint32 tmax = 0, tlen = 0;
        const guint8 *tb = NULL;
        ra_ndr_pull_array_size(in, 1, &tmax);
        ra_ndr_pull_u32(in, &tlen);
        if (ra_ndr_pull_ok(in) && tlen != tmax)
            ra_ndr_pull_fail(in, RA_ERROR_MALFORMED, "tower_length %u, conformance %u", tlen, tmax);
        ra_ndr_pull_bytes_ref(in, tlen, &tb);
        RaEpmTower tw;
        if (ra_ndr_pull_ok(in) && ra_epm_tower_parse(tb, tlen, arena, &tw, NULL) &&
            tw.transport == RA_EPM_PROT_TCP)
            g_string_append_printf(ports, "%s%u", ports->len ? ", " : "", tw.port);
    }
    ra_ndr_pull_u32(in, &status);
    if (!ra_ndr_pull_finish(in, &error)) {
        decide(p, RA_PROBE_EPM, RA_PROBE_FAIL, RA_TS_MALFORMED, NULL,
               "ept_map answered something that does not decode: %s", error->message);
        g_error_free(error);
    } else if (status == 0) {
        decide(p, RA_PROBE_EPM, RA_PROBE_PASS, -1, NULL,
               "ept_map answered: IRemoteSCMActivator at TCP port %s", ports->str);
    } else {
        /* An answer all the same: the endpoint mapper works. */
        decide(p, RA_PROBE_EPM, RA_PROBE_PASS, -1, NULL,
               "ept_map answered status 0x%08x%s (the endpoint mapper works; DCOM activation "
               "is asked at port %u all the same)",
               status, status == RA_EPT_S_NOT_REGISTERED ? " (EPT_S_NOT_REGISTERED)" : "", p->port);
    }
    g_string_free(ports, TRUE);
    ra_rpc_client_free(c);
}

/* Adds a binding to a list once. */
static void add_binding(GPtrArray *list, const char *b)
{
    for (guint i = 0; i < list->len; i++)
        if (g_ascii_strcasecmp(g_ptr_array_index(list, i), b) == 0)
            return;
    if (list->len < MAX_BINDINGS)
        g_ptr_array_add(list, g_strdup(b));
}

static gchar *join(GPtrArray *list)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < list->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(list, i));
    if (list->len == 0)
        g_string_append(s, "none");
    return g_string_free(s, FALSE);
}

static void step_resolver(Probe *p)
{
    start(p);
    GError *error = NULL;
    guint16 ctx = 0;
    RaRpcClient *c = rpc_connect(p, &ra_oxid_syntax, NULL, &ctx, &error);
    GBytes *response = NULL;
    if (error == NULL)
        response = call(c, ctx, OPNUM_SERVER_ALIVE2, NULL, &error);
    if (response == NULL) {
        gint t = rpc_trouble(error, c, RA_TS_RESOLVER_NO_ANSWER);
        decide(p, RA_PROBE_RESOLVER, RA_PROBE_FAIL, t, NULL, "ServerAlive2 failed: %s",
               error->message);
        g_error_free(error);
        ra_rpc_client_free(c);
        return;
    }
    g_autoptr(RaArena) arena = ra_arena_new();
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new_bytes(response, arena);
    g_bytes_unref(response);
    RaComVersion version = {0};
    RaDualStringArray dsa = {0};
    guint32 ptr = 0, reserved = 0, status = 0;
    ra_dcom_pull_comversion(in, RA_NDR_BOTH, &version);
    ra_ndr_pull_ptr(in, &ptr);
    if (ptr != 0)
        ra_dcom_pull_dsa(in, RA_NDR_BOTH, &dsa);
    ra_ndr_pull_u32(in, &reserved);
    ra_ndr_pull_u32(in, &status);
    if (!ra_ndr_pull_finish(in, &error)) {
        decide(p, RA_PROBE_RESOLVER, RA_PROBE_FAIL, RA_TS_MALFORMED, NULL,
               "ServerAlive2 answered something that does not decode: %s", error->message);
        g_error_free(error);
    } else if (status != 0) {
        decide(p, RA_PROBE_RESOLVER, RA_PROBE_FAIL, RA_TS_RESOLVER_NO_ANSWER, NULL,
               "ServerAlive2 answered error 0x%08x", status);
    } else {
        for (guint i = 0; i < dsa.n_strings; i++)
            if (dsa.strings[i].tower_id == RA_TOWERID_NCACN_IP_TCP)
                add_binding(p->resolver_bindings, dsa.strings[i].address);
        gchar *list = join(p->resolver_bindings);
        decide(p, RA_PROBE_RESOLVER, RA_PROBE_PASS, -1, NULL,
               "ServerAlive2 answered: COM version %u.%u, bindings %s", version.major,
               version.minor, list);
        g_free(list);
    }
    ra_rpc_client_free(c);
}

/* ---- authenticated ---- */

/* An authenticated ResolveOxid2 of a made-up OXID at a level; the client (for its fault) in *c. */
static gboolean try_logon(Probe *p, guint8 level, guint32 *status, RaRpcClient **c, GError **error)
{
    RaRpcAuth auth = p->auth;
    auth.level = level;
    guint16 ctx = 0;
    *c = rpc_connect(p, &ra_oxid_syntax, &auth, &ctx, error);
    if (*c == NULL || (error && *error))
        return FALSE;
    static const guint16 tcp = RA_TOWERID_NCACN_IP_TCP;
    RaNdrPush *push = ra_ndr_push_new();
    ra_ndr_push_u64(push, PROBE_OXID);
    ra_ndr_push_u16(push, 1);
    ra_ndr_push_array_size(push, 1);
    ra_ndr_push_u16_array(push, &tcp, 1);
    GBytes *response = call(*c, ctx, OPNUM_RESOLVE_OXID2, finish_push(push), error);
    if (response == NULL)
        return FALSE;
    /* The status is the last u32 of the answer, whatever came before. */
    gsize n;
    const guint8 *d = g_bytes_get_data(response, &n);
    *status = n >= 4 ? ra_le32(d + n - 4) : 0;
    g_bytes_unref(response);
    return TRUE;
}

static void skip(Probe *p, RaProbeStepId id, const char *why)
{
    start(p);
    decide(p, id, RA_PROBE_SKIP, -1, NULL, "%s", why);
}

static void step_auth(Probe *p)
{
    start(p);
    guint8 level = p->auth.level;
    const char *lname = level == RA_AUTH_LEVEL_PKT_PRIVACY     ? "PKT_PRIVACY"
                        : level == RA_AUTH_LEVEL_PKT_INTEGRITY ? "PKT_INTEGRITY"
                                                               : ra_rpc_auth_level_name(level);
    guint32 status = 0;
    RaRpcClient *c = NULL;
    GError *error = NULL;
    if (try_logon(p, level, &status, &c, &error)) {
        p->logged_on = TRUE;
        decide(p, RA_PROBE_AUTH, RA_PROBE_PASS, -1, NULL,
               "%s logged on with NTLMv2 at %s: an authenticated ResolveOxid2 of a made-up OXID "
               "was answered (status 0x%08x%s)",
               p->who, lname, status, status == RA_OR_INVALID_OXID ? ", OR_INVALID_OXID" : "");
        ra_rpc_client_free(c);
        return;
    }
    guint32 fault = error_fault(error, c);
    gint t = rpc_trouble(error, c, -1);
    ra_rpc_client_free(c);
    if (fault == RA_NCA_S_FAULT_ACCESS_DENIED && level < RA_AUTH_LEVEL_PKT_PRIVACY) {
        /* Refused at this level: a level the novice does not accept, or a refused logon? */
        GError *again = NULL;
        c = NULL;
        gboolean ok = try_logon(p, RA_AUTH_LEVEL_PKT_PRIVACY, &status, &c, &again);
        ra_rpc_client_free(c);
        if (ok) {
            p->logged_on = TRUE;
            p->auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
            decide(p, RA_PROBE_AUTH, RA_PROBE_FAIL, RA_TS_AUTH_LEVEL_TOO_LOW, NULL,
                   "at %s the novice answered nca_s_fault_access_denied; at PKT_PRIVACY the same "
                   "logon of %s is accepted: the novice requires a higher authentication level "
                   "(the next steps use PKT_PRIVACY)",
                   lname, p->who);
            g_error_free(error);
            g_clear_error(&again);
            return;
        }
        g_clear_error(&again);
    }
    if (fault == RA_NCA_S_FAULT_ACCESS_DENIED)
        t = RA_TS_AUTH_WRONG_PASSWORD;
    else if (t < 0 && g_error_matches(error, RA_ERROR, RA_ERROR_TIMEOUT))
        t = RA_TS_RESOLVER_NO_ANSWER;
    else if (t < 0)
        t = RA_TS_AUTH_WRONG_PASSWORD;
    decide(p, RA_PROBE_AUTH, RA_PROBE_FAIL, t, NULL, "logon of %s at %s: %s", p->who, lname,
           error->message);
    g_error_free(error);
}

static gboolean is_io(const GError *e)
{
    return g_error_matches(e, RA_ERROR, RA_ERROR_IO) ||
           g_error_matches(e, RA_ERROR, RA_ERROR_TIMEOUT);
}

static void activate(Probe *p, Activation *a, const char *name, const RaUuid *clsid,
                     const RaUuid *iid)
{
    gint64 t0 = g_get_monotonic_time();
    a->class_name = name;
    RaDcomClientConfig dc = {0};
    dc.host = p->cfg->host;
    dc.port = p->port;
    dc.auth = p->auth;
    dc.timeout_ms = p->timeout_ms;
    a->client = ra_dcom_client_new(&dc, &a->error);
    if (a->client != NULL) {
        a->ok = ra_dcom_client_create_instance(a->client, clsid, iid, RA_ACTPROP_ANY_SESSION,
                                               &a->binding, &a->hresult, &a->error);
        const char *const *adv = NULL;
        guint n = ra_dcom_client_advertised(a->client, &adv);
        for (guint i = 0; i < n; i++)
            add_binding(p->exporter_bindings, adv[i]);
        if (a->ok) {
            a->answered = TRUE;
            a->exporter = g_strdup(ra_dcom_client_exporter(a->client)->binding);
        } else if (n > 0 && is_io(a->error)) {
            /* The activator answered; the object's own port did not. */
            a->answered = TRUE;
            if (p->exporter_error == NULL)
                p->exporter_error = g_strdup(a->error->message);
        } else {
            a->fault = error_fault(a->error, NULL);
            a->answered = a->hresult != 0;
        }
    }
    a->elapsed_us = g_get_monotonic_time() - t0;
}

static void activation_clear(Activation *a)
{
    g_clear_error(&a->error);
    /* Frees and releases what the client holds (RemRelease). */
    ra_dcom_client_free(a->client);
    a->client = NULL;
    g_free(a->exporter);
}

/* Errors of the generated proxies for a failure HRESULT name the method already. */
static gboolean hresult_error(const GError *e)
{
    return g_error_matches(e, RA_ERROR, RA_ERROR_HRESULT);
}

static gboolean class_missing(const Activation *a)
{
    return a->hresult == RA_REGDB_E_CLASSNOTREG || a->hresult == RA_E_NOINTERFACE ||
           a->hresult == RA_CO_E_CLASSSTRING;
}

static gboolean refused(const Activation *a)
{
    return a->hresult == RA_E_ACCESSDENIED;
}

static gchar *hresult_text(guint32 hr)
{
    const char *name = ra_hresult_name(hr);
    return g_strdup_printf("0x%08x%s%s", hr, name ? " " : "", name ? name : "");
}

/* The rasrv and pchservice steps, decided together (each one's meaning depends on the other). */
static void step_activations(Probe *p)
{
    start(p);
    activate(p, &p->rasrv, "RASrv", &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv);
    activate(p, &p->pch, "PCHService", &ra_rai_clsid_PCHService, &ra_rai_iid_IPCHService);
    Activation *both[2] = {&p->rasrv, &p->pch};
    RaProbeStepId ids[2] = {RA_PROBE_RASRV, RA_PROBE_PCHSERVICE};
    const char *ifaces[2] = {"IRASrv", "IPCHService"};
    for (int i = 0; i < 2; i++) {
        Activation *a = both[i], *other = both[1 - i];
        RaProbeStep *s = &p->r->steps[ids[i]];
        s->elapsed_us = MAX(a->elapsed_us, 1);
        gchar *hr = hresult_text(a->hresult);
        if (a->ok) {
            decide(p, ids[i], RA_PROBE_PASS, -1, NULL,
                   "RemoteCreateInstance of %s for %s succeeded; object exporter reached at %s",
                   a->class_name, ifaces[i], a->exporter ? a->exporter : "?");
        } else if (a->answered && a->hresult == 0) {
            decide(p, ids[i], RA_PROBE_PASS, -1, NULL,
                   "RemoteCreateInstance of %s for %s succeeded, but its object exporter could "
                   "not be reached (see the bindings step): %s",
                   a->class_name, ifaces[i], a->error->message);
        } else if (refused(a)) {
            decide(p, ids[i], RA_PROBE_SKIP, -1, NULL,
                   "RemoteCreateInstance of %s refused with %s before the class was looked up "
                   "(see the helpers step)",
                   a->class_name, hr);
        } else if (class_missing(a) && other->ok && i == 0) {
            decide(p, ids[i], RA_PROBE_WARN, RA_TS_XP_NOVICE,
                   "Offer through IPCHService (`ratool offer --interface ipchservice`; Windows "
                   "experts fall back to it on their own)",
                   "RemoteCreateInstance of RASrv answered %s while PCHService activates: a "
                   "Windows XP or Server 2003 novice",
                   hr);
        } else if (class_missing(a) && (other->ok || (other->answered && other->hresult == 0))) {
            decide(p, ids[i], RA_PROBE_SKIP, -1, NULL,
                   "RemoteCreateInstance of %s answered %s: %s, which is fine (%s answers)",
                   a->class_name, hr,
                   i == 1 ? "Windows Vista and later have no PCHService"
                          : "not a Vista or later novice",
                   other->class_name);
        } else if (a->hresult != 0) {
            const RaTrouble *t = ra_trouble_find(RA_TROUBLE_HRESULT, a->hresult);
            decide(p, ids[i], RA_PROBE_FAIL, t ? (gint)t->id : -1, NULL,
                   "RemoteCreateInstance of %s for %s: %s", a->class_name, ifaces[i],
                   a->error->message);
        } else {
            gint t = rpc_trouble(a->error, NULL, is_io(a->error) ? RA_TS_TCP_NO_ANSWER : -1);
            decide(p, ids[i], RA_PROBE_FAIL, t, NULL, "RemoteCreateInstance of %s: %s",
                   a->class_name, a->error ? a->error->message : "failed");
        }
        g_free(hr);
    }
}

static void step_helpers(Probe *p)
{
    start(p);
    if (p->rasrv.ok || p->pch.ok || (p->rasrv.answered && p->rasrv.hresult == 0) ||
        (p->pch.answered && p->pch.hresult == 0)) {
        decide(p, RA_PROBE_HELPERS, RA_PROBE_PASS, -1, NULL,
               "%s may activate %s: a member of the Offer Remote Assistance Helpers group (or an "
               "administrator)",
               p->who, p->rasrv.ok ? "RASrv" : "PCHService");
    } else if (refused(&p->rasrv) || refused(&p->pch)) {
        decide(p, RA_PROBE_HELPERS, RA_PROBE_FAIL, RA_TS_NOT_HELPER, NULL,
               "the novice refused the activation of %s by %s with E_ACCESSDENIED after "
               "accepting the logon",
               refused(&p->rasrv) ? "RASrv" : "PCHService", p->who);
    } else {
        decide(p, RA_PROBE_HELPERS, RA_PROBE_SKIP, -1, NULL,
               "not known: neither class could be activated");
    }
}

static gboolean in_list(GPtrArray *list, const char *b, guint n)
{
    for (guint k = 0; k < n; k++)
        if (g_ascii_strcasecmp(g_ptr_array_index(list, k), b) == 0)
            return TRUE;
    return FALSE;
}

static void step_bindings(Probe *p)
{
    start(p);
    GPtrArray *all = g_ptr_array_new();
    for (guint i = 0; i < p->resolver_bindings->len; i++)
        g_ptr_array_add(all, g_ptr_array_index(p->resolver_bindings, i));
    guint n_resolver = all->len;
    for (guint i = 0; i < p->exporter_bindings->len; i++) {
        gpointer b = g_ptr_array_index(p->exporter_bindings, i);
        if (!in_list(all, b, n_resolver))
            g_ptr_array_add(all, b);
    }
    if (all->len == 0) {
        decide(p, RA_PROBE_BINDINGS, RA_PROBE_SKIP, -1, NULL,
               "no binding known: neither ServerAlive2 nor an activation told any");
        g_ptr_array_unref(all);
        return;
    }
    GString *good = g_string_new(NULL), *bad = g_string_new(NULL), *names = g_string_new(NULL);
    guint n_bad_exporter = 0, n_exporter = 0;
    gint trouble = -1;
    for (guint i = 0; i < all->len; i++) {
        const char *b = g_ptr_array_index(all, i);
        gboolean exporter = in_list(p->exporter_bindings, b, p->exporter_bindings->len);
        /* "ADDR[PORT]", or ADDR alone (port 135: ServerAlive2 on Windows). */
        gchar *addr = g_strdup(b);
        guint16 port = p->port;
        char *open = strchr(addr, '[');
        if (open != NULL) {
            gchar *end;
            guint64 v = g_ascii_strtoull(open + 1, &end, 10);
            if (*end == ']' && v > 0 && v <= 65535)
                port = (guint16)v;
            *open = '\0';
        }
        if (exporter)
            n_exporter++;
        gint t;
        gchar *why = NULL;
        if (tcp_reach(addr, port, p->timeout_ms, &t, &why)) {
            g_string_append_printf(good, "%s%s", good->len ? ", " : "", b);
        } else if (t == RA_TS_NAME_UNRESOLVED) {
            g_string_append_printf(names, "%s%s", names->len ? ", " : "", b);
        } else {
            g_string_append_printf(bad, "%s%s (%s)", bad->len ? "; " : "", b, why);
            if (exporter)
                n_bad_exporter++;
            if (trouble < 0)
                trouble = RA_TS_BINDING_UNREACHABLE;
        }
        g_free(why);
        g_free(addr);
    }
    if (p->exporter_error != NULL && trouble < 0)
        trouble = RA_TS_EXPORTER_NO_ANSWER;
    if (n_exporter > 0 && n_bad_exporter == n_exporter)
        trouble = RA_TS_EXPORTER_NO_ANSWER;
    GString *ev = g_string_new(NULL);
    gchar *by_resolver = join(p->resolver_bindings);
    g_string_append_printf(ev, "advertised by ServerAlive2: %s", by_resolver);
    g_free(by_resolver);
    if (p->exporter_bindings->len > 0) {
        gchar *by_exporter = join(p->exporter_bindings);
        g_string_append_printf(ev, "; by the object exporter: %s", by_exporter);
        g_free(by_exporter);
    }
    g_string_append_printf(ev, "; reachable: %s", good->len ? good->str : "none");
    if (bad->len)
        g_string_append_printf(ev, "; unreachable: %s", bad->str);
    if (names->len)
        g_string_append_printf(ev, "; names that do not resolve here: %s", names->str);
    if (p->exporter_error != NULL)
        g_string_append_printf(ev, "; connecting to the object exporter: %s", p->exporter_error);
    if (p->exporter_bindings->len == 0)
        g_string_append(ev, "; the object exporter's bindings are not known (no activation)");
    if (trouble >= 0)
        decide(p, RA_PROBE_BINDINGS, RA_PROBE_FAIL, trouble, NULL, "%s", ev->str);
    else if (names->len)
        decide(p, RA_PROBE_BINDINGS, RA_PROBE_WARN, RA_TS_NAME_UNRESOLVED,
               "Windows experts try the bindings in order; make the novice's names resolve "
               "from the expert (DNS), or nothing to do if an address works",
               "%s", ev->str);
    else
        decide(p, RA_PROBE_BINDINGS, RA_PROBE_PASS, -1, NULL, "%s", ev->str);
    g_string_free(ev, TRUE);
    g_string_free(good, TRUE);
    g_string_free(bad, TRUE);
    g_string_free(names, TRUE);
    g_ptr_array_unref(all);
}

/* ---- sessions ---- */

/* IPCHCollection::Item(index) -> its session's properties. */
static gboolean pch_session(RaDcomClient *c, RaOrpcBinding *col, gint32 index,
                            RaRaiExpertSession *s, RaArena *arena, GError **error)
{
    RaRai_IPCHCollection_get_Item_in iin = {0};
    RaRai_IPCHCollection_get_Item_out iout = {0};
    iin.vIndex = index;
    if (!ra_rai_call_IPCHCollection_get_Item(col, &iin, &iout, arena, error))
        return FALSE;
    if ((iout.ppEntry.vt != RA_VT_DISPATCH && iout.ppEntry.vt != RA_VT_UNKNOWN) ||
        iout.ppEntry.v.iface == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "IPCHCollection::Item(%d) is not an object (VARIANT type 0x%04x)", index,
                    iout.ppEntry.vt);
        return FALSE;
    }
    return ra_rai_expert_read_session(c, iout.ppEntry.v.iface, s, arena, error);
}

static const char *state_name(gint state)
{
    return state >= 0 ? ra_session_state_name((guint32)state) : NULL;
}

static void decide_sessions(Probe *p, GPtrArray *list, const char *how)
{
    GString *text = g_string_new(NULL);
    guint usable = 0;
    for (guint i = 0; i < list->len; i++) {
        const RaRaiExpertSession *s = g_ptr_array_index(list, i);
        gboolean ok = ra_rai_expert_session_usable(s);
        usable += ok;
        g_string_append_printf(text, "%s%u %s\\%s", i ? ", " : "", s->id,
                               s->domain ? s->domain : "", s->user ? s->user : "");
        if (state_name(s->state))
            g_string_append_printf(text, " (%s)", state_name(s->state));
        if (!ok)
            g_string_append(text, " (no user: ignored)");
    }
    if (usable > 0)
        decide(p, RA_PROBE_SESSIONS, RA_PROBE_PASS, -1, NULL, "%s: %u session(s): %s", how,
               list->len, text->str);
    else
        decide(p, RA_PROBE_SESSIONS, RA_PROBE_FAIL, RA_TS_NO_SESSION, NULL,
               "%s: no session with a user (%u reported%s%s)", how, list->len,
               list->len ? ": " : "", text->str);
    g_string_free(text, TRUE);
}

/* The policy step (IPCHService::RemoteUserSessionInfo) and, on an XP novice, the sessions. */
static void step_policy_and_sessions(Probe *p)
{
    g_autoptr(RaArena) arena = ra_arena_new();
    GError *error = NULL;
    RaOrpcBinding *col = NULL;
    gboolean policy_ok = FALSE;
    start(p);
    if (!p->pch.ok) {
        decide(p, RA_PROBE_POLICY, RA_PROBE_SKIP, -1, NULL, "%s",
               p->rasrv.ok ? "not visible without an offer: RASrv tells only when one is made "
                             "(GetNoviceUserInfo), which the probe never does; a refusal then "
                             "is ERROR_ACCESS_DISABLED_BY_POLICY"
                           : "PCHService could not be activated");
    } else {
        RaRai_IPCHService_RemoteUserSessionInfo_in uin = {0};
        RaRai_IPCHService_RemoteUserSessionInfo_out uout = {0};
        if (!ra_rai_call_IPCHService_RemoteUserSessionInfo(p->pch.binding, &uin, &uout, arena,
                                                           &error)) {
            const RaTrouble *t = uout.result == RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY
                                     ? ra_trouble(RA_TS_OFFERS_DISABLED)
                                     : ra_trouble_find(RA_TROUBLE_HRESULT, uout.result);
            decide(
                p, RA_PROBE_POLICY, RA_PROBE_FAIL,
                t ? (gint)t->id : rpc_trouble(error, NULL, RA_TS_MALFORMED), NULL, "%s%s",
                hresult_error(error) ? "" : "IPCHService::RemoteUserSessionInfo: ", error->message);
            g_clear_error(&error);
        } else if (uout.pVal == NULL ||
                   !ra_dcom_client_unmarshal(p->pch.client, uout.pVal, &ra_rai_iid_IPCHCollection,
                                             &col, &error)) {
            decide(p, RA_PROBE_POLICY, RA_PROBE_FAIL, RA_TS_MALFORMED, NULL,
                   "IPCHService::RemoteUserSessionInfo returned no usable collection%s%s",
                   error ? ": " : "", error ? error->message : "");
            g_clear_error(&error);
        } else {
            policy_ok = TRUE;
            decide(p, RA_PROBE_POLICY, RA_PROBE_PASS, -1, NULL,
                   "IPCHService::RemoteUserSessionInfo answered with a session collection: "
                   "offers are not disabled by policy");
        }
    }

    start(p);
    GPtrArray *list = g_ptr_array_new_with_free_func(ra_rai_expert_session_free);
    if (p->rasrv.ok) {
        RaRai_IRASrv_GetSessionInfo_in gin = {0};
        RaRai_IRASrv_GetSessionInfo_out gout = {0};
        if (!ra_rai_call_IRASrv_GetSessionInfo(p->rasrv.binding, &gin, &gout, arena, &error)) {
            const RaTrouble *t = ra_trouble_find(RA_TROUBLE_HRESULT, gout.result);
            decide(p, RA_PROBE_SESSIONS, RA_PROBE_FAIL,
                   t ? (gint)t->id : rpc_trouble(error, NULL, RA_TS_MALFORMED), NULL, "%s%s",
                   hresult_error(error) ? "" : "IRASrv::GetSessionInfo: ", error->message);
            g_clear_error(&error);
        } else {
            ra_rai_expert_add_session_entries(list, gout.UserNames);
            decide_sessions(p, list, "IRASrv::GetSessionInfo");
        }
    } else if (policy_ok) {
        RaRai_IPCHCollection_get_Count_in cin = {0};
        RaRai_IPCHCollection_get_Count_out cout = {0};
        gboolean ok = ra_rai_call_IPCHCollection_get_Count(col, &cin, &cout, arena, &error);
        for (gint32 i = 1; ok && i <= MIN(cout.pVal, MAX_SESSIONS); i++) {
            RaRaiExpertSession *s = g_new0(RaRaiExpertSession, 1);
            g_ptr_array_add(list, s);
            ok = pch_session(p->pch.client, col, i, s, arena, &error);
        }
        if (ok)
            decide_sessions(p, list, "IPCHService's session collection");
        else {
            decide(p, RA_PROBE_SESSIONS, RA_PROBE_FAIL, rpc_trouble(error, NULL, RA_TS_MALFORMED),
                   NULL, "reading IPCHService's session collection: %s", error->message);
            g_clear_error(&error);
        }
    } else {
        decide(p, RA_PROBE_SESSIONS, RA_PROBE_SKIP, -1, NULL, "%s",
               p->pch.ok ? "IPCHService did not list the sessions (see the policy step)"
                         : "neither RASrv nor PCHService could be activated");
    }
    if (col != NULL)
        ra_dcom_client_release(p->pch.client, col, NULL);
    g_ptr_array_unref(list);
}

/* ---- the run ---- */

static gchar *verdict(Probe *p)
{
    RaProbeResult *r = p->r;
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < RA_PROBE_N_STEPS; i++) {
            const RaProbeStep *s = &r->steps[i];
            if (s->status != (pass == 0 ? RA_PROBE_FAIL : RA_PROBE_WARN))
                continue;
            const RaTrouble *t = s->trouble >= 0 ? ra_trouble((RaTroubleId)s->trouble) : NULL;
            return g_strdup_printf("%s at %s (%s): %s", pass == 0 ? "FAIL" : "OK with a warning",
                                   step_keys[i], step_titles[i], t ? t->name : s->evidence);
        }
    }
    if (!r->credentials)
        return g_strdup_printf("OK so far: %s answers DCOM at port %u; give --user and "
                               "--password to check the logon, the activation and the sessions",
                               p->cfg->host, p->port);
    return g_strdup_printf("OK: %s can be offered Remote Assistance by %s", p->cfg->host, p->who);
}

RaProbeResult *ra_probe_run(const RaProbeConfig *cfg)
{
    Probe p = {0};
    p.cfg = cfg;
    p.r = g_new0(RaProbeResult, 1);
    p.r->first_failure = -1;
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++) {
        p.r->steps[i].id = (RaProbeStepId)i;
        p.r->steps[i].trouble = -1;
    }
    p.port = cfg->port ? cfg->port : 135;
    p.timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    p.resolver_bindings = g_ptr_array_new_with_free_func(g_free);
    p.exporter_bindings = g_ptr_array_new_with_free_func(g_free);
    p.r->credentials = cfg->user != NULL && *cfg->user;
    p.auth.level = cfg->level ? cfg->level : RA_AUTH_LEVEL_PKT_PRIVACY;
    p.auth.domain = cfg->domain && *cfg->domain ? cfg->domain : NULL;
    p.auth.user = cfg->user;
    p.auth.password = cfg->password;
    p.auth.nt_hash = cfg->nt_hash;
    p.who = p.auth.domain ? g_strdup_printf("%s\\%s", p.auth.domain, cfg->user ? cfg->user : "")
                          : g_strdup(cfg->user ? cfg->user : "");

    step_tcp(&p);
    gboolean up = p.r->steps[RA_PROBE_TCP].status == RA_PROBE_PASS;
    if (up) {
        step_epm(&p);
        step_resolver(&p);
    } else {
        skip(&p, RA_PROBE_EPM, "the port does not accept connections");
        skip(&p, RA_PROBE_RESOLVER, "the port does not accept connections");
    }
    if (up && p.r->credentials) {
        step_auth(&p);
    } else {
        skip(&p, RA_PROBE_AUTH,
             up ? "no credentials (--user and --password)"
                : "the port does not accept connections");
    }
    if (p.logged_on) {
        step_activations(&p);
        step_helpers(&p);
    } else {
        const char *why = !up                 ? "the port does not accept connections"
                          : !p.r->credentials ? "no credentials (--user and --password)"
                                              : "the logon was not accepted";
        skip(&p, RA_PROBE_RASRV, why);
        skip(&p, RA_PROBE_PCHSERVICE, why);
        skip(&p, RA_PROBE_HELPERS, why);
    }
    if (up)
        step_bindings(&p);
    else
        skip(&p, RA_PROBE_BINDINGS, "the port does not accept connections");
    if (p.logged_on) {
        step_policy_and_sessions(&p);
    } else {
        const char *why = !up                 ? "the port does not accept connections"
                          : !p.r->credentials ? "no credentials (--user and --password)"
                                              : "the logon was not accepted";
        skip(&p, RA_PROBE_POLICY, why);
        skip(&p, RA_PROBE_SESSIONS, why);
    }
    activation_clear(&p.rasrv);
    activation_clear(&p.pch);

    for (guint i = 0; i < RA_PROBE_N_STEPS && p.r->first_failure < 0; i++)
        if (p.r->steps[i].status == RA_PROBE_FAIL)
            p.r->first_failure = (gint)i;
    p.r->verdict = verdict(&p);
    g_ptr_array_unref(p.resolver_bindings);
    g_ptr_array_unref(p.exporter_bindings);
    g_free(p.exporter_error);
    g_free(p.who);
    return p.r;
}

void ra_probe_result_free(RaProbeResult *r)
{
    if (r == NULL)
        return;
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++) {
        g_free(r->steps[i].evidence);
        g_free(r->steps[i].next);
    }
    g_free(r->verdict);
    g_free(r);
}

int ra_probe_exit_status(const RaProbeResult *r)
{
    return r->first_failure < 0 ? 0 : RA_PROBE_EXIT_BASE + r->first_failure;
}
