/* Known-answer tests for the OpenSSL wrappers: published vectors, compared as literal bytes. */
#include "ra/crypto.h"
#include "ra/error.h"

#include <string.h>

static void hex_to(const char *hex, guint8 *out, gsize len)
{
    g_assert_cmpuint(strlen(hex), ==, len * 2);
    for (gsize i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        g_assert_true(hi >= 0 && lo >= 0);
        out[i] = (guint8)(hi << 4 | lo);
    }
}

static void assert_digest(RaDigest alg, const char *input, const char *expect_hex)
{
    guint8 got[RA_DIGEST_MAX_SIZE], want[RA_DIGEST_MAX_SIZE];
    GError *error = NULL;
    gsize n = ra_digest_size(alg);
    hex_to(expect_hex, want, n);
    g_assert_true(ra_digest(alg, input, strlen(input), got, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(got, n, want, n);
}

/* RFC 1320, RFC 1321, FIPS 180-2 examples for "abc". */
static void test_digests(void)
{
    assert_digest(RA_DIGEST_MD4, "abc", "a448017aaf21d8525fc10ae87aa6729d");
    assert_digest(RA_DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
    assert_digest(RA_DIGEST_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_digest(RA_DIGEST_SHA256, "abc",
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* RFC 2104 test case 2: HMAC-MD5("Jefe", "what do ya want for nothing?"), given in two parts. */
static void test_hmac_md5(void)
{
    guint8 got[16], want[16];
    hex_to("750c783e6ab0b503eaa86e310a5db738", want, 16);
    RaBuf parts[] = {{"what do ya ", 11}, {"want for nothing?", 17}};
    GError *error = NULL;
    g_assert_true(ra_hmacv(RA_DIGEST_MD5, "Jefe", 4, parts, 2, got, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(got, 16, want, 16);
}

/* RFC 6229, 40-bit key 0102030405: keystream at offset 0, applied in two calls. */
static void test_rc4(void)
{
    static const guint8 key[] = {1, 2, 3, 4, 5};
    guint8 zeros[16] = {0}, want[16];
    hex_to("b2396305f03dc027ccc3524a0a1118a8", want, 16);
    GError *error = NULL;
    RaRc4 *rc4 = ra_rc4_new(key, sizeof key, &error);
    g_assert_no_error(error);
    g_assert_true(ra_rc4_apply(rc4, zeros, zeros, 5, &error));
    g_assert_true(ra_rc4_apply(rc4, zeros + 5, zeros + 5, 11, &error));
    g_assert_cmpmem(zeros, 16, want, 16);
    ra_rc4_free(rc4);
}

/* NIST SP 800-38A F.2.1/F.2.2, first block. */
static void test_aes_cbc(void)
{
    guint8 key[16], iv[16], plain[16], cipher[16], buf[16];
    hex_to("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
    hex_to("000102030405060708090a0b0c0d0e0f", iv, 16);
    hex_to("6bc1bee22e409f96e93d7e117393172a", plain, 16);
    hex_to("7649abac8119b246cee98e9b12e9197d", cipher, 16);
    GError *error = NULL;
    g_assert_true(ra_aes128_cbc(TRUE, key, iv, plain, 16, buf, &error));
    g_assert_cmpmem(buf, 16, cipher, 16);
    g_assert_true(ra_aes128_cbc(FALSE, key, iv, buf, 16, buf, &error));
    g_assert_cmpmem(buf, 16, plain, 16);
    g_assert_false(ra_aes128_cbc(TRUE, key, iv, plain, 15, buf, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

static void test_seeded_random(void)
{
    guint8 a[40], b[40], c[40];
    ra_random_set_seed("capture-1");
    ra_random_bytes(a, 7);
    ra_random_bytes(a + 7, 33);
    ra_random_set_seed("capture-1");
    ra_random_bytes(b, 40);
    g_assert_cmpmem(a, 40, b, 40);
    ra_random_set_seed("capture-2");
    ra_random_bytes(c, 40);
    g_assert_true(memcmp(a, c, 40) != 0);
    ra_random_set_seed(NULL);
    g_assert_false(ra_random_is_seeded());
    ra_random_bytes(c, 40);
    g_assert_true(memcmp(a, c, 40) != 0);
}

static void test_not_a_certificate(void)
{
    RaCertInfo info;
    GError *error = NULL;
    static const guint8 junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    g_assert_false(ra_cert_info_from_der(junk, sizeof junk, &info, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto/digests", test_digests);
    g_test_add_func("/crypto/hmac-md5", test_hmac_md5);
    g_test_add_func("/crypto/rc4", test_rc4);
    g_test_add_func("/crypto/aes-128-cbc", test_aes_cbc);
    g_test_add_func("/crypto/seeded-random", test_seeded_random);
    g_test_add_func("/crypto/not-a-certificate", test_not_a_certificate);
    return g_test_run();
}
