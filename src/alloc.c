/* Allocation hooks: every byte the library allocates goes through here, so a
 * program can count, cap or fail allocations (the allocation-failure tests do). */
#include "internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static void *(*hook_malloc)(size_t) = malloc;
static void *(*hook_realloc)(void *, size_t) = realloc;
static void (*hook_free)(void *) = free;

/* jansson does not always say that a parse failed for lack of memory (an
 * allocation failing in its lexer set-up reads as a syntax error), so its
 * allocations go through here and a failure is noted for the parser. */
static _Thread_local int json_alloc_failed;

static void *json_malloc(size_t n)
{
    void *p = hook_malloc(n ? n : 1);
    if (!p)
        json_alloc_failed = 1;
    return p;
}

static void json_free(void *p)
{
    if (p)
        hook_free(p);
}

static pthread_once_t json_once = PTHREAD_ONCE_INIT;

static void install_json_hooks(void)
{
    json_set_alloc_funcs(json_malloc, json_free);
}

void kinde__json_hooks(void)
{
    pthread_once(&json_once, install_json_hooks);
}

int kinde__json_alloc_failed(int reset)
{
    int failed = json_alloc_failed;
    if (reset)
        json_alloc_failed = 0;
    return failed;
}

kinde_code kinde_set_allocator(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                               void (*free_fn)(void *))
{
    if (!malloc_fn || !realloc_fn || !free_fn)
        return KINDE_E_INVALID_ARGUMENT;
    hook_malloc = malloc_fn;
    hook_realloc = realloc_fn;
    hook_free = free_fn;
    /* jansson's values live in sessions too: they go through the same hooks. */
    kinde__json_hooks();
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
