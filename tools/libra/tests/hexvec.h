/*
 * Annotated byte vectors for the codec tests (header-only, tests only).
 *
 * A vector file (testdata/<module>/<case>.hex) has one field per line:
 *     OFFSET  HEX BYTES...   | field name and meaning
 * OFFSET is hexadecimal and must equal the number of bytes before the line, so a vector cannot
 * silently lose or gain a byte. Lines starting with '#' are comments; "# key: value" lines are
 * directives the test reads (repeated keys are joined with newlines). Blank lines are ignored.
 */
#ifndef RA_TESTS_HEXVEC_H
#define RA_TESTS_HEXVEC_H

#include <glib.h>
#include <string.h>

typedef struct {
    gchar *path;
    GByteArray *bytes;
    GHashTable *directives; /* key -> value */
} HexVec;

static G_GNUC_UNUSED gchar *testdata_path(const char *rel)
{
    const char *dir = g_getenv("RAI_TESTDATA");
#ifdef RAI_TESTDATA_DIR
    if (dir == NULL)
        dir = RAI_TESTDATA_DIR;
#endif
    g_assert_nonnull(dir);
    return g_build_filename(dir, rel, NULL);
}

static G_GNUC_UNUSED void hexvec_free(HexVec *v)
{
    if (v == NULL)
        return;
    g_free(v->path);
    g_byte_array_unref(v->bytes);
    g_hash_table_destroy(v->directives);
    g_free(v);
}

/* Parses the annotated text; aborts the test with the line number on a format error. */
static G_GNUC_UNUSED HexVec *hexvec_parse(const char *name, const char *text)
{
    HexVec *v = g_new0(HexVec, 1);
    v->path = g_strdup(name);
    v->bytes = g_byte_array_new();
    v->directives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    gchar **lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        gchar *line = g_strstrip(lines[i]);
        if (*line == '\0')
            continue;
        if (*line == '#') {
            const char *colon = strchr(line, ':');
            const char *p = line + 1;
            while (*p == ' ')
                p++;
            if (colon != NULL && colon > p &&
                strspn(p, "abcdefghijklmnopqrstuvwxyz-_") == (gsize)(colon - p)) {
                gchar *key = g_strndup(p, (gsize)(colon - p));
                /* One space after the colon separates; the rest (indentation) is the value. */
                gchar *val = g_strchomp(g_strdup(colon[1] == ' ' ? colon + 2 : colon + 1));
                const char *old = g_hash_table_lookup(v->directives, key);
                if (old != NULL) {
                    gchar *joined = g_strconcat(old, "\n", val, NULL);
                    g_free(val);
                    val = joined;
                }
                g_hash_table_replace(v->directives, key, val);
            }
            continue;
        }
        gchar *bar = strchr(line, '|');
        if (bar == NULL)
            g_error("%s:%u: no '|' before the field name", name, i + 1);
        *bar = '\0';
        gchar **tok = g_strsplit_set(line, " \t", -1);
        gboolean have_offset = FALSE;
        for (guint t = 0; tok[t] != NULL; t++) {
            if (*tok[t] == '\0')
                continue;
            if (!have_offset) {
                gchar *end;
                guint64 off = g_ascii_strtoull(tok[t], &end, 16);
                if (*end != '\0' || off != v->bytes->len)
                    g_error("%s:%u: offset %s, but %u bytes precede the line", name, i + 1, tok[t],
                            v->bytes->len);
                have_offset = TRUE;
                continue;
            }
            if (strlen(tok[t]) != 2 || !g_ascii_isxdigit(tok[t][0]) || !g_ascii_isxdigit(tok[t][1]))
                g_error("%s:%u: '%s' is not a hex byte", name, i + 1, tok[t]);
            guint8 b =
                (guint8)(g_ascii_xdigit_value(tok[t][0]) << 4 | g_ascii_xdigit_value(tok[t][1]));
            g_byte_array_append(v->bytes, &b, 1);
        }
        g_strfreev(tok);
    }
    g_strfreev(lines);
    return v;
}

/* Loads testdata/<rel>. */
static G_GNUC_UNUSED HexVec *hexvec_load(const char *rel)
{
    gchar *path = testdata_path(rel);
    gchar *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s", error->message);
    HexVec *v = hexvec_parse(path, text);
    g_free(text);
    g_free(path);
    return v;
}

static G_GNUC_UNUSED const char *hexvec_get(const HexVec *v, const char *key)
{
    return g_hash_table_lookup(v->directives, key);
}

/* The .hex files of a testdata folder, sorted (g_strfreev). */
static G_GNUC_UNUSED gchar **hexvec_list(const char *folder, const char *suffix)
{
    gchar *dir = testdata_path(folder);
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    GPtrArray *names = g_ptr_array_new();
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(n, suffix))
            g_ptr_array_add(names, g_build_filename(folder, n, NULL));
    g_dir_close(d);
    g_free(dir);
    for (guint i = 1; i < names->len; i++)
        for (guint j = i; j > 0 && strcmp(names->pdata[j - 1], names->pdata[j]) > 0; j--) {
            gpointer t = names->pdata[j];
            names->pdata[j] = names->pdata[j - 1];
            names->pdata[j - 1] = t;
        }
    g_ptr_array_add(names, NULL);
    return (gchar **)g_ptr_array_free(names, FALSE);
}

/* Hex string -> bytes (aborts on bad input). */
static G_GNUC_UNUSED GByteArray *unhex(const char *hex)
{
    GByteArray *b = g_byte_array_new();
    for (const char *p = hex; *p;) {
        if (*p == ' ' || *p == '\n') {
            p++;
            continue;
        }
        g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
        guint8 v = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
        g_byte_array_append(b, &v, 1);
        p += 2;
    }
    return b;
}

#define assert_hex(got, got_len, hex)                               \
    do {                                                            \
        GByteArray *want_ = unhex(hex);                             \
        g_assert_cmpmem((got), (got_len), want_->data, want_->len); \
        g_byte_array_unref(want_);                                  \
    } while (0)

#endif
