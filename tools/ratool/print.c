/* Text and JSON forms of connection strings and blobs (see print.h). */
#include "print.h"
#include "cliutil.h"

#include "ra/crypto.h"

void ratool_print_connstr_warnings(GString *out, GPtrArray *warnings)
{
    for (guint i = 0; i < warnings->len; i++)
        ratool_append_line(out, "warning", ((RaConnStrWarning *)warnings->pdata[i])->message);
}

void ratool_print_cs1(GString *out, const RaConnStr1 *cs)
{
    ratool_append_line(out, "cs1.ProtocolVersion", cs->protocol_version);
    ratool_append_line(out, "cs1.protocolType", cs->protocol_type);
    ratool_append_line(out, "cs1.machineAddressList", cs->machine_address_list);
    for (guint i = 0; i < cs->addresses->len; i++) {
        const RaAddress *a = cs->addresses->pdata[i];
        g_autofree gchar *key = g_strdup_printf("cs1.address[%u]", i);
        ratool_append_linef(out, key, "%s port %u", a->host, a->port);
    }
    ratool_append_line(out, "cs1.assistantAccountPwd", cs->assistant_account_pwd);
    ratool_append_line(out, "cs1.RASessionID", cs->ra_session_id);
    ratool_append_line(out, "cs1.RASessionName", cs->ra_session_name);
    ratool_append_line(out, "cs1.RASessionPwd", cs->ra_session_pwd);
    ratool_append_line(out, "cs1.protocolSpecificParms", cs->protocol_specific_parms);
}

static gboolean cert_info(const RaConnStr2 *cs, RaCertInfo *info)
{
    if (cs->ce_der == NULL)
        return FALSE;
    gsize n = 0;
    const guint8 *der = g_bytes_get_data(cs->ce_der, &n);
    return ra_cert_info_from_der(der, n, info, NULL);
}

void ratool_print_cs2(GString *out, const RaConnStr2 *cs)
{
    ratool_append_line(out, "cs2.A.KH", cs->kh);
    if (cs->kh2)
        ratool_append_line(out, "cs2.A.KH2", cs->kh2);
    ratool_append_line(out, "cs2.A.ID", cs->id);
    if (cs->ce) {
        RaCertInfo info;
        if (cert_info(cs, &info)) {
            g_autofree gchar *from = ratool_time_text(info.not_before);
            g_autofree gchar *to = ratool_time_text(info.not_after);
            ratool_append_linef(out, "cs2.A.CE", "certificate, %" G_GSIZE_FORMAT " bytes",
                                g_bytes_get_size(cs->ce_der));
            ratool_append_line(out, "cs2.A.CE.subject", info.subject);
            ratool_append_line(out, "cs2.A.CE.issuer", info.issuer);
            ratool_append_line(out, "cs2.A.CE.serial", info.serial);
            ratool_append_line(out, "cs2.A.CE.not_before", from);
            ratool_append_line(out, "cs2.A.CE.not_after", to);
            ratool_append_line(out, "cs2.A.CE.sha256", info.sha256);
            ra_cert_info_clear(&info);
        } else {
            ratool_append_line(out, "cs2.A.CE", "present, but not a readable certificate");
        }
    }
    guint l = 0;
    for (guint t = 0; t < cs->transports->len; t++) {
        const RaTransport *tr = cs->transports->pdata[t];
        g_autofree gchar *key = g_strdup_printf("cs2.T[%u]", t);
        g_autofree gchar *id = ratool_text_value(tr->id);
        g_autofree gchar *sid = ratool_text_value(tr->sid);
        ratool_append_linef(out, key, "ID=%s SID=%s", id, sid);
        for (guint i = 0; i < tr->listeners->len; i++, l++) {
            const RaListener *li = tr->listeners->pdata[i];
            g_autofree gchar *lkey = g_strdup_printf("cs2.L[%u]", l);
            g_autofree gchar *p = ratool_text_value(li->port_text);
            g_autofree gchar *n = ratool_text_value(li->name);
            if (li->uri != NULL) {
                g_autofree gchar *u = ratool_text_value(li->uri);
                ratool_append_linef(out, lkey, "P=%s N=%s U=%s", p, n, u);
            } else {
                ratool_append_linef(out, lkey, "P=%s N=%s", p, n);
            }
        }
    }
}

void ratool_print_blob(GString *out, const RaBlob *blob)
{
    for (guint i = 0; i < blob->items->len; i++) {
        const RaBlobItem *item = blob->items->pdata[i];
        g_autofree gchar *key = g_strdup_printf("item[%u]", i);
        g_autofree gchar *text = ratool_text_value(item->text);
        ratool_append_linef(out, key, "%u;%s", item->declared_length, text);
    }
    if (blob->unsolicited || blob->user != NULL) {
        ratool_append_line(out, "help.unsolicited", blob->unsolicited ? "1" : "0");
        ratool_append_line(out, "help.domain", blob->domain);
        ratool_append_line(out, "help.user", blob->user);
    }
    for (guint i = 0; i < blob->items->len; i++) {
        const RaBlobItem *item = blob->items->pdata[i];
        if (item->key != NULL &&
            (g_str_equal(item->key, "NAME") || g_str_equal(item->key, "PASS"))) {
            g_autofree gchar *key = g_strdup_printf("expert.%s", item->key);
            ratool_append_line(out, key, item->value);
        }
    }
}

static void json_warnings(RatoolJson *json, GPtrArray *warnings)
{
    ratool_json_begin_array(json, "warnings");
    for (guint i = 0; i < warnings->len; i++)
        ratool_json_string(json, NULL, ((RaConnStrWarning *)warnings->pdata[i])->message);
    ratool_json_end_array(json);
}

void ratool_json_cs1(RatoolJson *json, const char *key, const char *text, const RaConnStr1 *cs)
{
    ratool_json_begin_object(json, key);
    ratool_json_int(json, "form", 1);
    ratool_json_string(json, "text", text);
    ratool_json_string(json, "protocol_version", cs->protocol_version);
    ratool_json_string(json, "protocol_type", cs->protocol_type);
    ratool_json_string(json, "machine_address_list", cs->machine_address_list);
    ratool_json_begin_array(json, "addresses");
    for (guint i = 0; i < cs->addresses->len; i++) {
        const RaAddress *a = cs->addresses->pdata[i];
        ratool_json_begin_object(json, NULL);
        ratool_json_string(json, "host", a->host);
        if (a->port != 0)
            ratool_json_int(json, "port", a->port);
        else
            ratool_json_null(json, "port");
        ratool_json_end_object(json);
    }
    ratool_json_end_array(json);
    ratool_json_string(json, "assistant_account_pwd", cs->assistant_account_pwd);
    ratool_json_string(json, "ra_session_id", cs->ra_session_id);
    ratool_json_string(json, "ra_session_name", cs->ra_session_name);
    ratool_json_string(json, "ra_session_pwd", cs->ra_session_pwd);
    ratool_json_string(json, "protocol_specific_parms", cs->protocol_specific_parms);
    json_warnings(json, cs->warnings);
    ratool_json_end_object(json);
}

void ratool_json_time(RatoolJson *json, const char *key, gint64 t)
{
    g_autofree gchar *iso = ratool_time_iso(t);
    ratool_json_begin_object(json, key);
    ratool_json_int(json, "unix", t);
    ratool_json_string(json, "utc", iso);
    ratool_json_end_object(json);
}

void ratool_json_cs2(RatoolJson *json, const char *key, const char *text, const RaConnStr2 *cs)
{
    ratool_json_begin_object(json, key);
    ratool_json_int(json, "form", 2);
    ratool_json_string(json, "text", text);
    ratool_json_string(json, "kh", cs->kh);
    ratool_json_string(json, "kh2", cs->kh2);
    ratool_json_string(json, "id", cs->id);
    ratool_json_string(json, "ce", cs->ce);
    RaCertInfo info;
    if (cert_info(cs, &info)) {
        ratool_json_begin_object(json, "certificate");
        ratool_json_int(json, "bytes", (gint64)g_bytes_get_size(cs->ce_der));
        ratool_json_string(json, "subject", info.subject);
        ratool_json_string(json, "issuer", info.issuer);
        ratool_json_string(json, "serial", info.serial);
        ratool_json_time(json, "not_before", info.not_before);
        ratool_json_time(json, "not_after", info.not_after);
        ratool_json_string(json, "sha256", info.sha256);
        ratool_json_end_object(json);
        ra_cert_info_clear(&info);
    } else {
        ratool_json_null(json, "certificate");
    }
    ratool_json_begin_array(json, "transports");
    for (guint t = 0; t < cs->transports->len; t++) {
        const RaTransport *tr = cs->transports->pdata[t];
        ratool_json_begin_object(json, NULL);
        ratool_json_string(json, "id", tr->id);
        ratool_json_string(json, "sid", tr->sid);
        ratool_json_begin_array(json, "listeners");
        for (guint i = 0; i < tr->listeners->len; i++) {
            const RaListener *li = tr->listeners->pdata[i];
            ratool_json_begin_object(json, NULL);
            ratool_json_string(json, "name", li->name);
            if (li->port != 0)
                ratool_json_int(json, "port", li->port);
            else
                ratool_json_null(json, "port");
            ratool_json_string(json, "port_text", li->port_text);
            ratool_json_string(json, "uri", li->uri);
            ratool_json_end_object(json);
        }
        ratool_json_end_array(json);
        ratool_json_end_object(json);
    }
    ratool_json_end_array(json);
    json_warnings(json, cs->warnings);
    ratool_json_end_object(json);
}

void ratool_json_blob(RatoolJson *json, const char *key, const RaBlob *blob)
{
    ratool_json_begin_object(json, key);
    ratool_json_begin_array(json, "items");
    for (guint i = 0; i < blob->items->len; i++) {
        const RaBlobItem *item = blob->items->pdata[i];
        ratool_json_begin_object(json, NULL);
        ratool_json_int(json, "declared_length", item->declared_length);
        ratool_json_string(json, "text", item->text);
        ratool_json_string(json, "key", item->key);
        ratool_json_string(json, "value", item->value);
        ratool_json_end_object(json);
    }
    ratool_json_end_array(json);
    ratool_json_bool(json, "unsolicited", blob->unsolicited);
    ratool_json_string(json, "domain", blob->domain);
    ratool_json_string(json, "user", blob->user);
    json_warnings(json, blob->warnings);
    ratool_json_end_object(json);
}
