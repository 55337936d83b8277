/* The JSON writer (see json.h). */
#include "json.h"

#include <string.h>

typedef struct {
    gboolean is_object;
    guint count; /* values written at this level */
} Level;

struct RatoolJson {
    GString *out;
    GArray *levels; /* of Level: the open containers */
    gboolean done;  /* the top-level value is complete */
};

RatoolJson *ratool_json_new(void)
{
    RatoolJson *json = g_new0(RatoolJson, 1);
    json->out = g_string_new(NULL);
    json->levels = g_array_new(FALSE, FALSE, sizeof(Level));
    return json;
}

void ratool_json_append_string(GString *out, const char *value)
{
    gchar *valid = g_utf8_make_valid(value, -1);
    g_string_append_c(out, '"');
    for (const guchar *p = (const guchar *)valid; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
    g_free(valid);
}

static void indent(RatoolJson *json)
{
    for (guint i = 0; i < json->levels->len; i++)
        g_string_append(json->out, "  ");
}

/* Writes what comes before a value: separator, line break, indentation, key. */
static gboolean start_value(RatoolJson *json, const char *key)
{
    g_return_val_if_fail(!json->done, FALSE);
    if (json->levels->len == 0) {
        g_return_val_if_fail(key == NULL, FALSE);
        return TRUE;
    }
    Level *level = &g_array_index(json->levels, Level, json->levels->len - 1);
    g_return_val_if_fail(level->is_object == (key != NULL), FALSE);
    g_string_append(json->out, level->count++ > 0 ? ",\n" : "\n");
    indent(json);
    if (key != NULL) {
        ratool_json_append_string(json->out, key);
        g_string_append(json->out, ": ");
    }
    return TRUE;
}

static void end_value(RatoolJson *json)
{
    if (json->levels->len == 0)
        json->done = TRUE;
}

static void begin(RatoolJson *json, const char *key, gboolean is_object)
{
    if (!start_value(json, key))
        return;
    g_string_append_c(json->out, is_object ? '{' : '[');
    Level level = {is_object, 0};
    g_array_append_val(json->levels, level);
}

static void end(RatoolJson *json, gboolean is_object)
{
    g_return_if_fail(json->levels->len > 0);
    Level level = g_array_index(json->levels, Level, json->levels->len - 1);
    g_return_if_fail(level.is_object == is_object);
    g_array_set_size(json->levels, json->levels->len - 1);
    if (level.count > 0) {
        g_string_append_c(json->out, '\n');
        indent(json);
    }
    g_string_append_c(json->out, is_object ? '}' : ']');
    end_value(json);
}

void ratool_json_begin_object(RatoolJson *json, const char *key)
{
    begin(json, key, TRUE);
}

void ratool_json_end_object(RatoolJson *json)
{
    end(json, TRUE);
}

void ratool_json_begin_array(RatoolJson *json, const char *key)
{
    begin(json, key, FALSE);
}

void ratool_json_end_array(RatoolJson *json)
{
    end(json, FALSE);
}

void ratool_json_string(RatoolJson *json, const char *key, const char *value)
{
    if (!start_value(json, key))
        return;
    if (value == NULL)
        g_string_append(json->out, "null");
    else
        ratool_json_append_string(json->out, value);
    end_value(json);
}

void ratool_json_int(RatoolJson *json, const char *key, gint64 value)
{
    if (!start_value(json, key))
        return;
    g_string_append_printf(json->out, "%" G_GINT64_FORMAT, value);
    end_value(json);
}

void ratool_json_bool(RatoolJson *json, const char *key, gboolean value)
{
    if (!start_value(json, key))
        return;
    g_string_append(json->out, value ? "true" : "false");
    end_value(json);
}

void ratool_json_null(RatoolJson *json, const char *key)
{
    if (!start_value(json, key))
        return;
    g_string_append(json->out, "null");
    end_value(json);
}

gchar *ratool_json_free_to_string(RatoolJson *json)
{
    g_return_val_if_fail(json->levels->len == 0 && json->done, NULL);
    g_string_append_c(json->out, '\n');
    gchar *text = g_string_free(json->out, FALSE);
    json->out = NULL;
    ratool_json_free(json);
    return text;
}

void ratool_json_free(RatoolJson *json)
{
    if (json == NULL)
        return;
    if (json->out)
        g_string_free(json->out, TRUE);
    g_array_unref(json->levels);
    g_free(json);
}
