/*
 * A rig: a complete MS-RAI novice and any number of expert connections in one process, with
 * every byte each side sends recorded, for reference captures (`ratool capture`) and tests.
 *
 * == The novice ==
 * The same library code `ratool serve` runs - the RPC server (ra/rpc-server.h) with its accounts
 * and minimum authentication level, the endpoint mapper, the OXID resolver, the DCOM exporter
 * (ra/dcom-server.h) and the MS-RAI classes (ra/rai-server.h) - on a thread and main context of
 * its own. Each connection is an RPC association (ra_rpc_assoc_new) fed by the rig from one end
 * of a socket pair: the association is told the addresses a capture shows (the novice at
 * novice_address, port activation_port or exporter_port; the expert at expert_address, port
 * first_expert_port + n), so the string bindings and connection strings the novice hands out
 * name those addresses, not the socket pair.
 *
 * == The expert ==
 * Any code built on ra/dcom-client.h (ra/rai-client.h's expert, or direct DCOM calls) with
 * ra_rig_dcom_config(): its `connect` function opens a socket pair to the novice instead of TCP.
 * Connections to another address or port are refused (RA_ERROR_IO), as a closed port would be.
 *
 * == Recording ==
 * The rig records a list of events: a connection opened (by the expert), one PDU sent (by either
 * side, as written), a side closing its connection, a pause. The novice's thread records what it
 * reads and writes; the expert's thread records opens and, at its next step (ra_rig_sync(), which
 * the connect function and the trace function call), the connections it has closed, newest first,
 * each followed by the novice's own close. Since the expert waits for every answer, the events are
 * in one order that does not depend on thread timing: with ra_random_set_seed() and a fixed
 * ntlm_time, a run repeats byte for byte.
 *
 * Each event that starts a protocol step carries a comment saying what happens, written from
 * what the novice sees in clear (the decoded call, the identity of the caller, the offer made or
 * refused, the reason the runtime logged for a fault) and from the PDU headers: "expert activates
 * RASrv (IRASrv) in session 2", "novice refuses the activation: E_ACCESSDENIED (CONTOSO\mallory
 * is not in the Offer Remote Assistance Helpers group)". Notes from the caller
 * (ra_rig_note()) go in front of the next comment. Comments never hold passwords or keys.
 *
 * Threads: create, drive (through the expert code) and free a rig from one thread.
 */
#ifndef RA_RIG_H
#define RA_RIG_H

#include "ra/accounts.h"
#include "ra/capture.h"
#include "ra/dcom-client.h"
#include "ra/rai-server.h"
#include "ra/sessions.h"

G_BEGIN_DECLS

typedef struct {
    /* the novice */
    const char *novice_address;     /* IPv4 or IPv6 literal (default 192.0.2.10) */
    guint16 activation_port;        /* default 135 */
    guint16 exporter_port;          /* object exporter (default 49668; 0 = activation_port) */
    const char *computer_name;      /* NetBIOS name in NTLM (default NOVICE) */
    RaAccounts *accounts;           /* borrowed; required */
    guint8 min_auth_level;          /* default RA_AUTH_LEVEL_PKT_PRIVACY */
    RaRaiFlavor flavor;             /* default both */
    const RaSessionTable *sessions; /* borrowed; required */
    gboolean offers_disabled;
    guint16 listener_port; /* put in connection strings (default 49685) */
    guint64 ntlm_time;     /* FILETIME in NTLM CHALLENGEs; 0 = now (not repeatable) */
    /* the expert */
    const char *expert_address; /* same family as the novice's (default 192.0.2.20) */
    guint16 first_expert_port;  /* the expert's ports count up from here (default 49750) */
} RaRigConfig;

void ra_rig_config_init(RaRigConfig *config);

typedef struct RaRig RaRig;

/*
 * Starts the novice. RA_ERROR_MALFORMED for an address that is not a literal, or families that
 * differ; RA_ERROR_IO if no socket pair can be made.
 */
RaRig *ra_rig_new(const RaRigConfig *config, GError **error);

/*
 * Records the close of every connection still open (the expert's, then the novice's), stops the
 * novice and frees everything. NULL is ignored. Use ra_rig_finish() first to keep the events.
 */
void ra_rig_free(RaRig *rig);

/*
 * Fills the host, port, connect function and timeout of a DCOM client configuration so that it
 * reaches the rig's novice (auth and the other fields are left as they are).
 */
void ra_rig_dcom_config(RaRig *rig, RaDcomClientConfig *config);

/* A RaDcomTraceFunc (data = the rig) that calls ra_rig_sync() before each PDU the expert sends:
 * set it on expert code that may close a connection and go on using another. */
void ra_rig_trace(guint connection, gboolean sent, const guint8 *pdu, gsize len, gpointer rig);

/* Records the connections the expert has closed since the last call (see above). */
void ra_rig_sync(RaRig *rig);

/* Puts a note in front of the comment of the next event the expert causes (printf format). */
void ra_rig_note(RaRig *rig, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Records a pause of ms milliseconds (a user thinking, an admin changing a setting). */
void ra_rig_pause(RaRig *rig, guint ms);

/* Closes every connection still open (recorded), then stops the novice. Events stay readable. */
void ra_rig_finish(RaRig *rig);

typedef enum {
    RA_RIG_OPEN,  /* the expert opened connection `conn` */
    RA_RIG_DATA,  /* one PDU on `conn` */
    RA_RIG_CLOSE, /* one side closed `conn` */
    RA_RIG_PAUSE, /* nothing for `pause_ms` */
} RaRigEventType;

typedef struct {
    RaRigEventType type;
    guint conn;
    gboolean from_expert; /* DATA, CLOSE: which side */
    GBytes *data;         /* DATA: the PDU as written */
    guint pause_ms;       /* PAUSE */
    gchar *comment;       /* what this event starts, or NULL */
} RaRigEvent;

typedef struct {
    gchar *expert_address;
    guint16 expert_port;
    gchar *novice_address;
    guint16 novice_port;
} RaRigConnection;

/* The events so far (RaRigEvent*) and the connections (RaRigConnection*), owned by the rig.
 * Read them after ra_rig_finish() (or between steps of the expert, from its thread). */
const GPtrArray *ra_rig_events(RaRig *rig);
const GPtrArray *ra_rig_connections(RaRig *rig);

/*
 * Plays the events into a capture: each connection opened with ra_capture_connect(), each PDU
 * sent, each close and pause, with the comments. Connections are numbered on from the capture's
 * own, so several rigs (one novice configuration after another) can play into one capture.
 * Errors: those of the capture (its sink).
 */
gboolean ra_rig_play(RaRig *rig, RaCapture *capture, GError **error);

/* What the novice did (from its servers' statistics), for tests and logs; after
 * ra_rig_finish(). */
typedef struct {
    guint64 associations;
    guint64 calls;
    guint64 faults;
    guint64 activations;
    guint64 offers;  /* connection strings handed out */
    guint64 refused; /* offers refused */
} RaRigStats;
void ra_rig_get_stats(RaRig *rig, RaRigStats *stats);

G_END_DECLS

#endif
