/*
 * Capture files through libwiretap (see ra/capfile.h). The only file that includes wiretap's
 * headers: the rest of the project sees RaCapPacket.
 */
#include "ra/capfile.h"

#include <errno.h>
#include <string.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

/*
 * Wireshark 4.0's pcapng reader leaks a buffer (ws_buffer_init under wtap_read) on some damaged
 * blocks, inside libwiretap (testdata/fuzz/analyze/leak-wiretap-pcapng; capinfos leaks the same).
 * Under AddressSanitizer, allocations made inside wtap_open_offline() and wtap_read() are not
 * reported as leaks, so that the fuzzers find ours; nothing of ours is allocated in them.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RA_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RA_LSAN 1
#endif
#endif
#ifdef RA_LSAN
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#define LSAN_ON()  __lsan_enable()
#else
#define LSAN_OFF() ((void)0)
#define LSAN_ON()  ((void)0)
#endif

/* libwiretap's tables are set up once per process. */
static void init_wiretap(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        /* Unless told otherwise, libwsutil's log shows every debug message: warnings only. */
        ws_log_set_level(LOG_LEVEL_WARNING);
        /* No wiretap plugins: what is read must not depend on the machine. */
        wtap_init(FALSE);
        g_once_init_leave(&done, 1);
    }
}

const char *ra_link_type_name(RaLinkType link)
{
    switch (link) {
    case RA_LINK_ETHERNET:
        return "Ethernet";
    case RA_LINK_RAW_IP:
        return "raw IP";
    case RA_LINK_RAW_IP4:
        return "raw IPv4";
    case RA_LINK_RAW_IP6:
        return "raw IPv6";
    case RA_LINK_NULL:
        return "BSD loopback";
    case RA_LINK_LOOP:
        return "OpenBSD loopback";
    case RA_LINK_SLL:
        return "Linux cooked v1";
    case RA_LINK_SLL2:
        return "Linux cooked v2";
    case RA_LINK_OTHER:
        break;
    }
    return "unsupported link type";
}

static RaLinkType link_from_encap(int encap)
{
    switch (encap) {
    case WTAP_ENCAP_ETHERNET:
        return RA_LINK_ETHERNET;
    case WTAP_ENCAP_RAW_IP:
        return RA_LINK_RAW_IP;
    case WTAP_ENCAP_RAW_IP4:
        return RA_LINK_RAW_IP4;
    case WTAP_ENCAP_RAW_IP6:
        return RA_LINK_RAW_IP6;
    case WTAP_ENCAP_NULL:
        return RA_LINK_NULL;
    case WTAP_ENCAP_LOOP:
        return RA_LINK_LOOP;
    case WTAP_ENCAP_SLL:
        return RA_LINK_SLL;
    case WTAP_ENCAP_SLL2:
        return RA_LINK_SLL2;
    default:
        return RA_LINK_OTHER;
    }
}

static int encap_from_link(RaLinkType link)
{
    switch (link) {
    case RA_LINK_ETHERNET:
        return WTAP_ENCAP_ETHERNET;
    case RA_LINK_RAW_IP:
        return WTAP_ENCAP_RAW_IP;
    case RA_LINK_RAW_IP4:
        return WTAP_ENCAP_RAW_IP4;
    case RA_LINK_RAW_IP6:
        return WTAP_ENCAP_RAW_IP6;
    case RA_LINK_NULL:
        return WTAP_ENCAP_NULL;
    case RA_LINK_LOOP:
        return WTAP_ENCAP_LOOP;
    case RA_LINK_SLL:
        return WTAP_ENCAP_SLL;
    case RA_LINK_SLL2:
        return WTAP_ENCAP_SLL2;
    case RA_LINK_OTHER:
        break;
    }
    return WTAP_ENCAP_UNKNOWN;
}

/* A GError from libwiretap's (err, err_info); takes err_info. */
static void set_wtap_error(GError **error, const char *what, int err, gchar *err_info)
{
    RaError code = RA_ERROR_MALFORMED;
    if (err > 0)
        code = RA_ERROR_IO; /* an errno value */
    const char *why = err > 0 ? g_strerror(err) : wtap_strerror(err);
    if (err == WTAP_ERR_SHORT_READ)
        why = "the file ends in the middle of a record (truncated capture)";
    if (err_info != NULL)
        g_set_error(error, RA_ERROR, code, "%s: %s (%s)", what, why, err_info);
    else
        g_set_error(error, RA_ERROR, code, "%s: %s", what, why);
    g_free(err_info);
}

/* ---- reading ---- */

struct RaCapReader {
    wtap *wth;
    wtap_rec rec;
    Buffer buf;
    guint64 number;
    gboolean done;
    gchar *comment;
};

RaCapReader *ra_cap_reader_open(const char *path, GError **error)
{
    init_wiretap();
    int err = 0;
    gchar *err_info = NULL;
    LSAN_OFF();
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    LSAN_ON();
    if (wth == NULL) {
        if (err == WTAP_ERR_FILE_UNKNOWN_FORMAT) {
            g_free(err_info);
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "%s: not a capture file (neither pcap nor pcapng nor another format "
                        "Wireshark reads)",
                        path);
        } else {
            set_wtap_error(error, path, err, err_info);
        }
        return NULL;
    }
    RaCapReader *r = g_new0(RaCapReader, 1);
    r->wth = wth;
    wtap_rec_init(&r->rec);
    ws_buffer_init(&r->buf, 65536);
    return r;
}

gboolean ra_cap_reader_next(RaCapReader *r, RaCapPacket *p, GError **error)
{
    memset(p, 0, sizeof *p);
    g_clear_pointer(&r->comment, g_free);
    while (!r->done) {
        int err = 0;
        gchar *err_info = NULL;
        gint64 offset;
        wtap_rec_reset(&r->rec);
        LSAN_OFF();
        gboolean read = wtap_read(r->wth, &r->rec, &r->buf, &err, &err_info, &offset);
        LSAN_ON();
        if (!read) {
            r->done = TRUE;
            if (err != 0) {
                gchar *what = g_strdup_printf("after packet %" G_GUINT64_FORMAT, r->number);
                set_wtap_error(error, what, err, err_info);
                g_free(what);
            } else {
                g_free(err_info);
            }
            return FALSE;
        }
        if (r->rec.rec_type != REC_TYPE_PACKET)
            continue;
        r->number++;
        p->number = r->number;
        p->ts_sec = r->rec.ts.secs;
        p->ts_nsec = (guint32)CLAMP(r->rec.ts.nsecs, 0, 999999999);
        p->encap = r->rec.rec_header.packet_header.pkt_encap;
        p->link = link_from_encap(p->encap);
        p->data = ws_buffer_start_ptr(&r->buf);
        p->caplen = r->rec.rec_header.packet_header.caplen;
        p->len = r->rec.rec_header.packet_header.len;
        if (p->len < p->caplen)
            p->len = p->caplen;
        if (r->rec.block != NULL &&
            wtap_block_get_nth_string_option_value(r->rec.block, OPT_COMMENT, 0, &r->comment) ==
                WTAP_OPTTYPE_SUCCESS) {
            /* The value belongs to the block: keep a copy for the caller. */
            r->comment = g_strdup(r->comment);
            p->comment = r->comment;
        } else {
            r->comment = NULL;
        }
        return TRUE;
    }
    return FALSE;
}

const char *ra_cap_reader_format(RaCapReader *r)
{
    return wtap_file_type_subtype_name(wtap_file_type_subtype(r->wth));
}

gint64 ra_cap_reader_file_size(RaCapReader *r)
{
    int err = 0;
    return wtap_file_size(r->wth, &err);
}

gint64 ra_cap_reader_offset(RaCapReader *r)
{
    return wtap_read_so_far(r->wth);
}

void ra_cap_reader_free(RaCapReader *r)
{
    if (r == NULL)
        return;
    wtap_rec_cleanup(&r->rec);
    ws_buffer_free(&r->buf);
    wtap_close(r->wth);
    g_free(r->comment);
    g_free(r);
}

/* ---- writing ---- */

struct RaCapWriter {
    wtap_dumper *wdh;
    int encap;
    int tsprec;
    gboolean pcapng;
};

RaCapWriter *ra_cap_writer_open(const char *path, RaCapFormat format, RaLinkType link,
                                GError **error)
{
    init_wiretap();
    int encap = encap_from_link(link);
    if (encap == WTAP_ENCAP_UNKNOWN) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "%s: no link type to write", path);
        return NULL;
    }
    int type = format == RA_CAP_PCAPNG ? wtap_pcapng_file_type_subtype()
                                       : wtap_name_to_file_type_subtype("nsecpcap");
    if (type < 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "%s: libwiretap cannot write %s", path,
                    format == RA_CAP_PCAPNG ? "pcapng" : "pcap");
        return NULL;
    }
    wtap_dump_params params;
    wtap_dump_params_init(&params, NULL);
    params.encap = encap;
    params.snaplen = 262144;
    params.tsprec = WTAP_TSPREC_NSEC;
    int err = 0;
    gchar *err_info = NULL;
    /* Without interface blocks in params, libwiretap writes one for params.encap. */
    wtap_dumper *wdh = wtap_dump_open(path, type, WTAP_UNCOMPRESSED, &params, &err, &err_info);
    wtap_dump_params_cleanup(&params);
    if (wdh == NULL) {
        set_wtap_error(error, path, err, err_info);
        return NULL;
    }
    RaCapWriter *w = g_new0(RaCapWriter, 1);
    w->wdh = wdh;
    w->encap = encap;
    w->tsprec = WTAP_TSPREC_NSEC;
    w->pcapng = format == RA_CAP_PCAPNG;
    return w;
}

gboolean ra_cap_writer_write(RaCapWriter *w, gint64 ts_sec, guint32 ts_nsec, const guint8 *data,
                             gsize len, const char *comment, GError **error)
{
    if (len > 262144) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "a packet of %" G_GSIZE_FORMAT " bytes",
                    len);
        return FALSE;
    }
    wtap_rec rec;
    wtap_rec_init(&rec);
    rec.rec_type = REC_TYPE_PACKET;
    rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    rec.ts.secs = (time_t)ts_sec;
    rec.ts.nsecs = (int)ts_nsec;
    rec.tsprec = w->tsprec;
    rec.rec_header.packet_header.caplen = (guint32)len;
    rec.rec_header.packet_header.len = (guint32)len;
    rec.rec_header.packet_header.pkt_encap = w->encap;
    if (comment != NULL && w->pcapng) {
        rec.block = wtap_block_create(WTAP_BLOCK_PACKET);
        wtap_block_add_string_option(rec.block, OPT_COMMENT, comment, strlen(comment));
        rec.block_was_modified = TRUE;
    }
    int err = 0;
    gchar *err_info = NULL;
    gboolean ok = wtap_dump(w->wdh, &rec, data, &err, &err_info);
    wtap_rec_cleanup(&rec);
    if (!ok)
        set_wtap_error(error, "writing a packet", err, err_info);
    return ok;
}

gboolean ra_cap_writer_close(RaCapWriter *w, GError **error)
{
    if (w == NULL)
        return TRUE;
    int err = 0;
    gchar *err_info = NULL;
    gboolean needs_reload = FALSE;
    gboolean ok = wtap_dump_close(w->wdh, &needs_reload, &err, &err_info);
    if (!ok)
        set_wtap_error(error, "closing the capture", err, err_info);
    else
        g_free(err_info);
    g_free(w);
    return ok;
}
