/*
 * Test helper: a complete novice - RPC server, endpoint mapper, OXID resolver, DCOM exporter and
 * the MS-RAI classes - on its own thread and main context, listening on a free loopback port.
 * Used by test-rai-server, the fault-injection and capture tests and the serve/offer benchmark.
 *
 * The header is opaque (no rpc-server.h): tests see only the port, the log and the offers.
 */
#ifndef RAI_TEST_SERVER_H
#define RAI_TEST_SERVER_H

#include <glib.h>

/* Accounts of every test novice. */
#define RAI_TEST_DOMAIN          "CONTOSO"
#define RAI_TEST_HELPER          "expert"
#define RAI_TEST_HELPER_PASSWORD "Exp3rt-Pw!"
#define RAI_TEST_USER            "mallory" /* an account that is not a helper */
#define RAI_TEST_USER_PASSWORD   "M4llory-Pw"

typedef struct {
    const char *flavor;   /* "vista", "xp", "both" (NULL = both) */
    const char *sessions; /* a key file under $RAI_TESTDATA/sessions (NULL = example.ini) */
    gboolean offers_disabled;
    guint ping_period_ms;   /* 0 = the resolver's default */
    guint offer_lifetime_s; /* 0 = default */
    guint16 listener_port;  /* 0 = 3389 (fixed, so that tests can check it) */
    guint max_connections;  /* 0 = default */
} RaiTestServerOptions;

typedef struct RaiTestServer RaiTestServer;

/* Starts a novice; aborts the test on failure. options may be NULL. */
RaiTestServer *rai_test_server_start(const RaiTestServerOptions *options);
guint16 rai_test_server_port(RaiTestServer *ts);
void rai_test_server_stop(RaiTestServer *ts);

/* Everything logged so far (server, DCOM and offers), one line each. */
gboolean rai_test_server_log_contains(RaiTestServer *ts, const char *text);
gchar *rai_test_server_log(RaiTestServer *ts);

typedef struct {
    guint objects, ipids;
    guint64 activations, refusals, released, expired;
    guint offers; /* live */
    guint64 associations, calls, faults;
    guint open_associations;
} RaiTestServerStats;
void rai_test_server_stats(RaiTestServer *ts, RaiTestServerStats *stats);

/* Runs the resolver's expiry check now (on the server thread). */
void rai_test_server_expire(RaiTestServer *ts);
/* Forgets the pending offer of a session. */
void rai_test_server_withdraw(RaiTestServer *ts, guint32 session_id);

#endif
