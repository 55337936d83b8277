/*
 * ratool decode-blob STRING|- [--json]: a length-prefixed blob, "<len>;<item><len>;<item>...":
 * the MS-RAI user help blob of RemoteConnectionParms ([MS-RAI] 3.1.4.1.1) or the MS-RA expert
 * blob ("NAME=...", "PASS=<encrypted PassStub>").
 */
#include "cliutil.h"
#include "print.h"
#include "ratool.h"

#include "ra/connstr.h"
#include "ra/error.h"

#include <string.h>

int ratool_decode_blob(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object (keys in ratool(1))",
         NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_set_prgname("ratool decode-blob");
    g_autoptr(GOptionContext) context = g_option_context_new("STRING|-");
    g_option_context_set_summary(
        context, "Decode a length-prefixed blob such as the MS-RAI user help blob "
                 "(\"13;UNSOLICITED=118;ID=DOMAIN\\user\") or the MS-RA expert blob. Lengths count "
                 "UTF-16 characters. \"-\" reads it from standard input.");
    g_option_context_add_main_entries(context, entries, NULL);
    if (!ratool_parse_options(context, &argc, &argv))
        return RATOOL_EXIT_USAGE;
    if (argc != 2) {
        ratool_fail("decode-blob: give one blob, or - to read it from standard input (try --help)");
        return RATOOL_EXIT_USAGE;
    }
    GError *error = NULL;
    g_autoptr(GBytes) input = NULL;
    const char *text;
    gsize len;
    if (!ratool_argument_text(argv[1], &input, &text, &len, &error)) {
        ratool_error("standard input", error);
        g_error_free(error);
        return RATOOL_EXIT_DATA;
    }
    while (input != NULL && len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--; /* the line break of `echo` or a file */
    g_autoptr(RaBlob) blob = ra_blob_parse(text, len, &error);
    if (blob == NULL) {
        ratool_error("decode-blob", error);
        int status = ratool_exit_status(error);
        g_error_free(error);
        return status;
    }
    if (json) {
        RatoolJson *j = ratool_json_new();
        ratool_json_blob(j, NULL, blob);
        g_autofree gchar *doc = ratool_json_free_to_string(j);
        return ratool_write_stdout(doc, strlen(doc)) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    ratool_print_blob(out, blob);
    ratool_print_connstr_warnings(out, blob->warnings);
    return ratool_write_stdout(out->str, out->len) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
}
