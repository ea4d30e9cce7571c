/* Cookie header, form body and the redirect allow-list: every hostile shape
 * SECURITY.md E names, and the ordinary ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cookies.h"
#include "forms.h"
#include "http.h"
#include "redirects.h"

static int find(const char *hdr, const char *name, char *out, size_t n)
{
    return cookie_find(hdr, strlen(hdr), name, out, n);
}

static void cookie_header_parsing(void **state)
{
    char v[64];
    assert_int_equal(find("a=1; kinde_session=abc; b=2", "kinde_session", v, sizeof v), 1);
    assert_string_equal(v, "abc");
    assert_int_equal(find("kinde_session=\"q\"", "kinde_session", v, sizeof v), 1);
    assert_string_equal(v, "q");
    assert_int_equal(find("  kinde_session=x  ;", "kinde_session", v, sizeof v), 1);
    assert_string_equal(v, "x");
    /* A longer or shorter name is another cookie. */
    assert_int_equal(find("xkinde_session=1; kinde_sessionx=2", "kinde_session", v, sizeof v), 0);
    assert_int_equal(find("", "kinde_session", v, sizeof v), 0);
    assert_int_equal(find(";;;=;", "kinde_session", v, sizeof v), 0);
    assert_int_equal(find("kinde_session", "kinde_session", v, sizeof v), 0);
    /* The same value twice is fine; two values are cookie tossing. */
    assert_int_equal(find("kinde_session=a; kinde_session=a", "kinde_session", v, sizeof v), 1);
    assert_int_equal(find("kinde_session=a; kinde_session=b", "kinde_session", v, sizeof v), -1);
    /* Too long for the caller's buffer. */
    assert_int_equal(find("kinde_session=0123456789", "kinde_session", v, 5), -1);
    /* Empty value. */
    assert_int_equal(find("kinde_session=", "kinde_session", v, sizeof v), 1);
    assert_string_equal(v, "");
    /* An embedded NUL never reaches the caller. */
    const char nul[] = "kinde_session=a\0b";
    assert_int_equal(cookie_find(nul, sizeof nul - 1, "kinde_session", v, sizeof v), -1);
}

static void cookie_attributes(void **state)
{
    strbuf b;
    strbuf_init(&b);
    cookie_format(&b, "kinde_session", "id", 0, -1);
    assert_string_equal(b.data, "kinde_session=id; Path=/; HttpOnly; SameSite=Lax");
    strbuf_free(&b);
    cookie_format(&b, "__Host-kinde_session", "id", 1, -1);
    assert_string_equal(b.data, "__Host-kinde_session=id; Path=/; HttpOnly; SameSite=Lax; Secure");
    strbuf_free(&b);
    cookie_format(&b, "kinde_session", "", 0, 0);
    assert_non_null(strstr(b.data, "Max-Age=0"));
    assert_non_null(strstr(b.data, "Expires=Thu, 01 Jan 1970"));
    strbuf_free(&b);
}

static void form_bodies(void **state)
{
    char v[64];
    const char *body = "csrf=abc%2Bdef&return_to=http%3A%2F%2Fx%2F&name=a+b";
    assert_int_equal(form_get(body, strlen(body), "csrf", v, sizeof v), 1);
    assert_string_equal(v, "abc+def");
    assert_int_equal(form_get(body, strlen(body), "return_to", v, sizeof v), 1);
    assert_string_equal(v, "http://x/");
    assert_int_equal(form_get(body, strlen(body), "name", v, sizeof v), 1);
    assert_string_equal(v, "a b");
    assert_int_equal(form_get(body, strlen(body), "missing", v, sizeof v), 0);
    /* Encoded names count. */
    assert_int_equal(form_get("cs%72f=1", 8, "csrf", v, sizeof v), 1);
    assert_string_equal(v, "1");
    /* A key without '=' has an empty value. */
    assert_int_equal(form_get("csrf", 4, "csrf", v, sizeof v), 1);
    assert_string_equal(v, "");
    /* Twice: refused, whatever the values. */
    assert_int_equal(form_get("csrf=1&csrf=1", 13, "csrf", v, sizeof v), -1);
    /* Bad escapes, NUL, truncated escapes, too long. */
    assert_int_equal(form_get("csrf=%zz", 8, "csrf", v, sizeof v), -1);
    assert_int_equal(form_get("csrf=%00", 8, "csrf", v, sizeof v), -1);
    assert_int_equal(form_get("csrf=%4", 7, "csrf", v, sizeof v), -1);
    assert_int_equal(form_get("csrf=%", 6, "csrf", v, sizeof v), -1);
    assert_int_equal(form_get("csrf=0123456789", 15, "csrf", v, 4), -1);
    /* The body length bounds the parse: nothing past len is read. */
    assert_int_equal(form_get("csrf=12345", 7, "csrf", v, sizeof v), 1);
    assert_string_equal(v, "12");
    assert_int_equal(form_get("&&&", 3, "csrf", v, sizeof v), 0);
}

static void redirect_allow_list(void **state)
{
    const char *ok[] = {"/", "/details", "/details?tab=flags", "/a/b/c#frag", "/%41",
                        "/a:b", "/login?next=%3F", "/x?y=%2F2",
                        "/search?q=a%20b%2F%5C%25", "/p#%2F%2Fevil"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_true(redirect_is_local_path(ok[i]));
    const char *evil[] = {
        "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
        "https://evil.example", "http://127.0.0.1:8000/", "%2f%2fevil.example",
        "/%2f%2fevil.example", "/%2F%2Fevil.example", "/%5cevil.example", "/\t/evil.example",
        "/\n/evil.example", "\t//evil.example", " /x", "/ x", "/a\\b", "/%09/evil",
        "/%252f%252fevil", "javascript:alert(1)", "", "evil", "/%", "/%4", "/%zz",
        "/\x7f", "/\xc3\xa9", "//", "/\\", "/x?y=%0d%0aSet-Cookie:a=b", "/x?%00",
        "/x?%7f", "/x?a b", "/%2f?x=%2f", "/a%20b?q"};
    for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
        assert_false(redirect_is_local_path(evil[i]));
        assert_false(redirect_allowed(NULL, evil[i]));
    }
    assert_false(redirect_is_local_path(NULL));
    char longpath[REDIRECT_PATH_MAX + 2];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    assert_false(redirect_is_local_path(longpath));

    const char *urls[] = {"http://127.0.0.1:8000/", "http://127.0.0.1:8000/bye"};
    redirect_list list = {urls, 2};
    assert_true(redirect_allowed(&list, "http://127.0.0.1:8000/"));
    assert_true(redirect_allowed(&list, "http://127.0.0.1:8000/bye"));
    assert_true(redirect_allowed(&list, "/details"));
    /* Exact match only: no prefix, no case folding, no trailing additions. */
    assert_false(redirect_allowed(&list, "http://127.0.0.1:8000/bye/"));
    assert_false(redirect_allowed(&list, "http://127.0.0.1:8000/byeevil"));
    assert_false(redirect_allowed(&list, "HTTP://127.0.0.1:8000/"));
    assert_false(redirect_allowed(&list, "http://127.0.0.1:8000@evil/"));
    assert_false(redirect_allowed(&list, "https://evil.example/"));
}

/* SECURITY.md E34, as one table: each target, whether it is a local path
 * (redirect_is_local_path: the post-sign-in `next`), whether it is exactly
 * one of the sign-out URLs (redirect_listed: the sign-out `return_to` sent
 * to Kinde), and whether the allow-list as a whole (redirect_allowed:
 * listed URLs plus local paths) takes it. */
#define APP_ORIGIN "http://127.0.0.1:8000"
static const char *const registered[] = {APP_ORIGIN "/", APP_ORIGIN "/bye"};
static const redirect_list logout_list = {registered, 2};

typedef struct target_case {
    const char *target;
    int local;      /* redirect_is_local_path */
    int allowed;    /* redirect_allowed(&logout_list, ...) */
} target_case;

static const target_case targets[] = {
    /* The hostile list: none is a local path, none is on the list. */
    {"//evil.example", 0, 0},
    {"///evil.example", 0, 0},
    {"/\\evil.example", 0, 0},
    {"\\\\evil.example", 0, 0},
    {"\\/evil.example", 0, 0},
    {"/a\\b", 0, 0},
    {"/\\", 0, 0},
    {"//", 0, 0},
    {"https:evil.example", 0, 0},
    {"http:/evil.example", 0, 0},
    {"https://evil.example", 0, 0},
    {"https://evil.example/", 0, 0},
    {"%2f%2fevil.example", 0, 0},
    {"%2F%2Fevil.example", 0, 0},
    {"/%2f%2fevil.example", 0, 0},
    {"/%2F%2Fevil.example", 0, 0},
    {"/%2f", 0, 0},
    {"/%5cevil.example", 0, 0},
    {"/%5Cevil.example", 0, 0},
    {"/%252f%252fevil.example", 0, 0},
    {"/\tevil", 0, 0},
    {"/\t/evil.example", 0, 0},
    {"\t//evil.example", 0, 0},
    {"/%09/evil.example", 0, 0},
    {"/\n/evil.example", 0, 0},
    {"/\r\nSet-Cookie: x=1", 0, 0},
    {"/%0d%0aSet-Cookie:x=1", 0, 0},
    {"/%00", 0, 0},
    {" /x", 0, 0},
    {"/ x", 0, 0},
    {"/\x7f", 0, 0},
    {"/\xc3\xa9", 0, 0},
    {"/%", 0, 0},
    {"/%4", 0, 0},
    {"/%zz", 0, 0},
    {"javascript:alert(1)", 0, 0},
    {"JavaScript:alert(1)", 0, 0},
    {"data:text/html,x", 0, 0},
    {"evil.example", 0, 0},
    {"", 0, 0},
    /* The app's own origin as an absolute URL: never a `next` (paths only);
     * on the sign-out list only byte for byte as registered. */
    {APP_ORIGIN "/", 0, 1},
    {APP_ORIGIN "/bye", 0, 1},
    {APP_ORIGIN, 0, 0},
    {APP_ORIGIN "/details", 0, 0},
    {APP_ORIGIN "/bye/", 0, 0},
    {APP_ORIGIN "/byeevil", 0, 0},
    {APP_ORIGIN "//evil.example", 0, 0},
    {APP_ORIGIN "@evil.example/", 0, 0},
    {"HTTP://127.0.0.1:8000/", 0, 0},
    {"http://127.0.0.1:8000/ ", 0, 0},
    {"//127.0.0.1:8000/", 0, 0},
    {"https://127.0.0.1:8000/", 0, 0},
    /* Local paths: taken by both. */
    {"/", 1, 1},
    {"/details", 1, 1},
    {"/details?tab=flags", 1, 1},
    {"/a/b/c#frag", 1, 1},
    {"/%41", 1, 1},
    {"/a:b", 1, 1},
    {"/login?next=%3F", 1, 1},
    {"/@evil.example", 1, 1},
    {"/.//x", 1, 1},
    {"/x?u=//evil.example", 1, 1},
    /* A path that merely contains "://" is still a local path, so allowed as
     * `next`, but not listed: never sent to Kinde as a sign-out return URL. */
    {"/a://b", 1, 1},
    {"/x?u=https://evil.example", 1, 1},
};

static void redirect_targets_table(void **state)
{
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        const target_case *t = &targets[i];
        int local = redirect_is_local_path(t->target);
        int allowed = redirect_allowed(&logout_list, t->target);
        int bare = redirect_allowed(NULL, t->target);
        /* Listed: allowed without being a local path (exact URLs only). */
        int want_listed = t->allowed && !t->local;
        int listed = redirect_listed(&logout_list, t->target);
        if (local != t->local || allowed != t->allowed || bare != t->local ||
            listed != want_listed || redirect_listed(NULL, t->target))
            fail_msg("target #%zu \"%s\": local %d (want %d), allowed %d (want %d), "
                     "no list %d (want %d), listed %d (want %d)",
                     i, t->target, local, t->local, allowed, t->allowed, bare, t->local,
                     listed, want_listed);
    }
    /* An empty list takes only local paths; a NULL entry is skipped. */
    const char *holes[] = {NULL, APP_ORIGIN "/"};
    redirect_list with_hole = {holes, 2};
    assert_true(redirect_allowed(&with_hole, APP_ORIGIN "/"));
    assert_true(redirect_listed(&with_hole, APP_ORIGIN "/"));
    assert_false(redirect_allowed(&with_hole, "//evil.example"));
    redirect_list empty = {NULL, 0};
    assert_false(redirect_allowed(&empty, APP_ORIGIN "/"));
    assert_false(redirect_listed(&empty, APP_ORIGIN "/"));
    assert_true(redirect_allowed(&empty, "/details"));
    assert_false(redirect_listed(&empty, "/details"));
    assert_false(redirect_allowed(&logout_list, NULL));
    assert_false(redirect_listed(&logout_list, NULL));
    /* Exactly REDIRECT_PATH_MAX characters is fine; one more is not. */
    char p[REDIRECT_PATH_MAX + 2];
    memset(p, 'a', sizeof p);
    p[0] = '/';
    p[REDIRECT_PATH_MAX] = '\0';
    assert_true(redirect_is_local_path(p));
    p[REDIRECT_PATH_MAX] = 'a';
    p[REDIRECT_PATH_MAX + 1] = '\0';
    assert_false(redirect_is_local_path(p));
}

/* Query parameters of a request target: form rules, and whatever is
 * doubtful (a repeat, a bad escape, too long) is unusable, never a guess. */
static void query_parameters(void **state)
{
    char out[16];
    web_request q = {.target = "/login?next=%2Fdetails%3Ftab%3Dflags&org_name=Acme+Co"};
    assert_int_equal(web_query(&q, "next", out, sizeof out), -1); /* 17 bytes: too long */
    char big[64];
    assert_int_equal(web_query(&q, "next", big, sizeof big), 1);
    assert_string_equal(big, "/details?tab=flags");
    assert_int_equal(web_query(&q, "org_name", out, sizeof out), 1);
    assert_string_equal(out, "Acme Co");
    assert_int_equal(web_query(&q, "nope", out, sizeof out), 0);
    q.target = "/login?next=/a&next=/b";
    assert_int_equal(web_query(&q, "next", out, sizeof out), -1);
    q.target = "/login?next=%zz";
    assert_int_equal(web_query(&q, "next", out, sizeof out), -1);
    q.target = "/login?next=%00";
    assert_int_equal(web_query(&q, "next", out, sizeof out), -1);
    q.target = "/login";
    assert_int_equal(web_query(&q, "next", out, sizeof out), 0);
    assert_string_equal(out, "");
    q.target = "/login?";
    assert_int_equal(web_query(&q, "next", out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cookie_header_parsing),
        cmocka_unit_test(cookie_attributes),
        cmocka_unit_test(form_bodies),
        cmocka_unit_test(redirect_allow_list),
        cmocka_unit_test(redirect_targets_table),
        cmocka_unit_test(query_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
