/*
 * The engine of `ratool analyze` (see ra/analyze.h): packets -> TCP connections -> DCE/RPC
 * associations (ra/rpcobserve.h) -> decoded calls -> stories of offers.
 */
#include "ra/analyze.h"
#include "ra/bytes.h"
#include "ra/actprop.h"
#include "ra/connstr.h"
#include "ra/dcom.h"
#include "ra/epm.h"
#include "ra/idispatch.h"
#include "ra/oxid.h"
#include "ra/rpc-server.h"
#include "ra/tcpreasm.h"
#include "rai-ndr.h"

#include <string.h>

/* Connections silent this long (capture time) are ended. */
#define CONN_IDLE_NS   ((gint64)600 * G_GINT64_CONSTANT(1000000000))
#define STORY_IDLE_NS  ((gint64)RA_ANALYZE_STORY_IDLE * G_GINT64_CONSTANT(1000000000))
#define SWEEP_EVERY_NS ((gint64)10 * G_GINT64_CONSTANT(1000000000))
/* Out-of-order bytes a direction may hold ahead of a hole. */
#define MAX_QUEUED      (1024 * 1024)
#define MAX_SESSIONS    10000
#define MAX_CONNSTRS    256
#define MAX_ACTIVATIONS 256
#define MAX_FINDINGS    64
#define DCOM_PORT       135

const char *ra_outcome_name(RaOutcome outcome)
{
    switch (outcome) {
    case RA_OUTCOME_OFFERED:
        return "offered";
    case RA_OUTCOME_FAILED:
        return "failed";
    case RA_OUTCOME_UNKNOWN:
        return "unknown";
    case RA_OUTCOME_NO_OFFER:
        return "no offer";
    }
    return "?";
}

/* ======================================================================================== */
/* Types                                                                                    */
/* ======================================================================================== */

typedef struct Story Story;
typedef struct Record Record;
typedef struct Conn Conn;
typedef struct RaAnalyzer An;

typedef enum {
    IF_UNKNOWN,
    IF_ACTIVATOR,  /* IRemoteSCMActivator = ISystemActivator */
    IF_ACTIVATION, /* IActivation (the old RemoteActivation) */
    IF_OXID,
    IF_EPM,
    IF_REMUNKNOWN,
    IF_REMUNKNOWN2,
    IF_DISPATCH,
    IF_IRASRV,
    IF_IPCHSERVICE,
    IF_IPCHCOLLECTION,
    IF_ISAFSESSION,
} IfKind;

/* A step with what the diagnosis needs afterwards. */
typedef struct {
    RaStep pub;
    Record *rec;
    gboolean fault;
    guint32 status; /* the fault status */
    guint8 level;
    RaObsKeyState key;
    gboolean first_call;   /* the first call on its security context */
    gboolean fallbackable; /* a failure of IRASrv after which experts try IPCHService */
} Step;

struct Record {
    RaStoryConn pub;
    Story *story;
    Conn *conn; /* NULL once the connection is over */
    gboolean server_closed_first;
    guint64 last_call_frame;
};

/* What the engine knows of an object handed out (by IPID). */
typedef struct {
    RaUuid ipid;
    RaUuid iid;
    guint64 oid;
    Story *story;
    gboolean has_session;
    guint32 session; /* the activation's session (RASrv objects) */
    gint item;       /* IPCHCollection::Item index it came from, or 0 */
} Ipid;

struct Story {
    RaStory pub;
    An *an;
    gboolean ended; /* an answer or a failure ended the offer: no new activity joins */
    guint64 ended_frame;
    gboolean closed; /* over: reported as soon as the stories before it are */
    guint open_records;
    gint64 last_ns;
    GPtrArray *records;   /* Record* (their pub in pub.connections, same order) */
    GPtrArray *ipids;     /* Ipid* this story registered */
    GHashTable *saf;      /* guint64 OID -> RaStorySession* being read from ISAFSession */
    GPtrArray *saf_order; /* RaStorySession* in the order the collection gave them */
    gboolean rasrv_tried, rasrv_failed, pch_tried, pch_ok, rasrv_ok;
    gchar *rasrv_failure;
    gboolean connstr_call;     /* a connection-string call was answered */
    gboolean connstr_readable; /* ... and read */
    gboolean unreadable;       /* some step could not be read */
    gboolean unknown_calls;    /* calls on presentation contexts whose bind was not captured */
    gboolean rai_answered;     /* an MS-RAI object answered a call (not "no such method") */
    gboolean activation_ok;    /* an activation answered (readable or not) without a fault */
    gboolean exporter_seen;    /* a connection other than to port 135, or a call on an object */
    guint64 activation_frame;
    gboolean midstream;
    RaObsKeyState key;
    GHashTable *warned; /* RaTroubleId -> RaFinding* (one finding per trouble) */
};

typedef struct {
    RaIpAddress a, b;
    guint16 pa, pb;
} ConnKey;

/* The user data of one direction's reassembly. */
typedef struct {
    Conn *c;
    int side;
} DirCtx;

struct Conn {
    An *an;
    ConnKey key;
    RaIpAddress addr[2]; /* side 0 opened the connection (or was seen first) */
    guint16 port[2];
    int client; /* the side of the client: 0 after a SYN, else guessed, then told by the PDUs */
    DirCtx dctx[2];
    RaObsStamp synack_at;
    RaTcpDir *dir[2];
    RaRpcObserver *obs;
    Record *rec;
    gboolean syn, synack, rst, fin[2], done, is_rpc;
    int first_fin; /* side that sent FIN first, or -1 */
    gint64 first_ns, last_ns;
    RaObsStamp now;
    RaObsStamp syn_at;
    gboolean connect_reported;
    GList *link;            /* in an->conn_list */
    GHashTable *auth_calls; /* auth_context_id -> calls seen (for "first call") */
};

struct RaAnalyzer {
    RaAnalyzeConfig cfg;
    RaAnalyzeStats stats;
    GHashTable *conns; /* ConnKey* -> Conn* */
    GList *conn_list;  /* Conn*, for sweeps */
    GQueue stories;    /* Story*, in order of start, until reported */
    GHashTable *ipids; /* RaUuid* -> Ipid* */
    guint next_story;
    gint64 now_ns;
    gint64 last_sweep_ns;
    GPtrArray *global;      /* RaGlobalFinding* */
    GHashTable *advertised; /* "addr[port]" of object exporters, for connection roles */
};

/* ======================================================================================== */
/* Small helpers                                                                            */
/* ======================================================================================== */

static const char *hresult_text(guint32 hr, char *buf, gsize size)
{
    const char *name = ra_hresult_name(hr);
    if (name != NULL)
        return name;
    g_snprintf(buf, size, "HRESULT 0x%08x", hr);
    return buf;
}

static gchar *fault_text(guint32 status)
{
    const char *name = ra_pdu_fault_name(status);
    if (name == NULL)
        name = ra_hresult_name(status);
    return name ? g_strdup_printf("fault %s", name) : g_strdup_printf("fault 0x%08x", status);
}

static guint conn_key_hash(gconstpointer p)
{
    const ConnKey *k = p;
    return ra_ip_address_hash(&k->a) * 31 + ra_ip_address_hash(&k->b) * 17 + k->pa * 7u + k->pb;
}

static gboolean conn_key_equal(gconstpointer x, gconstpointer y)
{
    const ConnKey *a = x, *b = y;
    return a->pa == b->pa && a->pb == b->pb && ra_ip_address_equal(&a->a, &b->a) &&
           ra_ip_address_equal(&a->b, &b->b);
}

static int addr_compare(const RaIpAddress *a, guint16 pa, const RaIpAddress *b, guint16 pb)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int c = memcmp(a->bytes, b->bytes, 16);
    if (c != 0)
        return c;
    return pa < pb ? -1 : pa > pb ? 1 : 0;
}

static void make_key(ConnKey *k, const RaTcpSegment *s)
{
    memset(k, 0, sizeof *k);
    if (addr_compare(&s->src, s->sport, &s->dst, s->dport) <= 0) {
        k->a = s->src, k->pa = s->sport, k->b = s->dst, k->pb = s->dport;
    } else {
        k->a = s->dst, k->pa = s->dport, k->b = s->src, k->pb = s->sport;
    }
}

static guint ipid_hash(gconstpointer p)
{
    return ra_uuid_hash(p);
}

static IfKind iface_kind(const RaSyntaxId *s)
{
    if (s == NULL)
        return IF_UNKNOWN;
    const RaUuid *u = &s->uuid;
    if (ra_uuid_equal(u, &ra_iid_iremote_scm_activator))
        return IF_ACTIVATOR;
    if (ra_uuid_equal(u, &ra_iid_iactivation))
        return IF_ACTIVATION;
    if (ra_uuid_equal(u, &ra_oxid_syntax.uuid))
        return IF_OXID;
    if (ra_uuid_equal(u, &ra_epm_syntax.uuid))
        return IF_EPM;
    if (ra_uuid_equal(u, &ra_iid_iremunknown))
        return IF_REMUNKNOWN;
    if (ra_uuid_equal(u, &ra_iid_iremunknown2))
        return IF_REMUNKNOWN2;
    if (ra_uuid_equal(u, &ra_iid_idispatch))
        return IF_DISPATCH;
    if (ra_uuid_equal(u, &ra_rai_iid_IRASrv))
        return IF_IRASRV;
    if (ra_uuid_equal(u, &ra_rai_iid_IPCHService))
        return IF_IPCHSERVICE;
    if (ra_uuid_equal(u, &ra_rai_iid_IPCHCollection))
        return IF_IPCHCOLLECTION;
    if (ra_uuid_equal(u, &ra_rai_iid_ISAFSession))
        return IF_ISAFSESSION;
    return IF_UNKNOWN;
}

static IfKind iid_kind(const RaUuid *iid)
{
    RaSyntaxId s = {0};
    s.uuid = *iid;
    return iface_kind(&s);
}

static const RaRaiInterfaceInfo *rai_info(IfKind k)
{
    switch (k) {
    case IF_IRASRV:
        return &ra_rai_iface_IRASrv;
    case IF_IPCHSERVICE:
        return &ra_rai_iface_IPCHService;
    case IF_IPCHCOLLECTION:
        return &ra_rai_iface_IPCHCollection;
    case IF_ISAFSESSION:
        return &ra_rai_iface_ISAFSession;
    default:
        return NULL;
    }
}

/* A name for an interface (static, or the UUID into buf). */
static const char *iface_name(const RaSyntaxId *s, char *buf, gsize size)
{
    switch (iface_kind(s)) {
    case IF_ACTIVATOR:
        return "IRemoteSCMActivator";
    case IF_ACTIVATION:
        return "IActivation";
    case IF_OXID:
        return "IObjectExporter";
    case IF_EPM:
        return "the endpoint mapper";
    case IF_REMUNKNOWN:
        return "IRemUnknown";
    case IF_REMUNKNOWN2:
        return "IRemUnknown2";
    case IF_DISPATCH:
        return "IDispatch";
    case IF_IRASRV:
        return "IRASrv";
    case IF_IPCHSERVICE:
        return "IPCHService";
    case IF_IPCHCOLLECTION:
        return "IPCHCollection";
    case IF_ISAFSESSION:
        return "ISAFSession";
    case IF_UNKNOWN:
        break;
    }
    if (s == NULL)
        return "an interface whose bind is not in the capture";
    char u[RA_UUID_STRING_LEN + 1];
    g_snprintf(buf, size, "interface %s v%u.%u", ra_uuid_format(&s->uuid, u), s->if_version_major,
               s->if_version_minor);
    return buf;
}

/* ======================================================================================== */
/* Stories                                                                                  */
/* ======================================================================================== */

static void step_free(gpointer p)
{
    Step *s = p;
    g_free(s->pub.what);
    g_free(s->pub.result);
    g_free(s);
}

static void finding_free(gpointer p)
{
    RaFinding *f = p;
    g_free(f->evidence);
    g_free(f);
}

static void session_free(gpointer p)
{
    RaStorySession *s = p;
    g_free(s->domain);
    g_free(s->user);
    g_free(s);
}

static void activation_free(gpointer p)
{
    RaStoryActivation *a = p;
    g_free(a->clsid);
    g_ptr_array_unref(a->bindings);
    g_free(a);
}

static void connstr_free(gpointer p)
{
    RaStoryConnStr *c = p;
    g_free(c->text);
    g_ptr_array_unref(c->listeners);
    g_free(c->auth_id);
    g_free(c->kh);
    g_free(c->sid);
    g_ptr_array_unref(c->warnings);
    g_free(c->parse_error);
    g_free(c);
}

static void record_free(gpointer p)
{
    Record *r = p;
    g_free(r->pub.identity);
    g_free(r);
}

static Story *story_new(An *an, const RaIpAddress *expert, const RaIpAddress *novice,
                        const RaObsStamp *at)
{
    Story *s = g_new0(Story, 1);
    s->an = an;
    s->pub.expert = *expert;
    s->pub.novice = *novice;
    s->pub.start = *at;
    s->pub.end = *at;
    s->pub.key = RA_OBS_KEY_NONE;
    s->key = RA_OBS_KEY_NONE;
    s->pub.connections = g_ptr_array_new();
    s->pub.steps = g_ptr_array_new_with_free_func(step_free);
    s->pub.activations = g_ptr_array_new_with_free_func(activation_free);
    s->pub.sessions = g_ptr_array_new_with_free_func(session_free);
    s->pub.connstrs = g_ptr_array_new_with_free_func(connstr_free);
    s->pub.findings = g_ptr_array_new_with_free_func(finding_free);
    s->records = g_ptr_array_new_with_free_func(record_free);
    s->ipids = g_ptr_array_new();
    s->saf = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    s->saf_order = g_ptr_array_new_with_free_func(session_free);
    s->warned = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->last_ns = at->time_ns;
    g_queue_push_tail(&an->stories, s);
    an->stats.stories++;
    return s;
}

static void story_free(Story *s)
{
    /* Objects of this story are forgotten: calls on them later go by connection. */
    for (guint i = 0; i < s->ipids->len; i++) {
        Ipid *ip = g_ptr_array_index(s->ipids, i);
        g_hash_table_remove(s->an->ipids, &ip->ipid);
    }
    g_ptr_array_unref(s->ipids);
    g_ptr_array_unref(s->pub.connections);
    g_ptr_array_unref(s->pub.steps);
    g_ptr_array_unref(s->pub.activations);
    g_ptr_array_unref(s->pub.sessions);
    g_ptr_array_unref(s->pub.connstrs);
    g_ptr_array_unref(s->pub.findings);
    g_ptr_array_unref(s->records);
    g_hash_table_destroy(s->saf);
    g_ptr_array_unref(s->saf_order);
    g_hash_table_destroy(s->warned);
    g_free(s->pub.identity);
    g_free(s->pub.workstation);
    g_free(s->pub.fallback);
    g_free(s->pub.summary);
    g_free(s->rasrv_failure);
    g_free(s);
}

static void touch(Story *s, const RaObsStamp *at)
{
    if (at->time_ns > s->last_ns)
        s->last_ns = at->time_ns;
    if (at->time_ns > s->pub.end.time_ns || at->frame > s->pub.end.frame)
        s->pub.end = *at;
}

/* A finding of the story: one per trouble (later evidence only counts). */
static void finding(Story *s, RaTroubleId trouble, gboolean error, const RaObsStamp *at,
                    const char *format, ...) G_GNUC_PRINTF(5, 6);
static void finding(Story *s, RaTroubleId trouble, gboolean error, const RaObsStamp *at,
                    const char *format, ...)
{
    RaFinding *f = g_hash_table_lookup(s->warned, GINT_TO_POINTER(trouble));
    if (f != NULL) {
        if (error && !f->error)
            f->error = TRUE;
        return;
    }
    if (s->pub.findings->len >= MAX_FINDINGS)
        return;
    va_list ap;
    va_start(ap, format);
    f = g_new0(RaFinding, 1);
    f->trouble = trouble;
    f->error = error;
    f->evidence = g_strdup_vprintf(format, ap);
    va_end(ap);
    if (at)
        f->at = *at;
    g_ptr_array_add(s->pub.findings, f);
    g_hash_table_insert(s->warned, GINT_TO_POINTER(trouble), f);
}

static void global_finding(An *an, RaTroubleId trouble, guint64 frame, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
static void global_finding(An *an, RaTroubleId trouble, guint64 frame, const char *format, ...)
{
    for (guint i = 0; i < an->global->len; i++) {
        RaGlobalFinding *g = g_ptr_array_index(an->global, i);
        if (g->trouble == trouble)
            return; /* once per kind: the first is the example */
    }
    va_list ap;
    va_start(ap, format);
    RaGlobalFinding *g = g_new0(RaGlobalFinding, 1);
    g->trouble = trouble;
    g->frame = frame;
    g->evidence = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_ptr_array_add(an->global, g);
}

static Step *add_step(Story *s, Record *r, RaStepKind kind, const RaObsStamp *start,
                      const RaObsStamp *end, gboolean answered, gchar *what, gchar *result)
{
    touch(s, start);
    if (answered)
        touch(s, end);
    if (s->pub.steps->len >= RA_ANALYZE_MAX_STEPS) {
        s->pub.steps_dropped++;
        g_free(what);
        g_free(result);
        return NULL;
    }
    Step *st = g_new0(Step, 1);
    st->rec = r;
    st->pub.connection = r->pub.number;
    st->pub.kind = kind;
    st->pub.start = *start;
    st->pub.answered = answered;
    if (answered) {
        st->pub.end = *end;
        st->pub.latency_ns = end->time_ns - start->time_ns;
    } else {
        st->pub.latency_ns = -1;
    }
    st->pub.what = what;
    st->pub.result = result;
    st->pub.trouble = -1;
    g_ptr_array_add(s->pub.steps, st);
    return st;
}

static void fail_step(Story *s, Step *st, RaTroubleId trouble)
{
    if (st == NULL)
        return;
    st->pub.failed = TRUE;
    st->pub.trouble = (int)trouble;
}

/* ---- records: a connection's part in a story ---- */

/* "192.0.2.20:49750 -> 192.0.2.10:135": how findings name a connection (numbers may change). */
static gchar *rec_label(const Record *r)
{
    char a[64], b[64];
    ra_ip_address_format(&r->pub.client, a, sizeof a);
    ra_ip_address_format(&r->pub.server, b, sizeof b);
    return g_strdup_printf("%s:%u -> %s:%u", a, r->pub.client_port, b, r->pub.server_port);
}

static Record *record_new(Story *s, Conn *c)
{
    Record *r = g_new0(Record, 1);
    r->story = s;
    r->conn = c;
    r->pub.number = s->records->len + 1;
    r->pub.client = c->addr[c->client];
    r->pub.server = c->addr[1 - c->client];
    r->pub.client_port = c->port[c->client];
    r->pub.server_port = c->port[1 - c->client];
    r->pub.role = r->pub.server_port == DCOM_PORT ? "activation" : "object exporter";
    r->pub.opened = c->syn ? c->syn_at : c->now;
    r->pub.saw_syn = c->syn;
    r->pub.midstream = !c->syn;
    g_ptr_array_add(s->records, r);
    g_ptr_array_add(s->pub.connections, &r->pub);
    s->open_records++;
    if (r->pub.server_port != DCOM_PORT)
        s->exporter_seen = TRUE;
    return r;
}

/* The connection's record ends (the connection is over, or it moves to another story). */
static void record_close(Record *r, const RaObsStamp *at)
{
    if (r->conn == NULL)
        return;
    Conn *c = r->conn;
    r->conn = NULL;
    r->pub.closed = *at;
    r->pub.reset = c->rst;
    r->pub.answered_syn = c->synack;
    r->pub.rpc = c->is_rpc;
    for (int d = 0; d < 2; d++) {
        const RaTcpDirStats *st = ra_tcp_dir_stats(c->dir[d]);
        r->pub.retransmissions += st->retransmissions;
        r->pub.out_of_order += st->out_of_order;
        r->pub.gaps += st->gaps;
        r->pub.gap_bytes += st->gap_bytes;
    }
    r->server_closed_first = c->first_fin == 1 - c->client;
    g_assert(r->story->open_records > 0);
    r->story->open_records--;
    if (r->story->ended && r->story->open_records == 0)
        r->story->closed = TRUE;
}

/* Is the story one a connection of this pair (and identity) may join? */
static gboolean joinable(const Story *s, const RaIpAddress *expert, const RaIpAddress *novice,
                         const char *identity, gint64 now)
{
    if (s->closed || s->ended)
        return FALSE;
    if (!ra_ip_address_equal(&s->pub.expert, expert) ||
        !ra_ip_address_equal(&s->pub.novice, novice))
        return FALSE;
    if (identity && s->pub.identity && g_ascii_strcasecmp(identity, s->pub.identity) != 0)
        return FALSE;
    if (s->open_records == 0 && now - s->last_ns > STORY_IDLE_NS)
        return FALSE;
    /* An expert that talked to the novice's object and closed every connection is done: a new
     * connection is a new offer (what tells sealed offers apart when the answers are unread). */
    if (s->open_records == 0 && s->rai_answered)
        return FALSE;
    return TRUE;
}

/* The story a new activity of this pair goes to: the newest joinable one, else a new one. */
static Story *story_for(An *an, const RaIpAddress *expert, const RaIpAddress *novice,
                        const char *identity, const RaObsStamp *at)
{
    for (GList *l = an->stories.tail; l != NULL; l = l->prev) {
        Story *s = l->data;
        if (joinable(s, expert, novice, identity, at->time_ns))
            return s;
    }
    return story_new(an, expert, novice, at);
}

/* Moves a connection to another story from now on (its past steps stay where they were). */
static void move_conn(Conn *c, Story *to)
{
    if (c->rec != NULL && c->rec->story == to)
        return;
    Record *old = c->rec;
    if (old != NULL)
        record_close(old, &c->now);
    c->rec = record_new(to, c);
    if (old != NULL) {
        c->rec->pub.identity = g_strdup(old->pub.identity);
        c->rec->pub.auth_level = old->pub.auth_level;
        c->rec->pub.midstream = old->pub.midstream;
        c->rec->pub.saw_syn = old->pub.saw_syn;
        c->rec->pub.opened = c->now;
    }
}

static void add_connect_step(Conn *c, Record *r);

/* Gives a connection's record, with its steps, to another story (its first handshake named
 * another expert, or its first call an object of another story). */
static void transfer_record(Record *r, Story *to)
{
    Story *from = r->story;
    if (from == to)
        return;
    g_ptr_array_remove(from->pub.connections, &r->pub);
    for (guint i = 0; i < from->records->len; i++) {
        if (g_ptr_array_index(from->records, i) == r) {
            g_ptr_array_steal_index(from->records, i);
            break;
        }
    }
    for (guint i = from->pub.steps->len; i-- > 0;) {
        Step *st = g_ptr_array_index(from->pub.steps, i);
        if (st->rec == r) {
            g_ptr_array_steal_index(from->pub.steps, i);
            g_ptr_array_add(to->pub.steps, st);
            touch(to, &st->pub.start);
        }
    }
    r->story = to;
    g_ptr_array_add(to->records, r);
    g_ptr_array_add(to->pub.connections, &r->pub);
    if (r->conn != NULL) {
        from->open_records--;
        to->open_records++;
    }
    if (r->pub.server_port != DCOM_PORT)
        to->exporter_seen = TRUE;
    if (from->open_records == 0 && from->records->len == 0)
        from->closed = TRUE;
}

/* A record that has seen no call yet may change stories whole. */
static gboolean record_fresh(const Record *r)
{
    return r->last_call_frame == 0;
}

static Record *conn_record(Conn *c)
{
    if (c->rec == NULL || c->rec->conn == NULL) {
        gboolean first = c->rec == NULL;
        Story *s = story_for(c->an, &c->addr[c->client], &c->addr[1 - c->client], NULL, &c->now);
        c->rec = record_new(s, c);
        if (first)
            add_connect_step(c, c->rec);
    }
    return c->rec;
}

/* ---- objects ---- */

static Ipid *ipid_find(An *an, const RaUuid *ipid)
{
    return g_hash_table_lookup(an->ipids, ipid);
}

static Ipid *ipid_add(Story *s, const RaUuid *ipid, const RaUuid *iid, guint64 oid)
{
    Ipid *ip = ipid_find(s->an, ipid);
    if (ip != NULL) {
        if (ip->story != s) {
            g_ptr_array_remove(ip->story->ipids, ip);
            ip->story = s;
            g_ptr_array_add(s->ipids, ip);
        }
        ip->iid = *iid;
        ip->oid = oid;
        return ip;
    }
    ip = g_new0(Ipid, 1);
    ip->ipid = *ipid;
    ip->iid = *iid;
    ip->oid = oid;
    ip->story = s;
    g_hash_table_insert(s->an->ipids, &ip->ipid, ip);
    g_ptr_array_add(s->ipids, ip);
    return ip;
}

/* Registers the object of an OBJREF (in an MInterfacePointer). */
static Ipid *objref_add(Story *s, const RaInterfacePointer *mip, RaArena *arena)
{
    if (mip == NULL || mip->data == NULL)
        return NULL;
    RaObjRef ref;
    if (!ra_objref_parse(mip->data, mip->size, arena, &ref, NULL))
        return NULL;
    if (ref.flags != RA_OBJREF_STANDARD && ref.flags != RA_OBJREF_HANDLER &&
        ref.flags != RA_OBJREF_EXTENDED)
        return NULL;
    return ipid_add(s, &ref.std.ipid, &ref.iid, ref.std.oid);
}

/* ======================================================================================== */
/* Connections                                                                              */
/* ======================================================================================== */

static void on_bind(const RaObsBind *b, gpointer data);
static void on_auth(const RaObsAuth *a, gpointer data);
static void on_call(const RaObsCall *c, gpointer data);
static void on_note(RaObsNoteCode code, gboolean from_client, const RaObsStamp *at,
                    const char *text, gpointer data);

static void dir_data(const guint8 *data, gsize len, gpointer user)
{
    DirCtx *d = user;
    if (d->c->obs != NULL)
        ra_rpc_observer_data(d->c->obs, d->side, data, len, &d->c->now);
}

static void dir_gap(guint32 missing, gpointer user)
{
    DirCtx *d = user;
    if (d->c->obs != NULL)
        ra_rpc_observer_gap(d->c->obs, d->side, missing, &d->c->now);
}

static const RaTcpDirFuncs dir_funcs = {dir_data, dir_gap};

static Conn *conn_new(An *an, const ConnKey *key, const RaTcpSegment *seg)
{
    Conn *c = g_new0(Conn, 1);
    c->an = an;
    c->key = *key;
    c->addr[0] = seg->src;
    c->port[0] = seg->sport;
    c->addr[1] = seg->dst;
    c->port[1] = seg->dport;
    c->first_fin = -1;
    /* Who is the client: the SYN's sender; else the side not on port 135; else the first sender.
     * The DCE/RPC itself corrects this (ra_rpc_observer_client()). */
    gboolean syn = (seg->flags & (RA_TCP_SYN | RA_TCP_ACK)) == RA_TCP_SYN;
    if (!syn && seg->sport == DCOM_PORT && seg->dport != DCOM_PORT)
        c->client = 1;
    else if (!syn && (seg->flags & (RA_TCP_SYN | RA_TCP_ACK)) == (RA_TCP_SYN | RA_TCP_ACK))
        c->client = 1;
    for (int s = 0; s < 2; s++) {
        c->dctx[s].c = c;
        c->dctx[s].side = s;
        c->dir[s] = ra_tcp_dir_new(MAX_QUEUED, &dir_funcs, &c->dctx[s]);
    }
    RaObsConfig oc = {an->cfg.secrets, an->cfg.n_secrets, {on_bind, on_auth, on_call, on_note}, c};
    c->obs = ra_rpc_observer_new(&oc);
    c->is_rpc = TRUE;
    g_hash_table_insert(an->conns, &c->key, c);
    an->conn_list = g_list_prepend(an->conn_list, c);
    c->link = an->conn_list;
    c->auth_calls = g_hash_table_new(g_direct_hash, g_direct_equal);
    an->stats.connections++;
    return c;
}

static void conn_free(Conn *c)
{
    ra_tcp_dir_free(c->dir[0]);
    ra_tcp_dir_free(c->dir[1]);
    ra_rpc_observer_free(c->obs);
    g_hash_table_destroy(c->auth_calls);
    g_free(c);
}

static gboolean interesting_port(An *an, const RaIpAddress *server, guint16 port)
{
    if (port == DCOM_PORT)
        return TRUE;
    char buf[64];
    g_autofree gchar *key =
        g_strdup_printf("%s[%u]", ra_ip_address_format(server, buf, sizeof buf), port);
    return g_hash_table_contains(an->advertised, key);
}

static void add_connect_step(Conn *c, Record *r)
{
    if (c->connect_reported || !c->syn)
        return;
    c->connect_reported = TRUE;
    Story *s = r->story;
    char buf[64];
    gchar *what =
        g_strdup_printf("connect to %s port %u",
                        ra_ip_address_format(&r->pub.server, buf, sizeof buf), r->pub.server_port);
    if (c->synack) {
        add_step(s, r, RA_STEP_CONNECT, &c->syn_at, &c->synack_at, TRUE, what,
                 g_strdup("connected"));
        return;
    }
    gboolean refused = c->rst;
    RaObsStamp end = c->now;
    Step *st = add_step(s, r, RA_STEP_CONNECT, &c->syn_at, &end, refused, what,
                        g_strdup(refused ? "refused (reset)" : "no answer"));
    gboolean exporter = r->pub.server_port != DCOM_PORT;
    RaTroubleId t = exporter  ? RA_TS_EXPORTER_NO_ANSWER
                    : refused ? RA_TS_TCP_REFUSED
                              : RA_TS_TCP_NO_ANSWER;
    fail_step(s, st, t);
}

/* The connection is over (FIN both ways, reset, idle, or the end of the capture). */
static void conn_end(An *an, Conn *c)
{
    if (c->done)
        return;
    c->done = TRUE;
    ra_tcp_dir_flush(c->dir[0]);
    ra_tcp_dir_flush(c->dir[1]);
    ra_rpc_observer_finish(c->obs, &c->now);
    /* A connection attempt that never carried DCE/RPC still tells something when it went to
     * the activation port or to an object exporter's port. */
    if (c->rec == NULL && (!c->synack || ra_rpc_observer_pdus(c->obs) == 0) && c->syn &&
        interesting_port(an, &c->addr[1 - c->client], c->port[1 - c->client]))
        conn_record(c);
    if (c->rec != NULL)
        record_close(c->rec, &c->now);
    if (ra_rpc_observer_pdus(c->obs) > 0)
        an->stats.rpc_connections++;
    an->stats.pdus += ra_rpc_observer_pdus(c->obs);
    g_hash_table_remove(an->conns, &c->key);
    an->conn_list = g_list_delete_link(an->conn_list, c->link);
    conn_free(c);
}

/* ======================================================================================== */
/* Story output                                                                             */
/* ======================================================================================== */

static void story_finish(Story *s);

/* Reports every story at the head of the queue that is over. */
static void emit_ready(An *an)
{
    Story *s;
    while ((s = g_queue_peek_head(&an->stories)) != NULL && s->closed && s->open_records == 0) {
        g_queue_pop_head(&an->stories);
        /* A story whose connections all went to others has nothing to tell. */
        if (s->records->len > 0 || s->pub.steps->len > 0) {
            s->pub.number = ++an->next_story;
            story_finish(s);
            if (an->cfg.story)
                an->cfg.story(&s->pub, an->cfg.user_data);
        } else {
            an->stats.stories--;
        }
        story_free(s);
    }
}

/* Ends what has been idle: connections silent for CONN_IDLE_NS, stories for STORY_IDLE_NS. */
static void sweep(An *an, gboolean all)
{
    for (GList *l = an->conn_list; l != NULL;) {
        GList *next = l->next;
        Conn *c = l->data;
        if (all || an->now_ns - c->last_ns > CONN_IDLE_NS)
            conn_end(an, c);
        l = next;
    }
    for (GList *l = an->stories.head; l != NULL; l = l->next) {
        Story *s = l->data;
        if (s->open_records == 0 && (all || s->ended || an->now_ns - s->last_ns > STORY_IDLE_NS))
            s->closed = TRUE;
    }
    emit_ready(an);
}

/* ======================================================================================== */
/* Packets                                                                                  */
/* ======================================================================================== */

void ra_analyzer_packet(RaAnalyzer *an, const RaCapPacket *p)
{
    an->stats.packets++;
    an->stats.bytes += p->len;
    /* Clamped so that differences of two times never overflow (files may say anything). */
    gint64 sec = CLAMP(p->ts_sec, -G_GINT64_CONSTANT(4000000000), G_GINT64_CONSTANT(4000000000));
    gint64 ts = sec * G_GINT64_CONSTANT(1000000000) + MIN(p->ts_nsec, 999999999u);
    if (an->stats.packets == 1)
        an->stats.first_ns = ts;
    an->stats.last_ns = MAX(an->stats.last_ns, ts);
    if (ts > an->now_ns)
        an->now_ns = ts;
    RaTcpSegment seg;
    const char *why = NULL;
    RaNetpktResult r = ra_netpkt_decode(p->link, p->data, p->caplen, p->len, &seg, &why);
    if (r != RA_NETPKT_TCP) {
        if (r == RA_NETPKT_OTHER) {
            an->stats.other_packets++;
        } else {
            an->stats.undecodable_packets++;
            if (r == RA_NETPKT_UNSUPPORTED)
                global_finding(an, RA_TS_MALFORMED, p->number,
                               "frame %" G_GUINT64_FORMAT ": %s (link type %d) cannot be read",
                               p->number, why, p->encap);
            else if (r == RA_NETPKT_FRAGMENT)
                global_finding(an, RA_TS_CAPTURE_GAP, p->number,
                               "frame %" G_GUINT64_FORMAT ": %s; its TCP data is not followed",
                               p->number, why);
            else
                global_finding(an, RA_TS_MALFORMED, p->number, "frame %" G_GUINT64_FORMAT ": %s",
                               p->number, why);
        }
        goto out;
    }
    an->stats.tcp_packets++;
    ConnKey key;
    make_key(&key, &seg);
    Conn *c = g_hash_table_lookup(an->conns, &key);
    gboolean syn = (seg.flags & (RA_TCP_SYN | RA_TCP_ACK)) == RA_TCP_SYN;
    if (c != NULL && syn && (c->synack || c->fin[0] || c->fin[1] || c->rst) &&
        ra_ip_address_equal(&seg.src, &c->addr[c->client]) && seg.sport == c->port[c->client]) {
        /* A new connection on the same ports: the old one is over. */
        conn_end(an, c);
        c = NULL;
    }
    if (c == NULL) {
        /* Only a SYN or data starts following a connection: a lone ACK, FIN or reset belongs to
         * one that is over (or was never seen). */
        if (!(seg.flags & RA_TCP_SYN) && seg.wire_payload_len == 0)
            goto out;
        c = conn_new(an, &key, &seg);
    }
    int side = ra_ip_address_equal(&seg.src, &c->addr[0]) && seg.sport == c->port[0] ? 0 : 1;
    c->now.frame = p->number;
    c->now.time_ns = ts;
    if (c->first_ns == 0)
        c->first_ns = ts;
    c->last_ns = ts;
    if (c->rec != NULL && c->rec->conn == c)
        touch(c->rec->story, &c->now);
    guint32 seq = seg.seq;
    if (seg.flags & RA_TCP_SYN) {
        if (!(seg.flags & RA_TCP_ACK)) {
            if (!c->syn) {
                c->syn = TRUE;
                c->syn_at = c->now;
                c->client = side;
                ra_rpc_observer_set_client(c->obs, side);
            }
        } else if (!c->synack) {
            c->synack = TRUE;
            c->synack_at = c->now;
        }
        ra_tcp_dir_syn(c->dir[side], seg.seq);
        seq++; /* data after a SYN starts after its sequence number */
    }
    if (seg.flags & RA_TCP_ACK)
        ra_tcp_dir_acked(c->dir[1 - side], seg.ack);
    gboolean fin = (seg.flags & RA_TCP_FIN) != 0;
    if (fin && !c->fin[side]) {
        c->fin[side] = TRUE;
        if (c->first_fin < 0)
            c->first_fin = side;
    }
    if (seg.wire_payload_len > 0 || fin)
        ra_tcp_dir_segment(c->dir[side], seq, seg.payload, seg.payload_len, seg.wire_payload_len,
                           fin);
    if (!c->syn && ra_rpc_observer_client(c->obs) >= 0 &&
        ra_rpc_observer_client(c->obs) != c->client && c->rec == NULL)
        c->client = ra_rpc_observer_client(c->obs);
    if (!ra_rpc_observer_is_rpc(c->obs))
        c->is_rpc = FALSE;
    if (seg.flags & RA_TCP_RST) {
        c->rst = TRUE;
        conn_end(an, c);
    } else if (c->fin[0] && c->fin[1] && ra_tcp_dir_finished(c->dir[0]) &&
               ra_tcp_dir_finished(c->dir[1])) {
        conn_end(an, c);
    }
out:
    if (an->now_ns - an->last_sweep_ns > SWEEP_EVERY_NS) {
        an->last_sweep_ns = an->now_ns;
        sweep(an, FALSE);
    } else {
        emit_ready(an);
    }
}

/* ======================================================================================== */
/* Notes, handshakes, binds                                                                 */
/* ======================================================================================== */

static gchar *identity_of(const RaObsAuth *a)
{
    if (a->user == NULL)
        return NULL;
    if (a->domain != NULL && *a->domain)
        return g_strdup_printf("%s\\%s", a->domain, a->user);
    return g_strdup(a->user);
}

static int key_rank(RaObsKeyState k)
{
    switch (k) {
    case RA_OBS_KEY_MATCHED:
        return 4;
    case RA_OBS_KEY_NO_MATCH:
        return 3;
    case RA_OBS_KEY_UNSUPPORTED:
        return 2;
    case RA_OBS_KEY_INCOMPLETE:
        return 1;
    case RA_OBS_KEY_NONE:
        break;
    }
    return 0;
}

static void on_note(RaObsNoteCode code, gboolean from_client, const RaObsStamp *at,
                    const char *text, gpointer data)
{
    Conn *c = data;
    if (code == RA_OBS_NOTE_NOT_RPC) {
        c->is_rpc = FALSE;
        return;
    }
    if (code == RA_OBS_NOTE_SEALED)
        return; /* told once per story from the handshakes' keys (story_finish) */
    Record *r = conn_record(c);
    Story *s = r->story;
    const char *who = from_client ? "expert" : "novice";
    g_autofree gchar *label = rec_label(r);
    switch (code) {
    case RA_OBS_NOTE_GAP:
        finding(s, RA_TS_CAPTURE_GAP, FALSE, at, "connection %s, frame %" G_GUINT64_FORMAT ": %s",
                label, at->frame, text);
        break;
    case RA_OBS_NOTE_RESYNC:
    case RA_OBS_NOTE_UNKNOWN_CONTEXT:
    case RA_OBS_NOTE_UNKNOWN_AUTH:
        if (r->pub.midstream || code == RA_OBS_NOTE_RESYNC)
            finding(s, r->pub.midstream ? RA_TS_CAPTURE_STARTS_LATE : RA_TS_CAPTURE_GAP, FALSE, at,
                    "connection %s, frame %" G_GUINT64_FORMAT " (%s): %s", label, at->frame, who,
                    text);
        else
            finding(s, RA_TS_HANDSHAKE_NOT_CAPTURED, FALSE, at,
                    "connection %s, frame %" G_GUINT64_FORMAT ": %s", label, at->frame, text);
        break;
    case RA_OBS_NOTE_BAD_SIGNATURE:
        if (r->pub.midstream || ra_tcp_dir_stats(c->dir[0])->gaps ||
            ra_tcp_dir_stats(c->dir[1])->gaps)
            finding(s, RA_TS_CAPTURE_GAP, FALSE, at,
                    "connection %s, frame %" G_GUINT64_FORMAT ": %s", label, at->frame, text);
        else
            finding(s, RA_TS_FAULT_SEC_PKG_ERROR, FALSE, at,
                    "connection %s, frame %" G_GUINT64_FORMAT " (%s): %s", label, at->frame, who,
                    text);
        break;
    case RA_OBS_NOTE_LIMIT:
        finding(s, RA_TS_ANALYSIS_LIMIT, FALSE, at,
                "connection %s, frame %" G_GUINT64_FORMAT ": %s", label, at->frame, text);
        break;
    case RA_OBS_NOTE_PROTOCOL:
        finding(s,
                r->pub.midstream ? RA_TS_CAPTURE_STARTS_LATE
                : ra_tcp_dir_stats(c->dir[0])->gaps || ra_tcp_dir_stats(c->dir[1])->gaps
                    ? RA_TS_CAPTURE_GAP
                    : RA_TS_MALFORMED,
                FALSE, at, "connection %s, frame %" G_GUINT64_FORMAT " (%s): %s", label, at->frame,
                who, text);
        break;
    case RA_OBS_NOTE_MALFORMED_PDU:
    default:
        finding(s, RA_TS_MALFORMED, FALSE, at,
                "connection %s, frame %" G_GUINT64_FORMAT " (%s): %s", label, at->frame, who, text);
        break;
    }
}

static void on_auth(const RaObsAuth *a, gpointer data)
{
    Conn *c = data;
    Record *r = conn_record(c);
    Story *s = r->story;
    gchar *who = identity_of(a);
    if (who != NULL) {
        if (r->pub.identity == NULL) {
            r->pub.identity = g_strdup(who);
            r->pub.auth_level = a->auth_level;
        }
        if (s->pub.identity == NULL) {
            s->pub.identity = g_strdup(who);
            s->pub.workstation = g_strdup(a->workstation);
        } else if (g_ascii_strcasecmp(s->pub.identity, who) != 0) {
            /* Another expert from the same address: its own story. */
            Story *to = story_for(c->an, &s->pub.expert, &s->pub.novice, who, &a->started);
            if (to->pub.identity == NULL) {
                to->pub.identity = g_strdup(who);
                to->pub.workstation = g_strdup(a->workstation);
            }
            if (record_fresh(r)) {
                transfer_record(r, to);
            } else {
                move_conn(c, to);
                r = c->rec;
            }
            g_free(r->pub.identity);
            r->pub.identity = g_strdup(who);
            r->pub.auth_level = a->auth_level;
            s = to;
        }
    }
    if (key_rank(a->key) > key_rank(s->key)) {
        s->key = a->key;
        s->pub.key = a->key;
        if (a->key == RA_OBS_KEY_MATCHED && a->secret >= 0 &&
            (guint)a->secret < c->an->cfg.n_secrets)
            s->pub.secret = c->an->cfg.secrets[a->secret].label;
    }
    const RaObsStamp *at = a->has_authenticate ? &a->authenticated : &a->started;
    g_autofree gchar *label = rec_label(r);
    if (a->key == RA_OBS_KEY_INCOMPLETE && (a->has_authenticate || !c->rst))
        finding(s, RA_TS_HANDSHAKE_NOT_CAPTURED, FALSE, at,
                "connection %s, security context %u%s%s: %s", label, a->auth_context_id,
                who ? " of " : "", who ? who : "", a->why);
    else if (a->key == RA_OBS_KEY_UNSUPPORTED)
        finding(s, RA_TS_NTLM_UNSUPPORTED, FALSE, at, "connection %s, security context %u: %s",
                label, a->auth_context_id, a->why);
    g_free(who);
}

/* A failure that ends the offer (no Windows expert goes on after it). */
static void end_story(Story *s, guint64 frame)
{
    if (!s->ended) {
        s->ended = TRUE;
        s->ended_frame = frame;
    }
}

static void on_bind(const RaObsBind *b, gpointer data)
{
    Conn *c = data;
    Record *r = conn_record(c);
    Story *s = r->story;
    GString *names = g_string_new(NULL);
    gboolean irasrv = FALSE;
    for (guint i = 0; i < b->n_contexts; i++) {
        const RaObsContext *ctx = &b->contexts[i];
        if (ctx->answered && ctx->result == RA_PDU_RESULT_NEGOTIATE_ACK)
            continue;
        char buf[96];
        const char *n = iface_name(&ctx->abstract_syntax, buf, sizeof buf);
        if (strstr(names->str, n) == NULL)
            g_string_append_printf(names, "%s%s", names->len ? ", " : "", n);
        irasrv = irasrv || iface_kind(&ctx->abstract_syntax) == IF_IRASRV;
    }
    gchar *what;
    const char *verb = b->ptype == RA_PDU_BIND ? "bind" : "alter_context";
    if (b->auth != NULL && b->auth->auth_type == RA_AUTH_TYPE_WINNT)
        what = g_strdup_printf("%s %s with NTLM at %s", verb, names->str,
                               ra_rpc_auth_level_name(b->auth->auth_level));
    else if (b->auth != NULL)
        what = g_strdup_printf("%s %s with authentication type %u", verb, names->str,
                               b->auth->auth_type);
    else
        what = g_strdup_printf("%s %s", verb, names->str);
    g_string_free(names, TRUE);
    gchar *result = NULL;
    int trouble = -1;
    if (!b->answered) {
        result = g_strdup("no answer");
        trouble = RA_TS_NO_ANSWER;
    } else if (b->answer_ptype == RA_PDU_BIND_NAK) {
        const RaTrouble *t = ra_trouble_find(RA_TROUBLE_NAK, b->nak_reason);
        if (t == NULL)
            t = ra_trouble(RA_TS_NAK_REASON_NOT_SPECIFIED);
        result = g_strdup_printf("bind_nak: %s", t->name);
        trouble = t->id;
    } else if (b->answer_ptype == RA_PDU_FAULT) {
        result = fault_text(b->fault_status);
        const RaTrouble *t = ra_trouble_find(RA_TROUBLE_FAULT, b->fault_status);
        trouble = t ? (int)t->id : RA_TS_FAULT_ACCESS_DENIED;
    } else {
        for (guint i = 0; i < b->n_contexts && result == NULL; i++) {
            const RaObsContext *ctx = &b->contexts[i];
            if (!ctx->answered || ctx->result == RA_PDU_RESULT_ACCEPTANCE ||
                ctx->result == RA_PDU_RESULT_NEGOTIATE_ACK)
                continue;
            const RaTrouble *t = ra_trouble_find(RA_TROUBLE_CONTEXT, ctx->reason);
            if (t == NULL)
                t = ra_trouble(RA_TS_CONTEXT_ABSTRACT_SYNTAX);
            char buf[96];
            result = g_strdup_printf("refused %s: %s",
                                     iface_name(&ctx->abstract_syntax, buf, sizeof buf), t->name);
            trouble = t->id;
        }
        if (result == NULL)
            result = g_strdup("accepted");
    }
    Step *st = add_step(s, r, RA_STEP_BIND, &b->stamp, &b->answer_stamp, b->answered, what, result);
    if (trouble >= 0) {
        fail_step(s, st, (RaTroubleId)trouble);
        if (irasrv && b->answered) {
            /* A novice without IRASrv: Windows experts fall back to IPCHService. */
            s->rasrv_tried = s->rasrv_failed = TRUE;
            if (s->rasrv_failure == NULL)
                s->rasrv_failure = g_strdup_printf("the bind to IRASrv was refused (%s)",
                                                   st ? st->pub.result : "refused");
        } else if (b->answered) {
            end_story(s, b->answer_stamp.frame);
        }
    }
}

/* ======================================================================================== */
/* Calls                                                                                    */
/* ======================================================================================== */

typedef struct {
    An *an;
    Conn *c;
    Record *r;
    Story *s;
    const RaObsCall *call;
    IfKind kind;
    RaArena *arena;
    Ipid *ip;      /* the object called, when known */
    gchar *what;   /* set by the decoders */
    gchar *result; /* set when the response was read */
    int trouble;   /* for a failing HRESULT */
    gboolean failed;
    gboolean housekeeping;
    gboolean fallbackable; /* a failure after which an expert tries IPCHService */
    gboolean connstr_call;
} Ctx;

static gboolean readable(const RaObsStub *st)
{
    return st->data != NULL;
}

static RaNdrPull *pull_req(Ctx *x)
{
    return readable(&x->call->request)
               ? ra_ndr_pull_new(x->call->request.data, x->call->request.len, x->arena)
               : NULL;
}

static RaNdrPull *pull_resp(Ctx *x)
{
    return readable(&x->call->response) && !x->call->fault
               ? ra_ndr_pull_new(x->call->response.data, x->call->response.len, x->arena)
               : NULL;
}

/* Ends a pull; FALSE (and a note on the story) when the stub did not decode. */
static gboolean pull_done(Ctx *x, RaNdrPull *p, const char *what)
{
    GError *error = NULL;
    gboolean ok = ra_ndr_pull_finish(p, &error);
    ra_ndr_pull_free(p);
    if (!ok) {
        g_autofree gchar *label = rec_label(x->r);
        finding(x->s, RA_TS_MALFORMED, FALSE, &x->call->response.last,
                "connection %s, call_id %u, %s: %s", label, x->call->call_id, what, error->message);
        g_error_free(error);
    }
    return ok;
}

/* The result of an HRESULT: "S_OK" or the failure with its row of the table. */
static void set_hresult(Ctx *x, guint32 hr, const char *detail)
{
    char buf[32];
    const char *name = hresult_text(hr, buf, sizeof buf);
    g_free(x->result);
    if (detail != NULL && *detail)
        x->result = g_strdup_printf("%s: %s", name, detail);
    else
        x->result = g_strdup(name);
    if (hr & 0x80000000u) {
        x->failed = TRUE;
        const RaTrouble *t = ra_trouble_find(RA_TROUBLE_HRESULT, hr);
        x->trouble = t ? (int)t->id : -1;
        switch (hr) {
        case RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY:
            x->trouble = RA_TS_OFFERS_DISABLED;
            break;
        case RA_HRESULT_ERROR_CANNOT_MAKE:
            x->trouble = RA_TS_OFFER_PENDING;
            break;
        default:
            break;
        }
    }
}

/* The HRESULT at the end of a response stub (every MS-RAI and DCOM method returns one last). */
static gboolean tail_hresult(Ctx *x, guint32 *hr)
{
    const RaObsStub *st = &x->call->response;
    if (!readable(st) || x->call->fault || st->len < 4)
        return FALSE;
    *hr = ra_le32(st->data + st->len - 4);
    return TRUE;
}

static gchar *session_text(guint32 id)
{
    return id == RA_ACTPROP_ANY_SESSION ? g_strdup("any session")
                                        : g_strdup_printf("session %u", id);
}

/* ---- the story's model ---- */

static RaStorySession *saf_session(Story *s, guint64 oid)
{
    RaStorySession *ss = g_hash_table_lookup(s->saf, &oid);
    if (ss == NULL && s->saf_order->len < MAX_SESSIONS) {
        ss = g_new0(RaStorySession, 1);
        ss->state = -1;
        g_ptr_array_add(s->saf_order, ss);
        g_hash_table_insert(s->saf, g_memdup2(&oid, sizeof oid), ss);
    }
    return ss;
}

static void set_sessions(Ctx *x, const RaBstrArray *a)
{
    Story *s = x->s;
    g_ptr_array_set_size(s->pub.sessions, 0);
    guint usable = 0;
    for (guint i = 0; a != NULL && i < a->count && i < MAX_SESSIONS; i++) {
        const char *entry = a->items[i];
        if (entry == NULL)
            continue; /* [MS-RAI] 3.3.4.1.2: null values are ignored */
        RaStorySession *ss = g_new0(RaStorySession, 1);
        ss->state = -1;
        if (!ra_session_entry_parse(entry, &ss->domain, &ss->user, &ss->id)) {
            ss->domain = g_strdup("");
            ss->user = g_strdup(entry);
        } else {
            ss->usable = *ss->domain && *ss->user;
        }
        usable += ss->usable;
        g_ptr_array_add(s->pub.sessions, ss);
    }
    g_free(x->result);
    x->result = g_strdup_printf("S_OK: %u session%s, %u with a user", s->pub.sessions->len,
                                s->pub.sessions->len == 1 ? "" : "s", usable);
}

static void add_connstr(Ctx *x, const char *method, const char *text, gboolean has_session,
                        guint32 session)
{
    Story *s = x->s;
    if (text == NULL || s->pub.connstrs->len >= MAX_CONNSTRS)
        return;
    RaStoryConnStr *cs = g_new0(RaStoryConnStr, 1);
    cs->at = x->call->response.last;
    cs->method = method;
    cs->has_session = has_session;
    cs->session = session;
    cs->text = g_strdup(text);
    cs->listeners = g_ptr_array_new_with_free_func(g_free);
    cs->warnings = g_ptr_array_new_with_free_func(g_free);
    gsize len = strlen(text);
    cs->version = ra_connstr_detect(text, len);
    GError *error = NULL;
    if (cs->version == 2) {
        RaConnStr2 *p = ra_connstr2_parse(text, len, &error);
        if (p != NULL) {
            cs->kh = g_strdup(p->kh);
            cs->auth_id = g_strdup(p->id);
            for (guint i = 0; i < p->transports->len; i++) {
                RaTransport *t = g_ptr_array_index(p->transports, i);
                if (cs->sid == NULL)
                    cs->sid = g_strdup(t->sid);
                for (guint k = 0; k < t->listeners->len; k++) {
                    RaListener *l = g_ptr_array_index(t->listeners, k);
                    g_ptr_array_add(cs->listeners,
                                    strchr(l->name ? l->name : "", ':')
                                        ? g_strdup_printf("[%s]:%s", l->name, l->port_text)
                                        : g_strdup_printf("%s:%s", l->name ? l->name : "",
                                                          l->port_text ? l->port_text : ""));
                }
            }
            for (guint i = 0; i < p->warnings->len; i++)
                g_ptr_array_add(
                    cs->warnings,
                    g_strdup(((RaConnStrWarning *)g_ptr_array_index(p->warnings, i))->message));
            ra_connstr2_free(p);
        }
    } else if (cs->version == 1) {
        RaConnStr1 *p = ra_connstr1_parse(text, len, &error);
        if (p != NULL) {
            cs->kh = g_strdup(p->protocol_specific_parms);
            cs->auth_id = g_strdup(p->ra_session_id);
            for (guint i = 0; i < p->addresses->len; i++) {
                RaAddress *a = g_ptr_array_index(p->addresses, i);
                g_ptr_array_add(cs->listeners, g_strdup_printf("%s:%u", a->host, a->port));
            }
            for (guint i = 0; i < p->warnings->len; i++)
                g_ptr_array_add(
                    cs->warnings,
                    g_strdup(((RaConnStrWarning *)g_ptr_array_index(p->warnings, i))->message));
            ra_connstr1_free(p);
        }
    } else {
        cs->parse_error = g_strdup("neither a Connection String 1 nor 2");
    }
    if (error != NULL) {
        cs->parse_error = g_strdup(error->message);
        g_error_free(error);
    }
    g_ptr_array_add(s->pub.connstrs, cs);
    if (has_session) {
        s->pub.has_chosen = TRUE;
        s->pub.chosen = session;
    }
}

static const char *stub_problem(RaObsStubState state)
{
    switch (state) {
    case RA_OBS_STUB_SEALED:
        return "sealed";
    case RA_OBS_STUB_MISSING:
        return "packets missing";
    case RA_OBS_STUB_BAD_SIGNATURE:
        return "signature does not verify";
    case RA_OBS_STUB_TOO_LARGE:
        return "too large to follow";
    default:
        return NULL;
    }
}

/* ---- IRemoteSCMActivator ([MS-DCOM] 3.1.2.5.2.3) ---- */

static const char *class_name(const RaUuid *clsid)
{
    if (ra_uuid_equal(clsid, &ra_rai_clsid_RASrv))
        return "RASrv";
    if (ra_uuid_equal(clsid, &ra_rai_clsid_PCHService))
        return "PCHService";
    return NULL;
}

static const char *iid_name(const RaUuid *iid)
{
    switch (iid_kind(iid)) {
    case IF_IRASRV:
        return "IRASrv";
    case IF_IPCHSERVICE:
        return "IPCHService";
    case IF_IPCHCOLLECTION:
        return "IPCHCollection";
    case IF_ISAFSESSION:
        return "ISAFSession";
    case IF_DISPATCH:
        return "IDispatch";
    case IF_REMUNKNOWN:
        return "IRemUnknown";
    case IF_REMUNKNOWN2:
        return "IRemUnknown2";
    default:
        break;
    }
    if (ra_uuid_equal(iid, &ra_iid_iunknown))
        return "IUnknown";
    if (ra_uuid_equal(iid, &ra_iid_iclassfactory))
        return "IClassFactory";
    return NULL;
}

static void decode_activation(Ctx *x)
{
    const RaObsCall *call = x->call;
    gboolean create = call->opnum == RA_OPNUM_REMOTECREATEINSTANCE;
    if (call->opnum != RA_OPNUM_REMOTECREATEINSTANCE &&
        call->opnum != RA_OPNUM_REMOTEGETCLASSOBJECT) {
        x->what = g_strdup_printf("IRemoteSCMActivator opnum %u", call->opnum);
        return;
    }
    Story *s = x->s;
    RaStoryActivation *act = NULL;
    if (s->pub.activations->len < MAX_ACTIVATIONS) {
        act = g_new0(RaStoryActivation, 1);
        act->at = call->request.first;
        act->bindings = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(s->pub.activations, act);
    }
    const char *verb = create ? "RemoteCreateInstance" : "RemoteGetClassObject";
    RaUuid clsid = {0}, iid = {0};
    gboolean has_class = FALSE, has_iid = FALSE, has_session = FALSE;
    guint32 session = RA_ACTPROP_ANY_SESSION;
    RaNdrPull *p = pull_req(x);
    if (p != NULL) {
        RaInterfacePointer *props = NULL;
        gboolean ok;
        if (create) {
            RaRemoteCreateInstanceIn in;
            ok = ra_dcom_pull_remotecreateinstance_in(p, &in);
            props = in.act_properties;
        } else {
            RaRemoteGetClassObjectIn in;
            ok = ra_dcom_pull_remotegetclassobject_in(p, &in);
            props = in.act_properties;
        }
        RaActivationBlob blob;
        if (pull_done(x, p, verb) && ok && props != NULL &&
            ra_actprop_from_mip(props, FALSE, x->arena, &blob, NULL)) {
            const RaActProperty *inst = ra_actprop_find(&blob, RA_ACTPROP_INSTANTIATION_INFO);
            const RaActProperty *spd = ra_actprop_find(&blob, RA_ACTPROP_SPECIAL_PROPERTIES);
            if (inst != NULL) {
                has_class = TRUE;
                clsid = inst->u.instantiation.class_id;
                if (inst->u.instantiation.n_iids > 0) {
                    has_iid = TRUE;
                    iid = inst->u.instantiation.iids[0];
                }
            }
            /* [MS-DCOM] 2.2.22.2.2: the session is chosen with SpecialPropertiesData. */
            has_session = TRUE;
            if (spd != NULL)
                session = spd->u.special.session_id;
        }
    }
    const char *cname = has_class ? class_name(&clsid) : NULL;
    if (has_class) {
        gchar *cs = cname ? g_strdup(cname) : ra_uuid_to_string(&clsid);
        const char *in = has_iid ? iid_name(&iid) : NULL;
        gchar *sess = has_session ? session_text(session) : g_strdup("");
        x->what = g_strdup_printf("%s of %s%s%s%s%s%s", verb, cs, in ? " (" : "", in ? in : "",
                                  in ? ")" : "", has_session ? " in " : "", sess);
        g_free(sess);
        if (act != NULL) {
            act->clsid_name = cname;
            act->clsid = cs;
            act->has_session = has_session;
            act->session = session;
        } else {
            g_free(cs);
        }
        if (cname && strcmp(cname, "RASrv") == 0)
            s->rasrv_tried = TRUE;
        else if (cname && strcmp(cname, "PCHService") == 0)
            s->pch_tried = TRUE;
    } else {
        const char *why = stub_problem(call->request.state);
        x->what = g_strdup_printf("%s (%s)", verb,
                                  readable(&call->request) ? "activation properties unreadable"
                                  : why                    ? why
                                                           : "not in the capture");
        if (act != NULL)
            act->unread = why ? why : "not readable";
    }
    if (!call->fault && call->answered)
        s->activation_ok = TRUE; /* answered: the object may be there (readable or not) */
    s->activation_frame = call->request.first.frame;
    p = pull_resp(x);
    if (p == NULL) {
        if (act != NULL && act->unread == NULL && call->answered && !call->fault)
            act->unread = stub_problem(call->response.state);
        return;
    }
    RaRemoteActivationOut out;
    gboolean ok = ra_dcom_pull_remoteactivation_out(p, &out);
    if (!pull_done(x, p, verb) || !ok)
        return;
    guint32 hr = out.hresult;
    const RaActProperty *po = NULL, *sr = NULL;
    RaActivationBlob reply;
    if (!(hr & 0x80000000u) && out.act_properties != NULL &&
        ra_actprop_from_mip(out.act_properties, TRUE, x->arena, &reply, NULL)) {
        po = ra_actprop_find(&reply, RA_ACTPROP_PROPS_OUT_INFO);
        sr = ra_actprop_find(&reply, RA_ACTPROP_SCM_REPLY_INFO);
        if (po != NULL && po->u.props_out.n_ifs > 0 && po->u.props_out.hresults != NULL &&
            (po->u.props_out.hresults[0] & 0x80000000u))
            hr = po->u.props_out.hresults[0];
    }
    GString *detail = g_string_new(NULL);
    if (!(hr & 0x80000000u) && sr != NULL && sr->u.scm_reply.remote_reply != NULL) {
        const RaRemoteReplyScmInfo *rr = sr->u.scm_reply.remote_reply;
        ipid_add(s, &rr->ipid_rem_unknown, &ra_iid_iremunknown, 0);
        g_string_append_printf(detail, "object exporter");
        for (guint i = 0; rr->oxid_bindings && i < rr->oxid_bindings->n_strings; i++) {
            const RaStringBinding *b = &rr->oxid_bindings->strings[i];
            g_string_append_printf(detail, "%s%s", i ? ", " : " ", b->address);
            if (act != NULL)
                g_ptr_array_add(act->bindings, g_strdup(b->address));
            if (b->tower_id == RA_TOWERID_NCACN_IP_TCP &&
                g_hash_table_size(x->an->advertised) < 4096)
                g_hash_table_add(x->an->advertised, g_strdup(b->address));
        }
        if (act != NULL)
            act->oxid = rr->oxid;
    }
    if (!(hr & 0x80000000u) && po != NULL && po->u.props_out.n_ifs > 0 &&
        po->u.props_out.intf_data != NULL) {
        Ipid *ip = objref_add(s, po->u.props_out.intf_data[0], x->arena);
        if (ip != NULL) {
            ip->has_session = has_session;
            ip->session = session;
        }
    }
    set_hresult(x, hr, detail->str);
    g_string_free(detail, TRUE);
    if (act != NULL) {
        act->answered = TRUE;
        act->hresult = hr;
    }
    if (hr & 0x80000000u) {
        if (cname && strcmp(cname, "RASrv") == 0 &&
            (hr == RA_REGDB_E_CLASSNOTREG || hr == RA_E_NOINTERFACE || hr == RA_CO_E_CLASSSTRING)) {
            /* A novice without RASrv: Windows experts fall back to IPCHService. */
            x->fallbackable = TRUE;
            s->rasrv_failed = TRUE;
            if (s->rasrv_failure == NULL) {
                char buf[32];
                s->rasrv_failure = g_strdup_printf("the activation of RASrv returned %s",
                                                   hresult_text(hr, buf, sizeof buf));
            }
        }
        if (hr == RA_E_ACCESSDENIED)
            x->trouble = RA_TS_NOT_HELPER;
    } else if (cname && strcmp(cname, "RASrv") == 0) {
        s->rasrv_ok = TRUE;
    } else if (cname && strcmp(cname, "PCHService") == 0) {
        s->pch_ok = TRUE;
    }
}

/* ---- IObjectExporter ([MS-DCOM] 3.1.2.5.1) and the endpoint mapper ---- */

static void append_dsa(GString *out, const RaDualStringArray *dsa)
{
    for (guint i = 0; dsa && i < dsa->n_strings; i++)
        g_string_append_printf(out, "%s%s", i ? ", " : "", dsa->strings[i].address);
}

static void decode_oxid(Ctx *x)
{
    static const char *const names[] = {"ResolveOxid", "SimplePing",   "ComplexPing",
                                        "ServerAlive", "ResolveOxid2", "ServerAlive2"};
    guint16 op = x->call->opnum;
    x->what = op < G_N_ELEMENTS(names) ? g_strdup_printf("IObjectExporter::%s", names[op])
                                       : g_strdup_printf("IObjectExporter opnum %u", op);
    x->housekeeping = op == 1 || op == 2;
    guint32 status;
    if (!tail_hresult(x, &status))
        return;
    GString *detail = g_string_new(NULL);
    RaNdrPull *p = op == 5 || op == 4 ? pull_resp(x) : NULL;
    if (p != NULL && op == 5) {
        /* ServerAlive2: COMVERSION, [unique] DUALSTRINGARRAY*, pReserved, error status. */
        RaComVersion v;
        guint32 ref = 0, reserved;
        RaDualStringArray dsa = {0};
        ra_dcom_pull_comversion(p, RA_NDR_BOTH, &v);
        ra_ndr_pull_ptr(p, &ref);
        if (ref != 0)
            ra_dcom_pull_dsa(p, RA_NDR_BOTH, &dsa);
        ra_ndr_pull_u32(p, &reserved);
        ra_ndr_pull_u32(p, &status);
        if (pull_done(x, p, "ServerAlive2")) {
            g_string_append_printf(detail, "COM %u.%u, addresses ", v.major, v.minor);
            append_dsa(detail, &dsa);
        }
    } else if (p != NULL && op == 4) {
        /* ResolveOxid2: [unique] DUALSTRINGARRAY*, IPID, authn hint, COMVERSION, status. */
        guint32 ref = 0, hint;
        RaDualStringArray dsa = {0};
        RaUuid ipid;
        RaComVersion v;
        ra_ndr_pull_ptr(p, &ref);
        if (ref != 0)
            ra_dcom_pull_dsa(p, RA_NDR_BOTH, &dsa);
        ra_ndr_pull_uuid(p, &ipid);
        ra_ndr_pull_u32(p, &hint);
        ra_dcom_pull_comversion(p, RA_NDR_BOTH, &v);
        ra_ndr_pull_u32(p, &status);
        if (pull_done(x, p, "ResolveOxid2") && ref != 0) {
            g_string_append(detail, "bindings ");
            append_dsa(detail, &dsa);
        }
    }
    if (status == 0) {
        g_free(x->result);
        x->result = detail->len ? g_strdup_printf("OK: %s", detail->str) : g_strdup("OK");
    } else {
        g_free(x->result);
        x->result = g_strdup_printf("error %u (0x%x)", status, status);
        x->failed = TRUE;
        x->trouble = op == 5 || op == 3 ? RA_TS_RESOLVER_NO_ANSWER : -1;
    }
    g_string_free(detail, TRUE);
}

static void decode_epm(Ctx *x)
{
    guint16 op = x->call->opnum;
    x->what = op == 2   ? g_strdup("endpoint mapper ept_lookup")
              : op == 3 ? g_strdup("endpoint mapper ept_map")
                        : g_strdup_printf("endpoint mapper opnum %u", op);
    guint32 status;
    if (!tail_hresult(x, &status))
        return;
    g_free(x->result);
    if (status == 0) {
        x->result = g_strdup("OK");
    } else if (status == RA_EPT_S_NOT_REGISTERED) {
        x->result = g_strdup("EPT_S_NOT_REGISTERED: nothing registered");
    } else {
        x->result = g_strdup_printf("error 0x%08x", status);
        x->failed = TRUE;
        x->trouble = RA_TS_EPM_NO_ANSWER;
    }
}

/* ---- IRemUnknown / IRemUnknown2 ([MS-DCOM] 3.1.1.5.6) ---- */

static void decode_remunknown(Ctx *x)
{
    guint16 op = x->call->opnum;
    x->housekeeping = TRUE;
    RaNdrPull *p;
    switch (op) {
    case RA_OPNUM_REMQUERYINTERFACE: {
        RaRemQueryInterfaceIn in = {0};
        gboolean have_in = FALSE;
        if ((p = pull_req(x)) != NULL) {
            gboolean ok = ra_dcom_pull_remqueryinterface_in(p, &in);
            have_in = pull_done(x, p, "RemQueryInterface") && ok;
        }
        GString *names = g_string_new(NULL);
        for (guint i = 0; have_in && i < in.n_iids; i++) {
            const char *n = iid_name(&in.iids[i]);
            gchar *u = n ? NULL : ra_uuid_to_string(&in.iids[i]);
            g_string_append_printf(names, "%s%s", i ? ", " : "", n ? n : u);
            g_free(u);
        }
        x->what = names->len ? g_strdup_printf("RemQueryInterface for %s", names->str)
                             : g_strdup("RemQueryInterface");
        g_string_free(names, TRUE);
        if (!have_in || (p = pull_resp(x)) == NULL)
            return;
        RaRemQueryInterfaceOut out = {0};
        out.n_results = in.n_iids;
        gboolean ok = ra_dcom_pull_remqueryinterface_out(p, &out);
        if (!pull_done(x, p, "RemQueryInterface") || !ok)
            return;
        for (guint i = 0; out.results && i < out.n_results; i++) {
            if (out.results[i].hresult & 0x80000000u)
                continue;
            Ipid *ip =
                ipid_add(x->s, &out.results[i].std.ipid, &in.iids[i], out.results[i].std.oid);
            /* The same object: it keeps the session of the IPID it was asked from. */
            Ipid *from = ipid_find(x->an, &in.ripid);
            (void)from;
            for (guint k = 0; k < x->s->ipids->len; k++) {
                Ipid *o = g_ptr_array_index(x->s->ipids, k);
                if (o != ip && o->oid == ip->oid && o->oid != 0) {
                    ip->has_session = o->has_session;
                    ip->session = o->session;
                    ip->item = o->item;
                    break;
                }
            }
        }
        guint32 hr = out.hresult;
        if (!(hr & 0x80000000u) && out.results && out.n_results > 0)
            hr = out.results[0].hresult;
        set_hresult(x, hr, NULL);
        return;
    }
    case RA_OPNUM_REMADDREF:
    case RA_OPNUM_REMRELEASE:
    case RA_OPNUM_REMQUERYINTERFACE2: {
        x->what = g_strdup(op == RA_OPNUM_REMADDREF    ? "RemAddRef"
                           : op == RA_OPNUM_REMRELEASE ? "RemRelease"
                                                       : "RemQueryInterface2");
        guint32 hr;
        if (tail_hresult(x, &hr))
            set_hresult(x, hr, NULL);
        return;
    }
    default:
        x->what = g_strdup_printf("IRemUnknown opnum %u", op);
        return;
    }
}

/* ---- the MS-RAI interfaces, directly and through IDispatch::Invoke ---- */

static const RaVariant *deref(const RaVariant *v)
{
    if (v != NULL && v->vt == (RA_VT_BYREF | RA_VT_VARIANT))
        return v->v.variant;
    return v;
}

static guint16 base_vt(const RaVariant *v)
{
    return (guint16)(v->vt & ~RA_VT_BYREF);
}

static gboolean variant_bstr(const RaVariant *v, const char **out)
{
    v = deref(v);
    if (v == NULL || base_vt(v) != RA_VT_BSTR)
        return FALSE;
    *out = v->v.bstr;
    return TRUE;
}

static gboolean variant_int(const RaVariant *v, gint64 *out)
{
    v = deref(v);
    if (v == NULL)
        return FALSE;
    switch (base_vt(v)) {
    case RA_VT_I2:
        *out = v->v.i2;
        return TRUE;
    case RA_VT_I4:
    case RA_VT_INT:
        *out = v->v.i4;
        return TRUE;
    case RA_VT_UI2:
        *out = v->v.ui2;
        return TRUE;
    case RA_VT_UI4:
    case RA_VT_UINT:
        *out = v->v.ui4;
        return TRUE;
    case RA_VT_UI1:
        *out = v->v.ui1;
        return TRUE;
    default:
        return FALSE;
    }
}

static const RaInterfacePointer *variant_iface(const RaVariant *v)
{
    v = deref(v);
    if (v == NULL || (base_vt(v) != RA_VT_DISPATCH && base_vt(v) != RA_VT_UNKNOWN))
        return NULL;
    return v->v.iface;
}

static const RaBstrArray *variant_array(const RaVariant *v)
{
    v = deref(v);
    if (v == NULL || base_vt(v) != (RA_VT_ARRAY | RA_VT_BSTR))
        return NULL;
    return v->v.bstr_array;
}

/* What a method's results mean for the story; fields by name so that a direct call and an
 * Invoke of the same method share them. */
typedef struct {
    const char *text; /* a BSTR/LPWSTR result */
    gboolean has_int;
    gint64 value; /* an integer result */
    const RaInterfacePointer *iface;
    const RaBstrArray *array;
} Results;

static void apply_results(Ctx *x, IfKind kind, const char *method, const Results *res,
                          gint64 item_index)
{
    Story *s = x->s;
    if (kind == IF_IRASRV && strcmp(method, "GetSessionInfo") == 0) {
        set_sessions(x, res->array);
    } else if (kind == IF_IRASRV && strcmp(method, "GetNoviceUserInfo") == 0) {
        add_connstr(x, "IRASrv::GetNoviceUserInfo", res->text, x->ip && x->ip->has_session,
                    x->ip ? x->ip->session : 0);
        g_free(x->result);
        x->result =
            g_strdup_printf("S_OK: a Connection String %d",
                            res->text ? ra_connstr_detect(res->text, strlen(res->text)) : 0);
    } else if (kind == IF_IPCHSERVICE && strcmp(method, "RemoteUserSessionInfo") == 0) {
        objref_add(s, res->iface, x->arena);
        g_free(x->result);
        x->result = g_strdup(res->iface ? "S_OK: the collection of sessions" : "S_OK: NULL");
    } else if (kind == IF_IPCHCOLLECTION && strcmp(method, "Item") == 0) {
        Ipid *ip = objref_add(s, res->iface, x->arena);
        if (ip != NULL) {
            ip->item = (gint)item_index;
            saf_session(s, ip->oid);
        }
        g_free(x->result);
        x->result = g_strdup_printf("S_OK: session object %" G_GINT64_FORMAT, item_index);
    } else if (kind == IF_IPCHCOLLECTION && strcmp(method, "_NewEnum") == 0) {
        objref_add(s, res->iface, x->arena);
    } else if (kind == IF_IPCHCOLLECTION && strcmp(method, "Count") == 0 && res->has_int) {
        g_free(x->result);
        x->result = g_strdup_printf("S_OK: %" G_GINT64_FORMAT, res->value);
    } else if (kind == IF_ISAFSESSION && x->ip != NULL &&
               g_str_has_prefix(x->what, "ISAFSession::get")) {
        RaStorySession *ss = saf_session(s, x->ip->oid);
        if (ss == NULL)
            return;
        g_free(x->result);
        if (strcmp(method, "SessionID") == 0 && res->has_int) {
            ss->id = (guint32)res->value;
            x->result = g_strdup_printf("S_OK: %" G_GINT64_FORMAT, res->value);
        } else if (strcmp(method, "SessionState") == 0 && res->has_int) {
            ss->state = (gint)res->value;
            const char *n = ra_rai_SessionStateEnum_name((guint32)res->value);
            x->result = g_strdup_printf("S_OK: %s", n ? n : "out of range");
        } else if (strcmp(method, "DomainName") == 0) {
            g_free(ss->domain);
            ss->domain = g_strdup(res->text ? res->text : "");
            x->result = g_strdup_printf("S_OK: \"%s\"", ss->domain);
        } else if (strcmp(method, "UserName") == 0) {
            g_free(ss->user);
            ss->user = g_strdup(res->text ? res->text : "");
            x->result = g_strdup_printf("S_OK: \"%s\"", ss->user);
        } else {
            x->result = g_strdup("S_OK");
        }
    }
}

static const RaRaiMethodInfo *find_dispid(const RaRaiInterfaceInfo *info, gint32 dispid,
                                          guint32 flags)
{
    const RaRaiMethodInfo *any = NULL;
    for (guint i = 0; info && i < info->n_methods; i++) {
        const RaRaiMethodInfo *m = &info->methods[i];
        if (!m->has_dispid || m->dispid != dispid || m->builtin)
            continue;
        gboolean put = (flags & (RA_DISPATCH_PROPERTYPUT | RA_DISPATCH_PROPERTYPUTREF)) != 0;
        if (put == (m->prop == RA_RAI_PROP_PUT || m->prop == RA_RAI_PROP_PUTREF))
            return m;
        any = m;
    }
    return any;
}

static void decode_invoke(Ctx *x, IfKind target)
{
    const RaRaiInterfaceInfo *info = rai_info(target);
    RaNdrPull *p = pull_req(x);
    RaInvokeIn in = {0};
    gboolean have_in = FALSE;
    if (p != NULL) {
        gboolean ok = ra_dispatch_pull_invoke_in(p, &in);
        have_in = pull_done(x, p, "IDispatch::Invoke") && ok;
    }
    const RaRaiMethodInfo *m = have_in ? find_dispid(info, in.dispid, in.flags) : NULL;
    if (m != NULL)
        x->what = g_strdup_printf("%s::%s through IDispatch::Invoke", info->name, m->c_name);
    else if (have_in)
        x->what =
            g_strdup_printf("%s::Invoke of DISPID %d", info ? info->name : "IDispatch", in.dispid);
    else
        x->what = g_strdup_printf("%s::Invoke", info ? info->name : "IDispatch");
    if (m != NULL && (target == IF_IRASRV || target == IF_IPCHSERVICE)) {
        if (strcmp(m->name, "GetNoviceUserInfo") == 0 ||
            strcmp(m->name, "RemoteConnectionParms") == 0)
            x->connstr_call = TRUE;
    }
    if (!have_in || (p = pull_resp(x)) == NULL)
        return;
    RaInvokeOut out = {0};
    out.n_var_ref = in.n_var_ref;
    gboolean ok = ra_dispatch_pull_invoke_out(p, &out);
    if (!pull_done(x, p, "IDispatch::Invoke") || !ok)
        return;
    guint32 hr = out.hresult;
    if (hr == RA_DISP_E_EXCEPTION && (out.excep_info.scode & 0x80000000u))
        hr = out.excep_info.scode; /* what the method itself returned */
    set_hresult(x, hr, NULL);
    if ((hr & 0x80000000u) || m == NULL)
        return;
    Results res = {0};
    gint64 index = 0;
    /* [in, out] parameters come back in rgVarRef, the [retval] in pVarResult. */
    for (guint i = 0; i < out.n_var_ref && out.var_ref; i++) {
        const RaVariant *v = &out.var_ref[i];
        if (!res.text)
            variant_bstr(v, &res.text);
        if (!res.array)
            res.array = variant_array(v);
    }
    if (!res.text)
        variant_bstr(&out.result, &res.text);
    res.has_int = variant_int(&out.result, &res.value);
    res.iface = variant_iface(&out.result);
    if (strcmp(m->name, "Item") == 0 && in.params.n_args > 0)
        variant_int(&in.params.args[in.params.n_args - 1], &index);
    if (strcmp(m->name, "RemoteConnectionParms") == 0 && in.params.n_args == 4) {
        /* rgvarg holds the parameters last first: blob, session, domain, user. */
        gint64 sid;
        if (variant_int(&in.params.args[1], &sid)) {
            add_connstr(x, "IPCHService::RemoteConnectionParms", res.text, TRUE, (guint32)sid);
            return;
        }
    }
    if (strcmp(m->name, "RemoteConnectionParms") == 0) {
        add_connstr(x, "IPCHService::RemoteConnectionParms", res.text, FALSE, 0);
        return;
    }
    apply_results(x, target, m->name, &res, index);
}

static void decode_rai(Ctx *x, IfKind kind)
{
    const RaRaiInterfaceInfo *info = rai_info(kind);
    guint16 op = x->call->opnum;
    if (kind == IF_IRASRV)
        x->s->rasrv_tried = TRUE;
    if (kind == IF_IPCHSERVICE || kind == IF_IPCHCOLLECTION || kind == IF_ISAFSESSION)
        x->s->pch_tried = TRUE;
    if (op == RA_OPNUM_INVOKE) {
        decode_invoke(x, kind);
        return;
    }
    if (op == RA_OPNUM_GETIDSOFNAMES) {
        RaNdrPull *p = pull_req(x);
        RaGetIDsOfNamesIn in = {0};
        GString *names = g_string_new(NULL);
        if (p != NULL) {
            gboolean ok = ra_dispatch_pull_getidsofnames_in(p, &in);
            if (pull_done(x, p, "GetIDsOfNames") && ok)
                for (guint i = 0; i < in.n_names; i++)
                    g_string_append_printf(names, "%s%s", i ? ", " : "",
                                           in.names[i] ? in.names[i] : "(null)");
        }
        x->what = g_strdup_printf("%s::GetIDsOfNames(%s)", info->name, names->str);
        g_string_free(names, TRUE);
        x->housekeeping = TRUE;
        guint32 hr;
        if (tail_hresult(x, &hr))
            set_hresult(x, hr, NULL);
        return;
    }
    const RaRaiMethodInfo *m = op < info->n_methods ? &info->methods[op] : NULL;
    if (m == NULL || !m->remote) {
        x->what = g_strdup_printf("%s opnum %u", info->name, op);
        return;
    }
    x->what = g_strdup_printf("%s::%s", info->name, m->c_name);
    Results res = {0};
    gint64 index = 0;
    RaNdrPull *p = NULL;
    guint32 hr = 0;
    gboolean got = FALSE;
    switch (kind) {
    case IF_IRASRV:
        if (op == RA_RAI_OPNUM_IRASrv_GetSessionInfo) {
            RaRai_IRASrv_GetSessionInfo_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IRASrv_GetSessionInfo_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.array = out.UserNames;
            }
        } else if (op == RA_RAI_OPNUM_IRASrv_GetNoviceUserInfo) {
            x->connstr_call = TRUE;
            RaRai_IRASrv_GetNoviceUserInfo_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IRASrv_GetNoviceUserInfo_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.text = out.szName;
            }
        }
        break;
    case IF_IPCHSERVICE:
        if (op == RA_RAI_OPNUM_IPCHService_RemoteConnectionParms) {
            x->connstr_call = TRUE;
            RaRai_IPCHService_RemoteConnectionParms_in in = {0};
            gboolean have_in = FALSE;
            if ((p = pull_req(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHService_RemoteConnectionParms_in(p, &in);
                have_in = pull_done(x, p, m->c_name) && ok;
            }
            if (have_in) {
                g_free(x->what);
                x->what = g_strdup_printf("IPCHService::RemoteConnectionParms for session %d "
                                          "(%s\\%s)",
                                          in.lSessionID, in.bstrDomainName ? in.bstrDomainName : "",
                                          in.bstrUserName ? in.bstrUserName : "");
            }
            RaRai_IPCHService_RemoteConnectionParms_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHService_RemoteConnectionParms_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
            }
            if (got) {
                set_hresult(x, hr, NULL);
                if (!(hr & 0x80000000u)) {
                    add_connstr(x, "IPCHService::RemoteConnectionParms", out.pbstrConnectionString,
                                have_in, (guint32)in.lSessionID);
                    g_free(x->result);
                    x->result = g_strdup("S_OK: a Connection String 1");
                }
            }
            return;
        } else if (op == RA_RAI_OPNUM_IPCHService_RemoteUserSessionInfo) {
            RaRai_IPCHService_RemoteUserSessionInfo_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHService_RemoteUserSessionInfo_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.iface = out.pVal;
            }
        }
        break;
    case IF_IPCHCOLLECTION:
        if (op == RA_RAI_OPNUM_IPCHCollection_get_Item) {
            RaRai_IPCHCollection_get_Item_in in = {0};
            if ((p = pull_req(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHCollection_get_Item_in(p, &in);
                if (pull_done(x, p, m->c_name) && ok) {
                    index = in.vIndex;
                    g_free(x->what);
                    x->what = g_strdup_printf("IPCHCollection::get_Item(%d)", in.vIndex);
                }
            }
            RaRai_IPCHCollection_get_Item_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHCollection_get_Item_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.iface = variant_iface(&out.ppEntry);
            }
        } else if (op == RA_RAI_OPNUM_IPCHCollection_get_Count) {
            RaRai_IPCHCollection_get_Count_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHCollection_get_Count_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.has_int = TRUE;
                res.value = out.pVal;
            }
        } else if (op == RA_RAI_OPNUM_IPCHCollection_get__NewEnum) {
            RaRai_IPCHCollection_get__NewEnum_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_IPCHCollection_get__NewEnum_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.iface = out.pVal;
            }
        }
        break;
    case IF_ISAFSESSION:
        switch (op) {
        case RA_RAI_OPNUM_ISAFSession_get_SessionID: {
            RaRai_ISAFSession_get_SessionID_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_ISAFSession_get_SessionID_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.has_int = TRUE;
                res.value = out.pVal;
            }
            break;
        }
        case RA_RAI_OPNUM_ISAFSession_get_SessionState: {
            RaRai_ISAFSession_get_SessionState_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_ISAFSession_get_SessionState_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.has_int = TRUE;
                res.value = out.pVal;
            }
            break;
        }
        case RA_RAI_OPNUM_ISAFSession_get_DomainName: {
            RaRai_ISAFSession_get_DomainName_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_ISAFSession_get_DomainName_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.text = out.pVal;
            }
            break;
        }
        case RA_RAI_OPNUM_ISAFSession_get_UserName: {
            RaRai_ISAFSession_get_UserName_out out = {0};
            if ((p = pull_resp(x)) != NULL) {
                gboolean ok = ra_rai_pull_ISAFSession_get_UserName_out(p, &out);
                got = pull_done(x, p, m->c_name) && ok;
                hr = out.result;
                res.text = out.pVal;
            }
            break;
        }
        default:
            break;
        }
        break;
    default:
        break;
    }
    if (!got) {
        /* Methods without a meaning for the story: their HRESULT is the stub's last word. */
        if (tail_hresult(x, &hr))
            set_hresult(x, hr, NULL);
        return;
    }
    set_hresult(x, hr, NULL);
    if (!(hr & 0x80000000u))
        apply_results(x, kind, m->name, &res, index);
}

/* ---- a call ---- */

/*
 * The method of an answer whose request is not in the capture: the one remote method of the
 * interface whose [out] structure the stub decodes as exactly (the generated type table), if
 * exactly one does. Returns its opnum or -1.
 */
static gint guess_method(const RaRaiInterfaceInfo *info, const RaObsStub *resp)
{
    if (info == NULL || resp->data == NULL)
        return -1;
    gint found = -1;
    for (guint16 op = info->own_first; op < info->n_methods; op++) {
        const RaRaiMethodInfo *m = &info->methods[op];
        if (!m->remote || m->builtin)
            continue;
        gchar *name = g_strdup_printf("%s_%s_out", info->name, m->c_name);
        const RaRaiTypeInfo *t = NULL;
        for (guint i = 0; i < RA_RAI_N_TYPES && t == NULL; i++)
            if (strcmp(ra_rai_types[i].name, name) == 0)
                t = &ra_rai_types[i];
        g_free(name);
        if (t == NULL)
            continue;
        RaArena *arena = ra_arena_new();
        RaNdrPull *p = ra_ndr_pull_new(resp->data, resp->len, arena);
        gpointer r = ra_arena_alloc(arena, t->size);
        gboolean ok = t->pull(p, r);
        ok = ra_ndr_pull_finish(p, NULL) && ok;
        ra_ndr_pull_free(p);
        ra_arena_free(arena);
        if (ok) {
            if (found >= 0)
                return -1; /* two fit: do not guess */
            found = op;
        }
    }
    return found;
}

/* A call that begins an offer: after a finished offer it starts the next story. */
static gboolean starts_offer(IfKind kind, guint16 opnum)
{
    switch (kind) {
    case IF_ACTIVATOR:
        return opnum == RA_OPNUM_REMOTECREATEINSTANCE || opnum == RA_OPNUM_REMOTEGETCLASSOBJECT;
    case IF_IRASRV:
        return opnum == RA_RAI_OPNUM_IRASrv_GetSessionInfo;
    case IF_IPCHSERVICE:
        return opnum == RA_RAI_OPNUM_IPCHService_RemoteUserSessionInfo;
    default:
        return FALSE;
    }
}

static void on_call(const RaObsCall *in_call, gpointer data)
{
    Conn *c = data;
    An *an = c->an;
    /* Without its request the method is unknown: guess it from the answer where that is safe. */
    RaObsCall guessed = *in_call;
    const RaObsCall *call = in_call;
    gboolean was_guessed = FALSE;
    if (!in_call->has_opnum && !in_call->fault) {
        IfKind k = iface_kind(in_call->iface);
        gint op = k == IF_ACTIVATOR && readable(&in_call->response)
                      ? RA_OPNUM_REMOTECREATEINSTANCE
                      : guess_method(rai_info(k), &in_call->response);
        if (op >= 0) {
            guessed.has_opnum = TRUE;
            guessed.opnum = (guint16)op;
            call = &guessed;
            was_guessed = TRUE;
        }
    }
    an->stats.calls++;
    if (call->request.state == RA_OBS_STUB_DECRYPTED ||
        call->response.state == RA_OBS_STUB_DECRYPTED)
        an->stats.decrypted_calls++;
    else if (call->request.state == RA_OBS_STUB_SEALED ||
             call->response.state == RA_OBS_STUB_SEALED)
        an->stats.sealed_calls++;
    Record *r = conn_record(c);
    Story *s = r->story;
    IfKind kind = iface_kind(call->iface);
    Ipid *ip = call->has_object ? ipid_find(an, &call->object) : NULL;
    if (ip != NULL && ip->story != s && !ip->story->closed) {
        /* The object was handed out in another story: the call is part of it. */
        if (record_fresh(r))
            transfer_record(r, ip->story);
        else
            move_conn(c, ip->story);
        r = c->rec;
        s = r->story;
    }
    if (s->ended && call->has_opnum && starts_offer(kind, call->opnum) &&
        call->request.fragments > 0 && call->request.first.frame > s->ended_frame) {
        /* A new offer on a connection kept open (DCOM reuses them). */
        Story *n =
            story_new(an, &s->pub.expert, &s->pub.novice,
                      call->request.fragments ? &call->request.first : &call->response.first);
        n->pub.identity = g_strdup(s->pub.identity);
        n->pub.workstation = g_strdup(s->pub.workstation);
        n->key = n->pub.key = s->key;
        n->pub.secret = s->pub.secret;
        move_conn(c, n);
        r = c->rec;
        s = n;
    }
    Ctx x = {0};
    x.an = an;
    x.c = c;
    x.r = r;
    x.s = s;
    x.call = call;
    x.kind = kind;
    x.ip = ip;
    x.trouble = -1;
    x.arena = ra_arena_new();
    if (call->iface == NULL)
        s->unknown_calls = TRUE;
    IfKind target = kind;
    if ((kind == IF_DISPATCH || kind == IF_UNKNOWN) && ip != NULL && rai_info(iid_kind(&ip->iid)))
        target = iid_kind(&ip->iid);
    if (!call->has_opnum) {
        char buf[96];
        x.what = g_strdup_printf("a call on %s (its request is not in the capture)",
                                 iface_name(call->iface, buf, sizeof buf));
    } else {
        switch (kind) {
        case IF_ACTIVATOR:
            decode_activation(&x);
            break;
        case IF_OXID:
            decode_oxid(&x);
            break;
        case IF_EPM:
            decode_epm(&x);
            break;
        case IF_REMUNKNOWN:
        case IF_REMUNKNOWN2:
            decode_remunknown(&x);
            break;
        case IF_IRASRV:
        case IF_IPCHSERVICE:
        case IF_IPCHCOLLECTION:
        case IF_ISAFSESSION:
            decode_rai(&x, kind);
            break;
        case IF_DISPATCH:
            if (rai_info(target) != NULL &&
                (call->opnum == RA_OPNUM_INVOKE || call->opnum == RA_OPNUM_GETIDSOFNAMES)) {
                decode_rai(&x, target);
                break;
            }
            /* fall through */
        default: {
            char buf[96];
            x.what = g_strdup_printf("%s opnum %u", iface_name(call->iface, buf, sizeof buf),
                                     call->opnum);
            guint32 hr;
            if (tail_hresult(&x, &hr) && kind == IF_DISPATCH)
                set_hresult(&x, hr, NULL);
            break;
        }
        }
    }
    if (call->fault) {
        g_free(x.result);
        x.result = fault_text(call->fault_status);
        x.failed = TRUE;
        const RaTrouble *t = ra_trouble_find(RA_TROUBLE_FAULT, call->fault_status);
        x.trouble = t ? (int)t->id : -1;
        if (target == IF_IRASRV &&
            (call->fault_status == RA_NCA_OP_RNG_ERROR || call->fault_status == RA_NCA_UNK_IF)) {
            x.fallbackable = TRUE;
            s->rasrv_failed = TRUE;
            if (s->rasrv_failure == NULL)
                s->rasrv_failure = g_strdup_printf("%s answered %s", x.what, x.result);
        }
    } else if (!call->answered) {
        g_free(x.result);
        x.result = g_strdup("no answer");
        x.failed = TRUE;
        x.trouble = RA_TS_NO_ANSWER;
    } else if (x.result == NULL) {
        const char *problem = stub_problem(call->response.state);
        if (problem == NULL && !readable(&call->request))
            problem = stub_problem(call->request.state);
        x.result = g_strdup(problem ? problem : "answered");
        if (problem != NULL)
            s->unreadable = TRUE;
    }
    if (was_guessed) {
        gchar *w = g_strdup_printf("%s (its request is not in the capture: the method is known "
                                   "from its answer)",
                                   x.what);
        g_free(x.what);
        x.what = w;
    }
    const RaObsStamp *start =
        call->request.fragments ? &call->request.first : &call->response.first;
    Step *st =
        add_step(s, r, RA_STEP_CALL, start, &call->response.last, call->answered, x.what, x.result);
    if (st != NULL) {
        st->pub.housekeeping = x.housekeeping;
        st->fault = call->fault;
        st->status = call->fault_status;
        st->level = call->auth_level;
        st->key = call->auth ? call->auth->key : RA_OBS_KEY_NONE;
        if (call->auth != NULL) {
            gpointer key = GUINT_TO_POINTER(call->auth->auth_context_id + 1);
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(c->auth_calls, key));
            st->first_call = n == 0;
            g_hash_table_insert(c->auth_calls, key, GUINT_TO_POINTER(n + 1));
        }
        if (x.failed) {
            st->pub.failed = TRUE;
            st->pub.trouble = x.trouble;
            st->fallbackable = x.fallbackable;
        }
    }
    r->last_call_frame = start->frame;
    if (rai_info(target) != NULL && call->answered &&
        !(call->fault &&
          (call->fault_status == RA_NCA_OP_RNG_ERROR || call->fault_status == RA_NCA_UNK_IF)))
        s->rai_answered = TRUE;
    if (x.connstr_call && call->answered) {
        s->connstr_call = TRUE;
        if (readable(&call->response) && !call->fault)
            s->connstr_readable = TRUE;
        end_story(s, call->response.last.frame);
    } else if (x.failed && !x.fallbackable && !x.housekeeping) {
        end_story(s, call->answered ? call->response.last.frame : start->frame);
    }
    ra_arena_free(x.arena);
}

/* ======================================================================================== */
/* The end of a story: diagnosis, outcome, order                                            */
/* ======================================================================================== */

static gint step_order(gconstpointer a, gconstpointer b)
{
    const Step *x = *(Step *const *)a, *y = *(Step *const *)b;
    if (x->pub.start.frame != y->pub.start.frame)
        return x->pub.start.frame < y->pub.start.frame ? -1 : 1;
    return 0;
}

static gint record_order(gconstpointer a, gconstpointer b)
{
    const Record *x = *(Record *const *)a, *y = *(Record *const *)b;
    if (x->pub.opened.frame != y->pub.opened.frame)
        return x->pub.opened.frame < y->pub.opened.frame ? -1 : 1;
    return 0;
}

static gint finding_order(gconstpointer a, gconstpointer b)
{
    const RaFinding *x = *(RaFinding *const *)a, *y = *(RaFinding *const *)b;
    if (x->error != y->error)
        return x->error ? -1 : 1;
    if (x->at.frame != y->at.frame)
        return x->at.frame < y->at.frame ? -1 : 1;
    return (int)x->trouble - (int)y->trouble;
}

/* Which of the causes of fault 5 the capture shows ([MS-RPCE] 3.3.3.4.1.1: access denied). */
static RaTroubleId refine_access_denied(Step *st, GString *why)
{
    if (st->key == RA_OBS_KEY_NO_MATCH) {
        g_string_append(why, "; none of the secrets given matches the expert's NTLM response "
                             "either");
        return RA_TS_AUTH_WRONG_PASSWORD;
    }
    if (st->key == RA_OBS_KEY_MATCHED) {
        if (st->level < RA_AUTH_LEVEL_PKT_PRIVACY) {
            g_string_append_printf(why,
                                   "; the password is right (a secret given matches the logon), "
                                   "the call was at %s",
                                   ra_rpc_auth_level_name(st->level));
            return RA_TS_AUTH_LEVEL_TOO_LOW;
        }
        return RA_TS_FAULT_ACCESS_DENIED;
    }
    if (st->first_call && st->rec->server_closed_first &&
        st->rec->last_call_frame == st->pub.start.frame) {
        g_string_append(why, "; it was the first call after the NTLM logon, and the novice then "
                             "closed the connection: the logon was refused");
        return RA_TS_AUTH_WRONG_PASSWORD;
    }
    return RA_TS_FAULT_ACCESS_DENIED;
}

static const RaStorySession *find_session(const Story *s, guint32 id)
{
    for (guint i = 0; i < s->pub.sessions->len; i++) {
        const RaStorySession *ss = g_ptr_array_index(s->pub.sessions, i);
        if (ss->id == id)
            return ss;
    }
    return NULL;
}

static void story_finish(Story *s)
{
    RaStory *p = &s->pub;
    g_ptr_array_sort(p->steps, step_order);
    /* Connections are numbered in the story as they came (records may have moved in or out). */
    g_ptr_array_sort(s->records, record_order);
    g_ptr_array_set_size(p->connections, 0);
    for (guint i = 0; i < s->records->len; i++)
        g_ptr_array_add(p->connections, &((Record *)g_ptr_array_index(s->records, i))->pub);
    for (guint i = 0; i < s->records->len; i++)
        ((Record *)g_ptr_array_index(s->records, i))->pub.number = i + 1;
    for (guint i = 0; i < p->steps->len; i++) {
        Step *st = g_ptr_array_index(p->steps, i);
        st->pub.connection = st->rec->pub.number;
    }
    /* The story spans its steps (a connection's SYN precedes what created the story; packets
     * of connections that moved to other stories do not count). */
    for (guint i = 0; i < p->steps->len; i++) {
        const Step *st = g_ptr_array_index(p->steps, i);
        const RaObsStamp *last = st->pub.answered ? &st->pub.end : &st->pub.start;
        if (i == 0 || st->pub.start.frame < p->start.frame)
            p->start = st->pub.start;
        if (i == 0 || last->frame > p->end.frame)
            p->end = *last;
    }
    /* Sessions read from ISAFSession objects (IPCHService). */
    if (p->sessions->len == 0 && s->saf_order->len > 0) {
        for (guint i = 0; i < s->saf_order->len; i++) {
            RaStorySession *ss = g_ptr_array_index(s->saf_order, i);
            RaStorySession *copy = g_new0(RaStorySession, 1);
            copy->id = ss->id;
            copy->domain = g_strdup(ss->domain ? ss->domain : "");
            copy->user = g_strdup(ss->user ? ss->user : "");
            copy->state = ss->state;
            copy->usable = *copy->domain && *copy->user;
            g_ptr_array_add(p->sessions, copy);
        }
    }
    /* The interface, and the fallback. */
    if (s->pch_tried)
        p->interface = "IPCHService";
    else if (s->rasrv_tried)
        p->interface = "IRASrv";
    if (s->rasrv_failed && s->pch_tried && s->rasrv_failure != NULL)
        p->fallback = g_strdup(s->rasrv_failure);
    /* Errors: each failed step, with the row of the table that explains it. */
    guint64 retrans = 0, gaps = 0;
    for (guint i = 0; i < s->records->len; i++) {
        Record *r = g_ptr_array_index(s->records, i);
        retrans += r->pub.retransmissions;
        gaps += r->pub.gaps;
        if (r->pub.midstream && r->pub.rpc)
            finding(s, RA_TS_CAPTURE_STARTS_LATE, FALSE, &r->pub.opened,
                    "connection %u (port %u) was open before the capture started", r->pub.number,
                    r->pub.server_port);
    }
    gboolean any_call = FALSE, any_sealed = FALSE;
    for (guint i = 0; i < p->steps->len; i++) {
        Step *st = g_ptr_array_index(p->steps, i);
        if (st->pub.kind == RA_STEP_CALL)
            any_call = TRUE;
        if (st->pub.result && strcmp(st->pub.result, "sealed") == 0)
            any_sealed = TRUE;
        if (!st->pub.failed)
            continue;
        if (st->fallbackable && s->pch_tried) {
            if (st->pub.trouble == RA_TS_REGDB_E_CLASSNOTREG ||
                st->pub.trouble == RA_TS_CONTEXT_ABSTRACT_SYNTAX)
                finding(s, RA_TS_XP_NOVICE, FALSE, &st->pub.start,
                        "%s (connection %u, frame %" G_GUINT64_FORMAT ") answered %s; the expert "
                        "fell back to IPCHService",
                        st->pub.what, st->pub.connection, st->pub.start.frame, st->pub.result);
            continue;
        }
        if (st->pub.trouble == RA_TS_NO_ANSWER && st->rec->pub.gap_bytes > 0) {
            /* The answer is most likely in what the capture lost. */
            st->pub.trouble = RA_TS_CAPTURE_GAP;
            finding(s, RA_TS_CAPTURE_GAP, FALSE, &st->pub.start,
                    "%s (connection %u, frame %" G_GUINT64_FORMAT ") has no answer in the "
                    "capture, and %" G_GUINT64_FORMAT " bytes of that connection are missing",
                    st->pub.what, st->pub.connection, st->pub.start.frame, st->rec->pub.gap_bytes);
            continue;
        }
        GString *why = g_string_new(NULL);
        g_string_append_printf(why, "%s (connection %u, frame %" G_GUINT64_FORMAT ") %s %s",
                               st->pub.what, st->pub.connection, st->pub.start.frame,
                               st->pub.answered ? "answered" : "got", st->pub.result);
        RaTroubleId t = st->pub.trouble >= 0 ? (RaTroubleId)st->pub.trouble : RA_TS_MALFORMED;
        if (st->fault && st->status == RA_NCA_S_FAULT_ACCESS_DENIED)
            t = refine_access_denied(st, why);
        if (t == RA_TS_NOT_HELPER && p->identity != NULL)
            g_string_append_printf(why, " for %s", p->identity);
        st->pub.trouble = (int)t;
        if (st->pub.trouble >= 0 || st->pub.failed)
            finding(s, t, !st->pub.housekeeping, &st->pub.start, "%s", why->str);
        g_string_free(why, TRUE);
    }
    /* Warnings about what the capture lacks. */
    if (retrans > 0)
        finding(s, RA_TS_RETRANSMISSIONS, FALSE, NULL,
                "%" G_GUINT64_FORMAT " TCP segment%s retransmitted on the story's connections",
                retrans, retrans == 1 ? "" : "s");
    if (gaps > 0 && !g_hash_table_contains(s->warned, GINT_TO_POINTER(RA_TS_CAPTURE_GAP)))
        finding(s, RA_TS_CAPTURE_GAP, FALSE, NULL,
                "%" G_GUINT64_FORMAT " gap%s in the story's TCP streams", gaps,
                gaps == 1 ? "" : "s");
    if (any_sealed) {
        if (s->an->cfg.n_secrets == 0)
            finding(s, RA_TS_SEALED_NO_SECRET, FALSE, NULL,
                    "the calls are sealed (PKT_PRIVACY) and no password was given");
        else if (s->key == RA_OBS_KEY_NONE || s->key == RA_OBS_KEY_INCOMPLETE)
            finding(s, RA_TS_HANDSHAKE_NOT_CAPTURED, FALSE, NULL,
                    "the calls are sealed and their NTLM handshakes are not in the capture: the "
                    "secrets given cannot be tried on them");
        else if (s->key == RA_OBS_KEY_NO_MATCH)
            finding(s, RA_TS_SEALED_NO_KEY, FALSE, NULL,
                    "the calls of %s are sealed and none of the %u secret%s given matches",
                    p->identity ? p->identity : "the expert", s->an->cfg.n_secrets,
                    s->an->cfg.n_secrets == 1 ? "" : "s");
    }
    if (s->activation_ok && !s->exporter_seen && p->connstrs->len == 0 && !s->connstr_call) {
        gboolean readable_ok = FALSE;
        for (guint i = 0; i < p->activations->len; i++) {
            const RaStoryActivation *a = g_ptr_array_index(p->activations, i);
            readable_ok = readable_ok || (a->answered && !(a->hresult & 0x80000000u));
        }
        gboolean failed_readably = FALSE;
        for (guint i = 0; i < p->findings->len; i++)
            failed_readably =
                failed_readably || ((RaFinding *)g_ptr_array_index(p->findings, i))->error;
        if (!failed_readably)
            finding(s, RA_TS_EXPORTER_CONNECTION_ABSENT, FALSE, NULL,
                    "the activation (frame %" G_GUINT64_FORMAT ") was answered%s, but no "
                    "connection to the object's port follows",
                    s->activation_frame, readable_ok ? " with an object" : "");
    }
    g_ptr_array_sort(p->findings, finding_order);
    /* The outcome, in one line. */
    RaFinding *first_error = NULL;
    for (guint i = 0; i < p->findings->len && first_error == NULL; i++) {
        RaFinding *f = g_ptr_array_index(p->findings, i);
        if (f->error)
            first_error = f;
    }
    if (p->connstrs->len > 0) {
        const RaStoryConnStr *cs = g_ptr_array_index(p->connstrs, p->connstrs->len - 1);
        p->outcome = RA_OUTCOME_OFFERED;
        if (cs->has_session) {
            const RaStorySession *ss = find_session(s, cs->session);
            p->summary = ss ? g_strdup_printf("connection string %d for session %u (%s\\%s)",
                                              cs->version, cs->session, ss->domain, ss->user)
                            : g_strdup_printf("connection string %d for session %u", cs->version,
                                              cs->session);
        } else {
            p->summary = g_strdup_printf("connection string %d", cs->version);
        }
    } else if (first_error != NULL) {
        p->outcome = RA_OUTCOME_FAILED;
        p->summary = g_strdup_printf("%s: %s", ra_trouble(first_error->trouble)->key,
                                     ra_trouble(first_error->trouble)->name);
    } else if (s->rasrv_tried || s->pch_tried || p->activations->len > 0 || s->connstr_call ||
               s->unknown_calls) {
        p->outcome = RA_OUTCOME_UNKNOWN;
        if (s->connstr_call && !s->connstr_readable)
            p->summary = g_strdup("the connection string was asked for and answered, but the "
                                  "answer cannot be read");
        else if (any_sealed)
            p->summary = g_strdup("the calls are sealed and cannot be read");
        else if (s->unknown_calls)
            p->summary = g_strdup("calls on interfaces whose binds are not in the capture");
        else
            p->summary = g_strdup("the offer did not get as far as a connection string in the "
                                  "capture");
    } else {
        p->outcome = RA_OUTCOME_NO_OFFER;
        p->summary =
            g_strdup(any_call ? "calls, but no activation and no MS-RAI method" : "no call");
    }
}

/* ======================================================================================== */
/* The analyzer                                                                             */
/* ======================================================================================== */

static void global_free(gpointer p)
{
    RaGlobalFinding *g = p;
    g_free(g->evidence);
    g_free(g);
}

RaAnalyzer *ra_analyzer_new(const RaAnalyzeConfig *config)
{
    An *an = g_new0(An, 1);
    an->cfg = *config;
    an->conns = g_hash_table_new(conn_key_hash, conn_key_equal);
    g_queue_init(&an->stories);
    an->ipids = g_hash_table_new_full(ipid_hash, ra_uuid_equal_func, NULL, g_free);
    an->global = g_ptr_array_new_with_free_func(global_free);
    an->advertised = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return an;
}

void ra_analyzer_finish(RaAnalyzer *an)
{
    sweep(an, TRUE);
}

void ra_analyzer_read_error(RaAnalyzer *an, guint64 frame, const GError *error)
{
    global_finding(an, RA_TS_CAPTURE_GAP, frame,
                   "the capture file cannot be read after frame %" G_GUINT64_FORMAT ": %s", frame,
                   error ? error->message : "read error");
}

void ra_analyzer_free(RaAnalyzer *an)
{
    if (an == NULL)
        return;
    while (an->conn_list != NULL) {
        Conn *c = an->conn_list->data;
        an->conn_list = g_list_delete_link(an->conn_list, an->conn_list);
        conn_free(c);
    }
    Story *s;
    while ((s = g_queue_pop_head(&an->stories)) != NULL)
        story_free(s);
    g_hash_table_destroy(an->conns);
    g_hash_table_destroy(an->ipids);
    g_hash_table_destroy(an->advertised);
    g_ptr_array_unref(an->global);
    g_free(an);
}

const RaAnalyzeStats *ra_analyzer_stats(const RaAnalyzer *an)
{
    return &an->stats;
}

const GPtrArray *ra_analyzer_global_findings(const RaAnalyzer *an)
{
    return an->global;
}

guint ra_analyzer_open_stories(const RaAnalyzer *an)
{
    return an->stories.length;
}

guint ra_analyzer_open_connections(const RaAnalyzer *an)
{
    return g_hash_table_size(an->conns);
}
