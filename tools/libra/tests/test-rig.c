/*
 * Tests of ra/rig.h: our expert against our novice in one process, every PDU recorded in one order
 * that repeats with the seed, the separate activation and object-exporter connections, comments
 * on each step (activation in a session, refusals with their reason), refused connections, and
 * the replay into ra/capture.h.
 *
 * RIG_DUMP=1 prints the events.
 */
#include "ra/crypto.h"
#include "ra/error.h"
#include "ra/pdu.h"
#include "ra/rai-client.h"
#include "ra/rig.h"

#include <string.h>

static const char sessions_ini[] = "[session 1]\ndomain = CONTOSO\nuser = alice\nstate = active\n"
                                   "[session 2]\ndomain = CONTOSO\nuser = bob\nstate = connected\n"
                                   "[session 3]\nstate = listen\n";

typedef struct {
    RaAccounts *accounts;
    RaSessionTable *sessions;
    RaRig *rig;
} Fixture;

static void fixture_start(Fixture *f, RaRaiFlavor flavor, gboolean disabled)
{
    f->accounts = ra_accounts_new();
    g_assert_true(ra_accounts_add_spec(f->accounts, "CONTOSO\\expert:Exp3rt-Pw!", TRUE, NULL));
    g_assert_true(ra_accounts_add_spec(f->accounts, "CONTOSO\\mallory:M4llory-Pw", FALSE, NULL));
    f->sessions = ra_sessions_parse(sessions_ini, strlen(sessions_ini), "test", NULL);
    g_assert_nonnull(f->sessions);
    RaRigConfig config;
    ra_rig_config_init(&config);
    config.accounts = f->accounts;
    config.sessions = f->sessions;
    config.flavor = flavor;
    config.offers_disabled = disabled;
    config.ntlm_time = G_GUINT64_CONSTANT(133583400000000000);
    GError *error = NULL;
    f->rig = ra_rig_new(&config, &error);
    g_assert_no_error(error);
}

static void fixture_stop(Fixture *f)
{
    ra_rig_free(f->rig);
    ra_session_table_free(f->sessions);
    ra_accounts_free(f->accounts);
}

static void dump(RaRig *rig)
{
    if (g_getenv("RIG_DUMP") == NULL)
        return;
    const GPtrArray *ev = ra_rig_events(rig);
    for (guint i = 0; i < ev->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(ev, i);
        static const char *const types[] = {"open", "data", "close", "pause"};
        gsize n = e->data ? g_bytes_get_size(e->data) : 0;
        g_printerr("%3u %-5s c%u %s %5zu %s\n", i, types[e->type], e->conn,
                   e->from_expert ? "E>" : "<N", n, e->comment ? e->comment : "");
    }
}

static RaRaiOfferResult *offer(RaRig *rig, RaRaiExpertInterface iface, const char *user,
                               const char *password, guint32 session, GError **error)
{
    RaRaiExpertConfig config = {0};
    ra_rig_dcom_config(rig, &config.dcom);
    config.dcom.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config.dcom.auth.domain = "CONTOSO";
    config.dcom.auth.user = user;
    config.dcom.auth.password = password;
    config.iface = iface;
    config.has_session = TRUE;
    config.session_id = session;
    config.trace = ra_rig_trace;
    config.trace_data = rig;
    return ra_rai_expert_offer(&config, error);
}

static gboolean has_comment(RaRig *rig, const char *text)
{
    const GPtrArray *ev = ra_rig_events(rig);
    for (guint i = 0; i < ev->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(ev, i);
        if (e->comment && strstr(e->comment, text))
            return TRUE;
    }
    return FALSE;
}

/* The bytes and comments of all events, for comparing two runs. */
static GString *serialize(RaRig *rig)
{
    GString *s = g_string_new(NULL);
    const GPtrArray *ev = ra_rig_events(rig);
    for (guint i = 0; i < ev->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(ev, i);
        g_string_append_printf(s, "%d %u %d %u [%s] ", e->type, e->conn, e->from_expert,
                               e->pause_ms, e->comment ? e->comment : "");
        if (e->data)
            g_string_append_len(s, g_bytes_get_data(e->data, NULL),
                                (gssize)g_bytes_get_size(e->data));
        g_string_append_c(s, '\n');
    }
    return s;
}

static GString *run_vista(const char *seed)
{
    ra_random_set_seed(seed);
    Fixture f;
    fixture_start(&f, RA_RAI_FLAVOR_VISTA, FALSE);
    GError *error = NULL;
    ra_rig_note(f.rig, "vista offer");
    RaRaiOfferResult *r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "expert", "Exp3rt-Pw!", 2, &error);
    g_assert_no_error(error);
    g_assert_cmpint(r->version, ==, 2);
    g_assert_nonnull(strstr(r->connection_string, "192.0.2.10"));
    /* The exporter port, not the activation port, is in the bindings. */
    g_assert_cmpstr(r->exporter.binding, ==, "192.0.2.10[49668]");
    ra_rai_offer_result_free(r);
    ra_rig_finish(f.rig);
    dump(f.rig);

    /* The activation connection, then one to the object exporter per interface (IRASrv,
     * IRemUnknown), as the expert of ra/dcom-client.h opens them by default. */
    const GPtrArray *conns = ra_rig_connections(f.rig);
    g_assert_cmpuint(conns->len, ==, 3);
    for (guint i = 0; i < conns->len; i++) {
        const RaRigConnection *c = g_ptr_array_index(conns, i);
        g_assert_cmpuint(c->novice_port, ==, i == 0 ? 135 : 49668);
        g_assert_cmpuint(c->expert_port, ==, 49750 + i);
        g_assert_cmpstr(c->novice_address, ==, "192.0.2.10");
        g_assert_cmpstr(c->expert_address, ==, "192.0.2.20");
    }
    g_assert_true(has_comment(f.rig, "vista offer; expert connects to the novice's activation "
                                     "port 135"));
    g_assert_true(has_comment(f.rig, "expert activates RASrv (IRASrv) in any session"));
    g_assert_true(has_comment(f.rig, "expert activates RASrv (IRASrv) in session 2"));
    g_assert_true(has_comment(f.rig, "expert authenticates as CONTOSO\\expert"));
    g_assert_true(
        has_comment(f.rig, "novice lists 3 session(s): CONTOSO\\alice:1, CONTOSO\\bob:2, \\:3"));
    g_assert_true(has_comment(f.rig, "novice offers Remote Assistance in session 2"));

    /* Every connection opens first and ends with both sides closed; every PDU decodes. */
    const GPtrArray *ev = ra_rig_events(f.rig);
    const RaRigEvent *first = g_ptr_array_index(ev, 0);
    g_assert_cmpint(first->type, ==, RA_RIG_OPEN);
    guint closes = 0;
    for (guint i = 0; i < ev->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(ev, i);
        if (e->type == RA_RIG_CLOSE)
            closes++;
        if (e->type == RA_RIG_DATA) {
            RaPdu pdu;
            gsize n;
            const guint8 *d = g_bytes_get_data(e->data, &n);
            g_assert_true(ra_pdu_decode(d, n, &pdu, NULL));
            ra_pdu_clear(&pdu);
        }
    }
    g_assert_cmpuint(closes, ==, 2 * conns->len);
    /* One NTLM handshake per connection (what lets tshark decrypt a sealed capture). */
    guint auth3[3] = {0, 0, 0};
    for (guint i = 0; i < ev->len; i++) {
        const RaRigEvent *e = g_ptr_array_index(ev, i);
        const guint8 *d = e->data ? g_bytes_get_data(e->data, NULL) : NULL;
        if (d != NULL && e->from_expert && d[2] == RA_PDU_AUTH3)
            auth3[e->conn]++;
    }
    for (guint i = 0; i < 3; i++)
        g_assert_cmpuint(auth3[i], ==, 1);
    RaRigStats st;
    ra_rig_get_stats(f.rig, &st);
    g_assert_cmpuint(st.offers, ==, 1);
    g_assert_cmpuint(st.activations, ==, 2);
    GString *s = serialize(f.rig);
    fixture_stop(&f);
    return s;
}

static void test_vista_repeatable(void)
{
    GString *a = run_vista("test-rig");
    GString *b = run_vista("test-rig");
    GString *c = run_vista("another seed");
    g_assert_cmpuint(a->len, ==, b->len);
    g_assert_true(memcmp(a->str, b->str, a->len) == 0);
    g_assert_false(a->len == c->len && memcmp(a->str, c->str, a->len) == 0);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    g_string_free(c, TRUE);
}

static void test_refusals(void)
{
    ra_random_set_seed("refusals");
    Fixture f;
    fixture_start(&f, RA_RAI_FLAVOR_VISTA, FALSE);
    GError *error = NULL;
    /* Not a helper: the activation's HRESULT says so. */
    RaRaiOfferResult *r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "mallory", "M4llory-Pw", 1, &error);
    g_assert_null(r);
    g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
    g_clear_error(&error);
    /* A wrong password: the first call faults. */
    r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "expert", "wrong", 1, &error);
    g_assert_null(r);
    g_assert_error(error, RA_ERROR, RA_ERROR_FAULT);
    g_clear_error(&error);
    /* Twice for one session: the second is ERROR_CANNOT_MAKE. */
    r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "expert", "Exp3rt-Pw!", 1, &error);
    g_assert_no_error(error);
    ra_rai_offer_result_free(r);
    r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "expert", "Exp3rt-Pw!", 1, &error);
    g_assert_error(error, RA_ERROR, RA_ERROR_HRESULT);
    g_clear_error(&error);
    ra_rig_finish(f.rig);
    dump(f.rig);
    g_assert_true(has_comment(f.rig, "novice refuses the activation: E_ACCESSDENIED "
                                     "(CONTOSO\\mallory is not in the Offer Remote Assistance "
                                     "Helpers group)"));
    g_assert_true(has_comment(f.rig, "novice answers with a fault: nca_s_fault_access_denied"));
    g_assert_true(has_comment(f.rig, "novice refuses IRASrv::GetNoviceUserInfo: ERROR_CANNOT_MAKE "
                                     "(an offer for that session is pending)"));
    fixture_stop(&f);
}

static void test_fallback(void)
{
    ra_random_set_seed("fallback");
    Fixture f;
    fixture_start(&f, RA_RAI_FLAVOR_XP, FALSE);
    GError *error = NULL;
    RaRaiOfferResult *r = offer(f.rig, RA_RAI_EXPERT_AUTO, "expert", "Exp3rt-Pw!", 1, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(r->interface, ==, "IPCHService");
    g_assert_nonnull(r->fallback_reason);
    g_assert_cmpint(r->version, ==, 1);
    ra_rai_offer_result_free(r);
    ra_rig_finish(f.rig);
    dump(f.rig);
    g_assert_true(has_comment(f.rig, "REGDB_E_CLASSNOTREG (this novice has no such class)"));
    g_assert_true(has_comment(f.rig, "expert calls IPCHService::RemoteConnectionParms for "
                                     "CONTOSO\\alice in session 1"));
    g_assert_true(has_comment(f.rig, "novice: UserName = bob"));
    fixture_stop(&f);
}

static void test_refused_connection(void)
{
    ra_random_set_seed("refused");
    Fixture f;
    fixture_start(&f, RA_RAI_FLAVOR_VISTA, FALSE);
    RaDcomClientConfig config = {0};
    ra_rig_dcom_config(f.rig, &config);
    config.port = 136;
    config.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config.auth.user = "expert";
    config.auth.password = "x";
    GError *error = NULL;
    g_assert_null(ra_dcom_client_new(&config, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    ra_rig_finish(f.rig);
    g_assert_cmpuint(ra_rig_events(f.rig)->len, ==, 0);
    fixture_stop(&f);
}

typedef struct {
    guint frames;
    guint comments;
    gint64 last_ns;
} Count;

static gboolean count_frame(const RaCaptureFrame *frame, gpointer data, GError **error)
{
    Count *c = data;
    c->frames++;
    c->comments += frame->comment != NULL;
    g_assert_cmpint(frame->time_ns, >, c->last_ns);
    c->last_ns = frame->time_ns;
    return TRUE;
}

static void test_play(void)
{
    ra_random_set_seed("play");
    Fixture f;
    fixture_start(&f, RA_RAI_FLAVOR_VISTA, FALSE);
    GError *error = NULL;
    RaRaiOfferResult *r = offer(f.rig, RA_RAI_EXPERT_IRASRV, "expert", "Exp3rt-Pw!", 1, &error);
    g_assert_no_error(error);
    ra_rai_offer_result_free(r);
    ra_rig_pause(f.rig, 1000);
    ra_rig_finish(f.rig);
    Count count = {0};
    RaCapture *cap = ra_capture_new(NULL, count_frame, &count);
    g_assert_true(ra_rig_play(f.rig, cap, &error));
    g_assert_true(ra_capture_finish(cap, &error));
    g_assert_no_error(error);
    RaCaptureStats st;
    ra_capture_get_stats(cap, &st);
    g_assert_cmpuint(st.connections, ==, ra_rig_connections(f.rig)->len);
    g_assert_cmpuint(count.frames, ==, st.frames);
    /* At least the handshakes, one frame per PDU and the FINs. */
    guint pdus = 0;
    const GPtrArray *ev = ra_rig_events(f.rig);
    for (guint i = 0; i < ev->len; i++)
        pdus += ((RaRigEvent *)g_ptr_array_index(ev, i))->type == RA_RIG_DATA;
    g_assert_cmpuint(count.frames, >=, st.connections * 6 + pdus);
    g_assert_cmpuint(count.comments, >, pdus / 2);
    ra_capture_free(cap);
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rig/vista-repeatable", test_vista_repeatable);
    g_test_add_func("/rig/refusals", test_refusals);
    g_test_add_func("/rig/fallback", test_fallback);
    g_test_add_func("/rig/refused-connection", test_refused_connection);
    g_test_add_func("/rig/play", test_play);
    return g_test_run();
}
