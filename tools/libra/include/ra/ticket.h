/*
 * The cryptography of Remote Assistance invitations ([MS-RAI] Appendix A, notes <16> and <18>;
 * their Figures 2 and 3, lost from the rev 5.0 text, showed what is described here), on
 * ra/crypto.h only:
 *
 *  - LHTICKET (type 2, Windows Vista and later): the Connection String 2 as UTF-16LE, encrypted
 *    with AES-128-CBC, a zero IV and PKCS#7 padding under a key derived from the password as
 *    CryptDeriveKey(CALG_AES_128) derives it from a CALG_SHA1 hash: h = SHA-1(UTF-16LE password),
 *    key = the first 16 bytes of SHA-1((64 bytes of 0x36) with its first 20 bytes XORed with h).
 *    Written into the file as uppercase hex.
 *  - PassStub (both types; what the expert proves it knows, and the PASS= of the MS-RA expert
 *    blob): RC4 keyed with MD5(UTF-16LE password) over a 4-byte little-endian byte count followed
 *    by the UTF-16LE PassStub (a BSTR's layout, [MS-DTYP] 2.2.5).
 *
 * Passwords and PassStubs are UTF-8 strings; they are hashed as UTF-16LE without a terminator.
 * A password that is not UTF-8 is RA_ERROR_MALFORMED. Failures of OpenSSL are RA_ERROR_CRYPTO.
 */
#ifndef RA_TICKET_H
#define RA_TICKET_H

#include <glib.h>

G_BEGIN_DECLS

#define RA_PASSSTUB_LENGTH 14 /* characters in a PassStub Windows generates */

/* key = the LHTICKET AES-128 key for `password`. sha1 (optional, 20 bytes) receives h. */
gboolean ra_ticket_derive_key(const char *password, guint8 key[16], guint8 *sha1, GError **error);

/*
 * Decrypts a raw (hex-decoded) LHTICKET and checks and strips its PKCS#7 padding. Returns the
 * plaintext, UTF-16LE bytes. Errors: RA_ERROR_MALFORMED when len is 0 or not a multiple of 16;
 * RA_ERROR_WRONG_PASSWORD when the padding is not valid PKCS#7 (what a wrong password almost
 * always gives).
 */
GBytes *ra_lhticket_decrypt(const guint8 *ticket, gsize len, const char *password, GError **error);

/*
 * ra_lhticket_decrypt(), then the plaintext as UTF-8 text: a leading BOM is dropped, nothing else
 * is changed (Windows' text ends "</E>" CR LF). RA_ERROR_WRONG_PASSWORD also when the plaintext
 * is not UTF-16 or does not start with '<' (garbled text behind a padding that happened to look
 * valid). Returns a new string.
 */
gchar *ra_lhticket_decrypt_text(const guint8 *ticket, gsize len, const char *password,
                                GError **error);

/* Encrypts `len` bytes (UTF-16LE text) into an LHTICKET: PKCS#7 padding, AES-128-CBC, zero IV. */
GBytes *ra_lhticket_encrypt(const guint8 *plaintext, gsize len, const char *password,
                            GError **error);
/* Encrypts UTF-8 text as Windows does: converted to UTF-16LE, no BOM, no terminator. */
GBytes *ra_lhticket_encrypt_text(const char *text, const char *password, GError **error);

/* The encrypted PassStub: 4 + 2 * (UTF-16 length) bytes (32 for a Windows PassStub). */
GBytes *ra_passstub_encrypt(const char *password, const char *passstub, GError **error);

/*
 * A new PassStub in Windows' layout, from ra_random_bytes() (uniform choices, no modulo bias):
 * characters 1-2 and 7-14 from [A-Za-z0-9*_], 3 from "!@#$^*()-+=", 4 a digit, 5 an uppercase
 * and 6 a lowercase letter. Windows also uses '&' at position 3; we never do, because FreeRDP 2.x
 * reads "&amp;" in the file literally and would then encrypt the wrong PassStub.
 */
gchar *ra_passstub_generate(void);
/* Whether `passstub` has Windows' layout (with '&' allowed at position 3). */
gboolean ra_passstub_has_windows_layout(const char *passstub);

/* Uppercase hex of `len` bytes. */
gchar *ra_hex_encode(const guint8 *data, gsize len);
/*
 * Decodes hex digits (either case); ASCII whitespace between digits is skipped (the spec's
 * samples wrap lines). RA_ERROR_MALFORMED, naming the position, on any other character or an odd
 * number of digits. `what` names the value in messages ("LHTICKET").
 */
GBytes *ra_hex_decode(const char *hex, const char *what, GError **error);

G_END_DECLS

#endif
