/* libcurl response collection shared by the HTTP clients in bench/. */
#ifndef BENCH_HTTP_H
#define BENCH_HTTP_H

#include <curl/curl.h>
#include <stddef.h>

typedef struct {
    char location[4096];
    char cookie[256]; /* the app's kinde_session value */
    char body[65536];
    size_t body_len;
} bench_resp;

/* CURLOPT_HEADERFUNCTION / CURLOPT_WRITEFUNCTION callbacks; ud is a bench_resp. */
size_t bench_on_header(char *p, size_t size, size_t n, void *ud);
size_t bench_on_body(char *p, size_t size, size_t n, void *ud);

/* One request on h: a GET, or a POST of post when it is not NULL, with
 * "Cookie: kinde_session=<cookie>" when cookie is not NULL. r is emptied
 * first and collects Location, the kinde_session cookie and the body.
 * Returns the status, 0 when the request failed. */
long bench_request(CURL *h, const char *url, const char *cookie, const char *post, bench_resp *r);

/* The value of the emulator sign-in form's hidden "request" field in body,
 * into out; -1 when body is not that form. */
int bench_form_request(const char *body, char *out, size_t cap);

#endif
