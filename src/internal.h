/*
 * internal.h - what the library's files share. Nothing here is exported:
 * every symbol is hidden (-fvisibility=hidden), only kinde.h's KINDE_API
 * functions leave the shared library.
 *
 * Naming: kinde__ (two underscores) for internal functions and types.
 */
#ifndef KINDE_INTERNAL_H
#define KINDE_INTERNAL_H

#include "kinde/kinde.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#define KINDE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KINDE_PRINTF(a, b)
#endif

/* ---- alloc.c: every allocation goes through the hooks ------------------- */
void *kinde__malloc(size_t n);
void *kinde__calloc(size_t count, size_t n);
void *kinde__realloc(void *p, size_t n);
void kinde__free(void *p);
char *kinde__strdup(const char *s);            /* NULL in, NULL out */
char *kinde__strndup(const char *s, size_t n);
void kinde__wipe(void *p, size_t n);           /* not optimised away */
void kinde__free_secret(char *s);              /* wipe strlen(s) bytes, then free */
void kinde__free_wiped(void *p, size_t n);     /* wipe n bytes, then free */
/* Route jansson's allocations through the hooks (idempotent, thread-safe). */
void kinde__json_hooks(void);
/* Whether a jansson allocation failed in this thread since the last reset. */
int kinde__json_alloc_failed(int reset);

/* ---- errors.c ----------------------------------------------------------- */
/* Fill err (if not NULL) and return code. */
kinde_code kinde__fail(kinde_error *err, kinde_code code, const char *fmt, ...)
    KINDE_PRINTF(3, 4);
/* An OAuth error answer: code KINDE_E_OAUTH (or the given one), oauth_error set. */
kinde_code kinde__fail_oauth(kinde_error *err, kinde_code code, long http_status,
                             const char *error, const char *description);

/* ---- abi.c: structs that grow (docs/ABI.md) ------------------------------ */
/* The size of a struct up to and including member m: the first published
 * layout of a struct that later grows ends at its last original member. */
#define KINDE__SIZE_THROUGH(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))
/* Copy the caller's struct (their_size bytes, its kinde.h's sizeof) into
 * ours, which holds our defaults: members the caller's layout lacks keep
 * them. A caller layout smaller than first_size is KINDE_E_INVALID_ARGUMENT;
 * non-zero bytes beyond our layout (members of a newer kinde.h) are `code`. */
kinde_code kinde__struct_in(void *ours, size_t our_size, const void *theirs, size_t their_size,
                            size_t first_size, kinde_code code, const char *what,
                            kinde_error *err);
/* Write our result into the caller's struct: the members its layout has;
 * members of a newer layout we do not know are zeroed. */
void kinde__struct_out(void *theirs, size_t their_size, const void *ours, size_t our_size);

/* ---- strbuf.c: the growable string of common/strbuf.h, built into the
 * library with the allocator hooks and hidden kinde__strbuf_* names. -------- */
#define STRBUF_LIBKINDE 1
#include "../common/strbuf.h"

/* ---- b64.c: base64url without padding (RFC 7515 section 2) -------------- */
/* Returns a NUL-terminated string (kinde__free), NULL when out of memory. */
char *kinde__b64url_encode(const unsigned char *data, size_t len);
/* Strict decoding: only [A-Za-z0-9_-], no '=', no length of 1 mod 4, and the
 * unused low bits of the last character must be zero (canonical form).
 * Returns 0 and *out (kinde__free; one extra NUL byte appended, not counted in
 * *out_len) on success, -1 when malformed, -2 when out of memory. */
int kinde__b64url_decode(const char *in, size_t len, unsigned char **out, size_t *out_len);

/* ---- crypto.c: randomness and hashing (OpenSSL) ------------------------- */
/* nbytes of CSPRNG output, base64url encoded. *out: kinde__free_secret. */
kinde_code kinde__random_string(size_t nbytes, char **out, kinde_error *err);
/* RFC 7636 S256: base64url(SHA-256(verifier)). NULL when out of memory. */
char *kinde__pkce_challenge(const char *verifier);
/* Time now, seconds since the epoch. Tests may move it (kinde__clock_offset). */
int64_t kinde__now(void);
extern int64_t kinde__clock_offset;

/* ---- json.c: jansson helpers -------------------------------------------- */
/* Parse a JSON object with limits (size, depth, duplicate keys rejected).
 * NULL when not a JSON object; the reason in err with the given code, or
 * KINDE_E_NOMEM. Pass a local err when the code matters: err may be NULL. */
json_t *kinde__json_parse_object(const char *text, size_t len, kinde_code code,
                                 const char *what, kinde_error *err);
/* The same with another size limit (Management API pages are larger). */
json_t *kinde__json_parse_object_max(const char *text, size_t len, size_t max, kinde_code code,
                                     const char *what, kinde_error *err);
/* Borrowed string member or NULL when absent or not a string. */
const char *kinde__json_str(const json_t *obj, const char *key);
/* JSON text of v with jansson's dump flags, in a block of the library's own
 * (kinde__free), NULL when out of memory. */
char *kinde__json_text(const json_t *v, size_t flags);

/* ---- jsonscan.c: token payloads and headers, parsed once ---------------
 * A document is one block (kinde__jdoc_free): its values in document order,
 * each container followed by its members (an object's as name, value), then
 * the decoded strings. Read-only after parsing; getters read it in place.
 * Used for token headers and payloads (and so the stored session); jansson
 * stays for everything else. */
#define KINDE__JSON_DEPTH 32       /* Kinde's deepest claim is three levels */
enum {
    KINDE__J_NULL, KINDE__J_FALSE, KINDE__J_TRUE, KINDE__J_INT, KINDE__J_REAL,
    KINDE__J_STRING, KINDE__J_ARRAY, KINDE__J_OBJECT
};
typedef struct kinde__jval {
    uint32_t type;
    uint32_t n;                    /* string: bytes (NUL not counted); array:
                                      elements; object: members */
    union {
        int64_t i;                 /* INT */
        double d;                  /* REAL */
        const char *s;             /* STRING: NUL-terminated, in the document */
        size_t off;                /* STRING while parsing: offset in the text */
        size_t span;               /* ARRAY, OBJECT: values in it, itself included */
    } v;
} kinde__jval;
typedef struct kinde__jdoc {
    size_t size;                   /* bytes of the block (wiped when freed) */
    size_t n;                      /* values */
    kinde__jval vals[];            /* vals[0] is the root object */
} kinde__jdoc;
/* Parse text[0..len) (modified: strings are decoded in place) as a JSON
 * object under the rules above. 0 and *out (kinde__jdoc_free); -1 when
 * refused, -2 out of memory, *why saying what (a static string). */
int kinde__jdoc_parse(char *text, size_t len, kinde__jdoc **out, const char **why);
void kinde__jdoc_free(kinde__jdoc *d);
kinde__jdoc *kinde__jdoc_dup(const kinde__jdoc *d);   /* NULL when out of memory */
const kinde__jval *kinde__jroot(const kinde__jdoc *d); /* NULL in, NULL out */
/* The value after v and everything inside it. */
static inline const kinde__jval *kinde__jnext(const kinde__jval *v)
{
    return v + (v->type >= KINDE__J_ARRAY ? v->v.span : 1);
}
/* Member of an object, NULL when absent or obj is not an object. */
const kinde__jval *kinde__jget(const kinde__jval *obj, const char *key);
const char *kinde__jstr(const kinde__jval *v);      /* NULL unless a string */
const char *kinde__jget_str(const kinde__jval *obj, const char *key);
/* jansson's json_equal: same type and value, objects in any order; NULL is
 * equal to nothing. */
int kinde__jequal(const kinde__jval *a, const kinde__jval *b);
/* Compact JSON text of v, byte for byte what jansson's JSON_COMPACT dump
 * writes (kinde__free), NULL when out of memory. */
char *kinde__jtext(const kinde__jval *v);

/* ---- jws.c: compact JWS, RS256 only -------------------------------------- */
typedef struct kinde__jws {
    kinde__jdoc *header;           /* decoded protected header (owned) */
    kinde__jdoc *payload;          /* decoded payload (owned) */
    const char *signing_input;     /* "header.payload": points into the token
                                      parsed, which must outlive this */
    size_t signing_input_len;
    unsigned char *signature;      /* decoded signature (owned) */
    size_t signature_len;
} kinde__jws;

/* Parse strictly (SECURITY.md A1, A3, A4, A5): exactly three segments,
 * strict base64url, header and payload JSON objects without duplicate
 * members, alg exactly "RS256", no crit (we understand no extension), no
 * jku/x5u/x5c/jwk header. KINDE_E_TOKEN_MALFORMED or KINDE_E_TOKEN_ALGORITHM. */
kinde_code kinde__jws_parse(const char *token, kinde__jws *out, kinde_error *err);
/* Only the payload of a token whose signature was checked earlier (a stored
 * session): the same segment and payload checks, no header or signature.
 * *payload: kinde__jdoc_free. */
kinde_code kinde__jws_payload(const char *token, kinde__jdoc **payload, kinde_error *err);
void kinde__jws_clear(kinde__jws *jws);
/* The header's kid (borrowed) or NULL. */
const char *kinde__jws_kid(const kinde__jws *jws);
/* RSASSA-PKCS1-v1_5 SHA-256 over signing_input. KINDE_E_TOKEN_SIGNATURE. */
kinde_code kinde__jws_verify(const kinde__jws *jws, EVP_PKEY *key, kinde_error *err);

/* ---- jwks.c: a parsed key set ------------------------------------------- */
typedef struct kinde__jwks kinde__jwks;
/* Parse {"keys":[...]} (KINDE_E_JWKS when not that shape). Entries that are
 * not usable (kty not RSA, use not sig, alg not RS256, modulus < 2048 bits,
 * malformed) are skipped, not fatal (SECURITY.md A6). */
kinde_code kinde__jwks_parse(const char *json, size_t len, kinde__jwks **out, kinde_error *err);
void kinde__jwks_free(kinde__jwks *set);
size_t kinde__jwks_count(const kinde__jwks *set);
/* kid given: the key with that kid. kid NULL: the only key if exactly one.
 * *key is borrowed from set. KINDE_E_TOKEN_KEY when none fits. */
kinde_code kinde__jwks_find(const kinde__jwks *set, const char *kid, EVP_PKEY **key,
                            kinde_error *err);

/* ---- keystore.c: the client's thread-safe JWKS cache -------------------- */
/* Fetches the key set body; *body kinde__free. */
typedef kinde_code (*kinde__fetch_fn)(void *ctx, char **body, size_t *len, kinde_error *err);
typedef struct kinde__keystore kinde__keystore;
kinde__keystore *kinde__keystore_new(kinde__fetch_fn fetch, void *ctx, long cooldown_seconds);
void kinde__keystore_free(kinde__keystore *ks);
/* A key for kid (NULL kid: the only key). Fetches the set on first use; an
 * unknown kid refetches once, but never twice within the cooldown
 * (SECURITY.md A7). *key has its own reference: EVP_PKEY_free() it. */
kinde_code kinde__keystore_get(kinde__keystore *ks, const char *kid, EVP_PKEY **key,
                               kinde_error *err);
/* How many times the set was fetched (tests and benchmarks). */
unsigned long kinde__keystore_fetches(kinde__keystore *ks);

/* ---- verify.c: signature plus claims ------------------------------------ */
typedef struct kinde__token_policy {
    const char *issuer;            /* iss must equal it exactly */
    kinde_token_kind kind;
    const char *client_id;         /* ID token: aud must contain it; azp when several */
    const char *const *audiences;  /* access token: aud must contain each of these */
    size_t n_audiences;
    const char *nonce;             /* ID token: when not NULL, must equal */
    long leeway;                   /* seconds, >= 0 */
    int64_t now;                   /* seconds since the epoch */
} kinde__token_policy;

/* Check the payload's claims against the policy (SECURITY.md A8-A12):
 * iss string equal; exp required integer; nbf/iat integers when present;
 * aud string or array of strings; sub a string when present. An access token
 * must not carry nonce or at_hash; an ID token must name the client in aud.
 * KINDE_E_TOKEN_CLAIMS / _EXPIRED / _NOT_YET_VALID / _NONCE, detail names the claim. */
kinde_code kinde__check_claims(const kinde__jval *payload, const kinde__token_policy *policy,
                               kinde_error *err);
/* Parse, find the key, verify the signature (no claims checked: webhooks
 * have none of a token's). On success *jws holds the token: kinde__jws_clear. */
kinde_code kinde__verify_signature(kinde__keystore *ks, const char *token, kinde__jws *jws,
                                  kinde_error *err);
/* Parse, find the key, verify the signature, check the claims. On success
 * *payload is the parsed payload (kinde__jdoc_free). */
kinde_code kinde__verify_token(kinde__keystore *ks, const char *token,
                               const kinde__token_policy *policy, kinde__jdoc **payload,
                               kinde_error *err);

/* ---- http.c: back-channel requests (libcurl) ---------------------------- */
typedef struct kinde__http_response {
    long status;
    char *body;                    /* NUL-terminated, kinde__free */
    size_t len;
    long ratelimit_reset;          /* seconds in RateLimit-Reset; -1 when absent */
    long retry_after;              /* seconds in Retry-After; -1 when absent or a date */
} kinde__http_response;
/* One request. method NULL = GET; GET/POST/PUT/PATCH/DELETE only. body (may
 * be NULL) of body_len bytes with content_type; max_body 0 = the default
 * cap. The rules of kinde__http_request (below) hold for every request. */
typedef struct kinde__http_req {
    const char *method, *url, *bearer, *content_type;
    const char *body;
    size_t body_len, max_body;
} kinde__http_req;
kinde_code kinde__http_send(const kinde_client *client, const kinde__http_req *req,
                            kinde__http_response *resp, kinde_error *err);
/* GET when form is NULL, else POST application/x-www-form-urlencoded.
 * bearer (may be NULL) goes in the Authorization header. No redirects, TLS
 * verified, timeouts and a response size cap from the client's config. */
kinde_code kinde__http_request(const kinde_client *client, const char *url, const char *form,
                               const char *bearer, kinde__http_response *resp,
                               kinde_error *err);
void kinde__http_response_clear(kinde__http_response *resp);
/* 1 when url is https://, or http:// to a loopback host; 0 otherwise; -1
 * when out of memory (not to be reported as a refused URL). */
int kinde__url_allowed(const char *url);
void kinde__http_client_cleanup(kinde_client *client);


/* ---- client.c: the application-wide object ------------------------------ */
typedef struct kinde__m2m_entry kinde__m2m_entry;   /* oauth.c: cached M2M tokens */
typedef struct kinde__flight kinde__flight;         /* oauth.c: refreshes in progress */

struct kinde_client {
    /* Immutable after kinde_client_new(): read by every thread without locks. */
    char *domain;                  /* no trailing slash; also the expected iss */
    char *callback_url, *client_id, *client_secret, *code_verifier, *scope;
    char *audience, *org_code, *post_logout_redirect_url, *ca_file;
    char **audiences;              /* audience split on spaces */
    size_t n_audiences;
    kinde_grant_type grant_type;
    long leeway, http_timeout_ms, connect_timeout_ms, jwks_cooldown, login_ttl;
    char *auth_url, *token_url, *jwks_url, *revoke_url, *profile_url, *logout_url;
    kinde__keystore *keys;
    /* Mutable, under lock. */
    pthread_mutex_t lock;
    pthread_cond_t flight_done;
    kinde__m2m_entry *m2m;
    kinde__flight *flights;
    void *idle_handles[4];         /* reusable curl easy handles (http.c) */
    size_t n_idle;
    unsigned long requests;        /* back-channel requests sent (tests, benchmarks) */
};
/* KINDE_E_CONFIG naming client_id when the client has none (a verify-only
 * client, see kinde.h): `what` says which call needed it. */
kinde_code kinde__need_client_id(const kinde_client *c, const char *what, kinde_error *err);

/* ---- config.c ---------------------------------------------------------- */
/* Calls fn for each KEY=VALUE of a .env text (comments, blank lines, `export `,
 * single and double quotes handled). Returns 0, or -1 when out of memory. */
int kinde__dotenv_parse(const char *text, size_t len,
                        void (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* The caller's kinde_config of their_size bytes, as our layout with our
 * defaults for members the caller's kinde.h lacks. */
kinde_code kinde__config_in(kinde_config *cfg, const kinde_config *theirs, size_t their_size,
                            kinde_error *err);

/* ---- session.c --------------------------------------------------------- */
struct kinde_session {
    pthread_mutex_t lock;          /* refresh and is_authenticated serialize on it */
    char *access_token, *id_token, *refresh_token;
    kinde__jdoc *access_claims, *id_claims;   /* decoded payloads (owned) */
    int64_t expires_at;            /* access token exp */
    /* Borrowed views into the claims, built once when tokens are set. */
    const char **permissions, **org_codes, **roles;
    size_t n_permissions, n_org_codes, n_roles;
    const char *org_code;
    const kinde__jval *flags;      /* borrowed: feature_flags object or NULL */
    /* The pending login. */
    char *state, *nonce, *verifier, *redirect_uri;
    int64_t login_started;
};

/* Take ownership of the tokens and their verified payloads (any may be NULL,
 * except access). Old tokens are wiped. */
kinde_code kinde__session_set_tokens(kinde_session *s, char *access, kinde__jdoc *access_claims,
                                     char *id, kinde__jdoc *id_claims, char *refresh,
                                     kinde_error *err);
void kinde__session_clear_login(kinde_session *s);
void kinde__session_clear_tokens(kinde_session *s);

/* ---- callback.c: the redirect back from Kinde --------------------------- */
typedef struct kinde__callback {
    char *code, *state, *iss, *error, *error_description;
} kinde__callback;
/* Parse the query of a callback URL (a full URL or just "?query"). Parameters
 * that appear twice are KINDE_E_CALLBACK. */
kinde_code kinde__callback_parse(const char *url, kinde__callback *out, kinde_error *err);
void kinde__callback_clear(kinde__callback *cb);

/* ---- oauth.c ------------------------------------------------------------ */
typedef struct kinde__token_response {
    json_t *json;                  /* owned */
    const char *access_token, *id_token, *refresh_token;   /* borrowed from json */
    int64_t expires_in;            /* -1 when absent */
} kinde__token_response;
/* Check a token endpoint answer's status and shape (SECURITY.md C21). */
kinde_code kinde__token_response_parse(long status, const char *body, size_t len,
                                       kinde__token_response *out, kinde_error *err);
void kinde__token_response_clear(kinde__token_response *tr);
/* A revocation endpoint answer: 2xx is KINDE_OK; an OAuth error body
 * (RFC 7009 2.2.1, e.g. unsupported_token_type) is KINDE_E_OAUTH with
 * oauth_error set; any other status KINDE_E_HTTP_STATUS. */
kinde_code kinde__revocation_result(long status, const char *body, size_t len, kinde_error *err);
void kinde__oauth_client_cleanup(kinde_client *client);
/* Drop the cached M2M token for audience if it still is token (one a server
 * refused): the next kinde_get_m2m_token() fetches a new one, while a token
 * another thread already fetched in its place is kept. */
void kinde__m2m_forget(kinde_client *client, const char *audience, const char *token);

#endif /* KINDE_INTERNAL_H */
