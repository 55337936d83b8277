/*
 * ra/bytes.h: each reader and writer against literal bytes, at an odd (unaligned) offset, with
 * every byte distinct so that a swapped or dropped byte shows.
 */
#include "ra/bytes.h"

#include <string.h>

static const guint8 wire[] = {0xee, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

static void test_read(void)
{
    const guint8 *p = wire + 1;
    g_assert_cmphex(ra_le16(p), ==, 0x2301);
    g_assert_cmphex(ra_le32(p), ==, 0x67452301);
    g_assert_cmphex(ra_le64(p), ==, G_GUINT64_CONSTANT(0xefcdab8967452301));
    g_assert_cmphex(ra_be16(p), ==, 0x0123);
    g_assert_cmphex(ra_be32(p), ==, 0x01234567);
    /* The high bit does not sign-extend. */
    static const guint8 high[] = {0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8};
    g_assert_cmphex(ra_le32(high), ==, 0xfcfdfeff);
    g_assert_cmphex(ra_be32(high), ==, 0xfffefdfc);
    g_assert_cmphex(ra_le64(high), ==, G_GUINT64_CONSTANT(0xf8f9fafbfcfdfeff));
}

static void test_write(void)
{
    guint8 b[7];
    memset(b, 0xaa, sizeof b);
    ra_put_le16(b + 1, 0x2301);
    g_assert_cmpmem(b, 4, ((const guint8[]){0xaa, 0x01, 0x23, 0xaa}), 4);
    ra_put_le32(b + 1, 0x67452301);
    g_assert_cmpmem(b, 6, ((const guint8[]){0xaa, 0x01, 0x23, 0x45, 0x67, 0xaa}), 6);
    ra_put_be16(b + 1, 0x0123);
    g_assert_cmpmem(b, 4, ((const guint8[]){0xaa, 0x01, 0x23, 0x45}), 4);
    memset(b, 0xaa, sizeof b);
    ra_put_be32(b + 1, 0x01234567);
    g_assert_cmpmem(b, 6, ((const guint8[]){0xaa, 0x01, 0x23, 0x45, 0x67, 0xaa}), 6);
    /* Round trips. */
    ra_put_le32(b, 0xdeadbeef);
    g_assert_cmphex(ra_le32(b), ==, 0xdeadbeef);
    ra_put_be32(b, 0xdeadbeef);
    g_assert_cmphex(ra_be32(b), ==, 0xdeadbeef);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bytes/read", test_read);
    g_test_add_func("/bytes/write", test_write);
    return g_test_run();
}
