/*
 * Connection-oriented DCE/RPC PDUs ([C706] ch. 12.6, [MS-RPCE] 2.2.2): decode and encode of every
 * PDU type, the sec_trailer, fragmentation and reassembly of stubs, and the NTLM protection of a
 * PDU (sign or seal in place, verify or unseal in place).
 *
 * Only the little-endian/ASCII/IEEE data representation is accepted (RA_ERROR_UNSUPPORTED
 * otherwise, which a server answers with a bind_nak or an nca_unsupported_type fault).
 *
 * Errors: RA_ERROR_MALFORMED for bytes that break the format (every length is checked:
 * frag_length against the bytes, auth_length against frag_length, counts against what remains),
 * RA_ERROR_UNSUPPORTED for a version or representation we do not speak, RA_ERROR_TOO_LARGE for
 * limits (reassembly), RA_ERROR_PROTOCOL for fragments out of order, RA_ERROR_AUTH for a
 * signature that does not verify. All functions are thread-safe on distinct objects.
 */
#ifndef RA_PDU_H
#define RA_PDU_H

#include "ra/error.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct RaNtlmssp RaNtlmssp; /* ra/ntlmssp.h */

/* ---- constants ---- */

#define RA_PDU_HEADER_SIZE      16
#define RA_PDU_SEC_TRAILER_SIZE 8
/* Every implementation must accept fragments of this size ([C706] 12.6.3.1). */
#define RA_PDU_MIN_MAX_FRAG 1432
/* What Windows offers for max_xmit_frag/max_recv_frag over TCP. */
#define RA_PDU_DEFAULT_MAX_FRAG 5840

/* PTYPE ([C706] 12.6.3.1). Types 1, 4-10 are connectionless only and rejected here. */
typedef enum {
    RA_PDU_REQUEST = 0,
    RA_PDU_RESPONSE = 2,
    RA_PDU_FAULT = 3,
    RA_PDU_BIND = 11,
    RA_PDU_BIND_ACK = 12,
    RA_PDU_BIND_NAK = 13,
    RA_PDU_ALTER_CONTEXT = 14,
    RA_PDU_ALTER_CONTEXT_RESP = 15,
    RA_PDU_AUTH3 = 16,
    RA_PDU_SHUTDOWN = 17,
    RA_PDU_CO_CANCEL = 18,
    RA_PDU_ORPHANED = 19,
} RaPduType;

/* "request", "bind_ack", ...; "unknown ptype" for others (static strings). */
const char *ra_pdu_type_name(guint8 ptype);

/* pfc_flags ([C706] 12.6.3.1, [MS-RPCE] 2.2.2.3). */
#define RA_PFC_FIRST_FRAG          0x01
#define RA_PFC_LAST_FRAG           0x02
#define RA_PFC_PENDING_CANCEL      0x04 /* request/response */
#define RA_PFC_SUPPORT_HEADER_SIGN 0x04 /* bind/alter_context and their answers */
#define RA_PFC_CONC_MPX            0x10
#define RA_PFC_DID_NOT_EXECUTE     0x20
#define RA_PFC_MAYBE               0x40
#define RA_PFC_OBJECT_UUID         0x80

/* auth_type ([MS-RPCE] 2.2.1.1.7). */
#define RA_AUTH_TYPE_NONE          0
#define RA_AUTH_TYPE_GSS_NEGOTIATE 9
#define RA_AUTH_TYPE_WINNT         10 /* NTLMSSP */
#define RA_AUTH_TYPE_GSS_KERBEROS  16

/* auth_level ([MS-RPCE] 2.2.1.1.8). */
#define RA_AUTH_LEVEL_NONE          1
#define RA_AUTH_LEVEL_CONNECT       2
#define RA_AUTH_LEVEL_CALL          3
#define RA_AUTH_LEVEL_PKT           4
#define RA_AUTH_LEVEL_PKT_INTEGRITY 5
#define RA_AUTH_LEVEL_PKT_PRIVACY   6

/* Fault status values ([C706] Appendix E, [MS-RPCE] 2.2.2.8, 3.3.3.5). */
#define RA_NCA_S_FAULT_ACCESS_DENIED    0x00000005u /* ERROR_ACCESS_DENIED */
#define RA_NCA_S_FAULT_NDR              0x000006f7u /* RPC_X_BAD_STUB_DATA */
#define RA_NCA_S_FAULT_CANT_PERFORM     0x000006d8u
#define RA_NCA_S_FAULT_INVALID_TAG      0x1c000006u
#define RA_NCA_S_FAULT_INVALID_BOUND    0x1c000007u
#define RA_NCA_RPC_VERSION_MISMATCH     0x1c000008u
#define RA_NCA_UNSPEC_REJECT            0x1c000009u
#define RA_NCA_S_FAULT_CANCEL           0x1c00000du
#define RA_NCA_S_FAULT_UNSPEC           0x1c000012u
#define RA_NCA_S_FAULT_CONTEXT_MISMATCH 0x1c00001au
#define RA_NCA_S_FAULT_REMOTE_NO_MEMORY 0x1c00001bu
#define RA_NCA_INVALID_PRES_CONTEXT_ID  0x1c00001cu
#define RA_NCA_UNSUPPORTED_AUTHN_LEVEL  0x1c00001du
#define RA_NCA_INVALID_CHECKSUM         0x1c00001fu
#define RA_NCA_S_FAULT_OBJECT_NOT_FOUND 0x1c000024u
#define RA_NCA_OP_RNG_ERROR             0x1c010002u /* nca_s_op_rng_error: unknown opnum */
#define RA_NCA_UNK_IF                   0x1c010003u /* nca_s_unk_if: unknown interface */
#define RA_NCA_PROTO_ERROR              0x1c01000bu
#define RA_NCA_OUT_ARGS_TOO_BIG         0x1c010013u
#define RA_NCA_SERVER_TOO_BUSY          0x1c010014u
#define RA_NCA_UNSUPPORTED_TYPE         0x1c010017u
/* "nca_s_op_rng_error", ...; NULL for values not listed above. */
const char *ra_pdu_fault_name(guint32 status);

/* bind_nak provider_reject_reason ([C706] 12.6.3.1, [MS-RPCE] 2.2.2.5). */
#define RA_BIND_NAK_REASON_NOT_SPECIFIED               0
#define RA_BIND_NAK_TEMPORARY_CONGESTION               1
#define RA_BIND_NAK_LOCAL_LIMIT_EXCEEDED               2
#define RA_BIND_NAK_PROTOCOL_VERSION_NOT_SUPPORTED     4
#define RA_BIND_NAK_AUTHENTICATION_TYPE_NOT_RECOGNIZED 8
#define RA_BIND_NAK_INVALID_CHECKSUM                   9
/* "reason not specified", "temporary congestion", ... for the values above; NULL for others
 * (static strings). */
const char *ra_pdu_bind_nak_reason_name(guint16 reason);

/* p_cont_def_result_t and p_provider_reason_t ([C706] 12.6.3.1, [MS-RPCE] 2.2.2.4). */
#define RA_PDU_RESULT_ACCEPTANCE                      0
#define RA_PDU_RESULT_USER_REJECTION                  1
#define RA_PDU_RESULT_PROVIDER_REJECTION              2
#define RA_PDU_RESULT_NEGOTIATE_ACK                   3 /* bind time feature negotiation */
#define RA_PDU_REASON_NOT_SPECIFIED                   0
#define RA_PDU_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED   1
#define RA_PDU_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED 2
#define RA_PDU_REASON_LOCAL_LIMIT_EXCEEDED            3

/* ---- the common header ---- */

typedef struct {
    guint8 rpc_vers;       /* 5 */
    guint8 rpc_vers_minor; /* 0 or 1 */
    guint8 ptype;          /* RaPduType */
    guint8 pfc_flags;
    guint8 drep[4];
    guint16 frag_length;
    guint16 auth_length;
    guint32 call_id;
} RaPduHeader;

/*
 * Checks the 16-byte common header at data (len >= 16 bytes available): version 5.0/5.1, a
 * connection-oriented ptype, the drep, frag_length >= 16 and <= max_frag (0 = 65535), and that
 * auth_length fits in frag_length with its sec_trailer. The transport calls this on the first 16
 * bytes, then reads frag_length bytes in all. RA_ERROR_MALFORMED / RA_ERROR_UNSUPPORTED /
 * RA_ERROR_TOO_LARGE (frag_length over max_frag).
 */
gboolean ra_pdu_peek_header(const guint8 *data, gsize len, guint16 max_frag, RaPduHeader *hdr,
                            GError **error);

/* ---- decoded PDUs ---- */

/* The sec_trailer and auth value ([MS-RPCE] 2.2.2.11). */
typedef struct {
    guint8 auth_type;
    guint8 auth_level;
    guint8 auth_pad_length; /* decode: as received; encode: computed */
    guint8 auth_reserved;
    guint32 auth_context_id;
    /* Decode: points into the PDU. Encode: the token to send, or NULL to reserve auth_value_len
     * zero bytes for a signature written later (ra_pdu_protect). */
    const guint8 *auth_value;
    gsize auth_value_len;
} RaSecTrailer;

/* A presentation context element of a bind/alter_context ([C706] 12.6.3.1 p_cont_elem_t). */
typedef struct {
    guint16 context_id;
    RaSyntaxId abstract_syntax;
    guint n_transfer_syntaxes;
    RaSyntaxId *transfer_syntaxes;
} RaPresContext;

/* A result of a bind_ack/alter_context_resp (p_result_t). For RA_PDU_RESULT_NEGOTIATE_ACK the
 * reason field carries the accepted bind time features ([MS-RPCE] 2.2.2.4). */
typedef struct {
    guint16 result;
    guint16 reason;
    RaSyntaxId transfer_syntax;
} RaPresResult;

typedef struct {
    RaPduHeader hdr;
    union {
        struct { /* bind, alter_context */
            guint16 max_xmit_frag;
            guint16 max_recv_frag;
            guint32 assoc_group_id;
            guint n_contexts;
            RaPresContext *contexts;
        } bind;
        struct { /* bind_ack, alter_context_resp */
            guint16 max_xmit_frag;
            guint16 max_recv_frag;
            guint32 assoc_group_id;
            gchar *secondary_address; /* "135" etc.; "" when empty (alter_context_resp) */
            guint n_results;
            RaPresResult *results;
        } bind_ack;
        struct { /* bind_nak */
            guint16 reject_reason;
            guint n_versions;
            guint8 versions[16][2]; /* (major, minor); at most 16 kept */
            gboolean has_signature; /* [MS-RPCE] 2.2.2.9 extended error signature present */
            RaUuid signature;
        } bind_nak;
        struct {
            guint32 alloc_hint;
            guint16 context_id;
            guint16 opnum;
            RaUuid object; /* valid when hdr.pfc_flags has RA_PFC_OBJECT_UUID */
        } request;
        struct {
            guint32 alloc_hint;
            guint16 context_id;
            guint8 cancel_count;
        } response;
        struct {
            guint32 alloc_hint;
            guint16 context_id;
            guint8 cancel_count;
            guint8 flags; /* [MS-RPCE] 2.2.2.8: 0x01 = extended error information present */
            guint32 status;
        } fault;
    } u;
    /* request/response/fault: the stub data without auth padding. Decode: points into the PDU
     * buffer (sealed until ra_pdu_unprotect). Encode: the bytes to send (may be NULL if 0). */
    const guint8 *stub;
    gsize stub_len;
    gboolean has_auth;
    RaSecTrailer auth;
} RaPdu;

/*
 * Decodes exactly one complete PDU: len must equal frag_length. data is borrowed: pdu->stub,
 * pdu->auth.auth_value point into it. Allocated members (contexts, results, secondary address)
 * are freed by ra_pdu_clear(). On failure *pdu is cleared.
 * Checks: the header (ra_pdu_peek_header with no size limit), every count against the bytes,
 * auth_pad_length against the stub, at most 15 bytes (padding) after a bind's context list,
 * known ptype.
 */
gboolean ra_pdu_decode(const guint8 *data, gsize len, RaPdu *pdu, GError **error);
void ra_pdu_clear(RaPdu *pdu);

/* Offsets (from the start of the encoded PDU) of its parts, for signing and sealing. */
typedef struct {
    gsize start; /* offset of the PDU in the output array */
    gsize frag_length;
    gsize stub_offset;       /* request/response/fault: start of the stub */
    gsize stub_len;          /* stub plus auth padding (what PKT_PRIVACY encrypts) */
    gsize trailer_offset;    /* the sec_trailer (0 if none) */
    gsize auth_value_offset; /* the auth value (0 if none) */
} RaPduLayout;

/*
 * Appends the encoding of pdu to out. Computed, whatever pdu says: rpc_vers 5.0, drep
 * (little-endian), frag_length, auth_length and auth_pad_length. Taken from pdu: ptype,
 * pfc_flags (RA_PFC_OBJECT_UUID is set or cleared by the caller; the object is written when
 * set), call_id and the body. With has_auth, the body is padded (zeros) so that the stub length of
 * a request/response/fault is a multiple of 16 ([MS-RPCE] 2.2.2.11; Windows' choice) and the
 * sec_trailer of other PDUs starts at a multiple of 4 - which leaves a bind_ack unpadded, as
 * impacket requires. RA_ERROR_TOO_LARGE if the PDU exceeds 65535 bytes. layout may be NULL.
 */
gboolean ra_pdu_encode(const RaPdu *pdu, GByteArray *out, RaPduLayout *layout, GError **error);

/* One-line description for logs ("request call_id=3 ctx=0 opnum=5 stub=120 auth=6/10"); never
 * prints auth values or stubs. Newly allocated. */
gchar *ra_pdu_describe(const RaPdu *pdu);

/* ---- fragmentation ([C706] 12.6.2.x, [MS-RPCE] 3.3.1.5.6) ---- */

/*
 * The largest stub chunk one request (object_uuid: with an object UUID) or response fragment can
 * carry within max_frag bytes, when each fragment carries an auth value of auth_value_len bytes
 * (0: no sec_trailer). The chunk is a multiple of 16 with auth (so only the last fragment needs
 * auth padding) and of 8 without. Returns 0 if max_frag leaves no room.
 */
gsize ra_pdu_max_stub_chunk(guint8 ptype, gboolean object_uuid, guint16 max_frag,
                            gsize auth_value_len);

typedef struct {
    gsize offset; /* into the stub */
    gsize len;
    guint8 pfc_flags; /* RA_PFC_FIRST_FRAG / RA_PFC_LAST_FRAG as appropriate */
} RaPduChunk;

/* Splits stub_len bytes into chunks of at most `chunk` bytes (chunk > 0): one chunk for an empty
 * stub. Returns a newly allocated array (g_free) of *n chunks. */
RaPduChunk *ra_pdu_split(gsize stub_len, gsize chunk, guint *n);

/*
 * Reassembly of a fragmented request or response stub. Fragments are fed after decoding and, when
 * authenticated, after ra_pdu_unprotect. Checks: the first has RA_PFC_FIRST_FRAG and later ones
 * do not; call_id, ptype, context_id and (requests) opnum stay the same; the total stays within
 * max_total and the count within max_fragments (RA_ERROR_TOO_LARGE); an alloc_hint larger than
 * max_total is refused at once; memory is reserved from alloc_hint only up to 64 KiB.
 */
typedef struct RaPduReassembly RaPduReassembly;

RaPduReassembly *ra_pdu_reassembly_new(gsize max_total, guint max_fragments);
void ra_pdu_reassembly_free(RaPduReassembly *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaPduReassembly, ra_pdu_reassembly_free)
/* TRUE while fragments of a call have been added and its last has not. */
gboolean ra_pdu_reassembly_in_progress(const RaPduReassembly *r);
/* Adds a fragment (request or response). *complete is TRUE after the one with LAST_FRAG. On
 * error the reassembly is reset. */
gboolean ra_pdu_reassembly_add(RaPduReassembly *r, const RaPdu *frag, gboolean *complete,
                               GError **error);
/* After completion: the whole stub (caller unrefs) and the reassembly is reset for the next call.
 * The header fields of the first fragment stay available through ra_pdu_reassembly_first(). */
GBytes *ra_pdu_reassembly_steal(RaPduReassembly *r);
/* The first fragment's header and request/response fields (stub and auth members unset). */
const RaPdu *ra_pdu_reassembly_first(const RaPduReassembly *r);
void ra_pdu_reassembly_reset(RaPduReassembly *r);

/* ---- NTLM protection of request/response/fault PDUs ---- */

/*
 * Signs or seals an encoded PDU in place. pdu points at layout->start in the output buffer; the
 * PDU was encoded with has_auth, auth_value NULL and auth_value_len RA_NTLMSSP_SIGNATURE_SIZE.
 * auth_level PKT_PRIVACY encrypts the stub and its padding; CALL, PKT and PKT_INTEGRITY only sign.
 * The signature always covers the whole PDU from its header to the end of the sec_trailer (with
 * the plaintext stub), as Windows and impacket do for NTLM with extended session security. The
 * NTLM sequence number advances.
 */
gboolean ra_pdu_protect(guint8 *pdu, const RaPduLayout *layout, guint8 auth_level, RaNtlmssp *ntlm,
                        GError **error);

/*
 * The inverse on a received, decoded PDU: buf/len are its bytes (writable: PKT_PRIVACY decrypts
 * in place), decoded the result of ra_pdu_decode(buf, len). Fails with RA_ERROR_PROTOCOL if the
 * PDU has no sec_trailer or its auth_level is not auth_level, RA_ERROR_MALFORMED if the auth value
 * is not a signature, RA_ERROR_AUTH if the signature or the sequence number does not verify.
 * After RA_ERROR_AUTH the NTLM context is unusable (RC4 state): close the association.
 */
gboolean ra_pdu_unprotect(guint8 *buf, gsize len, RaPdu *decoded, guint8 auth_level,
                          RaNtlmssp *ntlm, GError **error);

G_END_DECLS

#endif
