/*
 * Connection strings and blobs as ratool shows them: "key: value" text lines (keys as in
 * the NAME.expected.txt files of testdata/vectors: cs1.*, cs2.*) and JSON objects (keys documented
 * in docs/ratool.1, JSON OUTPUT). Shared by decode-connstr, decode-invite and decode-blob.
 */
#ifndef RATOOL_PRINT_H
#define RATOOL_PRINT_H

#include <glib.h>

#include "json.h"
#include "ra/connstr.h"

void ratool_print_cs1(GString *out, const RaConnStr1 *cs);
/* The certificate lines (cs2.A.CE.*) need ra/crypto.h; they are printed when CE decodes. */
void ratool_print_cs2(GString *out, const RaConnStr2 *cs);
void ratool_print_blob(GString *out, const RaBlob *blob);
/* "warning: <message>" lines. */
void ratool_print_connstr_warnings(GString *out, GPtrArray *warnings);

/* The connection-string object: {"form": 1 or 2, "text": ..., fields..., "warnings": [...]}. */
void ratool_json_cs1(RatoolJson *json, const char *key, const char *text, const RaConnStr1 *cs);
void ratool_json_cs2(RatoolJson *json, const char *key, const char *text, const RaConnStr2 *cs);
void ratool_json_blob(RatoolJson *json, const char *key, const RaBlob *blob);
/* {"unix": t, "utc": "YYYY-MM-DDTHH:MM:SSZ"} */
void ratool_json_time(RatoolJson *json, const char *key, gint64 t);

#endif
