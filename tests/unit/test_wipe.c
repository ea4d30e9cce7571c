#define _GNU_SOURCE /* memmem */
/* SECURITY.md C26: buffers that held secrets are wiped before they are
 * freed. An allocator installed with kinde_set_allocator() looks into every
 * block as it is freed and counts those still holding a marker that was put
 * into tokens, codes and secrets. Blocks the library (or jansson, through
 * the library's hooks) allocates are all seen; curl's own copies are not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define MARKER "Zq7MARKERx9"

static long unwiped; /* freed blocks that still held the marker */
/* WIPE_ABORT=1 in the environment aborts at the first unwiped block, for a
 * debugger's backtrace (the detector's own check excepted). */
static int debugging;

static void look_into(const void *p, size_t n)
{
    if (memmem(p, n, MARKER, strlen(MARKER))) {
        unwiped++;
        if (debugging)
            abort();
    }
}

/* The detector works: a block freed without wiping is counted. */
static void detector_sees_an_unwiped_block(void **state)
{
    int was = debugging;
    debugging = 0;
    unwiped = 0;
    char *p = kinde__strdup("x " MARKER " y");
    assert_non_null(p);
    kinde__free(p); /* the plain free: no wipe */
    assert_int_equal(unwiped, 1);
    unwiped = 0;
    p = kinde__strdup(MARKER);
    kinde_free(p);
    assert_int_equal(unwiped, 0);
    debugging = was;
}

/* A token endpoint's answer: jansson's blocks and the copies both. */
static void token_response(void **state)
{
    unwiped = 0;
    const char *body = "{\"access_token\":\"at-" MARKER "\",\"token_type\":\"Bearer\","
                       "\"refresh_token\":\"rt-" MARKER "\",\"id_token\":\"it-" MARKER "\","
                       "\"expires_in\":3600}";
    kinde__token_response tr;
    kinde_error err;
    assert_int_equal(kinde__token_response_parse(200, body, strlen(body), &tr, &err), KINDE_OK);
    kinde__token_response_clear(&tr);
    const char *error = "{\"error\":\"invalid_grant\",\"error_description\":\"" MARKER "\"}";
    assert_int_equal(kinde__token_response_parse(400, error, strlen(error), &tr, &err), KINDE_E_OAUTH);
    assert_int_equal(unwiped, 0);
}

/* A stored session whose tokens carry the marker in their claims: loading
 * it, reading claims, storing it again and freeing everything. */
static void stored_session(void **state)
{
    char *payload = tu_b64url("{\"sub\":\"kp_1\",\"exp\":4102444800,\"secret\":\"" MARKER "\","
                              "\"permissions\":[\"" MARKER "\"],\"org_code\":\"org_1\"}",
                              strlen("{\"sub\":\"kp_1\",\"exp\":4102444800,\"secret\":\"" MARKER "\","
                                     "\"permissions\":[\"" MARKER "\"],\"org_code\":\"org_1\"}"));
    assert_non_null(payload);
    char text[2048];
    snprintf(text, sizeof text,
             "kinde-session 1\n"
             "at eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.%s.c2lnbmF0dXJl\n"
             "it eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.%s.c2lnbmF0dXJl\n"
             "rt rt-" MARKER "\nst s\nno n\ncv v\nru http://x/cb\nt 1\n",
             payload, payload);
    free(payload);

    unwiped = 0;
    kinde_session *s = NULL;
    assert_int_equal(kinde_session_deserialize(text, strlen(text), &s, NULL), KINDE_OK);
    char *json = NULL;
    assert_int_equal(kinde_get_claim(s, "secret", KINDE_ACCESS_TOKEN, &json, NULL), KINDE_OK);
    assert_non_null(strstr(json, MARKER));
    kinde_free(json);
    int granted = 0;
    assert_int_equal(kinde_get_permission(s, MARKER, &granted, NULL, NULL), KINDE_OK);
    assert_true(granted);
    char *again = NULL;
    assert_int_equal(kinde_session_serialize(s, &again, NULL), KINDE_OK);
    assert_non_null(strstr(again, MARKER));
    kinde_free(again);
    kinde_session_free(s);
    assert_int_equal(unwiped, 0);
}

/* A payload large enough that jsonscan.c moves its values to the heap and
 * sorts member names, with the marker in a name, an escaped string and an
 * integer-looking real: every block it makes is wiped. */
static void large_payload(void **state)
{
    char json[8192];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"s\":\"\\u005a" MARKER "\",\"" MARKER "\":1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, ",\"k%d\":[\"" MARKER "\",%d]", i, i);
    n += (size_t)snprintf(json + n, sizeof json - n, "}");
    char *payload = tu_b64url(json, n);
    assert_non_null(payload);
    char token[12000];
    snprintf(token, sizeof token, "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", payload);
    free(payload);
    unwiped = 0;
    kinde__jdoc *d = NULL;
    assert_int_equal(kinde__jws_payload(token, &d, NULL), KINDE_OK);
    kinde__jdoc *c = kinde__jdoc_dup(d);
    char *t = kinde__jtext(kinde__jroot(d));
    assert_non_null(c);
    assert_non_null(strstr(t, MARKER));
    kinde_free(t);
    kinde__jdoc_free(c);
    kinde__jdoc_free(d);
    assert_int_equal(unwiped, 0);
}

/* A client holding a secret and a fixed verifier, and a refused callback
 * whose code is the marker: the pending login is consumed and wiped. */
static void client_and_callback(void **state)
{
    unwiped = 0;
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:9";
    cfg.client_id = "cid";
    cfg.client_secret = "secret-" MARKER;
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.code_verifier = "verifier-" MARKER "-0123456789012345678901234567890";
    kinde_client *c;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    kinde_session *s = kinde_session_new();
    char *url = NULL;
    assert_int_equal(kinde_get_login_url(c, s, NULL, &url, NULL), KINDE_OK);
    kinde_free(url);
    kinde_error err;
    assert_int_equal(kinde_fetch_token(c, s, "http://127.0.0.1:8000/callback?code=" MARKER "&state=wrong",
                                       &err),
                     KINDE_E_STATE);
    assert_null(strstr(err.text, MARKER));
    kinde_session_free(s);
    kinde_client_free(c);
    assert_int_equal(unwiped, 0);
}

/* Once the library has been used, its allocator cannot be swapped: blocks
 * already out would be freed with the wrong function. */
static void allocator_is_fixed_after_use(void **state)
{
    assert_int_equal(kinde_set_allocator(malloc, realloc, free), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_set_allocator(tu_malloc, tu_realloc, tu_free), KINDE_OK);
}

int main(void)
{
    debugging = getenv("WIPE_ABORT") != NULL;
    /* Before any other use of the library (and of jansson's hooks). */
    tu_alloc.freeing = look_into;
    assert_int_equal(kinde_set_allocator(tu_malloc, tu_realloc, tu_free), KINDE_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detector_sees_an_unwiped_block),
        cmocka_unit_test(token_response),
        cmocka_unit_test(stored_session),
        cmocka_unit_test(large_payload),
        cmocka_unit_test(client_and_callback),
        cmocka_unit_test(allocator_is_fixed_after_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
