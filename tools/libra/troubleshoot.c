/*
 * Lookups in the troubleshooting table (see ra/troubleshoot.h). The rows themselves are generated
 * from docs/troubleshooting.md into troubleshoot-table.c.
 */
#include "ra/troubleshoot.h"

#include <string.h>

const RaTrouble *ra_trouble(RaTroubleId id)
{
    g_return_val_if_fail((guint)id < RA_TS_N, NULL);
    return &ra_trouble_table[id];
}

const RaTrouble *ra_trouble_find(RaTroubleKind kind, guint32 code)
{
    for (guint i = 0; i < RA_TS_N; i++) {
        const RaTrouble *t = &ra_trouble_table[i];
        if (t->kind == kind && t->code == code && kind != RA_TROUBLE_SYMPTOM)
            return t;
    }
    return NULL;
}

const RaTrouble *ra_trouble_by_key(const char *key)
{
    for (guint i = 0; i < RA_TS_N; i++) {
        if (strcmp(ra_trouble_table[i].key, key) == 0)
            return &ra_trouble_table[i];
    }
    return NULL;
}

const char *ra_trouble_kind_name(RaTroubleKind kind)
{
    switch (kind) {
    case RA_TROUBLE_HRESULT:
        return "hresult";
    case RA_TROUBLE_FAULT:
        return "fault";
    case RA_TROUBLE_NAK:
        return "nak";
    case RA_TROUBLE_CONTEXT:
        return "context";
    case RA_TROUBLE_SYMPTOM:
        return "symptom";
    }
    return "?";
}
