#include "session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cookies.h"
#include "forms.h"

/* Store keys: "s:" + the hex HMAC of the id (seal.h), so the store could
 * hold other things too and never holds an id a browser could present. */
#define KEY_PREFIX "s:"
typedef struct store_key {
    char text[sizeof KEY_PREFIX + SEAL_ID_HEX_SIZE];
} store_key;

static store_key key_of(const web_site *site, const char *id)
{
    store_key k;
    char hex[SEAL_ID_HEX_SIZE];
    seal_id(site->seal, id, hex);
    snprintf(k.text, sizeof k.text, KEY_PREFIX "%s", hex);
    return k;
}

void web_cookie_clear(const web_site *site, web_response *r)
{
    strbuf_free(&r->cookie);
    cookie_format(&r->cookie, site->cookie_name, "", site->secure, 0);
}

void web_cookie_issue(const web_site *site, web_response *r, const char *id)
{
    strbuf_free(&r->cookie);
    cookie_format(&r->cookie, site->cookie_name, id, site->secure, -1);
}

/* Seconds the record may still live in the store. */
static long record_ttl(const web_site *site, const web_record *rec, int64_t now)
{
    if (!rec->signed_in)
        return site->login_ttl;
    long left = site->absolute_timeout - (long)(now - rec->created);
    return left < site->idle_timeout ? (left > 1 ? left : 1) : site->idle_timeout;
}

int web_session_save(const web_site *site, const char *id, const web_record *rec,
                     store_error *err)
{
    strbuf b, sealed;
    strbuf_init(&b);
    strbuf_init(&sealed);
    record_encode(rec, &b);
    store_key key = key_of(site, id);
    if (strbuf_ok(&b))
        seal_record(site->seal, key.text, b.data, b.len, &sealed);
    int rc;
    if (strbuf_ok(&b) && strbuf_ok(&sealed)) {
        rc = store_put(site->store, key.text, sealed.data, sealed.len,
                       record_ttl(site, rec, time(NULL)), err);
    } else {
        store_error_set(err, "no memory to encode or seal a session record");
        rc = -1;
    }
    strbuf_free(&b);
    strbuf_free(&sealed);
    return rc;
}

int web_session_create(const web_site *site, kinde_session *ks, int signed_in, const char *next,
                       char id[TOKEN_SIZE], store_error *err, kinde_code *rc)
{
    web_record rec;
    memset(&rec, 0, sizeof rec);
    rec.signed_in = signed_in;
    rec.created = rec.seen = time(NULL);
    if (next)
        snprintf(rec.next, sizeof rec.next, "%s", next);
    *rc = KINDE_E_NOMEM; /* no randomness: nothing safe to hand out */
    if (token_new(id) != 0 || token_new(rec.csrf) != 0)
        return -2;
    char *data = NULL;
    *rc = kinde_session_serialize(ks, &data, NULL);
    if (*rc != KINDE_OK)
        return -2;
    rec.kinde = data;
    rec.kinde_len = strlen(data);
    int saved = web_session_save(site, id, &rec, err);
    kinde_free(data); /* wipes it; rec only borrowed it */
    return saved;
}

int web_session_drop(const web_site *site, const char *id, store_error *err)
{
    store_key key = key_of(site, id);
    if (site->cache)
        session_cache_drop(site->cache, key.text);
    return store_delete(site->store, key.text, err);
}

void web_session_free(web_session *s)
{
    record_free(&s->rec);
    if (s->shared)
        session_cache_release(s->shared);
    else
        kinde_session_free(s->ks);
    s->shared = NULL;
    s->ks = NULL;
    s->loaded = 0;
}

int web_session_own(web_session *s)
{
    if (!s->shared)
        return 0;
    kinde_session *mine = NULL;
    /* The bytes the shared one was made from: they parsed then. */
    if (kinde_session_deserialize(s->rec.kinde, s->rec.kinde_len, &mine, NULL) != KINDE_OK)
        return -1;
    session_cache_release(s->shared);
    s->shared = NULL;
    s->ks = mine;
    return 0;
}

static int expired(const web_site *site, const web_record *rec, int64_t now)
{
    if (!rec->signed_in)
        return now - rec->created > site->login_ttl;
    return now - rec->seen > site->idle_timeout || now - rec->created > site->absolute_timeout;
}

int web_session_load(const web_site *site, const web_request *q, web_response *r,
                     web_session *s, store_error *err)
{
    memset(s, 0, sizeof *s);
    const char *hdr = web_header(q, "Cookie");
    if (!hdr)
        return 0;
    if (cookie_find(hdr, strlen(hdr), site->cookie_name, s->id, sizeof s->id) != 1 ||
        !token_is_wellformed(s->id))
        return 0;
    char *data = NULL, *plain = NULL;
    size_t len = 0, plain_len = 0;
    store_key key = key_of(site, s->id);
    int found = store_get(site->store, key.text, &data, &len, err);
    if (found <= 0) {
        if (found == 0) {
            web_cookie_clear(site, r);
            if (site->cache)
                session_cache_drop(site->cache, key.text); /* ended elsewhere */
        }
        return found;
    }
    /* The very bytes opened before under this key: what opening them gave
     * (session_cache.h). The timeouts below are applied all the same. */
    int hit = site->cache ? session_cache_get(site->cache, key.text, data, len, &s->rec, &s->ks,
                                              &s->shared)
                          : 0;
    if (hit < 0) {
        free(data);
        store_error_set(err, "no memory to copy a session record");
        return -1;
    }
    int64_t now = time(NULL);
    int bad = 0;
    if (!hit) {
        /* Sealed under another server key (an instance configured wrong),
         * moved from another id, or altered: no session. The record and the
         * cookie are left alone: an instance with the wrong key must not
         * delete the sessions of the instances that share its store. */
        if (seal_open(site->seal, key.text, data, len, &plain, &plain_len) != 0) {
            free(data);
            web_log(site, "a session record failed authentication (another server key, moved "
                          "or altered): treated as no session");
            return 0;
        }
        bad = record_decode(plain, plain_len, &s->rec);
        OPENSSL_cleanse(plain, plain_len);
        free(plain);
        bad = bad || kinde_session_deserialize(s->rec.kinde, s->rec.kinde_len, &s->ks, NULL) !=
                         KINDE_OK;
    }
    bad = bad || expired(site, &s->rec, now);
    /* Signed-in sessions only: a pending sign-in is read once. Not kept
     * (no memory): answered all the same. */
    if (!hit && !bad && s->rec.signed_in && site->cache)
        session_cache_put(site->cache, key.text, data, len, &s->rec, s->ks, &s->shared);
    free(data);
    if (bad) {
        web_session_free(s);
        if (web_session_drop(site, s->id, err) != 0)
            return -1;
        web_cookie_clear(site, r);
        return 0;
    }
    s->loaded = 1;
    /* Sliding idle timeout; written at most every tenth of it, not per request. */
    long touch = site->idle_timeout / 10 < 60 ? site->idle_timeout / 10 : 60;
    if (s->rec.signed_in && now - s->rec.seen >= touch) {
        s->rec.seen = now;
        if (web_session_save(site, s->id, &s->rec, err) != 0)
            return -1;
    }
    return 1;
}

/* Writes the session back after the SDK changed it (a refresh). The cached
 * profile goes with the old tokens (record_free): the next view that shows
 * it fetches it again with the new ones. */
static int resave(const web_site *site, web_session *s, store_error *err)
{
    char *data = NULL;
    if (kinde_session_serialize(s->ks, &data, NULL) != KINDE_OK) {
        store_error_set(err, "no memory to serialize a refreshed session");
        return -1;
    }
    record_free(&s->rec);
    s->rec.kinde = strdup(data);
    s->rec.kinde_len = strlen(data);
    kinde_free(data);
    if (!s->rec.kinde) {
        store_error_set(err, "no memory to copy a refreshed session");
        return -1;
    }
    return web_session_save(site, s->id, &s->rec, err);
}

/* Whether a failed refresh is Kinde's final word on this session: the
 * refresh token refused (invalid_grant: revoked, expired, rotated away), the
 * tokens naming another user, or nothing to refresh with. Everything else (no
 * answer, a timeout, a 5xx or 429 (with or without an OAuth error), an answer of the
 * wrong shape, keys that could not be fetched, tokens that did not verify,
 * memory) may pass and never ends a session (SECURITY.md E41). */
static int refresh_refused(const kinde_error *e)
{
    switch (e->code) {
    case KINDE_E_OAUTH:
        /* An OAuth error from a server that is not well (RFC 6749 4.1.2.1's
         * temporarily_unavailable and server_error, or a 5xx) may pass. */
        /* A 429 with an OAuth body is a busy server too, not a refusal. */
        return e->http_status < 500 && e->http_status != 429 &&
               strcmp(e->oauth_error, "temporarily_unavailable") != 0 &&
               strcmp(e->oauth_error, "server_error") != 0;
    case KINDE_E_SUBJECT_MISMATCH:
    case KINDE_E_NO_REFRESH_TOKEN:
    case KINDE_E_GRANT_TYPE:
    case KINDE_E_NOT_AUTHENTICATED:
    case KINDE_E_INVALID_ARGUMENT:
        return 1;
    default:
        return 0;
    }
}

int web_session_needs_kinde(const web_session *s, int margin)
{
    return s->loaded && s->rec.signed_in &&
           kinde_session_expires_at(s->ks) <= (int64_t)time(NULL) + margin;
}

int web_session_signed_in(const web_site *site, const web_request *q, web_response *r,
                          web_session *s, int on_event_thread, store_error *err)
{
    int rc = web_session_load(site, q, r, s, err);
    if (rc > 0 && on_event_thread && web_session_needs_kinde(s, WEB_REFRESH_SOON_SECONDS))
        return WEB_USER_WOULD_WAIT;
    return rc > 0 ? web_session_user(site, s, r, err) : rc;
}

/* Asks Kinde for new tokens now and says what came of it, as
 * web_session_user does (1, 0, WEB_USER_KINDE_DOWN, -1): only Kinde's final
 * word ends the session (refresh_refused, E41). */
static int refresh_now(const web_site *site, web_session *s, web_response *r, store_error *err)
{
    if (!web_backoff_may_try(site->kinde_backoff))
        return WEB_USER_KINDE_DOWN;
    if (web_session_own(s) != 0) {
        store_error_set(err, "no memory to copy a session before refreshing it");
        return -1;
    }
    kinde_error why;
    memset(&why, 0, sizeof why);
    kinde_code rc = kinde_refresh_token(site->client, s->ks, &why);
    if (rc != KINDE_OK && !refresh_refused(&why)) {
        web_backoff_done(site->kinde_backoff, 0);
        web_log(site, "session kept: refreshing its tokens failed in a way that may pass: %s "
                "(HTTP %ld%s%s): %s", kinde_code_name(rc), why.http_status,
                why.oauth_error[0] ? ", " : "", why.oauth_error, why.text);
        return WEB_USER_KINDE_DOWN;
    }
    web_backoff_done(site->kinde_backoff, 1);
    if (rc != KINDE_OK) {
        web_log(site, "session ended: Kinde refused to refresh it: %s (HTTP %ld%s%s): %s",
                kinde_code_name(rc), why.http_status, why.oauth_error[0] ? ", " : "",
                why.oauth_error, why.text);
        if (web_session_drop(site, s->id, err) != 0)
            return -1;
        web_cookie_clear(site, r);
        return 0;
    }
    web_count(site->counters ? &site->counters->refreshes : NULL);
    if (resave(site, s, err) != 0)
        return -1;
    return 1;
}

int web_session_user(const web_site *site, web_session *s, web_response *r, store_error *err)
{
    if (!s->loaded || !s->rec.signed_in)
        return 0;
    /* What kinde_is_authenticated says of unexpired tokens, without its
     * refresh of expired ones: s->ks may be shared (read only). */
    if (!web_session_needs_kinde(s, 0) && kinde_session_access_token(s->ks))
        return 1; /* no refresh needed: Kinde not asked */
    return refresh_now(site, s, r, err);
}

int web_session_refresh(const web_site *site, web_session *s, web_response *r, store_error *err)
{
    if (!s->loaded || !s->rec.signed_in)
        return 0;
    return refresh_now(site, s, r, err);
}

int web_session_csrf_ok(const web_site *site, const web_request *q, const web_session *s)
{
    char csrf[TOKEN_SIZE + 1];
    const char *body = q->body ? q->body : "";
    return s->loaded && web_same_origin(site, q) &&
           form_get(body, q->body_len, "csrf", csrf, sizeof csrf) == 1 &&
           token_equal(csrf, s->rec.csrf);
}

int web_session_profile(const web_site *site, web_session *s, const char **json)
{
    int64_t now = time(NULL);
    if (s->rec.profile && now >= s->rec.profile_at &&
        now - s->rec.profile_at < WEB_PROFILE_MAX_AGE) {
        *json = s->rec.profile;
        return 1;
    }
    char *profile = NULL;
    kinde_error err;
    memset(&err, 0, sizeof err);
    if (web_session_own(s) != 0) {
        web_log(site, "profile: no memory to copy the session");
        return 0;
    }
    kinde_code rc = kinde_get_user_profile(site->client, s->ks, &profile, &err);
    if (rc != KINDE_OK) {
        web_log(site, "profile: %s %s", kinde_code_name(rc), err.text);
        return 0;
    }
    char *copy = strdup(profile);
    kinde_free(profile);
    if (!copy) {
        web_log(site, "profile: no memory to keep it");
        return 0;
    }
    if (s->rec.profile) {
        OPENSSL_cleanse(s->rec.profile, s->rec.profile_len);
        free(s->rec.profile);
    }
    s->rec.profile = copy;
    s->rec.profile_len = strlen(copy);
    s->rec.profile_at = now;
    /* Not kept: shown anyway, and asked for again next time. */
    store_error serr;
    if (web_session_save(site, s->id, &s->rec, &serr) != 0)
        web_log(site, "session store (%s) failed while keeping the profile: %s",
                site->store->name, serr.text);
    *json = s->rec.profile;
    return 1;
}
