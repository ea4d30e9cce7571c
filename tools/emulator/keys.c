/* Signing keys and JWTs. The key is RSA 2048, kept as PEM in the data
 * directory so tokens survive a restart; its kid is the RFC 7638 thumbprint. */
#include "emulator.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *bn_param_b64(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
        return NULL;
    int len = BN_num_bytes(bn);
    unsigned char *bytes = malloc((size_t)len + 1);
    char *out = NULL;
    if (bytes && BN_bn2bin(bn, bytes) == len)
        out = emu_b64url(bytes, (size_t)len);
    free(bytes);
    BN_free(bn);
    return out;
}

/* RFC 7638: SHA-256 of {"e","kty","n"} with members in that order. */
static int set_kid(emu_key *k)
{
    char *n = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E);
    int rc = -1;
    if (n && e) {
        strbuf s = {0};
        strbuf_addf(&s, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, n);
        char *canon = strbuf_take(&s, NULL);
        unsigned char digest[SHA256_DIGEST_LENGTH];
        if (canon && SHA256((const unsigned char *)canon, strlen(canon), digest)) {
            char *kid = emu_b64url(digest, sizeof digest);
            if (kid) {
                snprintf(k->kid, sizeof k->kid, "%s", kid);
                rc = 0;
            }
            free(kid);
        }
        free(canon);
    }
    free(n);
    free(e);
    return rc;
}

int emu_key_generate(emu_key *out)
{
    memset(out, 0, sizeof *out);
    out->pkey = EVP_RSA_gen(2048);
    if (!out->pkey || set_kid(out) != 0) {
        emu_key_free(out);
        return -1;
    }
    return 0;
}

int emu_key_load_or_create(const char *path, emu_key *out, char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (f) {
        out->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (!out->pkey || EVP_PKEY_get_base_id(out->pkey) != EVP_PKEY_RSA ||
            EVP_PKEY_get_bits(out->pkey) < 2048 || set_kid(out) != 0) {
            snprintf(why, n, "%s: not an RSA private key of 2048 bits or more", path);
            emu_key_free(out);
            return -1;
        }
        return 0;
    }
    if (emu_key_generate(out) != 0) {
        snprintf(why, n, "cannot generate an RSA key");
        return -1;
    }
    /* Private key: readable by the owner only, written then renamed. */
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    mode_t old = umask(077);
    f = fopen(tmp, "w");
    umask(old);
    int ok = f && PEM_write_PrivateKey(f, out->pkey, NULL, NULL, 0, NULL, NULL);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(why, n, "%s: cannot write the signing key", path);
        remove(tmp);
        emu_key_free(out);
        return -1;
    }
    return 0;
}

void emu_key_free(emu_key *k)
{
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof *k);
}

json_t *emu_key_jwk(const emu_key *k)
{
    char *n = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E);
    json_t *jwk = NULL;
    if (n && e)
        jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "e", e, "n", n, "alg", "RS256", "kid",
                        k->kid, "kty", "RSA", "use", "sig");
    free(n);
    free(e);
    return jwk;
}

static char *b64_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    char *out = text ? emu_b64url((const unsigned char *)text, strlen(text)) : NULL;
    free(text);
    return out;
}

char *emu_jwt_sign(EVP_PKEY *pkey, const char *kid, const json_t *extra_header, const json_t *claims)
{
    json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "kid", kid);
    if (!header)
        return NULL;
    if (extra_header)
        json_object_update(header, (json_t *)extra_header);
    char *h = b64_json(header), *p = b64_json(claims), *out = NULL;
    json_decref(header);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (h && p && md) {
        strbuf s = {0};
        strbuf_addf(&s, "%s.%s", h, p);
        size_t siglen = 0;
        unsigned char sig[1024];
        if (!s.failed && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
            EVP_DigestSign(md, NULL, &siglen, (unsigned char *)s.data, s.len) == 1 &&
            siglen <= sizeof sig &&
            EVP_DigestSign(md, sig, &siglen, (unsigned char *)s.data, s.len) == 1) {
            char *sb = emu_b64url(sig, siglen);
            if (sb) {
                strbuf_addf(&s, ".%s", sb);
                free(sb);
                out = strbuf_take(&s, NULL);
            }
        }
        strbuf_free(&s);
    }
    EVP_MD_CTX_free(md);
    free(h);
    free(p);
    return out;
}

static int b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '-' ? 62 : c == '_' ? 63 : -1;
        if (d < 0)
            return -1;
        v = (v << 6) | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(v >> bits);
        }
    }
    *out_len = o;
    return 0;
}

json_t *emu_jwt_verify(const char *token)
{
    if (!token || strlen(token) > 16384)
        return NULL;
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.'))
        return NULL;
    unsigned char header[2048], payload[12288], sig[512];
    size_t hl, pl, sl;
    if (b64url_decode(token, (size_t)(d1 - token), header, sizeof header, &hl) ||
        b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), payload, sizeof payload, &pl) ||
        b64url_decode(d2 + 1, strlen(d2 + 1), sig, sizeof sig, &sl))
        return NULL;
    json_t *h = json_loadb((const char *)header, hl, 0, NULL);
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *kid = json_string_value(json_object_get(h, "kid"));
    EVP_PKEY *key = NULL;
    if (alg && strcmp(alg, "RS256") == 0 && kid) {
        pthread_mutex_lock(&emu.lock);
        for (int i = 0; i < emu.n_keys; i++)
            if (strcmp(emu.keys[i].kid, kid) == 0 && EVP_PKEY_up_ref(emu.keys[i].pkey) == 1)
                key = emu.keys[i].pkey;
        pthread_mutex_unlock(&emu.lock);
    }
    json_decref(h);
    json_t *claims = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (key && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestVerify(md, sig, sl, (const unsigned char *)token, (size_t)(d2 - token)) == 1)
        claims = json_loadb((const char *)payload, pl, 0, NULL);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    if (claims && !json_is_object(claims)) {
        json_decref(claims);
        claims = NULL;
    }
    return claims;
}

char *emu_at_hash(const char *access_token)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)access_token, strlen(access_token), digest);
    return emu_b64url(digest, sizeof digest / 2);
}

char *emu_sign_current(const json_t *extra_header, const json_t *claims)
{
    pthread_mutex_lock(&emu.lock);
    EVP_PKEY *key = emu.keys[0].pkey;
    char kid[64];
    snprintf(kid, sizeof kid, "%s", emu.keys[0].kid);
    int ref = EVP_PKEY_up_ref(key);
    pthread_mutex_unlock(&emu.lock);
    char *jws = ref == 1 ? emu_jwt_sign(key, kid, extra_header, claims) : NULL;
    if (ref == 1)
        EVP_PKEY_free(key);
    return jws;
}
