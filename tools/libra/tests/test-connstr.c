/*
 * Unit tests of connection strings, blobs and session entries (ra/connstr.h), on the committed
 * vectors (testdata/vectors: every cs1.* and cs2.* line of every expected file is checked) and on
 * hand-made cases for each warning.
 */
#include "ra/connstr.h"
#include "ra/error.h"
#include "testutil.h"

#include <string.h>

static gboolean has_warning(GPtrArray *warnings, RaConnStrWarningCode code)
{
    for (guint i = 0; i < warnings->len; i++) {
        if (((RaConnStrWarning *)warnings->pdata[i])->code == code)
            return TRUE;
    }
    return FALSE;
}

static void dump_warnings(GPtrArray *warnings)
{
    for (guint i = 0; i < warnings->len; i++)
        g_test_message("warning: %s", ((RaConnStrWarning *)warnings->pdata[i])->message);
}

/* ---- Connection String 1 ---- */

/* Checks every cs1.* line of an expected file against a parse of `text`. */
static void check_cs1(const char *text, GHashTable *want)
{
    GError *error = NULL;
    g_autoptr(RaConnStr1) cs = ra_connstr1_parse(text, strlen(text), &error);
    g_assert_no_error(error);
    dump_warnings(cs->warnings);
    g_assert_cmpuint(cs->warnings->len, ==, 0);
    g_assert_cmpstr(cs->protocol_version, ==, g_hash_table_lookup(want, "cs1.ProtocolVersion"));
    g_assert_cmpstr(cs->protocol_type, ==, g_hash_table_lookup(want, "cs1.protocolType"));
    g_assert_cmpstr(cs->machine_address_list, ==,
                    g_hash_table_lookup(want, "cs1.machineAddressList"));
    g_assert_cmpstr(cs->assistant_account_pwd, ==,
                    g_hash_table_lookup(want, "cs1.assistantAccountPwd"));
    g_assert_cmpstr(cs->ra_session_id, ==, g_hash_table_lookup(want, "cs1.RASessionID"));
    g_assert_cmpstr(cs->ra_session_name, ==, g_hash_table_lookup(want, "cs1.RASessionName"));
    g_assert_cmpstr(cs->ra_session_pwd, ==, g_hash_table_lookup(want, "cs1.RASessionPwd"));
    g_assert_cmpstr(cs->protocol_specific_parms, ==,
                    g_hash_table_lookup(want, "cs1.protocolSpecificParms"));
    guint n = 0;
    for (;; n++) {
        gchar *key = g_strdup_printf("cs1.address[%u]", n);
        const char *value = g_hash_table_lookup(want, key);
        g_free(key);
        if (value == NULL)
            break;
        g_assert_cmpuint(n, <, cs->addresses->len);
        const RaAddress *a = cs->addresses->pdata[n];
        gchar *got = g_strdup_printf("%s port %u", a->host, a->port);
        g_assert_cmpstr(got, ==, value);
        g_free(got);
    }
    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(cs->addresses->len, ==, n);

    /* build(parse(x)) == x for Windows' strings */
    g_autofree gchar *built =
        ra_connstr1_build(cs->addresses, cs->ra_session_id, cs->protocol_specific_parms);
    g_assert_cmpstr(built, ==, text);
}

/* The RCTICKET of every type-1 and type-2 invitation vector that has one. */
static void test_cs1_vectors(void)
{
    static const char *const names[] = {"freerdp-invite-type1", "freerdp-invite-type2",
                                        "msrai-spec-invite-type1", "msrai-spec-invite-type2"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_test_message("vector %s", names[i]);
        g_autoptr(GHashTable) want = ra_test_read_expected(names[i]);
        const char *rcticket = g_hash_table_lookup(want, "upload.RCTICKET");
        g_assert_nonnull(rcticket);
        check_cs1(rcticket, want);
    }
}

/* [MS-RAI] 2.2.1's example and the values the section lists for it. */
static void test_cs1_spec_example(void)
{
    gsize len = 0;
    g_autofree gchar *text = ra_test_read_vector("msrai-spec-cs1.txt", &len);
    GError *error = NULL;
    g_autoptr(RaConnStr1) cs = ra_connstr1_parse(text, len, &error); /* trailing LF ignored */
    g_assert_no_error(error);
    g_assert_cmpuint(cs->warnings->len, ==, 0);
    g_assert_cmpstr(cs->protocol_version, ==, "65538");
    g_assert_cmpstr(cs->machine_address_list, ==, "172.31.243.138:3389;MIKE_HOME:3389");
    g_assert_cmpuint(cs->addresses->len, ==, 2);
    g_assert_cmpstr(((RaAddress *)cs->addresses->pdata[0])->host, ==, "172.31.243.138");
    g_assert_cmpuint(((RaAddress *)cs->addresses->pdata[0])->port, ==, 3389);
    g_assert_cmpstr(((RaAddress *)cs->addresses->pdata[1])->host, ==, "MIKE_HOME");
    g_assert_cmpstr(cs->ra_session_id, ==, "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc=");
    g_assert_cmpstr(cs->protocol_specific_parms, ==, "RcfwecK8dpcT1fjZ6iQ5M0+q7iU=");
}

static RaConnStr1 *cs1(const char *text)
{
    GError *error = NULL;
    RaConnStr1 *cs = ra_connstr1_parse(text, strlen(text), &error);
    g_assert_no_error(error);
    dump_warnings(cs->warnings);
    return cs;
}

/* Each MUST of 2.2.1 is checked, and each departure is a warning, not a failure. */
static void test_cs1_warnings(void)
{
    g_autoptr(RaConnStr1) v = cs1("65537,1,h:1,*,id,*,*,p");
    g_assert_true(has_warning(v->warnings, RA_CSW_PROTOCOL_VERSION));
    g_assert_cmpuint(v->warnings->len, ==, 1);
    g_autoptr(RaConnStr1) t = cs1("65538,2,h:1,*,id,*,*,p");
    g_assert_true(has_warning(t->warnings, RA_CSW_PROTOCOL_TYPE));
    g_assert_cmpuint(t->warnings->len, ==, 1);
    g_autoptr(RaConnStr1) s = cs1("65538,1,h:1,pw,id,name,x,p");
    g_assert_true(has_warning(s->warnings, RA_CSW_NOT_STAR));
    g_assert_cmpuint(s->warnings->len, ==, 3);
    g_autoptr(RaConnStr1) few = cs1("65538,1,h:1,*,id");
    g_assert_true(has_warning(few->warnings, RA_CSW_FIELD_COUNT));
    g_assert_cmpstr(few->ra_session_id, ==, "id");
    g_assert_cmpstr(few->protocol_specific_parms, ==, "");
    g_autoptr(RaConnStr1) many = cs1("65538,1,h:1,*,id,*,*,p,q");
    g_assert_true(has_warning(many->warnings, RA_CSW_FIELD_COUNT));
    g_assert_cmpstr(many->protocol_specific_parms, ==, "p,q");
    /* addresses: no port, port 0, port too large, not a number, empty host, empty list */
    g_autoptr(RaConnStr1) a = cs1("65538,1,h;h:0;h:65536;h:x1;:3389;ok:65535,*,id,*,*,p");
    g_assert_cmpuint(a->addresses->len, ==, 6);
    g_assert_cmpuint(a->warnings->len, ==, 5);
    g_assert_true(has_warning(a->warnings, RA_CSW_BAD_ADDRESS));
    g_assert_cmpuint(((RaAddress *)a->addresses->pdata[2])->port, ==, 0);
    g_assert_cmpuint(((RaAddress *)a->addresses->pdata[5])->port, ==, 65535);
    g_autoptr(RaConnStr1) e = cs1("65538,1,,*,id,*,*,p");
    g_assert_true(has_warning(e->warnings, RA_CSW_BAD_ADDRESS));
    g_assert_cmpuint(e->addresses->len, ==, 0);
    /* Windows' own form: surrounding whitespace (a file's line end) is not part of it */
    g_autoptr(RaConnStr1) ws = cs1("  65538,1,h:1,*,id,*,*,p\r\n");
    g_assert_cmpuint(ws->warnings->len, ==, 0);
    g_assert_cmpstr(ws->protocol_specific_parms, ==, "p");
}

static void test_cs1_errors(void)
{
    static const char *const bad[] = {"", "   \n", "no commas here"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        g_assert_null(ra_connstr1_parse(bad[i], strlen(bad[i]), &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
    GError *error = NULL;
    g_assert_null(ra_connstr1_parse("65538,1,h\xFF:1", 12, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    g_assert_null(ra_connstr1_parse("65538,\0", 7, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    gchar *big = g_strnfill(RA_MAX_INPUT + 1, ',');
    g_assert_null(ra_connstr1_parse(big, RA_MAX_INPUT + 1, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    g_free(big);
}

/* ---- Connection String 2 ---- */

static RaConnStr2 *cs2_ok(const char *text, gsize len)
{
    GError *error = NULL;
    RaConnStr2 *cs = ra_connstr2_parse(text, len, &error);
    g_assert_no_error(error);
    g_assert_nonnull(cs);
    dump_warnings(cs->warnings);
    return cs;
}

/* Checks every cs2.* line of an expected file. */
static void check_cs2(const RaConnStr2 *cs, GHashTable *want)
{
    g_assert_cmpstr(cs->kh, ==, g_hash_table_lookup(want, "cs2.A.KH"));
    g_assert_cmpstr(cs->kh2, ==, g_hash_table_lookup(want, "cs2.A.KH2"));
    g_assert_cmpstr(cs->id, ==, g_hash_table_lookup(want, "cs2.A.ID"));
    const char *ce = g_hash_table_lookup(want, "cs2.A.CE");
    if (ce == NULL) {
        g_assert_null(cs->ce);
        g_assert_null(cs->ce_der);
    } else {
        /* "present (N chars, ...)": N counts the attribute as written, each "&#xA;" 5 chars */
        guint written = (guint)g_ascii_strtoull(ce + strlen("present ("), NULL, 10);
        guint lf = 0;
        for (const char *p = cs->ce; *p; p++)
            lf += *p == '\n';
        g_assert_cmpuint(lf, >, 0);
        g_assert_cmpuint(strlen(cs->ce) + 4 * lf, ==, written);
        g_assert_nonnull(cs->ce_der);
        /* a DER SEQUENCE with a two-byte length covering the rest */
        gsize n = 0;
        const guint8 *der = g_bytes_get_data(cs->ce_der, &n);
        g_assert_cmpuint(n, >, 4);
        g_assert_cmphex(der[0], ==, 0x30);
        g_assert_cmphex(der[1], ==, 0x82);
        g_assert_cmpuint(((gsize)der[2] << 8 | der[3]) + 4, ==, n);
    }
    g_assert_cmpuint(cs->transports->len, ==, 1);
    const RaTransport *t = cs->transports->pdata[0];
    g_autofree gchar *tline = g_strdup_printf("ID=%s SID=%s", t->id, t->sid);
    g_assert_cmpstr(tline, ==, g_hash_table_lookup(want, "cs2.T"));
    guint n = 0;
    for (;; n++) {
        gchar *key = g_strdup_printf("cs2.L[%u]", n);
        const char *value = g_hash_table_lookup(want, key);
        g_free(key);
        if (value == NULL)
            break;
        g_assert_cmpuint(n, <, t->listeners->len);
        const RaListener *l = t->listeners->pdata[n];
        gchar *got = g_strdup_printf("P=%u N=%s", l->port, l->name);
        g_assert_cmpstr(got, ==, value);
        gchar *ptext = g_strndup(value + 2, strcspn(value + 2, " ")); /* "P=<text> N=..." */
        g_assert_cmpstr(l->port_text, ==, ptext);
        g_free(ptext);
        g_assert_null(l->uri);
        g_free(got);
    }
    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(t->listeners->len, ==, n);
}

/* Bare connection strings: the spec's (indented), FreeRDP's (attributes separated by line
 * breaks, KH2), and Windows Desktop Sharing's (KH2 + CE, large SID, IPv6 with zone ids). */
static void test_cs2_bare_vectors(void)
{
    static const char *const names[] = {"msrai-spec-cs2", "freerdp-cs2-bare", "wds-cs2-kh2-ce",
                                        "wds-cs2-ticklet-meister"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_test_message("vector %s", names[i]);
        gsize len = 0;
        g_autofree gchar *file = g_strdup_printf("%s.xml", names[i]);
        g_autofree gchar *text = ra_test_read_vector(file, &len);
        g_autoptr(GHashTable) want = ra_test_read_expected(names[i]);
        g_autoptr(RaConnStr2) cs = cs2_ok(text, len);
        g_assert_cmpuint(cs->warnings->len, ==, 0);
        check_cs2(cs, want);

        /* Rebuilt in Windows' one-line form, it parses to the same values. */
        g_autofree gchar *built = ra_connstr2_build(cs);
        g_assert_null(strchr(built, '\n'));
        g_assert_true(g_str_has_prefix(built, "<E><A KH=\""));
        g_assert_true(g_str_has_suffix(built, "</T></C></E>"));
        g_autoptr(RaConnStr2) again = cs2_ok(built, strlen(built));
        check_cs2(again, want);
    }
}

/* The decrypted tickets of the invitation vectors: build(parse(x)) == x byte for byte. */
static void test_cs2_ticket_vectors(void)
{
    static const char *const names[] = {"freerdp-invite-type2", "freerdp-invite-3"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_test_message("vector %s", names[i]);
        gsize len = 0;
        g_autofree gchar *file = g_strdup_printf("%s.cs2.txt", names[i]);
        g_autofree gchar *text = ra_test_read_vector(file, &len);
        g_assert_true(g_str_has_suffix(text, "</E>\r\n"));
        g_autoptr(GHashTable) want = ra_test_read_expected(names[i]);
        g_autoptr(RaConnStr2) cs = cs2_ok(text, len);
        g_assert_cmpuint(cs->warnings->len, ==, 0);
        check_cs2(cs, want);
        g_autofree gchar *built = ra_connstr2_build(cs);
        g_assert_cmpmem(built, strlen(built), text, len - 2);
    }
}

/* rev 12.0's U attribute, listeners with IPv6 names, and escaping in both directions. */
static void test_cs2_uri_and_escaping(void)
{
    const char *text = "<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"a&amp;b&quot;c\"/><C>"
                       "<T ID=\"1\" SID=\"4294967295\"><L P=\"3389\" N=\"[2001:db8::1]\" "
                       "U=\"wss://host.example:443/ra?x=1&amp;y=2\"/>"
                       "<L P=\"49751\" N=\"fe80::1%12\"/></T></C></E>";
    g_autoptr(RaConnStr2) cs = cs2_ok(text, strlen(text));
    g_assert_cmpuint(cs->warnings->len, ==, 0);
    g_assert_cmpstr(cs->id, ==, "a&b\"c");
    const RaTransport *t = cs->transports->pdata[0];
    g_assert_cmpstr(t->sid, ==, "4294967295");
    const RaListener *l0 = t->listeners->pdata[0], *l1 = t->listeners->pdata[1];
    g_assert_cmpstr(l0->uri, ==, "wss://host.example:443/ra?x=1&y=2");
    g_assert_cmpstr(l0->name, ==, "[2001:db8::1]");
    g_assert_cmpuint(l1->port, ==, 49751);
    g_assert_cmpstr(l1->name, ==, "fe80::1%12");
    g_assert_null(l1->uri);
    g_autofree gchar *built = ra_connstr2_build(cs);
    g_assert_cmpstr(built, ==, text);
}

static void test_cs2_warnings(void)
{
    struct {
        const char *text;
        RaConnStrWarningCode code;
    } cases[] = {
        {"<E><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>", RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/></E>", RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" "
         "N=\"h\"/></T></C></E>",
         RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"/></C></E>",
         RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C/></E>", RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "N=\"h\"/></T></C></E>",
         RA_CSW_MISSING_ELEMENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"0\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_PORT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"65536\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_PORT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"+80\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_PORT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\" Q=\"1\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"1\" N=\"h\"/></T></C></E>",
         RA_CSW_UNKNOWN_CONTENT},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"1\" N=\"h\"/><X/></T></C><Z/></E>",
         RA_CSW_UNKNOWN_CONTENT},
        {"<E>text<A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"1\" N=\"h\"/></T></C></E>",
         RA_CSW_UNKNOWN_CONTENT},
        {"<E><A KH=\"not base64!\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" "
         "N=\"h\"/></T></C></E>",
         RA_CSW_BAD_BASE64},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" KH2=\"md5:YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" "
         "ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_BASE64},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" KH2=\"sha256:YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" "
         "ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_BASE64},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" CE=\"MIIC&#xA;*\" ID=\"i\"/><C><T ID=\"1\" "
         "SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
         RA_CSW_BAD_BASE64},
        {"<E><A KH=\"YiKwWUY8Ioq5NB3wAQHSbs5kwrM=\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L "
         "P=\"1\" N=\"h\"/></T></C></E>\r\n\xE0\xB0\x8C\xE0\xB0\x8C",
         RA_CSW_TRAILING_DATA},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("case %u: %s", i, cases[i].text);
        g_autoptr(RaConnStr2) cs = cs2_ok(cases[i].text, strlen(cases[i].text));
        g_assert_true(has_warning(cs->warnings, cases[i].code));
    }
}

static void test_cs2_errors(void)
{
    static const char *const bad[] = {
        "",
        "<A KH=\"x\" ID=\"y\"/>",                  /* not <E> */
        "<E><A KH=\"x\" ID=\"y\"/><C><T></C></E>", /* not well-formed */
        "<!DOCTYPE E [<!ENTITY x \"y\">]><E>&x;</E>",
        "65538,1,h:1,*,id,*,*,p",
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        g_assert_null(ra_connstr2_parse(bad[i], strlen(bad[i]), &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_test_message("%s", error->message);
        g_error_free(error);
    }
    GError *error = NULL;
    g_assert_null(ra_connstr2_parse("<E>\xC0\x80</E>", 9, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

static void test_detect(void)
{
    g_assert_cmpint(ra_connstr_detect("65538,1,h:1", 11), ==, 1);
    g_assert_cmpint(ra_connstr_detect(" \r\n65538,", 9), ==, 1);
    g_assert_cmpint(ra_connstr_detect("<E>", 3), ==, 2);
    g_assert_cmpint(ra_connstr_detect("\xEF\xBB\xBF\n <E>", 8), ==, 2);
    g_assert_cmpint(ra_connstr_detect("65538", 5), ==, 0);
    g_assert_cmpint(ra_connstr_detect("x,1", 3), ==, 0);
    g_assert_cmpint(ra_connstr_detect("", 0), ==, 0);
    g_assert_cmpint(ra_connstr_detect("   ", 3), ==, 0);
}

/* ---- blobs ---- */

static RaBlob *blob_ok(const char *text)
{
    GError *error = NULL;
    RaBlob *blob = ra_blob_parse(text, strlen(text), &error);
    g_assert_no_error(error);
    dump_warnings(blob->warnings);
    return blob;
}

static const char *item_text(const RaBlob *b, guint i)
{
    return ((RaBlobItem *)b->items->pdata[i])->text;
}

/* [MS-RAI] 3.1.4.1.1's example. */
static void test_blob_spec_example(void)
{
    g_autoptr(RaBlob) b = blob_ok("13;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER");
    g_assert_cmpuint(b->warnings->len, ==, 0);
    g_assert_cmpuint(b->items->len, ==, 2);
    const RaBlobItem *i0 = b->items->pdata[0], *i1 = b->items->pdata[1];
    g_assert_cmpuint(i0->declared_length, ==, 13);
    g_assert_cmpstr(i0->text, ==, "UNSOLICITED=1");
    g_assert_cmpstr(i0->key, ==, "UNSOLICITED");
    g_assert_cmpstr(i0->value, ==, "1");
    g_assert_cmpuint(i1->declared_length, ==, 18);
    g_assert_cmpstr(i1->key, ==, "ID");
    g_assert_cmpstr(i1->value, ==, "EXDOMAIN\\EXUSER");
    g_assert_true(b->unsolicited);
    g_assert_cmpstr(b->domain, ==, "EXDOMAIN");
    g_assert_cmpstr(b->user, ==, "EXUSER");

    g_autofree gchar *built = ra_blob_build_help("EXDOMAIN", "EXUSER");
    g_assert_cmpstr(built, ==, "13;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER");
}

/* A wrong length prefix: recover at the next "<n>;KEY=" and say so. */
static void test_blob_length_mismatch(void)
{
    g_autoptr(RaBlob) b = blob_ok("12;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER");
    g_assert_true(has_warning(b->warnings, RA_CSW_BLOB_LENGTH));
    g_assert_cmpuint(b->warnings->len, ==, 1);
    g_assert_cmpstr(((RaConnStrWarning *)b->warnings->pdata[0])->message, ==,
                    "item 1 declares 12 characters but has 13");
    g_assert_cmpuint(b->items->len, ==, 2);
    g_assert_cmpstr(item_text(b, 0), ==, "UNSOLICITED=1");
    g_assert_cmpstr(item_text(b, 1), ==, "ID=EXDOMAIN\\EXUSER");
    g_assert_cmpstr(b->user, ==, "EXUSER");

    /* too long a length for the last item: it ends at the end of the blob */
    g_autoptr(RaBlob) c = blob_ok("13;UNSOLICITED=199;ID=EXDOMAIN\\EXUSER");
    g_assert_true(has_warning(c->warnings, RA_CSW_BLOB_LENGTH));
    g_assert_cmpstr(item_text(c, 1), ==, "ID=EXDOMAIN\\EXUSER");
    g_assert_cmpstr(c->domain, ==, "EXDOMAIN");

    /* too short for the last item */
    g_autoptr(RaBlob) d = blob_ok("13;UNSOLICITED=13;ID=EXDOMAIN\\EXUSER");
    g_assert_true(has_warning(d->warnings, RA_CSW_BLOB_LENGTH));
    g_assert_cmpstr(item_text(d, 1), ==, "ID=EXDOMAIN\\EXUSER");

    /* a correct length wins even when the item's text looks like a boundary */
    g_autoptr(RaBlob) e = blob_ok("11;NAME=a5;X=b9;PASS=0102");
    g_assert_cmpuint(e->warnings->len, ==, 0);
    g_assert_cmpuint(e->items->len, ==, 2);
    g_assert_cmpstr(item_text(e, 0), ==, "NAME=a5;X=b");
}

/* Lengths count UTF-16 code units: a non-BMP character counts 2, an accented letter 1. */
static void test_blob_utf16_lengths(void)
{
    const char *domain = "D\xC3\x96M";      /* DÖM */
    const char *user = "u\xF0\x9F\x98\x80"; /* u + U+1F600 */
    g_autofree gchar *built = ra_blob_build_help(domain, user);
    g_assert_cmpstr(built, ==, "13;UNSOLICITED=110;ID=D\xC3\x96M\\u\xF0\x9F\x98\x80");
    g_autoptr(RaBlob) b = blob_ok(built);
    g_assert_cmpuint(b->warnings->len, ==, 0);
    g_assert_cmpstr(b->domain, ==, domain);
    g_assert_cmpstr(b->user, ==, user);
    g_autofree gchar *nodomain = ra_blob_build_help(NULL, "solo");
    g_assert_cmpstr(nodomain, ==, "13;UNSOLICITED=17;ID=solo");
}

/* The MS-RA expert blob, against the expert_blob line of the invitation vectors. */
static void test_blob_expert(void)
{
    static const char *const names[] = {"freerdp-invite-type1", "freerdp-invite-type2",
                                        "freerdp-invite-3"};
    guint checked = 0;
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GHashTable) want = ra_test_read_expected(names[i]);
        const char *expect = g_hash_table_lookup(want, "expert_blob(NAME=Edgar Olougouna)");
        if (expect == NULL)
            continue;
        g_autoptr(GBytes) pass = ra_test_hex(g_hash_table_lookup(want, "passstub.encrypted_hex"));
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(pass, &n);
        g_autofree gchar *built = ra_blob_build_expert("Edgar Olougouna", p, n);
        g_assert_cmpstr(built, ==, expect);
        g_autoptr(RaBlob) b = blob_ok(built);
        g_assert_cmpuint(b->warnings->len, ==, 0);
        g_assert_cmpstr(((RaBlobItem *)b->items->pdata[0])->value, ==, "Edgar Olougouna");
        g_assert_false(b->unsolicited);
        g_assert_null(b->user);
        checked++;
    }
    g_assert_cmpuint(checked, ==, 3);
}

static void test_blob_warnings_and_errors(void)
{
    g_autoptr(RaBlob) a = blob_ok("5;hello");
    g_assert_true(has_warning(a->warnings, RA_CSW_BLOB_ITEM));
    g_autoptr(RaBlob) b = blob_ok("18;ID=EXDOMAIN\\EXUSER");
    g_assert_true(has_warning(b->warnings, RA_CSW_BLOB_ITEM)); /* no UNSOLICITED */
    g_autoptr(RaBlob) c = blob_ok("13;UNSOLICITED=19;ID=EXUSER");
    g_assert_true(has_warning(c->warnings, RA_CSW_BLOB_ITEM)); /* ID without a domain */
    g_assert_cmpstr(c->user, ==, "EXUSER");
    g_assert_null(c->domain);
    g_autoptr(RaBlob) d = blob_ok("13;UNSOLICITED=0");
    g_assert_false(d->unsolicited);
    g_autoptr(RaBlob) e = blob_ok("6;NAME=x");
    g_assert_true(has_warning(e->warnings, RA_CSW_BLOB_ITEM)); /* no PASS */
    g_autoptr(RaBlob) f = blob_ok("0;");
    g_assert_cmpuint(f->items->len, ==, 1);

    static const char *const bad[] = {"", "UNSOLICITED=1", ";x", "12"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        g_assert_null(ra_blob_parse(bad[i], strlen(bad[i]), &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
    GError *error = NULL;
    g_assert_null(ra_blob_parse("3;\xFF\xFE", 4, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

/* ---- session entries ---- */

static void test_session_entries(void)
{
    gchar *domain = NULL, *user = NULL;
    guint32 id = 0;
    g_assert_true(ra_session_entry_parse("EXDOMAIN\\EXUSER:1", &domain, &user, &id));
    g_assert_cmpstr(domain, ==, "EXDOMAIN");
    g_assert_cmpstr(user, ==, "EXUSER");
    g_assert_cmpuint(id, ==, 1);
    g_free(domain);
    g_free(user);
    g_assert_true(ra_session_entry_parse("D\\user:with:colons:4294967295", &domain, &user, &id));
    g_assert_cmpstr(user, ==, "user:with:colons");
    g_assert_cmpuint(id, ==, 4294967295u);
    g_free(domain);
    g_free(user);
    g_assert_true(ra_session_entry_parse("\\:0", &domain, &user, &id));
    g_assert_cmpstr(domain, ==, "");
    g_assert_cmpstr(user, ==, "");
    g_free(domain);
    g_free(user);
    static const char *const bad[] = {"user:1",          "D\\u",    "D\\u:",  "D\\u:x1",
                                      "D\\u:4294967296", "D\\u:-1", "D:1\\u", "D\\u:99999999999"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(ra_session_entry_parse(bad[i], NULL, NULL, NULL));
    g_assert_false(ra_session_entry_parse(NULL, NULL, NULL, NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/connstr/cs1/vectors", test_cs1_vectors);
    g_test_add_func("/connstr/cs1/spec-example", test_cs1_spec_example);
    g_test_add_func("/connstr/cs1/warnings", test_cs1_warnings);
    g_test_add_func("/connstr/cs1/errors", test_cs1_errors);
    g_test_add_func("/connstr/cs2/bare-vectors", test_cs2_bare_vectors);
    g_test_add_func("/connstr/cs2/ticket-vectors", test_cs2_ticket_vectors);
    g_test_add_func("/connstr/cs2/uri-and-escaping", test_cs2_uri_and_escaping);
    g_test_add_func("/connstr/cs2/warnings", test_cs2_warnings);
    g_test_add_func("/connstr/cs2/errors", test_cs2_errors);
    g_test_add_func("/connstr/detect", test_detect);
    g_test_add_func("/connstr/blob/spec-example", test_blob_spec_example);
    g_test_add_func("/connstr/blob/length-mismatch", test_blob_length_mismatch);
    g_test_add_func("/connstr/blob/utf16-lengths", test_blob_utf16_lengths);
    g_test_add_func("/connstr/blob/expert", test_blob_expert);
    g_test_add_func("/connstr/blob/warnings-and-errors", test_blob_warnings_and_errors);
    g_test_add_func("/connstr/session-entries", test_session_entries);
    return g_test_run();
}
