/* The user profile endpoints: the user of a live Bearer access token, in
 * Kinde's two shapes (v2 is OpenID userinfo-like, v1 the older one). */
#include "emulator.h"

#include <stdio.h>
#include <strings.h>

static void profile(const emu_request *q, emu_reply *r, int v2)
{
    const char *auth = q->authorization;
    json_t *claims = NULL;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        claims = emu_access_token_live(auth + 7);
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    pthread_mutex_lock(&emu.lock);
    const json_t *user = sub ? emu_user_by_id(emu.data, sub) : NULL;
    json_t *out = NULL;
    if (user) {
        const json_t *given = json_object_get(user, "given_name");
        const json_t *family = json_object_get(user, "family_name");
        const json_t *picture = json_object_get(user, "picture");
        char name[512];
        snprintf(name, sizeof name, "%s %s", json_string_value(given) ? json_string_value(given) : "",
                 json_string_value(family) ? json_string_value(family) : "");
        if (v2)
            out = json_pack("{s:s, s:s, s:n, s:s, s:O?, s:O?, s:O?, s:O?, s:b, s:O?, s:n}", "sub", sub, "id",
                            sub, "provided_id", "name", name, "given_name", given, "family_name", family,
                            "updated_at", json_object_get(user, "updated_at"), "email",
                            json_object_get(user, "email"), "email_verified", 1, "picture", picture,
                            "preferred_username");
        else
            out = json_pack("{s:s, s:O?, s:n, s:n, s:O?, s:O?, s:O?}", "id", sub, "preferred_email",
                            json_object_get(user, "email"), "username", "provided_id", "last_name", family,
                            "first_name", given, "picture", picture);
    }
    pthread_mutex_unlock(&emu.lock);
    json_decref(claims);
    if (!out) {
        emu_reply_json(r, 401, json_pack("{s:s, s:s}", "error", "invalid_token", "error_description",
                                         "a valid user access token is required"));
        r->www_authenticate = "Bearer error=\"invalid_token\"";
        return;
    }
    emu_reply_json(r, 200, out);
    r->no_store = 1;
}

void emu_profile_v1(const emu_request *q, emu_reply *r)
{
    profile(q, r, 0);
}

void emu_profile_v2(const emu_request *q, emu_reply *r)
{
    profile(q, r, 1);
}
