/* The business the emulator plays: a JSON file of applications, users,
 * organizations and memberships (the shape is in README.md). Checked in
 * full at load, so a mistake is one clear line at start-up and the request
 * handlers can trust the tree. Fuzzed by tests/fuzz/fuzz_emulator_data.c. */
#include "emulator.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
        check_strings(json_object_get(data, "permissions"), 1, "permissions", why, n))
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
    emu_str s = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && s.len <= MAX_DATA_BYTES)
        emu_str_add(&s, chunk, got);
    fclose(f);
    size_t len = s.len;
    char *text = emu_str_take(&s);
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
