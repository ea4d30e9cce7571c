/* kinde-gateway's endpoints driven without a server: web_requests built
 * here, a real SQLite store in a temporary directory, real session records
 * holding Kinde sessions (tokens made here: the store keeps tokens that were
 * verified when they came in, so reading them back is what the gateway does
 * on every request). Kinde is an address nobody answers on: a refresh there
 * is a failure that may pass (E41). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pthread.h>

#include "gateway.h"
#include "pages.h"
#include "session.h"

/* ---- a store that fails on demand, else is the real SQLite one ------------ */

typedef struct switch_store {
    store base;
    store *real;
    int fail;
} switch_store;

static int sw_failed(store_error *err)
{
    store_error_set(err, "switched off: disk on fire");
    return -1;
}

static int sw_get(store *s, const char *k, char **v, size_t *n, store_error *e)
{
    switch_store *w = (switch_store *)s;
    return w->fail ? sw_failed(e) : store_get(w->real, k, v, n, e);
}

static int sw_put(store *s, const char *k, const char *v, size_t n, long ttl, store_error *e)
{
    switch_store *w = (switch_store *)s;
    return w->fail ? sw_failed(e) : store_put(w->real, k, v, n, ttl, e);
}

static int sw_del(store *s, const char *k, store_error *e)
{
    switch_store *w = (switch_store *)s;
    return w->fail ? sw_failed(e) : store_delete(w->real, k, e);
}

static int sw_ping(store *s, store_error *e)
{
    switch_store *w = (switch_store *)s;
    return w->fail ? sw_failed(e) : store_ping(w->real, e);
}

static void sw_close(store *s)
{
    store_close(((switch_store *)s)->real);
}

static const store_ops sw_ops = {sw_get, sw_put, sw_del, sw_ping, sw_close};

/* ---- the gateway ----------------------------------------------------------- */

typedef struct fixture {
    char dir[64];
    switch_store st;
    gateway g;
    char *log_text;
    size_t log_len;
} fixture;

static const char *const RULES = "*        /          signed-in\n"
                                 "GET,HEAD /pub/      public\n"
                                 "*        /admin/    permission=read:admin\n"
                                 "GET      /reports   any-permission=read:reports\n";

static int teardown(void **state)
{
    fixture *x = *state;
    gw_destroy(&x->g);
    if (x->g.site.log)
        fclose(x->g.site.log);
    free(x->log_text);
    kinde_client_free(x->g.site.client);
    if (x->st.real)
        store_close(&x->st.base);
    session_cache_free(x->g.site.cache);
    /* The directory holds files only: the store's and the tests'. */
    DIR *d = opendir(x->dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", x->dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            assert_int_equal(unlink(path), 0);
    }
    closedir(d);
    assert_int_equal(rmdir(x->dir), 0);
    free(x);
    return 0;
}

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    *state = x;
    snprintf(x->dir, sizeof x->dir, "/tmp/gw-routes.XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/sessions.db", x->dir);
    x->st.real = store_sqlite_open(path, 500, err, sizeof err);
    assert_non_null(x->st.real);
    x->st.base.ops = &sw_ops;
    x->st.base.name = "sqlite";

    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:9"; /* nobody answers: a refresh may pass */
    cfg.client_id = "client";
    cfg.client_secret = "secret";
    cfg.callback_url = "http://127.0.0.1:8080/_kinde/callback";
    cfg.post_logout_redirect_url = "http://127.0.0.1:8080/";
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    cfg.http_timeout_ms = 2000;
    kinde_client *client = NULL;
    assert_int_equal(kinde_client_new(&cfg, &client, NULL), KINDE_OK);
    static web_seal_key seal;
    assert_int_equal(
        seal_key_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                          &seal),
        0);
    gateway *g = &x->g;
    g->prefix = "/_kinde/";
    g->access_log.fd = -1;
    g->site = (web_site){
        .seal = &seal,
        .name = "kinde-gateway",
        .log = open_memstream(&x->log_text, &x->log_len),
        .public_url = "http://127.0.0.1:8080",
        .cookie_name = "kinde_gateway_session",
        .idle_timeout = 1800,
        .absolute_timeout = 43200,
        .login_ttl = 600,
        .client = client,
        .store = &x->st.base,
        .counters = &g->metrics.web,
        /* As the gateway runs: every test here goes through the cache. */
        .cache = session_cache_new(8),
    };
    assert_non_null(g->site.cache);
    assert_non_null(g->site.log);
    gw_rules *rules = gw_rules_parse(RULES, strlen(RULES), "rules.conf", err, sizeof err);
    assert_non_null(rules);
    gw_init(g, rules);
    return 0;
}

static const char *log_of(fixture *x)
{
    fflush(x->g.site.log);
    return x->log_text ? x->log_text : "";
}

/* ---- sessions ---------------------------------------------------------------- */

static char *b64url(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * (n / 3 + 1) + 1);
    assert_non_null(out);
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (char *c = out; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
    }
    return out;
}

/* header.payload.signature, as the store holds it (verified on arrival). */
static char *token(const char *payload)
{
    char *h = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
    char *p = b64url(payload);
    size_t n = strlen(h) + strlen(p) + 16;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%s.%s.c2ln", h, p);
    free(h);
    free(p);
    return t;
}

/* A signed-in session record in the store: the access token expires in
 * expires_in seconds and holds at_extra (JSON members), the ID token
 * id_extra (NULL: no ID token); a refresh token when with_refresh. The Cookie header to send it
 * with goes to cookie. */
static void signed_in(fixture *x, long expires_in, const char *at_extra, const char *id_extra,
                      int with_refresh, char *cookie, size_t n)
{
    long long now = (long long)time(NULL);
    char at_json[16384], id_json[2048];
    snprintf(at_json, sizeof at_json,
             "{\"aud\":[],\"azp\":\"client\",\"iss\":\"http://127.0.0.1:9\",\"jti\":\"j1\","
             "\"sub\":\"kp_123\",\"iat\":%lld,\"exp\":%lld%s%s}",
             now, now + expires_in, at_extra[0] ? "," : "", at_extra);
    snprintf(id_json, sizeof id_json,
             "{\"aud\":[\"client\"],\"azp\":\"client\",\"iss\":\"http://127.0.0.1:9\","
             "\"sub\":\"kp_123\",\"iat\":%lld,\"exp\":%lld%s%s}",
             now, now + 3600, id_extra && id_extra[0] ? "," : "", id_extra ? id_extra : "");
    char *at = token(at_json), *it = token(id_json);
    size_t len = strlen(at) + strlen(it) + 128;
    char *record = malloc(len);
    assert_non_null(record);
    snprintf(record, len, "kinde-session 1\nat %s\n%s%s%s%s", at, id_extra ? "it " : "",
             id_extra ? it : "", id_extra ? "\n" : "", with_refresh ? "rt refresh-token-1\n" : "");
    kinde_session *ks = NULL;
    assert_int_equal(kinde_session_deserialize(record, strlen(record), &ks, NULL), KINDE_OK);
    char id[TOKEN_SIZE];
    store_error err;
    kinde_code rc;
    assert_int_equal(web_session_create(&x->g.site, ks, 1, NULL, id, &err, &rc), 0);
    snprintf(cookie, n, "kinde_gateway_session=%s", id);
    kinde_session_free(ks);
    free(record);
    free(at);
    free(it);
}

#define DAVE_ID "\"given_name\":\"Dave\",\"family_name\":\"Smith\",\"email\":\"dave@smith.com\""
#define DAVE_AT                                                                                 \
    "\"org_code\":\"org_123\",\"permissions\":[\"read:admin\",\"write:admin\"],"                \
    "\"roles\":[{\"id\":\"r1\",\"key\":\"admin\",\"name\":\"Admin\"},"                          \
    "{\"id\":\"r2\",\"key\":\"billing\",\"name\":\"Billing\"}]"

/* ---- requests ----------------------------------------------------------------- */

typedef struct headers {
    const char *names[8];
    const char *values[8];
} headers;

static const char *header_of(void *ctx, const char *name)
{
    const headers *h = ctx;
    for (int i = 0; i < 8 && h->names[i]; i++)
        if (strcasecmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

/* method target, headers as "Name", "value" pairs ending with NULL. */
static web_response call(fixture *x, int now, const char *method, const char *target,
                         const char *body, headers *h, int *deferred)
{
    char path[1024];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(target, "?"), target);
    web_request q = {.method = method,
                     .path = path,
                     .target = target,
                     .body = body,
                     .body_len = body ? strlen(body) : 0,
                     .header = header_of,
                     .ctx = h};
    web_response r;
    web_response_init(&r);
    int d = now ? gw_handle_now(&x->g, &q, &r) : (gw_handle(&x->g, &q, &r), 0);
    if (deferred)
        *deferred = d;
    else
        assert_int_equal(d, 0);
    return r;
}

/* The auth request nginx makes: X-Original-URI and -Method, the cookie. */
static web_response auth(fixture *x, const char *method, const char *uri, const char *cookie)
{
    headers h = {{"X-Original-URI", "X-Original-Method", "Cookie"}, {uri, method, cookie}};
    if (!cookie)
        h.names[2] = NULL;
    return call(x, 0, "GET", "/_kinde/auth", NULL, &h, NULL);
}

/* The value of added header name, NULL when r has none. */
static const char *hdr(const web_response *r, const char *name)
{
    size_t at = 0;
    const char *n, *v;
    while (web_response_header_next(r, &at, &n, &v))
        if (strcmp(n, name) == 0)
            return v;
    return NULL;
}

static void assert_auth(const web_response *r, unsigned status, const char *reason)
{
    assert_int_equal(r->status, status);
    assert_string_equal(hdr(r, "X-Kinde-Reason"), reason);
    assert_int_equal(r->no_store, 1);
    assert_int_equal(r->to_program, 1);
    assert_int_equal(r->body.len, 0);
    assert_null(r->location);
}

static const char *const IDENTITY[] = {"X-Kinde-User-Id", "X-Kinde-Email",  "X-Kinde-Name",
                                       "X-Kinde-Org-Code", "X-Kinde-Permissions", "X-Kinde-Roles",
                                       "X-Kinde-Authorization"};

static void assert_no_identity(const web_response *r)
{
    for (size_t i = 0; i < sizeof IDENTITY / sizeof IDENTITY[0]; i++)
        assert_null(hdr(r, IDENTITY[i]));
}

/* ---- the auth request ---------------------------------------------------------- */

static void auth_without_original_uri_or_method(void **state)
{
    fixture *x = *state;
    headers none = {{NULL}, {NULL}};
    web_response r = call(x, 0, "GET", "/_kinde/auth", NULL, &none, NULL);
    assert_auth(&r, 403, "no_original_uri");
    web_response_free(&r);
    headers no_method = {{"X-Original-URI"}, {"/x"}};
    r = call(x, 0, "GET", "/_kinde/auth", NULL, &no_method, NULL);
    assert_auth(&r, 403, "no_original_uri");
    web_response_free(&r);
    assert_non_null(strstr(log_of(x), "no X-Original-Method header"));
    assert_int_equal(x->g.metrics.requests[GW_FORBIDDEN], 2);
}

static void auth_refuses_ambiguous_uris_and_methods(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    /* Each would reach /admin/ by another spelling, or is not a path. */
    const char *bad[] = {"/x/%2fadmin/", "/admin%2Fx", "/../admin/", "/x/%2e%2e/%2e%2e/admin",
                         "/a\\b", "x", "/a%00b", "/a%zz", "/a%0d%0aX: y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        web_response r = auth(x, "GET", bad[i], cookie);
        assert_auth(&r, 403, "bad_uri");
        assert_no_identity(&r);
        web_response_free(&r);
    }
    const char *methods[] = {"get", "", "G ET", "GET\r\n"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        web_response r = auth(x, methods[i], "/x", cookie);
        assert_auth(&r, 403, "bad_uri");
        web_response_free(&r);
    }
}

static void auth_not_signed_in(void **state)
{
    fixture *x = *state;
    web_response r = auth(x, "GET", "/x", NULL);
    assert_auth(&r, 401, "not_signed_in");
    assert_int_equal(r.cookie.len, 0);
    web_response_free(&r);
    /* An id the store does not know: not adopted, the cookie cleared. */
    r = auth(x, "GET", "/x", "kinde_gateway_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_auth(&r, 401, "not_signed_in");
    assert_non_null(strstr(r.cookie.data, "Max-Age=0"));
    web_response_free(&r);
    assert_int_equal(x->g.metrics.requests[GW_NOT_SIGNED_IN], 2);
}

static void auth_public(void **state)
{
    fixture *x = *state;
    web_response r = auth(x, "GET", "/pub/a.css", NULL);
    assert_auth(&r, 200, "public");
    assert_no_identity(&r);
    web_response_free(&r);
    /* HEAD goes with GET; POST does not (the / rule: signed-in). */
    r = auth(x, "HEAD", "/pub/a.css?v=1", NULL);
    assert_auth(&r, 200, "public");
    web_response_free(&r);
    r = auth(x, "POST", "/pub/a.css", NULL);
    assert_auth(&r, 401, "not_signed_in");
    web_response_free(&r);
    /* Signed in: who it is comes along. */
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    r = auth(x, "GET", "/pub/", cookie);
    assert_auth(&r, 200, "public");
    assert_string_equal(hdr(&r, "X-Kinde-User-Id"), "kp_123");
    web_response_free(&r);
    assert_int_equal(x->g.metrics.requests[GW_PUBLIC], 3);
}

static void auth_allowed_with_identity_headers(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    web_response r = auth(x, "DELETE", "http://nginx.example/admin/users/7?x=%2f", cookie);
    assert_auth(&r, 200, "allowed");
    assert_string_equal(hdr(&r, "X-Kinde-User-Id"), "kp_123");
    assert_string_equal(hdr(&r, "X-Kinde-Email"), "dave@smith.com");
    assert_string_equal(hdr(&r, "X-Kinde-Name"), "Dave Smith");
    assert_string_equal(hdr(&r, "X-Kinde-Org-Code"), "org_123");
    assert_string_equal(hdr(&r, "X-Kinde-Permissions"), "read:admin,write:admin");
    assert_string_equal(hdr(&r, "X-Kinde-Roles"), "admin,billing");
    assert_null(hdr(&r, "X-Kinde-Authorization"));
    web_response_free(&r);

    /* --pass-access-token: the token the session holds, as a bearer. */
    x->g.pass_access_token = 1;
    r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 200, "allowed");
    const char *bearer = hdr(&r, "X-Kinde-Authorization");
    assert_non_null(bearer);
    assert_int_equal(strncmp(bearer, "Bearer eyJ", 10), 0);
    assert_null(strchr(bearer, '\n'));
    web_response_free(&r);
    assert_int_equal(x->g.metrics.requests[GW_ALLOWED], 2);
}

static void auth_absent_claims_give_no_header(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, "", "\"given_name\":\"Dave\"", 1, cookie, sizeof cookie);
    web_response r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 200, "allowed");
    assert_string_equal(hdr(&r, "X-Kinde-Name"), "Dave");
    assert_null(hdr(&r, "X-Kinde-Email"));
    assert_null(hdr(&r, "X-Kinde-Org-Code"));
    assert_null(hdr(&r, "X-Kinde-Permissions"));
    assert_null(hdr(&r, "X-Kinde-Roles"));
    web_response_free(&r);
    /* No ID token: the user id is the access token's sub, nothing else. */
    signed_in(x, 3600, "", NULL, 1, cookie, sizeof cookie);
    r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 200, "allowed");
    assert_string_equal(hdr(&r, "X-Kinde-User-Id"), "kp_123");
    assert_null(hdr(&r, "X-Kinde-Name"));
    assert_null(hdr(&r, "X-Kinde-Email"));
    web_response_free(&r);
}

/* A list header longer than the gateway builds (4096 bytes with its NUL):
 * left out and logged, never cut. */
static void auth_long_lists(void **state)
{
    fixture *x = *state;
    for (size_t len = 4094; len <= 4096; len++) {
        char *claims = malloc(len + 64);
        assert_non_null(claims);
        /* "a,bbb...b": two permissions, joined exactly len bytes long. */
        int n = snprintf(claims, len + 64, "\"permissions\":[\"a\",\"");
        memset(claims + n, 'b', len - 2);
        snprintf(claims + n + len - 2, 8, "\"]");
        char cookie[128];
        signed_in(x, 3600, claims, DAVE_ID, 1, cookie, sizeof cookie);
        free(claims);
        web_response r = auth(x, "GET", "/x", cookie);
        assert_auth(&r, 200, "allowed");
        const char *perms = hdr(&r, "X-Kinde-Permissions");
        if (len < 4096) {
            assert_non_null(perms);
            assert_int_equal(strlen(perms), len);
            assert_int_equal(strncmp(perms, "a,bbb", 5), 0);
        } else {
            assert_null(perms);
            assert_non_null(strstr(log_of(x), "X-Kinde-Permissions left out: longer than 4096"));
        }
        web_response_free(&r);
    }
}

static void auth_forbidden(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, "\"permissions\":[\"read:todos\"]", DAVE_ID, 1, cookie, sizeof cookie);
    web_response r = auth(x, "GET", "/admin/", cookie);
    assert_auth(&r, 403, "forbidden");
    assert_no_identity(&r);
    web_response_free(&r);
    /* Segment boundary: /administrator is the / rule's. */
    r = auth(x, "GET", "/administrator", cookie);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    assert_int_equal(x->g.metrics.requests[GW_FORBIDDEN], 1);
}

static void auth_leaves_out_values_with_control_characters(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, "\"org_code\":\"org_1\\r\\nX-Kinde-User-Id: kp_admin\"",
              "\"given_name\":\"Dave\\r\\nX-Evil: 1\",\"family_name\":\"Smith\","
              "\"email\":\"dave@smith.com\\u0007\"",
              1, cookie, sizeof cookie);
    web_response r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 200, "allowed");
    assert_null(hdr(&r, "X-Kinde-Name"));
    assert_null(hdr(&r, "X-Kinde-Org-Code"));
    assert_null(hdr(&r, "X-Kinde-Email"));
    assert_null(hdr(&r, "X-Evil"));
    assert_string_equal(hdr(&r, "X-Kinde-User-Id"), "kp_123"); /* once, the real one */
    web_response_free(&r);
    assert_non_null(strstr(log_of(x), "X-Kinde-Name left out: its value holds a control"));
    assert_non_null(strstr(log_of(x), "X-Kinde-Org-Code left out"));
    assert_non_null(strstr(log_of(x), "X-Kinde-Email left out"));
}

static void auth_kinde_unavailable_keeps_the_session(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, -10, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    for (int i = 0; i < 2; i++) {
        web_response r = auth(x, "GET", "/x", cookie);
        assert_auth(&r, 503, "kinde_unavailable");
        assert_int_equal(r.cookie.len, 0); /* kept */
        assert_no_identity(&r);
        web_response_free(&r);
    }
    assert_non_null(strstr(log_of(x), "session kept: refreshing its tokens failed"));
    assert_int_equal(x->g.metrics.requests[GW_UNAVAILABLE], 2);
    /* Even a public path answers: public, without identity. */
    web_response r = auth(x, "GET", "/pub/x", cookie);
    assert_auth(&r, 200, "public");
    assert_no_identity(&r);
    web_response_free(&r);
}

static void auth_expired_without_refresh_token_is_signed_out(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, -10, DAVE_AT, DAVE_ID, 0, cookie, sizeof cookie);
    web_response r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 401, "not_signed_in");
    assert_non_null(strstr(r.cookie.data, "Max-Age=0"));
    web_response_free(&r);
    assert_non_null(strstr(log_of(x), "session ended: Kinde refused to refresh it"));
}

/* The session cache (web/session_cache.h) skips opening a record only while
 * the store holds the very bytes it opened: what another gateway sharing
 * the store writes or deletes counts at the next request. */
static void auth_session_cache(void **state)
{
    fixture *x = *state;
    session_cache *cache = x->g.site.cache;
    char cookie[128], other[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    signed_in(x, 3600, "\"permissions\":[\"read:reports\"]", NULL, 1, other, sizeof other);
    const char *id = strchr(cookie, '=') + 1;
    unsigned long hits, misses;
    session_cache_stats(cache, &hits, &misses);
    assert_int_equal(hits + misses, 0);

    web_response r = auth(x, "GET", "/admin/x", cookie);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    session_cache_stats(cache, &hits, &misses);
    assert_int_equal(misses, 1);
    assert_int_equal(hits, 0);
    r = auth(x, "GET", "/admin/x", cookie);
    assert_auth(&r, 200, "allowed");
    assert_string_equal(hdr(&r, "X-Kinde-Permissions"), "read:admin,write:admin");
    web_response_free(&r);
    session_cache_stats(cache, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);

    /* Another gateway (its own cache) writes other tokens under this id:
     * the next answer is theirs, not the cached ones. */
    web_site peer = x->g.site;
    peer.cache = NULL;
    headers h = {{"Cookie"}, {other}};
    web_request q = {.method = "GET", .path = "/", .target = "/", .header = header_of, .ctx = &h};
    web_response pr;
    web_response_init(&pr);
    web_session s;
    store_error err;
    assert_int_equal(web_session_load(&peer, &q, &pr, &s, &err), 1);
    assert_int_equal(web_session_save(&peer, id, &s.rec, &err), 0);
    web_session_free(&s);
    web_response_free(&pr);
    r = auth(x, "GET", "/admin/x", cookie);
    assert_auth(&r, 403, "forbidden");
    web_response_free(&r);
    session_cache_stats(cache, &hits, &misses);
    assert_int_equal(misses, 2);

    /* Another gateway signs the person out: 401 at once. */
    assert_int_equal(web_session_drop(&peer, id, &err), 0);
    assert_true(session_cache_count(cache) > 0); /* the peer cannot reach this cache */
    r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 401, "not_signed_in");
    web_response_free(&r);

    /* A drop here empties this cache. */
    r = auth(x, "GET", "/x", other);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    assert_int_equal(session_cache_count(cache), 1);
    assert_int_equal(web_session_drop(&x->g.site, strchr(other, '=') + 1, &err), 0);
    assert_int_equal(session_cache_count(cache), 0);
}

static void auth_store_failure(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    x->st.fail = 1;
    web_response r = auth(x, "GET", "/x", cookie);
    assert_auth(&r, 503, "session_store");
    assert_int_equal(r.cookie.len, 0);
    web_response_free(&r);
    assert_non_null(strstr(log_of(x), "switched off: disk on fire"));
    assert_int_equal(x->g.metrics.web.store_errors, 1);
    assert_int_equal(x->g.metrics.requests[GW_UNAVAILABLE], 1);
    /* Without a cookie the store is not asked: not signed in. */
    r = auth(x, "GET", "/x", NULL);
    assert_auth(&r, 401, "not_signed_in");
    web_response_free(&r);
}

/* On an event thread: answered when nothing waits, deferred when it would. */
static void auth_on_the_event_thread(void **state)
{
    fixture *x = *state;
    char fresh[128], expiring[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, fresh, sizeof fresh);
    signed_in(x, 2, DAVE_AT, DAVE_ID, 1, expiring, sizeof expiring);
    int deferred = -1;
    headers h = {{"X-Original-URI", "X-Original-Method", "Cookie"}, {"/admin/", "GET", fresh}};
    web_response r = call(x, 1, "GET", "/_kinde/auth", NULL, &h, &deferred);
    assert_int_equal(deferred, 0);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    h.values[2] = expiring; /* within WEB_REFRESH_SOON_SECONDS: Kinde would be asked */
    r = call(x, 1, "GET", "/_kinde/auth", NULL, &h, &deferred);
    assert_int_equal(deferred, 1);
    web_response_free(&r);
    headers none = {{NULL}, {NULL}};
    r = call(x, 1, "GET", "/_kinde/sign-in", NULL, &none, &deferred);
    assert_int_equal(deferred, 1);
    web_response_free(&r);
    r = call(x, 1, "GET", "/metrics", NULL, &none, &deferred);
    assert_int_equal(deferred, 0);
    assert_int_equal(r.status, 200);
    web_response_free(&r);
    /* A networked store: never on the event thread. */
    x->st.base.name = "redis";
    r = call(x, 1, "GET", "/_kinde/auth", NULL, &h, &deferred);
    assert_int_equal(deferred, 1);
    web_response_free(&r);
    x->st.base.name = "sqlite";
}

static void rules_replaced_while_running(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, "\"permissions\":[\"read:todos\"]", DAVE_ID, 1, cookie, sizeof cookie);
    web_response r = auth(x, "GET", "/admin/", cookie);
    assert_auth(&r, 403, "forbidden");
    web_response_free(&r);
    char err[256];
    const char *text = "* /admin/ permission=read:todos\n";
    gw_rules_replace(&x->g, gw_rules_parse(text, strlen(text), "new.conf", err, sizeof err));
    r = auth(x, "GET", "/admin/", cookie);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    /* A reload of a file that does not parse keeps what is in use. */
    char path[128];
    snprintf(path, sizeof path, "%s/bad.conf", x->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("* /admin/ permission=read:todos\n* /x/ bogus=1\n", f);
    fclose(f);
    x->g.rules_file = path;
    assert_int_equal(gw_rules_reload(&x->g), -1);
    assert_non_null(strstr(log_of(x), "bad.conf:2:"));
    assert_int_equal(x->g.metrics.reloads_failed, 1);
    assert_int_equal(gw_rules_in_use(&x->g), 1);
    r = auth(x, "GET", "/admin/", cookie);
    assert_auth(&r, 200, "allowed");
    web_response_free(&r);
    x->g.rules_file = NULL;
    assert_int_equal(gw_rules_reload(&x->g), 1);
}

/* Requests from several threads while the rules are replaced again and
 * again: each answer is one rule set's or the other's, and (under ASan) no
 * rule is read after its set was freed. */
typedef struct load {
    fixture *x;
    int odd; /* answers neither rule set gives */
} load;

static void *ask_many(void *arg)
{
    load *l = arg;
    for (int i = 0; i < 300; i++) {
        web_response r = auth(l->x, "GET", "/flip/x", NULL);
        const char *reason = hdr(&r, "X-Kinde-Reason");
        if (!reason || !((r.status == 200 && strcmp(reason, "public") == 0) ||
                         (r.status == 401 && strcmp(reason, "not_signed_in") == 0)))
            l->odd++;
        web_response_free(&r);
    }
    return NULL;
}

static void rules_replaced_under_load(void **state)
{
    fixture *x = *state;
    const char *texts[] = {"GET /flip/ public\n", "* /flip/ signed-in\nGET /other/ public\n"};
    pthread_t t[4];
    load l[4];
    for (int i = 0; i < 4; i++) {
        l[i] = (load){x, 0};
        assert_int_equal(pthread_create(&t[i], NULL, ask_many, &l[i]), 0);
    }
    char err[256];
    for (int i = 0; i < 300; i++) {
        const char *text = texts[i % 2];
        gw_rules *rules = gw_rules_parse(text, strlen(text), "flip.conf", err, sizeof err);
        assert_non_null(rules);
        gw_rules_replace(&x->g, rules);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(l[i].odd, 0);
    }
    assert_int_equal(x->g.metrics.requests[GW_PUBLIC] + x->g.metrics.requests[GW_NOT_SIGNED_IN],
                     4 * 300);
}

/* ---- the return path of a sign-in ----------------------------------------------- */

/* Where GET target (with X-Kinde-Return-To: header, when not NULL) sends a
 * signed-in browser: at once to the return path (E33), so Location is it. */
static char *return_of(fixture *x, const char *cookie, const char *target, const char *header)
{
    headers h = {{"Cookie", "X-Kinde-Return-To"}, {cookie, header}};
    if (!header)
        h.names[1] = NULL;
    web_response r = call(x, 0, "GET", target, NULL, &h, NULL);
    assert_int_equal(r.status, 302);
    assert_non_null(r.location);
    char *to = strdup(r.location);
    web_response_free(&r);
    return to;
}

static void assert_return(fixture *x, const char *cookie, const char *target, const char *header,
                          const char *want)
{
    char *to = return_of(x, cookie, target, header);
    if (strcmp(to, want) != 0)
        fail_msg("%s (X-Kinde-Return-To: %s) returned to %s, not %s", target,
                 header ? header : "-", to, want);
    free(to);
}

static void sign_in_return_path_choice(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    assert_return(x, cookie, "/_kinde/sign-in?rd=/reports%3Fy%3D2", NULL, "/reports?y=2");
    assert_return(x, cookie, "/_kinde/sign-in", "/app/page?x=1", "/app/page?x=1");
    assert_return(x, cookie, "/_kinde/sign-in?rd=/a", "/b", "/a"); /* rd first */
    assert_return(x, cookie, "/_kinde/sign-in", NULL, "/");
    assert_return(x, cookie, "/_kinde/register?rd=/r", NULL, "/r");
    assert_return(x, cookie, "/_kinde/create-org?rd=/o&org_name=Acme", NULL, "/o");
    /* rd given but unusable: /, not the header. */
    assert_return(x, cookie, "/_kinde/sign-in?rd=%zz", "/b", "/");
    assert_return(x, cookie, "/_kinde/sign-in?rd=/a&rd=/b", "/b", "/");
    /* Next to the prefix on a segment boundary is fine. */
    assert_return(x, cookie, "/_kinde/sign-in?rd=/_kindex/a", NULL, "/_kindex/a");
}

static void sign_in_return_path_hostile(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    /* SECURITY.md E34's list, and the gateway's own pages (G47). */
    const char *hostile[] = {
        "//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example/",
        "/%2f%2fevil.example", "/%2F/evil.example", "/%5cevil.example", "\t/evil", "/\tevil",
        "evil.example", "", " /x", "/x y", "/%0d%0aSet-Cookie:x=1", "/_kinde/sign-out",
        "/_kinde/", "/_kinde", "/_kinde/auth?x=1", "/x/../_kinde/refresh", "/%5fkinde/sign-out",
        "/x/%2e%2e/_kinde/sign-out", "/./_kinde/callback", "//_kinde/auth"};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        assert_return(x, cookie, "/_kinde/sign-in", hostile[i], "/");
        strbuf t;
        strbuf_init(&t);
        strbuf_adds(&t, "/_kinde/sign-in?rd=");
        strbuf_add_urlenc(&t, hostile[i]);
        assert_true(strbuf_ok(&t));
        assert_return(x, cookie, t.data, NULL, "/");
        strbuf_free(&t);
    }
}

/* A browser not signed in: off to Kinde, the return path kept in the
 * pending login for the callback. */
static void sign_in_starts_a_login_with_the_return_path(void **state)
{
    fixture *x = *state;
    headers h = {{"X-Kinde-Return-To"}, {"/reports?q=1"}};
    web_response r = call(x, 0, "GET", "/_kinde/sign-in", NULL, &h, NULL);
    assert_int_equal(r.status, 302);
    assert_int_equal(strncmp(r.location, "http://127.0.0.1:9/oauth2/auth?", 31), 0);
    assert_non_null(strstr(r.location, "redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F_kinde%2Fcallback"));
    char cookie[128];
    size_t n = strcspn(r.cookie.data, ";");
    snprintf(cookie, sizeof cookie, "%.*s", (int)n, r.cookie.data);
    assert_int_equal(strncmp(cookie, "kinde_gateway_session=", 22), 0);
    web_response_free(&r);

    headers c = {{"Cookie"}, {cookie}};
    web_request q = {.method = "GET", .path = "/", .target = "/", .header = header_of, .ctx = &c};
    web_response_init(&r);
    web_session s;
    store_error err;
    assert_int_equal(web_session_load(&x->g.site, &q, &r, &s, &err), 1);
    assert_string_equal(s.rec.next, "/reports?q=1");
    assert_int_equal(s.rec.signed_in, 0);
    web_session_free(&s);
    web_response_free(&r);

    /* Only GET and HEAD. */
    r = call(x, 0, "POST", "/_kinde/sign-in", "", &h, NULL);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "GET, HEAD");
    web_response_free(&r);
}

/* ---- pages, refresh, health and metrics --------------------------------------------- */

static void forbidden_page(void **state)
{
    fixture *x = *state;
    char cookie[128];
    signed_in(x, 3600, "", "\"given_name\":\"<b>Dave\",\"email\":\"d@x\"", 1, cookie,
              sizeof cookie);
    headers h = {{"Cookie", "X-Kinde-Return-To"}, {cookie, "/admin/\"><x"}};
    web_response r = call(x, 0, "GET", "/_kinde/forbidden", NULL, &h, NULL);
    assert_int_equal(r.status, 403);
    assert_int_equal(r.no_store, 1);
    assert_non_null(strstr(r.body.data, "You do not have access"));
    assert_non_null(strstr(r.body.data, "&lt;b&gt;Dave"));
    assert_null(strstr(r.body.data, "<b>Dave"));
    assert_non_null(strstr(r.body.data, "action=\"/_kinde/refresh\""));
    assert_non_null(strstr(r.body.data, "action=\"/_kinde/sign-out\""));
    /* The return path, escaped. */
    assert_non_null(strstr(r.body.data, "name=\"rd\" value=\"/admin/&quot;&gt;&lt;x\""));
    assert_null(strstr(r.body.data, "<script"));
    assert_null(strstr(r.body.data, "style="));
    web_response_free(&r);
    /* A return path that is not local: / in the form. */
    h.values[1] = "//evil.example";
    r = call(x, 0, "GET", "/_kinde/forbidden", NULL, &h, NULL);
    assert_non_null(strstr(r.body.data, "name=\"rd\" value=\"/\""));
    web_response_free(&r);
}

static void sign_out_page(void **state)
{
    fixture *x = *state;
    headers none = {{NULL}, {NULL}};
    web_response r = call(x, 0, "GET", "/_kinde/sign-out", NULL, &none, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "You are signed out"));
    assert_null(strstr(r.body.data, "<form"));
    web_response_free(&r);
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    headers h = {{"Cookie"}, {cookie}};
    r = call(x, 0, "GET", "/_kinde/sign-out", NULL, &h, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "Dave Smith"));
    assert_non_null(strstr(r.body.data, "<form method=\"post\" action=\"/_kinde/sign-out\">"));
    assert_non_null(strstr(r.body.data, "name=\"csrf\""));
    web_response_free(&r);
    /* Signing out is POST with the token, never GET: PUT is 405. */
    r = call(x, 0, "PUT", "/_kinde/sign-out", "", &h, NULL);
    assert_int_equal(r.status, 405);
    web_response_free(&r);
}

/* The access log the gateway wrote so far (its file in the fixture's
 * directory), into buf. */
static const char *access_log_text(fixture *x, char *buf, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/access.log", x->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t len = fread(buf, 1, n - 1, f);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void refresh_route(void **state)
{
    fixture *x = *state;
    char path[128], msg[256], log[4096];
    snprintf(path, sizeof path, "%s/access.log", x->dir);
    assert_int_equal(gw_access_log_open(&x->g.access_log, path, msg, sizeof msg), 0);
    char cookie[128];
    signed_in(x, 3600, DAVE_AT, DAVE_ID, 1, cookie, sizeof cookie);
    /* Wrong token: refused, nothing asked of Kinde. */
    headers h = {{"Cookie", "Origin"}, {cookie, "http://127.0.0.1:8080"}};
    web_response r = call(x, 0, "POST", "/_kinde/refresh", "csrf=nope&rd=/admin/", &h, NULL);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body.data, "csrf"));
    web_response_free(&r);
    assert_non_null(strstr(access_log_text(x, log, sizeof log),
                           " endpoint=refresh method=POST uri=\"/_kinde/refresh\" status=403 "
                           "reason=csrf us="));
    /* The right token from another origin: refused too. */
    headers hs = {{"Cookie"}, {cookie}};
    web_request q = {.method = "GET", .path = "/", .target = "/", .header = header_of, .ctx = &hs};
    web_session s;
    store_error err;
    web_response_init(&r);
    assert_int_equal(web_session_load(&x->g.site, &q, &r, &s, &err), 1);
    char body[128];
    snprintf(body, sizeof body, "csrf=%s&rd=/admin/", s.rec.csrf);
    web_session_free(&s);
    web_response_free(&r);
    h.values[1] = "http://evil.example";
    r = call(x, 0, "POST", "/_kinde/refresh", body, &h, NULL);
    assert_int_equal(r.status, 403);
    web_response_free(&r);
    /* Right token, right origin; Kinde does not answer: 503, kept. */
    h.values[1] = "http://127.0.0.1:8080";
    r = call(x, 0, "POST", "/_kinde/refresh", body, &h, NULL);
    assert_int_equal(r.status, 503);
    /* Retry-After: what the back-off still holds refreshes, at least 1 s. */
    assert_in_range(r.retry_after, 1, 5);
    assert_int_equal(r.cookie.len, 0);
    web_response_free(&r);
    assert_int_equal(x->g.metrics.web.refreshes, 0);
    /* Not signed in: sign in, then back to rd. */
    headers none = {{NULL}, {NULL}};
    r = call(x, 0, "POST", "/_kinde/refresh", "rd=/admin/x", &none, NULL);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/_kinde/sign-in?rd=%2Fadmin%2Fx");
    web_response_free(&r);
    r = call(x, 0, "GET", "/_kinde/refresh", NULL, &none, NULL);
    assert_int_equal(r.status, 405);
    web_response_free(&r);
    assert_non_null(strstr(access_log_text(x, log, sizeof log),
                           " endpoint=refresh method=GET uri=\"/_kinde/refresh\" status=405 "
                           "reason=method_not_allowed us="));
    gw_access_log_close(&x->g.access_log);
}

static void unavailable_and_not_found(void **state)
{
    fixture *x = *state;
    headers none = {{NULL}, {NULL}};
    web_response r = call(x, 0, "GET", "/_kinde/unavailable", NULL, &none, NULL);
    assert_int_equal(r.status, 503);
    assert_int_equal(r.retry_after, 5);
    assert_non_null(strstr(r.body.data, "you are still signed in"));
    web_response_free(&r);
    const char *nothing[] = {"/", "/_kinde/nope", "/_kinde/auth/x", "/healthzz", "/_kinde"};
    for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++) {
        r = call(x, 0, "GET", nothing[i], NULL, &none, NULL);
        assert_int_equal(r.status, 404);
        web_response_free(&r);
    }
}

static void healthz(void **state)
{
    fixture *x = *state;
    headers none = {{NULL}, {NULL}};
    web_response r = call(x, 0, "GET", "/healthz", NULL, &none, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "ok sessions=sqlite\n");
    web_response_free(&r);
    x->st.fail = 1;
    r = call(x, 0, "GET", "/healthz", NULL, &none, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body.data, "unavailable sessions=sqlite\n");
    web_response_free(&r);
}

static void metrics_text(void **state)
{
    fixture *x = *state;
    web_response r = auth(x, "GET", "/x", NULL);
    web_response_free(&r);
    r = auth(x, "GET", "/x", NULL);
    web_response_free(&r);
    r = auth(x, "GET", "/pub/", NULL);
    web_response_free(&r);
    web_count(&x->g.metrics.web.sign_ins);
    web_count(&x->g.metrics.reloads_failed);
    headers none = {{NULL}, {NULL}};
    r = call(x, 0, "GET", "/metrics", NULL, &none, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    const char *want =
        "# HELP kinde_gateway_requests_total Auth requests answered, by what they came to.\n"
        "# TYPE kinde_gateway_requests_total counter\n"
        "kinde_gateway_requests_total{result=\"allowed\"} 0\n"
        "kinde_gateway_requests_total{result=\"public\"} 1\n"
        "kinde_gateway_requests_total{result=\"not_signed_in\"} 2\n"
        "kinde_gateway_requests_total{result=\"forbidden\"} 0\n"
        "kinde_gateway_requests_total{result=\"unavailable\"} 0\n"
        "# HELP kinde_gateway_sign_ins_total Sign-ins completed (callbacks that signed someone in).\n"
        "# TYPE kinde_gateway_sign_ins_total counter\n"
        "kinde_gateway_sign_ins_total 1\n"
        "# HELP kinde_gateway_refreshes_total Token refreshes Kinde granted.\n"
        "# TYPE kinde_gateway_refreshes_total counter\n"
        "kinde_gateway_refreshes_total 0\n"
        "# HELP kinde_gateway_store_errors_total Requests answered 503 because the session store failed.\n"
        "# TYPE kinde_gateway_store_errors_total counter\n"
        "kinde_gateway_store_errors_total 0\n"
        "# HELP kinde_gateway_rules_reloads_total Reloads of the rules file (SIGHUP); a failed one keeps the old rules.\n"
        "# TYPE kinde_gateway_rules_reloads_total counter\n"
        "kinde_gateway_rules_reloads_total{result=\"ok\"} 0\n"
        "kinde_gateway_rules_reloads_total{result=\"failed\"} 1\n"
        "# HELP kinde_gateway_rules Rules in use.\n"
        "# TYPE kinde_gateway_rules gauge\n"
        "kinde_gateway_rules 4\n";
    assert_string_equal(r.body.data, want);
    web_response_free(&r);
}

static void access_log_lines(void **state)
{
    (void)state;
    gw_access a = {.endpoint = "auth",
                   .method = "GET",
                   .uri = "/a\"b\\c\r\nts=forged",
                   .status = 403,
                   .reason = "forbidden",
                   .rule = "rules.conf:7",
                   .user = "kp_123",
                   .us = 412};
    struct timespec ts = {.tv_sec = 1796126400, .tv_nsec = 123456789};
    char line[512];
    size_t n = gw_access_format(&a, &ts, line, sizeof line);
    assert_int_equal(n, strlen(line));
    assert_string_equal(line, "ts=2026-12-01T12:00:00.123Z endpoint=auth method=GET "
                              "uri=\"/a\\\"b\\\\c\\x0d\\x0ats=forged\" status=403 reason=forbidden "
                              "rule=\"rules.conf:7\" user=kp_123 us=412\n");
    /* UTF-8 kept as it is; DEL escaped, also last. */
    gw_access u = {.endpoint = "auth", .uri = "/caf\xc3\xa9\x7f", .status = 401, .us = 2};
    gw_access_format(&u, &ts, line, sizeof line);
    assert_string_equal(line, "ts=2026-12-01T12:00:00.123Z endpoint=auth uri=\"/caf\xc3\xa9\\x7f\" "
                              "status=401 us=2\n");
    /* A user id that is not a plain word is quoted; absent fields left out. */
    gw_access b = {.endpoint = "callback", .status = 302, .user = "a b", .us = 1};
    gw_access_format(&b, &ts, line, sizeof line);
    assert_string_equal(line, "ts=2026-12-01T12:00:00.123Z endpoint=callback status=302 "
                              "user=\"a b\" us=1\n");
    /* Too long: cut, still one line. */
    char small[40];
    n = gw_access_format(&a, &ts, small, sizeof small);
    assert_int_equal(n, strlen(small));
    assert_int_equal(small[n - 1], '\n');
    assert_non_null(strstr(small, "...\n"));
    assert_null(memchr(small, '\n', n - 1));
}

static void prefix_option(void **state)
{
    (void)state;
    const char *good[] = {"/_kinde/", "/auth/", "/a/b/", "/_k.i~n-d_e/"};
    const char *bad[] = {"/", "", "_kinde/", "/_kinde", "//", "/a//b/", "/./", "/../", "/a b/",
                         "/a%2f/", "/a?/", "/a\\/"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(gw_prefix_ok(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(gw_prefix_ok(bad[i]));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(auth_without_original_uri_or_method),
        T(auth_refuses_ambiguous_uris_and_methods),
        T(auth_not_signed_in),
        T(auth_public),
        T(auth_allowed_with_identity_headers),
        T(auth_absent_claims_give_no_header),
        T(auth_long_lists),
        T(auth_forbidden),
        T(auth_leaves_out_values_with_control_characters),
        T(auth_kinde_unavailable_keeps_the_session),
        T(auth_expired_without_refresh_token_is_signed_out),
        T(auth_session_cache),
        T(auth_store_failure),
        T(auth_on_the_event_thread),
        T(rules_replaced_while_running),
        T(rules_replaced_under_load),
        T(sign_in_return_path_choice),
        T(sign_in_return_path_hostile),
        T(sign_in_starts_a_login_with_the_return_path),
        T(forbidden_page),
        T(sign_out_page),
        T(refresh_route),
        T(unavailable_and_not_found),
        T(healthz),
        T(metrics_text),
        cmocka_unit_test(access_log_lines),
        cmocka_unit_test(prefix_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
