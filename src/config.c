/* Configuration: defaults, the .env format and the environment variables
 * Kinde's guides give users. Validation happens in client.c. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void config_defaults(kinde_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->grant_type = KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE;
    cfg->leeway_seconds = 30;
    cfg->http_timeout_ms = 10000;
    cfg->connect_timeout_ms = 5000;
    cfg->jwks_cooldown_seconds = 30;
    cfg->login_ttl_seconds = 600;
}

void kinde_config_init_sized(kinde_config *cfg, size_t cfg_size)
{
    if (!cfg)
        return;
    kinde_config d;
    config_defaults(&d);
    kinde__struct_out(cfg, cfg_size, &d, sizeof d);
}

kinde_code kinde__config_in(kinde_config *cfg, const kinde_config *theirs, size_t their_size,
                            kinde_error *err)
{
    config_defaults(cfg);
    return kinde__struct_in(cfg, sizeof *cfg, theirs, their_size,
                            KINDE__SIZE_THROUGH(kinde_config, ca_file), KINDE_E_CONFIG,
                            "kinde_config", err);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int kinde__dotenv_parse(const char *text, size_t len,
                        void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *s = p, *e = eol;
        p = eol < end ? eol + 1 : end;
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        if ((size_t)(e - s) > 7 && memcmp(s, "export", 6) == 0 && is_space(s[6])) {
            s += 7;
            while (s < e && is_space(*s))
                s++;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq)
            continue; /* not an assignment: ignored, as dotenv tools do */
        const char *ke = eq;
        while (ke > s && is_space(ke[-1]))
            ke--;
        if (ke == s)
            continue;
        const char *vs = eq + 1, *ve = e;
        while (vs < ve && is_space(*vs))
            vs++;
        if (vs < ve && (*vs == '"' || *vs == '\'')) {
            const char *close = memchr(vs + 1, *vs, (size_t)(ve - vs - 1));
            if (close) {
                ve = close;
                vs++;
            }
        } else {
            /* An unquoted value ends at " #", the start of a comment. */
            for (const char *q = vs; q < ve; q++)
                if (*q == '#' && q > vs && is_space(q[-1])) {
                    ve = q;
                    while (ve > vs && is_space(ve[-1]))
                        ve--;
                    break;
                }
        }
        char *key = kinde__strndup(s, (size_t)(ke - s));
        char *value = kinde__strndup(vs, (size_t)(ve - vs));
        if (!key || !value) {
            kinde__free(key);
            kinde__free_secret(value);
            return -1;
        }
        fn(ctx, key, value);
        kinde__free(key);
        kinde__free_secret(value);
    }
    return 0;
}

/* The variables we read, each with the names users may already have. */
enum { V_DOMAIN, V_CLIENT_ID, V_SECRET, V_CALLBACK, V_LOGOUT, V_AUDIENCE, V_SCOPE, V_ORG,
       V_GRANT, V_COUNT };
static const char *const var_names[V_COUNT][2] = {
    [V_DOMAIN] = {"KINDE_HOST", "KINDE_ISSUER_URL"},
    [V_CLIENT_ID] = {"KINDE_CLIENT_ID", NULL},
    [V_SECRET] = {"KINDE_CLIENT_SECRET", NULL},
    [V_CALLBACK] = {"KINDE_REDIRECT_URL", "KINDE_CALLBACK_URL"},
    [V_LOGOUT] = {"KINDE_POST_LOGOUT_REDIRECT_URL", "KINDE_LOGOUT_URL"},
    [V_AUDIENCE] = {"KINDE_AUDIENCE", NULL},
    [V_SCOPE] = {"KINDE_SCOPE", NULL},
    [V_ORG] = {"KINDE_ORG_CODE", NULL},
    [V_GRANT] = {"KINDE_GRANT_TYPE", NULL},
};

typedef struct {
    char *values[V_COUNT];
    int nomem;
} env_values;

static int var_index(const char *key)
{
    for (int i = 0; i < V_COUNT; i++)
        for (int j = 0; j < 2; j++)
            if (var_names[i][j] && strcmp(var_names[i][j], key) == 0)
                return i;
    return -1;
}

static void take_dotenv(void *ctx, const char *key, const char *value)
{
    env_values *ev = ctx;
    int i = var_index(key);
    if (i < 0 || ev->values[i])
        return; /* first spelling in the file wins */
    ev->values[i] = kinde__strdup(value);
    if (!ev->values[i])
        ev->nomem = 1;
}

static kinde_code read_dotenv(const char *path, env_values *ev, kinde_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KINDE_OK; /* no .env is the normal case in production */
    strbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024)
        strbuf_add(&b, chunk, n);
    fclose(f);
    kinde__wipe(chunk, sizeof chunk);
    if (b.failed) {
        strbuf_free(&b);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    int rc = b.data ? kinde__dotenv_parse(b.data, b.len, take_dotenv, ev) : 0;
    strbuf_free(&b);
    if (rc != 0 || ev->nomem)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    return KINDE_OK;
}

static kinde_code parse_grant(const char *s, kinde_grant_type *out, kinde_error *err)
{
    if (strcmp(s, "authorization_code_with_pkce") == 0)
        *out = KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE;
    else if (strcmp(s, "authorization_code") == 0)
        *out = KINDE_GRANT_AUTHORIZATION_CODE;
    else if (strcmp(s, "client_credentials") == 0)
        *out = KINDE_GRANT_CLIENT_CREDENTIALS;
    else
        return kinde__fail(err, KINDE_E_CONFIG, "KINDE_GRANT_TYPE: unknown grant type '%s'", s);
    return KINDE_OK;
}

kinde_code kinde_client_new_from_env_sized(const char *dotenv_path, const kinde_config *base,
                                           size_t base_size, kinde_client **out,
                                           kinde_error *err)
{
    if (!out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "out is NULL");
    env_values ev;
    memset(&ev, 0, sizeof ev);
    /* The process environment wins over the file, as with python-dotenv. */
    for (int i = 0; i < V_COUNT; i++)
        for (int j = 0; j < 2 && !ev.values[i]; j++) {
            const char *v = var_names[i][j] ? getenv(var_names[i][j]) : NULL;
            if (v && *v && !(ev.values[i] = kinde__strdup(v)))
                ev.nomem = 1;
        }
    kinde_code rc = ev.nomem ? kinde__fail(err, KINDE_E_NOMEM, NULL) : KINDE_OK;
    if (rc == KINDE_OK && dotenv_path)
        rc = read_dotenv(dotenv_path, &ev, err);

    kinde_config cfg;
    config_defaults(&cfg);
    if (rc == KINDE_OK && base)
        rc = kinde__config_in(&cfg, base, base_size, err);
    if (rc == KINDE_OK) {
        if (ev.values[V_DOMAIN]) cfg.domain = ev.values[V_DOMAIN];
        if (ev.values[V_CLIENT_ID]) cfg.client_id = ev.values[V_CLIENT_ID];
        if (ev.values[V_SECRET]) cfg.client_secret = ev.values[V_SECRET];
        if (ev.values[V_CALLBACK]) cfg.callback_url = ev.values[V_CALLBACK];
        if (ev.values[V_LOGOUT]) cfg.post_logout_redirect_url = ev.values[V_LOGOUT];
        if (ev.values[V_AUDIENCE]) cfg.audience = ev.values[V_AUDIENCE];
        if (ev.values[V_SCOPE]) cfg.scope = ev.values[V_SCOPE];
        if (ev.values[V_ORG]) cfg.org_code = ev.values[V_ORG];
        if (ev.values[V_GRANT])
            rc = parse_grant(ev.values[V_GRANT], &cfg.grant_type, err);
    }
    if (rc == KINDE_OK)
        rc = kinde_client_new(&cfg, out, err);
    for (int i = 0; i < V_COUNT; i++)
        kinde__free_secret(ev.values[i]);
    return rc;
}
