/*
 * The connection-oriented DCE/RPC server ([C706] ch. 12, [MS-RPCE] 3.3.3): associations,
 * presentation contexts, NTLM security contexts, fragmentation, dispatch and faults.
 *
 * == Model ==
 * An RaRpcServer holds the registered interfaces, the accounts NTLM checks against, the policy
 * (minimum authentication level) and the association groups. Each connection is an RaRpcAssoc:
 * a state machine fed whole PDUs (ra_rpc_assoc_input) that answers with whole PDUs. It does no
 * I/O itself, so tests and fuzzers drive it with bytes; ra_rpc_server_listen() wires it to the
 * TCP transport (ra/transport.h) on a GMainContext, single-threaded.
 *
 * == Dispatch (what issue-5 DCOM code builds on) ==
 * An interface is registered by its syntax id (UUID and version) with a dispatch function. A
 * request on a presentation context bound to it becomes an RaRpcCall carrying the opnum, the
 * object UUID (PFC_OBJECT_UUID: the IPID for ORPC interfaces), the reassembled and verified
 * (unsealed) stub, and who is calling: the NTLM identity, the auth level, the peer and local
 * addresses. The dispatch function either sets call->response (status 0) or returns a fault
 * status (an nca_s_* code, a Win32 error or an HRESULT, sent as a fault PDU). The runtime has
 * already refused (without calling dispatch) unknown opnums (nca_s_op_rng_error), unknown
 * contexts (nca_s_unk_if), and calls below the required authentication level (access denied).
 *
 * == Authentication policy ==
 * The server's min_auth_level (default PKT_PRIVACY) is what every operation requires, except
 * the operations an interface declares anonymous (the endpoint mapper, ServerAlive/ServerAlive2
 * as on Windows): those run at any level, including unauthenticated. A client may bind at any
 * level; the check is per call, so an under-protected call gets nca_s_fault_access_denied and
 * the association stays usable. Broken security (a bad signature, a replayed or reordered
 * sequence number, a PDU whose auth level differs from its context's, a failed NTLM handshake)
 * gets a fault and the association is closed.
 *
 * Thread-safety: none; one server runs on one main context.
 */
#ifndef RA_RPC_SERVER_H
#define RA_RPC_SERVER_H

#include "ra/accounts.h"
#include "ra/arena.h"
#include "ra/ndr.h"
#include "ra/pdu.h"
#include "ra/transport.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

/* "none", "connect", "call", "packet", "integrity", "privacy" for the RA_AUTH_LEVEL_* values of
 * ra/pdu.h; "unknown level" otherwise (static strings). */
const char *ra_rpc_auth_level_name(guint level);

/* Fault statuses are the RA_NCA_* values of ra/pdu.h, plus these that Windows uses. */
#define RA_NCA_S_FAULT_SEC_PKG_ERROR 0x00000721u /* a signature or sequence check failed */

/* A short name for a fault status ("nca_s_op_rng_error"), or NULL if unknown. */
const char *ra_rpc_fault_name(guint32 status);

typedef struct RaRpcServer RaRpcServer;
typedef struct RaRpcAssoc RaRpcAssoc;
typedef struct RaRpcCall RaRpcCall;
typedef struct RaRpcInterface RaRpcInterface;

/*
 * Handles one call. Returns 0 after setting call->response (a stub, possibly empty; NULL counts
 * as empty), or a fault status. Runs on the server's main context; must not block.
 */
typedef guint32 (*RaRpcDispatchFunc)(RaRpcCall *call, gpointer user_data);

struct RaRpcInterface {
    RaSyntaxId id;    /* UUID and version; a bind matches on UUID and major version, and the
                         requested minor version must not exceed the registered one */
    const char *name; /* for logs: "IObjectExporter" */
    guint16 n_opnums; /* opnums 0..n_opnums-1 exist */
    RaRpcDispatchFunc dispatch;
    gpointer user_data;
    /* Opnums below 64 whose bit is set here run at any auth level, unauthenticated included. */
    guint64 anonymous_opnums;
};

/* Every opnum of an interface with n opnums (n <= 64) anonymous. */
#define RA_RPC_ALL_OPNUMS(n) ((n) >= 64 ? G_MAXUINT64 : ((G_GUINT64_CONSTANT(1) << (n)) - 1))

/* The authenticated client of a call (all NULL / NONE when unauthenticated). */
typedef struct {
    const char *domain;      /* as the client sent it */
    const char *user;        /* as the client sent it */
    const char *workstation; /* as the client sent it */
    gboolean helper;         /* in the helpers group (ra_accounts_is_helper) */
    guint8 auth_type;        /* 10 = NTLM (RPC_C_AUTHN_WINNT); 0 = none */
    guint8 auth_level;       /* RA_AUTH_LEVEL_*; RA_AUTH_LEVEL_NONE when unauthenticated */
} RaRpcIdentity;

struct RaRpcCall {
    RaRpcServer *server;
    RaRpcAssoc *assoc;
    const RaRpcInterface *iface;
    guint16 opnum;
    guint16 context_id;
    guint32 call_id;
    gboolean has_object; /* PFC_OBJECT_UUID was set */
    RaUuid object;       /* the object UUID (for ORPC: the IPID), nil without PFC_OBJECT_UUID */
    const guint8 *stub;  /* request stub (reassembled, unsealed), 8-byte aligned */
    gsize stub_len;
    guint8 drep[4];
    RaArena *arena; /* freed after the call: for pulled data */
    RaRpcIdentity identity;
    const char *peer_address; /* "127.0.0.1" / "::1" */
    guint16 peer_port;
    const char *local_address; /* the address the client connected to */
    guint16 local_port;
    guint32 assoc_group_id;
    GBytes *response; /* set by dispatch (ownership passes to the runtime) */
    /* Optional, set by dispatch with a fault: why (e.g. the NDR error), for the log. Allocate
     * it from the arena (ra_rpc_call_fault does). */
    const char *fault_detail;
};

/* Sets call->fault_detail from a GError (copied into the call's arena) and returns `status`. */
guint32 ra_rpc_call_fault(RaRpcCall *call, guint32 status, const GError *error);

/* Ends the pull of a request's stub (ra_ndr_pull_finish): 0 if it decoded to its end, else
 * RA_NCA_S_FAULT_NDR with the NDR error in call->fault_detail. The pull stays the caller's. */
guint32 ra_rpc_call_pull_finish(RaRpcCall *call, RaNdrPull *in);

/* Ends the push of a response (ra_ndr_push_finish) into call->response: 0, or
 * RA_NCA_S_FAULT_REMOTE_NO_MEMORY if the push failed (over its size limit). The push stays the
 * caller's. */
guint32 ra_rpc_call_respond(RaRpcCall *call, RaNdrPush *out);

/* Log messages the runtime produces (associations, identities, refusals; never secrets). */
typedef enum {
    RA_RPC_LOG_DEBUG,
    RA_RPC_LOG_INFO,    /* association opened/closed, authenticated identity */
    RA_RPC_LOG_REFUSAL, /* a refused bind, call or authentication */
    RA_RPC_LOG_ERROR,   /* a protocol error by the peer */
} RaRpcLogLevel;

typedef void (*RaRpcLogFunc)(RaRpcLogLevel level, const char *peer, const char *message,
                             gpointer user_data);

typedef struct {
    RaAccounts *accounts;        /* borrowed; NULL = no account can authenticate */
    guint8 min_auth_level;       /* CONNECT, PKT_INTEGRITY or PKT_PRIVACY; default PRIVACY */
    const char *computer_name;   /* NetBIOS name in the NTLM CHALLENGE; default: the host name */
    const char *domain_name;     /* NetBIOS domain in the CHALLENGE; default: computer_name */
    guint16 max_recv_frag;       /* default 5840 (as Windows); at least 1432 */
    guint16 max_xmit_frag;       /* default 5840; at least 1432 */
    gsize max_request_size;      /* reassembled request stub limit; default 4 MiB */
    guint max_fragments;         /* fragments per request; default 4096 */
    guint max_contexts;          /* presentation contexts per association; default 64 */
    guint max_security_contexts; /* NTLM contexts per association; default 16 */
    RaRpcLogFunc log;
    gpointer log_user_data;
    /* Tests and fuzzers only: the NTLM CHALLENGE's timestamp (FILETIME; 0 = now). With it and
     * ra_random_set_seed(), a recorded session replays byte for byte. */
    guint64 ntlm_fixed_time;
} RaRpcServerConfig;

void ra_rpc_server_config_init(RaRpcServerConfig *config);

/* Creates a server (config copied; strings duplicated). */
RaRpcServer *ra_rpc_server_new(const RaRpcServerConfig *config);
/* Stops listening, closes every association, frees. NULL is ignored. */
void ra_rpc_server_free(RaRpcServer *server);

/* Registers an interface (copied). A second registration of the same syntax id replaces the
 * first. */
void ra_rpc_server_register(RaRpcServer *server, const RaRpcInterface *iface);
/* The registered interfaces (RaRpcInterface*, owned by the server), for the endpoint mapper. */
GPtrArray *ra_rpc_server_get_interfaces(RaRpcServer *server);

/*
 * Listens on address:port (0 = any free port) with the given transport limits (NULL =
 * defaults), on `context` (NULL = the thread-default context). Errors as ra_tcp_transport_listen().
 * May be called several times (IPv4 and IPv6), all on one context.
 */
gboolean ra_rpc_server_listen(RaRpcServer *server, GMainContext *context, const RaTcpLimits *limits,
                              const char *address, guint16 port, GError **error);
guint16 ra_rpc_server_get_port(RaRpcServer *server);

/* Statistics, for logs, tests and the benchmark. */
typedef struct {
    guint64 associations; /* opened so far */
    guint open_associations;
    guint64 calls;         /* dispatched */
    guint64 faults;        /* fault PDUs sent */
    guint64 refusals;      /* bind_naks, refused calls and authentications */
    guint64 auth_failures; /* failed NTLM authentications */
    guint64 protocol_errors;
} RaRpcServerStats;
void ra_rpc_server_get_stats(RaRpcServer *server, RaRpcServerStats *stats);

/* ---- associations without a transport (tests, fuzzers) ---- */

typedef struct {
    const char *peer_address;
    guint16 peer_port;
    const char *local_address;
    guint16 local_port;
} RaRpcPeer;

RaRpcAssoc *ra_rpc_assoc_new(RaRpcServer *server, const RaRpcPeer *peer);
/*
 * Processes one whole PDU (as framed by the transport). Appends the PDUs to send, in order, to
 * `out` (GBytes*; the caller owns them). Returns FALSE when the association must be closed after
 * those are sent.
 */
gboolean ra_rpc_assoc_input(RaRpcAssoc *assoc, const guint8 *pdu, gsize len, GPtrArray *out);
void ra_rpc_assoc_free(RaRpcAssoc *assoc);
/* "127.0.0.1:50123" */
const char *ra_rpc_assoc_peer_name(RaRpcAssoc *assoc);

G_END_DECLS

#endif
