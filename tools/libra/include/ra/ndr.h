/*
 * NDR 2.0 runtime ([C706] ch. 14, [MS-RPCE] 2.2.4): the primitives that hand-written code (endpoint
 * mapper towers, DUALSTRINGARRAY, ORPCTHIS/ORPCTHAT, OBJREF, activation blobs) and code generated
 * from the IDL are built on. The OLE Automation types (BSTR, SAFEARRAY, VARIANT, interface
 * pointers) are in ra/oaut.h on top of this.
 *
 * Only the little-endian, ASCII, IEEE data representation is implemented; ra_ndr_check_drep()
 * refuses the others with RA_ERROR_UNSUPPORTED, which the RPC server turns into a fault
 * (nca_unsupported_type) or a bind_nak.
 *
 * == The model (after Samba's librpc) ==
 * Every wire type T has a triplet
 *     gboolean ra_ndr_pull_T(RaNdrPull *ndr, int flags, T *r);
 *     gboolean ra_ndr_push_T(RaNdrPush *ndr, int flags, const T *r);
 *     void     ra_ndr_print_T(RaNdrPrint *p, const char *name, const T *r);
 * `flags` selects the passes of [C706] 14.3.12.3 (embedded pointers): RA_NDR_SCALARS writes or
 * reads the flat part of a constructed type (its scalars, the referent IDs of its pointers, the
 * conformance of a conformant structure), RA_NDR_BUFFERS the deferred referents of those pointers,
 * in order. A top-level parameter is marshalled with RA_NDR_SCALARS | RA_NDR_BUFFERS; an array of
 * structures marshals every element's scalars, then every element's buffers; a pointer's referent
 * is marshalled with both passes. Types without pointers ignore RA_NDR_BUFFERS.
 *
 * == Errors: a sticky error per context ==
 * Every pull/push function returns FALSE once the context has failed and then does nothing (it
 * reads no byte, writes no byte, and zeroes its outputs), so code may test each call or only the
 * final ra_ndr_pull_finish()/ra_ndr_push_finish(), which hands the first error out as a GError:
 *   RA_ERROR_MALFORMED   bytes that break the format (short data, bad counts, bad UTF-16, a NULL
 *                        [ref] pointer, a union arm that does not exist, ...)
 *   RA_ERROR_TOO_LARGE   a count or size over a limit of this runtime
 *   RA_ERROR_UNSUPPORTED well-formed but not implemented here (e.g. a VARIANT type)
 * Messages name the offset ("NDR offset 0x1c: ...").
 *
 * == Memory ==
 * A pull context borrows the input bytes and allocates everything it produces from the RaArena it
 * was given (ra/arena.h): strings, arrays, referents. Pulled structures therefore need no free
 * functions; they live until the arena is freed. Pulled strings are UTF-8 (converted with GLib
 * from UTF-16LE; invalid UTF-16 is RA_ERROR_MALFORMED). Nothing is allocated from a count before
 * the count has been checked against the bytes that remain, so a hostile length field cannot
 * cause a large allocation.
 *
 * Alignment is relative to the start of the buffer, which must be the start of the stub data
 * (the PDU codec keeps stubs 8-aligned). Padding bytes are written as zeros and not checked on
 * receipt ([MS-RPCE] 3.1.1.5.3.2: be lenient in what you accept).
 *
 * Contexts are not thread-safe; use one per call.
 */
#ifndef RA_NDR_H
#define RA_NDR_H

#include "ra/arena.h"
#include "ra/error.h"
#include "ra/uuid.h"

#include <glib.h>

G_BEGIN_DECLS

/* ---- data representation ([C706] 14.1, 12.6.3.1 packed_drep) ---- */

#define RA_NDR_DREP_LITTLE_ENDIAN 0x10 /* integer representation in drep[0] bits 4-7 */
#define RA_NDR_DREP_CHAR_ASCII    0x00 /* character representation in drep[0] bits 0-3 */
#define RA_NDR_DREP_FLOAT_IEEE    0x00 /* drep[1] */
/* The drep this runtime writes: little-endian, ASCII, IEEE. */
#define RA_NDR_DREP_INIT       \
    {                          \
        0x10, 0x00, 0x00, 0x00 \
    }

/* TRUE if drep is little-endian/ASCII/IEEE; else RA_ERROR_UNSUPPORTED naming what is not
 * supported (big-endian integers, EBCDIC characters, VAX/Cray/IBM floating point). */
gboolean ra_ndr_check_drep(const guint8 drep[4], GError **error);

/* ---- passes and limits ---- */

#define RA_NDR_SCALARS 0x1
#define RA_NDR_BUFFERS 0x2
#define RA_NDR_BOTH    (RA_NDR_SCALARS | RA_NDR_BUFFERS)

/* Nesting depth of recursive types (VARIANT in VARIANT, ...) a pull or push accepts. */
#define RA_NDR_MAX_DEPTH 64
/* Default largest buffer a push context builds (ra_ndr_push_set_limit changes it). */
#define RA_NDR_PUSH_DEFAULT_LIMIT (16u * 1024 * 1024)

/*
 * Variants of the wire forms the pull side met, reported by ra_ndr_pull_quirks() so that callers
 * can say what a peer sent (e.g. `ratool` prints "SAFEARRAY in impacket's form").
 */
typedef enum {
    RA_NDR_QUIRK_SAFEARRAY_WINDOWS = 1 << 0, /* 'User' + pointer + _wireSAFEARRAY */
    RA_NDR_QUIRK_SAFEARRAY_ALIGNED8 = 1
                                      << 1, /* the same with Wine's 8-byte alignment after 'User' */
    RA_NDR_QUIRK_SAFEARRAY_SHORT = 1 << 2,  /* impacket: one referent ID + _wireSAFEARRAY */
    RA_NDR_QUIRK_BSTR_PLAIN_POINTER =
        1 << 3, /* a BSTR/VARIANT under a plain referent ID, not 'User' */
    RA_NDR_QUIRK_BSTR_NULL_POINTER = 1 << 4, /* a NULL BSTR sent as a NULL pointer (impacket) */
} RaNdrQuirk;

/* ======================================================================================== */
/* Pull (decode)                                                                             */
/* ======================================================================================== */

typedef struct RaNdrPull RaNdrPull;

/* A context reading data[0..len) (borrowed: it must outlive the context and every pointer the
 * pull hands out into it) and allocating results from arena (borrowed). */
RaNdrPull *ra_ndr_pull_new(const guint8 *data, gsize len, RaArena *arena);
/* A context reading a copy of bytes (borrowed) made in arena: the caller may drop bytes at once,
 * and what the pull hands out lives as long as the arena. For RPC responses. */
RaNdrPull *ra_ndr_pull_new_bytes(GBytes *bytes, RaArena *arena);
void ra_ndr_pull_free(RaNdrPull *ndr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaNdrPull, ra_ndr_pull_free)

RaArena *ra_ndr_pull_arena(RaNdrPull *ndr);
gsize ra_ndr_pull_offset(const RaNdrPull *ndr);
gsize ra_ndr_pull_remaining(const RaNdrPull *ndr);
/* FALSE once an error is set. */
gboolean ra_ndr_pull_ok(const RaNdrPull *ndr);
/* Bitwise OR of the RaNdrQuirk values seen so far. */
guint ra_ndr_pull_quirks(const RaNdrPull *ndr);
void ra_ndr_pull_add_quirk(RaNdrPull *ndr, RaNdrQuirk quirk);

/*
 * Sets the sticky error (the first one wins) with a message prefixed by the current offset, and
 * returns FALSE. For generated code and hand-written types built on this runtime.
 */
gboolean ra_ndr_pull_fail(RaNdrPull *ndr, RaError code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/*
 * Ends a pull: returns FALSE with the sticky error, or with RA_ERROR_MALFORMED if bytes are left
 * over. Up to 7 trailing bytes are accepted when they are zero (alignment padding some marshallers
 * leave, e.g. a 16-bit enum sent as 32 bits at the end of a request).
 */
gboolean ra_ndr_pull_finish(RaNdrPull *ndr, GError **error);
/* Copies the sticky error (if any) into *error without checking for trailing bytes. */
gboolean ra_ndr_pull_get_error(const RaNdrPull *ndr, GError **error);

/* Recursion guard for recursive types: enter fails with RA_ERROR_TOO_LARGE past RA_NDR_MAX_DEPTH;
 * every successful enter must be matched by a leave. */
gboolean ra_ndr_pull_enter(RaNdrPull *ndr);
void ra_ndr_pull_leave(RaNdrPull *ndr);

/* Skips to the next multiple of n (1, 2, 4 or 8) from the start of the buffer. The pad bytes are
 * not checked. Fails if they are not there. */
gboolean ra_ndr_pull_align(RaNdrPull *ndr, guint n);
gboolean ra_ndr_pull_skip(RaNdrPull *ndr, gsize n);

/* Primitives ([C706] 14.2): each aligns to its size first (hyper and double to 8). */
gboolean ra_ndr_pull_u8(RaNdrPull *ndr, guint8 *v);
gboolean ra_ndr_pull_u16(RaNdrPull *ndr, guint16 *v);
gboolean ra_ndr_pull_u32(RaNdrPull *ndr, guint32 *v);
gboolean ra_ndr_pull_u64(RaNdrPull *ndr, guint64 *v);
gboolean ra_ndr_pull_i8(RaNdrPull *ndr, gint8 *v);
gboolean ra_ndr_pull_i16(RaNdrPull *ndr, gint16 *v);
gboolean ra_ndr_pull_i32(RaNdrPull *ndr, gint32 *v);
gboolean ra_ndr_pull_i64(RaNdrPull *ndr, gint64 *v);
gboolean ra_ndr_pull_float(RaNdrPull *ndr, gfloat *v);
gboolean ra_ndr_pull_double(RaNdrPull *ndr, gdouble *v);
/* NDR boolean: one byte, any non-zero value is TRUE. */
gboolean ra_ndr_pull_boolean(RaNdrPull *ndr, gboolean *v);
/*
 * An enum without [v1_enum]: 16 bits on the wire ([C706] 14.2.5). A peer that sends 32 bits (the
 * typelib marshaller) is read the same way: the high half lands in the alignment padding that
 * precedes the next 4-byte item, which is not checked. Callers range-check the value.
 */
gboolean ra_ndr_pull_enum16(RaNdrPull *ndr, guint16 *v);
/* A UUID (align 4, 16 bytes). */
gboolean ra_ndr_pull_uuid(RaNdrPull *ndr, RaUuid *v);
/* p_syntax_id_t: UUID + u32 version (major in the low 16 bits). */
gboolean ra_ndr_pull_syntax_id(RaNdrPull *ndr, RaSyntaxId *v);
/* n raw bytes (no alignment): copied into out, or pointed at in the input (zero-copy). */
gboolean ra_ndr_pull_bytes(RaNdrPull *ndr, guint8 *out, gsize n);
gboolean ra_ndr_pull_bytes_ref(RaNdrPull *ndr, gsize n, const guint8 **out);

/* ---- pointers ([C706] 14.3.10-14.3.12) ---- */

/*
 * Reads the referent ID of a unique or full pointer (align 4, u32): 0 means NULL. For a top-level
 * unique pointer the referent follows at once; for an embedded one the caller pulls the referent
 * in its RA_NDR_BUFFERS pass.
 */
gboolean ra_ndr_pull_ptr(RaNdrPull *ndr, guint32 *referent_id);
/* An embedded [ref] pointer: a referent ID that must not be 0 (RA_ERROR_MALFORMED if it is).
 * Top-level [ref] pointers have no wire representation: pull the referent directly. */
gboolean ra_ndr_pull_ref_ptr(RaNdrPull *ndr);
/*
 * Full pointers ([ptr], aliasing allowed): after a non-zero referent ID, lookup returns the object
 * already pulled for that ID, or NULL on its first occurrence - then the referent follows and the
 * caller registers the object it pulled, before pulling anything that may point back to it.
 */
gpointer ra_ndr_pull_full_ptr_lookup(RaNdrPull *ndr, guint32 referent_id);
void ra_ndr_pull_full_ptr_register(RaNdrPull *ndr, guint32 referent_id, gpointer object);

/* ---- arrays ([C706] 14.3.3) ---- */

/*
 * Conformance (max_count, align 4, u32) of a conformant or conformant-varying array whose elements
 * take at least min_elem_size bytes each on the wire (1 for bytes, 4 for pointers, ...): fails
 * with RA_ERROR_MALFORMED if max_count elements cannot fit in the bytes that remain, so a count
 * that passed can be allocated. For a conformant structure the conformance comes first in the
 * structure's scalars; the check still holds because the array follows.
 */
gboolean ra_ndr_pull_array_size(RaNdrPull *ndr, gsize min_elem_size, guint32 *max_count);
/*
 * Variance (offset, actual_count: align 4, two u32). Checks offset + actual_count <= max_count
 * (pass G_MAXUINT32 for a varying array with a fixed bound checked by the caller) and that
 * actual_count elements of min_elem_size bytes fit in what remains.
 */
gboolean ra_ndr_pull_array_length(RaNdrPull *ndr, guint32 max_count, gsize min_elem_size,
                                  guint32 *offset, guint32 *actual_count);
/* Checks that count elements of min_elem_size bytes fit in the bytes that remain. */
gboolean ra_ndr_pull_check_count(RaNdrPull *ndr, guint64 count, gsize min_elem_size);
/* count * elem_size zeroed bytes from the arena, after ra_ndr_pull_check_count(count,
 * min_elem_size); NULL (and the sticky error) if the check fails. count 0 gives a valid pointer. */
gpointer ra_ndr_pull_alloc_array(RaNdrPull *ndr, guint32 count, gsize elem_size,
                                 gsize min_elem_size);
/* Arrays of primitives (count elements, aligned to the element size; the result is in the arena).
 */
gboolean ra_ndr_pull_u8_array(RaNdrPull *ndr, guint32 count, guint8 **out);
gboolean ra_ndr_pull_u16_array(RaNdrPull *ndr, guint32 count, guint16 **out);
gboolean ra_ndr_pull_u32_array(RaNdrPull *ndr, guint32 count, guint32 **out);

/* ---- unions ([C706] 14.3.8) ---- */

/* A non-encapsulated union's discriminant of width 2 or 4 bytes (switch_type), aligned to its
 * size; the caller aligns to the union's alignment before the arm. */
gboolean ra_ndr_pull_union_level(RaNdrPull *ndr, guint width, guint32 *level);
/* RA_ERROR_MALFORMED "union TYPE has no arm for discriminant N"; returns FALSE. */
gboolean ra_ndr_pull_bad_switch(RaNdrPull *ndr, const char *type_name, guint32 level);

/* ---- strings ([C706] 14.3.4, [MS-RPCE] 2.2.4.x) ---- */

/*
 * A conformant varying [string] wchar_t array - the referent of an LPWSTR or of a [string]
 * wchar_t* member: max_count, offset (must be 0), actual_count (counting the terminator), then
 * actual_count UTF-16LE units, the last of which must be NUL; no unit before it may be NUL.
 * *out is UTF-8 in the arena. Invalid UTF-16 (a lone surrogate) is RA_ERROR_MALFORMED.
 */
gboolean ra_ndr_pull_wstring(RaNdrPull *ndr, gchar **out);
/* The same for [string] char arrays (8-bit, must be ASCII or UTF-8 on the wire). */
gboolean ra_ndr_pull_cstring(RaNdrPull *ndr, gchar **out);
/*
 * A varying [string] wchar_t name[max_units] (no conformance: offset, actual_count, units), as
 * used in fixed-size string fields. actual_count must be <= max_units.
 */
gboolean ra_ndr_pull_wstring_varying(RaNdrPull *ndr, guint32 max_units, gchar **out);
/*
 * A top-level LPWSTR ([unique, string] wchar_t*): referent ID, then at once the string. *out is
 * NULL for a NULL pointer. For an LPWSTR embedded in a structure use ra_ndr_pull_ptr() in the
 * scalars pass and ra_ndr_pull_wstring() in the buffers pass.
 */
gboolean ra_ndr_pull_lpwstr(RaNdrPull *ndr, gchar **out);
/*
 * Converts n_units UTF-16LE code units at data to UTF-8 in the arena. With stop_at_nul the string
 * ends at the first NUL unit (which must exist when require_nul). RA_ERROR_MALFORMED for invalid
 * UTF-16. For hand-written types that carry UTF-16 in byte or u16 arrays (DUALSTRINGARRAY).
 */
gboolean ra_ndr_pull_utf16(RaNdrPull *ndr, const guint8 *data, gsize n_units, gboolean stop_at_nul,
                           gboolean require_nul, gchar **out);

/* ======================================================================================== */
/* Push (encode)                                                                             */
/* ======================================================================================== */

typedef struct RaNdrPush RaNdrPush;

/* An empty output buffer, limited to RA_NDR_PUSH_DEFAULT_LIMIT bytes. */
RaNdrPush *ra_ndr_push_new(void);
void ra_ndr_push_free(RaNdrPush *ndr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaNdrPush, ra_ndr_push_free)
/* A push that would grow the buffer past limit bytes fails with RA_ERROR_TOO_LARGE. */
void ra_ndr_push_set_limit(RaNdrPush *ndr, gsize limit);

gsize ra_ndr_push_offset(const RaNdrPush *ndr);
/* The bytes written so far (owned by the context; valid until the next push or free). */
const guint8 *ra_ndr_push_data(const RaNdrPush *ndr, gsize *len);
gboolean ra_ndr_push_ok(const RaNdrPush *ndr);
gboolean ra_ndr_push_fail(RaNdrPush *ndr, RaError code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
/* Ends a push: the bytes as a new GBytes (caller unrefs), or NULL with the sticky error. The
 * context stays valid (and empty) afterwards. */
GBytes *ra_ndr_push_finish(RaNdrPush *ndr, GError **error);

gboolean ra_ndr_push_enter(RaNdrPush *ndr);
void ra_ndr_push_leave(RaNdrPush *ndr);

/* Writes zero bytes up to the next multiple of n (1, 2, 4 or 8). */
gboolean ra_ndr_push_align(RaNdrPush *ndr, guint n);
gboolean ra_ndr_push_zeros(RaNdrPush *ndr, gsize n);

gboolean ra_ndr_push_u8(RaNdrPush *ndr, guint8 v);
gboolean ra_ndr_push_u16(RaNdrPush *ndr, guint16 v);
gboolean ra_ndr_push_u32(RaNdrPush *ndr, guint32 v);
gboolean ra_ndr_push_u64(RaNdrPush *ndr, guint64 v);
gboolean ra_ndr_push_i8(RaNdrPush *ndr, gint8 v);
gboolean ra_ndr_push_i16(RaNdrPush *ndr, gint16 v);
gboolean ra_ndr_push_i32(RaNdrPush *ndr, gint32 v);
gboolean ra_ndr_push_i64(RaNdrPush *ndr, gint64 v);
gboolean ra_ndr_push_float(RaNdrPush *ndr, gfloat v);
gboolean ra_ndr_push_double(RaNdrPush *ndr, gdouble v);
gboolean ra_ndr_push_boolean(RaNdrPush *ndr, gboolean v);
gboolean ra_ndr_push_enum16(RaNdrPush *ndr, guint16 v);
gboolean ra_ndr_push_uuid(RaNdrPush *ndr, const RaUuid *v);
gboolean ra_ndr_push_syntax_id(RaNdrPush *ndr, const RaSyntaxId *v);
gboolean ra_ndr_push_bytes(RaNdrPush *ndr, const guint8 *data, gsize n);
/* Overwrites a u32 already written at offset (sizes known only after their contents). */
gboolean ra_ndr_push_u32_at(RaNdrPush *ndr, gsize offset, guint32 v);

/*
 * A unique pointer's referent ID: 0 for NULL, else a fresh ID (0x00020000, 0x00020004, ... as
 * MIDL numbers them). The caller then pushes the referent (at once at top level, in its
 * RA_NDR_BUFFERS pass when embedded).
 */
gboolean ra_ndr_push_ptr(RaNdrPush *ndr, gconstpointer p);
/* An embedded [ref] pointer's referent ID (never 0); fails with RA_ERROR_MALFORMED if p is NULL. */
gboolean ra_ndr_push_ref_ptr(RaNdrPush *ndr, gconstpointer p);
/* A full pointer: the same ID for the same p; *first is TRUE when p had not been pushed before
 * in this buffer, i.e. when its referent must follow. NULL writes 0 and sets *first FALSE. */
gboolean ra_ndr_push_full_ptr(RaNdrPush *ndr, gconstpointer p, gboolean *first);

/* Conformance and variance (align 4). */
gboolean ra_ndr_push_array_size(RaNdrPush *ndr, guint32 max_count);
gboolean ra_ndr_push_array_length(RaNdrPush *ndr, guint32 offset, guint32 actual_count);
gboolean ra_ndr_push_u16_array(RaNdrPush *ndr, const guint16 *v, guint32 count);
gboolean ra_ndr_push_u32_array(RaNdrPush *ndr, const guint32 *v, guint32 count);

gboolean ra_ndr_push_union_level(RaNdrPush *ndr, guint width, guint32 level);
gboolean ra_ndr_push_bad_switch(RaNdrPush *ndr, const char *type_name, guint32 level);

/* Strings, the inverses of the pulls above. s is UTF-8 (RA_ERROR_MALFORMED if it is not). */
gboolean ra_ndr_push_wstring(RaNdrPush *ndr, const gchar *s);
gboolean ra_ndr_push_cstring(RaNdrPush *ndr, const gchar *s);
gboolean ra_ndr_push_wstring_varying(RaNdrPush *ndr, guint32 max_units, const gchar *s);
/* Referent ID (0 for NULL) and, unless NULL, the string. */
gboolean ra_ndr_push_lpwstr(RaNdrPush *ndr, const gchar *s);
/* UTF-8 -> UTF-16LE code units appended without terminator (n_units out: how many). */
gboolean ra_ndr_push_utf16(RaNdrPush *ndr, const gchar *s, gsize *n_units);

/* ======================================================================================== */
/* Print (human-readable dump, used by ratool and golden tests)                              */
/* ======================================================================================== */

/*
 * One "name: value" line per field, nested types indented by 4 spaces:
 *     r: struct ServerAlive2_out
 *         pComVersion: struct COMVERSION
 *             MajorVersion: 5 (0x5)
 * Unsigned integers print as "DEC (0xHEX)", signed ones as "DEC", strings quoted with C escapes
 * (NULL as NULL), UUIDs in their textual form, byte blobs as hex. The format is stable: golden
 * files depend on it.
 */
typedef struct RaNdrPrint RaNdrPrint;

RaNdrPrint *ra_ndr_print_new(void);
void ra_ndr_print_free(RaNdrPrint *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaNdrPrint, ra_ndr_print_free)
/* The text so far (owned by p). */
const gchar *ra_ndr_print_text(const RaNdrPrint *p);
/* Returns the text (g_free) and frees p. */
gchar *ra_ndr_print_steal(RaNdrPrint *p);

/* "name: KIND TYPE" (KIND = struct, union, ...) and one more level of indentation until _end. */
void ra_ndr_print_begin(RaNdrPrint *p, const char *name, const char *kind, const char *type_name);
void ra_ndr_print_end(RaNdrPrint *p);
/* "name: ARRAY[count]" and one more level; elements are printed with names "[i]". */
void ra_ndr_print_array_begin(RaNdrPrint *p, const char *name, guint32 count);
/* A formatted line at the current indentation. */
void ra_ndr_print_line(RaNdrPrint *p, const char *format, ...) G_GNUC_PRINTF(2, 3);

void ra_ndr_print_u8(RaNdrPrint *p, const char *name, guint8 v);
void ra_ndr_print_u16(RaNdrPrint *p, const char *name, guint16 v);
void ra_ndr_print_u32(RaNdrPrint *p, const char *name, guint32 v);
void ra_ndr_print_u64(RaNdrPrint *p, const char *name, guint64 v);
void ra_ndr_print_i8(RaNdrPrint *p, const char *name, gint8 v);
void ra_ndr_print_i16(RaNdrPrint *p, const char *name, gint16 v);
void ra_ndr_print_i32(RaNdrPrint *p, const char *name, gint32 v);
void ra_ndr_print_i64(RaNdrPrint *p, const char *name, gint64 v);
void ra_ndr_print_double(RaNdrPrint *p, const char *name, gdouble v);
void ra_ndr_print_boolean(RaNdrPrint *p, const char *name, gboolean v);
/* "name: VALUE_NAME (N)", or "name: UNKNOWN (N)" when value_name is NULL. */
void ra_ndr_print_enum(RaNdrPrint *p, const char *name, const char *value_name, guint32 v);
/* HRESULTs, status codes: "name: 0x%08x". */
void ra_ndr_print_hex32(RaNdrPrint *p, const char *name, guint32 v);
void ra_ndr_print_string(RaNdrPrint *p, const char *name, const gchar *s);
void ra_ndr_print_uuid(RaNdrPrint *p, const char *name, const RaUuid *v);
void ra_ndr_print_syntax_id(RaNdrPrint *p, const char *name, const RaSyntaxId *v);
void ra_ndr_print_bytes(RaNdrPrint *p, const char *name, const guint8 *data, gsize len);
/* "name: NULL" for a NULL pointer. */
void ra_ndr_print_null(RaNdrPrint *p, const char *name);

/* ======================================================================================== */
/* Type descriptors                                                                          */
/* ======================================================================================== */

/*
 * A wire type's triplet behind one descriptor, so that tests, fuzzers and tools can walk every
 * type a module provides (generated code emits one table per interface). pull, push and print
 * take a pointer to the C representation of the type, `size` bytes; pull zeroes it first.
 */
typedef struct {
    const char *name;
    gsize size;
    gboolean (*pull)(RaNdrPull *ndr, int flags, gpointer r);
    gboolean (*push)(RaNdrPush *ndr, int flags, gconstpointer r);
    void (*print)(RaNdrPrint *p, const char *name, gconstpointer r);
} RaNdrType;

/* This module's types: "u8", "u16", "u32", "hyper", "double", "enum16", "uuid", "syntax_id",
 * "wstring", "cstring" (referents of [string] pointers) and "lpwstr" (a top-level LPWSTR). */
const RaNdrType *ra_ndr_types(guint *n);
/* The entry called name in types[0..n), or NULL. */
const RaNdrType *ra_ndr_type_lookup(const RaNdrType *types, guint n, const char *name);

G_END_DECLS

#endif
