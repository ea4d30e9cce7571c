/* The request and the response as the sign-in layer and the pages see them:
 * plain structs, no HTTP server's types. The server glue (serve/web_glue.c
 * on libmicrohttpd, for the demo app and kinde-gateway) fills a web_request,
 * lets the handler fill a web_response, and sends it. */
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
    int to_program;           /* an empty answer only a program reads (nginx's
                               * auth_request): none of the headers that guard
                               * what a browser shows (Content-Type, nosniff,
                               * CSP, Referrer-Policy, Pragma) */
    const char *allow;        /* for 405 */
    const char *etag;         /* static files: validator and long caching */
    unsigned retry_after;     /* seconds for Retry-After (a 503); 0 = none */
    strbuf headers;           /* more headers: "name\0value\0" pairs (web_response_header) */
} web_response;

/* 200, text/html, everything else empty. */
void web_response_init(web_response *r);
void web_response_free(web_response *r);
/* status (302, 303) and a Location; a failed copy leaves r without one and
 * marks the body failed, so the server drops the answer (as for any body it
 * could not build) rather than send a redirect to nowhere. */
void web_redirect(web_response *r, unsigned status, const char *location);

/* Adds header `name: value` to r (both copied). A value holding a control
 * character (CR, LF, a tab, any of 0x00-0x1f or 0x7f) would split or
 * forge headers downstream (or be read differently by each hop): -1, nothing added (the caller logs it). A name
 * that is not an HTTP token is refused the same way. 0 added. */
int web_response_header(web_response *r, const char *name, const char *value);
/* Walks r's added headers: start with *at = 0; 1 with *name and *value
 * set, 0 at the end. */
int web_response_header_next(const web_response *r, size_t *at, const char **name,
                             const char **value);

#endif
