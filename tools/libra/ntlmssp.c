/*
 * NTLMSSP (see ra/ntlmssp.h): [MS-NLMP] 2.2 (messages), 3.1.5 (client), 3.2.5 (server),
 * 3.3.2 (NTLMv2), 3.4 (session security). Every primitive goes through ra/crypto.h.
 */
#include "ra/ntlmssp.h"
#include "ra/bytes.h"

#include <string.h>

static const guint8 ntlmssp_signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

#define NEGOTIATE_HEADER    32
#define CHALLENGE_HEADER    48
#define AUTHENTICATE_HEADER 64
#define VERSION_SIZE        8
#define MIC_OFFSET          72
#define MIC_SIZE            16
/* No NTLM message we accept is larger (Windows caps tokens at 12000 bytes or so). */
#define MAX_MESSAGE (64 * 1024)

static const RaNtlmVersion default_version = {6, 1, 7600, 0x0f};

static void wipe(void *p, gsize n)
{
    volatile guint8 *v = p;
    while (n--)
        *v++ = 0;
}

static gboolean malformed(GError **error, const char *msg)
{
    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "NTLMSSP: %s", msg);
    return FALSE;
}

/* ---- strings ---- */

/* UTF-16LE bytes -> UTF-8 (g_malloc). RA_ERROR_MALFORMED for odd lengths and bad UTF-16. */
static gchar *utf16_to_utf8(const guint8 *p, gsize len, GError **error)
{
    if (len % 2 != 0) {
        malformed(error, "UTF-16 string of odd length");
        return NULL;
    }
    gsize n = len / 2;
    gunichar2 *u = g_new(gunichar2, n + 1);
    for (gsize i = 0; i < n; i++) {
        u[i] = ra_le16(p + 2 * i);
        if (u[i] == 0) { /* g_utf16_to_utf8 would stop here silently */
            g_free(u);
            malformed(error, "string contains a NUL character");
            return NULL;
        }
    }
    GError *conv = NULL;
    glong written = 0;
    gchar *s = g_utf16_to_utf8(u, (glong)n, NULL, &written, &conv);
    g_free(u);
    if (s == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "NTLMSSP: invalid UTF-16 string: %s",
                    conv->message);
        g_error_free(conv);
        return NULL;
    }
    if ((gsize)written != strlen(s)) {
        g_free(s);
        malformed(error, "string contains a NUL character");
        return NULL;
    }
    return s;
}

/* UTF-8 -> UTF-16LE bytes appended to out. */
static gboolean append_utf16(GByteArray *out, const char *s, GError **error)
{
    glong n = 0;
    GError *conv = NULL;
    gunichar2 *u = g_utf8_to_utf16(s ? s : "", -1, NULL, &n, &conv);
    if (u == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "NTLMSSP: string is not UTF-8: %s",
                    conv->message);
        g_error_free(conv);
        return FALSE;
    }
    for (glong i = 0; i < n; i++) {
        guint8 b[2];
        ra_put_le16(b, u[i]);
        g_byte_array_append(out, b, 2);
    }
    g_free(u);
    return TRUE;
}

/* OEM strings: bytes read as Latin-1; a NUL byte is RA_ERROR_MALFORMED (a C string would
 * silently end there). */
static gchar *oem_to_utf8(const guint8 *p, gsize len, GError **error)
{
    if (memchr(p, 0, len) != NULL) {
        malformed(error, "OEM string contains a NUL character");
        return NULL;
    }
    GString *s = g_string_sized_new(len);
    for (gsize i = 0; i < len; i++)
        g_string_append_unichar(s, p[i]);
    return g_string_free(s, FALSE);
}

static gboolean append_oem(GByteArray *out, const char *s, GError **error)
{
    for (const char *c = s ? s : ""; *c; c++) {
        if ((guchar)*c >= 0x80) {
            g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                        "NTLMSSP: OEM strings must be ASCII");
            return FALSE;
        }
    }
    if (s)
        g_byte_array_append(out, (const guint8 *)s, (guint)strlen(s));
    return TRUE;
}

/* ---- message fields ([MS-NLMP] 2.2.1: Len, MaxLen, BufferOffset) ---- */

typedef struct {
    const guint8 *data;
    gsize len;
    gsize min_offset; /* smallest offset of a non-empty field, for MIC detection */
} Msg;

static gboolean get_field(Msg *m, gsize at, const guint8 **p, gsize *len, const char *name,
                          GError **error)
{
    guint16 l = ra_le16(m->data + at);
    guint32 off = ra_le32(m->data + at + 4);
    *p = NULL;
    *len = 0;
    if (l == 0)
        return TRUE;
    if (off > m->len || m->len - off < l) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "NTLMSSP: %s field (%u bytes at %u) outside the %" G_GSIZE_FORMAT
                    "-byte message",
                    name, l, off, m->len);
        return FALSE;
    }
    if (off < m->min_offset)
        m->min_offset = off;
    *p = m->data + off;
    *len = l;
    return TRUE;
}

static gboolean check_header(const guint8 *data, gsize len, guint32 type, gsize min_len,
                             GError **error)
{
    if (len > MAX_MESSAGE) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE,
                    "NTLMSSP message of %" G_GSIZE_FORMAT " bytes", len);
        return FALSE;
    }
    if (len < 12 || memcmp(data, ntlmssp_signature, 8) != 0)
        return malformed(error, "not an NTLMSSP message");
    if (ra_le32(data + 8) != type) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "NTLMSSP: message type %u where type %u was expected", ra_le32(data + 8), type);
        return FALSE;
    }
    if (len < min_len)
        return malformed(error, "message too short");
    return TRUE;
}

static void read_version(const guint8 *p, RaNtlmVersion *v)
{
    v->major = p[0];
    v->minor = p[1];
    v->build = ra_le16(p + 2);
    v->revision = p[7];
}

static void write_version(guint8 *p, const RaNtlmVersion *v)
{
    p[0] = v->major;
    p[1] = v->minor;
    ra_put_le16(p + 2, v->build);
    p[4] = p[5] = p[6] = 0;
    p[7] = v->revision;
}

/* A payload under construction: fixed header in `msg`, variable fields appended. */
static void set_field(GByteArray *msg, gsize at, gsize len)
{
    ra_put_le16(msg->data + at, (guint16)len);
    ra_put_le16(msg->data + at + 2, (guint16)len);
    ra_put_le32(msg->data + at + 4, (guint32)(msg->len - len));
}

static GByteArray *new_message(guint32 type, gsize header)
{
    GByteArray *msg = g_byte_array_sized_new((guint)header + 256);
    g_byte_array_set_size(msg, (guint)header);
    memset(msg->data, 0, header);
    memcpy(msg->data, ntlmssp_signature, 8);
    ra_put_le32(msg->data + 8, type);
    return msg;
}

/* ---- NEGOTIATE ([MS-NLMP] 2.2.1.1) ---- */

void ra_ntlm_negotiate_clear(RaNtlmNegotiate *msg)
{
    g_free(msg->domain);
    g_free(msg->workstation);
    memset(msg, 0, sizeof *msg);
}

gboolean ra_ntlm_negotiate_decode(const guint8 *data, gsize len, RaNtlmNegotiate *msg,
                                  GError **error)
{
    memset(msg, 0, sizeof *msg);
    if (!check_header(data, len, 1, 16, error))
        return FALSE;
    msg->flags = ra_le32(data + 12);
    if (len < NEGOTIATE_HEADER)
        return TRUE; /* old clients send the flags only */
    Msg m = {data, len, len};
    const guint8 *p;
    gsize l;
    if (!get_field(&m, 16, &p, &l, "DomainName", error))
        return FALSE;
    if (l && (msg->flags & RA_NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED) &&
        (msg->domain = oem_to_utf8(p, l, error)) == NULL)
        return FALSE;
    if (!get_field(&m, 24, &p, &l, "Workstation", error)) {
        ra_ntlm_negotiate_clear(msg);
        return FALSE;
    }
    if (l && (msg->flags & RA_NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED) &&
        (msg->workstation = oem_to_utf8(p, l, error)) == NULL) {
        ra_ntlm_negotiate_clear(msg);
        return FALSE;
    }
    if ((msg->flags & RA_NTLMSSP_NEGOTIATE_VERSION) && m.min_offset >= NEGOTIATE_HEADER + 8 &&
        len >= NEGOTIATE_HEADER + VERSION_SIZE) {
        msg->has_version = TRUE;
        read_version(data + NEGOTIATE_HEADER, &msg->version);
    }
    return TRUE;
}

GBytes *ra_ntlm_negotiate_encode(const RaNtlmNegotiate *msg, GError **error)
{
    gboolean version = (msg->flags & RA_NTLMSSP_NEGOTIATE_VERSION) != 0;
    gsize header = NEGOTIATE_HEADER + (version ? VERSION_SIZE : 0);
    GByteArray *out = new_message(1, header);
    guint32 flags = msg->flags;
    if (msg->domain && *msg->domain)
        flags |= RA_NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED;
    if (msg->workstation && *msg->workstation)
        flags |= RA_NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
    ra_put_le32(out->data + 12, flags);
    if (version)
        write_version(out->data + NEGOTIATE_HEADER,
                      msg->has_version ? &msg->version : &default_version);
    gsize before = out->len;
    if (!append_oem(out, msg->domain, error))
        goto fail;
    set_field(out, 16, out->len - before);
    before = out->len;
    if (!append_oem(out, msg->workstation, error))
        goto fail;
    set_field(out, 24, out->len - before);
    return g_byte_array_free_to_bytes(out);
fail:
    g_byte_array_unref(out);
    return NULL;
}

/* ---- CHALLENGE ([MS-NLMP] 2.2.1.2) ---- */

void ra_ntlm_challenge_clear(RaNtlmChallenge *msg)
{
    g_free(msg->target_name);
    g_free(msg->target_info);
    memset(msg, 0, sizeof *msg);
}

gboolean ra_ntlm_challenge_decode(const guint8 *data, gsize len, RaNtlmChallenge *msg,
                                  GError **error)
{
    memset(msg, 0, sizeof *msg);
    if (!check_header(data, len, 2, 32, error))
        return FALSE;
    Msg m = {data, len, len};
    const guint8 *name, *info = NULL;
    gsize name_len, info_len = 0;
    if (!get_field(&m, 12, &name, &name_len, "TargetName", error))
        return FALSE;
    msg->flags = ra_le32(data + 20);
    memcpy(msg->server_challenge, data + 24, 8);
    if (len >= CHALLENGE_HEADER && !get_field(&m, 40, &info, &info_len, "TargetInfo", error))
        return FALSE;
    if (name_len > 0) {
        if (msg->flags & RA_NTLMSSP_NEGOTIATE_UNICODE) {
            msg->target_name = utf16_to_utf8(name, name_len, error);
            if (msg->target_name == NULL)
                return FALSE;
        } else {
            msg->target_name = oem_to_utf8(name, name_len, error);
            if (msg->target_name == NULL)
                return FALSE;
        }
    }
    if (info_len > 0) {
        msg->target_info = g_memdup2(info, info_len);
        msg->target_info_len = info_len;
    }
    if ((msg->flags & RA_NTLMSSP_NEGOTIATE_VERSION) &&
        m.min_offset >= CHALLENGE_HEADER + VERSION_SIZE && len >= CHALLENGE_HEADER + VERSION_SIZE) {
        msg->has_version = TRUE;
        read_version(data + CHALLENGE_HEADER, &msg->version);
    }
    return TRUE;
}

GBytes *ra_ntlm_challenge_encode(const RaNtlmChallenge *msg, GError **error)
{
    gboolean version = (msg->flags & RA_NTLMSSP_NEGOTIATE_VERSION) != 0;
    GByteArray *out = new_message(2, CHALLENGE_HEADER + (version ? VERSION_SIZE : 0));
    ra_put_le32(out->data + 20, msg->flags);
    memcpy(out->data + 24, msg->server_challenge, 8);
    if (version)
        write_version(out->data + CHALLENGE_HEADER,
                      msg->has_version ? &msg->version : &default_version);
    gsize before = out->len;
    gboolean ok = (msg->flags & RA_NTLMSSP_NEGOTIATE_UNICODE)
                      ? append_utf16(out, msg->target_name, error)
                      : append_oem(out, msg->target_name, error);
    if (!ok) {
        g_byte_array_unref(out);
        return NULL;
    }
    set_field(out, 12, out->len - before);
    if (msg->target_info_len > 0)
        g_byte_array_append(out, msg->target_info, (guint)msg->target_info_len);
    set_field(out, 40, msg->target_info_len);
    if (out->len > MAX_MESSAGE) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "NTLMSSP CHALLENGE too large");
        g_byte_array_unref(out);
        return NULL;
    }
    return g_byte_array_free_to_bytes(out);
}

/* ---- AUTHENTICATE ([MS-NLMP] 2.2.1.3) ---- */

void ra_ntlm_authenticate_clear(RaNtlmAuthenticate *msg)
{
    if (msg->lm_response)
        wipe(msg->lm_response, msg->lm_response_len);
    if (msg->nt_response)
        wipe(msg->nt_response, msg->nt_response_len);
    if (msg->session_key)
        wipe(msg->session_key, msg->session_key_len);
    g_free(msg->lm_response);
    g_free(msg->nt_response);
    g_free(msg->session_key);
    g_free(msg->domain);
    g_free(msg->user);
    g_free(msg->workstation);
    memset(msg, 0, sizeof *msg);
}

static gboolean decode_string(guint32 flags, const guint8 *p, gsize len, gchar **out,
                              GError **error)
{
    if (len == 0) {
        *out = g_strdup("");
        return TRUE;
    }
    if (flags & RA_NTLMSSP_NEGOTIATE_UNICODE) {
        *out = utf16_to_utf8(p, len, error);
        return *out != NULL;
    }
    *out = oem_to_utf8(p, len, error);
    return *out != NULL;
}

gboolean ra_ntlm_authenticate_decode(const guint8 *data, gsize len, RaNtlmAuthenticate *msg,
                                     GError **error)
{
    memset(msg, 0, sizeof *msg);
    if (!check_header(data, len, 3, AUTHENTICATE_HEADER, error))
        return FALSE;
    Msg m = {data, len, len};
    const guint8 *lm, *nt, *dom, *usr, *ws, *key;
    gsize lm_len, nt_len, dom_len, usr_len, ws_len, key_len;
    msg->flags = ra_le32(data + 60);
    if (!get_field(&m, 12, &lm, &lm_len, "LmChallengeResponse", error) ||
        !get_field(&m, 20, &nt, &nt_len, "NtChallengeResponse", error) ||
        !get_field(&m, 28, &dom, &dom_len, "DomainName", error) ||
        !get_field(&m, 36, &usr, &usr_len, "UserName", error) ||
        !get_field(&m, 44, &ws, &ws_len, "Workstation", error) ||
        !get_field(&m, 52, &key, &key_len, "EncryptedRandomSessionKey", error))
        return FALSE;
    if (!decode_string(msg->flags, dom, dom_len, &msg->domain, error) ||
        !decode_string(msg->flags, usr, usr_len, &msg->user, error) ||
        !decode_string(msg->flags, ws, ws_len, &msg->workstation, error)) {
        ra_ntlm_authenticate_clear(msg);
        return FALSE;
    }
    msg->lm_response = lm_len ? g_memdup2(lm, lm_len) : NULL;
    msg->lm_response_len = lm_len;
    msg->nt_response = nt_len ? g_memdup2(nt, nt_len) : NULL;
    msg->nt_response_len = nt_len;
    msg->session_key = key_len ? g_memdup2(key, key_len) : NULL;
    msg->session_key_len = key_len;
    /* The optional VERSION and MIC sit between the fixed header and the first payload field. */
    if (m.min_offset >= AUTHENTICATE_HEADER + VERSION_SIZE) {
        msg->has_version = TRUE;
        read_version(data + AUTHENTICATE_HEADER, &msg->version);
    }
    if (m.min_offset >= MIC_OFFSET + MIC_SIZE) {
        msg->has_mic = TRUE;
        memcpy(msg->mic, data + MIC_OFFSET, MIC_SIZE);
    }
    return TRUE;
}

GBytes *ra_ntlm_authenticate_encode(const RaNtlmAuthenticate *msg, GError **error)
{
    gboolean version = (msg->flags & RA_NTLMSSP_NEGOTIATE_VERSION) != 0 || msg->has_mic;
    gsize header =
        msg->has_mic ? MIC_OFFSET + MIC_SIZE : AUTHENTICATE_HEADER + (version ? VERSION_SIZE : 0);
    GByteArray *out = new_message(3, header);
    ra_put_le32(out->data + 60, msg->flags);
    if (version)
        write_version(out->data + AUTHENTICATE_HEADER,
                      msg->has_version ? &msg->version : &default_version);
    if (msg->has_mic)
        memcpy(out->data + MIC_OFFSET, msg->mic, MIC_SIZE);
    gboolean unicode = (msg->flags & RA_NTLMSSP_NEGOTIATE_UNICODE) != 0;
    const char *strings[3] = {msg->domain, msg->user, msg->workstation};
    static const gsize string_fields[3] = {28, 36, 44};
    for (int i = 0; i < 3; i++) {
        gsize before = out->len;
        gboolean ok =
            unicode ? append_utf16(out, strings[i], error) : append_oem(out, strings[i], error);
        if (!ok) {
            g_byte_array_unref(out);
            return NULL;
        }
        set_field(out, string_fields[i], out->len - before);
    }
    if (msg->lm_response_len)
        g_byte_array_append(out, msg->lm_response, (guint)msg->lm_response_len);
    set_field(out, 12, msg->lm_response_len);
    if (msg->nt_response_len)
        g_byte_array_append(out, msg->nt_response, (guint)msg->nt_response_len);
    set_field(out, 20, msg->nt_response_len);
    if (msg->session_key_len)
        g_byte_array_append(out, msg->session_key, (guint)msg->session_key_len);
    set_field(out, 52, msg->session_key_len);
    if (out->len > MAX_MESSAGE || msg->nt_response_len > G_MAXUINT16 ||
        msg->lm_response_len > G_MAXUINT16) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "NTLMSSP AUTHENTICATE too large");
        g_byte_array_unref(out);
        return NULL;
    }
    return g_byte_array_free_to_bytes(out);
}

/* ---- AV pairs ([MS-NLMP] 2.2.2.1) ---- */

void ra_ntlm_target_info_clear(RaNtlmTargetInfo *info)
{
    g_free(info->nb_computer);
    g_free(info->nb_domain);
    g_free(info->dns_computer);
    g_free(info->dns_domain);
    g_free(info->dns_tree);
    g_free(info->target_name);
    memset(info, 0, sizeof *info);
}

gboolean ra_ntlm_target_info_parse(const guint8 *data, gsize len, RaNtlmTargetInfo *info,
                                   GError **error)
{
    memset(info, 0, sizeof *info);
    gsize off = 0;
    for (;;) {
        if (len - off < 4) {
            ra_ntlm_target_info_clear(info);
            return malformed(error, "AV pair list without MsvAvEOL");
        }
        guint16 id = ra_le16(data + off), l = ra_le16(data + off + 2);
        off += 4;
        if (len - off < l) {
            ra_ntlm_target_info_clear(info);
            return malformed(error, "AV pair runs past the end of the list");
        }
        const guint8 *v = data + off;
        off += l;
        gchar **str = NULL;
        switch (id) {
        case RA_MSV_AV_EOL:
            return TRUE;
        case RA_MSV_AV_NB_COMPUTER_NAME:
            str = &info->nb_computer;
            break;
        case RA_MSV_AV_NB_DOMAIN_NAME:
            str = &info->nb_domain;
            break;
        case RA_MSV_AV_DNS_COMPUTER_NAME:
            str = &info->dns_computer;
            break;
        case RA_MSV_AV_DNS_DOMAIN_NAME:
            str = &info->dns_domain;
            break;
        case RA_MSV_AV_DNS_TREE_NAME:
            str = &info->dns_tree;
            break;
        case RA_MSV_AV_TARGET_NAME:
            str = &info->target_name;
            break;
        case RA_MSV_AV_FLAGS:
            if (l != 4) {
                ra_ntlm_target_info_clear(info);
                return malformed(error, "MsvAvFlags is not 4 bytes");
            }
            info->has_flags = TRUE;
            info->flags = ra_le32(v);
            break;
        case RA_MSV_AV_TIMESTAMP:
            if (l != 8) {
                ra_ntlm_target_info_clear(info);
                return malformed(error, "MsvAvTimestamp is not 8 bytes");
            }
            info->has_timestamp = TRUE;
            info->timestamp = ra_le64(v);
            break;
        case RA_MSV_AV_CHANNEL_BINDINGS:
            if (l != 16) {
                ra_ntlm_target_info_clear(info);
                return malformed(error, "MsvAvChannelBindings is not 16 bytes");
            }
            info->has_channel_bindings = TRUE;
            memcpy(info->channel_bindings, v, 16);
            break;
        default: /* MsvAvSingleHost and unknown ids: skipped */
            break;
        }
        if (str != NULL) {
            gchar *s = utf16_to_utf8(v, l, error);
            if (s == NULL) {
                ra_ntlm_target_info_clear(info);
                return FALSE;
            }
            g_free(*str);
            *str = s;
        }
    }
}

static void append_av(GByteArray *out, guint16 id, const void *value, gsize len)
{
    guint8 h[4];
    ra_put_le16(h, id);
    ra_put_le16(h + 2, (guint16)len);
    g_byte_array_append(out, h, 4);
    if (len)
        g_byte_array_append(out, value, (guint)len);
}

static void append_av_string(GByteArray *out, guint16 id, const char *s)
{
    if (s == NULL)
        return;
    GByteArray *u = g_byte_array_new();
    if (append_utf16(u, s, NULL) && u->len <= G_MAXUINT16)
        append_av(out, id, u->data, u->len);
    g_byte_array_unref(u);
}

GBytes *ra_ntlm_target_info_build(const RaNtlmTargetInfo *info)
{
    GByteArray *out = g_byte_array_new();
    append_av_string(out, RA_MSV_AV_NB_DOMAIN_NAME, info->nb_domain);
    append_av_string(out, RA_MSV_AV_NB_COMPUTER_NAME, info->nb_computer);
    append_av_string(out, RA_MSV_AV_DNS_DOMAIN_NAME, info->dns_domain);
    append_av_string(out, RA_MSV_AV_DNS_COMPUTER_NAME, info->dns_computer);
    append_av_string(out, RA_MSV_AV_DNS_TREE_NAME, info->dns_tree);
    if (info->has_flags) {
        guint8 v[4];
        ra_put_le32(v, info->flags);
        append_av(out, RA_MSV_AV_FLAGS, v, 4);
    }
    if (info->has_timestamp) {
        guint8 v[8];
        ra_put_le32(v, (guint32)info->timestamp);
        ra_put_le32(v + 4, (guint32)(info->timestamp >> 32));
        append_av(out, RA_MSV_AV_TIMESTAMP, v, 8);
    }
    append_av_string(out, RA_MSV_AV_TARGET_NAME, info->target_name);
    if (info->has_channel_bindings)
        append_av(out, RA_MSV_AV_CHANNEL_BINDINGS, info->channel_bindings, 16);
    append_av(out, RA_MSV_AV_EOL, NULL, 0);
    return g_byte_array_free_to_bytes(out);
}

/*
 * The client's copy of the server's AV pairs for the NTLMv2 blob ([MS-NLMP] 3.1.5.1.2): the
 * pairs as sent, with MsvAvFlags given the MIC bit when mic is set. Pairs are copied raw so that
 * names the server sent stay byte for byte.
 */
static GByteArray *client_av_pairs(const guint8 *info, gsize len, gboolean mic)
{
    GByteArray *out = g_byte_array_new();
    guint32 flags = 0;
    gsize off = 0;
    while (len - off >= 4) {
        guint16 id = ra_le16(info + off), l = ra_le16(info + off + 2);
        if (id == RA_MSV_AV_EOL || len - off - 4 < l)
            break;
        if (id == RA_MSV_AV_FLAGS && l == 4 && mic)
            flags |= ra_le32(info + off + 4);
        else
            g_byte_array_append(out, info + off, 4u + l);
        off += 4u + l;
    }
    if (mic) {
        guint8 v[4];
        ra_put_le32(v, flags | RA_MSV_AV_FLAG_MIC_PRESENT);
        append_av(out, RA_MSV_AV_FLAGS, v, 4);
    }
    append_av(out, RA_MSV_AV_EOL, NULL, 0);
    return out;
}

/* ---- one-way functions ---- */

gboolean ra_ntlm_nt_hash(const char *password, guint8 out[16], GError **error)
{
    GByteArray *u = g_byte_array_new();
    gboolean ok =
        append_utf16(u, password, error) && ra_digest(RA_DIGEST_MD4, u->data, u->len, out, error);
    wipe(u->data, u->len);
    g_byte_array_unref(u);
    return ok;
}

/* MS-NLMP 3.3.2: NTOWFv2 = HMAC_MD5(MD4(password), UNICODE(Uppercase(User) || UserDom)). */
gboolean ra_ntlm_ntowfv2(const guint8 nt_hash[16], const char *user, const char *domain,
                         guint8 out[16], GError **error)
{
    gchar *upper = g_utf8_strup(user ? user : "", -1);
    GByteArray *u = g_byte_array_new();
    gboolean ok = append_utf16(u, upper, error) && append_utf16(u, domain, error);
    RaBuf part = {u->data, u->len};
    ok = ok && ra_hmacv(RA_DIGEST_MD5, nt_hash, 16, &part, 1, out, error);
    g_byte_array_unref(u);
    g_free(upper);
    return ok;
}

guint64 ra_ntlm_filetime_now(void)
{
    /* 100-ns intervals between 1601-01-01 and 1970-01-01: 11644473600 s. */
    return (guint64)g_get_real_time() * 10 + G_GUINT64_CONSTANT(116444736000000000);
}

static gboolean hmac_md5(const guint8 *key, gsize key_len, const RaBuf *parts, guint n,
                         guint8 out[16], GError **error)
{
    return ra_hmacv(RA_DIGEST_MD5, key, key_len, parts, n, out, error);
}

/* ---- the security context ---- */

typedef enum {
    STATE_INITIAL,    /* client: nothing sent; server: waiting for NEGOTIATE */
    STATE_NEGOTIATED, /* client: NEGOTIATE sent; server: CHALLENGE sent */
    STATE_ESTABLISHED,
    STATE_FAILED,
} State;

struct RaNtlmssp {
    gboolean server;
    State state;
    guint32 flags; /* negotiated */
    /* client */
    gchar *user;
    gchar *domain;
    gchar *workstation;
    guint8 nt_hash[16];
    guint32 client_flags;
    gboolean has_fixed_time;
    guint64 fixed_time;
    gboolean has_fixed_client_challenge;
    guint8 fixed_client_challenge[8];
    gboolean has_fixed_session_key;
    guint8 fixed_session_key[16];
    RaNtlmVersion version;
    /* server */
    gchar *nb_computer, *nb_domain, *dns_computer, *dns_domain, *dns_tree;
    RaNtlmLookupFunc lookup;
    gpointer lookup_data;
    guint32 required_flags;
    gboolean has_fixed_challenge;
    guint8 fixed_challenge[8];
    guint8 server_challenge[8];
    /* both: raw handshake messages for the MIC */
    GBytes *negotiate_msg;
    GBytes *challenge_msg;
    /* keys and session state */
    RaNtlmKeys keys;
    RaRc4 *send_rc4;
    RaRc4 *recv_rc4;
    guint32 send_seq;
    guint32 recv_seq;
};

static gboolean fail_ctx(RaNtlmssp *ctx, GError **error, RaError code, const char *msg)
{
    ctx->state = STATE_FAILED;
    g_set_error(error, RA_ERROR, code, "NTLMSSP: %s", msg);
    return FALSE;
}

RaNtlmssp *ra_ntlmssp_client_new(const RaNtlmClientConfig *config, GError **error)
{
    guint32 flags = config->flags ? config->flags : RA_NTLMSSP_CLIENT_DEFAULT_FLAGS;
    if (!(flags & RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) ||
        !(flags & RA_NTLMSSP_NEGOTIATE_UNICODE)) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "NTLMSSP: the client needs extended session security and Unicode");
        return NULL;
    }
    if (config->user == NULL || (config->password == NULL && config->nt_hash == NULL)) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "NTLMSSP: a user and a password or NT hash are required");
        return NULL;
    }
    RaNtlmssp *ctx = g_new0(RaNtlmssp, 1);
    if (config->password != NULL) {
        if (!ra_ntlm_nt_hash(config->password, ctx->nt_hash, error)) {
            ra_ntlmssp_free(ctx);
            return NULL;
        }
    } else {
        memcpy(ctx->nt_hash, config->nt_hash, 16);
    }
    ctx->user = g_strdup(config->user);
    ctx->domain = g_strdup(config->domain ? config->domain : "");
    ctx->workstation = g_strdup(config->workstation ? config->workstation : "");
    ctx->client_flags = flags;
    if (config->fixed_time) {
        ctx->has_fixed_time = TRUE;
        ctx->fixed_time = *config->fixed_time;
    }
    if (config->fixed_client_challenge) {
        ctx->has_fixed_client_challenge = TRUE;
        memcpy(ctx->fixed_client_challenge, config->fixed_client_challenge, 8);
    }
    if (config->fixed_session_key) {
        ctx->has_fixed_session_key = TRUE;
        memcpy(ctx->fixed_session_key, config->fixed_session_key, 16);
    }
    ctx->version = config->version ? *config->version : default_version;
    return ctx;
}

RaNtlmssp *ra_ntlmssp_server_new(const RaNtlmServerConfig *config, GError **error)
{
    if (config->nb_computer == NULL || config->nb_domain == NULL || config->lookup == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "NTLMSSP: the server needs NetBIOS computer and domain names and an account "
                    "lookup");
        return NULL;
    }
    RaNtlmssp *ctx = g_new0(RaNtlmssp, 1);
    ctx->server = TRUE;
    ctx->nb_computer = g_strdup(config->nb_computer);
    ctx->nb_domain = g_strdup(config->nb_domain);
    ctx->dns_computer = g_strdup(config->dns_computer);
    ctx->dns_domain = g_strdup(config->dns_domain);
    ctx->dns_tree = g_strdup(config->dns_tree);
    ctx->lookup = config->lookup;
    ctx->lookup_data = config->lookup_data;
    ctx->required_flags =
        config->required_flags ? config->required_flags : RA_NTLMSSP_SERVER_DEFAULT_REQUIRED;
    if (config->fixed_time) {
        ctx->has_fixed_time = TRUE;
        ctx->fixed_time = *config->fixed_time;
    }
    if (config->fixed_challenge) {
        ctx->has_fixed_challenge = TRUE;
        memcpy(ctx->fixed_challenge, config->fixed_challenge, 8);
    }
    ctx->version = default_version;
    ctx->user = g_strdup("");
    ctx->domain = g_strdup("");
    ctx->workstation = g_strdup("");
    return ctx;
}

void ra_ntlmssp_free(RaNtlmssp *ctx)
{
    if (ctx == NULL)
        return;
    g_free(ctx->user);
    g_free(ctx->domain);
    g_free(ctx->workstation);
    g_free(ctx->nb_computer);
    g_free(ctx->nb_domain);
    g_free(ctx->dns_computer);
    g_free(ctx->dns_domain);
    g_free(ctx->dns_tree);
    if (ctx->negotiate_msg)
        g_bytes_unref(ctx->negotiate_msg);
    if (ctx->challenge_msg)
        g_bytes_unref(ctx->challenge_msg);
    ra_rc4_free(ctx->send_rc4);
    ra_rc4_free(ctx->recv_rc4);
    wipe(ctx, sizeof *ctx);
    g_free(ctx);
}

gboolean ra_ntlmssp_is_established(const RaNtlmssp *ctx)
{
    return ctx->state == STATE_ESTABLISHED;
}

guint32 ra_ntlmssp_flags(const RaNtlmssp *ctx)
{
    return ctx->flags;
}

const char *ra_ntlmssp_user(const RaNtlmssp *ctx)
{
    return ctx->user ? ctx->user : "";
}

const char *ra_ntlmssp_domain(const RaNtlmssp *ctx)
{
    return ctx->domain ? ctx->domain : "";
}

const char *ra_ntlmssp_workstation(const RaNtlmssp *ctx)
{
    return ctx->workstation ? ctx->workstation : "";
}

gboolean ra_ntlmssp_get_keys(const RaNtlmssp *ctx, RaNtlmKeys *keys)
{
    if (ctx->state != STATE_ESTABLISHED) {
        memset(keys, 0, sizeof *keys);
        return FALSE;
    }
    *keys = ctx->keys;
    return TRUE;
}

/* MS-NLMP 3.4.5.2 SIGNKEY and 3.4.5.3 SEALKEY (extended session security), and the RC4 states. */
static gboolean derive_keys(RaNtlmssp *ctx, const guint8 exported[16], GError **error)
{
    static const char cli_sign[] = "session key to client-to-server signing key magic constant";
    static const char srv_sign[] = "session key to server-to-client signing key magic constant";
    static const char cli_seal[] = "session key to client-to-server sealing key magic constant";
    static const char srv_seal[] = "session key to server-to-client sealing key magic constant";
    RaNtlmKeys *k = &ctx->keys;
    memcpy(k->exported_session_key, exported, 16);
    gsize seal_len = 16;
    if (!(ctx->flags & RA_NTLMSSP_NEGOTIATE_128))
        seal_len = (ctx->flags & RA_NTLMSSP_NEGOTIATE_56) ? 7 : 5;
    RaBuf cs[2] = {{exported, 16}, {cli_sign, sizeof cli_sign}};
    RaBuf ss[2] = {{exported, 16}, {srv_sign, sizeof srv_sign}};
    RaBuf cl[2] = {{exported, seal_len}, {cli_seal, sizeof cli_seal}};
    RaBuf sl[2] = {{exported, seal_len}, {srv_seal, sizeof srv_seal}};
    if (!ra_digestv(RA_DIGEST_MD5, cs, 2, k->client_sign_key, error) ||
        !ra_digestv(RA_DIGEST_MD5, ss, 2, k->server_sign_key, error) ||
        !ra_digestv(RA_DIGEST_MD5, cl, 2, k->client_seal_key, error) ||
        !ra_digestv(RA_DIGEST_MD5, sl, 2, k->server_seal_key, error))
        return FALSE;
    ctx->send_rc4 = ra_rc4_new(ctx->server ? k->server_seal_key : k->client_seal_key, 16, error);
    if (ctx->send_rc4 == NULL)
        return FALSE;
    ctx->recv_rc4 = ra_rc4_new(ctx->server ? k->client_seal_key : k->server_seal_key, 16, error);
    if (ctx->recv_rc4 == NULL)
        return FALSE;
    ctx->send_seq = ctx->recv_seq = 0;
    return TRUE;
}

/* MS-NLMP 3.1.5.1.2 MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE)
 * with the MIC field zero in the AUTHENTICATE. */
static gboolean compute_mic(RaNtlmssp *ctx, const guint8 *auth, gsize auth_len, guint8 mic[16],
                            GError **error)
{
    guint8 *copy = g_memdup2(auth, auth_len);
    memset(copy + MIC_OFFSET, 0, MIC_SIZE);
    gsize nl, cl;
    const guint8 *n = g_bytes_get_data(ctx->negotiate_msg, &nl);
    const guint8 *c = g_bytes_get_data(ctx->challenge_msg, &cl);
    RaBuf parts[3] = {{n, nl}, {c, cl}, {copy, auth_len}};
    gboolean ok = hmac_md5(ctx->keys.exported_session_key, 16, parts, 3, mic, error);
    g_free(copy);
    return ok;
}

static gboolean client_negotiate(RaNtlmssp *ctx, GBytes **out, GError **error)
{
    RaNtlmNegotiate neg = {0};
    neg.flags = ctx->client_flags;
    neg.has_version = TRUE;
    neg.version = ctx->version;
    GBytes *msg = ra_ntlm_negotiate_encode(&neg, error);
    if (msg == NULL)
        return fail_ctx(ctx, NULL, RA_ERROR_MALFORMED, "");
    ctx->negotiate_msg = g_bytes_ref(msg);
    ctx->state = STATE_NEGOTIATED;
    *out = msg;
    return TRUE;
}

static gboolean client_authenticate(RaNtlmssp *ctx, const guint8 *in, gsize in_len, GBytes **out,
                                    GError **error)
{
    RaNtlmChallenge chal;
    RaNtlmTargetInfo info = {0};
    RaNtlmAuthenticate auth = {0};
    GByteArray *temp = NULL;
    GBytes *msg = NULL;
    guint8 response_key[16], proof[16], base_key[16], exported[16], client_challenge[8];
    gboolean ok = FALSE;
    if (!ra_ntlm_challenge_decode(in, in_len, &chal, error)) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    /* MS-NLMP 3.1.5.1.2: keep what both sides support; REQUEST_TARGET is the client's own. */
    guint32 flags = ctx->client_flags & (chal.flags | RA_NTLMSSP_REQUEST_TARGET);
    if (!(flags & RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) ||
        !(flags & RA_NTLMSSP_NEGOTIATE_UNICODE)) {
        fail_ctx(ctx, error, RA_ERROR_UNSUPPORTED,
                 "the server offers neither extended session security nor Unicode");
        goto out;
    }
    ctx->flags = flags;
    gboolean has_timestamp = FALSE;
    if (chal.target_info_len > 0) {
        if (!ra_ntlm_target_info_parse(chal.target_info, chal.target_info_len, &info, error)) {
            ctx->state = STATE_FAILED;
            goto out;
        }
        has_timestamp = info.has_timestamp;
    }
    guint64 timestamp = has_timestamp         ? info.timestamp
                        : ctx->has_fixed_time ? ctx->fixed_time
                                              : ra_ntlm_filetime_now();
    if (ctx->has_fixed_client_challenge)
        memcpy(client_challenge, ctx->fixed_client_challenge, 8);
    else
        ra_random_bytes(client_challenge, 8);
    /* MS-NLMP 3.3.2: temp = 1, 1, Z(6), Time, ClientChallenge, Z(4), ServerName, Z(4). With a
     * server timestamp the client also sends a MIC (and says so in MsvAvFlags). */
    gboolean send_mic = has_timestamp;
    temp = g_byte_array_new();
    guint8 head[28] = {1, 1};
    ra_put_le32(head + 8, (guint32)timestamp);
    ra_put_le32(head + 12, (guint32)(timestamp >> 32));
    memcpy(head + 16, client_challenge, 8);
    g_byte_array_append(temp, head, sizeof head);
    if (send_mic) {
        GByteArray *pairs = client_av_pairs(chal.target_info, chal.target_info_len, TRUE);
        g_byte_array_append(temp, pairs->data, pairs->len);
        g_byte_array_unref(pairs);
    } else if (chal.target_info_len > 0) {
        g_byte_array_append(temp, chal.target_info, (guint)chal.target_info_len);
    }
    static const guint8 z4[4];
    g_byte_array_append(temp, z4, 4);
    if (!ra_ntlm_ntowfv2(ctx->nt_hash, ctx->user, ctx->domain, response_key, error))
        goto fail;
    RaBuf proof_parts[2] = {{chal.server_challenge, 8}, {temp->data, temp->len}};
    if (!hmac_md5(response_key, 16, proof_parts, 2, proof, error))
        goto fail;
    RaBuf base_part = {proof, 16};
    if (!hmac_md5(response_key, 16, &base_part, 1, base_key, error))
        goto fail;
    auth.nt_response_len = 16 + temp->len;
    auth.nt_response = g_malloc(auth.nt_response_len);
    memcpy(auth.nt_response, proof, 16);
    memcpy(auth.nt_response + 16, temp->data, temp->len);
    auth.lm_response_len = 24;
    auth.lm_response = g_malloc0(24);
    if (!has_timestamp) {
        /* LMv2: HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge */
        RaBuf lm_parts[2] = {{chal.server_challenge, 8}, {client_challenge, 8}};
        if (!hmac_md5(response_key, 16, lm_parts, 2, auth.lm_response, error))
            goto fail;
        memcpy(auth.lm_response + 16, client_challenge, 8);
    }
    /* MS-NLMP 3.4.5.1: with NTLMv2, KeyExchangeKey = SessionBaseKey. */
    if (flags & RA_NTLMSSP_NEGOTIATE_KEY_EXCH) {
        if (ctx->has_fixed_session_key)
            memcpy(exported, ctx->fixed_session_key, 16);
        else
            ra_random_bytes(exported, 16);
        auth.session_key_len = 16;
        auth.session_key = g_malloc(16);
        RaRc4 *rc4 = ra_rc4_new(base_key, 16, error);
        if (rc4 == NULL)
            goto fail;
        gboolean enc = ra_rc4_apply(rc4, exported, auth.session_key, 16, error);
        ra_rc4_free(rc4);
        if (!enc)
            goto fail;
    } else {
        memcpy(exported, base_key, 16);
    }
    auth.flags = flags;
    auth.domain = g_strdup(ctx->domain);
    auth.user = g_strdup(ctx->user);
    auth.workstation = g_strdup(ctx->workstation);
    auth.has_version = TRUE;
    auth.version = ctx->version;
    auth.has_mic = send_mic;
    msg = ra_ntlm_authenticate_encode(&auth, error);
    if (msg == NULL || !derive_keys(ctx, exported, error))
        goto fail;
    ctx->challenge_msg = g_bytes_new(in, in_len);
    if (send_mic) {
        gsize len;
        guint8 *bytes = g_bytes_unref_to_data(msg, &len);
        msg = NULL;
        guint8 mic[16];
        gboolean mic_ok = compute_mic(ctx, bytes, len, mic, error);
        memcpy(bytes + MIC_OFFSET, mic, MIC_SIZE);
        msg = g_bytes_new_take(bytes, len);
        if (!mic_ok)
            goto fail;
    }
    ctx->state = STATE_ESTABLISHED;
    *out = msg;
    msg = NULL;
    ok = TRUE;
    goto out;
fail:
    ctx->state = STATE_FAILED;
out:
    if (msg)
        g_bytes_unref(msg);
    if (temp)
        g_byte_array_unref(temp);
    wipe(response_key, sizeof response_key);
    wipe(base_key, sizeof base_key);
    wipe(exported, sizeof exported);
    ra_ntlm_challenge_clear(&chal);
    ra_ntlm_target_info_clear(&info);
    ra_ntlm_authenticate_clear(&auth);
    return ok;
}

/* The flags a server grants: what the client asked for among what we implement. */
#define SERVER_SUPPORTED_FLAGS                                                                  \
    (RA_NTLMSSP_NEGOTIATE_UNICODE | RA_NTLMSSP_REQUEST_TARGET | RA_NTLMSSP_NEGOTIATE_SIGN |     \
     RA_NTLMSSP_NEGOTIATE_SEAL | RA_NTLMSSP_NEGOTIATE_NTLM | RA_NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
     RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | RA_NTLMSSP_NEGOTIATE_TARGET_INFO |         \
     RA_NTLMSSP_NEGOTIATE_VERSION | RA_NTLMSSP_NEGOTIATE_128 | RA_NTLMSSP_NEGOTIATE_KEY_EXCH |  \
     RA_NTLMSSP_NEGOTIATE_56)

static gboolean server_challenge(RaNtlmssp *ctx, const guint8 *in, gsize in_len, GBytes **out,
                                 GError **error)
{
    RaNtlmNegotiate neg;
    if (!ra_ntlm_negotiate_decode(in, in_len, &neg, error)) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    guint32 asked = neg.flags;
    ra_ntlm_negotiate_clear(&neg);
    if (!(asked & RA_NTLMSSP_NEGOTIATE_UNICODE))
        return fail_ctx(ctx, error, RA_ERROR_UNSUPPORTED, "the client does not offer Unicode");
    if ((asked & ctx->required_flags) != ctx->required_flags) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "NTLMSSP: the client offers flags 0x%08x, without required 0x%08x", asked,
                    ctx->required_flags & ~asked);
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    RaNtlmChallenge chal = {0};
    chal.flags = (asked & SERVER_SUPPORTED_FLAGS) | RA_NTLMSSP_NEGOTIATE_TARGET_INFO |
                 RA_NTLMSSP_TARGET_TYPE_SERVER;
    chal.target_name = ctx->nb_computer;
    if (ctx->has_fixed_challenge)
        memcpy(ctx->server_challenge, ctx->fixed_challenge, 8);
    else
        ra_random_bytes(ctx->server_challenge, 8);
    memcpy(chal.server_challenge, ctx->server_challenge, 8);
    RaNtlmTargetInfo info = {0};
    info.nb_computer = ctx->nb_computer;
    info.nb_domain = ctx->nb_domain;
    info.dns_computer = ctx->dns_computer;
    info.dns_domain = ctx->dns_domain;
    info.dns_tree = ctx->dns_tree;
    info.has_timestamp = TRUE;
    info.timestamp = ctx->has_fixed_time ? ctx->fixed_time : ra_ntlm_filetime_now();
    gsize ti_len;
    chal.target_info = g_bytes_unref_to_data(ra_ntlm_target_info_build(&info), &ti_len);
    chal.target_info_len = ti_len;
    chal.has_version = TRUE;
    chal.version = ctx->version;
    GBytes *msg = ra_ntlm_challenge_encode(&chal, error);
    g_free(chal.target_info);
    if (msg == NULL) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    ctx->negotiate_msg = g_bytes_new(in, in_len);
    ctx->challenge_msg = g_bytes_ref(msg);
    ctx->flags = chal.flags;
    ctx->state = STATE_NEGOTIATED;
    *out = msg;
    return TRUE;
}

static gboolean server_verify(RaNtlmssp *ctx, const guint8 *in, gsize in_len, GError **error)
{
    RaNtlmAuthenticate auth;
    RaNtlmTargetInfo info = {0};
    guint8 nt_hash[16], response_key[16], proof[16], base_key[16], exported[16];
    gboolean ok = FALSE;
    if (!ra_ntlm_authenticate_decode(in, in_len, &auth, error)) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    guint32 flags = auth.flags & ctx->flags;
    if ((auth.flags & RA_NTLMSSP_ANONYMOUS) || (auth.user[0] == 0 && auth.nt_response_len == 0)) {
        fail_ctx(ctx, error, RA_ERROR_AUTH, "anonymous logon refused");
        goto out;
    }
    if ((flags & ctx->required_flags) != ctx->required_flags ||
        !(flags & RA_NTLMSSP_NEGOTIATE_UNICODE)) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "NTLMSSP: AUTHENTICATE flags 0x%08x lack required 0x%08x", auth.flags,
                    ctx->required_flags & ~flags);
        ctx->state = STATE_FAILED;
        goto out;
    }
    /* NTLMv2 only: the response is NTProofStr (16) + the 28-byte blob header + AV pairs + Z(4). */
    if (auth.nt_response_len <= 24) {
        fail_ctx(ctx, error, RA_ERROR_UNSUPPORTED, "NTLMv1 responses are refused");
        goto out;
    }
    if (auth.nt_response_len < 16 + 28 + 4 || auth.nt_response[16] != 1 ||
        auth.nt_response[17] != 1) {
        fail_ctx(ctx, error, RA_ERROR_MALFORMED, "NTLMv2 response blob is malformed");
        goto out;
    }
    const guint8 *temp = auth.nt_response + 16;
    gsize temp_len = auth.nt_response_len - 16;
    if (!ra_ntlm_target_info_parse(temp + 28, temp_len - 28, &info, error)) {
        ctx->state = STATE_FAILED;
        goto out;
    }
    if (!ctx->lookup(auth.domain, auth.user, nt_hash, ctx->lookup_data)) {
        /* The same message as a wrong password: do not tell which accounts exist. */
        g_set_error(error, RA_ERROR, RA_ERROR_AUTH, "NTLMSSP: logon failure for %s\\%s",
                    auth.domain, auth.user);
        ctx->state = STATE_FAILED;
        goto out;
    }
    /* MS-NLMP 3.3.2 / 3.2.5.1.2: recompute NTProofStr and compare in constant time. */
    RaBuf proof_parts[2] = {{ctx->server_challenge, 8}, {temp, temp_len}};
    if (!ra_ntlm_ntowfv2(nt_hash, auth.user, auth.domain, response_key, error) ||
        !hmac_md5(response_key, 16, proof_parts, 2, proof, error)) {
        ctx->state = STATE_FAILED;
        goto out;
    }
    if (!ra_crypto_memequal(proof, auth.nt_response, 16)) {
        g_set_error(error, RA_ERROR, RA_ERROR_AUTH, "NTLMSSP: logon failure for %s\\%s",
                    auth.domain, auth.user);
        ctx->state = STATE_FAILED;
        goto out;
    }
    RaBuf base_part = {proof, 16};
    if (!hmac_md5(response_key, 16, &base_part, 1, base_key, error)) {
        ctx->state = STATE_FAILED;
        goto out;
    }
    if (flags & RA_NTLMSSP_NEGOTIATE_KEY_EXCH) {
        if (auth.session_key_len != 16) {
            fail_ctx(ctx, error, RA_ERROR_MALFORMED, "key exchange without a 16-byte session key");
            goto out;
        }
        RaRc4 *rc4 = ra_rc4_new(base_key, 16, error);
        gboolean dec = rc4 != NULL && ra_rc4_apply(rc4, auth.session_key, exported, 16, error);
        ra_rc4_free(rc4);
        if (!dec) {
            ctx->state = STATE_FAILED;
            goto out;
        }
    } else {
        memcpy(exported, base_key, 16);
    }
    ctx->flags = flags;
    if (!derive_keys(ctx, exported, error)) {
        ctx->state = STATE_FAILED;
        goto out;
    }
    if (info.has_flags && (info.flags & RA_MSV_AV_FLAG_MIC_PRESENT)) {
        guint8 mic[16];
        if (!auth.has_mic) {
            fail_ctx(ctx, error, RA_ERROR_AUTH, "MsvAvFlags announces a MIC that is missing");
            goto out;
        }
        if (!compute_mic(ctx, in, in_len, mic, error)) {
            ctx->state = STATE_FAILED;
            goto out;
        }
        if (!ra_crypto_memequal(mic, auth.mic, 16)) {
            fail_ctx(ctx, error, RA_ERROR_AUTH, "the MIC does not verify");
            goto out;
        }
    }
    g_free(ctx->user);
    g_free(ctx->domain);
    g_free(ctx->workstation);
    ctx->user = g_strdup(auth.user);
    ctx->domain = g_strdup(auth.domain);
    ctx->workstation = g_strdup(auth.workstation);
    ctx->state = STATE_ESTABLISHED;
    ok = TRUE;
out:
    wipe(nt_hash, sizeof nt_hash);
    wipe(response_key, sizeof response_key);
    wipe(base_key, sizeof base_key);
    wipe(exported, sizeof exported);
    ra_ntlm_authenticate_clear(&auth);
    ra_ntlm_target_info_clear(&info);
    if (!ok) {
        /* No keys survive a failed handshake. */
        wipe(&ctx->keys, sizeof ctx->keys);
        ra_rc4_free(ctx->send_rc4);
        ra_rc4_free(ctx->recv_rc4);
        ctx->send_rc4 = ctx->recv_rc4 = NULL;
    }
    return ok;
}

gboolean ra_ntlmssp_step(RaNtlmssp *ctx, const guint8 *in, gsize in_len, GBytes **out,
                         GError **error)
{
    *out = NULL;
    switch (ctx->state) {
    case STATE_FAILED:
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "NTLMSSP: the context has failed");
        return FALSE;
    case STATE_ESTABLISHED:
        return fail_ctx(ctx, error, RA_ERROR_PROTOCOL, "handshake message after completion");
    case STATE_INITIAL:
        if (ctx->server) {
            if (in == NULL)
                return fail_ctx(ctx, error, RA_ERROR_PROTOCOL, "the server needs a NEGOTIATE");
            return server_challenge(ctx, in, in_len, out, error);
        }
        if (in != NULL && in_len > 0)
            return fail_ctx(ctx, error, RA_ERROR_PROTOCOL,
                            "the client speaks first (no input expected)");
        return client_negotiate(ctx, out, error);
    case STATE_NEGOTIATED:
        if (in == NULL)
            return fail_ctx(ctx, error, RA_ERROR_PROTOCOL, "a handshake message is needed");
        if (ctx->server)
            return server_verify(ctx, in, in_len, error);
        return client_authenticate(ctx, in, in_len, out, error);
    }
    g_return_val_if_reached(FALSE);
}

/* ---- session security ([MS-NLMP] 3.4.4.2, 3.4.3) ---- */

static gboolean check_session(RaNtlmssp *ctx, gboolean seal, GError **error)
{
    if (ctx->state != STATE_ESTABLISHED) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL,
                    "NTLMSSP: message security on a context that is not established");
        return FALSE;
    }
    if (seal && !(ctx->flags & RA_NTLMSSP_NEGOTIATE_SEAL)) {
        g_set_error(error, RA_ERROR, RA_ERROR_PROTOCOL, "NTLMSSP: sealing was not negotiated");
        return FALSE;
    }
    return TRUE;
}

/* MAC with extended session security: version 1, checksum (RC4ed with KEY_EXCH), SeqNum. */
static gboolean make_signature(RaNtlmssp *ctx, const guint8 *sign_key, RaRc4 *rc4, guint32 seq,
                               const RaBuf *parts, guint n_parts, guint8 sig[16], GError **error)
{
    guint8 seqbuf[4], digest[16];
    ra_put_le32(seqbuf, seq);
    RaBuf *all = g_new(RaBuf, n_parts + 1);
    all[0].data = seqbuf;
    all[0].len = 4;
    memcpy(all + 1, parts, n_parts * sizeof *parts);
    gboolean ok = hmac_md5(sign_key, 16, all, n_parts + 1, digest, error);
    g_free(all);
    if (!ok)
        return FALSE;
    ra_put_le32(sig, 1);
    if (ctx->flags & RA_NTLMSSP_NEGOTIATE_KEY_EXCH) {
        if (!ra_rc4_apply(rc4, digest, sig + 4, 8, error))
            return FALSE;
    } else {
        memcpy(sig + 4, digest, 8);
    }
    ra_put_le32(sig + 12, seq);
    return TRUE;
}

static const guint8 *send_sign_key(RaNtlmssp *ctx)
{
    return ctx->server ? ctx->keys.server_sign_key : ctx->keys.client_sign_key;
}

static const guint8 *recv_sign_key(RaNtlmssp *ctx)
{
    return ctx->server ? ctx->keys.client_sign_key : ctx->keys.server_sign_key;
}

gboolean ra_ntlmssp_sign(RaNtlmssp *ctx, const RaBuf *parts, guint n_parts,
                         guint8 signature[RA_NTLMSSP_SIGNATURE_SIZE], GError **error)
{
    if (!check_session(ctx, FALSE, error))
        return FALSE;
    if (!make_signature(ctx, send_sign_key(ctx), ctx->send_rc4, ctx->send_seq, parts, n_parts,
                        signature, error))
        return FALSE;
    ctx->send_seq++;
    return TRUE;
}

static gboolean check_signature(RaNtlmssp *ctx, const RaBuf *parts, guint n_parts,
                                const guint8 *signature, gsize signature_len, GError **error)
{
    if (signature_len != RA_NTLMSSP_SIGNATURE_SIZE || ra_le32(signature) != 1) {
        ctx->state = STATE_FAILED;
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "NTLMSSP: the signature is not a version 1 NTLMSSP_MESSAGE_SIGNATURE");
        return FALSE;
    }
    guint8 expect[16];
    guint32 seq = ctx->recv_seq;
    if (!make_signature(ctx, recv_sign_key(ctx), ctx->recv_rc4, seq, parts, n_parts, expect,
                        error)) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    ctx->recv_seq++;
    if (ra_le32(signature + 12) != seq) {
        ctx->state = STATE_FAILED;
        g_set_error(error, RA_ERROR, RA_ERROR_AUTH,
                    "NTLMSSP: sequence number %u where %u was expected (replayed or reordered "
                    "message)",
                    ra_le32(signature + 12), seq);
        return FALSE;
    }
    if (!ra_crypto_memequal(expect, signature, 16)) {
        ctx->state = STATE_FAILED;
        g_set_error(error, RA_ERROR, RA_ERROR_AUTH,
                    "NTLMSSP: the message signature does not verify");
        return FALSE;
    }
    return TRUE;
}

gboolean ra_ntlmssp_verify(RaNtlmssp *ctx, const RaBuf *parts, guint n_parts,
                           const guint8 *signature, gsize signature_len, GError **error)
{
    if (!check_session(ctx, FALSE, error))
        return FALSE;
    return check_signature(ctx, parts, n_parts, signature, signature_len, error);
}

gboolean ra_ntlmssp_seal(RaNtlmssp *ctx, guint8 *data, gsize len, const RaBuf *parts, guint n_parts,
                         guint8 signature[RA_NTLMSSP_SIGNATURE_SIZE], GError **error)
{
    if (!check_session(ctx, TRUE, error))
        return FALSE;
    /* MS-NLMP 3.4.3: the checksum is over the plaintext; the RC4 stream encrypts the message
     * first, then the checksum. So: HMAC now, encrypt, then finish the signature. */
    guint8 seqbuf[4], digest[16];
    ra_put_le32(seqbuf, ctx->send_seq);
    RaBuf *all = g_new(RaBuf, n_parts + 1);
    all[0].data = seqbuf;
    all[0].len = 4;
    memcpy(all + 1, parts, n_parts * sizeof *parts);
    gboolean ok = hmac_md5(send_sign_key(ctx), 16, all, n_parts + 1, digest, error);
    g_free(all);
    if (!ok || !ra_rc4_apply(ctx->send_rc4, data, data, len, error))
        return FALSE;
    ra_put_le32(signature, 1);
    if (ctx->flags & RA_NTLMSSP_NEGOTIATE_KEY_EXCH) {
        if (!ra_rc4_apply(ctx->send_rc4, digest, signature + 4, 8, error))
            return FALSE;
    } else {
        memcpy(signature + 4, digest, 8);
    }
    ra_put_le32(signature + 12, ctx->send_seq);
    ctx->send_seq++;
    return TRUE;
}

gboolean ra_ntlmssp_unseal(RaNtlmssp *ctx, guint8 *data, gsize len, const RaBuf *parts,
                           guint n_parts, const guint8 *signature, gsize signature_len,
                           GError **error)
{
    if (!check_session(ctx, TRUE, error))
        return FALSE;
    if (!ra_rc4_apply(ctx->recv_rc4, data, data, len, error)) {
        ctx->state = STATE_FAILED;
        return FALSE;
    }
    return check_signature(ctx, parts, n_parts, signature, signature_len, error);
}

/* ---- passive decryption ---- */

static gboolean observe_lookup(const char *domain, const char *user, guint8 nt_hash[16],
                               gpointer user_data)
{
    memcpy(nt_hash, user_data, 16);
    return TRUE;
}

gboolean ra_ntlmssp_observe(const guint8 *negotiate, gsize negotiate_len, const guint8 *challenge,
                            gsize challenge_len, const guint8 *authenticate, gsize authenticate_len,
                            const guint8 nt_hash[16], RaNtlmssp **from_client,
                            RaNtlmssp **from_server, GError **error)
{
    *from_client = *from_server = NULL;
    RaNtlmChallenge chal;
    if (!ra_ntlm_challenge_decode(challenge, challenge_len, &chal, error))
        return FALSE;
    /* The server's side, as if it had sent this CHALLENGE: server_verify() does the rest. */
    guint8 hash[16];
    memcpy(hash, nt_hash, 16);
    RaNtlmServerConfig nc = {0};
    nc.nb_computer = "";
    nc.nb_domain = "";
    nc.lookup = observe_lookup;
    nc.lookup_data = hash;
    /* No policy of our own: only what the key derivation below assumes. */
    nc.required_flags =
        RA_NTLMSSP_NEGOTIATE_UNICODE | RA_NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
    RaNtlmssp *srv = ra_ntlmssp_server_new(&nc, error);
    if (srv == NULL) {
        ra_ntlm_challenge_clear(&chal);
        return FALSE;
    }
    memcpy(srv->server_challenge, chal.server_challenge, 8);
    srv->flags = chal.flags;
    ra_ntlm_challenge_clear(&chal);
    srv->negotiate_msg = g_bytes_new(negotiate ? negotiate : (const guint8 *)"", negotiate_len);
    srv->challenge_msg = g_bytes_new(challenge, challenge_len);
    srv->state = STATE_NEGOTIATED;
    gboolean ok = server_verify(srv, authenticate, authenticate_len, error);
    wipe(hash, sizeof hash);
    if (!ok) {
        ra_ntlmssp_free(srv);
        return FALSE;
    }
    /* The client's side: the same keys, directions swapped. */
    RaNtlmssp *cli = g_new0(RaNtlmssp, 1);
    cli->server = FALSE;
    cli->flags = srv->flags;
    cli->user = g_strdup(srv->user);
    cli->domain = g_strdup(srv->domain);
    cli->workstation = g_strdup(srv->workstation);
    cli->version = default_version;
    if (!derive_keys(cli, srv->keys.exported_session_key, error)) {
        ra_ntlmssp_free(cli);
        ra_ntlmssp_free(srv);
        return FALSE;
    }
    cli->state = STATE_ESTABLISHED;
    *from_client = srv;
    *from_server = cli;
    return TRUE;
}
