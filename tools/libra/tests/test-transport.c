/*
 * Transport: framing rules, and a live server on loopback (its own thread and main context)
 * exercised by blocking clients: split and coalesced PDUs, limits, timeouts, slow and hostile
 * peers, IPv6, shutdown.
 */
#include "ra/error.h"
#include "ra/transport.h"

#include <string.h>

#include <fcntl.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- framing ---- */

static void make_header(guint8 *h, guint frag, gboolean little)
{
    memset(h, 0, RA_PDU_COMMON_HEADER);
    h[0] = 5;
    h[2] = 0; /* request */
    h[3] = 3;
    h[4] = little ? 0x10 : 0x00;
    if (little) {
        h[8] = frag & 0xff;
        h[9] = frag >> 8;
    } else {
        h[8] = frag >> 8;
        h[9] = frag & 0xff;
    }
}

static void test_frame_length(void)
{
    guint8 h[RA_PDU_COMMON_HEADER];
    GError *error = NULL;
    make_header(h, 0x1234, TRUE);
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 65535, &error), ==, 0x1234);
    make_header(h, 0x1234, FALSE);
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 65535, &error), ==, 0x1234);
    g_assert_no_error(error);

    make_header(h, 0x1234, TRUE);
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 0x1233, &error), ==, 0);
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    make_header(h, 15, TRUE);
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 65535, &error), ==, 0);
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    make_header(h, 100, TRUE);
    h[0] = 4; /* connectionless version */
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 65535, &error), ==, 0);
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    make_header(h, 100, TRUE);
    h[1] = 2;
    g_assert_cmpuint(ra_tcp_frame_length(h, sizeof h, 65535, &error), ==, 0);
    g_clear_error(&error);
    g_assert_cmpuint(ra_tcp_frame_length(h, 15, 65535, &error), ==, 0);
    g_clear_error(&error);
}

/* ---- a live server ---- */

typedef enum {
    MODE_ECHO,       /* send each PDU back */
    MODE_ECHO_CLOSE, /* send it back, then ask to close */
    MODE_FLOOD,      /* answer each PDU with 60000 bytes */
} Mode;

typedef struct {
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    RaTcpTransport *transport;
    guint16 port;
    Mode mode;
    gint accepted, closed, refused, pdus;
    GMutex lock;
    GString *reasons; /* every close reason, one per line */
} Server;

static gpointer on_accepted(RaTcpConn *conn, gpointer user_data)
{
    Server *s = user_data;
    g_atomic_int_inc(&s->accepted);
    g_assert_cmpstr(ra_tcp_conn_local_address(conn), !=, "?");
    g_assert_cmpuint(ra_tcp_conn_local_port(conn), ==, s->port);
    return g_strdup(ra_tcp_conn_peer_name(conn));
}

static gboolean on_pdu(RaTcpConn *conn, gpointer conn_data, const guint8 *pdu, gsize len,
                       gpointer user_data)
{
    Server *s = user_data;
    g_atomic_int_inc(&s->pdus);
    if (s->mode == MODE_FLOOD) {
        guint8 *big = g_malloc0(60000);
        make_header(big, 60000, TRUE);
        ra_tcp_conn_send(conn, big, 60000);
        g_free(big);
        return TRUE;
    }
    ra_tcp_conn_send(conn, pdu, len);
    return s->mode != MODE_ECHO_CLOSE;
}

static void on_closed(RaTcpConn *conn, gpointer conn_data, const char *reason, gpointer user_data)
{
    Server *s = user_data;
    g_mutex_lock(&s->lock);
    g_string_append_printf(s->reasons, "%s\n", reason);
    g_mutex_unlock(&s->lock);
    g_free(conn_data);
    g_atomic_int_inc(&s->closed);
}

static void on_refused(const char *peer, const char *reason, gpointer user_data)
{
    Server *s = user_data;
    g_atomic_int_inc(&s->refused);
}

static gpointer server_thread(gpointer data)
{
    Server *s = data;
    g_main_context_push_thread_default(s->context);
    g_main_loop_run(s->loop);
    g_main_context_pop_thread_default(s->context);
    return NULL;
}

static Server *server_start(const char *address, const RaTcpLimits *limits, Mode mode)
{
    Server *s = g_new0(Server, 1);
    g_mutex_init(&s->lock);
    s->reasons = g_string_new(NULL);
    s->mode = mode;
    s->context = g_main_context_new();
    s->loop = g_main_loop_new(s->context, FALSE);
    RaTcpHandler handler = {on_accepted, on_pdu, on_closed, on_refused};
    s->transport = ra_tcp_transport_new(s->context, limits, &handler, s);
    GError *error = NULL;
    if (!ra_tcp_transport_listen(s->transport, address, 0, &error)) {
        g_test_message("cannot listen on %s: %s", address, error->message);
        g_error_free(error);
        ra_tcp_transport_free(s->transport);
        g_main_loop_unref(s->loop);
        g_main_context_unref(s->context);
        g_string_free(s->reasons, TRUE);
        g_free(s);
        return NULL;
    }
    s->port = ra_tcp_transport_get_port(s->transport);
    g_assert_cmpuint(s->port, !=, 0);
    s->thread = g_thread_new("server", server_thread, s);
    return s;
}

static gboolean stop_in_loop(gpointer data)
{
    Server *s = data;
    ra_tcp_transport_free(s->transport);
    s->transport = NULL;
    g_main_loop_quit(s->loop);
    return G_SOURCE_REMOVE;
}

static void server_stop(Server *s)
{
    g_main_context_invoke(s->context, stop_in_loop, s);
    g_thread_join(s->thread);
    g_main_loop_unref(s->loop);
    g_main_context_unref(s->context);
    g_mutex_clear(&s->lock);
    g_string_free(s->reasons, TRUE);
    g_free(s);
}

static gboolean server_has_reason(Server *s, const char *reason)
{
    g_mutex_lock(&s->lock);
    gboolean found = strstr(s->reasons->str, reason) != NULL;
    g_mutex_unlock(&s->lock);
    return found;
}

/* Waits (up to 5 s) until *counter reaches want. */
static void wait_count(gint *counter, gint want)
{
    for (int i = 0; i < 500 && g_atomic_int_get(counter) < want; i++)
        g_usleep(10000);
    g_assert_cmpint(g_atomic_int_get(counter), >=, want);
}

static GSocket *connect_to(Server *s, const char *host)
{
    GError *error = NULL;
    GSocket *sock = ra_tcp_connect(host, s->port, 5000, &error);
    g_assert_no_error(error);
    g_assert_nonnull(sock);
    return sock;
}

/* TRUE when the server has closed this connection (EOF or reset within 5 s). */
static gboolean peer_closed(GSocket *sock)
{
    guint8 buf[65536];
    g_socket_set_timeout(sock, 5);
    for (;;) {
        GError *error = NULL;
        gssize n = g_socket_receive(sock, (gchar *)buf, sizeof buf, NULL, &error);
        if (n == 0)
            return TRUE;
        if (n < 0) {
            gboolean timed_out = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
            g_error_free(error);
            return !timed_out; /* a reset counts as closed */
        }
    }
}

static GBytes *make_pdu(guint frag, guint8 fill)
{
    guint8 *p = g_malloc(frag);
    memset(p, fill, frag);
    make_header(p, frag, TRUE);
    return g_bytes_new_take(p, frag);
}

static void assert_echo(GSocket *sock, GBytes *pdu)
{
    GError *error = NULL;
    GBytes *back = ra_tcp_read_pdu(sock, 65535, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(back, pdu));
    g_bytes_unref(back);
}

static void test_echo_split_and_coalesced(void)
{
    Server *s = server_start("127.0.0.1", NULL, MODE_ECHO);
    GSocket *sock = connect_to(s, "127.0.0.1");
    GError *error = NULL;

    /* One PDU sent a byte at a time. */
    GBytes *a = make_pdu(300, 0xa1);
    gsize n;
    const guint8 *d = g_bytes_get_data(a, &n);
    for (gsize i = 0; i < n; i++) {
        g_assert_true(ra_tcp_send_all(sock, d + i, 1, &error));
        if (i % 50 == 0)
            g_usleep(1000);
    }
    assert_echo(sock, a);

    /* Three PDUs of different sizes in one write, the largest possible among them. */
    GBytes *b = make_pdu(16, 0xb2), *c = make_pdu(65535, 0xc3);
    GByteArray *all = g_byte_array_new();
    g_byte_array_append(all, g_bytes_get_data(a, NULL), (guint)g_bytes_get_size(a));
    g_byte_array_append(all, g_bytes_get_data(b, NULL), (guint)g_bytes_get_size(b));
    g_byte_array_append(all, g_bytes_get_data(c, NULL), (guint)g_bytes_get_size(c));
    g_assert_true(ra_tcp_send_all(sock, all->data, all->len, &error));
    g_assert_no_error(error);
    assert_echo(sock, a);
    assert_echo(sock, b);
    assert_echo(sock, c);
    g_byte_array_unref(all);
    g_assert_cmpint(g_atomic_int_get(&s->pdus), ==, 4);

    g_object_unref(sock);
    wait_count(&s->closed, 1);
    g_assert_true(server_has_reason(s, "peer closed"));
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_bytes_unref(c);
    server_stop(s);
}

static void test_many_connections(void)
{
    Server *s = server_start("127.0.0.1", NULL, MODE_ECHO);
    enum { N = 64 };
    GSocket *socks[N];
    for (int i = 0; i < N; i++)
        socks[i] = connect_to(s, "127.0.0.1");
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            GBytes *p = make_pdu(32 + i, (guint8)i);
            g_assert_true(
                ra_tcp_send_all(socks[i], g_bytes_get_data(p, NULL), g_bytes_get_size(p), NULL));
            g_bytes_unref(p);
        }
        for (int i = 0; i < N; i++) {
            GBytes *p = make_pdu(32 + i, (guint8)i);
            assert_echo(socks[i], p);
            g_bytes_unref(p);
        }
    }
    g_assert_cmpint(g_atomic_int_get(&s->accepted), ==, N);
    for (int i = 0; i < N; i++)
        g_object_unref(socks[i]);
    wait_count(&s->closed, N);
    server_stop(s);
}

static void test_connection_limit(void)
{
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_connections = 2;
    Server *s = server_start("127.0.0.1", &limits, MODE_ECHO);
    GSocket *a = connect_to(s, "127.0.0.1"), *b = connect_to(s, "127.0.0.1");
    wait_count(&s->accepted, 2);
    GSocket *c = connect_to(s, "127.0.0.1");
    g_assert_true(peer_closed(c));
    wait_count(&s->refused, 1);
    /* The two accepted ones still work. */
    GBytes *p = make_pdu(40, 1);
    g_assert_true(ra_tcp_send_all(a, g_bytes_get_data(p, NULL), 40, NULL));
    assert_echo(a, p);
    /* Once one goes, a new one is accepted. */
    g_object_unref(b);
    wait_count(&s->closed, 1);
    GSocket *d = connect_to(s, "127.0.0.1");
    g_assert_true(ra_tcp_send_all(d, g_bytes_get_data(p, NULL), 40, NULL));
    assert_echo(d, p);
    g_assert_cmpint(g_atomic_int_get(&s->accepted), ==, 3);
    g_bytes_unref(p);
    g_object_unref(a);
    g_object_unref(c);
    g_object_unref(d);
    server_stop(s);
}

static void test_idle_and_slow(void)
{
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.idle_timeout_ms = 300;
    limits.pdu_timeout_ms = 300;
    Server *s = server_start("127.0.0.1", &limits, MODE_ECHO);

    GSocket *idle = connect_to(s, "127.0.0.1");
    GSocket *slow = connect_to(s, "127.0.0.1");
    GSocket *good = connect_to(s, "127.0.0.1");
    /* The slow one sends half a PDU, then one byte every 100 ms: still too slow overall. */
    GBytes *p = make_pdu(200, 7);
    const guint8 *d = g_bytes_get_data(p, NULL);
    g_assert_true(ra_tcp_send_all(slow, d, 100, NULL));
    for (int i = 0; i < 3; i++) {
        g_usleep(100000);
        ra_tcp_send_all(slow, d + 100 + i, 1, NULL);
        /* Meanwhile the good one is served. */
        g_assert_true(ra_tcp_send_all(good, d, 200, NULL));
        assert_echo(good, p);
    }
    g_assert_true(peer_closed(slow));
    g_assert_true(peer_closed(idle));
    wait_count(&s->closed, 2);
    g_assert_true(server_has_reason(s, "slow client"));
    g_assert_true(server_has_reason(s, "idle timeout"));
    g_bytes_unref(p);
    g_object_unref(idle);
    g_object_unref(slow);
    g_object_unref(good);
    server_stop(s);
}

static void test_hostile_streams(void)
{
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_pdu_size = 4096;
    Server *s = server_start("127.0.0.1", &limits, MODE_ECHO);

    GSocket *http = connect_to(s, "127.0.0.1");
    const char *get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ra_tcp_send_all(http, (const guint8 *)get, strlen(get), NULL);
    g_assert_true(peer_closed(http));

    GSocket *big = connect_to(s, "127.0.0.1");
    guint8 h[RA_PDU_COMMON_HEADER];
    make_header(h, 4097, TRUE);
    ra_tcp_send_all(big, h, sizeof h, NULL);
    g_assert_true(peer_closed(big));

    GSocket *tiny = connect_to(s, "127.0.0.1");
    make_header(h, 10, TRUE);
    ra_tcp_send_all(tiny, h, sizeof h, NULL);
    g_assert_true(peer_closed(tiny));

    wait_count(&s->closed, 3);
    g_assert_true(server_has_reason(s, "not a DCE/RPC stream"));
    g_assert_true(server_has_reason(s, "over the size limit"));

    /* A well-behaved client is still served. */
    GSocket *good = connect_to(s, "127.0.0.1");
    GBytes *p = make_pdu(4096, 9);
    ra_tcp_send_all(good, g_bytes_get_data(p, NULL), 4096, NULL);
    assert_echo(good, p);
    g_bytes_unref(p);
    g_object_unref(http);
    g_object_unref(big);
    g_object_unref(tiny);
    g_object_unref(good);
    server_stop(s);
}

static void test_close_after_reply(void)
{
    Server *s = server_start("127.0.0.1", NULL, MODE_ECHO_CLOSE);
    GSocket *sock = connect_to(s, "127.0.0.1");
    /* Two PDUs in one write: the first is answered, then the server closes. */
    GBytes *p = make_pdu(64, 3);
    guint8 two[128];
    memcpy(two, g_bytes_get_data(p, NULL), 64);
    memcpy(two + 64, g_bytes_get_data(p, NULL), 64);
    ra_tcp_send_all(sock, two, sizeof two, NULL);
    assert_echo(sock, p);
    g_assert_true(peer_closed(sock));
    wait_count(&s->closed, 1);
    g_assert_cmpint(g_atomic_int_get(&s->pdus), ==, 1);
    g_bytes_unref(p);
    g_object_unref(sock);
    server_stop(s);
}

static void test_output_limit(void)
{
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_output_bytes = 256 * 1024;
    Server *s = server_start("127.0.0.1", &limits, MODE_FLOOD);
    GSocket *sock = connect_to(s, "127.0.0.1");
    /* Ask for 60000 bytes per PDU, ~60 MB in all, and never read. */
    GBytes *p = make_pdu(16, 0);
    for (int i = 0; i < 1000 && !server_has_reason(s, "output limit"); i++) {
        if (!ra_tcp_send_all(sock, g_bytes_get_data(p, NULL), 16, NULL))
            break;
        if (i % 100 == 99)
            g_usleep(10000);
    }
    wait_count(&s->closed, 1);
    g_assert_true(server_has_reason(s, "output limit"));
    g_bytes_unref(p);
    g_object_unref(sock);
    server_stop(s);
}

static void test_ipv6(void)
{
    Server *s = server_start("::1", NULL, MODE_ECHO);
    if (s == NULL) {
        g_test_skip("no IPv6 loopback");
        return;
    }
    GSocket *sock = connect_to(s, "::1");
    GBytes *p = make_pdu(100, 6);
    ra_tcp_send_all(sock, g_bytes_get_data(p, NULL), 100, NULL);
    assert_echo(sock, p);
    g_bytes_unref(p);
    g_object_unref(sock);
    server_stop(s);
}

static void test_shutdown_closes_all(void)
{
    Server *s = server_start("127.0.0.1", NULL, MODE_ECHO);
    GSocket *a = connect_to(s, "127.0.0.1"), *b = connect_to(s, "127.0.0.1");
    wait_count(&s->accepted, 2);
    /* Half a PDU pending on one of them does not delay the shutdown. */
    GBytes *p = make_pdu(100, 6);
    ra_tcp_send_all(b, g_bytes_get_data(p, NULL), 50, NULL);
    g_bytes_unref(p);
    g_main_context_invoke(s->context, stop_in_loop, s);
    g_thread_join(s->thread);
    g_assert_cmpint(g_atomic_int_get(&s->closed), ==, 2);
    g_assert_true(strstr(s->reasons->str, "shutdown") != NULL);
    g_assert_true(peer_closed(a));
    g_assert_true(peer_closed(b));
    g_object_unref(a);
    g_object_unref(b);
    g_main_loop_unref(s->loop);
    g_main_context_unref(s->context);
    g_mutex_clear(&s->lock);
    g_string_free(s->reasons, TRUE);
    g_free(s);
}

static void test_listen_errors(void)
{
    RaTcpHandler handler = {on_accepted, on_pdu, on_closed, NULL};
    RaTcpTransport *t = ra_tcp_transport_new(NULL, NULL, &handler, NULL);
    GError *error = NULL;
    g_assert_false(ra_tcp_transport_listen(t, "not-an-address", 0, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    g_assert_true(ra_tcp_transport_listen(t, "127.0.0.1", 0, &error));
    guint16 port = ra_tcp_transport_get_port(t);
    /* The same port again is in use. */
    RaTcpTransport *t2 = ra_tcp_transport_new(NULL, NULL, &handler, NULL);
    g_assert_false(ra_tcp_transport_listen(t2, "127.0.0.1", port, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "127.0.0.1"));
    g_clear_error(&error);
    ra_tcp_transport_free(t2);
    ra_tcp_transport_free(t);

    /* Connecting where nobody listens fails cleanly. */
    GSocket *sock = ra_tcp_connect("127.0.0.1", port, 2000, &error);
    g_assert_null(sock);
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
}

/* Out of descriptors: accept fails with EMFILE; the listener pauses instead of spinning, and
 * accepts the waiting connection once a descriptor is free again. */
/* The number that makes exactly `room` more descriptors allocatable: RLIMIT_NOFILE bounds the
 * descriptor numbers, which are handed out lowest first. */
static int limit_for_room(int room)
{
    int fds[16], top = -1;
    for (int i = 0; i < room; i++) {
        fds[i] = open("/dev/null", O_RDONLY);
        top = MAX(top, fds[i]);
    }
    for (int i = 0; i < room; i++)
        close(fds[i]);
    return top + 1;
}

static GSocket *unconnected(void)
{
    GSocket *sock =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_assert_nonnull(sock);
    g_socket_set_timeout(sock, 5);
    return sock;
}

static void connect_unconnected(GSocket *sock, guint16 port)
{
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *sa = g_inet_socket_address_new(lo, port);
    GError *error = NULL;
    g_assert_true(g_socket_connect(sock, sa, NULL, &error));
    g_assert_no_error(error);
    g_object_unref(sa);
    g_object_unref(lo);
}

static void test_out_of_descriptors(void)
{
    Server *s = server_start("127.0.0.1", NULL, MODE_ECHO);
    /* Both client sockets exist before the limit; then the server has room for exactly one
     * more descriptor: it accepts A, and accepting B fails with EMFILE. */
    GSocket *a = unconnected(), *b = unconnected();
    /* A first connection on each side, before the limit: GLib allocates some descriptors lazily
     * (the main context wake-up) on first use. */
    GSocket *warm = unconnected();
    connect_unconnected(warm, s->port);
    wait_count(&s->accepted, 1);
    g_object_unref(warm);
    wait_count(&s->closed, 1);
    struct rlimit old;
    g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &old), ==, 0);
    struct rlimit tight = {(rlim_t)limit_for_room(1), old.rlim_max};
    g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &tight), ==, 0);
    connect_unconnected(a, s->port);
    wait_count(&s->accepted, 2);
    connect_unconnected(b, s->port);
    GBytes *p = make_pdu(64, 5);
    ra_tcp_send_all(b, g_bytes_get_data(p, NULL), 64, NULL);
    /* Meanwhile the server must not spin on the listener that cannot accept: the process uses
     * far less CPU than the time that passes. */
    struct timespec cpu0, cpu1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    g_usleep(500000);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    double cpu = (double)(cpu1.tv_sec - cpu0.tv_sec) + (cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
    g_assert_cmpfloat(cpu, <, 0.05);
    g_assert_cmpint(g_atomic_int_get(&s->accepted), ==, 2);
    /* A goes; its descriptor on the server side is freed; B is accepted and served. */
    g_object_unref(a);
    wait_count(&s->closed, 2);
    assert_echo(b, p);
    g_assert_cmpint(g_atomic_int_get(&s->accepted), ==, 3);
    g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &old), ==, 0);
    g_bytes_unref(p);
    g_object_unref(b);
    server_stop(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/transport/frame-length", test_frame_length);
    g_test_add_func("/transport/echo-split-and-coalesced", test_echo_split_and_coalesced);
    g_test_add_func("/transport/many-connections", test_many_connections);
    g_test_add_func("/transport/connection-limit", test_connection_limit);
    g_test_add_func("/transport/idle-and-slow", test_idle_and_slow);
    g_test_add_func("/transport/hostile-streams", test_hostile_streams);
    g_test_add_func("/transport/close-after-reply", test_close_after_reply);
    g_test_add_func("/transport/output-limit", test_output_limit);
    g_test_add_func("/transport/ipv6", test_ipv6);
    g_test_add_func("/transport/shutdown", test_shutdown_closes_all);
    g_test_add_func("/transport/listen-errors", test_listen_errors);
    g_test_add_func("/transport/out-of-descriptors", test_out_of_descriptors);
    return g_test_run();
}
