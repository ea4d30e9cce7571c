/*
 * strbuf.h - the one growable string of kinde-c: libkinde (src/), the sign-in
 * layer (web/, with the demo app) and the emulator (tools/emulator/) all use it.
 *
 * Every append either succeeds or marks the buffer failed (out of memory);
 * callers append freely and check once, at the end, with strbuf_ok() or by
 * strbuf_take() returning NULL. Start from `strbuf b = {0}` (or strbuf_init).
 * Memory is never realloc'd and is wiped before it is freed: buffers carry
 * tokens, secrets and serialized sessions in all three components.
 *
 * Why one source compiled twice (docs/design.md, "One growable string"):
 * libkinde's copy must allocate through the library's allocator hooks
 * (kinde__malloc / kinde__free_wiped: the allocation-failure tests fail the
 * n-th of them), while web/ links libkinde.so, where those are hidden, and the
 * emulator links no SDK code at all; so common/strbuf.c is built
 *   - once as the kinde_strbuf library (malloc/free), linked by web/ and the
 *     emulator, and
 *   - once inside libkinde by src/strbuf.c, with STRBUF_LIBKINDE defined (by
 *     src/internal.h), which picks the hooks and, through the #define block
 *     below, renames every function to kinde__strbuf_* so that no program that
 *     links both (tests, bench) holds two different functions of one name.
 * The source always says strbuf_*: grep for that; the kinde__strbuf_* names
 * only appear in symbol tables (hidden from libkinde.so's exports).
 */
#ifndef KINDE_COMMON_STRBUF_H
#define KINDE_COMMON_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef STRBUF_LIBKINDE
#define strbuf_init kinde__strbuf_init
#define strbuf_free kinde__strbuf_free
#define strbuf_add kinde__strbuf_add
#define strbuf_adds kinde__strbuf_adds
#define strbuf_addf kinde__strbuf_addf
#define strbuf_add_html kinde__strbuf_add_html
#define strbuf_add_urlenc kinde__strbuf_add_urlenc
#define strbuf_ok kinde__strbuf_ok
#define strbuf_take kinde__strbuf_take
#endif

typedef struct strbuf {
    char *data; /* NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    int failed;
} strbuf;

void strbuf_init(strbuf *b);
/* Wipes and frees the contents; b is empty and usable again. */
void strbuf_free(strbuf *b);
void strbuf_add(strbuf *b, const char *s, size_t n);
/* NULL appends nothing, for strbuf_adds, _add_html and _add_urlenc. */
void strbuf_adds(strbuf *b, const char *s);
void strbuf_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' replaced by entities. */
void strbuf_add_html(strbuf *b, const char *s);
/* s percent-encoded for a URL query or form: RFC 3986 unreserved kept. */
void strbuf_add_urlenc(strbuf *b, const char *s);
int strbuf_ok(const strbuf *b);
/* Hands over the text, "" when nothing was appended, and its length through
 * len (may be NULL); b is left empty. NULL (and b freed) when any append
 * failed. The caller frees it with the copy's allocator: kinde__free (or
 * kinde__free_secret) in libkinde, free() elsewhere. */
char *strbuf_take(strbuf *b, size_t *len);

#endif
