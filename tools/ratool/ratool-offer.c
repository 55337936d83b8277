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
#include "ratool.h"

#include "ra/rai-client.h"
#include "ra/connstr.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

typedef struct {
    gint port;
    gchar *user;
    gchar *password;
    gchar *interface;
    gint64 session;
    gchar *invite_out;
    gchar *invite_password;
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

static const char *state_name(gint state)
{
    static const char *const names[] = {"active",       "connected", "connectquery", "shadow",
                                        "disconnected", "idle",      "listen",       "reset",
                                        "down",         "init",      "invalid"};
    if (state < 0)
        return NULL;
    return state <= 10 ? names[state] : "out of range";
}

static void print_parsed(GString *out, int version, const char *text)
{
    GError *error = NULL;
    if (version == 2) {
        RaConnStr2 *cs = ra_connstr2_parse(text, strlen(text), &error);
        if (cs == NULL) {
            g_string_append_printf(out, "warning: the connection string does not parse: %s\n",
                                   error->message);
            g_error_free(error);
            return;
        }
        g_string_append_printf(out, "cs2.A.KH: %s\n", cs->kh ? cs->kh : "");
        if (cs->kh2)
            g_string_append_printf(out, "cs2.A.KH2: %s\n", cs->kh2);
        g_string_append_printf(out, "cs2.A.ID: %s\n", cs->id ? cs->id : "");
        guint n = 0;
        for (guint t = 0; t < cs->transports->len; t++) {
            const RaTransport *tr = g_ptr_array_index(cs->transports, t);
            g_string_append_printf(out, "cs2.T: ID=%s SID=%s\n", tr->id ? tr->id : "",
                                   tr->sid ? tr->sid : "");
            for (guint l = 0; l < tr->listeners->len; l++) {
                const RaListener *li = g_ptr_array_index(tr->listeners, l);
                g_string_append_printf(out, "cs2.L[%u]: P=%s N=%s\n", n++,
                                       li->port_text ? li->port_text : "",
                                       li->name ? li->name : "");
            }
        }
        for (guint i = 0; i < cs->warnings->len; i++)
            g_string_append_printf(
                out, "warning: %s\n",
                ((RaConnStrWarning *)g_ptr_array_index(cs->warnings, i))->message);
        ra_connstr2_free(cs);
    } else {
        RaConnStr1 *cs = ra_connstr1_parse(text, strlen(text), &error);
        if (cs == NULL) {
            g_string_append_printf(out, "warning: the connection string does not parse: %s\n",
                                   error->message);
            g_error_free(error);
            return;
        }
        g_string_append_printf(out,
                               "cs1.ProtocolVersion: %s\ncs1.protocolType: %s\n"
                               "cs1.machineAddressList: %s\ncs1.assistantAccountPwd: %s\n"
                               "cs1.RASessionID: %s\ncs1.RASessionName: %s\n"
                               "cs1.RASessionPwd: %s\ncs1.protocolSpecificParms: %s\n",
                               cs->protocol_version, cs->protocol_type, cs->machine_address_list,
                               cs->assistant_account_pwd, cs->ra_session_id, cs->ra_session_name,
                               cs->ra_session_pwd, cs->protocol_specific_parms);
        for (guint i = 0; i < cs->addresses->len; i++) {
            const RaAddress *a = g_ptr_array_index(cs->addresses, i);
            g_string_append_printf(out, "cs1.address[%u]: %s port %u\n", i, a->host, a->port);
        }
        for (guint i = 0; i < cs->warnings->len; i++)
            g_string_append_printf(
                out, "warning: %s\n",
                ((RaConnStrWarning *)g_ptr_array_index(cs->warnings, i))->message);
        ra_connstr1_free(cs);
    }
}

static void print_result(const RaRaiOfferResult *r, const char *host, guint16 port)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "novice: %s port %u\n", host, port);
    g_string_append_printf(out, "interface: %s\n", r->interface);
    if (r->fallback_reason)
        g_string_append_printf(out, "fallback: IRASrv failed: %s\n", r->fallback_reason);
    g_string_append_printf(out, "exporter: %s (OXID 0x%016" G_GINT64_MODIFIER "x, COM %u.%u)\n",
                           r->exporter.binding ? r->exporter.binding : "?", r->exporter.oxid,
                           r->exporter.server_version.major, r->exporter.server_version.minor);
    for (guint i = 0; i < r->sessions->len; i++) {
        const RaRaiExpertSession *s = g_ptr_array_index(r->sessions, i);
        const char *st = state_name(s->state);
        gboolean usable = *s->domain && *s->user;
        g_string_append_printf(out, "session[%u]: %u %s\\%s%s%s%s%s\n", i, s->id, s->domain,
                               s->user, st ? " " : "", st ? st : "",
                               usable ? "" : " (no domain or user: ignored)",
                               s == r->chosen ? " (chosen)" : "");
    }
    g_string_append_printf(out, "connection string %d: %s\n", r->version, r->connection_string);
    print_parsed(out, r->version, r->connection_string);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
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
         "The invitation's password", "PASS"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print JSON", NULL},
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
    gchar *domain = NULL, *user = NULL;
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
    if ((o.invite_out == NULL) != (o.invite_password == NULL)) {
        ratool_fail("offer: --invite-out and --invite-password go together");
        goto out;
    }
    if (o.invite_out || o.json) {
        /* The invitation writer and the JSON writer come with issue 3 (tools/ratool/json.h,
         * ra/invite.h); until they are merged these options are refused rather than faked. */
        ratool_fail("offer: %s is not available in this build (it needs the invitation and JSON "
                    "writers of issue 3)",
                    o.invite_out ? "--invite-out" : "--json");
        goto out;
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
    print_result(result, argv[1], (guint16)o.port);
    status = RATOOL_EXIT_OK;
out:
    g_clear_error(&error);
    if (run.trace)
        fclose(run.trace);
    ra_rai_offer_result_free(result);
    clear_secret(o.password);
    clear_secret(o.invite_password);
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
