/*
 * The client side of DCOM ([MS-DCOM] 3.2): activation through IRemoteSCMActivator
 * (RemoteCreateInstance with the activation properties a Windows expert sends, the session chosen
 * with SpecialPropertiesData), the object exporter's bindings from ScmReplyInfoData (or
 * IObjectExporter::ResolveOxid2 for an OXID met later), interface pointers unmarshaled into
 * bindings, IRemUnknown2 (RemQueryInterface, RemRelease), pinging (ComplexPing / SimplePing), and
 * the ORPC call under every generated proxy (rai-ndr.h).
 *
 * Connections: one to the activation endpoint (host:port, usually 135), one per object exporter
 * (the string binding the server hands out whose address is the one we reached it at, as impacket
 * chooses, else the first TCP binding with the host's address substituted). Every connection is
 * authenticated with the same credentials at the level asked (PKT_PRIVACY by default, as
 * [MS-RAI] 5.1 says Windows does); one presentation context per interface.
 *
 * Blocking, not thread-safe: one RaDcomClient per thread.
 */
#ifndef RA_DCOM_CLIENT_H
#define RA_DCOM_CLIENT_H

#include "ra/dcom.h"
#include "ra/rpc-client.h"

G_BEGIN_DECLS

typedef struct RaDcomClient RaDcomClient;

/* The public references asked for in RemQueryInterface (as Windows clients do). */
#define RA_DCOM_CLIENT_REFS 5

/* A reference to one interface of a remote object: where to call it and with what ORPCTHIS. */
struct RaOrpcBinding {
    RaDcomClient *owner;
    RaRpcClient *client; /* the connection iid is bound on (owned by owner); NULL until the
                          * first call binds it */
    guint16 context_id;  /* presentation context for iid on that connection */
    RaUuid iid;
    RaStdObjRef std;     /* OXID, OID, IPID and the public references we hold */
    RaOrpcThis orpcthis; /* sent with every call: version 5.7, the causality id */
    gboolean released;
};
typedef struct RaOrpcBinding RaOrpcBinding;

/* The ORPCTHIS to send on this binding (for generated proxies). */
const RaOrpcThis *ra_orpc_binding_orpcthis(const RaOrpcBinding *binding);

/*
 * One ORPC call: opnum on the binding's IPID with the request stub; the response stub (caller
 * unrefs). Errors as ra_rpc_client_call(); RA_ERROR_PROTOCOL for a released binding.
 */
GBytes *ra_orpc_call(RaOrpcBinding *binding, guint16 opnum, GBytes *request, GError **error);

/* TRUE for a success HRESULT; else FALSE with RA_ERROR_HRESULT "<what> returned 0x... (NAME)". */
gboolean ra_orpc_check_hresult(guint32 hresult, const char *what, GError **error);

/* Opens one connection (see RaDcomClientConfig.connect): a client or NULL with *error set. */
typedef RaRpcClient *(*RaDcomConnectFunc)(const char *host, guint16 port, guint timeout_ms,
                                          gpointer user_data, GError **error);

typedef struct {
    const char *host; /* name or address of the server */
    guint16 port;     /* activation port; 0 = 135 */
    RaRpcAuth auth;   /* credentials and level for every connection */
    guint timeout_ms; /* per connect/read/write; 0 = 30 s */
    /*
     * FALSE (the default): one connection per interface of a server, each with its one NTLM
     * security context. TRUE: every interface of a server on one connection, added by
     * alter_context with a fresh NTLM context each (as impacket does). Both are valid
     * [MS-RPCE]; tshark 4.0 decrypts only the latest NTLM context of a TCP stream, so a sealed
     * capture of shared connections shows the earlier contexts' calls as malformed.
     */
    gboolean share_connections;
    /* Optional: opens every connection instead of ra_rpc_client_connect() - e.g. over a socket
     * pair to a novice in the same process (`ratool capture`, ra/rig.h). */
    RaDcomConnectFunc connect;
    gpointer connect_data;
} RaDcomClientConfig;

/* Connects to the activation endpoint. RA_ERROR_IO / RA_ERROR_TIMEOUT. */
RaDcomClient *ra_dcom_client_new(const RaDcomClientConfig *config, GError **error);
/* Releases every binding still held (RemRelease, best effort), closes, frees. NULL is ignored. */
void ra_dcom_client_free(RaDcomClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaDcomClient, ra_dcom_client_free)

/*
 * Every PDU of every connection of this client, as on the wire (see ra_rpc_client_set_trace()),
 * with the connection's number: 0 is the activation endpoint, then 1, 2, ... in the order they
 * were opened. For captures and tests; the bytes are valid during the call only.
 */
typedef void (*RaDcomTraceFunc)(guint connection, gboolean sent, const guint8 *pdu, gsize len,
                                gpointer user_data);
void ra_dcom_client_set_trace(RaDcomClient *client, RaDcomTraceFunc func, gpointer user_data);
/* How many connections the client has opened. */
guint ra_dcom_client_n_connections(RaDcomClient *client);

/* What the last activation returned, for logs and `ratool offer`. */
typedef struct {
    guint64 oxid;
    RaUuid ipid_rem_unknown;
    guint32 authn_hint;
    RaComVersion server_version;
    gchar *binding; /* the string binding used, "127.0.0.1[49152]" */
} RaDcomExporterInfo;

/*
 * RemoteCreateInstance of clsid ([MS-DCOM] 3.2.4.1.1) asking for one interface; session_id is
 * SpecialPropertiesData.dwSessionId (RA_ACTPROP_ANY_SESSION for any). On success *binding is a
 * binding to iid (owned by the client; released with it or with ra_dcom_client_release()).
 * Errors: RA_ERROR_HRESULT when the activation or the interface failed (the HRESULT in the
 * message: REGDB_E_CLASSNOTREG for a class the server does not have, E_NOINTERFACE,
 * E_ACCESSDENIED), RA_ERROR_FAULT for a fault (e.g. access denied to a non-helper), RA_ERROR_AUTH
 * and the errors of the RPC client, RA_ERROR_MALFORMED for an answer that does not decode.
 * *hresult (may be NULL) receives the failure HRESULT when there is one.
 */
gboolean ra_dcom_client_create_instance(RaDcomClient *client, const RaUuid *clsid,
                                        const RaUuid *iid, guint32 session_id,
                                        RaOrpcBinding **binding, guint32 *hresult, GError **error);
const RaDcomExporterInfo *ra_dcom_client_exporter(RaDcomClient *client);

/*
 * issue 7 (`ratool probe`): the ncacn_ip_tcp string bindings ("ADDR[PORT]") the last successful
 * activation advertised for the object exporter, recorded before the client connects to one of
 * them - so also when that connection fails. Returns how many; *bindings is owned by the client,
 * valid until the next activation.
 */
guint ra_dcom_client_advertised(RaDcomClient *client, const char *const **bindings);

/* IRemUnknown2::RemQueryInterface for one more interface of the object behind `of`. */
gboolean ra_dcom_client_query_interface(RaDcomClient *client, RaOrpcBinding *of, const RaUuid *iid,
                                        RaOrpcBinding **binding, guint32 *hresult, GError **error);

/*
 * An interface pointer received in a call (an OBJREF_STANDARD in an MInterfacePointer) as a
 * binding for iid (NULL: the OBJREF's own IID). Its exporter must be known (the activation's) or
 * is resolved with ResolveOxid2. RA_ERROR_MALFORMED for a bogus OBJREF, RA_ERROR_UNSUPPORTED for
 * other OBJREF forms.
 */
gboolean ra_dcom_client_unmarshal(RaDcomClient *client, const RaInterfacePointer *mip,
                                  const RaUuid *iid, RaOrpcBinding **binding, GError **error);

/* IRemUnknown::RemRelease of the binding's public references; the binding stays allocated (owned
 * by the client) but can no longer be called. */
gboolean ra_dcom_client_release(RaDcomClient *client, RaOrpcBinding *binding, GError **error);

/* ComplexPing with the OIDs held (first time) or SimplePing ([MS-DCOM] 3.2.6). */
gboolean ra_dcom_client_ping(RaDcomClient *client, GError **error);

G_END_DECLS

#endif
