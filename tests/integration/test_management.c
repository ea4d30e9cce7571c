/* The emulator's Management API changes what the SDK sees at the next
 * sign-in and refresh: a user created through the API signs in; a role
 * given in an organization, the permissions of that role and a flag
 * overridden for the user are in their token; a permission taken from the
 * role is gone after the next refresh. The API is called with plain
 * libcurl and an M2M token of the demo business's kinde_demo_m2m, so this
 * tests the emulator (and the SDK's view of its tokens), not libkinde's
 * management client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct buf {
    char *data;
    size_t len;
} buf;

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, p, size * n);
    b->len += size * n;
    grown[b->len] = '\0';
    b->data = grown;
    return size * n;
}

/* One request; the status, and the JSON answer in *out (may be NULL). */
static long request(const char *method, const char *url, const char *auth, const char *ctype, const char *body,
                    json_t **out)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char line[16500];
    buf b = {0};
    long status = 0;
    if (auth) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", auth);
        hdr = curl_slist_append(hdr, line);
    }
    if (ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        hdr = curl_slist_append(hdr, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (out)
        *out = b.data ? json_loads(b.data, 0, NULL) : NULL;
    free(b.data);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

static char token[16384];

/* The Management API: METHOD /api/v1<path> with a JSON body (or NULL). */
static long api(const char *method, const char *path, const char *json, json_t **out)
{
    char url[512];
    snprintf(url, sizeof url, "%s/api/v1%s", it_emu.base, path);
    return request(method, url, token, json ? "application/json" : NULL, json, out);
}

static int get_token(void **state)
{
    if (it_reset(state) != 0)
        return -1;
    char url[256], form[512];
    snprintf(url, sizeof url, "%s/oauth2/token", it_emu.base);
    snprintf(form, sizeof form,
             "grant_type=client_credentials&client_id=kinde_demo_m2m&client_secret=kinde_demo_m2m_secret"
             "&audience=%s/api", it_emu.base);
    json_t *out = NULL;
    long status = request("POST", url, NULL, "application/x-www-form-urlencoded", form, &out);
    const char *t = json_string_value(json_object_get(out, "access_token"));
    int ok = status == 200 && t && strlen(t) < sizeof token;
    if (!ok)
        fprintf(stderr, "M2M token: status %ld\n", status);
    if (ok)
        snprintf(token, sizeof token, "%s", t);
    json_decref(out);
    return ok ? 0 : -1;
}

/* The id of the list member whose field is value, in a GET answer (copied into id). */
static void find_id(const char *path, const char *list, const char *field, const char *value, char *id, size_t n)
{
    json_t *out = NULL;
    assert_int_equal(api("GET", path, NULL, &out), 200);
    size_t i;
    json_t *item;
    id[0] = '\0';
    json_array_foreach(json_object_get(out, list), i, item)
        if (strcmp(json_string_value(json_object_get(item, field)), value) == 0)
            snprintf(id, n, "%s", json_string_value(json_object_get(item, "id")));
    json_decref(out);
    assert_true(id[0] != '\0');
}

static int has(const kinde_strings *s, const char *want)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->items[i], want) == 0)
            return 1;
    return 0;
}

static void api_changes_reach_the_next_token(void **state)
{
    (void)state;
    json_t *out = NULL;
    char path[512], body[512], org[64], perm[64], role[64], user[64];

    /* An organization, a permission, a role granting it. */
    assert_int_equal(api("POST", "/organization", "{\"name\": \"Reports Inc\"}", &out), 200);
    snprintf(org, sizeof org, "%s", json_string_value(json_object_get(json_object_get(out, "organization"), "code")));
    json_decref(out);
    assert_int_equal(api("POST", "/permissions", "{\"name\": \"Export\", \"key\": \"export:reports\"}", NULL), 201);
    find_id("/permissions?page_size=500", "permissions", "key", "export:reports", perm, sizeof perm);
    assert_int_equal(api("POST", "/roles", "{\"name\": \"Reporter\", \"key\": \"reporter\"}", &out), 201);
    snprintf(role, sizeof role, "%s", json_string_value(json_object_get(json_object_get(out, "role"), "id")));
    json_decref(out);
    snprintf(path, sizeof path, "/roles/%s/permissions", role);
    snprintf(body, sizeof body, "{\"permissions\": [{\"id\": \"%s\"}]}", perm);
    assert_int_equal(api("PATCH", path, body, NULL), 200);

    /* A user in that organization, with that role and a flag of their own. */
    snprintf(body, sizeof body,
             "{\"profile\": {\"given_name\": \"Rita\", \"family_name\": \"Report\"}, \"organization_code\": \"%s\","
             " \"identities\": [{\"type\": \"email\", \"details\": {\"email\": \"rita@reports.example\"}}]}", org);
    assert_int_equal(api("POST", "/user", body, &out), 200);
    snprintf(user, sizeof user, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    snprintf(path, sizeof path, "/organizations/%s/users/%s/roles", org, user);
    snprintf(body, sizeof body, "{\"role_id\": \"%s\"}", role);
    assert_int_equal(api("POST", path, body, NULL), 200);
    snprintf(path, sizeof path, "/users/%s/feature_flags/theme?value=teal", user);
    assert_int_equal(api("PATCH", path, NULL, NULL), 200);

    /* She signs in to that organization through the SDK. */
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = kinde_session_new();
    kinde_auth_params params = {.org_code = org};
    char *url = NULL, *cb = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_login_url(c, s, &params, &url, &err), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "rita@reports.example", NULL, NULL, &cb), 0);
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_OK);
    kinde_free(url);
    free(cb);

    int granted = 0;
    const char *got_org = NULL, *theme = NULL;
    assert_int_equal(kinde_get_permission(s, "export:reports", &granted, &got_org, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_string_equal(got_org, org);
    kinde_strings roles;
    assert_int_equal(kinde_get_roles(s, &roles, NULL), KINDE_OK);
    assert_true(has(&roles, "reporter"));
    assert_false(has(&roles, "admin"));
    assert_int_equal(kinde_get_string_flag(s, "theme", NULL, &theme, NULL), KINDE_OK);
    assert_string_equal(theme, "teal");

    /* The permission is taken from the role, another role is given: the
     * next refresh shows both changes. */
    snprintf(path, sizeof path, "/roles/%s/permissions/%s", role, perm);
    assert_int_equal(api("DELETE", path, NULL, NULL), 200);
    snprintf(path, sizeof path, "/organizations/%s/users/%s/roles", org, user);
    assert_int_equal(api("POST", path, "{\"role_id\": \"admin\"}", NULL), 200);
    snprintf(path, sizeof path, "/users/%s/feature_flags/theme?value=navy", user);
    assert_int_equal(api("PATCH", path, NULL, NULL), 200);
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_OK);
    assert_int_equal(kinde_get_permission(s, "export:reports", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 0);
    assert_int_equal(kinde_get_permission(s, "delete:todos", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 1); /* the admin role's */
    assert_int_equal(kinde_get_roles(s, &roles, NULL), KINDE_OK);
    assert_true(has(&roles, "reporter"));
    assert_true(has(&roles, "admin"));
    assert_int_equal(kinde_get_string_flag(s, "theme", NULL, &theme, NULL), KINDE_OK);
    assert_string_equal(theme, "navy");

    /* Deleted through the API: the refresh token no longer works. */
    snprintf(path, sizeof path, "/user?id=%s", user);
    assert_int_equal(api("DELETE", path, NULL, NULL), 200);
    assert_int_not_equal(kinde_refresh_token(c, s, &err), KINDE_OK);

    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(api_changes_reach_the_next_token, get_token),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
