/* The web app's form body parser (the sign-out form) and its URL decoder. */
/* fuzz-parser: forms.c */
#include <stdint.h>
#include <string.h>

#include "forms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[128];
    const char *body = (const char *)data;
    if (form_get(body, size, "csrf", out, sizeof out) == 1 && strlen(out) >= sizeof out)
        __builtin_trap();
    form_get(body, size, "return_to", out, 2);
    long n = url_decode(body, size, out, sizeof out, 0);
    if (n >= (long)sizeof out || (n >= 0 && (size_t)n != strlen(out)))
        __builtin_trap();
    return 0;
}
