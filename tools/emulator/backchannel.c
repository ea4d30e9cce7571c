/* What the back-channel endpoints (token, revoke, introspect) share: client
 * authentication and their required form fields. */
#include "emulator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *emu_form_once(const emu_form *f, const char *name, emu_reply *r)
{
    int dup;
    const char *v = emu_form_get(f, name, &dup);
    if (!v || dup) {
        char why[80];
        snprintf(why, sizeof why, "%s is required, once", name);
        emu_reply_oauth_error(r, 400, "invalid_request", why);
        return NULL;
    }
    return v;
}

/* Constant-time string comparison for secrets. */
static int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static int b64_std_decode(const char *in, char *out, size_t cap)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 >= cap)
        return -1;
    int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    while (len > 0 && in[len - 1] == '=') { /* EVP_DecodeBlock counts padding as zeros */
        n--;
        len--;
    }
    out[n] = '\0';
    return (int)strlen(out) == n ? 0 : -1; /* no NUL inside */
}

const json_t *emu_client_authenticate(const emu_request *q, emu_reply *r, int *secret_given)
{
    int dup_id = 0, dup_secret = 0;
    const char *id = emu_form_get(&q->form, "client_id", &dup_id);
    const char *secret = emu_form_get(&q->form, "client_secret", &dup_secret);
    char basic[512];
    if (dup_id || dup_secret) {
        emu_reply_oauth_error(r, 400, "invalid_request", "client_id or client_secret repeated");
        return NULL;
    }
    if (q->authorization && strncasecmp(q->authorization, "Basic ", 6) == 0) {
        char *colon;
        if (secret || b64_std_decode(q->authorization + 6, basic, sizeof basic) != 0 ||
            !(colon = strchr(basic, ':'))) {
            emu_reply_oauth_error(r, 400, "invalid_request", "malformed or second client authentication");
            return NULL;
        }
        *colon = '\0';
        if (id && strcmp(id, basic) != 0) {
            emu_reply_oauth_error(r, 400, "invalid_request", "client_id differs from the Basic credentials");
            return NULL;
        }
        id = basic;
        secret = colon + 1;
    }
    const json_t *app = id ? emu_app(emu.data, id) : NULL;
    const char *want = app ? json_string_value(json_object_get(app, "client_secret")) : NULL;
    if (!app || (secret && (!want || !secret_equal(secret, want)))) {
        emu_reply_oauth_error(r, 401, "invalid_client", "unknown client or wrong client secret");
        return NULL;
    }
    *secret_given = secret != NULL;
    return app;
}
