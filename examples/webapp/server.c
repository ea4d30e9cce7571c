/* The HTTP server: libmicrohttpd, through the serving model of serve/ (event
 * threads, a worker pool, the RFC 9112 checks), and nothing else knows it.
 * Turns a checked request into a web_request; answers it with app_handle_now
 * on the event thread when it needs neither Kinde nor the network (static
 * files, most home page views), else with app_handle on a worker; turns the
 * web_response into libmicrohttpd's, with the headers every answer carries. */
#include <arpa/inet.h>
#include <kinde/management.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "forms.h"
#include "serve.h"

static struct MHD_Response *to_mhd(web_response *r)
{
    size_t len = 0;
    char *body = strbuf_take(&r->body, &len);
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(body);
        return NULL;
    }
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
    if (r->no_store) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
    }
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
    return resp;
}

static const char *header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static void handle(void *cls, serve_request *sq)
{
    app *a = cls;
    if (!__atomic_load_n(&a->site.client, __ATOMIC_ACQUIRE))
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
        if (app_handle_now(a, &wq, &r) != 0) {
            sq->defer = 1;
            web_response_free(&r);
            return;
        }
    } else {
        app_handle(a, &wq, &r);
    }
    sq->status = r.status;
    sq->response = to_mhd(&r);
    web_response_free(&r);
}

/* Every request is tried on the event thread; app_handle_now defers to a
 * worker whatever may wait. */
static int runs_inline(void *cls, const char *method, const char *path)
{
    return 1;
}

int server_start(app *a)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)a->port);
    if (inet_pton(AF_INET, a->bind, &addr.sin_addr) != 1) {
        fprintf(stderr, "kinde-webapp: --bind %s is not an IPv4 address\n", a->bind);
        return -1;
    }
    serve_config cfg = {
        .name = "kinde-webapp",
        .log = a->quiet ? NULL : stderr,
        .listen_fd = -1,
        .addr = (struct sockaddr *)&addr,
        /* The larger of the two bodies the app reads: Kinde's webhooks whole
         * (KINDE_WEBHOOK_BODY_MAX); the sign-out form has its own, smaller
         * limit (web_signout). */
        .body_max = KINDE_WEBHOOK_BODY_MAX > FORM_BODY_MAX ? KINDE_WEBHOOK_BODY_MAX : FORM_BODY_MAX,
        .workers_max = a->workers,
        .handle = handle,
        .runs_inline = runs_inline,
        .cls = a,
    };
    serve *s = serve_start(&cfg);
    if (!s) {
        fprintf(stderr, "kinde-webapp: cannot listen on %s:%d\n", a->bind, a->port);
        return -1;
    }
    a->port = serve_port(s);
    a->server = s;
    return 0;
}

void server_stop(app *a)
{
    serve_stop(a->server);
    a->server = NULL;
}
