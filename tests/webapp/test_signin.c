/* The sign-in layer (web/) without an HTTP server: requests as plain structs,
 * a session store that fails on demand. A store failure must be told as
 * such (503, reason session_store, the store's own words in the log), never
 * as a signed-out browser or "out of memory", and must never issue, keep or
 * clear a cookie as if it had worked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "signin.h"

/* ---- a store in memory that fails when told to ---------------------------- */

enum { FAIL_GET = 1, FAIL_PUT = 2, FAIL_DEL = 4 };
#define SLOTS 8

typedef struct fake_store {
    store base;
    int fail;
    struct {
        char *key, *value;
        size_t len;
    } slot[SLOTS];
} fake_store;

static int fake_failed(store_error *err, const char *op)
{
    store_error_set(err, "fake %s: disk on fire", op);
    return -1;
}

static int fake_find(fake_store *f, const char *key)
{
    for (int i = 0; i < SLOTS; i++)
        if (f->slot[i].key && strcmp(f->slot[i].key, key) == 0)
            return i;
    return -1;
}

static int fake_get(store *s, const char *key, char **value, size_t *len, store_error *err)
{
    fake_store *f = (fake_store *)s;
    if (f->fail & FAIL_GET)
        return fake_failed(err, "get");
    int i = fake_find(f, key);
    if (i < 0)
        return 0;
    *value = malloc(f->slot[i].len + 1);
    memcpy(*value, f->slot[i].value, f->slot[i].len + 1);
    *len = f->slot[i].len;
    return 1;
}

static void slot_clear(fake_store *f, int i)
{
    free(f->slot[i].key);
    free(f->slot[i].value);
    memset(&f->slot[i], 0, sizeof f->slot[i]);
}

static int fake_put(store *s, const char *key, const char *value, size_t len, long ttl,
                    store_error *err)
{
    fake_store *f = (fake_store *)s;
    if (f->fail & FAIL_PUT)
        return fake_failed(err, "put");
    int i = fake_find(f, key);
    for (int j = 0; i < 0 && j < SLOTS; j++)
        if (!f->slot[j].key)
            i = j;
    if (i < 0)
        return fake_failed(err, "put (full)");
    slot_clear(f, i);
    f->slot[i].key = strdup(key);
    f->slot[i].value = malloc(len + 1);
    memcpy(f->slot[i].value, value, len);
    f->slot[i].value[len] = '\0';
    f->slot[i].len = len;
    return 0;
}

static int fake_del(store *s, const char *key, store_error *err)
{
    fake_store *f = (fake_store *)s;
    if (f->fail & FAIL_DEL)
        return fake_failed(err, "delete");
    int i = fake_find(f, key);
    if (i >= 0)
        slot_clear(f, i);
    return 0;
}

static int fake_ping(store *s, store_error *err)
{
    return ((fake_store *)s)->fail ? fake_failed(err, "ping") : 0;
}

static void fake_close(store *s)
{
    fake_store *f = (fake_store *)s;
    for (int i = 0; i < SLOTS; i++)
        slot_clear(f, i);
}

static const store_ops fake_ops = {fake_get, fake_put, fake_del, fake_ping, fake_close};

static int fake_count(const fake_store *f)
{
    int n = 0;
    for (int i = 0; i < SLOTS; i++)
        n += f->slot[i].key != NULL;
    return n;
}

/* ---- the site and requests ------------------------------------------------ */

typedef struct fixture {
    fake_store st;
    web_site site;
    char *log_text;
    size_t log_len;
} fixture;

static int teardown(void **state);

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    x->st.base.ops = &fake_ops;
    x->st.base.name = "fake";
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:9"; /* never reached: no test here talks to Kinde */
    cfg.client_id = "client";
    cfg.client_secret = "secret";
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.post_logout_redirect_url = "http://127.0.0.1:8000/";
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    kinde_client *client = NULL;
    if (kinde_client_new(&cfg, &client, NULL) != KINDE_OK) {
        free(x);
        return -1;
    }
    static web_seal_key seal;
    if (seal_key_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                          &seal) != 0) {
        kinde_client_free(client);
        free(x);
        return -1;
    }
    x->site = (web_site){
        .seal = &seal,
        .name = "test",
        .log = open_memstream(&x->log_text, &x->log_len),
        .public_url = "http://127.0.0.1:8000",
        .cookie_name = "kinde_session",
        .idle_timeout = 1800,
        .absolute_timeout = 43200,
        .login_ttl = 600,
        .client = client,
        .store = &x->st.base,
    };
    *state = x;
    if (!x->site.log) {
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
    store_close(&x->st.base);
    free(x);
    return 0;
}

static const char *log_of(fixture *x)
{
    fflush(x->site.log);
    return x->log_text ? x->log_text : "";
}

typedef struct headers {
    const char *cookie;
    const char *origin;
} headers;

static const char *header_of(void *ctx, const char *name)
{
    const headers *h = ctx;
    return strcmp(name, "Cookie") == 0 ? h->cookie : strcmp(name, "Origin") == 0 ? h->origin : NULL;
}

static web_request request(const char *method, const char *target, headers *h, const char *body)
{
    return (web_request){.method = method,
                         .path = target,
                         .target = target,
                         .body = body,
                         .body_len = body ? strlen(body) : 0,
                         .header = header_of,
                         .ctx = h};
}

/* The store failure answer, exactly, with nothing of a success about it. */
static void assert_store_failure(fixture *x, const web_failure *f, const web_response *r,
                                 const char *op)
{
    assert_int_equal(f->status, 503);
    assert_int_equal(f->retry_after, WEB_RETRY_AFTER_SECONDS);
    assert_string_equal(f->reason, "session_store");
    assert_string_equal(f->title, "Sessions are unavailable");
    assert_non_null(strstr(f->message, "try again shortly"));
    assert_null(r->location);
    char want[64];
    snprintf(want, sizeof want, "fake %s: disk on fire", op);
    assert_non_null(strstr(log_of(x), want));
    assert_null(strstr(log_of(x), "out of memory"));
    assert_null(strstr(log_of(x), "KINDE_E_NOMEM"));
}

/* Signs in as far as the pending login: the cookie "kinde_session=<id>" in
 * cookie, the pending record's CSRF token in csrf. */
static void pending_login(fixture *x, char *cookie, size_t n, char csrf[TOKEN_SIZE])
{
    headers h = {NULL, NULL};
    web_request q = request("GET", "/login?next=/details", &h, NULL);
    web_response r;
    web_response_init(&r);
    web_failure f;
    assert_int_equal(web_signin_start(&x->site, &q, &r, WEB_LOGIN, "/details", &f), 0);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.location, "http://127.0.0.1:9/oauth2/auth?"));
    assert_int_equal(fake_count(&x->st), 1);
    const char *semi = strchr(r.cookie.data, ';');
    assert_non_null(semi);
    snprintf(cookie, n, "%.*s", (int)(semi - r.cookie.data), r.cookie.data);
    web_response_free(&r);

    web_session s;
    store_error err;
    h.cookie = cookie;
    web_response_init(&r);
    assert_int_equal(web_session_load(&x->site, &q, &r, &s, &err), 1);
    memcpy(csrf, s.rec.csrf, TOKEN_SIZE);
    web_session_free(&s);
    web_response_free(&r);
}

static void failing_store_at_sign_in_start(void **state)
{
    fixture *x = *state;
    x->st.fail = FAIL_PUT;
    headers h = {NULL, NULL};
    web_request q = request("GET", "/login", &h, NULL);
    web_response r;
    web_response_init(&r);
    web_failure f;
    assert_int_equal(web_signin_start(&x->site, &q, &r, WEB_LOGIN, NULL, &f), -1);
    assert_store_failure(x, &f, &r, "put");
    assert_int_equal(r.cookie.len, 0); /* no id handed out for a record that is not there */
    assert_int_equal(fake_count(&x->st), 0);
    web_response_free(&r);
}

static void failing_store_with_a_session(void **state)
{
    fixture *x = *state;
    char cookie[128], csrf[TOKEN_SIZE];
    pending_login(x, cookie, sizeof cookie, csrf);
    x->st.fail = FAIL_GET;
    headers h = {cookie, NULL};

    /* Loading: -1, not "no session" (which is what a signed-out page shows). */
    web_request q = request("GET", "/", &h, NULL);
    web_response r;
    web_response_init(&r);
    web_session s;
    store_error err;
    assert_int_equal(web_session_load(&x->site, &q, &r, &s, &err), -1);
    assert_string_equal(err.text, "fake get: disk on fire");
    assert_int_equal(r.cookie.len, 0); /* the cookie is kept for when the store is back */
    web_session_free(&s);
    web_response_free(&r);

    int (*flows[])(const web_site *, const web_request *, web_response *, web_failure *) = {
        web_callback, web_signout};
    const char *targets[] = {"/callback?code=a&state=b", "/logout"};
    for (size_t i = 0; i < 2; i++) {
        q = request(i ? "POST" : "GET", targets[i], &h, i ? "csrf=x" : NULL);
        web_response_init(&r);
        web_failure f;
        assert_int_equal(flows[i](&x->site, &q, &r, &f), -1);
        assert_store_failure(x, &f, &r, "get");
        web_response_free(&r);
    }
    /* A sign-in over it: refused the same way, not started over as new. */
    q = request("GET", "/login", &h, NULL);
    web_response_init(&r);
    web_failure f;
    assert_int_equal(web_signin_start(&x->site, &q, &r, WEB_LOGIN, NULL, &f), -1);
    assert_store_failure(x, &f, &r, "get");
    assert_int_equal(r.cookie.len, 0);
    web_response_free(&r);
    assert_int_equal(fake_count(&x->st), 1);
}

static void sign_out_whose_delete_fails_is_not_a_sign_out(void **state)
{
    fixture *x = *state;
    char cookie[128], csrf[TOKEN_SIZE], body[128];
    pending_login(x, cookie, sizeof cookie, csrf);
    snprintf(body, sizeof body, "csrf=%s", csrf);
    headers h = {cookie, "http://127.0.0.1:8000"};
    web_request q = request("POST", "/logout", &h, body);
    web_response r;
    web_failure f;

    x->st.fail = FAIL_DEL;
    web_response_init(&r);
    assert_int_equal(web_signout(&x->site, &q, &r, &f), -1);
    assert_store_failure(x, &f, &r, "delete");
    assert_int_equal(r.cookie.len, 0); /* not cleared: nothing was signed out */
    assert_int_equal(fake_count(&x->st), 1);
    web_response_free(&r);

    /* The store back: the same request signs out. */
    x->st.fail = 0;
    web_response_init(&r);
    assert_int_equal(web_signout(&x->site, &q, &r, &f), 0);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(r.cookie.data, "Max-Age=0"));
    assert_int_equal(fake_count(&x->st), 0);
    web_response_free(&r);
}

static void refused_callback_consumes_the_pending_login(void **state)
{
    fixture *x = *state;
    char cookie[128], csrf[TOKEN_SIZE];
    pending_login(x, cookie, sizeof cookie, csrf);
    headers h = {cookie, NULL};
    web_request q = request("GET", "/callback?code=abc&state=not-the-state", &h, NULL);
    web_response r;
    web_response_init(&r);
    web_failure f;
    assert_int_equal(web_callback(&x->site, &q, &r, &f), -1);
    assert_int_equal(f.status, 400);
    assert_string_equal(f.reason, "invalid_state");
    assert_int_equal(r.no_referrer, 1);
    assert_non_null(strstr(r.cookie.data, "Max-Age=0"));
    assert_int_equal(fake_count(&x->st), 0);
    web_response_free(&r);

    /* A store that cannot delete it: the page says so rather than pretend. */
    pending_login(x, cookie, sizeof cookie, csrf);
    x->st.fail = FAIL_DEL;
    web_response_init(&r);
    assert_int_equal(web_callback(&x->site, &q, &r, &f), -1);
    assert_store_failure(x, &f, &r, "delete");
    web_response_free(&r);
}

/* Kinde briefly unavailable: Retry-After is when the back-off lets the next
 * refresh try, in whole seconds rounded up, never 0 (which would mean none). */
static void kinde_unavailable_retry_after_follows_the_back_off(void **state)
{
    (void)state;
    web_site site = {.name = "test"};
    web_failure f;
    web_kinde_unavailable(&site, &f); /* no back-off at all */
    assert_int_equal(f.status, 503);
    assert_string_equal(f.reason, "kinde_unavailable");
    assert_int_equal(f.retry_after, 1);
    web_backoff b;
    web_backoff_init(&b, 2500, 5000);
    site.kinde_backoff = &b;
    web_kinde_unavailable(&site, &f); /* not failing: try at once */
    assert_int_equal(f.retry_after, 1);
    assert_int_equal(web_backoff_may_try(&b), 1);
    web_backoff_done(&b, 0); /* failed: nobody asks for 2.5 s */
    web_kinde_unavailable(&site, &f);
    assert_int_equal(f.retry_after, 3);
    web_backoff_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinde_unavailable_retry_after_follows_the_back_off),
        cmocka_unit_test_setup_teardown(failing_store_at_sign_in_start, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_store_with_a_session, setup, teardown),
        cmocka_unit_test_setup_teardown(sign_out_whose_delete_fails_is_not_a_sign_out, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(refused_callback_consumes_the_pending_login, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
