/* GET /callback: Kinde's answer to a sign-in this browser started here. */
#include "signin.h"

#include <string.h>

#include "session.h"

/* What a failed callback tells the person, by SDK error code. */
static void callback_failure(web_failure *f, kinde_code rc, const kinde_error *err)
{
    unsigned status = 400;
    const char *title = "Sign-in did not complete";
    const char *message = "Something about this sign-in was not right. Please start again.";
    /* Reason codes are short words for people and support, never the SDK's
     * names (those are in the log with the detail). */
    const char *reason = err->oauth_error[0] ? err->oauth_error : "sign_in_failed";
    switch (rc) {
    case KINDE_E_LOGIN_REQUIRED:
        status = 401;
        title = "Please sign in";
        message = "Kinde needs you to sign in before you can continue.";
        reason = "login_required";
        break;
    case KINDE_E_ACCESS_DENIED:
        status = 403;
        title = "Access denied";
        message = "Kinde did not grant this app access to your account.";
        reason = "access_denied";
        break;
    case KINDE_E_AUTHORIZATION:
        title = "Kinde could not sign you in";
        message = "Kinde reported a problem with this sign-in.";
        break;
    case KINDE_E_STATE:
        title = "This sign-in link has expired";
        message = "The sign-in took too long, was already used, or did not start here.";
        reason = "invalid_state";
        break;
    case KINDE_E_CALLBACK:
    case KINDE_E_ISSUER_MISMATCH:
        title = "This sign-in answer is not valid";
        message = "The answer from Kinde was malformed or came from the wrong place.";
        reason = rc == KINDE_E_CALLBACK ? "invalid_callback" : "issuer_mismatch";
        break;
    case KINDE_E_TOKEN_MALFORMED:
    case KINDE_E_TOKEN_ALGORITHM:
    case KINDE_E_TOKEN_SIGNATURE:
    case KINDE_E_TOKEN_KEY:
    case KINDE_E_TOKEN_CLAIMS:
    case KINDE_E_TOKEN_EXPIRED:
    case KINDE_E_TOKEN_NOT_YET_VALID:
    case KINDE_E_TOKEN_NONCE:
        reason = "invalid_token";
        break;
    case KINDE_E_HTTP:
    case KINDE_E_HTTP_STATUS:
    case KINDE_E_JWKS:
    case KINDE_E_BAD_RESPONSE:
        status = 502;
        title = "Kinde is not answering";
        message = "We could not reach Kinde to finish signing you in. Please try again soon.";
        reason = "kinde_unavailable";
        break;
    default:
        break;
    }
    web_fail(f, status, title, message, reason, 1);
}

/* The code exchange, on the callback URL as the browser was sent to it: one
 * buffer holding the code, wiped after use. */
static kinde_code fetch_token(const web_site *site, const web_request *q, kinde_session *ks,
                              kinde_error *kerr)
{
    strbuf url;
    strbuf_init(&url);
    strbuf_adds(&url, site->public_url);
    strbuf_adds(&url, q->target);
    kinde_code rc = strbuf_ok(&url) ? kinde_fetch_token(site->client, ks, url.data, kerr)
                                    : KINDE_E_NOMEM;
    strbuf_free(&url);
    return rc;
}

int web_callback(const web_site *site, const web_request *q, web_response *r, web_failure *f)
{
    r->no_store = 1;
    r->no_referrer = 1;
    store_error serr;
    web_session s;
    int loaded = web_session_load(site, q, r, &s, &serr);
    if (loaded > 0 && s.rec.signed_in) {
        /* Back button onto an old callback: nothing to finish. */
        int user = web_session_user(site, &s, r, &serr);
        web_session_free(&s);
        if (user < 0)
            return web_store_failed(site, &serr, "reading a session at the callback", f);
        if (user) {
            web_redirect(r, 302, "/");
            return 0;
        }
        web_fail(f, 400, "Sign-in did not complete",
                 "Your session has ended. Please sign in again.", "session_expired", 1);
        return -1;
    }
    if (loaded < 0) {
        web_session_free(&s);
        return web_store_failed(site, &serr, "reading a session at the callback", f);
    }
    if (loaded == 0) {
        char error[WEB_REASON_SIZE];
        int has_error = web_query(q, "error", error, sizeof error);
        web_fail(f, 400, has_error ? "Kinde could not sign you in" : "We lost track of this sign-in",
                 "This browser has no sign-in in progress here (it expired, was already "
                 "completed, or did not start in this app).",
                 has_error == 1 ? error : "unknown_session", 1);
        return -1;
    }

    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    kinde_code rc = fetch_token(site, q, s.ks, &kerr);
    /* The pending login is consumed either way: its record goes first. */
    if (web_session_drop(site, s.id, &serr) != 0) {
        web_session_free(&s);
        web_cookie_clear(site, r);
        return web_store_failed(site, &serr, "ending a pending sign-in", f);
    }
    if (rc != KINDE_OK) {
        web_log(site, "callback refused: %s %s", kinde_code_name(rc), kerr.text);
        web_session_free(&s);
        web_cookie_clear(site, r);
        callback_failure(f, rc, &kerr);
        return -1;
    }
    /* Signed in: a new id (the pre-login one stops working), a new CSRF token. */
    char id[TOKEN_SIZE], next[sizeof s.rec.next];
    memcpy(next, s.rec.next, sizeof next);
    int saved = web_session_create(site, s.ks, 1, next, id, &serr, &rc);
    web_session_free(&s);
    if (rc != KINDE_OK) {
        web_log(site, "cannot keep a new session: %s", kinde_code_name(rc));
        web_cookie_clear(site, r);
        web_fail(f, 503, "We could not finish signing you in",
                 "The app could not keep your session. Please try again in a moment.",
                 "try_again", 1);
        return -1;
    }
    if (saved != 0) {
        web_cookie_clear(site, r);
        return web_store_failed(site, &serr, "saving a new session", f);
    }
    web_count(site->counters ? &site->counters->sign_ins : NULL);
    web_cookie_issue(site, r, id);
    web_redirect(r, 302, next[0] ? next : "/");
    return 0;
}
