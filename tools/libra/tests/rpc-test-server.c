/* The test RPC server (see rpc-test-server.h). */
#include "rpc-test-server.h"

#include "ra/ndr.h"

#include <string.h>

const RaSyntaxId test_iface_syntax = {
    RA_UUID_INIT(0x6e7f0a52, 0x9b3c, 0x4d1e, 0x8f, 0x20, 0x5a, 0x6b, 0x7c, 0x8d, 0x9e, 0x0f), 1, 2};

static guint32 test_dispatch(RaRpcCall *call, gpointer user_data)
{
    switch (call->opnum) {
    case 0:
        call->response = g_bytes_new(call->stub, call->stub_len);
        return 0;
    case 1: {
        if (call->stub_len < 4)
            return RA_NCA_S_FAULT_NDR;
        guint32 status;
        memcpy(&status, call->stub, 4);
        return GUINT32_FROM_LE(status);
    }
    case 2: {
        gchar *who =
            g_strdup_printf("%s\\%s|%u|%d", call->identity.domain ? call->identity.domain : "",
                            call->identity.user ? call->identity.user : "",
                            call->identity.auth_level, call->identity.helper);
        call->response = g_bytes_new_take(who, strlen(who));
        return 0;
    }
    case 3: {
        if (call->stub_len < 4)
            return RA_NCA_S_FAULT_NDR;
        guint32 n;
        memcpy(&n, call->stub, 4);
        n = GUINT32_FROM_LE(n);
        if (n > 16 * 1024 * 1024)
            return RA_NCA_S_FAULT_REMOTE_NO_MEMORY;
        guint8 *p = g_malloc(n ? n : 1);
        for (guint32 i = 0; i < n; i++)
            p[i] = (guint8)((i * 7 + 3) & 0xff);
        call->response = g_bytes_new_take(p, n);
        return 0;
    }
    case 4: {
        guint8 out[16] = {0};
        if (call->has_object)
            ra_uuid_to_le(&call->object, out);
        call->response = g_bytes_new(out, 16);
        return 0;
    }
    default:
        return RA_NCA_S_FAULT_CANT_PERFORM;
    }
}

static void on_log(RaRpcLogLevel level, const char *peer, const char *message, gpointer data)
{
    TestServer *ts = data;
    g_mutex_lock(&ts->log_lock);
    g_string_append_printf(ts->log, "%s %s\n", peer ? peer : "-", message);
    g_mutex_unlock(&ts->log_lock);
    if (g_getenv("TEST_SERVER_LOG") != NULL)
        g_printerr("server: %s %s\n", peer ? peer : "-", message);
}

static void on_expired(guint64 oxid, guint64 oid, gpointer data)
{
    TestServer *ts = data;
    g_atomic_int_inc(&ts->expired);
}

static gpointer thread_main(gpointer data)
{
    TestServer *ts = data;
    g_main_context_push_thread_default(ts->context);
    g_main_loop_run(ts->loop);
    g_main_context_pop_thread_default(ts->context);
    return NULL;
}

TestServer *test_server_start_full(const char *address, guint8 min_level, const RaTcpLimits *limits,
                                   guint ping_period_ms)
{
    TestServer *ts = g_new0(TestServer, 1);
    g_mutex_init(&ts->log_lock);
    ts->log = g_string_new(NULL);
    ts->context = g_main_context_new();
    ts->loop = g_main_loop_new(ts->context, FALSE);
    ts->accounts = ra_accounts_new();
    g_assert_true(ra_accounts_add_spec(ts->accounts, TEST_DOMAIN "\\" TEST_USER ":" TEST_PASSWORD,
                                       FALSE, NULL));
    g_assert_true(ra_accounts_add_spec(
        ts->accounts, TEST_DOMAIN "\\" TEST_HELPER ":" TEST_HELPER_PASSWORD, TRUE, NULL));

    RaRpcServerConfig config;
    ra_rpc_server_config_init(&config);
    config.accounts = ts->accounts;
    config.min_auth_level = min_level;
    config.computer_name = "NOVICE";
    config.log = on_log;
    config.log_user_data = ts;
    ts->server = ra_rpc_server_new(&config);
    GError *error = NULL;
    g_assert_true(ra_rpc_server_listen(ts->server, ts->context, limits,
                                       address ? address : "127.0.0.1", 0, &error));
    g_assert_no_error(error);
    ts->port = ra_rpc_server_get_port(ts->server);

    ts->epm = ra_epm_new();
    ra_epm_register_service(ts->epm, ts->server);
    RaOxidConfig oc;
    ra_oxid_config_init(&oc);
    oc.context = ts->context;
    if (ping_period_ms != 0)
        oc.ping_period_ms = ping_period_ms;
    oc.oid_expired = on_expired;
    oc.user_data = ts;
    ts->oxid = ra_oxid_resolver_new(&oc);
    ra_oxid_register_service(ts->oxid, ts->server);
    ra_uuid_generate(&ts->rem_unknown);
    g_assert_true(ra_oxid_add(ts->oxid, TEST_OXID, &ts->rem_unknown, RA_AUTH_LEVEL_PKT_PRIVACY, 0));

    RaRpcInterface iface = {
        .id = test_iface_syntax,
        .name = "ITest",
        .n_opnums = TEST_IFACE_N_OPNUMS,
        .dispatch = test_dispatch,
        .user_data = ts,
        .anonymous_opnums = (1u << 0) | (1u << 3),
    };
    ra_rpc_server_register(ts->server, &iface);
    ra_epm_add_endpoint(ts->epm, &ra_oxid_syntax, NULL, ts->port, "OXID resolver");
    ra_epm_add_endpoint(ts->epm, &test_iface_syntax, NULL, ts->port, "test interface");
    ts->thread = g_thread_new("rpc-server", thread_main, ts);
    return ts;
}

TestServer *test_server_start(guint8 min_level)
{
    return test_server_start_full(NULL, min_level, NULL, 0);
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

void test_server_run(TestServer *ts, GSourceFunc func, gpointer data)
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

typedef struct {
    TestServer *ts;
    RaRpcServerStats stats;
    guint open;
} StatsData;

static gboolean get_stats(gpointer p)
{
    StatsData *d = p;
    ra_rpc_server_get_stats(d->ts->server, &d->stats);
    d->open = d->stats.open_associations;
    return G_SOURCE_REMOVE;
}

void test_server_stats(TestServer *ts, RaRpcServerStats *stats)
{
    StatsData d = {0};
    d.ts = ts;
    test_server_run(ts, get_stats, &d);
    *stats = d.stats;
}

guint test_server_open_connections(TestServer *ts)
{
    RaRpcServerStats st;
    test_server_stats(ts, &st);
    return st.open_associations;
}

gboolean test_server_log_contains(TestServer *ts, const char *text)
{
    g_mutex_lock(&ts->log_lock);
    gboolean found = strstr(ts->log->str, text) != NULL;
    g_mutex_unlock(&ts->log_lock);
    return found;
}

static gboolean stop_in_thread(gpointer p)
{
    TestServer *ts = p;
    ra_rpc_server_free(ts->server);
    ra_oxid_resolver_free(ts->oxid);
    ra_epm_free(ts->epm);
    g_main_loop_quit(ts->loop);
    return G_SOURCE_REMOVE;
}

void test_server_stop(TestServer *ts)
{
    g_main_context_invoke(ts->context, stop_in_thread, ts);
    g_thread_join(ts->thread);
    g_main_loop_unref(ts->loop);
    g_main_context_unref(ts->context);
    ra_accounts_free(ts->accounts);
    g_mutex_clear(&ts->log_lock);
    g_string_free(ts->log, TRUE);
    g_free(ts);
}
