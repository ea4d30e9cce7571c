/* The business the emulator plays: a JSON file of applications, users,
 * organizations and memberships (the shape is in README.md). Checked in
 * full at load, so a mistake is one clear line at start-up and the request
 * handlers can trust the tree. Fuzzed by tests/fuzz/fuzz_emulator_data.c. */
#include "emulator.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#define MAX_DATA_BYTES (8u << 20)

static int failf(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    /* One line, whatever the file's keys and values hold ("a\nb" is a
     * valid JSON key): control characters are shown as '?'. */
    for (char *p = why; n && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

static int is_nonempty_string(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < 1024 &&
           strlen(json_string_value(v)) == json_string_length(v); /* no NUL inside */
}

/* An array of non-empty strings (NULL or absent is fine when optional). */
static int check_strings(const json_t *v, int optional, const char *where, char *why, size_t n)
{
    if (!v && optional)
        return 0;
    if (!json_is_array(v))
        return failf(why, n, "%s: must be an array of strings", where);
    size_t i;
    const json_t *s;
    json_array_foreach(v, i, s) if (!is_nonempty_string(s))
        return failf(why, n, "%s[%zu]: must be a non-empty string", where, i);
    return 0;
}

static int check_flags(const json_t *flags, const char *where, char *why, size_t n)
{
    if (!flags)
        return 0;
    if (!json_is_object(flags))
        return failf(why, n, "%s: must be an object of {\"t\", \"v\"}", where);
    const char *code;
    const json_t *f;
    json_object_foreach((json_t *)flags, code, f) {
        const char *t = json_string_value(json_object_get(f, "t"));
        const json_t *v = json_object_get(f, "v");
        int ok = t && v &&
                 ((strcmp(t, "s") == 0 && json_is_string(v)) ||
                  (strcmp(t, "b") == 0 && json_is_boolean(v)) ||
                  (strcmp(t, "i") == 0 && json_is_integer(v)));
        if (!ok)
            return failf(why, n, "%s.%s: needs \"t\" of s, b or i and a \"v\" of that type", where, code);
    }
    return 0;
}

static const json_t *find_by(const json_t *array, const char *field, const char *value, int nocase)
{
    size_t i;
    const json_t *item;
    if (!value)
        return NULL;
    json_array_foreach(array, i, item) {
        const char *v = json_string_value(json_object_get(item, field));
        if (v && (nocase ? strcasecmp(v, value) : strcmp(v, value)) == 0)
            return item;
    }
    return NULL;
}

/* Each item of array[name] is an object whose `key` member is a unique,
 * non-empty string. */
static int check_list(const json_t *data, const char *name, const char *key, int nocase,
                      char *why, size_t n)
{
    const json_t *list = json_object_get(data, name);
    if (!json_is_array(list))
        return failf(why, n, "%s: must be an array", name);
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        if (!json_is_object(item))
            return failf(why, n, "%s[%zu]: must be an object", name, i);
        const json_t *k = json_object_get(item, key);
        if (!is_nonempty_string(k))
            return failf(why, n, "%s[%zu].%s: must be a non-empty string", name, i, key);
        if (find_by(list, key, json_string_value(k), nocase) != item)
            return failf(why, n, "%s[%zu].%s: \"%s\" appears twice", name, i, key, json_string_value(k));
    }
    return 0;
}

/* permissions: a key string, or an object {"key", "id"?, "name"?,
 * "description"?}; keys and ids unique. */
static int check_permissions(const json_t *data, char *why, size_t n)
{
    const json_t *perms = json_object_get(data, "permissions");
    if (!perms)
        return 0;
    if (!json_is_array(perms))
        return failf(why, n, "permissions: must be an array");
    size_t i, k;
    const json_t *p, *q;
    json_array_foreach(perms, i, p) {
        const char *key = emu_permission_key(p);
        if (!key)
            return failf(why, n, "permissions[%zu]: a non-empty string or an object with a \"key\"", i);
        if (json_is_object(p)) {
            static const char *const names[] = {"id", "name", "description"};
            for (size_t f = 0; f < 3; f++) {
                const json_t *v = json_object_get(p, names[f]);
                if (v && !(f == 2 ? json_is_string(v) : is_nonempty_string(v)))
                    return failf(why, n, "permissions[%zu].%s: must be a%s string", i, names[f],
                                 f == 2 ? "" : " non-empty");
            }
        }
        json_array_foreach(perms, k, q) {
            if (k >= i)
                break;
            const char *id1 = json_string_value(json_object_get(p, "id"));
            const char *id2 = json_string_value(json_object_get(q, "id"));
            if (strcmp(emu_permission_key(q), key) == 0 || (id1 && id2 && strcmp(id1, id2) == 0))
                return failf(why, n, "permissions[%zu]: \"%s\" appears twice", i, key);
            /* The API names a permission by key or id: neither may be the other's. */
            if ((id2 && strcmp(id2, key) == 0) || (id1 && strcmp(id1, emu_permission_key(q)) == 0))
                return failf(why, n, "permissions[%zu]: a key is another permission's id", i);
        }
    }
    return 0;
}

/* What the Management API adds: applications authorised for it, roles'
 * permissions, user and organization flags and properties, APIs. */
static int check_management(const json_t *data, char *why, size_t n)
{
    size_t i, k;
    const json_t *item, *v;
    char where[96];
    json_array_foreach(json_object_get(data, "applications"), i, item) {
        const json_t *m = json_object_get(item, "management_api");
        if (!m)
            continue;
        if (!json_is_object(m) || !json_object_get(item, "client_secret"))
            return failf(why, n, "applications[%zu].management_api: an object, for an application with a "
                         "client_secret", i);
        const json_t *scopes = json_object_get(m, "scopes");
        snprintf(where, sizeof where, "applications[%zu].management_api.scopes", i);
        if (check_strings(scopes, 1, where, why, n))
            return -1;
        json_array_foreach(scopes, k, v)
            if (!emu_mgmt_known_scope(json_string_value(v)))
                return failf(why, n, "%s[%zu]: \"%s\" is no scope of the Management API", where, k,
                             json_string_value(v));
    }
    json_array_foreach(json_object_get(data, "roles"), i, item) {
        const json_t *d = json_object_get(item, "description");
        if (d && !json_is_string(d))
            return failf(why, n, "roles[%zu].description: must be a string", i);
        const json_t *other = find_by(json_object_get(data, "roles"), "id", json_string_value(json_object_get(item, "key")), 0);
        if (other && other != item)
            return failf(why, n, "roles[%zu].key: another role's id", i);
        snprintf(where, sizeof where, "roles[%zu].permissions", i);
        if (check_strings(json_object_get(item, "permissions"), 1, where, why, n))
            return -1;
        json_array_foreach(json_object_get(item, "permissions"), k, v)
            if (!emu_permission(data, json_string_value(v)))
                return failf(why, n, "%s[%zu]: no permission \"%s\"", where, k, json_string_value(v));
    }
    static const char *const owners[] = {"users", "organizations"};
    for (size_t o = 0; o < 2; o++) {
        json_array_foreach(json_object_get(data, owners[o]), i, item) {
            const json_t *props = json_object_get(item, "properties");
            if (props && !json_is_object(props))
                return failf(why, n, "%s[%zu].properties: must be an object", owners[o], i);
            snprintf(where, sizeof where, "%s[%zu].feature_flags", owners[o], i);
            if (o == 0 && check_flags(json_object_get(item, "feature_flags"), where, why, n))
                return -1;
        }
    }
    const json_t *apis = json_object_get(data, "apis");
    if (apis && check_list(data, "apis", "audience", 0, why, n))
        return -1;
    if (json_object_get(data, "properties") && check_list(data, "properties", "key", 0, why, n))
        return -1;
    if (json_object_get(data, "webhooks"))
        return failf(why, n, "webhooks: registered through the Management API only");
    return 0;
}

int emu_data_check(const json_t *data, char *why, size_t n)
{
    if (!json_is_object(data))
        return failf(why, n, "the data file must hold a JSON object");
    if (check_list(data, "applications", "client_id", 0, why, n) ||
        check_list(data, "users", "id", 0, why, n) ||
        check_list(data, "users", "email", 1, why, n) ||
        check_list(data, "organizations", "code", 0, why, n))
        return -1;
    const json_t *roles = json_object_get(data, "roles");
    if (roles && check_list(data, "roles", "key", 0, why, n))
        return -1;

    size_t i;
    const json_t *item;
    char where[96];
    json_array_foreach(json_object_get(data, "applications"), i, item) {
        snprintf(where, sizeof where, "applications[%zu]", i);
        const json_t *secret = json_object_get(item, "client_secret");
        if (secret && !is_nonempty_string(secret))
            return failf(why, n, "%s.client_secret: must be a non-empty string when given", where);
        snprintf(where, sizeof where, "applications[%zu].callback_urls", i);
        if (check_strings(json_object_get(item, "callback_urls"), 0, where, why, n))
            return -1;
        snprintf(where, sizeof where, "applications[%zu].logout_urls", i);
        if (check_strings(json_object_get(item, "logout_urls"), 1, where, why, n))
            return -1;
        snprintf(where, sizeof where, "applications[%zu].audiences", i);
        if (check_strings(json_object_get(item, "audiences"), 1, where, why, n))
            return -1;
    }
    json_array_foreach(json_object_get(data, "users"), i, item) {
        static const char *const names[] = {"given_name", "family_name", "picture"};
        for (size_t k = 0; k < 3; k++) {
            const json_t *v = json_object_get(item, names[k]);
            if (v && !json_is_string(v))
                return failf(why, n, "users[%zu].%s: must be a string", i, names[k]);
        }
    }
    json_array_foreach(json_object_get(data, "organizations"), i, item) {
        const json_t *name = json_object_get(item, "name");
        if (name && !json_is_string(name))
            return failf(why, n, "organizations[%zu].name: must be a string", i);
        snprintf(where, sizeof where, "organizations[%zu].feature_flags", i);
        if (check_flags(json_object_get(item, "feature_flags"), where, why, n))
            return -1;
    }
    if (check_flags(json_object_get(data, "feature_flags"), "feature_flags", why, n) ||
        check_permissions(data, why, n) || check_management(data, why, n))
        return -1;
    const json_t *members = json_object_get(data, "members");
    if (!json_is_array(members))
        return failf(why, n, "members: must be an array");
    json_array_foreach(members, i, item) {
        const char *user = json_string_value(json_object_get(item, "user"));
        const char *org = json_string_value(json_object_get(item, "org"));
        if (!emu_user_by_id(data, user))
            return failf(why, n, "members[%zu].user: no user with that id", i);
        if (!emu_org(data, org))
            return failf(why, n, "members[%zu].org: no organization with that code", i);
        snprintf(where, sizeof where, "members[%zu].permissions", i);
        if (check_strings(json_object_get(item, "permissions"), 1, where, why, n))
            return -1;
        snprintf(where, sizeof where, "members[%zu].roles", i);
        if (check_strings(json_object_get(item, "roles"), 1, where, why, n))
            return -1;
        size_t k;
        const json_t *r;
        json_array_foreach(json_object_get(item, "roles"), k, r)
            if (!find_by(roles, "key", json_string_value(r), 0))
                return failf(why, n, "members[%zu].roles[%zu]: no role \"%s\"", i, k, json_string_value(r));
        snprintf(where, sizeof where, "members[%zu].feature_flags", i);
        if (check_flags(json_object_get(item, "feature_flags"), where, why, n))
            return -1;
    }
    const json_t *dflt = json_object_get(data, "new_users");
    if (dflt) {
        if (!json_is_object(dflt) || !emu_org(data, json_string_value(json_object_get(dflt, "org"))))
            return failf(why, n, "new_users: needs \"org\", the code of an organization");
        if (check_strings(json_object_get(dflt, "permissions"), 1, "new_users.permissions", why, n) ||
            check_strings(json_object_get(dflt, "roles"), 1, "new_users.roles", why, n))
            return -1;
        /* Checked like a member's: users registered at run time get these
         * roles, and runtime.json must still fit at the next start. */
        size_t k;
        const json_t *r;
        json_array_foreach(json_object_get(dflt, "roles"), k, r)
            if (!find_by(roles, "key", json_string_value(r), 0))
                return failf(why, n, "new_users.roles[%zu]: no role \"%s\"", k, json_string_value(r));
    }
    return 0;
}

json_t *emu_data_load_text(const char *text, size_t len, char *why, size_t n)
{
    if (len > MAX_DATA_BYTES) {
        failf(why, n, "larger than %u bytes", MAX_DATA_BYTES);
        return NULL;
    }
    json_error_t jerr;
    json_t *data = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!data) {
        failf(why, n, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    /* The lists are optional in the file; the checks want them present. */
    static const char *const lists[] = {"applications", "users", "organizations", "members"};
    for (size_t i = 0; json_is_object(data) && i < 4; i++)
        if (!json_object_get(data, lists[i]))
            json_object_set_new(data, lists[i], json_array());
    if (emu_data_check(data, why, n) != 0) {
        json_decref(data);
        return NULL;
    }
    return data;
}

json_t *emu_data_load_file(const char *path, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        failf(why, n, "%s: cannot open", path);
        return NULL;
    }
    strbuf s = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && s.len <= MAX_DATA_BYTES)
        strbuf_add(&s, chunk, got);
    fclose(f);
    size_t len = s.len;
    char *text = strbuf_take(&s, NULL);
    if (!text) {
        failf(why, n, "%s: out of memory", path);
        return NULL;
    }
    char inner[200];
    json_t *data = emu_data_load_text(text, len, inner, sizeof inner);
    free(text);
    if (!data)
        failf(why, n, "%s: %s", path, inner);
    return data;
}

int emu_data_merge(json_t *data, const json_t *runtime, char *why, size_t n)
{
    static const char *const lists[] = {"users", "organizations", "members"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *add = json_object_get(runtime, lists[i]);
        if (add && json_array_extend(json_object_get(data, lists[i]), (json_t *)add) != 0)
            return failf(why, n, "%s: must be an array", lists[i]);
    }
    return emu_data_check(data, why, n);
}

const json_t *emu_app(const json_t *data, const char *client_id)
{
    return find_by(json_object_get(data, "applications"), "client_id", client_id, 0);
}

const json_t *emu_user_by_email(const json_t *data, const char *email)
{
    return find_by(json_object_get(data, "users"), "email", email, 1);
}

const json_t *emu_user_by_id(const json_t *data, const char *id)
{
    return find_by(json_object_get(data, "users"), "id", id, 0);
}

const json_t *emu_org(const json_t *data, const char *code)
{
    return find_by(json_object_get(data, "organizations"), "code", code, 0);
}

const json_t *emu_member(const json_t *data, const char *user_id, const char *org_code)
{
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(data, "members"), i, m) {
        const char *u = json_string_value(json_object_get(m, "user"));
        const char *o = json_string_value(json_object_get(m, "org"));
        if (u && o && user_id && strcmp(u, user_id) == 0 && (!org_code || strcmp(o, org_code) == 0))
            return m;
    }
    return NULL;
}

const char *emu_default_org_for(const json_t *data, const char *user_id)
{
    return json_string_value(json_object_get(emu_member(data, user_id, NULL), "org"));
}

int emu_string_in(const json_t *array, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v) {
        const char *t = json_string_value(v);
        if (t && s && strcmp(t, s) == 0)
            return 1;
    }
    return 0;
}

const char *emu_permission_key(const json_t *p)
{
    const json_t *key = json_is_object(p) ? json_object_get(p, "key") : p;
    return is_nonempty_string(key) ? json_string_value(key) : NULL;
}

const json_t *emu_permission(const json_t *data, const char *key_or_id)
{
    /* By key, then by id: the data check and the API keep keys and ids
     * apart, so a name means one permission. */
    size_t i;
    const json_t *p;
    const json_t *perms = json_object_get(data, "permissions");
    json_array_foreach(perms, i, p) {
        const char *key = emu_permission_key(p);
        if (key && key_or_id && strcmp(key, key_or_id) == 0)
            return p;
    }
    return find_by(perms, "id", key_or_id, 0);
}

const json_t *emu_role(const json_t *data, const char *key_or_id)
{
    const json_t *roles = json_object_get(data, "roles");
    const json_t *r = find_by(roles, "key", key_or_id, 0);
    return r ? r : find_by(roles, "id", key_or_id, 0);
}

json_t *emu_member_permissions(const json_t *data, const json_t *member)
{
    json_t *out = json_array();
    size_t i, k;
    const json_t *v, *role_key, *p;
    json_array_foreach(json_object_get(member, "permissions"), i, v)
        if (!emu_string_in(out, json_string_value(v)))
            json_array_append(out, (json_t *)v);
    json_array_foreach(json_object_get(member, "roles"), i, role_key) {
        const json_t *role = find_by(json_object_get(data, "roles"), "key", json_string_value(role_key), 0);
        json_array_foreach(json_object_get(role, "permissions"), k, p)
            if (!emu_string_in(out, json_string_value(p)))
                json_array_append(out, (json_t *)p);
    }
    return out;
}

/* Only the type and the value reach a token: a flag definition may carry
 * name, description and default too. */
static void overlay_flags(json_t *out, const json_t *flags)
{
    const char *code;
    json_t *f;
    json_object_foreach((json_t *)flags, code, f)
        json_object_set_new(out, code, json_pack("{s:O, s:O}", "t", json_object_get(f, "t"), "v",
                                                 json_object_get(f, "v")));
}

json_t *emu_flags_for(const json_t *data, const json_t *org, const json_t *user, const json_t *member)
{
    json_t *out = json_object();
    overlay_flags(out, json_object_get(data, "feature_flags"));
    overlay_flags(out, json_object_get(org, "feature_flags"));
    overlay_flags(out, json_object_get(user, "feature_flags"));
    overlay_flags(out, json_object_get(member, "feature_flags"));
    return out;
}

/* A stable id for a thing named in the data file without one: prefix and
 * the first 16 bytes of SHA-256(name), hex. */
static json_t *derived_id(const char *prefix, const char *name)
{
    unsigned char d[32];
    char hex[33];
    SHA256((const unsigned char *)name, strlen(name), d);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return json_sprintf("%s%s", prefix, hex);
}

void emu_data_prepare(json_t *data)
{
    json_t *perms = json_object_get(data, "permissions");
    if (!perms)
        json_object_set_new(data, "permissions", perms = json_array());
    size_t i, k;
    json_t *p, *item, *aud;
    json_array_foreach(perms, i, p) {
        if (json_is_string(p)) {
            json_t *obj = json_pack("{s:O, s:O, s:s}", "key", p, "name", p, "description", "");
            json_array_set_new(perms, i, obj);
            p = obj;
        }
        if (!json_object_get(p, "id"))
            json_object_set_new(p, "id", derived_id("perm_", emu_permission_key(p)));
    }
    if (!json_object_get(data, "roles"))
        json_object_set_new(data, "roles", json_array());
    json_array_foreach(json_object_get(data, "roles"), i, item) {
        if (!json_object_get(item, "id"))
            json_object_set_new(item, "id", derived_id("role_", json_string_value(json_object_get(item, "key"))));
        if (!json_object_get(item, "permissions"))
            json_object_set_new(item, "permissions", json_array());
    }
    if (!json_object_get(data, "feature_flags"))
        json_object_set_new(data, "feature_flags", json_object());
    json_t *apis = json_object_get(data, "apis");
    if (!apis)
        json_object_set_new(data, "apis", apis = json_array());
    json_array_foreach(apis, i, item)
        if (!json_object_get(item, "id"))
            json_object_set_new(item, "id", derived_id("api_", json_string_value(json_object_get(item, "audience"))));
    json_array_foreach(json_object_get(data, "applications"), i, item) {
        json_array_foreach(json_object_get(item, "audiences"), k, aud) {
            if (find_by(apis, "audience", json_string_value(aud), 0))
                continue;
            json_array_append_new(apis, json_pack("{s:o, s:O, s:O}", "id",
                                                  derived_id("api_", json_string_value(aud)), "name", aud,
                                                  "audience", aud));
        }
    }
    json_array_foreach(json_object_get(data, "properties"), i, item) {
        if (!json_object_get(item, "id"))
            json_object_set_new(item, "id", derived_id("prop_", json_string_value(json_object_get(item, "key"))));
        if (!json_object_get(item, "context"))
            json_object_set_new(item, "context", json_string("usr"));
    }
    for (const char *const *list = (const char *const[]){"properties", "webhooks", NULL}; *list; list++)
        if (!json_object_get(data, *list))
            json_object_set_new(data, *list, json_array());
}

json_t *emu_org_codes_of(const json_t *data, const char *user_id)
{
    json_t *codes = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(data, "members"), i, m) {
        const char *u = json_string_value(json_object_get(m, "user"));
        if (u && user_id && strcmp(u, user_id) == 0)
            json_array_append(codes, json_object_get(m, "org"));
    }
    return codes;
}
