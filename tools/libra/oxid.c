/*
 * The OXID resolver (IObjectExporter) and DUALSTRINGARRAY (see ra/oxid.h).
 */
#include "ra/oxid.h"
#include "ra/crypto.h"
#include "ra/error.h"
#include "ra/ndr.h"
#include "ra/pdu.h"

#include <string.h>

/* 99fcfec4-5260-101b-bbcb-00aa0021347a v0.0 ([MS-DCOM] 1.9). */
const RaSyntaxId ra_oxid_syntax = {
    RA_UUID_INIT(0x99fcfec4, 0x5260, 0x101b, 0xbb, 0xcb, 0x00, 0xaa, 0x00, 0x21, 0x34, 0x7a), 0, 0};

enum {
    OP_RESOLVE_OXID = 0,
    OP_SIMPLE_PING = 1,
    OP_COMPLEX_PING = 2,
    OP_SERVER_ALIVE = 3,
    OP_RESOLVE_OXID2 = 4,
    OP_SERVER_ALIVE2 = 5,
    N_OPNUMS = 6,
};

/* The most protocol sequences a ResolveOxid may list, and OIDs a ComplexPing may carry (the
 * counts are u16 on the wire; these bound the work per call). */
#define MAX_PROTSEQS     64
#define MAX_PING_OIDS    4096
#define MAX_OIDS_PER_SET 65536

/* ---- DUALSTRINGARRAY ---- */

static gboolean put_utf16z(GArray *units, const gchar *s, GError **error)
{
    glong n = 0;
    GError *local = NULL;
    gunichar2 *u = g_utf8_to_utf16(s, -1, NULL, &n, &local);
    if (u == NULL) {
        g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "binding '%s' is not UTF-8", s);
        g_error_free(local);
        return FALSE;
    }
    g_array_append_vals(units, u, (guint)n);
    guint16 nul = 0;
    g_array_append_val(units, nul);
    g_free(u);
    return TRUE;
}

GBytes *ra_dsa_build(const RaDualStringArray *dsa, GError **error)
{
    GArray *units = g_array_new(FALSE, FALSE, sizeof(guint16));
    guint16 zero = 0, reserved = 0xffff;
    /* [MS-DCOM] 2.2.19.1: STRINGBINDINGs, a zero; SECURITYBINDINGs, a zero. An empty list is
     * written as two zeros (the smallest array is 4 zeros with wSecurityOffset 2). */
    for (guint i = 0; i < dsa->n_strings; i++) {
        g_array_append_val(units, dsa->strings[i].tower_id);
        if (!put_utf16z(units, dsa->strings[i].address, error))
            goto fail;
    }
    if (dsa->n_strings == 0)
        g_array_append_val(units, zero);
    g_array_append_val(units, zero);
    guint security_offset = units->len;
    for (guint i = 0; i < dsa->n_security; i++) {
        g_array_append_val(units, dsa->security[i].authn_svc);
        /* [MS-DCOM] 2.2.19.4: Reserved 0xffff, then the principal name. */
        g_array_append_val(units, reserved);
        if (!put_utf16z(units, dsa->security[i].principal ? dsa->security[i].principal : "", error))
            goto fail;
    }
    if (dsa->n_security == 0)
        g_array_append_val(units, zero);
    g_array_append_val(units, zero);
    if (units->len > G_MAXUINT16) {
        g_set_error(error, RA_ERROR, RA_ERROR_TOO_LARGE, "DUALSTRINGARRAY of %u entries",
                    units->len);
        goto fail;
    }
    GByteArray *out = g_byte_array_sized_new(4 + units->len * 2);
    guint8 head[4] = {units->len & 0xff, units->len >> 8, security_offset & 0xff,
                      security_offset >> 8};
    g_byte_array_append(out, head, 4);
    for (guint i = 0; i < units->len; i++) {
        guint16 v = g_array_index(units, guint16, i);
        guint8 le[2] = {v & 0xff, v >> 8};
        g_byte_array_append(out, le, 2);
    }
    g_array_unref(units);
    return g_byte_array_free_to_bytes(out);
fail:
    g_array_unref(units);
    return NULL;
}

static gboolean dsa_fail(GError **error, const char *what)
{
    g_set_error(error, RA_ERROR, RA_ERROR_MALFORMED, "DUALSTRINGARRAY: %s", what);
    return FALSE;
}

/* Reads a NUL-terminated UTF-16 string starting at unit *pos (< end); *pos moves past the NUL. */
static gboolean dsa_string(const guint8 *data, guint *pos, guint end, RaArena *arena, gchar **out,
                           GError **error)
{
    guint start = *pos, i = start;
    while (i < end && (data[2 * i] | data[2 * i + 1]) != 0)
        i++;
    if (i >= end)
        return dsa_fail(error, "a string has no terminator");
    glong n = 0;
    gunichar2 *u = g_new(gunichar2, i - start + 1);
    for (guint k = start; k < i; k++)
        u[k - start] = (gunichar2)(data[2 * k] | data[2 * k + 1] << 8);
    gchar *s = g_utf16_to_utf8(u, (glong)(i - start), NULL, &n, NULL);
    g_free(u);
    if (s == NULL)
        return dsa_fail(error, "a string is not valid UTF-16");
    *out = ra_arena_strdup(arena, s);
    g_free(s);
    *pos = i + 1;
    return TRUE;
}

static guint16 unit_at(const guint8 *data, guint i)
{
    return (guint16)(data[2 * i] | data[2 * i + 1] << 8);
}

gboolean ra_dsa_parse(const guint8 *data, guint16 n_entries, guint16 security_offset,
                      RaArena *arena, RaDualStringArray *dsa, GError **error)
{
    memset(dsa, 0, sizeof *dsa);
    if (n_entries < 4 || security_offset < 2 || security_offset > n_entries - 2)
        return dsa_fail(error, "entry count or security offset out of range");
    /* String bindings: [tower id, address, NUL]..., then a zero at security_offset - 1. */
    GArray *strings = g_array_new(FALSE, TRUE, sizeof(RaStringBinding));
    GArray *security = g_array_new(FALSE, TRUE, sizeof(RaSecurityBinding));
    guint pos = 0, end = security_offset - 1;
    gboolean ok = TRUE;
    if (unit_at(data, 0) == 0) {
        /* An empty list: two zeros. */
        if (security_offset != 2 || unit_at(data, 1) != 0)
            ok = dsa_fail(error, "an empty string binding list must be two zeros");
        pos = 2;
    } else {
        while (ok && pos < end) {
            RaStringBinding b = {unit_at(data, pos), NULL};
            if (b.tower_id == 0) {
                ok = dsa_fail(error, "string bindings end before the security offset");
                break;
            }
            pos++;
            ok = dsa_string(data, &pos, end, arena, &b.address, error);
            if (ok)
                g_array_append_val(strings, b);
        }
        if (ok && (pos != end || unit_at(data, end) != 0))
            ok = dsa_fail(error, "the string bindings do not end at the security offset");
        pos = security_offset;
    }
    /* Security bindings: [authn svc, reserved, principal, NUL]..., then a zero. */
    end = n_entries - 1;
    if (ok && unit_at(data, pos) == 0) {
        if (pos + 1 > end || unit_at(data, pos + 1) != 0)
            ok = dsa_fail(error, "an empty security binding list must be two zeros");
        pos += 2;
    } else {
        while (ok && pos < end && unit_at(data, pos) != 0) {
            RaSecurityBinding b = {unit_at(data, pos), NULL};
            if (pos + 2 > end) {
                ok = dsa_fail(error, "a security binding is truncated");
                break;
            }
            pos += 2; /* authn svc, reserved (ignored on receipt, [MS-DCOM] 2.2.19.4) */
            ok = dsa_string(data, &pos, end, arena, &b.principal, error);
            if (ok)
                g_array_append_val(security, b);
        }
        if (ok && (pos > end || unit_at(data, pos) != 0))
            ok = dsa_fail(error, "the security bindings have no terminator");
        pos++;
    }
    /* Windows pads some arrays; anything after the terminator must be zero. */
    for (guint i = pos; ok && i < n_entries; i++) {
        if (unit_at(data, i) != 0)
            ok = dsa_fail(error, "data after the last terminator");
    }
    if (ok) {
        dsa->n_strings = strings->len;
        dsa->strings =
            ra_arena_memdup(arena, strings->data, strings->len * sizeof(RaStringBinding));
        dsa->n_security = security->len;
        dsa->security =
            ra_arena_memdup(arena, security->data, security->len * sizeof(RaSecurityBinding));
    }
    g_array_unref(strings);
    g_array_unref(security);
    return ok;
}

/* ---- the resolver ---- */

typedef struct {
    guint64 oxid;
    RaUuid ipid_rem_unknown;
    guint32 authn_hint;
    guint16 port;
} Oxid;

typedef struct {
    guint64 oid;
    guint64 oxid;
    guint set_refs;      /* ping sets holding it */
    gint64 last_seen_us; /* registration or last ping of a set holding it */
} Oid;

typedef struct {
    guint64 setid;
    guint16 seq;
    gint64 last_ping_us;
    GHashTable *oids; /* guint64* -> itself (set semantics) */
} PingSet;

struct RaOxidResolver {
    RaOxidConfig config;
    GMainContext *context;
    GHashTable *oxids; /* guint64* -> Oxid* */
    GHashTable *oids;  /* guint64* -> Oid* */
    GHashTable *sets;  /* guint64* -> PingSet* */
    GSource *timer;
};

void ra_oxid_config_init(RaOxidConfig *config)
{
    memset(config, 0, sizeof *config);
    config->com_major = 5;
    config->com_minor = 7;
    config->ping_period_ms = 120000;
    config->ping_periods = 3;
    config->max_sets = 4096;
}

static void set_free(gpointer data)
{
    PingSet *set = data;
    g_hash_table_unref(set->oids);
    g_free(set);
}

static gint64 timeout_us(const RaOxidResolver *r)
{
    return (gint64)r->config.ping_period_ms * r->config.ping_periods * 1000;
}

/* Drops one set reference from an OID; reclaims it when it was the last one. */
static void oid_unref_from_set(RaOxidResolver *r, guint64 oid, gboolean expired)
{
    Oid *o = g_hash_table_lookup(r->oids, &oid);
    if (o == NULL || o->set_refs == 0)
        return;
    o->set_refs--;
    if (o->set_refs == 0 && expired) {
        guint64 oxid = o->oxid;
        g_hash_table_remove(r->oids, &oid);
        if (r->config.oid_expired != NULL)
            r->config.oid_expired(oxid, oid, r->config.user_data);
    }
}

void ra_oxid_expire_now(RaOxidResolver *r)
{
    gint64 now = g_get_monotonic_time(), limit = timeout_us(r);
    GHashTableIter it;
    gpointer key, value;
    /* [MS-DCOM] 3.1.2.6: an expired set releases its OIDs, then goes. */
    GPtrArray *dead = g_ptr_array_new();
    g_hash_table_iter_init(&it, r->sets);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        PingSet *set = value;
        if (now - set->last_ping_us > limit)
            g_ptr_array_add(dead, set);
    }
    for (guint i = 0; i < dead->len; i++) {
        PingSet *set = g_ptr_array_index(dead, i);
        g_hash_table_steal(r->sets, &set->setid);
        GHashTableIter oit;
        g_hash_table_iter_init(&oit, set->oids);
        while (g_hash_table_iter_next(&oit, &key, NULL))
            oid_unref_from_set(r, *(guint64 *)key, TRUE);
        set_free(set);
    }
    g_ptr_array_set_size(dead, 0);
    /* OIDs no client ever put in a ping set expire the same way. */
    g_hash_table_iter_init(&it, r->oids);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        Oid *o = value;
        if (o->set_refs == 0 && now - o->last_seen_us > limit)
            g_ptr_array_add(dead, o);
    }
    for (guint i = 0; i < dead->len; i++) {
        Oid *o = g_ptr_array_index(dead, i);
        guint64 oxid = o->oxid, oid = o->oid;
        g_hash_table_remove(r->oids, &oid);
        if (r->config.oid_expired != NULL)
            r->config.oid_expired(oxid, oid, r->config.user_data);
    }
    g_ptr_array_unref(dead);
}

static gboolean on_timer(gpointer data)
{
    ra_oxid_expire_now(data);
    return G_SOURCE_CONTINUE;
}

RaOxidResolver *ra_oxid_resolver_new(const RaOxidConfig *config)
{
    RaOxidResolver *r = g_new0(RaOxidResolver, 1);
    if (config != NULL)
        r->config = *config;
    else
        ra_oxid_config_init(&r->config);
    if (r->config.ping_period_ms == 0)
        r->config.ping_period_ms = 120000;
    if (r->config.ping_periods == 0)
        r->config.ping_periods = 3;
    if (r->config.max_sets == 0)
        r->config.max_sets = 4096;
    if (r->config.com_major == 0) {
        r->config.com_major = 5;
        r->config.com_minor = 7;
    }
    r->context = r->config.context != NULL ? g_main_context_ref(r->config.context)
                                           : g_main_context_ref_thread_default();
    r->oxids = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    r->oids = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    r->sets = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, set_free);
    r->timer = g_timeout_source_new(MAX(10u, r->config.ping_period_ms / 2));
    g_source_set_callback(r->timer, on_timer, r, NULL);
    g_source_attach(r->timer, r->context);
    return r;
}

void ra_oxid_resolver_free(RaOxidResolver *r)
{
    if (r == NULL)
        return;
    g_source_destroy(r->timer);
    g_source_unref(r->timer);
    g_hash_table_unref(r->sets);
    g_hash_table_unref(r->oids);
    g_hash_table_unref(r->oxids);
    g_main_context_unref(r->context);
    g_free(r);
}

gboolean ra_oxid_add(RaOxidResolver *r, guint64 oxid, const RaUuid *ipid_rem_unknown,
                     guint32 authn_hint, guint16 port)
{
    if (oxid == 0 || g_hash_table_contains(r->oxids, &oxid))
        return FALSE;
    Oxid *o = g_new0(Oxid, 1);
    o->oxid = oxid;
    o->ipid_rem_unknown = *ipid_rem_unknown;
    o->authn_hint = authn_hint;
    o->port = port;
    g_hash_table_insert(r->oxids, &o->oxid, o);
    return TRUE;
}

void ra_oxid_remove(RaOxidResolver *r, guint64 oxid)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, r->oids);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        if (((Oid *)value)->oxid == oxid)
            g_hash_table_iter_remove(&it);
    }
    g_hash_table_remove(r->oxids, &oxid);
}

gboolean ra_oxid_add_oid(RaOxidResolver *r, guint64 oxid, guint64 oid)
{
    if (!g_hash_table_contains(r->oxids, &oxid) || g_hash_table_contains(r->oids, &oid))
        return FALSE;
    Oid *o = g_new0(Oid, 1);
    o->oid = oid;
    o->oxid = oxid;
    o->last_seen_us = g_get_monotonic_time();
    g_hash_table_insert(r->oids, &o->oid, o);
    return TRUE;
}

void ra_oxid_remove_oid(RaOxidResolver *r, guint64 oid)
{
    /* Sets keep the number; a later ping of it is simply not counted. */
    g_hash_table_remove(r->oids, &oid);
}

gboolean ra_oxid_has_oid(RaOxidResolver *r, guint64 oid)
{
    return g_hash_table_contains(r->oids, &oid);
}

guint ra_oxid_n_sets(RaOxidResolver *r)
{
    return g_hash_table_size(r->sets);
}

/* ---- the operations ---- */

/*
 * The bindings of an exporter as this client sees it: "<the address it connected to>[port]"
 * over ncacn_ip_tcp, and NTLM as the security binding (no SPN).
 */
static void push_bindings(RaNdrPush *out, const RaRpcCall *call, guint16 port,
                          const char *const *extra)
{
    gchar *addr = g_strdup_printf("%s[%u]", call->local_address ? call->local_address : "",
                                  port != 0 ? port : call->local_port);
    guint n_strings = 1;
    while (extra != NULL && extra[n_strings - 1] != NULL)
        n_strings++;
    RaStringBinding *sb = g_new0(RaStringBinding, n_strings);
    sb[0] = (RaStringBinding){RA_TOWERID_NCACN_IP_TCP, addr};
    for (guint i = 1; i < n_strings; i++) /* issue 7: RaOxidConfig.extra_bindings */
        sb[i] = (RaStringBinding){RA_TOWERID_NCACN_IP_TCP, g_strdup(extra[i - 1])};
    static gchar no_spn[] = "";
    RaSecurityBinding sec = {RA_AUTH_TYPE_WINNT, no_spn};
    RaDualStringArray dsa = {n_strings, sb, 1, &sec};
    GBytes *packed = ra_dsa_build(&dsa, NULL);
    for (guint i = 1; i < n_strings; i++)
        g_free(sb[i].address);
    g_free(sb);
    g_free(addr);
    if (packed == NULL) {
        ra_ndr_push_fail(out, RA_ERROR_MALFORMED, "cannot encode the bindings");
        return;
    }
    gsize n;
    const guint8 *d = g_bytes_get_data(packed, &n);
    guint16 n_entries = (guint16)(d[0] | d[1] << 8);
    /* [unique] DUALSTRINGARRAY*: referent ID, then the conformant structure: max_count,
     * wNumEntries, wSecurityOffset, aStringArray. */
    ra_ndr_push_ptr(out, packed);
    ra_ndr_push_array_size(out, n_entries);
    ra_ndr_push_bytes(out, d, n);
    g_bytes_unref(packed);
}

/* ResolveOxid (0) and ResolveOxid2 (4): pOxid, cRequestedProtseqs, arRequestedProtseqs. */
static guint32 op_resolve(RaOxidResolver *r, RaRpcCall *call, gboolean v2)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    guint64 oxid = 0;
    guint16 n_protseqs = 0;
    guint32 max_count = 0;
    guint16 *protseqs = NULL;
    ra_ndr_pull_u64(in, &oxid);
    ra_ndr_pull_u16(in, &n_protseqs);
    ra_ndr_pull_array_size(in, 2, &max_count);
    if (ra_ndr_pull_ok(in) && max_count != n_protseqs)
        ra_ndr_pull_fail(in, RA_ERROR_MALFORMED, "protseq count %u, conformance %u", n_protseqs,
                         max_count);
    if (ra_ndr_pull_ok(in) && n_protseqs > MAX_PROTSEQS)
        ra_ndr_pull_fail(in, RA_ERROR_TOO_LARGE, "%u protocol sequences", n_protseqs);
    ra_ndr_pull_u16_array(in, n_protseqs, &protseqs);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;

    const Oxid *o = g_hash_table_lookup(r->oxids, &oxid);
    gboolean tcp = FALSE;
    for (guint i = 0; i < n_protseqs; i++)
        tcp = tcp || protseqs[i] == RA_TOWERID_NCACN_IP_TCP;
    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    guint32 status = 0;
    if (o == NULL)
        status = RA_OR_INVALID_OXID;
    else if (n_protseqs > 0 && !tcp)
        status = RA_OR_INVALID_OXID; /* no binding in a protocol the client speaks */
    if (status == 0) {
        push_bindings(out, call, o->port, r->config.extra_bindings);
        ra_ndr_push_uuid(out, &o->ipid_rem_unknown);
        ra_ndr_push_u32(out, o->authn_hint);
    } else {
        RaUuid nil = {0};
        ra_ndr_push_ptr(out, NULL);
        ra_ndr_push_uuid(out, &nil);
        ra_ndr_push_u32(out, 0);
    }
    if (v2) {
        ra_ndr_push_u16(out, r->config.com_major);
        ra_ndr_push_u16(out, r->config.com_minor);
    }
    ra_ndr_push_u32(out, status);
    return ra_rpc_call_respond(call, out);
}

static void touch_set(RaOxidResolver *r, PingSet *set)
{
    gint64 now = g_get_monotonic_time();
    set->last_ping_us = now;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, set->oids);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        Oid *o = g_hash_table_lookup(r->oids, key);
        if (o != NULL)
            o->last_seen_us = now;
    }
}

/* SimplePing (1): pSetId. */
static guint32 op_simple_ping(RaOxidResolver *r, RaRpcCall *call)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    guint64 setid = 0;
    ra_ndr_pull_u64(in, &setid);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;
    PingSet *set = g_hash_table_lookup(r->sets, &setid);
    if (set != NULL)
        touch_set(r, set);
    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    ra_ndr_push_u32(out, set != NULL ? 0 : RA_OR_INVALID_SET);
    return ra_rpc_call_respond(call, out);
}

/* A [unique, size_is(n)] OID array: referent ID, then (if not NULL) max_count and the OIDs. */
static guint64 *pull_oid_array(RaNdrPull *in, guint16 n)
{
    guint32 ptr = 0, max_count = 0;
    ra_ndr_pull_ptr(in, &ptr);
    if (ptr == 0) {
        if (ra_ndr_pull_ok(in) && n != 0)
            ra_ndr_pull_fail(in, RA_ERROR_MALFORMED, "NULL OID array with count %u", n);
        return NULL;
    }
    ra_ndr_pull_array_size(in, 8, &max_count);
    if (ra_ndr_pull_ok(in) && max_count != n)
        ra_ndr_pull_fail(in, RA_ERROR_MALFORMED, "OID count %u, conformance %u", n, max_count);
    guint64 *oids = ra_ndr_pull_alloc_array(in, n, sizeof(guint64), 8);
    for (guint i = 0; i < n && ra_ndr_pull_ok(in); i++)
        ra_ndr_pull_u64(in, &oids[i]);
    return oids;
}

/* ComplexPing (2): pSetId, SequenceNum, cAddToSet, cDelFromSet, AddToSet, DelFromSet. */
static guint32 op_complex_ping(RaOxidResolver *r, RaRpcCall *call)
{
    g_autoptr(RaNdrPull) in = ra_ndr_pull_new(call->stub, call->stub_len, call->arena);
    guint64 setid = 0;
    guint16 seq = 0, n_add = 0, n_del = 0;
    ra_ndr_pull_u64(in, &setid);
    ra_ndr_pull_u16(in, &seq);
    ra_ndr_pull_u16(in, &n_add);
    ra_ndr_pull_u16(in, &n_del);
    if (ra_ndr_pull_ok(in) && (n_add > MAX_PING_OIDS || n_del > MAX_PING_OIDS))
        ra_ndr_pull_fail(in, RA_ERROR_TOO_LARGE, "%u + %u OIDs in one ping", n_add, n_del);
    guint64 *add = pull_oid_array(in, n_add);
    guint64 *del = pull_oid_array(in, n_del);
    if (ra_rpc_call_pull_finish(call, in) != 0)
        return RA_NCA_S_FAULT_NDR;

    guint32 status = 0;
    PingSet *set = NULL;
    if (setid != 0) {
        set = g_hash_table_lookup(r->sets, &setid);
        if (set == NULL)
            status = RA_OR_INVALID_SET;
    } else if (g_hash_table_size(r->sets) >= r->config.max_sets) {
        status = RA_NCA_SERVER_TOO_BUSY;
    }
    /* Every OID added must exist; the whole request changes nothing otherwise. */
    for (guint i = 0; status == 0 && i < n_add; i++) {
        if (!g_hash_table_contains(r->oids, &add[i]))
            status = RA_OR_INVALID_OID;
    }
    if (status == 0 && set == NULL) {
        set = g_new0(PingSet, 1);
        do {
            ra_random_bytes((guint8 *)&set->setid, sizeof set->setid);
        } while (set->setid == 0 || g_hash_table_contains(r->sets, &set->setid));
        set->oids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        set->seq = (guint16)(seq - 1);
        g_hash_table_insert(r->sets, &set->setid, set);
    }
    if (status == 0) {
        /* A sequence number not newer than the last one (mod 2^16) is a duplicate or an old
         * request: it pings, but changes no membership ([MS-DCOM] 3.2.6.1). */
        gboolean newer = (gint16)(seq - set->seq) > 0;
        if (newer) {
            set->seq = seq;
            for (guint i = 0; i < n_del; i++) {
                if (g_hash_table_remove(set->oids, &del[i]))
                    oid_unref_from_set(r, del[i], FALSE);
            }
            for (guint i = 0; i < n_add; i++) {
                if (g_hash_table_contains(set->oids, &add[i]) ||
                    g_hash_table_size(set->oids) >= MAX_OIDS_PER_SET)
                    continue;
                g_hash_table_add(set->oids, g_memdup2(&add[i], sizeof add[i]));
                ((Oid *)g_hash_table_lookup(r->oids, &add[i]))->set_refs++;
            }
        }
        touch_set(r, set);
    }
    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    ra_ndr_push_u64(out, status == 0 ? set->setid : setid);
    ra_ndr_push_u16(out, 0); /* pPingBackoffFactor: no backoff asked */
    ra_ndr_push_u32(out, status);
    return ra_rpc_call_respond(call, out);
}

/* ServerAlive2 (5): COMVERSION, the resolver's bindings, pReserved, ErrorCode. */
static guint32 op_server_alive2(RaOxidResolver *r, RaRpcCall *call)
{
    if (call->stub_len > 7) /* no [in] parameters; tolerate alignment padding */
        return RA_NCA_S_FAULT_NDR;
    g_autoptr(RaNdrPush) out = ra_ndr_push_new();
    ra_ndr_push_u16(out, r->config.com_major);
    ra_ndr_push_u16(out, r->config.com_minor);
    push_bindings(out, call, 0, r->config.extra_bindings);
    ra_ndr_push_u32(out, 0); /* pReserved */
    ra_ndr_push_u32(out, 0);
    return ra_rpc_call_respond(call, out);
}

guint32 ra_oxid_dispatch(RaRpcCall *call, gpointer resolver)
{
    RaOxidResolver *r = resolver;
    switch (call->opnum) {
    case OP_RESOLVE_OXID:
        return op_resolve(r, call, FALSE);
    case OP_SIMPLE_PING:
        return op_simple_ping(r, call);
    case OP_COMPLEX_PING:
        return op_complex_ping(r, call);
    case OP_SERVER_ALIVE: {
        if (call->stub_len > 7)
            return RA_NCA_S_FAULT_NDR;
        g_autoptr(RaNdrPush) out = ra_ndr_push_new();
        ra_ndr_push_u32(out, 0);
        return ra_rpc_call_respond(call, out);
    }
    case OP_RESOLVE_OXID2:
        return op_resolve(r, call, TRUE);
    case OP_SERVER_ALIVE2:
        return op_server_alive2(r, call);
    default:
        return RA_NCA_OP_RNG_ERROR;
    }
}

void ra_oxid_register_service(RaOxidResolver *resolver, RaRpcServer *server)
{
    RaRpcInterface iface = {
        .id = ra_oxid_syntax,
        .name = "IObjectExporter",
        .n_opnums = N_OPNUMS,
        .dispatch = ra_oxid_dispatch,
        .user_data = resolver,
        .anonymous_opnums = (1u << OP_SERVER_ALIVE) | (1u << OP_SERVER_ALIVE2),
    };
    ra_rpc_server_register(server, &iface);
}
