/* In-process benchmarks of the library (BENCHMARKS.md, items 1, 2, 3, 7):
 *   1. verify a Kinde access token vs raw OpenSSL RSA-2048 verification
 *   2. getters on a verified session: ns per call and allocations per call
 *   3. serialize + deserialize a session: ns per round trip, bytes
 *   7. heap bytes per client and per session (counting allocator)
 * Each figure is the median of RUNS runs, with min and max. */
#include "internal.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7
/* A measured call that fails measures nothing: stop. */
#define MUST(call) do { kinde_code must_rc_ = (call); if (must_rc_ != KINDE_OK) { \
        fprintf(stderr, "bench: %s: %s\n", #call, kinde_code_name(must_rc_)); exit(1); } } while (0)

/* ---- counting allocator ---- */
static long n_allocs;
static long long live_bytes;
static void *c_malloc(size_t n)
{
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    n_allocs++;
    live_bytes += (long long)n;
    return p + 2;
}
static void c_free(void *q)
{
    if (!q)
        return;
    size_t *p = (size_t *)q - 2;
    live_bytes -= (long long)p[0];
    free(p);
}
static void *c_realloc(void *q, size_t n)
{
    if (!q)
        return c_malloc(n);
    size_t old = ((size_t *)q)[-2];
    void *r = c_malloc(n);
    if (r) {
        memcpy(r, q, old < n ? old : n);
        c_free(q);
    }
    return r;
}

/* KINDE_BENCH_SCALE=0.01 runs 1% of the iterations (for callgrind). */
static double scale = 1.0;
static int iters(int n)
{
    int k = (int)(n * scale);
    return k > 0 ? k : 1;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double median, min, max;
} stat3;

static stat3 summarize(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return (stat3){v[n / 2], v[0], v[n - 1]};
}

/* ---- a key, its JWKS, and tokens signed with it ---- */
static EVP_PKEY *key;
static char *jwks_json;

static char *b64_bn(const char *param)
{
    BIGNUM *bn = NULL;
    EVP_PKEY_get_bn_param(key, param, &bn);
    int len = BN_num_bytes(bn);
    unsigned char *buf = malloc((size_t)len);
    BN_bn2bin(bn, buf);
    char *out = kinde__b64url_encode(buf, (size_t)len);
    free(buf);
    BN_free(bn);
    return out;
}

static char *sign(const char *header, const char *payload)
{
    char *h = kinde__b64url_encode((const unsigned char *)header, strlen(header));
    char *p = kinde__b64url_encode((const unsigned char *)payload, strlen(payload));
    strbuf in = {0};
    strbuf_addf(&in, "%s.%s", h, p);
    unsigned char sig[512];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)in.data, in.len);
    EVP_MD_CTX_free(ctx);
    char *s = kinde__b64url_encode(sig, siglen);
    strbuf_addf(&in, ".%s", s);
    kinde__free(h);
    kinde__free(p);
    kinde__free(s);
    return strbuf_take(&in, NULL);
}

static kinde_code serve_jwks(void *ctx, char **body, size_t *len, kinde_error *err)
{
    (void)ctx;
    (void)err;
    *body = kinde__strdup(jwks_json);
    *len = strlen(jwks_json);
    return KINDE_OK;
}

static const char *ISS = "https://acme.kinde.com";

static char *access_payload(void)
{
    static char buf[1024];
    long long now = (long long)time(NULL);
    snprintf(buf, sizeof buf,
             "{\"aud\":[\"api.yourapp.com\"],\"azp\":\"cid\",\"exp\":%lld,\"iat\":%lld,"
             "\"iss\":\"%s\",\"jti\":\"fbb6bc62-4a6b-4b5b-a7c8-c2a1f3a5b1c2\",\"sub\":\"kp_0ba7c433f3d54d1d\","
             "\"org_code\":\"org_1234\",\"permissions\":[\"read:todos\",\"create:todos\",\"update:todos\"],"
             "\"scp\":[\"openid\",\"profile\",\"email\",\"offline\"],"
             "\"roles\":[{\"id\":\"r1\",\"key\":\"admin\",\"name\":\"Admin\"}],"
             "\"feature_flags\":{\"theme\":{\"t\":\"s\",\"v\":\"pink\"},\"is_dark_mode\":{\"t\":\"b\",\"v\":true},"
             "\"competitions_limit\":{\"t\":\"i\",\"v\":5}}}",
             now + 86400, now, ISS);
    return buf;
}

static char *id_payload(void)
{
    static char buf[1024];
    long long now = (long long)time(NULL);
    snprintf(buf, sizeof buf,
             "{\"aud\":[\"cid\"],\"azp\":\"cid\",\"exp\":%lld,\"iat\":%lld,\"iss\":\"%s\","
             "\"sub\":\"kp_0ba7c433f3d54d1d\",\"given_name\":\"Dave\",\"family_name\":\"Smith\","
             "\"name\":\"Dave Smith\",\"email\":\"dave@smith.com\",\"picture\":\"https://gravatar.example/x\","
             "\"org_codes\":[\"org_1234\",\"org_abcd\"],\"auth_time\":%lld,\"nonce\":\"n\","
             "\"at_hash\":\"abc\",\"jti\":\"j2\",\"updated_at\":%lld}",
             now + 3600, now, ISS, now, now);
    return buf;
}

/* A payload text in the parsed form a verified token leaves. */
static kinde__jdoc *parse_payload(const char *json)
{
    size_t n = strlen(json);
    char *copy = kinde__strndup(json, n);
    kinde__jdoc *d = NULL;
    const char *why = NULL;
    if (!copy || kinde__jdoc_parse(copy, n, &d, &why) != 0) {
        fprintf(stderr, "bench payload does not parse: %s\n", why ? why : "out of memory");
        exit(1);
    }
    kinde__free(copy);
    return d;
}

static void bench_verify(const char *token)
{
    kinde__keystore *ks = kinde__keystore_new(serve_jwks, NULL, 30);
    kinde__token_policy p = {.issuer = ISS, .kind = KINDE_ACCESS_TOKEN, .client_id = "cid",
                             .leeway = 30, .now = (int64_t)time(NULL)};
    const char *aud = "api.yourapp.com";
    p.audiences = &aud;
    p.n_audiences = 1;
    kinde__jdoc *claims = NULL;
    if (kinde__verify_token(ks, token, &p, &claims, NULL) != KINDE_OK) {
        fprintf(stderr, "verify failed\n");
        exit(1);
    }
    kinde__jdoc_free(claims);

    /* The raw reference: parse nothing, just the RSA verification. */
    const char *dot = strrchr(token, '.');
    unsigned char *sig;
    size_t siglen;
    kinde__b64url_decode(dot + 1, strlen(dot + 1), &sig, &siglen);
    size_t inlen = (size_t)(dot - token);

    const int N = iters(4000);
    double sdk[RUNS], raw[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            MUST(kinde__verify_token(ks, token, &p, &claims, NULL));
            kinde__jdoc_free(claims);
        }
        sdk[r] = (now_ns() - t0) / N;
        t0 = now_ns();
        for (int i = 0; i < N; i++) {
            EVP_MD_CTX *ctx = EVP_MD_CTX_new();
            EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key);
            if (EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)token, inlen) != 1)
                exit(1);
            EVP_MD_CTX_free(ctx);
        }
        raw[r] = (now_ns() - t0) / N;
    }
    /* Where the SDK's time goes, stage by stage (same token, same key). */
    double t_parse[RUNS], t_sig[RUNS], t_claims[RUNS], t_key[RUNS];
    kinde__jws jws;
    MUST(kinde__jws_parse(token, &jws, NULL));
    EVP_PKEY *k = NULL;
    MUST(kinde__keystore_get(ks, kinde__jws_kid(&jws), &k, NULL));
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            kinde__jws j2;
            MUST(kinde__jws_parse(token, &j2, NULL));
            kinde__jws_clear(&j2);
        }
        t_parse[r] = (now_ns() - t0) / N;
        t0 = now_ns();
        for (int i = 0; i < N; i++)
            MUST(kinde__jws_verify(&jws, k, NULL));
        t_sig[r] = (now_ns() - t0) / N;
        t0 = now_ns();
        for (int i = 0; i < N * 10; i++)
            MUST(kinde__check_claims(kinde__jroot(jws.payload), &p, NULL));
        t_claims[r] = (now_ns() - t0) / (N * 10);
        t0 = now_ns();
        for (int i = 0; i < N * 10; i++) {
            EVP_PKEY *k2 = NULL;
            MUST(kinde__keystore_get(ks, kinde__jws_kid(&jws), &k2, NULL));
            EVP_PKEY_free(k2);
        }
        t_key[r] = (now_ns() - t0) / (N * 10);
    }
    EVP_PKEY_free(k);
    kinde__jws_clear(&jws);
    stat3 s = summarize(sdk, RUNS), q = summarize(raw, RUNS);
    printf("1. verify access token (%zu bytes)\n", strlen(token));
    printf("   kinde__verify_token      %8.0f ns/op (min %.0f, max %.0f)  %7.0f/s\n", s.median, s.min, s.max, 1e9 / s.median);
    printf("   raw EVP_DigestVerify     %8.0f ns/op (min %.0f, max %.0f)  %7.0f/s\n", q.median, q.min, q.max, 1e9 / q.median);
    printf("   ratio                    %8.3fx   (goal <= 1.15x)\n", s.median / q.median);
    printf("   stages: jws_parse %.0f ns, jws_verify (RSA) %.0f ns, check_claims %.0f ns, keystore_get %.0f ns\n",
           summarize(t_parse, RUNS).median, summarize(t_sig, RUNS).median,
           summarize(t_claims, RUNS).median, summarize(t_key, RUNS).median);
    kinde__free(sig);
    kinde__keystore_free(ks);
}

typedef void (*op)(kinde_session *s);
static void op_claim(kinde_session *s) { const char *v; MUST(kinde_get_string_claim(s, "org_code", KINDE_ACCESS_TOKEN, &v, NULL)); }
static void op_get_claim_json(kinde_session *s) { char *v = NULL; MUST(kinde_get_claim(s, "aud", KINDE_ACCESS_TOKEN, &v, NULL)); kinde_free(v); }
static void op_permission(kinde_session *s) { int g; MUST(kinde_get_permission(s, "update:todos", &g, NULL, NULL)); }
static void op_flag(kinde_session *s) { kinde_flag f; MUST(kinde_get_flag(s, "theme", NULL, KINDE_FLAG_ANY, &f, NULL)); }
static void op_bool_flag(kinde_session *s) { int v, d = 0; MUST(kinde_get_boolean_flag(s, "is_dark_mode", &d, &v, NULL)); }
static void op_user(kinde_session *s) { kinde_user u; MUST(kinde_get_user_details(s, &u, NULL)); }
static kinde_client *bench_client;
static void op_is_auth(kinde_session *s) { kinde_is_authenticated(bench_client, s, NULL); }

static void bench_getters(kinde_session *s)
{
    struct { const char *name; op fn; } ops[] = {
        {"kinde_get_string_claim", op_claim},
        {"kinde_get_claim (JSON)", op_get_claim_json},
        {"kinde_get_permission", op_permission},
        {"kinde_get_flag", op_flag},
        {"kinde_get_boolean_flag", op_bool_flag},
        {"kinde_get_user_details", op_user},
        {"kinde_is_authenticated", op_is_auth},
    };
    printf("2. reading a verified session (goal < 200 ns, no allocation)\n");
    const int N = iters(1000000);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        double t[RUNS];
        long allocs = 0;
        for (int r = 0; r < RUNS; r++) {
            long a0 = n_allocs;
            double t0 = now_ns();
            for (int i = 0; i < N; i++)
                ops[k].fn(s);
            t[r] = (now_ns() - t0) / N;
            allocs = n_allocs - a0;
        }
        stat3 st = summarize(t, RUNS);
        printf("   %-26s %7.1f ns/call (min %.1f, max %.1f)  %.2f allocations/call\n", ops[k].name,
               st.median, st.min, st.max, (double)allocs / N);
    }
}

static void bench_round_trip(kinde_session *s)
{
    char *text = NULL;
    MUST(kinde_session_serialize(s, &text, NULL));
    size_t tokens = strlen(kinde_session_access_token(s)) + strlen(kinde_session_id_token(s)) +
                    strlen(kinde_session_refresh_token(s));
    const int N = iters(20000);
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            char *out = NULL;
            kinde_session *back = NULL;
            MUST(kinde_session_serialize(s, &out, NULL));
            MUST(kinde_session_deserialize(out, strlen(out), &back, NULL));
            kinde_session_free(back);
            kinde_free(out);
        }
        t[r] = (now_ns() - t0) / N;
    }
    stat3 st = summarize(t, RUNS);
    printf("3. session serialize + deserialize (goal < 5 us, < 4 KiB beyond the tokens)\n");
    printf("   round trip               %7.0f ns (min %.0f, max %.0f)\n", st.median, st.min, st.max);
    printf("   stored bytes             %7zu (tokens %zu, overhead %zu)\n", strlen(text), tokens,
           strlen(text) - tokens);

    /* What a signed-in request of the web app pays for its session (item 4):
     * loading the stored record and freeing it; and the part of that which
     * is parsing the two payloads, with jsonscan.c and, on the same decoded
     * bytes in the same run, with jansson as the library parsed them before
     * (json_loadb with duplicates refused, through json.c's limits). */
    const char *tok[2] = {kinde_session_access_token(s), kinde_session_id_token(s)};
    unsigned char *raw[2];
    size_t raw_len[2];
    for (int k = 0; k < 2; k++) {
        const char *p1 = strchr(tok[k], '.') + 1, *p2 = strchr(p1, '.');
        MUST(kinde__b64url_decode(p1, (size_t)(p2 - p1), &raw[k], &raw_len[k]));
    }
    double t_load[RUNS], t_scan[RUNS], t_jansson[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            kinde_session *back = NULL;
            MUST(kinde_session_deserialize(text, strlen(text), &back, NULL));
            kinde_session_free(back);
        }
        t_load[r] = (now_ns() - t0) / N;
        t0 = now_ns();
        for (int i = 0; i < N; i++)
            for (int k = 0; k < 2; k++) {
                char buf[4096];
                memcpy(buf, raw[k], raw_len[k]); /* it decodes strings in place */
                kinde__jdoc *d = NULL;
                const char *why;
                MUST(kinde__jdoc_parse(buf, raw_len[k], &d, &why));
                kinde__jdoc_free(d);
            }
        t_scan[r] = (now_ns() - t0) / N;
        t0 = now_ns();
        for (int i = 0; i < N; i++)
            for (int k = 0; k < 2; k++)
                json_decref(kinde__json_parse_object((const char *)raw[k], raw_len[k],
                                                     KINDE_E_TOKEN_MALFORMED, "payload", NULL));
        t_jansson[r] = (now_ns() - t0) / N;
    }
    stat3 ld = summarize(t_load, RUNS), sc = summarize(t_scan, RUNS), ja = summarize(t_jansson, RUNS);
    printf("   session load (deserialize + free, per signed-in request) %7.0f ns (min %.0f, max %.0f)\n",
           ld.median, ld.min, ld.max);
    printf("   of it, parsing both payloads: jsonscan %.0f ns; jansson as before %.0f ns (same bytes,\n"
           "   same run): %.0f ns less per signed-in request\n", sc.median, ja.median,
           ja.median - sc.median);
    for (int k = 0; k < 2; k++)
        kinde__free(raw[k]);
    kinde_free(text);
}

/* argv: sections to run ("verify", "getters", "session", "footprint");
 * none = all. `valgrind --tool=callgrind bench_sdk verify` profiles one. */
static int want(int argc, char **argv, const char *what)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], what) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *scale_env = getenv("KINDE_BENCH_SCALE");
    if (scale_env)
        scale = strtod(scale_env, NULL);
    MUST(kinde_set_allocator(c_malloc, c_realloc, c_free));
    key = EVP_RSA_gen(2048);
    char *n = b64_bn(OSSL_PKEY_PARAM_RSA_N), *e = b64_bn(OSSL_PKEY_PARAM_RSA_E);
    strbuf jb = {0};
    strbuf_addf(&jb, "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"bench\",\"n\":\"%s\",\"e\":\"%s\"}]}", n, e);
    jwks_json = strbuf_take(&jb, NULL);
    kinde__free(n);
    kinde__free(e);
    const char *header = "{\"alg\":\"RS256\",\"kid\":\"bench\",\"typ\":\"JWT\"}";
    char *at = sign(header, access_payload());
    char *it = sign(header, id_payload());

    printf("kinde-c %s benchmarks (median of %d runs)\n\n", KINDE_VERSION_STRING, RUNS);
    if (want(argc, argv, "verify"))
        bench_verify(at);

    /* 7. footprint */
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = ISS;
    cfg.client_id = "cid";
    cfg.client_secret = "secret";
    cfg.callback_url = "http://localhost:8000/callback";
    cfg.audience = "api.yourapp.com";
    long long b0 = live_bytes;
    MUST(kinde_client_new(&cfg, &bench_client, NULL));
    long long client_bytes = live_bytes - b0;

    b0 = live_bytes;
    kinde_session *s = kinde_session_new();
    kinde__jdoc *atc = parse_payload(access_payload()), *itc = parse_payload(id_payload());
    kinde__session_set_tokens(s, kinde__strdup(at), atc, kinde__strdup(it), itc,
                              kinde__strdup("refresh-token-0123456789abcdef0123456789abcdef"), NULL);
    long long session_bytes = live_bytes - b0;
    if (want(argc, argv, "getters")) {
        printf("\n");
        bench_getters(s);
    }
    if (want(argc, argv, "session")) {
        printf("\n");
        bench_round_trip(s);
    }
    if (want(argc, argv, "footprint")) {
        printf("\n7. heap footprint (counting allocator)\n");
        printf("   per client               %7lld bytes (before the JWKS is fetched)\n", client_bytes);
        printf("   per signed-in session    %7lld bytes (tokens %zu bytes of it)\n", session_bytes,
               strlen(at) + strlen(it));
    }
    kinde_session_free(s);
    kinde_client_free(bench_client);
    kinde__free(at);
    kinde__free(it);
    kinde__free(jwks_json);
    EVP_PKEY_free(key);
    return 0;
}
