/*
 * Benchmark (not a test): how fast `ratool capture` writes a capture of N MS-RAI calls (default
 * 100,000), next to a trivial writer of the same bytes measured in the same run, and the ratio.
 *
 * 1. The conversation: our expert calls IRASrv::GetSessionInfo N times on our novice in one
 *    process (ra/rig.h, PKT_INTEGRITY as the plain captures), every PDU recorded and commented.
 *    Printed for context (what generating real traffic costs), not part of the ratio.
 * 2. The product path: ra_rig_play() into ra/capture.h (TCP/IP framing: handshakes, segments,
 *    ACKs, checksums) writing pcapng through libwiretap (capture-pcapng.c) - calls written per
 *    second and MB/s.
 * 3. The baseline: the very same frames, rendered beforehand, written by a trivial pcapng writer
 *    (fwrite of hand-built blocks, as libwiretap lays them out) - the cost of the bytes alone.
 *    The two files must be identical; the benchmark says whether they are.
 * Steps 2 and 3 run `--rounds` times (default 3); the best time of each is used.
 *
 * usage: bench-capture [--calls N] [--rounds R] [--dir DIR]
 */
#include "capture-pcapng.h"

#include "ra/crypto.h"
#include "ra/rig.h"
#include "rai-ndr.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const char sessions_ini[] = "[session 1]\ndomain = CONTOSO\nuser = alice\nstate = active\n"
                                   "[session 2]\ndomain = CONTOSO\nuser = bob\nstate = connected\n";

#define SHB_COMMENT "ratool bench-capture"
#define IFACE_NAME  "ms-rai-lab"

/* ---- frames rendered in memory ---- */

typedef struct {
    GByteArray *data; /* all frames, back to back */
    GArray *offsets;  /* gsize: start of each frame */
    GArray *times;    /* gint64 */
    GPtrArray *comments;
} Frames;

static gboolean keep_frame(const RaCaptureFrame *f, gpointer user_data, GError **error)
{
    Frames *fr = user_data;
    gsize at = fr->data->len;
    g_array_append_val(fr->offsets, at);
    g_array_append_val(fr->times, f->time_ns);
    g_byte_array_append(fr->data, f->data, (guint)f->len);
    g_ptr_array_add(fr->comments, g_strdup(f->comment));
    return TRUE;
}

static gboolean drop_frame(const RaCaptureFrame *f, gpointer user_data, GError **error)
{
    (*(guint64 *)user_data) += f->len;
    return TRUE;
}

/* ---- the trivial writer: pcapng blocks by hand (SHB, IDB, EPB), as libwiretap writes them ---- */

static void put_option(GByteArray *b, guint16 code, const char *text)
{
    guint16 len = (guint16)strlen(text);
    g_byte_array_append(b, (const guint8 *)&code, 2);
    g_byte_array_append(b, (const guint8 *)&len, 2);
    g_byte_array_append(b, (const guint8 *)text, len);
    static const guint8 zeros[4] = {0};
    g_byte_array_append(b, zeros, (4 - len % 4) % 4);
}

static void put_block(FILE *f, guint32 type, GByteArray *body)
{
    guint32 total = (guint32)body->len + 12;
    fwrite(&type, 4, 1, f);
    fwrite(&total, 4, 1, f);
    fwrite(body->data, 1, body->len, f);
    fwrite(&total, 4, 1, f);
}

static gboolean trivial_write(const Frames *fr, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return FALSE;
    GByteArray *b = g_byte_array_new();
    static const guint8 shb[16] = {0x4d, 0x3c, 0x2b, 0x1a, 1,    0,    0,    0,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const guint8 end[4] = {0};
    g_byte_array_append(b, shb, sizeof shb);
    put_option(b, 4, "ratool capture"); /* shb_userappl */
    put_option(b, 1, SHB_COMMENT);
    g_byte_array_append(b, end, 4);
    put_block(f, 0x0a0d0d0a, b);
    g_byte_array_set_size(b, 0);
    static const guint8 idb[8] = {1, 0, 0, 0, 0xff, 0xff, 0, 0}; /* Ethernet, snaplen 65535 */
    g_byte_array_append(b, idb, sizeof idb);
    put_option(b, 2, IFACE_NAME); /* if_name */
    g_byte_array_append(b, end, 4);
    put_block(f, 1, b);
    for (guint i = 0; i < fr->offsets->len; i++) {
        gsize at = g_array_index(fr->offsets, gsize, i);
        gsize next =
            i + 1 < fr->offsets->len ? g_array_index(fr->offsets, gsize, i + 1) : fr->data->len;
        guint32 len = (guint32)(next - at);
        guint64 us = (guint64)g_array_index(fr->times, gint64, i) / 1000;
        guint32 hdr[5] = {0, (guint32)(us >> 32), (guint32)us, len, len};
        g_byte_array_set_size(b, 0);
        g_byte_array_append(b, (const guint8 *)hdr, sizeof hdr);
        g_byte_array_append(b, fr->data->data + at, len);
        g_byte_array_append(b, end, (4 - len % 4) % 4);
        const char *comment = g_ptr_array_index(fr->comments, i);
        if (comment != NULL) {
            put_option(b, 1, comment);
            g_byte_array_append(b, end, 4);
        }
        put_block(f, 6, b);
    }
    g_byte_array_unref(b);
    return fclose(f) == 0;
}

/* ---- the product path ---- */

static gboolean wiretap_write(RaRig *rig, const char *path, GError **error)
{
    RatoolPcapng *w = ratool_pcapng_open(path, SHB_COMMENT, IFACE_NAME, error);
    if (w == NULL)
        return FALSE;
    RaCapture *cap = ra_capture_new(NULL, ratool_pcapng_write, w);
    gboolean ok = ra_rig_play(rig, cap, error) && ra_capture_finish(cap, error);
    ra_capture_free(cap);
    if (!ok) {
        ratool_pcapng_abort(w);
        return FALSE;
    }
    return ratool_pcapng_close(w, error);
}

static gboolean same_file(const char *a, const char *b)
{
    gchar *da = NULL, *db = NULL;
    gsize la = 0, lb = 0;
    gboolean same = g_file_get_contents(a, &da, &la, NULL) &&
                    g_file_get_contents(b, &db, &lb, NULL) && la == lb && memcmp(da, db, la) == 0;
    g_free(da);
    g_free(db);
    return same;
}

static double seconds_since(gint64 start)
{
    return (double)(g_get_monotonic_time() - start) / 1e6;
}

int main(int argc, char **argv)
{
    gint calls = 100000, rounds = 3;
    gchar *dir = NULL;
    GOptionEntry entries[] = {
        {"calls", 0, 0, G_OPTION_ARG_INT, &calls, "Calls in the capture (default 100000)", "N"},
        {"rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Timed rounds of each writer (default 3)", "R"},
        {"dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where to write (default: a temp dir)", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- ratool capture's writing speed");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || calls < 1 || rounds < 1) {
        fprintf(stderr, "bench-capture: %s\n", error ? error->message : "bad --calls/--rounds");
        return 2;
    }
    g_option_context_free(ctx);
    gchar *tmp = dir ? g_strdup(dir) : g_dir_make_tmp("bench-capture-XXXXXX", NULL);

    /* 1. the conversation */
    ra_random_set_seed("bench-capture");
    RaAccounts *accounts = ra_accounts_new();
    ra_accounts_add(accounts, "CONTOSO", "expert", "Exp3rt-Pw!", NULL, TRUE, NULL);
    RaSessionTable *sessions = ra_sessions_parse(sessions_ini, strlen(sessions_ini), "bench", NULL);
    RaRigConfig rc;
    ra_rig_config_init(&rc);
    rc.accounts = accounts;
    rc.sessions = sessions;
    rc.flavor = RA_RAI_FLAVOR_VISTA;
    rc.min_auth_level = 5; /* PKT_INTEGRITY */
    rc.ntlm_time = G_GUINT64_CONSTANT(133583400000000000);
    RaRig *rig = ra_rig_new(&rc, &error);
    RaDcomClientConfig dc = {0};
    ra_rig_dcom_config(rig, &dc);
    dc.auth.level = 5;
    dc.auth.domain = "CONTOSO";
    dc.auth.user = "expert";
    dc.auth.password = "Exp3rt-Pw!";
    gint64 t0 = g_get_monotonic_time();
    RaDcomClient *client = ra_dcom_client_new(&dc, &error);
    RaOrpcBinding *b = NULL;
    if (client == NULL ||
        !ra_dcom_client_create_instance(client, &ra_rai_clsid_RASrv, &ra_rai_iid_IRASrv,
                                        RA_ACTPROP_ANY_SESSION, &b, NULL, &error)) {
        fprintf(stderr, "bench-capture: %s\n", error->message);
        return 1;
    }
    for (gint i = 0; i < calls; i++) {
        RaArena *arena = ra_arena_new();
        RaRai_IRASrv_GetSessionInfo_in in = {0};
        RaRai_IRASrv_GetSessionInfo_out out = {0};
        gboolean ok = ra_rai_call_IRASrv_GetSessionInfo(b, &in, &out, arena, &error);
        ra_arena_free(arena);
        if (!ok) {
            fprintf(stderr, "bench-capture: call %d: %s\n", i, error->message);
            return 1;
        }
    }
    ra_dcom_client_free(client);
    ra_rig_finish(rig);
    double gen = seconds_since(t0);
    guint pdus = 0;
    const GPtrArray *ev = ra_rig_events(rig);
    for (guint i = 0; i < ev->len; i++)
        pdus += ((const RaRigEvent *)g_ptr_array_index(ev, i))->type == RA_RIG_DATA;
    printf("conversation: %d GetSessionInfo calls (%u PDUs, %u events) generated by our expert "
           "and novice in %.2f s (%.0f calls/s; context only)\n",
           calls, pdus, ev->len, gen, calls / gen);

    /* framing alone (frames dropped) */
    double best_frame = 1e9;
    guint64 frame_bytes = 0;
    for (gint r = 0; r < rounds; r++) {
        frame_bytes = 0;
        RaCapture *cap = ra_capture_new(NULL, drop_frame, &frame_bytes);
        gint64 t = g_get_monotonic_time();
        ra_rig_play(rig, cap, NULL);
        ra_capture_finish(cap, NULL);
        best_frame = MIN(best_frame, seconds_since(t));
        ra_capture_free(cap);
    }

    /* 2. the product path, 3. the baseline */
    gchar *product = g_build_filename(tmp, "product.pcapng", NULL);
    gchar *baseline = g_build_filename(tmp, "baseline.pcapng", NULL);
    Frames fr = {g_byte_array_new(), g_array_new(FALSE, FALSE, sizeof(gsize)),
                 g_array_new(FALSE, FALSE, sizeof(gint64)), g_ptr_array_new_with_free_func(g_free)};
    RaCapture *cap = ra_capture_new(NULL, keep_frame, &fr);
    ra_rig_play(rig, cap, NULL);
    ra_capture_finish(cap, NULL);
    RaCaptureStats st;
    ra_capture_get_stats(cap, &st);
    ra_capture_free(cap);
    double best_product = 1e9, best_baseline = 1e9;
    for (gint r = 0; r < rounds; r++) {
        gint64 t = g_get_monotonic_time();
        if (!wiretap_write(rig, product, &error)) {
            fprintf(stderr, "bench-capture: %s\n", error->message);
            return 1;
        }
        best_product = MIN(best_product, seconds_since(t));
        t = g_get_monotonic_time();
        if (!trivial_write(&fr, baseline)) {
            fprintf(stderr, "bench-capture: cannot write %s\n", baseline);
            return 1;
        }
        best_baseline = MIN(best_baseline, seconds_since(t));
    }
    GStatBuf sb;
    double mb = g_stat(product, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    printf("capture: %" G_GUINT64_FORMAT " frames, %.1f MB of pcapng, %u connections\n", st.frames,
           mb, st.connections);
    printf("framing only (ra/capture.h, frames dropped): %.3f s, %.0f calls/s\n", best_frame,
           calls / best_frame);
    printf("ratool capture's writer (framing + libwiretap pcapng): %.3f s, %.0f calls/s, %.1f "
           "MB/s\n",
           best_product, calls / best_product, mb / best_product);
    printf("baseline (the same frames, pre-rendered, fwrite of pcapng blocks): %.3f s, %.0f "
           "calls/s, %.1f MB/s\n",
           best_baseline, calls / best_baseline, mb / best_baseline);
    printf("ratio writer/baseline: %.2f (time); identical bytes: %s\n",
           best_product / best_baseline, same_file(product, baseline) ? "yes" : "NO");
    if (dir == NULL) {
        g_unlink(product);
        g_unlink(baseline);
        g_rmdir(tmp);
    }
    ra_rig_free(rig);
    ra_session_table_free(sessions);
    ra_accounts_free(accounts);
    return 0;
}
