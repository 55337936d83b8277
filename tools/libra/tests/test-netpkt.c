/*
 * Unit tests of ra/netpkt.h: TCP segments out of every supported link layer (Ethernet with and
 * without VLAN tags and padding, raw IPv4/IPv6, loopback in both byte orders, Linux cooked v1/v2),
 * IPv6 extension headers, frames cut by a snap length, fragments, non-TCP traffic, and each
 * malformation refused with its reason.
 */
#include "ra/netpkt.h"

#include <string.h>

/* An IPv4/TCP packet 10.0.0.1:49700 -> 10.0.0.2:135, seq 1000, ack 2000, PSH|ACK, payload. */
static gsize ipv4_tcp(guint8 *out, const char *payload)
{
    gsize plen = strlen(payload);
    guint8 ip[20] = {0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    gsize total = 20 + 20 + plen;
    ip[2] = (guint8)(total >> 8);
    ip[3] = (guint8)total;
    guint8 tcp[20] = {0xc2, 0x24, 0x00, 0x87, 0,    0,    0x03, 0xe8, 0, 0,
                      0x07, 0xd0, 0x50, 0x18, 0xff, 0xff, 0,    0,    0, 0};
    memcpy(out, ip, 20);
    memcpy(out + 20, tcp, 20);
    memcpy(out + 40, payload, plen);
    return total;
}

/* The same as IPv6 2001:db8::1 -> 2001:db8::2 with a hop-by-hop header. */
static gsize ipv6_tcp(guint8 *out, const char *payload)
{
    gsize plen = strlen(payload);
    memset(out, 0, 48);
    out[0] = 0x60;
    gsize len = 8 + 20 + plen;
    out[4] = (guint8)(len >> 8);
    out[5] = (guint8)len;
    out[6] = 0; /* hop-by-hop */
    out[7] = 64;
    static const guint8 a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    memcpy(out + 8, a, 16);
    memcpy(out + 24, a, 16);
    out[39] = 2;
    out[40] = 6; /* next: TCP */
    out[41] = 0; /* 8 bytes */
    guint8 tcp[20] = {0xc2, 0x24, 0x00, 0x87, 0,    0,    0x03, 0xe8, 0, 0,
                      0x07, 0xd0, 0x50, 0x18, 0xff, 0xff, 0,    0,    0, 0};
    memcpy(out + 48, tcp, 20);
    memcpy(out + 68, payload, plen);
    return 68 + plen;
}

static void check_segment(const RaTcpSegment *s, int family, const char *payload)
{
    char buf[64];
    g_assert_cmpint(s->src.family, ==, family);
    g_assert_cmpstr(ra_ip_address_format(&s->src, buf, sizeof buf), ==,
                    family == 4 ? "10.0.0.1" : "2001:db8::1");
    g_assert_cmpstr(ra_ip_address_format(&s->dst, buf, sizeof buf), ==,
                    family == 4 ? "10.0.0.2" : "2001:db8::2");
    g_assert_cmpuint(s->sport, ==, 49700);
    g_assert_cmpuint(s->dport, ==, 135);
    g_assert_cmpuint(s->seq, ==, 1000);
    g_assert_cmpuint(s->ack, ==, 2000);
    g_assert_cmpuint(s->flags, ==, RA_TCP_PSH | RA_TCP_ACK);
    g_assert_cmpmem(s->payload, s->payload_len, payload, strlen(payload));
    g_assert_cmpuint(s->wire_payload_len, ==, strlen(payload));
}

static void test_links(void)
{
    guint8 frame[256];
    RaTcpSegment s;
    const char *why;
    static const guint8 mac[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

    /* Ethernet, padded to 60 bytes: the IP length decides. */
    memcpy(frame, mac, 12);
    frame[12] = 0x08;
    frame[13] = 0x00;
    gsize n = 14 + ipv4_tcp(frame + 14, "hi");
    memset(frame + n, 0xee, 60 - n);
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_ETHERNET, frame, 60, 60, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 4, "hi");

    /* Two VLAN tags. */
    memcpy(frame, mac, 12);
    static const guint8 tags[10] = {0x88, 0xa8, 0, 5, 0x81, 0x00, 0, 7, 0x08, 0x00};
    memcpy(frame + 12, tags, 10);
    n = 22 + ipv4_tcp(frame + 22, "vlan");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_ETHERNET, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 4, "vlan");

    /* Raw IP (both versions), raw IPv6 with a hop-by-hop header. */
    n = ipv4_tcp(frame, "raw4");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 4, "raw4");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP4, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    n = ipv6_tcp(frame, "raw6");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 6, "raw6");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP6, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);

    /* BSD loopback: AF_INET in little-endian; OpenBSD loopback: AF_INET6 (24) big-endian. */
    frame[0] = 2;
    frame[1] = frame[2] = frame[3] = 0;
    n = 4 + ipv4_tcp(frame + 4, "null");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_NULL, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 4, "null");
    frame[0] = frame[1] = frame[2] = 0;
    frame[3] = 24;
    n = 4 + ipv6_tcp(frame + 4, "loop");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_LOOP, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 6, "loop");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_NULL, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);

    /* Linux cooked v1 (protocol at 14) and v2 (protocol at 0). */
    memset(frame, 0, 20);
    frame[14] = 0x86;
    frame[15] = 0xdd;
    n = 16 + ipv6_tcp(frame + 16, "sll");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_SLL, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 6, "sll");
    memset(frame, 0, 20);
    frame[0] = 0x08;
    n = 20 + ipv4_tcp(frame + 20, "sll2");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_SLL2, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    check_segment(&s, 4, "sll2");

    g_assert_cmpint(ra_netpkt_decode(RA_LINK_OTHER, frame, n, n, &s, &why), ==,
                    RA_NETPKT_UNSUPPORTED);
    g_assert_nonnull(why);
}

static void test_snapped_and_others(void)
{
    guint8 frame[256];
    RaTcpSegment s;
    const char *why;
    /* Cut after 3 payload bytes: the header survives, the announced length stays. */
    gsize n = ipv4_tcp(frame, "0123456789");
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, 43, n, &s, &why), ==, RA_NETPKT_TCP);
    g_assert_cmpuint(s.payload_len, ==, 3);
    g_assert_cmpuint(s.wire_payload_len, ==, 10);
    /* Cut inside the TCP header. */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, 30, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    g_assert_cmpstr(why, ==, "TCP header cut short");
    /* UDP. */
    n = ipv4_tcp(frame, "x");
    frame[9] = 17;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==, RA_NETPKT_OTHER);
    /* A fragment (MF set). */
    frame[9] = 6;
    frame[6] = 0x20;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_FRAGMENT);
    frame[6] = 0x40; /* DF only: fine */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    /* IPv6 fragment header with an offset. */
    n = ipv6_tcp(frame, "frag");
    frame[6] = 44;
    frame[40] = 6;
    frame[42] = 0x01; /* offset 32 */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP6, frame, n, n, &s, &why), ==,
                    RA_NETPKT_FRAGMENT);
    frame[42] = 0; /* an atomic fragment (offset 0, M clear) is a whole packet */
    frame[43] = 0;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP6, frame, n, n, &s, &why), ==, RA_NETPKT_TCP);
    /* ARP on Ethernet. */
    memset(frame, 0, 64);
    frame[12] = 0x08;
    frame[13] = 0x06;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_ETHERNET, frame, 60, 60, &s, &why), ==,
                    RA_NETPKT_OTHER);
}

static void test_malformed(void)
{
    guint8 frame[256];
    RaTcpSegment s;
    const char *why;
    gsize n = ipv4_tcp(frame, "abc");
    struct {
        void (*mutate)(guint8 *f);
        gsize len;
        const char *why;
    } cases[] = {
        {NULL, 10, "IPv4 header cut short"},
        {NULL, 0, "empty IP packet"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, cases[i].len, n, &s, &why), ==,
                        RA_NETPKT_MALFORMED);
        g_assert_cmpstr(why, ==, cases[i].why);
    }
    frame[0] = 0x44; /* IHL 4 words */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    g_assert_cmpstr(why, ==, "IPv4 header length out of range");
    frame[0] = 0x45;
    frame[2] = 0;
    frame[3] = 10; /* total below the header */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    n = ipv4_tcp(frame, "abc");
    frame[32] = 0x20; /* TCP data offset 2 */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    g_assert_cmpstr(why, ==, "TCP data offset below 5 words");
    frame[32] = 0xf0; /* 60 bytes of header in a 23-byte segment */
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    g_assert_cmpstr(why, ==, "TCP header longer than the IP payload");
    frame[0] = 0x75;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    /* Five VLAN tags. */
    memset(frame, 0, 40);
    for (int i = 0; i < 5; i++) {
        frame[12 + 4 * i] = 0x81;
        frame[13 + 4 * i] = 0x00;
    }
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_ETHERNET, frame, 40, 40, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
    g_assert_cmpstr(why, ==, "more than four VLAN tags");
    /* An IPv6 extension header running past the packet. */
    n = ipv6_tcp(frame, "x");
    frame[41] = 200;
    g_assert_cmpint(ra_netpkt_decode(RA_LINK_RAW_IP6, frame, n, n, &s, &why), ==,
                    RA_NETPKT_MALFORMED);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/netpkt/links", test_links);
    g_test_add_func("/netpkt/snapped-and-others", test_snapped_and_others);
    g_test_add_func("/netpkt/malformed", test_malformed);
    return g_test_run();
}
