#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b)
{
    memset(b, 0, sizeof *b);
}

void buf_free(buf *b)
{
    free(b->data);
    buf_init(b);
}

static int grow(buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > ((size_t)-1) / 2 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void buf_append(buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    if (s)
        buf_append(b, s, strlen(s));
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_html(buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *ent = NULL;
        switch (*p) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, ent);
        run = p + 1;
    }
    buf_puts(b, run);
}

int buf_ok(const buf *b)
{
    return !b->failed;
}

char *buf_take(buf *b, size_t *len)
{
    if (b->failed) {
        buf_free(b);
        return NULL;
    }
    if (!b->data && !grow(b, 0))
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0'; // NOLINT(clang-analyzer-core.NullDereference): grow() set data
    char *out = b->data;
    if (len)
        *len = b->len;
    buf_init(b);
    return out;
}
