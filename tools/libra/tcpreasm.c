/*
 * TCP reassembly of one direction (see ra/tcpreasm.h).
 */
#include "ra/tcpreasm.h"

#include <string.h>

typedef struct {
    guint32 seq;
    guint32 len; /* on the wire */
    guint32 cap; /* captured: data[0..cap) */
    gboolean fin;
    guint8 data[];
} Seg;

struct RaTcpDir {
    RaTcpDirFuncs f;
    gpointer user;
    gsize max_queued;
    gboolean started, syn, has_fin, finished;
    guint32 next;    /* the next byte to deliver */
    guint32 fin_seq; /* the sequence number of the FIN */
    gboolean has_acked;
    guint32 acked;
    GQueue queue; /* Seg*, by seq */
    gsize queued;
    RaTcpDirStats stats;
};

/* a - b in the sequence space (RFC 9293 3.4: comparisons modulo 2^32). */
static gint32 diff(guint32 a, guint32 b)
{
    return (gint32)(a - b);
}

RaTcpDir *ra_tcp_dir_new(gsize max_queued, const RaTcpDirFuncs *funcs, gpointer user_data)
{
    RaTcpDir *d = g_new0(RaTcpDir, 1);
    d->f = *funcs;
    d->user = user_data;
    d->max_queued = max_queued ? max_queued : 1024 * 1024;
    g_queue_init(&d->queue);
    return d;
}

void ra_tcp_dir_free(RaTcpDir *d)
{
    if (d == NULL)
        return;
    g_queue_clear_full(&d->queue, g_free);
    g_free(d);
}

void ra_tcp_dir_syn(RaTcpDir *d, guint32 isn)
{
    if (d->started)
        return; /* a SYN retransmitted, or seen after data: the stream is placed already */
    d->started = TRUE;
    d->syn = TRUE;
    d->next = isn + 1;
}

static void gap(RaTcpDir *d, guint32 missing)
{
    if (missing == 0)
        return;
    d->stats.gaps++;
    d->stats.gap_bytes += missing;
    if (d->f.gap)
        d->f.gap(missing, d->user);
}

static void check_fin(RaTcpDir *d)
{
    if (d->has_fin && !d->finished && diff(d->next, d->fin_seq) >= 0)
        d->finished = TRUE;
}

/* Delivers the part of [seq, seq + len) at or after d->next, of which the first cap bytes were
 * captured (data). Requires seq <= d->next. */
static void deliver(RaTcpDir *d, guint32 seq, const guint8 *data, guint32 cap, guint32 len)
{
    guint32 skip = (guint32)diff(d->next, seq);
    if (skip >= len) {
        d->stats.retransmissions++;
        d->stats.retransmitted_bytes += len;
        return;
    }
    d->stats.retransmitted_bytes += skip;
    if (skip < cap) {
        guint32 n = cap - skip;
        d->next += n;
        d->stats.bytes += n;
        if (d->f.data)
            d->f.data(data + skip, n, d->user);
        skip = cap;
    }
    /* The rest of the segment was not captured (snap length). */
    guint32 missing = len - skip;
    d->next += missing;
    gap(d, missing);
}

/* Delivers queued segments that have become contiguous. */
static void drain(RaTcpDir *d)
{
    Seg *s;
    while ((s = g_queue_peek_head(&d->queue)) != NULL && diff(s->seq, d->next) <= 0) {
        g_queue_pop_head(&d->queue);
        d->queued -= s->cap;
        deliver(d, s->seq, s->data, s->cap, s->len);
        g_free(s);
    }
    check_fin(d);
}

/* Gives up the hole before the first queued segment. */
static void skip_hole(RaTcpDir *d)
{
    Seg *s = g_queue_peek_head(&d->queue);
    if (s == NULL)
        return;
    gint32 missing = diff(s->seq, d->next);
    if (missing > 0) {
        d->next = s->seq;
        gap(d, (guint32)missing);
    }
    drain(d);
}

/* Holes the peer has acknowledged past will not be filled. */
static void check_acked(RaTcpDir *d)
{
    Seg *s;
    while (d->has_acked && (s = g_queue_peek_head(&d->queue)) != NULL &&
           diff(d->acked, s->seq) >= 0 && diff(s->seq, d->next) > 0)
        skip_hole(d);
}

static void enqueue(RaTcpDir *d, guint32 seq, const guint8 *data, guint32 cap, guint32 len)
{
    Seg *s = g_malloc(sizeof(Seg) + cap);
    s->seq = seq;
    s->len = len;
    s->cap = cap;
    memcpy(s->data, data, cap);
    /* Usually the last; walk back to keep the queue sorted. */
    GList *l = d->queue.tail;
    while (l != NULL && diff(((Seg *)l->data)->seq, seq) > 0)
        l = l->prev;
    if (l == NULL)
        g_queue_push_head(&d->queue, s);
    else
        g_queue_insert_after(&d->queue, l, s);
    d->queued += cap;
    d->stats.out_of_order++;
    while (d->queued > d->max_queued)
        skip_hole(d);
}

void ra_tcp_dir_segment(RaTcpDir *d, guint32 seq, const guint8 *payload, gsize captured,
                        gsize wire_len, gboolean fin)
{
    if (wire_len > G_MAXINT32 || captured > wire_len)
        return; /* not a TCP segment (the IP layer bounds both far below this) */
    if (!d->started) {
        d->started = TRUE;
        d->next = seq;
    }
    if (fin && !d->has_fin) {
        d->has_fin = TRUE;
        d->fin_seq = seq + (guint32)wire_len;
    }
    if (wire_len > 0 && !d->finished) {
        d->stats.segments++;
        if (diff(seq, d->next) <= 0)
            deliver(d, seq, payload, (guint32)captured, (guint32)wire_len);
        else
            enqueue(d, seq, payload, (guint32)captured, (guint32)wire_len);
        drain(d);
        check_acked(d);
    }
    check_fin(d);
}

void ra_tcp_dir_acked(RaTcpDir *d, guint32 ack)
{
    if (!d->has_acked || diff(ack, d->acked) > 0) {
        d->has_acked = TRUE;
        d->acked = ack;
    }
    check_acked(d);
}

void ra_tcp_dir_flush(RaTcpDir *d)
{
    while (!g_queue_is_empty(&d->queue))
        skip_hole(d);
    /* Bytes the peer acknowledged that never showed up, at the end of the stream. */
    if (d->started && d->has_acked) {
        guint32 end = d->acked;
        if (d->has_fin && diff(end, d->fin_seq) > 0)
            end = d->fin_seq; /* the FIN's own sequence number is not data */
        gint32 missing = diff(end, d->next);
        if (missing > 0) {
            d->next = end;
            gap(d, (guint32)missing);
        }
    }
    check_fin(d);
}

gboolean ra_tcp_dir_finished(const RaTcpDir *d)
{
    return d->finished;
}

gboolean ra_tcp_dir_started(const RaTcpDir *d)
{
    return d->started;
}

gboolean ra_tcp_dir_saw_syn(const RaTcpDir *d)
{
    return d->syn;
}

gsize ra_tcp_dir_queued(const RaTcpDir *d)
{
    return d->queued;
}

const RaTcpDirStats *ra_tcp_dir_stats(const RaTcpDir *d)
{
    return &d->stats;
}
