/* The SDK against an independent, OpenID-Certified provider: oidc-provider
 * (npm, pinned in package.json), configured like Kinde by provider.mjs and
 * started by this test on 127.0.0.1. Nothing here is the project's own
 * emulator: if the SDK and the emulator shared a misreading of the
 * standards, these tests are where it shows.
 *
 * Where oidc-provider differs from Kinde, and what the SDK must (and does)
 * accept because the JWT / OAuth / OpenID Connect standards allow it:
 *
 *  - Access token `aud` is a string ("https://api.interop.test"), not
 *    Kinde's array. RFC 7519 4.1.3 allows both; the SDK treats a string as
 *    a list of one.
 *  - Access token scopes: oidc-provider writes RFC 9068's `scope` (a
 *    space-separated string, and only the API's own scopes, here none), not
 *    Kinde's `scp` array. The SDK does not read either.
 *  - Access token has `client_id` (RFC 9068) and no `azp`; header `typ` is
 *    "at+jwt". The SDK needs neither azp nor a typ on access tokens.
 *  - The ID token's `aud` is the string client id (Kinde: an array holding
 *    it) and it has no `azp`, `at_hash` or `jti`: all optional in OIDC Core.
 *  - Refresh scope: Kinde's is `offline`, OpenID Connect's is
 *    `offline_access` (which oidc-provider also only grants with
 *    prompt=consent). provider.mjs registers `offline` as a scope and issues
 *    refresh tokens for it, so the SDK's default scope works unchanged.
 *  - Subjects are plain account ids ("dave-interop"), not Kinde's kp_<hex>.
 *  - The API is chosen with RFC 8707 `resource`; Kinde's (and the SDK's)
 *    parameter is `audience`. provider.mjs maps `audience` onto the resource
 *    indicator (defaultResource), on /oauth2/auth and on /oauth2/token.
 *  - Refresh token reuse: Kinde lets the old refresh token work for a short
 *    overlap after rotation; oidc-provider refuses it at once and, treating
 *    the reuse as a replay, revokes the whole grant (the new refresh token
 *    stops working too). The SDK shares one refresh answer between sessions
 *    of one client for a few seconds, so the old-token check uses a second
 *    client, as another process would be.
 *  - Logout: Kinde takes /logout?redirect=<url>; OpenID Connect
 *    RP-Initiated Logout takes post_logout_redirect_uri plus client_id (or
 *    id_token_hint) and asks the user to confirm with a form. provider.mjs
 *    rewrites the first into the second; the provider does the allow-list
 *    check (exact match) itself.
 *  - Profile: Kinde's GET /oauth2/v2/user_profile is not part of
 *    oidc-provider (it has OIDC userinfo); provider.mjs adds the route,
 *    Kinde-shaped, checking the bearer JWT itself.
 *  - Token answers say token_type "Bearer" (capital B) and carry no `scope`
 *    member when the API has no scopes; the SDK compares token_type
 *    case-insensitively and does not need `scope`.
 *  - The callback carries `iss` (RFC 9207) on every answer; Kinde's may not.
 *  - Sign-up: Kinde's prompt=create is not one of oidc-provider's prompts
 *    ("unsupported prompt value"); provider.mjs turns it into prompt=login.
 *  - Revoking a JWT access token (sign-out without a refresh token): Kinde
 *    answers 200, oidc-provider 400 unsupported_token_type (RFC 7009
 *    2.2.1). The SDK used to report that as KINDE_E_HTTP_STATUS; it is now
 *    KINDE_E_OAUTH with oauth_error, as kinde.h promises (src/oauth.c fix,
 *    tests/unit/test_revocation.c).
 *  - Several audiences in one access token: Kinde can; oidc-provider issues
 *    one resource per access token (not tested).
 *  - The key set publishes an ES256 key beside the RS256 one (Kinde's has
 *    RSA keys only); the SDK skips it and picks the RS256 key by kid.
 *  - Sign-in and consent are oidc-provider's development interaction forms,
 *    posted here over HTTP with libcurl as a browser would.
 *
 * See README.md in this folder for the same list as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <kinde/kinde.h>
#include "testutil.h"

#define CLIENT_ID "kinde_interop_client"
#define CLIENT_SECRET "kinde_interop_secret_0123456789abcdef"
#define CALLBACK "http://127.0.0.1:8000/callback"
#define LOGOUT_REDIRECT "http://127.0.0.1:8000/"
#define API_AUDIENCE "https://api.interop.test"
#define SHORT_AUDIENCE "https://short.interop.test" /* access tokens live 5 s */
#define M2M_AUDIENCE "https://m2m.interop.test"
#define ACCOUNT "dave-interop"

/* ---- the provider process ------------------------------------------------ */

typedef struct op {
    pid_t pid;
    int port;
    int stdin_fd;         /* our end of the provider's stdin: closing it stops it */
    char base[64];        /* http://127.0.0.1:PORT, the issuer */
    char dir[256];
    char kid[64];
    int generation;
} op;

static op provider;

static void show_log(const op *p)
{
    char path[300];
    snprintf(path, sizeof path, "%s/provider.log", p->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    fprintf(stderr, "---- provider.log ----\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static int write_key(const op *p, const char *path)
{
    EVP_PKEY *key = tu_rsa_key(2048);
    FILE *f = key ? fopen(path, "w") : NULL;
    int ok = f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (f)
        fclose(f);
    EVP_PKEY_free(key);
    (void)p;
    return ok ? 0 : -1;
}

static void op_stop(op *p);

/* Start provider.mjs with a fresh signing key on `port` (0: any free one). */
static int op_start(op *p, int port)
{
    const char *node = getenv("KINDE_INTEROP_NODE");
    const char *src = getenv("KINDE_INTEROP_DIR");
    if (!node || !*node || access(node, X_OK) != 0) {
        fprintf(stderr, "FAIL: node was not found (KINDE_INTEROP_NODE='%s'); the interop tests "
                        "need Node.js: run scripts/install-deps.sh\n", node ? node : "");
        return -1;
    }
    if (!src) {
        fprintf(stderr, "FAIL: KINDE_INTEROP_DIR is not set\n");
        return -1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/node_modules/oidc-provider/package.json", src);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "FAIL: %s/node_modules is missing (no oidc-provider): run "
                        "scripts/install-deps.sh, or 'npm ci' in tests/interop\n", src);
        return -1;
    }
    if (!p->dir[0]) {
        snprintf(p->dir, sizeof p->dir, "/tmp/kinde-interop-XXXXXX");
        if (!mkdtemp(p->dir)) {
            p->dir[0] = '\0';
            return -1;
        }
    }
    p->generation++;
    snprintf(p->kid, sizeof p->kid, "interop-key-%d", p->generation);
    char key[300], ready[300], logf[300], script[512], port_s[16];
    snprintf(key, sizeof key, "%s/key.pem", p->dir);
    snprintf(ready, sizeof ready, "%s/ready", p->dir);
    snprintf(logf, sizeof logf, "%s/provider.log", p->dir);
    snprintf(script, sizeof script, "%s/provider.mjs", src);
    snprintf(port_s, sizeof port_s, "%d", port);
    unlink(ready);
    if (write_key(p, key) != 0) {
        fprintf(stderr, "could not write a signing key\n");
        return -1;
    }
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    pid_t parent = getpid();
    p->pid = fork();
    if (p->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (p->pid == 0) {
#ifdef __linux__
        /* Die with the test, whatever way the test ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
#endif
        (void)parent;
        dup2(fds[0], 0);
        close(fds[0]);
        int lf = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (lf >= 0) {
            dup2(lf, 1);
            dup2(lf, 2);
            close(lf);
        }
        const char *argv[] = {node, script, "--key", key, "--kid", p->kid,
                              "--ready-file", ready, "--port", port_s, NULL};
        execv(node, (char *const *)argv);
        _exit(127);
    }
    close(fds[0]);
    p->stdin_fd = fds[1];
    int status;
    int got = tu_wait_ready(p->pid, ready, 30000, &p->port, &status); /* node starts in well under a second */
    if (got > 0) {
        snprintf(p->base, sizeof p->base, "http://127.0.0.1:%d", p->port);
        return 0;
    }
    if (got < 0) {
        fprintf(stderr, "FAIL: provider.mjs exited early (status %d)\n", status);
        show_log(p);
        p->pid = 0;
        close(p->stdin_fd);
        return -1;
    }
    fprintf(stderr, "FAIL: provider.mjs did not become ready in 30 s\n");
    show_log(p);
    op_stop(p);
    return -1;
}

/* Stop the process (SIGTERM, then SIGKILL after 5 s); keep the directory. */
static void op_kill(op *p)
{
    if (p->pid <= 0)
        return;
    int status = 0;
    if (tu_stop_child(p->pid, &status) != 0)
        fprintf(stderr, "provider.mjs did not stop within 5 s of SIGTERM\n");
    close(p->stdin_fd);
    p->pid = 0;
}

static void op_stop(op *p)
{
    op_kill(p);
    if (p->dir[0]) {
        const char *names[] = {"key.pem", "ready", "ready.tmp", "provider.log"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char path[300];
            snprintf(path, sizeof path, "%s/%s", p->dir, names[i]);
            unlink(path);
        }
        rmdir(p->dir);
        p->dir[0] = '\0';
    }
}

/* Same port (the issuer and the client's domain stay valid), new key. */
static int op_restart_with_new_key(op *p)
{
    int port = p->port;
    op_kill(p);
    for (int i = 0; i < 3; i++)
        if (op_start(p, port) == 0)
            return 0;
    return -1;
}

/* ---- HTTP: a tiny browser with a cookie jar ------------------------------- */

/* GET (body NULL) or form POST; no redirects followed. *location gets the
 * Location header (malloc'd) or NULL; *page the body (malloc'd) if asked. */
static long http_do(CURL *h, const char *url, const char *body, char **location, char **page)
{
    tu_membuf out = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, tu_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    else
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (location) {
        char *loc = NULL;
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
        *location = loc ? strdup(loc) : NULL;
    }
    if (page)
        *page = out.data ? out.data : strdup("");
    else
        free(out.data);
    return status;
}

static CURL *browser_new(void)
{
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* in-memory cookie jar */
    return h;
}

/* The value of attribute `attr` (e.g. "action=\"") after `from` in page,
 * with &amp; undone. malloc'd, NULL when absent. */
static char *attr_after(const char *page, const char *from, const char *attr)
{
    const char *at = from ? strstr(page, from) : page;
    if (!at || !(at = strstr(at, attr)))
        return NULL;
    at += strlen(attr);
    const char *end = strchr(at, '"');
    if (!end)
        return NULL;
    char *v = malloc((size_t)(end - at) + 1), *o = v;
    for (const char *c = at; c < end; c++) {
        if (strncmp(c, "&amp;", 5) == 0) {
            *o++ = '&';
            c += 4;
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return v;
}

/* Drive oidc-provider's sign-in and consent pages as a browser would, from
 * the login URL to the redirect to CALLBACK. Counts the forms it posted in
 * *forms (may be NULL). Returns the callback URL (malloc'd) or NULL. */
static char *browser_authorize(CURL *h, const char *auth_url, const char *account, int *forms)
{
    char *url = strdup(auth_url);
    if (forms)
        *forms = 0;
    for (int step = 0; step < 12 && url; step++) {
        if (strncmp(url, CALLBACK, strlen(CALLBACK)) == 0 && url[strlen(CALLBACK)] == '?')
            return url;
        char *loc = NULL, *page = NULL;
        long s = http_do(h, url, NULL, &loc, &page);
        if ((s == 302 || s == 303) && loc) {
            free(url);
            free(page);
            url = loc;
            continue;
        }
        free(loc);
        char *action = attr_after(page, "<form", "action=\"");
        char body[256] = "";
        if (s == 200 && action && strstr(page, "name=\"prompt\" value=\"login\"")) {
            char *acc = curl_easy_escape(h, account, 0);
            snprintf(body, sizeof body, "prompt=login&login=%s&password=any", acc);
            curl_free(acc);
        } else if (s == 200 && action && strstr(page, "name=\"prompt\" value=\"consent\"")) {
            snprintf(body, sizeof body, "prompt=consent");
        } else {
            fprintf(stderr, "authorize: unexpected answer HTTP %ld at %s:\n%.600s\n", s, url, page);
            free(action);
            free(page);
            break;
        }
        free(page);
        free(url);
        url = NULL;
        s = http_do(h, action, body, &url, NULL);
        free(action);
        if (forms)
            (*forms)++;
        if (s != 302 && s != 303) {
            fprintf(stderr, "authorize: form post answered HTTP %ld\n", s);
            break;
        }
    }
    free(url);
    return NULL;
}

/* The provider's request counters (GET /_interop/stats). -1 on failure. */
static long op_count(const op *p, const char *what)
{
    CURL *h = curl_easy_init();
    char url[128], *page = NULL;
    snprintf(url, sizeof url, "%s/_interop/stats", p->base);
    long n = -1;
    if (http_do(h, url, NULL, NULL, &page) == 200) {
        json_t *j = json_loads(page, 0, NULL);
        json_t *v = json_object_get(j, what);
        if (json_is_integer(v))
            n = (long)json_integer_value(v);
        json_decref(j);
    }
    free(page);
    curl_easy_cleanup(h);
    return n;
}

/* ---- SDK helpers -------------------------------------------------------- */

static kinde_client *new_client_leeway(kinde_grant_type grant, const char *audience, long cooldown,
                                       long leeway)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = provider.base;
    cfg.client_id = CLIENT_ID;
    cfg.client_secret = CLIENT_SECRET;
    cfg.callback_url = CALLBACK;
    cfg.post_logout_redirect_url = LOGOUT_REDIRECT;
    cfg.grant_type = grant;
    cfg.audience = audience;
    cfg.http_timeout_ms = 10000;
    if (cooldown >= 0)
        cfg.jwks_cooldown_seconds = cooldown;
    if (leeway >= 0)
        cfg.leeway_seconds = leeway;
    kinde_client *c = NULL;
    kinde_error err = {0};
    if (kinde_client_new(&cfg, &c, &err) != KINDE_OK)
        fprintf(stderr, "kinde_client_new: %s\n", err.text);
    return c;
}

static kinde_client *new_client(kinde_grant_type grant, const char *audience, long cooldown)
{
    return new_client_leeway(grant, audience, cooldown, -1);
}

/* The SDK's login URL -> the provider's forms -> the callback -> tokens. */
static kinde_session *login(kinde_client *c, CURL *browser)
{
    kinde_session *s = kinde_session_new();
    char *url = NULL, *cb = NULL;
    kinde_error err = {0};
    kinde_code rc = kinde_get_login_url(c, s, NULL, &url, &err);
    if (rc == KINDE_OK && !(cb = browser_authorize(browser, url, ACCOUNT, NULL)))
        rc = KINDE_E_AUTHORIZATION;
    if (rc == KINDE_OK)
        rc = kinde_fetch_token(c, s, cb, &err);
    if (rc != KINDE_OK) {
        fprintf(stderr, "login failed: %s (%s): %s\n", kinde_code_name(rc), err.oauth_error, err.text);
        kinde_session_free(s);
        s = NULL;
    }
    kinde_free(url);
    free(cb);
    return s;
}

/* A copy of the session, as another process would load it from a store. */
static kinde_session *copy_session(const kinde_session *s)
{
    char *text = NULL;
    kinde_session *copy = NULL;
    if (kinde_session_serialize(s, &text, NULL) != KINDE_OK)
        return NULL;
    if (kinde_session_deserialize(text, strlen(text), &copy, NULL) != KINDE_OK)
        copy = NULL;
    kinde_free(text);
    return copy;
}

static void assert_claim_json(const kinde_session *s, const char *name, kinde_token_kind kind,
                              const char *expected)
{
    char *v = NULL;
    assert_int_equal(kinde_get_claim(s, name, kind, &v, NULL), KINDE_OK);
    assert_string_equal(v, expected);
    kinde_free(v);
}

/* A new browser (*b) signed in through the provider for client c: the
 * session, never NULL (the test fails first). */
static kinde_session *browser_login(kinde_client *c, CURL **b)
{
    *b = browser_new();
    kinde_session *s = login(c, *b);
    assert_non_null(s);
    return s;
}

/* The end of a test that signed in: session, browser, client. */
static void signed_in_free(kinde_client *c, CURL *b, kinde_session *s)
{
    kinde_session_free(s);
    curl_easy_cleanup(b);
    kinde_client_free(c);
}

/* rc must be KINDE_OK; else what failed, and why, goes to stderr first. */
static void assert_ok(const char *what, kinde_code rc, const kinde_error *err)
{
    if (rc != KINDE_OK)
        fprintf(stderr, "%s: %s %s\n", what, kinde_code_name(rc), err->text);
    assert_int_equal(rc, KINDE_OK);
}

/* ---- fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    return op_start(&provider, 0);
}

static int group_teardown(void **state)
{
    (void)state;
    op_stop(&provider);
    return 0;
}

/* ---- 1. authorization code + PKCE, and everything read back ------------- */

static void code_flow_and_claims(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    assert_non_null(c);
    kinde_session *s = kinde_session_new();
    CURL *b = browser_new();

    char *url = NULL;
    kinde_error err = {0};
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, &err), KINDE_OK);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s/oauth2/auth?", provider.base);
    assert_true(strncmp(url, prefix, strlen(prefix)) == 0);
    assert_non_null(strstr(url, "code_challenge_method=S256"));
    int forms = 0;
    char *cb = browser_authorize(b, url, ACCOUNT, &forms);
    assert_non_null(cb);
    assert_int_equal(forms, 2); /* sign-in, then consent */
    /* RFC 9207: oidc-provider always names itself in the callback. */
    assert_non_null(strstr(cb, "&iss="));
    kinde_code rc = kinde_fetch_token(c, s, cb, &err);
    if (rc != KINDE_OK)
        fprintf(stderr, "fetch_token: %s %s\n", kinde_code_name(rc), err.text);
    assert_int_equal(rc, KINDE_OK);
    /* The callback is single use: the pending login was consumed. */
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_E_STATE);
    assert_int_equal(kinde_is_authenticated(c, s, NULL), 1);
    assert_non_null(kinde_session_refresh_token(s)); /* scope `offline` mapped */
    assert_true(kinde_session_expires_at(s) > (int64_t)time(NULL) + 3000);

    /* User details from the ID token. */
    kinde_user u;
    assert_int_equal(kinde_get_user_details(s, &u, NULL), KINDE_OK);
    assert_string_equal(u.id, ACCOUNT);
    assert_string_equal(u.given_name, "Dave");
    assert_string_equal(u.family_name, "Smith");
    assert_string_equal(u.email, "dave@smith.test");
    assert_string_equal(u.picture, "https://img.interop.test/dave.png");

    /* Standard claims, exactly as oidc-provider shapes them. */
    char expected[160];
    snprintf(expected, sizeof expected, "\"%s\"", provider.base);
    assert_claim_json(s, "iss", KINDE_ACCESS_TOKEN, expected);
    assert_claim_json(s, "aud", KINDE_ACCESS_TOKEN, "\"" API_AUDIENCE "\"");
    assert_claim_json(s, "aud", KINDE_ID_TOKEN, "\"" CLIENT_ID "\"");
    assert_claim_json(s, "sub", KINDE_ACCESS_TOKEN, "\"" ACCOUNT "\"");
    assert_claim_json(s, "scp", KINDE_ACCESS_TOKEN, "null");
    assert_claim_json(s, "org_codes", KINDE_ID_TOKEN, "[\"org_interop_1\",\"org_interop_2\"]");
    const char *cid = NULL;
    assert_int_equal(kinde_get_string_claim(s, "client_id", KINDE_ACCESS_TOKEN, &cid, NULL), KINDE_OK);
    assert_string_equal(cid, CLIENT_ID);
    int64_t updated = 0;
    assert_int_equal(kinde_get_integer_claim(s, "updated_at", KINDE_ID_TOKEN, &updated, NULL), KINDE_OK);
    assert_int_equal(updated, 1700000000);
    assert_int_equal(kinde_get_string_claim(s, "updated_at", KINDE_ID_TOKEN, &cid, NULL),
                     KINDE_E_CLAIM_NOT_FOUND);

    /* Kinde's custom claims, added through oidc-provider's extraTokenClaims. */
    int granted = -1;
    const char *org = NULL;
    assert_int_equal(kinde_get_permission(s, "read:todos", &granted, &org, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_string_equal(org, "org_interop_1");
    assert_int_equal(kinde_get_permission(s, "create:todos", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_int_equal(kinde_get_permission(s, "delete:todos", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 0);
    kinde_strings perms = {0};
    assert_int_equal(kinde_get_permissions(s, &org, &perms, NULL), KINDE_OK);
    assert_int_equal(perms.count, 2);
    assert_string_equal(perms.items[0], "read:todos");
    assert_string_equal(perms.items[1], "create:todos");
    assert_int_equal(kinde_get_organization(s, &org, NULL), KINDE_OK);
    assert_string_equal(org, "org_interop_1");
    kinde_strings orgs = {0};
    assert_int_equal(kinde_get_user_organizations(s, &orgs, NULL), KINDE_OK);
    assert_int_equal(orgs.count, 2);
    assert_string_equal(orgs.items[0], "org_interop_1");
    assert_string_equal(orgs.items[1], "org_interop_2");
    kinde_strings roles = {0};
    assert_int_equal(kinde_get_roles(s, &roles, NULL), KINDE_OK);
    assert_int_equal(roles.count, 1);
    assert_string_equal(roles.items[0], "admin");

    /* Feature flags, typed. */
    const char *theme = NULL;
    int dark = 0;
    int64_t limit = 0;
    assert_int_equal(kinde_get_string_flag(s, "theme", NULL, &theme, NULL), KINDE_OK);
    assert_string_equal(theme, "pink");
    assert_int_equal(kinde_get_boolean_flag(s, "is_dark_mode", NULL, &dark, NULL), KINDE_OK);
    assert_int_equal(dark, 1);
    assert_int_equal(kinde_get_integer_flag(s, "competitions_limit", NULL, &limit, NULL), KINDE_OK);
    assert_int_equal(limit, 5);
    assert_int_equal(kinde_get_integer_flag(s, "theme", NULL, &limit, &err), KINDE_E_FLAG_TYPE);
    assert_string_equal(err.text, "Flag theme is of type string - requested type integer");
    assert_int_equal(kinde_get_boolean_flag(s, "no_such_flag", NULL, &dark, &err), KINDE_E_FLAG_NOT_FOUND);
    const int dflt = 0;
    dark = 1;
    assert_int_equal(kinde_get_boolean_flag(s, "no_such_flag", &dflt, &dark, NULL), KINDE_OK);
    assert_int_equal(dark, 0);
    kinde_flag f;
    assert_int_equal(kinde_get_flag(s, "competitions_limit", NULL, KINDE_FLAG_ANY, &f, NULL), KINDE_OK);
    assert_int_equal(f.type, KINDE_FLAG_INTEGER);
    assert_int_equal(f.is_default, 0);

    /* The Kinde profile route, with the session's bearer token. */
    char *profile = NULL;
    assert_int_equal(kinde_get_user_profile(c, s, &profile, &err), KINDE_OK);
    json_t *pj = json_loads(profile, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(pj, "sub")), ACCOUNT);
    assert_string_equal(json_string_value(json_object_get(pj, "email")), "dave@smith.test");
    assert_string_equal(json_string_value(json_object_get(pj, "given_name")), "Dave");
    json_decref(pj);
    kinde_free(profile);

    /* The tokens verify on their own, and the kinds do not mix. */
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s), KINDE_ACCESS_TOKEN, NULL, &err), KINDE_OK);
    assert_int_equal(kinde_verify_token(c, kinde_session_id_token(s), KINDE_ID_TOKEN, NULL, &err), KINDE_OK);
    /* A12: refused as a claims error (which kind it is), whatever else holds. */
    memset(&err, 0, sizeof err);
    if (kinde_verify_token(c, kinde_session_access_token(s), KINDE_ID_TOKEN, NULL, &err) != KINDE_E_TOKEN_CLAIMS)
        fail_msg("access token as ID token: %s '%s'", kinde_code_name(err.code), err.text);
    memset(&err, 0, sizeof err);
    if (kinde_verify_token(c, kinde_session_id_token(s), KINDE_ACCESS_TOKEN, NULL, &err) != KINDE_E_TOKEN_CLAIMS)
        fail_msg("ID token as access token: %s '%s'", kinde_code_name(err.code), err.text);

    /* The key set the SDK chose from holds an ES256 key beside the RS256 one. */
    CURL *h = curl_easy_init();
    char jwks_url[128], *jwks = NULL;
    snprintf(jwks_url, sizeof jwks_url, "%s/.well-known/jwks.json", provider.base);
    assert_int_equal(http_do(h, jwks_url, NULL, NULL, &jwks), 200);
    json_t *root = json_loads(jwks, 0, NULL), *set = json_object_get(root, "keys");
    assert_int_equal(json_array_size(set), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(set, 0), "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(json_array_get(set, 1), "kty")), "EC");
    json_decref(root);
    free(jwks);
    curl_easy_cleanup(h);

    /* A client that expects another audience refuses this access token. */
    kinde_client *other = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, "https://other.interop.test", -1);
    assert_int_equal(kinde_verify_token(other, kinde_session_access_token(s), KINDE_ACCESS_TOKEN, NULL, NULL),
                     KINDE_E_TOKEN_CLAIMS);
    kinde_client_free(other);

    /* The serialized session resumes in "another process". */
    kinde_session *copy = copy_session(s);
    assert_non_null(copy);
    assert_int_equal(kinde_is_authenticated(c, copy, NULL), 1);
    kinde_session_free(copy);

    free(cb);
    kinde_free(url);
    signed_in_free(c, b, s);
}

/* ---- 2. refresh with rotation ------------------------------------------- */

static void refresh_rotates(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    CURL *b;
    kinde_session *s = browser_login(c, &b);
    kinde_session *before = copy_session(s);
    char *old_rt = strdup(kinde_session_refresh_token(s));
    char *old_at = strdup(kinde_session_access_token(s));

    long tokens = op_count(&provider, "token");
    kinde_error err = {0};
    kinde_code rc = kinde_refresh_token(c, s, &err);
    assert_ok("refresh", rc, &err);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);
    assert_non_null(kinde_session_refresh_token(s));
    assert_string_not_equal(kinde_session_refresh_token(s), old_rt);
    assert_string_not_equal(kinde_session_access_token(s), old_at);
    assert_int_equal(kinde_is_authenticated(c, s, NULL), 1);
    /* The same user, the same claims after the refresh. */
    assert_claim_json(s, "sub", KINDE_ACCESS_TOKEN, "\"" ACCOUNT "\"");
    const char *org = NULL;
    assert_int_equal(kinde_get_organization(s, &org, NULL), KINDE_OK);
    assert_string_equal(org, "org_interop_1");

    /* The old refresh token, presented by another process (another client:
     * the SDK's own few-second sharing of one refresh is per client), is
     * refused by the provider. */
    kinde_client *c2 = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    assert_string_equal(kinde_session_refresh_token(before), old_rt);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_refresh_token(c2, before, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");
    assert_int_equal(err.http_status, 400);
    /* The refused session keeps its tokens (the caller decides). */
    assert_string_equal(kinde_session_refresh_token(before), old_rt);
    /* oidc-provider takes the reuse for a replay and revokes the grant:
     * the rotated refresh token is dead too (Kinde would allow an overlap). */
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_refresh_token(c2, s, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");

    kinde_session_free(before);
    kinde_client_free(c2);
    free(old_rt);
    free(old_at);
    signed_in_free(c, b, s);
}

/* ---- 3. client credentials ---------------------------------------------- */

static void client_credentials_for_audience(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_CLIENT_CREDENTIALS, M2M_AUDIENCE, -1);
    assert_non_null(c);
    long tokens = op_count(&provider, "token");
    char *at = NULL;
    int64_t exp = 0;
    kinde_error err = {0};
    kinde_code rc = kinde_get_m2m_token(c, NULL, &at, &exp, &err);
    assert_ok("m2m", rc, &err);
    assert_true(exp > (int64_t)time(NULL) + 3000);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);

    char *claims = NULL;
    assert_int_equal(kinde_verify_token(c, at, KINDE_ACCESS_TOKEN, &claims, &err), KINDE_OK);
    json_t *j = json_loads(claims, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "aud")), M2M_AUDIENCE);
    assert_string_equal(json_string_value(json_object_get(j, "sub")), CLIENT_ID);
    assert_string_equal(json_string_value(json_object_get(j, "client_id")), CLIENT_ID);
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(j, "feature_flags"),
                                                             "m2m_enabled"), "v")));
    json_decref(j);
    kinde_free(claims);

    /* Cached until shortly before expiry: no second request. */
    char *again = NULL;
    assert_int_equal(kinde_get_m2m_token(c, NULL, &again, NULL, &err), KINDE_OK);
    assert_string_equal(again, at);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);
    kinde_free(again);

    /* Another audience is another token, with that audience. */
    assert_int_equal(kinde_get_m2m_token(c, API_AUDIENCE, &again, NULL, &err), KINDE_OK);
    assert_string_not_equal(again, at);
    char *payload = NULL;
    assert_int_equal(kinde_decode_token(again, NULL, &payload, NULL), KINDE_OK);
    assert_non_null(strstr(payload, "\"aud\": \"" API_AUDIENCE "\""));
    kinde_free(payload);
    kinde_free(again);

    /* A wrong secret is the provider's invalid_client. */
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = provider.base;
    cfg.client_id = CLIENT_ID;
    cfg.client_secret = "wrong-secret";
    cfg.grant_type = KINDE_GRANT_CLIENT_CREDENTIALS;
    cfg.audience = M2M_AUDIENCE;
    kinde_client *bad = NULL;
    assert_int_equal(kinde_client_new(&cfg, &bad, NULL), KINDE_OK);
    assert_int_equal(kinde_get_m2m_token(bad, NULL, &again, NULL, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_client");
    kinde_client_free(bad);

    kinde_free(at);
    kinde_client_free(c);
}

/* ---- 4. revocation and the logout URL ----------------------------------- */

static void revoke_and_logout(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    CURL *b;
    kinde_session *s = browser_login(c, &b);
    kinde_session *kept = copy_session(s);
    assert_non_null(kept);

    long revokes = op_count(&provider, "revoke");
    char *url = NULL;
    kinde_error err = {0};
    kinde_code rc = kinde_logout(c, s, NULL, &url, &err);
    assert_ok("logout", rc, &err);
    assert_int_equal(op_count(&provider, "revoke"), revokes + 1);
    assert_null(kinde_session_access_token(s));
    char expected[256];
    snprintf(expected, sizeof expected, "%s/logout?redirect=http%%3A%%2F%%2F127.0.0.1%%3A8000%%2F",
             provider.base);
    assert_string_equal(url, expected);

    /* The revoked refresh token no longer works (another client, so the
     * answer comes from the provider). */
    kinde_client *c2 = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    assert_int_equal(kinde_refresh_token(c2, kept, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");
    kinde_client_free(c2);
    kinde_session_free(kept);

    /* The browser follows the logout URL: the provider accepts the
     * redirect (allow-listed), asks to confirm, then sends the browser there. */
    char *page = NULL, *loc = NULL;
    assert_int_equal(http_do(b, url, NULL, NULL, &page), 200);
    char *action = attr_after(page, "id=\"op.logoutForm\"", "action=\"");
    char *xsrf = attr_after(page, "name=\"xsrf\"", "value=\"");
    assert_non_null(action);
    assert_non_null(xsrf);
    char body[256];
    snprintf(body, sizeof body, "xsrf=%s&logout=yes", xsrf);
    long st = http_do(b, action, body, &loc, NULL);
    assert_true(st == 302 || st == 303);
    assert_string_equal(loc, LOGOUT_REDIRECT);
    free(page);
    free(loc);
    free(action);
    free(xsrf);

    /* A redirect not on the allow-list is refused by the provider. */
    char *bad = NULL;
    assert_int_equal(kinde_get_logout_url(c, "http://evil.interop.test/", &bad, NULL), KINDE_OK);
    assert_int_equal(http_do(b, bad, NULL, NULL, NULL), 400);
    kinde_free(bad);

    /* Signed out at the provider: a new login asks for the password again. */
    kinde_session *s2 = kinde_session_new();
    char *again = NULL;
    int forms = 0;
    assert_int_equal(kinde_get_login_url(c, s2, NULL, &again, NULL), KINDE_OK);
    char *cb = browser_authorize(b, again, ACCOUNT, &forms);
    assert_non_null(cb);
    assert_true(forms >= 1);
    assert_int_equal(kinde_fetch_token(c, s2, cb, &err), KINDE_OK);
    free(cb);
    kinde_free(again);
    kinde_session_free(s2);

    kinde_free(url);
    signed_in_free(c, b, s);
}

/* Without the `offline` scope there is no refresh token, and sign-out
 * revokes the access token instead. oidc-provider cannot revoke its JWT
 * access tokens and says so the RFC 7009 way (400 unsupported_token_type);
 * the SDK reports that OAuth error as such and clears the session anyway. */
static void logout_without_refresh_token(void **state)
{
    (void)state;
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = provider.base;
    cfg.client_id = CLIENT_ID;
    cfg.client_secret = CLIENT_SECRET;
    cfg.callback_url = CALLBACK;
    cfg.audience = API_AUDIENCE;
    cfg.scope = "openid profile email";
    kinde_client *c = NULL;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    CURL *b;
    kinde_session *s = browser_login(c, &b);
    assert_null(kinde_session_refresh_token(s));
    assert_int_equal(kinde_refresh_token(c, s, NULL), KINDE_E_NO_REFRESH_TOKEN);

    long revokes = op_count(&provider, "revoke");
    char *url = NULL;
    kinde_error err = {0};
    assert_int_equal(kinde_logout(c, s, LOGOUT_REDIRECT, &url, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "unsupported_token_type");
    assert_int_equal(err.http_status, 400);
    assert_int_equal(op_count(&provider, "revoke"), revokes + 1);
    assert_non_null(url);
    assert_null(kinde_session_access_token(s));
    assert_int_equal(kinde_is_authenticated(c, s, NULL), 0);
    kinde_free(url);
    signed_in_free(c, b, s);
}

/* ---- 5. key rotation ------------------------------------------------------ */

static void key_rotation_one_refetch(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, 30);
    CURL *b = browser_new();
    kinde_session *s1 = login(c, b);
    assert_non_null(s1);
    char old_kid[64];
    snprintf(old_kid, sizeof old_kid, "%s", provider.kid);

    /* Same issuer and port, new signing key; the client lives on. */
    assert_int_equal(op_restart_with_new_key(&provider), 0);
    assert_string_not_equal(provider.kid, old_kid);
    assert_int_equal(op_count(&provider, "jwks"), 0);

    curl_easy_cleanup(b); /* the provider forgot its sessions anyway */
    b = browser_new();
    kinde_session *s2 = login(c, b);
    assert_non_null(s2);
    char *header = NULL;
    assert_int_equal(kinde_decode_token(kinde_session_id_token(s2), &header, NULL, NULL), KINDE_OK);
    assert_non_null(strstr(header, provider.kid));
    kinde_free(header);
    /* Exactly one JWKS request: the refetch on the unknown kid. */
    assert_int_equal(op_count(&provider, "jwks"), 1);

    /* Another login with the new key needs no request at all. */
    kinde_session *s3 = login(c, b);
    assert_non_null(s3);
    assert_int_equal(op_count(&provider, "jwks"), 1);

    /* Tokens of the old key are now of an unknown kid: refused, and within
     * the cooldown without asking the provider again. */
    kinde_error err = {0};
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s1), KINDE_ACCESS_TOKEN, NULL, &err),
                     KINDE_E_TOKEN_KEY);
    assert_int_equal(op_count(&provider, "jwks"), 1);

    kinde_session_free(s1);
    kinde_session_free(s2);
    kinde_session_free(s3);
    curl_easy_cleanup(b);
    kinde_client_free(c);
}

/* ---- 6. a flood of unknown kids ------------------------------------------ */

static char *mint_unknown(EVP_PKEY *key, const char *kid)
{
    char header[160], payload[512];
    long now = (long)time(NULL);
    snprintf(header, sizeof header, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"%s\"}", kid);
    snprintf(payload, sizeof payload,
             "{\"iss\":\"%s\",\"sub\":\"" ACCOUNT "\",\"aud\":\"" API_AUDIENCE "\","
             "\"client_id\":\"" CLIENT_ID "\",\"iat\":%ld,\"exp\":%ld}",
             provider.base, now, now + 3600);
    return tu_sign_rs256(header, payload, key);
}

/* Verify n tokens of unknown kids; each must be KINDE_E_TOKEN_KEY. Returns
 * the seconds it took. */
static double flood(kinde_client *c, EVP_PKEY *key, int round, int n)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        char kid[64];
        snprintf(kid, sizeof kid, "attacker-%d-%d", round, i % 7); /* a few kids, repeated */
        char *tok = mint_unknown(key, kid);
        assert_non_null(tok);
        assert_int_equal(kinde_verify_token(c, tok, KINDE_ACCESS_TOKEN, NULL, NULL), KINDE_E_TOKEN_KEY);
        free(tok);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void unknown_kid_flood_bounded(void **state)
{
    (void)state;
    const long cooldown = 3;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, cooldown);
    CURL *b = browser_new();
    long base = op_count(&provider, "jwks");
    kinde_session *s = login(c, b);
    assert_non_null(s);
    assert_int_equal(op_count(&provider, "jwks"), base + 1); /* the first fetch */

    EVP_PKEY *attacker = tu_rsa_key(2048);
    assert_non_null(attacker);

    /* Round 1: one refetch for the whole flood (the first unknown kid may
     * always refetch once). */
    double took = flood(c, attacker, 1, 150);
    long n1 = op_count(&provider, "jwks") - base - 1;
    fprintf(stderr, "round 1: 150 unknown-kid tokens in %.2f s, %ld JWKS refetches\n", took, n1);
    assert_true(n1 >= 1);
    assert_true(n1 <= 1 + (long)(took / (double)cooldown));
    if (took < (double)cooldown)
        assert_int_equal(n1, 1);

    /* Round 2, once the cooldown has passed: again at most one. */
    tu_sleep_ms((cooldown + 1) * 1000);
    long before = op_count(&provider, "jwks");
    took = flood(c, attacker, 2, 150);
    long n2 = op_count(&provider, "jwks") - before;
    fprintf(stderr, "round 2: 150 unknown-kid tokens in %.2f s, %ld JWKS refetches\n", took, n2);
    assert_true(n2 >= 1);
    assert_true(n2 <= 1 + (long)(took / (double)cooldown));
    if (took < (double)cooldown)
        assert_int_equal(n2, 1);

    /* A forged token under the provider's real kid: bad signature, and no
     * request at all (the kid is known). */
    before = op_count(&provider, "jwks");
    char *forged = mint_unknown(attacker, provider.kid);
    assert_int_equal(kinde_verify_token(c, forged, KINDE_ACCESS_TOKEN, NULL, NULL), KINDE_E_TOKEN_SIGNATURE);
    free(forged);
    /* The real tokens still verify, without a fetch. */
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s), KINDE_ACCESS_TOKEN, NULL, NULL), KINDE_OK);
    assert_int_equal(op_count(&provider, "jwks"), before);

    EVP_PKEY_free(attacker);
    signed_in_free(c, b, s);
}

/* ---- 7. errors the provider sends to the callback ------------------------ */

/* Follow redirects from url to the callback; on the provider's interaction
 * page, give up as a user would (its abort link). */
static char *follow_to_callback(CURL *h, const char *url, int abort_interaction)
{
    char *at = strdup(url);
    for (int step = 0; step < 10 && at; step++) {
        if (strncmp(at, CALLBACK "?", strlen(CALLBACK) + 1) == 0)
            return at;
        char *loc = NULL;
        long s = http_do(h, at, NULL, &loc, NULL);
        if ((s == 302 || s == 303) && loc) {
            free(at);
            at = loc;
            continue;
        }
        free(loc);
        if (s == 200 && abort_interaction && strstr(at, "/interaction/")) {
            char next[512];
            snprintf(next, sizeof next, "%s/abort", at);
            free(at);
            at = strdup(next);
            continue;
        }
        fprintf(stderr, "follow: HTTP %ld at %s\n", s, at);
        break;
    }
    free(at);
    return NULL;
}

static void callback_errors(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    long tokens = op_count(&provider, "token");
    kinde_error err = {0};

    /* prompt=none without a session at the provider: login_required. */
    CURL *b = browser_new();
    kinde_session *s = kinde_session_new();
    kinde_auth_params params = {0};
    params.prompt = "none";
    char *url = NULL;
    assert_int_equal(kinde_get_login_url(c, s, &params, &url, NULL), KINDE_OK);
    char *cb = follow_to_callback(b, url, 0);
    assert_non_null(cb);
    assert_non_null(strstr(cb, "error=login_required"));
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_E_LOGIN_REQUIRED);
    assert_null(kinde_session_access_token(s));
    free(cb);
    kinde_free(url);

    /* The user walks away from the sign-in page: access_denied. */
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    cb = follow_to_callback(b, url, 1);
    assert_non_null(cb);
    assert_non_null(strstr(cb, "error=access_denied"));
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_E_ACCESS_DENIED);
    free(cb);
    kinde_free(url);
    /* Neither error led to a token request. */
    assert_int_equal(op_count(&provider, "token"), tokens);

    /* A real callback whose iss (RFC 9207) is not the issuer: refused before
     * the code is spent, so the honest callback still works afterwards. */
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    cb = browser_authorize(b, url, ACCOUNT, NULL);
    assert_non_null(cb);
    char *iss = strstr(cb, "&iss=");
    assert_non_null(iss);
    char forged[1024];
    snprintf(forged, sizeof forged, "%.*s&iss=http%%3A%%2F%%2F127.0.0.1%%3A1", (int)(iss - cb), cb);
    kinde_session *copy = copy_session(s); /* the same pending login */
    assert_int_equal(kinde_fetch_token(c, s, forged, &err), KINDE_E_ISSUER_MISMATCH);
    assert_int_equal(op_count(&provider, "token"), tokens);
    assert_int_equal(kinde_fetch_token(c, copy, cb, &err), KINDE_OK);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);
    kinde_session_free(copy);
    free(cb);
    kinde_free(url);

    /* Now signed in at the provider: prompt=none comes straight back with
     * a code, no form shown. */
    kinde_session *silent = kinde_session_new();
    assert_int_equal(kinde_get_login_url(c, silent, &params, &url, NULL), KINDE_OK);
    cb = follow_to_callback(b, url, 0);
    assert_non_null(cb);
    assert_null(strstr(cb, "error="));
    assert_int_equal(kinde_fetch_token(c, silent, cb, &err), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, silent, NULL), 1);
    kinde_session_free(silent);
    free(cb);
    kinde_free(url);

    signed_in_free(c, b, s);
}

/* ---- 8. concurrent refreshes: one request -------------------------------- */

typedef struct {
    kinde_client *c;
    kinde_session *s;
    kinde_code rc;
} refresher;

static void *refresh_thread(void *arg)
{
    refresher *r = arg;
    r->rc = kinde_refresh_token(r->c, r->s, NULL);
    return NULL;
}

/* oidc-provider revokes the whole grant when a rotated refresh token is
 * used twice, so any duplicate request from the SDK would show here. */
static void concurrent_refresh_one_request(void **state)
{
    (void)state;
    enum { N = 6 };
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    CURL *b;
    kinde_session *s = browser_login(c, &b);
    refresher r[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        r[i].c = c;
        r[i].s = copy_session(s); /* N requests of one user, one refresh token */
        assert_non_null(r[i].s);
    }
    long tokens = op_count(&provider, "token");
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, refresh_thread, &r[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].rc, KINDE_OK);
        assert_string_equal(kinde_session_refresh_token(r[i].s), kinde_session_refresh_token(r[0].s));
        assert_string_not_equal(kinde_session_refresh_token(r[i].s), kinde_session_refresh_token(s));
    }
    /* The grant is alive: the provider saw no reuse. */
    kinde_client *c2 = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    kinde_error err = {0};
    assert_int_equal(kinde_refresh_token(c2, r[0].s, &err), KINDE_OK);
    kinde_client_free(c2);
    for (int i = 0; i < N; i++)
        kinde_session_free(r[i].s);
    signed_in_free(c, b, s);
}

/* ---- 9. an expired access token is refreshed on demand ------------------- */
/* (5 s tokens, not shorter: under a loaded parallel run the login itself
 * must still see the token valid with a leeway of 0.) */

static void expiry_triggers_refresh(void **state)
{
    (void)state;
    kinde_client *c = new_client_leeway(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, SHORT_AUDIENCE, -1, 0);
    CURL *b;
    kinde_session *s = browser_login(c, &b);
    assert_true(kinde_session_expires_at(s) <= (int64_t)time(NULL) + 5);
    char *old_rt = strdup(kinde_session_refresh_token(s));
    tu_sleep_ms(6200);
    long tokens = op_count(&provider, "token");
    kinde_error err = {0};
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s), KINDE_ACCESS_TOKEN, NULL, &err),
                     KINDE_E_TOKEN_EXPIRED);
    assert_int_equal(kinde_is_authenticated(c, s, &err), 1);
    assert_int_equal(op_count(&provider, "token"), tokens + 1);
    assert_string_not_equal(kinde_session_refresh_token(s), old_rt);
    assert_claim_json(s, "aud", KINDE_ACCESS_TOKEN, "\"" SHORT_AUDIENCE "\"");
    free(old_rt);
    signed_in_free(c, b, s);
}

/* ---- 10. sign-up and create-organization URLs ---------------------------- */

static void register_and_create_org_urls(void **state)
{
    (void)state;
    kinde_client *c = new_client(KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, API_AUDIENCE, -1);
    long registers = op_count(&provider, "register");
    for (int which = 0; which < 2; which++) {
        CURL *b = browser_new();
        kinde_session *s = kinde_session_new();
        char *url = NULL;
        kinde_auth_params params = {0};
        params.org_name = "Interop Org";
        kinde_code rc = which == 0 ? kinde_get_register_url(c, s, NULL, &url, NULL)
                                   : kinde_get_create_org_url(c, s, &params, &url, NULL);
        assert_int_equal(rc, KINDE_OK);
        assert_non_null(strstr(url, "prompt=create"));
        if (which == 1) {
            assert_non_null(strstr(url, "is_create_org=true"));
            assert_non_null(strstr(url, "org_name=Interop%20Org"));
        }
        char *cb = browser_authorize(b, url, ACCOUNT, NULL);
        assert_non_null(cb);
        kinde_error err = {0};
        assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_OK);
        free(cb);
        kinde_free(url);
        kinde_session_free(s);
        curl_easy_cleanup(b);
    }
    assert_int_equal(op_count(&provider, "register"), registers + 2);
    kinde_client_free(c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_flow_and_claims),
        cmocka_unit_test(refresh_rotates),
        cmocka_unit_test(client_credentials_for_audience),
        cmocka_unit_test(revoke_and_logout),
        cmocka_unit_test(logout_without_refresh_token),
        cmocka_unit_test(callback_errors),
        cmocka_unit_test(concurrent_refresh_one_request),
        cmocka_unit_test(expiry_triggers_refresh),
        cmocka_unit_test(register_and_create_org_urls),
        cmocka_unit_test(unknown_kid_flood_bounded),
        cmocka_unit_test(key_rotation_one_refetch),
    };
    int failed = cmocka_run_group_tests_name("interop (oidc-provider)", tests, group_setup, group_teardown);
    curl_global_cleanup();
    return failed;
}
