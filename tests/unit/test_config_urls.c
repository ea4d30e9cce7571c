/* Configuration (struct, environment, .env), the login/register/create-org
 * and logout URLs, and the PKCE vector of RFC 7636. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

static void base_config(kinde_config *cfg)
{
    kinde_config_init(cfg);
    cfg->domain = "https://acme.kinde.com/";
    cfg->client_id = "cid";
    cfg->client_secret = "secret";
    cfg->callback_url = "http://localhost:8000/callback";
}

static kinde_code try_config(const kinde_config *cfg, kinde_error *err)
{
    kinde_client *c = NULL;
    kinde_code rc = kinde_client_new(cfg, &c, err);
    kinde_client_free(c);
    return rc;
}

static void bad_configuration_is_a_clear_error(void **state)
{
    kinde_config cfg;
    kinde_error err;
    base_config(&cfg);
    assert_int_equal(try_config(&cfg, &err), KINDE_OK);

    base_config(&cfg);
    cfg.domain = NULL;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "domain"));

    base_config(&cfg);
    cfg.domain = "http://acme.kinde.com";
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "loopback"));

    base_config(&cfg);
    cfg.domain = "http://127.0.0.1:8001";
    assert_int_equal(try_config(&cfg, &err), KINDE_OK);

    base_config(&cfg);
    cfg.domain = "ftp://acme.kinde.com";
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);

    base_config(&cfg);
    cfg.client_id = "";
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_id"));

    base_config(&cfg);
    cfg.grant_type = KINDE_GRANT_CLIENT_CREDENTIALS;
    cfg.client_secret = NULL;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_secret"));

    base_config(&cfg);
    cfg.grant_type = (kinde_grant_type)7;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "grant_type"));

    base_config(&cfg);
    cfg.callback_url = NULL;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);

    base_config(&cfg);
    cfg.code_verifier = "too-short";
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "code_verifier"));

    /* Leeway: small by default, never negative, bounded (A10). */
    kinde_config_init(&cfg);
    assert_int_equal(cfg.leeway_seconds, 30);
    assert_int_equal(cfg.jwks_cooldown_seconds, 30);
    base_config(&cfg);
    cfg.leeway_seconds = -1;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    base_config(&cfg);
    cfg.leeway_seconds = 3601;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "leeway_seconds"));
    base_config(&cfg);
    cfg.leeway_seconds = 3600;
    assert_int_equal(try_config(&cfg, &err), KINDE_OK);

    /* No JWKS cooldown would make every unknown kid a request (A7). */
    base_config(&cfg);
    cfg.jwks_cooldown_seconds = 0;
    assert_int_equal(try_config(&cfg, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "jwks_cooldown_seconds"));

    assert_int_equal(kinde_client_new(NULL, NULL, &err), KINDE_E_INVALID_ARGUMENT);
}

/* An API that only checks bearer tokens has a domain and an audience, no
 * client: such a configuration verifies access tokens, and whatever needs an
 * application says which setting is missing. */
static void verify_only_configuration(void **state)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "https://acme.kinde.com";
    cfg.audience = "https://api.acme.example";
    kinde_client *c = NULL;
    kinde_error err;
    assert_int_equal(kinde_client_new(&cfg, &c, &err), KINDE_OK);

    /* Its keys from a local source instead of the domain. */
    EVP_PKEY *key = tu_rsa_key(2048);
    assert_non_null(key);
    char *jwks = tu_jwks_json(&key, (const char *[]){"k1"}, 1);
    tu_source src;
    tu_source_init(&src, jwks);
    kinde__keystore_free(c->keys);
    c->keys = kinde__keystore_new(tu_fetch, &src, 30);
    assert_non_null(c->keys);
    tu_claims tc = tu_claims_default("https://acme.kinde.com", "some_app");
    tc.audience = "https://api.acme.example";
    char *token = tu_mint_access_token(key, "k1", &tc);
    char *claims = NULL;
    assert_int_equal(kinde_verify_token(c, token, KINDE_ACCESS_TOKEN, &claims, &err), KINDE_OK);
    assert_non_null(strstr(claims, "some_app"));
    kinde_free(claims);
    tc.audience = "https://other.example";
    char *other = tu_mint_access_token(key, "k1", &tc);
    assert_int_equal(kinde_verify_token(c, other, KINDE_ACCESS_TOKEN, NULL, &err),
                     KINDE_E_TOKEN_CLAIMS);

    /* What needs an application: KINDE_E_CONFIG naming client_id. */
    kinde_session *s = kinde_session_new();
    assert_non_null(s);
    char *url = NULL, *m2m = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_id"));
    assert_null(url);
    assert_int_equal(kinde_verify_token(c, token, KINDE_ID_TOKEN, NULL, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_id"));
    assert_int_equal(kinde_get_m2m_token(c, NULL, &m2m, NULL, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_id"));
    assert_int_equal(kinde_fetch_token(c, s, "http://x/cb?code=c&state=s", &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "KINDE_CLIENT_ID"));
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_E_CONFIG);
    /* The sign-out URL needs no client. */
    assert_int_equal(kinde_get_logout_url(c, "http://localhost:8000/", &url, &err), KINDE_OK);
    kinde_free(url);
    assert_int_equal(tu_source_calls(&src), 1);
    kinde_session_free(s);
    kinde_client_free(c);
    tu_source_destroy(&src);
    free(token);
    free(other);
    free(jwks);
    EVP_PKEY_free(key);

    /* Any application setting makes it an application, checked in full. */
    cfg.callback_url = "http://localhost:8000/callback";
    assert_int_equal(kinde_client_new(&cfg, &c, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "client_id"));
}

typedef struct {
    char keys[16][32];
    char values[16][64];
    int n;
} pairs;

static void collect(void *ctx, const char *k, const char *v)
{
    pairs *p = ctx;
    snprintf(p->keys[p->n], sizeof p->keys[0], "%s", k);
    snprintf(p->values[p->n], sizeof p->values[0], "%s", v);
    p->n++;
}

static void dotenv_format(void **state)
{
    const char *text = "# comment\n"
                       "KINDE_CLIENT_ID=abc\n"
                       "  export KINDE_HOST = https://x.kinde.com  \r\n"
                       "QUOTED=\"a # not a comment\"\n"
                       "SINGLE='b'\n"
                       "TRAIL=value # comment\n"
                       "no equals sign\n"
                       "=novalue\n"
                       "EMPTY=\n";
    pairs p = {0};
    assert_int_equal(kinde__dotenv_parse(text, strlen(text), collect, &p), 0);
    assert_int_equal(p.n, 6);
    assert_string_equal(p.keys[0], "KINDE_CLIENT_ID");
    assert_string_equal(p.values[0], "abc");
    assert_string_equal(p.keys[1], "KINDE_HOST");
    assert_string_equal(p.values[1], "https://x.kinde.com");
    assert_string_equal(p.values[2], "a # not a comment");
    assert_string_equal(p.values[3], "b");
    assert_string_equal(p.values[4], "value");
    assert_string_equal(p.keys[5], "EMPTY");
    assert_string_equal(p.values[5], "");
}

static void from_env_and_dotenv(void **state)
{
    char path[] = "/tmp/kinde-dotenv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "KINDE_ISSUER_URL=https://tutorial.kinde.com\n"
                       "KINDE_CLIENT_ID=from_file\n"
                       "KINDE_CLIENT_SECRET=s3cret\n"
                       "KINDE_CALLBACK_URL=http://127.0.0.1:8000/callback\n"
                       "KINDE_LOGOUT_URL=http://127.0.0.1:8000/\n"
                       "KINDE_GRANT_TYPE=authorization_code\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    /* The environment wins over the file. */
    setenv("KINDE_CLIENT_ID", "from_env", 1);
    kinde_client *c = NULL;
    kinde_error err;
    assert_int_equal(kinde_client_new_from_env(path, NULL, &c, &err), KINDE_OK);
    assert_string_equal(c->domain, "https://tutorial.kinde.com");
    assert_string_equal(c->client_id, "from_env");
    assert_string_equal(c->client_secret, "s3cret");
    assert_string_equal(c->callback_url, "http://127.0.0.1:8000/callback");
    assert_string_equal(c->post_logout_redirect_url, "http://127.0.0.1:8000/");
    assert_int_equal(c->grant_type, KINDE_GRANT_AUTHORIZATION_CODE);
    kinde_client_free(c);

    setenv("KINDE_GRANT_TYPE", "implicit", 1);
    assert_int_equal(kinde_client_new_from_env(path, NULL, &c, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "implicit"));
    unsetenv("KINDE_GRANT_TYPE");
    unsetenv("KINDE_CLIENT_ID");
    unlink(path);

    /* Nothing anywhere: the missing domain is named. */
    assert_int_equal(kinde_client_new_from_env("/nonexistent/.env", NULL, &c, &err), KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "KINDE_HOST"));
}

static void rfc7636_vector(void **state)
{
    char *c = kinde__pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_non_null(c);
    assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    kinde__free(c);
}

/* The value of one query parameter, decoded only for %XX. */
static char *param(const char *url, const char *name)
{
    static char out[1024];
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strchr(url, '?');
    while (p) {
        p++;
        if (strncmp(p, key, strlen(key)) == 0) {
            p += strlen(key);
            size_t j = 0;
            while (*p && *p != '&' && j + 1 < sizeof out) {
                if (*p == '%') {
                    char hex[3] = {0};
                    memcpy(hex, p + 1, p[1] ? 2 : 1); /* up to the NUL */
                    out[j++] = (char)(unsigned char)strtoul(hex, NULL, 16);
                    p += 3;
                } else {
                    out[j++] = *p++;
                }
            }
            out[j] = '\0';
            return out;
        }
        p = strchr(p, '&');
    }
    return NULL;
}

static int count_params(const char *url, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "&%s=", name);
    int n = 0;
    for (const char *p = url; (p = strstr(p, key)); p++)
        n++;
    return n;
}

static void login_url_has_every_parameter(void **state)
{
    kinde_config cfg;
    base_config(&cfg);
    cfg.audience = "api.yourapp.com other.api";
    cfg.org_code = "org_1234";
    kinde_client *c;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    kinde_session *s = kinde_session_new();
    char *url = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    assert_true(strncmp(url, "https://acme.kinde.com/oauth2/auth?response_type=code&", 54) == 0);
    assert_string_equal(param(url, "client_id"), "cid");
    assert_string_equal(param(url, "redirect_uri"), "http://localhost:8000/callback");
    assert_string_equal(param(url, "scope"), "openid profile email offline");
    assert_string_equal(param(url, "state"), s->state);
    assert_string_equal(param(url, "nonce"), s->nonce);
    assert_string_equal(param(url, "code_challenge_method"), "S256");
    char *challenge = kinde__pkce_challenge(s->verifier);
    assert_string_equal(param(url, "code_challenge"), challenge);
    kinde__free(challenge);
    assert_int_equal(count_params(url, "audience"), 2);
    assert_string_equal(param(url, "org_code"), "org_1234");
    assert_null(param(url, "prompt"));
    /* 256-bit state and nonce, a 64-character verifier. */
    assert_int_equal(strlen(s->state), 43);
    assert_int_equal(strlen(s->nonce), 43);
    assert_int_equal(strlen(s->verifier), 64);

    /* RFC 7636 4.1: the verifier is unreserved characters only. */
    assert_int_equal(strspn(s->verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-._~"),
                     strlen(s->verifier));

    /* Each login URL starts a new pending login: new state, nonce and verifier. */
    char *first_state = kinde__strdup(s->state);
    char *first_nonce = kinde__strdup(s->nonce);
    char *first_verifier = kinde__strdup(s->verifier);
    char *url2 = NULL;
    kinde_auth_params p = {.prompt = "login", .lang = "en", .login_hint = "dave@smith.com",
                           .connection_id = "conn_1", .org_code = "org_abcd",
                           .audience = "only.one", .plan_interest = "pro",
                           .pricing_table_key = "ptk", .invitation_code = "inv 1",
                           .workflow_deployment_id = "wd", .supports_reauth = 1,
                           .has_success_page = 1};
    assert_int_equal(kinde_get_login_url(c, s, &p, &url2, NULL), KINDE_OK);
    assert_string_not_equal(first_state, s->state);
    assert_string_not_equal(first_nonce, s->nonce);
    assert_string_not_equal(first_verifier, s->verifier);
    char first_challenge[128];
    snprintf(first_challenge, sizeof first_challenge, "%s", param(url, "code_challenge"));
    assert_string_not_equal(param(url2, "code_challenge"), first_challenge);
    kinde__free(first_nonce);
    kinde__free(first_verifier);
    assert_string_equal(param(url2, "prompt"), "login");
    assert_string_equal(param(url2, "lang"), "en");
    assert_string_equal(param(url2, "login_hint"), "dave@smith.com");
    assert_string_equal(param(url2, "connection_id"), "conn_1");
    assert_string_equal(param(url2, "org_code"), "org_abcd");
    assert_int_equal(count_params(url2, "audience"), 1);
    assert_string_equal(param(url2, "plan_interest"), "pro");
    assert_string_equal(param(url2, "pricing_table_key"), "ptk");
    assert_string_equal(param(url2, "invitation_code"), "inv 1");
    assert_string_equal(param(url2, "is_invitation"), "true");
    assert_string_equal(param(url2, "workflow_deployment_id"), "wd");
    assert_string_equal(param(url2, "supports_reauth"), "true");
    assert_string_equal(param(url2, "has_success_page"), "true");
    kinde__free(first_state);
    kinde_free(url);
    kinde_free(url2);

    assert_int_equal(kinde_get_register_url(c, s, NULL, &url, NULL), KINDE_OK);
    assert_string_equal(param(url, "prompt"), "create");
    assert_null(param(url, "is_create_org"));
    kinde_free(url);

    kinde_auth_params org = {.org_name = "My Org & Co"};
    assert_int_equal(kinde_get_create_org_url(c, s, &org, &url, NULL), KINDE_OK);
    assert_string_equal(param(url, "prompt"), "create");
    assert_string_equal(param(url, "is_create_org"), "true");
    assert_string_equal(param(url, "org_name"), "My Org & Co");
    kinde_free(url);

    kinde_session_free(s);
    kinde_client_free(c);
}

static void fixed_code_verifier_is_used(void **state)
{
    kinde_config cfg;
    base_config(&cfg);
    cfg.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    kinde_client *c;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    kinde_session *s = kinde_session_new();
    char *url;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    assert_string_equal(param(url, "code_challenge"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    kinde_free(url);
    kinde_session_free(s);
    kinde_client_free(c);
}

static void logout_url(void **state)
{
    kinde_config cfg;
    base_config(&cfg);
    cfg.post_logout_redirect_url = "http://localhost:8000/";
    kinde_client *c;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    char *url;
    assert_int_equal(kinde_get_logout_url(c, NULL, &url, NULL), KINDE_OK);
    assert_string_equal(url, "https://acme.kinde.com/logout?redirect=http%3A%2F%2Flocalhost%3A8000%2F");
    kinde_free(url);
    assert_int_equal(kinde_get_logout_url(c, "https://app.example/bye?x=1&y=2", &url, NULL), KINDE_OK);
    assert_string_equal(url, "https://acme.kinde.com/logout?redirect=https%3A%2F%2Fapp.example%2Fbye%3Fx%3D1%26y%3D2");
    kinde_free(url);
    kinde_client_free(c);
}

static void client_credentials_has_no_login_url(void **state)
{
    kinde_config cfg;
    base_config(&cfg);
    cfg.grant_type = KINDE_GRANT_CLIENT_CREDENTIALS;
    cfg.callback_url = NULL;
    kinde_client *c;
    kinde_error err;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    kinde_session *s = kinde_session_new();
    char *url = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, &err), KINDE_E_GRANT_TYPE);
    assert_null(url);
    assert_int_equal(kinde_fetch_token(c, s, "http://x/cb?code=1&state=2", &err), KINDE_E_GRANT_TYPE);
    kinde_session_free(s);
    kinde_client_free(c);
}

static void url_policy(void **state)
{
    assert_true(kinde__url_allowed("https://acme.kinde.com/x"));
    assert_true(kinde__url_allowed("http://127.0.0.1:8001/"));
    assert_true(kinde__url_allowed("http://127.5.6.7/"));
    assert_true(kinde__url_allowed("http://localhost:1/"));
    assert_true(kinde__url_allowed("http://[::1]:8001/"));
    assert_false(kinde__url_allowed("http://acme.kinde.com/"));
    assert_false(kinde__url_allowed("http://127.0.0.1.evil.com/"));
    assert_false(kinde__url_allowed("http://10.0.0.1/"));
    /* Host names that only look like 127.x (sscanf's %u wrapped them). */
    assert_false(kinde__url_allowed("http://127.0.0.4294967297/"));
    assert_false(kinde__url_allowed("http://127.0.0.-4294967295/"));
    assert_false(kinde__url_allowed("http://127.0.0.1000/"));
    assert_true(kinde__url_allowed("http://127.1/")); /* libcurl: 127.0.0.1 */
    assert_false(kinde__url_allowed("file:///etc/passwd"));
    assert_false(kinde__url_allowed("gopher://127.0.0.1/"));
    assert_false(kinde__url_allowed("not a url"));
    assert_false(kinde__url_allowed(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_configuration_is_a_clear_error),
        cmocka_unit_test(verify_only_configuration),
        cmocka_unit_test(dotenv_format),
        cmocka_unit_test(from_env_and_dotenv),
        cmocka_unit_test(rfc7636_vector),
        cmocka_unit_test(login_url_has_every_parameter),
        cmocka_unit_test(fixed_code_verifier_is_used),
        cmocka_unit_test(logout_url),
        cmocka_unit_test(client_credentials_has_no_login_url),
        cmocka_unit_test(url_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
