/* base64url without padding (RFC 7515 section 2), decoded strictly.
 *
 * Strictness matters for tokens: if two spellings decoded to the same bytes,
 * a token could be altered without touching what the signature covers
 * (the signature is over the base64url text, but caches, logs and replay
 * checks compare text). So only the one canonical spelling is accepted. */
#include "internal.h"

#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *kinde__b64url_encode(const unsigned char *data, size_t len)
{
    if (!data && len)
        return NULL;
    if (len > (SIZE_MAX - 4) / 4 * 3)
        return NULL;
    size_t out_len = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
    char *out = kinde__malloc(out_len + 1);
    if (!out)
        return NULL;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
    }
    *o = '\0';
    return out;
}

/* Sextet of each byte; 0xff for anything outside the base64url alphabet,
 * '=' and NUL included. A table: tokens are decoded on every verification. */
static const unsigned char sextet[256] = {
#define X 0xff
#define ROW16 X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
    ROW16, ROW16,
    /* 0x20 ' ' .. '/': only '-' (0x2d) */
    X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X,
    /* '0'..'9', then : ; < = > ? */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
    /* '@', 'A'..'O' */
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    /* 'P'..'Z', [ \ ] ^ '_' */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63,
    /* '`', 'a'..'o' */
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    /* 'p'..'z', { | } ~ DEL */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16,
#undef ROW16
#undef X
};

int kinde__b64url_decode(const char *in, size_t len, unsigned char **out, size_t *out_len)
{
    if (!out || !out_len || (!in && len))
        return -1;
    /* One leftover character carries 6 bits: not even one byte. */
    if (len % 4 == 1)
        return -1;
    size_t n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    unsigned char *buf = kinde__malloc(n + 1);
    if (!buf)
        return -2;
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    /* Four characters to three bytes; any invalid character sets the high
     * bits of `bad` (its sextet is 0xff). */
    unsigned bad = 0;
    for (; i + 4 <= len; i += 4) {
        unsigned a = sextet[p[i]], b = sextet[p[i + 1]], c = sextet[p[i + 2]], d = sextet[p[i + 3]];
        bad |= a | b | c | d;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
        buf[o++] = (unsigned char)(v >> 16);
        buf[o++] = (unsigned char)(v >> 8);
        buf[o++] = (unsigned char)v;
    }
    /* The tail: 2 characters give 1 byte, 3 give 2. Left-over low bits must
     * be zero, or "QQ" and "QR" would both mean "A". */
    uint32_t acc = 0;
    if (len - i == 2) {
        unsigned a = sextet[p[i]], b = sextet[p[i + 1]];
        bad |= a | b;
        buf[o++] = (unsigned char)(a << 2 | (b & 0x3f) >> 4);
        acc = b & 0x0f;
    } else if (len - i == 3) {
        unsigned a = sextet[p[i]], b = sextet[p[i + 1]], c = sextet[p[i + 2]];
        bad |= a | b | c;
        uint32_t v = (uint32_t)(a & 0x3f) << 12 | (uint32_t)(b & 0x3f) << 6 | (c & 0x3f);
        buf[o++] = (unsigned char)(v >> 10);
        buf[o++] = (unsigned char)(v >> 2);
        acc = c & 0x03;
    }
    if ((bad & 0xc0) || acc != 0) {
        kinde__free(buf);
        return -1;
    }
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return 0;
}
