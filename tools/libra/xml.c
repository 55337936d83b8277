/*
 * The safe XML reader (see ra/xml.h). The only file of the project that includes libxml2.
 */
#include "ra/xml.h"
#include "ra/error.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/dict.h>
#include <libxml/xmlerror.h>

/* What the libxml2 callbacks found, reached through ctxt->_private. */
typedef struct {
    gboolean has_dtd;
    guint errors;   /* fatal errors other than trailing content */
    int first_code; /* the first of them */
    int first_line, first_column;
    gchar *first_message;
    gssize trailing_offset; /* where libxml2 saw content after the root element */
    const guint *inserted;  /* offsets in the parsed buffer where a repair inserted a byte */
    guint n_inserted;
} ParseState;

static gpointer init_libxml2(gpointer unused)
{
    LIBXML_TEST_VERSION;
    xmlInitParser();
    return GINT_TO_POINTER(1);
}

/* Maps an offset in the (possibly repaired) parsed buffer back to the caller's input. */
static gssize original_offset(const ParseState *st, gssize offset)
{
    gssize shift = 0;
    for (guint i = 0; i < st->n_inserted && (gssize)st->inserted[i] < offset; i++)
        shift++;
    return offset - shift;
}

static void on_error(void *user_data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = err->ctxt;
    if (ctxt == NULL || ctxt->_private == NULL || err->level < XML_ERR_ERROR)
        return;
    ParseState *st = ctxt->_private;
    if (err->code == XML_ERR_DOCUMENT_END && st->trailing_offset < 0 && st->errors == 0) {
        /* "Extra content at the end of the document": the root element is complete. */
        xmlParserInputPtr in = ctxt->input;
        gssize offset = in != NULL ? (gssize)in->consumed + (in->cur - in->base) : 0;
        st->trailing_offset = original_offset(st, offset);
        return;
    }
    if (st->errors++ == 0) {
        st->first_code = err->code;
        st->first_line = err->line;
        st->first_column = err->int2;
        st->first_message = g_strdup(err->message ? err->message : "not well-formed");
        g_strchomp(st->first_message);
    }
}

/* A document type declaration could declare entities: refuse it before its subset is read. */
static void on_internal_subset(void *user_data, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user_data;
    ParseState *st = ctxt->_private;
    st->has_dtd = TRUE;
    xmlStopParser(ctxt);
}

/*
 * One parser context per thread, reset between documents: creating a context (its dictionary,
 * buffers and tables) costs more than parsing a connection string.
 */
static void free_parser(gpointer ctxt)
{
    xmlFreeParserCtxt(ctxt);
}

static GPrivate thread_parser_key = G_PRIVATE_INIT(free_parser);

/* The context's dictionary keeps every name it has seen: start afresh before it grows large. */
#define PARSER_DICT_LIMIT 4096

static xmlParserCtxtPtr thread_parser(void)
{
    xmlParserCtxtPtr ctxt = g_private_get(&thread_parser_key);
    if (ctxt != NULL && xmlDictSize(ctxt->dict) > PARSER_DICT_LIMIT) {
        g_private_set(&thread_parser_key, NULL);
        xmlFreeParserCtxt(ctxt);
        ctxt = NULL;
    }
    if (ctxt == NULL) {
        ctxt = xmlNewParserCtxt();
        if (ctxt == NULL)
            return NULL;
        ctxt->sax->serror = on_error;
        ctxt->sax->internalSubset = on_internal_subset;
        ctxt->sax->externalSubset = NULL;
        ctxt->sax->resolveEntity = NULL;
        ctxt->sax->entityDecl = NULL;
        g_private_set(&thread_parser_key, ctxt);
    }
    return ctxt;
}

static void node_free(RaXmlNode *node);

static void attr_free(RaXmlAttr *attr)
{
    g_free(attr->name);
    g_free(attr->value);
    g_free(attr);
}

static void node_free(RaXmlNode *node)
{
    if (node == NULL)
        return;
    g_free(node->name);
    g_ptr_array_unref(node->attrs);
    g_ptr_array_unref(node->children);
    g_free(node->text);
    g_free(node);
}

/* Concatenates the text and CDATA nodes of a list (an attribute's value or an element's data). */
static gchar *collect_text(xmlNodePtr first)
{
    GString *s = g_string_new(NULL);
    for (xmlNodePtr n = first; n != NULL; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
            g_string_append(s, (const char *)n->content);
    }
    return g_string_free(s, FALSE);
}

static RaXmlNode *convert(xmlNodePtr element)
{
    RaXmlNode *node = g_new0(RaXmlNode, 1);
    if (element->ns != NULL && element->ns->prefix != NULL)
        node->name = g_strdup_printf("%s:%s", element->ns->prefix, element->name);
    else
        node->name = g_strdup((const char *)element->name);
    node->attrs = g_ptr_array_new_with_free_func((GDestroyNotify)attr_free);
    node->children = g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
    node->line = (guint)MAX(xmlGetLineNo(element), 0);
    for (xmlAttrPtr a = element->properties; a != NULL; a = a->next) {
        RaXmlAttr *attr = g_new0(RaXmlAttr, 1);
        if (a->ns != NULL && a->ns->prefix != NULL)
            attr->name = g_strdup_printf("%s:%s", a->ns->prefix, a->name);
        else
            attr->name = g_strdup((const char *)a->name);
        attr->value = collect_text(a->children);
        g_ptr_array_add(node->attrs, attr);
    }
    /* Namespace declarations are attributes as far as our formats care. */
    for (xmlNsPtr ns = element->nsDef; ns != NULL; ns = ns->next) {
        RaXmlAttr *attr = g_new0(RaXmlAttr, 1);
        attr->name = ns->prefix ? g_strdup_printf("xmlns:%s", ns->prefix) : g_strdup("xmlns");
        attr->value = g_strdup(ns->href ? (const char *)ns->href : "");
        g_ptr_array_add(node->attrs, attr);
    }
    node->text = collect_text(element->children);
    /* libxml2 limits nesting to 256 levels, so this recursion is bounded. */
    for (xmlNodePtr c = element->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            g_ptr_array_add(node->children, convert(c));
    }
    return node;
}

static gboolean is_name_start(guchar c)
{
    return g_ascii_isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

/*
 * Inserts a space wherever a start tag has an attribute value's closing quote directly followed by
 * a name character. Comments, CDATA sections, processing instructions, declarations, end tags and
 * character data are skipped. Returns NULL when nothing needed repairing.
 */
static GString *repair_attribute_space(const char *text, gsize len, GArray *inserted)
{
    enum { TEXT, START_TAG, VALUE } state = TEXT;
    char quote = 0;
    GString *out = NULL;
    gsize copied = 0; /* bytes of text already copied to out */
    for (gsize i = 0; i < len; i++) {
        char c = text[i];
        switch (state) {
        case TEXT:
            if (c != '<')
                break;
            const char *rest = text + i;
            gsize left = len - i;
            const char *end = NULL;
            if (left >= 4 && memcmp(rest, "<!--", 4) == 0)
                end = g_strstr_len(rest + 4, left - 4, "-->");
            else if (left >= 9 && memcmp(rest, "<![CDATA[", 9) == 0)
                end = g_strstr_len(rest + 9, left - 9, "]]>");
            else if (left >= 2 && (rest[1] == '?' || rest[1] == '!' || rest[1] == '/'))
                end = memchr(rest + 1, '>', left - 1);
            else {
                state = START_TAG;
                break;
            }
            if (end == NULL)
                i = len; /* unterminated: nothing more to repair; the parser reports it */
            else
                i = (gsize)(end - text);
            break;
        case START_TAG:
            if (c == '"' || c == '\'') {
                quote = c;
                state = VALUE;
            } else if (c == '>') {
                state = TEXT;
            }
            break;
        case VALUE:
            if (c != quote)
                break;
            state = START_TAG;
            if (i + 1 < len && is_name_start((guchar)text[i + 1])) {
                if (out == NULL)
                    out = g_string_sized_new(len + 16);
                g_string_append_len(out, text + copied, (gssize)(i + 1 - copied));
                copied = i + 1;
                guint at = (guint)out->len;
                g_array_append_val(inserted, at);
                g_string_append_c(out, ' ');
            }
            break;
        }
    }
    if (out != NULL)
        g_string_append_len(out, text + copied, (gssize)(len - copied));
    return out;
}

RaXmlDocument *ra_xml_parse(const char *text, gsize len, RaXmlFlags flags, GError **error)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, init_libxml2, NULL);

    if (len > RA_MAX_INPUT) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "XML input of %" G_GSIZE_FORMAT " bytes is over the limit of %d bytes", len,
                    RA_MAX_INPUT);
        return NULL;
    }
    gsize bom = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        bom = 3;
    text += bom;
    len -= bom;
    if (len == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "empty XML document");
        return NULL;
    }

    const char *bad = NULL;
    if (!g_utf8_validate_len(text, len, &bad)) {
        /* Checked here so that libxml2 never guesses another encoding from the first bytes. */
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "XML text is not UTF-8 (byte 0x%02X at offset %" G_GSIZE_FORMAT ")",
                    (guchar)*bad, (gsize)(bad - text) + bom);
        return NULL;
    }
    GArray *inserted = g_array_new(FALSE, FALSE, sizeof(guint));
    GString *repaired = NULL;
    if (flags & RA_XML_REPAIR_ATTRIBUTE_SPACE)
        repaired = repair_attribute_space(text, len, inserted);
    const char *buf = repaired ? repaired->str : text;
    gsize buf_len = repaired ? repaired->len : len;

    ParseState st = {.trailing_offset = -1,
                     .inserted = (const guint *)(void *)inserted->data,
                     .n_inserted = inserted->len};
    RaXmlDocument *result = NULL;
    xmlParserCtxtPtr ctxt = thread_parser();
    if (ctxt != NULL)
        xmlCtxtReset(ctxt);
    xmlParserInputBufferPtr input =
        /* (a copy: libxml2 2.9.14 misreads long attribute values from CreateStatic buffers) */
        ctxt ? xmlParserInputBufferCreateMem(buf, (int)buf_len, XML_CHAR_ENCODING_NONE) : NULL;
    xmlParserInputPtr stream =
        input ? xmlNewIOInputStream(ctxt, input, XML_CHAR_ENCODING_NONE) : NULL;
    if (stream == NULL) {
        if (input != NULL)
            xmlFreeParserInputBuffer(input);
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "libxml2 cannot create a parser");
        goto out;
    }
    inputPush(ctxt, stream);
    /*
     * No network, no DTD loading, no entity substitution, errors to our handler only, and the
     * declared encoding ignored (the buffer is UTF-8 whatever it claims: invitations written by
     * Windows XP declare "Unicode").
     */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES);
    ctxt->_private = &st;
    xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
    xmlParseDocument(ctxt);
    ctxt->_private = NULL;

    xmlDocPtr doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (st.has_dtd) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "document type declarations (DTDs) are not allowed");
    } else if (st.errors > 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not well-formed XML: line %d, column %d: %s", st.first_line, st.first_column,
                    st.first_message);
    } else if (root == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "no root element");
    } else {
        result = g_new0(RaXmlDocument, 1);
        result->root = convert(root);
        result->trailing_offset = st.trailing_offset < 0 ? -1 : st.trailing_offset + (gssize)bom;
        result->repairs = inserted->len;
        if (inserted->len > 0)
            result->repair_offset =
                (guint)original_offset(&st, g_array_index(inserted, guint, 0)) + (guint)bom;
    }
    xmlFreeDoc(doc);
    xmlCtxtReset(ctxt); /* drop the input now, not at the next parse */
out:
    g_free(st.first_message);
    g_array_unref(inserted);
    if (repaired)
        g_string_free(repaired, TRUE);
    return result;
}

void ra_xml_document_free(RaXmlDocument *doc)
{
    if (doc == NULL)
        return;
    node_free(doc->root);
    g_free(doc);
}

const char *ra_xml_node_get_attr(const RaXmlNode *node, const char *name)
{
    for (guint i = 0; i < node->attrs->len; i++) {
        const RaXmlAttr *a = g_ptr_array_index(node->attrs, i);
        if (strcmp(a->name, name) == 0)
            return a->value;
    }
    return NULL;
}

RaXmlNode *ra_xml_node_find_child(const RaXmlNode *node, const char *name)
{
    for (guint i = 0; i < node->children->len; i++) {
        RaXmlNode *c = g_ptr_array_index(node->children, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

gboolean ra_xml_node_text_is_blank(const RaXmlNode *node)
{
    for (const char *p = node->text; *p; p++) {
        if (!g_ascii_isspace(*p))
            return FALSE;
    }
    return TRUE;
}
