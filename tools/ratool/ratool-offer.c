/*
 * ratool offer: the expert side of [MS-RAI]. Asks a novice over DCOM for a Remote Assistance
 * connection string (IRASrv, falling back to IPCHService as Windows experts do), prints it parsed,
 * and can save it as an invitation file.
 *
 *   ratool offer HOST [--port 135] --user 'DOMAIN\user' --password PASS
 *                [--interface auto|irasrv|ipchservice] [--session ID]
 *                [--invite-out FILE --invite-password PASS] [--json]
 *
 * Exit status: 0 a connection string was obtained; 1 the novice refused or the exchange failed
 * (wrong password, not a helper, ERROR_CANNOT_MAKE, unreachable, ...); 2 bad usage.
 */
#include "cliutil.h"
#include "print.h"
#include "ratool.h"

#include "ra/connstr.h"
#include "ra/invite.h"
#include "ra/rai-client.h"
#include "ra/sessions.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

/* DtLength of --invite-out's invitation: Windows' default, six hours. */
#define INVITE_MINUTES 360

typedef struct {
    gint port;
    gchar *user;
    gchar *password;
    gchar *interface;
    gint64 session;
    gchar *invite_out;
    gchar *invite_password;
    gchar *invite_password_file;
    gboolean json;
    gchar *level;
    gchar *trace;
    gint timeout;
    gboolean quiet;
} OfferOptions;

typedef struct {
    FILE *trace;
    gboolean quiet;
} OfferRun;

static void on_note(const char *message, gpointer data)
{
    const OfferRun *run = data;
    if (!run->quiet)
        fprintf(stderr, "ratool offer: %s\n", message);
}

/* --trace: one line per PDU, "<connection> <O|I> <hex>" (O = sent by us), for capture tools. */
static void on_trace(guint connection, gboolean sent, const guint8 *pdu, gsize len, gpointer data)
{
    const OfferRun *run = data;
    if (run->trace == NULL)
        return;
    fprintf(run->trace, "%u %c ", connection, sent ? 'O' : 'I');
    for (gsize i = 0; i < len; i++)
        fprintf(run->trace, "%02x", pdu[i]);
    fputc('\n', run->trace);
}

/* Asks on the terminal which session to offer help in. */
static gint on_choose(const GPtrArray *sessions, gpointer data, GError **error)
{
    if (!isatty(STDIN_FILENO)) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                    "the novice has %u sessions; choose one with --session", sessions->len);
        return -1;
    }
    fprintf(stderr, "The novice has several sessions:\n");
    for (guint i = 0; i < sessions->len; i++) {
        const RaRaiExpertSession *s = g_ptr_array_index(sessions, i);
        fprintf(stderr, "  %u) session %u, %s\\%s\n", i + 1, s->id, s->domain, s->user);
    }
    fprintf(stderr, "Offer help in which one (1-%u)? ", sessions->len);
    fflush(stderr);
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "no session chosen");
        return -1;
    }
    gchar *end;
    guint64 n = g_ascii_strtoull(line, &end, 10);
    if (end == line || n < 1 || n > sessions->len) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "'%s' is not one of 1-%u",
                    g_strstrip(line), sessions->len);
        return -1;
    }
    return (gint)n - 1;
}

/* The state's key-file name; NULL when unknown (IRASrv), "out of range" past pchStateInvalid. */
static const char *state_name(gint state)
{
    if (state < 0)
        return NULL;
    const char *name = ra_session_state_name((guint32)state);
    return name != NULL ? name : "out of range";
}

/* The connection string parsed (NULL with *error when it does not parse). */
typedef struct {
    RaConnStr1 *cs1;
    RaConnStr2 *cs2;
    gchar *error;
} Parsed;

static void parse_cs(int version, const char *text, Parsed *p)
{
    GError *error = NULL;
    memset(p, 0, sizeof *p);
    if (version == 2)
        p->cs2 = ra_connstr2_parse(text, strlen(text), &error);
    else
        p->cs1 = ra_connstr1_parse(text, strlen(text), &error);
    if (error) {
        p->error = g_strdup(error->message);
        g_error_free(error);
    }
}

static void parsed_clear(Parsed *p)
{
    ra_connstr1_free(p->cs1);
    ra_connstr2_free(p->cs2);
    g_free(p->error);
}

/* What --invite-out wrote. */
typedef struct {
    const char *file;
    gsize bytes;
    int type;
    const char *username;
    gchar *passstub;
    gint64 created;
    guint minutes;
} Invitation;

/* Every value that comes from the novice goes through ratool_append_line*(): control characters
 * are shown escaped, so a hostile novice cannot rewrite the terminal. */
static void print_text(GString *out, const RaRaiOfferResult *r, const char *host, guint16 port,
                       const Parsed *p, const Invitation *inv)
{
    ratool_append_linef(out, "novice", "%s port %u", host, port);
    ratool_append_line(out, "interface", r->interface);
    if (r->fallback_reason)
        ratool_append_linef(out, "fallback", "IRASrv failed: %s", r->fallback_reason);
    ratool_append_linef(out, "exporter", "%s (OXID 0x%016" G_GINT64_MODIFIER "x, COM %u.%u)",
                        r->exporter.binding ? r->exporter.binding : "?", r->exporter.oxid,
                        r->exporter.server_version.major, r->exporter.server_version.minor);
    for (guint i = 0; i < r->sessions->len; i++) {
        const RaRaiExpertSession *s = g_ptr_array_index(r->sessions, i);
        const char *st = state_name(s->state);
        gboolean usable = ra_rai_expert_session_usable(s);
        g_autofree gchar *key = g_strdup_printf("session[%u]", i);
        ratool_append_linef(out, key, "%u %s\\%s%s%s%s%s", s->id, s->domain, s->user, st ? " " : "",
                            st ? st : "", usable ? "" : " (no domain or user: ignored)",
                            s == r->chosen ? " (chosen)" : "");
    }
    g_autofree gchar *key = g_strdup_printf("connection string %d", r->version);
    ratool_append_line(out, key, r->connection_string);
    if (p->error)
        ratool_append_linef(out, "warning", "the connection string does not parse: %s", p->error);
    if (p->cs2) {
        ratool_print_cs2(out, p->cs2);
        ratool_print_connstr_warnings(out, p->cs2->warnings);
    }
    if (p->cs1) {
        ratool_print_cs1(out, p->cs1);
        ratool_print_connstr_warnings(out, p->cs1->warnings);
    }
    if (inv) {
        g_autofree gchar *expires = ratool_time_text(inv->created + (gint64)inv->minutes * 60);
        ratool_append_linef(out, "invitation", "%s (type %d, %" G_GSIZE_FORMAT " bytes)", inv->file,
                            inv->type, inv->bytes);
        ratool_append_line(out, "invitation.USERNAME", inv->username);
        ratool_append_line(out, "invitation.PassStub", inv->passstub);
        ratool_append_line(out, "invitation.expires", expires);
    }
}

/* The JSON object of `ratool offer --json` (keys documented in docs/ratool.1, JSON OUTPUT). */
static void print_json(RatoolJson *j, const RaRaiOfferResult *r, const char *host, guint16 port,
                       const Parsed *p, const Invitation *inv)
{
    ratool_json_begin_object(j, NULL);
    ratool_json_begin_object(j, "novice");
    ratool_json_string(j, "host", host);
    ratool_json_int(j, "port", port);
    ratool_json_end_object(j);
    ratool_json_string(j, "interface", r->interface);
    ratool_json_string(j, "fallback_reason", r->fallback_reason);
    ratool_json_begin_object(j, "exporter");
    ratool_json_string(j, "binding", r->exporter.binding);
    g_autofree gchar *oxid = g_strdup_printf("0x%016" G_GINT64_MODIFIER "x", r->exporter.oxid);
    ratool_json_string(j, "oxid", oxid);
    g_autofree gchar *com = g_strdup_printf("%u.%u", r->exporter.server_version.major,
                                            r->exporter.server_version.minor);
    ratool_json_string(j, "com_version", com);
    ratool_json_end_object(j);
    ratool_json_begin_array(j, "sessions");
    for (guint i = 0; i < r->sessions->len; i++) {
        const RaRaiExpertSession *s = g_ptr_array_index(r->sessions, i);
        ratool_json_begin_object(j, NULL);
        ratool_json_int(j, "id", s->id);
        ratool_json_string(j, "domain", s->domain);
        ratool_json_string(j, "user", s->user);
        ratool_json_string(j, "state", state_name(s->state));
        ratool_json_bool(j, "usable", ra_rai_expert_session_usable(s));
        ratool_json_bool(j, "chosen", s == r->chosen);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    ratool_json_int(j, "version", r->version);
    ratool_json_string(j, "text", r->connection_string);
    if (p->cs2)
        ratool_json_cs2(j, "connection_string", r->connection_string, p->cs2);
    else if (p->cs1)
        ratool_json_cs1(j, "connection_string", r->connection_string, p->cs1);
    else
        ratool_json_null(j, "connection_string");
    ratool_json_string(j, "parse_error", p->error);
    if (inv) {
        ratool_json_begin_object(j, "invitation");
        ratool_json_string(j, "file", inv->file);
        ratool_json_int(j, "bytes", (gint64)inv->bytes);
        ratool_json_int(j, "type", inv->type);
        ratool_json_string(j, "username", inv->username);
        ratool_json_string(j, "passstub", inv->passstub);
        ratool_json_time(j, "created", inv->created);
        ratool_json_int(j, "valid_minutes", inv->minutes);
        ratool_json_time(j, "expires", inv->created + (gint64)inv->minutes * 60);
        ratool_json_end_object(j);
    } else {
        ratool_json_null(j, "invitation");
    }
    ratool_json_end_object(j);
}

/*
 * --invite-out: an invitation file for the connection string, as make-invite writes it: type 2
 * (LHTICKET and RCTICKET) for a Connection String 2, type 1 (RCTICKET) for a Connection String 1;
 * USERNAME is the user of the session chosen. The file must read back.
 */
static gboolean write_invitation(const RaRaiOfferResult *r, const char *path, const char *password,
                                 Invitation *inv, GError **error)
{
    ratool_seed_random_from_env();
    RaInviteSpec spec = {
        .type = r->version == 2 ? 2 : 1,
        .connstr = r->connection_string,
        .password = password,
        .username = r->chosen && *r->chosen->user ? r->chosen->user : "Novice",
        .start = ratool_now(),
        .length_minutes = INVITE_MINUTES,
    };
    gchar *passstub = NULL;
    g_autoptr(GBytes) file = ra_invite_build(&spec, &passstub, error);
    if (file == NULL)
        return FALSE;
    gsize n = 0;
    const guint8 *bytes = g_bytes_get_data(file, &n);
    g_autoptr(RaInvite) check = ra_invite_parse(bytes, n, error);
    if (check == NULL || !ra_invite_decrypt(check, password, error) ||
        !g_file_set_contents(path, (const char *)bytes, (gssize)n, error)) {
        g_free(passstub);
        return FALSE;
    }
    inv->file = path;
    inv->bytes = n;
    inv->type = spec.type;
    inv->username = spec.username;
    inv->passstub = passstub;
    inv->created = spec.start;
    inv->minutes = spec.length_minutes;
    return TRUE;
}

static void clear_secret(gchar *s)
{
    if (s)
        memset(s, 0, strlen(s));
}

int ratool_offer(int argc, char **argv)
{
    OfferOptions o = {0};
    o.port = 135;
    o.session = -1;
    GOptionEntry entries[] = {
        {"port", 0, 0, G_OPTION_ARG_INT, &o.port, "The novice's activation port (default 135)",
         "PORT"},
        {"user", 'u', 0, G_OPTION_ARG_STRING, &o.user,
         "The expert's account (a member of the novice's helpers group)", "'DOMAIN\\user'"},
        {"password", 'p', 0, G_OPTION_ARG_STRING, &o.password, "Its password", "PASS"},
        {"interface", 0, 0, G_OPTION_ARG_STRING, &o.interface,
         "IRASrv (Vista and later), IPCHService (XP), or auto: IRASrv, then IPCHService "
         "(default)",
         "auto|irasrv|ipchservice"},
        {"session", 0, 0, G_OPTION_ARG_INT64, &o.session,
         "The session to offer help in (default: the only one, or ask)", "ID"},
        {"invite-out", 0, 0, G_OPTION_ARG_FILENAME, &o.invite_out,
         "Also write an invitation file with the connection string", "FILE"},
        {"invite-password", 0, 0, G_OPTION_ARG_STRING, &o.invite_password,
         "The invitation's password (without it or --invite-password-file: asked on the "
         "terminal)",
         "PASS"},
        {"invite-password-file", 0, 0, G_OPTION_ARG_FILENAME, &o.invite_password_file,
         "Read the invitation's password from the first line of F", "F"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o.json, "Print one JSON object (keys in ratool(1))",
         NULL},
        {"auth-level", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.level,
         "Authentication level (default privacy)", "integrity|privacy"},
        {"trace", 0, 0, G_OPTION_ARG_FILENAME, &o.trace,
         "Write every PDU exchanged to FILE, one per line: connection, O|I, hex", "FILE"},
        {"timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout,
         "Seconds to wait for the novice at each step (default 30)", "SECONDS"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress notes on stderr", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *context = g_option_context_new("HOST - offer Remote Assistance to a novice");
    g_option_context_set_summary(
        context, "Asks the novice at HOST over DCOM for a Remote Assistance connection string\n"
                 "([MS-RAI]): lists its sessions, chooses one, prints the string parsed.\n"
                 "Connects with NTLMv2 at packet privacy.");
    g_option_context_add_main_entries(context, entries, NULL);
    gboolean parsed = ratool_parse_options(context, &argc, &argv);
    g_option_context_free(context);
    int status = RATOOL_EXIT_USAGE;
    OfferRun run = {NULL, o.quiet};
    gchar *domain = NULL, *user = NULL, *invite_password = NULL;
    RaRaiOfferResult *result = NULL;
    GError *error = NULL;
    if (!parsed)
        goto out;
    run.quiet = o.quiet;
    if (argc != 2) {
        ratool_fail("offer: %s (try --help)", argc < 2 ? "HOST is missing" : "too many arguments");
        goto out;
    }
    if (o.user == NULL || o.password == NULL) {
        ratool_fail("offer: --user and --password are required");
        goto out;
    }
    if (o.port < 1 || o.port > 65535 || o.session > G_MAXUINT32 - 1 || o.session < -1 ||
        o.timeout < 0) {
        ratool_fail("offer: --port must be 1-65535, --session a session id, --timeout positive");
        goto out;
    }
    RaRaiExpertConfig config = {0};
    config.iface = RA_RAI_EXPERT_AUTO;
    if (o.interface && !ra_rai_expert_interface_parse(o.interface, &config.iface)) {
        ratool_fail("offer: --interface %s: use auto, irasrv or ipchservice", o.interface);
        goto out;
    }
    if (o.invite_out == NULL && (o.invite_password || o.invite_password_file)) {
        ratool_fail("offer: --invite-password and --invite-password-file go with --invite-out");
        goto out;
    }
    if (o.invite_password && o.invite_password_file) {
        ratool_fail("offer: --invite-password and --invite-password-file exclude each other");
        goto out;
    }
    if (o.invite_out) {
        /* Asked (on a terminal) before anything goes on the network. */
        if (!ratool_get_password(o.invite_password, o.invite_password_file,
                                 "Password for the invitation: ", TRUE, &invite_password, &error)) {
            status = RATOOL_EXIT_DATA;
            ratool_error("offer: --invite-password-file", error);
            goto out;
        }
        if (invite_password == NULL) {
            ratool_fail("offer: --invite-out needs a password: --invite-password, "
                        "--invite-password-file, or a terminal to ask on");
            goto out;
        }
    }
    config.dcom.auth.level = RA_AUTH_LEVEL_PKT_PRIVACY;
    if (o.level && g_ascii_strcasecmp(o.level, "integrity") == 0) {
        config.dcom.auth.level = RA_AUTH_LEVEL_PKT_INTEGRITY;
    } else if (o.level && g_ascii_strcasecmp(o.level, "privacy") != 0) {
        ratool_fail("offer: --auth-level %s: use integrity or privacy", o.level);
        goto out;
    }
    const char *slash = strchr(o.user, '\\');
    domain = slash ? g_strndup(o.user, (gsize)(slash - o.user)) : g_strdup("");
    user = g_strdup(slash ? slash + 1 : o.user);
    if (*user == '\0') {
        ratool_fail("offer: --user '%s' has no user name", o.user);
        goto out;
    }
    status = RATOOL_EXIT_DATA;
    if (o.trace) {
        run.trace = fopen(o.trace, "w");
        if (run.trace == NULL) {
            ratool_fail("offer: --trace %s: %s", o.trace, g_strerror(errno));
            goto out;
        }
    }
    config.dcom.host = argv[1];
    config.dcom.port = (guint16)o.port;
    config.dcom.auth.domain = domain;
    config.dcom.auth.user = user;
    config.dcom.auth.password = o.password;
    config.dcom.timeout_ms = (guint)(o.timeout ? o.timeout : 30) * 1000;
    config.has_session = o.session >= 0;
    config.session_id = (guint32)(o.session >= 0 ? o.session : 0);
    config.choose = on_choose;
    config.note = on_note;
    config.user_data = &run;
    config.trace = run.trace ? on_trace : NULL;
    config.trace_data = &run;
    result = ra_rai_expert_offer(&config, &error);
    if (result == NULL) {
        if (g_error_matches(error, RA_ERROR, RA_ERROR_FAULT) &&
            strstr(error->message, "nca_s_fault_access_denied") != NULL)
            g_prefix_error(&error, "the novice refused the authentication (wrong password or "
                                   "unknown account?): ");
        ratool_error("offer", error);
        goto out;
    }
    Parsed pcs;
    parse_cs(result->version, result->connection_string, &pcs);
    Invitation inv = {0};
    gboolean invited = FALSE;
    if (o.invite_out) {
        invited = write_invitation(result, o.invite_out, invite_password, &inv, &error);
        if (!invited) {
            g_prefix_error(&error, "--invite-out %s: ", o.invite_out);
            ratool_error("offer", error);
        }
    }
    gchar *text;
    if (o.json) {
        RatoolJson *j = ratool_json_new();
        print_json(j, result, argv[1], (guint16)o.port, &pcs, invited ? &inv : NULL);
        text = ratool_json_free_to_string(j);
    } else {
        GString *out = g_string_new(NULL);
        print_text(out, result, argv[1], (guint16)o.port, &pcs, invited ? &inv : NULL);
        text = g_string_free(out, FALSE);
    }
    gboolean written = ratool_write_stdout(text, strlen(text));
    g_free(text);
    g_free(inv.passstub);
    parsed_clear(&pcs);
    status = written && (invited || !o.invite_out) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
out:
    g_clear_error(&error);
    if (run.trace)
        fclose(run.trace);
    ra_rai_offer_result_free(result);
    clear_secret(o.password);
    clear_secret(o.invite_password);
    clear_secret(invite_password);
    g_free(invite_password);
    g_free(o.invite_password_file);
    g_free(o.user);
    g_free(o.password);
    g_free(o.interface);
    g_free(o.invite_out);
    g_free(o.invite_password);
    g_free(o.level);
    g_free(o.trace);
    g_free(domain);
    g_free(user);
    return status;
}
