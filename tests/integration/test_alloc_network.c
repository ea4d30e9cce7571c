/* The network paths with the n-th allocation failing, for every n, against
 * the real emulator: code exchange (with JWKS fetch and both verifications),
 * refresh, client credentials, profile and sign-out. Each call either
 * succeeds (the failure landed where it could be absorbed) or returns
 * KINDE_E_NOMEM; it never crashes and leaves no block behind. The set-up of
 * each round (client, login URL, a fresh code or refresh token) runs with
 * failures off, so only the call under test sees them.
 * (tests/unit/test_alloc_failure.c does the same for the offline paths.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kinde/management.h>

#include "harness.h"
#include "testutil.h"

static long fail_at = -1; /* allocation number that fails; -1 = none */
static long count;        /* allocations since the call under test began */

static int fail_nth(void)
{
    return fail_at >= 0 && ++count == fail_at;
}

/* What one round sets up (failures off) for the call under test. */
typedef struct round {
    kinde_client *client;
    kinde_session *session;
    browser *b;
    char *callback; /* for the code exchange */
    kinde_error err; /* the call's, for the failure message */
} round;

typedef void (*set_up_fn)(round *r);
typedef kinde_code (*call_fn)(round *r);

static void tear_down(round *r)
{
    kinde_session_free(r->session);
    kinde_client_free(r->client);
    browser_free(r->b);
    free(r->callback);
    memset(r, 0, sizeof *r);
}

static void every_failure(set_up_fn set_up, call_fn call, const char *name)
{
    long n;
    int nomem = 0;
    for (n = 1; n < 20000; n++) {
        long before = tu_alloc_live();
        round r = {0};
        set_up(&r);
        count = 0;
        fail_at = n;
        kinde_code rc = call(&r);
        long used = count;
        fail_at = -1;
        if (rc != KINDE_OK && rc != KINDE_E_NOMEM)
            fail_msg("%s: allocation %ld failed and the call returned %s (%s), not KINDE_E_NOMEM",
                     name, n, kinde_code_name(rc), r.err.text);
        nomem += rc == KINDE_E_NOMEM;
        tear_down(&r);
        if (tu_alloc_live() != before)
            fail_msg("%s: %ld blocks leaked when allocation %ld failed", name,
                     tu_alloc_live() - before, n);
        if (used < n)
            break; /* the call no longer reaches allocation n: all tried */
    }
    /* Every failure point was tried, and failures did reach the caller. */
    assert_true(n > 1);
    assert_true(nomem > 0);
    printf("%s: %ld allocation points, %d returned KINDE_E_NOMEM\n", name, n - 1, nomem);
}

/* ---- the calls ------------------------------------------------------------ */

static void with_code(round *r)
{
    r->client = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE_WITH_PKCE, NULL);
    r->session = kinde_session_new();
    r->b = browser_new();
    char *url = NULL;
    assert_non_null(r->client);
    assert_int_equal(kinde_get_login_url(r->client, r->session, NULL, &url, NULL), KINDE_OK);
    assert_int_equal(browser_authorize(r->b, url, "dave@smith.com", NULL, NULL, &r->callback), 0);
    kinde_free(url);
}

static kinde_code exchange(round *r)
{
    return kinde_fetch_token(r->client, r->session, r->callback, &r->err);
}

static void signed_in(round *r)
{
    r->client = emulator_client(&it_emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    r->b = browser_new();
    assert_non_null(r->client);
    r->session = emulator_login(&it_emu, r->client, r->b);
    assert_non_null(r->session);
}

static kinde_code refresh(round *r)
{
    return kinde_refresh_token(r->client, r->session, &r->err);
}

static kinde_code profile(round *r)
{
    char *json = NULL;
    kinde_code rc = kinde_get_user_profile(r->client, r->session, &json, &r->err);
    kinde_free(json);
    return rc;
}

static kinde_code sign_out(round *r)
{
    char *url = NULL;
    kinde_code rc = kinde_logout(r->client, r->session, "http://127.0.0.1:8000/", &url, &r->err);
    kinde_free(url);
    return rc;
}

static void m2m_client(round *r)
{
    r->client = emulator_client(&it_emu, KINDE_GRANT_CLIENT_CREDENTIALS, "https://api.example.com");
    assert_non_null(r->client);
}

static kinde_code m2m(round *r)
{
    char *token = NULL;
    kinde_code rc = kinde_get_m2m_token(r->client, NULL, &token, NULL, &r->err);
    kinde_free(token);
    return rc;
}

static void mgmt_client(round *r)
{
    r->client = emulator_m2m_client(&it_emu);
    assert_non_null(r->client);
}

/* The Management API path: the handle, the token for <domain>/api, a call
 * with parameters and a JSON body, and a page iterator. */
static kinde_code mgmt(round *r)
{
    kinde_mgmt *m = NULL;
    kinde_code rc = kinde_mgmt_new(r->client, NULL, &m, &r->err);
    if (rc != KINDE_OK)
        return rc;
    char *answer = NULL;
    const kinde_mgmt_param p[] = {{"page_size", "2"}, {NULL, NULL}};
    rc = kinde_mgmt_call(m, KINDE_MGMT_GET_USERS, p, NULL, &answer, &r->err);
    kinde_free(answer);
    answer = NULL;
    if (rc == KINDE_OK)
        rc = kinde_mgmt_call(m, KINDE_MGMT_CREATE_ORGANIZATION, NULL, "{\"name\":\"Alloc\"}",
                             &answer, &r->err);
    kinde_free(answer);
    kinde_mgmt_pages *it = NULL;
    if (rc == KINDE_OK)
        rc = kinde_mgmt_pages_new(m, KINDE_MGMT_GET_USERS, p, &it, &r->err);
    char *page = NULL;
    while (rc == KINDE_OK && (rc = kinde_mgmt_pages_next(it, &page, &r->err)) == KINDE_OK && page)
        kinde_free(page);
    kinde_mgmt_pages_free(it);
    kinde_mgmt_free(m);
    return rc;
}

static void management_api(void **state) { every_failure(mgmt_client, mgmt, "management API"); }

static void code_exchange(void **state) { every_failure(with_code, exchange, "code exchange"); }
static void refresh_token(void **state) { every_failure(signed_in, refresh, "refresh"); }
static void user_profile(void **state) { every_failure(signed_in, profile, "profile"); }
static void logout(void **state) { every_failure(signed_in, sign_out, "sign-out"); }
static void client_credentials(void **state) { every_failure(m2m_client, m2m, "client credentials"); }

int main(void)
{
    /* Before any other use of the library. */
    tu_alloc.fail = fail_nth;
    assert_int_equal(kinde_set_allocator(tu_malloc, tu_realloc, tu_free), KINDE_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_exchange),
        cmocka_unit_test(refresh_token),
        cmocka_unit_test(user_profile),
        cmocka_unit_test(logout),
        cmocka_unit_test(client_credentials),
        cmocka_unit_test(management_api),
    };
    return cmocka_run_group_tests(tests, it_group_start, it_group_stop);
}
