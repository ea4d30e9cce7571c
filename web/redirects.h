/* Where the app may send a browser after sign-in and sign-out. */
#ifndef KINDE_WEB_REDIRECTS_H
#define KINDE_WEB_REDIRECTS_H

#include <stddef.h>

#define REDIRECT_PATH_MAX 512

/* 1 when target is a path on this site: it starts with one '/', holds only
 * printable ASCII without spaces or backslashes, and no escape in its path
 * that decodes to '/', '\', '%', a space or a control character. So `//evil`,
 * `/\evil`, `https:evil`, `/%2f%2fevil`, tabs and backslashes are all refused.
 * After the first '?' or '#' an escape may decode to anything but a control
 * character: a query cannot lead off the site (`/search?q=a%2Fb` is kept). */
int redirect_is_local_path(const char *target);

/* The allow-list: exact absolute URLs (sign-out return addresses registered
 * with Kinde) plus any local path. */
typedef struct redirect_list {
    const char *const *urls;
    size_t count;
} redirect_list;

/* 1 when target equals one of list's URLs byte for byte, or is a local path. */
int redirect_allowed(const redirect_list *list, const char *target);
/* 1 when target is exactly one of the list's URLs (no local paths): what may
 * be sent to Kinde as a return URL, which must be absolute. */
int redirect_listed(const redirect_list *list, const char *target);

#endif
