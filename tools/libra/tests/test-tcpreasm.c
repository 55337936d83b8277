/*
 * Unit tests of ra/tcpreasm.h: in-order delivery, segments out of order, full and partial
 * retransmissions, holes given up on when the queue is full, when the peer acknowledged past
 * them and at a flush, snapped segments, sequence wrap-around, FIN, and a stream without SYN.
 * The output is recorded as text: "abc" for data, "<gap N>" for a gap.
 */
#include "ra/tcpreasm.h"

#include <string.h>

static void on_data(const guint8 *data, gsize len, gpointer user)
{
    g_string_append_len(user, (const char *)data, (gssize)len);
}

static void on_gap(guint32 missing, gpointer user)
{
    g_string_append_printf(user, "<gap %u>", missing);
}

static const RaTcpDirFuncs funcs = {on_data, on_gap};

static void seg(RaTcpDir *d, guint32 seq, const char *text)
{
    gsize n = strlen(text);
    ra_tcp_dir_segment(d, seq, (const guint8 *)text, n, n, FALSE);
}

static void test_in_order_and_reordered(void)
{
    GString *out = g_string_new(NULL);
    RaTcpDir *d = ra_tcp_dir_new(0, &funcs, out);
    ra_tcp_dir_syn(d, 999);
    seg(d, 1000, "hello ");
    seg(d, 1011, "world"); /* ahead of "there" */
    g_assert_cmpstr(out->str, ==, "hello ");
    g_assert_cmpuint(ra_tcp_dir_queued(d), ==, 5);
    seg(d, 1006, "there");
    g_assert_cmpstr(out->str, ==, "hello thereworld");
    g_assert_cmpuint(ra_tcp_dir_queued(d), ==, 0);
    const RaTcpDirStats *st = ra_tcp_dir_stats(d);
    g_assert_cmpuint(st->out_of_order, ==, 1);
    g_assert_cmpuint(st->bytes, ==, 16);
    g_assert_cmpuint(st->gaps, ==, 0);
    g_assert_true(ra_tcp_dir_saw_syn(d));
    ra_tcp_dir_free(d);
    g_string_free(out, TRUE);
}

static void test_retransmissions(void)
{
    GString *out = g_string_new(NULL);
    RaTcpDir *d = ra_tcp_dir_new(0, &funcs, out);
    ra_tcp_dir_syn(d, 0);
    seg(d, 1, "abcdef");
    seg(d, 1, "abcdef");   /* whole */
    seg(d, 4, "defghi");   /* partial overlap: "ghi" is new */
    seg(d, 12, "lm");      /* ahead */
    seg(d, 12, "lm");      /* the same queued twice */
    seg(d, 10, "jklmnop"); /* fills the hole and overlaps the queue */
    g_assert_cmpstr(out->str, ==, "abcdefghijklmnop");
    const RaTcpDirStats *st = ra_tcp_dir_stats(d);
    g_assert_cmpuint(st->retransmissions, ==, 3); /* abcdef again, and both queued "lm" */
    g_assert_cmpuint(st->retransmitted_bytes, ==, 6 + 3 + 2 + 2);
    g_assert_cmpuint(st->gaps, ==, 0);
    ra_tcp_dir_free(d);
    g_string_free(out, TRUE);
}

static void test_gaps(void)
{
    GString *out = g_string_new(NULL);
    /* Queue limit of 7 bytes: the hole is given up when the second segment would make 8 wait. */
    RaTcpDir *d = ra_tcp_dir_new(7, &funcs, out);
    ra_tcp_dir_syn(d, 0);
    seg(d, 1, "ab");
    seg(d, 6, "fghi"); /* hole "cde" */
    seg(d, 10, "jklm");
    g_assert_cmpstr(out->str, ==, "ab<gap 3>fghijklm");
    ra_tcp_dir_free(d);

    /* The peer acknowledged past the hole: the capture missed it. */
    g_string_truncate(out, 0);
    d = ra_tcp_dir_new(0, &funcs, out);
    ra_tcp_dir_syn(d, 0);
    seg(d, 1, "ab");
    seg(d, 6, "fg");
    g_assert_cmpstr(out->str, ==, "ab");
    ra_tcp_dir_acked(d, 5); /* not yet past the hole's end */
    g_assert_cmpstr(out->str, ==, "ab");
    ra_tcp_dir_acked(d, 8);
    g_assert_cmpstr(out->str, ==, "ab<gap 3>fg");
    /* Later data after an acknowledged but unseen stretch. */
    ra_tcp_dir_acked(d, 12);
    seg(d, 12, "lm");
    g_assert_cmpstr(out->str, ==, "ab<gap 3>fg<gap 4>lm");
    const RaTcpDirStats *st = ra_tcp_dir_stats(d);
    g_assert_cmpuint(st->gaps, ==, 2);
    g_assert_cmpuint(st->gap_bytes, ==, 7);
    /* Acknowledged bytes at the end that never came: found at the flush. */
    ra_tcp_dir_acked(d, 20);
    ra_tcp_dir_flush(d);
    g_assert_cmpstr(out->str, ==, "ab<gap 3>fg<gap 4>lm<gap 6>");
    ra_tcp_dir_free(d);

    /* A flush gives up holes with nothing acknowledged. */
    g_string_truncate(out, 0);
    d = ra_tcp_dir_new(0, &funcs, out);
    seg(d, 100, "x");
    seg(d, 105, "y");
    seg(d, 110, "z");
    ra_tcp_dir_flush(d);
    g_assert_cmpstr(out->str, ==, "x<gap 4>y<gap 4>z");
    g_assert_false(ra_tcp_dir_saw_syn(d));
    ra_tcp_dir_free(d);
    g_string_free(out, TRUE);
}

static void test_snapped_wrap_fin(void)
{
    GString *out = g_string_new(NULL);
    RaTcpDir *d = ra_tcp_dir_new(0, &funcs, out);
    ra_tcp_dir_syn(d, 0xfffffffd); /* the stream starts at 0xfffffffe */
    ra_tcp_dir_segment(d, 0xfffffffe, (const guint8 *)"abcdef", 3, 6, FALSE); /* cut at 3 */
    seg(d, 4, "gh"); /* after the wrap: 0xfffffffe + 6 = 4 */
    ra_tcp_dir_segment(d, 6, (const guint8 *)"i", 1, 1, TRUE);
    g_assert_cmpstr(out->str, ==, "abc<gap 3>ghi");
    g_assert_true(ra_tcp_dir_finished(d));
    seg(d, 7, "after the FIN");
    g_assert_cmpstr(out->str, ==, "abc<gap 3>ghi");
    ra_tcp_dir_free(d);

    /* A FIN ahead of a hole finishes the stream only once the hole is resolved. */
    g_string_truncate(out, 0);
    d = ra_tcp_dir_new(0, &funcs, out);
    ra_tcp_dir_syn(d, 0);
    seg(d, 1, "a");
    ra_tcp_dir_segment(d, 3, (const guint8 *)"c", 1, 1, TRUE);
    g_assert_false(ra_tcp_dir_finished(d));
    ra_tcp_dir_flush(d);
    g_assert_true(ra_tcp_dir_finished(d));
    g_assert_cmpstr(out->str, ==, "a<gap 1>c");
    ra_tcp_dir_free(d);
    g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcpreasm/in-order-and-reordered", test_in_order_and_reordered);
    g_test_add_func("/tcpreasm/retransmissions", test_retransmissions);
    g_test_add_func("/tcpreasm/gaps", test_gaps);
    g_test_add_func("/tcpreasm/snapped-wrap-fin", test_snapped_wrap_fin);
    return g_test_run();
}
