/*
 * capgen: makes test and benchmark captures out of reference captures, through ra/capfile.h.
 *
 *   capgen rewrite IN OUT [--map-ip OLD=NEW]... [--time-shift SECONDS]
 *       the same packets with addresses replaced and timestamps shifted; IPv4 and TCP checksums
 *       recomputed.
 *   capgen edit IN OUT [--drop N]... [--dup N]... [--swap N]...
 *       drops packet N, writes packet N twice (a retransmission), or swaps packets N and N+1
 *       (reordering) - numbers as in IN.
 *   capgen repeat IN OUT --bytes N [--gap SECONDS] [--vary-ip ADDR]... [--pcap]
 *       copies IN one after another (each copy shifted in time by the capture's span plus the
 *       gap, default 1 s) until OUT holds N bytes of packets; streams, in constant memory but for
 *       IN itself (held once). --vary-ip gives ADDR another address in each copy (an IPv4 one
 *       becomes 10.x.y.z, an IPv6 one gets the copy's number as its last 32 bits), so that the
 *       copies are distinct TCP conversations (tshark keeps state per conversation). Prints the
 *       copies, packets and bytes written.
 *
 *   capgen frames IN OUT
 *       writes IN's packets in the raw form of tools/fuzz/fuzz-analyze.c ('R', then for each
 *       packet a big-endian u16 length, a RaLinkType byte and the bytes): fuzz seeds.
 *
 * Ethernet frames with IPv4 or IPv6 and TCP are rewritten; others are copied as they are.
 * Output is pcapng (repeat --pcap: pcap). Exit status 0, 1 for unreadable input, 2 for usage.
 */
#include "ra/capfile.h"
#include "ra/bytes.h"
#include "ra/netpkt.h"

#include <gio/gio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    gint64 sec;
    guint32 nsec;
    RaLinkType link;
    GBytes *data;
    gchar *comment;
} Packet;

static void packet_free(gpointer p)
{
    Packet *k = p;
    g_bytes_unref(k->data);
    g_free(k->comment);
    g_free(k);
}

static GPtrArray *read_all(const char *path)
{
    GError *error = NULL;
    RaCapReader *r = ra_cap_reader_open(path, &error);
    if (r == NULL) {
        fprintf(stderr, "capgen: %s\n", error->message);
        exit(1);
    }
    GPtrArray *all = g_ptr_array_new_with_free_func(packet_free);
    RaCapPacket p;
    while (ra_cap_reader_next(r, &p, &error)) {
        Packet *k = g_new0(Packet, 1);
        k->sec = p.ts_sec;
        k->nsec = p.ts_nsec;
        k->link = p.link;
        k->data = g_bytes_new(p.data, p.caplen);
        k->comment = g_strdup(p.comment);
        g_ptr_array_add(all, k);
    }
    if (error != NULL) {
        fprintf(stderr, "capgen: %s: %s\n", path, error->message);
        exit(1);
    }
    ra_cap_reader_free(r);
    return all;
}

static RaCapWriter *open_out(const char *path, RaLinkType link, RaCapFormat format)
{
    GError *error = NULL;
    RaCapWriter *w = ra_cap_writer_open(path, format, link, &error);
    if (w == NULL) {
        fprintf(stderr, "capgen: %s\n", error->message);
        exit(1);
    }
    return w;
}

static void put(RaCapWriter *w, const Packet *k, gint64 sec, guint32 nsec, const guint8 *data,
                gsize len)
{
    GError *error = NULL;
    if (!ra_cap_writer_write(w, sec, nsec, data, len, k->comment, &error)) {
        fprintf(stderr, "capgen: %s\n", error->message);
        exit(1);
    }
}

static void close_out(RaCapWriter *w)
{
    GError *error = NULL;
    if (!ra_cap_writer_close(w, &error)) {
        fprintf(stderr, "capgen: %s\n", error->message);
        exit(1);
    }
}

/* ---- rewriting Ethernet/IP/TCP ---- */

static guint32 sum16(const guint8 *p, gsize n, guint32 acc)
{
    for (gsize i = 0; i + 1 < n; i += 2)
        acc += (guint32)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (guint32)(p[n - 1] << 8);
    return acc;
}

static guint16 fold(guint32 acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (guint16)~acc;
}

typedef struct {
    GPtrArray *from, *to; /* RaIpAddress* */
    gint64 shift_ns;
} Rewrite;

static gboolean parse_ip(const char *text, RaIpAddress *a)
{
    GInetAddress *g = g_inet_address_new_from_string(text);
    if (g == NULL)
        return FALSE;
    memset(a, 0, sizeof *a);
    a->family = g_inet_address_get_family(g) == G_SOCKET_FAMILY_IPV4 ? 4 : 6;
    memcpy(a->bytes, g_inet_address_to_bytes(g), a->family == 4 ? 4 : 16);
    g_object_unref(g);
    return TRUE;
}

static void map_addr(const Rewrite *rw, guint8 *where, int family)
{
    for (guint i = 0; i < rw->from->len; i++) {
        const RaIpAddress *f = g_ptr_array_index(rw->from, i);
        const RaIpAddress *t = g_ptr_array_index(rw->to, i);
        gsize n = family == 4 ? 4 : 16;
        if (f->family == family && memcmp(f->bytes, where, n) == 0) {
            memcpy(where, t->bytes, n);
            return;
        }
    }
}

/* Rewrites an Ethernet frame in place (IPv4/IPv6 + TCP only). */
static void rewrite_frame(const Rewrite *rw, guint8 *f, gsize len)
{
    if (len < 14)
        return;
    guint16 type = ra_be16(f + 12);
    guint8 *ip = f + 14;
    gsize iplen = len - 14;
    guint8 *tcp;
    gsize tcplen;
    if (type == 0x0800 && iplen >= 20 && (ip[0] >> 4) == 4) {
        gsize ihl = (gsize)(ip[0] & 15) * 4;
        gsize total = ra_be16(ip + 2);
        if (ihl < 20 || total > iplen || total < ihl)
            return;
        map_addr(rw, ip + 12, 4);
        map_addr(rw, ip + 16, 4);
        ip[10] = ip[11] = 0;
        ra_put_be16(ip + 10, fold(sum16(ip, ihl, 0)));
        if (ip[9] != 6)
            return;
        tcp = ip + ihl;
        tcplen = total - ihl;
        if (tcplen < 20)
            return;
        guint32 acc = sum16(ip + 12, 8, 0) + 6 + (guint32)tcplen;
        tcp[16] = tcp[17] = 0;
        ra_put_be16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
    } else if (type == 0x86dd && iplen >= 40 && (ip[0] >> 4) == 6) {
        gsize plen = ra_be16(ip + 4);
        if (40 + plen > iplen || ip[6] != 6)
            return;
        map_addr(rw, ip + 8, 6);
        map_addr(rw, ip + 24, 6);
        tcp = ip + 40;
        tcplen = plen;
        if (tcplen < 20)
            return;
        guint32 acc = sum16(ip + 8, 32, 0) + 6 + (guint32)tcplen;
        tcp[16] = tcp[17] = 0;
        ra_put_be16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
    }
}

static void shifted(gint64 sec, guint32 nsec, gint64 shift_ns, gint64 *osec, guint32 *onsec)
{
    gint64 t = sec * G_GINT64_CONSTANT(1000000000) + nsec + shift_ns;
    *osec = t / G_GINT64_CONSTANT(1000000000);
    *onsec = (guint32)(t % G_GINT64_CONSTANT(1000000000));
}

static int cmd_rewrite(int argc, char **argv)
{
    gchar **maps = NULL;
    gdouble shift = 0;
    GOptionEntry entries[] = {
        {"map-ip", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps, "Replace address OLD by NEW", "OLD=NEW"},
        {"time-shift", 0, 0, G_OPTION_ARG_DOUBLE, &shift, "Shift timestamps", "SECONDS"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("IN OUT");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 3) {
        fprintf(stderr, "capgen rewrite: %s\n", error ? error->message : "IN OUT needed");
        return 2;
    }
    g_option_context_free(ctx);
    Rewrite rw = {g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
                  (gint64)(shift * 1e9)};
    for (guint i = 0; maps && maps[i]; i++) {
        gchar **kv = g_strsplit(maps[i], "=", 2);
        RaIpAddress *a = g_new0(RaIpAddress, 1), *b = g_new0(RaIpAddress, 1);
        if (g_strv_length(kv) != 2 || !parse_ip(kv[0], a) || !parse_ip(kv[1], b) ||
            a->family != b->family) {
            fprintf(stderr, "capgen rewrite: --map-ip %s: OLD=NEW, two addresses of one family\n",
                    maps[i]);
            return 2;
        }
        g_ptr_array_add(rw.from, a);
        g_ptr_array_add(rw.to, b);
        g_strfreev(kv);
    }
    GPtrArray *all = read_all(argv[1]);
    RaCapWriter *w = open_out(
        argv[2], all->len ? ((Packet *)all->pdata[0])->link : RA_LINK_ETHERNET, RA_CAP_PCAPNG);
    for (guint i = 0; i < all->len; i++) {
        Packet *k = g_ptr_array_index(all, i);
        gsize len;
        const guint8 *src = g_bytes_get_data(k->data, &len);
        guint8 *d = g_memdup2(src, len);
        if (k->link == RA_LINK_ETHERNET)
            rewrite_frame(&rw, d, len);
        gint64 sec;
        guint32 nsec;
        shifted(k->sec, k->nsec, rw.shift_ns, &sec, &nsec);
        put(w, k, sec, nsec, d, len);
        g_free(d);
    }
    close_out(w);
    g_ptr_array_unref(all);
    g_strfreev(maps);
    return 0;
}

static gboolean in_list(GArray *a, guint n)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, guint, i) == n)
            return TRUE;
    return FALSE;
}

static int cmd_edit(int argc, char **argv)
{
    gchar **drops = NULL, **dups = NULL, **swaps = NULL;
    GOptionEntry entries[] = {
        {"drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &drops, "Drop packet N", "N"},
        {"dup", 0, 0, G_OPTION_ARG_STRING_ARRAY, &dups, "Write packet N twice", "N"},
        {"swap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &swaps, "Swap packets N and N+1", "N"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("IN OUT");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 3) {
        fprintf(stderr, "capgen edit: %s\n", error ? error->message : "IN OUT needed");
        return 2;
    }
    g_option_context_free(ctx);
    GArray *drop = g_array_new(FALSE, FALSE, sizeof(guint));
    GArray *dup = g_array_new(FALSE, FALSE, sizeof(guint));
    GArray *swap = g_array_new(FALSE, FALSE, sizeof(guint));
    gchar **lists[3] = {drops, dups, swaps};
    GArray *arrays[3] = {drop, dup, swap};
    for (int l = 0; l < 3; l++)
        for (guint i = 0; lists[l] && lists[l][i]; i++) {
            guint n = (guint)strtoul(lists[l][i], NULL, 10);
            g_array_append_val(arrays[l], n);
        }
    GPtrArray *all = read_all(argv[1]);
    /* Swaps first (numbers as in IN), then drops and duplicates. */
    GPtrArray *order = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++)
        g_ptr_array_add(order, GUINT_TO_POINTER(i + 1));
    for (guint i = 0; i < swap->len; i++) {
        guint n = g_array_index(swap, guint, i);
        if (n >= 1 && n < all->len) {
            gpointer t = order->pdata[n - 1];
            order->pdata[n - 1] = order->pdata[n];
            order->pdata[n] = t;
        }
    }
    RaCapWriter *w = open_out(
        argv[2], all->len ? ((Packet *)all->pdata[0])->link : RA_LINK_ETHERNET, RA_CAP_PCAPNG);
    for (guint i = 0; i < order->len; i++) {
        guint n = GPOINTER_TO_UINT(order->pdata[i]);
        Packet *k = g_ptr_array_index(all, n - 1);
        if (in_list(drop, n))
            continue;
        /* Keep timestamps non-decreasing in file order: a moved packet takes its slot's time. */
        Packet *slot = g_ptr_array_index(all, i);
        gsize len;
        const guint8 *d = g_bytes_get_data(k->data, &len);
        put(w, k, slot->sec, slot->nsec, d, len);
        if (in_list(dup, n))
            put(w, k, slot->sec, slot->nsec + 1 < 1000000000 ? slot->nsec + 1 : slot->nsec, d, len);
    }
    close_out(w);
    g_ptr_array_unref(order);
    g_ptr_array_unref(all);
    g_array_unref(drop);
    g_array_unref(dup);
    g_array_unref(swap);
    g_strfreev(drops);
    g_strfreev(dups);
    g_strfreev(swaps);
    return 0;
}

static int cmd_repeat(int argc, char **argv)
{
    gint64 bytes = 0;
    gdouble gap = 1.0;
    gboolean pcap = FALSE;
    gchar **vary = NULL;
    GOptionEntry entries[] = {
        {"bytes", 0, 0, G_OPTION_ARG_INT64, &bytes, "Stop at this many bytes of packets", "N"},
        {"vary-ip", 0, 0, G_OPTION_ARG_STRING_ARRAY, &vary,
         "Give this address another value in each copy", "ADDR"},
        {"gap", 0, 0, G_OPTION_ARG_DOUBLE, &gap, "Seconds between copies", "SECONDS"},
        {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "Write pcap rather than pcapng", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("IN OUT");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 3 || bytes <= 0) {
        fprintf(stderr, "capgen repeat: %s\n", error ? error->message : "IN OUT --bytes N needed");
        return 2;
    }
    g_option_context_free(ctx);
    GPtrArray *all = read_all(argv[1]);
    if (all->len == 0) {
        fprintf(stderr, "capgen repeat: %s has no packets\n", argv[1]);
        return 1;
    }
    Rewrite rw = {g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
                  0};
    for (guint i = 0; vary && vary[i]; i++) {
        RaIpAddress *a = g_new0(RaIpAddress, 1);
        if (!parse_ip(vary[i], a)) {
            fprintf(stderr, "capgen repeat: --vary-ip %s: not an address\n", vary[i]);
            return 2;
        }
        g_ptr_array_add(rw.from, a);
        g_ptr_array_add(rw.to, g_memdup2(a, sizeof *a));
    }
    const Packet *first = all->pdata[0], *last = all->pdata[all->len - 1];
    gint64 span = (last->sec - first->sec) * G_GINT64_CONSTANT(1000000000) + last->nsec -
                  first->nsec + (gint64)(gap * 1e9);
    RaCapWriter *w = open_out(argv[2], first->link, pcap ? RA_CAP_PCAP : RA_CAP_PCAPNG);
    gint64 written = 0;
    guint64 copies = 0, packets = 0;
    while (written < bytes) {
        guint32 n = (guint32)(copies + 1);
        for (guint v = 0; v < rw.to->len; v++) {
            RaIpAddress *t = g_ptr_array_index(rw.to, v);
            guint8 *b = t->family == 4 ? t->bytes : t->bytes + 12;
            if (t->family == 4)
                b[0] = 10; /* 10.x.y.z: the copy's number in the low 24 bits */
            else
                b[0] = (guint8)(n >> 24);
            b[1] = (guint8)(n >> 16);
            b[2] = (guint8)(n >> 8);
            b[3] = (guint8)n;
        }
        for (guint i = 0; i < all->len; i++) {
            Packet *k = g_ptr_array_index(all, i);
            gint64 sec;
            guint32 nsec;
            shifted(k->sec, k->nsec, (gint64)copies * span, &sec, &nsec);
            gsize len;
            const guint8 *src = g_bytes_get_data(k->data, &len);
            guint8 *d = rw.from->len && k->link == RA_LINK_ETHERNET ? g_memdup2(src, len) : NULL;
            if (d != NULL)
                rewrite_frame(&rw, d, len);
            put(w, k, sec, nsec, d ? d : src, len);
            g_free(d);
            written += (gint64)len;
            packets++;
        }
        copies++;
    }
    close_out(w);
    g_ptr_array_unref(rw.from);
    g_ptr_array_unref(rw.to);
    g_strfreev(vary);
    printf("%" G_GUINT64_FORMAT " copies, %" G_GUINT64_FORMAT " packets, %" G_GINT64_FORMAT
           " bytes of packets\n",
           copies, packets, written);
    g_ptr_array_unref(all);
    return 0;
}

static int cmd_frames(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "capgen frames: IN OUT needed\n");
        return 2;
    }
    GPtrArray *all = read_all(argv[1]);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, (const guint8 *)"R", 1);
    for (guint i = 0; i < all->len; i++) {
        Packet *k = g_ptr_array_index(all, i);
        gsize len;
        const guint8 *d = g_bytes_get_data(k->data, &len);
        if (len > 0xffff)
            continue;
        guint8 head[3] = {(guint8)(len >> 8), (guint8)len, (guint8)k->link};
        g_byte_array_append(out, head, 3);
        g_byte_array_append(out, d, (guint)len);
    }
    GError *error = NULL;
    if (!g_file_set_contents(argv[2], (const gchar *)out->data, out->len, &error)) {
        fprintf(stderr, "capgen frames: %s\n", error->message);
        return 1;
    }
    g_byte_array_unref(out);
    g_ptr_array_unref(all);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: capgen rewrite|edit|repeat|frames IN OUT [OPTIONS]\n");
        return 2;
    }
    if (strcmp(argv[1], "rewrite") == 0)
        return cmd_rewrite(argc - 1, argv + 1);
    if (strcmp(argv[1], "edit") == 0)
        return cmd_edit(argc - 1, argv + 1);
    if (strcmp(argv[1], "repeat") == 0)
        return cmd_repeat(argc - 1, argv + 1);
    if (strcmp(argv[1], "frames") == 0)
        return cmd_frames(argc - 1, argv + 1);
    fprintf(stderr, "capgen: unknown command %s\n", argv[1]);
    return 2;
}
