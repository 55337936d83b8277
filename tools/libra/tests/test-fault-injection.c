/*
 * Fault injection over real sockets: hostile clients against the threaded server - truncated
 * PDUs, lying frag_length and alloc_hint, huge fragment counts, unknown ptypes, bad auth_length,
 * replayed sequence numbers, slow and silent clients, garbage, a connection flood. After each
 * attack a well-behaved client must still get its answers, and in the end every association
 * is gone (the sanitizer build adds: no memory error, no leak).
 */
#include "rpc-test-server.h"

#include "ra/error.h"
#include "ra/pdu.h"
#include "ra/rpc-client.h"
#include "ra/transport.h"

#include <string.h>

static TestServer *ts;

/* A legitimate client: bind at privacy, two calls. */
static void good_client(void)
{
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    RaRpcAuth auth = {RA_AUTH_LEVEL_PKT_PRIVACY, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, NULL};
    guint16 ctx;
    g_assert_true(ra_rpc_client_bind(c, &test_iface_syntax, &auth, &ctx, &error));
    g_assert_no_error(error);
    GBytes *r = ra_rpc_client_call(c, ctx, 2, NULL, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(r, NULL), g_bytes_get_size(r), "CONTOSO\\alice|6|0", 17);
    g_bytes_unref(r);
    r = ra_rpc_client_call(c, ctx, 0, NULL, (const guint8 *)"ping", 4, &error);
    g_assert_no_error(error);
    g_bytes_unref(r);
    ra_rpc_client_free(c);
}

static GSocket *raw(void)
{
    GError *error = NULL;
    GSocket *s = ra_tcp_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    return s;
}

static void send_bytes(GSocket *s, const guint8 *d, gsize n)
{
    /* The server may already have closed: errors are fine here. */
    ra_tcp_send_all(s, d, n, NULL);
}

/*
 * Reads until the server closes (within `seconds`); returns the number of PDUs it sent first
 * and the ptype/status of the last one.
 */
static guint read_until_closed(GSocket *s, guint seconds, guint8 *last_ptype, guint32 *status)
{
    g_socket_set_timeout(s, seconds);
    guint n = 0;
    for (;;) {
        GError *error = NULL;
        GBytes *pdu = ra_tcp_read_pdu(s, 65535, &error);
        if (pdu == NULL) {
            g_assert_false(g_error_matches(error, RA_ERROR, RA_ERROR_TIMEOUT));
            g_error_free(error);
            return n;
        }
        n++;
        RaPdu p;
        if (ra_pdu_decode(g_bytes_get_data(pdu, NULL), g_bytes_get_size(pdu), &p, NULL)) {
            if (last_ptype)
                *last_ptype = p.hdr.ptype;
            if (status && p.hdr.ptype == RA_PDU_FAULT)
                *status = p.u.fault.status;
            ra_pdu_clear(&p);
        }
        g_bytes_unref(pdu);
    }
}

static GByteArray *encode(const RaPdu *pdu)
{
    GByteArray *b = g_byte_array_new();
    g_assert_true(ra_pdu_encode(pdu, b, NULL, NULL));
    return b;
}

static GByteArray *bind_bytes(const RaSyntaxId *iface)
{
    RaSyntaxId ndr = ra_syntax_ndr20;
    RaPresContext pc = {0, *iface, 1, &ndr};
    RaPdu p = {0};
    p.hdr.ptype = RA_PDU_BIND;
    p.hdr.pfc_flags = 3;
    p.hdr.call_id = 1;
    p.u.bind.max_xmit_frag = 5840;
    p.u.bind.max_recv_frag = 5840;
    p.u.bind.n_contexts = 1;
    p.u.bind.contexts = &pc;
    return encode(&p);
}

static GByteArray *request_bytes(guint32 call_id, guint8 flags, guint32 alloc_hint, gsize stub_len)
{
    guint8 *stub = g_malloc0(stub_len + 1);
    RaPdu p = {0};
    p.hdr.ptype = RA_PDU_REQUEST;
    p.hdr.pfc_flags = flags;
    p.hdr.call_id = call_id;
    p.u.request.alloc_hint = alloc_hint;
    p.u.request.opnum = 0;
    p.stub = stub;
    p.stub_len = stub_len;
    GByteArray *b = encode(&p);
    g_free(stub);
    return b;
}

/* A raw socket bound (unauthenticated) to the test interface. */
static GSocket *raw_bound(void)
{
    GSocket *s = raw();
    GByteArray *b = bind_bytes(&test_iface_syntax);
    send_bytes(s, b->data, b->len);
    g_byte_array_unref(b);
    GError *error = NULL;
    GBytes *ack = ra_tcp_read_pdu(s, 65535, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(((const guint8 *)g_bytes_get_data(ack, NULL))[2], ==, RA_PDU_BIND_ACK);
    g_bytes_unref(ack);
    return s;
}

static void test_truncated(void)
{
    GByteArray *b = bind_bytes(&ra_oxid_syntax);
    /* Half a bind, then the client goes away. */
    GSocket *s = raw();
    send_bytes(s, b->data, b->len / 2);
    g_object_unref(s);
    good_client();
    /* Half a bind, and the client stays silent: the PDU deadline closes it. */
    s = raw();
    send_bytes(s, b->data, b->len / 2);
    g_assert_cmpuint(read_until_closed(s, 5, NULL, NULL), ==, 0);
    g_object_unref(s);
    /* Only a header announcing 65535 bytes. */
    s = raw();
    guint8 h[16] = {5, 0, 0, 3, 0x10, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0};
    send_bytes(s, h, sizeof h);
    good_client();
    g_assert_cmpuint(read_until_closed(s, 5, NULL, NULL), ==, 0);
    g_object_unref(s);
    g_byte_array_unref(b);
    g_assert_true(test_server_log_contains(ts, "slow client"));
}

static void test_slow_client(void)
{
    /* A valid bind, one byte every 100 ms for 2 s: over the 1 s PDU deadline. */
    GByteArray *b = bind_bytes(&ra_oxid_syntax);
    GSocket *s = raw();
    for (guint i = 0; i < 20; i++) {
        send_bytes(s, b->data + i, 1);
        if (i % 5 == 0)
            good_client(); /* others are served meanwhile */
        g_usleep(100000);
    }
    g_assert_cmpuint(read_until_closed(s, 5, NULL, NULL), ==, 0);
    g_object_unref(s);
    g_byte_array_unref(b);
}

static void test_lying_frag_length(void)
{
    /* frag_length shorter than the bind it heads: the 20-byte "bind" is refused. */
    GByteArray *b = bind_bytes(&ra_oxid_syntax);
    b->data[8] = 20;
    b->data[9] = 0;
    GSocket *s = raw();
    send_bytes(s, b->data, b->len);
    guint8 ptype = 0;
    guint32 status = 0;
    g_assert_cmpuint(read_until_closed(s, 5, &ptype, &status), ==, 1);
    g_assert_cmpuint(ptype, ==, RA_PDU_FAULT);
    g_assert_cmphex(status, ==, RA_NCA_PROTO_ERROR);
    g_object_unref(s);
    /* frag_length below the header size: the stream is dropped. */
    b->data[8] = 8;
    s = raw();
    send_bytes(s, b->data, b->len);
    g_assert_cmpuint(read_until_closed(s, 5, NULL, NULL), ==, 0);
    g_object_unref(s);
    g_byte_array_unref(b);
    good_client();
}

static void test_lying_alloc_hint(void)
{
    GSocket *s = raw_bound();
    GByteArray *r = request_bytes(2, RA_PFC_FIRST_FRAG, 0xfffffff0u, 64);
    send_bytes(s, r->data, r->len);
    guint32 status = 0;
    g_assert_cmpuint(read_until_closed(s, 5, NULL, &status), ==, 1);
    g_assert_cmphex(status, ==, RA_NCA_S_FAULT_REMOTE_NO_MEMORY);
    g_byte_array_unref(r);
    g_object_unref(s);
    /* An alloc_hint of 0 (allowed: a hint) on a normal call works. */
    s = raw_bound();
    r = request_bytes(2, 3, 0, 64);
    send_bytes(s, r->data, r->len);
    GError *error = NULL;
    GBytes *resp = ra_tcp_read_pdu(s, 65535, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(((const guint8 *)g_bytes_get_data(resp, NULL))[2], ==, RA_PDU_RESPONSE);
    g_bytes_unref(resp);
    g_byte_array_unref(r);
    g_object_unref(s);
    good_client();
}

static void test_huge_fragment_count(void)
{
    GSocket *s = raw_bound();
    /* 5000 first-and-middle fragments of one call, in one burst. */
    GByteArray *all = g_byte_array_new();
    for (int i = 0; i < 5000; i++) {
        GByteArray *f = request_bytes(7, i == 0 ? RA_PFC_FIRST_FRAG : 0, 16, 8);
        g_byte_array_append(all, f->data, f->len);
        g_byte_array_unref(f);
    }
    send_bytes(s, all->data, all->len);
    guint32 status = 0;
    g_assert_cmpuint(read_until_closed(s, 10, NULL, &status), ==, 1);
    g_assert_cmphex(status, ==, RA_NCA_S_FAULT_REMOTE_NO_MEMORY);
    g_byte_array_unref(all);
    g_object_unref(s);
    good_client();
}

static void test_unknown_ptypes(void)
{
    guint8 ptypes[] = {1, 4, 9, 20, 99, 255, RA_PDU_BIND_ACK, RA_PDU_SHUTDOWN};
    for (gsize i = 0; i < G_N_ELEMENTS(ptypes); i++) {
        GSocket *s = i % 2 ? raw_bound() : raw();
        guint8 pdu[32] = {5, 0, ptypes[i], 3, 0x10, 0, 0, 0, 32, 0, 0, 0, 5, 0, 0, 0};
        send_bytes(s, pdu, sizeof pdu);
        guint32 status = 0;
        g_assert_cmpuint(read_until_closed(s, 5, NULL, &status), ==, 1);
        g_assert_cmphex(status, ==, RA_NCA_PROTO_ERROR);
        g_object_unref(s);
    }
    good_client();
}

static void test_bad_auth_length(void)
{
    guint16 lengths[] = {1, 7, 0x7fff, 0xffff};
    for (gsize i = 0; i < G_N_ELEMENTS(lengths); i++) {
        GSocket *s = raw_bound();
        GByteArray *r = request_bytes(2, 3, 64, 64);
        r->data[10] = lengths[i] & 0xff;
        r->data[11] = lengths[i] >> 8;
        send_bytes(s, r->data, r->len);
        guint32 status = 0;
        g_assert_cmpuint(read_until_closed(s, 5, NULL, &status), ==, 1);
        /* Past the PDU: undecodable. Within it: a verifier for a security context that does
         * not exist. Either way a fault, and the association is closed. */
        if (lengths[i] > r->len)
            g_assert_cmphex(status, ==, RA_NCA_PROTO_ERROR);
        else
            g_assert_cmphex(status, ==, RA_NCA_S_FAULT_ACCESS_DENIED);
        g_byte_array_unref(r);
        g_object_unref(s);
    }
    good_client();
}

typedef struct {
    GByteArray *last_sent;
} Trace;

static void on_trace(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    Trace *t = data;
    if (sent && len > 2 && pdu[2] == RA_PDU_REQUEST) {
        g_byte_array_set_size(t->last_sent, 0);
        g_byte_array_append(t->last_sent, pdu, (guint)len);
    }
}

static void test_replayed_sequence(void)
{
    guint8 levels[] = {RA_AUTH_LEVEL_PKT_INTEGRITY, RA_AUTH_LEVEL_PKT_PRIVACY};
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        GError *error = NULL;
        RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
        Trace t = {g_byte_array_new()};
        ra_rpc_client_set_trace(c, on_trace, &t);
        RaRpcAuth auth = {levels[i], TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, NULL};
        guint16 ctx;
        g_assert_true(ra_rpc_client_bind(c, &test_iface_syntax, &auth, &ctx, &error));
        GBytes *r = ra_rpc_client_call(c, ctx, 0, NULL, (const guint8 *)"once", 4, &error);
        g_assert_no_error(error);
        g_bytes_unref(r);
        /* The same signed request again, byte for byte. */
        g_assert_true(ra_rpc_client_send_raw(c, t.last_sent->data, t.last_sent->len, &error));
        GBytes *fault = ra_rpc_client_read_pdu(c, &error);
        g_assert_no_error(error);
        RaPdu p;
        g_assert_true(
            ra_pdu_decode(g_bytes_get_data(fault, NULL), g_bytes_get_size(fault), &p, NULL));
        g_assert_cmpuint(p.hdr.ptype, ==, RA_PDU_FAULT);
        g_assert_cmphex(p.u.fault.status, ==, RA_NCA_S_FAULT_SEC_PKG_ERROR);
        ra_pdu_clear(&p);
        g_bytes_unref(fault);
        /* ... and the association is closed. */
        g_assert_null(ra_rpc_client_read_pdu(c, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_IO);
        g_clear_error(&error);
        g_byte_array_unref(t.last_sent);
        ra_rpc_client_free(c);
    }
    good_client();
}

static void test_garbage(void)
{
    /* A seeded pseudo-random stream that starts like a PDU header. */
    GRand *rand = g_rand_new_with_seed(4);
    for (int round = 0; round < 20; round++) {
        guint8 buf[2048];
        for (gsize i = 0; i < sizeof buf; i++)
            buf[i] = (guint8)g_rand_int(rand);
        buf[0] = 5;
        buf[1] = 0;
        buf[4] = 0x10;
        buf[8] = (guint8)g_rand_int_range(rand, 16, 255);
        buf[9] = (guint8)g_rand_int_range(rand, 0, 8);
        GSocket *s = raw();
        send_bytes(s, buf, sizeof buf);
        read_until_closed(s, 5, NULL, NULL);
        g_object_unref(s);
    }
    g_rand_free(rand);
    good_client();
}

static void test_connection_flood(void)
{
    /* Past the limit (64 here), connections are turned away; the server stays up, and serves
     * again once they are gone. Each of them also holds half a PDU. */
    GPtrArray *socks = g_ptr_array_new_with_free_func(g_object_unref);
    static const guint8 half[8] = {5, 0, 11, 3, 0x10, 0, 0, 0};
    for (int i = 0; i < 80; i++) {
        GSocket *s = raw();
        send_bytes(s, half, sizeof half);
        g_ptr_array_add(socks, s);
    }
    for (int i = 0; i < 50 && test_server_open_connections(ts) < 64; i++)
        g_usleep(10000);
    g_assert_cmpuint(test_server_open_connections(ts), ==, 64);
    g_assert_true(test_server_log_contains(ts, "too many connections"));
    g_ptr_array_unref(socks);
    for (int i = 0; i < 500 && test_server_open_connections(ts) > 0; i++)
        g_usleep(10000);
    good_client();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_connections = 64;
    limits.pdu_timeout_ms = 1000;
    limits.idle_timeout_ms = 20000;
    ts = test_server_start_full(NULL, RA_AUTH_LEVEL_PKT_PRIVACY, &limits, 0);
    g_test_add_func("/fault-injection/truncated", test_truncated);
    g_test_add_func("/fault-injection/slow-client", test_slow_client);
    g_test_add_func("/fault-injection/lying-frag-length", test_lying_frag_length);
    g_test_add_func("/fault-injection/lying-alloc-hint", test_lying_alloc_hint);
    g_test_add_func("/fault-injection/huge-fragment-count", test_huge_fragment_count);
    g_test_add_func("/fault-injection/unknown-ptypes", test_unknown_ptypes);
    g_test_add_func("/fault-injection/bad-auth-length", test_bad_auth_length);
    g_test_add_func("/fault-injection/replayed-sequence", test_replayed_sequence);
    g_test_add_func("/fault-injection/garbage", test_garbage);
    g_test_add_func("/fault-injection/connection-flood", test_connection_flood);
    int rc = g_test_run();
    /* Every association is gone; the server closed them all itself. */
    for (int i = 0; i < 500 && test_server_open_connections(ts) > 0; i++)
        g_usleep(10000);
    g_assert_cmpuint(test_server_open_connections(ts), ==, 0);
    RaRpcServerStats st;
    test_server_stats(ts, &st);
    g_assert_cmpuint(st.protocol_errors, >=, 20);
    test_server_stop(ts);
    return rc;
}
