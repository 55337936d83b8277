/*
 * The backends of idlgen. A backend only reads a resolved AstModule (see ast.h); it never parses
 * IDL text or changes the AST, so a new backend is a new file plus one line in the table of
 * main.c.
 */
#ifndef IDLGEN_BACKEND_H
#define IDLGEN_BACKEND_H

#include "ast.h"

G_BEGIN_DECLS

typedef struct {
    const char *output;       /* where to write: a folder for multi-file backends, a file or "-" */
    const char *command_line; /* for the banner of generated files */
} BackendOptions;

typedef struct {
    const char *name;
    const char *summary;
    /* FALSE with an IDLGEN_ERROR when the module uses something the backend cannot express, or
     * when writing fails. */
    gboolean (*generate)(const AstModule *module, const BackendOptions *options, GError **error);
} Backend;

/* `--backend dump`: a stable text dump of the whole AST (the golden tests of the front end). */
gboolean backend_dump_generate(const AstModule *module, const BackendOptions *options,
                               GError **error);
/* Writes the dump to a string (owned by the caller). */
char *backend_dump_string(const AstModule *module);

/* `--backend wireshark`: the generated part of the Wireshark plugin (rai-gen.c, rai-gen.h). */
gboolean backend_ws_generate(const AstModule *module, const BackendOptions *options,
                             GError **error);

/* `--backend ndr`: typed NDR stubs, client proxies and server dispatch for tools/libra
 * (rai-ndr.c, rai-ndr.h; see backend-ndr.c). */
gboolean backend_ndr_generate(const AstModule *module, const BackendOptions *options,
                              GError **error);
/* The same two files as strings (owned by the caller), for the backend's unit tests. */
gboolean backend_ndr_string(const AstModule *module, char **header, char **code, GError **error);

/* Shared by backends: writes contents to path (or stdout for "-"), replacing the file only when
 * the contents change, so that a rebuild does not recompile what did not change. */
gboolean backend_write_file(const char *path, const char *contents, GError **error);

/* The DO-NOT-EDIT banner of generated C files: names the generator and every input file.
 * Owned by the caller. */
char *backend_banner(const AstModule *module, const char *what);

G_END_DECLS

#endif
