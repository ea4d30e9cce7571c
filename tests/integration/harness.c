#include "harness.h"

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

int emulator_start(emulator *e, const char *const *extra)
{
    memset(e, 0, sizeof *e);
    const char *bin = getenv("KINDE_EMULATOR");
    if (!bin) {
        fprintf(stderr, "KINDE_EMULATOR is not set\n");
        return -1;
    }
    snprintf(e->dir, sizeof e->dir, "/tmp/kinde-it-XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    char ready[300], data_dir[300];
    snprintf(ready, sizeof ready, "%s/ready", e->dir);
    snprintf(data_dir, sizeof data_dir, "%s/data", e->dir);
    const char *argv[40] = {bin, "--port", "0", "--ready-file", ready, "--data-dir", data_dir,
                            "--admin", "--quiet"};
    int argc = 9;
    for (int i = 0; extra && extra[i] && argc < 38; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    e->pid = fork();
    if (e->pid < 0)
        return -1;
    if (e->pid == 0) {
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    /* Up to 60 s: the first start generates an RSA key, slow on a loaded
     * machine (two cores, a sanitizer build running beside). */
    int status;
    int got = tu_wait_ready(e->pid, ready, 60000, &e->port, &status);
    if (got > 0) {
        snprintf(e->base, sizeof e->base, "http://127.0.0.1:%d", e->port);
        return 0;
    }
    if (got < 0) {
        fprintf(stderr, "emulator exited early\n");
        e->pid = 0;
        return -1;
    }
    fprintf(stderr, "emulator did not become ready\n");
    emulator_stop(e);
    return -1;
}

int emulator_stop(emulator *e)
{
    int rc = 0;
    if (e->pid > 0) {
        int status = 0;
        if (tu_stop_child(e->pid, &status) != 0) {
            fprintf(stderr, "emulator did not stop within 5 s of SIGTERM\n");
            rc = -1;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            /* Under the sanitizers a leak or an error in the emulator shows here. */
            fprintf(stderr, "emulator exited with status %d\n", status);
            rc = -1;
        }
        e->pid = 0;
    }
    if (e->dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
        if (system(cmd) != 0) // NOLINT(cert-env33-c): our own mkdtemp folder, quoted
            fprintf(stderr, "could not remove %s\n", e->dir);
        e->dir[0] = '\0';
    }
    return rc;
}

static long request(CURL *h, const char *method, const char *url, const char *body,
                    const char *content_type, tu_membuf *out, char **location)
{
    struct curl_slist *hdrs = NULL;
    if (content_type) {
        char line[128];
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        hdrs = curl_slist_append(hdrs, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (!body)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, tu_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (location) {
        char *loc = NULL;
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
        *location = loc ? strdup(loc) : NULL;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_slist_free_all(hdrs);
    return status;
}

long emulator_admin(const emulator *e, const char *method, const char *path, const char *json)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s%s", e->base, path);
    tu_membuf out = {0};
    long status = request(h, method, url, json ? json : "", "application/json", &out, NULL);
    free(out.data);
    curl_easy_cleanup(h);
    return status;
}

char *emulator_admin_text(const emulator *e, const char *method, const char *path,
                          const char *json, long *status)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s%s", e->base, path);
    tu_membuf out = {0};
    long st = request(h, method, url, json, json ? "application/json" : NULL, &out, NULL);
    curl_easy_cleanup(h);
    if (status)
        *status = st;
    return out.data ? out.data : strdup("");
}

char *emulator_mint(const emulator *e, const char *header_json, const char *claims_json)
{
    CURL *h = curl_easy_init();
    char url[256], body[4096];
    snprintf(url, sizeof url, "%s/_emulator/mint", e->base);
    snprintf(body, sizeof body, "{\"header\":%s,\"claims\":%s}", header_json, claims_json);
    tu_membuf out = {0};
    char *token = NULL;
    if (request(h, "POST", url, body, "application/json", &out, NULL) == 200 && out.data) {
        /* {"token": "..."} or the bare token */
        json_t *j = json_loads(out.data, 0, NULL);
        const char *t = json_string_value(json_object_get(j, "token"));
        if (t)
            token = strdup(t);
        else if (!j)
            token = strdup(out.data);
        json_decref(j);
    }
    free(out.data);
    curl_easy_cleanup(h);
    return token;
}

long emulator_count(const emulator *e, const char *path)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/_emulator/stats", e->base);
    tu_membuf out = {0};
    long n = -1;
    if (request(h, "GET", url, NULL, NULL, &out, NULL) == 200 && out.data) {
        json_error_t jerr;
        json_t *j = json_loads(out.data, 0, &jerr);
        json_t *v = json_object_get(json_object_get(j, "requests"), path);
        /* Absent is -1, not 0: a mistyped path must not read as "no
         * request"; emulator_prime() makes a zero count meaningful. */
        n = json_is_integer(v) ? (long)json_integer_value(v) : -1;
        json_decref(j);
    }
    free(out.data);
    curl_easy_cleanup(h);
    return n;
}

long emulator_prime(const emulator *e, const char *path)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s%s", e->base, path);
    tu_membuf out = {0};
    long status = request(h, "GET", url, NULL, NULL, &out, NULL);
    free(out.data);
    curl_easy_cleanup(h);
    /* 404: no such endpoint on the emulator (a typo); 0: no answer. */
    if (status == 0 || status == 404) {
        fprintf(stderr, "emulator_prime %s: HTTP %ld\n", path, status);
        return -1;
    }
    return emulator_count(e, path);
}

struct browser {
    CURL *h;
};

browser *browser_new(void)
{
    browser *b = calloc(1, sizeof *b);
    b->h = curl_easy_init();
    curl_easy_setopt(b->h, CURLOPT_COOKIEFILE, ""); /* in-memory cookie jar */
    curl_easy_setopt(b->h, CURLOPT_FOLLOWLOCATION, 0L);
    return b;
}

void browser_free(browser *b)
{
    if (b) {
        curl_easy_cleanup(b->h);
        free(b);
    }
}

long browser_get(browser *b, const char *url, char **location)
{
    tu_membuf out = {0};
    long s = request(b->h, "GET", url, NULL, NULL, &out, location);
    free(out.data);
    return s;
}

static char *form_escape(CURL *h, const char *s)
{
    return curl_easy_escape(h, s, 0);
}

int browser_authorize(browser *b, const char *auth_url, const char *email, const char *given,
                      const char *family, char **callback)
{
    *callback = NULL;
    tu_membuf page = {0};
    char *loc = NULL;
    long s = request(b->h, "GET", auth_url, NULL, NULL, &page, &loc);
    if (s == 302 || s == 303) { /* signed in already, or an error redirect */
        free(page.data);
        *callback = loc;
        return loc ? 0 : -1;
    }
    free(loc);
    const char *marker = "name=\"request\" value=\"";
    char *at = page.data ? strstr(page.data, marker) : NULL;
    if (s != 200 || !at) {
        fprintf(stderr, "no sign-in form (HTTP %ld)\n", s);
        free(page.data);
        return -1;
    }
    at += strlen(marker);
    char *end = strchr(at, '"');
    char request_id[256];
    snprintf(request_id, sizeof request_id, "%.*s", (int)(end - at), at);
    free(page.data);

    /* The form posts to the same origin as the authorization URL. */
    char origin[256];
    const char *path = strstr(auth_url, "/oauth2/auth");
    snprintf(origin, sizeof origin, "%.*s", (int)(path - auth_url), auth_url);
    char url[512], body[2048];
    char *r = form_escape(b->h, request_id), *em = form_escape(b->h, email);
    if (given) {
        char *g = form_escape(b->h, given), *f = form_escape(b->h, family);
        snprintf(url, sizeof url, "%s/register/submit", origin);
        snprintf(body, sizeof body, "request=%s&given_name=%s&family_name=%s&email=%s", r, g, f, em);
        curl_free(g);
        curl_free(f);
    } else {
        snprintf(url, sizeof url, "%s/login/submit", origin);
        snprintf(body, sizeof body, "request=%s&email=%s", r, em);
    }
    curl_free(r);
    curl_free(em);
    tu_membuf out = {0};
    s = request(b->h, "POST", url, body, "application/x-www-form-urlencoded", &out, &loc);
    free(out.data);
    if ((s != 302 && s != 303) || !loc) {
        fprintf(stderr, "sign-in form answered HTTP %ld\n", s);
        free(loc);
        return -1;
    }
    *callback = loc;
    return 0;
}

static kinde_client *client_of(const emulator *e, const char *id, const char *secret,
                               kinde_grant_type grant, const char *audience)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = e->base;
    cfg.client_id = id;
    cfg.client_secret = secret;
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.post_logout_redirect_url = "http://127.0.0.1:8000/";
    cfg.grant_type = grant;
    cfg.audience = audience;
    cfg.http_timeout_ms = 3000;
    cfg.jwks_cooldown_seconds = 30;
    kinde_client *c = NULL;
    kinde_error err;
    if (kinde_client_new(&cfg, &c, &err) != KINDE_OK)
        fprintf(stderr, "client %s: %s\n", id, err.text);
    return c;
}

kinde_client *emulator_client(const emulator *e, kinde_grant_type grant, const char *audience)
{
    return client_of(e, "kinde_demo_client", "kinde_demo_secret", grant, audience);
}

kinde_client *emulator_m2m_client(const emulator *e)
{
    return client_of(e, "kinde_demo_m2m", "kinde_demo_m2m_secret", KINDE_GRANT_CLIENT_CREDENTIALS,
                     NULL);
}

kinde_session *emulator_login(const emulator *e, kinde_client *c, browser *b)
{
    (void)e;
    kinde_session *s = kinde_session_new();
    char *url = NULL, *cb = NULL;
    kinde_error err;
    if (kinde_get_login_url(c, s, NULL, &url, &err) != KINDE_OK ||
        browser_authorize(b, url, "dave@smith.com", NULL, NULL, &cb) != 0 ||
        kinde_fetch_token(c, s, cb, &err) != KINDE_OK) {
        fprintf(stderr, "login failed: %s\n", err.text);
        kinde_session_free(s);
        s = NULL;
    }
    kinde_free(url);
    free(cb);
    return s;
}

emulator it_emu;

int it_group_start(void **state)
{
    (void)state;
    return emulator_start(&it_emu, NULL);
}

int it_group_stop(void **state)
{
    (void)state;
    return emulator_stop(&it_emu);
}

int it_reset(void **state)
{
    (void)state;
    kinde__clock_offset = 0;
    return emulator_admin(&it_emu, "POST", "/_emulator/reset", "{}") == 200 ? 0 : -1;
}
