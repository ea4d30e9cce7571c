/* The browser's session: an opaque random id in a cookie, the record under
 * that id in the store, and the Kinde session inside the record. Loading
 * applies the timeouts (SECURITY.md E32); an id the store does not know is
 * never adopted. Every function that touches the store returns -1 when the
 * store failed, with the store's words in *err and the response's cookie
 * untouched (the browser keeps its id for when the store is back); the caller
 * answers with web_store_failed, never as if the browser were signed out. */
#ifndef KINDE_WEB_SESSION_H
#define KINDE_WEB_SESSION_H

#include <kinde/kinde.h>

#include "http.h"
#include "record.h"
#include "site.h"

typedef struct web_session {
    char id[TOKEN_SIZE];
    web_record rec;
    kinde_session *ks;         /* shared (read only) while `shared` is set */
    session_cache_entry *shared; /* the cache entry ks belongs to, or NULL */
    int loaded;
} web_session;

/* Loads the browser's session into s (always free it with web_session_free):
 * 1 loaded, 0 none (no cookie, unknown id, expired or corrupt: the cookie is
 * then cleared in r), -1 the store failed (*err says why). A signed-in
 * session's last use is written back now and then (the sliding idle timeout). */
int web_session_load(const web_site *site, const web_request *q, web_response *r,
                     web_session *s, store_error *err);
void web_session_free(web_session *s);

/* Makes s->ks the caller's own before the SDK changes it (a refresh, a
 * sign-out, a profile fetch may): a session found in the site's cache is
 * shared with other requests, read only. 0 ok, -1 out of memory. */
int web_session_own(web_session *s);

/* 1 when s is signed in with valid tokens, refreshing them at Kinde when they
 * expired (and saving the refreshed ones); 0 when not (no session, or Kinde
 * refused the refresh for good: the session is then deleted and its cookie
 * cleared); WEB_USER_KINDE_DOWN when the tokens expired and Kinde could not
 * renew them just now (no answer, a 503, a timeout, garbage, or the back-off
 * of site->kinde_backoff holds refreshes): the session is kept untouched, the
 * failure logged, and the caller tells the person to try again shortly
 * (web_kinde_unavailable); -1 the store failed. */
#define WEB_USER_KINDE_DOWN 2
int web_session_user(const web_site *site, web_session *s, web_response *r, store_error *err);

/* Refreshes a signed-in session's tokens now, expired or not (a person
 * asking to be let in with the permissions Kinde grants them now), and saves
 * them: 1 refreshed, 0 / WEB_USER_KINDE_DOWN / -1 exactly as
 * web_session_user (only Kinde's final word ends the session, E41). */
int web_session_refresh(const web_site *site, web_session *s, web_response *r, store_error *err);

/* 1 when a state-changing form may act on s: s is loaded, the body's `csrf`
 * field is its CSRF token (constant-time) and the Origin is the site's own
 * (web_same_origin). SECURITY.md E33. */
int web_session_csrf_ok(const web_site *site, const web_request *q, const web_session *s);

/* Whether web_session_user() would ask Kinde for s: signed in, and its access
 * token expired or expiring within margin seconds (a caller that must not
 * wait on Kinde passes a few seconds, so the token cannot expire between
 * this look and web_session_user's). The one place that rule lives. */
int web_session_needs_kinde(const web_session *s, int margin);

/* web_session_load, then web_session_user: what a page or an auth answer
 * asks. On an event thread (on_event_thread), where nothing may wait on
 * Kinde, a session whose access token expires within
 * WEB_REFRESH_SOON_SECONDS is not looked at further: WEB_USER_WOULD_WAIT
 * (s loaded, nothing else done), and the request goes to a worker; the
 * margin keeps the token from expiring between this look and the refresh.
 * Otherwise as web_session_user (1, 0, WEB_USER_KINDE_DOWN), or -1 when the
 * store failed in either. Free s with web_session_free whatever it says. */
#define WEB_REFRESH_SOON_SECONDS 5
#define WEB_USER_WOULD_WAIT 3
int web_session_signed_in(const web_site *site, const web_request *q, web_response *r,
                          web_session *s, int on_event_thread, store_error *err);

/* A new record holding ks under a fresh id (written to id): signed_in, next
 * (NULL: home), a fresh CSRF token, created and seen now. 0 stored; -1 the
 * store failed (*err says why); -2 nothing stored, *rc the SDK's reason (no
 * randomness, or ks could not be serialized). *rc is KINDE_OK unless -2. */
int web_session_create(const web_site *site, kinde_session *ks, int signed_in, const char *next,
                       char id[TOKEN_SIZE], store_error *err, kinde_code *rc);

/* The person's Kinde profile (JSON, owned by s), kept in the session record:
 * from the record while younger than WEB_PROFILE_MAX_AGE seconds and fetched
 * with the tokens held now (a refresh drops it), else fetched from Kinde
 * (GET /oauth2/v2/user_profile) and written back. 1 *json set; 0 Kinde did
 * not give it (the reason logged, nothing cached). A store that fails to
 * keep it is logged; the profile is shown anyway. */
#define WEB_PROFILE_MAX_AGE 300
int web_session_profile(const web_site *site, web_session *s, const char **json);

/* Stores rec under id for as long as the timeouts allow. 0 ok, -1 failed. */
int web_session_save(const web_site *site, const char *id, const web_record *rec,
                     store_error *err);
/* Deletes the record of id. 0 ok (also when there was none), -1 failed. */
int web_session_drop(const web_site *site, const char *id, store_error *err);

/* The Set-Cookie of r: the session cookie with this id, or its deletion. */
void web_cookie_issue(const web_site *site, web_response *r, const char *id);
void web_cookie_clear(const web_site *site, web_response *r);

#endif
