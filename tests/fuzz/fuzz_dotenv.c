/* A .env file. */
/* fuzz-parser: config.c */
#include "internal.h"

#include <string.h>

static void take(void *ctx, const char *key, const char *value)
{
    size_t *n = ctx;
    *n += strlen(key) + strlen(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0;
    kinde__dotenv_parse((const char *)data, size, take, &n);
    return 0;
}
