#include "site.h"

#include <stdarg.h>
#include <string.h>

void web_log(const web_site *site, const char *fmt, ...)
{
    if (!site->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(site->log);
    fprintf(site->log, "%s: ", site->name ? site->name : "kinde-web");
    vfprintf(site->log, fmt, ap);
    fputc('\n', site->log);
    funlockfile(site->log);
    fflush(site->log);
    va_end(ap);
}

void web_fail(web_failure *f, unsigned status, const char *title, const char *message,
              const char *reason, int offer_sign_in)
{
    f->status = status;
    f->title = title;
    f->message = message;
    snprintf(f->reason, sizeof f->reason, "%s", reason ? reason : "");
    f->offer_sign_in = offer_sign_in;
    f->retry_after = status == 503 ? WEB_RETRY_AFTER_SECONDS : 0;
}

void web_count(unsigned long *counter)
{
    if (counter)
        __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

unsigned long web_counter_get(const unsigned long *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

int web_same_origin(const web_site *site, const web_request *q)
{
    const char *origin = web_header(q, "Origin");
    return !origin || strcmp(origin, site->public_url) == 0;
}

void web_health(const web_site *site, web_response *r)
{
    store_error err;
    int up = store_ping(site->store, &err) == 0;
    if (!up)
        web_log(site, "healthz: session store (%s) down: %s", site->store->name, err.text);
    r->status = up ? 200 : 503;
    r->retry_after = up ? 0 : WEB_RETRY_AFTER_SECONDS;
    r->content_type = "text/plain; charset=utf-8";
    r->no_store = 1;
    strbuf_addf(&r->body, "%s sessions=%s\n", up ? "ok" : "unavailable", site->store->name);
}

int web_store_failed(const web_site *site, const store_error *err, const char *doing,
                      web_failure *f)
{
    web_count(site->counters ? &site->counters->store_errors : NULL);
    web_log(site, "session store (%s) failed while %s: %s", site->store->name, doing,
            err && err->text[0] ? err->text : "no detail");
    web_fail(f, 503, "Sessions are unavailable",
             "Sessions are unavailable right now. Please try again shortly.", "session_store", 0);
    return -1;
}

void web_kinde_unavailable(const web_site *site, web_failure *f)
{
    web_fail(f, 503, "Kinde is briefly unavailable",
             "You are still signed in, but your sign-in could not be renewed just now. "
             "Please try again in a moment.", "kinde_unavailable", 0);
    long wait_ms = web_backoff_wait_ms(site->kinde_backoff);
    f->retry_after = wait_ms > 1000 ? (unsigned)((wait_ms + 999) / 1000) : 1;
}
