/* libmicrohttpd glue: one thread per connection (so an injected delay holds
 * only its own request), bodies collected up to a cap, the raw query string
 * parsed by our own parser (duplicates matter to OAuth), the request
 * answered by the routing table (routes.c), faults applied to the finished
 * reply, then the reply sent. */
#include "emulator.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY (64u * 1024)

typedef struct conn_ctx {
    char *uri;      /* raw request target, query included */
    strbuf body;
    int too_big;
    int started;
} conn_ctx;

void emu_reply_json(emu_reply *r, int status, json_t *body)
{
    r->status = status;
    r->content_type = "application/json";
    free(r->body);
    r->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    r->body_len = r->body ? strlen(r->body) : 0;
    json_decref(body);
    if (!r->body)
        r->status = 500;
}

void emu_reply_oauth_error(emu_reply *r, int status, const char *error, const char *description)
{
    emu_reply_json(r, status, json_pack("{s:s, s:s}", "error", error, "error_description", description));
    r->no_store = 1;
    if (status == 401)
        r->www_authenticate = "Basic realm=\"kinde-emulator\"";
}

void emu_reply_html(emu_reply *r, int status, char *html)
{
    r->status = html ? status : 500;
    r->content_type = "text/html; charset=utf-8";
    free(r->body);
    r->body = html;
    r->body_len = html ? strlen(html) : 0;
    r->no_store = 1;
}

void emu_reply_redirect(emu_reply *r, char *location)
{
    r->status = location ? 302 : 500;
    free(r->location);
    r->location = location;
    r->no_store = 1;
}

void emu_reply_page(emu_reply *r, int status, const char *title, const char *text)
{
    emu_reply_html(r, status, emu_page_message(title, text));
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
    conn_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx)
        ctx->uri = strdup(uri ? uri : "");
    return ctx;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->uri);
        strbuf_free(&ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

static int is_loopback(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return 0;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

static void sleep_ms(long ms)
{
    while (ms > 0 && !emu.stopping) {
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static enum MHD_Result send_reply(struct MHD_Connection *c, emu_reply *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->body_len, r->body ? r->body : (char *)"", r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        r->body = NULL;
        return MHD_NO;
    }
    r->body = NULL; /* the response owns it now */
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->set_cookie)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->www_authenticate)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, r->www_authenticate);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->rate_limit_reset[0]) {
        MHD_add_response_header(resp, "RateLimit-Reset", r->rate_limit_reset);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, r->rate_limit_reset);
    }
    if (r->no_store) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
    }
    if (r->content_type && strncmp(r->content_type, "text/html", 9) == 0) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    }
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_size,
                              void **con_cls)
{
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return MHD_NO;
    if (!ctx->started) { /* headers only: answer once the whole body is in */
        ctx->started = 1;
        return MHD_YES;
    }
    if (*upload_size > 0) { /* the body arrives in pieces; keep up to the cap */
        if (ctx->body.len + *upload_size > MAX_BODY)
            ctx->too_big = 1;
        else
            strbuf_add(&ctx->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }

    emu_request q = {0};
    emu_reply r = {0};
    q.method = method;
    q.path = url;
    q.body = ctx->body.data ? ctx->body.data : "";
    q.body_len = ctx->body.len;
    q.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    q.cookie_session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, EMU_SESSION_COOKIE);
    q.from_loopback = is_loopback(c);
    const char *qs = strchr(ctx->uri, '?');
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    q.query_string = qs ? qs + 1 : NULL;
    q.content_type = ctype;
    q.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    int is_form = ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0;

    if (ctx->too_big || ctx->body.failed) {
        emu_reply_oauth_error(&r, 413, "invalid_request", "request body too large");
    } else if (emu_form_parse(qs ? qs + 1 : "", qs ? strlen(qs + 1) : 0, &q.query) != 0) {
        emu_reply_oauth_error(&r, 400, "invalid_request", "malformed query string");
    } else if (is_form && emu_form_parse(q.body, q.body_len, &q.form) != 0) {
        emu_reply_oauth_error(&r, 400, "invalid_request", "malformed form body");
    } else {
        emu_dispatch(&q, &r);
    }
    if (r.status == 0)
        r.status = 500;

    long delay = 0;
    pthread_mutex_lock(&emu.lock);
    emu_count(url);
    if (strncmp(url, "/_emulator/", 11) != 0)
        emu_fault_apply(url, &r, &delay);
    pthread_mutex_unlock(&emu.lock);
    sleep_ms(delay);

    if (!emu.cfg.quiet)
        fprintf(stderr, "kinde-emulator: %s %s -> %d\n", method, url, r.status);
    enum MHD_Result ret = send_reply(c, &r);
    free(r.body);
    free(r.location);
    free(r.set_cookie);
    emu_form_free(&q.query);
    emu_form_free(&q.form);
    return ret;
}

struct MHD_Daemon *emu_server_start(int listen_fd)
{
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
    if (!emu.cfg.quiet)
        flags |= MHD_USE_ERROR_LOG;
    return MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
                            MHD_OPTION_LISTEN_SOCKET, listen_fd,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
                            MHD_OPTION_END);
}

void emu_server_stop(struct MHD_Daemon *d)
{
    MHD_stop_daemon(d);
}
