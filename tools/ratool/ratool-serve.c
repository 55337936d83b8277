/*
 * ratool serve: the novice's DCE/RPC server - the endpoint mapper and the OXID resolver on one
 * TCP port (135 by default), NTLMv2 authentication against configured accounts, PKT_PRIVACY by
 * default. The MS-RAI objects (IRASrv, IPCHService) are registered on the same server by the
 * DCOM layer.
 *
 * Secure defaults: 127.0.0.1 only, authentication required for everything but the operations
 * Windows leaves open (endpoint mapper, ServerAlive/ServerAlive2), passwords never logged.
 */
#include "ratool.h"
#include "ratool-serve-rai.h"

#include "ra/accounts.h"
#include "ra/epm.h"
#include "ra/error.h"
#include "ra/oxid.h"
#include "ra/rpc-server.h"
#include "ra/transport.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    gchar **bind;
    gint port;
    gchar **accounts;
    gchar **account_hashes;
    gchar **helpers;
    gchar *config;
    gchar *min_level;
    gint max_connections;
    gint idle_timeout;
    gchar *computer_name;
    gboolean verbose;
    gboolean quiet;
} ServeOptions;

typedef struct {
    GPtrArray *bind; /* gchar* */
    guint16 port;
    guint8 min_level;
    guint max_connections;
    guint idle_timeout_s;
    gchar *computer_name;
    RaAccounts *accounts;
    gboolean verbose, quiet;
} ServeSettings;

static gboolean parse_level(const char *text, guint8 *level, GError **error)
{
    if (g_ascii_strcasecmp(text, "privacy") == 0 || g_ascii_strcasecmp(text, "pkt_privacy") == 0)
        *level = RA_AUTH_LEVEL_PKT_PRIVACY;
    else if (g_ascii_strcasecmp(text, "integrity") == 0 ||
             g_ascii_strcasecmp(text, "pkt_integrity") == 0)
        *level = RA_AUTH_LEVEL_PKT_INTEGRITY;
    else {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "minimum authentication level '%s': use integrity or privacy", text);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_port(gint64 value, guint16 *port, GError **error)
{
    if (value < 0 || value > 65535) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "port %" G_GINT64_FORMAT " is not between 0 and 65535", value);
        return FALSE;
    }
    *port = (guint16)value;
    return TRUE;
}

/*
 * The configuration file (GLib key file):
 *   [serve]    bind = 127.0.0.1;::1   port = 135   min-auth-level = privacy
 *              max-connections = 256  idle-timeout = 120  computer-name = NOVICE
 *   [account NAME]  user = DOMAIN\user   password = ... | nt-hash = 32 hex digits
 *                   helper = true|false
 * Values of user and password are taken literally (no key-file escapes), so a backslash in
 * DOMAIN\user needs no doubling. Command-line options override [serve]; accounts add up.
 */
static gboolean load_config(const char *path, ServeSettings *s, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    GError *local = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: %s", path, local->message);
        g_error_free(local);
        return FALSE;
    }
    gsize n_groups = 0;
    g_auto(GStrv) groups = g_key_file_get_groups(kf, &n_groups);
    for (gsize i = 0; i < n_groups; i++) {
        const char *g = groups[i];
        if (strcmp(g, "serve") == 0) {
            g_auto(GStrv) keys = g_key_file_get_keys(kf, g, NULL, NULL);
            for (gsize k = 0; keys != NULL && keys[k] != NULL; k++) {
                const char *key = keys[k];
                if (strcmp(key, "bind") == 0) {
                    g_auto(GStrv) list = g_key_file_get_string_list(kf, g, key, NULL, &local);
                    for (gsize j = 0; list != NULL && list[j] != NULL; j++)
                        g_ptr_array_add(s->bind, g_strstrip(g_strdup(list[j])));
                } else if (strcmp(key, "port") == 0) {
                    gint64 v = g_key_file_get_int64(kf, g, key, &local);
                    if (local == NULL && !parse_port(v, &s->port, error))
                        return FALSE;
                } else if (strcmp(key, "min-auth-level") == 0) {
                    g_autofree gchar *v = g_key_file_get_string(kf, g, key, &local);
                    if (v != NULL && !parse_level(v, &s->min_level, error))
                        return FALSE;
                } else if (strcmp(key, "max-connections") == 0) {
                    gint v = g_key_file_get_integer(kf, g, key, &local);
                    if (local == NULL)
                        s->max_connections = (guint)MAX(v, 1);
                } else if (strcmp(key, "idle-timeout") == 0) {
                    gint v = g_key_file_get_integer(kf, g, key, &local);
                    if (local == NULL)
                        s->idle_timeout_s = (guint)MAX(v, 1);
                } else if (strcmp(key, "computer-name") == 0) {
                    g_free(s->computer_name);
                    s->computer_name = g_key_file_get_string(kf, g, key, &local);
                } else {
                    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: [serve] has no key '%s'",
                                path, key);
                    return FALSE;
                }
                if (local != NULL) {
                    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: [serve] %s: %s", path,
                                key, local->message);
                    g_error_free(local);
                    return FALSE;
                }
            }
        } else if (g_str_has_prefix(g, "account ")) {
            g_autofree gchar *user = g_key_file_get_value(kf, g, "user", NULL);
            g_autofree gchar *password = g_key_file_get_value(kf, g, "password", NULL);
            g_autofree gchar *hash = g_key_file_get_value(kf, g, "nt-hash", NULL);
            gboolean helper = g_key_file_get_boolean(kf, g, "helper", &local);
            if (local != NULL) {
                gboolean absent =
                    g_error_matches(local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND);
                if (!absent) {
                    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: [%s] helper: %s", path, g,
                                local->message);
                    g_error_free(local);
                    return FALSE;
                }
                g_clear_error(&local);
            }
            if (user == NULL || (password == NULL) == (hash == NULL)) {
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                            "%s: [%s] needs user and exactly one of password and nt-hash", path, g);
                return FALSE;
            }
            gchar *spec = g_strdup_printf("%s:%s", user, password != NULL ? password : hash);
            gboolean ok = password != NULL
                              ? ra_accounts_add_spec(s->accounts, spec, helper, &local)
                              : ra_accounts_add_hash_spec(s->accounts, spec, helper, &local);
            memset(spec, 0, strlen(spec));
            g_free(spec);
            if (password != NULL)
                memset(password, 0, strlen(password));
            if (!ok) {
                g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "%s: [%s]: %s", path, g,
                            local->message);
                g_error_free(local);
                return FALSE;
            }
        } else {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "%s: unknown group [%s] (expected [serve] or [account NAME])", path, g);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- logging ---- */

static void on_log(RaRpcLogLevel level, const char *peer, const char *message, gpointer data)
{
    const ServeSettings *s = data;
    if (s->quiet && level != RA_RPC_LOG_ERROR)
        return;
    if (level == RA_RPC_LOG_DEBUG && !s->verbose)
        return;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree gchar *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    const char *tag = level == RA_RPC_LOG_REFUSAL ? "refused: "
                      : level == RA_RPC_LOG_ERROR ? "error: "
                                                  : "";
    /* The library never passes secrets here. Messages that say what was refused or failed
     * need no tag. */
    if (strstr(message, "refused") != NULL || strstr(message, "failed") != NULL)
        tag = "";
    fprintf(stderr, "%sZ %s %s%s\n", stamp, peer != NULL ? peer : "-", tag, message);
    fflush(stderr);
}

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

int ratool_serve(int argc, char **argv)
{
    ServeOptions o = {0};
    o.port = -1;
    o.max_connections = 0;
    GOptionEntry entries[] = {
        {"bind", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.bind,
         "Listen on this address (default 127.0.0.1; repeat for more, e.g. ::1)", "ADDR"},
        {"port", 0, 0, G_OPTION_ARG_INT, &o.port,
         "TCP port (default 135; 0 picks a free port and prints it)", "PORT"},
        {"account", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.accounts,
         "An account clients may authenticate as (repeatable)", "'DOMAIN\\user:password'"},
        {"account-hash", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.account_hashes,
         "An account given by its NT hash (32 hex digits; repeatable)", "'DOMAIN\\user:HASH'"},
        {"helper", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.helpers,
         "A member of the helpers group; with a password it also defines the account",
         "'DOMAIN\\user[:password]'"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &o.config, "Read settings and accounts from FILE",
         "FILE"},
        {"min-auth-level", 0, 0, G_OPTION_ARG_STRING, &o.min_level,
         "Lowest authentication level accepted (default privacy)", "integrity|privacy"},
        {"max-connections", 0, 0, G_OPTION_ARG_INT, &o.max_connections,
         "Most simultaneous connections (default 256)", "N"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_INT, &o.idle_timeout,
         "Close connections idle this long (default 120)", "SECONDS"},
        {"computer-name", 0, 0, G_OPTION_ARG_STRING, &o.computer_name,
         "NetBIOS name announced in NTLM (default: the host name)", "NAME"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Log every bind and fault", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "Log protocol errors only", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    ServeRaiOptions rai_options = {0}; /* issue 5: the novice's options */
    GOptionContext *context = g_option_context_new("- serve DCOM activation and OXID resolution");
    g_option_context_set_summary(
        context, "Runs the novice side of Remote Assistance over DCE/RPC: the endpoint mapper and\n"
                 "the OXID resolver (IObjectExporter) on one TCP port, NTLMv2 authentication at\n"
                 "packet privacy. Logs each association, identity and refusal on stderr (never a\n"
                 "password). Stops cleanly on SIGINT or SIGTERM.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_add_group(context, ratool_serve_rai_options(&rai_options));
    gboolean parsed = ratool_parse_options(context, &argc, &argv);
    g_option_context_free(context);
    int status = RATOOL_EXIT_USAGE;
    ServeSettings s = {0};
    s.bind = g_ptr_array_new_with_free_func(g_free);
    s.port = 135;
    s.min_level = RA_AUTH_LEVEL_PKT_PRIVACY;
    s.max_connections = 256;
    s.idle_timeout_s = 120;
    s.accounts = ra_accounts_new();
    GError *error = NULL;
    RaRpcServer *server = NULL;
    RaEpm *epm = NULL;
    RaOxidResolver *oxid = NULL;
    ServeRai *rai = NULL;
    GMainLoop *loop = NULL;
    if (!parsed)
        goto out;
    if (argc > 1) {
        ratool_fail("serve: unexpected argument '%s' (try --help)", argv[1]);
        goto out;
    }

    status = RATOOL_EXIT_DATA;
    if (o.config != NULL && !load_config(o.config, &s, &error)) {
        ratool_error("serve: configuration", error);
        goto out;
    }
    status = RATOOL_EXIT_USAGE;
    if (o.bind != NULL) {
        g_ptr_array_set_size(s.bind, 0);
        for (gsize i = 0; o.bind[i] != NULL; i++)
            g_ptr_array_add(s.bind, g_strdup(o.bind[i]));
    }
    if (s.bind->len == 0)
        g_ptr_array_add(s.bind, g_strdup("127.0.0.1"));
    if (o.port != -1 && !parse_port(o.port, &s.port, &error)) {
        ratool_error("serve: --port", error);
        goto out;
    }
    if (o.min_level != NULL && !parse_level(o.min_level, &s.min_level, &error)) {
        ratool_error("serve: --min-auth-level", error);
        goto out;
    }
    if (o.max_connections < 0 || o.idle_timeout < 0) {
        ratool_fail("serve: --max-connections and --idle-timeout must be positive");
        goto out;
    }
    if (o.max_connections > 0)
        s.max_connections = (guint)o.max_connections;
    if (o.idle_timeout > 0)
        s.idle_timeout_s = (guint)o.idle_timeout;
    if (o.computer_name != NULL) {
        g_free(s.computer_name);
        s.computer_name = g_strdup(o.computer_name);
    }
    s.verbose = o.verbose;
    s.quiet = o.quiet;
    for (gsize i = 0; o.accounts != NULL && o.accounts[i] != NULL; i++) {
        if (!ra_accounts_add_spec(s.accounts, o.accounts[i], FALSE, &error)) {
            ratool_error("serve: --account", error);
            goto out;
        }
    }
    for (gsize i = 0; o.account_hashes != NULL && o.account_hashes[i] != NULL; i++) {
        if (!ra_accounts_add_hash_spec(s.accounts, o.account_hashes[i], FALSE, &error)) {
            ratool_error("serve: --account-hash", error);
            goto out;
        }
    }
    for (gsize i = 0; o.helpers != NULL && o.helpers[i] != NULL; i++) {
        if (!ra_accounts_add_spec(s.accounts, o.helpers[i], TRUE, &error)) {
            ratool_error("serve: --helper", error);
            goto out;
        }
    }
    if (!ra_accounts_check(s.accounts, &error)) {
        ratool_error("serve", error);
        goto out;
    }
    rai = ratool_serve_rai_prepare(&rai_options, s.quiet, &status);
    if (rai == NULL)
        goto out;
    status = RATOOL_EXIT_USAGE;

    RaRpcServerConfig config;
    ra_rpc_server_config_init(&config);
    config.accounts = s.accounts;
    config.min_auth_level = s.min_level;
    config.computer_name = s.computer_name;
    config.log = on_log;
    config.log_user_data = &s;
    /* issue 5: impacket's DCOM client binds a new presentation context with a fresh NTLM
     * handshake at every switch between interfaces of one exporter (IPCHCollection, ISAFSession,
     * ...): the per-association defaults (64 and 16) run out within one enumeration. */
    config.max_contexts = 256;
    config.max_security_contexts = 256;
    server = ra_rpc_server_new(&config);
    RaTcpLimits limits;
    ra_tcp_limits_init(&limits);
    limits.max_connections = s.max_connections;
    limits.idle_timeout_ms = s.idle_timeout_s * 1000;
    status = RATOOL_EXIT_DATA;
    guint16 port = s.port;
    for (guint i = 0; i < s.bind->len; i++) {
        const char *addr = g_ptr_array_index(s.bind, i);
        if (!ra_rpc_server_listen(server, NULL, &limits, addr, port, &error)) {
            if (g_error_matches(error, RA_ERROR, RA_ERROR_ACCESS_DENIED))
                ratool_fail("serve: %s; run as root, or choose another port with --port (0 "
                            "picks a free one)",
                            error->message);
            else
                ratool_error("serve", error);
            goto out;
        }
        /* With --port 0, the other addresses share the port the first one got. */
        if (port == 0)
            port = ra_rpc_server_get_port(server);
        printf("ratool serve: listening on %s port %u\n", addr, port);
    }
    fflush(stdout);

    epm = ra_epm_new();
    ratool_serve_rai_start(rai, server, epm, port, on_log, &s);
    RaOxidConfig oc;
    ra_oxid_config_init(&oc);
    ratool_serve_rai_resolver_config(rai, &oc);
    oxid = ra_oxid_resolver_new(&oc);
    ra_epm_register_service(epm, server);
    ra_oxid_register_service(oxid, server);
    ra_epm_add_endpoint(epm, &ra_oxid_syntax, NULL, port, "DCOM OXID resolver");
    /* DCOM/MS-RAI objects attach here (server, oxid, epm and port are ready). */
    ratool_serve_rai_attach(rai, oxid);
    if (!s.quiet) {
        fprintf(stderr,
                "ratool serve: %u account(s), minimum level %s; endpoint mapper and OXID "
                "resolver ready\n",
                ra_accounts_count(s.accounts), ra_rpc_auth_level_name(s.min_level));
        if (ra_accounts_count(s.accounts) == 0)
            fprintf(stderr, "ratool serve: no account defined: only unauthenticated operations "
                            "(endpoint mapper, ServerAlive2) will succeed\n");
    }

    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_main_loop_run(loop);

    RaRpcServerStats st;
    ra_rpc_server_get_stats(server, &st);
    if (!s.quiet)
        fprintf(stderr,
                "ratool serve: stopping: %" G_GUINT64_FORMAT " association(s), %" G_GUINT64_FORMAT
                " call(s), %" G_GUINT64_FORMAT " refusal(s), %" G_GUINT64_FORMAT
                " protocol error(s)\n",
                st.associations, st.calls, st.refusals, st.protocol_errors);
    status = RATOOL_EXIT_OK;
out:
    g_clear_error(&error);
    /* Closing the server closes every association before the services they use go. */
    ra_rpc_server_free(server);
    ratool_serve_rai_free(rai);
    ra_oxid_resolver_free(oxid);
    ra_epm_free(epm);
    if (loop != NULL)
        g_main_loop_unref(loop);
    ra_accounts_free(s.accounts);
    g_ptr_array_unref(s.bind);
    g_free(s.computer_name);
    g_strfreev(o.bind);
    /* Secrets do not outlive their use. */
    GStrv secret_lists[] = {o.accounts, o.account_hashes, o.helpers};
    for (gsize l = 0; l < G_N_ELEMENTS(secret_lists); l++) {
        for (gsize i = 0; secret_lists[l] != NULL && secret_lists[l][i] != NULL; i++)
            memset(secret_lists[l][i], 0, strlen(secret_lists[l][i]));
        g_strfreev(secret_lists[l]);
    }
    g_free(o.config);
    g_free(o.min_level);
    g_free(o.computer_name);
    ratool_serve_rai_options_clear(&rai_options);
    return status;
}
