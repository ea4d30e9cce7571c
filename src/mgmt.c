/* The Management API client: checking a call against the generated table,
 * building its request, the token for <domain>/api (401: one new token, one
 * retry), waiting out 429 answers, reading answers, and paging. */
#include "mgmt_internal.h"

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#define MAX_PAGE_SIZE 500

/* ---- the table ---------------------------------------------------------- */

const kinde_mgmt_op_info *kinde_mgmt_op_info_get(kinde_mgmt_op op)
{
    /* Out of range, or the number of an operation the spec dropped. */
    if ((unsigned)op >= KINDE_MGMT_OP_COUNT || !kinde__mgmt_ops[op].operation_id)
        return NULL;
    return &kinde__mgmt_ops[op];
}

/* Equal ignoring case and underscores: "createUser" == "CREATE_USER". */
static int same_name(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_')
            a++;
        while (*b == '_')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if ((*a | 0x20) != (*b | 0x20))
            return 0;
        a++, b++;
    }
}

kinde_code kinde_mgmt_op_find(const char *name, kinde_mgmt_op *op, kinde_error *err)
{
    if (!name || !op)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "name and op are required");
    for (int i = 0; i < KINDE_MGMT_OP_COUNT; i++) {
        if (kinde__mgmt_ops[i].operation_id && same_name(name, kinde__mgmt_ops[i].operation_id)) {
            *op = (kinde_mgmt_op)i;
            return KINDE_OK;
        }
    }
    return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "no Management API operation '%.100s'", name);
}

/* ---- the client --------------------------------------------------------- */

struct kinde_mgmt {
    kinde_client *client;          /* borrowed */
    kinde_mgmt_options opts;
    char *audience;                /* <domain>/api */
    /* Serializes getting a token, so that threads finding none cached wait
     * for the one request the first of them makes. */
    pthread_mutex_t token_lock;
};

static void options_defaults(kinde_mgmt_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate_limit_budget_ms = 60000;
    o->max_retries = 8;
    o->backoff_initial_ms = 500;
    o->backoff_max_ms = 30000;
}

/* The options struct grows like kinde_config (docs/ABI.md): the caller's
 * sizeof travels with it. */
void kinde_mgmt_options_init_sized(kinde_mgmt_options *o, size_t o_size)
{
    if (!o)
        return;
    kinde_mgmt_options d;
    options_defaults(&d);
    kinde__struct_out(o, o_size, &d, sizeof d);
}

kinde_code kinde_mgmt_new_sized(kinde_client *client, const kinde_mgmt_options *opts,
                                size_t opts_size, kinde_mgmt **out, kinde_error *err)
{
    if (!client || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client and out are required");
    if (!client->client_secret)
        return kinde__fail(err, KINDE_E_GRANT_TYPE,
                           "the Management API needs a client_secret (a machine-to-machine application)");
    kinde_mgmt_options o;
    options_defaults(&o);
    if (opts) {
        kinde_code rc = kinde__struct_in(&o, sizeof o, opts, opts_size,
                                         KINDE__SIZE_THROUGH(kinde_mgmt_options, backoff_max_ms),
                                         KINDE_E_CONFIG, "kinde_mgmt_options", err);
        if (rc != KINDE_OK)
            return rc;
    }
    if (o.rate_limit_budget_ms < 0 || o.rate_limit_budget_ms > 3600L * 1000 || o.max_retries < 0 ||
        o.max_retries > 100 || o.backoff_initial_ms < 1 || o.backoff_max_ms < o.backoff_initial_ms ||
        o.backoff_max_ms > 3600L * 1000)
        return kinde__fail(err, KINDE_E_CONFIG,
                           "management options out of range (budget 0..3600000 ms, retries 0..100, "
                           "1 <= backoff_initial_ms <= backoff_max_ms <= 3600000)");
    strbuf aud = {0};
    strbuf_adds(&aud, client->domain);
    strbuf_adds(&aud, "/api");
    char *audience = strbuf_take(&aud, NULL);
    kinde_mgmt *m = audience ? kinde__calloc(1, sizeof *m) : NULL;
    if (!m) {
        kinde__free(audience);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    m->audience = audience;
    if (pthread_mutex_init(&m->token_lock, NULL) != 0) {
        kinde__free(m->audience);
        kinde__free(m);
        return kinde__fail(err, KINDE_E_NOMEM, "pthread_mutex_init failed");
    }
    m->client = client;
    m->opts = o;
    *out = m;
    return KINDE_OK;
}

void kinde_mgmt_free(kinde_mgmt *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->token_lock);
    kinde__free(m->audience);
    kinde__free(m);
}

/* The cached token, or a new one. refused (may be NULL): a token the API
 * just answered 401 to, dropped from the cache first unless another thread
 * already replaced it. */
static kinde_code get_token(kinde_mgmt *m, const char *refused, char **token, kinde_error *err)
{
    pthread_mutex_lock(&m->token_lock);
    if (refused)
        kinde__m2m_forget(m->client, m->audience, refused);
    kinde_code rc = kinde_get_m2m_token(m->client, m->audience, token, NULL, err);
    pthread_mutex_unlock(&m->token_lock);
    return rc;
}

/* ---- checking a call ---------------------------------------------------- */

/* The table entry a given name stands for: its own, or a deepObject
 * parameter's "name[key]". */
static const kinde_mgmt_param_info *param_of(const kinde_mgmt_op_info *info, const char *name)
{
    for (size_t i = 0; i < info->n_params; i++) {
        const kinde_mgmt_param_info *p = &info->params[i];
        size_t n = strlen(p->name), len = strlen(name);
        if (strcmp(p->name, name) == 0)
            return p;
        if (p->deep_object && len > n + 2 && strncmp(name, p->name, n) == 0 && name[n] == '[' &&
            name[len - 1] == ']')
            return p;
    }
    return NULL;
}

static kinde_code check_page_size(const char *v, kinde_error *err)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1 || n > MAX_PAGE_SIZE)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "parameter 'page_size' must be 1..%d, got '%.40s'",
                           MAX_PAGE_SIZE, v);
    return KINDE_OK;
}

/* Every given parameter exists, is given once and has a value; every
 * required one is given; the body fits the operation. */
static kinde_code check_call(const kinde_mgmt_op_info *info, const kinde_mgmt_param *params,
                             const char *json_body, kinde_error *err)
{
    for (size_t i = 0; params && params[i].name; i++) {
        const char *name = params[i].name;
        const kinde_mgmt_param_info *p = param_of(info, name);
        if (!p)
            return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "%s has no parameter '%.64s'",
                               info->operation_id, name);
        if (!params[i].value)
            return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "parameter '%.64s' has no value", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(params[j].name, name) == 0)
                return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "parameter '%.64s' given twice",
                                   name);
        if (p->in == KINDE_MGMT_IN_PATH) {
            /* A path segment: "." or ".." would be folded away by URL
             * normalisation and reach another resource; "" an empty segment. */
            const char *v = params[i].value;
            if (!*v || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
                return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                                   "path parameter '%.64s' cannot be '%s'", name, v);
        }
        if (strcmp(name, "page_size") == 0 && check_page_size(params[i].value, err) != KINDE_OK)
            return KINDE_E_INVALID_ARGUMENT;
    }
    for (size_t k = 0; k < info->n_params; k++) {
        const kinde_mgmt_param_info *p = &info->params[k];
        if (!p->required)
            continue;
        size_t i = 0;
        while (params && params[i].name && param_of(info, params[i].name) != p)
            i++;
        if (!params || !params[i].name)
            return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "%s needs parameter '%s'",
                               info->operation_id, p->name);
    }
    if (json_body && info->body != KINDE_MGMT_BODY_JSON)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "%s takes no JSON body%s",
                           info->operation_id,
                           info->body == KINDE_MGMT_BODY_MULTIPART ? " (multipart/form-data only)" : "");
    if (!json_body && info->body_required && info->body == KINDE_MGMT_BODY_JSON)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "%s needs a JSON body", info->operation_id);
    if (json_body) {
        kinde_error perr;
        json_t *j = kinde__json_parse_object_max(json_body, strlen(json_body), KINDE__MGMT_MAX_BODY,
                                                 KINDE_E_INVALID_ARGUMENT, "request body", &perr);
        if (!j) {
            if (err)
                *err = perr;
            return perr.code; /* KINDE_E_INVALID_ARGUMENT, or KINDE_E_NOMEM */
        }
        json_decref(j);
    }
    return KINDE_OK;
}

static const char *value_of(const kinde_mgmt_param *params, const char *name)
{
    for (size_t i = 0; params && params[i].name; i++)
        if (strcmp(params[i].name, name) == 0)
            return params[i].value;
    return NULL;
}

/* <domain><path with {x} replaced>?<query>. next_token (may be NULL) is
 * appended as the iterator's. */
static char *build_url(const kinde_mgmt *m, const kinde_mgmt_op_info *info,
                       const kinde_mgmt_param *params, const char *next_token)
{
    strbuf b = {0};
    strbuf_adds(&b, m->client->domain);
    for (const char *t = info->path; *t;) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            strbuf_adds(&b, t);
            break;
        }
        strbuf_add(&b, t, (size_t)(open - t));
        char name[96];
        size_t n = (size_t)(close - open - 1);
        if (n >= sizeof name) {
            b.failed = 1;
            break;
        }
        memcpy(name, open + 1, n);
        name[n] = '\0';
        const char *v = value_of(params, name);
        strbuf_add_urlenc(&b, v ? v : "");
        t = close + 1;
    }
    char sep = '?';
    for (size_t i = 0; params && params[i].name; i++) {
        const kinde_mgmt_param_info *p = param_of(info, params[i].name);
        if (p->in != KINDE_MGMT_IN_QUERY)
            continue;
        strbuf_add(&b, &sep, 1);
        sep = '&';
        strbuf_add_urlenc(&b, params[i].name);
        strbuf_add(&b, "=", 1);
        strbuf_add_urlenc(&b, params[i].value);
    }
    if (next_token) {
        strbuf_add(&b, &sep, 1);
        strbuf_adds(&b, "next_token=");
        strbuf_add_urlenc(&b, next_token);
    }
    return strbuf_take(&b, NULL);
}

/* ---- answers ------------------------------------------------------------ */

kinde_code kinde__mgmt_error_answer(long status, const char *body, size_t len, const char *what,
                                    kinde_error *err)
{
    kinde_code code = status == 429 ? KINDE_E_RATE_LIMITED : KINDE_E_HTTP_STATUS;
    json_t *j = body && len ? kinde__json_parse_object_max(body, len, KINDE__MGMT_MAX_BODY,
                                                           KINDE_E_BAD_RESPONSE, what, NULL)
                            : NULL;
    const json_t *first = json_array_get(json_object_get(j, "errors"), 0);
    const char *ecode = kinde__json_str(first, "code");
    const char *message = kinde__json_str(first, "message");
    kinde__fail(err, code, "%s: HTTP %ld%s%.64s%s%.160s", what, status, ecode ? " " : "",
                ecode ? ecode : "", message ? ": " : "", message ? message : "");
    if (err) {
        err->http_status = status;
        snprintf(err->oauth_error, sizeof err->oauth_error, "%s", ecode ? ecode : "");
    }
    json_decref(j);
    return code;
}

static int blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

kinde_code kinde__mgmt_success_answer(const char *body, size_t len, char **answer,
                                      char **next_token, kinde_error *err)
{
    if (answer)
        *answer = NULL;
    if (next_token)
        *next_token = NULL;
    if (!body || blank(body, len))
        return KINDE_OK;
    kinde_error perr;
    json_t *j = kinde__json_parse_object_max(body, len, KINDE__MGMT_MAX_BODY, KINDE_E_BAD_RESPONSE,
                                             "Management API answer", &perr);
    if (!j) {
        if (err)
            *err = perr;
        return perr.code;
    }
    kinde_code rc = KINDE_OK;
    const json_t *nt = json_object_get(j, "next_token");
    if (next_token && nt && !json_is_null(nt)) {
        if (!json_is_string(nt))
            rc = kinde__fail(err, KINDE_E_BAD_RESPONSE, "next_token is not a string");
        else if (json_string_length(nt) > 0 &&
                 !(*next_token = kinde__strndup(json_string_value(nt), json_string_length(nt))))
            rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        else if (*next_token && strlen(*next_token) != json_string_length(nt))
            rc = kinde__fail(err, KINDE_E_BAD_RESPONSE, "next_token holds a NUL character");
    }
    json_decref(j);
    if (rc == KINDE_OK && answer && !(*answer = kinde__strndup(body, len)))
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (rc != KINDE_OK && next_token) {
        kinde__free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

/* ---- one request, with its retries -------------------------------------- */

static long random_below(long n)
{
    unsigned int r = 0;
    if (n <= 0)
        return 0;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        r = (unsigned int)kinde__now(); /* jitter only: any spread will do */
    return (long)(r % (unsigned long)n);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* How long to wait before the n-th retry (0-based) of a 429 answer. */
static long wait_ms(const kinde_mgmt_options *o, const kinde__http_response *r, int n)
{
    long server = r->ratelimit_reset >= 0 ? r->ratelimit_reset : r->retry_after;
    if (server > 86400)
        server = 86400; /* past any budget anyway; keeps the sum in range */
    long base = o->backoff_initial_ms;
    for (int i = 0; i < n && base < o->backoff_max_ms; i++)
        base *= 2;
    if (base > o->backoff_max_ms)
        base = o->backoff_max_ms;
    long jittered = base / 2 + random_below(base - base / 2 + 1);
    return (server > 0 ? server * 1000 : 0) + jittered;
}

static kinde_code send_call(kinde_mgmt *m, const kinde_mgmt_op_info *info,
                            const kinde_mgmt_param *params, const char *next_token,
                            const char *json_body, char **answer, char **next_out,
                            kinde_error *err)
{
    char *url = build_url(m, info, params, next_token);
    if (!url)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    char *token = NULL;
    kinde_code rc = get_token(m, NULL, &token, err);
    kinde__http_response resp = {0};
    kinde__http_req req = {0};
    req.method = info->method;
    req.url = url;
    req.max_body = KINDE__MGMT_MAX_BODY;
    if (json_body) {
        req.body = json_body;
        req.body_len = strlen(json_body);
        req.content_type = "application/json";
    }
    int renewed = 0, limited = 0;
    long waited = 0;
    while (rc == KINDE_OK) {
        req.bearer = token;
        if ((rc = kinde__http_send(m->client, &req, &resp, err)) != KINDE_OK)
            break;
        if (resp.status == 401 && !renewed) {
            /* Expired or revoked before its exp: one new token, one retry. */
            renewed = 1;
            char *fresh = NULL;
            rc = get_token(m, token, &fresh, err);
            kinde__free_secret(token);
            token = fresh;
            kinde__http_response_clear(&resp);
            continue;
        }
        if (resp.status == 429) {
            long w = wait_ms(&m->opts, &resp, limited);
            if (limited >= m->opts.max_retries || waited + w > m->opts.rate_limit_budget_ms) {
                rc = kinde__mgmt_error_answer(429, resp.body, resp.len, info->operation_id, err);
                if (err)
                    snprintf(err->text, sizeof err->text,
                             "%s: HTTP 429 after %d retries and %ld ms of waiting (budget %ld ms)",
                             info->operation_id, limited, waited, m->opts.rate_limit_budget_ms);
                break;
            }
            kinde__http_response_clear(&resp);
            sleep_ms(w);
            waited += w;
            limited++;
            continue;
        }
        if (resp.status >= 200 && resp.status <= 299)
            rc = kinde__mgmt_success_answer(resp.body, resp.len, answer, next_out, err);
        else
            rc = kinde__mgmt_error_answer(resp.status, resp.body, resp.len, info->operation_id, err);
        break;
    }
    kinde__http_response_clear(&resp);
    kinde__free_secret(token);
    kinde__free(url);
    return rc;
}

kinde_code kinde_mgmt_call(kinde_mgmt *m, kinde_mgmt_op op, const kinde_mgmt_param *params,
                           const char *json_body, char **json_answer, kinde_error *err)
{
    if (json_answer)
        *json_answer = NULL;
    const kinde_mgmt_op_info *info = kinde_mgmt_op_info_get(op);
    if (!m || !info)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "mgmt and a known operation are required");
    kinde_code rc = check_call(info, params, json_body, err);
    if (rc != KINDE_OK)
        return rc;
    return send_call(m, info, params, NULL, json_body, json_answer, NULL, err);
}

/* ---- pages -------------------------------------------------------------- */

struct kinde_mgmt_pages {
    kinde_mgmt *mgmt;
    const kinde_mgmt_op_info *info;
    kinde_mgmt_param *params;      /* copies, {NULL, NULL}-terminated */
    const char *next_token;        /* NULL before the first page; borrowed from seen[] */
    char **seen;                   /* every next_token followed */
    size_t n_seen;
    int done;
};

void kinde_mgmt_pages_free(kinde_mgmt_pages *it)
{
    if (!it)
        return;
    for (size_t i = 0; it->params && it->params[i].name; i++) {
        kinde__free((char *)it->params[i].name);
        kinde__free((char *)it->params[i].value);
    }
    kinde__free(it->params);
    for (size_t i = 0; i < it->n_seen; i++)
        kinde__free(it->seen[i]);
    kinde__free(it->seen);
    kinde__free(it);
}

kinde_code kinde_mgmt_pages_new(kinde_mgmt *m, kinde_mgmt_op op, const kinde_mgmt_param *params,
                                kinde_mgmt_pages **out, kinde_error *err)
{
    const kinde_mgmt_op_info *info = kinde_mgmt_op_info_get(op);
    if (!m || !info || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "mgmt, a known operation and out are required");
    if (!info->paged)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "%s does not page (no next_token)",
                           info->operation_id);
    if (value_of(params, "next_token"))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                           "parameter 'next_token' is the iterator's to set");
    kinde_code rc = check_call(info, params, NULL, err);
    if (rc != KINDE_OK)
        return rc;
    size_t n = 0;
    while (params && params[n].name)
        n++;
    kinde_mgmt_pages *it = kinde__calloc(1, sizeof *it);
    if (!it || !(it->params = kinde__calloc(n + 1, sizeof *it->params))) {
        kinde__free(it);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    it->mgmt = m;
    it->info = info;
    for (size_t i = 0; i < n; i++) {
        char *name = kinde__strdup(params[i].name), *value = kinde__strdup(params[i].value);
        if (!name || !value) {
            kinde__free(name);
            kinde__free(value);
            kinde_mgmt_pages_free(it);
            return kinde__fail(err, KINDE_E_NOMEM, NULL);
        }
        it->params[i].name = name;
        it->params[i].value = value;
    }
    *out = it;
    return KINDE_OK;
}

kinde_code kinde_mgmt_pages_next(kinde_mgmt_pages *it, char **page_json, kinde_error *err)
{
    if (!it || !page_json)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "pages and page_json are required");
    *page_json = NULL;
    if (it->done)
        return KINDE_OK;
    char *next = NULL;
    kinde_code rc = send_call(it->mgmt, it->info, it->params, it->next_token, NULL, page_json,
                              &next, err);
    if (rc != KINDE_OK)
        return rc;
    if (!next) {
        it->done = 1;
        return KINDE_OK;
    }
    for (size_t i = 0; i < it->n_seen; i++) {
        if (strcmp(it->seen[i], next) == 0) {
            kinde__free(next);
            kinde__free(*page_json);
            *page_json = NULL;
            return kinde__fail(err, KINDE_E_BAD_RESPONSE,
                               "%s: next_token repeats an earlier one (the pages loop)",
                               it->info->operation_id);
        }
    }
    char **grown = kinde__realloc(it->seen, (it->n_seen + 1) * sizeof *grown);
    if (!grown) {
        kinde__free(next);
        kinde__free(*page_json);
        *page_json = NULL;
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    it->seen = grown;
    it->seen[it->n_seen++] = next;
    it->next_token = next;
    return KINDE_OK;
}
