#include "record.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int token_new(char out[TOKEN_SIZE])
{
    unsigned char raw[33]; /* 32 random bytes, padded to a multiple of 3 */
    if (RAND_bytes(raw, 32) != 1)
        return -1;
    raw[32] = 0;
    size_t o = 0;
    for (size_t i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
        if (o < TOKEN_CHARS)
            out[o++] = b64url[v & 63];
    }
    out[TOKEN_CHARS] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

int token_is_wellformed(const char *s)
{
    if (!s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (n >= TOKEN_CHARS)
            return 0;
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n == TOKEN_CHARS;
}

int token_equal(const char *a, const char *b)
{
    if (!token_is_wellformed(a) || !token_is_wellformed(b))
        return 0;
    return CRYPTO_memcmp(a, b, TOKEN_CHARS) == 0;
}

void record_encode(const web_record *r, strbuf *out)
{
    size_t plen = r->profile ? r->profile_len : 0;
    strbuf_addf(out, "kwa2 %d %lld %lld %s %s %lld %zu\n", r->signed_in ? 1 : 0,
                (long long)r->created, (long long)r->seen, r->csrf, r->next[0] ? r->next : "-",
                (long long)(r->profile ? r->profile_at : 0), plen);
    if (plen)
        strbuf_add(out, r->profile, plen);
    if (r->kinde)
        strbuf_add(out, r->kinde, r->kinde_len);
}

/* The next space- or newline-terminated field of data, at most max chars. */
static int field(const char **p, const char *end, char sep, char *out, size_t max)
{
    const char *s = *p;
    const char *e = s;
    while (e < end && *e != sep)
        e++;
    if (e == end || e == s || (size_t)(e - s) > max || memchr(s, '\0', (size_t)(e - s)))
        return -1;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    *p = e + 1;
    return 0;
}

static int parse_time(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!*s || (s[0] == '0' && s[1])) /* canonical: one text per number */
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

int record_decode(const char *data, size_t len, web_record *r)
{
    if (!data || !r)
        return -1;
    memset(r, 0, sizeof *r);
    const char *p = data, *end = data + len;
    char tmp[REDIRECT_PATH_MAX + 1];
    if (field(&p, end, ' ', tmp, 8) || strcmp(tmp, "kwa2") != 0)
        return -1;
    if (field(&p, end, ' ', tmp, 1) || (tmp[0] != '0' && tmp[0] != '1'))
        return -1;
    r->signed_in = tmp[0] == '1';
    if (field(&p, end, ' ', tmp, 19) || parse_time(tmp, &r->created))
        return -1;
    if (field(&p, end, ' ', tmp, 19) || parse_time(tmp, &r->seen))
        return -1;
    if (field(&p, end, ' ', r->csrf, TOKEN_CHARS) || !token_is_wellformed(r->csrf))
        return -1;
    if (field(&p, end, ' ', tmp, REDIRECT_PATH_MAX))
        return -1;
    if (strcmp(tmp, "-") != 0) {
        if (!redirect_is_local_path(tmp))
            return -1;
        strcpy(r->next, tmp);
    }
    int64_t plen = 0;
    if (field(&p, end, ' ', tmp, 19) || parse_time(tmp, &r->profile_at))
        return -1;
    if (field(&p, end, '\n', tmp, 19) || parse_time(tmp, &plen))
        return -1;
    /* No profile is written "0 0": one text per record. */
    if (plen > end - p || (plen == 0) != (r->profile_at == 0))
        return -1;
    if (plen > 0) {
        if (memchr(p, '\0', (size_t)plen) || !(r->profile = malloc((size_t)plen + 1)))
            return -1;
        memcpy(r->profile, p, (size_t)plen);
        r->profile[plen] = '\0';
        r->profile_len = (size_t)plen;
        p += plen;
    }
    size_t rest = (size_t)(end - p);
    if (memchr(p, '\0', rest)) {
        record_free(r);
        return -1;
    }
    r->kinde = malloc(rest + 1);
    if (!r->kinde) {
        record_free(r);
        return -1;
    }
    memcpy(r->kinde, p, rest);
    r->kinde[rest] = '\0';
    r->kinde_len = rest;
    return 0;
}

void record_free(web_record *r)
{
    if (!r)
        return;
    if (r->kinde) {
        OPENSSL_cleanse(r->kinde, r->kinde_len);
        free(r->kinde);
    }
    r->kinde = NULL;
    r->kinde_len = 0;
    if (r->profile) {
        OPENSSL_cleanse(r->profile, r->profile_len);
        free(r->profile);
    }
    r->profile = NULL;
    r->profile_len = 0;
    r->profile_at = 0;
}
