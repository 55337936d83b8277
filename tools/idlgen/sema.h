/*
 * The semantic pass of idlgen: turns what the parser read into the resolved AST that ast.h
 * promises to backends.
 *
 * It checks every attribute against the subset (an unknown or misplaced attribute is an error,
 * so that no backend silently ignores something like size_is), parses uuid(), helpstring() and
 * pointer_default(), evaluates id() and enumerator values (eval.h), resolves type and interface
 * names, computes opnums from the base interface chain, and the pointer classes of parameters.
 */
#ifndef IDLGEN_SEMA_H
#define IDLGEN_SEMA_H

#include "ast.h"

G_BEGIN_DECLS

/* Resolves module in place. FALSE with an IDLGEN_ERROR ("file:line:col: error: ...") at the
 * first problem; the module must then only be freed. */
gboolean sema_resolve(AstModule *module, GError **error);

G_END_DECLS

#endif
