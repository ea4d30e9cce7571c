/* libmicrohttpd glue, through the serving model of serve/ (event threads,
 * a worker per request being answered, so an injected delay holds only its
 * own request; the RFC 9112 checks; bodies collected up to a cap): the raw
 * query string parsed by our own parser (duplicates matter to OAuth), the
 * request answered by the routing table (routes.c), faults applied to the
 * finished reply, then the reply handed back to be sent. */
#include "emulator.h"
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY (64u * 1024)

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

static struct MHD_Response *to_mhd(emu_reply *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->body_len, r->body ? r->body : (char *)"", r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(r->body);
        r->body = NULL;
        return NULL;
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
    return resp;
}

static void handle(void *cls, serve_request *sq)
{
    struct MHD_Connection *c = sq->conn;
    const char *url = sq->path;
    emu_request q = {0};
    emu_reply r = {0};
    q.method = sq->method;
    q.path = url;
    q.body = sq->body;
    q.body_len = sq->body_len;
    q.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    q.cookie_session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, EMU_SESSION_COOKIE);
    q.from_loopback = is_loopback(c);
    const char *qs = strchr(sq->target, '?');
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    q.query_string = qs ? qs + 1 : NULL;
    q.content_type = ctype;
    q.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    int is_form = ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0;

    if (sq->body_too_big) {
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
    unsigned long generation = 0;
    pthread_mutex_lock(&emu.lock);
    emu_count(url);
    if (strncmp(url, "/_emulator/", 11) != 0)
        emu_fault_apply(url, &r, &delay);
    char *state = emu_state_dump(&generation);
    pthread_mutex_unlock(&emu.lock);
    emu_state_write(state, generation); /* --state: on disk before the reply */
    sleep_ms(delay); /* on a worker: no other request waits for it */

    if (!emu.cfg.quiet)
        fprintf(stderr, "kinde-emulator: %s %s -> %d\n", sq->method, url, r.status);
    sq->status = (unsigned)r.status;
    sq->response = to_mhd(&r);
    free(r.body);
    free(r.location);
    free(r.set_cookie);
    emu_form_free(&q.query);
    emu_form_free(&q.form);
}

serve *emu_server_start(int listen_fd)
{
    serve_config cfg = {
        .name = "kinde-emulator",
        .log = emu.cfg.quiet ? NULL : stderr,
        .listen_fd = listen_fd,
        .body_max = MAX_BODY,
        .handle = handle,
    };
    return serve_start(&cfg);
}

void emu_server_stop(serve *s)
{
    serve_stop(s);
}
