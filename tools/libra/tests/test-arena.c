/* The memory arena: alignment, zeroing, sizes, adoption (ASan checks the freeing). */
#include "ra/arena.h"

#include <string.h>

static void test_alloc(void)
{
    RaArena *a = ra_arena_new();
    for (gsize size = 0; size < 3000; size += 7) {
        guint8 *p = ra_arena_alloc(a, size);
        g_assert_nonnull(p);
        g_assert_cmpuint((guintptr)p % 16, ==, 0);
        for (gsize i = 0; i < size; i++)
            g_assert_cmpuint(p[i], ==, 0);
        memset(p, 0xa5, size);
    }
    g_assert_cmpuint(ra_arena_used(a), >, 0);
    ra_arena_free(a);
    ra_arena_free(NULL);
}

static void test_strings(void)
{
    RaArena *a = ra_arena_new();
    g_assert_null(ra_arena_strdup(a, NULL));
    g_assert_cmpstr(ra_arena_strdup(a, "hello"), ==, "hello");
    g_assert_cmpstr(ra_arena_strndup(a, "hello", 3), ==, "hel");
    g_assert_cmpstr(ra_arena_strndup(a, "hi", 10), ==, "hi");
    static const guint8 data[5] = {1, 2, 3, 4, 5};
    guint8 *copy = ra_arena_memdup(a, data, sizeof data);
    g_assert_cmpmem(copy, 5, data, 5);
    guint32 *n = ra_arena_alloc_n(a, 100, sizeof *n);
    n[99] = 1;
    gchar *adopted = ra_arena_adopt(a, g_strdup("mine now"));
    g_assert_cmpstr(adopted, ==, "mine now");
    g_assert_null(ra_arena_adopt(a, NULL));
    ra_arena_free(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/arena/alloc", test_alloc);
    g_test_add_func("/arena/strings", test_strings);
    return g_test_run();
}
