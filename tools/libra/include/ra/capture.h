/*
 * TCP/IP framing for reference captures: turns a conversation - connections opened, bytes sent
 * by either side, connections closed - into the Ethernet frames a capture on the wire would hold,
 * with valid IPv4 or IPv6 and TCP headers (RFC 791, RFC 8200, RFC 9293):
 *  - each connection starts with SYN, SYN-ACK, ACK carrying the options Windows sends (MSS, window
 *    scale 8, SACK permitted), from initial sequence numbers derived from the seed and the
 *    connection's addresses and ports (so a capture repeats byte for byte);
 *  - each send is cut into segments of at most the MSS (1460 bytes over IPv4, 1440 over IPv6 on
 *    Ethernet), the last one with PSH; every segment acknowledges all the sender has received;
 *    the receiver sends a pure ACK after every second segment it has not acknowledged yet (as
 *    delayed ACKs do), otherwise its next segment carries the acknowledgement;
 *  - a close sends FIN; the peer acknowledges it before anything else happens - with its own FIN
 *    when that is the next thing it does;
 *  - IPv4 headers carry DF, TTL 128 and an identification counter per host; the IPv4 header and
 *    TCP checksums are computed;
 *  - MAC addresses are 00:00:5e:00:53:XX (the documentation range of RFC 7042) with XX the last
 *    byte of the host's IP address.
 * Time is virtual: the first frame is at start_ns, each later frame tick_ns after the one before,
 * plus whatever ra_capture_advance() adds. Nothing reads the clock.
 *
 * Frames go to a sink as they are made (the file writer lives elsewhere: this module knows no file
 * format). Not thread-safe; one RaCapture per thread.
 */
#ifndef RA_CAPTURE_H
#define RA_CAPTURE_H

#include <glib.h>

G_BEGIN_DECLS

/* One frame: the Ethernet header first. data is valid during the sink call only. */
typedef struct {
    gint64 time_ns; /* since the Unix epoch */
    const guint8 *data;
    gsize len;
    const char *comment; /* what the frame starts, or NULL */
} RaCaptureFrame;

/* Receives each frame; FALSE with *error set stops the capture (the error is returned by the
 * call that made the frame). */
typedef gboolean (*RaCaptureSink)(const RaCaptureFrame *frame, gpointer user_data, GError **error);

typedef struct {
    gint64 start_ns;  /* time of the first frame (default 2024-04-23T10:00:00Z) */
    guint32 tick_ns;  /* between consecutive frames (default 50 us) */
    guint16 mss_ipv4; /* default 1460 */
    guint16 mss_ipv6; /* default 1440 */
    const char *seed; /* for initial sequence numbers and IPv4 identifications (default "") */
} RaCaptureConfig;

/* Fills config with the defaults above. */
void ra_capture_config_init(RaCaptureConfig *config);

/* The default start time (2024-04-23T10:00:00Z) in ns since the epoch. */
#define RA_CAPTURE_DEFAULT_START_NS G_GINT64_CONSTANT(1713866400000000000)

typedef struct RaCapture RaCapture;

/* A new capture writing to sink (config copied; NULL = defaults). */
RaCapture *ra_capture_new(const RaCaptureConfig *config, RaCaptureSink sink, gpointer user_data);
void ra_capture_free(RaCapture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaCapture, ra_capture_free)

/*
 * Opens a connection from client_address:client_port to server_address:server_port (IPv4 or IPv6
 * literals, both of one family): SYN, SYN-ACK, ACK; comment goes on the SYN. Returns the
 * connection's number (0, 1, ...) in *conn. RA_ERROR_MALFORMED for an address that is not a
 * literal or families that differ; the sink's error.
 */
gboolean ra_capture_connect(RaCapture *capture, const char *client_address, guint16 client_port,
                            const char *server_address, guint16 server_port, const char *comment,
                            guint *conn, GError **error);

/*
 * Sends len bytes (len > 0) from one side of a connection: segments as described above; comment
 * goes on the first segment. RA_ERROR_NOT_FOUND for an unknown connection, RA_ERROR_PROTOCOL when
 * that side has already closed; the sink's error.
 */
gboolean ra_capture_send(RaCapture *capture, guint conn, gboolean from_client, const guint8 *data,
                         gsize len, const char *comment, GError **error);

/*
 * Closes one side (FIN); comment goes on the FIN. Closing a side twice is RA_ERROR_PROTOCOL.
 */
gboolean ra_capture_close(RaCapture *capture, guint conn, gboolean from_client, const char *comment,
                          GError **error);

/* Adds ns of idle time before the next frame (after the acknowledgements of FINs still owed).
 * Errors: the sink's. */
gboolean ra_capture_advance(RaCapture *capture, guint64 ns, GError **error);

/*
 * Sends the acknowledgements still owed on every connection (a FIN just received, data not yet
 * acknowledged on a connection where nothing else will happen). Call it once at the end.
 */
gboolean ra_capture_finish(RaCapture *capture, GError **error);

/* What has been written so far. */
typedef struct {
    guint64 frames;
    guint64 bytes;         /* frame bytes */
    guint64 payload_bytes; /* TCP payload bytes */
    guint connections;
} RaCaptureStats;
void ra_capture_get_stats(const RaCapture *capture, RaCaptureStats *stats);

/* The time the next frame will get. */
gint64 ra_capture_now(const RaCapture *capture);

G_END_DECLS

#endif
