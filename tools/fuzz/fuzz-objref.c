/*
 * Fuzz harness: OBJREFs (ra_objref_parse) and activation properties blobs (ra_actprop_from_mip
 * and ra_actprop_blob_parse), the hand-marshaled byte arrays inside MInterfacePointers.
 *
 * Input: the OBJREF bytes. Properties checked: a parsed OBJREF rebuilds, and the rebuilt bytes
 * parse and rebuild to the same bytes; an OBJREF_CUSTOM's data is also tried as an activation
 * blob (In and Out), whose rebuild must be a fixed point after one step as well.
 */
#include "ra/actprop.h"
#include "ra/dcom.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_blob(const guint8 *data, gsize size, RaArena *arena)
{
    RaActivationBlob blob;
    if (!ra_actprop_blob_parse(data, size, arena, &blob, NULL))
        return;
    RaNdrPrint *p = ra_ndr_print_new();
    ra_actprop_blob_print(p, "blob", &blob);
    ra_ndr_print_free(p);
    GBytes *once = ra_actprop_blob_build(&blob, NULL);
    if (once == NULL)
        return; /* e.g. a property whose strings cannot be sent back: not a crash */
    RaActivationBlob again;
    gsize n;
    const guint8 *d = g_bytes_get_data(once, &n);
    if (!ra_actprop_blob_parse(d, n, arena, &again, NULL))
        abort();
    GBytes *twice = ra_actprop_blob_build(&again, NULL);
    if (twice == NULL || !g_bytes_equal(once, twice))
        abort();
    g_bytes_unref(twice);
    g_bytes_unref(once);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RaArena *arena = ra_arena_new();
    RaObjRef r;
    if (ra_objref_parse(data, size, arena, &r, NULL)) {
        RaNdrPrint *p = ra_ndr_print_new();
        ra_objref_print(p, "objref", &r);
        ra_ndr_print_free(p);
        GBytes *once = ra_objref_build(&r, NULL);
        if (once == NULL)
            abort();
        RaObjRef again;
        gsize n;
        const guint8 *d = g_bytes_get_data(once, &n);
        if (!ra_objref_parse(d, n, arena, &again, NULL))
            abort();
        GBytes *twice = ra_objref_build(&again, NULL);
        if (twice == NULL || !g_bytes_equal(once, twice))
            abort();
        g_bytes_unref(twice);
        g_bytes_unref(once);
        if (r.flags == RA_OBJREF_CUSTOM) {
            check_blob(r.object_data, r.object_data_len, arena);
            RaInterfacePointer mip = {(guint32)size, ra_arena_memdup(arena, data, size)};
            RaActivationBlob blob;
            ra_actprop_from_mip(&mip, FALSE, arena, &blob, NULL);
            ra_actprop_from_mip(&mip, TRUE, arena, &blob, NULL);
        }
    }
    ra_arena_free(arena);
    return 0;
}
