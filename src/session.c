/* The per-user session: pending login, tokens, and borrowed views into the
 * verified claims so the getters neither parse nor allocate. */
#include "internal.h"

#include <string.h>

#define SESSION_FORMAT_VERSION 1
/* A serialized session holds three tokens; anything far larger is not ours. */
#define SESSION_MAX_BYTES (64 * 1024)

kinde_session *kinde_session_new(void)
{
    kinde_session *s = kinde__calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->lock, NULL);
    return s;
}

void kinde__session_clear_login(kinde_session *s)
{
    kinde__free_secret(s->state);
    kinde__free_secret(s->nonce);
    kinde__free_secret(s->verifier);
    kinde__free(s->redirect_uri);
    s->state = s->nonce = s->verifier = s->redirect_uri = NULL;
    s->login_started = 0;
}

void kinde__session_clear_tokens(kinde_session *s)
{
    kinde__free_secret(s->access_token);
    kinde__free_secret(s->id_token);
    kinde__free_secret(s->refresh_token);
    json_decref(s->access_claims);
    json_decref(s->id_claims);
    kinde__free(s->permissions);
    kinde__free(s->org_codes);
    kinde__free(s->roles);
    s->access_token = s->id_token = s->refresh_token = NULL;
    s->access_claims = s->id_claims = NULL;
    s->permissions = s->org_codes = s->roles = NULL;
    s->n_permissions = s->n_org_codes = s->n_roles = 0;
    s->org_code = NULL;
    s->flags = NULL;
    s->expires_at = 0;
}

void kinde_session_clear(kinde_session *s)
{
    if (!s)
        return;
    kinde__session_clear_login(s);
    kinde__session_clear_tokens(s);
}

void kinde_session_free(kinde_session *s)
{
    if (!s)
        return;
    kinde_session_clear(s);
    pthread_mutex_destroy(&s->lock);
    kinde__free(s);
}

/* Kinde's claim, or its Hasura-mode name (the official JS and Go SDKs read
 * both). */
static json_t *claim_or_hasura(const json_t *claims, const char *name, const char *hasura)
{
    json_t *v = json_object_get(claims, name);
    return v ? v : json_object_get(claims, hasura);
}

/* Borrowed string array from a JSON array; non-strings are skipped. For
 * roles, the element is an object whose "key" is taken. */
static int build_list(const json_t *arr, int roles, const char ***items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return 0;
    const char **list = kinde__calloc(json_array_size(arr), sizeof *list);
    if (!list)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *str = roles && json_is_object(v) ? kinde__json_str(v, "key")
                                                     : json_string_value(v);
        if (str)
            list[(*n)++] = str;
    }
    *items = list;
    return 0;
}

static kinde_code build_views(kinde_session *s, kinde_error *err)
{
    const json_t *at = s->access_claims, *it = s->id_claims;
    s->org_code = json_string_value(claim_or_hasura(at, "org_code", "x-hasura-org-code"));
    json_t *flags = claim_or_hasura(at, "feature_flags", "x-hasura-feature-flags");
    s->flags = json_is_object(flags) ? flags : NULL;
    json_t *exp = json_object_get(at, "exp");
    s->expires_at = json_is_integer(exp) ? (int64_t)json_integer_value(exp) : 0;
    json_t *orgs = it ? claim_or_hasura(it, "org_codes", "x-hasura-org-codes") : NULL;
    if (!orgs)
        orgs = claim_or_hasura(at, "org_codes", "x-hasura-org-codes");
    if (build_list(claim_or_hasura(at, "permissions", "x-hasura-permissions"), 0,
                   &s->permissions, &s->n_permissions) ||
        build_list(orgs, 0, &s->org_codes, &s->n_org_codes) ||
        build_list(claim_or_hasura(at, "roles", "x-hasura-roles"), 1, &s->roles, &s->n_roles))
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    return KINDE_OK;
}

kinde_code kinde__session_set_tokens(kinde_session *s, char *access, json_t *access_claims,
                                     char *id, json_t *id_claims, char *refresh,
                                     kinde_error *err)
{
    kinde__session_clear_tokens(s);
    s->access_token = access;
    s->access_claims = access_claims;
    s->id_token = id;
    s->id_claims = id_claims;
    s->refresh_token = refresh;
    kinde_code rc = build_views(s, err);
    if (rc != KINDE_OK)
        kinde__session_clear_tokens(s);
    return rc;
}

const char *kinde_session_access_token(const kinde_session *s)
{
    return s ? s->access_token : NULL;
}

const char *kinde_session_id_token(const kinde_session *s)
{
    return s ? s->id_token : NULL;
}

const char *kinde_session_refresh_token(const kinde_session *s)
{
    return s ? s->refresh_token : NULL;
}

int64_t kinde_session_expires_at(const kinde_session *s)
{
    return s ? s->expires_at : 0;
}

/* ---- the stored form ------------------------------------------------------
 * {"v":1,"at":..,"it":..,"rt":..,"login":{"st":..,"no":..,"cv":..,"ru":..,"t":..}}
 * JSON, because every store can hold it and every engineer can read it. */

static int set_str(json_t *obj, const char *key, const char *value)
{
    return value ? json_object_set_new(obj, key, json_string(value)) : 0;
}

kinde_code kinde_session_serialize(const kinde_session *s, char **out, kinde_error *err)
{
    if (!s || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "session and out are required");
    json_t *root = json_object();
    json_t *login = s->state ? json_object() : NULL;
    int bad = !root || (s->state && !login) ||
              json_object_set_new(root, "v", json_integer(SESSION_FORMAT_VERSION)) ||
              set_str(root, "at", s->access_token) || set_str(root, "it", s->id_token) ||
              set_str(root, "rt", s->refresh_token);
    if (!bad && login) {
        bad = set_str(login, "st", s->state) || set_str(login, "no", s->nonce) ||
              set_str(login, "cv", s->verifier) || set_str(login, "ru", s->redirect_uri) ||
              json_object_set_new(login, "t", json_integer(s->login_started)) ||
              json_object_set(root, "login", login);
    }
    json_decref(login);
    char *text = bad ? NULL : kinde__json_text(root);
    json_decref(root);
    if (!text)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    *out = text;
    return KINDE_OK;
}

/* Payload of a stored token. The token was verified when it was stored, so
 * only its form is checked here. */
static kinde_code decode_payload(const char *token, json_t **claims, kinde_error *err)
{
    kinde__jws jws;
    kinde_error perr;
    kinde_code rc = kinde__jws_parse(token, &jws, &perr);
    if (rc == KINDE_E_NOMEM) {
        if (err)
            *err = perr;
        return rc;
    }
    if (rc != KINDE_OK)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "stored token malformed: %s", perr.text);
    *claims = json_incref(jws.payload);
    kinde__jws_clear(&jws);
    return KINDE_OK;
}

static kinde_code take_str(const json_t *obj, const char *key, char **dst, kinde_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return KINDE_OK;
    if (!json_is_string(v))
        return kinde__fail(err, KINDE_E_SESSION_DATA, "session member '%s' is not a string", key);
    *dst = kinde__strdup(json_string_value(v));
    return *dst ? KINDE_OK : kinde__fail(err, KINDE_E_NOMEM, NULL);
}

kinde_code kinde_session_deserialize(const char *data, size_t len, kinde_session **out,
                                     kinde_error *err)
{
    if (!data || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "data and out are required");
    if (len > SESSION_MAX_BYTES)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "session of %zu bytes is too large", len);
    kinde_error perr;
    json_t *root = kinde__json_parse_object(data, len, KINDE_E_SESSION_DATA, "session", &perr);
    if (!root) {
        if (err)
            *err = perr;
        return perr.code;
    }
    kinde_code rc = KINDE_OK;
    json_t *v = json_object_get(root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != SESSION_FORMAT_VERSION) {
        json_decref(root);
        return kinde__fail(err, KINDE_E_SESSION_DATA, "unknown session format version");
    }
    kinde_session *s = kinde_session_new();
    if (!s) {
        json_decref(root);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    char *at = NULL, *it = NULL, *rt = NULL;
    json_t *at_claims = NULL, *it_claims = NULL;
    json_t *login = json_object_get(root, "login");
    if ((rc = take_str(root, "at", &at, err)) || (rc = take_str(root, "it", &it, err)) ||
        (rc = take_str(root, "rt", &rt, err)))
        goto fail;
    if ((it || rt) && !at) {
        rc = kinde__fail(err, KINDE_E_SESSION_DATA, "session has tokens but no access token");
        goto fail;
    }
    if (at && (rc = decode_payload(at, &at_claims, err)))
        goto fail;
    if (it && (rc = decode_payload(it, &it_claims, err)))
        goto fail;
    if (at) {
        rc = kinde__session_set_tokens(s, at, at_claims, it, it_claims, rt, err);
        at = it = rt = NULL;
        at_claims = it_claims = NULL;
        if (rc)
            goto fail;
    }
    if (login) {
        json_t *t = json_object_get(login, "t");
        if (!json_is_object(login) || !json_is_integer(t)) {
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "pending login malformed");
            goto fail;
        }
        if ((rc = take_str(login, "st", &s->state, err)) ||
            (rc = take_str(login, "no", &s->nonce, err)) ||
            (rc = take_str(login, "cv", &s->verifier, err)) ||
            (rc = take_str(login, "ru", &s->redirect_uri, err)))
            goto fail;
        if (!s->state || !s->nonce || !s->verifier || !s->redirect_uri) {
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "pending login incomplete");
            goto fail;
        }
        s->login_started = (int64_t)json_integer_value(t);
    }
    json_decref(root);
    *out = s;
    return KINDE_OK;

fail:
    kinde__free_secret(at);
    kinde__free_secret(it);
    kinde__free_secret(rt);
    json_decref(at_claims);
    json_decref(it_claims);
    kinde_session_free(s);
    json_decref(root);
    return rc;
}
