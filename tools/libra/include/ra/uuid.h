/*
 * UUIDs and presentation syntax identifiers as DCE/RPC uses them ([C706] Appendix A, ch. 12).
 *
 * RaUuid keeps the fields of the DCE layout; on the NDR wire (little-endian data representation)
 * time_low, time_mid and time_hi_and_version are little-endian and the 8 remaining bytes go as they
 * are, which is also the memory layout of a Windows GUID. ra_uuid_to_le()/ra_uuid_from_le() convert
 * between the struct and those 16 wire bytes; the NDR runtime (ra/ndr.h) and the PDU codec
 * (ra/pdu.h) use them.
 *
 * All functions are pure and thread-safe.
 */
#ifndef RA_UUID_H
#define RA_UUID_H

#include "ra/error.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    guint32 time_low;
    guint16 time_mid;
    guint16 time_hi_and_version;
    guint8 clock_seq[2]; /* clock_seq_hi_and_reserved, clock_seq_low */
    guint8 node[6];
} RaUuid;

/* Length of the textual form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" without the NUL. */
#define RA_UUID_STRING_LEN 36

/* Initialiser for a constant RaUuid from the fields of its textual form, e.g.
 * RA_UUID_INIT(0x8a885d04, 0x1ceb, 0x11c9, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60). */
#define RA_UUID_INIT(tl, tm, th, c0, c1, n0, n1, n2, n3, n4, n5) \
    {                                                            \
        (tl), (tm), (th), {(c0), (c1)},                          \
        {                                                        \
            (n0), (n1), (n2), (n3), (n4), (n5)                   \
        }                                                        \
    }

/*
 * Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits in either case), optionally enclosed in
 * braces as Windows writes GUIDs. Returns FALSE with RA_ERROR_MALFORMED for anything else
 * (including surrounding blanks).
 */
gboolean ra_uuid_parse(const char *text, RaUuid *out, GError **error);

/* Writes the lowercase textual form (no braces) and a NUL into buf; returns buf. */
char *ra_uuid_format(const RaUuid *uuid, char buf[RA_UUID_STRING_LEN + 1]);
/* The same, newly allocated (g_free). */
gchar *ra_uuid_to_string(const RaUuid *uuid);

/* 16 bytes in NDR little-endian order (= Windows GUID memory layout) <-> RaUuid. */
void ra_uuid_to_le(const RaUuid *uuid, guint8 out[16]);
void ra_uuid_from_le(const guint8 in[16], RaUuid *out);

gboolean ra_uuid_equal(const RaUuid *a, const RaUuid *b);
/* Total order (by the fields in textual order); <0, 0, >0 like strcmp. */
int ra_uuid_compare(const RaUuid *a, const RaUuid *b);
gboolean ra_uuid_is_nil(const RaUuid *uuid);
/* GHashTable helpers: keys are const RaUuid *. */
guint ra_uuid_hash(gconstpointer uuid);
gboolean ra_uuid_equal_func(gconstpointer a, gconstpointer b);

/* A random (version 4) UUID from ra_random_bytes() (deterministic after ra_random_set_seed()). */
void ra_uuid_generate(RaUuid *out);

/*
 * A presentation syntax identifier ([C706] 12.6.3.1 p_syntax_id_t): an interface or transfer
 * syntax UUID and its version. On the wire the version is one u32: major in the low 16 bits.
 */
typedef struct {
    RaUuid uuid;
    guint16 if_version_major;
    guint16 if_version_minor;
} RaSyntaxId;

gboolean ra_syntax_id_equal(const RaSyntaxId *a, const RaSyntaxId *b);
/* "uuid vMAJOR.MINOR", newly allocated. */
gchar *ra_syntax_id_to_string(const RaSyntaxId *id);

/* NDR 2.0 transfer syntax, 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0 ([C706] Appendix I). */
extern const RaSyntaxId ra_syntax_ndr20;
/* NDR64 transfer syntax, 71710533-beba-4937-8319-b5dbef9ccc36 v1.0 ([MS-RPCE] 2.2.5.1.1); we never
 * accept it, but recognise it to reject it properly. */
extern const RaSyntaxId ra_syntax_ndr64;

/*
 * Bind time feature negotiation ([MS-RPCE] 2.2.2.14, 3.3.1.5.3): a transfer syntax whose UUID
 * starts 6cb71c2c-9812-4540- and whose last 8 bytes are a little-endian bitmask of features,
 * version 1.0. Returns TRUE and the bitmask if `id` is such a syntax.
 */
gboolean ra_syntax_is_bind_time_features(const RaSyntaxId *id, guint64 *features);
/* Builds the bind time feature negotiation syntax for `features`. */
void ra_syntax_bind_time_features(guint64 features, RaSyntaxId *out);

#define RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING 0x01
#define RA_BTFN_KEEP_CONNECTION_ON_ORPHAN     0x02

G_END_DECLS

#endif
