/*
 * A small JSON writer for ratool's --json output (GLib has none, and json-glib is not one of our
 * dependencies). It writes one value, pretty-printed with two-space indentation and a final
 * newline, with RFC 8259 string escaping: '"', '\\' and every control character are escaped;
 * other characters are written as UTF-8 (invalid UTF-8 in input strings becomes U+FFFD, so the
 * output is always valid JSON). Keys are written in the order they are added.
 *
 * Inside an object every value takes a key; inside an array, and for the top-level value, the key
 * is NULL. Misuse (a key where none belongs, unbalanced ends) is a programming error caught by
 * g_return_if_fail().
 */
#ifndef RATOOL_JSON_H
#define RATOOL_JSON_H

#include <glib.h>

typedef struct RatoolJson RatoolJson;

RatoolJson *ratool_json_new(void);
void ratool_json_begin_object(RatoolJson *json, const char *key);
void ratool_json_end_object(RatoolJson *json);
void ratool_json_begin_array(RatoolJson *json, const char *key);
void ratool_json_end_array(RatoolJson *json);
/* A string, or null when value is NULL. */
void ratool_json_string(RatoolJson *json, const char *key, const char *value);
void ratool_json_int(RatoolJson *json, const char *key, gint64 value);
void ratool_json_bool(RatoolJson *json, const char *key, gboolean value);
void ratool_json_null(RatoolJson *json, const char *key);
/* Ends the document and returns its text (newline-terminated); frees `json`. */
gchar *ratool_json_free_to_string(RatoolJson *json);
void ratool_json_free(RatoolJson *json);

/* Appends `value` as a JSON string literal (quotes included) to `out`. */
void ratool_json_append_string(GString *out, const char *value);

#endif
