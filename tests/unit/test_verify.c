/* Claims and whole-token verification (SECURITY.md A8-A12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ISS "https://acme.kinde.com"
#define CID "client-123"
#define NOW 1700000000LL

static EVP_PKEY *good, *other;
static char *jwks;

static int setup(void **state)
{
    good = tu_rsa_key(2048);
    other = tu_rsa_key(2048);
    jwks = tu_jwks_json(&good, (const char *[]){"k1"}, 1);
    return good && other && jwks ? 0 : -1;
}

static int teardown(void **state)
{
    EVP_PKEY_free(good);
    EVP_PKEY_free(other);
    free(jwks);
    return 0;
}

static kinde__token_policy policy(kinde_token_kind kind)
{
    kinde__token_policy p = {0};
    p.issuer = ISS;
    p.kind = kind;
    p.client_id = CID;
    p.leeway = 30;
    p.now = NOW;
    return p;
}

/* kinde__check_claims on a payload text; err->text must name want_claim. */
static kinde_code check(const char *payload, const kinde__token_policy *p, const char *want_claim)
{
    kinde__jdoc *j = tu_jdoc(payload);
    kinde_error err;
    memset(&err, 0, sizeof err);
    kinde_code rc = kinde__check_claims(kinde__jroot(j), p, &err);
    kinde__jdoc_free(j);
    if (rc != KINDE_OK) {
        assert_int_equal(err.code, rc);
        if (want_claim) {
            char quoted[64];
            snprintf(quoted, sizeof quoted, "'%s'", want_claim);
            if (!strstr(err.text, quoted))
                fail_msg("error '%s' does not name %s", err.text, quoted);
        }
    }
    return rc;
}

#define BASE "\"iss\":\"" ISS "\",\"sub\":\"kp_1\""
#define AT_OK "{" BASE ",\"exp\":1700003600,\"iat\":1700000000,\"aud\":[\"api.one\"],\"azp\":\"" CID "\"}"
#define ID_OK "{" BASE ",\"exp\":1700003600,\"iat\":1700000000,\"aud\":[\"" CID "\"],\"azp\":\"" CID "\",\"nonce\":\"n-1\",\"at_hash\":\"abc\"}"

static void accepts_good_tokens(void **state)
{
    kinde__token_policy at = policy(KINDE_ACCESS_TOKEN), id = policy(KINDE_ID_TOKEN);
    assert_int_equal(check(AT_OK, &at, NULL), KINDE_OK);
    const char *auds[] = {"api.one"};
    at.audiences = auds;
    at.n_audiences = 1;
    assert_int_equal(check(AT_OK, &at, NULL), KINDE_OK);
    assert_int_equal(check(ID_OK, &id, NULL), KINDE_OK);
    id.nonce = "n-1";
    assert_int_equal(check(ID_OK, &id, NULL), KINDE_OK);
    kinde__token_policy id0 = policy(KINDE_ID_TOKEN), at0 = policy(KINDE_ACCESS_TOKEN);
    /* aud as a plain string; no iat; one audience needs no azp. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\"}", &id0, NULL), KINDE_OK);
    /* Kinde access tokens may have an empty aud when none is configured. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[]}", &at0, NULL), KINDE_OK);
}

static void issuer_exact(void **state)
{
    kinde__token_policy p = policy(KINDE_ACCESS_TOKEN);
    static const char *const bad[] = {
        "\"https://acme.kinde.com/\"", "\"https://ACME.kinde.com\"", "\"http://acme.kinde.com\"",
        "\"https://acme.kinde.com.evil.com\"", "\"https://acme.kinde.co\"", "\"\"",
        "\" https://acme.kinde.com\"",
    };
    char buf[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf, "{\"iss\":%s,\"exp\":1700003600}", bad[i]);
        assert_int_equal(check(buf, &p, "iss"), KINDE_E_TOKEN_CLAIMS);
    }
    assert_int_equal(check("{\"exp\":1700003600}", &p, "iss"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{\"iss\":1,\"exp\":1700003600}", &p, "iss"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{\"iss\":[\"" ISS "\"],\"exp\":1700003600}", &p, "iss"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{\"iss\":null,\"exp\":1700003600}", &p, "iss"), KINDE_E_TOKEN_CLAIMS);
}

static void times(void **state)
{
    kinde__token_policy p = policy(KINDE_ACCESS_TOKEN);
    assert_int_equal(check("{" BASE "}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":\"1700003600\"}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600.0}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1.7e10}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":null}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":true}", &p, "exp"), KINDE_E_TOKEN_CLAIMS);
    /* Leeway 30: exp is valid while now < exp + 30. */
    assert_int_equal(check("{" BASE ",\"exp\":1699999971}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1699999970}", &p, "exp"), KINDE_E_TOKEN_EXPIRED);
    assert_int_equal(check("{" BASE ",\"exp\":0}", &p, "exp"), KINDE_E_TOKEN_EXPIRED);
    assert_int_equal(check("{" BASE ",\"exp\":-9223372036854775807}", &p, "exp"), KINDE_E_TOKEN_EXPIRED);
    assert_int_equal(check("{" BASE ",\"exp\":9223372036854775807}", &p, NULL), KINDE_OK);
    /* nbf and iat: up to the leeway ahead is fine. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"nbf\":1700000030}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"nbf\":1700000031}", &p, "nbf"), KINDE_E_TOKEN_NOT_YET_VALID);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"iat\":1700000030}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"iat\":1700000031}", &p, "iat"), KINDE_E_TOKEN_NOT_YET_VALID);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"iat\":9223372036854775807}", &p, "iat"), KINDE_E_TOKEN_NOT_YET_VALID);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"nbf\":\"0\"}", &p, "nbf"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"iat\":1.5}", &p, "iat"), KINDE_E_TOKEN_CLAIMS);
    /* Leeway 0 is exact; a negative leeway counts as 0. */
    p.leeway = 0;
    assert_int_equal(check("{" BASE ",\"exp\":1700000001}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1700000000}", &p, "exp"), KINDE_E_TOKEN_EXPIRED);
    p.leeway = 9223372036854775807L; /* absurd, but no overflow */
    assert_int_equal(check("{" BASE ",\"exp\":0}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":-9223372036854775807,\"nbf\":0}", &p, "exp"), KINDE_E_TOKEN_EXPIRED);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"nbf\":9223372036854775807}", &p, "nbf"), KINDE_E_TOKEN_NOT_YET_VALID);
    p.leeway = -100;
    assert_int_equal(check("{" BASE ",\"exp\":1700000001}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"nbf\":1700000001}", &p, "nbf"), KINDE_E_TOKEN_NOT_YET_VALID);
}

static void other_types(void **state)
{
    kinde__token_policy p = policy(KINDE_ACCESS_TOKEN);
    assert_int_equal(check("{\"iss\":\"" ISS "\",\"sub\":1,\"exp\":1700003600}", &p, "sub"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":1}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"a\",2]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":{\"a\":1}}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"azp\":[\"" CID "\"]}", &p, "azp"), KINDE_E_TOKEN_CLAIMS);
}

static void access_audiences(void **state)
{
    kinde__token_policy p = policy(KINDE_ACCESS_TOKEN);
    const char *auds[] = {"api.one", "api.two"};
    p.audiences = auds;
    p.n_audiences = 2;
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"api.two\",\"api.one\",\"x\"]}", &p, NULL), KINDE_OK);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"api.one\"]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"API.ONE\",\"api.two\"]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    p.n_audiences = 1;
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"api.one\"}", &p, NULL), KINDE_OK);
}

static void id_token_rules(void **state)
{
    kinde__token_policy p = policy(KINDE_ID_TOKEN);
    /* aud must contain the client id. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"other\"]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[]}", &p, "aud"), KINDE_E_TOKEN_CLAIMS);
    /* Several audiences: azp required and equal to the client id. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"" CID "\",\"x\"]}", &p, "azp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"" CID "\",\"x\"],\"azp\":\"x\"}", &p, "azp"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"" CID "\",\"x\"],\"azp\":\"" CID "\"}", &p, NULL), KINDE_OK);
    /* azp, when present, names us even with one audience. */
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":[\"" CID "\"],\"azp\":\"x\"}", &p, "azp"), KINDE_E_TOKEN_CLAIMS);
    /* nonce. */
    p.nonce = "n-1";
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\"}", &p, "nonce"), KINDE_E_TOKEN_NONCE);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\",\"nonce\":\"n-2\"}", &p, "nonce"), KINDE_E_TOKEN_NONCE);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\",\"nonce\":\"n-1 \"}", &p, "nonce"), KINDE_E_TOKEN_NONCE);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\",\"nonce\":\"n-\"}", &p, "nonce"), KINDE_E_TOKEN_NONCE);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\",\"nonce\":1}", &p, "nonce"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"aud\":\"" CID "\",\"nonce\":\"n-1\"}", &p, NULL), KINDE_OK);
}

static void access_token_refuses_id_claims(void **state)
{
    kinde__token_policy p = policy(KINDE_ACCESS_TOKEN);
    assert_int_equal(check(ID_OK, &p, "nonce"), KINDE_E_TOKEN_CLAIMS);
    assert_int_equal(check("{" BASE ",\"exp\":1700003600,\"at_hash\":\"x\"}", &p, "at_hash"), KINDE_E_TOKEN_CLAIMS);
    /* And an access token where an ID token is expected: aud lacks the client. */
    kinde__token_policy id = policy(KINDE_ID_TOKEN);
    assert_int_equal(check(AT_OK, &id, "aud"), KINDE_E_TOKEN_CLAIMS);
}

static void bad_policies(void **state)
{
    kinde__token_policy p = policy(KINDE_ID_TOKEN);
    p.client_id = NULL;
    assert_int_equal(check(ID_OK, &p, NULL), KINDE_E_INVALID_ARGUMENT);
    p = policy(KINDE_ACCESS_TOKEN);
    p.issuer = NULL;
    assert_int_equal(check(AT_OK, &p, NULL), KINDE_E_INVALID_ARGUMENT);
    p = policy(KINDE_ACCESS_TOKEN);
    p.kind = (kinde_token_kind)7;
    assert_int_equal(check(AT_OK, &p, NULL), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde__check_claims(NULL, &p, NULL), KINDE_E_INVALID_ARGUMENT);
}

/* ---- whole tokens --------------------------------------------------------- */

static kinde_code verify(tu_source *src, const char *token, const kinde__token_policy *p,
                         kinde__jdoc **payload)
{
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, src, 30);
    kinde_error err;
    kinde_code rc = kinde__verify_token(ks, token, p, payload, &err);
    if (rc != KINDE_OK)
        assert_int_equal(err.code, rc);
    kinde__keystore_free(ks);
    return rc;
}

static void whole_tokens(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks);
    kinde__clock_offset = 0;
    tu_claims c = tu_claims_default(ISS, CID);
    c.audience = "api.one";
    c.nonce = "n-1";
    kinde__token_policy at = policy(KINDE_ACCESS_TOKEN), id = policy(KINDE_ID_TOKEN);
    at.now = id.now = kinde__now();
    id.nonce = "n-1";

    char *access = tu_mint_access_token(good, "k1", &c);
    char *idt = tu_mint_id_token(good, "k1", &c);
    kinde__jdoc *payload = NULL;
    assert_int_equal(verify(&src, access, &at, &payload), KINDE_OK);
    assert_string_equal(kinde__jget_str(kinde__jroot(payload), "org_code"), "org_1234");
    kinde__jdoc_free(payload);
    assert_int_equal(verify(&src, idt, &id, &payload), KINDE_OK);
    assert_string_equal(kinde__jget_str(kinde__jroot(payload), "given_name"), "Dave");
    kinde__jdoc_free(payload);
    assert_int_equal(verify(&src, idt, &id, NULL), KINDE_OK);

    /* Crossed kinds (A12). */
    payload = (kinde__jdoc *)1;
    assert_int_equal(verify(&src, access, &id, &payload), KINDE_E_TOKEN_CLAIMS);
    assert_null(payload);
    assert_int_equal(verify(&src, idt, &at, NULL), KINDE_E_TOKEN_CLAIMS);

    /* Another key under our kid; a flipped signature bit. */
    char *forged = tu_mint_access_token(other, "k1", &c);
    assert_int_equal(verify(&src, forged, &at, NULL), KINDE_E_TOKEN_SIGNATURE);
    char *flipped = tu_flip_segment_bit(access, 2, 7);
    assert_int_equal(verify(&src, flipped, &at, NULL), KINDE_E_TOKEN_SIGNATURE);
    char *unknown = tu_mint_access_token(good, "k9", &c);
    assert_int_equal(verify(&src, unknown, &at, NULL), KINDE_E_TOKEN_KEY);
    /* Signature before claims: an expired forged token is a forgery first. */
    at.now += 7200;
    assert_int_equal(verify(&src, forged, &at, NULL), KINDE_E_TOKEN_SIGNATURE);
    assert_int_equal(verify(&src, access, &at, NULL), KINDE_E_TOKEN_EXPIRED);

    /* typ at+jwt never passes as an ID token, whatever its claims. */
    char *payload_text = tu_id_payload(&c);
    char *typed = tu_sign_rs256("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}", payload_text, good);
    assert_int_equal(verify(&src, typed, &id, NULL), KINDE_E_TOKEN_CLAIMS);
    free(typed);
    typed = tu_sign_rs256("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"application/AT+JWT\"}", payload_text, good);
    assert_int_equal(verify(&src, typed, &id, NULL), KINDE_E_TOKEN_CLAIMS);
    free(typed);
    free(payload_text);

    assert_int_equal(kinde__verify_token(NULL, access, &at, NULL, NULL), KINDE_E_INVALID_ARGUMENT);
    free(access);
    free(idt);
    free(forged);
    free(flipped);
    free(unknown);
    tu_source_destroy(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_good_tokens),
        cmocka_unit_test(issuer_exact),
        cmocka_unit_test(times),
        cmocka_unit_test(other_types),
        cmocka_unit_test(access_audiences),
        cmocka_unit_test(id_token_rules),
        cmocka_unit_test(access_token_refuses_id_claims),
        cmocka_unit_test(bad_policies),
        cmocka_unit_test(whole_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
