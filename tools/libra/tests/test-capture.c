/*
 * Tests of ra/capture.h: the frames of a conversation - Ethernet, IPv4/IPv6 and TCP headers field
 * by field, checksums that verify, handshakes, sequence and acknowledgement numbers, segmentation
 * at the MSS, delayed ACKs, FIN teardown, virtual time - and the errors.
 */
#include "ra/capture.h"
#include "ra/bytes.h"
#include "ra/error.h"

#include <string.h>

typedef struct {
    gint64 time_ns;
    GBytes *data;
    gchar *comment;
} Frame;

static void frame_free(gpointer p)
{
    Frame *f = p;
    g_bytes_unref(f->data);
    g_free(f->comment);
    g_free(f);
}

static gboolean collect(const RaCaptureFrame *frame, gpointer user_data, GError **error)
{
    Frame *f = g_new0(Frame, 1);
    f->time_ns = frame->time_ns;
    f->data = g_bytes_new(frame->data, frame->len);
    f->comment = g_strdup(frame->comment);
    g_ptr_array_add(user_data, f);
    return TRUE;
}

/* The Internet checksum of data (written here, independently of capture.c): a header or segment
 * whose checksum is right sums to 0xffff. */
static guint32 ones_sum(guint32 sum, const guint8 *p, gsize len)
{
    for (gsize i = 0; i < len; i++)
        sum += (i % 2 == 0) ? (guint32)p[i] << 8 : p[i];
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* A decoded frame. */
typedef struct {
    gboolean ipv6;
    const guint8 *eth, *ip, *tcp, *payload;
    gsize payload_len;
    guint16 sport, dport;
    guint32 seq, ack;
    guint8 flags;
    guint16 window;
} Seg;

#define FIN 0x01
#define SYN 0x02
#define PSH 0x08
#define ACK 0x10

static Seg parse(const Frame *f)
{
    Seg s = {0};
    gsize len;
    const guint8 *d = g_bytes_get_data(f->data, &len);
    s.eth = d;
    guint16 type = ra_be16(d + 12);
    g_assert_true(type == 0x0800 || type == 0x86dd);
    s.ipv6 = type == 0x86dd;
    s.ip = d + 14;
    gsize ip_len = s.ipv6 ? 40 : 20, alen = s.ipv6 ? 16 : 4;
    const guint8 *src = s.ip + (s.ipv6 ? 8 : 12), *dst = src + alen;
    gsize tcp_total;
    if (s.ipv6) {
        g_assert_cmphex(ra_be32(s.ip), ==, 0x60000000);
        tcp_total = ra_be16(s.ip + 4);
        g_assert_cmpuint(s.ip[6], ==, 6);
        g_assert_cmpuint(s.ip[7], ==, 128);
    } else {
        g_assert_cmphex(s.ip[0], ==, 0x45);
        g_assert_cmpuint(ra_be16(s.ip + 2), ==, len - 14);
        g_assert_cmphex(ra_be16(s.ip + 6), ==, 0x4000); /* DF */
        g_assert_cmpuint(s.ip[8], ==, 128);
        g_assert_cmpuint(s.ip[9], ==, 6);
        g_assert_cmphex(ones_sum(0, s.ip, 20), ==, 0xffff);
        tcp_total = ra_be16(s.ip + 2) - 20;
    }
    g_assert_cmpuint(14 + ip_len + tcp_total, ==, len);
    /* The MACs end in the last byte of the IP addresses (00:00:5e:00:53:XX). */
    static const guint8 doc[5] = {0x00, 0x00, 0x5e, 0x00, 0x53};
    g_assert_true(memcmp(d, doc, 5) == 0 && memcmp(d + 6, doc, 5) == 0);
    g_assert_cmpuint(d[5], ==, dst[alen - 1]);
    g_assert_cmpuint(d[11], ==, src[alen - 1]);
    s.tcp = s.ip + ip_len;
    /* TCP checksum over the pseudo-header and the segment. */
    guint32 sum = ones_sum(0, src, alen);
    sum = ones_sum(sum, dst, alen);
    sum += 6 + (guint32)tcp_total;
    g_assert_cmphex(ones_sum(sum, s.tcp, tcp_total), ==, 0xffff);
    s.sport = ra_be16(s.tcp);
    s.dport = ra_be16(s.tcp + 2);
    s.seq = ra_be32(s.tcp + 4);
    s.ack = ra_be32(s.tcp + 8);
    gsize hlen = (gsize)(s.tcp[12] >> 4) * 4;
    s.flags = s.tcp[13];
    s.window = ra_be16(s.tcp + 14);
    s.payload = s.tcp + hlen;
    s.payload_len = tcp_total - hlen;
    return s;
}

static Seg seg(GPtrArray *frames, guint i)
{
    g_assert_cmpuint(i, <, frames->len);
    return parse(g_ptr_array_index(frames, i));
}

static void test_ipv4_conversation(void)
{
    GPtrArray *frames = g_ptr_array_new_with_free_func(frame_free);
    RaCaptureConfig config;
    ra_capture_config_init(&config);
    config.seed = "test";
    RaCapture *cap = ra_capture_new(&config, collect, frames);
    GError *error = NULL;
    guint conn = 99;
    g_assert_true(
        ra_capture_connect(cap, "192.0.2.20", 49750, "192.0.2.10", 135, "hello", &conn, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(conn, ==, 0);
    guint8 request[3000], reply[10];
    for (gsize i = 0; i < sizeof request; i++)
        request[i] = (guint8)i;
    memset(reply, 0xab, sizeof reply);
    g_assert_true(ra_capture_send(cap, conn, TRUE, request, sizeof request, "request", &error));
    g_assert_true(ra_capture_send(cap, conn, FALSE, reply, sizeof reply, "reply", &error));
    g_assert_true(ra_capture_close(cap, conn, TRUE, "bye", &error));
    g_assert_true(ra_capture_close(cap, conn, FALSE, NULL, &error));
    g_assert_true(ra_capture_finish(cap, &error));
    g_assert_no_error(error);

    /* SYN, SYN-ACK, ACK, 1460, 1460, ACK, 80 (PSH), reply (PSH), FIN, FIN, ACK */
    g_assert_cmpuint(frames->len, ==, 11);
    Seg syn = seg(frames, 0), synack = seg(frames, 1), ack = seg(frames, 2);
    g_assert_cmpuint(syn.flags, ==, SYN);
    g_assert_cmpuint(syn.sport, ==, 49750);
    g_assert_cmpuint(syn.dport, ==, 135);
    g_assert_cmpuint(syn.ack, ==, 0);
    g_assert_cmpuint(syn.window, ==, 64240);
    /* The options: MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted. */
    static const guint8 options[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
    g_assert_cmpuint(syn.tcp[12] >> 4, ==, 8);
    g_assert_true(memcmp(syn.tcp + 20, options, 12) == 0);
    g_assert_cmpuint(syn.payload_len, ==, 0);
    g_assert_cmpuint(synack.flags, ==, SYN | ACK);
    g_assert_cmpuint(synack.sport, ==, 135);
    g_assert_cmpuint(synack.ack, ==, syn.seq + 1);
    g_assert_true(memcmp(synack.tcp + 20, options, 12) == 0);
    g_assert_cmpuint(ack.flags, ==, ACK);
    g_assert_cmpuint(ack.seq, ==, syn.seq + 1);
    g_assert_cmpuint(ack.ack, ==, synack.seq + 1);
    guint32 c0 = syn.seq + 1, s0 = synack.seq + 1;

    Seg d1 = seg(frames, 3), d2 = seg(frames, 4), dack = seg(frames, 5), d3 = seg(frames, 6);
    g_assert_cmpuint(d1.flags, ==, ACK);
    g_assert_cmpuint(d1.payload_len, ==, 1460);
    g_assert_cmpuint(d1.seq, ==, c0);
    g_assert_cmpuint(d1.window, ==, 1026);
    g_assert_true(memcmp(d1.payload, request, 1460) == 0);
    g_assert_cmpuint(d2.seq, ==, c0 + 1460);
    g_assert_true(memcmp(d2.payload, request + 1460, 1460) == 0);
    /* The server acknowledges every second segment. */
    g_assert_cmpuint(dack.flags, ==, ACK);
    g_assert_cmpuint(dack.sport, ==, 135);
    g_assert_cmpuint(dack.payload_len, ==, 0);
    g_assert_cmpuint(dack.ack, ==, c0 + 2920);
    g_assert_cmpuint(d3.flags, ==, ACK | PSH);
    g_assert_cmpuint(d3.payload_len, ==, 80);
    g_assert_true(memcmp(d3.payload, request + 2920, 80) == 0);
    /* The reply carries the acknowledgement of the last segment. */
    Seg r = seg(frames, 7);
    g_assert_cmpuint(r.flags, ==, ACK | PSH);
    g_assert_cmpuint(r.seq, ==, s0);
    g_assert_cmpuint(r.ack, ==, c0 + 3000);
    g_assert_cmpuint(r.payload_len, ==, 10);
    /* Teardown: the client's FIN, the server's FIN acknowledging it, the last ACK. */
    Seg fin1 = seg(frames, 8), fin2 = seg(frames, 9), last = seg(frames, 10);
    g_assert_cmpuint(fin1.flags, ==, FIN | ACK);
    g_assert_cmpuint(fin1.seq, ==, c0 + 3000);
    g_assert_cmpuint(fin1.ack, ==, s0 + 10);
    g_assert_cmpuint(fin2.flags, ==, FIN | ACK);
    g_assert_cmpuint(fin2.seq, ==, s0 + 10);
    g_assert_cmpuint(fin2.ack, ==, c0 + 3001);
    g_assert_cmpuint(last.flags, ==, ACK);
    g_assert_cmpuint(last.seq, ==, c0 + 3001);
    g_assert_cmpuint(last.ack, ==, s0 + 11);

    /* IPv4 identifications count up per host. */
    Seg b1 = seg(frames, 2), b2 = seg(frames, 3);
    g_assert_cmpuint(ra_be16(b2.ip + 4), ==, (guint16)(ra_be16(b1.ip + 4) + 1));

    /* Comments on the first frame of each step; time goes by 50 us a frame. */
    const char *comments[11] = {"hello", NULL,    NULL,  "request", NULL, NULL,
                                NULL,    "reply", "bye", NULL,      NULL};
    for (guint i = 0; i < frames->len; i++) {
        const Frame *f = g_ptr_array_index(frames, i);
        g_assert_cmpstr(f->comment, ==, comments[i]);
        g_assert_cmpint(f->time_ns, ==, RA_CAPTURE_DEFAULT_START_NS + (gint64)i * 50000);
    }
    RaCaptureStats st;
    ra_capture_get_stats(cap, &st);
    g_assert_cmpuint(st.frames, ==, 11);
    g_assert_cmpuint(st.payload_bytes, ==, 3010);
    g_assert_cmpuint(st.connections, ==, 1);
    ra_capture_free(cap);
    g_ptr_array_unref(frames);
}

static void test_ipv6_and_half_close(void)
{
    GPtrArray *frames = g_ptr_array_new_with_free_func(frame_free);
    RaCapture *cap = ra_capture_new(NULL, collect, frames);
    GError *error = NULL;
    guint conn;
    g_assert_true(
        ra_capture_connect(cap, "2001:db8::20", 49750, "2001:db8::10", 135, NULL, &conn, &error));
    guint8 data[1000] = {0};
    g_assert_true(ra_capture_send(cap, conn, TRUE, data, sizeof data, NULL, &error));
    /* The server closes first (a fault, then close): the client acknowledges the FIN at once,
     * and closes later. */
    g_assert_true(ra_capture_close(cap, conn, FALSE, "server closes", &error));
    g_assert_true(ra_capture_advance(cap, 1000000000, &error));
    g_assert_true(ra_capture_close(cap, conn, TRUE, NULL, &error));
    g_assert_true(ra_capture_finish(cap, &error));
    g_assert_no_error(error);
    /* SYN, SYN-ACK, ACK, 1000, FIN(s), ACK(c), FIN(c), ACK(s) */
    g_assert_cmpuint(frames->len, ==, 8);
    Seg syn = seg(frames, 0);
    g_assert_true(syn.ipv6);
    g_assert_cmpuint(ra_be16(syn.tcp + 22), ==, 1440); /* the MSS option */
    g_assert_cmpuint(seg(frames, 3).payload_len, ==, 1000);
    Seg fin = seg(frames, 4), ack = seg(frames, 5), fin2 = seg(frames, 6), last = seg(frames, 7);
    g_assert_cmpuint(fin.flags, ==, FIN | ACK);
    g_assert_cmpuint(fin.sport, ==, 135);
    /* The FIN carries the acknowledgement the server owed for the data. */
    g_assert_cmpuint(fin.ack, ==, syn.seq + 1 + 1000);
    g_assert_cmpuint(ack.flags, ==, ACK);
    g_assert_cmpuint(ack.ack, ==, fin.seq + 1);
    g_assert_cmpuint(fin2.flags, ==, FIN | ACK);
    g_assert_cmpuint(last.flags, ==, ACK);
    g_assert_cmpuint(last.ack, ==, fin2.seq + 1);
    /* The client acknowledged the FIN before the pause. */
    const Frame *f5 = g_ptr_array_index(frames, 5), *f6 = g_ptr_array_index(frames, 6);
    g_assert_cmpint(f6->time_ns - f5->time_ns, ==, 1000000000 + 50000);
    ra_capture_free(cap);
    g_ptr_array_unref(frames);
}

/* The bytes of one small conversation. */
static GBytes *conversation(const char *seed)
{
    GPtrArray *frames = g_ptr_array_new_with_free_func(frame_free);
    RaCaptureConfig config;
    ra_capture_config_init(&config);
    config.seed = seed;
    RaCapture *cap = ra_capture_new(&config, collect, frames);
    guint conn;
    g_assert_true(
        ra_capture_connect(cap, "192.0.2.20", 49750, "192.0.2.10", 135, NULL, &conn, NULL));
    g_assert_true(ra_capture_send(cap, conn, TRUE, (const guint8 *)"abc", 3, NULL, NULL));
    g_assert_true(ra_capture_finish(cap, NULL));
    ra_capture_free(cap);
    GByteArray *all = g_byte_array_new();
    for (guint i = 0; i < frames->len; i++) {
        gsize n;
        const guint8 *d = g_bytes_get_data(((Frame *)g_ptr_array_index(frames, i))->data, &n);
        g_byte_array_append(all, d, (guint)n);
    }
    g_ptr_array_unref(frames);
    return g_byte_array_free_to_bytes(all);
}

static void test_repeatable(void)
{
    GBytes *a = conversation("one"), *b = conversation("one"), *c = conversation("two");
    g_assert_true(g_bytes_equal(a, b));
    g_assert_false(g_bytes_equal(a, c));
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_bytes_unref(c);
}

static gboolean failing_sink(const RaCaptureFrame *frame, gpointer data, GError **error)
{
    guint *left = data;
    if ((*left)-- == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "disk full");
        return FALSE;
    }
    return TRUE;
}

static void test_errors(void)
{
    guint left = 4;
    RaCapture *cap = ra_capture_new(NULL, failing_sink, &left);
    GError *error = NULL;
    guint conn;
    g_assert_false(ra_capture_connect(cap, "192.0.2.20", 1, "2001:db8::1", 2, NULL, &conn, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_false(ra_capture_connect(cap, "novice", 1, "192.0.2.1", 2, NULL, &conn, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_false(ra_capture_send(cap, 7, TRUE, (const guint8 *)"x", 1, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_true(ra_capture_connect(cap, "192.0.2.20", 1, "192.0.2.10", 2, NULL, &conn, &error));
    g_assert_true(ra_capture_close(cap, conn, TRUE, NULL, &error));
    g_assert_no_error(error);
    /* The fifth frame (the server's ACK of the FIN) fails in the sink: the error comes back. */
    g_assert_false(ra_capture_send(cap, conn, FALSE, (const guint8 *)"x", 1, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    g_assert_false(ra_capture_send(cap, conn, TRUE, (const guint8 *)"x", 1, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    g_assert_false(ra_capture_close(cap, conn, TRUE, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_PROTOCOL);
    g_clear_error(&error);
    ra_capture_free(cap);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/capture/ipv4-conversation", test_ipv4_conversation);
    g_test_add_func("/capture/ipv6-half-close", test_ipv6_and_half_close);
    g_test_add_func("/capture/repeatable", test_repeatable);
    g_test_add_func("/capture/errors", test_errors);
    return g_test_run();
}
