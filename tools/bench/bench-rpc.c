/*
 * Benchmark (not a test): ServerAlive2 calls per second and their p50/p99 latency over 1, 8 and
 * 64 concurrent associations sealed at NTLMv2 PKT_PRIVACY, next to a plain TCP echo of the same
 * message sizes measured in the same run, and the ratio.
 *
 * Both servers run in this process on their own thread and main context, as `ratool serve`
 * does: the RPC server (ra_testserver: endpoint mapper, OXID resolver) and, for the baseline,
 * the same transport (ra/transport.h) with a handler that answers each request PDU with a
 * response-sized PDU and nothing else - so the ratio is what DCE/RPC, NTLM sealing and NDR cost
 * on top of framed TCP on loopback. Each client is a thread doing one call at a time.
 *
 * usage: bench-rpc [--duration SECONDS] [--connections 1,8,64]
 */
#include "rpc-test-server.h"

#include "ra/rpc-client.h"
#include "ra/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    /* set up by the driver */
    guint16 port;
    gboolean rpc;
    gsize request_size, response_size;
    gint64 start_us, end_us;
    /* results */
    GArray *latencies_us; /* gint64 */
    gboolean failed;
} Worker;

static gsize sealed_request_size, sealed_response_size;

static void on_trace(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    if (pdu[2] == 0)
        sealed_request_size = len;
    else if (pdu[2] == 2)
        sealed_response_size = len;
}

static RaRpcClient *rpc_client(guint16 port, guint16 *ctx, gboolean trace)
{
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", port, 30000, &error);
    if (c == NULL) {
        fprintf(stderr, "bench-rpc: %s\n", error->message);
        exit(1);
    }
    if (trace)
        ra_rpc_client_set_trace(c, on_trace, NULL);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, NULL};
    if (!ra_rpc_client_bind(c, &ra_oxid_syntax, &auth, ctx, &error)) {
        fprintf(stderr, "bench-rpc: bind: %s\n", error->message);
        exit(1);
    }
    return c;
}

static gpointer worker_main(gpointer data)
{
    Worker *w = data;
    GError *error = NULL;
    RaRpcClient *c = NULL;
    GSocket *s = NULL;
    guint16 ctx = 0;
    guint8 *msg = NULL;
    if (w->rpc) {
        c = rpc_client(w->port, &ctx, FALSE);
    } else {
        s = ra_tcp_connect("127.0.0.1", w->port, 30000, &error);
        if (s == NULL) {
            w->failed = TRUE;
            return NULL;
        }
        msg = g_malloc0(w->request_size);
        msg[0] = 5;
        msg[2] = 0;
        msg[3] = 3;
        msg[4] = 0x10;
        msg[8] = w->request_size & 0xff;
        msg[9] = (guint8)(w->request_size >> 8);
    }
    while (g_get_monotonic_time() < w->start_us)
        g_usleep(100);
    for (;;) {
        gint64 t0 = g_get_monotonic_time();
        if (t0 >= w->end_us)
            break;
        if (w->rpc) {
            GBytes *r = ra_rpc_client_call(c, ctx, 5, NULL, NULL, 0, &error);
            if (r == NULL) {
                w->failed = TRUE;
                break;
            }
            g_bytes_unref(r);
        } else {
            GBytes *r = NULL;
            if (!ra_tcp_send_all(s, msg, w->request_size, &error) ||
                (r = ra_tcp_read_pdu(s, 65535, &error)) == NULL) {
                w->failed = TRUE;
                break;
            }
            g_bytes_unref(r);
        }
        gint64 dt = g_get_monotonic_time() - t0;
        g_array_append_val(w->latencies_us, dt);
    }
    g_clear_error(&error);
    ra_rpc_client_free(c);
    g_clear_object(&s);
    g_free(msg);
    return NULL;
}

typedef struct {
    double per_second;
    gint64 p50, p99;
    guint64 calls;
} Result;

static int compare_i64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return x < y ? -1 : x > y;
}

static Result run(guint16 port, gboolean rpc, guint n, double seconds)
{
    Worker *w = g_new0(Worker, n);
    GThread **threads = g_new(GThread *, n);
    gint64 start = g_get_monotonic_time() + 500000 + n * 20000; /* time to connect and bind */
    gint64 end = start + (gint64)(seconds * G_USEC_PER_SEC);
    for (guint i = 0; i < n; i++) {
        w[i].port = port;
        w[i].rpc = rpc;
        w[i].request_size = sealed_request_size;
        w[i].response_size = sealed_response_size;
        w[i].start_us = start;
        w[i].end_us = end;
        w[i].latencies_us = g_array_new(FALSE, FALSE, sizeof(gint64));
        threads[i] = g_thread_new("bench", worker_main, &w[i]);
    }
    GArray *all = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint i = 0; i < n; i++) {
        g_thread_join(threads[i]);
        if (w[i].failed) {
            fprintf(stderr, "bench-rpc: a %s client failed\n", rpc ? "RPC" : "echo");
            exit(1);
        }
        g_array_append_vals(all, w[i].latencies_us->data, w[i].latencies_us->len);
        g_array_unref(w[i].latencies_us);
    }
    g_array_sort(all, compare_i64);
    Result r = {0};
    r.calls = all->len;
    r.per_second = all->len / seconds;
    if (all->len > 0) {
        r.p50 = g_array_index(all, gint64, all->len / 2);
        r.p99 = g_array_index(all, gint64, MIN(all->len - 1, all->len * 99 / 100));
    }
    g_array_unref(all);
    g_free(threads);
    g_free(w);
    return r;
}

/* ---- the echo baseline ---- */

typedef struct {
    GMainContext *context;
    GMainLoop *loop;
    RaTcpTransport *transport;
    guint8 *response;
} Echo;

static gpointer echo_accepted(RaTcpConn *conn, gpointer data)
{
    return data;
}

static gboolean echo_pdu(RaTcpConn *conn, gpointer conn_data, const guint8 *pdu, gsize len,
                         gpointer data)
{
    Echo *e = data;
    ra_tcp_conn_send(conn, e->response, sealed_response_size);
    return TRUE;
}

static void echo_closed(RaTcpConn *conn, gpointer conn_data, const char *reason, gpointer data)
{
}

static gpointer echo_thread(gpointer data)
{
    Echo *e = data;
    g_main_context_push_thread_default(e->context);
    g_main_loop_run(e->loop);
    g_main_context_pop_thread_default(e->context);
    return NULL;
}

static gboolean echo_stop(gpointer data)
{
    Echo *e = data;
    ra_tcp_transport_free(e->transport);
    g_main_loop_quit(e->loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    double duration = 3;
    gchar *conns = NULL;
    GOptionEntry entries[] = {
        {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds per run (default 3)", "S"},
        {"connections", 0, 0, G_OPTION_ARG_STRING, &conns, "Concurrency levels (default 1,8,64)",
         "LIST"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *oc = g_option_context_new("- ServerAlive2 over sealed DCE/RPC vs TCP echo");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &error)) {
        fprintf(stderr, "bench-rpc: %s\n", error->message);
        return 2;
    }
    g_option_context_free(oc);
    gchar **levels = g_strsplit(conns ? conns : "1,8,64", ",", -1);

    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_connections = 1024;
    TestServer *ts = test_server_start_full(NULL, RA_AUTH_LEVEL_PKT_PRIVACY, &limits, 0);
    /* One traced call gives the sizes of a sealed ServerAlive2 request and response. */
    guint16 ctx;
    RaRpcClient *probe = rpc_client(ts->port, &ctx, TRUE);
    GBytes *r = ra_rpc_client_call(probe, ctx, 5, NULL, NULL, 0, &error);
    if (r == NULL) {
        fprintf(stderr, "bench-rpc: ServerAlive2: %s\n", error->message);
        return 1;
    }
    g_bytes_unref(r);
    ra_rpc_client_free(probe);

    Echo echo = {0};
    echo.context = g_main_context_new();
    echo.loop = g_main_loop_new(echo.context, FALSE);
    echo.response = g_malloc0(sealed_response_size);
    echo.response[0] = 5;
    echo.response[2] = 2;
    echo.response[3] = 3;
    echo.response[4] = 0x10;
    echo.response[8] = sealed_response_size & 0xff;
    echo.response[9] = (guint8)(sealed_response_size >> 8);
    RaTcpHandler h = {echo_accepted, echo_pdu, echo_closed, NULL};
    echo.transport = ra_tcp_transport_new(echo.context, &limits, &h, &echo);
    if (!ra_tcp_transport_listen(echo.transport, "127.0.0.1", 0, &error)) {
        fprintf(stderr, "bench-rpc: %s\n", error->message);
        return 1;
    }
    guint16 echo_port = ra_tcp_transport_get_port(echo.transport);
    GThread *et = g_thread_new("echo", echo_thread, &echo);

    printf("ServerAlive2, NTLMv2 PKT_PRIVACY (sealed request %zu bytes, response %zu bytes), "
           "vs TCP echo of the same sizes through the same transport; loopback, %g s per run, "
           "%u CPU(s)\n",
           sealed_request_size, sealed_response_size, duration, g_get_num_processors());
    printf("%5s | %12s %8s %8s | %12s %8s %8s | %s\n", "conns", "rpc calls/s", "p50 us", "p99 us",
           "echo msgs/s", "p50 us", "p99 us", "rpc/echo throughput");
    for (gchar **l = levels; *l != NULL; l++) {
        guint n = (guint)atoi(*l);
        if (n == 0)
            continue;
        Result rpc = run(ts->port, TRUE, n, duration);
        Result base = run(echo_port, FALSE, n, duration);
        printf("%5u | %12.0f %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT
               " | %12.0f %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " | %.2f\n",
               n, rpc.per_second, rpc.p50, rpc.p99, base.per_second, base.p50, base.p99,
               base.per_second > 0 ? rpc.per_second / base.per_second : 0.0);
        fflush(stdout);
    }
    RaRpcServerStats st;
    test_server_stats(ts, &st);
    printf("server: %" G_GUINT64_FORMAT " associations, %" G_GUINT64_FORMAT
           " calls, %" G_GUINT64_FORMAT " faults\n",
           st.associations, st.calls, st.faults);
    g_main_context_invoke(echo.context, echo_stop, &echo);
    g_thread_join(et);
    g_main_loop_unref(echo.loop);
    g_main_context_unref(echo.context);
    g_free(echo.response);
    test_server_stop(ts);
    g_strfreev(levels);
    g_free(conns);
    return 0;
}
