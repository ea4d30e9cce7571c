#include "forms.h"

#include <string.h>

int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long url_decode(const char *in, size_t len, char *out, size_t outsz, int plus_is_space)
{
    if (!out || outsz == 0)
        return -1;
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hex_digit_value(in[i + 1]), lo = hex_digit_value(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= outsz)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

int form_get(const char *body, size_t len, const char *name, char *out, size_t outsz)
{
    if (!body || !name || !out || outsz == 0)
        return -1;
    char key[128];
    int found = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && body[end] != '&')
            end++;
        const char *eq = memchr(body + pos, '=', end - pos);
        size_t klen = eq ? (size_t)(eq - (body + pos)) : end - pos;
        long k = url_decode(body + pos, klen, key, sizeof key, 1);
        if (k >= 0 && strcmp(key, name) == 0) {
            if (found)
                return -1;
            const char *v = eq ? eq + 1 : body + end;
            if (url_decode(v, (size_t)(body + end - v), out, outsz, 1) < 0)
                return -1;
            found = 1;
        }
        pos = end + 1;
    }
    return found;
}
