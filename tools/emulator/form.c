/* Query strings and form bodies, escaping, random strings. Everything here
 * reads outside input and is fuzzed (tests/fuzz/fuzz_emulator_form.c). */
#include "emulator.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes one component; NULL on a bad escape or a NUL byte. */
static char *decode(const char *p, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hexval(p[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(p[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            free(out);
            return NULL;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

void emu_form_free(emu_form *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->items[i].key);
        free(f->items[i].value);
    }
    free(f->items);
    f->items = NULL;
    f->count = 0;
}

int emu_form_parse(const char *text, size_t len, emu_form *out)
{
    out->items = NULL;
    out->count = 0;
    if (!text || len == 0)
        return 0;
    out->items = calloc(EMU_FORM_MAX_PAIRS, sizeof *out->items);
    if (!out->items)
        return -1;
    size_t i = 0;
    while (i <= len) {
        size_t end = i;
        while (end < len && text[end] != '&')
            end++;
        if (end > i) { /* empty pieces ("a=1&&b=2") are skipped */
            const char *eq = memchr(text + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (text + i)) : end - i;
            if (klen == 0 || out->count == EMU_FORM_MAX_PAIRS)
                goto bad;
            emu_pair *p = &out->items[out->count];
            p->key = decode(text + i, klen);
            p->value = eq ? decode(eq + 1, (size_t)(text + end - eq - 1)) : decode("", 0);
            out->count++; /* counted first so a failure frees what was made */
            if (!p->key || !p->value)
                goto bad;
        }
        i = end + 1;
    }
    return 0;
bad:
    emu_form_free(out);
    return -1;
}

const char *emu_form_get(const emu_form *f, const char *key, int *dup)
{
    const char *found = NULL;
    if (dup)
        *dup = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (strcmp(f->items[i].key, key) == 0) {
            if (found && dup)
                *dup = 1;
            if (!found)
                found = f->items[i].value;
        }
    }
    return found;
}

size_t emu_form_all(const emu_form *f, const char *key, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count && n < max; i++)
        if (strcmp(f->items[i].key, key) == 0)
            out[n++] = f->items[i].value;
    return n;
}

char *emu_b64url(const unsigned char *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(len / 3 * 4 + 5);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
        out[o++] = tbl[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

char *emu_random_token(size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b || RAND_bytes(b, (int)nbytes) != 1)
        return NULL;
    return emu_b64url(b, nbytes);
}

char *emu_random_hex(size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b || RAND_bytes(b, (int)nbytes) != 1)
        return NULL;
    char *out = malloc(nbytes * 2 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return out;
}
