/* Management API: organizations, their members, and each member's roles
 * and permissions. Members are the data file's {user, org, permissions,
 * roles, feature_flags}: roles and permissions by key, as tokens carry
 * them; the API names them by id. Handlers run with emu.lock held. */
#include "mgmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *member_or_404(emu_reply *r, const char *org_code, const char *user_id)
{
    if (!mg_org_or_404(r, org_code))
        return NULL;
    json_t *m = (json_t *)emu_member(emu.data, user_id, org_code);
    if (!m)
        mg_error(r, 404, "ORGANIZATION_USER_NOT_FOUND", "user \"%s\" is not a member of %s", user_id, org_code);
    return m;
}

static const char *default_org(void)
{
    const char *code = json_string_value(json_object_get(json_object_get(emu.data, "new_users"), "org"));
    if (!code)
        code = json_string_value(json_object_get(json_array_get(json_object_get(emu.data, "organizations"), 0), "code"));
    return code;
}

static json_t *org_item(const json_t *org)
{
    const char *code = json_string_value(json_object_get(org, "code"));
    const char *dflt = default_org();
    return json_pack("{s:s, s:o, s:o, s:b, s:o, s:b}", "code", code, "name", mg_nullable(json_object_get(org, "name")),
                     "handle", mg_nullable(json_object_get(org, "handle")), "is_default", dflt && strcmp(dflt, code) == 0,
                     "external_id", mg_nullable(json_object_get(org, "external_id")), "is_auto_membership_enabled", 0);
}

static json_t *event_org(const json_t *org)
{
    return json_pack("{s:{s:O, s:o, s:o}}", "organization", "code", json_object_get(org, "code"), "name",
                     mg_nullable(json_object_get(org, "name")), "external_id", mg_nullable(json_object_get(org, "external_id")));
}

static void get_org(mg_call *c, emu_reply *r)
{
    const char *code = mg_query(c, "code");
    json_t *org = mg_org_or_404(r, code ? code : default_org());
    if (!org)
        return;
    json_t *out = org_item(org);
    json_object_set_new(out, "created_on", mg_nullable(json_object_get(org, "created_on")));
    json_object_set_new(out, "is_suspended", json_false());
    mg_reply(c, r, out);
}

static void get_orgs(mg_call *c, emu_reply *r)
{
    mg_list(c, r, "organizations", json_object_get(emu.data, "organizations"), org_item);
}

/* name, external_id and handle of a create or update body. */
static int org_fields(mg_call *c, emu_reply *r, int create)
{
    int bad = 0;
    const char *name = mg_str(c, "name", &bad);
    mg_str(c, "external_id", &bad);
    mg_str(c, "handle", &bad);
    if (bad || (create && (!name || !*name)) || (name && strlen(name) > 254)) {
        mg_error(r, 400, "INVALID_REQUEST", "name%s, external_id and handle are strings", create ? " (required)" : "");
        return -1;
    }
    const json_t *flags = json_object_get(c->body, "feature_flags");
    if (flags && !json_is_object(flags)) {
        mg_error(r, 400, "INVALID_REQUEST", "feature_flags must be an object of flag key to value");
        return -1;
    }
    return 0;
}

/* The body's {"feature_flags": {key: "value"}} as the organization's overrides. */
static int apply_org_flags(mg_call *c, emu_reply *r, json_t *org)
{
    const char *key;
    json_t *v;
    json_t *defs = json_object_get(emu.data, "feature_flags");
    json_t *set = json_object();
    json_object_foreach(json_object_get(c->body, "feature_flags"), key, v) {
        const json_t *def = json_object_get(defs, key);
        json_t *value = NULL;
        if (!def || !json_is_string(v) ||
            mg_flag_value(json_string_value(json_object_get(def, "t")), json_string_value(v), &value) != 0) {
            json_decref(set);
            mg_error(r, 400, "INVALID_FEATURE_FLAG", "feature_flags.%s: no such flag, or not a value of its type", key);
            return -1;
        }
        json_object_set_new(set, key, json_pack("{s:O, s:o}", "t", json_object_get(def, "t"), "v", value));
    }
    if (json_object_size(set)) {
        json_object_update(mg_member(org, "feature_flags", 0), set);
    }
    json_decref(set);
    return 0;
}

static void create_org(mg_call *c, emu_reply *r)
{
    if (org_fields(c, r, 1) != 0)
        return;
    char *code = mg_new_id("org_");
    char when[32];
    mg_now_text(when);
    json_t *org = json_pack("{s:s?, s:O, s:s}", "code", code, "name", json_object_get(c->body, "name"),
                            "created_on", when);
    free(code);
    if (!org) {
        mg_error(r, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    if (json_object_get(c->body, "external_id"))
        json_object_set(org, "external_id", json_object_get(c->body, "external_id"));
    if (json_object_get(c->body, "handle"))
        json_object_set(org, "handle", json_object_get(c->body, "handle"));
    if (apply_org_flags(c, r, org) != 0) {
        json_decref(org);
        return;
    }
    json_array_append_new(json_object_get(emu.data, "organizations"), org);
    mg_event(c, "organization.created", event_org(org));
    mg_ok(c, r, json_pack("{s:{s:O, s:n}}", "organization", "code", json_object_get(org, "code"),
                          "billing_customer_id"));
}

static void update_org(mg_call *c, emu_reply *r)
{
    json_t *org = mg_org_or_404(r, c->params[0]);
    if (!org || org_fields(c, r, 0) != 0 || apply_org_flags(c, r, org) != 0)
        return;
    static const char *const fields[] = {"name", "external_id", "handle"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(c->body, fields[i]))
            json_object_set(org, fields[i], json_object_get(c->body, fields[i]));
    mg_event(c, "organization.updated", event_org(org));
    mg_success(c, r);
}

static void delete_org(mg_call *c, emu_reply *r)
{
    const char *code = c->params[0];
    json_t *org = mg_org_or_404(r, code);
    if (!org)
        return;
    const char *dflt = default_org();
    if (dflt && strcmp(dflt, code) == 0) {
        mg_error(r, 400, "CANNOT_DELETE_DEFAULT_ORGANIZATION", "%s is the business's default organization", code);
        return;
    }
    mg_event(c, "organization.deleted", json_pack("{s:{s:s}}", "organization", "code", code));
    json_t *members = json_object_get(emu.data, "members");
    for (size_t i = json_array_size(members); i-- > 0;)
        if (strcmp(json_string_value(json_object_get(json_array_get(members, i), "org")), code) == 0)
            json_array_remove(members, i);
    json_t *orgs = json_object_get(emu.data, "organizations");
    json_array_remove(orgs, (size_t)mg_index(orgs, "code", code));
    mg_success(c, r);
}

/* ---- members ---------------------------------------------------------------- */

static json_t *org_user_json(const json_t *m)
{
    const json_t *u = emu_user_by_id(emu.data, json_string_value(json_object_get(m, "user")));
    const char *given = json_string_value(json_object_get(u, "given_name"));
    const char *family = json_string_value(json_object_get(u, "family_name"));
    char full[520];
    snprintf(full, sizeof full, "%s%s%s", given ? given : "", given && family ? " " : "", family ? family : "");
    return json_pack("{s:O, s:O, s:s, s:o, s:o, s:o, s:o, s:n, s:b, s:O}", "id", json_object_get(u, "id"), "email",
                     json_object_get(u, "email"), "full_name", full, "last_name",
                     mg_nullable(json_object_get(u, "family_name")), "first_name",
                     mg_nullable(json_object_get(u, "given_name")), "picture", mg_nullable(json_object_get(u, "picture")),
                     "joined_on", mg_nullable(json_object_get(m, "joined_on")), "last_accessed_on", "is_suspended",
                     json_is_true(json_object_get(u, "is_suspended")), "roles", json_object_get(m, "roles"));
}

static void get_org_users(mg_call *c, emu_reply *r)
{
    size_t from, size;
    if (!mg_org_or_404(r, c->params[0]) || mg_page(c, r, &from, &size) != 0)
        return;
    const char *role = mg_query(c, "roles");
    json_t *all = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(emu.data, "members"), i, m)
        if (strcmp(json_string_value(json_object_get(m, "org")), c->params[0]) == 0 &&
            (!role || emu_string_in(json_object_get(m, "roles"), role)))
            json_array_append_new(all, org_user_json(m));
    json_t *out = json_object();
    mg_page_fill(out, "organization_users", all, from, size);
    mg_ok(c, r, out);
}

/* Checks {"id", "roles": [keys], "permissions": [keys]} of users[i]. */
static int check_user_entry(emu_reply *r, const json_t *entry, size_t i)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    if (!emu_user_by_id(emu.data, id)) {
        mg_error(r, 400, "USER_INVALID", "users[%zu].id: no such user", i);
        return -1;
    }
    static const char *const lists[] = {"roles", "permissions"};
    for (size_t l = 0; l < 2; l++) {
        const json_t *list = json_object_get(entry, lists[l]);
        if (list && !json_is_array(list)) {
            mg_error(r, 400, "INVALID_REQUEST", "users[%zu].%s must be an array of keys", i, lists[l]);
            return -1;
        }
        size_t k;
        const json_t *key;
        json_array_foreach(list, k, key) {
            const char *s = json_string_value(key);
            if (!(l == 0 ? emu_role(emu.data, s) : emu_permission(emu.data, s))) {
                mg_error(r, 400, l == 0 ? "ROLE_INVALID" : "PERMISSION_INVALID", "users[%zu].%s[%zu]: no such %s",
                         i, lists[l], k, l == 0 ? "role" : "permission");
                return -1;
            }
        }
    }
    return 0;
}

/* Adds the entry's roles and permissions (as keys) to the member. */
static void grant(json_t *member, const json_t *entry)
{
    size_t k;
    const json_t *v;
    json_array_foreach(json_object_get(entry, "roles"), k, v) {
        const json_t *role = emu_role(emu.data, json_string_value(v));
        if (!emu_string_in(json_object_get(member, "roles"), json_string_value(json_object_get(role, "key"))))
            json_array_append(json_object_get(member, "roles"), json_object_get(role, "key"));
    }
    json_array_foreach(json_object_get(entry, "permissions"), k, v) {
        const char *key = emu_permission_key(emu_permission(emu.data, json_string_value(v)));
        if (!emu_string_in(json_object_get(member, "permissions"), key))
            json_array_append_new(json_object_get(member, "permissions"), json_string(key));
    }
}

static json_t *add_member(const char *user, const char *org)
{
    char when[32];
    mg_now_text(when);
    json_t *m = json_pack("{s:s, s:s, s:[], s:[], s:s}", "user", user, "org", org, "permissions", "roles",
                          "joined_on", when);
    json_array_append_new(json_object_get(emu.data, "members"), m);
    return m;
}

static void remove_member(const char *user, const char *org)
{
    json_t *members = json_object_get(emu.data, "members");
    for (size_t i = json_array_size(members); i-- > 0;) {
        const json_t *m = json_array_get(members, i);
        if (strcmp(json_string_value(json_object_get(m, "user")), user) == 0 &&
            strcmp(json_string_value(json_object_get(m, "org")), org) == 0)
            json_array_remove(members, i);
    }
}

static int users_body(mg_call *c, emu_reply *r, const json_t **users)
{
    *users = json_object_get(c->body, "users");
    if (!json_is_array(*users) || json_array_size(*users) == 0) {
        mg_error(r, 400, "INVALID_REQUEST", "users: a non-empty array of {\"id\", \"roles\", \"permissions\"}");
        return -1;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(*users, i, e) if (check_user_entry(r, e, i) != 0) return -1;
    return 0;
}

static void add_org_users(mg_call *c, emu_reply *r)
{
    const char *org = c->params[0];
    const json_t *users;
    if (!mg_org_or_404(r, org) || users_body(c, r, &users) != 0)
        return;
    json_t *added = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(users, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        json_t *m = (json_t *)emu_member(emu.data, id, org);
        if (!m) {
            m = add_member(id, org);
            json_array_append_new(added, json_string(id));
        }
        grant(m, e);
    }
    mg_ok(c, r, json_pack("{s:o}", "users_added", added));
}

static void update_org_users(mg_call *c, emu_reply *r)
{
    const char *org = c->params[0];
    const json_t *users;
    if (!mg_org_or_404(r, org) || users_body(c, r, &users) != 0)
        return;
    json_t *added = json_array(), *updated = json_array(), *removed = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(users, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *op = json_string_value(json_object_get(e, "operation"));
        json_t *m = (json_t *)emu_member(emu.data, id, org);
        if (op && strcmp(op, "delete") == 0) {
            if (m) {
                remove_member(id, org);
                json_array_append_new(removed, json_string(id));
            }
            continue;
        }
        json_array_append_new(m ? updated : added, json_string(id));
        if (!m)
            m = add_member(id, org);
        grant(m, e);
    }
    mg_ok(c, r, json_pack("{s:o, s:o, s:o}", "users_added", added, "users_updated", updated, "users_removed", removed));
}

static void remove_org_user(mg_call *c, emu_reply *r)
{
    if (!member_or_404(r, c->params[0], c->params[1]))
        return;
    remove_member(c->params[1], c->params[0]);
    mg_success(c, r);
}

static json_t *role_json(const json_t *role)
{
    return json_pack("{s:O, s:O, s:O}", "id", json_object_get(role, "id"), "key", json_object_get(role, "key"),
                     "name", json_object_get(role, "name") ? json_object_get(role, "name") : json_object_get(role, "key"));
}

static void get_member_roles(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    json_t *roles = json_array();
    size_t i;
    const json_t *key;
    json_array_foreach(json_object_get(m, "roles"), i, key) {
        const json_t *role = emu_role(emu.data, json_string_value(key));
        if (role)
            json_array_append_new(roles, role_json(role));
    }
    mg_ok(c, r, json_pack("{s:o}", "roles", roles));
}

static void add_member_role(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    int bad = 0;
    const char *id = mg_str(c, "role_id", &bad);
    const json_t *role = id ? emu_role(emu.data, id) : NULL;
    if (bad || !id) {
        mg_error(r, 400, "INVALID_REQUEST", "role_id is required");
        return;
    }
    if (!role) {
        mg_not_found(r, "ROLE", "role", id);
        return;
    }
    if (!emu_string_in(json_object_get(m, "roles"), json_string_value(json_object_get(role, "key"))))
        json_array_append(json_object_get(m, "roles"), json_object_get(role, "key"));
    mg_success(c, r);
}

static void delete_member_role(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    const json_t *role = emu_role(emu.data, c->params[2]);
    const char *key = json_string_value(json_object_get(role, "key"));
    if (!role || !emu_string_in(json_object_get(m, "roles"), key)) {
        mg_not_found(r, "ROLE", "role of this member", c->params[2]);
        return;
    }
    mg_remove_string(json_object_get(m, "roles"), key);
    mg_success(c, r);
}

static void get_member_permissions(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    json_t *keys = emu_member_permissions(emu.data, m);
    json_t *out = json_array();
    size_t i, k;
    const json_t *key, *rk;
    json_array_foreach(keys, i, key) {
        const json_t *p = emu_permission(emu.data, json_string_value(key));
        json_t *via = json_array();
        json_array_foreach(json_object_get(m, "roles"), k, rk) {
            const json_t *role = emu_role(emu.data, json_string_value(rk));
            if (emu_string_in(json_object_get(role, "permissions"), json_string_value(key)))
                json_array_append_new(via, json_pack("{s:O, s:O}", "id", json_object_get(role, "id"), "key", rk));
        }
        json_array_append_new(out, json_pack("{s:o, s:O, s:o, s:o}", "id", mg_nullable(json_object_get(p, "id")), "key",
                                             key, "name", mg_nullable(json_object_get(p, "name")), "roles", via));
    }
    json_decref(keys);
    mg_ok(c, r, json_pack("{s:o}", "permissions", out));
}

static void add_member_permission(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    int bad = 0;
    const char *id = mg_str(c, "permission_id", &bad);
    const char *key = emu_permission_key(id ? emu_permission(emu.data, id) : NULL);
    if (bad || !id) {
        mg_error(r, 400, "INVALID_REQUEST", "permission_id is required");
        return;
    }
    if (!key) {
        mg_not_found(r, "PERMISSION", "permission", id);
        return;
    }
    if (!emu_string_in(json_object_get(m, "permissions"), key))
        json_array_append_new(json_object_get(m, "permissions"), json_string(key));
    mg_success(c, r);
}

static void delete_member_permission(mg_call *c, emu_reply *r)
{
    json_t *m = member_or_404(r, c->params[0], c->params[1]);
    if (!m)
        return;
    const char *key = emu_permission_key(emu_permission(emu.data, c->params[2]));
    if (!key || !emu_string_in(json_object_get(m, "permissions"), key)) {
        mg_not_found(r, "PERMISSION", "permission of this member", c->params[2]);
        return;
    }
    mg_remove_string(json_object_get(m, "permissions"), key);
    mg_success(c, r);
}

static void get_org_role_users(mg_call *c, emu_reply *r)
{
    size_t from, size;
    const json_t *role = emu_role(emu.data, c->params[1]);
    if (!mg_org_or_404(r, c->params[0]))
        return;
    if (!role) {
        mg_not_found(r, "ROLE", "role", c->params[1]);
        return;
    }
    if (mg_page(c, r, &from, &size) != 0)
        return;
    json_t *all = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(emu.data, "members"), i, m)
        if (strcmp(json_string_value(json_object_get(m, "org")), c->params[0]) == 0 &&
            emu_string_in(json_object_get(m, "roles"), json_string_value(json_object_get(role, "key"))))
            json_array_append_new(all, org_user_json(m));
    json_t *out = json_object();
    mg_page_fill(out, "users", all, from, size);
    mg_ok(c, r, out);
}

const mg_route mg_org_routes[] = {
    {"getOrganization", get_org},
    {"createOrganization", create_org},
    {"getOrganizations", get_orgs},
    {"updateOrganization", update_org},
    {"deleteOrganization", delete_org},
    {"GetOrganizationUsers", get_org_users},
    {"AddOrganizationUsers", add_org_users},
    {"UpdateOrganizationUsers", update_org_users},
    {"RemoveOrganizationUser", remove_org_user},
    {"GetOrganizationUserRoles", get_member_roles},
    {"CreateOrganizationUserRole", add_member_role},
    {"DeleteOrganizationUserRole", delete_member_role},
    {"GetOrganizationUserPermissions", get_member_permissions},
    {"CreateOrganizationUserPermission", add_member_permission},
    {"DeleteOrganizationUserPermission", delete_member_permission},
    {"GetOrganizationRoleUsers", get_org_role_users},
    {NULL, NULL},
};
