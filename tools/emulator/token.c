/* POST /oauth2/token: the client is authenticated, then one function per
 * grant decides under the lock and prepares the tokens (issue.c), which are
 * signed after the lock is released. */
#include "emulator.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AUDIENCES 8

/* A grant: called with the lock held; returns 0 with t prepared, or -1
 * with the error reply written. */
typedef int grant_fn(const emu_request *q, emu_reply *r, const json_t *app, int secret_given,
                     emu_tokens *t);

static int pkce_matches(const char *verifier, const char *challenge)
{
    size_t n = strlen(verifier);
    if (n < 43 || n > 128)
        return 0;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)verifier, n, digest);
    char *b = emu_b64url(digest, sizeof digest);
    int ok = b && strcmp(b, challenge) == 0;
    free(b);
    return ok;
}

static int is_client(const json_t *grant, const json_t *app)
{
    return strcmp(json_string_value(json_object_get(grant, "client_id")),
                  json_string_value(json_object_get(app, "client_id"))) == 0;
}

static int grant_code(const emu_request *q, emu_reply *r, const json_t *app, int secret_given,
                      emu_tokens *t)
{
    int d1, d2, d3;
    const char *code = emu_form_get(&q->form, "code", &d1);
    const char *redirect_uri = emu_form_get(&q->form, "redirect_uri", &d2);
    const char *verifier = emu_form_get(&q->form, "code_verifier", &d3);
    if (!code || !redirect_uri || d1 || d2 || d3) {
        emu_reply_oauth_error(r, 400, "invalid_request", "code and redirect_uri are required, once each");
        return -1;
    }
    json_t *grant = json_object_get(emu.codes, code);
    const char *why = NULL;
    if (!grant)
        why = "unknown authorization code";
    else if (json_is_true(json_object_get(grant, "used")))
        why = "authorization code already used";
    else if (json_integer_value(json_object_get(grant, "expires")) < emu_now())
        why = "authorization code expired";
    else if (!is_client(grant, app))
        why = "authorization code issued to another client";
    else if (strcmp(json_string_value(json_object_get(grant, "redirect_uri")), redirect_uri) != 0)
        why = "redirect_uri differs from the authorization request";
    if (why) {
        if (grant && json_is_true(json_object_get(grant, "used")))
            emu_code_revoke_grants(code);
        emu_reply_oauth_error(r, 400, "invalid_grant", why);
        return -1;
    }
    json_object_set_new(grant, "used", json_true()); /* single use, even if what follows fails */
    const char *challenge = json_string_value(json_object_get(grant, "code_challenge"));
    if (challenge && (!verifier || !pkce_matches(verifier, challenge))) {
        emu_reply_oauth_error(r, 400, "invalid_grant", "code_verifier does not match the code_challenge");
        return -1;
    }
    if (!challenge && verifier) {
        emu_reply_oauth_error(r, 400, "invalid_grant", "code_verifier sent for a login without PKCE");
        return -1;
    }
    if (!secret_given && !challenge) {
        emu_reply_oauth_error(r, 401, "invalid_client", "client_secret required without PKCE");
        return -1;
    }
    json_t *g = json_deep_copy(grant);
    json_object_set_new(g, "code", json_string(code));
    json_object_set_new(g, "pkce", json_boolean(challenge != NULL && !secret_given));
    int rc = emu_issue_user(g, 1, t, r);
    json_decref(g);
    return rc;
}

static int grant_refresh(const emu_request *q, emu_reply *r, const json_t *app, int secret_given,
                         emu_tokens *t)
{
    const char *token = emu_form_once(&q->form, "refresh_token", r);
    if (!token)
        return -1;
    json_t *grant = json_object_get(emu.refresh, token);
    int64_t now = emu_now();
    int64_t rotated = grant ? json_integer_value(json_object_get(grant, "rotated_at")) : 0;
    const char *why = NULL;
    if (!grant)
        why = "unknown refresh token";
    else if (json_is_true(json_object_get(grant, "revoked")))
        why = "refresh token revoked";
    else if (json_integer_value(json_object_get(grant, "expires")) < now)
        why = "refresh token expired";
    else if (rotated && now - rotated > emu.cfg.refresh_overlap)
        why = "refresh token already used";
    else if (!is_client(grant, app))
        why = "refresh token issued to another client";
    if (!why && !secret_given && !json_is_true(json_object_get(grant, "pkce"))) {
        emu_reply_oauth_error(r, 401, "invalid_client", "client_secret required");
        return -1;
    }
    if (why) {
        emu_reply_oauth_error(r, 400, "invalid_grant", why);
        return -1;
    }
    if (!rotated)
        json_object_set_new(grant, "rotated_at", json_integer(now > 0 ? now : 1));
    json_t *g = json_deep_copy(grant);
    json_object_del(g, "rotated_at");
    json_object_del(g, "expires");
    int rc = emu_issue_user(g, 0, t, r);
    json_decref(g);
    return rc;
}

static int grant_client_credentials(const emu_request *q, emu_reply *r, const json_t *app,
                                    int secret_given, emu_tokens *t)
{
    if (!secret_given) {
        emu_reply_oauth_error(r, 401, "invalid_client", "client_credentials needs the client secret");
        return -1;
    }
    const json_t *grants = json_object_get(app, "grant_types");
    if (grants && !emu_string_in(grants, "client_credentials")) {
        emu_reply_oauth_error(r, 400, "unauthorized_client", "this application may not use client_credentials");
        return -1;
    }
    const char *aud[MAX_AUDIENCES];
    size_t n = emu_form_all(&q->form, "audience", aud, MAX_AUDIENCES);
    /* The Management API (<issuer>/api) is an audience of the applications
     * authorised for it (management_api in the data file), with their scopes. */
    char mgmt_aud[300];
    snprintf(mgmt_aud, sizeof mgmt_aud, "%s/api", emu.issuer);
    json_t *scp = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(aud[i], mgmt_aud) == 0) {
            json_decref(scp);
            scp = emu_mgmt_scopes(app);
            if (!scp) {
                emu_reply_oauth_error(r, 400, "unauthorized_client",
                                      "this application is not authorised for the Management API");
                return -1;
            }
        } else if (!emu_string_in(json_object_get(app, "audiences"), aud[i])) {
            json_decref(scp);
            emu_reply_oauth_error(r, 400, "invalid_request", "audience is not an API of this application");
            return -1;
        }
    }
    int mgmt = scp != NULL;
    emu_issue_client(json_string_value(json_object_get(app, "client_id")), aud, n, scp, t);
    if (mgmt) /* expire-api-tokens can refuse it later */
        emu_mgmt_token_issued(json_string_value(json_object_get(t->access, "jti")),
                              json_integer_value(json_object_get(t->access, "exp")));
    return 0;
}

static const struct {
    const char *name;
    grant_fn *run;
} by_type[] = {
    {"authorization_code", grant_code},
    {"refresh_token", grant_refresh},
    {"client_credentials", grant_client_credentials},
};

/* Lock held: the client, then its grant. Returns 0 with t prepared. */
static int token_locked(const emu_request *q, emu_reply *r, const char *grant_type, emu_tokens *t)
{
    int secret_given = 0;
    const json_t *app = emu_client_authenticate(q, r, &secret_given);
    if (!app)
        return -1;
    for (size_t i = 0; i < sizeof by_type / sizeof by_type[0]; i++)
        if (strcmp(grant_type, by_type[i].name) == 0)
            return by_type[i].run(q, r, app, secret_given, t);
    emu_reply_oauth_error(r, 400, "unsupported_grant_type", "grant_type is not supported");
    return -1;
}

void emu_token(const emu_request *q, emu_reply *r)
{
    const char *grant_type = emu_form_once(&q->form, "grant_type", r);
    if (!grant_type)
        return;
    emu_tokens t = {0};
    pthread_mutex_lock(&emu.lock);
    int rc = token_locked(q, r, grant_type, &t);
    pthread_mutex_unlock(&emu.lock);
    if (rc == 0)
        emu_issue_reply(&t, r);
}
