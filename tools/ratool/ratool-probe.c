/*
 * `ratool probe HOST [--user 'DOMAIN\user' --password PASS] [--port 135] [--timeout S] [--json]`:
 * a live check of a novice, step by step (ra/probe.h): each step PASS, WARN, FAIL or SKIP with
 * its evidence, its cause and the next thing to try, then a one-line verdict.
 *
 * Text: each step printed as soon as it is decided. JSON (--json): one object at the end (keys in
 * docs/ratool.1).
 *
 * Exit status: 0 when no step failed (warnings allowed), 10 + the first failing step (10 tcp,
 * 11 epm, 12 resolver, 13 auth, 14 rasrv, 15 pchservice, 16 helpers, 17 bindings, 18 policy,
 * 19 sessions), 2 for a bad command line, 1 for a password file that cannot be read.
 */
#include "cliutil.h"
#include "json.h"
#include "ratool.h"

#include "ra/pdu.h"
#include "ra/probe.h"
#include "ra/troubleshoot.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    gchar *user;
    gchar *password;
    gchar *password_file;
    gchar *nt_hash;
    gchar *level;
    gint port;
    gint timeout;
    gboolean json;
} ProbeOptions;

static gchar *elapsed_text(gint64 us)
{
    return g_strdup_printf("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT " ms", us / 1000, us % 1000);
}

static void print_step(const RaProbeStep *s, gpointer data)
{
    GString *out = g_string_new(NULL);
    gchar *ms = elapsed_text(s->elapsed_us);
    g_string_append_printf(out, "[%s] %-10s %s (%s)\n", ra_probe_status_name(s->status),
                           ra_probe_step_key(s->id), ra_probe_step_title(s->id), ms);
    g_free(ms);
    gchar *ev = ratool_text_value(s->evidence);
    g_string_append_printf(out, "       %s\n", ev);
    g_free(ev);
    if (s->trouble >= 0) {
        const RaTrouble *t = ra_trouble((RaTroubleId)s->trouble);
        gchar *cause = ratool_text_value(t->cause);
        g_string_append_printf(out, "       cause (%s, %s): %s\n", t->key, t->name, cause);
        g_free(cause);
    }
    if (s->next != NULL) {
        gchar *next = ratool_text_value(s->next);
        g_string_append_printf(out, "       next: %s\n", next);
        g_free(next);
    }
    ratool_write_stdout(out->str, out->len);
    fflush(stdout);
    g_string_free(out, TRUE);
}

static gchar *json_result(const RaProbeResult *r, const char *host, guint16 port, const char *who,
                          int exit_status)
{
    RatoolJson *j = ratool_json_new();
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "host", host);
    ratool_json_int(j, "port", port);
    if (who)
        ratool_json_string(j, "user", who);
    else
        ratool_json_null(j, "user");
    ratool_json_begin_array(j, "steps");
    for (guint i = 0; i < RA_PROBE_N_STEPS; i++) {
        const RaProbeStep *s = &r->steps[i];
        ratool_json_begin_object(j, NULL);
        ratool_json_string(j, "step", ra_probe_step_key(s->id));
        ratool_json_string(j, "title", ra_probe_step_title(s->id));
        ratool_json_string(j, "status", ra_probe_status_name(s->status));
        ratool_json_string(j, "evidence", s->evidence);
        if (s->trouble >= 0) {
            const RaTrouble *t = ra_trouble((RaTroubleId)s->trouble);
            ratool_json_begin_object(j, "trouble");
            ratool_json_string(j, "id", t->key);
            ratool_json_string(j, "name", t->name);
            ratool_json_string(j, "cause", t->cause);
            ratool_json_string(j, "remedy", t->remedy);
            ratool_json_end_object(j);
        } else {
            ratool_json_null(j, "trouble");
        }
        if (s->next)
            ratool_json_string(j, "next", s->next);
        else
            ratool_json_null(j, "next");
        ratool_json_int(j, "elapsed_us", s->elapsed_us);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    if (r->first_failure >= 0)
        ratool_json_string(j, "first_failure", ra_probe_step_key((RaProbeStepId)r->first_failure));
    else
        ratool_json_null(j, "first_failure");
    ratool_json_string(j, "verdict", r->verdict);
    ratool_json_int(j, "exit_status", exit_status);
    ratool_json_end_object(j);
    return ratool_json_free_to_string(j);
}

int ratool_probe(int argc, char **argv)
{
    ProbeOptions o = {0};
    o.port = 135;
    GOptionEntry entries[] = {
        {"user", 'u', 0, G_OPTION_ARG_STRING, &o.user,
         "The expert's account (without it only the steps before the logon run)", "'DOMAIN\\user'"},
        {"password", 'p', 0, G_OPTION_ARG_STRING, &o.password,
         "Its password (else --password-file, --nt-hash, or asked on the terminal)", "PASS"},
        {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &o.password_file,
         "Read the password from the first line of F", "F"},
        {"nt-hash", 0, 0, G_OPTION_ARG_STRING, &o.nt_hash,
         "The account's NT hash instead of a password (32 hex digits)", "HEX"},
        {"port", 0, 0, G_OPTION_ARG_INT, &o.port, "The novice's DCOM port (default 135)", "PORT"},
        {"timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout,
         "Seconds to wait for each connection and answer (default 10)", "SECONDS"},
        {"auth-level", 0, 0, G_OPTION_ARG_STRING, &o.level,
         "Authentication level to log on at (default privacy, what Windows experts use)",
         "integrity|privacy"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o.json, "Print one JSON object (keys in ratool(1))",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context =
        g_option_context_new("HOST - check step by step whether a novice can be offered help");
    g_option_context_set_summary(
        context,
        "Checks a novice live: TCP port 135, the endpoint mapper, ServerAlive2, every advertised\n"
        "binding, the NTLM logon at packet privacy, the RASrv and PCHService activations, the\n"
        "helpers group, the policy and the sessions - each step PASS/WARN/FAIL/SKIP with its\n"
        "evidence and the next thing to try - then a one-line verdict. It never offers or\n"
        "changes anything. Exit status: 0, or 10 + the first failing step (see ratool(1)).");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean parsed = ratool_parse_options(context, &argc, &argv);
    g_option_context_free(context);
    int status = RATOOL_EXIT_USAGE;
    gchar *domain = NULL, *user = NULL, *password = NULL, *who = NULL;
    guint8 hash[16];
    gboolean has_hash = FALSE;
    GError *error = NULL;
    RaProbeResult *r = NULL;
    if (!parsed)
        goto out;
    if (argc != 2) {
        ratool_fail("probe: %s (try --help)", argc < 2 ? "HOST is missing" : "too many arguments");
        goto out;
    }
    if (o.port < 1 || o.port > 65535 || o.timeout < 0 || o.timeout > 3600) {
        ratool_fail("probe: --port must be 1-65535, --timeout 0-3600 seconds");
        goto out;
    }
    guint8 level = RA_AUTH_LEVEL_PKT_PRIVACY;
    if (o.level && g_ascii_strcasecmp(o.level, "integrity") == 0) {
        level = RA_AUTH_LEVEL_PKT_INTEGRITY;
    } else if (o.level && g_ascii_strcasecmp(o.level, "privacy") != 0) {
        ratool_fail("probe: --auth-level %s: use integrity or privacy", o.level);
        goto out;
    }
    if (o.user == NULL && (o.password || o.password_file || o.nt_hash)) {
        ratool_fail("probe: --password, --password-file and --nt-hash go with --user");
        goto out;
    }
    if ((o.password != NULL) + (o.password_file != NULL) + (o.nt_hash != NULL) > 1) {
        ratool_fail("probe: give one of --password, --password-file and --nt-hash");
        goto out;
    }
    if (o.user != NULL) {
        const char *slash = strchr(o.user, '\\');
        domain = slash ? g_strndup(o.user, (gsize)(slash - o.user)) : g_strdup("");
        user = g_strdup(slash ? slash + 1 : o.user);
        if (*user == '\0') {
            ratool_fail("probe: --user '%s' has no user name", o.user);
            goto out;
        }
        who = *domain ? g_strdup_printf("%s\\%s", domain, user) : g_strdup(user);
        if (o.nt_hash) {
            gboolean ok = strlen(o.nt_hash) == 32;
            for (guint b = 0; ok && b < 16; b++) {
                int hi = g_ascii_xdigit_value(o.nt_hash[2 * b]);
                int lo = g_ascii_xdigit_value(o.nt_hash[2 * b + 1]);
                ok = hi >= 0 && lo >= 0;
                hash[b] = (guint8)(hi * 16 + lo);
            }
            if (!ok) {
                ratool_fail("probe: --nt-hash must be 32 hexadecimal digits");
                goto out;
            }
            has_hash = TRUE;
        } else {
            if (!ratool_get_password(o.password, o.password_file, "Password: ", FALSE, &password,
                                     &error)) {
                status = RATOOL_EXIT_DATA;
                ratool_error("probe: password", error);
                goto out;
            }
            if (password == NULL) {
                ratool_fail("probe: --user needs --password, --password-file, --nt-hash or a "
                            "terminal to ask on");
                goto out;
            }
        }
    }
    RaProbeConfig config = {0};
    config.host = argv[1];
    config.port = (guint16)o.port;
    config.timeout_ms = (guint)(o.timeout ? o.timeout : 10) * 1000;
    config.domain = domain;
    config.user = user;
    config.password = password;
    config.nt_hash = has_hash ? hash : NULL;
    config.level = level;
    if (!o.json) {
        gchar *host = ratool_text_value(argv[1]);
        gchar *as = who ? ratool_text_value(who) : NULL;
        printf("probe of %s port %d%s%s\n", host, o.port, as ? " as " : " (no credentials)",
               as ? as : "");
        fflush(stdout);
        g_free(host);
        g_free(as);
        config.on_step = print_step;
    }
    r = ra_probe_run(&config);
    status = ra_probe_exit_status(r);
    if (o.json) {
        gchar *text = json_result(r, argv[1], (guint16)o.port, who, status);
        ratool_write_stdout(text, strlen(text));
        g_free(text);
    } else {
        gchar *v = ratool_text_value(r->verdict);
        printf("verdict: %s\n", v);
        g_free(v);
    }
out:
    ra_probe_result_free(r);
    g_clear_error(&error);
    if (password)
        memset(password, 0, strlen(password));
    if (o.password)
        memset(o.password, 0, strlen(o.password));
    memset(hash, 0, sizeof hash);
    g_free(password);
    g_free(domain);
    g_free(user);
    g_free(who);
    g_free(o.user);
    g_free(o.password);
    g_free(o.password_file);
    g_free(o.nt_hash);
    g_free(o.level);
    return status;
}
