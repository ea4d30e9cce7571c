/* serve/ <-> web/: how a site built on the sign-in layer (web/http.h's plain
 * requests and responses) is served by serve/ (libmicrohttpd). The demo app
 * and kinde-gateway both answer through it, so the headers every answer
 * carries (nosniff, CSP and frame denial on HTML, Referrer-Policy, no-store)
 * are set in one place. Library kinde_serve_web (kinde_serve + kinde_web). */
#ifndef KINDE_SERVE_WEB_GLUE_H
#define KINDE_SERVE_WEB_GLUE_H

#include "http.h"
#include "serve.h"
#include "site.h"

typedef struct serve_web {
    /* Nothing is answered (the connection is closed unanswered) while
     * site->client is NULL: a site publishes its client, with release
     * semantics, once it is ready (after its ready file could be written). */
    const web_site *site;
    /* On an event thread, where nothing may wait: answers q in r and returns
     * 0, or returns 1 (r discarded) to have it answered by handle on a
     * worker. NULL: every request goes to a worker. */
    int (*handle_now)(void *cls, const web_request *q, web_response *r);
    /* On a worker: answers q in r. */
    void (*handle)(void *cls, const web_request *q, web_response *r);
    void *cls;
} serve_web;

/* Starts serving w (borrowed until serve_stop; event_threads as serve's,
 * 0 its default) on bind:port, or on the
 * Unix-domain socket PATH when bind is "unix:PATH" (port unused; the socket
 * made 0660, a stale one replaced, removed by serve_stop); name for the log
 * lines, log NULL for quiet. NULL, with a line on stderr, when bind is
 * neither or cannot be listened on. The port is then serve_port() (0 on a
 * Unix socket). */
serve *serve_web_start(serve_web *w, const char *name, FILE *log, const char *bind, int port,
                       unsigned workers_max, unsigned event_threads, size_t body_max);

/* r as a libmicrohttpd response with the common headers (the body is taken
 * from r). NULL when out of memory (the connection is then closed). */
struct MHD_Response *serve_web_response(web_response *r);

#endif
