/*
 * rai-ndr-pull: pulls MS-RAI stubs with the generated NDR code (rai-ndr.c), for the known-answer
 * test rai-ndr-cases.py.
 *
 * Input lines: "LABEL INTERFACE METHOD in|out HEX" (INTERFACE: IRASrv, IPCHService, IPCHCollection
 * or ISAFSession; METHOD an opnum or a method's C name, e.g. get_SessionID; HEX the stub). Output
 * per line: "LABEL TYPE: ok, push same" or "... push rewritten (N -> M bytes, from 0xOFFSET)" (TYPE
 * as in ra_rai_types[], e.g. IRASrv_GetSessionInfo_out) followed by the printed structure indented,
 * "LABEL TYPE: error MESSAGE", or "LABEL Interface::Method: not generated" for the IUnknown and
 * IDispatch methods (hand-written in idispatch.c / dcom-server.c). "push same" means that pushing
 * what was pulled gives back the input bytes; "rewritten" that it gives other bytes (then they must
 * pull and push to themselves: the program exits 1 when they do not, or when a pulled value does
 * not push at all).
 */
#include "rai-ndr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The generated type of a method's [in] or [out], NULL with *why set when there is none. */
static const RaRaiTypeInfo *find_type(const char *iface, const char *method, const char *dir,
                                      const char **why)
{
    const RaRaiInterfaceInfo *info = NULL;
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++)
        if (strcmp(ra_rai_interfaces[i]->name, iface) == 0)
            info = ra_rai_interfaces[i];
    guint opnum = G_MAXUINT;
    if (g_ascii_isdigit(*method))
        opnum = (guint)atoi(method);
    else
        for (guint i = 0; info && i < info->n_methods; i++)
            if (strcmp(info->methods[i].c_name, method) == 0)
                opnum = i;
    if (info == NULL || opnum >= info->n_methods) {
        *why = "no such method";
        return NULL;
    }
    const RaRaiMethodInfo *m = &info->methods[opnum];
    if (m->builtin) {
        *why = "not generated";
        return NULL;
    }
    g_autofree gchar *name = g_strdup_printf("%s_%s_%s", iface, m->c_name, dir);
    for (guint i = 0; i < RA_RAI_N_TYPES; i++)
        if (strcmp(ra_rai_types[i].name, name) == 0)
            return &ra_rai_types[i];
    *why = "no generated type";
    return NULL;
}

static GBytes *pull_push(const RaRaiTypeInfo *t, const guint8 *data, gsize len, RaArena *arena,
                         gchar **text, GError **error)
{
    gpointer r = ra_arena_alloc(arena, t->size);
    g_autoptr(RaNdrPull) pull = ra_ndr_pull_new(data, len, arena);
    if (!t->pull(pull, r) || !ra_ndr_pull_finish(pull, error)) {
        if (error && *error == NULL)
            ra_ndr_pull_get_error(pull, error);
        return NULL;
    }
    if (text) {
        RaNdrPrint *p = ra_ndr_print_new();
        t->print(p, "r", r);
        *text = ra_ndr_print_steal(p);
    }
    g_autoptr(RaNdrPush) push = ra_ndr_push_new();
    if (!t->push(push, r)) {
        ra_ndr_push_finish(push, error);
        return NULL;
    }
    return ra_ndr_push_finish(push, error);
}

int main(void)
{
    char line[1 << 16];
    int status = 0;
    while (fgets(line, sizeof line, stdin)) {
        g_strchomp(line);
        g_auto(GStrv) w = g_strsplit(line, " ", 5);
        if (g_strv_length(w) != 5) {
            fprintf(stderr, "rai-ndr-pull: bad line: %s\n", line);
            return 2;
        }
        const char *why = NULL;
        const RaRaiTypeInfo *t = find_type(w[1], w[2], w[3], &why);
        if (t == NULL) {
            printf("%s %s %s: %s\n", w[0], w[1], w[2], why);
            continue;
        }
        const char *hex = w[4];
        gsize n = strlen(hex) / 2;
        g_autofree guint8 *data = g_malloc(n + 1);
        for (gsize i = 0; i < n; i++) {
            int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                fprintf(stderr, "rai-ndr-pull: bad hex: %s\n", line);
                return 2;
            }
            data[i] = (guint8)(hi << 4 | lo);
        }
        g_autoptr(RaArena) arena = ra_arena_new();
        g_autofree gchar *text = NULL;
        GError *error = NULL;
        GBytes *out = pull_push(t, data, n, arena, &text, &error);
        if (out == NULL && text == NULL) {
            printf("%s %s: error %s\n", w[0], t->name, error ? error->message : "?");
            g_clear_error(&error);
            continue;
        }
        if (out == NULL) {
            printf("%s %s: pulled but does not push: %s\n", w[0], t->name,
                   error ? error->message : "?");
            g_clear_error(&error);
            status = 1;
            continue;
        }
        gsize m;
        const guint8 *d = g_bytes_get_data(out, &m);
        gboolean same = m == n && memcmp(d, data, n) == 0;
        if (same) {
            printf("%s %s: ok, push same\n", w[0], t->name);
        } else {
            gsize k = 0;
            while (k < n && k < m && d[k] == data[k])
                k++;
            printf("%s %s: ok, push rewritten (%zu -> %zu bytes, from 0x%zx)\n", w[0], t->name, n,
                   m, k);
        }
        if (!same) {
            GBytes *again = pull_push(t, d, m, arena, NULL, &error);
            if (again == NULL || !g_bytes_equal(again, out)) {
                printf("    the pushed bytes do not round-trip: %s\n",
                       error ? error->message : "other bytes");
                g_clear_error(&error);
                status = 1;
            }
            if (again)
                g_bytes_unref(again);
        }
        g_bytes_unref(out);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        for (guint i = 0; lines[i]; i++)
            if (*lines[i])
                printf("    %s\n", lines[i]);
    }
    return status;
}
