/* The SDK against a real kinde-emulator on loopback: every flow of the seed
 * (login, register, create org, refresh, M2M, profile, logout) end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

static void login_and_read_everything(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = emulator_login(&it_emu, c, b);
    assert_non_null(s);
    kinde_error err;
    assert_int_equal(kinde_is_authenticated(c, s, &err), 1);

    kinde_user u;
    assert_int_equal(kinde_get_user_details(s, &u, NULL), KINDE_OK);
    assert_string_equal(u.given_name, "Dave");
    assert_string_equal(u.family_name, "Smith");
    assert_string_equal(u.email, "dave@smith.com");
    assert_true(strncmp(u.id, "kp_", 3) == 0);

    int granted = 0;
    const char *org = NULL;
    assert_int_equal(kinde_get_permission(s, "create:todos", &granted, &org, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_string_equal(org, "org_1234");
    assert_int_equal(kinde_get_permission(s, "delete:tasks", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 0);
    kinde_strings orgs;
    assert_int_equal(kinde_get_user_organizations(s, &orgs, NULL), KINDE_OK);
    assert_true(orgs.count >= 2);

    const char *theme = NULL;
    int dark = 0;
    int64_t limit = 0;
    assert_int_equal(kinde_get_string_flag(s, "theme", NULL, &theme, NULL), KINDE_OK);
    assert_string_equal(theme, "pink");
    assert_int_equal(kinde_get_boolean_flag(s, "is_dark_mode", NULL, &dark, NULL), KINDE_OK);
    assert_int_equal(dark, 1);
    assert_int_equal(kinde_get_integer_flag(s, "competitions_limit", NULL, &limit, NULL), KINDE_OK);
    assert_int_equal(limit, 5);

    char *aud = NULL, *scp = NULL;
    assert_int_equal(kinde_get_claim(s, "aud", KINDE_ID_TOKEN, &aud, NULL), KINDE_OK);
    assert_non_null(strstr(aud, "kinde_demo_client"));
    assert_int_equal(kinde_get_claim(s, "scp", KINDE_ACCESS_TOKEN, &scp, NULL), KINDE_OK);
    assert_non_null(strstr(scp, "offline"));
    kinde_free(aud);
    kinde_free(scp);

    char *profile = NULL;
    assert_int_equal(kinde_get_user_profile(c, s, &profile, &err), KINDE_OK);
    assert_non_null(strstr(profile, "dave@smith.com"));
    kinde_free(profile);

    /* The stored form resumes in "another process". */
    char *text = NULL;
    kinde_session *copy = NULL;
    assert_int_equal(kinde_session_serialize(s, &text, NULL), KINDE_OK);
    assert_int_equal(kinde_session_deserialize(text, strlen(text), &copy, NULL), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, copy, NULL), 1);
    kinde_free(text);
    kinde_session_free(copy);

    /* Tokens handed over verify on their own, and the kinds don't mix. */
    char *claims = NULL;
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s), KINDE_ACCESS_TOKEN, &claims, &err), KINDE_OK);
    kinde_free(claims);
    assert_int_equal(kinde_verify_token(c, kinde_session_id_token(s), KINDE_ID_TOKEN, NULL, &err), KINDE_OK);
    /* A12: refused as a claims error (which kind it is), whatever else holds. */
    assert_int_equal(kinde_verify_token(c, kinde_session_id_token(s), KINDE_ACCESS_TOKEN, NULL, &err),
                     KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(kinde_verify_token(c, kinde_session_access_token(s), KINDE_ID_TOKEN, NULL, &err),
                     KINDE_E_TOKEN_CLAIMS);

    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

static void pkce_public_client_login(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, NULL);
    browser *b = browser_new();
    kinde_session *s = emulator_login(&it_emu, c, b);
    assert_non_null(s);
    assert_int_equal(kinde_is_authenticated(c, s, NULL), 1);
    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

static void register_and_create_org(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = kinde_session_new();
    char *url = NULL, *cb = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_register_url(c, s, NULL, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "grace@hopper.example", "Grace", "Hopper", &cb), 0);
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_OK);
    kinde_user u;
    assert_int_equal(kinde_get_user_details(s, &u, NULL), KINDE_OK);
    assert_string_equal(u.given_name, "Grace");
    assert_string_equal(u.family_name, "Hopper");
    assert_string_equal(u.email, "grace@hopper.example");
    kinde_free(url);
    free(cb);
    kinde_session_free(s);
    browser_free(b);

    /* Create an organization, no prior register call needed. */
    b = browser_new();
    s = kinde_session_new();
    kinde_auth_params p = {.org_name = "Hopper Labs"};
    assert_int_equal(kinde_get_create_org_url(c, s, &p, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "ada@create.example", "Ada", "Create", &cb), 0);
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_OK);
    const char *org = NULL;
    assert_int_equal(kinde_get_organization(s, &org, NULL), KINDE_OK);
    assert_non_null(org);
    assert_true(strncmp(org, "org_", 4) == 0);
    assert_string_not_equal(org, "org_1234");
    const char *org_name = NULL;
    assert_int_equal(kinde_get_string_claim(s, "org_name", KINDE_ACCESS_TOKEN, &org_name, NULL), KINDE_OK);
    assert_string_equal(org_name, "Hopper Labs");
    kinde_free(url);
    free(cb);
    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

static void prompt_none_without_session_is_login_required(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = kinde_session_new();
    kinde_auth_params p = {.prompt = "none"};
    char *url = NULL, *cb = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_login_url(c, s, &p, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "dave@smith.com", NULL, NULL, &cb), 0);
    long before = emulator_prime(&it_emu, "/oauth2/token"); /* no token request yet */
    assert_true(before > 0);
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_E_LOGIN_REQUIRED);
    assert_string_equal(err.oauth_error, "login_required");
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before);
    assert_null(kinde_session_access_token(s));
    kinde_free(url);
    free(cb);

    /* With an emulator session, prompt=none signs in silently. */
    kinde_session *first = emulator_login(&it_emu, c, b);
    assert_non_null(first);
    assert_int_equal(kinde_get_login_url(c, s, &p, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "unused", NULL, NULL, &cb), 0);
    assert_int_equal(kinde_fetch_token(c, s, cb, &err), KINDE_OK);
    kinde_free(url);
    free(cb);
    kinde_session_free(first);
    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

static void refresh_rotates_and_logout_revokes(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = emulator_login(&it_emu, c, b);
    assert_non_null(s);
    kinde_error err;
    char *old_rt = strdup(kinde_session_refresh_token(s));
    char *old_at = strdup(kinde_session_access_token(s));
    const char *sub_before = NULL;
    assert_int_equal(kinde_get_string_claim(s, "sub", KINDE_ACCESS_TOKEN, &sub_before, NULL), KINDE_OK);
    char *sub = strdup(sub_before);

    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_OK);
    assert_string_not_equal(kinde_session_refresh_token(s), old_rt);
    assert_string_not_equal(kinde_session_access_token(s), old_at);
    const char *sub_after = NULL;
    assert_int_equal(kinde_get_string_claim(s, "sub", KINDE_ACCESS_TOKEN, &sub_after, NULL), KINDE_OK);
    assert_string_equal(sub_after, sub);

    /* An expired access token is refreshed by is_authenticated. */
    long before = emulator_count(&it_emu, "/oauth2/token");
    assert_true(before > 0);
    /* Two days on, for us and for the emulator: the access token (24 h) has
     * expired and the refresh token (15 days) has not. */
    kinde__clock_offset = 2 * 86400;
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/clock", "{\"skew_seconds\":172800}"), 200);
    assert_int_equal(kinde_is_authenticated(c, s, &err), 1);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
    assert_int_equal(kinde_is_authenticated(c, s, &err), 1); /* fresh now: no second refresh */
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
    kinde__clock_offset = 0;
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/clock", "{\"skew_seconds\":0}"), 200);

    char *rt = strdup(kinde_session_refresh_token(s));
    char *url = NULL;
    assert_int_equal(kinde_logout(c, s, NULL, &url, &err), KINDE_OK);
    assert_string_equal(strstr(url, "/logout?redirect="), "/logout?redirect=http%3A%2F%2F127.0.0.1%3A8000%2F");
    assert_null(kinde_session_access_token(s));
    assert_int_equal(emulator_count(&it_emu, "/oauth2/revoke"), 1);

    /* The revoked refresh token no longer works. */
    kinde_session *stale = emulator_login(&it_emu, c, b);
    assert_non_null(stale);
    kinde__free_secret(stale->refresh_token);
    stale->refresh_token = kinde__strdup(rt);
    assert_int_equal(kinde_refresh_token(c, stale, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");

    /* The browser's emulator session ends at /logout. */
    char *loc = NULL;
    assert_int_equal(browser_get(b, url, &loc), 302);
    assert_string_equal(loc, "http://127.0.0.1:8000/");
    free(loc);

    kinde_free(url);
    free(old_rt);
    free(old_at);
    free(rt);
    free(sub);
    kinde_session_free(stale);
    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
}

static void m2m_token_is_cached(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_CLIENT_CREDENTIALS, "https://api.example.com");
    char *t1 = NULL, *t2 = NULL;
    int64_t exp = 0;
    kinde_error err;
    long before = emulator_prime(&it_emu, "/oauth2/token"); /* no token request yet */
    assert_true(before > 0);
    assert_int_equal(kinde_get_m2m_token(c, NULL, &t1, &exp, &err), KINDE_OK);
    assert_true(exp > kinde__now());
    assert_int_equal(kinde_get_m2m_token(c, NULL, &t2, NULL, &err), KINDE_OK);
    assert_string_equal(t1, t2);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
    char *claims = NULL;
    assert_int_equal(kinde_decode_token(t1, NULL, &claims, NULL), KINDE_OK);
    assert_non_null(strstr(claims, "https://api.example.com"));
    assert_non_null(strstr(claims, "kinde_demo_client"));
    kinde_free(claims);
    kinde_free(t1);
    kinde_free(t2);
    /* Another audience is another token. */
    assert_int_equal(kinde_get_m2m_token(c, "https://other.example.com", &t1, NULL, &err), KINDE_OK);
    assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 2);
    kinde_free(t1);
    kinde_client_free(c);
}

/* A client like emulator_client() but with another registered callback. */
static kinde_client *client_with_callback(const char *callback_url)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = it_emu.base;
    cfg.client_id = "kinde_demo_client";
    cfg.client_secret = "kinde_demo_secret";
    cfg.callback_url = callback_url;
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    cfg.http_timeout_ms = 3000;
    kinde_client *c = NULL;
    kinde_error err;
    if (kinde_client_new(&cfg, &c, &err) != KINDE_OK)
        fail_msg("client: %s", err.text);
    return c;
}

/* Replace the first occurrence of from by to in the malloc'd text. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* SECURITY.md B19: the token request's redirect_uri is the login URL's,
 * byte for byte. The emulator refuses a code whose token request names
 * another redirect_uri (invalid_grant), and both URLs below are registered,
 * so only the value sent decides. */
static void redirect_uri_comes_from_the_login(void **state)
{
    const char *x = "http://127.0.0.1:8000/callback", *y = "http://localhost:8000/callback";
    kinde_client *a = client_with_callback(x), *b = client_with_callback(y);
    browser *br = browser_new();
    kinde_error err;

    /* Login URL by client A (callback X); the pending login is stored and
     * resumed "in another process" whose client B is configured with Y. */
    kinde_session *s = kinde_session_new();
    char *url = NULL, *cb = NULL, *stored = NULL;
    assert_int_equal(kinde_get_login_url(a, s, NULL, &url, NULL), KINDE_OK);
    assert_non_null(strstr(url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&"));
    assert_int_equal(kinde_session_serialize(s, &stored, NULL), KINDE_OK);
    kinde_session_free(s);
    s = NULL;
    assert_int_equal(kinde_session_deserialize(stored, strlen(stored), &s, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(br, url, "dave@smith.com", NULL, NULL, &cb), 0);
    assert_int_equal(strncmp(cb, x, strlen(x)), 0); /* the emulator went back to X */
    memset(&err, 0, sizeof err);
    if (kinde_fetch_token(b, s, cb, &err) != KINDE_OK)
        fail_msg("client B completing A's login: %s (%s)", err.text, err.oauth_error);
    assert_non_null(kinde_session_access_token(s));
    kinde_free(url);
    kinde_free(stored);
    free(cb);
    kinde_session_free(s);

    /* Control: the same, with the stored redirect_uri changed to Y (B's own
     * callback): the emulator sees Y, not X, and refuses the code. */
    s = kinde_session_new();
    assert_int_equal(kinde_get_login_url(a, s, NULL, &url, NULL), KINDE_OK);
    assert_int_equal(kinde_session_serialize(s, &stored, NULL), KINDE_OK);
    kinde_session_free(s);
    char *tampered = replaced(stored, "\nru http://127.0.0.1:8000/callback\n",
                              "\nru http://localhost:8000/callback\n");
    assert_int_equal(kinde_session_deserialize(tampered, strlen(tampered), &s, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(br, url, "dave@smith.com", NULL, NULL, &cb), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(kinde_fetch_token(b, s, cb, &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");
    assert_non_null(strstr(err.text, "redirect_uri differs"));
    assert_null(kinde_session_access_token(s));
    free(tampered);
    kinde_free(url);
    kinde_free(stored);
    free(cb);
    kinde_session_free(s);
    browser_free(br);
    kinde_client_free(a);
    kinde_client_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(login_and_read_everything, it_reset),
        cmocka_unit_test_setup(pkce_public_client_login, it_reset),
        cmocka_unit_test_setup(register_and_create_org, it_reset),
        cmocka_unit_test_setup(prompt_none_without_session_is_login_required, it_reset),
        cmocka_unit_test_setup(refresh_rotates_and_logout_revokes, it_reset),
        cmocka_unit_test_setup(m2m_token_is_cached, it_reset),
        cmocka_unit_test_setup(redirect_uri_comes_from_the_login, it_reset),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
