/* The attack suite: every file in cases/ describes one hostile (or control)
 * token, how to mint it, the policy to check it against and the exact code
 * kinde__verify_token must return. README.md in this folder has the format.
 *
 * Usage: run_attacks CASES_DIR [CASE_NAME...] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_internal.h"
#include "testutil.h"

#define ISS "https://acme.kinde.com"
#define CLIENT "client-7f3a"
#define AUD "api.example"
#define NONCE "n-0S1dZ9qL"
#define MAX_LINES 64

/* ---- the world every case runs in ---------------------------------------- */

static EVP_PKEY *good, *other, *small;
static char *jwks_standard, *jwks_multi, *other_jwk, *big;

/* RFC 7515 appendix A.2 (see tests/unit/test_jws.c). */
static const char rfc7515_token[] =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
    "cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2F"
    "p5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMH"
    "lb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w"
    "9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
static const char rfc7515_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPd"
    "dxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo"
    "9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD"
    "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h"
    "4FRWyuXpoQ\",\"e\":\"AQAB\"}]}";

static int make_world(void)
{
    good = tu_rsa_key(2048);
    other = tu_rsa_key(2048);
    small = tu_rsa_key(1024);
    if (!good || !other || !small)
        return -1;
    /* One usable key and one of every kind the parser must skip (A6). */
    char *parts[7];
    parts[0] = tu_jwk_json(good, "good-key");
    parts[1] = tu_jwk_json(small, "small-key");
    parts[2] = tu_jwk_json_custom(other, "RSA", "enc", "RS256", "enc-key", NULL);
    parts[3] = tu_jwk_json_custom(other, "RSA", "sig", "RS512", "rs512-key", NULL);
    parts[4] = strdup("{\"kty\":\"EC\",\"kid\":\"ec-key\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}");
    parts[5] = strdup("{\"kty\":\"RSA\",\"kid\":\"broken-key\",\"n\":\"!!\",\"e\":\"AQAB\"}");
    parts[6] = tu_jwk_json(other, "other-key");
    for (int i = 0; i < 7; i++)
        if (!parts[i]) {
            for (int j = 0; j < 7; j++)
                free(parts[j]);
            return -1;
        }
    jwks_standard = tu_jwks_of((const char *const *)parts, 6);
    jwks_multi = tu_jwks_of((const char *const *)parts, 7);
    other_jwk = tu_jwk_json(other, "other-key");
    for (int i = 0; i < 7; i++)
        free(parts[i]);
    big = malloc(17001);
    if (!big)
        return -1;
    memset(big, 'a', 17000);
    big[17000] = '\0';
    return jwks_standard && jwks_multi && other_jwk ? 0 : -1;
}

static void free_world(void)
{
    EVP_PKEY_free(good);
    EVP_PKEY_free(other);
    EVP_PKEY_free(small);
    free(jwks_standard);
    free(jwks_multi);
    free(other_jwk);
    free(big);
}

/* ---- small text helpers ---------------------------------------------------- */

static char *cat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (!s)
        abort();
    snprintf(s, la + lb + lc + 1, "%s%s%s", a, b, c);
    return s;
}

struct var {
    const char *name;
    char value[64];
    const char *long_value;        /* used instead of value when set */
};

/* Replace $NAME by its value; unknown $ signs are kept. Longest name wins. */
static char *expand(const char *in, const struct var *vars, size_t n_vars)
{
    char *out = strdup("");
    const char *p = in;
    while (*p) {
        const char *d = strchr(p, '$');
        if (!d) {
            char *t = cat3(out, p, "");
            free(out);
            return t;
        }
        char *pre = strndup(p, (size_t)(d - p));
        char *t = cat3(out, pre, "");
        free(out);
        free(pre);
        out = t;
        const struct var *best = NULL;
        for (size_t i = 0; i < n_vars; i++) {
            size_t l = strlen(vars[i].name);
            if (strncmp(d + 1, vars[i].name, l) == 0 && (!best || l > strlen(best->name)))
                best = &vars[i];
        }
        if (best) {
            t = cat3(out, best->long_value ? best->long_value : best->value, "");
            p = d + 1 + strlen(best->name);
        } else {
            t = cat3(out, "$", "");
            p = d + 1;
        }
        free(out);
        out = t;
    }
    return out;
}

static int segment_index(const char *name)
{
    if (strcmp(name, "header") == 0)
        return 0;
    if (strcmp(name, "payload") == 0)
        return 1;
    if (strcmp(name, "signature") == 0)
        return 2;
    return -1;
}

/* Segment seg of token as a new string (empty when absent). */
static char *segment_text(const char *token, int seg)
{
    const char *s = token;
    for (int i = 0; i < seg && s; i++)
        if ((s = strchr(s, '.')))
            s++;
    if (!s)
        return strdup("");
    const char *e = strchr(s, '.');
    return e ? strndup(s, (size_t)(e - s)) : strdup(s);
}

/* JSON text with member name set to value (JSON text) or removed (value NULL). */
static char *json_edit(const char *text, const char *name, const char *value, char *why, size_t why_len)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_PRESERVE_ORDER, &e);
    if (!json_is_object(j)) {
        snprintf(why, why_len, "cannot edit non-object JSON %.60s", text);
        json_decref(j);
        return NULL;
    }
    if (value) {
        json_t *v = json_loads(value, JSON_DECODE_ANY, &e);
        if (!v) {
            snprintf(why, why_len, "bad JSON value %.60s: %s", value, e.text);
            json_decref(j);
            return NULL;
        }
        json_object_set_new(j, name, v);
    } else {
        json_object_del(j, name);
    }
    char *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return out;
}

/* RFC 3339 text of t, as Kinde writes a webhook's timestamp. */
static void rfc3339(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%S.123+00:00", &tm);
}

/* A payload exactly of Kinde's webhook shape: no iss, aud, exp or iat. */
static char *webhook_payload(const char *timestamp)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"type\":\"user.created\",\"event_id\":\"event_0123456789abcdef\","
             "\"timestamp\":\"%s\",\"source\":\"api\",\"data\":{\"user\":"
             "{\"id\":\"kp_0123\",\"email\":\"ada@example.com\"}}}",
             timestamp);
    return strdup(buf);
}

/* ---- one case ------------------------------------------------------------- */

struct line {
    char key[32];
    char *value;
};

static kinde_code code_by_name(const char *name, int *ok)
{
    for (int c = 0; c <= 64; c++)
        if (strcmp(kinde_code_name((kinde_code)c), name) == 0) {
            *ok = 1;
            return (kinde_code)c;
        }
    *ok = 0;
    return KINDE_OK;
}

/* Returns 1 passed, 0 failed; why says what went wrong. */
static int run_case(const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, "cannot open");
        return 0;
    }
    struct line lines[MAX_LINES] = {0};
    size_t n = 0;
    char buf[8192];
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (buf[0] == '#' || buf[0] == '\0')
            continue;
        char *colon = strstr(buf, ": ");
        if (!colon || n == MAX_LINES || (size_t)(colon - buf) >= sizeof lines[0].key) {
            fclose(f);
            for (size_t i = 0; i < n; i++)
                free(lines[i].value);
            snprintf(why, why_len, "bad line: %.80s", buf);
            return 0;
        }
        snprintf(lines[n].key, sizeof lines[n].key, "%.*s", (int)(colon - buf), buf);
        lines[n].value = strdup(colon + 2);
        n++;
    }
    fclose(f);

    int64_t now = kinde__now();
    struct var vars[] = {
        {"ISS", ISS, NULL},         {"CLIENT", CLIENT, NULL}, {"AUD", AUD, NULL},
        {"NONCE", NONCE, NULL},     {"NOW", "", NULL},         {"EXP", "", NULL},
        {"PAST", "", NULL},         {"FUTURE", "", NULL},      {"KID", "good-key", NULL},
        {"OTHER_JWK", "", other_jwk}, {"BIG", "", big},
        {"TS", "", NULL},           {"TS_OLD", "", NULL},
    };
    size_t n_vars = sizeof vars / sizeof vars[0];
    snprintf(vars[4].value, sizeof vars[4].value, "%lld", (long long)now);
    snprintf(vars[5].value, sizeof vars[5].value, "%lld", (long long)now + 3600);
    snprintf(vars[6].value, sizeof vars[6].value, "%lld", (long long)now - 3600);
    snprintf(vars[7].value, sizeof vars[7].value, "%lld", (long long)now + 3600);
    rfc3339(now, vars[11].value, sizeof vars[11].value);
    rfc3339(now - 3600, vars[12].value, sizeof vars[12].value);

    /* Pass 1: what to mint. */
    tu_claims claims = tu_claims_default(ISS, CLIENT);
    claims.audience = AUD;
    claims.nonce = NONCE;
    char *header = strdup("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"good-key\"}");
    char *payload = tu_access_payload(&claims);
    const char *sign = "good";
    kinde__token_policy policy = {.issuer = ISS, .kind = KINDE_ACCESS_TOKEN, .client_id = CLIENT,
                                  .leeway = 30, .now = now};
    const char *audiences[8];
    size_t n_aud = 0;
    char *issuer = NULL, *nonce = NULL;
    const char *jwks = jwks_standard;
    long repeat = 1, want_fetches = -1;
    kinde_code expect = KINDE_OK;
    int have_expect = 0, ok = 1, webhook = 0;
    char *content_type = strdup("application/jwt");
    long max_age = 0;
    char *token = NULL;
    why[0] = '\0';

    for (size_t i = 0; i < n && ok; i++) {
        char *v = expand(lines[i].value, vars, n_vars);
        const char *k = lines[i].key;
        char *edited = NULL;
        if (strcmp(k, "header") == 0) {
            free(header);
            header = v;
            v = NULL;
        } else if (strcmp(k, "payload") == 0) {
            free(payload);
            if (strcmp(v, "access") == 0)
                payload = tu_access_payload(&claims);
            else if (strcmp(v, "webhook") == 0)
                payload = webhook_payload(vars[11].value);
            else if (strcmp(v, "id") == 0)
                payload = tu_id_payload(&claims);
            else {
                payload = v;
                v = NULL;
            }
        } else if (strcmp(k, "header-set") == 0 || strcmp(k, "claim-set") == 0 ||
                   strcmp(k, "header-del") == 0 || strcmp(k, "claim-del") == 0) {
            int is_header = k[0] == 'h';
            int del = strstr(k, "-del") != NULL;
            char *name = v, *value = NULL;
            if (!del) {
                char *sp = strchr(v, ' ');
                if (!sp) {
                    snprintf(why, why_len, "%s needs NAME JSON", k);
                    ok = 0;
                    free(v);
                    break;
                }
                *sp = '\0';
                value = sp + 1;
            }
            char **target = is_header ? &header : &payload;
            edited = json_edit(*target, name, value, why, why_len);
            if (!edited)
                ok = 0;
            else {
                free(*target);
                *target = edited;
            }
        } else if (strcmp(k, "sign") == 0) {
            sign = strcmp(v, "good") == 0             ? "good"
                   : strcmp(v, "other") == 0          ? "other"
                   : strcmp(v, "small") == 0          ? "small"
                   : strcmp(v, "none") == 0           ? "none"
                   : strcmp(v, "public-as-hmac") == 0 ? "public-as-hmac"
                   : strcmp(v, "rs384") == 0          ? "rs384"
                   : strcmp(v, "rfc7515") == 0        ? "rfc7515"
                                                      : NULL;
            if (!sign) {
                snprintf(why, why_len, "unknown sign %s", v);
                ok = 0;
            }
        } else if (strcmp(k, "policy") == 0) {
            if (strcmp(v, "access") == 0)
                policy.kind = KINDE_ACCESS_TOKEN;
            else if (strcmp(v, "id") == 0)
                policy.kind = KINDE_ID_TOKEN;
            else if (strcmp(v, "webhook") == 0)
                webhook = 1;
            else {
                snprintf(why, why_len, "unknown policy %s", v);
                ok = 0;
            }
        } else if (strcmp(k, "nonce") == 0) {
            free(nonce);
            nonce = v;
            v = NULL;
        } else if (strcmp(k, "issuer") == 0) {
            free(issuer);
            issuer = v;
            v = NULL;
        } else if (strcmp(k, "audience") == 0) {
            if (n_aud < 8)
                audiences[n_aud++] = lines[i].value; /* no $ in audiences */
        } else if (strcmp(k, "leeway") == 0) {
            policy.leeway = strtol(v, NULL, 10);
        } else if (strcmp(k, "now") == 0) {
            /* "+N"/"-N" from the real clock, "@N" absolute. */
            policy.now = v[0] == '@' ? strtoll(v + 1, NULL, 10) : now + strtoll(v, NULL, 10);
        } else if (strcmp(k, "jwks") == 0) {
            jwks = strcmp(v, "multi") == 0     ? jwks_multi
                   : strcmp(v, "rfc7515") == 0 ? rfc7515_jwks
                                               : jwks_standard;
        } else if (strcmp(k, "content-type") == 0) {
            free(content_type);
            content_type = v;
            v = NULL;
        } else if (strcmp(k, "max-age") == 0) {
            max_age = strtol(v, NULL, 10);
        } else if (strcmp(k, "repeat") == 0) {
            repeat = strtol(v, NULL, 10);
        } else if (strcmp(k, "fetches") == 0) {
            want_fetches = strtol(v, NULL, 10);
        } else if (strcmp(k, "expect") == 0) {
            int found;
            expect = code_by_name(v, &found);
            if (!found) {
                snprintf(why, why_len, "unknown code %s", v);
                ok = 0;
            }
            have_expect = 1;
        } else if (strcmp(k, "mutate") == 0 || strcmp(k, "description") == 0 ||
                   strcmp(k, "rule") == 0) {
            /* mutations: pass 2; description and rule: for people */
        } else {
            snprintf(why, why_len, "unknown key %s", k);
            ok = 0;
        }
        free(v);
    }
    if (ok && !have_expect) {
        snprintf(why, why_len, "no expect line");
        ok = 0;
    }

    /* Mint. */
    if (ok) {
        if (strcmp(sign, "good") == 0)
            token = tu_sign_rs256(header, payload, good);
        else if (strcmp(sign, "other") == 0)
            token = tu_sign_rs256(header, payload, other);
        else if (strcmp(sign, "small") == 0)
            token = tu_sign_rs256(header, payload, small);
        else if (strcmp(sign, "none") == 0)
            token = tu_sign_none(header, payload);
        else if (strcmp(sign, "public-as-hmac") == 0)
            token = tu_sign_hs256_public(header, payload, good);
        else if (strcmp(sign, "rs384") == 0)
            token = tu_sign_rsa(header, payload, good, "SHA384");
        else
            token = strdup(rfc7515_token);
        if (!token) {
            snprintf(why, why_len, "minting failed");
            ok = 0;
        }
    }

    /* Pass 2: mutations, in order. */
    for (size_t i = 0; i < n && ok; i++) {
        if (strcmp(lines[i].key, "mutate") != 0)
            continue;
        char *v = expand(lines[i].value, vars, n_vars);
        char op[32] = "", a1[64] = "";
        int used = 0;
        sscanf(v, "%31s %63s %n", op, a1, &used);
        const char *rest = used ? v + used : "";
        char *next = NULL;
        int seg = segment_index(a1);
        if (strcmp(op, "flip-bit") == 0 && seg >= 0) {
            next = tu_flip_segment_bit(token, seg, strtoul(rest, NULL, 10));
        } else if (strcmp(op, "flip-text") == 0) {
            next = tu_flip_text_bit(token, strtoul(a1, NULL, 10));
        } else if (strcmp(op, "replace") == 0 && seg >= 0) {
            if (strncmp(rest, "b64:", 4) == 0) {
                char *enc = tu_b64url(rest + 4, strlen(rest + 4));
                next = tu_replace_segment(token, seg, enc);
                free(enc);
            } else {
                next = tu_replace_segment(token, seg, rest);
            }
        } else if (strcmp(op, "append-segment") == 0) {
            char *whole = cat3(a1, "", rest);
            next = cat3(token, ".", whole);
            free(whole);
        } else if ((strcmp(op, "pad") == 0 || strcmp(op, "noncanonical") == 0) && seg >= 0) {
            char *s = segment_text(token, seg);
            size_t l = strlen(s);
            if (op[0] == 'p') {
                char *padded = cat3(s, l % 4 == 2 ? "==" : "=", "");
                next = tu_replace_segment(token, seg, padded);
                free(padded);
            } else if (l % 4 == 2 || l % 4 == 3) {
                /* Set the lowest unused bit of the last character. */
                static const char alpha[] =
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                int val = (int)(strchr(alpha, s[l - 1]) - alpha);
                s[l - 1] = alpha[val | 1];
                next = tu_replace_segment(token, seg, s);
            } else {
                snprintf(why, why_len, "segment %s has no unused bits (length %zu)", a1, l);
            }
            free(s);
        } else if (strcmp(op, "token") == 0) {
            char *h = segment_text(token, 0), *p = segment_text(token, 1), *s = segment_text(token, 2);
            struct var segs[] = {{"H", "", h}, {"P", "", p}, {"S", "", s}};
            /* a1 and rest are the template split at its first space; rejoin. */
            const char *tmpl = v + strlen("token ");
            next = expand(tmpl, segs, 3);
            /* "\n" in a template is a real newline (trailing-newline cases). */
            for (char *q = next ? strstr(next, "\\n") : NULL; q; q = strstr(q, "\\n")) {
                *q = '\n';
                memmove(q + 1, q + 2, strlen(q + 2) + 1);
            }
            free(h);
            free(p);
            free(s);
        } else if (!why[0]) {
            snprintf(why, why_len, "bad mutation: %s", v);
        }
        free(v);
        if (!next) {
            if (!why[0])
                snprintf(why, why_len, "mutation failed: %s", lines[i].value);
            ok = 0;
            break;
        }
        free(token);
        token = next;
    }

    /* Verify against a fresh cache that serves the JWKS and counts fetches. */
    if (ok) {
        policy.issuer = issuer ? issuer : ISS;
        policy.nonce = nonce;
        policy.audiences = audiences;
        policy.n_audiences = n_aud;
        tu_source src;
        tu_source_init(&src, jwks);
        kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
        for (long r = 0; r < repeat && ok; r++) {
            kinde_error err;
            memset(&err, 0, sizeof err);
            kinde__jdoc *out = NULL;
            int have_payload = 0; /* what verified came with its object */
            kinde_code rc;
            if (webhook) {
                kinde_webhook_event *ev = NULL;
                rc = kinde__verify_webhook(ks, policy.now, policy.leeway, content_type, token,
                                           strlen(token), max_age, &ev, &err);
                have_payload = ev && ev->type && ev->event_id && ev->data_json;
                if (rc != KINDE_OK && ev)
                    have_payload = -1; /* an event handed out with a refusal */
                kinde_webhook_event_free(ev);
            } else {
                rc = kinde__verify_token(ks, token, &policy, &out, &err);
                have_payload = out ? (kinde__jroot(out)->type == KINDE__J_OBJECT ? 1 : 0) : 0;
                if (rc != KINDE_OK && out)
                    have_payload = -1;
            }
            if (rc != expect) {
                snprintf(why, why_len, "expected %s, got %s (%s)", kinde_code_name(expect),
                         kinde_code_name(rc), rc ? err.text : "verified");
                ok = 0;
            } else if (rc == KINDE_OK && have_payload != 1) {
                snprintf(why, why_len, "verified without a payload");
                ok = 0;
            } else if (rc != KINDE_OK && (have_payload != 0 || err.code != rc || !err.text[0])) {
                snprintf(why, why_len, "refused without a clean error");
                ok = 0;
            }
            kinde__jdoc_free(out);
        }
        if (ok && want_fetches >= 0 && (long)tu_source_calls(&src) != want_fetches) {
            snprintf(why, why_len, "expected %ld JWKS fetches, saw %lu", want_fetches,
                     tu_source_calls(&src));
            ok = 0;
        }
        kinde__keystore_free(ks);
        tu_source_destroy(&src);
    }

    free(token);
    free(header);
    free(payload);
    free(issuer);
    free(nonce);
    free(content_type);
    for (size_t i = 0; i < n; i++)
        free(lines[i].value);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASES_DIR [CASE...]\n", argv[0]);
        return 2;
    }
    if (make_world() != 0) {
        fprintf(stderr, "cannot generate keys\n");
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        free_world();
        return 2;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".case") == 0) {
            char **grown = realloc(names, (n + 1) * sizeof *names);
            if (!grown || !(grown[n] = strdup(e->d_name)))
                abort();
            names = grown;
            n++;
        }
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);

    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int selected = argc == 2;
        for (int a = 2; a < argc; a++)
            if (strncmp(names[i], argv[a], strlen(argv[a])) == 0)
                selected = 1;
        if (selected) {
            char path[4096], why[512];
            snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
            if (run_case(path, why, sizeof why)) {
                passed++;
                printf("ok    %s\n", names[i]);
            } else {
                failed++;
                printf("FAIL  %s: %s\n", names[i], why);
            }
        }
        free(names[i]);
    }
    free(names);
    free_world();
    printf("%u passed, %u failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}
