/* The single-use and expiring things, keyed by random strings: codes,
 * refresh tokens and browser sessions (emu.codes, emu.refresh,
 * emu.sessions; emu.requests and emu.revoked_jti are swept here too).
 * Every function here is called with the lock held. */
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

#define SESSION_TTL (30L * 86400)

const char *emu_session_user(const char *sid)
{
    json_t *s = sid ? json_object_get(emu.sessions, sid) : NULL;
    if (!s)
        return NULL;
    if (json_integer_value(json_object_get(s, "expires")) < emu_now()) {
        json_object_del(emu.sessions, sid);
        return NULL;
    }
    const char *user = json_string_value(json_object_get(s, "user"));
    const json_t *u = emu_user_by_id(emu.data, user);
    return u && !json_is_true(json_object_get(u, "is_suspended")) ? user : NULL; /* suspended: signed out */
}

char *emu_session_start(const char *user_id)
{
    char *sid = emu_random_token(32);
    if (!sid)
        return NULL;
    json_object_set_new(emu.sessions, sid,
                        json_pack("{s:s, s:I}", "user", user_id, "expires", (json_int_t)emu_now() + SESSION_TTL));
    strbuf c = {0};
    strbuf_addf(&c, EMU_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax", sid);
    free(sid);
    return strbuf_take(&c, NULL);
}

void emu_session_end(const char *sid)
{
    if (sid)
        json_object_del(emu.sessions, sid);
}

/* Forgets what has expired, now and then, so a long benchmark or demo does
 * not grow without bound. */
static void sweep(void)
{
    static unsigned calls;
    if (++calls % 512 != 0)
        return;
    int64_t now = emu_now();
    json_t *tables[] = {emu.requests, emu.codes, emu.refresh, emu.sessions};
    for (int t = 0; t < 4; t++) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(tables[t], tmp, k, v) {
            int64_t rotated = json_integer_value(json_object_get(v, "rotated_at"));
            /* A used code stays until it expires: a replay must still be
             * recognised, and revoke what the code granted. */
            if (json_integer_value(json_object_get(v, "expires")) < now ||
                (rotated && now - rotated > emu.cfg.refresh_overlap))
                json_object_del(tables[t], k);
        }
    }
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(emu.revoked_jti, tmp, k, v)
        if (json_integer_value(v) < now)
            json_object_del(emu.revoked_jti, k);
}

char *emu_code_issue(const json_t *req, const char *user_id, const char *org)
{
    sweep();
    char *code = emu_random_token(32);
    if (!code)
        return NULL;
    int64_t now = emu_now();
    json_t *grant = json_pack("{s:O, s:O, s:s, s:s?, s:O, s:O, s:I, s:I}", "client_id",
                              json_object_get(req, "client_id"), "redirect_uri",
                              json_object_get(req, "redirect_uri"), "user", user_id, "org", org, "scope",
                              json_object_get(req, "scope"), "audiences", json_object_get(req, "audiences"),
                              "auth_time", (json_int_t)now, "expires", (json_int_t)now + emu.cfg.code_ttl);
    if (json_object_get(req, "nonce"))
        json_object_set(grant, "nonce", json_object_get(req, "nonce"));
    if (json_object_get(req, "code_challenge"))
        json_object_set(grant, "code_challenge", json_object_get(req, "code_challenge"));
    json_object_set_new(emu.codes, code, grant);
    return code;
}

void emu_code_revoke_grants(const char *code)
{
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(emu.refresh, tmp, k, v) {
        const char *from = json_string_value(json_object_get(v, "code"));
        if (from && strcmp(from, code) == 0)
            json_object_set_new(v, "revoked", json_true());
    }
}

char *emu_refresh_store(const json_t *grant, int64_t now)
{
    char *token = emu_random_token(32);
    if (!token)
        return NULL;
    json_t *g = json_deep_copy(grant);
    json_object_del(g, "nonce");
    json_object_del(g, "code_challenge");
    json_object_del(g, "redirect_uri");
    json_object_del(g, "used"); /* the code's state, not the refresh token's */
    json_object_set_new(g, "expires", json_integer(now + emu.cfg.refresh_ttl));
    json_object_set_new(g, "rotated_at", json_integer(0));
    json_object_set_new(emu.refresh, token, g);
    return token;
}
