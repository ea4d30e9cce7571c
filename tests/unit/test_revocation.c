/* The revocation endpoint's answers (RFC 7009): success, OAuth error
 * answers (e.g. unsupported_token_type, which oidc-provider sends for JWT
 * access tokens: found by tests/interop) and other failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"

static kinde_code answer(long status, const char *body, kinde_error *err)
{
    memset(err, 0, sizeof *err);
    return kinde__revocation_result(status, body, body ? strlen(body) : 0, err);
}

static void success_is_ok(void **state)
{
    (void)state;
    kinde_error err;
    assert_int_equal(answer(200, "", &err), KINDE_OK);
    assert_int_equal(answer(200, NULL, &err), KINDE_OK);
    assert_int_equal(answer(204, "{}", &err), KINDE_OK);
    assert_int_equal(kinde__revocation_result(200, "", 0, NULL), KINDE_OK);
}

static void oauth_error_answers_are_oauth_errors(void **state)
{
    (void)state;
    kinde_error err;
    assert_int_equal(answer(400, "{\"error\":\"unsupported_token_type\",\"error_description\":"
                                 "\"Structured JWT Tokens cannot be revoked\"}", &err),
                     KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "unsupported_token_type");
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.text, "cannot be revoked"));
    assert_int_equal(answer(401, "{\"error\":\"invalid_client\"}", &err), KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_client");
    assert_int_equal(err.http_status, 401);
    assert_int_equal(kinde__revocation_result(400, "{\"error\":\"x\"}", 13, NULL), KINDE_E_OAUTH);
}

static void other_failures_are_http_status(void **state)
{
    (void)state;
    kinde_error err;
    assert_int_equal(answer(503, "<html>busy</html>", &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 503);
    assert_string_equal(err.oauth_error, "");
    assert_int_equal(answer(500, NULL, &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(answer(400, "{\"error\":5}", &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(answer(400, "[\"error\"]", &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(answer(400, "{\"error\":\"x\"", &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success_is_ok),
        cmocka_unit_test(oauth_error_answers_are_oauth_errors),
        cmocka_unit_test(other_failures_are_http_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
