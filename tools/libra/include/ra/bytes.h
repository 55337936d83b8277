/*
 * Integers in byte buffers, in a fixed byte order whatever the host's, at any alignment: little
 * endian for DCE/RPC, NDR and NTLMSSP ([C706] 14.2, [MS-NLMP] 2.2), big endian (network order)
 * for Ethernet, IP and TCP headers. Header-only (static inline). The caller guarantees that the
 * bytes read or written are there.
 */
#ifndef RA_BYTES_H
#define RA_BYTES_H

#include <glib.h>

G_BEGIN_DECLS

static inline guint16 ra_le16(const guint8 *p)
{
    return (guint16)(p[0] | p[1] << 8);
}

static inline guint32 ra_le32(const guint8 *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static inline guint64 ra_le64(const guint8 *p)
{
    return (guint64)ra_le32(p) | (guint64)ra_le32(p + 4) << 32;
}

static inline void ra_put_le16(guint8 *p, guint16 v)
{
    p[0] = (guint8)v;
    p[1] = (guint8)(v >> 8);
}

static inline void ra_put_le32(guint8 *p, guint32 v)
{
    p[0] = (guint8)v;
    p[1] = (guint8)(v >> 8);
    p[2] = (guint8)(v >> 16);
    p[3] = (guint8)(v >> 24);
}

static inline guint16 ra_be16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

static inline guint32 ra_be32(const guint8 *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static inline void ra_put_be16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

static inline void ra_put_be32(guint8 *p, guint32 v)
{
    p[0] = (guint8)(v >> 24);
    p[1] = (guint8)(v >> 16);
    p[2] = (guint8)(v >> 8);
    p[3] = (guint8)v;
}

G_END_DECLS

#endif
