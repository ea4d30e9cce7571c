/* The two documents an SDK reads first: discovery and the JWKS. */
#include "emulator.h"

#include <stdio.h>

void emu_discovery(const emu_request *q, emu_reply *r)
{
    (void)q;
    const char *i = emu.issuer;
    char u[8][320];
    static const char *const paths[] = {"/oauth2/auth", "/oauth2/token", "/oauth2/v2/user_profile",
                                        "/.well-known/jwks.json", "/oauth2/revoke", "/oauth2/introspect",
                                        "/logout", ""};
    for (int k = 0; k < 7; k++)
        snprintf(u[k], sizeof u[k], "%s%s", i, paths[k]);
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s,s,s], s:[s], s:[s], s:[s], s:[s,s,s,s],"
        " s:[s,s,s], s:b, s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]}",
        "issuer", i, "authorization_endpoint", u[0], "token_endpoint", u[1], "userinfo_endpoint", u[2],
        "jwks_uri", u[3], "revocation_endpoint", u[4], "introspection_endpoint", u[5],
        "end_session_endpoint", u[6], "response_types_supported", "code", "grant_types_supported",
        "authorization_code", "refresh_token", "client_credentials", "subject_types_supported", "public",
        "id_token_signing_alg_values_supported", "RS256", "code_challenge_methods_supported", "S256",
        "scopes_supported", "openid", "profile", "email", "offline",
        "token_endpoint_auth_methods_supported", "client_secret_post", "client_secret_basic", "none",
        "authorization_response_iss_parameter_supported", 1, "claims_supported", "aud", "azp", "exp",
        "iat", "iss", "jti", "sub", "email", "given_name", "family_name", "name", "picture", "org_codes",
        "nonce", "at_hash");
    emu_reply_json(r, 200, d);
}

void emu_jwks(const emu_request *q, emu_reply *r)
{
    (void)q;
    json_t *keys = json_array();
    pthread_mutex_lock(&emu.lock);
    for (int k = 0; k < emu.n_keys; k++)
        json_array_append_new(keys, emu_key_jwk(&emu.keys[k]));
    pthread_mutex_unlock(&emu.lock);
    emu_reply_json(r, 200, json_pack("{s:o}", "keys", keys));
}
