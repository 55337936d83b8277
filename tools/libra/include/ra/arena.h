/*
 * A memory arena: many small allocations freed together.
 *
 * Everything an NDR pull produces (strings, arrays, nested structures, VARIANTs) is allocated from
 * the arena given to the pull context, so that a decoded request or response - however deep, and
 * however far a hostile input got before it failed - is released by one ra_arena_free(). The RPC
 * server uses one arena per call; generated stubs and hand-written DCOM code never free pulled
 * data individually.
 *
 * Allocation failure aborts (GLib's policy); callers bound sizes before allocating (see ndr.h).
 * Not thread-safe: an arena belongs to one call at a time.
 */
#ifndef RA_ARENA_H
#define RA_ARENA_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct RaArena RaArena;

RaArena *ra_arena_new(void);
/* Frees every allocation made from the arena, then the arena. NULL is accepted. */
void ra_arena_free(RaArena *arena);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RaArena, ra_arena_free)

/* size bytes, zeroed, aligned for any type; size 0 gives a valid unique pointer. */
gpointer ra_arena_alloc(RaArena *arena, gsize size);
/* n * size bytes, zeroed; aborts if n * size overflows (callers check counts first). */
gpointer ra_arena_alloc_n(RaArena *arena, gsize n, gsize size);
gpointer ra_arena_memdup(RaArena *arena, gconstpointer data, gsize size);
/* NULL stays NULL. */
gchar *ra_arena_strdup(RaArena *arena, const gchar *s);
gchar *ra_arena_strndup(RaArena *arena, const gchar *s, gsize n);
/* Takes ownership of a g_malloc()ed block: freed with the arena. Returns p. */
gpointer ra_arena_adopt(RaArena *arena, gpointer p);

/* Bytes handed out so far (for limits and tests). */
gsize ra_arena_used(const RaArena *arena);

#define ra_arena_new0(arena, type) ((type *)ra_arena_alloc((arena), sizeof(type)))

G_END_DECLS

#endif
