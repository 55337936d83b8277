/* Accounts: NT hash known answer, spec parsing, lookup rules, helpers. */
#include "ra/accounts.h"
#include "ra/error.h"
#include "ra/ntlmssp.h"

#include <string.h>

static void hex_to(const char *hex, guint8 *out, gsize len)
{
    g_assert_cmpuint(strlen(hex), ==, len * 2);
    for (gsize i = 0; i < len; i++)
        out[i] =
            (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4 | g_ascii_xdigit_value(hex[2 * i + 1]));
}

/* MS-NLMP 4.2.2.1.2: NTOWFv1("Password"). */
static void test_nt_hash(void)
{
    guint8 got[16], want[16];
    hex_to("a4f49c406510bdcab6824ee7c30fd852", want, 16);
    g_assert_true(ra_ntlm_nt_hash("Password", got, NULL));
    g_assert_cmpmem(got, 16, want, 16);
    /* Non-ASCII goes through UTF-16LE: differs from the Latin-1 bytes' hash. */
    guint8 other[16];
    g_assert_true(ra_ntlm_nt_hash("Pässword", other, NULL));
    g_assert_true(memcmp(other, got, 16) != 0);
    GError *error = NULL;
    g_assert_false(ra_ntlm_nt_hash("\xff\xfe", got, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_error_free(error);
}

static void test_split(void)
{
    gchar *d, *u, *s;
    g_assert_true(ra_account_spec_split("CONTOSO\\alice:pa:ss", &d, &u, &s, NULL));
    g_assert_cmpstr(d, ==, "CONTOSO");
    g_assert_cmpstr(u, ==, "alice");
    g_assert_cmpstr(s, ==, "pa:ss");
    g_free(d), g_free(u), g_free(s);
    g_assert_true(ra_account_spec_split("bob", &d, &u, &s, NULL));
    g_assert_cmpstr(d, ==, "");
    g_assert_cmpstr(u, ==, "bob");
    g_assert_null(s);
    g_free(d), g_free(u);
    g_assert_true(ra_account_spec_split("D\\u:", &d, &u, &s, NULL));
    g_assert_cmpstr(s, ==, "");
    g_free(d), g_free(u), g_free(s);

    const char *bad[] = {"", ":pw", "D\\:pw", "D\\a\\b:pw", "D\\a\tb:pw"};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        g_assert_false(ra_account_spec_split(bad[i], &d, &u, &s, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
}

static void test_lookup(void)
{
    g_autoptr(RaAccounts) acc = ra_accounts_new();
    GError *error = NULL;
    g_assert_true(ra_accounts_add_spec(acc, "CONTOSO\\alice:secret", FALSE, &error));
    g_assert_no_error(error);
    g_assert_true(ra_accounts_add_spec(acc, "anydom:pw2", FALSE, &error));
    g_assert_true(ra_accounts_add_hash_spec(acc, "FABRIKAM\\carol:a4f49c406510bdcab6824ee7c30fd852",
                                            FALSE, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(ra_accounts_count(acc), ==, 3);

    guint8 h[16];
    ra_ntlm_nt_hash("secret", h, NULL);
    const RaAccount *a = ra_accounts_lookup(acc, "contoso", "ALICE");
    g_assert_nonnull(a);
    g_assert_cmpmem(a->nt_hash, 16, h, 16);
    g_assert_nonnull(ra_accounts_lookup(acc, "", "alice")); /* client sent no domain */
    g_assert_null(ra_accounts_lookup(acc, "FABRIKAM", "alice"));
    g_assert_nonnull(ra_accounts_lookup(acc, "WHATEVER", "anydom"));
    a = ra_accounts_lookup(acc, "fabrikam", "carol");
    g_assert_nonnull(a);
    ra_ntlm_nt_hash("Password", h, NULL);
    g_assert_cmpmem(a->nt_hash, 16, h, 16);
    g_assert_null(ra_accounts_lookup(acc, "CONTOSO", "mallory"));
    g_assert_null(ra_accounts_lookup(acc, "CONTOSO", NULL));

    /* A later definition of the same account replaces its hash. */
    g_assert_true(ra_accounts_add_spec(acc, "contoso\\Alice:new", FALSE, NULL));
    ra_ntlm_nt_hash("new", h, NULL);
    g_assert_cmpmem(ra_accounts_lookup(acc, "CONTOSO", "alice")->nt_hash, 16, h, 16);
    g_assert_cmpuint(ra_accounts_count(acc), ==, 3);

    const char *bad_hash[] = {"D\\u:abc", "D\\u", "D\\u:a4f49c406510bdcab6824ee7c30fd85g"};
    for (gsize i = 0; i < G_N_ELEMENTS(bad_hash); i++) {
        g_assert_false(ra_accounts_add_hash_spec(acc, bad_hash[i], FALSE, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_clear_error(&error);
    }
    g_assert_false(ra_accounts_add_spec(acc, "D\\nopassword", FALSE, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

static void test_helpers(void)
{
    g_autoptr(RaAccounts) acc = ra_accounts_new();
    GError *error = NULL;
    g_assert_true(ra_accounts_add_spec(acc, "CONTOSO\\helper:pw", TRUE, &error));
    g_assert_true(ra_accounts_add_spec(acc, "CONTOSO\\plain:pw", FALSE, &error));
    g_assert_true(ra_accounts_add_spec(acc, "CONTOSO\\later", TRUE, &error));
    g_assert_no_error(error);
    g_assert_true(ra_accounts_is_helper(acc, "contoso", "HELPER"));
    g_assert_false(ra_accounts_is_helper(acc, "CONTOSO", "plain"));
    /* A helper without a password is not an account yet, and the check says so. */
    g_assert_null(ra_accounts_lookup(acc, "CONTOSO", "later"));
    g_assert_cmpuint(ra_accounts_count(acc), ==, 2);
    g_assert_false(ra_accounts_check(acc, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "later"));
    g_clear_error(&error);
    /* Defining the account afterwards completes it, and it stays a helper. */
    g_assert_true(ra_accounts_add_spec(acc, "contoso\\LATER:pw", FALSE, &error));
    g_assert_true(ra_accounts_check(acc, &error));
    g_assert_no_error(error);
    g_assert_true(ra_accounts_is_helper(acc, "CONTOSO", "later"));
    g_assert_nonnull(ra_accounts_lookup(acc, "CONTOSO", "later"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/accounts/nt-hash", test_nt_hash);
    g_test_add_func("/accounts/split", test_split);
    g_test_add_func("/accounts/lookup", test_lookup);
    g_test_add_func("/accounts/helpers", test_helpers);
    return g_test_run();
}
