/* Error codes, their fixed texts and names, and filling a kinde_error. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *text;
} code_info[] = {
    [KINDE_OK] = {"KINDE_OK", "ok"},
    [KINDE_E_INVALID_ARGUMENT] = {"KINDE_E_INVALID_ARGUMENT", "invalid argument"},
    [KINDE_E_NOMEM] = {"KINDE_E_NOMEM", "out of memory"},
    [KINDE_E_CONFIG] = {"KINDE_E_CONFIG", "invalid configuration"},
    [KINDE_E_HTTP] = {"KINDE_E_HTTP", "HTTP request failed"},
    [KINDE_E_HTTP_STATUS] = {"KINDE_E_HTTP_STATUS", "unexpected HTTP status"},
    [KINDE_E_OAUTH] = {"KINDE_E_OAUTH", "authorization server returned an error"},
    [KINDE_E_BAD_RESPONSE] = {"KINDE_E_BAD_RESPONSE", "malformed response from the server"},
    [KINDE_E_STATE] = {"KINDE_E_STATE", "login state missing, unknown or expired"},
    [KINDE_E_CALLBACK] = {"KINDE_E_CALLBACK", "malformed callback"},
    [KINDE_E_LOGIN_REQUIRED] = {"KINDE_E_LOGIN_REQUIRED", "login required"},
    [KINDE_E_ACCESS_DENIED] = {"KINDE_E_ACCESS_DENIED", "access denied"},
    [KINDE_E_AUTHORIZATION] = {"KINDE_E_AUTHORIZATION", "authorization failed"},
    [KINDE_E_ISSUER_MISMATCH] = {"KINDE_E_ISSUER_MISMATCH", "callback issuer does not match"},
    [KINDE_E_TOKEN_MALFORMED] = {"KINDE_E_TOKEN_MALFORMED", "malformed token"},
    [KINDE_E_TOKEN_ALGORITHM] = {"KINDE_E_TOKEN_ALGORITHM", "token algorithm or header refused"},
    [KINDE_E_TOKEN_SIGNATURE] = {"KINDE_E_TOKEN_SIGNATURE", "token signature invalid"},
    [KINDE_E_TOKEN_KEY] = {"KINDE_E_TOKEN_KEY", "no key for the token"},
    [KINDE_E_TOKEN_CLAIMS] = {"KINDE_E_TOKEN_CLAIMS", "token claims invalid"},
    [KINDE_E_TOKEN_EXPIRED] = {"KINDE_E_TOKEN_EXPIRED", "token expired"},
    [KINDE_E_TOKEN_NOT_YET_VALID] = {"KINDE_E_TOKEN_NOT_YET_VALID", "token not yet valid"},
    [KINDE_E_TOKEN_NONCE] = {"KINDE_E_TOKEN_NONCE", "token nonce does not match"},
    [KINDE_E_JWKS] = {"KINDE_E_JWKS", "key set unavailable"},
    [KINDE_E_NOT_AUTHENTICATED] = {"KINDE_E_NOT_AUTHENTICATED", "not authenticated"},
    [KINDE_E_NO_REFRESH_TOKEN] = {"KINDE_E_NO_REFRESH_TOKEN", "no refresh token"},
    [KINDE_E_FLAG_NOT_FOUND] = {"KINDE_E_FLAG_NOT_FOUND", "feature flag not found"},
    [KINDE_E_FLAG_TYPE] = {"KINDE_E_FLAG_TYPE", "feature flag of another type"},
    [KINDE_E_SESSION_DATA] = {"KINDE_E_SESSION_DATA", "session data corrupt"},
    [KINDE_E_SUBJECT_MISMATCH] = {"KINDE_E_SUBJECT_MISMATCH", "token names another user"},
    [KINDE_E_GRANT_TYPE] = {"KINDE_E_GRANT_TYPE", "not possible with this grant type"},
    [KINDE_E_CLAIM_NOT_FOUND] = {"KINDE_E_CLAIM_NOT_FOUND", "claim not found"},
    [KINDE_E_RATE_LIMITED] = {"KINDE_E_RATE_LIMITED", "rate limited past the wait budget"},
};

#define N_CODES (sizeof code_info / sizeof code_info[0])

const char *kinde_strerror(kinde_code code)
{
    if ((unsigned)code < N_CODES && code_info[code].text)
        return code_info[code].text;
    return "unknown error";
}

const char *kinde_code_name(kinde_code code)
{
    if ((unsigned)code < N_CODES && code_info[code].name)
        return code_info[code].name;
    return "KINDE_E_UNKNOWN";
}

kinde_code kinde__fail(kinde_error *err, kinde_code code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->http_status = 0;
    err->oauth_error[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
    } else {
        snprintf(err->text, sizeof err->text, "%s", kinde_strerror(code));
    }
    return code;
}

kinde_code kinde__fail_oauth(kinde_error *err, kinde_code code, long http_status,
                             const char *error, const char *description)
{
    if (!err)
        return code;
    kinde__fail(err, code, "%s%s%s", error ? error : kinde_strerror(code),
                description ? ": " : "", description ? description : "");
    err->http_status = http_status;
    snprintf(err->oauth_error, sizeof err->oauth_error, "%s", error ? error : "");
    return code;
}
