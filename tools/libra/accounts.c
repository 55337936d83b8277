/*
 * Accounts and helpers for NTLM authentication (see ra/accounts.h).
 */
#include "ra/accounts.h"
#include "ra/error.h"
#include "ra/ntlmssp.h"

#include <string.h>

#define MAX_NAME 256

struct RaAccounts {
    GPtrArray *list; /* RaAccount* */
};

static void account_free(gpointer data)
{
    RaAccount *a = data;
    g_free(a->domain);
    g_free(a->user);
    memset(a->nt_hash, 0, sizeof a->nt_hash);
    g_free(a);
}

RaAccounts *ra_accounts_new(void)
{
    RaAccounts *accounts = g_new0(RaAccounts, 1);
    accounts->list = g_ptr_array_new_with_free_func(account_free);
    return accounts;
}

void ra_accounts_free(RaAccounts *accounts)
{
    if (accounts == NULL)
        return;
    g_ptr_array_unref(accounts->list);
    g_free(accounts);
}

static gboolean check_name(const char *what, const char *name, gboolean may_be_empty,
                           GError **error)
{
    if (!g_utf8_validate(name, -1, NULL)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the %s is not valid UTF-8", what);
        return FALSE;
    }
    if (!may_be_empty && *name == '\0') {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the %s is empty", what);
        return FALSE;
    }
    if (g_utf8_strlen(name, -1) > MAX_NAME) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the %s is longer than %d characters",
                    what, MAX_NAME);
        return FALSE;
    }
    for (const char *p = name; *p; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7f) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the %s contains a control character",
                        what);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean ra_account_spec_split(const char *spec, gchar **domain, gchar **user, gchar **secret,
                               GError **error)
{
    const char *colon = strchr(spec, ':');
    gsize name_len = colon != NULL ? (gsize)(colon - spec) : strlen(spec);
    gchar *name = g_strndup(spec, name_len);
    const char *slash = strchr(name, '\\');
    gchar *d = slash != NULL ? g_strndup(name, (gsize)(slash - name)) : g_strdup("");
    gchar *u = g_strdup(slash != NULL ? slash + 1 : name);
    g_free(name);
    if (!check_name("domain name", d, TRUE, error) || !check_name("user name", u, FALSE, error)) {
        g_free(d);
        g_free(u);
        return FALSE;
    }
    if (strchr(u, '\\') != NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "'%s' has more than one '\\'", u);
        g_free(d);
        g_free(u);
        return FALSE;
    }
    *domain = d;
    *user = u;
    *secret = colon != NULL ? g_strdup(colon + 1) : NULL;
    return TRUE;
}

static gboolean names_match(const char *configured, const char *given)
{
    gchar *a = g_utf8_casefold(configured, -1), *b = g_utf8_casefold(given, -1);
    gboolean same = strcmp(a, b) == 0;
    g_free(a);
    g_free(b);
    return same;
}

/* The entry for exactly this domain and user (for updates), or NULL. */
static RaAccount *find_exact(const RaAccounts *accounts, const char *domain, const char *user)
{
    for (guint i = 0; i < accounts->list->len; i++) {
        RaAccount *a = g_ptr_array_index(accounts->list, i);
        if (names_match(a->domain, domain) && names_match(a->user, user))
            return a;
    }
    return NULL;
}

/* The lookup rule of ra/accounts.h: an empty domain on either side matches any domain. */
static gboolean account_matches(const RaAccount *a, const char *domain, const char *user)
{
    if (!names_match(a->user, user))
        return FALSE;
    return a->domain[0] == '\0' || domain == NULL || domain[0] == '\0' ||
           names_match(a->domain, domain);
}

gboolean ra_accounts_add(RaAccounts *accounts, const char *domain, const char *user,
                         const char *password, const guint8 *nt_hash, gboolean helper,
                         GError **error)
{
    g_return_val_if_fail(password == NULL || nt_hash == NULL, FALSE);
    if (domain == NULL)
        domain = "";
    if (!check_name("domain name", domain, TRUE, error) ||
        !check_name("user name", user, FALSE, error))
        return FALSE;
    guint8 hash[RA_NT_HASH_SIZE];
    gboolean has_hash = FALSE;
    if (password != NULL) {
        if (!ra_ntlm_nt_hash(password, hash, error))
            return FALSE;
        has_hash = TRUE;
    } else if (nt_hash != NULL) {
        memcpy(hash, nt_hash, sizeof hash);
        has_hash = TRUE;
    }
    RaAccount *a = find_exact(accounts, domain, user);
    if (a == NULL) {
        a = g_new0(RaAccount, 1);
        a->domain = g_strdup(domain);
        a->user = g_strdup(user);
        g_ptr_array_add(accounts->list, a);
    }
    if (has_hash) {
        memcpy(a->nt_hash, hash, sizeof hash);
        a->has_hash = TRUE;
    }
    if (helper)
        a->helper = TRUE;
    memset(hash, 0, sizeof hash);
    return TRUE;
}

gboolean ra_accounts_add_spec(RaAccounts *accounts, const char *spec, gboolean helper,
                              GError **error)
{
    gchar *domain, *user, *secret;
    if (!ra_account_spec_split(spec, &domain, &user, &secret, error))
        return FALSE;
    gboolean ok;
    if (secret == NULL && !helper) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "account '%s%s%s' has no password (write DOMAIN\\user:password)", domain,
                    *domain ? "\\" : "", user);
        ok = FALSE;
    } else {
        ok = ra_accounts_add(accounts, domain, user, secret, NULL, helper, error);
    }
    if (secret != NULL) {
        memset(secret, 0, strlen(secret));
        g_free(secret);
    }
    g_free(domain);
    g_free(user);
    return ok;
}

gboolean ra_accounts_add_hash_spec(RaAccounts *accounts, const char *spec, gboolean helper,
                                   GError **error)
{
    gchar *domain, *user, *secret;
    if (!ra_account_spec_split(spec, &domain, &user, &secret, error))
        return FALSE;
    guint8 hash[RA_NT_HASH_SIZE];
    gboolean ok = secret != NULL && strlen(secret) == 2 * RA_NT_HASH_SIZE;
    for (gsize i = 0; ok && i < RA_NT_HASH_SIZE; i++) {
        int hi = g_ascii_xdigit_value(secret[2 * i]), lo = g_ascii_xdigit_value(secret[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        hash[i] = (guint8)(hi << 4 | lo);
    }
    if (!ok)
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "account '%s': an NT hash is 32 hexadecimal digits (DOMAIN\\user:HASH)", user);
    else
        ok = ra_accounts_add(accounts, domain, user, NULL, hash, helper, error);
    memset(hash, 0, sizeof hash);
    g_free(secret);
    g_free(domain);
    g_free(user);
    return ok;
}

const RaAccount *ra_accounts_lookup(const RaAccounts *accounts, const char *domain,
                                    const char *user)
{
    if (user == NULL)
        return NULL;
    /* An exact domain match wins over an any-domain account. */
    const RaAccount *loose = NULL;
    for (guint i = 0; i < accounts->list->len; i++) {
        const RaAccount *a = g_ptr_array_index(accounts->list, i);
        if (!a->has_hash || !account_matches(a, domain, user))
            continue;
        if (domain != NULL && a->domain[0] != '\0' && names_match(a->domain, domain))
            return a;
        if (loose == NULL)
            loose = a;
    }
    return loose;
}

gboolean ra_accounts_is_helper(const RaAccounts *accounts, const char *domain, const char *user)
{
    for (guint i = 0; user != NULL && i < accounts->list->len; i++) {
        const RaAccount *a = g_ptr_array_index(accounts->list, i);
        if (a->helper && account_matches(a, domain, user))
            return TRUE;
    }
    return FALSE;
}

guint ra_accounts_count(const RaAccounts *accounts)
{
    guint n = 0;
    for (guint i = 0; i < accounts->list->len; i++)
        n += ((const RaAccount *)g_ptr_array_index(accounts->list, i))->has_hash ? 1 : 0;
    return n;
}

gboolean ra_accounts_check(const RaAccounts *accounts, GError **error)
{
    for (guint i = 0; i < accounts->list->len; i++) {
        const RaAccount *a = g_ptr_array_index(accounts->list, i);
        if (a->helper && !a->has_hash && ra_accounts_lookup(accounts, a->domain, a->user) == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_NOT_FOUND,
                        "helper '%s%s%s' has no password: give one with --helper "
                        "'DOMAIN\\user:password' or define the account with --account",
                        a->domain, *a->domain ? "\\" : "", a->user);
            return FALSE;
        }
    }
    return TRUE;
}
