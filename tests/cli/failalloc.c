/* LD_PRELOAD shim for the CLI test: the N-th allocation made from libkinde
 * (KINDE_FAIL_ALLOC=N) fails, so that the kinde command's out-of-memory paths
 * run in the real program. Allocations made anywhere else (the C library,
 * libcurl, OpenSSL) are left alone: only the library promises to survive a
 * failed allocation. Not for sanitizer builds, whose runtime owns malloc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t count, size_t n);
void *__libc_realloc(void *p, size_t n);

static long countdown; /* allocations from libkinde left before the failing one */
static int armed = -1;  /* -1: not yet read from the environment */
static _Thread_local int busy;

static int fails(void *caller)
{
    if (busy)
        return 0;
    busy = 1;
    if (armed < 0) {
        const char *n = getenv("KINDE_FAIL_ALLOC");
        countdown = n ? atol(n) : 0;
        armed = countdown > 0;
    }
    int fail = 0;
    Dl_info info;
    if (armed && dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "libkinde.so") &&
        --countdown == 0)
        fail = 1;
    busy = 0;
    return fail;
}

void *malloc(size_t n)
{
    return fails(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}

void *calloc(size_t count, size_t n)
{
    return fails(__builtin_return_address(0)) ? NULL : __libc_calloc(count, n);
}

void *realloc(void *p, size_t n)
{
    return fails(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}
