/* The demo app's webhooks without an HTTP server or Kinde: the events ring
 * and its deduplication by event id (webhook_events.c), and what POST
 * /webhooks answers and logs for everything refused before a key is needed
 * (webhooks.c). Verified events, replays, another key and stale events are
 * tests/e2e/http_test.sh's (http_webhooks.sh), against the emulator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webhooks.h"

/* ---- the events ring --------------------------------------------------------- */

#define T0 1764583200 /* 2025-12-01T10:00:00Z */

static webhook_record_result add(webhook_events *w, const char *id, int64_t ts, int64_t now)
{
    char type[32];
    snprintf(type, sizeof type, "type.%s", id);
    webhook_event_row e = {type, id, "2025-12-01T10:00:00Z", "api"};
    return webhook_events_record(w, &e, ts, now);
}

typedef struct seen_rows {
    char ids[WEBHOOK_EVENTS_KEPT + 1][32];
    char types[WEBHOOK_EVENTS_KEPT + 1][32];
    int null_source[WEBHOOK_EVENTS_KEPT + 1];
    size_t n;
} seen_rows;

static void collect(void *ctx, const webhook_event_row *e)
{
    seen_rows *s = ctx;
    assert_true(s->n <= WEBHOOK_EVENTS_KEPT);
    snprintf(s->ids[s->n], sizeof s->ids[0], "%s", e->event_id);
    snprintf(s->types[s->n], sizeof s->types[0], "%s", e->type);
    s->null_source[s->n] = e->source == NULL;
    s->n++;
}

static size_t rows(webhook_events *w, seen_rows *s)
{
    memset(s, 0, sizeof *s);
    size_t n = webhook_events_each(w, collect, s);
    assert_int_equal(n, s->n);
    return n;
}

static void ring_keeps_copies_newest_first(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    assert_non_null(w);
    seen_rows s;
    assert_int_equal(rows(w, &s), 0);

    char type[] = "user.created", id[] = "event_a", ts[] = "2025-12-01T10:00:00Z";
    webhook_event_row e = {type, id, ts, NULL};
    assert_int_equal(webhook_events_record(w, &e, T0, T0), WEBHOOK_RECORDED);
    memset(type, 'x', sizeof type - 1); /* the ring holds its own copies */
    memset(id, 'x', sizeof id - 1);
    assert_int_equal(add(w, "event_b", T0, T0), WEBHOOK_RECORDED);

    assert_int_equal(rows(w, &s), 2);
    assert_string_equal(s.ids[0], "event_b");
    assert_string_equal(s.types[0], "type.event_b");
    assert_int_equal(s.null_source[0], 0);
    assert_string_equal(s.ids[1], "event_a");
    assert_string_equal(s.types[1], "user.created");
    assert_int_equal(s.null_source[1], 1); /* no source: shown as such, not "" */
    assert_int_equal(webhook_events_max_age(w), 300);
    webhook_events_free(w);
}

static void replay_is_not_recorded_twice(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    assert_int_equal(add(w, "event_a", T0, T0), WEBHOOK_RECORDED);
    assert_int_equal(add(w, "event_a", T0, T0 + 5), WEBHOOK_REPLAY);
    /* The id is the key: another type or time under it is still a replay. */
    webhook_event_row other = {"user.deleted", "event_a", "2025-12-01T10:00:09Z", "user"};
    assert_int_equal(webhook_events_record(w, &other, T0 + 9, T0 + 9), WEBHOOK_REPLAY);
    seen_rows s;
    assert_int_equal(rows(w, &s), 1);
    assert_string_equal(s.types[0], "type.event_a");
    /* Ids differ by case or by a prefix: not the same event. */
    assert_int_equal(add(w, "EVENT_A", T0, T0), WEBHOOK_RECORDED);
    assert_int_equal(add(w, "event_", T0, T0), WEBHOOK_RECORDED);
    assert_int_equal(rows(w, &s), 3);
    webhook_events_free(w);
}

static void ring_shows_the_last_ten_and_remembers_older_ids(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    char id[32];
    for (int i = 0; i < 15; i++) {
        snprintf(id, sizeof id, "event_%d", i);
        assert_int_equal(add(w, id, T0, T0), WEBHOOK_RECORDED);
    }
    seen_rows s;
    assert_int_equal(rows(w, &s), WEBHOOK_EVENTS_KEPT);
    for (int i = 0; i < WEBHOOK_EVENTS_KEPT; i++) {
        snprintf(id, sizeof id, "event_%d", 14 - i);
        assert_string_equal(s.ids[i], id);
    }
    /* Out of the ring, not out of mind: a replay of the first is caught. */
    assert_int_equal(add(w, "event_0", T0, T0 + 1), WEBHOOK_REPLAY);
    assert_int_equal(rows(w, &s), WEBHOOK_EVENTS_KEPT);
    assert_string_equal(s.ids[0], "event_14");
    webhook_events_free(w);
}

static void ids_are_forgotten_only_past_the_max_age(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    assert_int_equal(add(w, "event_a", T0, T0), WEBHOOK_RECORDED);
    int64_t last_kept = T0 + 300 + WEBHOOK_FORGET_MARGIN;
    assert_int_equal(add(w, "event_a", T0, last_kept), WEBHOOK_REPLAY);
    /* Past that, kinde_verify_webhook() refuses it as stale before it
     * gets here: the id may go. */
    assert_int_equal(add(w, "event_a", T0, last_kept + 1), WEBHOOK_RECORDED);
    webhook_events_free(w);
}

static void full_of_live_ids_refuses_rather_than_forgets(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    char id[32];
    for (int i = 0; i < WEBHOOK_SEEN_MAX; i++) {
        snprintf(id, sizeof id, "event_%d", i);
        assert_int_equal(add(w, id, T0 + i / 100, T0 + i / 100), WEBHOOK_RECORDED);
    }
    int64_t now = T0 + WEBHOOK_SEEN_MAX / 100;
    assert_int_equal(add(w, "event_new", now, now), WEBHOOK_FULL);
    assert_int_equal(add(w, "event_0", T0, now), WEBHOOK_REPLAY); /* still remembered */
    /* Once the first hundred are past their max age, there is room. */
    now = T0 + 300 + WEBHOOK_FORGET_MARGIN + 1;
    assert_int_equal(add(w, "event_new", now, now), WEBHOOK_RECORDED);
    assert_int_equal(add(w, "event_100", T0 + 1, now), WEBHOOK_REPLAY);
    webhook_events_free(w);
}

static void without_max_age_the_oldest_id_gives_way(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(0);
    char id[32];
    for (int i = 0; i <= WEBHOOK_SEEN_MAX; i++) {
        snprintf(id, sizeof id, "event_%d", i);
        assert_int_equal(add(w, id, T0, T0 + 86400 * 365), WEBHOOK_RECORDED);
    }
    /* Years later, nothing expired by time: the last WEBHOOK_SEEN_MAX are
     * remembered, the very first was pushed out. */
    assert_int_equal(add(w, "event_1", T0, T0 + 86400 * 3650), WEBHOOK_REPLAY);
    snprintf(id, sizeof id, "event_%d", WEBHOOK_SEEN_MAX);
    assert_int_equal(add(w, id, T0, T0), WEBHOOK_REPLAY);
    assert_int_equal(add(w, "event_0", T0, T0), WEBHOOK_RECORDED);
    webhook_events_free(w);
}

static void required_fields(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    webhook_event_row no_id = {"user.created", NULL, "2025-12-01T10:00:00Z", "api"};
    webhook_event_row no_type = {NULL, "event_a", "2025-12-01T10:00:00Z", "api"};
    webhook_event_row no_time = {"user.created", "event_a", NULL, "api"};
    assert_int_equal(webhook_events_record(w, &no_id, T0, T0), WEBHOOK_INVALID);
    assert_int_equal(webhook_events_record(w, &no_type, T0, T0), WEBHOOK_INVALID);
    assert_int_equal(webhook_events_record(w, &no_time, T0, T0), WEBHOOK_INVALID);
    seen_rows s;
    assert_int_equal(rows(w, &s), 0);
    assert_int_equal(add(w, "event_a", T0, T0), WEBHOOK_RECORDED);
    webhook_events_free(w);
}

/* Eight threads post the same 300 ids (each in its own order) at once:
 * every id is recorded by exactly one of them. */
#define THREADS 8
#define IDS 300

typedef struct racer {
    webhook_events *w;
    int offset;
    webhook_record_result rc[IDS]; /* checked after the join: cmocka asserts on one thread */
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    char id[32];
    for (int k = 0; k < IDS; k++) {
        int i = (k + r->offset) % IDS;
        snprintf(id, sizeof id, "event_%d", i);
        r->rc[i] = add(r->w, id, T0, T0);
    }
    return NULL;
}

static void concurrent_posts_record_each_id_once(void **state)
{
    (void)state;
    webhook_events *w = webhook_events_new(300);
    static racer r[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].w = w;
        r[i].offset = i * 37;
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int id = 0; id < IDS; id++) {
        int times = 0;
        for (int i = 0; i < THREADS; i++) {
            assert_true(r[i].rc[id] == WEBHOOK_RECORDED || r[i].rc[id] == WEBHOOK_REPLAY);
            times += r[i].rc[id] == WEBHOOK_RECORDED;
        }
        assert_int_equal(times, 1);
    }
    seen_rows s;
    assert_int_equal(rows(w, &s), WEBHOOK_EVENTS_KEPT);
    webhook_events_free(w);
}

/* ---- POST /webhooks, up to where a key is needed ------------------------------ */

typedef struct fixture {
    web_site site;
    webhook_events *events;
    char *log_text;
    size_t log_len;
} fixture;

static int teardown(void **state);

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:9"; /* nothing listens: Kinde's keys are unreachable */
    cfg.client_id = "client";
    cfg.client_secret = "secret";
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    kinde_client *client = NULL;
    if (kinde_client_new(&cfg, &client, NULL) != KINDE_OK) {
        free(x);
        return -1;
    }
    x->site = (web_site){
        .name = "test",
        .log = open_memstream(&x->log_text, &x->log_len),
        .public_url = "http://127.0.0.1:8000",
        .client = client,
    };
    x->events = webhook_events_new(300);
    *state = x;
    if (!x->site.log || !x->events) {
        teardown(state);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    if (x->site.log)
        fclose(x->site.log);
    free(x->log_text);
    kinde_client_free(x->site.client);
    webhook_events_free(x->events);
    free(x);
    return 0;
}

static const char *log_of(fixture *x)
{
    fflush(x->site.log);
    return x->log_text ? x->log_text : "";
}

static const char *content_type_of(void *ctx, const char *name)
{
    return strcmp(name, "Content-Type") == 0 ? ctx : NULL;
}

/* {"alg":"RS256","typ":"JWT","kid":"k1"} . a well-formed event . "sig" */
static const char rs256_event[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0."
    "eyJ0eXBlIjoidXNlci5jcmVhdGVkIiwiZXZlbnRfaWQiOiJldmVudF8xIiwidGltZXN0YW1wIjoiMjAyNi0xMi0wMVQx"
    "MDowMDowMCswMDowMCIsInNvdXJjZSI6ImFwaSIsImRhdGEiOnt9fQ.c2ln";
/* {"alg":"none","typ":"JWT"} . the same event . (no signature) */
static const char none_event[] =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
    "eyJ0eXBlIjoidXNlci5jcmVhdGVkIiwiZXZlbnRfaWQiOiJldmVudF8xIiwidGltZXN0YW1wIjoiMjAyNi0xMi0wMVQx"
    "MDowMDowMCswMDowMCIsInNvdXJjZSI6ImFwaSIsImRhdGEiOnt9fQ.";

/* POSTs body with that Content-Type (NULL: none); r is the answer. */
static void post(fixture *x, const char *content_type, const char *body, web_response *r)
{
    web_request q = {.method = "POST",
                     .path = "/webhooks",
                     .target = "/webhooks",
                     .body = body,
                     .body_len = body ? strlen(body) : 0,
                     .header = content_type_of,
                     .ctx = (void *)content_type};
    web_response_init(r);
    webhooks_route(&x->site, x->events, &q, r);
}

/* A refusal: that status and reason, plain text, not cached, nothing of the
 * SDK's words in it, the code name in the log, nothing recorded. */
static void assert_refused(fixture *x, web_response *r, unsigned status, const char *answer,
                           const char *code)
{
    assert_int_equal(r->status, status);
    assert_true(strbuf_ok(&r->body));
    assert_non_null(r->body.data);
    assert_string_equal(r->body.data, answer);
    assert_string_equal(r->content_type, "text/plain; charset=utf-8");
    assert_int_equal(r->no_store, 1);
    assert_int_equal(r->cookie.len, 0);
    assert_null(strstr(r->body.data, "KINDE_E_"));
    assert_null(strstr(r->body.data, "127.0.0.1"));
    assert_non_null(strstr(log_of(x), "test: webhook refused, "));
    assert_non_null(strstr(log_of(x), code));
    seen_rows s;
    assert_int_equal(rows(x->events, &s), 0);
}

static void wrong_content_type_is_400(void **state)
{
    fixture *x = *state;
    const char *types[] = {"application/json", "text/plain", "application/jwt-ish",
                           "application/x-www-form-urlencoded", "", NULL};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        web_response r;
        post(x, types[i], rs256_event, &r);
        assert_refused(x, &r, 400, "refused: Content-Type must be application/jwt\n",
                       "KINDE_E_INVALID_ARGUMENT");
        web_response_free(&r);
    }
}

static void not_a_webhook_is_400(void **state)
{
    fixture *x = *state;
    const char *bodies[] = {"", "garbage", "a.b", "a.b.c.d", none_event,
                            "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL};
    const char *codes[] = {"KINDE_E_TOKEN_MALFORMED", "KINDE_E_TOKEN_MALFORMED",
                           "KINDE_E_TOKEN_MALFORMED", "KINDE_E_TOKEN_MALFORMED",
                           "KINDE_E_TOKEN_ALGORITHM", "KINDE_E_TOKEN_MALFORMED",
                           "KINDE_E_TOKEN_MALFORMED"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        web_response r;
        post(x, "application/jwt", bodies[i], &r);
        assert_refused(x, &r, 400, "refused: not a verified Kinde webhook\n", codes[i]);
        web_response_free(&r);
    }
}

/* A well-formed event whose key cannot be fetched: not the sender's fault,
 * so 503 (Kinde sends it again), never 200. */
static void keys_unreachable_is_503(void **state)
{
    fixture *x = *state;
    web_response r;
    post(x, "application/jwt; charset=utf-8", rs256_event, &r);
    assert_refused(x, &r, 503, "cannot verify webhooks just now, send it again later\n",
                   "KINDE_E_JWKS");
    assert_int_equal(r.retry_after, WEB_RETRY_AFTER_SECONDS); /* when to send it again */
    web_response_free(&r);
}

static void too_large_and_other_methods(void **state)
{
    fixture *x = *state;
    web_request q = {.method = "POST", .path = "/webhooks", .target = "/webhooks",
                     .body_too_big = 1, .header = content_type_of, .ctx = "application/jwt"};
    web_response r;
    web_response_init(&r);
    webhooks_route(&x->site, x->events, &q, &r);
    assert_refused(x, &r, 413, "refused: body too large\n", "too_large");
    web_response_free(&r);

    const char *methods[] = {"GET", "HEAD", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        web_request g = {.method = methods[i], .path = "/webhooks", .target = "/webhooks",
                         .header = content_type_of, .ctx = "application/jwt"};
        web_response_init(&r);
        webhooks_route(&x->site, x->events, &g, &r);
        assert_int_equal(r.status, 405);
        assert_string_equal(r.allow, "POST");
        web_response_free(&r);
    }
}

/* What the sender controls reaches the log only as one line. */
static void log_lines_stay_single(void **state)
{
    fixture *x = *state;
    web_response r;
    post(x, "text/plain\x01\x1b[31mFAKE\tx", rs256_event, &r);
    assert_int_equal(r.status, 400);
    web_response_free(&r);
    const char *log = log_of(x);
    assert_non_null(strstr(log, "text/plain??[31mFAKE?x"));
    for (const char *p = log; *p; p++)
        assert_true((unsigned char)*p >= 0x20 || *p == '\n');
    assert_int_equal(strchr(log, '\n') - log + 1, (long)strlen(log)); /* one line */
}

/* The details page's section: escaped, newest first, and an empty one. */
static void section_escapes_and_says_when_empty(void **state)
{
    (void)state;
    strbuf out;
    strbuf_init(&out);
    webhooks_section(NULL, &out);
    assert_true(strbuf_ok(&out));
    assert_non_null(strstr(out.data, "id=\"webhooks\""));
    assert_non_null(strstr(out.data, "No webhook event since the app started."));
    strbuf_free(&out);

    webhook_events *w = webhook_events_new(300);
    webhook_event_row e = {"<b>user.created</b>", "event_\"1\"&", "2025-12-01T10:00:00Z", NULL};
    assert_int_equal(webhook_events_record(w, &e, T0, T0), WEBHOOK_RECORDED);
    assert_int_equal(add(w, "event_2", T0, T0), WEBHOOK_RECORDED);
    strbuf_init(&out);
    webhooks_section(w, &out);
    assert_true(strbuf_ok(&out));
    assert_null(strstr(out.data, "<b>"));
    assert_non_null(strstr(out.data, "&lt;b&gt;user.created&lt;/b&gt;"));
    assert_non_null(strstr(out.data, "event_&quot;1&quot;&amp;"));
    assert_null(strstr(out.data, "No webhook event"));
    const char *newest = strstr(out.data, "event_2"), *older = strstr(out.data, "event_&quot;1");
    assert_non_null(newest);
    assert_true(newest < older);
    strbuf_free(&out);
    webhook_events_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_keeps_copies_newest_first),
        cmocka_unit_test(replay_is_not_recorded_twice),
        cmocka_unit_test(ring_shows_the_last_ten_and_remembers_older_ids),
        cmocka_unit_test(ids_are_forgotten_only_past_the_max_age),
        cmocka_unit_test(full_of_live_ids_refuses_rather_than_forgets),
        cmocka_unit_test(without_max_age_the_oldest_id_gives_way),
        cmocka_unit_test(required_fields),
        cmocka_unit_test(concurrent_posts_record_each_id_once),
        cmocka_unit_test_setup_teardown(wrong_content_type_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(not_a_webhook_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_unreachable_is_503, setup, teardown),
        cmocka_unit_test_setup_teardown(too_large_and_other_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(log_lines_stay_single, setup, teardown),
        cmocka_unit_test(section_escapes_and_says_when_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
