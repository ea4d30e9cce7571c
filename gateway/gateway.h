/* kinde-gateway: the authentication server nginx's auth_request asks about
 * every request (README.md). Its options and the site it signs in with
 * (web/), the rules in use (swapped whole on SIGHUP), its counters and its
 * access log; main.c fills it, routes.c answers with it. */
#ifndef KINDE_GATEWAY_H
#define KINDE_GATEWAY_H

#include <pthread.h>

#include "access_log.h"
#include "app_setup.h"
#include "http.h"
#include "metrics.h"
#include "rules.h"
#include "site.h"

#define GW_PREFIX_MAX 128

typedef struct gateway {
    web_app_options opt;       /* the options every site of web/ takes */
    web_site site;             /* site.client NULL until ready to answer */
    const char *prefix;        /* "/_kinde/": starts and ends with '/' */
    size_t prefix_len;
    const char *rules_file;    /* NULL: gw_rules_default() */
    int pass_access_token;     /* X-Kinde-Authorization on allowed answers */
    gw_metrics metrics;
    gw_access_log access_log;

    /* The rules in use: read under rules_lock's read side for as long as a
     * rule of them is used; replaced under its write side (live_rules.c). */
    pthread_rwlock_t rules_lock;
    gw_rules *rules;
} gateway;

/* live_rules.c. Takes rules (owned from now on); prefix checked
 * (gw_prefix_ok); rules_lock ready. */
void gw_init(gateway *g, gw_rules *rules);
/* Frees the rules and the lock (nothing else: main owns the rest). */
void gw_destroy(gateway *g);
/* Puts rules in use, waits for the requests reading the old ones, frees them. */
void gw_rules_replace(gateway *g, gw_rules *rules);
/* SIGHUP: loads g->rules_file again. 0 replaced (counted ok); -1 the file is
 * bad or unreadable: the old rules stay, FILE:LINE logged, counted failed;
 * 1 no rules file to reload (nothing done). */
int gw_rules_reload(gateway *g);
/* The rules in use, for the gauge (read side taken briefly). */
size_t gw_rules_in_use(gateway *g);

/* 1 when p is a usable --prefix: starts and ends with '/', at most
 * GW_PREFIX_MAX bytes, letters, digits and -._~ in segments, no empty, '.'
 * or '..' segment, not "/" alone. */
int gw_prefix_ok(const char *p);

/* routes.c: every endpoint. Safe from any thread. */
void gw_handle(gateway *g, const web_request *q, web_response *r);
/* On an event thread: answers only what waits on nothing (the auth request
 * with SQLite sessions and a token that needs no refresh; /metrics) and
 * returns 0; else 1 (r to be discarded), to go to gw_handle on a worker. */
int gw_handle_now(gateway *g, const web_request *q, web_response *r);

#endif
