/* Item 5: the full login round trip on loopback, as a browser makes it:
 *   GET app/login            -> 302 to the emulator's authorize URL (pending login stored)
 *   GET emulator/authorize   -> 302 to app/callback (an emulator session exists)
 *   GET app/callback         -> code exchange, both tokens verified, session stored, 302
 * One keep-alive connection per side, as a browser has. Prints p50, p99,
 * min and max in microseconds over N round trips (after a warm-up).
 *   usage: login_roundtrip APP_URL EMU_URL N [email] */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct {
    char location[4096];
    char cookie[256]; /* the app's kinde_session value */
    char body[65536];
    size_t body_len;
} resp;

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
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

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t len = size * n;
    if (r->body_len + len < sizeof r->body) {
        memcpy(r->body + r->body_len, p, len);
        r->body_len += len;
        r->body[r->body_len] = '\0';
    }
    return len;
}

static long get(CURL *h, const char *url, const char *cookie, const char *post, resp *r)
{
    memset(r, 0, sizeof *r);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
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

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static CURL *app, *emu;
static const char *app_url, *emu_url, *email;

/* One round trip; 0 when it ended signed in. */
static int round_trip(void)
{
    static resp r;
    char url[4096], pre[256];
    snprintf(url, sizeof url, "%s/login", app_url);
    if (get(app, url, NULL, NULL, &r) != 302 || !r.cookie[0] || !r.location[0])
        return fprintf(stderr, "login: no redirect\n"), -1;
    snprintf(pre, sizeof pre, "%s", r.cookie);
    snprintf(url, sizeof url, "%s", r.location);
    long st = get(emu, url, NULL, NULL, &r);
    if (st == 200) { /* first time: the emulator's sign-in form */
        const char *m = strstr(r.body, "name=\"request\" value=\"");
        if (!m)
            return fprintf(stderr, "no sign-in form\n"), -1;
        m += 22;
        char body[1024];
        snprintf(body, sizeof body, "request=%.*s&email=%s", (int)strcspn(m, "\""), m, email);
        snprintf(url, sizeof url, "%s/login/submit", emu_url);
        st = get(emu, url, NULL, body, &r);
    }
    if (st != 302 || strncmp(r.location, app_url, strlen(app_url)) != 0)
        return fprintf(stderr, "authorize: %ld %s\n", st, r.location), -1;
    snprintf(url, sizeof url, "%s", r.location);
    if (get(app, url, pre, NULL, &r) != 302 || !r.cookie[0] || strcmp(r.cookie, pre) == 0)
        return fprintf(stderr, "callback failed: %.200s\n", r.body), -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: login_roundtrip APP_URL EMU_URL N [email]\n");
        return 2;
    }
    app_url = argv[1];
    emu_url = argv[2];
    int n = atoi(argv[3]);
    email = argc > 4 ? argv[4] : "dave%40smith.com";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    app = curl_easy_init();
    emu = curl_easy_init();
    curl_easy_setopt(emu, CURLOPT_COOKIEFILE, ""); /* the emulator's session cookie */
    curl_easy_setopt(app, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(emu, CURLOPT_TIMEOUT, 20L);
    for (int i = 0; i < 20; i++) /* warm-up: sign-in form, JWKS fetch, connections */
        if (round_trip() != 0)
            return 1;
    double *t = malloc(sizeof *t * (size_t)n);
    double start = now_us();
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (round_trip() != 0)
            return 1;
        t[i] = now_us() - t0;
    }
    double total = now_us() - start;
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("%.0f %.0f %.0f %.0f %.1f\n", t[n / 2], t[(int)(n * 0.99)], t[0], t[n - 1],
           n / (total / 1e6));
    free(t);
    curl_easy_cleanup(app);
    curl_easy_cleanup(emu);
    curl_global_cleanup();
    return 0;
}
