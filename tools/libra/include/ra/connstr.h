/*
 * Remote Assistance connection strings ([MS-RAI] 2.2.1, 2.2.2, rev 12.0 additions) and the
 * length-prefixed blobs that travel with them (the MS-RAI user help blob of
 * RemoteConnectionParms, [MS-RAI] 3.1.4.1.1, and the MS-RA expert blob).
 *
 * This module is shared with the Wireshark plugin, so it depends on GLib and (through ra/xml.h)
 * libxml2 only: no OpenSSL, no I/O. It is built as the position-independent static library
 * `ra_connstr`.
 *
 * Parsers are lenient where Windows is: they accept what real peers send and record every
 * departure from the specification as a RaConnStrWarning (the plugin shows them as expert info,
 * ratool prints them). They fail with RA_ERROR_MALFORMED only when the input cannot be read as the
 * structure at all, and with RA_ERROR_TOO_LARGE above RA_MAX_INPUT.
 *
 * Strings are UTF-8. Parsed structures own all their memory; free them with the matching _free().
 */
#ifndef RA_CONNSTR_H
#define RA_CONNSTR_H

#include <glib.h>

G_BEGIN_DECLS

/* A departure from the specification, found while parsing. */
typedef enum {
    RA_CSW_PROTOCOL_VERSION, /* CS1 ProtocolVersion is not 65538 */
    RA_CSW_PROTOCOL_TYPE,    /* CS1 protocolType is not 1 */
    RA_CSW_NOT_STAR,         /* a CS1 field that MUST be "*" is not */
    RA_CSW_BAD_ADDRESS,      /* an address entry is not host:port with a port of 1-65535 */
    RA_CSW_FIELD_COUNT,      /* CS1 does not have exactly eight fields */
    RA_CSW_MISSING_ELEMENT,  /* CS2 lacks <A>, <C>, <T> or <L>, or an attribute they need */
    RA_CSW_UNKNOWN_CONTENT,  /* CS2 has an element or attribute the specification does not name */
    RA_CSW_BAD_PORT,         /* a CS2 listener port is not 1-65535 */
    RA_CSW_BAD_BASE64,       /* CE (or another base64 value) does not decode */
    RA_CSW_TRAILING_DATA,    /* bytes after the structure (e.g. padding after </E>) */
    RA_CSW_BLOB_LENGTH,      /* a blob item's length prefix does not match its text */
    RA_CSW_BLOB_ITEM,        /* a blob item is not KEY=VALUE, or a required item is missing */
} RaConnStrWarningCode;

typedef struct {
    RaConnStrWarningCode code;
    gchar *message; /* one line, says what was found and what was expected */
} RaConnStrWarning;

/* ---- Connection String 1: "65538,1,addr:port;addr:port,*,<RASessionID>,*,*,<parms>" ---- */

typedef struct {
    gchar *host;  /* IPv4 address or computer name, as written */
    guint16 port; /* 0 when missing or invalid (then a RA_CSW_BAD_ADDRESS warning exists) */
} RaAddress;

typedef struct {
    gchar *protocol_version;      /* as written; the spec requires "65538" */
    gchar *protocol_type;         /* as written; the spec requires "1" */
    gchar *machine_address_list;  /* as written */
    GPtrArray *addresses;         /* of RaAddress*, in order */
    gchar *assistant_account_pwd; /* must be "*" */
    gchar *ra_session_id;
    gchar *ra_session_name; /* must be "*" */
    gchar *ra_session_pwd;  /* must be "*" */
    gchar *protocol_specific_parms;
    GPtrArray *warnings; /* of RaConnStrWarning* */
} RaConnStr1;

RaConnStr1 *ra_connstr1_parse(const char *text, gsize len, GError **error);
/* Builds "65538,1,<addresses>,*,<session_id>,*,*,<parms>" from the address list and two values. */
gchar *ra_connstr1_build(const GPtrArray *addresses, const char *ra_session_id,
                         const char *protocol_specific_parms);
void ra_connstr1_free(RaConnStr1 *cs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaConnStr1, ra_connstr1_free)

/* ---- Connection String 2:
 * <E><A KH ID [KH2] [CE]/><C><T ID SID><L P N [U]/>...</T></C></E> ---- */

typedef struct {
    gchar *port_text; /* P as written */
    guint16 port;     /* 0 when P is missing or invalid (then a warning exists) */
    gchar *name;      /* N: host name or address (IPv4 or IPv6) */
    gchar *uri;       /* U (rev 12.0): websocket URI, or NULL */
} RaListener;

typedef struct {
    gchar *id;            /* T/@ID */
    gchar *sid;           /* T/@SID */
    GPtrArray *listeners; /* of RaListener*, in document order */
} RaTransport;

typedef struct {
    gchar *kh;             /* A/@KH */
    gchar *kh2;            /* A/@KH2 (rev 12.0): "sha256:<base64>" etc., or NULL */
    gchar *id;             /* A/@ID */
    gchar *ce;             /* A/@CE (rev 12.0): base64 DER certificate as written, or NULL */
    GBytes *ce_der;        /* CE decoded (line breaks ignored), or NULL */
    GPtrArray *transports; /* of RaTransport*, in document order */
    GPtrArray *warnings;   /* of RaConnStrWarning* */
} RaConnStr2;

/*
 * Parses Connection String 2 given as UTF-8 text (callers convert UTF-16 first). Whitespace and
 * line breaks between attributes are accepted, as Windows writes them.
 */
RaConnStr2 *ra_connstr2_parse(const char *text, gsize len, GError **error);
/* Serializes as Windows does: one line, attributes in Windows' order, ending "</E>" (no CR LF). */
gchar *ra_connstr2_build(const RaConnStr2 *cs);
void ra_connstr2_free(RaConnStr2 *cs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaConnStr2, ra_connstr2_free)

/* Which form a string has: 1, 2, or 0 when it is neither. Looks at the first non-blank bytes. */
int ra_connstr_detect(const char *text, gsize len);

/* ---- Length-prefixed blobs: "<len>;<item><len>;<item>..." ---- */

typedef struct {
    guint declared_length; /* the number before ';' */
    gchar *text;           /* the item, as read */
    gchar *key;            /* text before the first '=', or NULL */
    gchar *value;          /* text after the first '=', or NULL */
} RaBlobItem;

typedef struct {
    GPtrArray *items;    /* of RaBlobItem*, in order */
    GPtrArray *warnings; /* of RaConnStrWarning* */
    /* The MS-RAI user help blob's meaning, when it is one: */
    gboolean unsolicited; /* UNSOLICITED=1 present */
    gchar *domain;        /* from ID=DOMAIN\user, or NULL */
    gchar *user;
} RaBlob;

/*
 * Parses a blob. Lengths count UTF-16 code units (BSTR characters), as Windows computes them.
 * When a length does not match, the parser recovers at the next "<digits>;<KEY>=" boundary and
 * records RA_CSW_BLOB_LENGTH with both lengths.
 */
RaBlob *ra_blob_parse(const char *text, gsize len, GError **error);
/* "13;UNSOLICITED=1<n>;ID=DOMAIN\user" ([MS-RAI] 3.1.4.1.1). */
gchar *ra_blob_build_help(const char *domain, const char *user);
/* "<n>;NAME=<name><n>;PASS=<hex>" (the MS-RA expert blob); hex is uppercase. */
gchar *ra_blob_build_expert(const char *name, const guint8 *pass, gsize pass_len);
void ra_blob_free(RaBlob *blob);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaBlob, ra_blob_free)

/* ---- GetSessionInfo entries: "DOMAIN\user:id" ([MS-RAI] 3.3.4.1.2) ---- */

/* Splits an entry. FALSE (no error set) when it is not of that form. */
gboolean ra_session_entry_parse(const char *text, gchar **domain, gchar **user, guint32 *id);

G_END_DECLS

#endif
