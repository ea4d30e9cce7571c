/* When Kinde misbehaves: every fault mode of the emulator gives a typed
 * error within the configured timeout, no crash, and nothing stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "internal.h"

/* A login up to the callback, then the fault, then fetch_token. */
static kinde_code login_with_fault(kinde_client *c, const char *fault_json, kinde_error *err,
                                   kinde_session **out)
{
    browser *b = browser_new();
    kinde_session *s = kinde_session_new();
    char *url = NULL, *cb = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(b, url, "dave@smith.com", NULL, NULL, &cb), 0);
    if (fault_json)
        assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/faults", fault_json), 200);
    kinde_code rc = kinde_fetch_token(c, s, cb, err);
    if (rc != KINDE_OK) {
        /* Nothing stored: no tokens, and the login cannot be replayed. */
        assert_null(kinde_session_access_token(s));
        assert_int_equal(kinde_is_authenticated(c, s, NULL), 0);
        assert_int_equal(kinde_fetch_token(c, s, cb, NULL), KINDE_E_STATE);
    }
    kinde_free(url);
    free(cb);
    browser_free(b);
    if (out)
        *out = s;
    else
        kinde_session_free(s);
    return rc;
}

static void token_endpoint_failures(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"status\":503,\"count\":1}", &err, NULL),
                     KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 503);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"status\":500,\"count\":1}", &err, NULL),
                     KINDE_E_HTTP_STATUS);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"body\":\"truncated\",\"count\":1}", &err, NULL),
                     KINDE_E_BAD_RESPONSE);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"body\":\"garbage\",\"count\":1}", &err, NULL),
                     KINDE_E_BAD_RESPONSE);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"body\":\"empty\",\"count\":1}", &err, NULL),
                     KINDE_E_BAD_RESPONSE);
    kinde_code rc = login_with_fault(c, "{\"path\":\"/oauth2/token\",\"body\":\"huge\",\"count\":1}", &err, NULL);
    assert_true(rc == KINDE_E_HTTP || rc == KINDE_E_BAD_RESPONSE);
    /* After the faults, the same client signs in fine. */
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_OK);
    kinde_client_free(c);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void slow_kinde_times_out(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL); /* 3 s timeout */
    kinde_error err;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"delay_ms\":6000,\"count\":1}", &err, NULL),
                     KINDE_E_HTTP);
    /* The timeout held (sign-in and form included, well under the delay). */
    assert_true(seconds_since(&t0) < 5.5);
    kinde_client_free(c);
}

static void jwks_unavailable(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    assert_int_equal(login_with_fault(c, "{\"path\":\"/.well-known/jwks.json\",\"status\":500}", &err, NULL),
                     KINDE_E_JWKS);
    emulator_admin(&it_emu, "DELETE", "/_emulator/faults", NULL);
    kinde_client_free(c);
    c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/.well-known/jwks.json\",\"body\":\"garbage\"}", &err, NULL),
                     KINDE_E_JWKS);
    kinde_client_free(c);
}

static void wrong_signing_key(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/sign-with-wrong-key", "{\"enabled\":true}"), 200);
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_E_TOKEN_SIGNATURE);
    kinde_client_free(c);
}

static void key_rotation_refetches_once(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_OK);
    long fetches = emulator_count(&it_emu, "/.well-known/jwks.json");
    assert_int_equal(fetches, 1);
    /* New key, old one dropped: the next login's kid is unknown to the cache. */
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/rotate-key", "{\"keep_old\":false}"), 200);
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_OK);
    assert_int_equal(emulator_count(&it_emu, "/.well-known/jwks.json"), fetches + 1);
    /* A flood of tokens with unknown kids: no more fetches within the cooldown. */
    char claims[256];
    snprintf(claims, sizeof claims, "{\"iss\":\"%s\",\"sub\":\"kp_1\",\"exp\":%lld,\"aud\":[]}",
             it_emu.base, (long long)kinde__now() + 3600);
    for (int i = 0; i < 25; i++) {
        char header[64];
        snprintf(header, sizeof header, "{\"kid\":\"unknown-%d\"}", i);
        char *token = emulator_mint(&it_emu, header, claims);
        assert_non_null(token);
        assert_int_equal(kinde_verify_token(c, token, KINDE_ACCESS_TOKEN, NULL, &err), KINDE_E_TOKEN_KEY);
        free(token);
    }
    /* The emulator's own current kid still verifies from the cache. */
    char *good = emulator_mint(&it_emu, "{}", claims);
    assert_non_null(good);
    assert_int_equal(kinde_verify_token(c, good, KINDE_ACCESS_TOKEN, NULL, &err), KINDE_OK);
    free(good);
    assert_int_equal(emulator_count(&it_emu, "/.well-known/jwks.json"), fetches + 1);
    kinde_client_free(c);
}

static void clock_skew(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/clock", "{\"skew_seconds\":3600}"), 200);
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_E_TOKEN_NOT_YET_VALID);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/clock", "{\"skew_seconds\":-200000}"), 200);
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_E_TOKEN_EXPIRED);
    /* Within the leeway is fine. */
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/clock", "{\"skew_seconds\":20}"), 200);
    assert_int_equal(login_with_fault(c, NULL, &err, NULL), KINDE_OK);
    kinde_client_free(c);
}

static void profile_of_another_user(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    kinde_session *s = NULL;
    assert_int_equal(login_with_fault(c, NULL, &err, &s), KINDE_OK);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/faults",
                                    "{\"path\":\"/oauth2/v2/user_profile\",\"status\":200,"
                                    "\"body\":\"{\\\"sub\\\":\\\"kp_someone_else\\\",\\\"email\\\":\\\"x@y\\\"}\"}"),
                     200);
    char *profile = NULL;
    assert_int_equal(kinde_get_user_profile(c, s, &profile, &err), KINDE_E_SUBJECT_MISMATCH);
    assert_null(profile);
    emulator_admin(&it_emu, "DELETE", "/_emulator/faults", NULL);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/faults",
                                    "{\"path\":\"/oauth2/v2/user_profile\",\"status\":401}"), 200);
    assert_int_equal(kinde_get_user_profile(c, s, &profile, &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 401);
    kinde_session_free(s);
    kinde_client_free(c);
}

static void refresh_failure_keeps_nothing_new(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    kinde_session *s = NULL;
    assert_int_equal(login_with_fault(c, NULL, &err, &s), KINDE_OK);
    char *at = strdup(kinde_session_access_token(s));
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/faults",
                                    "{\"path\":\"/oauth2/token\",\"body\":\"truncated\",\"count\":1}"), 200);
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_E_BAD_RESPONSE);
    assert_string_equal(kinde_session_access_token(s), at); /* unchanged */
    /* The failure was not cached: the next refresh goes through. */
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_OK);
    free(at);
    kinde_session_free(s);
    kinde_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(token_endpoint_failures, it_reset),
        cmocka_unit_test_setup(slow_kinde_times_out, it_reset),
        cmocka_unit_test_setup(jwks_unavailable, it_reset),
        cmocka_unit_test_setup(wrong_signing_key, it_reset),
        cmocka_unit_test_setup(key_rotation_refetches_once, it_reset),
        cmocka_unit_test_setup(clock_skew, it_reset),
        cmocka_unit_test_setup(profile_of_another_user, it_reset),
        cmocka_unit_test_setup(refresh_failure_keeps_nothing_new, it_reset),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
