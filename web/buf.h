/* A growable text buffer. Every append either succeeds or marks the buffer
 * failed (out of memory); callers check once, at the end, with buf_ok(). */
#ifndef KINDE_WEB_BUF_H
#define KINDE_WEB_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data;   /* always NUL-terminated when len > 0 or after buf_take() */
    size_t len;
    size_t cap;
    int failed;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_append(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' replaced by entities; NULL appends nothing. */
void buf_html(buf *b, const char *s);
int buf_ok(const buf *b);
/* Hands over the text (caller frees with free()), leaving b empty; NULL when failed. */
char *buf_take(buf *b, size_t *len);

#endif
