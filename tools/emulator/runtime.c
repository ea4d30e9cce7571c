/* What is added to the business while the emulator runs: users who sign up
 * and organizations made with is_create_org, with their memberships. Each
 * goes into emu.data (what the endpoints read) and emu.runtime (what is
 * persisted to runtime.json). Called with the lock held. */
#include "emulator.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Adds to one list of both trees, and drops the caller's reference. The
 * persisted copy is a copy: what the Management API later changes in
 * emu.data (in memory only) must not reach runtime.json, which has to fit
 * the data file at the next start. */
static void add(const char *list, json_t *item)
{
    json_array_append_new(json_object_get(emu.runtime, list), json_deep_copy(item));
    json_array_append_new(json_object_get(emu.data, list), item);
}

const char *emu_org_create(const char *user_id, const char *name)
{
    char *hex = emu_random_hex(6);
    if (!hex)
        return NULL;
    char code[32];
    snprintf(code, sizeof code, "org_%s", hex);
    free(hex);
    json_t *perms = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(emu.data, "permissions"), i, p)
        json_array_append_new(perms, json_string(emu_permission_key(p)));
    json_t *roles = json_array();
    if (json_array_size(json_object_get(emu.data, "roles")) > 0)
        json_array_append(roles, json_object_get(json_array_get(json_object_get(emu.data, "roles"), 0), "key"));
    add("organizations", json_pack("{s:s, s:s}", "code", code, "name", name));
    add("members", json_pack("{s:s, s:s, s:o, s:o}", "user", user_id, "org", code, "permissions",
                             perms, "roles", roles));
    emu_persist();
    return json_string_value(json_object_get(emu_org(emu.data, code), "code"));
}

void emu_user_create(const char *given, const char *family, const char *email, char *uid, size_t uid_len)
{
    char *hex = emu_random_hex(8);
    snprintf(uid, uid_len, "kp_%s", hex ? hex : "");
    free(hex);
    char when[32];
    time_t now = (time_t)emu_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    add("users", json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", uid, "given_name", given, "family_name",
                           family, "email", email, "updated_at", when));
    /* New users join the business's default organization, as on Kinde. */
    const json_t *nu = json_object_get(emu.data, "new_users");
    if (nu) {
        json_t *perms = json_deep_copy(json_object_get(nu, "permissions"));
        json_t *roles = json_deep_copy(json_object_get(nu, "roles"));
        add("members", json_pack("{s:s, s:O, s:o, s:o}", "user", uid, "org", json_object_get(nu, "org"),
                                 "permissions", perms ? perms : json_array(), "roles", roles ? roles : json_array()));
    }
    emu_persist();
}
