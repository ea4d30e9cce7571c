/* The growable string; see strbuf.h for why this file is built twice. */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef STRBUF_LIBKINDE
/* src/strbuf.c included internal.h before this file: the allocator hooks. */
#define strbuf_alloc kinde__malloc
#define strbuf_release kinde__free_wiped
#else
#include <stdlib.h>
#define strbuf_alloc malloc
static void strbuf_release(void *p, size_t n)
{
    if (p) {
        explicit_bzero(p, n);
        free(p);
    }
}
#endif

void strbuf_init(strbuf *b)
{
    memset(b, 0, sizeof *b);
}

void strbuf_free(strbuf *b)
{
    strbuf_release(b->data, b->cap);
    strbuf_init(b);
}

/* Room for extra more bytes and the NUL; 0 when b is (now) failed. */
static int reserve(strbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < need)
        cap *= 2;
    /* Not realloc: the old block may hold a secret and must be wiped. */
    char *d = strbuf_alloc(cap);
    if (!d) {
        b->failed = 1;
        return 0;
    }
    if (b->data)
        memcpy(d, b->data, b->len);
    d[b->len] = '\0';
    strbuf_release(b->data, b->cap);
    b->data = d;
    b->cap = cap;
    return 1;
}

void strbuf_add(strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_adds(strbuf *b, const char *s)
{
    if (s)
        strbuf_add(b, s, strlen(s));
}

void strbuf_addf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void strbuf_add_html(strbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s; /* copied in one piece up to the next special byte */
    for (const char *p = s; *p; p++) {
        const char *ent;
        switch (*p) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        strbuf_add(b, run, (size_t)(p - run));
        strbuf_adds(b, ent);
        run = p + 1;
    }
    strbuf_adds(b, run);
}

void strbuf_add_urlenc(strbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            strbuf_add(b, s, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            strbuf_add(b, enc, 3);
        }
    }
}

int strbuf_ok(const strbuf *b)
{
    return !b->failed;
}

char *strbuf_take(strbuf *b, size_t *len)
{
    if (!reserve(b, 0)) { /* failed, or no memory for the "" of an empty buffer */
        strbuf_free(b);
        return NULL;
    }
    char *d = b->data;
    if (len)
        *len = b->len;
    strbuf_init(b);
    return d;
}
