/* Token verification: signature first, then every claim (SECURITY.md A8-A12).
 *
 * Claims are read only from a payload whose signature verified, and each is
 * type-checked before it is compared: a claim of an unexpected JSON type is
 * an error, never "absent" and never coerced. */
#include "internal.h"

#include <string.h>
#include <strings.h>

static kinde_code claim_type(kinde_error *err, const char *name, const char *type)
{
    return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim '%s' is not %s", name, type);
}

/* Integer claim: 1 present (value in *out), 0 absent, -1 present but not a
 * JSON integer ("1700000000" and 1.7e9 are not integers). */
static int int_claim(const kinde__jval *payload, const char *name, int64_t *out)
{
    const kinde__jval *v = kinde__jget(payload, name);
    if (!v)
        return 0;
    if (v->type != KINDE__J_INT)
        return -1;
    *out = v->v.i;
    return 1;
}

/* aud as a list: a string is a list of one. -1 when of another shape. */
static int aud_contains(const kinde__jval *aud, const char *want)
{
    if (aud->type == KINDE__J_STRING)
        return strcmp(aud->v.s, want) == 0;
    const kinde__jval *a = aud + 1;
    for (uint32_t i = 0; i < aud->n; i++, a = kinde__jnext(a))
        if (a->type == KINDE__J_STRING && strcmp(a->v.s, want) == 0)
            return 1;
    return 0;
}

static kinde_code check_times(const kinde__jval *payload, const kinde__token_policy *p,
                              kinde_error *err)
{
    /* Never negative: a negative leeway would be an obscure way to shorten
     * lifetimes, and would make "0" mean something other than exact. */
    int64_t leeway = p->leeway > 0 ? p->leeway : 0;
    /* Anything near a century is a misconfiguration; the cap keeps the
     * arithmetic below far from overflow. */
    if (leeway > 3000000000LL)
        leeway = 3000000000LL;
    int64_t now = p->now, exp, nbf, iat;
    /* Comparisons are written as now - leeway against the claim so that a
     * huge hostile claim value cannot overflow. */
    switch (int_claim(payload, "exp", &exp)) {
    case 0:
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'exp' is missing");
    case -1:
        return claim_type(err, "exp", "an integer");
    }
    if (now - leeway >= exp)
        return kinde__fail(err, KINDE_E_TOKEN_EXPIRED, "claim 'exp' %lld is past (now %lld, leeway %lld)",
                           (long long)exp, (long long)now, (long long)leeway);
    switch (int_claim(payload, "nbf", &nbf)) {
    case -1:
        return claim_type(err, "nbf", "an integer");
    case 1:
        if (nbf > now + leeway)
            return kinde__fail(err, KINDE_E_TOKEN_NOT_YET_VALID,
                               "claim 'nbf' %lld is ahead (now %lld, leeway %lld)",
                               (long long)nbf, (long long)now, (long long)leeway);
    }
    switch (int_claim(payload, "iat", &iat)) {
    case -1:
        return claim_type(err, "iat", "an integer");
    case 1:
        if (iat > now + leeway)
            return kinde__fail(err, KINDE_E_TOKEN_NOT_YET_VALID,
                               "claim 'iat' %lld is ahead (now %lld, leeway %lld)",
                               (long long)iat, (long long)now, (long long)leeway);
    }
    return KINDE_OK;
}

/* Whether name is one of the audiences the policy requires. */
static int configured_audience(const kinde__token_policy *p, const char *name)
{
    for (size_t k = 0; k < p->n_audiences; k++)
        if (strcmp(p->audiences[k], name) == 0)
            return 1;
    return 0;
}

kinde_code kinde__check_claims(const kinde__jval *payload, const kinde__token_policy *p,
                               kinde_error *err)
{
    if (!payload || payload->type != KINDE__J_OBJECT || !p || !p->issuer ||
        (p->kind != KINDE_ACCESS_TOKEN && p->kind != KINDE_ID_TOKEN) ||
        (p->kind == KINDE_ID_TOKEN && !p->client_id) || (p->n_audiences && !p->audiences))
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "payload and a complete policy are required");

    /* Exact bytes: no trailing-slash or case folding (A8). */
    const kinde__jval *iss = kinde__jget(payload, "iss");
    if (!iss)
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'iss' is missing");
    if (iss->type != KINDE__J_STRING)
        return claim_type(err, "iss", "a string");
    if (strcmp(iss->v.s, p->issuer) != 0 || iss->n != strlen(p->issuer))
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'iss' '%.100s' is not '%.100s'",
                           iss->v.s, p->issuer);

    const kinde__jval *sub = kinde__jget(payload, "sub");
    if (sub && sub->type != KINDE__J_STRING)
        return claim_type(err, "sub", "a string");

    kinde_code rc = check_times(payload, p, err);
    if (rc != KINDE_OK)
        return rc;

    const kinde__jval *aud = kinde__jget(payload, "aud");
    if (aud) {
        int ok = aud->type == KINDE__J_STRING || aud->type == KINDE__J_ARRAY;
        if (aud->type == KINDE__J_ARRAY) {
            const kinde__jval *a = aud + 1;
            for (uint32_t i = 0; i < aud->n; i++, a = kinde__jnext(a))
                if (a->type != KINDE__J_STRING)
                    ok = 0;
        }
        if (!ok)
            return claim_type(err, "aud", "a string or an array of strings");
    }
    const kinde__jval *azp = kinde__jget(payload, "azp");
    if (azp && azp->type != KINDE__J_STRING)
        return claim_type(err, "azp", "a string");

    if (p->kind == KINDE_ACCESS_TOKEN) {
        /* ID-token-only claims: an ID token is not a bearer credential (A12). */
        if (kinde__jget(payload, "nonce"))
            return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                               "claim 'nonce' in an access token: this is an ID token");
        if (kinde__jget(payload, "at_hash"))
            return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                               "claim 'at_hash' in an access token: this is an ID token");
        /* An ID token names the client in aud; an access token names APIs
         * (Kinde, RFC 9068). One naming this client is an ID token, even
         * with nonce and at_hash stripped. */
        if (aud && p->client_id && aud_contains(aud, p->client_id) &&
            !configured_audience(p, p->client_id)) /* unless the client is the API asked for */
            return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                               "claim 'aud' names this client: this is an ID token");
        for (size_t k = 0; k < p->n_audiences; k++)
            if (!aud || !aud_contains(aud, p->audiences[k]))
                return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                                   "claim 'aud' does not contain '%.100s'", p->audiences[k]);
        return KINDE_OK;
    }

    /* ID token (OpenID Connect Core 3.1.3.7). Access-token-only claims
     * first: Kinde's access tokens always carry scp, RFC 9068 ones
     * client_id and scope; none belongs in an ID token (A12). */
    static const char *const access_only[] = {"scp", "scope", "client_id"};
    for (size_t k = 0; k < sizeof access_only / sizeof *access_only; k++)
        if (kinde__jget(payload, access_only[k]))
            return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                               "claim '%s' in an ID token: this is an access token", access_only[k]);
    if (!aud)
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'aud' is missing");
    if (!aud_contains(aud, p->client_id))
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'aud' does not contain the client id");
    size_t n_aud = aud->type == KINDE__J_ARRAY ? aud->n : 1;
    if (n_aud > 1 && !azp)
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                           "claim 'azp' is missing and 'aud' names %zu audiences", n_aud);
    if (azp && strcmp(azp->v.s, p->client_id) != 0)
        return kinde__fail(err, KINDE_E_TOKEN_CLAIMS, "claim 'azp' '%.100s' is not the client id",
                           azp->v.s);
    if (p->nonce) {
        const kinde__jval *nonce = kinde__jget(payload, "nonce");
        if (!nonce)
            return kinde__fail(err, KINDE_E_TOKEN_NONCE, "claim 'nonce' is missing");
        if (nonce->type != KINDE__J_STRING)
            return claim_type(err, "nonce", "a string");
        /* Not secret-dependent timing worth hiding: the nonce was in the
         * browser's URL. Exact length too, so an embedded NUL cannot match. */
        if (nonce->n != strlen(p->nonce) || strcmp(nonce->v.s, p->nonce) != 0)
            return kinde__fail(err, KINDE_E_TOKEN_NONCE,
                               "claim 'nonce' is not the one sent for this login");
    }
    return KINDE_OK;
}

/* RFC 9068 access tokens say so in typ; one must not pass as an ID token. */
static int is_access_typ(const char *typ)
{
    return typ && (strcasecmp(typ, "at+jwt") == 0 || strcasecmp(typ, "application/at+jwt") == 0);
}

kinde_code kinde__verify_signature(kinde__keystore *ks, const char *token, kinde__jws *jws,
                                  kinde_error *err)
{
    kinde_code rc = kinde__jws_parse(token, jws, err);
    if (rc != KINDE_OK)
        return rc;
    EVP_PKEY *key = NULL;
    if ((rc = kinde__keystore_get(ks, kinde__jws_kid(jws), &key, err)) == KINDE_OK)
        rc = kinde__jws_verify(jws, key, err);
    EVP_PKEY_free(key);
    if (rc != KINDE_OK)
        kinde__jws_clear(jws);
    return rc;
}

kinde_code kinde__verify_token(kinde__keystore *ks, const char *token,
                               const kinde__token_policy *policy, kinde__jdoc **payload,
                               kinde_error *err)
{
    if (payload)
        *payload = NULL;
    if (!ks || !token || !policy)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "keystore, token and policy are required");
    kinde__jws jws;
    kinde_code rc = kinde__verify_signature(ks, token, &jws, err);
    if (rc != KINDE_OK)
        return rc;
    if (policy->kind == KINDE_ID_TOKEN &&
        is_access_typ(kinde__jget_str(kinde__jroot(jws.header), "typ")))
        rc = kinde__fail(err, KINDE_E_TOKEN_CLAIMS,
                         "header 'typ' says access token (at+jwt), an ID token was expected");
    else
        rc = kinde__check_claims(kinde__jroot(jws.payload), policy, err);
    if (rc == KINDE_OK && payload) {
        *payload = jws.payload;    /* handed over, not copied */
        jws.payload = NULL;
    }
    kinde__jws_clear(&jws);
    return rc;
}
