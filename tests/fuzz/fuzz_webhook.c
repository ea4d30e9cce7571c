/* A webhook: the first byte picks what is fuzzed.
 *   0: the whole request body through kinde__verify_webhook (content type
 *      checked, JWS parsed; the key set is empty, so nothing verifies);
 *   1: a payload (JSON text) read into an event, with a maximum age;
 *   2: an RFC 3339 timestamp. */
#include "mgmt_internal.h"

#include <stdlib.h>
#include <string.h>

static kinde_code empty_jwks(void *ctx, char **body, size_t *len, kinde_error *err)
{
    (void)ctx;
    (void)err;
    *body = kinde__strdup("{\"keys\":[]}");
    *len = *body ? strlen(*body) : 0;
    return *body ? KINDE_OK : KINDE_E_NOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    kinde_error err;
    kinde_webhook_event *ev = NULL;
    switch (data[0] % 3) {
    case 0: {
        kinde__keystore *ks = kinde__keystore_new(empty_jwks, NULL, 30);
        if (ks && kinde__verify_webhook(ks, 1796119200, 30, "application/jwt", text, len, 300, &ev,
                                        &err) == KINDE_OK)
            kinde_webhook_event_free(ev);
        kinde__keystore_free(ks);
        break;
    }
    case 1: {
        /* The payload parser modifies its text in place: a copy. */
        char *copy = malloc(len ? len : 1);
        if (!copy)
            return 0;
        memcpy(copy, text, len);
        kinde__jdoc *d = NULL;
        const char *why;
        if (kinde__jdoc_parse(copy, len, &d, &why) == 0 &&
            kinde__webhook_event_from_payload(kinde__jroot(d), 1796119200, 30, 300, &ev, &err) ==
                KINDE_OK)
            kinde_webhook_event_free(ev);
        kinde__jdoc_free(d);
        free(copy);
        break;
    }
    default: {
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, text, len);
        s[len] = '\0';
        int64_t t;
        (void)kinde__rfc3339_parse(s, &t);
        free(s);
    }
    }
    return 0;
}
