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

#include "http.h"
#include "timing.h"

static CURL *app, *emu;
static const char *app_url, *emu_url, *email;

/* One round trip; 0 when it ended signed in. */
static int round_trip(void)
{
    static bench_resp r;
    char url[4096], pre[256];
    snprintf(url, sizeof url, "%s/login", app_url);
    if (bench_request(app, url, NULL, NULL, &r) != 302 || !r.cookie[0] || !r.location[0])
        return fprintf(stderr, "login: no redirect\n"), -1;
    snprintf(pre, sizeof pre, "%s", r.cookie);
    snprintf(url, sizeof url, "%s", r.location);
    long st = bench_request(emu, url, NULL, NULL, &r);
    if (st == 200) { /* first time: the emulator's sign-in form */
        char req[512], body[1024];
        if (bench_form_request(r.body, req, sizeof req) != 0)
            return fprintf(stderr, "no sign-in form\n"), -1;
        snprintf(body, sizeof body, "request=%s&email=%s", req, email);
        snprintf(url, sizeof url, "%s/login/submit", emu_url);
        st = bench_request(emu, url, NULL, body, &r);
    }
    if (st != 302 || strncmp(r.location, app_url, strlen(app_url)) != 0)
        return fprintf(stderr, "authorize: %ld %s\n", st, r.location), -1;
    snprintf(url, sizeof url, "%s", r.location);
    if (bench_request(app, url, pre, NULL, &r) != 302 || !r.cookie[0] || strcmp(r.cookie, pre) == 0)
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
    int n = (int)strtol(argv[3], NULL, 10);
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
    double start = bench_now_us();
    for (int i = 0; i < n; i++) {
        double t0 = bench_now_us();
        if (round_trip() != 0)
            return 1;
        t[i] = bench_now_us() - t0;
    }
    double total = bench_now_us() - start;
    qsort(t, (size_t)n, sizeof *t, bench_cmp_double);
    printf("%.0f %.0f %.0f %.0f %.1f\n", t[n / 2], t[(int)(n * 0.99)], t[0], t[n - 1],
           n / (total / 1e6));
    free(t);
    curl_easy_cleanup(app);
    curl_easy_cleanup(emu);
    curl_global_cleanup();
    return 0;
}
