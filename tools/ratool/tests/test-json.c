/* Unit tests of ratool's JSON writer: exact output, escaping, and validity (checked by Python's
 * json module, an independent parser, when RAI_PYTHON3 is set). */
#include "json.h"

#include <gio/gio.h>

#include <string.h>

static void test_document(void)
{
    RatoolJson *j = ratool_json_new();
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "s", "a\"b\\c/\x01\x1f\x7f\n\r\t\b\f \xC3\xA9\xF0\x9F\x98\x80");
    ratool_json_int(j, "i", -9007199254740993LL);
    ratool_json_bool(j, "t", TRUE);
    ratool_json_bool(j, "f", FALSE);
    ratool_json_null(j, "n");
    ratool_json_string(j, "null string", NULL);
    ratool_json_begin_array(j, "empty");
    ratool_json_end_array(j);
    ratool_json_begin_object(j, "obj");
    ratool_json_end_object(j);
    ratool_json_begin_array(j, "a");
    ratool_json_int(j, NULL, 1);
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "k", "v");
    ratool_json_end_object(j);
    ratool_json_end_array(j);
    ratool_json_end_object(j);
    g_autofree gchar *text = ratool_json_free_to_string(j);
    g_assert_cmpstr(
        text, ==,
        "{\n"
        "  \"s\": \"a\\\"b\\\\c/\\u0001\\u001f\\u007f\\n\\r\\t\\b\\f \xC3\xA9\xF0\x9F\x98\x80\",\n"
        "  \"i\": -9007199254740993,\n"
        "  \"t\": true,\n"
        "  \"f\": false,\n"
        "  \"n\": null,\n"
        "  \"null string\": null,\n"
        "  \"empty\": [],\n"
        "  \"obj\": {},\n"
        "  \"a\": [\n"
        "    1,\n"
        "    {\n"
        "      \"k\": \"v\"\n"
        "    }\n"
        "  ]\n"
        "}\n");
}

/* Invalid UTF-8 never reaches the output; keys are escaped too. */
static void test_invalid_utf8(void)
{
    RatoolJson *j = ratool_json_new();
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "k\"\n", "a\xFF\xC3");
    ratool_json_end_object(j);
    g_autofree gchar *text = ratool_json_free_to_string(j);
    g_assert_true(g_utf8_validate(text, -1, NULL));
    g_assert_cmpstr(text, ==, "{\n  \"k\\\"\\n\": \"a\xEF\xBF\xBD\xEF\xBF\xBD\"\n}\n");
}

static void test_scalar_top_level(void)
{
    RatoolJson *j = ratool_json_new();
    ratool_json_string(j, NULL, "x");
    g_autofree gchar *text = ratool_json_free_to_string(j);
    g_assert_cmpstr(text, ==, "\"x\"\n");
}

/* Every byte value in a string: the output parses (with Python's json module) back to it. */
static void test_python_parses(void)
{
    const char *python = g_getenv("RAI_PYTHON3");
    if (python == NULL) {
        g_test_skip("RAI_PYTHON3 not set");
        return;
    }
    GString *all = g_string_new(NULL);
    for (gunichar c = 1; c < 0x800; c++)
        g_string_append_unichar(all, c);
    RatoolJson *j = ratool_json_new();
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "all", all->str);
    ratool_json_end_object(j);
    g_autofree gchar *text = ratool_json_free_to_string(j);
    const char *check = "import json,sys\n"
                        "d=json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
                        "assert d['all']==''.join(chr(c) for c in range(1,0x800)), 'mismatch'\n";
    GError *error = NULL;
    g_autoptr(GSubprocess) proc =
        g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                         python, "-c", check, NULL);
    g_assert_no_error(error);
    g_autofree gchar *err = NULL;
    g_assert_true(g_subprocess_communicate_utf8(proc, text, NULL, NULL, &err, &error));
    g_assert_no_error(error);
    if (!g_subprocess_get_successful(proc))
        g_error("python rejected the JSON: %s", err);
    g_string_free(all, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/document", test_document);
    g_test_add_func("/json/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/json/scalar-top-level", test_scalar_top_level);
    g_test_add_func("/json/python-parses", test_python_parses);
    return g_test_run();
}
