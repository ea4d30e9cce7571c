/* JWKS parsing and key choice (SECURITY.md A6): unusable entries are
 * skipped, never fatal; only an unambiguous key is chosen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static EVP_PKEY *k1, *k2, *small;

static int setup(void **state)
{
    k1 = tu_rsa_key(2048);
    k2 = tu_rsa_key(3072);
    small = tu_rsa_key(1024);
    return k1 && k2 && small ? 0 : -1;
}

static int teardown(void **state)
{
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(small);
    return 0;
}

static kinde__jwks *parse_ok(const char *json)
{
    kinde__jwks *set = NULL;
    kinde_error err;
    kinde_code rc = kinde__jwks_parse(json, strlen(json), &set, &err);
    if (rc != KINDE_OK)
        fail_msg("%s: %s", json, err.text);
    return set;
}

static kinde_code parse_code(const char *json)
{
    kinde__jwks *set = (kinde__jwks *)1;
    kinde_error err;
    kinde_code rc = kinde__jwks_parse(json, strlen(json), &set, &err);
    if (rc != KINDE_OK) {
        assert_null(set);
        assert_int_equal(err.code, rc);
    }
    kinde__jwks_free(rc == KINDE_OK ? set : NULL);
    return rc;
}

static void shapes(void **state)
{
    assert_int_equal(parse_code("[]"), KINDE_E_JWKS);
    assert_int_equal(parse_code("\"keys\""), KINDE_E_JWKS);
    assert_int_equal(parse_code("{}"), KINDE_E_JWKS);
    assert_int_equal(parse_code("{\"keys\":{}}"), KINDE_E_JWKS);
    assert_int_equal(parse_code("{\"keys\":null}"), KINDE_E_JWKS);
    assert_int_equal(parse_code("{\"keys\":[]"), KINDE_E_JWKS);
    assert_int_equal(parse_code("garbage"), KINDE_E_JWKS);
    assert_int_equal(parse_code(""), KINDE_E_JWKS);
    assert_int_equal(parse_code("{\"keys\":[],\"keys\":[]}"), KINDE_E_JWKS);
    kinde__jwks *set = parse_ok("{\"keys\":[]}");
    assert_int_equal(kinde__jwks_count(set), 0);
    EVP_PKEY *key = (EVP_PKEY *)1;
    assert_int_equal(kinde__jwks_find(set, "x", &key, NULL), KINDE_E_TOKEN_KEY);
    assert_null(key);
    assert_int_equal(kinde__jwks_find(set, NULL, &key, NULL), KINDE_E_TOKEN_KEY);
    kinde__jwks_free(set);
    /* Junk entries of any type in the array are skipped. */
    set = parse_ok("{\"keys\":[1,\"a\",null,[],{}],\"other\":true}");
    assert_int_equal(kinde__jwks_count(set), 0);
    kinde__jwks_free(set);
    kinde__jwks_free(NULL);
    assert_int_equal(kinde__jwks_count(NULL), 0);
}

static void finds_by_kid(void **state)
{
    EVP_PKEY *keys[] = {k1, k2};
    const char *kids[] = {"one", "two"};
    char *json = tu_jwks_json(keys, kids, 2);
    kinde__jwks *set = parse_ok(json);
    assert_int_equal(kinde__jwks_count(set), 2);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, "one", &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k1), 1);
    assert_int_equal(kinde__jwks_find(set, "two", &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k2), 1);
    kinde_error err;
    assert_int_equal(kinde__jwks_find(set, "three", &key, &err), KINDE_E_TOKEN_KEY);
    assert_non_null(strstr(err.text, "three"));
    assert_int_equal(kinde__jwks_find(set, "ONE", &key, NULL), KINDE_E_TOKEN_KEY);
    assert_int_equal(kinde__jwks_find(set, "", &key, NULL), KINDE_E_TOKEN_KEY);
    /* No kid and two keys: ambiguous, refused. */
    assert_int_equal(kinde__jwks_find(set, NULL, &key, &err), KINDE_E_TOKEN_KEY);
    kinde__jwks_free(set);
    free(json);
}

static void no_kid_one_key(void **state)
{
    char *json = tu_jwks_json(&k1, NULL, 1);
    kinde__jwks *set = parse_ok(json);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, NULL, &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k1), 1);
    /* A kid in the token must match a kid in the set. */
    assert_int_equal(kinde__jwks_find(set, "k", &key, NULL), KINDE_E_TOKEN_KEY);
    kinde__jwks_free(set);
    free(json);
    /* One usable key among unusable ones is still "exactly one". */
    char *good = tu_jwk_json(k1, "good");
    char *enc = tu_jwk_json_custom(k2, "RSA", "enc", "RS256", "enc", NULL);
    char *weak = tu_jwk_json(small, "weak");
    const char *parts[] = {enc, good, weak};
    json = tu_jwks_of(parts, 3);
    set = parse_ok(json);
    assert_int_equal(kinde__jwks_count(set), 1);
    assert_int_equal(kinde__jwks_find(set, NULL, &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k1), 1);
    kinde__jwks_free(set);
    free(json);
    free(good);
    free(enc);
    free(weak);
}

/* A set of `bad` then a good key "good": bad is skipped, good stays. */
static void skipped(const char *bad, const char *why)
{
    char *good = tu_jwk_json(k1, "good");
    const char *parts[] = {bad, good};
    char *json = tu_jwks_of(parts, 2);
    kinde__jwks *set = parse_ok(json);
    if (kinde__jwks_count(set) != 1)
        fail_msg("%s: %zu keys", why, kinde__jwks_count(set));
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, "good", &key, NULL), KINDE_OK);
    if (kinde__jwks_find(set, "bad", &key, NULL) != KINDE_E_TOKEN_KEY)
        fail_msg("%s: key 'bad' usable", why);
    kinde__jwks_free(set);
    free(json);
    free(good);
}

static void skips_unusable_entries(void **state)
{
    struct {
        const char *kty, *use, *alg, *extra, *why;
    } cases[] = {
        {"EC", "sig", "RS256", NULL, "kty EC"},
        {"oct", "sig", "RS256", NULL, "kty oct"},
        {"rsa", "sig", "RS256", NULL, "kty lower case"},
        {NULL, "sig", "RS256", NULL, "no kty"},
        {"RSA", "enc", "RS256", NULL, "use enc"},
        {"RSA", "SIG", "RS256", NULL, "use upper case"},
        {"RSA", "sig", "RS384", NULL, "alg RS384"},
        {"RSA", "sig", "PS256", NULL, "alg PS256"},
        {"RSA", "sig", "HS256", NULL, "alg HS256"},
        {"RSA", "sig", "none", NULL, "alg none"},
        {"RSA", "sig", "RS256", "\"key_ops\":[\"encrypt\"]", "key_ops without verify"},
        {"RSA", "sig", "RS256", "\"key_ops\":\"verify\"", "key_ops not an array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *bad = tu_jwk_json_custom(k2, cases[i].kty, cases[i].use, cases[i].alg, "bad",
                                       cases[i].extra);
        skipped(bad, cases[i].why);
        free(bad);
    }
    /* use and alg are optional; key_ops with verify is fine. */
    char *plain = tu_jwk_json_custom(k2, "RSA", NULL, NULL, "plain", "\"key_ops\":[\"verify\"]");
    char *wrapped = tu_jwks_of((const char *[]){plain}, 1);
    kinde__jwks *set = parse_ok(wrapped);
    assert_int_equal(kinde__jwks_count(set), 1);
    kinde__jwks_free(set);
    free(wrapped);
    free(plain);

    /* Type errors of use/alg/kid. */
    char *n_e = tu_jwk_json_custom(k2, NULL, NULL, NULL, NULL, NULL); /* {"n":..,"e":..} */
    char buf[2048];
    static const char *const prefixes[] = {
        "\"kty\":\"RSA\",\"use\":1,", "\"kty\":\"RSA\",\"alg\":[\"RS256\"],",
        "\"kty\":\"RSA\",\"kid\":5,\"x\":0,", "\"kty\":[\"RSA\"],",
    };
    for (size_t i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "{\"kid\":\"bad\",%s%s", prefixes[i], n_e + 1);
        /* The third prefix gives two kids: a duplicate member, the whole set is refused. */
        if (i == 2) {
            char *good = tu_jwk_json(k1, "good");
            char *json = tu_jwks_of((const char *[]){buf, good}, 2);
            assert_int_equal(parse_code(json), KINDE_E_JWKS);
            free(json);
            free(good);
            continue;
        }
        skipped(buf, prefixes[i]);
    }
    snprintf(buf, sizeof buf, "{\"kty\":\"RSA\",\"kid\":7,%s", n_e + 1);
    skipped(buf, "kid a number");
    free(n_e);

    /* Small modulus. */
    char *weak = tu_jwk_json(small, "bad");
    skipped(weak, "1024-bit modulus");
    free(weak);
}

static void skips_malformed_numbers(void **state)
{
    char *real = tu_jwk_json(k2, "x");
    /* Pull out the real n to build variants. */
    const char *n0 = strstr(real, "\"n\":\"") + 5;
    size_t nlen = (size_t)(strchr(n0, '"') - n0);
    char n[1024];
    snprintf(n, sizeof n, "%.*s", (int)nlen, n0);
    char buf[4096];
    struct {
        const char *n, *e, *why;
    } cases[] = {
        {NULL, "AQAB", "n missing"},   {n, NULL, "e missing"},
        {"", "AQAB", "n empty"},       {n, "", "e empty"},
        {n, "AQAB=", "e padded"},      {n, "AQA+", "e bad char"},
        {n, "AQAC", "e even"},         {n, "AQ", "e = 1"},
        {n, "AQABAQABAQABAQAB", "e of 96 bits"},
        {"AQAB", "AQAB", "n tiny"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int off = snprintf(buf, sizeof buf, "{\"kty\":\"RSA\",\"kid\":\"bad\"");
        if (cases[i].n)
            off += snprintf(buf + off, sizeof buf - (size_t)off, ",\"n\":\"%s\"", cases[i].n);
        if (cases[i].e)
            off += snprintf(buf + off, sizeof buf - (size_t)off, ",\"e\":\"%s\"", cases[i].e);
        snprintf(buf + off, sizeof buf - (size_t)off, "}");
        skipped(buf, cases[i].why);
    }
    /* n padded or non-canonical. */
    snprintf(buf, sizeof buf, "{\"kty\":\"RSA\",\"kid\":\"bad\",\"n\":\"%s=\",\"e\":\"AQAB\"}", n);
    skipped(buf, "n padded");
    snprintf(buf, sizeof buf, "{\"kty\":\"RSA\",\"kid\":\"bad\",\"n\":1,\"e\":\"AQAB\"}");
    skipped(buf, "n a number");
    /* An even modulus is no RSA modulus. */
    char even[1024];
    snprintf(even, sizeof even, "%s", n);
    size_t el = strlen(even);
    assert_true(el % 4 == 0); /* 3072 bits: 384 bytes, 512 characters, no spare bits */
    /* Clear the low bit: the last character's value minus one when odd. */
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int v = (int)(strchr(alpha, even[el - 1]) - alpha);
    even[el - 1] = alpha[v & ~1];
    snprintf(buf, sizeof buf, "{\"kty\":\"RSA\",\"kid\":\"bad\",\"n\":\"%s\",\"e\":\"AQAB\"}", even);
    skipped(buf, "n even");
    free(real);
}

static void duplicate_kids_first_wins(void **state)
{
    EVP_PKEY *keys[] = {k1, k2};
    const char *kids[] = {"same", "same"};
    char *json = tu_jwks_json(keys, kids, 2);
    kinde__jwks *set = parse_ok(json);
    assert_int_equal(kinde__jwks_count(set), 1);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__jwks_find(set, "same", &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k1), 1);
    kinde__jwks_free(set);
    free(json);
    /* A skipped entry does not claim its kid. */
    char *weak = tu_jwk_json(small, "same");
    char *good = tu_jwk_json(k2, "same");
    json = tu_jwks_of((const char *[]){weak, good}, 2);
    set = parse_ok(json);
    assert_int_equal(kinde__jwks_find(set, "same", &key, NULL), KINDE_OK);
    assert_int_equal(EVP_PKEY_eq(key, k2), 1);
    kinde__jwks_free(set);
    free(json);
    free(weak);
    free(good);
}

static void private_members_ignored(void **state)
{
    /* A set that leaks private parts still only yields public keys. */
    char *jwk = tu_jwk_json_custom(k1, "RSA", "sig", "RS256", "k", "\"d\":\"AQAB\",\"p\":\"AQAB\"");
    char *json = tu_jwks_of((const char *[]){jwk}, 1);
    kinde__jwks *set = parse_ok(json);
    assert_int_equal(kinde__jwks_count(set), 1);
    kinde__jwks_free(set);
    free(json);
    free(jwk);
}

static void arguments(void **state)
{
    kinde__jwks *set = NULL;
    assert_int_equal(kinde__jwks_parse(NULL, 0, &set, NULL), KINDE_E_JWKS);
    assert_int_equal(kinde__jwks_parse("{\"keys\":[]}", 11, NULL, NULL), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde__jwks_find(NULL, "k", NULL, NULL), KINDE_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapes),
        cmocka_unit_test(finds_by_kid),
        cmocka_unit_test(no_kid_one_key),
        cmocka_unit_test(skips_unusable_entries),
        cmocka_unit_test(skips_malformed_numbers),
        cmocka_unit_test(duplicate_kids_first_wins),
        cmocka_unit_test(private_members_ignored),
        cmocka_unit_test(arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
