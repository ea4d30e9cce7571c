/* The emulator's data file loader and checker (tools/emulator/data.c), fed
 * the bytes as a data file through emu_data_load_text, the function behind
 * both --data/--check-data (emu_data_load_file reads the file, then calls
 * it) and the built-in demo business. Errors are expected; crashes, leaks
 * and these broken promises are findings:
 *  - a rejected file gets a non-empty reason on one line;
 *  - an accepted tree passes emu_data_check again, its lookups find what
 *    they index, and merging a second copy of its users or organizations
 *    (what a stale runtime.json would do) is refused as duplicates;
 *  - emu_data_prepare (what the Management API works on) gives every
 *    permission an object with a key and an id, every role an id and a
 *    permissions array, and the lookups by id and by key agree. */
/* fuzz-parser: data.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"

static void one_line(const char *why)
{
    if (!why[0] || strchr(why, '\n') || strchr(why, '\r'))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[300];
    why[0] = '\0';
    json_t *d = emu_data_load_text((const char *)data, size, why, sizeof why);
    if (!d) {
        one_line(why);
        return 0;
    }
    if (emu_data_check(d, why, sizeof why) != 0)
        __builtin_trap();

    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(d, "applications"), i, item) {
        if (emu_app(d, json_string_value(json_object_get(item, "client_id"))) != item)
            __builtin_trap();
    }
    json_array_foreach(json_object_get(d, "users"), i, item) {
        const char *id = json_string_value(json_object_get(item, "id"));
        if (emu_user_by_id(d, id) != item ||
            emu_user_by_email(d, json_string_value(json_object_get(item, "email"))) != item)
            __builtin_trap();
        const char *org = emu_default_org_for(d, id);
        if (org && (!emu_org(d, org) || !emu_member(d, id, org)))
            __builtin_trap();
    }

    json_t *prepared = json_deep_copy(d);
    if (prepared) {
        emu_data_prepare(prepared);
        json_array_foreach(json_object_get(prepared, "permissions"), i, item) {
            const char *key = json_string_value(json_object_get(item, "key"));
            const char *id = json_string_value(json_object_get(item, "id"));
            if (!key || !id || emu_permission(prepared, key) != item || emu_permission(prepared, id) != item)
                __builtin_trap();
        }
        json_array_foreach(json_object_get(prepared, "roles"), i, item) {
            if (!json_is_string(json_object_get(item, "id")) || !json_is_array(json_object_get(item, "permissions")))
                __builtin_trap();
        }
        json_decref(prepared);
    }

    /* A runtime.json repeating what the file has must not fit. */
    json_t *runtime = json_pack("{s:o, s:o, s:[]}", "users", json_deep_copy(json_object_get(d, "users")),
                                "organizations", json_deep_copy(json_object_get(d, "organizations")), "members");
    size_t repeated = json_array_size(json_object_get(d, "users")) +
                      json_array_size(json_object_get(d, "organizations"));
    int rc = runtime ? emu_data_merge(d, runtime, why, sizeof why) : -1;
    if (runtime && repeated > 0 && rc == 0)
        __builtin_trap();
    if (rc != 0)
        one_line(why);
    json_decref(runtime);
    json_decref(d);
    return 0;
}
