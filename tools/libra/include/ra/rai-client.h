/*
 * The MS-RAI expert ([MS-RAI] 3.2, 3.4): asks a novice for a Remote Assistance connection string
 * over DCOM, as a Windows expert does.
 *
 * IRASrv ([MS-RAI] 3.4.4): activate RASrv, GetSessionInfo ("DOMAIN\user:id" entries), choose a
 * session, activate RASrv again in that session (SpecialPropertiesData.dwSessionId, [MS-DCOM]
 * 2.2.22.2.2), GetNoviceUserInfo: a Connection String 2.
 * IPCHService ([MS-RAI] 3.2.4): activate PCHService, RemoteUserSessionInfo, IPCHCollection Count
 * and Item(1..Count), each ISAFSession's DomainName, UserName, SessionID and SessionState, choose
 * a session, RemoteConnectionParms with the user help blob "13;UNSOLICITED=1<n>;ID=DOMAIN\user" of
 * the expert's account: a Connection String 1.
 * Sessions without a domain or a user are ignored ([MS-RAI] 3.2.4 step 5). Every object is
 * released (RemRelease) before returning.
 *
 * `auto` tries IRASrv first and falls back to IPCHService when the novice does not implement
 * IRASrv (the class is not registered, the interface or an opnum is missing) - what Windows
 * experts do ([MS-RAI] Appendix C <2>) - and says why. Authentication failures, refusals
 * (E_ACCESSDENIED), and errors of the offer itself (ERROR_CANNOT_MAKE, ...) are reported as they
 * are: falling back would only hide them.
 */
#ifndef RA_RAI_CLIENT_H
#define RA_RAI_CLIENT_H

#include "ra/dcom-client.h"

G_BEGIN_DECLS

typedef enum {
    RA_RAI_EXPERT_AUTO,
    RA_RAI_EXPERT_IRASRV,
    RA_RAI_EXPERT_IPCHSERVICE,
} RaRaiExpertInterface;

/* "auto", "irasrv", "ipchservice" (case-insensitive) -> the value; FALSE otherwise. */
gboolean ra_rai_expert_interface_parse(const char *text, RaRaiExpertInterface *out);

/* A session the novice reported. */
typedef struct {
    guint32 id;
    gchar *domain;
    gchar *user;
    gint state; /* a SessionStateEnum value (IPCHService), or -1 (IRASrv does not say) */
} RaRaiExpertSession;

/* Frees a session and its strings (a GDestroyNotify for arrays of RaRaiExpertSession*). */
void ra_rai_expert_session_free(gpointer session);

/* TRUE if the session has a non-empty domain and user: the others MUST be ignored ([MS-RAI]
 * 3.2.4 step 5). */
gboolean ra_rai_expert_session_usable(const RaRaiExpertSession *session);

/*
 * Appends to sessions (of RaRaiExpertSession*, owning them) a session of state -1 for each
 * "DomainName\UserName:SessionID" entry of IRASrv::GetSessionInfo ([MS-RAI] 3.3.4.1.2), in order;
 * NULL entries and entries that do not parse are skipped. names may be NULL (no entry).
 */
void ra_rai_expert_add_session_entries(GPtrArray *sessions, const RaBstrArray *names);

/*
 * Reads the session that an IPCHCollection item stands for ([MS-RAI] 3.2.4 step 4): item is the
 * interface pointer of its VT_DISPATCH or VT_UNKNOWN VARIANT (the object's IDispatch, or its
 * ISAFSession). Unmarshals it, asks it for ISAFSession unless it is one, and fills session's id,
 * state, domain and user (a NULL BSTR reads as "") with ISAFSession's SessionID, SessionState,
 * DomainName and UserName; then releases the interfaces. Responses are allocated from arena.
 * FALSE with *error (the DCOM client's and the proxies' errors); session's strings may be set
 * already then, and stay the caller's to free either way.
 */
gboolean ra_rai_expert_read_session(RaDcomClient *c, const RaInterfacePointer *item,
                                    RaRaiExpertSession *session, RaArena *arena, GError **error);

/*
 * Chooses among several usable sessions: returns the index in `sessions` (RaRaiExpertSession*),
 * or -1 to give up (*error set). Called only when no session was asked for and the choice is not
 * obvious (one usable session, or with IPCHService one Active one).
 */
typedef gint (*RaRaiChooseFunc)(const GPtrArray *sessions, gpointer user_data, GError **error);

/* Progress notes for the user ("IRASrv failed (...): falling back to IPCHService"). */
typedef void (*RaRaiNoteFunc)(const char *message, gpointer user_data);

typedef struct {
    RaDcomClientConfig dcom;
    RaRaiExpertInterface iface;
    gboolean has_session;
    guint32 session_id;
    RaRaiChooseFunc choose; /* NULL: several sessions are an error */
    RaRaiNoteFunc note;
    gpointer user_data;
    RaDcomTraceFunc trace; /* every PDU of every connection (captures), see dcom-client.h */
    gpointer trace_data;
} RaRaiExpertConfig;

typedef struct {
    const char *interface;      /* "IRASrv" or "IPCHService" */
    guint connections;          /* connections opened so far (for traces: the first is 0) */
    gchar *fallback_reason;     /* why IRASrv was given up, or NULL */
    GPtrArray *sessions;        /* RaRaiExpertSession*, as reported, unusable ones included */
    RaRaiExpertSession *chosen; /* one of sessions */
    int version;                /* 1 or 2 */
    gchar *connection_string;   /* as received */
    RaDcomExporterInfo exporter;
} RaRaiOfferResult;

void ra_rai_offer_result_free(RaRaiOfferResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaRaiOfferResult, ra_rai_offer_result_free)

/*
 * Runs the exchange. Errors: those of the DCOM client (RA_ERROR_IO, RA_ERROR_TIMEOUT,
 * RA_ERROR_FAULT - e.g. a wrong password -, RA_ERROR_AUTH, RA_ERROR_MALFORMED), RA_ERROR_HRESULT
 * with the novice's HRESULT named (E_ACCESSDENIED, ERROR_CANNOT_MAKE, ...), RA_ERROR_NOT_FOUND when
 * the asked session is not among the usable ones or there is none.
 */
RaRaiOfferResult *ra_rai_expert_offer(const RaRaiExpertConfig *config, GError **error);

G_END_DECLS

#endif
