/* The seed's method table, example by example: get_claim, permissions,
 * organizations, user details and every feature-flag case of the guide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

static const char *access_claims_json =
    "{\"aud\":[\"api.yourapp.com\"],\"azp\":\"cid\",\"exp\":4102444800,\"iat\":1693285199,"
    "\"iss\":\"https://acme.kinde.com\",\"jti\":\"j1\",\"sub\":\"kp_0ba7c433f3d54d1d\","
    "\"org_code\":\"org_1234\",\"permissions\":[\"read:todos\",\"create:todos\"],"
    "\"scp\":[\"openid\",\"profile\",\"email\",\"offline\"],"
    "\"roles\":[{\"id\":\"r1\",\"key\":\"admin\",\"name\":\"Admin\"},{\"id\":\"r2\",\"key\":\"member\",\"name\":\"Member\"}],"
    "\"feature_flags\":{\"theme\":{\"t\":\"s\",\"v\":\"pink\"},\"is_dark_mode\":{\"t\":\"b\",\"v\":true},"
    "\"competitions_limit\":{\"t\":\"i\",\"v\":5},\"broken\":{\"t\":\"i\",\"v\":\"5\"}}}";
static const char *id_claims_json =
    "{\"aud\":[\"cid\"],\"sub\":\"kp_0ba7c433f3d54d1d\",\"given_name\":\"Dave\",\"family_name\":\"Smith\","
    "\"email\":\"dave@smith.com\",\"picture\":\"https://link_to_avatar_url.kinde.com\","
    "\"org_codes\":[\"org_1234\",\"org_abcd\"],\"exp\":4102444800,\"iss\":\"https://acme.kinde.com\"}";

static kinde_session *make_session(const char *at_json, const char *it_json)
{
    kinde_session *s = kinde_session_new();
    assert_non_null(s);
    kinde__jdoc *at = tu_jdoc(at_json);
    kinde__jdoc *it = it_json ? tu_jdoc(it_json) : NULL;
    assert_non_null(at);
    assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("a.b.c"), at,
                                               it ? kinde__strdup("d.e.f") : NULL, it,
                                               kinde__strdup("refresh"), NULL),
                     KINDE_OK);
    return s;
}

static int setup(void **state)
{
    *state = make_session(access_claims_json, id_claims_json);
    return 0;
}

static int teardown(void **state)
{
    kinde_session_free(*state);
    return 0;
}

static void get_claim_aud_and_given_name(void **state)
{
    char *v = NULL;
    assert_int_equal(kinde_get_claim(*state, "aud", KINDE_ACCESS_TOKEN, &v, NULL), KINDE_OK);
    assert_string_equal(v, "[\"api.yourapp.com\"]");
    kinde_free(v);
    assert_int_equal(kinde_get_claim(*state, "given_name", KINDE_ID_TOKEN, &v, NULL), KINDE_OK);
    assert_string_equal(v, "\"Dave\"");
    kinde_free(v);
    /* A missing claim is a null value, not an error. */
    assert_int_equal(kinde_get_claim(*state, "nope", KINDE_ACCESS_TOKEN, &v, NULL), KINDE_OK);
    assert_string_equal(v, "null");
    kinde_free(v);
}

/* Values of every size around get_claim's 512-byte stack buffer come back
 * whole: one pass when they fit, a measured second pass when not. */
static void get_claim_of_any_size(void **state)
{
    static const size_t sizes[] = {0, 1, 509, 510, 511, 512, 513, 4000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char *text = malloc(sizes[i] + 1);
        assert_non_null(text);
        memset(text, 'x', sizes[i]);
        text[sizes[i]] = '\0';
        char *json = malloc(sizes[i] + 40);
        assert_non_null(json);
        snprintf(json, sizes[i] + 40, "{\"big\":\"%s\",\"exp\":4102444800}", text);
        kinde__jdoc *at = tu_jdoc(json);
        free(json);
        kinde_session *s = kinde_session_new();
        assert_int_equal(kinde__session_set_tokens(s, kinde__strdup("a.b.c"), at, NULL, NULL, NULL, NULL),
                         KINDE_OK);
        char *v = NULL;
        assert_int_equal(kinde_get_claim(s, "big", KINDE_ACCESS_TOKEN, &v, NULL), KINDE_OK);
        assert_int_equal(strlen(v), sizes[i] + 2); /* the quotes */
        assert_int_equal(v[0], '"');
        assert_int_equal(v[sizes[i] + 1], '"');
        assert_memory_equal(v + 1, text, sizes[i]);
        kinde_free(v);
        kinde_session_free(s);
        free(text);
    }
}

static void typed_claims(void **state)
{
    const char *s = NULL;
    int64_t n = 0;
    kinde_error err;
    assert_int_equal(kinde_get_string_claim(*state, "sub", KINDE_ACCESS_TOKEN, &s, NULL), KINDE_OK);
    assert_string_equal(s, "kp_0ba7c433f3d54d1d");
    assert_int_equal(kinde_get_integer_claim(*state, "exp", KINDE_ID_TOKEN, &n, NULL), KINDE_OK);
    assert_int_equal(n, 4102444800LL);
    assert_int_equal(kinde_get_string_claim(*state, "exp", KINDE_ACCESS_TOKEN, &s, &err),
                     KINDE_E_CLAIM_NOT_FOUND);
    assert_non_null(strstr(err.text, "'exp' is not a string"));
    assert_int_equal(kinde_get_integer_claim(*state, "missing", KINDE_ACCESS_TOKEN, &n, &err),
                     KINDE_E_CLAIM_NOT_FOUND);
}

static void permissions(void **state)
{
    int granted = -1;
    const char *org = NULL;
    assert_int_equal(kinde_get_permission(*state, "create:todos", &granted, &org, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_string_equal(org, "org_1234");
    assert_int_equal(kinde_get_permission(*state, "delete:todos", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 0);
    kinde_strings list;
    assert_int_equal(kinde_get_permissions(*state, &org, &list, NULL), KINDE_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0], "read:todos");
    assert_string_equal(list.items[1], "create:todos");
}

static void organizations_roles_user(void **state)
{
    const char *org = NULL;
    assert_int_equal(kinde_get_organization(*state, &org, NULL), KINDE_OK);
    assert_string_equal(org, "org_1234");
    kinde_strings orgs;
    assert_int_equal(kinde_get_user_organizations(*state, &orgs, NULL), KINDE_OK);
    assert_int_equal(orgs.count, 2);
    assert_string_equal(orgs.items[1], "org_abcd");
    kinde_strings roles;
    assert_int_equal(kinde_get_roles(*state, &roles, NULL), KINDE_OK);
    assert_int_equal(roles.count, 2);
    assert_string_equal(roles.items[0], "admin");
    kinde_user u;
    assert_int_equal(kinde_get_user_details(*state, &u, NULL), KINDE_OK);
    assert_string_equal(u.id, "kp_0ba7c433f3d54d1d");
    assert_string_equal(u.given_name, "Dave");
    assert_string_equal(u.family_name, "Smith");
    assert_string_equal(u.email, "dave@smith.com");
    assert_string_equal(u.picture, "https://link_to_avatar_url.kinde.com");
}

static void get_flag_examples(void **state)
{
    kinde_flag f;
    kinde_error err;
    assert_int_equal(kinde_get_flag(*state, "theme", NULL, KINDE_FLAG_ANY, &f, NULL), KINDE_OK);
    assert_string_equal(f.code, "theme");
    assert_int_equal(f.type, KINDE_FLAG_STRING);
    assert_string_equal(f.string_value, "pink");
    assert_int_equal(f.is_default, 0);

    assert_int_equal(kinde_get_flag(*state, "is_dark_mode", NULL, KINDE_FLAG_ANY, &f, NULL), KINDE_OK);
    assert_int_equal(f.type, KINDE_FLAG_BOOLEAN);
    assert_int_equal(f.bool_value, 1);

    kinde_flag def = {.type = KINDE_FLAG_BOOLEAN, .bool_value = 0};
    assert_int_equal(kinde_get_flag(*state, "create_competition", &def, KINDE_FLAG_ANY, &f, NULL), KINDE_OK);
    assert_int_equal(f.type, KINDE_FLAG_BOOLEAN);
    assert_int_equal(f.bool_value, 0);
    assert_int_equal(f.is_default, 1);

    kinde_flag three = {.type = KINDE_FLAG_INTEGER, .int_value = 3};
    assert_int_equal(kinde_get_flag(*state, "competitions_limit", &three, KINDE_FLAG_STRING, &f, &err),
                     KINDE_E_FLAG_TYPE);
    assert_string_equal(err.text, "Flag competitions_limit is of type integer - requested type string");

    assert_int_equal(kinde_get_flag(*state, "new_feature", NULL, KINDE_FLAG_ANY, &f, &err),
                     KINDE_E_FLAG_NOT_FOUND);
    assert_string_equal(err.text, "Flag new_feature was not found, and no default value has been provided");
    assert_string_equal(kinde_code_name(err.code), "KINDE_E_FLAG_NOT_FOUND");
}

static void boolean_flags(void **state)
{
    int v = -1, no = 0;
    kinde_error err;
    assert_int_equal(kinde_get_boolean_flag(*state, "is_dark_mode", NULL, &v, NULL), KINDE_OK);
    assert_int_equal(v, 1);
    assert_int_equal(kinde_get_boolean_flag(*state, "is_dark_mode", &no, &v, NULL), KINDE_OK);
    assert_int_equal(v, 1);
    assert_int_equal(kinde_get_boolean_flag(*state, "new_feature", &no, &v, NULL), KINDE_OK);
    assert_int_equal(v, 0);
    assert_int_equal(kinde_get_boolean_flag(*state, "new_feature", NULL, &v, &err), KINDE_E_FLAG_NOT_FOUND);
    assert_int_equal(kinde_get_boolean_flag(*state, "theme", &no, &v, &err), KINDE_E_FLAG_TYPE);
    assert_string_equal(err.text, "Flag theme is of type string - requested type boolean");
}

static void string_flags(void **state)
{
    const char *v = NULL;
    kinde_error err;
    assert_int_equal(kinde_get_string_flag(*state, "theme", NULL, &v, NULL), KINDE_OK);
    assert_string_equal(v, "pink");
    assert_int_equal(kinde_get_string_flag(*state, "theme", "blue", &v, NULL), KINDE_OK);
    assert_string_equal(v, "pink");
    assert_int_equal(kinde_get_string_flag(*state, "cta_color", "blue", &v, NULL), KINDE_OK);
    assert_string_equal(v, "blue");
    /* "" is a default like any other. */
    assert_int_equal(kinde_get_string_flag(*state, "cta_color", "", &v, NULL), KINDE_OK);
    assert_string_equal(v, "");
    assert_int_equal(kinde_get_string_flag(*state, "cta_color", NULL, &v, &err), KINDE_E_FLAG_NOT_FOUND);
    assert_int_equal(kinde_get_string_flag(*state, "is_dark_mode", "x", &v, &err), KINDE_E_FLAG_TYPE);
    assert_string_equal(err.text, "Flag is_dark_mode is of type boolean - requested type string");
}

static void integer_flags(void **state)
{
    int64_t v = -1, three = 3, two = 2, zero = 0;
    kinde_error err;
    assert_int_equal(kinde_get_integer_flag(*state, "competitions_limit", NULL, &v, NULL), KINDE_OK);
    assert_int_equal(v, 5);
    assert_int_equal(kinde_get_integer_flag(*state, "competitions_limit", &three, &v, NULL), KINDE_OK);
    assert_int_equal(v, 5);
    assert_int_equal(kinde_get_integer_flag(*state, "team_count", &two, &v, NULL), KINDE_OK);
    assert_int_equal(v, 2);
    assert_int_equal(kinde_get_integer_flag(*state, "team_count", &zero, &v, NULL), KINDE_OK);
    assert_int_equal(v, 0);
    assert_int_equal(kinde_get_integer_flag(*state, "team_count", NULL, &v, &err), KINDE_E_FLAG_NOT_FOUND);
    assert_int_equal(kinde_get_integer_flag(*state, "is_dark_mode", &zero, &v, &err), KINDE_E_FLAG_TYPE);
    assert_string_equal(err.text, "Flag is_dark_mode is of type boolean - requested type integer");
    /* A flag whose value does not match its declared type is treated as absent. */
    assert_int_equal(kinde_get_integer_flag(*state, "broken", &two, &v, NULL), KINDE_OK);
    assert_int_equal(v, 2);
}

static void hasura_claims(void **state)
{
    kinde_session *s = make_session(
        "{\"exp\":4102444800,\"sub\":\"kp_1\",\"x-hasura-org-code\":\"org_h\","
        "\"x-hasura-permissions\":[\"read:x\"],\"x-hasura-org-codes\":[\"org_h\",\"org_i\"],"
        "\"x-hasura-roles\":[{\"key\":\"viewer\"}],"
        "\"x-hasura-feature-flags\":{\"theme\":{\"t\":\"s\",\"v\":\"teal\"}}}",
        NULL);
    const char *org = NULL, *theme = NULL;
    int granted = 0;
    kinde_strings orgs, roles;
    assert_int_equal(kinde_get_organization(s, &org, NULL), KINDE_OK);
    assert_string_equal(org, "org_h");
    assert_int_equal(kinde_get_permission(s, "read:x", &granted, NULL, NULL), KINDE_OK);
    assert_int_equal(granted, 1);
    assert_int_equal(kinde_get_user_organizations(s, &orgs, NULL), KINDE_OK);
    assert_int_equal(orgs.count, 2);
    assert_int_equal(kinde_get_roles(s, &roles, NULL), KINDE_OK);
    assert_string_equal(roles.items[0], "viewer");
    assert_int_equal(kinde_get_string_flag(s, "theme", NULL, &theme, NULL), KINDE_OK);
    assert_string_equal(theme, "teal");
    kinde_session_free(s);
}

static void empty_session_is_not_authenticated(void **state)
{
    kinde_session *s = kinde_session_new();
    kinde_error err;
    const char *org;
    int v;
    char *json;
    assert_int_equal(kinde_get_organization(s, &org, &err), KINDE_E_NOT_AUTHENTICATED);
    assert_int_equal(kinde_get_boolean_flag(s, "x", NULL, &v, &err), KINDE_E_NOT_AUTHENTICATED);
    assert_int_equal(kinde_get_claim(s, "sub", KINDE_ACCESS_TOKEN, &json, &err), KINDE_E_NOT_AUTHENTICATED);
    assert_int_equal(kinde_get_claim(NULL, "sub", KINDE_ACCESS_TOKEN, &json, &err), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_get_permission(s, NULL, &v, NULL, &err), KINDE_E_NOT_AUTHENTICATED);
    kinde_session_free(s);
}

static void error_names_and_texts(void **state)
{
    for (int c = KINDE_OK; c <= KINDE_E_RATE_LIMITED; c++) {
        assert_non_null(strstr(kinde_code_name((kinde_code)c), "KINDE_"));
        assert_string_not_equal(kinde_strerror((kinde_code)c), "unknown error");
    }
    assert_string_equal(kinde_strerror((kinde_code)9999), "unknown error");
    assert_string_equal(kinde_code_name((kinde_code)-1), "KINDE_E_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(get_claim_aud_and_given_name, setup, teardown),
        cmocka_unit_test(get_claim_of_any_size),
        cmocka_unit_test_setup_teardown(typed_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(organizations_roles_user, setup, teardown),
        cmocka_unit_test_setup_teardown(get_flag_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(boolean_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(string_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(integer_flags, setup, teardown),
        cmocka_unit_test(hasura_claims),
        cmocka_unit_test(empty_session_is_not_authenticated),
        cmocka_unit_test(error_names_and_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
