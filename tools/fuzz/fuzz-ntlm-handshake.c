/*
 * libFuzzer harness: the NTLM state machines on hostile input.
 *  first byte even: a server (fixed challenge 0123456789abcdef, account Domain\User / "Password",
 *    the [MS-NLMP] 4.2.4 example) gets a NEGOTIATE, then the input as its AUTHENTICATE; if that
 *    authenticates, the rest of the input is unsealed and verified in 20-byte pieces.
 *  first byte odd: a client gets the input as its CHALLENGE; if it answers, it seals a message.
 * Seeds include the 4.2.4 AUTHENTICATE, so the success path is reached.
 */
#include "ra/ntlmssp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean lookup(const char *domain, const char *user, guint8 nt_hash[16], gpointer data)
{
    if (g_ascii_strcasecmp(user, "User") != 0)
        return FALSE;
    return ra_ntlm_nt_hash("Password", nt_hash, NULL);
}

static const guint8 challenge[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
static const guint64 fixed_time = 0;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    gboolean server_side = (data[0] & 1) == 0;
    data++;
    size--;
    GBytes *out = NULL;
    if (server_side) {
        RaNtlmServerConfig sc = {.nb_computer = "Server",
                                 .nb_domain = "Domain",
                                 .lookup = lookup,
                                 .fixed_challenge = challenge,
                                 .fixed_time = &fixed_time};
        RaNtlmssp *s = ra_ntlmssp_server_new(&sc, NULL);
        RaNtlmNegotiate neg = {.flags = 0xe2888235};
        GBytes *nb = ra_ntlm_negotiate_encode(&neg, NULL);
        if (ra_ntlmssp_step(s, g_bytes_get_data(nb, NULL), g_bytes_get_size(nb), &out, NULL)) {
            g_bytes_unref(out);
            out = NULL;
            /* The AUTHENTICATE is the input up to a 0xff 0xff 0xff 0xff separator, if any. */
            gsize auth_len = size;
            for (gsize i = 0; i + 4 <= size; i++)
                if (memcmp(data + i, "\xff\xff\xff\xff", 4) == 0) {
                    auth_len = i;
                    break;
                }
            if (ra_ntlmssp_step(s, data, auth_len, &out, NULL)) {
                const guint8 *rest = data + auth_len;
                gsize left = size - auth_len;
                while (left >= 4 + 20) {
                    guint8 msg[4];
                    memcpy(msg, rest + 4, 4);
                    RaBuf part = {msg, 4};
                    if (!ra_ntlmssp_unseal(s, msg, 4, &part, 1, rest + 8, 16, NULL))
                        break;
                    rest += 24;
                    left -= 24;
                }
            }
        }
        if (out)
            g_bytes_unref(out);
        g_bytes_unref(nb);
        ra_ntlmssp_free(s);
    } else {
        static const guint8 cc[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
        RaNtlmClientConfig cfg = {.user = "User",
                                  .domain = "Domain",
                                  .password = "Password",
                                  .fixed_client_challenge = cc,
                                  .fixed_time = &fixed_time};
        RaNtlmssp *c = ra_ntlmssp_client_new(&cfg, NULL);
        if (ra_ntlmssp_step(c, NULL, 0, &out, NULL)) {
            g_bytes_unref(out);
            out = NULL;
            if (ra_ntlmssp_step(c, data, size, &out, NULL)) {
                guint8 buf[8] = "sealme!", sig[16];
                RaBuf part = {buf, 7};
                if (ra_ntlmssp_flags(c) & RA_NTLMSSP_NEGOTIATE_SEAL)
                    (void)ra_ntlmssp_seal(c, buf, 7, &part, 1, sig, NULL);
                else
                    (void)ra_ntlmssp_sign(c, &part, 1, sig, NULL);
            }
        }
        if (out)
            g_bytes_unref(out);
        ra_ntlmssp_free(c);
    }
    return 0;
}
