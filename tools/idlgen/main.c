/*
 * idlgen: reads the MS-RAI IDL (with its prelude and imports) and runs one backend.
 *
 *   idlgen [--prelude FILE]... [-I DIR]... --backend NAME -o OUTPUT FILE.idl
 *
 * Exit status: 0 success, 1 an error in the input or in writing the output (reported as
 * "file:line:col: error: ..."), 2 bad usage.
 */
#include "backend.h"
#include "parser.h"
#include "sema.h"

#include <stdio.h>
#include <string.h>

static const Backend backends[] = {
    {"dump", "a stable text dump of the resolved AST", backend_dump_generate},
    {"wireshark", "the generated part of the Wireshark plugin (rai-gen.c, rai-gen.h)",
     backend_ws_generate},
    {"ndr", "typed NDR stubs, proxies and dispatch for the library (rai-ndr.c, rai-ndr.h)",
     backend_ndr_generate},
};

int main(int argc, char **argv)
{
    g_auto(GStrv) preludes = NULL;
    g_auto(GStrv) include_dirs = NULL;
    g_autofree char *backend_name = NULL;
    g_autofree char *output = NULL;
    gboolean list = FALSE;
    GOptionEntry entries[] = {
        {"prelude", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &preludes,
         "Read FILE before the IDL (errata); may be repeated", "FILE"},
        {"include", 'I', 0, G_OPTION_ARG_FILENAME_ARRAY, &include_dirs,
         "Search DIR for imported files", "DIR"},
        {"backend", 'b', 0, G_OPTION_ARG_STRING, &backend_name, "Backend to run", "NAME"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
         "Output file or folder (backend-specific; - is stdout)", "PATH"},
        {"list-backends", 0, 0, G_OPTION_ARG_NONE, &list, "List the backends", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autofree char *command_line = g_strjoinv(" ", argv);
    g_autoptr(GOptionContext) context = g_option_context_new("FILE.idl");
    g_option_context_set_summary(context, "Generate code from the MS-RAI IDL.");
    g_option_context_add_main_entries(context, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        fprintf(stderr, "idlgen: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    if (list) {
        for (gsize i = 0; i < G_N_ELEMENTS(backends); i++)
            printf("%-10s %s\n", backends[i].name, backends[i].summary);
        return 0;
    }
    if (argc != 2 || backend_name == NULL || output == NULL) {
        fprintf(stderr, "usage: idlgen [--prelude FILE]... [-I DIR]... --backend NAME -o OUTPUT "
                        "FILE.idl\n");
        return 2;
    }
    const Backend *backend = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(backends); i++) {
        if (strcmp(backends[i].name, backend_name) == 0)
            backend = &backends[i];
    }
    if (backend == NULL) {
        fprintf(stderr, "idlgen: unknown backend '%s' (try --list-backends)\n", backend_name);
        return 2;
    }

    g_autoptr(AstModule) module = ast_module_new();
    const char *const *dirs = (const char *const *)include_dirs;
    gboolean ok = TRUE;
    for (guint i = 0; ok && preludes != NULL && preludes[i] != NULL; i++)
        ok = parser_read_file(module, preludes[i], AST_FILE_PRELUDE, dirs, &error);
    if (ok)
        ok = parser_read_file(module, argv[1], AST_FILE_MAIN, dirs, &error);
    if (ok)
        ok = sema_resolve(module, &error);
    if (ok) {
        BackendOptions options = {output, command_line};
        ok = backend->generate(module, &options, &error);
    }
    if (!ok) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return 1;
    }
    return 0;
}
