/* Unit tests of the safe XML reader (ra/xml.h). */
#include "ra/error.h"
#include "ra/xml.h"

#include <string.h>

static RaXmlDocument *parse_ok(const char *text, RaXmlFlags flags)
{
    GError *error = NULL;
    RaXmlDocument *doc = ra_xml_parse(text, strlen(text), flags, &error);
    g_assert_no_error(error);
    g_assert_nonnull(doc);
    return doc;
}

static void parse_fails(const char *text, gsize len, int code, const char *message_part)
{
    GError *error = NULL;
    RaXmlDocument *doc = ra_xml_parse(text, len, RA_XML_FLAGS_NONE, &error);
    g_assert_null(doc);
    g_assert_error(error, RA_ERROR, code);
    if (message_part != NULL && strstr(error->message, message_part) == NULL)
        g_error("message \"%s\" lacks \"%s\"", error->message, message_part);
    g_error_free(error);
}

static void test_tree(void)
{
    g_autoptr(RaXmlDocument) doc = parse_ok("<?xml version=\"1.0\"?>\n"
                                            "<R z=\"1\" a=\"2\" m='3'>hello<X/>\n"
                                            "  <Y k=\"v\">inner</Y>world<![CDATA[<raw>]]></R>",
                                            RA_XML_FLAGS_NONE);
    const RaXmlNode *r = doc->root;
    g_assert_cmpstr(r->name, ==, "R");
    g_assert_cmpuint(r->line, ==, 2);
    /* attributes in document order, not sorted */
    g_assert_cmpuint(r->attrs->len, ==, 3);
    g_assert_cmpstr(((RaXmlAttr *)r->attrs->pdata[0])->name, ==, "z");
    g_assert_cmpstr(((RaXmlAttr *)r->attrs->pdata[1])->name, ==, "a");
    g_assert_cmpstr(((RaXmlAttr *)r->attrs->pdata[2])->name, ==, "m");
    g_assert_cmpstr(ra_xml_node_get_attr(r, "m"), ==, "3");
    g_assert_null(ra_xml_node_get_attr(r, "M"));
    g_assert_cmpuint(r->children->len, ==, 2);
    g_assert_cmpstr(((RaXmlNode *)r->children->pdata[0])->name, ==, "X");
    const RaXmlNode *y = ra_xml_node_find_child(r, "Y");
    g_assert_nonnull(y);
    g_assert_cmpuint(y->line, ==, 3);
    g_assert_cmpstr(y->text, ==, "inner");
    g_assert_cmpstr(r->text, ==, "hello\n  world<raw>");
    g_assert_false(ra_xml_node_text_is_blank(r));
    g_assert_true(ra_xml_node_text_is_blank(r->children->pdata[0]));
    g_assert_null(ra_xml_node_find_child(r, "Z"));
    g_assert_cmpint(doc->trailing_offset, ==, -1);
    g_assert_cmpuint(doc->repairs, ==, 0);
}

/* Predefined entities and character references are decoded; literal line breaks in attribute
 * values are normalized to spaces as XML 1.0 3.3.3 requires, "&#xA;" stays a line feed. */
static void test_entities(void)
{
    g_autoptr(RaXmlDocument) doc = parse_ok(
        "<E v=\"a&amp;b&lt;c&gt;d&quot;e&apos;f&#x41;&#66;\" w=\"1&#xA;2\n3\">&amp;&#x263A;</E>",
        RA_XML_FLAGS_NONE);
    g_assert_cmpstr(ra_xml_node_get_attr(doc->root, "v"), ==, "a&b<c>d\"e'fAB");
    g_assert_cmpstr(ra_xml_node_get_attr(doc->root, "w"), ==, "1\n2 3");
    g_assert_cmpstr(doc->root->text, ==, "&\xE2\x98\xBA");
}

/* A document's own encoding declaration is ignored: the input is UTF-8 (Windows XP writes
 * encoding="Unicode"); a UTF-8 BOM is skipped. */
static void test_encoding(void)
{
    g_autoptr(RaXmlDocument) d1 = parse_ok(
        "<?xml version=\"1.0\" encoding=\"Unicode\" ?><U n=\"J\xC3\xBCrgen\"/>", RA_XML_FLAGS_NONE);
    g_assert_cmpstr(ra_xml_node_get_attr(d1->root, "n"), ==, "J\xC3\xBCrgen");
    g_autoptr(RaXmlDocument) d2 = parse_ok("\xEF\xBB\xBF<U/>", RA_XML_FLAGS_NONE);
    g_assert_cmpstr(d2->root->name, ==, "U");
    parse_fails("<U n=\"J\xFCrgen\"/>", 15, RA_ERROR_MALFORMED,
                "not UTF-8 (byte 0xFC at offset 7)");
    /* bytes that libxml2 would take for EBCDIC ("<?xm") are refused, not guessed at */
    parse_fails("\x4C\x6F\xA7\x94 version='1.0'?><a/>", 26, RA_ERROR_MALFORMED, "not UTF-8");
}

static void test_malformed(void)
{
    parse_fails("", 0, RA_ERROR_MALFORMED, "empty");
    parse_fails("\xEF\xBB\xBF", 3, RA_ERROR_MALFORMED, "empty");
    parse_fails("   ", 3, RA_ERROR_MALFORMED, NULL);
    parse_fails("<E>", 3, RA_ERROR_MALFORMED, "not well-formed XML");
    parse_fails("<E a=\"1\" a=\"2\"/>", 16, RA_ERROR_MALFORMED, "line 1");
    parse_fails("<E>&undefined;</E>", 18, RA_ERROR_MALFORMED, NULL);
    parse_fails("<E a=\"1\"b=\"2\"/>", 15, RA_ERROR_MALFORMED, NULL);
    const char with_nul[] = "<E>\0</E>";
    parse_fails(with_nul, sizeof with_nul - 1, RA_ERROR_MALFORMED, NULL);
}

/* No DTD at all: no entity can be declared, so neither a billion laughs nor an external entity
 * (a file read, a network fetch) is possible. */
static void test_dtd_refused(void)
{
    const char *laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
                         "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                         "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                         "]>\n<lolz>&lol3;</lolz>";
    parse_fails(laughs, strlen(laughs), RA_ERROR_MALFORMED, "DTD");
    const char *xxe = "<!DOCTYPE E [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><E>&x;</E>";
    parse_fails(xxe, strlen(xxe), RA_ERROR_MALFORMED, "DTD");
    const char *ext = "<!DOCTYPE E SYSTEM \"http://127.0.0.1:9/x.dtd\"><E/>";
    parse_fails(ext, strlen(ext), RA_ERROR_MALFORMED, "DTD");
}

static void test_limits(void)
{
    gsize n = RA_MAX_INPUT + 1;
    gchar *big = g_malloc(n);
    memset(big, ' ', n);
    memcpy(big, "<E>", 3);
    memcpy(big + n - 4, "</E>", 4);
    parse_fails(big, n, RA_ERROR_TOO_LARGE, NULL);
    g_free(big);

    /* Nesting deeper than libxml2's limit (256) is refused, not recursed into. */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 2000; i++)
        g_string_append(deep, "<a>");
    for (int i = 0; i < 2000; i++)
        g_string_append(deep, "</a>");
    parse_fails(deep->str, deep->len, RA_ERROR_MALFORMED, NULL);
    g_string_free(deep, TRUE);
}

/* Content after the root element is reported with its offset; the tree is still complete. */
static void test_trailing(void)
{
    const char *text = "<E><A/></E>\r\n\x0C\x0C junk";
    g_autoptr(RaXmlDocument) doc = parse_ok(text, RA_XML_FLAGS_NONE);
    g_assert_cmpint(doc->trailing_offset, ==, 13);
    g_assert_cmpuint(doc->root->children->len, ==, 1);
    /* Comments and processing instructions after the root are legal: not trailing data. */
    g_autoptr(RaXmlDocument) ok = parse_ok("<E/>\n<!-- c --><?pi x?>\n", RA_XML_FLAGS_NONE);
    g_assert_cmpint(ok->trailing_offset, ==, -1);
    /* With a BOM, offsets still count from the start of the caller's buffer. */
    g_autoptr(RaXmlDocument) bom = parse_ok("\xEF\xBB\xBF<E/>x", RA_XML_FLAGS_NONE);
    g_assert_cmpint(bom->trailing_offset, ==, 7);
}

/* The one repair: a missing space between an attribute value and the next attribute. */
static void test_repair(void)
{
    const char *text = "<?xml version=\"1.0\"?><!-- a=\"1\"b --><U A=\"1\"B=\"x&amp;\"C='2'D=\"3\" "
                       "E=\"4\"><![CDATA[\"x\"y]]>t\"u</U>junk";
    parse_fails(text, strlen(text), RA_ERROR_MALFORMED, NULL);
    GError *error = NULL;
    g_autoptr(RaXmlDocument) doc =
        ra_xml_parse(text, strlen(text), RA_XML_REPAIR_ATTRIBUTE_SPACE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->repairs, ==, 3);
    g_assert_cmpuint(doc->repair_offset, ==, (guint)(strstr(text, "B=") - text));
    g_assert_cmpuint(doc->root->attrs->len, ==, 5);
    g_assert_cmpstr(ra_xml_node_get_attr(doc->root, "B"), ==, "x&");
    g_assert_cmpstr(ra_xml_node_get_attr(doc->root, "D"), ==, "3");
    /* character data and CDATA are not touched */
    g_assert_cmpstr(doc->root->text, ==, "\"x\"yt\"u");
    /* the trailing offset is in the caller's coordinates, not the repaired buffer's */
    g_assert_cmpint(doc->trailing_offset, ==, (gssize)(strstr(text, "junk") - text));

    /* Well-formed input is never changed; other defects are still errors. */
    g_autoptr(RaXmlDocument) fine =
        ra_xml_parse("<U A=\"1\" B=\"2\"/>", 16, RA_XML_REPAIR_ATTRIBUTE_SPACE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(fine->repairs, ==, 0);
    RaXmlDocument *bad =
        ra_xml_parse("<U A=\"1\"B=\"2/>", 14, RA_XML_REPAIR_ATTRIBUTE_SPACE, &error);
    g_assert_null(bad);
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xml/tree", test_tree);
    g_test_add_func("/xml/entities", test_entities);
    g_test_add_func("/xml/encoding", test_encoding);
    g_test_add_func("/xml/malformed", test_malformed);
    g_test_add_func("/xml/dtd-refused", test_dtd_refused);
    g_test_add_func("/xml/limits", test_limits);
    g_test_add_func("/xml/trailing", test_trailing);
    g_test_add_func("/xml/repair", test_repair);
    return g_test_run();
}
