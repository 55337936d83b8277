/*
 * The server side of DCOM ([MS-DCOM] 3.1) on the RPC server of ra/rpc-server.h: one object
 * exporter (OXID) per RaDcomServer, registered with the OXID resolver of ra/oxid.h, serving
 *  - activation: IRemoteSCMActivator (= ISystemActivator) RemoteCreateInstance and
 *    RemoteGetClassObject ([MS-DCOM] 3.1.2.5.2.3) for the classes registered here, reading the
 *    activation properties of ra/actprop.h (the session asked for in SpecialPropertiesData) and
 *    answering PropsOutInfo then ScmReplyInfoData with the OXID bindings (the address the client
 *    used and the port it used, as impacket requires), the IPID of IRemUnknown and the
 *    authentication hint;
 *  - IRemUnknown / IRemUnknown2 (RemQueryInterface, RemAddRef, RemRelease, RemQueryInterface2)
 *    on the exporter's IPID;
 *  - ORPC calls on objects: every request carries an IPID (the PFC_OBJECT_UUID); the object must
 *    implement the interface the client bound; opnums 5 and 6 are IDispatch::GetIDsOfNames and
 *    Invoke (answered from the generated method tables and Invoke adapters of rai-ndr.h),
 *    opnums from the interface's own first one go to the generated dispatch, opnums 0-4 are
 *    nca_s_op_rng_error (IUnknown goes through IRemUnknown; IDispatch 3-4 are never remote).
 *
 * == Lifetime ([MS-DCOM] 3.1.1.5.6, 3.1.2.6) ==
 * Each exported object has an OID (registered with the resolver) and one IPID per interface
 * handed out, each with its public reference count. An object lives while one of its IPIDs holds
 * references; RemRelease to zero, or the resolver's ping expiry (the client stopped pinging),
 * destroys it and forgets its IPIDs: later calls on them get the fault RPC_E_INVALID_IPID.
 *
 * == Security ==
 * The RPC server enforces the minimum authentication level. On top of it, with require_helper,
 * only members of the helpers group may activate (others get E_ACCESSDENIED as the activation's
 * HRESULT, [MS-RAI] 1.3) or call objects (others get the fault nca_s_fault_access_denied).
 *
 * Single-threaded: everything runs on the RPC server's main context.
 */
#ifndef RA_DCOM_SERVER_H
#define RA_DCOM_SERVER_H

#include "ra/actprop.h"
#include "ra/dcom.h"
#include "ra/epm.h"
#include "ra/oxid.h"
#include "ra/rpc-server.h"
#include "rai-ndr.h"

G_BEGIN_DECLS

typedef struct RaDcomServer RaDcomServer;
typedef struct RaDcomObject RaDcomObject;

/* The public references an OBJREF carries when the server hands one out (Windows uses 5). */
#define RA_DCOM_PUBLIC_REFS 5

/* One interface an object implements (besides IUnknown and IDispatch, which all have). */
typedef struct {
    const RaRaiInterfaceInfo *info; /* generated: names, DISPIDs, dispatch, invoke */
    gconstpointer handlers;         /* the matching const RaRai_<I>_Handlers * */
} RaDcomInterfaceImpl;

/* What a client asked for in an activation. */
typedef struct {
    RaUuid clsid;
    guint32 session_id; /* SpecialPropertiesData.dwSessionId, RA_ACTPROP_ANY_SESSION without */
    RaComVersion client_version;
    guint n_iids;
    const RaUuid *iids;
    gboolean class_object; /* RemoteGetClassObject rather than RemoteCreateInstance */
} RaDcomActivation;

/*
 * A class that can be activated. create() returns the new object's implementation (the `object`
 * its handlers receive) or NULL with *hresult set to the activation's failure HRESULT; destroy()
 * is called when the object dies.
 */
typedef struct {
    RaUuid clsid;
    const char *name;
    guint n_ifaces;
    const RaDcomInterfaceImpl *ifaces;
    gpointer (*create)(gpointer class_data, RaDcomCall *call, const RaDcomActivation *activation,
                       guint32 *hresult);
    void (*destroy)(gpointer object);
    gpointer class_data;
} RaDcomClass;

typedef struct {
    RaRpcServer *rpc;         /* borrowed */
    RaOxidResolver *resolver; /* borrowed; see ra_dcom_server_oid_expired() */
    RaEpm *epm;               /* borrowed, or NULL: activation is then not listed there */
    gboolean require_helper;  /* only helpers activate and call (default TRUE) */
    guint8 authn_hint;        /* authnHint in activation replies (default PKT_PRIVACY, 6) */
    guint max_objects;        /* live objects at most (default 65536): then E_OUTOFMEMORY */
    RaRpcLogFunc log;         /* activations, refusals, releases, expiries; never secrets */
    gpointer log_user_data;
    /* The port put in the exporter's string bindings (activation replies, OBJREFs,
     * ResolveOxid2): 0 = the port each call came in on (`ratool serve` serves everything on one
     * port). A server with an object-exporter port of its own, as Windows has (a dynamic port),
     * sets it and takes object calls there too; `ratool capture` does. */
    guint16 exporter_port;
    /* issue 7: more ncacn_ip_tcp string bindings ("ADDR[PORT]", NULL-terminated, borrowed)
     * appended to the exporter's own in activation replies and OBJREFs (`ratool serve
     * --advertise-binding`). */
    const char *const *extra_bindings;
} RaDcomServerConfig;

void ra_dcom_server_config_init(RaDcomServerConfig *config);

/*
 * Creates the exporter: a random OXID and IPID for IRemUnknown (ra_random_bytes, so seeded runs
 * are reproducible), registers them with the resolver and registers IRemoteSCMActivator,
 * IRemUnknown, IRemUnknown2 and IDispatch with the RPC server. `port` is the port clients reach
 * the server at (for the endpoint mapper entry; 0 = not listed).
 */
RaDcomServer *ra_dcom_server_new(const RaDcomServerConfig *config, guint16 port);
/*
 * Attaches the OXID resolver when it was not in the config: registers the exporter (and the OIDs
 * of its objects) with it. The resolver's oid_expired must call ra_dcom_server_oid_expired() with
 * this server, so the usual order is: exporter, then resolver (user_data = exporter), then this.
 */
void ra_dcom_server_attach_resolver(RaDcomServer *server, RaOxidResolver *resolver);

/* Destroys every object (no callbacks into the resolver), then frees. NULL is ignored. */
void ra_dcom_server_free(RaDcomServer *server);

/* Adds a class, and registers its interfaces with the RPC server (once each). The class and its
 * interface array are copied; handlers and class_data are borrowed. */
void ra_dcom_server_register_class(RaDcomServer *server, const RaDcomClass *cls);

/* Registers interfaces with the RPC server (once each) for objects that are not activated but
 * handed out inside calls (ra_dcom_object_new()). */
void ra_dcom_server_serve_interfaces(RaDcomServer *server, const RaDcomInterfaceImpl *ifaces,
                                     guint n_ifaces);

/* For RaOxidConfig.oid_expired (user_data = the server): destroys the object of that OID. */
void ra_dcom_server_oid_expired(guint64 oxid, guint64 oid, gpointer user_data);

/*
 * Exports an object created inside a call (a collection, a session object): a new OID, no IPID
 * yet. The server owns it from now on and calls destroy(impl) when it dies. An object never
 * marshaled dies with the call that made it (at the end of the current dispatch).
 */
RaDcomObject *ra_dcom_object_new(RaDcomServer *server, const RaDcomInterfaceImpl *ifaces,
                                 guint n_ifaces, gpointer impl, void (*destroy)(gpointer impl));
/*
 * An OBJREF_STANDARD for iid of the object (IID_IUnknown, IID_IDispatch or one of its
 * interfaces), with RA_DCOM_PUBLIC_REFS public references added to that IPID, as an
 * MInterfacePointer in arena. The bindings are those the call came in on. FALSE with
 * RA_ERROR_NOT_FOUND if the object does not implement iid.
 */
gboolean ra_dcom_object_marshal(RaDcomCall *call, RaDcomObject *object, const RaUuid *iid,
                                RaArena *arena, RaInterfacePointer *out, GError **error);

/* ---- what a handler can ask about its call ---- */

const RaRpcCall *ra_dcom_call_rpc(RaDcomCall *call);
RaDcomServer *ra_dcom_call_server(RaDcomCall *call);
/* The object being called (NULL during activation). */
RaDcomObject *ra_dcom_call_object(RaDcomCall *call);
/* The arena of the call: results a handler returns must live in it. */
RaArena *ra_dcom_call_arena(RaDcomCall *call);
/* "DOMAIN\user" of the caller (or "(anonymous)"), in the call's arena. */
const char *ra_dcom_call_who(RaDcomCall *call);
/* Logs on the server's log function with the call's peer. */
void ra_dcom_call_log(RaDcomCall *call, RaRpcLogLevel level, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* ---- introspection (tests, benchmark, logs) ---- */

typedef struct {
    guint64 oxid;
    RaUuid ipid_rem_unknown;
    guint objects;       /* live */
    guint ipids;         /* live */
    guint64 activations; /* successful */
    guint64 refusals;    /* refused activations and calls */
    guint64 released;    /* objects destroyed by RemRelease */
    guint64 expired;     /* objects destroyed by ping expiry */
} RaDcomServerStats;
void ra_dcom_server_get_stats(RaDcomServer *server, RaDcomServerStats *stats);

G_END_DECLS

#endif
