/*
 * UUIDs and presentation syntax identifiers (see ra/uuid.h).
 */
#include "ra/uuid.h"
#include "ra/bytes.h"
#include "ra/crypto.h"
#include "ra/error.h"

#include <stdio.h>
#include <string.h>

const RaSyntaxId ra_syntax_ndr20 = {
    RA_UUID_INIT(0x8a885d04, 0x1ceb, 0x11c9, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60), 2, 0};
const RaSyntaxId ra_syntax_ndr64 = {
    RA_UUID_INIT(0x71710533, 0xbeba, 0x4937, 0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36), 1, 0};

static int hex_digit(char c)
{
    return g_ascii_xdigit_value(c);
}

/* Reads 2*n hex digits at s into out (big-endian byte order); FALSE on a non-digit. */
static gboolean read_hex(const char *s, guint8 *out, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        out[i] = (guint8)(hi << 4 | lo);
    }
    return TRUE;
}

gboolean ra_uuid_parse(const char *text, RaUuid *out, GError **error)
{
    memset(out, 0, sizeof *out);
    gsize len = text ? strlen(text) : 0;
    const char *s = text;
    if (len == RA_UUID_STRING_LEN + 2 && s[0] == '{' && s[len - 1] == '}') {
        s++;
        len -= 2;
    }
    guint8 b[16];
    if (len != RA_UUID_STRING_LEN || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' ||
        !read_hex(s, b, 4) || !read_hex(s + 9, b + 4, 2) || !read_hex(s + 14, b + 6, 2) ||
        !read_hex(s + 19, b + 8, 2) || !read_hex(s + 24, b + 10, 6)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "'%s' is not a UUID",
                    text ? text : "(null)");
        return FALSE;
    }
    out->time_low = ra_be32(b);
    out->time_mid = ra_be16(b + 4);
    out->time_hi_and_version = ra_be16(b + 6);
    memcpy(out->clock_seq, b + 8, 2);
    memcpy(out->node, b + 10, 6);
    return TRUE;
}

char *ra_uuid_format(const RaUuid *u, char buf[RA_UUID_STRING_LEN + 1])
{
    snprintf(buf, RA_UUID_STRING_LEN + 1, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u->time_low, u->time_mid, u->time_hi_and_version, u->clock_seq[0], u->clock_seq[1],
             u->node[0], u->node[1], u->node[2], u->node[3], u->node[4], u->node[5]);
    return buf;
}

gchar *ra_uuid_to_string(const RaUuid *uuid)
{
    char buf[RA_UUID_STRING_LEN + 1];
    return g_strdup(ra_uuid_format(uuid, buf));
}

void ra_uuid_to_le(const RaUuid *u, guint8 out[16])
{
    ra_put_le32(out, u->time_low);
    ra_put_le16(out + 4, u->time_mid);
    ra_put_le16(out + 6, u->time_hi_and_version);
    memcpy(out + 8, u->clock_seq, 2);
    memcpy(out + 10, u->node, 6);
}

void ra_uuid_from_le(const guint8 in[16], RaUuid *u)
{
    u->time_low = ra_le32(in);
    u->time_mid = ra_le16(in + 4);
    u->time_hi_and_version = ra_le16(in + 6);
    memcpy(u->clock_seq, in + 8, 2);
    memcpy(u->node, in + 10, 6);
}

gboolean ra_uuid_equal(const RaUuid *a, const RaUuid *b)
{
    return ra_uuid_compare(a, b) == 0;
}

int ra_uuid_compare(const RaUuid *a, const RaUuid *b)
{
    if (a->time_low != b->time_low)
        return a->time_low < b->time_low ? -1 : 1;
    if (a->time_mid != b->time_mid)
        return a->time_mid < b->time_mid ? -1 : 1;
    if (a->time_hi_and_version != b->time_hi_and_version)
        return a->time_hi_and_version < b->time_hi_and_version ? -1 : 1;
    int c = memcmp(a->clock_seq, b->clock_seq, 2);
    if (c == 0)
        c = memcmp(a->node, b->node, 6);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

gboolean ra_uuid_is_nil(const RaUuid *uuid)
{
    static const RaUuid nil;
    return ra_uuid_equal(uuid, &nil);
}

guint ra_uuid_hash(gconstpointer p)
{
    const RaUuid *u = p;
    guint8 b[16];
    ra_uuid_to_le(u, b);
    guint h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

gboolean ra_uuid_equal_func(gconstpointer a, gconstpointer b)
{
    return ra_uuid_equal(a, b);
}

void ra_uuid_generate(RaUuid *out)
{
    guint8 b[16];
    ra_random_bytes(b, sizeof b);
    b[7] = (guint8)((b[7] & 0x0f) | 0x40); /* version 4 in time_hi_and_version (LE byte 7) */
    b[8] = (guint8)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    ra_uuid_from_le(b, out);
}

gboolean ra_syntax_id_equal(const RaSyntaxId *a, const RaSyntaxId *b)
{
    return ra_uuid_equal(&a->uuid, &b->uuid) && a->if_version_major == b->if_version_major &&
           a->if_version_minor == b->if_version_minor;
}

gchar *ra_syntax_id_to_string(const RaSyntaxId *id)
{
    char buf[RA_UUID_STRING_LEN + 1];
    return g_strdup_printf("%s v%u.%u", ra_uuid_format(&id->uuid, buf), id->if_version_major,
                           id->if_version_minor);
}

/* MS-RPCE 2.2.2.14: 6cb71c2c-9812-4540-<8 bytes of bitmask>, version 1.0. */
gboolean ra_syntax_is_bind_time_features(const RaSyntaxId *id, guint64 *features)
{
    if (id->uuid.time_low != 0x6cb71c2c || id->uuid.time_mid != 0x9812 ||
        id->uuid.time_hi_and_version != 0x4540)
        return FALSE;
    guint8 b[16];
    ra_uuid_to_le(&id->uuid, b);
    guint64 f = 0;
    for (int i = 7; i >= 0; i--)
        f = f << 8 | b[8 + i];
    if (features)
        *features = f;
    return TRUE;
}

void ra_syntax_bind_time_features(guint64 features, RaSyntaxId *out)
{
    guint8 b[16] = {0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45};
    for (int i = 0; i < 8; i++)
        b[8 + i] = (guint8)(features >> (8 * i));
    ra_uuid_from_le(b, &out->uuid);
    out->if_version_major = 1;
    out->if_version_minor = 0;
}
