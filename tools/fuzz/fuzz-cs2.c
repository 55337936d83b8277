/*
 * Fuzz harness: Connection String 2 ([MS-RAI] 2.2.2) and, through it, the XML reader. A parsed
 * string rebuilt with ra_connstr2_build() must parse again to the same transports and listeners.
 */
#include "ra/connstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RaConnStr2 *cs = ra_connstr2_parse((const char *)data, size, NULL);
    if (cs == NULL)
        return 0;
    gchar *built = ra_connstr2_build(cs);
    RaConnStr2 *again = ra_connstr2_parse(built, strlen(built), NULL);
    if (again == NULL || !same(again->kh, cs->kh) || !same(again->id, cs->id) ||
        !same(again->kh2, cs->kh2) || !same(again->ce, cs->ce) ||
        again->transports->len != cs->transports->len)
        abort();
    for (guint i = 0; i < cs->transports->len; i++) {
        const RaTransport *t = cs->transports->pdata[i], *u = again->transports->pdata[i];
        if (t->listeners->len != u->listeners->len || !same(t->sid, u->sid))
            abort();
        for (guint j = 0; j < t->listeners->len; j++) {
            const RaListener *l = t->listeners->pdata[j], *m = u->listeners->pdata[j];
            if (!same(l->name, m->name) || !same(l->uri, m->uri) || l->port != m->port)
                abort();
        }
    }
    ra_connstr2_free(again);
    g_free(built);
    ra_connstr2_free(cs);
    return 0;
}
