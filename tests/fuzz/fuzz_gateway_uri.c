/* The gateway's original-URI normalisation (SECURITY G44): whatever it
 * accepts is a plain path the rules can read one way only. */
/* fuzz-parser: uri.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = malloc(size + 1);
    if (!raw)
        return 0;
    memcpy(raw, data, size);
    raw[size] = '\0';
    char out[GW_URI_MAX + 1], again[GW_URI_MAX + 1];
    const char *why = NULL;
    if (gw_uri_normalize(raw, out, sizeof out, &why) == 0) {
        size_t n = strlen(out);
        if (out[0] != '/' || strstr(out, "//") || n > GW_URI_MAX)
            __builtin_trap();
        /* No "." or ".." segment, in the middle or at the end. */
        if (strstr(out, "/./") || strstr(out, "/../") || (n >= 2 && !strcmp(out + n - 2, "/.")) ||
            (n >= 3 && !strcmp(out + n - 3, "/..")))
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f || out[i] == '\\')
                __builtin_trap();
        /* A fixed point: the rules see the same path however often it is
         * normalised. */
        if (gw_uri_normalize(out, again, sizeof again, &why) != 0 || strcmp(out, again) != 0)
            __builtin_trap();
        /* A smaller buffer never gets a truncated path: one byte short is
         * refused, just big enough gives the same path. */
        if (gw_uri_normalize(raw, again, n, &why) != -1)
            __builtin_trap();
        if (gw_uri_normalize(raw, again, n + 1, &why) != 0 || strcmp(out, again) != 0)
            __builtin_trap();
    } else if (!why) {
        __builtin_trap();
    }
    free(raw);
    return 0;
}
