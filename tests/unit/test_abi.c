/* docs/ABI.md: the structs that grow travel with the caller's size. A
 * program built against an older kinde.h (a smaller struct) gets defaults
 * for the members it lacks; one built against a newer kinde.h (a larger
 * struct) is refused if it set a member this library does not know, and gets
 * those members zeroed in results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* Two versions of one extensible struct: v2 appended a member. */
typedef struct { long a; const char *b; } v1;
typedef struct { long a; const char *b; long c; } v2;

static void an_older_caller_gets_defaults_for_what_it_lacks(void **state)
{
    v2 ours = {.a = 1, .b = "default", .c = 42};
    v1 theirs = {.a = 5, .b = "set"};
    assert_int_equal(kinde__struct_in(&ours, sizeof ours, &theirs, sizeof theirs,
                                      KINDE__SIZE_THROUGH(v1, b), KINDE_E_CONFIG, "v", NULL),
                     KINDE_OK);
    assert_int_equal(ours.a, 5);
    assert_string_equal(ours.b, "set");
    assert_int_equal(ours.c, 42);
}

static void a_newer_caller_may_not_set_what_we_do_not_know(void **state)
{
    v1 ours = {0};
    v2 theirs = {.a = 5, .b = "set", .c = 0};
    kinde_error err;
    assert_int_equal(kinde__struct_in(&ours, sizeof ours, &theirs, sizeof theirs,
                                      KINDE__SIZE_THROUGH(v1, b), KINDE_E_CONFIG, "v", &err),
                     KINDE_OK);
    assert_int_equal(ours.a, 5);
    theirs.c = 1;
    assert_int_equal(kinde__struct_in(&ours, sizeof ours, &theirs, sizeof theirs,
                                      KINDE__SIZE_THROUGH(v1, b), KINDE_E_CONFIG, "v", &err),
                     KINDE_E_CONFIG);
    assert_non_null(strstr(err.text, "newer libkinde"));
    /* Smaller than any layout: a garbage size. */
    assert_int_equal(kinde__struct_in(&ours, sizeof ours, &theirs, sizeof(long),
                                      KINDE__SIZE_THROUGH(v1, b), KINDE_E_CONFIG, "v", &err),
                     KINDE_E_INVALID_ARGUMENT);
}

static void results_are_written_up_to_the_callers_size(void **state)
{
    v2 ours = {.a = 7, .b = "x", .c = 9};
    /* An older caller: nothing past its struct is touched. */
    struct { v1 s; long canary; } older = {.canary = 0x5a5a};
    kinde__struct_out(&older.s, sizeof older.s, &ours, sizeof ours);
    assert_int_equal(older.s.a, 7);
    assert_int_equal(older.canary, 0x5a5a);
    /* A newer caller: members we do not know read as zero, not garbage. */
    v1 ours1 = {.a = 3, .b = "y"};
    v2 newer;
    memset(&newer, 0xa5, sizeof newer);
    kinde__struct_out(&newer, sizeof newer, &ours1, sizeof ours1);
    assert_int_equal(newer.a, 3);
    assert_int_equal(newer.c, 0);
}

/* The public functions, with a kinde_config from a "newer kinde.h". */
typedef struct {
    kinde_config cfg;
    const char *future_member;
} newer_config;

static void config_from_a_newer_program(void **state)
{
    newer_config n;
    memset(&n, 0xa5, sizeof n);
    kinde_config_init_sized(&n.cfg, sizeof n);
    assert_null(n.future_member); /* zeroed by the init it called */
    assert_int_equal(n.cfg.leeway_seconds, 30);
    n.cfg.domain = "https://acme.kinde.com";
    n.cfg.client_id = "cid";
    n.cfg.callback_url = "http://localhost:8000/callback";
    kinde_client *c = NULL;
    kinde_error err;
    assert_int_equal(kinde_client_new_sized(&n.cfg, sizeof n, &c, &err), KINDE_OK);
    kinde_client_free(c);
    c = NULL;
    n.future_member = "on";
    assert_int_equal(kinde_client_new_sized(&n.cfg, sizeof n, &c, &err), KINDE_E_CONFIG);
    assert_null(c);
    assert_non_null(strstr(err.text, "kinde_config"));
    assert_int_equal(kinde_client_new_from_env_sized(NULL, &n.cfg, sizeof n, &c, &err),
                     KINDE_E_CONFIG);
    assert_null(c);
    /* A size no kinde.h ever had. */
    assert_int_equal(kinde_client_new_sized(&n.cfg, 3, &c, &err), KINDE_E_INVALID_ARGUMENT);
}

static void auth_params_from_a_newer_program(void **state)
{
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "https://acme.kinde.com";
    cfg.client_id = "cid";
    cfg.callback_url = "http://localhost:8000/callback";
    kinde_client *c;
    assert_int_equal(kinde_client_new(&cfg, &c, NULL), KINDE_OK);
    kinde_session *s = kinde_session_new();
    assert_non_null(s);
    struct { kinde_auth_params p; int future_flag; } n = {{.prompt = "login"}, 0};
    char *url = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_login_url_sized(c, s, &n.p, sizeof n, &url, &err), KINDE_OK);
    assert_non_null(strstr(url, "prompt=login"));
    kinde_free(url);
    url = NULL;
    n.future_flag = 1;
    assert_int_equal(kinde_get_login_url_sized(c, s, &n.p, sizeof n, &url, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_null(url);
    assert_non_null(strstr(err.text, "kinde_auth_params"));
    kinde_session_free(s);
    kinde_client_free(c);
}

static void user_details_into_older_and_newer_structs(void **state)
{
    kinde_session *s = kinde_session_new();
    assert_non_null(s);
    const char *claims = "{\"sub\":\"kp_1\",\"given_name\":\"Dave\",\"email\":\"dave@smith.com\"}";
    kinde__jdoc *at = tu_jdoc(claims), *it = tu_jdoc(claims);
    assert_non_null(at);
    assert_non_null(it);
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("a.b.c"), at,
                                               kinde__strdup("d.e.f"), it, NULL, NULL),
                     KINDE_OK);
    /* Nothing past the caller's struct is written. */
    struct { kinde_user u; const char *canary; } same = {.canary = "untouched"};
    assert_int_equal(kinde_get_user_details(s, &same.u, NULL), KINDE_OK);
    assert_string_equal(same.u.id, "kp_1");
    assert_string_equal(same.canary, "untouched");
    struct { kinde_user u; const char *future; } newer;
    memset(&newer, 0xa5, sizeof newer);
    assert_int_equal(kinde_get_user_details_sized(s, &newer.u, sizeof newer, NULL), KINDE_OK);
    assert_string_equal(newer.u.given_name, "Dave");
    assert_null(newer.u.family_name);
    assert_null(newer.future);
    kinde_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_older_caller_gets_defaults_for_what_it_lacks),
        cmocka_unit_test(a_newer_caller_may_not_set_what_we_do_not_know),
        cmocka_unit_test(results_are_written_up_to_the_callers_size),
        cmocka_unit_test(config_from_a_newer_program),
        cmocka_unit_test(auth_params_from_a_newer_program),
        cmocka_unit_test(user_details_into_older_and_newer_structs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
