/* Back-channel HTTP with libcurl: the token, JWKS, revoke and profile calls.
 * The rules of SECURITY.md D live here, in one place: TLS verified, http only
 * to loopback, timeouts, a size cap, no redirects, no CR/LF in values. */
#include "internal.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

/* Kinde's answers are a few KiB; the cap stops a hostile or broken server
 * from making us buffer without end. */
#define KINDE_HTTP_MAX_BODY (512 * 1024)

static int host_is_loopback(const char *host)
{
    if (!host)
        return 0;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        strcmp(host, "::1") == 0)
        return 1;
    /* 127.0.0.0/8, as libcurl writes an IPv4 address back: four parts of
     * 1-3 digits. Only digits: sscanf's %u took "127.0.0.4294967297" and
     * "127.0.0.-4294967295" (host names, resolved through DNS) for 127.0.0.1. */
    if (strncmp(host, "127.", 4) != 0)
        return 0;
    const char *p = host + 4;
    for (int part = 0; part < 3; part++) {
        unsigned value = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            value = value * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || value > 255 || *p != (part < 2 ? '.' : '\0'))
            return 0;
        p++;
    }
    return 1;
}

int kinde__url_allowed(const char *url)
{
    if (!url)
        return 0;
    CURLU *u = curl_url();
    if (!u)
        return -1;
    int ok = 0;
    char *scheme = NULL, *host = NULL;
    CURLUcode uc;
    if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) == CURLUE_OK &&
        (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) == CURLUE_OK &&
        (uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) == CURLUE_OK) {
        if (strcasecmp(scheme, "https") == 0)
            ok = 1;
        else if (strcasecmp(scheme, "http") == 0)
            ok = host_is_loopback(host);
    }
    if (uc == CURLUE_OUT_OF_MEMORY)
        ok = -1;
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

typedef struct {
    strbuf body;
    size_t max;
    int too_large;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    if (s->body.len + n > s->max) {
        s->too_large = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    strbuf_add(&s->body, ptr, n);
    return s->body.failed ? 0 : n;
}

static CURL *take_handle(kinde_client *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->n_idle > 0)
        h = c->idle_handles[--c->n_idle];
    c->requests++;
    pthread_mutex_unlock(&c->lock);
    if (h)
        curl_easy_reset(h); /* keeps the connection cache: the point of reuse */
    else
        h = curl_easy_init();
    return h;
}

static void give_handle(kinde_client *c, CURL *h)
{
    pthread_mutex_lock(&c->lock);
    if (c->n_idle < sizeof c->idle_handles / sizeof c->idle_handles[0]) {
        c->idle_handles[c->n_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (h)
        curl_easy_cleanup(h);
}

void kinde__http_client_cleanup(kinde_client *c)
{
    while (c->n_idle > 0)
        curl_easy_cleanup(c->idle_handles[--c->n_idle]);
}

static int has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* The wait a 429 answer asks for: a whole number of seconds (an HTTP date
 * in Retry-After is not used: the backoff covers it). */
static void on_wait_header(const char *line, size_t n, const char *name, long *out)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return;
    long v = 0;
    size_t i = k + 1, digits = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    for (; i < n && line[i] >= '0' && line[i] <= '9' && digits < 9; i++, digits++)
        v = v * 10 + (line[i] - '0');
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    if (digits > 0 && i == n)
        *out = v;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
    kinde__http_response *resp = userdata;
    size_t n = size * nmemb;
    on_wait_header(line, n, "RateLimit-Reset", &resp->ratelimit_reset);
    on_wait_header(line, n, "Retry-After", &resp->retry_after);
    return n;
}

kinde_code kinde__http_request(const kinde_client *client, const char *url, const char *form,
                               const char *bearer, kinde__http_response *resp,
                               kinde_error *err)
{
    kinde__http_req req = {0};
    req.url = url;
    req.bearer = bearer;
    if (form) {
        req.method = "POST";
        req.body = form;
        req.body_len = strlen(form);
    }
    return kinde__http_send(client, &req, resp, err);
}

static int method_known(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return 1;
    return 0;
}

kinde_code kinde__http_send(const kinde_client *client, const kinde__http_req *req,
                            kinde__http_response *resp, kinde_error *err)
{
    /* The client's mutable parts (handle pool, counters) are under its lock. */
    kinde_client *c = (kinde_client *)client;
    memset(resp, 0, sizeof *resp);
    resp->ratelimit_reset = resp->retry_after = -1;
    const char *url = req->url, *bearer = req->bearer;
    const char *method = req->method ? req->method : "GET";
    size_t max_body = req->max_body ? req->max_body : KINDE_HTTP_MAX_BODY;
    /* CR/LF first: the refusal below would otherwise echo the value. */
    if (has_crlf(url) || has_crlf(bearer) || has_crlf(req->content_type))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "CR or LF in a request value");
    if (!method_known(method))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "unknown HTTP method");
    int allowed = kinde__url_allowed(url);
    if (allowed < 0)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (!allowed)
        return kinde__fail(err, KINDE_E_CONFIG, "refusing %s: https required (http only to loopback)",
                           url ? url : "(null)");

    CURL *h = take_handle(c);
    if (!h)
        return kinde__fail(err, KINDE_E_NOMEM, "curl_easy_init failed");

    sink s = {{0}, max_body, 0};
    struct curl_slist *headers = NULL, *grown;
    strbuf auth = {0}, type = {0};
    char curl_err[CURL_ERROR_SIZE] = "";
    kinde_code rc = KINDE_OK;

    grown = curl_slist_append(headers, "Accept: application/json");
    if (grown) {
        headers = grown;
        if (bearer) {
            strbuf_adds(&auth, "Authorization: Bearer ");
            strbuf_adds(&auth, bearer);
            grown = auth.failed ? NULL : curl_slist_append(headers, auth.data);
            headers = grown ? grown : headers;
        }
    }
    if (grown && req->content_type) {
        strbuf_adds(&type, "Content-Type: ");
        strbuf_adds(&type, req->content_type);
        grown = type.failed ? NULL : curl_slist_append(headers, type.data);
        headers = grown ? grown : headers;
        /* No "Expect: 100-continue" round trip before a larger body. */
        grown = grown ? curl_slist_append(headers, "Expect:") : NULL;
        headers = grown ? grown : headers;
    }
    if (!grown) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto done;
    }

    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->http_timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kinde-c/" KINDE_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    /* GET and a body-less DELETE send no body; the others send the given
     * one, or an empty one (Content-Length: 0). */
    int get_like = !req->body && (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0);
    if (get_like) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);

    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (s.too_large || cc == CURLE_FILESIZE_EXCEEDED)
            rc = kinde__fail(err, KINDE_E_HTTP, "response from %s larger than %zu bytes", url,
                             max_body);
        else if (s.body.failed)
            rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        else
            rc = kinde__fail(err, KINDE_E_HTTP, "%s: %s", url,
                             curl_err[0] ? curl_err : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->len = s.body.len;
    resp->body = strbuf_take(&s.body, NULL);
    if (!resp->body)
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);

done:
    /* The handle must not keep pointers to our stack or freed headers. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
    give_handle(c, h);
    /* curl_slist_append copied the Authorization line: wipe the copy. */
    for (struct curl_slist *l = headers; l; l = l->next)
        kinde__wipe(l->data, strlen(l->data));
    curl_slist_free_all(headers);
    strbuf_free(&auth);
    strbuf_free(&type);
    strbuf_free(&s.body);
    if (rc != KINDE_OK)
        kinde__http_response_clear(resp);
    return rc;
}

void kinde__http_response_clear(kinde__http_response *resp)
{
    if (resp->body) {
        kinde__wipe(resp->body, resp->len);
        kinde__free(resp->body);
    }
    memset(resp, 0, sizeof *resp);
}
