/*
 * The OXID resolver: IObjectExporter ([MS-DCOM] 3.1.2.5.1; 99fcfec4-5260-101b-bbcb-00aa0021347a
 * v0.0) - ResolveOxid, SimplePing, ComplexPing, ServerAlive, ResolveOxid2, ServerAlive2 - and the
 * DUALSTRINGARRAY ([MS-DCOM] 2.2.19) that carries string and security bindings.
 *
 * == What the DCOM layer (issue 5) does with it ==
 *  - ra_oxid_add() registers an object exporter: its OXID, the IPID of its IRemUnknown, the
 *    authentication hint; its string bindings are made per call from the address the client
 *    connected to and the port it serves on (impacket requires that literal address, e.g.
 *    "127.0.0.1[49152]").
 *  - ra_oxid_add_oid() registers each exported object (OID) under its OXID; clients keep it
 *    alive by pinging (SimplePing/ComplexPing ping sets). When a ping set expires (no ping for
 *    ping_period_ms * ping_periods, [MS-DCOM] 3.1.2.6) and an OID loses its last set, or an OID
 *    was never added to a set within that time, `oid_expired` is called and the OID is dropped,
 *    so the exporter can reclaim the object ([MS-DCOM] 3.1.2.5.1.7).
 *  - ra_dsa_build()/ra_dsa_parse() encode and decode DUALSTRINGARRAYs for OBJREFs and activation.
 *
 * == Authentication ==
 * ServerAlive and ServerAlive2 are callable unauthenticated (clients MUST NOT use security on
 * them, [MS-DCOM] 3.2.4.1.2.1); the other operations need the server's minimum level.
 *
 * Errors returned on the wire: OR_INVALID_OXID for an unknown OXID, OR_INVALID_SET for an
 * unknown ping set, OR_INVALID_OID when ComplexPing adds an unknown OID ([MS-ERREF] 2.2).
 */
#ifndef RA_OXID_H
#define RA_OXID_H

#include "ra/arena.h"
#include "ra/rpc-server.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

#define RA_OR_INVALID_OXID 0x00000776u /* 1910 */
#define RA_OR_INVALID_OID  0x00000777u /* 1911 */
#define RA_OR_INVALID_SET  0x00000778u /* 1912 */

/* Protocol sequence identifier of ncacn_ip_tcp in a STRINGBINDING ([MS-DCOM] 2.2.19.3). */
#define RA_TOWERID_NCACN_IP_TCP 0x0007

extern const RaSyntaxId ra_oxid_syntax; /* IObjectExporter */

/* ---- DUALSTRINGARRAY ---- */

typedef struct {
    guint16 tower_id; /* RA_TOWERID_NCACN_IP_TCP, ... */
    gchar *address;   /* "127.0.0.1[135]" (UTF-8) */
} RaStringBinding;

typedef struct {
    guint16 authn_svc; /* RA_AUTH_TYPE_WINNT, ... */
    gchar *principal;  /* "" when none */
} RaSecurityBinding;

typedef struct {
    guint n_strings;
    RaStringBinding *strings;
    guint n_security;
    RaSecurityBinding *security;
} RaDualStringArray;

/*
 * Encodes the packet form (wNumEntries, wSecurityOffset, then the array of u16) - what follows
 * the NDR conformance in the NDR form, and what an OBJREF embeds. RA_ERROR_MALFORMED if a
 * string is not UTF-8 or contains NUL; RA_ERROR_TOO_LARGE past 65535 entries.
 */
GBytes *ra_dsa_build(const RaDualStringArray *dsa, GError **error);

/*
 * Decodes n_entries u16 values (little-endian, at data, 2*n_entries bytes) with the given
 * security offset, into arena memory. Checks the layout of [MS-DCOM] 2.2.19.1: terminators where
 * they belong, the security offset at the start of the security bindings, valid UTF-16, no byte
 * beyond the last terminator but zeros. RA_ERROR_MALFORMED otherwise.
 */
gboolean ra_dsa_parse(const guint8 *data, guint16 n_entries, guint16 security_offset,
                      RaArena *arena, RaDualStringArray *dsa, GError **error);

/* ---- the resolver ---- */

typedef void (*RaOidExpiredFunc)(guint64 oxid, guint64 oid, gpointer user_data);

typedef struct {
    GMainContext *context; /* where the ping timer runs; NULL = thread-default */
    guint16 com_major;     /* COMVERSION returned; default 5.7 */
    guint16 com_minor;
    guint ping_period_ms; /* default 120000 ([MS-DCOM] 3.1.2.2) */
    guint ping_periods;   /* a set expires after this many periods without a ping; default 3 */
    guint max_sets;       /* default 4096 */
    RaOidExpiredFunc oid_expired;
    gpointer user_data;
    /* issue 7: more ncacn_ip_tcp string bindings ("ADDR[PORT]", NULL-terminated, borrowed)
     * appended to those of every ResolveOxid2 and ServerAlive2 answer - `ratool serve
     * --advertise-binding`, to show `ratool probe` an advertised binding nothing listens on. */
    const char *const *extra_bindings;
} RaOxidConfig;

void ra_oxid_config_init(RaOxidConfig *config);

typedef struct RaOxidResolver RaOxidResolver;

RaOxidResolver *ra_oxid_resolver_new(const RaOxidConfig *config);
void ra_oxid_resolver_free(RaOxidResolver *resolver);

/* Registers IObjectExporter with server, answered from resolver. */
void ra_oxid_register_service(RaOxidResolver *resolver, RaRpcServer *server);
guint32 ra_oxid_dispatch(RaRpcCall *call, gpointer resolver);

/*
 * Registers an object exporter. port: where it serves (0 = the port the resolver call came in
 * on). authn_hint: an RA_AUTH_LEVEL_* value. Returns FALSE if oxid is 0 or already registered.
 */
gboolean ra_oxid_add(RaOxidResolver *resolver, guint64 oxid, const RaUuid *ipid_rem_unknown,
                     guint32 authn_hint, guint16 port);
/* Removes an exporter and all its OIDs (no expiry callbacks). */
void ra_oxid_remove(RaOxidResolver *resolver, guint64 oxid);

/* Registers an OID under an OXID. FALSE if the OXID is unknown or the OID exists. */
gboolean ra_oxid_add_oid(RaOxidResolver *resolver, guint64 oxid, guint64 oid);
/* Removes an OID (released by the exporter); no callback. */
void ra_oxid_remove_oid(RaOxidResolver *resolver, guint64 oid);
gboolean ra_oxid_has_oid(RaOxidResolver *resolver, guint64 oid);

/* Runs the expiry check now (tests; the timer calls it every half ping period). */
void ra_oxid_expire_now(RaOxidResolver *resolver);
guint ra_oxid_n_sets(RaOxidResolver *resolver);

G_END_DECLS

#endif
