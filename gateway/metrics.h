/* The gateway's counters and their Prometheus text (GET /metrics on the
 * gateway's own port). Counted atomically from any thread (web_count). */
#ifndef KINDE_GATEWAY_METRICS_H
#define KINDE_GATEWAY_METRICS_H

#include <stddef.h>

#include "site.h"
#include "strbuf.h"

/* What an auth request came to: the result label of
 * kinde_gateway_requests_total. */
typedef enum gw_result {
    GW_ALLOWED,
    GW_PUBLIC,
    GW_NOT_SIGNED_IN,
    GW_FORBIDDEN,   /* 403: rule not met, bad or missing original URI */
    GW_UNAVAILABLE, /* 503: Kinde or the session store */
    GW_RESULTS
} gw_result;

typedef struct gw_metrics {
    unsigned long requests[GW_RESULTS];
    unsigned long reloads_ok, reloads_failed;
    web_counters web;   /* sign-ins, refreshes, store errors: counted by web/ */
} gw_metrics;

/* The text format 0.0.4 of every counter, each with # HELP and # TYPE, and
 * the gauge kinde_gateway_rules (rules in use). */
void gw_metrics_text(const gw_metrics *m, size_t rules, strbuf *out);

#endif
