/* Compact JWS parsing and RS256 verification: the RFC known answers
 * (SECURITY.md A13) and the header rules (A1, A3-A5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>

#include "testutil.h"

/* RFC 7515 appendix A.2: RS256 over {"alg":"RS256"} and the "joe" payload
 * (with its CRLFs), and the RSA public key of A.2.1 as a JWK. */
#define RFC7515_TOKEN                                                                          \
    "eyJhbGciOiJSUzI1NiJ9"                                                                     \
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0" \
    "cnVlfQ"                                                                                   \
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2F" \
    "p5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMH" \
    "lb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w" \
    "9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
#define RFC7515_JWKS                                                                           \
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPd" \
    "dxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo" \
    "9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD" \
    "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h" \
    "4FRWyuXpoQ\",\"e\":\"AQAB\"}]}"

/* RFC 7520 section 4.1: RSA v1.5 signature by bilbo.baggins@hobbiton.example
 * (key of section 3.3) over a non-JSON payload, so it is checked below the
 * JWT parser, with kinde__jws_verify alone. */
#define RFC7520_INPUT                                                                          \
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9"                 \
    ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb2" \
    "50byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcg" \
    "d2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
#define RFC7520_SIG                                                                            \
    "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xu" \
    "glII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5a" \
    "AE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0" \
    "KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg"
#define RFC7520_JWKS                                                                           \
    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\","     \
    "\"n\":\"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZ" \
    "QHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpP" \
    "e7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_" \
    "vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw\",\"e\":\"AQAB\"}]}"

static EVP_PKEY *key_a, *key_b;

static int setup(void **state)
{
    key_a = tu_rsa_key(2048);
    key_b = tu_rsa_key(2048);
    return key_a && key_b ? 0 : -1;
}

static int teardown(void **state)
{
    EVP_PKEY_free(key_a);
    EVP_PKEY_free(key_b);
    return 0;
}

static kinde_code parse(const char *token)
{
    kinde__jws jws;
    kinde_error err;
    kinde_code rc = kinde__jws_parse(token, &jws, &err);
    if (rc != KINDE_OK)
        assert_int_equal(err.code, rc);
    kinde__jws_clear(&jws);
    return rc;
}

/* Parse the token and verify it with the only key of a JWKS text. */
static kinde_code verify_with_jwks(const char *token, const char *jwks)
{
    kinde__jwks *set = NULL;
    assert_int_equal(kinde__jwks_parse(jwks, strlen(jwks), &set, NULL), KINDE_OK);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, NULL, &key, NULL), KINDE_OK);
    kinde__jws jws;
    kinde_code rc = kinde__jws_parse(token, &jws, NULL);
    if (rc == KINDE_OK)
        rc = kinde__jws_verify(&jws, key, NULL);
    kinde__jws_clear(&jws);
    kinde__jwks_free(set);
    return rc;
}

static void rfc7515_a2_verifies(void **state)
{
    assert_int_equal(verify_with_jwks(RFC7515_TOKEN, RFC7515_JWKS), KINDE_OK);
    kinde__jws jws;
    assert_int_equal(kinde__jws_parse(RFC7515_TOKEN, &jws, NULL), KINDE_OK);
    const kinde__jval *root = kinde__jroot(jws.payload);
    assert_string_equal(kinde__jget_str(root, "iss"), "joe");
    assert_int_equal(kinde__jget(root, "exp")->v.i, 1300819380);
    assert_int_equal(kinde__jget(root, "http://example.com/is_root")->type, KINDE__J_TRUE);
    assert_null(kinde__jws_kid(&jws));
    assert_int_equal(jws.signature_len, 256);
    kinde__jws_clear(&jws);
}

static void rfc7515_a2_one_byte_changed(void **state)
{
    const char *token = RFC7515_TOKEN;
    size_t len = strlen(token);
    /* Every position, one byte changed to another base64url character:
     * nothing verifies. A changed header may also lose its "alg". */
    char *copy = strdup(token);
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == '.')
            continue;
        char saved = copy[i];
        copy[i] = saved == 'A' ? 'B' : 'A';
        kinde_code rc = verify_with_jwks(copy, RFC7515_JWKS);
        if (rc != KINDE_E_TOKEN_SIGNATURE && rc != KINDE_E_TOKEN_MALFORMED &&
            rc != KINDE_E_TOKEN_ALGORITHM)
            fail_msg("byte %zu changed: %s", i, kinde_code_name(rc));
        copy[i] = saved;
    }
    free(copy);
    /* And one bit of the decoded signature: well-formed, signature refused. */
    char *flipped = tu_flip_segment_bit(token, 2, 1000);
    assert_int_equal(verify_with_jwks(flipped, RFC7515_JWKS), KINDE_E_TOKEN_SIGNATURE);
    free(flipped);
}

static kinde_code verify_raw(const char *input, const char *sig_b64, const char *jwks)
{
    kinde__jwks *set = NULL;
    assert_int_equal(kinde__jwks_parse(jwks, strlen(jwks), &set, NULL), KINDE_OK);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, "bilbo.baggins@hobbiton.example", &key, NULL), KINDE_OK);
    kinde__jws jws = {0};
    jws.signing_input = input;
    jws.signing_input_len = strlen(input);
    assert_int_equal(kinde__b64url_decode(sig_b64, strlen(sig_b64), &jws.signature,
                                          &jws.signature_len), 0);
    kinde_code rc = kinde__jws_verify(&jws, key, NULL);
    kinde__free(jws.signature);
    kinde__jwks_free(set);
    return rc;
}

static void rfc7520_4_1(void **state)
{
    assert_int_equal(verify_raw(RFC7520_INPUT, RFC7520_SIG, RFC7520_JWKS), KINDE_OK);
    char *input = strdup(RFC7520_INPUT);
    input[100] = input[100] == 'A' ? 'B' : 'A';
    assert_int_equal(verify_raw(input, RFC7520_SIG, RFC7520_JWKS), KINDE_E_TOKEN_SIGNATURE);
    free(input);
    char *sig = strdup(RFC7520_SIG);
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    assert_int_equal(verify_raw(RFC7520_INPUT, sig, RFC7520_JWKS), KINDE_E_TOKEN_SIGNATURE);
    free(sig);
    /* Its payload is not JSON: as a JWT it is malformed. */
    char *as_token = malloc(strlen(RFC7520_INPUT) + strlen(RFC7520_SIG) + 2);
    sprintf(as_token, "%s.%s", RFC7520_INPUT, RFC7520_SIG);
    assert_int_equal(parse(as_token), KINDE_E_TOKEN_MALFORMED);
    free(as_token);
}

static void round_trip_with_fresh_key(void **state)
{
    char *t = tu_sign_rs256("{\"alg\":\"RS256\",\"kid\":\"a\",\"typ\":\"JWT\"}",
                            "{\"sub\":\"x\",\"n\":1}", key_a);
    kinde__jws jws;
    kinde_error err;
    assert_int_equal(kinde__jws_parse(t, &jws, &err), KINDE_OK);
    assert_string_equal(kinde__jws_kid(&jws), "a");
    assert_int_equal(kinde__jws_verify(&jws, key_a, &err), KINDE_OK);
    assert_int_equal(kinde__jws_verify(&jws, key_b, &err), KINDE_E_TOKEN_SIGNATURE);
    assert_int_equal(err.code, KINDE_E_TOKEN_SIGNATURE);
    /* signing_input covers exactly "header.payload". */
    assert_int_equal(jws.signing_input_len, (size_t)(strrchr(t, '.') - t));
    assert_memory_equal(jws.signing_input, t, jws.signing_input_len);
    kinde__jws_clear(&jws);
    kinde__jws_clear(&jws); /* clearing twice is harmless */
    free(t);
}

static void every_bit_of_a_token_matters(void **state)
{
    char *t = tu_sign_rs256("{\"alg\":\"RS256\"}", "{\"sub\":\"x\"}", key_a);
    for (int seg = 0; seg < 3; seg++) {
        size_t n = tu_segment_len(t, seg) * 8;
        for (size_t bit = 0; bit < n; bit++) {
            char *m = tu_flip_segment_bit(t, seg, bit);
            kinde__jws jws;
            kinde_code rc = kinde__jws_parse(m, &jws, NULL);
            if (rc == KINDE_OK)
                rc = kinde__jws_verify(&jws, key_a, NULL);
            kinde__jws_clear(&jws);
            if (rc == KINDE_OK)
                fail_msg("segment %d bit %zu flipped and still verifies", seg, bit);
            free(m);
        }
    }
    size_t text_bits = strlen(t) * 8;
    for (size_t bit = 0; bit < text_bits; bit++) {
        char *m = tu_flip_text_bit(t, bit);
        kinde__jws jws;
        kinde_code rc = kinde__jws_parse(m, &jws, NULL);
        if (rc == KINDE_OK)
            rc = kinde__jws_verify(&jws, key_a, NULL);
        kinde__jws_clear(&jws);
        if (rc == KINDE_OK)
            fail_msg("text bit %zu flipped and still verifies", bit);
        free(m);
    }
    free(t);
}

static void algorithms_refused(void **state)
{
    const char *payload = "{\"sub\":\"x\"}";
    static const char *const headers[] = {
        "{\"alg\":\"none\"}",  "{\"alg\":\"None\"}",   "{\"alg\":\"HS256\"}", "{\"alg\":\"HS512\"}",
        "{\"alg\":\"RS384\"}", "{\"alg\":\"RS512\"}",  "{\"alg\":\"PS256\"}", "{\"alg\":\"ES256\"}",
        "{\"alg\":\"rs256\"}", "{\"alg\":\"RS256 \"}", "{\"alg\":\"\"}",      "{\"alg\":null}",
        "{\"alg\":256}",       "{\"alg\":[\"RS256\"]}", "{\"typ\":\"JWT\"}",  "{}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *t = tu_sign_rs256(headers[i], payload, key_a);
        kinde_error err;
        kinde__jws jws;
        kinde_code rc = kinde__jws_parse(t, &jws, &err);
        if (rc != KINDE_E_TOKEN_ALGORITHM)
            fail_msg("%s: %s", headers[i], kinde_code_name(rc));
        free(t);
    }
    /* alg none with its empty signature: an algorithm refusal, reported as such. */
    char *t = tu_sign_none("{\"alg\":\"none\"}", payload);
    assert_int_equal(parse(t), KINDE_E_TOKEN_ALGORITHM);
    free(t);
    /* HS256 keyed with the public key: refused before any key is looked at. */
    t = tu_sign_hs256_public("{\"alg\":\"HS256\"}", payload, key_a);
    assert_int_equal(parse(t), KINDE_E_TOKEN_ALGORITHM);
    free(t);
    /* An RS384 signature under an RS256 label parses but does not verify. */
    t = tu_sign_rsa("{\"alg\":\"RS256\"}", payload, key_a, "SHA384");
    kinde__jws jws;
    assert_int_equal(kinde__jws_parse(t, &jws, NULL), KINDE_OK);
    assert_int_equal(kinde__jws_verify(&jws, key_a, NULL), KINDE_E_TOKEN_SIGNATURE);
    kinde__jws_clear(&jws);
    free(t);
}

static void header_key_sources_and_crit_refused(void **state)
{
    static const char *const headers[] = {
        "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}",
        "{\"alg\":\"RS256\",\"crit\":[]}",
        "{\"alg\":\"RS256\",\"crit\":\"b64\"}",
        "{\"alg\":\"RS256\",\"jku\":\"https://evil.example/jwks.json\"}",
        "{\"alg\":\"RS256\",\"x5u\":\"https://evil.example/cert.pem\"}",
        "{\"alg\":\"RS256\",\"x5c\":[\"MIIB\"]}",
        "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}",
        "{\"alg\":\"RS256\",\"jku\":null}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *t = tu_sign_rs256(headers[i], "{}", key_a);
        kinde_error err;
        kinde__jws jws;
        if (kinde__jws_parse(t, &jws, &err) != KINDE_E_TOKEN_ALGORITHM)
            fail_msg("%s accepted", headers[i]);
        free(t);
    }
}

static void malformed(void **state)
{
    char *good = tu_sign_rs256("{\"alg\":\"RS256\"}", "{\"sub\":\"x\"}", key_a);
    const char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
    char buf[8192];
    kinde__jws jws;
    assert_int_equal(parse(good), KINDE_OK);

    /* Segment counts. */
    snprintf(buf, sizeof buf, "%.*s", (int)(dot2 - good), good);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%s.%s", good, dot2 + 1);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%s.%s.%s", good, dot2 + 1, dot2 + 1);
    kinde_error err;
    assert_int_equal(kinde__jws_parse(buf, &jws, &err), KINDE_E_TOKEN_MALFORMED);
    assert_non_null(strstr(err.text, "JWE"));
    assert_int_equal(parse(""), KINDE_E_TOKEN_MALFORMED);
    assert_int_equal(parse(".."), KINDE_E_TOKEN_MALFORMED);
    assert_int_equal(parse("...."), KINDE_E_TOKEN_MALFORMED);
    assert_int_equal(parse("abc"), KINDE_E_TOKEN_MALFORMED);

    /* Empty segments. */
    snprintf(buf, sizeof buf, "%.*s.", (int)(dot2 - good), good);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%.*s.%s", (int)(dot1 - good), good, dot2);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%s", dot1);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);

    /* Characters and padding. */
    snprintf(buf, sizeof buf, "%s=", good);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%s ", good);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, " %s", good);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    snprintf(buf, sizeof buf, "%s", good);
    buf[dot1 - good + 3] = '+';
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    /* {"alg":"RS256"} standard base64 with padding. */
    assert_int_equal(parse("eyJhbGciOiJSUzI1NiJ9=.e30.AAAA"), KINDE_E_TOKEN_MALFORMED);

    /* Non-canonical: last character's unused bits set (header is 20 chars,
     * 15 bytes, so pad an odd-length header instead). */
    char *h = tu_b64url("{\"alg\":\"RS256\"} ", 16); /* 22 chars: 4 unused bits */
    size_t hl = strlen(h);
    assert_true(hl % 4 == 2);
    char *p = tu_b64url("{}", 2);
    char *s = tu_b64url("sig", 3);
    snprintf(buf, sizeof buf, "%s.%s.%s", h, p, s);
    assert_int_equal(parse(buf), KINDE_OK);
    h[hl - 1] = (char)(h[hl - 1] + 1); /* 'g' -> 'h' etc.: same bytes, other spelling */
    snprintf(buf, sizeof buf, "%s.%s.%s", h, p, s);
    assert_int_equal(parse(buf), KINDE_E_TOKEN_MALFORMED);
    free(h);
    free(p);
    free(s);

    /* Not JSON objects, duplicate members. */
    static const char *const bad_json[][2] = {
        {"{\"alg\":\"RS256\"}", "[]"},
        {"{\"alg\":\"RS256\"}", "\"sub\""},
        {"{\"alg\":\"RS256\"}", "42"},
        {"{\"alg\":\"RS256\"}", "null"},
        {"{\"alg\":\"RS256\"}", "{\"sub\":\"a\""},
        {"{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}"},
        {"{\"alg\":\"RS256\"}", "{\"sub\":\"a\"} x"},
        {"{\"alg\":\"RS256\"}", "{\"sub\":\"a\\u0000b\"}"},
        {"[\"RS256\"]", "{}"},
        {"{\"alg\":\"RS256\",\"alg\":\"RS256\"}", "{}"},
        {"{\"alg\":\"HS256\",\"alg\":\"RS256\"}", "{}"},
        {"{\"alg\":\"RS256\",\"kid\":7}", "{}"},
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        char *t = tu_sign_rs256(bad_json[i][0], bad_json[i][1], key_a);
        if (parse(t) != KINDE_E_TOKEN_MALFORMED)
            fail_msg("header %s payload %s accepted", bad_json[i][0], bad_json[i][1]);
        free(t);
    }

    /* Too deep, too long. */
    char deep[200];
    memset(deep, 0, sizeof deep);
    strcpy(deep, "{\"a\":");
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    char *t = tu_sign_rs256("{\"alg\":\"RS256\"}", deep, key_a);
    assert_int_equal(parse(t), KINDE_E_TOKEN_MALFORMED);
    free(t);
    char *big = malloc(20000);
    memset(big, 'A', 19999);
    big[19999] = '\0';
    memcpy(big, good, strlen(good) - 1);
    assert_int_equal(parse(big), KINDE_E_TOKEN_MALFORMED);
    free(big);
    free(good);
}

static void empty_signature_and_wrong_length(void **state)
{
    char *t = tu_sign_rs256("{\"alg\":\"RS256\"}", "{}", key_a);
    char *s = tu_replace_segment(t, 2, "");
    assert_int_equal(parse(s), KINDE_E_TOKEN_MALFORMED);
    free(s);
    s = tu_replace_segment(t, 2, "AAAA");
    kinde__jws jws;
    assert_int_equal(kinde__jws_parse(s, &jws, NULL), KINDE_OK);
    assert_int_equal(kinde__jws_verify(&jws, key_a, NULL), KINDE_E_TOKEN_SIGNATURE);
    kinde__jws_clear(&jws);
    free(s);
    free(t);
}

static void small_and_foreign_keys_refused(void **state)
{
    EVP_PKEY *small = tu_rsa_key(1024);
    char *t = tu_sign_rs256("{\"alg\":\"RS256\"}", "{}", small);
    kinde__jws jws;
    kinde_error err;
    assert_int_equal(kinde__jws_parse(t, &jws, NULL), KINDE_OK);
    /* A correct signature, but by a key too weak to trust. */
    assert_int_equal(kinde__jws_verify(&jws, small, &err), KINDE_E_TOKEN_KEY);
    assert_non_null(strstr(err.text, "1024"));
    kinde__jws_clear(&jws);
    free(t);
    EVP_PKEY_free(small);

    EVP_PKEY *ec = EVP_EC_gen("P-256");
    t = tu_sign_rs256("{\"alg\":\"RS256\"}", "{}", key_a);
    assert_int_equal(kinde__jws_parse(t, &jws, NULL), KINDE_OK);
    assert_int_equal(kinde__jws_verify(&jws, ec, NULL), KINDE_E_TOKEN_KEY);
    assert_int_equal(kinde__jws_verify(&jws, NULL, NULL), KINDE_E_INVALID_ARGUMENT);
    kinde__jws_clear(&jws);
    free(t);
    EVP_PKEY_free(ec);
}

static void arguments(void **state)
{
    kinde__jws jws;
    assert_int_equal(kinde__jws_parse(NULL, &jws, NULL), KINDE_E_INVALID_ARGUMENT);
    kinde__jws_clear(&jws);
    assert_int_equal(kinde__jws_parse("a.b.c", NULL, NULL), KINDE_E_INVALID_ARGUMENT);
    kinde__jws_clear(NULL);
    assert_null(kinde__jws_kid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc7515_a2_verifies),
        cmocka_unit_test(rfc7515_a2_one_byte_changed),
        cmocka_unit_test(rfc7520_4_1),
        cmocka_unit_test(round_trip_with_fresh_key),
        cmocka_unit_test(every_bit_of_a_token_matters),
        cmocka_unit_test(algorithms_refused),
        cmocka_unit_test(header_key_sources_and_crit_refused),
        cmocka_unit_test(malformed),
        cmocka_unit_test(empty_signature_and_wrong_length),
        cmocka_unit_test(small_and_foreign_keys_refused),
        cmocka_unit_test(arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
