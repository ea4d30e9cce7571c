/* The only code that turns web/'s requests and responses into
 * libmicrohttpd's: the demo app and kinde-gateway share it. */
#include "web_glue.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The headers that guard what a browser does with an answer. */
static void page_headers(struct MHD_Response *resp, const web_response *r)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (strncmp(r->content_type, "text/html", 9) == 0) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; img-src 'self' https: data:;"
                                " base-uri 'none'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    MHD_add_response_header(resp, "Referrer-Policy",
                            r->no_referrer ? "no-referrer" : "same-origin");
    if (r->no_store)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
}

struct MHD_Response *serve_web_response(web_response *r)
{
    size_t len = 0;
    char *body = strbuf_take(&r->body, &len);
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(body);
        return NULL;
    }
    /* An answer only a program reads (nginx's auth_request) goes without
     * them: each header is a copy and a list walk in libmicrohttpd, on the
     * answer nginx asks for with every request it serves. */
    if (!r->to_program)
        page_headers(resp, r);
    if (r->no_store)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->cookie.len)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookie.data);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->retry_after) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (r->etag) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
    }
    if (r->retry_after) {
        char secs[16];
        snprintf(secs, sizeof secs, "%u", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    size_t at = 0;
    const char *name, *value;
    while (web_response_header_next(r, &at, &name, &value))
        MHD_add_response_header(resp, name, value);
    return resp;
}

static const char *header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static void handle(void *cls, serve_request *sq)
{
    serve_web *w = cls;
    if (!__atomic_load_n(&w->site->client, __ATOMIC_ACQUIRE))
        return; /* still starting: the ready file is not written yet (no answer) */
    web_request wq = {
        .method = sq->method,
        .path = sq->path,
        .target = sq->target,
        .body = sq->body,
        .body_len = sq->body_len,
        .body_too_big = sq->body_too_big,
        .header = header_of,
        .ctx = sq->conn,
    };
    web_response r;
    web_response_init(&r);
    if (sq->on_event_thread) {
        if (w->handle_now(w->cls, &wq, &r) != 0) {
            sq->defer = 1;
            web_response_free(&r);
            return;
        }
    } else {
        w->handle(w->cls, &wq, &r);
    }
    sq->status = r.status;
    sq->response = serve_web_response(&r);
    web_response_free(&r);
}

/* Every request is tried on the event thread when the site can answer
 * there; its handle_now defers to a worker whatever may wait. */
static int runs_inline(void *cls, const char *method, const char *path)
{
    return ((serve_web *)cls)->handle_now != NULL;
}

/* --bind unix:PATH: a Unix-domain socket, mode 0660 (the owner and its
 * group: give nginx's workers the gateway's group, or the socket's
 * directory's). */
#define UNIX_PREFIX "unix:"
#define UNIX_MODE 0660

serve *serve_web_start(serve_web *w, const char *name, FILE *log, const char *bind, int port,
                       unsigned workers_max, unsigned event_threads, size_t body_max)
{
    serve_config cfg = {
        .name = name,
        .log = log,
        .listen_fd = -1,
        .body_max = body_max,
        .workers_max = workers_max,
        .event_threads = event_threads,
        .handle = handle,
        .runs_inline = runs_inline,
        .cls = w,
    };
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    if (strncmp(bind, UNIX_PREFIX, sizeof UNIX_PREFIX - 1) == 0) {
        char err[256];
        cfg.unix_path = bind + sizeof UNIX_PREFIX - 1;
        cfg.listen_fd = serve_listen_unix(cfg.unix_path, UNIX_MODE, err, sizeof err);
        if (cfg.listen_fd < 0) {
            fprintf(stderr, "%s: --bind %s: %s\n", name, bind, err);
            return NULL;
        }
    } else {
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, bind, &addr.sin_addr) != 1) {
            fprintf(stderr, "%s: --bind %s is not an IPv4 address or unix:PATH\n", name, bind);
            return NULL;
        }
        cfg.addr = (struct sockaddr *)&addr;
    }
    serve *s = serve_start(&cfg);
    if (!s && cfg.listen_fd >= 0) {
        close(cfg.listen_fd);
        unlink(cfg.unix_path);
    }
    if (!s)
        fprintf(stderr, "%s: cannot listen on %s:%d\n", name, bind, port);
    return s;
}
