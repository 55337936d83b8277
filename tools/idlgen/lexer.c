/*
 * The lexer of idlgen (see lexer.h).
 */
#include "lexer.h"

#include <string.h>

void lexer_init(Lexer *lexer, const char *file, const char *text, gsize len)
{
    memset(lexer, 0, sizeof *lexer);
    lexer->file = file;
    lexer->text = text;
    lexer->len = len;
    lexer->line = 1;
    lexer->col = 1;
    lexer->at_line_start = TRUE;
}

void lexer_init_at(Lexer *lexer, const char *file, const char *text, gsize len, guint line,
                   guint col)
{
    lexer_init(lexer, file, text, len);
    lexer->line = line;
    lexer->col = col;
    lexer->at_line_start = FALSE;
}

static AstLoc here(const Lexer *lexer)
{
    AstLoc loc = {lexer->file, lexer->line, lexer->col};
    return loc;
}

static int peek(const Lexer *lexer, gsize ahead)
{
    gsize at = lexer->pos + ahead;
    return at < lexer->len ? (unsigned char)lexer->text[at] : -1;
}

static void advance(Lexer *lexer)
{
    if (lexer->pos >= lexer->len)
        return;
    if (lexer->text[lexer->pos] == '\n') {
        lexer->line++;
        lexer->col = 1;
    } else {
        lexer->col++;
    }
    lexer->pos++;
}

/*
 * Skips blanks and comments. Stops at a newline inside a directive (which ends it) unless the
 * newline follows a backslash. Sets *skipped when anything was skipped.
 */
static gboolean skip_blanks(Lexer *lexer, gboolean *skipped, GError **error)
{
    *skipped = FALSE;
    for (;;) {
        int c = peek(lexer, 0);
        if (c == '\n') {
            if (lexer->in_directive)
                return TRUE;
            advance(lexer);
            lexer->at_line_start = TRUE;
            *skipped = TRUE;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            advance(lexer);
            *skipped = TRUE;
        } else if (c == '\\' && lexer->in_directive &&
                   (peek(lexer, 1) == '\n' || (peek(lexer, 1) == '\r' && peek(lexer, 2) == '\n'))) {
            advance(lexer);
            if (peek(lexer, 0) == '\r')
                advance(lexer);
            advance(lexer);
            *skipped = TRUE;
        } else if (c == '/' && peek(lexer, 1) == '*') {
            AstLoc start = here(lexer);
            advance(lexer);
            advance(lexer);
            for (;;) {
                if (peek(lexer, 0) < 0) {
                    ast_error(error, IDLGEN_ERROR_SYNTAX, start, "unterminated comment");
                    return FALSE;
                }
                if (peek(lexer, 0) == '*' && peek(lexer, 1) == '/') {
                    advance(lexer);
                    advance(lexer);
                    break;
                }
                advance(lexer);
            }
            *skipped = TRUE;
        } else if (c == '/' && peek(lexer, 1) == '/') {
            while (peek(lexer, 0) >= 0 && peek(lexer, 0) != '\n')
                advance(lexer);
            *skipped = TRUE;
        } else {
            return TRUE;
        }
    }
}

static gboolean is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static gboolean is_ident_char(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

static gboolean lex_number(Lexer *lexer, Token *token, GError **error)
{
    gsize start = lexer->pos;
    guint base = 10;
    guint64 value = 0;
    gboolean overflow = FALSE;
    if (peek(lexer, 0) == '0' && (peek(lexer, 1) == 'x' || peek(lexer, 1) == 'X')) {
        base = 16;
        advance(lexer);
        advance(lexer);
        if (digit_value(peek(lexer, 0)) >= 16) {
            ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "hexadecimal number without digits");
            return FALSE;
        }
    } else if (peek(lexer, 0) == '0') {
        base = 8; /* C: a leading 0 means octal */
    }
    for (;;) {
        int d = digit_value(peek(lexer, 0));
        if (d >= (int)base)
            break;
        if (value > (G_MAXUINT64 - (guint64)d) / base)
            overflow = TRUE;
        value = value * base + (guint64)d;
        advance(lexer);
    }
    /* integer suffixes: u, l, ul, ll, ull in any case */
    while (peek(lexer, 0) == 'u' || peek(lexer, 0) == 'U' || peek(lexer, 0) == 'l' ||
           peek(lexer, 0) == 'L')
        advance(lexer);
    if (is_ident_char(peek(lexer, 0)) || peek(lexer, 0) == '.') {
        ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "malformed number '%.*s%c'",
                  (int)(lexer->pos - start), lexer->text + start, peek(lexer, 0));
        return FALSE;
    }
    if (overflow) {
        ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "number '%.*s' does not fit 64 bits",
                  (int)(lexer->pos - start), lexer->text + start);
        return FALSE;
    }
    token->kind = TOK_NUMBER;
    token->number = value;
    token->text = g_strndup(lexer->text + start, lexer->pos - start);
    return TRUE;
}

static gboolean lex_string(Lexer *lexer, Token *token, GError **error)
{
    GString *value = g_string_new(NULL);
    advance(lexer); /* the opening quote */
    for (;;) {
        int c = peek(lexer, 0);
        if (c < 0 || c == '\n') {
            ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "unterminated string");
            g_string_free(value, TRUE);
            return FALSE;
        }
        advance(lexer);
        if (c == '"')
            break;
        if (c == '\\') {
            int e = peek(lexer, 0);
            if (e < 0 || e == '\n') {
                ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "unterminated string");
                g_string_free(value, TRUE);
                return FALSE;
            }
            advance(lexer);
            switch (e) {
            case 'n':
                g_string_append_c(value, '\n');
                break;
            case 't':
                g_string_append_c(value, '\t');
                break;
            case '\\':
            case '"':
            case '\'':
                g_string_append_c(value, (char)e);
                break;
            default: {
                AstLoc loc = here(lexer);
                loc.col -= 2;
                ast_error(error, IDLGEN_ERROR_SYNTAX, loc, "unsupported escape '\\%c' in string",
                          e);
                g_string_free(value, TRUE);
                return FALSE;
            }
            }
            continue;
        }
        g_string_append_c(value, (char)c);
    }
    token->kind = TOK_STRING;
    token->text = g_string_free(value, FALSE);
    return TRUE;
}

gboolean lexer_next(Lexer *lexer, Token *token, GError **error)
{
    gboolean skipped;
    memset(token, 0, sizeof *token);
    if (!skip_blanks(lexer, &skipped, error))
        return FALSE;
    token->space_before = skipped;
    token->loc = here(lexer);

    int c = peek(lexer, 0);
    if (c < 0) {
        if (lexer->in_directive) {
            lexer->in_directive = FALSE;
            token->kind = TOK_EOL;
        } else {
            token->kind = TOK_EOF;
        }
        token->text = g_strdup("");
        return TRUE;
    }
    if (c == '\n') { /* only reached inside a directive */
        advance(lexer);
        lexer->in_directive = FALSE;
        lexer->at_line_start = TRUE;
        token->kind = TOK_EOL;
        token->text = g_strdup("");
        return TRUE;
    }
    gboolean line_start = lexer->at_line_start;
    lexer->at_line_start = FALSE;
    if (c == '#') {
        if (!line_start || lexer->in_directive) {
            ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc,
                      "'#' is only allowed at the start of a line");
            return FALSE;
        }
        advance(lexer);
        lexer->in_directive = TRUE;
        token->kind = TOK_HASH;
        token->text = g_strdup("#");
        return TRUE;
    }
    if (is_ident_start(c)) {
        gsize start = lexer->pos;
        while (is_ident_char(peek(lexer, 0)))
            advance(lexer);
        token->kind = TOK_IDENT;
        token->text = g_strndup(lexer->text + start, lexer->pos - start);
        return TRUE;
    }
    if (c >= '0' && c <= '9')
        return lex_number(lexer, token, error);
    if (c == '"')
        return lex_string(lexer, token, error);
    if ((c == '<' || c == '>') && peek(lexer, 1) == c) {
        token->kind = TOK_PUNCT;
        token->text = g_strndup(lexer->text + lexer->pos, 2);
        advance(lexer);
        advance(lexer);
        return TRUE;
    }
    if (strchr("[](){},;:*=+-~!/%<>&|^?.", c) != NULL) {
        token->kind = TOK_PUNCT;
        token->text = g_strndup(lexer->text + lexer->pos, 1);
        advance(lexer);
        return TRUE;
    }
    if (c >= 0x20 && c < 0x7f)
        ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "unexpected character '%c'", c);
    else
        ast_error(error, IDLGEN_ERROR_SYNTAX, token->loc, "unexpected byte 0x%02x", (unsigned)c);
    return FALSE;
}

gboolean lexer_raw_until(Lexer *lexer, char close, char **text, AstLoc *loc, GError **error)
{
    while (peek(lexer, 0) == ' ' || peek(lexer, 0) == '\t')
        advance(lexer);
    *loc = here(lexer);
    gsize start = lexer->pos;
    while (peek(lexer, 0) >= 0 && peek(lexer, 0) != close && peek(lexer, 0) != '\n')
        advance(lexer);
    if (peek(lexer, 0) != close) {
        ast_error(error, IDLGEN_ERROR_SYNTAX, *loc, "missing '%c'", close);
        return FALSE;
    }
    gchar *raw = g_strndup(lexer->text + start, lexer->pos - start);
    advance(lexer); /* close */
    lexer->at_line_start = FALSE;
    *text = g_strstrip(raw);
    return TRUE;
}

gboolean lexer_raw_balanced(Lexer *lexer, char **text, AstLoc *loc, GError **error)
{
    while (peek(lexer, 0) == ' ' || peek(lexer, 0) == '\t' || peek(lexer, 0) == '\r' ||
           peek(lexer, 0) == '\n')
        advance(lexer);
    *loc = here(lexer);
    gsize start = lexer->pos;
    guint depth = 0;
    for (;;) {
        int c = peek(lexer, 0);
        if (c < 0) {
            ast_error(error, IDLGEN_ERROR_SYNTAX, *loc, "missing ')'");
            return FALSE;
        }
        if (c == ')' && depth == 0)
            break;
        if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        } else if (c == '"') {
            advance(lexer);
            while (peek(lexer, 0) >= 0 && peek(lexer, 0) != '"' && peek(lexer, 0) != '\n') {
                if (peek(lexer, 0) == '\\')
                    advance(lexer);
                advance(lexer);
            }
            if (peek(lexer, 0) != '"') {
                ast_error(error, IDLGEN_ERROR_SYNTAX, *loc, "unterminated string");
                return FALSE;
            }
        }
        advance(lexer);
    }
    gsize end = lexer->pos;
    while (end > start && g_ascii_isspace(lexer->text[end - 1]))
        end--;
    *text = g_strndup(lexer->text + start, end - start);
    advance(lexer); /* ')' */
    lexer->at_line_start = FALSE;
    return TRUE;
}

Token *token_copy(const Token *token)
{
    Token *copy = g_new(Token, 1);
    *copy = *token;
    copy->text = g_strdup(token->text);
    return copy;
}

void token_clear(Token *token)
{
    g_free(token->text);
    token->text = NULL;
}

void token_free(Token *token)
{
    if (token == NULL)
        return;
    token_clear(token);
    g_free(token);
}

gboolean token_is_punct(const Token *token, const char *p)
{
    return token->kind == TOK_PUNCT && strcmp(token->text, p) == 0;
}

gboolean token_is_ident(const Token *token, const char *s)
{
    return token->kind == TOK_IDENT && strcmp(token->text, s) == 0;
}

char *token_describe(const Token *token)
{
    switch (token->kind) {
    case TOK_EOF:
        return g_strdup("end of file");
    case TOK_EOL:
        return g_strdup("end of line");
    case TOK_HASH:
        return g_strdup("'#'");
    case TOK_IDENT:
        return g_strdup_printf("'%s'", token->text);
    case TOK_NUMBER:
        return g_strdup_printf("number %s", token->text);
    case TOK_STRING:
        return g_strdup_printf("string \"%s\"", token->text);
    case TOK_PUNCT:
        return g_strdup_printf("'%s'", token->text);
    }
    return g_strdup("?");
}
