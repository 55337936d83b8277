/*
 * The engine of `ratool analyze`: MS-RAI offers told as stories from the packets of a capture.
 *
 * Packets go in one at a time (ra_analyzer_packet(), in capture order); the engine follows every
 * TCP connection (ra/netpkt.h, ra/tcpreasm.h), reads the DCE/RPC on it (ra/rpcobserve.h, which
 * decrypts with the secrets given), decodes the calls that matter with the library's codecs
 * (DCOM activation, IRemUnknown, the OXID resolver, the endpoint mapper, the generated MS-RAI
 * stubs, IDispatch::Invoke, connection strings) and groups what it sees into stories: one per
 * offer of Remote Assistance, from the expert's first connection to the novice until the answer
 * to its connection-string request (or the failure that ended it).
 *
 * == Grouping ==
 * A story belongs to one expert address, one novice address and one NTLM identity. A connection
 * joins the open story of its pair of addresses (and identity, once authenticated); a new story
 * starts when the open one has ended (a connection string was answered, or a failure that no
 * Windows expert retries past) or after STORY_IDLE seconds of silence; an activation or a session
 * listing after the end starts a new story even on a connection already open (DCOM reuses
 * them). Calls on an object (IPID) go to the story whose activation handed the object out.
 * Without the password of sealed traffic, the end of an offer is seen only from what travels in
 * clear (a fault, a connection-string method answered, every connection closed after the object
 * answered): two offers of one expert to one novice on shared connections through
 * IDispatch::Invoke may then read as one story.
 *
 * == Output ==
 * Each story is handed to the callback when it is over (its connections closed, or idle, or the
 * capture ended), in the order the stories started, then freed: the engine keeps only open
 * connections and stories, so memory does not grow with the capture (see the limits in
 * ra/rpcobserve.h and below).
 *
 * Not thread-safe.
 */
#ifndef RA_ANALYZE_H
#define RA_ANALYZE_H

#include "ra/capfile.h"
#include "ra/netpkt.h"
#include "ra/rpcobserve.h"
#include "ra/troubleshoot.h"

#include <glib.h>

G_BEGIN_DECLS

/* Seconds of capture time without traffic after which an open story ends. */
#define RA_ANALYZE_STORY_IDLE 60
/* Steps kept per story (more are counted, not kept). */
#define RA_ANALYZE_MAX_STEPS 5000

typedef enum {
    RA_STEP_CONNECT, /* a TCP connection attempt */
    RA_STEP_BIND,    /* bind or alter_context, with its NTLM handshake */
    RA_STEP_CALL,    /* an RPC call */
} RaStepKind;

typedef struct {
    RaStepKind kind;
    guint connection; /* 1-based, in the story's connections */
    RaObsStamp start; /* the request (first packet) */
    RaObsStamp end;   /* the answer (last packet); frame 0 when unanswered */
    gboolean answered;
    gint64 latency_ns; /* end - start, or -1 */
    gchar *what;       /* "RemoteCreateInstance of RASrv (IRASrv) in any session" */
    gchar *result;     /* "S_OK", "E_ACCESSDENIED", "fault nca_s_op_rng_error", "sealed" */
    gboolean failed;
    gboolean housekeeping; /* RemRelease, RemAddRef, pings: summarised in text output */
    int trouble;           /* a RaTroubleId explaining a failure, or -1 */
} RaStep;

typedef struct {
    guint number;
    RaIpAddress client, server;
    guint16 client_port, server_port;
    const char *role; /* "activation", "object exporter", "other" */
    RaObsStamp opened, closed;
    gboolean saw_syn, answered_syn, reset, midstream, rpc;
    gchar *identity; /* DOMAIN\user of its first handshake, or NULL */
    guint8 auth_level;
    guint64 retransmissions, out_of_order, gaps, gap_bytes;
} RaStoryConn;

typedef struct {
    guint32 id;
    gchar *domain, *user;
    gint state;      /* SessionStateEnum, or -1 when not said (IRASrv) */
    gboolean usable; /* has a domain and a user ([MS-RAI] 3.2.4) */
} RaStorySession;

typedef struct {
    RaObsStamp at;
    const char *clsid_name; /* "RASrv", "PCHService", or NULL (then clsid says) */
    gchar *clsid;           /* NULL when the request could not be read */
    const char *unread;     /* why the request or answer could not be read ("sealed"), or NULL */
    gboolean has_session;
    guint32 session;   /* SpecialPropertiesData.dwSessionId (0xffffffff: any) */
    gboolean answered; /* and readable */
    guint32 hresult;
    guint64 oxid;
    GPtrArray *bindings; /* gchar* "192.0.2.10[49668]" */
} RaStoryActivation;

typedef struct {
    RaObsStamp at;
    int version;        /* 1 or 2 */
    const char *method; /* "IRASrv::GetNoviceUserInfo", ... */
    gboolean has_session;
    guint32 session;
    gchar *text;
    /* Parsed (ra/connstr.h). */
    GPtrArray *listeners; /* gchar* "host:port" */
    gchar *auth_id;       /* CS2 A/@ID or CS1 RASessionID */
    gchar *kh;            /* CS2 A/@KH or CS1 protocolSpecificParms */
    gchar *sid;           /* CS2 T/@SID */
    GPtrArray *warnings;  /* gchar*: departures from the specification */
    gchar *parse_error;   /* when it does not parse at all */
} RaStoryConnStr;

typedef struct {
    RaTroubleId trouble;
    gboolean error;  /* TRUE: what made the offer fail; FALSE: a warning (the capture lacks...) */
    gchar *evidence; /* what was seen, with frame numbers */
    RaObsStamp at;
} RaFinding;

typedef enum {
    RA_OUTCOME_OFFERED,  /* a connection string was handed out */
    RA_OUTCOME_FAILED,   /* an error ended the offer */
    RA_OUTCOME_UNKNOWN,  /* the result cannot be read (sealed, missing packets, cut short) */
    RA_OUTCOME_NO_OFFER, /* traffic between the two, but no offer in it */
} RaOutcome;

/* "offered", "failed", "unknown", "no offer" (static). */
const char *ra_outcome_name(RaOutcome outcome);

typedef struct {
    guint number; /* 1, 2, ... in order of start */
    RaIpAddress expert, novice;
    gchar *identity;    /* DOMAIN\user from NTLM, or NULL */
    gchar *workstation; /* from NTLM, or NULL */
    RaObsKeyState key;  /* of its handshakes: matched, no match, none given, ... */
    const char *secret; /* label of the matching secret, or NULL */
    RaObsStamp start, end;
    const char *interface; /* "IRASrv", "IPCHService", or NULL when none was used */
    gchar *fallback;       /* why IRASrv was given up for IPCHService, or NULL */
    RaOutcome outcome;
    gchar *summary;         /* one line: "connection string 2 for session 1 (CONTOSO\alice)" */
    GPtrArray *connections; /* RaStoryConn* */
    GPtrArray *steps;       /* RaStep*, by start */
    guint steps_dropped;    /* over RA_ANALYZE_MAX_STEPS */
    GPtrArray *activations; /* RaStoryActivation* */
    GPtrArray *sessions;    /* RaStorySession*, as listed (the last listing) */
    gboolean has_chosen;
    guint32 chosen;      /* the session the connection string is for */
    GPtrArray *connstrs; /* RaStoryConnStr* */
    GPtrArray *findings; /* RaFinding*: errors first, then warnings */
} RaStory;

/* Findings about the capture that belong to no story (malformed non-offer traffic, a capture
 * cut short, link types that cannot be read). */
typedef struct {
    RaTroubleId trouble;
    gchar *evidence;
    guint64 frame;
} RaGlobalFinding;

typedef struct {
    guint64 packets, bytes;
    guint64 tcp_packets, other_packets, undecodable_packets;
    guint64 connections, rpc_connections;
    guint64 pdus, calls, stories;
    guint64 decrypted_calls, sealed_calls;
    gint64 first_ns, last_ns;
} RaAnalyzeStats;

typedef struct {
    const RaObsSecret *secrets; /* borrowed; may be NULL */
    guint n_secrets;
    /* Each story once it is over; story is freed after the call. */
    void (*story)(const RaStory *story, gpointer user_data);
    gpointer user_data;
} RaAnalyzeConfig;

typedef struct RaAnalyzer RaAnalyzer;

RaAnalyzer *ra_analyzer_new(const RaAnalyzeConfig *config);
void ra_analyzer_free(RaAnalyzer *analyzer);
/* One packet of the capture (its bytes are only read during the call). */
void ra_analyzer_packet(RaAnalyzer *analyzer, const RaCapPacket *packet);
/* The capture could not be read past packet `frame` (error is its reason). */
void ra_analyzer_read_error(RaAnalyzer *analyzer, guint64 frame, const GError *error);
/* The capture is over: every connection and story ends and is reported. */
void ra_analyzer_finish(RaAnalyzer *analyzer);
const RaAnalyzeStats *ra_analyzer_stats(const RaAnalyzer *analyzer);
/* Findings outside stories, valid until the analyzer is freed. */
const GPtrArray *ra_analyzer_global_findings(const RaAnalyzer *analyzer);
/* Stories and connections open now (for progress reports and memory tests). */
guint ra_analyzer_open_stories(const RaAnalyzer *analyzer);
guint ra_analyzer_open_connections(const RaAnalyzer *analyzer);

G_END_DECLS

#endif
