/* Item 6: how many logins per second the emulator's token endpoint issues.
 * A login here is one authorization-code exchange: the emulator checks the
 * code and signs an access token and an ID token (two RSA-2048 signatures).
 *   1. sign in once (the emulator's form), keeping its session cookie;
 *   2. collect N codes through /oauth2/auth (the session skips the form);
 *   3. exchange them on THREADS keep-alive connections at once, timed.
 * Prints: logins_per_second seconds N
 *   usage: token_rate EMU_URL N THREADS */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "timing.h"

#define CLIENT_ID "kinde_demo_client"
#define CLIENT_SECRET "kinde_demo_secret"
#define REDIRECT_ENC "http%%3A%%2F%%2F127.0.0.1%%3A8000%%2Fcallback" /* in a format */

/* The code= parameter of a callback URL, into out. */
static int code_of(const char *location, char *out, size_t cap)
{
    const char *c = strstr(location, "?code=");
    if (!c)
        c = strstr(location, "&code=");
    if (!c)
        return -1;
    c += 6;
    size_t n = strcspn(c, "&");
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, c, n);
    out[n] = '\0';
    return 0;
}

static const char *emu_url;
static char (*codes)[256];
static int n_codes, n_threads, failures;

static void *exchange(void *arg)
{
    int t = (int)(long)arg;
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    bench_resp *r = malloc(sizeof *r);
    char url[512], body[1024];
    snprintf(url, sizeof url, "%s/oauth2/token", emu_url);
    for (int i = t; i < n_codes; i += n_threads) {
        snprintf(body, sizeof body,
                 "grant_type=authorization_code&code=%s&redirect_uri=" REDIRECT_ENC
                 "&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET,
                 codes[i]);
        if (bench_request(h, url, NULL, body, r) != 200 || !strstr(r->body, "\"id_token\"")) {
            fprintf(stderr, "token exchange failed: %.200s\n", r->body);
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    free(r);
    curl_easy_cleanup(h);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: token_rate EMU_URL N THREADS\n");
        return 2;
    }
    emu_url = argv[1];
    n_codes = (int)strtol(argv[2], NULL, 10);
    n_threads = (int)strtol(argv[3], NULL, 10);
    if (n_codes < 1 || n_threads < 1 || n_threads > 64)
        return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* keeps the emulator's session cookie */
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    bench_resp *r = malloc(sizeof *r);
    char auth[1024];
    snprintf(auth, sizeof auth,
             "%s/oauth2/auth?response_type=code&client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC
             "&scope=openid%%20profile%%20email%%20offline&state=benchstate0123456789",
             emu_url);
    long st = bench_request(h, auth, NULL, NULL, r);
    if (st == 200) { /* the sign-in form, once */
        char req[256], body[512], url[512];
        if (bench_form_request(r->body, req, sizeof req) != 0)
            return fprintf(stderr, "no sign-in form\n"), 1;
        snprintf(body, sizeof body, "request=%s&email=dave%%40smith.com", req);
        snprintf(url, sizeof url, "%s/login/submit", emu_url);
        st = bench_request(h, url, NULL, body, r);
    }
    codes = calloc((size_t)n_codes, sizeof *codes);
    if (st != 302 || code_of(r->location, codes[0], sizeof codes[0]) != 0)
        return fprintf(stderr, "sign-in failed: %ld %s\n", st, r->location), 1;
    /* codes[0] came from the form; the rest through the emulator session. */
    for (int i = 1; i < n_codes; i++)
        if (bench_request(h, auth, NULL, NULL, r) != 302 || code_of(r->location, codes[i], sizeof codes[i]) != 0)
            return fprintf(stderr, "authorize failed at %d: %s\n", i, r->location), 1;
    free(r);
    curl_easy_cleanup(h);

    pthread_t th[64];
    double t0 = bench_now_us();
    for (int t = 0; t < n_threads; t++)
        pthread_create(&th[t], NULL, exchange, (void *)(long)t);
    for (int t = 0; t < n_threads; t++)
        pthread_join(th[t], NULL);
    double dt = (bench_now_us() - t0) / 1e6;
    if (failures)
        return 1;
    printf("%.1f %.3f %d\n", n_codes / dt, dt, n_codes);
    free(codes);
    curl_global_cleanup();
    return 0;
}
