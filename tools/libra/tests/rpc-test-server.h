/*
 * Test helper: an RPC server (endpoint mapper, OXID resolver and a test interface) running on its
 * own thread and main context, listening on a free loopback port. Used by the RPC tests, the
 * fault-injection test, the tshark test and the benchmark.
 */
#ifndef RPC_TEST_SERVER_H
#define RPC_TEST_SERVER_H

#include "ra/epm.h"
#include "ra/oxid.h"
#include "ra/rpc-server.h"

/* The test interface, 6e7f0a52-9b3c-4d1e-8f20-5a6b7c8d9e0f v1.2. Opnums:
 *   0 echo:     returns the request stub (anonymous: callable at any level, as is 3)
 *   1 fault:    faults with the u32 status in the stub
 *   2 whoami:   returns "DOMAIN\user|level|helper" (UTF-8, no NUL); "|1|0" unauthenticated
 *   3 blob:     returns u32-in-stub bytes of a pattern (i * 7 + 3) & 0xff
 *   4 object:   returns the 16-byte object UUID (PFC_OBJECT_UUID) or 16 zero bytes
 * and opnums 5..9 exist but fault with nca_s_fault_cant_perform; 10 and up do not exist. */
extern const RaSyntaxId test_iface_syntax;
#define TEST_IFACE_N_OPNUMS 10

#define TEST_DOMAIN          "CONTOSO"
#define TEST_USER            "alice"
#define TEST_PASSWORD        "S3cret-Pw!x"
#define TEST_HELPER          "helen"
#define TEST_HELPER_PASSWORD "H3lper-Pw"
#define TEST_OXID            G_GUINT64_CONSTANT(0x0123456789abcdef)

typedef struct {
    GMainContext *context;
    GMainLoop *loop;
    GThread *thread;
    RaAccounts *accounts;
    RaRpcServer *server;
    RaEpm *epm;
    RaOxidResolver *oxid;
    RaUuid rem_unknown;
    guint16 port;
    GMutex log_lock;
    GString *log; /* every log line */
    gint expired; /* OIDs reported expired */
} TestServer;

/* Starts a server on 127.0.0.1 (or `address`) with min_level, limits (NULL: defaults), and ping
 * period (0: default). Aborts the test on failure. */
TestServer *test_server_start_full(const char *address, guint8 min_level, const RaTcpLimits *limits,
                                   guint ping_period_ms);
TestServer *test_server_start(guint8 min_level);
/* Runs func(data) on the server thread and waits for it. */
void test_server_run(TestServer *ts, GSourceFunc func, gpointer data);
void test_server_stats(TestServer *ts, RaRpcServerStats *stats);
gboolean test_server_log_contains(TestServer *ts, const char *text);
guint test_server_open_connections(TestServer *ts);
void test_server_stop(TestServer *ts);

#endif
