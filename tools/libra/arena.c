/*
 * Memory arena (see ra/arena.h): a chain of chunks for small allocations, and a list of blocks
 * for large or adopted ones.
 */
#include "ra/arena.h"

#include <string.h>

#define ARENA_CHUNK_SIZE 4096
#define ARENA_ALIGN      16 /* enough for any scalar type, including long double */

typedef struct Chunk Chunk;
struct Chunk {
    Chunk *next;
    gsize used;
    gsize size;
    /* data follows, aligned */
};

struct RaArena {
    Chunk *chunks;
    GPtrArray *blocks; /* large and adopted allocations (g_free) */
    gsize used;
};

#define CHUNK_HEADER ((sizeof(Chunk) + ARENA_ALIGN - 1) & ~(gsize)(ARENA_ALIGN - 1))

RaArena *ra_arena_new(void)
{
    return g_new0(RaArena, 1);
}

void ra_arena_free(RaArena *arena)
{
    if (arena == NULL)
        return;
    for (Chunk *c = arena->chunks, *next; c != NULL; c = next) {
        next = c->next;
        g_free(c);
    }
    if (arena->blocks != NULL)
        g_ptr_array_free(arena->blocks, TRUE);
    g_free(arena);
}

gpointer ra_arena_adopt(RaArena *arena, gpointer p)
{
    if (p == NULL)
        return NULL;
    if (arena->blocks == NULL)
        arena->blocks = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(arena->blocks, p);
    return p;
}

gpointer ra_arena_alloc(RaArena *arena, gsize size)
{
    gsize need = (size + ARENA_ALIGN - 1) & ~(gsize)(ARENA_ALIGN - 1);
    if (need < size)
        g_error("ra_arena_alloc: size overflow");
    if (need == 0)
        need = ARENA_ALIGN;
    arena->used += size;
    if (need > ARENA_CHUNK_SIZE / 4)
        return ra_arena_adopt(arena, g_malloc0(need));
    Chunk *c = arena->chunks;
    if (c == NULL || c->size - c->used < need) {
        c = g_malloc(CHUNK_HEADER + ARENA_CHUNK_SIZE);
        c->next = arena->chunks;
        c->used = 0;
        c->size = ARENA_CHUNK_SIZE;
        arena->chunks = c;
    }
    guint8 *p = (guint8 *)c + CHUNK_HEADER + c->used;
    c->used += need;
    memset(p, 0, need);
    return p;
}

gpointer ra_arena_alloc_n(RaArena *arena, gsize n, gsize size)
{
    if (size != 0 && n > G_MAXSIZE / size)
        g_error("ra_arena_alloc_n: %" G_GSIZE_FORMAT " * %" G_GSIZE_FORMAT " overflows", n, size);
    return ra_arena_alloc(arena, n * size);
}

gpointer ra_arena_memdup(RaArena *arena, gconstpointer data, gsize size)
{
    gpointer p = ra_arena_alloc(arena, size);
    if (size > 0)
        memcpy(p, data, size);
    return p;
}

gchar *ra_arena_strdup(RaArena *arena, const gchar *s)
{
    if (s == NULL)
        return NULL;
    return ra_arena_strndup(arena, s, strlen(s));
}

gchar *ra_arena_strndup(RaArena *arena, const gchar *s, gsize n)
{
    if (s == NULL)
        return NULL;
    const gchar *nul = memchr(s, '\0', n);
    gsize len = nul ? (gsize)(nul - s) : n;
    gchar *p = ra_arena_alloc(arena, len + 1);
    memcpy(p, s, len);
    return p;
}

gsize ra_arena_used(const RaArena *arena)
{
    return arena->used;
}
