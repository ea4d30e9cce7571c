/* Compact JWS, RS256 only (SECURITY.md A1-A5).
 *
 * The parser decides nothing from the token about how to verify it: the
 * algorithm is fixed, keys come only from the configured JWKS, and any header
 * that asks for something else (another alg, crit extensions, key URLs or
 * embedded keys) is refused rather than ignored. */
#include "internal.h"

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <string.h>

/* Kinde's tokens are 1-3 KiB; a cap keeps hostile input cheap to refuse. */
#define KINDE_TOKEN_MAX (16 * 1024)
#define KINDE_RSA_MIN_BITS 2048

/* Decode a segment and parse it with jsonscan.c (not jansson: a token is
 * parsed on every verification and every session load, see that file). */
static kinde_code decode_json(const char *seg, size_t len, const char *what, kinde__jdoc **out,
                              kinde_error *err)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    int d = kinde__b64url_decode(seg, len, &raw, &raw_len);
    if (d == -2)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (d != 0)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "token %s is not canonical base64url",
                           what);
    const char *why = NULL;
    int rc = kinde__jdoc_parse((char *)raw, raw_len, out, &why);
    /* A decoded payload is the token's content: wiped like the token. */
    kinde__free_wiped(raw, raw_len);
    if (rc == -2)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (rc != 0)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "token %s is not a valid JSON object (%s)",
                           what, why);
    return KINDE_OK;
}

static kinde_code check_header(const kinde__jdoc *doc, kinde_error *err)
{
    const kinde__jval *h = kinde__jroot(doc);
    const kinde__jval *alg = kinde__jget(h, "alg");
    if (!alg)
        return kinde__fail(err, KINDE_E_TOKEN_ALGORITHM, "header has no 'alg'");
    /* Exact, case-sensitive: "rs256" is not a spelling of RS256. */
    const char *alg_s = kinde__jstr(alg);
    if (!alg_s || alg->n != 5 || strcmp(alg_s, "RS256") != 0)
        return kinde__fail(err, KINDE_E_TOKEN_ALGORITHM, "header 'alg' %s%s%s is not RS256",
                           alg_s ? "'" : "", alg_s ? alg_s : "(not a string)", alg_s ? "'" : "");
    /* We implement no JWS extension, so any crit names one we don't know. */
    if (kinde__jget(h, "crit"))
        return kinde__fail(err, KINDE_E_TOKEN_ALGORITHM,
                           "header 'crit' names extensions this library does not implement");
    static const char *const key_sources[] = {"jku", "x5u", "x5c", "jwk"};
    for (size_t i = 0; i < sizeof key_sources / sizeof key_sources[0]; i++)
        if (kinde__jget(h, key_sources[i]))
            return kinde__fail(err, KINDE_E_TOKEN_ALGORITHM,
                               "header '%s' refused: keys come only from the domain's JWKS",
                               key_sources[i]);
    const kinde__jval *kid = kinde__jget(h, "kid");
    if (kid && !kinde__jstr(kid))
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "header 'kid' is not a string");
    const kinde__jval *typ = kinde__jget(h, "typ");
    if (typ && !kinde__jstr(typ))
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "header 'typ' is not a string");
    return KINDE_OK;
}

/* The three segments of a compact JWS (not decoded). */
typedef struct {
    const char *hdr, *pay, *sig;
    size_t hdr_len, pay_len, sig_len, len;
} segments;

static kinde_code split(const char *token, segments *g, kinde_error *err)
{
    if (!token)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "token is NULL");
    size_t len = strnlen(token, KINDE_TOKEN_MAX + 1);
    if (len > KINDE_TOKEN_MAX)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "token longer than %d bytes",
                           KINDE_TOKEN_MAX);
    const char *dot[4];
    size_t ndots = 0;
    for (const char *p = token, *end = token + len; (p = memchr(p, '.', (size_t)(end - p))); p++)
        if (ndots++ < 4)
            dot[ndots - 1] = p;
    if (ndots == 4)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED,
                           "token has 5 segments: an encrypted JWT (JWE), not a signed one");
    if (ndots != 2)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED,
                           "token has %zu segments, a compact JWS has 3", ndots + 1);

    g->len = len;
    g->hdr = token;
    g->pay = dot[0] + 1;
    g->sig = dot[1] + 1;
    g->hdr_len = (size_t)(dot[0] - token);
    g->pay_len = (size_t)(dot[1] - g->pay);
    g->sig_len = len - (size_t)(g->sig - token);
    if (g->hdr_len == 0 || g->pay_len == 0)
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "token has an empty %s segment",
                           g->hdr_len == 0 ? "header" : "payload");
    return KINDE_OK;
}

kinde_code kinde__jws_payload(const char *token, kinde__jdoc **payload, kinde_error *err)
{
    if (!payload)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "no output");
    *payload = NULL;
    segments g = {0};
    kinde_code rc = split(token, &g, err);
    return rc ? rc : decode_json(g.pay, g.pay_len, "payload", payload, err);
}

kinde_code kinde__jws_parse(const char *token, kinde__jws *out, kinde_error *err)
{
    if (!out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "no output");
    memset(out, 0, sizeof *out);
    segments g = {0};
    kinde_code rc = split(token, &g, err);
    if (rc)
        return rc;
    if ((rc = decode_json(g.hdr, g.hdr_len, "header", &out->header, err)) ||
        (rc = check_header(out->header, err)) ||
        (rc = decode_json(g.pay, g.pay_len, "payload", &out->payload, err)))
        goto fail;
    /* After the header checks, so that alg "none" is reported as such. */
    if (g.sig_len == 0) {
        rc = kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "token has an empty signature segment");
        goto fail;
    }
    int d = kinde__b64url_decode(g.sig, g.sig_len, &out->signature, &out->signature_len);
    if (d != 0) {
        out->signature = NULL;
        rc = d == -2 ? kinde__fail(err, KINDE_E_NOMEM, NULL)
                     : kinde__fail(err, KINDE_E_TOKEN_MALFORMED,
                                   "token signature is not canonical base64url");
        goto fail;
    }
    /* No copy: every caller verifies while it holds the token. */
    out->signing_input = token;
    out->signing_input_len = g.hdr_len + 1 + g.pay_len;
    return KINDE_OK;
fail:
    kinde__jws_clear(out);
    return rc;
}

void kinde__jws_clear(kinde__jws *jws)
{
    if (!jws)
        return;
    kinde__jdoc_free(jws->header);
    kinde__jdoc_free(jws->payload);
    kinde__free(jws->signature);
    memset(jws, 0, sizeof *jws);
}

const char *kinde__jws_kid(const kinde__jws *jws)
{
    return jws ? kinde__jget_str(kinde__jroot(jws->header), "kid") : NULL;
}

kinde_code kinde__jws_verify(const kinde__jws *jws, EVP_PKEY *key, kinde_error *err)
{
    if (!jws || !jws->signing_input || !key)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "token and key are required");
    /* RSA only: an RSA-PSS or EC key would make OpenSSL pick another scheme. */
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return kinde__fail(err, KINDE_E_TOKEN_KEY, "key is not an RSA key");
    if (EVP_PKEY_get_bits(key) < KINDE_RSA_MIN_BITS)
        return kinde__fail(err, KINDE_E_TOKEN_KEY, "RSA key of %d bits is below %d",
                           EVP_PKEY_get_bits(key), KINDE_RSA_MIN_BITS);
    if (jws->signature_len != (size_t)EVP_PKEY_get_size(key))
        return kinde__fail(err, KINDE_E_TOKEN_SIGNATURE,
                           "signature is %zu bytes, the key's modulus %d", jws->signature_len,
                           EVP_PKEY_get_size(key));

    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    EVP_PKEY_CTX *pctx = NULL;
    int ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    if (!ok) {
        EVP_MD_CTX_free(md);
        ERR_clear_error();
        return kinde__fail(err, KINDE_E_TOKEN_KEY, "key cannot verify RS256");
    }
    /* 1 is valid; 0 and negative values (malformed signature) are not. */
    int v = EVP_DigestVerify(md, jws->signature, jws->signature_len,
                             (const unsigned char *)jws->signing_input, jws->signing_input_len);
    EVP_MD_CTX_free(md);
    if (v != 1) {
        /* Don't leave OpenSSL's reason on this thread for an unrelated caller. */
        ERR_clear_error();
        return kinde__fail(err, KINDE_E_TOKEN_SIGNATURE, "RS256 signature does not verify");
    }
    return KINDE_OK;
}
