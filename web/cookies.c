#include "cookies.h"

#include <string.h>

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int cookie_find(const char *header, size_t len, const char *name, char *out, size_t outsz)
{
    if (!header || !name || !out || outsz == 0)
        return -1;
    size_t name_len = strlen(name);
    int found = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && header[end] != ';')
            end++;
        size_t a = pos, b = end;
        while (a < b && is_ows(header[a]))
            a++;
        while (b > a && is_ows(header[b - 1]))
            b--;
        const char *eq = memchr(header + a, '=', b - a);
        if (eq && (size_t)(eq - (header + a)) == name_len &&
            memcmp(header + a, name, name_len) == 0) {
            const char *v = eq + 1;
            size_t vlen = (size_t)(header + b - v);
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            if (memchr(v, '\0', vlen))
                return -1;
            if (found) {
                if (strlen(out) != vlen || memcmp(out, v, vlen) != 0)
                    return -1;
            } else {
                if (vlen >= outsz)
                    return -1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
                found = 1;
            }
        }
        pos = end + 1;
    }
    return found;
}

void cookie_format(strbuf *out, const char *name, const char *value, int secure, long max_age)
{
    strbuf_addf(out, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
    if (secure)
        strbuf_adds(out, "; Secure");
    if (max_age >= 0)
        strbuf_addf(out, "; Max-Age=%ld", max_age);
    if (max_age == 0)
        strbuf_adds(out, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
}
