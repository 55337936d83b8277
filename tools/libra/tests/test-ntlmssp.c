/*
 * NTLMSSP: known-answer tests from [MS-NLMP] 4.2.4 (NTLMv2) compared as literal bytes, message
 * codecs, the client and server state machines against each other, and refusals.
 */
#include "ra/ntlmssp.h"

#include "hexvec.h"

#include <string.h>

/* [MS-NLMP] 4.2.4.1 inputs. */
static const guint8 spec_client_challenge[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
static const guint8 spec_random_session_key[16] = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
                                                   0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55};
static const guint8 spec_server_challenge[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
static const guint64 spec_time = 0;
static const RaNtlmVersion spec_client_version = {5, 1, 2600, 0x0f};

/* [MS-NLMP] 4.2.4.4: "Plaintext" in UTF-16LE, sealed with sequence number 0. */
static const char plaintext_hex[] = "50006c00610069006e007400650078007400";
static const char sealed_hex[] = "54e50165bf1936dc996020c1811b0f06fb5f";
static const char signature_hex[] = "010000007fb38ec5c55d497600000000";

static gboolean spec_lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    const char *password = data;
    if (g_ascii_strcasecmp(user, "User") != 0 || g_ascii_strcasecmp(domain, "Domain") != 0)
        return FALSE;
    return ra_ntlm_nt_hash(password, nt_hash, NULL);
}

static void test_one_way_functions(void)
{
    guint8 nt[16], v2[16];
    GError *error = NULL;
    g_assert_true(ra_ntlm_nt_hash("Password", nt, &error));
    g_assert_no_error(error);
    /* [MS-NLMP] 4.2.2.1.2 (NTOWFv1 of "Password") and 4.2.4.1.1 (NTOWFv2). */
    assert_hex(nt, 16, "a4f49c406510bdcab6824ee7c30fd852");
    g_assert_true(ra_ntlm_ntowfv2(nt, "User", "Domain", v2, &error));
    assert_hex(v2, 16, "0c868a403bfd7a93a3001ef22ef02e3f");
    /* The user name is case-insensitive, the domain is not ([MS-NLMP] 3.3.2). */
    guint8 lower[16];
    g_assert_true(ra_ntlm_ntowfv2(nt, "user", "Domain", lower, &error));
    g_assert_cmpmem(lower, 16, v2, 16);
    g_assert_true(ra_ntlm_ntowfv2(nt, "User", "domain", lower, &error));
    g_assert_true(memcmp(lower, v2, 16) != 0);
}

static void test_challenge_decode(void)
{
    HexVec *v = hexvec_load("ntlmssp/ms-nlmp-4.2.4-challenge.hex");
    RaNtlmChallenge c;
    GError *error = NULL;
    g_assert_true(ra_ntlm_challenge_decode(v->bytes->data, v->bytes->len, &c, &error));
    g_assert_no_error(error);
    g_assert_cmphex(c.flags, ==, 0xe28a8233);
    g_assert_cmpstr(c.target_name, ==, "Server");
    g_assert_cmpmem(c.server_challenge, 8, spec_server_challenge, 8);
    g_assert_true(c.has_version);
    g_assert_cmpuint(c.version.major, ==, 6);
    g_assert_cmpuint(c.version.build, ==, 6000);
    RaNtlmTargetInfo ti;
    g_assert_true(ra_ntlm_target_info_parse(c.target_info, c.target_info_len, &ti, &error));
    g_assert_cmpstr(ti.nb_domain, ==, "Domain");
    g_assert_cmpstr(ti.nb_computer, ==, "Server");
    g_assert_false(ti.has_timestamp);
    /* Re-encoding gives the same bytes. */
    GBytes *again = ra_ntlm_challenge_encode(&c, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(again, NULL), g_bytes_get_size(again), v->bytes->data,
                    v->bytes->len);
    GBytes *ti_again = ra_ntlm_target_info_build(&ti);
    g_assert_cmpmem(g_bytes_get_data(ti_again, NULL), g_bytes_get_size(ti_again), c.target_info,
                    c.target_info_len);
    g_bytes_unref(ti_again);
    g_bytes_unref(again);
    ra_ntlm_target_info_clear(&ti);
    ra_ntlm_challenge_clear(&c);
    hexvec_free(v);
}

static void test_authenticate_decode(void)
{
    HexVec *v = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    RaNtlmAuthenticate a;
    GError *error = NULL;
    g_assert_true(ra_ntlm_authenticate_decode(v->bytes->data, v->bytes->len, &a, &error));
    g_assert_no_error(error);
    g_assert_cmphex(a.flags, ==, 0xe2888235);
    g_assert_cmpstr(a.domain, ==, "Domain");
    g_assert_cmpstr(a.user, ==, "User");
    g_assert_cmpstr(a.workstation, ==, "COMPUTER");
    assert_hex(a.lm_response, a.lm_response_len,
               "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
    g_assert_cmpuint(a.nt_response_len, ==, 84);
    assert_hex(a.nt_response, 16, "68cd0ab851e51c96aabc927bebef6a1c");
    assert_hex(a.session_key, a.session_key_len, "c5dad2544fc9799094ce1ce90bc9d03e");
    g_assert_true(a.has_version);
    g_assert_false(a.has_mic);
    GBytes *again = ra_ntlm_authenticate_encode(&a, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(again, NULL), g_bytes_get_size(again), v->bytes->data,
                    v->bytes->len);
    g_bytes_unref(again);
    ra_ntlm_authenticate_clear(&a);
    hexvec_free(v);
}

/* The client, given the 4.2.4.1 inputs and the 4.2.4.3 CHALLENGE, must produce the 4.2.4.3
 * AUTHENTICATE byte for byte, the 4.2.4.4 keys, sealed data and signature. */
static void test_client_kat(void)
{
    HexVec *chal = hexvec_load("ntlmssp/ms-nlmp-4.2.4-challenge.hex");
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    RaNtlmClientConfig cfg = {
        .user = "User",
        .domain = "Domain",
        .password = "Password",
        .workstation = "COMPUTER",
        .flags = 0xe2888235,
        .fixed_time = &spec_time,
        .fixed_client_challenge = spec_client_challenge,
        .fixed_session_key = spec_random_session_key,
        .version = &spec_client_version,
    };
    GError *error = NULL;
    RaNtlmssp *c = ra_ntlmssp_client_new(&cfg, &error);
    g_assert_no_error(error);
    GBytes *out = NULL;
    g_assert_true(ra_ntlmssp_step(c, NULL, 0, &out, &error));
    g_assert_nonnull(out);
    RaNtlmNegotiate neg;
    g_assert_true(
        ra_ntlm_negotiate_decode(g_bytes_get_data(out, NULL), g_bytes_get_size(out), &neg, &error));
    g_assert_cmphex(neg.flags, ==, 0xe2888235);
    ra_ntlm_negotiate_clear(&neg);
    g_bytes_unref(out);
    g_assert_false(ra_ntlmssp_is_established(c));
    g_assert_true(ra_ntlmssp_step(c, chal->bytes->data, chal->bytes->len, &out, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), auth->bytes->data,
                    auth->bytes->len);
    g_bytes_unref(out);
    g_assert_true(ra_ntlmssp_is_established(c));

    RaNtlmKeys keys;
    g_assert_true(ra_ntlmssp_get_keys(c, &keys));
    g_assert_cmpmem(keys.exported_session_key, 16, spec_random_session_key, 16);
    assert_hex(keys.client_seal_key, 16, "59f600973cc4960a25480a7c196e4c58");
    assert_hex(keys.client_sign_key, 16, "4788dc861b4782f35d43fd98fe1a2d39");

    GByteArray *data = unhex(plaintext_hex);
    RaBuf part = {data->data, data->len};
    guint8 sig[16];
    g_assert_true(ra_ntlmssp_seal(c, data->data, data->len, &part, 1, sig, &error));
    g_assert_no_error(error);
    assert_hex(data->data, data->len, sealed_hex);
    assert_hex(sig, 16, signature_hex);
    g_byte_array_unref(data);
    ra_ntlmssp_free(c);
    hexvec_free(chal);
    hexvec_free(auth);
}

/* The server accepts the spec's AUTHENTICATE for the spec's challenge and unseals the spec's
 * sealed message. */
static void test_server_kat(void)
{
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    RaNtlmServerConfig cfg = {
        .nb_computer = "Server",
        .nb_domain = "Domain",
        .lookup = spec_lookup,
        .lookup_data = (gpointer)(guintptr) "Password",
        .fixed_time = &spec_time,
        .fixed_challenge = spec_server_challenge,
    };
    GError *error = NULL;
    RaNtlmssp *s = ra_ntlmssp_server_new(&cfg, &error);
    g_assert_no_error(error);
    RaNtlmNegotiate neg = {.flags = 0xe2888235};
    GBytes *negb = ra_ntlm_negotiate_encode(&neg, &error);
    GBytes *out = NULL;
    g_assert_true(
        ra_ntlmssp_step(s, g_bytes_get_data(negb, NULL), g_bytes_get_size(negb), &out, &error));
    g_assert_no_error(error);
    RaNtlmChallenge c;
    g_assert_true(
        ra_ntlm_challenge_decode(g_bytes_get_data(out, NULL), g_bytes_get_size(out), &c, &error));
    g_assert_cmpmem(c.server_challenge, 8, spec_server_challenge, 8);
    RaNtlmTargetInfo ti;
    g_assert_true(ra_ntlm_target_info_parse(c.target_info, c.target_info_len, &ti, &error));
    g_assert_cmpstr(ti.nb_computer, ==, "Server"); /* impacket needs it */
    g_assert_cmpstr(ti.nb_domain, ==, "Domain");
    g_assert_true(ti.has_timestamp);
    ra_ntlm_target_info_clear(&ti);
    ra_ntlm_challenge_clear(&c);
    g_bytes_unref(out);
    g_bytes_unref(negb);

    g_assert_true(ra_ntlmssp_step(s, auth->bytes->data, auth->bytes->len, &out, &error));
    g_assert_no_error(error);
    g_assert_null(out);
    g_assert_true(ra_ntlmssp_is_established(s));
    g_assert_cmpstr(ra_ntlmssp_user(s), ==, "User");
    g_assert_cmpstr(ra_ntlmssp_domain(s), ==, "Domain");
    g_assert_cmpstr(ra_ntlmssp_workstation(s), ==, "COMPUTER");
    RaNtlmKeys keys;
    g_assert_true(ra_ntlmssp_get_keys(s, &keys));
    g_assert_cmpmem(keys.exported_session_key, 16, spec_random_session_key, 16);
    assert_hex(keys.client_seal_key, 16, "59f600973cc4960a25480a7c196e4c58");

    GByteArray *data = unhex(sealed_hex);
    GByteArray *sig = unhex(signature_hex);
    RaBuf part = {data->data, data->len};
    g_assert_true(
        ra_ntlmssp_unseal(s, data->data, data->len, &part, 1, sig->data, sig->len, &error));
    g_assert_no_error(error);
    assert_hex(data->data, data->len, plaintext_hex);
    g_byte_array_unref(data);
    g_byte_array_unref(sig);
    ra_ntlmssp_free(s);
    hexvec_free(auth);
}

/* A server with the spec's challenge refuses the spec's AUTHENTICATE when the password or the
 * challenge differ, with one message for unknown user and wrong password. */
static void run_server_with(const char *password, const guint8 *challenge, GError **error)
{
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    RaNtlmServerConfig cfg = {
        .nb_computer = "Server",
        .nb_domain = "Domain",
        .lookup = spec_lookup,
        .lookup_data = (gpointer)(guintptr)password,
        .fixed_challenge = challenge,
    };
    RaNtlmssp *s = ra_ntlmssp_server_new(&cfg, NULL);
    RaNtlmNegotiate neg = {.flags = 0xe2888235};
    GBytes *negb = ra_ntlm_negotiate_encode(&neg, NULL);
    GBytes *out = NULL;
    g_assert_true(
        ra_ntlmssp_step(s, g_bytes_get_data(negb, NULL), g_bytes_get_size(negb), &out, NULL));
    g_bytes_unref(out);
    g_bytes_unref(negb);
    g_assert_false(ra_ntlmssp_step(s, auth->bytes->data, auth->bytes->len, &out, error));
    g_assert_false(ra_ntlmssp_is_established(s));
    RaNtlmKeys keys;
    g_assert_false(ra_ntlmssp_get_keys(s, &keys));
    /* A failed context stays failed. */
    GError *again = NULL;
    g_assert_false(ra_ntlmssp_step(s, auth->bytes->data, auth->bytes->len, &out, &again));
    g_assert_error(again, RA_ERROR, RA_ERROR_PROTOCOL);
    g_error_free(again);
    ra_ntlmssp_free(s);
    hexvec_free(auth);
}

static void test_server_refuses(void)
{
    GError *error = NULL;
    run_server_with("password", spec_server_challenge, &error);
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_assert_nonnull(strstr(error->message, "logon failure for Domain\\User"));
    g_assert_null(strstr(error->message, "password")); /* no secret in messages */
    g_clear_error(&error);
    static const guint8 other[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    run_server_with("Password", other, &error);
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
}

typedef struct {
    RaNtlmssp *client;
    RaNtlmssp *server;
} Pair;

static gboolean pair_lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    if (strcmp(user, "alice") != 0 || strcmp(domain, "RA") != 0)
        return FALSE;
    /* An NT hash, as a configuration that stores no passwords would. */
    return ra_ntlm_nt_hash("s3cret-\xc3\xa9t\xc3\xa9", nt_hash, NULL);
}

/* Runs a handshake; FALSE and error when the server refuses. mutate may alter the AUTHENTICATE. */
static gboolean handshake(Pair *p, const char *password, guint32 flags,
                          void (*mutate)(GByteArray *msg), GError **error)
{
    RaNtlmClientConfig cc = {.user = "alice",
                             .domain = "RA",
                             .password = password,
                             .workstation = "EXPERT",
                             .flags = flags};
    RaNtlmServerConfig sc = {.nb_computer = "NOVICE",
                             .nb_domain = "RA",
                             .dns_computer = "novice.example",
                             .dns_domain = "example",
                             .lookup = pair_lookup};
    p->client = ra_ntlmssp_client_new(&cc, NULL);
    p->server = ra_ntlmssp_server_new(&sc, NULL);
    g_assert_nonnull(p->client);
    g_assert_nonnull(p->server);
    GBytes *neg = NULL, *chal = NULL, *auth = NULL, *none = NULL;
    g_assert_true(ra_ntlmssp_step(p->client, NULL, 0, &neg, NULL));
    if (!ra_ntlmssp_step(p->server, g_bytes_get_data(neg, NULL), g_bytes_get_size(neg), &chal,
                         error)) {
        g_bytes_unref(neg);
        return FALSE;
    }
    g_assert_true(ra_ntlmssp_step(p->client, g_bytes_get_data(chal, NULL), g_bytes_get_size(chal),
                                  &auth, NULL));
    GByteArray *a = g_bytes_unref_to_array(auth);
    if (mutate)
        mutate(a);
    gboolean ok = ra_ntlmssp_step(p->server, a->data, a->len, &none, error);
    g_assert_null(none);
    g_byte_array_unref(a);
    g_bytes_unref(neg);
    g_bytes_unref(chal);
    return ok;
}

static void pair_free(Pair *p)
{
    ra_ntlmssp_free(p->client);
    ra_ntlmssp_free(p->server);
}

static void test_round_trip(void)
{
    Pair p;
    GError *error = NULL;
    g_assert_true(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(ra_ntlmssp_user(p.server), ==, "alice");
    g_assert_cmpstr(ra_ntlmssp_workstation(p.server), ==, "EXPERT");
    RaNtlmKeys kc, ks;
    g_assert_true(ra_ntlmssp_get_keys(p.client, &kc));
    g_assert_true(ra_ntlmssp_get_keys(p.server, &ks));
    g_assert_cmpmem(&kc, sizeof kc, &ks, sizeof ks);
    g_assert_cmphex(ra_ntlmssp_flags(p.client), ==, ra_ntlmssp_flags(p.server));
    for (int i = 0; i < 5; i++) {
        /* client -> server sealed, server -> client signed, several times: the RC4 states and
         * sequence numbers must stay in step. */
        char msg[64];
        g_snprintf(msg, sizeof msg, "request number %d", i);
        gsize len = strlen(msg);
        guint8 buf[64], sig[16];
        memcpy(buf, msg, len);
        RaBuf part = {buf, len};
        g_assert_true(ra_ntlmssp_seal(p.client, buf, len, &part, 1, sig, &error));
        g_assert_true(memcmp(buf, msg, len) != 0);
        g_assert_cmpuint(sig[12], ==, (guint)i); /* SeqNum */
        g_assert_true(ra_ntlmssp_unseal(p.server, buf, len, &part, 1, sig, 16, &error));
        g_assert_no_error(error);
        g_assert_cmpmem(buf, len, msg, len);
        RaBuf reply = {msg, len};
        g_assert_true(ra_ntlmssp_sign(p.server, &reply, 1, sig, &error));
        g_assert_true(ra_ntlmssp_verify(p.client, &reply, 1, sig, 16, &error));
        g_assert_no_error(error);
    }
    pair_free(&p);
}

static void test_replay_and_tamper(void)
{
    Pair p;
    GError *error = NULL;
    g_assert_true(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, NULL, &error));
    guint8 sig[16], sig2[16];
    RaBuf part = {"first", 5};
    g_assert_true(ra_ntlmssp_sign(p.client, &part, 1, sig, &error));
    g_assert_true(ra_ntlmssp_verify(p.server, &part, 1, sig, 16, &error));
    /* The same message again: its sequence number is 0 where 1 is expected. */
    g_assert_false(ra_ntlmssp_verify(p.server, &part, 1, sig, 16, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_assert_nonnull(strstr(error->message, "sequence number"));
    g_clear_error(&error);
    pair_free(&p);

    g_assert_true(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, NULL, &error));
    guint8 buf[8] = "payload";
    RaBuf sealed = {buf, 7};
    g_assert_true(ra_ntlmssp_seal(p.client, buf, 7, &sealed, 1, sig2, &error));
    buf[3] ^= 0x01; /* one bit of ciphertext */
    g_assert_false(ra_ntlmssp_unseal(p.server, buf, 7, &sealed, 1, sig2, 16, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    /* After a failure the context refuses everything. */
    g_assert_false(ra_ntlmssp_verify(p.server, &part, 1, sig, 16, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    pair_free(&p);

    /* A signature that is not one. */
    g_assert_true(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, NULL, &error));
    g_assert_false(ra_ntlmssp_verify(p.server, &part, 1, sig, 15, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    pair_free(&p);
}

static void test_wrong_password(void)
{
    Pair p;
    GError *error = NULL;
    g_assert_false(handshake(&p, "s3cret-ete", 0, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    pair_free(&p);
}

static void flip_mic(GByteArray *msg)
{
    g_assert_cmpuint(msg->len, >, 88);
    msg->data[80] ^= 0x40;
}

static void flip_flags(GByteArray *msg)
{
    msg->data[60] &= (guint8)~0x20; /* drop NEGOTIATE_SEAL: a downgrade the MIC must catch */
}

static void drop_key_exch(GByteArray *msg)
{
    msg->data[63] &= (guint8)~0x40;
}

static void test_mic(void)
{
    Pair p;
    GError *error = NULL;
    /* Our server sends MsvAvTimestamp, so our client adds a MIC; tampering shows. */
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, flip_mic, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_assert_nonnull(strstr(error->message, "MIC"));
    g_clear_error(&error);
    pair_free(&p);
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, flip_flags, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    pair_free(&p);
    /* Without KEY_EXCH the server decrypts no session key: the MIC no longer verifies. */
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, drop_key_exch, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    pair_free(&p);
}

static void test_flags_required(void)
{
    Pair p;
    GError *error = NULL;
    /* A client offering no 128-bit keys is refused by default. */
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9",
                             RA_NTLMSSP_CLIENT_DEFAULT_FLAGS & ~RA_NTLMSSP_NEGOTIATE_128, NULL,
                             &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    pair_free(&p);
    /* A client without extended session security cannot be built. */
    RaNtlmClientConfig cc = {.user = "u",
                             .password = "p",
                             .flags = RA_NTLMSSP_NEGOTIATE_UNICODE | RA_NTLMSSP_NEGOTIATE_NTLM};
    g_assert_null(ra_ntlmssp_client_new(&cc, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    /* Without KEY_EXCH (but with a MIC-less flow: sign only) the session still works. */
    g_assert_true(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9",
                            RA_NTLMSSP_CLIENT_DEFAULT_FLAGS & ~RA_NTLMSSP_NEGOTIATE_KEY_EXCH, NULL,
                            &error));
    g_assert_no_error(error);
    guint8 sig[16];
    RaBuf part = {"x", 1};
    g_assert_true(ra_ntlmssp_sign(p.client, &part, 1, sig, &error));
    g_assert_true(ra_ntlmssp_verify(p.server, &part, 1, sig, 16, &error));
    pair_free(&p);
}

static void test_out_of_order(void)
{
    GError *error = NULL;
    RaNtlmServerConfig sc = {.nb_computer = "N", .nb_domain = "D", .lookup = pair_lookup};
    RaNtlmssp *s = ra_ntlmssp_server_new(&sc, NULL);
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    GBytes *out = NULL;
    /* An AUTHENTICATE where a NEGOTIATE is expected. */
    g_assert_false(ra_ntlmssp_step(s, auth->bytes->data, auth->bytes->len, &out, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    ra_ntlmssp_free(s);
    /* Sealing before the handshake. */
    RaNtlmClientConfig cc = {.user = "u", .password = "p"};
    RaNtlmssp *c = ra_ntlmssp_client_new(&cc, NULL);
    guint8 sig[16];
    RaBuf part = {"x", 1};
    g_assert_false(ra_ntlmssp_sign(c, &part, 1, sig, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    ra_ntlmssp_free(c);
    hexvec_free(auth);
}

/* Truncations and lying length fields of each message: errors, never crashes. */
static void test_malformed(void)
{
    HexVec *vecs[2] = {hexvec_load("ntlmssp/ms-nlmp-4.2.4-challenge.hex"),
                       hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex")};
    for (int k = 0; k < 2; k++) {
        GByteArray *b = vecs[k]->bytes;
        for (guint len = 0; len < b->len; len++) {
            GError *error = NULL;
            RaNtlmChallenge c;
            RaNtlmAuthenticate a;
            gboolean ok = k == 0 ? ra_ntlm_challenge_decode(b->data, len, &c, &error)
                                 : ra_ntlm_authenticate_decode(b->data, len, &a, &error);
            if (ok) {
                if (k == 0)
                    ra_ntlm_challenge_clear(&c);
                else
                    ra_ntlm_authenticate_clear(&a);
            } else {
                g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
                g_clear_error(&error);
            }
        }
        /* Full length must still work; truncating the payload must not. */
        GError *error = NULL;
        RaNtlmAuthenticate a;
        if (k == 1) {
            g_assert_false(ra_ntlm_authenticate_decode(b->data, b->len - 1, &a, &error));
            g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
            g_clear_error(&error);
            /* A field offset pointing past the end. */
            GByteArray *copy = g_byte_array_new();
            g_byte_array_append(copy, b->data, b->len);
            copy->data[0x18] = 0xf0;
            g_assert_false(ra_ntlm_authenticate_decode(copy->data, copy->len, &a, &error));
            g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
            g_clear_error(&error);
            g_byte_array_unref(copy);
        }
    }
    /* An AV pair list without EOL, and one whose pair runs past the end. */
    static const guint8 no_eol[] = {0x02, 0x00, 0x02, 0x00, 0x41, 0x00};
    static const guint8 overrun[] = {0x02, 0x00, 0x20, 0x00, 0x41, 0x00, 0x00, 0x00};
    static const guint8 bad_utf16[] = {0x02, 0x00, 0x02, 0x00, 0x00, 0xdc, 0x00, 0x00, 0x00, 0x00};
    RaNtlmTargetInfo ti;
    GError *error = NULL;
    g_assert_false(ra_ntlm_target_info_parse(no_eol, sizeof no_eol, &ti, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_false(ra_ntlm_target_info_parse(overrun, sizeof overrun, &ti, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_false(ra_ntlm_target_info_parse(bad_utf16, sizeof bad_utf16, &ti, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    hexvec_free(vecs[0]);
    hexvec_free(vecs[1]);
}

/* NTLMv1 responses (24 bytes) and anonymous logons are refused. */
static void make_ntlmv1(GByteArray *msg)
{
    msg->data[20] = 24; /* NtChallengeResponseFields.Len */
    msg->data[22] = 24;
}

static void make_anonymous(GByteArray *msg)
{
    msg->data[63] |= 0x00; /* keep flags */
    msg->data[61] |= 0x08; /* NTLMSSP_ANONYMOUS (0x800) */
}

static void test_v1_and_anonymous(void)
{
    Pair p;
    GError *error = NULL;
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, make_ntlmv1, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    pair_free(&p);
    g_assert_false(handshake(&p, "s3cret-\xc3\xa9t\xc3\xa9", 0, make_anonymous, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_clear_error(&error);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ntlmssp/one-way-functions", test_one_way_functions);
    g_test_add_func("/ntlmssp/challenge-decode", test_challenge_decode);
    g_test_add_func("/ntlmssp/authenticate-decode", test_authenticate_decode);
    g_test_add_func("/ntlmssp/ms-nlmp-4.2.4/client", test_client_kat);
    g_test_add_func("/ntlmssp/ms-nlmp-4.2.4/server", test_server_kat);
    g_test_add_func("/ntlmssp/server-refuses", test_server_refuses);
    g_test_add_func("/ntlmssp/round-trip", test_round_trip);
    g_test_add_func("/ntlmssp/replay-and-tamper", test_replay_and_tamper);
    g_test_add_func("/ntlmssp/wrong-password", test_wrong_password);
    g_test_add_func("/ntlmssp/mic", test_mic);
    g_test_add_func("/ntlmssp/flags-required", test_flags_required);
    g_test_add_func("/ntlmssp/out-of-order", test_out_of_order);
    g_test_add_func("/ntlmssp/malformed", test_malformed);
    g_test_add_func("/ntlmssp/v1-and-anonymous", test_v1_and_anonymous);
    return g_test_run();
}
