/*
 * Fuzz harness: DUALSTRINGARRAY (ra_dsa_parse). Input: the packet form (wNumEntries,
 * wSecurityOffset, the units). An array that parses is re-encoded and must parse to the same
 * bindings (round trip).
 */
#include "ra/oxid.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean same(const RaDualStringArray *a, const RaDualStringArray *b)
{
    if (a->n_strings != b->n_strings || a->n_security != b->n_security)
        return FALSE;
    for (guint i = 0; i < a->n_strings; i++) {
        if (a->strings[i].tower_id != b->strings[i].tower_id ||
            strcmp(a->strings[i].address, b->strings[i].address) != 0)
            return FALSE;
    }
    for (guint i = 0; i < a->n_security; i++) {
        if (a->security[i].authn_svc != b->security[i].authn_svc ||
            strcmp(a->security[i].principal, b->security[i].principal) != 0)
            return FALSE;
    }
    return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A g_return_if_fail() tripped by input is a bug: make it a crash the fuzzer reports. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    if (size < 4)
        return 0;
    guint16 n = (guint16)(data[0] | data[1] << 8), secoff = (guint16)(data[2] | data[3] << 8);
    if (size - 4 < 2 * (size_t)n)
        return 0; /* the NDR layer guarantees the units are there */
    RaArena *arena = ra_arena_new();
    RaDualStringArray dsa;
    if (ra_dsa_parse(data + 4, n, secoff, arena, &dsa, NULL)) {
        GBytes *b = ra_dsa_build(&dsa, NULL);
        /* Strings with an embedded NUL cannot exist after parsing, so building must succeed. */
        if (b == NULL)
            g_error("DUALSTRINGARRAY rebuild failed");
        const guint8 *d = g_bytes_get_data(b, NULL);
        RaDualStringArray again;
        if (!ra_dsa_parse(d + 4, (guint16)(d[0] | d[1] << 8), (guint16)(d[2] | d[3] << 8), arena,
                          &again, NULL) ||
            !same(&dsa, &again))
            g_error("DUALSTRINGARRAY round trip failed");
        g_bytes_unref(b);
    }
    ra_arena_free(arena);
    return 0;
}
