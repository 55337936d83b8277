/*
 * Helpers the subcommands share: bounded input reading, passwords, times, text output that is
 * safe on a terminal, the test hooks RATOOL_NOW and RATOOL_RANDOM_SEED (documented in
 * docs/ratool.1, ENVIRONMENT), and the mapping of library errors to exit statuses.
 */
#ifndef RATOOL_CLIUTIL_H
#define RATOOL_CLIUTIL_H

#include <glib.h>

/*
 * Reads a whole file ("-" is standard input) of at most `limit` bytes into a new GBytes.
 * RA_ERROR_TOO_LARGE above the limit (without reading a huge regular file at all),
 * RA_ERROR_IO when it cannot be read.
 */
GBytes *ratool_read_input(const char *path, gsize limit, GError **error);

/*
 * The text of a STRING|- argument: arg itself, or for "-" standard input (at most RA_MAX_INPUT
 * bytes, as read), held in *input for the caller to unref (NULL for an argument). FALSE with
 * ratool_read_input's errors when standard input cannot be read.
 */
gboolean ratool_argument_text(const char *arg, GBytes **input, const char **text, gsize *len,
                              GError **error);

/*
 * The password to use, as UTF-8, from (in order) `option` (converted from the locale's encoding
 * when it is not UTF-8), the first line of `file` (its line break removed), or, when `prompt` is
 * not NULL and the process has a terminal, a question asked on /dev/tty without echo (twice when
 * `confirm`). *password is NULL when there is none: no option, no file, no terminal, or an empty
 * answer. FALSE with RA_ERROR_IO (unreadable file), RA_ERROR_TOO_LARGE (file over 4 KiB) or
 * RA_ERROR_MALFORMED (not convertible; answers that differ).
 */
gboolean ratool_get_password(const char *option, const char *file, const char *prompt,
                             gboolean confirm, gchar **password, GError **error);

/* Seconds since 1970: $RATOOL_NOW when set (tests), else the clock. */
gint64 ratool_now(void);
/* Seeds ra_random_bytes() from $RATOOL_RANDOM_SEED when it is set (tests); returns whether. */
gboolean ratool_seed_random_from_env(void);

/* "2014-06-28 16:17:43 UTC" and "2014-06-28T16:17:43Z"; "?" for times GLib cannot represent. */
gchar *ratool_time_text(gint64 unix_seconds);
gchar *ratool_time_iso(gint64 unix_seconds);

/*
 * A value for a "key: value" text line: control characters are shown as \n, \r, \t or \xNN so
 * that a hostile file cannot move the cursor or hide text on a terminal, and invalid UTF-8 as
 * U+FFFD. NULL becomes "(none)".
 */
gchar *ratool_text_value(const char *value);
/* Appends "key: value\n" with the value made safe as above. */
void ratool_append_line(GString *out, const char *key, const char *value);
void ratool_append_linef(GString *out, const char *key, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* The exit status for a failure: RATOOL_EXIT_DATA for every library and I/O error. */
int ratool_exit_status(const GError *error);

/* Writes `text` to standard output; FALSE (after a message) when that fails. */
gboolean ratool_write_stdout(const char *text, gsize len);

#endif
