/*
 * Frames down to TCP segments (see ra/netpkt.h).
 */
#define _DEFAULT_SOURCE
#include "ra/netpkt.h"
#include "ra/bytes.h"

#include <arpa/inet.h>
#include <string.h>

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_VLAN  0x8100
#define ETHERTYPE_QINQ  0x88a8
#define ETHERTYPE_QINQ9 0x9100
#define IPPROTO_TCP_    6
#define MAX_VLAN_TAGS   4

static RaNetpktResult fail(const char **why, RaNetpktResult r, const char *text)
{
    *why = text;
    return r;
}

/* The TCP header at data (len captured bytes, wire_len announced by IP). */
static RaNetpktResult decode_tcp(const guint8 *data, gsize len, gsize wire_len, RaTcpSegment *seg,
                                 const char **why)
{
    if (len < 20)
        return fail(why, RA_NETPKT_MALFORMED, "TCP header cut short");
    gsize hlen = (gsize)(data[12] >> 4) * 4;
    if (hlen < 20)
        return fail(why, RA_NETPKT_MALFORMED, "TCP data offset below 5 words");
    if (hlen > wire_len)
        return fail(why, RA_NETPKT_MALFORMED, "TCP header longer than the IP payload");
    if (hlen > len)
        return fail(why, RA_NETPKT_MALFORMED, "TCP options cut short by the capture");
    seg->sport = ra_be16(data);
    seg->dport = ra_be16(data + 2);
    seg->seq = ra_be32(data + 4);
    seg->ack = ra_be32(data + 8);
    seg->flags = data[13] & 0x1f;
    seg->payload = data + hlen;
    seg->payload_len = len - hlen;
    seg->wire_payload_len = wire_len - hlen;
    return RA_NETPKT_TCP;
}

static RaNetpktResult decode_ipv4(const guint8 *data, gsize len, RaTcpSegment *seg,
                                  const char **why)
{
    if (len < 20)
        return fail(why, RA_NETPKT_MALFORMED, "IPv4 header cut short");
    if ((data[0] >> 4) != 4)
        return fail(why, RA_NETPKT_MALFORMED, "IPv4 header with another version");
    gsize ihl = (gsize)(data[0] & 0x0f) * 4;
    gsize total = ra_be16(data + 2);
    if (ihl < 20 || ihl > len)
        return fail(why, RA_NETPKT_MALFORMED, "IPv4 header length out of range");
    if (total < ihl)
        return fail(why, RA_NETPKT_MALFORMED, "IPv4 total length below its header length");
    guint16 frag = ra_be16(data + 6);
    if ((frag & 0x3fff) != 0) /* MF set or a fragment offset */
        return fail(why, RA_NETPKT_FRAGMENT, "IPv4 fragment (not reassembled)");
    if (data[9] != IPPROTO_TCP_)
        return RA_NETPKT_OTHER;
    seg->src.family = seg->dst.family = 4;
    memset(seg->src.bytes, 0, 16);
    memset(seg->dst.bytes, 0, 16);
    memcpy(seg->src.bytes, data + 12, 4);
    memcpy(seg->dst.bytes, data + 16, 4);
    /* Ethernet pads short frames: the IP total length decides where the payload ends. A capture
     * shorter than it was cut by the snap length. */
    gsize captured = MIN(len, total) - ihl;
    return decode_tcp(data + ihl, captured, total - ihl, seg, why);
}

static RaNetpktResult decode_ipv6(const guint8 *data, gsize len, RaTcpSegment *seg,
                                  const char **why)
{
    if (len < 40)
        return fail(why, RA_NETPKT_MALFORMED, "IPv6 header cut short");
    if ((data[0] >> 4) != 6)
        return fail(why, RA_NETPKT_MALFORMED, "IPv6 header with another version");
    gsize payload = ra_be16(data + 4);
    if (payload == 0)
        return fail(why, RA_NETPKT_MALFORMED, "IPv6 jumbogram (payload length 0) not handled");
    guint8 next = data[6];
    seg->src.family = seg->dst.family = 6;
    memcpy(seg->src.bytes, data + 8, 16);
    memcpy(seg->dst.bytes, data + 24, 16);
    gsize off = 40;
    gsize end = 40 + payload; /* on the wire */
    /* Extension headers (RFC 8200 4.1): hop-by-hop, routing, destination options, fragment. */
    for (int i = 0; i < 16; i++) {
        switch (next) {
        case IPPROTO_TCP_: {
            if (off > end)
                return fail(why, RA_NETPKT_MALFORMED, "IPv6 extension headers past the payload");
            gsize captured = off <= len ? MIN(len, end) - off : 0;
            if (off > len)
                return fail(why, RA_NETPKT_MALFORMED, "IPv6 extension headers cut short");
            return decode_tcp(data + off, captured, end - off, seg, why);
        }
        case 0:  /* hop-by-hop */
        case 43: /* routing */
        case 60: /* destination options */
            if (off + 8 > len || off + 8 > end)
                return fail(why, RA_NETPKT_MALFORMED, "IPv6 extension header cut short");
            next = data[off];
            off += ((gsize)data[off + 1] + 1) * 8;
            break;
        case 44: /* fragment */
            if (off + 8 > len || off + 8 > end)
                return fail(why, RA_NETPKT_MALFORMED, "IPv6 fragment header cut short");
            if ((ra_be16(data + off + 2) & 0xfff9) != 0) /* an offset or M set */
                return fail(why, RA_NETPKT_FRAGMENT, "IPv6 fragment (not reassembled)");
            next = data[off];
            off += 8;
            break;
        default:
            return RA_NETPKT_OTHER;
        }
    }
    return fail(why, RA_NETPKT_MALFORMED, "IPv6 chain of more than 16 extension headers");
}

static RaNetpktResult decode_ip(const guint8 *data, gsize len, RaTcpSegment *seg, const char **why)
{
    if (len < 1)
        return fail(why, RA_NETPKT_MALFORMED, "empty IP packet");
    switch (data[0] >> 4) {
    case 4:
        return decode_ipv4(data, len, seg, why);
    case 6:
        return decode_ipv6(data, len, seg, why);
    default:
        return fail(why, RA_NETPKT_MALFORMED, "IP version is neither 4 nor 6");
    }
}

static RaNetpktResult by_ethertype(guint16 type, const guint8 *data, gsize len, RaTcpSegment *seg,
                                   const char **why)
{
    switch (type) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(data, len, seg, why);
    case ETHERTYPE_IPV6:
        return decode_ipv6(data, len, seg, why);
    default:
        return RA_NETPKT_OTHER;
    }
}

/* DLT_NULL / DLT_LOOP address families: AF_INET is 2 everywhere; AF_INET6 differs by system
 * (Linux 10, FreeBSD 28, NetBSD/OpenBSD 24, macOS 30). */
static RaNetpktResult by_family(guint32 af, const guint8 *data, gsize len, RaTcpSegment *seg,
                                const char **why)
{
    switch (af) {
    case 2:
        return decode_ipv4(data, len, seg, why);
    case 10:
    case 24:
    case 28:
    case 30:
        return decode_ipv6(data, len, seg, why);
    default:
        return RA_NETPKT_OTHER;
    }
}

RaNetpktResult ra_netpkt_decode(RaLinkType link, const guint8 *data, gsize caplen, gsize wire_len,
                                RaTcpSegment *seg, const char **why)
{
    memset(seg, 0, sizeof *seg);
    *why = NULL;
    switch (link) {
    case RA_LINK_ETHERNET: {
        if (caplen < 14)
            return fail(why, RA_NETPKT_MALFORMED, "Ethernet header cut short");
        gsize off = 12;
        guint16 type = ra_be16(data + off);
        for (int tags = 0;
             type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ9; tags++) {
            if (tags == MAX_VLAN_TAGS)
                return fail(why, RA_NETPKT_MALFORMED, "more than four VLAN tags");
            off += 4;
            if (off + 2 > caplen)
                return fail(why, RA_NETPKT_MALFORMED, "VLAN tag cut short");
            type = ra_be16(data + off);
        }
        off += 2;
        return by_ethertype(type, data + off, caplen - off, seg, why);
    }
    case RA_LINK_RAW_IP:
        return decode_ip(data, caplen, seg, why);
    case RA_LINK_RAW_IP4:
        return decode_ipv4(data, caplen, seg, why);
    case RA_LINK_RAW_IP6:
        return decode_ipv6(data, caplen, seg, why);
    case RA_LINK_NULL: {
        if (caplen < 4)
            return fail(why, RA_NETPKT_MALFORMED, "loopback header cut short");
        /* The capturing host's byte order: whichever reading is small. */
        guint32 le = ra_le32(data);
        guint32 af = le <= 0xffff ? le : ra_be32(data);
        return by_family(af, data + 4, caplen - 4, seg, why);
    }
    case RA_LINK_LOOP:
        if (caplen < 4)
            return fail(why, RA_NETPKT_MALFORMED, "loopback header cut short");
        return by_family(ra_be32(data), data + 4, caplen - 4, seg, why);
    case RA_LINK_SLL:
        if (caplen < 16)
            return fail(why, RA_NETPKT_MALFORMED, "Linux cooked header cut short");
        return by_ethertype(ra_be16(data + 14), data + 16, caplen - 16, seg, why);
    case RA_LINK_SLL2:
        if (caplen < 20)
            return fail(why, RA_NETPKT_MALFORMED, "Linux cooked v2 header cut short");
        return by_ethertype(ra_be16(data), data + 20, caplen - 20, seg, why);
    case RA_LINK_OTHER:
        break;
    }
    (void)wire_len;
    return fail(why, RA_NETPKT_UNSUPPORTED, "a link type other than Ethernet, IP or loopback");
}

char *ra_ip_address_format(const RaIpAddress *a, char *buf, gsize size)
{
    if (a->family != 4 && a->family != 6) {
        g_strlcpy(buf, "?", size);
        return buf;
    }
    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)size) == NULL)
        g_strlcpy(buf, "?", size);
    return buf;
}

gboolean ra_ip_address_equal(const RaIpAddress *a, const RaIpAddress *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

guint ra_ip_address_hash(const RaIpAddress *a)
{
    guint h = a->family;
    for (int i = 0; i < 16; i++)
        h = h * 31 + a->bytes[i];
    return h;
}
