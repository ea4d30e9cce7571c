/* The browser-facing URLs: sign in, sign up, create organization, sign out.
 * Each login URL starts a fresh pending login in the session. */
#include "internal.h"

#include <string.h>

typedef enum { FLOW_LOGIN, FLOW_REGISTER, FLOW_CREATE_ORG } flow;

static void add_param(strbuf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    strbuf_add(b, "&", 1);
    strbuf_adds(b, name);
    strbuf_add(b, "=", 1);
    strbuf_add_urlenc(b, value);
}

/* Kinde takes several audiences as a repeated parameter. */
static void add_audiences(strbuf *b, const char *list)
{
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        if (p > s) {
            char *one = kinde__strndup(s, (size_t)(p - s));
            if (!one) {
                b->failed = 1;
                return;
            }
            add_param(b, "audience", one);
            kinde__free(one);
        }
    }
}

static kinde_code start_login(kinde_client *c, kinde_session *s, kinde_error *err)
{
    char *state = NULL, *nonce = NULL, *verifier = NULL, *redirect = NULL;
    kinde_code rc;
    /* 256 bits each: well past the 128 bits SECURITY.md B15 asks for. */
    if ((rc = kinde__random_string(32, &state, err)) || (rc = kinde__random_string(32, &nonce, err)))
        goto fail;
    if (c->code_verifier)
        verifier = kinde__strdup(c->code_verifier);
    else if ((rc = kinde__random_string(48, &verifier, err))) /* 64 characters */
        goto fail;
    redirect = kinde__strdup(c->callback_url);
    if (!verifier || !redirect) {
        rc = kinde__fail(err, KINDE_E_NOMEM, NULL);
        goto fail;
    }
    kinde__session_clear_login(s);
    s->state = state;
    s->nonce = nonce;
    s->verifier = verifier;
    s->redirect_uri = redirect;
    s->login_started = kinde__now();
    return KINDE_OK;
fail:
    kinde__free_secret(state);
    kinde__free_secret(nonce);
    kinde__free_secret(verifier);
    kinde__free(redirect);
    return rc;
}

static kinde_code auth_url(kinde_client *c, kinde_session *s, const kinde_auth_params *theirs,
                           size_t their_size, flow f, char **url, kinde_error *err)
{
    if (!c || !s || !url)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client, session and url are required");
    kinde_code rc = kinde__need_client_id(c, "login URLs", err);
    if (rc != KINDE_OK)
        return rc;
    if (c->grant_type == KINDE_GRANT_CLIENT_CREDENTIALS)
        return kinde__fail(err, KINDE_E_GRANT_TYPE,
                           "login URLs need an authorization-code grant, not client_credentials");
    kinde_auth_params params = {0};
    const kinde_auth_params *p = &params;
    if (theirs &&
        (rc = kinde__struct_in(&params, sizeof params, theirs, their_size,
                               KINDE__SIZE_THROUGH(kinde_auth_params, has_success_page),
                               KINDE_E_INVALID_ARGUMENT, "kinde_auth_params", err)))
        return rc;
    if ((rc = start_login(c, s, err)) != KINDE_OK)
        return rc;
    char *challenge = kinde__pkce_challenge(s->verifier);
    if (!challenge) {
        kinde__session_clear_login(s);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }

    strbuf b = {0};
    strbuf_adds(&b, c->auth_url);
    strbuf_adds(&b, "?response_type=code");
    add_param(&b, "client_id", c->client_id);
    add_param(&b, "redirect_uri", s->redirect_uri);
    add_param(&b, "scope", c->scope);
    add_param(&b, "state", s->state);
    add_param(&b, "nonce", s->nonce);
    add_param(&b, "code_challenge", challenge);
    add_param(&b, "code_challenge_method", "S256");
    add_audiences(&b, p->audience ? p->audience : c->audience);
    add_param(&b, "org_code", p->org_code ? p->org_code : c->org_code);
    const char *prompt = p->prompt;
    if (f != FLOW_LOGIN && !prompt)
        prompt = "create";
    add_param(&b, "prompt", prompt);
    if (f == FLOW_CREATE_ORG)
        add_param(&b, "is_create_org", "true");
    add_param(&b, "org_name", p->org_name);
    add_param(&b, "lang", p->lang);
    add_param(&b, "login_hint", p->login_hint);
    add_param(&b, "connection_id", p->connection_id);
    add_param(&b, "plan_interest", p->plan_interest);
    add_param(&b, "pricing_table_key", p->pricing_table_key);
    if (p->invitation_code) {
        add_param(&b, "invitation_code", p->invitation_code);
        add_param(&b, "is_invitation", "true");
    }
    add_param(&b, "workflow_deployment_id", p->workflow_deployment_id);
    if (p->supports_reauth)
        add_param(&b, "supports_reauth", "true");
    if (p->has_success_page)
        add_param(&b, "has_success_page", "true");
    kinde__free(challenge);

    *url = strbuf_take(&b, NULL);
    if (!*url) {
        kinde__session_clear_login(s);
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    }
    return KINDE_OK;
}

kinde_code kinde_get_login_url_sized(kinde_client *c, kinde_session *s,
                                     const kinde_auth_params *p, size_t p_size, char **url,
                                     kinde_error *err)
{
    return auth_url(c, s, p, p_size, FLOW_LOGIN, url, err);
}

kinde_code kinde_get_register_url_sized(kinde_client *c, kinde_session *s,
                                        const kinde_auth_params *p, size_t p_size, char **url,
                                        kinde_error *err)
{
    return auth_url(c, s, p, p_size, FLOW_REGISTER, url, err);
}

kinde_code kinde_get_create_org_url_sized(kinde_client *c, kinde_session *s,
                                          const kinde_auth_params *p, size_t p_size, char **url,
                                          kinde_error *err)
{
    return auth_url(c, s, p, p_size, FLOW_CREATE_ORG, url, err);
}

kinde_code kinde_get_logout_url(kinde_client *c, const char *redirect_to, char **url,
                                kinde_error *err)
{
    if (!c || !url)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "client and url are required");
    const char *target = redirect_to ? redirect_to : c->post_logout_redirect_url;
    strbuf b = {0};
    strbuf_adds(&b, c->logout_url);
    if (target && *target) {
        strbuf_adds(&b, "?redirect=");
        strbuf_add_urlenc(&b, target);
    }
    *url = strbuf_take(&b, NULL);
    return *url ? KINDE_OK : kinde__fail(err, KINDE_E_NOMEM, NULL);
}
