/*
 * libFuzzer harness: NTLMSSP message decoding. The first byte selects NEGOTIATE, CHALLENGE,
 * AUTHENTICATE or an AV pair list; what decodes is encoded again and must decode to the same
 * fields.
 */
#include "ra/ntlmssp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bytes(GBytes *b)
{
    if (b == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    guint8 which = data[0] % 4;
    data++;
    size--;
    switch (which) {
    case 0: {
        RaNtlmNegotiate m, m2;
        if (!ra_ntlm_negotiate_decode(data, size, &m, NULL))
            break;
        GBytes *b = ra_ntlm_negotiate_encode(&m, NULL);
        if (b != NULL) { /* non-ASCII OEM names cannot be re-encoded */
            if (!ra_ntlm_negotiate_decode(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &m2,
                                          NULL) ||
                (m.flags & ~(RA_NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
                             RA_NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED)) !=
                    (m2.flags & ~(RA_NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
                                  RA_NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED)))
                abort();
            ra_ntlm_negotiate_clear(&m2);
            g_bytes_unref(b);
        }
        ra_ntlm_negotiate_clear(&m);
        break;
    }
    case 1: {
        RaNtlmChallenge m, m2;
        if (!ra_ntlm_challenge_decode(data, size, &m, NULL))
            break;
        GBytes *b = ra_ntlm_challenge_encode(&m, NULL);
        if (b != NULL) {
            if (!ra_ntlm_challenge_decode(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &m2,
                                          NULL) ||
                m2.flags != m.flags || m2.target_info_len != m.target_info_len ||
                memcmp(m2.server_challenge, m.server_challenge, 8) != 0 ||
                g_strcmp0(m2.target_name, m.target_name) != 0)
                abort();
            ra_ntlm_challenge_clear(&m2);
            g_bytes_unref(b);
        }
        RaNtlmTargetInfo ti;
        if (m.target_info_len &&
            ra_ntlm_target_info_parse(m.target_info, m.target_info_len, &ti, NULL))
            ra_ntlm_target_info_clear(&ti);
        ra_ntlm_challenge_clear(&m);
        break;
    }
    case 2: {
        RaNtlmAuthenticate m, m2;
        if (!ra_ntlm_authenticate_decode(data, size, &m, NULL))
            break;
        GBytes *b = ra_ntlm_authenticate_encode(&m, NULL);
        if (b != NULL) {
            if (!ra_ntlm_authenticate_decode(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &m2,
                                             NULL) ||
                m2.flags != m.flags || m2.nt_response_len != m.nt_response_len ||
                g_strcmp0(m2.user, m.user) != 0 || g_strcmp0(m2.domain, m.domain) != 0 ||
                (m.nt_response_len &&
                 memcmp(m2.nt_response, m.nt_response, m.nt_response_len) != 0))
                abort();
            ra_ntlm_authenticate_clear(&m2);
            g_bytes_unref(b);
        }
        ra_ntlm_authenticate_clear(&m);
        break;
    }
    case 3: {
        RaNtlmTargetInfo ti;
        if (!ra_ntlm_target_info_parse(data, size, &ti, NULL))
            break;
        GBytes *b = ra_ntlm_target_info_build(&ti);
        check_bytes(b);
        RaNtlmTargetInfo ti2;
        if (!ra_ntlm_target_info_parse(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &ti2,
                                       NULL) ||
            g_strcmp0(ti.nb_computer, ti2.nb_computer) != 0 ||
            ti.has_timestamp != ti2.has_timestamp || ti.timestamp != ti2.timestamp)
            abort();
        ra_ntlm_target_info_clear(&ti2);
        g_bytes_unref(b);
        ra_ntlm_target_info_clear(&ti);
        break;
    }
    }
    return 0;
}
