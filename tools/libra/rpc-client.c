/*
 * The connection-oriented DCE/RPC client (see ra/rpc-client.h).
 */
#include "ra/rpc-client.h"
#include "ra/error.h"
#include "ra/ntlmssp.h"
#include "ra/rpc-server.h"
#include "ra/transport.h"

#include <string.h>

/* The largest response accepted (reassembled), and its most fragments. */
#define MAX_RESPONSE           (16 * 1024 * 1024)
#define MAX_RESPONSE_FRAGMENTS 16384

typedef struct {
    guint32 auth_context_id;
    guint8 level;
    RaNtlmssp *ntlm;
} ClientSec;

typedef struct {
    guint16 id;
    ClientSec *sec; /* NULL: unauthenticated */
} ClientContext;

struct RaRpcClient {
    GSocket *socket;
    gchar *local_address;
    guint16 offer_xmit, offer_recv;
    guint16 max_xmit, max_recv;
    guint64 offer_features, features;
    guint32 assoc_group;
    gboolean bound;
    guint32 next_call_id;
    guint16 next_context_id;
    guint32 next_auth_context_id;
    GArray *contexts; /* ClientContext */
    GPtrArray *secs;  /* ClientSec* */
    guint32 last_fault;
    RaRpcTraceFunc trace;
    gpointer trace_data;
};

static void sec_free(gpointer data)
{
    ClientSec *sec = data;
    ra_ntlmssp_free(sec->ntlm);
    g_free(sec);
}

RaRpcClient *ra_rpc_client_connect(const char *host, guint16 port, guint timeout_ms, GError **error)
{
    GSocket *socket = ra_tcp_connect(host, port, timeout_ms, error);
    if (socket == NULL)
        return NULL;
    return ra_rpc_client_new_from_socket(socket);
}

RaRpcClient *ra_rpc_client_new_from_socket(GSocket *socket)
{
    RaRpcClient *c = g_new0(RaRpcClient, 1);
    c->socket = socket;
    GSocketAddress *sa = g_socket_get_local_address(socket, NULL);
    if (sa != NULL && G_IS_INET_SOCKET_ADDRESS(sa))
        c->local_address =
            g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa)));
    g_clear_object(&sa);
    if (c->local_address == NULL)
        c->local_address = g_strdup("?");
    c->offer_xmit = c->offer_recv = RA_PDU_DEFAULT_MAX_FRAG;
    c->max_xmit = c->max_recv = RA_PDU_MIN_MAX_FRAG;
    c->next_call_id = 1;
    c->next_auth_context_id = 1;
    c->contexts = g_array_new(FALSE, TRUE, sizeof(ClientContext));
    c->secs = g_ptr_array_new_with_free_func(sec_free);
    return c;
}

void ra_rpc_client_free(RaRpcClient *c)
{
    if (c == NULL)
        return;
    g_socket_close(c->socket, NULL);
    g_object_unref(c->socket);
    g_array_unref(c->contexts);
    g_ptr_array_unref(c->secs);
    g_free(c->local_address);
    g_free(c);
}

void ra_rpc_client_set_max_frag(RaRpcClient *c, guint16 max_xmit, guint16 max_recv)
{
    c->offer_xmit = MAX(max_xmit, RA_PDU_MIN_MAX_FRAG);
    c->offer_recv = MAX(max_recv, RA_PDU_MIN_MAX_FRAG);
}

void ra_rpc_client_set_bind_features(RaRpcClient *c, guint64 features)
{
    c->offer_features = features;
}

guint64 ra_rpc_client_get_bind_features(RaRpcClient *c)
{
    return c->features;
}

void ra_rpc_client_set_assoc_group(RaRpcClient *c, guint32 assoc_group_id)
{
    c->assoc_group = assoc_group_id;
}

guint32 ra_rpc_client_get_assoc_group(RaRpcClient *c)
{
    return c->assoc_group;
}

guint16 ra_rpc_client_get_max_xmit(RaRpcClient *c)
{
    return c->max_xmit;
}

guint16 ra_rpc_client_get_max_recv(RaRpcClient *c)
{
    return c->max_recv;
}

void ra_rpc_client_set_trace(RaRpcClient *c, RaRpcTraceFunc func, gpointer user_data)
{
    c->trace = func;
    c->trace_data = user_data;
}

guint32 ra_rpc_client_last_fault(RaRpcClient *c)
{
    return c->last_fault;
}

const char *ra_rpc_client_local_address(RaRpcClient *c)
{
    return c->local_address;
}

guint32 ra_rpc_client_next_call_id(RaRpcClient *c)
{
    return c->next_call_id;
}

gboolean ra_rpc_client_send_raw(RaRpcClient *c, const guint8 *data, gsize len, GError **error)
{
    if (c->trace != NULL)
        c->trace(TRUE, data, len, c->trace_data);
    return ra_tcp_send_all(c->socket, data, len, error);
}

GBytes *ra_rpc_client_read_pdu(RaRpcClient *c, GError **error)
{
    GBytes *pdu = ra_tcp_read_pdu(c->socket, 65535, error);
    if (pdu != NULL && c->trace != NULL) {
        gsize n;
        const guint8 *d = g_bytes_get_data(pdu, &n);
        c->trace(FALSE, d, n, c->trace_data);
    }
    return pdu;
}

static gboolean send_pdu(RaRpcClient *c, const RaPdu *pdu, GError **error)
{
    GByteArray *buf = g_byte_array_new();
    gboolean ok = ra_pdu_encode(pdu, buf, NULL, error) &&
                  ra_rpc_client_send_raw(c, buf->data, buf->len, error);
    g_byte_array_unref(buf);
    return ok;
}

/* Reads one PDU into a writable buffer and decodes it (pdu points into *buf). */
static gboolean read_decoded(RaRpcClient *c, GByteArray **buf, RaPdu *pdu, GError **error)
{
    GBytes *raw = ra_rpc_client_read_pdu(c, error);
    if (raw == NULL)
        return FALSE;
    /* A private, writable copy: unsealing works in place. */
    *buf = g_bytes_unref_to_array(raw);
    if (!ra_pdu_decode((*buf)->data, (*buf)->len, pdu, error)) {
        g_clear_pointer(buf, g_byte_array_unref);
        return FALSE;
    }
    return TRUE;
}

static gboolean fault_error(RaRpcClient *c, const RaPdu *pdu, GError **error)
{
    c->last_fault = pdu->u.fault.status;
    const char *name = ra_rpc_fault_name(pdu->u.fault.status);
    g_set_error(error, RA_ERROR, RA_ERROR_FAULT, "the server answered with fault %s (0x%08x)",
                name != NULL ? name : "status", pdu->u.fault.status);
    return FALSE;
}

static const char *nak_reason(guint16 reason)
{
    const char *name = ra_pdu_bind_nak_reason_name(reason);
    return name != NULL ? name : "unknown reason";
}

static const char *result_reason(guint16 reason)
{
    switch (reason) {
    case RA_PDU_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED:
        return "abstract syntax not supported";
    case RA_PDU_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED:
        return "proposed transfer syntaxes not supported";
    case RA_PDU_REASON_LOCAL_LIMIT_EXCEEDED:
        return "local limit exceeded";
    default:
        return "reason not specified";
    }
}

gboolean ra_rpc_client_bind(RaRpcClient *c, const RaSyntaxId *iface, const RaRpcAuth *auth,
                            guint16 *context_id, GError **error)
{
    guint8 level = auth != NULL ? auth->level : RA_AUTH_LEVEL_NONE;
    if (level != RA_AUTH_LEVEL_NONE && level != RA_AUTH_LEVEL_CONNECT &&
        level != RA_AUTH_LEVEL_PKT_INTEGRITY && level != RA_AUTH_LEVEL_PKT_PRIVACY) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "authentication level %u", level);
        return FALSE;
    }
    ClientSec *sec = NULL;
    GBytes *token = NULL;
    if (level != RA_AUTH_LEVEL_NONE) {
        RaNtlmClientConfig nc = {0};
        nc.user = auth->user;
        nc.domain = auth->domain;
        nc.password = auth->password;
        nc.nt_hash = auth->nt_hash;
        nc.workstation = auth->workstation;
        RaNtlmssp *ntlm = ra_ntlmssp_client_new(&nc, error);
        if (ntlm == NULL)
            return FALSE;
        if (!ra_ntlmssp_step(ntlm, NULL, 0, &token, error)) {
            ra_ntlmssp_free(ntlm);
            return FALSE;
        }
        sec = g_new0(ClientSec, 1);
        sec->ntlm = ntlm;
        sec->level = level;
        sec->auth_context_id = c->next_auth_context_id++;
    }

    guint16 ctx_id = c->next_context_id++;
    gboolean first = !c->bound;
    RaPresContext pcs[2];
    RaSyntaxId features_syntax, ndr20 = ra_syntax_ndr20;
    guint n_pcs = 0;
    pcs[n_pcs].context_id = ctx_id;
    pcs[n_pcs].abstract_syntax = *iface;
    pcs[n_pcs].n_transfer_syntaxes = 1;
    pcs[n_pcs].transfer_syntaxes = &ndr20;
    n_pcs++;
    if (first && c->offer_features != 0) {
        /* [MS-RPCE] 3.3.1.5.3: a second element, same abstract syntax, the feature syntax. */
        ra_syntax_bind_time_features(c->offer_features, &features_syntax);
        pcs[n_pcs].context_id = c->next_context_id++;
        pcs[n_pcs].abstract_syntax = *iface;
        pcs[n_pcs].n_transfer_syntaxes = 1;
        pcs[n_pcs].transfer_syntaxes = &features_syntax;
        n_pcs++;
    }
    RaPdu bind = {0};
    bind.hdr.ptype = first ? RA_PDU_BIND : RA_PDU_ALTER_CONTEXT;
    bind.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
    bind.hdr.call_id = c->next_call_id++;
    bind.u.bind.max_xmit_frag = first ? c->offer_xmit : c->max_xmit;
    bind.u.bind.max_recv_frag = first ? c->offer_recv : c->max_recv;
    bind.u.bind.assoc_group_id = c->assoc_group;
    bind.u.bind.n_contexts = n_pcs;
    bind.u.bind.contexts = pcs;
    if (sec != NULL) {
        bind.has_auth = TRUE;
        bind.auth.auth_type = RA_AUTH_TYPE_WINNT;
        bind.auth.auth_level = level;
        bind.auth.auth_context_id = sec->auth_context_id;
        bind.auth.auth_value = g_bytes_get_data(token, &bind.auth.auth_value_len);
    }
    gboolean ok = send_pdu(c, &bind, error);
    g_clear_pointer(&token, g_bytes_unref);
    GByteArray *buf = NULL;
    RaPdu ack;
    if (ok)
        ok = read_decoded(c, &buf, &ack, error);
    if (!ok) {
        if (sec != NULL)
            sec_free(sec);
        return FALSE;
    }

    if (ack.hdr.ptype == RA_PDU_BIND_NAK) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "the server refused the bind: %s (%u)",
                    nak_reason(ack.u.bind_nak.reject_reason), ack.u.bind_nak.reject_reason);
        ok = FALSE;
    } else if (ack.hdr.ptype == RA_PDU_FAULT) {
        ok = fault_error(c, &ack, error);
    } else if (ack.hdr.ptype != (first ? RA_PDU_BIND_ACK : RA_PDU_ALTER_CONTEXT_RESP) ||
               ack.hdr.call_id != bind.hdr.call_id) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "unexpected %s (call %u) answering a %s",
                    ra_pdu_type_name(ack.hdr.ptype), ack.hdr.call_id,
                    ra_pdu_type_name(bind.hdr.ptype));
        ok = FALSE;
    } else if (ack.u.bind_ack.n_results != n_pcs) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "%u results for %u contexts",
                    ack.u.bind_ack.n_results, n_pcs);
        ok = FALSE;
    } else if (ack.u.bind_ack.results[0].result != RA_PDU_RESULT_ACCEPTANCE) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "the server rejected the interface: %s",
                    result_reason(ack.u.bind_ack.results[0].reason));
        ok = FALSE;
    } else if (sec != NULL && (!ack.has_auth || ack.auth.auth_context_id != sec->auth_context_id)) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "the server sent no NTLM challenge");
        ok = FALSE;
    } else if (first && (ack.u.bind_ack.max_recv_frag < RA_PDU_MIN_MAX_FRAG ||
                         ack.u.bind_ack.max_xmit_frag < RA_PDU_MIN_MAX_FRAG)) {
        /* C706 12.6.3.1: every implementation takes fragments of 1432 bytes. */
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "the server's fragment sizes (%u, %u) are below the minimum of %u",
                    ack.u.bind_ack.max_xmit_frag, ack.u.bind_ack.max_recv_frag,
                    RA_PDU_MIN_MAX_FRAG);
        ok = FALSE;
    }
    if (ok && first) {
        c->max_xmit = ack.u.bind_ack.max_recv_frag; /* what it takes is what we may send */
        c->max_recv = ack.u.bind_ack.max_xmit_frag;
        c->assoc_group = ack.u.bind_ack.assoc_group_id;
        if (n_pcs == 2 && ack.u.bind_ack.results[1].result == RA_PDU_RESULT_NEGOTIATE_ACK)
            c->features = ack.u.bind_ack.results[1].reason;
        c->bound = TRUE;
    }
    if (ok && sec != NULL) {
        ok =
            ra_ntlmssp_step(sec->ntlm, ack.auth.auth_value, ack.auth.auth_value_len, &token, error);
        if (ok) {
            /* The third leg: auth3 with the AUTHENTICATE, same call_id, no answer. */
            RaPdu auth3 = {0};
            auth3.hdr.ptype = RA_PDU_AUTH3;
            auth3.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
            auth3.hdr.call_id = bind.hdr.call_id;
            auth3.has_auth = TRUE;
            auth3.auth.auth_type = RA_AUTH_TYPE_WINNT;
            auth3.auth.auth_level = level;
            auth3.auth.auth_context_id = sec->auth_context_id;
            auth3.auth.auth_value = g_bytes_get_data(token, &auth3.auth.auth_value_len);
            ok = send_pdu(c, &auth3, error);
            g_bytes_unref(token);
        }
    }
    ra_pdu_clear(&ack);
    g_byte_array_unref(buf);
    if (!ok) {
        if (sec != NULL)
            sec_free(sec);
        return FALSE;
    }
    if (sec != NULL)
        g_ptr_array_add(c->secs, sec);
    ClientContext cc = {ctx_id, sec};
    g_array_append_val(c->contexts, cc);
    *context_id = ctx_id;
    return TRUE;
}

GBytes *ra_rpc_client_call(RaRpcClient *c, guint16 context_id, guint16 opnum, const RaUuid *object,
                           const guint8 *stub, gsize stub_len, GError **error)
{
    ClientContext *cc = NULL;
    for (guint i = 0; i < c->contexts->len; i++) {
        if (g_array_index(c->contexts, ClientContext, i).id == context_id)
            cc = &g_array_index(c->contexts, ClientContext, i);
    }
    if (cc == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "no presentation context %u", context_id);
        return NULL;
    }
    ClientSec *sec = cc->sec;
    gboolean protect = sec != NULL && sec->level >= RA_AUTH_LEVEL_PKT_INTEGRITY;
    guint32 call_id = c->next_call_id++;
    gsize chunk = ra_pdu_max_stub_chunk(RA_PDU_REQUEST, object != NULL, c->max_xmit,
                                        protect ? RA_NTLMSSP_SIGNATURE_SIZE : 0);
    guint n = 0;
    RaPduChunk *chunks = ra_pdu_split(stub_len, chunk, &n);
    gboolean ok = TRUE;
    for (guint i = 0; i < n && ok; i++) {
        RaPdu pdu = {0};
        pdu.hdr.ptype = RA_PDU_REQUEST;
        pdu.hdr.pfc_flags = chunks[i].pfc_flags | (object != NULL ? RA_PFC_OBJECT_UUID : 0);
        pdu.hdr.call_id = call_id;
        pdu.u.request.alloc_hint = (guint32)(stub_len - chunks[i].offset);
        pdu.u.request.context_id = context_id;
        pdu.u.request.opnum = opnum;
        if (object != NULL)
            pdu.u.request.object = *object;
        pdu.stub = stub != NULL ? stub + chunks[i].offset : NULL;
        pdu.stub_len = chunks[i].len;
        if (protect) {
            pdu.has_auth = TRUE;
            pdu.auth.auth_type = RA_AUTH_TYPE_WINNT;
            pdu.auth.auth_level = sec->level;
            pdu.auth.auth_context_id = sec->auth_context_id;
            pdu.auth.auth_value_len = RA_NTLMSSP_SIGNATURE_SIZE;
        }
        GByteArray *buf = g_byte_array_new();
        RaPduLayout layout;
        ok = ra_pdu_encode(&pdu, buf, &layout, error) &&
             (!protect ||
              ra_pdu_protect(buf->data + layout.start, &layout, sec->level, sec->ntlm, error)) &&
             ra_rpc_client_send_raw(c, buf->data, buf->len, error);
        g_byte_array_unref(buf);
    }
    g_free(chunks);
    if (!ok)
        return NULL;

    /* The response: fragments until LAST_FRAG, or a fault. */
    /* A server is not trusted either: its answer is bounded like a request. */
    g_autoptr(RaPduReassembly) reasm = ra_pdu_reassembly_new(MAX_RESPONSE, MAX_RESPONSE_FRAGMENTS);
    for (;;) {
        GByteArray *buf = NULL;
        RaPdu pdu;
        if (!read_decoded(c, &buf, &pdu, error))
            return NULL;
        gboolean complete = FALSE;
        if (pdu.hdr.call_id != call_id) {
            g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "%s for call %u while waiting for %u",
                        ra_pdu_type_name(pdu.hdr.ptype), pdu.hdr.call_id, call_id);
            ok = FALSE;
        } else if (pdu.hdr.ptype == RA_PDU_FAULT) {
            ok = fault_error(c, &pdu, error);
        } else if (pdu.hdr.ptype != RA_PDU_RESPONSE) {
            g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "unexpected %s answering a request",
                        ra_pdu_type_name(pdu.hdr.ptype));
            ok = FALSE;
        } else if (protect) {
            ok = ra_pdu_unprotect(buf->data, buf->len, &pdu, sec->level, sec->ntlm, error);
        } else if (pdu.has_auth && sec == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                        "an authenticated response on an unauthenticated context");
            ok = FALSE;
        }
        if (ok)
            ok = ra_pdu_reassembly_add(reasm, &pdu, &complete, error);
        ra_pdu_clear(&pdu);
        g_byte_array_unref(buf);
        if (!ok)
            return NULL;
        if (complete)
            return ra_pdu_reassembly_steal(reasm);
    }
}
