/* A token from outside: parse it, and when it parses, verify it against a
 * fixed RSA key (RFC 7515 A.2's) and check its claims. */
/* fuzz-parser: jws.c verify.c */
#include <stdint.h>
#include <string.h>

#include "internal.h"

static const char rfc7515_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPd"
    "dxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo"
    "9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD"
    "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h"
    "4FRWyuXpoQ\",\"e\":\"AQAB\"}]}";

/* Kept for the whole run: reachable, so not a leak. */
static kinde__jwks *keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!keys && kinde__jwks_parse(rfc7515_jwks, sizeof rfc7515_jwks - 1, &keys, NULL) != KINDE_OK)
        return 0;
    /* Tokens are C strings: an embedded NUL just ends the token early. */
    char *token = kinde__strndup((const char *)data, size);
    if (!token)
        return 0;
    kinde__jws jws;
    kinde_error err;
    if (kinde__jws_parse(token, &jws, &err) == KINDE_OK) {
        EVP_PKEY *key = NULL;
        if (kinde__jwks_find(keys, kinde__jws_kid(&jws), &key, &err) == KINDE_OK)
            kinde__jws_verify(&jws, key, &err);
        const char *auds[] = {"api.example"};
        kinde__token_policy p = {.issuer = "joe", .kind = KINDE_ID_TOKEN, .client_id = "cid",
                                 .audiences = auds, .n_audiences = 1, .nonce = "n",
                                 .leeway = 30, .now = 1300819000};
        kinde__check_claims(kinde__jroot(jws.payload), &p, &err);
        p.kind = KINDE_ACCESS_TOKEN;
        kinde__check_claims(kinde__jroot(jws.payload), &p, &err);
        kinde__jws_clear(&jws);
    }
    kinde__free(token);
    return 0;
}
