/* The per-user session: pending login, tokens, and borrowed views into the
 * verified claims so the getters neither parse nor allocate. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A serialized session holds three tokens; anything far larger is not ours. */
#define SESSION_MAX_BYTES (64 * 1024)

kinde_session *kinde_session_new(void)
{
    kinde_session *s = kinde__calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->lock, NULL);
    return s;
}

void kinde__session_clear_login(kinde_session *s)
{
    kinde__free_secret(s->state);
    kinde__free_secret(s->nonce);
    kinde__free_secret(s->verifier);
    kinde__free(s->redirect_uri);
    s->state = s->nonce = s->verifier = s->redirect_uri = NULL;
    s->login_started = 0;
}

void kinde__session_clear_tokens(kinde_session *s)
{
    kinde__free_secret(s->access_token);
    kinde__free_secret(s->id_token);
    kinde__free_secret(s->refresh_token);
    kinde__jdoc_free(s->access_claims);
    kinde__jdoc_free(s->id_claims);
    kinde__free(s->permissions);
    kinde__free(s->org_codes);
    kinde__free(s->roles);
    s->access_token = s->id_token = s->refresh_token = NULL;
    s->access_claims = s->id_claims = NULL;
    s->permissions = s->org_codes = s->roles = NULL;
    s->n_permissions = s->n_org_codes = s->n_roles = 0;
    s->org_code = NULL;
    s->flags = NULL;
    s->expires_at = 0;
}

void kinde_session_clear(kinde_session *s)
{
    if (!s)
        return;
    kinde__session_clear_login(s);
    kinde__session_clear_tokens(s);
}

void kinde_session_free(kinde_session *s)
{
    if (!s)
        return;
    kinde_session_clear(s);
    pthread_mutex_destroy(&s->lock);
    kinde__free(s);
}

/* Kinde's claim, or its Hasura-mode name (the official JS and Go SDKs read
 * both). */
static const kinde__jval *claim_or_hasura(const kinde__jval *claims, const char *name,
                                          const char *hasura)
{
    const kinde__jval *v = kinde__jget(claims, name);
    return v ? v : kinde__jget(claims, hasura);
}

/* Borrowed string array from a JSON array; non-strings are skipped. For
 * roles, the element is an object whose "key" is taken. */
static int build_list(const kinde__jval *arr, int roles, const char ***items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!arr || arr->type != KINDE__J_ARRAY || arr->n == 0)
        return 0;
    const char **list = kinde__calloc(arr->n, sizeof *list);
    if (!list)
        return -1;
    const kinde__jval *v = arr + 1;
    for (uint32_t i = 0; i < arr->n; i++, v = kinde__jnext(v)) {
        const char *str = roles && v->type == KINDE__J_OBJECT ? kinde__jget_str(v, "key")
                                                              : kinde__jstr(v);
        if (str)
            list[(*n)++] = str;
    }
    *items = list;
    return 0;
}

static kinde_code build_views(kinde_session *s, kinde_error *err)
{
    const kinde__jval *at = kinde__jroot(s->access_claims), *it = kinde__jroot(s->id_claims);
    s->org_code = kinde__jstr(claim_or_hasura(at, "org_code", "x-hasura-org-code"));
    const kinde__jval *flags = claim_or_hasura(at, "feature_flags", "x-hasura-feature-flags");
    s->flags = flags && flags->type == KINDE__J_OBJECT ? flags : NULL;
    const kinde__jval *exp = kinde__jget(at, "exp");
    s->expires_at = exp && exp->type == KINDE__J_INT ? exp->v.i : 0;
    const kinde__jval *orgs = it ? claim_or_hasura(it, "org_codes", "x-hasura-org-codes") : NULL;
    if (!orgs)
        orgs = claim_or_hasura(at, "org_codes", "x-hasura-org-codes");
    if (build_list(claim_or_hasura(at, "permissions", "x-hasura-permissions"), 0,
                   &s->permissions, &s->n_permissions) ||
        build_list(orgs, 0, &s->org_codes, &s->n_org_codes) ||
        build_list(claim_or_hasura(at, "roles", "x-hasura-roles"), 1, &s->roles, &s->n_roles))
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    return KINDE_OK;
}

kinde_code kinde__session_set_tokens(kinde_session *s, char *access, kinde__jdoc *access_claims,
                                     char *id, kinde__jdoc *id_claims, char *refresh,
                                     kinde_error *err)
{
    kinde__session_clear_tokens(s);
    s->access_token = access;
    s->access_claims = access_claims;
    s->id_token = id;
    s->id_claims = id_claims;
    s->refresh_token = refresh;
    kinde_code rc = build_views(s, err);
    if (rc != KINDE_OK)
        kinde__session_clear_tokens(s);
    return rc;
}

const char *kinde_session_access_token(const kinde_session *s)
{
    return s ? s->access_token : NULL;
}

const char *kinde_session_id_token(const kinde_session *s)
{
    return s ? s->id_token : NULL;
}

const char *kinde_session_refresh_token(const kinde_session *s)
{
    return s ? s->refresh_token : NULL;
}

int64_t kinde_session_expires_at(const kinde_session *s)
{
    return s ? s->expires_at : 0;
}

/* ---- the stored form ------------------------------------------------------
 *   kinde-session 1\n
 *   at <access token>\n  it <id token>\n  rt <refresh token>\n
 *   st <state>\n  no <nonce>\n  cv <verifier>\n  ru <redirect uri>\n  t <started>\n
 * One keyed line per member, each optional, none repeated. Not JSON: the
 * record is mostly base64 tokens, which a JSON lexer walks byte by byte (the
 * benchmark showed the envelope costing more than everything else); a line
 * splitter takes them with memchr. No value can hold a newline: tokens are
 * base64url and dots, the rest is checked when it is written. */

static const char SESSION_MAGIC[] = "kinde-session 1\n";

static void add_line(strbuf *b, const char *key, const char *value)
{
    if (!value)
        return;
    if (strpbrk(value, "\r\n")) {
        b->failed = 1; /* refuse to write a record that would read back wrong */
        return;
    }
    strbuf_adds(b, key);
    strbuf_add(b, " ", 1);
    strbuf_adds(b, value);
    strbuf_add(b, "\n", 1);
}

kinde_code kinde_session_serialize(const kinde_session *s, char **out, kinde_error *err)
{
    if (!s || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "session and out are required");
    strbuf b = {0};
    strbuf_adds(&b, SESSION_MAGIC);
    add_line(&b, "at", s->access_token);
    add_line(&b, "it", s->id_token);
    add_line(&b, "rt", s->refresh_token);
    if (s->state) {
        add_line(&b, "st", s->state);
        add_line(&b, "no", s->nonce);
        add_line(&b, "cv", s->verifier);
        add_line(&b, "ru", s->redirect_uri);
        strbuf_addf(&b, "t %lld\n", (long long)s->login_started);
    }
    *out = strbuf_take(&b, NULL);
    return *out ? KINDE_OK : kinde__fail(err, KINDE_E_NOMEM, NULL);
}

/* Payload of a stored token. The token was verified when it was stored, so
 * only its form is checked here. */
static kinde_code decode_payload(const char *token, kinde__jdoc **claims, kinde_error *err)
{
    kinde_error perr;
    kinde_code rc = kinde__jws_payload(token, claims, &perr);
    if (rc == KINDE_E_NOMEM) {
        if (err)
            *err = perr;
        return rc;
    }
    if (rc != KINDE_OK)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "stored token malformed: %s", perr.text);
    return KINDE_OK;
}

enum { F_AT, F_IT, F_RT, F_ST, F_NO, F_CV, F_RU, F_T, F_COUNT };
static const char *const field_keys[F_COUNT] = {"at", "it", "rt", "st", "no", "cv", "ru", "t"};

static kinde_code parse_started(const char *v, int64_t *out, kinde_error *err)
{
    char *end = NULL;
    errno = 0;
    long long t = strtoll(v, &end, 10);
    if (errno || end == v || *end || t < 0)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "pending login time '%.20s' is not a number", v);
    *out = (int64_t)t;
    return KINDE_OK;
}

kinde_code kinde_session_deserialize(const char *data, size_t len, kinde_session **out,
                                     kinde_error *err)
{
    if (!data || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "data and out are required");
    if (len > SESSION_MAX_BYTES)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "session of %zu bytes is too large", len);
    size_t magic = sizeof SESSION_MAGIC - 1;
    if (len < magic || memcmp(data, SESSION_MAGIC, magic) != 0)
        return kinde__fail(err, KINDE_E_SESSION_DATA, "not a kinde session record (or another version)");
    if (memchr(data, '\0', len))
        return kinde__fail(err, KINDE_E_SESSION_DATA, "session record contains a NUL byte");

    char *field[F_COUNT] = {0};
    kinde_session *s = NULL;
    kinde__jdoc *at_claims = NULL, *it_claims = NULL;
    kinde_code rc = KINDE_OK;
    for (const char *p = data + magic, *end = data + len; p < end && rc == KINDE_OK;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "session record is truncated");
            break;
        }
        const char *sp = memchr(p, ' ', (size_t)(nl - p));
        int f = -1;
        for (int i = 0; sp && i < F_COUNT; i++)
            if ((size_t)(sp - p) == strlen(field_keys[i]) && memcmp(p, field_keys[i], (size_t)(sp - p)) == 0)
                f = i;
        if (f < 0)
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "unknown line in session record");
        else if (field[f])
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "'%s' appears twice in session record", field_keys[f]);
        else if (sp + 1 == nl || memchr(sp + 1, '\r', (size_t)(nl - sp - 1)))
            rc = kinde__fail(err, KINDE_E_SESSION_DATA, "'%s' is empty or malformed", field_keys[f]);
        else if (!(field[f] = kinde__strndup(sp + 1, (size_t)(nl - sp - 1))))
            rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        p = nl + 1;
    }
    if (rc)
        goto fail;
    if ((field[F_IT] || field[F_RT]) && !field[F_AT]) {
        rc = kinde__fail(err, KINDE_E_SESSION_DATA, "session has tokens but no access token");
        goto fail;
    }
    int login_parts = !!field[F_ST] + !!field[F_NO] + !!field[F_CV] + !!field[F_RU] + !!field[F_T];
    if (login_parts != 0 && login_parts != 5) {
        rc = kinde__fail(err, KINDE_E_SESSION_DATA, "pending login incomplete");
        goto fail;
    }
    if (!(s = kinde_session_new())) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto fail;
    }
    if (login_parts) {
        if ((rc = parse_started(field[F_T], &s->login_started, err)))
            goto fail;
        s->state = field[F_ST];
        s->nonce = field[F_NO];
        s->verifier = field[F_CV];
        s->redirect_uri = field[F_RU];
        field[F_ST] = field[F_NO] = field[F_CV] = field[F_RU] = NULL;
    }
    if (field[F_AT] && (rc = decode_payload(field[F_AT], &at_claims, err)))
        goto fail;
    if (field[F_IT] && (rc = decode_payload(field[F_IT], &it_claims, err)))
        goto fail;
    if (field[F_AT]) {
        rc = kinde__session_set_tokens(s, field[F_AT], at_claims, field[F_IT], it_claims,
                                       field[F_RT], err);
        field[F_AT] = field[F_IT] = field[F_RT] = NULL;
        at_claims = it_claims = NULL;
        if (rc)
            goto fail;
    }
    for (int i = 0; i < F_COUNT; i++)
        kinde__free_secret(field[i]);
    *out = s;
    return KINDE_OK;

fail:
    for (int i = 0; i < F_COUNT; i++)
        kinde__free_secret(field[i]);
    kinde__jdoc_free(at_claims);
    kinde__jdoc_free(it_claims);
    kinde_session_free(s);
    return rc;
}
