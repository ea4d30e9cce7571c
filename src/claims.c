/* Reading the session's verified claims: permissions, organizations, user.
 * Nothing here touches the network or allocates, except get_claim's JSON. */
#include "internal.h"

#include <string.h>

static kinde_code need_tokens(const kinde_session *s, kinde_error *err)
{
    if (!s)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "session is NULL");
    if (!s->access_claims)
        return kinde__fail(err, KINDE_E_NOT_AUTHENTICATED, "no tokens in this session");
    return KINDE_OK;
}

static const kinde__jval *claims_of(const kinde_session *s, kinde_token_kind token)
{
    return kinde__jroot(token == KINDE_ID_TOKEN ? s->id_claims : s->access_claims);
}

kinde_code kinde_get_claim(const kinde_session *s, const char *name, kinde_token_kind token,
                           char **value_json, kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!name || !value_json)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "name and value_json are required");
    const kinde__jval *v = kinde__jget(claims_of(s, token), name);
    *value_json = v ? kinde__jtext(v) : kinde__strdup("null");
    return *value_json ? KINDE_OK : kinde__fail(err, KINDE_E_NOMEM, NULL);
}

static kinde_code typed_claim(const kinde_session *s, const char *name, kinde_token_kind token,
                              int is_string, const kinde__jval **out, kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!name)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "name is NULL");
    const kinde__jval *v = kinde__jget(claims_of(s, token), name);
    if (!v || v->type != (is_string ? KINDE__J_STRING : KINDE__J_INT))
        return kinde__fail(err, KINDE_E_CLAIM_NOT_FOUND, "claim '%s' is %s", name,
                           v ? (is_string ? "not a string" : "not an integer") : "absent");
    *out = v;
    return KINDE_OK;
}

kinde_code kinde_get_string_claim(const kinde_session *s, const char *name,
                                  kinde_token_kind token, const char **value, kinde_error *err)
{
    const kinde__jval *v = NULL;
    kinde_code rc = typed_claim(s, name, token, 1, &v, err);
    if (v && value) /* typed_claim sets v only when it succeeds */
        *value = v->v.s;
    return rc;
}

kinde_code kinde_get_integer_claim(const kinde_session *s, const char *name,
                                   kinde_token_kind token, int64_t *value, kinde_error *err)
{
    const kinde__jval *v = NULL;
    kinde_code rc = typed_claim(s, name, token, 0, &v, err);
    if (v && value) /* typed_claim sets v only when it succeeds */
        *value = v->v.i;
    return rc;
}

static void set_list(kinde_strings *out, const char **items, size_t n)
{
    if (out) {
        out->count = n;
        out->items = items;
    }
}

kinde_code kinde_get_permission(const kinde_session *s, const char *key, int *is_granted,
                                const char **org_code, kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!key || !is_granted)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "key and is_granted are required");
    *is_granted = 0;
    for (size_t i = 0; i < s->n_permissions; i++)
        if (strcmp(s->permissions[i], key) == 0) {
            *is_granted = 1;
            break;
        }
    if (org_code)
        *org_code = s->org_code;
    return KINDE_OK;
}

kinde_code kinde_get_permissions(const kinde_session *s, const char **org_code,
                                 kinde_strings *permissions, kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (org_code)
        *org_code = s->org_code;
    set_list(permissions, s->permissions, s->n_permissions);
    return KINDE_OK;
}

kinde_code kinde_get_organization(const kinde_session *s, const char **org_code,
                                  kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!org_code)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "org_code is NULL");
    *org_code = s->org_code;
    return KINDE_OK;
}

kinde_code kinde_get_user_organizations(const kinde_session *s, kinde_strings *org_codes,
                                        kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!org_codes)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "org_codes is NULL");
    set_list(org_codes, s->org_codes, s->n_org_codes);
    return KINDE_OK;
}

kinde_code kinde_get_roles(const kinde_session *s, kinde_strings *role_keys, kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!role_keys)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "role_keys is NULL");
    set_list(role_keys, s->roles, s->n_roles);
    return KINDE_OK;
}

kinde_code kinde_get_user_details_sized(const kinde_session *s, kinde_user *user, size_t user_size,
                                        kinde_error *err)
{
    kinde_code rc = need_tokens(s, err);
    if (rc)
        return rc;
    if (!user)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "user is NULL");
    /* The ID token describes the user; an access token alone only names them. */
    const kinde__jval *c = kinde__jroot(s->id_claims ? s->id_claims : s->access_claims);
    kinde_user u = {0}; /* members added later start as "the token lacks it" */
    u.id = kinde__jget_str(c, "sub");
    u.given_name = kinde__jget_str(c, "given_name");
    u.family_name = kinde__jget_str(c, "family_name");
    u.email = kinde__jget_str(c, "email");
    u.picture = kinde__jget_str(c, "picture");
    kinde__struct_out(user, user_size, &u, sizeof u);
    return KINDE_OK;
}
