/*
 * Connection strings 1 and 2, the length-prefixed blobs and session entries (see ra/connstr.h).
 * GLib and ra/xml.h only: this file is part of the `ra_connstr` library the plugin links.
 */
#include "ra/connstr.h"
#include "ra/error.h"
#include "ra/xml.h"

#include <stdarg.h>
#include <string.h>

/* ---- helpers ---- */

static void warning_free(RaConnStrWarning *w)
{
    g_free(w->message);
    g_free(w);
}

static void G_GNUC_PRINTF(3, 4)
    warn(GPtrArray *warnings, RaConnStrWarningCode code, const char *format, ...)
{
    RaConnStrWarning *w = g_new0(RaConnStrWarning, 1);
    va_list ap;
    va_start(ap, format);
    w->code = code;
    w->message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_ptr_array_add(warnings, w);
}

static GPtrArray *warnings_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)warning_free);
}

/* Size and encoding checks shared by every parser: UTF-8, no NUL, at most RA_MAX_INPUT. */
static gboolean check_input(const char *text, gsize len, const char *what, GError **error)
{
    if (len > RA_MAX_INPUT) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "%s of %" G_GSIZE_FORMAT " bytes is over the limit of %d bytes", what, len,
                    RA_MAX_INPUT);
        return FALSE;
    }
    const char *end = NULL;
    if (!g_utf8_validate_len(text, len, &end)) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "%s is not UTF-8 text (bad byte 0x%02X at offset %" G_GSIZE_FORMAT ")", what,
                    (guchar)*end, (gsize)(end - text));
        return FALSE;
    }
    return TRUE;
}

/* A port as Windows writes it: decimal digits only, 1-65535. Returns 0 when it is not one. */
static guint16 parse_port(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 5)
        return 0;
    guint v = 0;
    for (const char *p = s; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return 0;
        v = v * 10 + (guint)(*p - '0');
    }
    return v >= 1 && v <= 65535 ? (guint16)v : 0;
}

/*
 * Strict base64 ([A-Za-z0-9+/], '=' only as final padding, whole quads), ignoring whitespace (CE
 * is written with line breaks). Returns the decoded bytes, or NULL when it is not base64.
 */
static GBytes *decode_base64(const char *s)
{
    GString *clean = g_string_new(NULL);
    gboolean ok = TRUE;
    guint pad = 0;
    for (const char *p = s; *p && ok; p++) {
        char c = *p;
        if (g_ascii_isspace(c))
            continue;
        if (c == '=') {
            pad++;
        } else if (pad > 0 || !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
            ok = FALSE;
        }
        g_string_append_c(clean, c);
    }
    ok = ok && clean->len > 0 && clean->len % 4 == 0 && pad <= 2;
    GBytes *result = NULL;
    if (ok) {
        gsize n = 0;
        guchar *data = g_base64_decode(clean->str, &n);
        result = g_bytes_new_take(data, n);
    }
    g_string_free(clean, TRUE);
    return result;
}

/* Escapes an attribute value as Windows writes it (CE's line feeds as "&#xA;"). */
static void append_attr(GString *out, const char *name, const char *value)
{
    if (value == NULL)
        return;
    g_string_append_printf(out, " %s=\"", name);
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\n':
            g_string_append(out, "&#xA;");
            break;
        case '\r':
            g_string_append(out, "&#xD;");
            break;
        case '\t':
            g_string_append(out, "&#x9;");
            break;
        default:
            g_string_append_c(out, *p);
        }
    }
    g_string_append_c(out, '"');
}

/* ---- Connection String 1 ([MS-RAI] 2.2.1) ---- */

static void address_free(RaAddress *a)
{
    g_free(a->host);
    g_free(a);
}

/* machineAddressList: "host:port;host:port..." (MS-RAI 2.2.1). */
static void parse_address_list(RaConnStr1 *cs, const char *list)
{
    if (*list == '\0') {
        warn(cs->warnings, RA_CSW_BAD_ADDRESS, "machineAddressList is empty");
        return;
    }
    gchar **entries = g_strsplit(list, ";", -1);
    for (guint i = 0; entries[i] != NULL; i++) {
        const char *e = entries[i];
        RaAddress *a = g_new0(RaAddress, 1);
        const char *colon = strrchr(e, ':');
        if (colon == NULL) {
            a->host = g_strdup(e);
            warn(cs->warnings, RA_CSW_BAD_ADDRESS, "address %u \"%s\" has no :port", i + 1, e);
        } else {
            a->host = g_strndup(e, (gsize)(colon - e));
            a->port = parse_port(colon + 1);
            if (a->port == 0)
                warn(cs->warnings, RA_CSW_BAD_ADDRESS,
                     "address %u \"%s\" has port \"%s\", expected 1-65535", i + 1, e, colon + 1);
        }
        gchar *stripped = g_strstrip(g_strdup(a->host));
        if (*stripped == '\0')
            warn(cs->warnings, RA_CSW_BAD_ADDRESS, "address %u \"%s\" has no host", i + 1, e);
        g_free(stripped);
        g_ptr_array_add(cs->addresses, a);
    }
    g_strfreev(entries);
}

static void check_star(RaConnStr1 *cs, const char *name, const char *value)
{
    if (strcmp(value, "*") != 0)
        warn(cs->warnings, RA_CSW_NOT_STAR, "%s is \"%s\", expected \"*\"", name, value);
}

RaConnStr1 *ra_connstr1_parse(const char *text, gsize len, GError **error)
{
    if (!check_input(text, len, "Connection String 1", error))
        return NULL;
    gchar *copy = g_strstrip(g_strndup(text, len));
    if (*copy == '\0' || strchr(copy, ',') == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    *copy ? "not a Connection String 1: no comma-separated fields"
                          : "empty Connection String 1");
        g_free(copy);
        return NULL;
    }
    RaConnStr1 *cs = g_new0(RaConnStr1, 1);
    cs->addresses = g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
    cs->warnings = warnings_new();

    gchar **f = g_strsplit(copy, ",", -1);
    guint n = g_strv_length(f);
    if (n != 8)
        warn(cs->warnings, RA_CSW_FIELD_COUNT, "%u comma-separated fields, expected 8", n);
    const char *field[8];
    for (guint i = 0; i < 8; i++)
        field[i] = i < n ? f[i] : "";
    gchar *last = n > 8 ? g_strjoinv(",", f + 7) : g_strdup(field[7]);

    cs->protocol_version = g_strdup(field[0]);
    cs->protocol_type = g_strdup(field[1]);
    cs->machine_address_list = g_strdup(field[2]);
    cs->assistant_account_pwd = g_strdup(field[3]);
    cs->ra_session_id = g_strdup(field[4]);
    cs->ra_session_name = g_strdup(field[5]);
    cs->ra_session_pwd = g_strdup(field[6]);
    cs->protocol_specific_parms = last;
    g_strfreev(f);
    g_free(copy);

    /* MS-RAI 2.2.1: ProtocolVersion MUST be 65538, protocolType MUST be 1. */
    if (strcmp(cs->protocol_version, "65538") != 0)
        warn(cs->warnings, RA_CSW_PROTOCOL_VERSION, "ProtocolVersion is \"%s\", expected 65538",
             cs->protocol_version);
    if (strcmp(cs->protocol_type, "1") != 0)
        warn(cs->warnings, RA_CSW_PROTOCOL_TYPE, "protocolType is \"%s\", expected 1",
             cs->protocol_type);
    parse_address_list(cs, cs->machine_address_list);
    /* MS-RAI 2.2.1: assistantAccountPwd, RASessionName and RASessionPwd MUST be "*". */
    check_star(cs, "assistantAccountPwd", cs->assistant_account_pwd);
    check_star(cs, "RASessionName", cs->ra_session_name);
    check_star(cs, "RASessionPwd", cs->ra_session_pwd);
    return cs;
}

gchar *ra_connstr1_build(const GPtrArray *addresses, const char *ra_session_id,
                         const char *protocol_specific_parms)
{
    GString *s = g_string_new("65538,1,");
    for (guint i = 0; addresses != NULL && i < addresses->len; i++) {
        const RaAddress *a = addresses->pdata[i];
        g_string_append_printf(s, "%s%s:%u", i ? ";" : "", a->host, a->port);
    }
    g_string_append_printf(s, ",*,%s,*,*,%s", ra_session_id ? ra_session_id : "",
                           protocol_specific_parms ? protocol_specific_parms : "");
    return g_string_free(s, FALSE);
}

void ra_connstr1_free(RaConnStr1 *cs)
{
    if (cs == NULL)
        return;
    g_free(cs->protocol_version);
    g_free(cs->protocol_type);
    g_free(cs->machine_address_list);
    g_ptr_array_unref(cs->addresses);
    g_free(cs->assistant_account_pwd);
    g_free(cs->ra_session_id);
    g_free(cs->ra_session_name);
    g_free(cs->ra_session_pwd);
    g_free(cs->protocol_specific_parms);
    g_ptr_array_unref(cs->warnings);
    g_free(cs);
}

/* ---- Connection String 2 ([MS-RAI] 2.2.2; KH2, CE and U from rev 12.0) ---- */

static void listener_free(RaListener *l)
{
    g_free(l->port_text);
    g_free(l->name);
    g_free(l->uri);
    g_free(l);
}

static void transport_free(RaTransport *t)
{
    g_free(t->id);
    g_free(t->sid);
    g_ptr_array_unref(t->listeners);
    g_free(t);
}

/* Warns about attributes of `node` not in the NULL-terminated `known` list. */
static void check_attrs(GPtrArray *warnings, const RaXmlNode *node, const char *const *known)
{
    for (guint i = 0; i < node->attrs->len; i++) {
        const RaXmlAttr *a = g_ptr_array_index(node->attrs, i);
        if (!g_strv_contains(known, a->name))
            warn(warnings, RA_CSW_UNKNOWN_CONTENT, "<%s> has an unknown attribute %s=\"%s\"",
                 node->name, a->name, a->value);
    }
    if (!ra_xml_node_text_is_blank(node))
        warn(warnings, RA_CSW_UNKNOWN_CONTENT, "<%s> contains text", node->name);
}

static gchar *required_attr(GPtrArray *warnings, const RaXmlNode *node, const char *name)
{
    const char *v = ra_xml_node_get_attr(node, name);
    if (v == NULL)
        warn(warnings, RA_CSW_MISSING_ELEMENT, "<%s> lacks the %s attribute", node->name, name);
    return g_strdup(v);
}

static void parse_a(RaConnStr2 *cs, const RaXmlNode *a)
{
    static const char *const known[] = {"KH", "KH2", "ID", "CE", NULL};
    check_attrs(cs->warnings, a, known);
    cs->kh = required_attr(cs->warnings, a, "KH");
    cs->id = required_attr(cs->warnings, a, "ID");
    cs->kh2 = g_strdup(ra_xml_node_get_attr(a, "KH2"));
    cs->ce = g_strdup(ra_xml_node_get_attr(a, "CE"));
    if (a->children->len > 0)
        warn(cs->warnings, RA_CSW_UNKNOWN_CONTENT, "<A> has child elements");

    /* KH: base64 of a SHA-1 hash (of the server's certificate's public key). */
    if (cs->kh != NULL) {
        GBytes *b = decode_base64(cs->kh);
        if (b == NULL)
            warn(cs->warnings, RA_CSW_BAD_BASE64, "KH \"%s\" is not base64", cs->kh);
        else if (g_bytes_get_size(b) != 20)
            warn(cs->warnings, RA_CSW_BAD_BASE64,
                 "KH decodes to %" G_GSIZE_FORMAT " bytes, expected 20 (SHA-1)",
                 g_bytes_get_size(b));
        if (b)
            g_bytes_unref(b);
    }
    /* KH2 (rev 12.0): "<hash>:<base64>" with hash sha256, sha384 or sha512. */
    if (cs->kh2 != NULL) {
        static const struct {
            const char *prefix;
            gsize size;
        } algs[] = {{"sha256:", 32}, {"sha384:", 48}, {"sha512:", 64}};
        gsize want = 0;
        const char *b64 = NULL;
        for (guint i = 0; i < G_N_ELEMENTS(algs); i++) {
            if (g_str_has_prefix(cs->kh2, algs[i].prefix)) {
                want = algs[i].size;
                b64 = cs->kh2 + strlen(algs[i].prefix);
            }
        }
        GBytes *b = b64 ? decode_base64(b64) : NULL;
        if (b64 == NULL)
            warn(cs->warnings, RA_CSW_BAD_BASE64,
                 "KH2 \"%s\" does not start with sha256:, sha384: or sha512:", cs->kh2);
        else if (b == NULL)
            warn(cs->warnings, RA_CSW_BAD_BASE64, "KH2 hash \"%s\" is not base64", b64);
        else if (g_bytes_get_size(b) != want)
            warn(cs->warnings, RA_CSW_BAD_BASE64,
                 "KH2 hash decodes to %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
                 g_bytes_get_size(b), want);
        if (b)
            g_bytes_unref(b);
    }
    /* CE (rev 12.0): the server's certificate, base64 DER with line breaks. */
    if (cs->ce != NULL) {
        cs->ce_der = decode_base64(cs->ce);
        if (cs->ce_der == NULL)
            warn(cs->warnings, RA_CSW_BAD_BASE64, "CE is not base64");
    }
}

static void parse_t(RaConnStr2 *cs, const RaXmlNode *t)
{
    static const char *const known[] = {"ID", "SID", NULL};
    static const char *const known_l[] = {"P", "N", "U", NULL};
    check_attrs(cs->warnings, t, known);
    RaTransport *tr = g_new0(RaTransport, 1);
    tr->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)listener_free);
    tr->id = required_attr(cs->warnings, t, "ID");
    tr->sid = required_attr(cs->warnings, t, "SID");
    for (guint i = 0; i < t->children->len; i++) {
        const RaXmlNode *l = g_ptr_array_index(t->children, i);
        if (strcmp(l->name, "L") != 0) {
            warn(cs->warnings, RA_CSW_UNKNOWN_CONTENT, "<T> has an unknown element <%s>", l->name);
            continue;
        }
        check_attrs(cs->warnings, l, known_l);
        if (l->children->len > 0)
            warn(cs->warnings, RA_CSW_UNKNOWN_CONTENT, "<L> has child elements");
        RaListener *li = g_new0(RaListener, 1);
        li->port_text = required_attr(cs->warnings, l, "P");
        li->name = required_attr(cs->warnings, l, "N");
        li->uri = g_strdup(ra_xml_node_get_attr(l, "U"));
        li->port = parse_port(li->port_text);
        if (li->port_text != NULL && li->port == 0)
            warn(cs->warnings, RA_CSW_BAD_PORT, "listener %u has port P=\"%s\", expected 1-65535",
                 tr->listeners->len + 1, li->port_text);
        g_ptr_array_add(tr->listeners, li);
    }
    if (tr->listeners->len == 0)
        warn(cs->warnings, RA_CSW_MISSING_ELEMENT, "<T> has no <L> listener");
    g_ptr_array_add(cs->transports, tr);
}

static void parse_c(RaConnStr2 *cs, const RaXmlNode *c)
{
    static const char *const known[] = {NULL};
    check_attrs(cs->warnings, c, known);
    for (guint i = 0; i < c->children->len; i++) {
        const RaXmlNode *t = g_ptr_array_index(c->children, i);
        if (strcmp(t->name, "T") == 0)
            parse_t(cs, t);
        else
            warn(cs->warnings, RA_CSW_UNKNOWN_CONTENT, "<C> has an unknown element <%s>", t->name);
    }
    if (cs->transports->len == 0)
        warn(cs->warnings, RA_CSW_MISSING_ELEMENT, "<C> has no <T> transport");
}

RaConnStr2 *ra_connstr2_parse(const char *text, gsize len, GError **error)
{
    if (!check_input(text, len, "Connection String 2", error))
        return NULL;
    g_autoptr(GError) xml_error = NULL;
    g_autoptr(RaXmlDocument) doc = ra_xml_parse(text, len, RA_XML_FLAGS_NONE, &xml_error);
    if (doc == NULL) {
        g_set_error(error, RA_ERROR, xml_error->code, "Connection String 2: %s",
                    xml_error->message);
        return NULL;
    }
    const RaXmlNode *e = doc->root;
    if (strcmp(e->name, "E") != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not a Connection String 2: the root element is <%s>, expected <E>", e->name);
        return NULL;
    }
    RaConnStr2 *cs = g_new0(RaConnStr2, 1);
    cs->transports = g_ptr_array_new_with_free_func((GDestroyNotify)transport_free);
    cs->warnings = warnings_new();
    static const char *const none[] = {NULL};
    check_attrs(cs->warnings, e, none);

    const RaXmlNode *a = NULL, *c = NULL;
    for (guint i = 0; i < e->children->len; i++) {
        const RaXmlNode *child = g_ptr_array_index(e->children, i);
        if (strcmp(child->name, "A") == 0 && a == NULL)
            a = child;
        else if (strcmp(child->name, "C") == 0 && c == NULL)
            c = child;
        else
            warn(cs->warnings, RA_CSW_UNKNOWN_CONTENT, "<E> has an %s element <%s> (ignored)",
                 (strcmp(child->name, "A") == 0 || strcmp(child->name, "C") == 0) ? "extra"
                                                                                  : "unknown",
                 child->name);
    }
    if (a != NULL)
        parse_a(cs, a);
    else
        warn(cs->warnings, RA_CSW_MISSING_ELEMENT, "<E> has no <A> element");
    if (c != NULL)
        parse_c(cs, c);
    else
        warn(cs->warnings, RA_CSW_MISSING_ELEMENT, "<E> has no <C> element");
    if (doc->trailing_offset >= 0)
        warn(cs->warnings, RA_CSW_TRAILING_DATA, "%" G_GSIZE_FORMAT " bytes after </E>",
             len - (gsize)doc->trailing_offset);
    return cs;
}

gchar *ra_connstr2_build(const RaConnStr2 *cs)
{
    GString *s = g_string_new("<E><A");
    append_attr(s, "KH", cs->kh);
    append_attr(s, "KH2", cs->kh2);
    append_attr(s, "CE", cs->ce);
    append_attr(s, "ID", cs->id);
    g_string_append(s, "/><C>");
    for (guint i = 0; cs->transports != NULL && i < cs->transports->len; i++) {
        const RaTransport *t = g_ptr_array_index(cs->transports, i);
        g_string_append(s, "<T");
        append_attr(s, "ID", t->id);
        append_attr(s, "SID", t->sid);
        g_string_append_c(s, '>');
        for (guint j = 0; t->listeners != NULL && j < t->listeners->len; j++) {
            const RaListener *l = g_ptr_array_index(t->listeners, j);
            gchar *port = l->port_text ? g_strdup(l->port_text) : g_strdup_printf("%u", l->port);
            g_string_append(s, "<L");
            append_attr(s, "P", port);
            append_attr(s, "N", l->name);
            append_attr(s, "U", l->uri);
            g_string_append(s, "/>");
            g_free(port);
        }
        g_string_append(s, "</T>");
    }
    g_string_append(s, "</C></E>");
    return g_string_free(s, FALSE);
}

void ra_connstr2_free(RaConnStr2 *cs)
{
    if (cs == NULL)
        return;
    g_free(cs->kh);
    g_free(cs->kh2);
    g_free(cs->id);
    g_free(cs->ce);
    if (cs->ce_der)
        g_bytes_unref(cs->ce_der);
    g_ptr_array_unref(cs->transports);
    g_ptr_array_unref(cs->warnings);
    g_free(cs);
}

int ra_connstr_detect(const char *text, gsize len)
{
    gsize i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && g_ascii_isspace(text[i]))
        i++;
    if (i < len && text[i] == '<')
        return 2;
    gsize digits = 0;
    while (i < len && g_ascii_isdigit(text[i])) {
        i++;
        digits++;
    }
    return digits > 0 && i < len && text[i] == ',' ? 1 : 0;
}

/* ---- Length-prefixed blobs ([MS-RAI] 3.1.4.1.1 and the MS-RA expert blob) ---- */

static void blob_item_free(RaBlobItem *item)
{
    g_free(item->text);
    g_free(item->key);
    g_free(item->value);
    g_free(item);
}

#define BLOB_MAX_DIGITS 9 /* lengths stay below 10^9: no overflow, and no input is that long */
#define BLOB_MAX_KEY    64

/* Reads "<digits>;" at u[pos]; returns the position after ';' or 0 (never a valid result). */
static glong read_length(const gunichar2 *u, glong n, glong pos, guint *value)
{
    guint v = 0, digits = 0;
    while (pos < n && u[pos] >= '0' && u[pos] <= '9' && digits < BLOB_MAX_DIGITS) {
        v = v * 10 + (guint)(u[pos] - '0');
        pos++;
        digits++;
    }
    if (digits == 0 || pos >= n || u[pos] != ';')
        return 0;
    *value = v;
    return pos + 1;
}

/* Whether an item of `declared` units can start at `pos`, itself followed by a "KEY=". */
static gboolean is_boundary(const gunichar2 *u, glong n, glong pos)
{
    guint declared = 0;
    glong start = read_length(u, n, pos, &declared);
    if (start == 0 || (gsize)declared > (gsize)(n - start))
        return FALSE;
    glong i = start;
    if (i >= n || !(g_ascii_isalpha((gchar)u[i]) || u[i] == '_') || u[i] > 0x7F)
        return FALSE;
    for (glong k = 0; i < n && k < BLOB_MAX_KEY; i++, k++) {
        if (u[i] == '=')
            return TRUE;
        if (u[i] > 0x7F || !(g_ascii_isalnum((gchar)u[i]) || u[i] == '_'))
            return FALSE;
    }
    return FALSE;
}

static gchar *utf16_to_utf8(const gunichar2 *u, glong n)
{
    gchar *s = g_utf16_to_utf8(u, n, NULL, NULL, NULL);
    return s ? s : g_strdup(""); /* cannot fail on a range cut from valid UTF-8 at a boundary */
}

RaBlob *ra_blob_parse(const char *text, gsize len, GError **error)
{
    if (!check_input(text, len, "blob", error))
        return NULL;
    if (len == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "empty blob");
        return NULL;
    }
    glong n = 0;
    gunichar2 *u = g_utf8_to_utf16(text, (glong)len, NULL, &n, NULL);
    guint first_length = 0;
    if (u == NULL || read_length(u, n, 0, &first_length) == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not a length-prefixed blob: it does not start with \"<length>;\"");
        g_free(u);
        return NULL;
    }
    RaBlob *blob = g_new0(RaBlob, 1);
    blob->items = g_ptr_array_new_with_free_func((GDestroyNotify)blob_item_free);
    blob->warnings = warnings_new();

    glong pos = 0;
    while (pos < n) {
        guint declared = 0;
        glong start = read_length(u, n, pos, &declared);
        g_assert(start > 0); /* pos is 0 or a boundary found below */
        glong end;
        if ((gsize)declared <= (gsize)(n - start) &&
            (start + (glong)declared == n || is_boundary(u, n, start + (glong)declared))) {
            end = start + (glong)declared;
        } else {
            /* Recover at the next "<digits>;<KEY>=" boundary, or the end of the blob. */
            end = n;
            for (glong p = start + 1; p < n; p++) {
                if (is_boundary(u, n, p)) {
                    end = p;
                    break;
                }
            }
            warn(blob->warnings, RA_CSW_BLOB_LENGTH, "item %u declares %u characters but has %ld",
                 blob->items->len + 1, declared, (long)(end - start));
        }
        RaBlobItem *item = g_new0(RaBlobItem, 1);
        item->declared_length = declared;
        item->text = utf16_to_utf8(u + start, end - start);
        const char *eq = strchr(item->text, '=');
        if (eq != NULL) {
            item->key = g_strndup(item->text, (gsize)(eq - item->text));
            item->value = g_strdup(eq + 1);
        } else {
            warn(blob->warnings, RA_CSW_BLOB_ITEM, "item %u \"%s\" is not KEY=VALUE",
                 blob->items->len + 1, item->text);
        }
        g_ptr_array_add(blob->items, item);
        pos = end;
    }
    g_free(u);

    /* The meaning of the MS-RAI user help blob (3.1.4.1.1) and the MS-RA expert blob. */
    gboolean has_unsolicited = FALSE, has_id = FALSE, has_name = FALSE, has_pass = FALSE;
    for (guint i = 0; i < blob->items->len; i++) {
        const RaBlobItem *item = g_ptr_array_index(blob->items, i);
        if (item->key == NULL)
            continue;
        if (strcmp(item->key, "UNSOLICITED") == 0) {
            has_unsolicited = TRUE;
            blob->unsolicited = strcmp(item->value, "1") == 0;
            if (!blob->unsolicited)
                warn(blob->warnings, RA_CSW_BLOB_ITEM, "UNSOLICITED is \"%s\", expected 1",
                     item->value);
        } else if (strcmp(item->key, "ID") == 0 && !has_id) {
            has_id = TRUE;
            const char *bs = strchr(item->value, '\\');
            if (bs != NULL) {
                blob->domain = g_strndup(item->value, (gsize)(bs - item->value));
                blob->user = g_strdup(bs + 1);
            } else {
                blob->user = g_strdup(item->value);
                warn(blob->warnings, RA_CSW_BLOB_ITEM, "ID \"%s\" is not DOMAIN\\user",
                     item->value);
            }
        } else if (strcmp(item->key, "NAME") == 0) {
            has_name = TRUE;
        } else if (strcmp(item->key, "PASS") == 0) {
            has_pass = TRUE;
        }
    }
    if (has_unsolicited != has_id)
        warn(blob->warnings, RA_CSW_BLOB_ITEM, "the help blob lacks its %s item",
             has_id ? "UNSOLICITED" : "ID");
    if (has_name != has_pass)
        warn(blob->warnings, RA_CSW_BLOB_ITEM, "the expert blob lacks its %s item",
             has_name ? "PASS" : "NAME");
    return blob;
}

/* "<n>;<item>" with n in UTF-16 code units (BSTR characters). */
static void append_item(GString *s, const char *item)
{
    glong units = 0;
    gunichar2 *u = g_utf8_to_utf16(item, -1, NULL, &units, NULL);
    g_free(u);
    g_string_append_printf(s, "%ld;%s", units, item);
}

gchar *ra_blob_build_help(const char *domain, const char *user)
{
    GString *s = g_string_new(NULL);
    append_item(s, "UNSOLICITED=1");
    gchar *id = domain != NULL ? g_strdup_printf("ID=%s\\%s", domain, user)
                               : g_strdup_printf("ID=%s", user);
    append_item(s, id);
    g_free(id);
    return g_string_free(s, FALSE);
}

gchar *ra_blob_build_expert(const char *name, const guint8 *pass, gsize pass_len)
{
    GString *s = g_string_new(NULL);
    gchar *item = g_strdup_printf("NAME=%s", name);
    append_item(s, item);
    g_free(item);
    GString *p = g_string_new("PASS=");
    for (gsize i = 0; i < pass_len; i++)
        g_string_append_printf(p, "%02X", pass[i]);
    append_item(s, p->str);
    g_string_free(p, TRUE);
    return g_string_free(s, FALSE);
}

void ra_blob_free(RaBlob *blob)
{
    if (blob == NULL)
        return;
    g_ptr_array_unref(blob->items);
    g_ptr_array_unref(blob->warnings);
    g_free(blob->domain);
    g_free(blob->user);
    g_free(blob);
}

/* ---- GetSessionInfo entries ([MS-RAI] 3.3.4.1.2): "DomainName\UserName:SessionID" ---- */

gboolean ra_session_entry_parse(const char *text, gchar **domain, gchar **user, guint32 *id)
{
    if (text == NULL)
        return FALSE;
    const char *bs = strchr(text, '\\');
    const char *colon = strrchr(text, ':');
    if (bs == NULL || colon == NULL || colon < bs || colon[1] == '\0' || strlen(colon + 1) > 10)
        return FALSE;
    guint64 v = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return FALSE;
        v = v * 10 + (guint64)(*p - '0');
    }
    if (v > G_MAXUINT32)
        return FALSE;
    if (domain)
        *domain = g_strndup(text, (gsize)(bs - text));
    if (user)
        *user = g_strndup(bs + 1, (gsize)(colon - bs - 1));
    if (id)
        *id = (guint32)v;
    return TRUE;
}
