/* The back channel's rules (SECURITY.md C25, D27, D28), seen from the wire:
 * a loopback capture server records the raw requests the SDK sends and
 * answers what each test wants; openssl s_server stands in for a TLS peer.
 *
 *   C25  the bearer token travels only in "Authorization: Bearer ..."
 *   D28  CR/LF in a request value is refused before any connection;
 *        a 302 is not followed; an answer over the size cap is refused;
 *        the connect timeout holds
 *   D27  TLS peer and host verification: an untrusted certificate and a
 *        name mismatch fail at TLS, a trusted matching one gets through */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

/* Mirrors KINDE_HTTP_MAX_BODY in src/http.c: the boundary is tested exactly. */
#define CAP (512 * 1024)
#define MAX_RECORDS 16

/* ---- the capture server -------------------------------------------------- */

typedef struct capture {
    int fd;
    int port;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    char *response;            /* the raw answer to every request */
    size_t response_len;
    int connections;
    int n;                     /* requests recorded */
    char *requests[MAX_RECORDS]; /* raw request: head and body */
} capture;

static char *read_request(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t need = (size_t)-1; /* total length once the head is complete */
    while (buf && len < need) {
        if (len == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown) {
                free(buf);
                return NULL;
            }
            buf = grown;
        }
        ssize_t got = recv(fd, buf + len, cap - len, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        char *end = need == (size_t)-1 ? strstr(buf, "\r\n\r\n") : NULL;
        if (end) {
            size_t body = 0;
            for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
                if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
                    body = strtoul(line + 17, NULL, 10);
            need = (size_t)(end + 4 - buf) + body;
        }
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

static void *capture_main(void *arg)
{
    capture *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        int stop = c->stop;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            break;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(c->fd, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        char *req = read_request(fd);
        pthread_mutex_lock(&c->lock);
        c->connections++;
        if (req && *req && c->n < MAX_RECORDS) {
            c->requests[c->n++] = req;
            req = NULL;
        }
        /* The test may replace the answer (capture_answer frees the old one)
         * as soon as its client has read enough, which can be before this
         * send loop ends: send a copy this thread owns. */
        size_t left = c->response_len;
        char *copy = left ? malloc(left) : NULL;
        if (copy)
            memcpy(copy, c->response, left);
        else
            left = 0;
        pthread_mutex_unlock(&c->lock);
        free(req);
        const char *resp = copy;
        /* The client may hang up early (size cap): no SIGPIPE, stop there. */
        while (left > 0) {
            ssize_t sent = send(fd, resp, left, MSG_NOSIGNAL);
            if (sent <= 0)
                break;
            resp += sent;
            left -= (size_t)sent;
        }
        free(copy);
        shutdown(fd, SHUT_WR);
        close(fd);
    }
    return NULL;
}

static int listen_loopback(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, backlog), 0);
    socklen_t n = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void capture_start(capture *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->fd = listen_loopback(16, &c->port);
    assert_int_equal(pthread_create(&c->thread, NULL, capture_main, c), 0);
}

static void capture_stop(capture *c)
{
    pthread_mutex_lock(&c->lock);
    c->stop = 1;
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    close(c->fd);
    for (int i = 0; i < c->n; i++)
        free(c->requests[i]);
    free(c->response);
    pthread_mutex_destroy(&c->lock);
}

/* Every later request gets this answer: status line, extra header lines
 * (each ending in \r\n, or NULL), the body; Content-Length unless
 * close_delimited. */
static void capture_answer(capture *c, const char *status_line, const char *headers,
                           const char *body, size_t body_len, int close_delimited)
{
    char head[512];
    int n;
    if (close_delimited)
        n = snprintf(head, sizeof head, "%s\r\nConnection: close\r\n%s\r\n", status_line,
                     headers ? headers : "");
    else
        n = snprintf(head, sizeof head, "%s\r\nConnection: close\r\nContent-Length: %zu\r\n%s\r\n",
                     status_line, body_len, headers ? headers : "");
    assert_true(n > 0 && (size_t)n < sizeof head);
    char *r = malloc((size_t)n + body_len);
    assert_non_null(r);
    memcpy(r, head, (size_t)n);
    memcpy(r + n, body, body_len);
    pthread_mutex_lock(&c->lock);
    free(c->response);
    c->response = r;
    c->response_len = (size_t)n + body_len;
    pthread_mutex_unlock(&c->lock);
}

/* Every later request gets this JSON answer. */
static void capture_json(capture *c, const char *status_line, const char *json)
{
    capture_answer(c, status_line, "Content-Type: application/json\r\n", json, strlen(json), 0);
}

static int capture_count(capture *c)
{
    pthread_mutex_lock(&c->lock);
    int n = c->n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* The i-th recorded request (stays valid until capture_stop). */
static const char *capture_request(capture *c, int i)
{
    pthread_mutex_lock(&c->lock);
    const char *r = i < c->n ? c->requests[i] : NULL;
    pthread_mutex_unlock(&c->lock);
    return r;
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

/* ---- clients and sessions ---------------------------------------------- */

/* connect_ms, total_ms: 0 for 5 s and 10 s. */
static kinde_client *client_for(const char *domain, const char *ca_file, long connect_ms,
                                long total_ms, kinde_error *err)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = domain;
    cfg.client_id = "cid";
    cfg.client_secret = "csecret";
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.ca_file = ca_file;
    cfg.http_timeout_ms = total_ms > 0 ? total_ms : 10000;
    if (connect_ms > 0)
        cfg.connect_timeout_ms = connect_ms;
    kinde_client *c = NULL;
    kinde_code rc = kinde_client_new(&cfg, &c, err);
    if (rc != KINDE_OK)
        fail_msg("client for %s: %s", domain, err ? err->text : kinde_code_name(rc));
    return c;
}

static kinde_client *client_to(const capture *cap)
{
    char domain[64];
    snprintf(domain, sizeof domain, "http://127.0.0.1:%d", cap->port);
    return client_for(domain, NULL, 0, 0, NULL);
}

/* A session holding access_token (as given) for user kp_1, and a refresh token. */
static kinde_session *session_with(const char *access_token)
{
    kinde_session *s = kinde_session_new();
    assert_non_null(s);
    kinde__jdoc *claims = tu_jdoc("{\"sub\":\"kp_1\",\"exp\":4102444800}");
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup(access_token), claims, NULL, NULL,
                                               kinde__strdup("rt_secret_refresh"), NULL),
                     KINDE_OK);
    return s;
}

#define TOKEN "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrcF8xIiwibWFyayI6MX0.c2lnbmF0dXJlLW1hcmtlcg"

/* ---- C25 ------------------------------------------------------------------ */

static void bearer_only_in_authorization_header(void **state)
{
    capture cap;
    capture_start(&cap);
    const char *profile = "{\"sub\":\"kp_1\",\"email\":\"a@b.example\"}";
    capture_json(&cap, "HTTP/1.1 200 OK", profile);
    kinde_client *c = client_to(&cap);
    kinde_session *s = session_with(TOKEN);
    char *out = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_OK);
    assert_non_null(strstr(out, "a@b.example"));
    kinde_free(out);

    assert_int_equal(capture_count(&cap), 1);
    const char *req = capture_request(&cap, 0);
    /* A GET of the profile path, no query, no body. */
    assert_true(strncmp(req, "GET /oauth2/v2/user_profile HTTP/1.1\r\n", 38) == 0);
    const char *head_end = strstr(req, "\r\n\r\n");
    assert_non_null(head_end);
    assert_string_equal(head_end, "\r\n\r\n");
    /* The token once, on the Authorization line, exactly. */
    assert_int_equal(occurrences(req, TOKEN), 1);
    assert_int_equal(occurrences(req, "Authorization: Bearer " TOKEN "\r\n"), 1);
    assert_int_equal(occurrences(req, "Authorization:"), 1);
    const char *line_end = strstr(req, "\r\n");
    assert_null(memchr(req, '?', (size_t)(line_end - req)));

    /* Also at the internal layer: with a form body, the bearer is still
     * only in the header and never copied into the body. */
    kinde__http_response resp;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/any", cap.port);
    assert_int_equal(kinde__http_request(c, url, "a=1&b=2", TOKEN, &resp, &err), KINDE_OK);
    assert_int_equal(resp.status, 200);
    kinde__http_response_clear(&resp);
    assert_int_equal(capture_count(&cap), 2);
    req = capture_request(&cap, 1);
    assert_true(strncmp(req, "POST /any HTTP/1.1\r\n", 20) == 0);
    assert_int_equal(occurrences(req, TOKEN), 1);
    assert_int_equal(occurrences(req, "Authorization: Bearer " TOKEN "\r\n"), 1);
    assert_string_equal(strstr(req, "\r\n\r\n"), "\r\n\r\na=1&b=2");

    /* A refresh sends its refresh token in the form body, and no
     * Authorization header at all (the token endpoint takes none). */
    const char *bad = "{\"error\":\"invalid_grant\"}";
    capture_json(&cap, "HTTP/1.1 400 Bad Request", bad);
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_E_OAUTH);
    assert_int_equal(capture_count(&cap), 3);
    req = capture_request(&cap, 2);
    assert_true(strncmp(req, "POST /oauth2/token HTTP/1.1\r\n", 29) == 0);
    assert_int_equal(occurrences(req, TOKEN), 0);
    assert_int_equal(occurrences(req, "Authorization:"), 0);
    assert_int_equal(occurrences(strstr(req, "\r\n\r\n"), "refresh_token=rt_secret_refresh"), 1);
    assert_int_equal(occurrences(req, "rt_secret_refresh"), 1);

    kinde_session_free(s);
    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- audiences ------------------------------------------------------------ */

/* Every audience asked for goes on the wire, however many: none is dropped
 * (an API left out would make the token useless there, without an error). */
static void every_audience_is_sent(void **state)
{
    capture cap;
    capture_start(&cap);
    capture_json(&cap, "HTTP/1.1 400 Bad Request", "{\"error\":\"invalid_request\"}");
    kinde_client *c = client_to(&cap);
    char list[40 * 32] = "";
    for (int i = 1; i <= 40; i++) {
        char one[32];
        snprintf(one, sizeof one, "%shttps://api%d.example", i > 1 ? " " : "", i);
        strcat(list, one);
    }
    char *token = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_m2m_token(c, list, &token, NULL, &err), KINDE_E_OAUTH);
    assert_null(token);
    assert_int_equal(capture_count(&cap), 1);
    const char *body = strstr(capture_request(&cap, 0), "\r\n\r\n");
    assert_non_null(body);
    assert_int_equal(occurrences(body, "&audience="), 40);
    assert_int_equal(occurrences(body, "audience=https%3A%2F%2Fapi40.example"), 1);
    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- methods, JSON bodies and rate-limit headers (the Management API) ---- */

static void methods_bodies_and_wait_headers(void **state)
{
    capture cap;
    capture_start(&cap);
    kinde_client *c = client_to(&cap);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/x?a=1", cap.port);
    kinde__http_response resp;
    kinde_error err;
    capture_answer(&cap, "HTTP/1.1 429 Too Many Requests",
                   "RateLimit-Reset: 7\r\nRetry-After: 9\r\n", "{}", 2, 0);
    kinde__http_req req = {.method = "PUT", .url = url, .bearer = TOKEN,
                           .content_type = "application/json", .body = "{\"k\":1}", .body_len = 7};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_OK);
    assert_int_equal(resp.status, 429);
    assert_int_equal(resp.ratelimit_reset, 7);
    assert_int_equal(resp.retry_after, 9);
    kinde__http_response_clear(&resp);
    const char *r = capture_request(&cap, 0);
    assert_true(strncmp(r, "PUT /api/v1/x?a=1 HTTP/1.1\r\n", strlen("PUT /api/v1/x?a=1 HTTP/1.1\r\n")) == 0);
    assert_int_equal(occurrences(r, "Content-Type: application/json\r\n"), 1);
    assert_int_equal(occurrences(r, "Expect:"), 0);
    assert_string_equal(strstr(r, "\r\n\r\n"), "\r\n\r\n{\"k\":1}");

    /* DELETE without a body sends none; PATCH without one sends an empty one. */
    capture_answer(&cap, "HTTP/1.1 200 OK", "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n", "", 0, 0);
    req = (kinde__http_req){.method = "DELETE", .url = url};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_OK);
    assert_int_equal(resp.ratelimit_reset, -1);
    assert_int_equal(resp.retry_after, -1); /* a date: left to the backoff */
    kinde__http_response_clear(&resp);
    r = capture_request(&cap, 1);
    assert_true(strncmp(r, "DELETE /api/v1/x?a=1 HTTP/1.1\r\n", strlen("DELETE /api/v1/x?a=1 HTTP/1.1\r\n")) == 0);
    assert_int_equal(occurrences(r, "Content-Length"), 0);
    req = (kinde__http_req){.method = "PATCH", .url = url};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_OK);
    kinde__http_response_clear(&resp);
    r = capture_request(&cap, 2);
    assert_true(strncmp(r, "PATCH /api/v1/x?a=1 HTTP/1.1\r\n", strlen("PATCH /api/v1/x?a=1 HTTP/1.1\r\n")) == 0);
    assert_int_equal(occurrences(r, "Content-Length: 0\r\n"), 1);

    /* Malformed wait headers are not read as a number. */
    capture_answer(&cap, "HTTP/1.1 429 Too Many Requests",
                   "RateLimit-Reset: 5x\r\nRetry-After: -3\r\n", "", 0, 0);
    req = (kinde__http_req){.url = url};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_OK);
    assert_int_equal(resp.ratelimit_reset, -1);
    assert_int_equal(resp.retry_after, -1);
    kinde__http_response_clear(&resp);

    /* Refused before connecting: an unknown method, CR/LF in the content type. */
    int before = capture_count(&cap);
    req = (kinde__http_req){.method = "TRACE", .url = url};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_E_INVALID_ARGUMENT);
    req = (kinde__http_req){.method = "POST", .url = url, .content_type = "a\r\nX-Evil: 1",
                            .body = "{}", .body_len = 2};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(capture_count(&cap), before);

    /* A per-request cap below the default. */
    capture_answer(&cap, "HTTP/1.1 200 OK", NULL, "0123456789", 10, 0);
    req = (kinde__http_req){.url = url, .max_body = 9};
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_E_HTTP);
    req.max_body = 10;
    assert_int_equal(kinde__http_send(c, &req, &resp, &err), KINDE_OK);
    kinde__http_response_clear(&resp);

    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- D28: CR/LF ----------------------------------------------------------- */

static void crlf_refused_before_connecting(void **state)
{
    capture cap;
    capture_start(&cap);
    const char *profile = "{\"sub\":\"kp_1\"}";
    capture_answer(&cap, "HTTP/1.1 200 OK", NULL, profile, strlen(profile), 0);
    kinde_client *c = client_to(&cap);
    kinde_error err;
    char *out = NULL;

    /* Through the public API: an access token carrying a header. */
    const char *tokens[] = {TOKEN "\r\nX-Injected: 1", TOKEN "\nX-Injected: 1", TOKEN "\rX-Injected: 1",
                            "\r\n", TOKEN "\r\n\r\nGET /smuggled HTTP/1.1"};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        kinde_session *s = session_with(tokens[i]);
        memset(&err, 0, sizeof err);
        assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_INVALID_ARGUMENT);
        assert_null(out);
        assert_string_equal(err.text, "CR or LF in a request value");
        kinde_session_free(s);
    }
    /* At the internal layer: the bearer and the URL. */
    kinde__http_response resp;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a\r\nX-Injected: 1", cap.port);
    /* (Unreachable through the API: kinde_client_new refuses CR/LF in the
     * domain, and every URL is built from it.) */
    assert_int_equal(kinde__http_request(c, url, NULL, NULL, &resp, &err), KINDE_E_INVALID_ARGUMENT);
    assert_string_equal(err.text, "CR or LF in a request value");
    assert_null(resp.body);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a", cap.port);
    assert_int_equal(kinde__http_request(c, url, "a=1", "x\ny", &resp, &err), KINDE_E_INVALID_ARGUMENT);
    assert_string_equal(err.text, "CR or LF in a request value");
    /* Not even a request counted. */
    assert_int_equal(c->requests, 0);

    /* No connection was made: the first one the server sees is this probe. */
    kinde_session *s = session_with(TOKEN);
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_OK);
    kinde_free(out);
    kinde_session_free(s);
    assert_int_equal(capture_count(&cap), 1);
    pthread_mutex_lock(&cap.lock);
    assert_int_equal(cap.connections, 1);
    pthread_mutex_unlock(&cap.lock);
    assert_null(strstr(capture_request(&cap, 0), "X-Injected"));
    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- D28: no redirects ---------------------------------------------------- */

static void redirect_not_followed(void **state)
{
    capture cap;
    capture_start(&cap);
    char loc[128];
    /* To the same server: a follow would show as a second request. */
    snprintf(loc, sizeof loc, "Location: http://127.0.0.1:%d/followed\r\n", cap.port);
    const char *body = "{\"sub\":\"kp_1\"}";
    capture_answer(&cap, "HTTP/1.1 302 Found", loc, body, strlen(body), 0);
    kinde_client *c = client_to(&cap);
    kinde_session *s = session_with(TOKEN);
    kinde_error err;
    char *out = NULL;

    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 302);
    assert_null(out);
    /* The token endpoint (refresh) and the key set: the same. */
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 302);
    assert_int_equal(kinde_verify_token(c, TOKEN, KINDE_ACCESS_TOKEN, NULL, &err), KINDE_E_JWKS);
    assert_int_equal(err.http_status, 302);
    assert_int_equal(c->requests, 3);

    /* Probe: the next request the server records is the fourth. */
    const char *ok = "{\"sub\":\"kp_1\"}";
    capture_answer(&cap, "HTTP/1.1 200 OK", NULL, ok, strlen(ok), 0);
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_OK);
    kinde_free(out);
    assert_int_equal(capture_count(&cap), 4);
    const char *expect[] = {"GET /oauth2/v2/user_profile ", "POST /oauth2/token ",
                            "GET /.well-known/jwks.json ", "GET /oauth2/v2/user_profile "};
    for (int i = 0; i < 4; i++) {
        const char *r = capture_request(&cap, i);
        if (strncmp(r, expect[i], strlen(expect[i])) != 0)
            fail_msg("request %d: %.60s", i, r);
        assert_null(strstr(r, "/followed"));
    }
    kinde_session_free(s);
    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- D28: the size cap ---------------------------------------------------- */

static void size_cap(void **state)
{
    capture cap;
    capture_start(&cap);
    kinde_client *c = client_to(&cap);
    kinde_error err;
    kinde__http_response resp;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/big", cap.port);
    char *body = malloc(2 * CAP);
    assert_non_null(body);
    memset(body, 'A', 2 * CAP);

    /* Exactly the cap is read whole, with or without Content-Length. */
    for (int close_delimited = 0; close_delimited < 2; close_delimited++) {
        capture_answer(&cap, "HTTP/1.1 200 OK", NULL, body, CAP, close_delimited);
        assert_int_equal(kinde__http_request(c, url, NULL, NULL, &resp, &err), KINDE_OK);
        assert_int_equal(resp.len, CAP);
        kinde__http_response_clear(&resp);
    }
    /* One byte more, and twice the cap: refused, with or without a
     * Content-Length announcing it. */
    const size_t over[] = {CAP + 1, 2 * CAP};
    for (size_t i = 0; i < 2; i++) {
        for (int close_delimited = 0; close_delimited < 2; close_delimited++) {
            capture_answer(&cap, "HTTP/1.1 200 OK", NULL, body, over[i], close_delimited);
            memset(&err, 0, sizeof err);
            assert_int_equal(kinde__http_request(c, url, NULL, NULL, &resp, &err), KINDE_E_HTTP);
            assert_null(resp.body);
            assert_int_equal(resp.len, 0);
            char want[64];
            snprintf(want, sizeof want, "larger than %d bytes", CAP);
            if (!strstr(err.text, want))
                fail_msg("%zu bytes%s: '%s'", over[i], close_delimited ? " (no length)" : "", err.text);
        }
    }
    /* Through the public API: a profile answer over the cap. */
    capture_answer(&cap, "HTTP/1.1 200 OK", "Content-Type: application/json\r\n", body, CAP + 1, 1);
    kinde_session *s = session_with(TOKEN);
    char *out = NULL;
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_HTTP);
    assert_non_null(strstr(err.text, "larger than"));
    assert_null(out);
    kinde_session_free(s);
    free(body);
    kinde_client_free(c);
    capture_stop(&cap);
}

/* ---- D28: the connect timeout --------------------------------------------- */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A listening socket that never accepts, backlog 0: once its accept queue
 * holds a connection, Linux drops further SYNs, so a connect hangs (the
 * client retransmits its SYN after 1 s, 3 s...) until the caller gives up. */
static void connect_timeout_holds(void **state)
{
    int port;
    int lfd = listen_loopback(0, &port);
    int fillers[8], n_fill = 0, hanging = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (n_fill < 8 && !hanging) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        fillers[n_fill++] = fd;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            continue;
        assert_int_equal(errno, EINPROGRESS);
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        hanging = poll(&p, 1, 300) == 0; /* still no handshake after 300 ms */
    }
    if (!hanging)
        skip(); /* this kernel does not drop SYNs to a full queue: not deterministic here */

    char domain[64];
    snprintf(domain, sizeof domain, "http://127.0.0.1:%d", port);
    kinde_client *c = client_for(domain, NULL, 300, 0, NULL); /* total: 10 s */
    kinde_session *s = session_with(TOKEN);
    kinde_error err;
    char *out = NULL;
    double t0 = now_seconds();
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_HTTP);
    double took = now_seconds() - t0;
    if (took < 0.25 || took > 4.0) /* 5 s would be the default connect timeout, 10 s the total */
        fail_msg("connect timeout 300 ms, the call took %.3f s (%s)", took, err.text);
    if (!strstr(err.text, "imeout") && !strstr(err.text, "timed out"))
        fail_msg("not a timeout: '%s'", err.text);
    kinde_session_free(s);
    kinde_client_free(c);
    for (int i = 0; i < n_fill; i++)
        close(fillers[i]);
    close(lfd);
}

/* ---- D27: TLS with openssl s_server ------------------------------------- */

typedef struct tls_fixture {
    char dir[64];
    char cert[128];
    pid_t server;
    int port;
} tls_fixture;

static tls_fixture tls;

/* Timeouts of the TLS clients: the failures asserted are TLS ones, never a
 * timeout, even under valgrind on a loaded machine, where loading the system
 * CA store and a handshake can take seconds. */
#define TLS_MS 90000

/* Run argv with stdout and stderr to the file out (or /dev/null); returns
 * the pid (wait == 0) or the exit status (wait != 0). */
static int run(const char *const *argv, const char *out, int wait)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (fd < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (!wait)
        return pid;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int tls_teardown(void **state);

static int tls_setup(void **state)
{
    memset(&tls, 0, sizeof tls);
    snprintf(tls.dir, sizeof tls.dir, "/tmp/kinde-http-XXXXXX");
    if (!mkdtemp(tls.dir))
        return -1;
    char key[128], log[128];
    snprintf(tls.cert, sizeof tls.cert, "%s/cert.pem", tls.dir);
    snprintf(key, sizeof key, "%s/key.pem", tls.dir);
    snprintf(log, sizeof log, "%s/s_server.log", tls.dir);
    /* Self-signed, for the name localhost only (no IP address in the SAN). */
    const char *req[] = {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", tls.cert, "-days", "1", "-subj", "/CN=localhost",
                         "-addext", "subjectAltName=DNS:localhost", NULL};
    if (run(req, NULL, 1) != 0) {
        fprintf(stderr, "openssl req failed (is the openssl binary installed?)\n");
        tls_teardown(state);
        return -1;
    }
    const char *srv[] = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", tls.cert,
                         "-key", key, "-www", NULL};
    tls.server = run(srv, log, 0);
    if (tls.server <= 0) {
        tls.server = 0;
        tls_teardown(state);
        return -1;
    }
    /* s_server prints "ACCEPT 127.0.0.1:PORT" once listening. */
    for (int i = 0; i < 1200 && !tls.port; i++) {
        FILE *f = fopen(log, "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "ACCEPT 127.0.0.1:", 17) == 0)
                tls.port = (int)strtol(line + 17, NULL, 10);
        if (f)
            fclose(f);
        if (!tls.port)
            usleep(25000);
    }
    if (!tls.port) {
        fprintf(stderr, "openssl s_server did not start\n");
        tls_teardown(state); /* cmocka runs no teardown after a failed setup */
        return -1;
    }
    return 0;
}

static int tls_teardown(void **state)
{
    if (tls.server > 0) {
        kill(tls.server, SIGTERM);
        waitpid(tls.server, NULL, 0);
        tls.server = 0;
    }
    if (tls.dir[0]) {
        char path[160];
        const char *files[] = {"cert.pem", "key.pem", "s_server.log"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", tls.dir, files[i]);
            unlink(path);
        }
        rmdir(tls.dir);
        tls.dir[0] = '\0';
    }
    return 0;
}

static void tls_verification(void **state)
{
    kinde_error err;
    kinde__http_response resp;
    char domain[64], url[128];
    char *out = NULL;
    kinde_session *s = session_with(TOKEN);

    /* 1. Untrusted (self-signed, not in the default CA store). */
    snprintf(domain, sizeof domain, "https://127.0.0.1:%d", tls.port);
    kinde_client *c = client_for(domain, NULL, TLS_MS, TLS_MS, NULL);
    snprintf(url, sizeof url, "%s/probe", domain);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde__http_request(c, url, NULL, NULL, &resp, &err), KINDE_E_HTTP);
    print_message("untrusted: %s\n", err.text);
    if (!strstr(err.text, "certificate"))
        fail_msg("untrusted certificate: '%s'", err.text);
    assert_int_equal(err.http_status, 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_HTTP);
    if (!strstr(err.text, "certificate"))
        fail_msg("untrusted certificate, profile: '%s'", err.text);
    kinde_client_free(c);

    /* 1b. Untrusted with the right name (localhost): only the peer check
     *     can refuse it; host verification alone would let it through. */
    char local[64], local_url[128];
    snprintf(local, sizeof local, "https://localhost:%d", tls.port);
    snprintf(local_url, sizeof local_url, "%s/probe", local);
    c = client_for(local, NULL, TLS_MS, TLS_MS, NULL);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde__http_request(c, local_url, NULL, NULL, &resp, &err), KINDE_E_HTTP);
    print_message("untrusted, name matching: %s\n", err.text);
    if (!strstr(err.text, "certificate"))
        fail_msg("untrusted certificate for localhost: '%s'", err.text);
    kinde_client_free(c);

    /* 2. Trusted (ca_file), but the name does not match: the SAN says
     *    localhost, the URL 127.0.0.1. */
    c = client_for(domain, tls.cert, TLS_MS, TLS_MS, NULL);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde__http_request(c, url, NULL, NULL, &resp, &err), KINDE_E_HTTP);
    print_message("name mismatch: %s\n", err.text);
    if (!strstr(err.text, "127.0.0.1") || !strstr(err.text, "certificate"))
        fail_msg("name mismatch: '%s'", err.text);
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_HTTP);
    kinde_client_free(c);

    /* 3. Trusted and matching: TLS succeeds and the refusals are about the
     *    answer (s_server -www serves an HTML status page). */
    snprintf(domain, sizeof domain, "https://localhost:%d", tls.port);
    snprintf(url, sizeof url, "%s/probe", domain);
    c = client_for(domain, tls.cert, TLS_MS, TLS_MS, NULL);
    memset(&err, 0, sizeof err);
    kinde_code rc = kinde__http_request(c, url, NULL, NULL, &resp, &err);
    if (rc != KINDE_OK)
        fail_msg("https://localhost with ca_file: %s '%s'", kinde_code_name(rc), err.text);
    assert_int_equal(resp.status, 200);
    assert_true(resp.len > 0);
    assert_non_null(strstr(resp.body, "s_server"));
    kinde__http_response_clear(&resp);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_get_user_profile(c, s, &out, &err), KINDE_E_BAD_RESPONSE);
    if (!strstr(err.text, "user_profile: not JSON"))
        fail_msg("profile: '%s'", err.text);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_verify_token(c, TOKEN, KINDE_ACCESS_TOKEN, NULL, &err), KINDE_E_JWKS);
    print_message("trusted, JWKS: %s\n", err.text);
    if (strstr(err.text, "certificate") || strstr(err.text, "SSL") || !strstr(err.text, "JSON"))
        fail_msg("JWKS: '%s'", err.text);
    kinde_client_free(c);
    kinde_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bearer_only_in_authorization_header),
        cmocka_unit_test(every_audience_is_sent),
        cmocka_unit_test(crlf_refused_before_connecting),
        cmocka_unit_test(methods_bodies_and_wait_headers),
        cmocka_unit_test(redirect_not_followed),
        cmocka_unit_test(size_cap),
        cmocka_unit_test(connect_timeout_holds),
        cmocka_unit_test_setup_teardown(tls_verification, tls_setup, tls_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
