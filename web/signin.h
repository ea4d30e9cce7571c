/* Signing in and out: the routes every site that signs people in with Kinde
 * needs, whatever it shows them, one file each (login.c, callback.c,
 * logout.c). Each fills r (status, Location, Set-Cookie,
 * no-store) and returns 0, or returns -1 with f saying what to tell the
 * person (r still carries the cookie change that goes with it). */
#ifndef KINDE_WEB_SIGNIN_H
#define KINDE_WEB_SIGNIN_H

#include "http.h"
#include "site.h"

typedef enum web_login_kind { WEB_LOGIN, WEB_REGISTER, WEB_CREATE_ORG } web_login_kind;

/* GET /login, /register, /create-org: a new pending-login session (always a
 * new id), then 302 to Kinde. next is where the sign-in ends, as the site
 * chose it (the demo's ?next=, the gateway's rd): taken only when it is a
 * local path of at most REDIRECT_PATH_MAX bytes (redirects.h, E34), else /
 * (NULL: /). /create-org takes ?org_name=. A browser already signed in is
 * sent to next (or /) at once, its session untouched (E33). */
int web_signin_start(const web_site *site, const web_request *q, web_response *r,
                     web_login_kind kind, const char *next, web_failure *f);

/* GET /callback: the answer from Kinde checked by kinde_fetch_token (state,
 * code, tokens); success rotates the session id and the CSRF token, and
 * sends the browser to where the sign-in was to end. The pending login is
 * consumed whatever happens. Refusals carry the SDK's reason code. */
int web_callback(const web_site *site, const web_request *q, web_response *r, web_failure *f);

/* POST /logout: the form's CSRF token and the Origin checked; revokes at
 * Kinde, deletes the record, clears the cookie, 303 to Kinde's logout (with
 * return_to when it is one of site->logout_allow's URLs). */
int web_signout(const web_site *site, const web_request *q, web_response *r, web_failure *f);

#endif
