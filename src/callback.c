/* Reading the redirect back from Kinde. Only the query matters; duplicated
 * parameters are refused outright (SECURITY.md B16): which copy an attacker
 * meant us to read is not a question worth answering. */
#include "internal.h"

#include <curl/curl.h>
#include <string.h>

#define CALLBACK_MAX_BYTES (16 * 1024)

void kinde__callback_clear(kinde__callback *cb)
{
    kinde__free_secret(cb->code);
    kinde__free_secret(cb->state);
    kinde__free(cb->iss);
    kinde__free(cb->error);
    kinde__free(cb->error_description);
    memset(cb, 0, sizeof *cb);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Form-style decoding: '+' is a space, %XX a byte. A malformed escape or an
 * encoded NUL sets *bad: such a value is refused, not guessed at. */
static char *decode(const char *s, size_t n, int *bad)
{
    char *out = kinde__malloc(n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] != '%') {
            out[j++] = s[i];
        } else {
            /* Two characters must follow the '%'. */
            int h = i + 2 < n ? hexval(s[i + 1]) : -1;
            int l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                *bad = 1;
                break;
            }
            out[j++] = (char)(h * 16 + l);
            i += 2;
        }
    }
    out[j] = '\0';
    return out;
}

static const char *const known[] = {"code", "state", "iss", "error", "error_description"};

kinde_code kinde__callback_parse(const char *url, kinde__callback *out, kinde_error *err)
{
    memset(out, 0, sizeof *out);
    if (!url)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "callback URL is NULL");
    size_t total = strlen(url);
    if (total > CALLBACK_MAX_BYTES)
        return kinde__fail(err, KINDE_E_CALLBACK, "callback URL of %zu bytes is too long", total);
    if (strpbrk(url, "\r\n"))
        return kinde__fail(err, KINDE_E_CALLBACK, "callback URL contains CR or LF");
    const char *q = strchr(url, '?');
    if (!q)
        return kinde__fail(err, KINDE_E_CALLBACK, "callback URL has no query");
    q++;
    const char *end = strchr(q, '#');
    if (!end)
        end = q + strlen(q);

    char **slots[] = {&out->code, &out->state, &out->iss, &out->error, &out->error_description};
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(pe - q));
        const char *ke = eq ? eq : pe;
        int bad = 0;
        char *key = decode(q, (size_t)(ke - q), &bad);
        if (!key) {
            kinde__callback_clear(out);
            return kinde__fail(err, KINDE_E_NOMEM, NULL);
        }
        for (size_t i = 0; !bad && i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(key, known[i]) != 0)
                continue;
            if (*slots[i]) {
                kinde__free(key);
                kinde__callback_clear(out);
                return kinde__fail(err, KINDE_E_CALLBACK, "callback parameter '%s' appears twice",
                                   known[i]);
            }
            *slots[i] = eq ? decode(eq + 1, (size_t)(pe - eq - 1), &bad) : kinde__strdup("");
            if (!*slots[i]) {
                kinde__free(key);
                kinde__callback_clear(out);
                return kinde__fail(err, KINDE_E_NOMEM, NULL);
            }
        }
        if (bad) {
            kinde__callback_clear(out);
            kinde_code rc = kinde__fail(err, KINDE_E_CALLBACK,
                                        "callback parameter '%s' is badly encoded", key);
            kinde__free(key);
            return rc;
        }
        kinde__free(key);
        q = amp ? amp + 1 : end;
    }
    return KINDE_OK;
}
