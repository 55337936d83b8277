/*
 * A small, safe XML reader: the project's only door to libxml2 (xml.c is the only file that
 * includes it). It parses a UTF-8 buffer into a tree of GLib-owned nodes (element name,
 * attributes in document order, element children, character data) that the connection-string
 * and invitation parsers walk without ever touching libxml2 themselves.
 *
 * Safety: inputs over RA_MAX_INPUT are refused (RA_ERROR_TOO_LARGE); there is no network access,
 * no external entity or DTD loading, and any document type declaration is refused outright, so
 * no entity can be declared and no entity-expansion bomb is possible; only the five predefined
 * entities and character references are decoded. Element nesting is limited (libxml2's default
 * of 256 levels). The declared encoding is ignored: callers convert to UTF-8 first (the invitation
 * reader detects UTF-16 and 8-bit files itself).
 *
 * Thread-safe: each call uses its own libxml2 parser context.
 */
#ifndef RA_XML_H
#define RA_XML_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    gchar *name;  /* as written, including any namespace prefix */
    gchar *value; /* entities and character references decoded, normalized as XML requires */
} RaXmlAttr;

typedef struct RaXmlNode RaXmlNode;
struct RaXmlNode {
    gchar *name;         /* element name as written, including any namespace prefix */
    GPtrArray *attrs;    /* of RaXmlAttr*, in document order */
    GPtrArray *children; /* of RaXmlNode*, element children in document order */
    gchar *text;         /* character data directly inside this element (CDATA included), in
                            order, concatenated; "" when there is none */
    guint line;          /* line of the start tag, from 1 */
};

typedef enum {
    RA_XML_FLAGS_NONE = 0,
    /*
     * Insert the whitespace XML requires between an attribute's closing quote and the next
     * attribute name when it is missing (`A="1"B="2"`), and only that. Used for invitation files
     * as some tools write them (see invite.c); every repair is counted in RaXmlDocument.repairs.
     */
    RA_XML_REPAIR_ATTRIBUTE_SPACE = 1 << 0,
} RaXmlFlags;

typedef struct {
    RaXmlNode *root;
    /*
     * Byte offset in the input of non-blank content after the root element (which XML does not
     * allow), or -1 when there is none. Such content is not an error: the tree is complete, and
     * the caller decides what trailing bytes mean (decrypted tickets can carry padding junk).
     */
    gssize trailing_offset;
    guint repairs;       /* how many RA_XML_REPAIR_ATTRIBUTE_SPACE repairs were made */
    guint repair_offset; /* input byte offset of the first repair (valid when repairs > 0) */
} RaXmlDocument;

/*
 * Parses `len` bytes of UTF-8 (a leading UTF-8 BOM is skipped). Returns a new document, or NULL
 * with RA_ERROR_MALFORMED (not well-formed: the message gives line, column and libxml2's reason;
 * a DTD; not UTF-8) or RA_ERROR_TOO_LARGE. Free with ra_xml_document_free().
 */
RaXmlDocument *ra_xml_parse(const char *text, gsize len, RaXmlFlags flags, GError **error);
void ra_xml_document_free(RaXmlDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaXmlDocument, ra_xml_document_free)

/* The value of attribute `name` (exact, case-sensitive match), or NULL. Owned by the node. */
const char *ra_xml_node_get_attr(const RaXmlNode *node, const char *name);
/* The first element child named `name`, or NULL. Owned by the node. */
RaXmlNode *ra_xml_node_find_child(const RaXmlNode *node, const char *name);
/* TRUE when the node's character data is empty or whitespace only. */
gboolean ra_xml_node_text_is_blank(const RaXmlNode *node);

G_END_DECLS

#endif
