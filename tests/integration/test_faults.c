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

#include <jansson.h>

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
    /* 2 MiB of an unterminated JSON string: refused by the size cap (D28),
     * a transport error naming the cap, not a parse error of a body read
     * to the end (which a truncated body gives with no cap at all). */
    memset(&err, 0, sizeof err);
    assert_int_equal(login_with_fault(c, "{\"path\":\"/oauth2/token\",\"body\":\"huge\",\"count\":1}", &err, NULL),
                     KINDE_E_HTTP);
    if (!strstr(err.text, "larger than"))
        fail_msg("huge body: '%s' does not name the size cap", err.text);
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

/* SECURITY.md A11: the ID token must carry the nonce this login sent. An
 * ID token with another nonce, or none, is refused with KINDE_E_TOKEN_NONCE
 * and leaves the session signed out; a normal login then works. */
static void id_token_nonce_is_checked(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    const struct {
        const char *mode, *text;
    } faults[] = {
        {"{\"mode\":\"wrong\"}", "claim 'nonce' is not the one sent for this login"},
        {"{\"mode\":\"missing\"}", "claim 'nonce' is missing"},
    };
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/id-token-nonce", faults[i].mode), 200);
        kinde_error err;
        memset(&err, 0, sizeof err);
        kinde_session *s = NULL;
        kinde_code rc = login_with_fault(c, NULL, &err, &s);
        if (rc != KINDE_E_TOKEN_NONCE)
            fail_msg("%s: %s (%s), expected KINDE_E_TOKEN_NONCE", faults[i].mode, kinde_code_name(rc), err.text);
        if (strcmp(err.text, faults[i].text) != 0)
            fail_msg("%s: error text '%s', expected '%s'", faults[i].mode, err.text, faults[i].text);
        /* Nothing of the refused answer is kept. */
        assert_int_equal(kinde_is_authenticated(c, s, NULL), 0);
        assert_null(kinde_session_access_token(s));
        assert_null(kinde_session_id_token(s));
        assert_null(kinde_session_refresh_token(s));
        kinde_session_free(s);
    }
    /* Back to normal, the same client signs in, and its ID token carries a nonce. */
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/id-token-nonce", "{\"mode\":\"normal\"}"), 200);
    kinde_error err;
    kinde_session *s = NULL;
    assert_int_equal(login_with_fault(c, NULL, &err, &s), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, s, NULL), 1);
    const char *nonce = NULL;
    assert_int_equal(kinde_get_string_claim(s, "nonce", KINDE_ID_TOKEN, &nonce, NULL), KINDE_OK);
    assert_true(nonce && *nonce);
    kinde_session_free(s);
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

/* The next token endpoint answer is a bearer response carrying these two
 * tokens (signed by the emulator's current key) and a new refresh token. */
static void serve_token_answer(const char *access_token, const char *id_token)
{
    json_t *answer = json_pack("{s:s, s:s, s:i, s:s, s:s}", "access_token", access_token,
                               "token_type", "bearer", "expires_in", 86400, "id_token", id_token,
                               "refresh_token", "rt_minted_by_the_test");
    char *body = json_dumps(answer, JSON_COMPACT);
    json_t *fault = json_pack("{s:s, s:s, s:i}", "path", "/oauth2/token", "body", body, "count", 1);
    char *fault_json = json_dumps(fault, JSON_COMPACT);
    assert_int_equal(emulator_admin(&it_emu, "POST", "/_emulator/faults", fault_json), 200);
    free(fault_json);
    free(body);
    json_decref(fault);
    json_decref(answer);
}

/* A token minted by the emulator with the given claims (JSON object text). */
static char *mint(const char *claims_fmt, ...)
{
    char claims[2048];
    va_list ap;
    va_start(ap, claims_fmt);
    vsnprintf(claims, sizeof claims, claims_fmt, ap);
    va_end(ap);
    char *token = emulator_mint(&it_emu, "{}", claims);
    assert_non_null(token);
    return token;
}

/* SECURITY.md C23: a refreshed ID token must keep iss, sub and aud; the
 * refresh is refused with the exact code and the session keeps its tokens. */
static void refresh_of_another_user_is_refused(void **state)
{
    kinde_client *c = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    kinde_error err;
    kinde_session *s = NULL;
    assert_int_equal(login_with_fault(c, NULL, &err, &s), KINDE_OK);
    char *at = strdup(kinde_session_access_token(s));
    char *it = strdup(kinde_session_id_token(s));
    char *rt = strdup(kinde_session_refresh_token(s));
    const char *sub_claim = NULL;
    assert_int_equal(kinde_get_string_claim(s, "sub", KINDE_ID_TOKEN, &sub_claim, NULL), KINDE_OK);
    char *sub = strdup(sub_claim);
    char *aud = NULL;
    assert_int_equal(kinde_get_claim(s, "aud", KINDE_ID_TOKEN, &aud, NULL), KINDE_OK);
    assert_string_equal(aud, "[\"kinde_demo_client\"]"); /* what the variants below differ from */
    kinde_free(aud);

    const char *base = it_emu.base;
    long long now = (long long)kinde__now(), exp = now + 3600;
    /* An access token of the same user, fine on its own. */
    char *good_at = mint("{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":[],\"azp\":\"kinde_demo_client\","
                         "\"scp\":[\"openid\",\"offline\"],\"iat\":%lld,\"exp\":%lld}",
                         base, sub, now, exp);
    const char *id_fmt = "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":%s,\"azp\":\"kinde_demo_client\","
                         "\"iat\":%lld,\"exp\":%lld}";
    const struct {
        const char *what;
        char *access, *id;
        kinde_code code;
        const char *text; /* in err.text */
    } cases[] = {
        /* Another sub: verifies, then differs from the session's user. */
        {"id sub", good_at, mint(id_fmt, base, "kp_someone_else", "[\"kinde_demo_client\"]", now, exp),
         KINDE_E_SUBJECT_MISMATCH, "another user"},
        /* Another sub in the access token only. */
        {"access sub",
         mint("{\"iss\":\"%s\",\"sub\":\"kp_someone_else\",\"aud\":[],\"azp\":\"kinde_demo_client\","
              "\"scp\":[\"openid\"],\"iat\":%lld,\"exp\":%lld}", base, now, exp),
         mint(id_fmt, base, sub, "[\"kinde_demo_client\"]", now, exp), KINDE_E_SUBJECT_MISMATCH,
         "another user"},
        /* Another iss: the verification of the new ID token refuses it first. */
        {"id iss", good_at, mint(id_fmt, "http://127.0.0.1:1", sub, "[\"kinde_demo_client\"]", now, exp),
         KINDE_E_TOKEN_CLAIMS, "claim 'iss'"},
        {"id iss, trailing slash", good_at,
         mint("{\"iss\":\"%s/\",\"sub\":\"%s\",\"aud\":[\"kinde_demo_client\"],\"azp\":\"kinde_demo_client\","
              "\"iat\":%lld,\"exp\":%lld}", base, sub, now, exp),
         KINDE_E_TOKEN_CLAIMS, "claim 'iss'"},
        /* Another aud without the client: verification refuses it. */
        {"id aud, another client", good_at, mint(id_fmt, base, sub, "[\"another_client\"]", now, exp),
         KINDE_E_TOKEN_CLAIMS, "claim 'aud'"},
        /* Another aud that still names the client (azp set): it verifies, and
         * the comparison with the session's ID token refuses it. */
        {"id aud, one more audience", good_at,
         mint(id_fmt, base, sub, "[\"kinde_demo_client\",\"https://api.example.com\"]", now, exp),
         KINDE_E_SUBJECT_MISMATCH, "another user or audience"},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        serve_token_answer(cases[i].access, cases[i].id);
        long before = emulator_count(&it_emu, "/oauth2/token");
        assert_true(before > 0);
        memset(&err, 0, sizeof err);
        kinde_code rc = kinde_refresh_token(c, s, &err);
        if (rc != cases[i].code)
            fail_msg("%s: %s (%s), expected %s", cases[i].what, kinde_code_name(rc), err.text,
                     kinde_code_name(cases[i].code));
        if (!strstr(err.text, cases[i].text))
            fail_msg("%s: error text '%s' lacks '%s'", cases[i].what, err.text, cases[i].text);
        /* The answer was really served (one token request), and nothing of it kept. */
        assert_int_equal(emulator_count(&it_emu, "/oauth2/token"), before + 1);
        assert_string_equal(kinde_session_access_token(s), at);
        assert_string_equal(kinde_session_id_token(s), it);
        assert_string_equal(kinde_session_refresh_token(s), rt);
    }
    /* Control: the same kind of minted answer for the same user is taken. */
    char *same_id = mint(id_fmt, base, sub, "[\"kinde_demo_client\"]", now, exp);
    serve_token_answer(good_at, same_id);
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_OK);
    assert_string_equal(kinde_session_access_token(s), good_at);
    assert_string_equal(kinde_session_id_token(s), same_id);
    assert_string_equal(kinde_session_refresh_token(s), "rt_minted_by_the_test");

    free(same_id);
    for (size_t i = 0; i < n; i++) {
        if (cases[i].access != good_at)
            free(cases[i].access);
        free(cases[i].id);
    }
    free(good_at);
    free(sub);
    free(at);
    free(it);
    free(rt);
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
        cmocka_unit_test_setup(id_token_nonce_is_checked, it_reset),
        cmocka_unit_test_setup(key_rotation_refetches_once, it_reset),
        cmocka_unit_test_setup(clock_skew, it_reset),
        cmocka_unit_test_setup(profile_of_another_user, it_reset),
        cmocka_unit_test_setup(refresh_failure_keeps_nothing_new, it_reset),
        cmocka_unit_test_setup(refresh_of_another_user_is_refused, it_reset),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
