/*
 * The lexer of idlgen's MIDL subset: identifiers, integers (decimal, octal, hex, with U/L
 * suffixes), string literals, punctuators, comments, and preprocessor lines.
 *
 * A '#' that starts a line (after blanks) opens a directive: the lexer returns TOK_HASH, the
 * directive's tokens, then TOK_EOL at the end of the line (a backslash before the newline
 * continues the line). Everywhere else newlines are blanks.
 *
 * UUIDs (uuid(833E4100-AFF7-...)) are not tokens: after the parser has read "uuid" "(", it calls
 * lexer_raw_until() to take the text up to ')'.
 */
#ifndef IDLGEN_LEXER_H
#define IDLGEN_LEXER_H

#include "ast.h"

G_BEGIN_DECLS

typedef enum {
    TOK_EOF,
    TOK_IDENT,
    TOK_NUMBER,
    TOK_STRING, /* text holds the value, escapes resolved */
    TOK_PUNCT,  /* text holds the punctuator: one character, or "<<" / ">>" */
    TOK_HASH,   /* '#' starting a directive */
    TOK_EOL,    /* the end of a directive line */
} TokenKind;

typedef struct {
    TokenKind kind;
    char *text;            /* owned; "" for TOK_EOF and TOK_EOL */
    guint64 number;        /* TOK_NUMBER: the value (C semantics: no sign) */
    gboolean space_before; /* blanks or a comment between this token and the previous one */
    AstLoc loc;
} Token;

typedef struct {
    const char *file; /* used in locations; not owned, must outlive the lexer and its tokens */
    const char *text;
    gsize len;
    gsize pos;
    guint line, col;
    gboolean at_line_start; /* only blanks seen since the last newline */
    gboolean in_directive;
} Lexer;

/* Starts lexing text[0..len) (not copied: it must outlive the lexer). */
void lexer_init(Lexer *lexer, const char *file, const char *text, gsize len);

/* The same, for text that starts at line:col of file (re-lexing an attribute argument). */
void lexer_init_at(Lexer *lexer, const char *file, const char *text, gsize len, guint line,
                   guint col);

/* Reads the next token into *token (free with token_clear()). FALSE with an error at a bad
 * character, an unterminated comment or string, or an integer that does not fit 64 bits. */
gboolean lexer_next(Lexer *lexer, Token *token, GError **error);

/* Takes the raw text from the current position up to (not including) the next `close`
 * character, trimmed; *loc is where the text starts. The `close` character is consumed.
 * FALSE with an error when `close` does not come before the end of the line. */
gboolean lexer_raw_until(Lexer *lexer, char close, char **text, AstLoc *loc, GError **error);

/* Takes the raw text from the current position up to the ')' that balances an already consumed
 * '(' (nested parentheses and string literals are skipped over), trimmed; *loc is where the
 * text starts. The closing ')' is consumed. FALSE with an error at the end of the input. */
gboolean lexer_raw_balanced(Lexer *lexer, char **text, AstLoc *loc, GError **error);

/* A copy of a token (deep), and its release. */
Token *token_copy(const Token *token);
void token_clear(Token *token);
void token_free(Token *token);

/* TRUE when the token is the punctuator p ("(" or "<<"). */
gboolean token_is_punct(const Token *token, const char *p);
/* TRUE when the token is the identifier (or keyword) s. */
gboolean token_is_ident(const Token *token, const char *s);

/* A short description for messages: "identifier 'foo'", "'('", "end of file"... (owned). */
char *token_describe(const Token *token);

G_END_DECLS

#endif
