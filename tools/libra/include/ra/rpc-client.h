/*
 * A connection-oriented DCE/RPC client over TCP ([C706] ch. 12, [MS-RPCE] 3.3.2), blocking, for
 * `ratool offer` and the tests: connect (IPv4/IPv6), bind and alter_context with NTLMv2 at any
 * level (a fresh handshake and a new auth_context_id for each bind, as impacket does), calls with
 * fragmentation both ways, verification of every signature the server sends, faults reported as
 * RA_ERROR_FAULT with the status.
 *
 * Not thread-safe; one client per thread.
 */
#ifndef RA_RPC_CLIENT_H
#define RA_RPC_CLIENT_H

#include "ra/pdu.h"
#include "ra/uuid.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct RaRpcClient RaRpcClient;

/* Credentials and protection for a bind. level RA_AUTH_LEVEL_NONE binds without auth. */
typedef struct {
    guint8 level;            /* RA_AUTH_LEVEL_NONE, _CONNECT, _PKT_INTEGRITY or _PKT_PRIVACY */
    const char *domain;      /* UTF-8; NULL for none */
    const char *user;        /* required unless level is NONE */
    const char *password;    /* or NULL and nt_hash */
    const guint8 *nt_hash;   /* 16 bytes */
    const char *workstation; /* NULL for none */
} RaRpcAuth;

/*
 * Connects to host:port. timeout_ms bounds the connection and every later read or write (0 =
 * 30 s). RA_ERROR_IO or RA_ERROR_TIMEOUT.
 */
RaRpcClient *ra_rpc_client_connect(const char *host, guint16 port, guint timeout_ms,
                                   GError **error);
/* A client on an already connected stream socket (taken over; tests and fuzzers use one end
 * of a socketpair). Reads and writes use the socket's blocking mode and timeout. */
RaRpcClient *ra_rpc_client_new_from_socket(GSocket *socket);
/* Closes the connection and frees. NULL is ignored. */
void ra_rpc_client_free(RaRpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaRpcClient, ra_rpc_client_free)

/* Fragment sizes offered in the first bind (default 5840 each, at least 1432). */
void ra_rpc_client_set_max_frag(RaRpcClient *client, guint16 max_xmit, guint16 max_recv);
/* Offer bind time feature negotiation ([MS-RPCE] 3.3.1.5.3) with these bits in the first bind. */
void ra_rpc_client_set_bind_features(RaRpcClient *client, guint64 features);
/* The features the server acknowledged (0 if none or not offered). */
guint64 ra_rpc_client_get_bind_features(RaRpcClient *client);
/* Join an association group in the first bind (0 = a new one; default). */
void ra_rpc_client_set_assoc_group(RaRpcClient *client, guint32 assoc_group_id);
guint32 ra_rpc_client_get_assoc_group(RaRpcClient *client);
/* The negotiated fragment sizes (after the first bind). */
guint16 ra_rpc_client_get_max_xmit(RaRpcClient *client);
guint16 ra_rpc_client_get_max_recv(RaRpcClient *client);

/*
 * Every PDU sent or received, as the bytes on the wire (sent = TRUE for ours). For captures and
 * tests. The bytes are valid during the call only.
 */
typedef void (*RaRpcTraceFunc)(gboolean sent, const guint8 *pdu, gsize len, gpointer user_data);
void ra_rpc_client_set_trace(RaRpcClient *client, RaRpcTraceFunc func, gpointer user_data);

/*
 * Binds (the first time) or alters the context (later) to iface with the NDR 2.0 transfer syntax;
 * with auth->level above NONE, runs a fresh NTLM handshake on a new auth_context_id (NEGOTIATE in
 * the bind, CHALLENGE in the answer, AUTHENTICATE in an auth3). *context_id receives the new
 * presentation context id. Errors: RA_ERROR_PROTOCOL when the server refuses (bind_nak - its
 * reason in the message - or a rejected context), RA_ERROR_FAULT (a fault answering an
 * alter_context; ra_rpc_client_last_fault() has the status), RA_ERROR_IO, RA_ERROR_TIMEOUT,
 * RA_ERROR_MALFORMED (an undecodable answer), RA_ERROR_AUTH (NTLM client failure).
 * A wrong password is not detected here: the server says so at the first call (fault 5).
 */
gboolean ra_rpc_client_bind(RaRpcClient *client, const RaSyntaxId *iface, const RaRpcAuth *auth,
                            guint16 *context_id, GError **error);

/*
 * Calls opnum on a bound context with the request stub; object (NULL for none) is sent with
 * PFC_OBJECT_UUID. Fragments the request to the negotiated size, protects each fragment at the
 * context's level, reads, verifies/unseals and reassembles the response. Returns the response
 * stub (caller unrefs). Errors: RA_ERROR_FAULT (the status in ra_rpc_client_last_fault() and the
 * message), RA_ERROR_AUTH (a response signature that does not verify), RA_ERROR_PROTOCOL,
 * RA_ERROR_MALFORMED, RA_ERROR_IO, RA_ERROR_TIMEOUT, RA_ERROR_NOT_FOUND (unknown context_id).
 */
GBytes *ra_rpc_client_call(RaRpcClient *client, guint16 context_id, guint16 opnum,
                           const RaUuid *object, const guint8 *stub, gsize stub_len,
                           GError **error);

/* The status of the last fault received (0 if none yet). */
guint32 ra_rpc_client_last_fault(RaRpcClient *client);

/* The socket's local and remote addresses as text ("127.0.0.1"). Owned by client. */
const char *ra_rpc_client_local_address(RaRpcClient *client);

/* ---- raw access, for fault injection ---- */

/* Sends bytes as they are (traced as sent). */
gboolean ra_rpc_client_send_raw(RaRpcClient *client, const guint8 *data, gsize len, GError **error);
/* Reads one PDU (traced as received). */
GBytes *ra_rpc_client_read_pdu(RaRpcClient *client, GError **error);
/* The next call_id the client will use. */
guint32 ra_rpc_client_next_call_id(RaRpcClient *client);

G_END_DECLS

#endif
