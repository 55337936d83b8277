/*
 * Cryptographic primitives. This module is the project's only user of OpenSSL: it keeps a private
 * OSSL_LIB_CTX with the "default" and "legacy" providers loaded, so that MD4 and RC4 (NTLM, XP
 * PassStubs) work without touching the process-wide OpenSSL configuration. Nothing here is
 * hand-written cryptography.
 *
 * All functions are thread-safe. Failures of OpenSSL itself are RA_ERROR_CRYPTO.
 */
#ifndef RA_CRYPTO_H
#define RA_CRYPTO_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    RA_DIGEST_MD4,
    RA_DIGEST_MD5,
    RA_DIGEST_SHA1,
    RA_DIGEST_SHA256,
    RA_DIGEST_SHA384,
    RA_DIGEST_SHA512,
} RaDigest;

#define RA_DIGEST_MAX_SIZE 64

/* A piece of input for the vectored functions below. */
typedef struct {
    const void *data;
    gsize len;
} RaBuf;

/* Size in bytes of a digest of `alg`. */
gsize ra_digest_size(RaDigest alg);

/* out (ra_digest_size(alg) bytes) = alg(parts[0] || ... || parts[n-1]). */
gboolean ra_digestv(RaDigest alg, const RaBuf *parts, guint n, guint8 *out, GError **error);
gboolean ra_digest(RaDigest alg, const void *data, gsize len, guint8 *out, GError **error);

/* out (ra_digest_size(alg) bytes) = HMAC-alg(key, parts[0] || ... || parts[n-1]). */
gboolean ra_hmacv(RaDigest alg, const void *key, gsize key_len, const RaBuf *parts, guint n,
                  guint8 *out, GError **error);

/* RC4 keystream state; encryption and decryption are the same operation. */
typedef struct RaRc4 RaRc4;
RaRc4 *ra_rc4_new(const guint8 *key, gsize key_len, GError **error);
/* Applies the next len bytes of keystream; in and out may be the same buffer. */
gboolean ra_rc4_apply(RaRc4 *rc4, const guint8 *in, guint8 *out, gsize len, GError **error);
void ra_rc4_free(RaRc4 *rc4);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaRc4, ra_rc4_free)

/*
 * AES-128-CBC over whole blocks, no padding (callers add and check PKCS#7 themselves, so that a
 * bad padding can be reported for what it means in their context). len must be a multiple of 16;
 * out receives len bytes and may be the same buffer as in.
 */
gboolean ra_aes128_cbc(gboolean encrypt, const guint8 key[16], const guint8 iv[16],
                       const guint8 *in, gsize len, guint8 *out, GError **error);

/*
 * Random bytes. By default they come from OpenSSL's DRBG. After ra_random_set_seed() the stream is
 * deterministic (SHA-256 in counter mode over the seed), for reproducible captures and tests only.
 */
void ra_random_bytes(guint8 *buf, gsize len);
void ra_random_set_seed(const char *seed);
gboolean ra_random_is_seeded(void);

/* Constant-time comparison (signatures, MACs). */
gboolean ra_crypto_memequal(const void *a, const void *b, gsize len);

/* The parts of an X.509 certificate a user wants to see (the CE attribute of a connection
 * string). */
typedef struct {
    gchar *subject;    /* RFC 2253 form */
    gchar *issuer;     /* RFC 2253 form */
    gchar *serial;     /* uppercase hex */
    gint64 not_before; /* seconds since the Unix epoch, UTC */
    gint64 not_after;
    gchar *sha256; /* uppercase hex fingerprint of the DER */
} RaCertInfo;

/* Parses a DER certificate. RA_ERROR_MALFORMED if it is not one. */
gboolean ra_cert_info_from_der(const guint8 *der, gsize len, RaCertInfo *info, GError **error);
void ra_cert_info_clear(RaCertInfo *info);

G_END_DECLS

#endif
