/* What the Management API files share (mgmt.c, mgmt_ops.c, webhook.c). */
#ifndef KINDE_MGMT_INTERNAL_H
#define KINDE_MGMT_INTERNAL_H

#include "internal.h"
#include "kinde/management.h"

/* The generated table (mgmt_ops.c), indexed by kinde_mgmt_op. */
extern const kinde_mgmt_op_info kinde__mgmt_ops[KINDE_MGMT_OP_COUNT];

/* Management answers: the largest legitimate one is a page of 500 users. */
#define KINDE__MGMT_MAX_BODY (8 * 1024 * 1024)

/* Read Kinde's error body {"errors":[{"code":..,"message":..}]} of a non-2xx
 * answer into err: KINDE_E_HTTP_STATUS (KINDE_E_RATE_LIMITED for 429) with
 * http_status, the first code in err->oauth_error. Any body is accepted:
 * without that shape only the status is reported. */
kinde_code kinde__mgmt_error_answer(long status, const char *body, size_t len, const char *what,
                                    kinde_error *err);

/* A success answer: empty (*answer NULL) or a JSON object. With next_token
 * not NULL, *next_token receives the answer's next_token (NULL when absent,
 * null or empty; kinde__free). */
kinde_code kinde__mgmt_success_answer(const char *body, size_t len, char **answer,
                                      char **next_token, kinde_error *err);

/* ---- webhook.c ---------------------------------------------------------- */
/* RFC 3339 date-time (section 5.6, 'T'/'Z' in either case, fraction
 * ignored) to seconds since the epoch. 0, or -1 when not that form. */
int kinde__rfc3339_parse(const char *text, int64_t *out);
/* The event of a verified webhook payload: type, event_id, timestamp
 * required; max_age > 0 checks the timestamp against now (and now + leeway). */
kinde_code kinde__webhook_event_from_payload(const kinde__jval *payload, int64_t now, long leeway,
                                             long max_age, kinde_webhook_event **out,
                                             kinde_error *err);

/* kinde_verify_webhook() with the key cache, clock and leeway given (the
 * attack suite's world). */
kinde_code kinde__verify_webhook(kinde__keystore *ks, int64_t now, long leeway,
                                 const char *content_type, const char *body, size_t body_len,
                                 long max_age_seconds, kinde_webhook_event **out, kinde_error *err);

#endif /* KINDE_MGMT_INTERNAL_H */
