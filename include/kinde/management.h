/*
 * management.h - Kinde's Management API from C, and verified webhooks.
 *
 * Every operation of Kinde's Management API spec is a value of the generated
 * enum kinde_mgmt_op, in management_ops.h (KINDE_MGMT_GET_USERS,
 * KINDE_MGMT_CREATE_USER, ...), so a misspelt operation does not compile.
 * One function calls any of them:
 *
 *   kinde_mgmt *m;
 *   kinde_mgmt_new(client, NULL, &m, &err);            // client: id + secret
 *   const kinde_mgmt_param p[] = {{"id", "kp_123"}, {NULL, NULL}};
 *   char *user = NULL;
 *   kinde_mgmt_call(m, KINDE_MGMT_GET_USER_DATA, p, NULL, &user, &err);
 *   ... kinde_free(user); kinde_mgmt_free(m);
 *
 * Parameters go by name (the spec's names: path and query parameters alike);
 * one the operation does not have, a required one missing, or the same one
 * twice is KINDE_E_INVALID_ARGUMENT naming it, before any request. Bodies and
 * answers are JSON text. The client fetches and caches the client-credentials
 * token for audience "<domain>/api" itself (one token request for any number
 * of calls and threads), gets a new one once when an answer is 401, and waits
 * out 429 answers within a budget (kinde_mgmt_options).
 *
 * docs/design.md ("The Management API") says why the surface is this shape
 * and maps the seed SDK's methods (UsersApi.create_user, ...) onto it.
 *
 * Errors: an error answer of the API is KINDE_E_HTTP_STATUS with
 * err->http_status set and, when the body is Kinde's
 * {"errors":[{"code":..,"message":..}]}, the first code in err->oauth_error
 * (e.g. "USER_NOT_FOUND") and code and message in err->text. 429 past the
 * budget is KINDE_E_RATE_LIMITED (http_status 429).
 */
#ifndef KINDE_MANAGEMENT_H
#define KINDE_MANAGEMENT_H

#include "kinde/kinde.h"
#include "kinde/management_ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* The operation table (generated from the spec, read-only)                 */
/* ------------------------------------------------------------------------ */

typedef enum kinde_mgmt_param_in {
    KINDE_MGMT_IN_PATH = 0,   /* substituted into the path template, percent-encoded */
    KINDE_MGMT_IN_QUERY = 1   /* name=value in the query string */
} kinde_mgmt_param_in;

typedef enum kinde_mgmt_body_kind {
    KINDE_MGMT_BODY_NONE = 0,
    KINDE_MGMT_BODY_JSON = 1,      /* application/json */
    KINDE_MGMT_BODY_MULTIPART = 2  /* multipart/form-data (logo uploads): not sent by
                                      kinde_mgmt_call, which refuses a body for them */
} kinde_mgmt_body_kind;

typedef struct kinde_mgmt_param_info {
    const char *name;
    kinde_mgmt_param_in in;
    int required;             /* 1: the call is refused without it (every path parameter) */
    int deep_object;          /* query object sent as name[key]=value: pass "name[key]" */
} kinde_mgmt_param_info;

typedef struct kinde_mgmt_op_info {
    const char *operation_id; /* the spec's operationId, e.g. "createUser" */
    const char *method;       /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path;         /* template, e.g. "/api/v1/organizations/{org_code}/users" */
    const char *scope;        /* the scope the M2M application needs; NULL if none */
    int paged;                /* 1: takes page_size and next_token (kinde_mgmt_pages_*) */
    const char *list_member;  /* paged: the answer's list member, e.g. "users"; else NULL */
    kinde_mgmt_body_kind body;
    int body_required;
    size_t n_params;
    const kinde_mgmt_param_info *params;
} kinde_mgmt_op_info;

/* The table entry of op (static storage), or NULL when op is out of range
 * or the number of an operation a later spec dropped (enum values are
 * append-only: an operation keeps its number across spec updates). */
KINDE_API const kinde_mgmt_op_info *kinde_mgmt_op_info_get(kinde_mgmt_op op);

/* Look an operation up by name at run time (CLIs, scripts): the operationId
 * ("createUser") or the enum's suffix ("CREATE_USER", "create_user"); case
 * and underscores are ignored. KINDE_E_INVALID_ARGUMENT when none matches. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_mgmt_op_find(const char *name, kinde_mgmt_op *op, kinde_error *err);

/* ------------------------------------------------------------------------ */
/* The client                                                               */
/* ------------------------------------------------------------------------ */

typedef struct kinde_mgmt_options {
    /* Most time one call (or one page) may spend waiting out 429 answers, in
     * milliseconds; a wait that would pass it is not started and the call
     * fails with KINDE_E_RATE_LIMITED. Default 60000; 0 = never wait. */
    long rate_limit_budget_ms;
    /* Most 429 answers waited out per request. Default 8. */
    int max_retries;
    /* The wait before the n-th retry (n from 0) is the answer's
     * RateLimit-Reset (else Retry-After) seconds plus a backoff: a random
     * time in [b/2, b] with b = min(backoff_max_ms, backoff_initial_ms * 2^n).
     * The random part spreads clients that were refused together.
     * Defaults 500 and 30000 (1 <= initial <= max <= 3600000). */
    long backoff_initial_ms;
    long backoff_max_ms;
} kinde_mgmt_options;

/* Fill opts with the defaults above. Always start from it: the struct may
 * grow, and fields added later get their defaults here. A macro passing the
 * program's sizeof, like kinde_config_init (docs/ABI.md). */
#define kinde_mgmt_options_init(opts) \
    kinde_mgmt_options_init_sized((opts), sizeof(kinde_mgmt_options))
KINDE_API void kinde_mgmt_options_init_sized(kinde_mgmt_options *opts, size_t opts_size);

typedef struct kinde_mgmt kinde_mgmt;

/* A Management API client over client (borrowed: it must outlive the
 * kinde_mgmt). client needs a client_id and client_secret of a
 * machine-to-machine application authorised for the Management API; any
 * grant type. The API is <domain>/api/v1/..., the token's audience
 * <domain>/api. opts NULL = defaults. Out-of-range options are
 * KINDE_E_CONFIG. *out: free with kinde_mgmt_free(). Thread-safe: one
 * kinde_mgmt may be used by any number of threads at once. */
#define kinde_mgmt_new(client, opts, out, err) \
    kinde_mgmt_new_sized((client), (opts), sizeof(kinde_mgmt_options), (out), (err))
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_mgmt_new_sized(kinde_client *client, const kinde_mgmt_options *opts, size_t opts_size,
                     kinde_mgmt **out, kinde_error *err);

/* NULL is ignored. */
KINDE_API void kinde_mgmt_free(kinde_mgmt *mgmt);

/* A parameter by name; arrays of them end with {NULL, NULL}. */
typedef struct kinde_mgmt_param {
    const char *name;
    const char *value;
} kinde_mgmt_param;

/* Call one operation.
 *   params     {NULL, NULL}-terminated, or NULL for none. Query parameters
 *              are sent in the order given, each value percent-encoded.
 *   json_body  JSON text, or NULL. Refused (KINDE_E_INVALID_ARGUMENT) for an
 *              operation without a JSON body, and required when the spec
 *              requires one. Sent as given (not re-encoded) once it parses
 *              as JSON.
 *   json_answer (may be NULL) the answer's JSON text, caller frees with
 *              kinde_free(); NULL when the answer had no body (e.g. 204).
 * A 2xx answer is KINDE_OK; anything else an error as described at the top. */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_mgmt_call(kinde_mgmt *mgmt, kinde_mgmt_op op, const kinde_mgmt_param *params,
                const char *json_body, char **json_answer, kinde_error *err);

/* Every page of a paged operation (kinde_mgmt_op_info.paged):
 *
 *   kinde_mgmt_pages *it;
 *   char *page;
 *   if (kinde_mgmt_pages_new(m, KINDE_MGMT_GET_USERS, p, &it, &err) == KINDE_OK) {
 *       while ((rc = kinde_mgmt_pages_next(it, &page, &err)) == KINDE_OK && page) {
 *           ...; kinde_free(page);
 *       }
 *       kinde_mgmt_pages_free(it);
 *   }
 *
 * params as for kinde_mgmt_call, copied; they may set page_size (1..500,
 * default the server's) but not next_token, which the iterator carries from
 * one page to the next. A non-paged operation is KINDE_E_INVALID_ARGUMENT.
 * pages_next: KINDE_OK with *page_json the next page (caller frees with
 * kinde_free()), or KINDE_OK with *page_json NULL after the last page. After
 * an error the iterator may be called again: it retries the same page. An
 * answer whose next_token repeats one already followed is
 * KINDE_E_BAD_RESPONSE (a server loop would otherwise never end). */
typedef struct kinde_mgmt_pages kinde_mgmt_pages;

KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_mgmt_pages_new(kinde_mgmt *mgmt, kinde_mgmt_op op, const kinde_mgmt_param *params,
                     kinde_mgmt_pages **out, kinde_error *err);
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_mgmt_pages_next(kinde_mgmt_pages *pages, char **page_json, kinde_error *err);
/* NULL is ignored. */
KINDE_API void kinde_mgmt_pages_free(kinde_mgmt_pages *pages);

/* ------------------------------------------------------------------------ */
/* Webhooks                                                                 */
/* ------------------------------------------------------------------------ */

/* The longest webhook body kinde_verify_webhook() can accept: a compact JWS
 * of up to the SDK's token limit (16 KiB), plus a line end. A server can
 * refuse longer bodies unread (413) and must keep the shorter ones whole. */
#define KINDE_WEBHOOK_BODY_MAX (16 * 1024 + 2)

/* A verified webhook event. Everything is owned by the event. */
typedef struct kinde_webhook_event {
    char *type;               /* "user.created", ... */
    char *event_id;           /* "event_..." : the idempotency key */
    char *timestamp;          /* RFC 3339 text as sent */
    int64_t timestamp_unix;   /* the same, seconds since the epoch */
    char *source;             /* "api", "user", ...; NULL when absent */
    char *data_json;          /* the `data` member as JSON text; "null" when absent */
} kinde_webhook_event;

/* Verify a webhook request Kinde posted to you: content_type is the
 * request's Content-Type header (must be application/jwt, parameters
 * allowed), body the raw request body (a compact JWS). The signature must
 * verify with a key of the client's domain's JWKS (the same cache as
 * kinde_verify_token(): RS256 only, SECURITY.md A1-A7 and F38). The payload must
 * carry string `type` and `event_id` and an RFC 3339 `timestamp`; it has no
 * iss, aud, exp or iat (Kinde sends none), and one with iss, aud or exp is a
 * token of the domain, refused with KINDE_E_TOKEN_CLAIMS. max_age_seconds > 0: a timestamp
 * older than that (or later than now plus the client's leeway) is refused
 * with KINDE_E_TOKEN_EXPIRED (KINDE_E_TOKEN_NOT_YET_VALID); 0 = no age check.
 *
 * Replays: a captured webhook verifies again. Use event_id (equal to the
 * request's `webhook-id` header) as an idempotency key: record the ids you
 * processed (for at least max_age_seconds) and skip repeats; with a max age
 * that record stays small.
 *
 * Codes: KINDE_E_INVALID_ARGUMENT (wrong content type, NULL arguments),
 * KINDE_E_TOKEN_MALFORMED / _ALGORITHM / _KEY / _SIGNATURE as for tokens,
 * KINDE_E_TOKEN_CLAIMS (type, event_id or timestamp missing or malformed),
 * KINDE_E_TOKEN_EXPIRED / _NOT_YET_VALID (max age), KINDE_E_JWKS (the key set
 * could not be fetched, also when its kid is not in the cached set and
 * refreshing it failed: answer 503 so that Kinde sends it again).
 * *out: free with kinde_webhook_event_free(). */
KINDE_API KINDE_WARN_UNUSED kinde_code
kinde_verify_webhook(kinde_client *client, const char *content_type, const char *body,
                     size_t body_len, long max_age_seconds, kinde_webhook_event **out,
                     kinde_error *err);

/* NULL is ignored. */
KINDE_API void kinde_webhook_event_free(kinde_webhook_event *event);

#ifdef __cplusplus
}
#endif

#endif /* KINDE_MANAGEMENT_H */
