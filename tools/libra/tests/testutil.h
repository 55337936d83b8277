/*
 * Helpers shared by the library's unit tests: reading the committed vectors (testdata/vectors,
 * found through $RAI_VECTORS, which ctest sets) and their NAME.expected.txt "key: value" files.
 */
#ifndef RA_TESTUTIL_H
#define RA_TESTUTIL_H

#include <glib.h>

/* The contents of testdata/vectors/<name> (NUL-terminated; *len excludes the NUL). Aborts the
 * test when the file cannot be read. */
gchar *ra_test_read_vector(const char *name, gsize *len);
/* NAME.expected.txt as a table: key -> value (the text after the first ": "); comment lines
 * (#) are skipped. */
GHashTable *ra_test_read_expected(const char *name);
/* Decodes hex (either case) into a new GBytes; aborts the test on bad hex. */
GBytes *ra_test_hex(const char *hex);

#endif
