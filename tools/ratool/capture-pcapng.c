/*
 * pcapng through libwiretap (see capture-pcapng.h).
 */
#include "capture-pcapng.h"

#include "ra/error.h"

#include <glib/gstdio.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

#include <errno.h>
#include <string.h>

/* The largest frame ra/capture.h makes (Ethernet, IPv6, TCP with options, a full segment). */
#define SNAPLEN 65535

struct RatoolPcapng {
    wtap_dumper *dumper;
    gchar *path;    /* final name, NULL for standard output */
    gchar *partial; /* what is being written */
    GArray *shb_hdrs;
    wtapng_iface_descriptions_t idb_inf;
    wtap_rec rec;
};

static void wiretap_init_once(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        /* Unless initialized, libwsutil's log shows every debug message: warnings only. */
        ws_log_set_level(LOG_LEVEL_WARNING);
        wtap_init(FALSE); /* no wiretap plugins: the writer must not depend on the machine */
        g_once_init_leave(&done, 1);
    }
}

static gboolean wtap_failed(GError **error, const char *what, const char *path, int err,
                            gchar *err_info)
{
    g_set_error(error, RA_ERROR, RA_ERROR_IO, "%s %s: %s%s%s", what, path, wtap_strerror(err),
                err_info ? ": " : "", err_info ? err_info : "");
    g_free(err_info);
    return FALSE;
}

static void writer_free(RatoolPcapng *w)
{
    wtap_rec_cleanup(&w->rec);
    if (w->shb_hdrs) {
        for (guint i = 0; i < w->shb_hdrs->len; i++)
            wtap_block_unref(g_array_index(w->shb_hdrs, wtap_block_t, i));
        g_array_free(w->shb_hdrs, TRUE);
    }
    if (w->idb_inf.interface_data) {
        for (guint i = 0; i < w->idb_inf.interface_data->len; i++)
            wtap_block_unref(g_array_index(w->idb_inf.interface_data, wtap_block_t, i));
        g_array_free(w->idb_inf.interface_data, TRUE);
    }
    g_free(w->path);
    g_free(w->partial);
    g_free(w);
}

RatoolPcapng *ratool_pcapng_open(const char *path, const char *section_comment,
                                 const char *interface_name, GError **error)
{
    wiretap_init_once();
    RatoolPcapng *w = g_new0(RatoolPcapng, 1);
    wtap_rec_init(&w->rec);
    gboolean to_stdout = strcmp(path, "-") == 0;
    w->path = to_stdout ? NULL : g_strdup(path);
    w->partial = to_stdout ? g_strdup("standard output") : g_strdup_printf("%s.partial", path);

    /* Section header: the application and what the capture holds; no host or OS options. */
    wtap_block_t shb = wtap_block_create(WTAP_BLOCK_SECTION);
    wtap_block_add_string_option(shb, OPT_SHB_USERAPPL, "ratool capture", strlen("ratool capture"));
    if (section_comment != NULL)
        wtap_block_add_string_option(shb, OPT_COMMENT, section_comment, strlen(section_comment));
    w->shb_hdrs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    g_array_append_val(w->shb_hdrs, shb);

    /* One Ethernet interface with microsecond timestamps (pcapng's default resolution). */
    wtap_block_t idb = wtap_block_create(WTAP_BLOCK_IF_ID_AND_INFO);
    wtapng_if_descr_mandatory_t *m = wtap_block_get_mandatory_data(idb);
    m->wtap_encap = WTAP_ENCAP_ETHERNET;
    m->time_units_per_second = 1000000;
    m->tsprecision = WTAP_TSPREC_USEC;
    m->snap_len = SNAPLEN;
    m->num_stat_entries = 0;
    m->interface_statistics = NULL;
    if (interface_name != NULL)
        wtap_block_add_string_option(idb, OPT_IDB_NAME, interface_name, strlen(interface_name));
    w->idb_inf.interface_data = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    g_array_append_val(w->idb_inf.interface_data, idb);

    wtap_dump_params params = WTAP_DUMP_PARAMS_INIT;
    params.encap = WTAP_ENCAP_ETHERNET;
    params.snaplen = SNAPLEN;
    params.tsprec = WTAP_TSPREC_USEC;
    params.shb_hdrs = w->shb_hdrs;
    params.idb_inf = &w->idb_inf;
    int err = 0;
    gchar *err_info = NULL;
    int type = wtap_pcapng_file_type_subtype();
    w->dumper = to_stdout
                    ? wtap_dump_open_stdout(type, WTAP_UNCOMPRESSED, &params, &err, &err_info)
                    : wtap_dump_open(w->partial, type, WTAP_UNCOMPRESSED, &params, &err, &err_info);
    if (w->dumper == NULL) {
        wtap_failed(error, "cannot create", to_stdout ? "standard output" : path, err, err_info);
        writer_free(w);
        return NULL;
    }
    return w;
}

gboolean ratool_pcapng_write(const RaCaptureFrame *frame, gpointer writer, GError **error)
{
    RatoolPcapng *w = writer;
    wtap_rec *rec = &w->rec;
    rec->rec_type = REC_TYPE_PACKET;
    rec->presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN | WTAP_HAS_INTERFACE_ID;
    rec->ts.secs = (time_t)(frame->time_ns / 1000000000);
    rec->ts.nsecs = (int)(frame->time_ns % 1000000000);
    rec->tsprec = WTAP_TSPREC_USEC;
    rec->rec_header.packet_header.caplen = (guint32)frame->len;
    rec->rec_header.packet_header.len = (guint32)frame->len;
    rec->rec_header.packet_header.pkt_encap = WTAP_ENCAP_ETHERNET;
    rec->rec_header.packet_header.interface_id = 0;
    rec->block = NULL;
    wtap_block_t comment_block = NULL;
    if (frame->comment != NULL) {
        /* A fresh packet block for each comment (options are appended, never replaced). */
        comment_block = wtap_block_create(WTAP_BLOCK_PACKET);
        wtap_block_add_string_option(comment_block, OPT_COMMENT, frame->comment,
                                     strlen(frame->comment));
        rec->block = comment_block;
    }
    int err = 0;
    gchar *err_info = NULL;
    gboolean ok = wtap_dump(w->dumper, rec, frame->data, &err, &err_info);
    rec->block = NULL;
    if (comment_block)
        wtap_block_unref(comment_block);
    if (!ok)
        return wtap_failed(error, "cannot write to", w->partial, err, err_info);
    return TRUE;
}

gboolean ratool_pcapng_close(RatoolPcapng *w, GError **error)
{
    int err = 0;
    gchar *err_info = NULL;
    gboolean ok = wtap_dump_close(w->dumper, NULL, &err, &err_info);
    w->dumper = NULL;
    if (!ok) {
        wtap_failed(error, "cannot finish", w->partial, err, err_info);
        if (w->path)
            g_unlink(w->partial);
    } else if (w->path && g_rename(w->partial, w->path) != 0) {
        int e = errno;
        g_set_error(error, RA_ERROR, RA_ERROR_IO, "cannot rename %s to %s: %s", w->partial, w->path,
                    g_strerror(e));
        g_unlink(w->partial);
        ok = FALSE;
    }
    writer_free(w);
    return ok;
}

void ratool_pcapng_abort(RatoolPcapng *w)
{
    if (w == NULL)
        return;
    if (w->dumper) {
        int err;
        gchar *err_info = NULL;
        wtap_dump_close(w->dumper, NULL, &err, &err_info);
        g_free(err_info);
    }
    if (w->path)
        g_unlink(w->partial);
    writer_free(w);
}
