/*
 * ra_ntlmssp_observe() (ra/ntlmssp.h, passive decryption for `ratool analyze`): the [MS-NLMP]
 * 4.2.4 handshake read with the right password unseals the spec's sealed message (literal
 * bytes); a live handshake between our client and server, read by a third party, decrypts both
 * directions in step with the peers; a wrong hash, a missing NEGOTIATE under a MIC and an
 * AUTHENTICATE for another challenge are refused with RA_ERROR_AUTH.
 */
#include "ra/ntlmssp.h"

#include "hexvec.h"

#include <string.h>

static const char plaintext_hex[] = "50006c00610069006e007400650078007400";
static const char sealed_hex[] = "54e50165bf1936dc996020c1811b0f06fb5f";
static const char signature_hex[] = "010000007fb38ec5c55d497600000000";

static void test_spec(void)
{
    HexVec *chal = hexvec_load("ntlmssp/ms-nlmp-4.2.4-challenge.hex");
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    guint8 hash[16];
    GError *error = NULL;
    g_assert_true(ra_ntlm_nt_hash("Password", hash, &error));
    RaNtlmssp *from_client = NULL, *from_server = NULL;
    /* The spec's AUTHENTICATE has no MIC: no NEGOTIATE is needed. */
    g_assert_true(ra_ntlmssp_observe(NULL, 0, chal->bytes->data, chal->bytes->len,
                                     auth->bytes->data, auth->bytes->len, hash, &from_client,
                                     &from_server, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(ra_ntlmssp_user(from_client), ==, "User");
    g_assert_cmpstr(ra_ntlmssp_domain(from_client), ==, "Domain");
    g_assert_cmpstr(ra_ntlmssp_workstation(from_client), ==, "COMPUTER");
    RaNtlmKeys a, b;
    g_assert_true(ra_ntlmssp_get_keys(from_client, &a));
    g_assert_true(ra_ntlmssp_get_keys(from_server, &b));
    g_assert_cmpmem(&a, sizeof a, &b, sizeof b);
    GByteArray *data = unhex(sealed_hex);
    GByteArray *sig = unhex(signature_hex);
    GByteArray *want = unhex(plaintext_hex);
    RaBuf part = {data->data, data->len};
    g_assert_true(ra_ntlmssp_unseal(from_client, data->data, data->len, &part, 1, sig->data,
                                    sig->len, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(data->data, data->len, want->data, want->len);
    g_byte_array_unref(data);
    g_byte_array_unref(sig);
    g_byte_array_unref(want);
    ra_ntlmssp_free(from_client);
    ra_ntlmssp_free(from_server);

    /* The wrong password: refused by the proof, before any decryption. */
    g_assert_true(ra_ntlm_nt_hash("password", hash, &error));
    g_assert_false(ra_ntlmssp_observe(NULL, 0, chal->bytes->data, chal->bytes->len,
                                      auth->bytes->data, auth->bytes->len, hash, &from_client,
                                      &from_server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_assert_null(from_client);
    g_assert_null(from_server);
    g_clear_error(&error);
    hexvec_free(chal);
    hexvec_free(auth);
}

static gboolean lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    return ra_ntlm_nt_hash(data, nt_hash, NULL);
}

typedef struct {
    RaNtlmssp *client, *server;
    GBytes *neg, *chal, *auth;
} Live;

static void live_handshake(Live *l, const char *password)
{
    RaNtlmClientConfig cc = {
        .user = "expert", .domain = "CONTOSO", .password = password, .workstation = "EXPERT"};
    RaNtlmServerConfig sc = {.nb_computer = "NOVICE",
                             .nb_domain = "CONTOSO",
                             .lookup = lookup,
                             .lookup_data = (gpointer)(guintptr) "Pw-1"};
    l->client = ra_ntlmssp_client_new(&cc, NULL);
    l->server = ra_ntlmssp_server_new(&sc, NULL);
    GBytes *none = NULL;
    g_assert_true(ra_ntlmssp_step(l->client, NULL, 0, &l->neg, NULL));
    g_assert_true(ra_ntlmssp_step(l->server, g_bytes_get_data(l->neg, NULL),
                                  g_bytes_get_size(l->neg), &l->chal, NULL));
    g_assert_true(ra_ntlmssp_step(l->client, g_bytes_get_data(l->chal, NULL),
                                  g_bytes_get_size(l->chal), &l->auth, NULL));
    g_assert_true(ra_ntlmssp_step(l->server, g_bytes_get_data(l->auth, NULL),
                                  g_bytes_get_size(l->auth), &none, NULL));
}

static void live_free(Live *l)
{
    ra_ntlmssp_free(l->client);
    ra_ntlmssp_free(l->server);
    g_bytes_unref(l->neg);
    g_bytes_unref(l->chal);
    g_bytes_unref(l->auth);
}

static gboolean observe(Live *l, gboolean with_negotiate, const char *password,
                        RaNtlmssp **from_client, RaNtlmssp **from_server, GError **error)
{
    guint8 hash[16];
    g_assert_true(ra_ntlm_nt_hash(password, hash, NULL));
    return ra_ntlmssp_observe(with_negotiate ? g_bytes_get_data(l->neg, NULL) : NULL,
                              with_negotiate ? g_bytes_get_size(l->neg) : 0,
                              g_bytes_get_data(l->chal, NULL), g_bytes_get_size(l->chal),
                              g_bytes_get_data(l->auth, NULL), g_bytes_get_size(l->auth), hash,
                              from_client, from_server, error);
}

static void test_live(void)
{
    Live l;
    live_handshake(&l, "Pw-1");
    RaNtlmssp *from_client = NULL, *from_server = NULL;
    GError *error = NULL;
    g_assert_true(observe(&l, TRUE, "Pw-1", &from_client, &from_server, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(ra_ntlmssp_user(from_server), ==, "expert");
    for (int i = 0; i < 4; i++) {
        /* Each direction sealed by its peer, unsealed by the peer and by the observer. */
        for (int dir = 0; dir < 2; dir++) {
            RaNtlmssp *sender = dir ? l.server : l.client;
            RaNtlmssp *receiver = dir ? l.client : l.server;
            RaNtlmssp *watcher = dir ? from_server : from_client;
            char msg[48];
            g_snprintf(msg, sizeof msg, "%s message %d", dir ? "server" : "client", i);
            gsize len = strlen(msg);
            guint8 wire[48], copy[48], sig[16];
            memcpy(wire, msg, len);
            RaBuf part = {wire, len};
            g_assert_true(ra_ntlmssp_seal(sender, wire, len, &part, 1, sig, &error));
            memcpy(copy, wire, len);
            g_assert_true(ra_ntlmssp_unseal(receiver, wire, len, &part, 1, sig, 16, &error));
            g_assert_no_error(error);
            RaBuf cpart = {copy, len};
            g_assert_true(ra_ntlmssp_unseal(watcher, copy, len, &cpart, 1, sig, 16, &error));
            g_assert_no_error(error);
            g_assert_cmpmem(copy, len, msg, len);
        }
    }
    ra_ntlmssp_free(from_client);
    ra_ntlmssp_free(from_server);

    /* Another account's password. */
    g_assert_false(observe(&l, TRUE, "Pw-2", &from_client, &from_server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    /* Our server sends MsvAvTimestamp, so the client sent a MIC: it needs the NEGOTIATE. */
    g_assert_false(observe(&l, FALSE, "Pw-1", &from_client, &from_server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_assert_nonnull(strstr(error->message, "MIC"));
    g_clear_error(&error);

    /* An AUTHENTICATE answering another CHALLENGE (a second handshake's) does not verify. */
    Live other;
    live_handshake(&other, "Pw-1");
    guint8 hash[16];
    g_assert_true(ra_ntlm_nt_hash("Pw-1", hash, NULL));
    g_assert_false(ra_ntlmssp_observe(
        g_bytes_get_data(l.neg, NULL), g_bytes_get_size(l.neg), g_bytes_get_data(l.chal, NULL),
        g_bytes_get_size(l.chal), g_bytes_get_data(other.auth, NULL), g_bytes_get_size(other.auth),
        hash, &from_client, &from_server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    live_free(&other);

    /* Garbage where the CHALLENGE belongs. */
    g_assert_false(ra_ntlmssp_observe(NULL, 0, (const guint8 *)"NTLMSSP", 8,
                                      g_bytes_get_data(l.auth, NULL), g_bytes_get_size(l.auth),
                                      hash, &from_client, &from_server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    live_free(&l);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ntlmssp-observe/ms-nlmp-4.2.4", test_spec);
    g_test_add_func("/ntlmssp-observe/live", test_live);
    return g_test_run();
}
