/*
 * `ratool serve`: the DCOM exporter and the MS-RAI novice (see ratool-serve-rai.h).
 */
#include "ratool-serve-rai.h"
#include "ratool.h"

#include "ra/crypto.h"
#include "ra/dcom-server.h"
#include "ra/error.h"
#include "ra/rai-server.h"
#include "ra/sessions.h"

#include <stdio.h>
#include <string.h>

struct ServeRai {
    ServeRaiOptions *o;
    gboolean quiet;
    RaRaiFlavor flavor;
    RaSessionTable *sessions;
    RaDcomServer *dcom;
    RaRaiServer *rai;
    guint64 offers, refusals;
};

GOptionGroup *ratool_serve_rai_options(ServeRaiOptions *o)
{
    o->offer_lifetime = -1; /* not given: the default */
    GOptionEntry entries[] = {
        {"flavor", 0, 0, G_OPTION_ARG_STRING, &o->flavor,
         "Which novice to be: vista (RASrv/IRASrv), xp (PCHService/IPCHService) or both "
         "(default)",
         "vista|xp|both"},
        {"sessions", 0, 0, G_OPTION_ARG_FILENAME, &o->sessions,
         "Read the login sessions from FILE (a key file) instead of utmp", "FILE"},
        {"offers-disabled", 0, 0, G_OPTION_ARG_NONE, &o->offers_disabled,
         "Refuse every offer with ERROR_ACCESS_DISABLED_BY_POLICY", NULL},
        {"offer-lifetime", 0, 0, G_OPTION_ARG_INT, &o->offer_lifetime,
         "How long an offer stays pending and blocks another for its session (default 600; 0: "
         "offers block nothing)",
         "SECONDS"},
        {"listener-port", 0, 0, G_OPTION_ARG_INT, &o->listener_port,
         "The Remote Assistance listener port put in connection strings (default: a random "
         "port from 49152)",
         "PORT"},
        {"listener-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->listener_addresses,
         "An address put in connection strings (repeatable; default: the address the expert "
         "reached)",
         "ADDR"},
        {"seed", 0, 0, G_OPTION_ARG_STRING, &o->seed,
         "Make every random value (keys, identifiers, NTLM challenges) reproducible: for tests "
         "and captures only",
         "TEXT"},
        {"advertise-binding", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->advertise_bindings,
         "Also advertise this string binding in activation and OXID resolution answers, "
         "whether or not anything listens there (repeatable; to test `ratool probe`)",
         "ADDR[PORT]"},
        {"ping-period", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &o->ping_period_ms,
         "DCOM ping period in milliseconds (default 120000)", "MS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionGroup *g = g_option_group_new(
        "novice", "Remote Assistance novice options:", "Show the novice options", NULL, NULL);
    g_option_group_add_entries(g, entries);
    return g;
}

ServeRai *ratool_serve_rai_prepare(ServeRaiOptions *o, gboolean quiet, int *status)
{
    ServeRai *r = g_new0(ServeRai, 1);
    r->o = o;
    r->quiet = quiet;
    r->flavor = RA_RAI_FLAVOR_BOTH;
    *status = RATOOL_EXIT_USAGE;
    if (o->flavor != NULL && !ra_rai_flavor_parse(o->flavor, &r->flavor)) {
        ratool_fail("serve: --flavor %s: use vista, xp or both", o->flavor);
        goto fail;
    }
    if (o->offer_lifetime < -1 || o->listener_port < 0 || o->listener_port > 65535 ||
        o->ping_period_ms < 0) {
        ratool_fail("serve: --offer-lifetime, --listener-port and --ping-period must not be "
                    "negative (a port at most 65535)");
        goto fail;
    }
    for (guint i = 0; o->advertise_bindings != NULL && o->advertise_bindings[i] != NULL; i++) {
        const char *b = o->advertise_bindings[i];
        const char *open = strchr(b, '[');
        gsize n = strlen(b);
        if (open == NULL || open == b || n < 3 || b[n - 1] != ']' || open + 1 == b + n - 1 ||
            strspn(open + 1, "0123456789") != (gsize)(b + n - 1 - open - 1)) {
            ratool_fail("serve: --advertise-binding %s: use ADDR[PORT], e.g. 127.0.0.1[9]", b);
            goto fail;
        }
    }
    if (o->seed != NULL)
        ra_random_set_seed(o->seed);
    GError *error = NULL;
    *status = RATOOL_EXIT_DATA;
    r->sessions = o->sessions ? ra_sessions_load_file(o->sessions, &error)
                              : ra_sessions_from_utmp(NULL, &error);
    if (r->sessions == NULL && o->sessions == NULL) {
        /* A machine without utmp (a container) has no recorded login: serve an empty table. */
        if (!quiet)
            fprintf(stderr, "ratool serve: no login sessions: %s\n", error->message);
        g_clear_error(&error);
        r->sessions = ra_sessions_parse("", 0, "no utmp", NULL);
    }
    if (r->sessions == NULL) {
        ratool_error("serve: sessions", error);
        g_error_free(error);
        goto fail;
    }
    return r;
fail:
    g_free(r);
    return NULL;
}

/* The name of the method a call is on, from the generated tables. */
static const char *method_name(RaDcomCall *call, gchar **owned)
{
    const RaRpcCall *rpc = ra_dcom_call_rpc(call);
    for (guint i = 0; i < RA_RAI_N_INTERFACES; i++) {
        const RaRaiInterfaceInfo *f = ra_rai_interfaces[i];
        if (ra_uuid_equal(&f->syntax->uuid, &rpc->iface->id.uuid) && rpc->opnum < f->n_methods) {
            *owned = g_strdup_printf("%s::%s", f->name, f->methods[rpc->opnum].name);
            return *owned;
        }
    }
    *owned = g_strdup_printf("%s opnum %u", rpc->iface->name, rpc->opnum);
    return *owned;
}

static void on_offer(const RaRaiOffer *offer, guint32 hresult, const char *what, RaDcomCall *call,
                     gpointer data)
{
    ServeRai *r = data;
    const RaRpcCall *rpc = ra_dcom_call_rpc(call);
    gchar *peer = g_strdup_printf("%s:%u", rpc->peer_address, rpc->peer_port);
    if (offer != NULL) {
        r->offers++;
        GDateTime *t = g_date_time_new_from_unix_utc(offer->expires / G_USEC_PER_SEC);
        gchar *expires = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
        printf("ratool serve: offer %" G_GUINT64_FORMAT " to %s (%s) by %s for session %u (%s), "
               "expires %s: %s\n",
               offer->id, offer->expert, peer, offer->method, offer->session_id,
               offer->session_user, expires, offer->connection_string);
        g_free(expires);
        g_date_time_unref(t);
    } else {
        r->refusals++;
        gchar *m;
        const char *name = ra_hresult_name(hresult);
        printf("ratool serve: refused %s to %s (%s): 0x%08x%s%s (%s)\n", method_name(call, &m),
               ra_dcom_call_who(call), peer, hresult, name ? " " : "", name ? name : "", what);
        g_free(m);
    }
    fflush(stdout);
    g_free(peer);
}

void ratool_serve_rai_start(ServeRai *r, RaRpcServer *server, RaEpm *epm, guint16 port,
                            RaRpcLogFunc log, gpointer log_user_data)
{
    RaDcomServerConfig dc;
    ra_dcom_server_config_init(&dc);
    dc.rpc = server;
    dc.epm = epm;
    dc.log = log;
    dc.log_user_data = log_user_data;
    dc.extra_bindings = (const char *const *)r->o->advertise_bindings;
    r->dcom = ra_dcom_server_new(&dc, port);
    RaRaiServerConfig rc;
    ra_rai_server_config_init(&rc);
    rc.flavor = r->flavor;
    rc.sessions = r->sessions;
    rc.offers_disabled = r->o->offers_disabled;
    if (r->o->offer_lifetime >= 0)
        rc.offer_lifetime_s = (guint)r->o->offer_lifetime;
    rc.listener_port = (guint16)r->o->listener_port;
    rc.listener_addresses = (const char *const *)r->o->listener_addresses;
    rc.on_offer = on_offer;
    rc.user_data = r;
    r->rai = ra_rai_server_new(&rc, r->dcom);
}

void ratool_serve_rai_resolver_config(ServeRai *r, RaOxidConfig *config)
{
    config->oid_expired = ra_dcom_server_oid_expired;
    config->user_data = r->dcom;
    config->extra_bindings = (const char *const *)r->o->advertise_bindings;
    if (r->o->ping_period_ms > 0)
        config->ping_period_ms = (guint)r->o->ping_period_ms;
}

void ratool_serve_rai_attach(ServeRai *r, RaOxidResolver *resolver)
{
    ra_dcom_server_attach_resolver(r->dcom, resolver);
    if (r->quiet)
        return;
    static const char *const flavors[] = {NULL, "RASrv (IRASrv)", "PCHService (IPCHService)",
                                          "RASrv (IRASrv) and PCHService (IPCHService)"};
    GPtrArray *rep = ra_sessions_reportable(r->sessions);
    fprintf(stderr,
            "ratool serve: novice ready: %s; %u session(s) from %s (%u reported by "
            "GetSessionInfo); listener port %u%s\n",
            flavors[r->flavor], r->sessions->sessions->len, r->sessions->source, rep->len,
            ra_rai_server_listener_port(r->rai),
            r->o->offers_disabled ? "; offers disabled by policy" : "");
    g_ptr_array_unref(rep);
}

void ratool_serve_rai_free(ServeRai *r)
{
    if (r == NULL)
        return;
    if (!r->quiet && r->dcom != NULL) {
        RaDcomServerStats st;
        ra_dcom_server_get_stats(r->dcom, &st);
        fprintf(stderr,
                "ratool serve: %" G_GUINT64_FORMAT " activation(s), %" G_GUINT64_FORMAT
                " offer(s), %" G_GUINT64_FORMAT " refused offer(s), %u live object(s)\n",
                st.activations, r->offers, r->refusals, st.objects);
    }
    ra_rai_server_free(r->rai);
    ra_dcom_server_free(r->dcom);
    ra_session_table_free(r->sessions);
    g_free(r);
}

void ratool_serve_rai_options_clear(ServeRaiOptions *o)
{
    g_free(o->flavor);
    g_free(o->sessions);
    g_strfreev(o->listener_addresses);
    g_strfreev(o->advertise_bindings);
    g_free(o->seed);
    memset(o, 0, sizeof *o);
}
