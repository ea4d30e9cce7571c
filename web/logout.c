/* POST /logout: the sign-out form, checked, then Kinde's logout. */
#include "signin.h"

#include <string.h>

#include "forms.h"
#include "session.h"

int web_signout(const web_site *site, const web_request *q, web_response *r, web_failure *f)
{
    r->no_store = 1;
    if (q->body_too_big || q->body_len > FORM_BODY_MAX) {
        web_fail(f, 413, "Request too large", "That form was larger than this app accepts.",
                 "body_too_large", 0);
        return -1;
    }
    store_error serr;
    web_session s;
    int loaded = web_session_load(site, q, r, &s, &serr);
    if (loaded < 0) {
        web_session_free(&s);
        return web_store_failed(site, &serr, "reading a session to sign out", f);
    }
    if (loaded == 0) {
        /* Nothing to sign out of; make sure the cookie goes too. */
        web_cookie_clear(site, r);
        web_redirect(r, 303, "/");
        return 0;
    }
    char return_to[1024];
    const char *body = q->body ? q->body : "";
    if (!web_session_csrf_ok(site, q, &s)) {
        web_session_free(&s);
        strbuf_free(&r->cookie);
        web_fail(f, 403, "Sign-out refused",
                 "This sign-out request did not come from a page of this app, so nothing "
                 "was changed. Use the Sign out button on the home page.",
                 "csrf", 0);
        return -1;
    }
    const char *dest = NULL;
    if (form_get(body, q->body_len, "return_to", return_to, sizeof return_to) == 1 &&
        redirect_listed(&site->logout_allow, return_to))
        dest = return_to;
    char *url = NULL;
    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    int was_signed_in = s.rec.signed_in;
    kinde_code rc = was_signed_in && web_session_own(&s) != 0 ? KINDE_E_NOMEM
                    : was_signed_in ? kinde_logout(site->client, s.ks, dest, &url, &kerr) : KINDE_OK;
    if (rc != KINDE_OK)
        web_log(site, "sign-out: %s %s", kinde_code_name(rc), kerr.text);
    if (was_signed_in && !url && kinde_get_logout_url(site->client, dest, &url, NULL) != KINDE_OK)
        url = NULL;
    int dropped = web_session_drop(site, s.id, &serr);
    web_session_free(&s);
    int out = 0;
    if (dropped != 0) {
        /* The record is still there: saying "signed out" would be a lie. */
        out = web_store_failed(site, &serr, "deleting a session at sign-out", f);
    } else {
        web_cookie_clear(site, r);
        web_redirect(r, 303, url ? url : "/");
    }
    kinde_free(url);
    return out;
}
