/*
 * The connection-oriented DCE/RPC server (see ra/rpc-server.h).
 *
 * One RaRpcAssoc per connection. ra_rpc_assoc_input() takes one PDU and produces the PDUs to
 * send: it copies the PDU into a scratch buffer (PKT_PRIVACY decrypts in place), decodes it with
 * ra/pdu.h and runs the state machine of [C706] 12.6 / [MS-RPCE] 3.3.3:
 *   bind / alter_context -> bind_ack / alter_context_resp (or bind_nak), with an NTLM CHALLENGE
 *                           when the PDU carries a NEGOTIATE for a (new) auth_context_id
 *   auth3                -> no answer; completes that security context (or marks it failed)
 *   request fragments    -> verified/unsealed, reassembled, dispatched; response fragments
 *                           protected with the request's security context, or a fault
 * Errors that leave the association in an unknown state (malformed PDUs, broken security,
 * PDUs out of place) are answered with a fault (or bind_nak) and the association is closed.
 */
#include "ra/rpc-server.h"
#include "ra/bytes.h"
#include "ra/crypto.h"
#include "ra/error.h"
#include "ra/ntlmssp.h"

#include <string.h>

/* Bind time features we answer ([MS-RPCE] 3.3.1.5.3): we keep one NTLM context per
 * auth_context_id, and an orphaned call does not close the connection. */
#define OUR_FEATURES (RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING | RA_BTFN_KEEP_CONNECTION_ON_ORPHAN)

typedef struct {
    guint32 id;
    guint refs;
} AssocGroup;

typedef struct {
    guint16 id;
    const RaRpcInterface *iface;
} PresContext;

typedef enum {
    SEC_PENDING,     /* CHALLENGE sent, AUTHENTICATE awaited */
    SEC_ESTABLISHED, /* authenticated */
    SEC_FAILED,      /* the AUTHENTICATE did not verify */
} SecState;

typedef struct {
    guint32 auth_context_id;
    guint8 auth_type;
    guint8 auth_level;
    SecState state;
    RaNtlmssp *ntlm;
    gchar *domain, *user, *workstation;
    gboolean helper;
} SecContext;

struct RaRpcServer {
    RaRpcServerConfig config;
    gchar *computer_name, *domain_name;
    GPtrArray *interfaces; /* RaRpcInterface*, stable addresses */
    GHashTable *groups;    /* guint32 id -> AssocGroup* */
    guint32 next_group_id;
    GPtrArray *transports; /* RaTcpTransport* */
    RaRpcServerStats stats;
};

struct RaRpcAssoc {
    RaRpcServer *server;
    gchar *peer_address, *local_address, *peer_name;
    guint16 peer_port, local_port;
    gboolean bound;
    AssocGroup *group;
    guint16 max_xmit;        /* largest fragment we send */
    guint16 max_recv;        /* largest fragment we accept */
    GArray *contexts;        /* PresContext */
    GPtrArray *sec;          /* SecContext* */
    SecContext *connect_sec; /* the latest established CONNECT-level context */
    gboolean auth_failed;
    RaPduReassembly *reasm;
    SecContext *call_sec; /* security of the call being reassembled (NULL: none) */
    guint8 call_level;
    GByteArray *scratch;
};

/* ---- names ---- */

const char *ra_rpc_auth_level_name(guint level)
{
    switch (level) {
    case RA_AUTH_LEVEL_NONE:
        return "none";
    case RA_AUTH_LEVEL_CONNECT:
        return "connect";
    case RA_AUTH_LEVEL_CALL:
        return "call";
    case RA_AUTH_LEVEL_PKT:
        return "packet";
    case RA_AUTH_LEVEL_PKT_INTEGRITY:
        return "integrity";
    case RA_AUTH_LEVEL_PKT_PRIVACY:
        return "privacy";
    default:
        return "unknown level";
    }
}

const char *ra_rpc_fault_name(guint32 status)
{
    if (status == RA_NCA_S_FAULT_SEC_PKG_ERROR)
        return "nca_s_fault_sec_pkg_error";
    return ra_pdu_fault_name(status);
}

guint32 ra_rpc_call_fault(RaRpcCall *call, guint32 status, const GError *error)
{
    if (error != NULL)
        call->fault_detail = ra_arena_strdup(call->arena, error->message);
    return status;
}

guint32 ra_rpc_call_pull_finish(RaRpcCall *call, RaNdrPull *in)
{
    GError *error = NULL;
    if (ra_ndr_pull_finish(in, &error))
        return 0;
    ra_rpc_call_fault(call, RA_NCA_S_FAULT_NDR, error);
    g_error_free(error);
    return RA_NCA_S_FAULT_NDR;
}

guint32 ra_rpc_call_respond(RaRpcCall *call, RaNdrPush *out)
{
    GError *error = NULL;
    call->response = ra_ndr_push_finish(out, &error);
    if (call->response == NULL) {
        g_error_free(error);
        return RA_NCA_S_FAULT_REMOTE_NO_MEMORY;
    }
    return 0;
}

/* ---- logging ---- */

static void slog(RaRpcServer *s, RaRpcLogLevel level, const char *peer, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
static void slog(RaRpcServer *s, RaRpcLogLevel level, const char *peer, const char *format, ...)
{
    if (s->config.log == NULL)
        return;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    s->config.log(level, peer, msg, s->config.log_user_data);
    g_free(msg);
}

#define alog(a, level, ...) slog((a)->server, (level), (a)->peer_name, __VA_ARGS__)

static gchar *fault_text(guint32 status)
{
    const char *name = ra_rpc_fault_name(status);
    return name != NULL ? g_strdup_printf("%s (0x%08x)", name, status)
                        : g_strdup_printf("0x%08x", status);
}

/* "CONTOSO\alice" or "anonymous" (newly allocated). */
static gchar *identity_text(const SecContext *sec)
{
    if (sec == NULL || sec->user == NULL)
        return g_strdup("anonymous");
    return sec->domain != NULL && sec->domain[0] != '\0'
               ? g_strdup_printf("%s\\%s", sec->domain, sec->user)
               : g_strdup(sec->user);
}

/* ---- the server ---- */

void ra_rpc_server_config_init(RaRpcServerConfig *config)
{
    memset(config, 0, sizeof *config);
    config->min_auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    config->max_recv_frag = RA_PDU_DEFAULT_MAX_FRAG;
    config->max_xmit_frag = RA_PDU_DEFAULT_MAX_FRAG;
    config->max_request_size = 4 * 1024 * 1024;
    config->max_fragments = 4096;
    config->max_contexts = 64;
    config->max_security_contexts = 16;
}

/* The NetBIOS form of the host name: up to 15 characters, upper case, up to the first dot. */
static gchar *default_computer_name(void)
{
    char host[256];
    g_strlcpy(host, g_get_host_name(), sizeof host);
    if (host[0] == '\0' || strcmp(host, "localhost") == 0)
        g_strlcpy(host, "RATOOL", sizeof host);
    char *dot = strchr(host, '.');
    if (dot != NULL)
        *dot = '\0';
    host[15] = '\0';
    return g_ascii_strup(host, -1);
}

RaRpcServer *ra_rpc_server_new(const RaRpcServerConfig *config)
{
    RaRpcServer *s = g_new0(RaRpcServer, 1);
    if (config != NULL)
        s->config = *config;
    else
        ra_rpc_server_config_init(&s->config);
    RaRpcServerConfig *c = &s->config;
    if (c->min_auth_level < RA_AUTH_LEVEL_CONNECT)
        c->min_auth_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    c->max_recv_frag = MAX(c->max_recv_frag, RA_PDU_MIN_MAX_FRAG);
    c->max_xmit_frag = MAX(c->max_xmit_frag, RA_PDU_MIN_MAX_FRAG);
    if (c->max_request_size == 0)
        c->max_request_size = 4 * 1024 * 1024;
    if (c->max_fragments == 0)
        c->max_fragments = 4096;
    if (c->max_contexts == 0)
        c->max_contexts = 64;
    if (c->max_security_contexts == 0)
        c->max_security_contexts = 16;
    s->computer_name = c->computer_name != NULL && c->computer_name[0] != '\0'
                           ? g_strdup(c->computer_name)
                           : default_computer_name();
    s->domain_name = c->domain_name != NULL && c->domain_name[0] != '\0'
                         ? g_strdup(c->domain_name)
                         : g_strdup(s->computer_name);
    c->computer_name = s->computer_name;
    c->domain_name = s->domain_name;
    s->interfaces = g_ptr_array_new_with_free_func(g_free);
    s->groups = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    /* From ra_random_bytes(), so that a seeded run (captures) repeats byte for byte. */
    guint16 group_seed;
    ra_random_bytes((guint8 *)&group_seed, sizeof group_seed);
    s->next_group_id = 0x1000 + group_seed;
    s->transports = g_ptr_array_new_with_free_func((GDestroyNotify)ra_tcp_transport_free);
    return s;
}

void ra_rpc_server_free(RaRpcServer *s)
{
    if (s == NULL)
        return;
    /* Closing the transports frees every association (their `closed` callbacks). */
    g_ptr_array_unref(s->transports);
    g_ptr_array_unref(s->interfaces);
    g_hash_table_unref(s->groups);
    g_free(s->computer_name);
    g_free(s->domain_name);
    g_free(s);
}

void ra_rpc_server_register(RaRpcServer *s, const RaRpcInterface *iface)
{
    for (guint i = 0; i < s->interfaces->len; i++) {
        RaRpcInterface *old = g_ptr_array_index(s->interfaces, i);
        if (ra_syntax_id_equal(&old->id, &iface->id)) {
            *old = *iface; /* in place: bound contexts keep a valid pointer */
            return;
        }
    }
    g_ptr_array_add(s->interfaces, g_memdup2(iface, sizeof *iface));
}

GPtrArray *ra_rpc_server_get_interfaces(RaRpcServer *s)
{
    return s->interfaces;
}

void ra_rpc_server_get_stats(RaRpcServer *s, RaRpcServerStats *stats)
{
    *stats = s->stats;
}

/* The interface a presentation context asks for: same UUID and major version, and a minor
 * version no higher than ours ([C706] 12.6.3.1 / [MS-RPCE] 3.3.1.5.x). */
static const RaRpcInterface *find_interface(RaRpcServer *s, const RaSyntaxId *id)
{
    for (guint i = 0; i < s->interfaces->len; i++) {
        const RaRpcInterface *iface = g_ptr_array_index(s->interfaces, i);
        if (ra_uuid_equal(&iface->id.uuid, &id->uuid) &&
            iface->id.if_version_major == id->if_version_major &&
            id->if_version_minor <= iface->id.if_version_minor)
            return iface;
    }
    return NULL;
}

/* ---- associations ---- */

static void sec_free(gpointer data)
{
    SecContext *sec = data;
    ra_ntlmssp_free(sec->ntlm);
    g_free(sec->domain);
    g_free(sec->user);
    g_free(sec->workstation);
    g_free(sec);
}

RaRpcAssoc *ra_rpc_assoc_new(RaRpcServer *s, const RaRpcPeer *peer)
{
    RaRpcAssoc *a = g_new0(RaRpcAssoc, 1);
    a->server = s;
    a->peer_address = g_strdup(peer && peer->peer_address ? peer->peer_address : "?");
    a->local_address = g_strdup(peer && peer->local_address ? peer->local_address : "127.0.0.1");
    a->peer_port = peer ? peer->peer_port : 0;
    a->local_port = peer ? peer->local_port : 0;
    a->peer_name = strchr(a->peer_address, ':') != NULL
                       ? g_strdup_printf("[%s]:%u", a->peer_address, a->peer_port)
                       : g_strdup_printf("%s:%u", a->peer_address, a->peer_port);
    a->max_xmit = RA_PDU_MIN_MAX_FRAG;
    a->max_recv = s->config.max_recv_frag;
    a->contexts = g_array_new(FALSE, TRUE, sizeof(PresContext));
    a->sec = g_ptr_array_new_with_free_func(sec_free);
    a->reasm = ra_pdu_reassembly_new(s->config.max_request_size, s->config.max_fragments);
    a->scratch = g_byte_array_new();
    s->stats.associations++;
    s->stats.open_associations++;
    return a;
}

void ra_rpc_assoc_free(RaRpcAssoc *a)
{
    if (a == NULL)
        return;
    RaRpcServer *s = a->server;
    if (a->group != NULL && --a->group->refs == 0)
        g_hash_table_remove(s->groups, GUINT_TO_POINTER(a->group->id));
    s->stats.open_associations--;
    g_array_unref(a->contexts);
    g_ptr_array_unref(a->sec);
    ra_pdu_reassembly_free(a->reasm);
    g_byte_array_unref(a->scratch);
    g_free(a->peer_address);
    g_free(a->local_address);
    g_free(a->peer_name);
    g_free(a);
}

const char *ra_rpc_assoc_peer_name(RaRpcAssoc *a)
{
    return a->peer_name;
}

static SecContext *find_sec(RaRpcAssoc *a, guint32 auth_context_id)
{
    for (guint i = 0; i < a->sec->len; i++) {
        SecContext *sec = g_ptr_array_index(a->sec, i);
        if (sec->auth_context_id == auth_context_id)
            return sec;
    }
    return NULL;
}

static PresContext *find_context(RaRpcAssoc *a, guint16 id)
{
    for (guint i = 0; i < a->contexts->len; i++) {
        PresContext *c = &g_array_index(a->contexts, PresContext, i);
        if (c->id == id)
            return c;
    }
    return NULL;
}

/* ---- output ---- */

static void emit(GPtrArray *out, GByteArray *bytes)
{
    g_ptr_array_add(out, g_byte_array_free_to_bytes(bytes));
}

static void encode_or_die(const RaPdu *pdu, GByteArray *buf, RaPduLayout *layout)
{
    GError *error = NULL;
    /* Our own PDUs are within limits by construction; a failure is a bug. */
    if (!ra_pdu_encode(pdu, buf, layout, &error))
        g_error("encoding a %s failed: %s", ra_pdu_type_name(pdu->hdr.ptype), error->message);
}

static void send_fault(RaRpcAssoc *a, GPtrArray *out, guint32 call_id, guint16 context_id,
                       guint32 status, gboolean did_not_execute)
{
    RaPdu pdu = {0};
    pdu.hdr.ptype = RA_PDU_FAULT;
    pdu.hdr.pfc_flags =
        RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG | (did_not_execute ? RA_PFC_DID_NOT_EXECUTE : 0);
    pdu.hdr.call_id = call_id;
    pdu.u.fault.context_id = context_id;
    pdu.u.fault.status = status;
    GByteArray *buf = g_byte_array_new();
    encode_or_die(&pdu, buf, NULL);
    emit(out, buf);
    a->server->stats.faults++;
}

static void send_bind_nak(RaRpcAssoc *a, GPtrArray *out, guint32 call_id, guint16 reason)
{
    RaPdu pdu = {0};
    pdu.hdr.ptype = RA_PDU_BIND_NAK;
    pdu.hdr.pfc_flags = RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG;
    pdu.hdr.call_id = call_id;
    pdu.u.bind_nak.reject_reason = reason;
    pdu.u.bind_nak.n_versions = 1;
    pdu.u.bind_nak.versions[0][0] = 5;
    pdu.u.bind_nak.versions[0][1] = 0;
    GByteArray *buf = g_byte_array_new();
    encode_or_die(&pdu, buf, NULL);
    emit(out, buf);
    a->server->stats.refusals++;
}

/* A protocol error: fault nca_proto_error (or the given status), and close. */
static gboolean protocol_error(RaRpcAssoc *a, GPtrArray *out, guint32 call_id, guint32 status,
                               const char *format, ...) G_GNUC_PRINTF(5, 6);
static gboolean protocol_error(RaRpcAssoc *a, GPtrArray *out, guint32 call_id, guint32 status,
                               const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    gchar *ft = fault_text(status);
    alog(a, RA_RPC_LOG_ERROR, "%s; fault %s, closing", msg, ft);
    g_free(ft);
    g_free(msg);
    a->server->stats.protocol_errors++;
    send_fault(a, out, call_id, 0, status, TRUE);
    return FALSE;
}

/* ---- NTLM ---- */

static gboolean lookup_account(const char *domain, const char *user, guint8 nt_hash[16],
                               gpointer user_data)
{
    RaRpcServer *s = user_data;
    if (s->config.accounts == NULL)
        return FALSE;
    const RaAccount *acc = ra_accounts_lookup(s->config.accounts, domain, user);
    if (acc == NULL)
        return FALSE;
    memcpy(nt_hash, acc->nt_hash, 16);
    return TRUE;
}

/*
 * The auth verifier of a bind or alter_context: starts a handshake (NEGOTIATE -> CHALLENGE), or
 * completes a pending one (AUTHENTICATE, the three-leg form over alter_context). Returns the
 * token to answer with in *token (or NULL), or FALSE with a bind_nak reason in *reason.
 */
static gboolean bind_auth(RaRpcAssoc *a, const RaPdu *pdu, GBytes **token, guint16 *reason)
{
    RaRpcServer *s = a->server;
    const RaSecTrailer *t = &pdu->auth;
    *token = NULL;
    if (t->auth_type != RA_AUTH_TYPE_WINNT) {
        alog(a, RA_RPC_LOG_REFUSAL, "refused: authentication type %u (only NTLM, 10, is spoken)",
             t->auth_type);
        *reason = RA_BIND_NAK_AUTHENTICATION_TYPE_NOT_RECOGNIZED;
        return FALSE;
    }
    if (t->auth_level != RA_AUTH_LEVEL_CONNECT && t->auth_level != RA_AUTH_LEVEL_PKT_INTEGRITY &&
        t->auth_level != RA_AUTH_LEVEL_PKT_PRIVACY) {
        alog(a, RA_RPC_LOG_REFUSAL, "refused: authentication level %u (%s) is not supported",
             t->auth_level, ra_rpc_auth_level_name(t->auth_level));
        *reason = RA_BIND_NAK_REASON_NOT_SPECIFIED;
        return FALSE;
    }
    SecContext *sec = find_sec(a, t->auth_context_id);
    GError *error = NULL;
    if (sec != NULL && sec->state == SEC_PENDING && pdu->hdr.ptype == RA_PDU_ALTER_CONTEXT &&
        t->auth_value_len >= 12 && t->auth_value[8] == 3) {
        /* [MS-RPCE] 3.3.1.5.x: the third leg in an alter_context instead of an auth3. Only a
         * message of type 3 (AUTHENTICATE) gets here; anything else restarts below. */
        if (!ra_ntlmssp_step(sec->ntlm, t->auth_value, t->auth_value_len, token, &error)) {
            g_error_free(error);
            *reason = RA_BIND_NAK_INVALID_CHECKSUM;
            return FALSE;
        }
        return TRUE;
    }
    if (sec == NULL && a->sec->len >= s->config.max_security_contexts) {
        alog(a, RA_RPC_LOG_REFUSAL, "refused: more than %u security contexts",
             s->config.max_security_contexts);
        *reason = RA_BIND_NAK_LOCAL_LIMIT_EXCEEDED;
        return FALSE;
    }
    RaNtlmServerConfig nc = {0};
    nc.nb_computer = s->computer_name;
    nc.nb_domain = s->domain_name;
    nc.lookup = lookup_account;
    nc.lookup_data = s;
    nc.fixed_time = s->config.ntlm_fixed_time != 0 ? &s->config.ntlm_fixed_time : NULL;
    RaNtlmssp *ntlm = ra_ntlmssp_server_new(&nc, &error);
    if (ntlm == NULL || !ra_ntlmssp_step(ntlm, t->auth_value, t->auth_value_len, token, &error)) {
        alog(a, RA_RPC_LOG_REFUSAL, "refused: NTLM: %s", error->message);
        g_error_free(error);
        ra_ntlmssp_free(ntlm);
        *reason = RA_BIND_NAK_INVALID_CHECKSUM;
        return FALSE;
    }
    if (sec == NULL) {
        sec = g_new0(SecContext, 1);
        sec->auth_context_id = t->auth_context_id;
        g_ptr_array_add(a->sec, sec);
    } else {
        /* A fresh handshake on a known auth_context_id (impacket's second bind) replaces it. */
        if (a->connect_sec == sec)
            a->connect_sec = NULL;
        ra_ntlmssp_free(sec->ntlm);
        g_clear_pointer(&sec->domain, g_free);
        g_clear_pointer(&sec->user, g_free);
        g_clear_pointer(&sec->workstation, g_free);
        sec->helper = FALSE;
    }
    sec->ntlm = ntlm;
    sec->auth_type = t->auth_type;
    sec->auth_level = t->auth_level;
    sec->state = SEC_PENDING;
    return TRUE;
}

/* Marks sec established after a successful AUTHENTICATE, records and logs who it is. */
static void sec_established(RaRpcAssoc *a, SecContext *sec)
{
    sec->state = SEC_ESTABLISHED;
    sec->domain = g_strdup(ra_ntlmssp_domain(sec->ntlm));
    sec->user = g_strdup(ra_ntlmssp_user(sec->ntlm));
    sec->workstation = g_strdup(ra_ntlmssp_workstation(sec->ntlm));
    RaAccounts *acc = a->server->config.accounts;
    sec->helper = acc != NULL && ra_accounts_is_helper(acc, sec->domain, sec->user);
    if (sec->auth_level == RA_AUTH_LEVEL_CONNECT)
        a->connect_sec = sec;
    gchar *who = identity_text(sec);
    alog(a, RA_RPC_LOG_INFO, "authenticated %s%s (NTLMv2, %s, workstation '%s', auth context %u)",
         who, sec->helper ? " [helper]" : "", ra_rpc_auth_level_name(sec->auth_level),
         sec->workstation, sec->auth_context_id);
    g_free(who);
}

/* ---- bind / alter_context ---- */

static gboolean handle_bind(RaRpcAssoc *a, RaPdu *pdu, GPtrArray *out)
{
    RaRpcServer *s = a->server;
    gboolean is_bind = pdu->hdr.ptype == RA_PDU_BIND;
    guint32 call_id = pdu->hdr.call_id;

    if (!is_bind && !a->bound)
        return protocol_error(a, out, call_id, RA_NCA_PROTO_ERROR, "alter_context before bind");
    if (is_bind && !a->bound) {
        /* [MS-RPCE] 3.3.1.5.x: join an existing association group, or start one. */
        guint32 gid = pdu->u.bind.assoc_group_id;
        AssocGroup *g = NULL;
        if (gid != 0) {
            g = g_hash_table_lookup(s->groups, GUINT_TO_POINTER(gid));
            if (g == NULL) {
                alog(a, RA_RPC_LOG_REFUSAL, "bind refused: unknown association group 0x%x", gid);
                send_bind_nak(a, out, call_id, RA_BIND_NAK_REASON_NOT_SPECIFIED);
                return FALSE;
            }
        } else {
            g = g_new0(AssocGroup, 1);
            do {
                g->id = s->next_group_id++;
            } while (g->id == 0 || g_hash_table_contains(s->groups, GUINT_TO_POINTER(g->id)));
            g_hash_table_insert(s->groups, GUINT_TO_POINTER(g->id), g);
        }
        g->refs++;
        a->group = g;
        /* C706 12.6.4.3: each side's largest fragment is the smaller of the two offers, and
         * never below the size every implementation must take. */
        a->max_recv =
            CLAMP(pdu->u.bind.max_xmit_frag, RA_PDU_MIN_MAX_FRAG, s->config.max_recv_frag);
        a->max_xmit =
            CLAMP(pdu->u.bind.max_recv_frag, RA_PDU_MIN_MAX_FRAG, s->config.max_xmit_frag);
    }

    if (is_bind && a->bound) {
        /* A second bind on a bound connection (impacket sends one, reusing context id 0 for
         * another interface): it starts the presentation contexts afresh, as a new association
         * would; the group, fragment sizes and other security contexts stay. */
        alog(a, RA_RPC_LOG_DEBUG, "second bind on this connection: contexts reset");
        g_array_set_size(a->contexts, 0);
    }

    GBytes *token = NULL;
    if (pdu->has_auth) {
        guint16 reason = RA_BIND_NAK_REASON_NOT_SPECIFIED;
        if (!bind_auth(a, pdu, &token, &reason)) {
            s->stats.auth_failures++;
            if (is_bind) {
                send_bind_nak(a, out, call_id, reason);
            } else {
                s->stats.refusals++;
                send_fault(a, out, call_id, 0, RA_NCA_S_FAULT_ACCESS_DENIED, TRUE);
            }
            return FALSE;
        }
        SecContext *sec = find_sec(a, pdu->auth.auth_context_id);
        if (sec != NULL && sec->state == SEC_PENDING && ra_ntlmssp_is_established(sec->ntlm))
            sec_established(a, sec);
    }

    RaPdu ack = {0};
    ack.hdr.ptype = is_bind ? RA_PDU_BIND_ACK : RA_PDU_ALTER_CONTEXT_RESP;
    /* [MS-RPCE] 3.3.1.5.2.2: echo header signing support; we always sign the header. */
    ack.hdr.pfc_flags =
        RA_PFC_FIRST_FRAG | RA_PFC_LAST_FRAG | (pdu->hdr.pfc_flags & RA_PFC_SUPPORT_HEADER_SIGN);
    ack.hdr.call_id = call_id;
    ack.u.bind_ack.max_xmit_frag = a->max_xmit;
    ack.u.bind_ack.max_recv_frag = a->max_recv;
    ack.u.bind_ack.assoc_group_id = a->group->id;
    gchar *port = g_strdup_printf("%u", a->local_port);
    /* The secondary address is the port for a bind_ack, empty in an alter_context_resp. */
    static gchar empty[] = "";
    ack.u.bind_ack.secondary_address = is_bind ? port : empty;
    guint n = pdu->u.bind.n_contexts;
    RaPresResult *results = g_new0(RaPresResult, n);
    ack.u.bind_ack.n_results = n;
    ack.u.bind_ack.results = results;
    for (guint i = 0; i < n; i++) {
        const RaPresContext *pc = &pdu->u.bind.contexts[i];
        RaPresResult *r = &results[i];
        r->result = RA_PDU_RESULT_PROVIDER_REJECTION;
        guint64 features = 0;
        gboolean btfn = FALSE, ndr20 = FALSE;
        for (guint k = 0; k < pc->n_transfer_syntaxes; k++) {
            if (ra_syntax_is_bind_time_features(&pc->transfer_syntaxes[k], &features))
                btfn = TRUE;
            else if (ra_syntax_id_equal(&pc->transfer_syntaxes[k], &ra_syntax_ndr20))
                ndr20 = TRUE;
        }
        if (btfn && is_bind) {
            /* [MS-RPCE] 3.3.1.5.3: negotiate_ack, the features we share in the reason field. */
            r->result = RA_PDU_RESULT_NEGOTIATE_ACK;
            r->reason = (guint16)(features & OUR_FEATURES);
            continue;
        }
        const RaRpcInterface *iface = find_interface(s, &pc->abstract_syntax);
        gchar *syntax = ra_syntax_id_to_string(&pc->abstract_syntax);
        PresContext *existing = find_context(a, pc->context_id);
        if (iface == NULL) {
            r->reason = RA_PDU_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED;
            alog(a, RA_RPC_LOG_REFUSAL, "context %u refused: interface %s is not served here",
                 pc->context_id, syntax);
        } else if (!ndr20) {
            r->reason = RA_PDU_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED;
            alog(a, RA_RPC_LOG_REFUSAL,
                 "context %u refused: no NDR 2.0 transfer syntax offered for %s (NDR64 is not "
                 "supported)",
                 pc->context_id, iface->name);
        } else if (existing != NULL && existing->iface != iface) {
            r->reason = RA_PDU_REASON_NOT_SPECIFIED;
            alog(a, RA_RPC_LOG_REFUSAL, "context %u refused: already bound to %s", pc->context_id,
                 existing->iface->name);
        } else if (existing == NULL && a->contexts->len >= s->config.max_contexts) {
            r->reason = RA_PDU_REASON_LOCAL_LIMIT_EXCEEDED;
            alog(a, RA_RPC_LOG_REFUSAL, "context %u refused: more than %u contexts", pc->context_id,
                 s->config.max_contexts);
        } else {
            r->result = RA_PDU_RESULT_ACCEPTANCE;
            r->reason = 0;
            r->transfer_syntax = ra_syntax_ndr20;
            if (existing == NULL) {
                PresContext c = {pc->context_id, iface};
                g_array_append_val(a->contexts, c);
            }
            alog(a, RA_RPC_LOG_DEBUG, "context %u: %s v%u.%u", pc->context_id, iface->name,
                 pc->abstract_syntax.if_version_major, pc->abstract_syntax.if_version_minor);
        }
        if (r->result != RA_PDU_RESULT_ACCEPTANCE)
            s->stats.refusals++;
        g_free(syntax);
    }
    if (pdu->has_auth) {
        ack.has_auth = TRUE;
        ack.auth.auth_type = pdu->auth.auth_type;
        ack.auth.auth_level = pdu->auth.auth_level;
        ack.auth.auth_context_id = pdu->auth.auth_context_id;
        if (token != NULL)
            ack.auth.auth_value = g_bytes_get_data(token, &ack.auth.auth_value_len);
        else
            ack.has_auth = FALSE;
    }
    GByteArray *buf = g_byte_array_new();
    encode_or_die(&ack, buf, NULL);
    emit(out, buf);
    g_free(results);
    g_free(port);
    if (token != NULL)
        g_bytes_unref(token);
    a->bound = TRUE;
    return TRUE;
}

static gboolean handle_auth3(RaRpcAssoc *a, RaPdu *pdu, GPtrArray *out)
{
    RaRpcServer *s = a->server;
    if (!pdu->has_auth)
        return protocol_error(a, out, pdu->hdr.call_id, RA_NCA_PROTO_ERROR,
                              "auth3 without an auth verifier");
    SecContext *sec = find_sec(a, pdu->auth.auth_context_id);
    if (sec == NULL || sec->state != SEC_PENDING)
        return protocol_error(a, out, pdu->hdr.call_id, RA_NCA_PROTO_ERROR,
                              "auth3 for auth context %u, which awaits no authentication",
                              pdu->auth.auth_context_id);
    GError *error = NULL;
    GBytes *token = NULL;
    gboolean ok =
        pdu->auth.auth_type == sec->auth_type && pdu->auth.auth_level == sec->auth_level &&
        ra_ntlmssp_step(sec->ntlm, pdu->auth.auth_value, pdu->auth.auth_value_len, &token, &error);
    if (token != NULL)
        g_bytes_unref(token);
    if (ok && ra_ntlmssp_is_established(sec->ntlm)) {
        sec_established(a, sec);
        return TRUE;
    }
    /* No answer to an auth3 ([MS-RPCE] 3.3.1.5.x): the next request on it gets the refusal. */
    sec->state = SEC_FAILED;
    a->auth_failed = TRUE;
    s->stats.auth_failures++;
    s->stats.refusals++;
    gchar *who = NULL;
    RaNtlmAuthenticate msg = {0};
    if (ra_ntlm_authenticate_decode(pdu->auth.auth_value, pdu->auth.auth_value_len, &msg, NULL))
        who = msg.domain != NULL && msg.domain[0] ? g_strdup_printf("%s\\%s", msg.domain, msg.user)
                                                  : g_strdup(msg.user);
    ra_ntlm_authenticate_clear(&msg);
    alog(a, RA_RPC_LOG_REFUSAL, "authentication failed for %s: %s", who ? who : "(unreadable)",
         error != NULL ? error->message : "auth type or level changed in auth3");
    g_free(who);
    g_clear_error(&error);
    return TRUE;
}

/* ---- requests ---- */

/* Sends the response stub in fragments, protected with sec at level (NULL/CONNECT: plain). */
static void send_response(RaRpcAssoc *a, GPtrArray *out, const RaPdu *first, GBytes *stub,
                          SecContext *sec, guint8 level)
{
    gboolean protect = sec != NULL && level >= RA_AUTH_LEVEL_PKT_INTEGRITY;
    gsize stub_len = 0;
    const guint8 *data = stub != NULL ? g_bytes_get_data(stub, &stub_len) : NULL;
    gsize chunk = ra_pdu_max_stub_chunk(RA_PDU_RESPONSE, FALSE, a->max_xmit,
                                        protect ? RA_NTLMSSP_SIGNATURE_SIZE : 0);
    guint n = 0;
    RaPduChunk *chunks = ra_pdu_split(stub_len, chunk, &n);
    for (guint i = 0; i < n; i++) {
        RaPdu pdu = {0};
        pdu.hdr.ptype = RA_PDU_RESPONSE;
        pdu.hdr.pfc_flags = chunks[i].pfc_flags;
        pdu.hdr.call_id = first->hdr.call_id;
        pdu.u.response.alloc_hint = (guint32)(stub_len - chunks[i].offset);
        pdu.u.response.context_id = first->u.request.context_id;
        pdu.stub = data != NULL ? data + chunks[i].offset : NULL;
        pdu.stub_len = chunks[i].len;
        if (protect) {
            pdu.has_auth = TRUE;
            pdu.auth.auth_type = sec->auth_type;
            pdu.auth.auth_level = level;
            pdu.auth.auth_context_id = sec->auth_context_id;
            pdu.auth.auth_value = NULL;
            pdu.auth.auth_value_len = RA_NTLMSSP_SIGNATURE_SIZE;
        }
        GByteArray *buf = g_byte_array_new();
        RaPduLayout layout;
        encode_or_die(&pdu, buf, &layout);
        GError *error = NULL;
        if (protect && !ra_pdu_protect(buf->data + layout.start, &layout, level, sec->ntlm, &error))
            g_error("protecting a response failed: %s", error->message);
        emit(out, buf);
    }
    g_free(chunks);
}

/* The level a call must have: none for an interface's anonymous opnums, else the minimum. */
static guint8 required_level(RaRpcServer *s, const RaRpcInterface *iface, guint16 opnum)
{
    if (opnum < 64 && (iface->anonymous_opnums & (G_GUINT64_CONSTANT(1) << opnum)))
        return RA_AUTH_LEVEL_NONE;
    return s->config.min_auth_level;
}

static gboolean dispatch(RaRpcAssoc *a, GPtrArray *out, GBytes *stub)
{
    RaRpcServer *s = a->server;
    const RaPdu *first = ra_pdu_reassembly_first(a->reasm);
    guint32 call_id = first->hdr.call_id;
    guint16 ctx_id = first->u.request.context_id;
    SecContext *sec = a->call_sec;
    guint8 level = a->call_level;
    PresContext *pc = find_context(a, ctx_id);
    if (pc == NULL) {
        alog(a, RA_RPC_LOG_REFUSAL, "call %u refused: presentation context %u is not bound",
             call_id, ctx_id);
        s->stats.refusals++;
        send_fault(a, out, call_id, ctx_id, RA_NCA_UNK_IF, TRUE);
        return TRUE;
    }
    const RaRpcInterface *iface = pc->iface;
    guint16 opnum = first->u.request.opnum;
    if (opnum >= iface->n_opnums) {
        alog(a, RA_RPC_LOG_REFUSAL, "call %u refused: %s has no opnum %u", call_id, iface->name,
             opnum);
        s->stats.refusals++;
        send_fault(a, out, call_id, ctx_id, RA_NCA_OP_RNG_ERROR, TRUE);
        return TRUE;
    }
    guint8 need = required_level(s, iface, opnum);
    if (level < need) {
        gchar *who = identity_text(sec);
        alog(a, RA_RPC_LOG_REFUSAL,
             "call %u refused: %s opnum %u by %s at level %s, %s required: access denied", call_id,
             iface->name, opnum, who, ra_rpc_auth_level_name(level), ra_rpc_auth_level_name(need));
        g_free(who);
        s->stats.refusals++;
        send_fault(a, out, call_id, ctx_id, RA_NCA_S_FAULT_ACCESS_DENIED, TRUE);
        return TRUE;
    }

    RaRpcCall call = {0};
    call.server = s;
    call.assoc = a;
    call.iface = iface;
    call.opnum = opnum;
    call.context_id = ctx_id;
    call.call_id = call_id;
    call.has_object = (first->hdr.pfc_flags & RA_PFC_OBJECT_UUID) != 0;
    if (call.has_object)
        call.object = first->u.request.object;
    call.stub = g_bytes_get_data(stub, &call.stub_len);
    memcpy(call.drep, first->hdr.drep, 4);
    call.arena = ra_arena_new();
    if (sec != NULL && level >= RA_AUTH_LEVEL_CONNECT) {
        call.identity.domain = sec->domain;
        call.identity.user = sec->user;
        call.identity.workstation = sec->workstation;
        call.identity.helper = sec->helper;
        call.identity.auth_type = sec->auth_type;
    }
    call.identity.auth_level = level;
    call.peer_address = a->peer_address;
    call.peer_port = a->peer_port;
    call.local_address = a->local_address;
    call.local_port = a->local_port;
    call.assoc_group_id = a->group != NULL ? a->group->id : 0;

    s->stats.calls++;
    guint32 status = iface->dispatch(&call, iface->user_data);
    if (status == 0) {
        send_response(a, out, first, call.response, sec, level);
    } else {
        gchar *ft = fault_text(status);
        alog(a, RA_RPC_LOG_DEBUG, "call %u: %s opnum %u faulted: %s%s%s", call_id, iface->name,
             opnum, ft, call.fault_detail ? ": " : "", call.fault_detail ? call.fault_detail : "");
        g_free(ft);
        send_fault(a, out, call_id, ctx_id, status, FALSE);
    }
    if (call.response != NULL)
        g_bytes_unref(call.response);
    ra_arena_free(call.arena);
    return TRUE;
}

static gboolean handle_request(RaRpcAssoc *a, RaPdu *pdu, GPtrArray *out)
{
    RaRpcServer *s = a->server;
    guint32 call_id = pdu->hdr.call_id;
    if (!a->bound)
        return protocol_error(a, out, call_id, RA_NCA_PROTO_ERROR, "request before bind");
    if (pdu->hdr.frag_length > a->max_recv)
        return protocol_error(a, out, call_id, RA_NCA_PROTO_ERROR,
                              "request fragment of %u bytes, over the negotiated %u",
                              pdu->hdr.frag_length, a->max_recv);
    if (a->auth_failed) {
        alog(a, RA_RPC_LOG_REFUSAL,
             "call %u refused: this association failed to authenticate; closing", call_id);
        s->stats.refusals++;
        send_fault(a, out, call_id, pdu->u.request.context_id, RA_NCA_S_FAULT_ACCESS_DENIED, TRUE);
        return FALSE;
    }

    /* Which security context protects this PDU, at which level. */
    SecContext *sec = NULL;
    guint8 level = RA_AUTH_LEVEL_NONE;
    if (pdu->has_auth) {
        sec = find_sec(a, pdu->auth.auth_context_id);
        if (sec == NULL || sec->state != SEC_ESTABLISHED)
            return protocol_error(a, out, call_id, RA_NCA_S_FAULT_ACCESS_DENIED,
                                  "request on auth context %u, which is not established",
                                  pdu->auth.auth_context_id);
        if (pdu->auth.auth_type != sec->auth_type || pdu->auth.auth_level != sec->auth_level)
            return protocol_error(a, out, call_id, RA_NCA_S_FAULT_SEC_PKG_ERROR,
                                  "request at auth level %u on a context bound at level %u",
                                  pdu->auth.auth_level, sec->auth_level);
        level = sec->auth_level;
        if (level >= RA_AUTH_LEVEL_PKT_INTEGRITY) {
            GError *error = NULL;
            if (!ra_pdu_unprotect(a->scratch->data, a->scratch->len, pdu, level, sec->ntlm,
                                  &error)) {
                gchar *who = identity_text(sec);
                s->stats.refusals++;
                gboolean r =
                    protocol_error(a, out, call_id, RA_NCA_S_FAULT_SEC_PKG_ERROR,
                                   "request %u from %s rejected: %s", call_id, who, error->message);
                g_free(who);
                g_error_free(error);
                return r;
            }
        }
    } else if (a->connect_sec != NULL) {
        /* CONNECT level: requests carry no verifier; the call runs as that identity. */
        sec = a->connect_sec;
        level = RA_AUTH_LEVEL_CONNECT;
    }

    /* Every fragment of a call is protected the same way. */
    if (ra_pdu_reassembly_in_progress(a->reasm) && (sec != a->call_sec || level != a->call_level))
        return protocol_error(a, out, call_id, RA_NCA_PROTO_ERROR,
                              "fragments of call %u under different security", call_id);
    a->call_sec = sec;
    a->call_level = level;
    GError *error = NULL;
    gboolean complete = FALSE;
    if (!ra_pdu_reassembly_add(a->reasm, pdu, &complete, &error)) {
        guint32 status = error->code == RA_ERROR_TOO_LARGE ? RA_NCA_S_FAULT_REMOTE_NO_MEMORY
                                                           : RA_NCA_PROTO_ERROR;
        gboolean r =
            protocol_error(a, out, call_id, status, "request %u: %s", call_id, error->message);
        g_error_free(error);
        return r;
    }
    if (!complete)
        return TRUE;
    GBytes *stub = ra_pdu_reassembly_steal(a->reasm);
    gboolean keep = dispatch(a, out, stub);
    g_bytes_unref(stub);
    a->call_sec = NULL;
    a->call_level = RA_AUTH_LEVEL_NONE;
    return keep;
}

gboolean ra_rpc_assoc_input(RaRpcAssoc *a, const guint8 *data, gsize len, GPtrArray *out)
{
    /* A writable copy: PKT_PRIVACY decrypts in place, and the decoded PDU points into it. */
    g_byte_array_set_size(a->scratch, 0);
    g_byte_array_append(a->scratch, data, (guint)len);
    guint32 raw_call_id = len >= 16 ? ra_le32(data + 12) : 0;
    guint8 raw_ptype = len >= 3 ? data[2] : 0xff;

    RaPdu pdu;
    GError *error = NULL;
    if (!ra_pdu_decode(a->scratch->data, a->scratch->len, &pdu, &error)) {
        gboolean r;
        if (error->code == RA_ERROR_UNSUPPORTED && raw_ptype == RA_PDU_BIND) {
            alog(a, RA_RPC_LOG_REFUSAL, "bind refused: %s", error->message);
            send_bind_nak(a, out, raw_call_id, RA_BIND_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
            r = FALSE;
        } else {
            r = protocol_error(a, out, raw_call_id,
                               error->code == RA_ERROR_UNSUPPORTED ? RA_NCA_UNSUPPORTED_TYPE
                                                                   : RA_NCA_PROTO_ERROR,
                               "undecodable %s: %s", ra_pdu_type_name(raw_ptype), error->message);
        }
        g_error_free(error);
        return r;
    }
    gboolean keep;
    switch (pdu.hdr.ptype) {
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        keep = handle_bind(a, &pdu, out);
        break;
    case RA_PDU_AUTH3:
        keep = handle_auth3(a, &pdu, out);
        break;
    case RA_PDU_REQUEST:
        keep = handle_request(a, &pdu, out);
        break;
    case RA_PDU_ORPHANED:
    case RA_PDU_CO_CANCEL:
        /* [MS-RPCE] 3.3.1.5.10: the client abandons the call; drop what was reassembled. */
        if (ra_pdu_reassembly_in_progress(a->reasm) &&
            ra_pdu_reassembly_first(a->reasm)->hdr.call_id == pdu.hdr.call_id)
            ra_pdu_reassembly_reset(a->reasm);
        keep = TRUE;
        break;
    default:
        keep = protocol_error(a, out, pdu.hdr.call_id, RA_NCA_PROTO_ERROR,
                              "unexpected %s from a client", ra_pdu_type_name(pdu.hdr.ptype));
        break;
    }
    ra_pdu_clear(&pdu);
    return keep;
}

/* ---- on the transport ---- */

static gpointer on_accepted(RaTcpConn *conn, gpointer user_data)
{
    RaRpcServer *s = user_data;
    RaRpcPeer peer = {ra_tcp_conn_peer_address(conn), ra_tcp_conn_peer_port(conn),
                      ra_tcp_conn_local_address(conn), ra_tcp_conn_local_port(conn)};
    RaRpcAssoc *a = ra_rpc_assoc_new(s, &peer);
    alog(a, RA_RPC_LOG_INFO, "connected to %s port %u", a->local_address, a->local_port);
    return a;
}

static gboolean on_pdu(RaTcpConn *conn, gpointer conn_data, const guint8 *pdu, gsize len,
                       gpointer user_data)
{
    RaRpcAssoc *a = conn_data;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    gboolean keep = ra_rpc_assoc_input(a, pdu, len, out);
    for (guint i = 0; i < out->len; i++) {
        gsize n;
        const guint8 *d = g_bytes_get_data(g_ptr_array_index(out, i), &n);
        ra_tcp_conn_send(conn, d, n);
    }
    g_ptr_array_unref(out);
    return keep;
}

static void on_closed(RaTcpConn *conn, gpointer conn_data, const char *reason, gpointer user_data)
{
    RaRpcAssoc *a = conn_data;
    alog(a, RA_RPC_LOG_INFO, "closed (%s)", reason);
    ra_rpc_assoc_free(a);
}

static void on_refused(const char *peer, const char *reason, gpointer user_data)
{
    RaRpcServer *s = user_data;
    s->stats.refusals++;
    slog(s, RA_RPC_LOG_REFUSAL, peer, "connection refused: %s", reason);
}

gboolean ra_rpc_server_listen(RaRpcServer *s, GMainContext *context, const RaTcpLimits *limits,
                              const char *address, guint16 port, GError **error)
{
    static const RaTcpHandler handler = {on_accepted, on_pdu, on_closed, on_refused};
    RaTcpTransport *t = ra_tcp_transport_new(context, limits, &handler, s);
    if (!ra_tcp_transport_listen(t, address, port, error)) {
        ra_tcp_transport_free(t);
        return FALSE;
    }
    g_ptr_array_add(s->transports, t);
    return TRUE;
}

guint16 ra_rpc_server_get_port(RaRpcServer *s)
{
    if (s->transports->len == 0)
        return 0;
    return ra_tcp_transport_get_port(g_ptr_array_index(s->transports, 0));
}
