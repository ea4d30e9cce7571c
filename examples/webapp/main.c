/* kinde-webapp: the Kinde Django tutorial's app, in C, with server-side
 * sessions. Options and start-up (the parts every site of web/ shares are
 * web/app_setup.c's); the routes are in routes.c, the HTTP server is
 * serve/web_glue.c, signing in is web/. */
#include <kinde/management.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "forms.h"
#include "web_glue.h"
#include "webhooks.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: kinde-webapp [options]\n");
    web_app_usage(f, 8000, "KINDE_WEBAPP_SESSION_KEY");
    fprintf(f,
            "  --public-url URL       the app's address as browsers see it\n"
            "                         (default http://ADDR:PORT; https gives Secure,\n"
            "                         __Host- cookies)\n"
            "  --webhook-max-age S    refuse webhooks whose timestamp is older than S\n"
            "                         seconds (default 300; 0 = no age check)\n"
            "Kinde settings come from the environment or the dotenv file: KINDE_HOST or\n"
            "KINDE_ISSUER_URL, KINDE_CLIENT_ID, KINDE_CLIENT_SECRET, KINDE_REDIRECT_URL or\n"
            "KINDE_CALLBACK_URL, KINDE_POST_LOGOUT_REDIRECT_URL or KINDE_LOGOUT_URL.\n");
}

/* The routes as serve/web_glue.h calls them. */
static int serve_now(void *cls, const web_request *q, web_response *r)
{
    return app_handle_now(cls, q, r);
}

static void serve_later(void *cls, const web_request *q, web_response *r)
{
    app_handle(cls, q, r);
}

int main(int argc, char **argv)
{
    app a;
    memset(&a, 0, sizeof a);
    web_app_options_init(&a.opt, 8000);
    long webhook_max_age = WEBHOOK_DEFAULT_MAX_AGE;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        int taken = web_app_option(&a.opt, "kinde-webapp", argc, argv, &i);
        if (taken < 0) {
            usage(stderr);
            return 2;
        }
        if (taken)
            continue;
        if (strcmp(o, "--webhook-max-age") == 0 && i + 1 < argc &&
            web_app_parse_long(argv[i + 1], 0, 31536000, &webhook_max_age) == 0) {
            i++;
            continue;
        }
        fprintf(stderr, "kinde-webapp: bad option or value: %s%s%s\n", o, i + 1 < argc ? " " : "",
                i + 1 < argc ? argv[i + 1] : "");
        usage(stderr);
        return 2;
    }
    web_app_site_init(&a.site, &a.opt, "kinde-webapp");
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

    static web_seal_key seal;
    if (web_app_open_store(&a.site, &a.opt, "KINDE_WEBAPP_SESSION_KEY", &seal) != 0)
        return 1;
    serve_web glue = {
        .site = &a.site,
        .handle_now = serve_now,
        .handle = serve_later,
        .cls = &a,
    };
    serve *server = serve_web_start(&glue, "kinde-webapp", a.opt.quiet ? NULL : stderr,
                                    a.opt.bind, a.opt.port, a.opt.workers, web_app_event_threads(&a.opt),
                                    /* Kinde's webhooks whole; the sign-out form
                                     * keeps its own smaller limit (web_signout). */
                                    KINDE_WEBHOOK_BODY_MAX > FORM_BODY_MAX ? KINDE_WEBHOOK_BODY_MAX
                                                                           : FORM_BODY_MAX);
    if (!server) {
        web_app_close_store(&a.site);
        return 1;
    }
    a.opt.port = serve_port(server);

    char *url = web_app_public_url(&a.opt);
    if (!url) {
        fprintf(stderr, "kinde-webapp: out of memory\n");
        serve_stop(server);
        web_app_close_store(&a.site);
        return 1;
    }
    web_app_site_url(&a.site, url, "kinde_session", "__Host-kinde_session");

    kinde_error kerr;
    memset(&kerr, 0, sizeof kerr);
    kinde_client *client = NULL;
    if (web_app_client_new(&a.site, &a.opt, "/callback", &client, &kerr) != KINDE_OK) {
        fprintf(stderr, "kinde-webapp: Kinde configuration: %s\n", kerr.text);
        serve_stop(server);
        web_app_close_store(&a.site);
        free(url);
        return 1;
    }
    /* Before the client is published: no request is answered until then. */
    a.webhooks = webhook_events_new(webhook_max_age);
    if (!a.webhooks) {
        fprintf(stderr, "kinde-webapp: out of memory\n");
        serve_stop(server);
        kinde_client_free(client);
        web_app_close_store(&a.site);
        free(url);
        return 1;
    }
    __atomic_store_n(&a.site.client, client, __ATOMIC_RELEASE);

    if (a.opt.ready_file && web_app_write_ready_file(a.opt.ready_file, a.opt.port) != 0) {
        fprintf(stderr, "kinde-webapp: cannot write %s\n", a.opt.ready_file);
        serve_stop(server);
        webhook_events_free(a.webhooks);
        kinde_client_free(a.site.client);
        web_app_close_store(&a.site);
        free(url);
        return 1;
    }
    if (!a.opt.quiet)
        fprintf(stderr, "kinde-webapp: listening on %s (sessions: %s)\n", url,
                a.site.store->name);

    int sig = 0;
    sigwait(&stop, &sig);
    serve_stop(server);
    webhook_events_free(a.webhooks);
    kinde_client_free(a.site.client);
    web_app_close_store(&a.site);
    web_backoff_destroy(&kinde_backoff);
    free(url);
    return 0;
}
