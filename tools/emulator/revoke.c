/* POST /oauth2/revoke and POST /oauth2/introspect, and what makes an access
 * token no longer live (its jti revoked, or its time is up). */
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

void emu_revoke(const emu_request *q, emu_reply *r)
{
    const char *token = emu_form_once(&q->form, "token", r);
    if (!token)
        return;
    json_t *claims = strchr(token, '.') ? emu_jwt_verify(token) : NULL;
    pthread_mutex_lock(&emu.lock);
    int secret_given = 0;
    const json_t *app = emu_client_authenticate(q, r, &secret_given);
    if (app) {
        const char *client_id = json_string_value(json_object_get(app, "client_id"));
        json_t *grant = json_object_get(emu.refresh, token);
        /* Another client's token is left alone, and the answer is the same
         * (RFC 7009 2.2: no oracle for which tokens exist). */
        if (grant && strcmp(json_string_value(json_object_get(grant, "client_id")), client_id) == 0)
            json_object_set_new(grant, "revoked", json_true());
        const char *jti = json_string_value(json_object_get(claims, "jti"));
        const char *azp = json_string_value(json_object_get(claims, "azp"));
        if (jti && azp && strcmp(azp, client_id) == 0)
            json_object_set(emu.revoked_jti, jti, json_object_get(claims, "exp"));
        r->status = 200;
        r->no_store = 1;
    }
    pthread_mutex_unlock(&emu.lock);
    json_decref(claims);
}

json_t *emu_access_token_live(const char *token)
{
    json_t *claims = emu_jwt_verify(token);
    if (!claims)
        return NULL;
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    pthread_mutex_lock(&emu.lock);
    int revoked = jti && json_object_get(emu.revoked_jti, jti);
    int64_t now = emu_now();
    pthread_mutex_unlock(&emu.lock);
    if (revoked || !json_object_get(claims, "scp") ||
        json_integer_value(json_object_get(claims, "exp")) <= now) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

void emu_introspect(const emu_request *q, emu_reply *r)
{
    const char *token = emu_form_once(&q->form, "token", r);
    if (!token)
        return;
    if (emu_form_get(&q->form, "client_id", NULL) || q->authorization) {
        int secret_given = 0;
        pthread_mutex_lock(&emu.lock);
        const json_t *app = emu_client_authenticate(q, r, &secret_given);
        pthread_mutex_unlock(&emu.lock);
        if (!app)
            return;
    }
    json_t *claims = strchr(token, '.') ? emu_access_token_live(token) : NULL;
    json_t *out = NULL;
    if (claims) {
        json_t *scp = json_object_get(claims, "scp");
        strbuf s = {0};
        size_t i;
        json_t *v;
        json_array_foreach(scp, i, v) {
            if (i)
                strbuf_adds(&s, " ");
            strbuf_adds(&s, json_string_value(v));
        }
        char *scope = strbuf_take(&s, NULL);
        out = json_pack("{s:b, s:O, s:O, s:O, s:O, s:O, s:s, s:s}", "active", 1, "aud",
                        json_object_get(claims, "aud"), "client_id", json_object_get(claims, "azp"), "exp",
                        json_object_get(claims, "exp"), "iat", json_object_get(claims, "iat"), "sub",
                        json_object_get(claims, "sub"), "scope", scope ? scope : "", "token_type",
                        "access_token");
        free(scope);
        json_decref(claims);
    } else if (!strchr(token, '.')) {
        pthread_mutex_lock(&emu.lock);
        json_t *grant = json_object_get(emu.refresh, token);
        int64_t now = emu_now();
        if (grant && !json_is_true(json_object_get(grant, "revoked")) &&
            json_integer_value(json_object_get(grant, "expires")) >= now)
            out = json_pack("{s:b, s:O, s:O, s:O, s:s}", "active", 1, "client_id",
                            json_object_get(grant, "client_id"), "exp", json_object_get(grant, "expires"),
                            "sub", json_object_get(grant, "user"), "token_type", "refresh_token");
        pthread_mutex_unlock(&emu.lock);
    }
    emu_reply_json(r, 200, out ? out : json_pack("{s:b}", "active", 0));
    r->no_store = 1;
}
