/* Randomness, PKCE and the clock. */
#include "internal.h"

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

int64_t kinde__clock_offset;

int64_t kinde__now(void)
{
    return (int64_t)time(NULL) + kinde__clock_offset;
}

kinde_code kinde__random_string(size_t nbytes, char **out, kinde_error *err)
{
    unsigned char raw[96];
    if (nbytes == 0 || nbytes > sizeof raw)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "random length %zu", nbytes);
    if (RAND_bytes(raw, (int)nbytes) != 1)
        return kinde__fail(err, KINDE_E_NOMEM, "the CSPRNG failed");
    *out = kinde__b64url_encode(raw, nbytes);
    kinde__wipe(raw, sizeof raw);
    return *out ? KINDE_OK : kinde__fail(err, KINDE_E_NOMEM, NULL);
}

char *kinde__pkce_challenge(const char *verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    if (!EVP_Digest(verifier, strlen(verifier), digest, NULL, EVP_sha256(), NULL))
        return NULL;
    return kinde__b64url_encode(digest, sizeof digest);
}
