/* A growing string for building URLs, forms and serialized sessions. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static int buf_reserve(kinde__buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    /* Not realloc: the old block may hold a secret and must be wiped. */
    char *d = kinde__malloc(cap);
    if (!d) {
        b->failed = 1;
        return -1;
    }
    if (b->data) {
        memcpy(d, b->data, b->len);
        kinde__wipe(b->data, b->cap);
        kinde__free(b->data);
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void kinde__buf_add(kinde__buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kinde__buf_adds(kinde__buf *b, const char *s)
{
    kinde__buf_add(b, s, strlen(s));
}

void kinde__buf_addf(kinde__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != 0) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void kinde__buf_add_urlenc(kinde__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            kinde__buf_add(b, (const char *)&c, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            kinde__buf_add(b, enc, 3);
        }
    }
}

char *kinde__buf_take(kinde__buf *b)
{
    if (b->failed) {
        kinde__buf_wipe(b);
        return NULL;
    }
    if (!b->data && buf_reserve(b, 0) != 0)
        return NULL;
    char *d = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void kinde__buf_wipe(kinde__buf *b)
{
    if (b->data) {
        kinde__wipe(b->data, b->cap);
        kinde__free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}
