/*
 * libFuzzer harness: the capture and stream parsing of `ratool analyze` - everything from the
 * capture file to the stories: libwiretap's readers behind ra/capfile.h, the link/IP/TCP decoding
 * (ra/netpkt.h), TCP reassembly (ra/tcpreasm.h), the passive DCE/RPC and NTLM observer
 * (ra/rpcobserve.h, which also tries the password below on every handshake) and the story engine
 * (ra/analyze.h) with every decoder behind it.
 *
 * Two input forms, chosen by the first byte:
 *  - 'R' then frames: each a length (u16, big-endian), a link type byte (RaLinkType) and that many
 *    bytes, fed straight to the engine, 1 ms apart - so that mutations reach the protocols without
 *    having to keep a pcapng structure valid;
 *  - anything else: a capture file (pcap, pcapng, ...), given to libwiretap through a memfd.
 * Truncated and mutated captures must never crash, hang or leak; the stories must be well formed
 * (checked below).
 */
#define _GNU_SOURCE
#include "ra/analyze.h"
#include "ra/capfile.h"
#include "ra/ntlmssp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static RaObsSecret secret;

static void on_story(const RaStory *s, gpointer data)
{
    guint *n = data;
    (*n)++;
    /* What a printer relies on. */
    if (s->summary == NULL || s->number == 0)
        abort();
    for (guint i = 0; i < s->steps->len; i++) {
        const RaStep *st = g_ptr_array_index(s->steps, i);
        if (st->what == NULL || st->result == NULL || st->connection == 0 ||
            st->connection > s->connections->len)
            abort();
        if (st->trouble >= 0 && ra_trouble(st->trouble) == NULL)
            abort();
    }
    for (guint i = 0; i < s->findings->len; i++) {
        const RaFinding *f = g_ptr_array_index(s->findings, i);
        if (f->evidence == NULL || ra_trouble(f->trouble) == NULL)
            abort();
    }
}

static void run_frames(RaAnalyzer *an, const uint8_t *data, size_t size)
{
    RaCapPacket p = {0};
    gint64 t = 1700000000;
    guint64 n = 0;
    while (size >= 3) {
        size_t len = (size_t)data[0] << 8 | data[1];
        RaLinkType link = (RaLinkType)(data[2] % (RA_LINK_SLL2 + 1));
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        p.number = ++n;
        p.ts_sec = t;
        p.ts_nsec = (guint32)(n % 1000) * 1000000u;
        p.link = link;
        p.data = data;
        p.caplen = (guint32)len;
        p.len = (guint32)len;
        ra_analyzer_packet(an, &p);
        data += len;
        size -= len;
    }
}

static void run_file(RaAnalyzer *an, const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-analyze", 0);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    gchar *path = g_strdup_printf("/proc/self/fd/%d", fd);
    RaCapReader *r = ra_cap_reader_open(path, NULL);
    if (r != NULL) {
        RaCapPacket p;
        GError *error = NULL;
        guint64 last = 0;
        while (ra_cap_reader_next(r, &p, &error)) {
            ra_analyzer_packet(an, &p);
            last = p.number;
        }
        if (error != NULL) {
            ra_analyzer_read_error(an, last, error);
            g_error_free(error);
        }
        ra_cap_reader_free(r);
    }
    g_free(path);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (secret.label == NULL) {
        ra_ntlm_nt_hash("Exp3rt-Pw!", secret.nt_hash, NULL);
        secret.label = "password 1";
    }
    guint stories = 0;
    RaAnalyzeConfig cfg = {&secret, 1, on_story, &stories};
    RaAnalyzer *an = ra_analyzer_new(&cfg);
    if (size > 0 && data[0] == 'R')
        run_frames(an, data + 1, size - 1);
    else
        run_file(an, data, size);
    ra_analyzer_finish(an);
    const RaAnalyzeStats *st = ra_analyzer_stats(an);
    if (st->stories != stories || ra_analyzer_open_connections(an) != 0 ||
        ra_analyzer_open_stories(an) != 0)
        abort();
    ra_analyzer_free(an);
    return 0;
}
