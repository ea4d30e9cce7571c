/* The callback checks of SECURITY.md B (each refused before any request),
 * token response shapes (C21), and the stored form of a session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* Nothing listens on port 9 of loopback: any request would fail loudly,
 * and the client's request counter shows whether one was attempted. */
static kinde_client *new_client(void)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:9";
    cfg.client_id = "cid";
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    kinde_client *c = NULL;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    return c;
}

static void callback_parse(void **state)
{
    kinde__callback cb;
    kinde_error err;
    assert_int_equal(kinde__callback_parse("http://x/cb?code=a%2Bb&state=s+1&iss=http%3A%2F%2Fi&other=1#frag",
                                           &cb, NULL), KINDE_OK);
    assert_string_equal(cb.code, "a+b");
    assert_string_equal(cb.state, "s 1");
    assert_string_equal(cb.iss, "http://i");
    assert_null(cb.error);
    kinde__callback_clear(&cb);

    assert_int_equal(kinde__callback_parse("/cb?error=access_denied&error_description=no%20way&state=x", &cb, NULL),
                     KINDE_OK);
    assert_string_equal(cb.error, "access_denied");
    assert_string_equal(cb.error_description, "no way");
    kinde__callback_clear(&cb);

    const char *bad[] = {"http://x/cb?code=1&state=a&state=b", "http://x/cb?code=1&code=2&state=a",
                         "http://x/cb?code=1&iss=a&iss=a&state=s", "http://x/cb?code=%zz&state=a",
                         "http://x/cb?code=%00&state=a", "http://x/cb?state=%4", "http://x/cb",
                         "http://x/cb?code=1\r\nX: y&state=s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(kinde__callback_parse(bad[i], &cb, &err), KINDE_E_CALLBACK);
        assert_null(cb.code);
        assert_null(cb.state);
    }
    assert_int_equal(kinde__callback_parse(NULL, &cb, &err), KINDE_E_INVALID_ARGUMENT);
}

/* Starts a login and returns its state (owned by the session). */
static const char *start(kinde_client *c, kinde_session *s)
{
    char *url = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    kinde_free(url);
    return s->state;
}

/* Authorization codes in the callbacks below: distinctive, so a test can
 * tell whether they leak into an error message. */
#define CODE "SplxlOBeZQQYbYS6WxSbIA"
#define CODE2 "Qcb0Orv1zh30vL1MPRsbmdiHiMwcLyZvn1arpZv"

static int refusals_checked;

/* SECURITY.md C26: what a refusal says goes to logs; it names what failed,
 * never the code, the state or the verifier. */
static void assert_no_secrets(const kinde_error *err, const char *const *secrets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!secrets[i] || !*secrets[i])
            continue;
        if (strstr(err->text, secrets[i]) || strstr(err->oauth_error, secrets[i]))
            fail_msg("error '%s' (%s) contains the secret '%s'", err->text, err->oauth_error,
                     secrets[i]);
    }
    refusals_checked++;
}

static kinde_code callback(kinde_client *c, kinde_session *s, const char *fmt, const char *state,
                           kinde_error *err)
{
    char url[1024], pending_state[256] = "", pending_verifier[256] = "", pending_nonce[256] = "";
    snprintf(url, sizeof url, fmt, state);
    /* fetch_token consumes the pending login: note its secrets first. */
    if (s->state)
        snprintf(pending_state, sizeof pending_state, "%s", s->state);
    if (s->verifier)
        snprintf(pending_verifier, sizeof pending_verifier, "%s", s->verifier);
    if (s->nonce)
        snprintf(pending_nonce, sizeof pending_nonce, "%s", s->nonce);
    memset(err, 0, sizeof *err);
    kinde_code rc = kinde_fetch_token(c, s, url, err);
    if (rc != KINDE_OK) {
        const char *secrets[] = {CODE, CODE2, state, pending_state, pending_verifier, pending_nonce};
        assert_no_secrets(err, secrets, sizeof secrets / sizeof secrets[0]);
    }
    return rc;
}

static void refused_before_any_request(void **state)
{
    kinde_client *c = new_client();
    kinde_session *s = kinde_session_new();
    kinde_error err;

    /* No login in progress. */
    refusals_checked = 0;
    assert_int_equal(callback(c, s, "http://127.0.0.1:8000/callback?code=" CODE "&state=%s",
                              "unknown_state_0123456789", &err),
                     KINDE_E_STATE);
    /* Wrong state, then the right state replayed: the login was consumed. */
    char saved[128];
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&state=%s", "wrong_state_0123456789", &err), KINDE_E_STATE);
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&state=%s", saved, &err), KINDE_E_STATE);
    /* Missing state. */
    start(c, s);
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "%s", "", &err), KINDE_E_STATE);
    /* Expired state. */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    kinde__clock_offset = 601;
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&state=%s", saved, &err), KINDE_E_STATE);
    assert_non_null(strstr(err.text, "expired"));
    kinde__clock_offset = 0;
    /* Duplicated parameters. */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&code=" CODE2 "&state=%s", saved, &err), KINDE_E_CALLBACK);
    /* Kinde's error parameters become typed errors. */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?error=login_required&error_description=Login+required&state=%s",
                              saved, &err), KINDE_E_LOGIN_REQUIRED);
    assert_string_equal(err.oauth_error, "login_required");
    assert_non_null(strstr(err.text, "Login required"));
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?error=access_denied&state=%s", saved, &err),
                     KINDE_E_ACCESS_DENIED);
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?error=login_link_expired&reauth_state=r&state=%s", saved, &err),
                     KINDE_E_AUTHORIZATION);
    assert_string_equal(err.oauth_error, "login_link_expired");
    /* RFC 9207 iss: trailing slash and case are different issuers. */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&iss=http%%3A%%2F%%2F127.0.0.1%%3A9%%2F&state=%s", saved, &err),
                     KINDE_E_ISSUER_MISMATCH);
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&iss=http%%3A%%2F%%2Fevil&state=%s", saved, &err),
                     KINDE_E_ISSUER_MISMATCH);
    /* No code. */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=&state=%s", saved, &err), KINDE_E_CALLBACK);

    /* Not one of these reached the network, and the session holds nothing. */
    assert_int_equal(c->requests, 0);
    assert_null(kinde_session_access_token(s));
    assert_null(s->state);

    /* A valid-looking callback does try the token endpoint (and fails: no server). */
    snprintf(saved, sizeof saved, "%s", start(c, s));
    assert_int_equal(callback(c, s, "http://h/callback?code=" CODE "&iss=http%%3A%%2F%%2F127.0.0.1%%3A9&state=%s", saved, &err),
                     KINDE_E_HTTP);
    assert_int_equal(c->requests, 1);
    /* Every refusal above had its text checked (C26): 13 of them. */
    assert_int_equal(refusals_checked, 13);
    kinde_session_free(s);
    kinde_client_free(c);
}

/* SECURITY.md B15: the state lives with the user's pending login, not in
 * the process. A callback carrying another session's state is refused
 * before any request, and does not disturb that other login. */
static void state_of_another_session(void **state)
{
    kinde_client *c = new_client();
    kinde_session *s1 = kinde_session_new(), *s2 = kinde_session_new();
    kinde_error err;
    char st1[128], st2[128];
    snprintf(st1, sizeof st1, "%s", start(c, s1));
    snprintf(st2, sizeof st2, "%s", start(c, s2));
    assert_string_not_equal(st1, st2);
    /* At least 128 bits of base64url (22 characters). */
    assert_true(strlen(st1) >= 22 && strlen(st2) >= 22);

    refusals_checked = 0;
    assert_int_equal(callback(c, s1, "http://h/callback?code=" CODE "&state=%s", st2, &err), KINDE_E_STATE);
    assert_string_equal(err.text, "state does not match the login");
    assert_int_equal(refusals_checked, 1);
    assert_int_equal(c->requests, 0);
    /* Session 1's login is spent (single use), even its own state now fails. */
    assert_null(s1->state);
    assert_null(kinde_session_access_token(s1));
    assert_int_equal(callback(c, s1, "http://h/callback?code=" CODE "&state=%s", st1, &err), KINDE_E_STATE);
    assert_int_equal(c->requests, 0);
    /* Session 2's pending login is untouched: its own state goes on to the
     * token endpoint (and fails there: nothing listens). */
    assert_string_equal(s2->state, st2);
    assert_int_equal(callback(c, s2, "http://h/callback?code=" CODE "&state=%s", st2, &err), KINDE_E_HTTP);
    assert_int_equal(c->requests, 1);
    kinde_session_free(s1);
    kinde_session_free(s2);
    kinde_client_free(c);
}

static void token_response_shapes(void **state)
{
    kinde__token_response tr;
    kinde_error err;
    const char *good = "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":86399,"
                       "\"id_token\":\"i\",\"refresh_token\":\"r\",\"scope\":\"openid\",\"unknown\":[1]}";
    assert_int_equal(kinde__token_response_parse(200, good, strlen(good), &tr, &err), KINDE_OK);
    assert_string_equal(tr.access_token, "a");
    assert_string_equal(tr.id_token, "i");
    assert_string_equal(tr.refresh_token, "r");
    assert_int_equal(tr.expires_in, 86399);
    kinde__token_response_clear(&tr);

    const struct {
        long status;
        const char *body;
        kinde_code code;
    } cases[] = {
        {200, "not json", KINDE_E_BAD_RESPONSE},
        {200, "[1,2]", KINDE_E_BAD_RESPONSE},
        {200, "{\"token_type\":\"bearer\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":5,\"token_type\":\"bearer\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"token_type\":\"mac\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"expires_in\":\"3600\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"id_token\":{}}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"access_token\":\"b\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"error\":\"x\"}", KINDE_E_BAD_RESPONSE},
        {200, "{\"access_token\":\"a\",\"tok", KINDE_E_BAD_RESPONSE},
        {400, "{\"error\":\"invalid_grant\",\"error_description\":\"Code reused\"}", KINDE_E_OAUTH},
        {401, "{\"error\":\"invalid_client\"}", KINDE_E_OAUTH},
        {500, "<html>oops</html>", KINDE_E_HTTP_STATUS},
        {302, "", KINDE_E_HTTP_STATUS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(kinde__token_response_parse(cases[i].status, cases[i].body,
                                                     strlen(cases[i].body), &tr, &err),
                         cases[i].code);
        assert_null(tr.json);
    }
    assert_int_equal(kinde__token_response_parse(400, cases[11].body, strlen(cases[11].body), &tr, &err),
                     KINDE_E_OAUTH);
    assert_string_equal(err.oauth_error, "invalid_grant");
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.text, "Code reused"));

    /* Deeply nested JSON is an error, not a crash. */
    char deep[20000];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    assert_int_equal(kinde__token_response_parse(200, deep, strlen(deep), &tr, &err), KINDE_E_BAD_RESPONSE);

    /* Huge JSON (D29): a valid answer past the 256 KiB cap is refused unread. */
    const size_t huge_len = 300 * 1024;
    char *huge = malloc(huge_len + 1);
    assert_non_null(huge);
    const char *head = "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"pad\":\"";
    strcpy(huge, head);
    memset(huge + strlen(head), 'x', huge_len - strlen(head) - 2);
    memcpy(huge + huge_len - 2, "\"}", 3);
    assert_int_equal(kinde__token_response_parse(200, huge, huge_len, &tr, &err), KINDE_E_BAD_RESPONSE);
    assert_non_null(strstr(err.text, "too large"));
    assert_null(tr.json);
    free(huge);
}

/* A well-formed but unsigned token: the stored form only checks form. */
static char *fake_token(const char *payload_json)
{
    char *h = kinde__b64url_encode((const unsigned char *)"{\"alg\":\"RS256\",\"kid\":\"k\"}", 25);
    char *p = kinde__b64url_encode((const unsigned char *)payload_json, strlen(payload_json));
    strbuf b = {0};
    strbuf_addf(&b, "%s.%s.c2lnbmF0dXJl", h, p);
    kinde__free(h);
    kinde__free(p);
    return strbuf_take(&b, NULL);
}

static void session_round_trip(void **state)
{
    kinde_client *c = new_client();
    kinde_session *s = kinde_session_new();
    start(c, s);
    char *at = fake_token("{\"sub\":\"kp_1\",\"exp\":4102444800,\"org_code\":\"org_1\",\"permissions\":[\"a\"]}");
    char *it = fake_token("{\"sub\":\"kp_1\",\"given_name\":\"Dave\",\"org_codes\":[\"org_1\",\"org_2\"]}");
    kinde__jdoc *atc = tu_jdoc("{\"sub\":\"kp_1\",\"exp\":4102444800,\"org_code\":\"org_1\",\"permissions\":[\"a\"]}");
    kinde__jdoc *itc = tu_jdoc("{\"sub\":\"kp_1\",\"given_name\":\"Dave\",\"org_codes\":[\"org_1\",\"org_2\"]}");
    assert_int_equal(kinde__session_set_tokens(s, at, atc, it, itc, kinde__strdup("rt"), NULL), KINDE_OK);

    char *text = NULL;
    assert_int_equal(kinde_session_serialize(s, &text, NULL), KINDE_OK);
    kinde_session *back = NULL;
    assert_int_equal(kinde_session_deserialize(text, strlen(text), &back, NULL), KINDE_OK);
    assert_string_equal(kinde_session_access_token(back), kinde_session_access_token(s));
    assert_string_equal(kinde_session_id_token(back), kinde_session_id_token(s));
    assert_string_equal(kinde_session_refresh_token(back), "rt");
    assert_int_equal(kinde_session_expires_at(back), 4102444800LL);
    assert_string_equal(back->state, s->state);
    assert_string_equal(back->nonce, s->nonce);
    assert_string_equal(back->verifier, s->verifier);
    assert_string_equal(back->redirect_uri, s->redirect_uri);
    assert_int_equal(back->login_started, s->login_started);
    const char *org;
    kinde_user u;
    assert_int_equal(kinde_get_organization(back, &org, NULL), KINDE_OK);
    assert_string_equal(org, "org_1");
    assert_int_equal(kinde_get_user_details(back, &u, NULL), KINDE_OK);
    assert_string_equal(u.given_name, "Dave");
    kinde_free(text);
    kinde_session_free(back);

    /* An empty session round-trips too. */
    kinde_session *empty = kinde_session_new();
    assert_int_equal(kinde_session_serialize(empty, &text, NULL), KINDE_OK);
    assert_int_equal(kinde_session_deserialize(text, strlen(text), &back, NULL), KINDE_OK);
    assert_null(kinde_session_access_token(back));
    kinde_free(text);
    kinde_session_free(back);
    kinde_session_free(empty);
    kinde_session_free(s);
    kinde_client_free(c);
}

static void corrupt_sessions_are_refused(void **state)
{
    const char *bad[] = {
        "", "null", "{\"v\":1}", "kinde-session 2\n", "kinde-session 1",
        "kinde-session 1\nat not-a-token\n",
        "kinde-session 1\nat a.b.c\n",
        "kinde-session 1\nit a.b.c\n",
        "kinde-session 1\nrt r\n",
        "kinde-session 1\nst s\n",
        "kinde-session 1\nst s\nno n\ncv v\nru r\nt x\n",
        "kinde-session 1\nst s\nno n\ncv v\nru r\nt -5\n",
        "kinde-session 1\nst s\nst s\n",
        "kinde-session 1\nxx y\n",
        "kinde-session 1\nst \n",
        "kinde-session 1\nst s\r\n",
        "kinde-session 1\nst s",
        "kinde-session 1\nnospace\n",
    };
    kinde_error err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kinde_session *s = (kinde_session *)0x1;
        if (kinde_session_deserialize(bad[i], strlen(bad[i]), &s, &err) != KINDE_E_SESSION_DATA)
            fail_msg("accepted corrupt session record %zu", i);
        assert_ptr_equal(s, (kinde_session *)0x1);
    }
    assert_int_equal(kinde_session_deserialize(NULL, 0, NULL, &err), KINDE_E_INVALID_ARGUMENT);
    /* An embedded NUL is refused, not read up to. */
    kinde_session *s = NULL;
    assert_int_equal(kinde_session_deserialize("kinde-session 1\n\0", 17, &s, &err), KINDE_E_SESSION_DATA);
}

static void decode_without_verifying(void **state)
{
    char *tok = fake_token("{\"sub\":\"kp_1\"}");
    char *h = NULL, *p = NULL;
    assert_int_equal(kinde_decode_token(tok, &h, &p, NULL), KINDE_OK);
    assert_non_null(strstr(h, "RS256"));
    assert_non_null(strstr(p, "kp_1"));
    kinde_free(h);
    kinde_free(p);
    kinde__free(tok);
    kinde_error err;
    assert_int_equal(kinde_decode_token("a.b", &h, &p, &err), KINDE_E_TOKEN_MALFORMED);
    assert_int_equal(kinde_decode_token("a.b.c.d", &h, &p, &err), KINDE_E_TOKEN_MALFORMED);
    assert_int_equal(kinde_decode_token("!!.b.c", &h, &p, &err), KINDE_E_TOKEN_MALFORMED);
}

static void is_authenticated_reasons(void **state)
{
    kinde_client *c = new_client();
    kinde_session *s = kinde_session_new();
    kinde_error why;
    assert_int_equal(kinde_is_authenticated(c, s, &why), 0);
    assert_int_equal(why.code, KINDE_E_NOT_AUTHENTICATED);
    kinde__jdoc *claims = tu_jdoc("{\"sub\":\"kp_1\",\"exp\":4102444800}");
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("x.y.z"), claims, NULL, NULL, NULL, NULL), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, s, &why), 1);
    claims = tu_jdoc("{\"sub\":\"kp_1\",\"exp\":1000}");
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("x.y.z"), claims, NULL, NULL, NULL, NULL), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, s, &why), 0);
    assert_int_equal(why.code, KINDE_E_TOKEN_EXPIRED);
    /* Expired with a refresh token: a refresh is attempted (no server here). */
    claims = tu_jdoc("{\"sub\":\"kp_1\",\"exp\":1000}");
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("x.y.z"), claims, NULL, NULL, kinde__strdup("rt"), NULL), KINDE_OK);
    assert_int_equal(kinde_is_authenticated(c, s, &why), 0);
    assert_int_equal(why.code, KINDE_E_HTTP);
    assert_int_equal(c->requests, 1);
    assert_int_equal(kinde_is_authenticated(NULL, s, &why), 0);
    kinde_session_free(s);
    kinde_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(callback_parse),
        cmocka_unit_test(refused_before_any_request),
        cmocka_unit_test(state_of_another_session),
        cmocka_unit_test(token_response_shapes),
        cmocka_unit_test(session_round_trip),
        cmocka_unit_test(corrupt_sessions_are_refused),
        cmocka_unit_test(decode_without_verifying),
        cmocka_unit_test(is_authenticated_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
