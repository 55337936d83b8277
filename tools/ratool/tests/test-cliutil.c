/* Unit tests of ratool's shared helpers (cliutil.h). */
#include "cliutil.h"

#include "ra/error.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static gchar *temp_file(const char *contents, gsize len)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("cliutil-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_close(fd, NULL);
    g_assert_true(g_file_set_contents(path, contents, (gssize)len, NULL));
    return path;
}

static void test_read_input_limit(void)
{
    gchar *data = g_malloc(1001);
    memset(data, 'x', 1001);
    g_autofree gchar *exact = temp_file(data, 1000);
    g_autofree gchar *over = temp_file(data, 1001);
    GError *error = NULL;
    g_autoptr(GBytes) ok = ratool_read_input(exact, 1000, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(ok), ==, 1000);
    g_assert_null(ratool_read_input(over, 1000, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    g_assert_null(ratool_read_input("/nonexistent/file", 1000, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    g_assert_null(ratool_read_input("/", 1000, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    g_unlink(exact);
    g_unlink(over);
    g_free(data);
}

static void test_argument_text(void)
{
    GBytes *input = NULL;
    const char *text = NULL;
    gsize len = 0;
    GError *error = NULL;
    g_assert_true(ratool_argument_text("13;UNSOLICITED=1", &input, &text, &len, &error));
    g_assert_null(input);
    g_assert_cmpstr(text, ==, "13;UNSOLICITED=1");
    g_assert_cmpuint(len, ==, 16);
    /* "-": standard input, as read (line break included). */
    g_autofree gchar *path = temp_file("from stdin\n", 11);
    g_assert_nonnull(freopen(path, "rb", stdin));
    g_assert_true(ratool_argument_text("-", &input, &text, &len, &error));
    g_assert_no_error(error);
    g_assert_nonnull(input);
    g_assert_cmpmem(text, len, "from stdin\n", 11);
    g_bytes_unref(input);
    /* Over RA_MAX_INPUT: refused. */
    gchar *big = g_malloc(RA_MAX_INPUT + 1);
    memset(big, 'x', RA_MAX_INPUT + 1);
    g_autofree gchar *over = temp_file(big, RA_MAX_INPUT + 1);
    g_free(big);
    g_assert_nonnull(freopen(over, "rb", stdin));
    g_assert_false(ratool_argument_text("-", &input, &text, &len, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_assert_null(input);
    g_clear_error(&error);
    g_unlink(path);
    g_unlink(over);
}

static void test_password_sources(void)
{
    gchar *pw = NULL;
    GError *error = NULL;
    g_assert_true(ratool_get_password("opt", NULL, NULL, FALSE, &pw, &error));
    g_assert_cmpstr(pw, ==, "opt");
    g_free(pw);
    /* the first line, without its CR LF; spaces are part of a password */
    g_autofree gchar *file = temp_file(" p w \r\nsecond line\n", 20);
    g_assert_true(ratool_get_password(NULL, file, NULL, FALSE, &pw, &error));
    g_assert_cmpstr(pw, ==, " p w ");
    g_free(pw);
    g_unlink(file);
    /* nothing given, no prompt: no password, no error */
    g_assert_true(ratool_get_password(NULL, NULL, NULL, FALSE, &pw, &error));
    g_assert_null(pw);
    g_assert_false(ratool_get_password(NULL, "/nonexistent", NULL, FALSE, &pw, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
}

static void test_times(void)
{
    g_autofree gchar *a = ratool_time_text(1403972263);
    g_assert_cmpstr(a, ==, "2014-06-28 16:17:43 UTC");
    g_autofree gchar *b = ratool_time_iso(0);
    g_assert_cmpstr(b, ==, "1970-01-01T00:00:00Z");
    g_autofree gchar *c = ratool_time_iso(G_MAXINT64);
    g_assert_cmpstr(c, ==, "?");
    g_setenv("RATOOL_NOW", "1234", TRUE);
    g_assert_cmpint(ratool_now(), ==, 1234);
    g_unsetenv("RATOOL_NOW");
    g_assert_cmpint(ratool_now(), >, 1700000000);
}

static void test_text_value(void)
{
    g_autofree gchar *a = ratool_text_value("a\nb\rc\td\x1b[0m\xC2\x9B\x7F \xC3\xA9\\");
    g_assert_cmpstr(a, ==, "a\\nb\\rc\\td\\x1B[0m\\x9B\\x7F \xC3\xA9\\");
    g_autofree gchar *b = ratool_text_value("\xFF");
    g_assert_cmpstr(b, ==, "\xEF\xBF\xBD");
    g_autofree gchar *c = ratool_text_value(NULL);
    g_assert_cmpstr(c, ==, "(none)");
    g_autoptr(GString) s = g_string_new(NULL);
    ratool_append_linef(s, "k", "%d\n", 5);
    g_assert_cmpstr(s->str, ==, "k: 5\\n\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cliutil/read-input-limit", test_read_input_limit);
    g_test_add_func("/cliutil/argument-text", test_argument_text);
    g_test_add_func("/cliutil/password-sources", test_password_sources);
    g_test_add_func("/cliutil/times", test_times);
    g_test_add_func("/cliutil/text-value", test_text_value);
    return g_test_run();
}
