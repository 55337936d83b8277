/*
 * `ratool probe`: a live, step-by-step check of whether a novice can be offered Remote
 * Assistance, for admins. Each step says PASS, WARN, FAIL or SKIP with its evidence (what was
 * sent and what came back), and for anything but PASS the cause (a row of docs/troubleshooting.md,
 * ra/troubleshoot.h) and the next thing to try.
 *
 * The steps, in order (the exit status of `ratool probe` is RA_PROBE_EXIT_BASE + the first
 * failing step):
 *   tcp        TCP port 135 (or the one given) accepts a connection
 *   epm        the endpoint mapper answers (ept_map of IRemoteSCMActivator, unauthenticated)
 *   resolver   the OXID resolver answers IObjectExporter::ServerAlive2 (unauthenticated) with
 *              its bindings
 *   auth       an NTLMv2 logon at the level asked (PKT_PRIVACY by default) is accepted: an
 *              authenticated IObjectExporter::ResolveOxid2 of a made-up OXID is answered; on
 *              nca_s_fault_access_denied below PKT_PRIVACY, PKT_PRIVACY is tried to tell a level
 *              the novice requires from a refused logon
 *   rasrv      RemoteCreateInstance of RASrv asking for IRASrv (Windows Vista and later)
 *   pchservice RemoteCreateInstance of PCHService asking for IPCHService (Windows XP, 2003)
 *   helpers    the account may activate them (not E_ACCESSDENIED: a member of the Offer Remote
 *              Assistance Helpers group)
 *   bindings   every string binding the novice advertises - ServerAlive2's and the object
 *              exporter's (address and port) - accepts a TCP connection
 *   policy     offers are not disabled by policy (IPCHService::RemoteUserSessionInfo; only
 *              PCHService tells without an offer being made)
 *   sessions   somebody to help: IRASrv::GetSessionInfo, or IPCHService's session collection
 *
 * The probe never offers or changes anything: it does not call IRASrv::GetNoviceUserInfo nor
 * IPCHService::RemoteConnectionParms, and releases every object it activated. Without a user
 * the steps from auth on are skipped.
 *
 * Blocking; one probe per thread.
 */
#ifndef RA_PROBE_H
#define RA_PROBE_H

#include "ra/dcom-client.h"

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    RA_PROBE_TCP,
    RA_PROBE_EPM,
    RA_PROBE_RESOLVER,
    RA_PROBE_AUTH,
    RA_PROBE_RASRV,
    RA_PROBE_PCHSERVICE,
    RA_PROBE_HELPERS,
    RA_PROBE_BINDINGS,
    RA_PROBE_POLICY,
    RA_PROBE_SESSIONS,
    RA_PROBE_N_STEPS
} RaProbeStepId;

/* `ratool probe` exits with this plus the first failing step (10 tcp ... 19 sessions). */
#define RA_PROBE_EXIT_BASE 10

typedef enum {
    RA_PROBE_PASS,
    RA_PROBE_WARN, /* works, but worth knowing (an XP novice, a name that does not resolve) */
    RA_PROBE_FAIL,
    RA_PROBE_SKIP, /* not checked: no credentials, or an earlier step failed */
} RaProbeStatus;

/* "PASS", "WARN", "FAIL", "SKIP". */
const char *ra_probe_status_name(RaProbeStatus status);
/* "tcp", "epm", ... (static). */
const char *ra_probe_step_key(RaProbeStepId id);
/* "TCP port reachable", ... (static). */
const char *ra_probe_step_title(RaProbeStepId id);

typedef struct {
    RaProbeStepId id;
    RaProbeStatus status;
    gchar *evidence; /* what was seen, one or more sentences */
    gchar *next;     /* the next thing to try; NULL for PASS */
    gint trouble;    /* a RaTroubleId, or -1 */
    gint64 elapsed_us;
} RaProbeStep;

typedef struct {
    const char *host;
    guint16 port;       /* 0 = 135 */
    guint timeout_ms;   /* per connection, read and write; 0 = 10 s */
    const char *domain; /* NULL or "" for none */
    const char *user;   /* NULL: no credentials; the steps from auth on are skipped */
    const char *password;
    const guint8 *nt_hash; /* 16 bytes, instead of password */
    guint8 level;          /* 0 = RA_AUTH_LEVEL_PKT_PRIVACY; or _PKT_INTEGRITY */
    /* Called after each step is decided, in step order (for live progress). */
    void (*on_step)(const RaProbeStep *step, gpointer user_data);
    gpointer user_data;
} RaProbeConfig;

typedef struct {
    RaProbeStep steps[RA_PROBE_N_STEPS];
    gint first_failure; /* a RaProbeStepId, or -1 */
    gchar *verdict;     /* one line */
    gboolean credentials;
} RaProbeResult;

RaProbeResult *ra_probe_run(const RaProbeConfig *config);
void ra_probe_result_free(RaProbeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaProbeResult, ra_probe_result_free)

/* 0, or RA_PROBE_EXIT_BASE + the first failing step. */
int ra_probe_exit_status(const RaProbeResult *result);

G_END_DECLS

#endif
