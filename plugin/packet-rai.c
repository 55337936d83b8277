/*
 * packet-rai.c: the hand-written shell of the [MS-RAI] dissector.
 *
 * The generated part (rai-gen.c, from idl/ms-rai.idl by idlgen) describes the four interfaces and
 * calls rai_dissect_request()/rai_dissect_response() with the method's description. This file:
 *  - registers the protocol "rai", the interfaces (by UUID, with names), the coclasses' CLSIDs;
 *  - walks the NDR stub of each method after ORPCTHIS/ORPCTHAT (exported dcom helpers), for the
 *    wire forms the exported Wireshark helpers get wrong or cannot do: UTF-16 strings shown as
 *    text, BSTR (user-marshal form), LPWSTR, SAFEARRAY(BSTR) in both forms seen in the wild,
 *    VARIANT, the 16/32-bit enum, OBJREF interface pointers;
 *  - decodes IDispatch::GetIDsOfNames/Invoke with the exported dissect_IDispatch_* helpers and
 *    names the MS-RAI member an Invoke calls (request, and response through per-call data);
 *  - adds expert info for every departure from the specification it can see, and for stubs that
 *    end early. Every read is bounds-checked, and nothing in this file recurses.
 * What the values mean (connection strings, help blobs, session entries, counts) is shown by the
 * semantic hooks of rai-hooks.c.
 */
#include "packet-rai.h"
#include "rai-gen.h"
#include "rai-hooks.h"

#include <string.h>

int proto_rai = -1;

/* ---- fields of the shell (the generated part declares one per IDL parameter) ---- */
static int hf_rai_interface = -1;
static int hf_rai_method = -1;
static int hf_rai_hresult = -1;
static int hf_rai_null = -1;
static int hf_rai_referent_id = -1;
static int hf_rai_user_marker = -1;
static int hf_rai_max_count = -1;
static int hf_rai_offset = -1;
static int hf_rai_actual_count = -1;
static int hf_rai_padding = -1;
static int hf_rai_bstr_byte_length = -1;
static int hf_rai_bstr_char_count = -1;
static int hf_rai_enum_wire_bits = -1;
static int hf_rai_sa_form = -1;
static int hf_rai_sa_dims = -1;
static int hf_rai_sa_features = -1;
static int hf_rai_sa_features_auto = -1;
static int hf_rai_sa_features_static = -1;
static int hf_rai_sa_features_embedded = -1;
static int hf_rai_sa_features_fixedsize = -1;
static int hf_rai_sa_features_record = -1;
static int hf_rai_sa_features_haveiid = -1;
static int hf_rai_sa_features_havevartype = -1;
static int hf_rai_sa_features_bstr = -1;
static int hf_rai_sa_features_unknown = -1;
static int hf_rai_sa_features_dispatch = -1;
static int hf_rai_sa_features_variant = -1;
static int hf_rai_sa_element_size = -1;
static int hf_rai_sa_locks = -1;
static int hf_rai_sa_vartype = -1;
static int hf_rai_sa_sftype = -1;
static int hf_rai_sa_size = -1;
static int hf_rai_sa_data_pointer = -1;
static int hf_rai_sa_bound = -1;
static int hf_rai_sa_bound_elements = -1;
static int hf_rai_sa_bound_lower = -1;
static int hf_rai_sa_element = -1;
static int hf_rai_variant_size = -1;
static int hf_rai_variant_reserved = -1;
static int hf_rai_variant_vt = -1;
static int hf_rai_variant_reserved16 = -1;
static int hf_rai_variant_switch = -1;
static int hf_rai_variant_i2 = -1;
static int hf_rai_variant_i4 = -1;
static int hf_rai_variant_ui4 = -1;
static int hf_rai_variant_bool = -1;
static int hf_rai_variant_scode = -1;
static int hf_rai_variant_bstr = -1;
static int hf_rai_variant_interface = -1;
static int hf_rai_variant = -1;
static int hf_rai_ip_cnt_data = -1;
static int hf_rai_objref = -1;
static int hf_rai_objref_signature = -1;
static int hf_rai_objref_flags = -1;
static int hf_rai_objref_iid = -1;
static int hf_rai_objref_std_flags = -1;
static int hf_rai_objref_std_public_refs = -1;
static int hf_rai_objref_std_oxid = -1;
static int hf_rai_objref_std_oid = -1;
static int hf_rai_objref_std_ipid = -1;
static int hf_rai_objref_clsid = -1;
static int hf_rai_objref_cb_extension = -1;
static int hf_rai_objref_size = -1;
static int hf_rai_objref_data = -1;
static int hf_rai_objref_resolver = -1;
static int hf_rai_objref_entries = -1;
static int hf_rai_objref_security_offset = -1;
static int hf_rai_objref_binding = -1;
static int hf_rai_objref_tower_id = -1;
static int hf_rai_objref_address = -1;
static int hf_rai_objref_security = -1;
static int hf_rai_objref_authn_svc = -1;
static int hf_rai_objref_authz_svc = -1;
static int hf_rai_objref_principal = -1;
static int hf_rai_dispatch_dispid = -1;
static int hf_rai_dispatch_member = -1;
static int hf_rai_fault = -1;
static int hf_rai_iunknown_riid = -1;
static int hf_rai_iunknown_ppv = -1;
static int hf_rai_iunknown_refcount = -1;

static gint ett_rai_detail = -1;
static gint ett_rai_sa_features = -1;
static gint ett_rai_sa_bound = -1;
static gint ett_rai_sa_element = -1;
static gint ett_rai_objref = -1;
static gint ett_rai_objref_resolver = -1;
static gint ett_rai_objref_binding = -1;
static gint ett_rai_variant = -1;
static gint ett_rai_fault = -1;

static expert_field ei_rai_truncated = EI_INIT;
static expert_field ei_rai_not_remote = EI_INIT;
static expert_field ei_rai_unused_opnum = EI_INIT;
static expert_field ei_rai_hresult_failure = EI_INIT;
static expert_field ei_rai_bstr_length = EI_INIT;
static expert_field ei_rai_string_not_terminated = EI_INIT;
static expert_field ei_rai_string_counts = EI_INIT;
static expert_field ei_rai_enum_range = EI_INIT;
static expert_field ei_rai_sa_form_unknown = EI_INIT;
static expert_field ei_rai_sa_not_bstr = EI_INIT;
static expert_field ei_rai_sa_size = EI_INIT;
static expert_field ei_rai_variant_type = EI_INIT;
static expert_field ei_rai_objref_signature = EI_INIT;
static expert_field ei_rai_objref_iid = EI_INIT;
static expert_field ei_rai_objref_length = EI_INIT;
static expert_field ei_rai_dispid_unknown = EI_INIT;

/* ---- constants of the wire forms ---- */

/* NdrUserMarshal writes this where a pointer's referent ID would be ([MS-RPCE] 2.2.5.2.1 user
 * marshal, and facts.md): "User" read as a little-endian DWORD. */
#define RAI_USER_MARKER      0x72657355u
#define RAI_OBJREF_MEOW      0x574f454du /* [MS-DCOM] 2.2.18 OBJREF signature "MEOW" */
#define RAI_NULL_BSTR_LENGTH 0xFFFFFFFFu /* [MS-OAUT] 2.2.23.1 cBytes of a NULL BSTR */
#define RAI_FADF_BSTR        0x0100      /* [MS-OAUT] 2.2.9 ADVFEATUREFLAGS */
#define RAI_VT_BSTR          8           /* [MS-OAUT] 2.2.7 VARENUM */
#define RAI_VT_VARIANT       12
#define RAI_VT_TYPEMASK      0x0fff
#define RAI_VT_ARRAY         0x2000
#define RAI_VT_BYREF         0x4000
#define RAI_SF_BSTR          8 /* [MS-OAUT] 2.2.8 SF_TYPE */
#define RAI_SF_HAVEIID       0x800D
#define RAI_MAX_DEPTH        8  /* nesting of VARIANTs and interface pointers */
#define RAI_MAX_DIMS         64 /* sanity bound on SAFEARRAY dimensions */

static const value_string user_marker_vals[] = {
    {RAI_USER_MARKER, "'User' (user-marshal)"},
    {0, NULL},
};

static const value_string sa_form_vals[] = {
    {RAI_SA_FORM_NULL, "NULL array"},
    {RAI_SA_FORM_WINDOWS, "Windows user-marshal: 'User', pointer, wireSAFEARRAY"},
    {RAI_SA_FORM_WINDOWS_ALIGNED8,
     "Windows user-marshal, 8-byte aligned after 'User' (Wine NDR engine)"},
    {RAI_SA_FORM_POINTER, "NDR unique pointer, wireSAFEARRAY (impacket)"},
    {0, NULL},
};

static const value_string sftype_vals[] = {
    {0x10, "SF_I1"},
    {0x02, "SF_I2"},
    {0x03, "SF_I4"},
    {0x14, "SF_I8"},
    {0x08, "SF_BSTR"},
    {0x0D, "SF_UNKNOWN"},
    {0x09, "SF_DISPATCH"},
    {0x0C, "SF_VARIANT"},
    {0x24, "SF_RECORD"},
    {0x800D, "SF_HAVEIID"},
    {0, NULL},
};

static const value_string objref_flag_vals[] = {
    {1, "OBJREF_STANDARD"},
    {2, "OBJREF_HANDLER"},
    {4, "OBJREF_CUSTOM"},
    {8, "OBJREF_EXTENDED"},
    {0, NULL},
};

/* [MS-DCOM] 2.2.19.3 / [C706] tower identifiers seen in string bindings */
static const value_string tower_id_vals[] = {
    {0x04, "ncacn_dnet_nsp"}, {0x07, "ncacn_ip_tcp"}, {0x08, "ncadg_ip_udp"},
    {0x09, "ncacn_nb_tcp"},   {0x0C, "ncacn_spx"},    {0x0D, "ncacn_nb_ipx"},
    {0x0E, "ncadg_ipx"},      {0x0F, "ncacn_np"},     {0x10, "ncalrpc"},
    {0x12, "ncacn_nb_nb"},    {0x1F, "ncacn_http"},   {0, NULL},
};

/* [MS-RPCE] 2.2.1.1.7 authentication services in security bindings */
static const value_string authn_svc_vals[] = {
    {0x00, "RPC_C_AUTHN_NONE"},         {0x09, "RPC_C_AUTHN_GSS_NEGOTIATE"},
    {0x0A, "RPC_C_AUTHN_WINNT (NTLM)"}, {0x0E, "RPC_C_AUTHN_GSS_SCHANNEL"},
    {0x10, "RPC_C_AUTHN_GSS_KERBEROS"}, {0x44, "RPC_C_AUTHN_NETLOGON"},
    {0xFFFF, "RPC_C_AUTHN_DEFAULT"},    {0, NULL},
};

/*
 * HRESULT names: Wireshark's dcom_hresult_vals, plus the values [MS-RAI] names (3.1.4.1.1,
 * 3.1.4.1.2, 3.3.4.1.1; [MS-ERREF] 2.1) that it lacks. Merged at registration (first match wins,
 * so these come first).
 */
static const value_string rai_extra_hresult_vals[] = {
    {0x00000000, "S_OK"},
    {0x80070052, "ERROR_CANNOT_MAKE"},
    {0x800704EC, "ERROR_ACCESS_DISABLED_BY_POLICY"},
    {0x80070534, "ERROR_NONE_MAPPED"},
    {0x80070005, "E_ACCESSDENIED"},
    {0x8007000E, "E_OUTOFMEMORY"},
    {0x80004003, "E_POINTER"},
    {0x80070057, "E_INVALIDARG"},
    {0x80000003, "E_INVALIDARG (the 16-bit-era value [MS-RAI] 3.1.4.1.2.2 lists)"},
    {0x80004001, "E_NOTIMPL"},
    {0x80004005, "E_FAIL"},
    {0x80020003, "DISP_E_MEMBERNOTFOUND"},
    {0x80020006, "DISP_E_UNKNOWNNAME"},
    {0x8002000B, "DISP_E_BADINDEX"},
    {0x800706D1, "RPC_S_PROCNUM_OUT_OF_RANGE"},
    {0, NULL},
};
static value_string *rai_hresult_vals;

static void build_hresult_vals(void)
{
    guint n_extra = 0, n_dcom = 0;
    while (rai_extra_hresult_vals[n_extra].strptr != NULL)
        n_extra++;
    while (dcom_hresult_vals[n_dcom].strptr != NULL)
        n_dcom++;
    rai_hresult_vals = g_new0(value_string, n_extra + n_dcom + 1);
    memcpy(rai_hresult_vals, rai_extra_hresult_vals, n_extra * sizeof(value_string));
    memcpy(rai_hresult_vals + n_extra, dcom_hresult_vals, n_dcom * sizeof(value_string));
}

/* ---- the walk of one PDU ---- */

typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    dcerpc_info *di;
    guint8 *drep;
    guint enc; /* NDR integer encoding from the data representation label */
    const RaiMethod *method;
    gboolean request;
    gboolean stopped;   /* a problem ended the walk: the rest of the stub is not dissected */
    RaiHookState hooks; /* scratch space of the semantic hooks (rai-shell.h) */
} RaiCall;

static int align(int offset, int n)
{
    return (offset + n - 1) & ~(n - 1);
}

/* Stops the walk with "Stub data ends inside <what>". */
static void truncated(RaiCall *c, proto_tree *tree, int offset, const char *what)
{
    if (c->stopped)
        return;
    c->stopped = TRUE;
    int len = (int)tvb_captured_length(c->tvb);
    if (offset > len || offset < 0)
        offset = len;
    proto_tree_add_expert_format(tree, c->pinfo, &ei_rai_truncated, c->tvb, offset, len - offset,
                                 "Stub data ends inside %s (%s::%s %s)", what,
                                 c->method->iface->name, c->method->name,
                                 c->request ? "request" : "response");
}

/* TRUE when len bytes exist at offset; otherwise stops the walk. */
static gboolean need(RaiCall *c, proto_tree *tree, int offset, int len, const char *what)
{
    if (offset >= 0 && len >= 0 && tvb_bytes_exist(c->tvb, offset, len))
        return TRUE;
    truncated(c, tree, offset, what);
    return FALSE;
}

static guint32 get_u32(RaiCall *c, int offset)
{
    return rai_tvb_get_u32(c->tvb, offset, c->enc);
}

/* A referent ID (or user-marshal marker); *value gets it. Returns the next offset or -1. */
static int pointer_item(RaiCall *c, proto_tree *tree, int offset, const char *what, guint32 *value)
{
    offset = align(offset, 4);
    if (!need(c, tree, offset, 4, what))
        return -1;
    *value = get_u32(c, offset);
    if (*value == RAI_USER_MARKER)
        proto_tree_add_item(tree, hf_rai_user_marker, c->tvb, offset, 4, c->enc);
    else
        proto_tree_add_item(tree, hf_rai_referent_id, c->tvb, offset, 4, c->enc);
    return offset + 4;
}

static void null_item(RaiCall *c, proto_tree *tree, int offset, int len)
{
    proto_item *pi = proto_tree_add_boolean(tree, hf_rai_null, c->tvb, offset, len, TRUE);
    proto_item_set_generated(pi);
}

/*
 * FLAGGED_WORD_BLOB ([MS-OAUT] 2.2.23.1), the body of a BSTR: conformance, cBytes (0xFFFFFFFF for
 * a NULL BSTR), clSize, clSize UTF-16 units. Always little-endian ([MS-OAUT] 2.2.23.1). The
 * string item (hf) spans [item_start, end of the blob) and gets the marker/referent at
 * item_start (when item_start < offset) and the header fields as children. *value gets the
 * string (pinfo pool), or NULL for a NULL BSTR. Returns the offset after the blob, or -1.
 */
static int walk_word_blob(RaiCall *c, proto_tree *tree, int hf, const char *label, int item_start,
                          int ptr_at, int offset, const char **value, proto_item **item_out)
{
    *value = NULL;
    *item_out = NULL;
    offset = align(offset, 4);
    if (!need(c, tree, offset, 12, "a BSTR header"))
        return -1;
    guint32 max_count = rai_tvb_get_u32(c->tvb, offset, ENC_LITTLE_ENDIAN);
    guint32 cbytes = rai_tvb_get_u32(c->tvb, offset + 4, ENC_LITTLE_ENDIAN);
    guint32 clsize = rai_tvb_get_u32(c->tvb, offset + 8, ENC_LITTLE_ENDIAN);
    guint64 bytes = cbytes == RAI_NULL_BSTR_LENGTH ? 0 : (guint64)clsize * 2;
    gboolean complete =
        bytes <= (guint64)G_MAXINT / 2 && tvb_bytes_exist(c->tvb, offset + 12, (int)bytes);
    int end = offset + 12 + (complete ? (int)bytes : 0);
    proto_item *item;
    const char *shown;
    if (cbytes == RAI_NULL_BSTR_LENGTH) {
        shown = "NULL BSTR";
        item = proto_tree_add_string_format_value(tree, hf, c->tvb, item_start, end - item_start,
                                                  "", "%s", shown);
    } else if (!complete) {
        shown = wmem_strdup_printf(c->pinfo->pool, "(%u characters, not all in the stub)", clsize);
        item = proto_tree_add_string_format_value(tree, hf, c->tvb, item_start, end - item_start,
                                                  "", "%s", shown);
    } else {
        const guint8 *text = tvb_get_string_enc(c->pinfo->pool, c->tvb, offset + 12, (int)bytes,
                                                ENC_UTF_16 | ENC_LITTLE_ENDIAN);
        item = proto_tree_add_string(tree, hf, c->tvb, item_start, end - item_start,
                                     (const char *)text);
        shown = (const char *)text;
        *value = (const char *)text;
    }
    if (label != NULL)
        proto_item_set_text(item, "%s: %s", label, shown);
    proto_tree *sub = proto_item_add_subtree(item, ett_rai_detail);
    if (ptr_at >= 0) {
        guint32 marker = rai_tvb_get_u32(c->tvb, ptr_at, c->enc);
        proto_tree_add_item(sub,
                            marker == RAI_USER_MARKER ? hf_rai_user_marker : hf_rai_referent_id,
                            c->tvb, ptr_at, 4, c->enc);
    }
    proto_tree_add_item(sub, hf_rai_max_count, c->tvb, offset, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(sub, hf_rai_bstr_byte_length, c->tvb, offset + 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(sub, hf_rai_bstr_char_count, c->tvb, offset + 8, 4, ENC_LITTLE_ENDIAN);
    if (cbytes == RAI_NULL_BSTR_LENGTH)
        null_item(c, sub, offset + 4, 4);
    *item_out = item;
    if (!complete) {
        truncated(c, sub, offset + 12, "the characters of a BSTR");
        return -1;
    }
    /* [MS-OAUT] 2.2.23.1: clSize is cBytes / 2 rounded up (0 for a NULL BSTR), and NDR's
     * conformance equals clSize. */
    guint32 want = cbytes == RAI_NULL_BSTR_LENGTH ? 0 : (guint32)(((guint64)cbytes + 1) / 2);
    if (clsize != want || max_count != clsize)
        expert_add_info_format(c->pinfo, item, &ei_rai_bstr_length,
                               "BSTR lengths disagree: conformance %u, cBytes %u (0x%08x), "
                               "clSize %u ([MS-OAUT] 2.2.23.1)",
                               max_count, cbytes, cbytes, clsize);
    return end;
}

/* A BSTR as a parameter or VARIANT member: 'User' (or a referent ID) then the blob. */
static int walk_bstr(RaiCall *c, proto_tree *tree, int hf, int offset, const char **value,
                     proto_item **item_out)
{
    *value = NULL;
    *item_out = NULL;
    offset = align(offset, 4);
    if (!need(c, tree, offset, 4, "a BSTR"))
        return -1;
    if (get_u32(c, offset) == 0) {
        proto_item *item =
            proto_tree_add_string_format_value(tree, hf, c->tvb, offset, 4, "", "NULL pointer");
        proto_tree *sub = proto_item_add_subtree(item, ett_rai_detail);
        proto_tree_add_item(sub, hf_rai_referent_id, c->tvb, offset, 4, c->enc);
        null_item(c, sub, offset, 4);
        *item_out = item;
        return offset + 4;
    }
    return walk_word_blob(c, tree, hf, NULL, offset, offset, offset + 4, value, item_out);
}

/*
 * A conformant varying UTF-16 string ([string] wchar_t*, [C706] 14.3.4): max count, offset,
 * actual count, then actual count units including the terminating NUL. The item spans from
 * item_start (the string pointer, when there is one) to the end of the characters.
 */
static int walk_lpwstr(RaiCall *c, proto_tree *tree, const RaiParam *p, int item_start, int offset,
                       const char **value, proto_item **item_out)
{
    *value = NULL;
    *item_out = NULL;
    offset = align(offset, 4);
    if (!need(c, tree, offset, 12, "a string header"))
        return -1;
    guint32 max_count = get_u32(c, offset);
    guint32 off = get_u32(c, offset + 4);
    guint32 actual = get_u32(c, offset + 8);
    guint64 bytes = (guint64)actual * 2;
    gboolean complete =
        bytes <= (guint64)G_MAXINT / 2 && tvb_bytes_exist(c->tvb, offset + 12, (int)bytes);
    int end = offset + 12 + (complete ? (int)bytes : 0);
    proto_item *item;
    gboolean terminated = FALSE;
    if (!complete) {
        item =
            proto_tree_add_string_format_value(tree, *p->hf, c->tvb, item_start, end - item_start,
                                               "", "(%u characters, not all in the stub)", actual);
    } else {
        /* The value shown stops before the terminating NUL. */
        terminated =
            actual > 0 && rai_tvb_get_u16(c->tvb, offset + 12 + (int)bytes - 2, c->enc) == 0;
        int text_len = (int)bytes - (terminated ? 2 : 0);
        const guint8 *text =
            tvb_get_string_enc(c->pinfo->pool, c->tvb, offset + 12, text_len, ENC_UTF_16 | c->enc);
        item = proto_tree_add_string(tree, *p->hf, c->tvb, item_start, end - item_start,
                                     (const char *)text);
        *value = (const char *)text;
    }
    proto_tree *sub = proto_item_add_subtree(item, *p->ett);
    if (item_start < offset)
        proto_tree_add_item(sub, hf_rai_referent_id, c->tvb, item_start, 4, c->enc);
    proto_tree_add_item(sub, hf_rai_max_count, c->tvb, offset, 4, c->enc);
    proto_tree_add_item(sub, hf_rai_offset, c->tvb, offset + 4, 4, c->enc);
    proto_tree_add_item(sub, hf_rai_actual_count, c->tvb, offset + 8, 4, c->enc);
    *item_out = item;
    if (!complete) {
        truncated(c, sub, offset + 12, "the characters of a string");
        return -1;
    }
    if (off != 0 || actual > max_count)
        expert_add_info_format(c->pinfo, item, &ei_rai_string_counts,
                               "String counts are inconsistent: max count %u, offset %u, actual "
                               "count %u ([C706] 14.3.4.2)",
                               max_count, off, actual);
    if (!terminated)
        expert_add_info(c->pinfo, item, &ei_rai_string_not_terminated);
    return end;
}

/*
 * The enum without [v1_enum]: strict NDR sends 16 bits, the typelib marshaller of these
 * oleautomation interfaces 32 ([C706] 14.2.11, facts.md). Both read alike: a 16-bit value at a
 * 4-aligned offset followed by two zero bytes is the 32-bit form's low half and padding.
 */
static int walk_enum(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset, gint64 *value,
                     proto_item **item_out)
{
    offset = align(offset, 2);
    if (!need(c, tree, offset, 2, "an enum"))
        return -1;
    guint32 v;
    int len, bits;
    if (offset % 4 == 0 && tvb_bytes_exist(c->tvb, offset, 4)) {
        v = get_u32(c, offset);
        len = 4;
        /* 32 bits when the high half is used or nothing follows (a stub is not padded at its
         * end); otherwise both readings give the same value and the width stays unknown. */
        gboolean last = offset + 4 == (int)tvb_reported_length(c->tvb);
        bits = (v >> 16) != 0 || last ? 32 : 0;
        if (c->enc == ENC_BIG_ENDIAN && (v & 0xFFFF) == 0 && !last) {
            /* big-endian 16-bit form followed by padding: the value is in the first half */
            v >>= 16;
            bits = 16;
        }
    } else {
        v = rai_tvb_get_u16(c->tvb, offset, c->enc);
        len = 2;
        bits = 16;
    }
    proto_item *item = proto_tree_add_uint(tree, *p->hf, c->tvb, offset, len, v);
    if (bits != 0) {
        proto_tree *sub = proto_item_add_subtree(item, *p->ett);
        proto_item *pi = proto_tree_add_uint(sub, hf_rai_enum_wire_bits, c->tvb, offset, len, bits);
        proto_item_set_generated(pi);
    }
    if ((gint64)v < p->enum_min || (gint64)v > p->enum_max)
        expert_add_info_format(c->pinfo, item, &ei_rai_enum_range,
                               "%s value %u is outside %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                               " (the IDL's enum)",
                               p->name, v, p->enum_min, p->enum_max);
    *value = v;
    *item_out = item;
    return offset + len;
}

/* ---- OBJREF and interface pointers ([MS-DCOM] 2.2.18, 2.2.14) ---- */

/* A NUL-terminated UTF-16LE string inside [offset, end); returns the offset after it or -1. */
static int objref_wstring(RaiCall *c, proto_tree *tree, int hf, int offset, int end,
                          const char **value)
{
    int p = offset;
    while (p + 2 <= end && rai_tvb_get_u16(c->tvb, p, ENC_LITTLE_ENDIAN) != 0)
        p += 2;
    if (p + 2 > end)
        return -1;
    const guint8 *text = NULL;
    proto_item *pi =
        proto_tree_add_item_ret_string(tree, hf, c->tvb, offset, p - offset,
                                       ENC_UTF_16 | ENC_LITTLE_ENDIAN, c->pinfo->pool, &text);
    proto_item_set_len(pi, p + 2 - offset);
    *value = (const char *)text;
    return p + 2;
}

/* DUALSTRINGARRAY ([MS-DCOM] 2.2.19): string bindings, then security bindings. */
static int walk_dualstringarray(RaiCall *c, proto_tree *tree, int offset, int end)
{
    if (offset + 4 > end) {
        truncated(c, tree, offset, "a DUALSTRINGARRAY");
        return -1;
    }
    guint16 entries = rai_tvb_get_u16(c->tvb, offset, ENC_LITTLE_ENDIAN);
    guint16 sec_offset = rai_tvb_get_u16(c->tvb, offset + 2, ENC_LITTLE_ENDIAN);
    int array_end = offset + 4 + 2 * (int)entries;
    proto_item *item = proto_tree_add_item(tree, hf_rai_objref_resolver, c->tvb, offset,
                                           MIN(array_end, end) - offset, ENC_NA);
    proto_tree *sub = proto_item_add_subtree(item, ett_rai_objref_resolver);
    proto_tree_add_item(sub, hf_rai_objref_entries, c->tvb, offset, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(sub, hf_rai_objref_security_offset, c->tvb, offset + 2, 2,
                        ENC_LITTLE_ENDIAN);
    if (array_end > end) {
        truncated(c, sub, end, "the bindings of a DUALSTRINGARRAY");
        return -1;
    }
    int base = offset + 4;
    int sec_start = base + 2 * (int)sec_offset;
    if (sec_start > array_end) {
        expert_add_info_format(c->pinfo, item, &ei_rai_objref_length,
                               "wSecurityOffset %u is past the %u entries", sec_offset, entries);
        return array_end;
    }
    /* string bindings: wTowerId, NUL-terminated address; an empty entry ends the list */
    int p = base;
    guint bindings = 0, securities = 0;
    while (p + 2 <= sec_start) {
        guint16 tower = rai_tvb_get_u16(c->tvb, p, ENC_LITTLE_ENDIAN);
        if (tower == 0)
            break;
        proto_item *bi = proto_tree_add_item(sub, hf_rai_objref_binding, c->tvb, p, 2, ENC_NA);
        proto_tree *bt = proto_item_add_subtree(bi, ett_rai_objref_binding);
        proto_tree_add_item(bt, hf_rai_objref_tower_id, c->tvb, p, 2, ENC_LITTLE_ENDIAN);
        const char *addr = NULL;
        int next = objref_wstring(c, bt, hf_rai_objref_address, p + 2, sec_start, &addr);
        if (next < 0) {
            expert_add_info(c->pinfo, bi, &ei_rai_objref_length);
            return array_end;
        }
        proto_item_set_len(bi, next - p);
        proto_item_append_text(bi, ": %s %s", val_to_str_const(tower, tower_id_vals, "tower"),
                               addr);
        bindings++;
        p = next;
    }
    /* security bindings: wAuthnSvc, wAuthzSvc (Reserved), NUL-terminated principal name */
    p = sec_start;
    while (p + 2 <= array_end) {
        guint16 authn = rai_tvb_get_u16(c->tvb, p, ENC_LITTLE_ENDIAN);
        if (authn == 0)
            break;
        if (p + 4 > array_end)
            break;
        proto_item *si = proto_tree_add_item(sub, hf_rai_objref_security, c->tvb, p, 4, ENC_NA);
        proto_tree *st = proto_item_add_subtree(si, ett_rai_objref_binding);
        proto_tree_add_item(st, hf_rai_objref_authn_svc, c->tvb, p, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(st, hf_rai_objref_authz_svc, c->tvb, p + 2, 2, ENC_LITTLE_ENDIAN);
        const char *princ = NULL;
        int next = objref_wstring(c, st, hf_rai_objref_principal, p + 4, array_end, &princ);
        if (next < 0) {
            expert_add_info(c->pinfo, si, &ei_rai_objref_length);
            return array_end;
        }
        proto_item_set_len(si, next - p);
        proto_item_append_text(si, ": %s \"%s\"", val_to_str_const(authn, authn_svc_vals, "authn"),
                               princ);
        securities++;
        p = next;
    }
    proto_item_append_text(item, ": %u string binding%s, %u security binding%s", bindings,
                           plurality(bindings, "", "s"), securities,
                           plurality(securities, "", "s"));
    return array_end;
}

static gboolean iid_acceptable(const e_guid_t *iid, const RaiParam *p)
{
    static const e_guid_t iunknown = {
        0x00000000, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
    static const e_guid_t idispatch = {
        0x00020400, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
    if (p == NULL || p->iid == NULL || memcmp(p->iid, &iunknown, sizeof iunknown) == 0)
        return TRUE; /* IUnknown: any interface */
    /* A dual interface may be handed out as IDispatch (facts.md: VT_DISPATCH in Item). */
    return memcmp(iid, p->iid, sizeof *iid) == 0 || memcmp(iid, &idispatch, sizeof *iid) == 0;
}

/* OBJREF ([MS-DCOM] 2.2.18) in [offset, end), little-endian. */
static void walk_objref(RaiCall *c, proto_tree *tree, int offset, int end, const RaiParam *p,
                        proto_item *top)
{
    proto_item *item =
        proto_tree_add_item(tree, hf_rai_objref, c->tvb, offset, end - offset, ENC_NA);
    proto_tree *sub = proto_item_add_subtree(item, ett_rai_objref);
    if (offset + 24 > end) {
        truncated(c, sub, offset, "an OBJREF");
        return;
    }
    guint32 signature = rai_tvb_get_u32(c->tvb, offset, ENC_LITTLE_ENDIAN);
    proto_item *sig =
        proto_tree_add_item(sub, hf_rai_objref_signature, c->tvb, offset, 4, ENC_LITTLE_ENDIAN);
    if (signature != RAI_OBJREF_MEOW) {
        expert_add_info(c->pinfo, sig, &ei_rai_objref_signature);
        return;
    }
    guint32 flags = rai_tvb_get_u32(c->tvb, offset + 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(sub, hf_rai_objref_flags, c->tvb, offset + 4, 4, ENC_LITTLE_ENDIAN);
    e_guid_t iid;
    tvb_get_guid(c->tvb, offset + 8, &iid, ENC_LITTLE_ENDIAN);
    proto_item *iid_item =
        proto_tree_add_guid(sub, hf_rai_objref_iid, c->tvb, offset + 8, 16, &iid);
    const char *iid_name = guids_get_guid_name(&iid, c->pinfo->pool);
    if (iid_name == NULL)
        iid_name = guid_to_str(c->pinfo->pool, &iid);
    proto_item_append_text(item, ": %s, IID %s", val_to_str_const(flags, objref_flag_vals, "?"),
                           iid_name);
    if (top != NULL) {
        proto_item_append_text(top, ": %s", iid_name);
        col_append_fstr(c->pinfo->cinfo, COL_INFO, " (%s)", iid_name);
    }
    if (!iid_acceptable(&iid, p))
        expert_add_info_format(c->pinfo, iid_item, &ei_rai_objref_iid,
                               "The interface pointer's IID is not %s (the IDL's type)",
                               p->iid_name);
    int o = offset + 24;
    if (flags == 1 || flags == 2 || flags == 8) {
        /* STDOBJREF ([MS-DCOM] 2.2.18.2) */
        if (o + 40 > end) {
            truncated(c, sub, o, "a STDOBJREF");
            return;
        }
        proto_tree_add_item(sub, hf_rai_objref_std_flags, c->tvb, o, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_rai_objref_std_public_refs, c->tvb, o + 4, 4,
                            ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_rai_objref_std_oxid, c->tvb, o + 8, 8, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_rai_objref_std_oid, c->tvb, o + 16, 8, ENC_LITTLE_ENDIAN);
        e_guid_t ipid;
        tvb_get_guid(c->tvb, o + 24, &ipid, ENC_LITTLE_ENDIAN);
        proto_tree_add_guid(sub, hf_rai_objref_std_ipid, c->tvb, o + 24, 16, &ipid);
        proto_item_append_text(item, ", IPID %s", guid_to_str(c->pinfo->pool, &ipid));
        o += 40;
        if (flags == 2) {
            if (o + 16 > end) {
                truncated(c, sub, o, "an OBJREF_HANDLER");
                return;
            }
            proto_tree_add_item(sub, hf_rai_objref_clsid, c->tvb, o, 16, ENC_LITTLE_ENDIAN);
            o += 16;
        }
        if (flags == 8) {
            o += 4; /* Signature1 ([MS-DCOM] 2.2.18.7) */
        }
        walk_dualstringarray(c, sub, o, end);
    } else if (flags == 4) {
        /* OBJREF_CUSTOM ([MS-DCOM] 2.2.18.6) */
        if (o + 24 > end) {
            truncated(c, sub, o, "an OBJREF_CUSTOM");
            return;
        }
        proto_tree_add_item(sub, hf_rai_objref_clsid, c->tvb, o, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_rai_objref_cb_extension, c->tvb, o + 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_rai_objref_size, c->tvb, o + 20, 4, ENC_LITTLE_ENDIAN);
        if (o + 24 < end)
            proto_tree_add_item(sub, hf_rai_objref_data, c->tvb, o + 24, end - (o + 24), ENC_NA);
    }
}

/* MInterfacePointer ([MS-DCOM] 2.2.14): conformance, ulCntData, OBJREF bytes. The caller has
 * read the unique pointer. */
static int walk_minterfacepointer(RaiCall *c, proto_tree *tree, int offset, const RaiParam *p,
                                  proto_item *top)
{
    offset = align(offset, 4);
    if (!need(c, tree, offset, 8, "an MInterfacePointer"))
        return -1;
    guint32 max_count = get_u32(c, offset);
    guint32 cnt = get_u32(c, offset + 4);
    proto_tree_add_item(tree, hf_rai_max_count, c->tvb, offset, 4, c->enc);
    proto_item *ci = proto_tree_add_item(tree, hf_rai_ip_cnt_data, c->tvb, offset + 4, 4, c->enc);
    if (max_count != cnt)
        expert_add_info_format(c->pinfo, ci, &ei_rai_objref_length,
                               "ulCntData %u differs from the array's conformance %u", cnt,
                               max_count);
    offset += 8;
    if (cnt > (guint32)G_MAXINT / 2 || !tvb_bytes_exist(c->tvb, offset, (int)cnt)) {
        /* dissect what is there, then stop */
        int have = tvb_captured_length_remaining(c->tvb, offset);
        if (have > 0)
            walk_objref(c, tree, offset, offset + have, p, top);
        truncated(c, tree, offset + MAX(have, 0), "the OBJREF of an interface pointer");
        return -1;
    }
    walk_objref(c, tree, offset, offset + (int)cnt, p, top);
    return offset + (int)cnt;
}

/* ---- SAFEARRAY(BSTR) ([MS-OAUT] 2.2.30, facts.md) ---- */

/* A plausible _wireSAFEARRAY of BSTRs at h: conformance == cDims (1..64), FADF_BSTR set,
 * cbElements == 4. This is how the forms are told apart. */
static gboolean sa_header_at(RaiCall *c, int h)
{
    if (h < 0 || !tvb_bytes_exist(c->tvb, h, 12))
        return FALSE;
    guint32 conformance = get_u32(c, h);
    guint16 dims = rai_tvb_get_u16(c->tvb, h + 4, c->enc);
    guint16 features = rai_tvb_get_u16(c->tvb, h + 6, c->enc);
    guint32 element_size = get_u32(c, h + 8);
    return dims >= 1 && dims <= RAI_MAX_DIMS && conformance == dims &&
           (features & RAI_FADF_BSTR) != 0 && element_size == 4;
}

static int walk_safearray(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset,
                          proto_item *top)
{
    static int *const features[] = {
        &hf_rai_sa_features_auto,        &hf_rai_sa_features_static,  &hf_rai_sa_features_embedded,
        &hf_rai_sa_features_fixedsize,   &hf_rai_sa_features_record,  &hf_rai_sa_features_haveiid,
        &hf_rai_sa_features_havevartype, &hf_rai_sa_features_bstr,    &hf_rai_sa_features_unknown,
        &hf_rai_sa_features_dispatch,    &hf_rai_sa_features_variant, NULL,
    };
    offset = align(offset, 4);
    if (!need(c, tree, offset, 4, "a SAFEARRAY"))
        return -1;
    int o = offset;
    guint32 first = get_u32(c, o);
    RaiSafeArrayForm form;
    int header;
    guint32 second = tvb_bytes_exist(c->tvb, o + 4, 4) ? get_u32(c, o + 4) : 0;
    if (first == 0) {
        form = RAI_SA_FORM_NULL;
        header = -1;
    } else if (first == RAI_USER_MARKER && second != 0 && sa_header_at(c, o + 8)) {
        form = RAI_SA_FORM_WINDOWS;
        header = o + 8;
    } else if (first == RAI_USER_MARKER && second == 0 && (o + 4) % 8 == 4 &&
               tvb_bytes_exist(c->tvb, o + 8, 4) && get_u32(c, o + 8) != 0 &&
               sa_header_at(c, o + 12)) {
        form = RAI_SA_FORM_WINDOWS_ALIGNED8;
        header = o + 12;
    } else if (first == RAI_USER_MARKER && second == 0) {
        form = RAI_SA_FORM_NULL; /* 'User' then a NULL array pointer */
        header = -1;
    } else if (sa_header_at(c, o + 4)) {
        form = RAI_SA_FORM_POINTER;
        header = o + 4;
    } else if (sa_header_at(c, o + 8)) {
        form = RAI_SA_FORM_WINDOWS; /* Windows 2000 wrote the array's address, not 1 */
        header = o + 8;
    } else {
        proto_tree_add_item(tree, hf_rai_referent_id, c->tvb, o, 4, c->enc);
        proto_tree_add_expert(tree, c->pinfo, &ei_rai_sa_form_unknown, c->tvb, o,
                              tvb_captured_length_remaining(c->tvb, o));
        c->stopped = TRUE;
        return -1;
    }
    proto_item *fi =
        proto_tree_add_uint(tree, hf_rai_sa_form, c->tvb, o, header > 0 ? header - o : 4, form);
    proto_item_set_generated(fi);
    c->hooks.sa_form = form;
    /* the prefix: marker, pointer, padding */
    if (form == RAI_SA_FORM_NULL) {
        pointer_item(c, tree, o, "a SAFEARRAY", &first);
        if (first == RAI_USER_MARKER) {
            if (!need(c, tree, o + 4, 4, "a SAFEARRAY pointer"))
                return -1;
            proto_tree_add_item(tree, hf_rai_sa_data_pointer, c->tvb, o + 4, 4, c->enc);
            o += 4;
        }
        null_item(c, tree, o, 4);
        proto_item_append_text(top, ": NULL");
        c->hooks.have_array = TRUE;
        c->hooks.array_size = 0;
        c->hooks.array_nonnull = 0;
        return o + 4;
    }
    if (form == RAI_SA_FORM_POINTER) {
        proto_tree_add_item(tree, hf_rai_referent_id, c->tvb, o, 4, c->enc);
    } else {
        proto_tree_add_item(tree, hf_rai_user_marker, c->tvb, o, 4, c->enc);
        if (form == RAI_SA_FORM_WINDOWS_ALIGNED8) {
            proto_tree_add_item(tree, hf_rai_padding, c->tvb, o + 4, 4, ENC_NA);
            proto_tree_add_item(tree, hf_rai_sa_data_pointer, c->tvb, o + 8, 4, c->enc);
        } else {
            proto_tree_add_item(tree, hf_rai_sa_data_pointer, c->tvb, o + 4, 4, c->enc);
        }
    }

    /* _wireSAFEARRAY: conformance, cDims, fFeatures, cbElements, cLocks|VT, sfType, Size,
     * aBstr pointer, [IID], bounds (reverse order), then the deferred BSTR array */
    int h = header;
    if (!need(c, tree, h, 32, "a SAFEARRAY header"))
        return -1;
    guint16 dims = rai_tvb_get_u16(c->tvb, h + 4, c->enc);
    proto_tree_add_item(tree, hf_rai_max_count, c->tvb, h, 4, c->enc);
    proto_tree_add_item(tree, hf_rai_sa_dims, c->tvb, h + 4, 2, c->enc);
    proto_tree_add_bitmask(tree, c->tvb, h + 6, hf_rai_sa_features, ett_rai_sa_features, features,
                           c->enc);
    proto_tree_add_item(tree, hf_rai_sa_element_size, c->tvb, h + 8, 4, c->enc);
    proto_tree_add_item(tree, hf_rai_sa_locks, c->tvb, h + 12, 2, c->enc);
    guint16 vt = rai_tvb_get_u16(c->tvb, h + 14, c->enc);
    proto_item *vti = proto_tree_add_item(tree, hf_rai_sa_vartype, c->tvb, h + 14, 2, c->enc);
    guint32 sftype = get_u32(c, h + 16);
    proto_item *sfi = proto_tree_add_item(tree, hf_rai_sa_sftype, c->tvb, h + 16, 4, c->enc);
    guint32 size = get_u32(c, h + 20);
    proto_item *sizei = proto_tree_add_item(tree, hf_rai_sa_size, c->tvb, h + 20, 4, c->enc);
    guint32 data_ptr = get_u32(c, h + 24);
    proto_tree_add_item(tree, hf_rai_referent_id, c->tvb, h + 24, 4, c->enc);
    if (vt != 0 && vt != RAI_VT_BSTR)
        expert_add_info_format(c->pinfo, vti, &ei_rai_sa_not_bstr,
                               "VARTYPE %u is not VT_BSTR: the IDL says SAFEARRAY(BSTR)", vt);
    if (sftype != RAI_SF_BSTR) {
        expert_add_info_format(c->pinfo, sfi, &ei_rai_sa_not_bstr,
                               "sfType 0x%x is not SF_BSTR: the IDL says SAFEARRAY(BSTR)", sftype);
        c->stopped = TRUE;
        return -1;
    }
    int b = h + 28;
    /* bounds */
    if (!need(c, tree, b, 8 * (int)dims, "the bounds of a SAFEARRAY"))
        return -1;
    guint64 cells = 1;
    for (guint i = 0; i < dims; i++) {
        proto_item *bi = proto_tree_add_item(tree, hf_rai_sa_bound, c->tvb, b, 8, ENC_NA);
        proto_tree *bt = proto_item_add_subtree(bi, ett_rai_sa_bound);
        guint32 elements = get_u32(c, b);
        gint32 lower = (gint32)get_u32(c, b + 4);
        proto_tree_add_item(bt, hf_rai_sa_bound_elements, c->tvb, b, 4, c->enc);
        proto_tree_add_item(bt, hf_rai_sa_bound_lower, c->tvb, b + 4, 4, c->enc);
        proto_item_append_text(bi, " [%u]: %u element%s from %d", i, elements,
                               plurality(elements, "", "s"), lower);
        cells *= elements;
        if (cells > G_MAXUINT32)
            cells = (guint64)G_MAXUINT32 + 1;
        b += 8;
    }
    if (cells != size)
        expert_add_info_format(c->pinfo, sizei, &ei_rai_sa_size,
                               "Size %u is not the product of the bounds (%" G_GUINT64_FORMAT
                               ") ([MS-OAUT] 2.2.30.10)",
                               size, cells);
    /* the conformant array of BSTR pointers, then the strings */
    int a = align(b, 4);
    if (!need(c, tree, a, 4, "the element count of a SAFEARRAY"))
        return -1;
    guint32 count = get_u32(c, a);
    proto_item *counti = proto_tree_add_item(tree, hf_rai_max_count, c->tvb, a, 4, c->enc);
    if (count != size)
        expert_add_info_format(c->pinfo, counti, &ei_rai_sa_size,
                               "The array holds %u element%s but Size says %u", count,
                               plurality(count, "", "s"), size);
    a += 4;
    c->hooks.have_array = TRUE;
    c->hooks.array_size = count;
    c->hooks.array_nonnull = 0;
    proto_item_append_text(top, ": %u element%s", count, plurality(count, "", "s"));
    if (data_ptr == 0 || count == 0)
        return a;
    if ((guint64)count * 4 > (guint64)G_MAXINT ||
        !need(c, tree, a, (int)count * 4, "the element pointers of a SAFEARRAY"))
        return -1;
    int blobs = a + (int)count * 4;
    for (guint32 i = 0; i < count && !c->stopped; i++) {
        if (get_u32(c, a + 4 * (int)i) == 0) {
            proto_item *ei =
                proto_tree_add_string_format(tree, hf_rai_sa_element, c->tvb, a + 4 * (int)i, 4, "",
                                             "%s[%u]: NULL pointer", p->name, i);
            proto_tree *et = proto_item_add_subtree(ei, ett_rai_sa_element);
            proto_tree_add_item(et, hf_rai_referent_id, c->tvb, a + 4 * (int)i, 4, c->enc);
            null_item(c, et, a + 4 * (int)i, 4);
            continue;
        }
        const char *value = NULL;
        proto_item *ei = NULL;
        char *label = wmem_strdup_printf(c->pinfo->pool, "%s[%u]", p->name, i);
        int next = walk_word_blob(c, tree, hf_rai_sa_element, label, align(blobs, 4),
                                  a + 4 * (int)i, blobs, &value, &ei);
        if (ei != NULL) {
            if (value != NULL) {
                c->hooks.array_nonnull++;
                rai_hook_string(&c->hooks, c->pinfo, p->key, c->request, c->tvb, align(blobs, 4),
                                next - align(blobs, 4), ei, value);
            }
        }
        if (next < 0)
            return -1;
        blobs = next;
    }
    return blobs;
}

/* ---- VARIANT ([MS-OAUT] 2.2.29) ---- */

static gboolean is_collection_item(const RaiCall *c)
{
    return !c->request && strcmp(c->method->iface->name, "IPCHCollection") == 0 &&
           strcmp(c->method->name, "get_Item") == 0;
}

/* The UUID of a generated interface, by name (NULL when the IDL has none of that name). */
static const e_guid_t *iid_of(const char *name)
{
    for (guint i = 0; i < RAI_GEN_N_INTERFACES; i++) {
        if (strcmp(rai_gen_interfaces[i].name, name) == 0)
            return &rai_gen_interfaces[i].uuid;
    }
    return NULL;
}

static int walk_variant(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset,
                        proto_item *top);

/* "VT_BYREF|VT_ARRAY|VT_BSTR": the modifiers, then the base type (pinfo pool). Wireshark's
 * table lacks VT_VARIANT, VT_INT and VT_UINT ([MS-OAUT] 2.2.7), which Invoke arguments carry. */
static const char *vt_text(RaiCall *c, guint16 vt)
{
    guint16 base = vt & RAI_VT_TYPEMASK;
    const char *name = base == 22   ? "VT_INT"
                       : base == 23 ? "VT_UINT"
                       : base == RAI_VT_VARIANT
                           ? "VT_VARIANT"
                           : val_to_str(base, dcom_variant_type_vals, "VT 0x%04x");
    return wmem_strdup_printf(c->pinfo->pool, "%s%s%s", (vt & RAI_VT_BYREF) ? "VT_BYREF|" : "",
                              (vt & RAI_VT_ARRAY) ? "VT_ARRAY|" : "", name);
}

/*
 * The value of a VT_BYREF VARIANT or of a VT_ARRAY one ([MS-OAUT] 2.2.29.2): for VT_BYREF the
 * referent ID of the pointer, then the value of the base type - a VARIANT for VT_VARIANT, a
 * SAFEARRAY(BSTR) for VT_ARRAY|VT_BSTR (in the user-marshal forms of walk_safearray), a BSTR, an
 * interface pointer or a scalar. -1 when the walk stops.
 */
static int walk_variant_modified(RaiCall *c, proto_tree *tree, const RaiParam *p, guint16 vt, int d,
                                 proto_item *top)
{
    if (vt & RAI_VT_BYREF) {
        guint32 ref;
        d = pointer_item(c, tree, d, "a VT_BYREF pointer", &ref);
        if (d < 0)
            return -1;
        if (ref == 0) {
            /* [MS-OAUT] 2.2.29.2: a VT_BYREF VARIANT points somewhere */
            null_item(c, tree, d - 4, 4);
            return d;
        }
    }
    guint16 base = vt & RAI_VT_TYPEMASK;
    if (vt & RAI_VT_ARRAY) {
        if (base != RAI_VT_BSTR)
            expert_add_info_format(c->pinfo, top, &ei_rai_variant_type,
                                   "A SAFEARRAY of %s: MS-RAI passes only arrays of BSTR",
                                   vt_text(c, base));
        return walk_safearray(c, tree, p, d, top);
    }
    switch (base) {
    case RAI_VT_VARIANT: {
        proto_item *vi = proto_tree_add_item(tree, hf_rai_variant, c->tvb, align(d, 4), 0, ENC_NA);
        proto_tree *vt_tree = proto_item_add_subtree(vi, ett_rai_variant);
        int end = walk_variant(c, vt_tree, p, d, vi);
        if (end > align(d, 4))
            proto_item_set_len(vi, end - align(d, 4));
        return end;
    }
    case RAI_VT_BSTR: {
        const char *value = NULL;
        proto_item *item = NULL;
        int end = walk_bstr(c, tree, hf_rai_variant_bstr, d, &value, &item);
        if (value != NULL)
            proto_item_append_text(top, " \"%s\"", value);
        return end;
    }
    case 2: /* VT_I2 */
    case 11: /* VT_BOOL */ {
        int o = align(d, 2);
        if (!need(c, tree, o, 2, "a VARIANT value"))
            return -1;
        proto_tree_add_item(tree, base == 2 ? hf_rai_variant_i2 : hf_rai_variant_bool, c->tvb, o, 2,
                            c->enc);
        return o + 2;
    }
    case 3:  /* VT_I4 */
    case 22: /* VT_INT */
    case 19: /* VT_UI4 */
    case 23: /* VT_UINT */
    case 10: /* VT_ERROR */ {
        int o = align(d, 4);
        if (!need(c, tree, o, 4, "a VARIANT value"))
            return -1;
        int hf = base == 10                ? hf_rai_variant_scode
                 : base == 3 || base == 22 ? hf_rai_variant_i4
                                           : hf_rai_variant_ui4;
        proto_tree_add_item(tree, hf, c->tvb, o, 4, c->enc);
        return o + 4;
    }
    default:
        expert_add_info_format(c->pinfo, top, &ei_rai_variant_type,
                               "%s is not decoded here; the rest of the stub is not dissected",
                               vt_text(c, vt));
        c->stopped = TRUE;
        return -1;
    }
}

/* The body of a VARIANT (after its marker or referent ID): _wireVARIANT, 8-aligned. */
static int walk_variant_body(RaiCall *c, proto_tree *tree, const RaiParam *p, int o,
                             proto_item *top)
{
    int v = align(o, 8);
    if (!need(c, tree, v, 20, "a VARIANT header"))
        return -1;
    if (v > o)
        proto_tree_add_item(tree, hf_rai_padding, c->tvb, o, v - o, ENC_NA);
    guint16 vt = rai_tvb_get_u16(c->tvb, v + 8, c->enc);
    proto_item *vi = proto_tree_add_item(tree, hf_rai_variant_vt, c->tvb, v + 8, 2, c->enc);
    if (try_val_to_str(vt, dcom_variant_type_vals) == NULL)
        proto_item_set_text(vi, "VARTYPE: %s (0x%04x)", vt_text(c, vt), vt);
    proto_tree_add_item(tree, hf_rai_variant_size, c->tvb, v, 4, c->enc);
    proto_tree_add_item(tree, hf_rai_variant_reserved, c->tvb, v + 4, 4, c->enc);
    proto_tree_add_item(tree, hf_rai_variant_reserved16, c->tvb, v + 10, 2, c->enc);
    proto_tree_add_item(tree, hf_rai_variant_reserved16, c->tvb, v + 12, 2, c->enc);
    proto_tree_add_item(tree, hf_rai_variant_reserved16, c->tvb, v + 14, 2, c->enc);
    proto_tree_add_item(tree, hf_rai_variant_switch, c->tvb, v + 16, 4, c->enc);
    proto_item_append_text(top, ": %s", vt_text(c, vt));
    int d = v + 20;
    int end = -1;
    const char *value = NULL;
    proto_item *item = NULL;
    if (vt & (RAI_VT_BYREF | RAI_VT_ARRAY))
        return walk_variant_modified(c, tree, p, vt, d, top);
    switch (vt) {
    case 0: /* VT_EMPTY */
    case 1: /* VT_NULL */
        end = d;
        break;
    case 2: /* VT_I2 */
        if (need(c, tree, d, 2, "a VARIANT value")) {
            proto_tree_add_item(tree, hf_rai_variant_i2, c->tvb, d, 2, c->enc);
            end = d + 2;
        }
        break;
    case 11: /* VT_BOOL */
        if (need(c, tree, d, 2, "a VARIANT value")) {
            proto_tree_add_item(tree, hf_rai_variant_bool, c->tvb, d, 2, c->enc);
            end = d + 2;
        }
        break;
    case 3:  /* VT_I4 */
    case 22: /* VT_INT */
        if (need(c, tree, d, 4, "a VARIANT value")) {
            proto_tree_add_item(tree, hf_rai_variant_i4, c->tvb, d, 4, c->enc);
            end = d + 4;
        }
        break;
    case 19: /* VT_UI4 */
    case 23: /* VT_UINT */
        if (need(c, tree, d, 4, "a VARIANT value")) {
            proto_tree_add_item(tree, hf_rai_variant_ui4, c->tvb, d, 4, c->enc);
            end = d + 4;
        }
        break;
    case 10: /* VT_ERROR */
        if (need(c, tree, d, 4, "a VARIANT value")) {
            proto_tree_add_item(tree, hf_rai_variant_scode, c->tvb, d, 4, c->enc);
            end = d + 4;
        }
        break;
    case RAI_VT_BSTR:
        end = walk_bstr(c, tree, hf_rai_variant_bstr, d, &value, &item);
        if (value != NULL)
            proto_item_append_text(top, " \"%s\"", value);
        break;
    case 9: /* VT_DISPATCH */
    case 13: /* VT_UNKNOWN */ {
        guint32 ip;
        int q = pointer_item(c, tree, d, "an interface pointer", &ip);
        if (q < 0)
            break;
        if (ip == 0) {
            null_item(c, tree, q - 4, 4);
            end = q;
            break;
        }
        proto_item *ii = proto_tree_add_item(tree, hf_rai_variant_interface, c->tvb, q, 0, ENC_NA);
        proto_tree *it = proto_item_add_subtree(ii, ett_rai_variant);
        /* The IDL says VARIANT; [MS-RAI] 3.1.4.1.2.1.2 says the elements are ISAFSession
         * objects (or their IDispatch, facts.md). */
        RaiParam expect = *p;
        if (is_collection_item(c)) {
            expect.iid = iid_of("ISAFSession");
            expect.iid_name = "ISAFSession";
        }
        end = walk_minterfacepointer(c, it, q, &expect, ii);
        if (end > q)
            proto_item_set_len(ii, end - q);
        break;
    }
    default:
        /* other types: Wireshark's own VARIANT dissector, from the start of _wireVARIANT */
        end = dissect_dcom_VARIANT(c->tvb, v, c->pinfo, tree, c->di, c->drep, hf_rai_variant);
        break;
    }
    /* IPCHCollection::Item hands out ISAFSession objects ([MS-RAI] 3.1.4.1.2.1.2); VT_EMPTY
     * comes with a failure HRESULT */
    if (vt != 9 && vt != 0 && is_collection_item(c))
        expert_add_info_format(c->pinfo, vi, &ei_rai_variant_type,
                               "Item returned %s; MS-RAI collections hold VT_DISPATCH "
                               "(ISAFSession) elements",
                               val_to_str(vt, dcom_variant_type_vals, "VT 0x%04x"));
    return end;
}

/* A VARIANT parameter: 'User' marker (or referent ID), then the body. */
static int walk_variant(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset,
                        proto_item *top)
{
    guint32 ptr;
    int o = pointer_item(c, tree, offset, "a VARIANT", &ptr);
    if (o < 0)
        return -1;
    if (ptr == 0) {
        null_item(c, tree, o - 4, 4);
        proto_item_append_text(top, ": NULL");
        return o;
    }
    return walk_variant_body(c, tree, p, o, top);
}

/* ---- one parameter ---- */

/* The item of a parameter whose pointer is NULL, in the type of its field. */
static proto_item *null_param_item(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset)
{
    switch (p->kind) {
    case RAI_KIND_INT32:
        return proto_tree_add_int_format_value(tree, *p->hf, c->tvb, offset, 4, 0, "NULL pointer");
    case RAI_KIND_UINT32:
    case RAI_KIND_ENUM:
        return proto_tree_add_uint_format_value(tree, *p->hf, c->tvb, offset, 4, 0, "NULL pointer");
    case RAI_KIND_BSTR:
    case RAI_KIND_LPWSTR:
        return proto_tree_add_string_format_value(tree, *p->hf, c->tvb, offset, 4, "",
                                                  "NULL pointer");
    default: {
        proto_item *item = proto_tree_add_item(tree, *p->hf, c->tvb, offset, 4, ENC_NA);
        proto_item_append_text(item, ": NULL pointer");
        return item;
    }
    }
}

static int walk_param(RaiCall *c, proto_tree *tree, const RaiParam *p, int offset)
{
    /* pointer levels; a top-level [ref] pointer has no wire representation */
    for (guint i = 0; i < p->n_ptrs; i++) {
        if (i == 0 && p->ptrs[0] == RAI_PTR_REF)
            continue;
        guint32 ref;
        offset = align(offset, 4);
        if (!need(c, tree, offset, 4, p->name))
            return -1;
        ref = get_u32(c, offset);
        if (ref == 0) {
            proto_item *item = null_param_item(c, tree, p, offset);
            proto_tree *sub = proto_item_add_subtree(item, *p->ett);
            proto_tree_add_item(sub, hf_rai_referent_id, c->tvb, offset, 4, c->enc);
            null_item(c, sub, offset, 4);
            return offset + 4;
        }
        proto_tree_add_item(tree, hf_rai_referent_id, c->tvb, offset, 4, c->enc);
        offset += 4;
    }

    const char *value = NULL;
    proto_item *item = NULL;
    int next = -1;
    switch (p->kind) {
    case RAI_KIND_INT32:
    case RAI_KIND_UINT32: {
        offset = align(offset, 4);
        if (!need(c, tree, offset, 4, p->name))
            return -1;
        guint32 v = get_u32(c, offset);
        item = proto_tree_add_item(tree, *p->hf, c->tvb, offset, 4, c->enc);
        rai_hook_int(&c->hooks, c->pinfo, p->key, c->request, c->tvb, offset, 4, item,
                     p->kind == RAI_KIND_INT32 ? (gint64)(gint32)v : (gint64)v);
        next = offset + 4;
        break;
    }
    case RAI_KIND_ENUM: {
        gint64 v = 0;
        next = walk_enum(c, tree, p, offset, &v, &item);
        if (next > 0)
            rai_hook_int(&c->hooks, c->pinfo, p->key, c->request, c->tvb, align(offset, 2),
                         next - align(offset, 2), item, v);
        break;
    }
    case RAI_KIND_BSTR:
        next = walk_bstr(c, tree, *p->hf, offset, &value, &item);
        if (item != NULL && value != NULL && next > 0)
            rai_hook_string(&c->hooks, c->pinfo, p->key, c->request, c->tvb, align(offset, 4),
                            next - align(offset, 4), item, value);
        break;
    case RAI_KIND_LPWSTR: {
        if (p->n_ptrs > 0 && p->string_ptr != RAI_PTR_REF) {
            /* the string pointer itself ([unique] under pointer_default(unique)) */
            offset = align(offset, 4);
            if (!need(c, tree, offset, 4, p->name))
                return -1;
            if (get_u32(c, offset) == 0) {
                item = proto_tree_add_string_format_value(tree, *p->hf, c->tvb, offset, 4, "",
                                                          "NULL pointer");
                proto_tree *sub = proto_item_add_subtree(item, *p->ett);
                proto_tree_add_item(sub, hf_rai_referent_id, c->tvb, offset, 4, c->enc);
                null_item(c, sub, offset, 4);
                next = offset + 4;
                break;
            }
            next = walk_lpwstr(c, tree, p, offset, offset + 4, &value, &item);
        } else {
            offset = align(offset, 4);
            next = walk_lpwstr(c, tree, p, offset, offset, &value, &item);
        }
        if (item != NULL && value != NULL && next > 0)
            rai_hook_string(&c->hooks, c->pinfo, p->key, c->request, c->tvb, offset, next - offset,
                            item, value);
        break;
    }
    case RAI_KIND_VARIANT:
    case RAI_KIND_SAFEARRAY:
    case RAI_KIND_IFACE: {
        int at = MIN(align(offset, 4), (int)tvb_captured_length(c->tvb));
        item = proto_tree_add_item(tree, *p->hf, c->tvb, at, 0, ENC_NA);
        proto_tree *sub = proto_item_add_subtree(item, *p->ett);
        if (p->kind == RAI_KIND_VARIANT) {
            next = walk_variant(c, sub, p, offset, item);
        } else if (p->kind == RAI_KIND_SAFEARRAY) {
            next = walk_safearray(c, sub, p, offset, item);
        } else {
            guint32 ip;
            int q = pointer_item(c, sub, offset, "an interface pointer", &ip);
            if (q < 0) {
                next = -1;
            } else if (ip == 0) {
                null_item(c, sub, q - 4, 4);
                proto_item_append_text(item, ": NULL");
                next = q;
            } else {
                next = walk_minterfacepointer(c, sub, q, p, item);
            }
        }
        if (next > at)
            proto_item_set_len(item, next - at);
        break;
    }
    }
    return next;
}

/* ---- the HRESULT of every response ---- */

static int walk_hresult(RaiCall *c, proto_tree *tree, int offset)
{
    offset = align(offset, 4);
    if (!need(c, tree, offset, 4, "the HRESULT"))
        return -1;
    guint32 hr = get_u32(c, offset);
    proto_item *item = proto_tree_add_item(tree, hf_rai_hresult, c->tvb, offset, 4, c->enc);
    const char *name = val_to_str(hr, rai_hresult_vals, "0x%08x");
    col_append_fstr(c->pinfo->cinfo, COL_INFO, " -> %s", name);
    if (hr & 0x80000000u)
        expert_add_info_format(c->pinfo, item, &ei_rai_hresult_failure, "%s::%s failed: %s",
                               c->method->iface->name, c->method->name, name);
    return offset + 4;
}

/* ---- IDispatch::Invoke with an MS-RAI DISPID ---- */

/* DISPATCH_METHOD 1, DISPATCH_PROPERTYGET 2, DISPATCH_PROPERTYPUT 4, PROPERTYPUTREF 8
 * ([MS-OAUT] 3.1.4.4). */
static const RaiMethod *member_for_dispid(const RaiInterface *iface, gint32 dispid, guint32 flags)
{
    const RaiMethod *any = NULL;
    for (guint i = 0; i < iface->n_methods; i++) {
        const RaiMethod *m = &iface->methods[i];
        if (!m->has_dispid || m->dispid != dispid)
            continue;
        if ((m->prop == RAI_PROP_GET && (flags & 2)) || (m->prop == RAI_PROP_PUT && (flags & 4)) ||
            (m->prop == RAI_PROP_PUTREF && (flags & 8)) ||
            (m->prop == RAI_PROP_NONE && (flags & 1)))
            return m;
        if (any == NULL)
            any = m;
    }
    return any;
}

static void show_member(RaiCall *c, proto_tree *tree, const RaiMethod *member, gint32 dispid,
                        int offset)
{
    proto_item *pi =
        proto_tree_add_uint(tree, hf_rai_dispatch_dispid, c->tvb, offset, 4, (guint32)dispid);
    if (member == NULL) {
        expert_add_info_format(c->pinfo, pi, &ei_rai_dispid_unknown,
                               "DISPID 0x%08x is not a member of %s in the IDL", (guint32)dispid,
                               c->method->iface->name);
        return;
    }
    pi = proto_tree_add_string_format_value(tree, hf_rai_dispatch_member, c->tvb, offset, 4,
                                            member->name, "%s::%s (opnum %u)", member->iface->name,
                                            member->name, member->opnum);
    proto_item_set_generated(pi);
    col_append_fstr(c->pinfo->cinfo, COL_INFO, " [%s::%s]", member->iface->name, member->name);
}

/*
 * IDispatch::Invoke ([MS-OAUT] 3.1.4.4), walked here with the fields of Wireshark's IDispatch
 * dissector (looked up by name), because its helpers stop at VARIANT types MS-RAI passes -
 * VT_INT, VT_ARRAY|VT_BSTR and their VT_BYREF forms, GetSessionInfo's [in, out] arguments - and
 * mark the packet malformed. VARIANTs of the types Wireshark decodes still go to
 * dissect_dcom_VARIANT; the others to the walker above.
 */
static int hf_dispatch[24];
enum {
    D_ID,
    D_RIID,
    D_LCID,
    D_FLAGS,
    D_METHOD,
    D_PROPGET,
    D_PROPPUT,
    D_PROPPUTREF,
    D_PARAMS,
    D_ARGS,
    D_NAMED,
    D_ARG,
    D_VARREF,
    D_VARREFIDX,
    D_VARREFARG,
    D_VARRESULT,
    D_EXCEPINFO,
    D_CODE,
    D_RES16,
    D_SOURCE,
    D_DESCRIPTION,
    D_HELPFILE,
    D_HELPCTX,
    D_RES32,
};
static int hf_dispatch_deferred = -1, hf_dispatch_scode = -1, hf_dispatch_arg_err = -1;

static void lookup_dispatch_fields(void)
{
    static const char *const names[] = {
        "dispatch.id",
        "dispatch.riid",
        "dispatch.lcid",
        "dispatch.flags",
        "dispatch.flags_method",
        "dispatch.flags_propget",
        "dispatch.flags_propput",
        "dispatch.flags_propputref",
        "dispatch.dispparams",
        "dispatch.args",
        "dispatch.named_args",
        "dispatch.arg",
        "dispatch.varref",
        "dispatch.varrefidx",
        "dispatch.varrefarg",
        "dispatch.varresult",
        "dispatch.excepinfo",
        "dispatch.code",
        "dispatch.reserved16",
        "dispatch.source",
        "dispatch.description",
        "dispatch.help_file",
        "dispatch.help_context",
        "dispatch.reserved32",
    };
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        hf_dispatch[i] = proto_registrar_get_id_byname(names[i]);
    hf_dispatch_deferred = proto_registrar_get_id_byname("dispatch.deferred_fill_in");
    hf_dispatch_scode = proto_registrar_get_id_byname("dispatch.scode");
    hf_dispatch_arg_err = proto_registrar_get_id_byname("dispatch.arg_err");
}

/* The parameter an Invoke VARIANT stands for, for the walk's labels and hooks: the member's
 * SAFEARRAY parameter for an array (GetSessionInfo's UserNames), else a generic one. */
static const RaiParam *invoke_param(const RaiMethod *member, const char *name)
{
    static RaiParam generic[3];
    static const char *const names[3] = {"rgvarg", "rgVarRef", "pVarResult"};
    guint k = strcmp(name, "rgvarg") == 0 ? 0 : strcmp(name, "rgVarRef") == 0 ? 1 : 2;
    for (guint i = 0; member != NULL && i < member->n_params; i++) {
        if (member->params[i].kind == RAI_KIND_SAFEARRAY)
            return &member->params[i];
    }
    generic[k].name = names[k];
    generic[k].key = "IDispatch.Invoke";
    generic[k].decl = "VARIANTARG";
    generic[k].kind = RAI_KIND_VARIANT;
    generic[k].hf = &hf_rai_variant;
    generic[k].ett = &ett_rai_variant;
    return &generic[k];
}

/* One VARIANT body of Invoke at offset (its marker already read). */
static int invoke_variant(RaiCall *c, proto_tree *tree, int hf, int offset, const RaiParam *p)
{
    int v = align(offset, 8);
    guint16 vt = tvb_bytes_exist(c->tvb, v + 8, 2) ? rai_tvb_get_u16(c->tvb, v + 8, c->enc) : 0;
    guint16 base = vt & RAI_VT_TYPEMASK;
    gboolean wireshark = !(vt & RAI_VT_ARRAY) && base != 22 && base != 23 &&
                         !(base == RAI_VT_VARIANT && (vt & RAI_VT_BYREF));
    if (wireshark)
        return dissect_dcom_VARIANT(c->tvb, offset, c->pinfo, tree, c->di, c->drep, hf);
    proto_item *item = proto_tree_add_item(tree, hf, c->tvb, v, 0, ENC_NA);
    proto_tree *sub = proto_item_add_subtree(item, ett_rai_variant);
    int end = walk_variant_body(c, sub, p, offset, item);
    if (end > v)
        proto_item_set_len(item, end - v);
    return end;
}

/* A conformant array of VARIANTs: conformance, the markers, then the bodies. -1 when the walk
 * stopped. */
static int invoke_variant_array(RaiCall *c, proto_tree *tree, int hf, int offset, const RaiParam *p,
                                guint32 *count)
{
    guint32 n, ptr;
    offset = dissect_dcom_dcerpc_array_size(c->tvb, offset, c->pinfo, tree, c->di, c->drep, &n);
    *count = n;
    int bodies = offset + (int)MIN(n, (guint32)G_MAXINT / 8) * 4;
    while (n-- > 0) {
        offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, tree, c->di, c->drep, &ptr);
        if (ptr != 0) {
            bodies = invoke_variant(c, tree, hf, bodies, p);
            if (bodies < 0 || c->stopped)
                return -1;
        }
    }
    return bodies;
}

static int invoke_request(RaiCall *c, proto_tree *tree, int offset)
{
    static int *const flag_bits[] = {&hf_dispatch[D_PROPPUTREF], &hf_dispatch[D_PROPPUT],
                                     &hf_dispatch[D_PROPGET], &hf_dispatch[D_METHOD], NULL};
    guint32 dispid, lcid, flags, ptr_args, ptr_named, n_args, n_named, n_varref, n, idx;
    e_guid_t riid;
    offset = dissect_dcom_this(c->tvb, offset, c->pinfo, tree, c->di, c->drep);
    int at = align(offset, 4);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, tree, c->di, c->drep, hf_dispatch[D_ID],
                                &dispid);
    col_append_fstr(c->pinfo->cinfo, COL_INFO, " ID=0x%x", dispid);
    offset = dissect_dcom_UUID(c->tvb, offset, c->pinfo, tree, c->di, c->drep, hf_dispatch[D_RIID],
                               &riid);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, tree, c->di, c->drep, hf_dispatch[D_LCID],
                                &lcid);
    int flags_at = align(offset, 4);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, NULL, c->di, c->drep, -1, &flags);
    proto_tree_add_bitmask_value(tree, c->tvb, flags_at, hf_dispatch[D_FLAGS], ett_rai_detail,
                                 flag_bits, flags);
    static const char *const flag_names[] = {" Method", " PropertyGet", " PropertyPut",
                                             " PropertyPutRef"};
    for (guint i = 0; i < 4; i++) {
        if (flags & (1u << i))
            col_append_str(c->pinfo->cinfo, COL_INFO, flag_names[i]);
    }
    const RaiMethod *member = member_for_dispid(c->method->iface, (gint32)dispid, flags);
    if (member != NULL && c->di->call_data != NULL && !c->pinfo->fd->visited)
        c->di->call_data->se_data = (void *)(uintptr_t)member;

    /* DISPPARAMS */
    proto_item *pi = proto_tree_add_item(tree, hf_dispatch[D_PARAMS], c->tvb, offset, 0, ENC_NA);
    proto_tree *pt = proto_item_add_subtree(pi, ett_rai_detail);
    int start = offset;
    offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, pt, c->di, c->drep, &ptr_args);
    offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, pt, c->di, c->drep, &ptr_named);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, pt, c->di, c->drep, hf_dispatch[D_ARGS],
                                &n_args);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, pt, c->di, c->drep, hf_dispatch[D_NAMED],
                                &n_named);
    if (ptr_args != 0) {
        offset = invoke_variant_array(c, pt, hf_dispatch[D_ARG], offset,
                                      invoke_param(member, "rgvarg"), &n);
        if (offset < 0)
            return (int)tvb_captured_length(c->tvb);
    }
    if (ptr_named != 0) {
        offset = dissect_dcom_dcerpc_array_size(c->tvb, offset, c->pinfo, pt, c->di, c->drep, &n);
        while (n-- > 0)
            offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, pt, c->di, c->drep,
                                        hf_dispatch[D_ID], &idx);
    }
    proto_item_append_text(pi, ", Args: %u NamedArgs: %u", n_args, n_named);
    proto_item_set_len(pi, offset - start);

    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, tree, c->di, c->drep,
                                hf_dispatch[D_VARREF], &n_varref);
    offset = dissect_dcom_dcerpc_array_size(c->tvb, offset, c->pinfo, tree, c->di, c->drep, &n);
    while (n-- > 0)
        offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, tree, c->di, c->drep,
                                    hf_dispatch[D_VARREFIDX], &idx);
    offset = invoke_variant_array(c, tree, hf_dispatch[D_VARREFARG], offset,
                                  invoke_param(member, "rgVarRef"), &n);
    if (offset < 0)
        return (int)tvb_captured_length(c->tvb);
    col_append_fstr(c->pinfo->cinfo, COL_INFO, " Args=%u NamedArgs=%u VarRef=%u", n_args, n_named,
                    n_varref);
    show_member(c, tree, member, (gint32)dispid, at);
    return offset;
}

static int invoke_response(RaiCall *c, proto_tree *tree, int offset)
{
    const RaiMethod *member = c->di->call_data != NULL ? c->di->call_data->se_data : NULL;
    /* se_data is ours only for MS-RAI calls: check that it points into our tables */
    gboolean ours = FALSE;
    for (guint i = 0; member != NULL && i < RAI_GEN_N_INTERFACES; i++) {
        const RaiInterface *f = &rai_gen_interfaces[i];
        if (member >= f->methods && member < f->methods + f->n_methods)
            ours = TRUE;
    }
    if (!ours)
        member = NULL;
    guint32 ptr, p_source, p_description, p_helpfile, u32, scode, n, hr;
    guint16 u16;
    char text[1000];
    offset = dissect_dcom_that(c->tvb, offset, c->pinfo, tree, c->di, c->drep);
    offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, tree, c->di, c->drep, &ptr);
    if (ptr != 0) {
        offset = invoke_variant(c, tree, hf_dispatch[D_VARRESULT], offset,
                                invoke_param(NULL, "pVarResult"));
        if (offset < 0 || c->stopped)
            return (int)tvb_captured_length(c->tvb);
    }
    /* EXCEPINFO ([MS-OAUT] 2.2.36) */
    proto_item *ei = proto_tree_add_item(tree, hf_dispatch[D_EXCEPINFO], c->tvb, offset, 0, ENC_NA);
    proto_tree *et = proto_item_add_subtree(ei, ett_rai_detail);
    int start = offset;
    offset =
        dissect_dcom_WORD(c->tvb, offset, c->pinfo, et, c->di, c->drep, hf_dispatch[D_CODE], &u16);
    offset =
        dissect_dcom_WORD(c->tvb, offset, c->pinfo, et, c->di, c->drep, hf_dispatch[D_RES16], &u16);
    offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, et, c->di, c->drep, &p_source);
    offset =
        dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, et, c->di, c->drep, &p_description);
    offset = dissect_dcom_dcerpc_pointer(c->tvb, offset, c->pinfo, et, c->di, c->drep, &p_helpfile);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, et, c->di, c->drep,
                                hf_dispatch[D_HELPCTX], &u32);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, et, c->di, c->drep, hf_dispatch[D_RES32],
                                &u32);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, et, c->di, c->drep, hf_dispatch_deferred,
                                &u32);
    offset =
        dissect_dcom_DWORD(c->tvb, offset, c->pinfo, et, c->di, c->drep, hf_dispatch_scode, &scode);
    if (p_source != 0)
        offset = dissect_dcom_BSTR(c->tvb, offset, c->pinfo, et, c->di, c->drep,
                                   hf_dispatch[D_SOURCE], text, sizeof text);
    if (p_description != 0)
        offset = dissect_dcom_BSTR(c->tvb, offset, c->pinfo, et, c->di, c->drep,
                                   hf_dispatch[D_DESCRIPTION], text, sizeof text);
    if (p_helpfile != 0)
        offset = dissect_dcom_BSTR(c->tvb, offset, c->pinfo, et, c->di, c->drep,
                                   hf_dispatch[D_HELPFILE], text, sizeof text);
    proto_item_append_text(ei, ", SCode: %s",
                           val_to_str(scode, dcom_hresult_vals, "Unknown (0x%08x)"));
    proto_item_set_len(ei, offset - start);
    offset = dissect_dcom_DWORD(c->tvb, offset, c->pinfo, tree, c->di, c->drep, hf_dispatch_arg_err,
                                &u32);
    offset = invoke_variant_array(c, tree, hf_dispatch[D_VARREFARG], offset,
                                  invoke_param(member, "rgVarRef"), &n);
    if (offset < 0)
        return (int)tvb_captured_length(c->tvb);
    offset = dissect_dcom_HRESULT(c->tvb, offset, c->pinfo, tree, c->di, c->drep, &hr);
    col_append_fstr(c->pinfo->cinfo, COL_INFO, " SCode=%s VarRef=%u -> %s",
                    val_to_str(scode, dcom_hresult_vals, "Unknown (0x%08x)"), n,
                    val_to_str(hr, dcom_hresult_vals, "Unknown (0x%08x)"));
    if (member != NULL) {
        proto_item *pi = proto_tree_add_string_format_value(
            tree, hf_rai_dispatch_member, c->tvb, 0, 0, member->name, "%s::%s (opnum %u)",
            member->iface->name, member->name, member->opnum);
        proto_item_set_generated(pi);
        col_append_fstr(c->pinfo->cinfo, COL_INFO, " [%s::%s]", member->iface->name, member->name);
    }
    return offset;
}

static void rai_remember_request(packet_info *pinfo, const RaiMethod *m);

/*
 * IUnknown on the object interface itself (opnums 0-2; DCOM uses IRemUnknown instead, so these
 * are flagged as not remote): QueryInterface([in] REFIID riid, [out] void **ppv) returns an
 * HRESULT; AddRef() and Release() return the new reference count (ULONG, no HRESULT).
 */
static int iunknown_call(RaiCall *c, proto_tree *tree, int offset)
{
    static const RaiParam ppv = {"ppvObject",
                                 "IUnknown.QueryInterface.ppvObject",
                                 "[out] void **ppvObject",
                                 RAI_KIND_IFACE,
                                 RAI_KIND_INT32,
                                 RAI_DIR_OUT,
                                 FALSE,
                                 1,
                                 {RAI_PTR_REF},
                                 RAI_PTR_REF,
                                 &hf_rai_iunknown_ppv,
                                 &ett_rai_variant,
                                 NULL,
                                 0,
                                 0,
                                 FALSE,
                                 NULL,
                                 "IUnknown"};
    const RaiMethod *m = c->method;
    int o = c->request ? dissect_dcom_this(c->tvb, offset, c->pinfo, tree, c->di, c->drep)
                       : dissect_dcom_that(c->tvb, offset, c->pinfo, tree, c->di, c->drep);
    if (m->builtin == RAI_BUILTIN_QUERYINTERFACE) {
        if (c->request) {
            if (!need(c, tree, o, 16, "riid"))
                return -1;
            proto_tree_add_item(tree, hf_rai_iunknown_riid, c->tvb, o, 16, c->enc);
            return o + 16;
        }
        o = walk_param(c, tree, &ppv, o);
        return o >= 0 && !c->stopped ? walk_hresult(c, tree, o) : -1;
    }
    if (c->request)
        return o;
    o = align(o, 4);
    if (!need(c, tree, o, 4, "the reference count"))
        return -1;
    proto_tree_add_item(tree, hf_rai_iunknown_refcount, c->tvb, o, 4, c->enc);
    return o + 4;
}

/* ---- a whole PDU ---- */

static void call_header(RaiCall *c, proto_tree *tree)
{
    const RaiMethod *m = c->method;
    /* the umbrella protocol, so that the filter `rai` matches every MS-RAI PDU */
    proto_item *pi = proto_tree_add_item(tree, proto_rai, c->tvb, 0, 0, ENC_NA);
    proto_item_set_hidden(pi);
    col_set_str(c->pinfo->cinfo, COL_PROTOCOL, "MS-RAI");
    pi = proto_tree_add_string(tree, hf_rai_interface, c->tvb, 0, 0, m->iface->name);
    proto_item_set_generated(pi);
    pi = proto_tree_add_string(tree, hf_rai_method, c->tvb, 0, 0, m->name);
    proto_item_set_generated(pi);
    col_add_fstr(c->pinfo->cinfo, COL_INFO, "%s %s %s", m->iface->name, m->name,
                 c->request ? "request" : "response");
    if (!m->remote)
        expert_add_info_format(c->pinfo, pi, &ei_rai_not_remote,
                               "%s is never called across the network on an MS-RAI interface "
                               "(opnum %u; [MS-RAI] 3.1.4.1, [MS-DCOM] 3.1.1.5.8)",
                               m->name, m->opnum);
    /* [MS-RAI] 3.1.4.1: "Opnums 7 through 18 and opnum 21 are not used by this protocol." */
    if (g_str_has_suffix(m->idl_name, "NotUsedByProtocol"))
        expert_add_info_format(c->pinfo, pi, &ei_rai_unused_opnum,
                               "%s::%s (opnum %u) is not used by MS-RAI ([MS-RAI] 3.1.4.1)",
                               m->iface->name, m->name, m->opnum);
}

static int dissect_call(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                        dcerpc_info *di, guint8 *drep, const RaiMethod *m, gboolean request)
{
    RaiCall c;
    memset(&c, 0, sizeof c);
    c.tvb = tvb;
    c.pinfo = pinfo;
    c.di = di;
    c.drep = drep;
    c.enc = DREP_ENC_INTEGER(drep);
    c.method = m;
    c.request = request;
    call_header(&c, tree);
    if (request)
        rai_remember_request(pinfo, m);

    volatile int end = offset;
    TRY
    {
        switch (m->builtin) {
        case RAI_BUILTIN_GETIDSOFNAMES:
            end = request
                      ? dissect_IDispatch_GetIDsOfNames_rqst(tvb, offset, pinfo, tree, di, drep)
                      : dissect_IDispatch_GetIDsOfNames_resp(tvb, offset, pinfo, tree, di, drep);
            break;
        case RAI_BUILTIN_INVOKE:
            end = request ? invoke_request(&c, tree, offset) : invoke_response(&c, tree, offset);
            break;
        case RAI_BUILTIN_GETTYPEINFOCOUNT:
            end = request
                      ? dissect_dcom_simple_rqst(tvb, offset, pinfo, tree, di, drep)
                      : dissect_IDispatch_GetTypeInfoCount_resp(tvb, offset, pinfo, tree, di, drep);
            break;
        case RAI_BUILTIN_GETTYPEINFO:
            end = request ? dissect_IDispatch_GetTypeInfo_rqst(tvb, offset, pinfo, tree, di, drep)
                          : dissect_IDispatch_GetTypeInfo_resp(tvb, offset, pinfo, tree, di, drep);
            break;
        case RAI_BUILTIN_QUERYINTERFACE:
        case RAI_BUILTIN_ADDREF:
        case RAI_BUILTIN_RELEASE:
            end = iunknown_call(&c, tree, offset);
            if (end < 0)
                end = (int)tvb_captured_length(tvb);
            break;
        case RAI_BUILTIN_NONE: {
            int o = request ? dissect_dcom_this(tvb, offset, pinfo, tree, di, drep)
                            : dissect_dcom_that(tvb, offset, pinfo, tree, di, drep);
            for (guint i = 0; i < m->n_params && o >= 0 && !c.stopped; i++) {
                const RaiParam *p = &m->params[i];
                if (p->dir & (request ? RAI_DIR_IN : RAI_DIR_OUT))
                    o = walk_param(&c, tree, p, o);
            }
            if (o >= 0 && !c.stopped)
                rai_hook_done(&c.hooks, pinfo, m->iface->name, m->name, request, tvb, tree);
            if (!request && o >= 0 && !c.stopped)
                o = walk_hresult(&c, tree, o);
            end = o >= 0 ? o : (int)tvb_captured_length(tvb);
            break;
        }
        }
        /* Wireshark's IDispatch helpers end a response with the HRESULT in their own field;
         * add rai.hresult too (hidden), so that the filter finds every MS-RAI result. */
        if (!request && m->builtin >= RAI_BUILTIN_GETTYPEINFOCOUNT && end >= 4 &&
            tvb_bytes_exist(tvb, end - 4, 4)) {
            proto_item *hi = proto_tree_add_item(tree, hf_rai_hresult, tvb, end - 4, 4, c.enc);
            proto_item_set_hidden(hi);
        }
    }
    CATCH3(BoundsError, ContainedBoundsError, ReportedBoundsError)
    {
        /* A Wireshark helper (ORPCTHIS/THAT, IDispatch) ran out of data. */
        truncated(&c, tree, (int)tvb_captured_length(tvb),
                  "what Wireshark's DCOM helpers read (ORPCTHIS/ORPCTHAT, IDispatch)");
        RETHROW;
    }
    ENDTRY;
    return end;
}

int rai_dissect_request(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                        dcerpc_info *di, guint8 *drep, const RaiMethod *method)
{
    return dissect_call(tvb, offset, pinfo, tree, di, drep, method, TRUE);
}

int rai_dissect_response(tvbuff_t *tvb, int offset, packet_info *pinfo, proto_tree *tree,
                         dcerpc_info *di, guint8 *drep, const RaiMethod *method)
{
    return dissect_call(tvb, offset, pinfo, tree, di, drep, method, FALSE);
}

/* ---- faults: the DCE/RPC layer does not hand fault PDUs to sub-dissectors, so a
 * post-dissector marks the faults of MS-RAI calls, which the `rai` filter must also match ---- */

static int hf_dcerpc_request_in_ref = -1;
static int hf_dcerpc_pkt_type_ref = -1;
static wmem_map_t *rai_requests; /* request frame -> RaiMethod* (file scope) */

static int dissect_rai_fault(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (tree == NULL || rai_requests == NULL)
        return 0;
    GPtrArray *types = proto_get_finfo_ptr_array(tree, hf_dcerpc_pkt_type_ref);
    GPtrArray *reqs = proto_get_finfo_ptr_array(tree, hf_dcerpc_request_in_ref);
    if (types == NULL || reqs == NULL)
        return 0;
    gboolean fault = FALSE;
    for (guint i = 0; i < types->len; i++) {
        field_info *fi = g_ptr_array_index(types, i);
        if (rai_fi_get_uint(fi) == PDU_FAULT)
            fault = TRUE;
    }
    if (!fault)
        return 0;
    for (guint i = 0; i < reqs->len; i++) {
        field_info *fi = g_ptr_array_index(reqs, i);
        guint32 frame = rai_fi_get_uint(fi);
        const RaiMethod *m = wmem_map_lookup(rai_requests, GUINT_TO_POINTER(frame));
        if (m == NULL)
            continue;
        proto_item *ti = proto_tree_add_item(tree, proto_rai, tvb, 0, 0, ENC_NA);
        proto_item_append_text(ti, ", %s fault", m->name);
        proto_tree *sub = proto_item_add_subtree(ti, ett_rai_fault);
        proto_item *pi = proto_tree_add_string(sub, hf_rai_interface, tvb, 0, 0, m->iface->name);
        proto_item_set_generated(pi);
        pi = proto_tree_add_string(sub, hf_rai_method, tvb, 0, 0, m->name);
        proto_item_set_generated(pi);
        pi = proto_tree_add_uint(sub, hf_rai_fault, tvb, 0, 0, frame);
        proto_item_set_generated(pi);
        col_append_fstr(pinfo->cinfo, COL_INFO, " [%s::%s]", m->iface->name, m->name);
    }
    return 0;
}

static void rai_remember_request(packet_info *pinfo, const RaiMethod *m)
{
    if (rai_requests != NULL && !pinfo->fd->visited)
        wmem_map_insert(rai_requests, GUINT_TO_POINTER(pinfo->num), (void *)(uintptr_t)m);
}

/* Interface protocols this file turned off because `rai` was off. */
static gboolean rai_turned_off[RAI_GEN_N_INTERFACES];

static void rai_init(void)
{
    rai_requests = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    /* Disabling `rai` (--disable-protocol rai, or the GUI) disables the four interface
     * protocols too; enabling it again restores those it turned off. */
    gboolean on = proto_is_protocol_enabled(find_protocol_by_id(proto_rai));
    for (guint i = 0; i < RAI_GEN_N_INTERFACES; i++) {
        int proto = *rai_gen_interfaces[i].proto;
        gboolean iface_on = proto_is_protocol_enabled(find_protocol_by_id(proto));
        if (!on && iface_on) {
            proto_set_decoding(proto, FALSE);
            rai_turned_off[i] = TRUE;
        } else if (on && rai_turned_off[i]) {
            proto_set_decoding(proto, TRUE);
            rai_turned_off[i] = FALSE;
        }
    }
}

static void rai_cleanup(void)
{
    rai_requests = NULL;
}

/* ---- registration ---- */

void proto_register_rai(void);
void proto_reg_handoff_rai(void);

void proto_register_rai(void)
{
    static hf_register_info hf[] = {
        {&hf_rai_interface,
         {"Interface", "rai.interface", FT_STRING, BASE_NONE, NULL, 0,
          "The MS-RAI interface of the call", HFILL}},
        {&hf_rai_method,
         {"Method", "rai.method", FT_STRING, BASE_NONE, NULL, 0,
          "The method called (get_/put_ for properties)", HFILL}},
        {&hf_rai_hresult,
         {"HRESULT", "rai.hresult", FT_UINT32, BASE_HEX, NULL, 0, "The return value of the method",
          HFILL}},
        {&hf_rai_null,
         {"NULL", "rai.null", FT_BOOLEAN, BASE_NONE, NULL, 0, "A NULL pointer, array or BSTR",
          HFILL}},
        {&hf_rai_referent_id,
         {"Referent ID", "rai.ndr.referent_id", FT_UINT32, BASE_HEX, NULL, 0,
          "NDR pointer representation", HFILL}},
        {&hf_rai_user_marker,
         {"User-marshal marker", "rai.ndr.user_marker", FT_UINT32, BASE_HEX, VALS(user_marker_vals),
          0, "Written by NdrUserMarshal where a referent ID would be", HFILL}},
        {&hf_rai_max_count,
         {"Max count", "rai.ndr.max_count", FT_UINT32, BASE_DEC, NULL, 0,
          "Conformance of an NDR array", HFILL}},
        {&hf_rai_offset,
         {"Offset", "rai.ndr.offset", FT_UINT32, BASE_DEC, NULL, 0, "Variance offset", HFILL}},
        {&hf_rai_actual_count,
         {"Actual count", "rai.ndr.actual_count", FT_UINT32, BASE_DEC, NULL, 0,
          "Variance actual count", HFILL}},
        {&hf_rai_padding,
         {"Padding", "rai.ndr.padding", FT_BYTES, BASE_NONE, NULL, 0, "Alignment padding", HFILL}},
        {&hf_rai_bstr_byte_length,
         {"Byte length", "rai.bstr.byte_length", FT_UINT32, BASE_DEC, NULL, 0,
          "FLAGGED_WORD_BLOB cBytes (0xFFFFFFFF: NULL BSTR)", HFILL}},
        {&hf_rai_bstr_char_count,
         {"Character count", "rai.bstr.char_count", FT_UINT32, BASE_DEC, NULL, 0,
          "FLAGGED_WORD_BLOB clSize", HFILL}},
        {&hf_rai_enum_wire_bits,
         {"Enum wire size", "rai.enum.wire_bits", FT_UINT8, BASE_DEC, NULL, 0,
          "16 (strict NDR) or 32 bits (typelib marshaller), when the bytes tell", HFILL}},
        {&hf_rai_sa_form,
         {"Wire form", "rai.safearray.form", FT_UINT8, BASE_DEC, VALS(sa_form_vals), 0,
          "Which of the SAFEARRAY encodings seen in the wild this is", HFILL}},
        {&hf_rai_sa_dims,
         {"Dimensions", "rai.safearray.dims", FT_UINT16, BASE_DEC, NULL, 0, "cDims", HFILL}},
        {&hf_rai_sa_features,
         {"Features", "rai.safearray.features", FT_UINT16, BASE_HEX, NULL, 0, "fFeatures", HFILL}},
        {&hf_rai_sa_features_auto,
         {"FADF_AUTO", "rai.safearray.features.auto", FT_BOOLEAN, 16, NULL, 0x0001, NULL, HFILL}},
        {&hf_rai_sa_features_static,
         {"FADF_STATIC", "rai.safearray.features.static", FT_BOOLEAN, 16, NULL, 0x0002, NULL,
          HFILL}},
        {&hf_rai_sa_features_embedded,
         {"FADF_EMBEDDED", "rai.safearray.features.embedded", FT_BOOLEAN, 16, NULL, 0x0004, NULL,
          HFILL}},
        {&hf_rai_sa_features_fixedsize,
         {"FADF_FIXEDSIZE", "rai.safearray.features.fixedsize", FT_BOOLEAN, 16, NULL, 0x0010, NULL,
          HFILL}},
        {&hf_rai_sa_features_record,
         {"FADF_RECORD", "rai.safearray.features.record", FT_BOOLEAN, 16, NULL, 0x0020, NULL,
          HFILL}},
        {&hf_rai_sa_features_haveiid,
         {"FADF_HAVEIID", "rai.safearray.features.haveiid", FT_BOOLEAN, 16, NULL, 0x0040, NULL,
          HFILL}},
        {&hf_rai_sa_features_havevartype,
         {"FADF_HAVEVARTYPE", "rai.safearray.features.havevartype", FT_BOOLEAN, 16, NULL, 0x0080,
          NULL, HFILL}},
        {&hf_rai_sa_features_bstr,
         {"FADF_BSTR", "rai.safearray.features.bstr", FT_BOOLEAN, 16, NULL, 0x0100, NULL, HFILL}},
        {&hf_rai_sa_features_unknown,
         {"FADF_UNKNOWN", "rai.safearray.features.unknown", FT_BOOLEAN, 16, NULL, 0x0200, NULL,
          HFILL}},
        {&hf_rai_sa_features_dispatch,
         {"FADF_DISPATCH", "rai.safearray.features.dispatch", FT_BOOLEAN, 16, NULL, 0x0400, NULL,
          HFILL}},
        {&hf_rai_sa_features_variant,
         {"FADF_VARIANT", "rai.safearray.features.variant", FT_BOOLEAN, 16, NULL, 0x0800, NULL,
          HFILL}},
        {&hf_rai_sa_element_size,
         {"Element size", "rai.safearray.element_size", FT_UINT32, BASE_DEC, NULL, 0, "cbElements",
          HFILL}},
        {&hf_rai_sa_locks,
         {"Locks", "rai.safearray.locks", FT_UINT16, BASE_DEC, NULL, 0, "cLocks (low word)",
          HFILL}},
        {&hf_rai_sa_vartype,
         {"VARTYPE", "rai.safearray.vartype", FT_UINT16, BASE_HEX, VALS(dcom_variant_type_vals), 0,
          "The element type (high word of cLocks)", HFILL}},
        {&hf_rai_sa_sftype,
         {"Union type", "rai.safearray.sftype", FT_UINT32, BASE_HEX, VALS(sftype_vals), 0, "sfType",
          HFILL}},
        {&hf_rai_sa_size,
         {"Size", "rai.safearray.size", FT_UINT32, BASE_DEC, NULL, 0, "Total number of elements",
          HFILL}},
        {&hf_rai_sa_data_pointer,
         {"Array pointer", "rai.safearray.pointer", FT_UINT32, BASE_HEX, NULL, 0,
          "The pointer DWORD after the 'User' marker (0: NULL array)", HFILL}},
        {&hf_rai_sa_bound,
         {"Bound", "rai.safearray.bound", FT_NONE, BASE_NONE, NULL, 0, "SAFEARRAYBOUND", HFILL}},
        {&hf_rai_sa_bound_elements,
         {"Elements", "rai.safearray.bound.elements", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_sa_bound_lower,
         {"Lower bound", "rai.safearray.bound.lower", FT_INT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_sa_element,
         {"Element", "rai.safearray.element", FT_STRING, BASE_NONE, NULL, 0,
          "A BSTR element of the array", HFILL}},
        {&hf_rai_variant_size,
         {"Size", "rai.variant.size", FT_UINT32, BASE_DEC, NULL, 0, "clSize (in 8-byte units)",
          HFILL}},
        {&hf_rai_variant_reserved,
         {"Reserved", "rai.variant.reserved", FT_UINT32, BASE_HEX, NULL, 0, "rpcReserved", HFILL}},
        {&hf_rai_variant_vt,
         {"VARTYPE", "rai.variant.vt", FT_UINT16, BASE_HEX, VALS(dcom_variant_type_vals), 0, "vt",
          HFILL}},
        {&hf_rai_variant_reserved16,
         {"Reserved", "rai.variant.reserved16", FT_UINT16, BASE_HEX, NULL, 0, "wReserved1-3",
          HFILL}},
        {&hf_rai_variant_switch,
         {"Union switch", "rai.variant.switch", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_i2, {"VT_I2", "rai.variant.i2", FT_INT16, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_i4, {"VT_I4", "rai.variant.i4", FT_INT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_ui4,
         {"VT_UI4", "rai.variant.ui4", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_bool,
         {"VT_BOOL", "rai.variant.bool", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_scode,
         {"VT_ERROR", "rai.variant.scode", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_bstr,
         {"VT_BSTR", "rai.variant.bstr", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_variant_interface,
         {"Interface pointer", "rai.variant.interface", FT_NONE, BASE_NONE, NULL, 0,
          "VT_DISPATCH or VT_UNKNOWN", HFILL}},
        {&hf_rai_variant,
         {"VARIANT", "rai.variant", FT_NONE, BASE_NONE, NULL, 0,
          "A VARIANT type this dissector leaves to Wireshark's DCOM dissector", HFILL}},
        {&hf_rai_ip_cnt_data,
         {"Data length", "rai.objref.cnt_data", FT_UINT32, BASE_DEC, NULL, 0,
          "MInterfacePointer ulCntData", HFILL}},
        {&hf_rai_objref,
         {"OBJREF", "rai.objref", FT_NONE, BASE_NONE, NULL, 0, "Marshaled interface pointer",
          HFILL}},
        {&hf_rai_objref_signature,
         {"Signature", "rai.objref.signature", FT_UINT32, BASE_HEX, NULL, 0, "0x574f454d ('MEOW')",
          HFILL}},
        {&hf_rai_objref_flags,
         {"Flags", "rai.objref.flags", FT_UINT32, BASE_HEX, VALS(objref_flag_vals), 0, NULL,
          HFILL}},
        {&hf_rai_objref_iid,
         {"IID", "rai.objref.iid", FT_GUID, BASE_NONE, NULL, 0, "Interface identifier", HFILL}},
        {&hf_rai_objref_std_flags,
         {"STDOBJREF flags", "rai.objref.std.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_std_public_refs,
         {"Public references", "rai.objref.std.public_refs", FT_UINT32, BASE_DEC, NULL, 0, NULL,
          HFILL}},
        {&hf_rai_objref_std_oxid,
         {"OXID", "rai.objref.std.oxid", FT_UINT64, BASE_HEX, NULL, 0, "Object exporter ID",
          HFILL}},
        {&hf_rai_objref_std_oid,
         {"OID", "rai.objref.std.oid", FT_UINT64, BASE_HEX, NULL, 0, "Object ID", HFILL}},
        {&hf_rai_objref_std_ipid,
         {"IPID", "rai.objref.std.ipid", FT_GUID, BASE_NONE, NULL, 0,
          "Interface pointer identifier", HFILL}},
        {&hf_rai_objref_clsid,
         {"CLSID", "rai.objref.clsid", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_cb_extension,
         {"Extension size", "rai.objref.custom.cb_extension", FT_UINT32, BASE_DEC, NULL, 0, NULL,
          HFILL}},
        {&hf_rai_objref_size,
         {"Size", "rai.objref.custom.size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_data,
         {"Object data", "rai.objref.custom.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_resolver,
         {"Resolver address", "rai.objref.resolver", FT_NONE, BASE_NONE, NULL, 0, "DUALSTRINGARRAY",
          HFILL}},
        {&hf_rai_objref_entries,
         {"Entries", "rai.objref.resolver.entries", FT_UINT16, BASE_DEC, NULL, 0, "wNumEntries",
          HFILL}},
        {&hf_rai_objref_security_offset,
         {"Security offset", "rai.objref.resolver.security_offset", FT_UINT16, BASE_DEC, NULL, 0,
          "wSecurityOffset", HFILL}},
        {&hf_rai_objref_binding,
         {"String binding", "rai.objref.binding", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_tower_id,
         {"Tower ID", "rai.objref.binding.tower_id", FT_UINT16, BASE_HEX, VALS(tower_id_vals), 0,
          NULL, HFILL}},
        {&hf_rai_objref_address,
         {"Network address", "rai.objref.binding.address", FT_STRING, BASE_NONE, NULL, 0, NULL,
          HFILL}},
        {&hf_rai_objref_security,
         {"Security binding", "rai.objref.security", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_rai_objref_authn_svc,
         {"Authentication service", "rai.objref.security.authn_svc", FT_UINT16, BASE_HEX,
          VALS(authn_svc_vals), 0, NULL, HFILL}},
        {&hf_rai_objref_authz_svc,
         {"Authorization service", "rai.objref.security.authz_svc", FT_UINT16, BASE_HEX, NULL, 0,
          NULL, HFILL}},
        {&hf_rai_objref_principal,
         {"Principal name", "rai.objref.security.principal", FT_STRING, BASE_NONE, NULL, 0, NULL,
          HFILL}},
        {&hf_rai_dispatch_dispid,
         {"DISPID", "rai.dispatch.dispid", FT_UINT32, BASE_HEX, NULL, 0,
          "The DISPID IDispatch::Invoke calls", HFILL}},
        {&hf_rai_dispatch_member,
         {"Invoked member", "rai.dispatch.member", FT_STRING, BASE_NONE, NULL, 0,
          "The MS-RAI method whose DISPID IDispatch::Invoke calls", HFILL}},
        {&hf_rai_iunknown_riid,
         {"riid", "rai.iunknown.riid", FT_GUID, BASE_NONE, NULL, 0,
          "IUnknown::QueryInterface: the interface asked for", HFILL}},
        {&hf_rai_iunknown_ppv,
         {"ppvObject", "rai.iunknown.ppv", FT_NONE, BASE_NONE, NULL, 0,
          "IUnknown::QueryInterface: the interface pointer returned", HFILL}},
        {&hf_rai_iunknown_refcount,
         {"Reference count", "rai.iunknown.refcount", FT_UINT32, BASE_DEC, NULL, 0,
          "IUnknown::AddRef/Release: the new reference count", HFILL}},
        {&hf_rai_fault,
         {"Fault for request in frame", "rai.fault", FT_FRAMENUM, BASE_NONE, NULL, 0,
          "A DCE/RPC fault answering an MS-RAI request", HFILL}},
    };
    static gint *ett[] = {
        &ett_rai_detail,         &ett_rai_sa_features, &ett_rai_sa_bound,
        &ett_rai_sa_element,     &ett_rai_objref,      &ett_rai_objref_resolver,
        &ett_rai_objref_binding, &ett_rai_variant,     &ett_rai_fault,
    };
    static ei_register_info ei[] = {
        {&ei_rai_truncated,
         {"rai.truncated", PI_MALFORMED, PI_ERROR, "Stub data ends inside a parameter", EXPFILL}},
        {&ei_rai_not_remote,
         {"rai.not_remote", PI_PROTOCOL, PI_WARN,
          "Method never called across the network on MS-RAI interfaces", EXPFILL}},
        {&ei_rai_unused_opnum,
         {"rai.unused_opnum", PI_PROTOCOL, PI_WARN, "Opnum not used by MS-RAI", EXPFILL}},
        {&ei_rai_hresult_failure,
         {"rai.hresult.failure", PI_RESPONSE_CODE, PI_NOTE, "Method returned a failure HRESULT",
          EXPFILL}},
        {&ei_rai_bstr_length,
         {"rai.bstr.bad_length", PI_PROTOCOL, PI_WARN, "BSTR length fields disagree", EXPFILL}},
        {&ei_rai_string_not_terminated,
         {"rai.string.not_terminated", PI_PROTOCOL, PI_WARN,
          "[string] value without a terminating NUL ([C706] 14.3.4)", EXPFILL}},
        {&ei_rai_string_counts,
         {"rai.string.bad_counts", PI_MALFORMED, PI_WARN, "String counts are inconsistent",
          EXPFILL}},
        {&ei_rai_enum_range,
         {"rai.enum.out_of_range", PI_PROTOCOL, PI_WARN, "Enum value outside the IDL's range",
          EXPFILL}},
        {&ei_rai_sa_form_unknown,
         {"rai.safearray.unknown_form", PI_MALFORMED, PI_ERROR,
          "Not a SAFEARRAY(BSTR) in any known wire form", EXPFILL}},
        {&ei_rai_sa_not_bstr,
         {"rai.safearray.not_bstr", PI_PROTOCOL, PI_WARN,
          "SAFEARRAY is not of BSTR as the IDL declares", EXPFILL}},
        {&ei_rai_sa_size,
         {"rai.safearray.bad_size", PI_PROTOCOL, PI_WARN,
          "SAFEARRAY size disagrees with its bounds or its array", EXPFILL}},
        {&ei_rai_variant_type,
         {"rai.variant.unexpected_type", PI_PROTOCOL, PI_WARN, "Unexpected VARIANT type", EXPFILL}},
        {&ei_rai_objref_signature,
         {"rai.objref.bad_signature", PI_MALFORMED, PI_ERROR, "OBJREF signature is not MEOW",
          EXPFILL}},
        {&ei_rai_objref_iid,
         {"rai.objref.unexpected_iid", PI_PROTOCOL, PI_WARN,
          "Interface pointer of an unexpected interface", EXPFILL}},
        {&ei_rai_objref_length,
         {"rai.objref.bad_length", PI_MALFORMED, PI_WARN,
          "Interface pointer lengths are inconsistent", EXPFILL}},
        {&ei_rai_dispid_unknown,
         {"rai.dispatch.unknown_dispid", PI_PROTOCOL, PI_NOTE,
          "IDispatch::Invoke with a DISPID the IDL does not define", EXPFILL}},
    };

    build_hresult_vals();
    hf[2].hfinfo.strings = VALS(rai_hresult_vals);

    proto_rai = proto_register_protocol("Remote Assistance Initiation Protocol", "MS-RAI", "rai");
    proto_register_field_array(proto_rai, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    /* one protocol per interface: the DCE/RPC layer registers a dissector per UUID and wants
     * each under its own protocol */
    for (guint i = 0; i < RAI_GEN_N_INTERFACES; i++) {
        const RaiInterface *f = &rai_gen_interfaces[i];
        *f->proto = proto_register_protocol(f->proto_name, f->name, f->filter);
        proto_register_field_array(*f->proto, f->hf, (int)f->n_hf);
        proto_register_subtree_array(f->etts, (int)f->n_etts);
    }
    expert_module_t *expert = expert_register_protocol(proto_rai);
    expert_register_field_array(expert, ei, array_length(ei));
    rai_hooks_register(proto_rai, expert);
    register_init_routine(rai_init);
    register_cleanup_routine(rai_cleanup);
}

void proto_reg_handoff_rai(void)
{
    for (guint i = 0; i < RAI_GEN_N_INTERFACES; i++) {
        const RaiInterface *f = &rai_gen_interfaces[i];
        e_guid_t uuid = f->uuid;
        dcerpc_init_uuid(*f->proto, *f->ett, &uuid, f->version, f->procs, *f->hf_opnum);
    }
    for (guint i = 0; i < RAI_GEN_N_COCLASSES; i++)
        guids_add_uuid(&rai_gen_coclasses[i].clsid, rai_gen_coclasses[i].name);

    lookup_dispatch_fields();
    hf_dcerpc_request_in_ref = proto_registrar_get_id_byname("dcerpc.request_in");
    hf_dcerpc_pkt_type_ref = proto_registrar_get_id_byname("dcerpc.pkt_type");
    dissector_handle_t fault_handle = create_dissector_handle(dissect_rai_fault, proto_rai);
    register_postdissector(fault_handle);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    g_array_append_val(wanted, hf_dcerpc_request_in_ref);
    g_array_append_val(wanted, hf_dcerpc_pkt_type_ref);
    set_postdissector_wanted_hfids(fault_handle, wanted);
}
