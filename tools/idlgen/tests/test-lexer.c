/*
 * Unit tests of the idlgen lexer (lexer.h): token kinds, values and locations, directives,
 * comments, and every error it reports.
 */
#include "lexer.h"

#include <string.h>

/* Lexes all of text into a printable list "KIND:text@line:col ..." (or the error message). */
static char *lex_all(const char *text)
{
    Lexer lexer;
    lexer_init(&lexer, "t.idl", text, strlen(text));
    GString *out = g_string_new(NULL);
    for (;;) {
        Token t;
        GError *error = NULL;
        if (!lexer_next(&lexer, &t, &error)) {
            g_string_append_printf(out, "%sERROR %s", out->len ? " " : "", error->message);
            g_error_free(error);
            break;
        }
        static const char *const kinds[] = {"EOF", "ID", "NUM", "STR", "P", "HASH", "EOL"};
        if (out->len > 0)
            g_string_append_c(out, ' ');
        g_string_append_printf(out, "%s:%s@%u:%u", kinds[t.kind], t.text, t.loc.line, t.loc.col);
        if (t.kind == TOK_NUMBER)
            g_string_append_printf(out, "=%" G_GUINT64_FORMAT, t.number);
        TokenKind kind = t.kind;
        token_clear(&t);
        if (kind == TOK_EOF)
            break;
    }
    return g_string_free(out, FALSE);
}

static void check(const char *text, const char *expected)
{
    g_autofree char *got = lex_all(text);
    g_assert_cmpstr(got, ==, expected);
}

static void test_basic(void)
{
    check("interface IRASrv : IDispatch{",
          "ID:interface@1:1 ID:IRASrv@1:11 P::@1:18 ID:IDispatch@1:20 P:{@1:29 EOF:@1:30");
    check("[in,out] LPWSTR * szName);",
          "P:[@1:1 ID:in@1:2 P:,@1:4 ID:out@1:5 P:]@1:8 ID:LPWSTR@1:10 P:*@1:17 ID:szName@1:19 "
          "P:)@1:25 P:;@1:26 EOF:@1:27");
    check("a\n  b", "ID:a@1:1 ID:b@2:3 EOF:@2:4");
}

static void test_numbers(void)
{
    check("0x08010000 10 010 0 0x0B00 4294967295UL 7L",
          "NUM:0x08010000@1:1=134283264 NUM:10@1:12=10 NUM:010@1:15=8 NUM:0@1:19=0 "
          "NUM:0x0B00@1:21=2816 NUM:4294967295UL@1:28=4294967295 NUM:7L@1:41=7 EOF:@1:43");
    check("18446744073709551615", "NUM:18446744073709551615@1:1=18446744073709551615 EOF:@1:21");
    check("18446744073709551616", "ERROR t.idl:1:1: error: number '18446744073709551616' does "
                                  "not fit 64 bits");
    check("09", "ERROR t.idl:1:1: error: malformed number '09'");
    check("0x", "ERROR t.idl:1:1: error: hexadecimal number without digits");
    check("12ab", "ERROR t.idl:1:1: error: malformed number '12a'");
}

static void test_strings_and_comments(void)
{
    check("helpstring(\"IRASrv \\\"x\\\" Interface\")",
          "ID:helpstring@1:1 P:(@1:11 STR:IRASrv \"x\" Interface@1:12 P:)@1:36 EOF:@1:37");
    check("/* a\n comment */ x // rest\ny", "ID:x@2:13 ID:y@3:1 EOF:@3:2");
    check("\"abc", "ERROR t.idl:1:1: error: unterminated string");
    check("\"a\\qb\"", "ERROR t.idl:1:3: error: unsupported escape '\\q' in string");
    check("x /* never ends", "ID:x@1:1 ERROR t.idl:1:3: error: unterminated comment");
    check("x @", "ID:x@1:1 ERROR t.idl:1:3: error: unexpected character '@'");
    check("x \x01", "ID:x@1:1 ERROR t.idl:1:3: error: unexpected byte 0x01");
}

static void test_punctuators(void)
{
    check("a<<2>>b<=c", "ID:a@1:1 P:<<@1:2 NUM:2@1:4=2 P:>>@1:5 ID:b@1:7 P:<@1:8 P:=@1:9 "
                        "ID:c@1:10 EOF:@1:11");
}

static void test_directives(void)
{
    check("#define A (B + 1)\nx",
          "HASH:#@1:1 ID:define@1:2 ID:A@1:9 P:(@1:11 ID:B@1:12 P:+@1:14 NUM:1@1:16=1 "
          "P:)@1:17 EOL:@1:18 ID:x@2:1 EOF:@2:2");
    /* a backslash continues the directive; a comment does not end it */
    check("  #define A 1 \\\n + 2 /* c */\n",
          "HASH:#@1:3 ID:define@1:4 ID:A@1:11 NUM:1@1:13=1 P:+@2:2 NUM:2@2:4=2 EOL:@2:13 "
          "EOF:@3:1");
    check("#define A 1", "HASH:#@1:1 ID:define@1:2 ID:A@1:9 NUM:1@1:11=1 EOL:@1:12 EOF:@1:12");
    check("x #define",
          "ID:x@1:1 ERROR t.idl:1:3: error: '#' is only allowed at the start of a line");
}

static void test_raw(void)
{
    const char *text = "uuid( 833E4100-AFF7-4AC3-AAC2-9F24C1457BCE ) x";
    Lexer lexer;
    lexer_init(&lexer, "t.idl", text, strlen(text));
    Token t;
    g_assert_true(lexer_next(&lexer, &t, NULL));
    token_clear(&t);
    g_assert_true(lexer_next(&lexer, &t, NULL));
    g_assert_true(token_is_punct(&t, "("));
    token_clear(&t);
    char *raw;
    AstLoc loc;
    g_assert_true(lexer_raw_balanced(&lexer, &raw, &loc, NULL));
    g_assert_cmpstr(raw, ==, "833E4100-AFF7-4AC3-AAC2-9F24C1457BCE");
    g_assert_cmpuint(loc.col, ==, 7);
    g_free(raw);
    g_assert_true(lexer_next(&lexer, &t, NULL));
    g_assert_true(token_is_ident(&t, "x"));
    token_clear(&t);

    /* nested parentheses and strings holding ')' are skipped over */
    text = "((A + B) * \")\") rest";
    lexer_init(&lexer, "t.idl", text, strlen(text));
    g_assert_true(lexer_next(&lexer, &t, NULL));
    token_clear(&t);
    g_assert_true(lexer_raw_balanced(&lexer, &raw, &loc, NULL));
    g_assert_cmpstr(raw, ==, "(A + B) * \")\"");
    g_free(raw);

    text = "(unbalanced";
    lexer_init(&lexer, "t.idl", text, strlen(text));
    g_assert_true(lexer_next(&lexer, &t, NULL));
    token_clear(&t);
    GError *error = NULL;
    g_assert_false(lexer_raw_balanced(&lexer, &raw, &loc, &error));
    g_assert_cmpstr(error->message, ==, "t.idl:1:2: error: missing ')'");
    g_error_free(error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lexer/basic", test_basic);
    g_test_add_func("/lexer/numbers", test_numbers);
    g_test_add_func("/lexer/strings-comments", test_strings_and_comments);
    g_test_add_func("/lexer/punctuators", test_punctuators);
    g_test_add_func("/lexer/directives", test_directives);
    g_test_add_func("/lexer/raw", test_raw);
    return g_test_run();
}
