/* Verifying Kinde's webhooks: a compact JWS (application/jwt) signed with a
 * key of the domain's JWKS, whose payload is the event
 * {"type","event_id","timestamp","source","data"} and nothing of a token's:
 * no iss, aud, exp or iat, so the token claim checks (verify.c) do not
 * apply, and a payload with iss, aud or exp is a token, refused. Signature and header rules are the tokens' (jws.c, keystore.c). */
#include "mgmt_internal.h"

#include <string.h>
#include <strings.h>

/* "application/jwt", any case, optionally followed by parameters. */
static int is_jwt_type(const char *ct)
{
    static const char want[] = "application/jwt";
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = sizeof want - 1;
    if (strncasecmp(ct, want, n) != 0)
        return 0;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int kinde__rfc3339_parse(const char *s, int64_t *out)
{
    /* date-time = full-date "T" partial-time time-offset (RFC 3339 5.6) */
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        const char *frac = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == frac)
            return -1;
    }
    int sign = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
        return -1;
    if (sec == 60)
        sec = 59; /* a leap second: the same instant, as far as ages go */
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *out = t - sign * (oh * 3600 + om * 60);
    return 0;
}

void kinde_webhook_event_free(kinde_webhook_event *ev)
{
    if (!ev)
        return;
    kinde__free(ev->type);
    kinde__free(ev->event_id);
    kinde__free(ev->timestamp);
    kinde__free(ev->source);
    kinde__free_secret(ev->data_json); /* user data: wiped like claims */
    kinde__free(ev);
}

/* A required non-empty string member, or KINDE_E_TOKEN_CLAIMS naming it. */
static kinde_code event_string(const kinde__jval *payload, const char *name, int required,
                               char **out, kinde_error *err)
{
    const kinde__jval *v = kinde__jget(payload, name);
    if (!v && !required)
        return KINDE_OK;
    /* jsonscan refuses \u0000, so the length check only guards that rule. */
    if (!v || v->type != KINDE__J_STRING || v->n == 0 || strlen(v->v.s) != v->n)
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "webhook '%s' is %s", name,
                           v ? "not a non-empty string" : "missing");
    if (!(*out = kinde__strdup(v->v.s)))
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    return KINDE_OK;
}

kinde_code kinde__webhook_event_from_payload(const kinde__jval *payload, int64_t now, long leeway,
                                             long max_age, kinde_webhook_event **out,
                                             kinde_error *err)
{
    /* A token of the domain (an access or ID token whose custom claims
     * happen to be type, event_id and timestamp) is signed by the same key:
     * its iss, aud or exp, which no Kinde event carries, tell it apart. */
    static const char *const token_claims[] = {"iss", "aud", "exp"};
    for (size_t i = 0; i < sizeof token_claims / sizeof *token_claims; i++)
        if (kinde__jget(payload, token_claims[i]))
            return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                               "webhook payload carries '%s': a token, not an event",
                               token_claims[i]);
    kinde_webhook_event *ev = kinde__calloc(1, sizeof *ev);
    if (!ev)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    kinde_code rc;
    if ((rc = event_string(payload, "type", 1, &ev->type, err)) ||
        (rc = event_string(payload, "event_id", 1, &ev->event_id, err)) ||
        (rc = event_string(payload, "timestamp", 1, &ev->timestamp, err)) ||
        (rc = event_string(payload, "source", 0, &ev->source, err)))
        goto fail;
    if (kinde__rfc3339_parse(ev->timestamp, &ev->timestamp_unix) != 0) {
        rc = kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "webhook 'timestamp' '%.64s' is not RFC 3339",
                         ev->timestamp);
        goto fail;
    }
    if (max_age > 0 && now - ev->timestamp_unix > max_age) {
        rc = kinde__fail(err, KINDE_E_TOKEN_EXPIRED, "webhook sent %lld s ago, older than %ld s",
                         (long long)(now - ev->timestamp_unix), max_age);
        goto fail;
    }
    if (max_age > 0 && ev->timestamp_unix - now > leeway) {
        rc = kinde__fail(err, KINDE_E_TOKEN_NOT_YET_VALID, "webhook 'timestamp' is %lld s ahead",
                         (long long)(ev->timestamp_unix - now));
        goto fail;
    }
    const kinde__jval *data = kinde__jget(payload, "data");
    ev->data_json = data ? kinde__jtext(data) : kinde__strdup("null");
    if (!ev->data_json) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto fail;
    }
    *out = ev;
    return KINDE_OK;
fail:
    kinde_webhook_event_free(ev);
    return rc;
}

kinde_code kinde__verify_webhook(kinde__keystore *ks, int64_t now, long leeway,
                                 const char *content_type, const char *body, size_t body_len,
                                 long max_age_seconds, kinde_webhook_event **out, kinde_error *err)
{
    if (!ks || !content_type || !body || !out || max_age_seconds < 0)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                           "client, content type, body and out are required, max age >= 0");
    *out = NULL;
    if (!is_jwt_type(content_type))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                           "webhook Content-Type '%.64s' is not application/jwt", content_type);
    /* The body as a string; a NUL inside it is not a compact JWS. */
    if (memchr(body, '\0', body_len))
        return kinde__fail(err, KINDE_E_TOKEN_MALFORMED, "webhook body holds a NUL byte");
    char *token = kinde__strndup(body, body_len);
    if (!token)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    /* A body may end in a newline (curl -d @file, some proxies). */
    size_t n = strlen(token);
    while (n > 0 && (token[n - 1] == '\n' || token[n - 1] == '\r'))
        token[--n] = '\0';
    kinde__jws jws;
    kinde_code rc = kinde__verify_signature(ks, token, &jws, err);
    kinde__free_secret(token);
    if (rc != KINDE_OK)
        return rc;
    rc = kinde__webhook_event_from_payload(kinde__jroot(jws.payload), now, leeway, max_age_seconds, out, err);
    kinde__jws_clear(&jws);
    return rc;
}

kinde_code kinde_verify_webhook(kinde_client *c, const char *content_type, const char *body,
                                size_t body_len, long max_age_seconds, kinde_webhook_event **out,
                                kinde_error *err)
{
    if (!c)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client is required");
    return kinde__verify_webhook(c->keys, kinde__now(), c->leeway, content_type, body, body_len,
                                 max_age_seconds, out, err);
}
