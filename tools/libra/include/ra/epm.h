/*
 * The endpoint mapper ([C706] appendix L and 2.2.3 / [MS-RPCE] 2.2.1.2, 3.1.1.5.x): the
 * ept_lookup and ept_map operations a DCOM server answers on port 135, and the protocol towers
 * ([C706] appendix L, [MS-RPCE] 2.2.1.1.x) they carry.
 *
 * A tower is a sequence of floors, each a left-hand side (a protocol identifier and data) and a
 * right-hand side (related data), lengths little-endian; ports and IPv4 addresses inside are
 * big-endian. The five floors of an ncacn_ip_tcp endpoint:
 *   1. 0x0d + interface UUID + major version | minor version
 *   2. 0x0d + transfer syntax UUID + major   | minor
 *   3. 0x0b (connection-oriented RPC)         | minor version (0)
 *   4. 0x07 (TCP)                             | port
 *   5. 0x09 (IPv4)                            | address
 *
 * Services register their endpoints with ra_epm_add_endpoint(); ra_epm_register_service()
 * registers the mapper itself (e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0) with an RPC server, all
 * of its operations callable unauthenticated, as on Windows.
 */
#ifndef RA_EPM_H
#define RA_EPM_H

#include "ra/arena.h"
#include "ra/rpc-server.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

/* Floor protocol identifiers ([C706] appendix I, [MS-RPCE] 2.2.1.1.x). */
#define RA_EPM_PROT_UUID       0x0d
#define RA_EPM_PROT_NCACN      0x0b /* connection-oriented RPC */
#define RA_EPM_PROT_NCADG      0x0a /* datagram RPC */
#define RA_EPM_PROT_TCP        0x07
#define RA_EPM_PROT_UDP        0x08
#define RA_EPM_PROT_IP         0x09
#define RA_EPM_PROT_NAMED_PIPE 0x0f
#define RA_EPM_PROT_LRPC       0x10
#define RA_EPM_PROT_NETBIOS    0x11
#define RA_EPM_PROT_HTTP       0x1f

/* The most floors a tower may have (more is RA_ERROR_MALFORMED). */
#define RA_EPM_MAX_FLOORS 16

/* EPT_S_NOT_REGISTERED ([C706] appendix L): no endpoint matches. */
#define RA_EPT_S_NOT_REGISTERED 0x16c9a0d6u
/* EPT_S_CANT_PERFORM_OP (Windows' value, [MS-ERREF] 2.2): what the mapper answers to the
 * operations it refuses remotely (ept_insert, ept_delete, ept_mgmt_delete). */
#define RA_EPT_S_CANT_PERFORM_OP 0x000006d8u

extern const RaSyntaxId ra_epm_syntax; /* e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 */

/* A decoded tower. Strings are in the arena given to ra_epm_tower_parse(). */
typedef struct {
    guint n_floors;
    RaSyntaxId iface;     /* floor 1 */
    RaSyntaxId transfer;  /* floor 2 */
    guint8 rpc_protocol;  /* floor 3: RA_EPM_PROT_NCACN, ... */
    guint16 rpc_minor;    /* floor 3 rhs */
    guint8 transport;     /* floor 4 protocol id (0 if absent) */
    guint16 port;         /* floor 4 for TCP, UDP and HTTP */
    gchar *endpoint;      /* floor 4 for named pipes and LRPC (NUL-terminated on the wire) */
    guint8 host_protocol; /* floor 5 protocol id (0 if absent) */
    guint8 ipv4[4];       /* floor 5 for IP */
    gchar *host;          /* floor 5 for NetBIOS names */
} RaEpmTower;

/*
 * Decodes a tower (the tower_octet_string of a twr_t). Floors 1-3 must be present and well formed;
 * floors 4 and 5 are decoded when their protocol is known, kept as ids otherwise; floors past 5
 * are checked for length only. RA_ERROR_MALFORMED for anything truncated or inconsistent.
 */
gboolean ra_epm_tower_parse(const guint8 *data, gsize len, RaArena *arena, RaEpmTower *tower,
                            GError **error);

/* Encodes the five-floor ncacn_ip_tcp tower for iface over transfer at ipv4:port. */
GBytes *ra_epm_tower_build_tcp(const RaSyntaxId *iface, const RaSyntaxId *transfer, guint16 port,
                               const guint8 ipv4[4]);

/* "ncacn_ip_tcp:127.0.0.1[135]" and the like, or "unknown tower" (newly allocated). */
gchar *ra_epm_tower_to_string(const RaEpmTower *tower);

/* ---- the mapper ---- */

typedef struct RaEpm RaEpm;

RaEpm *ra_epm_new(void);
void ra_epm_free(RaEpm *epm);

/*
 * Records that iface (with object, or the nil UUID when NULL) is served over ncacn_ip_tcp on
 * `port` of this host. annotation is up to 63 characters (longer is cut). The host floor of the
 * towers returned is the IPv4 address the client connected to (0.0.0.0 over IPv6).
 */
void ra_epm_add_endpoint(RaEpm *epm, const RaSyntaxId *iface, const RaUuid *object, guint16 port,
                         const char *annotation);
guint ra_epm_count(const RaEpm *epm);

/*
 * Registers the endpoint mapper interface with server, answered from epm (which must outlive
 * the server's use of it).
 */
void ra_epm_register_service(RaEpm *epm, RaRpcServer *server);

/* The dispatch function (exposed for tests and fuzzers that call it without a server). */
guint32 ra_epm_dispatch(RaRpcCall *call, gpointer epm);

G_END_DECLS

#endif
