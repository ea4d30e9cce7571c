/* kinde-gateway's endpoints (README.md, "Endpoints"): the auth request nginx
 * makes for every request, the sign-in routes under the prefix (web/'s,
 * with the return path chosen here), the pages, /healthz and /metrics. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cookies.h"
#include "forms.h"
#include "gateway.h"
#include "pages.h"
#include "redirects.h"
#include "session.h"
#include "signin.h"


/* A header value built here (names, lists) that does not fit is left out. */
#define HEADER_VALUE_MAX 4096

/* ---- the auth request ---------------------------------------------------- */

/* Header name: value on r, or left out (and logged) when it would carry a
 * control character (G46). NULL or "" values are left out silently: absent
 * claims give no header. */
static void identity_header(const gateway *g, web_response *r, const char *name,
                            const char *value)
{
    if (!value || !*value)
        return;
    if (web_response_header(r, name, value) != 0)
        web_log(&g->site, "auth: %s left out: its value holds a control character", name);
}

/* items joined with ',' into out; 0, or -1 when they do not fit. (memcpy,
 * not snprintf: this runs for nearly every request nginx asks about.) */
static int join(const kinde_strings *items, char *out, size_t outsz)
{
    size_t len = 0;
    for (size_t i = 0; i < items->count; i++) {
        size_t n = strlen(items->items[i]);
        if (len + (i > 0) + n >= outsz)
            return -1;
        if (i > 0)
            out[len++] = ',';
        memcpy(out + len, items->items[i], n);
        len += n;
    }
    out[len] = '\0';
    return 0;
}

static void list_header(const gateway *g, web_response *r, const char *name,
                        const kinde_strings *items)
{
    char v[HEADER_VALUE_MAX];
    if (join(items, v, sizeof v) != 0)
        web_log(&g->site, "auth: %s left out: longer than %d bytes", name, HEADER_VALUE_MAX);
    else
        identity_header(g, r, name, v);
}

/* The user's id: the ID token's sub, else the access token's (the same
 * user: the SDK checks that they match). NULL when neither has one. */
static const char *user_id(const web_session *s, const kinde_user *d)
{
    const char *sub = NULL;
    if (d->id)
        return d->id;
    if (kinde_get_string_claim(s->ks, "sub", KINDE_ACCESS_TOKEN, &sub, NULL) != KINDE_OK)
        return NULL;
    return sub;
}

/* The identity headers of a signed-in session (verified claims only, G43);
 * the user id copied to user for the log. */
static void identity(const gateway *g, const web_session *s, web_response *r, char *user,
                     size_t usersz)
{
    kinde_user d;
    memset(&d, 0, sizeof d);
    if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d);
    const char *id = user_id(s, &d);
    identity_header(g, r, "X-Kinde-User-Id", id);
    snprintf(user, usersz, "%s", id ? id : "");
    identity_header(g, r, "X-Kinde-Email", d.email);
    char name[HEADER_VALUE_MAX];
    snprintf(name, sizeof name, "%s%s%s", d.given_name ? d.given_name : "",
             d.given_name && d.family_name ? " " : "", d.family_name ? d.family_name : "");
    identity_header(g, r, "X-Kinde-Name", name);
    const char *org = NULL;
    if (kinde_get_organization(s->ks, &org, NULL) == KINDE_OK)
        identity_header(g, r, "X-Kinde-Org-Code", org);
    kinde_strings list;
    if (kinde_get_permissions(s->ks, NULL, &list, NULL) == KINDE_OK)
        list_header(g, r, "X-Kinde-Permissions", &list);
    if (kinde_get_roles(s->ks, &list, NULL) == KINDE_OK)
        list_header(g, r, "X-Kinde-Roles", &list);
    const char *token = kinde_session_access_token(s->ks);
    if (g->pass_access_token && token) {
        strbuf bearer;
        strbuf_init(&bearer);
        strbuf_addf(&bearer, "Bearer %s", token);
        if (strbuf_ok(&bearer))
            identity_header(g, r, "X-Kinde-Authorization", bearer.data);
        strbuf_free(&bearer);
    }
}

/* What one request came to, for the access log. */
typedef struct outcome {
    gw_access log;
    char rule[256];
    char user[256];
    char reason[WEB_REASON_SIZE]; /* a failure's reason: it outlives the web_failure */
} outcome;

/* The auth answer: status, X-Kinde-Reason, counted. */
static void decide(gateway *g, web_response *r, outcome *o, unsigned status, const char *reason,
                   gw_result result)
{
    r->status = status;
    o->log.reason = reason;
    web_response_header(r, "X-Kinde-Reason", reason);
    web_count(&g->metrics.requests[result]);
}

/* A method as nginx's $request_method gives it: an upper-case token. */
static int method_ok(const char *m)
{
    if (!*m || strlen(m) > 32)
        return 0;
    for (; *m; m++)
        if (!(*m >= 'A' && *m <= 'Z') && *m != '-' && *m != '_')
            return 0;
    return 1;
}

/* The rule for the request and what it says of this user (user: as
 * web_session_user answered). Holds the rules' read side while it looks. */
static void judge(gateway *g, const char *method, const char *path, const web_session *s, int user,
                  web_response *r, outcome *o)
{
    pthread_rwlock_rdlock(&g->rules_lock);
    const gw_rule *rule = gw_rules_match(g->rules, method, path);
    snprintf(o->rule, sizeof o->rule, "%s", gw_rule_where(rule));
    int is_public = gw_rule_is_public(rule);
    int allowed = user == 1 && !is_public && gw_rule_allows(rule, s->ks);
    pthread_rwlock_unlock(&g->rules_lock);
    o->log.rule = o->rule;

    if (is_public) {
        if (user == 1)
            identity(g, s, r, o->user, sizeof o->user);
        decide(g, r, o, 200, "public", GW_PUBLIC);
    } else if (user == WEB_USER_KINDE_DOWN) {
        /* E41: the session is kept; nginx shows PREFIXunavailable. */
        decide(g, r, o, 503, "kinde_unavailable", GW_UNAVAILABLE);
    } else if (user != 1) {
        decide(g, r, o, 401, "not_signed_in", GW_NOT_SIGNED_IN);
    } else if (allowed) {
        identity(g, s, r, o->user, sizeof o->user);
        decide(g, r, o, 200, "allowed", GW_ALLOWED);
    } else {
        /* Who was refused, for the log only: no identity goes to nginx. */
        kinde_user d;
        memset(&d, 0, sizeof d);
        if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
            memset(&d, 0, sizeof d);
        const char *id = user_id(s, &d);
        snprintf(o->user, sizeof o->user, "%s", id ? id : "");
        decide(g, r, o, 403, "forbidden", GW_FORBIDDEN);
    }
    if (o->user[0])
        o->log.user = o->user;
}

/* GET PREFIXauth. now: on an event thread; returns 1 (nothing answered)
 * when the answer would wait on Kinde. */
static int route_auth(gateway *g, const web_request *q, web_response *r, int now, outcome *o)
{
    r->no_store = 1;
    r->to_program = 1; /* nginx reads it, never a browser: no page headers */
    const char *raw = web_header(q, "X-Original-URI");
    const char *method = web_header(q, "X-Original-Method");
    o->log.endpoint = "auth";
    o->log.method = method;
    o->log.uri = raw;
    if (!raw || !method) {
        /* G45: nginx is not set up as the README says; nothing is let in. */
        web_log(&g->site, "auth: no %s header: is the auth location set up as in the README?",
                raw ? "X-Original-Method" : "X-Original-URI");
        decide(g, r, o, 403, "no_original_uri", GW_FORBIDDEN);
        return 0;
    }
    char path[GW_URI_MAX + 1];
    const char *why = "not a method";
    if (!method_ok(method) || gw_uri_normalize(raw, path, sizeof path, &why) != 0) {
        web_log(&g->site, "auth: original URI or method refused: %s", why);
        decide(g, r, o, 403, "bad_uri", GW_FORBIDDEN);
        return 0;
    }
    web_session s;
    store_error err;
    int user = web_session_signed_in(&g->site, q, r, &s, now, &err);
    if (user == WEB_USER_WOULD_WAIT) {
        web_session_free(&s);
        return 1;
    }
    if (user < 0) {
        web_failure f;
        web_store_failed(&g->site, &err, "answering an auth request", &f);
        decide(g, r, o, 503, "session_store", GW_UNAVAILABLE);
    } else {
        judge(g, method, path, &s, user, r, o);
    }
    web_session_free(&s);
    return 0;
}

/* ---- the sign-in routes and pages ----------------------------------------- */

/* 1 when path (a local path) is the gateway's own: under the prefix once
 * normalised as the rules see paths, or not normalisable at all. */
static int under_prefix(const gateway *g, const char *path)
{
    char norm[GW_URI_MAX + 1];
    const char *why;
    if (gw_uri_normalize(path, norm, sizeof norm, &why) != 0)
        return 1;
    size_t n = g->prefix_len - 1; /* without its trailing '/' */
    return strncmp(norm, g->prefix, n) == 0 && (norm[n] == '\0' || norm[n] == '/');
}

/* Where a sign-in (or a refresh) returns to (G47): ?rd= (or the form's rd
 * field) when given, else X-Kinde-Return-To (nginx's $request_uri: the page
 * the person wanted), else /; and / whenever that is not a local path (E34)
 * or lies under the prefix. */
static const char *return_path(const gateway *g, const web_request *q, int given, char *buf,
                               size_t n)
{
    if (given == 0) {
        const char *h = web_header(q, "X-Kinde-Return-To");
        if (!h || strlen(h) >= n)
            return "/";
        snprintf(buf, n, "%s", h);
    } else if (given < 0) {
        return "/";
    }
    if (strlen(buf) > REDIRECT_PATH_MAX || !redirect_is_local_path(buf) || under_prefix(g, buf))
        return "/";
    return buf;
}

static void show_failure(const gateway *g, web_response *r, const web_failure *f, outcome *o)
{
    r->status = f->status;
    r->retry_after = f->retry_after;
    r->no_store = 1;
    r->content_type = "text/html; charset=utf-8";
    strbuf_free(&r->body);
    gw_page_failure(&r->body, g->prefix, f);
    snprintf(o->reason, sizeof o->reason, "%s", f->reason);
    o->log.reason = o->reason[0] ? o->reason : NULL;
}

static void method_not_allowed(const gateway *g, web_response *r, const char *allow, outcome *o)
{
    web_failure f;
    web_fail(&f, 405, "Method not allowed", "This address does not answer that method.",
             "method_not_allowed", 0);
    show_failure(g, r, &f, o);
    r->allow = allow;
}

/* Loads the browser's session for a page: 1 signed in (s loaded), 0 not,
 * -1 the store failed (the 503 page is in r). Kinde is not asked: a page
 * only shows who holds the session. */
static int page_session(gateway *g, const web_request *q, web_response *r, web_session *s,
                        const char *doing, outcome *o)
{
    store_error err;
    int loaded = web_session_load(&g->site, q, r, s, &err);
    if (loaded < 0) {
        web_failure f;
        web_store_failed(&g->site, &err, doing, &f);
        show_failure(g, r, &f, o);
        return -1;
    }
    return loaded > 0 && s->rec.signed_in;
}

/* The page's view of who is signed in; the name in name[]. */
static void page_user_of(const gateway *g, const web_session *s, gw_page_user *u, char *name,
                         size_t namesz, char *return_to, size_t rtsz)
{
    kinde_user d;
    memset(&d, 0, sizeof d);
    if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d);
    snprintf(name, namesz, "%s%s%s", d.given_name ? d.given_name : "",
             d.given_name && d.family_name ? " " : "", d.family_name ? d.family_name : "");
    u->name = name[0] ? name : NULL;
    u->email = d.email;
    u->csrf = s->rec.csrf;
    /* Back to the gateway's "signed out" page after Kinde's logout, when
     * that address is registered (--logout-return). */
    snprintf(return_to, rtsz, "%s%ssign-out", g->site.public_url, g->prefix);
    u->return_to = redirect_listed(&g->site.logout_allow, return_to) ? return_to : NULL;
}

/* GET PREFIXsign-out (the confirmation) and GET PREFIXforbidden. */
static void route_page(gateway *g, const web_request *q, web_response *r, int forbidden,
                       outcome *o)
{
    web_session s;
    r->no_store = 1;
    int in = page_session(g, q, r, &s, forbidden ? "showing the forbidden page"
                                                  : "showing the sign-out page", o);
    if (in >= 0) {
        gw_page_user u;
        char name[512], return_to[1024], rd_buf[REDIRECT_PATH_MAX + 1];
        if (in)
            page_user_of(g, &s, &u, name, sizeof name, return_to, sizeof return_to);
        if (forbidden) {
            int given = web_query(q, "rd", rd_buf, sizeof rd_buf);
            const char *rd = return_path(g, q, given, rd_buf, sizeof rd_buf);
            r->status = 403;
            o->log.reason = "forbidden";
            gw_page_forbidden(&r->body, g->prefix, in ? &u : NULL, rd);
        } else {
            gw_page_sign_out(&r->body, g->prefix, in ? &u : NULL);
        }
    }
    web_session_free(&s);
}

/* POST PREFIXrefresh: new tokens now (a permission just granted), then back
 * to rd. CSRF token and Origin checked (G48). */
static void route_refresh(gateway *g, const web_request *q, web_response *r, outcome *o)
{
    r->no_store = 1;
    web_failure f;
    if (q->body_too_big) {
        web_fail(&f, 413, "Request too large", "That form was larger than this site accepts.",
                 "body_too_large", 0);
        show_failure(g, r, &f, o);
        return;
    }
    char rd_buf[REDIRECT_PATH_MAX + 1];
    const char *body = q->body ? q->body : "";
    int given = form_get(body, q->body_len, "rd", rd_buf, sizeof rd_buf);
    const char *rd = return_path(g, q, given, rd_buf, sizeof rd_buf);
    web_session s;
    int in = page_session(g, q, r, &s, "refreshing a session", o);
    if (in < 0) {
        web_session_free(&s);
        return;
    }
    if (!in) {
        /* Nothing to refresh: sign in, then back to rd. */
        strbuf to;
        strbuf_init(&to);
        strbuf_addf(&to, "%ssign-in?rd=", g->prefix);
        strbuf_add_urlenc(&to, rd);
        web_redirect(r, 303, strbuf_ok(&to) ? to.data : "/");
        strbuf_free(&to);
        web_session_free(&s);
        return;
    }
    if (!web_session_csrf_ok(&g->site, q, &s)) {
        web_session_free(&s);
        web_fail(&f, 403, "Refresh refused",
                 "This request did not come from a page of this site, so nothing was changed.",
                 "csrf", 0);
        show_failure(g, r, &f, o);
        return;
    }
    store_error err;
    int user = web_session_refresh(&g->site, &s, r, &err);
    web_session_free(&s);
    if (user < 0) {
        web_store_failed(&g->site, &err, "saving refreshed tokens", &f);
        show_failure(g, r, &f, o);
    } else if (user == WEB_USER_KINDE_DOWN) {
        web_kinde_unavailable(&g->site, &f);
        show_failure(g, r, &f, o);
    } else if (user == 0) {
        /* Kinde ended the session: sign in again (the cookie is cleared). */
        web_fail(&f, 401, "Please sign in again", "Your session has ended.", "session_expired", 1);
        show_failure(g, r, &f, o);
    } else {
        web_redirect(r, 303, rd);
    }
}

/* GET PREFIXsign-in, register, create-org. */
static int route_sign_in(gateway *g, const web_request *q, web_response *r, web_login_kind kind,
                         web_failure *f)
{
    char rd_buf[REDIRECT_PATH_MAX + 1];
    int given = web_query(q, "rd", rd_buf, sizeof rd_buf);
    const char *rd = return_path(g, q, given, rd_buf, sizeof rd_buf);
    return web_signin_start(&g->site, q, r, kind, rd, f);
}

static void route_metrics(gateway *g, web_response *r)
{
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    r->no_store = 1;
    gw_metrics_text(&g->metrics, gw_rules_in_use(g), &r->body);
}

/* GET PREFIXunavailable: where nginx sends a 5xx of the auth request. */
static void route_unavailable(const gateway *g, web_response *r, outcome *o)
{
    r->status = 503;
    r->retry_after = WEB_RETRY_AFTER_SECONDS;
    r->no_store = 1;
    o->log.reason = "unavailable";
    gw_page_unavailable(&r->body, g->prefix);
}

/* ---- dispatch ----------------------------------------------------------- */

/* The sign-in endpoints under the prefix: 1 with *kind for one of them. */
static int login_kind(const char *sub, web_login_kind *kind)
{
    static const struct {
        const char *name;
        web_login_kind kind;
    } kinds[] = {{"sign-in", WEB_LOGIN}, {"register", WEB_REGISTER}, {"create-org", WEB_CREATE_ORG}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(sub, kinds[i].name) == 0) {
            *kind = kinds[i].kind;
            return 1;
        }
    return 0;
}

/* The endpoints under the prefix that only answer GET (and HEAD). */
static int is_known_get(const char *sub)
{
    web_login_kind kind;
    return login_kind(sub, &kind) || strcmp(sub, "callback") == 0 ||
           strcmp(sub, "forbidden") == 0 || strcmp(sub, "unavailable") == 0;
}

static int store_is_local(const gateway *g)
{
    return strcmp(g->site.store->name, "sqlite") == 0;
}

static long micros_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* Every endpoint; now: on an event thread (1: nothing answered). */
static int route(gateway *g, const web_request *q, web_response *r, int now)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    outcome o;
    memset(&o, 0, sizeof o);
    o.log.method = q->method;
    /* The path only: a query here may hold a one-time code (the callback). */
    o.log.uri = q->path;
    const char *path = q->path;
    const char *sub = strncmp(path, g->prefix, g->prefix_len) == 0 ? path + g->prefix_len : NULL;
    int is_get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    int is_post = strcmp(q->method, "POST") == 0;
    const char *cookie = web_header(q, "Cookie");
    web_failure f;
    int refused = 0;

    if (sub && strcmp(sub, "auth") == 0 && (!now || store_is_local(g))) {
        if (route_auth(g, q, r, now, &o))
            return 1;
    } else if (now && !(is_get && strcmp(path, "/metrics") == 0)) {
        return 1; /* may wait on Kinde or the store */
    } else if (strlen(q->target) > WEB_TARGET_MAX) {
        web_fail(&f, 414, "Address too long", "That address is longer than this site accepts.",
                 "uri_too_long", 0);
        refused = 1;
    } else if (cookie && strlen(cookie) > COOKIE_HEADER_MAX) {
        web_fail(&f, 431, "Cookies too large",
                 "Your browser sent more cookies than this site accepts. Clearing this site's "
                 "cookies will fix it.", "cookie_too_large", 0);
        web_cookie_clear(&g->site, r);
        refused = 1;
    } else if (!sub) {
        o.log.endpoint = path + 1;
        if (is_get && strcmp(path, "/healthz") == 0) {
            web_health(&g->site, r);
        } else if (is_get && strcmp(path, "/metrics") == 0) {
            route_metrics(g, r);
        } else {
            o.log.endpoint = NULL;
            web_fail(&f, 404, "Not found", "There is nothing at this address.", "not_found", 0);
            refused = 1;
        }
    } else {
        o.log.endpoint = sub;
        web_login_kind kind;
        if (strcmp(sub, "sign-out") == 0) {
            if (is_post)
                refused = web_signout(&g->site, q, r, &f);
            else if (is_get)
                route_page(g, q, r, 0, &o);
            else
                method_not_allowed(g, r, "GET, HEAD, POST", &o);
        } else if (strcmp(sub, "refresh") == 0) {
            if (is_post)
                route_refresh(g, q, r, &o);
            else
                method_not_allowed(g, r, "POST", &o);
        } else if (!is_known_get(sub)) {
            o.log.endpoint = NULL;
            web_fail(&f, 404, "Not found", "There is nothing at this address.", "not_found", 0);
            refused = 1;
        } else if (!is_get) {
            /* nginx makes the internal redirects to these GET anyway. */
            method_not_allowed(g, r, "GET, HEAD", &o);
        } else if (login_kind(sub, &kind)) {
            refused = route_sign_in(g, q, r, kind, &f);
        } else if (strcmp(sub, "callback") == 0) {
            refused = web_callback(&g->site, q, r, &f);
        } else if (strcmp(sub, "forbidden") == 0) {
            route_page(g, q, r, 1, &o);
        } else {
            route_unavailable(g, r, &o);
        }
    }
    if (refused)
        show_failure(g, r, &f, &o);
    o.log.status = r->status;
    o.log.us = micros_since(&t0);
    gw_access_log_write(&g->access_log, &o.log);
    return 0;
}

void gw_handle(gateway *g, const web_request *q, web_response *r)
{
    route(g, q, r, 0);
}

int gw_handle_now(gateway *g, const web_request *q, web_response *r)
{
    return route(g, q, r, 1);
}
