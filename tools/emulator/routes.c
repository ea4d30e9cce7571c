/* The routing table: every path the emulator serves, the methods it takes
 * and the handler that answers it. A new endpoint is a row here and a
 * handler in its own file (emulator.h, "Adding endpoints"). */
#include "emulator.h"

#include <string.h>

typedef struct emu_route {
    const char *path;         /* exact; ending in '/': every path under it */
    const char *methods;      /* the Allow list; NULL: any (the handler decides) */
    int html;                 /* a wrong method gets a page, not an OAuth error */
    const char *wrong_method; /* what that 405 says */
    emu_handler *handle;
} emu_route;

#define USE_GET "use GET"
#define READ_WITH_GET "This page is read with GET."

static const emu_route routes[] = {
    {"/_emulator/", NULL, 0, NULL, emu_admin}, /* its own table, in admin.c */
    {"/api/v1/", NULL, 0, NULL, emu_mgmt}, /* the Management API: its own table, in mgmt.c */
    {"/.well-known/openid-configuration", "GET, HEAD", 0, USE_GET, emu_discovery},
    {"/.well-known/jwks.json", "GET, HEAD", 0, USE_GET, emu_jwks},
    {"/.well-known/jwks", "GET, HEAD", 0, USE_GET, emu_jwks},
    {"/oauth2/auth", "GET", 1, "The authorization endpoint takes GET.", emu_authorize},
    {"/login/form", "GET, HEAD", 1, READ_WITH_GET, emu_login_form},
    {"/register/form", "GET, HEAD", 1, READ_WITH_GET, emu_register_form},
    {"/login/submit", "POST", 1, "The sign-in form posts.", emu_login_submit},
    {"/register/submit", "POST", 1, "The registration form posts.", emu_register_submit},
    {"/oauth2/token", "POST", 0, "use POST", emu_token},
    {"/oauth2/revoke", "POST", 0, "use POST", emu_revoke},
    {"/oauth2/introspect", "POST", 0, "use POST", emu_introspect},
    /* Kinde answers the profile whatever the method. */
    {"/oauth2/v2/user_profile", NULL, 0, NULL, emu_profile_v2},
    {"/oauth2/user_profile", NULL, 0, NULL, emu_profile_v1},
    {"/logout", "GET, HEAD", 1, READ_WITH_GET, emu_logout},
};

int emu_method_in(const char *list, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = list; p; p = strchr(p, ',')) {
        p += *p == ',' ? 2 : 0;
        if (strncmp(p, method, n) == 0 && (p[n] == '\0' || p[n] == ','))
            return 1;
    }
    return 0;
}

static int matches(const char *route, const char *path)
{
    size_t n = strlen(route);
    return route[n - 1] == '/' ? strncmp(path, route, n) == 0 : strcmp(path, route) == 0;
}

void emu_dispatch(const emu_request *q, emu_reply *r)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const emu_route *e = &routes[i];
        if (!matches(e->path, q->path))
            continue;
        if (e->methods && !emu_method_in(e->methods, q->method)) {
            if (e->html)
                emu_reply_page(r, 405, "Method not allowed", e->wrong_method);
            else
                emu_reply_oauth_error(r, 405, "invalid_request", e->wrong_method);
            r->allow = e->methods;
            return;
        }
        e->handle(q, r);
        return;
    }
    emu_reply_json(r, 404, json_pack("{s:s, s:s}", "error", "not_found", "error_description",
                                     "no such endpoint on this Kinde emulator"));
}
