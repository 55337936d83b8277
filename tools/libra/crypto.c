/*
 * Cryptographic primitives on OpenSSL 3 (see ra/crypto.h). Only this file includes OpenSSL.
 */
#include "ra/crypto.h"
#include "ra/error.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

/* A private library context, so that loading "legacy" (MD4, RC4) affects nothing else. */
static OSSL_LIB_CTX *libctx;

static gpointer init_libctx(gpointer unused)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    if (ctx == NULL)
        return NULL;
    if (OSSL_PROVIDER_load(ctx, "default") == NULL || OSSL_PROVIDER_load(ctx, "legacy") == NULL) {
        OSSL_LIB_CTX_free(ctx);
        return NULL;
    }
    libctx = ctx;
    return ctx;
}

static OSSL_LIB_CTX *get_libctx(GError **error)
{
    static GOnce once = G_ONCE_INIT;
    OSSL_LIB_CTX *ctx = g_once(&once, init_libctx, NULL);
    if (ctx == NULL)
        g_set_error(error, RA_ERROR, RA_ERROR_CRYPTO,
                    "OpenSSL: cannot load the default and legacy providers");
    return ctx;
}

static gboolean openssl_failed(GError **error, const char *what)
{
    char buf[256] = "unknown error";
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    g_set_error(error, RA_ERROR, RA_ERROR_CRYPTO, "OpenSSL: %s: %s", what, buf);
    return FALSE;
}

static const char *digest_name(RaDigest alg)
{
    switch (alg) {
    case RA_DIGEST_MD4:
        return "MD4";
    case RA_DIGEST_MD5:
        return "MD5";
    case RA_DIGEST_SHA1:
        return "SHA1";
    case RA_DIGEST_SHA256:
        return "SHA256";
    case RA_DIGEST_SHA384:
        return "SHA384";
    case RA_DIGEST_SHA512:
        return "SHA512";
    }
    g_return_val_if_reached(NULL);
}

gsize ra_digest_size(RaDigest alg)
{
    switch (alg) {
    case RA_DIGEST_MD4:
    case RA_DIGEST_MD5:
        return 16;
    case RA_DIGEST_SHA1:
        return 20;
    case RA_DIGEST_SHA256:
        return 32;
    case RA_DIGEST_SHA384:
        return 48;
    case RA_DIGEST_SHA512:
        return 64;
    }
    g_return_val_if_reached(0);
}

/* Fetched algorithms are cached per digest: fetching is the expensive part of a small digest. */
static EVP_MD *fetch_md(RaDigest alg, GError **error)
{
    static EVP_MD *cache[RA_DIGEST_SHA512 + 1];
    static GMutex lock;
    OSSL_LIB_CTX *ctx = get_libctx(error);
    if (ctx == NULL)
        return NULL;
    g_mutex_lock(&lock);
    if (cache[alg] == NULL)
        cache[alg] = EVP_MD_fetch(ctx, digest_name(alg), NULL);
    EVP_MD *md = cache[alg];
    g_mutex_unlock(&lock);
    if (md == NULL)
        openssl_failed(error, digest_name(alg));
    return md;
}

gboolean ra_digestv(RaDigest alg, const RaBuf *parts, guint n, guint8 *out, GError **error)
{
    EVP_MD *md = fetch_md(alg, error);
    if (md == NULL)
        return FALSE;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    gboolean ok = mctx != NULL && EVP_DigestInit_ex2(mctx, md, NULL) == 1;
    for (guint i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(mctx, parts[i].data, parts[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(mctx, out, NULL) == 1;
    EVP_MD_CTX_free(mctx);
    return ok ? TRUE : openssl_failed(error, "digest");
}

gboolean ra_digest(RaDigest alg, const void *data, gsize len, guint8 *out, GError **error)
{
    RaBuf part = {data, len};
    return ra_digestv(alg, &part, 1, out, error);
}

/* HMAC is fetched once, like the digests: NTLM signs every PDU with it. */
static EVP_MAC *fetch_hmac(GError **error)
{
    static EVP_MAC *cached;
    static GMutex lock;
    OSSL_LIB_CTX *ctx = get_libctx(error);
    if (ctx == NULL)
        return NULL;
    g_mutex_lock(&lock);
    if (cached == NULL)
        cached = EVP_MAC_fetch(ctx, "HMAC", NULL);
    EVP_MAC *mac = cached;
    g_mutex_unlock(&lock);
    if (mac == NULL)
        openssl_failed(error, "HMAC");
    return mac;
}

gboolean ra_hmacv(RaDigest alg, const void *key, gsize key_len, const RaBuf *parts, guint n,
                  guint8 *out, GError **error)
{
    EVP_MAC *mac = fetch_hmac(error);
    if (mac == NULL)
        return FALSE;
    EVP_MAC_CTX *mctx = EVP_MAC_CTX_new(mac);
    char name[16];
    g_strlcpy(name, digest_name(alg), sizeof name); /* OSSL_PARAM wants a mutable string */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", name, 0),
        OSSL_PARAM_construct_end(),
    };
    /* An empty key is legal for HMAC; OpenSSL wants a non-NULL pointer for it. */
    static const guint8 no_key[1];
    gboolean ok = mctx != NULL && EVP_MAC_init(mctx, key_len ? key : no_key, key_len, params) == 1;
    for (guint i = 0; ok && i < n; i++)
        ok = EVP_MAC_update(mctx, parts[i].data, parts[i].len) == 1;
    size_t out_len = 0;
    ok = ok && EVP_MAC_final(mctx, out, &out_len, ra_digest_size(alg)) == 1;
    EVP_MAC_CTX_free(mctx);
    return ok ? TRUE : openssl_failed(error, "HMAC");
}

/* Ciphers are fetched once too (a fetch costs more than a short RC4 or AES operation). */
typedef enum { CIPHER_RC4, CIPHER_AES_128_CBC } CipherId;

static EVP_CIPHER *fetch_cipher(CipherId id, GError **error)
{
    static const char *const names[] = {"RC4", "AES-128-CBC"};
    static EVP_CIPHER *cache[G_N_ELEMENTS(names)];
    static GMutex lock;
    OSSL_LIB_CTX *ctx = get_libctx(error);
    if (ctx == NULL)
        return NULL;
    g_mutex_lock(&lock);
    if (cache[id] == NULL)
        cache[id] = EVP_CIPHER_fetch(ctx, names[id], NULL);
    EVP_CIPHER *cipher = cache[id];
    g_mutex_unlock(&lock);
    if (cipher == NULL)
        openssl_failed(error, names[id]);
    return cipher;
}

struct RaRc4 {
    EVP_CIPHER_CTX *ctx;
};

RaRc4 *ra_rc4_new(const guint8 *key, gsize key_len, GError **error)
{
    EVP_CIPHER *cipher = fetch_cipher(CIPHER_RC4, error);
    if (cipher == NULL)
        return NULL;
    RaRc4 *rc4 = g_new0(RaRc4, 1);
    rc4->ctx = EVP_CIPHER_CTX_new();
    unsigned int klen = (unsigned int)key_len;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint("keylen", &klen),
        OSSL_PARAM_construct_end(),
    };
    gboolean ok = rc4->ctx != NULL && key_len > 0 && key_len <= 256 &&
                  EVP_EncryptInit_ex2(rc4->ctx, cipher, NULL, NULL, params) == 1 &&
                  EVP_EncryptInit_ex2(rc4->ctx, NULL, key, NULL, NULL) == 1;
    if (!ok) {
        openssl_failed(error, "RC4 key setup");
        ra_rc4_free(rc4);
        return NULL;
    }
    return rc4;
}

gboolean ra_rc4_apply(RaRc4 *rc4, const guint8 *in, guint8 *out, gsize len, GError **error)
{
    while (len > 0) {
        int chunk = len > G_MAXINT / 2 ? G_MAXINT / 2 : (int)len;
        int got = 0;
        if (EVP_EncryptUpdate(rc4->ctx, out, &got, in, chunk) != 1 || got != chunk)
            return openssl_failed(error, "RC4");
        in += chunk;
        out += chunk;
        len -= (gsize)chunk;
    }
    return TRUE;
}

void ra_rc4_free(RaRc4 *rc4)
{
    if (rc4 == NULL)
        return;
    EVP_CIPHER_CTX_free(rc4->ctx);
    g_free(rc4);
}

gboolean ra_aes128_cbc(gboolean encrypt, const guint8 key[16], const guint8 iv[16],
                       const guint8 *in, gsize len, guint8 *out, GError **error)
{
    if (len % 16 != 0 || len > G_MAXINT) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "AES-CBC input of %" G_GSIZE_FORMAT " bytes is not whole 16-byte blocks", len);
        return FALSE;
    }
    EVP_CIPHER *cipher = fetch_cipher(CIPHER_AES_128_CBC, error);
    if (cipher == NULL)
        return FALSE;
    EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
    int got = 0, fin = 0;
    gboolean ok = cctx != NULL &&
                  EVP_CipherInit_ex2(cctx, cipher, key, iv, encrypt ? 1 : 0, NULL) == 1 &&
                  EVP_CIPHER_CTX_set_padding(cctx, 0) == 1 &&
                  EVP_CipherUpdate(cctx, out, &got, in, (int)len) == 1 &&
                  EVP_CipherFinal_ex(cctx, out + got, &fin) == 1 && (gsize)(got + fin) == len;
    EVP_CIPHER_CTX_free(cctx);
    return ok ? TRUE : openssl_failed(error, "AES-128-CBC");
}

/* Deterministic random stream: block i = SHA-256(seed || i as 8 bytes big-endian). */
static GMutex random_lock;
static gboolean random_seeded;
static guint8 random_seed[32];
static guint64 random_counter;
static guint8 random_block[32];
static gsize random_left;

void ra_random_set_seed(const char *seed)
{
    g_mutex_lock(&random_lock);
    if (seed == NULL) {
        random_seeded = FALSE;
    } else {
        if (!ra_digest(RA_DIGEST_SHA256, seed, strlen(seed), random_seed, NULL))
            g_error("cannot hash the random seed");
        random_seeded = TRUE;
        random_counter = 0;
        random_left = 0;
    }
    g_mutex_unlock(&random_lock);
}

gboolean ra_random_is_seeded(void)
{
    g_mutex_lock(&random_lock);
    gboolean seeded = random_seeded;
    g_mutex_unlock(&random_lock);
    return seeded;
}

void ra_random_bytes(guint8 *buf, gsize len)
{
    g_mutex_lock(&random_lock);
    if (!random_seeded) {
        g_mutex_unlock(&random_lock);
        OSSL_LIB_CTX *ctx = get_libctx(NULL);
        if (ctx == NULL || RAND_bytes_ex(ctx, buf, len, 0) != 1)
            g_error("OpenSSL cannot produce random bytes");
        return;
    }
    while (len > 0) {
        if (random_left == 0) {
            guint8 counter[8];
            for (int i = 0; i < 8; i++)
                counter[i] = (guint8)(random_counter >> (56 - 8 * i));
            random_counter++;
            RaBuf parts[] = {{random_seed, sizeof random_seed}, {counter, sizeof counter}};
            if (!ra_digestv(RA_DIGEST_SHA256, parts, 2, random_block, NULL))
                g_error("cannot extend the seeded random stream");
            random_left = sizeof random_block;
        }
        gsize n = MIN(len, random_left);
        memcpy(buf, random_block + sizeof random_block - random_left, n);
        random_left -= n;
        buf += n;
        len -= n;
    }
    g_mutex_unlock(&random_lock);
}

gboolean ra_crypto_memequal(const void *a, const void *b, gsize len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

static gchar *name_to_string(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return NULL;
    gchar *result = NULL;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        result = g_strndup(data, n > 0 ? (gsize)n : 0);
    }
    BIO_free(bio);
    return result;
}

static gboolean asn1_time_to_unix(const ASN1_TIME *t, gint64 *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return FALSE;
    GDateTime *dt = g_date_time_new_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                        tm.tm_min, tm.tm_sec);
    if (dt == NULL)
        return FALSE;
    *out = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return TRUE;
}

gboolean ra_cert_info_from_der(const guint8 *der, gsize len, RaCertInfo *info, GError **error)
{
    memset(info, 0, sizeof *info);
    OSSL_LIB_CTX *ctx = get_libctx(error);
    if (ctx == NULL)
        return FALSE;
    if (len > G_MAXLONG) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "certificate too large");
        return FALSE;
    }
    X509 *cert = X509_new_ex(ctx, NULL);
    const unsigned char *p = der;
    if (cert == NULL || d2i_X509(&cert, &p, (long)len) == NULL || p != der + len) {
        X509_free(cert);
        ERR_clear_error();
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "not a DER X.509 certificate");
        return FALSE;
    }
    info->subject = name_to_string(X509_get_subject_name(cert));
    info->issuer = name_to_string(X509_get_issuer_name(cert));
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
    if (bn != NULL) {
        char *hex = BN_bn2hex(bn);
        info->serial = g_strdup(hex);
        OPENSSL_free(hex);
        BN_free(bn);
    }
    gboolean ok = asn1_time_to_unix(X509_get0_notBefore(cert), &info->not_before) &&
                  asn1_time_to_unix(X509_get0_notAfter(cert), &info->not_after);
    guint8 fp[32];
    if (ok && ra_digest(RA_DIGEST_SHA256, der, len, fp, error)) {
        GString *s = g_string_sized_new(64);
        for (gsize i = 0; i < sizeof fp; i++)
            g_string_append_printf(s, "%02X", fp[i]);
        info->sha256 = g_string_free(s, FALSE);
    } else if (!ok) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "certificate validity is unreadable");
    } else {
        ok = FALSE;
    }
    X509_free(cert);
    ERR_clear_error();
    if (!ok || info->subject == NULL || info->issuer == NULL) {
        if (ok)
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "certificate names are unreadable");
        ra_cert_info_clear(info);
        return FALSE;
    }
    return TRUE;
}

void ra_cert_info_clear(RaCertInfo *info)
{
    g_free(info->subject);
    g_free(info->issuer);
    g_free(info->serial);
    g_free(info->sha256);
    memset(info, 0, sizeof *info);
}
