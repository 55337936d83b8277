#include "testutil.h"

#include <string.h>

gchar *ra_test_read_vector(const char *name, gsize *len)
{
    const char *dir = g_getenv("RAI_VECTORS");
    g_assert_nonnull(dir);
    gchar *path = g_build_filename(dir, name, NULL);
    gchar *data = NULL;
    gsize n = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &n, &error))
        g_error("cannot read vector %s: %s", path, error->message);
    g_free(path);
    if (len)
        *len = n;
    return data;
}

GHashTable *ra_test_read_expected(const char *name)
{
    gchar *file = g_strdup_printf("%s.expected.txt", name);
    gchar *text = ra_test_read_vector(file, NULL);
    g_free(file);
    GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    gchar **lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        const char *sep = strstr(lines[i], ": ");
        if (lines[i][0] == '#' || sep == NULL)
            continue;
        g_hash_table_replace(table, g_strndup(lines[i], (gsize)(sep - lines[i])),
                             g_strdup(sep + 2));
    }
    g_strfreev(lines);
    g_free(text);
    return table;
}

GBytes *ra_test_hex(const char *hex)
{
    gsize n = strlen(hex);
    g_assert_cmpuint(n % 2, ==, 0);
    guint8 *out = g_malloc(n / 2 + 1);
    for (gsize i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        g_assert_true(hi >= 0 && lo >= 0);
        out[i] = (guint8)(hi << 4 | lo);
    }
    return g_bytes_new_take(out, n / 2);
}
