/*
 * NTLMSSP ([MS-NLMP]): the NEGOTIATE/CHALLENGE/AUTHENTICATE messages, a client and a server state
 * machine for NTLMv2 with extended session security, key exchange and 128-bit keys, and message
 * integrity and confidentiality (sign, seal, verify, unseal) with per-direction keys, RC4 states
 * and sequence numbers, as DCE/RPC uses them (connection-oriented: the RC4 state runs on across
 * messages).
 *
 * Every primitive goes through ra/crypto.h (OpenSSL). Secrets (passwords, NT hashes, keys) are
 * never logged or put in error messages, and are wiped when the context is freed.
 *
 * Errors: RA_ERROR_MALFORMED (a message breaks [MS-NLMP] 2.2), RA_ERROR_UNSUPPORTED (NTLMv1,
 * no extended session security, anonymous, OEM strings that are not ASCII...), RA_ERROR_PROTOCOL
 * (a message out of order, or negotiated flags below what is required), RA_ERROR_AUTH (wrong
 * password or unknown account - one message for both -, bad MIC, bad signature, wrong sequence
 * number), RA_ERROR_CRYPTO (OpenSSL failed).
 *
 * A context is not thread-safe; one per association (or per security context of one).
 */
#ifndef RA_NTLMSSP_H
#define RA_NTLMSSP_H

#include "ra/crypto.h"
#include "ra/error.h"

#include <glib.h>

G_BEGIN_DECLS

/* ---- NegotiateFlags ([MS-NLMP] 2.2.2.5) ---- */
#define RA_NTLMSSP_NEGOTIATE_UNICODE                  0x00000001u
#define RA_NTLMSSP_NEGOTIATE_OEM                      0x00000002u
#define RA_NTLMSSP_REQUEST_TARGET                     0x00000004u
#define RA_NTLMSSP_NEGOTIATE_SIGN                     0x00000010u
#define RA_NTLMSSP_NEGOTIATE_SEAL                     0x00000020u
#define RA_NTLMSSP_NEGOTIATE_DATAGRAM                 0x00000040u
#define RA_NTLMSSP_NEGOTIATE_LM_KEY                   0x00000080u
#define RA_NTLMSSP_NEGOTIATE_NTLM                     0x00000200u
#define RA_NTLMSSP_ANONYMOUS                          0x00000800u
#define RA_NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED      0x00001000u
#define RA_NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define RA_NTLMSSP_NEGOTIATE_ALWAYS_SIGN              0x00008000u
#define RA_NTLMSSP_TARGET_TYPE_DOMAIN                 0x00010000u
#define RA_NTLMSSP_TARGET_TYPE_SERVER                 0x00020000u
#define RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define RA_NTLMSSP_NEGOTIATE_IDENTIFY                 0x00100000u
#define RA_NTLMSSP_REQUEST_NON_NT_SESSION_KEY         0x00400000u
#define RA_NTLMSSP_NEGOTIATE_TARGET_INFO              0x00800000u
#define RA_NTLMSSP_NEGOTIATE_VERSION                  0x02000000u
#define RA_NTLMSSP_NEGOTIATE_128                      0x20000000u
#define RA_NTLMSSP_NEGOTIATE_KEY_EXCH                 0x40000000u
#define RA_NTLMSSP_NEGOTIATE_56                       0x80000000u

/* What our client asks for: UNICODE|REQUEST_TARGET|SIGN|SEAL|NTLM|ALWAYS_SIGN|ESS|TARGET_INFO|
 * VERSION|128|KEY_EXCH|56 = 0xe2888235 (the flags of [MS-NLMP] 4.2.4's AUTHENTICATE). */
#define RA_NTLMSSP_CLIENT_DEFAULT_FLAGS 0xe2888235u
/* What our server requires of a client by default: NTLM, extended session security, 128-bit. */
#define RA_NTLMSSP_SERVER_DEFAULT_REQUIRED                                       \
    (RA_NTLMSSP_NEGOTIATE_NTLM | RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | \
     RA_NTLMSSP_NEGOTIATE_128)

/* ---- AV pairs ([MS-NLMP] 2.2.2.1) ---- */
#define RA_MSV_AV_EOL               0
#define RA_MSV_AV_NB_COMPUTER_NAME  1
#define RA_MSV_AV_NB_DOMAIN_NAME    2
#define RA_MSV_AV_DNS_COMPUTER_NAME 3
#define RA_MSV_AV_DNS_DOMAIN_NAME   4
#define RA_MSV_AV_DNS_TREE_NAME     5
#define RA_MSV_AV_FLAGS             6
#define RA_MSV_AV_TIMESTAMP         7
#define RA_MSV_AV_SINGLE_HOST       8
#define RA_MSV_AV_TARGET_NAME       9
#define RA_MSV_AV_CHANNEL_BINDINGS  10
/* MsvAvFlags bits. */
#define RA_MSV_AV_FLAG_CONSTRAINED   0x1u
#define RA_MSV_AV_FLAG_MIC_PRESENT   0x2u
#define RA_MSV_AV_FLAG_SPN_UNTRUSTED 0x4u

/* The AV pairs this code understands; others are kept only in the raw bytes. */
typedef struct {
    gchar *nb_computer; /* UTF-8; NULL when absent */
    gchar *nb_domain;
    gchar *dns_computer;
    gchar *dns_domain;
    gchar *dns_tree;
    gchar *target_name;
    gboolean has_flags;
    guint32 flags;
    gboolean has_timestamp;
    guint64 timestamp; /* FILETIME: 100 ns since 1601-01-01 UTC */
    gboolean has_channel_bindings;
    guint8 channel_bindings[16];
} RaNtlmTargetInfo;

/* Parses an AV pair list: each pair within the bytes, names valid UTF-16, fixed-size pairs of
 * the right size, ending with MsvAvEOL (bytes after it are ignored). */
gboolean ra_ntlm_target_info_parse(const guint8 *data, gsize len, RaNtlmTargetInfo *info,
                                   GError **error);
/* Encodes the set members in Windows' order (NbDomain, NbComputer, DnsDomain, DnsComputer,
 * DnsTree, Flags, Timestamp, SingleHost-less, TargetName, ChannelBindings) and MsvAvEOL. */
GBytes *ra_ntlm_target_info_build(const RaNtlmTargetInfo *info);
void ra_ntlm_target_info_clear(RaNtlmTargetInfo *info);

/* ---- messages ([MS-NLMP] 2.2.1) ---- */

/* The 8-byte VERSION structure (2.2.2.10). */
typedef struct {
    guint8 major, minor;
    guint16 build;
    guint8 revision; /* NTLMSSP_REVISION_W2K3 = 0x0f */
} RaNtlmVersion;

typedef struct {
    guint32 flags;
    gchar *domain;      /* OEM (ASCII) when supplied, else NULL */
    gchar *workstation; /* idem */
    gboolean has_version;
    RaNtlmVersion version;
} RaNtlmNegotiate;

typedef struct {
    guint32 flags;
    gchar
        *target_name; /* UTF-8 (UTF-16 when UNICODE was negotiated, OEM otherwise); NULL if empty */
    guint8 server_challenge[8];
    guint8 *target_info; /* raw AV pairs (parse with ra_ntlm_target_info_parse) */
    gsize target_info_len;
    gboolean has_version;
    RaNtlmVersion version;
} RaNtlmChallenge;

typedef struct {
    guint32 flags;
    guint8 *lm_response;
    gsize lm_response_len;
    guint8 *nt_response;
    gsize nt_response_len;
    gchar *domain; /* UTF-8; "" when empty */
    gchar *user;
    gchar *workstation;
    guint8 *session_key; /* EncryptedRandomSessionKey (with KEY_EXCH) */
    gsize session_key_len;
    gboolean has_version;
    RaNtlmVersion version;
    /* Decode: a MIC is there when every payload field starts at or after offset 88. Encode: the
     * MIC field is written (zeros if mic is all zero) when has_mic. */
    gboolean has_mic;
    guint8 mic[16];
} RaNtlmAuthenticate;

/* Decode: the signature "NTLMSSP\0", the message type, every (len, offset) field within the
 * message, strings valid in their encoding. Outputs are g_malloc()ed; the _clear functions free
 * them (and wipe response and key bytes). */
gboolean ra_ntlm_negotiate_decode(const guint8 *data, gsize len, RaNtlmNegotiate *msg,
                                  GError **error);
gboolean ra_ntlm_challenge_decode(const guint8 *data, gsize len, RaNtlmChallenge *msg,
                                  GError **error);
gboolean ra_ntlm_authenticate_decode(const guint8 *data, gsize len, RaNtlmAuthenticate *msg,
                                     GError **error);
/* Encode: payload fields in the order Windows writes them (domain, user, workstation, LM, NT,
 * session key for AUTHENTICATE). The version is written when RA_NTLMSSP_NEGOTIATE_VERSION is in
 * msg->flags. Strings go as UTF-16LE when UNICODE is in the flags, else as OEM (must be ASCII). */
GBytes *ra_ntlm_negotiate_encode(const RaNtlmNegotiate *msg, GError **error);
GBytes *ra_ntlm_challenge_encode(const RaNtlmChallenge *msg, GError **error);
GBytes *ra_ntlm_authenticate_encode(const RaNtlmAuthenticate *msg, GError **error);
void ra_ntlm_negotiate_clear(RaNtlmNegotiate *msg);
void ra_ntlm_challenge_clear(RaNtlmChallenge *msg);
void ra_ntlm_authenticate_clear(RaNtlmAuthenticate *msg);

/* ---- one-way functions ([MS-NLMP] 3.3.1, 3.3.2) ---- */

/* NT hash = MD4(UTF-16LE(password)). password is UTF-8. */
gboolean ra_ntlm_nt_hash(const char *password, guint8 out[16], GError **error);
/* NTOWFv2 = HMAC_MD5(nt_hash, UTF-16LE(Uppercase(user) || domain)). */
gboolean ra_ntlm_ntowfv2(const guint8 nt_hash[16], const char *user, const char *domain,
                         guint8 out[16], GError **error);
/* Current time as a FILETIME. */
guint64 ra_ntlm_filetime_now(void);

/* ---- the security context ---- */

typedef struct RaNtlmssp RaNtlmssp;

typedef struct {
    const char *user;        /* UTF-8, required */
    const char *domain;      /* UTF-8; NULL or "" for none */
    const char *password;    /* UTF-8; or NULL and nt_hash set */
    const guint8 *nt_hash;   /* 16 bytes; used when password is NULL */
    const char *workstation; /* UTF-8 NetBIOS name sent in AUTHENTICATE; NULL for none */
    guint32 flags;           /* 0 means RA_NTLMSSP_CLIENT_DEFAULT_FLAGS */
    /* Known-answer tests only; leave NULL: */
    const guint64 *fixed_time;            /* FILETIME if the CHALLENGE has no MsvAvTimestamp */
    const guint8 *fixed_client_challenge; /* 8 bytes */
    const guint8 *fixed_session_key;      /* 16 bytes (ExportedSessionKey with KEY_EXCH) */
    const RaNtlmVersion *version;         /* NULL: 6.1.7600 revision 15 */
} RaNtlmClientConfig;

/*
 * The server's account database: fills nt_hash with MD4(UTF-16LE(password)) of domain\user and
 * returns TRUE, or returns FALSE if there is no such account. domain and user are as the client
 * sent them (domain may be ""); matching rules (case, default domain) are the callback's.
 */
typedef gboolean (*RaNtlmLookupFunc)(const char *domain, const char *user, guint8 nt_hash[16],
                                     gpointer user_data);

typedef struct {
    const char *nb_computer;  /* MsvAvNbComputerName: required (impacket fails without it) */
    const char *nb_domain;    /* MsvAvNbDomainName: required */
    const char *dns_computer; /* optional DNS names */
    const char *dns_domain;
    const char *dns_tree;
    RaNtlmLookupFunc lookup;
    gpointer lookup_data;
    guint32 required_flags; /* 0 means RA_NTLMSSP_SERVER_DEFAULT_REQUIRED */
    /* Known-answer tests only; leave NULL: */
    const guint64 *fixed_time;     /* MsvAvTimestamp (NULL: now) */
    const guint8 *fixed_challenge; /* 8 bytes */
} RaNtlmServerConfig;

/* Copies what it needs from config (secrets into memory wiped on free). RA_ERROR_UNSUPPORTED for
 * flags without NTLM and extended session security; RA_ERROR_CRYPTO on OpenSSL failure. */
RaNtlmssp *ra_ntlmssp_client_new(const RaNtlmClientConfig *config, GError **error);
RaNtlmssp *ra_ntlmssp_server_new(const RaNtlmServerConfig *config, GError **error);
void ra_ntlmssp_free(RaNtlmssp *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaNtlmssp, ra_ntlmssp_free)

/*
 * One step of the handshake. *out receives the token to send (a new GBytes) or NULL when there is
 * none.
 *  client: step(NULL) -> NEGOTIATE; step(CHALLENGE) -> AUTHENTICATE, and the context is
 *          established (the client cannot know whether the server accepted it).
 *  server: step(NEGOTIATE) -> CHALLENGE (with a fresh challenge, the configured names and
 *          MsvAvTimestamp); step(AUTHENTICATE) -> no token, established, or RA_ERROR_AUTH.
 * The server accepts only NTLMv2 responses (NTProofStr checked in constant time against the
 * account's hash, per [MS-NLMP] 3.3.2), checks the MIC when MsvAvFlags says one is present, and
 * refuses anonymous logons and flags below required_flags. The timestamp inside the NTLMv2 blob
 * is not compared with the clock (the server challenge is fresh for every handshake, so an old
 * AUTHENTICATE cannot be replayed). Any error leaves the context failed.
 */
gboolean ra_ntlmssp_step(RaNtlmssp *ctx, const guint8 *in, gsize in_len, GBytes **out,
                         GError **error);
gboolean ra_ntlmssp_is_established(const RaNtlmssp *ctx);
/* The negotiated flags (after the CHALLENGE for a client, after the AUTHENTICATE for a server). */
guint32 ra_ntlmssp_flags(const RaNtlmssp *ctx);
/* The authenticated (server) or configured (client) names, UTF-8, owned by ctx; "" if unknown. */
const char *ra_ntlmssp_user(const RaNtlmssp *ctx);
const char *ra_ntlmssp_domain(const RaNtlmssp *ctx);
const char *ra_ntlmssp_workstation(const RaNtlmssp *ctx);

/* Session keys ([MS-NLMP] 3.4.5), exposed for known-answer tests only. Never log them. */
typedef struct {
    guint8 exported_session_key[16];
    guint8 client_sign_key[16];
    guint8 server_sign_key[16];
    guint8 client_seal_key[16]; /* MD5 of 16, 7 or 5 key bytes (128/56/40-bit) + constant */
    guint8 server_seal_key[16];
} RaNtlmKeys;
gboolean ra_ntlmssp_get_keys(const RaNtlmssp *ctx, RaNtlmKeys *keys);

/* ---- integrity and confidentiality ([MS-NLMP] 3.4) ---- */

#define RA_NTLMSSP_SIGNATURE_SIZE 16

/*
 * The message is the concatenation of parts (several buffers so that callers can sign a PDU
 * whose pieces are not contiguous). With extended session security the 16-byte signature is
 * version 1, the first 8 bytes of HMAC_MD5(SignKey, SeqNum || message) (RC4-encrypted with the
 * sealing state when KEY_EXCH was negotiated), SeqNum. Each call uses and advances the sequence
 * number of its direction (sign/seal: ours; verify/unseal: the peer's).
 *
 * seal: computes the signature over parts (which may include data, read as plaintext), then
 * encrypts data in place (RC4 stream: data, then the checksum).
 * unseal: decrypts data in place, then verifies the signature over parts (now plaintext).
 * verify/unseal fail with RA_ERROR_AUTH when the checksum or the sequence number differs (a
 * replayed, reordered or tampered message); RA_ERROR_MALFORMED for a signature that is not 16
 * bytes with version 1. After such a failure the peer's RC4 state is out of step: the caller must
 * drop the context. RA_ERROR_PROTOCOL if the context is not established or sealing was not
 * negotiated.
 */
gboolean ra_ntlmssp_sign(RaNtlmssp *ctx, const RaBuf *parts, guint n_parts,
                         guint8 signature[RA_NTLMSSP_SIGNATURE_SIZE], GError **error);
gboolean ra_ntlmssp_verify(RaNtlmssp *ctx, const RaBuf *parts, guint n_parts,
                           const guint8 *signature, gsize signature_len, GError **error);
gboolean ra_ntlmssp_seal(RaNtlmssp *ctx, guint8 *data, gsize len, const RaBuf *parts, guint n_parts,
                         guint8 signature[RA_NTLMSSP_SIGNATURE_SIZE], GError **error);
gboolean ra_ntlmssp_unseal(RaNtlmssp *ctx, guint8 *data, gsize len, const RaBuf *parts,
                           guint n_parts, const guint8 *signature, gsize signature_len,
                           GError **error);

G_END_DECLS

#endif
