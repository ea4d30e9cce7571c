/* The web app's Cookie header parser, fed whatever a browser (or not) sends. */
/* fuzz-parser: cookies.c */
#include <stdint.h>
#include <string.h>

#include "cookies.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[64];
    int rc = cookie_find((const char *)data, size, "kinde_session", out, sizeof out);
    if (rc == 1 && strlen(out) >= sizeof out)
        __builtin_trap();
    cookie_find((const char *)data, size, "__Host-kinde_session", out, 1);
    return 0;
}
