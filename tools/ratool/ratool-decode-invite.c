/*
 * ratool decode-invite FILE [--password PASS | --password-file F] [--json]: everything a
 * Remote Assistance invitation file ([MS-RAI] Appendix A) holds, decrypted when the password is
 * known, with RCTICKET cross-checked against LHTICKET.
 */
#include "cliutil.h"
#include "print.h"
#include "ratool.h"

#include "ra/error.h"
#include "ra/invite.h"
#include "ra/ticket.h"

#include <string.h>

typedef enum { PASSWORD_NOT_GIVEN, PASSWORD_RIGHT, PASSWORD_UNCHECKED } PasswordState;

static const char *kind_json(RaInviteKind kind)
{
    return kind == RA_INVITE_TYPE1   ? "type1"
           : kind == RA_INVITE_TYPE2 ? "type2"
                                     : "connection-string-2";
}

static const char *kind_text(RaInviteKind kind)
{
    return kind == RA_INVITE_TYPE1   ? "type 1 (RCTICKET, Windows XP and Server 2003)"
           : kind == RA_INVITE_TYPE2 ? "type 2 (LHTICKET, Windows Vista and later)"
                                     : "Connection String 2 (no UPLOADINFO)";
}

static const char *cross_check_json(RaCrossCheck c)
{
    return c == RA_CROSS_CHECK_AGREE ? "agree" : c == RA_CROSS_CHECK_DISAGREE ? "disagree" : "none";
}

static void print_text(GString *out, const char *file, gsize size, const RaInvite *inv,
                       PasswordState password, gint64 now)
{
    ratool_append_line(out, "file", file);
    ratool_append_linef(out, "bytes", "%" G_GSIZE_FORMAT, size);
    ratool_append_line(out, "kind", kind_text(inv->kind));
    ratool_append_line(out, "encoding", ra_text_encoding_name(inv->encoding));
    if (inv->declared_encoding)
        ratool_append_line(out, "encoding.declared", inv->declared_encoding);
    if (inv->kind != RA_INVITE_BARE_CS2) {
        ratool_append_line(out, "upload.TYPE", inv->upload_type);
        for (guint i = 0; i < inv->attributes->len; i++) {
            const RaInviteAttribute *a = inv->attributes->pdata[i];
            g_autofree gchar *key = g_strdup_printf("upload.%s", a->name);
            if (a->value == inv->lhticket && inv->lhticket_bytes != NULL) {
                gsize n = g_bytes_get_size(inv->lhticket_bytes);
                ratool_append_linef(out, key,
                                    "%" G_GSIZE_FORMAT " hex digits, %" G_GSIZE_FORMAT
                                    " bytes, %" G_GSIZE_FORMAT " AES blocks",
                                    strlen(a->value), n, n / 16);
            } else {
                ratool_append_line(out, key, a->value);
            }
        }
        if (inv->has_start) {
            g_autofree gchar *t = ratool_time_text(inv->start);
            ratool_append_line(out, "created", t);
        }
        if (inv->has_start && inv->has_length) {
            g_autofree gchar *t = ratool_time_text(inv->start + inv->length_minutes * 60);
            ratool_append_linef(out, "expires", "%s (%s)", t,
                                ra_invite_is_valid_at(inv, now) ? "not expired" : "expired");
        }
        if (inv->low_speed != NULL)
            ratool_append_line(out, "low_speed", strcmp(inv->low_speed, "1") == 0 ? "yes" : "no");
    }
    if (inv->cs1 != NULL)
        ratool_print_cs1(out, inv->cs1);
    if (inv->kind == RA_INVITE_TYPE2 || password != PASSWORD_NOT_GIVEN)
        ratool_append_line(out, "password",
                           password == PASSWORD_RIGHT ? "right (LHTICKET decrypted)"
                           : password == PASSWORD_UNCHECKED
                               ? "not checked (a type-1 file cannot "
                                 "show whether it is right)"
                               : "not given (LHTICKET stays encrypted)");
    if (inv->cs2 != NULL)
        ratool_print_cs2(out, inv->cs2);
    if (inv->passstub_encrypted != NULL) {
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(inv->passstub_encrypted, &n);
        g_autofree gchar *hex = ra_hex_encode(p, n);
        ratool_append_line(out, "passstub.encrypted", hex);
    }
    if (inv->cross_check != RA_CROSS_CHECK_NONE)
        ratool_append_line(out, "cross-check",
                           inv->cross_check == RA_CROSS_CHECK_AGREE
                               ? "RCTICKET agrees with LHTICKET"
                               : "RCTICKET disagrees with LHTICKET (see the warnings)");
    for (guint i = 0; i < inv->warnings->len; i++)
        ratool_append_line(out, "warning", ((RaInviteWarning *)inv->warnings->pdata[i])->message);
}

static void print_json(RatoolJson *j, const char *file, gsize size, const RaInvite *inv,
                       PasswordState password, gint64 now)
{
    ratool_json_begin_object(j, NULL);
    ratool_json_string(j, "file", file);
    ratool_json_int(j, "bytes", (gint64)size);
    ratool_json_string(j, "kind", kind_json(inv->kind));
    ratool_json_string(j, "encoding", ra_text_encoding_name(inv->encoding));
    ratool_json_string(j, "declared_encoding", inv->declared_encoding);
    ratool_json_string(j, "upload_type", inv->upload_type);
    ratool_json_begin_array(j, "attributes");
    for (guint i = 0; i < inv->attributes->len; i++) {
        const RaInviteAttribute *a = inv->attributes->pdata[i];
        ratool_json_begin_object(j, NULL);
        ratool_json_string(j, "name", a->name);
        ratool_json_string(j, "value", a->value);
        ratool_json_end_object(j);
    }
    ratool_json_end_array(j);
    ratool_json_string(j, "username", inv->username);
    ratool_json_string(j, "passstub", inv->passstub);
    if (inv->lhticket_bytes != NULL)
        ratool_json_int(j, "lhticket_bytes", (gint64)g_bytes_get_size(inv->lhticket_bytes));
    else
        ratool_json_null(j, "lhticket_bytes");
    if (inv->rcticket_encrypted != NULL)
        ratool_json_bool(j, "rcticket_encrypted", strcmp(inv->rcticket_encrypted, "1") == 0);
    else
        ratool_json_null(j, "rcticket_encrypted");
    if (inv->low_speed != NULL)
        ratool_json_bool(j, "low_speed", strcmp(inv->low_speed, "1") == 0);
    else
        ratool_json_null(j, "low_speed");
    if (inv->has_start)
        ratool_json_time(j, "created", inv->start);
    else
        ratool_json_null(j, "created");
    if (inv->has_length)
        ratool_json_int(j, "valid_minutes", inv->length_minutes);
    else
        ratool_json_null(j, "valid_minutes");
    if (inv->has_start && inv->has_length) {
        ratool_json_time(j, "expires", inv->start + inv->length_minutes * 60);
        ratool_json_bool(j, "expired", !ra_invite_is_valid_at(inv, now));
    } else {
        ratool_json_null(j, "expires");
        ratool_json_null(j, "expired");
    }
    if (inv->cs1 != NULL)
        ratool_json_cs1(j, "rcticket", inv->rcticket, inv->cs1);
    else if (inv->cs2 != NULL && !inv->decrypted && inv->kind != RA_INVITE_BARE_CS2)
        ratool_json_cs2(j, "rcticket", inv->cs2_text, inv->cs2);
    else
        ratool_json_null(j, "rcticket");
    ratool_json_string(j, "password",
                       password == PASSWORD_RIGHT       ? "right"
                       : password == PASSWORD_UNCHECKED ? "unchecked"
                                                        : "not-given");
    if (inv->cs2 != NULL && (inv->decrypted || inv->kind == RA_INVITE_BARE_CS2))
        ratool_json_cs2(j, "connection_string_2", inv->cs2_text, inv->cs2);
    else
        ratool_json_null(j, "connection_string_2");
    if (inv->passstub_encrypted != NULL) {
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(inv->passstub_encrypted, &n);
        g_autofree gchar *hex = ra_hex_encode(p, n);
        ratool_json_string(j, "passstub_encrypted", hex);
    } else {
        ratool_json_null(j, "passstub_encrypted");
    }
    ratool_json_string(j, "cross_check", cross_check_json(inv->cross_check));
    ratool_json_begin_array(j, "warnings");
    for (guint i = 0; i < inv->warnings->len; i++)
        ratool_json_string(j, NULL, ((RaInviteWarning *)inv->warnings->pdata[i])->message);
    ratool_json_end_array(j);
    ratool_json_end_object(j);
}

static int fail(const char *file, GError *error)
{
    ratool_error(file, error);
    int status = ratool_exit_status(error);
    g_error_free(error);
    return status;
}

static void free_password(gchar *password)
{
    if (password != NULL) {
        memset(password, 0, strlen(password));
        g_free(password);
    }
}

static int decode(const char *path, const char *password_opt, const char *password_file,
                  gboolean json)
{
    const char *file = strcmp(path, "-") == 0 ? "standard input" : path;
    GError *error = NULL;
    g_autoptr(GBytes) data = ratool_read_input(path, RA_MAX_INPUT, &error);
    if (data == NULL)
        return fail(file, error);
    gsize size = 0;
    const guint8 *bytes = g_bytes_get_data(data, &size);
    g_autoptr(RaInvite) inv = ra_invite_parse(bytes, size, &error);
    if (inv == NULL)
        return fail(file, error);

    gboolean has_secret = inv->kind == RA_INVITE_TYPE2 || inv->passstub != NULL;
    g_autofree gchar *question = g_strdup_printf("Password for %s (empty to skip): ", file);
    gchar *password = NULL;
    if (!ratool_get_password(password_opt, password_file, has_secret ? question : NULL, FALSE,
                             &password, &error))
        return fail(file, error);
    PasswordState state = PASSWORD_NOT_GIVEN;
    if (password != NULL) {
        gboolean ok = ra_invite_decrypt(inv, password, &error);
        free_password(password);
        if (!ok)
            return fail(file, error);
        state = inv->decrypted ? PASSWORD_RIGHT : PASSWORD_UNCHECKED;
    }
    gint64 now = ratool_now();
    g_autofree gchar *text = NULL;
    if (json) {
        RatoolJson *j = ratool_json_new();
        print_json(j, file, size, inv, state, now);
        text = ratool_json_free_to_string(j);
    } else {
        GString *out = g_string_new(NULL);
        print_text(out, file, size, inv, state, now);
        text = g_string_free(out, FALSE);
    }
    return ratool_write_stdout(text, strlen(text)) ? RATOOL_EXIT_OK : RATOOL_EXIT_DATA;
}

int ratool_decode_invite(int argc, char **argv)
{
    gboolean json = FALSE;
    gchar *password_opt = NULL, *password_file = NULL;
    GOptionEntry entries[] = {
        {"password", 'p', 0, G_OPTION_ARG_STRING, &password_opt,
         "The invitation's password (visible to other users in the process list: prefer "
         "--password-file or the prompt)",
         "PASS"},
        {"password-file", 'P', 0, G_OPTION_ARG_FILENAME, &password_file,
         "Read the password from the first line of F", "F"},
        {"json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object (keys in ratool(1))",
         NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_set_prgname("ratool decode-invite");
    g_autoptr(GOptionContext) context = g_option_context_new("FILE");
    g_option_context_set_summary(
        context,
        "Show what a Remote Assistance invitation (.MSRCIncident) holds: every attribute, the "
        "validity period, the Connection String 1 and, with the password, the decrypted "
        "Connection String 2 and the encrypted PassStub. Without --password or --password-file "
        "the password is asked for on a terminal; an empty answer skips decryption. \"-\" reads "
        "the file from standard input.");
    g_option_context_add_main_entries(context, entries, NULL);
    int status = RATOOL_EXIT_USAGE;
    if (!ratool_parse_options(context, &argc, &argv)) {
        /* usage */
    } else if (argc != 2) {
        ratool_fail("decode-invite: give one FILE (try --help)");
    } else if (password_opt != NULL && password_file != NULL) {
        ratool_fail("decode-invite: --password and --password-file exclude each other");
    } else {
        status = decode(argv[1], password_opt, password_file, json);
    }
    free_password(password_opt);
    g_free(password_file);
    return status;
}
