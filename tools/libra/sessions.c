/*
 * Login sessions: utmp or a key-file table (see ra/sessions.h).
 */
#define _GNU_SOURCE /* utmpxname() */
#include "ra/sessions.h"
#include "ra/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <utmpx.h>

static const char *const state_names[] = {
    "active", "connected", "connectquery", "shadow", "disconnected", "idle",
    "listen", "reset",     "down",         "init",   "invalid",
};

static const char *const state_enum_names[] = {
    "pchActive", "pchConnected", "pchConnectQuery", "pchShadow", "pchDisconnected", "pchIdle",
    "pchListen", "pchReset",     "pchDown",         "pchInit",   "pchStateInvalid",
};

const char *ra_session_state_enum_name(guint32 state)
{
    return state <= RA_SESSION_STATE_MAX ? state_enum_names[state] : NULL;
}

const char *ra_session_state_name(guint32 state)
{
    return state <= RA_SESSION_STATE_MAX ? state_names[state] : NULL;
}

gboolean ra_session_state_parse(const char *text, RaSessionState *out)
{
    for (guint i = 0; i < RA_SESSION_STATE_MAX; i++) {
        if (g_ascii_strcasecmp(text, state_names[i]) == 0) {
            *out = (RaSessionState)i;
            return TRUE;
        }
    }
    return FALSE;
}

static void session_free(gpointer p)
{
    RaSession *s = p;
    g_free(s->domain);
    g_free(s->user);
    g_free(s);
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
    const RaSession *x = *(RaSession *const *)a, *y = *(RaSession *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static RaSessionTable *table_new(const char *source)
{
    RaSessionTable *t = g_new0(RaSessionTable, 1);
    t->sessions = g_ptr_array_new_with_free_func(session_free);
    t->source = g_strdup(source);
    return t;
}

void ra_session_table_free(RaSessionTable *table)
{
    if (table == NULL)
        return;
    g_ptr_array_unref(table->sessions);
    g_free(table->source);
    g_free(table);
}

const RaSession *ra_sessions_find(const RaSessionTable *table, guint32 id)
{
    for (guint i = 0; i < table->sessions->len; i++) {
        const RaSession *s = g_ptr_array_index(table->sessions, i);
        if (s->id == id)
            return s;
    }
    return NULL;
}

static gboolean parse_id(const char *group, guint32 *id)
{
    if (!g_str_has_prefix(group, "session "))
        return FALSE;
    const char *digits = group + strlen("session ");
    if (*digits == '\0' || strlen(digits) > 10)
        return FALSE;
    for (const char *c = digits; *c; c++) {
        if (!g_ascii_isdigit(*c))
            return FALSE;
    }
    guint64 v = g_ascii_strtoull(digits, NULL, 10);
    /* 0xFFFFFFFF means "any session" in activation ([MS-DCOM] 2.2.22.2.2): not a session id. */
    if (v >= G_MAXUINT32)
        return FALSE;
    *id = (guint32)v;
    return TRUE;
}

RaSessionTable *ra_sessions_parse(const char *data, gsize len, const char *source, GError **error)
{
    if (len > RA_MAX_INPUT) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "%s: %" G_GSIZE_FORMAT " bytes", source,
                    len);
        return NULL;
    }
    g_autoptr(GKeyFile) kf = g_key_file_new();
    GError *local = NULL;
    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: %s", source, local->message);
        g_error_free(local);
        return NULL;
    }
    g_autoptr(RaSessionTable) table = table_new(source);
    gsize n_groups;
    g_auto(GStrv) groups = g_key_file_get_groups(kf, &n_groups);
    for (gsize i = 0; i < n_groups; i++) {
        const char *group = groups[i];
        guint32 id;
        if (!parse_id(group, &id)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "%s: group [%s] is not [session N] with N from 0 to 4294967294", source,
                        group);
            return NULL;
        }
        if (ra_sessions_find(table, id)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: session %u is listed twice",
                        source, id);
            return NULL;
        }
        gsize n_keys;
        g_auto(GStrv) keys = g_key_file_get_keys(kf, group, &n_keys, NULL);
        for (gsize k = 0; k < n_keys; k++) {
            if (strcmp(keys[k], "domain") != 0 && strcmp(keys[k], "user") != 0 &&
                strcmp(keys[k], "state") != 0) {
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                            "%s: [%s] has an unknown key '%s' (domain, user, state)", source, group,
                            keys[k]);
                return NULL;
            }
        }
        g_autofree gchar *state_text = g_key_file_get_string(kf, group, "state", NULL);
        RaSessionState state;
        if (state_text == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: [%s] has no state", source,
                        group);
            return NULL;
        }
        if (!ra_session_state_parse(state_text, &state)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "%s: [%s] state '%s' is not one of active, connected, connectquery, "
                        "shadow, disconnected, idle, listen, reset, down, init",
                        source, group, state_text);
            return NULL;
        }
        RaSession *s = g_new0(RaSession, 1);
        s->id = id;
        s->state = state;
        s->domain = g_key_file_get_string(kf, group, "domain", NULL);
        s->user = g_key_file_get_string(kf, group, "user", NULL);
        if (s->domain == NULL)
            s->domain = g_strdup("");
        if (s->user == NULL)
            s->user = g_strdup("");
        g_ptr_array_add(table->sessions, s);
    }
    g_ptr_array_sort(table->sessions, compare_ids);
    return g_steal_pointer(&table);
}

RaSessionTable *ra_sessions_load_file(const char *path, GError **error)
{
    gchar *data;
    gsize len;
    GError *local = NULL;
    if (!g_file_get_contents(path, &data, &len, &local)) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "%s", local->message);
        g_error_free(local);
        return NULL;
    }
    RaSessionTable *t = ra_sessions_parse(data, len, path, error);
    g_free(data);
    return t;
}

static gchar *local_domain(void)
{
    gchar *host = g_ascii_strup(g_get_host_name(), -1);
    gchar *dot = strchr(host, '.');
    if (dot)
        *dot = '\0';
    return host;
}

RaSessionTable *ra_sessions_from_utmp(const char *path, GError **error)
{
    const char *file = path ? path : _PATH_UTMPX;
    /* getutxent() reports no error for a missing file: check it can be read first. */
    if (g_access(file, R_OK) != 0) {
        int e = errno;
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot read %s: %s", file, g_strerror(e));
        return NULL;
    }
    gchar *source = g_strdup_printf("utmp %s", file);
    RaSessionTable *table = table_new(source);
    g_free(source);
    gchar *domain = local_domain();
    /* The utmpx functions keep global state: this runs once at start-up, on one thread. */
    utmpxname(file);
    setutxent();
    struct utmpx *u;
    while ((u = getutxent()) != NULL) {
        if (u->ut_type != USER_PROCESS)
            continue;
        guint32 id = u->ut_session ? (guint32)u->ut_session : (guint32)u->ut_pid;
        if (id == G_MAXUINT32 || ra_sessions_find(table, id))
            continue;
        RaSession *s = g_new0(RaSession, 1);
        s->id = id;
        s->domain = g_strdup(domain);
        s->user = g_strndup(u->ut_user, sizeof u->ut_user);
        s->state = RA_SESSION_ACTIVE;
        g_ptr_array_add(table->sessions, s);
    }
    endutxent();
    utmpxname(_PATH_UTMPX);
    g_free(domain);
    g_ptr_array_sort(table->sessions, compare_ids);
    return table;
}

GPtrArray *ra_sessions_reportable(const RaSessionTable *table)
{
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < table->sessions->len; i++) {
        RaSession *s = g_ptr_array_index(table->sessions, i);
        /* [MS-RAI] 3.3.4.1.2: Idle and Disconnected sessions are not returned. */
        if (s->state == RA_SESSION_IDLE || s->state == RA_SESSION_DISCONNECTED)
            continue;
        g_ptr_array_add(out, s);
    }
    return out;
}

gchar *ra_session_entry(const RaSession *session)
{
    return g_strdup_printf("%s\\%s:%u", session->domain, session->user, session->id);
}
