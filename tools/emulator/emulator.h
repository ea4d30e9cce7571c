/* kinde-emulator: a local Kinde business on loopback.
 *
 * Files, one concern each (README.md, "Code layout", says the same):
 *   main.c       options, start-up, signals, persisting runtime additions
 *   server.c     HTTP glue (serve/: event threads, workers): faults, replies
 *   routes.c     the routing table: path, methods, handler
 *   form.c       application/x-www-form-urlencoded and query parsing, escaping
 *   data.c       the business: applications, users, organizations, members
 *   runtime.c    what signing up adds to the business (users, organizations)
 *   keys.c       the signing keys, JWKS and JWT signing
 *   state.c      codes, refresh tokens, browser sessions: the expiring things
 *   issue.c      token minting: claims, signing, the token response
 *   backchannel.c  client authentication, the fields POSTed endpoints require
 *   wellknown.c  GET /.well-known/openid-configuration, /.well-known/jwks.json
 *   authorize.c  GET /oauth2/auth, and the redirect back with a code
 *   signin.c     the sign-in and sign-up pages and what they post
 *   token.c      POST /oauth2/token, one function per grant
 *   revoke.c     POST /oauth2/revoke and /oauth2/introspect
 *   profile.c    /oauth2/v2/user_profile and /oauth2/user_profile
 *   logout.c     GET /logout
 *   pages.c      the HTML of the sign-in, registration and message pages
 *   admin.c      /_emulator/...: faults, clock, keys, nonce, minting, counters
 *   statefile.c  --state: codes, refresh tokens, sessions kept across restarts
 *
 * Locking. One process, one mutex (emu.lock), held briefly: every request
 * runs on a worker thread of its own (serve/serve.h). The rule:
 *   - A function that takes the lock releases it: each pthread_mutex_lock
 *     is followed, in the same function, by one pthread_mutex_unlock, with
 *     no return between them and no other unlock. So an early return can
 *     never leave the lock held. A handler locks, decides and copies what
 *     it needs, unlocks, then does its slow work (RSA signing, verifying)
 *     and builds its reply. When the decision has many exits, the handler
 *     calls one helper between lock and unlock (emu_authorize() ->
 *     authorize_locked()), and the helper returns where it likes.
 *   - A function that needs the lock held says "lock held" by its
 *     declaration and never locks or unlocks.
 *   - Nothing slow under the lock: tokens are built under it (emu_issue_*)
 *     and signed after it (emu_issue_reply).
 * tests/emulator/lock_rule.awk checks the first rule in every source file
 * (emulator_test.sh runs it).
 *
 * Adding endpoints. A handler is a `void f(const emu_request *, emu_reply *)`
 * declared in this header ("handlers" below) and named in the table of
 * routes.c with its path and methods; routes.c checks the method (405 with
 * Allow) and answers 404 for paths no row names. A row whose path ends in
 * '/' takes every path under it: a whole API with its own sub-table (admin.c
 * does that for /_emulator/). So a new API, /api/v1/... say, is one new file
 * with its handler(s), their declarations here, its rows in routes.c, and
 * the file in CMakeLists.txt; it follows the locking rule above.
 */
#ifndef KINDE_EMULATOR_H
#define KINDE_EMULATOR_H

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* ---- form.c: parsed key/value pairs (query strings and form bodies) ---- */
typedef struct emu_pair {
    char *key, *value;
} emu_pair;
typedef struct emu_form {
    emu_pair *items;
    size_t count;
} emu_form;

#define EMU_FORM_MAX_PAIRS 64

/* Parse "a=1&b=x%20y" (plus as space). Returns 0, or -1 for malformed input
 * (bad percent escape, NUL byte, more than EMU_FORM_MAX_PAIRS pairs, empty
 * key). On failure *out is empty. */
int emu_form_parse(const char *text, size_t len, emu_form *out);
void emu_form_free(emu_form *f);
/* The value of key; NULL when absent. *dup is set to 1 when the key occurs
 * more than once (OAuth parameters must not repeat: RFC 6749 3.1). */
const char *emu_form_get(const emu_form *f, const char *key, int *dup);
/* Every value of a repeatable key (audience), in order. */
size_t emu_form_all(const emu_form *f, const char *key, const char **out, size_t max);

/* Growable strings are common/strbuf.h's strbuf (a string buffer is no
 * protocol; README.md's code layout says what is shared). */

/* base64url without padding; malloc'd */
char *emu_b64url(const unsigned char *data, size_t len);
/* n random bytes as base64url (a code, a token, an id); malloc'd */
char *emu_random_token(size_t nbytes);
/* n random bytes as lowercase hex; malloc'd */
char *emu_random_hex(size_t nbytes);

/* ---- data.c: the business --------------------------------------------- */
/* Loads and checks a data file. On failure returns NULL and writes a one
 * line reason to why. The tree is owned by the caller. */
json_t *emu_data_load_text(const char *text, size_t len, char *why, size_t why_len);
json_t *emu_data_load_file(const char *path, char *why, size_t why_len);
/* The checks alone, on a parsed tree; 0 when valid. */
int emu_data_check(const json_t *data, char *why, size_t why_len);
/* Adds runtime additions (users, organizations, members: same shapes). */
int emu_data_merge(json_t *data, const json_t *runtime, char *why, size_t why_len);

const json_t *emu_app(const json_t *data, const char *client_id);
const json_t *emu_user_by_email(const json_t *data, const char *email);
const json_t *emu_user_by_id(const json_t *data, const char *id);
const json_t *emu_org(const json_t *data, const char *code);
const json_t *emu_member(const json_t *data, const char *user_id, const char *org_code);
/* The organization a login lands in when none is asked for. */
const char *emu_default_org_for(const json_t *data, const char *user_id);
int emu_string_in(const json_t *array, const char *s);

/* The Management API's view of the same tree (see README.md). */
/* Gives every permission, role and API an id and fills in the optional
 * lists, once the tree passed emu_data_check (permissions given as key
 * strings become objects). */
void emu_data_prepare(json_t *data);
const char *emu_permission_key(const json_t *permission); /* key string or object */
const json_t *emu_permission(const json_t *data, const char *key_or_id);
const json_t *emu_role(const json_t *data, const char *key_or_id);
/* A member's permission keys: their own and their roles'. New array. */
json_t *emu_member_permissions(const json_t *data, const json_t *member);
/* The codes of the organizations user_id is a member of, in order. New array. */
json_t *emu_org_codes_of(const json_t *data, const char *user_id);
/* The flags of a token: business, overridden by the organization's, the
 * user's, then the membership's ({"t", "v"} only). New object. */
json_t *emu_flags_for(const json_t *data, const json_t *org, const json_t *user, const json_t *member);

/* ---- mgmt_ops.c: the Management API's operations (from Kinde's spec) ---- */
typedef struct emu_mgmt_op {
    const char *method, *path, *id, *scope; /* scope "" when none */
    int status;                             /* on success */
} emu_mgmt_op;
extern const emu_mgmt_op emu_mgmt_ops[];
extern const size_t emu_mgmt_n_ops;
int emu_mgmt_known_scope(const char *scope);
#define EMU_MGMT_MAX_PARAMS 4
#define EMU_MGMT_PARAM_MAX 256
#define EMU_MGMT_PAGE_DEFAULT 10
#define EMU_MGMT_PAGE_MAX 500
/* The operation of method and path (a literal segment beats a parameter),
 * its path parameters copied into params; NULL when none. *path_known: some
 * operation has that path (with another method: 405). */
const emu_mgmt_op *emu_mgmt_find(const char *method, const char *path,
                                 char params[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX], int *path_known);
/* page_size (1..500, default 10) and next_token (as this emulator gives
 * them) of a list request: 0, -1 for a bad page_size, -2 for a bad
 * next_token. */
int emu_mgmt_page_params(const char *page_size, const char *next_token, size_t *from, size_t *size);
/* The path template of the operations path is one of (any method), or NULL. */
const char *emu_mgmt_template(const char *path);

/* ---- keys.c ----------------------------------------------------------- */
typedef struct emu_key {
    EVP_PKEY *pkey;
    char kid[64];
} emu_key;
/* Loads the PEM private key at path, or generates a 2048-bit one there. */
int emu_key_load_or_create(const char *path, emu_key *out, char *why, size_t why_len);
int emu_key_generate(emu_key *out);
void emu_key_free(emu_key *k);
/* The public JWK of a key (kty, n, e, kid, alg, use). */
json_t *emu_key_jwk(const emu_key *k);
/* A compact RS256 JWS of header members (alg, typ, kid are set first, then
 * extra_header may add or override) over the claims. malloc'd. */
char *emu_jwt_sign(EVP_PKEY *pkey, const char *kid, const json_t *extra_header,
                   const json_t *claims);
/* The same with the current signing key (the one the JWKS lists first),
 * taken under the lock and used after it. Lock NOT held. */
char *emu_sign_current(const json_t *extra_header, const json_t *claims);
/* Verifies a token the emulator issued (signature by any published key);
 * returns its claims or NULL. */
json_t *emu_jwt_verify(const char *token);
/* at_hash of an access token: left half of its SHA-256, base64url. */
char *emu_at_hash(const char *access_token);

/* ---- the shared state ---------------------------------------------------- */
typedef struct emu_fault {
    char path[128];
    int status;          /* 0: keep the real status */
    long delay_ms;
    char *body;          /* NULL, "truncated", "garbage", "empty", "huge", or literal */
    long count;          /* requests left; -1: until cleared */
} emu_fault;

/* What the ID token of an authorization-code grant says about the login's
 * nonce: the truth, another value, or nothing (a fault for SDK tests). */
typedef enum emu_nonce_mode { EMU_NONCE_NORMAL, EMU_NONCE_WRONG, EMU_NONCE_MISSING } emu_nonce_mode;

#define EMU_MAX_FAULTS 16
#define EMU_MAX_STATS 256

typedef struct emu_settings {
    const char *bind;
    int port;
    const char *issuer;
    const char *data_file;
    const char *data_dir;
    const char *key_file;
    const char *ready_file;
    const char *state_file;   /* --state: NULL = the expiring things in memory only */
    const char *add_callbacks[16];
    int n_callbacks;
    const char *add_logout_urls[16];
    int n_logout_urls;
    long access_ttl, id_ttl, refresh_ttl, code_ttl, refresh_overlap, login_ttl;
    int admin;
    int quiet;
} emu_settings;

struct emu_state {
    pthread_mutex_t lock;
    emu_settings cfg;
    char issuer[256];
    json_t *data;         /* the business (data file + runtime additions) */
    json_t *runtime;      /* what was added at run time: persisted */
    char runtime_path[512];

    emu_key keys[2];      /* [0] signs; [1] an old key still published, if any */
    int n_keys;
    emu_key wrong_key;    /* signs when sign_with_wrong_key is on; never published;
                             made by the first admin request that turns it on */
    int sign_with_wrong_key;
    long clock_skew;
    emu_nonce_mode id_token_nonce; /* the nonce fault (POST /_emulator/id-token-nonce) */

    /* Single-use and expiring things, keyed by random strings. */
    json_t *requests;     /* pending sign-in forms: id -> authorization request */
    json_t *codes;        /* code -> grant */
    json_t *refresh;      /* refresh token -> grant + rotation state */
    json_t *sessions;     /* browser session id -> {user, expires} */
    json_t *revoked_jti;  /* access token ids revoked -> exp */

    emu_fault faults[EMU_MAX_FAULTS];
    int n_faults;
    struct { char path[128]; long n; } stats[EMU_MAX_STATS];
    int n_stats;
    volatile int stopping;
};
extern struct emu_state emu;

int64_t emu_now(void); /* wall clock plus the injected skew */

/* ---- server.c: a request and its reply ---------------------------------- */
typedef struct emu_request {
    const char *method;
    const char *path;
    emu_form query;
    emu_form form;            /* form bodies */
    const char *body;         /* raw body (JSON for the admin API) */
    size_t body_len;
    const char *authorization;
    const char *cookie_session; /* the emulator's browser session cookie */
    const char *query_string;   /* raw, without the '?'; NULL when none */
    const char *content_type;
    const char *origin;         /* the Origin header, NULL when absent */
    int from_loopback;
} emu_request;

typedef struct emu_reply {
    int status;
    const char *content_type;
    char *body;               /* malloc'd */
    size_t body_len;
    char *location;           /* malloc'd: a redirect */
    char *set_cookie;         /* malloc'd */
    const char *www_authenticate;
    const char *allow;        /* the Allow header of a 405 */
    char rate_limit_reset[16];  /* RateLimit-Reset and Retry-After when not empty */
    int no_store;
} emu_reply;

void emu_reply_json(emu_reply *r, int status, json_t *body); /* steals body */
void emu_reply_oauth_error(emu_reply *r, int status, const char *error, const char *description);
void emu_reply_html(emu_reply *r, int status, char *html);   /* steals html */
void emu_reply_redirect(emu_reply *r, char *location);       /* steals location */
/* A page with a title and one line of text. */
void emu_reply_page(emu_reply *r, int status, const char *title, const char *text);

struct serve;
struct serve *emu_server_start(int listen_fd);
void emu_server_stop(struct serve *s);

/* ---- routes.c -------------------------------------------------------------- */
/* Answers a request by the routing table: the handler, 405 or 404. */
void emu_dispatch(const emu_request *q, emu_reply *r);
/* Whether method is one of a list such as "POST, DELETE". */
int emu_method_in(const char *list, const char *method);

/* ---- handlers: named in the table of routes.c, each takes the lock itself --- */
typedef void emu_handler(const emu_request *q, emu_reply *r);
emu_handler emu_discovery, emu_jwks;                       /* wellknown.c */
emu_handler emu_authorize;                                 /* authorize.c */
emu_handler emu_login_form, emu_register_form,             /* signin.c */
    emu_login_submit, emu_register_submit;
emu_handler emu_token;                                     /* token.c */
emu_handler emu_revoke, emu_introspect;                    /* revoke.c */
emu_handler emu_profile_v1, emu_profile_v2;                /* profile.c */
emu_handler emu_logout;                                    /* logout.c */
emu_handler emu_admin;                                     /* admin.c: /_emulator/ */

/* ---- backchannel.c ------------------------------------------------------------ */
/* The one value of a form field the endpoint requires; NULL with a 400
 * invalid_request written when it is missing or repeated. */
const char *emu_form_once(const emu_form *f, const char *name, emu_reply *r);
/* Client authentication: client_secret_post or client_secret_basic, never
 * both. Returns the application, or NULL with the error reply written.
 * *secret_given tells a public (PKCE) use apart. Lock held. */
const json_t *emu_client_authenticate(const emu_request *q, emu_reply *r, int *secret_given);

/* ---- issue.c: tokens built under the lock, signed outside it -------------- */
typedef struct emu_tokens {
    json_t *access;       /* claims of the access token */
    json_t *id;           /* claims of the ID token; NULL without scope openid */
    char *refresh;        /* stored already; NULL without scope offline */
    int want_refresh;     /* scope offline: no refresh token is a failure */
    int m2m;              /* a client_credentials token */
    char *scope;          /* as answered */
    EVP_PKEY *key;        /* a reference to the signing key */
    char kid[64];
} emu_tokens;
/* grant: {client_id, user, org, scope, audiences, nonce?, auth_time, pkce,
 * code?}. with_nonce: the grant's nonce goes into the ID token (a code
 * exchange, not a refresh), subject to emu.id_token_nonce. Returns 0, or -1
 * with the error reply written. Lock held. */
int emu_issue_user(const json_t *grant, int with_nonce, emu_tokens *t, emu_reply *r);
/* An M2M token for client_id and those audiences, with the scp given
 * (stolen; NULL: none). Lock held. */
void emu_issue_client(const char *client_id, const char *const *aud, size_t n_aud, json_t *scp, emu_tokens *t);
/* Signs, writes the token response, and frees t. Lock NOT held. */
void emu_issue_reply(emu_tokens *t, emu_reply *r);

/* ---- state.c: single-use and expiring things (all: lock held) -------------- */
#define EMU_SESSION_COOKIE "kinde_emulator"
/* The user of a live browser session, or NULL. */
const char *emu_session_user(const char *sid);
/* A new browser session for user_id; the Set-Cookie value (malloc'd) or NULL. */
char *emu_session_start(const char *user_id);
void emu_session_end(const char *sid);
/* A new authorization code for the pending request req and that user and
 * organization (malloc'd), or NULL. Forgets what has expired now and then. */
char *emu_code_issue(const json_t *req, const char *user_id, const char *org);
/* A replayed code ends what it granted (RFC 6749 4.1.2). */
void emu_code_revoke_grants(const char *code);
/* Stores a refresh token for grant, returns it (malloc'd) or NULL. */
char *emu_refresh_store(const json_t *grant, int64_t now);

/* ---- revoke.c --------------------------------------------------------------- */
/* Claims of a live access token the emulator issued, or NULL. Takes the
 * lock itself: call it without. */
json_t *emu_access_token_live(const char *token);

/* ---- authorize.c / signin.c -------------------------------------------------- */
/* Issues a code for the pending request req and sends the browser back to
 * the application (or an error redirect). Lock held. */
void emu_finish_login(const json_t *req, const char *user_id, const char *sid, emu_reply *r);
/* The sign-in (or, register_form, sign-up) page of a pending request.
 * Lock held. */
void emu_show_form(const char *request_id, const json_t *req, const char *error, const char *email,
                   int register_form, emu_reply *r);

/* ---- runtime.c: additions to the business, persisted (all: lock held) ------- */
/* A new organization in which user_id has every permission and the first
 * role; its code (owned by the data tree), or NULL. */
const char *emu_org_create(const char *user_id, const char *name);
/* A new user, a member of new_users' organization; its id written to uid. */
void emu_user_create(const char *given, const char *family, const char *email, char *uid, size_t uid_len);

/* ---- admin.c / pages.c ---------------------------------------------------------- */
/* mgmt.c: /api/v1/... (the routing table sends every path under it here), and
 * the admin additions: api-log (GET, DELETE), rate-limit, expire-api-tokens. */
emu_handler emu_mgmt;
void emu_mgmt_admin(const char *what, const char *method, const json_t *body, emu_reply *r);
void emu_mgmt_reset(void); /* lock held */
void emu_mgmt_free(void);
/* For token.c: the scp of an application's token for <issuer>/api, or NULL
 * when it is not authorised for the Management API; and a note of each
 * such token issued (expire-api-tokens). Lock held. */
json_t *emu_mgmt_scopes(const json_t *app);
void emu_mgmt_token_issued(const char *jti, json_int_t exp);
/* webhooks.c: stops the delivery thread (at exit); the delivery log
 * {"deliveries": [{event_id, type, endpoint, attempt, status, error}],
 * "pending"}, or NULL after clearing it. Neither with the lock held. */
void emu_webhooks_stop(void);
/* Queues deliveries [{endpoint, event}] (stolen) for the delivery thread.
 * Lock NOT held. */
void emu_webhooks_enqueue(json_t *deliveries);
/* For sign-ups (signin.c): the deliveries of the new user's user.created
 * event (source "user") to the webhooks that want it, or NULL. Lock held. */
json_t *emu_signup_event(const char *user_id);
json_t *emu_webhooks_log(int clear);

/* Applies the first matching fault to a finished reply; *delay_ms gets the
 * delay to sleep before answering. Lock held. */
void emu_fault_apply(const char *path, emu_reply *r, long *delay_ms);
void emu_count(const char *path); /* lock held */

typedef struct emu_page_ctx {
    const char *request_id;
    const char *app_name;
    const char *error;        /* shown above the form, or NULL */
    const json_t *users;      /* existing users to pick from (sign-in) */
    const char *org_name;     /* create-org: the organization's name */
    const char *email;        /* prefilled */
} emu_page_ctx;
char *emu_page_sign_in(const emu_page_ctx *c);
char *emu_page_register(const emu_page_ctx *c);
char *emu_page_message(const char *title, const char *text);

/* Writes the runtime additions to the data directory. Lock held. */
void emu_persist(void);

/* ---- statefile.c: --state ------------------------------------------------ */
/* text written to a 0600 temporary file renamed to path: 0, or -1 (errno). */
int emu_write_private(const char *path, const char *text);
/* Reads codes, refresh tokens, sessions, pending forms and revoked ids from
 * path into emu (a missing file is a first start): 0, or -1 with why. */
int emu_state_load(const char *path, char *why, size_t whylen);
/* Lock held: the state as text when --state is on and it changed since the
 * last dump (malloc'd, numbered in *generation), else NULL. */
char *emu_state_dump(unsigned long *generation);
/* Lock not held (a file write): writes a dump unless a newer one is on disk
 * already; frees text. */
void emu_state_write(char *text, unsigned long generation);
void emu_state_free(void);

#endif
