/*
 * Capture files (pcap and pcapng) read and written through Wireshark's libwiretap, the one file of
 * the project that calls it (capfile.c). `ratool analyze` streams packets out of a capture with
 * the reader; the capture generator of the tests and benchmarks writes with the writer.
 *
 * The reader never holds more than one packet: each ra_cap_reader_next() reuses one buffer, so a
 * capture of any size is read in constant memory. Only packet records are returned (pcapng
 * interface, statistics and other blocks are skipped). Timestamps are kept to the nanosecond.
 *
 * Errors: RA_ERROR_IO (the file cannot be opened or read), RA_ERROR_MALFORMED (not a capture file
 * libwiretap recognises, or a record that is cut short or corrupt - the message says which, with
 * libwiretap's own explanation), RA_ERROR_UNSUPPORTED (a format that cannot be written).
 * Not thread-safe: one reader or writer per thread.
 */
#ifndef RA_CAPFILE_H
#define RA_CAPFILE_H

#include "ra/error.h"

#include <glib.h>

G_BEGIN_DECLS

/* The link layers this project decodes (ra/netpkt.h); others are RA_LINK_OTHER. */
typedef enum {
    RA_LINK_OTHER = 0,
    RA_LINK_ETHERNET, /* DLT_EN10MB */
    RA_LINK_RAW_IP,   /* DLT_RAW / LINKTYPE_RAW: IPv4 or IPv6 by the version nibble */
    RA_LINK_RAW_IP4,  /* LINKTYPE_IPV4 */
    RA_LINK_RAW_IP6,  /* LINKTYPE_IPV6 */
    RA_LINK_NULL,     /* DLT_NULL: a 4-byte address family in the capturing host's byte order */
    RA_LINK_LOOP,     /* DLT_LOOP: the same in network byte order */
    RA_LINK_SLL,      /* Linux cooked capture v1 */
    RA_LINK_SLL2,     /* Linux cooked capture v2 */
} RaLinkType;

/* "Ethernet", "raw IP", ... (static). */
const char *ra_link_type_name(RaLinkType link);

/* One packet. The pointers are owned by the reader and valid until its next call. */
typedef struct {
    guint64 number;  /* 1 for the first packet of the file */
    gint64 ts_sec;   /* seconds since 1970-01-01 UTC */
    guint32 ts_nsec; /* 0 .. 999999999 */
    RaLinkType link; /* of this packet (pcapng files may mix interfaces) */
    int encap;       /* the WTAP_ENCAP_ value, for messages about RA_LINK_OTHER */
    const guint8 *data;
    guint32 caplen;      /* bytes in data */
    guint32 len;         /* bytes on the wire (larger when the capture was cut to a snap length) */
    const char *comment; /* the packet's first pcapng comment (UTF-8), or NULL */
} RaCapPacket;

typedef struct RaCapReader RaCapReader;

/* Opens path (pcap, pcapng or any other format libwiretap reads, compressed or not). */
RaCapReader *ra_cap_reader_open(const char *path, GError **error);
/*
 * The next packet: TRUE with *packet filled; FALSE at the end of the file with *error unset, or
 * FALSE with *error set when a record cannot be read (the file is truncated or corrupt there).
 * After a failure the reader returns FALSE for good.
 */
gboolean ra_cap_reader_next(RaCapReader *reader, RaCapPacket *packet, GError **error);
/* The file's format ("pcapng", "pcap", ...; static) and size in bytes (-1 if unknown). */
const char *ra_cap_reader_format(RaCapReader *reader);
gint64 ra_cap_reader_file_size(RaCapReader *reader);
/* Bytes consumed so far (for progress reports). */
gint64 ra_cap_reader_offset(RaCapReader *reader);
void ra_cap_reader_free(RaCapReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaCapReader, ra_cap_reader_free)

typedef enum {
    RA_CAP_PCAP,
    RA_CAP_PCAPNG,
} RaCapFormat;

typedef struct RaCapWriter RaCapWriter;

/* Creates path (replacing it) for packets of one link type (not RA_LINK_OTHER), with nanosecond
 * timestamps. */
RaCapWriter *ra_cap_writer_open(const char *path, RaCapFormat format, RaLinkType link,
                                GError **error);
/* Appends a packet; comment (pcapng only; ignored for pcap) may be NULL. */
gboolean ra_cap_writer_write(RaCapWriter *writer, gint64 ts_sec, guint32 ts_nsec,
                             const guint8 *data, gsize len, const char *comment, GError **error);
/* Flushes and closes; frees the writer whatever happens. */
gboolean ra_cap_writer_close(RaCapWriter *writer, GError **error);

G_END_DECLS

#endif
