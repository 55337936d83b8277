/*
 * TCP stream reassembly of one direction of a captured connection (RFC 9293 sequence space), for
 * `ratool analyze`: bytes are handed on in order, once, as soon as they are contiguous.
 *
 *  - Retransmissions (segments whose bytes were seen already) and the repeated part of partial
 *    overlaps are dropped and counted.
 *  - Segments ahead of a hole wait in a queue bounded in bytes; the hole is given up on (a gap,
 *    with its size in bytes, reported to the reader) when the queue is full, when the peer has
 *    acknowledged bytes past the hole (the receiver had them: the capture missed them, and no
 *    retransmission will come), or when the owner flushes (end of connection or capture).
 *  - A segment cut by the snap length delivers what was captured, then a gap for the rest.
 *  - Without a SYN the stream starts at the first segment seen (a capture that begins inside the
 *    connection).
 * Memory: the queued segments only (at most max_queued captured bytes plus a small header each).
 * Sequence numbers are compared modulo 2^32.
 */
#ifndef RA_TCPREASM_H
#define RA_TCPREASM_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    /* Contiguous bytes, in order. */
    void (*data)(const guint8 *data, gsize len, gpointer user_data);
    /* `missing` bytes of the stream will never be delivered (they come next in the stream). */
    void (*gap)(guint32 missing, gpointer user_data);
} RaTcpDirFuncs;

typedef struct {
    guint64 segments;            /* segments with payload */
    guint64 bytes;               /* bytes delivered */
    guint64 retransmissions;     /* segments all of whose bytes had been seen */
    guint64 retransmitted_bytes; /* bytes seen more than once */
    guint64 out_of_order;        /* segments that arrived ahead of a hole */
    guint64 gaps;                /* holes given up on */
    guint64 gap_bytes;           /* bytes in them */
} RaTcpDirStats;

typedef struct RaTcpDir RaTcpDir;

/* max_queued: bytes that may wait ahead of a hole (0 = 1 MiB). funcs is copied. */
RaTcpDir *ra_tcp_dir_new(gsize max_queued, const RaTcpDirFuncs *funcs, gpointer user_data);
void ra_tcp_dir_free(RaTcpDir *dir);

/* A SYN with this initial sequence number: the stream starts at isn + 1. */
void ra_tcp_dir_syn(RaTcpDir *dir, guint32 isn);
/*
 * A segment: its sequence number, captured payload (captured bytes) and the payload length on
 * the wire (wire_len >= captured), and whether it carries FIN. Delivers what becomes contiguous.
 */
void ra_tcp_dir_segment(RaTcpDir *dir, guint32 seq, const guint8 *payload, gsize captured,
                        gsize wire_len, gboolean fin);
/* The peer acknowledged every byte before ack (an ACK segment of the other direction). */
void ra_tcp_dir_acked(RaTcpDir *dir, guint32 ack);
/* Gives up on every hole: delivers all that is queued, with the gaps between. */
void ra_tcp_dir_flush(RaTcpDir *dir);

/* TRUE once the stream's FIN has been reached (everything before it delivered). */
gboolean ra_tcp_dir_finished(const RaTcpDir *dir);
/* TRUE once a SYN or a segment has set the start of the stream. */
gboolean ra_tcp_dir_started(const RaTcpDir *dir);
gboolean ra_tcp_dir_saw_syn(const RaTcpDir *dir);
/* Captured bytes waiting ahead of a hole. */
gsize ra_tcp_dir_queued(const RaTcpDir *dir);
const RaTcpDirStats *ra_tcp_dir_stats(const RaTcpDir *dir);

G_END_DECLS

#endif
