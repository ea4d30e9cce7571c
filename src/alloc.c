/* Allocation hooks: every byte the library allocates goes through here, so a
 * program can count, cap or fail allocations (the allocation-failure tests do). */
#include "internal.h"

#include <openssl/crypto.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *(*hook_malloc)(size_t) = malloc;
static void *(*hook_realloc)(void *, size_t) = realloc;
static void (*hook_free)(void *) = free;

/* jansson does not always say that a parse failed for lack of memory (an
 * allocation failing in its lexer set-up reads as a syntax error), so its
 * allocations go through here and a failure is noted for the parser. */
static _Thread_local int json_alloc_failed;

/* jansson's blocks hold token text (a token endpoint's answer, a session's
 * claims), and it frees them without saying how large they are; to wipe
 * them (SECURITY.md C26) the size must come from somewhere:
 *  - with the C library's allocator, from malloc_usable_size(). jansson's
 *    hooks are process-wide and installed on first use, so blocks the
 *    program allocated with jansson before that arrive here too; they are
 *    malloc blocks, and this works for them as well. A program that gave
 *    jansson an allocator of its own keeps it: the library then neither
 *    wipes jansson's blocks nor sees its allocation failures;
 *  - with kinde_set_allocator() (which must come before any use of jansson
 *    or of the library), from a header in front of each block. */
typedef union {
    size_t size;
    max_align_t align;
} json_header;
static int json_headers;
static int json_decided; /* install_json_hooks has run (under json_once) */

static void *json_malloc(size_t n)
{
    void *p;
    if (json_headers) {
        json_header *h = n <= SIZE_MAX - sizeof *h ? hook_malloc(sizeof *h + n) : NULL;
        if (h)
            h->size = n;
        p = h ? h + 1 : NULL;
    } else {
        p = hook_malloc(n ? n : 1);
    }
    if (!p)
        json_alloc_failed = 1;
    return p;
}

static void json_free(void *p)
{
    if (!p)
        return;
    if (json_headers) {
        json_header *h = (json_header *)p - 1;
        OPENSSL_cleanse(p, h->size);
        hook_free(h);
        return;
    }
#if defined(__GLIBC__)
    OPENSSL_cleanse(p, malloc_usable_size(p));
#endif
    hook_free(p);
}

static pthread_once_t json_once = PTHREAD_ONCE_INIT;

static void install_json_hooks(void)
{
    __atomic_store_n(&json_decided, 1, __ATOMIC_RELEASE);
    json_malloc_t current_malloc;
    json_free_t current_free;
    json_get_alloc_funcs(&current_malloc, &current_free);
    if (hook_free == free && (current_malloc != malloc || current_free != free))
        return; /* the program's own jansson allocator: not ours to replace */
    json_headers = hook_free != free;
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
    /* After the library's first use, blocks already out came from the old
     * functions (and jansson's hooks are set): changing now would free
     * them with the wrong function. */
    if (__atomic_load_n(&json_decided, __ATOMIC_ACQUIRE) &&
        (malloc_fn != hook_malloc || realloc_fn != hook_realloc || free_fn != hook_free))
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

void kinde__free_wiped(void *p, size_t n)
{
    if (p) {
        kinde__wipe(p, n);
        kinde__free(p);
    }
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
