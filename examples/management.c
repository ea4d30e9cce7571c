/* management: the Management API from C (include/kinde/management.h), and
 * what it changes in a user's next sign-in.
 *
 *   make demo     # in another terminal: the emulator on :8001, the demo app on :8000
 *   ./management  # the defaults below are the demo business's
 *
 * It creates a user, an organization in which the user has the role
 * "admin", overrides the flag "theme" for the user, lists every user page
 * by page, then prints a sign-in URL for that user: open it, sign in, and
 * paste the URL the browser was sent back to (the callback, even if nothing
 * listens there); it shows that the user's token carries the role and the
 * flag. tests/cli/management_example_test.sh runs it against the emulator.
 *
 * Environment (defaults: the demo business of `make demo`):
 *   KINDE_HOST                 http://127.0.0.1:8001
 *   KINDE_M2M_CLIENT_ID        kinde_demo_m2m         an M2M application authorised
 *   KINDE_M2M_CLIENT_SECRET    kinde_demo_m2m_secret  for the Management API
 *   KINDE_CLIENT_ID            kinde_demo_client      the application users sign in to
 *   KINDE_CLIENT_SECRET        kinde_demo_secret
 *   KINDE_REDIRECT_URL         http://127.0.0.1:8000/callback
 *   EXAMPLE_EMAIL              the new user's email (default: a fresh one) */
#include <kinde/kinde.h>
#include <kinde/management.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static int die(const char *what, const kinde_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", what, kinde_code_name(err->code), err->text);
    return 1;
}

/* A string member of a JSON answer, copied into out (at most n bytes). */
static int member(const char *json, const char *object, const char *name, char *out, size_t n)
{
    json_t *root = json_loads(json ? json : "", 0, NULL);
    const json_t *in = object ? json_object_get(root, object) : root;
    const char *v = json_string_value(json_object_get(in, name));
    int ok = v && strlen(v) < n;
    if (ok)
        snprintf(out, n, "%s", v);
    json_decref(root);
    return ok ? 0 : -1;
}

static kinde_client *client_for(const char *id, const char *secret, kinde_grant_type grant, kinde_error *err)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = env("KINDE_HOST", "http://127.0.0.1:8001");
    cfg.client_id = id;
    cfg.client_secret = secret;
    cfg.grant_type = grant;
    cfg.callback_url = env("KINDE_REDIRECT_URL", "http://127.0.0.1:8000/callback");
    kinde_client *c = NULL;
    return kinde_client_new(&cfg, &c, err) == KINDE_OK ? c : NULL;
}

int main(void)
{
    kinde_error err;
    kinde_client *m2m = client_for(env("KINDE_M2M_CLIENT_ID", "kinde_demo_m2m"),
                                   env("KINDE_M2M_CLIENT_SECRET", "kinde_demo_m2m_secret"),
                                   KINDE_GRANT_CLIENT_CREDENTIALS, &err);
    kinde_mgmt *api = NULL;
    if (!m2m || kinde_mgmt_new(m2m, NULL, &api, &err) != KINDE_OK)
        return die("management client", &err);

    /* UsersApi.create_user */
    char email[128], body[1024], user_id[128], org_code[128], *answer = NULL;
    snprintf(email, sizeof email, "%s", env("EXAMPLE_EMAIL", ""));
    if (!email[0])
        snprintf(email, sizeof email, "example.%ld@example.com", (long)time(NULL));
    snprintf(body, sizeof body,
             "{\"profile\": {\"given_name\": \"Example\", \"family_name\": \"User\"},"
             " \"identities\": [{\"type\": \"email\", \"details\": {\"email\": \"%s\"}}]}", email);
    if (kinde_mgmt_call(api, KINDE_MGMT_CREATE_USER, NULL, body, &answer, &err) != KINDE_OK)
        return die("create user", &err);
    int bad = member(answer, NULL, "id", user_id, sizeof user_id);
    kinde_free(answer);
    if (bad)
        return fprintf(stderr, "create user: no id in the answer\n"), 1;
    printf("created user %s <%s>\n", user_id, email);

    /* OrganizationsApi.create_organization, then add_organization_users with a role */
    if (kinde_mgmt_call(api, KINDE_MGMT_CREATE_ORGANIZATION, NULL, "{\"name\": \"Example organization\"}",
                        &answer, &err) != KINDE_OK)
        return die("create organization", &err);
    bad = member(answer, "organization", "code", org_code, sizeof org_code);
    kinde_free(answer);
    if (bad)
        return fprintf(stderr, "create organization: no code in the answer\n"), 1;
    const kinde_mgmt_param in_org[] = {{"org_code", org_code}, {NULL, NULL}};
    snprintf(body, sizeof body, "{\"users\": [{\"id\": \"%s\", \"roles\": [\"admin\"]}]}", user_id);
    if (kinde_mgmt_call(api, KINDE_MGMT_ADD_ORGANIZATION_USERS, in_org, body, NULL, &err) != KINDE_OK)
        return die("add to organization", &err);
    printf("added to %s with the role admin\n", org_code);

    /* FeatureFlagsApi: a value of "theme" for this user only */
    const kinde_mgmt_param flag[] = {
        {"user_id", user_id}, {"feature_flag_key", "theme"}, {"value", "example-teal"}, {NULL, NULL}};
    if (kinde_mgmt_call(api, KINDE_MGMT_UPDATE_USER_FEATURE_FLAG_OVERRIDE, flag, NULL, NULL, &err) != KINDE_OK)
        return die("flag override", &err);
    printf("theme overridden for the user: example-teal\n");

    /* UsersApi.get_users, every page */
    const kinde_mgmt_param page_size[] = {{"page_size", "2"}, {NULL, NULL}};
    kinde_mgmt_pages *pages = NULL;
    char *page = NULL;
    int n_pages = 0, n_users = 0;
    kinde_code rc = kinde_mgmt_pages_new(api, KINDE_MGMT_GET_USERS, page_size, &pages, &err);
    while (rc == KINDE_OK && (rc = kinde_mgmt_pages_next(pages, &page, &err)) == KINDE_OK && page) {
        json_t *p = json_loads(page, 0, NULL);
        size_t i;
        json_t *u;
        n_pages++;
        json_array_foreach(json_object_get(p, "users"), i, u) {
            printf("  page %d: %s\n", n_pages, json_string_value(json_object_get(u, "email")));
            n_users++;
        }
        json_decref(p);
        kinde_free(page);
    }
    kinde_mgmt_pages_free(pages);
    if (rc != KINDE_OK)
        return die("list users", &err);
    printf("%d users on %d pages\n", n_users, n_pages);

    /* The user's next sign-in, to that organization. */
    kinde_client *web = client_for(env("KINDE_CLIENT_ID", "kinde_demo_client"),
                                   env("KINDE_CLIENT_SECRET", "kinde_demo_secret"),
                                   KINDE_GRANT_AUTHORIZATION_CODE, &err);
    if (!web)
        return die("web client", &err);
    kinde_session *session = kinde_session_new();
    kinde_auth_params params = {.org_code = org_code, .login_hint = email};
    char *url = NULL, callback[8192];
    if (kinde_get_login_url(web, session, &params, &url, &err) != KINDE_OK)
        return die("login url", &err);
    printf("Sign in as %s at:\n%s\nPaste the callback URL: ", email, url);
    fflush(stdout);
    kinde_free(url);
    if (!fgets(callback, sizeof callback, stdin))
        return 1;
    callback[strcspn(callback, "\r\n")] = '\0';
    if (kinde_fetch_token(web, session, callback, &err) != KINDE_OK)
        return die("sign in", &err);

    kinde_strings roles;
    const char *theme = NULL;
    int admin = 0;
    if (kinde_get_roles(session, &roles, &err) != KINDE_OK)
        return die("roles", &err);
    for (size_t i = 0; i < roles.count; i++)
        admin |= strcmp(roles.items[i], "admin") == 0;
    if (kinde_get_string_flag(session, "theme", "none", &theme, &err) != KINDE_OK)
        return die("flag", &err);
    printf("the token has the role admin: %s\n", admin ? "yes" : "no");
    printf("the token's theme: %s\n", theme);
    int ok = admin && strcmp(theme, "example-teal") == 0;

    kinde_session_free(session);
    kinde_client_free(web);
    kinde_mgmt_free(api);
    kinde_client_free(m2m);
    return ok ? 0 : 1;
}
