/*
 * Unit tests of invitation files (ra/invite.h): every vector file decodes to the values of its
 * expected file (all upload.*, cs1.*, cs2.* and passstub.* lines; the freerdp_* lines describe
 * FreeRDP's bugs and are not the truth), the fail vectors fail, re-encodings (UTF-16LE/BE with and
 * without a BOM, UTF-8 with a BOM) decode identically, Windows' own files are re-created byte for
 * byte, and built files round-trip.
 */
#include "ra/crypto.h"
#include "ra/error.h"
#include "ra/invite.h"
#include "ra/ticket.h"
#include "testutil.h"

#include <string.h>

static const char *const good_vectors[] = {
    "freerdp-invite-type1", "freerdp-invite-type2",    "freerdp-invite-3",
    "freerdp-cs2-bare",     "msrai-spec-invite-type1", "msrai-spec-invite-type2",
    "msrai-spec-cs2",       "wds-cs2-kh2-ce",          "wds-cs2-ticklet-meister",
};

static gchar *vector_password(const char *name)
{
    g_autoptr(GHashTable) want = ra_test_read_expected(name);
    const char *pw = g_hash_table_lookup(want, "password");
    if (pw == NULL || pw[0] == '(')
        return NULL; /* "(unknown / not published)" */
    g_autofree gchar *file = g_strdup_printf("%s.password", name);
    gchar *text = ra_test_read_vector(file, NULL);
    g_assert_cmpstr(text, ==, pw);
    return text;
}

static gboolean has_warning(const RaInvite *inv, RaInviteWarningCode code)
{
    for (guint i = 0; i < inv->warnings->len; i++) {
        if (((RaInviteWarning *)inv->warnings->pdata[i])->code == code)
            return TRUE;
    }
    return FALSE;
}

static void dump_warnings(const RaInvite *inv)
{
    for (guint i = 0; i < inv->warnings->len; i++)
        g_test_message("warning: %s", ((RaInviteWarning *)inv->warnings->pdata[i])->message);
}

static RaInvite *parse_bytes(const guint8 *data, gsize len, const char *password)
{
    GError *error = NULL;
    RaInvite *inv = ra_invite_parse(data, len, &error);
    g_assert_no_error(error);
    g_assert_nonnull(inv);
    if (password != NULL) {
        g_assert_true(ra_invite_decrypt(inv, password, &error));
        g_assert_no_error(error);
    }
    dump_warnings(inv);
    return inv;
}

static RaInvite *parse_vector(const char *name, gboolean with_password, gsize *size)
{
    g_autofree gchar *file = g_strdup_printf("%s.xml", name);
    gsize len = 0;
    g_autofree gchar *data = ra_test_read_vector(file, &len);
    if (size)
        *size = len;
    g_autofree gchar *pw = with_password ? vector_password(name) : NULL;
    return parse_bytes((const guint8 *)data, len, pw);
}

static gchar *hex_of(GBytes *b)
{
    return ra_hex_encode(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

/* Every line of NAME.expected.txt that describes the file (not FreeRDP) is checked. */
static void check_vector(const char *name)
{
    g_test_message("vector %s", name);
    g_autoptr(GHashTable) want = ra_test_read_expected(name);
    gsize size = 0;
    g_autoptr(RaInvite) inv = parse_vector(name, TRUE, &size);

    /* the committed file is the one described */
    g_autofree gchar *file = g_strdup_printf("%s.xml", name);
    g_autofree gchar *data = ra_test_read_vector(file, NULL);
    guint8 sha[32];
    g_assert_true(ra_digest(RA_DIGEST_SHA256, data, size, sha, NULL));
    g_autofree gchar *sha_upper = ra_hex_encode(sha, 32);
    g_autofree gchar *sha_hex = g_ascii_strdown(sha_upper, -1);
    g_assert_cmpstr(sha_hex, ==, g_hash_table_lookup(want, "file_sha256"));
    g_assert_cmpuint(size, ==, g_ascii_strtoull(g_hash_table_lookup(want, "file_bytes"), NULL, 10));

    const char *kind = g_hash_table_lookup(want, "kind");
    RaInviteKind want_kind = g_str_has_prefix(kind, "type1")   ? RA_INVITE_TYPE1
                             : g_str_has_prefix(kind, "type2") ? RA_INVITE_TYPE2
                                                               : RA_INVITE_BARE_CS2;
    g_assert_true(g_str_has_prefix(kind, "type") || g_str_has_prefix(kind, "bare"));
    g_assert_cmpint(inv->kind, ==, want_kind);

    GHashTableIter it;
    gpointer k, v;
    guint checked = 0;
    g_hash_table_iter_init(&it, want);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *key = k, *value = v;
        if (strcmp(key, "upload.attributes_in_order") == 0) {
            GString *names = g_string_new(NULL);
            for (guint i = 0; i < inv->attributes->len; i++)
                g_string_append_printf(names, "%s%s", i ? " " : "",
                                       ((RaInviteAttribute *)inv->attributes->pdata[i])->name);
            g_assert_cmpstr(names->str, ==, value);
            g_string_free(names, TRUE);
        } else if (strcmp(key, "upload.LHTICKET") == 0) {
            gsize n = g_bytes_get_size(inv->lhticket_bytes);
            g_autofree gchar *got =
                g_strdup_printf("%" G_GSIZE_FORMAT " hex chars = %" G_GSIZE_FORMAT
                                " bytes = %" G_GSIZE_FORMAT " AES blocks",
                                strlen(inv->lhticket), n, n / 16);
            g_assert_cmpstr(got, ==, value);
        } else if (g_str_has_prefix(key, "upload.")) {
            const char *attr = key + strlen("upload.");
            const char *got = NULL;
            for (guint i = 0; i < inv->attributes->len; i++) {
                const RaInviteAttribute *a = inv->attributes->pdata[i];
                if (strcmp(a->name, attr) == 0)
                    got = a->value;
            }
            g_assert_cmpstr(got, ==, value);
        } else if (g_str_has_prefix(key, "cs1.")) {
            g_assert_nonnull(inv->cs1);
            const RaConnStr1 *c = inv->cs1;
            const char *got = NULL;
            g_autofree gchar *tmp = NULL;
            if (strcmp(key, "cs1.field_count") == 0)
                got = c->warnings->len == 0 ? "8" : "?";
            else if (strcmp(key, "cs1.ProtocolVersion") == 0)
                got = c->protocol_version;
            else if (strcmp(key, "cs1.protocolType") == 0)
                got = c->protocol_type;
            else if (strcmp(key, "cs1.machineAddressList") == 0)
                got = c->machine_address_list;
            else if (strcmp(key, "cs1.assistantAccountPwd") == 0)
                got = c->assistant_account_pwd;
            else if (strcmp(key, "cs1.RASessionID") == 0)
                got = c->ra_session_id;
            else if (strcmp(key, "cs1.RASessionName") == 0)
                got = c->ra_session_name;
            else if (strcmp(key, "cs1.RASessionPwd") == 0)
                got = c->ra_session_pwd;
            else if (strcmp(key, "cs1.protocolSpecificParms") == 0)
                got = c->protocol_specific_parms;
            else if (g_str_has_prefix(key, "cs1.address[")) {
                guint i = (guint)g_ascii_strtoull(key + strlen("cs1.address["), NULL, 10);
                g_assert_cmpuint(i, <, c->addresses->len);
                const RaAddress *a = c->addresses->pdata[i];
                got = tmp = g_strdup_printf("%s port %u", a->host, a->port);
            } else
                g_error("unknown key %s", key);
            g_assert_cmpstr(got, ==, value);
        } else if (strcmp(key, "cs1") == 0) {
            g_assert_null(inv->rcticket); /* "(no RCTICKET attribute in this file)" */
            g_assert_null(inv->cs1);
        } else if (g_str_has_prefix(key, "cs2.")) {
            g_assert_nonnull(inv->cs2);
            const RaConnStr2 *c = inv->cs2;
            const RaTransport *t = c->transports->pdata[0];
            const char *got = NULL;
            g_autofree gchar *tmp = NULL;
            if (strcmp(key, "cs2.A.KH") == 0)
                got = c->kh;
            else if (strcmp(key, "cs2.A.KH2") == 0)
                got = c->kh2;
            else if (strcmp(key, "cs2.A.ID") == 0)
                got = c->id;
            else if (strcmp(key, "cs2.A.CE") == 0) {
                g_assert_nonnull(c->ce_der);
                got = value;
            } else if (strcmp(key, "cs2.T") == 0)
                got = tmp = g_strdup_printf("ID=%s SID=%s", t->id, t->sid);
            else if (g_str_has_prefix(key, "cs2.L[")) {
                guint i = (guint)g_ascii_strtoull(key + strlen("cs2.L["), NULL, 10);
                g_assert_cmpuint(i, <, t->listeners->len);
                const RaListener *l = t->listeners->pdata[i];
                got = tmp = g_strdup_printf("P=%s N=%s", l->port_text, l->name);
            } else if (strcmp(key, "cs2.utf16le_bytes") == 0) {
                glong units = 0;
                g_free(g_utf8_to_utf16(inv->cs2_text, -1, NULL, &units, NULL));
                got = tmp = g_strdup_printf("%ld (no BOM, no NUL terminator)", units * 2);
            } else if (strcmp(key, "cs2.ends_with_crlf") == 0) {
                got = g_str_has_suffix(inv->cs2_text, "</E>\r\n") ? "True" : "False";
            } else if (strcmp(key, "cs2.exact_text_file") == 0) {
                g_autofree gchar *f = g_strdup_printf("%s.cs2.txt", name);
                g_autofree gchar *text = ra_test_read_vector(f, NULL);
                g_assert_cmpstr(inv->cs2_text, ==, text);
                got = value;
            } else
                g_error("unknown key %s", key);
            g_assert_cmpstr(got, ==, value);
            if (want_kind == RA_INVITE_TYPE2)
                g_assert_true(inv->decrypted);
        } else if (strcmp(key, "passstub.encrypted_hex") == 0) {
            g_autofree gchar *got = hex_of(inv->passstub_encrypted);
            g_assert_cmpstr(got, ==, value);
        } else if (strcmp(key, "passstub.plaintext_hex") == 0) {
            /* the RC4 input: decrypting the ciphertext again gives it */
            g_autoptr(GBytes) plain = ra_test_hex(value);
            g_assert_cmpuint(g_bytes_get_size(plain), ==,
                             g_bytes_get_size(inv->passstub_encrypted));
        } else {
            continue; /* file_*, password, kind (above), source, note, freerdp_*, key tables */
        }
        checked++;
    }
    g_assert_cmpuint(checked, >=, 5);
    g_test_message("%u values checked", checked);
    if (want_kind == RA_INVITE_TYPE2 && inv->cs1 != NULL && inv->decrypted)
        g_assert_cmpint(inv->cross_check, ==, RA_CROSS_CHECK_AGREE);
}

static void test_vectors(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(good_vectors); i++)
        check_vector(good_vectors[i]);
}

/* Exactly the warnings each vector deserves. */
static void test_vector_warnings(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(good_vectors); i++) {
        g_autoptr(RaInvite) inv = parse_vector(good_vectors[i], TRUE, NULL);
        if (strcmp(good_vectors[i], "freerdp-invite-type1") == 0) {
            g_assert_cmpuint(inv->warnings->len, ==, 1);
            g_assert_true(has_warning(inv, RA_INVW_REPAIRED));
            g_assert_cmpstr(((RaInviteWarning *)inv->warnings->pdata[0])->message, ==,
                            "not well-formed XML: no space between attributes before "
                            "RCTICKETENCRYPTED (1 place; read as if there were)");
        } else {
            g_assert_cmpuint(inv->warnings->len, ==, 0);
        }
    }
}

/* The fail vectors fail as malformed files. */
static void test_fail_vectors(void)
{
    static const char *const names[] = {"freerdp-fail-1", "freerdp-fail-2"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GHashTable) want = ra_test_read_expected(names[i]);
        g_assert_cmpstr(g_hash_table_lookup(want, "kind"), ==, "invalid (must be rejected)");
        g_autofree gchar *file = g_strdup_printf("%s.xml", names[i]);
        gsize len = 0;
        g_autofree gchar *data = ra_test_read_vector(file, &len);
        GError *error = NULL;
        g_assert_null(ra_invite_parse((const guint8 *)data, len, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_test_message("%s: %s", names[i], error->message);
        g_error_free(error);
    }
}

/*
 * The leniency decision: FreeRDP's type-1 file lacks the space before RCTICKETENCRYPTED. It is
 * read as if the space were there (with a warning), and reads exactly like the repaired file;
 * other XML defects are still errors.
 */
static void test_type1_leniency(void)
{
    gsize len = 0;
    g_autofree gchar *data = ra_test_read_vector("freerdp-invite-type1.xml", &len);
    g_autoptr(RaInvite) broken = parse_bytes((const guint8 *)data, len, "Password1");
    g_assert_true(has_warning(broken, RA_INVW_REPAIRED));

    GString *fixed = g_string_new(data);
    g_string_replace(fixed, "\"RCTICKETENCRYPTED", "\" RCTICKETENCRYPTED", 1);
    g_autoptr(RaInvite) good = parse_bytes((const guint8 *)fixed->str, fixed->len, "Password1");
    g_assert_cmpuint(good->warnings->len, ==, 0);
    g_assert_cmpuint(good->attributes->len, ==, broken->attributes->len);
    for (guint i = 0; i < good->attributes->len; i++) {
        const RaInviteAttribute *a = good->attributes->pdata[i], *b = broken->attributes->pdata[i];
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpstr(a->value, ==, b->value);
    }
    g_assert_true(g_bytes_equal(good->passstub_encrypted, broken->passstub_encrypted));

    /* an unterminated value, a missing '=' or a duplicate attribute is not repaired */
    static const char *const still_bad[] = {
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "
        "RCTICKET=\"65538,1,h:1,*,i,*,*,p/></UPLOADINFO>",
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA RCTICKET "
        "\"65538,1,h:1,*,i,*,*,p\"/></UPLOADINFO>",
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA L=\"0\"L=\"1\" "
        "RCTICKET=\"65538,1,h:1,*,i,*,*,p\"/>"
        "</UPLOADINFO>",
    };
    for (guint i = 0; i < G_N_ELEMENTS(still_bad); i++) {
        GError *error = NULL;
        g_assert_null(ra_invite_parse((const guint8 *)still_bad[i], strlen(still_bad[i]), &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
    g_string_free(fixed, TRUE);
}

static GBytes *encode_utf16(const char *text, gboolean big_endian, gboolean bom)
{
    glong units = 0;
    gunichar2 *u = g_utf8_to_utf16(text, -1, NULL, &units, NULL);
    g_assert_nonnull(u);
    GByteArray *out = g_byte_array_new();
    if (bom) {
        guint8 b[2] = {big_endian ? 0xFE : 0xFF, big_endian ? 0xFF : 0xFE};
        g_byte_array_append(out, b, 2);
    }
    for (glong i = 0; i < units; i++) {
        guint8 b[2] = {(guint8)(u[i] & 0xFF), (guint8)(u[i] >> 8)};
        if (big_endian) {
            guint8 t = b[0];
            b[0] = b[1];
            b[1] = t;
        }
        g_byte_array_append(out, b, 2);
    }
    g_free(u);
    return g_byte_array_free_to_bytes(out);
}

/* Two parses agree on everything but the encoding. */
static void assert_same(const RaInvite *a, const RaInvite *b)
{
    g_assert_cmpint(a->kind, ==, b->kind);
    g_assert_cmpstr(a->declared_encoding, ==, b->declared_encoding);
    g_assert_cmpstr(a->upload_type, ==, b->upload_type);
    g_assert_cmpuint(a->attributes->len, ==, b->attributes->len);
    for (guint i = 0; i < a->attributes->len; i++) {
        const RaInviteAttribute *x = a->attributes->pdata[i], *y = b->attributes->pdata[i];
        g_assert_cmpstr(x->name, ==, y->name);
        g_assert_cmpstr(x->value, ==, y->value);
    }
    g_assert_cmpstr(a->cs2_text, ==, b->cs2_text);
    g_assert_cmpint(a->decrypted, ==, b->decrypted);
    g_assert_cmpint(a->cross_check, ==, b->cross_check);
    g_assert_true((a->passstub_encrypted == NULL) == (b->passstub_encrypted == NULL));
    if (a->passstub_encrypted)
        g_assert_true(g_bytes_equal(a->passstub_encrypted, b->passstub_encrypted));
    g_assert_cmpuint(a->warnings->len, ==, b->warnings->len);
    for (guint i = 0; i < a->warnings->len; i++)
        g_assert_cmpstr(((RaInviteWarning *)a->warnings->pdata[i])->message, ==,
                        ((RaInviteWarning *)b->warnings->pdata[i])->message);
}

/* The same invitation saved as UTF-16LE with a BOM (and every other encoding) decodes
 * identically. */
static void test_encodings(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(good_vectors); i++) {
        const char *name = good_vectors[i];
        g_test_message("vector %s", name);
        g_autofree gchar *file = g_strdup_printf("%s.xml", name);
        g_autofree gchar *data = ra_test_read_vector(file, NULL);
        g_autofree gchar *pw = vector_password(name);
        g_autoptr(RaInvite) base = parse_vector(name, TRUE, NULL);
        g_assert_cmpint(base->encoding, ==, RA_TEXT_UTF8);
        static const struct {
            gboolean be, bom;
            RaTextEncoding enc;
        } forms[] = {{FALSE, TRUE, RA_TEXT_UTF16LE_BOM},
                     {FALSE, FALSE, RA_TEXT_UTF16LE},
                     {TRUE, TRUE, RA_TEXT_UTF16BE_BOM},
                     {TRUE, FALSE, RA_TEXT_UTF16BE}};
        for (guint f = 0; f < G_N_ELEMENTS(forms); f++) {
            g_autoptr(GBytes) bytes = encode_utf16(data, forms[f].be, forms[f].bom);
            g_autoptr(RaInvite) inv =
                parse_bytes(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), pw);
            g_assert_cmpint(inv->encoding, ==, forms[f].enc);
            assert_same(base, inv);
        }
        g_autofree gchar *bom = g_strconcat("\xEF\xBB\xBF", data, NULL);
        g_autoptr(RaInvite) inv = parse_bytes((const guint8 *)bom, strlen(bom), pw);
        g_assert_cmpint(inv->encoding, ==, RA_TEXT_UTF8_BOM);
        assert_same(base, inv);
    }

    /* 8-bit text that is not UTF-8 is Windows-1252 */
    const char *latin =
        "<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "
        "USERNAME=\"J\xFCrgen \x80\" RCTICKET=\"65538,1,h:1,*,i,*,*,p\"/></UPLOADINFO>";
    g_autoptr(RaInvite) l = parse_bytes((const guint8 *)latin, strlen(latin), NULL);
    g_assert_cmpint(l->encoding, ==, RA_TEXT_WINDOWS_1252);
    g_assert_cmpstr(l->username, ==, "J\xC3\xBCrgen \xE2\x82\xAC");
    g_assert_cmpstr(ra_text_encoding_name(l->encoding), ==, "windows-1252");

    /* broken encodings */
    static const struct {
        const char *data;
        gsize len;
    } bad[] = {
        {"\xFF\xFE<\0E\0/", 7},               /* odd UTF-16 */
        {"\xFF\xFE\x00\xD8<\0E\0/\0>\0", 12}, /* lone surrogate */
        {"\xEF\xBB\xBF<E\xFF/>", 8},          /* BOM but not UTF-8 */
        {"<E/>\0", 5},                        /* NUL in 8-bit text */
        {"<\0E\0\0\0/\0>\0", 10},             /* NUL character in UTF-16 */
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        g_assert_null(ra_invite_parse((const guint8 *)bad[i].data, bad[i].len, &error));
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_test_message("%s", error->message);
        g_error_free(error);
    }
}

/* Entities are decoded, attributes found in any order, the declaration never obeyed. */
static void test_entities_and_order(void)
{
    const char *text = "<?xml version='1.0' encoding='UTF-16'?>\n<UPLOADINFO TYPE=\"Escalated\">\n"
                       "  <UPLOADDATA L=\"0\" PassStub=\"ab&amp;3Cd*_xY9zQw\" DtLength=\"60\"\n"
                       "    DtStart=\"1160080069\" RCTICKETENCRYPTED=\"1\"\n"
                       "    RCTICKET=\"65538,1,192.168.1.65:3389;jeff_xp:3389,*,id&#x3D;,*,*,p\"\n"
                       "    USERNAME=\"&#x4A;eff &lt;&quot;&gt;\"/>\n</UPLOADINFO>\n";
    g_autoptr(RaInvite) inv = parse_bytes((const guint8 *)text, strlen(text), "pw");
    g_assert_cmpuint(inv->warnings->len, ==, 0);
    g_assert_cmpstr(inv->declared_encoding, ==, "UTF-16");
    g_assert_cmpstr(inv->passstub, ==, "ab&3Cd*_xY9zQw");
    g_assert_cmpstr(inv->username, ==, "Jeff <\">");
    g_assert_cmpstr(inv->cs1->ra_session_id, ==, "id=");
    g_assert_cmpint(inv->start, ==, 1160080069);
    g_assert_cmpint(inv->length_minutes, ==, 60);
    g_assert_true(ra_invite_is_valid_at(inv, 1160080069 + 3599));
    g_assert_false(ra_invite_is_valid_at(inv, 1160080069 + 3600));
    g_assert_cmpstr(((RaInviteAttribute *)inv->attributes->pdata[0])->name, ==, "L");
    /* the PassStub is encrypted unescaped */
    g_autoptr(GBytes) want = ra_passstub_encrypt("pw", "ab&3Cd*_xY9zQw", NULL);
    g_assert_true(g_bytes_equal(inv->passstub_encrypted, want));
}

static RaInvite *parse_text(const char *text)
{
    return parse_bytes((const guint8 *)text, strlen(text), NULL);
}

static void parse_fails(const char *text, gsize len, int code, const char *message)
{
    GError *error = NULL;
    g_assert_null(ra_invite_parse((const guint8 *)text, len, &error));
    g_assert_error(error, RA_ERROR, code);
    if (message != NULL)
        g_assert_cmpstr(error->message, ==, message);
    g_error_free(error);
}

static void test_warnings(void)
{
    g_autoptr(RaInvite) a = parse_text(
        "<UPLOADINFO TYPE=\"Normal\" X=\"1\"><UPLOADDATA RCTICKET=\"65538,1,h:1,*,i,*,*,p\" "
        "DtStart=\"soon\" DtLength=\"-5\" L=\"2\" RCTICKETENCRYPTED=\"yes\" "
        "Q=\"\"/><Z/></UPLOADINFO>"
        "junk");
    g_assert_true(has_warning(a, RA_INVW_UPLOAD_TYPE));
    g_assert_true(has_warning(a, RA_INVW_UNKNOWN_CONTENT));
    g_assert_true(has_warning(a, RA_INVW_MISSING_ATTRIBUTE)); /* USERNAME, PassStub */
    g_assert_true(has_warning(a, RA_INVW_BAD_VALUE));
    g_assert_false(a->has_start);
    g_assert_false(ra_invite_is_valid_at(a, 0));
    g_autoptr(RaInvite) b =
        parse_text("<UPLOADINFO><UPLOADDATA RCTICKET=\"65537,1,h:1,*,i,*,*,p\"/></UPLOADINFO>");
    g_assert_true(has_warning(b, RA_INVW_UPLOAD_TYPE));
    g_assert_true(has_warning(b, RA_INVW_CONNSTR)); /* ProtocolVersion */
    /* a type-2 file whose RCTICKET is broken is still readable */
    g_autoptr(RaInvite) c = parse_text(
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA LHTICKET=\"00000000000000000000000000"
        "000000\" RCTICKET=\"garbage\"/></UPLOADINFO>");
    g_assert_true(has_warning(c, RA_INVW_CONNSTR));
    g_assert_cmpint(c->kind, ==, RA_INVITE_TYPE2);
    /* an RCTICKET holding a Connection String 2 */
    g_autoptr(RaInvite) d = parse_text(
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA RCTICKET=\"&lt;E&gt;&lt;A KH=&quot;"
        "YiKwWUY8Ioq5NB3wAQHSbs5kwrM=&quot; ID=&quot;i&quot;/&gt;&lt;C&gt;&lt;T ID=&quot;1&quot; "
        "SID=&quot;0&quot;&gt;&lt;L P=&quot;1&quot; N=&quot;host&quot;/&gt;&lt;/T&gt;&lt;/C&gt;"
        "&lt;/E&gt;\" USERNAME=\"u\" PassStub=\"p\" DtStart=\"1\" DtLength=\"1\" L=\"0\" "
        "RCTICKETENCRYPTED=\"1\"/></UPLOADINFO>");
    g_assert_cmpuint(d->warnings->len, ==, 0);
    g_assert_nonnull(d->cs2);
    g_assert_null(d->cs1);
}

static void test_errors(void)
{
    parse_fails("", 0, RA_ERROR_MALFORMED, "the file is empty");
    const char *neither = "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"u\" "
                          "PassStub=\"p\"/></UPLOADINFO>";
    parse_fails(neither, strlen(neither), RA_ERROR_MALFORMED,
                "UPLOADDATA has neither LHTICKET nor RCTICKET: no connection string");
    const char *no_data = "<UPLOADINFO TYPE=\"Escalated\"/>";
    parse_fails(no_data, strlen(no_data), RA_ERROR_MALFORMED,
                "UPLOADINFO has no UPLOADDATA element");
    const char *root = "<RCTICKET/>";
    parse_fails(root, strlen(root), RA_ERROR_MALFORMED,
                "not a Remote Assistance invitation: the root element is <RCTICKET>, expected "
                "<UPLOADINFO> or <E>");
    const char *odd = "<UPLOADINFO><UPLOADDATA LHTICKET=\"ABC\"/></UPLOADINFO>";
    parse_fails(odd, strlen(odd), RA_ERROR_MALFORMED,
                "LHTICKET has an odd number of hex digits (3)");
    const char *nothex = "<UPLOADINFO><UPLOADDATA LHTICKET=\"ABCG\"/></UPLOADINFO>";
    parse_fails(nothex, strlen(nothex), RA_ERROR_MALFORMED,
                "LHTICKET has a non-hex character 'G' at position 4");
    const char *blocks = "<UPLOADINFO><UPLOADDATA LHTICKET=\"ABCD\"/></UPLOADINFO>";
    parse_fails(blocks, strlen(blocks), RA_ERROR_MALFORMED,
                "LHTICKET is 2 bytes, not a whole number of 16-byte AES blocks: truncated?");
    const char *cs1 = "<UPLOADINFO><UPLOADDATA RCTICKET=\"hello\"/></UPLOADINFO>";
    parse_fails(cs1, strlen(cs1), RA_ERROR_MALFORMED, "RCTICKET: not a connection string");
    const char *dtd = "<!DOCTYPE UPLOADINFO [<!ENTITY x \"y\">]><UPLOADINFO/>";
    parse_fails(dtd, strlen(dtd), RA_ERROR_MALFORMED, NULL);
    const char *bare = "<E><A/>";
    parse_fails(bare, strlen(bare), RA_ERROR_MALFORMED, NULL);

    /* a truncated file: cut anywhere, it fails cleanly or parses; never crashes */
    gsize len = 0;
    g_autofree gchar *data = ra_test_read_vector("freerdp-invite-type2.xml", &len);
    for (gsize cut = 0; cut < len; cut += 7) {
        GError *error = NULL;
        RaInvite *inv = ra_invite_parse((const guint8 *)data, cut, &error);
        g_assert_null(inv);
        g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
        g_error_free(error);
    }
    gchar *big = g_malloc0(RA_MAX_INPUT + 1);
    GError *error = NULL;
    g_assert_null(ra_invite_parse((const guint8 *)big, RA_MAX_INPUT + 1, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_TOO_LARGE);
    g_clear_error(&error);
    g_free(big);
}

static void test_wrong_password(void)
{
    g_autoptr(RaInvite) inv = parse_vector("freerdp-invite-type2", FALSE, NULL);
    GError *error = NULL;
    g_assert_false(ra_invite_decrypt(inv, "48BJQ853X3B5", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_WRONG_PASSWORD);
    g_clear_error(&error);
    g_assert_false(inv->decrypted);
    g_assert_null(inv->cs2);
    /* then the right one */
    g_assert_true(ra_invite_decrypt(inv, "48BJQ853X3B4", &error));
    g_assert_no_error(error);
    g_assert_true(inv->decrypted);
    g_assert_cmpint(inv->cross_check, ==, RA_CROSS_CHECK_AGREE);

    /* a decryptable ticket that is not a Connection String 2: malformed, not a wrong password */
    g_autoptr(GBytes) t = ra_lhticket_encrypt_text("<X/>\r\n", "pw", NULL);
    g_autofree gchar *hex = hex_of(t);
    g_autofree gchar *file = g_strdup_printf(
        "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA LHTICKET=\"%s\"/></UPLOADINFO>", hex);
    g_autoptr(RaInvite) x = parse_text(file);
    g_assert_false(ra_invite_decrypt(x, "pw", &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
}

/* RCTICKET and LHTICKET that disagree are reported. */
static void test_cross_check(void)
{
    gsize len = 0;
    g_autofree gchar *data = ra_test_read_vector("freerdp-invite-type2.xml", &len);
    GString *s = g_string_new(data);
    g_string_replace(s, "192.168.1.200:49230", "192.168.1.201:49230", 1);
    g_string_replace(s, "BNRjdu97DyczQSRuMRrDWoue+HA=\"", "BNRjdu97DyczQSRuMRrDWoue+HB=\"", 1);
    g_autoptr(RaInvite) inv = parse_bytes((const guint8 *)s->str, s->len, "48BJQ853X3B4");
    g_assert_cmpint(inv->cross_check, ==, RA_CROSS_CHECK_DISAGREE);
    g_assert_cmpuint(inv->warnings->len, ==, 2);
    g_assert_true(has_warning(inv, RA_INVW_TICKET_MISMATCH));
    g_string_free(s, TRUE);
}

/*
 * Windows' files, re-created byte for byte from their connection string, password, PassStub and
 * times: Windows 10/11 (no RCTICKET) exactly; Windows 7's with the RCTICKET we derive from the
 * Connection String 2 (its one difference: FreeRDP's copy has no line break after the XML
 * declaration); XP's type 1 as UTF-16 (its difference: the missing space FreeRDP's copy lacks).
 */
static void test_build_recreates_windows(void)
{
    struct {
        const char *name;
        int type;
        gboolean omit_rcticket, utf16;
    } cases[] = {{"freerdp-invite-3", 2, TRUE, FALSE},
                 {"freerdp-invite-type2", 2, FALSE, FALSE},
                 {"freerdp-invite-type1", 1, FALSE, TRUE}};
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("vector %s", cases[i].name);
        g_autoptr(RaInvite) inv = parse_vector(cases[i].name, TRUE, NULL);
        g_autofree gchar *pw = vector_password(cases[i].name);
        RaInviteSpec spec = {
            .type = cases[i].type,
            .connstr = cases[i].type == 2 ? inv->cs2_text : inv->rcticket,
            .password = pw,
            .username = inv->username,
            .passstub = inv->passstub,
            .start = inv->start,
            .length_minutes = (guint)inv->length_minutes,
            .utf16 = cases[i].utf16,
            .omit_rcticket = cases[i].omit_rcticket,
        };
        GError *error = NULL;
        gchar *stub = NULL;
        g_autoptr(GBytes) built = ra_invite_build(&spec, &stub, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(stub, ==, inv->passstub);
        g_free(stub);
        g_autofree gchar *file = g_strdup_printf("%s.xml", cases[i].name);
        g_autofree gchar *want = ra_test_read_vector(file, NULL);
        gsize n = 0;
        const guint8 *b = g_bytes_get_data(built, &n);
        g_autofree gchar *got = NULL;
        if (cases[i].utf16) {
            g_assert_cmphex(b[0], ==, 0xFF);
            g_assert_cmphex(b[1], ==, 0xFE);
            got = g_utf16_to_utf8((const gunichar2 *)(b + 2), (glong)(n - 2) / 2, NULL, NULL, NULL);
            GString *w = g_string_new(want);
            g_string_replace(w, "\"RCTICKETENCRYPTED", "\" RCTICKETENCRYPTED", 1);
            g_string_replace(w, "?><UPLOADINFO", "?>\n<UPLOADINFO", 1);
            g_free(want);
            want = g_string_free(w, FALSE);
        } else {
            got = g_strndup((const char *)b, n);
            if (!cases[i].omit_rcticket) {
                GString *w = g_string_new(want);
                g_string_replace(w, "?><UPLOADINFO", "?>\n<UPLOADINFO", 1);
                g_free(want);
                want = g_string_free(w, FALSE);
            }
        }
        g_assert_cmpstr(got, ==, want);
    }
}

/* make -> parse round trips, both types, both encodings, generated PassStubs. */
static void test_build_round_trip(void)
{
    gsize len = 0;
    g_autofree gchar *cs2 = ra_test_read_vector("wds-cs2-kh2-ce.xml", &len);
    for (int type = 1; type <= 2; type++) {
        for (int utf16 = 0; utf16 <= 1; utf16++) {
            RaInviteSpec spec = {.type = type,
                                 .connstr = cs2,
                                 .password = "s3cret p\xC3\xA4ss",
                                 .username = "J\xC3\xBCrgen & <Co>",
                                 .start = 1700000000,
                                 .length_minutes = 360,
                                 .utf16 = utf16};
            GError *error = NULL;
            gchar *stub = NULL;
            g_autoptr(GBytes) file = ra_invite_build(&spec, &stub, &error);
            g_assert_no_error(error);
            g_assert_true(ra_passstub_has_windows_layout(stub));
            g_autoptr(RaInvite) inv =
                parse_bytes(g_bytes_get_data(file, NULL), g_bytes_get_size(file), spec.password);
            g_assert_cmpuint(inv->warnings->len, ==, 0);
            g_assert_cmpint(inv->kind, ==, type);
            g_assert_cmpint(inv->encoding, ==, utf16 ? RA_TEXT_UTF16LE_BOM : RA_TEXT_UTF8);
            g_assert_cmpstr(inv->declared_encoding, ==, utf16 ? "Unicode" : NULL);
            g_assert_cmpstr(inv->username, ==, spec.username);
            g_assert_cmpstr(inv->passstub, ==, stub);
            g_assert_cmpint(inv->start, ==, 1700000000);
            g_assert_cmpint(inv->length_minutes, ==, 360);
            g_assert_cmpstr(inv->low_speed, ==, "0");
            g_assert_cmpstr(inv->rcticket_encrypted, ==, "1");
            g_autoptr(GBytes) enc = ra_passstub_encrypt(spec.password, stub, NULL);
            g_assert_true(g_bytes_equal(inv->passstub_encrypted, enc));
            /* RCTICKET: the IPv4 listeners, <A ID>, <A KH> */
            g_assert_cmpstr(inv->rcticket, ==,
                            "65538,1,10.0.0.69:64205;73.229.87.37:33393,*,auth,*,*,"
                            "yKrBWp9OFbkeq5ckC7as+AmKSE8=");
            if (type == 2) {
                g_assert_true(inv->decrypted);
                g_assert_cmpint(inv->cross_check, ==, RA_CROSS_CHECK_AGREE);
                g_assert_cmpuint(((RaTransport *)inv->cs2->transports->pdata[0])->listeners->len,
                                 ==, 6);
                g_assert_nonnull(inv->cs2->ce_der);
                GError *wrong = NULL;
                g_autoptr(RaInvite) again =
                    parse_bytes(g_bytes_get_data(file, NULL), g_bytes_get_size(file), NULL);
                g_assert_false(ra_invite_decrypt(again, "s3cret pass", &wrong));
                g_assert_error(wrong, RA_ERROR, RA_ERROR_WRONG_PASSWORD);
                g_clear_error(&wrong);
            } else {
                g_assert_null(inv->lhticket);
                g_assert_nonnull(inv->cs1);
            }
            g_free(stub);
        }
    }
}

static void test_build_errors(void)
{
    RaInviteSpec spec = {.type = 2, .connstr = "65538,1,h:1,*,i,*,*,p", .password = "pw"};
    GError *error = NULL;
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    spec.type = 1;
    spec.connstr = "<E><A KH=\"k\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"fe80::1\"/>"
                   "</T></C></E>";
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    spec.connstr = "<E><A";
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    spec.connstr = "65538,1,h:1,*,i,*,*,p";
    spec.username = "a\x01";
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    spec.username = "u";
    spec.password = "\xFF";
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_MALFORMED);
    g_clear_error(&error);
    spec.type = 3;
    g_assert_null(ra_invite_build(&spec, NULL, &error));
    g_assert_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    /* type 2 without an IPv4 listener: no RCTICKET, like Windows 10/11 */
    spec.type = 2;
    spec.password = "pw";
    spec.connstr = "<E><A KH=\"k\" ID=\"i\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"fe80::1\"/>"
                   "</T></C></E>";
    g_autoptr(GBytes) f = ra_invite_build(&spec, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(
        g_strstr_len(g_bytes_get_data(f, NULL), (gssize)g_bytes_get_size(f), "RCTICKET="));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/invite/vectors", test_vectors);
    g_test_add_func("/invite/vector-warnings", test_vector_warnings);
    g_test_add_func("/invite/fail-vectors", test_fail_vectors);
    g_test_add_func("/invite/type1-leniency", test_type1_leniency);
    g_test_add_func("/invite/encodings", test_encodings);
    g_test_add_func("/invite/entities-and-order", test_entities_and_order);
    g_test_add_func("/invite/warnings", test_warnings);
    g_test_add_func("/invite/errors", test_errors);
    g_test_add_func("/invite/wrong-password", test_wrong_password);
    g_test_add_func("/invite/cross-check", test_cross_check);
    g_test_add_func("/invite/build-recreates-windows", test_build_recreates_windows);
    g_test_add_func("/invite/build-round-trip", test_build_round_trip);
    g_test_add_func("/invite/build-errors", test_build_errors);
    return g_test_run();
}
