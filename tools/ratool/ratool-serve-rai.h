/*
 * The DCOM and MS-RAI part of `ratool serve` (issue 5): its options (--flavor, --sessions,
 * --offers-disabled, --offer-lifetime, --listener-port, --listener-address, --seed, the
 * hidden --ping-period for tests and issue 7's --advertise-binding), the DCOM object exporter with
 * the novice's classes, and the printing of offers and refusals. ratool-serve.c (the RPC layer)
 * calls these in order: options -> parse -> ratool_serve_rai_prepare() -> RPC server, endpoint
 * mapper -> ratool_serve_rai_start() -> resolver config -> resolver -> ratool_serve_rai_attach() ->
 * loop
 *   -> ratool_serve_rai_free().
 */
#ifndef RATOOL_SERVE_RAI_H
#define RATOOL_SERVE_RAI_H

#include "ra/epm.h"
#include "ra/oxid.h"
#include "ra/rpc-server.h"

#include <glib.h>

typedef struct {
    gchar *flavor;
    gchar *sessions;
    gboolean offers_disabled;
    gint offer_lifetime;
    gint listener_port;
    gchar **listener_addresses;
    gchar *seed;
    gint ping_period_ms;
    gchar **advertise_bindings; /* issue 7: --advertise-binding */
} ServeRaiOptions;

typedef struct ServeRai ServeRai;

/* The option group of these options (owned by the context it is added to). */
GOptionGroup *ratool_serve_rai_options(ServeRaiOptions *options);

/*
 * Checks the options, seeds the random generator (--seed) and loads the session table (utmp or
 * --sessions). Returns NULL and an exit status in *status: RATOOL_EXIT_USAGE for bad options,
 * RATOOL_EXIT_DATA for a session table that cannot be read.
 */
ServeRai *ratool_serve_rai_prepare(ServeRaiOptions *options, gboolean quiet, int *status);

/* Creates the DCOM exporter and the novice on the server (epm may be NULL). */
void ratool_serve_rai_start(ServeRai *rai, RaRpcServer *server, RaEpm *epm, guint16 port,
                            RaRpcLogFunc log, gpointer log_user_data);

/* Sets the resolver's expiry callback (and --ping-period) in its configuration. */
void ratool_serve_rai_resolver_config(ServeRai *rai, RaOxidConfig *config);

/* Attaches the resolver and prints what is served. */
void ratool_serve_rai_attach(ServeRai *rai, RaOxidResolver *resolver);

/* Frees the option values. */
void ratool_serve_rai_options_clear(ServeRaiOptions *options);

/* Prints the totals; frees. NULL is ignored. */
void ratool_serve_rai_free(ServeRai *rai);

#endif
