/* Test helpers: see testutil.h. Plain malloc throughout, so the helpers work
 * the same whatever allocator a test installs in the library. */
#include "testutil.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/wait.h>

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *xprintf(const char *fmt, ...) KINDE_PRINTF(1, 2);
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- keys ---------------------------------------------------------------- */

EVP_PKEY *tu_rsa_key(int bits)
{
    return EVP_RSA_gen(bits > 0 ? (unsigned)bits : 2048);
}

static char *bn_param_b64(EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
        return NULL;
    int n = BN_num_bytes(bn);
    unsigned char *raw = malloc(n > 0 ? (size_t)n : 1);
    char *out = NULL;
    if (raw) {
        BN_bn2bin(bn, raw);
        out = tu_b64url(raw, (size_t)n);
        free(raw);
    }
    BN_free(bn);
    return out;
}

char *tu_jwk_json_custom(EVP_PKEY *key, const char *kty, const char *use, const char *alg,
                         const char *kid, const char *extra)
{
    char *n = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64(key, OSSL_PKEY_PARAM_RSA_E);
    char *out = NULL;
    if (n && e) {
        char f_kty[64] = "", f_use[64] = "", f_alg[64] = "", f_kid[160] = "";
        if (kty)
            snprintf(f_kty, sizeof f_kty, "\"kty\":\"%s\",", kty);
        if (use)
            snprintf(f_use, sizeof f_use, "\"use\":\"%s\",", use);
        if (alg)
            snprintf(f_alg, sizeof f_alg, "\"alg\":\"%s\",", alg);
        if (kid)
            snprintf(f_kid, sizeof f_kid, "\"kid\":\"%s\",", kid);
        out = xprintf("{%s%s%s%s\"n\":\"%s\",\"e\":\"%s\"%s%s}", f_kty, f_use, f_alg, f_kid, n, e,
                      extra ? "," : "", extra ? extra : "");
    }
    free(n);
    free(e);
    return out;
}

char *tu_jwk_json(EVP_PKEY *key, const char *kid)
{
    return tu_jwk_json_custom(key, "RSA", "sig", "RS256", kid, NULL);
}

char *tu_jwks_of(const char *const *jwks, size_t n)
{
    size_t total = 16;
    for (size_t i = 0; i < n; i++)
        total += strlen(jwks[i]) + 1;
    char *out = malloc(total);
    if (!out)
        return NULL;
    strcpy(out, "{\"keys\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, jwks[i]);
    }
    strcat(out, "]}");
    return out;
}

char *tu_jwks_json(EVP_PKEY *const *keys, const char *const *kids, size_t n)
{
    char **parts = calloc(n ? n : 1, sizeof *parts);
    char *out = NULL;
    int ok = parts != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (parts[i] = tu_jwk_json(keys[i], kids ? kids[i] : NULL)) != NULL;
    if (ok)
        out = tu_jwks_of((const char *const *)parts, n);
    for (size_t i = 0; parts && i < n; i++)
        free(parts[i]);
    free(parts);
    return out;
}

unsigned char *tu_public_pem(EVP_PKEY *key, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned char *out = NULL;
    if (bio && PEM_write_bio_PUBKEY(bio, key) == 1) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (out = malloc((size_t)n + 1))) {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
            *len = (size_t)n;
        }
    }
    BIO_free(bio);
    return out;
}

/* ---- minting -------------------------------------------------------------- */

char *tu_b64url(const void *data, size_t len)
{
    /* The library's encoder, then a malloc copy: its buffer follows the
     * library's (test-replaceable) allocator. */
    char *enc = kinde__b64url_encode(data, len);
    char *out = enc ? xstrdup(enc) : NULL;
    kinde__free(enc);
    return out;
}

unsigned char *tu_b64url_decode(const char *text, size_t n, size_t *len)
{
    unsigned char *raw = NULL;
    if (kinde__b64url_decode(text, n, &raw, len) != 0)
        return NULL;
    unsigned char *out = malloc(*len + 1);
    if (out) {
        memcpy(out, raw, *len);
        out[*len] = '\0';
    }
    kinde__free(raw);
    return out;
}

/* "b64(header).b64(payload)" */
static char *signing_input(const char *header_json, const char *payload_json)
{
    char *h = tu_b64url(header_json, strlen(header_json));
    char *p = tu_b64url(payload_json, strlen(payload_json));
    char *out = h && p ? xprintf("%s.%s", h, p) : NULL;
    free(h);
    free(p);
    return out;
}

static char *join_signature(char *input, const unsigned char *sig, size_t sig_len)
{
    char *s = tu_b64url(sig, sig_len);
    char *out = s ? xprintf("%s.%s", input, s) : NULL;
    free(s);
    free(input);
    return out;
}

char *tu_sign_rsa(const char *header_json, const char *payload_json, EVP_PKEY *key,
                  const char *digest)
{
    char *input = signing_input(header_json, payload_json);
    if (!input)
        return NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    int ok = md && EVP_DigestSignInit_ex(md, &pctx, digest, NULL, NULL, key, NULL) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)input, strlen(input)) == 1 &&
             (sig = malloc(sig_len)) &&
             EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input, strlen(input)) == 1;
    EVP_MD_CTX_free(md);
    char *out = ok ? join_signature(input, sig, sig_len) : (free(input), NULL);
    free(sig);
    return out;
}

char *tu_sign_rs256(const char *header_json, const char *payload_json, EVP_PKEY *key)
{
    return tu_sign_rsa(header_json, payload_json, key, "SHA256");
}

char *tu_sign_hs256(const char *header_json, const char *payload_json,
                    const unsigned char *secret, size_t secret_len)
{
    char *input = signing_input(header_json, payload_json);
    if (!input)
        return NULL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)secret_len, (unsigned char *)input, strlen(input), mac,
              &mac_len)) {
        free(input);
        return NULL;
    }
    return join_signature(input, mac, mac_len);
}

char *tu_sign_hs256_public(const char *header_json, const char *payload_json, EVP_PKEY *key)
{
    size_t len = 0;
    unsigned char *pem = tu_public_pem(key, &len);
    char *out = pem ? tu_sign_hs256(header_json, payload_json, pem, len) : NULL;
    free(pem);
    return out;
}

char *tu_sign_none(const char *header_json, const char *payload_json)
{
    char *input = signing_input(header_json, payload_json);
    char *out = input ? xprintf("%s.", input) : NULL;
    free(input);
    return out;
}

/* ---- mutating ------------------------------------------------------------- */

char *tu_flip_text_bit(const char *token, size_t bit)
{
    if (bit / 8 >= strlen(token))
        return NULL;
    char *out = xstrdup(token);
    if (out)
        out[bit / 8] = (char)((unsigned char)out[bit / 8] ^ (1u << (bit % 8)));
    return out;
}

/* Start and length of segment seg; -1 when there is no such segment. */
static int segment(const char *token, int seg, size_t *start, size_t *len)
{
    const char *s = token;
    for (int i = 0; i < seg; i++) {
        s = strchr(s, '.');
        if (!s)
            return -1;
        s++;
    }
    const char *end = strchr(s, '.');
    *start = (size_t)(s - token);
    *len = end ? (size_t)(end - s) : strlen(s);
    return 0;
}

char *tu_replace_segment(const char *token, int seg, const char *text)
{
    size_t start, len;
    if (segment(token, seg, &start, &len) != 0)
        return NULL;
    return xprintf("%.*s%s%s", (int)start, token, text, token + start + len);
}

size_t tu_segment_len(const char *token, int seg)
{
    size_t start, len, n = 0;
    if (segment(token, seg, &start, &len) != 0)
        return 0;
    unsigned char *raw = tu_b64url_decode(token + start, len, &n);
    free(raw);
    return raw ? n : 0;
}

char *tu_flip_segment_bit(const char *token, int seg, size_t bit)
{
    size_t start, len, n = 0;
    if (segment(token, seg, &start, &len) != 0)
        return NULL;
    unsigned char *raw = tu_b64url_decode(token + start, len, &n);
    if (!raw || bit / 8 >= n) {
        free(raw);
        return NULL;
    }
    raw[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    char *enc = tu_b64url(raw, n);
    free(raw);
    char *out = enc ? tu_replace_segment(token, seg, enc) : NULL;
    free(enc);
    return out;
}

/* ---- Kinde-shaped tokens -------------------------------------------------- */

tu_claims tu_claims_default(const char *issuer, const char *client_id)
{
    tu_claims c = {0};
    c.issuer = issuer;
    c.client_id = client_id;
    c.iat = kinde__now();
    c.exp = c.iat + 3600;
    return c;
}

char *tu_access_payload(const tu_claims *c)
{
    char aud[300] = "[]";
    if (c->audience)
        snprintf(aud, sizeof aud, "[\"%s\"]", c->audience);
    return xprintf(
        "{\"aud\":%s,\"azp\":\"%s\",\"exp\":%lld,\"iat\":%lld,\"iss\":\"%s\","
        "\"jti\":\"fbb6bc62-9c1e-4b6a-8f4e-2f1d7c3a9e10\",\"sub\":\"%s\","
        "\"org_code\":\"org_1234\",\"permissions\":[\"read:todos\",\"create:todos\"],"
        "\"scp\":[\"openid\",\"profile\",\"email\",\"offline\"],"
        "\"feature_flags\":{\"theme\":{\"t\":\"s\",\"v\":\"pink\"},"
        "\"is_dark_mode\":{\"t\":\"b\",\"v\":true},\"competitions_limit\":{\"t\":\"i\",\"v\":5}}}",
        aud, c->client_id, (long long)c->exp, (long long)c->iat, c->issuer,
        c->sub ? c->sub : "kp_0ba7c433f3d54d1d");
}

char *tu_id_payload(const tu_claims *c)
{
    char nonce[300] = "";
    if (c->nonce)
        snprintf(nonce, sizeof nonce, "\"nonce\":\"%s\",", c->nonce);
    return xprintf(
        "{\"sub\":\"%s\",\"given_name\":\"Dave\",\"family_name\":\"Smith\","
        "\"name\":\"Dave Smith\",\"email\":\"dave@example.com\","
        "\"picture\":\"https://example.com/dave.png\",\"org_codes\":[\"org_1234\",\"org_5678\"],"
        "\"updated_at\":%lld,\"auth_time\":%lld,\"at_hash\":\"x4Yb9mJd2T_3bJ6o4m7yRA\","
        "\"azp\":\"%s\",\"aud\":[\"%s\"],%s\"iss\":\"%s\",\"iat\":%lld,\"exp\":%lld,"
        "\"jti\":\"0c5d7d0e-3f0e-4d21-b2b8-6f0c4f3d2a11\"}",
        c->sub ? c->sub : "kp_0ba7c433f3d54d1d", (long long)c->iat, (long long)c->iat,
        c->client_id, c->client_id, nonce, c->issuer, (long long)c->iat, (long long)c->exp);
}

static char *mint(EVP_PKEY *key, const char *kid, char *payload)
{
    char *header = kid ? xprintf("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid)
                       : xstrdup("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    char *out = header && payload ? tu_sign_rs256(header, payload, key) : NULL;
    free(header);
    free(payload);
    return out;
}

char *tu_mint_access_token(EVP_PKEY *key, const char *kid, const tu_claims *c)
{
    return mint(key, kid, tu_access_payload(c));
}

char *tu_mint_id_token(EVP_PKEY *key, const char *kid, const tu_claims *c)
{
    return mint(key, kid, tu_id_payload(c));
}

/* ---- a JWKS endpoint ------------------------------------------------------ */

void tu_source_init(tu_source *s, const char *body)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->body = body ? xstrdup(body) : NULL;
}

void tu_source_set_body(tu_source *s, const char *body)
{
    char *copy = body ? xstrdup(body) : NULL;
    pthread_mutex_lock(&s->lock);
    free(s->body);
    s->body = copy;
    pthread_mutex_unlock(&s->lock);
}

void tu_source_set_fail(tu_source *s, kinde_code fail)
{
    pthread_mutex_lock(&s->lock);
    s->fail = fail;
    pthread_mutex_unlock(&s->lock);
}

unsigned long tu_source_calls(tu_source *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned long n = s->calls;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void tu_source_destroy(tu_source *s)
{
    free(s->body);
    s->body = NULL;
    pthread_mutex_destroy(&s->lock);
}

kinde_code tu_fetch(void *ctx, char **body, size_t *len, kinde_error *err)
{
    tu_source *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    unsigned delay = s->delay_ms;
    kinde_code fail = s->fail;
    /* The keystore kinde__free()s the body: allocate it the library's way. */
    char *copy = !fail && s->body ? kinde__strdup(s->body) : NULL;
    int had_body = s->body != NULL;
    pthread_mutex_unlock(&s->lock);
    if (delay) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (fail)
        return kinde__fail(err, fail, "test source: failing with %s", kinde_code_name(fail));
    if (!copy)
        return kinde__fail(err, had_body ? KINDE_E_NOMEM : KINDE_E_JWKS, "test source: no body");
    *body = copy;
    *len = strlen(copy);
    return KINDE_OK;
}

/* ---- child processes ---------------------------------------------------------- */

void tu_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int tu_wait_ready(pid_t pid, const char *ready_file, long timeout_ms, int *port, int *status)
{
    for (long waited = 0; waited <= timeout_ms; waited += 25) {
        FILE *f = fopen(ready_file, "r");
        if (f) {
            char line[32];
            char *end = NULL;
            long value = fgets(line, sizeof line, f) ? strtol(line, &end, 10) : 0;
            int ok = end && end != line && value > 0 && value < 65536;
            fclose(f);
            if (ok) {
                *port = (int)value;
                return 1;
            }
        }
        if (waitpid(pid, status, WNOHANG) == pid)
            return -1;
        tu_sleep_ms(25);
    }
    return 0;
}

int tu_stop_child(pid_t pid, int *status)
{
    kill(pid, SIGTERM);
    pid_t got = 0;
    for (int i = 0; i < 250 && (got = waitpid(pid, status, WNOHANG)) == 0; i++)
        tu_sleep_ms(20);
    if (got != 0)
        return 0;
    kill(pid, SIGKILL);
    waitpid(pid, status, 0);
    return -1;
}

/* ---- collecting an HTTP body ------------------------------------------------ */

size_t tu_collect(char *p, size_t size, size_t n, void *ud)
{
    tu_membuf *m = ud;
    char *grown = realloc(m->data, m->len + size * n + 1);
    if (!grown)
        return 0;
    m->data = grown;
    memcpy(m->data + m->len, p, size * n);
    m->len += size * n;
    m->data[m->len] = '\0';
    return size * n;
}

/* ---- an allocator for kinde_set_allocator ------------------------------- */

tu_alloc_hooks tu_alloc;
static long alloc_live;

typedef union {
    size_t size;
    max_align_t align;
} tu_header;

void *tu_malloc(size_t n)
{
    if (tu_alloc.fail && tu_alloc.fail())
        return NULL;
    tu_header *h = calloc(1, sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    alloc_live++;
    return h + 1;
}

void tu_free(void *p)
{
    if (!p)
        return;
    tu_header *h = (tu_header *)p - 1;
    if (tu_alloc.freeing)
        tu_alloc.freeing(p, h->size);
    alloc_live--;
    free(h);
}

void *tu_realloc(void *p, size_t n)
{
    if (!p)
        return tu_malloc(n);
    size_t old = ((tu_header *)p - 1)->size;
    void *q = tu_malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    tu_free(p);
    return q;
}

long tu_alloc_live(void)
{
    return alloc_live;
}

kinde__jdoc *tu_jdoc(const char *json)
{
    size_t n = strlen(json);
    char *copy = malloc(n + 1);
    if (!copy)
        abort();
    memcpy(copy, json, n + 1);
    kinde__jdoc *d = NULL;
    const char *why = NULL;
    if (kinde__jdoc_parse(copy, n, &d, &why) != 0) {
        fprintf(stderr, "tu_jdoc: %s does not parse: %s\n", json, why);
        abort();
    }
    free(copy);
    return d;
}
