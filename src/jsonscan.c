/* Token payloads and headers parsed once into a flat, read-only form.
 *
 * Why not jansson here: a payload is parsed on every verification and every
 * session load, and jansson builds a tree of allocated nodes and hash tables
 * for it (82 % of a parse was json_loadb, BENCHMARKS.md item 1). Here a
 * document is one block: an array of 16-byte values in document order (a
 * container is followed by its members; it records how many values its
 * subtree spans, so skipping it is one addition) and the decoded strings,
 * NUL-terminated, after them. Getters read it in place.
 *
 * Strictness is the point, because two parsers that disagree about a token
 * are an attack (the differential fuzz target tests/fuzz/fuzz_json_diff.c
 * holds this parser to jansson's answers): RFC 8259 grammar only, duplicate
 * member names refused (after unescaping), invalid UTF-8, encoded or escaped
 * surrogates that are not a pair, \u0000, control characters, leading zeros
 * and trailing data refused, integers outside int64 refused (never rounded),
 * reals that overflow a double refused, nesting deeper than
 * KINDE__JSON_DEPTH refused. */
#include "internal.h"
#include "../common/utf8.h"

#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values kept on the stack while parsing; a Kinde payload has ~60. */
#define STACK_VALS 128
/* Objects with more members than this are checked for duplicates by sorting
 * their names, not by comparing every pair. */
#define PAIRWISE_MAX 24

typedef struct {
    unsigned char *s;              /* the text, unescaped in place */
    size_t len, pos;
    kinde__jval *vals;
    size_t n, cap;
    size_t str_bytes;              /* decoded string bytes, NULs included */
    const char *why;
    int nomem;
    kinde__jval stack[STACK_VALS]; /* last: only the fields above are cleared */
} jparser;

static int fail(jparser *p, const char *why)
{
    if (!p->why)
        p->why = why;
    return -1;
}

static long push(jparser *p, uint32_t type)
{
    if (p->n == p->cap) {
        size_t cap = p->cap * 2;
        kinde__jval *v = kinde__malloc(cap * sizeof *v);
        if (!v) {
            p->nomem = 1;
            return fail(p, "out of memory");
        }
        memcpy(v, p->vals, p->n * sizeof *v);
        if (p->vals != p->stack)
            kinde__free_wiped(p->vals, p->n * sizeof *v);
        p->vals = v;
        p->cap = cap;
    }
    kinde__jval *v = &p->vals[p->n];
    memset(v, 0, sizeof *v);
    v->type = type;
    return (long)p->n++;
}

static void skip_ws(jparser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        p->pos++;
    }
}

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_put(unsigned char *w, unsigned cp)
{
    if (cp < 0x80) {
        w[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (unsigned char)(0xC0 | (cp >> 6));
        w[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (unsigned char)(0xE0 | (cp >> 12));
        w[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        w[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (unsigned char)(0xF0 | (cp >> 18));
    w[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    w[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    w[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Bytes that stand for themselves in a string: printable ASCII but the
 * quote and the backslash. */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80-0xFF: UTF-8, checked sequence by sequence */
};

/* At the opening quote. The decoded string is written over its own text
 * (never longer than it), NUL-terminated where the text had a quote or
 * earlier. */
static int parse_string(jparser *p)
{
    long idx = push(p, KINDE__J_STRING);
    if (idx < 0)
        return -1;
    unsigned char *s = p->s;
    size_t r = p->pos + 1, start = r, len = p->len;
    /* Until the first escape the text is its own decoding: only scan. */
    while (r < len && plain[s[r]])
        r++;
    size_t w = r;
    for (;;) {
        /* The common run: printable ASCII without quote or backslash. */
        while (r < len && plain[s[r]])
            s[w++] = s[r++];
        if (r >= len)
            return fail(p, "unterminated string");
        unsigned char c = s[r];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(p, "control character in a string");
        if (c >= 0x80) {
            size_t n = utf8_seq_len(s + r, len - r);
            if (!n)
                return fail(p, "invalid UTF-8");
            memmove(s + w, s + r, n);
            w += n;
            r += n;
            continue;
        }
        /* A backslash. */
        if (r + 1 >= len)
            return fail(p, "unterminated string");
        unsigned char e = s[r + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            s[w++] = (unsigned char)map[simple - "\"\\/bfnrt"];
            r += 2;
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || r + 6 > len || hex4(s + r + 2, &cp))
            return fail(p, "invalid escape");
        r += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (r + 6 > len || s[r] != '\\' || s[r + 1] != 'u' || hex4(s + r + 2, &lo))
                return fail(p, r + 2 <= len && s[r] == '\\' && s[r + 1] == 'u'
                                   ? "invalid escape" : "lone surrogate");
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(p, "lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            r += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(p, "lone surrogate");
        } else if (cp == 0) {
            return fail(p, "\\u0000 in a string");
        }
        w += utf8_put(s + w, cp);
    }
    s[w] = '\0';
    p->vals[idx].n = (uint32_t)(w - start);
    p->vals[idx].v.off = start;
    p->str_bytes += w - start + 1;
    p->pos = r + 1;
    return 0;
}

/* Reals are read and written in the C locale whatever the program set, as
 * jansson does (it swaps the decimal point itself). */
static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;

static void c_loc_init(void)
{
    c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static locale_t use_c_locale(void)
{
    pthread_once(&c_loc_once, c_loc_init);
    return c_loc ? uselocale(c_loc) : (locale_t)0;
}

static void restore_locale(locale_t old)
{
    if (old)
        uselocale(old);
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259 number grammar; integers (no fraction or exponent) must fit
 * int64 exactly, reals must not overflow a double. */
static int parse_number(jparser *p)
{
    const unsigned char *s = p->s;
    size_t start = p->pos, i = start, len = p->len;
    int neg = 0, real = 0;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len || !is_digit(s[i]))
        return fail(p, "invalid number");
    if (s[i] == '0') {
        if (++i < len && is_digit(s[i]))
            return fail(p, "leading zero");
    } else {
        while (i < len && is_digit(s[i]))
            i++;
    }
    size_t int_end = i;
    if (i < len && s[i] == '.') {
        real = 1;
        if (++i >= len || !is_digit(s[i]))
            return fail(p, "invalid number");
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        real = 1;
        if (++i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !is_digit(s[i]))
            return fail(p, "invalid number");
        while (i < len && is_digit(s[i]))
            i++;
    }
    long idx = push(p, real ? KINDE__J_REAL : KINDE__J_INT);
    if (idx < 0)
        return -1;
    if (!real) {
        uint64_t mag = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (size_t k = start + (size_t)neg; k < int_end; k++) {
            unsigned d = (unsigned)(s[k] - '0');
            if (mag > (limit - d) / 10)
                return fail(p, "integer out of range");
            mag = mag * 10 + d;
        }
        p->vals[idx].v.i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    } else {
        /* strtod needs a terminated copy: the text goes on past the number. */
        char buf[64], *heap = NULL, *num = buf, *end = NULL;
        size_t n = i - start;
        if (n >= sizeof buf && !(num = heap = kinde__malloc(n + 1))) {
            p->nomem = 1;
            return fail(p, "out of memory");
        }
        memcpy(num, s + start, n);
        num[n] = '\0';
        locale_t old = use_c_locale();
        double d = strtod(num, &end);
        restore_locale(old);
        int whole = end == num + n;
        kinde__free_wiped(heap, n + 1);
        if (!whole)
            return fail(p, "invalid number");
        if (d == HUGE_VAL || d == -HUGE_VAL)
            return fail(p, "real number overflow");
        p->vals[idx].v.d = d;
    }
    p->pos = i;
    return 0;
}

static int literal(jparser *p, const char *word, uint32_t type)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, "invalid token");
    p->pos += n;
    return push(p, type) < 0 ? -1 : 0;
}

static int parse_value(jparser *p, int depth);

static int key_cmp(const void *a, const void *b)
{
    const kinde__jval *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return memcmp(x->v.s, y->v.s, x->n);
}

/* Member names are compared decoded ("a" and "\u0061" are the same name),
 * as jansson's JSON_REJECT_DUPLICATES does. Strings still hold offsets into
 * the text here. */
static int has_duplicates(jparser *p, size_t obj)
{
    size_t count = p->vals[obj].n;
    if (count < 2)
        return 0;
    const char *base = (const char *)p->s;
    if (count <= PAIRWISE_MAX) {
        size_t keys[PAIRWISE_MAX] = {0}, k = obj + 1;
        for (size_t m = 0; m < count; m++) {
            const kinde__jval *key = &p->vals[k];
            for (size_t j = 0; j < m; j++) {
                const kinde__jval *o = &p->vals[keys[j]];
                if (o->n == key->n && memcmp(base + o->v.off, base + key->v.off, key->n) == 0)
                    return 1;
            }
            keys[m] = k;
            k = (size_t)(kinde__jnext(&p->vals[k + 1]) - p->vals);
        }
        return 0;
    }
    /* Sorted copies of the keys, pointing into the text. */
    kinde__jval *sorted = kinde__malloc(count * sizeof *sorted);
    if (!sorted) {
        p->nomem = 1;
        return fail(p, "out of memory");
    }
    size_t k = obj + 1;
    for (size_t m = 0; m < count; m++) {
        sorted[m] = p->vals[k];
        sorted[m].v.s = base + p->vals[k].v.off;
        k = (size_t)(kinde__jnext(&p->vals[k + 1]) - p->vals);
    }
    qsort(sorted, count, sizeof *sorted, key_cmp);
    int dup = 0;
    for (size_t m = 1; m < count && !dup; m++)
        dup = key_cmp(&sorted[m - 1], &sorted[m]) == 0;
    kinde__free_wiped(sorted, count * sizeof *sorted);
    return dup;
}

/* At '{' or '['. */
static int parse_container(jparser *p, int depth)
{
    int is_obj = p->s[p->pos] == '{';
    unsigned char close = is_obj ? '}' : ']';
    if (depth >= KINDE__JSON_DEPTH)
        return fail(p, "nested too deeply");
    long idx = push(p, is_obj ? KINDE__J_OBJECT : KINDE__J_ARRAY);
    if (idx < 0)
        return -1;
    p->pos++;
    skip_ws(p);
    uint32_t count = 0;
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            skip_ws(p);
            if (is_obj) {
                if (p->pos >= p->len || p->s[p->pos] != '"')
                    return fail(p, "member name expected");
                if (parse_string(p))
                    return -1;
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':')
                    return fail(p, "':' expected");
                p->pos++;
            }
            if (parse_value(p, depth + 1))
                return -1;
            count++;
            skip_ws(p);
            if (p->pos >= p->len)
                return fail(p, "unterminated container");
            if (p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->s[p->pos] != close)
                return fail(p, "',' or end of container expected");
            p->pos++;
            break;
        }
    }
    p->vals[idx].n = count;
    p->vals[idx].v.span = p->n - (size_t)idx;
    if (is_obj && has_duplicates(p, (size_t)idx))
        return fail(p, p->nomem ? "out of memory" : "duplicate member name");
    return 0;
}

static int parse_value(jparser *p, int depth)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, "premature end of input");
    switch (p->s[p->pos]) {
    case '{':
    case '[':
        return parse_container(p, depth);
    case '"':
        return parse_string(p);
    case 't':
        return literal(p, "true", KINDE__J_TRUE);
    case 'f':
        return literal(p, "false", KINDE__J_FALSE);
    case 'n':
        return literal(p, "null", KINDE__J_NULL);
    default:
        if (p->s[p->pos] == '-' || is_digit(p->s[p->pos]))
            return parse_number(p);
        return fail(p, "invalid token");
    }
}

int kinde__jdoc_parse(char *text, size_t len, kinde__jdoc **out, const char **why)
{
    jparser p;
    memset(&p, 0, offsetof(jparser, stack));
    p.s = (unsigned char *)text;
    p.len = len;
    p.vals = p.stack;
    p.cap = STACK_VALS;
    *out = NULL;
    skip_ws(&p);
    int rc = 0;
    if (p.pos >= p.len || p.s[p.pos] != '{')
        rc = fail(&p, "not a JSON object");
    else if (parse_container(&p, 0) != 0)
        rc = -1;
    else if (skip_ws(&p), p.pos != p.len)
        rc = fail(&p, "data after the object");
    kinde__jdoc *d = NULL;
    size_t vals_bytes = p.n * sizeof(kinde__jval);
    size_t size = sizeof *d + vals_bytes + p.str_bytes;
    if (rc == 0 && !(d = kinde__malloc(size))) {
        p.nomem = 1;
        rc = fail(&p, "out of memory");
    }
    if (rc == 0) {
        d->size = size;
        d->n = p.n;
        memcpy(d->vals, p.vals, vals_bytes);
        char *w = (char *)d->vals + vals_bytes;
        for (size_t i = 0; i < p.n; i++)
            if (d->vals[i].type == KINDE__J_STRING) {
                memcpy(w, text + d->vals[i].v.off, d->vals[i].n + 1);
                d->vals[i].v.s = w;
                w += d->vals[i].n + 1;
            }
        *out = d;
    }
    *why = p.why;
    /* The values hold claims (integers among them): wiped like the text. */
    if (p.vals != p.stack)
        kinde__free_wiped(p.vals, p.cap * sizeof *p.vals);
    kinde__wipe(p.stack, (p.n < STACK_VALS ? p.n : STACK_VALS) * sizeof *p.stack);
    return rc == 0 ? 0 : p.nomem ? -2 : -1;
}

void kinde__jdoc_free(kinde__jdoc *d)
{
    if (d)
        kinde__free_wiped(d, d->size);
}

kinde__jdoc *kinde__jdoc_dup(const kinde__jdoc *d)
{
    kinde__jdoc *c = d ? kinde__malloc(d->size) : NULL;
    if (!c)
        return NULL;
    memcpy(c, d, d->size);
    for (size_t i = 0; i < c->n; i++)
        if (c->vals[i].type == KINDE__J_STRING)
            c->vals[i].v.s = (const char *)c + (c->vals[i].v.s - (const char *)d);
    return c;
}

const kinde__jval *kinde__jroot(const kinde__jdoc *d)
{
    return d ? d->vals : NULL;
}

const kinde__jval *kinde__jget(const kinde__jval *obj, const char *key)
{
    if (!obj || obj->type != KINDE__J_OBJECT || !key)
        return NULL;
    size_t klen = strlen(key);
    const kinde__jval *k = obj + 1;
    for (uint32_t m = 0; m < obj->n; m++) {
        if (k->n == klen && k->v.s[0] == key[0] && memcmp(k->v.s, key, klen) == 0)
            return k + 1;
        k = kinde__jnext(k + 1);
    }
    return NULL;
}

const char *kinde__jstr(const kinde__jval *v)
{
    return v && v->type == KINDE__J_STRING ? v->v.s : NULL;
}

const char *kinde__jget_str(const kinde__jval *obj, const char *key)
{
    return kinde__jstr(kinde__jget(obj, key));
}

int kinde__jequal(const kinde__jval *a, const kinde__jval *b)
{
    if (!a || !b || a->type != b->type)
        return 0;
    switch (a->type) {
    case KINDE__J_INT:
        return a->v.i == b->v.i;
    case KINDE__J_REAL:
        return a->v.d == b->v.d;
    case KINDE__J_STRING:
        return a->n == b->n && memcmp(a->v.s, b->v.s, a->n) == 0;
    case KINDE__J_ARRAY: {
        if (a->n != b->n)
            return 0;
        const kinde__jval *x = a + 1, *y = b + 1;
        for (uint32_t i = 0; i < a->n; i++, x = kinde__jnext(x), y = kinde__jnext(y))
            if (!kinde__jequal(x, y))
                return 0;
        return 1;
    }
    case KINDE__J_OBJECT: {
        /* Names are unique within an object, so same count and every member
         * of a found equal in b is equality, in any order. */
        if (a->n != b->n)
            return 0;
        const kinde__jval *k = a + 1;
        for (uint32_t m = 0; m < a->n; m++, k = kinde__jnext(k + 1))
            if (!kinde__jequal(k + 1, kinde__jget(b, k->v.s)))
                return 0;
        return 1;
    }
    default:
        return 1;
    }
}

/* ---- JSON text, byte for byte what jansson's compact dump writes -------- */

typedef struct {
    char *out;                     /* what fits of the text is written here */
    size_t len, cap;               /* len counts all of it, written or not */
} jwriter;

static void put(jwriter *w, const char *s, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->out + w->len, s, n);
    w->len += n;
}

static void put_string(jwriter *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || plain[c])
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        put(w, esc, len);
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

static void put_int(jwriter *w, int64_t v)
{
    char buf[24];
    size_t i = sizeof buf;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        buf[--i] = (char)('0' + m % 10);
    while (m /= 10);
    if (v < 0)
        buf[--i] = '-';
    put(w, buf + i, sizeof buf - i);
}

/* "%.17g", then ".0" when it would read back as an integer, and the
 * exponent without '+' or leading zeros: jansson's jsonp_dtostr. */
static void put_real(jwriter *w, double d)
{
    char buf[40];
    locale_t old = use_c_locale();
    int n = snprintf(buf, sizeof buf - 2, "%.17g", d);
    restore_locale(old);
    size_t len = n > 0 && (size_t)n < sizeof buf - 2 ? (size_t)n : 0;
    buf[len] = '\0';
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *digits = start + 1;
        if (*start == '-')
            start++;
        while (*digits == '0')
            digits++;
        memmove(start, digits, len + 1 - (size_t)(digits - buf));
        len -= (size_t)(digits - start);
    }
    put(w, buf, len);
}

static const kinde__jval *write_value(jwriter *w, const kinde__jval *v)
{
    switch (v->type) {
    case KINDE__J_NULL: put(w, "null", 4); break;
    case KINDE__J_TRUE: put(w, "true", 4); break;
    case KINDE__J_FALSE: put(w, "false", 5); break;
    case KINDE__J_INT: put_int(w, v->v.i); break;
    case KINDE__J_REAL: put_real(w, v->v.d); break;
    case KINDE__J_STRING: put_string(w, v->v.s, v->n); break;
    default: {
        int is_obj = v->type == KINDE__J_OBJECT;
        const kinde__jval *c = v + 1;
        put(w, is_obj ? "{" : "[", 1);
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                put(w, ",", 1);
            if (is_obj) {
                put_string(w, c->v.s, c->n);
                put(w, ":", 1);
                c++;
            }
            c = write_value(w, c);
        }
        put(w, is_obj ? "}" : "]", 1);
        return c;
    }
    }
    return v + 1;
}

char *kinde__jtext(const kinde__jval *v)
{
    if (!v)
        return NULL;
    /* Claims are small: one pass into the stack, copied out; a larger text
     * is measured by that pass and written by a second. */
    char small[512];
    jwriter w = {small, 0, sizeof small};
    write_value(&w, v);
    size_t n = w.len;
    char *out = kinde__malloc(n + 1);
    if (out && n <= sizeof small) {
        memcpy(out, small, n);
    } else if (out) {
        w = (jwriter){out, 0, n};
        write_value(&w, v);
    }
    kinde__wipe(small, n < sizeof small ? n : sizeof small); /* claims may be personal data */
    if (out)
        out[n] = '\0';
    return out;
}
