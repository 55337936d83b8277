/*
 * Unit tests of the session table (ra/sessions.h): the committed example table
 * (testdata/sessions/example.ini), each refusal of a bad table, the GetSessionInfo filter and
 * entry format, and utmp reading from a synthetic utmp file.
 */
#define _GNU_SOURCE
#include "ra/error.h"
#include "ra/sessions.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utmpx.h>

static gchar *testdata_path(const char *name)
{
    const char *dir = g_getenv("RAI_TESTDATA");
    g_assert_nonnull(dir);
    return g_build_filename(dir, "sessions", name, NULL);
}

static void test_example(void)
{
    g_autofree gchar *path = testdata_path("example.ini");
    GError *error = NULL;
    g_autoptr(RaSessionTable) t = ra_sessions_load_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(t->sessions->len, ==, 10);
    /* Sorted by id; every field as written. */
    static const struct {
        guint32 id;
        const char *domain, *user;
        RaSessionState state;
    } want[] = {
        {1, "CONTOSO", "alice", RA_SESSION_ACTIVE},
        {2, "CONTOSO", "bob", RA_SESSION_CONNECTED},
        {3, "CONTOSO", "carol", RA_SESSION_DISCONNECTED},
        {4, "CONTOSO", "dave", RA_SESSION_IDLE},
        {5, "", "", RA_SESSION_LISTEN},
        {6, "WORKGROUP", "\xc5\x81ukasz", RA_SESSION_SHADOW},
        {7, "CONTOSO", "erin", RA_SESSION_CONNECT_QUERY},
        {8, "CONTOSO", "frank", RA_SESSION_RESET},
        {9, "CONTOSO", "grace", RA_SESSION_DOWN},
        {10, "CONTOSO", "heidi", RA_SESSION_INIT},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        const RaSession *s = g_ptr_array_index(t->sessions, i);
        g_assert_cmpuint(s->id, ==, want[i].id);
        g_assert_cmpstr(s->domain, ==, want[i].domain);
        g_assert_cmpstr(s->user, ==, want[i].user);
        g_assert_cmpint(s->state, ==, want[i].state);
        g_assert_true(ra_sessions_find(t, want[i].id) == s);
    }
    g_assert_null(ra_sessions_find(t, 11));

    /* GetSessionInfo leaves out Idle (4) and Disconnected (3) sessions. */
    g_autoptr(GPtrArray) rep = ra_sessions_reportable(t);
    GString *ids = g_string_new(NULL);
    for (guint i = 0; i < rep->len; i++) {
        g_autofree gchar *e = ra_session_entry(g_ptr_array_index(rep, i));
        g_string_append_printf(ids, "%s%s", i ? " " : "", e);
    }
    g_assert_cmpstr(ids->str, ==,
                    "CONTOSO\\alice:1 CONTOSO\\bob:2 \\:5 WORKGROUP\\\xc5\x81ukasz:6 "
                    "CONTOSO\\erin:7 CONTOSO\\frank:8 CONTOSO\\grace:9 CONTOSO\\heidi:10");
    g_string_free(ids, TRUE);
}

static void test_state_names(void)
{
    static const char *const names[] = {"active",       "connected", "connectquery", "shadow",
                                        "disconnected", "idle",      "listen",       "reset",
                                        "down",         "init"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        RaSessionState s;
        g_assert_true(ra_session_state_parse(names[i], &s));
        g_assert_cmpint(s, ==, i);
        g_assert_cmpstr(ra_session_state_name(i), ==, names[i]);
        g_autofree gchar *upper = g_ascii_strup(names[i], -1);
        g_assert_true(ra_session_state_parse(upper, &s));
        g_assert_cmpint(s, ==, i);
    }
    RaSessionState s;
    g_assert_false(ra_session_state_parse("invalid", &s));
    g_assert_false(ra_session_state_parse("", &s));
    g_assert_cmpstr(ra_session_state_enum_name(0), ==, "pchActive");
    g_assert_cmpstr(ra_session_state_enum_name(2), ==, "pchConnectQuery");
    g_assert_cmpstr(ra_session_state_enum_name(10), ==, "pchStateInvalid");
    g_assert_null(ra_session_state_enum_name(11));
    g_assert_null(ra_session_state_name(0x10000));
}

/* Each bad table, and a fragment of the message it must produce. */
static const struct {
    const char *text;
    const char *message;
} bad_tables[] = {
    {"[session]\nstate = active\n", "is not [session N]"},
    {"[session x1]\nstate = active\n", "is not [session N]"},
    {"[sessions 1]\nstate = active\n", "is not [session N]"},
    {"[session 4294967295]\nstate = active\n", "is not [session N]"},
    {"[session 99999999999]\nstate = active\n", "is not [session N]"},
    {"[session 1]\nuser = a\n", "has no state"},
    {"[session 1]\nstate = running\n", "state 'running' is not one of"},
    {"[session 1]\nstate = invalid\n", "state 'invalid' is not one of"},
    {"[session 1]\nstate = active\nusr = a\n", "unknown key 'usr'"},
    {"[session 1]\nstate = active\n[session 01]\nstate = idle\n", "listed twice"},
    {"state = active\n", "t.ini"},
    {"[session 1\n", "t.ini"},
};

static void test_bad_tables(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(bad_tables); i++) {
        GError *error = NULL;
        RaSessionTable *t =
            ra_sessions_parse(bad_tables[i].text, strlen(bad_tables[i].text), "t.ini", &error);
        g_assert_null(t);
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_test_message("case %u: %s", i, error->message);
        g_assert_nonnull(strstr(error->message, bad_tables[i].message));
        g_error_free(error);
    }
    GError *error = NULL;
    g_assert_null(ra_sessions_load_file("/nonexistent/sessions.ini", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_error_free(error);
}

static void test_empty_table(void)
{
    GError *error = NULL;
    g_autoptr(RaSessionTable) t = ra_sessions_parse("# nothing\n", 10, "empty", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(t->sessions->len, ==, 0);
    g_autoptr(GPtrArray) rep = ra_sessions_reportable(t);
    g_assert_cmpuint(rep->len, ==, 0);
}

static void add_utmp(FILE *f, short type, pid_t pid, pid_t session, const char *user)
{
    struct utmpx u;
    memset(&u, 0, sizeof u);
    u.ut_type = type;
    u.ut_pid = pid;
    u.ut_session = session;
    g_strlcpy(u.ut_user, user, sizeof u.ut_user);
    g_strlcpy(u.ut_line, "pts/0", sizeof u.ut_line);
    g_assert_cmpuint(fwrite(&u, sizeof u, 1, f), ==, 1);
}

static void test_utmp(void)
{
    g_autofree gchar *dir = g_dir_make_tmp("test-sessions-XXXXXX", NULL);
    g_autofree gchar *path = g_build_filename(dir, "utmp", NULL);
    FILE *f = fopen(path, "wb");
    g_assert_nonnull(f);
    add_utmp(f, BOOT_TIME, 0, 0, "reboot");
    add_utmp(f, LOGIN_PROCESS, 10, 0, "LOGIN");
    add_utmp(f, USER_PROCESS, 1234, 0, "alice");
    add_utmp(f, DEAD_PROCESS, 1300, 0, "gone");
    add_utmp(f, USER_PROCESS, 1400, 77, "bob");
    add_utmp(f, USER_PROCESS, 1500, 77, "bob-again"); /* same session: reported once */
    fclose(f);

    GError *error = NULL;
    g_autoptr(RaSessionTable) t = ra_sessions_from_utmp(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(t->sessions->len, ==, 2);
    g_autofree gchar *domain = g_ascii_strup(g_get_host_name(), -1);
    if (strchr(domain, '.'))
        *strchr(domain, '.') = '\0';
    const RaSession *a = ra_sessions_find(t, 1234);
    g_assert_nonnull(a);
    g_assert_cmpstr(a->user, ==, "alice");
    g_assert_cmpstr(a->domain, ==, domain);
    g_assert_cmpint(a->state, ==, RA_SESSION_ACTIVE);
    const RaSession *b = ra_sessions_find(t, 77);
    g_assert_nonnull(b);
    g_assert_cmpstr(b->user, ==, "bob");
    g_assert_nonnull(strstr(t->source, path));

    g_unlink(path);
    g_rmdir(dir);
    g_assert_null(ra_sessions_from_utmp(path, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_error_free(error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sessions/example", test_example);
    g_test_add_func("/sessions/state-names", test_state_names);
    g_test_add_func("/sessions/bad-tables", test_bad_tables);
    g_test_add_func("/sessions/empty", test_empty_table);
    g_test_add_func("/sessions/utmp", test_utmp);
    return g_test_run();
}
