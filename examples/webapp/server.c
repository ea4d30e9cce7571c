/* The HTTP server: libmicrohttpd, and nothing else knows it. Reads a request
 * (headers, then a POST body up to FORM_BODY_MAX) into a web_request, hands
 * it to app_handle, and sends the web_response it gets back with the
 * headers every answer carries. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "forms.h"

/* Per-request state, created by the URI logger before headers are parsed. */
typedef struct request {
    char *uri;          /* the raw request target, query included */
    strbuf body;           /* POST body, up to FORM_BODY_MAX */
    int body_too_big;
    int started;        /* the first call (headers only) has been seen */
} request;

static enum MHD_Result send_response(struct MHD_Connection *c, web_response *r)
{
    size_t len = 0;
    char *body = strbuf_take(&r->body, &len);
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(body);
        return MHD_NO;
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
    if (r->etag) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
    }
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static const char *header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    request *q = calloc(1, sizeof *q);
    if (q) {
        strbuf_init(&q->body);
        q->uri = strdup(uri ? uri : "/");
    }
    return q;
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request *q = *req_cls;
    if (!q)
        return;
    /* Bodies carry CSRF tokens and URIs carry codes and states (C26). */
    if (q->body.data)
        OPENSSL_cleanse(q->body.data, q->body.len);
    strbuf_free(&q->body);
    if (q->uri)
        OPENSSL_cleanse(q->uri, strlen(q->uri));
    free(q->uri);
    free(q);
    *req_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    app *a = cls;
    request *q = *req_cls;
    if (!q || !q->uri)
        return MHD_NO;
    if (!__atomic_load_n(&a->site.client, __ATOMIC_ACQUIRE))
        return MHD_NO; /* still starting: the ready file is not written yet */
    int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (!q->started) {
        /* Headers only. Answer on a later call, once the request is fully
         * read, for every method: libmicrohttpd 0.9.75 closes the connection
         * after a response queued on this first call (no keep-alive). */
        q->started = 1;
        return MHD_YES;
    }
    if (*upload_size) {
        /* A body is read to its end before answering, whatever the method;
         * only a POST's is kept (other methods' bodies mean nothing here). */
        if (is_post && q->body.len + *upload_size > FORM_BODY_MAX)
            q->body_too_big = 1;
        else if (is_post)
            strbuf_add(&q->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strbuf_ok(&q->body))
        return MHD_NO;

    web_request wq = {
        .method = method,
        .path = url,
        .target = q->uri,
        .body = q->body.data,
        .body_len = q->body.len,
        .body_too_big = q->body_too_big,
        .header = header_of,
        .ctx = c,
    };
    web_response r;
    web_response_init(&r);
    app_handle(a, &wq, &r);
    enum MHD_Result ret = send_response(c, &r);
    web_response_free(&r);
    return ret;
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
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
            (a->quiet ? 0 : MHD_USE_ERROR_LOG),
        0, NULL, NULL, handle, a,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, log_uri, a,
        MHD_OPTION_NOTIFY_COMPLETED, completed, a,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "kinde-webapp: cannot listen on %s:%d\n", a->bind, a->port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        a->port = info->port;
    a->daemon = d;
    return 0;
}

void server_stop(app *a)
{
    if (a->daemon)
        MHD_stop_daemon(a->daemon);
    a->daemon = NULL;
}
