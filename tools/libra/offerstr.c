/*
 * Connection strings a novice hands out, and the help blob it checks (see ra/offerstr.h).
 */
#include "ra/offerstr.h"
#include "ra/connstr.h"
#include "ra/crypto.h"

#include <string.h>

static gchar *random_base64(gsize n)
{
    guint8 *b = g_malloc(n);
    ra_random_bytes(b, n);
    gchar *t = g_base64_encode(b, n);
    g_free(b);
    return t;
}

gchar *ra_offer_cs2(const char *kh, const GPtrArray *addresses, guint16 port)
{
    RaConnStr2 cs = {0};
    cs.kh = g_strdup(kh);
    cs.id = random_base64(48);
    cs.transports = g_ptr_array_new();
    RaTransport t = {0};
    t.id = g_strdup("1");
    guint32 sid;
    ra_random_bytes((guint8 *)&sid, sizeof sid);
    t.sid = g_strdup_printf("%u", sid & 0x7fffffffu);
    t.listeners = g_ptr_array_new_with_free_func(g_free);
    gchar *port_text = g_strdup_printf("%u", port);
    for (guint i = 0; i < addresses->len; i++) {
        RaListener *l = g_new0(RaListener, 1);
        l->port_text = port_text;
        l->port = port;
        l->name = g_ptr_array_index(addresses, i);
        g_ptr_array_add(t.listeners, l);
    }
    g_ptr_array_add(cs.transports, &t);
    gchar *text = ra_connstr2_build(&cs);
    g_ptr_array_unref(t.listeners);
    g_ptr_array_unref(cs.transports);
    g_free(port_text);
    g_free(t.sid);
    g_free(t.id);
    g_free(cs.id);
    g_free(cs.kh);
    return text;
}

gchar *ra_offer_cs1(const char *kh, const GPtrArray *addresses, guint16 port)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < addresses->len; i++) {
        RaAddress *a = g_new0(RaAddress, 1);
        a->host = g_ptr_array_index(addresses, i);
        a->port = port;
        g_ptr_array_add(list, a);
    }
    gchar *session_id = random_base64(32);
    gchar *text = ra_connstr1_build(list, session_id, kh);
    g_free(session_id);
    g_ptr_array_unref(list);
    return text;
}

gboolean ra_offer_check_help_blob(const char *text, gchar **domain, gchar **user, gchar **why)
{
    if (domain)
        *domain = NULL;
    if (user)
        *user = NULL;
    if (text == NULL) {
        if (why)
            *why = g_strdup("no help blob");
        return FALSE;
    }
    GError *error = NULL;
    RaBlob *blob = ra_blob_parse(text, strlen(text), &error);
    if (blob == NULL) {
        if (why)
            *why = g_strdup(error->message);
        g_error_free(error);
        return FALSE;
    }
    const char *problem = NULL;
    if (blob->warnings->len > 0)
        problem = ((RaConnStrWarning *)g_ptr_array_index(blob->warnings, 0))->message;
    else if (!blob->unsolicited)
        problem = "no UNSOLICITED=1 item";
    else if (blob->user == NULL || *blob->user == '\0')
        problem = "no ID=DOMAIN\\user item";
    if (problem != NULL) {
        if (why)
            *why = g_strdup(problem);
        ra_blob_free(blob);
        return FALSE;
    }
    if (domain)
        *domain = g_strdup(blob->domain ? blob->domain : "");
    if (user)
        *user = g_strdup(blob->user);
    ra_blob_free(blob);
    return TRUE;
}
