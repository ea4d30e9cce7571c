/* Management API: users, their identities and claims. A user is the data
 * file's shape ({id, email, given_name, family_name, picture, ...}); what
 * the API adds (provided_id, is_suspended, created_on, identities) is kept
 * on the same object. Handlers run with emu.lock held (mgmt.h). */
#include "mgmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A printable text of at most 254 bytes, or NULL (the sign-up page's rule). */
static int text_ok(const char *s)
{
    if (!s || strlen(s) > 254)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static int email_ok(const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;
    return text_ok(email) && at && at != email && at[1] && !strchr(at + 1, '@') && !strchr(email, ' ');
}

/* The user's identities, made on first use from their email. */
static json_t *identities(json_t *user)
{
    json_t *ids = json_object_get(user, "identities");
    if (json_is_array(ids))
        return ids;
    ids = json_array();
    char *id = mg_new_id("identity_");
    json_t *created = json_object_get(user, "created_on");
    json_array_append_new(ids, json_pack("{s:s?, s:s, s:O, s:b, s:b, s:O?}", "id", id, "type", "email", "name",
                                         json_object_get(user, "email"), "is_primary", 1, "is_confirmed", 1,
                                         "created_on", created));
    free(id);
    json_object_set_new(user, "identities", ids);
    return ids;
}

json_t *mg_user_json(const json_t *user, int list_item)
{
    json_t *orgs = emu_org_codes_of(emu.data, json_string_value(json_object_get(user, "id")));
    json_t *ids = json_array();
    size_t i;
    const json_t *ident;
    json_array_foreach(identities((json_t *)user), i, ident)
        json_array_append_new(ids, json_pack("{s:O, s:O}", "type", json_object_get(ident, "type"), "identity",
                                             json_object_get(ident, "name")));
    const json_t *provided = json_object_get(user, "provided_id");
    return json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:O, s:i, s:i, s:n, s:O, s:o, s:o}", "id",
                     json_object_get(user, "id"), "provided_id", provided ? provided : json_null(),
                     list_item ? "email" : "preferred_email", json_object_get(user, "email"), "last_name",
                     json_object_get(user, "family_name") ? json_object_get(user, "family_name") : json_null(),
                     "first_name",
                     json_object_get(user, "given_name") ? json_object_get(user, "given_name") : json_null(),
                     "is_suspended", json_is_true(json_object_get(user, "is_suspended")), "picture",
                     json_object_get(user, "picture") ? json_object_get(user, "picture") : json_null(),
                     "total_sign_ins", 0, "failed_sign_ins", 0, "last_signed_in", "created_on",
                     json_object_get(user, "created_on") ? json_object_get(user, "created_on")
                                                          : json_object_get(user, "updated_at")
                                                                ? json_object_get(user, "updated_at")
                                                                : json_null(),
                     "organizations", orgs, "identities", ids);
}

json_t *mg_user_event(const json_t *user)
{
    json_t *orgs = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(emu.data, "members"), i, m)
        if (json_equal(json_object_get(m, "user"), json_object_get(user, "id")))
            json_array_append_new(orgs, json_pack("{s:O, s:n, s:n}", "code", json_object_get(m, "org"),
                                                  "permissions", "roles"));
    return json_pack("{s:{s:O, s:O, s:O?, s:O?, s:b, s:b, s:n, s:n, s:o}}", "user", "id",
                     json_object_get(user, "id"), "email", json_object_get(user, "email"), "first_name",
                     json_object_get(user, "given_name"), "last_name", json_object_get(user, "family_name"),
                     "is_suspended", json_is_true(json_object_get(user, "is_suspended")),
                     "is_password_reset_requested", 0, "phone", "username", "organizations", orgs);
}

static json_t *user_or_404(mg_call *c, emu_reply *r, const char *id)
{
    json_t *user = (json_t *)emu_user_by_id(emu.data, id);
    if (!user) {
        if (!id || !*id)
            mg_error(r, 400, "USER_ID_REQUIRED", "the user id is required");
        else
            mg_not_found(r, "USER", "user", id);
    }
    (void)c;
    return user;
}

/* Whether a comma-separated filter names value (NULL filter: yes). */
static int in_list(const char *list, const char *value, int nocase)
{
    if (!list || !*list)
        return 1;
    size_t n = value ? strlen(value) : 0;
    for (const char *p = list; value && p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        size_t len = strcspn(p, ",");
        if (len == n && (nocase ? strncasecmp(p, value, n) : strncmp(p, value, n)) == 0)
            return 1;
    }
    return 0;
}

static void get_users(mg_call *c, emu_reply *r)
{
    size_t from, size;
    if (mg_page(c, r, &from, &size) != 0)
        return;
    const char *ids = mg_query(c, "user_id"), *emails = mg_query(c, "email");
    const char *has_org = mg_query(c, "has_organization");
    json_t *all = json_array();
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(emu.data, "users"), i, u) {
        const char *id = json_string_value(json_object_get(u, "id"));
        if (!in_list(ids, id, 0) || !in_list(emails, json_string_value(json_object_get(u, "email")), 1))
            continue;
        if (has_org && (strcmp(has_org, "true") == 0) != (emu_member(emu.data, id, NULL) != NULL))
            continue;
        json_array_append_new(all, mg_user_json(u, 1));
    }
    json_t *out = json_object();
    mg_page_fill(out, "users", all, from, size);
    mg_ok(c, r, out);
}

static int contains_nocase(const json_t *v, const char *needle)
{
    const char *s = json_string_value(v);
    size_t n = strlen(needle);
    for (; s && *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

static void search_users(mg_call *c, emu_reply *r)
{
    size_t from, size;
    if (mg_page(c, r, &from, &size) != 0)
        return;
    const char *query = mg_query(c, "query");
    json_t *all = json_array();
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(emu.data, "users"), i, u) {
        if (query && *query && !contains_nocase(json_object_get(u, "email"), query) &&
            !contains_nocase(json_object_get(u, "given_name"), query) &&
            !contains_nocase(json_object_get(u, "family_name"), query) &&
            !contains_nocase(json_object_get(u, "id"), query))
            continue;
        json_array_append_new(all, mg_user_json(u, 1));
    }
    json_t *out = json_object();
    mg_page_fill(out, "results", all, from, size);
    mg_ok(c, r, out);
}

static void get_user(mg_call *c, emu_reply *r)
{
    json_t *user = user_or_404(c, r, mg_query(c, "id"));
    if (user)
        mg_reply(c, r, mg_user_json(user, 0));
}

/* The email of the body's identities: [{"type": "email", "details": {"email"}}]. */
static int body_email(mg_call *c, emu_reply *r, const char **email)
{
    const json_t *list = json_object_get(c->body, "identities");
    *email = NULL;
    if (list && !json_is_array(list)) {
        mg_error(r, 400, "INVALID_IDENTITIES", "identities must be an array");
        return -1;
    }
    size_t i;
    const json_t *ident;
    json_array_foreach(list, i, ident) {
        const char *type = json_string_value(json_object_get(ident, "type"));
        if (!type || (strcmp(type, "email") != 0 && strcmp(type, "phone") != 0 &&
                      strcmp(type, "username") != 0)) {
            mg_error(r, 400, "INVALID_IDENTITY_TYPE", "identities[%zu].type must be email, phone or username", i);
            return -1;
        }
        if (strcmp(type, "email") == 0 && !*email) {
            *email = json_string_value(json_object_get(json_object_get(ident, "details"), "email"));
            if (!email_ok(*email)) {
                mg_error(r, 400, "INVALID_EMAIL", "identities[%zu].details.email is not an email address", i);
                return -1;
            }
        }
    }
    if (!*email) {
        /* Signing in to the emulator is by email. */
        mg_error(r, 400, "EMAIL_REQUIRED", "the emulator needs an identity of type email to create a user");
        return -1;
    }
    return 0;
}

static void create_user(mg_call *c, emu_reply *r)
{
    const json_t *profile = json_object_get(c->body, "profile");
    int bad = 0;
    const char *org = mg_str(c, "organization_code", &bad), *provided = mg_str(c, "provided_id", &bad);
    const char *given = json_string_value(json_object_get(profile, "given_name"));
    const char *family = json_string_value(json_object_get(profile, "family_name"));
    const char *picture = json_string_value(json_object_get(profile, "picture"));
    const char *email;
    if (profile && !json_is_object(profile))
        bad = 1;
    if (bad || (given && !text_ok(given)) || (family && !text_ok(family)) || (provided && !text_ok(provided))) {
        mg_error(r, 400, "INVALID_REQUEST", "profile.given_name, profile.family_name, provided_id and "
                                             "organization_code are strings of up to 254 printable bytes");
        return;
    }
    if (body_email(c, r, &email) != 0)
        return;
    if (emu_user_by_email(emu.data, email)) {
        mg_error(r, 409, "USER_ALREADY_EXISTS", "a user with the email %s exists already", email);
        return;
    }
    if (org && !emu_org(emu.data, org)) {
        mg_error(r, 400, "ORGANIZATION_INVALID", "no organization \"%s\"", org);
        return;
    }
    char *id = mg_new_id("kp_");
    char when[32];
    mg_now_text(when);
    json_t *user = json_pack("{s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s}", "id", id, "email", email,
                             "given_name", given, "family_name", family, "picture", picture, "provided_id",
                             provided, "created_on", when, "updated_at", when);
    free(id);
    if (!user) {
        mg_error(r, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    json_array_append_new(json_object_get(emu.data, "users"), user);
    /* As a sign-up: the named organization, else the business's default
     * one with the new users' roles and permissions. */
    const json_t *nu = json_object_get(emu.data, "new_users");
    const char *join = org ? org : json_string_value(json_object_get(nu, "org"));
    if (join && emu_org(emu.data, join)) {
        json_t *perms = org ? json_array() : json_deep_copy(json_object_get(nu, "permissions"));
        json_t *roles = org ? json_array() : json_deep_copy(json_object_get(nu, "roles"));
        json_array_append_new(json_object_get(emu.data, "members"),
                              json_pack("{s:O, s:s, s:o, s:o}", "user", json_object_get(user, "id"), "org", join,
                                        "permissions", perms ? perms : json_array(), "roles",
                                        roles ? roles : json_array()));
    }
    identities(user);
    mg_event(c, "user.created", mg_user_event(user));
    mg_reply(c, r, json_pack("{s:O, s:b, s:[{s:s, s:{s:b}}]}", "id", json_object_get(user, "id"), "created", 1,
                             "identities", "type", "email", "result", "created", 1));
}

static void update_user(mg_call *c, emu_reply *r)
{
    json_t *user = user_or_404(c, r, mg_query(c, "id"));
    if (!user)
        return;
    static const char *const texts[] = {"given_name", "family_name", "picture", "provided_id"};
    static const char *const flags[] = {"is_suspended", "is_password_reset_requested"};
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = json_object_get(c->body, texts[i]);
        if (v && !(json_is_string(v) && text_ok(json_string_value(v)))) {
            mg_error(r, 400, "INVALID_REQUEST", "%s must be a string of up to 254 printable bytes", texts[i]);
            return;
        }
    }
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(c->body, flags[i]);
        if (v && !json_is_boolean(v)) {
            mg_error(r, 400, "INVALID_REQUEST", "%s must be true or false", flags[i]);
            return;
        }
    }
    for (size_t i = 0; i < 4; i++)
        if (json_object_get(c->body, texts[i]))
            json_object_set(user, texts[i], json_object_get(c->body, texts[i]));
    if (json_object_get(c->body, "is_suspended"))
        json_object_set(user, "is_suspended", json_object_get(c->body, "is_suspended"));
    char when[32];
    mg_now_text(when);
    json_object_set_new(user, "updated_at", json_string(when));
    mg_event(c, "user.updated", mg_user_event(user));
    mg_reply(c, r, json_pack("{s:O, s:O?, s:O?, s:O, s:b, s:b, s:O?}", "id", json_object_get(user, "id"),
                             "given_name", json_object_get(user, "given_name"), "family_name",
                             json_object_get(user, "family_name"), "email", json_object_get(user, "email"),
                             "is_suspended", json_is_true(json_object_get(user, "is_suspended")),
                             "is_password_reset_requested",
                             json_is_true(json_object_get(c->body, "is_password_reset_requested")), "picture",
                             json_object_get(user, "picture")));
}

/* Removes every item of array whose field equals value. */
static void remove_all(json_t *array, const char *field, const char *value)
{
    for (size_t i = json_array_size(array); i-- > 0;) {
        const char *v = json_string_value(json_object_get(json_array_get(array, i), field));
        if (v && strcmp(v, value) == 0)
            json_array_remove(array, i);
    }
}

static void delete_user(mg_call *c, emu_reply *r)
{
    const char *id = mg_query(c, "id");
    json_t *user = user_or_404(c, r, id);
    if (!user)
        return;
    json_t *data = json_pack("{s:{s:O}}", "user", "id", json_object_get(user, "id"));
    remove_all(json_object_get(emu.data, "members"), "user", id);
    remove_all(json_object_get(emu.data, "users"), "id", id); /* user is gone now */
    mg_event(c, "user.deleted", data);
    mg_success(c, r);
}

static void refresh_claims(mg_call *c, emu_reply *r)
{
    /* Tokens are built from the current data at every issue: nothing is
     * cached, so there is nothing to refresh. */
    if (user_or_404(c, r, c->params[0]))
        mg_success(c, r);
}

static json_t *identity_json(const json_t *ident)
{
    return json_pack("{s:O, s:O, s:b, s:O?, s:n, s:i, s:O, s:O?, s:n, s:b}", "id", json_object_get(ident, "id"),
                     "type", json_object_get(ident, "type"), "is_confirmed", 1, "created_on",
                     json_object_get(ident, "created_on"), "last_login_on", "total_logins", 0, "name",
                     json_object_get(ident, "name"), "email",
                     strcmp(json_string_value(json_object_get(ident, "type")), "email") == 0
                         ? json_object_get(ident, "name")
                         : NULL,
                     "connection_id", "is_primary", json_is_true(json_object_get(ident, "is_primary")));
}

static void get_identities(mg_call *c, emu_reply *r)
{
    json_t *user = user_or_404(c, r, c->params[0]);
    if (!user)
        return;
    json_t *list = json_array();
    size_t i;
    const json_t *ident;
    json_array_foreach(identities(user), i, ident)
        json_array_append_new(list, identity_json(ident));
    mg_ok(c, r, json_pack("{s:o, s:b}", "identities", list, "has_more", 0));
}

static void create_identity(mg_call *c, emu_reply *r)
{
    json_t *user = user_or_404(c, r, c->params[0]);
    if (!user)
        return;
    int bad = 0;
    const char *value = mg_str(c, "value", &bad), *type = mg_str(c, "type", &bad);
    if (bad || !type || !value || !text_ok(value) ||
        (strcmp(type, "email") != 0 && strcmp(type, "username") != 0 &&
         strcmp(type, "phone") != 0)) {
        mg_error(r, 400, "INVALID_REQUEST", "value and type (email, username or phone) are required");
        return;
    }
    if (strcmp(type, "email") == 0 && !email_ok(value)) {
        mg_error(r, 400, "INVALID_EMAIL", "value is not an email address");
        return;
    }
    if (strcmp(type, "email") == 0 && emu_user_by_email(emu.data, value)) {
        /* one email, one user: it may become the one they sign in with */
        mg_error(r, 409, "IDENTITY_ALREADY_EXISTS", "a user has the email %s already", value);
        return;
    }
    char *id = mg_new_id("identity_");
    char when[32];
    mg_now_text(when);
    json_array_append_new(identities(user), json_pack("{s:s?, s:s, s:s, s:b, s:s}", "id", id, "type", type,
                                                      "name", value, "is_primary", 0, "created_on", when));
    mg_ok(c, r, json_pack("{s:{s:s?}}", "identity", "id", id));
    free(id);
}

/* The identity with this id and its user (lock held). */
static json_t *find_identity(const char *id, json_t **user_out, size_t *index)
{
    size_t i, k;
    json_t *u, *ident;
    json_array_foreach(json_object_get(emu.data, "users"), i, u) {
        json_array_foreach(json_object_get(u, "identities"), k, ident) {
            const char *v = json_string_value(json_object_get(ident, "id"));
            if (v && strcmp(v, id) == 0) {
                *user_out = u;
                *index = k;
                return ident;
            }
        }
    }
    return NULL;
}

static void get_identity(mg_call *c, emu_reply *r)
{
    json_t *user;
    size_t i;
    json_t *ident = find_identity(c->params[0], &user, &i);
    if (!ident)
        mg_not_found(r, "IDENTITY", "identity", c->params[0]);
    else
        mg_reply(c, r, identity_json(ident));
}

static void update_identity(mg_call *c, emu_reply *r)
{
    json_t *user;
    size_t i;
    json_t *ident = find_identity(c->params[0], &user, &i);
    const json_t *primary = json_object_get(c->body, "is_primary");
    if (!ident) {
        mg_not_found(r, "IDENTITY", "identity", c->params[0]);
        return;
    }
    if (primary && !json_is_boolean(primary)) {
        mg_error(r, 400, "INVALID_REQUEST", "is_primary must be true or false");
        return;
    }
    if (json_is_true(primary)) {
        size_t k;
        json_t *other;
        json_array_foreach(json_object_get(user, "identities"), k, other)
            if (json_equal(json_object_get(other, "type"), json_object_get(ident, "type")))
                json_object_set_new(other, "is_primary", json_false());
        json_object_set_new(ident, "is_primary", json_true());
        /* The primary email is the one the user signs in with. */
        if (strcmp(json_string_value(json_object_get(ident, "type")), "email") == 0)
            json_object_set(user, "email", json_object_get(ident, "name"));
    }
    mg_success(c, r);
}

static void delete_identity(mg_call *c, emu_reply *r)
{
    json_t *user;
    size_t i;
    json_t *ident = find_identity(c->params[0], &user, &i);
    if (!ident) {
        mg_not_found(r, "IDENTITY", "identity", c->params[0]);
        return;
    }
    if (json_is_true(json_object_get(ident, "is_primary")) &&
        strcmp(json_string_value(json_object_get(ident, "type")), "email") == 0) {
        mg_error(r, 400, "CANNOT_DELETE_PRIMARY_IDENTITY", "the primary email is how this user signs in");
        return;
    }
    json_array_remove(json_object_get(user, "identities"), i);
    mg_success(c, r);
}

const mg_route mg_user_routes[] = {
    {"getUsers", get_users},
    {"searchUsers", search_users},
    {"getUserData", get_user},
    {"createUser", create_user},
    {"updateUser", update_user},
    {"deleteUser", delete_user},
    {"refreshUserClaims", refresh_claims},
    {"GetUserIdentities", get_identities},
    {"CreateUserIdentity", create_identity},
    {"GetIdentity", get_identity},
    {"UpdateIdentity", update_identity},
    {"DeleteIdentity", delete_identity},
    {NULL, NULL},
};
