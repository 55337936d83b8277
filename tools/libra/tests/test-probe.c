/*
 * ra/probe.h against the in-process test novice (rai-test-server.h): a healthy novice of each
 * flavor, an account outside the helpers group, a wrong password, offers disabled by policy, no
 * credentials, a closed port; the steps are reported in order, each with evidence, the cause and
 * the next thing to try where it failed; and the novice never sees an offer.
 * (tools/ratool/tests/probe-serve.py covers the same against `ratool serve`, with the failures
 * only serve can be configured for: an extra advertised binding, the minimum level.)
 */
#include "ra/probe.h"
#include "ra/troubleshoot.h"
#include "rai-test-server.h"

#include <gio/gio.h>
#include <string.h>

typedef struct {
    guint n;
    RaProbeStepId order[RA_PROBE_N_STEPS];
} Seen;

static void on_step(const RaProbeStep *s, gpointer data)
{
    Seen *seen = data;
    g_assert_cmpuint(seen->n, <, RA_PROBE_N_STEPS);
    seen->order[seen->n++] = s->id;
    g_assert_nonnull(s->evidence);
    g_assert_cmpuint(strlen(s->evidence), >, 0);
}

static RaProbeResult *run(guint16 port, const char *user, const char *password)
{
    RaProbeConfig config = {0};
    config.host = "127.0.0.1";
    config.port = port;
    config.timeout_ms = 5000;
    config.domain = RAI_TEST_DOMAIN;
    config.user = user;
    config.password = password;
    Seen seen = {0};
    config.on_step = on_step;
    config.user_data = &seen;
    RaProbeResult *r = ra_probe_run(&config);
    /* Every step, once, in order. */
    g_assert_cmpuint(seen.n, ==, RA_PROBE_N_STEPS);
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++) {
        g_assert_cmpint(seen.order[i], ==, i);
        const RaProbeStep *s = &r->steps[i];
        g_assert_cmpint(s->id, ==, i);
        if (s->status == RA_PROBE_FAIL) {
            g_assert_cmpint(s->trouble, >=, 0);
            g_assert_nonnull(s->next);
        }
        if (s->status == RA_PROBE_PASS)
            g_assert_null(s->next);
    }
    g_assert_nonnull(r->verdict);
    g_assert_null(strchr(r->verdict, '\n'));
    return r;
}

static RaProbeResult *run_against(const RaiTestServerOptions *options, const char *user,
                                  const char *password)
{
    RaiTestServer *ts = rai_test_server_start(options);
    RaProbeResult *r = run(rai_test_server_port(ts), user, password);
    /* Never an offer: no connection string handed out, no offer method called. */
    RaiTestServerStats st;
    rai_test_server_stats(ts, &st);
    g_assert_cmpuint(st.offers, ==, 0);
    g_assert_false(rai_test_server_log_contains(ts, "GetNoviceUserInfo"));
    g_assert_false(rai_test_server_log_contains(ts, "RemoteConnectionParms"));
    /* Every object it activated released. */
    g_assert_cmpuint(st.objects, ==, 0);
    rai_test_server_stop(ts);
    return r;
}

static void assert_status(const RaProbeResult *r, RaProbeStepId id, RaProbeStatus status)
{
    if (r->steps[id].status != status)
        g_error("step %s: %s, expected %s: %s", ra_probe_step_key(id),
                ra_probe_status_name(r->steps[id].status), ra_probe_status_name(status),
                r->steps[id].evidence);
}

static void assert_fails_at(const RaProbeResult *r, RaProbeStepId id, RaTroubleId trouble)
{
    assert_status(r, id, RA_PROBE_FAIL);
    g_assert_cmpint(r->first_failure, ==, id);
    g_assert_cmpint(r->steps[id].trouble, ==, trouble);
    g_assert_cmpint(ra_probe_exit_status(r), ==, RA_PROBE_EXIT_BASE + id);
    g_assert_true(g_str_has_prefix(r->verdict, "FAIL at "));
    g_assert_nonnull(strstr(r->verdict, ra_probe_step_key(id)));
}

static void test_names(void)
{
    g_assert_cmpstr(ra_probe_step_key(RA_PROBE_TCP), ==, "tcp");
    g_assert_cmpstr(ra_probe_step_key(RA_PROBE_SESSIONS), ==, "sessions");
    g_assert_cmpstr(ra_probe_step_key(RA_PROBE_N_STEPS), ==, "?");
    g_assert_cmpstr(ra_probe_status_name(RA_PROBE_WARN), ==, "WARN");
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++)
        g_assert_cmpuint(strlen(ra_probe_step_title((RaProbeStepId)i)), >, 0);
    /* The exit statuses the man page documents. */
    g_assert_cmpint(RA_PROBE_EXIT_BASE + RA_PROBE_TCP, ==, 10);
    g_assert_cmpint(RA_PROBE_EXIT_BASE + RA_PROBE_AUTH, ==, 13);
    g_assert_cmpint(RA_PROBE_EXIT_BASE + RA_PROBE_HELPERS, ==, 16);
    g_assert_cmpint(RA_PROBE_EXIT_BASE + RA_PROBE_BINDINGS, ==, 17);
    g_assert_cmpint(RA_PROBE_EXIT_BASE + RA_PROBE_SESSIONS, ==, 19);
}

static void test_healthy(void)
{
    g_autoptr(RaProbeResult) r = run_against(NULL, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++)
        assert_status(r, (RaProbeStepId)i, RA_PROBE_PASS);
    g_assert_cmpint(ra_probe_exit_status(r), ==, 0);
    g_assert_true(g_str_has_prefix(r->verdict, "OK: "));
    g_assert_nonnull(strstr(r->steps[RA_PROBE_SESSIONS].evidence, "alice"));
    g_assert_nonnull(strstr(r->steps[RA_PROBE_AUTH].evidence, "PKT_PRIVACY"));
}

static void test_flavors(void)
{
    RaiTestServerOptions xp = {.flavor = "xp"};
    g_autoptr(RaProbeResult) r = run_against(&xp, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
    assert_status(r, RA_PROBE_RASRV, RA_PROBE_WARN);
    g_assert_cmpint(r->steps[RA_PROBE_RASRV].trouble, ==, RA_TS_XP_NOVICE);
    assert_status(r, RA_PROBE_PCHSERVICE, RA_PROBE_PASS);
    assert_status(r, RA_PROBE_SESSIONS, RA_PROBE_PASS);
    /* The session states come from ISAFSession. */
    g_assert_nonnull(strstr(r->steps[RA_PROBE_SESSIONS].evidence, "(active)"));
    g_assert_cmpint(ra_probe_exit_status(r), ==, 0);
    g_assert_true(g_str_has_prefix(r->verdict, "OK with a warning at rasrv"));

    RaiTestServerOptions vista = {.flavor = "vista"};
    g_autoptr(RaProbeResult) v = run_against(&vista, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
    assert_status(v, RA_PROBE_RASRV, RA_PROBE_PASS);
    assert_status(v, RA_PROBE_PCHSERVICE, RA_PROBE_SKIP);
    assert_status(v, RA_PROBE_POLICY, RA_PROBE_SKIP);
    g_assert_cmpint(ra_probe_exit_status(v), ==, 0);
}

static void test_refusals(void)
{
    g_autoptr(RaProbeResult) user = run_against(NULL, RAI_TEST_USER, RAI_TEST_USER_PASSWORD);
    assert_status(user, RA_PROBE_AUTH, RA_PROBE_PASS);
    assert_fails_at(user, RA_PROBE_HELPERS, RA_TS_NOT_HELPER);

    g_autoptr(RaProbeResult) wrong = run_against(NULL, RAI_TEST_HELPER, "wrong");
    assert_fails_at(wrong, RA_PROBE_AUTH, RA_TS_AUTH_WRONG_PASSWORD);
    assert_status(wrong, RA_PROBE_RASRV, RA_PROBE_SKIP);

    RaiTestServerOptions disabled = {.offers_disabled = TRUE};
    g_autoptr(RaProbeResult) policy =
        run_against(&disabled, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
    assert_fails_at(policy, RA_PROBE_POLICY, RA_TS_OFFERS_DISABLED);
}

static void test_no_credentials(void)
{
    g_autoptr(RaProbeResult) r = run_against(NULL, NULL, NULL);
    g_assert_false(r->credentials);
    assert_status(r, RA_PROBE_RESOLVER, RA_PROBE_PASS);
    assert_status(r, RA_PROBE_AUTH, RA_PROBE_SKIP);
    assert_status(r, RA_PROBE_BINDINGS, RA_PROBE_PASS);
    assert_status(r, RA_PROBE_SESSIONS, RA_PROBE_SKIP);
    g_assert_cmpint(ra_probe_exit_status(r), ==, 0);
    g_assert_true(g_str_has_prefix(r->verdict, "OK so far"));
}

static void test_closed_port(void)
{
    /* A port nothing listens on: bound, never listened to. */
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, sa, FALSE, NULL));
    GSocketAddress *bound = g_socket_get_local_address(s, NULL);
    guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_autoptr(RaProbeResult) r = run(port, RAI_TEST_HELPER, RAI_TEST_HELPER_PASSWORD);
    assert_fails_at(r, RA_PROBE_TCP, RA_TS_TCP_REFUSED);
    for (guint i = RA_PROBE_EPM; i < RA_PROBE_N_STEPS; i++)
        assert_status(r, (RaProbeStepId)i, RA_PROBE_SKIP);
    g_object_unref(bound);
    g_object_unref(sa);
    g_object_unref(lo);
    g_object_unref(s);
}

static void test_unresolved(void)
{
    RaProbeConfig config = {0};
    config.host = "name-that-does-not-resolve.invalid";
    config.timeout_ms = 2000;
    g_autoptr(RaProbeResult) r = ra_probe_run(&config);
    assert_fails_at(r, RA_PROBE_TCP, RA_TS_NAME_UNRESOLVED);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/probe/names", test_names);
    g_test_add_func("/probe/healthy", test_healthy);
    g_test_add_func("/probe/flavors", test_flavors);
    g_test_add_func("/probe/refusals", test_refusals);
    g_test_add_func("/probe/no-credentials", test_no_credentials);
    g_test_add_func("/probe/closed-port", test_closed_port);
    g_test_add_func("/probe/unresolved", test_unresolved);
    return g_test_run();
}
