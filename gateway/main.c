/* kinde-gateway: options, start-up and signals (README.md). The endpoints
 * are routes.c's; what it shares with the demo app (options, store, Kinde
 * client, serving) is web/app_setup.c's and serve/web_glue.c's. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forms.h"
#include "gateway.h"
#include "web_glue.h"

#define NAME "kinde-gateway"
#define KEY_ENV "KINDE_GATEWAY_SESSION_KEY"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " NAME " --public-url URL [options]\n"
            "The authentication server nginx's auth_request asks about every request.\n"
            "  --public-url URL       the protected site as browsers see it (nginx's\n"
            "                         address, e.g. http://127.0.0.1:8080; required);\n"
            "                         https gives Secure, __Host- cookies\n"
            "  --rules FILE           which requests need what (default: every path\n"
            "                         needs a signed-in user)\n"
            "  --prefix PATH          where the gateway's own pages live (default /_kinde/)\n");
    web_app_usage(f, 8090, KEY_ENV);
    fprintf(f,
            "  --pass-access-token    add X-Kinde-Authorization: Bearer <access token> to\n"
            "                         allowed answers\n"
            "  --access-log FILE      one line per request (default: stderr; - for stdout;\n"
            "                         off for none)\n"
            "  --check                load the configuration and rules, print what is wrong\n"
            "                         (FILE:LINE: message) or \"ok: N rules\"; exit 0 or 2\n"
            "  --help                 this text\n"
            "Kinde settings come from the environment or the dotenv file: KINDE_HOST or\n"
            "KINDE_ISSUER_URL, KINDE_CLIENT_ID, KINDE_CLIENT_SECRET, KINDE_REDIRECT_URL\n"
            "(default: the public URL + PREFIX + callback).\n"
            "SIGHUP reloads the rules file (a bad file keeps the old rules); SIGINT and\n"
            "SIGTERM stop.\n");
}

/* http(s)://authority, nothing after it but slashes. */
static int public_url_ok(const char *u)
{
    const char *rest = strncmp(u, "http://", 7) == 0    ? u + 7
                       : strncmp(u, "https://", 8) == 0 ? u + 8
                                                        : NULL;
    if (!rest || !*rest || *rest == '/')
        return 0;
    size_t host = strcspn(rest, "/?#");
    for (size_t i = 0; i < host; i++)
        if (rest[i] <= ' ' || rest[i] == 0x7f || rest[i] == '\\' || rest[i] == '@')
            return 0;
    return rest[host + strspn(rest + host, "/")] == '\0';
}

typedef struct gw_options {
    int check;
    const char *access_log; /* NULL: stderr (none when --quiet) */
} gw_options;

/* The gateway's own options; 1 taken, 0 not one, -1 refused. */
static int gw_option(gateway *g, gw_options *go, int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    if (strcmp(o, "--check") == 0) {
        go->check = 1;
        return 1;
    }
    if (strcmp(o, "--pass-access-token") == 0) {
        g->pass_access_token = 1;
        return 1;
    }
    const char **slot = strcmp(o, "--rules") == 0        ? &g->rules_file
                        : strcmp(o, "--prefix") == 0     ? &g->prefix
                        : strcmp(o, "--access-log") == 0 ? &go->access_log
                                                         : NULL;
    if (!slot)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, NAME ": %s needs a value\n", o);
        return -1;
    }
    *slot = argv[++*i];
    return 1;
}

/* The options; 0 fine, else the exit status (2: usage, 0: --help). */
static int parse(gateway *g, gw_options *go, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return -1;
        }
        int taken = gw_option(g, go, argc, argv, &i);
        if (taken == 0)
            taken = web_app_option(&g->opt, NAME, argc, argv, &i);
        if (taken == 0)
            fprintf(stderr, NAME ": unknown option: %s\n", argv[i]);
        if (taken <= 0) {
            usage(stderr);
            return 2;
        }
    }
    if (!g->opt.public_url) {
        fprintf(stderr, NAME ": --public-url is required (the protected site's address as "
                        "browsers see it, e.g. http://127.0.0.1:8080)\n");
        return 2;
    }
    if (!public_url_ok(g->opt.public_url)) {
        fprintf(stderr, NAME ": --public-url %s: not http(s)://HOST[:PORT]\n", g->opt.public_url);
        return 2;
    }
    if (!gw_prefix_ok(g->prefix)) {
        fprintf(stderr, NAME ": --prefix %s: not a path like /_kinde/ (starts and ends with /, "
                        "letters, digits and -._~)\n", g->prefix);
        return 2;
    }
    return 0;
}

static gw_rules *load_rules(const gateway *g)
{
    char err[512] = "";
    gw_rules *rules = g->rules_file ? gw_rules_load(g->rules_file, err, sizeof err)
                                    : gw_rules_default();
    if (!rules)
        fprintf(stderr, "%s\n", err[0] ? err : "out of memory");
    return rules;
}

/* The routes as serve/web_glue.h calls them. */
static int serve_now(void *cls, const web_request *q, web_response *r)
{
    return gw_handle_now(cls, q, r);
}

static void serve_later(void *cls, const web_request *q, web_response *r)
{
    gw_handle(cls, q, r);
}

/* Serves until SIGINT or SIGTERM, reloading the rules on SIGHUP. */
static int serve_until_stopped(gateway *g, const sigset_t *signals)
{
    static web_seal_key seal;
    if (web_app_open_store(&g->site, &g->opt, KEY_ENV, &seal) != 0)
        return 1;
    serve_web glue = {.site = &g->site, .handle_now = serve_now, .handle = serve_later, .cls = g};
    serve *server = serve_web_start(&glue, NAME, g->opt.quiet ? NULL : stderr, g->opt.bind,
                                    g->opt.port, g->opt.workers, web_app_event_threads(&g->opt),
                                    FORM_BODY_MAX);
    if (!server) {
        web_app_close_store(&g->site);
        return 1;
    }
    g->opt.port = serve_port(server);
    int rc = 0;
    if (g->opt.ready_file && web_app_write_ready_file(g->opt.ready_file, g->opt.port) != 0) {
        fprintf(stderr, NAME ": cannot write %s\n", g->opt.ready_file);
        rc = 1;
    } else {
        if (!g->opt.quiet)
            fprintf(stderr, NAME ": listening on %s%s%.0d for %s (sessions: %s, %zu rules)\n",
                    g->opt.bind, g->opt.port ? ":" : "", g->opt.port, g->site.public_url, g->site.store->name,
                    gw_rules_in_use(g));
        int sig = 0;
        while (sigwait(signals, &sig) == 0 && sig == SIGHUP)
            gw_rules_reload(g);
    }
    serve_stop(server);
    web_app_close_store(&g->site);
    return rc;
}

/* The Kinde client, then --check's answer or the gateway running. */
static int start(gateway *g, const gw_options *go, const char *callback_path,
                 const sigset_t *signals)
{
    kinde_client *client = NULL;
    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    if (web_app_client_new(&g->site, &g->opt, callback_path, &client, &kerr) != KINDE_OK) {
        fprintf(stderr, NAME ": Kinde configuration: %s\n", kerr.text);
        return 2;
    }
    int rc = 1;
    char err[512] = "";
    if (go->check) {
        printf("ok: %zu rules\n", gw_rules_count(g->rules));
        rc = 0;
    } else if (gw_access_log_open(&g->access_log,
                                  go->access_log ? go->access_log : g->opt.quiet ? "off" : NULL,
                                  err, sizeof err) != 0) {
        fprintf(stderr, NAME ": --access-log %s\n", err);
    } else {
        web_backoff kinde_backoff;
        /* After a refresh failed in a way that may pass: 0.5 s, doubling to 5 s. */
        web_backoff_init(&kinde_backoff, 500, 5000);
        g->site.kinde_backoff = &kinde_backoff;
        g->site.client = client;
        rc = serve_until_stopped(g, signals);
        web_backoff_destroy(&kinde_backoff);
        gw_access_log_close(&g->access_log);
    }
    kinde_client_free(client);
    return rc;
}

int main(int argc, char **argv)
{
    /* Blocked from the start, so a SIGHUP sent while starting waits for the
     * loop (and reloads) instead of killing the process; every thread
     * inherits the mask and main alone takes them, with sigwait. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    gateway g;
    memset(&g, 0, sizeof g);
    web_app_options_init(&g.opt, 8090);
    g.prefix = "/_kinde/";
    gw_options go = {0, NULL};
    int st = parse(&g, &go, argc, argv);
    if (st != 0)
        return st < 0 ? 0 : st;
    gw_rules *rules = load_rules(&g);
    if (!rules)
        return 2;
    gw_init(&g, rules);
    web_app_site_init(&g.site, &g.opt, NAME);
    g.site.counters = &g.metrics.web;
    char *url = web_app_public_url(&g.opt);
    strbuf callback;
    strbuf_init(&callback);
    strbuf_addf(&callback, "%scallback", g.prefix);
    int rc = 1;
    if (!url || !strbuf_ok(&callback)) {
        fprintf(stderr, NAME ": out of memory\n");
    } else {
        web_app_site_url(&g.site, url, "kinde_gateway_session", "__Host-kinde_gateway_session");
        rc = start(&g, &go, callback.data, &signals);
    }
    strbuf_free(&callback);
    free(url);
    gw_destroy(&g);
    return rc;
}
