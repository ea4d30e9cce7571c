/* The demo app's routes: which page for which request. Signing in and out is
 * the shared layer's (web/signin.h); the HTML is pages.c's; what the server
 * is, serve/web_glue.c's. */
#include <string.h>
#include <time.h>

#include "app.h"
#include "cookies.h"
#include "details.h"
#include "pages.h"
#include "session.h"
#include "signin.h"
#include "static_assets.h"
#include "webhooks.h"

/* An error page with nobody in the navigation bar. */
static void error_page(web_response *r, unsigned status, const char *title, const char *message,
                       const char *reason, int offer_sign_in)
{
    r->status = status;
    r->no_store = 1;
    strbuf_free(&r->body);
    page_error(&r->body, NULL, title, message, reason, offer_sign_in);
}

static void show_failure(web_response *r, const web_failure *f)
{
    error_page(r, f->status, f->title, f->message, f->reason, f->offer_sign_in);
    r->retry_after = f->retry_after;
}

/* Who is signed in, as the navigation bar shows it. */
typedef struct user_view {
    page_user user;
    strbuf full_name;
    char initials[16];
} user_view;

static void user_view_fill(user_view *u, web_session *s)
{
    kinde_user d;
    memset(&d, 0, sizeof d);
    memset(u, 0, sizeof *u);
    strbuf_init(&u->full_name);
    if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d);
    if (d.given_name && d.family_name)
        strbuf_addf(&u->full_name, "%s %s", d.given_name, d.family_name);
    else
        strbuf_adds(&u->full_name, d.given_name    ? d.given_name
                                : d.family_name ? d.family_name
                                : d.email       ? d.email
                                                : "Signed in");
    page_initials(d.given_name, d.family_name, d.email, u->initials, sizeof u->initials);
    u->user.full_name = strbuf_ok(&u->full_name) ? u->full_name.data : "";
    u->user.initials = u->initials;
    u->user.email = d.email;
    u->user.csrf = s->rec.csrf;
}

/* Loads the browser's session and whether it is signed in: 1 signed in,
 * 0 not, -1 the store failed or Kinde could not renew an expired sign-in just
 * now (the 503 page is then in r already; the session is kept);
 * WEB_USER_WOULD_WAIT when now is set and telling would call Kinde (nothing
 * else done). */
static int load_user(app *a, const web_request *q, web_response *r, web_session *s,
                     const char *doing, int now)
{
    store_error err;
    int rc = web_session_signed_in(&a->site, q, r, s, now, &err);
    if (rc < 0) {
        web_failure f;
        web_store_failed(&a->site, &err, doing, &f);
        show_failure(r, &f);
    } else if (rc == WEB_USER_KINDE_DOWN) {
        web_failure f;
        web_kinde_unavailable(&a->site, &f);
        show_failure(r, &f);
        rc = -1;
    }
    return rc;
}


/* The home page. now: on an event thread, where nothing may wait on Kinde;
 * returns 1 (nothing answered) when it would. */
static int route_home(app *a, const web_request *q, web_response *r, int now)
{
    web_session s;
    r->no_store = 1;
    int in = load_user(a, q, r, &s, "showing the home page", now);
    if (in == WEB_USER_WOULD_WAIT) {
        web_session_free(&s);
        return 1;
    }
    if (in >= 0) {
        user_view u;
        if (in)
            user_view_fill(&u, &s);
        page_home(&r->body, in ? &u.user : NULL);
        if (in)
            strbuf_free(&u.full_name);
    }
    web_session_free(&s);
    return 0;
}

static void route_details(app *a, const web_request *q, web_response *r)
{
    web_session s;
    r->no_store = 1;
    int in = load_user(a, q, r, &s, "showing the details page", 0);
    if (in == 0) {
        web_redirect(r, 302, "/login?next=/details");
    } else if (in > 0) {
        user_view u;
        user_view_fill(&u, &s);
        details_page(&a->site, &s, &u.user, a->webhooks, &r->body);
        strbuf_free(&u.full_name);
    }
    web_session_free(&s);
}

static void route_static(const web_request *q, const char *name, web_response *r)
{
    for (const static_asset *s = static_assets; s->name; s++) {
        if (strcmp(s->name, name) != 0)
            continue;
        r->content_type = s->content_type;
        r->etag = s->etag;
        const char *inm = web_header(q, "If-None-Match");
        if (inm && strcmp(inm, s->etag) == 0)
            r->status = 304;
        else
            strbuf_add(&r->body, (const char *)s->data, s->size);
        return;
    }
    error_page(r, 404, "Not found", "There is no such file.", "not_found", 0);
    r->no_store = 0;
}

static int store_is_local(const app *a);

/* Every route; now: on an event thread, answering only what cannot wait
 * on Kinde or a networked store (1: nothing answered, run it on a worker). */
static int app_route(app *a, const web_request *q, web_response *r, int now)
{
    int is_post = strcmp(q->method, "POST") == 0;
    int is_get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    const char *cookie = web_header(q, "Cookie");
    const char *url = q->path;
    web_failure f;
    int refused = 0; /* a sign-in route said no: f is the page */

    if (strlen(q->target) > WEB_TARGET_MAX) {
        error_page(r, 414, "Address too long", "That address is longer than this app accepts.",
                   "uri_too_long", 0);
    } else if (cookie && strlen(cookie) > COOKIE_HEADER_MAX) {
        error_page(r, 431, "Cookies too large",
                   "Your browser sent more cookies than this app accepts. Clearing this "
                   "site's cookies will fix it.", "cookie_too_large", 0);
        web_cookie_clear(&a->site, r);
    } else if (now && !(is_get && (strncmp(url, "/static/", 8) == 0 ||
                                   (strcmp(url, "/") == 0 && store_is_local(a))))) {
        return 1; /* may wait on Kinde or the store */
    } else if (strcmp(url, "/logout") == 0) {
        if (is_post) {
            refused = web_signout(&a->site, q, r, &f);
        } else {
            error_page(r, 405, "Use the Sign out button",
                       "Signing out changes your session, so it only happens through the "
                       "Sign out button (a form with a token), never by following a link.",
                       "method_not_allowed", 0);
            r->allow = "POST";
        }
    } else if (strcmp(url, "/webhooks") == 0) {
        /* Kinde's server, not a browser: the signature authenticates it, so
         * no session and no CSRF token; every other POST still meets the
         * rules of its own route. */
        webhooks_route(&a->site, a->webhooks, q, r);
    } else if (!is_get) {
        error_page(r, 405, "Method not allowed", "This address only answers GET.",
                   "method_not_allowed", 0);
        r->allow = "GET, HEAD";
    } else if (strcmp(url, "/") == 0) {
        if (route_home(a, q, r, now))
            return 1;
    } else if (strcmp(url, "/login") == 0 || strcmp(url, "/register") == 0 ||
               strcmp(url, "/create-org") == 0) {
        /* ?next=/path: where the sign-in ends (web_signin_start checks it). */
        char next[REDIRECT_PATH_MAX + 1];
        int has_next = web_query(q, "next", next, sizeof next) == 1;
        web_login_kind kind = url[1] == 'l' ? WEB_LOGIN : url[1] == 'r' ? WEB_REGISTER
                                                                          : WEB_CREATE_ORG;
        refused = web_signin_start(&a->site, q, r, kind, has_next ? next : NULL, &f);
    } else if (strcmp(url, "/callback") == 0) {
        refused = web_callback(&a->site, q, r, &f);
    } else if (strcmp(url, "/details") == 0) {
        route_details(a, q, r);
    } else if (strcmp(url, "/healthz") == 0) {
        web_health(&a->site, r);
    } else if (strncmp(url, "/static/", 8) == 0) {
        route_static(q, url + 8, r);
    } else {
        error_page(r, 404, "Page not found", "There is nothing at this address.", "not_found", 0);
    }
    if (refused)
        show_failure(r, &f);
    return 0;
}

/* SQLite is a file on this machine: reading a session is a local call that
 * does not wait on the network (Redis' does). */
static int store_is_local(const app *a)
{
    return strcmp(a->site.store->name, "sqlite") == 0;
}

void app_handle(app *a, const web_request *q, web_response *r)
{
    app_route(a, q, r, 0);
}

int app_handle_now(app *a, const web_request *q, web_response *r)
{
    return app_route(a, q, r, 1);
}

