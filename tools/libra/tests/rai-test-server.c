/* The test novice (see rai-test-server.h). */
#include "rai-test-server.h"

#include "ra/accounts.h"
#include "ra/dcom-server.h"
#include "ra/epm.h"
#include "ra/oxid.h"
#include "ra/rai-server.h"
#include "ra/rpc-server.h"
#include "ra/sessions.h"

#include <string.h>

struct RaiTestServer {
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    RaAccounts *accounts;
    RaRpcServer *server;
    RaEpm *epm;
    RaOxidResolver *oxid;
    RaDcomServer *dcom;
    RaRaiServer *rai;
    RaSessionTable *sessions;
    guint16 port;
    GMutex log_lock;
    GString *log;
};

static void add_log(RaiTestServer *ts, const char *peer, const char *message)
{
    g_mutex_lock(&ts->log_lock);
    g_string_append_printf(ts->log, "%s %s\n", peer ? peer : "-", message);
    g_mutex_unlock(&ts->log_lock);
    if (g_getenv("TEST_SERVER_LOG") != NULL)
        g_printerr("server: %s %s\n", peer ? peer : "-", message);
}

static void on_log(RaRpcLogLevel level, const char *peer, const char *message, gpointer data)
{
    add_log(data, peer, message);
}

static void on_offer(const RaRaiOffer *offer, guint32 hresult, const char *what, RaDcomCall *call,
                     gpointer data)
{
    gchar *line = offer ? g_strdup_printf("offer %" G_GUINT64_FORMAT " %s session %u to %s: %s",
                                          offer->id, offer->method, offer->session_id,
                                          offer->expert, offer->connection_string)
                        : g_strdup_printf("offer refused 0x%08x: %s", hresult, what);
    add_log(data, NULL, line);
    g_free(line);
}

static gpointer thread_main(gpointer data)
{
    RaiTestServer *ts = data;
    g_main_context_push_thread_default(ts->context);
    g_main_loop_run(ts->loop);
    g_main_context_pop_thread_default(ts->context);
    return NULL;
}

RaiTestServer *rai_test_server_start(const RaiTestServerOptions *options)
{
    RaiTestServerOptions defaults = {0};
    if (options == NULL)
        options = &defaults;
    RaiTestServer *ts = g_new0(RaiTestServer, 1);
    g_mutex_init(&ts->log_lock);
    ts->log = g_string_new(NULL);
    ts->context = g_main_context_new();
    ts->loop = g_main_loop_new(ts->context, FALSE);
    ts->accounts = ra_accounts_new();
    g_assert_true(ra_accounts_add_spec(
        ts->accounts, RAI_TEST_DOMAIN "\\" RAI_TEST_HELPER ":" RAI_TEST_HELPER_PASSWORD, TRUE,
        NULL));
    g_assert_true(ra_accounts_add_spec(
        ts->accounts, RAI_TEST_DOMAIN "\\" RAI_TEST_USER ":" RAI_TEST_USER_PASSWORD, FALSE, NULL));

    const char *dir = g_getenv("RAI_TESTDATA");
    g_assert_nonnull(dir);
    gchar *path = g_build_filename(dir, "sessions",
                                   options->sessions ? options->sessions : "example.ini", NULL);
    GError *error = NULL;
    ts->sessions = ra_sessions_load_file(path, &error);
    g_assert_no_error(error);
    g_free(path);

    RaRpcServerConfig config;
    ra_rpc_server_config_init(&config);
    config.accounts = ts->accounts;
    config.computer_name = "NOVICE";
    config.log = on_log;
    config.log_user_data = ts;
    ts->server = ra_rpc_server_new(&config);
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    if (options->max_connections)
        limits.max_connections = options->max_connections;
    g_assert_true(ra_rpc_server_listen(ts->server, ts->context, &limits, "127.0.0.1", 0, &error));
    g_assert_no_error(error);
    ts->port = ra_rpc_server_get_port(ts->server);

    ts->epm = ra_epm_new();
    ra_epm_register_service(ts->epm, ts->server);
    /* The exporter first, then the resolver that calls it back on expiry, then attach them
     * (the order `ratool serve` uses). */
    RaDcomServerConfig dc;
    ra_dcom_server_config_init(&dc);
    dc.rpc = ts->server;
    dc.epm = ts->epm;
    dc.log = on_log;
    dc.log_user_data = ts;
    ts->dcom = ra_dcom_server_new(&dc, ts->port);
    RaOxidConfig oc;
    ra_oxid_config_init(&oc);
    oc.context = ts->context;
    if (options->ping_period_ms)
        oc.ping_period_ms = options->ping_period_ms;
    oc.oid_expired = ra_dcom_server_oid_expired;
    oc.user_data = ts->dcom;
    ts->oxid = ra_oxid_resolver_new(&oc);
    ra_oxid_register_service(ts->oxid, ts->server);
    ra_dcom_server_attach_resolver(ts->dcom, ts->oxid);
    ra_epm_add_endpoint(ts->epm, &ra_oxid_syntax, NULL, ts->port, "OXID resolver");

    RaRaiServerConfig rc;
    ra_rai_server_config_init(&rc);
    if (options->flavor)
        g_assert_true(ra_rai_flavor_parse(options->flavor, &rc.flavor));
    rc.sessions = ts->sessions;
    rc.offers_disabled = options->offers_disabled;
    if (options->offer_lifetime_s)
        rc.offer_lifetime_s = options->offer_lifetime_s;
    rc.listener_port = options->listener_port ? options->listener_port : 3389;
    rc.on_offer = on_offer;
    rc.user_data = ts;
    ts->rai = ra_rai_server_new(&rc, ts->dcom);
    ts->thread = g_thread_new("rai-server", thread_main, ts);
    return ts;
}

guint16 rai_test_server_port(RaiTestServer *ts)
{
    return ts->port;
}

typedef struct {
    GSourceFunc func;
    gpointer data;
    GMutex lock;
    GCond cond;
    gboolean done;
} RunData;

static gboolean run_in_thread(gpointer p)
{
    RunData *r = p;
    r->func(r->data);
    g_mutex_lock(&r->lock);
    r->done = TRUE;
    g_cond_signal(&r->cond);
    g_mutex_unlock(&r->lock);
    return G_SOURCE_REMOVE;
}

/* Runs func(data) on the server thread and waits for it. */
static void run_on_server(RaiTestServer *ts, GSourceFunc func, gpointer data)
{
    RunData r = {0};
    r.func = func;
    r.data = data;
    g_mutex_init(&r.lock);
    g_cond_init(&r.cond);
    g_main_context_invoke(ts->context, run_in_thread, &r);
    g_mutex_lock(&r.lock);
    while (!r.done)
        g_cond_wait(&r.cond, &r.lock);
    g_mutex_unlock(&r.lock);
    g_mutex_clear(&r.lock);
    g_cond_clear(&r.cond);
}

static gboolean quit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

void rai_test_server_stop(RaiTestServer *ts)
{
    g_main_context_invoke(ts->context, quit, ts->loop);
    g_thread_join(ts->thread);
    ra_rpc_server_free(ts->server);
    ra_rai_server_free(ts->rai);
    ra_dcom_server_free(ts->dcom);
    ra_oxid_resolver_free(ts->oxid);
    ra_epm_free(ts->epm);
    ra_accounts_free(ts->accounts);
    ra_session_table_free(ts->sessions);
    g_main_loop_unref(ts->loop);
    g_main_context_unref(ts->context);
    g_string_free(ts->log, TRUE);
    g_mutex_clear(&ts->log_lock);
    g_free(ts);
}

gchar *rai_test_server_log(RaiTestServer *ts)
{
    g_mutex_lock(&ts->log_lock);
    gchar *copy = g_strdup(ts->log->str);
    g_mutex_unlock(&ts->log_lock);
    return copy;
}

gboolean rai_test_server_log_contains(RaiTestServer *ts, const char *text)
{
    gchar *log = rai_test_server_log(ts);
    gboolean found = strstr(log, text) != NULL;
    g_free(log);
    return found;
}

typedef struct {
    RaiTestServer *ts;
    RaiTestServerStats *stats;
} StatsData;

static gboolean get_stats(gpointer p)
{
    StatsData *d = p;
    RaDcomServerStats ds;
    ra_dcom_server_get_stats(d->ts->dcom, &ds);
    RaRpcServerStats rs;
    ra_rpc_server_get_stats(d->ts->server, &rs);
    RaiTestServerStats *st = d->stats;
    st->objects = ds.objects;
    st->ipids = ds.ipids;
    st->activations = ds.activations;
    st->refusals = ds.refusals;
    st->released = ds.released;
    st->expired = ds.expired;
    st->offers = ra_rai_server_offers(d->ts->rai)->len;
    st->associations = rs.associations;
    st->calls = rs.calls;
    st->faults = rs.faults;
    st->open_associations = rs.open_associations;
    return G_SOURCE_REMOVE;
}

void rai_test_server_stats(RaiTestServer *ts, RaiTestServerStats *stats)
{
    StatsData d = {ts, stats};
    run_on_server(ts, get_stats, &d);
}

static gboolean expire_now(gpointer p)
{
    ra_oxid_expire_now(((RaiTestServer *)p)->oxid);
    return G_SOURCE_REMOVE;
}

void rai_test_server_expire(RaiTestServer *ts)
{
    run_on_server(ts, expire_now, ts);
}

typedef struct {
    RaiTestServer *ts;
    guint32 session;
} WithdrawData;

static gboolean withdraw(gpointer p)
{
    WithdrawData *d = p;
    ra_rai_server_withdraw(d->ts->rai, d->session);
    return G_SOURCE_REMOVE;
}

void rai_test_server_withdraw(RaiTestServer *ts, guint32 session_id)
{
    WithdrawData d = {ts, session_id};
    run_on_server(ts, withdraw, &d);
}
