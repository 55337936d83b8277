/*
 * Fuzz harness: every structure the NDR backend of idlgen generates from idl/ms-rai.idl (the [in]
 * and [out] parameter sets of every method of IRASrv, IPCHService, IPCHCollection and
 * ISAFSession: what a novice pulls from an expert and an expert from a novice).
 *
 * Input: one selector byte (which type: an index into ra_rai_types[], modulo RA_RAI_N_TYPES; the
 * table is in the generator's order, see rai-ndr.c), then the NDR stub. Property checked: whatever
 * pulls must print and push, and the pushed bytes must pull and push again to the same bytes
 * (pull -> push -> pull: push(pull(x)) is a fixed point after one step).
 */
#include "rai-ndr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Pulls, prints, then pushes; NULL when the pull fails. */
static GBytes *cycle(const RaRaiTypeInfo *t, const guint8 *data, gsize len, RaArena *arena)
{
    gpointer r = ra_arena_alloc(arena, t->size);
    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);
    gboolean ok = t->pull(ndr, r) && ra_ndr_pull_finish(ndr, NULL);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return NULL;
    RaNdrPrint *p = ra_ndr_print_new();
    t->print(p, "r", r);
    ra_ndr_print_free(p);
    RaNdrPush *push = ra_ndr_push_new();
    GBytes *b = t->push(push, r) ? ra_ndr_push_finish(push, NULL) : NULL;
    ra_ndr_push_free(push);
    if (b == NULL)
        abort(); /* what was pulled must push */
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const RaRaiTypeInfo *t = &ra_rai_types[data[0] % RA_RAI_N_TYPES];
    RaArena *arena = ra_arena_new();
    GBytes *once = cycle(t, data + 1, size - 1, arena);
    if (once) {
        gsize n1;
        const guint8 *d1 = g_bytes_get_data(once, &n1);
        GBytes *twice = cycle(t, d1, n1, arena);
        if (twice == NULL || !g_bytes_equal(once, twice))
            abort();
        g_bytes_unref(twice);
        g_bytes_unref(once);
    }
    ra_arena_free(arena);
    return 0;
}
