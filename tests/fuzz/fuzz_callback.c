/* The callback URL as an attacker would send it. */
/* fuzz-parser: callback.c */
#include "internal.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = kinde__strndup((const char *)data, size);
    if (!url)
        return 0;
    kinde__callback cb;
    if (kinde__callback_parse(url, &cb, NULL) == KINDE_OK)
        kinde__callback_clear(&cb);
    kinde__free(url);
    return 0;
}
