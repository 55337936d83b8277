/*
 * Fuzz harness: the DCOM call bodies a novice or an expert pulls from a peer (ra/dcom.h) -
 * ORPCTHIS, ORPCTHAT, the IRemoteSCMActivator and IRemUnknown(2) requests and responses - and
 * the activation properties inside the activation calls (ra/actprop.h).
 *
 * Input: one selector byte (which type, modulo the table size; for the [out] types whose arrays
 * are sized by the request, the next byte is that count), then the NDR stub. Property checked:
 * whatever pulls must push, and the pushed bytes must pull and push again to the same bytes
 * (push(pull(x)) is a fixed point after one step).
 */
#include "ra/actprop.h"
#include "ra/dcom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef gboolean (*PullFn)(RaNdrPull *ndr, gpointer r, guint count);
typedef gboolean (*PushFn)(RaNdrPush *ndr, gconstpointer r);

#define WRAP(NAME, CTYPE, PULLCALL, PUSHCALL, SETCOUNT)                   \
    static gboolean pull_##NAME(RaNdrPull *ndr, gpointer rp, guint count) \
    {                                                                     \
        CTYPE *r = rp;                                                    \
        (void)count;                                                      \
        SETCOUNT;                                                         \
        return PULLCALL;                                                  \
    }                                                                     \
    static gboolean push_##NAME(RaNdrPush *ndr, gconstpointer rp)         \
    {                                                                     \
        const CTYPE *r = rp;                                              \
        return PUSHCALL;                                                  \
    }

WRAP(orpcthis, RaOrpcThis, ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, r),
     ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, r), (void)0)
WRAP(orpcthat, RaOrpcThat, ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, r),
     ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, r), (void)0)
WRAP(rci_in, RaRemoteCreateInstanceIn, ra_dcom_pull_remotecreateinstance_in(ndr, r),
     ra_dcom_push_remotecreateinstance_in(ndr, r), (void)0)
WRAP(rgco_in, RaRemoteGetClassObjectIn, ra_dcom_pull_remotegetclassobject_in(ndr, r),
     ra_dcom_push_remotegetclassobject_in(ndr, r), (void)0)
WRAP(ract_out, RaRemoteActivationOut, ra_dcom_pull_remoteactivation_out(ndr, r),
     ra_dcom_push_remoteactivation_out(ndr, r), (void)0)
WRAP(rqi_in, RaRemQueryInterfaceIn, ra_dcom_pull_remqueryinterface_in(ndr, r),
     ra_dcom_push_remqueryinterface_in(ndr, r), (void)0)
WRAP(rqi_out, RaRemQueryInterfaceOut, ra_dcom_pull_remqueryinterface_out(ndr, r),
     ra_dcom_push_remqueryinterface_out(ndr, r), r->n_results = (guint16)count)
WRAP(rar_in, RaRemAddRefIn, ra_dcom_pull_remaddref_in(ndr, r), ra_dcom_push_remaddref_in(ndr, r),
     (void)0)
WRAP(rar_out, RaRemAddRefOut, ra_dcom_pull_remaddref_out(ndr, r),
     ra_dcom_push_remaddref_out(ndr, r), r->n_results = (guint16)count)
WRAP(rrel_out, RaRemReleaseOut, ra_dcom_pull_remrelease_out(ndr, r),
     ra_dcom_push_remrelease_out(ndr, r), (void)0)
WRAP(rqi2_in, RaRemQueryInterface2In, ra_dcom_pull_remqueryinterface2_in(ndr, r),
     ra_dcom_push_remqueryinterface2_in(ndr, r), (void)0)
WRAP(rqi2_out, RaRemQueryInterface2Out, ra_dcom_pull_remqueryinterface2_out(ndr, r),
     ra_dcom_push_remqueryinterface2_out(ndr, r), r->n_iids = (guint16)count)

typedef struct {
    PullFn pull;
    PushFn push;
    gsize size;
    gboolean counted;
} Type;

static const Type types[] = {
    {pull_orpcthis, push_orpcthis, sizeof(RaOrpcThis), FALSE},
    {pull_orpcthat, push_orpcthat, sizeof(RaOrpcThat), FALSE},
    {pull_rci_in, push_rci_in, sizeof(RaRemoteCreateInstanceIn), FALSE},
    {pull_rgco_in, push_rgco_in, sizeof(RaRemoteGetClassObjectIn), FALSE},
    {pull_ract_out, push_ract_out, sizeof(RaRemoteActivationOut), FALSE},
    {pull_rqi_in, push_rqi_in, sizeof(RaRemQueryInterfaceIn), FALSE},
    {pull_rqi_out, push_rqi_out, sizeof(RaRemQueryInterfaceOut), TRUE},
    {pull_rar_in, push_rar_in, sizeof(RaRemAddRefIn), FALSE},
    {pull_rar_out, push_rar_out, sizeof(RaRemAddRefOut), TRUE},
    {pull_rrel_out, push_rrel_out, sizeof(RaRemReleaseOut), FALSE},
    {pull_rqi2_in, push_rqi2_in, sizeof(RaRemQueryInterface2In), FALSE},
    {pull_rqi2_out, push_rqi2_out, sizeof(RaRemQueryInterface2Out), TRUE},
};

/* Pulls, then pushes; NULL when the pull fails. The pull's activation properties, if any, are
 * decoded too (they are what a server parses next). */
static GBytes *cycle(const Type *t, const guint8 *data, gsize len, guint count, RaArena *arena)
{
    gpointer r = ra_arena_alloc(arena, t->size);
    RaNdrPull *ndr = ra_ndr_pull_new(data, len, arena);
    gboolean ok = t->pull(ndr, r, count) && ra_ndr_pull_finish(ndr, NULL);
    ra_ndr_pull_free(ndr);
    if (!ok)
        return NULL;
    RaInterfacePointer *mip = NULL;
    gboolean out = FALSE;
    if (t->pull == pull_rci_in)
        mip = ((RaRemoteCreateInstanceIn *)r)->act_properties;
    else if (t->pull == pull_rgco_in)
        mip = ((RaRemoteGetClassObjectIn *)r)->act_properties;
    else if (t->pull == pull_ract_out) {
        mip = ((RaRemoteActivationOut *)r)->act_properties;
        out = TRUE;
    }
    if (mip) {
        RaActivationBlob blob;
        if (ra_actprop_from_mip(mip, out, arena, &blob, NULL)) {
            RaNdrPrint *p = ra_ndr_print_new();
            ra_actprop_blob_print(p, "blob", &blob);
            ra_ndr_print_free(p);
        }
    }
    RaNdrPush *push = ra_ndr_push_new();
    GBytes *b = t->push(push, r) ? ra_ndr_push_finish(push, NULL) : NULL;
    ra_ndr_push_free(push);
    if (b == NULL)
        abort(); /* what was pulled must push */
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const Type *t = &types[data[0] % G_N_ELEMENTS(types)];
    guint count = data[1];
    data += t->counted ? 2 : 1;
    size -= t->counted ? 2 : 1;
    RaArena *arena = ra_arena_new();
    GBytes *once = cycle(t, data, size, count, arena);
    if (once) {
        gsize n1;
        const guint8 *d1 = g_bytes_get_data(once, &n1);
        GBytes *twice = cycle(t, d1, n1, count, arena);
        if (twice == NULL || !g_bytes_equal(once, twice))
            abort();
        g_bytes_unref(twice);
        g_bytes_unref(once);
    }
    ra_arena_free(arena);
    return 0;
}
