/* The Management API client against the emulator (docs: the contract in
 * tools/emulator/README.md): every operation of the table on the wire
 * (method, path, query, body from /_emulator/api-log), paging, 429 waited
 * out and past the budget, 401 then one new token, many threads and one
 * token request, a webhook signed by the emulator, and `kinde api`'s
 * library path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <kinde/management.h>

#include "harness.h"
#include "testutil.h"

#define NOT_MODELLED "NOT_IMPLEMENTED_IN_EMULATOR"

static kinde_mgmt *new_mgmt(kinde_client *c, long backoff_ms, long budget_ms)
{
    kinde_mgmt_options o;
    kinde_mgmt_options_init(&o);
    o.backoff_initial_ms = backoff_ms;
    o.backoff_max_ms = backoff_ms * 8;
    o.rate_limit_budget_ms = budget_ms;
    kinde_mgmt *m = NULL;
    kinde_error err;
    if (kinde_mgmt_new(c, &o, &m, &err) != KINDE_OK)
        fail_msg("kinde_mgmt_new: %s", err.text);
    return m;
}

/* The emulator's log of Management API requests (a JSON array, owned). */
static json_t *api_log(void)
{
    long status = 0;
    char *text = emulator_admin_text(&it_emu, "GET", "/_emulator/api-log", NULL, &status);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    assert_int_equal(status, 200);
    json_t *requests = json_incref(json_object_get(j, "requests"));
    json_decref(j);
    assert_true(json_is_array(requests));
    return requests;
}

static void clear_log(void)
{
    long status = 0;
    free(emulator_admin_text(&it_emu, "DELETE", "/_emulator/api-log", NULL, &status));
    assert_int_equal(status, 200);
}

static const char *member(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "(missing)";
}

/* ---- every operation ------------------------------------------------------ */

/* Percent-encoding as the client does it, for the expected query. */
static void urlenc(char *out, size_t size, const char *in)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static void every_operation(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    assert_non_null(c);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    int modelled = 0, not_modelled = 0;
    for (int i = 0; i < KINDE_MGMT_OP_COUNT; i++) {
        const kinde_mgmt_op_info *op = kinde_mgmt_op_info_get((kinde_mgmt_op)i);
        if (!op)
            continue; /* a number the spec no longer uses */
        /* Required parameters get a value; so does the first optional query
         * parameter (with characters that must be encoded). */
        kinde_mgmt_param params[40];
        char values[40][96];
        size_t n = 0;
        int optional_done = 0;
        char path[512] = "", query[1024] = "";
        for (size_t k = 0; k < op->n_params && n < 39; k++) {
            const kinde_mgmt_param_info *p = &op->params[k];
            int optional_query = !p->required && p->in == KINDE_MGMT_IN_QUERY && !p->deep_object &&
                                 strcmp(p->name, "page_size") != 0 && !optional_done;
            if (!p->required && !optional_query)
                continue;
            if (optional_query) {
                snprintf(values[n], sizeof values[n], "q v&%s=1", p->name);
                optional_done = 1;
            } else if (strcmp(p->name, "page_size") == 0) {
                snprintf(values[n], sizeof values[n], "5");
            } else {
                snprintf(values[n], sizeof values[n], "probe_%s", p->name);
            }
            params[n].name = p->name;
            params[n].value = values[n];
            if (p->in == KINDE_MGMT_IN_QUERY) {
                char enc[300];
                urlenc(enc, sizeof enc, values[n]);
                size_t l = strlen(query);
                snprintf(query + l, sizeof query - l, "%s%s=%s", l ? "&" : "", p->name, enc);
            }
            n++;
        }
        params[n].name = params[n].value = NULL;
        /* The path as the template with the values in place. */
        for (const char *t = op->path; *t;) {
            const char *open = strchr(t, '{');
            size_t l = strlen(path);
            if (!open) {
                snprintf(path + l, sizeof path - l, "%s", t);
                break;
            }
            const char *close = strchr(open, '}');
            snprintf(path + l, sizeof path - l, "%.*sprobe_%.*s", (int)(open - t), t,
                     (int)(close - open - 1), open + 1);
            t = close + 1;
        }
        char body[160] = "";
        if (op->body == KINDE_MGMT_BODY_JSON)
            snprintf(body, sizeof body, "{\"probe\":\"%s\"}", op->operation_id);

        clear_log();
        kinde_error err;
        memset(&err, 0, sizeof err);
        char *answer = NULL;
        kinde_code rc = kinde_mgmt_call(m, (kinde_mgmt_op)i, params, body[0] ? body : NULL,
                                        &answer, &err);
        kinde_free(answer);
        if (rc != KINDE_OK && rc != KINDE_E_HTTP_STATUS)
            fail_msg("%s: %s (%s)", op->operation_id, kinde_code_name(rc), err.text);
        if (rc == KINDE_E_HTTP_STATUS && err.http_status == 501) {
            /* The emulator's documented answer for what it does not model. */
            if (strcmp(err.oauth_error, NOT_MODELLED) != 0)
                fail_msg("%s: 501 without %s: %s", op->operation_id, NOT_MODELLED, err.text);
            not_modelled++;
        } else if (rc == KINDE_E_HTTP_STATUS) {
            /* A modelled operation refusing made-up ids or a probe body:
             * validation or not found, in Kinde's error shape; never an
             * auth, method or server failure. */
            if ((err.http_status != 400 && err.http_status != 404 && err.http_status != 409) ||
                !err.oauth_error[0])
                fail_msg("%s: HTTP %ld (%s)", op->operation_id, err.http_status, err.text);
            modelled++;
        } else {
            modelled++;
        }
        /* On the wire: exactly one request, as the table says. */
        json_t *log = api_log();
        if (json_array_size(log) != 1)
            fail_msg("%s: %zu requests in the log", op->operation_id, json_array_size(log));
        const json_t *r = json_array_get(log, 0);
        if (strcmp(member(r, "method"), op->method) != 0 || strcmp(member(r, "path"), path) != 0 ||
            strcmp(member(r, "query"), query) != 0 || strcmp(member(r, "body"), body) != 0)
            fail_msg("%s: sent %s %s ? %s body %s; expected %s %s ? %s body %s", op->operation_id,
                     member(r, "method"), member(r, "path"), member(r, "query"), member(r, "body"),
                     op->method, path, query, body);
        if (body[0] && strncmp(member(r, "content_type"), "application/json", 16) != 0)
            fail_msg("%s: content type %s", op->operation_id, member(r, "content_type"));
        json_decref(log);
    }
    printf("every operation: %d answered by the emulator's model, %d %s\n", modelled, not_modelled,
           NOT_MODELLED);
    assert_true(modelled > 50);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* Values that need encoding reach the server as they were. */
static void encoding(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    clear_log();
    const kinde_mgmt_param p[] = {{"org_code", "a b/c?d#e"}, {"page_size", "3"}, {NULL, NULL}};
    kinde_error err;
    char *answer = NULL;
    /* The org does not exist: only what was sent matters here. */
    kinde_code rc = kinde_mgmt_call(m, KINDE_MGMT_GET_ORGANIZATION_USERS, p, NULL, &answer, &err);
    assert_true(rc == KINDE_OK || rc == KINDE_E_HTTP_STATUS);
    kinde_free(answer);
    json_t *log = api_log();
    const json_t *r = json_array_get(log, 0);
    /* One path segment, whether the log shows it decoded or as sent. */
    const char *path = member(r, "path");
    if (strcmp(path, "/api/v1/organizations/a b/c?d#e/users") != 0 &&
        strcmp(path, "/api/v1/organizations/a%20b%2Fc%3Fd%23e/users") != 0)
        fail_msg("path %s", path);
    assert_string_equal(member(r, "query"), "page_size=3");
    json_decref(log);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* ---- paging --------------------------------------------------------------- */

static void create_users(kinde_mgmt *m, int n, const char *who)
{
    for (int i = 0; i < n; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"profile\":{\"given_name\":\"Page\",\"family_name\":\"User%d\"},"
                 "\"identities\":[{\"type\":\"email\",\"details\":{\"email\":\"%s%d@example.com\"}}]}",
                 i, who, i);
        char *answer = NULL;
        kinde_error err;
        if (kinde_mgmt_call(m, KINDE_MGMT_CREATE_USER, NULL, body, &answer, &err) != KINDE_OK)
            fail_msg("createUser: %s", err.text);
        kinde_free(answer);
    }
}

static void paging(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    create_users(m, 7, "page");
    /* The total from one big page, then the same over pages of 2. */
    char *all = NULL;
    kinde_error err;
    const kinde_mgmt_param big[] = {{"page_size", "500"}, {NULL, NULL}};
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_USERS, big, NULL, &all, &err), KINDE_OK);
    json_t *j = json_loads(all, 0, NULL);
    size_t total = json_array_size(json_object_get(j, "users"));
    json_decref(j);
    kinde_free(all);
    assert_true(total >= 7);

    clear_log();
    const kinde_mgmt_param two[] = {{"page_size", "2"}, {NULL, NULL}};
    kinde_mgmt_pages *it = NULL;
    assert_int_equal(kinde_mgmt_pages_new(m, KINDE_MGMT_GET_USERS, two, &it, &err), KINDE_OK);
    char *page;
    size_t seen = 0, pages = 0;
    kinde_code rc;
    while ((rc = kinde_mgmt_pages_next(it, &page, &err)) == KINDE_OK && page) {
        json_t *pj = json_loads(page, 0, NULL);
        size_t k = json_array_size(json_object_get(pj, "users"));
        assert_true(k <= 2);
        seen += k;
        pages++;
        json_decref(pj);
        kinde_free(page);
    }
    assert_int_equal(rc, KINDE_OK);
    /* After the end: still done, no request. */
    assert_int_equal(kinde_mgmt_pages_next(it, &page, &err), KINDE_OK);
    assert_null(page);
    kinde_mgmt_pages_free(it);
    assert_int_equal(seen, total);
    assert_true(pages >= (total + 1) / 2);
    /* The second request carried the first answer's next_token. */
    json_t *log = api_log();
    assert_int_equal(json_array_size(log), pages);
    assert_string_equal(member(json_array_get(log, 0), "query"), "page_size=2");
    assert_non_null(strstr(member(json_array_get(log, 1), "query"), "page_size=2&next_token="));
    json_decref(log);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* ---- 429 ------------------------------------------------------------------ */

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The token first (so that the limit counts API calls only), then the next
 * count calls answer 429 with RateLimit-Reset: 1; the log starts empty. */
static void limit_next_calls(kinde_mgmt *m, int count)
{
    char *answer = NULL, limit[96];
    kinde_error err;
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err), KINDE_OK);
    kinde_free(answer);
    snprintf(limit, sizeof limit, "{\"after\":0,\"count\":%d,\"reset_seconds\":1}", count);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/rate-limit", limit), 200);
    clear_log();
}

static void rate_limit_waited_out(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    kinde_mgmt *m = new_mgmt(c, 20, 10000);
    char *answer = NULL;
    kinde_error err;
    limit_next_calls(m, 3);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err), KINDE_OK);
    long ms = elapsed_ms(&t0);
    assert_non_null(answer);
    kinde_free(answer);
    /* Three 429s, each waited out: RateLimit-Reset (1 s) plus backoff. */
    json_t *log = api_log();
    assert_int_equal(json_array_size(log), 4);
    json_decref(log);
    assert_true(ms >= 3000);
    assert_true(ms < 8000);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

static void rate_limit_budget(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    /* Reset of 1 s per answer, a budget of 2.5 s: two waits fit, the third not. */
    kinde_mgmt *m = new_mgmt(c, 20, 2500);
    char *answer = NULL;
    kinde_error err;
    limit_next_calls(m, 100);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err),
                     KINDE_E_RATE_LIMITED);
    long ms = elapsed_ms(&t0);
    assert_null(answer);
    assert_int_equal(err.http_status, 429);
    assert_string_equal(err.oauth_error, "TOO_MANY_REQUESTS");
    assert_non_null(strstr(err.text, "budget 2500 ms"));
    json_t *log = api_log();
    assert_int_equal(json_array_size(log), 3);
    json_decref(log);
    /* Two waits of at least 1 s happened, and no third: the api-log above
     * proves the count; the upper bound only catches a wait past the budget
     * (a third 1 s wait), with room for a loaded machine's slow requests. */
    assert_true(ms >= 2000 && ms < 2500 + 4000);
    kinde_mgmt_free(m);
    /* No budget at all: the first 429 is the answer. */
    m = new_mgmt(c, 20, 0);
    clear_log();
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err),
                     KINDE_E_RATE_LIMITED);
    log = api_log();
    assert_int_equal(json_array_size(log), 1);
    json_decref(log);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/rate-limit", "{\"count\":0}"), 200);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* ---- 401 ------------------------------------------------------------------ */

static void expired_token_renewed_once(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    assert_true(emulator_prime(&it_emu, "/oauth2/token") >= 0);
    long before = emulator_count(&it_emu, "/oauth2/token");
    char *answer = NULL;
    kinde_error err;
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err), KINDE_OK);
    kinde_free(answer);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/expire-api-tokens", "{}"), 200);
    clear_log();
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err), KINDE_OK);
    kinde_free(answer);
    /* 401, one new token, one retry. */
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 2);
    json_t *log = api_log();
    assert_int_equal(json_array_size(log), 2);
    json_decref(log);
    /* The new token is cached: no further token request. */
    assert_int_equal(kinde_mgmt_call(m, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err), KINDE_OK);
    kinde_free(answer);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 2);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* A client the API refuses (not authorised for it): 403, no retry loop. */
static void forbidden_client(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_CLIENT_CREDENTIALS, NULL);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    char *answer = NULL;
    kinde_error err;
    kinde_code rc = kinde_mgmt_call(m, KINDE_MGMT_GET_USERS, NULL, NULL, &answer, &err);
    assert_null(answer);
    /* Either the token request or the API call refuses it. */
    assert_true(rc == KINDE_E_HTTP_STATUS || rc == KINDE_E_OAUTH);
    if (rc == KINDE_E_HTTP_STATUS)
        assert_true(err.http_status == 401 || err.http_status == 403);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

/* ---- many threads, one token --------------------------------------------- */

#define THREADS 8
#define CALLS 1000

static kinde_mgmt *shared;
static int failures;
static pthread_mutex_t failures_lock = PTHREAD_MUTEX_INITIALIZER;

static void *caller(void *arg)
{
    (void)arg;
    for (int i = 0; i < CALLS / THREADS; i++) {
        char *answer = NULL;
        kinde_error err;
        if (kinde_mgmt_call(shared, KINDE_MGMT_GET_BUSINESS, NULL, NULL, &answer, &err) != KINDE_OK ||
            !answer) {
            pthread_mutex_lock(&failures_lock);
            failures++;
            pthread_mutex_unlock(&failures_lock);
        }
        kinde_free(answer);
    }
    return NULL;
}

static void threads_one_token(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    shared = new_mgmt(c, 10, 1000);
    assert_true(emulator_prime(&it_emu, "/oauth2/token") >= 0);
    long before = emulator_count(&it_emu, "/oauth2/token");
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, caller, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(failures, 0);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
    assert_int_equal(emulator_count(&it_emu, "/api/v1/business"), CALLS);
    kinde_mgmt_free(shared);
    kinde_client_free(c);
}

/* ---- a webhook signed by the emulator's key ------------------------------ */

static void webhook_from_emulator_key(void **state)
{
    kinde_client *c = emulator_m2m_client(&it_emu);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[64], claims[512];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.000+00:00", &tm);
    snprintf(claims, sizeof claims,
             "{\"type\":\"organization.created\",\"event_id\":\"event_abc123\",\"timestamp\":\"%s\","
             "\"source\":\"api\",\"data\":{\"organization\":{\"code\":\"org_1\",\"name\":\"Acme\"}}}",
             ts);
    char *body = emulator_mint(&it_emu, "{\"typ\":\"JWT\"}", claims);
    assert_non_null(body);
    kinde_webhook_event *ev = NULL;
    kinde_error err;
    if (kinde_verify_webhook(c, "application/jwt", body, strlen(body), 300, &ev, &err) != KINDE_OK)
        fail_msg("verify_webhook: %s", err.text);
    assert_string_equal(ev->type, "organization.created");
    assert_string_equal(ev->event_id, "event_abc123");
    assert_string_equal(ev->source, "api");
    assert_string_equal(ev->timestamp, ts);
    assert_true(ev->timestamp_unix == (int64_t)now);
    assert_string_equal(ev->data_json, "{\"organization\":{\"code\":\"org_1\",\"name\":\"Acme\"}}");
    kinde_webhook_event_free(ev);
    assert_int_equal(kinde_verify_webhook(c, "application/json", body, strlen(body), 300, &ev, &err),
                     KINDE_E_INVALID_ARGUMENT);
    free(body);
    kinde_client_free(c);
}

/* ---- a webhook delivered by the emulator --------------------------------- */

/* One HTTP request received on a loopback socket, answered 200. */
typedef struct receiver {
    int fd, port;
    char content_type[128], webhook_id[128];
    char *body;
    size_t len;
} receiver;

static void header_value(const char *head, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *l = head; l && *l; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL) {
        if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
            const char *v = l + n + 1;
            while (*v == ' ')
                v++;
            size_t k = strcspn(v, "\r\n");
            snprintf(out, size, "%.*s", (int)(k < size ? k : size - 1), v);
            return;
        }
    }
}

static void *receive_one(void *arg)
{
    receiver *r = arg;
    /* A delivery that never comes fails the test in 10 s, not at the timeout. */
    struct pollfd p = {r->fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1)
        return NULL;
    int c = accept(r->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    struct timeval tv = {10, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    size_t got = 0;
    char *end = NULL;
    ssize_t k;
    while (got < sizeof buf - 1 && (k = read(c, buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)k;
        buf[got] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            *end = '\0';
            char cl[32] = "0";
            header_value(buf, "Content-Length", cl, sizeof cl);
            header_value(buf, "Content-Type", r->content_type, sizeof r->content_type);
            header_value(buf, "webhook-id", r->webhook_id, sizeof r->webhook_id);
            r->len = strtoul(cl, NULL, 10);
        }
        if (end && got >= (size_t)(end + 4 - buf) + r->len)
            break;
    }
    if (end) {
        r->body = strndup(end + 4, r->len);
        const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, ok, sizeof ok - 1) < 0)
            r->len = 0;
    }
    close(c);
    return NULL;
}

static void webhook_delivered(void **state)
{
    receiver r = {0};
    r.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(r.fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(r.fd, 4), 0);
    assert_int_equal(getsockname(r.fd, (struct sockaddr *)&a, &al), 0);
    r.port = ntohs(a.sin_port);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, receive_one, &r), 0);

    kinde_client *c = emulator_m2m_client(&it_emu);
    kinde_mgmt *m = new_mgmt(c, 10, 1000);
    char hook[256], *answer = NULL;
    kinde_error err;
    snprintf(hook, sizeof hook,
             "{\"endpoint\":\"http://127.0.0.1:%d/webhooks\",\"event_types\":[\"user.created\"],"
             "\"name\":\"test\"}",
             r.port);
    if (kinde_mgmt_call(m, KINDE_MGMT_CREATE_WEB_HOOK, NULL, hook, &answer, &err) != KINDE_OK)
        fail_msg("createWebHook: %s", err.text);
    kinde_free(answer);
    create_users(m, 1, "hook");
    pthread_join(t, NULL); /* the emulator delivers asynchronously */
    close(r.fd);
    assert_non_null(r.body);
    assert_string_equal(r.content_type, "application/jwt");
    kinde_webhook_event *ev = NULL;
    if (kinde_verify_webhook(c, r.content_type, r.body, r.len, 60, &ev, &err) != KINDE_OK)
        fail_msg("verify_webhook: %s", err.text);
    assert_string_equal(ev->type, "user.created");
    assert_string_equal(ev->event_id, r.webhook_id); /* the idempotency key, twice */
    assert_string_equal(ev->source, "api");
    assert_non_null(strstr(ev->data_json, "hook0@example.com"));
    /* The payload is Kinde's: nothing of a token's. */
    char *payload = NULL;
    assert_int_equal(kinde_decode_token(r.body, NULL, &payload, &err), KINDE_OK);
    assert_null(strstr(payload, "\"iss\""));
    assert_null(strstr(payload, "\"exp\""));
    kinde_free(payload);
    kinde_webhook_event_free(ev);
    free(r.body);
    kinde_mgmt_free(m);
    kinde_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(every_operation, it_reset),
        cmocka_unit_test_setup(encoding, it_reset),
        cmocka_unit_test_setup(paging, it_reset),
        cmocka_unit_test_setup(rate_limit_waited_out, it_reset),
        cmocka_unit_test_setup(rate_limit_budget, it_reset),
        cmocka_unit_test_setup(expired_token_renewed_once, it_reset),
        cmocka_unit_test_setup(forbidden_client, it_reset),
        cmocka_unit_test_setup(threads_one_token, it_reset),
        cmocka_unit_test_setup(webhook_from_emulator_key, it_reset),
        cmocka_unit_test_setup(webhook_delivered, it_reset),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
