/*
 * TCP transport for connection-oriented DCE/RPC on GLib sockets (see ra/transport.h).
 *
 * Every connection has a read source that stays installed while the connection reads, and a
 * write source only while output is queued. Destruction is deferred while a connection's own
 * callback runs (conn->busy), so a handler may close or overflow a connection safely. One
 * periodic sweep enforces the idle, PDU and closing deadlines for all connections.
 */
#include "ra/transport.h"
#include "ra/error.h"

#include <errno.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#define READ_CHUNK             65536
#define CLOSE_GRACE_US         (2 * G_USEC_PER_SEC)
#define MAX_ACCEPTS_PER_WAKEUP 64
#define ACCEPT_PAUSE_MS        100

struct RaTcpTransport {
    GMainContext *context;
    RaTcpLimits limits;
    RaTcpHandler handler;
    gpointer user_data;
    GPtrArray *listeners; /* Listener* */
    GQueue conns;         /* RaTcpConn* */
    GSource *sweep;
};

typedef struct {
    RaTcpTransport *transport;
    GSocket *socket;
    GSource *source;
    guint16 port;
} Listener;

struct RaTcpConn {
    RaTcpTransport *transport;
    GList *link; /* in transport->conns */
    GSocket *socket;
    GSource *in_source;
    GSource *out_source;
    GByteArray *in; /* received bytes; in_off of them already consumed */
    gsize in_off;
    GByteArray *out; /* queued output; out_off of them already written */
    gsize out_off;
    gint64 last_pdu_us;  /* when the last complete PDU arrived (or the connection opened) */
    gint64 pdu_start_us; /* when the first byte of the pending PDU arrived; 0 if none */
    gint64 close_deadline_us;
    gboolean closing; /* no more reading; close when output is flushed */
    gboolean dead;    /* destroy as soon as no callback runs */
    const char *dead_reason;
    guint busy;
    gpointer data;
    gboolean accepted; /* the handler's `accepted` returned non-NULL */
    gchar *peer_address, *local_address, *peer_name;
    guint16 peer_port, local_port;
};

void ra_tcp_limits_init(RaTcpLimits *limits)
{
    limits->max_connections = 256;
    limits->max_pdu_size = 65535;
    limits->idle_timeout_ms = 120000;
    limits->pdu_timeout_ms = 10000;
    limits->max_output_bytes = 4 * 1024 * 1024;
}

guint ra_tcp_frame_length(const guint8 *header, gsize len, guint max_pdu_size, GError **error)
{
    if (len < RA_PDU_COMMON_HEADER) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "PDU header truncated (%zu bytes)", len);
        return 0;
    }
    /* C706 12.6.3.1: rpc_vers 5, rpc_vers_minor 0 or 1; MS-RPCE 2.2.2.1. */
    if (header[0] != 5 || header[1] > 1) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not a connection-oriented DCE/RPC PDU (version %u.%u)", header[0], header[1]);
        return 0;
    }
    /* C706 14.1: drep[0] bit 4 set = little-endian integers. */
    guint frag = (header[4] & 0x10) ? (guint)(header[8] | header[9] << 8)
                                    : (guint)(header[8] << 8 | header[9]);
    if (frag < RA_PDU_COMMON_HEADER) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "frag_length %u is below 16", frag);
        return 0;
    }
    if (frag > max_pdu_size) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "frag_length %u is over the limit of %u bytes", frag, max_pdu_size);
        return 0;
    }
    return frag;
}

/* ---- addresses ---- */

/* The text form of an address; an IPv4-mapped IPv6 address is shown as the IPv4 address. */
static gchar *address_text(GInetAddress *addr)
{
    if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6) {
        const guint8 *b = g_inet_address_to_bytes(addr);
        static const guint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(b, mapped, 12) == 0)
            return g_strdup_printf("%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    }
    return g_inet_address_to_string(addr);
}

static gboolean socket_address_text(GSocketAddress *sa, gchar **text, guint16 *port)
{
    if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS(sa))
        return FALSE;
    GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS(sa);
    *text = address_text(g_inet_socket_address_get_address(isa));
    *port = g_inet_socket_address_get_port(isa);
    return TRUE;
}

static void set_nodelay(GSocket *socket)
{
    /* RPC is request/response: Nagle's algorithm only adds latency. Failure is harmless. */
    g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

/* ---- connections ---- */

static gboolean on_conn_readable(GSocket *socket, GIOCondition cond, gpointer data);
static gboolean on_conn_writable(GSocket *socket, GIOCondition cond, gpointer data);

static void drop_source(GSource **source)
{
    if (*source != NULL) {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static void conn_destroy(RaTcpConn *conn, const char *reason)
{
    RaTcpTransport *t = conn->transport;
    conn->dead = TRUE; /* sends from the `closed` callback are ignored */
    drop_source(&conn->in_source);
    drop_source(&conn->out_source);
    if (conn->link != NULL)
        g_queue_delete_link(&t->conns, conn->link);
    if (conn->accepted && t->handler.closed != NULL)
        t->handler.closed(conn, conn->data, reason, t->user_data);
    g_socket_close(conn->socket, NULL);
    g_object_unref(conn->socket);
    g_byte_array_unref(conn->in);
    g_byte_array_unref(conn->out);
    g_free(conn->peer_address);
    g_free(conn->local_address);
    g_free(conn->peer_name);
    g_free(conn);
}

/* Marks the connection for destruction; destroys it now unless one of its callbacks runs. */
static void conn_kill(RaTcpConn *conn, const char *reason)
{
    if (!conn->dead) {
        conn->dead = TRUE;
        conn->dead_reason = reason;
    }
    if (conn->busy == 0)
        conn_destroy(conn, conn->dead_reason);
}

static gsize conn_pending_output(const RaTcpConn *conn)
{
    return conn->out->len - conn->out_off;
}

/* Writes as much queued output as the socket takes. FALSE on a write error (conn killed). */
static gboolean conn_flush(RaTcpConn *conn)
{
    while (conn_pending_output(conn) > 0) {
        GError *error = NULL;
        gssize n = g_socket_send(conn->socket, (const gchar *)conn->out->data + conn->out_off,
                                 conn_pending_output(conn), NULL, &error);
        if (n < 0) {
            gboolean would_block = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            g_error_free(error);
            if (would_block)
                break;
            conn_kill(conn, "write error");
            return FALSE;
        }
        conn->out_off += (gsize)n;
    }
    if (conn_pending_output(conn) == 0) {
        g_byte_array_set_size(conn->out, 0);
        conn->out_off = 0;
        drop_source(&conn->out_source);
    } else if (conn->out_source == NULL) {
        conn->out_source = g_socket_create_source(conn->socket, G_IO_OUT, NULL);
        g_source_set_callback(conn->out_source, G_SOURCE_FUNC(on_conn_writable), conn, NULL);
        g_source_attach(conn->out_source, conn->transport->context);
    }
    return TRUE;
}

void ra_tcp_conn_send(RaTcpConn *conn, const guint8 *data, gsize len)
{
    if (conn->dead)
        return;
    if (conn_pending_output(conn) + len > conn->transport->limits.max_output_bytes) {
        conn_kill(conn, "peer does not read its responses (output limit)");
        return;
    }
    if (conn->out_off > 0 && conn->out_off == conn->out->len) {
        g_byte_array_set_size(conn->out, 0);
        conn->out_off = 0;
    }
    g_byte_array_append(conn->out, data, (guint)len);
    conn_flush(conn);
}

void ra_tcp_conn_close(RaTcpConn *conn)
{
    if (conn->closing || conn->dead)
        return;
    conn->closing = TRUE;
    conn->close_deadline_us = g_get_monotonic_time() + CLOSE_GRACE_US;
    drop_source(&conn->in_source);
    if (conn_pending_output(conn) == 0)
        conn_kill(conn, "closed by the server");
}

static gboolean on_conn_writable(GSocket *socket, GIOCondition cond, gpointer data)
{
    RaTcpConn *conn = data;
    conn->busy++;
    gboolean ok = conn_flush(conn);
    conn->busy--;
    if (conn->dead) {
        conn_destroy(conn, conn->dead_reason);
        return G_SOURCE_REMOVE;
    }
    if (ok && conn->closing && conn_pending_output(conn) == 0) {
        conn_destroy(conn, "closed by the server");
        return G_SOURCE_REMOVE;
    }
    /* conn_flush dropped the source if everything went out. */
    return conn->out_source != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Hands every complete PDU in the input buffer to the handler. */
static void conn_deliver(RaTcpConn *conn)
{
    RaTcpTransport *t = conn->transport;
    while (!conn->closing && !conn->dead) {
        gsize avail = conn->in->len - conn->in_off;
        if (avail < RA_PDU_COMMON_HEADER)
            break;
        GError *error = NULL;
        const guint8 *p = conn->in->data + conn->in_off;
        guint frag = ra_tcp_frame_length(p, avail, t->limits.max_pdu_size, &error);
        if (frag == 0) {
            conn->dead_reason = error->code == RA_ERROR_TOO_LARGE ? "PDU over the size limit"
                                                                  : "not a DCE/RPC stream";
            g_error_free(error);
            conn->dead = TRUE;
            break;
        }
        if (avail < frag)
            break;
        conn->in_off += frag;
        conn->last_pdu_us = g_get_monotonic_time();
        conn->pdu_start_us = 0;
        if (!t->handler.pdu(conn, conn->data, p, frag, t->user_data))
            ra_tcp_conn_close(conn);
    }
    /* Compact: keep only the unconsumed tail. */
    if (conn->in_off > 0) {
        g_byte_array_remove_range(conn->in, 0, (guint)conn->in_off);
        conn->in_off = 0;
    }
    if (conn->in->len > 0 && conn->pdu_start_us == 0)
        conn->pdu_start_us = g_get_monotonic_time();
}

static gboolean on_conn_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
    RaTcpConn *conn = data;
    gsize old = conn->in->len;
    g_byte_array_set_size(conn->in, (guint)(old + READ_CHUNK));
    GError *error = NULL;
    gssize n = g_socket_receive(socket, (gchar *)conn->in->data + old, READ_CHUNK, NULL, &error);
    g_byte_array_set_size(conn->in, (guint)(old + (n > 0 ? (gsize)n : 0)));
    if (n < 0) {
        gboolean would_block = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
        g_error_free(error);
        if (would_block)
            return G_SOURCE_CONTINUE;
        conn_kill(conn, "read error");
        return G_SOURCE_REMOVE;
    }
    if (n == 0) {
        conn_kill(conn, old > 0 ? "peer closed in the middle of a PDU" : "peer closed");
        return G_SOURCE_REMOVE;
    }
    conn->busy++;
    conn_deliver(conn);
    conn->busy--;
    if (conn->dead) {
        conn_destroy(conn, conn->dead_reason);
        return G_SOURCE_REMOVE;
    }
    /* ra_tcp_conn_close() dropped the read source (and may have killed conn). */
    return conn->closing ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void conn_new(RaTcpTransport *t, GSocket *socket)
{
    RaTcpConn *conn = g_new0(RaTcpConn, 1);
    conn->transport = t;
    conn->socket = socket;
    conn->in = g_byte_array_new();
    conn->out = g_byte_array_new();
    conn->last_pdu_us = g_get_monotonic_time();
    GSocketAddress *sa = g_socket_get_remote_address(socket, NULL);
    if (!socket_address_text(sa, &conn->peer_address, &conn->peer_port))
        conn->peer_address = g_strdup("?");
    g_clear_object(&sa);
    sa = g_socket_get_local_address(socket, NULL);
    if (!socket_address_text(sa, &conn->local_address, &conn->local_port))
        conn->local_address = g_strdup("?");
    g_clear_object(&sa);
    conn->peer_name = strchr(conn->peer_address, ':') != NULL
                          ? g_strdup_printf("[%s]:%u", conn->peer_address, conn->peer_port)
                          : g_strdup_printf("%s:%u", conn->peer_address, conn->peer_port);
    g_socket_set_blocking(socket, FALSE);
    set_nodelay(socket);

    if (g_queue_get_length(&t->conns) >= t->limits.max_connections) {
        if (t->handler.refused != NULL)
            t->handler.refused(conn->peer_name, "too many connections", t->user_data);
        conn_destroy(conn, "refused");
        return;
    }
    g_queue_push_tail(&t->conns, conn);
    conn->link = g_queue_peek_tail_link(&t->conns);
    conn->busy++;
    conn->data = t->handler.accepted(conn, t->user_data);
    conn->busy--;
    conn->accepted = conn->data != NULL;
    if (!conn->accepted || conn->dead) {
        conn_destroy(conn, conn->dead ? conn->dead_reason : "refused");
        return;
    }
    if (conn->closing)
        return;
    conn->in_source = g_socket_create_source(socket, G_IO_IN, NULL);
    g_source_set_callback(conn->in_source, G_SOURCE_FUNC(on_conn_readable), conn, NULL);
    g_source_attach(conn->in_source, t->context);
}

/* ---- listeners ---- */

static gboolean on_listener_readable(GSocket *socket, GIOCondition cond, gpointer data);

static void listener_watch(Listener *l)
{
    l->source = g_socket_create_source(l->socket, G_IO_IN, NULL);
    g_source_set_callback(l->source, G_SOURCE_FUNC(on_listener_readable), l, NULL);
    g_source_attach(l->source, l->transport->context);
}

static gboolean on_listener_resume(gpointer data)
{
    Listener *l = data;
    g_source_unref(l->source);
    listener_watch(l);
    return G_SOURCE_REMOVE;
}

static gboolean on_listener_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
    Listener *l = data;
    for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP; i++) {
        GError *error = NULL;
        GSocket *s = g_socket_accept(socket, NULL, &error);
        if (s == NULL) {
            gboolean again = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            g_error_free(error);
            if (!again) {
                /* Out of descriptors (EMFILE) or the like: the socket stays readable, so
                 * listening on would spin. Pause accepting for a moment instead. */
                g_source_destroy(l->source);
                g_source_unref(l->source);
                l->source = g_timeout_source_new(ACCEPT_PAUSE_MS);
                g_source_set_callback(l->source, on_listener_resume, l, NULL);
                g_source_attach(l->source, l->transport->context);
                return G_SOURCE_REMOVE;
            }
            break;
        }
        conn_new(l->transport, s);
    }
    return G_SOURCE_CONTINUE;
}

static void listener_free(gpointer data)
{
    Listener *l = data;
    drop_source(&l->source);
    g_socket_close(l->socket, NULL);
    g_object_unref(l->socket);
    g_free(l);
}

/* Enforces the idle, PDU and closing deadlines. */
static gboolean on_sweep(gpointer data)
{
    RaTcpTransport *t = data;
    gint64 now = g_get_monotonic_time();
    gint64 idle = (gint64)t->limits.idle_timeout_ms * 1000;
    gint64 pdu = (gint64)t->limits.pdu_timeout_ms * 1000;
    GList *next;
    for (GList *l = t->conns.head; l != NULL; l = next) {
        next = l->next;
        RaTcpConn *conn = l->data;
        if (conn->busy > 0)
            continue;
        if (conn->closing) {
            if (now >= conn->close_deadline_us)
                conn_kill(conn, "closed by the server (peer did not read the last output)");
        } else if (conn->pdu_start_us != 0 && now - conn->pdu_start_us > pdu) {
            conn_kill(conn, "PDU not completed in time (slow client)");
        } else if (conn->pdu_start_us == 0 && now - conn->last_pdu_us > idle) {
            conn_kill(conn, "idle timeout");
        }
    }
    return G_SOURCE_CONTINUE;
}

RaTcpTransport *ra_tcp_transport_new(GMainContext *context, const RaTcpLimits *limits,
                                     const RaTcpHandler *handler, gpointer user_data)
{
    g_return_val_if_fail(handler != NULL && handler->accepted != NULL && handler->pdu != NULL,
                         NULL);
    RaTcpTransport *t = g_new0(RaTcpTransport, 1);
    t->context =
        context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    if (limits != NULL)
        t->limits = *limits;
    else
        ra_tcp_limits_init(&t->limits);
    t->limits.max_pdu_size = CLAMP(t->limits.max_pdu_size, 1024, 65535);
    if (t->limits.max_connections == 0)
        t->limits.max_connections = 1;
    t->handler = *handler;
    t->user_data = user_data;
    t->listeners = g_ptr_array_new_with_free_func(listener_free);
    g_queue_init(&t->conns);
    /* Check often enough for the shortest deadline, at most every second. */
    guint shortest = MIN(t->limits.idle_timeout_ms, t->limits.pdu_timeout_ms);
    guint interval = CLAMP(shortest / 4, 20, 1000);
    t->sweep = g_timeout_source_new(interval);
    g_source_set_callback(t->sweep, on_sweep, t, NULL);
    g_source_attach(t->sweep, t->context);
    return t;
}

static GInetAddress *parse_listen_address(const char *address)
{
    if (address == NULL || g_ascii_strcasecmp(address, "localhost") == 0)
        return g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    if (strcmp(address, "*") == 0)
        return g_inet_address_new_any(G_SOCKET_FAMILY_IPV6);
    /* Accept the bracketed IPv6 form too ("[::1]"). */
    gsize n = strlen(address);
    if (n > 2 && address[0] == '[' && address[n - 1] == ']') {
        gchar *inner = g_strndup(address + 1, n - 2);
        GInetAddress *a = g_inet_address_new_from_string(inner);
        g_free(inner);
        return a;
    }
    return g_inet_address_new_from_string(address);
}

gboolean ra_tcp_transport_listen(RaTcpTransport *t, const char *address, guint16 port,
                                 GError **error)
{
    GInetAddress *addr = parse_listen_address(address);
    if (addr == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "'%s' is not an IPv4 or IPv6 address", address);
        return FALSE;
    }
    gchar *text = g_inet_address_to_string(addr);
    GError *local = NULL;
    GSocket *socket = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &local);
    GSocketAddress *sa = g_inet_socket_address_new(addr, port);
    g_object_unref(addr);
    gboolean ok = socket != NULL && g_socket_bind(socket, sa, TRUE, &local);
    g_object_unref(sa);
    if (ok) {
        g_socket_set_listen_backlog(socket, 128);
        ok = g_socket_listen(socket, &local);
    }
    if (!ok) {
        if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) && port < 1024) {
            g_set_error(error, RA_ERROR, RA_ERROR_ACCESS_DENIED,
                        "cannot listen on %s port %u: %s (ports below 1024 need root or "
                        "CAP_NET_BIND_SERVICE)",
                        text, port, local->message);
        } else {
            g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot listen on %s port %u: %s", text, port,
                        local->message);
        }
        g_error_free(local);
        g_clear_object(&socket);
        g_free(text);
        return FALSE;
    }
    g_free(text);
    g_socket_set_blocking(socket, FALSE);
    Listener *l = g_new0(Listener, 1);
    l->transport = t;
    l->socket = socket;
    GSocketAddress *bound = g_socket_get_local_address(socket, NULL);
    if (bound != NULL && G_IS_INET_SOCKET_ADDRESS(bound))
        l->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_clear_object(&bound);
    listener_watch(l);
    g_ptr_array_add(t->listeners, l);
    return TRUE;
}

guint16 ra_tcp_transport_get_port(RaTcpTransport *t)
{
    if (t->listeners->len == 0)
        return 0;
    return ((Listener *)g_ptr_array_index(t->listeners, 0))->port;
}

guint ra_tcp_transport_get_n_connections(RaTcpTransport *t)
{
    return g_queue_get_length(&t->conns);
}

void ra_tcp_transport_free(RaTcpTransport *t)
{
    if (t == NULL)
        return;
    g_ptr_array_unref(t->listeners);
    while (t->conns.head != NULL)
        conn_destroy(t->conns.head->data, "shutdown");
    drop_source(&t->sweep);
    g_main_context_unref(t->context);
    g_free(t);
}

const char *ra_tcp_conn_peer_address(RaTcpConn *conn)
{
    return conn->peer_address;
}

guint16 ra_tcp_conn_peer_port(RaTcpConn *conn)
{
    return conn->peer_port;
}

const char *ra_tcp_conn_local_address(RaTcpConn *conn)
{
    return conn->local_address;
}

guint16 ra_tcp_conn_local_port(RaTcpConn *conn)
{
    return conn->local_port;
}

const char *ra_tcp_conn_peer_name(RaTcpConn *conn)
{
    return conn->peer_name;
}

/* ---- client side ---- */

static gboolean io_error(GError **error, GError *local, const char *what)
{
    if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        g_set_error(error, RA_ERROR, RA_ERROR_TIMEOUT, "%s: timed out", what);
    else
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "%s: %s", what, local->message);
    g_error_free(local);
    return FALSE;
}

GSocket *ra_tcp_connect(const char *host, guint16 port, guint timeout_ms, GError **error)
{
    guint timeout_s = timeout_ms == 0 ? 30 : MAX(1, (timeout_ms + 999) / 1000);
    GError *local = NULL;
    GList *addrs = NULL;
    GInetAddress *literal = parse_listen_address(host);
    if (literal != NULL) {
        addrs = g_list_append(NULL, literal);
    } else {
        GResolver *resolver = g_resolver_get_default();
        addrs = g_resolver_lookup_by_name(resolver, host, NULL, &local);
        g_object_unref(resolver);
        if (addrs == NULL) {
            gchar *what = g_strdup_printf("cannot resolve %s", host);
            io_error(error, local, what);
            g_free(what);
            return NULL;
        }
    }
    GSocket *result = NULL;
    for (GList *l = addrs; l != NULL && result == NULL; l = l->next) {
        GInetAddress *addr = l->data;
        g_clear_error(&local);
        GSocket *s = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &local);
        if (s == NULL)
            continue;
        g_socket_set_timeout(s, timeout_s);
        GSocketAddress *sa = g_inet_socket_address_new(addr, port);
        if (g_socket_connect(s, sa, NULL, &local)) {
            set_nodelay(s);
            result = s;
        } else {
            g_object_unref(s);
        }
        g_object_unref(sa);
    }
    g_resolver_free_addresses(addrs);
    if (result == NULL) {
        gchar *what = g_strdup_printf("cannot connect to %s port %u", host, port);
        if (local == NULL)
            local = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "no usable address");
        io_error(error, local, what);
        g_free(what);
    }
    return result;
}

gboolean ra_tcp_send_all(GSocket *socket, const guint8 *data, gsize len, GError **error)
{
    gsize done = 0;
    while (done < len) {
        GError *local = NULL;
        gssize n = g_socket_send(socket, (const gchar *)data + done, len - done, NULL, &local);
        if (n < 0)
            return io_error(error, local, "send");
        done += (gsize)n;
    }
    return TRUE;
}

static gboolean receive_exactly(GSocket *socket, guint8 *buf, gsize len, GError **error)
{
    gsize done = 0;
    while (done < len) {
        GError *local = NULL;
        gssize n = g_socket_receive(socket, (gchar *)buf + done, len - done, NULL, &local);
        if (n < 0)
            return io_error(error, local, "receive");
        if (n == 0) {
            g_set_error(error, RA_ERROR, RA_ERROR_IO, "receive: connection closed by peer");
            return FALSE;
        }
        done += (gsize)n;
    }
    return TRUE;
}

GBytes *ra_tcp_read_pdu(GSocket *socket, guint max_pdu_size, GError **error)
{
    guint8 header[RA_PDU_COMMON_HEADER];
    if (!receive_exactly(socket, header, sizeof header, error))
        return NULL;
    guint frag = ra_tcp_frame_length(header, sizeof header, max_pdu_size, error);
    if (frag == 0)
        return NULL;
    guint8 *pdu = g_malloc(frag);
    memcpy(pdu, header, sizeof header);
    if (!receive_exactly(socket, pdu + sizeof header, frag - sizeof header, error)) {
        g_free(pdu);
        return NULL;
    }
    return g_bytes_new_take(pdu, frag);
}
