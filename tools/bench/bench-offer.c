/*
 * Benchmark (not a test): complete Remote Assistance offers per second against `ratool serve`,
 * with 1 and 16 concurrent experts, and the server's resident memory with 1,000 idle
 * authenticated associations.
 *
 * The novice is a real `ratool serve` process (so that its memory is its own): loopback, a free
 * port, the session table of testdata/sessions/example.ini, --offer-lifetime 0 (an offer blocks
 * no later one, so every expert can offer for the same session again and again). Each expert is
 * a thread running our expert (ra/rai-client.h) in a loop; one complete offer is: connect to the
 * activation port, bind with NTLMv2 at PKT_PRIVACY, RemoteCreateInstance(RASrv, IRASrv) (the
 * reply carries the OXID's bindings: the OXID is resolved by the activation itself, as Windows
 * clients have it), connect and bind to the object exporter, IRASrv::GetSessionInfo,
 * IRASrv::GetNoviceUserInfo, RemRelease of the interface, close. By default every interface
 * gets its own connection (and NTLM handshake); --share-connections adds them by alter_context
 * on one connection instead (impacket's way).
 *
 * Memory: VmRSS of the server from /proc before and after opening N connections, each bound to
 * IObjectExporter with NTLMv2 at PKT_PRIVACY and proven by one sealed ServerAlive2 call, then
 * left idle.
 *
 * usage: bench-offer [--ratool PATH] [--duration SECONDS] [--experts 1,16] [--idle 1000]
 *                    [--interface irasrv|ipchservice] [--share-connections]
 */
#include "ra/oxid.h"
#include "ra/rai-client.h"
#include "ra/rpc-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>

#define DOMAIN   "CONTOSO"
#define USER     "expert"
#define PASSWORD "Exp3rt-Pw!"

static const char *ratool_path = RAI_BENCH_RATOOL;
static gboolean share_connections;
static RaRaiExpertInterface iface = RA_RAI_EXPERT_IRASRV;

/* ---- the server process ---- */

typedef struct {
    GPid pid;
    guint16 port;
    GIOChannel *out;
    GThread *drain;
} Server;

/* Reads (and drops) the server's log lines, so that it never blocks on a full pipe. */
static gpointer drain_main(gpointer data)
{
    Server *s = data;
    gchar *line;
    while (g_io_channel_read_line(s->out, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
        g_free(line);
    return NULL;
}

static void server_start(Server *s)
{
    gchar *sessions = g_build_filename(RAI_BENCH_TESTDATA, "sessions", "example.ini", NULL);
    const gchar *args[] = {ratool_path,
                           "serve",
                           "--port",
                           "0",
                           "--helper",
                           DOMAIN "\\" USER ":" PASSWORD,
                           "--sessions",
                           sessions,
                           "--offer-lifetime",
                           "0",
                           "--listener-port",
                           "3389",
                           "--max-connections",
                           "4096",
                           "--idle-timeout",
                           "3600",
                           "-q",
                           NULL};
    gchar **argv = g_new0(gchar *, G_N_ELEMENTS(args));
    for (guint i = 0; args[i]; i++)
        argv[i] = g_strdup(args[i]);
    gint out_fd;
    GError *error = NULL;
    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &s->pid,
                                  NULL, &out_fd, NULL, &error)) {
        fprintf(stderr, "bench-offer: %s: %s\n", ratool_path, error->message);
        exit(1);
    }
    g_strfreev(argv);
    g_free(sessions);
    s->out = g_io_channel_unix_new(out_fd);
    g_io_channel_set_close_on_unref(s->out, TRUE);
    gchar *line = NULL;
    if (g_io_channel_read_line(s->out, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL ||
        strstr(line, " port ") == NULL) {
        fprintf(stderr, "bench-offer: ratool serve did not start (%s)\n", line ? line : "EOF");
        exit(1);
    }
    s->port = (guint16)atoi(strstr(line, " port ") + 6);
    g_free(line);
    s->drain = g_thread_new("drain", drain_main, s);
}

static void server_stop(Server *s)
{
    kill(s->pid, SIGTERM);
    g_thread_join(s->drain);
    g_io_channel_unref(s->out);
    g_spawn_close_pid(s->pid);
}

/* VmRSS of a process in KiB, or -1. */
static long rss_kib(GPid pid)
{
    gchar *path = g_strdup_printf("/proc/%d/status", (int)pid);
    gchar *text = NULL;
    long kib = -1;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        const char *p = strstr(text, "VmRSS:");
        if (p)
            kib = atol(p + 6);
    }
    g_free(text);
    g_free(path);
    return kib;
}

/* ---- experts ---- */

typedef struct {
    guint16 port;
    gint64 start_us, end_us;
    GArray *latencies_us; /* gint64, one per complete offer */
    gchar *failure;
} Expert;

static void expert_config(RaRaiExpertConfig *c, guint16 port)
{
    memset(c, 0, sizeof *c);
    c->dcom.host = "127.0.0.1";
    c->dcom.port = port;
    c->dcom.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    c->dcom.auth.domain = DOMAIN;
    c->dcom.auth.user = USER;
    c->dcom.auth.password = PASSWORD;
    c->dcom.timeout_ms = 30000;
    c->dcom.share_connections = share_connections;
    c->iface = iface;
    c->has_session = TRUE;
    c->session_id = 1;
}

static gpointer expert_main(gpointer data)
{
    Expert *e = data;
    RaRaiExpertConfig config;
    expert_config(&config, e->port);
    while (g_get_monotonic_time() < e->start_us)
        g_usleep(100);
    for (;;) {
        gint64 t0 = g_get_monotonic_time();
        if (t0 >= e->end_us)
            break;
        GError *error = NULL;
        RaRaiOfferResult *r = ra_rai_expert_offer(&config, &error);
        if (r == NULL) {
            e->failure = g_strdup(error->message);
            g_error_free(error);
            break;
        }
        ra_rai_offer_result_free(r);
        gint64 dt = g_get_monotonic_time() - t0;
        g_array_append_val(e->latencies_us, dt);
    }
    return NULL;
}

static int compare_i64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return x < y ? -1 : x > y;
}

static void run_experts(guint16 port, guint n, double seconds)
{
    Expert *e = g_new0(Expert, n);
    GThread **threads = g_new(GThread *, n);
    gint64 start = g_get_monotonic_time() + 200000;
    gint64 end = start + (gint64)(seconds * G_USEC_PER_SEC);
    for (guint i = 0; i < n; i++) {
        e[i].port = port;
        e[i].start_us = start;
        e[i].end_us = end;
        e[i].latencies_us = g_array_new(FALSE, FALSE, sizeof(gint64));
        threads[i] = g_thread_new("expert", expert_main, &e[i]);
    }
    GArray *all = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint i = 0; i < n; i++) {
        g_thread_join(threads[i]);
        if (e[i].failure) {
            fprintf(stderr, "bench-offer: an expert failed: %s\n", e[i].failure);
            exit(1);
        }
        g_array_append_vals(all, e[i].latencies_us->data, e[i].latencies_us->len);
        g_array_unref(e[i].latencies_us);
    }
    g_array_sort(all, compare_i64);
    gint64 p50 = all->len ? g_array_index(all, gint64, all->len / 2) : 0;
    gint64 p99 = all->len ? g_array_index(all, gint64, MIN(all->len - 1, all->len * 99 / 100)) : 0;
    printf("%7u | %8u %10.1f | %8.2f %8.2f\n", n, all->len, all->len / seconds, p50 / 1000.0,
           p99 / 1000.0);
    fflush(stdout);
    g_array_unref(all);
    g_free(threads);
    g_free(e);
}

/* ---- idle associations ---- */

static void idle_associations(Server *s, guint n)
{
    long before = rss_kib(s->pid);
    RaRpcClient **clients = g_new0(RaRpcClient *, n);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY, DOMAIN, USER, PASSWORD, NULL, NULL};
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; i < n; i++) {
        GError *error = NULL;
        guint16 ctx;
        clients[i] = ra_rpc_client_connect("127.0.0.1", s->port, 30000, &error);
        GBytes *r = NULL;
        if (clients[i] == NULL ||
            !ra_rpc_client_bind(clients[i], &ra_oxid_syntax, &auth, &ctx, &error) ||
            (r = ra_rpc_client_call(clients[i], ctx, 5, NULL, NULL, 0, &error)) == NULL) {
            fprintf(stderr, "bench-offer: association %u: %s\n", i + 1, error->message);
            exit(1);
        }
        g_bytes_unref(r);
    }
    double setup = (g_get_monotonic_time() - t0) / 1e6;
    g_usleep(500000); /* let the server settle */
    long after = rss_kib(s->pid);
    printf("server RSS: %ld KiB at rest (after the offers above), %ld KiB with %u idle "
           "authenticated associations: %.1f KiB each (opened in %.1f s)\n",
           before, after, n, n ? (double)(after - before) / n : 0.0, setup);
    for (guint i = 0; i < n; i++)
        ra_rpc_client_free(clients[i]);
    g_free(clients);
}

int main(int argc, char **argv)
{
    double duration = 5;
    gchar *experts = NULL, *ratool = NULL, *iface_name = NULL;
    gint idle = 1000;
    GOptionEntry entries[] = {
        {"ratool", 0, 0, G_OPTION_ARG_FILENAME, &ratool, "The ratool to run (default: the build's)",
         "PATH"},
        {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds per run (default 5)", "S"},
        {"experts", 0, 0, G_OPTION_ARG_STRING, &experts,
         "Concurrent experts per run (default 1,16)", "LIST"},
        {"idle", 0, 0, G_OPTION_ARG_INT, &idle, "Idle associations (default 1000)", "N"},
        {"interface", 0, 0, G_OPTION_ARG_STRING, &iface_name, "irasrv (default) or ipchservice",
         "NAME"},
        {"share-connections", 0, 0, G_OPTION_ARG_NONE, &share_connections,
         "One connection per server, interfaces added by alter_context", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *oc = g_option_context_new("- complete MS-RAI offers per second, server RSS");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &error) || idle < 0 ||
        (iface_name &&
         (!ra_rai_expert_interface_parse(iface_name, &iface) || iface == RA_RAI_EXPERT_AUTO))) {
        fprintf(stderr, "bench-offer: %s\n", error ? error->message : "bad --idle or --interface");
        return 2;
    }
    g_option_context_free(oc);
    if (ratool)
        ratool_path = ratool;

    /* 1,000 connections here and 1,000 in the server (which inherits the limit). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    Server server = {0};
    server_start(&server);
    printf("complete offers (%s; connect, bind, NTLMv2 at PKT_PRIVACY, activation with the OXID "
           "bindings, %s, release) against ratool serve on loopback, %s, %g s per run, "
           "%u CPU(s)\n",
           iface == RA_RAI_EXPERT_IRASRV ? "IRASrv" : "IPCHService",
           iface == RA_RAI_EXPERT_IRASRV
               ? "GetSessionInfo, GetNoviceUserInfo"
               : "RemoteUserSessionInfo, the sessions' properties, RemoteConnectionParms",
           share_connections ? "interfaces on one connection (alter_context)"
                             : "one connection per interface",
           duration, g_get_num_processors());
    printf("%7s | %8s %10s | %8s %8s\n", "experts", "offers", "offers/s", "p50 ms", "p99 ms");
    gchar **levels = g_strsplit(experts ? experts : "1,16", ",", -1);
    for (gchar **l = levels; *l; l++) {
        guint n = (guint)atoi(*l);
        if (n > 0)
            run_experts(server.port, n, duration);
    }
    g_strfreev(levels);
    if (idle > 0)
        idle_associations(&server, (guint)idle);
    server_stop(&server);
    g_free(experts);
    g_free(ratool);
    g_free(iface_name);
    return 0;
}
