/* The OAuth flows: code exchange, refresh, client credentials, revocation,
 * the profile call, and verifying tokens handed to us. */
#include "internal.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

/* How long a completed refresh answer is handed to late callers holding the
 * same (now rotated) refresh token, instead of spending Kinde's short reuse
 * overlap: the case of two requests of one user served at once. */
#define REFRESH_SHARE_SECONDS 20
/* M2M tokens are renewed this long before they expire. */
#define M2M_MARGIN_SECONDS 60

/* ---- token endpoint answers --------------------------------------------- */

void kinde__token_response_clear(kinde__token_response *tr)
{
    json_decref(tr->json);
    memset(tr, 0, sizeof *tr);
}

/* A non-2xx answer of an OAuth endpoint: an OAuth error body (RFC 6749 5.2)
 * is KINDE_E_OAUTH with its error and description, anything else
 * KINDE_E_HTTP_STATUS. j (may be NULL) is the parsed body. */
static kinde_code oauth_error_answer(long status, const json_t *j, const char *who,
                                     kinde_error *err)
{
    const char *e = j ? kinde__json_str(j, "error") : NULL;
    if (e)
        return kinde__fail_oauth(err, KINDE_E_OAUTH, status, e, kinde__json_str(j, "error_description"));
    kinde_code rc = kinde__fail(err, KINDE_E_HTTP_STATUS, "%s answered HTTP %ld", who, status);
    if (err)
        err->http_status = status;
    return rc;
}

kinde_code kinde__token_response_parse(long status, const char *body, size_t len,
                                       kinde__token_response *tr, kinde_error *err)
{
    memset(tr, 0, sizeof *tr);
    tr->expires_in = -1;
    kinde_error perr;
    json_t *j = kinde__json_parse_object(body, len, KINDE_E_BAD_RESPONSE, "token response", &perr);
    if (status < 200 || status > 299) {
        kinde_code rc = oauth_error_answer(status, j, "token endpoint", err);
        json_decref(j);
        return rc;
    }
    if (!j) {
        if (err)
            *err = perr;
        return perr.code;
    }
    json_t *at = json_object_get(j, "access_token"), *tt = json_object_get(j, "token_type");
    json_t *ei = json_object_get(j, "expires_in"), *it = json_object_get(j, "id_token");
    json_t *rt = json_object_get(j, "refresh_token");
    const char *problem = NULL;
    if (json_object_get(j, "error"))
        problem = "a success status with an error member";
    else if (!json_is_string(at) || !*json_string_value(at))
        problem = "access_token missing or not a string";
    else if (!json_is_string(tt) || strcasecmp(json_string_value(tt), "bearer") != 0)
        problem = "token_type is not bearer";
    else if (ei && !json_is_integer(ei) && !json_is_real(ei))
        problem = "expires_in is not a number";
    else if (it && !json_is_string(it))
        problem = "id_token is not a string";
    else if (rt && !json_is_string(rt))
        problem = "refresh_token is not a string";
    if (problem) {
        json_decref(j);
        return kinde__fail(err, KINDE_E_BAD_RESPONSE, "token response: %s", problem);
    }
    tr->json = j;
    tr->access_token = json_string_value(at);
    tr->id_token = json_string_value(it);
    tr->refresh_token = json_string_value(rt);
    if (ei)
        tr->expires_in = (int64_t)json_number_value(ei);
    return KINDE_OK;
}

/* Form body for the token and revoke endpoints: client authentication in the
 * body, as Kinde's documentation shows. */
static void add_field(strbuf *b, const char *name, const char *value)
{
    if (!value)
        return;
    if (b->len)
        strbuf_add(b, "&", 1);
    strbuf_adds(b, name);
    strbuf_add(b, "=", 1);
    strbuf_add_urlenc(b, value);
}

static void add_client_auth(strbuf *b, const kinde_client *c)
{
    add_field(b, "client_id", c->client_id);
    add_field(b, "client_secret", c->client_secret);
}

static kinde_code post_token(kinde_client *c, strbuf *form, kinde__http_response *resp,
                             kinde_error *err)
{
    char *body = strbuf_take(form, NULL);
    if (!body)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    kinde_code rc = kinde__http_request(c, c->token_url, body, NULL, resp, err);
    kinde__free_secret(body);
    return rc;
}

/* ---- verifying and storing tokens -------------------------------------- */

static void policy_for(const kinde_client *c, kinde_token_kind kind, kinde__token_policy *p)
{
    memset(p, 0, sizeof *p);
    p->issuer = c->domain;
    p->kind = kind;
    p->client_id = c->client_id;
    if (kind == KINDE_ACCESS_TOKEN) {
        p->audiences = (const char *const *)c->audiences;
        p->n_audiences = c->n_audiences;
    }
    p->leeway = c->leeway;
    p->now = kinde__now();
}

static int same_claim(const kinde__jdoc *a, const kinde__jdoc *b, const char *key)
{
    return kinde__jequal(kinde__jget(kinde__jroot(a), key), kinde__jget(kinde__jroot(b), key));
}

/* Verify an answer's tokens and move them into the session. nonce: the
 * login's (NULL on refresh). old_*: the claims before a refresh, which the
 * new tokens must agree with (SECURITY.md C23). */
static kinde_code store_tokens(kinde_client *c, kinde_session *s, kinde__token_response *tr,
                               const char *nonce, int is_refresh, kinde_error *err)
{
    kinde__token_policy p;
    kinde__jdoc *at_claims = NULL, *it_claims = NULL;
    char *at = NULL, *it = NULL, *rt = NULL;
    kinde_code rc;

    policy_for(c, KINDE_ACCESS_TOKEN, &p);
    if ((rc = kinde__verify_token(c->keys, tr->access_token, &p, &at_claims, err)))
        goto fail;
    if (tr->id_token) {
        policy_for(c, KINDE_ID_TOKEN, &p);
        p.nonce = nonce;
        if ((rc = kinde__verify_token(c->keys, tr->id_token, &p, &it_claims, err)))
            goto fail;
    } else if (!is_refresh && strstr(c->scope, "openid")) {
        rc = kinde__fail(err, KINDE_E_BAD_RESPONSE, "token response has no id_token for scope openid");
        goto fail;
    }
    if (is_refresh) {
        const kinde__jdoc *old_id = s->id_claims;
        if (!same_claim(s->access_claims, at_claims, "sub") ||
            (old_id && it_claims &&
             (!same_claim(old_id, it_claims, "sub") || !same_claim(old_id, it_claims, "iss") ||
              !same_claim(old_id, it_claims, "aud")))) {
            rc = kinde__fail(err, KINDE_E_SUBJECT_MISMATCH,
                             "refreshed tokens name another user or audience");
            goto fail;
        }
    }
    at = kinde__strdup(tr->access_token);
    it = tr->id_token ? kinde__strdup(tr->id_token) : NULL;
    /* Kinde rotates on every refresh; keep the old one only if none came. */
    const char *new_rt = tr->refresh_token ? tr->refresh_token : (is_refresh ? s->refresh_token : NULL);
    rt = new_rt ? kinde__strdup(new_rt) : NULL;
    if (!at || (tr->id_token && !it) || (new_rt && !rt)) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto fail;
    }
    /* A refresh may leave out the ID token: keep the one we have. */
    if (is_refresh && !it && s->id_token) {
        it = kinde__strdup(s->id_token);
        it_claims = kinde__jdoc_dup(s->id_claims);
        if (!it || (s->id_claims && !it_claims)) {
            rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
            goto fail;
        }
    }
    return kinde__session_set_tokens(s, at, at_claims, it, it_claims, rt, err);
fail:
    kinde__jdoc_free(at_claims);
    kinde__jdoc_free(it_claims);
    kinde__free_secret(at);
    kinde__free_secret(it);
    kinde__free_secret(rt);
    return rc;
}

/* ---- the callback ------------------------------------------------------- */

static kinde_code callback_error(const kinde__callback *cb, kinde_error *err)
{
    kinde_code code = KINDE_E_AUTHORIZATION;
    if (strcmp(cb->error, "login_required") == 0)
        code = KINDE_E_LOGIN_REQUIRED;
    else if (strcmp(cb->error, "access_denied") == 0)
        code = KINDE_E_ACCESS_DENIED;
    return kinde__fail_oauth(err, code, 0, cb->error, cb->error_description);
}

static int equal_secret(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

kinde_code kinde_fetch_token(kinde_client *c, kinde_session *s, const char *response,
                             kinde_error *err)
{
    if (!c || !s || !response)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                           "client, session and the callback URL are required");
    kinde_code need = kinde__need_client_id(c, "fetch_token", err);
    if (need != KINDE_OK)
        return need;
    if (c->grant_type == KINDE_GRANT_CLIENT_CREDENTIALS)
        return kinde__fail(err, KINDE_E_GRANT_TYPE, "fetch_token needs an authorization-code grant");

    kinde__callback cb;
    kinde_code rc = kinde__callback_parse(response, &cb, err);
    if (rc != KINDE_OK) {
        kinde__session_clear_login(s); /* a login gets one try */
        return rc;
    }
    /* Take the pending login out of the session: it is single use whatever
     * happens next (SECURITY.md B15). */
    char *state = s->state, *nonce = s->nonce, *verifier = s->verifier,
         *redirect = s->redirect_uri;
    int64_t started = s->login_started;
    s->state = s->nonce = s->verifier = s->redirect_uri = NULL;
    s->login_started = 0;

    strbuf form = {0};
    kinde__http_response resp = {0};
    kinde__token_response tr = {0};
    if (!state) {
        rc = kinde__fail(err, KINDE_E_STATE, "no login in progress for this session");
        goto done;
    }
    if (!cb.state || !equal_secret(cb.state, state)) {
        rc = kinde__fail(err, KINDE_E_STATE, cb.state ? "state does not match the login"
                                                      : "callback has no state");
        goto done;
    }
    if (kinde__now() - started > c->login_ttl || kinde__now() < started - c->leeway) {
        rc = kinde__fail(err, KINDE_E_STATE, "the login expired; start again");
        goto done;
    }
    if (cb.error) {
        rc = callback_error(&cb, err);
        goto done;
    }
    if (cb.iss && strcmp(cb.iss, c->domain) != 0) {
        rc = kinde__fail(err, KINDE_E_ISSUER_MISMATCH, "callback iss '%s' is not '%s'", cb.iss,
                         c->domain);
        goto done;
    }
    if (!cb.code || !*cb.code) {
        rc = kinde__fail(err, KINDE_E_CALLBACK, "callback has no code");
        goto done;
    }
    add_field(&form, "grant_type", "authorization_code");
    add_field(&form, "code", cb.code);
    add_field(&form, "redirect_uri", redirect); /* byte-identical to the login URL's */
    add_field(&form, "code_verifier", verifier);
    add_client_auth(&form, c);
    if ((rc = post_token(c, &form, &resp, err)))
        goto done;
    if ((rc = kinde__token_response_parse(resp.status, resp.body, resp.len, &tr, err)))
        goto done;
    rc = store_tokens(c, s, &tr, nonce, 0, err);
done:
    kinde__token_response_clear(&tr);
    kinde__http_response_clear(&resp);
    strbuf_free(&form);
    kinde__callback_clear(&cb);
    kinde__free_secret(state);
    kinde__free_secret(nonce);
    kinde__free_secret(verifier);
    kinde__free(redirect);
    return rc;
}

/* ---- refresh, one request per refresh token ----------------------------- */

struct kinde__flight {
    kinde__flight *next;
    unsigned char key[SHA256_DIGEST_LENGTH]; /* of the refresh token: no copy of it */
    int done, users;
    int64_t finished_at;
    kinde_code rc;
    kinde_error err;
    long status;
    char *body;
    size_t len;
};

static void flight_free(kinde__flight *f)
{
    if (f->body) {
        kinde__wipe(f->body, f->len);
        kinde__free(f->body);
    }
    kinde__free(f);
}

/* Drop finished flights nobody waits on, once their sharing window is over
 * (or at once when they failed: a failure is not worth replaying). */
static void prune_flights(kinde_client *c, int64_t now)
{
    kinde__flight **pp = &c->flights;
    while (*pp) {
        kinde__flight *f = *pp;
        int expired = f->done && f->users == 0 &&
                      (f->rc != KINDE_OK || now - f->finished_at > REFRESH_SHARE_SECONDS);
        if (expired) {
            *pp = f->next;
            flight_free(f);
        } else {
            pp = &f->next;
        }
    }
}

static kinde_code refresh_locked(kinde_client *c, kinde_session *s, kinde_error *err)
{
    kinde_code need = kinde__need_client_id(c, "a refresh", err);
    if (need != KINDE_OK)
        return need;
    if (c->grant_type == KINDE_GRANT_CLIENT_CREDENTIALS)
        return kinde__fail(err, KINDE_E_GRANT_TYPE, "refresh needs an authorization-code grant");
    if (!s->refresh_token)
        return kinde__fail(err, KINDE_E_NO_REFRESH_TOKEN,
                           "no refresh token (was the 'offline' scope requested?)");
    unsigned char key[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s->refresh_token, strlen(s->refresh_token), key);

    pthread_mutex_lock(&c->lock);
    prune_flights(c, kinde__now());
    kinde__flight *f = c->flights;
    while (f && memcmp(f->key, key, sizeof key) != 0)
        f = f->next;
    int leader = 0;
    if (!f) {
        f = kinde__calloc(1, sizeof *f);
        if (!f) {
            pthread_mutex_unlock(&c->lock);
            return kinde__fail(err, KINDE_E_NOMEM, NULL);
        }
        memcpy(f->key, key, sizeof key);
        f->next = c->flights;
        c->flights = f;
        leader = 1;
    }
    f->users++;
    if (leader) {
        pthread_mutex_unlock(&c->lock);
        strbuf form = {0};
        kinde__http_response resp = {0};
        add_field(&form, "grant_type", "refresh_token");
        add_field(&form, "refresh_token", s->refresh_token);
        add_client_auth(&form, c);
        kinde_error ferr = {0};
        kinde_code rc = post_token(c, &form, &resp, &ferr);
        strbuf_free(&form);
        pthread_mutex_lock(&c->lock);
        f->rc = rc;
        f->err = ferr;
        f->status = resp.status;
        f->body = resp.body;
        f->len = resp.len;
        f->done = 1;
        f->finished_at = kinde__now();
        pthread_cond_broadcast(&c->flight_done);
    } else {
        while (!f->done)
            pthread_cond_wait(&c->flight_done, &c->lock);
    }
    /* Each session verifies the shared answer for itself. */
    kinde_code rc = f->rc;
    kinde_error ferr = f->err;
    long status = f->status;
    char *body = rc == KINDE_OK ? kinde__strndup(f->body, f->len) : NULL;
    size_t len = f->len;
    f->users--;
    pthread_mutex_unlock(&c->lock);

    if (rc != KINDE_OK) {
        if (err)
            *err = ferr;
        return rc;
    }
    if (!body)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    kinde__token_response tr;
    rc = kinde__token_response_parse(status, body, len, &tr, err);
    if (rc == KINDE_OK)
        rc = store_tokens(c, s, &tr, NULL, 1, err);
    kinde__token_response_clear(&tr);
    kinde__wipe(body, len);
    kinde__free(body);
    if (rc != KINDE_OK) {
        /* A refused answer is not shared with anyone else. */
        pthread_mutex_lock(&c->lock);
        for (kinde__flight *g = c->flights; g; g = g->next)
            if (memcmp(g->key, key, sizeof key) == 0 && g->rc == KINDE_OK)
                g->rc = rc;
        pthread_mutex_unlock(&c->lock);
    }
    return rc;
}

kinde_code kinde_refresh_token(kinde_client *c, kinde_session *s, kinde_error *err)
{
    if (!c || !s)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client and session are required");
    pthread_mutex_lock(&s->lock);
    kinde_code rc = refresh_locked(c, s, err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int kinde_is_authenticated(kinde_client *c, kinde_session *s, kinde_error *why)
{
    if (!c || !s) {
        kinde__fail(why, KINDE_E_INVALID_ARGUMENT, "client and session are required");
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    int ok = 0;
    if (!s->access_token) {
        kinde__fail(why, KINDE_E_NOT_AUTHENTICATED, "no tokens in this session");
    } else if (s->expires_at > kinde__now()) {
        ok = 1;
    } else if (!s->refresh_token) {
        kinde__fail(why, KINDE_E_TOKEN_EXPIRED, "the access token expired and there is no refresh token");
    } else {
        ok = refresh_locked(c, s, why) == KINDE_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* ---- machine to machine ------------------------------------------------- */

struct kinde__m2m_entry {
    kinde__m2m_entry *next;
    char *audience;                /* "" for none */
    char *token;
    int64_t expires_at;
};

void kinde__oauth_client_cleanup(kinde_client *c)
{
    while (c->m2m) {
        kinde__m2m_entry *e = c->m2m;
        c->m2m = e->next;
        kinde__free(e->audience);
        kinde__free_secret(e->token);
        kinde__free(e);
    }
    while (c->flights) {
        kinde__flight *f = c->flights;
        c->flights = f->next;
        flight_free(f);
    }
}

static kinde_code m2m_cached(kinde_client *c, const char *aud, char **token, int64_t *expires_at)
{
    kinde_code rc = KINDE_E_NOT_AUTHENTICATED;
    pthread_mutex_lock(&c->lock);
    for (kinde__m2m_entry *e = c->m2m; e; e = e->next) {
        if (strcmp(e->audience, aud) == 0 && e->expires_at - M2M_MARGIN_SECONDS > kinde__now()) {
            *token = kinde__strdup(e->token);
            rc = *token ? KINDE_OK : KINDE_E_NOMEM;
            if (expires_at)
                *expires_at = e->expires_at;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static kinde_code m2m_remember(kinde_client *c, const char *aud, const char *token, int64_t exp)
{
    kinde__m2m_entry *e = kinde__calloc(1, sizeof *e);
    if (!e)
        return KINDE_E_NOMEM;
    e->audience = kinde__strdup(aud);
    e->token = kinde__strdup(token);
    e->expires_at = exp;
    if (!e->audience || !e->token) {
        kinde__free(e->audience);
        kinde__free_secret(e->token);
        kinde__free(e);
        return KINDE_E_NOMEM;
    }
    pthread_mutex_lock(&c->lock);
    /* Replace an older entry for the same audience. */
    for (kinde__m2m_entry **pp = &c->m2m; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->audience, aud) == 0) {
            kinde__m2m_entry *old = *pp;
            *pp = old->next;
            kinde__free(old->audience);
            kinde__free_secret(old->token);
            kinde__free(old);
            break;
        }
    }
    e->next = c->m2m;
    c->m2m = e;
    pthread_mutex_unlock(&c->lock);
    return KINDE_OK;
}

void kinde__m2m_forget(kinde_client *c, const char *audience, const char *token)
{
    pthread_mutex_lock(&c->lock);
    for (kinde__m2m_entry **pp = &c->m2m; *pp; pp = &(*pp)->next) {
        kinde__m2m_entry *e = *pp;
        if (strcmp(e->audience, audience) == 0 && strcmp(e->token, token) == 0) {
            *pp = e->next;
            kinde__free(e->audience);
            kinde__free_secret(e->token);
            kinde__free(e);
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

kinde_code kinde_get_m2m_token(kinde_client *c, const char *audience, char **access_token,
                               int64_t *expires_at, kinde_error *err)
{
    if (!c || !access_token)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client and access_token are required");
    kinde_code need = kinde__need_client_id(c, "client credentials", err);
    if (need != KINDE_OK)
        return need;
    if (!c->client_secret)
        return kinde__fail(err, KINDE_E_GRANT_TYPE, "client credentials need a client_secret");
    const char *aud = audience ? audience : (c->audience ? c->audience : "");
    kinde_code rc = m2m_cached(c, aud, access_token, expires_at);
    if (rc == KINDE_OK)
        return rc;
    if (rc == KINDE_E_NOMEM)
        return kinde__fail(err, rc, NULL);

    /* The audiences asked for are the ones the token must carry: all of
     * them, however many (one per space-separated word at most). */
    char *list = kinde__strdup(aud);
    size_t max_auds = 1;
    for (const char *p = aud; *p; p++)
        max_auds += *p == ' ';
    const char **auds = kinde__calloc(max_auds, sizeof *auds);
    size_t n_auds = 0;
    strbuf form = {0};
    add_field(&form, "grant_type", "client_credentials");
    add_client_auth(&form, c);
    for (char *save = NULL, *tok = list && auds ? strtok_r(list, " ", &save) : NULL; tok;
         tok = strtok_r(NULL, " ", &save)) {
        auds[n_auds++] = tok;
        add_field(&form, "audience", tok);
    }
    kinde__http_response resp = {0};
    kinde__token_response tr = {0};
    kinde__jdoc *claims = NULL;
    if (!list || !auds) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        strbuf_free(&form);
        goto done;
    }
    if ((rc = post_token(c, &form, &resp, err)) ||
        (rc = kinde__token_response_parse(resp.status, resp.body, resp.len, &tr, err)))
        goto done;
    kinde__token_policy p;
    policy_for(c, KINDE_ACCESS_TOKEN, &p);
    p.audiences = auds;
    p.n_audiences = n_auds;
    if ((rc = kinde__verify_token(c->keys, tr.access_token, &p, &claims, err)))
        goto done;
    const kinde__jval *exp = kinde__jget(kinde__jroot(claims), "exp");
    int64_t when = exp && exp->type == KINDE__J_INT
                       ? exp->v.i
                       : kinde__now() + (tr.expires_in > 0 ? tr.expires_in : 0);
    *access_token = kinde__strdup(tr.access_token);
    if (!*access_token || m2m_remember(c, aud, tr.access_token, when) != KINDE_OK) {
        kinde__free_secret(*access_token);
        *access_token = NULL;
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto done;
    }
    if (expires_at)
        *expires_at = when;
done:
    kinde__jdoc_free(claims);
    kinde__token_response_clear(&tr);
    kinde__http_response_clear(&resp);
    kinde__free(auds);
    kinde__free(list);
    return rc;
}

/* ---- sign out ----------------------------------------------------------- */

kinde_code kinde__revocation_result(long status, const char *body, size_t len, kinde_error *err)
{
    if (status >= 200 && status <= 299)
        return KINDE_OK;
    /* RFC 7009 2.2.1: errors are OAuth error answers (RFC 6749 5.2). */
    kinde_error perr;
    json_t *j = body ? kinde__json_parse_object(body, len, KINDE_E_BAD_RESPONSE, "revocation", &perr)
                     : NULL;
    kinde_code rc = oauth_error_answer(status, j, "revocation", err);
    json_decref(j);
    return rc;
}

static kinde_code revoke(kinde_client *c, const char *token, const char *hint, kinde_error *err)
{
    kinde_code need = kinde__need_client_id(c, "revocation", err);
    if (need != KINDE_OK)
        return need;
    strbuf form = {0};
    add_field(&form, "token", token);
    add_field(&form, "token_type_hint", hint);
    add_client_auth(&form, c);
    char *body = strbuf_take(&form, NULL);
    if (!body)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    kinde__http_response resp;
    kinde_code rc = kinde__http_request(c, c->revoke_url, body, NULL, &resp, err);
    kinde__free_secret(body);
    if (rc == KINDE_OK)
        rc = kinde__revocation_result(resp.status, resp.body, resp.len, err);
    kinde__http_response_clear(&resp);
    return rc;
}

kinde_code kinde_logout(kinde_client *c, kinde_session *s, const char *redirect_to, char **url,
                        kinde_error *err)
{
    if (!c || !s || !url)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client, session and url are required");
    kinde_code rc = kinde_get_logout_url(c, redirect_to, url, err);
    if (rc != KINDE_OK)
        return rc;
    pthread_mutex_lock(&s->lock);
    kinde_code revoked = KINDE_OK;
    /* Revoking the refresh token ends the grant; the access token cannot be
     * recalled from those who hold it, but revoke it too where there is no
     * refresh token. */
    if (s->refresh_token)
        revoked = revoke(c, s->refresh_token, "refresh_token", err);
    else if (s->access_token)
        revoked = revoke(c, s->access_token, "access_token", err);
    kinde_session_clear(s);
    pthread_mutex_unlock(&s->lock);
    return revoked;
}

/* ---- profile ------------------------------------------------------------ */

kinde_code kinde_get_user_profile(kinde_client *c, kinde_session *s, char **profile_json,
                                  kinde_error *err)
{
    if (!c || !s || !profile_json)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client, session and out are required");
    if (!s->access_token)
        return kinde__fail(err, KINDE_E_NOT_AUTHENTICATED, "no tokens in this session");
    kinde__http_response resp;
    kinde_code rc = kinde__http_request(c, c->profile_url, NULL, s->access_token, &resp, err);
    if (rc != KINDE_OK)
        return rc;
    json_t *j = NULL;
    if (resp.status != 200) {
        rc = kinde__fail(err, KINDE_E_HTTP_STATUS, "user_profile answered HTTP %ld", resp.status);
        if (err)
            err->http_status = resp.status;
        goto done;
    }
    kinde_error perr;
    j = kinde__json_parse_object(resp.body, resp.len, KINDE_E_BAD_RESPONSE, "user_profile", &perr);
    if (!j) {
        if (err)
            *err = perr;
        rc = perr.code;
        goto done;
    }
    const char *sub = kinde__json_str(j, "sub");
    const char *expected =
        kinde__jget_str(kinde__jroot(s->id_claims ? s->id_claims : s->access_claims), "sub");
    if (!sub || !expected || strcmp(sub, expected) != 0) {
        rc = kinde__fail(err, KINDE_E_SUBJECT_MISMATCH,
                         "user_profile sub '%s' is not the signed-in user", sub ? sub : "(none)");
        goto done;
    }
    *profile_json = kinde__json_text(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!*profile_json)
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
done:
    json_decref(j);
    kinde__http_response_clear(&resp);
    return rc;
}

/* ---- tokens handed to us ------------------------------------------------ */

kinde_code kinde_verify_token(kinde_client *c, const char *token, kinde_token_kind kind,
                              char **claims_json, kinde_error *err)
{
    if (!c || !token || (kind != KINDE_ACCESS_TOKEN && kind != KINDE_ID_TOKEN))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client, token and a token kind are required");
    /* An ID token is for this client: its aud must name the client id. */
    if (kind == KINDE_ID_TOKEN) {
        kinde_code need = kinde__need_client_id(c, "verifying an ID token", err);
        if (need != KINDE_OK)
            return need;
    }
    kinde__token_policy p;
    policy_for(c, kind, &p);
    kinde__jdoc *claims = NULL;
    kinde_code rc = kinde__verify_token(c->keys, token, &p, &claims, err);
    if (rc == KINDE_OK && claims_json) {
        *claims_json = kinde__jtext(kinde__jroot(claims));
        if (!*claims_json)
            rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    kinde__jdoc_free(claims);
    return rc;
}

static kinde_code decode_segment(const char *s, size_t n, char **out, kinde_error *err)
{
    unsigned char *raw = NULL;
    size_t len = 0;
    int d = kinde__b64url_decode(s, n, &raw, &len);
    if (d == -2)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (d != 0)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "segment is not base64url");
    kinde_error perr;
    json_t *j = kinde__json_parse_object((const char *)raw, len, KINDE_E_TOKEN_MALFORMED,
                                         "token segment", &perr);
    kinde__free_wiped(raw, len);
    if (!j) {
        if (err)
            *err = perr;
        return perr.code;
    }
    if (out) {
        *out = kinde__json_text(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!*out) {
            json_decref(j);
            return kinde__fail(err, KINDE_E_NOMEM, NULL);
        }
    }
    json_decref(j);
    return KINDE_OK;
}

kinde_code kinde_decode_token(const char *token, char **header_json, char **payload_json,
                              kinde_error *err)
{
    if (!token)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "token is NULL");
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.'))
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "a JWT has three dot-separated segments");
    char *h = NULL;
    kinde_code rc = decode_segment(token, (size_t)(d1 - token), header_json ? &h : NULL, err);
    if (rc == KINDE_OK)
        rc = decode_segment(d1 + 1, (size_t)(d2 - d1 - 1), payload_json, err);
    if (rc == KINDE_OK && header_json)
        *header_json = h;
    else
        kinde__free(h);
    return rc;
}
