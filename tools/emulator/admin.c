/* The admin API, for tests: on only with --admin, and only from loopback.
 *
 *   GET    /_emulator/stats                 {"requests": {path: count}}
 *   POST   /_emulator/reset                 counters, faults, clock, wrong key off
 *   POST   /_emulator/faults                {"path", "status", "delay_ms", "body", "count"}
 *   DELETE /_emulator/faults
 *   POST   /_emulator/rotate-key            {"keep_old": true|false}
 *   POST   /_emulator/sign-with-wrong-key   {"enabled": true|false}
 *   POST   /_emulator/clock                 {"skew_seconds": n}
 *   POST   /_emulator/mint                  {"header": {...}, "claims": {...}} -> {"token"}
 *   GET    /_emulator/api-log               {"requests": [{method, path, query, content_type, body}]}
 *   DELETE /_emulator/api-log
 *   POST   /_emulator/rate-limit            {"after": N, "count": C, "reset_seconds": S}
 *   POST   /_emulator/expire-api-tokens     Management API tokens issued so far answer 401
 *   GET    /_emulator/webhook-log           {"deliveries": [...], "pending": bool}
 *   DELETE /_emulator/webhook-log
 *   POST   /_emulator/id-token-nonce        {"mode": "normal"|"wrong"|"missing"}
 *
 * One row of the table at the end per endpoint; routes.c sends every
 * /_emulator/ path here.
 */
#include "emulator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HUGE_BODY (2u << 20)

void emu_count(const char *path)
{
    /* Management API requests by operation path, so ids do not fill the table. */
    const char *tmpl = strncmp(path, "/api/v1/", 8) == 0 ? emu_mgmt_template(path) : NULL;
    if (tmpl)
        path = tmpl;
    for (int i = 0; i < emu.n_stats; i++) {
        if (strcmp(emu.stats[i].path, path) == 0) {
            emu.stats[i].n++;
            return;
        }
    }
    if (emu.n_stats < EMU_MAX_STATS && strlen(path) < sizeof emu.stats[0].path) {
        snprintf(emu.stats[emu.n_stats].path, sizeof emu.stats[0].path, "%s", path);
        emu.stats[emu.n_stats++].n = 1;
    }
}

static void clear_faults(void)
{
    for (int i = 0; i < emu.n_faults; i++)
        free(emu.faults[i].body);
    emu.n_faults = 0;
}

static void replace_body(emu_reply *r, const char *text, size_t len)
{
    free(r->body);
    r->body = malloc(len + 1);
    r->body_len = r->body ? len : 0;
    if (r->body) {
        memcpy(r->body, text, len);
        r->body[len] = '\0';
    }
}

void emu_fault_apply(const char *path, emu_reply *r, long *delay_ms)
{
    for (int i = 0; i < emu.n_faults; i++) {
        emu_fault *f = &emu.faults[i];
        if (strcmp(f->path, path) != 0 || f->count == 0)
            continue;
        if (f->count > 0)
            f->count--;
        *delay_ms = f->delay_ms;
        if (f->status)
            r->status = f->status;
        if (!f->body)
            return;
        if (strcmp(f->body, "truncated") == 0) {
            r->body_len /= 2;
            if (r->body)
                r->body[r->body_len] = '\0';
        } else if (strcmp(f->body, "garbage") == 0) {
            replace_body(r, "<html><body>502 Bad Gateway</body></html>", 41);
        } else if (strcmp(f->body, "empty") == 0) {
            replace_body(r, "", 0);
        } else if (strcmp(f->body, "huge") == 0) {
            free(r->body);
            r->body = malloc(HUGE_BODY + 1);
            r->body_len = r->body ? HUGE_BODY : 0;
            if (r->body) { /* {"access_token":"AAAA... never closed */
                memset(r->body, 'A', HUGE_BODY);
                memcpy(r->body, "{\"access_token\":\"", 17);
                r->body[HUGE_BODY] = '\0';
            }
        } else {
            replace_body(r, f->body, strlen(f->body));
            r->content_type = "application/json";
        }
        return;
    }
}

static void ok(emu_reply *r)
{
    emu_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void bad(emu_reply *r, const char *why)
{
    emu_reply_json(r, 400, json_pack("{s:s, s:s}", "error", "invalid_request", "error_description", why));
}

static void add_fault(const json_t *j, emu_reply *r)
{
    const char *path = json_string_value(json_object_get(j, "path"));
    const json_t *status = json_object_get(j, "status");
    const json_t *delay = json_object_get(j, "delay_ms");
    const json_t *body = json_object_get(j, "body");
    const json_t *count = json_object_get(j, "count");
    if (!path || path[0] != '/' || strlen(path) >= sizeof emu.faults[0].path)
        { bad(r, "path: an absolute path is required"); return; }
    /* 1xx is not a final status: a client would wait for one forever. */
    if ((status && (!json_is_integer(status) || json_integer_value(status) < 200 ||
                    json_integer_value(status) > 599)) ||
        (delay && (!json_is_integer(delay) || json_integer_value(delay) < 0 ||
                   json_integer_value(delay) > 60000)) ||
        (body && !json_is_string(body)) ||
        (count && (!json_is_integer(count) || json_integer_value(count) < 1)))
        { bad(r, "status 200-599, delay_ms 0-60000, body a string, count 1 or more"); return; }
    pthread_mutex_lock(&emu.lock);
    int full = emu.n_faults == EMU_MAX_FAULTS;
    if (!full) {
        emu_fault *f = &emu.faults[emu.n_faults++];
        memset(f, 0, sizeof *f);
        snprintf(f->path, sizeof f->path, "%s", path);
        f->status = status ? (int)json_integer_value(status) : 0;
        f->delay_ms = delay ? (long)json_integer_value(delay) : 0;
        f->body = body ? strdup(json_string_value(body)) : NULL;
        f->count = count ? (long)json_integer_value(count) : -1;
    }
    pthread_mutex_unlock(&emu.lock);
    if (full)
        bad(r, "too many faults; DELETE /_emulator/faults first");
    else
        ok(r);
}

static void stats(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q, (void)j;
    json_t *req = json_object();
    pthread_mutex_lock(&emu.lock);
    for (int i = 0; i < emu.n_stats; i++)
        json_object_set_new(req, emu.stats[i].path, json_integer(emu.stats[i].n));
    pthread_mutex_unlock(&emu.lock);
    emu_reply_json(r, 200, json_pack("{s:o}", "requests", req));
}

static void rotate_key(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q;
    emu_key fresh;
    if (emu_key_generate(&fresh) != 0) {
        emu_reply_json(r, 500, json_pack("{s:s}", "error", "cannot generate a key"));
        return;
    }
    int keep_old = json_is_true(json_object_get(j, "keep_old"));
    pthread_mutex_lock(&emu.lock);
    if (emu.n_keys == 2)
        emu_key_free(&emu.keys[1]);
    if (keep_old) {
        emu.keys[1] = emu.keys[0];
        emu.n_keys = 2;
    } else {
        emu_key_free(&emu.keys[0]);
        emu.n_keys = 1;
    }
    emu.keys[0] = fresh;
    json_t *out = json_pack("{s:s, s:i}", "kid", fresh.kid, "published", emu.n_keys);
    pthread_mutex_unlock(&emu.lock);
    emu_reply_json(r, 200, out);
}

static void mint(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q;
    const json_t *header = json_object_get(j, "header");
    const json_t *claims = json_object_get(j, "claims");
    if ((header && !json_is_object(header)) || !json_is_object(claims))
        { bad(r, "{\"header\": {...}, \"claims\": {...}} expected"); return; }
    char *token = emu_sign_current(header, claims);
    if (!token)
        { bad(r, "cannot sign"); return; }
    emu_reply_json(r, 200, json_pack("{s:s}", "token", token));
    free(token);
}

/* Turns the fault on or off. The wrong key is made on first use: a
 * 2048-bit key generation would otherwise be most of the start-up time. */
static void sign_with_wrong_key(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q;
    int enable = json_is_true(json_object_get(j, "enabled"));
    emu_key fresh = {0};
    pthread_mutex_lock(&emu.lock);
    int need = enable && !emu.wrong_key.pkey;
    pthread_mutex_unlock(&emu.lock);
    if (need && emu_key_generate(&fresh) != 0) {
        emu_reply_oauth_error(r, 500, "server_error", "cannot generate a key");
        return;
    }
    pthread_mutex_lock(&emu.lock);
    if (fresh.pkey && !emu.wrong_key.pkey) { /* another request may have made one meanwhile */
        emu.wrong_key = fresh;
        fresh.pkey = NULL;
    }
    emu.sign_with_wrong_key = enable;
    pthread_mutex_unlock(&emu.lock);
    emu_key_free(&fresh);
    ok(r);
}


/* POST adds a fault, DELETE clears them all. */
static void faults(const emu_request *q, const json_t *j, emu_reply *r)
{
    if (j) {
        add_fault(j, r);
        return;
    }
    (void)q;
    pthread_mutex_lock(&emu.lock);
    clear_faults();
    pthread_mutex_unlock(&emu.lock);
    ok(r);
}

static void reset(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q, (void)j;
    pthread_mutex_lock(&emu.lock);
    clear_faults();
    emu.n_stats = 0;
    emu.clock_skew = 0;
    emu.sign_with_wrong_key = 0;
    emu_mgmt_reset();
    emu.id_token_nonce = EMU_NONCE_NORMAL;
    pthread_mutex_unlock(&emu.lock);
    json_decref(emu_webhooks_log(1));
    ok(r);
}

static void clock_skew(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q;
    const json_t *skew = json_object_get(j, "skew_seconds");
    if (!json_is_integer(skew) || json_integer_value(skew) < -100L * 86400 ||
        json_integer_value(skew) > 100L * 86400) {
        bad(r, "skew_seconds: an integer within 100 days");
        return;
    }
    pthread_mutex_lock(&emu.lock);
    emu.clock_skew = (long)json_integer_value(skew);
    pthread_mutex_unlock(&emu.lock);
    ok(r);
}

static void id_token_nonce(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)q;
    static const char *const modes[] = {[EMU_NONCE_NORMAL] = "normal", [EMU_NONCE_WRONG] = "wrong",
                                        [EMU_NONCE_MISSING] = "missing"};
    const char *mode = json_string_value(json_object_get(j, "mode"));
    size_t m = 0;
    while (m < sizeof modes / sizeof modes[0] && !(mode && strcmp(mode, modes[m]) == 0))
        m++;
    if (m == sizeof modes / sizeof modes[0]) {
        bad(r, "mode: \"normal\", \"wrong\" or \"missing\"");
        return;
    }
    pthread_mutex_lock(&emu.lock);
    emu.id_token_nonce = (emu_nonce_mode)m;
    pthread_mutex_unlock(&emu.lock);
    ok(r);
}

/* body: the JSON object a POST carries; NULL for the other methods. */
typedef void admin_fn(const emu_request *q, const json_t *body, emu_reply *r);

/* The Management API's additions (mgmt.c, webhooks.c). */
static void mgmt_admin(const emu_request *q, const json_t *j, emu_reply *r)
{
    emu_mgmt_admin(q->path + strlen("/_emulator/"), q->method, j, r);
}

static void webhook_log(const emu_request *q, const json_t *j, emu_reply *r)
{
    (void)j;
    json_t *out = emu_webhooks_log(strcmp(q->method, "DELETE") == 0);
    emu_reply_json(r, 200, out ? out : json_pack("{s:b}", "ok", 1));
}

static const struct {
    const char *name, *allow;
    admin_fn *run;
} endpoints[] = {
    {"stats", "GET", stats},
    {"reset", "POST", reset},
    {"faults", "POST, DELETE", faults},
    {"rotate-key", "POST", rotate_key},
    {"sign-with-wrong-key", "POST", sign_with_wrong_key},
    {"clock", "POST", clock_skew},
    {"mint", "POST", mint},
    {"api-log", "GET, DELETE", mgmt_admin},
    {"rate-limit", "POST", mgmt_admin},
    {"expire-api-tokens", "POST", mgmt_admin},
    {"webhook-log", "GET, DELETE", webhook_log},
    {"id-token-nonce", "POST", id_token_nonce},
};

/* The emulator's own origin: the issuer's scheme://host[:port]. */
static int own_origin(const char *origin)
{
    const char *scheme_end = strstr(emu.issuer, "://");
    if (!scheme_end)
        return 0;
    const char *path = strchr(scheme_end + 3, '/');
    size_t len = path ? (size_t)(path - emu.issuer) : strlen(emu.issuer);
    return strlen(origin) == len && strncasecmp(origin, emu.issuer, len) == 0;
}

/* Any page a developer's browser shows can send a request here: a
 * cross-origin one (Origin not ours) is 403, and a POST that is not JSON
 * (text/plain and form posts need no CORS preflight) is 415, so no web page
 * can inject faults or rotate keys. */
static int refused_from_browser(const emu_request *q, emu_reply *r)
{
    if (q->origin && !own_origin(q->origin)) {
        emu_reply_json(r, 403, json_pack("{s:s}", "error",
                                         "the admin API refuses cross-origin requests"));
        return 1;
    }
    size_t n = q->content_type ? strcspn(q->content_type, "; \t") : 0;
    if (strcmp(q->method, "POST") == 0 &&
        (n != 16 || strncasecmp(q->content_type, "application/json", 16) != 0)) {
        emu_reply_json(r, 415, json_pack("{s:s}", "error",
                                         "the admin API takes Content-Type: application/json"));
        return 1;
    }
    return 0;
}

void emu_admin(const emu_request *q, emu_reply *r)
{
    if (!emu.cfg.admin) {
        emu_reply_json(r, 404, json_pack("{s:s, s:s}", "error", "not_found", "error_description",
                                         "the admin API is off (start with --admin)"));
        return;
    }
    if (!q->from_loopback) {
        emu_reply_json(r, 403, json_pack("{s:s}", "error", "the admin API answers loopback only"));
        return;
    }
    if (refused_from_browser(q, r))
        return;
    const char *what = q->path + strlen("/_emulator/");
    /* An unknown endpoint is 404 whatever the method; a known one asked
     * with another method is 405 with the methods it takes. */
    size_t e = 0;
    while (e < sizeof endpoints / sizeof endpoints[0] && strcmp(what, endpoints[e].name) != 0)
        e++;
    if (e == sizeof endpoints / sizeof endpoints[0]) {
        emu_reply_json(r, 404, json_pack("{s:s}", "error", "no such admin endpoint"));
        return;
    }
    if (!emu_method_in(endpoints[e].allow, q->method)) {
        emu_reply_json(r, 405, json_pack("{s:s}", "error", "method not allowed"));
        r->allow = endpoints[e].allow;
        return;
    }
    json_t *j = NULL;
    if (strcmp(q->method, "POST") == 0) {
        j = q->body_len ? json_loadb(q->body, q->body_len, 0, NULL) : json_object();
        if (!json_is_object(j)) {
            json_decref(j);
            bad(r, "the body must be a JSON object");
            return;
        }
    }
    endpoints[e].run(q, j, r);
    json_decref(j);
}
