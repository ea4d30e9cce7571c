/* GET /oauth2/auth: checks the authorization request, then shows the
 * sign-in (or sign-up) page, or with a live browser session goes straight
 * back to the callback with a code; and that way back (emu_finish_login),
 * which the sign-in pages (signin.c) take too. */
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

#define MAX_AUDIENCES 8

/* A redirect to the application's callback with parameters appended. */
static char *callback_url(const char *redirect_uri, const char *const *kv)
{
    strbuf s = {0};
    strbuf_adds(&s, redirect_uri);
    char sep = strchr(redirect_uri, '?') ? '&' : '?';
    for (size_t i = 0; kv[i]; i += 2) {
        if (!kv[i + 1])
            continue;
        strbuf_add(&s, &sep, 1);
        strbuf_adds(&s, kv[i]);
        strbuf_adds(&s, "=");
        strbuf_add_urlenc(&s, kv[i + 1]);
        sep = '&';
    }
    return strbuf_take(&s, NULL);
}

static void error_redirect(emu_reply *r, const char *redirect_uri, const char *state, const char *error,
                           const char *description)
{
    const char *kv[] = {"error", error, "error_description", description, "state", state, "iss",
                        emu.issuer, NULL};
    emu_reply_redirect(r, callback_url(redirect_uri, kv));
}

void emu_finish_login(const json_t *req, const char *user_id, const char *sid, emu_reply *r)
{
    const char *redirect_uri = json_string_value(json_object_get(req, "redirect_uri"));
    const char *state = json_string_value(json_object_get(req, "state"));
    const char *org = json_string_value(json_object_get(req, "org_code"));
    if (org && !emu_member(emu.data, user_id, org)) {
        error_redirect(r, redirect_uri, state, "access_denied", "the user is not a member of that organization");
        return;
    }
    if (!org)
        org = emu_default_org_for(emu.data, user_id);
    char *code = emu_code_issue(req, user_id, org);
    if (!code) {
        emu_reply_page(r, 500, "Something went wrong", "The emulator could not make a code.");
        return;
    }
    /* The browser's session with "Kinde": a later login skips the form. */
    const char *current = emu_session_user(sid);
    if (!current || strcmp(current, user_id) != 0)
        r->set_cookie = emu_session_start(user_id);
    const char *kv[] = {"code", code, "state", state, "iss", emu.issuer, NULL};
    emu_reply_redirect(r, callback_url(redirect_uri, kv));
    free(code);
}

static const char *const single_params[] = {
    "client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
    "code_challenge_method", "prompt", "org_code", "org_name", "is_create_org", "login_hint",
    "start_page", NULL};

/* Why the request cannot go on (an OAuth error code, with *description),
 * or NULL. */
static const char *check_request(const emu_form *f, const json_t *app, const char *const *aud, size_t n_aud,
                                 const char **description)
{
    int dup = 0;
    for (size_t i = 0; single_params[i]; i++) {
        int d = 0;
        emu_form_get(f, single_params[i], &d);
        dup |= d;
    }
    const char *response_type = emu_form_get(f, "response_type", NULL);
    const char *challenge = emu_form_get(f, "code_challenge", NULL);
    const char *method = emu_form_get(f, "code_challenge_method", NULL);
    const char *prompt = emu_form_get(f, "prompt", NULL);
    const char *org_code = emu_form_get(f, "org_code", NULL);
    const char *error = NULL;
    if (dup) {
        error = "invalid_request", *description = "a parameter appears more than once";
    } else if (!response_type || strcmp(response_type, "code") != 0) {
        error = "unsupported_response_type", *description = "only response_type=code is supported";
    } else if ((challenge || method) && (!challenge || !method || strcmp(method, "S256") != 0 ||
                                         strlen(challenge) != 43)) {
        error = "invalid_request", *description = "PKCE needs a 43-character code_challenge with method S256";
    } else if (!challenge && !json_object_get(app, "client_secret")) {
        error = "invalid_request", *description = "a public application must use PKCE";
    } else if (prompt && strcmp(prompt, "none") != 0 && strcmp(prompt, "login") != 0 &&
               strcmp(prompt, "create") != 0) {
        error = "invalid_request", *description = "prompt must be none, login or create";
    } else if (org_code && !emu_org(emu.data, org_code)) {
        error = "invalid_request", *description = "org_code names no organization";
    } else if (n_aud > MAX_AUDIENCES) {
        error = "invalid_request", *description = "too many audiences";
    }
    for (size_t i = 0; !error && i < n_aud; i++)
        if (!emu_string_in(json_object_get(app, "audiences"), aud[i]))
            error = "invalid_request", *description = "audience is not an API of this application";
    return error;
}

/* The pending request, as the sign-in pages and the code will need it. */
static json_t *pending(const emu_form *f, const char *const *aud, size_t n_aud, int create_org)
{
    const char *scope = emu_form_get(f, "scope", NULL);
    json_t *audiences = json_array();
    for (size_t i = 0; i < n_aud; i++)
        json_array_append_new(audiences, json_string(aud[i]));
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:b, s:I}", "client_id",
                     emu_form_get(f, "client_id", NULL), "redirect_uri", emu_form_get(f, "redirect_uri", NULL),
                     "state", emu_form_get(f, "state", NULL), "nonce", emu_form_get(f, "nonce", NULL), "scope",
                     scope ? scope : "openid profile email offline", "code_challenge",
                     emu_form_get(f, "code_challenge", NULL), "org_code", emu_form_get(f, "org_code", NULL),
                     "org_name", emu_form_get(f, "org_name", NULL), "login_hint",
                     emu_form_get(f, "login_hint", NULL), "audiences", audiences, "create_org", create_org,
                     "expires", (json_int_t)emu_now() + emu.cfg.login_ttl);
}

static int is(const char *value, const char *want)
{
    return value && strcmp(value, want) == 0;
}

static void authorize_locked(const emu_request *q, emu_reply *r)
{
    const emu_form *f = &q->query;
    const char *client_id = emu_form_get(f, "client_id", NULL);
    const char *redirect_uri = emu_form_get(f, "redirect_uri", NULL);
    const json_t *app = client_id ? emu_app(emu.data, client_id) : NULL;
    /* Without a known client and one of its callback URLs there is nowhere
     * safe to send an error: the page says it (RFC 6749 4.1.2.1). */
    if (!app) {
        emu_reply_page(r, 400, "Unknown application", "client_id is missing or names no application of this business.");
        return;
    }
    if (!redirect_uri || !emu_string_in(json_object_get(app, "callback_urls"), redirect_uri)) {
        emu_reply_page(r, 400, "Callback URL not allowed",
                       "redirect_uri is missing or not one of this application's allowed callback URLs.");
        return;
    }
    const char *state = emu_form_get(f, "state", NULL);
    const char *aud[MAX_AUDIENCES + 1];
    size_t n_aud = emu_form_all(f, "audience", aud, MAX_AUDIENCES + 1);
    const char *description = NULL;
    const char *error = check_request(f, app, aud, n_aud, &description);
    if (error) {
        error_redirect(r, redirect_uri, state, error, description);
        return;
    }

    const char *prompt = emu_form_get(f, "prompt", NULL);
    int create_org = is(emu_form_get(f, "is_create_org", NULL), "true");
    int register_mode = create_org || is(prompt, "create") || is(emu_form_get(f, "start_page", NULL), "registration");
    json_t *req = pending(f, aud, n_aud, create_org);
    const char *user = emu_session_user(q->cookie_session);
    if (user && create_org) {
        const char *name = json_string_value(json_object_get(req, "org_name"));
        const char *code = emu_org_create(user, name ? name : "My organization");
        if (code)
            json_object_set_new(req, "org_code", json_string(code));
        emu_finish_login(req, user, q->cookie_session, r);
    } else if (user && !is(prompt, "login") && !is(prompt, "create")) {
        emu_finish_login(req, user, q->cookie_session, r);
    } else if (is(prompt, "none")) {
        error_redirect(r, redirect_uri, state, "login_required", "the user is not signed in");
    } else {
        char *id = emu_random_token(24);
        if (id) {
            json_object_set(emu.requests, id, req);
            emu_show_form(id, req, NULL, NULL, register_mode, r);
        } else {
            emu_reply_page(r, 500, "Something went wrong", "The emulator could not start the sign-in.");
        }
        free(id);
    }
    json_decref(req);
}

void emu_authorize(const emu_request *q, emu_reply *r)
{
    pthread_mutex_lock(&emu.lock);
    authorize_locked(q, r);
    pthread_mutex_unlock(&emu.lock);
}
