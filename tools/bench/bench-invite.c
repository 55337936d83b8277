/*
 * Benchmark: invitations decoded per second (parse + LHTICKET decryption + PassStub encryption)
 * by ratool's library (ra_invite_parse + ra_invite_decrypt) and, in the same run on the same
 * files, by FreeRDP 2.11 through its public API (freerdp_assistance_parse_file_buffer, which
 * does the same three steps), and the ratio. Not a test: it prints figures.
 *
 * usage: bench-invite [SECONDS_PER_MEASUREMENT] VECTORS_DIR
 * (the files are the vectors with a published password: NAME.xml + NAME.password)
 */
#include "ra/invite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freerdp/assistance.h>
#include <winpr/wlog.h>

static const char *const names[] = {"freerdp-invite-type2", "freerdp-invite-3",
                                    "freerdp-invite-type1"};

typedef struct {
    gchar *name;
    gchar *data; /* NUL-terminated: FreeRDP's parser needs it */
    gsize len;
    gchar *password;
} Input;

static gboolean decode_ra(const Input *in)
{
    RaInvite *inv = ra_invite_parse((const guint8 *)in->data, in->len, NULL);
    gboolean ok = inv != NULL && ra_invite_decrypt(inv, in->password, NULL) &&
                  inv->passstub_encrypted != NULL &&
                  (inv->kind != RA_INVITE_TYPE2 || inv->decrypted);
    ra_invite_free(inv);
    return ok;
}

static gboolean decode_freerdp(const Input *in)
{
    rdpAssistanceFile *file = freerdp_assistance_file_new();
    int status = freerdp_assistance_parse_file_buffer(file, in->data, in->len, in->password);
    freerdp_assistance_file_free(file);
    return status > 0;
}

/* Runs `decode` for about `seconds`; returns decodes per second. */
static double measure(gboolean (*decode)(const Input *), const Input *in, double seconds)
{
    for (int i = 0; i < 20; i++) /* warm-up */
        if (!decode(in))
            g_error("%s: a decode failed", in->name);
    guint64 n = 0;
    gint64 start = g_get_monotonic_time(), now = start;
    gint64 until = start + (gint64)(seconds * G_USEC_PER_SEC);
    while (now < until) {
        for (int i = 0; i < 50; i++)
            if (!decode(in))
                g_error("%s: a decode failed", in->name);
        n += 50;
        now = g_get_monotonic_time();
    }
    return (double)n * G_USEC_PER_SEC / (double)(now - start);
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    if (argc == 3) {
        seconds = g_ascii_strtod(argv[1], NULL);
        argv++;
        argc--;
    }
    if (argc != 2 || seconds <= 0) {
        fprintf(stderr, "usage: %s [SECONDS] VECTORS_DIR\n", argv[0]);
        return 2;
    }
    WLog_SetLogLevel(WLog_GetRoot(), WLOG_OFF);
    printf("invitations decoded per second (parse + LHTICKET decryption + PassStub encryption),\n"
           "%.1f s per measurement, one thread; ratio = ratool / FreeRDP\n\n",
           seconds);
    printf("%-22s %6s %12s %12s %7s\n", "file", "bytes", "ratool/s", "FreeRDP/s", "ratio");
    double sum_ra = 0, sum_fr = 0;
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        Input in = {.name = g_strdup(names[i])};
        gchar *xml = g_strdup_printf("%s/%s.xml", argv[1], names[i]);
        gchar *pw = g_strdup_printf("%s/%s.password", argv[1], names[i]);
        if (!g_file_get_contents(xml, &in.data, &in.len, NULL) ||
            !g_file_get_contents(pw, &in.password, NULL, NULL))
            g_error("cannot read %s or %s", xml, pw);
        double ra = measure(decode_ra, &in, seconds);
        double fr = measure(decode_freerdp, &in, seconds);
        printf("%-22s %6zu %12.0f %12.0f %7.2f\n", names[i], (size_t)in.len, ra, fr, ra / fr);
        sum_ra += 1.0 / ra;
        sum_fr += 1.0 / fr;
        g_free(xml);
        g_free(pw);
        g_free(in.name);
        g_free(in.data);
        g_free(in.password);
    }
    /* the mix: each file once, per second */
    double mix_ra = G_N_ELEMENTS(names) / sum_ra, mix_fr = G_N_ELEMENTS(names) / sum_fr;
    printf("%-22s %6s %12.0f %12.0f %7.2f\n", "all three, in turn", "", mix_ra, mix_fr,
           mix_ra / mix_fr);
    return 0;
}
