#include "redirects.h"

#include "forms.h"

#include <string.h>

int redirect_is_local_path(const char *target)
{
    if (!target || target[0] != '/')
        return 0;
    size_t len = strlen(target);
    if (len > REDIRECT_PATH_MAX)
        return 0;
    if (target[1] == '/' || target[1] == '\\')
        return 0;
    int in_query = 0; /* past the first '?' or '#' */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return 0;
        if (c == '?' || c == '#')
            in_query = 1;
        if (c == '%') {
            int hi = i + 2 < len ? hex_digit_value(target[i + 1]) : -1;
            int lo = hi >= 0 ? hex_digit_value(target[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return 0;
            unsigned char d = (unsigned char)(hi * 16 + lo);
            /* A second decoder (a proxy, the browser) must not find a way out
             * of the path. The query and fragment cannot lead off the site, so
             * there an encoded '/', '\\', '%' or space is the page's own data
             * (/search?q=a%2Fb), refused only when it decodes to a control. */
            if (d < 0x20 || d == 0x7f)
                return 0;
            if (!in_query && (d == 0x20 || d >= 0x7f || d == '/' || d == '\\' || d == '%'))
                return 0;
        }
    }
    return 1;
}

int redirect_listed(const redirect_list *list, const char *target)
{
    if (!list || !target)
        return 0;
    for (size_t i = 0; i < list->count; i++)
        if (list->urls[i] && strcmp(list->urls[i], target) == 0)
            return 1;
    return 0;
}

int redirect_allowed(const redirect_list *list, const char *target)
{
    return redirect_listed(list, target) || redirect_is_local_path(target);
}
