/*
 * Semantic hooks of the MS-RAI dissector (see rai-hooks.h). The parsing is ra_connstr's
 * (tools/libra, ra/connstr.h): this file only shows its results as fields and expert info.
 */
#include "rai-hooks.h"
#include "rai-gen.h"

#include "ra/connstr.h"

#include <string.h>

/* ---- fields ---- */
static int hf_rai_session_domain = -1;
static int hf_rai_session_user = -1;
static int hf_rai_session_id = -1;
static int hf_rai_cs1 = -1;
static int hf_rai_cs1_protocol_version = -1;
static int hf_rai_cs1_protocol_type = -1;
static int hf_rai_cs1_address_list = -1;
static int hf_rai_cs1_address = -1;
static int hf_rai_cs1_address_host = -1;
static int hf_rai_cs1_address_port = -1;
static int hf_rai_cs1_assistant_account_pwd = -1;
static int hf_rai_cs1_session_id = -1;
static int hf_rai_cs1_session_name = -1;
static int hf_rai_cs1_session_pwd = -1;
static int hf_rai_cs1_protocol_parms = -1;
static int hf_rai_cs2 = -1;
static int hf_rai_cs2_a_kh = -1;
static int hf_rai_cs2_a_kh2 = -1;
static int hf_rai_cs2_a_id = -1;
static int hf_rai_cs2_a_ce = -1;
static int hf_rai_cs2_a_ce_length = -1;
static int hf_rai_cs2_t = -1;
static int hf_rai_cs2_t_id = -1;
static int hf_rai_cs2_t_sid = -1;
static int hf_rai_cs2_l = -1;
static int hf_rai_cs2_l_n = -1;
static int hf_rai_cs2_l_p = -1;
static int hf_rai_cs2_l_u = -1;
static int hf_rai_helpblob = -1;
static int hf_rai_helpblob_item = -1;
static int hf_rai_helpblob_item_length = -1;
static int hf_rai_helpblob_item_key = -1;
static int hf_rai_helpblob_item_value = -1;
static int hf_rai_helpblob_unsolicited = -1;
static int hf_rai_helpblob_domain = -1;
static int hf_rai_helpblob_user = -1;

static gint ett_rai_session = -1;
static gint ett_rai_cs = -1;
static gint ett_rai_cs_address = -1;
static gint ett_rai_cs2_t = -1;
static gint ett_rai_cs2_l = -1;
static gint ett_rai_helpblob_item = -1;

static expert_field ei_rai_count_mismatch = EI_INIT;
static expert_field ei_rai_session_entry = EI_INIT;
static expert_field ei_rai_session_anonymous = EI_INIT;
static expert_field ei_rai_cs_malformed = EI_INIT;
static expert_field ei_rai_cs_unknown_form = EI_INIT;
/* one per RaConnStrWarningCode, in its order */
static expert_field ei_rai_cs_warning[RA_CSW_BLOB_ITEM + 1];

typedef enum {
    HOOK_SESSION_ENTRY,
    HOOK_SESSION_COUNT,
    HOOK_CONNSTR,
    HOOK_HELP_BLOB,
} HookKind;

typedef struct {
    const char *key;
    gboolean in_request; /* the direction whose value the hook reads */
    HookKind kind;
} Hook;

static const Hook hooks[] = {
    {"IRASrv.GetSessionInfo.UserNames", FALSE, HOOK_SESSION_ENTRY},
    {"IRASrv.GetSessionInfo.Count", FALSE, HOOK_SESSION_COUNT},
    {"IRASrv.GetNoviceUserInfo.szName", FALSE, HOOK_CONNSTR},
    {"IPCHService.RemoteConnectionParms.bstrUserHelpBlob", TRUE, HOOK_HELP_BLOB},
    {"IPCHService.RemoteConnectionParms.pbstrConnectionString", FALSE, HOOK_CONNSTR},
};

static const Hook *find_hook(const char *key, gboolean request)
{
    for (gsize i = 0; i < G_N_ELEMENTS(hooks); i++) {
        if (hooks[i].in_request == request && strcmp(hooks[i].key, key) == 0)
            return &hooks[i];
    }
    return NULL;
}

/* Where a value is: fields parsed from it point at the value's bytes. */
typedef struct {
    tvbuff_t *tvb;
    int start;
    int length;
} Where;

static proto_item *add_string(proto_tree *tree, int hf, const Where *w, const char *value)
{
    return proto_tree_add_string(tree, hf, w->tvb, w->start, w->length, value != NULL ? value : "");
}

static void add_warnings(packet_info *pinfo, proto_item *item, const GPtrArray *warnings)
{
    for (guint i = 0; warnings != NULL && i < warnings->len; i++) {
        const RaConnStrWarning *w = g_ptr_array_index(warnings, i);
        if ((guint)w->code < G_N_ELEMENTS(ei_rai_cs_warning))
            expert_add_info_format(pinfo, item, &ei_rai_cs_warning[w->code], "%s", w->message);
    }
}

/* ---- GetSessionInfo: "DomainName\UserName:SessionID" ([MS-RAI] 3.3.4.1.2) ---- */

static void show_session_entry(RaiHookState *st, packet_info *pinfo, const Where *w,
                               proto_item *item, const char *value)
{
    gchar *domain = NULL, *user = NULL;
    guint32 id = 0;
    if (!ra_session_entry_parse(value, &domain, &user, &id)) {
        expert_add_info_format(pinfo, item, &ei_rai_session_entry,
                               "Session entry \"%s\" is not DomainName\\UserName:SessionID "
                               "([MS-RAI] 3.3.4.1.2)",
                               value);
        return;
    }
    proto_tree *sub = proto_item_add_subtree(item, ett_rai_session);
    add_string(sub, hf_rai_session_domain, w, domain);
    add_string(sub, hf_rai_session_user, w, user);
    proto_tree_add_uint(sub, hf_rai_session_id, w->tvb, w->start, w->length, id);
    if (*domain == '\0' || *user == '\0')
        expert_add_info_format(pinfo, item, &ei_rai_session_anonymous,
                               "Session %u has no %s: an expert ignores it ([MS-RAI] 3.2.4)", id,
                               *domain == '\0' ? "domain name" : "user name");
    st->sessions++;
    g_free(domain);
    g_free(user);
}

/* ---- Connection Strings 1 and 2 ([MS-RAI] 2.2.1, 2.2.2) ---- */

static void show_cs1(packet_info *pinfo, const Where *w, proto_item *item, const char *value)
{
    GError *error = NULL;
    RaConnStr1 *cs = ra_connstr1_parse(value, strlen(value), &error);
    if (cs == NULL) {
        expert_add_info_format(pinfo, item, &ei_rai_cs_malformed,
                               "Not a readable Connection String 1: %s", error->message);
        g_error_free(error);
        return;
    }
    proto_tree *tree = proto_item_add_subtree(item, ett_rai_cs);
    proto_item *top = proto_tree_add_item(tree, hf_rai_cs1, w->tvb, w->start, w->length, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_rai_cs);
    add_string(sub, hf_rai_cs1_protocol_version, w, cs->protocol_version);
    add_string(sub, hf_rai_cs1_protocol_type, w, cs->protocol_type);
    proto_item *list = add_string(sub, hf_rai_cs1_address_list, w, cs->machine_address_list);
    proto_tree *lt = proto_item_add_subtree(list, ett_rai_cs_address);
    for (guint i = 0; i < cs->addresses->len; i++) {
        const RaAddress *a = g_ptr_array_index(cs->addresses, i);
        g_autofree char *text = g_strdup_printf("%s:%u", a->host, a->port);
        proto_item *ai = add_string(lt, hf_rai_cs1_address, w, text);
        proto_tree *at = proto_item_add_subtree(ai, ett_rai_cs_address);
        add_string(at, hf_rai_cs1_address_host, w, a->host);
        proto_tree_add_uint(at, hf_rai_cs1_address_port, w->tvb, w->start, w->length, a->port);
    }
    add_string(sub, hf_rai_cs1_assistant_account_pwd, w, cs->assistant_account_pwd);
    add_string(sub, hf_rai_cs1_session_id, w, cs->ra_session_id);
    add_string(sub, hf_rai_cs1_session_name, w, cs->ra_session_name);
    add_string(sub, hf_rai_cs1_session_pwd, w, cs->ra_session_pwd);
    add_string(sub, hf_rai_cs1_protocol_parms, w, cs->protocol_specific_parms);
    add_warnings(pinfo, top, cs->warnings);
    col_append_fstr(pinfo->cinfo, COL_INFO, " (Connection String 1, %u address%s)",
                    cs->addresses->len, plurality(cs->addresses->len, "", "es"));
    ra_connstr1_free(cs);
}

static void show_cs2(packet_info *pinfo, const Where *w, proto_item *item, const char *value)
{
    GError *error = NULL;
    RaConnStr2 *cs = ra_connstr2_parse(value, strlen(value), &error);
    if (cs == NULL) {
        expert_add_info_format(pinfo, item, &ei_rai_cs_malformed,
                               "Not a readable Connection String 2: %s", error->message);
        g_error_free(error);
        return;
    }
    proto_tree *tree = proto_item_add_subtree(item, ett_rai_cs);
    proto_item *top = proto_tree_add_item(tree, hf_rai_cs2, w->tvb, w->start, w->length, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_rai_cs);
    if (cs->kh != NULL)
        add_string(sub, hf_rai_cs2_a_kh, w, cs->kh);
    if (cs->kh2 != NULL)
        add_string(sub, hf_rai_cs2_a_kh2, w, cs->kh2);
    if (cs->id != NULL)
        add_string(sub, hf_rai_cs2_a_id, w, cs->id);
    if (cs->ce != NULL) {
        proto_item *ce = add_string(sub, hf_rai_cs2_a_ce, w, cs->ce);
        if (cs->ce_der != NULL) {
            proto_tree *ct = proto_item_add_subtree(ce, ett_rai_cs);
            proto_tree_add_uint(ct, hf_rai_cs2_a_ce_length, w->tvb, w->start, w->length,
                                (guint32)g_bytes_get_size(cs->ce_der));
        }
    }
    guint listeners = 0;
    for (guint i = 0; i < cs->transports->len; i++) {
        const RaTransport *t = g_ptr_array_index(cs->transports, i);
        proto_item *ti = proto_tree_add_string_format_value(
            sub, hf_rai_cs2_t, w->tvb, w->start, w->length, t->id != NULL ? t->id : "",
            "ID %s, SID %s", t->id != NULL ? t->id : "(none)", t->sid != NULL ? t->sid : "(none)");
        proto_tree *tt = proto_item_add_subtree(ti, ett_rai_cs2_t);
        if (t->id != NULL)
            add_string(tt, hf_rai_cs2_t_id, w, t->id);
        if (t->sid != NULL)
            add_string(tt, hf_rai_cs2_t_sid, w, t->sid);
        for (guint k = 0; k < t->listeners->len; k++) {
            const RaListener *l = g_ptr_array_index(t->listeners, k);
            proto_item *li = proto_tree_add_string_format_value(
                tt, hf_rai_cs2_l, w->tvb, w->start, w->length, l->name != NULL ? l->name : "",
                "%s port %s%s%s", l->name != NULL ? l->name : "(no N)",
                l->port_text != NULL ? l->port_text : "(no P)", l->uri != NULL ? " " : "",
                l->uri != NULL ? l->uri : "");
            proto_tree *lt = proto_item_add_subtree(li, ett_rai_cs2_l);
            if (l->name != NULL)
                add_string(lt, hf_rai_cs2_l_n, w, l->name);
            proto_tree_add_uint(lt, hf_rai_cs2_l_p, w->tvb, w->start, w->length, l->port);
            if (l->uri != NULL)
                add_string(lt, hf_rai_cs2_l_u, w, l->uri);
            listeners++;
        }
    }
    add_warnings(pinfo, top, cs->warnings);
    col_append_fstr(pinfo->cinfo, COL_INFO, " (Connection String 2, %u listener%s)", listeners,
                    plurality(listeners, "", "s"));
    ra_connstr2_free(cs);
}

static void show_connstr(packet_info *pinfo, const Where *w, proto_item *item, const char *value)
{
    switch (ra_connstr_detect(value, strlen(value))) {
    case 1:
        show_cs1(pinfo, w, item, value);
        break;
    case 2:
        show_cs2(pinfo, w, item, value);
        break;
    default:
        if (*value != '\0')
            expert_add_info(pinfo, item, &ei_rai_cs_unknown_form);
        break;
    }
}

/* ---- the help blob of RemoteConnectionParms ([MS-RAI] 3.1.4.1.1) ---- */

static void show_help_blob(packet_info *pinfo, const Where *w, proto_item *item, const char *value)
{
    GError *error = NULL;
    RaBlob *blob = ra_blob_parse(value, strlen(value), &error);
    if (blob == NULL) {
        expert_add_info_format(pinfo, item, &ei_rai_cs_malformed, "Not a readable help blob: %s",
                               error->message);
        g_error_free(error);
        return;
    }
    proto_tree *tree = proto_item_add_subtree(item, ett_rai_cs);
    proto_item *top =
        proto_tree_add_item(tree, hf_rai_helpblob, w->tvb, w->start, w->length, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_rai_cs);
    for (guint i = 0; i < blob->items->len; i++) {
        const RaBlobItem *b = g_ptr_array_index(blob->items, i);
        proto_item *bi = add_string(sub, hf_rai_helpblob_item, w, b->text);
        proto_tree *bt = proto_item_add_subtree(bi, ett_rai_helpblob_item);
        proto_tree_add_uint(bt, hf_rai_helpblob_item_length, w->tvb, w->start, w->length,
                            b->declared_length);
        if (b->key != NULL)
            add_string(bt, hf_rai_helpblob_item_key, w, b->key);
        if (b->value != NULL)
            add_string(bt, hf_rai_helpblob_item_value, w, b->value);
    }
    proto_tree_add_boolean(sub, hf_rai_helpblob_unsolicited, w->tvb, w->start, w->length,
                           blob->unsolicited);
    if (blob->domain != NULL)
        add_string(sub, hf_rai_helpblob_domain, w, blob->domain);
    if (blob->user != NULL)
        add_string(sub, hf_rai_helpblob_user, w, blob->user);
    add_warnings(pinfo, top, blob->warnings);
    if (blob->domain != NULL && blob->user != NULL)
        col_append_fstr(pinfo->cinfo, COL_INFO, " (expert %s\\%s)", blob->domain, blob->user);
    ra_blob_free(blob);
}

/* ---- the hook entry points ---- */

void rai_hook_string(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                     tvbuff_t *tvb, int start, int length, proto_item *item, const char *value)
{
    const Hook *hook = find_hook(key, request);
    if (hook == NULL || value == NULL)
        return;
    Where where = {tvb, start, length};
    const Where *w = &where;
    switch (hook->kind) {
    case HOOK_SESSION_ENTRY:
        show_session_entry(st, pinfo, w, item, value);
        break;
    case HOOK_CONNSTR:
        show_connstr(pinfo, w, item, value);
        break;
    case HOOK_HELP_BLOB:
        show_help_blob(pinfo, w, item, value);
        break;
    case HOOK_SESSION_COUNT:
        break;
    }
}

void rai_hook_int(RaiHookState *st, packet_info *pinfo, const char *key, gboolean request,
                  tvbuff_t *tvb, int start, int length, proto_item *item, gint64 value)
{
    const Hook *hook = find_hook(key, request);
    if (hook == NULL || hook->kind != HOOK_SESSION_COUNT || !st->have_array)
        return;
    /* [MS-RAI] 3.3.4.1.2: Count is the number of sessions, the array holds one entry per
     * session (NULL entries are to be ignored, so either total may be meant). */
    if (value != (gint64)st->array_size && value != (gint64)st->array_nonnull)
        expert_add_info_format(pinfo, item, &ei_rai_count_mismatch,
                               "Count is %" G_GINT64_FORMAT " but UserNames holds %u element%s "
                               "(%u not NULL) ([MS-RAI] 3.3.4.1.2)",
                               value, st->array_size, plurality(st->array_size, "", "s"),
                               st->array_nonnull);
    (void)tvb;
    (void)start;
    (void)length;
}

void rai_hook_done(RaiHookState *st, packet_info *pinfo, const char *iface, const char *method,
                   gboolean request, tvbuff_t *tvb, proto_tree *tree)
{
    if (!request && strcmp(iface, "IRASrv") == 0 && strcmp(method, "GetSessionInfo") == 0 &&
        st->have_array)
        col_append_fstr(pinfo->cinfo, COL_INFO, " (%u session%s)", st->sessions,
                        plurality(st->sessions, "", "s"));
    (void)tvb;
    (void)tree;
}

/* ---- registration ---- */

void rai_hooks_register(int proto, expert_module_t *expert)
{
    static hf_register_info hf[] = {
        {&hf_rai_session_domain,
         {"Domain", "rai.session.domain", FT_STRING, BASE_NONE, NULL, 0,
          "DomainName of a GetSessionInfo entry", HFILL}},
        {&hf_rai_session_user,
         {"User", "rai.session.user", FT_STRING, BASE_NONE, NULL, 0,
          "UserName of a GetSessionInfo entry", HFILL}},
        {&hf_rai_session_id,
         {"Session ID", "rai.session.id", FT_UINT32, BASE_DEC, NULL, 0,
          "SessionID of a GetSessionInfo entry", HFILL}},
        {&hf_rai_cs1,
         {"Connection String 1", "rai.cs1", FT_NONE, BASE_NONE, NULL, 0,
          "[MS-RAI] 2.2.1 (Windows XP and Server 2003 novices)", HFILL}},
        {&hf_rai_cs1_protocol_version,
         {"ProtocolVersion", "rai.cs1.protocol_version", FT_STRING, BASE_NONE, NULL, 0,
          "MUST be 65538", HFILL}},
        {&hf_rai_cs1_protocol_type,
         {"protocolType", "rai.cs1.protocol_type", FT_STRING, BASE_NONE, NULL, 0, "MUST be 1",
          HFILL}},
        {&hf_rai_cs1_address_list,
         {"machineAddressList", "rai.cs1.address_list", FT_STRING, BASE_NONE, NULL, 0,
          "address:port;address:port...", HFILL}},
        {&hf_rai_cs1_address,
         {"Address", "rai.cs1.address", FT_STRING, BASE_NONE, NULL, 0,
          "One entry of machineAddressList", HFILL}},
        {&hf_rai_cs1_address_host,
         {"Host", "rai.cs1.address.host", FT_STRING, BASE_NONE, NULL, 0,
          "IPv4 address or computer name", HFILL}},
        {&hf_rai_cs1_address_port,
         {"Port", "rai.cs1.address.port", FT_UINT16, BASE_DEC, NULL, 0, "0 when missing or invalid",
          HFILL}},
        {&hf_rai_cs1_assistant_account_pwd,
         {"assistantAccountPwd", "rai.cs1.assistant_account_pwd", FT_STRING, BASE_NONE, NULL, 0,
          "MUST be \"*\"", HFILL}},
        {&hf_rai_cs1_session_id,
         {"RASessionID", "rai.cs1.session_id", FT_STRING, BASE_NONE, NULL, 0,
          "Remote Assistance session identifier", HFILL}},
        {&hf_rai_cs1_session_name,
         {"RASessionName", "rai.cs1.session_name", FT_STRING, BASE_NONE, NULL, 0, "MUST be \"*\"",
          HFILL}},
        {&hf_rai_cs1_session_pwd,
         {"RASessionPwd", "rai.cs1.session_pwd", FT_STRING, BASE_NONE, NULL, 0, "MUST be \"*\"",
          HFILL}},
        {&hf_rai_cs1_protocol_parms,
         {"protocolSpecificParms", "rai.cs1.protocol_parms", FT_STRING, BASE_NONE, NULL, 0,
          "Remote Desktop Protocol parameters", HFILL}},
        {&hf_rai_cs2,
         {"Connection String 2", "rai.cs2", FT_NONE, BASE_NONE, NULL, 0,
          "[MS-RAI] 2.2.2 (Windows Vista and later novices)", HFILL}},
        {&hf_rai_cs2_a_kh,
         {"KH", "rai.cs2.a.kh", FT_STRING, BASE_NONE, NULL, 0,
          "<A KH>: RDP-specific parameters (hash)", HFILL}},
        {&hf_rai_cs2_a_kh2,
         {"KH2", "rai.cs2.a.kh2", FT_STRING, BASE_NONE, NULL, 0,
          "<A KH2>: sha256:/sha384:/sha512: hash (rev 12.0)", HFILL}},
        {&hf_rai_cs2_a_id,
         {"ID", "rai.cs2.a.id", FT_STRING, BASE_NONE, NULL, 0, "<A ID>: authstring identifier",
          HFILL}},
        {&hf_rai_cs2_a_ce,
         {"CE", "rai.cs2.a.ce", FT_STRING, BASE_NONE, NULL, 0,
          "<A CE>: base64 DER certificate (Windows 10/11)", HFILL}},
        {&hf_rai_cs2_a_ce_length,
         {"Certificate length", "rai.cs2.a.ce_length", FT_UINT32, BASE_DEC, NULL, 0,
          "Bytes of DER in CE", HFILL}},
        {&hf_rai_cs2_t, {"Transport", "rai.cs2.t", FT_STRING, BASE_NONE, NULL, 0, "<T>", HFILL}},
        {&hf_rai_cs2_t_id,
         {"ID", "rai.cs2.t.id", FT_STRING, BASE_NONE, NULL, 0, "<T ID>: transport identifier",
          HFILL}},
        {&hf_rai_cs2_t_sid,
         {"SID", "rai.cs2.t.sid", FT_STRING, BASE_NONE, NULL, 0, "<T SID>: session identifier",
          HFILL}},
        {&hf_rai_cs2_l, {"Listener", "rai.cs2.l", FT_STRING, BASE_NONE, NULL, 0, "<L>", HFILL}},
        {&hf_rai_cs2_l_n,
         {"N", "rai.cs2.l.n", FT_STRING, BASE_NONE, NULL, 0, "<L N>: server name or address",
          HFILL}},
        {&hf_rai_cs2_l_p,
         {"P", "rai.cs2.l.p", FT_UINT16, BASE_DEC, NULL, 0, "<L P>: port (0 when invalid)", HFILL}},
        {&hf_rai_cs2_l_u,
         {"U", "rai.cs2.l.u", FT_STRING, BASE_NONE, NULL, 0, "<L U>: websocket URI (rev 12.0)",
          HFILL}},
        {&hf_rai_helpblob,
         {"User help blob", "rai.helpblob", FT_NONE, BASE_NONE, NULL, 0,
          "bstrUserHelpBlob of RemoteConnectionParms ([MS-RAI] 3.1.4.1.1)", HFILL}},
        {&hf_rai_helpblob_item,
         {"Item", "rai.helpblob.item", FT_STRING, BASE_NONE, NULL, 0, "<length>;<item>", HFILL}},
        {&hf_rai_helpblob_item_length,
         {"Declared length", "rai.helpblob.item.length", FT_UINT32, BASE_DEC, NULL, 0,
          "The number before ';' (UTF-16 units)", HFILL}},
        {&hf_rai_helpblob_item_key,
         {"Key", "rai.helpblob.item.key", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_helpblob_item_value,
         {"Value", "rai.helpblob.item.value", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_helpblob_unsolicited,
         {"Unsolicited", "rai.helpblob.unsolicited", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "UNSOLICITED=1 present", HFILL}},
        {&hf_rai_helpblob_domain,
         {"Expert domain", "rai.helpblob.domain", FT_STRING, BASE_NONE, NULL, 0,
          "From ID=DOMAIN\\user", HFILL}},
        {&hf_rai_helpblob_user,
         {"Expert user", "rai.helpblob.user", FT_STRING, BASE_NONE, NULL, 0, "From ID=DOMAIN\\user",
          HFILL}},
    };
    static gint *ett[] = {
        &ett_rai_session, &ett_rai_cs,    &ett_rai_cs_address,
        &ett_rai_cs2_t,   &ett_rai_cs2_l, &ett_rai_helpblob_item,
    };
    static ei_register_info ei[] = {
        {&ei_rai_count_mismatch,
         {"rai.count_mismatch", PI_PROTOCOL, PI_WARN,
          "Count disagrees with the number of array elements", EXPFILL}},
        {&ei_rai_session_entry,
         {"rai.session.bad_entry", PI_PROTOCOL, PI_WARN,
          "Session entry not of the form DomainName\\UserName:SessionID", EXPFILL}},
        {&ei_rai_session_anonymous,
         {"rai.session.anonymous", PI_PROTOCOL, PI_NOTE,
          "Session without domain or user name (an expert ignores it)", EXPFILL}},
        {&ei_rai_cs_malformed,
         {"rai.cs.malformed", PI_MALFORMED, PI_ERROR, "Connection string or blob is unreadable",
          EXPFILL}},
        {&ei_rai_cs_unknown_form,
         {"rai.cs.unknown_form", PI_PROTOCOL, PI_WARN,
          "Neither Connection String 1 nor Connection String 2", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_PROTOCOL_VERSION],
         {"rai.cs1.bad_protocol_version", PI_PROTOCOL, PI_WARN,
          "ProtocolVersion is not 65538 ([MS-RAI] 2.2.1)", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_PROTOCOL_TYPE],
         {"rai.cs1.bad_protocol_type", PI_PROTOCOL, PI_WARN,
          "protocolType is not 1 ([MS-RAI] 2.2.1)", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_NOT_STAR],
         {"rai.cs1.not_star", PI_PROTOCOL, PI_WARN,
          "A field that MUST be \"*\" is not ([MS-RAI] 2.2.1)", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_BAD_ADDRESS],
         {"rai.cs1.bad_address", PI_PROTOCOL, PI_WARN, "Address entry is not host:port", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_FIELD_COUNT],
         {"rai.cs1.bad_field_count", PI_PROTOCOL, PI_WARN,
          "Connection String 1 does not have eight fields", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_MISSING_ELEMENT],
         {"rai.cs2.missing", PI_PROTOCOL, PI_WARN,
          "Connection String 2 lacks an element or attribute", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_UNKNOWN_CONTENT],
         {"rai.cs2.unknown_content", PI_PROTOCOL, PI_NOTE,
          "Connection String 2 has content the specification does not name", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_BAD_PORT],
         {"rai.cs2.bad_port", PI_PROTOCOL, PI_WARN, "Listener port is not 1-65535", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_BAD_BASE64],
         {"rai.cs2.bad_base64", PI_PROTOCOL, PI_WARN, "A base64 value does not decode", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_TRAILING_DATA],
         {"rai.cs.trailing_data", PI_PROTOCOL, PI_WARN, "Bytes after the connection string",
          EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_BLOB_LENGTH],
         {"rai.helpblob.bad_length", PI_PROTOCOL, PI_WARN,
          "Help blob length prefix does not match its text ([MS-RAI] 3.1.4.1.1)", EXPFILL}},
        {&ei_rai_cs_warning[RA_CSW_BLOB_ITEM],
         {"rai.helpblob.bad_item", PI_PROTOCOL, PI_WARN,
          "Help blob item is not KEY=VALUE, or a required item is missing", EXPFILL}},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(ei_rai_cs_warning); i++) {
        static const expert_field init = EI_INIT;
        ei_rai_cs_warning[i] = init;
    }
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert, ei, array_length(ei));

    /* every hook must name a parameter of the generated tables */
    for (gsize h = 0; h < G_N_ELEMENTS(hooks); h++) {
        gboolean found = FALSE;
        for (guint i = 0; i < RAI_GEN_N_INTERFACES && !found; i++) {
            const RaiInterface *f = &rai_gen_interfaces[i];
            for (guint m = 0; m < f->n_methods && !found; m++) {
                for (guint p = 0; p < f->methods[m].n_params; p++) {
                    if (strcmp(f->methods[m].params[p].key, hooks[h].key) == 0)
                        found = TRUE;
                }
            }
        }
        if (!found)
            g_error("rai: a hook names %s, which the IDL does not have", hooks[h].key);
    }
}
