/*
 * The login sessions a novice reports ([MS-RAI] 2.2.3 SessionStateEnum, 3.1.4.1.2, 3.3.4.1.2):
 * by default the machine's real sessions read from utmp, or a table from a GLib key file:
 *
 *     [session 1]
 *     domain = CONTOSO
 *     user = alice
 *     state = active
 *
 * The group name is "session <id>" with a decimal id (0 .. 4294967294); `state` is one of active,
 * connected, connectquery, shadow, disconnected, idle, listen, reset, down, init (the
 * SessionStateEnum values pchActive .. pchInit, in that order); `domain` and `user` may be absent
 * or empty (a listener session has no user). Unknown keys and groups are refused, so that a typo
 * does not silently change the table.
 *
 * From utmp, every USER_PROCESS entry is a session: its id is the entry's session id (ut_session)
 * or, when that is 0, its process id; the user is ut_user; the domain is this machine's short
 * host name in upper case (a local Windows account's domain is the computer name); the state is
 * active.
 *
 * Tables are immutable after loading and owned by the caller.
 */
#ifndef RA_SESSIONS_H
#define RA_SESSIONS_H

#include <glib.h>

G_BEGIN_DECLS

/* SessionStateEnum ([MS-RAI] 2.2.3). */
typedef enum {
    RA_SESSION_ACTIVE = 0,        /* pchActive */
    RA_SESSION_CONNECTED = 1,     /* pchConnected */
    RA_SESSION_CONNECT_QUERY = 2, /* pchConnectQuery */
    RA_SESSION_SHADOW = 3,        /* pchShadow */
    RA_SESSION_DISCONNECTED = 4,  /* pchDisconnected */
    RA_SESSION_IDLE = 5,          /* pchIdle */
    RA_SESSION_LISTEN = 6,        /* pchListen */
    RA_SESSION_RESET = 7,         /* pchReset */
    RA_SESSION_DOWN = 8,          /* pchDown */
    RA_SESSION_INIT = 9,          /* pchInit */
    RA_SESSION_STATE_INVALID = 10 /* pchStateInvalid */
} RaSessionState;

#define RA_SESSION_STATE_MAX RA_SESSION_STATE_INVALID

/* "pchActive" ... "pchStateInvalid"; NULL for a value out of range. */
const char *ra_session_state_enum_name(guint32 state);
/* "active" ... "init", "invalid"; NULL for a value out of range. */
const char *ra_session_state_name(guint32 state);
/* Parses the key-file spelling (case-insensitive; "invalid" is not accepted). */
gboolean ra_session_state_parse(const char *text, RaSessionState *out);

typedef struct {
    guint32 id;
    gchar *domain; /* "" when unknown */
    gchar *user;   /* "" when unknown */
    RaSessionState state;
} RaSession;

typedef struct {
    GPtrArray *sessions; /* of RaSession*, sorted by id */
    gchar *source;       /* "utmp /var/run/utmp" or the file name, for messages */
} RaSessionTable;

/*
 * Parses a key-file table (data need not be NUL-terminated). RA_ERROR_MALFORMED naming the group
 * and key for: a group not named "session <id>", a duplicate id, an unknown state or key, a
 * missing state. RA_ERROR_TOO_LARGE above RA_MAX_INPUT bytes.
 */
RaSessionTable *ra_sessions_parse(const char *data, gsize len, const char *source, GError **error);
/* Reads and parses a key file (RA_ERROR_IO when it cannot be read). */
RaSessionTable *ra_sessions_load_file(const char *path, GError **error);
/* Reads utmp (path NULL = the system's default file). RA_ERROR_IO if it cannot be opened. */
RaSessionTable *ra_sessions_from_utmp(const char *path, GError **error);
void ra_session_table_free(RaSessionTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaSessionTable, ra_session_table_free)

/* The session with that id, or NULL. */
const RaSession *ra_sessions_find(const RaSessionTable *table, guint32 id);

/*
 * The sessions GetSessionInfo reports: every session except Idle and Disconnected ones
 * ([MS-RAI] 3.3.4.1.2), as RaSession* borrowed from the table (free the array only).
 */
GPtrArray *ra_sessions_reportable(const RaSessionTable *table);

/* "DOMAIN\user:id" ([MS-RAI] 3.3.4.1.2), newly allocated. */
gchar *ra_session_entry(const RaSession *session);

G_END_DECLS

#endif
