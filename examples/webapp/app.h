/* The demo app: its options, the sign-in layer's site (web/site.h) it fills
 * from them, and the two halves that meet here: serve/web_glue.c (the only
 * code that knows libmicrohttpd, shared with kinde-gateway) calls app_handle
 * (routes.c) with a plain web_request. */
#ifndef WEBAPP_APP_H
#define WEBAPP_APP_H

#include "app_setup.h"
#include "http.h"
#include "site.h"
#include "webhook_events.h"

typedef struct app {
    /* The options every site of web/ takes (web/app_setup.h); opt.port is
     * the bound one once listening. */
    web_app_options opt;

    /* What signing in needs (cookie, timeouts, client, store): shared code.
     * site.client stays NULL until the app is ready to answer. */
    web_site site;
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

#endif
