/* The demo app: its options, the sign-in layer's site (web/site.h) it fills
 * from them, and the two halves that meet here: server.c (the only code that
 * knows libmicrohttpd) calls app_handle (routes.c) with a plain web_request. */
#ifndef WEBAPP_APP_H
#define WEBAPP_APP_H

#include "http.h"
#include "site.h"

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
    const char *logout_urls[APP_MAX_LOGOUT_URLS];

    /* What signing in needs (cookie, timeouts, client, store): shared code.
     * site.client stays NULL until the app is ready to answer. */
    web_site site;
    unsigned workers;          /* most requests answered at once (--workers) */
    struct serve *server;      /* serve/serve.h */
} app;

/* Answers one request: every route of the app (routes.c). Safe to call from
 * any thread; takes nothing from the server but q. */
void app_handle(app *a, const web_request *q, web_response *r);

/* Whether answering a request to path may wait on something (Kinde, the
 * session store): it then runs on a worker, never on an event thread. Only
 * the embedded static files never wait. */
int app_may_wait(const char *path);

/* Starts the HTTP server (serve/: event threads and workers of its own)
 * and sets a->port. 0 ok. */
int server_start(app *a);
void server_stop(app *a);

#endif
