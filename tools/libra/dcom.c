/*
 * DCOM wire types: ORPC headers, OBJREF, DUALSTRINGARRAY (NDR form), IRemUnknown(2) and
 * IRemoteSCMActivator calls (see ra/dcom.h).
 */
#include "ra/dcom.h"
#include "ra/bytes.h"
#include "ra/actprop.h"

#include <string.h>

/* ---- GUIDs ---- */

const RaUuid ra_iid_iunknown = RA_COM_GUID(0x00000000);
const RaUuid ra_iid_iclassfactory = RA_COM_GUID(0x00000001);
const RaUuid ra_iid_idispatch = RA_COM_GUID(0x00020400);
const RaUuid ra_iid_iremunknown = RA_COM_GUID(0x00000131);
const RaUuid ra_iid_iremunknown2 = RA_COM_GUID(0x00000143);
const RaUuid ra_iid_iremote_scm_activator = RA_COM_GUID(0x000001a0);
const RaUuid ra_iid_iactivation =
    RA_UUID_INIT(0x4d9f4ab8, 0x7d1c, 0x11cf, 0x86, 0x1e, 0x00, 0x20, 0xaf, 0x6e, 0x7c, 0x57);
const RaUuid ra_iid_iactivation_properties_in = RA_COM_GUID(0x000001a2);
const RaUuid ra_iid_iactivation_properties_out = RA_COM_GUID(0x000001a3);
const RaUuid ra_clsid_activation_properties_in = RA_COM_GUID(0x00000338);
const RaUuid ra_clsid_activation_properties_out = RA_COM_GUID(0x00000339);
const RaUuid ra_clsid_error_extension = RA_COM_GUID(0x0000031c);
const RaUuid ra_clsid_context_extension = RA_COM_GUID(0x00000334);

const RaSyntaxId ra_syntax_iremote_scm_activator = {RA_COM_GUID(0x000001a0), 0, 0};
const RaSyntaxId ra_syntax_iremunknown = {RA_COM_GUID(0x00000131), 0, 0};
const RaSyntaxId ra_syntax_iremunknown2 = {RA_COM_GUID(0x00000143), 0, 0};

typedef struct {
    guint32 time_low;
    const char *name;
} ComGuidName;

/* GUIDs of the form xxxxxxxx-0000-0000-c000-000000000046 ([MS-DCOM] 1.9). */
static const ComGuidName com_guid_names[] = {
    {0x00000000, "IID_IUnknown"},
    {0x00000001, "IID_IClassFactory"},
    {0x00020400, "IID_IDispatch"},
    {0x00000131, "IID_IRemUnknown"},
    {0x00000143, "IID_IRemUnknown2"},
    {0x000001a0, "IID_IRemoteSCMActivator"},
    {0x000001a2, "IID_IActivationPropertiesIn"},
    {0x000001a3, "IID_IActivationPropertiesOut"},
    {0x000001c0, "IID_IContext"},
    {0x00000338, "CLSID_ActivationPropertiesIn"},
    {0x00000339, "CLSID_ActivationPropertiesOut"},
    {0x0000031b, "CLSID_ErrorObject"},
    {0x0000031c, "CLSID_ERROR_EXTENSION"},
    {0x00000334, "CLSID_CONTEXT_EXTENSION"},
    {0x0000033b, "CLSID_ContextMarshaler"},
    {0x000001a4, "CLSID_ServerLocationInfo"},
    {0x000001a5, "CLSID_ActivationContextInfo"},
    {0x000001a6, "CLSID_SecurityInfo"},
    {0x000001aa, "CLSID_ScmRequestInfo"},
    {0x000001ab, "CLSID_InstantiationInfo"},
    {0x000001ad, "CLSID_InstanceInfo"},
    {0x000001b6, "CLSID_ScmReplyInfo"},
    {0x000001b9, "CLSID_SpecialSystemProperties"},
};

const char *ra_dcom_guid_name(const RaUuid *guid)
{
    static const RaUuid com_tail = RA_COM_GUID(0);
    if (ra_uuid_equal(guid, &ra_iid_iactivation))
        return "IID_IActivation";
    if (guid->time_mid != com_tail.time_mid ||
        guid->time_hi_and_version != com_tail.time_hi_and_version ||
        memcmp(guid->clock_seq, com_tail.clock_seq, 2) != 0 ||
        memcmp(guid->node, com_tail.node, 6) != 0)
        return NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(com_guid_names); i++) {
        if (com_guid_names[i].time_low == guid->time_low)
            return com_guid_names[i].name;
    }
    return NULL;
}

void ra_dcom_print_guid(RaNdrPrint *p, const char *name, const RaUuid *guid)
{
    char buf[RA_UUID_STRING_LEN + 1];
    const char *known = ra_dcom_guid_name(guid);
    if (known)
        ra_ndr_print_line(p, "%s: %s (%s)", name, ra_uuid_format(guid, buf), known);
    else
        ra_ndr_print_line(p, "%s: %s", name, ra_uuid_format(guid, buf));
}

/* ---- HRESULT names ---- */

typedef struct {
    guint32 value;
    const char *name;
} HresultName;

static const HresultName hresult_names[] = {
    {RA_S_OK, "S_OK"},
    {RA_S_FALSE, "S_FALSE"},
    {RA_E_NOTIMPL, "E_NOTIMPL"},
    {RA_E_NOINTERFACE, "E_NOINTERFACE"},
    {RA_E_POINTER, "E_POINTER"},
    {RA_E_FAIL, "E_FAIL"},
    {RA_E_UNEXPECTED, "E_UNEXPECTED"},
    {RA_E_ACCESSDENIED, "E_ACCESSDENIED"},
    {RA_E_OUTOFMEMORY, "E_OUTOFMEMORY"},
    {RA_E_INVALIDARG, "E_INVALIDARG"},
    {RA_CO_E_CLASSSTRING, "CO_E_CLASSSTRING"},
    {RA_REGDB_E_CLASSNOTREG, "REGDB_E_CLASSNOTREG"},
    {RA_CLASS_E_NOAGGREGATION, "CLASS_E_NOAGGREGATION"},
    {RA_RPC_E_VERSION_MISMATCH, "RPC_E_VERSION_MISMATCH"},
    {RA_RPC_E_INVALID_OXID, "RPC_E_INVALID_OXID"},
    {RA_RPC_E_DISCONNECTED, "RPC_E_DISCONNECTED"},
    {RA_RPC_E_INVALID_OBJECT, "RPC_E_INVALID_OBJECT"},
    {RA_CO_E_OBJNOTCONNECTED, "CO_E_OBJNOTCONNECTED"},
    {RA_RPC_E_INVALID_IPID, "RPC_E_INVALID_IPID"},
    {RA_CO_E_OBJNOTREG, "CO_E_OBJNOTREG"},
    {RA_DISP_E_NONAMEDARGS, "DISP_E_NONAMEDARGS"},
    {0x80020009u, "DISP_E_EXCEPTION"},
    {RA_HRESULT_ERROR_NO_SUCH_LOGON_SESSION, "ERROR_NO_SUCH_LOGON_SESSION"},
    {RA_DISP_E_UNKNOWNINTERFACE, "DISP_E_UNKNOWNINTERFACE"},
    {RA_DISP_E_MEMBERNOTFOUND, "DISP_E_MEMBERNOTFOUND"},
    {RA_DISP_E_PARAMNOTFOUND, "DISP_E_PARAMNOTFOUND"},
    {RA_DISP_E_TYPEMISMATCH, "DISP_E_TYPEMISMATCH"},
    {RA_DISP_E_UNKNOWNNAME, "DISP_E_UNKNOWNNAME"},
    {RA_DISP_E_BADPARAMCOUNT, "DISP_E_BADPARAMCOUNT"},
    {RA_DISP_E_BADINDEX, "DISP_E_BADINDEX"},
    {RA_DISP_E_PARAMNOTOPTIONAL, "DISP_E_PARAMNOTOPTIONAL"},
    {RA_HRESULT_ERROR_CANNOT_MAKE, "ERROR_CANNOT_MAKE"},
    {RA_HRESULT_ERROR_ACCESS_DISABLED_BY_POLICY, "ERROR_ACCESS_DISABLED_BY_POLICY"},
    {RA_HRESULT_ERROR_NONE_MAPPED, "ERROR_NONE_MAPPED"},
};

const char *ra_hresult_name(guint32 hresult)
{
    for (gsize i = 0; i < G_N_ELEMENTS(hresult_names); i++) {
        if (hresult_names[i].value == hresult)
            return hresult_names[i].name;
    }
    return NULL;
}

void ra_dcom_print_hresult(RaNdrPrint *p, const char *name, guint32 hresult)
{
    const char *known = ra_hresult_name(hresult);
    if (known)
        ra_ndr_print_line(p, "%s: 0x%08x (%s)", name, hresult, known);
    else
        ra_ndr_print_hex32(p, name, hresult);
}

/* ---- COMVERSION ---- */

gboolean ra_dcom_pull_comversion(RaNdrPull *ndr, int flags, RaComVersion *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_pull_ok(ndr);
    return ra_ndr_pull_u16(ndr, &r->major) && ra_ndr_pull_u16(ndr, &r->minor);
}

gboolean ra_dcom_push_comversion(RaNdrPush *ndr, int flags, const RaComVersion *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_push_ok(ndr);
    return ra_ndr_push_u16(ndr, r->major) && ra_ndr_push_u16(ndr, r->minor);
}

void ra_dcom_print_comversion(RaNdrPrint *p, const char *name, const RaComVersion *r)
{
    ra_ndr_print_begin(p, name, "struct", "COMVERSION");
    ra_ndr_print_u16(p, "MajorVersion", r->major);
    ra_ndr_print_u16(p, "MinorVersion", r->minor);
    ra_ndr_print_end(p);
}

/* ---- ORPC_EXTENT ([MS-DCOM] 2.2.13.1): a conformant structure ---- */

static guint64 round8(guint64 n)
{
    return (n + 7) & ~(guint64)7;
}

static gboolean pull_orpc_extent(RaNdrPull *ndr, RaOrpcExtent *e)
{
    guint32 max_count;
    if (!ra_ndr_pull_array_size(ndr, 1, &max_count) || !ra_ndr_pull_uuid(ndr, &e->id) ||
        !ra_ndr_pull_u32(ndr, &e->size))
        return FALSE;
    if (e->size > RA_DCOM_MAX_EXTENT_SIZE)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "ORPC_EXTENT of %u bytes", e->size);
    /* The array is (size + 7) & ~7 bytes ([MS-DCOM] 2.2.13.1). */
    if (max_count != round8(e->size))
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "ORPC_EXTENT size %u does not match its array of %u bytes", e->size,
                                max_count);
    return ra_ndr_pull_bytes_ref(ndr, max_count, &e->data);
}

static gboolean push_orpc_extent(RaNdrPush *ndr, const RaOrpcExtent *e)
{
    guint64 rounded = round8(e->size);
    if (rounded > G_MAXUINT32)
        return ra_ndr_push_fail(ndr, RA_ERROR_TOO_LARGE, "ORPC_EXTENT of %u bytes", e->size);
    return ra_ndr_push_array_size(ndr, (guint32)rounded) && ra_ndr_push_uuid(ndr, &e->id) &&
           ra_ndr_push_u32(ndr, e->size) && ra_ndr_push_bytes(ndr, e->data, e->size) &&
           ra_ndr_push_zeros(ndr, (gsize)(rounded - e->size));
}

static void print_orpc_extent(RaNdrPrint *p, const char *name, const RaOrpcExtent *e)
{
    ra_ndr_print_begin(p, name, "struct", "ORPC_EXTENT");
    ra_dcom_print_guid(p, "id", &e->id);
    ra_ndr_print_u32(p, "size", e->size);
    ra_ndr_print_bytes(p, "data", e->data, e->size);
    ra_ndr_print_end(p);
}

/* ---- ORPC_EXTENT_ARRAY ([MS-DCOM] 2.2.13.2) ---- */

gboolean ra_dcom_pull_orpc_extent_array(RaNdrPull *ndr, int flags, RaOrpcExtentArray *r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->size) ||
            !ra_ndr_pull_u32(ndr, &r->reserved) || !ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        r->n_extents = 0;
        /* A non-NULL placeholder until the buffers pass fills the array in. */
        r->extents = ptr ? ra_arena_alloc(ra_ndr_pull_arena(ndr), 0) : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && r->extents != NULL) {
        guint32 count;
        if (!ra_ndr_pull_array_size(ndr, 4, &count))
            return FALSE;
        /* size_is((size + 1) & ~1): the array holds at least `size` entries. */
        if (count < r->size || count != ((guint64)r->size + 1) / 2 * 2)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                    "ORPC_EXTENT_ARRAY of %u extents has an array of %u", r->size,
                                    count);
        guint32 *ptrs = ra_ndr_pull_alloc_array(ndr, count, sizeof(guint32), 4);
        RaOrpcExtent **extents = ra_ndr_pull_alloc_array(ndr, count, sizeof(RaOrpcExtent *), 4);
        if (ptrs == NULL || extents == NULL)
            return FALSE;
        for (guint32 i = 0; i < count; i++) {
            if (!ra_ndr_pull_ptr(ndr, &ptrs[i]))
                return FALSE;
        }
        for (guint32 i = 0; i < count; i++) {
            if (ptrs[i] == 0)
                continue;
            extents[i] = ra_arena_new0(ra_ndr_pull_arena(ndr), RaOrpcExtent);
            if (!pull_orpc_extent(ndr, extents[i]))
                return FALSE;
        }
        r->n_extents = count;
        r->extents = extents;
    }
    return ra_ndr_pull_ok(ndr);
}

gboolean ra_dcom_push_orpc_extent_array(RaNdrPush *ndr, int flags, const RaOrpcExtentArray *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->size) ||
            !ra_ndr_push_u32(ndr, r->reserved) || !ra_ndr_push_ptr(ndr, r->extents))
            return FALSE;
    }
    if ((flags & RA_NDR_BUFFERS) && r->extents != NULL) {
        guint32 count = (guint32)(((guint64)r->size + 1) / 2 * 2);
        if (r->n_extents > count)
            return ra_ndr_push_fail(ndr, RA_ERROR_MALFORMED,
                                    "ORPC_EXTENT_ARRAY of size %u with %u extents", r->size,
                                    r->n_extents);
        if (!ra_ndr_push_array_size(ndr, count))
            return FALSE;
        for (guint32 i = 0; i < count; i++) {
            const RaOrpcExtent *e = i < r->n_extents ? r->extents[i] : NULL;
            if (!ra_ndr_push_ptr(ndr, e))
                return FALSE;
        }
        for (guint32 i = 0; i < r->n_extents; i++) {
            if (r->extents[i] != NULL && !push_orpc_extent(ndr, r->extents[i]))
                return FALSE;
        }
    }
    return ra_ndr_push_ok(ndr);
}

void ra_dcom_print_orpc_extent_array(RaNdrPrint *p, const char *name, const RaOrpcExtentArray *r)
{
    ra_ndr_print_begin(p, name, "struct", "ORPC_EXTENT_ARRAY");
    ra_ndr_print_u32(p, "size", r->size);
    ra_ndr_print_u32(p, "reserved", r->reserved);
    if (r->extents == NULL) {
        ra_ndr_print_null(p, "extent");
    } else {
        ra_ndr_print_array_begin(p, "extent", r->n_extents);
        for (guint32 i = 0; i < r->n_extents; i++) {
            gchar *n = g_strdup_printf("[%u]", i);
            if (r->extents[i])
                print_orpc_extent(p, n, r->extents[i]);
            else
                ra_ndr_print_null(p, n);
            g_free(n);
        }
        ra_ndr_print_end(p);
    }
    ra_ndr_print_end(p);
}

/* A unique pointer to an ORPC_EXTENT_ARRAY, embedded in ORPCTHIS/ORPCTHAT. */
static gboolean pull_extensions_ptr(RaNdrPull *ndr, int flags, RaOrpcExtentArray **r)
{
    if (flags & RA_NDR_SCALARS) {
        guint32 ptr;
        if (!ra_ndr_pull_ptr(ndr, &ptr))
            return FALSE;
        *r = ptr ? ra_arena_new0(ra_ndr_pull_arena(ndr), RaOrpcExtentArray) : NULL;
    }
    if ((flags & RA_NDR_BUFFERS) && *r != NULL)
        return ra_dcom_pull_orpc_extent_array(ndr, RA_NDR_BOTH, *r);
    return ra_ndr_pull_ok(ndr);
}

static gboolean push_extensions_ptr(RaNdrPush *ndr, int flags, const RaOrpcExtentArray *r)
{
    if ((flags & RA_NDR_SCALARS) && !ra_ndr_push_ptr(ndr, r))
        return FALSE;
    if ((flags & RA_NDR_BUFFERS) && r != NULL)
        return ra_dcom_push_orpc_extent_array(ndr, RA_NDR_BOTH, r);
    return ra_ndr_push_ok(ndr);
}

static void print_extensions_ptr(RaNdrPrint *p, const RaOrpcExtentArray *r)
{
    if (r)
        ra_dcom_print_orpc_extent_array(p, "extensions", r);
    else
        ra_ndr_print_null(p, "extensions");
}

/* ---- ORPCTHIS / ORPCTHAT ([MS-DCOM] 2.2.13.3, 2.2.13.4) ---- */

gboolean ra_dcom_pull_orpcthis(RaNdrPull *ndr, int flags, RaOrpcThis *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_pull_align(ndr, 4) || !ra_dcom_pull_comversion(ndr, flags, &r->version) ||
            !ra_ndr_pull_u32(ndr, &r->flags) || !ra_ndr_pull_u32(ndr, &r->reserved1) ||
            !ra_ndr_pull_uuid(ndr, &r->cid))
            return FALSE;
    }
    return pull_extensions_ptr(ndr, flags, &r->extensions);
}

gboolean ra_dcom_push_orpcthis(RaNdrPush *ndr, int flags, const RaOrpcThis *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_dcom_push_comversion(ndr, flags, &r->version) ||
            !ra_ndr_push_u32(ndr, r->flags) || !ra_ndr_push_u32(ndr, r->reserved1) ||
            !ra_ndr_push_uuid(ndr, &r->cid))
            return FALSE;
    }
    return push_extensions_ptr(ndr, flags, r->extensions);
}

void ra_dcom_print_orpcthis(RaNdrPrint *p, const char *name, const RaOrpcThis *r)
{
    ra_ndr_print_begin(p, name, "struct", "ORPCTHIS");
    ra_dcom_print_comversion(p, "version", &r->version);
    ra_ndr_print_u32(p, "flags", r->flags);
    ra_ndr_print_u32(p, "reserved1", r->reserved1);
    ra_ndr_print_uuid(p, "cid", &r->cid);
    print_extensions_ptr(p, r->extensions);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_orpcthat(RaNdrPull *ndr, int flags, RaOrpcThat *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_pull_align(ndr, 4) || !ra_ndr_pull_u32(ndr, &r->flags))
            return FALSE;
    }
    return pull_extensions_ptr(ndr, flags, &r->extensions);
}

gboolean ra_dcom_push_orpcthat(RaNdrPush *ndr, int flags, const RaOrpcThat *r)
{
    if (flags & RA_NDR_SCALARS) {
        if (!ra_ndr_push_align(ndr, 4) || !ra_ndr_push_u32(ndr, r->flags))
            return FALSE;
    }
    return push_extensions_ptr(ndr, flags, r->extensions);
}

void ra_dcom_print_orpcthat(RaNdrPrint *p, const char *name, const RaOrpcThat *r)
{
    ra_ndr_print_begin(p, name, "struct", "ORPCTHAT");
    ra_ndr_print_u32(p, "flags", r->flags);
    print_extensions_ptr(p, r->extensions);
    ra_ndr_print_end(p);
}

void ra_orpcthis_init(RaOrpcThis *r)
{
    memset(r, 0, sizeof *r);
    r->version.major = RA_COM_VERSION_MAJOR;
    r->version.minor = RA_COM_VERSION_MINOR;
    ra_uuid_generate(&r->cid);
}

/* ---- STDOBJREF (NDR form) ---- */

gboolean ra_dcom_pull_stdobjref(RaNdrPull *ndr, int flags, RaStdObjRef *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_pull_ok(ndr);
    return ra_ndr_pull_align(ndr, 8) && ra_ndr_pull_u32(ndr, &r->flags) &&
           ra_ndr_pull_u32(ndr, &r->public_refs) && ra_ndr_pull_u64(ndr, &r->oxid) &&
           ra_ndr_pull_u64(ndr, &r->oid) && ra_ndr_pull_uuid(ndr, &r->ipid);
}

gboolean ra_dcom_push_stdobjref(RaNdrPush *ndr, int flags, const RaStdObjRef *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_push_ok(ndr);
    return ra_ndr_push_align(ndr, 8) && ra_ndr_push_u32(ndr, r->flags) &&
           ra_ndr_push_u32(ndr, r->public_refs) && ra_ndr_push_u64(ndr, r->oxid) &&
           ra_ndr_push_u64(ndr, r->oid) && ra_ndr_push_uuid(ndr, &r->ipid);
}

void ra_dcom_print_stdobjref(RaNdrPrint *p, const char *name, const RaStdObjRef *r)
{
    ra_ndr_print_begin(p, name, "struct", "STDOBJREF");
    ra_ndr_print_line(p, "flags: %u (0x%x)%s", r->flags, r->flags,
                      (r->flags & RA_SORF_NOPING) ? " SORF_NOPING" : "");
    ra_ndr_print_u32(p, "cPublicRefs", r->public_refs);
    ra_ndr_print_line(p, "oxid: 0x%016" G_GINT64_MODIFIER "x", r->oxid);
    ra_ndr_print_line(p, "oid: 0x%016" G_GINT64_MODIFIER "x", r->oid);
    ra_ndr_print_uuid(p, "ipid", &r->ipid);
    ra_ndr_print_end(p);
}

/* ---- DUALSTRINGARRAY, NDR form ---- */

gboolean ra_dcom_pull_dsa(RaNdrPull *ndr, int flags, RaDualStringArray *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_pull_ok(ndr);
    guint32 max_count;
    guint16 n_entries, security_offset;
    const guint8 *units;
    if (!ra_ndr_pull_array_size(ndr, 2, &max_count) || !ra_ndr_pull_u16(ndr, &n_entries) ||
        !ra_ndr_pull_u16(ndr, &security_offset))
        return FALSE;
    if (max_count != n_entries)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "DUALSTRINGARRAY of %u entries has an array of %u", n_entries,
                                max_count);
    if (n_entries > RA_DCOM_MAX_DSA_ENTRIES)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "DUALSTRINGARRAY of %u entries",
                                n_entries);
    if (!ra_ndr_pull_align(ndr, 2) || !ra_ndr_pull_bytes_ref(ndr, 2 * (gsize)n_entries, &units))
        return FALSE;
    GError *error = NULL;
    if (!ra_dsa_parse(units, n_entries, security_offset, ra_ndr_pull_arena(ndr), r, &error)) {
        ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "DUALSTRINGARRAY: %s", error->message);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

gboolean ra_dcom_push_dsa(RaNdrPush *ndr, int flags, const RaDualStringArray *r)
{
    if (!(flags & RA_NDR_SCALARS))
        return ra_ndr_push_ok(ndr);
    GError *error = NULL;
    GBytes *packed = ra_dsa_build(r, &error);
    if (packed == NULL) {
        ra_ndr_push_fail(ndr, (RaError)error->code, "DUALSTRINGARRAY: %s", error->message);
        g_error_free(error);
        return FALSE;
    }
    gsize len;
    const guint8 *data = g_bytes_get_data(packed, &len);
    /* The packed form starts with wNumEntries, which is also the conformance. */
    guint16 n_entries = ra_le16(data);
    gboolean ok = ra_ndr_push_array_size(ndr, n_entries) && ra_ndr_push_bytes(ndr, data, len);
    g_bytes_unref(packed);
    return ok;
}

void ra_dcom_print_dsa(RaNdrPrint *p, const char *name, const RaDualStringArray *r)
{
    ra_ndr_print_begin(p, name, "struct", "DUALSTRINGARRAY");
    ra_ndr_print_array_begin(p, "StringBindings", r->n_strings);
    for (guint i = 0; i < r->n_strings; i++)
        ra_ndr_print_line(p, "[%u]: tower 0x%04x \"%s\"", i, r->strings[i].tower_id,
                          r->strings[i].address);
    ra_ndr_print_end(p);
    ra_ndr_print_array_begin(p, "SecurityBindings", r->n_security);
    for (guint i = 0; i < r->n_security; i++)
        ra_ndr_print_line(p, "[%u]: authn %u \"%s\"", i, r->security[i].authn_svc,
                          r->security[i].principal ? r->security[i].principal : "");
    ra_ndr_print_end(p);
    ra_ndr_print_end(p);
}

/* ---- OBJREF: a hand-marshaled little-endian byte array ---- */

typedef struct {
    const guint8 *data;
    gsize len;
    gsize off;
    GError **error;
    gboolean ok;
} Reader;

static gboolean rd_fail(Reader *r, RaError code, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean rd_fail(Reader *r, RaError code, const char *format, ...)
{
    if (!r->ok)
        return FALSE;
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error(r->error, RA_ERROR, code, "OBJREF offset 0x%" G_GSIZE_MODIFIER "x: %s", r->off,
                msg);
    g_free(msg);
    r->ok = FALSE;
    return FALSE;
}

static const guint8 *rd_take(Reader *r, gsize n, const char *what)
{
    if (!r->ok)
        return NULL;
    if (n > r->len - r->off) {
        rd_fail(r, RA_ERROR_MALFORMED,
                "%s: %" G_GSIZE_FORMAT " bytes needed, %" G_GSIZE_FORMAT " left", what, n,
                r->len - r->off);
        return NULL;
    }
    const guint8 *p = r->data + r->off;
    r->off += n;
    return p;
}

static guint16 rd_u16(Reader *r, const char *what)
{
    const guint8 *p = rd_take(r, 2, what);
    return p ? ra_le16(p) : 0;
}

static guint32 rd_u32(Reader *r, const char *what)
{
    const guint8 *p = rd_take(r, 4, what);
    return p ? ra_le32(p) : 0;
}

static guint64 rd_u64(Reader *r, const char *what)
{
    guint64 lo = rd_u32(r, what);
    guint64 hi = rd_u32(r, what);
    return lo | hi << 32;
}

static void rd_uuid(Reader *r, RaUuid *out, const char *what)
{
    const guint8 *p = rd_take(r, 16, what);
    if (p)
        ra_uuid_from_le(p, out);
    else
        memset(out, 0, sizeof *out);
}

static void rd_std(Reader *r, RaStdObjRef *std)
{
    std->flags = rd_u32(r, "STDOBJREF.flags");
    std->public_refs = rd_u32(r, "STDOBJREF.cPublicRefs");
    std->oxid = rd_u64(r, "STDOBJREF.oxid");
    std->oid = rd_u64(r, "STDOBJREF.oid");
    rd_uuid(r, &std->ipid, "STDOBJREF.ipid");
}

/* The packed DUALSTRINGARRAY ([MS-DCOM] 2.2.19.1): wNumEntries, wSecurityOffset, the entries. */
static void rd_dsa(Reader *r, RaArena *arena, RaDualStringArray *dsa)
{
    guint16 n_entries = rd_u16(r, "saResAddr.wNumEntries");
    guint16 security_offset = rd_u16(r, "saResAddr.wSecurityOffset");
    if (!r->ok)
        return;
    if (n_entries > RA_DCOM_MAX_DSA_ENTRIES) {
        rd_fail(r, RA_ERROR_TOO_LARGE, "DUALSTRINGARRAY of %u entries", n_entries);
        return;
    }
    const guint8 *units = rd_take(r, 2 * (gsize)n_entries, "saResAddr.aStringArray");
    if (units == NULL)
        return;
    GError *local = NULL;
    if (!ra_dsa_parse(units, n_entries, security_offset, arena, dsa, &local)) {
        rd_fail(r, RA_ERROR_MALFORMED, "DUALSTRINGARRAY: %s", local->message);
        g_error_free(local);
    }
}

gboolean ra_objref_parse(const guint8 *data, gsize len, RaArena *arena, RaObjRef *out,
                         GError **error)
{
    Reader r = {data, len, 0, error, TRUE};
    memset(out, 0, sizeof *out);
    guint32 signature = rd_u32(&r, "signature");
    if (r.ok && signature != RA_OBJREF_SIGNATURE)
        return rd_fail(&r, RA_ERROR_MALFORMED, "signature 0x%08x, expected 0x%08x ('MEOW')",
                       signature, RA_OBJREF_SIGNATURE);
    out->flags = rd_u32(&r, "flags");
    rd_uuid(&r, &out->iid, "iid");
    if (!r.ok)
        return FALSE;
    /* [MS-DCOM] 2.2.18.1: flags MUST be ONE of the four values; iid MUST NOT be GUID_NULL. */
    if (out->flags != RA_OBJREF_STANDARD && out->flags != RA_OBJREF_HANDLER &&
        out->flags != RA_OBJREF_CUSTOM && out->flags != RA_OBJREF_EXTENDED)
        return rd_fail(&r, RA_ERROR_MALFORMED, "flags 0x%08x are not one OBJREF form", out->flags);
    if (ra_uuid_is_nil(&out->iid))
        return rd_fail(&r, RA_ERROR_MALFORMED, "iid is GUID_NULL");
    switch (out->flags) {
    case RA_OBJREF_STANDARD: /* [MS-DCOM] 2.2.18.4 */
        rd_std(&r, &out->std);
        rd_dsa(&r, arena, &out->res_addr);
        break;
    case RA_OBJREF_HANDLER: /* 2.2.18.5 */
        rd_std(&r, &out->std);
        rd_uuid(&r, &out->clsid, "clsid");
        rd_dsa(&r, arena, &out->res_addr);
        break;
    case RA_OBJREF_CUSTOM: /* 2.2.18.6 */
        rd_uuid(&r, &out->clsid, "clsid");
        out->cb_extension = rd_u32(&r, "cbExtension");
        out->reserved = rd_u32(&r, "reserved");
        if (r.ok) {
            out->object_data = data + r.off;
            out->object_data_len = len - r.off;
            r.off = len;
        }
        break;
    case RA_OBJREF_EXTENDED: { /* 2.2.18.7 */
        rd_std(&r, &out->std);
        guint32 sig1 = rd_u32(&r, "Signature1");
        if (r.ok && sig1 != RA_OBJREF_EXTENDED_SIGNATURE)
            return rd_fail(&r, RA_ERROR_MALFORMED, "Signature1 0x%08x, expected 0x%08x", sig1,
                           RA_OBJREF_EXTENDED_SIGNATURE);
        rd_dsa(&r, arena, &out->res_addr);
        out->n_elements = rd_u32(&r, "nElms");
        guint32 sig2 = rd_u32(&r, "Signature2");
        if (!r.ok)
            return FALSE;
        if (sig2 != RA_OBJREF_EXTENDED_SIGNATURE)
            return rd_fail(&r, RA_ERROR_MALFORMED, "Signature2 0x%08x, expected 0x%08x", sig2,
                           RA_OBJREF_EXTENDED_SIGNATURE);
        if (out->n_elements != 1)
            return rd_fail(&r, RA_ERROR_MALFORMED, "nElms %u, must be 1", out->n_elements);
        out->elements = ra_arena_new0(arena, RaDataElement);
        RaDataElement *e = out->elements;
        rd_uuid(&r, &e->data_id, "ElmArray.dataID");
        e->size = rd_u32(&r, "ElmArray.cbSize");
        e->rounded_size = rd_u32(&r, "ElmArray.cbRounded");
        if (r.ok && (e->rounded_size < e->size || e->rounded_size != round8(e->size)))
            return rd_fail(&r, RA_ERROR_MALFORMED, "DATAELEMENT cbSize %u, cbRounded %u", e->size,
                           e->rounded_size);
        e->data = rd_take(&r, e->rounded_size, "ElmArray.Data");
        break;
    }
    }
    return r.ok;
}

static void put_u32(GByteArray *b, guint32 v)
{
    guint8 x[4];
    ra_put_le32(x, v);
    g_byte_array_append(b, x, 4);
}

static void put_u64(GByteArray *b, guint64 v)
{
    put_u32(b, (guint32)v);
    put_u32(b, (guint32)(v >> 32));
}

static void put_uuid(GByteArray *b, const RaUuid *u)
{
    guint8 x[16];
    ra_uuid_to_le(u, x);
    g_byte_array_append(b, x, 16);
}

static void put_std(GByteArray *b, const RaStdObjRef *std)
{
    put_u32(b, std->flags);
    put_u32(b, std->public_refs);
    put_u64(b, std->oxid);
    put_u64(b, std->oid);
    put_uuid(b, &std->ipid);
}

static gboolean put_dsa(GByteArray *b, const RaDualStringArray *dsa, GError **error)
{
    GBytes *packed = ra_dsa_build(dsa, error);
    if (packed == NULL)
        return FALSE;
    gsize len;
    const guint8 *data = g_bytes_get_data(packed, &len);
    g_byte_array_append(b, data, (guint)len);
    g_bytes_unref(packed);
    return TRUE;
}

GBytes *ra_objref_build(const RaObjRef *r, GError **error)
{
    GByteArray *b = g_byte_array_new();
    put_u32(b, RA_OBJREF_SIGNATURE);
    put_u32(b, r->flags);
    put_uuid(b, &r->iid);
    gboolean ok = TRUE;
    switch (r->flags) {
    case RA_OBJREF_STANDARD:
        put_std(b, &r->std);
        ok = put_dsa(b, &r->res_addr, error);
        break;
    case RA_OBJREF_HANDLER:
        put_std(b, &r->std);
        put_uuid(b, &r->clsid);
        ok = put_dsa(b, &r->res_addr, error);
        break;
    case RA_OBJREF_CUSTOM:
        put_uuid(b, &r->clsid);
        put_u32(b, r->cb_extension);
        put_u32(b, r->reserved);
        if (r->object_data_len)
            g_byte_array_append(b, r->object_data, (guint)r->object_data_len);
        break;
    case RA_OBJREF_EXTENDED:
        put_std(b, &r->std);
        put_u32(b, RA_OBJREF_EXTENDED_SIGNATURE);
        ok = put_dsa(b, &r->res_addr, error);
        if (ok && (r->n_elements != 1 || r->elements == NULL)) {
            g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED,
                        "OBJREF_EXTENDED needs exactly one DATAELEMENT");
            ok = FALSE;
        }
        if (ok) {
            const RaDataElement *e = r->elements;
            put_u32(b, 1);
            put_u32(b, RA_OBJREF_EXTENDED_SIGNATURE);
            put_uuid(b, &e->data_id);
            put_u32(b, e->size);
            put_u32(b, (guint32)round8(e->size));
            g_byte_array_append(b, e->data, e->size);
            static const guint8 zeros[8];
            g_byte_array_append(b, zeros, (guint)(round8(e->size) - e->size));
        }
        break;
    default:
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "OBJREF flags 0x%08x are not one form",
                    r->flags);
        ok = FALSE;
    }
    if (!ok) {
        g_byte_array_unref(b);
        return NULL;
    }
    return g_byte_array_free_to_bytes(b);
}

void ra_objref_print(RaNdrPrint *p, const char *name, const RaObjRef *r)
{
    static const char *const forms[] = {NULL, "OBJREF_STANDARD", "OBJREF_HANDLER", NULL,
                                        "OBJREF_CUSTOM"};
    const char *form = r->flags == RA_OBJREF_EXTENDED   ? "OBJREF_EXTENDED"
                       : r->flags < G_N_ELEMENTS(forms) ? forms[r->flags]
                                                        : NULL;
    ra_ndr_print_begin(p, name, "struct", "OBJREF");
    ra_ndr_print_line(p, "flags: %u (%s)", r->flags, form ? form : "unknown");
    ra_dcom_print_guid(p, "iid", &r->iid);
    switch (r->flags) {
    case RA_OBJREF_STANDARD:
    case RA_OBJREF_HANDLER:
    case RA_OBJREF_EXTENDED:
        ra_dcom_print_stdobjref(p, "std", &r->std);
        if (r->flags == RA_OBJREF_HANDLER)
            ra_dcom_print_guid(p, "clsid", &r->clsid);
        ra_dcom_print_dsa(p, "saResAddr", &r->res_addr);
        if (r->flags == RA_OBJREF_EXTENDED && r->elements) {
            ra_ndr_print_u32(p, "nElms", r->n_elements);
            ra_ndr_print_begin(p, "ElmArray", "struct", "DATAELEMENT");
            ra_dcom_print_guid(p, "dataID", &r->elements->data_id);
            ra_ndr_print_u32(p, "cbSize", r->elements->size);
            ra_ndr_print_u32(p, "cbRounded", r->elements->rounded_size);
            ra_ndr_print_bytes(p, "Data", r->elements->data, r->elements->size);
            ra_ndr_print_end(p);
        }
        break;
    case RA_OBJREF_CUSTOM:
        ra_dcom_print_guid(p, "clsid", &r->clsid);
        ra_ndr_print_u32(p, "cbExtension", r->cb_extension);
        ra_ndr_print_u32(p, "reserved", r->reserved);
        ra_ndr_print_line(p, "pObjectData: %" G_GSIZE_FORMAT " bytes", r->object_data_len);
        break;
    default:
        break;
    }
    ra_ndr_print_end(p);
}

gboolean ra_objref_standard_to_mip(const RaUuid *iid, const RaStdObjRef *std,
                                   const RaDualStringArray *res_addr, RaArena *arena,
                                   RaInterfacePointer *out, GError **error)
{
    RaObjRef ref = {0};
    ref.flags = RA_OBJREF_STANDARD;
    ref.iid = *iid;
    ref.std = *std;
    ref.res_addr = *res_addr;
    GBytes *bytes = ra_objref_build(&ref, error);
    if (bytes == NULL)
        return FALSE;
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    out->size = (guint32)len;
    out->data = ra_arena_memdup(arena, data, len);
    g_bytes_unref(bytes);
    return TRUE;
}

/* ---- helpers for the calls ---- */

/* A top-level [in, size_is(n)] IID* array (ref pointer: conformance + elements). */
static gboolean pull_iid_array(RaNdrPull *ndr, guint16 n, RaUuid **out)
{
    guint32 max_count;
    if (!ra_ndr_pull_array_size(ndr, 16, &max_count))
        return FALSE;
    if (max_count != n)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%u IIDs announced, array of %u", n,
                                max_count);
    RaUuid *iids = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(RaUuid), 16);
    if (iids == NULL)
        return FALSE;
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_ndr_pull_uuid(ndr, &iids[i]))
            return FALSE;
    }
    *out = iids;
    return TRUE;
}

static gboolean push_iid_array(RaNdrPush *ndr, guint16 n, const RaUuid *iids)
{
    if (!ra_ndr_push_array_size(ndr, n))
        return FALSE;
    for (guint16 i = 0; i < n; i++) {
        if (!ra_ndr_push_uuid(ndr, &iids[i]))
            return FALSE;
    }
    return TRUE;
}

static void print_iid_array(RaNdrPrint *p, const char *name, guint16 n, const RaUuid *iids)
{
    ra_ndr_print_array_begin(p, name, n);
    for (guint16 i = 0; i < n; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_dcom_print_guid(p, e, &iids[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
}

static gboolean check_count(RaNdrPull *ndr, const char *what, guint32 n)
{
    if (n > RA_DCOM_MAX_IIDS)
        return ra_ndr_pull_fail(ndr, RA_ERROR_TOO_LARGE, "%s %u over the limit of %u", what, n,
                                RA_DCOM_MAX_IIDS);
    return TRUE;
}

/* ---- RemQueryInterface ([MS-DCOM] 3.1.1.5.6.1.1) ---- */

gboolean ra_dcom_pull_remqueryinterface_in(RaNdrPull *ndr, RaRemQueryInterfaceIn *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_ndr_pull_uuid(ndr, &r->ripid) && ra_ndr_pull_u32(ndr, &r->refs) &&
           ra_ndr_pull_u16(ndr, &r->n_iids) && check_count(ndr, "cIids", r->n_iids) &&
           pull_iid_array(ndr, r->n_iids, &r->iids);
}

gboolean ra_dcom_push_remqueryinterface_in(RaNdrPush *ndr, const RaRemQueryInterfaceIn *r)
{
    return ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_ndr_push_uuid(ndr, &r->ripid) && ra_ndr_push_u32(ndr, r->refs) &&
           ra_ndr_push_u16(ndr, r->n_iids) && push_iid_array(ndr, r->n_iids, r->iids);
}

void ra_dcom_print_remqueryinterface_in(RaNdrPrint *p, const char *name,
                                        const RaRemQueryInterfaceIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemQueryInterface_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_ndr_print_uuid(p, "ripid", &r->ripid);
    ra_ndr_print_u32(p, "cRefs", r->refs);
    ra_ndr_print_u16(p, "cIids", r->n_iids);
    print_iid_array(p, "iids", r->n_iids, r->iids);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remqueryinterface_out(RaNdrPull *ndr, RaRemQueryInterfaceOut *r)
{
    guint16 n = r->n_results;
    memset(r, 0, sizeof *r);
    r->n_results = n;
    guint32 ptr;
    if (!ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) || !ra_ndr_pull_ptr(ndr, &ptr))
        return FALSE;
    if (ptr != 0) {
        guint32 max_count;
        if (!ra_ndr_pull_array_size(ndr, 48, &max_count))
            return FALSE;
        if (max_count != n)
            return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                    "%u REMQIRESULTs for a request of %u IIDs", max_count, n);
        r->results = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(RaRemQiResult), 48);
        if (r->results == NULL)
            return FALSE;
        for (guint32 i = 0; i < max_count; i++) {
            /* REMQIRESULT: HRESULT, STDOBJREF; aligned to 8 for the STDOBJREF's hypers. */
            if (!ra_ndr_pull_align(ndr, 8) || !ra_ndr_pull_u32(ndr, &r->results[i].hresult) ||
                !ra_dcom_pull_stdobjref(ndr, RA_NDR_BOTH, &r->results[i].std))
                return FALSE;
        }
    }
    return ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dcom_push_remqueryinterface_out(RaNdrPush *ndr, const RaRemQueryInterfaceOut *r)
{
    if (!ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) || !ra_ndr_push_ptr(ndr, r->results))
        return FALSE;
    if (r->results != NULL) {
        if (!ra_ndr_push_array_size(ndr, r->n_results))
            return FALSE;
        for (guint16 i = 0; i < r->n_results; i++) {
            if (!ra_ndr_push_align(ndr, 8) || !ra_ndr_push_u32(ndr, r->results[i].hresult) ||
                !ra_dcom_push_stdobjref(ndr, RA_NDR_BOTH, &r->results[i].std))
                return FALSE;
        }
    }
    return ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dcom_print_remqueryinterface_out(RaNdrPrint *p, const char *name,
                                         const RaRemQueryInterfaceOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemQueryInterface_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    if (r->results == NULL) {
        ra_ndr_print_null(p, "ppQIResults");
    } else {
        ra_ndr_print_array_begin(p, "ppQIResults", r->n_results);
        for (guint16 i = 0; i < r->n_results; i++) {
            gchar *e = g_strdup_printf("[%u]", i);
            ra_ndr_print_begin(p, e, "struct", "REMQIRESULT");
            ra_dcom_print_hresult(p, "hResult", r->results[i].hresult);
            ra_dcom_print_stdobjref(p, "std", &r->results[i].std);
            ra_ndr_print_end(p);
            g_free(e);
        }
        ra_ndr_print_end(p);
    }
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}

/* ---- RemAddRef / RemRelease ([MS-DCOM] 3.1.1.5.6.1.2-3) ---- */

gboolean ra_dcom_pull_remaddref_in(RaNdrPull *ndr, RaRemAddRefIn *r)
{
    memset(r, 0, sizeof *r);
    guint32 max_count;
    if (!ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) ||
        !ra_ndr_pull_u16(ndr, &r->n_refs) || !check_count(ndr, "cInterfaceRefs", r->n_refs) ||
        !ra_ndr_pull_array_size(ndr, 24, &max_count))
        return FALSE;
    if (max_count != r->n_refs)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED,
                                "%u interface references announced, array of %u", r->n_refs,
                                max_count);
    r->refs = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(RaRemInterfaceRef), 24);
    if (r->refs == NULL)
        return FALSE;
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_ndr_pull_uuid(ndr, &r->refs[i].ipid) ||
            !ra_ndr_pull_u32(ndr, &r->refs[i].public_refs) ||
            !ra_ndr_pull_u32(ndr, &r->refs[i].private_refs))
            return FALSE;
    }
    return TRUE;
}

gboolean ra_dcom_push_remaddref_in(RaNdrPush *ndr, const RaRemAddRefIn *r)
{
    if (!ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) ||
        !ra_ndr_push_u16(ndr, r->n_refs) || !ra_ndr_push_array_size(ndr, r->n_refs))
        return FALSE;
    for (guint16 i = 0; i < r->n_refs; i++) {
        if (!ra_ndr_push_uuid(ndr, &r->refs[i].ipid) ||
            !ra_ndr_push_u32(ndr, r->refs[i].public_refs) ||
            !ra_ndr_push_u32(ndr, r->refs[i].private_refs))
            return FALSE;
    }
    return TRUE;
}

void ra_dcom_print_remaddref_in(RaNdrPrint *p, const char *name, const RaRemAddRefIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemAddRef_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_ndr_print_u16(p, "cInterfaceRefs", r->n_refs);
    ra_ndr_print_array_begin(p, "InterfaceRefs", r->n_refs);
    for (guint16 i = 0; i < r->n_refs; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_ndr_print_begin(p, e, "struct", "REMINTERFACEREF");
        ra_ndr_print_uuid(p, "ipid", &r->refs[i].ipid);
        ra_ndr_print_u32(p, "cPublicRefs", r->refs[i].public_refs);
        ra_ndr_print_u32(p, "cPrivateRefs", r->refs[i].private_refs);
        ra_ndr_print_end(p);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remaddref_out(RaNdrPull *ndr, RaRemAddRefOut *r)
{
    guint16 n = r->n_results;
    memset(r, 0, sizeof *r);
    r->n_results = n;
    guint32 max_count;
    if (!ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) ||
        !ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != n)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%u results for %u references", max_count,
                                n);
    return ra_ndr_pull_u32_array(ndr, max_count, &r->results) && ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dcom_push_remaddref_out(RaNdrPush *ndr, const RaRemAddRefOut *r)
{
    return ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_ndr_push_array_size(ndr, r->n_results) &&
           ra_ndr_push_u32_array(ndr, r->results, r->n_results) && ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dcom_print_remaddref_out(RaNdrPrint *p, const char *name, const RaRemAddRefOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemAddRef_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    ra_ndr_print_array_begin(p, "pResults", r->n_results);
    for (guint16 i = 0; i < r->n_results; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_dcom_print_hresult(p, e, r->results[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remrelease_out(RaNdrPull *ndr, RaRemReleaseOut *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dcom_push_remrelease_out(RaNdrPush *ndr, const RaRemReleaseOut *r)
{
    return ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dcom_print_remrelease_out(RaNdrPrint *p, const char *name, const RaRemReleaseOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemRelease_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}

/* ---- RemQueryInterface2 ([MS-DCOM] 3.1.1.5.7.1) ---- */

gboolean ra_dcom_pull_remqueryinterface2_in(RaNdrPull *ndr, RaRemQueryInterface2In *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_ndr_pull_uuid(ndr, &r->ripid) && ra_ndr_pull_u16(ndr, &r->n_iids) &&
           check_count(ndr, "cIids", r->n_iids) && pull_iid_array(ndr, r->n_iids, &r->iids);
}

gboolean ra_dcom_push_remqueryinterface2_in(RaNdrPush *ndr, const RaRemQueryInterface2In *r)
{
    return ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_ndr_push_uuid(ndr, &r->ripid) && ra_ndr_push_u16(ndr, r->n_iids) &&
           push_iid_array(ndr, r->n_iids, r->iids);
}

void ra_dcom_print_remqueryinterface2_in(RaNdrPrint *p, const char *name,
                                         const RaRemQueryInterface2In *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemQueryInterface2_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_ndr_print_uuid(p, "ripid", &r->ripid);
    ra_ndr_print_u16(p, "cIids", r->n_iids);
    print_iid_array(p, "iids", r->n_iids, r->iids);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remqueryinterface2_out(RaNdrPull *ndr, RaRemQueryInterface2Out *r)
{
    guint16 n = r->n_iids;
    memset(r, 0, sizeof *r);
    r->n_iids = n;
    guint32 max_count;
    if (!ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) ||
        !ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != n)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%u HRESULTs for %u IIDs", max_count, n);
    if (!ra_ndr_pull_u32_array(ndr, max_count, &r->hresults) ||
        !ra_ndr_pull_array_size(ndr, 4, &max_count))
        return FALSE;
    if (max_count != n)
        return ra_ndr_pull_fail(ndr, RA_ERROR_MALFORMED, "%u interface pointers for %u IIDs",
                                max_count, n);
    r->mifs = ra_ndr_pull_alloc_array(ndr, max_count, sizeof(RaInterfacePointer *), 4);
    if (r->mifs == NULL)
        return FALSE;
    /* An array of unique pointers: all referent IDs, then the referents. */
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_oaut_pull_interface_ptr(ndr, RA_NDR_SCALARS, &r->mifs[i]))
            return FALSE;
    }
    for (guint32 i = 0; i < max_count; i++) {
        if (!ra_oaut_pull_interface_ptr(ndr, RA_NDR_BUFFERS, &r->mifs[i]))
            return FALSE;
    }
    return ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dcom_push_remqueryinterface2_out(RaNdrPush *ndr, const RaRemQueryInterface2Out *r)
{
    if (!ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) ||
        !ra_ndr_push_array_size(ndr, r->n_iids) ||
        !ra_ndr_push_u32_array(ndr, r->hresults, r->n_iids) ||
        !ra_ndr_push_array_size(ndr, r->n_iids))
        return FALSE;
    for (guint16 i = 0; i < r->n_iids; i++) {
        if (!ra_oaut_push_interface_ptr(ndr, RA_NDR_SCALARS, r->mifs ? r->mifs[i] : NULL))
            return FALSE;
    }
    for (guint16 i = 0; i < r->n_iids; i++) {
        if (!ra_oaut_push_interface_ptr(ndr, RA_NDR_BUFFERS, r->mifs ? r->mifs[i] : NULL))
            return FALSE;
    }
    return ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dcom_print_remqueryinterface2_out(RaNdrPrint *p, const char *name,
                                          const RaRemQueryInterface2Out *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemQueryInterface2_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    ra_ndr_print_array_begin(p, "phr", r->n_iids);
    for (guint16 i = 0; i < r->n_iids; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_dcom_print_hresult(p, e, r->hresults[i]);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_ndr_print_array_begin(p, "ppMIF", r->n_iids);
    for (guint16 i = 0; i < r->n_iids; i++) {
        gchar *e = g_strdup_printf("[%u]", i);
        ra_oaut_print_interface_ptr(p, e, r->mifs ? r->mifs[i] : NULL);
        g_free(e);
    }
    ra_ndr_print_end(p);
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}

/* ---- IRemoteSCMActivator ---- */

gboolean ra_dcom_pull_remotegetclassobject_in(RaNdrPull *ndr, RaRemoteGetClassObjectIn *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->act_properties);
}

gboolean ra_dcom_push_remotegetclassobject_in(RaNdrPush *ndr, const RaRemoteGetClassObjectIn *r)
{
    return ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->act_properties);
}

void ra_dcom_print_remotegetclassobject_in(RaNdrPrint *p, const char *name,
                                           const RaRemoteGetClassObjectIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemoteGetClassObject_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_oaut_print_interface_ptr(p, "pActProperties", r->act_properties);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remotecreateinstance_in(RaNdrPull *ndr, RaRemoteCreateInstanceIn *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->unk_outer) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->act_properties);
}

gboolean ra_dcom_push_remotecreateinstance_in(RaNdrPush *ndr, const RaRemoteCreateInstanceIn *r)
{
    return ra_dcom_push_orpcthis(ndr, RA_NDR_BOTH, &r->orpcthis) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->unk_outer) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->act_properties);
}

void ra_dcom_print_remotecreateinstance_in(RaNdrPrint *p, const char *name,
                                           const RaRemoteCreateInstanceIn *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemoteCreateInstance_in");
    ra_dcom_print_orpcthis(p, "ORPCthis", &r->orpcthis);
    ra_oaut_print_interface_ptr(p, "pUnkOuter", r->unk_outer);
    ra_oaut_print_interface_ptr(p, "pActProperties", r->act_properties);
    ra_ndr_print_end(p);
}

gboolean ra_dcom_pull_remoteactivation_out(RaNdrPull *ndr, RaRemoteActivationOut *r)
{
    memset(r, 0, sizeof *r);
    return ra_dcom_pull_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_oaut_pull_interface_ptr(ndr, RA_NDR_BOTH, &r->act_properties) &&
           ra_ndr_pull_u32(ndr, &r->hresult);
}

gboolean ra_dcom_push_remoteactivation_out(RaNdrPush *ndr, const RaRemoteActivationOut *r)
{
    return ra_dcom_push_orpcthat(ndr, RA_NDR_BOTH, &r->orpcthat) &&
           ra_oaut_push_interface_ptr(ndr, RA_NDR_BOTH, r->act_properties) &&
           ra_ndr_push_u32(ndr, r->hresult);
}

void ra_dcom_print_remoteactivation_out(RaNdrPrint *p, const char *name,
                                        const RaRemoteActivationOut *r)
{
    ra_ndr_print_begin(p, name, "struct", "RemoteActivation_out");
    ra_dcom_print_orpcthat(p, "ORPCthat", &r->orpcthat);
    ra_oaut_print_interface_ptr(p, "ppActProperties", r->act_properties);
    ra_dcom_print_hresult(p, "result", r->hresult);
    ra_ndr_print_end(p);
}
