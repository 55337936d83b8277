/*
 * The parser of idlgen's MIDL subset. It builds AST nodes with names still unresolved and
 * attribute arguments still raw; sema_resolve() (sema.h) does the rest.
 *
 * The subset ([MS-RAI] Appendix B and the files it imports):
 *   file        := { directive | import | typedef | [attributes] (interface | coclass) }
 *   directive   := '#' 'define' NAME ['(' params ')'] tokens... end-of-line
 *   import      := 'import' STRING {',' STRING} ';'
 *   typedef     := 'typedef' [attributes] 'enum' [TAG] '{' enumerator {',' enumerator} [','] '}'
 *                  NAME ';'
 *   enumerator  := NAME ['=' constant-expression]
 *   interface   := 'interface' NAME [':' BASE] '{' {method} '}' [';']  |  'interface' NAME ';'
 *   method      := [attributes] type NAME '(' ('void' | param {',' param}) ')' ';'
 *   param       := [attributes] type NAME
 *   type        := TYPENAME {'*'}  |  'SAFEARRAY' '(' TYPENAME ')' {'*'}
 *   coclass     := 'coclass' NAME '{' {[attributes] 'interface' NAME ';'} '}' [';']
 *   attributes  := '[' attribute {',' attribute} ']'
 *   attribute   := NAME ['(' raw text with balanced parentheses ')']
 * Anything else (other directives, typedefs of structs, library blocks...) is an error.
 */
#ifndef IDLGEN_PARSER_H
#define IDLGEN_PARSER_H

#include "ast.h"

G_BEGIN_DECLS

/*
 * Reads the file at path into module with the given role. `import "x"` reads x (once per module)
 * from the importing file's folder, else from include_dirs (NULL-terminated, may be NULL).
 * FALSE with an IDLGEN_ERROR ("file:line:col: error: ...") at the first problem; the module may
 * then hold part of the input and must only be freed.
 */
gboolean parser_read_file(AstModule *module, const char *path, AstFileRole role,
                          const char *const *include_dirs, GError **error);

/* The same for text held in memory; name stands for the path in locations and imports are
 * searched in include_dirs only. */
gboolean parser_read_string(AstModule *module, const char *name, const char *text, AstFileRole role,
                            const char *const *include_dirs, GError **error);

G_END_DECLS

#endif
