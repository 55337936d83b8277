/*
 * ratool: decode and create Remote Assistance invitations and connection strings, and speak
 * [MS-RAI] as a novice (serve) or an expert (offer). This file only dispatches to subcommands.
 */
#include "ratool.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} RatoolCommand;

static const RatoolCommand commands[] = {
    {"version", "print the version", ratool_version},
    {"serve", "run the novice's DCE/RPC server (endpoint mapper, OXID resolver)", ratool_serve},
    {"decode-invite", "show what an invitation file holds, decrypted with its password",
     ratool_decode_invite},
    {"make-invite", "write an invitation file for a connection string", ratool_make_invite},
    {"decode-connstr", "decode a connection string (form 1 or 2)", ratool_decode_connstr},
    {"decode-blob", "decode a help or expert blob (\"<len>;KEY=value...\")", ratool_decode_blob},
    {"offer", "offer Remote Assistance: get a connection string from a novice", ratool_offer},
    {"capture", "write reference captures (our novice and expert in one process)", ratool_capture},
};

void ratool_error(const char *what, const GError *error)
{
    fprintf(stderr, "ratool: %s: %s\n", what, error ? error->message : "failed");
}

void ratool_fail(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    fprintf(stderr, "ratool: %s\n", message);
    g_free(message);
}

gboolean ratool_parse_options(GOptionContext *context, int *argc, char ***argv)
{
    GError *error = NULL;
    if (!g_option_context_parse(context, argc, argv, &error)) {
        fprintf(stderr, "ratool: %s\n(try --help)\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

int ratool_version(int argc, char **argv)
{
    printf("ratool %s\n", RATOOL_VERSION);
    return RATOOL_EXIT_OK;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: ratool COMMAND [OPTIONS...]\n\ncommands:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n`ratool COMMAND --help` describes a command; `man ratool` describes them all.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2) {
        usage(stderr);
        return RATOOL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return RATOOL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "ratool: unknown command '%s'\n", name);
    usage(stderr);
    return RATOOL_EXIT_USAGE;
}
