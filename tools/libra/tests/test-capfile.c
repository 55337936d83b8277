/*
 * Unit tests of ra/capfile.h: packets written as pcapng and pcap come back with the same bytes,
 * timestamps, lengths and comments; a capture cut in the middle of a record reads up to the cut
 * and then fails with RA_ERROR_MALFORMED; a file that is no capture, and one that does not exist,
 * are refused with distinct errors; the committed reference capture opens as pcap.
 */
#include "ra/capfile.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <string.h>

typedef struct {
    gint64 sec;
    guint32 nsec;
    gsize len;
    const char *comment;
} Want;

static const Want packets[] = {
    {1700000000, 1, 60, "expert activates RASrv"},
    {1700000000, 999999999, 1514, NULL},
    {1700000123, 500000000, 14, "last"},
};

static void fill(guint8 *buf, gsize len, guint seed)
{
    for (gsize i = 0; i < len; i++)
        buf[i] = (guint8)(i * 13 + seed);
}

static gchar *write_file(RaCapFormat format)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("test-capfile-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    GError *error = NULL;
    RaCapWriter *w = ra_cap_writer_open(path, format, RA_LINK_ETHERNET, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < G_N_ELEMENTS(packets); i++) {
        guint8 buf[2000];
        fill(buf, packets[i].len, i);
        g_assert_true(ra_cap_writer_write(w, packets[i].sec, packets[i].nsec, buf, packets[i].len,
                                          packets[i].comment, &error));
        g_assert_no_error(error);
    }
    g_assert_true(ra_cap_writer_close(w, &error));
    g_assert_no_error(error);
    return path;
}

static void check_read(const char *path, gboolean comments, const char *format)
{
    GError *error = NULL;
    g_autoptr(RaCapReader) r = ra_cap_reader_open(path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(ra_cap_reader_format(r), ==, format);
    RaCapPacket p;
    for (guint i = 0; i < G_N_ELEMENTS(packets); i++) {
        g_assert_true(ra_cap_reader_next(r, &p, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(p.number, ==, i + 1);
        g_assert_cmpint(p.ts_sec, ==, packets[i].sec);
        g_assert_cmpuint(p.ts_nsec, ==, packets[i].nsec);
        g_assert_cmpint(p.link, ==, RA_LINK_ETHERNET);
        g_assert_cmpuint(p.caplen, ==, packets[i].len);
        g_assert_cmpuint(p.len, ==, packets[i].len);
        guint8 buf[2000];
        fill(buf, packets[i].len, i);
        g_assert_cmpmem(p.data, p.caplen, buf, packets[i].len);
        g_assert_cmpstr(p.comment, ==, comments ? packets[i].comment : NULL);
    }
    g_assert_false(ra_cap_reader_next(r, &p, &error));
    g_assert_no_error(error);
    g_assert_false(ra_cap_reader_next(r, &p, &error));
    g_assert_no_error(error);
    g_assert_cmpint(ra_cap_reader_offset(r), ==, ra_cap_reader_file_size(r));
}

static void test_pcapng(void)
{
    g_autofree gchar *path = write_file(RA_CAP_PCAPNG);
    check_read(path, TRUE, "pcapng");
    g_unlink(path);
}

static void test_pcap(void)
{
    g_autofree gchar *path = write_file(RA_CAP_PCAP);
    check_read(path, FALSE, "nsecpcap");
    g_unlink(path);
}

/* Cut the pcap file in the middle of its last record. */
static void test_truncated(void)
{
    g_autofree gchar *path = write_file(RA_CAP_PCAP);
    gchar *data;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_true(g_file_set_contents(path, data, (gssize)(len - 5), NULL));
    g_free(data);
    GError *error = NULL;
    g_autoptr(RaCapReader) r = ra_cap_reader_open(path, &error);
    g_assert_no_error(error);
    RaCapPacket p;
    g_assert_true(ra_cap_reader_next(r, &p, &error));
    g_assert_true(ra_cap_reader_next(r, &p, &error));
    g_assert_false(ra_cap_reader_next(r, &p, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_assert_nonnull(strstr(error->message, "after packet 2"));
    g_assert_nonnull(strstr(error->message, "truncated"));
    g_clear_error(&error);
    g_assert_false(ra_cap_reader_next(r, &p, &error));
    g_assert_no_error(error);
    g_unlink(path);
}

static void test_not_a_capture(void)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("test-capfile-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, "this is not a capture file at all\n", -1, NULL));
    GError *error = NULL;
    g_assert_null(ra_cap_reader_open(path, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_unlink(path);
    g_assert_null(ra_cap_reader_open(path, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_IO);
    g_clear_error(&error);
    g_free(path);
}

static void test_reference(void)
{
    g_autofree gchar *path =
        g_build_filename(g_getenv("RAI_TESTDATA"), "captures", "rai-reference.pcap", NULL);
    GError *error = NULL;
    g_autoptr(RaCapReader) r = ra_cap_reader_open(path, &error);
    g_assert_no_error(error);
    RaCapPacket p;
    guint n = 0;
    while (ra_cap_reader_next(r, &p, &error)) {
        g_assert_cmpint(p.link, ==, RA_LINK_ETHERNET);
        n++;
    }
    g_assert_no_error(error);
    g_assert_cmpuint(n, >, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/capfile/pcapng", test_pcapng);
    g_test_add_func("/capfile/pcap", test_pcap);
    g_test_add_func("/capfile/truncated", test_truncated);
    g_test_add_func("/capfile/not-a-capture", test_not_a_capture);
    g_test_add_func("/capfile/reference", test_reference);
    return g_test_run();
}
