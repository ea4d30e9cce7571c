/* Routing and the request life cycle: which page, which session, which
 * headers. HTML is pages.c's business, storage store.h's. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app.h"
#include "buf.h"
#include "cookies.h"
#include "forms.h"
#include "pages.h"
#include "record.h"
#include "static_assets.h"

#define URI_MAX 4096
#define KEY_PREFIX "s:"

/* Per-request state, created by the URI logger before headers are parsed. */
typedef struct request {
    char *uri;          /* the raw request target, query included */
    buf body;           /* POST body, up to FORM_BODY_MAX */
    int body_too_big;
    int started;        /* the first call (headers only) has been seen */
} request;

/* One answer, assembled by a handler and sent by reply_send(). */
typedef struct reply {
    unsigned status;
    buf body;
    const char *content_type;
    char *location;       /* owned */
    buf cookie;           /* a Set-Cookie value, when len > 0 */
    int no_store;         /* the page shows session data */
    int no_referrer;      /* the callback: its URL held a code */
    const char *allow;    /* for 405 */
    const char *etag;     /* static files: validator and long caching */
} reply;

/* The browser's session, as loaded from the store. */
typedef struct session {
    char id[TOKEN_SIZE];
    webapp_record rec;
    kinde_session *ks;
    int loaded;
} session;

static const char *const seed_permissions[] = {"create:todos", "update:todos", "read:todos",
                                               "delete:todos"};

/* ------------------------------------------------------------------------ */

static void reply_init(reply *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body);
    buf_init(&r->cookie);
    r->status = MHD_HTTP_OK;
    r->content_type = "text/html; charset=utf-8";
}

static void reply_free(reply *r)
{
    buf_free(&r->body);
    buf_free(&r->cookie);
    free(r->location);
}

static void reply_redirect(reply *r, unsigned status, const char *location)
{
    r->status = status;
    free(r->location);
    r->location = strdup(location);
}

static enum MHD_Result reply_send(struct MHD_Connection *c, reply *r)
{
    size_t len = 0;
    char *body = buf_take(&r->body, &len);
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(body);
        reply_free(r);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (strncmp(r->content_type, "text/html", 9) == 0) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; img-src 'self' https: data:;"
                                " base-uri 'none'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    MHD_add_response_header(resp, "Referrer-Policy",
                            r->no_referrer ? "no-referrer" : "same-origin");
    if (r->no_store) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
    }
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->cookie.len)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookie.data);
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->etag) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
    }
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    reply_free(r);
    return ret;
}

static void error_page(reply *r, unsigned status, const char *title, const char *message,
                       const char *reason, int offer_sign_in)
{
    r->status = status;
    r->no_store = 1;
    page_error(&r->body, NULL, title, message, reason, offer_sign_in);
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */

static void session_init(session *s)
{
    memset(s, 0, sizeof *s);
}

static void session_free(session *s)
{
    record_free(&s->rec);
    kinde_session_free(s->ks);
    s->ks = NULL;
    s->loaded = 0;
}

static void store_key(char *out, size_t n, const char *id)
{
    snprintf(out, n, KEY_PREFIX "%s", id);
}

static void cookie_clear(app *a, reply *r)
{
    buf_free(&r->cookie);
    cookie_format(&r->cookie, a->cookie_name, "", a->secure, 0);
}

static void cookie_issue(app *a, reply *r, const char *id)
{
    buf_free(&r->cookie);
    cookie_format(&r->cookie, a->cookie_name, id, a->secure, -1);
}

/* Seconds the record may still live in the store. */
static long record_ttl(app *a, const webapp_record *rec, int64_t now)
{
    if (!rec->signed_in)
        return a->login_ttl;
    long left = a->absolute_timeout - (long)(now - rec->created);
    return left < a->idle_timeout ? (left > 1 ? left : 1) : a->idle_timeout;
}

static int session_save(app *a, const char *id, const webapp_record *rec)
{
    buf b;
    buf_init(&b);
    record_encode(rec, &b);
    char key[64];
    store_key(key, sizeof key, id);
    int rc = buf_ok(&b) ? store_put(a->store, key, b.data, b.len, record_ttl(a, rec, time(NULL)))
                        : -1;
    if (b.data)
        memset(b.data, 0, b.len);
    buf_free(&b);
    return rc;
}

static void session_drop(app *a, const char *id)
{
    char key[64];
    store_key(key, sizeof key, id);
    store_delete(a->store, key);
}

/* Loads the browser's session: 1 loaded, 0 none (no cookie, unknown id,
 * expired: never adopted), -1 the store failed. An expired record is deleted
 * and its cookie cleared. */
static int session_load(app *a, struct MHD_Connection *c, reply *r, session *s)
{
    session_init(s);
    const char *hdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
    if (!hdr)
        return 0;
    if (cookie_find(hdr, strlen(hdr), a->cookie_name, s->id, sizeof s->id) != 1 ||
        !token_is_wellformed(s->id))
        return 0;
    char key[64], *data = NULL;
    size_t len = 0;
    store_key(key, sizeof key, s->id);
    int found = store_get(a->store, key, &data, &len);
    if (found <= 0) {
        if (found == 0)
            cookie_clear(a, r);
        return found;
    }
    int bad = record_decode(data, len, &s->rec);
    memset(data, 0, len);
    free(data);
    int64_t now = time(NULL);
    int expired = s->rec.signed_in
                      ? (now - s->rec.seen > a->idle_timeout ||
                         now - s->rec.created > a->absolute_timeout)
                      : now - s->rec.created > a->login_ttl;
    if (bad || expired ||
        kinde_session_deserialize(s->rec.kinde, s->rec.kinde_len, &s->ks, NULL) != KINDE_OK) {
        session_drop(a, s->id);
        cookie_clear(a, r);
        session_free(s);
        return 0;
    }
    s->loaded = 1;
    /* Sliding idle timeout; written at most every tenth of it, not per request. */
    long touch = a->idle_timeout / 10 < 60 ? a->idle_timeout / 10 : 60;
    if (s->rec.signed_in && now - s->rec.seen >= touch) {
        s->rec.seen = now;
        session_save(a, s->id, &s->rec);
    }
    return 1;
}

/* Writes the session back after the SDK changed it (a refresh). */
static int session_resave(app *a, session *s)
{
    char *data = NULL;
    if (kinde_session_serialize(s->ks, &data, NULL) != KINDE_OK)
        return -1;
    record_free(&s->rec);
    s->rec.kinde = strdup(data);
    s->rec.kinde_len = strlen(data);
    kinde_free(data);
    return s->rec.kinde ? session_save(a, s->id, &s->rec) : -1;
}

/* A signed-in user: the session is loaded, signed in and its tokens valid
 * (refreshed if needed). Fills the navigation bar's view. */
typedef struct user_view {
    page_user user;
    char full_name[512];
    char initials[16];
} user_view;

static int signed_in(app *a, session *s, reply *r, user_view *u)
{
    if (!s->loaded || !s->rec.signed_in)
        return 0;
    int64_t before = kinde_session_expires_at(s->ks);
    if (!kinde_is_authenticated(a->client, s->ks, NULL)) {
        session_drop(a, s->id);
        cookie_clear(a, r);
        return 0;
    }
    if (kinde_session_expires_at(s->ks) != before)
        session_resave(a, s);
    kinde_user d;
    memset(&d, 0, sizeof d);
    memset(u, 0, sizeof *u);
    if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d);
    if (d.given_name && d.family_name)
        snprintf(u->full_name, sizeof u->full_name, "%s %s", d.given_name, d.family_name);
    else
        snprintf(u->full_name, sizeof u->full_name, "%s",
                 d.given_name ? d.given_name
                 : d.family_name ? d.family_name
                 : d.email ? d.email : "Signed in");
    page_initials(d.given_name, d.family_name, d.email, u->initials, sizeof u->initials);
    u->user.full_name = u->full_name;
    u->user.initials = u->initials;
    u->user.email = d.email;
    u->user.csrf = s->rec.csrf;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Routes                                                                   */

static void route_home(app *a, struct MHD_Connection *c, reply *r)
{
    session s;
    user_view u;
    session_load(a, c, r, &s);
    r->no_store = 1;
    page_home(&r->body, signed_in(a, &s, r, &u) ? &u.user : NULL);
    session_free(&s);
}

enum login_kind { LOGIN, REGISTER, CREATE_ORG };

static void route_login(app *a, struct MHD_Connection *c, reply *r, enum login_kind kind)
{
    session s;
    user_view u;
    r->no_store = 1;
    int loaded = session_load(a, c, r, &s);
    const char *next = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next");
    if (next && !redirect_is_local_path(next))
        next = NULL;
    if (loaded > 0 && signed_in(a, &s, r, &u)) {
        reply_redirect(r, MHD_HTTP_FOUND, next ? next : "/");
        session_free(&s);
        return;
    }
    /* Whatever the browser held is replaced: a login always gets a new id. */
    if (s.loaded)
        session_drop(a, s.id);
    session_free(&s);

    webapp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.created = rec.seen = time(NULL);
    if (next)
        snprintf(rec.next, sizeof rec.next, "%s", next);
    char id[TOKEN_SIZE];
    kinde_session *ks = kinde_session_new();
    kinde_auth_params params;
    memset(&params, 0, sizeof params);
    const char *org_name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "org_name");
    if (kind == CREATE_ORG && org_name && *org_name && strlen(org_name) <= 200)
        params.org_name = org_name;
    char *url = NULL, *data = NULL;
    kinde_error err;
    memset(&err, 0, sizeof err);
    kinde_code rc = KINDE_E_NOMEM;
    if (ks && token_new(id) == 0 && token_new(rec.csrf) == 0) {
        rc = kind == LOGIN      ? kinde_get_login_url(a->client, ks, &params, &url, &err)
             : kind == REGISTER ? kinde_get_register_url(a->client, ks, &params, &url, &err)
                                : kinde_get_create_org_url(a->client, ks, &params, &url, &err);
        if (rc == KINDE_OK)
            rc = kinde_session_serialize(ks, &data, &err);
    }
    if (rc == KINDE_OK) {
        rec.kinde = data;
        rec.kinde_len = strlen(data);
        if (session_save(a, id, &rec) != 0)
            rc = KINDE_E_NOMEM;
        rec.kinde = NULL;
    }
    if (rc == KINDE_OK) {
        cookie_issue(a, r, id);
        reply_redirect(r, MHD_HTTP_FOUND, url);
    } else {
        if (!a->quiet)
            fprintf(stderr, "kinde-webapp: cannot start a login: %s %s\n", kinde_code_name(rc),
                    err.text);
        error_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "We could not start signing you in",
                   "The app could not prepare your sign-in. Please try again in a moment.",
                   rc == KINDE_OK ? "session_store" : kinde_code_name(rc), 0);
    }
    kinde_free(url);
    kinde_free(data);
    kinde_session_free(ks);
}

/* What a failed callback tells the person, by SDK error code. */
static void callback_failure(reply *r, kinde_code rc, const kinde_error *err)
{
    unsigned status = MHD_HTTP_BAD_REQUEST;
    const char *title = "Sign-in did not complete";
    const char *message = "Something about this sign-in was not right. Please start again.";
    const char *reason = err->oauth_error[0] ? err->oauth_error : kinde_code_name(rc);
    switch (rc) {
    case KINDE_E_LOGIN_REQUIRED:
        status = MHD_HTTP_UNAUTHORIZED;
        title = "Please sign in";
        message = "Kinde needs you to sign in before you can continue.";
        reason = "login_required";
        break;
    case KINDE_E_ACCESS_DENIED:
        status = MHD_HTTP_FORBIDDEN;
        title = "Access denied";
        message = "Kinde did not grant this app access to your account.";
        reason = "access_denied";
        break;
    case KINDE_E_AUTHORIZATION:
        title = "Kinde could not sign you in";
        message = "Kinde reported a problem with this sign-in.";
        break;
    case KINDE_E_STATE:
        title = "This sign-in link has expired";
        message = "The sign-in took too long, was already used, or did not start here.";
        reason = "invalid_state";
        break;
    case KINDE_E_CALLBACK:
    case KINDE_E_ISSUER_MISMATCH:
        title = "This sign-in answer is not valid";
        message = "The answer from Kinde was malformed or came from the wrong place.";
        break;
    case KINDE_E_HTTP:
    case KINDE_E_HTTP_STATUS:
    case KINDE_E_JWKS:
    case KINDE_E_BAD_RESPONSE:
        status = MHD_HTTP_BAD_GATEWAY;
        title = "Kinde is not answering";
        message = "We could not reach Kinde to finish signing you in. Please try again soon.";
        reason = "kinde_unavailable";
        break;
    default:
        break;
    }
    error_page(r, status, title, message, reason, 1);
}

static void route_callback(app *a, struct MHD_Connection *c, request *q, reply *r)
{
    session s;
    user_view u;
    r->no_store = 1;
    r->no_referrer = 1;
    int loaded = session_load(a, c, r, &s);
    if (loaded < 0) {
        error_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sessions are unavailable",
                   "The app cannot reach its session store. Please try again in a moment.",
                   "session_store", 0);
        return;
    }
    if (loaded > 0 && s.rec.signed_in) {
        /* Back button onto an old callback: nothing to finish. */
        if (signed_in(a, &s, r, &u))
            reply_redirect(r, MHD_HTTP_FOUND, "/");
        else
            error_page(r, MHD_HTTP_BAD_REQUEST, "Sign-in did not complete",
                       "Your session has ended. Please sign in again.", "session_expired", 1);
        session_free(&s);
        r->no_referrer = 1;
        return;
    }
    const char *kerr = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "error");
    if (loaded == 0) {
        error_page(r, MHD_HTTP_BAD_REQUEST,
                   kerr ? "Kinde could not sign you in" : "We lost track of this sign-in",
                   "This browser has no sign-in in progress here (it expired, was already "
                   "completed, or did not start in this app).",
                   kerr && strlen(kerr) < 64 ? kerr : "unknown_session", 1);
        return;
    }
    /* The callback URL carries the code: one exact block, wiped after use. */
    size_t full_len = strlen(a->public_url) + strlen(q->uri);
    char *full = malloc(full_len + 1);
    kinde_error err;
    memset(&err, 0, sizeof err);
    kinde_code rc = KINDE_E_NOMEM;
    if (full) {
        snprintf(full, full_len + 1, "%s%s", a->public_url, q->uri);
        rc = kinde_fetch_token(a->client, s.ks, full, &err);
        OPENSSL_cleanse(full, full_len);
        free(full);
    }
    if (rc != KINDE_OK) {
        /* The pending login is consumed either way. */
        if (!a->quiet)
            fprintf(stderr, "kinde-webapp: callback refused: %s %s\n", kinde_code_name(rc),
                    err.text);
        session_drop(a, s.id);
        cookie_clear(a, r);
        session_free(&s);
        callback_failure(r, rc, &err);
        return;
    }
    /* Signed in: a new id (the pre-login one stops working), a new CSRF token. */
    webapp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.signed_in = 1;
    rec.created = rec.seen = time(NULL);
    memcpy(rec.next, s.rec.next, sizeof rec.next);
    char id[TOKEN_SIZE], *data = NULL;
    int ok = token_new(id) == 0 && token_new(rec.csrf) == 0 &&
             kinde_session_serialize(s.ks, &data, NULL) == KINDE_OK;
    if (ok) {
        rec.kinde = data;
        rec.kinde_len = strlen(data);
        ok = session_save(a, id, &rec) == 0;
        rec.kinde = NULL;
    }
    kinde_free(data);
    session_drop(a, s.id);
    session_free(&s);
    if (!ok) {
        cookie_clear(a, r);
        error_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sessions are unavailable",
                   "You signed in, but the app could not save your session. Please try again.",
                   "session_store", 1);
        return;
    }
    cookie_issue(a, r, id);
    reply_redirect(r, MHD_HTTP_FOUND, rec.next[0] ? rec.next : "/");
}

static int same_origin(app *a, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    return !origin || strcmp(origin, a->public_url) == 0;
}

static void route_logout(app *a, struct MHD_Connection *c, request *q, reply *r)
{
    session s;
    r->no_store = 1;
    if (q->body_too_big) {
        error_page(r, MHD_HTTP_CONTENT_TOO_LARGE, "Request too large",
                   "That form was larger than this app accepts.", "body_too_large", 0);
        return;
    }
    int loaded = session_load(a, c, r, &s);
    if (loaded <= 0) {
        /* Nothing to sign out of; make sure the cookie goes too. */
        cookie_clear(a, r);
        reply_redirect(r, MHD_HTTP_SEE_OTHER, "/");
        return;
    }
    char csrf[TOKEN_SIZE + 1], return_to[1024];
    const char *body = q->body.data ? q->body.data : "";
    if (!same_origin(a, c) ||
        form_get(body, q->body.len, "csrf", csrf, sizeof csrf) != 1 ||
        !token_equal(csrf, s.rec.csrf)) {
        session_free(&s);
        buf_free(&r->cookie);
        error_page(r, MHD_HTTP_FORBIDDEN, "Sign-out refused",
                   "This sign-out request did not come from a page of this app, so nothing "
                   "was changed. Use the Sign out button on the home page.",
                   "csrf", 0);
        return;
    }
    const char *dest = NULL;
    if (form_get(body, q->body.len, "return_to", return_to, sizeof return_to) == 1 &&
        redirect_listed(&a->logout_allow, return_to))
        dest = return_to;
    char *url = NULL;
    kinde_error err;
    memset(&err, 0, sizeof err);
    int was_signed_in = s.rec.signed_in;
    kinde_code rc = was_signed_in ? kinde_logout(a->client, s.ks, dest, &url, &err) : KINDE_OK;
    if (rc != KINDE_OK && !a->quiet)
        fprintf(stderr, "kinde-webapp: sign-out: %s %s\n", kinde_code_name(rc), err.text);
    if (was_signed_in && !url && kinde_get_logout_url(a->client, dest, &url, NULL) != KINDE_OK)
        url = NULL;
    session_drop(a, s.id);
    session_free(&s);
    cookie_clear(a, r);
    reply_redirect(r, MHD_HTTP_SEE_OTHER, url ? url : "/");
    kinde_free(url);
}

/* Strings the details page allocates, freed after rendering. */
typedef struct arena {
    char *items[512];
    size_t n;
} arena;

static const char *keep(arena *ar, char *s)
{
    if (!s)
        return "";
    if (ar->n == sizeof ar->items / sizeof ar->items[0]) {
        free(s);
        return "…";
    }
    ar->items[ar->n++] = s;
    return s;
}

static const char *keep_kinde(arena *ar, char *s)
{
    const char *out = keep(ar, s ? strdup(s) : NULL);
    kinde_free(s);
    return out;
}

/* Rows of every claim of one token, each read through kinde_get_claim. */
static size_t claim_rows(session *s, kinde_token_kind kind, arena *ar, page_row *rows, size_t max)
{
    const char *token = kind == KINDE_ID_TOKEN ? kinde_session_id_token(s->ks)
                                               : kinde_session_access_token(s->ks);
    char *payload = NULL;
    size_t n = 0;
    if (!token || kinde_decode_token(token, NULL, &payload, NULL) != KINDE_OK)
        return 0;
    json_t *obj = json_loads(payload, 0, NULL);
    kinde_free(payload);
    const char *name;
    json_t *value;
    json_object_foreach(obj, name, value) {
        if (n == max)
            break;
        char *text = NULL;
        if (kinde_get_claim(s->ks, name, kind, &text, NULL) != KINDE_OK)
            continue;
        rows[n].cells[0] = keep(ar, strdup(name));
        rows[n].cells[1] = keep_kinde(ar, text);
        n++;
    }
    json_decref(obj);
    return n;
}

static void route_details(app *a, struct MHD_Connection *c, reply *r)
{
    session s;
    user_view u;
    r->no_store = 1;
    session_load(a, c, r, &s);
    if (!signed_in(a, &s, r, &u)) {
        session_free(&s);
        reply_redirect(r, MHD_HTTP_FOUND, "/login?next=/details");
        return;
    }
    arena ar = {.n = 0};
    page_table t[9];
    size_t nt = 0;
    memset(t, 0, sizeof t);

    /* The user, from the ID token (kinde_get_user_details). */
    page_row urows[5];
    kinde_user d;
    if (kinde_get_user_details(s.ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d);
    const char *labels[5] = {"id", "given_name", "family_name", "email", "picture"};
    const char *vals[5] = {d.id, d.given_name, d.family_name, d.email, d.picture};
    for (int i = 0; i < 5; i++) {
        urows[i].cells[0] = labels[i];
        urows[i].cells[1] = vals[i] ? vals[i] : "(none)";
    }
    t[nt++] = (page_table){"user", "You", "kinde_get_user_details(): from the ID token.",
                           {"field", "value"}, 2, urows, 5, NULL};

    /* Permissions of the seed list. */
    page_row prows[4];
    for (size_t i = 0; i < 4; i++) {
        int granted = 0;
        const char *org = NULL;
        kinde_code rc = kinde_get_permission(s.ks, seed_permissions[i], &granted, &org, NULL);
        prows[i].cells[0] = seed_permissions[i];
        prows[i].cells[1] = rc != KINDE_OK ? "error" : granted ? "yes" : "no";
        prows[i].cells[2] = org ? org : "(none)";
    }
    t[nt++] = (page_table){"permissions", "Permissions",
                           "kinde_get_permission() for each permission of the Kinde guide.",
                           {"permission", "granted", "organization"}, 3, prows, 4, NULL};

    /* Organizations: the current one (access token) and all (ID token). */
    const char *current;
    if (kinde_get_organization(s.ks, &current, NULL) != KINDE_OK)
        current = NULL;
    kinde_strings orgs;
    if (kinde_get_user_organizations(s.ks, &orgs, NULL) != KINDE_OK)
        orgs = (kinde_strings){0, NULL};
    page_row orows[32];
    size_t no = 0;
    for (size_t i = 0; i < orgs.count && no < 32; i++, no++) {
        orows[no].cells[0] = orgs.items[i];
        orows[no].cells[1] = current && strcmp(current, orgs.items[i]) == 0 ? "yes" : "no";
    }
    t[nt++] = (page_table){"organizations", "Organizations",
                           current ? keep(&ar, strdup(current)) : "No current organization.",
                           {"org_code", "current"}, 2, orows, no,
                           "You belong to no organization."};
    if (current) {
        char *intro = malloc(strlen(current) + 64);
        if (intro)
            sprintf(intro, "Signed in to %s (kinde_get_organization).", current);
        t[nt - 1].intro = keep(&ar, intro);
    }

    /* Roles. */
    kinde_strings roles;
    if (kinde_get_roles(s.ks, &roles, NULL) != KINDE_OK)
        roles = (kinde_strings){0, NULL};
    page_row rrows[32];
    size_t nr = 0;
    for (size_t i = 0; i < roles.count && nr < 32; i++, nr++)
        rrows[nr].cells[0] = roles.items[i];
    t[nt++] = (page_table){"roles", "Roles", "kinde_get_roles(): the access token's roles.",
                           {"role"}, 1, rrows, nr, "No roles in your access token."};

    /* The three flags, through the typed getters, with their defaults. */
    page_row frows[3];
    kinde_flag probe;
    const char *theme = NULL;
    kinde_code frc = kinde_get_string_flag(s.ks, "theme", "light", &theme, NULL);
    frows[0] = (page_row){{"theme", "string", frc == KINDE_OK ? theme : kinde_code_name(frc),
                           "light"}};
    int dark = 0, dark_default = 0;
    frc = kinde_get_boolean_flag(s.ks, "is_dark_mode", &dark_default, &dark, NULL);
    frows[1] = (page_row){{"is_dark_mode", "boolean",
                           frc != KINDE_OK ? kinde_code_name(frc) : dark ? "true" : "false",
                           "false"}};
    int64_t limit = 0, limit_default = 5;
    frc = kinde_get_integer_flag(s.ks, "competitions_limit", &limit_default, &limit, NULL);
    char *limit_text = malloc(32);
    if (limit_text)
        snprintf(limit_text, 32, "%lld", (long long)limit);
    frows[2] = (page_row){{"competitions_limit", "integer",
                           frc != KINDE_OK ? kinde_code_name(frc) : keep(&ar, limit_text), "5"}};
    for (int i = 0; i < 3; i++) {
        /* Mark values that came from the default rather than the token. */
        if (kinde_get_flag(s.ks, frows[i].cells[0], NULL, KINDE_FLAG_ANY, &probe, NULL) ==
            KINDE_E_FLAG_NOT_FOUND) {
            char *v = malloc(strlen(frows[i].cells[2]) + 16);
            if (v)
                sprintf(v, "%s (default)", frows[i].cells[2]);
            frows[i].cells[2] = keep(&ar, v);
        }
    }
    t[nt++] = (page_table){"flags", "Feature flags",
                           "kinde_get_string_flag / _boolean_flag / _integer_flag with defaults.",
                           {"flag", "type", "value", "default"}, 4, frows, 3, NULL};

    /* Claims of both tokens. */
    page_row acl[64], icl[64];
    size_t na = claim_rows(&s, KINDE_ACCESS_TOKEN, &ar, acl, 64);
    size_t ni = claim_rows(&s, KINDE_ID_TOKEN, &ar, icl, 64);
    t[nt++] = (page_table){"access-claims", "Access token claims",
                           "kinde_get_claim(name, access token), as JSON.",
                           {"claim", "value"}, 2, acl, na, "No claims."};
    t[nt++] = (page_table){"id-claims", "ID token claims",
                           "kinde_get_claim(name, ID token), as JSON.",
                           {"claim", "value"}, 2, icl, ni, "No claims."};

    /* The profile, fetched from Kinde now. */
    page_row pr[32];
    size_t np = 0;
    char *profile = NULL;
    kinde_error perr;
    memset(&perr, 0, sizeof perr);
    kinde_code prc = kinde_get_user_profile(a->client, s.ks, &profile, &perr);
    const char *pintro = "kinde_get_user_profile(): GET /oauth2/v2/user_profile.";
    if (prc == KINDE_OK) {
        json_t *obj = json_loads(profile, 0, NULL);
        const char *name;
        json_t *value;
        json_object_foreach(obj, name, value) {
            if (np == 32)
                break;
            pr[np].cells[0] = keep(&ar, strdup(name));
            pr[np].cells[1] = json_is_string(value)
                                  ? keep(&ar, strdup(json_string_value(value)))
                                  : keep(&ar, json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT));
            np++;
        }
        json_decref(obj);
    } else {
        char *msg = malloc(400);
        if (msg)
            snprintf(msg, 400, "Kinde did not give the profile: %s (%s)", kinde_code_name(prc),
                     perr.text);
        pintro = keep(&ar, msg);
    }
    kinde_free(profile);
    t[nt++] = (page_table){"profile", "Profile", pintro, {"field", "value"}, 2, pr, np,
                           "No profile."};

    page_details(&r->body, &u.user, t, nt);
    for (size_t i = 0; i < ar.n; i++)
        free(ar.items[i]);
    session_free(&s);
}

static void route_static(struct MHD_Connection *c, const char *name, reply *r)
{
    for (const static_asset *s = static_assets; s->name; s++) {
        if (strcmp(s->name, name) != 0)
            continue;
        r->content_type = s->content_type;
        r->etag = s->etag;
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_IF_NONE_MATCH);
        if (inm && strcmp(inm, s->etag) == 0)
            r->status = MHD_HTTP_NOT_MODIFIED;
        else
            buf_append(&r->body, (const char *)s->data, s->size);
        return;
    }
    error_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such file.", "not_found", 0);
    r->no_store = 0;
}

/* ------------------------------------------------------------------------ */
/* MHD plumbing                                                             */

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    request *q = calloc(1, sizeof *q);
    if (q) {
        buf_init(&q->body);
        q->uri = strdup(uri ? uri : "/");
    }
    return q;
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request *q = *req_cls;
    if (!q)
        return;
    /* Bodies carry CSRF tokens and URIs carry codes and states (C26). */
    if (q->body.data)
        OPENSSL_cleanse(q->body.data, q->body.len);
    buf_free(&q->body);
    if (q->uri)
        OPENSSL_cleanse(q->uri, strlen(q->uri));
    free(q->uri);
    free(q);
    *req_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    app *a = cls;
    request *q = *req_cls;
    if (!q || !q->uri)
        return MHD_NO;
    if (!__atomic_load_n(&a->client, __ATOMIC_ACQUIRE))
        return MHD_NO; /* still starting: the ready file is not written yet */
    int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (!q->started) {
        /* Headers only. Answer on a later call, once the request is fully
         * read, for every method: libmicrohttpd 0.9.75 closes the connection
         * after a response queued on this first call (no keep-alive). */
        q->started = 1;
        return MHD_YES;
    }
    if (*upload_size) {
        /* A body is read to its end before answering, whatever the method;
         * only a POST's is kept (other methods' bodies mean nothing here). */
        if (is_post && q->body.len + *upload_size > FORM_BODY_MAX)
            q->body_too_big = 1;
        else if (is_post)
            buf_append(&q->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }

    reply r;
    reply_init(&r);
    int is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                 strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);

    if (strlen(q->uri) > URI_MAX) {
        error_page(&r, MHD_HTTP_URI_TOO_LONG, "Address too long",
                   "That address is longer than this app accepts.", "uri_too_long", 0);
    } else if (cookie && strlen(cookie) > COOKIE_HEADER_MAX) {
        error_page(&r, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "Cookies too large",
                   "Your browser sent more cookies than this app accepts. Clearing this "
                   "site's cookies will fix it.", "cookie_too_large", 0);
        cookie_clear(a, &r);
    } else if (!buf_ok(&q->body)) {
        return MHD_NO;
    } else if (strcmp(url, "/logout") == 0) {
        if (is_post) {
            route_logout(a, c, q, &r);
        } else {
            error_page(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "Use the Sign out button",
                       "Signing out changes your session, so it only happens through the "
                       "Sign out button (a form with a token), never by following a link.",
                       "method_not_allowed", 0);
            r.allow = "POST";
        }
    } else if (!is_get) {
        error_page(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "Method not allowed",
                   "This address only answers GET.", "method_not_allowed", 0);
        r.allow = "GET, HEAD";
    } else if (strcmp(url, "/") == 0) {
        route_home(a, c, &r);
    } else if (strcmp(url, "/login") == 0) {
        route_login(a, c, &r, LOGIN);
    } else if (strcmp(url, "/register") == 0) {
        route_login(a, c, &r, REGISTER);
    } else if (strcmp(url, "/create-org") == 0) {
        route_login(a, c, &r, CREATE_ORG);
    } else if (strcmp(url, "/callback") == 0) {
        route_callback(a, c, q, &r);
    } else if (strcmp(url, "/details") == 0) {
        route_details(a, c, &r);
    } else if (strcmp(url, "/healthz") == 0) {
        int up = store_ping(a->store) == 0;
        r.status = up ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
        r.content_type = "text/plain; charset=utf-8";
        r.no_store = 1;
        buf_printf(&r.body, "%s sessions=%s\n", up ? "ok" : "unavailable", a->store->name);
    } else if (strncmp(url, "/static/", 8) == 0) {
        route_static(c, url + 8, &r);
    } else {
        error_page(&r, MHD_HTTP_NOT_FOUND, "Page not found", "There is nothing at this address.",
                   "not_found", 0);
    }
    return reply_send(c, &r);
}

int server_start(app *a)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)a->port);
    if (inet_pton(AF_INET, a->bind, &addr.sin_addr) != 1) {
        fprintf(stderr, "kinde-webapp: --bind %s is not an IPv4 address\n", a->bind);
        return -1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
            (a->quiet ? 0 : MHD_USE_ERROR_LOG),
        0, NULL, NULL, handle, a,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, log_uri, a,
        MHD_OPTION_NOTIFY_COMPLETED, completed, a,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "kinde-webapp: cannot listen on %s:%d\n", a->bind, a->port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        a->port = info->port;
    a->daemon = d;
    return 0;
}

void server_stop(app *a)
{
    if (a->daemon)
        MHD_stop_daemon(a->daemon);
    a->daemon = NULL;
}
