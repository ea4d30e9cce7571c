/* The Management API's front door: /api/v1/... requests are logged (the
 * admin API's api-log), may be rate limited (a fault), need a
 * client_credentials token for <issuer>/api with the operation's scope,
 * are matched against the operations of Kinde's spec (mgmt_ops.inc), and
 * are served by the handler of their operation or answered 501 when the
 * emulator does not model it. Also: paging, errors and ids shared by the
 * mgmt_*.c files, and the admin additions (api-log, rate-limit,
 * expire-api-tokens). */
#include "mgmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define API_LOG_MAX 256

/* Under emu.lock. */
static struct {
    json_t *log;      /* the last API_LOG_MAX requests */
    json_t *issued;   /* jti -> exp of the Management API tokens issued */
    json_t *expired;  /* jti -> exp refused by expire-api-tokens */
    long rl_after, rl_count, rl_reset;
} mg;

/* A JSON string of n bytes of outside text (a path, a query, a body, an id
 * in a message): as is when it is UTF-8, else with every byte outside
 * printable ASCII shown as '?', so a reply or a log entry is never
 * lost to bytes jansson refuses. */
static json_t *outside_text(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    if (v)
        return v;
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
            c = '?';
        copy[i] = c;
    }
    v = json_stringn(copy, n);
    free(copy);
    return v;
}

/* ---- replies ------------------------------------------------------------ */

void mg_error(emu_reply *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emu_reply_json(r, status, json_pack("{s:[{s:s, s:o}]}", "errors", "code", code, "message",
                                        outside_text(msg, strlen(msg))));
    r->no_store = 1;
}

void mg_not_found(emu_reply *r, const char *code_prefix, const char *what, const char *id)
{
    char code[64];
    snprintf(code, sizeof code, "%s_NOT_FOUND", code_prefix);
    mg_error(r, 404, code, "no %s \"%s\"", what, id ? id : "");
}

void mg_reply(mg_call *c, emu_reply *r, json_t *body)
{
    emu_reply_json(r, c->op->status, body);
    r->no_store = 1;
}

void mg_ok(mg_call *c, emu_reply *r, json_t *body)
{
    if (!json_object_get(body, "code"))
        json_object_set_new(body, "code", json_string("OK"));
    if (!json_object_get(body, "message"))
        json_object_set_new(body, "message", json_string("Success"));
    mg_reply(c, r, body);
}

void mg_success(mg_call *c, emu_reply *r)
{
    mg_ok(c, r, json_object());
}

/* ---- request parts -------------------------------------------------------- */

const char *mg_query(const mg_call *c, const char *name)
{
    return emu_form_get(&c->q->query, name, NULL);
}

const char *mg_str(const mg_call *c, const char *name, int *bad)
{
    const json_t *v = json_object_get(c->body, name);
    if (v && !json_is_null(v) && !json_is_string(v))
        *bad = 1;
    return json_string_value(v);
}

int mg_page(mg_call *c, emu_reply *r, size_t *from, size_t *size)
{
    int rc = emu_mgmt_page_params(mg_query(c, "page_size"), mg_query(c, "next_token"), from, size);
    if (rc == -1)
        mg_error(r, 400, "INVALID_PAGE_SIZE", "page_size must be an integer from 1 to %d", EMU_MGMT_PAGE_MAX);
    else if (rc == -2)
        mg_error(r, 400, "INVALID_NEXT_TOKEN", "next_token is not one this emulator gave");
    return rc ? -1 : 0;
}

void mg_page_fill(json_t *out, const char *member, json_t *items, size_t from, size_t size)
{
    json_t *page = json_array();
    size_t n = json_array_size(items);
    for (size_t i = from; i < n && i < from + size; i++)
        json_array_append(page, json_array_get(items, i));
    json_object_set_new(out, member, page);
    if (from + size < n)
        json_object_set_new(out, "next_token", json_sprintf("p%zu", from + size));
    json_decref(items);
}

char *mg_new_id(const char *prefix)
{
    char *hex = emu_random_hex(16);
    if (!hex)
        return NULL;
    strbuf s = {0};
    strbuf_addf(&s, "%s%s", prefix, hex);
    free(hex);
    return strbuf_take(&s, NULL);
}

void mg_now_text(char out[32])
{
    time_t now = (time_t)emu_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

ssize_t mg_index(const json_t *array, const char *field, const char *value)
{
    size_t i;
    const json_t *item;
    json_array_foreach(array, i, item) {
        const char *v = json_string_value(json_object_get(item, field));
        if (v && value && strcmp(v, value) == 0)
            return (ssize_t)i;
    }
    return -1;
}

json_t *mg_find(const json_t *array, const char *field, const char *value)
{
    ssize_t i = mg_index(array, field, value);
    return i < 0 ? NULL : json_array_get(array, (size_t)i);
}

/* An event as Kinde sends it: {type, event_id, timestamp, source, data}. */
static json_t *new_event(const char *type, json_t *data, const char *source)
{
    char when[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    mg_now_text(when);
    /* Kinde's timestamps carry milliseconds: 2026-12-01T10:00:00.123+00:00 */
    char stamp[40];
    snprintf(stamp, sizeof stamp, "%.19s.%03d+00:00", when, (int)(ts.tv_nsec / 1000000L) % 1000);
    char *id = mg_new_id("event_");
    json_t *ev = json_pack("{s:s, s:s?, s:s, s:s, s:o}", "type", type, "event_id", id, "timestamp", stamp, "source",
                           source, "data", data);
    free(id);
    return ev;
}

void mg_event(mg_call *c, const char *type, json_t *data)
{
    json_array_append_new(c->events, new_event(type, data, "api"));
}

int mg_flag_value(const char *type, const char *text, json_t **out)
{
    char *end;
    *out = NULL;
    if (!text)
        return -1;
    if (strcmp(type, "s") == 0) {
        *out = json_string(text);
    } else if (strcmp(type, "b") == 0) {
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
            *out = json_boolean(text[0] == 't');
    } else if (strcmp(type, "i") == 0) {
        long long v = strtoll(text, &end, 10);
        if (*text && !*end)
            *out = json_integer(v);
    }
    return *out ? 0 : -1;
}

/* ---- tokens ------------------------------------------------------------- */

json_t *emu_mgmt_scopes(const json_t *app)
{
    const json_t *m = json_object_get(app, "management_api");
    if (!m)
        return NULL;
    const json_t *given = json_object_get(m, "scopes");
    if (given)
        return json_deep_copy(given);
    json_t *all = json_array(); /* every scope of the spec */
    for (size_t i = 0; i < emu_mgmt_n_ops; i++)
        if (emu_mgmt_ops[i].scope[0] && !emu_string_in(all, emu_mgmt_ops[i].scope))
            json_array_append_new(all, json_string(emu_mgmt_ops[i].scope));
    return all;
}

void emu_mgmt_token_issued(const char *jti, json_int_t exp)
{
    if (!mg.issued)
        mg.issued = json_object();
    /* Forget what has expired now and then, so a loop does not grow it. */
    if (json_object_size(mg.issued) >= 1024) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(mg.issued, tmp, k, v)
            if (json_integer_value(v) < emu_now())
                json_object_del(mg.issued, k);
    }
    if (jti)
        json_object_set_new(mg.issued, jti, json_integer(exp));
}

static int has_string(const json_t *v, const char *s)
{
    return json_is_string(v) ? strcmp(json_string_value(v), s) == 0 : emu_string_in(v, s);
}

/* 0 when the request may go on; else the 401/403 is written. */
static int authorise(const emu_request *q, const emu_mgmt_op *op, emu_reply *r)
{
    const char *a = q->authorization;
    json_t *claims = a && strncasecmp(a, "Bearer ", 7) == 0 ? emu_jwt_verify(a + 7) : NULL;
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    char aud[300];
    snprintf(aud, sizeof aud, "%s/api", emu.issuer);
    pthread_mutex_lock(&emu.lock);
    int live = claims && json_integer_value(json_object_get(claims, "exp")) > emu_now() &&
               !(jti && (json_object_get(emu.revoked_jti, jti) || json_object_get(mg.expired, jti)));
    pthread_mutex_unlock(&emu.lock);
    int rc = -1;
    if (!live)
        mg_error(r, 401, "UNAUTHORIZED", "a valid, unexpired Management API access token is required");
    else if (!has_string(json_object_get(claims, "gty"), "client_credentials"))
        mg_error(r, 403, "FORBIDDEN", "user tokens cannot call the Management API: use a machine-to-machine token");
    else if (!has_string(json_object_get(claims, "aud"), aud))
        mg_error(r, 403, "FORBIDDEN", "the token's audience is not %s", aud);
    else if (op && op->scope[0] && !has_string(json_object_get(claims, "scp"), op->scope))
        mg_error(r, 403, "FORBIDDEN", "the token lacks the scope %s", op->scope);
    else
        rc = 0;
    if (rc && r->status == 401)
        r->www_authenticate = "Bearer error=\"invalid_token\"";
    json_decref(claims);
    return rc;
}

/* ---- routing ----------------------------------------------------------------- */

static const mg_route *const route_tables[] = {mg_user_routes, mg_org_routes, mg_role_routes,
                                               mg_flag_routes, mg_business_routes, mg_webhook_routes};

static mg_handler handler_for(const char *operation_id)
{
    for (size_t t = 0; t < sizeof route_tables / sizeof route_tables[0]; t++)
        for (const mg_route *rt = route_tables[t]; rt->operation_id; rt++)
            if (strcmp(rt->operation_id, operation_id) == 0)
                return rt->handler;
    return NULL;
}

static void log_request(const emu_request *q)
{
    if (!mg.log)
        mg.log = json_array();
    if (json_array_size(mg.log) == API_LOG_MAX)
        json_array_remove(mg.log, 0);
    const char *qs = q->query_string ? q->query_string : "", *ct = q->content_type ? q->content_type : "";
    json_array_append_new(mg.log, json_pack("{s:o, s:o, s:o, s:o, s:o}", "method", outside_text(q->method, strlen(q->method)),
                                            "path", outside_text(q->path, strlen(q->path)), "query",
                                            outside_text(qs, strlen(qs)), "content_type", outside_text(ct, strlen(ct)),
                                            "body", outside_text(q->body ? q->body : "", q->body ? q->body_len : 0)));
}

/* 1 when this call is refused by the rate-limit fault (lock held). */
static int rate_limited(emu_reply *r)
{
    if (mg.rl_count <= 0)
        return 0;
    if (mg.rl_after > 0) {
        mg.rl_after--;
        return 0;
    }
    mg.rl_count--;
    mg_error(r, 429, "TOO_MANY_REQUESTS", "rate limit reached: retry after %ld seconds", mg.rl_reset);
    snprintf(r->rate_limit_reset, sizeof r->rate_limit_reset, "%ld", mg.rl_reset);
    return 1;
}

/* Which webhooks want each event (lock held): [{endpoint, event}]. */
static json_t *deliveries(const json_t *events)
{
    json_t *out = json_array();
    size_t i, k;
    const json_t *ev, *hook;
    json_array_foreach(events, i, ev) {
        json_array_foreach(json_object_get(emu.data, "webhooks"), k, hook)
            if (emu_string_in(json_object_get(hook, "event_types"), json_string_value(json_object_get(ev, "type"))))
                json_array_append_new(out, json_pack("{s:O, s:O}", "endpoint", json_object_get(hook, "endpoint"),
                                                     "event", ev));
    }
    return out;
}

void emu_mgmt(const emu_request *q, emu_reply *r)
{
    pthread_mutex_lock(&emu.lock);
    log_request(q);
    int limited = rate_limited(r);
    pthread_mutex_unlock(&emu.lock);
    if (limited)
        return;

    mg_call c = {.q = q};
    int path_known = 0;
    const emu_mgmt_op *op = emu_mgmt_find(q->method, q->path, c.params, &path_known);
    if (authorise(q, op, r) != 0)
        return;
    if (!op) {
        if (path_known)
            mg_error(r, 405, "METHOD_NOT_ALLOWED", "%s is not an operation of %s", q->method, q->path);
        else
            mg_error(r, 404, "ROUTE_NOT_FOUND", "no operation of the Management API has the path %s", q->path);
        return;
    }
    mg_handler h = handler_for(op->id);
    if (!h) {
        mg_error(r, 501, "NOT_IMPLEMENTED_IN_EMULATOR", "%s %s is not modelled by kinde-emulator", op->method,
                 op->path);
        return;
    }
    json_error_t jerr;
    c.op = op;
    c.body = q->body_len ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!json_is_object(c.body)) {
        json_decref(c.body);
        mg_error(r, 400, "INVALID_JSON", "the body must be a JSON object");
        return;
    }
    c.events = json_array();
    pthread_mutex_lock(&emu.lock);
    h(&c, r);
    json_t *out = json_array_size(c.events) && r->status < 300 ? deliveries(c.events) : NULL;
    pthread_mutex_unlock(&emu.lock);
    if (out)
        emu_webhooks_enqueue(out);
    json_decref(c.events);
    json_decref(c.body);
}

/* ---- the admin additions ------------------------------------------------------ */

void emu_mgmt_reset(void)
{
    json_array_clear(mg.log);
    mg.rl_after = mg.rl_count = mg.rl_reset = 0;
}

void emu_mgmt_admin(const char *what, const char *method, const json_t *body, emu_reply *r)
{
    if (strcmp(what, "api-log") == 0) {
        pthread_mutex_lock(&emu.lock);
        json_t *out = strcmp(method, "GET") == 0 ? json_pack("{s:O}", "requests", mg.log ? mg.log : json_array())
                                                 : NULL;
        if (!out)
            json_array_clear(mg.log);
        pthread_mutex_unlock(&emu.lock);
        emu_reply_json(r, 200, out ? out : json_pack("{s:b}", "ok", 1));
        return;
    }
    if (strcmp(what, "expire-api-tokens") == 0) {
        pthread_mutex_lock(&emu.lock);
        if (!mg.expired)
            mg.expired = json_object();
        if (mg.issued)
            json_object_update(mg.expired, mg.issued);
        json_object_clear(mg.issued);
        size_t n = json_object_size(mg.expired);
        pthread_mutex_unlock(&emu.lock);
        emu_reply_json(r, 200, json_pack("{s:b, s:I}", "ok", 1, "expired", (json_int_t)n));
        return;
    }
    /* rate-limit */
    const json_t *after = json_object_get(body, "after"), *count = json_object_get(body, "count"),
                 *reset = json_object_get(body, "reset_seconds");
    if ((after && (!json_is_integer(after) || json_integer_value(after) < 0)) || !json_is_integer(count) ||
        json_integer_value(count) < 0 ||
        (reset && (!json_is_integer(reset) || json_integer_value(reset) < 0 || json_integer_value(reset) > 3600))) {
        emu_reply_json(r, 400, json_pack("{s:s, s:s}", "error", "invalid_request", "error_description",
                                         "{\"after\": N >= 0, \"count\": C >= 0, \"reset_seconds\": 0..3600}"));
        return;
    }
    pthread_mutex_lock(&emu.lock);
    mg.rl_after = after ? (long)json_integer_value(after) : 0;
    mg.rl_count = (long)json_integer_value(count);
    mg.rl_reset = reset ? (long)json_integer_value(reset) : 1;
    pthread_mutex_unlock(&emu.lock);
    emu_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void emu_mgmt_free(void)
{
    json_decref(mg.log);
    json_decref(mg.issued);
    json_decref(mg.expired);
    memset(&mg, 0, sizeof mg);
}

void mg_remove_string(json_t *array, const char *s)
{
    for (size_t i = json_array_size(array); s && i-- > 0;) {
        const char *v = json_string_value(json_array_get(array, i));
        if (v && strcmp(v, s) == 0)
            json_array_remove(array, i);
    }
}

json_t *mg_nullable(const json_t *v)
{
    return v ? json_incref((json_t *)v) : json_null();
}

json_t *mg_org_or_404(emu_reply *r, const char *code)
{
    json_t *org = (json_t *)emu_org(emu.data, code);
    if (!org)
        mg_not_found(r, "ORGANIZATION", "organization", code);
    return org;
}

json_t *emu_signup_event(const char *user_id)
{
    const json_t *user = emu_user_by_id(emu.data, user_id);
    if (!user || json_array_size(json_object_get(emu.data, "webhooks")) == 0)
        return NULL;
    json_t *events = json_pack("[o]", new_event("user.created", mg_user_event(user), "user"));
    json_t *out = deliveries(events);
    json_decref(events);
    if (json_array_size(out) == 0) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

void mg_list(mg_call *c, emu_reply *r, const char *member, const json_t *items, json_t *(*render)(const json_t *))
{
    size_t from, size;
    if (mg_page(c, r, &from, &size) != 0)
        return;
    json_t *page = json_array(), *out = json_object();
    size_t n = json_array_size(items);
    for (size_t i = from; i < n && i - from < size; i++)
        json_array_append_new(page, render(json_array_get(items, i)));
    json_object_set_new(out, member, page);
    if (from < n && n - from > size)
        json_object_set_new(out, "next_token", json_sprintf("p%zu", from + size));
    mg_ok(c, r, out);
}

json_t *mg_member(json_t *owner, const char *name, int array)
{
    json_t *v = json_object_get(owner, name);
    if (!v)
        json_object_set_new(owner, name, v = array ? json_array() : json_object());
    return v;
}
