/* The redirect allow-list: whatever it accepts must be a local path no
 * browser could read as another host. */
/* fuzz-parser: redirects.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redirects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (redirect_is_local_path(s)) {
        /* The invariants the allow-list promises. */
        if (s[0] != '/' || s[1] == '/' || s[1] == '\\' || strchr(s, '\\') ||
            strpbrk(s, "\t\r\n ") || strlen(s) > REDIRECT_PATH_MAX)
            __builtin_trap();
    }
    const char *urls[] = {"http://127.0.0.1:8000/"};
    redirect_list list = {urls, 1};
    if (redirect_allowed(&list, s) && strcmp(s, urls[0]) != 0 && !redirect_is_local_path(s))
        __builtin_trap();
    free(s);
    return 0;
}
