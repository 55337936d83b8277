/*
 * Connection-oriented DCE/RPC PDUs (see ra/pdu.h): [C706] 12.6, [MS-RPCE] 2.2.2.
 */
#include "ra/pdu.h"
#include "ra/bytes.h"
#include "ra/ndr.h"
#include "ra/ntlmssp.h"

#include <stdarg.h>
#include <string.h>

const char *ra_pdu_type_name(guint8 ptype)
{
    switch (ptype) {
    case RA_PDU_REQUEST:
        return "request";
    case RA_PDU_RESPONSE:
        return "response";
    case RA_PDU_FAULT:
        return "fault";
    case RA_PDU_BIND:
        return "bind";
    case RA_PDU_BIND_ACK:
        return "bind_ack";
    case RA_PDU_BIND_NAK:
        return "bind_nak";
    case RA_PDU_ALTER_CONTEXT:
        return "alter_context";
    case RA_PDU_ALTER_CONTEXT_RESP:
        return "alter_context_resp";
    case RA_PDU_AUTH3:
        return "auth3";
    case RA_PDU_SHUTDOWN:
        return "shutdown";
    case RA_PDU_CO_CANCEL:
        return "co_cancel";
    case RA_PDU_ORPHANED:
        return "orphaned";
    default:
        return "unknown ptype";
    }
}

const char *ra_pdu_fault_name(guint32 status)
{
    static const struct {
        guint32 status;
        const char *name;
    } names[] = {
        {RA_NCA_S_FAULT_ACCESS_DENIED, "nca_s_fault_access_denied"},
        {RA_NCA_S_FAULT_NDR, "nca_s_fault_ndr"},
        {RA_NCA_S_FAULT_CANT_PERFORM, "nca_s_fault_cant_perform"},
        {RA_NCA_S_FAULT_INVALID_TAG, "nca_s_fault_invalid_tag"},
        {RA_NCA_S_FAULT_INVALID_BOUND, "nca_s_fault_invalid_bound"},
        {RA_NCA_RPC_VERSION_MISMATCH, "nca_rpc_version_mismatch"},
        {RA_NCA_UNSPEC_REJECT, "nca_unspec_reject"},
        {RA_NCA_S_FAULT_CANCEL, "nca_s_fault_cancel"},
        {RA_NCA_S_FAULT_UNSPEC, "nca_s_fault_unspec"},
        {RA_NCA_S_FAULT_CONTEXT_MISMATCH, "nca_s_fault_context_mismatch"},
        {RA_NCA_S_FAULT_REMOTE_NO_MEMORY, "nca_s_fault_remote_no_memory"},
        {RA_NCA_INVALID_PRES_CONTEXT_ID, "nca_invalid_pres_context_id"},
        {RA_NCA_UNSUPPORTED_AUTHN_LEVEL, "nca_unsupported_authn_level"},
        {RA_NCA_INVALID_CHECKSUM, "nca_invalid_checksum"},
        {RA_NCA_S_FAULT_OBJECT_NOT_FOUND, "nca_s_fault_object_not_found"},
        {RA_NCA_OP_RNG_ERROR, "nca_s_op_rng_error"},
        {RA_NCA_UNK_IF, "nca_s_unk_if"},
        {RA_NCA_PROTO_ERROR, "nca_proto_error"},
        {RA_NCA_OUT_ARGS_TOO_BIG, "nca_out_args_too_big"},
        {RA_NCA_SERVER_TOO_BUSY, "nca_server_too_busy"},
        {RA_NCA_UNSUPPORTED_TYPE, "nca_unsupported_type"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        if (names[i].status == status)
            return names[i].name;
    return NULL;
}

const char *ra_pdu_bind_nak_reason_name(guint16 reason)
{
    switch (reason) {
    case RA_BIND_NAK_REASON_NOT_SPECIFIED:
        return "reason not specified";
    case RA_BIND_NAK_TEMPORARY_CONGESTION:
        return "temporary congestion";
    case RA_BIND_NAK_LOCAL_LIMIT_EXCEEDED:
        return "local limit exceeded";
    case RA_BIND_NAK_PROTOCOL_VERSION_NOT_SUPPORTED:
        return "protocol version not supported";
    case RA_BIND_NAK_AUTHENTICATION_TYPE_NOT_RECOGNIZED:
        return "authentication type not recognized";
    case RA_BIND_NAK_INVALID_CHECKSUM:
        return "invalid checksum";
    default:
        return NULL;
    }
}

static gboolean is_co_ptype(guint8 ptype)
{
    return ptype == RA_PDU_REQUEST || ptype == RA_PDU_RESPONSE || ptype == RA_PDU_FAULT ||
           (ptype >= RA_PDU_BIND && ptype <= RA_PDU_ORPHANED);
}

/* C706 12.6.3.1: the common header. */
gboolean ra_pdu_peek_header(const guint8 *data, gsize len, guint16 max_frag, RaPduHeader *hdr,
                            GError **error)
{
    memset(hdr, 0, sizeof *hdr);
    if (len < RA_PDU_HEADER_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "PDU header needs 16 bytes, %" G_GSIZE_FORMAT " available", len);
        return FALSE;
    }
    hdr->rpc_vers = data[0];
    hdr->rpc_vers_minor = data[1];
    hdr->ptype = data[2];
    hdr->pfc_flags = data[3];
    memcpy(hdr->drep, data + 4, 4);
    hdr->frag_length = ra_le16(data + 8);
    hdr->auth_length = ra_le16(data + 10);
    hdr->call_id = ra_le32(data + 12);
    if (hdr->rpc_vers != 5 || hdr->rpc_vers_minor > 1) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "RPC version %u.%u is not supported",
                    hdr->rpc_vers, hdr->rpc_vers_minor);
        return FALSE;
    }
    if (!ra_ndr_check_drep(hdr->drep, error))
        return FALSE;
    if (!is_co_ptype(hdr->ptype)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "PDU type %u is not a connection-oriented PDU", hdr->ptype);
        return FALSE;
    }
    if (hdr->frag_length < RA_PDU_HEADER_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "frag_length %u is below 16",
                    hdr->frag_length);
        return FALSE;
    }
    if (max_frag != 0 && hdr->frag_length > max_frag) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "%s fragment of %u bytes exceeds the limit of %u", ra_pdu_type_name(hdr->ptype),
                    hdr->frag_length, max_frag);
        return FALSE;
    }
    if (hdr->auth_length != 0 &&
        (guint32)RA_PDU_HEADER_SIZE + RA_PDU_SEC_TRAILER_SIZE + hdr->auth_length >
            hdr->frag_length) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "auth_length %u does not fit in frag_length %u", hdr->auth_length,
                    hdr->frag_length);
        return FALSE;
    }
    return TRUE;
}

/* A bounded little-endian reader over the body of one PDU; offsets are from the PDU start. */
typedef struct {
    const guint8 *data;
    gsize off;
    gsize end;
    const char *what; /* PDU type, for messages */
    GError **error;
    gboolean failed;
} Reader;

static gboolean rd_need(Reader *r, gsize n, const char *field)
{
    if (r->failed)
        return FALSE;
    if (r->end - r->off < n) {
        g_set_error(r->error, RA_ERROR, RA_ERROR_MALFORMED,
                    "%s: truncated at %s (offset %" G_GSIZE_FORMAT ")", r->what, field, r->off);
        r->failed = TRUE;
        return FALSE;
    }
    return TRUE;
}

static guint8 rd_u8(Reader *r, const char *field)
{
    if (!rd_need(r, 1, field))
        return 0;
    return r->data[r->off++];
}

static guint16 rd_u16(Reader *r, const char *field)
{
    if (!rd_need(r, 2, field))
        return 0;
    guint16 v = ra_le16(r->data + r->off);
    r->off += 2;
    return v;
}

static guint32 rd_u32(Reader *r, const char *field)
{
    if (!rd_need(r, 4, field))
        return 0;
    guint32 v = ra_le32(r->data + r->off);
    r->off += 4;
    return v;
}

static void rd_uuid(Reader *r, RaUuid *u, const char *field)
{
    memset(u, 0, sizeof *u);
    if (!rd_need(r, 16, field))
        return;
    ra_uuid_from_le(r->data + r->off, u);
    r->off += 16;
}

static void rd_syntax(Reader *r, RaSyntaxId *s, const char *field)
{
    rd_uuid(r, &s->uuid, field);
    guint32 version = rd_u32(r, field);
    s->if_version_major = (guint16)version;
    s->if_version_minor = (guint16)(version >> 16);
}

static void rd_align4(Reader *r)
{
    gsize pad = (4 - (r->off & 3)) & 3;
    if (r->end - r->off < pad)
        r->off = r->end; /* lenient: a body may end unpadded */
    else
        r->off += pad;
}

static gboolean bad(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean bad(GError **error, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error_literal(error, RA_ERROR, RA_ERROR_MALFORMED, msg);
    g_free(msg);
    return FALSE;
}

void ra_pdu_clear(RaPdu *pdu)
{
    if (pdu == NULL)
        return;
    switch (pdu->hdr.ptype) {
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        for (guint i = 0; i < pdu->u.bind.n_contexts; i++)
            g_free(pdu->u.bind.contexts[i].transfer_syntaxes);
        g_free(pdu->u.bind.contexts);
        break;
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP:
        g_free(pdu->u.bind_ack.secondary_address);
        g_free(pdu->u.bind_ack.results);
        break;
    default:
        break;
    }
    memset(pdu, 0, sizeof *pdu);
}

/* C706 12.6.4.3 (bind), 12.6.4.1 (alter_context): the presentation context list. */
static gboolean decode_bind(Reader *r, RaPdu *pdu)
{
    pdu->u.bind.max_xmit_frag = rd_u16(r, "max_xmit_frag");
    pdu->u.bind.max_recv_frag = rd_u16(r, "max_recv_frag");
    pdu->u.bind.assoc_group_id = rd_u32(r, "assoc_group_id");
    guint n = rd_u8(r, "n_context_elem");
    rd_u8(r, "reserved");
    rd_u16(r, "reserved2");
    if (r->failed)
        return FALSE;
    /* Each element takes at least 24 bytes: refuse counts the body cannot hold before
     * allocating. */
    if ((gsize)n * 24 > r->end - r->off)
        return bad(r->error, "%s: %u presentation contexts do not fit in the PDU", r->what, n);
    pdu->u.bind.contexts = g_new0(RaPresContext, n > 0 ? n : 1);
    for (guint i = 0; i < n; i++) {
        RaPresContext *c = &pdu->u.bind.contexts[i];
        c->context_id = rd_u16(r, "p_cont_id");
        guint nt = rd_u8(r, "n_transfer_syn");
        rd_u8(r, "reserved");
        rd_syntax(r, &c->abstract_syntax, "abstract_syntax");
        if (r->failed)
            return FALSE;
        if ((gsize)nt * 20 > r->end - r->off)
            return bad(r->error, "%s: %u transfer syntaxes do not fit in the PDU", r->what, nt);
        c->transfer_syntaxes = g_new0(RaSyntaxId, nt > 0 ? nt : 1);
        c->n_transfer_syntaxes = nt;
        pdu->u.bind.n_contexts = i + 1;
        for (guint j = 0; j < nt; j++)
            rd_syntax(r, &c->transfer_syntaxes[j], "transfer_syntax");
        if (r->failed)
            return FALSE;
    }
    /* Anything left must be padding before the sec_trailer. */
    if (r->end - r->off > 15)
        return bad(r->error, "%s: %u unexpected bytes after the presentation contexts", r->what,
                   (guint)(r->end - r->off));
    return TRUE;
}

/* C706 12.6.4.4 (bind_ack), 12.6.4.2 (alter_context_resp). */
static gboolean decode_bind_ack(Reader *r, RaPdu *pdu)
{
    pdu->u.bind_ack.max_xmit_frag = rd_u16(r, "max_xmit_frag");
    pdu->u.bind_ack.max_recv_frag = rd_u16(r, "max_recv_frag");
    pdu->u.bind_ack.assoc_group_id = rd_u32(r, "assoc_group_id");
    guint16 sec_len = rd_u16(r, "sec_addr.length");
    if (!rd_need(r, sec_len, "sec_addr.port_spec"))
        return FALSE;
    const gchar *port = (const gchar *)r->data + r->off;
    gsize slen = sec_len;
    while (slen > 0 && port[slen - 1] == '\0')
        slen--;
    for (gsize i = 0; i < slen; i++)
        if (!g_ascii_isprint(port[i]))
            return bad(r->error, "%s: secondary address has a non-printable byte at %u", r->what,
                       (guint)i);
    pdu->u.bind_ack.secondary_address = g_strndup(port, slen);
    r->off += sec_len;
    rd_align4(r);
    guint n = rd_u8(r, "n_results");
    rd_u8(r, "reserved");
    rd_u16(r, "reserved2");
    if (r->failed)
        return FALSE;
    if ((gsize)n * 24 > r->end - r->off)
        return bad(r->error, "%s: %u results do not fit in the PDU", r->what, n);
    pdu->u.bind_ack.results = g_new0(RaPresResult, n > 0 ? n : 1);
    pdu->u.bind_ack.n_results = n;
    for (guint i = 0; i < n; i++) {
        RaPresResult *res = &pdu->u.bind_ack.results[i];
        res->result = rd_u16(r, "result");
        res->reason = rd_u16(r, "reason");
        rd_syntax(r, &res->transfer_syntax, "transfer_syntax");
    }
    return !r->failed;
}

/* C706 12.6.4.5, MS-RPCE 2.2.2.9. */
static gboolean decode_bind_nak(Reader *r, RaPdu *pdu)
{
    pdu->u.bind_nak.reject_reason = rd_u16(r, "provider_reject_reason");
    if (r->failed)
        return FALSE;
    if (r->off == r->end)
        return TRUE; /* no version list */
    guint n = rd_u8(r, "n_protocols");
    if (!rd_need(r, 2 * (gsize)n, "protocols"))
        return FALSE;
    pdu->u.bind_nak.n_versions = n;
    for (guint i = 0; i < n; i++) {
        if (i < G_N_ELEMENTS(pdu->u.bind_nak.versions)) {
            pdu->u.bind_nak.versions[i][0] = r->data[r->off];
            pdu->u.bind_nak.versions[i][1] = r->data[r->off + 1];
        }
        r->off += 2;
    }
    /* MS-RPCE 2.2.2.9: a Signature follows if the PDU is long enough for it. */
    rd_align4(r);
    if (r->end - r->off >= 16) {
        rd_uuid(r, &pdu->u.bind_nak.signature, "signature");
        pdu->u.bind_nak.has_signature = TRUE;
    }
    return !r->failed;
}

gboolean ra_pdu_decode(const guint8 *data, gsize len, RaPdu *pdu, GError **error)
{
    memset(pdu, 0, sizeof *pdu);
    if (!ra_pdu_peek_header(data, len, 0, &pdu->hdr, error))
        return FALSE;
    if (pdu->hdr.frag_length != len) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "frag_length %u does not match the %" G_GSIZE_FORMAT " bytes of the PDU",
                    pdu->hdr.frag_length, len);
        memset(pdu, 0, sizeof *pdu);
        return FALSE;
    }
    Reader r = {data, RA_PDU_HEADER_SIZE, len, ra_pdu_type_name(pdu->hdr.ptype), error, FALSE};
    if (pdu->hdr.auth_length != 0) {
        /* MS-RPCE 2.2.2.11: the sec_trailer sits auth_length + 8 bytes before the end. */
        gsize trailer = len - pdu->hdr.auth_length - RA_PDU_SEC_TRAILER_SIZE;
        const guint8 *t = data + trailer;
        pdu->has_auth = TRUE;
        pdu->auth.auth_type = t[0];
        pdu->auth.auth_level = t[1];
        pdu->auth.auth_pad_length = t[2];
        pdu->auth.auth_reserved = t[3];
        pdu->auth.auth_context_id = ra_le32(t + 4);
        pdu->auth.auth_value = t + RA_PDU_SEC_TRAILER_SIZE;
        pdu->auth.auth_value_len = pdu->hdr.auth_length;
        r.end = trailer;
    }
    gboolean ok = TRUE;
    gboolean has_stub = FALSE;
    switch (pdu->hdr.ptype) {
    case RA_PDU_REQUEST:
        pdu->u.request.alloc_hint = rd_u32(&r, "alloc_hint");
        pdu->u.request.context_id = rd_u16(&r, "p_cont_id");
        pdu->u.request.opnum = rd_u16(&r, "opnum");
        if (pdu->hdr.pfc_flags & RA_PFC_OBJECT_UUID)
            rd_uuid(&r, &pdu->u.request.object, "object");
        has_stub = TRUE;
        break;
    case RA_PDU_RESPONSE:
        pdu->u.response.alloc_hint = rd_u32(&r, "alloc_hint");
        pdu->u.response.context_id = rd_u16(&r, "p_cont_id");
        pdu->u.response.cancel_count = rd_u8(&r, "cancel_count");
        rd_u8(&r, "reserved");
        has_stub = TRUE;
        break;
    case RA_PDU_FAULT:
        pdu->u.fault.alloc_hint = rd_u32(&r, "alloc_hint");
        pdu->u.fault.context_id = rd_u16(&r, "p_cont_id");
        pdu->u.fault.cancel_count = rd_u8(&r, "cancel_count");
        pdu->u.fault.flags = rd_u8(&r, "reserved");
        pdu->u.fault.status = rd_u32(&r, "status");
        /* reserved2[4]; some senders end the PDU before it. */
        if (!r.failed)
            r.off = r.end - r.off >= 4 ? r.off + 4 : r.end;
        has_stub = TRUE;
        break;
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        ok = decode_bind(&r, pdu);
        break;
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP:
        ok = decode_bind_ack(&r, pdu);
        break;
    case RA_PDU_BIND_NAK:
        ok = decode_bind_nak(&r, pdu);
        break;
    case RA_PDU_AUTH3:
        if (!pdu->has_auth) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "auth3 without an auth verifier");
            ok = FALSE;
        }
        break;
    default: /* shutdown, co_cancel, orphaned: nothing but an optional verifier */
        break;
    }
    ok = ok && !r.failed;
    if (ok && has_stub) {
        gsize stub_len = r.end - r.off;
        if (pdu->has_auth) {
            if (pdu->auth.auth_pad_length > stub_len) {
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                            "%s: auth_pad_length %u exceeds the %" G_GSIZE_FORMAT " bytes of stub",
                            r.what, pdu->auth.auth_pad_length, stub_len);
                ok = FALSE;
            } else {
                stub_len -= pdu->auth.auth_pad_length;
            }
        }
        pdu->stub = data + r.off;
        pdu->stub_len = stub_len;
    }
    if (!ok)
        ra_pdu_clear(pdu);
    return ok;
}

/* ---- encode ---- */

static void w_u8(GByteArray *b, guint8 v)
{
    g_byte_array_append(b, &v, 1);
}

static void w_u16(GByteArray *b, guint16 v)
{
    guint8 p[2];
    ra_put_le16(p, v);
    g_byte_array_append(b, p, 2);
}

static void w_u32(GByteArray *b, guint32 v)
{
    guint8 p[4];
    ra_put_le32(p, v);
    g_byte_array_append(b, p, 4);
}

static void w_zeros(GByteArray *b, gsize n)
{
    static const guint8 zeros[16];
    while (n > 0) {
        gsize k = MIN(n, sizeof zeros);
        g_byte_array_append(b, zeros, (guint)k);
        n -= k;
    }
}

static void w_syntax(GByteArray *b, const RaSyntaxId *s)
{
    guint8 u[16];
    ra_uuid_to_le(&s->uuid, u);
    g_byte_array_append(b, u, 16);
    w_u32(b, (guint32)s->if_version_major | (guint32)s->if_version_minor << 16);
}

gboolean ra_pdu_encode(const RaPdu *pdu, GByteArray *out, RaPduLayout *layout, GError **error)
{
    RaPduLayout lay = {0};
    gsize start = out->len;
    lay.start = start;
    const RaPduHeader *h = &pdu->hdr;
    static const guint8 drep[4] = RA_NDR_DREP_INIT;
    w_u8(out, 5);
    w_u8(out, 0);
    w_u8(out, h->ptype);
    w_u8(out, h->pfc_flags);
    g_byte_array_append(out, drep, 4);
    w_u16(out, 0); /* frag_length, patched */
    w_u16(out, 0); /* auth_length, patched */
    w_u32(out, h->call_id);
    gboolean has_stub = FALSE;
    switch (h->ptype) {
    case RA_PDU_REQUEST:
        w_u32(out, pdu->u.request.alloc_hint);
        w_u16(out, pdu->u.request.context_id);
        w_u16(out, pdu->u.request.opnum);
        if (h->pfc_flags & RA_PFC_OBJECT_UUID) {
            guint8 u[16];
            ra_uuid_to_le(&pdu->u.request.object, u);
            g_byte_array_append(out, u, 16);
        }
        has_stub = TRUE;
        break;
    case RA_PDU_RESPONSE:
        w_u32(out, pdu->u.response.alloc_hint);
        w_u16(out, pdu->u.response.context_id);
        w_u8(out, pdu->u.response.cancel_count);
        w_u8(out, 0);
        has_stub = TRUE;
        break;
    case RA_PDU_FAULT:
        w_u32(out, pdu->u.fault.alloc_hint);
        w_u16(out, pdu->u.fault.context_id);
        w_u8(out, pdu->u.fault.cancel_count);
        w_u8(out, pdu->u.fault.flags);
        w_u32(out, pdu->u.fault.status);
        w_u32(out, 0);
        has_stub = TRUE;
        break;
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        if (pdu->u.bind.n_contexts > 255) {
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "more than 255 contexts");
            goto fail;
        }
        w_u16(out, pdu->u.bind.max_xmit_frag);
        w_u16(out, pdu->u.bind.max_recv_frag);
        w_u32(out, pdu->u.bind.assoc_group_id);
        w_u8(out, (guint8)pdu->u.bind.n_contexts);
        w_zeros(out, 3);
        for (guint i = 0; i < pdu->u.bind.n_contexts; i++) {
            const RaPresContext *c = &pdu->u.bind.contexts[i];
            if (c->n_transfer_syntaxes > 255) {
                g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "more than 255 transfer syntaxes");
                goto fail;
            }
            w_u16(out, c->context_id);
            w_u8(out, (guint8)c->n_transfer_syntaxes);
            w_u8(out, 0);
            w_syntax(out, &c->abstract_syntax);
            for (guint j = 0; j < c->n_transfer_syntaxes; j++)
                w_syntax(out, &c->transfer_syntaxes[j]);
        }
        break;
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP: {
        if (pdu->u.bind_ack.n_results > 255) {
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "more than 255 results");
            goto fail;
        }
        w_u16(out, pdu->u.bind_ack.max_xmit_frag);
        w_u16(out, pdu->u.bind_ack.max_recv_frag);
        w_u32(out, pdu->u.bind_ack.assoc_group_id);
        const gchar *sec = pdu->u.bind_ack.secondary_address;
        gsize sec_len = sec && *sec ? strlen(sec) + 1 : 0; /* port_spec counts its NUL */
        if (sec_len > 1024) {
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "secondary address too long");
            goto fail;
        }
        w_u16(out, (guint16)sec_len);
        if (sec_len)
            g_byte_array_append(out, (const guint8 *)sec, (guint)sec_len);
        w_zeros(out, (4 - ((out->len - start) & 3)) & 3);
        w_u8(out, (guint8)pdu->u.bind_ack.n_results);
        w_zeros(out, 3);
        for (guint i = 0; i < pdu->u.bind_ack.n_results; i++) {
            const RaPresResult *res = &pdu->u.bind_ack.results[i];
            w_u16(out, res->result);
            w_u16(out, res->reason);
            w_syntax(out, &res->transfer_syntax);
        }
        break;
    }
    case RA_PDU_BIND_NAK: {
        w_u16(out, pdu->u.bind_nak.reject_reason);
        guint n = MIN(pdu->u.bind_nak.n_versions, G_N_ELEMENTS(pdu->u.bind_nak.versions));
        w_u8(out, (guint8)n);
        for (guint i = 0; i < n; i++) {
            w_u8(out, pdu->u.bind_nak.versions[i][0]);
            w_u8(out, pdu->u.bind_nak.versions[i][1]);
        }
        w_zeros(out, (4 - ((out->len - start) & 3)) & 3);
        if (pdu->u.bind_nak.has_signature) {
            guint8 u[16];
            ra_uuid_to_le(&pdu->u.bind_nak.signature, u);
            g_byte_array_append(out, u, 16);
        }
        break;
    }
    case RA_PDU_AUTH3:
        w_zeros(out, 4); /* MS-RPCE 2.2.2.10: pad, any value */
        break;
    case RA_PDU_SHUTDOWN:
    case RA_PDU_CO_CANCEL:
    case RA_PDU_ORPHANED:
        break;
    default:
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "cannot encode PDU type %u", h->ptype);
        goto fail;
    }
    if (has_stub) {
        if (pdu->stub_len > 65535) {
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "stub of %" G_GSIZE_FORMAT " bytes",
                        pdu->stub_len);
            goto fail;
        }
        lay.stub_offset = out->len - start;
        if (pdu->stub_len > 0)
            g_byte_array_append(out, pdu->stub, (guint)pdu->stub_len);
        lay.stub_len = pdu->stub_len;
    }
    if (pdu->has_auth) {
        gsize pad;
        if (has_stub)
            pad = (16 - (pdu->stub_len & 15)) & 15;
        else
            pad = (4 - ((out->len - start) & 3)) & 3;
        w_zeros(out, pad);
        lay.stub_len += has_stub ? pad : 0;
        lay.trailer_offset = out->len - start;
        w_u8(out, pdu->auth.auth_type);
        w_u8(out, pdu->auth.auth_level);
        w_u8(out, (guint8)pad);
        w_u8(out, 0);
        w_u32(out, pdu->auth.auth_context_id);
        lay.auth_value_offset = out->len - start;
        if (pdu->auth.auth_value_len > 65535) {
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "auth value too long");
            goto fail;
        }
        if (pdu->auth.auth_value != NULL)
            g_byte_array_append(out, pdu->auth.auth_value, (guint)pdu->auth.auth_value_len);
        else
            w_zeros(out, pdu->auth.auth_value_len);
        ra_put_le16(out->data + start + 10, (guint16)pdu->auth.auth_value_len);
    }
    lay.frag_length = out->len - start;
    if (lay.frag_length > 65535) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "%s PDU of %" G_GSIZE_FORMAT " bytes exceeds 65535", ra_pdu_type_name(h->ptype),
                    lay.frag_length);
        goto fail;
    }
    ra_put_le16(out->data + start + 8, (guint16)lay.frag_length);
    if (layout)
        *layout = lay;
    return TRUE;
fail:
    g_byte_array_set_size(out, (guint)start);
    return FALSE;
}

gchar *ra_pdu_describe(const RaPdu *pdu)
{
    const RaPduHeader *h = &pdu->hdr;
    GString *s = g_string_new(ra_pdu_type_name(h->ptype));
    g_string_append_printf(s, " call_id=%u flags=0x%02x", h->call_id, h->pfc_flags);
    switch (h->ptype) {
    case RA_PDU_REQUEST:
        g_string_append_printf(s, " ctx=%u opnum=%u alloc_hint=%u stub=%" G_GSIZE_FORMAT,
                               pdu->u.request.context_id, pdu->u.request.opnum,
                               pdu->u.request.alloc_hint, pdu->stub_len);
        if (h->pfc_flags & RA_PFC_OBJECT_UUID) {
            char buf[RA_UUID_STRING_LEN + 1];
            g_string_append_printf(s, " object=%s", ra_uuid_format(&pdu->u.request.object, buf));
        }
        break;
    case RA_PDU_RESPONSE:
        g_string_append_printf(s, " ctx=%u alloc_hint=%u stub=%" G_GSIZE_FORMAT,
                               pdu->u.response.context_id, pdu->u.response.alloc_hint,
                               pdu->stub_len);
        break;
    case RA_PDU_FAULT: {
        const char *name = ra_pdu_fault_name(pdu->u.fault.status);
        g_string_append_printf(s, " ctx=%u status=0x%08x%s%s%s", pdu->u.fault.context_id,
                               pdu->u.fault.status, name ? " (" : "", name ? name : "",
                               name ? ")" : "");
        break;
    }
    case RA_PDU_BIND:
    case RA_PDU_ALTER_CONTEXT:
        g_string_append_printf(s, " max_xmit=%u max_recv=%u assoc_group=0x%x contexts=%u",
                               pdu->u.bind.max_xmit_frag, pdu->u.bind.max_recv_frag,
                               pdu->u.bind.assoc_group_id, pdu->u.bind.n_contexts);
        break;
    case RA_PDU_BIND_ACK:
    case RA_PDU_ALTER_CONTEXT_RESP:
        g_string_append_printf(s, " max_xmit=%u max_recv=%u assoc_group=0x%x results=%u",
                               pdu->u.bind_ack.max_xmit_frag, pdu->u.bind_ack.max_recv_frag,
                               pdu->u.bind_ack.assoc_group_id, pdu->u.bind_ack.n_results);
        break;
    case RA_PDU_BIND_NAK:
        g_string_append_printf(s, " reason=%u", pdu->u.bind_nak.reject_reason);
        break;
    default:
        break;
    }
    if (pdu->has_auth)
        g_string_append_printf(s, " auth=type %u level %u ctx %u len %" G_GSIZE_FORMAT,
                               pdu->auth.auth_type, pdu->auth.auth_level, pdu->auth.auth_context_id,
                               pdu->auth.auth_value_len);
    return g_string_free(s, FALSE);
}

/* ---- fragmentation ---- */

gsize ra_pdu_max_stub_chunk(guint8 ptype, gboolean object_uuid, guint16 max_frag,
                            gsize auth_value_len)
{
    gsize overhead = RA_PDU_HEADER_SIZE + 8; /* request and response bodies: 8 bytes */
    if (ptype == RA_PDU_REQUEST && object_uuid)
        overhead += 16;
    if (auth_value_len > 0)
        overhead += RA_PDU_SEC_TRAILER_SIZE + auth_value_len;
    if (max_frag <= overhead)
        return 0;
    gsize chunk = max_frag - overhead;
    chunk &= auth_value_len > 0 ? ~(gsize)15 : ~(gsize)7;
    return chunk;
}

RaPduChunk *ra_pdu_split(gsize stub_len, gsize chunk, guint *n)
{
    g_return_val_if_fail(chunk > 0, NULL);
    gsize count = stub_len == 0 ? 1 : (stub_len + chunk - 1) / chunk;
    RaPduChunk *c = g_new0(RaPduChunk, count);
    for (gsize i = 0; i < count; i++) {
        c[i].offset = i * chunk;
        c[i].len = MIN(chunk, stub_len - c[i].offset);
        c[i].pfc_flags = (i == 0 ? RA_PFC_FIRST_FRAG : 0) | (i + 1 == count ? RA_PFC_LAST_FRAG : 0);
    }
    *n = (guint)count;
    return c;
}

struct RaPduReassembly {
    gsize max_total;
    guint max_fragments;
    guint n_fragments;
    gboolean in_progress;
    GByteArray *buf;
    RaPdu first;
};

RaPduReassembly *ra_pdu_reassembly_new(gsize max_total, guint max_fragments)
{
    RaPduReassembly *r = g_new0(RaPduReassembly, 1);
    r->max_total = max_total;
    r->max_fragments = max_fragments;
    r->buf = g_byte_array_new();
    return r;
}

void ra_pdu_reassembly_reset(RaPduReassembly *r)
{
    g_byte_array_unref(r->buf);
    r->buf = g_byte_array_new();
    r->n_fragments = 0;
    r->in_progress = FALSE;
}

void ra_pdu_reassembly_free(RaPduReassembly *r)
{
    if (r == NULL)
        return;
    g_byte_array_unref(r->buf);
    g_free(r);
}

gboolean ra_pdu_reassembly_in_progress(const RaPduReassembly *r)
{
    return r->in_progress;
}

const RaPdu *ra_pdu_reassembly_first(const RaPduReassembly *r)
{
    return &r->first;
}

static gboolean reassembly_fail(RaPduReassembly *r, GError **error, RaError code,
                                const char *format, ...) G_GNUC_PRINTF(4, 5);

static gboolean reassembly_fail(RaPduReassembly *r, GError **error, RaError code,
                                const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error_literal(error, RA_ERROR, code, msg);
    g_free(msg);
    ra_pdu_reassembly_reset(r);
    return FALSE;
}

gboolean ra_pdu_reassembly_add(RaPduReassembly *r, const RaPdu *frag, gboolean *complete,
                               GError **error)
{
    *complete = FALSE;
    guint8 ptype = frag->hdr.ptype;
    if (ptype != RA_PDU_REQUEST && ptype != RA_PDU_RESPONSE)
        return reassembly_fail(r, error, RA_ERROR_PROTOCOL, "cannot reassemble PDU type %u", ptype);
    guint16 ctx =
        ptype == RA_PDU_REQUEST ? frag->u.request.context_id : frag->u.response.context_id;
    guint32 hint =
        ptype == RA_PDU_REQUEST ? frag->u.request.alloc_hint : frag->u.response.alloc_hint;
    gboolean first = (frag->hdr.pfc_flags & RA_PFC_FIRST_FRAG) != 0;
    if (!r->in_progress) {
        if (!first)
            return reassembly_fail(r, error, RA_ERROR_PROTOCOL,
                                   "call %u starts without PFC_FIRST_FRAG", frag->hdr.call_id);
        if (hint > r->max_total)
            return reassembly_fail(r, error, RA_ERROR_TOO_LARGE,
                                   "alloc_hint %u exceeds the limit of %u", hint,
                                   (guint)MIN(r->max_total, G_MAXUINT));
        g_byte_array_set_size(r->buf, (guint)MIN((gsize)hint, 65536));
        g_byte_array_set_size(r->buf, 0);
        r->first = *frag;
        r->first.stub = NULL;
        r->first.stub_len = 0;
        r->first.has_auth = FALSE;
        memset(&r->first.auth, 0, sizeof r->first.auth);
        r->in_progress = TRUE;
        r->n_fragments = 0;
    } else {
        if (first)
            return reassembly_fail(r, error, RA_ERROR_PROTOCOL,
                                   "call %u: PFC_FIRST_FRAG before call %u ended",
                                   frag->hdr.call_id, r->first.hdr.call_id);
        if (frag->hdr.call_id != r->first.hdr.call_id || ptype != r->first.hdr.ptype)
            return reassembly_fail(r, error, RA_ERROR_PROTOCOL,
                                   "fragment of call %u inside call %u", frag->hdr.call_id,
                                   r->first.hdr.call_id);
        guint16 first_ctx = ptype == RA_PDU_REQUEST ? r->first.u.request.context_id
                                                    : r->first.u.response.context_id;
        if (ctx != first_ctx ||
            (ptype == RA_PDU_REQUEST && frag->u.request.opnum != r->first.u.request.opnum))
            return reassembly_fail(r, error, RA_ERROR_PROTOCOL,
                                   "call %u changes context or opnum in fragment %u",
                                   frag->hdr.call_id, r->n_fragments + 1);
    }
    if (r->n_fragments + 1 > r->max_fragments)
        return reassembly_fail(r, error, RA_ERROR_TOO_LARGE, "call %u has more than %u fragments",
                               frag->hdr.call_id, r->max_fragments);
    if (frag->stub_len > r->max_total - r->buf->len)
        return reassembly_fail(r, error, RA_ERROR_TOO_LARGE, "call %u exceeds %u bytes of stub",
                               frag->hdr.call_id, (guint)MIN(r->max_total, G_MAXUINT));
    if (frag->stub_len > 0)
        g_byte_array_append(r->buf, frag->stub, (guint)frag->stub_len);
    r->n_fragments++;
    if (frag->hdr.pfc_flags & RA_PFC_LAST_FRAG) {
        r->in_progress = FALSE;
        *complete = TRUE;
    }
    return TRUE;
}

GBytes *ra_pdu_reassembly_steal(RaPduReassembly *r)
{
    GBytes *b = g_byte_array_free_to_bytes(r->buf);
    r->buf = g_byte_array_new();
    r->n_fragments = 0;
    r->in_progress = FALSE;
    return b;
}

/* ---- NTLM protection ---- */

gboolean ra_pdu_protect(guint8 *pdu, const RaPduLayout *layout, guint8 auth_level, RaNtlmssp *ntlm,
                        GError **error)
{
    if (layout->auth_value_offset == 0 || layout->stub_offset == 0 ||
        layout->frag_length - layout->auth_value_offset != RA_NTLMSSP_SIGNATURE_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "PDU was not encoded with room for an NTLM signature");
        return FALSE;
    }
    /* The whole PDU up to the auth value, header and sec_trailer included. */
    RaBuf signed_part = {pdu, layout->auth_value_offset};
    guint8 *sig = pdu + layout->auth_value_offset;
    if (auth_level == RA_AUTH_LEVEL_PKT_PRIVACY)
        return ra_ntlmssp_seal(ntlm, pdu + layout->stub_offset, layout->stub_len, &signed_part, 1,
                               sig, error);
    return ra_ntlmssp_sign(ntlm, &signed_part, 1, sig, error);
}

gboolean ra_pdu_unprotect(guint8 *buf, gsize len, RaPdu *decoded, guint8 auth_level,
                          RaNtlmssp *ntlm, GError **error)
{
    if (!decoded->has_auth) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "%s PDU has no auth verifier",
                    ra_pdu_type_name(decoded->hdr.ptype));
        return FALSE;
    }
    if (decoded->auth.auth_level != auth_level) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "%s PDU at auth level %u where %u was negotiated",
                    ra_pdu_type_name(decoded->hdr.ptype), decoded->auth.auth_level, auth_level);
        return FALSE;
    }
    if (decoded->auth.auth_value_len != RA_NTLMSSP_SIGNATURE_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "auth value of %" G_GSIZE_FORMAT " bytes is not an NTLM signature",
                    decoded->auth.auth_value_len);
        return FALSE;
    }
    if (decoded->stub == NULL || decoded->stub < buf || decoded->stub > buf + len) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "%s PDU carries no stub to verify",
                    ra_pdu_type_name(decoded->hdr.ptype));
        return FALSE;
    }
    gsize sig_off = len - RA_NTLMSSP_SIGNATURE_SIZE;
    gsize stub_off = (gsize)(decoded->stub - buf);
    gsize stub_len = decoded->stub_len + decoded->auth.auth_pad_length;
    RaBuf signed_part = {buf, sig_off};
    guint8 sig[RA_NTLMSSP_SIGNATURE_SIZE];
    memcpy(sig, buf + sig_off, sizeof sig);
    if (auth_level == RA_AUTH_LEVEL_PKT_PRIVACY)
        return ra_ntlmssp_unseal(ntlm, buf + stub_off, stub_len, &signed_part, 1, sig, sizeof sig,
                                 error);
    return ra_ntlmssp_verify(ntlm, &signed_part, 1, sig, sizeof sig, error);
}
