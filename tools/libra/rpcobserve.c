/*
 * A passive observer of one DCE/RPC association (see ra/rpcobserve.h).
 */
#include "ra/rpcobserve.h"
#include "ra/bytes.h"
#include "ra/ntlmssp.h"

#include <string.h>

#define MAX_PENDING_BINDS 16
/* Bytes looked through for a first PDU header before deciding a connection is not DCE/RPC. */
#define MAX_HUNT    (256 * 1024)
#define NTLMSSP_SIG "NTLMSSP"

const char *ra_obs_stub_state_name(RaObsStubState state)
{
    switch (state) {
    case RA_OBS_STUB_NONE:
        return "none";
    case RA_OBS_STUB_CLEAR:
        return "clear";
    case RA_OBS_STUB_VERIFIED:
        return "verified";
    case RA_OBS_STUB_DECRYPTED:
        return "decrypted";
    case RA_OBS_STUB_SEALED:
        return "sealed";
    case RA_OBS_STUB_BAD_SIGNATURE:
        return "bad signature";
    case RA_OBS_STUB_MISSING:
        return "missing";
    case RA_OBS_STUB_TOO_LARGE:
        return "too large";
    }
    return "?";
}

typedef struct {
    RaObsAuth pub;
    GBytes *negotiate, *challenge;
    RaNtlmssp *ctx[2]; /* [0] unseals what the client sent, [1] what the server sent */
    gboolean broken[2];
    gboolean noted_sealed;
    gboolean replaced; /* a newer handshake took its auth_context_id */
    gboolean reported;
    gchar *why_owned;
} Auth;

typedef struct {
    RaObsBind pub;
    Auth *auth;
} PendingBind;

typedef struct {
    RaObsCall pub;
    Auth *auth;
    GByteArray *req, *resp; /* NULL unless the stub is readable so far */
    gboolean req_done;
    /* Answered before its request was seen: the capture may have put the two directions out of
     * order; the request, when it comes, joins it (else it is reported without). */
    gboolean orphan;
    RaObsStamp orphan_at;
    /* pub.iface points here: the context's entry may be replaced (an alter_context reusing its
     * id, a second bind) while the call is outstanding. */
    RaSyntaxId iface;
} Call;

typedef struct {
    GByteArray *buf;      /* the PDU being read (after a resync, possibly more) */
    gboolean have_header; /* buf starts with a checked header; need is its frag_length */
    gsize need;
    gsize skip;      /* bytes still to drop (the rest of a PDU damaged by a gap) */
    gboolean resync; /* looking for the next PDU header */
    gsize resync_skipped;
    guint64 pdus; /* PDUs framed in this direction */
} Framer;

struct RaRpcObserver {
    RaObsConfig cfg;
    int client_side;
    gboolean strict; /* the connection's start was captured: it must begin with a PDU */
    gsize hunted;    /* bytes skipped looking for a first PDU */
    gboolean not_rpc, finished;
    guint64 pdus;
    Framer fr[2];
    GHashTable *contexts; /* context_id -> RaSyntaxId* */
    GPtrArray *auths;     /* Auth*, oldest first */
    GPtrArray *binds;     /* PendingBind*, unanswered */
    GPtrArray *calls;     /* Call*, unanswered */
    gsize stub_bytes;     /* buffered in calls */
    GHashTable *noted;    /* notes given once: (code << 32 | what) */
    gboolean noted_auth_limit, noted_call_limit;
};

/* TRUE the first time (code, what) is asked about: for notes given once per context. */
static gboolean first_time(RaRpcObserver *o, RaObsNoteCode code, guint32 what)
{
    guint64 key = (guint64)code << 32 | what;
    if (g_hash_table_contains(o->noted, &key))
        return FALSE;
    g_hash_table_add(o->noted, g_memdup2(&key, sizeof key));
    return TRUE;
}

static void note(RaRpcObserver *o, RaObsNoteCode code, gboolean from_client, const RaObsStamp *at,
                 const char *format, ...) G_GNUC_PRINTF(5, 6);
static void note(RaRpcObserver *o, RaObsNoteCode code, gboolean from_client, const RaObsStamp *at,
                 const char *format, ...)
{
    if (o->cfg.funcs.note == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    gchar *text = g_strdup_vprintf(format, ap);
    va_end(ap);
    o->cfg.funcs.note(code, from_client, at, text, o->cfg.user_data);
    g_free(text);
}

/* ---- security contexts ---- */

static void auth_free(gpointer p)
{
    Auth *a = p;
    g_free(a->pub.domain);
    g_free(a->pub.user);
    g_free(a->pub.workstation);
    if (a->negotiate)
        g_bytes_unref(a->negotiate);
    if (a->challenge)
        g_bytes_unref(a->challenge);
    ra_ntlmssp_free(a->ctx[0]);
    ra_ntlmssp_free(a->ctx[1]);
    g_free(a->why_owned);
    g_free(a);
}

static Auth *find_auth(RaRpcObserver *o, guint32 id)
{
    for (guint i = o->auths->len; i-- > 0;) {
        Auth *a = g_ptr_array_index(o->auths, i);
        if (a->pub.auth_context_id == id && !a->replaced)
            return a;
    }
    return NULL;
}

static void report_auth(RaRpcObserver *o, Auth *a)
{
    if (a->reported)
        return;
    a->reported = TRUE;
    if (o->cfg.funcs.auth)
        o->cfg.funcs.auth(&a->pub, o->cfg.user_data);
}

/* The NTLM message type of a token, or 0 when it is not an NTLMSSP message. */
static guint32 ntlm_type(const RaSecTrailer *t)
{
    if (t->auth_value_len < 12 || memcmp(t->auth_value, NTLMSSP_SIG, 8) != 0)
        return 0;
    return ra_le32(t->auth_value + 8);
}

/* A bind or alter_context starting a handshake: a new context for its auth_context_id. */
static Auth *start_auth(RaRpcObserver *o, const RaSecTrailer *t, const RaObsStamp *at)
{
    Auth *old = find_auth(o, t->auth_context_id);
    if (old != NULL) {
        report_auth(o, old); /* a handshake that never completed is reported as such */
        old->replaced = TRUE;
    }
    if (o->auths->len >= RA_OBS_MAX_AUTH) {
        if (!o->noted_auth_limit)
            note(o, RA_OBS_NOTE_LIMIT, TRUE, at,
                 "more than %u security contexts on one connection: later ones are not followed",
                 RA_OBS_MAX_AUTH);
        o->noted_auth_limit = TRUE;
        return NULL;
    }
    Auth *a = g_new0(Auth, 1);
    a->pub.auth_context_id = t->auth_context_id;
    a->pub.auth_type = t->auth_type;
    a->pub.auth_level = t->auth_level;
    a->pub.started = *at;
    a->pub.secret = -1;
    a->pub.key = RA_OBS_KEY_INCOMPLETE;
    a->pub.why = "the AUTHENTICATE message is not in the capture";
    if (t->auth_type == RA_AUTH_TYPE_WINNT && ntlm_type(t) == 1) {
        a->pub.has_negotiate = TRUE;
        a->negotiate = g_bytes_new(t->auth_value, t->auth_value_len);
    } else if (t->auth_type != RA_AUTH_TYPE_WINNT) {
        a->pub.key = RA_OBS_KEY_UNSUPPORTED;
        a->pub.why = t->auth_type == RA_AUTH_TYPE_GSS_NEGOTIATE
                         ? "SPNEGO (auth type 9) is not decoded: only raw NTLM (10) is"
                         : "an authentication service other than NTLM";
    }
    g_ptr_array_add(o->auths, a);
    return a;
}

/* The AUTHENTICATE: who it is, and which secret (if any) is the account's. */
static void complete_auth(RaRpcObserver *o, Auth *a, const RaSecTrailer *t, const RaObsStamp *at)
{
    if (a->pub.has_authenticate)
        return;
    a->pub.has_authenticate = TRUE;
    a->pub.authenticated = *at;
    GError *error = NULL;
    RaNtlmAuthenticate m;
    if (!ra_ntlm_authenticate_decode(t->auth_value, t->auth_value_len, &m, &error)) {
        a->pub.key = RA_OBS_KEY_UNSUPPORTED;
        a->why_owned = g_strdup_printf("the AUTHENTICATE does not decode: %s", error->message);
        a->pub.why = a->why_owned;
        g_error_free(error);
        report_auth(o, a);
        return;
    }
    a->pub.domain = g_strdup(m.domain);
    a->pub.user = g_strdup(m.user);
    a->pub.workstation = g_strdup(m.workstation);
    a->pub.flags = m.flags;
    a->pub.ntlmv2 = m.nt_response_len > 24;
    ra_ntlm_authenticate_clear(&m);
    if (a->pub.key == RA_OBS_KEY_UNSUPPORTED) {
        /* not NTLM: why says so */
    } else if (!a->pub.has_challenge) {
        a->pub.key = RA_OBS_KEY_INCOMPLETE;
        a->pub.why = "the CHALLENGE (in the bind_ack or alter_context_resp) is not in the capture";
    } else if (o->cfg.n_secrets == 0) {
        a->pub.key = RA_OBS_KEY_NONE;
        a->pub.why = NULL;
    } else {
        a->pub.key = RA_OBS_KEY_NO_MATCH;
        a->pub.why = NULL;
        gsize nl = 0, cl = 0;
        const guint8 *n = a->negotiate ? g_bytes_get_data(a->negotiate, &nl) : NULL;
        const guint8 *c = g_bytes_get_data(a->challenge, &cl);
        for (guint i = 0; i < o->cfg.n_secrets; i++) {
            if (ra_ntlmssp_observe(n, nl, c, cl, t->auth_value, t->auth_value_len,
                                   o->cfg.secrets[i].nt_hash, &a->ctx[0], &a->ctx[1], &error)) {
                a->pub.key = RA_OBS_KEY_MATCHED;
                a->pub.secret = (int)i;
                break;
            }
            if (!g_error_matches(error, RA_ERROR, RA_ERROR_AUTH)) {
                a->pub.key = RA_OBS_KEY_UNSUPPORTED;
                a->why_owned = g_strdup(error->message);
                a->pub.why = a->why_owned;
                g_clear_error(&error);
                break;
            }
            g_clear_error(&error);
        }
    }
    /* The handshake messages are not needed any more. */
    g_clear_pointer(&a->negotiate, g_bytes_unref);
    g_clear_pointer(&a->challenge, g_bytes_unref);
    report_auth(o, a);
}

/* The auth verifier of a bind, alter_context or auth3. Returns the context it belongs to. */
static Auth *bind_auth(RaRpcObserver *o, const RaPdu *pdu, const RaObsStamp *at)
{
    const RaSecTrailer *t = &pdu->auth;
    guint32 type = t->auth_type == RA_AUTH_TYPE_WINNT ? ntlm_type(t) : 0;
    if (type == 3) {
        Auth *a = find_auth(o, t->auth_context_id);
        if (a == NULL) {
            /* The start of this handshake was not captured. */
            RaSecTrailer start = *t;
            start.auth_value_len = 0;
            a = start_auth(o, &start, at);
            if (a == NULL)
                return NULL;
        }
        complete_auth(o, a, t, at);
        return a;
    }
    if (pdu->hdr.ptype == RA_PDU_AUTH3)
        return find_auth(o, t->auth_context_id);
    return start_auth(o, t, at);
}

/* ---- calls ---- */

static void call_free(gpointer p)
{
    Call *c = p;
    if (c->req)
        g_byte_array_unref(c->req);
    if (c->resp)
        g_byte_array_unref(c->resp);
    g_free(c);
}

static Call *find_call(RaRpcObserver *o, guint32 call_id)
{
    for (guint i = 0; i < o->calls->len; i++) {
        Call *c = g_ptr_array_index(o->calls, i);
        if (c->pub.call_id == call_id)
            return c;
    }
    return NULL;
}

static gboolean readable_state(RaObsStubState state)
{
    return state == RA_OBS_STUB_CLEAR || state == RA_OBS_STUB_VERIFIED ||
           state == RA_OBS_STUB_DECRYPTED;
}

static void fill_stub(RaObsStub *s, GByteArray *buf)
{
    if (buf != NULL && readable_state(s->state)) {
        s->data = buf->data;
        s->len = buf->len;
    } else {
        s->data = NULL;
        s->len = 0;
    }
}

/* Reports a call (answered or not) and forgets it. */
static void emit_call(RaRpcObserver *o, Call *c)
{
    g_ptr_array_remove_fast(o->calls, c);
    fill_stub(&c->pub.request, c->req);
    fill_stub(&c->pub.response, c->resp);
    c->pub.auth = c->auth ? &c->auth->pub : NULL;
    if (o->cfg.funcs.call)
        o->cfg.funcs.call(&c->pub, o->cfg.user_data);
    o->stub_bytes -= (c->req ? c->req->len : 0) + (c->resp ? c->resp->len : 0);
    call_free(c);
}

static Call *new_call(RaRpcObserver *o, guint32 call_id, guint16 context_id, const RaObsStamp *at)
{
    if (o->calls->len >= RA_OBS_MAX_CALLS) {
        if (!o->noted_call_limit)
            note(o, RA_OBS_NOTE_LIMIT, TRUE, at,
                 "more than %u calls outstanding on one connection: the oldest are reported "
                 "unanswered",
                 RA_OBS_MAX_CALLS);
        o->noted_call_limit = TRUE;
        emit_call(o, g_ptr_array_index(o->calls, 0));
    }
    Call *c = g_new0(Call, 1);
    c->pub.call_id = call_id;
    c->pub.context_id = context_id;
    const RaSyntaxId *bound = g_hash_table_lookup(o->contexts, GUINT_TO_POINTER(context_id));
    if (bound != NULL) {
        c->iface = *bound;
        c->pub.iface = &c->iface;
    }
    g_ptr_array_add(o->calls, c);
    return c;
}

/* Checks and (PKT_PRIVACY) decrypts a request/response/fault in place. Returns the state of its
 * stub. */
static RaObsStubState unprotect(RaRpcObserver *o, Auth *a, gboolean from_client, guint8 *buf,
                                gsize len, RaPdu *pdu, const RaObsStamp *at)
{
    if (!pdu->has_auth || pdu->auth.auth_level < RA_AUTH_LEVEL_PKT)
        return RA_OBS_STUB_CLEAR;
    gboolean privacy = pdu->auth.auth_level == RA_AUTH_LEVEL_PKT_PRIVACY;
    int dir = from_client ? 0 : 1;
    if (a == NULL) {
        if (first_time(o, RA_OBS_NOTE_UNKNOWN_AUTH, pdu->auth.auth_context_id << 1 | (guint)dir))
            note(o, RA_OBS_NOTE_UNKNOWN_AUTH, from_client, at,
                 "%s call_id %u on security context %u, whose handshake is not in the capture",
                 ra_pdu_type_name(pdu->hdr.ptype), pdu->hdr.call_id, pdu->auth.auth_context_id);
        return privacy ? RA_OBS_STUB_SEALED : RA_OBS_STUB_CLEAR;
    }
    if (a->broken[dir])
        return privacy ? RA_OBS_STUB_BAD_SIGNATURE : RA_OBS_STUB_CLEAR;
    RaNtlmssp *ctx = a->ctx[dir];
    if (ctx == NULL) {
        if (privacy && !a->noted_sealed) {
            a->noted_sealed = TRUE;
            note(o, RA_OBS_NOTE_SEALED, from_client, at,
                 "security context %u is sealed (PKT_PRIVACY) and no secret given matches it",
                 a->pub.auth_context_id);
        }
        return privacy ? RA_OBS_STUB_SEALED : RA_OBS_STUB_CLEAR;
    }
    GError *error = NULL;
    gboolean ok;
    if (pdu->stub == NULL) {
        /* A fault or an empty stub: the signature alone (it still moves the RC4 stream). */
        gsize sig_off = len - RA_NTLMSSP_SIGNATURE_SIZE;
        RaBuf part = {buf, sig_off};
        guint8 sig[RA_NTLMSSP_SIGNATURE_SIZE];
        memcpy(sig, buf + sig_off, sizeof sig);
        if (pdu->auth.auth_value_len != RA_NTLMSSP_SIGNATURE_SIZE) {
            g_set_error(&error, RA_ERROR, RA_ERROR_MALFORMED, "the auth value is not a signature");
            ok = FALSE;
        } else if (privacy) {
            ok = ra_ntlmssp_unseal(ctx, buf + sig_off, 0, &part, 1, sig, sizeof sig, &error);
        } else {
            ok = ra_ntlmssp_verify(ctx, &part, 1, sig, sizeof sig, &error);
        }
    } else {
        ok = ra_pdu_unprotect(buf, len, pdu, pdu->auth.auth_level, ctx, &error);
    }
    if (!ok) {
        a->broken[dir] = TRUE;
        note(o, RA_OBS_NOTE_BAD_SIGNATURE, from_client, at,
             "%s call_id %u on security context %u: %s; later PDUs of this context from the %s "
             "cannot be %s",
             ra_pdu_type_name(pdu->hdr.ptype), pdu->hdr.call_id, pdu->auth.auth_context_id,
             error->message, from_client ? "client" : "server", privacy ? "decrypted" : "verified");
        g_error_free(error);
        return RA_OBS_STUB_BAD_SIGNATURE;
    }
    return privacy ? RA_OBS_STUB_DECRYPTED : RA_OBS_STUB_VERIFIED;
}

/* Adds one fragment's stub to a call's request or response. */
static void add_fragment(RaRpcObserver *o, Call *c, gboolean request, RaObsStubState state,
                         const RaPdu *pdu, const RaObsStamp *at)
{
    RaObsStub *s = request ? &c->pub.request : &c->pub.response;
    GByteArray **buf = request ? &c->req : &c->resp;
    gboolean first = (pdu->hdr.pfc_flags & RA_PFC_FIRST_FRAG) != 0;
    if (s->fragments == 0) {
        s->first = *at;
        /* Without its first fragment the call started before the capture did. */
        s->state = first ? state : RA_OBS_STUB_MISSING;
    } else if (readable_state(s->state) && !readable_state(state)) {
        s->state = state; /* one unreadable fragment makes the stub unreadable */
    }
    s->fragments++;
    s->last = *at;
    s->wire_len += pdu->stub_len;
    if (!readable_state(s->state)) {
        if (*buf) {
            o->stub_bytes -= (*buf)->len;
            g_clear_pointer(buf, g_byte_array_unref);
        }
        return;
    }
    gsize have = *buf ? (*buf)->len : 0;
    if (have + pdu->stub_len > RA_OBS_MAX_STUB ||
        o->stub_bytes + pdu->stub_len > 2 * (gsize)RA_OBS_MAX_STUB) {
        s->state = RA_OBS_STUB_TOO_LARGE;
        note(o, RA_OBS_NOTE_LIMIT, request, at, "call_id %u: %s stub over %u bytes, not kept",
             c->pub.call_id, request ? "request" : "response", RA_OBS_MAX_STUB);
        if (*buf) {
            o->stub_bytes -= (*buf)->len;
            g_clear_pointer(buf, g_byte_array_unref);
        }
        return;
    }
    if (*buf == NULL)
        *buf = g_byte_array_new();
    if (pdu->stub_len > 0)
        g_byte_array_append(*buf, pdu->stub, (guint)pdu->stub_len);
    o->stub_bytes += pdu->stub_len;
}

/* Answers whose requests will not come: a later request of the client (call ids grow) passed
 * them, or the connection ended. */
static void flush_orphans(RaRpcObserver *o, guint32 before, const RaObsStamp *at)
{
    for (guint i = 0; i < o->calls->len;) {
        Call *c = g_ptr_array_index(o->calls, i);
        if (c->orphan && c->pub.answered && (before == 0 || c->pub.call_id < before)) {
            note(o, RA_OBS_NOTE_PROTOCOL, FALSE, &c->orphan_at,
                 "%s to call_id %u, whose request is not in the capture",
                 c->pub.fault ? "fault" : "response", c->pub.call_id);
            emit_call(o, c);
            continue;
        }
        i++;
    }
    (void)at;
}

static void handle_request(RaRpcObserver *o, guint8 *buf, gsize len, RaPdu *pdu,
                           const RaObsStamp *at)
{
    Auth *a = pdu->has_auth ? find_auth(o, pdu->auth.auth_context_id) : NULL;
    Call *c = find_call(o, pdu->hdr.call_id);
    if (pdu->hdr.pfc_flags & RA_PFC_FIRST_FRAG)
        flush_orphans(o, pdu->hdr.call_id, at);
    if (c != NULL && c->orphan && (pdu->hdr.pfc_flags & RA_PFC_FIRST_FRAG)) {
        /* The answer came first in the capture: this is its request. */
        c->orphan = FALSE;
        c->pub.has_opnum = TRUE;
        c->pub.opnum = pdu->u.request.opnum;
        if (pdu->hdr.pfc_flags & RA_PFC_OBJECT_UUID) {
            c->pub.has_object = TRUE;
            c->pub.object = pdu->u.request.object;
        }
        RaObsStubState state = unprotect(o, a, TRUE, buf, len, pdu, at);
        add_fragment(o, c, TRUE, state, pdu, at);
        if (pdu->hdr.pfc_flags & RA_PFC_LAST_FRAG)
            emit_call(o, c);
        return;
    }
    if (c != NULL && !c->orphan && c->pub.answered && c->pub.request.fragments > 0 &&
        !(pdu->hdr.pfc_flags & RA_PFC_FIRST_FRAG)) {
        /* More fragments of a request answered early. */
        RaObsStubState state = unprotect(o, a, TRUE, buf, len, pdu, at);
        add_fragment(o, c, TRUE, state, pdu, at);
        if (pdu->hdr.pfc_flags & RA_PFC_LAST_FRAG)
            emit_call(o, c);
        return;
    }
    if (c != NULL && ((pdu->hdr.pfc_flags & RA_PFC_FIRST_FRAG) || c->req_done)) {
        /* The call_id is used again: the earlier call's answer was not captured. */
        emit_call(o, c);
        c = NULL;
    }
    if (c == NULL) {
        c = new_call(o, pdu->hdr.call_id, pdu->u.request.context_id, at);
        c->pub.has_opnum = TRUE;
        c->pub.opnum = pdu->u.request.opnum;
        if (pdu->hdr.pfc_flags & RA_PFC_OBJECT_UUID) {
            c->pub.has_object = TRUE;
            c->pub.object = pdu->u.request.object;
        }
        c->pub.auth_level = pdu->has_auth ? pdu->auth.auth_level : RA_AUTH_LEVEL_NONE;
        c->auth = a;
        if (c->pub.iface == NULL &&
            first_time(o, RA_OBS_NOTE_UNKNOWN_CONTEXT, pdu->u.request.context_id))
            note(o, RA_OBS_NOTE_UNKNOWN_CONTEXT, TRUE, at,
                 "call_id %u on presentation context %u, whose bind is not in the capture",
                 pdu->hdr.call_id, pdu->u.request.context_id);
    }
    RaObsStubState state = unprotect(o, a, TRUE, buf, len, pdu, at);
    add_fragment(o, c, TRUE, state, pdu, at);
    if (pdu->hdr.pfc_flags & RA_PFC_LAST_FRAG)
        c->req_done = TRUE;
}

static void handle_response(RaRpcObserver *o, guint8 *buf, gsize len, RaPdu *pdu,
                            const RaObsStamp *at)
{
    gboolean fault = pdu->hdr.ptype == RA_PDU_FAULT;
    Auth *a = pdu->has_auth ? find_auth(o, pdu->auth.auth_context_id) : NULL;
    Call *c = find_call(o, pdu->hdr.call_id);
    guint16 ctx = fault ? pdu->u.fault.context_id : pdu->u.response.context_id;
    if (c == NULL) {
        c = new_call(o, pdu->hdr.call_id, ctx, at);
        c->pub.request.state = RA_OBS_STUB_NONE;
        c->pub.auth_level = pdu->has_auth ? pdu->auth.auth_level : RA_AUTH_LEVEL_NONE;
        c->auth = a;
        c->orphan = TRUE;
        c->orphan_at = *at;
    }
    if (c->auth == NULL)
        c->auth = a;
    RaObsStubState state = unprotect(o, a, FALSE, buf, len, pdu, at);
    if (fault) {
        c->pub.fault = TRUE;
        c->pub.fault_status = pdu->u.fault.status;
        c->pub.response.first = c->pub.response.fragments ? c->pub.response.first : *at;
        c->pub.response.last = *at;
        c->pub.response.fragments++;
        if (c->pub.response.state == RA_OBS_STUB_NONE)
            c->pub.response.state = state == RA_OBS_STUB_BAD_SIGNATURE ? state : RA_OBS_STUB_CLEAR;
        c->pub.answered = TRUE;
        if (!c->orphan)
            emit_call(o, c);
        return;
    }
    add_fragment(o, c, FALSE, state, pdu, at);
    if (pdu->hdr.pfc_flags & RA_PFC_LAST_FRAG) {
        c->pub.answered = TRUE;
        if (!c->orphan)
            emit_call(o, c);
    }
}

/* ---- binds ---- */

static void bind_free(gpointer p)
{
    PendingBind *b = p;
    g_free(b->pub.contexts);
    g_free(b);
}

static void emit_bind(RaRpcObserver *o, PendingBind *b)
{
    g_ptr_array_remove(o->binds, b);
    b->pub.auth = b->auth ? &b->auth->pub : NULL;
    if (o->cfg.funcs.bind)
        o->cfg.funcs.bind(&b->pub, o->cfg.user_data);
    bind_free(b);
}

static PendingBind *find_bind(RaRpcObserver *o, guint32 call_id)
{
    for (guint i = 0; i < o->binds->len; i++) {
        PendingBind *b = g_ptr_array_index(o->binds, i);
        if (b->pub.call_id == call_id)
            return b;
    }
    return NULL;
}

static void handle_bind(RaRpcObserver *o, const RaPdu *pdu, const RaObsStamp *at)
{
    PendingBind *old = find_bind(o, pdu->hdr.call_id);
    if (old != NULL)
        emit_bind(o, old);
    if (o->binds->len >= MAX_PENDING_BINDS)
        emit_bind(o, g_ptr_array_index(o->binds, 0));
    PendingBind *b = g_new0(PendingBind, 1);
    b->pub.ptype = pdu->hdr.ptype;
    b->pub.call_id = pdu->hdr.call_id;
    b->pub.stamp = *at;
    b->pub.n_contexts = pdu->u.bind.n_contexts;
    b->pub.contexts = g_new0(RaObsContext, MAX(1, pdu->u.bind.n_contexts));
    for (guint i = 0; i < pdu->u.bind.n_contexts; i++) {
        b->pub.contexts[i].context_id = pdu->u.bind.contexts[i].context_id;
        b->pub.contexts[i].abstract_syntax = pdu->u.bind.contexts[i].abstract_syntax;
    }
    if (pdu->has_auth)
        b->auth = bind_auth(o, pdu, at);
    g_ptr_array_add(o->binds, b);
}

static void remember_context(RaRpcObserver *o, guint16 id, const RaSyntaxId *syntax)
{
    RaSyntaxId *copy = g_new(RaSyntaxId, 1);
    *copy = *syntax;
    g_hash_table_insert(o->contexts, GUINT_TO_POINTER(id), copy);
}

static void handle_bind_answer(RaRpcObserver *o, const RaPdu *pdu, const RaObsStamp *at)
{
    PendingBind *b = find_bind(o, pdu->hdr.call_id);
    if (pdu->has_auth && pdu->auth.auth_type == RA_AUTH_TYPE_WINNT && ntlm_type(&pdu->auth) == 2) {
        Auth *a = find_auth(o, pdu->auth.auth_context_id);
        if (a != NULL && !a->pub.has_challenge && !a->pub.has_authenticate) {
            a->pub.has_challenge = TRUE;
            a->challenge = g_bytes_new(pdu->auth.auth_value, pdu->auth.auth_value_len);
        }
    }
    if (b == NULL) {
        note(o, RA_OBS_NOTE_PROTOCOL, FALSE, at,
             "%s to call_id %u, whose bind is not in the capture: its presentation contexts "
             "are unknown",
             ra_pdu_type_name(pdu->hdr.ptype), pdu->hdr.call_id);
        return;
    }
    b->pub.answered = TRUE;
    b->pub.answer_ptype = pdu->hdr.ptype;
    b->pub.answer_stamp = *at;
    if (pdu->hdr.ptype == RA_PDU_BIND_NAK) {
        b->pub.nak_reason = pdu->u.bind_nak.reject_reason;
    } else {
        b->pub.max_xmit_frag = pdu->u.bind_ack.max_xmit_frag;
        b->pub.max_recv_frag = pdu->u.bind_ack.max_recv_frag;
        b->pub.assoc_group_id = pdu->u.bind_ack.assoc_group_id;
        if (pdu->hdr.ptype == RA_PDU_BIND_ACK)
            g_hash_table_remove_all(o->contexts); /* a (second) bind starts the contexts afresh */
        for (guint i = 0; i < b->pub.n_contexts && i < pdu->u.bind_ack.n_results; i++) {
            RaObsContext *ctx = &b->pub.contexts[i];
            ctx->answered = TRUE;
            ctx->result = pdu->u.bind_ack.results[i].result;
            ctx->reason = pdu->u.bind_ack.results[i].reason;
            if (ctx->result == RA_PDU_RESULT_ACCEPTANCE)
                remember_context(o, ctx->context_id, &ctx->abstract_syntax);
        }
    }
    emit_bind(o, b);
}

/* ---- PDUs ---- */

static gboolean client_ptype(guint8 ptype)
{
    switch (ptype) {
    case RA_PDU_REQUEST:
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
    case RA_PDU_AUTH3:
    case RA_PDU_CO_CANCEL:
    case RA_PDU_ORPHANED:
        return TRUE;
    default:
        return FALSE;
    }
}

static void handle_pdu(RaRpcObserver *o, int side, guint8 *buf, gsize len, const RaObsStamp *at)
{
    RaPdu pdu;
    GError *error = NULL;
    if (!ra_pdu_decode(buf, len, &pdu, &error)) {
        gboolean from_client = o->client_side < 0 || side == o->client_side;
        note(o, RA_OBS_NOTE_MALFORMED_PDU, from_client, at, "%s PDU call_id %u dropped: %s",
             ra_pdu_type_name(buf[2]), ra_le32(buf + 12), error->message);
        g_error_free(error);
        return;
    }
    o->pdus++;
    if (o->client_side < 0)
        o->client_side = client_ptype(pdu.hdr.ptype) ? side : 1 - side;
    gboolean from_client = side == o->client_side;
    if (from_client != client_ptype(pdu.hdr.ptype)) {
        note(o, RA_OBS_NOTE_PROTOCOL, from_client, at, "%s sent by the %s: ignored",
             ra_pdu_type_name(pdu.hdr.ptype), from_client ? "client" : "server");
        ra_pdu_clear(&pdu);
        return;
    }
    switch (pdu.hdr.ptype) {
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        handle_bind(o, &pdu, at);
        break;
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP:
    case RA_PDU_BIND_NAK:
        handle_bind_answer(o, &pdu, at);
        break;
    case RA_PDU_AUTH3:
        if (pdu.has_auth)
            bind_auth(o, &pdu, at);
        break;
    case RA_PDU_REQUEST:
        handle_request(o, buf, len, &pdu, at);
        break;
    case RA_PDU_RESPONSE:
        handle_response(o, buf, len, &pdu, at);
        break;
    case RA_PDU_FAULT: {
        PendingBind *b = find_call(o, pdu.hdr.call_id) ? NULL : find_bind(o, pdu.hdr.call_id);
        if (b != NULL) {
            b->pub.answered = TRUE;
            b->pub.answer_ptype = RA_PDU_FAULT;
            b->pub.answer_stamp = *at;
            b->pub.fault_status = pdu.u.fault.status;
            emit_bind(o, b);
        } else {
            handle_response(o, buf, len, &pdu, at);
        }
        break;
    }
    default:
        break; /* shutdown, co_cancel, orphaned: nothing to follow */
    }
    ra_pdu_clear(&pdu);
}

/* ---- framing ---- */

static gboolean plausible_header(const guint8 *p)
{
    RaPduHeader hdr;
    return ra_pdu_peek_header(p, RA_PDU_HEADER_SIZE, 0, &hdr, NULL);
}

/* The header of a PDU damaged by a gap: its call loses its stub. */
static void damaged(RaRpcObserver *o, int side, const guint8 *hdr, gsize have, gsize frag_length,
                    const RaObsStamp *at)
{
    gboolean from_client = o->client_side < 0 || side == o->client_side;
    guint8 ptype = hdr[2];
    guint32 call_id = ra_le32(hdr + 12);
    note(o, RA_OBS_NOTE_GAP, from_client, at,
         "%s call_id %u lost bytes in a gap (%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
         " bytes captured)",
         ra_pdu_type_name(ptype), call_id, have, frag_length);
    Call *c = find_call(o, call_id);
    if (c == NULL && ptype == RA_PDU_REQUEST) {
        /* Its request header (context id, opnum) at offsets 20-23, when captured. */
        c = new_call(o, call_id, have >= 24 ? (guint16)(hdr[20] | hdr[21] << 8) : 0, at);
        if (have >= 24) {
            c->pub.has_opnum = TRUE;
            c->pub.opnum = (guint16)(hdr[22] | hdr[23] << 8);
        }
    }
    if (c != NULL) {
        RaObsStub *s = ptype == RA_PDU_REQUEST ? &c->pub.request : &c->pub.response;
        if (s->fragments == 0)
            s->first = *at;
        s->fragments++;
        s->last = *at;
        s->state = RA_OBS_STUB_MISSING;
        GByteArray **buf = ptype == RA_PDU_REQUEST ? &c->req : &c->resp;
        if (*buf) {
            o->stub_bytes -= (*buf)->len;
            g_clear_pointer(buf, g_byte_array_unref);
        }
        if (ptype != RA_PDU_REQUEST && (hdr[3] & RA_PFC_LAST_FRAG)) {
            c->pub.answered = ptype == RA_PDU_RESPONSE || ptype == RA_PDU_FAULT;
            emit_call(o, c);
        } else if (ptype == RA_PDU_REQUEST && (hdr[3] & RA_PFC_LAST_FRAG)) {
            c->req_done = TRUE;
        }
    }
}

static void give_up(RaRpcObserver *o, const RaObsStamp *at)
{
    o->not_rpc = TRUE;
    for (int s = 0; s < 2; s++)
        g_byte_array_set_size(o->fr[s].buf, 0);
    note(o, RA_OBS_NOTE_NOT_RPC, TRUE, at, "the connection does not carry DCE/RPC");
}

/* Looks for a PDU header in the resync buffer; keeps at most 15 bytes when there is none. */
static void resync_scan(RaRpcObserver *o, int side, const RaObsStamp *at)
{
    Framer *f = &o->fr[side];
    GByteArray *b = f->buf;
    gsize i = 0;
    for (; i + RA_PDU_HEADER_SIZE <= b->len; i++) {
        if (b->data[i] == 5 && plausible_header(b->data + i))
            break;
    }
    if (i + RA_PDU_HEADER_SIZE > b->len) {
        /* None yet: keep the tail that may start one. */
        gsize keep = MIN(b->len, RA_PDU_HEADER_SIZE - 1);
        gsize dropped = b->len - keep;
        f->resync_skipped += dropped;
        g_byte_array_remove_range(b, 0, (guint)dropped);
        if (o->pdus == 0) {
            /* A capture starting inside a connection: look for a first PDU, not forever. */
            o->hunted += dropped;
            if (o->hunted > MAX_HUNT)
                give_up(o, at);
        }
        return;
    }
    f->resync_skipped += i;
    g_byte_array_remove_range(b, 0, (guint)i);
    f->resync = FALSE;
    gboolean from_client = o->client_side < 0 || side == o->client_side;
    if (f->resync_skipped > 0 && f->pdus == 0)
        note(o, RA_OBS_NOTE_RESYNC, from_client, at,
             "%" G_GSIZE_FORMAT " bytes before the first whole PDU of this direction (the capture "
             "starts inside the connection)",
             f->resync_skipped);
    else if (f->resync_skipped > 0)
        note(o, RA_OBS_NOTE_RESYNC, from_client, at,
             "%" G_GSIZE_FORMAT " bytes skipped after the gap to find the next PDU",
             f->resync_skipped);
    f->resync_skipped = 0;
}

void ra_rpc_observer_data(RaRpcObserver *o, int side, const guint8 *data, gsize len,
                          const RaObsStamp *at)
{
    g_return_if_fail(side == 0 || side == 1);
    Framer *f = &o->fr[side];
    while (!o->not_rpc && !o->finished) {
        if (f->skip > 0) {
            if (len == 0)
                break;
            gsize n = MIN(f->skip, len);
            f->skip -= n;
            data += n;
            len -= n;
            continue;
        }
        if (f->resync) {
            if (len == 0)
                break;
            gsize n = MIN(len, (gsize)65536);
            g_byte_array_append(f->buf, data, (guint)n);
            data += n;
            len -= n;
            resync_scan(o, side, at);
            continue;
        }
        if (!f->have_header) {
            if (f->buf->len < RA_PDU_HEADER_SIZE) {
                if (len == 0)
                    break;
                gsize n = MIN(RA_PDU_HEADER_SIZE - f->buf->len, len);
                g_byte_array_append(f->buf, data, (guint)n);
                data += n;
                len -= n;
                continue;
            }
            if (!plausible_header(f->buf->data)) {
                if (o->pdus == 0 && o->strict) {
                    give_up(o, at);
                    return;
                }
                if (o->pdus > 0) {
                    gboolean from_client = o->client_side < 0 || side == o->client_side;
                    note(o, RA_OBS_NOTE_MALFORMED_PDU, from_client, at,
                         "bytes that are not a PDU header where one was expected: looking for "
                         "the next PDU");
                }
                f->resync = TRUE;
                resync_scan(o, side, at);
                continue;
            }
            f->have_header = TRUE;
            f->need = (gsize)(f->buf->data[8] | f->buf->data[9] << 8);
        }
        if (f->buf->len < f->need) {
            if (len == 0)
                break;
            gsize n = MIN(f->need - f->buf->len, len);
            g_byte_array_append(f->buf, data, (guint)n);
            data += n;
            len -= n;
            continue;
        }
        gsize n = f->need;
        f->have_header = FALSE;
        f->pdus++;
        handle_pdu(o, side, f->buf->data, n, at);
        g_byte_array_remove_range(f->buf, 0, (guint)n);
    }
}

void ra_rpc_observer_gap(RaRpcObserver *o, int side, guint32 missing, const RaObsStamp *at)
{
    g_return_if_fail(side == 0 || side == 1);
    if (o->not_rpc || o->finished || missing == 0)
        return;
    Framer *f = &o->fr[side];
    gboolean from_client = o->client_side < 0 || side == o->client_side;
    note(o, RA_OBS_NOTE_GAP, from_client, at, "%u bytes from the %s are not in the capture",
         missing,
         o->client_side < 0 ? "first sender"
         : from_client      ? "client"
                            : "server");
    if (f->resync) {
        g_byte_array_set_size(f->buf, 0); /* no header spans a gap */
        return;
    }
    if (f->skip > 0) {
        if (missing <= f->skip) {
            f->skip -= missing;
            return;
        }
        missing -= (guint32)f->skip;
        f->skip = 0;
    } else if (f->have_header && f->need > f->buf->len) {
        gsize remaining = f->need - f->buf->len;
        damaged(o, side, f->buf->data, f->buf->len, f->need, at);
        g_byte_array_set_size(f->buf, 0);
        f->have_header = FALSE;
        if (missing < remaining) {
            f->skip = remaining - missing;
            return;
        }
        if (missing == remaining)
            return; /* the gap ended where the PDU did */
        missing -= (guint32)remaining;
    }
    /* Whole PDUs may have been lost: the next byte may or may not start one. */
    (void)missing;
    g_byte_array_set_size(f->buf, 0);
    f->have_header = FALSE;
    f->resync = TRUE;
    f->resync_skipped = 0;
}

void ra_rpc_observer_finish(RaRpcObserver *o, const RaObsStamp *at)
{
    if (o->finished)
        return;
    o->finished = TRUE;
    if (o->not_rpc)
        return;
    for (int side = 0; side < 2; side++) {
        Framer *f = &o->fr[side];
        if (!f->resync && f->have_header && f->need > f->buf->len)
            damaged(o, side, f->buf->data, f->buf->len, f->need, at);
        g_byte_array_set_size(f->buf, 0);
    }
    while (o->binds->len > 0)
        emit_bind(o, g_ptr_array_index(o->binds, 0));
    flush_orphans(o, 0, at);
    while (o->calls->len > 0)
        emit_call(o, g_ptr_array_index(o->calls, 0));
    for (guint i = 0; i < o->auths->len; i++)
        report_auth(o, g_ptr_array_index(o->auths, i));
}

/* ---- the object ---- */

RaRpcObserver *ra_rpc_observer_new(const RaObsConfig *config)
{
    RaRpcObserver *o = g_new0(RaRpcObserver, 1);
    o->cfg = *config;
    o->client_side = -1;
    for (int s = 0; s < 2; s++) {
        o->fr[s].buf = g_byte_array_new();
    }
    o->contexts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    o->noted = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    o->auths = g_ptr_array_new_with_free_func(auth_free);
    o->binds = g_ptr_array_new_with_free_func(NULL);
    o->calls = g_ptr_array_new_with_free_func(NULL);
    return o;
}

void ra_rpc_observer_free(RaRpcObserver *o)
{
    if (o == NULL)
        return;
    for (int s = 0; s < 2; s++)
        g_byte_array_unref(o->fr[s].buf);
    g_hash_table_destroy(o->contexts);
    g_hash_table_destroy(o->noted);
    g_ptr_array_unref(o->auths);
    for (guint i = 0; i < o->binds->len; i++)
        bind_free(g_ptr_array_index(o->binds, i));
    g_ptr_array_unref(o->binds);
    for (guint i = 0; i < o->calls->len; i++)
        call_free(g_ptr_array_index(o->calls, i));
    g_ptr_array_unref(o->calls);
    g_free(o);
}

void ra_rpc_observer_set_client(RaRpcObserver *o, int side)
{
    if (side == 0 || side == 1) {
        o->client_side = side;
        o->strict = TRUE;
    }
}

int ra_rpc_observer_client(const RaRpcObserver *o)
{
    return o->client_side;
}

gboolean ra_rpc_observer_is_rpc(const RaRpcObserver *o)
{
    return !o->not_rpc;
}

guint64 ra_rpc_observer_pdus(const RaRpcObserver *o)
{
    return o->pdus;
}
