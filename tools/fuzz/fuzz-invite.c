/*
 * Fuzz harness: invitation files (encoding detection, XML, UPLOADINFO/UPLOADDATA, RCTICKET) and
 * the password step (LHTICKET decryption, PassStub encryption, cross-check). Every parsed input is
 * decrypted with the password of the freerdp-invite-type2 seeds, so that mutations of their
 * UPLOADDATA keep a decryptable ticket and reach the Connection String 2 parser behind it.
 */
#include "ra/invite.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RaInvite *inv = ra_invite_parse(data, size, NULL);
    if (inv == NULL)
        return 0;
    /* The password of the freerdp-invite-type2 seeds (plain, UTF-16LE with a BOM, UTF-16BE). */
    (void)ra_invite_decrypt(inv, "48BJQ853X3B4", NULL);
    (void)ra_invite_is_valid_at(inv, 0);
    if (inv->cs2 != NULL) {
        gchar *rc = ra_invite_rcticket_from_cs2(inv->cs2);
        g_free(rc);
    }
    ra_invite_free(inv);
    return 0;
}
