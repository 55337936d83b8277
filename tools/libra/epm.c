/*
 * The endpoint mapper: towers and the ept_lookup/ept_map operations (see ra/epm.h).
 */
#include "ra/epm.h"
#include "ra/bytes.h"
#include "ra/crypto.h"
#include "ra/error.h"
#include "ra/ndr.h"

#include <string.h>

#include <gio/gio.h>

/* e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 ([C706] appendix L). */
const RaSyntaxId ra_epm_syntax = {
    RA_UUID_INIT(0xe1af8308, 0x5d1f, 0x11c9, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa), 3, 0};

#define ANNOTATION_MAX     64 /* ept_max_annotation_size, with the NUL */
#define MAX_LOOKUP_HANDLES 64
#define MAX_TOWERS         500 /* [range(0, 500)] max_towers ([MS-RPCE] 3.1.1.5.x) */

enum {
    OP_EPT_INSERT = 0,
    OP_EPT_DELETE = 1,
    OP_EPT_LOOKUP = 2,
    OP_EPT_MAP = 3,
    OP_EPT_LOOKUP_HANDLE_FREE = 4,
    OP_EPT_INQ_OBJECT = 5,
    OP_EPT_MGMT_DELETE = 6,
    N_OPNUMS = 7,
};

/* inquiry_type and vers_option of ept_lookup ([C706] appendix L). */
enum { INQ_ALL = 0, INQ_BY_IF = 1, INQ_BY_OBJ = 2, INQ_BY_BOTH = 3 };
enum { VERS_ALL = 1, VERS_COMPATIBLE = 2, VERS_EXACT = 3, VERS_MAJOR_ONLY = 4, VERS_UPTO = 5 };

typedef struct {
    RaSyntaxId iface;
    RaUuid object;
    guint16 port;
    gchar annotation[ANNOTATION_MAX];
} Entry;

typedef struct {
    RaUuid handle;
    guint32 inquiry_type, vers_option;
    gboolean has_object, has_iface;
    RaUuid object;
    RaSyntaxId iface;
    guint next; /* index into the entries */
} Lookup;

struct RaEpm {
    GArray *entries; /* Entry */
    GQueue lookups;  /* Lookup*, oldest first */
};

/* ---- towers ---- */

typedef struct {
    const guint8 *lhs, *rhs;
    guint16 lhs_len, rhs_len;
} Floor;

static gboolean tower_fail(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);
static gboolean tower_fail(GError **error, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gchar *msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "tower: %s", msg);
    g_free(msg);
    return FALSE;
}

/* A UUID floor: lhs = 0x0d + UUID (16, little-endian) + major (u16 LE); rhs = minor (u16 LE). */
static gboolean uuid_floor(const Floor *f, guint index, RaSyntaxId *out, GError **error)
{
    if (f->lhs_len != 19 || f->lhs[0] != RA_EPM_PROT_UUID || f->rhs_len != 2)
        return tower_fail(error, "floor %u is not an interface identifier", index);
    ra_uuid_from_le(f->lhs + 1, &out->uuid);
    out->if_version_major = ra_le16(f->lhs + 17);
    out->if_version_minor = ra_le16(f->rhs);
    return TRUE;
}

/* A NUL-terminated string in a rhs (pipe, LRPC endpoint, NetBIOS name), printable ASCII. */
static gboolean string_rhs(const Floor *f, guint index, RaArena *arena, gchar **out, GError **error)
{
    if (f->rhs_len == 0 || f->rhs[f->rhs_len - 1] != '\0')
        return tower_fail(error, "floor %u: name is not NUL-terminated", index);
    for (guint i = 0; i + 1 < f->rhs_len; i++) {
        if (f->rhs[i] < 0x20 || f->rhs[i] > 0x7e)
            return tower_fail(error, "floor %u: name has a non-printable byte", index);
    }
    *out = ra_arena_strndup(arena, (const gchar *)f->rhs, f->rhs_len - 1);
    return TRUE;
}

gboolean ra_epm_tower_parse(const guint8 *data, gsize len, RaArena *arena, RaEpmTower *tower,
                            GError **error)
{
    memset(tower, 0, sizeof *tower);
    if (len < 2)
        return tower_fail(error, "%zu bytes, no floor count", len);
    guint n = ra_le16(data);
    if (n < 3)
        return tower_fail(error, "%u floors, at least 3 needed", n);
    if (n > RA_EPM_MAX_FLOORS)
        return tower_fail(error, "%u floors, at most %d accepted", n, RA_EPM_MAX_FLOORS);
    Floor floors[RA_EPM_MAX_FLOORS];
    gsize off = 2;
    for (guint i = 0; i < n; i++) {
        Floor *f = &floors[i];
        if (len - off < 2)
            return tower_fail(error, "floor %u truncated", i + 1);
        f->lhs_len = ra_le16(data + off);
        off += 2;
        if (f->lhs_len == 0 || len - off < f->lhs_len)
            return tower_fail(error, "floor %u: bad left-hand side length %u", i + 1, f->lhs_len);
        f->lhs = data + off;
        off += f->lhs_len;
        if (len - off < 2)
            return tower_fail(error, "floor %u truncated", i + 1);
        f->rhs_len = ra_le16(data + off);
        off += 2;
        if (len - off < f->rhs_len)
            return tower_fail(error, "floor %u: bad right-hand side length %u", i + 1, f->rhs_len);
        f->rhs = data + off;
        off += f->rhs_len;
    }
    if (off != len)
        return tower_fail(error, "%zu bytes after the last floor", len - off);
    tower->n_floors = n;
    if (!uuid_floor(&floors[0], 1, &tower->iface, error) ||
        !uuid_floor(&floors[1], 2, &tower->transfer, error))
        return FALSE;
    if (floors[2].lhs_len != 1 || floors[2].rhs_len != 2)
        return tower_fail(error, "floor 3 is not an RPC protocol identifier");
    tower->rpc_protocol = floors[2].lhs[0];
    tower->rpc_minor = ra_le16(floors[2].rhs);
    if (n >= 4) {
        const Floor *f = &floors[3];
        tower->transport = f->lhs[0];
        switch (tower->transport) {
        case RA_EPM_PROT_TCP:
        case RA_EPM_PROT_UDP:
        case RA_EPM_PROT_HTTP:
            if (f->lhs_len != 1 || f->rhs_len != 2)
                return tower_fail(error, "floor 4: a port is 2 bytes");
            tower->port = ra_be16(f->rhs); /* big-endian */
            break;
        case RA_EPM_PROT_NAMED_PIPE:
        case RA_EPM_PROT_LRPC:
            if (!string_rhs(f, 4, arena, &tower->endpoint, error))
                return FALSE;
            break;
        default:
            break;
        }
    }
    if (n >= 5) {
        const Floor *f = &floors[4];
        tower->host_protocol = f->lhs[0];
        if (tower->host_protocol == RA_EPM_PROT_IP) {
            if (f->lhs_len != 1 || f->rhs_len != 4)
                return tower_fail(error, "floor 5: an IPv4 address is 4 bytes");
            memcpy(tower->ipv4, f->rhs, 4);
        } else if (tower->host_protocol == RA_EPM_PROT_NETBIOS) {
            if (!string_rhs(f, 5, arena, &tower->host, error))
                return FALSE;
        }
    }
    return TRUE;
}

static void put_u16le(GByteArray *b, guint16 v)
{
    guint8 x[2] = {v & 0xff, v >> 8};
    g_byte_array_append(b, x, 2);
}

static void put_uuid_floor(GByteArray *b, const RaSyntaxId *id)
{
    guint8 uuid[16];
    ra_uuid_to_le(&id->uuid, uuid);
    put_u16le(b, 19);
    guint8 prot = RA_EPM_PROT_UUID;
    g_byte_array_append(b, &prot, 1);
    g_byte_array_append(b, uuid, 16);
    put_u16le(b, id->if_version_major);
    put_u16le(b, 2);
    put_u16le(b, id->if_version_minor);
}

static void put_simple_floor(GByteArray *b, guint8 prot, const guint8 *rhs, guint16 rhs_len)
{
    put_u16le(b, 1);
    g_byte_array_append(b, &prot, 1);
    put_u16le(b, rhs_len);
    g_byte_array_append(b, rhs, rhs_len);
}

GBytes *ra_epm_tower_build_tcp(const RaSyntaxId *iface, const RaSyntaxId *transfer, guint16 port,
                               const guint8 ipv4[4])
{
    GByteArray *b = g_byte_array_sized_new(75);
    put_u16le(b, 5);
    put_uuid_floor(b, iface);
    put_uuid_floor(b, transfer);
    static const guint8 minor0[2] = {0, 0};
    put_simple_floor(b, RA_EPM_PROT_NCACN, minor0, 2);
    guint8 p[2] = {port >> 8, port & 0xff};
    put_simple_floor(b, RA_EPM_PROT_TCP, p, 2);
    put_simple_floor(b, RA_EPM_PROT_IP, ipv4, 4);
    return g_byte_array_free_to_bytes(b);
}

gchar *ra_epm_tower_to_string(const RaEpmTower *t)
{
    const char *seq = NULL;
    gboolean co = t->rpc_protocol == RA_EPM_PROT_NCACN;
    switch (t->transport) {
    case RA_EPM_PROT_TCP:
        seq = co ? "ncacn_ip_tcp" : NULL;
        break;
    case RA_EPM_PROT_UDP:
        seq = t->rpc_protocol == RA_EPM_PROT_NCADG ? "ncadg_ip_udp" : NULL;
        break;
    case RA_EPM_PROT_HTTP:
        seq = co ? "ncacn_http" : NULL;
        break;
    case RA_EPM_PROT_NAMED_PIPE:
        seq = co ? "ncacn_np" : NULL;
        break;
    case RA_EPM_PROT_LRPC:
        seq = "ncalrpc";
        break;
    default:
        break;
    }
    if (seq == NULL)
        return g_strdup("unknown tower");
    gchar *host = NULL;
    if (t->host_protocol == RA_EPM_PROT_IP)
        host = g_strdup_printf("%u.%u.%u.%u", t->ipv4[0], t->ipv4[1], t->ipv4[2], t->ipv4[3]);
    else
        host = g_strdup(t->host != NULL ? t->host : "");
    gchar *s = t->endpoint != NULL ? g_strdup_printf("%s:%s[%s]", seq, host, t->endpoint)
                                   : g_strdup_printf("%s:%s[%u]", seq, host, t->port);
    g_free(host);
    return s;
}

/* ---- the mapper ---- */

RaEpm *ra_epm_new(void)
{
    RaEpm *epm = g_new0(RaEpm, 1);
    epm->entries = g_array_new(FALSE, TRUE, sizeof(Entry));
    g_queue_init(&epm->lookups);
    return epm;
}

void ra_epm_free(RaEpm *epm)
{
    if (epm == NULL)
        return;
    g_array_unref(epm->entries);
    g_queue_clear_full(&epm->lookups, g_free);
    g_free(epm);
}

void ra_epm_add_endpoint(RaEpm *epm, const RaSyntaxId *iface, const RaUuid *object, guint16 port,
                         const char *annotation)
{
    Entry e = {0};
    e.iface = *iface;
    if (object != NULL)
        e.object = *object;
    e.port = port;
    if (annotation != NULL)
        g_strlcpy(e.annotation, annotation, sizeof e.annotation);
    g_array_append_val(epm->entries, e);
}

guint ra_epm_count(const RaEpm *epm)
{
    return epm->entries->len;
}

/* The host floor: the IPv4 address the client reached us on, 0.0.0.0 otherwise. */
static void local_ipv4(const RaRpcCall *call, guint8 out[4])
{
    memset(out, 0, 4);
    GInetAddress *addr =
        call->local_address != NULL ? g_inet_address_new_from_string(call->local_address) : NULL;
    if (addr != NULL && g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV4)
        memcpy(out, g_inet_address_to_bytes(addr), 4);
    g_clear_object(&addr);
}

static gboolean version_matches(guint32 option, const RaSyntaxId *entry, const RaSyntaxId *want)
{
    switch (option) {
    case VERS_ALL:
        return TRUE;
    case VERS_COMPATIBLE:
        return entry->if_version_major == want->if_version_major &&
               entry->if_version_minor >= want->if_version_minor;
    case VERS_EXACT:
        return entry->if_version_major == want->if_version_major &&
               entry->if_version_minor == want->if_version_minor;
    case VERS_MAJOR_ONLY:
        return entry->if_version_major == want->if_version_major;
    case VERS_UPTO:
        return entry->if_version_major < want->if_version_major ||
               (entry->if_version_major == want->if_version_major &&
                entry->if_version_minor <= want->if_version_minor);
    default:
        return FALSE;
    }
}

static gboolean lookup_matches(const Lookup *q, const Entry *e)
{
    gboolean by_if = q->inquiry_type == INQ_BY_IF || q->inquiry_type == INQ_BY_BOTH;
    gboolean by_obj = q->inquiry_type == INQ_BY_OBJ || q->inquiry_type == INQ_BY_BOTH;
    if (by_if) {
        if (!q->has_iface || !ra_uuid_equal(&q->iface.uuid, &e->iface.uuid) ||
            !version_matches(q->vers_option, &e->iface, &q->iface))
            return FALSE;
    }
    if (by_obj && (!q->has_object || !ra_uuid_equal(&q->object, &e->object)))
        return FALSE;
    return TRUE;
}

/* ept_lookup_handle_t: a context handle, attributes (u32) + UUID ([C706] 14.3.x). */
static void pull_handle(RaNdrPull *ndr, RaUuid *uuid)
{
    guint32 attributes;
    ra_ndr_pull_u32(ndr, &attributes);
    ra_ndr_pull_uuid(ndr, uuid);
}

static void push_handle(RaNdrPush *ndr, const RaUuid *uuid)
{
    ra_ndr_push_u32(ndr, 0);
    ra_ndr_push_uuid(ndr, uuid);
}

static Lookup *find_lookup(RaEpm *epm, const RaUuid *handle)
{
    for (GList *l = epm->lookups.head; l != NULL; l = l->next) {
        Lookup *q = l->data;
        if (ra_uuid_equal(&q->handle, handle))
            return q;
    }
    return NULL;
}

static void drop_lookup(RaEpm *epm, Lookup *q)
{
    g_queue_remove(&epm->lookups, q);
    g_free(q);
}

/* Pushes twr_t: a conformant structure (max_count, tower_length, octets). */
static void push_twr(RaNdrPush *ndr, GBytes *tower)
{
    gsize n;
    const guint8 *d = g_bytes_get_data(tower, &n);
    ra_ndr_push_array_size(ndr, (guint32)n);
    ra_ndr_push_u32(ndr, (guint32)n);
    ra_ndr_push_bytes(ndr, d, n);
}

/*
 * ept_lookup (opnum 2): inquiry_type, [ptr] object, [ptr] interface_id, vers_option,
 * [in,out] entry_handle, max_ents -> entry_handle, num_ents, entries[max_ents] (length num_ents),
 * status.
 */
static guint32 op_lookup(RaEpm *epm, RaRpcCall *call)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    Lookup q = {0};
    guint32 ptr, max_ents;
    RaUuid handle;
    ra_ndr_pull_u32(in, &q.inquiry_type);
    ra_ndr_pull_ptr(in, &ptr);
    if (ptr != 0) {
        q.has_object = TRUE;
        ra_ndr_pull_uuid(in, &q.object);
    }
    ra_ndr_pull_ptr(in, &ptr);
    if (ptr != 0) {
        q.has_iface = TRUE;
        ra_ndr_pull_uuid(in, &q.iface.uuid);
        ra_ndr_pull_u16(in, &q.iface.if_version_major);
        ra_ndr_pull_u16(in, &q.iface.if_version_minor);
    }
    ra_ndr_pull_u32(in, &q.vers_option);
    pull_handle(in, &handle);
    ra_ndr_pull_u32(in, &max_ents);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;

    Lookup *state = NULL;
    if (!ra_uuid_is_nil(&handle)) {
        state = find_lookup(epm, &handle);
        if (state == NULL)
            return RA_NCA_S_FAULT_CONTEXT_MISMATCH; /* a handle we never gave out */
    }
    const Lookup *criteria = state != NULL ? state : &q;
    guint start = state != NULL ? state->next : 0;

    guint8 ipv4[4];
    local_ipv4(call, ipv4);
    GPtrArray *found = g_ptr_array_new();
    guint i;
    for (i = start; i < epm->entries->len; i++) {
        Entry *e = &g_array_index(epm->entries, Entry, i);
        if (!lookup_matches(criteria, e))
            continue;
        if (found->len >= max_ents)
            break;
        g_ptr_array_add(found, e);
    }
    /* More matching entries after these? Then hand out (or keep) a handle. */
    gboolean more = FALSE;
    for (guint j = i; j < epm->entries->len && !more; j++)
        more = lookup_matches(criteria, &g_array_index(epm->entries, Entry, j));
    RaUuid out_handle = {0};
    if (more) {
        if (state == NULL) {
            if (g_queue_get_length(&epm->lookups) >= MAX_LOOKUP_HANDLES)
                drop_lookup(epm, g_queue_peek_head(&epm->lookups));
            state = g_new(Lookup, 1);
            *state = q;
            ra_uuid_generate(&state->handle);
            g_queue_push_tail(&epm->lookups, state);
        }
        state->next = i;
        out_handle = state->handle;
    } else if (state != NULL) {
        drop_lookup(epm, state);
    }
    guint32 status = (found->len == 0 && start == 0) ? RA_EPT_S_NOT_REGISTERED : 0;

    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    push_handle(out, &out_handle);
    ra_ndr_push_u32(out, found->len);
    ra_ndr_push_array_size(out, max_ents);
    ra_ndr_push_array_length(out, 0, found->len);
    GPtrArray *towers = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint k = 0; k < found->len; k++) {
        const Entry *e = g_ptr_array_index(found, k);
        GBytes *tower = ra_epm_tower_build_tcp(&e->iface, &ra_syntax_ndr20, e->port, ipv4);
        g_ptr_array_add(towers, tower);
        /* ept_entry_t scalars: object, tower pointer, [string] char annotation[64]. */
        ra_ndr_push_uuid(out, &e->object);
        ra_ndr_push_ptr(out, tower);
        guint32 n = (guint32)strlen(e->annotation) + 1;
        ra_ndr_push_array_length(out, 0, n);
        ra_ndr_push_bytes(out, (const guint8 *)e->annotation, n);
    }
    for (guint k = 0; k < towers->len; k++) /* the deferred towers */
        push_twr(out, g_ptr_array_index(towers, k));
    ra_ndr_push_u32(out, status);
    g_ptr_array_unref(towers);
    g_ptr_array_unref(found);
    return ra_rpc_call_respond(call, out);
}

/*
 * ept_map (opnum 3): [ptr] object, [ptr] map_tower, [in,out] entry_handle, max_towers ->
 * entry_handle, num_towers, towers[max_towers] (length num_towers), status.
 */
static guint32 op_map(RaEpm *epm, RaRpcCall *call)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    guint32 object_ptr, tower_ptr = 0, max_towers = 0, max_count = 0, tower_len = 0;
    RaUuid object = {0}, handle;
    const guint8 *tower_bytes = NULL;
    ra_ndr_pull_ptr(in, &object_ptr);
    if (object_ptr != 0)
        ra_ndr_pull_uuid(in, &object);
    ra_ndr_pull_ptr(in, &tower_ptr);
    if (tower_ptr != 0) {
        ra_ndr_pull_array_size(in, 1, &max_count);
        ra_ndr_pull_u32(in, &tower_len);
        if (ra_ndr_pull_ok(in) && tower_len != max_count)
            ra_ndr_pull_fail(in, RA_ERROR_MALFORMED, "tower_length %u, conformance %u", tower_len,
                             max_count);
        ra_ndr_pull_bytes_ref(in, tower_len, &tower_bytes);
    }
    pull_handle(in, &handle);
    ra_ndr_pull_u32(in, &max_towers);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;
    if (tower_ptr == 0)
        return RA_NCA_S_FAULT_NDR; /* map_tower is required */
    RaEpmTower want;
    GError *error = NULL;
    if (!ra_epm_tower_parse(tower_bytes, tower_len, call->arena, &want, &error)) {
        guint32 st = ra_rpc_call_fault(call, RA_NCA_S_FAULT_NDR, error);
        g_error_free(error);
        return st;
    }

    guint8 ipv4[4];
    local_ipv4(call, ipv4);
    GPtrArray *towers = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    gboolean usable = want.rpc_protocol == RA_EPM_PROT_NCACN && want.transport == RA_EPM_PROT_TCP &&
                      ra_uuid_equal(&want.transfer.uuid, &ra_syntax_ndr20.uuid) &&
                      want.transfer.if_version_major == ra_syntax_ndr20.if_version_major;
    guint limit = MIN(max_towers, MAX_TOWERS);
    /* Entries for the object asked for; failing those (for a non-nil object), entries
     * registered without an object. */
    for (int pass = 0; pass < 2 && usable && towers->len == 0; pass++) {
        const RaUuid *match = &object;
        RaUuid nil = {0};
        if (pass == 1) {
            if (ra_uuid_is_nil(&object))
                break;
            match = &nil;
        }
        for (guint i = 0; i < epm->entries->len && towers->len < limit; i++) {
            const Entry *e = &g_array_index(epm->entries, Entry, i);
            if (!ra_uuid_equal(&e->object, match) ||
                !ra_uuid_equal(&e->iface.uuid, &want.iface.uuid) ||
                !version_matches(VERS_COMPATIBLE, &e->iface, &want.iface))
                continue;
            g_ptr_array_add(towers,
                            ra_epm_tower_build_tcp(&e->iface, &ra_syntax_ndr20, e->port, ipv4));
        }
    }

    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    RaUuid nil = {0};
    push_handle(out, &nil);
    ra_ndr_push_u32(out, towers->len);
    ra_ndr_push_array_size(out, max_towers);
    ra_ndr_push_array_length(out, 0, towers->len);
    for (guint i = 0; i < towers->len; i++)
        ra_ndr_push_ptr(out, g_ptr_array_index(towers, i));
    for (guint i = 0; i < towers->len; i++)
        push_twr(out, g_ptr_array_index(towers, i));
    ra_ndr_push_u32(out, towers->len == 0 ? RA_EPT_S_NOT_REGISTERED : 0);
    g_ptr_array_unref(towers);
    return ra_rpc_call_respond(call, out);
}

/* ept_lookup_handle_free (opnum 4): [in,out] entry_handle -> entry_handle, status. */
static guint32 op_handle_free(RaEpm *epm, RaRpcCall *call)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    RaUuid handle;
    pull_handle(in, &handle);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;
    Lookup *q = find_lookup(epm, &handle);
    if (q != NULL)
        drop_lookup(epm, q);
    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    RaUuid nil = {0};
    push_handle(out, &nil);
    ra_ndr_push_u32(out, 0);
    return ra_rpc_call_respond(call, out);
}

guint32 ra_epm_dispatch(RaRpcCall *call, gpointer user_data)
{
    RaEpm *epm = user_data;
    switch (call->opnum) {
    case OP_EPT_LOOKUP:
        return op_lookup(epm, call);
    case OP_EPT_MAP:
        return op_map(epm, call);
    case OP_EPT_LOOKUP_HANDLE_FREE:
        return op_handle_free(epm, call);
    case OP_EPT_INSERT:
    case OP_EPT_DELETE:
    case OP_EPT_MGMT_DELETE: {
        /* Registration is local only; a remote client may not change the map. */
        g_autoptr(RaNdrPush) out = ra_ndr_push_new();
        ra_ndr_push_u32(out, RA_EPT_S_CANT_PERFORM_OP);
        return ra_rpc_call_respond(call, out);
    }
    case OP_EPT_INQ_OBJECT: {
        g_autoptr(RaNdrPush) out = ra_ndr_push_new();
        RaUuid nil = {0};
        ra_ndr_push_uuid(out, &nil);
        ra_ndr_push_u32(out, RA_EPT_S_CANT_PERFORM_OP);
        return ra_rpc_call_respond(call, out);
    }
    default:
        return RA_NCA_OP_RNG_ERROR;
    }
}

void ra_epm_register_service(RaEpm *epm, RaRpcServer *server)
{
    RaRpcInterface iface = {
        .id = ra_epm_syntax,
        .name = "epmapper",
        .n_opnums = N_OPNUMS,
        .dispatch = ra_epm_dispatch,
        .user_data = epm,
        .anonymous_opnums = RA_RPC_ALL_OPNUMS(N_OPNUMS),
    };
    ra_rpc_server_register(server, &iface);
}
