/*
 * testutil.h - keys, key sets and tokens for the tests of every part.
 *
 * Everything returned as char * or unsigned char * is allocated with plain
 * malloc(): release it with free(), never kinde_free() (tests replace the
 * library's allocator; these helpers don't follow it). Functions return NULL
 * only when OpenSSL or malloc fails; tests may treat NULL as a test failure.
 *
 * Typical use:
 *     EVP_PKEY *key = tu_rsa_key(2048);
 *     char *jwks = tu_jwks_json(&key, (const char *[]){"k1"}, 1);
 *     tu_claims c = tu_claims_default("https://acme.kinde.com", "cid");
 *     char *at = tu_mint_access_token(key, "k1", &c);
 */
#ifndef KINDE_TESTUTIL_H
#define KINDE_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "internal.h"

/* ---- keys ---------------------------------------------------------------- */

/* A fresh RSA key pair of `bits` bits (0 = 2048; any size OpenSSL accepts,
 * e.g. 1024 for the "too small" tests). EVP_PKEY_free() it. */
EVP_PKEY *tu_rsa_key(int bits);

/* The public JWK of key as JSON text:
 *     {"kty":"RSA","use":"sig","alg":"RS256","kid":<kid>,"n":...,"e":...}
 * kid NULL leaves "kid" out. */
char *tu_jwk_json(EVP_PKEY *key, const char *kid);

/* Like tu_jwk_json() but every member is chosen: kty, use, alg, kid (each
 * NULL = member left out) and the key's own n and e, plus extra (raw JSON
 * members without a trailing comma, or NULL) appended at the end. */
char *tu_jwk_json_custom(EVP_PKEY *key, const char *kty, const char *use, const char *alg,
                         const char *kid, const char *extra);

/* {"keys":[...]} of n keys, each as tu_jwk_json(keys[i], kids[i]). kids may
 * be NULL (no kid on any key). */
char *tu_jwks_json(EVP_PKEY *const *keys, const char *const *kids, size_t n);

/* {"keys":[<jwk0>,<jwk1>,...]} from JWK JSON texts (e.g. tu_jwk_json_custom). */
char *tu_jwks_of(const char *const *jwks, size_t n);

/* The public key as PEM text (SubjectPublicKeyInfo), *len bytes; what an
 * algorithm-confusion attacker uses as an HMAC secret. free() it. */
unsigned char *tu_public_pem(EVP_PKEY *key, size_t *len);

/* ---- minting -------------------------------------------------------------- */

/* base64url without padding of len bytes. */
char *tu_b64url(const void *data, size_t len);
/* Strict inverse (via the library's decoder); *len bytes, NUL appended. */
unsigned char *tu_b64url_decode(const char *text, size_t n, size_t *len);

/* Compact JWS "b64(header).b64(payload).b64(RS256 signature)". The JSON texts
 * are encoded byte for byte as given (not re-serialized), so a test can sign
 * duplicate members, odd spacing or non-objects. */
char *tu_sign_rs256(const char *header_json, const char *payload_json, EVP_PKEY *key);
/* The same with another RSA signature hash: "sha384" and so on (for RS384). */
char *tu_sign_rsa(const char *header_json, const char *payload_json, EVP_PKEY *key,
                  const char *digest);
/* HMAC-SHA256 with secret as the key (the header's alg is whatever you pass). */
char *tu_sign_hs256(const char *header_json, const char *payload_json,
                    const unsigned char *secret, size_t secret_len);
/* HS256 keyed with key's public PEM: the classic RS256->HS256 confusion. */
char *tu_sign_hs256_public(const char *header_json, const char *payload_json, EVP_PKEY *key);
/* "b64(header).b64(payload)." - an unsigned token, empty signature segment. */
char *tu_sign_none(const char *header_json, const char *payload_json);

/* ---- mutating ------------------------------------------------------------- */

/* A copy of token with bit `bit` of its text flipped (byte bit/8, bit bit%8).
 * May well produce a character outside base64url; that is the point of some
 * tests. NULL if bit is out of range. */
char *tu_flip_text_bit(const char *token, size_t bit);

/* A copy of token where bit `bit` of the *decoded* bytes of segment seg
 * (0 header, 1 payload, 2 signature) is flipped and the segment re-encoded
 * canonically: a well-formed token whose content changed by one bit.
 * NULL if the segment or bit does not exist. */
char *tu_flip_segment_bit(const char *token, int seg, size_t bit);

/* Number of decoded bytes of segment seg (0 on error). */
size_t tu_segment_len(const char *token, int seg);

/* A copy of token with segment seg replaced by text (taken as is). */
char *tu_replace_segment(const char *token, int seg, const char *text);

/* ---- Kinde-shaped tokens (KINDE.md "Tokens") ------------------------------ */

typedef struct tu_claims {
    const char *issuer;       /* iss */
    const char *client_id;    /* azp; the ID token's aud */
    const char *audience;     /* access token: aud = [audience], or [] when NULL */
    const char *sub;          /* default "kp_0ba7c433f3d54d1d" */
    const char *nonce;        /* ID token nonce; NULL = no nonce claim */
    int64_t iat;              /* issued at */
    int64_t exp;              /* expiry */
} tu_claims;

/* issuer and client_id as given, iat = kinde__now(), exp = iat + 3600, the
 * rest NULL. */
tu_claims tu_claims_default(const char *issuer, const char *client_id);

/* Payload JSON of a Kinde access token: aud, azp, exp, iat, iss, jti, sub,
 * org_code, permissions, scp, feature_flags (theme/is_dark_mode/competitions_limit). */
char *tu_access_payload(const tu_claims *c);
/* A JSON object text parsed as a token payload is (kinde__jdoc_free); fails
 * the test when it does not parse. */
kinde__jdoc *tu_jdoc(const char *json);
/* Payload JSON of a Kinde ID token: sub, given_name, family_name, name, email,
 * picture, org_codes, updated_at, auth_time, at_hash, azp, aud [client_id],
 * nonce (when set), iss, iat, exp, jti. */
char *tu_id_payload(const tu_claims *c);

/* Header {"alg":"RS256","typ":"JWT","kid":<kid>} (kid NULL: no kid), signed
 * with key. */
char *tu_mint_access_token(EVP_PKEY *key, const char *kid, const tu_claims *c);
char *tu_mint_id_token(EVP_PKEY *key, const char *kid, const tu_claims *c);

/* ---- a JWKS endpoint for kinde__keystore ---------------------------------- */

/* Serves `body` to kinde__keystore through tu_fetch, counting calls.
 * Thread-safe; set fields before handing it to a keystore, or change them
 * through tu_source_set_body / tu_source_set_fail. */
typedef struct tu_source {
    pthread_mutex_t lock;
    char *body;               /* owned (malloc); served as a copy */
    kinde_code fail;          /* non-zero: tu_fetch fails with this code */
    unsigned delay_ms;        /* each fetch sleeps this long first */
    unsigned long calls;      /* how many times tu_fetch ran */
} tu_source;

void tu_source_init(tu_source *s, const char *body);    /* body copied; may be NULL */
void tu_source_set_body(tu_source *s, const char *body);
void tu_source_set_fail(tu_source *s, kinde_code fail);
unsigned long tu_source_calls(tu_source *s);
void tu_source_destroy(tu_source *s);
/* The kinde__fetch_fn: ctx is a tu_source *. */
kinde_code tu_fetch(void *ctx, char **body, size_t *len, kinde_error *err);

/* ---- child processes (the emulator, the interop provider) --------------- */

void tu_sleep_ms(long ms);
/* Waits up to timeout_ms for the child to write its port to ready_file.
 * 1: *port set; 0: timed out; -1: the child exited first (reaped, its
 * wait status in *status). */
int tu_wait_ready(pid_t pid, const char *ready_file, long timeout_ms, int *port, int *status);
/* SIGTERM, then SIGKILL when it has not exited within 5 s; reaps it.
 * 0 when it exited on its own (wait status in *status), -1 when killed. */
int tu_stop_child(pid_t pid, int *status);

/* ---- collecting an HTTP body ------------------------------------------------ */

typedef struct tu_membuf {
    char *data; /* malloc'd, NUL-terminated once anything arrived */
    size_t len;
} tu_membuf;
/* A CURLOPT_WRITEFUNCTION appending to the tu_membuf in ud. */
size_t tu_collect(char *p, size_t size, size_t n, void *ud);

/* ---- an allocator for kinde_set_allocator ------------------------------- */

/* Each block carries its size in a header and is zeroed, so tests can fail
 * allocations and look into blocks as they are freed. Both hooks may be
 * NULL; set them before kinde_set_allocator(tu_malloc, tu_realloc, tu_free). */
typedef struct tu_alloc_hooks {
    int (*fail)(void);                     /* non-zero: this allocation fails */
    void (*freeing)(const void *p, size_t n); /* sees each block just before it goes */
} tu_alloc_hooks;
extern tu_alloc_hooks tu_alloc;
void *tu_malloc(size_t n);
void *tu_realloc(void *p, size_t n);
void tu_free(void *p);
long tu_alloc_live(void); /* blocks allocated and not yet freed */

#endif /* KINDE_TESTUTIL_H */
