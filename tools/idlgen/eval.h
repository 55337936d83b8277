/*
 * Constant expressions of idlgen: the values of id(...), of enumerators and of #defines.
 *
 * The grammar is C's for integer constant expressions: numbers, identifiers, parentheses, unary
 * + - ~ !, binary * / % + - << >> < <= > >= == != & ^ | && ||, and ?:. Arithmetic is done in
 * 64-bit signed integers; overflow of a literal, division by zero and shifts out of 0..63 are
 * errors.
 *
 * Identifiers are resolved when evaluated, like a C preprocessor expands macros: a #define's body
 * is evaluated on first use and cached (eval_define()), so it may use names defined after it, in
 * the same file or another one (the errata prelude aliases names that ms-rai.idl defines later).
 * An identifier that is not a #define may be an enumerator evaluated earlier.
 */
#ifndef IDLGEN_EVAL_H
#define IDLGEN_EVAL_H

#include "ast.h"
#include "lexer.h"

G_BEGIN_DECLS

typedef enum {
    EXPR_NUMBER,
    EXPR_IDENT,
    EXPR_UNARY,   /* op a */
    EXPR_BINARY,  /* a op b */
    EXPR_TERNARY, /* a ? b : c */
} ExprKind;

typedef struct Expr {
    ExprKind kind;
    guint64 number; /* EXPR_NUMBER */
    char *name;     /* EXPR_IDENT */
    char op[3];     /* EXPR_UNARY, EXPR_BINARY: "-", "<<", "&&"... */
    struct Expr *a, *b, *c;
    AstLoc loc;
} Expr;

/* Parses one expression from tokens (Token*) starting at *pos; on success *pos is the index of the
 * first token not used. NULL with an error when no expression starts there. */
Expr *expr_parse(const GPtrArray *tokens, guint *pos, GError **error);
void expr_free(Expr *expr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Expr, expr_free)

/* Evaluates an expression in the module's scope. */
gboolean expr_eval(AstModule *module, const Expr *expr, gint64 *value, GError **error);

/* Evaluates all of tokens as one expression; `where` locates an empty list in messages. */
gboolean eval_tokens(AstModule *module, const GPtrArray *tokens, AstLoc where, gint64 *value,
                     GError **error);

/* The value of a #define, evaluated on first use and cached in the AstDefine. `use` is where
 * the name was used, for messages. Errors: a function-like macro, an empty or non-constant body,
 * a definition that depends on itself, and any error inside the body (located there). */
gboolean eval_define(AstModule *module, AstDefine *define, AstLoc use, gint64 *value,
                     GError **error);

/* Records that an enumerator now has a value, so later expressions can use its name. */
void eval_set_enumerator(AstModule *module, const char *name, gint64 value);

G_END_DECLS

#endif
