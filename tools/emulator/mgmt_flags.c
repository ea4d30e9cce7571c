/* Management API: feature flags and their overrides. A flag is the data
 * file's {"t", "v"} under feature_flags, where v is the environment's
 * value; the API adds name, description, default (the value before any
 * environment override) and allow_override_level. Overrides live on the
 * organization and the user ({"t", "v"} under their feature_flags) and
 * reach the next token (emu_flags_for). Handlers run with emu.lock held. */
#include "mgmt.h"

#include <string.h>

static const char *const type_names[][2] = {{"s", "str"}, {"i", "int"}, {"b", "bool"}};

static const char *api_type(const char *t)
{
    for (size_t i = 0; i < 3; i++)
        if (t && strcmp(type_names[i][0], t) == 0)
            return type_names[i][1];
    return "str";
}

static const char *data_type(const char *api)
{
    for (size_t i = 0; i < 3; i++)
        if (api && strcmp(type_names[i][1], api) == 0)
            return type_names[i][0];
    return NULL;
}

static json_t *flags(void)
{
    return json_object_get(emu.data, "feature_flags");
}

static json_t *flag_or_404(emu_reply *r, const char *key)
{
    json_t *f = json_object_get(flags(), key);
    if (!f)
        mg_not_found(r, "FEATURE_FLAG", "feature flag", key);
    return f;
}

/* {key: {"type", "value"}} of {key: {"t", "v"}}. */
static json_t *api_flags(const json_t *from)
{
    json_t *out = json_object();
    const char *key;
    json_t *f;
    json_object_foreach((json_t *)from, key, f)
        json_object_set_new(out, key, json_pack("{s:s, s:O}", "type", api_type(json_string_value(json_object_get(f, "t"))),
                                                "value", json_object_get(f, "v")));
    return out;
}

/* Calls fn on the feature_flags object of every organization, user and member. */
static void each_override_set(void (*fn)(json_t *set, const char *key, const char *type), const char *key,
                              const char *type)
{
    static const char *const lists[] = {"organizations", "users", "members"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(emu.data, lists[l]), i, item)
            if (json_object_get(item, "feature_flags"))
                fn(json_object_get(item, "feature_flags"), key, type);
    }
}

static void drop_override(json_t *set, const char *key, const char *type)
{
    const json_t *o = json_object_get(set, key);
    if (o && (!type || strcmp(json_string_value(json_object_get(o, "t")), type) != 0))
        json_object_del(set, key);
}

static int level_ok(const char *level)
{
    return !level || strcmp(level, "env") == 0 || strcmp(level, "org") == 0 || strcmp(level, "usr") == 0;
}

static void create_flag(mg_call *c, emu_reply *r)
{
    int bad = 0;
    const char *key = mg_str(c, "key", &bad), *name = mg_str(c, "name", &bad), *type = mg_str(c, "type", &bad);
    const char *level = mg_str(c, "allow_override_level", &bad), *dflt = mg_str(c, "default_value", &bad);
    mg_str(c, "description", &bad);
    const char *t = data_type(type);
    json_t *value = NULL;
    if (bad || !key || !*key || !name || !t || !level_ok(level) || mg_flag_value(t, dflt, &value) != 0) {
        mg_error(r, 400, "INVALID_REQUEST", "key, name, type (str, int or bool) and a default_value of that type "
                                             "are required; allow_override_level is env, org or usr");
        return;
    }
    if (json_object_get(flags(), key)) {
        json_decref(value);
        mg_error(r, 409, "FEATURE_FLAG_KEY_EXISTS", "a feature flag with the key %s exists already", key);
        return;
    }
    json_object_set_new(flags(), key, json_pack("{s:s, s:O, s:o, s:s, s:O?, s:s?}", "t", t, "v", value, "default",
                                                 value, "name", name, "description",
                                                 json_object_get(c->body, "description"), "allow_override_level", level));
    mg_success(c, r);
}

static void update_flag(mg_call *c, emu_reply *r)
{
    json_t *f = flag_or_404(r, c->params[0]);
    if (!f)
        return;
    const char *name = mg_query(c, "name"), *type = mg_query(c, "type");
    const char *level = mg_query(c, "allow_override_level"), *dflt = mg_query(c, "default_value");
    const char *t = data_type(type);
    json_t *value = NULL;
    if (!name || !t || !level || !level_ok(level) || mg_flag_value(t, dflt, &value) != 0) {
        mg_error(r, 400, "INVALID_REQUEST", "name, description, type (str, int or bool), allow_override_level "
                                             "(env, org or usr) and a default_value of that type are required");
        return;
    }
    /* A new type makes the old overrides meaningless. */
    if (strcmp(json_string_value(json_object_get(f, "t")), t) != 0) {
        each_override_set(drop_override, c->params[0], t);
        json_object_set(f, "v", value);
    }
    json_object_set_new(f, "t", json_string(t));
    json_object_set_new(f, "default", value);
    json_object_set_new(f, "name", json_string(name));
    json_object_set_new(f, "description", json_string(mg_query(c, "description") ? mg_query(c, "description") : ""));
    json_object_set_new(f, "allow_override_level", json_string(level));
    mg_success(c, r);
}

static void delete_flag(mg_call *c, emu_reply *r)
{
    if (!flag_or_404(r, c->params[0]))
        return;
    each_override_set(drop_override, c->params[0], NULL);
    json_object_del(flags(), c->params[0]);
    mg_success(c, r);
}

/* ---- environment ---------------------------------------------------------- */

static void get_env_flags(mg_call *c, emu_reply *r)
{
    mg_ok(c, r, json_pack("{s:o}", "feature_flags", api_flags(flags())));
}

static void reset_env(json_t *f)
{
    if (json_object_get(f, "default"))
        json_object_set(f, "v", json_object_get(f, "default"));
}

static void delete_env_overrides(mg_call *c, emu_reply *r)
{
    const char *key;
    json_t *f;
    json_object_foreach(flags(), key, f)
        reset_env(f);
    mg_success(c, r);
}

static void delete_env_override(mg_call *c, emu_reply *r)
{
    json_t *f = flag_or_404(r, c->params[0]);
    if (!f)
        return;
    reset_env(f);
    mg_success(c, r);
}

/* The value of an override, from text, for flag f; NULL with a 400 written. */
static json_t *override_value(emu_reply *r, const json_t *f, const char *text, const char *level)
{
    const char *allowed = json_string_value(json_object_get(f, "allow_override_level"));
    json_t *value = NULL;
    /* env < org < usr: a flag overridable at a level is at the broader ones too. */
    if (allowed && level && ((strcmp(allowed, "env") == 0 && strcmp(level, "env") != 0) ||
                             (strcmp(allowed, "org") == 0 && strcmp(level, "usr") == 0))) {
        mg_error(r, 400, "FEATURE_FLAG_OVERRIDE_NOT_ALLOWED", "this flag may be overridden at the %s level only",
                 allowed);
        return NULL;
    }
    if (mg_flag_value(json_string_value(json_object_get(f, "t")), text, &value) != 0)
        mg_error(r, 400, "INVALID_FEATURE_FLAG_VALUE", "value is required and must be a %s",
                 api_type(json_string_value(json_object_get(f, "t"))));
    return value;
}

static void update_env_override(mg_call *c, emu_reply *r)
{
    json_t *f = flag_or_404(r, c->params[0]);
    if (!f)
        return;
    int bad = 0;
    const char *text = mg_str(c, "value", &bad);
    json_t *value = bad ? NULL : override_value(r, f, text, "env");
    if (bad)
        mg_error(r, 400, "INVALID_FEATURE_FLAG_VALUE", "value must be given as a string");
    if (!value)
        return;
    if (!json_object_get(f, "default"))
        json_object_set(f, "default", json_object_get(f, "v"));
    json_object_set_new(f, "v", value);
    mg_success(c, r);
}

/* ---- organizations and users ------------------------------------------------ */

static void get_org_flags(mg_call *c, emu_reply *r)
{
    json_t *org = mg_org_or_404(r, c->params[0]);
    if (!org)
        return;
    json_t *effective = emu_flags_for(emu.data, org, NULL, NULL);
    mg_ok(c, r, json_pack("{s:o}", "feature_flags", api_flags(effective)));
    json_decref(effective);
}

static void delete_org_overrides(mg_call *c, emu_reply *r)
{
    json_t *org = mg_org_or_404(r, c->params[0]);
    if (!org)
        return;
    json_object_del(org, "feature_flags");
    mg_success(c, r);
}

static void delete_org_override(mg_call *c, emu_reply *r)
{
    json_t *org = mg_org_or_404(r, c->params[0]);
    if (!org || !flag_or_404(r, c->params[1]))
        return;
    json_object_del(mg_member(org, "feature_flags", 0), c->params[1]);
    mg_success(c, r);
}

static void set_override(mg_call *c, emu_reply *r, json_t *owner, const char *key, const char *level)
{
    json_t *f = flag_or_404(r, key);
    json_t *value = f ? override_value(r, f, mg_query(c, "value"), level) : NULL;
    if (!value)
        return;
    json_object_set_new(mg_member(owner, "feature_flags", 0), key, json_pack("{s:O, s:o}", "t", json_object_get(f, "t"), "v", value));
    mg_success(c, r);
}

static void update_org_override(mg_call *c, emu_reply *r)
{
    json_t *org = mg_org_or_404(r, c->params[0]);
    if (org)
        set_override(c, r, org, c->params[1], "org");
}

static void update_user_override(mg_call *c, emu_reply *r)
{
    json_t *user = (json_t *)emu_user_by_id(emu.data, c->params[0]);
    if (!user)
        mg_not_found(r, "USER", "user", c->params[0]);
    else
        set_override(c, r, user, c->params[1], "usr");
}

const mg_route mg_flag_routes[] = {
    {"CreateFeatureFlag", create_flag},
    {"UpdateFeatureFlag", update_flag},
    {"DeleteFeatureFlag", delete_flag},
    {"GetEnvironementFeatureFlags", get_env_flags},
    {"DeleteEnvironementFeatureFlagOverrides", delete_env_overrides},
    {"DeleteEnvironementFeatureFlagOverride", delete_env_override},
    {"UpdateEnvironementFeatureFlagOverride", update_env_override},
    {"GetOrganizationFeatureFlags", get_org_flags},
    {"DeleteOrganizationFeatureFlagOverrides", delete_org_overrides},
    {"DeleteOrganizationFeatureFlagOverride", delete_org_override},
    {"UpdateOrganizationFeatureFlagOverride", update_org_override},
    {"UpdateUserFeatureFlagOverride", update_user_override},
    {NULL, NULL},
};
