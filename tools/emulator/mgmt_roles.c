/* Management API: roles, the permissions each role grants, and the
 * business's permissions. Roles and permissions have an id (the API's
 * name for them) and a key (what tokens and members carry); changing a
 * key changes it wherever it is used, deleting one removes it from every
 * role and member, so the next token follows. Handlers run with emu.lock
 * held. */
#include "mgmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys like Kinde's: letters, digits, and _ : - . */
static int key_ok(const char *key)
{
    if (!key || !*key || strlen(key) > 128)
        return 0;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == ':' || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

/* name, key and description of a create (all but description required)
 * or update body. */
static int fields_ok(mg_call *c, emu_reply *r, int create)
{
    int bad = 0;
    const char *name = mg_str(c, "name", &bad), *key = mg_str(c, "key", &bad);
    mg_str(c, "description", &bad);
    const json_t *dflt = json_object_get(c->body, "is_default_role");
    if (bad || (dflt && !json_is_boolean(dflt)) || (name && strlen(name) > 254)) {
        mg_error(r, 400, "INVALID_REQUEST", "name, key and description are strings");
        return -1;
    }
    if ((create && (!name || !*name)) || (key && !key_ok(key)) || (create && !key)) {
        mg_error(r, 400, "INVALID_REQUEST", "%s", create ? "name and key are required; key: letters, digits, _ : - ."
                                                         : "key: letters, digits, _ : - .");
        return -1;
    }
    return 0;
}

/* Replaces the string old by new in every array under member of every
 * item of list (a renamed key). */
static void rename_in(const char *list, const char *member, const char *old, const char *new_key)
{
    size_t i, k;
    json_t *item, *v;
    json_array_foreach(json_object_get(emu.data, list), i, item)
        json_array_foreach(json_object_get(item, member), k, v)
            if (strcmp(json_string_value(v), old) == 0)
                json_array_set_new(json_object_get(item, member), k, json_string(new_key));
}

static void remove_in(const char *list, const char *member, const char *key)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(emu.data, list), i, item) {
        mg_remove_string(json_object_get(item, member), key);
    }
}

/* ---- roles ------------------------------------------------------------------ */

static json_t *role_json(const json_t *role)
{
    return json_pack("{s:O, s:O, s:o, s:o, s:b}", "id", json_object_get(role, "id"), "key",
                     json_object_get(role, "key"), "name", mg_nullable(json_object_get(role, "name")), "description",
                     mg_nullable(json_object_get(role, "description")), "is_default_role",
                     json_is_true(json_object_get(role, "is_default_role")));
}

static json_t *event_role(const json_t *role)
{
    return json_pack("{s:{s:O, s:O, s:o}}", "role", "id", json_object_get(role, "id"), "key",
                     json_object_get(role, "key"), "name", mg_nullable(json_object_get(role, "name")));
}

static json_t *role_or_404(emu_reply *r, const char *id)
{
    json_t *role = (json_t *)emu_role(emu.data, id);
    if (!role)
        mg_not_found(r, "ROLE", "role", id);
    return role;
}

static void get_roles(mg_call *c, emu_reply *r)
{
    mg_list(c, r, "roles", json_object_get(emu.data, "roles"), role_json);
}

static void get_role(mg_call *c, emu_reply *r)
{
    json_t *role = role_or_404(r, c->params[0]);
    if (role)
        mg_ok(c, r, json_pack("{s:o}", "role", role_json(role)));
}

static void set_fields(json_t *obj, const json_t *body)
{
    static const char *const fields[] = {"name", "key", "description", "is_default_role"};
    for (size_t i = 0; i < 4; i++)
        if (json_object_get(body, fields[i]) && !json_is_null(json_object_get(body, fields[i])))
            json_object_set(obj, fields[i], json_object_get(body, fields[i]));
}

static void create_role(mg_call *c, emu_reply *r)
{
    if (fields_ok(c, r, 1) != 0)
        return;
    const char *key = json_string_value(json_object_get(c->body, "key"));
    if (emu_role(emu.data, key)) {
        mg_error(r, 409, "ROLE_KEY_EXISTS", "a role with the key %s exists already", key);
        return;
    }
    char *id = mg_new_id("role_");
    json_t *role = json_pack("{s:s?, s:[]}", "id", id, "permissions");
    free(id);
    set_fields(role, c->body);
    json_array_append_new(json_object_get(emu.data, "roles"), role);
    mg_event(c, "role.created", event_role(role));
    mg_ok(c, r, json_pack("{s:{s:O}}", "role", "id", json_object_get(role, "id")));
}

static void update_role(mg_call *c, emu_reply *r)
{
    json_t *role = role_or_404(r, c->params[0]);
    if (!role || fields_ok(c, r, 0) != 0)
        return;
    const char *key = json_string_value(json_object_get(c->body, "key"));
    const json_t *other = key ? emu_role(emu.data, key) : NULL;
    if (other && other != role) {
        mg_error(r, 409, "ROLE_KEY_EXISTS", "a role with the key %s exists already", key);
        return;
    }
    if (key) {
        char old[256];
        snprintf(old, sizeof old, "%s", json_string_value(json_object_get(role, "key")));
        rename_in("members", "roles", old, key);
    }
    set_fields(role, c->body);
    mg_event(c, "role.updated", event_role(role));
    mg_success(c, r);
}

static void delete_role(mg_call *c, emu_reply *r)
{
    json_t *role = role_or_404(r, c->params[0]);
    if (!role)
        return;
    char key[256];
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(role, "key")));
    mg_event(c, "role.deleted", event_role(role));
    remove_in("members", "roles", key);
    json_t *roles = json_object_get(emu.data, "roles");
    json_array_remove(roles, (size_t)mg_index(roles, "key", key));
    mg_success(c, r);
}

static json_t *permission_json(const json_t *p)
{
    return json_pack("{s:O, s:s, s:o, s:o}", "id", json_object_get(p, "id"), "key", emu_permission_key(p), "name",
                     mg_nullable(json_object_get(p, "name")), "description", mg_nullable(json_object_get(p, "description")));
}

static void get_role_permissions(mg_call *c, emu_reply *r)
{
    size_t from, size;
    json_t *role = role_or_404(r, c->params[0]);
    if (!role || mg_page(c, r, &from, &size) != 0)
        return;
    json_t *all = json_array();
    size_t i;
    const json_t *key;
    json_array_foreach(json_object_get(role, "permissions"), i, key) {
        const json_t *p = emu_permission(emu.data, json_string_value(key));
        if (p)
            json_array_append_new(all, permission_json(p));
    }
    json_t *out = json_object();
    mg_page_fill(out, "permissions", all, from, size);
    mg_ok(c, r, out);
}

/* {"permissions": [{"id", "operation": "delete"?}]} */
static void update_role_permissions(mg_call *c, emu_reply *r)
{
    json_t *role = role_or_404(r, c->params[0]);
    if (!role)
        return;
    const json_t *list = json_object_get(c->body, "permissions");
    if (!json_is_array(list)) {
        mg_error(r, 400, "INVALID_REQUEST", "permissions: an array of {\"id\", \"operation\"?}");
        return;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *op = json_string_value(json_object_get(e, "operation"));
        if (!emu_permission(emu.data, id) || (op && strcmp(op, "delete") != 0)) {
            mg_error(r, 400, "PERMISSION_INVALID", "permissions[%zu]: no permission with that id, or an operation "
                                                   "other than delete", i);
            return;
        }
    }
    json_t *added = json_array(), *removed = json_array(), *have = json_object_get(role, "permissions");
    json_array_foreach(list, i, e) {
        const json_t *p = emu_permission(emu.data, json_string_value(json_object_get(e, "id")));
        const char *key = emu_permission_key(p);
        const char *op = json_string_value(json_object_get(e, "operation"));
        if (op) {
            if (emu_string_in(have, key)) {
                mg_remove_string(have, key);
                json_array_append(removed, json_object_get(p, "id"));
            }
        } else if (!emu_string_in(have, key)) {
            json_array_append_new(have, json_string(key));
            json_array_append(added, json_object_get(p, "id"));
        }
    }
    mg_event(c, "role.updated", event_role(role));
    mg_ok(c, r, json_pack("{s:O, s:o, s:o}", "id", json_object_get(role, "id"), "permissions_added", added,
                          "permissions_removed", removed));
}

static void remove_role_permission(mg_call *c, emu_reply *r)
{
    json_t *role = role_or_404(r, c->params[0]);
    if (!role)
        return;
    const char *key = emu_permission_key(emu_permission(emu.data, c->params[1]));
    json_t *have = json_object_get(role, "permissions");
    if (!key || !emu_string_in(have, key)) {
        mg_not_found(r, "PERMISSION", "permission of this role", c->params[1]);
        return;
    }
    mg_remove_string(have, key);
    mg_event(c, "role.updated", event_role(role));
    mg_success(c, r);
}

static void get_role_users(mg_call *c, emu_reply *r)
{
    size_t from, size;
    json_t *role = role_or_404(r, c->params[0]);
    if (!role || mg_page(c, r, &from, &size) != 0)
        return;
    /* {id, org_codes}: each user holding the role, with the organizations where they do. */
    json_t *by_user = json_object(), *order = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(emu.data, "members"), i, m) {
        if (!emu_string_in(json_object_get(m, "roles"), json_string_value(json_object_get(role, "key"))))
            continue;
        const char *u = json_string_value(json_object_get(m, "user"));
        json_t *entry = json_object_get(by_user, u);
        if (!entry) {
            entry = json_pack("{s:s, s:[]}", "id", u, "org_codes");
            json_object_set_new(by_user, u, entry);
            json_array_append(order, entry);
        }
        json_array_append(json_object_get(entry, "org_codes"), json_object_get(m, "org"));
    }
    json_decref(by_user);
    json_t *out = json_object();
    mg_page_fill(out, "users", order, from, size);
    mg_ok(c, r, out);
}

/* ---- permissions ---------------------------------------------------------------- */

static json_t *event_permission(const json_t *p)
{
    return json_pack("{s:{s:O, s:s, s:o}}", "permission", "id", json_object_get(p, "id"), "key",
                     emu_permission_key(p), "name", mg_nullable(json_object_get(p, "name")));
}

static void get_permissions(mg_call *c, emu_reply *r)
{
    mg_list(c, r, "permissions", json_object_get(emu.data, "permissions"), permission_json);
}

static void create_permission(mg_call *c, emu_reply *r)
{
    if (fields_ok(c, r, 1) != 0)
        return;
    const char *key = json_string_value(json_object_get(c->body, "key"));
    if (emu_permission(emu.data, key)) {
        mg_error(r, 409, "PERMISSION_KEY_EXISTS", "a permission with the key %s exists already", key);
        return;
    }
    char *id = mg_new_id("perm_");
    json_t *p = json_pack("{s:s?, s:s}", "id", id, "description", "");
    free(id);
    set_fields(p, c->body);
    json_object_del(p, "is_default_role");
    json_array_append_new(json_object_get(emu.data, "permissions"), p);
    mg_event(c, "permission.created", event_permission(p));
    mg_success(c, r);
}

static json_t *permission_or_404(emu_reply *r, const char *id)
{
    json_t *p = (json_t *)emu_permission(emu.data, id);
    if (!p)
        mg_not_found(r, "PERMISSION", "permission", id);
    return p;
}

static void update_permission(mg_call *c, emu_reply *r)
{
    json_t *p = permission_or_404(r, c->params[0]);
    if (!p || fields_ok(c, r, 0) != 0)
        return;
    const char *key = json_string_value(json_object_get(c->body, "key"));
    const json_t *other = key ? emu_permission(emu.data, key) : NULL;
    if (other && other != p) {
        mg_error(r, 409, "PERMISSION_KEY_EXISTS", "a permission with the key %s exists already", key);
        return;
    }
    if (key) {
        char old[256];
        snprintf(old, sizeof old, "%s", emu_permission_key(p));
        rename_in("members", "permissions", old, key);
        rename_in("roles", "permissions", old, key);
    }
    set_fields(p, c->body);
    json_object_del(p, "is_default_role");
    mg_event(c, "permission.updated", event_permission(p));
    mg_success(c, r);
}

static void delete_permission(mg_call *c, emu_reply *r)
{
    json_t *p = permission_or_404(r, c->params[0]);
    if (!p)
        return;
    char key[256];
    snprintf(key, sizeof key, "%s", emu_permission_key(p));
    mg_event(c, "permission.deleted", event_permission(p));
    remove_in("members", "permissions", key);
    remove_in("roles", "permissions", key);
    json_t *perms = json_object_get(emu.data, "permissions");
    json_array_remove(perms, (size_t)mg_index(perms, "key", key));
    mg_success(c, r);
}

const mg_route mg_role_routes[] = {
    {"GetRoles", get_roles},
    {"CreateRole", create_role},
    {"GetRole", get_role},
    {"UpdateRoles", update_role},
    {"DeleteRole", delete_role},
    {"GetRolePermissions", get_role_permissions},
    {"UpdateRolePermissions", update_role_permissions},
    {"RemoveRolePermission", remove_role_permission},
    {"GetRoleUsers", get_role_users},
    {"GetPermissions", get_permissions},
    {"CreatePermission", create_permission},
    {"UpdatePermissions", update_permission},
    {"DeletePermission", delete_permission},
    {NULL, NULL},
};
