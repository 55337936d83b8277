/*
 * The accounts a server authenticates with NTLM, and which of them are helpers.
 *
 * An account is DOMAIN\user with an NT hash (MD4 of the UTF-16LE password, [MS-NLMP] 3.3.1
 * NTOWFv1, the key NTOWFv2 derives from; ra_ntlm_nt_hash()); the password itself is never kept. A
 * helper is an account in the "Offer Remote Assistance Helpers" group ([MS-RAI] 1.3): `ratool serve
 * --helper` names one, with or without a password (without one it must also be defined as an
 * account).
 *
 * Names compare case-insensitively (as Windows does for account and domain names). An account
 * with an empty domain matches whatever domain the client sends; a client that sends an empty
 * domain matches an account by user name alone.
 */
#ifndef RA_ACCOUNTS_H
#define RA_ACCOUNTS_H

#include <glib.h>

G_BEGIN_DECLS

#define RA_NT_HASH_SIZE 16

typedef struct {
    gchar *domain; /* "" = any domain */
    gchar *user;
    guint8 nt_hash[RA_NT_HASH_SIZE];
    gboolean has_hash; /* FALSE for a helper named without a password (not yet an account) */
    gboolean helper;
} RaAccount;

typedef struct RaAccounts RaAccounts;

RaAccounts *ra_accounts_new(void);
void ra_accounts_free(RaAccounts *accounts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaAccounts, ra_accounts_free)

/*
 * Splits "DOMAIN\user[:secret]" (or "user[:secret]"). Returns newly allocated domain ("" when
 * absent), user, and secret (NULL when there is no ':'); the secret is everything after the
 * first ':' and may itself contain ':'. RA_ERROR_MALFORMED for an empty user name, or a name
 * with a control character or more than 256 characters.
 */
gboolean ra_account_spec_split(const char *spec, gchar **domain, gchar **user, gchar **secret,
                               GError **error);

/*
 * Adds or updates an account. Exactly one of password and nt_hash may be given; with neither,
 * only the helper flag is recorded (a helper without credentials yet). `helper` adds the
 * account to the helpers group (it never removes it). RA_ERROR_MALFORMED for bad names or a bad
 * password encoding.
 */
gboolean ra_accounts_add(RaAccounts *accounts, const char *domain, const char *user,
                         const char *password, const guint8 *nt_hash, gboolean helper,
                         GError **error);

/*
 * Adds "DOMAIN\user:password" (helper = FALSE) or, for --helper, "DOMAIN\user[:password]".
 * RA_ERROR_MALFORMED as above, and when an account spec lacks ":password".
 */
gboolean ra_accounts_add_spec(RaAccounts *accounts, const char *spec, gboolean helper,
                              GError **error);

/*
 * Adds "DOMAIN\user:HASH" where HASH is 32 hex digits (an NT hash). RA_ERROR_MALFORMED if not.
 */
gboolean ra_accounts_add_hash_spec(RaAccounts *accounts, const char *spec, gboolean helper,
                                   GError **error);

/*
 * The account a client names, or NULL. Only accounts with a hash are returned. The result is
 * owned by `accounts` and valid until it changes.
 */
const RaAccount *ra_accounts_lookup(const RaAccounts *accounts, const char *domain,
                                    const char *user);

/* TRUE if DOMAIN\user is in the helpers group (same matching rules as lookup). */
gboolean ra_accounts_is_helper(const RaAccounts *accounts, const char *domain, const char *user);

/* The number of accounts with credentials. */
guint ra_accounts_count(const RaAccounts *accounts);

/*
 * Checks that every helper has credentials. RA_ERROR_NOT_FOUND naming the first that has none.
 */
gboolean ra_accounts_check(const RaAccounts *accounts, GError **error);

G_END_DECLS

#endif
