/* GET /login, /register, /create-org: a new pending-login session, then off
 * to Kinde. */
#include "signin.h"

#include <string.h>

#include "session.h"

/* The longest org_name passed on to Kinde. */
#define ORG_NAME_MAX 200

int web_signin_start(const web_site *site, const web_request *q, web_response *r,
                     web_login_kind kind, const char *next, web_failure *f)
{
    r->no_store = 1;
    store_error serr;
    web_session s;
    int loaded = web_session_load(site, q, r, &s, &serr);
    int user = loaded > 0 ? web_session_user(site, &s, r, &serr) : 0;
    if (loaded < 0 || user < 0) {
        web_session_free(&s);
        return web_store_failed(site, &serr, "starting a sign-in", f);
    }
    int has_next = next && strlen(next) <= REDIRECT_PATH_MAX && redirect_is_local_path(next);
    if (user) {
        web_session_free(&s);
        web_redirect(r, 302, has_next ? next : "/");
        return 0;
    }
    /* Whatever the browser held is replaced: a sign-in always gets a new id. */
    int dropped = !s.loaded || web_session_drop(site, s.id, &serr) == 0;
    web_session_free(&s);
    if (!dropped)
        return web_store_failed(site, &serr, "replacing a session at sign-in", f);

    kinde_auth_params params;
    memset(&params, 0, sizeof params);
    char org_name[ORG_NAME_MAX + 1];
    if (kind == WEB_CREATE_ORG && web_query(q, "org_name", org_name, sizeof org_name) == 1 &&
        org_name[0])
        params.org_name = org_name;

    char id[TOKEN_SIZE], *url = NULL;
    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    kinde_code rc = KINDE_E_NOMEM;
    int saved = 0;
    kinde_session *ks = kinde_session_new();
    if (ks) {
        rc = kind == WEB_LOGIN      ? kinde_get_login_url(site->client, ks, &params, &url, &kerr)
             : kind == WEB_REGISTER ? kinde_get_register_url(site->client, ks, &params, &url, &kerr)
                                    : kinde_get_create_org_url(site->client, ks, &params, &url, &kerr);
        if (rc == KINDE_OK)
            saved = web_session_create(site, ks, 0, has_next ? next : NULL, id, &serr, &rc);
    }
    kinde_session_free(ks);
    int out = 0;
    if (rc != KINDE_OK) {
        web_log(site, "cannot start a sign-in: %s %s", kinde_code_name(rc), kerr.text);
        web_fail(f, 503, "We could not start signing you in",
                 "The app could not prepare your sign-in. Please try again in a moment.",
                 "try_again", 0);
        out = -1;
    } else if (saved != 0) {
        out = web_store_failed(site, &serr, "starting a sign-in", f);
    } else {
        web_cookie_issue(site, r, id);
        web_redirect(r, 302, url);
    }
    kinde_free(url);
    return out;
}
