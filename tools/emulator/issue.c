/* Token minting: the claims of Kinde's access and ID tokens (org_code,
 * permissions, roles, feature_flags, org_codes...), built under the lock
 * from the business and the grant; then, outside it, the RS256 signatures
 * and the token response. */
#include "emulator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The key that signs now (a reference the caller frees) and its kid. */
static EVP_PKEY *signing_key(char kid[64])
{
    emu_key *k = emu.sign_with_wrong_key ? &emu.wrong_key : &emu.keys[0];
    snprintf(kid, 64, "%s", emu.keys[0].kid); /* the wrong key lies about its kid */
    return EVP_PKEY_up_ref(k->pkey) == 1 ? k->pkey : NULL;
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

static json_t *access_claims(const json_t *grant, int64_t now)
{
    const char *user_id = json_string_value(json_object_get(grant, "user"));
    const char *org_code = json_string_value(json_object_get(grant, "org"));
    const json_t *org = org_code ? emu_org(emu.data, org_code) : NULL;
    const json_t *member = org ? emu_member(emu.data, user_id, org_code) : NULL;
    const json_t *user = emu_user_by_id(emu.data, user_id);
    json_t *at = json_object();
    json_object_set(at, "aud", json_object_get(grant, "audiences"));
    json_object_set(at, "azp", json_object_get(grant, "client_id"));
    set_times(at, now, emu.cfg.access_ttl);
    json_object_set_new(at, "sub", json_string(user_id));
    json_object_set_new(at, "scp", scope_array(json_string_value(json_object_get(grant, "scope"))));
    if (org) {
        json_object_set_new(at, "org_code", json_string(org_code));
        json_object_set(at, "org_name", json_object_get(org, "name"));
        /* A member's own permissions and their roles' (the Management API
         * changes both). */
        json_object_set_new(at, "permissions", emu_member_permissions(emu.data, member));
        json_object_set_new(at, "roles", roles_for(member));
        json_object_set_new(at, "feature_flags", emu_flags_for(emu.data, org, user, member));
    } else {
        json_object_set_new(at, "permissions", json_array());
        json_object_set_new(at, "feature_flags", emu_flags_for(emu.data, NULL, user, NULL));
    }
    return at;
}

/* The nonce the ID token carries: the login's, unless the nonce fault says
 * otherwise. Only a login that sent one is changed. */
static void set_nonce(json_t *idt, const json_t *nonce)
{
    if (!nonce || emu.id_token_nonce == EMU_NONCE_MISSING)
        return;
    if (emu.id_token_nonce == EMU_NONCE_NORMAL) {
        json_object_set(idt, "nonce", (json_t *)nonce);
        return;
    }
    strbuf wrong = {0}; /* never the login's: one character longer */
    strbuf_addf(&wrong, "x%s", json_string_value(nonce) ? json_string_value(nonce) : "");
    char *w = strbuf_take(&wrong, NULL);
    json_object_set_new(idt, "nonce", w ? json_string(w) : json_null());
    free(w);
}

static json_t *id_claims(const json_t *grant, const json_t *user, int with_nonce, int64_t now)
{
    const char *scope = json_string_value(json_object_get(grant, "scope"));
    json_t *idt = json_object();
    json_object_set_new(idt, "aud", json_pack("[O]", json_object_get(grant, "client_id")));
    json_object_set(idt, "azp", json_object_get(grant, "client_id"));
    set_times(idt, now, emu.cfg.id_ttl);
    json_object_set(idt, "sub", json_object_get(grant, "user"));
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
    json_object_set_new(idt, "org_codes", emu_org_codes_of(emu.data, json_string_value(json_object_get(user, "id"))));
    if (with_nonce)
        set_nonce(idt, json_object_get(grant, "nonce"));
    return idt;
}

int emu_issue_user(const json_t *grant, int with_nonce, emu_tokens *t, emu_reply *r)
{
    const char *scope = json_string_value(json_object_get(grant, "scope"));
    const json_t *user = emu_user_by_id(emu.data, json_string_value(json_object_get(grant, "user")));
    if (!user) {
        emu_reply_oauth_error(r, 400, "invalid_grant", "the user no longer exists");
        return -1;
    }
    if (json_is_true(json_object_get(user, "is_suspended"))) {
        emu_reply_oauth_error(r, 400, "invalid_grant", "the user is suspended");
        return -1;
    }
    int64_t now = emu_now();
    memset(t, 0, sizeof *t);
    t->access = access_claims(grant, now);
    if (has_scope(scope, "openid"))
        t->id = id_claims(grant, user, with_nonce, now);
    t->want_refresh = has_scope(scope, "offline");
    if (t->want_refresh)
        t->refresh = emu_refresh_store(grant, now);
    t->scope = strdup(scope ? scope : "");
    t->key = signing_key(t->kid);
    return 0;
}

void emu_issue_client(const char *client_id, const char *const *aud, size_t n_aud, json_t *scp, emu_tokens *t)
{
    memset(t, 0, sizeof *t);
    t->m2m = 1;
    t->access = json_object();
    json_t *a = json_array();
    for (size_t i = 0; i < n_aud; i++)
        json_array_append_new(a, json_string(aud[i]));
    json_object_set_new(t->access, "aud", a);
    json_object_set_new(t->access, "azp", json_string(client_id));
    set_times(t->access, emu_now(), emu.cfg.access_ttl);
    json_object_set_new(t->access, "sub", json_string(client_id));
    if (!scp)
        scp = json_array();
    /* The answer's scope: the granted scopes, space-separated (RFC 6749 5.1). */
    strbuf s = {0};
    size_t i;
    json_t *v;
    json_array_foreach(scp, i, v) {
        strbuf_adds(&s, i ? " " : "");
        strbuf_adds(&s, json_string_value(v));
    }
    json_object_set_new(t->access, "scp", scp);
    json_object_set_new(t->access, "gty", json_pack("[s]", "client_credentials"));
    t->scope = strbuf_take(&s, NULL);
    if (!t->scope)
        t->scope = strdup("");
    t->key = signing_key(t->kid);
}

void emu_issue_reply(emu_tokens *t, emu_reply *r)
{
    char *access = t->key ? emu_jwt_sign(t->key, t->kid, NULL, t->access) : NULL;
    char *id_token = NULL;
    if (access && t->id) {
        char *h = emu_at_hash(access);
        json_object_set_new(t->id, "at_hash", json_string(h ? h : ""));
        free(h);
        id_token = emu_jwt_sign(t->key, t->kid, NULL, t->id);
    }
    if (!access || (t->id && !id_token) || (t->want_refresh && !t->refresh) || !t->scope) {
        emu_reply_oauth_error(r, 500, "server_error",
                              t->m2m ? "could not sign the token" : "could not sign the tokens");
    } else {
        json_t *resp = json_pack("{s:s, s:s, s:I, s:s}", "access_token", access, "token_type", "bearer",
                                 "expires_in", (json_int_t)emu.cfg.access_ttl, "scope", t->scope);
        if (id_token)
            json_object_set_new(resp, "id_token", json_string(id_token));
        if (t->refresh)
            json_object_set_new(resp, "refresh_token", json_string(t->refresh));
        emu_reply_json(r, 200, resp);
        r->no_store = 1;
    }
    EVP_PKEY_free(t->key);
    json_decref(t->access);
    json_decref(t->id);
    free(t->scope);
    free(t->refresh);
    free(access);
    free(id_token);
    memset(t, 0, sizeof *t);
}
