/* The n-th allocation fails, for every n: each path returns KINDE_E_NOMEM
 * (or succeeds when the failure landed somewhere it could be absorbed), never
 * crashes, and leaves no allocation behind. Network paths are covered the
 * same way against the emulator (tests/integration/test_alloc_network.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* The n-th allocation of a run fails (tu_malloc asks fail_nth). */
static long fail_at = -1;   /* allocation number that fails; -1 = none */
static long count;          /* allocations so far in this run */

static int fail_nth(void)
{
    return fail_at >= 0 && ++count == fail_at;
}

typedef kinde_code (*scenario)(void);

/* Runs s with every allocation failing in turn until a run needs no failure. */
static void every_failure(scenario s, const char *name)
{
    long n;
    for (n = 1; n < 100000; n++) {
        fail_at = n;
        count = 0;
        long before = tu_alloc_live();
        kinde_code rc = s();
        long used = count;
        fail_at = -1;
        if (tu_alloc_live() != before)
            fail_msg("%s: %ld blocks leaked when allocation %ld failed", name, tu_alloc_live() - before, n);
        if (used < n) {
            assert_int_equal(rc, KINDE_OK); /* no failure was injected: must succeed */
            break;
        }
        if (rc != KINDE_OK && rc != KINDE_E_NOMEM)
            fail_msg("%s: allocation %ld failed and the call returned %s", name, n, kinde_code_name(rc));
    }
    assert_true(n > 1);
}

static kinde_client *client_or_null(kinde_code *rc)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "https://acme.kinde.com";
    cfg.client_id = "cid";
    cfg.client_secret = "secret";
    cfg.callback_url = "http://localhost:8000/callback";
    cfg.audience = "api.one api.two";
    kinde_client *c = NULL;
    *rc = kinde_client_new(&cfg, &c, NULL);
    return c;
}

static kinde_code make_client(void)
{
    kinde_code rc;
    kinde_client_free(client_or_null(&rc));
    return rc;
}

static kinde_code login_urls(void)
{
    kinde_code rc;
    kinde_client *c = client_or_null(&rc);
    if (!c)
        return rc;
    kinde_session *s = kinde_session_new();
    char *url = NULL, *text = NULL;
    kinde_auth_params p = {.org_name = "Org", .login_hint = "a@b", .invitation_code = "i"};
    if (!s)
        rc = KINDE_E_NOMEM;
    if (rc == KINDE_OK && (rc = kinde_get_create_org_url(c, s, &p, &url, NULL)) == KINDE_OK)
        kinde_free(url);
    if (rc == KINDE_OK && (rc = kinde_get_logout_url(c, "http://localhost:8000/", &url, NULL)) == KINDE_OK)
        kinde_free(url);
    if (rc == KINDE_OK && (rc = kinde_session_serialize(s, &text, NULL)) == KINDE_OK) {
        kinde_session *back = NULL;
        rc = kinde_session_deserialize(text, strlen(text), &back, NULL);
        kinde_session_free(back);
        kinde_free(text);
    }
    /* A refused callback: the pending login is consumed, nothing leaks. */
    if (rc == KINDE_OK && kinde_fetch_token(c, s, "http://h/cb?code=x&state=wrong", NULL) == KINDE_E_NOMEM)
        rc = KINDE_E_NOMEM;
    kinde_session_free(s);
    kinde_client_free(c);
    return rc;
}

static const char *stored_session =
    "kinde-session 1\n"
    "at eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJrcF8xIiwiZXhwIjo0MTAyNDQ0ODAwLCJvcmdfY29kZSI6Im9yZ18xIiwicGVybWlzc2lvbnMiOlsiYSJdLCJmZWF0dXJlX2ZsYWdzIjp7InRoZW1lIjp7InQiOiJzIiwidiI6InBpbmsifX0sInJvbGVzIjpbeyJrZXkiOiJhZG1pbiJ9XX0.c2lnbmF0dXJl\n"
    "it eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJrcF8xIiwiZ2l2ZW5fbmFtZSI6IkRhdmUiLCJvcmdfY29kZXMiOlsib3JnXzEiXX0.c2lnbmF0dXJl\n"
    "rt refresh\nst s\nno n\ncv v\nru http://x/cb\nt 1\n";

static kinde_code load_and_read(void)
{
    kinde_session *s = NULL;
    kinde_code rc = kinde_session_deserialize(stored_session, strlen(stored_session), &s, NULL);
    if (rc != KINDE_OK)
        return rc;
    char *json = NULL;
    const char *theme;
    kinde_strings roles;
    if ((rc = kinde_get_claim(s, "permissions", KINDE_ACCESS_TOKEN, &json, NULL)) == KINDE_OK)
        kinde_free(json);
    if (rc == KINDE_OK)
        rc = kinde_get_string_flag(s, "theme", NULL, &theme, NULL);
    if (rc == KINDE_OK)
        rc = kinde_get_roles(s, &roles, NULL);
    if (rc == KINDE_OK && (rc = kinde_session_serialize(s, &json, NULL)) == KINDE_OK)
        kinde_free(json);
    kinde_session_free(s);
    return rc;
}

static kinde_code parse_outside_input(void)
{
    kinde__callback cb;
    kinde_code rc = kinde__callback_parse("http://h/cb?code=a%20b&state=s&iss=i&error_description=d", &cb, NULL);
    if (rc != KINDE_OK)
        return rc;
    kinde__callback_clear(&cb);
    const char *body = "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"id_token\":\"i\",\"expires_in\":10}";
    kinde__token_response tr;
    kinde_error err;
    rc = kinde__token_response_parse(200, body, strlen(body), &tr, &err);
    if (rc == KINDE_OK)
        kinde__token_response_clear(&tr);
    if (rc != KINDE_OK)
        return rc;
    char *h = NULL, *p = NULL;
    rc = kinde_decode_token("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrcF8xIn0.c2ln", &h, &p, &err);
    kinde_free(h);
    kinde_free(p);
    return rc;
}

/* Token payloads past what jsonscan.c keeps on the stack: more values than
 * its stack array (the array moves to the heap), objects with more members
 * than it compares pairwise (names sorted in a heap copy), a long real, and
 * the copies and texts made from the result. */
static kinde_code large_payload(void)
{
    static char text[8192];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\"r\":1.%0100d", 5);
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, ",\"k%d\":[%d]", i, i);
    n += (size_t)snprintf(text + n, sizeof text - n, "}");
    char copy[sizeof text];
    memcpy(copy, text, n + 1);
    kinde__jdoc *d = NULL;
    const char *why = NULL;
    int rc = kinde__jdoc_parse(copy, n, &d, &why);
    if (rc == -2)
        return KINDE_E_NOMEM;
    if (rc != 0)
        return KINDE_E_TOKEN_MALFORMED;
    kinde__jdoc *c = kinde__jdoc_dup(d);
    char *t = kinde__jtext(kinde__jroot(d));
    kinde_code out = c && t ? KINDE_OK : KINDE_E_NOMEM;
    kinde_free(t);
    kinde__jdoc_free(c);
    kinde__jdoc_free(d);
    return out;
}

static void client_creation(void **state) { every_failure(make_client, "kinde_client_new"); }
static void urls_and_session(void **state) { every_failure(login_urls, "login URLs"); }
static void stored_sessions(void **state) { every_failure(load_and_read, "stored session"); }
static void outside_input(void **state) { every_failure(parse_outside_input, "parsers"); }
static void large_payloads(void **state) { every_failure(large_payload, "large payload"); }

int main(void)
{
    tu_alloc.fail = fail_nth;
    assert_int_equal(kinde_set_allocator(tu_malloc, tu_realloc, tu_free), KINDE_OK);
    assert_int_equal(kinde_set_allocator(NULL, tu_realloc, tu_free), KINDE_E_INVALID_ARGUMENT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_creation),
        cmocka_unit_test(urls_and_session),
        cmocka_unit_test(stored_sessions),
        cmocka_unit_test(outside_input),
        cmocka_unit_test(large_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
