/*
 * Unit tests of ra/rpcobserve.h on real traffic: our client talks to the test server at
 * PKT_PRIVACY (a fragmented echo, whoami, a fault, an alter_context with a second handshake, an
 * object UUID), every PDU is recorded, and the recording is fed to observers:
 *  - with the right password among wrong ones: the matching secret is named for each handshake,
 *    every stub is decrypted to exactly what was sent, fragments are reassembled;
 *  - without a password, and with only a wrong one: nothing is decrypted, and it says why;
 *  - fed one byte at a time: the same result;
 *  - with a whole PDU lost, half a PDU lost, and the start of the capture missing: the calls
 *    hit are reported with their stub missing, decryption stops where the RC4 stream broke, the
 *    stream is picked up again at the next PDU;
 *  - on bytes that are not DCE/RPC: it gives up the connection.
 */
#include "rpc-test-server.h"

#include "ra/ndr.h"
#include "ra/ntlmssp.h"
#include "ra/rpc-client.h"
#include "ra/rpcobserve.h"

#include <string.h>

typedef struct {
    int side; /* 0 client, 1 server */
    GBytes *pdu;
} Rec;

static void trace(gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    Rec *r = g_new0(Rec, 1);
    r->side = sent ? 0 : 1;
    r->pdu = g_bytes_new(pdu, len);
    g_ptr_array_add(data, r);
}

static void rec_free(gpointer p)
{
    Rec *r = p;
    g_bytes_unref(r->pdu);
    g_free(r);
}

#define ECHO_LEN 5000
static guint8 echo_stub[ECHO_LEN];
static const RaUuid test_object = {0x01020304, 0x0506, 0x0708, {9, 10}, {11, 12, 13, 14, 15, 16}};

/* Records one session. */
static GPtrArray *record(void)
{
    for (guint i = 0; i < ECHO_LEN; i++)
        echo_stub[i] = (guint8)(i * 7 + 1);
    TestServer *ts = test_server_start(RA_AUTH_LEVEL_PKT_PRIVACY);
    GPtrArray *recs = g_ptr_array_new_with_free_func(rec_free);
    GError *error = NULL;
    RaRpcClient *c = ra_rpc_client_connect("127.0.0.1", ts->port, 10000, &error);
    g_assert_no_error(error);
    ra_rpc_client_set_trace(c, trace, recs);
    ra_rpc_client_set_max_frag(c, RA_PDU_MIN_MAX_FRAG, RA_PDU_MIN_MAX_FRAG);
    RaRpcAuth auth = {
        RA_AUTH_LEVEL_PKT_PRIVACY, TEST_DOMAIN, TEST_USER, TEST_PASSWORD, NULL, "EXPERT"};
    guint16 ctx, ctx2;
    g_assert_true(ra_rpc_client_bind(c, &test_iface_syntax, &auth, &ctx, &error));
    GBytes *r = ra_rpc_client_call(c, ctx, 0, NULL, echo_stub, ECHO_LEN, &error); /* call 2 */
    g_assert_no_error(error);
    g_bytes_unref(r);
    r = ra_rpc_client_call(c, ctx, 2, NULL, NULL, 0, &error); /* whoami, call 3 */
    g_assert_no_error(error);
    g_bytes_unref(r);
    guint8 status[4] = {0x05, 0x00, 0x00, 0x00};
    r = ra_rpc_client_call(c, ctx, 1, NULL, status, 4, &error); /* fault 5, call 4 */
    g_assert_null(r);
    g_clear_error(&error);
    g_assert_true(ra_rpc_client_bind(c, &ra_epm_syntax, &auth, &ctx2, &error));
    r = ra_rpc_client_call(c, ctx, 4, &test_object, NULL, 0, &error); /* object, call 6 */
    g_assert_no_error(error);
    g_bytes_unref(r);
    ra_rpc_client_free(c);
    test_server_stop(ts);
    return recs;
}

static GPtrArray *session;

/* What an observer reported, as text lines, plus the calls' stubs. */
typedef struct {
    GString *log;
    GPtrArray *calls; /* GBytes* request, response of each call, in order */
    guint n_auth_matched;
} Seen;

static void on_bind(const RaObsBind *b, gpointer data)
{
    Seen *s = data;
    g_string_append_printf(s->log, "bind %u %s answered=%d contexts=%u accepted=%u\n", b->call_id,
                           ra_pdu_type_name(b->ptype), b->answered, b->n_contexts,
                           b->n_contexts && b->contexts[0].answered
                               ? b->contexts[0].result == RA_PDU_RESULT_ACCEPTANCE
                               : 0);
}

static void on_auth(const RaObsAuth *a, gpointer data)
{
    Seen *s = data;
    g_string_append_printf(s->log, "auth %u %s\\%s@%s key=%d secret=%d\n", a->auth_context_id,
                           a->domain ? a->domain : "-", a->user ? a->user : "-",
                           a->workstation ? a->workstation : "-", a->key, a->secret);
    if (a->key == RA_OBS_KEY_MATCHED)
        s->n_auth_matched++;
}

static void on_call(const RaObsCall *c, gpointer data)
{
    Seen *s = data;
    g_string_append_printf(s->log, "call %u opnum=%d iface=%s req=%s/%u resp=%s/%u fault=%x ans=%d",
                           c->call_id, c->has_opnum ? c->opnum : -1, c->iface ? "known" : "unknown",
                           ra_obs_stub_state_name(c->request.state), c->request.fragments,
                           ra_obs_stub_state_name(c->response.state), c->response.fragments,
                           c->fault_status, c->answered);
    if (c->has_object)
        g_string_append(s->log, " object");
    g_string_append_c(s->log, '\n');
    g_ptr_array_add(s->calls, c->request.data ? g_bytes_new(c->request.data, c->request.len)
                                              : g_bytes_new(NULL, 0));
    g_ptr_array_add(s->calls, c->response.data ? g_bytes_new(c->response.data, c->response.len)
                                               : g_bytes_new(NULL, 0));
}

static void on_note(RaObsNoteCode code, gboolean from_client, const RaObsStamp *at,
                    const char *text, gpointer data)
{
    Seen *s = data;
    g_string_append_printf(s->log, "note %d %s: %s\n", code, from_client ? "c" : "s", text);
}

static RaObsSecret secrets[2];

static void seen_init(Seen *s)
{
    s->log = g_string_new(NULL);
    s->calls = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    s->n_auth_matched = 0;
}

static void seen_clear(Seen *s)
{
    g_string_free(s->log, TRUE);
    g_ptr_array_unref(s->calls);
}

static RaRpcObserver *observer(Seen *s, guint first_secret, guint n_secrets)
{
    RaObsConfig cfg = {secrets + first_secret, n_secrets, {on_bind, on_auth, on_call, on_note}, s};
    RaRpcObserver *o = ra_rpc_observer_new(&cfg);
    return o;
}

/* Feeds the session: PDUs in order, optionally one byte at a time, with hooks. */
typedef gboolean (*FeedHook)(RaRpcObserver *o, guint index, const Rec *r, const RaObsStamp *at);

static void feed(RaRpcObserver *o, gboolean bytewise, FeedHook hook)
{
    for (guint i = 0; i < session->len; i++) {
        const Rec *r = g_ptr_array_index(session, i);
        RaObsStamp at = {i + 1, (gint64)i * 1000};
        if (hook && hook(o, i, r, &at))
            continue;
        gsize n;
        const guint8 *d = g_bytes_get_data(r->pdu, &n);
        if (bytewise) {
            for (gsize k = 0; k < n; k++)
                ra_rpc_observer_data(o, r->side, d + k, 1, &at);
        } else {
            ra_rpc_observer_data(o, r->side, d, n, &at);
        }
    }
    RaObsStamp end = {session->len + 1, 0};
    ra_rpc_observer_finish(o, &end);
}

static void check_decrypted(Seen *s)
{
    /* echo: request and response are the 5000 bytes, fragmented (1432-byte fragments). */
    g_assert_cmpuint(s->calls->len, ==, 8);
    g_assert_cmpmem(g_bytes_get_data(g_ptr_array_index(s->calls, 0), NULL),
                    g_bytes_get_size(g_ptr_array_index(s->calls, 0)), echo_stub, ECHO_LEN);
    g_assert_cmpmem(g_bytes_get_data(g_ptr_array_index(s->calls, 1), NULL),
                    g_bytes_get_size(g_ptr_array_index(s->calls, 1)), echo_stub, ECHO_LEN);
    /* whoami */
    gsize n;
    const char *who = g_bytes_get_data(g_ptr_array_index(s->calls, 3), &n);
    g_assert_true(n > 14 && memcmp(who, "CONTOSO\\alice|", 14) == 0);
    /* the object call returns the object UUID's 16 bytes */
    g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(s->calls, 7)), ==, 16);
}

static void test_with_password(void)
{
    Seen s;
    seen_init(&s);
    RaRpcObserver *o = observer(&s, 0, 2);
    ra_rpc_observer_set_client(o, 0);
    feed(o, FALSE, NULL);
    g_test_message("%s", s.log->str);
    g_assert_nonnull(strstr(s.log->str, "auth 1 CONTOSO\\alice@EXPERT key=1 secret=1\n"));
    g_assert_nonnull(strstr(s.log->str, "auth 2 CONTOSO\\alice@EXPERT key=1 secret=1\n"));
    g_assert_cmpuint(s.n_auth_matched, ==, 2);
    g_assert_nonnull(strstr(
        s.log->str, "call 2 opnum=0 iface=known req=decrypted/4 resp=decrypted/4 fault=0 ans=1\n"));
    g_assert_nonnull(
        strstr(s.log->str, "call 3 opnum=2 iface=known req=decrypted/1 resp=decrypted/1"));
    g_assert_nonnull(strstr(
        s.log->str, "call 4 opnum=1 iface=known req=decrypted/1 resp=clear/1 fault=5 ans=1\n"));
    g_assert_nonnull(strstr(
        s.log->str,
        "call 6 opnum=4 iface=known req=decrypted/1 resp=decrypted/1 fault=0 ans=1 object\n"));
    g_assert_nonnull(strstr(s.log->str, "bind 5 alter_context answered=1 contexts=1 accepted=1\n"));
    g_assert_null(strstr(s.log->str, "note"));
    check_decrypted(&s);
    g_assert_cmpint(ra_rpc_observer_client(o), ==, 0);
    ra_rpc_observer_free(o);
    seen_clear(&s);

    /* Byte by byte, and without knowing who the client is. */
    seen_init(&s);
    o = observer(&s, 0, 2);
    feed(o, TRUE, NULL);
    g_assert_cmpuint(s.n_auth_matched, ==, 2);
    check_decrypted(&s);
    g_assert_cmpint(ra_rpc_observer_client(o), ==, 0);
    ra_rpc_observer_free(o);
    seen_clear(&s);
}

static void test_without_key(void)
{
    Seen s;
    seen_init(&s);
    RaRpcObserver *o = observer(&s, 0, 0);
    feed(o, FALSE, NULL);
    g_assert_nonnull(strstr(s.log->str, "auth 1 CONTOSO\\alice@EXPERT key=0 secret=-1\n"));
    g_assert_nonnull(strstr(s.log->str, "call 2 opnum=0 iface=known req=sealed/4 resp=sealed/4"));
    g_assert_nonnull(strstr(s.log->str, "note 4 c: security context 1 is sealed"));
    g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(s.calls, 0)), ==, 0);
    ra_rpc_observer_free(o);
    seen_clear(&s);

    seen_init(&s);
    o = observer(&s, 0, 1); /* the wrong password only */
    feed(o, FALSE, NULL);
    g_assert_nonnull(strstr(s.log->str, "auth 1 CONTOSO\\alice@EXPERT key=2 secret=-1\n"));
    g_assert_nonnull(strstr(s.log->str, "req=sealed/4 resp=sealed/4"));
    ra_rpc_observer_free(o);
    seen_clear(&s);
}

/* Index of the first PDU of the session (after `from`) of a type and direction. */
static guint find_pdu(guint from, int side, guint8 ptype)
{
    for (guint i = from; i < session->len; i++) {
        const Rec *r = g_ptr_array_index(session, i);
        const guint8 *d = g_bytes_get_data(r->pdu, NULL);
        if (r->side == side && d[2] == ptype)
            return i;
    }
    g_assert_not_reached();
}

static guint lost_pdu;

/* The whoami response is lost entirely. */
static gboolean drop_whole(RaRpcObserver *o, guint i, const Rec *r, const RaObsStamp *at)
{
    if (i != lost_pdu)
        return FALSE;
    ra_rpc_observer_gap(o, r->side, (guint32)g_bytes_get_size(r->pdu), at);
    return TRUE;
}

/* The second half of the echo response's second fragment is lost. */
static gboolean drop_half(RaRpcObserver *o, guint i, const Rec *r, const RaObsStamp *at)
{
    if (i != lost_pdu)
        return FALSE;
    gsize n;
    const guint8 *d = g_bytes_get_data(r->pdu, &n);
    ra_rpc_observer_data(o, r->side, d, n / 2, at);
    ra_rpc_observer_gap(o, r->side, (guint32)(n - n / 2), at);
    return TRUE;
}

/* The capture starts 10 bytes into the whoami request: earlier PDUs are not fed. */
static gboolean start_late(RaRpcObserver *o, guint i, const Rec *r, const RaObsStamp *at)
{
    if (i < lost_pdu)
        return TRUE;
    if (i == lost_pdu) {
        gsize n;
        const guint8 *d = g_bytes_get_data(r->pdu, &n);
        ra_rpc_observer_data(o, r->side, d + 10, n - 10, at);
        return TRUE;
    }
    return FALSE;
}

static void test_gaps(void)
{
    Seen s;
    seen_init(&s);
    RaRpcObserver *o = observer(&s, 1, 1);
    guint whoami_req = find_pdu(0, 0, RA_PDU_REQUEST);
    whoami_req = find_pdu(whoami_req + 1, 0, RA_PDU_REQUEST);
    while (((const guint8 *)g_bytes_get_data(((Rec *)g_ptr_array_index(session, whoami_req))->pdu,
                                             NULL))[22] != 2)
        whoami_req = find_pdu(whoami_req + 1, 0, RA_PDU_REQUEST);
    lost_pdu = find_pdu(whoami_req, 1, RA_PDU_RESPONSE);
    feed(o, FALSE, drop_whole);
    g_test_message("%s", s.log->str);
    /* The whoami call never got its answer; the server's next sealed PDU on context 1 cannot be
     * decrypted (the RC4 stream lost a PDU); the fault in clear is still read. */
    g_assert_nonnull(strstr(s.log->str, "note 2 s: "));
    g_assert_nonnull(strstr(
        s.log->str, "call 4 opnum=1 iface=known req=decrypted/1 resp=clear/1 fault=5 ans=1\n"));
    g_assert_nonnull(strstr(
        s.log->str, "call 3 opnum=2 iface=known req=decrypted/1 resp=none/0 fault=0 ans=0\n"));
    g_assert_nonnull(
        strstr(s.log->str, "call 6 opnum=4 iface=known req=decrypted/1 resp=bad signature/1"));
    g_assert_nonnull(strstr(s.log->str, "note 5 s: response call_id 6 on security context 1"));
    ra_rpc_observer_free(o);
    seen_clear(&s);

    seen_init(&s);
    o = observer(&s, 1, 1);
    lost_pdu = find_pdu(find_pdu(0, 1, RA_PDU_RESPONSE) + 1, 1, RA_PDU_RESPONSE);
    feed(o, FALSE, drop_half);
    g_test_message("%s", s.log->str);
    g_assert_nonnull(strstr(s.log->str, "response call_id 2 lost bytes in a gap"));
    g_assert_nonnull(
        strstr(s.log->str, "call 2 opnum=0 iface=known req=decrypted/4 resp=missing/"));
    g_assert_null(strstr(s.log->str, "note 3")); /* no resync needed: the PDU length was known */
    ra_rpc_observer_free(o);
    seen_clear(&s);

    seen_init(&s);
    o = observer(&s, 1, 1);
    lost_pdu = whoami_req;
    feed(o, FALSE, start_late);
    g_test_message("%s", s.log->str);
    /* Nothing before: no binds, no handshakes, so contexts and keys are unknown. */
    g_assert_nonnull(
        strstr(s.log->str, "on presentation context 0, whose bind is not in the capture"));
    g_assert_nonnull(strstr(s.log->str, "whose handshake is not in the capture"));
    g_assert_nonnull(strstr(s.log->str, "call 3 opnum=-1 iface=unknown req=none/0 resp=sealed/1"));
    g_assert_nonnull(
        strstr(s.log->str, "call 4 opnum=1 iface=unknown req=sealed/1 resp=clear/1 fault=5"));
    ra_rpc_observer_free(o);
    seen_clear(&s);
}

static void test_not_rpc(void)
{
    Seen s;
    seen_init(&s);
    RaRpcObserver *o = observer(&s, 0, 0);
    ra_rpc_observer_set_client(o, 0);
    RaObsStamp at = {1, 0};
    const char http[] = "GET / HTTP/1.1\r\nHost: novice\r\n\r\n";
    ra_rpc_observer_data(o, 0, (const guint8 *)http, sizeof http - 1, &at);
    g_assert_false(ra_rpc_observer_is_rpc(o));
    g_assert_nonnull(strstr(s.log->str, "note 0"));
    /* Later bytes are ignored, even a valid PDU. */
    const Rec *r = g_ptr_array_index(session, 0);
    ra_rpc_observer_data(o, 0, g_bytes_get_data(r->pdu, NULL), g_bytes_get_size(r->pdu), &at);
    ra_rpc_observer_finish(o, &at);
    g_assert_cmpuint(ra_rpc_observer_pdus(o), ==, 0);
    ra_rpc_observer_free(o);
    seen_clear(&s);

    /* Without a SYN, a while of garbage is looked through before giving up. */
    seen_init(&s);
    o = observer(&s, 0, 0);
    guint8 *junk = g_malloc0(300 * 1024);
    ra_rpc_observer_data(o, 0, junk, 100 * 1024, &at);
    g_assert_true(ra_rpc_observer_is_rpc(o));
    ra_rpc_observer_data(o, 0, junk, 200 * 1024, &at);
    g_assert_false(ra_rpc_observer_is_rpc(o));
    g_free(junk);
    ra_rpc_observer_free(o);
    seen_clear(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ra_ntlm_nt_hash("not the password", secrets[0].nt_hash, NULL);
    secrets[0].label = "password 1";
    ra_ntlm_nt_hash(TEST_PASSWORD, secrets[1].nt_hash, NULL);
    secrets[1].label = "password 2";
    session = record();
    g_test_add_func("/rpcobserve/with-password", test_with_password);
    g_test_add_func("/rpcobserve/without-key", test_without_key);
    g_test_add_func("/rpcobserve/gaps", test_gaps);
    g_test_add_func("/rpcobserve/not-rpc", test_not_rpc);
    int rc = g_test_run();
    g_ptr_array_unref(session);
    return rc;
}
