/* The Cookie request header in, the Set-Cookie response header out. */
#ifndef KINDE_WEB_COOKIES_H
#define KINDE_WEB_COOKIES_H

#include <stddef.h>

#include "strbuf.h"

/* Longest Cookie header the app reads; a longer one is answered 431. */
#define COOKIE_HEADER_MAX 4096

/* Finds cookie `name` in a Cookie header of len bytes and copies its value
 * (surrounding double quotes removed) into out. Returns 1 when found, 0 when
 * absent, -1 when unusable: the value does not fit in outsz, or the name is
 * sent twice with different values (someone is tossing cookies at us). */
int cookie_find(const char *header, size_t len, const char *name, char *out, size_t outsz);

/* Appends a Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, plus Secure
 * when secure; max_age < 0 means a browser-session cookie, 0 deletes it. */
void cookie_format(strbuf *out, const char *name, const char *value, int secure, long max_age);

#endif
