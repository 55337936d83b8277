/*
 * Records the seed sessions of the fuzz-rpc-assoc corpus, and checks that they still mean what
 * they meant (a ctest runs `check`):
 *
 *   gen-rpc-assoc-corpus write DIR   writes DIR/ok-*.bin and DIR/refused-*.bin
 *   gen-rpc-assoc-corpus check DIR   replays every ok-* and refused-* file of DIR
 *
 * A session is the byte stream a client sends: PDUs built with ra/pdu.h, NTLM from ra/ntlmssp.h
 * with a fixed client challenge and session key, against the fixture server (seeded random,
 * fixed NTLM time), so its CHALLENGE is the same at every replay and the recorded AUTHENTICATE
 * and sealed requests verify again. `check` requires that every request of an ok-* session is
 * answered with a response (none refused, the association kept open), and that a refused-*
 * session ends with a fault or a bind_nak. If the server's handshake changes, `check` fails and
 * the corpus must be regenerated with `write` (then the fuzz corpus keeps reaching the states
 * after authentication).
 */
#include "rpc-assoc-fixture.h"

#include "ra/crypto.h"
#include "ra/epm.h"
#include "ra/ndr.h"
#include "ra/ntlmssp.h"
#include "ra/oxid.h"
#include "ra/pdu.h"
#include "ra/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    RaRpcAssoc *assoc;
    GByteArray *stream;
    RaNtlmssp *ntlm[4]; /* by auth_context_id - 1 */
    guint8 level[4];
    guint32 call_id;
    guint n_faults;
    gboolean closed;
} Session;

static void die(const char *what)
{
    fprintf(stderr, "gen-rpc-assoc-corpus: %s\n", what);
    exit(1);
}

/* Feeds one PDU, records it, returns the answers. */
static GPtrArray *feed(Session *s, const guint8 *pdu, gsize len)
{
    if (s->closed)
        die("session continued after the server closed it");
    g_byte_array_append(s->stream, pdu, (guint)len);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    if (!ra_rpc_assoc_input(s->assoc, pdu, len, out))
        s->closed = TRUE;
    for (guint i = 0; i < out->len; i++) {
        const guint8 *d = g_bytes_get_data(g_ptr_array_index(out, i), NULL);
        if (d[2] == RA_PDU_FAULT || d[2] == RA_PDU_BIND_NAK)
            s->n_faults++;
    }
    return out;
}

static GByteArray *encode(const RaPdu *p, RaPduLayout *layout)
{
    GByteArray *b = g_byte_array_new();
    RaPduLayout l;
    if (!ra_pdu_encode(p, b, layout ? layout : &l, NULL))
        die("encode");
    return b;
}

static RaNtlmssp *client_ntlm(const char *password)
{
    static const guint8 challenge[8] = {0xc1, 0x1e, 0x47, 0xc4, 0xa1, 0x1e, 0x46, 0xe0};
    static const guint8 key[16] = {0x5e, 0x55, 0x10, 0x4e, 0x4b, 0xe9, 0x01, 0x02,
                                   0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    static const guint64 when = FUZZ_FILETIME;
    RaNtlmClientConfig c = {0};
    c.user = FUZZ_USER;
    c.domain = FUZZ_DOMAIN;
    c.password = password;
    c.workstation = "EXPERT";
    c.fixed_time = &when;
    c.fixed_client_challenge = challenge;
    c.fixed_session_key = key;
    RaNtlmssp *n = ra_ntlmssp_client_new(&c, NULL);
    if (n == NULL)
        die("NTLM client");
    return n;
}

/* bind or alter_context of the given interfaces (context ids first_ctx...), with a fresh NTLM
 * handshake on auth_ctx (1-4) when level > NONE. */
static void bind(Session *s, guint8 ptype, const RaSyntaxId *const *ifaces, guint n,
                 guint16 first_ctx, guint8 level, guint32 auth_ctx, const char *password,
                 gboolean features)
{
    RaSyntaxId ndr = ra_syntax_ndr20, btfn;
    ra_syntax_bind_time_features(RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING, &btfn);
    RaPresContext pcs[8];
    for (guint i = 0; i < n; i++)
        pcs[i] = (RaPresContext){(guint16)(first_ctx + i), *ifaces[i], 1, &ndr};
    if (features) {
        pcs[n] = (RaPresContext){(guint16)(first_ctx + n), *ifaces[0], 1, &btfn};
        n++;
    }
    RaPdu p = {0};
    p.hdr.ptype = ptype;
    p.hdr.pfc_flags = 3;
    p.hdr.call_id = s->call_id++;
    p.u.bind.max_xmit_frag = 4280;
    p.u.bind.max_recv_frag = 4280;
    p.u.bind.n_contexts = n;
    p.u.bind.contexts = pcs;
    GBytes *token = NULL;
    RaNtlmssp *ntlm = NULL;
    if (level > RA_AUTH_LEVEL_NONE) {
        ntlm = client_ntlm(password);
        if (!ra_ntlmssp_step(ntlm, NULL, 0, &token, NULL))
            die("NEGOTIATE");
        p.has_auth = TRUE;
        p.auth.auth_type = RA_AUTH_TYPE_WINNT;
        p.auth.auth_level = level;
        p.auth.auth_context_id = auth_ctx;
        p.auth.auth_value = g_bytes_get_data(token, &p.auth.auth_value_len);
    }
    GByteArray *b = encode(&p, NULL);
    GPtrArray *out = feed(s, b->data, b->len);
    g_byte_array_unref(b);
    g_clear_pointer(&token, g_bytes_unref);
    if (ntlm == NULL || out->len != 1) {
        g_ptr_array_unref(out);
        ra_ntlmssp_free(ntlm);
        return;
    }
    RaPdu ack;
    GBytes *ab = g_ptr_array_index(out, 0);
    if (!ra_pdu_decode(g_bytes_get_data(ab, NULL), g_bytes_get_size(ab), &ack, NULL))
        die("answer to bind");
    if (ack.has_auth) {
        if (!ra_ntlmssp_step(ntlm, ack.auth.auth_value, ack.auth.auth_value_len, &token, NULL))
            die("AUTHENTICATE");
        RaPdu a3 = {0};
        a3.hdr.ptype = RA_PDU_AUTH3;
        a3.hdr.pfc_flags = 3;
        a3.hdr.call_id = p.hdr.call_id;
        a3.has_auth = TRUE;
        a3.auth.auth_type = RA_AUTH_TYPE_WINNT;
        a3.auth.auth_level = level;
        a3.auth.auth_context_id = auth_ctx;
        a3.auth.auth_value = g_bytes_get_data(token, &a3.auth.auth_value_len);
        b = encode(&a3, NULL);
        g_ptr_array_unref(feed(s, b->data, b->len));
        g_byte_array_unref(b);
        g_bytes_unref(token);
        ra_ntlmssp_free(s->ntlm[auth_ctx - 1]);
        s->ntlm[auth_ctx - 1] = ntlm;
        s->level[auth_ctx - 1] = level;
        ntlm = NULL;
    }
    ra_pdu_clear(&ack);
    ra_ntlmssp_free(ntlm);
    g_ptr_array_unref(out);
}

/* A request in n_frags fragments, protected with auth_ctx's context (0: none); the response
 * fragments are unprotected so that the client's sealing state follows the server's. */
static void request(Session *s, guint16 ctx, guint16 opnum, GBytes *stub, guint n_frags,
                    guint32 auth_ctx)
{
    gsize len = 0;
    const guint8 *d = stub ? g_bytes_get_data(stub, &len) : NULL;
    RaNtlmssp *ntlm = auth_ctx ? s->ntlm[auth_ctx - 1] : NULL;
    guint8 level = auth_ctx ? s->level[auth_ctx - 1] : RA_AUTH_LEVEL_NONE;
    gboolean protect = ntlm != NULL && level >= RA_AUTH_LEVEL_PKT_INTEGRITY;
    guint32 call_id = s->call_id++;
    gsize chunk = n_frags > 1 ? (len + n_frags - 1) / n_frags : len;
    chunk = (chunk + 15) & ~(gsize)15;
    GPtrArray *out = NULL;
    for (gsize off = 0; off < len || off == 0; off += chunk) {
        RaPdu p = {0};
        p.hdr.ptype = RA_PDU_REQUEST;
        p.hdr.pfc_flags =
            (off == 0 ? RA_PFC_FIRST_FRAG : 0) | (off + chunk >= len ? RA_PFC_LAST_FRAG : 0);
        p.hdr.call_id = call_id;
        p.u.request.alloc_hint = (guint32)(len - off);
        p.u.request.context_id = ctx;
        p.u.request.opnum = opnum;
        p.stub = d ? d + off : NULL;
        p.stub_len = MIN(chunk, len - off);
        if (protect) {
            p.has_auth = TRUE;
            p.auth.auth_type = RA_AUTH_TYPE_WINNT;
            p.auth.auth_level = level;
            p.auth.auth_context_id = auth_ctx;
            p.auth.auth_value_len = RA_NTLMSSP_SIGNATURE_SIZE;
        }
        RaPduLayout layout;
        GByteArray *b = encode(&p, &layout);
        if (protect && !ra_pdu_protect(b->data, &layout, level, ntlm, NULL))
            die("protect");
        if (out != NULL)
            g_ptr_array_unref(out);
        out = feed(s, b->data, b->len);
        g_byte_array_unref(b);
        if (len == 0 || s->closed)
            break;
    }
    for (guint i = 0; protect && i < out->len; i++) {
        GByteArray *copy = g_bytes_unref_to_array(g_bytes_ref(g_ptr_array_index(out, i)));
        RaPdu r;
        if (ra_pdu_decode(copy->data, copy->len, &r, NULL)) {
            if (r.hdr.ptype == RA_PDU_RESPONSE &&
                !ra_pdu_unprotect(copy->data, copy->len, &r, level, ntlm, NULL))
                die("the server's response does not verify");
            ra_pdu_clear(&r);
        }
        g_byte_array_unref(copy);
    }
    g_ptr_array_unref(out);
}

static GBytes *ndr_done(RaNdrPush *p)
{
    GBytes *b = ra_ndr_push_finish(p, NULL);
    ra_ndr_push_free(p);
    return b;
}

static GBytes *ept_map_stub(void)
{
    static const guint8 any[4] = {0};
    GBytes *tower = ra_epm_tower_build_tcp(&ra_oxid_syntax, &ra_syntax_ndr20, 0, any);
    gsize n;
    const guint8 *t = g_bytes_get_data(tower, &n);
    RaNdrPush *p = ra_ndr_push_new();
    RaUuid nil = {0};
    ra_ndr_push_ptr(p, &nil);
    ra_ndr_push_uuid(p, &nil);
    ra_ndr_push_ptr(p, t);
    ra_ndr_push_array_size(p, (guint32)n);
    ra_ndr_push_u32(p, (guint32)n);
    ra_ndr_push_bytes(p, t, n);
    ra_ndr_push_align(p, 4);
    ra_ndr_push_u32(p, 0);
    ra_ndr_push_uuid(p, &nil);
    ra_ndr_push_u32(p, 4);
    g_bytes_unref(tower);
    return ndr_done(p);
}

static GBytes *ept_lookup_stub(void)
{
    RaNdrPush *p = ra_ndr_push_new();
    RaUuid nil = {0};
    ra_ndr_push_u32(p, 0);
    ra_ndr_push_ptr(p, NULL);
    ra_ndr_push_ptr(p, NULL);
    ra_ndr_push_u32(p, 1);
    ra_ndr_push_u32(p, 0);
    ra_ndr_push_uuid(p, &nil);
    ra_ndr_push_u32(p, 1);
    return ndr_done(p);
}

static GBytes *resolve_stub(void)
{
    RaNdrPush *p = ra_ndr_push_new();
    static const guint16 seqs[] = {7, 8};
    ra_ndr_push_u64(p, FUZZ_OXID);
    ra_ndr_push_u16(p, 2);
    ra_ndr_push_array_size(p, 2);
    ra_ndr_push_u16_array(p, seqs, 2);
    return ndr_done(p);
}

static GBytes *complex_ping_stub(void)
{
    RaNdrPush *p = ra_ndr_push_new();
    ra_ndr_push_u64(p, 0);
    ra_ndr_push_u16(p, 1);
    ra_ndr_push_u16(p, 2);
    ra_ndr_push_u16(p, 0);
    ra_ndr_push_ptr(p, p);
    ra_ndr_push_array_size(p, 2);
    ra_ndr_push_u64(p, 1);
    ra_ndr_push_u64(p, 2);
    ra_ndr_push_ptr(p, NULL);
    return ndr_done(p);
}

static GBytes *pattern(gsize n)
{
    guint8 *d = g_malloc(n);
    for (gsize i = 0; i < n; i++)
        d[i] = (guint8)(i * 31 + 7);
    return g_bytes_new_take(d, n);
}

typedef void (*Script)(Session *s);

static void s_unauth(Session *s)
{
    const RaSyntaxId *ifaces[] = {&ra_epm_syntax, &ra_oxid_syntax};
    bind(s, RA_PDU_BIND, ifaces, 2, 0, RA_AUTH_LEVEL_NONE, 0, NULL, TRUE);
    GBytes *st = ept_map_stub();
    request(s, 0, 3, st, 1, 0);
    g_bytes_unref(st);
    st = ept_lookup_stub();
    request(s, 0, 2, st, 1, 0);
    g_bytes_unref(st);
    request(s, 1, 5, NULL, 1, 0); /* ServerAlive2 */
    request(s, 1, 3, NULL, 1, 0); /* ServerAlive */
}

static void s_privacy(Session *s)
{
    const RaSyntaxId *ifaces[] = {&ra_oxid_syntax};
    bind(s, RA_PDU_BIND, ifaces, 1, 0, RA_AUTH_LEVEL_PKT_PRIVACY, 1, FUZZ_PASSWORD, FALSE);
    request(s, 0, 5, NULL, 1, 1);
    GBytes *st = resolve_stub();
    request(s, 0, 4, st, 1, 1);
    request(s, 0, 0, st, 1, 1);
    g_bytes_unref(st);
    st = complex_ping_stub();
    request(s, 0, 2, st, 1, 1);
    g_bytes_unref(st);
}

static void s_integrity_alter(Session *s)
{
    const RaSyntaxId *epm[] = {&ra_epm_syntax}, *oxid[] = {&ra_oxid_syntax};
    bind(s, RA_PDU_BIND, epm, 1, 0, RA_AUTH_LEVEL_PKT_INTEGRITY, 1, FUZZ_PASSWORD, FALSE);
    GBytes *st = ept_map_stub();
    request(s, 0, 3, st, 1, 1);
    g_bytes_unref(st);
    bind(s, RA_PDU_ALTER_CONTEXT, oxid, 1, 1, RA_AUTH_LEVEL_PKT_PRIVACY, 2, FUZZ_PASSWORD, FALSE);
    st = resolve_stub();
    request(s, 1, 4, st, 1, 2);
    request(s, 1, 0, st, 1, 2);
    g_bytes_unref(st);
    request(s, 0, 3, NULL, 1, 1); /* ept_map with no stub: a fault, association kept */
}

static void s_connect(Session *s)
{
    const RaSyntaxId *ifaces[] = {&fuzz_echo_syntax};
    bind(s, RA_PDU_BIND, ifaces, 1, 0, RA_AUTH_LEVEL_CONNECT, 1, FUZZ_PASSWORD, FALSE);
    GBytes *st = pattern(100);
    request(s, 0, 0, st, 1, 0);
    g_bytes_unref(st);
}

static void s_fragments(Session *s)
{
    const RaSyntaxId *ifaces[] = {&fuzz_echo_syntax};
    bind(s, RA_PDU_BIND, ifaces, 1, 0, RA_AUTH_LEVEL_PKT_PRIVACY, 1, FUZZ_PASSWORD, FALSE);
    GBytes *st = pattern(3000);
    request(s, 0, 0, st, 3, 1);
    g_bytes_unref(st);
    st = pattern(200);
    request(s, 0, 0, st, 1, 1);
    g_bytes_unref(st);
}

static void s_wrong_password(Session *s)
{
    const RaSyntaxId *ifaces[] = {&ra_oxid_syntax};
    bind(s, RA_PDU_BIND, ifaces, 1, 0, RA_AUTH_LEVEL_PKT_PRIVACY, 1, "wrong", FALSE);
    request(s, 0, 5, NULL, 1, 1);
}

static void s_below_minimum(Session *s)
{
    const RaSyntaxId *ifaces[] = {&ra_oxid_syntax};
    bind(s, RA_PDU_BIND, ifaces, 1, 0, RA_AUTH_LEVEL_PKT_INTEGRITY, 1, FUZZ_PASSWORD, FALSE);
    GBytes *st = resolve_stub();
    request(s, 0, 4, st, 1, 1);
    g_bytes_unref(st);
}

static const struct {
    const char *name;
    Script script;
} sessions[] = {
    {"ok-unauthenticated-epm-oxid", s_unauth},
    {"ok-privacy-oxid", s_privacy},
    {"refused-integrity-then-alter-privacy", s_integrity_alter},
    {"ok-connect-echo", s_connect},
    {"ok-privacy-fragments", s_fragments},
    {"refused-wrong-password", s_wrong_password},
    {"refused-below-minimum", s_below_minimum},
};

static Session *session_new(void)
{
    Session *s = g_new0(Session, 1);
    s->assoc = fuzz_rpc_session();
    s->stream = g_byte_array_new();
    s->call_id = 1;
    return s;
}

static void session_free(Session *s)
{
    ra_rpc_assoc_free(s->assoc);
    g_byte_array_unref(s->stream);
    for (int i = 0; i < 4; i++)
        ra_ntlmssp_free(s->ntlm[i]);
    g_free(s);
}

/* Replays a stream as fuzz-rpc-assoc does; counts answers and faults. */
static void replay(const guint8 *data, gsize size, guint *n_answers, guint *n_faults,
                   gboolean *closed)
{
    RaRpcAssoc *assoc = fuzz_rpc_session();
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    *n_answers = *n_faults = 0;
    *closed = FALSE;
    gsize off = 0;
    while (size - off >= 16 && !*closed) {
        guint frag = ra_tcp_frame_length(data + off, size - off, 65535, NULL);
        if (frag == 0 || frag > size - off)
            die("a corpus file is not a sequence of whole PDUs");
        *closed = !ra_rpc_assoc_input(assoc, data + off, frag, out);
        for (guint i = 0; i < out->len; i++) {
            const guint8 *d = g_bytes_get_data(g_ptr_array_index(out, i), NULL);
            (*n_answers)++;
            if (d[2] == RA_PDU_FAULT || d[2] == RA_PDU_BIND_NAK)
                (*n_faults)++;
        }
        g_ptr_array_set_size(out, 0);
        off += frag;
    }
    g_ptr_array_unref(out);
    ra_rpc_assoc_free(assoc);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "write") != 0 && strcmp(argv[1], "check") != 0)) {
        fprintf(stderr, "usage: gen-rpc-assoc-corpus write|check DIR\n");
        return 2;
    }
    gboolean write = strcmp(argv[1], "write") == 0;
    int failures = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(sessions); i++) {
        gchar *path = g_strdup_printf("%s/%s.bin", argv[2], sessions[i].name);
        gboolean want_ok = g_str_has_prefix(sessions[i].name, "ok-");
        if (write) {
            Session *s = session_new();
            sessions[i].script(s);
            if (want_ok != (s->n_faults == 0 && !s->closed))
                die(sessions[i].name);
            GError *error = NULL;
            if (!g_file_set_contents(path, (const gchar *)s->stream->data, s->stream->len, &error))
                die(error->message);
            session_free(s);
            printf("wrote %s\n", path);
        }
        gchar *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &data, &len, NULL))
            die(path);
        guint answers, faults;
        gboolean closed;
        replay((const guint8 *)data, len, &answers, &faults, &closed);
        gboolean ok = want_ok ? (faults == 0 && !closed && answers > 0) : faults > 0;
        printf("%s %s: %u answers, %u faults%s\n", ok ? "ok" : "not ok", sessions[i].name, answers,
               faults, closed ? ", closed" : "");
        failures += ok ? 0 : 1;
        g_free(data);
        g_free(path);
    }
    return failures ? 1 : 0;
}
