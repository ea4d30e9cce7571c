/* A JWKS body from outside: parse it, then look keys up the ways a token can. */
/* fuzz-parser: jwks.c */
#include <stdint.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kinde__jwks *set = NULL;
    kinde_error err;
    if (kinde__jwks_parse((const char *)data, size, &set, &err) != KINDE_OK)
        return 0;
    EVP_PKEY *key = NULL;
    static const char *const kids[] = {NULL, "", "k1", "k2", "bilbo.baggins@hobbiton.example"};
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++)
        if (kinde__jwks_find(set, kids[i], &key, &err) == KINDE_OK && EVP_PKEY_get_bits(key) < 2048)
            __builtin_trap(); /* a weak key must never come out of a set */
    (void)kinde__jwks_count(set);
    kinde__jwks_free(set);
    return 0;
}
