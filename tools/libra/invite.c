/*
 * Invitation files ([MS-RAI] Appendix A): encoding detection, parsing through ra/xml.h, the
 * password step, and writing (see ra/invite.h).
 */
#include "ra/invite.h"
#include "ra/error.h"
#include "ra/ticket.h"
#include "ra/xml.h"

#include <stdarg.h>
#include <string.h>

const char *ra_text_encoding_name(RaTextEncoding encoding)
{
    switch (encoding) {
    case RA_TEXT_UTF8:
        return "utf-8";
    case RA_TEXT_UTF8_BOM:
        return "utf-8-bom";
    case RA_TEXT_UTF16LE:
        return "utf-16le";
    case RA_TEXT_UTF16LE_BOM:
        return "utf-16le-bom";
    case RA_TEXT_UTF16BE:
        return "utf-16be";
    case RA_TEXT_UTF16BE_BOM:
        return "utf-16be-bom";
    case RA_TEXT_WINDOWS_1252:
        return "windows-1252";
    }
    return "unknown";
}

static void G_GNUC_PRINTF(3, 4)
    warn(RaInvite *inv, RaInviteWarningCode code, const char *format, ...)
{
    RaInviteWarning *w = g_new0(RaInviteWarning, 1);
    va_list ap;
    va_start(ap, format);
    w->code = code;
    w->message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_ptr_array_add(inv->warnings, w);
}

static void warning_free(RaInviteWarning *w)
{
    g_free(w->message);
    g_free(w);
}

static void attribute_free(RaInviteAttribute *a)
{
    g_free(a->name);
    g_free(a->value);
    g_free(a);
}

/* Copies a connection string's warnings, prefixed with where the string was found. */
static void add_connstr_warnings(RaInvite *inv, const char *where, GPtrArray *warnings)
{
    for (guint i = 0; i < warnings->len; i++) {
        const RaConnStrWarning *w = warnings->pdata[i];
        warn(inv, RA_INVW_CONNSTR, "%s: %s", where, w->message);
    }
}

/* ---- encoding detection ---- */

/* Windows-1252's 0x80-0x9F; the five bytes it leaves undefined map to the C1 controls, as
 * Windows' MultiByteToWideChar maps them. */
static const gunichar cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static gchar *from_utf16(const guint8 *d, gsize len, gboolean big_endian, GError **error)
{
    if (len % 2 != 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "the file looks like UTF-16 but has an odd number of bytes (%" G_GSIZE_FORMAT
                    "): truncated?",
                    len);
        return NULL;
    }
    gsize n = len / 2;
    gunichar2 *u = g_new(gunichar2, n + 1);
    for (gsize i = 0; i < n; i++) {
        u[i] = big_endian ? (gunichar2)(d[2 * i] << 8 | d[2 * i + 1])
                          : (gunichar2)(d[2 * i] | d[2 * i + 1] << 8);
        if (u[i] == 0) {
            g_free(u);
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the UTF-16 text has a NUL character at offset %" G_GSIZE_FORMAT, 2 * i);
            return NULL;
        }
    }
    GError *conv = NULL;
    gchar *text = g_utf16_to_utf8(u, (glong)n, NULL, NULL, &conv);
    g_free(u);
    if (text == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the file is not valid UTF-16: %s",
                    conv->message);
        g_error_free(conv);
    }
    return text;
}

/* The file as UTF-8 text, and which encoding it had. */
static gchar *decode_text(const guint8 *d, gsize len, RaTextEncoding *enc, GError **error)
{
    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        *enc = RA_TEXT_UTF8_BOM;
        if (!g_utf8_validate_len((const char *)d + 3, len - 3, NULL)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the file starts with a UTF-8 byte order mark but is not UTF-8");
            return NULL;
        }
        return g_strndup((const char *)d + 3, len - 3);
    }
    if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
        *enc = RA_TEXT_UTF16LE_BOM;
        return from_utf16(d + 2, len - 2, FALSE, error);
    }
    if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
        *enc = RA_TEXT_UTF16BE_BOM;
        return from_utf16(d + 2, len - 2, TRUE, error);
    }
    /* No BOM: an XML file starts with '<' or blanks, ASCII, so UTF-16 shows a zero byte. */
    if (len >= 2 && d[0] != 0 && d[0] < 0x80 && d[1] == 0) {
        *enc = RA_TEXT_UTF16LE;
        return from_utf16(d, len, FALSE, error);
    }
    if (len >= 2 && d[0] == 0 && d[1] != 0 && d[1] < 0x80) {
        *enc = RA_TEXT_UTF16BE;
        return from_utf16(d, len, TRUE, error);
    }
    if (memchr(d, 0, len) != NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "the file has NUL bytes but is not UTF-16: not a text file");
        return NULL;
    }
    if (g_utf8_validate_len((const char *)d, len, NULL)) {
        *enc = RA_TEXT_UTF8;
        return g_strndup((const char *)d, len);
    }
    *enc = RA_TEXT_WINDOWS_1252;
    GString *s = g_string_sized_new(len + len / 4);
    for (gsize i = 0; i < len; i++) {
        if (d[i] < 0x80)
            g_string_append_c(s, (char)d[i]);
        else
            g_string_append_unichar(s, d[i] < 0xA0 ? cp1252_high[d[i] - 0x80] : d[i]);
    }
    return g_string_free(s, FALSE);
}

/* encoding="..." of an XML declaration at the start of `text`, or NULL. */
static gchar *declared_encoding(const char *text)
{
    while (g_ascii_isspace(*text))
        text++;
    if (!g_str_has_prefix(text, "<?xml"))
        return NULL;
    const char *end = strstr(text, "?>");
    const char *p = g_strstr_len(text, end ? end - text : -1, "encoding");
    if (p == NULL)
        return NULL;
    p += strlen("encoding");
    while (g_ascii_isspace(*p))
        p++;
    if (*p++ != '=')
        return NULL;
    while (g_ascii_isspace(*p))
        p++;
    char quote = *p++;
    if (quote != '"' && quote != '\'')
        return NULL;
    const char *close = strchr(p, quote);
    return close && (end == NULL || close < end) ? g_strndup(p, (gsize)(close - p)) : NULL;
}

/* ---- parsing ---- */

static gboolean parse_number(const char *s, gint64 *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return FALSE;
    for (const char *p = s; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return FALSE;
    }
    *out = g_ascii_strtoll(s, NULL, 10);
    return TRUE;
}

static const char *attr(const RaInvite *inv, const char *name)
{
    for (guint i = 0; i < inv->attributes->len; i++) {
        const RaInviteAttribute *a = inv->attributes->pdata[i];
        if (strcmp(a->name, name) == 0)
            return a->value;
    }
    return NULL;
}

/* RCTICKET: a Connection String 1 (type 1, and Windows 7's type 2) or, rarely, a CS2. */
static gboolean parse_rcticket(RaInvite *inv, GError **error)
{
    gsize len = strlen(inv->rcticket);
    int form = ra_connstr_detect(inv->rcticket, len);
    g_autoptr(GError) err = NULL;
    if (form == 1) {
        inv->cs1 = ra_connstr1_parse(inv->rcticket, len, &err);
        if (inv->cs1 != NULL)
            add_connstr_warnings(inv, "RCTICKET", inv->cs1->warnings);
    } else if (form == 2) {
        inv->cs2 = ra_connstr2_parse(inv->rcticket, len, &err);
        if (inv->cs2 != NULL) {
            inv->cs2_text = g_strdup(inv->rcticket);
            add_connstr_warnings(inv, "RCTICKET", inv->cs2->warnings);
        }
    } else {
        g_set_error(&err, RA_ERROR, RA_ERROR_MALFORMED, "not a connection string");
    }
    if (err == NULL)
        return TRUE;
    if (inv->kind == RA_INVITE_TYPE1) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "RCTICKET: %s", err->message);
        return FALSE;
    }
    warn(inv, RA_INVW_CONNSTR, "RCTICKET: %s", err->message);
    return TRUE;
}

static gboolean parse_upload(RaInvite *inv, const RaXmlNode *root, GError **error)
{
    for (guint i = 0; i < root->attrs->len; i++) {
        const RaXmlAttr *a = root->attrs->pdata[i];
        if (strcmp(a->name, "TYPE") != 0)
            warn(inv, RA_INVW_UNKNOWN_CONTENT, "UPLOADINFO has an unknown attribute %s", a->name);
    }
    inv->upload_type = g_strdup(ra_xml_node_get_attr(root, "TYPE"));
    /* Appendix A: the UPLOADINFO TYPE MUST be "Escalated". */
    if (inv->upload_type == NULL)
        warn(inv, RA_INVW_UPLOAD_TYPE, "UPLOADINFO has no TYPE (Appendix A: it MUST be Escalated)");
    else if (strcmp(inv->upload_type, "Escalated") != 0)
        warn(inv, RA_INVW_UPLOAD_TYPE,
             "UPLOADINFO TYPE is \"%s\" (Appendix A: it MUST be Escalated)", inv->upload_type);
    if (!ra_xml_node_text_is_blank(root))
        warn(inv, RA_INVW_UNKNOWN_CONTENT, "UPLOADINFO contains text");

    const RaXmlNode *data = NULL;
    for (guint i = 0; i < root->children->len; i++) {
        const RaXmlNode *c = root->children->pdata[i];
        if (data == NULL && strcmp(c->name, "UPLOADDATA") == 0)
            data = c;
        else
            warn(inv, RA_INVW_UNKNOWN_CONTENT, "UPLOADINFO has an %s element <%s> (ignored)",
                 strcmp(c->name, "UPLOADDATA") == 0 ? "extra" : "unknown", c->name);
    }
    if (data == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "UPLOADINFO has no UPLOADDATA element");
        return FALSE;
    }
    if (data->children->len > 0 || !ra_xml_node_text_is_blank(data))
        warn(inv, RA_INVW_UNKNOWN_CONTENT, "UPLOADDATA has content (ignored)");

    static const char *const known[] = {"USERNAME",          "LHTICKET", "RCTICKET",
                                        "RCTICKETENCRYPTED", "DtStart",  "DtLength",
                                        "PassStub",          "L",        NULL};
    for (guint i = 0; i < data->attrs->len; i++) {
        const RaXmlAttr *a = data->attrs->pdata[i];
        RaInviteAttribute *copy = g_new0(RaInviteAttribute, 1);
        copy->name = g_strdup(a->name);
        copy->value = g_strdup(a->value);
        g_ptr_array_add(inv->attributes, copy);
        if (!g_strv_contains(known, a->name))
            warn(inv, RA_INVW_UNKNOWN_CONTENT, "UPLOADDATA has an unknown attribute %s", a->name);
    }
    inv->username = attr(inv, "USERNAME");
    inv->lhticket = attr(inv, "LHTICKET");
    inv->rcticket = attr(inv, "RCTICKET");
    inv->rcticket_encrypted = attr(inv, "RCTICKETENCRYPTED");
    inv->passstub = attr(inv, "PassStub");
    inv->dt_start = attr(inv, "DtStart");
    inv->dt_length = attr(inv, "DtLength");
    inv->low_speed = attr(inv, "L");

    if (inv->lhticket == NULL && inv->rcticket == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "UPLOADDATA has neither LHTICKET nor RCTICKET: no connection string");
        return FALSE;
    }
    inv->kind = inv->lhticket != NULL ? RA_INVITE_TYPE2 : RA_INVITE_TYPE1;

    if (inv->lhticket != NULL) {
        inv->lhticket_bytes = ra_hex_decode(inv->lhticket, "LHTICKET", error);
        if (inv->lhticket_bytes == NULL)
            return FALSE;
        gsize n = g_bytes_get_size(inv->lhticket_bytes);
        if (n == 0 || n % 16 != 0) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "LHTICKET is %" G_GSIZE_FORMAT
                        " bytes, not a whole number of 16-byte AES blocks: truncated?",
                        n);
            return FALSE;
        }
    }
    if (inv->rcticket != NULL && !parse_rcticket(inv, error))
        return FALSE;

    static const char *const expected[] = {"USERNAME", "RCTICKETENCRYPTED", "DtStart",
                                           "DtLength", "PassStub",          "L"};
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        if (attr(inv, expected[i]) == NULL)
            warn(inv, RA_INVW_MISSING_ATTRIBUTE, "UPLOADDATA has no %s attribute", expected[i]);
    }
    if (inv->dt_start != NULL && !(inv->has_start = parse_number(inv->dt_start, &inv->start)))
        warn(inv, RA_INVW_BAD_VALUE, "DtStart \"%s\" is not a number of seconds", inv->dt_start);
    if (inv->dt_length != NULL &&
        !(inv->has_length = parse_number(inv->dt_length, &inv->length_minutes)))
        warn(inv, RA_INVW_BAD_VALUE, "DtLength \"%s\" is not a number of minutes", inv->dt_length);
    if (inv->low_speed != NULL && strcmp(inv->low_speed, "0") != 0 &&
        strcmp(inv->low_speed, "1") != 0)
        warn(inv, RA_INVW_BAD_VALUE, "L is \"%s\", expected 0 or 1", inv->low_speed);
    if (inv->rcticket_encrypted != NULL && strcmp(inv->rcticket_encrypted, "0") != 0 &&
        strcmp(inv->rcticket_encrypted, "1") != 0)
        warn(inv, RA_INVW_BAD_VALUE, "RCTICKETENCRYPTED is \"%s\", expected 0 or 1",
             inv->rcticket_encrypted);
    return TRUE;
}

RaInvite *ra_invite_parse(const guint8 *data, gsize len, GError **error)
{
    if (len > RA_MAX_INPUT) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "the file is %" G_GSIZE_FORMAT " bytes, over the limit of %d", len,
                    RA_MAX_INPUT);
        return NULL;
    }
    if (len == 0) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "the file is empty");
        return NULL;
    }
    RaTextEncoding encoding = RA_TEXT_UTF8;
    g_autofree gchar *text = decode_text(data, len, &encoding, error);
    if (text == NULL)
        return NULL;
    gsize text_len = strlen(text);
    g_autoptr(GError) xml_error = NULL;
    g_autoptr(RaXmlDocument) doc =
        ra_xml_parse(text, text_len, RA_XML_REPAIR_ATTRIBUTE_SPACE, &xml_error);
    if (doc == NULL) {
        g_set_error(error, RA_ERROR, xml_error->code, "%s", xml_error->message);
        return NULL;
    }

    RaInvite *inv = g_new0(RaInvite, 1);
    inv->encoding = encoding;
    inv->declared_encoding = declared_encoding(text);
    inv->attributes = g_ptr_array_new_with_free_func((GDestroyNotify)attribute_free);
    inv->warnings = g_ptr_array_new_with_free_func((GDestroyNotify)warning_free);
    if (doc->repairs > 0) {
        const char *at = text + doc->repair_offset;
        g_autofree gchar *name = g_strndup(at, strcspn(at, "= \t\r\n"));
        warn(inv, RA_INVW_REPAIRED,
             "not well-formed XML: no space between attributes before %s (%u place%s; read as if "
             "there were)",
             name, doc->repairs, doc->repairs == 1 ? "" : "s");
    }

    const RaXmlNode *root = doc->root;
    gboolean ok = TRUE;
    if (strcmp(root->name, "UPLOADINFO") == 0) {
        ok = parse_upload(inv, root, error);
        if (ok && doc->trailing_offset >= 0)
            warn(inv, RA_INVW_UNKNOWN_CONTENT, "%" G_GSIZE_FORMAT " bytes of text after </%s>",
                 text_len - (gsize)doc->trailing_offset, root->name);
    } else if (strcmp(root->name, "E") == 0) {
        /* A bare Connection String 2 (Windows Desktop Sharing invitations). */
        inv->kind = RA_INVITE_BARE_CS2;
        g_autoptr(GError) err = NULL;
        inv->cs2 = ra_connstr2_parse(text, text_len, &err);
        if (inv->cs2 == NULL) {
            g_set_error(error, RA_ERROR, err->code, "%s", err->message);
            ok = FALSE;
        } else {
            inv->cs2_text = g_strdup(text);
            add_connstr_warnings(inv, "connection string", inv->cs2->warnings);
        }
    } else {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "not a Remote Assistance invitation: the root element is <%s>, expected "
                    "<UPLOADINFO> or <E>",
                    root->name);
        ok = FALSE;
    }
    if (!ok) {
        ra_invite_free(inv);
        return NULL;
    }
    return inv;
}

static void cross_check(RaInvite *inv)
{
    if (inv->cs1 == NULL || inv->cs2 == NULL || !inv->decrypted) {
        inv->cross_check = RA_CROSS_CHECK_NONE;
        return;
    }
    guint before = inv->warnings->len;
    const RaConnStr1 *cs1 = inv->cs1;
    const RaConnStr2 *cs2 = inv->cs2;
    if (g_strcmp0(cs1->ra_session_id, cs2->id) != 0)
        warn(inv, RA_INVW_TICKET_MISMATCH,
             "RCTICKET's RASessionID \"%s\" is not LHTICKET's <A ID> \"%s\"", cs1->ra_session_id,
             cs2->id ? cs2->id : "");
    if (g_strcmp0(cs1->protocol_specific_parms, cs2->kh) != 0)
        warn(inv, RA_INVW_TICKET_MISMATCH,
             "RCTICKET's protocolSpecificParms \"%s\" is not LHTICKET's <A KH> \"%s\"",
             cs1->protocol_specific_parms, cs2->kh ? cs2->kh : "");
    for (guint i = 0; i < cs1->addresses->len; i++) {
        const RaAddress *a = cs1->addresses->pdata[i];
        gboolean found = FALSE;
        for (guint t = 0; t < cs2->transports->len && !found; t++) {
            const RaTransport *tr = cs2->transports->pdata[t];
            for (guint l = 0; l < tr->listeners->len && !found; l++) {
                const RaListener *li = tr->listeners->pdata[l];
                found = li->port == a->port && g_strcmp0(li->name, a->host) == 0;
            }
        }
        if (!found)
            warn(inv, RA_INVW_TICKET_MISMATCH,
                 "RCTICKET's address %s:%u is not among LHTICKET's listeners", a->host, a->port);
    }
    inv->cross_check =
        inv->warnings->len == before ? RA_CROSS_CHECK_AGREE : RA_CROSS_CHECK_DISAGREE;
}

gboolean ra_invite_decrypt(RaInvite *inv, const char *password, GError **error)
{
    if (inv->passstub != NULL) {
        GBytes *enc = ra_passstub_encrypt(password, inv->passstub, error);
        if (enc == NULL)
            return FALSE;
        if (inv->passstub_encrypted)
            g_bytes_unref(inv->passstub_encrypted);
        inv->passstub_encrypted = enc;
    }
    if (inv->kind != RA_INVITE_TYPE2 || inv->decrypted)
        return TRUE;
    gsize n = 0;
    const guint8 *t = g_bytes_get_data(inv->lhticket_bytes, &n);
    gchar *text = ra_lhticket_decrypt_text(t, n, password, error);
    if (text == NULL)
        return FALSE;
    g_autoptr(GError) err = NULL;
    RaConnStr2 *cs2 = ra_connstr2_parse(text, strlen(text), &err);
    if (cs2 == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "the decrypted LHTICKET is not a Connection String 2: %s", err->message);
        g_free(text);
        return FALSE;
    }
    ra_connstr2_free(inv->cs2); /* an RCTICKET holding a CS2 gives way to the LHTICKET's */
    g_free(inv->cs2_text);
    inv->cs2 = cs2;
    inv->cs2_text = text;
    inv->decrypted = TRUE;
    add_connstr_warnings(inv, "LHTICKET", cs2->warnings);
    cross_check(inv);
    return TRUE;
}

gboolean ra_invite_is_valid_at(const RaInvite *inv, gint64 now)
{
    return inv->has_start && inv->has_length && inv->start + inv->length_minutes * 60 > now;
}

void ra_invite_free(RaInvite *inv)
{
    if (inv == NULL)
        return;
    g_free(inv->declared_encoding);
    g_free(inv->upload_type);
    g_ptr_array_unref(inv->attributes);
    if (inv->lhticket_bytes)
        g_bytes_unref(inv->lhticket_bytes);
    ra_connstr1_free(inv->cs1);
    ra_connstr2_free(inv->cs2);
    g_free(inv->cs2_text);
    if (inv->passstub_encrypted)
        g_bytes_unref(inv->passstub_encrypted);
    g_ptr_array_unref(inv->warnings);
    g_free(inv);
}

/* ---- writing ---- */

gchar *ra_invite_rcticket_from_cs2(const RaConnStr2 *cs2)
{
    GPtrArray *addresses = g_ptr_array_new();
    GPtrArray *owned = g_ptr_array_new_with_free_func(g_free);
    for (guint t = 0; t < cs2->transports->len; t++) {
        const RaTransport *tr = cs2->transports->pdata[t];
        for (guint l = 0; l < tr->listeners->len; l++) {
            const RaListener *li = tr->listeners->pdata[l];
            /* MS-RAI 2.2.1: IPv4 addresses or computer names; IPv6 has no place in the list. */
            if (li->name == NULL || li->port == 0 || strchr(li->name, ':') != NULL ||
                strchr(li->name, ';') != NULL || strchr(li->name, ',') != NULL)
                continue;
            RaAddress *a = g_new0(RaAddress, 1);
            a->host = li->name;
            a->port = li->port;
            g_ptr_array_add(owned, a);
            g_ptr_array_add(addresses, a);
        }
    }
    gchar *result = addresses->len > 0 ? ra_connstr1_build(addresses, cs2->id, cs2->kh) : NULL;
    g_ptr_array_unref(addresses);
    g_ptr_array_unref(owned);
    return result;
}

static void append_attr(GString *s, const char *name, const char *value)
{
    g_string_append_printf(s, " %s=\"", name);
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(s, "&amp;");
            break;
        case '<':
            g_string_append(s, "&lt;");
            break;
        case '>':
            g_string_append(s, "&gt;");
            break;
        case '"':
            g_string_append(s, "&quot;");
            break;
        case '\n':
            g_string_append(s, "&#xA;");
            break;
        case '\r':
            g_string_append(s, "&#xD;");
            break;
        case '\t':
            g_string_append(s, "&#x9;");
            break;
        default:
            g_string_append_c(s, *p);
        }
    }
    g_string_append_c(s, '"');
}

GBytes *ra_invite_build(const RaInviteSpec *spec, gchar **passstub_out, GError **error)
{
    if (spec->type != 1 && spec->type != 2) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "invitation type %d (1 or 2 exist)",
                    spec->type);
        return NULL;
    }
    const char *username = spec->username ? spec->username : "";
    for (const char *p = username; *p; p++) {
        if ((guchar)*p < 0x20 || *p == 0x7F) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the user name has a control character, which XML cannot carry");
            return NULL;
        }
    }
    gchar *trimmed = g_strstrip(g_strdup(spec->connstr));
    gsize len = strlen(trimmed);
    int form = ra_connstr_detect(trimmed, len);
    g_autoptr(GError) err = NULL;
    g_autoptr(RaConnStr1) cs1 = NULL;
    g_autoptr(RaConnStr2) cs2 = NULL;
    if (form == 1)
        cs1 = ra_connstr1_parse(trimmed, len, &err);
    else if (form == 2)
        cs2 = ra_connstr2_parse(trimmed, len, &err);
    else
        g_set_error(&err, RA_ERROR, RA_ERROR_MALFORMED, "neither form 1 nor form 2");
    if (err != NULL) {
        g_set_error(error, RA_ERROR, err->code, "the connection string: %s", err->message);
        g_free(trimmed);
        return NULL;
    }

    gchar *lhticket = NULL, *rcticket = NULL;
    if (spec->type == 2) {
        if (cs2 == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                        "a type-2 invitation needs a Connection String 2 (<E>...</E>) for its "
                        "LHTICKET; a Connection String 1 can only make a type-1 invitation");
            g_free(trimmed);
            return NULL;
        }
        /* The plaintext Windows encrypts: its one-line form, then CR LF. */
        g_autofree gchar *text = ra_connstr2_build(cs2);
        g_autofree gchar *plain = g_strconcat(text, "\r\n", NULL);
        g_autoptr(GBytes) ticket = ra_lhticket_encrypt_text(plain, spec->password, error);
        if (ticket == NULL) {
            g_free(trimmed);
            return NULL;
        }
        lhticket = ra_hex_encode(g_bytes_get_data(ticket, NULL), g_bytes_get_size(ticket));
        if (!spec->omit_rcticket)
            rcticket = ra_invite_rcticket_from_cs2(cs2);
    } else if (cs2 != NULL) {
        rcticket = ra_invite_rcticket_from_cs2(cs2);
        if (rcticket == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the Connection String 2 has no IPv4 or named listener to put in a "
                        "type-1 RCTICKET");
            g_free(trimmed);
            return NULL;
        }
    } else {
        rcticket = g_strdup(trimmed);
    }
    g_free(trimmed);

    /* Check the password converts before choosing anything. */
    g_autoptr(GBytes) check = ra_passstub_encrypt(spec->password, "x", error);
    if (check == NULL) {
        g_free(lhticket);
        g_free(rcticket);
        return NULL;
    }
    gchar *passstub = spec->passstub ? g_strdup(spec->passstub) : ra_passstub_generate();
    g_autofree gchar *start = g_strdup_printf("%" G_GINT64_FORMAT, spec->start);
    g_autofree gchar *length = g_strdup_printf("%u", spec->length_minutes);

    GString *s = g_string_new(spec->utf16 ? "<?xml version=\"1.0\" encoding=\"Unicode\" ?>"
                                          : "<?xml version=\"1.0\"?>");
    g_string_append(s, "\n<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA");
    append_attr(s, "USERNAME", username);
    if (spec->type == 2) {
        /* Windows 7's order; Windows 10/11 write the same without RCTICKET. */
        append_attr(s, "LHTICKET", lhticket);
        if (rcticket != NULL)
            append_attr(s, "RCTICKET", rcticket);
        append_attr(s, "PassStub", passstub);
        append_attr(s, "RCTICKETENCRYPTED", "1");
        append_attr(s, "DtStart", start);
        append_attr(s, "DtLength", length);
        append_attr(s, "L", "0");
        g_string_append(s, "/></UPLOADINFO>");
    } else {
        /* Windows XP's order (Appendix A's first sample). */
        append_attr(s, "RCTICKET", rcticket);
        append_attr(s, "RCTICKETENCRYPTED", "1");
        append_attr(s, "DtStart", start);
        append_attr(s, "DtLength", length);
        append_attr(s, "PassStub", passstub);
        append_attr(s, "L", "0");
        g_string_append(s, " /></UPLOADINFO>");
    }
    g_free(lhticket);
    g_free(rcticket);

    GBytes *result;
    if (spec->utf16) {
        glong units = 0;
        gunichar2 *u = g_utf8_to_utf16(s->str, (glong)s->len, NULL, &units, NULL);
        if (u == NULL) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the user name or connection string is not valid UTF-8");
            g_string_free(s, TRUE);
            g_free(passstub);
            return NULL;
        }
        guint8 *out = g_malloc(2 + 2 * (gsize)units);
        out[0] = 0xFF;
        out[1] = 0xFE;
        for (glong i = 0; i < units; i++) {
            out[2 + 2 * i] = (guint8)(u[i] & 0xFF);
            out[3 + 2 * i] = (guint8)(u[i] >> 8);
        }
        g_free(u);
        result = g_bytes_new_take(out, 2 + 2 * (gsize)units);
        g_string_free(s, TRUE);
    } else {
        if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "the user name or connection string is not valid UTF-8");
            g_string_free(s, TRUE);
            g_free(passstub);
            return NULL;
        }
        gsize n = s->len;
        result = g_bytes_new_take(g_string_free(s, FALSE), n);
    }
    if (passstub_out != NULL)
        *passstub_out = passstub;
    else
        g_free(passstub);
    return result;
}
