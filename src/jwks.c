/* A parsed JWKS: the RSA signing keys of the configured domain (SECURITY.md A6).
 *
 * One bad entry must not take the whole set down (a provider adding an EC
 * key or an encryption key would otherwise lock every user out), so unusable
 * entries are skipped; only a body that is not a key set at all fails. */
#include "internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <string.h>

#define KINDE_RSA_MIN_BITS 2048
/* Larger moduli only cost verification time; 16384 bits is beyond any real key. */
#define KINDE_RSA_MAX_BITS 16384

typedef struct jwks_key {
    char *kid;                     /* NULL when the entry had none */
    EVP_PKEY *key;
} jwks_key;

struct kinde__jwks {
    jwks_key *keys;
    size_t n;
};

/* A big-endian unsigned integer from base64url; NULL when malformed. */
static BIGNUM *decode_bn(const json_t *v, int *nomem)
{
    if (!json_is_string(v))
        return NULL;
    unsigned char *raw = NULL;
    size_t len = 0;
    int d = kinde__b64url_decode(json_string_value(v), json_string_length(v), &raw, &len);
    if (d == -2)
        *nomem = 1;
    if (d != 0)
        return NULL;
    BIGNUM *bn = len > 0 && len <= KINDE_RSA_MAX_BITS / 8 ? BN_bin2bn(raw, (int)len, NULL) : NULL;
    kinde__free(raw);
    return bn;
}

static EVP_PKEY *rsa_public_key(const BIGNUM *n, const BIGNUM *e)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) &&
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(ctx) == 1)
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

/* Optional string member: absent is fine, present must be a string equal to want. */
static int member_absent_or(const json_t *jwk, const char *name, const char *want)
{
    const json_t *v = json_object_get(jwk, name);
    return !v || (json_is_string(v) && strcmp(json_string_value(v), want) == 0);
}

/* 1: usable key in *out; 0: skipped; -1: out of memory. */
static int parse_key(const json_t *jwk, jwks_key *out)
{
    if (!json_is_object(jwk))
        return 0;
    const char *kty = kinde__json_str(jwk, "kty");
    if (!kty || strcmp(kty, "RSA") != 0)
        return 0;
    if (!member_absent_or(jwk, "use", "sig") || !member_absent_or(jwk, "alg", "RS256"))
        return 0;
    /* key_ops, when present, must allow verifying. */
    const json_t *ops = json_object_get(jwk, "key_ops");
    if (ops) {
        int verify = 0;
        size_t i;
        const json_t *op;
        if (!json_is_array(ops))
            return 0;
        json_array_foreach(ops, i, op)
            if (json_is_string(op) && strcmp(json_string_value(op), "verify") == 0)
                verify = 1;
        if (!verify)
            return 0;
    }
    const json_t *kid = json_object_get(jwk, "kid");
    if (kid && !json_is_string(kid))
        return 0;

    int nomem = 0;
    BIGNUM *n = decode_bn(json_object_get(jwk, "n"), &nomem);
    BIGNUM *e = decode_bn(json_object_get(jwk, "e"), &nomem);
    int rc = 0;
    /* An even or tiny exponent is no RSA key anyone generated; e is at most 64 bits
     * so a hostile set cannot make every verification slow. */
    if (!n || !e || BN_num_bits(n) < KINDE_RSA_MIN_BITS || !BN_is_odd(n) || !BN_is_odd(e) ||
        BN_num_bits(e) < 2 || BN_num_bits(e) > 64)
        goto done;
    EVP_PKEY *pkey = rsa_public_key(n, e);
    if (!pkey)
        goto done;
    char *kid_copy = NULL;
    if (kid && !(kid_copy = kinde__strdup(json_string_value(kid)))) {
        EVP_PKEY_free(pkey);
        rc = -1;
        goto done;
    }
    out->kid = kid_copy;
    out->key = pkey;
    rc = 1;
done:
    BN_free(n);
    BN_free(e);
    ERR_clear_error();
    return nomem ? -1 : rc;
}

static int kid_taken(const kinde__jwks *set, const char *kid)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->keys[i].kid && strcmp(set->keys[i].kid, kid) == 0)
            return 1;
    return 0;
}

kinde_code kinde__jwks_parse(const char *json, size_t len, kinde__jwks **out, kinde_error *err)
{
    if (!out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "no output");
    *out = NULL;
    kinde_error perr;
    json_t *root = kinde__json_parse_object(json, len, KINDE_E_JWKS, "JWKS", &perr);
    if (!root) {
        if (err)
            *err = perr;
        return perr.code;
    }
    const json_t *keys = json_object_get(root, "keys");
    if (!json_is_array(keys)) {
        json_decref(root);
        return kinde__fail(err, KINDE_E_JWKS, "JWKS has no 'keys' array");
    }
    kinde__jwks *set = kinde__calloc(1, sizeof *set);
    size_t total = json_array_size(keys);
    if (set && total && !(set->keys = kinde__calloc(total, sizeof *set->keys))) {
        kinde__free(set);
        set = NULL;
    }
    if (!set) {
        json_decref(root);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    for (size_t i = 0; i < total; i++) {
        jwks_key k = {0};
        int r = parse_key(json_array_get(keys, i), &k);
        if (r < 0) {
            json_decref(root);
            kinde__jwks_free(set);
            return kinde__fail(err, KINDE_E_NOMEM, NULL);
        }
        if (r == 0)
            continue;
        /* Two keys under one kid: the first one published wins, so the
         * choice never depends on anything but the set itself. */
        if (k.kid && kid_taken(set, k.kid)) {
            kinde__free(k.kid);
            EVP_PKEY_free(k.key);
            continue;
        }
        set->keys[set->n++] = k;
    }
    json_decref(root);
    *out = set;
    return KINDE_OK;
}

void kinde__jwks_free(kinde__jwks *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        kinde__free(set->keys[i].kid);
        EVP_PKEY_free(set->keys[i].key);
    }
    kinde__free(set->keys);
    kinde__free(set);
}

size_t kinde__jwks_count(const kinde__jwks *set)
{
    return set ? set->n : 0;
}

kinde_code kinde__jwks_find(const kinde__jwks *set, const char *kid, EVP_PKEY **key,
                            kinde_error *err)
{
    if (!key)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "no output");
    *key = NULL;
    size_t n = kinde__jwks_count(set);
    if (!kid) {
        /* Without a kid, guessing among several keys would let any of them
         * sign for the others' tokens: only an unambiguous set is used. */
        if (n != 1)
            return kinde__fail(err, KINDE_E_TOKEN_KEY,
                               "token has no 'kid' and the key set has %zu usable keys", n);
        *key = set->keys[0].key;
        return KINDE_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (set->keys[i].kid && strcmp(set->keys[i].kid, kid) == 0) {
            *key = set->keys[i].key;
            return KINDE_OK;
        }
    return kinde__fail(err, KINDE_E_TOKEN_KEY, "no usable key with kid '%.64s'", kid);
}
