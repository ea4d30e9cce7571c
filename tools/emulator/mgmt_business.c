/* Management API: the business, its environment, applications with their
 * callback and logout URLs, APIs with their scopes, and properties with
 * their values on users and organizations. Applications are the data
 * file's (id = client_id): a callback URL added here is one the next
 * sign-in may use; an application authorised for an API may ask tokens for
 * its audience. Handlers run with emu.lock held. */
#include "mgmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int text_ok(const json_t *v, int required)
{
    if (!v || json_typeof(v) == JSON_NULL)
        return !required;
    const char *s = json_string_value(v);
    if (!s || strlen(s) > 1000 || (required && !*s))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* ---- business and environment ---------------------------------------------- */

static json_t *business(void)
{
    json_t *b = json_object_get(emu.data, "business");
    if (!json_is_object(b))
        json_object_set_new(emu.data, "business", b = json_object());
    return b;
}

static void get_business(mg_call *c, emu_reply *r)
{
    json_t *b = business();
    json_t *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:n}", "code", "bus_emulator", "name",
                            mg_nullable(json_object_get(b, "name")), "phone", mg_nullable(json_object_get(b, "phone")),
                            "email", mg_nullable(json_object_get(b, "email")), "industry",
                            mg_nullable(json_object_get(b, "industry")), "timezone",
                            mg_nullable(json_object_get(b, "timezone")), "privacy_url",
                            mg_nullable(json_object_get(b, "privacy_url")), "terms_url",
                            mg_nullable(json_object_get(b, "terms_url")), "has_clickwrap",
                            json_is_true(json_object_get(b, "has_clickwrap")), "has_kinde_branding",
                            !json_is_false(json_object_get(b, "has_kinde_branding")), "created_on");
    mg_ok(c, r, json_pack("{s:o}", "business", out));
}

static void update_business(mg_call *c, emu_reply *r)
{
    /* body name -> stored name */
    static const char *const fields[][2] = {{"business_name", "name"}, {"email", "email"}, {"phone", "phone"},
                                            {"industry_key", "industry"}, {"timezone_key", "timezone"},
                                            {"privacy_url", "privacy_url"}, {"terms_url", "terms_url"}};
    static const char *const flags[][2] = {{"is_click_wrap", "has_clickwrap"},
                                           {"is_show_kinde_branding", "has_kinde_branding"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!text_ok(json_object_get(c->body, fields[i][0]), 0)) {
            mg_error(r, 400, "INVALID_REQUEST", "%s must be a string", fields[i][0]);
            return;
        }
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(c->body, flags[i][0]);
        if (v && !json_is_null(v) && !json_is_boolean(v)) {
            mg_error(r, 400, "INVALID_REQUEST", "%s must be true or false", flags[i][0]);
            return;
        }
    }
    json_t *b = business();
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (json_is_string(json_object_get(c->body, fields[i][0])))
            json_object_set(b, fields[i][1], json_object_get(c->body, fields[i][0]));
    for (size_t i = 0; i < 2; i++)
        if (json_is_boolean(json_object_get(c->body, flags[i][0])))
            json_object_set(b, flags[i][1], json_object_get(c->body, flags[i][0]));
    mg_success(c, r);
}

static void get_environment(mg_call *c, emu_reply *r)
{
    const char *host = strstr(emu.issuer, "://");
    mg_ok(c, r, json_pack("{s:{s:s, s:s, s:b, s:b, s:s, s:n, s:n}}", "environment", "code", "production", "name",
                          "Production", "is_default", 1, "is_live", 1, "kinde_domain", host ? host + 3 : emu.issuer,
                          "custom_domain", "created_on"));
}

/* ---- applications ----------------------------------------------------------- */

static const char *app_type(const json_t *app)
{
    const char *t = json_string_value(json_object_get(app, "type"));
    if (t)
        return t;
    if (json_object_get(app, "management_api"))
        return "m2m";
    return json_object_get(app, "client_secret") ? "reg" : "spa";
}

static json_t *app_or_404(emu_reply *r, const char *id)
{
    json_t *app = (json_t *)emu_app(emu.data, id);
    if (!app)
        mg_not_found(r, "APPLICATION", "application", id);
    return app;
}

static json_t *app_item(const json_t *app)
{
    return json_pack("{s:O, s:o, s:s}", "id", json_object_get(app, "client_id"), "name",
                     mg_nullable(json_object_get(app, "name")), "type", app_type(app));
}

static void get_apps(mg_call *c, emu_reply *r)
{
    mg_list(c, r, "applications", json_object_get(emu.data, "applications"), app_item);
}

static void get_app(mg_call *c, emu_reply *r)
{
    json_t *app = app_or_404(r, c->params[0]);
    if (!app)
        return;
    mg_ok(c, r, json_pack("{s:{s:O, s:o, s:s, s:O, s:o, s:o, s:o, s:b}}", "application", "id",
                          json_object_get(app, "client_id"), "name", mg_nullable(json_object_get(app, "name")), "type",
                          app_type(app), "client_id", json_object_get(app, "client_id"), "client_secret",
                          mg_nullable(json_object_get(app, "client_secret")), "login_uri",
                          mg_nullable(json_object_get(app, "login_uri")), "homepage_uri",
                          mg_nullable(json_object_get(app, "homepage_uri")), "has_cancel_button", 0));
}

static void create_app(mg_call *c, emu_reply *r)
{
    int bad = 0;
    const char *name = mg_str(c, "name", &bad), *type = mg_str(c, "type", &bad);
    if (bad || !text_ok(json_object_get(c->body, "name"), 1) || !type ||
        (strcmp(type, "reg") != 0 && strcmp(type, "spa") != 0 && strcmp(type, "m2m") != 0)) {
        mg_error(r, 400, "INVALID_REQUEST", "name and type (reg, spa or m2m) are required");
        return;
    }
    char *id = emu_random_hex(16);
    char *secret = strcmp(type, "spa") ? emu_random_token(36) : NULL;
    json_t *app = json_pack("{s:s?, s:s, s:s, s:s?, s:[], s:[], s:[]}", "client_id", id, "name", name, "type", type,
                            "client_secret", secret, "callback_urls", "logout_urls", "audiences");
    if (app && strcmp(type, "m2m") == 0)
        json_object_set_new(app, "grant_types", json_pack("[s]", "client_credentials"));
    if (app && strcmp(type, "spa") == 0)
        json_object_set_new(app, "grant_types", json_pack("[s, s]", "authorization_code", "refresh_token"));
    free(id);
    free(secret);
    if (!app) {
        mg_error(r, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    json_array_append_new(json_object_get(emu.data, "applications"), app);
    mg_ok(c, r, json_pack("{s:{s:O, s:O, s:o}}", "application", "id", json_object_get(app, "client_id"), "client_id",
                          json_object_get(app, "client_id"), "client_secret",
                          mg_nullable(json_object_get(app, "client_secret"))));
}

/* URLs of a list: absolute (scheme://...), printable, no spaces. */
static int urls_ok(const json_t *list)
{
    if (!json_is_array(list))
        return 0;
    size_t i;
    const json_t *u;
    json_array_foreach(list, i, u) {
        const char *s = json_string_value(u);
        if (!text_ok(u, 1) || !strstr(s, "://") || strchr(s, ' '))
            return 0;
    }
    return 1;
}

static void update_app(mg_call *c, emu_reply *r)
{
    json_t *app = app_or_404(r, c->params[0]);
    if (!app)
        return;
    static const char *const texts[] = {"name", "login_uri", "homepage_uri", "language_key"};
    for (size_t i = 0; i < 4; i++)
        if (!text_ok(json_object_get(c->body, texts[i]), 0)) {
            mg_error(r, 400, "INVALID_REQUEST", "%s must be a string", texts[i]);
            return;
        }
    static const char *const lists[][2] = {{"redirect_uris", "callback_urls"}, {"logout_uris", "logout_urls"}};
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(c->body, lists[i][0]) && !urls_ok(json_object_get(c->body, lists[i][0]))) {
            mg_error(r, 400, "INVALID_URL", "%s must be an array of absolute URLs", lists[i][0]);
            return;
        }
    for (size_t i = 0; i < 3; i++)
        if (json_is_string(json_object_get(c->body, texts[i])))
            json_object_set(app, texts[i], json_object_get(c->body, texts[i]));
    for (size_t i = 0; i < 2; i++)
        if (json_object_get(c->body, lists[i][0]))
            json_object_set_new(app, lists[i][1], json_deep_copy(json_object_get(c->body, lists[i][0])));
    mg_success(c, r);
}

static void delete_app(mg_call *c, emu_reply *r)
{
    if (!app_or_404(r, c->params[0]))
        return;
    json_t *apps = json_object_get(emu.data, "applications");
    json_array_remove(apps, (size_t)mg_index(apps, "client_id", c->params[0]));
    mg_success(c, r);
}

/* GET, POST (add), PUT (replace) and DELETE (?urls=a,b) of one URL list. */
static void url_list(mg_call *c, emu_reply *r, const char *member, const char *answer_member, int with_code)
{
    json_t *app = app_or_404(r, c->params[0]);
    if (!app)
        return;
    json_t *list = mg_member(app, member, 1);
    const char *m = c->q->method;
    if (strcmp(m, "GET") == 0) {
        json_t *out = json_pack("{s:O}", answer_member, list);
        if (with_code)
            mg_ok(c, r, out);
        else
            mg_reply(c, r, out);
        return;
    }
    if (strcmp(m, "DELETE") == 0) {
        const char *urls = mg_query(c, "urls");
        if (!urls || !*urls) {
            mg_error(r, 400, "INVALID_REQUEST", "urls: the URLs to remove, comma-separated");
            return;
        }
        char *copy = strdup(urls), *save = NULL;
        for (char *u = copy ? strtok_r(copy, ",", &save) : NULL; u; u = strtok_r(NULL, ",", &save))
            mg_remove_string(list, u);
        free(copy);
        mg_success(c, r);
        return;
    }
    const json_t *urls = json_object_get(c->body, "urls");
    if (!urls_ok(urls)) {
        mg_error(r, 400, "INVALID_URL", "urls must be an array of absolute URLs");
        return;
    }
    if (strcmp(m, "PUT") == 0)
        json_array_clear(list);
    size_t i;
    const json_t *u;
    json_array_foreach(urls, i, u)
        if (!emu_string_in(list, json_string_value(u)))
            json_array_append(list, (json_t *)u);
    mg_success(c, r);
}

static void callback_urls(mg_call *c, emu_reply *r)
{
    url_list(c, r, "callback_urls", "redirect_urls", 0);
}

static void logout_urls(mg_call *c, emu_reply *r)
{
    url_list(c, r, "logout_urls", "logout_urls", 1);
}

/* ---- APIs and their scopes -------------------------------------------------- */

static json_t *api_or_404(emu_reply *r, const char *id)
{
    json_t *api = mg_find(json_object_get(emu.data, "apis"), "id", id);
    if (!api)
        mg_not_found(r, "API", "API", id);
    return api;
}

static json_t *scopes_json(const json_t *api, int with_description)
{
    json_t *out = json_array();
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(api, "scopes"), i, s) {
        json_t *item = json_pack("{s:O, s:O}", "id", json_object_get(s, "id"), "key", json_object_get(s, "key"));
        if (with_description)
            json_object_set_new(item, "description", mg_nullable(json_object_get(s, "description")));
        json_array_append_new(out, item);
    }
    return out;
}

static json_t *api_json(const json_t *api)
{
    return json_pack("{s:O, s:o, s:O, s:b, s:o}", "id", json_object_get(api, "id"), "name",
                     mg_nullable(json_object_get(api, "name")), "audience", json_object_get(api, "audience"),
                     "is_management_api", 0, "scopes", scopes_json(api, 0));
}

static void get_apis(mg_call *c, emu_reply *r)
{
    mg_list(c, r, "apis", json_object_get(emu.data, "apis"), api_json);
}

static void get_api(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (!api)
        return;
    json_t *out = api_json(api), *apps = json_array();
    size_t i;
    const json_t *app;
    json_array_foreach(json_object_get(emu.data, "applications"), i, app)
        if (emu_string_in(json_object_get(app, "audiences"), json_string_value(json_object_get(api, "audience"))))
            json_array_append_new(apps, json_pack("{s:O, s:o, s:s, s:b}", "id", json_object_get(app, "client_id"),
                                                  "name", mg_nullable(json_object_get(app, "name")), "type",
                                                  app_type(app), "is_active", 1));
    json_object_set_new(out, "applications", apps);
    mg_ok(c, r, json_pack("{s:o}", "api", out));
}

static void add_api(mg_call *c, emu_reply *r)
{
    int bad = 0;
    const char *name = mg_str(c, "name", &bad), *audience = mg_str(c, "audience", &bad);
    if (bad || !text_ok(json_object_get(c->body, "name"), 1) || !text_ok(json_object_get(c->body, "audience"), 1)) {
        mg_error(r, 400, "INVALID_REQUEST", "name and audience are required");
        return;
    }
    if (mg_find(json_object_get(emu.data, "apis"), "audience", audience)) {
        mg_error(r, 409, "API_AUDIENCE_EXISTS", "an API with the audience %s exists already", audience);
        return;
    }
    char *id = mg_new_id("api_");
    json_t *api = json_pack("{s:s?, s:s, s:s, s:[]}", "id", id, "name", name, "audience", audience, "scopes");
    free(id);
    json_array_append_new(json_object_get(emu.data, "apis"), api);
    mg_ok(c, r, json_pack("{s:{s:O}}", "api", "id", json_object_get(api, "id")));
}

static void delete_api(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (!api)
        return;
    size_t i;
    json_t *app;
    json_array_foreach(json_object_get(emu.data, "applications"), i, app)
        mg_remove_string(json_object_get(app, "audiences"), json_string_value(json_object_get(api, "audience")));
    json_t *apis = json_object_get(emu.data, "apis");
    json_array_remove(apis, (size_t)mg_index(apis, "id", c->params[0]));
    mg_success(c, r);
}

/* {"applications": [{"id", "operation": "delete"?}]}: who may ask tokens for the API. */
static void update_api_apps(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (!api)
        return;
    const json_t *list = json_object_get(c->body, "applications");
    size_t i;
    const json_t *e;
    if (!json_is_array(list)) {
        mg_error(r, 400, "INVALID_REQUEST", "applications: an array of {\"id\", \"operation\"?}");
        return;
    }
    json_array_foreach(list, i, e) {
        const char *op = json_string_value(json_object_get(e, "operation"));
        if (!emu_app(emu.data, json_string_value(json_object_get(e, "id"))) || (op && strcmp(op, "delete") != 0)) {
            mg_error(r, 400, "APPLICATION_INVALID", "applications[%zu]: no such application, or an operation other "
                                                    "than delete", i);
            return;
        }
    }
    const char *aud = json_string_value(json_object_get(api, "audience"));
    json_t *connected = json_array(), *disconnected = json_array();
    json_array_foreach(list, i, e) {
        json_t *app = (json_t *)emu_app(emu.data, json_string_value(json_object_get(e, "id")));
        json_t *auds = mg_member(app, "audiences", 1);
        if (json_object_get(e, "operation")) {
            mg_remove_string(auds, aud);
            json_array_append(disconnected, json_object_get(e, "id"));
        } else {
            if (!emu_string_in(auds, aud))
                json_array_append_new(auds, json_string(aud));
            json_array_append(connected, json_object_get(e, "id"));
        }
    }
    mg_ok(c, r, json_pack("{s:o, s:o}", "applications_disconnected", disconnected, "applications_connected", connected));
}

static void get_api_scopes(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (api)
        mg_ok(c, r, json_pack("{s:o}", "scopes", scopes_json(api, 1)));
}

static json_t *scope_or_404(emu_reply *r, json_t *api, const char *id)
{
    json_t *s = mg_find(json_object_get(api, "scopes"), "id", id);
    if (!s)
        mg_not_found(r, "SCOPE", "scope of this API", id);
    return s;
}

static void get_api_scope(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    json_t *s = api ? scope_or_404(r, api, c->params[1]) : NULL;
    if (s)
        mg_ok(c, r, json_pack("{s:{s:O, s:O, s:o}}", "scope", "id", json_object_get(s, "id"), "key",
                              json_object_get(s, "key"), "description", mg_nullable(json_object_get(s, "description"))));
}

static void add_api_scope(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (!api)
        return;
    int bad = 0;
    const char *key = mg_str(c, "key", &bad);
    if (bad || !text_ok(json_object_get(c->body, "key"), 1) || !text_ok(json_object_get(c->body, "description"), 0)) {
        mg_error(r, 400, "INVALID_REQUEST", "key is required; description is a string");
        return;
    }
    if (mg_find(mg_member(api, "scopes", 1), "key", key)) {
        mg_error(r, 409, "SCOPE_KEY_EXISTS", "this API has a scope %s already", key);
        return;
    }
    char *id = mg_new_id("api_scope_");
    json_t *s = json_pack("{s:s?, s:s, s:O?}", "id", id, "key", key, "description", json_object_get(c->body, "description"));
    free(id);
    json_array_append_new(json_object_get(api, "scopes"), s);
    mg_ok(c, r, json_pack("{s:{s:O}}", "scope", "id", json_object_get(s, "id")));
}

static void update_api_scope(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    json_t *s = api ? scope_or_404(r, api, c->params[1]) : NULL;
    if (!s)
        return;
    if (!text_ok(json_object_get(c->body, "description"), 0)) {
        mg_error(r, 400, "INVALID_REQUEST", "description must be a string");
        return;
    }
    if (json_is_string(json_object_get(c->body, "description")))
        json_object_set(s, "description", json_object_get(c->body, "description"));
    mg_success(c, r);
}

static void delete_api_scope(mg_call *c, emu_reply *r)
{
    json_t *api = api_or_404(r, c->params[0]);
    if (!api || !scope_or_404(r, api, c->params[1]))
        return;
    json_t *scopes = json_object_get(api, "scopes");
    json_array_remove(scopes, (size_t)mg_index(scopes, "id", c->params[1]));
    mg_success(c, r);
}

/* ---- properties ----------------------------------------------------------------- */

static json_t *properties(void)
{
    return json_object_get(emu.data, "properties");
}

static void get_properties(mg_call *c, emu_reply *r)
{
    const char *context = mg_query(c, "context");
    json_t *list = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(properties(), i, p) {
        const char *ctx = json_string_value(json_object_get(p, "context"));
        if (context && ctx && strcmp(context, ctx) != 0)
            continue;
        json_array_append_new(list, json_pack("{s:O, s:O, s:o, s:b, s:o, s:b}", "id", json_object_get(p, "id"), "key",
                                              json_object_get(p, "key"), "name", mg_nullable(json_object_get(p, "name")),
                                              "is_private", json_is_true(json_object_get(p, "is_private")),
                                              "description", mg_nullable(json_object_get(p, "description")),
                                              "is_kinde_property", 0));
    }
    mg_ok(c, r, json_pack("{s:o, s:b}", "properties", list, "has_more", 0));
}

static void create_property(mg_call *c, emu_reply *r)
{
    int bad = 0;
    const char *key = mg_str(c, "key", &bad), *type = mg_str(c, "type", &bad), *ctx = mg_str(c, "context", &bad);
    const json_t *priv = json_object_get(c->body, "is_private");
    if (bad || !text_ok(json_object_get(c->body, "name"), 1) || !text_ok(json_object_get(c->body, "key"), 1) ||
        !text_ok(json_object_get(c->body, "description"), 0) || (priv && !json_is_boolean(priv)) || !type ||
        (strcmp(type, "single_line_text") != 0 && strcmp(type, "multi_line_text") != 0) || !ctx ||
        (strcmp(ctx, "org") != 0 && strcmp(ctx, "usr") != 0 && strcmp(ctx, "app") != 0)) {
        mg_error(r, 400, "INVALID_REQUEST", "name, key, type (single_line_text, multi_line_text) and context (org, usr, "
                                             "app) are required");
        return;
    }
    if (mg_find(properties(), "key", key)) {
        mg_error(r, 409, "PROPERTY_KEY_EXISTS", "a property with the key %s exists already", key);
        return;
    }
    char *id = mg_new_id("prop_");
    json_t *p = json_pack("{s:s?, s:s, s:O, s:O?, s:s, s:s, s:b, s:O?}", "id", id, "key", key, "name",
                          json_object_get(c->body, "name"), "description", json_object_get(c->body, "description"),
                          "type", type, "context", ctx, "is_private", json_is_true(priv), "category_id",
                          json_object_get(c->body, "category_id"));
    free(id);
    json_array_append_new(properties(), p);
    mg_ok(c, r, json_pack("{s:{s:O}, s:b}", "property", "id", json_object_get(p, "id"), "success", 1));
}

static json_t *property_or_404(emu_reply *r, const char *field, const char *value)
{
    json_t *p = mg_find(properties(), field, value);
    if (!p)
        mg_not_found(r, "PROPERTY", "property", value);
    return p;
}

static void update_property(mg_call *c, emu_reply *r)
{
    json_t *p = property_or_404(r, "id", c->params[0]);
    if (!p)
        return;
    const json_t *priv = json_object_get(c->body, "is_private");
    if (!text_ok(json_object_get(c->body, "name"), 0) || !text_ok(json_object_get(c->body, "description"), 0) ||
        (priv && !json_is_boolean(priv))) {
        mg_error(r, 400, "INVALID_REQUEST", "name and description are strings, is_private true or false");
        return;
    }
    static const char *const fields[] = {"name", "description", "is_private", "category_id"};
    for (size_t i = 0; i < 4; i++)
        if (json_object_get(c->body, fields[i]) && !json_is_null(json_object_get(c->body, fields[i])))
            json_object_set(p, fields[i], json_object_get(c->body, fields[i]));
    mg_success(c, r);
}

static void delete_property(mg_call *c, emu_reply *r)
{
    json_t *p = property_or_404(r, "id", c->params[0]);
    if (!p)
        return;
    const char *key = json_string_value(json_object_get(p, "key"));
    static const char *const owners[] = {"users", "organizations"};
    for (size_t o = 0; o < 2; o++) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(emu.data, owners[o]), i, item)
            json_object_del(json_object_get(item, "properties"), key);
    }
    json_array_remove(properties(), (size_t)mg_index(properties(), "id", c->params[0]));
    mg_success(c, r);
}

/* The owner (a user or an organization) of /users/{id}/... or /organizations/{code}/... */
static json_t *owner_or_404(mg_call *c, emu_reply *r, const char **context)
{
    int user = strncmp(c->op->path, "/api/v1/users/", 14) == 0;
    *context = user ? "usr" : "org";
    if (!user)
        return mg_org_or_404(r, c->params[0]);
    json_t *u = (json_t *)emu_user_by_id(emu.data, c->params[0]);
    if (!u)
        mg_not_found(r, "USER", "user", c->params[0]);
    return u;
}

static void get_values(mg_call *c, emu_reply *r)
{
    const char *context;
    json_t *owner = owner_or_404(c, r, &context);
    if (!owner)
        return;
    json_t *list = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(properties(), i, p) {
        if (strcmp(json_string_value(json_object_get(p, "context")), context) != 0)
            continue;
        json_array_append_new(list, json_pack("{s:O, s:o, s:o, s:O, s:o}", "id", json_object_get(p, "id"), "name",
                                              mg_nullable(json_object_get(p, "name")), "description",
                                              mg_nullable(json_object_get(p, "description")), "key",
                                              json_object_get(p, "key"), "value",
                                              mg_nullable(json_object_get(json_object_get(owner, "properties"),
                                                                          json_string_value(json_object_get(p, "key"))))));
    }
    mg_ok(c, r, json_pack("{s:o}", "properties", list));
}

/* Whether key names a property of this context; writes the 400 if not. */
static int settable(emu_reply *r, const char *key, const char *context, const json_t *value)
{
    const json_t *p = mg_find(properties(), "key", key);
    if (!p || strcmp(json_string_value(json_object_get(p, "context")), context) != 0) {
        mg_error(r, 400, "PROPERTY_INVALID", "no %s property \"%s\"", strcmp(context, "usr") ? "organization" : "user",
                 key);
        return 0;
    }
    if (!json_is_string(value) && !json_is_null(value)) {
        mg_error(r, 400, "INVALID_REQUEST", "the value of %s must be a string", key);
        return 0;
    }
    return 1;
}

static void update_values(mg_call *c, emu_reply *r)
{
    const char *context;
    json_t *owner = owner_or_404(c, r, &context);
    if (!owner)
        return;
    const json_t *given = json_object_get(c->body, "properties");
    const char *key;
    json_t *v;
    if (!json_is_object(given)) {
        mg_error(r, 400, "INVALID_REQUEST", "properties: an object of property key to value");
        return;
    }
    json_object_foreach((json_t *)given, key, v) if (!settable(r, key, context, v)) return;
    json_object_foreach((json_t *)given, key, v) json_object_set(mg_member(owner, "properties", 0), key, v);
    mg_success(c, r);
}

static void update_value(mg_call *c, emu_reply *r)
{
    const char *context;
    json_t *owner = owner_or_404(c, r, &context);
    if (!owner)
        return;
    const char *value = mg_query(c, "value");
    json_t *v = value ? json_string(value) : NULL;
    if (!v) {
        mg_error(r, 400, "INVALID_REQUEST", "value is required");
        return;
    }
    if (settable(r, c->params[1], context, v)) {
        json_object_set(mg_member(owner, "properties", 0), c->params[1], v);
        mg_success(c, r);
    }
    json_decref(v);
}

const mg_route mg_business_routes[] = {
    {"getBusiness", get_business},
    {"updateBusiness", update_business},
    {"getEnvironment", get_environment},
    {"getApplications", get_apps},
    {"getApplication", get_app},
    {"createApplication", create_app},
    {"updateApplication", update_app},
    {"deleteApplication", delete_app},
    {"getCallbackURLs", callback_urls},
    {"addRedirectCallbackURLs", callback_urls},
    {"replaceRedirectCallbackURLs", callback_urls},
    {"deleteCallbackURLs", callback_urls},
    {"getLogoutURLs", logout_urls},
    {"addLogoutRedirectURLs", logout_urls},
    {"replaceLogoutRedirectURLs", logout_urls},
    {"deleteLogoutURLs", logout_urls},
    {"getAPIs", get_apis},
    {"getAPI", get_api},
    {"addAPIs", add_api},
    {"deleteAPI", delete_api},
    {"updateAPIApplications", update_api_apps},
    {"getAPIScopes", get_api_scopes},
    {"getAPIScope", get_api_scope},
    {"addAPIScope", add_api_scope},
    {"updateAPIScope", update_api_scope},
    {"deleteAPIScope", delete_api_scope},
    {"GetProperties", get_properties},
    {"CreateProperty", create_property},
    {"UpdateProperty", update_property},
    {"DeleteProperty", delete_property},
    {"GetUserPropertyValues", get_values},
    {"UpdateUserProperties", update_values},
    {"UpdateUserProperty", update_value},
    {"GetOrganizationPropertyValues", get_values},
    {"UpdateOrganizationProperties", update_values},
    {"UpdateOrganizationProperty", update_value},
    {NULL, NULL},
};
