/* Shared helpers of the subcommands (see cliutil.h). */
#define _POSIX_C_SOURCE 200809L /* fileno, termios */

#include "cliutil.h"
#include "ratool.h"

#include "ra/crypto.h"
#include "ra/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_FILE_LIMIT 4096

GBytes *ratool_read_input(const char *path, gsize limit, GError **error)
{
    gboolean is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot open: %s", g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!is_stdin)
            fclose(f);
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "is a directory");
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (guint64)st.st_size > limit) {
        if (!is_stdin)
            fclose(f);
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "%" G_GUINT64_FORMAT " bytes is more than the %" G_GSIZE_FORMAT
                    " bytes (1 MiB) ratool reads; refusing it",
                    (guint64)st.st_size, limit);
        return NULL;
    }
    GByteArray *data = g_byte_array_new();
    guint8 buf[65536];
    gboolean too_large = FALSE;
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        if (n > 0)
            g_byte_array_append(data, buf, (guint)n);
        if (data->len > limit) {
            too_large = TRUE;
            break;
        }
        if (n < sizeof buf)
            break;
    }
    gboolean failed = ferror(f) != 0;
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (too_large || failed) {
        g_byte_array_unref(data);
        if (too_large)
            g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                        "more than the %" G_GSIZE_FORMAT " bytes (1 MiB) ratool reads; refusing it",
                        limit);
        else
            g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot read: %s", g_strerror(saved));
        return NULL;
    }
    return g_byte_array_free_to_bytes(data);
}

gboolean ratool_argument_text(const char *arg, GBytes **input, const char **text, gsize *len,
                              GError **error)
{
    *input = NULL;
    if (strcmp(arg, "-") != 0) {
        *text = arg;
        *len = strlen(arg);
        return TRUE;
    }
    *input = ratool_read_input("-", RA_MAX_INPUT, error);
    if (*input == NULL)
        return FALSE;
    *text = g_bytes_get_data(*input, len);
    return TRUE;
}

static gchar *to_utf8(const char *text, GError **error)
{
    if (g_utf8_validate(text, -1, NULL))
        return g_strdup(text);
    gchar *converted = g_locale_to_utf8(text, -1, NULL, NULL, NULL);
    if (converted == NULL)
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "the password is neither UTF-8 nor in the locale's encoding");
    return converted;
}

/* Reads one line from the terminal without echo; NULL when there is no terminal. */
static gchar *ask(const char *question)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return NULL;
    int fd = fileno(tty);
    struct termios saved, quiet;
    gboolean restore = FALSE;
    if (tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ICANON;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    fprintf(tty, "%s", question);
    fflush(tty);
    char line[1024];
    gchar *answer = NULL;
    if (fgets(line, sizeof line, tty) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        answer = g_strdup(line);
    }
    memset(line, 0, sizeof line);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &saved);
    fprintf(tty, "\n");
    fclose(tty);
    return answer;
}

gboolean ratool_get_password(const char *option, const char *file, const char *prompt,
                             gboolean confirm, gchar **password, GError **error)
{
    *password = NULL;
    if (option != NULL) {
        *password = to_utf8(option, error);
        return *password != NULL;
    }
    if (file != NULL) {
        GError *err = NULL;
        GBytes *data = ratool_read_input(file, PASSWORD_FILE_LIMIT, &err);
        if (data == NULL) {
            g_set_error(error, RA_ERROR, err->code, "%s: %s", file, err->message);
            g_error_free(err);
            return FALSE;
        }
        gsize n = 0;
        const char *p = g_bytes_get_data(data, &n);
        gchar *text = g_strndup(p, n); /* stops at a NUL byte */
        g_bytes_unref(data);
        text[strcspn(text, "\r\n")] = '\0';
        *password = to_utf8(text, error);
        memset(text, 0, strlen(text));
        g_free(text);
        return *password != NULL;
    }
    if (prompt == NULL || !isatty(STDIN_FILENO))
        return TRUE;
    gchar *answer = ask(prompt);
    if (answer == NULL || *answer == '\0') {
        g_free(answer);
        return TRUE;
    }
    if (confirm) {
        gchar *again = ask("Again: ");
        gboolean same = again != NULL && strcmp(again, answer) == 0;
        g_free(again);
        if (!same) {
            g_free(answer);
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the passwords do not match");
            return FALSE;
        }
    }
    *password = to_utf8(answer, error);
    g_free(answer);
    return *password != NULL;
}

gint64 ratool_now(void)
{
    const char *fixed = g_getenv("RATOOL_NOW");
    if (fixed != NULL && *fixed != '\0')
        return g_ascii_strtoll(fixed, NULL, 10);
    return g_get_real_time() / G_USEC_PER_SEC;
}

gboolean ratool_seed_random_from_env(void)
{
    const char *seed = g_getenv("RATOOL_RANDOM_SEED");
    if (seed == NULL || *seed == '\0')
        return FALSE;
    ra_random_set_seed(seed);
    return TRUE;
}

static gchar *format_time(gint64 t, const char *format)
{
    GDateTime *dt = g_date_time_new_from_unix_utc(t);
    if (dt == NULL)
        return g_strdup("?");
    gchar *s = g_date_time_format(dt, format);
    g_date_time_unref(dt);
    return s;
}

gchar *ratool_time_text(gint64 t)
{
    return format_time(t, "%Y-%m-%d %H:%M:%S UTC");
}

gchar *ratool_time_iso(gint64 t)
{
    return format_time(t, "%Y-%m-%dT%H:%M:%SZ");
}

gchar *ratool_text_value(const char *value)
{
    if (value == NULL)
        return g_strdup("(none)");
    gchar *valid = g_utf8_make_valid(value, -1);
    GString *s = g_string_new(NULL);
    for (const gchar *p = valid; *p; p += g_utf8_skip[*(const guchar *)p]) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\n')
            g_string_append(s, "\\n");
        else if (c == '\r')
            g_string_append(s, "\\r");
        else if (c == '\t')
            g_string_append(s, "\\t");
        else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
            g_string_append_printf(s, "\\x%02X", c);
        else
            g_string_append_len(s, p, g_utf8_skip[*(const guchar *)p]);
    }
    g_free(valid);
    return g_string_free(s, FALSE);
}

void ratool_append_line(GString *out, const char *key, const char *value)
{
    gchar *v = ratool_text_value(value);
    g_string_append_printf(out, "%s: %s\n", key, v);
    g_free(v);
}

void ratool_append_linef(GString *out, const char *key, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *value = g_strdup_vprintf(format, ap);
    va_end(ap);
    ratool_append_line(out, key, value);
    g_free(value);
}

int ratool_exit_status(const GError *error)
{
    return RATOOL_EXIT_DATA;
}

gboolean ratool_write_stdout(const char *text, gsize len)
{
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "ratool: cannot write to standard output: %s\n", g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}
