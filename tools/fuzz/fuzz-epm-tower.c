/*
 * Fuzz harness: endpoint mapper towers (ra_epm_tower_parse). A tower that parses is printed, and
 * a TCP/IP one is re-encoded and must parse to the same fields (round trip).
 */
#include "ra/epm.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A g_return_if_fail() tripped by input is a bug: make it a crash the fuzzer reports. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    RaArena *arena = ra_arena_new();
    RaEpmTower t;
    if (ra_epm_tower_parse(data, size, arena, &t, NULL)) {
        g_free(ra_epm_tower_to_string(&t));
        if (t.n_floors == 5 && t.transport == RA_EPM_PROT_TCP &&
            t.host_protocol == RA_EPM_PROT_IP && t.rpc_protocol == RA_EPM_PROT_NCACN) {
            GBytes *b = ra_epm_tower_build_tcp(&t.iface, &t.transfer, t.port, t.ipv4);
            RaEpmTower u;
            gsize n;
            const guint8 *d = g_bytes_get_data(b, &n);
            if (!ra_epm_tower_parse(d, n, arena, &u, NULL) ||
                !ra_syntax_id_equal(&t.iface, &u.iface) ||
                !ra_syntax_id_equal(&t.transfer, &u.transfer) || t.port != u.port ||
                memcmp(t.ipv4, u.ipv4, 4) != 0)
                g_error("tower round trip failed");
            g_bytes_unref(b);
        }
    }
    ra_arena_free(arena);
    return 0;
}
