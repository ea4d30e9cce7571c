/* The request and the response as the sign-in layer and the pages see them:
 * plain structs, no HTTP server's types. The server glue (the demo app's
 * server.c on libmicrohttpd today, an event loop or the gateway tomorrow)
 * fills a web_request, lets the handler fill a web_response, and sends it. */
#ifndef KINDE_WEB_HTTP_H
#define KINDE_WEB_HTTP_H

#include <stddef.h>

#include "strbuf.h"

/* Longest request target the handlers read; a longer one is answered 414. */
#define WEB_TARGET_MAX 4096

typedef struct web_request {
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* the target's path, decoded by the server, no query */
    const char *target;   /* the raw request target, query included, as received */
    const char *body;     /* a POST body (up to the server's limit), else NULL */
    size_t body_len;      /* each route holds it to its own limit (FORM_BODY_MAX) */
    int body_too_big;     /* the body was longer than the server's limit and not kept */
    /* The value of request header `name` (case-insensitive), NULL when absent.
     * Called only while the handler runs, on its thread: a server that hands
     * requests to workers gives them headers it has copied. */
    const char *(*header)(void *ctx, const char *name);
    void *ctx;            /* the server's, for header() */
} web_request;

/* A request header's value, NULL when absent. */
const char *web_header(const web_request *q, const char *name);

/* The decoded value of query parameter `name` of q->target (form rules, see
 * form_get: '+' is a space). 1 found, 0 absent, -1 unusable (a bad escape,
 * the name given twice, or a value that does not fit in outsz). */
int web_query(const web_request *q, const char *name, char *out, size_t outsz);

typedef struct web_response {
    unsigned status;
    strbuf body;
    const char *content_type; /* static text */
    char *location;           /* owned */
    strbuf cookie;               /* one Set-Cookie value, when len > 0 */
    int no_store;             /* the page shows session data */
    int no_referrer;          /* the callback: its URL held a code */
    const char *allow;        /* for 405 */
    const char *etag;         /* static files: validator and long caching */
    unsigned retry_after;     /* seconds for Retry-After (a 503); 0 = none */
} web_response;

/* 200, text/html, everything else empty. */
void web_response_init(web_response *r);
void web_response_free(web_response *r);
/* status (302, 303) and a Location; a failed copy leaves r without one and
 * marks the body failed, so the server drops the answer (as for any body it
 * could not build) rather than send a redirect to nowhere. */
void web_redirect(web_response *r, unsigned status, const char *location);

#endif
