/* kinde-webapp: the Kinde Django tutorial's app, in C, with server-side
 * sessions. Options and start-up; the routes are in routes.c, the HTTP
 * server in server.c, signing in in web/. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "webhooks.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kinde-webapp [options]\n"
            "  --port N               listen port (default 8000; 0 = any free port)\n"
            "  --bind ADDR            IPv4 address to listen on (default 127.0.0.1)\n"
            "  --ready-file PATH      write the port there once listening\n"
            "  --data-dir DIR         where the SQLite session file lives (default .)\n"
            "  --sessions SPEC        sqlite (default) or redis://HOST:PORT\n"
            "  --session-key-file F   the server key sealing stored sessions (64 hex\n"
            "                         digits; default DATA_DIR/session.key, made 0600\n"
            "                         at the first start); KINDE_WEBAPP_SESSION_KEY in\n"
            "                         the environment takes precedence\n"
            "  --store-timeout MS     longest a request waits for the session store\n"
            "                         (Redis connect/command, SQLite busy; default 500)\n"
            "  --public-url URL       the app's address as browsers see it\n"
            "                         (default http://ADDR:PORT; https gives Secure,\n"
            "                         __Host- cookies)\n"
            "  --idle-timeout S       end a session after S idle seconds (default 1800)\n"
            "  --absolute-timeout S   end a session S seconds after sign-in (default 43200)\n"
            "  --login-timeout S      time allowed to finish a sign-in (default 600)\n"
            "  --kinde-timeout MS     longest wait for one Kinde request (default 10000)\n"
            "  --env-file PATH        dotenv file for KINDE_* variables (default .env)\n"
            "  --logout-return URL    a URL sign-out may return to (repeatable; must be\n"
            "                         registered with Kinde too)\n"
            "  --webhook-max-age S    refuse webhooks whose timestamp is older than S\n"
            "                         seconds (default 300; 0 = no age check)\n"
            "  --workers N            requests answered at once, each on its own thread\n"
            "                         (default 64; more wait their turn)\n"
            "  --quiet                log nothing but start-up failures\n"
            "Kinde settings come from the environment or the dotenv file: KINDE_HOST or\n"
            "KINDE_ISSUER_URL, KINDE_CLIENT_ID, KINDE_CLIENT_SECRET, KINDE_REDIRECT_URL or\n"
            "KINDE_CALLBACK_URL, KINDE_POST_LOGOUT_REDIRECT_URL or KINDE_LOGOUT_URL.\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int write_ready_file(const char *path, int port)
{
    strbuf tmp;
    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", path);
    FILE *f = strbuf_ok(&tmp) ? fopen(tmp.data, "w") : NULL;
    int rc = -1;
    if (f) {
        fprintf(f, "%d\n", port);
        if (fclose(f) == 0)
            rc = rename(tmp.data, path);
    }
    strbuf_free(&tmp);
    return rc;
}

/* scheme://host[:port] as browsers see the app, no trailing slash: --public-url,
 * else http://ADDR:PORT. NULL when out of memory. */
static char *public_url_of(const char *given, const char *bind, int port)
{
    strbuf b;
    strbuf_init(&b);
    if (given) {
        size_t len = strlen(given);
        while (len > 0 && given[len - 1] == '/')
            len--;
        strbuf_add(&b, given, len);
    } else {
        strbuf_addf(&b, "http://%s:%d", strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : bind, port);
    }
    return strbuf_take(&b, NULL);
}

/* The Kinde client, with the app's own addresses as the defaults for what
 * neither the environment nor the dotenv file says. */
static kinde_code client_new(const app *a, kinde_client **out, kinde_error *err)
{
    strbuf callback, home;
    strbuf_init(&callback);
    strbuf_init(&home);
    strbuf_addf(&callback, "%s/callback", a->site.public_url);
    strbuf_addf(&home, "%s/", a->site.public_url);
    kinde_code rc = KINDE_E_NOMEM;
    if (strbuf_ok(&callback) && strbuf_ok(&home)) {
        kinde_config base;
        kinde_config_init(&base);
        base.callback_url = callback.data;
        base.post_logout_redirect_url = home.data;
        base.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
        base.login_ttl_seconds = a->site.login_ttl;
        base.http_timeout_ms = a->kinde_timeout_ms;
        if (base.connect_timeout_ms > a->kinde_timeout_ms)
            base.connect_timeout_ms = a->kinde_timeout_ms;
        rc = kinde_client_new_from_env(a->env_file, &base, out, err);
    }
    strbuf_free(&callback);
    strbuf_free(&home);
    return rc;
}

int main(int argc, char **argv)
{
    app a;
    memset(&a, 0, sizeof a);
    a.bind = "127.0.0.1";
    a.port = 8000;
    a.data_dir = ".";
    a.sessions = "sqlite";
    a.env_file = ".env";
    a.site.idle_timeout = 1800;
    a.site.absolute_timeout = 43200;
    a.site.login_ttl = 600;
    a.workers = 64;
    a.kinde_timeout_ms = 10000;
    a.store_timeout_ms = STORE_TIMEOUT_MS;
    const char *public_url = NULL;
    const char *key_file = NULL;
    size_t nlogout = 0;
    long webhook_max_age = WEBHOOK_DEFAULT_MAX_AGE;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--quiet") == 0) {
            a.quiet = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "kinde-webapp: %s needs a value\n", o);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(o, "--port") == 0 && parse_long(v, 0, 65535, &n) == 0)
            a.port = (int)n;
        else if (strcmp(o, "--bind") == 0)
            a.bind = v;
        else if (strcmp(o, "--ready-file") == 0)
            a.ready_file = v;
        else if (strcmp(o, "--data-dir") == 0)
            a.data_dir = v;
        else if (strcmp(o, "--sessions") == 0)
            a.sessions = v;
        else if (strcmp(o, "--public-url") == 0)
            public_url = v;
        else if (strcmp(o, "--env-file") == 0)
            a.env_file = v;
        else if (strcmp(o, "--idle-timeout") == 0 && parse_long(v, 1, 31536000, &n) == 0)
            a.site.idle_timeout = n;
        else if (strcmp(o, "--absolute-timeout") == 0 && parse_long(v, 1, 31536000, &n) == 0)
            a.site.absolute_timeout = n;
        else if (strcmp(o, "--login-timeout") == 0 && parse_long(v, 1, 86400, &n) == 0)
            a.site.login_ttl = n;
        else if (strcmp(o, "--workers") == 0 && parse_long(v, 1, 4096, &n) == 0)
            a.workers = (unsigned)n;
        else if (strcmp(o, "--session-key-file") == 0)
            key_file = v;
        else if (strcmp(o, "--store-timeout") == 0 && parse_long(v, 10, 60000, &n) == 0)
            a.store_timeout_ms = n;
        else if (strcmp(o, "--kinde-timeout") == 0 && parse_long(v, 100, 600000, &n) == 0)
            a.kinde_timeout_ms = n;
        else if (strcmp(o, "--webhook-max-age") == 0 && parse_long(v, 0, 31536000, &n) == 0)
            webhook_max_age = n;
        else if (strcmp(o, "--logout-return") == 0 && nlogout < APP_MAX_LOGOUT_URLS)
            a.logout_urls[nlogout++] = v;
        else {
            fprintf(stderr, "kinde-webapp: bad option or value: %s %s\n", o, v);
            usage(stderr);
            return 2;
        }
    }
    a.site.name = "kinde-webapp";
    a.site.log = a.quiet ? NULL : stderr;
    a.site.logout_allow.urls = a.logout_urls;
    a.site.logout_allow.count = nlogout;
    /* After a refresh failed in a way that may pass: 0.5 s before the next
     * try, doubling up to 5 s (web/backoff.h). */
    web_backoff kinde_backoff;
    web_backoff_init(&kinde_backoff, 500, 5000);
    a.site.kinde_backoff = &kinde_backoff;

    /* Threads started below inherit this mask; main waits for the signals. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512] = "";
    /* Files the app makes (sessions, key) are the owner's alone. */
    umask(077);
    if (mkdir(a.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "kinde-webapp: cannot create %s: %s\n", a.data_dir, strerror(errno));
        return 1;
    }
    strbuf default_key;
    strbuf_init(&default_key);
    strbuf_addf(&default_key, "%s/session.key", a.data_dir);
    static web_seal_key seal;
    int keyed = strbuf_ok(&default_key) &&
                seal_key_load(getenv("KINDE_WEBAPP_SESSION_KEY"),
                              key_file ? key_file : default_key.data, &seal, err, sizeof err) == 0;
    strbuf_free(&default_key);
    if (!keyed) {
        fprintf(stderr, "kinde-webapp: %s\n", err[0] ? err : "out of memory");
        return 1;
    }
    a.site.seal = &seal;
    a.site.store = store_open(a.sessions, a.data_dir, a.store_timeout_ms, err, sizeof err);
    if (!a.site.store) {
        fprintf(stderr, "kinde-webapp: session store: %s\n", err);
        return 1;
    }
    if (server_start(&a) != 0) {
        store_close(a.site.store);
        return 1;
    }

    char *url = public_url_of(public_url, a.bind, a.port);
    if (!url) {
        fprintf(stderr, "kinde-webapp: out of memory\n");
        server_stop(&a);
        store_close(a.site.store);
        return 1;
    }
    a.site.public_url = url;
    a.site.secure = strncmp(url, "https://", 8) == 0;
    a.site.cookie_name = a.site.secure ? "__Host-kinde_session" : "kinde_session";

    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    kinde_client *client = NULL;
    if (client_new(&a, &client, &kerr) != KINDE_OK) {
        fprintf(stderr, "kinde-webapp: Kinde configuration: %s\n", kerr.text);
        server_stop(&a);
        store_close(a.site.store);
        free(url);
        return 1;
    }
    /* Before the client is published: no request is answered until then. */
    a.webhooks = webhook_events_new(webhook_max_age);
    if (!a.webhooks) {
        fprintf(stderr, "kinde-webapp: out of memory\n");
        server_stop(&a);
        kinde_client_free(client);
        store_close(a.site.store);
        free(url);
        return 1;
    }
    __atomic_store_n(&a.site.client, client, __ATOMIC_RELEASE);

    if (a.ready_file && write_ready_file(a.ready_file, a.port) != 0) {
        fprintf(stderr, "kinde-webapp: cannot write %s\n", a.ready_file);
        server_stop(&a);
        webhook_events_free(a.webhooks);
        kinde_client_free(a.site.client);
        store_close(a.site.store);
        free(url);
        return 1;
    }
    if (!a.quiet)
        fprintf(stderr, "kinde-webapp: listening on %s (sessions: %s)\n", url,
                a.site.store->name);

    int sig = 0;
    sigwait(&stop, &sig);
    server_stop(&a);
    webhook_events_free(a.webhooks);
    kinde_client_free(a.site.client);
    store_close(a.site.store);
    web_backoff_destroy(&kinde_backoff);
    free(url);
    return 0;
}
