/*
 * The strings a novice hands out and checks ([MS-RAI] 2.2.1, 2.2.2, 3.1.4.1.1), built on the
 * connection-string module (ra/connstr.h) behind an API of plain GLib types.
 *
 * Random values come from ra_random_bytes(): reproducible after ra_random_set_seed().
 */
#ifndef RA_OFFERSTR_H
#define RA_OFFERSTR_H

#include <glib.h>

G_BEGIN_DECLS

/*
 * Connection String 2: <E><A KH ID/><C><T ID="1" SID><L P N/>...</T></C></E> with kh as given, a
 * random 48-byte ID (base64), a random 31-bit SID, and one listener per address (gchar*) on port.
 * Newly allocated.
 */
gchar *ra_offer_cs2(const char *kh, const GPtrArray *addresses, guint16 port);

/* Connection String 1: "65538,1,addr:port;...,*,<random 32-byte RASessionID, base64>,*,*,<kh>".
 * Newly allocated. */
gchar *ra_offer_cs1(const char *kh, const GPtrArray *addresses, guint16 port);

/*
 * Checks a user help blob "<n>;UNSOLICITED=1<n>;ID=DOMAIN\user" ([MS-RAI] 3.1.4.1.1): TRUE when it
 * parses without any warning, has UNSOLICITED=1 and a non-empty user; *domain and *user (may be
 * NULL) receive the names (newly allocated; domain "" when absent). FALSE otherwise, with *why
 * (may be NULL) saying what is wrong (newly allocated).
 */
gboolean ra_offer_check_help_blob(const char *blob, gchar **domain, gchar **user, gchar **why);

G_END_DECLS

#endif
