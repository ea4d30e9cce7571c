/* What one site signs in with: its address, cookie, timeouts, Kinde client
 * and session store, and where its log goes. The demo app fills one,
 * kinde-gateway its own. Also what a refused request becomes. */
#ifndef KINDE_WEB_SITE_H
#define KINDE_WEB_SITE_H

#include <stdio.h>

#include <kinde/kinde.h>

#include "backoff.h"
#include "http.h"
#include "redirects.h"
#include "seal.h"
#include "session_cache.h"
#include "store.h"

/* What the sign-in layer counts for a site that wants to tell (the gateway's
 * /metrics): incremented atomically from any thread (web_count). */
typedef struct web_counters {
    unsigned long sign_ins;     /* callbacks that signed someone in */
    unsigned long refreshes;    /* token refreshes Kinde granted */
    unsigned long store_errors; /* store failures answered (web_store_failed) */
} web_counters;

typedef struct web_site {
    const char *name;          /* for the log: "kinde-webapp" */
    FILE *log;                 /* where the details of failures go; NULL = nowhere */
    const char *public_url;    /* scheme://host[:port], no trailing slash */
    int secure;                /* public URL is https: Secure + __Host- cookie */
    const char *cookie_name;
    long idle_timeout;         /* seconds without a request before a session ends */
    long absolute_timeout;     /* seconds after sign-in at which a session ends */
    long login_ttl;            /* seconds a pending login may take */
    redirect_list logout_allow; /* where sign-out may return to (exact URLs) */
    kinde_client *client;
    store *store;
    const web_seal_key *seal;  /* names and seals what goes into the store (seal.h) */
    web_backoff *kinde_backoff; /* refreshes after a failure that may pass; NULL = none */
    web_counters *counters;    /* NULL = nothing counted */
    session_cache *cache;      /* opened sessions (session_cache.h); NULL = none */
} web_site;

/* Adds one to a counter (NULL: nothing), safe from any thread. */
void web_count(unsigned long *counter);
/* Reads a counter another thread may be adding to. */
unsigned long web_counter_get(const unsigned long *counter);

/* 1 when the request's Origin header is absent or the site's own public URL:
 * what a form that changes state (sign-out, refresh) must come with, besides
 * its CSRF token (SECURITY.md E31). */
int web_same_origin(const web_site *site, const web_request *q);

/* One line "name: text" in the site's log (nothing when it has none). */
void web_log(const web_site *site, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define WEB_REASON_SIZE 64

/* A request the sign-in layer refused or could not serve: what the person is
 * told. Plain sentences only: the details (curl's words, Kinde's URLs, the
 * store's message) go to the log. Each site shows it its own way (the demo
 * app as an HTML page). */
typedef struct web_failure {
    unsigned status;
    const char *title;
    const char *message;
    char reason[WEB_REASON_SIZE]; /* a short code: invalid_state, session_store, ... */
    int offer_sign_in;
    unsigned retry_after; /* seconds for Retry-After; 0 = none */
} web_failure;

/* Retry-After of a 503 that has no better estimate: a store outage, a
 * request the app could not serve just now. Short: browsers show the page
 * anyway, and clients that honour it (Kinde's webhook sender, monitoring)
 * come back soon after the cause is gone. */
#define WEB_RETRY_AFTER_SECONDS 5

/* Every 503 gets Retry-After WEB_RETRY_AFTER_SECONDS (the caller may set a
 * better one after); other statuses none. */
void web_fail(web_failure *f, unsigned status, const char *title, const char *message,
              const char *reason, int offer_sign_in);

/* GET /healthz of a site: 200 "ok sessions=NAME" when the store answers a
 * real write, read and delete (store_ping), else 503 "unavailable
 * sessions=NAME" with the store's words in the log. */
void web_health(const web_site *site, web_response *r);

/* The one answer to every session-store failure: 503, "sessions are
 * unavailable, try again shortly", reason session_store, never the signed-out
 * page. Logs what the store said (err->text) with what was being done.
 * Returns -1, what the sign-in routes return with it. */
int web_store_failed(const web_site *site, const store_error *err, const char *doing,
                      web_failure *f);

/* The answer while Kinde is briefly unavailable (a refresh failed in a way
 * that may pass, or the back-off holds refreshes): 503, "you are still signed
 * in, try again in a moment", reason kinde_unavailable. The session is kept.
 * Retry-After: when the site's back-off lets the next refresh try (at least
 * 1 s). */
void web_kinde_unavailable(const web_site *site, web_failure *f);

#endif
