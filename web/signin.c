#include "signin.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "forms.h"
#include "session.h"

/* The longest org_name passed on to Kinde. */
#define ORG_NAME_MAX 200

static int store_failed(const web_site *site, const store_error *err, const char *doing,
                        web_failure *f)
{
    web_store_failed(site, err, doing, f);
    return -1;
}

/* A fresh record for a new id: created and seen now, its own CSRF token. */
static int record_start(web_record *rec, int signed_in, const char *next, char id[TOKEN_SIZE])
{
    memset(rec, 0, sizeof *rec);
    rec->signed_in = signed_in;
    rec->created = rec->seen = time(NULL);
    if (next)
        snprintf(rec->next, sizeof rec->next, "%s", next);
    return token_new(id) == 0 && token_new(rec->csrf) == 0 ? 0 : -1;
}

/* Stores rec, with ks serialized into it, under id. *rc is the SDK's answer
 * to serializing: when it is not KINDE_OK nothing is stored and 0 returned;
 * otherwise 0 saved, -1 the store failed (err says why). */
static int save_with(const web_site *site, const char *id, web_record *rec, kinde_session *ks,
                     store_error *err, kinde_code *rc, kinde_error *kerr)
{
    char *data = NULL;
    *rc = kinde_session_serialize(ks, &data, kerr);
    if (*rc != KINDE_OK)
        return 0;
    rec->kinde = data;
    rec->kinde_len = strlen(data);
    int saved = web_session_save(site, id, rec, err);
    rec->kinde = NULL;
    kinde_free(data);
    return saved;
}

int web_signin_start(const web_site *site, const web_request *q, web_response *r,
                     web_login_kind kind, web_failure *f)
{
    r->no_store = 1;
    store_error serr;
    web_session s;
    int loaded = web_session_load(site, q, r, &s, &serr);
    int user = loaded > 0 ? web_session_user(site, &s, r, &serr) : 0;
    if (loaded < 0 || user < 0) {
        web_session_free(&s);
        return store_failed(site, &serr, "starting a sign-in", f);
    }
    char next[REDIRECT_PATH_MAX + 1];
    int has_next = web_query(q, "next", next, sizeof next) == 1 && redirect_is_local_path(next);
    if (user) {
        web_session_free(&s);
        web_redirect(r, 302, has_next ? next : "/");
        return 0;
    }
    /* Whatever the browser held is replaced: a sign-in always gets a new id. */
    int dropped = !s.loaded || web_session_drop(site, s.id, &serr) == 0;
    web_session_free(&s);
    if (!dropped)
        return store_failed(site, &serr, "replacing a session at sign-in", f);

    kinde_auth_params params;
    memset(&params, 0, sizeof params);
    char org_name[ORG_NAME_MAX + 1];
    if (kind == WEB_CREATE_ORG && web_query(q, "org_name", org_name, sizeof org_name) == 1 &&
        org_name[0])
        params.org_name = org_name;

    web_record rec;
    char id[TOKEN_SIZE], *url = NULL;
    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    kinde_code rc = KINDE_E_NOMEM;
    int saved = 0;
    kinde_session *ks = kinde_session_new();
    if (ks && record_start(&rec, 0, has_next ? next : NULL, id) == 0) {
        rc = kind == WEB_LOGIN      ? kinde_get_login_url(site->client, ks, &params, &url, &kerr)
             : kind == WEB_REGISTER ? kinde_get_register_url(site->client, ks, &params, &url, &kerr)
                                    : kinde_get_create_org_url(site->client, ks, &params, &url, &kerr);
        if (rc == KINDE_OK)
            saved = save_with(site, id, &rec, ks, &serr, &rc, &kerr);
    }
    kinde_session_free(ks);
    int out = 0;
    if (rc != KINDE_OK) {
        web_log(site, "cannot start a sign-in: %s %s", kinde_code_name(rc), kerr.text);
        web_fail(f, 503, "We could not start signing you in",
                 "The app could not prepare your sign-in. Please try again in a moment.",
                 kinde_code_name(rc), 0);
        out = -1;
    } else if (saved != 0) {
        out = store_failed(site, &serr, "starting a sign-in", f);
    } else {
        web_cookie_issue(site, r, id);
        web_redirect(r, 302, url);
    }
    kinde_free(url);
    return out;
}

/* What a failed callback tells the person, by SDK error code. */
static void callback_failure(web_failure *f, kinde_code rc, const kinde_error *err)
{
    unsigned status = 400;
    const char *title = "Sign-in did not complete";
    const char *message = "Something about this sign-in was not right. Please start again.";
    const char *reason = err->oauth_error[0] ? err->oauth_error : kinde_code_name(rc);
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
    buf url;
    buf_init(&url);
    buf_puts(&url, site->public_url);
    buf_puts(&url, q->target);
    kinde_code rc = buf_ok(&url) ? kinde_fetch_token(site->client, ks, url.data, kerr)
                                 : KINDE_E_NOMEM;
    if (url.data)
        OPENSSL_cleanse(url.data, url.len);
    buf_free(&url);
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
            return store_failed(site, &serr, "reading a session at the callback", f);
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
        return store_failed(site, &serr, "reading a session at the callback", f);
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
        return store_failed(site, &serr, "ending a pending sign-in", f);
    }
    if (rc != KINDE_OK) {
        web_log(site, "callback refused: %s %s", kinde_code_name(rc), kerr.text);
        web_session_free(&s);
        web_cookie_clear(site, r);
        callback_failure(f, rc, &kerr);
        return -1;
    }
    /* Signed in: a new id (the pre-login one stops working), a new CSRF token. */
    web_record rec;
    char id[TOKEN_SIZE];
    int saved = -1;
    rc = KINDE_E_NOMEM;
    if (record_start(&rec, 1, s.rec.next, id) == 0)
        saved = save_with(site, id, &rec, s.ks, &serr, &rc, &kerr);
    web_session_free(&s);
    if (rc != KINDE_OK) {
        web_log(site, "cannot keep a new session: %s %s", kinde_code_name(rc), kerr.text);
        web_cookie_clear(site, r);
        web_fail(f, 503, "We could not finish signing you in",
                 "The app could not keep your session. Please try again in a moment.",
                 kinde_code_name(rc), 1);
        return -1;
    }
    if (saved != 0) {
        web_cookie_clear(site, r);
        return store_failed(site, &serr, "saving a new session", f);
    }
    web_cookie_issue(site, r, id);
    web_redirect(r, 302, rec.next[0] ? rec.next : "/");
    return 0;
}

static int same_origin(const web_site *site, const web_request *q)
{
    const char *origin = web_header(q, "Origin");
    return !origin || strcmp(origin, site->public_url) == 0;
}

int web_signout(const web_site *site, const web_request *q, web_response *r, web_failure *f)
{
    r->no_store = 1;
    if (q->body_too_big) {
        web_fail(f, 413, "Request too large", "That form was larger than this app accepts.",
                 "body_too_large", 0);
        return -1;
    }
    store_error serr;
    web_session s;
    int loaded = web_session_load(site, q, r, &s, &serr);
    if (loaded < 0) {
        web_session_free(&s);
        return store_failed(site, &serr, "reading a session to sign out", f);
    }
    if (loaded == 0) {
        /* Nothing to sign out of; make sure the cookie goes too. */
        web_cookie_clear(site, r);
        web_redirect(r, 303, "/");
        return 0;
    }
    char csrf[TOKEN_SIZE + 1], return_to[1024];
    const char *body = q->body ? q->body : "";
    if (!same_origin(site, q) || form_get(body, q->body_len, "csrf", csrf, sizeof csrf) != 1 ||
        !token_equal(csrf, s.rec.csrf)) {
        web_session_free(&s);
        buf_free(&r->cookie);
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
    kinde_code rc = was_signed_in ? kinde_logout(site->client, s.ks, dest, &url, &kerr) : KINDE_OK;
    if (rc != KINDE_OK)
        web_log(site, "sign-out: %s %s", kinde_code_name(rc), kerr.text);
    if (was_signed_in && !url && kinde_get_logout_url(site->client, dest, &url, NULL) != KINDE_OK)
        url = NULL;
    int dropped = web_session_drop(site, s.id, &serr);
    web_session_free(&s);
    int out = 0;
    if (dropped != 0) {
        /* The record is still there: saying "signed out" would be a lie. */
        out = store_failed(site, &serr, "deleting a session at sign-out", f);
    } else {
        web_cookie_clear(site, r);
        web_redirect(r, 303, url ? url : "/");
    }
    kinde_free(url);
    return out;
}
