/*
 * Known-answer tests of the invitation cryptography (ra/ticket.h), compared as literal bytes:
 * the key and PassStub tables of testdata/vectors, the LHTICKETs of the type-2 vectors (decrypted
 * to their committed plaintext and re-encrypted to the file's bytes), and vectors computed with
 * an independent implementation (Python hashlib + pycryptodome) for a non-ASCII password.
 */
#include "ra/error.h"
#include "ra/ticket.h"
#include "testutil.h"

#include <string.h>

#include "ra/crypto.h"

static void assert_bytes(GBytes *got, GBytes *want)
{
    gsize a = 0, b = 0;
    const guint8 *pa = g_bytes_get_data(got, &a), *pb = g_bytes_get_data(want, &b);
    g_assert_cmpmem(pa, a, pb, b);
}

/* "password<TAB>hex<TAB>hex..." lines of a .tsv vector file, comments skipped. */
static gchar ***read_tsv(const char *name, guint *rows)
{
    g_autofree gchar *text = ra_test_read_vector(name, NULL);
    gchar **lines = g_strsplit(text, "\n", -1);
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; lines[i]; i++) {
        if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
        g_ptr_array_add(out, g_strsplit(lines[i], "\t", -1));
    }
    g_strfreev(lines);
    *rows = out->len;
    g_ptr_array_add(out, NULL);
    return (gchar ***)g_ptr_array_free(out, FALSE);
}

static void free_tsv(gchar ***rows)
{
    for (guint i = 0; rows[i]; i++)
        g_strfreev(rows[i]);
    g_free(rows);
}

/* lhticket-key-vectors.tsv: password -> SHA-1(UTF-16LE) -> AES-128 key. */
static void test_key_vectors(void)
{
    guint n = 0;
    gchar ***rows = read_tsv("lhticket-key-vectors.tsv", &n);
    g_assert_cmpuint(n, ==, 3);
    for (guint i = 0; i < n; i++) {
        guint8 key[16], sha1[20];
        GError *error = NULL;
        g_assert_true(ra_ticket_derive_key(rows[i][0], key, sha1, &error));
        g_assert_no_error(error);
        g_autoptr(GBytes) want_sha1 = ra_test_hex(rows[i][1]);
        g_autoptr(GBytes) want_key = ra_test_hex(rows[i][2]);
        g_autoptr(GBytes) got_sha1 = g_bytes_new(sha1, 20);
        g_autoptr(GBytes) got_key = g_bytes_new(key, 16);
        assert_bytes(got_sha1, want_sha1);
        assert_bytes(got_key, want_key);
    }
    free_tsv(rows);

    /* Literal bytes (MS-NLMP style), the first row and two computed independently. */
    static const guint8 password1[16] = {0x47, 0x2B, 0x14, 0xC8, 0x30, 0xBC, 0xCD, 0xDC,
                                         0x2B, 0x57, 0xC2, 0xF9, 0x16, 0x82, 0xE0, 0xB3};
    static const guint8 non_ascii[16] = {0xEC, 0x30, 0xED, 0xCD, 0x51, 0xFE, 0xC6, 0xD9,
                                         0xF9, 0xEC, 0x27, 0x2A, 0xA8, 0xE9, 0x43, 0x47};
    static const guint8 empty[16] = {0xD6, 0x7C, 0x99, 0xBA, 0x25, 0xD8, 0x8B, 0x61,
                                     0x8D, 0x63, 0x88, 0x42, 0x27, 0x1F, 0xDE, 0x09};
    guint8 key[16];
    g_assert_true(ra_ticket_derive_key("Password1", key, NULL, NULL));
    g_assert_cmpmem(key, 16, password1, 16);
    /* "pässwörd" + U+1F600: a surrogate pair in UTF-16 */
    g_assert_true(ra_ticket_derive_key("p\xC3\xA4ssw\xC3\xB6rd\xF0\x9F\x98\x80", key, NULL, NULL));
    g_assert_cmpmem(key, 16, non_ascii, 16);
    g_assert_true(ra_ticket_derive_key("", key, NULL, NULL));
    g_assert_cmpmem(key, 16, empty, 16);

    GError *error = NULL;
    g_assert_false(ra_ticket_derive_key("bad\xFF", key, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

/* passstub-vectors.tsv: password, PassStub -> MD5 key -> 32-byte RC4 ciphertext. */
static void test_passstub_vectors(void)
{
    guint n = 0;
    gchar ***rows = read_tsv("passstub-vectors.tsv", &n);
    g_assert_cmpuint(n, ==, 3);
    for (guint i = 0; i < n; i++) {
        GError *error = NULL;
        /* the key column: MD5 of the UTF-16LE password */
        gunichar2 *u = g_utf8_to_utf16(rows[i][0], -1, NULL, NULL, NULL);
        guint8 md5[16];
        g_assert_true(ra_digest(RA_DIGEST_MD5, u, strlen(rows[i][0]) * 2, md5, NULL));
        g_free(u);
        g_autoptr(GBytes) want_key = ra_test_hex(rows[i][2]);
        g_autoptr(GBytes) got_key = g_bytes_new(md5, 16);
        assert_bytes(got_key, want_key);

        g_autoptr(GBytes) enc = ra_passstub_encrypt(rows[i][0], rows[i][1], &error);
        g_assert_no_error(error);
        g_autoptr(GBytes) want = ra_test_hex(rows[i][3]);
        assert_bytes(enc, want);
        g_assert_true(ra_passstub_has_windows_layout(rows[i][1]));
    }
    free_tsv(rows);

    /* Literal bytes: the 2011 Microsoft blog's type-1 example. */
    static const guint8 blog[32] = {
        0x3C, 0x9C, 0xAE, 0x0B, 0xCE, 0x7A, 0xB1, 0x5C, 0x8A, 0xAC, 0x01,
        0xD6, 0x76, 0x04, 0x5E, 0xDF, 0x3F, 0xFA, 0xF0, 0x92, 0xE2, 0xDE,
        0x36, 0x8A, 0x20, 0x17, 0xE6, 0x8A, 0x0D, 0xED, 0x7C, 0x90,
    };
    g_autoptr(GBytes) b = ra_passstub_encrypt("Password1", "RT=0PvIndan52*", NULL);
    g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), blog, sizeof blog);

    /* A non-ASCII password, computed with Python's hashlib and pycryptodome's ARC4. */
    g_autoptr(GBytes) want2 =
        ra_test_hex("C8ACA97B1A4CE61789FE87EB6AADF661C0893976F079EE3714F2E522C53E5FD9");
    g_autoptr(GBytes) got2 =
        ra_passstub_encrypt("p\xC3\xA4ssw\xC3\xB6rd\xF0\x9F\x98\x80", "Ab!1Cd*_xY9zQw", NULL);
    assert_bytes(got2, want2);
}

/* The LHTICKET attribute of an invitation vector, found textually (invite.c is tested apart). */
static GBytes *vector_lhticket(const char *name)
{
    g_autofree gchar *file = g_strdup_printf("%s.xml", name);
    g_autofree gchar *xml = ra_test_read_vector(file, NULL);
    const char *start = strstr(xml, "LHTICKET=\"");
    g_assert_nonnull(start);
    start += strlen("LHTICKET=\"");
    g_autofree gchar *hex = g_strndup(start, strcspn(start, "\""));
    return ra_test_hex(hex);
}

/*
 * Each type-2 vector: decrypts to the committed plaintext with the committed padding, reads as
 * the committed text, and re-encrypting the plaintext gives the file's LHTICKET byte for byte.
 */
static void test_lhticket_vectors(void)
{
    static const struct {
        const char *name;
        guint pad;
    } vectors[] = {{"freerdp-invite-type2", 6}, {"freerdp-invite-3", 12}};
    for (guint i = 0; i < G_N_ELEMENTS(vectors); i++) {
        const char *name = vectors[i].name;
        g_test_message("vector %s", name);
        g_autoptr(GHashTable) want = ra_test_read_expected(name);
        g_autofree gchar *pwfile = g_strdup_printf("%s.password", name);
        g_autofree gchar *password = ra_test_read_vector(pwfile, NULL);
        g_assert_cmpstr(password, ==, g_hash_table_lookup(want, "password"));
        g_autoptr(GBytes) ticket = vector_lhticket(name);
        gsize tlen = 0;
        const guint8 *t = g_bytes_get_data(ticket, &tlen);

        g_autofree gchar *binfile = g_strdup_printf("%s.cs2.utf16le.bin", name);
        gsize plen = 0;
        g_autofree gchar *plain = ra_test_read_vector(binfile, &plen);
        g_assert_cmpuint(
            plen, ==, g_ascii_strtoull(g_hash_table_lookup(want, "cs2.utf16le_bytes"), NULL, 10));
        GError *error = NULL;
        g_autoptr(GBytes) got = ra_lhticket_decrypt(t, tlen, password, &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), plain, plen);
        g_assert_cmpuint(tlen - plen, ==, vectors[i].pad);

        g_autofree gchar *txtfile = g_strdup_printf("%s.cs2.txt", name);
        g_autofree gchar *text = ra_test_read_vector(txtfile, NULL);
        g_autofree gchar *got_text = ra_lhticket_decrypt_text(t, tlen, password, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(got_text, ==, text);

        /* re-encryption reproduces Windows' bytes, from the raw plaintext and from the text */
        g_autoptr(GBytes) again = ra_lhticket_encrypt((const guint8 *)plain, plen, password, NULL);
        assert_bytes(again, ticket);
        g_autoptr(GBytes) again_text = ra_lhticket_encrypt_text(text, password, NULL);
        assert_bytes(again_text, ticket);

        g_autofree gchar *hex = ra_hex_encode(t, tlen);
        g_autofree gchar *file = g_strdup_printf("%s.xml", name);
        g_autofree gchar *xml = ra_test_read_vector(file, NULL);
        g_assert_nonnull(strstr(xml, hex)); /* uppercase hex, as Windows writes it */
    }
}

/* A plaintext of whole blocks gets a whole block of padding; computed with pycryptodome. */
static void test_lhticket_independent(void)
{
    const char *pw = "p\xC3\xA4ssw\xC3\xB6rd\xF0\x9F\x98\x80";
    const char *text = "<E><A KH=\"k\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" "
                       "N=\"h\"/></T></C></E>\r\n";
    g_autoptr(GBytes) want = ra_test_hex(
        "4252B5BE09F0A8E228E335D1CB217B8A2502F5C64E3AB176844BC3CCDFB28A8C379CE8ADEFFFF1C925C0CD89"
        "9F6171394A710FDB8F6A2FC9E957664946D7CAA3656A4704F18E538AAB25C9C3C8514D5730BD88674327F9AA"
        "FADEA664149CD83B46A2DFE89FDFF14981C1D7072CCCE549AA76BE9305F40DD11642F029933253E88B348778"
        "E7F6F960CCCD762A01101B80C5BAB0D03F3D35245B250F0FB6819DB1");
    g_autoptr(GBytes) got = ra_lhticket_encrypt_text(text, pw, NULL);
    assert_bytes(got, want);
    g_assert_cmpuint(g_bytes_get_size(got), ==, 160);
    g_autofree gchar *back = ra_lhticket_decrypt_text(g_bytes_get_data(got, NULL), 160, pw, NULL);
    g_assert_cmpstr(back, ==, text);
}

/* A wrong password is WRONG_PASSWORD, never success and never MALFORMED: over many passwords,
 * some of which give a valid-looking padding (about 1 in 256), caught by the text check. */
static void test_wrong_password(void)
{
    g_autoptr(GBytes) ticket = vector_lhticket("freerdp-invite-type2");
    gsize n = 0;
    const guint8 *t = g_bytes_get_data(ticket, &n);
    guint padding_passed = 0;
    for (guint i = 0; i < 3000; i++) {
        g_autofree gchar *pw = g_strdup_printf("wrong-%u", i);
        GError *error = NULL;
        g_autoptr(GBytes) raw = ra_lhticket_decrypt(t, n, pw, NULL);
        if (raw != NULL)
            padding_passed++;
        gchar *text = ra_lhticket_decrypt_text(t, n, pw, &error);
        g_assert_null(text);
        g_assert_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD);
        g_assert_nonnull(strstr(error->message, "wrong password"));
        g_error_free(error);
    }
    g_test_message("%u of 3000 wrong passwords passed the padding check", padding_passed);
    g_assert_cmpuint(padding_passed, >, 0); /* the text check was exercised */

    /* The right password over content that is not text: the same error (we cannot tell). */
    static const guint8 junk[6] = {0x00, 0xD8, 0x41, 0x00, 0x42, 0x00}; /* lone surrogate */
    g_autoptr(GBytes) enc = ra_lhticket_encrypt(junk, sizeof junk, "pw", NULL);
    GError *error = NULL;
    g_assert_null(ra_lhticket_decrypt_text(g_bytes_get_data(enc, NULL), 16, "pw", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD);
    g_clear_error(&error);
    static const guint8 odd[3] = {'<', 0, '<'};
    g_autoptr(GBytes) enc2 = ra_lhticket_encrypt(odd, sizeof odd, "pw", NULL);
    g_assert_null(ra_lhticket_decrypt_text(g_bytes_get_data(enc2, NULL), 16, "pw", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD);
    g_clear_error(&error);
    /* a BOM is dropped, leading blanks are kept */
    static const guint8 bom[8] = {0xFF, 0xFE, ' ', 0, '<', 0, 'E', 0};
    g_autoptr(GBytes) enc3 = ra_lhticket_encrypt(bom, sizeof bom, "pw", NULL);
    g_autofree gchar *s = ra_lhticket_decrypt_text(g_bytes_get_data(enc3, NULL), 16, "pw", NULL);
    g_assert_cmpstr(s, ==, " <E");
}

static void test_malformed_ticket(void)
{
    guint8 buf[32] = {0};
    static const gsize lengths[] = {0, 1, 15, 17, 31};
    for (guint i = 0; i < G_N_ELEMENTS(lengths); i++) {
        GError *error = NULL;
        g_assert_null(ra_lhticket_decrypt(buf, lengths[i], "pw", &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
}

static void test_passstub_generate(void)
{
    guint seen[RA_PASSSTUB_LENGTH][128] = {{0}};
    for (guint i = 0; i < 4000; i++) {
        g_autofree gchar *s = ra_passstub_generate();
        g_assert_cmpuint(strlen(s), ==, RA_PASSSTUB_LENGTH);
        g_assert_true(ra_passstub_has_windows_layout(s));
        g_assert_null(strchr(s, '&'));
        for (guint j = 0; j < RA_PASSSTUB_LENGTH; j++)
            seen[j][(guchar)s[j] & 0x7F]++;
    }
    /* every character of each position's set shows up */
    guint distinct[RA_PASSSTUB_LENGTH] = {0};
    for (guint j = 0; j < RA_PASSSTUB_LENGTH; j++)
        for (guint c = 0; c < 128; c++)
            distinct[j] += seen[j][c] > 0;
    g_assert_cmpuint(distinct[0], ==, 64);
    g_assert_cmpuint(distinct[2], ==, 11);
    g_assert_cmpuint(distinct[3], ==, 10);
    g_assert_cmpuint(distinct[4], ==, 26);
    g_assert_cmpuint(distinct[5], ==, 26);
    g_assert_cmpuint(distinct[13], ==, 64);

    /* deterministic under a seed (reproducible test files) */
    ra_random_set_seed("passstub");
    g_autofree gchar *a = ra_passstub_generate();
    ra_random_set_seed("passstub");
    g_autofree gchar *b = ra_passstub_generate();
    ra_random_set_seed(NULL);
    g_assert_cmpstr(a, ==, b);

    static const char *const not_windows[] = {"",
                                              "WB^6HsrIaFmEp",
                                              "WB^6HsrIaFmEpiX",
                                              "WBx6HsrIaFmEpi",
                                              "WB^xHsrIaFmEpi",
                                              "WB^6hsrIaFmEpi",
                                              "WB^6HSrIaFmEpi",
                                              "WB^6HsrIaFmEp!"};
    for (guint i = 0; i < G_N_ELEMENTS(not_windows); i++)
        g_assert_false(ra_passstub_has_windows_layout(not_windows[i]));
    g_assert_true(ra_passstub_has_windows_layout("WB&6HsrIaFmEpi"));
    g_assert_false(ra_passstub_has_windows_layout(NULL));
}

static void test_hex(void)
{
    static const guint8 data[] = {0x00, 0x9F, 0xAB, 0xFF};
    g_autofree gchar *hex = ra_hex_encode(data, sizeof data);
    g_assert_cmpstr(hex, ==, "009FABFF");
    GError *error = NULL;
    g_autoptr(GBytes) back = ra_hex_decode("00 9f\nAb\tfF", "X", &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back), data, sizeof data);
    g_autoptr(GBytes) empty = ra_hex_decode("", "X", &error);
    g_assert_cmpuint(g_bytes_get_size(empty), ==, 0);

    g_assert_null(ra_hex_decode("ABC", "LHTICKET", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_assert_cmpstr(error->message, ==, "LHTICKET has an odd number of hex digits (3)");
    g_clear_error(&error);
    g_assert_null(ra_hex_decode("ABXD", "LHTICKET", &error));
    g_assert_cmpstr(error->message, ==, "LHTICKET has a non-hex character 'X' at position 3");
    g_clear_error(&error);
    g_assert_null(ra_hex_decode("AB\xC3\xA9", "LHTICKET", &error));
    g_assert_cmpstr(error->message, ==, "LHTICKET has a non-hex byte 0xC3 at position 3");
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ticket/key-vectors", test_key_vectors);
    g_test_add_func("/ticket/passstub-vectors", test_passstub_vectors);
    g_test_add_func("/ticket/lhticket-vectors", test_lhticket_vectors);
    g_test_add_func("/ticket/lhticket-independent", test_lhticket_independent);
    g_test_add_func("/ticket/wrong-password", test_wrong_password);
    g_test_add_func("/ticket/malformed", test_malformed_ticket);
    g_test_add_func("/ticket/passstub-generate", test_passstub_generate);
    g_test_add_func("/ticket/hex", test_hex);
    return g_test_run();
}
