/*
 * Fuzz harness: a whole server association fed a byte stream, as the transport would (framed by
 * frag_length): binds, NTLM handshakes, sealed and plain requests, fragments, and everything in
 * between. The corpus holds recorded sessions (gen-rpc-assoc-corpus) that authenticate, so the
 * mutations reach the states after authentication.
 */
#include "rpc-assoc-fixture.h"

#include "ra/transport.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A g_return_if_fail() tripped by input is a bug: make it a crash the fuzzer reports. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    RaRpcAssoc *assoc = fuzz_rpc_session();
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    size_t off = 0;
    while (size - off >= RA_PDU_COMMON_HEADER) {
        guint frag = ra_tcp_frame_length(data + off, size - off, 65535, NULL);
        if (frag == 0 || frag > size - off)
            break;
        gboolean keep = ra_rpc_assoc_input(assoc, data + off, frag, out);
        g_ptr_array_set_size(out, 0);
        off += frag;
        if (!keep)
            break;
    }
    g_ptr_array_unref(out);
    ra_rpc_assoc_free(assoc);
    return 0;
}
