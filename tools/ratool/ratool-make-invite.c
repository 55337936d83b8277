/*
 * ratool make-invite (--connstr STRING | --connstr-file FILE) -o FILE [--type 1|2] ...: writes a
 * Remote Assistance invitation the way Windows does (ra_invite_build()).
 */
#include "cliutil.h"
#include "print.h"
#include "ratool.h"

#include "ra/error.h"
#include "ra/invite.h"
#include "ra/ticket.h"

#include <string.h>

#define DEFAULT_MINUTES 360                  /* Windows 10/11's default: 6 hours */
#define MAX_MINUTES     (60 * 24 * 366 * 10) /* DtLength fits Windows' 32 bits many times over */

typedef struct {
    gchar *connstr, *connstr_file, *password, *password_file, *output, *user, *encoding, *passstub;
    gint type, expires;
    gboolean no_rcticket, json;
} Options;

static int fail(const char *what, GError *error)
{
    ratool_error(what, error);
    int status = ratool_exit_status(error);
    g_error_free(error);
    return status;
}

static void print_summary(GString *out, RatoolJson *j, const Options *o, const RaInviteSpec *spec,
                          const char *passstub, gsize bytes, const RaInvite *check)
{
    gint64 expires = spec->start + (gint64)spec->length_minutes * 60;
    g_autofree gchar *created_text = ratool_time_text(spec->start);
    g_autofree gchar *expires_text = ratool_time_text(expires);
    if (j != NULL) {
        ratool_json_begin_object(j, NULL);
        ratool_json_string(j, "file", o->output);
        ratool_json_int(j, "bytes", (gint64)bytes);
        ratool_json_int(j, "type", spec->type);
        ratool_json_string(j, "encoding", spec->utf16 ? "utf-16le-bom" : "utf-8");
        ratool_json_string(j, "username", spec->username);
        ratool_json_string(j, "passstub", passstub);
        ratool_json_time(j, "created", spec->start);
        ratool_json_int(j, "valid_minutes", spec->length_minutes);
        ratool_json_time(j, "expires", expires);
        ratool_json_string(j, "rcticket", check->rcticket);
        ratool_json_end_object(j);
        return;
    }
    ratool_append_line(out, "file", o->output);
    ratool_append_linef(out, "bytes", "%" G_GSIZE_FORMAT, bytes);
    ratool_append_linef(out, "type", "%d", spec->type);
    ratool_append_line(out, "encoding", spec->utf16 ? "utf-16le-bom" : "utf-8");
    ratool_append_line(out, "upload.USERNAME", spec->username);
    ratool_append_line(out, "upload.PassStub", passstub);
    ratool_append_line(out, "created", created_text);
    ratool_append_line(out, "expires", expires_text);
    ratool_append_line(out, "upload.RCTICKET", check->rcticket);
}

static int make(Options *o)
{
    GError *error = NULL;
    g_autoptr(GBytes) connstr_data = NULL;
    g_autofree gchar *connstr = NULL;
    if (o->connstr_file != NULL) {
        connstr_data = ratool_read_input(o->connstr_file, RA_MAX_INPUT, &error);
        if (connstr_data == NULL)
            return fail(o->connstr_file, error);
        gsize n = 0;
        const char *p = g_bytes_get_data(connstr_data, &n);
        if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
        connstr = g_strndup(p, n);
        if (strlen(connstr) != n) {
            g_set_error(&error, RA_ERROR, RA_ERROR_MALFORMED,
                        "has a NUL byte (UTF-16? save it as UTF-8)");
            return fail(o->connstr_file, error);
        }
    } else {
        connstr = g_strdup(o->connstr);
    }

    gchar *password = NULL;
    if (!ratool_get_password(o->password, o->password_file, "Password for the invitation: ", TRUE,
                             &password, &error))
        return fail("make-invite", error);
    if (password == NULL) {
        ratool_fail("make-invite: a password is required: --password, --password-file, or a "
                    "terminal to ask on");
        return RATOOL_EXIT_USAGE;
    }
    ratool_seed_random_from_env();
    RaInviteSpec spec = {
        .type = o->type,
        .connstr = connstr,
        .password = password,
        .username = o->user != NULL ? o->user : g_get_user_name(),
        .passstub = o->passstub,
        .start = ratool_now(),
        .length_minutes = (guint)o->expires,
        .utf16 = g_strcmp0(o->encoding, "utf-16") == 0,
        .omit_rcticket = o->no_rcticket,
    };
    gchar *passstub = NULL;
    g_autoptr(GBytes) file = ra_invite_build(&spec, &passstub, &error);
    memset(password, 0, strlen(password));
    g_free(password);
    if (file == NULL)
        return fail("make-invite", error);
    g_autofree gchar *stub = passstub;

    /* What we wrote must read back; it is also where the summary's RCTICKET comes from. */
    gsize n = 0;
    const guint8 *bytes = g_bytes_get_data(file, &n);
    g_autoptr(RaInvite) check = ra_invite_parse(bytes, n, &error);
    if (check == NULL)
        return fail("make-invite: the new file does not read back", error);

    if (strcmp(o->output, "-") == 0)
        return ratool_write_stdout((const char *)bytes, n) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
    if (!g_file_set_contents(o->output, (const char *)bytes, (gssize)n, &error))
        return fail(o->output, error);

    RatoolJson *j = o->json ? ratool_json_new() : NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    print_summary(out, j, o, &spec, stub, n, check);
    g_autofree gchar *text = j ? ratool_json_free_to_string(j) : g_strdup(out->str);
    return ratool_write_stdout(text, strlen(text)) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
}

int ratool_make_invite(int argc, char **argv)
{
    Options o = {.type = 2, .expires = DEFAULT_MINUTES};
    GOptionEntry entries[] = {
        {"connstr", 'c', 0, G_OPTION_ARG_STRING, &o.connstr,
         "The connection string: form 2 (<E>...</E>) for type 2; form 1 or 2 for type 1", "STRING"},
        {"connstr-file", 'C', 0, G_OPTION_ARG_FILENAME, &o.connstr_file,
         "Read the connection string from FILE (UTF-8; - for standard input)", "FILE"},
        {"password", 'p', 0, G_OPTION_ARG_STRING, &o.password,
         "The password the expert will need (visible in the process list: prefer "
         "--password-file or the prompt)",
         "PASS"},
        {"password-file", 'P', 0, G_OPTION_ARG_FILENAME, &o.password_file,
         "Read the password from the first line of F", "F"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
         "Write the invitation to FILE (- for standard output)", "FILE"},
        {"type", 't', 0, G_OPTION_ARG_INT, &o.type,
         "2: Windows Vista-11 (LHTICKET + RCTICKET + PassStub; the default); 1: Windows XP "
         "(RCTICKET + PassStub)",
         "1|2"},
        {"user", 'u', 0, G_OPTION_ARG_STRING, &o.user, "USERNAME (default: your login name)",
         "NAME"},
        {"expires", 'e', 0, G_OPTION_ARG_INT, &o.expires,
         "Minutes the invitation is valid (DtLength; default 360)", "MINUTES"},
        {"encoding", 0, 0, G_OPTION_ARG_STRING, &o.encoding,
         "utf-8 (the default, as Windows 7-11) or utf-16 (UTF-16LE with a BOM, as Windows XP)",
         "ENC"},
        {"no-rcticket", 0, 0, G_OPTION_ARG_NONE, &o.no_rcticket,
         "Type 2: leave RCTICKET out, as Windows 10 and 11 do", NULL},
        {"passstub", 0, 0, G_OPTION_ARG_STRING, &o.passstub,
         "Use this PassStub instead of a new random one (to re-create a file)", "STRING"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o.json,
         "Print the summary as one JSON object (keys in ratool(1))", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_set_prgname("ratool make-invite");
    g_autoptr(GOptionContext) context = g_option_context_new(NULL);
    g_option_context_set_summary(
        context,
        "Write a Remote Assistance invitation (.MSRCIncident) for a connection string, as "
        "Windows does. Type 2 encrypts the Connection String 2 into LHTICKET with the password "
        "and adds RCTICKET, a Connection String 1 made of the IPv4 and named listeners, <A ID> "
        "and <A KH> (as Windows 7 writes it). The PassStub is new and random unless given.");
    g_option_context_add_main_entries(context, entries, NULL);
    int status = RATOOL_EXIT_USAGE;
    if (!ratool_parse_options(context, &argc, &argv)) {
        /* usage */
    } else if (argc != 1) {
        ratool_fail("make-invite: unexpected argument '%s' (try --help)", argv[1]);
    } else if ((o.connstr == NULL) == (o.connstr_file == NULL)) {
        ratool_fail("make-invite: give one of --connstr and --connstr-file (try --help)");
    } else if (o.password != NULL && o.password_file != NULL) {
        ratool_fail("make-invite: --password and --password-file exclude each other");
    } else if (o.output == NULL) {
        ratool_fail("make-invite: -o FILE is required (- for standard output)");
    } else if (o.type != 1 && o.type != 2) {
        ratool_fail("make-invite: --type is 1 or 2, not %d", o.type);
    } else if (o.expires < 1 || o.expires > MAX_MINUTES) {
        ratool_fail("make-invite: --expires is 1 to %d minutes, not %d", MAX_MINUTES, o.expires);
    } else if (o.encoding != NULL && strcmp(o.encoding, "utf-8") != 0 &&
               strcmp(o.encoding, "utf-16") != 0) {
        ratool_fail("make-invite: --encoding is utf-8 or utf-16, not '%s'", o.encoding);
    } else if (o.no_rcticket && o.type != 2) {
        ratool_fail("make-invite: --no-rcticket is for type 2 (RCTICKET is all a type 1 has)");
    } else if (o.passstub != NULL && *o.passstub == '\0') {
        ratool_fail("make-invite: --passstub must not be empty");
    } else {
        status = make(&o);
    }
    if (o.password != NULL)
        memset(o.password, 0, strlen(o.password));
    g_free(o.connstr);
    g_free(o.connstr_file);
    g_free(o.password);
    g_free(o.password_file);
    g_free(o.output);
    g_free(o.user);
    g_free(o.encoding);
    g_free(o.passstub);
    return status;
}
