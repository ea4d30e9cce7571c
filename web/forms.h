/* application/x-www-form-urlencoded bodies (the sign-out form). */
#ifndef KINDE_WEB_FORMS_H
#define KINDE_WEB_FORMS_H

#include <stddef.h>

/* Largest form body the app accepts; a larger one is answered 413. */
#define FORM_BODY_MAX 8192

/* The value of one hexadecimal digit, or -1 when c is not one. */
int hex_digit_value(char c);

/* Percent-decodes in[0..len) into out ('+' is a space when plus_is_space).
 * Returns the decoded length, or -1 for a bad %XX escape, a decoded NUL,
 * or output that does not fit (out is always NUL-terminated when outsz > 0). */
long url_decode(const char *in, size_t len, char *out, size_t outsz, int plus_is_space);

/* The decoded value of field `name`. Returns 1 found, 0 absent, -1 when
 * the body is unusable for it: a bad escape, the field sent twice, or a
 * value that does not fit in outsz. */
int form_get(const char *body, size_t len, const char *name, char *out, size_t outsz);

#endif
