/*
 * Fuzz harness: the length-prefixed blobs ([MS-RAI] 3.1.4.1.1 help blob, MS-RA expert blob) and
 * GetSessionInfo entries. A help blob rebuilt from its parsed domain and user parses again to the
 * same values without warnings.
 */
#include "ra/connstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gchar *text = g_strndup((const char *)data, size);
    gchar *domain = NULL, *user = NULL;
    guint32 id = 0;
    if (ra_session_entry_parse(text, &domain, &user, &id)) {
        g_free(domain);
        g_free(user);
    }
    g_free(text);

    RaBlob *blob = ra_blob_parse((const char *)data, size, NULL);
    if (blob == NULL)
        return 0;
    if (blob->user != NULL && (blob->domain == NULL || strchr(blob->domain, '\\') == NULL)) {
        gchar *built = ra_blob_build_help(blob->domain, blob->user);
        RaBlob *again = ra_blob_parse(built, strlen(built), NULL);
        if (again == NULL || again->items->len != 2 || !again->unsolicited ||
            g_strcmp0(again->user, blob->user) != 0 || g_strcmp0(again->domain, blob->domain) != 0)
            abort();
        ra_blob_free(again);
        g_free(built);
    }
    ra_blob_free(blob);
    return 0;
}
