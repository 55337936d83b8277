/*
 * Constant expressions (see eval.h).
 */
#include "eval.h"

#include <string.h>

/* Expressions nest at most this deep (parentheses, unary operators): deeper input is an error,
 * not a stack overflow. */
#define EXPR_MAX_DEPTH 64

typedef struct {
    const GPtrArray *tokens;
    guint pos;
    guint depth;
    GError **error;
} ExprParser;

static const Token *cur(const ExprParser *p)
{
    static char empty[] = "";
    static const Token eof = {TOK_EOF, empty, 0, FALSE, {NULL, 0, 0}};
    if (p->pos < p->tokens->len)
        return g_ptr_array_index(p->tokens, p->pos);
    return &eof;
}

static AstLoc end_loc(const ExprParser *p)
{
    if (p->tokens->len > 0) {
        const Token *last = g_ptr_array_index(p->tokens, p->tokens->len - 1);
        AstLoc loc = last->loc;
        loc.col += (guint)strlen(last->text);
        return loc;
    }
    AstLoc none = {"<expression>", 0, 0};
    return none;
}

static Expr *expr_new(ExprKind kind, AstLoc loc)
{
    Expr *e = g_new0(Expr, 1);
    e->kind = kind;
    e->loc = loc;
    return e;
}

void expr_free(Expr *expr)
{
    if (expr == NULL)
        return;
    expr_free(expr->a);
    expr_free(expr->b);
    expr_free(expr->c);
    g_free(expr->name);
    g_free(expr);
}

static Expr *parse_ternary(ExprParser *p);

static Expr *parse_primary(ExprParser *p)
{
    const Token *t = cur(p);
    if (t->kind == TOK_NUMBER) {
        Expr *e = expr_new(EXPR_NUMBER, t->loc);
        e->number = t->number;
        p->pos++;
        return e;
    }
    if (t->kind == TOK_IDENT) {
        Expr *e = expr_new(EXPR_IDENT, t->loc);
        e->name = g_strdup(t->text);
        p->pos++;
        return e;
    }
    if (token_is_punct(t, "(")) {
        AstLoc open = t->loc;
        p->pos++;
        Expr *inner = parse_ternary(p);
        if (inner == NULL)
            return NULL;
        if (!token_is_punct(cur(p), ")")) {
            g_autofree char *what = token_describe(cur(p));
            ast_error(
                p->error, IDLGEN_ERROR_SYNTAX, cur(p)->kind == TOK_EOF ? end_loc(p) : cur(p)->loc,
                "expected ')' to close the '(' at %u:%u, found %s", open.line, open.col, what);
            expr_free(inner);
            return NULL;
        }
        p->pos++;
        return inner;
    }
    g_autofree char *what = token_describe(t);
    ast_error(p->error, IDLGEN_ERROR_SYNTAX, t->kind == TOK_EOF ? end_loc(p) : t->loc,
              "expected an expression, found %s", what);
    return NULL;
}

static Expr *parse_unary(ExprParser *p)
{
    const Token *t = cur(p);
    if (t->kind == TOK_PUNCT && (token_is_punct(t, "-") || token_is_punct(t, "+") ||
                                 token_is_punct(t, "~") || token_is_punct(t, "!"))) {
        if (++p->depth > EXPR_MAX_DEPTH) {
            ast_error(p->error, IDLGEN_ERROR_SYNTAX, t->loc, "expression nested too deeply");
            return NULL;
        }
        Expr *e = expr_new(EXPR_UNARY, t->loc);
        g_strlcpy(e->op, t->text, sizeof e->op);
        p->pos++;
        e->a = parse_unary(p);
        p->depth--;
        if (e->a == NULL) {
            expr_free(e);
            return NULL;
        }
        return e;
    }
    if (token_is_punct(t, "(")) {
        if (++p->depth > EXPR_MAX_DEPTH) {
            ast_error(p->error, IDLGEN_ERROR_SYNTAX, t->loc, "expression nested too deeply");
            return NULL;
        }
        Expr *e = parse_primary(p);
        p->depth--;
        return e;
    }
    return parse_primary(p);
}

/* Binary operators by precedence level, loosest first (C's table). */
static const char *const levels[][5] = {
    {"||", NULL},
    {"&&", NULL},
    {"|", NULL},
    {"^", NULL},
    {"&", NULL},
    {"==", "!=", NULL},
    {"<", "<=", ">", ">=", NULL},
    {"<<", ">>", NULL},
    {"+", "-", NULL},
    {"*", "/", "%", NULL},
};
#define N_LEVELS ((int)G_N_ELEMENTS(levels))

/* Matches an operator of the level at the current tokens; two-character operators other than
 * << and >> arrive as two punctuator tokens with nothing between them. Returns the number of
 * tokens it spans (0 when none matches). */
static guint match_op(const ExprParser *p, int level, const char **op)
{
    const Token *t = cur(p);
    if (t->kind != TOK_PUNCT)
        return 0;
    const Token *next =
        p->pos + 1 < p->tokens->len ? g_ptr_array_index(p->tokens, p->pos + 1) : NULL;
    for (int i = 0; levels[level][i] != NULL; i++) {
        const char *cand = levels[level][i];
        if (strlen(cand) == 1 || strcmp(cand, "<<") == 0 || strcmp(cand, ">>") == 0) {
            if (strcmp(t->text, cand) != 0)
                continue;
            /* "|" must not be the first half of "||", "&" of "&&", "<" of "<=" */
            if (strlen(cand) == 1 && next != NULL && next->kind == TOK_PUNCT &&
                !next->space_before) {
                char two[3] = {cand[0], next->text[0], 0};
                if (strcmp(two, "||") == 0 || strcmp(two, "&&") == 0 || strcmp(two, "<=") == 0 ||
                    strcmp(two, ">=") == 0 || strcmp(two, "==") == 0 || strcmp(two, "!=") == 0)
                    continue;
            }
            *op = cand;
            return 1;
        }
        if (next != NULL && next->kind == TOK_PUNCT && !next->space_before &&
            t->text[0] == cand[0] && next->text[0] == cand[1] && t->text[1] == 0 &&
            next->text[1] == 0) {
            *op = cand;
            return 2;
        }
    }
    return 0;
}

static Expr *parse_binary(ExprParser *p, int level)
{
    if (level >= N_LEVELS)
        return parse_unary(p);
    Expr *left = parse_binary(p, level + 1);
    if (left == NULL)
        return NULL;
    for (;;) {
        const char *op;
        guint span = match_op(p, level, &op);
        if (span == 0)
            return left;
        Expr *e = expr_new(EXPR_BINARY, cur(p)->loc);
        g_strlcpy(e->op, op, sizeof e->op);
        p->pos += span;
        e->a = left;
        e->b = parse_binary(p, level + 1);
        if (e->b == NULL) {
            expr_free(e);
            return NULL;
        }
        left = e;
    }
}

static Expr *parse_ternary(ExprParser *p)
{
    Expr *cond = parse_binary(p, 0);
    if (cond == NULL || !token_is_punct(cur(p), "?"))
        return cond;
    if (++p->depth > EXPR_MAX_DEPTH) {
        ast_error(p->error, IDLGEN_ERROR_SYNTAX, cur(p)->loc, "expression nested too deeply");
        expr_free(cond);
        return NULL;
    }
    Expr *e = expr_new(EXPR_TERNARY, cur(p)->loc);
    p->pos++;
    e->a = cond;
    e->b = parse_ternary(p);
    if (e->b != NULL && !token_is_punct(cur(p), ":")) {
        g_autofree char *what = token_describe(cur(p));
        ast_error(p->error, IDLGEN_ERROR_SYNTAX, cur(p)->kind == TOK_EOF ? end_loc(p) : cur(p)->loc,
                  "expected ':' in a conditional expression, found %s", what);
        p->depth--;
        expr_free(e);
        return NULL;
    }
    if (e->b != NULL) {
        p->pos++;
        e->c = parse_ternary(p);
    }
    p->depth--;
    if (e->b == NULL || e->c == NULL) {
        expr_free(e);
        return NULL;
    }
    return e;
}

Expr *expr_parse(const GPtrArray *tokens, guint *pos, GError **error)
{
    ExprParser p = {tokens, *pos, 0, error};
    Expr *e = parse_ternary(&p);
    if (e != NULL)
        *pos = p.pos;
    return e;
}

static gboolean eval_ident(AstModule *module, const Expr *expr, gint64 *value, GError **error)
{
    AstDefine *define = ast_find_define(module, expr->name);
    if (define != NULL)
        return eval_define(module, define, expr->loc, value, error);
    const gint64 *enumerator = g_hash_table_lookup(module->enumerators, expr->name);
    if (enumerator != NULL) {
        *value = *enumerator;
        return TRUE;
    }
    ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc, "'%s' is not defined", expr->name);
    return FALSE;
}

gboolean expr_eval(AstModule *module, const Expr *expr, gint64 *value, GError **error)
{
    gint64 a = 0, b = 0;
    switch (expr->kind) {
    case EXPR_NUMBER:
        if (expr->number > (guint64)G_MAXINT64) {
            ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc,
                      "number %" G_GUINT64_FORMAT " is too large", expr->number);
            return FALSE;
        }
        *value = (gint64)expr->number;
        return TRUE;
    case EXPR_IDENT:
        return eval_ident(module, expr, value, error);
    case EXPR_UNARY:
        if (!expr_eval(module, expr->a, &a, error))
            return FALSE;
        switch (expr->op[0]) {
        case '-':
            if (a == G_MININT64) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc, "overflow in negation");
                return FALSE;
            }
            *value = -a;
            return TRUE;
        case '+':
            *value = a;
            return TRUE;
        case '~':
            *value = ~a;
            return TRUE;
        case '!':
            *value = !a;
            return TRUE;
        }
        break;
    case EXPR_TERNARY:
        if (!expr_eval(module, expr->a, &a, error))
            return FALSE;
        return expr_eval(module, a ? expr->b : expr->c, value, error);
    case EXPR_BINARY: {
        const char *op = expr->op;
        if (!expr_eval(module, expr->a, &a, error))
            return FALSE;
        /* && and || short-circuit, as in C */
        if (strcmp(op, "&&") == 0 && !a) {
            *value = 0;
            return TRUE;
        }
        if (strcmp(op, "||") == 0 && a) {
            *value = 1;
            return TRUE;
        }
        if (!expr_eval(module, expr->b, &b, error))
            return FALSE;
        gint64 r;
        if (strcmp(op, "+") == 0) {
            if (__builtin_add_overflow(a, b, &r))
                goto overflow;
        } else if (strcmp(op, "-") == 0) {
            if (__builtin_sub_overflow(a, b, &r))
                goto overflow;
        } else if (strcmp(op, "*") == 0) {
            if (__builtin_mul_overflow(a, b, &r))
                goto overflow;
        } else if (strcmp(op, "/") == 0 || strcmp(op, "%") == 0) {
            if (b == 0) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc, "division by zero");
                return FALSE;
            }
            if (a == G_MININT64 && b == -1)
                goto overflow;
            r = op[0] == '/' ? a / b : a % b;
        } else if (strcmp(op, "<<") == 0 || strcmp(op, ">>") == 0) {
            if (b < 0 || b > 63) {
                ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc,
                          "shift count %" G_GINT64_FORMAT " is out of 0..63", b);
                return FALSE;
            }
            r = op[0] == '<' ? (gint64)((guint64)a << b) : a >> b;
        } else if (strcmp(op, "&") == 0) {
            r = a & b;
        } else if (strcmp(op, "|") == 0) {
            r = a | b;
        } else if (strcmp(op, "^") == 0) {
            r = a ^ b;
        } else if (strcmp(op, "&&") == 0 || strcmp(op, "||") == 0) {
            r = b != 0;
        } else if (strcmp(op, "==") == 0) {
            r = a == b;
        } else if (strcmp(op, "!=") == 0) {
            r = a != b;
        } else if (strcmp(op, "<") == 0) {
            r = a < b;
        } else if (strcmp(op, "<=") == 0) {
            r = a <= b;
        } else if (strcmp(op, ">") == 0) {
            r = a > b;
        } else if (strcmp(op, ">=") == 0) {
            r = a >= b;
        } else {
            break;
        }
        *value = r;
        return TRUE;
    overflow:
        ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc, "overflow in '%s'", op);
        return FALSE;
    }
    }
    ast_error(error, IDLGEN_ERROR_SEMANTIC, expr->loc, "unsupported expression");
    return FALSE;
}

gboolean eval_tokens(AstModule *module, const GPtrArray *tokens, AstLoc where, gint64 *value,
                     GError **error)
{
    if (tokens->len == 0) {
        ast_error(error, IDLGEN_ERROR_SYNTAX, where, "expected an expression");
        return FALSE;
    }
    guint pos = 0;
    g_autoptr(Expr) expr = expr_parse(tokens, &pos, error);
    if (expr == NULL)
        return FALSE;
    if (pos < tokens->len) {
        const Token *extra = g_ptr_array_index(tokens, pos);
        g_autofree char *what = token_describe(extra);
        ast_error(error, IDLGEN_ERROR_SYNTAX, extra->loc, "unexpected %s after the expression",
                  what);
        return FALSE;
    }
    return expr_eval(module, expr, value, error);
}

gboolean eval_define(AstModule *module, AstDefine *define, AstLoc use, gint64 *value,
                     GError **error)
{
    switch (define->state) {
    case AST_DEFINE_DONE:
        *value = define->value;
        return TRUE;
    case AST_DEFINE_BUSY:
        ast_error(error, IDLGEN_ERROR_SEMANTIC, use, "'%s' is defined in terms of itself",
                  define->name);
        return FALSE;
    case AST_DEFINE_NOT_CONSTANT:
    case AST_DEFINE_UNSEEN:
        break;
    }
    if (define->params != NULL) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, use,
                  "'%s' is a function-like macro (defined at %s:%u:%u) and has no value",
                  define->name, define->loc.file, define->loc.line, define->loc.col);
        return FALSE;
    }
    if (define->body->len == 0) {
        ast_error(error, IDLGEN_ERROR_SEMANTIC, use,
                  "'%s' (defined at %s:%u:%u) is empty and has no value", define->name,
                  define->loc.file, define->loc.line, define->loc.col);
        return FALSE;
    }
    define->state = AST_DEFINE_BUSY;
    GError *inner = NULL;
    gint64 v;
    if (!eval_tokens(module, define->body, define->loc, &v, &inner)) {
        define->state = AST_DEFINE_NOT_CONSTANT;
        /* The error is located inside the body; say which use led there (innermost only). */
        if (strstr(inner->message, " (in the expansion of ") == NULL) {
            gchar *msg = g_strdup_printf("%s (in the expansion of '%s' used at %s:%u:%u)",
                                         inner->message, define->name, use.file, use.line, use.col);
            g_free(inner->message);
            inner->message = msg;
        }
        g_propagate_error(error, inner);
        return FALSE;
    }
    define->state = AST_DEFINE_DONE;
    define->value = v;
    *value = v;
    return TRUE;
}

void eval_set_enumerator(AstModule *module, const char *name, gint64 value)
{
    gint64 *stored = g_new(gint64, 1);
    *stored = value;
    g_hash_table_replace(module->enumerators, g_strdup(name), stored);
}
