/* Allocation hooks: every byte the library allocates goes through here, so a
 * program can count, cap or fail allocations (the allocation-failure tests do). */
#include "internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static void *(*hook_malloc)(size_t) = malloc;
static void *(*hook_realloc)(void *, size_t) = realloc;
static void (*hook_free)(void *) = free;

kinde_code kinde_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                               void (*free_fn)(void *))
{
    if (!malloc_fn || !realloc_fn || !free_fn)
        return KINDE_E_INVALID_ARGUMENT;
    hook_malloc = malloc_fn;
    hook_realloc = realloc_fn;
    hook_free = free_fn;
    /* jansson's values live in sessions too: route them the same way. */
    json_set_alloc_funcs(malloc_fn, free_fn);
    return KINDE_OK;
}

void *kinde__malloc(size_t n)
{
    return hook_malloc(n ? n : 1);
}

void *kinde__calloc(size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n)
        return NULL;
    void *p = kinde__malloc(count * n);
    if (p)
        memset(p, 0, count * n);
    return p;
}

void *kinde__realloc(void *p, size_t n)
{
    return hook_realloc(p, n ? n : 1);
}

void kinde__free(void *p)
{
    if (p)
        hook_free(p);
}

char *kinde__strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = kinde__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *kinde__strdup(const char *s)
{
    return s ? kinde__strndup(s, strlen(s)) : NULL;
}

void kinde__wipe(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}

void kinde__free_secret(char *s)
{
    if (s) {
        kinde__wipe(s, strlen(s));
        kinde__free(s);
    }
}

/* Everything handed to callers may be a token or a URL carrying state: wipe it. */
void kinde_free(void *ptr)
{
    kinde__free_secret(ptr);
}
