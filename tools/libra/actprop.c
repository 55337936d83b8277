/*
 * Activation properties blobs ([MS-DCOM] 2.2.22) and NDR Type Serialization Version 1
 * ([MS-RPCE] 2.2.6). See ra/actprop.h.
 */
#include "ra/actprop.h"
#include "ra/bytes.h"

#include <string.h>

const RaUuid ra_clsid_instantiation_info = RA_COM_GUID(0x000001ab);
const RaUuid ra_clsid_activation_context_info = RA_COM_GUID(0x000001a5);
const RaUuid ra_clsid_server_location_info = RA_COM_GUID(0x000001a4);
const RaUuid ra_clsid_scm_request_info = RA_COM_GUID(0x000001aa);
const RaUuid ra_clsid_security_info = RA_COM_GUID(0x000001a6);
const RaUuid ra_clsid_special_system_properties = RA_COM_GUID(0x000001b9);
const RaUuid ra_clsid_instance_info = RA_COM_GUID(0x000001ad);
const RaUuid ra_clsid_props_out_info = RA_COM_GUID(0x00000339);
const RaUuid ra_clsid_scm_reply_info = RA_COM_GUID(0x000001b6);

static const struct {
    RaActPropKind kind;
    const RaUuid *clsid;
    const char *type_name;
} kinds[] = {
    {RA_ACTPROP_INSTANTIATION_INFO, &ra_clsid_instantiation_info, "InstantiationInfoData"},
    {RA_ACTPROP_ACTIVATION_CONTEXT_INFO, &ra_clsid_activation_context_info,
     "ActivationContextInfoData"},
    {RA_ACTPROP_LOCATION_INFO, &ra_clsid_server_location_info, "LocationInfoData"},
    {RA_ACTPROP_SCM_REQUEST_INFO, &ra_clsid_scm_request_info, "ScmRequestInfoData"},
    {RA_ACTPROP_SECURITY_INFO, &ra_clsid_security_info, "SecurityInfoData"},
    {RA_ACTPROP_SPECIAL_PROPERTIES, &ra_clsid_special_system_properties, "SpecialPropertiesData"},
    {RA_ACTPROP_INSTANCE_INFO, &ra_clsid_instance_info, "InstanceInfoData"},
    {RA_ACTPROP_PROPS_OUT_INFO, &ra_clsid_props_out_info, "PropsOutInfo"},
    {RA_ACTPROP_SCM_REPLY_INFO, &ra_clsid_scm_reply_info, "ScmReplyInfoData"},
};

const RaUuid *ra_actprop_clsid(RaActPropKind kind)
{
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (kinds[i].kind == kind)
            return kinds[i].clsid;
    }
    return NULL;
}

RaActPropKind ra_actprop_kind(const RaUuid *clsid)
{
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (ra_uuid_equal(kinds[i].clsid, clsid))
            return kinds[i].kind;
    }
    return RA_ACTPROP_RAW;
}

static const char *kind_type_name(RaActPropKind kind)
{
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (kinds[i].kind == kind)
            return kinds[i].type_name;
    }
    return "raw";
}

/* ---- Type Serialization Version 1 ---- */

gboolean ra_ts1_split(const guint8 *data, gsize len, const guint8 **body, gsize *body_len,
                      GError **error)
{
    if (len < RA_TS1_HEADER_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "serialized type of %" G_GSIZE_FORMAT " bytes has no room for its headers",
                    len);
        return FALSE;
    }
    /* [MS-RPCE] 2.2.6.1: Version 1, Endianness, CommonHeaderLength 8, Filler (ignored). */
    if (data[0] != 1) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED, "type serialization version %u",
                    data[0]);
        return FALSE;
    }
    if (data[1] != 0x10) {
        g_set_error(error, RA_ERROR, RA_ERROR_UNSUPPORTED,
                    "type serialization endianness 0x%02x (only little-endian 0x10 is supported)",
                    data[1]);
        return FALSE;
    }
    guint16 common_len = ra_le16(data + 2);
    if (common_len != 8) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "type serialization common header length %u, must be 8", common_len);
        return FALSE;
    }
    /* [MS-RPCE] 2.2.6.2: ObjectBufferLength, Filler (ignored). */
    guint32 object_len = ra_le32(data + 8);
    if (object_len > len - RA_TS1_HEADER_SIZE) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                    "ObjectBufferLength %u exceeds the %" G_GSIZE_FORMAT " bytes available",
                    object_len, len - RA_TS1_HEADER_SIZE);
        return FALSE;
    }
    *body = data + RA_TS1_HEADER_SIZE;
    *body_len = object_len;
    return TRUE;
}

GBytes *ra_ts1_wrap(const guint8 *body, gsize len)
{
    gsize padded = (len + 7) & ~(gsize)7;
    guint8 *out = g_malloc0(RA_TS1_HEADER_SIZE + padded);
    out[0] = 1;
    out[1] = 0x10;
    out[2] = 8;
    out[3] = 0;
    ra_put_le32(out + 4, 0xccccccccu);
    ra_put_le32(out + 8, (guint32)padded);
    ra_put_le32(out + 12, 0);
    if (len)
        memcpy(out + RA_TS1_HEADER_SIZE, body, len);
    return g_bytes_new_take(out, RA_TS1_HEADER_SIZE + padded);
}

/* ---- embedded pointer helpers ---- */

/* A unique pointer to a DWORD (the pdwReserved fields). */
static gboolean pull_dword_ptr(RaNdrPull *ndr, int flags, guint32 **r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        *r = ptr ? ra_arena_new0(ra_ndr_pull_arena(ndr), guint32) : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && *r)
        return ra_ndr_pull_u32(ndr, *r);
    return ra_ndr_pull_ok(ndr);
}

static gboolean push_dword_ptr(RaNdrPush *ndr, int flags, const guint32 *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r)
        return ra_ndr_push_u32(ndr, *r);
    return ra_ndr_push_ok(ndr);
}

static void print_dword_ptr(RaNdrPrint *p, const char *name, const guint32 *r)
{
    if (r)
        ra_ndr_print_u32(p, name, *r);
    else
        ra_ndr_print_null(p, name);
}

/* A [string] wchar_t* member: referent ID in the scalars pass, the string in the buffers pass. */
static gchar string_placeholder[] = "";

static gboolean pull_wstring_ptr(RaNdrPull *ndr, int flags, gchar **r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        *r = ptr ? string_placeholder : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && *r)
        return ra_ndr_pull_wstring(ndr, r);
    return ra_ndr_pull_ok(ndr);
}

static gboolean push_wstring_ptr(RaNdrPush *ndr, int flags, const gchar *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r)
        return ra_ndr_push_wstring(ndr, r);
    return ra_ndr_push_ok(ndr);
}

/* A unique pointer to a conformant array of GUIDs sized by `count`. */
static gboolean pull_guid_array_ptr(RaNdrPull *ndr, int flags, guint32 count, const char *what,
                                    RaUuid **r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        *r = ptr ? ra_arena_alloc(ra_ndr_pull_arena(ndr), 0) : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && *r) {
        guint32 max_count;
        if (!ra_ndr_pull_array_size(ndr, 16, &max_count))
            return FALSE;
        if (max_count != count)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%s: %u entries for a count of %u",
                                    what, max_count, count);
        RaUuid *a = ra_ndr_pull_alloc_array(ndr, count, sizeof(RaUuid), 16);
        if (a == NULL)
            return FALSE;
        for (guint32 i = 0; i < count; i++) {
            if (!ra_ndr_pull_uuid(ndr, &a[i]))
                return FALSE;
        }
        *r = a;
    }
    return ra_ndr_pull_ok(ndr);
}

static gboolean push_guid_array_ptr(RaNdrPush *ndr, int flags, guint32 count, const RaUuid *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r) {
        if (!ra_ndr_push_array_size(ndr, count))
            return FALSE;
        for (guint32 i = 0; i < count; i++) {
            if (!ra_ndr_push_uuid(ndr, &r[i]))
                return FALSE;
        }
    }
    return ra_ndr_push_ok(ndr);
}

static void print_guid_array(RaNdrPrint *p, const char *name, guint32 count, const RaUuid *r)
{
    if (r == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    ra_ndr_print_array_begin(p, name, count);
    for (guint32 i = 0; i < count; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_dcom_print_guid(p, e, &r[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
}

/* A unique pointer to a conformant array of u32 sized by `count`. */
static gboolean pull_u32_array_ptr(RaNdrPull *ndr, int flags, guint32 count, const char *what,
                                   guint32 **r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        *r = ptr ? ra_arena_alloc(ra_ndr_pull_arena(ndr), 0) : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && *r) {
        guint32 max_count;
        if (!ra_ndr_pull_array_size(ndr, 4, &max_count))
            return FALSE;
        if (max_count != count)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%s: %u entries for a count of %u",
                                    what, max_count, count);
        return ra_ndr_pull_u32_array(ndr, count, r);
    }
    return ra_ndr_pull_ok(ndr);
}

static gboolean push_u32_array_ptr(RaNdrPush *ndr, int flags, guint32 count, const guint32 *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r)
        return ra_ndr_push_array_size(ndr, count) && ra_ndr_push_u32_array(ndr, r, count);
    return ra_ndr_push_ok(ndr);
}

static void print_u32_array(RaNdrPrint *p, const char *name, guint32 count, const guint32 *r,
                            gboolean hresults)
{
    if (r == NULL) {
        ra_ndr_print_null(p, name);
        return;
    }
    ra_ndr_print_array_begin(p, name, count);
    for (guint32 i = 0; i < count; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        if (hresults)
            ra_dcom_print_hresult(p, e, r[i]);
        else
            ra_ndr_print_u32(p, e, r[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
}

/* ---- CustomHeader ([MS-DCOM] 2.2.22.1) ---- */

gboolean ra_actprop_pull_custom_header(RaNdrPull *ndr, int flags, RaCustomHeader *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->total_size) ||
            !ra_ndr_pull_u32(ndr, &r->header_size) || !ra_ndr_pull_u32(ndr, &r->reserved) ||
            !ra_ndr_pull_u32(ndr, &r->dest_ctx) || !ra_ndr_pull_u32(ndr, &r->n_ifs) ||
            !ra_ndr_pull_uuid(ndr, &r->class_info_clsid))
            return FALSE;
        /* [range(MIN_ACTPROP_LIMIT, MAX_ACTPROP_LIMIT)] DWORD cIfs */
        if (r->n_ifs < RA_MIN_ACTPROP_LIMIT || r->n_ifs > RA_MAX_ACTPROP_LIMIT)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                    "CustomHeader.cIfs %u outside [%u, %u]", r->n_ifs,
                                    RA_MIN_ACTPROP_LIMIT, RA_MAX_ACTPROP_LIMIT);
        if (!pull_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, "pclsid", &r->clsids) ||
            !pull_u32_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, "pSizes", &r->sizes) ||
            !pull_dword_ptr(ndr, RA_NDR_SCALARS, &r->pdw_reserved))
            return FALSE;
    }
    if (flags & RA_NDR_BUFFERS) {
        if (!pull_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, "pclsid", &r->clsids) ||
            !pull_u32_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, "pSizes", &r->sizes) ||
            !pull_dword_ptr(ndr, RA_NDR_BUFFERS, &r->pdw_reserved))
            return FALSE;
    }
    return ra_ndr_pull_ok(ndr);
}

gboolean ra_actprop_push_custom_header(RaNdrPush *ndr, int flags, const RaCustomHeader *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->total_size) ||
            !ra_ndr_push_u32(ndr, r->header_size) || !ra_ndr_push_u32(ndr, r->reserved) ||
            !ra_ndr_push_u32(ndr, r->dest_ctx) || !ra_ndr_push_u32(ndr, r->n_ifs) ||
            !ra_ndr_push_uuid(ndr, &r->class_info_clsid) ||
            !push_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, r->clsids) ||
            !push_u32_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, r->sizes) ||
            !push_dword_ptr(ndr, RA_NDR_SCALARS, r->pdw_reserved))
            return FALSE;
    }
    if (flags & RA_NDR_BUFFERS) {
        if (!push_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, r->clsids) ||
            !push_u32_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, r->sizes) ||
            !push_dword_ptr(ndr, RA_NDR_BUFFERS, r->pdw_reserved))
            return FALSE;
    }
    return ra_ndr_push_ok(ndr);
}

void ra_actprop_print_custom_header(RaNdrPrint *p, const char *name, const RaCustomHeader *r)
{
    ra_ndr_print_begin(p, name, "struct", "CustomHeader");
    ra_ndr_print_u32(p, "totalSize", r->total_size);
    ra_ndr_print_u32(p, "headerSize", r->header_size);
    ra_ndr_print_u32(p, "dwReserved", r->reserved);
    ra_ndr_print_u32(p, "destCtx", r->dest_ctx);
    ra_ndr_print_u32(p, "cIfs", r->n_ifs);
    ra_dcom_print_guid(p, "classInfoClsid", &r->class_info_clsid);
    print_guid_array(p, "pclsid", r->n_ifs, r->clsids);
    print_u32_array(p, "pSizes", r->n_ifs, r->sizes, FALSE);
    print_dword_ptr(p, "pdwReserved", r->pdw_reserved);
    ra_ndr_print_end(p);
}

/* ---- the property bodies ([MS-DCOM] 2.2.22.2.x), each a top-level type of its stream ---- */

static gboolean pull_instantiation(RaNdrPull *ndr, RaInstantiationInfo *r)
{
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_uuid(ndr, &r->class_id) ||
        !ra_ndr_pull_u32(ndr, &r->class_ctx) || !ra_ndr_pull_u32(ndr, &r->actvflags) ||
        !ra_ndr_pull_i32(ndr, &r->is_surrogate) || !ra_ndr_pull_u32(ndr, &r->n_iids) ||
        !ra_ndr_pull_u32(ndr, &r->inst_flag))
        return FALSE;
    /* [range(1, MAX_REQUESTED_INTERFACES)] DWORD cIID */
    if (r->n_iids < 1 || r->n_iids > RA_MAX_REQUESTED_INTERFACES)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "InstantiationInfoData.cIID %u",
                                r->n_iids);
    return pull_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_iids, "pIID", &r->iids) &&
           ra_ndr_pull_u32(ndr, &r->this_size) &&
           ra_dcom_pull_comversion(ndr, RA_NDR_BOTH, &r->client_version) &&
           pull_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_iids, "pIID", &r->iids);
}

static gboolean push_instantiation(RaNdrPush *ndr, const RaInstantiationInfo *r)
{
    return ra_ndr_push_align(ndr, 4) && ra_ndr_push_uuid(ndr, &r->class_id) &&
           ra_ndr_push_u32(ndr, r->class_ctx) && ra_ndr_push_u32(ndr, r->actvflags) &&
           ra_ndr_push_i32(ndr, r->is_surrogate) && ra_ndr_push_u32(ndr, r->n_iids) &&
           ra_ndr_push_u32(ndr, r->inst_flag) &&
           push_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_iids, r->iids) &&
           ra_ndr_push_u32(ndr, r->this_size) &&
           ra_dcom_push_comversion(ndr, RA_NDR_BOTH, &r->client_version) &&
           push_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_iids, r->iids);
}

static void print_instantiation(RaNdrPrint *p, const RaInstantiationInfo *r)
{
    ra_dcom_print_guid(p, "classId", &r->class_id);
    ra_ndr_print_u32(p, "classCtx", r->class_ctx);
    ra_ndr_print_u32(p, "actvflags", r->actvflags);
    ra_ndr_print_i32(p, "fIsSurrogate", r->is_surrogate);
    ra_ndr_print_u32(p, "cIID", r->n_iids);
    ra_ndr_print_u32(p, "instFlag", r->inst_flag);
    print_guid_array(p, "pIID", r->n_iids, r->iids);
    ra_ndr_print_u32(p, "thisSize", r->this_size);
    ra_dcom_print_comversion(p, "clientCOMVersion", &r->client_version);
}

static gboolean pull_context(RaNdrPull *ndr, RaActivationContextInfo *r)
{
    return ra_ndr_pull_align(ndr, 4) && ra_ndr_pull_i32(ndr, &r->client_ok) &&
           ra_ndr_pull_i32(ndr, &r->b_reserved1) && ra_ndr_pull_u32(ndr, &r->dw_reserved1) &&
           ra_ndr_pull_u32(ndr, &r->dw_reserved2) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->client_ctx) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->prototype_ctx) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->client_ctx) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->prototype_ctx);
}

static gboolean push_context(RaNdrPush *ndr, const RaActivationContextInfo *r)
{
    return ra_ndr_push_align(ndr, 4) && ra_ndr_push_i32(ndr, r->client_ok) &&
           ra_ndr_push_i32(ndr, r->b_reserved1) && ra_ndr_push_u32(ndr, r->dw_reserved1) &&
           ra_ndr_push_u32(ndr, r->dw_reserved2) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->client_ctx) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->prototype_ctx) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->client_ctx) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->prototype_ctx);
}

static void print_context(RaNdrPrint *p, const RaActivationContextInfo *r)
{
    ra_ndr_print_i32(p, "clientOK", r->client_ok);
    ra_ndr_print_i32(p, "bReserved1", r->b_reserved1);
    ra_ndr_print_u32(p, "dwReserved1", r->dw_reserved1);
    ra_ndr_print_u32(p, "dwReserved2", r->dw_reserved2);
    ra_oaut_print_interface_ptr(p, "pIFDClientCtx", r->client_ctx);
    ra_oaut_print_interface_ptr(p, "pIFDPrototypeCtx", r->prototype_ctx);
}

static gboolean pull_location(RaNdrPull *ndr, RaLocationInfo *r)
{
    return ra_ndr_pull_align(ndr, 4) && pull_wstring_ptr(ndr, RA_NDR_SCALARS, &r->machine_name) &&
           ra_ndr_pull_u32(ndr, &r->process_id) && ra_ndr_pull_u32(ndr, &r->apartment_id) &&
           ra_ndr_pull_u32(ndr, &r->context_id) &&
           pull_wstring_ptr(ndr, RA_NDR_BUFFERS, &r->machine_name);
}

static gboolean push_location(RaNdrPush *ndr, const RaLocationInfo *r)
{
    return ra_ndr_push_align(ndr, 4) && push_wstring_ptr(ndr, RA_NDR_SCALARS, r->machine_name) &&
           ra_ndr_push_u32(ndr, r->process_id) && ra_ndr_push_u32(ndr, r->apartment_id) &&
           ra_ndr_push_u32(ndr, r->context_id) &&
           push_wstring_ptr(ndr, RA_NDR_BUFFERS, r->machine_name);
}

static void print_location(RaNdrPrint *p, const RaLocationInfo *r)
{
    ra_ndr_print_string(p, "machineName", r->machine_name);
    ra_ndr_print_u32(p, "processId", r->process_id);
    ra_ndr_print_u32(p, "apartmentId", r->apartment_id);
    ra_ndr_print_u32(p, "contextId", r->context_id);
}

static gboolean pull_scm_request(RaNdrPull *ndr, RaScmRequestInfo *r)
{
    guint32 ptr;
    if (!ra_ndr_pull_align(ndr, 4) || !pull_dword_ptr(ndr, RA_NDR_SCALARS, &r->pdw_reserved) ||
        !ra_ndr_pull_ptr(ndr, &ptr) || !pull_dword_ptr(ndr, RA_NDR_BUFFERS, &r->pdw_reserved))
        return FALSE;
    if (ptr == 0) {
        r->remote_request = NULL;
        return TRUE;
    }
    RaRemoteRequestScmInfo *q = ra_arena_new0(ra_ndr_pull_arena(ndr), RaRemoteRequestScmInfo);
    r->remote_request = q;
    guint32 pptr;
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &q->client_imp_level) ||
        !ra_ndr_pull_u16(ndr, &q->n_protseqs) || !ra_ndr_pull_ptr(ndr, &pptr))
        return FALSE;
    /* [range(0, MAX_REQUESTED_PROTSEQS)] unsigned short cRequestedProtseqs */
    if (q->n_protseqs > RA_MAX_REQUESTED_PROTSEQS)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "cRequestedProtseqs %u", q->n_protseqs);
    if (pptr != 0) {
        guint32 max_count;
        if (!ra_ndr_pull_array_size(ndr, 2, &max_count))
            return FALSE;
        if (max_count != q->n_protseqs)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                    "pRequestedProtseqs: %u entries for a count of %u", max_count,
                                    q->n_protseqs);
        return ra_ndr_pull_u16_array(ndr, max_count, &q->protseqs);
    }
    return TRUE;
}

static gboolean push_scm_request(RaNdrPush *ndr, const RaScmRequestInfo *r)
{
    const RaRemoteRequestScmInfo *q = r->remote_request;
    if (!ra_ndr_push_align(ndr, 4) || !push_dword_ptr(ndr, RA_NDR_SCALARS, r->pdw_reserved) ||
        !ra_ndr_push_ptr(ndr, q) || !push_dword_ptr(ndr, RA_NDR_BUFFERS, r->pdw_reserved))
        return FALSE;
    if (q == NULL)
        return TRUE;
    if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, q->client_imp_level) ||
        !ra_ndr_push_u16(ndr, q->n_protseqs) || !ra_ndr_push_ptr(ndr, q->protseqs))
        return FALSE;
    if (q->protseqs)
        return ra_ndr_push_array_size(ndr, q->n_protseqs) &&
               ra_ndr_push_u16_array(ndr, q->protseqs, q->n_protseqs);
    return TRUE;
}

static void print_scm_request(RaNdrPrint *p, const RaScmRequestInfo *r)
{
    print_dword_ptr(p, "pdwReserved", r->pdw_reserved);
    const RaRemoteRequestScmInfo *q = r->remote_request;
    if (q == NULL) {
        ra_ndr_print_null(p, "remoteRequest");
        return;
    }
    ra_ndr_print_begin(p, "remoteRequest", "struct", "customREMOTE_REQUEST_SCM_INFO");
    ra_ndr_print_u32(p, "ClientImpLevel", q->client_imp_level);
    ra_ndr_print_u16(p, "cRequestedProtseqs", q->n_protseqs);
    if (q->protseqs == NULL) {
        ra_ndr_print_null(p, "pRequestedProtseqs");
    } else {
        ra_ndr_print_array_begin(p, "pRequestedProtseqs", q->n_protseqs);
        for (guint16 i = 0; i < q->n_protseqs; i++)
            ra_ndr_print_line(p, "[%u]: %u (0x%x)", i, q->protseqs[i], q->protseqs[i]);
        ra_ndr_print_end(p);
    }
    ra_ndr_print_end(p);
}

static gboolean pull_security(RaNdrPull *ndr, RaSecurityInfo *r)
{
    guint32 ptr;
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->authn_flags) ||
        !ra_ndr_pull_ptr(ndr, &ptr) || !pull_dword_ptr(ndr, RA_NDR_SCALARS, &r->pdw_reserved))
        return FALSE;
    r->server_info = NULL;
    if (ptr != 0) {
        RaCoServerInfo *s = ra_arena_new0(ra_ndr_pull_arena(ndr), RaCoServerInfo);
        r->server_info = s;
        if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &s->reserved1) ||
            !pull_wstring_ptr(ndr, RA_NDR_SCALARS, &s->name) ||
            !pull_dword_ptr(ndr, RA_NDR_SCALARS, &s->pdw_reserved) ||
            !ra_ndr_pull_u32(ndr, &s->reserved2) ||
            !pull_wstring_ptr(ndr, RA_NDR_BUFFERS, &s->name) ||
            !pull_dword_ptr(ndr, RA_NDR_BUFFERS, &s->pdw_reserved))
            return FALSE;
    }
    return pull_dword_ptr(ndr, RA_NDR_BUFFERS, &r->pdw_reserved);
}

static gboolean push_security(RaNdrPush *ndr, const RaSecurityInfo *r)
{
    const RaCoServerInfo *s = r->server_info;
    if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->authn_flags) ||
        !ra_ndr_push_ptr(ndr, s) || !push_dword_ptr(ndr, RA_NDR_SCALARS, r->pdw_reserved))
        return FALSE;
    if (s != NULL) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, s->reserved1) ||
            !push_wstring_ptr(ndr, RA_NDR_SCALARS, s->name) ||
            !push_dword_ptr(ndr, RA_NDR_SCALARS, s->pdw_reserved) ||
            !ra_ndr_push_u32(ndr, s->reserved2) ||
            !push_wstring_ptr(ndr, RA_NDR_BUFFERS, s->name) ||
            !push_dword_ptr(ndr, RA_NDR_BUFFERS, s->pdw_reserved))
            return FALSE;
    }
    return push_dword_ptr(ndr, RA_NDR_BUFFERS, r->pdw_reserved);
}

static void print_security(RaNdrPrint *p, const RaSecurityInfo *r)
{
    ra_ndr_print_u32(p, "dwAuthnFlags", r->authn_flags);
    if (r->server_info) {
        ra_ndr_print_begin(p, "pServerInfo", "struct", "COSERVERINFO");
        ra_ndr_print_u32(p, "dwReserved1", r->server_info->reserved1);
        ra_ndr_print_string(p, "pwszName", r->server_info->name);
        print_dword_ptr(p, "pdwReserved", r->server_info->pdw_reserved);
        ra_ndr_print_u32(p, "dwReserved2", r->server_info->reserved2);
        ra_ndr_print_end(p);
    } else {
        ra_ndr_print_null(p, "pServerInfo");
    }
    print_dword_ptr(p, "pdwReserved", r->pdw_reserved);
}

static gboolean pull_special(RaNdrPull *ndr, RaSpecialProperties *r)
{
    /* The structure has an __int64 member: aligned to 8 (Reserved2 at offset 56). */
    if (!ra_ndr_pull_align(ndr, 8) || !ra_ndr_pull_u32(ndr, &r->session_id) ||
        !ra_ndr_pull_i32(ndr, &r->remote_this_session_id) ||
        !ra_ndr_pull_i32(ndr, &r->client_impersonating) ||
        !ra_ndr_pull_i32(ndr, &r->partition_id_present) ||
        !ra_ndr_pull_u32(ndr, &r->default_authn_lvl) ||
        !ra_ndr_pull_uuid(ndr, &r->guid_partition) || !ra_ndr_pull_u32(ndr, &r->prt_flags) ||
        !ra_ndr_pull_u32(ndr, &r->orig_clsctx) || !ra_ndr_pull_u32(ndr, &r->flags) ||
        !ra_ndr_pull_u32(ndr, &r->reserved1) || !ra_ndr_pull_u64(ndr, &r->reserved2))
        return FALSE;
    for (int i = 0; i < 5; i++) {
        if (!ra_ndr_pull_u32(ndr, &r->reserved3[i]))
            return FALSE;
    }
    return TRUE;
}

static gboolean push_special(RaNdrPush *ndr, const RaSpecialProperties *r)
{
    if (!ra_ndr_push_align(ndr, 8) || !ra_ndr_push_u32(ndr, r->session_id) ||
        !ra_ndr_push_i32(ndr, r->remote_this_session_id) ||
        !ra_ndr_push_i32(ndr, r->client_impersonating) ||
        !ra_ndr_push_i32(ndr, r->partition_id_present) ||
        !ra_ndr_push_u32(ndr, r->default_authn_lvl) || !ra_ndr_push_uuid(ndr, &r->guid_partition) ||
        !ra_ndr_push_u32(ndr, r->prt_flags) || !ra_ndr_push_u32(ndr, r->orig_clsctx) ||
        !ra_ndr_push_u32(ndr, r->flags) || !ra_ndr_push_u32(ndr, r->reserved1) ||
        !ra_ndr_push_u64(ndr, r->reserved2))
        return FALSE;
    for (int i = 0; i < 5; i++) {
        if (!ra_ndr_push_u32(ndr, r->reserved3[i]))
            return FALSE;
    }
    return TRUE;
}

static void print_special(RaNdrPrint *p, const RaSpecialProperties *r)
{
    if (r->session_id == RA_ACTPROP_ANY_SESSION)
        ra_ndr_print_line(p, "dwSessionId: %u (0x%x, any session)", r->session_id, r->session_id);
    else
        ra_ndr_print_u32(p, "dwSessionId", r->session_id);
    ra_ndr_print_i32(p, "fRemoteThisSessionId", r->remote_this_session_id);
    ra_ndr_print_i32(p, "fClientImpersonating", r->client_impersonating);
    ra_ndr_print_i32(p, "fPartitionIDPresent", r->partition_id_present);
    ra_ndr_print_u32(p, "dwDefaultAuthnLvl", r->default_authn_lvl);
    ra_ndr_print_uuid(p, "guidPartition", &r->guid_partition);
    ra_ndr_print_u32(p, "dwPRTFlags", r->prt_flags);
    ra_ndr_print_u32(p, "dwOrigClsctx", r->orig_clsctx);
    ra_ndr_print_u32(p, "dwFlags", r->flags);
    ra_ndr_print_u32(p, "Reserved1", r->reserved1);
    ra_ndr_print_u64(p, "Reserved2", r->reserved2);
    ra_ndr_print_array_begin(p, "Reserved3", 5);
    for (int i = 0; i < 5; i++)
        ra_ndr_print_line(p, "[%d]: %u (0x%x)", i, r->reserved3[i], r->reserved3[i]);
    ra_ndr_print_end(p);
}

static gboolean pull_instance(RaNdrPull *ndr, RaInstanceInfo *r)
{
    return ra_ndr_pull_align(ndr, 4) && pull_wstring_ptr(ndr, RA_NDR_SCALARS, &r->file_name) &&
           ra_ndr_pull_u32(ndr, &r->mode) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->ifd_rot) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->ifd_stg) &&
           pull_wstring_ptr(ndr, RA_NDR_BUFFERS, &r->file_name) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->ifd_rot) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->ifd_stg);
}

static gboolean push_instance(RaNdrPush *ndr, const RaInstanceInfo *r)
{
    return ra_ndr_push_align(ndr, 4) && push_wstring_ptr(ndr, RA_NDR_SCALARS, r->file_name) &&
           ra_ndr_push_u32(ndr, r->mode) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->ifd_rot) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->ifd_stg) &&
           push_wstring_ptr(ndr, RA_NDR_BUFFERS, r->file_name) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->ifd_rot) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->ifd_stg);
}

static void print_instance(RaNdrPrint *p, const RaInstanceInfo *r)
{
    ra_ndr_print_string(p, "fileName", r->file_name);
    ra_ndr_print_u32(p, "mode", r->mode);
    ra_oaut_print_interface_ptr(p, "ifdROT", r->ifd_rot);
    ra_oaut_print_interface_ptr(p, "ifdStg", r->ifd_stg);
}

static gboolean pull_props_out(RaNdrPull *ndr, RaPropsOutInfo *r)
{
    guint32 ptr;
    if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->n_ifs))
        return FALSE;
    if (r->n_ifs > RA_MAX_REQUESTED_INTERFACES)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "PropsOutInfo.cIfs %u", r->n_ifs);
    if (!pull_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, "piid", &r->iids) ||
        !pull_u32_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, "phresults", &r->hresults) ||
        !ra_ndr_pull_ptr(ndr, &ptr) ||
        !pull_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, "piid", &r->iids) ||
        !pull_u32_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, "phresults", &r->hresults))
        return FALSE;
    r->intf_data = NULL;
    if (ptr == 0)
        return TRUE;
    guint32 max_count;
    if (!ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != r->n_ifs)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "ppIntfData: %u entries for a count of %u",
                                max_count, r->n_ifs);
    r->intf_data = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(RaInterfacePointer *), 4);
    if (r->intf_data == NULL)
        return FALSE;
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->intf_data[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->intf_data[i]))
            return FALSE;
    }
    return TRUE;
}

static gboolean push_props_out(RaNdrPush *ndr, const RaPropsOutInfo *r)
{
    if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->n_ifs) ||
        !push_guid_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, r->iids) ||
        !push_u32_array_ptr(ndr, RA_NDR_SCALARS, r->n_ifs, r->hresults) ||
        !ra_ndr_push_ptr(ndr, r->intf_data) ||
        !push_guid_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, r->iids) ||
        !push_u32_array_ptr(ndr, RA_NDR_BUFFERS, r->n_ifs, r->hresults))
        return FALSE;
    if (r->intf_data == NULL)
        return TRUE;
    if (!ra_ndr_push_array_size(ndr, r->n_ifs))
        return FALSE;
    for (guint32 i = 0; i < r->n_ifs; i++) {
        if (!ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->intf_data[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < r->n_ifs; i++) {
        if (!ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->intf_data[i]))
            return FALSE;
    }
    return TRUE;
}

static void print_props_out(RaNdrPrint *p, const RaPropsOutInfo *r)
{
    ra_ndr_print_u32(p, "cIfs", r->n_ifs);
    print_guid_array(p, "piid", r->n_ifs, r->iids);
    print_u32_array(p, "phresults", r->n_ifs, r->hresults, TRUE);
    if (r->intf_data == NULL) {
        ra_ndr_print_null(p, "ppIntfData");
        return;
    }
    ra_ndr_print_array_begin(p, "ppIntfData", r->n_ifs);
    for (guint32 i = 0; i < r->n_ifs; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_oaut_print_interface_ptr(p, e, r->intf_data[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
}

static gboolean pull_scm_reply(RaNdrPull *ndr, RaScmReplyInfo *r)
{
    guint32 ptr;
    if (!ra_ndr_pull_align(ndr, 4) || !pull_dword_ptr(ndr, RA_NDR_SCALARS, &r->pdw_reserved) ||
        !ra_ndr_pull_ptr(ndr, &ptr) || !pull_dword_ptr(ndr, RA_NDR_BUFFERS, &r->pdw_reserved))
        return FALSE;
    r->remote_reply = NULL;
    if (ptr == 0)
        return TRUE;
    RaRemoteReplyScmInfo *q = ra_arena_new0(ra_ndr_pull_arena(ndr), RaRemoteReplyScmInfo);
    r->remote_reply = q;
    guint32 dptr;
    /* customREMOTE_REPLY_SCM_INFO has an OXID (hyper): aligned to 8. */
    if (!ra_ndr_pull_align(ndr, 8) || !ra_ndr_pull_u64(ndr, &q->oxid) ||
        !ra_ndr_pull_ptr(ndr, &dptr) || !ra_ndr_pull_uuid(ndr, &q->ipid_rem_unknown) ||
        !ra_ndr_pull_u32(ndr, &q->authn_hint) ||
        !ra_dcom_pull_comversion(ndr, RA_NDR_BOTH, &q->server_version))
        return FALSE;
    if (dptr != 0) {
        q->oxid_bindings = ra_arena_new0(ra_ndr_pull_arena(ndr), RaDualStringArray);
        return ra_dcom_pull_dsa(ndr, RA_NDR_BOTH, q->oxid_bindings);
    }
    return TRUE;
}

static gboolean push_scm_reply(RaNdrPush *ndr, const RaScmReplyInfo *r)
{
    const RaRemoteReplyScmInfo *q = r->remote_reply;
    if (!ra_ndr_push_align(ndr, 4) || !push_dword_ptr(ndr, RA_NDR_SCALARS, r->pdw_reserved) ||
        !ra_ndr_push_ptr(ndr, q) || !push_dword_ptr(ndr, RA_NDR_BUFFERS, r->pdw_reserved))
        return FALSE;
    if (q == NULL)
        return TRUE;
    if (!ra_ndr_push_align(ndr, 8) || !ra_ndr_push_u64(ndr, q->oxid) ||
        !ra_ndr_push_ptr(ndr, q->oxid_bindings) || !ra_ndr_push_uuid(ndr, &q->ipid_rem_unknown) ||
        !ra_ndr_push_u32(ndr, q->authn_hint) ||
        !ra_dcom_push_comversion(ndr, RA_NDR_BOTH, &q->server_version))
        return FALSE;
    if (q->oxid_bindings)
        return ra_dcom_push_dsa(ndr, RA_NDR_BOTH, q->oxid_bindings);
    return TRUE;
}

static void print_scm_reply(RaNdrPrint *p, const RaScmReplyInfo *r)
{
    print_dword_ptr(p, "pdwReserved", r->pdw_reserved);
    const RaRemoteReplyScmInfo *q = r->remote_reply;
    if (q == NULL) {
        ra_ndr_print_null(p, "remoteReply");
        return;
    }
    ra_ndr_print_begin(p, "remoteReply", "struct", "customREMOTE_REPLY_SCM_INFO");
    ra_ndr_print_line(p, "Oxid: 0x%016" G_GINT64_MODIFIER "x", q->oxid);
    if (q->oxid_bindings)
        ra_dcom_print_dsa(p, "pdsaOxidBindings", q->oxid_bindings);
    else
        ra_ndr_print_null(p, "pdsaOxidBindings");
    ra_ndr_print_uuid(p, "ipidRemUnknown", &q->ipid_rem_unknown);
    ra_ndr_print_u32(p, "authnHint", q->authn_hint);
    ra_dcom_print_comversion(p, "serverVersion", &q->server_version);
    ra_ndr_print_end(p);
}

gboolean ra_actprop_pull_property(RaNdrPull *ndr, RaActProperty *r)
{
    switch (r->kind) {
    case RA_ACTPROP_INSTANTIATION_INFO:
        return pull_instantiation(ndr, &r->u.instantiation);
    case RA_ACTPROP_ACTIVATION_CONTEXT_INFO:
        return pull_context(ndr, &r->u.context);
    case RA_ACTPROP_LOCATION_INFO:
        return pull_location(ndr, &r->u.location);
    case RA_ACTPROP_SCM_REQUEST_INFO:
        return pull_scm_request(ndr, &r->u.scm_request);
    case RA_ACTPROP_SECURITY_INFO:
        return pull_security(ndr, &r->u.security);
    case RA_ACTPROP_SPECIAL_PROPERTIES:
        return pull_special(ndr, &r->u.special);
    case RA_ACTPROP_INSTANCE_INFO:
        return pull_instance(ndr, &r->u.instance);
    case RA_ACTPROP_PROPS_OUT_INFO:
        return pull_props_out(ndr, &r->u.props_out);
    case RA_ACTPROP_SCM_REPLY_INFO:
        return pull_scm_reply(ndr, &r->u.scm_reply);
    case RA_ACTPROP_RAW:
        break;
    }
    return ra_ndr_pull_fail(ndr, RA_ERROR_UNSUPPORTED, "no NDR body for a raw property");
}

gboolean ra_actprop_push_property(RaNdrPush *ndr, const RaActProperty *r)
{
    switch (r->kind) {
    case RA_ACTPROP_INSTANTIATION_INFO:
        return push_instantiation(ndr, &r->u.instantiation);
    case RA_ACTPROP_ACTIVATION_CONTEXT_INFO:
        return push_context(ndr, &r->u.context);
    case RA_ACTPROP_LOCATION_INFO:
        return push_location(ndr, &r->u.location);
    case RA_ACTPROP_SCM_REQUEST_INFO:
        return push_scm_request(ndr, &r->u.scm_request);
    case RA_ACTPROP_SECURITY_INFO:
        return push_security(ndr, &r->u.security);
    case RA_ACTPROP_SPECIAL_PROPERTIES:
        return push_special(ndr, &r->u.special);
    case RA_ACTPROP_INSTANCE_INFO:
        return push_instance(ndr, &r->u.instance);
    case RA_ACTPROP_PROPS_OUT_INFO:
        return push_props_out(ndr, &r->u.props_out);
    case RA_ACTPROP_SCM_REPLY_INFO:
        return push_scm_reply(ndr, &r->u.scm_reply);
    case RA_ACTPROP_RAW:
        break;
    }
    return ra_ndr_push_fail(ndr, RA_ERROR_UNSUPPORTED, "no NDR body for a raw property");
}

void ra_actprop_print_property(RaNdrPrint *p, const char *name, const RaActProperty *r)
{
    ra_ndr_print_begin(p, name, "struct", kind_type_name(r->kind));
    ra_dcom_print_guid(p, "clsid", &r->clsid);
    switch (r->kind) {
    case RA_ACTPROP_INSTANTIATION_INFO:
        print_instantiation(p, &r->u.instantiation);
        break;
    case RA_ACTPROP_ACTIVATION_CONTEXT_INFO:
        print_context(p, &r->u.context);
        break;
    case RA_ACTPROP_LOCATION_INFO:
        print_location(p, &r->u.location);
        break;
    case RA_ACTPROP_SCM_REQUEST_INFO:
        print_scm_request(p, &r->u.scm_request);
        break;
    case RA_ACTPROP_SECURITY_INFO:
        print_security(p, &r->u.security);
        break;
    case RA_ACTPROP_SPECIAL_PROPERTIES:
        print_special(p, &r->u.special);
        break;
    case RA_ACTPROP_INSTANCE_INFO:
        print_instance(p, &r->u.instance);
        break;
    case RA_ACTPROP_PROPS_OUT_INFO:
        print_props_out(p, &r->u.props_out);
        break;
    case RA_ACTPROP_SCM_REPLY_INFO:
        print_scm_reply(p, &r->u.scm_reply);
        break;
    case RA_ACTPROP_RAW:
        ra_ndr_print_bytes(p, "data", r->raw, r->raw_len);
        break;
    }
    ra_ndr_print_end(p);
}

/* ---- the blob ---- */

static gboolean fail(GError **error, RaError code, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean fail(GError **error, RaError code, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error(error, RA_ERROR, code, "activation properties: %s", msg);
    g_free(msg);
    return FALSE;
}

/* Pulls one NDR body of `len` bytes; padding of up to 7 bytes after it is ignored. */
static gboolean pull_body(const guint8 *body, gsize len, RaArena *arena, const char *what,
                          gboolean (*pull)(RaNdrPull *, gpointer), gpointer out, GError **error)
{
    RaNdrPull *ndr = ra_ndr_pull_new(body, len, arena);
    gboolean ok = pull(ndr, out);
    GError *local = NULL;
    if (!ok) {
        ra_ndr_pull_get_error(ndr, &local);
    } else if (ra_ndr_pull_remaining(ndr) >= 8) {
        ok = FALSE;
        g_set_error(&local, RA_ERROR, RA_ERROR_MALFORMED,
                    "%" G_GSIZE_FORMAT " bytes after the structure", ra_ndr_pull_remaining(ndr));
    }
    ra_ndr_pull_free(ndr);
    if (!ok) {
        fail(error, local ? (RaError)local->code : RA_ERROR_MALFORMED, "%s: %s", what,
             local ? local->message : "malformed");
        g_clear_error(&local);
    }
    return ok;
}

static gboolean pull_header_cb(RaNdrPull *ndr, gpointer out)
{
    return ra_actprop_pull_custom_header(ndr, RA_NDR_BOTH, out);
}

static gboolean pull_property_cb(RaNdrPull *ndr, gpointer out)
{
    return ra_actprop_pull_property(ndr, out);
}

gboolean ra_actprop_blob_parse(const guint8 *data, gsize len, RaArena *arena, RaActivationBlob *out,
                               GError **error)
{
    memset(out, 0, sizeof *out);
    if (len > RA_ACTPROP_MAX_BLOB)
        return fail(error, RA_ERROR_TOO_LARGE, "blob of %" G_GSIZE_FORMAT " bytes", len);
    if (len < 8)
        return fail(error, RA_ERROR_MALFORMED, "blob of %" G_GSIZE_FORMAT " bytes is truncated",
                    len);
    out->size = ra_le32(data);
    out->reserved = ra_le32(data + 4);
    /* [MS-DCOM] 2.2.22: dwSize counts from the CustomHeader to the end of the last property. */
    if (out->size > len - 8)
        return fail(error, RA_ERROR_MALFORMED,
                    "dwSize %u exceeds the %" G_GSIZE_FORMAT " bytes after it", out->size, len - 8);
    const guint8 *rest = data + 8;
    gsize rest_len = out->size;

    /* The CustomHeader: its stream length is headerSize, which only its body tells: parse the
     * stream over everything, then check headerSize. */
    const guint8 *body;
    gsize body_len;
    GError *local = NULL;
    if (!ra_ts1_split(rest, rest_len, &body, &body_len, &local)) {
        fail(error, (RaError)local->code, "CustomHeader: %s", local->message);
        g_error_free(local);
        return FALSE;
    }
    RaCustomHeader *h = &out->header;
    if (!pull_body(body, body_len, arena, "CustomHeader", pull_header_cb, h, error))
        return FALSE;
    if (h->total_size != out->size)
        return fail(error, RA_ERROR_MALFORMED, "CustomHeader.totalSize %u, dwSize %u",
                    h->total_size, out->size);
    if (h->header_size < RA_TS1_HEADER_SIZE + body_len || h->header_size > rest_len)
        return fail(error, RA_ERROR_MALFORMED,
                    "CustomHeader.headerSize %u does not fit its %" G_GSIZE_FORMAT
                    " bytes in a total of %" G_GSIZE_FORMAT,
                    h->header_size, RA_TS1_HEADER_SIZE + body_len, rest_len);
    if (h->clsids == NULL || h->sizes == NULL)
        return fail(error, RA_ERROR_MALFORMED, "CustomHeader without pclsid or pSizes");
    guint64 sum = h->header_size;
    for (guint32 i = 0; i < h->n_ifs; i++)
        sum += h->sizes[i];
    if (sum > rest_len)
        return fail(error, RA_ERROR_MALFORMED,
                    "headerSize + pSizes = %" G_GUINT64_FORMAT " exceeds totalSize %u", sum,
                    h->total_size);

    out->n_properties = h->n_ifs;
    out->properties = ra_arena_alloc_n(arena, h->n_ifs, sizeof(RaActProperty));
    gsize off = h->header_size;
    for (guint32 i = 0; i < h->n_ifs; i++) {
        RaActProperty *prop = &out->properties[i];
        prop->clsid = h->clsids[i];
        prop->kind = ra_actprop_kind(&prop->clsid);
        prop->raw = rest + off;
        prop->raw_len = h->sizes[i];
        off += h->sizes[i];
        if (prop->kind == RA_ACTPROP_RAW)
            continue;
        gchar *what = g_strdup_printf("property %u (%s)", i, kind_type_name(prop->kind));
        gboolean ok = ra_ts1_split(prop->raw, prop->raw_len, &body, &body_len, &local);
        if (!ok) {
            fail(error, (RaError)local->code, "%s: %s", what, local->message);
            g_error_free(local);
        } else {
            ok = pull_body(body, body_len, arena, what, pull_property_cb, prop, error);
        }
        g_free(what);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

/* The serialized stream of one property (headers and padding). */
static GBytes *serialize_property(const RaActProperty *prop, GError **error)
{
    if (prop->kind == RA_ACTPROP_RAW)
        return g_bytes_new(prop->raw, prop->raw_len);
    RaNdrPush *ndr = ra_ndr_push_new();
    GBytes *body = NULL;
    if (ra_actprop_push_property(ndr, prop))
        body = ra_ndr_push_finish(ndr, error);
    else
        ra_ndr_push_finish(ndr, error);
    ra_ndr_push_free(ndr);
    if (body == NULL)
        return NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data(body, &len);
    GBytes *wrapped = ra_ts1_wrap(data, len);
    g_bytes_unref(body);
    return wrapped;
}

GBytes *ra_actprop_blob_build(const RaActivationBlob *blob, GError **error)
{
    guint n = blob->n_properties;
    if (n < RA_MIN_ACTPROP_LIMIT || n > RA_MAX_ACTPROP_LIMIT) {
        fail(error, RA_ERROR_MALFORMED, "%u properties, must be 1 to 10", n);
        return NULL;
    }
    GBytes *props[RA_MAX_ACTPROP_LIMIT] = {NULL};
    RaUuid clsids[RA_MAX_ACTPROP_LIMIT];
    guint32 sizes[RA_MAX_ACTPROP_LIMIT];
    GBytes *result = NULL;
    for (guint i = 0; i < n; i++) {
        const RaActProperty *prop = &blob->properties[i];
        RaActProperty copy = *prop;
        if (prop->kind == RA_ACTPROP_INSTANTIATION_INFO) {
            /* thisSize is the size of the serialized property itself; its value does not
             * change that size, so serialize once to learn it. */
            GBytes *first = serialize_property(prop, error);
            if (first == NULL)
                goto out;
            copy.u.instantiation.this_size = (guint32)g_bytes_get_size(first);
            g_bytes_unref(first);
        }
        props[i] = serialize_property(&copy, error);
        if (props[i] == NULL)
            goto out;
        const RaUuid *clsid = ra_actprop_clsid(prop->kind);
        clsids[i] = clsid ? *clsid : prop->clsid;
        sizes[i] = (guint32)g_bytes_get_size(props[i]);
    }
    RaCustomHeader h = blob->header;
    h.n_ifs = n;
    h.clsids = clsids;
    h.sizes = sizes;
    h.pdw_reserved = NULL;
    /* headerSize and totalSize do not change the header's size: serialize twice. */
    for (int pass = 0; pass < 2; pass++) {
        RaNdrPush *ndr = ra_ndr_push_new();
        GBytes *body = NULL;
        if (ra_actprop_push_custom_header(ndr, RA_NDR_BOTH, &h))
            body = ra_ndr_push_finish(ndr, error);
        else
            ra_ndr_push_finish(ndr, error);
        ra_ndr_push_free(ndr);
        if (body == NULL)
            goto out;
        gsize len;
        const guint8 *data = g_bytes_get_data(body, &len);
        GBytes *wrapped = ra_ts1_wrap(data, len);
        g_bytes_unref(body);
        if (pass == 0) {
            h.header_size = (guint32)g_bytes_get_size(wrapped);
            guint64 total = h.header_size;
            for (guint i = 0; i < n; i++)
                total += sizes[i];
            h.total_size = (guint32)total;
            g_bytes_unref(wrapped);
            continue;
        }
        GByteArray *b = g_byte_array_new();
        guint8 head[8];
        ra_put_le32(head, h.total_size);
        ra_put_le32(head + 4, 0);
        g_byte_array_append(b, head, 8);
        g_byte_array_append(b, g_bytes_get_data(wrapped, NULL), (guint)g_bytes_get_size(wrapped));
        g_bytes_unref(wrapped);
        for (guint i = 0; i < n; i++)
            g_byte_array_append(b, g_bytes_get_data(props[i], NULL), sizes[i]);
        result = g_byte_array_free_to_bytes(b);
    }
out:
    for (guint i = 0; i < n; i++) {
        if (props[i])
            g_bytes_unref(props[i]);
    }
    return result;
}

void ra_actprop_blob_print(RaNdrPrint *p, const char *name, const RaActivationBlob *blob)
{
    ra_ndr_print_begin(p, name, "struct", "ActivationPropertiesBlob");
    ra_ndr_print_u32(p, "dwSize", blob->size);
    ra_ndr_print_u32(p, "dwReserved", blob->reserved);
    ra_actprop_print_custom_header(p, "CustomHeader", &blob->header);
    ra_ndr_print_array_begin(p, "Property", blob->n_properties);
    for (guint i = 0; i < blob->n_properties; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_actprop_print_property(p, e, &blob->properties[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_ndr_print_end(p);
}

const RaActProperty *ra_actprop_find(const RaActivationBlob *blob, RaActPropKind kind)
{
    for (guint i = 0; i < blob->n_properties; i++) {
        if (blob->properties[i].kind == kind)
            return &blob->properties[i];
    }
    return NULL;
}

gboolean ra_actprop_from_mip(const RaInterfacePointer *mip, gboolean out, RaArena *arena,
                             RaActivationBlob *blob, GError **error)
{
    RaObjRef ref;
    if (!ra_objref_parse(mip->data, mip->size, arena, &ref, error))
        return FALSE;
    const RaUuid *clsid =
        out ? &ra_clsid_activation_properties_out : &ra_clsid_activation_properties_in;
    const RaUuid *iid =
        out ? &ra_iid_iactivation_properties_out : &ra_iid_iactivation_properties_in;
    const char *which = out ? "ActivationPropertiesOut" : "ActivationPropertiesIn";
    if (ref.flags != RA_OBJREF_CUSTOM)
        return fail(error, RA_ERROR_MALFORMED, "%s is not an OBJREF_CUSTOM (flags %u)", which,
                    ref.flags);
    if (!ra_uuid_equal(&ref.clsid, clsid) || !ra_uuid_equal(&ref.iid, iid)) {
        char c[RA_UUID_STRING_LEN + 1], i[RA_UUID_STRING_LEN + 1];
        return fail(error, RA_ERROR_MALFORMED,
                    "%s expected, got an OBJREF_CUSTOM of clsid %s iid %s", which,
                    ra_uuid_format(&ref.clsid, c), ra_uuid_format(&ref.iid, i));
    }
    return ra_actprop_blob_parse(ref.object_data, ref.object_data_len, arena, blob, error);
}

gboolean ra_actprop_to_mip(const RaActivationBlob *blob, gboolean out, RaArena *arena,
                           RaInterfacePointer *mip, GError **error)
{
    GBytes *data = ra_actprop_blob_build(blob, error);
    if (data == NULL)
        return FALSE;
    RaObjRef ref = {0};
    ref.flags = RA_OBJREF_CUSTOM;
    ref.iid = out ? ra_iid_iactivation_properties_out : ra_iid_iactivation_properties_in;
    ref.clsid = out ? ra_clsid_activation_properties_out : ra_clsid_activation_properties_in;
    ref.object_data = g_bytes_get_data(data, &ref.object_data_len);
    /* The reserved field is ignored on receipt ([MS-DCOM] 2.2.18.6); we write the object data
     * size plus 8 there, as impacket does. */
    ref.reserved = (guint32)ref.object_data_len + 8;
    GBytes *bytes = ra_objref_build(&ref, error);
    g_bytes_unref(data);
    if (bytes == NULL)
        return FALSE;
    gsize len;
    const guint8 *b = g_bytes_get_data(bytes, &len);
    mip->size = (guint32)len;
    mip->data = ra_arena_memdup(arena, b, len);
    g_bytes_unref(bytes);
    return TRUE;
}
