/*
 * A passive observer of one connection-oriented DCE/RPC association ([C706] ch. 12, [MS-RPCE]
 * 2.2.2, 3.3) as a capture shows it, for `ratool analyze`: it takes the two byte streams of a TCP
 * connection (ra/tcpreasm.h) and reports what happened in them -
 *  - binds and alter_contexts with their answers (interfaces accepted or refused, bind_nak
 *    reasons, faults),
 *  - NTLM handshakes ([MS-NLMP]): who authenticated (domain\user, workstation, from the
 *    AUTHENTICATE, which travels in clear) and which of the secrets given is the account's, found
 *    by checking the NTLMv2 response (ra_ntlmssp_observe(), never by trying to decrypt),
 *  - calls: interface, opnum, object (IPID), fault or response, each stub reassembled from its
 *    fragments and, for PKT_PRIVACY, decrypted with the keys of its security context (and for
 *    PKT_INTEGRITY its signature verified) when a secret matched,
 *  - and notes on everything unusual: malformed PDUs, bytes lost in a gap and where the stream was
 *    picked up again, sealed data without a key, signatures that do not verify.
 *
 * == Streams and gaps ==
 * Each direction is framed into PDUs by their frag_length. After a gap the observer knows where
 * the next PDU starts when the gap ended inside the PDU being read (its length is known);
 * otherwise it looks for the next plausible PDU header. A PDU damaged by a gap is dropped and the
 * call it belonged to is reported with its stub missing; sealed traffic after a gap cannot be
 * decrypted any more on that security context and direction (the RC4 stream and the sequence
 * numbers run on across PDUs), which a note says.
 *
 * == Roles ==
 * The client is the side that opened the connection (ra_rpc_observer_set_client(), from the SYN)
 * or, when that was not captured, the side whose first PDU is one only a client sends.
 *
 * == Limits ==
 * At most RA_OBS_MAX_CALLS outstanding calls, RA_OBS_MAX_AUTH security contexts and
 * RA_OBS_MAX_STUB stub bytes buffered per connection (a stub over it is reported as too large
 * and not kept); one PDU buffer per direction (at most 64 KiB). Bytes that are not DCE/RPC make
 * the observer give up the connection (ra_rpc_observer_is_rpc() says FALSE) and drop its buffers.
 *
 * Callbacks run synchronously from ra_rpc_observer_data()/_gap()/_finish(); the structures they
 * receive are valid during the callback only. Not thread-safe.
 */
#ifndef RA_RPCOBSERVE_H
#define RA_RPCOBSERVE_H

#include "ra/pdu.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

#define RA_OBS_MAX_CALLS 64
#define RA_OBS_MAX_AUTH  256
#define RA_OBS_MAX_STUB  (4u * 1024 * 1024)

/* A secret to try on handshakes: the NT hash of a password, or one given as such. */
typedef struct {
    guint8 nt_hash[16];
    const char *label; /* how reports name it: "password 1", "NT hash 2" (never the secret) */
} RaObsSecret;

/* Where in the capture something happened: the packet that completed it. */
typedef struct {
    guint64 frame;
    gint64 time_ns; /* since 1970 */
} RaObsStamp;

/* ---- security contexts ---- */

typedef enum {
    RA_OBS_KEY_NONE,        /* no secret given */
    RA_OBS_KEY_MATCHED,     /* secret[secret] is the account's: traffic can be decrypted */
    RA_OBS_KEY_NO_MATCH,    /* none of the secrets is the account's */
    RA_OBS_KEY_INCOMPLETE,  /* the handshake is not all in the capture: cannot check */
    RA_OBS_KEY_UNSUPPORTED, /* NTLMv1, no extended session security, a malformed message... */
} RaObsKeyState;

typedef struct {
    guint32 auth_context_id;
    guint8 auth_type;  /* RA_AUTH_TYPE_* of the bind */
    guint8 auth_level; /* RA_AUTH_LEVEL_* of the bind */
    gboolean has_negotiate, has_challenge, has_authenticate;
    RaObsStamp started;       /* the bind or alter_context that carried the NEGOTIATE */
    RaObsStamp authenticated; /* the AUTHENTICATE */
    /* From the AUTHENTICATE (UTF-8; NULL until it is seen). */
    gchar *domain;
    gchar *user;
    gchar *workstation;
    guint32 flags; /* negotiated (AUTHENTICATE) */
    gboolean ntlmv2;
    RaObsKeyState key;
    int secret;      /* index into the secrets when key is RA_OBS_KEY_MATCHED, else -1 */
    const char *why; /* for INCOMPLETE/UNSUPPORTED: what is missing or wrong (static or owned) */
} RaObsAuth;

/* ---- binds ---- */

typedef struct {
    guint16 context_id;
    RaSyntaxId abstract_syntax;
    gboolean answered;
    guint16 result; /* RA_PDU_RESULT_* */
    guint16 reason; /* RA_PDU_REASON_* */
} RaObsContext;

typedef struct {
    guint8 ptype; /* RA_PDU_BIND or RA_PDU_ALTER_CONTEXT */
    guint32 call_id;
    RaObsStamp stamp;
    guint n_contexts;
    RaObsContext *contexts;
    const RaObsAuth *auth; /* the security context the bind starts or continues, or NULL */
    /* The answer. */
    gboolean answered;
    guint8 answer_ptype; /* bind_ack, bind_nak, alter_context_resp, fault */
    RaObsStamp answer_stamp;
    guint16 nak_reason;    /* bind_nak */
    guint32 fault_status;  /* fault */
    guint16 max_xmit_frag; /* bind_ack */
    guint16 max_recv_frag;
    guint32 assoc_group_id;
} RaObsBind;

/* ---- calls ---- */

typedef enum {
    RA_OBS_STUB_NONE,          /* no such PDU seen (no request, or no response yet) */
    RA_OBS_STUB_CLEAR,         /* sent in clear (or at PKT_INTEGRITY, read without a key) */
    RA_OBS_STUB_VERIFIED,      /* signed, and the signature verified with the matched key */
    RA_OBS_STUB_DECRYPTED,     /* sealed (PKT_PRIVACY) and decrypted with the matched key */
    RA_OBS_STUB_SEALED,        /* sealed, and no key: not readable */
    RA_OBS_STUB_BAD_SIGNATURE, /* the signature or decryption did not verify */
    RA_OBS_STUB_MISSING,       /* fragments were lost in a gap */
    RA_OBS_STUB_TOO_LARGE,     /* over RA_OBS_MAX_STUB */
} RaObsStubState;

/* "clear", "decrypted", ... (static). */
const char *ra_obs_stub_state_name(RaObsStubState state);

typedef struct {
    RaObsStubState state;
    const guint8 *data; /* the whole stub when state is CLEAR, VERIFIED or DECRYPTED, else NULL */
    gsize len;
    gsize wire_len; /* stub bytes on the wire (sealed or not), over every fragment */
    guint fragments;
    RaObsStamp first, last;
} RaObsStub;

typedef struct {
    guint32 call_id;
    guint16 context_id;
    const RaSyntaxId *iface; /* the abstract syntax bound to context_id, or NULL if unknown */
    gboolean has_opnum;      /* FALSE when only the response was captured */
    guint16 opnum;
    gboolean has_object;
    RaUuid object; /* PFC_OBJECT_UUID: the IPID of a DCOM call */
    guint8 auth_level;
    const RaObsAuth *auth; /* the security context of the request (or response), or NULL */
    RaObsStub request;
    RaObsStub response;
    gboolean fault;
    guint32 fault_status;
    gboolean answered; /* a response or fault completed the call */
} RaObsCall;

/* ---- notes ---- */

typedef enum {
    RA_OBS_NOTE_NOT_RPC,         /* the connection does not carry DCE/RPC */
    RA_OBS_NOTE_MALFORMED_PDU,   /* a PDU that does not decode (dropped) */
    RA_OBS_NOTE_GAP,             /* bytes lost in the stream */
    RA_OBS_NOTE_RESYNC,          /* bytes skipped to find the next PDU after a gap */
    RA_OBS_NOTE_SEALED,          /* sealed PDUs without a key (once per security context) */
    RA_OBS_NOTE_BAD_SIGNATURE,   /* a signature or decryption that did not verify */
    RA_OBS_NOTE_UNKNOWN_CONTEXT, /* a request on a presentation context whose bind was not seen */
    RA_OBS_NOTE_UNKNOWN_AUTH,    /* a protected PDU on a security context whose handshake was
                                  * not seen */
    RA_OBS_NOTE_LIMIT,           /* a limit of this observer was reached */
    RA_OBS_NOTE_PROTOCOL,        /* out-of-order fragments, a response to no request, ... */
} RaObsNoteCode;

typedef struct {
    void (*bind)(const RaObsBind *bind, gpointer user_data);
    void (*auth)(const RaObsAuth *auth, gpointer user_data);
    void (*call)(const RaObsCall *call, gpointer user_data);
    void (*note)(RaObsNoteCode code, gboolean from_client, const RaObsStamp *at, const char *text,
                 gpointer user_data);
} RaObsFuncs;

typedef struct {
    const RaObsSecret *secrets; /* borrowed; may be NULL */
    guint n_secrets;
    RaObsFuncs funcs;
    gpointer user_data;
} RaObsConfig;

typedef struct RaRpcObserver RaRpcObserver;

RaRpcObserver *ra_rpc_observer_new(const RaObsConfig *config);
void ra_rpc_observer_free(RaRpcObserver *obs);
/* Side 0 or 1 (the caller's numbering of the two directions) opened the connection, and its
 * start was captured (the SYN): each direction must then begin with a PDU, else the connection
 * is not DCE/RPC. Without this call the observer looks for a first PDU (a capture that begins
 * inside the connection) in up to 256 KiB. */
void ra_rpc_observer_set_client(RaRpcObserver *obs, int side);
/* The side that is the client, or -1 while unknown. */
int ra_rpc_observer_client(const RaRpcObserver *obs);
/* Bytes of one direction, in order. */
void ra_rpc_observer_data(RaRpcObserver *obs, int side, const guint8 *data, gsize len,
                          const RaObsStamp *at);
/* `missing` bytes of that direction were lost. */
void ra_rpc_observer_gap(RaRpcObserver *obs, int side, guint32 missing, const RaObsStamp *at);
/* The connection is over (or the capture ended): reports what is left (unanswered binds and
 * calls, PDUs cut off, handshakes that never completed). Later input is ignored. */
void ra_rpc_observer_finish(RaRpcObserver *obs, const RaObsStamp *at);
/* FALSE once bytes that are not DCE/RPC were seen (and nothing is reported any more); TRUE once a
 * valid PDU was seen; undecided (TRUE) before any byte. */
gboolean ra_rpc_observer_is_rpc(const RaRpcObserver *obs);
/* Number of valid PDUs seen. */
guint64 ra_rpc_observer_pdus(const RaRpcObserver *obs);

G_END_DECLS

#endif
