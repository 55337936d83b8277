/*
 * Semantic hooks of the MS-RAI dissector (see rai-hooks.h).
 */
#include "rai-hooks.h"
#include "rai-gen.h"

#include <string.h>

static expert_field ei_rai_count_mismatch = EI_INIT;

typedef enum {
    HOOK_SESSION_ENTRY,
    HOOK_SESSION_COUNT,
    HOOK_CONNSTR2,
    HOOK_HELP_BLOB,
    HOOK_CONNSTR1,
} HookKind;

typedef struct {
    const char *key;
    gboolean in_request; /* the direction whose value the hook reads */
    HookKind kind;
} Hook;

static const Hook hooks[] = {
    {"IRASrv.GetSessionInfo.UserNames", FALSE, HOOK_SESSION_ENTRY},
    {"IRASrv.GetSessionInfo.Count", FALSE, HOOK_SESSION_COUNT},
    {"IRASrv.GetNoviceUserInfo.szName", FALSE, HOOK_CONNSTR2},
    {"IPCHService.RemoteConnectionParms.bstrUserHelpBlob", TRUE, HOOK_HELP_BLOB},
    {"IPCHService.RemoteConnectionParms.pbstrConnectionString", FALSE, HOOK_CONNSTR1},
};

static const Hook *find_hook(const char *key, gboolean request)
{
    for (gsize i = 0; i < G_N_ELEMENTS(hooks); i++) {
        if (hooks[i].in_request == request && strcmp(hooks[i].key, key) == 0)
            return &hooks[i];
    }
    return NULL;
}

void rai_hooks_register(int proto, expert_module_t *expert)
{
    static ei_register_info ei[] = {
        {&ei_rai_count_mismatch,
         {"rai.count_mismatch", PI_PROTOCOL, PI_WARN,
          "Count disagrees with the number of array elements", EXPFILL}},
    };
    expert_register_field_array(expert, ei, array_length(ei));
    (void)proto;
    /* every hook must name a parameter of the generated tables */
    for (gsize h = 0; h < G_N_ELEMENTS(hooks); h++) {
        gboolean found = FALSE;
        for (guint i = 0; i < RAI_GEN_N_INTERFACES && !found; i++) {
            const RaiInterface *f = &rai_gen_interfaces[i];
            for (guint m = 0; m < f->n_methods && !found; m++) {
                for (guint p = 0; p < f->methods[m].n_params; p++) {
                    if (strcmp(f->methods[m].params[p].key, hooks[h].key) == 0)
                        found = TRUE;
                }
            }
        }
        if (!found)
            g_error("rai: hook for %s, which the IDL does not have", hooks[h].key);
    }
}

void rai_hook_string(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                     tvbuff_t *tvb, proto_item *item, const char *value)
{
    const Hook *hook = find_hook(key, request);
    if (hook == NULL)
        return;
    switch (hook->kind) {
    case HOOK_SESSION_ENTRY:
    case HOOK_CONNSTR2:
    case HOOK_HELP_BLOB:
    case HOOK_CONNSTR1:
    case HOOK_SESSION_COUNT:
        break;
    }
    (void)st;
    (void)pinfo;
    (void)tvb;
    (void)item;
    (void)value;
}

void rai_hook_int(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                  tvbuff_t *tvb, proto_item *item, gint64 value)
{
    const Hook *hook = find_hook(key, request);
    if (hook == NULL || hook->kind != HOOK_SESSION_COUNT || !st->have_array)
        return;
    /* [MS-RAI] 3.3.4.1.2: Count is the number of sessions, the array holds one entry per
     * session (NULL entries are to be ignored, so either total may be meant). */
    if (value != (gint64)st->array_size && value != (gint64)st->array_nonnull)
        expert_add_info_format(pinfo, item, &ei_rai_count_mismatch,
                               "Count is %" G_GINT64_FORMAT " but UserNames holds %u element%s "
                               "(%u not NULL) ([MS-RAI] 3.3.4.1.2)",
                               value, st->array_size, plurality(st->array_size, "", "s"),
                               st->array_nonnull);
    (void)tvb;
}

void rai_hook_done(RaiHookState *st, packet_info *pinfo, const char *iface, const char *method,
                   gboolean request, tvbuff_t *tvb, proto_tree *tree)
{
    (void)st;
    (void)pinfo;
    (void)iface;
    (void)method;
    (void)request;
    (void)tvb;
    (void)tree;
}
