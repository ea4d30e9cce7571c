/* Webhooks: registered through the Management API (/api/v1/webhooks), and
 * delivered as Kinde does: a POST of a compact RS256 JWS (Content-Type
 * application/jwt, header webhook-id = the event id) whose payload is the
 * event alone ({type, event_id, timestamp, source, data}; no iss, aud, exp
 * or iat), signed with the current signing key.
 *
 * Delivery runs on its own thread from a queue with its own mutex, so no
 * request waits for a receiver and emu.lock is never held across a
 * network call. Endpoints must be loopback URLs: checked at registration,
 * and again for every connection (a name that resolves elsewhere is not
 * connected to). Each attempt is logged (GET /_emulator/webhook-log). */
#include "mgmt.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTEMPTS 4        /* the first try and three retries */
#define LOG_MAX 256

typedef struct delivery {
    char *endpoint;
    json_t *event;
    struct delivery *next;
} delivery;

static struct {
    pthread_mutex_t lock; /* the queue, the log and the thread's state; never taken with emu.lock held */
    pthread_cond_t wake;
    delivery *head, *tail;
    int started, stop, busy;
    pthread_t thread;
    json_t *log;
} q = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* ---- which URLs ------------------------------------------------------------ */

static int loopback_host(const char *host)
{
    struct in_addr a4;
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return 1;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int emu_webhook_endpoint_ok(const char *url)
{
    CURLU *u = url && strlen(url) < 2048 ? curl_url() : NULL;
    char *scheme = NULL, *host = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
             (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) && loopback_host(host);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* Whatever a name resolved to, only loopback addresses are connected to. */
static curl_socket_t open_loopback_only(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)clientp;
    (void)purpose;
    int loop = 0;
    if (a->family == AF_INET)
        loop = (ntohl(((struct sockaddr_in *)&a->addr)->sin_addr.s_addr) >> 24) == 127;
    else if (a->family == AF_INET6)
        loop = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&a->addr)->sin6_addr);
    return loop ? socket(a->family, a->socktype, a->protocol) : CURL_SOCKET_BAD;
}

/* ---- delivery ------------------------------------------------------------------ */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* One POST; the HTTP status, or 0 when there was none. */
static long post(const char *endpoint, const char *event_id, const char *jws, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char id_header[200];
    snprintf(id_header, sizeof id_header, "webhook-id: %s", event_id);
    hdr = curl_slist_append(hdr, "Content-Type: application/jwt");
    hdr = curl_slist_append(hdr, id_header);
    long status = 0;
    if (h && hdr) {
        char errbuf[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(h, CURLOPT_URL, endpoint);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_loopback_only);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, jws);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        CURLcode rc = curl_easy_perform(h);
        if (rc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        else
            snprintf(err, errlen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        snprintf(err, errlen, "out of memory");
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

static void log_attempt(const delivery *d, int attempt, long status, const char *error)
{
    const char *id = json_string_value(json_object_get(d->event, "event_id"));
    const char *type = json_string_value(json_object_get(d->event, "type"));
    if (!emu.cfg.quiet)
        fprintf(stderr, "kinde-emulator: webhook %s %s -> %s attempt %d: %ld%s%s\n", type, id, d->endpoint, attempt,
                status, error[0] ? " " : "", error);
    pthread_mutex_lock(&q.lock);
    if (!q.log)
        q.log = json_array();
    if (json_array_size(q.log) == LOG_MAX)
        json_array_remove(q.log, 0);
    json_array_append_new(q.log, json_pack("{s:s?, s:s?, s:s, s:i, s:I, s:s}", "event_id", id, "type", type,
                                           "endpoint", d->endpoint, "attempt", attempt, "status", (json_int_t)status,
                                           "error", error));
    pthread_mutex_unlock(&q.lock);
}

/* Sleeps ms, or less when the emulator stops; 1 when it stops. */
static int sleep_ms(long ms)
{
    int stop = 0;
    for (; ms > 0 && !stop; ms -= 50) {
        struct timespec ts = {0, (ms < 50 ? ms : 50) * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&q.lock);
        stop = q.stop;
        pthread_mutex_unlock(&q.lock);
    }
    return stop;
}

static void deliver(const delivery *d)
{
    char *jws = emu_sign_current(NULL, d->event);
    const char *id = json_string_value(json_object_get(d->event, "event_id"));
    long backoff = 200;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        char err[CURL_ERROR_SIZE + 32] = "";
        long status = jws ? post(d->endpoint, id ? id : "", jws, err, sizeof err) : 0;
        if (!jws)
            snprintf(err, sizeof err, "cannot sign the event");
        log_attempt(d, attempt, status, err);
        if ((status >= 200 && status < 300) || !jws || attempt == ATTEMPTS || sleep_ms(backoff))
            break;
        backoff *= 3;
    }
    free(jws);
}

static void free_delivery(delivery *d)
{
    free(d->endpoint);
    json_decref(d->event);
    free(d);
}

static void *run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q.lock);
    for (;;) {
        while (!q.head && !q.stop)
            pthread_cond_wait(&q.wake, &q.lock);
        if (q.stop)
            break;
        delivery *d = q.head;
        q.head = d->next;
        if (!q.head)
            q.tail = NULL;
        q.busy = 1;
        pthread_mutex_unlock(&q.lock);
        deliver(d);
        free_delivery(d);
        pthread_mutex_lock(&q.lock);
        q.busy = 0;
        pthread_cond_broadcast(&q.wake);
    }
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

void emu_webhooks_enqueue(json_t *list)
{
    size_t i;
    json_t *item;
    pthread_mutex_lock(&q.lock);
    if (!q.started && !q.stop) {
        q.started = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK &&
                    pthread_create(&q.thread, NULL, run, NULL) == 0;
    }
    json_array_foreach(list, i, item) {
        delivery *d = q.started && !q.stop ? calloc(1, sizeof *d) : NULL;
        if (!d)
            break;
        d->endpoint = strdup(json_string_value(json_object_get(item, "endpoint")));
        d->event = json_incref(json_object_get(item, "event"));
        if (q.tail)
            q.tail->next = d;
        else
            q.head = d;
        q.tail = d;
    }
    pthread_cond_broadcast(&q.wake);
    pthread_mutex_unlock(&q.lock);
    json_decref(list);
}

void emu_webhooks_stop(void)
{
    pthread_mutex_lock(&q.lock);
    int started = q.started;
    q.stop = 1;
    pthread_cond_broadcast(&q.wake);
    pthread_mutex_unlock(&q.lock);
    if (started) {
        pthread_join(q.thread, NULL);
        curl_global_cleanup();
    }
    while (q.head) {
        delivery *d = q.head;
        q.head = d->next;
        free_delivery(d);
    }
    q.tail = NULL;
    json_decref(q.log);
    q.log = NULL;
}

json_t *emu_webhooks_log(int clear)
{
    pthread_mutex_lock(&q.lock);
    json_t *out = NULL;
    if (!clear) /* O takes a reference to the log, o a new empty array */
        out = q.log ? json_pack("{s:O, s:b}", "deliveries", q.log, "pending", q.head != NULL || q.busy)
                    : json_pack("{s:o, s:b}", "deliveries", json_array(), "pending",
                                q.head != NULL || q.busy);
    if (clear)
        json_array_clear(q.log);
    pthread_mutex_unlock(&q.lock);
    return out;
}

/* ---- the Management API's webhooks ------------------------------------------------- */

static const char *const event_types[] = {"user.created",         "user.updated",         "user.deleted",
                                          "organization.created", "organization.updated", "organization.deleted",
                                          "role.created",         "role.updated",         "role.deleted",
                                          "permission.created",   "permission.updated",   "permission.deleted",
                                          NULL};

static int types_ok(const json_t *types)
{
    if (!json_is_array(types) || json_array_size(types) == 0)
        return 0;
    size_t i;
    const json_t *t;
    json_array_foreach(types, i, t) {
        size_t k = 0;
        while (event_types[k] && (!json_string_value(t) || strcmp(event_types[k], json_string_value(t)) != 0))
            k++;
        if (!event_types[k])
            return 0;
    }
    return 1;
}

static json_t *hooks(void)
{
    return json_object_get(emu.data, "webhooks");
}

static void get_webhooks(mg_call *c, emu_reply *r)
{
    json_t *list = json_array();
    size_t i;
    const json_t *h;
    json_array_foreach(hooks(), i, h)
        json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:O?, s:O, s:O}", "id", json_object_get(h, "id"), "name",
                                              json_object_get(h, "name"), "endpoint", json_object_get(h, "endpoint"),
                                              "description", json_object_get(h, "description"), "event_types",
                                              json_object_get(h, "event_types"), "created_on",
                                              json_object_get(h, "created_on")));
    mg_ok(c, r, json_pack("{s:o}", "webhooks", list));
}

/* name, description and event_types of a create (name and types required)
 * or an update. */
static int fields_ok(mg_call *c, emu_reply *r, int create)
{
    int bad = 0;
    const char *name = mg_str(c, "name", &bad);
    mg_str(c, "description", &bad);
    const json_t *types = json_object_get(c->body, "event_types");
    if (bad || (create && (!name || !*name))) {
        mg_error(r, 400, "INVALID_REQUEST", "name (required) and description are strings");
        return -1;
    }
    if ((create || types) && !types_ok(types)) {
        mg_error(r, 400, "INVALID_EVENT_TYPE", "event_types: a non-empty array of event types the emulator sends "
                                                "(GET /api/v1/event_types)");
        return -1;
    }
    return 0;
}

static void create_webhook(mg_call *c, emu_reply *r)
{
    int bad = 0;
    const char *endpoint = mg_str(c, "endpoint", &bad);
    if (fields_ok(c, r, 1) != 0)
        return;
    if (bad || !emu_webhook_endpoint_ok(endpoint)) {
        mg_error(r, 400, "INVALID_ENDPOINT", "endpoint must be an http(s) URL on a loopback address "
                                              "(127.0.0.0/8, ::1, localhost): the emulator sends nowhere else");
        return;
    }
    char *id = mg_new_id("webhook_");
    char when[32];
    mg_now_text(when);
    json_t *h = json_pack("{s:s?, s:O, s:s, s:O?, s:O, s:s}", "id", id, "name", json_object_get(c->body, "name"),
                          "endpoint", endpoint, "description", json_object_get(c->body, "description"), "event_types",
                          json_object_get(c->body, "event_types"), "created_on", when);
    free(id);
    json_array_append_new(hooks(), h);
    mg_ok(c, r, json_pack("{s:{s:O, s:s}}", "webhook", "id", json_object_get(h, "id"), "endpoint", endpoint));
}

static json_t *webhook_or_404(emu_reply *r, const char *id)
{
    json_t *h = mg_find(hooks(), "id", id);
    if (!h)
        mg_not_found(r, "WEBHOOK", "webhook", id);
    return h;
}

static void update_webhook(mg_call *c, emu_reply *r)
{
    json_t *h = webhook_or_404(r, c->params[0]);
    if (!h || fields_ok(c, r, 0) != 0)
        return;
    static const char *const fields[] = {"name", "description", "event_types"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(c->body, fields[i]) && !json_is_null(json_object_get(c->body, fields[i])))
            json_object_set(h, fields[i], json_object_get(c->body, fields[i]));
    mg_ok(c, r, json_pack("{s:{s:O}}", "webhook", "id", json_object_get(h, "id")));
}

static void delete_webhook(mg_call *c, emu_reply *r)
{
    if (!webhook_or_404(r, c->params[0]))
        return;
    json_array_remove(hooks(), (size_t)mg_index(hooks(), "id", c->params[0]));
    mg_success(c, r);
}

static void get_event_types(mg_call *c, emu_reply *r)
{
    json_t *list = json_array();
    for (size_t i = 0; event_types[i]; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:{}}", "id", event_types[i], "code", event_types[i],
                                              "name", event_types[i], "origin", "kinde", "schema"));
    mg_ok(c, r, json_pack("{s:o}", "event_types", list));
}

const mg_route mg_webhook_routes[] = {
    {"GetEventTypes", get_event_types},
    {"GetWebHooks", get_webhooks},
    {"CreateWebHook", create_webhook},
    {"UpdateWebHook", update_webhook},
    {"DeleteWebHook", delete_webhook},
    {NULL, NULL},
};
