/*
 * ratool: the command-line front end. Each subcommand lives in ratool-<name>.c and exposes
 * `int ratool_<name>(int argc, char **argv)`, with argv[0] being the subcommand name. It parses its
 * own options with GOptionContext (so every subcommand has --help) and returns an exit status.
 */
#ifndef RATOOL_H
#define RATOOL_H

#include <glib.h>

/* Exit statuses shared by every subcommand (documented in docs/ratool.1). */
enum {
    RATOOL_EXIT_OK = 0,
    RATOOL_EXIT_DATA = 1,  /* bad data: malformed input, wrong password, refused by the peer */
    RATOOL_EXIT_USAGE = 2, /* bad command line */
};

/* Prints "ratool: <what>: <message>" on stderr. */
void ratool_error(const char *what, const GError *error);
/* Prints "ratool: <printf-formatted message>" on stderr. */
void ratool_fail(const char *format, ...) G_GNUC_PRINTF(1, 2);

/*
 * Parses argv with `context` (whose summary and entries the subcommand set up) and reports usage
 * errors itself. Returns FALSE when the caller must exit with RATOOL_EXIT_USAGE.
 */
gboolean ratool_parse_options(GOptionContext *context, int *argc, char ***argv);

int ratool_version(int argc, char **argv);
int ratool_serve(int argc, char **argv);
int ratool_decode_invite(int argc, char **argv);  /* ratool-decode-invite.c */
int ratool_make_invite(int argc, char **argv);    /* ratool-make-invite.c */
int ratool_decode_connstr(int argc, char **argv); /* ratool-decode-connstr.c */
int ratool_decode_blob(int argc, char **argv);    /* ratool-decode-blob.c */
int ratool_offer(int argc, char **argv);
int ratool_capture(int argc, char **argv);

#endif
