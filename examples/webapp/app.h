/* The demo app: its options, the sign-in layer's site (web/site.h) it fills
 * from them, and the two halves that meet here: server.c (the only code that
 * knows libmicrohttpd) calls app_handle (routes.c) with a plain web_request. */
#ifndef WEBAPP_APP_H
#define WEBAPP_APP_H

#include "http.h"
#include "site.h"
#include "webhook_events.h"

#define APP_MAX_LOGOUT_URLS 8

struct serve;

typedef struct app {
    /* options */
    const char *bind;
    int port;                  /* 0 = any free port; the bound one after server_start */
    const char *ready_file;
    const char *data_dir;
    const char *sessions;      /* "sqlite" or "redis://host:port" */
    const char *env_file;
    int quiet;
    long kinde_timeout_ms;     /* the SDK's http_timeout_ms */
    long store_timeout_ms;     /* store.h's budget */
    const char *logout_urls[APP_MAX_LOGOUT_URLS];

    /* What signing in needs (cookie, timeouts, client, store): shared code.
     * site.client stays NULL until the app is ready to answer. */
    web_site site;
    unsigned workers;          /* most requests answered at once (--workers) */
    struct serve *server;      /* serve/serve.h */
    webhook_events *webhooks;  /* POST /webhooks' events (webhooks.h) */
} app;

/* Answers one request: every route of the app (routes.c). Safe to call from
 * any thread; takes nothing from the server but q. */
void app_handle(app *a, const web_request *q, web_response *r);

/* The same, on an event thread of the server, where nothing may wait: answers
 * only what needs neither Kinde nor a networked store (static files; the
 * home page with SQLite sessions and a token that needs no refresh) and
 * returns 0; otherwise returns 1 with nothing answered (r may hold parts:
 * discard it), and the request is to be given to app_handle on a worker. */
int app_handle_now(app *a, const web_request *q, web_response *r);

/* Starts the HTTP server (serve/: event threads and workers of its own)
 * and sets a->port. 0 ok. */
int server_start(app *a);
void server_stop(app *a);

#endif
