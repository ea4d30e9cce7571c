/* The Kinde endpoints, as ../shared/KINDE.md describes them: discovery,
 * JWKS, authorize with its sign-in and registration forms, token (three
 * grants), revoke, introspect, the two profile endpoints and logout.
 *
 * Shared state is read and changed under emu.lock; RSA signing happens
 * outside it with a reference to the key. */
#include "emulator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SESSION_COOKIE "kinde_emulator"
#define SESSION_TTL (30L * 86400)
#define MAX_AUDIENCES 8

/* ---- small helpers ------------------------------------------------------ */

static json_t *scope_array(const char *scope)
{
    json_t *a = json_array();
    char *copy = strdup(scope ? scope : "");
    char *save = NULL;
    for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
        if (!emu_string_in(a, t))
            json_array_append_new(a, json_string(t));
    free(copy);
    return a;
}

static int has_scope(const char *scope, const char *want)
{
    json_t *a = scope_array(scope);
    int yes = emu_string_in(a, want);
    json_decref(a);
    return yes;
}

/* A redirect to the application's callback with parameters appended. */
static char *callback_url(const char *redirect_uri, const char *const *kv)
{
    emu_str s = {0};
    emu_str_adds(&s, redirect_uri);
    char sep = strchr(redirect_uri, '?') ? '&' : '?';
    for (size_t i = 0; kv[i]; i += 2) {
        if (!kv[i + 1])
            continue;
        emu_str_add(&s, &sep, 1);
        emu_str_adds(&s, kv[i]);
        emu_str_adds(&s, "=");
        emu_str_add_urlenc(&s, kv[i + 1]);
        sep = '&';
    }
    return emu_str_take(&s);
}

static void error_redirect(emu_reply *r, const char *redirect_uri, const char *state, const char *error,
                           const char *description)
{
    const char *kv[] = {"error", error, "error_description", description, "state", state, "iss",
                        emu.issuer, NULL};
    emu_reply_redirect(r, callback_url(redirect_uri, kv));
}

static void page(emu_reply *r, int status, const char *title, const char *text)
{
    emu_reply_html(r, status, emu_page_message(title, text));
}

/* Constant-time string comparison for secrets. */
static int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static int b64_std_decode(const char *in, char *out, size_t cap)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 >= cap)
        return -1;
    int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    while (len > 0 && in[len - 1] == '=') { /* EVP_DecodeBlock counts padding as zeros */
        n--;
        len--;
    }
    out[n] = '\0';
    return (int)strlen(out) == n ? 0 : -1; /* no NUL inside */
}

/* Client authentication: client_secret_post or client_secret_basic, never
 * both. Returns the application (lock held by the caller), or NULL with the
 * error reply written. *secret_given tells a public (PKCE) use apart. */
static const json_t *authenticate_client(const emu_request *q, emu_reply *r, int *secret_given)
{
    int dup_id = 0, dup_secret = 0;
    const char *id = emu_form_get(&q->form, "client_id", &dup_id);
    const char *secret = emu_form_get(&q->form, "client_secret", &dup_secret);
    char basic[512];
    if (dup_id || dup_secret) {
        emu_reply_oauth_error(r, 400, "invalid_request", "client_id or client_secret repeated");
        return NULL;
    }
    if (q->authorization && strncasecmp(q->authorization, "Basic ", 6) == 0) {
        char *colon;
        if (secret || b64_std_decode(q->authorization + 6, basic, sizeof basic) != 0 ||
            !(colon = strchr(basic, ':'))) {
            emu_reply_oauth_error(r, 400, "invalid_request", "malformed or second client authentication");
            return NULL;
        }
        *colon = '\0';
        if (id && strcmp(id, basic) != 0) {
            emu_reply_oauth_error(r, 400, "invalid_request", "client_id differs from the Basic credentials");
            return NULL;
        }
        id = basic;
        secret = colon + 1;
    }
    const json_t *app = id ? emu_app(emu.data, id) : NULL;
    const char *want = app ? json_string_value(json_object_get(app, "client_secret")) : NULL;
    if (!app || (secret && (!want || !secret_equal(secret, want)))) {
        emu_reply_oauth_error(r, 401, "invalid_client", "unknown client or wrong client secret");
        return NULL;
    }
    *secret_given = secret != NULL;
    return app;
}

/* ---- discovery and keys --------------------------------------------------- */

static void discovery(emu_reply *r)
{
    const char *i = emu.issuer;
    char u[8][320];
    static const char *const paths[] = {"/oauth2/auth", "/oauth2/token", "/oauth2/v2/user_profile",
                                        "/.well-known/jwks.json", "/oauth2/revoke", "/oauth2/introspect",
                                        "/logout", ""};
    for (int k = 0; k < 7; k++)
        snprintf(u[k], sizeof u[k], "%s%s", i, paths[k]);
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s,s,s], s:[s], s:[s], s:[s], s:[s,s,s,s],"
        " s:[s,s,s], s:b, s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]}",
        "issuer", i, "authorization_endpoint", u[0], "token_endpoint", u[1], "userinfo_endpoint", u[2],
        "jwks_uri", u[3], "revocation_endpoint", u[4], "introspection_endpoint", u[5],
        "end_session_endpoint", u[6], "response_types_supported", "code", "grant_types_supported",
        "authorization_code", "refresh_token", "client_credentials", "subject_types_supported", "public",
        "id_token_signing_alg_values_supported", "RS256", "code_challenge_methods_supported", "S256",
        "scopes_supported", "openid", "profile", "email", "offline",
        "token_endpoint_auth_methods_supported", "client_secret_post", "client_secret_basic", "none",
        "authorization_response_iss_parameter_supported", 1, "claims_supported", "aud", "azp", "exp",
        "iat", "iss", "jti", "sub", "email", "given_name", "family_name", "name", "picture", "org_codes",
        "nonce", "at_hash");
    emu_reply_json(r, 200, d);
}

static void jwks(emu_reply *r)
{
    json_t *keys = json_array();
    pthread_mutex_lock(&emu.lock);
    for (int k = 0; k < emu.n_keys; k++)
        json_array_append_new(keys, emu_key_jwk(&emu.keys[k]));
    pthread_mutex_unlock(&emu.lock);
    emu_reply_json(r, 200, json_pack("{s:o}", "keys", keys));
}

/* ---- issuing tokens ---------------------------------------------------------- */

/* The key that signs now (a reference the caller frees) and its kid. */
static EVP_PKEY *signing_key(char kid[64])
{
    emu_key *k = emu.sign_with_wrong_key ? &emu.wrong_key : &emu.keys[0];
    snprintf(kid, 64, "%s", emu.keys[0].kid); /* the wrong key lies about its kid */
    return EVP_PKEY_up_ref(k->pkey) == 1 ? k->pkey : NULL;
}

static json_t *flags_for(const json_t *org, const json_t *member)
{
    json_t *flags = json_deep_copy(json_object_get(emu.data, "feature_flags"));
    if (!flags)
        flags = json_object();
    json_object_update(flags, json_object_get(org, "feature_flags"));
    json_object_update(flags, json_object_get(member, "feature_flags"));
    return flags;
}

static json_t *roles_for(const json_t *member)
{
    json_t *out = json_array();
    size_t i;
    const json_t *key;
    json_array_foreach(json_object_get(member, "roles"), i, key) {
        size_t k;
        const json_t *role;
        json_array_foreach(json_object_get(emu.data, "roles"), k, role) {
            if (json_equal(json_object_get(role, "key"), (json_t *)key)) {
                const char *id = json_string_value(json_object_get(role, "id"));
                const char *name = json_string_value(json_object_get(role, "name"));
                json_array_append_new(out, json_pack("{s:s, s:O, s:s}", "id", id ? id : "",
                                                     "key", key, "name", name ? name : ""));
            }
        }
    }
    return out;
}

static char *new_jti(void)
{
    char *h = emu_random_hex(16);
    if (!h)
        return NULL;
    char *out = malloc(37); /* uuid-shaped, as Kinde's are */
    if (out)
        snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    free(h);
    return out;
}

static void set_times(json_t *claims, int64_t now, long ttl)
{
    char *jti = new_jti();
    json_object_set_new(claims, "iat", json_integer(now));
    json_object_set_new(claims, "exp", json_integer(now + ttl));
    json_object_set_new(claims, "iss", json_string(emu.issuer));
    json_object_set_new(claims, "jti", jti ? json_string(jti) : json_null());
    free(jti);
}

/* grant: {client_id, user, org, scope, audiences, nonce?, auth_time, pkce}.
 * Writes the token response. Lock held on entry, released on return. */
static void issue_user_tokens(const json_t *grant, int with_nonce, emu_reply *r)
{
    const char *client_id = json_string_value(json_object_get(grant, "client_id"));
    const char *user_id = json_string_value(json_object_get(grant, "user"));
    const char *org_code = json_string_value(json_object_get(grant, "org"));
    const char *scope = json_string_value(json_object_get(grant, "scope"));
    const json_t *user = emu_user_by_id(emu.data, user_id);
    if (!user) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_grant", "the user no longer exists");
        return;
    }
    const json_t *org = org_code ? emu_org(emu.data, org_code) : NULL;
    const json_t *member = org ? emu_member(emu.data, user_id, org_code) : NULL;
    int64_t now = emu_now();

    json_t *at = json_object();
    json_object_set(at, "aud", json_object_get(grant, "audiences"));
    json_object_set_new(at, "azp", json_string(client_id));
    set_times(at, now, emu.cfg.access_ttl);
    json_object_set_new(at, "sub", json_string(user_id));
    json_object_set_new(at, "scp", scope_array(scope));
    if (org) {
        json_object_set_new(at, "org_code", json_string(org_code));
        json_object_set(at, "org_name", json_object_get(org, "name"));
        json_t *perms = json_deep_copy(json_object_get(member, "permissions"));
        json_object_set_new(at, "permissions", perms ? perms : json_array());
        json_object_set_new(at, "roles", roles_for(member));
        json_object_set_new(at, "feature_flags", flags_for(org, member));
    } else {
        json_object_set_new(at, "permissions", json_array());
        json_object_set_new(at, "feature_flags", flags_for(NULL, NULL));
    }

    json_t *idt = NULL;
    if (has_scope(scope, "openid")) {
        idt = json_object();
        json_object_set_new(idt, "aud", json_pack("[s]", client_id));
        json_object_set_new(idt, "azp", json_string(client_id));
        set_times(idt, now, emu.cfg.id_ttl);
        json_object_set_new(idt, "sub", json_string(user_id));
        json_object_set(idt, "auth_time", json_object_get(grant, "auth_time"));
        const char *given = json_string_value(json_object_get(user, "given_name"));
        const char *family = json_string_value(json_object_get(user, "family_name"));
        char name[512];
        snprintf(name, sizeof name, "%s%s%s", given ? given : "", given && family ? " " : "",
                 family ? family : "");
        if (has_scope(scope, "profile")) {
            json_object_set(idt, "given_name", json_object_get(user, "given_name"));
            json_object_set(idt, "family_name", json_object_get(user, "family_name"));
            json_object_set_new(idt, "name", json_string(name));
            json_object_set(idt, "picture", json_object_get(user, "picture"));
            json_object_set(idt, "updated_at", json_object_get(user, "updated_at"));
        }
        if (has_scope(scope, "email")) {
            json_object_set(idt, "email", json_object_get(user, "email"));
            json_object_set_new(idt, "email_verified", json_true());
        }
        json_t *codes = json_array();
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(emu.data, "members"), i, m)
            if (json_equal(json_object_get(m, "user"), json_object_get(user, "id")))
                json_array_append(codes, json_object_get(m, "org"));
        json_object_set_new(idt, "org_codes", codes);
        if (with_nonce && json_object_get(grant, "nonce"))
            json_object_set(idt, "nonce", json_object_get(grant, "nonce"));
    }

    char *refresh = NULL;
    if (has_scope(scope, "offline")) {
        refresh = emu_random_token(32);
        json_t *g = json_deep_copy(grant);
        json_object_del(g, "nonce");
        json_object_del(g, "code_challenge");
        json_object_del(g, "redirect_uri");
        json_object_del(g, "used"); /* the code's state, not the refresh token's */
        json_object_set_new(g, "expires", json_integer(now + emu.cfg.refresh_ttl));
        json_object_set_new(g, "rotated_at", json_integer(0));
        if (refresh)
            json_object_set_new(emu.refresh, refresh, g);
        else
            json_decref(g);
    }
    char kid[64];
    EVP_PKEY *key = signing_key(kid);
    pthread_mutex_unlock(&emu.lock);

    char *access = key ? emu_jwt_sign(key, kid, NULL, at) : NULL;
    char *id_token = NULL;
    if (access && idt) {
        char *h = emu_at_hash(access);
        json_object_set_new(idt, "at_hash", json_string(h ? h : ""));
        free(h);
        id_token = emu_jwt_sign(key, kid, NULL, idt);
    }
    EVP_PKEY_free(key);
    if (!access || (idt && !id_token) || (has_scope(scope, "offline") && !refresh)) {
        emu_reply_oauth_error(r, 500, "server_error", "could not sign the tokens");
    } else {
        json_t *resp = json_pack("{s:s, s:s, s:I, s:s}", "access_token", access, "token_type", "bearer",
                                 "expires_in", (json_int_t)emu.cfg.access_ttl, "scope", scope ? scope : "");
        if (id_token)
            json_object_set_new(resp, "id_token", json_string(id_token));
        if (refresh)
            json_object_set_new(resp, "refresh_token", json_string(refresh));
        emu_reply_json(r, 200, resp);
        r->no_store = 1;
    }
    json_decref(at);
    json_decref(idt);
    free(access);
    free(id_token);
    free(refresh);
}

/* ---- the token endpoint --------------------------------------------------------- */

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

static void grant_code(const emu_request *q, emu_reply *r, const json_t *app, int secret_given)
{
    int d1, d2, d3;
    const char *code = emu_form_get(&q->form, "code", &d1);
    const char *redirect_uri = emu_form_get(&q->form, "redirect_uri", &d2);
    const char *verifier = emu_form_get(&q->form, "code_verifier", &d3);
    if (!code || !redirect_uri || d1 || d2 || d3) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_request", "code and redirect_uri are required, once each");
        return;
    }
    json_t *grant = json_object_get(emu.codes, code);
    const char *why = NULL;
    if (!grant)
        why = "unknown authorization code";
    else if (json_is_true(json_object_get(grant, "used")))
        why = "authorization code already used";
    else if (json_integer_value(json_object_get(grant, "expires")) < emu_now())
        why = "authorization code expired";
    else if (strcmp(json_string_value(json_object_get(grant, "client_id")),
                    json_string_value(json_object_get(app, "client_id"))) != 0)
        why = "authorization code issued to another client";
    else if (strcmp(json_string_value(json_object_get(grant, "redirect_uri")), redirect_uri) != 0)
        why = "redirect_uri differs from the authorization request";
    if (why) {
        /* A replayed code also ends what it granted (RFC 6749 4.1.2). */
        if (grant && json_is_true(json_object_get(grant, "used"))) {
            const char *k;
            json_t *v;
            void *tmp;
            json_object_foreach_safe(emu.refresh, tmp, k, v) {
                const char *from = json_string_value(json_object_get(v, "code"));
                if (from && strcmp(from, code) == 0)
                    json_object_set_new(v, "revoked", json_true());
            }
        }
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_grant", why);
        return;
    }
    json_object_set_new(grant, "used", json_true()); /* single use, even if what follows fails */
    const char *challenge = json_string_value(json_object_get(grant, "code_challenge"));
    if (challenge && (!verifier || !pkce_matches(verifier, challenge))) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_grant", "code_verifier does not match the code_challenge");
        return;
    }
    if (!challenge && verifier) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_grant", "code_verifier sent for a login without PKCE");
        return;
    }
    if (!secret_given && !challenge) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 401, "invalid_client", "client_secret required without PKCE");
        return;
    }
    json_t *g = json_deep_copy(grant);
    json_object_set_new(g, "code", json_string(code));
    json_object_set_new(g, "pkce", json_boolean(challenge != NULL && !secret_given));
    issue_user_tokens(g, 1, r); /* unlocks */
    json_decref(g);
}

static void grant_refresh(const emu_request *q, emu_reply *r, const json_t *app, int secret_given)
{
    int dup;
    const char *token = emu_form_get(&q->form, "refresh_token", &dup);
    if (!token || dup) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_request", "refresh_token is required, once");
        return;
    }
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
    else if (strcmp(json_string_value(json_object_get(grant, "client_id")),
                    json_string_value(json_object_get(app, "client_id"))) != 0)
        why = "refresh token issued to another client";
    if (!why && !secret_given && !json_is_true(json_object_get(grant, "pkce"))) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 401, "invalid_client", "client_secret required");
        return;
    }
    if (why) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "invalid_grant", why);
        return;
    }
    if (!rotated)
        json_object_set_new(grant, "rotated_at", json_integer(now > 0 ? now : 1));
    json_t *g = json_deep_copy(grant);
    json_object_del(g, "rotated_at");
    json_object_del(g, "expires");
    issue_user_tokens(g, 0, r); /* unlocks */
    json_decref(g);
}

static void grant_client_credentials(const emu_request *q, emu_reply *r, const json_t *app,
                                     int secret_given)
{
    if (!secret_given) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 401, "invalid_client", "client_credentials needs the client secret");
        return;
    }
    const json_t *grants = json_object_get(app, "grant_types");
    if (grants && !emu_string_in(grants, "client_credentials")) {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "unauthorized_client", "this application may not use client_credentials");
        return;
    }
    const char *aud[MAX_AUDIENCES];
    size_t n = emu_form_all(&q->form, "audience", aud, MAX_AUDIENCES);
    for (size_t i = 0; i < n; i++) {
        if (!emu_string_in(json_object_get(app, "audiences"), aud[i])) {
            pthread_mutex_unlock(&emu.lock);
            emu_reply_oauth_error(r, 400, "invalid_request", "audience is not an API of this application");
            return;
        }
    }
    const char *client_id = json_string_value(json_object_get(app, "client_id"));
    json_t *claims = json_object();
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(aud[i]));
    json_object_set_new(claims, "aud", a);
    json_object_set_new(claims, "azp", json_string(client_id));
    set_times(claims, emu_now(), emu.cfg.access_ttl);
    json_object_set_new(claims, "sub", json_string(client_id));
    json_object_set_new(claims, "scp", json_array());
    json_object_set_new(claims, "gty", json_pack("[s]", "client_credentials"));
    char kid[64];
    EVP_PKEY *key = signing_key(kid);
    pthread_mutex_unlock(&emu.lock);
    char *token = key ? emu_jwt_sign(key, kid, NULL, claims) : NULL;
    EVP_PKEY_free(key);
    json_decref(claims);
    if (!token) {
        emu_reply_oauth_error(r, 500, "server_error", "could not sign the token");
        return;
    }
    emu_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:s}", "access_token", token, "token_type", "bearer",
                                     "expires_in", (json_int_t)emu.cfg.access_ttl, "scope", ""));
    r->no_store = 1;
    free(token);
}

/* The back-channel endpoints take POST and one value of their main field.
 * Returns that value, or NULL with the error reply written. */
static const char *posted_param(const emu_request *q, emu_reply *r, const char *name)
{
    if (strcmp(q->method, "POST") != 0) {
        emu_reply_oauth_error(r, 405, "invalid_request", "use POST");
        r->allow = "POST";
        return NULL;
    }
    int dup;
    const char *v = emu_form_get(&q->form, name, &dup);
    if (!v || dup) {
        char why[80];
        snprintf(why, sizeof why, "%s is required, once", name);
        emu_reply_oauth_error(r, 400, "invalid_request", why);
        return NULL;
    }
    return v;
}

static void token_endpoint(const emu_request *q, emu_reply *r)
{
    const char *grant = posted_param(q, r, "grant_type");
    if (!grant)
        return;
    pthread_mutex_lock(&emu.lock);
    int secret_given = 0;
    const json_t *app = authenticate_client(q, r, &secret_given);
    if (!app) {
        pthread_mutex_unlock(&emu.lock);
        return;
    }
    if (strcmp(grant, "authorization_code") == 0)
        grant_code(q, r, app, secret_given);
    else if (strcmp(grant, "refresh_token") == 0)
        grant_refresh(q, r, app, secret_given);
    else if (strcmp(grant, "client_credentials") == 0)
        grant_client_credentials(q, r, app, secret_given);
    else {
        pthread_mutex_unlock(&emu.lock);
        emu_reply_oauth_error(r, 400, "unsupported_grant_type", "grant_type is not supported");
    }
}

/* ---- revoke and introspect ---------------------------------------------------------- */

static void revoke_endpoint(const emu_request *q, emu_reply *r)
{
    const char *token = posted_param(q, r, "token");
    if (!token)
        return;
    json_t *claims = strchr(token, '.') ? emu_jwt_verify(token) : NULL;
    pthread_mutex_lock(&emu.lock);
    int secret_given = 0;
    const json_t *app = authenticate_client(q, r, &secret_given);
    if (app) {
        const char *client_id = json_string_value(json_object_get(app, "client_id"));
        json_t *grant = json_object_get(emu.refresh, token);
        /* Another client's token is left alone, and the answer is the same
         * (RFC 7009 2.2: no oracle for which tokens exist). */
        if (grant && strcmp(json_string_value(json_object_get(grant, "client_id")), client_id) == 0)
            json_object_set_new(grant, "revoked", json_true());
        const char *jti = json_string_value(json_object_get(claims, "jti"));
        const char *azp = json_string_value(json_object_get(claims, "azp"));
        if (jti && azp && strcmp(azp, client_id) == 0)
            json_object_set(emu.revoked_jti, jti, json_object_get(claims, "exp"));
        r->status = 200;
        r->no_store = 1;
    }
    pthread_mutex_unlock(&emu.lock);
    json_decref(claims);
}

/* Claims of a live access token the emulator issued, or NULL. */
static json_t *live_access_token(const char *token)
{
    json_t *claims = emu_jwt_verify(token);
    if (!claims)
        return NULL;
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    pthread_mutex_lock(&emu.lock);
    int revoked = jti && json_object_get(emu.revoked_jti, jti);
    int64_t now = emu_now();
    pthread_mutex_unlock(&emu.lock);
    if (revoked || !json_object_get(claims, "scp") ||
        json_integer_value(json_object_get(claims, "exp")) <= now) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

static void introspect_endpoint(const emu_request *q, emu_reply *r)
{
    const char *token = posted_param(q, r, "token");
    if (!token)
        return;
    if (emu_form_get(&q->form, "client_id", NULL) || q->authorization) {
        int secret_given = 0;
        pthread_mutex_lock(&emu.lock);
        const json_t *app = authenticate_client(q, r, &secret_given);
        pthread_mutex_unlock(&emu.lock);
        if (!app)
            return;
    }
    json_t *claims = strchr(token, '.') ? live_access_token(token) : NULL;
    json_t *out = NULL;
    if (claims) {
        json_t *scp = json_object_get(claims, "scp");
        emu_str s = {0};
        size_t i;
        json_t *v;
        json_array_foreach(scp, i, v) {
            if (i)
                emu_str_adds(&s, " ");
            emu_str_adds(&s, json_string_value(v));
        }
        char *scope = emu_str_take(&s);
        out = json_pack("{s:b, s:O, s:O, s:O, s:O, s:O, s:s, s:s}", "active", 1, "aud",
                        json_object_get(claims, "aud"), "client_id", json_object_get(claims, "azp"), "exp",
                        json_object_get(claims, "exp"), "iat", json_object_get(claims, "iat"), "sub",
                        json_object_get(claims, "sub"), "scope", scope ? scope : "", "token_type",
                        "access_token");
        free(scope);
        json_decref(claims);
    } else if (!strchr(token, '.')) {
        pthread_mutex_lock(&emu.lock);
        json_t *grant = json_object_get(emu.refresh, token);
        int64_t now = emu_now();
        if (grant && !json_is_true(json_object_get(grant, "revoked")) &&
            json_integer_value(json_object_get(grant, "expires")) >= now)
            out = json_pack("{s:b, s:O, s:O, s:O, s:s}", "active", 1, "client_id",
                            json_object_get(grant, "client_id"), "exp", json_object_get(grant, "expires"),
                            "sub", json_object_get(grant, "user"), "token_type", "refresh_token");
        pthread_mutex_unlock(&emu.lock);
    }
    emu_reply_json(r, 200, out ? out : json_pack("{s:b}", "active", 0));
    r->no_store = 1;
}

/* ---- user profile -------------------------------------------------------------------- */

static void profile_endpoint(const emu_request *q, emu_reply *r, int v2)
{
    const char *auth = q->authorization;
    json_t *claims = NULL;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        claims = live_access_token(auth + 7);
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    pthread_mutex_lock(&emu.lock);
    const json_t *user = sub ? emu_user_by_id(emu.data, sub) : NULL;
    json_t *out = NULL;
    if (user) {
        const json_t *given = json_object_get(user, "given_name");
        const json_t *family = json_object_get(user, "family_name");
        const json_t *picture = json_object_get(user, "picture");
        char name[512];
        snprintf(name, sizeof name, "%s %s", json_string_value(given) ? json_string_value(given) : "",
                 json_string_value(family) ? json_string_value(family) : "");
        if (v2)
            out = json_pack("{s:s, s:s, s:n, s:s, s:O?, s:O?, s:O?, s:O?, s:b, s:O?, s:n}", "sub", sub, "id",
                            sub, "provided_id", "name", name, "given_name", given, "family_name", family,
                            "updated_at", json_object_get(user, "updated_at"), "email",
                            json_object_get(user, "email"), "email_verified", 1, "picture", picture,
                            "preferred_username");
        else
            out = json_pack("{s:s, s:O?, s:n, s:n, s:O?, s:O?, s:O?}", "id", sub, "preferred_email",
                            json_object_get(user, "email"), "username", "provided_id", "last_name", family,
                            "first_name", given, "picture", picture);
    }
    pthread_mutex_unlock(&emu.lock);
    json_decref(claims);
    if (!out) {
        emu_reply_json(r, 401, json_pack("{s:s, s:s}", "error", "invalid_token", "error_description",
                                         "a valid user access token is required"));
        r->www_authenticate = "Bearer error=\"invalid_token\"";
        return;
    }
    emu_reply_json(r, 200, out);
    r->no_store = 1;
}

/* ---- the browser side: authorize, forms, sessions, logout ---------------------------------- */

/* The user of a live browser session (lock held), or NULL. */
static const char *session_user(const char *sid)
{
    json_t *s = sid ? json_object_get(emu.sessions, sid) : NULL;
    if (!s)
        return NULL;
    if (json_integer_value(json_object_get(s, "expires")) < emu_now()) {
        json_object_del(emu.sessions, sid);
        return NULL;
    }
    const char *user = json_string_value(json_object_get(s, "user"));
    return emu_user_by_id(emu.data, user) ? user : NULL;
}

/* Forgets what has expired, now and then, so a long benchmark or demo does
 * not grow without bound (lock held). */
static void sweep(void)
{
    static unsigned calls;
    if (++calls % 512 != 0)
        return;
    int64_t now = emu_now();
    json_t *tables[] = {emu.requests, emu.codes, emu.refresh, emu.sessions};
    for (int t = 0; t < 4; t++) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(tables[t], tmp, k, v) {
            int64_t rotated = json_integer_value(json_object_get(v, "rotated_at"));
            /* A used code stays until it expires: a replay must still be
             * recognised, and revoke what the code granted. */
            if (json_integer_value(json_object_get(v, "expires")) < now ||
                (rotated && now - rotated > emu.cfg.refresh_overlap))
                json_object_del(tables[t], k);
        }
    }
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(emu.revoked_jti, tmp, k, v)
        if (json_integer_value(v) < now)
            json_object_del(emu.revoked_jti, k);
}

/* Issue a code for the request and send the browser back (lock held). */
static void finish_login(const json_t *req, const char *user_id, const char *sid, emu_reply *r)
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
    sweep();
    char *code = emu_random_token(32);
    if (!code) {
        page(r, 500, "Something went wrong", "The emulator could not make a code.");
        return;
    }
    int64_t now = emu_now();
    json_t *grant = json_pack("{s:O, s:O, s:s, s:s?, s:O, s:O, s:I, s:I}", "client_id",
                              json_object_get(req, "client_id"), "redirect_uri",
                              json_object_get(req, "redirect_uri"), "user", user_id, "org", org, "scope",
                              json_object_get(req, "scope"), "audiences", json_object_get(req, "audiences"),
                              "auth_time", (json_int_t)now, "expires", (json_int_t)now + emu.cfg.code_ttl);
    if (json_object_get(req, "nonce"))
        json_object_set(grant, "nonce", json_object_get(req, "nonce"));
    if (json_object_get(req, "code_challenge"))
        json_object_set(grant, "code_challenge", json_object_get(req, "code_challenge"));
    json_object_set_new(emu.codes, code, grant);

    /* The browser's session with "Kinde": a later login skips the form. */
    char *new_sid = NULL;
    if (!sid || !session_user(sid) || strcmp(session_user(sid), user_id) != 0) {
        new_sid = emu_random_token(32);
        if (new_sid) {
            json_object_set_new(emu.sessions, new_sid,
                                json_pack("{s:s, s:I}", "user", user_id, "expires", (json_int_t)now + SESSION_TTL));
            emu_str c = {0};
            emu_str_addf(&c, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax", new_sid);
            r->set_cookie = emu_str_take(&c);
        }
    }
    const char *kv[] = {"code", code, "state", state, "iss", emu.issuer, NULL};
    emu_reply_redirect(r, callback_url(redirect_uri, kv));
    free(code);
    free(new_sid);
}

static void show_form(const char *request_id, const json_t *req, const char *error, const char *email,
                      int register_form, emu_reply *r)
{
    const json_t *app = emu_app(emu.data, json_string_value(json_object_get(req, "client_id")));
    const char *app_name = json_string_value(json_object_get(app, "name"));
    emu_page_ctx c = {
        .request_id = request_id,
        .app_name = app_name ? app_name : json_string_value(json_object_get(app, "client_id")),
        .error = error,
        .users = json_object_get(emu.data, "users"),
        .email = email ? email : json_string_value(json_object_get(req, "login_hint")),
        .org_name = NULL,
    };
    if (json_is_true(json_object_get(req, "create_org"))) {
        c.org_name = json_string_value(json_object_get(req, "org_name"));
        if (!c.org_name)
            c.org_name = "a new organization";
    }
    char *html = register_form ? emu_page_register(&c) : emu_page_sign_in(&c);
    emu_reply_html(r, error ? 422 : 200, html);
}

/* Creates an organization for user_id, who becomes its admin (lock held).
 * Returns its code (owned by the data tree). */
static const char *create_org(const char *user_id, const char *name, char *why, size_t n)
{
    char *hex = emu_random_hex(6);
    if (!hex)
        return NULL;
    char code[32];
    snprintf(code, sizeof code, "org_%s", hex);
    free(hex);
    json_t *org = json_pack("{s:s, s:s}", "code", code, "name", name);
    json_t *perms = json_deep_copy(json_object_get(emu.data, "permissions"));
    json_t *roles = json_array();
    if (json_array_size(json_object_get(emu.data, "roles")) > 0)
        json_array_append(roles, json_object_get(json_array_get(json_object_get(emu.data, "roles"), 0), "key"));
    json_t *member = json_pack("{s:s, s:s, s:o, s:o}", "user", user_id, "org", code, "permissions",
                               perms ? perms : json_array(), "roles", roles);
    json_array_append(json_object_get(emu.data, "organizations"), org);
    json_array_append(json_object_get(emu.data, "members"), member);
    json_array_append_new(json_object_get(emu.runtime, "organizations"), org);
    json_array_append_new(json_object_get(emu.runtime, "members"), member);
    emu_persist();
    (void)why;
    (void)n;
    return json_string_value(json_object_get(emu_org(emu.data, code), "code"));
}

static const char *const single_params[] = {
    "client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
    "code_challenge_method", "prompt", "org_code", "org_name", "is_create_org", "login_hint",
    "start_page", NULL};

static void authorize(const emu_request *q, emu_reply *r)
{
    if (strcmp(q->method, "GET") != 0) {
        page(r, 405, "Method not allowed", "The authorization endpoint takes GET.");
        r->allow = "GET";
        return;
    }
    const emu_form *f = &q->query;
    const char *client_id = emu_form_get(f, "client_id", NULL);
    const char *redirect_uri = emu_form_get(f, "redirect_uri", NULL);
    pthread_mutex_lock(&emu.lock);
    const json_t *app = client_id ? emu_app(emu.data, client_id) : NULL;
    /* Without a known client and one of its callback URLs there is nowhere
     * safe to send an error: the page says it (RFC 6749 4.1.2.1). */
    if (!app) {
        pthread_mutex_unlock(&emu.lock);
        page(r, 400, "Unknown application", "client_id is missing or names no application of this business.");
        return;
    }
    if (!redirect_uri || !emu_string_in(json_object_get(app, "callback_urls"), redirect_uri)) {
        pthread_mutex_unlock(&emu.lock);
        page(r, 400, "Callback URL not allowed",
             "redirect_uri is missing or not one of this application's allowed callback URLs.");
        return;
    }
    int dup = 0;
    for (size_t i = 0; single_params[i]; i++) {
        int d = 0;
        emu_form_get(f, single_params[i], &d);
        dup |= d;
    }
    const char *state = emu_form_get(f, "state", NULL);
    const char *response_type = emu_form_get(f, "response_type", NULL);
    const char *challenge = emu_form_get(f, "code_challenge", NULL);
    const char *method = emu_form_get(f, "code_challenge_method", NULL);
    const char *prompt = emu_form_get(f, "prompt", NULL);
    const char *scope = emu_form_get(f, "scope", NULL);
    const char *org_code = emu_form_get(f, "org_code", NULL);
    const char *create = emu_form_get(f, "is_create_org", NULL);
    const char *start_page = emu_form_get(f, "start_page", NULL);
    const char *aud[MAX_AUDIENCES + 1];
    size_t n_aud = emu_form_all(f, "audience", aud, MAX_AUDIENCES + 1);
    const char *error = NULL, *description = NULL;
    if (dup) {
        error = "invalid_request", description = "a parameter appears more than once";
    } else if (!response_type || strcmp(response_type, "code") != 0) {
        error = "unsupported_response_type", description = "only response_type=code is supported";
    } else if ((challenge || method) && (!challenge || !method || strcmp(method, "S256") != 0 ||
                                         strlen(challenge) != 43)) {
        error = "invalid_request", description = "PKCE needs a 43-character code_challenge with method S256";
    } else if (!challenge && !json_object_get(app, "client_secret")) {
        error = "invalid_request", description = "a public application must use PKCE";
    } else if (prompt && strcmp(prompt, "none") != 0 && strcmp(prompt, "login") != 0 &&
               strcmp(prompt, "create") != 0) {
        error = "invalid_request", description = "prompt must be none, login or create";
    } else if (org_code && !emu_org(emu.data, org_code)) {
        error = "invalid_request", description = "org_code names no organization";
    } else if (n_aud > MAX_AUDIENCES) {
        error = "invalid_request", description = "too many audiences";
    }
    for (size_t i = 0; !error && i < n_aud; i++)
        if (!emu_string_in(json_object_get(app, "audiences"), aud[i]))
            error = "invalid_request", description = "audience is not an API of this application";
    if (error) {
        pthread_mutex_unlock(&emu.lock);
        error_redirect(r, redirect_uri, state, error, description);
        return;
    }

    json_t *audiences = json_array();
    for (size_t i = 0; i < n_aud; i++)
        json_array_append_new(audiences, json_string(aud[i]));
    int create_org_flag = create && strcmp(create, "true") == 0;
    int register_mode = create_org_flag || (prompt && strcmp(prompt, "create") == 0) ||
                        (start_page && strcmp(start_page, "registration") == 0);
    json_t *req = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:b, s:I}",
                            "client_id", client_id, "redirect_uri", redirect_uri, "state", state, "nonce",
                            emu_form_get(f, "nonce", NULL), "scope", scope ? scope : "openid profile email offline",
                            "code_challenge", challenge, "org_code", org_code, "org_name",
                            emu_form_get(f, "org_name", NULL), "login_hint", emu_form_get(f, "login_hint", NULL),
                            "audiences", audiences, "create_org", create_org_flag, "expires",
                            (json_int_t)emu_now() + emu.cfg.login_ttl);
    const char *user = session_user(q->cookie_session);
    int force_form = prompt && (strcmp(prompt, "login") == 0 || strcmp(prompt, "create") == 0);

    if (user && create_org_flag) {
        const char *name = json_string_value(json_object_get(req, "org_name"));
        char why[100];
        const char *code = create_org(user, name ? name : "My organization", why, sizeof why);
        if (code)
            json_object_set_new(req, "org_code", json_string(code));
        finish_login(req, user, q->cookie_session, r);
    } else if (user && !force_form) {
        finish_login(req, user, q->cookie_session, r);
    } else if (prompt && strcmp(prompt, "none") == 0) {
        error_redirect(r, redirect_uri, state, "login_required", "the user is not signed in");
    } else {
        char *id = emu_random_token(24);
        if (id) {
            json_object_set(emu.requests, id, req);
            show_form(id, req, NULL, NULL, register_mode, r);
        } else {
            page(r, 500, "Something went wrong", "The emulator could not start the sign-in.");
        }
        free(id);
    }
    json_decref(req);
    pthread_mutex_unlock(&emu.lock);
}

/* The pending request named by the form's `request` field (lock held). */
static json_t *pending_request(const emu_form *f, const char **id, emu_reply *r)
{
    *id = emu_form_get(f, "request", NULL);
    json_t *req = *id ? json_object_get(emu.requests, *id) : NULL;
    if (req && json_integer_value(json_object_get(req, "expires")) < emu_now()) {
        json_object_del(emu.requests, *id);
        req = NULL;
    }
    if (!req)
        page(r, 400, "This sign-in has expired",
             "Start again from the application: sign-in pages are valid for a few minutes and once.");
    return req;
}

static void form_page(const emu_request *q, emu_reply *r, int register_form)
{
    const char *id;
    pthread_mutex_lock(&emu.lock);
    json_t *req = pending_request(&q->query, &id, r);
    if (req)
        show_form(id, req, NULL, NULL, register_form, r);
    pthread_mutex_unlock(&emu.lock);
}

static void login_submit(const emu_request *q, emu_reply *r)
{
    if (strcmp(q->method, "POST") != 0) {
        page(r, 405, "Method not allowed", "The sign-in form posts.");
        r->allow = "POST";
        return;
    }
    const char *id;
    pthread_mutex_lock(&emu.lock);
    json_t *req = pending_request(&q->form, &id, r);
    if (req) {
        const char *email = emu_form_get(&q->form, "email", NULL);
        const json_t *user = email ? emu_user_by_email(emu.data, email) : NULL;
        if (!user) {
            show_form(id, req, "No user of this business has that email. Create an account instead?", email, 0, r);
        } else {
            json_incref(req);
            json_object_del(emu.requests, id); /* single use */
            finish_login(req, json_string_value(json_object_get(user, "id")), q->cookie_session, r);
            json_decref(req);
        }
    }
    pthread_mutex_unlock(&emu.lock);
}

static const char *check_person(const char *given, const char *family, const char *email)
{
    const char *fields[] = {given, family, email};
    for (int i = 0; i < 3; i++) {
        if (!fields[i] || !*fields[i])
            return "First name, last name and email are all required.";
        if (strlen(fields[i]) > 254)
            return "Each field must be shorter than 255 characters.";
        for (const char *p = fields[i]; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return "Control characters are not allowed.";
    }
    const char *at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@') || strchr(email, ' '))
        return "That does not look like an email address.";
    return NULL;
}

static void register_submit(const emu_request *q, emu_reply *r)
{
    if (strcmp(q->method, "POST") != 0) {
        page(r, 405, "Method not allowed", "The registration form posts.");
        r->allow = "POST";
        return;
    }
    const char *id;
    pthread_mutex_lock(&emu.lock);
    json_t *req = pending_request(&q->form, &id, r);
    if (!req) {
        pthread_mutex_unlock(&emu.lock);
        return;
    }
    const char *given = emu_form_get(&q->form, "given_name", NULL);
    const char *family = emu_form_get(&q->form, "family_name", NULL);
    const char *email = emu_form_get(&q->form, "email", NULL);
    const char *bad = check_person(given, family, email);
    if (!bad && emu_user_by_email(emu.data, email))
        bad = "An account with this email exists already: sign in instead.";
    if (bad) {
        show_form(id, req, bad, email, 1, r);
        pthread_mutex_unlock(&emu.lock);
        return;
    }
    char *hex = emu_random_hex(8);
    char uid[40];
    snprintf(uid, sizeof uid, "kp_%s", hex ? hex : "");
    free(hex);
    char when[32];
    time_t now = (time_t)emu_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *user = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", uid, "given_name", given, "family_name",
                             family, "email", email, "updated_at", when);
    json_array_append(json_object_get(emu.data, "users"), user);
    json_array_append_new(json_object_get(emu.runtime, "users"), user);
    /* New users join the business's default organization, as on Kinde. */
    const json_t *nu = json_object_get(emu.data, "new_users");
    if (nu) {
        json_t *perms = json_deep_copy(json_object_get(nu, "permissions"));
        json_t *roles = json_deep_copy(json_object_get(nu, "roles"));
        json_t *m = json_pack("{s:s, s:O, s:o, s:o}", "user", uid, "org", json_object_get(nu, "org"),
                              "permissions", perms ? perms : json_array(), "roles", roles ? roles : json_array());
        json_array_append(json_object_get(emu.data, "members"), m);
        json_array_append_new(json_object_get(emu.runtime, "members"), m);
    }
    emu_persist();
    json_incref(req);
    json_object_del(emu.requests, id);
    if (json_is_true(json_object_get(req, "create_org"))) {
        const char *name = json_string_value(json_object_get(req, "org_name"));
        char why[100], fallback[300];
        snprintf(fallback, sizeof fallback, "%s's organization", given);
        const char *code = create_org(uid, name ? name : fallback, why, sizeof why);
        if (code)
            json_object_set_new(req, "org_code", json_string(code));
    }
    finish_login(req, uid, q->cookie_session, r);
    json_decref(req);
    pthread_mutex_unlock(&emu.lock);
}

static void logout(const emu_request *q, emu_reply *r)
{
    const char *redirect = emu_form_get(&q->query, "redirect", NULL);
    pthread_mutex_lock(&emu.lock);
    int allowed = 0;
    size_t i;
    const json_t *app;
    json_array_foreach(json_object_get(emu.data, "applications"), i, app)
        allowed |= redirect && emu_string_in(json_object_get(app, "logout_urls"), redirect);
    if (redirect && !allowed) {
        pthread_mutex_unlock(&emu.lock);
        page(r, 400, "Logout redirect not allowed",
             "The redirect URL is not one of the business's allowed logout URLs (exact match).");
        return;
    }
    if (q->cookie_session)
        json_object_del(emu.sessions, q->cookie_session);
    pthread_mutex_unlock(&emu.lock);
    if (redirect)
        emu_reply_redirect(r, strdup(redirect));
    else
        page(r, 200, "Signed out", "You are signed out of the Kinde emulator.");
    r->set_cookie = strdup(SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

/* Discovery, keys, the form pages and logout are read with GET (or HEAD).
 * Returns 1 when the method is one of those; else writes a 405. */
static int only_get(const emu_request *q, emu_reply *r, int html)
{
    if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0)
        return 1;
    if (html)
        page(r, 405, "Method not allowed", "This page is read with GET.");
    else
        emu_reply_oauth_error(r, 405, "invalid_request", "use GET");
    r->allow = "GET, HEAD";
    return 0;
}

int emu_oauth_route(const emu_request *q, emu_reply *r)
{
    const char *p = q->path;
    if (strcmp(p, "/.well-known/openid-configuration") == 0) {
        if (only_get(q, r, 0))
            discovery(r);
    } else if (strcmp(p, "/.well-known/jwks.json") == 0 || strcmp(p, "/.well-known/jwks") == 0) {
        if (only_get(q, r, 0))
            jwks(r);
    } else if (strcmp(p, "/oauth2/auth") == 0)
        authorize(q, r);
    else if (strcmp(p, "/login/form") == 0) {
        if (only_get(q, r, 1))
            form_page(q, r, 0);
    } else if (strcmp(p, "/register/form") == 0) {
        if (only_get(q, r, 1))
            form_page(q, r, 1);
    }
    else if (strcmp(p, "/login/submit") == 0)
        login_submit(q, r);
    else if (strcmp(p, "/register/submit") == 0)
        register_submit(q, r);
    else if (strcmp(p, "/oauth2/token") == 0)
        token_endpoint(q, r);
    else if (strcmp(p, "/oauth2/revoke") == 0)
        revoke_endpoint(q, r);
    else if (strcmp(p, "/oauth2/introspect") == 0)
        introspect_endpoint(q, r);
    else if (strcmp(p, "/oauth2/v2/user_profile") == 0)
        profile_endpoint(q, r, 1);
    else if (strcmp(p, "/oauth2/user_profile") == 0)
        profile_endpoint(q, r, 0);
    else if (strcmp(p, "/logout") == 0) {
        if (only_get(q, r, 1))
            logout(q, r);
    } else
        return 0;
    return 1;
}
