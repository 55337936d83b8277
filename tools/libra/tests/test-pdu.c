/*
 * Connection-oriented PDUs: every annotated vector in testdata/pdu (spec layouts, impacket's
 * encoder, malformed cases) decoded, described and re-encoded; field checks on the richer ones;
 * NTLM unprotect of PDUs sealed by impacket; protect/unprotect between our own contexts;
 * fragmentation and reassembly with their limits.
 */
#include "ra/ntlmssp.h"
#include "ra/pdu.h"

#include "hexvec.h"

#include <string.h>

static RaError error_code(const char *name)
{
    static const struct {
        const char *name;
        RaError code;
    } codes[] = {{"MALFORMED", RA_ERROR_MALFORMED},
                 {"UNSUPPORTED", RA_ERROR_UNSUPPORTED},
                 {"TOO_LARGE", RA_ERROR_TOO_LARGE}};
    for (gsize i = 0; i < G_N_ELEMENTS(codes); i++)
        if (strcmp(codes[i].name, name) == 0)
            return codes[i].code;
    g_error("unknown error name %s", name);
}

/* One vector file: "# expect:" -> decodes and describes as given ("# roundtrip: yes" -> encodes
 * back to the same bytes); "# error:" -> refused with that code. */
static void test_vector(gconstpointer data)
{
    const char *rel = data;
    HexVec *v = hexvec_load(rel);
    const char *expect = hexvec_get(v, "expect");
    const char *err = hexvec_get(v, "error");
    g_assert_true((expect != NULL) != (err != NULL));
    RaPdu pdu;
    GError *error = NULL;
    gboolean ok = ra_pdu_decode(v->bytes->data, v->bytes->len, &pdu, &error);
    if (err != NULL) {
        g_assert_false(ok);
        g_assert_error(error, RA_ERROR, (gint)error_code(err));
        g_test_message("%s: %s", rel, error->message);
        g_error_free(error);
        hexvec_free(v);
        return;
    }
    g_assert_no_error(error);
    g_assert_true(ok);
    gchar *desc = ra_pdu_describe(&pdu);
    g_assert_cmpstr(desc, ==, expect);
    g_free(desc);
    const char *rt = hexvec_get(v, "roundtrip");
    g_assert_nonnull(rt);
    GByteArray *out = g_byte_array_new();
    RaPduLayout layout;
    g_assert_true(ra_pdu_encode(&pdu, out, &layout, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(layout.frag_length, ==, out->len);
    if (g_str_has_prefix(rt, "yes")) {
        g_assert_cmpmem(out->data, out->len, v->bytes->data, v->bytes->len);
    } else {
        /* Not byte-identical, but equivalent: it decodes to the same description. */
        RaPdu again;
        g_assert_true(ra_pdu_decode(out->data, out->len, &again, &error));
        g_assert_no_error(error);
        gchar *d2 = ra_pdu_describe(&again);
        gchar *d1 = ra_pdu_describe(&pdu);
        /* The frag_length-independent description must agree. */
        g_assert_cmpstr(d2, ==, d1);
        g_free(d1);
        g_free(d2);
        g_assert_cmpmem(again.stub, again.stub_len, pdu.stub, pdu.stub_len);
        ra_pdu_clear(&again);
    }
    g_byte_array_unref(out);
    ra_pdu_clear(&pdu);
    hexvec_free(v);
}

static RaPdu *decode_vector(const char *rel, HexVec **vec)
{
    *vec = hexvec_load(rel);
    RaPdu *pdu = g_new0(RaPdu, 1);
    GError *error = NULL;
    g_assert_true(ra_pdu_decode((*vec)->bytes->data, (*vec)->bytes->len, pdu, &error));
    g_assert_no_error(error);
    return pdu;
}

static void free_vector(RaPdu *pdu, HexVec *v)
{
    ra_pdu_clear(pdu);
    g_free(pdu);
    hexvec_free(v);
}

static void test_bind_fields(void)
{
    HexVec *v;
    RaPdu *pdu = decode_vector("pdu/spec-bind-three-contexts.hex", &v);
    g_assert_cmpuint(pdu->u.bind.n_contexts, ==, 3);
    RaSyntaxId ioxid;
    g_assert_true(ra_uuid_parse("99fcfec4-5260-101b-bbcb-00aa0021347a", &ioxid.uuid, NULL));
    ioxid.if_version_major = ioxid.if_version_minor = 0;
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpuint(pdu->u.bind.contexts[i].context_id, ==, i);
        g_assert_true(ra_syntax_id_equal(&pdu->u.bind.contexts[i].abstract_syntax, &ioxid));
        g_assert_cmpuint(pdu->u.bind.contexts[i].n_transfer_syntaxes, ==, 1);
    }
    g_assert_true(
        ra_syntax_id_equal(&pdu->u.bind.contexts[0].transfer_syntaxes[0], &ra_syntax_ndr20));
    g_assert_true(
        ra_syntax_id_equal(&pdu->u.bind.contexts[1].transfer_syntaxes[0], &ra_syntax_ndr64));
    guint64 features = 0;
    g_assert_true(
        ra_syntax_is_bind_time_features(&pdu->u.bind.contexts[2].transfer_syntaxes[0], &features));
    g_assert_cmphex(features, ==,
                    RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING | RA_BTFN_KEEP_CONNECTION_ON_ORPHAN);
    g_assert_true(pdu->hdr.pfc_flags & RA_PFC_SUPPORT_HEADER_SIGN);
    free_vector(pdu, v);

    pdu = decode_vector("pdu/spec-bind-ack.hex", &v);
    g_assert_cmpstr(pdu->u.bind_ack.secondary_address, ==, "135");
    g_assert_cmpuint(pdu->u.bind_ack.n_results, ==, 3);
    g_assert_cmpuint(pdu->u.bind_ack.results[0].result, ==, RA_PDU_RESULT_ACCEPTANCE);
    g_assert_true(
        ra_syntax_id_equal(&pdu->u.bind_ack.results[0].transfer_syntax, &ra_syntax_ndr20));
    g_assert_cmpuint(pdu->u.bind_ack.results[1].result, ==, RA_PDU_RESULT_PROVIDER_REJECTION);
    g_assert_cmpuint(pdu->u.bind_ack.results[1].reason, ==,
                     RA_PDU_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED);
    g_assert_cmpuint(pdu->u.bind_ack.results[2].result, ==, RA_PDU_RESULT_NEGOTIATE_ACK);
    g_assert_cmpuint(pdu->u.bind_ack.results[2].reason, ==, 3);
    free_vector(pdu, v);

    pdu = decode_vector("pdu/spec-alter-context-resp.hex", &v);
    g_assert_cmpstr(pdu->u.bind_ack.secondary_address, ==, "");
    free_vector(pdu, v);

    pdu = decode_vector("pdu/spec-bind-nak.hex", &v);
    g_assert_cmpuint(pdu->u.bind_nak.n_versions, ==, 1);
    g_assert_cmpuint(pdu->u.bind_nak.versions[0][0], ==, 5);
    g_assert_true(pdu->u.bind_nak.has_signature);
    gchar *sig = ra_uuid_to_string(&pdu->u.bind_nak.signature);
    g_assert_cmpstr(sig, ==, "90740320-fad0-11d3-82d7-009027b130ab");
    g_free(sig);
    free_vector(pdu, v);

    pdu = decode_vector("pdu/impacket-bind-ntlm.hex", &v);
    g_assert_true(pdu->has_auth);
    g_assert_cmpuint(pdu->auth.auth_type, ==, RA_AUTH_TYPE_WINNT);
    g_assert_cmpuint(pdu->auth.auth_level, ==, RA_AUTH_LEVEL_PKT_PRIVACY);
    RaNtlmNegotiate neg;
    g_assert_true(
        ra_ntlm_negotiate_decode(pdu->auth.auth_value, pdu->auth.auth_value_len, &neg, NULL));
    g_assert_true(neg.flags & RA_NTLMSSP_NEGOTIATE_SEAL);
    ra_ntlm_negotiate_clear(&neg);
    free_vector(pdu, v);

    pdu = decode_vector("pdu/spec-fault.hex", &v);
    g_assert_cmphex(pdu->u.fault.status, ==, RA_NCA_OP_RNG_ERROR);
    g_assert_cmpuint(pdu->stub_len, ==, 0);
    free_vector(pdu, v);
}

static gboolean spec_lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    return ra_ntlm_nt_hash("Password", nt_hash, NULL);
}

/* A server context established from the [MS-NLMP] 4.2.4 AUTHENTICATE (ExportedSessionKey
 * 55..55), as impacket's vectors assume. */
static RaNtlmssp *spec_server(void)
{
    static const guint8 challenge[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    RaNtlmServerConfig cfg = {.nb_computer = "Server",
                              .nb_domain = "Domain",
                              .lookup = spec_lookup,
                              .fixed_challenge = challenge};
    RaNtlmssp *s = ra_ntlmssp_server_new(&cfg, NULL);
    HexVec *auth = hexvec_load("ntlmssp/ms-nlmp-4.2.4-authenticate.hex");
    RaNtlmNegotiate neg = {.flags = 0xe2888235};
    GBytes *negb = ra_ntlm_negotiate_encode(&neg, NULL), *out = NULL;
    g_assert_true(
        ra_ntlmssp_step(s, g_bytes_get_data(negb, NULL), g_bytes_get_size(negb), &out, NULL));
    g_bytes_unref(out);
    g_bytes_unref(negb);
    g_assert_true(ra_ntlmssp_step(s, auth->bytes->data, auth->bytes->len, &out, NULL));
    hexvec_free(auth);
    return s;
}

/* impacket sealed two requests (SeqNum 0 and 1) and signed a third (SeqNum 2) in one session;
 * we unseal or verify them in order. */
static void test_unprotect_impacket(void)
{
    RaNtlmssp *s = spec_server();
    const char *files[] = {"pdu/impacket-request-sealed-0.hex", "pdu/impacket-request-sealed-1.hex",
                           "pdu/impacket-request-signed-2.hex"};
    const guint8 levels[] = {RA_AUTH_LEVEL_PKT_PRIVACY, RA_AUTH_LEVEL_PKT_PRIVACY,
                             RA_AUTH_LEVEL_PKT_INTEGRITY};
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        HexVec *v = hexvec_load(files[i]);
        RaPdu pdu;
        GError *error = NULL;
        g_assert_true(ra_pdu_decode(v->bytes->data, v->bytes->len, &pdu, &error));
        g_assert_true(ra_pdu_unprotect(v->bytes->data, v->bytes->len, &pdu, levels[i], s, &error));
        g_assert_no_error(error);
        const char *plain = hexvec_get(v, "plaintext-stub");
        if (strcmp(plain, "(empty)") == 0)
            g_assert_cmpuint(pdu.stub_len, ==, 0);
        else
            assert_hex(pdu.stub, pdu.stub_len, plain);
        ra_pdu_clear(&pdu);
        hexvec_free(v);
    }
    ra_ntlmssp_free(s);
}

/* The same sealed PDU with one bit flipped anywhere in the signed area is refused. */
static void test_unprotect_tampered(void)
{
    HexVec *v = hexvec_load("pdu/impacket-request-sealed-1.hex");
    guint n = v->bytes->len - 16; /* every byte before the signature */
    for (guint at = 0; at < n; at++) {
        RaNtlmssp *s = spec_server();
        /* Consume SeqNum 0 first, as the server would have. */
        HexVec *v0 = hexvec_load("pdu/impacket-request-sealed-0.hex");
        RaPdu p0;
        g_assert_true(ra_pdu_decode(v0->bytes->data, v0->bytes->len, &p0, NULL));
        g_assert_true(ra_pdu_unprotect(v0->bytes->data, v0->bytes->len, &p0,
                                       RA_AUTH_LEVEL_PKT_PRIVACY, s, NULL));
        ra_pdu_clear(&p0);
        hexvec_free(v0);
        GByteArray *b = g_byte_array_new();
        g_byte_array_append(b, v->bytes->data, v->bytes->len);
        b->data[at] ^= 0x10;
        RaPdu pdu;
        GError *error = NULL;
        if (ra_pdu_decode(b->data, b->len, &pdu, &error)) {
            /* Changing the trailer's auth_level is caught as a level mismatch, the rest by
             * the signature. */
            g_assert_false(
                ra_pdu_unprotect(b->data, b->len, &pdu, RA_AUTH_LEVEL_PKT_PRIVACY, s, &error));
            g_assert_true(g_error_matches(error, RA_ERROR, RA_ERROR_AUTH) ||
                          g_error_matches(error, RA_ERROR, RA_ERROR_PROTOCOL));
            ra_pdu_clear(&pdu);
        }
        g_assert_nonnull(error);
        g_error_free(error);
        g_byte_array_unref(b);
        ra_ntlmssp_free(s);
    }
    hexvec_free(v);
}

static gboolean pair_lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    return ra_ntlm_nt_hash("pw", nt_hash, NULL);
}

static void make_pair(RaNtlmssp **client, RaNtlmssp **server)
{
    RaNtlmClientConfig cc = {.user = "u", .domain = "D", .password = "pw"};
    RaNtlmServerConfig sc = {.nb_computer = "S", .nb_domain = "D", .lookup = pair_lookup};
    *client = ra_ntlmssp_client_new(&cc, NULL);
    *server = ra_ntlmssp_server_new(&sc, NULL);
    GBytes *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    g_assert_true(ra_ntlmssp_step(*client, NULL, 0, &a, NULL));
    g_assert_true(
        ra_ntlmssp_step(*server, g_bytes_get_data(a, NULL), g_bytes_get_size(a), &b, NULL));
    g_assert_true(
        ra_ntlmssp_step(*client, g_bytes_get_data(b, NULL), g_bytes_get_size(b), &c, NULL));
    g_assert_true(
        ra_ntlmssp_step(*server, g_bytes_get_data(c, NULL), g_bytes_get_size(c), &d, NULL));
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_bytes_unref(c);
}

/* Requests and responses protected by us at each level, verified by the other side. */
static void test_protect_round_trip(void)
{
    static const guint8 levels[] = {RA_AUTH_LEVEL_PKT_INTEGRITY, RA_AUTH_LEVEL_PKT_PRIVACY};
    for (gsize l = 0; l < G_N_ELEMENTS(levels); l++) {
        RaNtlmssp *client, *server;
        make_pair(&client, &server);
        for (guint i = 0; i < 4; i++) {
            guint8 stub[40];
            for (guint k = 0; k < sizeof stub; k++)
                stub[k] = (guint8)(k * 7 + i);
            gsize stub_len = 5 + 9 * i; /* exercises every padding length */
            RaPdu pdu = {0};
            pdu.hdr.ptype = i % 2 ? RA_PDU_RESPONSE : RA_PDU_REQUEST;
            pdu.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
            pdu.hdr.call_id = i + 1;
            pdu.u.request.opnum = 5;
            pdu.stub = stub;
            pdu.stub_len = stub_len;
            pdu.has_auth = TRUE;
            pdu.auth.auth_type = RA_AUTH_TYPE_WINNT;
            pdu.auth.auth_level = levels[l];
            pdu.auth.auth_context_id = 1;
            pdu.auth.auth_value_len = RA_NTLMSSP_SIGNATURE_SIZE;
            GByteArray *out = g_byte_array_new();
            RaPduLayout layout;
            GError *error = NULL;
            g_assert_true(ra_pdu_encode(&pdu, out, &layout, &error));
            g_assert_cmpuint(layout.stub_len % 16, ==, 0);
            g_assert_cmpuint(layout.trailer_offset % 4, ==, 0);
            RaNtlmssp *sender = i % 2 ? server : client, *receiver = i % 2 ? client : server;
            g_assert_true(ra_pdu_protect(out->data, &layout, levels[l], sender, &error));
            g_assert_no_error(error);
            gboolean sealed = levels[l] == RA_AUTH_LEVEL_PKT_PRIVACY;
            g_assert_true((memcmp(out->data + layout.stub_offset, stub, stub_len) != 0) == sealed);
            RaPdu got;
            g_assert_true(ra_pdu_decode(out->data, out->len, &got, &error));
            g_assert_true(ra_pdu_unprotect(out->data, out->len, &got, levels[l], receiver, &error));
            g_assert_no_error(error);
            g_assert_cmpmem(got.stub, got.stub_len, stub, stub_len);
            /* The wrong level is refused without touching the NTLM state. */
            guint8 other = sealed ? RA_AUTH_LEVEL_PKT_INTEGRITY : RA_AUTH_LEVEL_PKT_PRIVACY;
            g_assert_false(ra_pdu_unprotect(out->data, out->len, &got, other, receiver, &error));
            g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
            g_clear_error(&error);
            ra_pdu_clear(&got);
            g_byte_array_unref(out);
        }
        ra_ntlmssp_free(client);
        ra_ntlmssp_free(server);
    }
}

/* Signing covers the header: changing call_id of a PKT_INTEGRITY request is detected. */
static void test_header_signed(void)
{
    RaNtlmssp *client, *server;
    make_pair(&client, &server);
    RaPdu pdu = {0};
    pdu.hdr.ptype = RA_PDU_REQUEST;
    pdu.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
    pdu.hdr.call_id = 7;
    pdu.stub = (const guint8 *)"abcd";
    pdu.stub_len = 4;
    pdu.has_auth = TRUE;
    pdu.auth.auth_type = RA_AUTH_TYPE_WINNT;
    pdu.auth.auth_level = RA_AUTH_LEVEL_PKT_INTEGRITY;
    pdu.auth.auth_value_len = 16;
    GByteArray *out = g_byte_array_new();
    RaPduLayout layout;
    g_assert_true(ra_pdu_encode(&pdu, out, &layout, NULL));
    g_assert_true(ra_pdu_protect(out->data, &layout, RA_AUTH_LEVEL_PKT_INTEGRITY, client, NULL));
    out->data[12] = 8; /* call_id */
    RaPdu got;
    GError *error = NULL;
    g_assert_true(ra_pdu_decode(out->data, out->len, &got, NULL));
    g_assert_false(
        ra_pdu_unprotect(out->data, out->len, &got, RA_AUTH_LEVEL_PKT_INTEGRITY, server, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_AUTH);
    g_error_free(error);
    ra_pdu_clear(&got);
    g_byte_array_unref(out);
    ra_ntlmssp_free(client);
    ra_ntlmssp_free(server);
}

static void test_encode_padding(void)
{
    /* A bind_ack with auth: the trailer starts 4-aligned with no padding (impacket needs that). */
    RaPresResult res = {RA_PDU_RESULT_ACCEPTANCE, 0, ra_syntax_ndr20};
    RaPdu pdu = {0};
    pdu.hdr.ptype = RA_PDU_BIND_ACK;
    pdu.hdr.pfc_flags = 3;
    pdu.u.bind_ack.max_xmit_frag = pdu.u.bind_ack.max_recv_frag = 5840;
    pdu.u.bind_ack.secondary_address = (gchar *)(guintptr) "135";
    pdu.u.bind_ack.n_results = 1;
    pdu.u.bind_ack.results = &res;
    pdu.has_auth = TRUE;
    pdu.auth.auth_type = RA_AUTH_TYPE_WINNT;
    pdu.auth.auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    pdu.auth.auth_value = (const guint8 *)"challenge-token";
    pdu.auth.auth_value_len = 15;
    GByteArray *out = g_byte_array_new();
    RaPduLayout layout;
    g_assert_true(ra_pdu_encode(&pdu, out, &layout, NULL));
    g_assert_cmpuint(layout.trailer_offset, ==, 60);
    g_assert_cmpuint(out->data[layout.trailer_offset + 2], ==, 0); /* auth_pad_length */
    RaPdu got;
    g_assert_true(ra_pdu_decode(out->data, out->len, &got, NULL));
    g_assert_cmpmem(got.auth.auth_value, got.auth.auth_value_len, "challenge-token", 15);
    ra_pdu_clear(&got);
    g_byte_array_unref(out);
}

static void test_fragment_sizes(void)
{
    /* 16-byte header + 8 request fields + 8 sec_trailer + 16 signature = 48; rounded to 16. */
    g_assert_cmpuint(ra_pdu_max_stub_chunk(RA_PDU_REQUEST, FALSE, 5840, 16), ==, 5792);
    g_assert_cmpuint(ra_pdu_max_stub_chunk(RA_PDU_REQUEST, TRUE, 5840, 16), ==, 5776);
    g_assert_cmpuint(ra_pdu_max_stub_chunk(RA_PDU_RESPONSE, FALSE, 4280, 0), ==, 4256);
    g_assert_cmpuint(ra_pdu_max_stub_chunk(RA_PDU_REQUEST, FALSE, 1432, 16), ==, 1376);
    g_assert_cmpuint(ra_pdu_max_stub_chunk(RA_PDU_REQUEST, FALSE, 48, 16), ==, 0);
    /* Every full chunk plus its trailer fits in max_frag exactly or below. */
    for (guint16 frag = 64; frag < 6000; frag = (guint16)(frag + 37)) {
        gsize c = ra_pdu_max_stub_chunk(RA_PDU_REQUEST, TRUE, frag, 16);
        if (c > 0)
            g_assert_cmpuint(16 + 8 + 16 + c + 8 + 16, <=, frag);
    }
    guint n;
    RaPduChunk *chunks = ra_pdu_split(100, 32, &n);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(chunks[0].pfc_flags, ==, RA_PFC_FIRST_FRAG);
    g_assert_cmpuint(chunks[1].pfc_flags, ==, 0);
    g_assert_cmpuint(chunks[3].pfc_flags, ==, RA_PFC_LAST_FRAG);
    g_assert_cmpuint(chunks[3].offset, ==, 96);
    g_assert_cmpuint(chunks[3].len, ==, 4);
    g_free(chunks);
    chunks = ra_pdu_split(0, 32, &n);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(chunks[0].pfc_flags, ==, RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG);
    g_free(chunks);
}

static RaPdu frag(guint32 call_id, guint8 flags, guint16 opnum, guint32 alloc_hint,
                  const guint8 *stub, gsize len)
{
    RaPdu p = {0};
    p.hdr.ptype = RA_PDU_REQUEST;
    p.hdr.pfc_flags = flags;
    p.hdr.call_id = call_id;
    p.u.request.opnum = opnum;
    p.u.request.alloc_hint = alloc_hint;
    p.stub = stub;
    p.stub_len = len;
    return p;
}

static void test_reassembly(void)
{
    guint8 data[300];
    for (guint i = 0; i < sizeof data; i++)
        data[i] = (guint8)i;
    RaPduReassembly *r = ra_pdu_reassembly_new(1000, 10);
    GError *error = NULL;
    gboolean complete;
    /* Split with ra_pdu_split, fed back in order. */
    guint n;
    RaPduChunk *chunks = ra_pdu_split(sizeof data, 64, &n);
    for (guint i = 0; i < n; i++) {
        RaPdu p =
            frag(5, chunks[i].pfc_flags, 4, sizeof data, data + chunks[i].offset, chunks[i].len);
        g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
        g_assert_no_error(error);
        g_assert_true(complete == (i + 1 == n));
        g_assert_true(ra_pdu_reassembly_in_progress(r) == !complete);
    }
    g_free(chunks);
    g_assert_cmpuint(ra_pdu_reassembly_first(r)->u.request.opnum, ==, 4);
    GBytes *whole = ra_pdu_reassembly_steal(r);
    g_assert_cmpmem(g_bytes_get_data(whole, NULL), g_bytes_get_size(whole), data, sizeof data);
    g_bytes_unref(whole);

    /* Refusals: each resets the reassembly. */
    RaPdu p = frag(6, RA_PFC_LAST_FRAG, 4, 10, data, 10);
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error)); /* no FIRST_FRAG */
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    p = frag(6, RA_PFC_FIRST_FRAG, 4, 0x7fffffff, data, 10);
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error)); /* lying alloc_hint */
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    p = frag(6, RA_PFC_FIRST_FRAG, 4, 10, data, 10);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    p = frag(7, 0, 4, 10, data, 10);
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error)); /* another call_id */
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_false(ra_pdu_reassembly_in_progress(r));
    p = frag(8, RA_PFC_FIRST_FRAG, 4, 10, data, 10);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    p = frag(8, 0, 5, 10, data, 10);
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error)); /* another opnum */
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    p = frag(9, RA_PFC_FIRST_FRAG, 4, 10, data, 10);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error)); /* FIRST_FRAG again */
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    /* Too many fragments, and too many bytes. */
    p = frag(10, RA_PFC_FIRST_FRAG, 4, 0, data, 1);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    gboolean refused = FALSE;
    for (guint i = 0; i < 20 && !refused; i++) {
        p = frag(10, 0, 4, 0, data, 1);
        refused = !ra_pdu_reassembly_add(r, &p, &complete, &error);
    }
    g_assert_true(refused);
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    ra_pdu_reassembly_free(r);
    r = ra_pdu_reassembly_new(250, 100);
    refused = FALSE;
    p = frag(11, RA_PFC_FIRST_FRAG, 4, 0, data, 100);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    p = frag(11, 0, 4, 0, data, 100);
    g_assert_true(ra_pdu_reassembly_add(r, &p, &complete, &error));
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    /* A fault cannot be reassembled. */
    p.hdr.ptype = RA_PDU_FAULT;
    g_assert_false(ra_pdu_reassembly_add(r, &p, &complete, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    ra_pdu_reassembly_free(r);
}

/* Every prefix of every valid vector is refused cleanly or decodes (a prefix of a PDU has a
 * lying frag_length). */
static void test_truncations(void)
{
    gchar **files = hexvec_list("pdu", ".hex");
    for (guint f = 0; files[f] != NULL; f++) {
        HexVec *v = hexvec_load(files[f]);
        for (guint len = 0; len < v->bytes->len; len++) {
            RaPdu pdu;
            GError *error = NULL;
            g_assert_false(ra_pdu_decode(v->bytes->data, len, &pdu, &error));
            g_assert_nonnull(error);
            g_error_free(error);
        }
        hexvec_free(v);
    }
    g_strfreev(files);
}

static void test_peek_header(void)
{
    HexVec *v = hexvec_load("pdu/spec-bind-three-contexts.hex");
    RaPduHeader h;
    GError *error = NULL;
    g_assert_true(ra_pdu_peek_header(v->bytes->data, 16, 0, &h, &error));
    g_assert_cmpuint(h.frag_length, ==, v->bytes->len);
    g_assert_cmpuint(h.ptype, ==, RA_PDU_BIND);
    g_assert_false(ra_pdu_peek_header(v->bytes->data, 16, 100, &h, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    hexvec_free(v);
    g_assert_cmpstr(ra_pdu_fault_name(RA_NCA_UNK_IF), ==, "nca_s_unk_if");
    g_assert_null(ra_pdu_fault_name(0x12345678));
    g_assert_cmpstr(ra_pdu_type_name(RA_PDU_BIND_ACK), ==, "bind_ack");
    g_assert_cmpstr(ra_pdu_type_name(RA_PDU_CO_CANCEL), ==, "co_cancel");
    g_assert_cmpstr(ra_pdu_type_name(1), ==, "unknown ptype");
    g_assert_cmpstr(ra_pdu_type_name(20), ==, "unknown ptype");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_REASON_NOT_SPECIFIED), ==,
                    "reason not specified");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_TEMPORARY_CONGESTION), ==,
                    "temporary congestion");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_LOCAL_LIMIT_EXCEEDED), ==,
                    "local limit exceeded");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_PROTOCOL_VERSION_NOT_SUPPORTED), ==,
                    "protocol version not supported");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_AUTHENTICATION_TYPE_NOT_RECOGNIZED), ==,
                    "authentication type not recognized");
    g_assert_cmpstr(ra_pdu_bind_nak_reason_name(RA_BIND_NAK_INVALID_CHECKSUM), ==,
                    "invalid checksum");
    g_assert_null(ra_pdu_bind_nak_reason_name(3));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gchar **files = hexvec_list("pdu", ".hex");
    for (guint i = 0; files[i] != NULL; i++) {
        gchar *name = g_strdup_printf("/pdu/vector/%s", files[i] + 4);
        g_test_add_data_func_full(name, g_strdup(files[i]), test_vector, g_free);
        g_free(name);
    }
    g_strfreev(files);
    g_test_add_func("/pdu/fields", test_bind_fields);
    g_test_add_func("/pdu/unprotect-impacket", test_unprotect_impacket);
    g_test_add_func("/pdu/unprotect-tampered", test_unprotect_tampered);
    g_test_add_func("/pdu/protect-round-trip", test_protect_round_trip);
    g_test_add_func("/pdu/header-signed", test_header_signed);
    g_test_add_func("/pdu/encode-padding", test_encode_padding);
    g_test_add_func("/pdu/fragment-sizes", test_fragment_sizes);
    g_test_add_func("/pdu/reassembly", test_reassembly);
    g_test_add_func("/pdu/truncations", test_truncations);
    g_test_add_func("/pdu/peek-header", test_peek_header);
    return g_test_run();
}
