/*
 * TCP transport for connection-oriented DCE/RPC (ncacn_ip_tcp, [C706] ch. 12, [MS-RPCE] 2.1.1.1),
 * on GLib sockets and a GMainContext.
 *
 * Server side: RaTcpTransport listens on one or more addresses (IPv4 and/or IPv6) and runs every
 * connection on the main context it was created with, single-threaded and non-blocking. It cuts
 * the byte stream into PDUs by the frag_length of their common header and hands each complete
 * PDU to the handler; it never interprets a PDU beyond those 16 bytes. It protects itself:
 *  - at most `max_connections` connections (more are accepted and closed at once);
 *  - a PDU is at most `max_pdu_size` bytes and at least 16; a stream whose header is not
 *    DCE/RPC version 5 is closed;
 *  - a connection that sends no complete PDU for `idle_timeout_ms` is closed;
 *  - a PDU that has started must complete within `pdu_timeout_ms` (slow-client protection);
 *  - a peer that does not read: more than `max_output_bytes` queued for it closes it.
 *
 * Client side: blocking helpers (connect with a timeout, send all, read one PDU) for the RPC
 * client and tests, using the same framing rules.
 *
 * Names: this module's types and functions use the prefix RaTcp/ra_tcp_ (RaTcpTransport,
 * RaTcpConn, ...): ra/connstr.h's RaTransport is a connection string's <T> element.
 */
#ifndef RA_TRANSPORT_H
#define RA_TRANSPORT_H

#include <gio/gio.h>

G_BEGIN_DECLS

/* The size of the common header of every CO PDU ([C706] 12.6.3.1). */
#define RA_PDU_COMMON_HEADER 16

typedef struct {
    guint max_connections;  /* default 256 */
    guint max_pdu_size;     /* default 65535 (the largest frag_length); at least 1024 */
    guint idle_timeout_ms;  /* default 120000 */
    guint pdu_timeout_ms;   /* default 10000 */
    gsize max_output_bytes; /* default 4 MiB */
} RaTcpLimits;

/* Fills `limits` with the defaults above. */
void ra_tcp_limits_init(RaTcpLimits *limits);

/*
 * Frames one PDU: given the first `len` bytes of a stream (len >= RA_PDU_COMMON_HEADER), returns
 * the PDU's frag_length (read in the byte order its drep names), or 0 with RA_ERROR_MALFORMED
 * when the header is not a DCE/RPC 5.x connection-oriented header or frag_length < 16, or
 * RA_ERROR_TOO_LARGE when frag_length > max_pdu_size.
 */
guint ra_tcp_frame_length(const guint8 *header, gsize len, guint max_pdu_size, GError **error);

typedef struct RaTcpTransport RaTcpTransport;
typedef struct RaTcpConn RaTcpConn;

/*
 * Callbacks, all run on the transport's main context.
 * - accepted: a new connection; returns the connection's state (conn_data), or NULL to refuse
 *   it (it is then closed, and `closed` is not called).
 * - pdu: one complete PDU of `len` bytes (valid during the call only). Output is queued with
 *   ra_tcp_conn_send(). Returning FALSE closes the connection once the queued output is
 *   written (or after a short grace time).
 * - refused (optional): a connection was turned away before `accepted` (connection limit).
 * - closed: the connection is gone (peer closed, error, timeout, limit, shutdown, or the
 *   handler asked); `reason` is a short human-readable text. The handler frees conn_data here.
 */
typedef struct {
    gpointer (*accepted)(RaTcpConn *conn, gpointer user_data);
    gboolean (*pdu)(RaTcpConn *conn, gpointer conn_data, const guint8 *pdu, gsize len,
                    gpointer user_data);
    void (*closed)(RaTcpConn *conn, gpointer conn_data, const char *reason, gpointer user_data);
    /* Optional: a connection refused before `accepted` (the connection limit). */
    void (*refused)(const char *peer_name, const char *reason, gpointer user_data);
} RaTcpHandler;

/*
 * Creates a transport running on `context` (NULL = the global default context). `limits` may be
 * NULL for the defaults. `handler` is copied. Nothing listens until ra_tcp_transport_listen().
 */
RaTcpTransport *ra_tcp_transport_new(GMainContext *context, const RaTcpLimits *limits,
                                     const RaTcpHandler *handler, gpointer user_data);

/*
 * Listens on `address` (an IPv4 or IPv6 literal, or "localhost") and `port` (0 = the system
 * picks a free port; see ra_tcp_transport_get_port()). May be called more than once.
 * Errors: RA_ERROR_IO with a message naming the address and port and, for EACCES on a port
 * below 1024, saying that it needs root (or CAP_NET_BIND_SERVICE); RA_ERROR_ACCESS_DENIED for
 * that case specifically, so that callers can add advice.
 */
gboolean ra_tcp_transport_listen(RaTcpTransport *transport, const char *address, guint16 port,
                                 GError **error);

/* The port of the first listening socket, 0 if none. */
guint16 ra_tcp_transport_get_port(RaTcpTransport *transport);

/* The number of open connections. */
guint ra_tcp_transport_get_n_connections(RaTcpTransport *transport);

/*
 * Closes the listeners and every connection (calling `closed` for each, with reason
 * "shutdown"), then frees the transport. NULL is ignored.
 */
void ra_tcp_transport_free(RaTcpTransport *transport);

/* Queues bytes for the peer (copied). Ignored once the connection is closing. */
void ra_tcp_conn_send(RaTcpConn *conn, const guint8 *data, gsize len);

/* Asks for the connection to be closed once the queued output is written. */
void ra_tcp_conn_close(RaTcpConn *conn);

/* The peer's and the local address as text ("127.0.0.1", "::1"), and the ports. Owned by conn. */
const char *ra_tcp_conn_peer_address(RaTcpConn *conn);
guint16 ra_tcp_conn_peer_port(RaTcpConn *conn);
const char *ra_tcp_conn_local_address(RaTcpConn *conn);
guint16 ra_tcp_conn_local_port(RaTcpConn *conn);
/* "127.0.0.1:50123" or "[::1]:50123", for logs. Owned by conn. */
const char *ra_tcp_conn_peer_name(RaTcpConn *conn);

/* ---- client side (blocking) ---- */

/*
 * Connects to host:port (an address literal or a name) within timeout_ms (0 = 30 s); the socket
 * is blocking with that timeout for later reads and writes. RA_ERROR_IO or RA_ERROR_TIMEOUT.
 */
GSocket *ra_tcp_connect(const char *host, guint16 port, guint timeout_ms, GError **error);

/* Writes all of data. RA_ERROR_IO or RA_ERROR_TIMEOUT. */
gboolean ra_tcp_send_all(GSocket *socket, const guint8 *data, gsize len, GError **error);

/*
 * Reads exactly one PDU (framed as above). Returns it (caller frees), or NULL with RA_ERROR_IO
 * (including the peer closing: "connection closed by peer"), RA_ERROR_TIMEOUT,
 * RA_ERROR_MALFORMED or RA_ERROR_TOO_LARGE.
 */
GBytes *ra_tcp_read_pdu(GSocket *socket, guint max_pdu_size, GError **error);

G_END_DECLS

#endif
