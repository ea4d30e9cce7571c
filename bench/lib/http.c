#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t bench_on_header(char *p, size_t size, size_t n, void *ud)
{
    bench_resp *r = ud;
    size_t len = size * n;
    char line[4096];
    size_t k = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, p, k);
    line[k] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "location: ", 10) == 0)
        snprintf(r->location, sizeof r->location, "%s", line + 10);
    else if (strncasecmp(line, "set-cookie: ", 12) == 0) {
        const char *v = strstr(line, "kinde_session=");
        if (v) {
            v += 14;
            size_t m = strcspn(v, ";");
            if (m < sizeof r->cookie) {
                memcpy(r->cookie, v, m);
                r->cookie[m] = '\0';
            }
        }
    }
    return len;
}

size_t bench_on_body(char *p, size_t size, size_t n, void *ud)
{
    bench_resp *r = ud;
    size_t len = size * n;
    if (r->body_len + len < sizeof r->body) {
        memcpy(r->body + r->body_len, p, len);
        r->body_len += len;
        r->body[r->body_len] = '\0';
    }
    return len;
}

long bench_request(CURL *h, const char *url, const char *cookie, const char *post, bench_resp *r)
{
    /* Only the string heads: clearing the whole 70 KB would be timed too. */
    r->location[0] = '\0';
    r->cookie[0] = '\0';
    r->body[0] = '\0';
    r->body_len = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, bench_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    struct curl_slist *hd = NULL;
    char c[300];
    if (cookie) {
        snprintf(c, sizeof c, "Cookie: kinde_session=%s", cookie);
        hd = curl_slist_append(hd, c);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    if (post)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
    else
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    return status;
}

int bench_form_request(const char *body, char *out, size_t cap)
{
    const char *m = strstr(body, "name=\"request\" value=\"");
    if (!m)
        return -1;
    m += 22;
    size_t n = strcspn(m, "\"");
    if (n >= cap)
        return -1;
    memcpy(out, m, n);
    out[n] = '\0';
    return 0;
}
