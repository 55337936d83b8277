/*
 * Captured frames down to TCP: the link layers of ra/capfile.h (Ethernet with up to four VLAN
 * tags, raw IP, BSD and OpenBSD loopback, Linux cooked v1 and v2), IPv4 (RFC 791) and IPv6
 * (RFC 8200, with its extension headers), and the TCP header (RFC 9293). For `ratool analyze`.
 *
 * Every length is checked against the captured bytes and the IP header's own lengths; nothing is
 * allocated. A frame cut by the capture's snap length still yields its TCP header when that was
 * captured: payload_len is then what was captured and wire_payload_len what the IP header says.
 */
#ifndef RA_NETPKT_H
#define RA_NETPKT_H

#include "ra/capfile.h"

#include <glib.h>

G_BEGIN_DECLS

/* TCP flags. */
#define RA_TCP_FIN 0x01
#define RA_TCP_SYN 0x02
#define RA_TCP_RST 0x04
#define RA_TCP_PSH 0x08
#define RA_TCP_ACK 0x10

typedef struct {
    guint8 family; /* 4 or 6 */
    guint8 bytes[16];
} RaIpAddress;

typedef struct {
    RaIpAddress src, dst;
    guint16 sport, dport;
    guint32 seq, ack;
    guint8 flags;
    const guint8 *payload;  /* into the frame */
    gsize payload_len;      /* captured payload bytes */
    gsize wire_payload_len; /* payload bytes the IP header announces (>= payload_len) */
} RaTcpSegment;

typedef enum {
    RA_NETPKT_TCP,         /* *seg is filled */
    RA_NETPKT_OTHER,       /* well formed, not TCP (ARP, UDP, ICMP...): nothing to do */
    RA_NETPKT_FRAGMENT,    /* an IP fragment: not reassembled (*why says so) */
    RA_NETPKT_MALFORMED,   /* *why says what is wrong */
    RA_NETPKT_UNSUPPORTED, /* a link type this code does not decode */
} RaNetpktResult;

/*
 * Decodes one frame. caplen bytes are at data; wire_len is the frame's length on the wire.
 * *why (static text) is set for FRAGMENT, MALFORMED and UNSUPPORTED.
 */
RaNetpktResult ra_netpkt_decode(RaLinkType link, const guint8 *data, gsize caplen, gsize wire_len,
                                RaTcpSegment *seg, const char **why);

/* "10.0.0.1" or "2001:db8::1" into buf (at least 46 bytes); returns buf. */
char *ra_ip_address_format(const RaIpAddress *a, char *buf, gsize size);
gboolean ra_ip_address_equal(const RaIpAddress *a, const RaIpAddress *b);
guint ra_ip_address_hash(const RaIpAddress *a);

G_END_DECLS

#endif
