/* What every program that serves a site with web/ sets up the same way: the
 * options they share (address, data directory, session store, timeouts,
 * Kinde), the session key and store, the public URL, the Kinde client and the
 * ready file. The demo app (examples/webapp) and kinde-gateway parse their
 * own options first and hand the rest here, so both read these alike. */
#ifndef KINDE_WEB_APP_SETUP_H
#define KINDE_WEB_APP_SETUP_H

#include <stdio.h>

#include "site.h"

#define WEB_APP_MAX_LOGOUT_URLS 8

typedef struct web_app_options {
    const char *bind;          /* IPv4 address to listen on, or "unix:PATH" */
    int port;                  /* 0 = any free port */
    const char *ready_file;    /* the port is written there once listening */
    const char *data_dir;      /* the SQLite file and session.key */
    const char *sessions;      /* "sqlite" or "redis://host:port" */
    const char *key_file;      /* the server key (NULL: DATA_DIR/session.key) */
    const char *env_file;      /* dotenv for KINDE_* */
    const char *public_url;    /* as given (NULL: not given) */
    long kinde_timeout_ms;     /* the SDK's http_timeout_ms */
    long store_timeout_ms;     /* store.h's budget */
    long idle_timeout, absolute_timeout, login_ttl; /* seconds, for web_site */
    unsigned workers;          /* requests answered at once (serve's workers_max) */
    size_t session_cache;      /* slots of the session cache (0: none) */
    unsigned event_threads;    /* serve's event threads (0: its default) */
    int quiet;
    const char *logout_urls[WEB_APP_MAX_LOGOUT_URLS];
    size_t nlogout;
} web_app_options;

/* The defaults: 127.0.0.1:port, data dir ".", SQLite, .env, 30 min idle,
 * 12 h absolute, 10 min to sign in, 64 workers, Kinde 10 s, store 500 ms,
 * a session cache of SESSION_CACHE_DEFAULT_SLOTS. */
void web_app_options_init(web_app_options *o, int port);

/* argv[*i] if it is one of the shared options: 1 taken (*i moved past its
 * value), 0 not one of them, -1 refused (a line on stderr names it, prog
 * first). */
int web_app_option(web_app_options *o, const char *prog, int argc, char **argv, int *i);

/* The shared options' lines of --help; key_env names the environment
 * variable that overrides --session-key-file. */
void web_app_usage(FILE *f, int default_port, const char *key_env);

/* The event threads to run: --event-threads, else one per core (at most
 * 16). Once a signed-in view is a store read and a cache hit (the session
 * cache), more threads than cores only add wake-ups and a longer tail:
 * BENCHMARKS.md 4 and 10 (demo home page p99 8.6 -> 3.2 ms, the same
 * req/s; gateway 33.9 -> 23.8 us of CPU per answer). */
unsigned web_app_event_threads(const web_app_options *o);

/* The strtol of the options: 0 with *out when s is a whole number in
 * [min, max], else -1. */
int web_app_parse_long(const char *s, long min, long max, long *out);

/* Fills the site from the options: timeouts, logout allow-list, log
 * (stderr unless quiet), name. */
void web_app_site_init(web_site *site, const web_app_options *o, const char *name);

/* The session key and store: the data directory made (0700; files 0600), the
 * key from the environment variable key_env or the key file (made once), the
 * store opened. 0 with site->seal and site->store set; -1 with a line on
 * stderr. seal must outlive the site. */
int web_app_open_store(web_site *site, const web_app_options *o, const char *key_env,
                       web_seal_key *seal);
/* Closes what web_app_open_store opened: the store and the session cache. */
void web_app_close_store(web_site *site);

/* scheme://host[:port] as browsers see the site, no trailing slash:
 * o->public_url, else http://ADDR:PORT. NULL when out of memory. Sets
 * nothing: see web_app_site_url. */
char *web_app_public_url(const web_app_options *o);
/* The site's public URL (owned by the caller, freed after the site), Secure
 * cookies under https, the cookie named name or __Host-name. */
void web_app_site_url(web_site *site, const char *url, const char *cookie_name,
                      const char *secure_cookie_name);

/* The Kinde client from the environment and o->env_file, with the site's
 * own addresses as the defaults neither says: the callback URL + callback_path
 * ("/callback") and the post-logout URL + "/". */
kinde_code web_app_client_new(const web_site *site, const web_app_options *o,
                              const char *callback_path, kinde_client **out, kinde_error *err);

/* Writes "PORT\n" to path through a temporary file renamed over it (a reader
 * never sees a partial file). 0 ok. */
int web_app_write_ready_file(const char *path, int port);

#endif
