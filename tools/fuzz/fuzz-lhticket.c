/*
 * Fuzz harness: the LHTICKET decrypt path ([MS-RAI] Appendix A, note <18>) and what reads its
 * output. The input is used twice:
 *  - as a ticket (when it is whole AES blocks): decrypted with a fixed password, the padding
 *    check and the UTF-16 text check must fail cleanly or give text;
 *  - as a plaintext (UTF-16LE bytes, as Windows encrypts): encrypted and decrypted again, it must
 *    come back byte for byte; read as text it either is refused as "wrong password" (not text) or
 *    goes on to the Connection String 2 parser, like a decrypted invitation.
 */
#include "ra/connstr.h"
#include "ra/error.h"
#include "ra/ticket.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char password[] = "48BJQ853X3B4";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    if (size > 0 && size % 16 == 0) {
        GBytes *plain = ra_lhticket_decrypt(data, size, password, NULL);
        if (plain != NULL)
            g_bytes_unref(plain);
    }
    GBytes *ticket = ra_lhticket_encrypt(data, size, password, NULL);
    if (ticket == NULL)
        abort();
    gsize n = 0;
    const guint8 *t = g_bytes_get_data(ticket, &n);
    GBytes *back = ra_lhticket_decrypt(t, n, password, NULL);
    if (back == NULL || g_bytes_get_size(back) != size ||
        (size > 0 && memcmp(g_bytes_get_data(back, NULL), data, size) != 0))
        abort();
    g_bytes_unref(back);
    GError *error = NULL;
    gchar *text = ra_lhticket_decrypt_text(t, n, password, &error);
    if (text != NULL) {
        RaConnStr2 *cs = ra_connstr2_parse(text, strlen(text), NULL);
        ra_connstr2_free(cs);
        g_free(text);
    } else if (!g_error_matches(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD)) {
        abort();
    }
    g_clear_error(&error);
    g_bytes_unref(ticket);
    return 0;
}
