/*
 * ratool decode-connstr STRING|- [--json]: a Remote Assistance connection string, form 1
 * ([MS-RAI] 2.2.1) or form 2 (2.2.2), detected from its first character.
 */
#include "cliutil.h"
#include "print.h"
#include "ratool.h"

#include "ra/connstr.h"
#include "ra/error.h"

#include <string.h>

int ratool_decode_connstr(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object (keys in ratool(1))",
         NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_set_prgname("ratool decode-connstr");
    g_autoptr(GOptionContext) context = g_option_context_new("STRING|-");
    g_option_context_set_summary(
        context, "Decode a Remote Assistance connection string: form 1 (\"65538,1,...\", from "
                 "Windows XP) or form 2 (\"<E>...</E>\", from Windows Vista and later, and "
                 "Windows Desktop Sharing). \"-\" reads it from standard input.");
    g_option_context_add_main_entries(context, entries, NULL);
    if (!ratool_parse_options(context, &argc, &argv))
        return RATOOL_EXIT_USAGE;
    if (argc != 2) {
        ratool_fail("decode-connstr: give one connection string, or - to read it from standard "
                    "input (try --help)");
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

    g_autoptr(GString) out = g_string_new(NULL);
    RatoolJson *j = json ? ratool_json_new() : NULL;
    g_autofree gchar *trimmed = g_strstrip(g_strndup(text, len));
    int form = ra_connstr_detect(text, len);
    if (form == 1) {
        g_autoptr(RaConnStr1) cs = ra_connstr1_parse(text, len, &error);
        if (cs != NULL && json) {
            ratool_json_cs1(j, NULL, trimmed, cs);
        } else if (cs != NULL) {
            ratool_append_line(out, "form", "1");
            ratool_print_cs1(out, cs);
            ratool_print_connstr_warnings(out, cs->warnings);
        }
    } else if (form == 2) {
        g_autoptr(RaConnStr2) cs = ra_connstr2_parse(text, len, &error);
        if (cs != NULL && json) {
            ratool_json_cs2(j, NULL, trimmed, cs);
        } else if (cs != NULL) {
            ratool_append_line(out, "form", "2");
            ratool_print_cs2(out, cs);
            ratool_print_connstr_warnings(out, cs->warnings);
        }
    } else {
        g_set_error(&error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not a connection string: form 1 starts with \"65538,\", form 2 with \"<E>\"");
    }
    if (error != NULL) {
        ratool_json_free(j);
        ratool_error("decode-connstr", error);
        int status = ratool_exit_status(error);
        g_error_free(error);
        return status;
    }
    if (json) {
        g_autofree gchar *doc = ratool_json_free_to_string(j);
        return ratool_write_stdout(doc, strlen(doc)) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
    }
    return ratool_write_stdout(out->str, out->len) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
}
