/* The Management API client without a server: the generated table's
 * invariants, every refusal that must come before any request, reading
 * answers and error bodies, and RFC 3339 timestamps of webhooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt_internal.h"

/* ---- the table ------------------------------------------------------------ */

static void table_invariants(void **state)
{
    (void)state;
    assert_null(kinde_mgmt_op_info_get(KINDE_MGMT_OP_COUNT));
    assert_null(kinde_mgmt_op_info_get((kinde_mgmt_op)-1));
    size_t paths = 0, paged = 0, ops = 0;
    for (int i = 0; i < KINDE_MGMT_OP_COUNT; i++) {
        const kinde_mgmt_op_info *op = kinde_mgmt_op_info_get((kinde_mgmt_op)i);
        if (!op)
            continue; /* the number of an operation a later spec dropped */
        ops++;
        assert_non_null(op->operation_id);
        assert_true(strncmp(op->path, "/api/v1/", 8) == 0);
        assert_true(strcmp(op->method, "GET") == 0 || strcmp(op->method, "POST") == 0 ||
                    strcmp(op->method, "PUT") == 0 || strcmp(op->method, "PATCH") == 0 ||
                    strcmp(op->method, "DELETE") == 0);
        int first_of_path = 1;
        for (int j = 0; j < i; j++) {
            const kinde_mgmt_op_info *o = kinde_mgmt_op_info_get((kinde_mgmt_op)j);
            if (!o)
                continue;
            assert_string_not_equal(o->operation_id, op->operation_id);
            if (strcmp(o->path, op->path) == 0) {
                first_of_path = 0;
                assert_string_not_equal(o->method, op->method);
            }
        }
        paths += first_of_path;
        /* Every {name} of the template is a required path parameter ... */
        size_t in_template = 0;
        for (const char *t = strchr(op->path, '{'); t; t = strchr(t + 1, '{')) {
            const char *close = strchr(t, '}');
            assert_non_null(close);
            in_template++;
            int found = 0;
            for (size_t k = 0; k < op->n_params; k++) {
                const kinde_mgmt_param_info *p = &op->params[k];
                if (strlen(p->name) == (size_t)(close - t - 1) &&
                    strncmp(p->name, t + 1, (size_t)(close - t - 1)) == 0) {
                    assert_int_equal(p->in, KINDE_MGMT_IN_PATH);
                    assert_true(p->required);
                    found = 1;
                }
            }
            assert_true(found);
        }
        /* ... and every path parameter is in the template, names unique. */
        size_t path_params = 0;
        for (size_t k = 0; k < op->n_params; k++) {
            path_params += op->params[k].in == KINDE_MGMT_IN_PATH;
            for (size_t l = 0; l < k; l++)
                assert_string_not_equal(op->params[l].name, op->params[k].name);
        }
        assert_int_equal(path_params, in_template);
        /* A paged operation takes page_size and next_token and names its list. */
        if (op->paged) {
            paged++;
            assert_non_null(op->list_member);
            int size = 0, token = 0;
            for (size_t k = 0; k < op->n_params; k++) {
                size |= strcmp(op->params[k].name, "page_size") == 0;
                token |= strcmp(op->params[k].name, "next_token") == 0;
            }
            assert_true(size && token);
            assert_string_equal(op->method, "GET");
        } else {
            assert_null(op->list_member);
        }
        if (op->body == KINDE_MGMT_BODY_NONE)
            assert_false(op->body_required);
    }
    /* Kinde's spec today: 183 operations on 107 paths. */
    assert_int_equal(ops, 183);
    assert_int_equal(paths, 107);
    assert_true(paged >= 10);
    /* Spot checks against the spec. */
    const kinde_mgmt_op_info *u = kinde_mgmt_op_info_get(KINDE_MGMT_GET_USERS);
    assert_string_equal(u->operation_id, "getUsers");
    assert_string_equal(u->path, "/api/v1/users");
    assert_string_equal(u->scope, "read:users");
    assert_string_equal(u->list_member, "users");
    const kinde_mgmt_op_info *c = kinde_mgmt_op_info_get(KINDE_MGMT_CREATE_USER);
    assert_string_equal(c->method, "POST");
    assert_string_equal(c->path, "/api/v1/user");
    assert_int_equal(c->body, KINDE_MGMT_BODY_JSON);
    const kinde_mgmt_op_info *o = kinde_mgmt_op_info_get(KINDE_MGMT_GET_ORGANIZATION_USERS);
    assert_string_equal(o->list_member, "organization_users");
}

static void find_by_name(void **state)
{
    (void)state;
    kinde_mgmt_op op = KINDE_MGMT_OP_COUNT;
    kinde_error err;
    assert_int_equal(kinde_mgmt_op_find("createUser", &op, &err), KINDE_OK);
    assert_int_equal(op, KINDE_MGMT_CREATE_USER);
    assert_int_equal(kinde_mgmt_op_find("CREATE_USER", &op, &err), KINDE_OK);
    assert_int_equal(op, KINDE_MGMT_CREATE_USER);
    assert_int_equal(kinde_mgmt_op_find("GetOrganizationUsers", &op, &err), KINDE_OK);
    assert_int_equal(op, KINDE_MGMT_GET_ORGANIZATION_USERS);
    assert_int_equal(kinde_mgmt_op_find("getAPIs", &op, &err), KINDE_OK);
    assert_int_equal(op, KINDE_MGMT_GET_APIS);
    assert_int_equal(kinde_mgmt_op_find("createUsr", &op, &err), KINDE_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.text, "createUsr"));
    assert_int_equal(kinde_mgmt_op_find("createUserX", &op, &err), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_mgmt_op_find("", &op, &err), KINDE_E_INVALID_ARGUMENT);
    /* Every operation is found under its own id. */
    for (int i = 0; i < KINDE_MGMT_OP_COUNT; i++) {
        if (!kinde__mgmt_ops[i].operation_id)
            continue;
        assert_int_equal(kinde_mgmt_op_find(kinde__mgmt_ops[i].operation_id, &op, NULL), KINDE_OK);
        assert_int_equal(op, i);
    }
}

/* ---- refusals before any request ----------------------------------------- */

typedef struct {
    kinde_client *client;
    kinde_mgmt *mgmt;
} fixture;

static int setup(void **state)
{
    static fixture f;
    kinde_config cfg;
    kinde_config_init(&cfg);
    /* Nothing listens on port 1: a request that slipped through would fail
     * with KINDE_E_HTTP, and the request counter says whether one was made. */
    cfg.domain = "http://127.0.0.1:1";
    cfg.client_id = "m2m";
    cfg.client_secret = "secret";
    cfg.grant_type = KINDE_GRANT_CLIENT_CREDENTIALS;
    kinde_error err;
    if (kinde_client_new(&cfg, &f.client, &err) != KINDE_OK)
        return -1;
    if (kinde_mgmt_new(f.client, NULL, &f.mgmt, &err) != KINDE_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kinde_mgmt_free(f->mgmt);
    kinde_client_free(f->client);
    return 0;
}

/* Call op and expect a refusal naming `names` in err.text, with no request. */
static void refused(fixture *f, kinde_mgmt_op op, const kinde_mgmt_param *params, const char *body,
                    const char *names)
{
    kinde_error err;
    memset(&err, 0, sizeof err);
    char *answer = (char *)"untouched";
    assert_int_equal(kinde_mgmt_call(f->mgmt, op, params, body, &answer, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(err.code, KINDE_E_INVALID_ARGUMENT);
    assert_null(answer);
    if (!strstr(err.text, names))
        fail_msg("'%s' does not name '%s'", err.text, names);
    assert_int_equal(f->client->requests, 0);
}

static void refusals(void **state)
{
    fixture *f = *state;
    const kinde_mgmt_param unknown[] = {{"user_id", "kp_1"}, {"colour", "red"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USER_DATA, unknown, NULL, "'user_id'");
    const kinde_mgmt_param unknown2[] = {{"id", "kp_1"}, {"colour", "red"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USER_DATA, unknown2, NULL, "'colour'");
    refused(f, KINDE_MGMT_GET_USER_DATA, NULL, NULL, "'id'");
    const kinde_mgmt_param twice[] = {{"id", "a"}, {"id", "b"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USER_DATA, twice, NULL, "'id' given twice");
    const kinde_mgmt_param no_value[] = {{"id", NULL}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USER_DATA, no_value, NULL, "'id' has no value");
    /* Path segments that URL normalisation would fold into another resource. */
    const kinde_mgmt_param dotdot[] = {{"org_code", ".."}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_ORGANIZATION_USERS, dotdot, NULL, "'org_code'");
    const kinde_mgmt_param empty[] = {{"org_code", ""}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_ORGANIZATION_USERS, empty, NULL, "'org_code'");
    /* page_size: Kinde's range is 1..500. */
    const kinde_mgmt_param big[] = {{"page_size", "501"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USERS, big, NULL, "'page_size'");
    const kinde_mgmt_param zero[] = {{"page_size", "0"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USERS, zero, NULL, "'page_size'");
    const kinde_mgmt_param word[] = {{"page_size", "10x"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_GET_USERS, word, NULL, "'page_size'");
    /* Bodies. */
    refused(f, KINDE_MGMT_GET_USERS, NULL, "{}", "takes no JSON body");
    refused(f, KINDE_MGMT_CREATE_ORGANIZATION, NULL, NULL, "needs a JSON body");
    refused(f, KINDE_MGMT_CREATE_ORGANIZATION, NULL, "{\"name\":", "request body");
    refused(f, KINDE_MGMT_CREATE_ORGANIZATION, NULL, "[1]", "request body");
    const kinde_mgmt_param logo[] = {{"type", "dark"}, {NULL, NULL}};
    refused(f, KINDE_MGMT_ADD_LOGO, logo, "{}", "multipart");
    /* Out of range operation. */
    kinde_error err;
    assert_int_equal(kinde_mgmt_call(f->mgmt, KINDE_MGMT_OP_COUNT, NULL, NULL, NULL, &err),
                     KINDE_E_INVALID_ARGUMENT);
    /* Pages: only for paged operations; next_token is the iterator's. */
    kinde_mgmt_pages *it = NULL;
    assert_int_equal(kinde_mgmt_pages_new(f->mgmt, KINDE_MGMT_GET_BUSINESS, NULL, &it, &err),
                     KINDE_E_INVALID_ARGUMENT);
    const kinde_mgmt_param nt[] = {{"next_token", "x"}, {NULL, NULL}};
    assert_int_equal(kinde_mgmt_pages_new(f->mgmt, KINDE_MGMT_GET_USERS, nt, &it, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_null(it);
    assert_int_equal(f->client->requests, 0);
}

static void accepted_then_network(void **state)
{
    fixture *f = *state;
    /* A deepObject parameter by "name[key]", a valid call: it goes out (and
     * fails on the closed port, at the token request). */
    const kinde_mgmt_param p[] = {{"properties[plan]", "pro"}, {"query", "ada"}, {NULL, NULL}};
    kinde_error err;
    assert_int_equal(kinde_mgmt_call(f->mgmt, KINDE_MGMT_SEARCH_USERS, p, NULL, NULL, &err),
                     KINDE_E_HTTP);
    assert_true(f->client->requests > 0);
}

static void options(void **state)
{
    fixture *f = *state;
    kinde_mgmt_options o;
    kinde_mgmt_options_init(&o);
    assert_int_equal(o.rate_limit_budget_ms, 60000);
    assert_int_equal(o.max_retries, 8);
    kinde_mgmt *m = NULL;
    kinde_error err;
    o.backoff_initial_ms = 0;
    assert_int_equal(kinde_mgmt_new(f->client, &o, &m, &err), KINDE_E_CONFIG);
    kinde_mgmt_options_init(&o);
    o.rate_limit_budget_ms = -1;
    assert_int_equal(kinde_mgmt_new(f->client, &o, &m, &err), KINDE_E_CONFIG);
    assert_null(m);
    /* Without a secret there is no client-credentials token. */
    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = "http://127.0.0.1:1";
    cfg.client_id = "web";
    cfg.callback_url = "http://127.0.0.1:1/cb";
    kinde_client *c = NULL;
    assert_int_equal(kinde_client_new(&cfg, &c, &err), KINDE_OK);
    assert_int_equal(kinde_mgmt_new(c, NULL, &m, &err), KINDE_E_GRANT_TYPE);
    kinde_client_free(c);
}

/* ---- answers -------------------------------------------------------------- */

static void error_answers(void **state)
{
    (void)state;
    kinde_error err;
    const char *body = "{\"errors\":[{\"code\":\"USER_NOT_FOUND\",\"message\":\"No such user\"}]}";
    assert_int_equal(kinde__mgmt_error_answer(404, body, strlen(body), "getUserData", &err),
                     KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.oauth_error, "USER_NOT_FOUND");
    assert_string_equal(err.text, "getUserData: HTTP 404 USER_NOT_FOUND: No such user");
    const char *limited = "{\"errors\":[{\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"slow\"}]}";
    assert_int_equal(kinde__mgmt_error_answer(429, limited, strlen(limited), "x", &err),
                     KINDE_E_RATE_LIMITED);
    assert_string_equal(err.oauth_error, "TOO_MANY_REQUESTS");
    /* Not Kinde's shape: the status alone. */
    const char *html = "<html>bad gateway</html>";
    assert_int_equal(kinde__mgmt_error_answer(502, html, strlen(html), "x", &err),
                     KINDE_E_HTTP_STATUS);
    assert_int_equal(err.http_status, 502);
    assert_string_equal(err.oauth_error, "");
    assert_string_equal(err.text, "x: HTTP 502");
    const char *odd = "{\"errors\":[{\"code\":7}]}";
    assert_int_equal(kinde__mgmt_error_answer(400, odd, strlen(odd), "x", &err), KINDE_E_HTTP_STATUS);
    assert_string_equal(err.oauth_error, "");
    assert_int_equal(kinde__mgmt_error_answer(500, NULL, 0, "x", &err), KINDE_E_HTTP_STATUS);
    assert_int_equal(kinde__mgmt_error_answer(500, NULL, 0, "x", NULL), KINDE_E_HTTP_STATUS);
}

static void success_answers(void **state)
{
    (void)state;
    kinde_error err;
    char *answer = NULL, *next = NULL;
    const char *page = "{\"code\":\"OK\",\"users\":[{\"id\":\"a\"}],\"next_token\":\"t2\"}";
    assert_int_equal(kinde__mgmt_success_answer(page, strlen(page), &answer, &next, &err), KINDE_OK);
    assert_string_equal(answer, page);
    assert_string_equal(next, "t2");
    kinde_free(answer);
    kinde_free(next);
    const char *last[] = {"{\"users\":[]}", "{\"users\":[],\"next_token\":null}",
                          "{\"users\":[],\"next_token\":\"\"}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(kinde__mgmt_success_answer(last[i], strlen(last[i]), &answer, &next, &err),
                         KINDE_OK);
        assert_non_null(answer);
        assert_null(next);
        kinde_free(answer);
    }
    assert_int_equal(kinde__mgmt_success_answer("", 0, &answer, &next, &err), KINDE_OK);
    assert_null(answer);
    assert_int_equal(kinde__mgmt_success_answer(" \r\n", 3, &answer, NULL, &err), KINDE_OK);
    assert_null(answer);
    const char *bad[] = {"[1,2]", "not json", "{\"a\":1,\"a\":2}", "{\"next_token\":5}",
                         "{\"next_token\":\"a\\u0000b\"}"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(kinde__mgmt_success_answer(bad[i], strlen(bad[i]), &answer, &next, &err),
                         KINDE_E_BAD_RESPONSE);
        assert_null(answer);
        assert_null(next);
    }
}

/* ---- webhook timestamps --------------------------------------------------- */

static void rfc3339(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(kinde__rfc3339_parse("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(kinde__rfc3339_parse("2026-12-01T10:00:00.123+00:00", &t), 0);
    assert_int_equal(t, 1796119200);
    assert_int_equal(kinde__rfc3339_parse("2026-12-01T12:30:00+02:30", &t), 0);
    assert_int_equal(t, 1796119200);
    assert_int_equal(kinde__rfc3339_parse("2026-12-01t10:00:00z", &t), 0);
    assert_int_equal(t, 1796119200);
    assert_int_equal(kinde__rfc3339_parse("2024-02-29T00:00:00Z", &t), 0);
    assert_int_equal(kinde__rfc3339_parse("2016-12-31T23:59:60Z", &t), 0); /* leap second */
    const char *bad[] = {"2026-12-01 10:00:00Z",  "2026-12-01T10:00:00",  "2026-12-01T10:00Z",
                         "2025-02-29T00:00:00Z",  "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z",
                         "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00+0100",
                         "2026-12-01T10:00:00Z ", "+2026-12-01T10:00:00Z", "1796119200", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (kinde__rfc3339_parse(bad[i], &t) != -1)
            fail_msg("accepted '%s'", bad[i]);
}

static void webhook_arguments(void **state)
{
    fixture *f = *state;
    kinde_webhook_event *ev = NULL;
    kinde_error err;
    assert_int_equal(kinde_verify_webhook(f->client, NULL, "a.b.c", 5, 0, &ev, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_verify_webhook(f->client, "application/jwt", "a.b.c", 5, -1, &ev, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_verify_webhook(f->client, "text/plain", "a.b.c", 5, 0, &ev, &err),
                     KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde_verify_webhook(f->client, "application/jwt", "a.b\0.c", 6, 0, &ev, &err),
                     KINDE_E_TOKEN_MALFORMED);
    assert_null(ev);
    assert_int_equal(f->client->requests, 0);
    kinde_webhook_event_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_invariants),
        cmocka_unit_test(find_by_name),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(accepted_then_network, setup, teardown),
        cmocka_unit_test_setup_teardown(options, setup, teardown),
        cmocka_unit_test(error_answers),
        cmocka_unit_test(success_answers),
        cmocka_unit_test(rfc3339),
        cmocka_unit_test_setup_teardown(webhook_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
