/*
 * Invitation cryptography (see ra/ticket.h): LHTICKET and PassStub, on ra/crypto.h.
 */
#include "ra/ticket.h"
#include "ra/crypto.h"
#include "ra/error.h"

#include <string.h>

/* UTF-16LE bytes of UTF-8 text, no terminator. */
static guint8 *to_utf16le(const char *text, gsize *len, const char *what, GError **error)
{
    glong units = 0;
    gunichar2 *u = g_utf8_to_utf16(text, -1, NULL, &units, NULL);
    if (u == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the %s is not valid UTF-8", what);
        return NULL;
    }
    guint8 *out = g_malloc((gsize)units * 2 + 1);
    for (glong i = 0; i < units; i++) {
        out[2 * i] = (guint8)(u[i] & 0xFF);
        out[2 * i + 1] = (guint8)(u[i] >> 8);
    }
    g_free(u);
    *len = (gsize)units * 2;
    return out;
}

gboolean ra_ticket_derive_key(const char *password, guint8 key[16], guint8 *sha1, GError **error)
{
    gsize n = 0;
    guint8 *pw = to_utf16le(password, &n, "password", error);
    if (pw == NULL)
        return FALSE;
    guint8 h[20], block[64], d[20];
    gboolean ok = ra_digest(RA_DIGEST_SHA1, pw, n, h, error);
    memset(pw, 0, n);
    g_free(pw);
    if (!ok)
        return FALSE;
    /*
     * CryptDeriveKey (MSDN, Remarks): for an AES key from a non-SHA-2 hash, SHA-1 over 64 bytes of
     * 0x36 whose first bytes are XORed with the hash, then (0x5C block) a second hash appended;
     * the key is the first 16 bytes, so only the first hash matters. Not HMAC: no inner message.
     */
    memset(block, 0x36, sizeof block);
    for (int i = 0; i < 20; i++)
        block[i] ^= h[i];
    ok = ra_digest(RA_DIGEST_SHA1, block, sizeof block, d, error);
    if (ok) {
        memcpy(key, d, 16);
        if (sha1 != NULL)
            memcpy(sha1, h, 20);
    }
    memset(block, 0, sizeof block);
    memset(d, 0, sizeof d);
    memset(h, 0, sizeof h);
    return ok;
}

GBytes *ra_lhticket_decrypt(const guint8 *ticket, gsize len, const char *password, GError **error)
{
    if (len == 0 || len % 16 != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "LHTICKET is %" G_GSIZE_FORMAT " bytes, not a whole number of AES blocks", len);
        return NULL;
    }
    guint8 key[16];
    static const guint8 iv[16];
    if (!ra_ticket_derive_key(password, key, NULL, error))
        return NULL;
    guint8 *plain = g_malloc(len);
    gboolean ok = ra_aes128_cbc(FALSE, key, iv, ticket, len, plain, error);
    memset(key, 0, sizeof key);
    if (!ok) {
        g_free(plain);
        return NULL;
    }
    /* PKCS#7: the last byte n is 1-16 and the last n bytes all equal n. */
    guint8 pad = plain[len - 1];
    gboolean good = pad >= 1 && pad <= 16;
    for (guint i = 1; good && i <= pad; i++)
        good = plain[len - i] == pad;
    if (!good) {
        memset(plain, 0, len);
        g_free(plain);
        g_set_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD,
                    "wrong password (the decrypted LHTICKET has no valid padding)");
        return NULL;
    }
    return g_bytes_new_take(plain, len - pad);
}

gchar *ra_lhticket_decrypt_text(const guint8 *ticket, gsize len, const char *password,
                                GError **error)
{
    g_autoptr(GBytes) plain = ra_lhticket_decrypt(ticket, len, password, error);
    if (plain == NULL)
        return NULL;
    gsize n = 0;
    const guint8 *p = g_bytes_get_data(plain, &n);
    gchar *text = NULL;
    if (n % 2 == 0) {
        gunichar2 *u = g_new(gunichar2, n / 2 + 1);
        for (gsize i = 0; i < n / 2; i++)
            u[i] = (gunichar2)(p[2 * i] | p[2 * i + 1] << 8);
        gsize skip = n >= 2 && u[0] == 0xFEFF ? 1 : 0;
        text = g_utf16_to_utf8(u + skip, (glong)(n / 2 - skip), NULL, NULL, NULL);
        g_free(u);
    }
    const char *first = text;
    while (first != NULL && g_ascii_isspace(*first))
        first++;
    if (first == NULL || *first != '<' || memchr(text, 0, strlen(text)) != NULL) {
        g_free(text);
        g_set_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD,
                    "wrong password (the decrypted LHTICKET is not text)");
        return NULL;
    }
    return text;
}

GBytes *ra_lhticket_encrypt(const guint8 *plaintext, gsize len, const char *password,
                            GError **error)
{
    guint8 key[16];
    static const guint8 iv[16];
    if (!ra_ticket_derive_key(password, key, NULL, error))
        return NULL;
    gsize pad = 16 - len % 16;
    gsize total = len + pad;
    guint8 *buf = g_malloc(total);
    if (len > 0)
        memcpy(buf, plaintext, len);
    memset(buf + len, (int)pad, pad);
    gboolean ok = ra_aes128_cbc(TRUE, key, iv, buf, total, buf, error);
    memset(key, 0, sizeof key);
    if (!ok) {
        g_free(buf);
        return NULL;
    }
    return g_bytes_new_take(buf, total);
}

GBytes *ra_lhticket_encrypt_text(const char *text, const char *password, GError **error)
{
    gsize n = 0;
    guint8 *u = to_utf16le(text, &n, "connection string", error);
    if (u == NULL)
        return NULL;
    GBytes *result = ra_lhticket_encrypt(u, n, password, error);
    g_free(u);
    return result;
}

GBytes *ra_passstub_encrypt(const char *password, const char *passstub, GError **error)
{
    gsize pw_len = 0, stub_len = 0;
    guint8 *pw = to_utf16le(password, &pw_len, "password", error);
    if (pw == NULL)
        return NULL;
    guint8 *stub = to_utf16le(passstub, &stub_len, "PassStub", error);
    if (stub == NULL) {
        g_free(pw);
        return NULL;
    }
    guint8 key[16];
    gboolean ok = ra_digest(RA_DIGEST_MD5, pw, pw_len, key, error);
    memset(pw, 0, pw_len);
    g_free(pw);
    /* [MS-RAI] note <16>: the PassStub is prefixed with its byte count, as in a BSTR. */
    gsize total = 4 + stub_len;
    guint8 *buf = g_malloc(total);
    buf[0] = (guint8)(stub_len & 0xFF);
    buf[1] = (guint8)(stub_len >> 8 & 0xFF);
    buf[2] = (guint8)(stub_len >> 16 & 0xFF);
    buf[3] = (guint8)(stub_len >> 24 & 0xFF);
    memcpy(buf + 4, stub, stub_len);
    g_free(stub);
    RaRc4 *rc4 = ok ? ra_rc4_new(key, sizeof key, error) : NULL;
    ok = rc4 != NULL && ra_rc4_apply(rc4, buf, buf, total, error);
    ra_rc4_free(rc4);
    memset(key, 0, sizeof key);
    if (!ok) {
        g_free(buf);
        return NULL;
    }
    return g_bytes_new_take(buf, total);
}

static const char set_any[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*_";
static const char set_special_windows[] = "!@#$&^*()-+=";
static const char set_special[] = "!@#$^*()-+="; /* without '&': see ra/ticket.h */
static const char set_digit[] = "0123456789";
static const char set_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char set_lower[] = "abcdefghijklmnopqrstuvwxyz";

/* A uniformly chosen character of `set` (rejection sampling: no modulo bias). */
static char pick(const char *set)
{
    guint n = (guint)strlen(set);
    guint limit = 256 - 256 % n;
    for (;;) {
        guint8 b;
        ra_random_bytes(&b, 1);
        if (b < limit)
            return set[b % n];
    }
}

static const char *layout(guint i, gboolean windows)
{
    switch (i) {
    case 2:
        return windows ? set_special_windows : set_special;
    case 3:
        return set_digit;
    case 4:
        return set_upper;
    case 5:
        return set_lower;
    default:
        return set_any;
    }
}

gchar *ra_passstub_generate(void)
{
    gchar *s = g_malloc(RA_PASSSTUB_LENGTH + 1);
    for (guint i = 0; i < RA_PASSSTUB_LENGTH; i++)
        s[i] = pick(layout(i, FALSE));
    s[RA_PASSSTUB_LENGTH] = '\0';
    return s;
}

gboolean ra_passstub_has_windows_layout(const char *passstub)
{
    if (passstub == NULL || strlen(passstub) != RA_PASSSTUB_LENGTH)
        return FALSE;
    for (guint i = 0; i < RA_PASSSTUB_LENGTH; i++) {
        if (strchr(layout(i, TRUE), passstub[i]) == NULL)
            return FALSE;
    }
    return TRUE;
}

gchar *ra_hex_encode(const guint8 *data, gsize len)
{
    static const char digits[] = "0123456789ABCDEF";
    gchar *s = g_malloc(len * 2 + 1);
    for (gsize i = 0; i < len; i++) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 0x0F];
    }
    s[len * 2] = '\0';
    return s;
}

/* 1 + each hex digit's value, HEX_BLANK for ASCII whitespace (skipped), 0 for other bytes. */
#define HEX_BLANK 17
static const guint8 hex_table[256] = {
    ['0'] = 1,          ['1'] = 2,          ['2'] = 3,          ['3'] = 4,
    ['4'] = 5,          ['5'] = 6,          ['6'] = 7,          ['7'] = 8,
    ['8'] = 9,          ['9'] = 10,         ['A'] = 11,         ['B'] = 12,
    ['C'] = 13,         ['D'] = 14,         ['E'] = 15,         ['F'] = 16,
    ['a'] = 11,         ['b'] = 12,         ['c'] = 13,         ['d'] = 14,
    ['e'] = 15,         ['f'] = 16,         [' '] = HEX_BLANK,  ['\t'] = HEX_BLANK,
    ['\n'] = HEX_BLANK, ['\r'] = HEX_BLANK, ['\f'] = HEX_BLANK,
};

GBytes *ra_hex_decode(const char *hex, const char *what, GError **error)
{
    gsize n = strlen(hex);
    guint8 *out = g_malloc(n / 2 + 1);
    gsize digits = 0;
    for (gsize i = 0; i < n; i++) {
        int v = hex_table[(guchar)hex[i]] - 1;
        if (v == HEX_BLANK - 1)
            continue;
        if (v < 0) {
            g_free(out);
            if ((guchar)hex[i] >= 0x20 && (guchar)hex[i] < 0x7F)
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                            "%s has a non-hex character '%c' at position %" G_GSIZE_FORMAT, what,
                            hex[i], i + 1);
            else
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                            "%s has a non-hex byte 0x%02X at position %" G_GSIZE_FORMAT, what,
                            (guchar)hex[i], i + 1);
            return NULL;
        }
        if (digits % 2 == 0)
            out[digits / 2] = (guint8)(v << 4);
        else
            out[digits / 2] |= (guint8)v;
        digits++;
    }
    if (digits % 2 != 0) {
        g_free(out);
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "%s has an odd number of hex digits (%" G_GSIZE_FORMAT ")", what, digits);
        return NULL;
    }
    return g_bytes_new_take(out, digits / 2);
}
