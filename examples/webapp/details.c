/* Each section reads one part of the SDK's API and writes its rows straight
 * into the page (pages.h escapes them): nothing is copied, counted or capped. */
#include "details.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "webhooks.h"

static const char *const seed_permissions[] = {"create:todos", "update:todos", "read:todos",
                                               "delete:todos"};

static const char *const field_value[] = {"field", "value"};
static const char *const claim_value[] = {"claim", "value"};

static void section_user(strbuf *out, web_session *s)
{
    kinde_user d;
    if (kinde_get_user_details(s->ks, &d, NULL) != KINDE_OK)
        memset(&d, 0, sizeof d); /* no ID token: empty cells */
    page_section t;
    page_section_begin(&t, out, "user", "You", "kinde_get_user_details(): from the ID token.",
                       field_value, 2);
    const char *labels[] = {"id", "given_name", "family_name", "email", "picture"};
    const char *values[] = {d.id, d.given_name, d.family_name, d.email, d.picture};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        page_cell(&t, labels[i]);
        page_cell(&t, values[i]);
    }
    page_section_end(&t, NULL);
}

static void section_permissions(strbuf *out, web_session *s)
{
    static const char *const headers[] = {"permission", "granted", "organization"};
    page_section t;
    page_section_begin(&t, out, "permissions", "Permissions",
                       "kinde_get_permission() for each permission of the Kinde guide.",
                       headers, 3);
    for (size_t i = 0; i < sizeof seed_permissions / sizeof *seed_permissions; i++) {
        int granted = 0;
        const char *org = NULL;
        kinde_code rc = kinde_get_permission(s->ks, seed_permissions[i], &granted, &org, NULL);
        page_cell(&t, seed_permissions[i]);
        page_cell(&t, rc != KINDE_OK ? "error" : granted ? "yes" : "no");
        page_cell(&t, org);
    }
    page_section_end(&t, NULL);
}

/* The current organization (access token) and all of them (ID token). */
static void section_organizations(strbuf *out, web_session *s)
{
    static const char *const headers[] = {"org_code", "current"};
    const char *current;
    if (kinde_get_organization(s->ks, &current, NULL) != KINDE_OK)
        current = NULL; /* no org_code claim: the page says so */
    kinde_strings orgs;
    if (kinde_get_user_organizations(s->ks, &orgs, NULL) != KINDE_OK)
        orgs = (kinde_strings){0, NULL};
    strbuf intro;
    strbuf_init(&intro);
    if (current)
        strbuf_addf(&intro, "Signed in to %s (kinde_get_organization).", current);
    page_section t;
    page_section_begin(&t, out, "organizations", "Organizations",
                       current ? (strbuf_ok(&intro) ? intro.data : "") : "No current organization.",
                       headers, 2);
    strbuf_free(&intro);
    for (size_t i = 0; i < orgs.count; i++) {
        page_cell(&t, orgs.items[i]);
        page_cell(&t, current && strcmp(current, orgs.items[i]) == 0 ? "yes" : "no");
    }
    page_section_end(&t, "You belong to no organization.");
}

static void section_roles(strbuf *out, web_session *s)
{
    static const char *const headers[] = {"role"};
    kinde_strings roles;
    if (kinde_get_roles(s->ks, &roles, NULL) != KINDE_OK)
        roles = (kinde_strings){0, NULL}; /* no roles claim: an empty table */
    page_section t;
    page_section_begin(&t, out, "roles", "Roles", "kinde_get_roles(): the access token's roles.",
                       headers, 1);
    for (size_t i = 0; i < roles.count; i++)
        page_cell(&t, roles.items[i]);
    page_section_end(&t, "No roles in your access token.");
}

/* One flag's value cell: the SDK's error name, or the value, marked when it
 * came from the default rather than the token. */
static void flag_value(page_section *t, web_session *s, const char *flag, kinde_code rc,
                       const char *value)
{
    kinde_flag probe;
    if (rc != KINDE_OK)
        value = kinde_code_name(rc);
    if (kinde_get_flag(s->ks, flag, NULL, KINDE_FLAG_ANY, &probe, NULL) == KINDE_E_FLAG_NOT_FOUND)
        page_cell2(t, value, " (default)");
    else
        page_cell(t, value);
}

/* The three flags, through the typed getters, with their defaults. */
static void section_flags(strbuf *out, web_session *s)
{
    static const char *const headers[] = {"flag", "type", "value", "default"};
    page_section t;
    page_section_begin(&t, out, "flags", "Feature flags",
                       "kinde_get_string_flag / _boolean_flag / _integer_flag with defaults.",
                       headers, 4);
    const char *theme = NULL;
    kinde_code rc = kinde_get_string_flag(s->ks, "theme", "light", &theme, NULL);
    page_cell(&t, "theme");
    page_cell(&t, "string");
    flag_value(&t, s, "theme", rc, theme);
    page_cell(&t, "light");

    int dark = 0, dark_default = 0;
    rc = kinde_get_boolean_flag(s->ks, "is_dark_mode", &dark_default, &dark, NULL);
    page_cell(&t, "is_dark_mode");
    page_cell(&t, "boolean");
    flag_value(&t, s, "is_dark_mode", rc, dark ? "true" : "false");
    page_cell(&t, "false");

    int64_t limit = 0, limit_default = 5;
    rc = kinde_get_integer_flag(s->ks, "competitions_limit", &limit_default, &limit, NULL);
    strbuf number;
    strbuf_init(&number);
    strbuf_addf(&number, "%lld", (long long)limit);
    page_cell(&t, "competitions_limit");
    page_cell(&t, "integer");
    flag_value(&t, s, "competitions_limit", rc, strbuf_ok(&number) ? number.data : "");
    page_cell(&t, "5");
    strbuf_free(&number);
    page_section_end(&t, NULL);
}

/* Every claim of one token, each read through kinde_get_claim (as JSON). */
static void section_claims(strbuf *out, web_session *s, kinde_token_kind kind)
{
    int id = kind == KINDE_ID_TOKEN;
    page_section t;
    page_section_begin(&t, out, id ? "id-claims" : "access-claims",
                       id ? "ID token claims" : "Access token claims",
                       id ? "kinde_get_claim(name, ID token), as JSON."
                          : "kinde_get_claim(name, access token), as JSON.",
                       claim_value, 2);
    const char *token = id ? kinde_session_id_token(s->ks) : kinde_session_access_token(s->ks);
    char *payload = NULL;
    if (token && kinde_decode_token(token, NULL, &payload, NULL) == KINDE_OK) {
        json_t *obj = json_loads(payload, 0, NULL);
        kinde_free(payload);
        const char *name;
        json_t *value;
        json_object_foreach(obj, name, value) {
            char *text = NULL;
            if (kinde_get_claim(s->ks, name, kind, &text, NULL) != KINDE_OK)
                continue;
            page_cell(&t, name);
            page_cell(&t, text);
            kinde_free(text);
        }
        json_decref(obj);
    }
    page_section_end(&t, "No claims.");
}

/* The profile, kept with the session (web_session_profile): Kinde is asked
 * once per WEB_PROFILE_MAX_AGE and after each refresh, not on every view. */
static void section_profile(const web_site *site, strbuf *out, web_session *s)
{
    const char *profile = NULL;
    int got = web_session_profile(site, s, &profile);
    page_section t;
    page_section_begin(&t, out, "profile", "Profile",
                       got ? "kinde_get_user_profile(): GET /oauth2/v2/user_profile, kept with "
                             "your session for a few minutes."
                           : "Kinde did not give your profile just now. Reload the "
                             "page to try again.",
                       field_value, 2);
    json_t *obj = got ? json_loads(profile, 0, NULL) : NULL;
    const char *name;
    json_t *value;
    json_object_foreach(obj, name, value) {
        page_cell(&t, name);
        if (json_is_string(value)) {
            page_cell(&t, json_string_value(value));
        } else {
            char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
            page_cell(&t, text ? text : "");
            free(text);
        }
    }
    json_decref(obj);
    page_section_end(&t, "No profile.");
}

void details_page(const web_site *site, web_session *s, const page_user *user,
                  webhook_events *webhooks, strbuf *out)
{
    page_details_begin(out, user);
    section_user(out, s);
    section_permissions(out, s);
    section_organizations(out, s);
    section_roles(out, s);
    section_flags(out, s);
    section_claims(out, s, KINDE_ACCESS_TOKEN);
    section_claims(out, s, KINDE_ID_TOKEN);
    section_profile(site, out, s);
    webhooks_section(webhooks, out);
    page_details_end(out);
}
