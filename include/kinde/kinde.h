/* SPDX-License-Identifier: MIT (see LICENSE) */
/*
 * kinde.h - the Kinde authentication SDK for C.
 *
 * "seed: name" below names the method of Kinde's Python SDK (the SDK this
 * library was specified from, docs/KINDE.md) that a function stands for, so
 * code written against that SDK's guide maps one to one. Rule ids such as
 * "A7" or "B15" refer to docs/SECURITY.md.
 *
 * Two objects do all the work:
 *
 *   kinde_client   one per application: configuration, HTTP, the JWKS cache,
 *                  the cached machine-to-machine token. Created once, shared
 *                  by every thread of a server.
 *   kinde_session  one per user (or per pending login): state, nonce and PKCE
 *                  verifier of a login in progress, then the tokens and their
 *                  verified claims. Serializes to a string, so a web app keeps
 *                  it in any server-side store and any process can resume it.
 *
 * Conventions, the same for every function below:
 *   - Fallible functions return kinde_code; KINDE_OK (0) is success.
 *   - The last argument `kinde_error *err` may be NULL. When given, a failure
 *     fills it with the code, a message saying what failed (which claim, which
 *     HTTP status, the server's error_description) and, for OAuth errors, the
 *     `error` value. err is untouched on success.
 *   - "Caller frees with kinde_free()" marks memory the library hands over.
 *     "Borrowed" pointers belong to the session and stay valid until the
 *     session is changed (fetch_token, refresh, logout, clear) or freed.
 *   - No function aborts the process on bad input; NULL arguments give
 *     KINDE_E_INVALID_ARGUMENT.
 *   - Every function returning kinde_code warns when its result is ignored.
 *
 * Binary compatibility (docs/ABI.md): the structs that grow (kinde_config,
 * kinde_auth_params, kinde_user) travel with the size the program was
 * compiled with. The functions taking them are macros that pass sizeof to
 * an exported *_sized function, so a program built against an older
 * kinde.h keeps working with a newer library: members beyond the program's
 * size take their defaults (or, for results, are not written). Bindings
 * from other languages call the *_sized functions with their struct size.
 *
 * Thread safety: a kinde_client may be used from any number of threads at
 * once. A kinde_session must not be used from two threads at once, except
 * kinde_refresh_token() and kinde_is_authenticated(), which serialize on the
 * session (concurrent refreshes of one refresh token cause one request), and
 * the functions that take a `const kinde_session *` (claims, permissions,
 * organizations, roles, user details, flags, the token accessors): they only
 * read, so any number of threads may call them at once on a session nobody
 * changes meanwhile (kinde-gateway shares one opened session that way).
 */
#ifndef KINDE_KINDE_H
#define KINDE_KINDE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* KINDE_WARN_UNUSED marks every function returning kinde_code: an ignored
 * result is an ignored error (GCC does not accept a (void) cast for it). */
#if defined(__GNUC__) || defined(__clang__)
#define KINDE_API __attribute__((visibility("default")))
#define KINDE_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define KINDE_API
#define KINDE_WARN_UNUSED
#endif

#define KINDE_VERSION_MAJOR 0
#define KINDE_VERSION_MINOR 1
#define KINDE_VERSION_PATCH 0
#define KINDE_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* Values are only ever appended; existing numbers never change. */
typedef enum kinde_code {
    KINDE_OK = 0,
    KINDE_E_INVALID_ARGUMENT = 1,  /* NULL or malformed argument */
    KINDE_E_NOMEM = 2,             /* an allocation failed */
    KINDE_E_CONFIG = 3,            /* bad configuration (detail says which field) */
    KINDE_E_HTTP = 4,              /* transport: connect, TLS, timeout, too large */
    KINDE_E_HTTP_STATUS = 5,       /* non-2xx answer without an OAuth error body */
    KINDE_E_OAUTH = 6,             /* OAuth error answer; err->oauth_error says which */
    KINDE_E_BAD_RESPONSE = 7,      /* answer of the wrong shape (not JSON, missing fields) */
    KINDE_E_STATE = 8,             /* callback state missing, unknown, used or expired */
    KINDE_E_CALLBACK = 9,          /* callback malformed: no code, duplicated parameters */
    KINDE_E_LOGIN_REQUIRED = 10,   /* callback error=login_required (prompt=none) */
    KINDE_E_ACCESS_DENIED = 11,    /* callback error=access_denied */
    KINDE_E_AUTHORIZATION = 12,    /* any other callback error; err->oauth_error has it */
    KINDE_E_ISSUER_MISMATCH = 13,  /* callback iss (RFC 9207) is not the domain */
    KINDE_E_TOKEN_MALFORMED = 14,  /* not a well-formed compact JWS */
    KINDE_E_TOKEN_ALGORITHM = 15,  /* alg other than RS256, crit, jku/x5u/jwk headers */
    KINDE_E_TOKEN_SIGNATURE = 16,  /* signature does not verify */
    KINDE_E_TOKEN_KEY = 17,        /* no usable key for the token's kid */
    KINDE_E_TOKEN_CLAIMS = 18,     /* iss, aud, azp, sub or a claim of the wrong type */
    KINDE_E_TOKEN_EXPIRED = 19,    /* exp in the past (beyond the leeway) */
    KINDE_E_TOKEN_NOT_YET_VALID = 20, /* nbf or iat in the future (beyond the leeway) */
    KINDE_E_TOKEN_NONCE = 21,      /* id token nonce differs from the login's */
    KINDE_E_JWKS = 22,             /* key set could not be fetched or parsed */
    KINDE_E_NOT_AUTHENTICATED = 23,/* the session holds no valid tokens */
    KINDE_E_NO_REFRESH_TOKEN = 24, /* refresh needed but none is held */
    KINDE_E_FLAG_NOT_FOUND = 25,   /* flag missing and no default given */
    KINDE_E_FLAG_TYPE = 26,        /* flag is of another type than asked for */
    KINDE_E_SESSION_DATA = 27,     /* serialized session is corrupt or of another version */
    KINDE_E_SUBJECT_MISMATCH = 28, /* refreshed token or profile names another user */
    KINDE_E_GRANT_TYPE = 29,       /* call not possible with the configured grant type */
    KINDE_E_CLAIM_NOT_FOUND = 30,  /* typed claim getter: claim absent or of another type */
    KINDE_E_RATE_LIMITED = 31      /* 429 answers outlasted the wait budget (management.h) */
} kinde_code;

#define KINDE_ERROR_TEXT_SIZE 256
#define KINDE_OAUTH_ERROR_SIZE 64

typedef struct kinde_error {
    kinde_code code;
    long http_status;                        /* 0 when no HTTP answer was involved */
    char oauth_error[KINDE_OAUTH_ERROR_SIZE]; /* e.g. "invalid_grant"; "" if none */
    char text[KINDE_ERROR_TEXT_SIZE];         /* human-readable detail */
} kinde_error;

/* Fixed English text for a code ("ok", "token expired", ...). Never NULL. */
KINDE_API const char *kinde_strerror(kinde_code code);

/* The enum name of a code ("KINDE_E_TOKEN_EXPIRED"), for logs and CLIs. Never NULL. */
KINDE_API const char *kinde_code_name(kinde_code code);

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

/* Free anything the library handed over ("caller frees with kinde_free()").
 * NULL is ignored. Strings that may hold secrets are wiped first. */
KINDE_API void kinde_free(void *ptr);

/* Replace the allocator for the library (and its JSON parser). Call once,
 * before any other kinde_ function, before any use of jansson in the
 * program and before any thread starts; all three functions must be given.
 * Returns KINDE_E_INVALID_ARGUMENT otherwise (also when called after the
 * library was used, with other functions).
 * Note: jansson's allocation functions are process-wide; on first use the
 * library sets them to ones that call these (with the default allocator,
 * ones that wipe each block before freeing it, since blocks hold tokens),
 * unless the program had already given jansson functions of its own.
 * With a custom allocator, jansson's blocks are wiped too (and, as jansson
 * documents, text from json_dumps() must then be freed with jansson's free
 * function, json_get_alloc_funcs()); free_fn should wipe the library's
 * other blocks if your program needs secrets wiped. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_set_allocator(void *(*malloc_fn)(size_t),
                    void *(*realloc_fn)(void *, size_t),
                    void (*free_fn)(void *));

/* ------------------------------------------------------------------------ */
/* Configuration and the client                                             */
/* ------------------------------------------------------------------------ */

typedef enum kinde_grant_type {
    KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE = 0, /* the default: web apps, CLIs, devices */
    KINDE_GRANT_AUTHORIZATION_CODE = 1,           /* confidential back-end, PKCE still sent */
    KINDE_GRANT_CLIENT_CREDENTIALS = 2            /* machine to machine, no user */
} kinde_grant_type;

/* The seed's configuration table. Strings are copied by kinde_client_new();
 * NULL means "not set". Always start from kinde_config_init(). Members are
 * only ever appended (docs/ABI.md).
 *
 * Without client_id, client_secret and callback_url the client only
 * verifies access tokens (an API receiving bearer tokens needs no more
 * than the domain and, usually, the audience); the functions that need an
 * application then fail with KINDE_E_CONFIG naming client_id. */
typedef struct kinde_config {
    const char *domain;          /* required: https://yourapp.kinde.com (a trailing "/" is
                                    dropped; tokens' iss must then equal it exactly) */
    const char *callback_url;    /* required for the authorization-code grants */
    const char *client_id;       /* required */
    const char *client_secret;   /* required for AUTHORIZATION_CODE and CLIENT_CREDENTIALS */
    kinde_grant_type grant_type;
    const char *code_verifier;   /* optional fixed PKCE verifier (seed compatibility);
                                    NULL = a fresh one per login, which is safer */
    const char *scope;           /* default "openid profile email offline" */
    const char *audience;        /* one or several, separated by spaces */
    const char *org_code;        /* default organization for login URLs */
    const char *post_logout_redirect_url; /* default for kinde_get_logout_url */
    long leeway_seconds;         /* clock leeway for exp/nbf/iat; default 30, 0..3600 */
    long http_timeout_ms;        /* total time for one request; default 10000 */
    long connect_timeout_ms;     /* default 5000 */
    long jwks_cooldown_seconds;  /* least time between two JWKS fetches; default 30, >= 1 */
    long login_ttl_seconds;      /* how long a pending login (state) lives; default 600 */
    const char *ca_file;         /* optional CA bundle; TLS verification is always on */
} kinde_config;

/* Fill cfg with the defaults above (strings NULL). A macro: the program's
 * sizeof(kinde_config) goes to kinde_config_init_sized(). */
#define kinde_config_init(cfg) kinde_config_init_sized((cfg), sizeof(kinde_config))
KINDE_API void kinde_config_init_sized(kinde_config *cfg, size_t cfg_size);

typedef struct kinde_client kinde_client;

/* Validate cfg and create a client. Bad configuration (missing domain,
 * http:// to a host other than loopback, an application without client id,
 * callback URL or the secret its grant needs, an unknown grant type) is
 * KINDE_E_CONFIG with the field in err->text. *out is set only on success;
 * free with kinde_client_free(). cfg_size: sizeof(kinde_config) as the
 * program knows it; members a newer program sets that this library does not
 * know are KINDE_E_CONFIG. */
#define kinde_client_new(cfg, out, err) \
    kinde_client_new_sized((cfg), sizeof(kinde_config), (out), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_client_new_sized(const kinde_config *cfg, size_t cfg_size, kinde_client **out,
                       kinde_error *err);

/* Like kinde_client_new(), reading KINDE_HOST or KINDE_ISSUER_URL,
 * KINDE_CLIENT_ID, KINDE_CLIENT_SECRET, KINDE_REDIRECT_URL or
 * KINDE_CALLBACK_URL, KINDE_POST_LOGOUT_REDIRECT_URL or KINDE_LOGOUT_URL,
 * KINDE_AUDIENCE, KINDE_SCOPE, KINDE_ORG_CODE and KINDE_GRANT_TYPE
 * (client_credentials | authorization_code | authorization_code_with_pkce)
 * from the environment and, for variables the environment lacks, from the
 * file dotenv_path (NULL = no file; a missing file is not an error).
 * base (may be NULL) supplies every other field and values neither source has. */
#define kinde_client_new_from_env(dotenv_path, base, out, err) \
    kinde_client_new_from_env_sized((dotenv_path), (base), sizeof(kinde_config), (out), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_client_new_from_env_sized(const char *dotenv_path, const kinde_config *base,
                                size_t base_size, kinde_client **out, kinde_error *err);

/* Free a client. The caller makes sure no other thread still uses it. */
KINDE_API void kinde_client_free(kinde_client *client);

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct kinde_session kinde_session;

/* A new, empty session, or NULL when out of memory. */
KINDE_API KINDE_WARN_UNUSED kinde_session *kinde_session_new(void);

/* Free a session, wiping the secrets it holds. NULL is ignored. */
KINDE_API void kinde_session_free(kinde_session *session);

/* Forget tokens and any pending login (a local sign-out). */
KINDE_API void kinde_session_clear(kinde_session *session);

/* The compact string form of a session (tokens and pending login included:
 * keep it server-side). *out: caller frees with kinde_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_session_serialize(const kinde_session *session, char **out, kinde_error *err);

/* Rebuild a session from kinde_session_serialize() output. The tokens were
 * verified before they were stored and are not verified again; expiry is
 * checked by kinde_is_authenticated(). Corrupt input is KINDE_E_SESSION_DATA.
 * *out: free with kinde_session_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_session_deserialize(const char *data, size_t len, kinde_session **out,
                          kinde_error *err);

/* The raw tokens (borrowed; NULL when not held). Send them only in an
 * Authorization header, never in a URL or a log. */
KINDE_API const char *kinde_session_access_token(const kinde_session *session);
KINDE_API const char *kinde_session_id_token(const kinde_session *session);
KINDE_API const char *kinde_session_refresh_token(const kinde_session *session);

/* Seconds since the epoch at which the access token expires; 0 if none. */
KINDE_API int64_t kinde_session_expires_at(const kinde_session *session);

/* ------------------------------------------------------------------------ */
/* Sign in, sign up, create organization, sign out                          */
/* ------------------------------------------------------------------------ */

/* Optional parameters of the authorization request (KINDE.md). Zero-fill
 * (or `= {0}`) and set what you need; NULL/0 members are not sent. Members
 * are only ever appended (docs/ABI.md). */
typedef struct kinde_auth_params {
    const char *prompt;          /* "login" | "create" | "none" */
    const char *lang;
    const char *login_hint;      /* email, "phone:+<intl>:<cc>", "username:<name>" */
    const char *connection_id;
    const char *org_code;        /* overrides the configured org_code */
    const char *org_name;        /* name of the organization to create */
    const char *audience;        /* overrides the configured audience (space separated) */
    const char *plan_interest;
    const char *pricing_table_key;
    const char *invitation_code; /* also sends is_invitation=true */
    const char *workflow_deployment_id;
    int supports_reauth;         /* non-zero: supports_reauth=true */
    int has_success_page;        /* non-zero: has_success_page=true */
} kinde_auth_params;

/* The sign-in URL (seed: get_login_url). Starts a pending login in session:
 * fresh state, nonce and PKCE verifier, replacing any earlier pending login.
 * Store the session, then redirect the browser. params may be NULL.
 * *url: caller frees with kinde_free(). */
#define kinde_get_login_url(client, session, params, url, err) \
    kinde_get_login_url_sized((client), (session), (params), sizeof(kinde_auth_params), \
        (url), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_login_url_sized(kinde_client *client, kinde_session *session,
                          const kinde_auth_params *params, size_t params_size, char **url,
                          kinde_error *err);

/* The sign-up URL (seed: get_register_url): the login URL with prompt=create. */
#define kinde_get_register_url(client, session, params, url, err) \
    kinde_get_register_url_sized((client), (session), (params), sizeof(kinde_auth_params), \
        (url), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_register_url_sized(kinde_client *client, kinde_session *session,
                             const kinde_auth_params *params, size_t params_size, char **url,
                             kinde_error *err);

/* Sign up and create an organization (seed: create_org): the register URL
 * with is_create_org=true and org_name when params->org_name is set. */
#define kinde_get_create_org_url(client, session, params, url, err) \
    kinde_get_create_org_url_sized((client), (session), (params), sizeof(kinde_auth_params), \
        (url), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_create_org_url_sized(kinde_client *client, kinde_session *session,
                               const kinde_auth_params *params, size_t params_size, char **url,
                               kinde_error *err);

/* Complete a login from the full callback URL (seed: fetch_token). Checks,
 * before any request: one state, equal to the pending login's, not expired
 * (the pending login is consumed either way); an `error` parameter
 * (KINDE_E_LOGIN_REQUIRED, KINDE_E_ACCESS_DENIED, KINDE_E_AUTHORIZATION);
 * `iss` when present; exactly one code. Then exchanges the code, verifies
 * both tokens (signature, iss, aud, exp, nonce) and stores them in session. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_fetch_token(kinde_client *client, kinde_session *session,
                  const char *authorization_response, kinde_error *err);

/* Use the refresh token for new tokens (seed: refresh_token). The rotated
 * refresh token replaces the old one; the user (iss, sub, aud) must stay the
 * same. Threads refreshing the same refresh token at once share one request. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_refresh_token(kinde_client *client, kinde_session *session, kinde_error *err);

/* 1 when the session holds an unexpired access token; when it has expired
 * and a refresh token is held, refreshes first. 0 otherwise, with the reason
 * in why (may be NULL). Never fails in any other way. */
KINDE_API int kinde_is_authenticated(kinde_client *client, kinde_session *session,
                                     kinde_error *why);

/* The sign-out URL (seed: logout): <domain>/logout?redirect=<redirect_to>.
 * redirect_to NULL = the configured post_logout_redirect_url (or none).
 * *url: caller frees with kinde_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_logout_url(kinde_client *client, const char *redirect_to, char **url,
                     kinde_error *err);

/* Sign out: revoke the session's refresh token at Kinde (best effort: a
 * failure is reported in err but the session is cleared anyway), clear the
 * session and return the sign-out URL as kinde_get_logout_url() does. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_logout(kinde_client *client, kinde_session *session, const char *redirect_to,
             char **url, kinde_error *err);

/* ------------------------------------------------------------------------ */
/* Machine to machine (client credentials)                                  */
/* ------------------------------------------------------------------------ */

/* An access token for the client itself. audience NULL = the configured one.
 * Tokens are cached per audience in the client until shortly before expiry.
 * *access_token: caller frees with kinde_free(); *expires_at (may be NULL):
 * seconds since the epoch. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_m2m_token(kinde_client *client, const char *audience, char **access_token,
                    int64_t *expires_at, kinde_error *err);

/* ------------------------------------------------------------------------ */
/* Verifying tokens someone hands you (APIs, CLIs)                          */
/* ------------------------------------------------------------------------ */

typedef enum kinde_token_kind {
    KINDE_ACCESS_TOKEN = 0,
    KINDE_ID_TOKEN = 1
} kinde_token_kind;

/* Verify a token against the domain's JWKS (RS256 only, iss, exp/nbf/iat,
 * aud: the configured audience for access tokens, the client id for ID
 * tokens). *claims_json (may be NULL): the payload as JSON text, caller
 * frees with kinde_free(). An API needs no more configuration than the
 * domain and its audience for access tokens; an ID token needs client_id
 * (KINDE_E_CONFIG naming it otherwise). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_verify_token(kinde_client *client, const char *token, kinde_token_kind kind,
                   char **claims_json, kinde_error *err);

/* Decode a token WITHOUT verifying it (for inspection only). *header_json and
 * *payload_json (either may be NULL): caller frees with kinde_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_decode_token(const char *token, char **header_json, char **payload_json,
                   kinde_error *err);

/* ------------------------------------------------------------------------ */
/* Claims, permissions, organizations, user (read from the session)         */
/* ------------------------------------------------------------------------ */
/* These read the session's verified claims: no network, no allocation except
 * where a function says "caller frees". A session without tokens gives
 * KINDE_E_NOT_AUTHENTICATED. */

/* seed: get_claim(name, token). *value_json: the claim as JSON text ("null"
 * when absent: not an error); caller frees with kinde_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_claim(const kinde_session *session, const char *name, kinde_token_kind token,
                char **value_json, kinde_error *err);

/* Typed claim getters; KINDE_E_CLAIM_NOT_FOUND when absent or of another
 * JSON type. *value is borrowed. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_string_claim(const kinde_session *session, const char *name,
                       kinde_token_kind token, const char **value,
                       kinde_error *err);
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_integer_claim(const kinde_session *session, const char *name,
                        kinde_token_kind token, int64_t *value,
                        kinde_error *err);

/* A list of borrowed strings. */
typedef struct kinde_strings {
    size_t count;
    const char *const *items;
} kinde_strings;

/* seed: get_permission(key). *is_granted 1 or 0; *org_code (may be NULL)
 * borrowed, NULL when the token has none. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_permission(const kinde_session *session, const char *key,
                     int *is_granted, const char **org_code,
                     kinde_error *err);

/* seed: get_permissions(). Either output may be NULL. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_permissions(const kinde_session *session,
                      const char **org_code, kinde_strings *permissions,
                      kinde_error *err);

/* seed: get_organization(): org_code from the access token (borrowed, NULL if none). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_organization(const kinde_session *session,
                       const char **org_code, kinde_error *err);

/* seed: get_user_organizations(): org_codes from the ID token. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_user_organizations(const kinde_session *session,
                             kinde_strings *org_codes, kinde_error *err);

/* Role keys from the access token's `roles` claim. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_roles(const kinde_session *session, kinde_strings *role_keys,
                kinde_error *err);

/* seed: get_user_details(), from the ID token. Members are borrowed; NULL
 * when the token lacks them. Members are only ever appended (docs/ABI.md). */
typedef struct kinde_user {
    const char *id;              /* sub */
    const char *given_name;
    const char *family_name;
    const char *email;
    const char *picture;
} kinde_user;

/* A macro: the program's sizeof(kinde_user) says how many members to write. */
#define kinde_get_user_details(session, user, err) \
    kinde_get_user_details_sized((session), (user), sizeof(kinde_user), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_user_details_sized(const kinde_session *session, kinde_user *user, size_t user_size,
                             kinde_error *err);

/* GET /oauth2/v2/user_profile with the session's access token. The answer's
 * `sub` must equal the ID token's. *profile_json: caller frees with kinde_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_user_profile(kinde_client *client, kinde_session *session, char **profile_json,
                       kinde_error *err);

/* ------------------------------------------------------------------------ */
/* Feature flags                                                            */
/* ------------------------------------------------------------------------ */

typedef enum kinde_flag_type {
    KINDE_FLAG_ANY = 0,          /* as a request: accept whatever type the flag has */
    KINDE_FLAG_STRING = 's',
    KINDE_FLAG_BOOLEAN = 'b',
    KINDE_FLAG_INTEGER = 'i'
} kinde_flag_type;

/* A flag's value. As a result, string_value is borrowed (or points at the
 * caller's default). */
typedef struct kinde_flag {
    const char *code;
    kinde_flag_type type;
    const char *string_value;    /* type STRING */
    int bool_value;              /* type BOOLEAN: 0 or 1 */
    int64_t int_value;           /* type INTEGER */
    int is_default;              /* 1 when the default was used */
} kinde_flag;

/* seed: get_flag(code, default_value, flag_type).
 * default_value: NULL = no default; otherwise its type and value are used
 * when the token has no such flag (false, 0 and "" are valid defaults).
 * requested: KINDE_FLAG_ANY or the type the caller expects.
 * Errors, with the seed's messages in err->text:
 *   KINDE_E_FLAG_NOT_FOUND "Flag <code> was not found, and no default value has been provided"
 *   KINDE_E_FLAG_TYPE      "Flag <code> is of type <t> - requested type <t>" */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_flag(const kinde_session *session, const char *code,
               const kinde_flag *default_value, kinde_flag_type requested,
               kinde_flag *out, kinde_error *err);

/* Typed wrappers (seed: get_boolean_flag, get_string_flag, get_integer_flag).
 * The default is a pointer: NULL means "no default". */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_boolean_flag(const kinde_session *session, const char *code,
                       const int *default_value, int *value,
                       kinde_error *err);
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_string_flag(const kinde_session *session, const char *code,
                      const char *default_value, const char **value,
                      kinde_error *err);
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_get_integer_flag(const kinde_session *session, const char *code,
                       const int64_t *default_value, int64_t *value,
                       kinde_error *err);

#ifdef __cplusplus
}
#endif

#endif /* KINDE_KINDE_H */
