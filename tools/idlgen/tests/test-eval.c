/*
 * Unit tests of idlgen's constant expressions (eval.h): C precedence and operators, #define
 * evaluation (lazy, cached, in any order of definition), and every error.
 */
#include "eval.h"
#include "parser.h"

#include <string.h>

/* Evaluates expr in a module made of `defines` (IDL text); returns the value or the error. */
static char *eval_in(const char *defines, const char *expr)
{
    g_autoptr(AstModule) module = ast_module_new();
    GError *error = NULL;
    if (defines != NULL &&
        !parser_read_string(module, "d.idl", defines, AST_FILE_MAIN, NULL, &error)) {
        char *msg = g_strdup_printf("PARSE %s", error->message);
        g_error_free(error);
        return msg;
    }
    g_autofree char *text = g_strdup_printf("#define X__ %s\n", expr);
    if (!parser_read_string(module, "e.idl", text, AST_FILE_MAIN, NULL, &error)) {
        char *msg = g_strdup_printf("PARSE %s", error->message);
        g_error_free(error);
        return msg;
    }
    AstDefine *x = ast_find_define(module, "X__");
    gint64 value;
    AstLoc use = {"use.idl", 1, 1};
    if (!eval_define(module, x, use, &value, &error)) {
        char *msg = g_strdup(error->message);
        g_error_free(error);
        return msg;
    }
    return g_strdup_printf("%" G_GINT64_FORMAT, value);
}

static void check(const char *defines, const char *expr, const char *expected)
{
    g_autofree char *got = eval_in(defines, expr);
    g_assert_cmpstr(got, ==, expected);
}

static void test_arithmetic(void)
{
    check(NULL, "1 + 2 * 3", "7");
    check(NULL, "(1 + 2) * 3", "9");
    check(NULL, "-4", "-4");
    check(NULL, "(-4)", "-4");
    check(NULL, "~0", "-1");
    check(NULL, "!5 + !0", "1");
    check(NULL, "10 - 3 - 2", "5");
    check(NULL, "7 / 2 + 7 % 2", "4");
    check(NULL, "1 << 4 | 1", "17");
    check(NULL, "0x08020000 + 0x0D00 + 0x0010", "134352144");
    check(NULL, "0xF0 & 0x3C ^ 0x01", "49");
    check(NULL, "1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4 || 5 == 5", "1");
    check(NULL, "1 != 1", "0");
    check(NULL, "0 ? 10 : 1 ? 20 : 30", "20");
    check(NULL, "0 && (1 / 0)", "0"); /* short-circuit: the division is never done */
    check(NULL, "-9223372036854775807 - 1", "-9223372036854775808");
}

static void test_errors(void)
{
    check(NULL, "1 / 0",
          "e.idl:1:15: error: division by zero (in the expansion of 'X__' used at "
          "use.idl:1:1)");
    check(NULL, "1 << 64",
          "e.idl:1:15: error: shift count 64 is out of 0..63 (in the expansion of "
          "'X__' used at use.idl:1:1)");
    check(NULL, "9223372036854775807 + 1",
          "e.idl:1:33: error: overflow in '+' (in the expansion "
          "of 'X__' used at use.idl:1:1)");
    check(NULL, "9223372036854775808",
          "e.idl:1:13: error: number 9223372036854775808 is too "
          "large (in the expansion of 'X__' used at use.idl:1:1)");
    check(NULL, "(1 + 2",
          "e.idl:1:19: error: expected ')' to close the '(' at 1:13, found end "
          "of file (in the expansion of 'X__' used at use.idl:1:1)");
    check(NULL, "1 2",
          "e.idl:1:15: error: unexpected number 2 after the expression (in the "
          "expansion of 'X__' used at use.idl:1:1)");
    check(NULL, "1 ? 2",
          "e.idl:1:18: error: expected ':' in a conditional expression, found "
          "end of file (in the expansion of 'X__' used at use.idl:1:1)");
    check(NULL, "UNDEFINED_NAME",
          "e.idl:1:13: error: 'UNDEFINED_NAME' is not defined (in the "
          "expansion of 'X__' used at use.idl:1:1)");
}

/* Names resolve when used, so a #define may use one defined later (the errata prelude relies on
 * this), and the innermost failing expansion is reported where it is written. */
static void test_lazy(void)
{
    check("#define ALIAS__X TARGET_X\n#define TARGET_X (BASE + 0x10)\n#define BASE 0x08020D00\n",
          "ALIAS__X", "134352144");
    check("#define A B\n#define B (C + 1)\n", "A",
          "d.idl:2:12: error: 'C' is not defined (in the expansion of 'B' used at d.idl:1:11)");
    check("#define A B\n#define B A\n", "A",
          "d.idl:2:11: error: 'A' is defined in terms of itself (in the expansion of 'B' used at "
          "d.idl:1:11)");
    check("#define SELF (SELF + 1)\n", "SELF",
          "d.idl:1:15: error: 'SELF' is defined in terms of itself (in the expansion of 'SELF' "
          "used at e.idl:1:13)");
    check("#define SAFEARRAY(type) SAFEARRAY\n", "SAFEARRAY",
          "e.idl:1:13: error: 'SAFEARRAY' is a function-like macro (defined at d.idl:1:9) and has "
          "no value (in the expansion of 'X__' used at use.idl:1:1)");
    check("#define EMPTY\n", "EMPTY + 1",
          "e.idl:1:13: error: 'EMPTY' (defined at d.idl:1:9) is empty and has no value (in the "
          "expansion of 'X__' used at use.idl:1:1)");
    /* an identical redefinition is allowed, a different one is not */
    check("#define A 1\n#define A 1\n", "A", "1");
    check("#define A 1\n#define A 2\n", "A",
          "PARSE d.idl:2:9: error: 'A' redefined differently (first defined at d.idl:1:9)");
}

/* The value is computed once and cached in the AstDefine. */
static void test_cache(void)
{
    g_autoptr(AstModule) module = ast_module_new();
    g_assert_true(
        parser_read_string(module, "d.idl", "#define A (2 + 3)\n", AST_FILE_MAIN, NULL, NULL));
    AstDefine *a = ast_find_define(module, "A");
    g_assert_cmpint(a->state, ==, AST_DEFINE_UNSEEN);
    gint64 v = 0;
    AstLoc use = {"u", 1, 1};
    g_assert_true(eval_define(module, a, use, &v, NULL));
    g_assert_cmpint(v, ==, 5);
    g_assert_cmpint(a->state, ==, AST_DEFINE_DONE);
    g_assert_cmpint(a->value, ==, 5);
}

static void test_deep(void)
{
    /* Nesting is bounded: deep input is an error, not a stack overflow. */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append_c(deep, '(');
    g_string_append_c(deep, '1');
    for (int i = 0; i < 200; i++)
        g_string_append_c(deep, ')');
    g_autofree char *got = eval_in(NULL, deep->str);
    g_string_free(deep, TRUE);
    g_assert_nonnull(strstr(got, "error: expression nested too deeply"));
    g_autofree char *minus =
        eval_in(NULL, "- - - - - - - - - - - - - - - - - - - - - - - - - - - - "
                      "- - - - - - - - - - - - - - - - - - - - - - - - - - - - "
                      "- - - - - - - - - - - 1");
    g_assert_nonnull(strstr(minus, "error: expression nested too deeply"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/eval/arithmetic", test_arithmetic);
    g_test_add_func("/eval/errors", test_errors);
    g_test_add_func("/eval/lazy", test_lazy);
    g_test_add_func("/eval/cache", test_cache);
    g_test_add_func("/eval/deep", test_deep);
    return g_test_run();
}
