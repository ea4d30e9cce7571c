/* The demo app's shared state: configuration, the Kinde client, the store. */
#ifndef WEBAPP_APP_H
#define WEBAPP_APP_H

#include <kinde/kinde.h>

#include "redirects.h"
#include "store.h"

#define APP_MAX_LOGOUT_URLS 8

typedef struct app {
    /* options */
    const char *bind;
    int port;                  /* 0 = any free port; the bound one after server_start */
    const char *ready_file;
    const char *data_dir;
    const char *sessions;      /* "sqlite" or "redis://host:port" */
    const char *env_file;
    char public_url[512];      /* scheme://host[:port], no trailing slash */
    long idle_timeout;         /* seconds without a request before a session ends */
    long absolute_timeout;     /* seconds after sign-in at which a session ends */
    long login_ttl;            /* seconds a pending login may take */
    int quiet;

    /* derived */
    int secure;                /* public URL is https: Secure + __Host- cookie */
    const char *cookie_name;
    const char *logout_urls[APP_MAX_LOGOUT_URLS];
    redirect_list logout_allow; /* where sign-out may return to (exact URLs) */

    kinde_client *client;
    store *store;
    void *daemon;              /* struct MHD_Daemon * */
} app;

/* Starts the HTTP server (threads of its own) and sets a->port. 0 ok. */
int server_start(app *a);
void server_stop(app *a);

#endif
