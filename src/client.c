/* The application-wide client: validated, immutable configuration plus the
 * shared caches (keys, M2M tokens, refreshes in flight). */
#include "internal.h"

#include <curl/curl.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void init_curl(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* The JWKS comes only from the configured domain (SECURITY.md A5). */
static kinde_code fetch_jwks(void *ctx, char **body, size_t *len, kinde_error *err)
{
    kinde_client *c = ctx;
    kinde__http_response resp;
    kinde_error herr;
    kinde_code rc = kinde__http_request(c, c->jwks_url, NULL, NULL, &resp, &herr);
    if (rc == KINDE_E_NOMEM)
        return kinde__fail(err, rc, NULL); /* stays what it is, not a JWKS problem */
    if (rc != KINDE_OK)
        return kinde__fail(err, KINDE_E_JWKS, "fetching %s: %s", c->jwks_url, herr.text);
    if (resp.status != 200) {
        long status = resp.status;
        kinde__http_response_clear(&resp);
        rc = kinde__fail(err, KINDE_E_JWKS, "fetching %s: HTTP %ld", c->jwks_url, status);
        if (err)
            err->http_status = status;
        return rc;
    }
    *body = resp.body;
    *len = resp.len;
    return KINDE_OK;
}

static int valid_verifier(const char *v)
{
    size_t n = strlen(v);
    if (n < 43 || n > 128)
        return 0;
    for (; *v; v++)
        if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') ||
              *v == '-' || *v == '.' || *v == '_' || *v == '~'))
            return 0;
    return 1;
}

static kinde_code validate(const kinde_config *cfg, kinde_error *err)
{
    if (!cfg->domain || !*cfg->domain)
        return kinde__fail(err, KINDE_E_CONFIG, "domain is required (KINDE_HOST)");
    if (strncmp(cfg->domain, "https://", 8) != 0 && strncmp(cfg->domain, "http://", 7) != 0)
        return kinde__fail(err, KINDE_E_CONFIG, "domain must be an https:// URL, got '%s'",
                           cfg->domain);
    int allowed = kinde__url_allowed(cfg->domain);
    if (allowed < 0)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    if (!allowed)
        return kinde__fail(err, KINDE_E_CONFIG,
                           "domain '%s': plain http is allowed only to a loopback host",
                           cfg->domain);
    if (strpbrk(cfg->domain, "?#\r\n "))
        return kinde__fail(err, KINDE_E_CONFIG, "domain must not contain a query or spaces");
    /* Without client id, secret and callback the client is a verifier of
     * access tokens (an API's); with any of them it is an application, and
     * an application is checked in full now rather than at its first login. */
    int application = (cfg->client_id && *cfg->client_id) ||
                      (cfg->client_secret && *cfg->client_secret) ||
                      (cfg->callback_url && *cfg->callback_url);
    if (application && (!cfg->client_id || !*cfg->client_id))
        return kinde__fail(err, KINDE_E_CONFIG, "client_id is required (KINDE_CLIENT_ID)");
    switch (cfg->grant_type) {
    case KINDE_GRANT_AUTHORIZATION_CODE:
    case KINDE_GRANT_CLIENT_CREDENTIALS:
        if (application && (!cfg->client_secret || !*cfg->client_secret))
            return kinde__fail(err, KINDE_E_CONFIG,
                               "client_secret is required for this grant type (KINDE_CLIENT_SECRET)");
        break;
    case KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE:
        break;
    default:
        return kinde__fail(err, KINDE_E_CONFIG, "unknown grant_type %d", (int)cfg->grant_type);
    }
    if (application && cfg->grant_type != KINDE_GRANT_CLIENT_CREDENTIALS) {
        if (!cfg->callback_url || !*cfg->callback_url)
            return kinde__fail(err, KINDE_E_CONFIG, "callback_url is required (KINDE_REDIRECT_URL)");
        if (strncmp(cfg->callback_url, "https://", 8) != 0 &&
            strncmp(cfg->callback_url, "http://", 7) != 0)
            return kinde__fail(err, KINDE_E_CONFIG, "callback_url must be an http(s) URL");
        if (strpbrk(cfg->callback_url, "\r\n \t"))
            return kinde__fail(err, KINDE_E_CONFIG, "callback_url must not contain white space");
    }
    if (cfg->code_verifier && !valid_verifier(cfg->code_verifier))
        return kinde__fail(err, KINDE_E_CONFIG,
                           "code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636)");
    if (cfg->leeway_seconds < 0 || cfg->leeway_seconds > 3600)
        return kinde__fail(err, KINDE_E_CONFIG, "leeway_seconds must be 0..3600");
    if (cfg->http_timeout_ms <= 0 || cfg->connect_timeout_ms <= 0)
        return kinde__fail(err, KINDE_E_CONFIG, "timeouts must be positive");
    /* Without a cooldown every token with an unknown kid would be a JWKS
     * request (SECURITY.md A7). */
    if (cfg->jwks_cooldown_seconds < 1)
        return kinde__fail(err, KINDE_E_CONFIG, "jwks_cooldown_seconds must be at least 1");
    if (cfg->login_ttl_seconds <= 0)
        return kinde__fail(err, KINDE_E_CONFIG, "login_ttl_seconds must be positive");
    return KINDE_OK;
}

kinde_code kinde__need_client_id(const kinde_client *c, const char *what, kinde_error *err)
{
    if (c->client_id)
        return KINDE_OK;
    return kinde__fail(err, KINDE_E_CONFIG,
                       "client_id is required for %s (KINDE_CLIENT_ID): this client is "
                       "configured only to verify access tokens",
                       what);
}

static int dup_field(char **dst, const char *src)
{
    if (!src || !*src)
        return 0;
    *dst = kinde__strdup(src);
    return *dst ? 0 : -1;
}

static char *join(const char *a, const char *b)
{
    strbuf buf = {0};
    strbuf_adds(&buf, a);
    strbuf_adds(&buf, b);
    return strbuf_take(&buf, NULL);
}

static int split_audiences(kinde_client *c)
{
    if (!c->audience)
        return 0;
    size_t n = 0;
    for (const char *p = c->audience; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    if (n == 0)
        return 0;
    c->audiences = kinde__calloc(n, sizeof *c->audiences);
    if (!c->audiences)
        return -1;
    for (const char *p = c->audience; *p;) {
        while (*p == ' ')
            p++;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        if (p > s && !(c->audiences[c->n_audiences++] = kinde__strndup(s, (size_t)(p - s))))
            return -1;
    }
    return 0;
}

kinde_code kinde_client_new_sized(const kinde_config *their_cfg, size_t cfg_size,
                                  kinde_client **out, kinde_error *err)
{
    if (!their_cfg || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "cfg and out are required");
    kinde_config cfg_copy;
    kinde_code rc = kinde__config_in(&cfg_copy, their_cfg, cfg_size, err);
    if (rc != KINDE_OK)
        return rc;
    const kinde_config *cfg = &cfg_copy;
    rc = validate(cfg, err);
    if (rc != KINDE_OK)
        return rc;
    pthread_once(&curl_once, init_curl);
    if (!curl_ready)
        return kinde__fail(err, KINDE_E_HTTP, "curl_global_init failed");

    kinde_client *c = kinde__calloc(1, sizeof *c);
    if (!c)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->flight_done, NULL);
    c->grant_type = cfg->grant_type;
    c->leeway = cfg->leeway_seconds;
    c->http_timeout_ms = cfg->http_timeout_ms;
    c->connect_timeout_ms = cfg->connect_timeout_ms;
    c->jwks_cooldown = cfg->jwks_cooldown_seconds;
    c->login_ttl = cfg->login_ttl_seconds;

    int bad = dup_field(&c->domain, cfg->domain) | dup_field(&c->callback_url, cfg->callback_url) |
              dup_field(&c->client_id, cfg->client_id) |
              dup_field(&c->client_secret, cfg->client_secret) |
              dup_field(&c->code_verifier, cfg->code_verifier) |
              dup_field(&c->scope, cfg->scope ? cfg->scope : "openid profile email offline") |
              dup_field(&c->audience, cfg->audience) | dup_field(&c->org_code, cfg->org_code) |
              dup_field(&c->post_logout_redirect_url, cfg->post_logout_redirect_url) |
              dup_field(&c->ca_file, cfg->ca_file);
    if (!bad) {
        /* "https://x.kinde.com/" and "https://x.kinde.com" name the same
         * business; Kinde's iss has no trailing slash. */
        size_t n = strlen(c->domain);
        while (n > 0 && c->domain[n - 1] == '/')
            c->domain[--n] = '\0';
        bad = split_audiences(c) || !(c->auth_url = join(c->domain, "/oauth2/auth")) ||
              !(c->token_url = join(c->domain, "/oauth2/token")) ||
              !(c->jwks_url = join(c->domain, "/.well-known/jwks.json")) ||
              !(c->revoke_url = join(c->domain, "/oauth2/revoke")) ||
              !(c->profile_url = join(c->domain, "/oauth2/v2/user_profile")) ||
              !(c->logout_url = join(c->domain, "/logout")) ||
              !(c->keys = kinde__keystore_new(fetch_jwks, c, c->jwks_cooldown));
    }
    if (bad) {
        kinde_client_free(c);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    *out = c;
    return KINDE_OK;
}

void kinde_client_free(kinde_client *c)
{
    if (!c)
        return;
    kinde__oauth_client_cleanup(c);
    kinde__http_client_cleanup(c);
    kinde__keystore_free(c->keys);
    char **fields[] = {&c->domain, &c->callback_url, &c->client_id, &c->client_secret,
                       &c->code_verifier, &c->scope, &c->audience, &c->org_code,
                       &c->post_logout_redirect_url, &c->ca_file, &c->auth_url, &c->token_url,
                       &c->jwks_url, &c->revoke_url, &c->profile_url, &c->logout_url};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        kinde__free_secret(*fields[i]);
    for (size_t i = 0; i < c->n_audiences; i++)
        kinde__free(c->audiences[i]);
    kinde__free(c->audiences);
    pthread_cond_destroy(&c->flight_done);
    pthread_mutex_destroy(&c->lock);
    kinde__free(c);
}
