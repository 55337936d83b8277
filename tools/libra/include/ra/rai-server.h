/*
 * The MS-RAI novice: the DCOM classes RASrv (IRASrv, [MS-RAI] 3.3) and PCHService (IPCHService
 * with its IPCHCollection of ISAFSession objects, [MS-RAI] 3.1) on a RaDcomServer, with the
 * spec's semantics:
 *  - GetSessionInfo returns "DOMAIN\user:id" for every session except Idle and Disconnected ones,
 *    and their count ([MS-RAI] 3.3.4.1.2);
 *  - GetNoviceUserInfo returns a Connection String 2 for the session chosen at activation
 *    (SpecialPropertiesData.dwSessionId; "any session" means the first active session with a
 *    user), ERROR_CANNOT_MAKE while an offer for that session is pending ([MS-RAI] 3.3.4.1.1);
 *  - RemoteUserSessionInfo returns an IPCHCollection (Count, 1-based Item as a VT_DISPATCH
 *    ISAFSession, _NewEnum as a copy of the collection) of every session; the ISAFSession
 *    properties can be read and set (SessionState only to a SessionStateEnum value, else
 *    E_INVALIDARG);
 *  - RemoteConnectionParms returns a Connection String 1 for the session whose user, domain and
 *    id match (else ERROR_NONE_MAPPED), after checking the user help blob
 *    ("<n>;UNSOLICITED=1<n>;ID=DOMAIN\user", [MS-RAI] 3.1.4.1.1; a malformed blob is
 *    E_INVALIDARG), ERROR_CANNOT_MAKE while an offer for the session is pending;
 *  - ERROR_ACCESS_DISABLED_BY_POLICY from every offer when offers are disabled;
 *  - the opnums the spec marks as unused (IPCHService 7-18, 21) are nca_s_op_rng_error.
 * Activation into a session that does not exist fails with
 * HRESULT_FROM_WIN32(ERROR_NO_SUCH_LOGON_SESSION); only helpers may activate (ra/dcom-server.h).
 *
 * == Connection strings ==
 * Both carry the listener the expert connects to next (this server does not run it: MS-RA over
 * RDP is out of scope): its addresses - the configured ones, or the address the expert reached
 * this server at - and one port. Connection String 2 ([MS-RAI] 2.2.2): <A KH ID/> with KH =
 * base64(SHA-1(key)) of a 32-byte key the server generates at start and keeps, ID a random
 * 48-byte authorization id (base64), <T ID="1" SID> with a random session id, one <L P N/> per
 * address. Connection String 1 ([MS-RAI] 2.2.1): "65538,1,addr:port;...,*,<RASessionID>,*,*,
 * <parms>" with a random 32-byte RASessionID and parms = the same KH. Random values come from
 * ra_random_bytes(), so `--seed` makes them reproducible.
 *
 * Each offer is recorded with its expiry; an offer blocks new ones for its session until it
 * expires or is withdrawn (ra_rai_server_withdraw()).
 */
#ifndef RA_RAI_SERVER_H
#define RA_RAI_SERVER_H

#include "ra/dcom-server.h"
#include "ra/sessions.h"

G_BEGIN_DECLS

typedef enum {
    RA_RAI_FLAVOR_VISTA = 1, /* RASrv/IRASrv only (Windows Vista and later) */
    RA_RAI_FLAVOR_XP = 2,    /* PCHService/IPCHService only (Windows XP, Server 2003) */
    RA_RAI_FLAVOR_BOTH = 3,
} RaRaiFlavor;

/* "vista", "xp", "both" -> flavor; FALSE for anything else. */
gboolean ra_rai_flavor_parse(const char *text, RaRaiFlavor *flavor);

typedef struct {
    guint64 id;     /* 1, 2, ... */
    gint64 created; /* g_get_real_time() */
    gint64 expires;
    guint32 session_id;
    gchar *session_user; /* DOMAIN\user of the session */
    gchar *expert;       /* DOMAIN\user who asked */
    gchar *peer;         /* address:port the expert came from */
    const char *method;  /* "IRASrv::GetNoviceUserInfo" or "IPCHService::RemoteConnectionParms" */
    int version;         /* connection string 1 or 2 */
    gchar *connection_string;
} RaRaiOffer;

/* Called for each offer made (offer set, hresult 0) and each one refused (offer NULL, hresult
 * the failure, what says why). Never given secrets. */
typedef void (*RaRaiOfferFunc)(const RaRaiOffer *offer, guint32 hresult, const char *what,
                               RaDcomCall *call, gpointer user_data);

typedef struct {
    RaRaiFlavor flavor;             /* default both */
    const RaSessionTable *sessions; /* borrowed; required */
    gboolean offers_disabled;       /* every offer fails with ERROR_ACCESS_DISABLED_BY_POLICY */
    guint offer_lifetime_s;         /* default 600 */
    guint16 listener_port;          /* 0: a random port in 49152-65535, chosen once */
    const char *const *listener_addresses; /* NULL-terminated; NULL: the address of each call */
    RaRaiOfferFunc on_offer;
    gpointer user_data;
} RaRaiServerConfig;

void ra_rai_server_config_init(RaRaiServerConfig *config);

typedef struct RaRaiServer RaRaiServer;

/* Registers the classes of the flavor with dcom (which must outlive the novice's use of it). */
RaRaiServer *ra_rai_server_new(const RaRaiServerConfig *config, RaDcomServer *dcom);
void ra_rai_server_free(RaRaiServer *server);

/* The live offers (RaRaiOffer*, owned by the server); expired ones are dropped first. */
GPtrArray *ra_rai_server_offers(RaRaiServer *server);
/* Forgets the pending offer of a session (the novice closed Remote Assistance). */
void ra_rai_server_withdraw(RaRaiServer *server, guint32 session_id);
/* KH, base64 (for tests and logs). */
const char *ra_rai_server_kh(RaRaiServer *server);
guint16 ra_rai_server_listener_port(RaRaiServer *server);

G_END_DECLS

#endif
