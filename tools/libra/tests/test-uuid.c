/* UUIDs and syntax identifiers: textual and wire forms, ordering, generation. */
#include "ra/crypto.h"
#include "ra/uuid.h"

#include "hexvec.h"

static void test_parse_format(void)
{
    RaUuid u;
    GError *error = NULL;
    g_assert_true(ra_uuid_parse("{8A885D04-1CEB-11C9-9FE8-08002B104860}", &u, &error));
    g_assert_no_error(error);
    g_assert_true(ra_uuid_equal(&u, &ra_syntax_ndr20.uuid));
    char buf[RA_UUID_STRING_LEN + 1];
    g_assert_cmpstr(ra_uuid_format(&u, buf), ==, "8a885d04-1ceb-11c9-9fe8-08002b104860");
    static const char *bad[] = {"",
                                "8a885d04-1ceb-11c9-9fe8-08002b10486",
                                "8a885d04-1ceb-11c9-9fe8-08002b1048600",
                                "8a885d04x1ceb-11c9-9fe8-08002b104860",
                                "8a885d04-1ceb-11c9-9fe8-08002b10486g",
                                " 8a885d04-1ceb-11c9-9fe8-08002b104860",
                                "{8a885d04-1ceb-11c9-9fe8-08002b104860",
                                NULL};
    for (int i = 0; bad[i]; i++) {
        g_assert_false(ra_uuid_parse(bad[i], &u, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_clear_error(&error);
    }
}

static void test_wire(void)
{
    guint8 le[16];
    ra_uuid_to_le(&ra_syntax_ndr20.uuid, le);
    assert_hex(le, 16, "045d888aeb1cc9119fe808002b104860");
    RaUuid back;
    ra_uuid_from_le(le, &back);
    g_assert_true(ra_uuid_equal(&back, &ra_syntax_ndr20.uuid));
}

static void test_order_and_hash(void)
{
    RaUuid a, b;
    g_assert_true(ra_uuid_parse("00000000-0000-0000-0000-000000000001", &a, NULL));
    g_assert_true(ra_uuid_parse("00000000-0000-0000-0000-000000000100", &b, NULL));
    g_assert_cmpint(ra_uuid_compare(&a, &b), <, 0);
    g_assert_cmpint(ra_uuid_compare(&b, &a), >, 0);
    g_assert_cmpint(ra_uuid_compare(&a, &a), ==, 0);
    RaUuid nil = {0};
    g_assert_true(ra_uuid_is_nil(&nil));
    g_assert_false(ra_uuid_is_nil(&a));
    GHashTable *t = g_hash_table_new(ra_uuid_hash, ra_uuid_equal_func);
    g_hash_table_add(t, &a);
    RaUuid a2 = a;
    g_assert_true(g_hash_table_contains(t, &a2));
    g_assert_false(g_hash_table_contains(t, &b));
    g_hash_table_destroy(t);
}

static void test_generate(void)
{
    ra_random_set_seed("uuid test");
    RaUuid a, b;
    ra_uuid_generate(&a);
    ra_uuid_generate(&b);
    g_assert_false(ra_uuid_equal(&a, &b));
    g_assert_cmpuint(a.time_hi_and_version >> 12, ==, 4);
    g_assert_cmpuint(a.clock_seq[0] & 0xc0, ==, 0x80);
    ra_random_set_seed("uuid test");
    RaUuid again;
    ra_uuid_generate(&again);
    g_assert_true(ra_uuid_equal(&a, &again));
    ra_random_set_seed(NULL);
}

static void test_syntax(void)
{
    RaSyntaxId s;
    ra_syntax_bind_time_features(RA_BTFN_SECURITY_CONTEXT_MULTIPLEXING, &s);
    gchar *text = ra_syntax_id_to_string(&s);
    g_assert_cmpstr(text, ==, "6cb71c2c-9812-4540-0100-000000000000 v1.0");
    g_free(text);
    guint64 f = 0;
    g_assert_true(ra_syntax_is_bind_time_features(&s, &f));
    g_assert_cmpuint(f, ==, 1);
    g_assert_false(ra_syntax_is_bind_time_features(&ra_syntax_ndr20, &f));
    g_assert_false(ra_syntax_id_equal(&ra_syntax_ndr20, &ra_syntax_ndr64));
    text = ra_syntax_id_to_string(&ra_syntax_ndr64);
    g_assert_cmpstr(text, ==, "71710533-beba-4937-8319-b5dbef9ccc36 v1.0");
    g_free(text);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/uuid/parse-format", test_parse_format);
    g_test_add_func("/uuid/wire", test_wire);
    g_test_add_func("/uuid/order-and-hash", test_order_and_hash);
    g_test_add_func("/uuid/generate", test_generate);
    g_test_add_func("/uuid/syntax", test_syntax);
    return g_test_run();
}
