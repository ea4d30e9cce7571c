/* A token endpoint answer: the first byte picks the HTTP status class. */
/* fuzz-parser: oauth.c */
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const long statuses[] = {200, 201, 400, 401, 500, 302};
    long status = statuses[data[0] % 6];
    kinde__token_response tr;
    kinde_error err;
    if (kinde__token_response_parse(status, (const char *)data + 1, size - 1, &tr, &err) == KINDE_OK)
        kinde__token_response_clear(&tr);
    return 0;
}
