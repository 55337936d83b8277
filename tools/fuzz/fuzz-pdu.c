/*
 * libFuzzer harness: connection-oriented PDU decoding (ra_pdu_peek_header, ra_pdu_decode) and,
 * for what decodes, describe -> encode -> decode again (the description and stub must agree),
 * plus reassembly of request/response fragments.
 */
#include "ra/pdu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RaPduHeader hdr;
    (void)ra_pdu_peek_header(data, size, 5840, &hdr, NULL);
    RaPdu pdu;
    if (!ra_pdu_decode(data, size, &pdu, NULL))
        return 0;
    gchar *d1 = ra_pdu_describe(&pdu);
    GByteArray *out = g_byte_array_new();
    RaPduLayout layout;
    if (ra_pdu_encode(&pdu, out, &layout, NULL)) {
        RaPdu again;
        if (!ra_pdu_decode(out->data, out->len, &again, NULL))
            abort(); /* what we encode must decode */
        gchar *d2 = ra_pdu_describe(&again);
        if (strcmp(d1, d2) != 0 || again.stub_len != pdu.stub_len ||
            (pdu.stub_len && memcmp(again.stub, pdu.stub, pdu.stub_len) != 0))
            abort();
        g_free(d2);
        ra_pdu_clear(&again);
    }
    if (pdu.hdr.ptype == RA_PDU_REQUEST || pdu.hdr.ptype == RA_PDU_RESPONSE) {
        RaPduReassembly *r = ra_pdu_reassembly_new(4096, 4);
        gboolean complete;
        for (int i = 0; i < 3; i++) {
            if (!ra_pdu_reassembly_add(r, &pdu, &complete, NULL))
                break;
            if (complete) {
                g_bytes_unref(ra_pdu_reassembly_steal(r));
                break;
            }
        }
        ra_pdu_reassembly_free(r);
    }
    g_byte_array_unref(out);
    g_free(d1);
    ra_pdu_clear(&pdu);
    return 0;
}
