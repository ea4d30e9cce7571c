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

/* -1 for anything outside the base64url alphabet, '=' and NUL included. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

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
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sextet((unsigned char)in[i]);
        if (v < 0) {
            kinde__free(buf);
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Left-over low bits must be zero, or "QQ" and "QR" would both mean "A". */
    if (acc != 0) {
        kinde__free(buf);
        return -1;
    }
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return 0;
}
