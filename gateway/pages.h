/* The gateway's few HTML pages: small, plain, every value escaped, no
 * scripts and no styles (the CSP of serve/web_glue.c allows neither inline).
 * The protected site has the look; these only have to be clear. */
#ifndef KINDE_GATEWAY_PAGES_H
#define KINDE_GATEWAY_PAGES_H

#include "site.h"
#include "strbuf.h"

/* Who is signed in, as a page shows it; NULL = nobody. */
typedef struct gw_page_user {
    const char *name;       /* given + family name, or NULL */
    const char *email;      /* or NULL */
    const char *csrf;       /* the session's CSRF token, for the forms */
    const char *return_to;  /* sign-out's return_to field (an allowed URL), or NULL */
} gw_page_user;

/* GET PREFIXsign-out: the sign-out button (user), or "you are signed out". */
void gw_page_sign_out(strbuf *out, const char *prefix, const gw_page_user *user);

/* GET PREFIXforbidden: "you do not have access", who is signed in, "Check
 * again" (POST PREFIXrefresh with rd) and the sign-out button; for nobody, a
 * sign-in link back to rd. */
void gw_page_forbidden(strbuf *out, const char *prefix, const gw_page_user *user, const char *rd);

/* GET PREFIXunavailable: sign-in is briefly unavailable. */
void gw_page_unavailable(strbuf *out, const char *prefix);

/* A refused request (web_failure's sentence and reason), with a way to sign
 * in again when f says so. */
void gw_page_failure(strbuf *out, const char *prefix, const web_failure *f);

#endif
