/*
 * Remote Assistance invitation files (.MSRCIncident, [MS-RAI] Appendix A), both types, and bare
 * Connection Strings 2 saved as files (Windows Desktop Sharing writes those):
 *
 *   type 1 (Windows XP/2003):     <UPLOADINFO TYPE="Escalated"><UPLOADDATA USERNAME RCTICKET
 *                                 RCTICKETENCRYPTED DtStart DtLength PassStub L/></UPLOADINFO>
 *   type 2 (Windows Vista-11):    the same with LHTICKET (the encrypted Connection String 2);
 *                                 RCTICKET optional (Windows 10/11 leave it out)
 *
 * Reading. The encoding is detected, not trusted from the declaration: UTF-16LE or UTF-16BE with
 * or without a BOM, UTF-8 with or without a BOM, and other 8-bit text read as Windows-1252 (what
 * Windows' ANSI code page most often is). `encoding="Unicode"` (Windows XP) is recorded, never
 * obeyed. Entities and character references are decoded; attributes are looked up by name in any
 * order. One defect is repaired on purpose: a missing space between an attribute's closing quote
 * and the next attribute (`...="x"RCTICKETENCRYPTED="1"`), which FreeRDP's published type-1 test
 * file has and Windows' own reader is unlikely to care about; the repair is a warning
 * (RA_INVW_REPAIRED). Every other XML error is RA_ERROR_MALFORMED.
 *
 * Writing produces files the way Windows does (see ra_invite_build()).
 *
 * Memory: every structure owns what it points to; free with the matching _free().
 */
#ifndef RA_INVITE_H
#define RA_INVITE_H

#include <glib.h>

#include "ra/connstr.h"

G_BEGIN_DECLS

typedef enum {
    RA_INVITE_TYPE1 = 1,    /* RCTICKET (Connection String 1) + PassStub, no LHTICKET */
    RA_INVITE_TYPE2 = 2,    /* LHTICKET */
    RA_INVITE_BARE_CS2 = 3, /* the file is a Connection String 2 (<E> root) */
} RaInviteKind;

typedef enum {
    RA_TEXT_UTF8,
    RA_TEXT_UTF8_BOM,
    RA_TEXT_UTF16LE,
    RA_TEXT_UTF16LE_BOM,
    RA_TEXT_UTF16BE,
    RA_TEXT_UTF16BE_BOM,
    RA_TEXT_WINDOWS_1252,
} RaTextEncoding;

/* A stable lowercase name: "utf-8", "utf-8-bom", "utf-16le", ..., "windows-1252". */
const char *ra_text_encoding_name(RaTextEncoding encoding);

typedef enum {
    RA_INVW_REPAIRED,    /* not well-formed XML, repaired (missing space between attributes) */
    RA_INVW_UPLOAD_TYPE, /* UPLOADINFO TYPE is not "Escalated" (Appendix A: MUST) */
    RA_INVW_MISSING_ATTRIBUTE, /* USERNAME, PassStub, DtStart, DtLength, L or RCTICKETENCRYPTED */
    RA_INVW_UNKNOWN_CONTENT,   /* an element or attribute Appendix A does not name */
    RA_INVW_BAD_VALUE,         /* DtStart/DtLength not a number, L or RCTICKETENCRYPTED not 0/1 */
    RA_INVW_CONNSTR,           /* a warning about RCTICKET, the decrypted LHTICKET or a bare CS2 */
    RA_INVW_TICKET_MISMATCH,   /* RCTICKET and the decrypted LHTICKET disagree */
} RaInviteWarningCode;

typedef struct {
    RaInviteWarningCode code;
    gchar *message; /* one line; connection-string warnings start with where they were found */
} RaInviteWarning;

typedef struct {
    gchar *name;
    gchar *value; /* entities decoded */
} RaInviteAttribute;

typedef enum {
    RA_CROSS_CHECK_NONE,     /* nothing to compare (no RCTICKET, or LHTICKET not decrypted) */
    RA_CROSS_CHECK_AGREE,    /* RASessionID = <A ID>, parms = <A KH>, addresses among listeners */
    RA_CROSS_CHECK_DISAGREE, /* see the RA_INVW_TICKET_MISMATCH warnings */
} RaCrossCheck;

typedef struct {
    RaInviteKind kind;
    RaTextEncoding encoding;
    gchar *declared_encoding; /* the XML declaration's encoding="...", or NULL */
    gchar *upload_type;       /* UPLOADINFO's TYPE, or NULL */
    GPtrArray *attributes;    /* of RaInviteAttribute*: UPLOADDATA's, in document order */

    /* UPLOADDATA's attributes by name (pointers into `attributes`), NULL when absent. */
    const gchar *username;
    const gchar *lhticket;
    const gchar *rcticket;
    const gchar *rcticket_encrypted;
    const gchar *passstub;
    const gchar *dt_start;
    const gchar *dt_length;
    const gchar *low_speed;

    gboolean has_start;    /* DtStart is a number: */
    gint64 start;          /*   seconds since 1970-01-01 UTC */
    gboolean has_length;   /* DtLength is a number: */
    gint64 length_minutes; /*   minutes of validity */

    GBytes *lhticket_bytes; /* LHTICKET hex-decoded (type 2) */
    RaConnStr1 *cs1;        /* RCTICKET, when it is a Connection String 1 */

    /* A bare CS2 file, an RCTICKET holding a CS2, or the decrypted LHTICKET: */
    RaConnStr2 *cs2;
    gchar *cs2_text;            /* its text, as read or decrypted (UTF-8) */
    gboolean decrypted;         /* cs2 came from LHTICKET: the password is right */
    GBytes *passstub_encrypted; /* after ra_invite_decrypt(), when there is a PassStub */
    RaCrossCheck cross_check;
    GPtrArray *warnings; /* of RaInviteWarning* */
} RaInvite;

/*
 * Parses an invitation file (or a bare Connection String 2). Errors: RA_ERROR_TOO_LARGE (over
 * RA_MAX_INPUT), RA_ERROR_MALFORMED (encoding, XML, no UPLOADINFO/UPLOADDATA, neither LHTICKET nor
 * RCTICKET, LHTICKET not hex or not whole AES blocks, a type-1 RCTICKET that is not a connection
 * string). Nothing is decrypted here.
 */
RaInvite *ra_invite_parse(const guint8 *data, gsize len, GError **error);

/*
 * Applies the password: encrypts the PassStub (when there is one) and, for type 2, decrypts
 * LHTICKET into cs2/cs2_text and cross-checks it with RCTICKET. Errors: RA_ERROR_WRONG_PASSWORD;
 * RA_ERROR_MALFORMED when the decrypted ticket is not a Connection String 2. For type 1 nothing
 * can show whether the password is right (decrypted stays FALSE). Safe to call again.
 */
gboolean ra_invite_decrypt(RaInvite *invite, const char *password, GError **error);

/* TRUE when the file lives past `now` (seconds since 1970): DtStart + DtLength minutes > now.
 * FALSE too when either is missing. */
gboolean ra_invite_is_valid_at(const RaInvite *invite, gint64 now);

void ra_invite_free(RaInvite *invite);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaInvite, ra_invite_free)

/*
 * RCTICKET for a Connection String 2, as Windows 7 writes it next to LHTICKET:
 * "65538,1,<listeners that are not IPv6, host:port, in order>,*,<A ID>,*,*,<A KH>".
 * NULL when the string has no such listener.
 */
gchar *ra_invite_rcticket_from_cs2(const RaConnStr2 *cs2);

typedef struct {
    int type;               /* 1 or 2 */
    const char *connstr;    /* type 2: a Connection String 2; type 1: a CS1, or a CS2 to take a
                               CS1 from (ra_invite_rcticket_from_cs2) */
    const char *password;   /* UTF-8 */
    const char *username;   /* USERNAME */
    const char *passstub;   /* NULL: a new one (ra_passstub_generate) */
    gint64 start;           /* DtStart, seconds since 1970 */
    guint length_minutes;   /* DtLength */
    gboolean utf16;         /* UTF-16LE with a BOM and encoding="Unicode", as Windows XP wrote */
    gboolean omit_rcticket; /* type 2: no RCTICKET, as Windows 10/11 write */
} RaInviteSpec;

/*
 * Writes an invitation file. Type 2, as Windows 7 writes it: `<?xml version="1.0"?>` then
 * UPLOADINFO/UPLOADDATA with USERNAME, LHTICKET (the Connection String rebuilt in Windows' form by
 * ra_connstr2_build() plus CR LF, encrypted), RCTICKET (from the CS2, omitted when it has no
 * IPv4 or named listener, or on request), PassStub, RCTICKETENCRYPTED="1", DtStart, DtLength,
 * L="0". Type 1, as Windows XP writes it: USERNAME, RCTICKET, RCTICKETENCRYPTED="1", DtStart,
 * DtLength, PassStub, L="0". Attribute values are XML-escaped. *passstub_out (optional) receives
 * the PassStub used. Errors: RA_ERROR_MALFORMED (the connection string does not parse, or has no
 * address to put in a type-1 RCTICKET), RA_ERROR_UNSUPPORTED (type 2 from a Connection String 1).
 */
GBytes *ra_invite_build(const RaInviteSpec *spec, gchar **passstub_out, GError **error);

G_END_DECLS

#endif
