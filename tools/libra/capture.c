/*
 * TCP/IP framing for reference captures (see ra/capture.h).
 */
#include "ra/capture.h"
#include "ra/bytes.h"
#include "ra/crypto.h"
#include "ra/error.h"

#include <gio/gio.h>
#include <string.h>

#define ETH_HEADER   14
#define IPV4_HEADER  20
#define IPV6_HEADER  40
#define TCP_HEADER   20
#define SYN_OPTIONS  12 /* MSS (4), NOP, WS (3), NOP, NOP, SACK_PERM (2) */
#define MAX_FRAME    (ETH_HEADER + IPV6_HEADER + TCP_HEADER + SYN_OPTIONS + 65535)
#define ETHERTYPE_V4 0x0800
#define ETHERTYPE_V6 0x86dd
#define IPPROTO_TCP_ 6
#define TTL          128 /* Windows' default (and IPv6 hop limit) */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Windows 10/11: a SYN offers 64240 bytes; later segments advertise 1026 << 8 = 262656. */
#define SYN_WINDOW   64240
#define WINDOW       1026
#define WINDOW_SHIFT 8
#define CLIENT       0
#define SERVER       1

typedef struct {
    guint8 mac[6];
    guint8 addr[16]; /* 4 bytes used for IPv4 */
    guint16 port;
} Endpoint;

typedef struct {
    gboolean ipv6;
    Endpoint ep[2];
    guint32 nxt[2];      /* next sequence number each side sends */
    guint32 rcv[2];      /* next sequence number each side expects (what it has received) */
    guint unacked[2];    /* segments each side has received and not acknowledged */
    gboolean fin[2];     /* each side has sent FIN */
    gboolean fin_ack[2]; /* each side owes an ACK for the peer's FIN */
} Conn;

typedef struct {
    guint8 addr[16];
    gboolean ipv6;
    guint16 ipid;
} Host;

struct RaCapture {
    RaCaptureConfig config;
    gchar *seed;
    RaCaptureSink sink;
    gpointer user_data;
    gint64 now;
    GPtrArray *conns; /* Conn* */
    GPtrArray *hosts; /* Host* */
    guint8 *frame;
    RaCaptureStats stats;
};

void ra_capture_config_init(RaCaptureConfig *config)
{
    memset(config, 0, sizeof *config);
    config->start_ns = RA_CAPTURE_DEFAULT_START_NS;
    config->tick_ns = 50000;
    config->mss_ipv4 = 1460;
    config->mss_ipv6 = 1440;
    config->seed = "";
}

RaCapture *ra_capture_new(const RaCaptureConfig *config, RaCaptureSink sink, gpointer user_data)
{
    RaCapture *c = g_new0(RaCapture, 1);
    if (config != NULL)
        c->config = *config;
    else
        ra_capture_config_init(&c->config);
    if (c->config.mss_ipv4 == 0)
        c->config.mss_ipv4 = 1460;
    if (c->config.mss_ipv6 == 0)
        c->config.mss_ipv6 = 1440;
    c->seed = g_strdup(c->config.seed ? c->config.seed : "");
    c->config.seed = c->seed;
    c->sink = sink;
    c->user_data = user_data;
    c->now = c->config.start_ns;
    c->conns = g_ptr_array_new_with_free_func(g_free);
    c->hosts = g_ptr_array_new_with_free_func(g_free);
    c->frame = g_malloc(MAX_FRAME);
    return c;
}

void ra_capture_free(RaCapture *c)
{
    if (c == NULL)
        return;
    g_ptr_array_unref(c->conns);
    g_ptr_array_unref(c->hosts);
    g_free(c->frame);
    g_free(c->seed);
    g_free(c);
}

static gboolean flush_fin_acks(RaCapture *c, GError **error);

gboolean ra_capture_advance(RaCapture *c, guint64 ns, GError **error)
{
    if (!flush_fin_acks(c, error))
        return FALSE;
    c->now += (gint64)ns;
    return TRUE;
}

gint64 ra_capture_now(const RaCapture *c)
{
    return c->now;
}

void ra_capture_get_stats(const RaCapture *c, RaCaptureStats *stats)
{
    *stats = c->stats;
    stats->connections = c->conns->len;
}

/* 32 bits derived from the seed, a label and some bytes: SHA-256, first 4 bytes. */
static guint32 derive(const RaCapture *c, const char *label, const void *data, gsize len)
{
    RaBuf parts[3] = {{label, strlen(label) + 1}, {c->seed, strlen(c->seed) + 1}, {data, len}};
    guint8 digest[32];
    if (!ra_digestv(RA_DIGEST_SHA256, parts, 3, digest, NULL))
        return 0;
    return ra_be32(digest);
}

static Host *host_for(RaCapture *c, const guint8 *addr, gboolean ipv6)
{
    gsize n = ipv6 ? 16 : 4;
    for (guint i = 0; i < c->hosts->len; i++) {
        Host *h = g_ptr_array_index(c->hosts, i);
        if (h->ipv6 == ipv6 && memcmp(h->addr, addr, n) == 0)
            return h;
    }
    Host *h = g_new0(Host, 1);
    memcpy(h->addr, addr, n);
    h->ipv6 = ipv6;
    /* Windows keeps one identification counter per host; where it starts is arbitrary. */
    h->ipid = (guint16)derive(c, "ipid", addr, n);
    g_ptr_array_add(c->hosts, h);
    return h;
}

static gboolean parse_address(const char *text, guint8 *addr, gboolean *ipv6, GError **error)
{
    GInetAddress *a = text ? g_inet_address_new_from_string(text) : NULL;
    if (a == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "'%s' is not an IP address literal",
                    text ? text : "(null)");
        return FALSE;
    }
    *ipv6 = g_inet_address_get_family(a) == G_SOCKET_FAMILY_IPV6;
    memcpy(addr, g_inet_address_to_bytes(a), g_inet_address_get_native_size(a));
    g_object_unref(a);
    return TRUE;
}

/* RFC 1071 one's complement sum, folded; start with `sum` (for the pseudo-header). */
static guint32 sum16(guint32 sum, const guint8 *p, gsize len)
{
    for (gsize i = 0; i + 1 < len; i += 2)
        sum += (guint32)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (guint32)p[len - 1] << 8;
    return sum;
}

static guint16 fold(guint32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (guint16)~sum;
}

/* Builds and emits one TCP segment from side `from` of cn. */
static gboolean emit(RaCapture *c, Conn *cn, int from, guint8 flags, guint32 seq, guint32 ack,
                     const guint8 *payload, gsize len, const char *comment, GError **error)
{
    const Endpoint *src = &cn->ep[from], *dst = &cn->ep[1 - from];
    gboolean syn = (flags & TCP_SYN) != 0;
    gsize opt = syn ? SYN_OPTIONS : 0;
    gsize ip_len = cn->ipv6 ? IPV6_HEADER : IPV4_HEADER;
    gsize tcp_len = TCP_HEADER + opt + len;
    guint8 *f = c->frame;

    /* Ethernet II */
    memcpy(f, dst->mac, 6);
    memcpy(f + 6, src->mac, 6);
    ra_put_be16(f + 12, cn->ipv6 ? ETHERTYPE_V6 : ETHERTYPE_V4);
    guint8 *ip = f + ETH_HEADER;
    gsize alen = cn->ipv6 ? 16 : 4;
    if (cn->ipv6) {
        /* RFC 8200 3: version 6, traffic class 0, flow label 0 */
        ra_put_be32(ip, 0x60000000u);
        ra_put_be16(ip + 4, (guint16)tcp_len);
        ip[6] = IPPROTO_TCP_;
        ip[7] = TTL;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
    } else {
        /* RFC 791 3.1: IHL 5, DF, no fragments */
        Host *h = host_for(c, src->addr, FALSE);
        ip[0] = 0x45;
        ip[1] = 0;
        ra_put_be16(ip + 2, (guint16)(IPV4_HEADER + tcp_len));
        ra_put_be16(ip + 4, h->ipid++);
        ra_put_be16(ip + 6, 0x4000);
        ip[8] = TTL;
        ip[9] = IPPROTO_TCP_;
        ra_put_be16(ip + 10, 0);
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        ra_put_be16(ip + 10, fold(sum16(0, ip, IPV4_HEADER)));
    }

    /* RFC 9293 3.1 */
    guint8 *t = ip + ip_len;
    ra_put_be16(t, src->port);
    ra_put_be16(t + 2, dst->port);
    ra_put_be32(t + 4, seq);
    ra_put_be32(t + 8, (flags & TCP_ACK) ? ack : 0);
    t[12] = (guint8)(((TCP_HEADER + opt) / 4) << 4);
    t[13] = flags;
    ra_put_be16(t + 14, syn ? (from == CLIENT ? SYN_WINDOW : 65535) : WINDOW);
    ra_put_be16(t + 16, 0);
    ra_put_be16(t + 18, 0);
    if (syn) {
        guint16 mss = cn->ipv6 ? c->config.mss_ipv6 : c->config.mss_ipv4;
        guint8 *o = t + TCP_HEADER;
        o[0] = 2; /* MSS */
        o[1] = 4;
        ra_put_be16(o + 2, mss);
        o[4] = 1; /* NOP */
        o[5] = 3; /* window scale */
        o[6] = 3;
        o[7] = WINDOW_SHIFT;
        o[8] = 1;
        o[9] = 1;
        o[10] = 4; /* SACK permitted */
        o[11] = 2;
    }
    if (len > 0)
        memcpy(t + TCP_HEADER + opt, payload, len);
    /* The pseudo-header: addresses, protocol, TCP length (RFC 9293 3.1, RFC 8200 8.1). */
    guint32 sum = sum16(0, src->addr, alen);
    sum = sum16(sum, dst->addr, alen);
    sum += IPPROTO_TCP_;
    sum += (guint32)tcp_len;
    ra_put_be16(t + 16, fold(sum16(sum, t, tcp_len)));

    RaCaptureFrame frame = {c->now, f, ETH_HEADER + ip_len + tcp_len, comment};
    c->now += c->config.tick_ns;
    c->stats.frames++;
    c->stats.bytes += frame.len;
    c->stats.payload_bytes += len;
    return c->sink(&frame, c->user_data, error);
}

/* A pure ACK from side `from` for everything it has received. */
static gboolean send_ack(RaCapture *c, Conn *cn, int from, GError **error)
{
    cn->unacked[from] = 0;
    cn->fin_ack[from] = FALSE;
    return emit(c, cn, from, TCP_ACK, cn->nxt[from], cn->rcv[from], NULL, 0, NULL, error);
}

/* The acknowledgement of a FIN is not delayed: it goes before anything else happens. */
static gboolean flush_fin_acks(RaCapture *c, GError **error)
{
    for (guint i = 0; i < c->conns->len; i++) {
        Conn *cn = g_ptr_array_index(c->conns, i);
        for (int s = 0; s < 2; s++) {
            if (cn->fin_ack[s] && !send_ack(c, cn, s, error))
                return FALSE;
        }
    }
    return TRUE;
}

static Conn *get_conn(RaCapture *c, guint conn, GError **error)
{
    if (conn >= c->conns->len) {
        g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND, "no connection %u in the capture", conn);
        return NULL;
    }
    return g_ptr_array_index(c->conns, conn);
}

gboolean ra_capture_connect(RaCapture *c, const char *client_address, guint16 client_port,
                            const char *server_address, guint16 server_port, const char *comment,
                            guint *conn, GError **error)
{
    Conn tmp = {0};
    gboolean v6c, v6s;
    if (!parse_address(client_address, tmp.ep[CLIENT].addr, &v6c, error) ||
        !parse_address(server_address, tmp.ep[SERVER].addr, &v6s, error))
        return FALSE;
    if (v6c != v6s) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "%s and %s are not of the same address family", client_address, server_address);
        return FALSE;
    }
    if (!flush_fin_acks(c, error))
        return FALSE;
    tmp.ipv6 = v6c;
    tmp.ep[CLIENT].port = client_port;
    tmp.ep[SERVER].port = server_port;
    gsize alen = tmp.ipv6 ? 16 : 4;
    for (int s = 0; s < 2; s++) {
        static const guint8 doc_mac[5] = {0x00, 0x00, 0x5e, 0x00, 0x53};
        memcpy(tmp.ep[s].mac, doc_mac, 5);
        tmp.ep[s].mac[5] = tmp.ep[s].addr[alen - 1];
    }
    /* Initial sequence numbers: arbitrary but repeatable (RFC 9293 3.4.1 wants them hard to
     * guess on a live network; a reference capture wants them fixed). */
    guint8 tuple[2 * 18];
    for (int s = 0; s < 2; s++) {
        memcpy(tuple + 18 * s, tmp.ep[s].addr, 16);
        ra_put_be16(tuple + 18 * s + 16, tmp.ep[s].port);
    }
    guint32 isn_c = derive(c, "isn-client", tuple, sizeof tuple);
    guint32 isn_s = derive(c, "isn-server", tuple, sizeof tuple);
    Conn *cn = g_memdup2(&tmp, sizeof tmp);
    g_ptr_array_add(c->conns, cn);
    *conn = c->conns->len - 1;
    /* RFC 9293 3.5: the three-way handshake */
    cn->nxt[CLIENT] = isn_c + 1;
    cn->nxt[SERVER] = isn_s + 1;
    cn->rcv[SERVER] = isn_c + 1;
    cn->rcv[CLIENT] = isn_s + 1;
    return emit(c, cn, CLIENT, TCP_SYN, isn_c, 0, NULL, 0, comment, error) &&
           emit(c, cn, SERVER, TCP_SYN | TCP_ACK, isn_s, isn_c + 1, NULL, 0, NULL, error) &&
           emit(c, cn, CLIENT, TCP_ACK, isn_c + 1, isn_s + 1, NULL, 0, NULL, error);
}

gboolean ra_capture_send(RaCapture *c, guint conn, gboolean from_client, const guint8 *data,
                         gsize len, const char *comment, GError **error)
{
    Conn *cn = get_conn(c, conn, error);
    if (cn == NULL)
        return FALSE;
    int s = from_client ? CLIENT : SERVER, p = 1 - s;
    if (cn->fin[s]) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "connection %u: the %s has closed and cannot send", conn,
                    from_client ? "client" : "server");
        return FALSE;
    }
    if (len == 0)
        return TRUE;
    if (!flush_fin_acks(c, error))
        return FALSE;
    gsize mss = cn->ipv6 ? c->config.mss_ipv6 : c->config.mss_ipv4;
    for (gsize off = 0; off < len; off += mss) {
        gsize n = MIN(mss, len - off);
        guint8 flags = TCP_ACK | (off + n == len ? TCP_PSH : 0);
        if (!emit(c, cn, s, flags, cn->nxt[s], cn->rcv[s], data + off, n, off == 0 ? comment : NULL,
                  error))
            return FALSE;
        /* This segment acknowledged all the sender had received. */
        cn->unacked[s] = 0;
        cn->nxt[s] += (guint32)n;
        cn->rcv[p] += (guint32)n;
        /* RFC 9293 3.8.6.3 (RFC 1122 4.2.3.2): an ACK at least every second full segment. */
        if (++cn->unacked[p] >= 2 && !send_ack(c, cn, p, error))
            return FALSE;
    }
    return TRUE;
}

gboolean ra_capture_close(RaCapture *c, guint conn, gboolean from_client, const char *comment,
                          GError **error)
{
    Conn *cn = get_conn(c, conn, error);
    if (cn == NULL)
        return FALSE;
    int s = from_client ? CLIENT : SERVER, p = 1 - s;
    if (cn->fin[s]) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "connection %u: the %s closed twice", conn,
                    from_client ? "client" : "server");
        return FALSE;
    }
    /* Closing at once after the peer, our FIN carries the acknowledgement of its FIN. */
    cn->fin_ack[s] = FALSE;
    if (!flush_fin_acks(c, error))
        return FALSE;
    if (!emit(c, cn, s, TCP_FIN | TCP_ACK, cn->nxt[s], cn->rcv[s], NULL, 0, comment, error))
        return FALSE;
    cn->fin[s] = TRUE;
    cn->unacked[s] = 0;
    cn->nxt[s] += 1;
    cn->rcv[p] += 1;
    cn->fin_ack[p] = TRUE;
    /* When both have closed, the last FIN's acknowledgement ends the connection at once. */
    if (cn->fin[p])
        return send_ack(c, cn, p, error);
    return TRUE;
}

gboolean ra_capture_finish(RaCapture *c, GError **error)
{
    if (!flush_fin_acks(c, error))
        return FALSE;
    for (guint i = 0; i < c->conns->len; i++) {
        Conn *cn = g_ptr_array_index(c->conns, i);
        for (int s = 0; s < 2; s++) {
            if (cn->unacked[s] > 0 && !cn->fin[1 - s] && !send_ack(c, cn, s, error))
                return FALSE;
        }
    }
    return TRUE;
}
