/*
 * libFuzzer harness: NDR pull of every type ra/ndr.h and ra/oaut.h describe (RaNdrType). The
 * first byte selects the type; the rest is pulled. What pulls is printed, pushed (which must
 * succeed), pulled again (which must succeed) and printed again: both prints must be equal.
 */
#include "ra/ndr.h"
#include "ra/oaut.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gchar *pull_print(const RaNdrType *t, const guint8 *data, gsize size, RaArena *arena,
                         gpointer value)
{
    RaNdrPull *ndr = ra_ndr_pull_new(data, size, arena);
    memset(value, 0, t->size);
    gboolean ok = t->pull(ndr, RA_NDR_BOTH, value) && ra_ndr_pull_ok(ndr);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return NULL;
    RaNdrPrint *p = ra_ndr_print_new();
    t->print(p, "r", value);
    return ra_ndr_print_steal(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    guint n1, n2;
    const RaNdrType *t1 = ra_ndr_types(&n1), *t2 = ra_oaut_types(&n2);
    guint which = data[0] % (n1 + n2);
    const RaNdrType *t = which < n1 ? &t1[which] : &t2[which - n1];
    RaArena *arena = ra_arena_new();
    gpointer value = g_malloc0(t->size), again = g_malloc0(t->size);
    gchar *first = pull_print(t, data + 1, size - 1, arena, value);
    if (first != NULL) {
        RaNdrPush *push = ra_ndr_push_new();
        if (!t->push(push, RA_NDR_BOTH, value))
            abort(); /* everything we pull we can send */
        GBytes *out = ra_ndr_push_finish(push, NULL);
        if (out == NULL)
            abort();
        gchar *second =
            pull_print(t, g_bytes_get_data(out, NULL), g_bytes_get_size(out), arena, again);
        if (second == NULL || strcmp(first, second) != 0)
            abort(); /* pull -> push -> pull must give the same value */
        g_free(second);
        g_bytes_unref(out);
        ra_ndr_push_free(push);
    }
    g_free(first);
    g_free(value);
    g_free(again);
    ra_arena_free(arena);
    return 0;
}
