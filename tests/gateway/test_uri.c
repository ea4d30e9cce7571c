/* gw_uri_normalize (SECURITY G44) against a hostile table: each input with
 * the exact path it gives, or its refusal and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

typedef struct uri_case {
    const char *raw;
    const char *want; /* NULL: refused */
    const char *why; /* for a refusal: a part of the reason */
} uri_case;

static const uri_case cases[] = {
    /* dot segments, raw or percent-encoded, anywhere: refused, not resolved
     * (browsers resolve them before sending; an upstream routing on the raw
     * path would not) */
    {"/a/../b", NULL, "dot segment"},
    {"/a/%2e%2e/b", NULL, "dot segment"},
    {"/a/%2E%2e/b", NULL, "dot segment"},
    {"/a/.%2e/b", NULL, "dot segment"},
    {"/a/./b", NULL, "dot segment"},
    {"/a/%2e/b", NULL, "dot segment"},
    {"/a/b/..", NULL, "dot segment"},
    {"/a/b/../", NULL, "dot segment"},
    {"/a/.", NULL, "dot segment"},
    {"/./", NULL, "dot segment"},
    {"/..", NULL, "dot segment"},
    {"/%2e%2e/a", NULL, "dot segment"},
    {"/admin/%2e%2e/public", NULL, "dot segment"},
    /* names that only look like dots */
    {"/.../a", "/.../a", NULL},
    {"/a/.b/..c/b..", "/a/.b/..c/b..", NULL},
    /* runs of '/' */
    {"//a///b", "/a/b", NULL},
    {"/a//", "/a/", NULL},
    {"//", "/", NULL},
    {"/a//./b", NULL, "dot segment"},
    {"/a//../b", NULL, "dot segment"},
    {"//../a", NULL, "dot segment"},
    /* encoded separators and escapes */
    {"/a/..%2fb", NULL, "encoded '/'"},
    {"/%2f", NULL, "encoded '/'"},
    {"/a%2Fb", NULL, "encoded '/'"},
    {"/a%5cb", NULL, "encoded '/' or '\\'"},
    {"/a%5Cb", NULL, "encoded '/' or '\\'"},
    {"/%25", NULL, "encoded '%'"},
    {"/%2541", NULL, "encoded '%'"},
    {"/a%3fb", NULL, "encoded '?'"},
    {"/a%23b", NULL, "encoded '?' or '#'"},
    {"/%zz", NULL, "bad percent escape"},
    {"/%4", NULL, "bad percent escape"},
    {"/a%", NULL, "bad percent escape"},
    {"/a%g0", NULL, "bad percent escape"},
    {"/%4?1", NULL, "bad percent escape"},
    /* control characters, encoded or raw, and raw '\' */
    {"/a%00", NULL, "encoded control"},
    {"/a%0d%0a", NULL, "encoded control"},
    {"/a%09", NULL, "encoded control"},
    {"/a%7f", NULL, "encoded control"},
    {"/a%1F", NULL, "encoded control"},
    {"/a\\b", NULL, "'\\'"},
    {"/a\tb", NULL, "control character"},
    {"/a\rb", NULL, "control character"},
    {"/a\x7f", NULL, "control character"},
    /* harmless decoded bytes */
    {"/a%20b", "/a b", NULL},
    {"/%41%62c", "/Abc", NULL},
    {"/a%3bb", "/a;b", NULL},
    /* UTF-8, encoded or raw: kept as bytes */
    {"/caf%C3%A9", "/caf\xc3\xa9", NULL},
    {"/caf%c3%a9/x", "/caf\xc3\xa9/x", NULL},
    {"/caf\xc3\xa9", "/caf\xc3\xa9", NULL},
    {"/%F0%9F%94%91", "/\xf0\x9f\x94\x91", NULL},
    {"/%ff", "/\xff", NULL},
    /* absolute-form: scheme and authority skipped */
    {"http://h/p?q", "/p", NULL},
    {"HTTPS://h:8443/a/b", "/a/b", NULL},
    {"http://user@h/p", "/p", NULL},
    {"http:///p", "/p", NULL},
    {"https://h", NULL, "not a path"},
    {"https://h?q", NULL, "not a path"},
    {"http://h\\x/p", NULL, "authority"},
    {"http://h\x01/p", NULL, "authority"},
    {"ftp://h/p", NULL, "not a path"},
    {"http:/p", NULL, "not a path"},
    /* not a path */
    {"*", NULL, "not a path"},
    {"a", NULL, "not a path"},
    {"", NULL, "not a path"},
    {"?q", NULL, "not a path"},
    {"\\a", NULL, "not a path"},
    /* query and fragment cut, whatever they hold */
    {"/p?x=/../..%2f%00\\", "/p", NULL},
    {"/p#frag/../../", "/p", NULL},
    {"/p/?q", "/p/", NULL},
    {"/?", "/", NULL},
    {"/a#b?c", "/a", NULL},
    {"/", "/", NULL},
};

static void hostile_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[GW_URI_MAX + 1];
        const char *why = NULL;
        int rc = gw_uri_normalize(cases[i].raw, out, sizeof out, &why);
        if (cases[i].want) {
            if (rc != 0 || strcmp(out, cases[i].want) != 0)
                fail_msg("case %zu '%s': want '%s', got rc %d '%s' (%s)", i, cases[i].raw,
                         cases[i].want, rc, rc ? "" : out, why ? why : "");
        } else {
            if (rc != -1 || !why || !strstr(why, cases[i].why))
                fail_msg("case %zu '%s': want refused (%s), got rc %d '%s' (%s)", i, cases[i].raw,
                         cases[i].why, rc, rc ? "" : out, why ? why : "");
        }
    }
}

/* Whatever is accepted is a fixed point: normalising it again changes nothing. */
static void accepted_paths_are_fixed_points(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (!cases[i].want)
            continue;
        char again[GW_URI_MAX + 1];
        const char *why = NULL;
        assert_int_equal(gw_uri_normalize(cases[i].want, again, sizeof again, &why), 0);
        assert_string_equal(again, cases[i].want);
    }
}

/* GW_URI_MAX bytes of path pass, one more is refused; the query does not count. */
static void length_limit(void **state)
{
    (void)state;
    char *raw = malloc(GW_URI_MAX + 64);
    char out[GW_URI_MAX + 1];
    const char *why = NULL;
    assert_non_null(raw);
    raw[0] = '/';
    memset(raw + 1, 'a', GW_URI_MAX - 1);
    raw[GW_URI_MAX] = '\0';
    assert_int_equal(gw_uri_normalize(raw, out, sizeof out, &why), 0);
    assert_int_equal(strlen(out), GW_URI_MAX);
    strcpy(raw + GW_URI_MAX, "?a=1&b=2");
    assert_int_equal(gw_uri_normalize(raw, out, sizeof out, &why), 0);
    assert_int_equal(strlen(out), GW_URI_MAX);
    raw[GW_URI_MAX] = 'a';
    raw[GW_URI_MAX + 1] = '\0';
    assert_int_equal(gw_uri_normalize(raw, out, sizeof out, &why), -1);
    assert_string_equal(why, "longer than GW_URI_MAX");
    /* Long in the raw, short once decoded: the raw length is what counts. */
    size_t n = 1;
    raw[0] = '/';
    while (n + 3 <= GW_URI_MAX + 3) {
        memcpy(raw + n, "%41", 3);
        n += 3;
    }
    raw[n] = '\0';
    assert_int_equal(gw_uri_normalize(raw, out, sizeof out, &why), -1);
    assert_string_equal(why, "longer than GW_URI_MAX");
    free(raw);
}

/* A small output buffer refuses, and is never written past. */
static void output_buffer_bounds(void **state)
{
    (void)state;
    char out[8];
    const char *why = NULL;
    memset(out, 'X', sizeof out);
    /* "/abc" needs 5 bytes; trailing '/' paths need one more. */
    assert_int_equal(gw_uri_normalize("/abc", out, 4, &why), -1);
    assert_string_equal(why, "longer than the output buffer");
    assert_int_equal(out[4], 'X');
    assert_int_equal(gw_uri_normalize("/abc", out, 5, &why), 0);
    assert_string_equal(out, "/abc");
    assert_int_equal(out[5], 'X');
    assert_int_equal(gw_uri_normalize("/abc/", out, 5, &why), -1);
    assert_int_equal(gw_uri_normalize("/abc/", out, 6, &why), 0);
    assert_string_equal(out, "/abc/");
    assert_int_equal(gw_uri_normalize("/", out, 2, &why), 0);
    assert_string_equal(out, "/");
    assert_int_equal(gw_uri_normalize("/", out, 1, &why), -1);
    assert_int_equal(gw_uri_normalize(NULL, out, sizeof out, &why), -1);
    assert_string_equal(why, "no URI");
    assert_int_equal(gw_uri_normalize("/", NULL, 8, &why), -1);
    /* why may be NULL */
    assert_int_equal(gw_uri_normalize("/..", out, sizeof out, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_table),
        cmocka_unit_test(accepted_paths_are_fixed_points),
        cmocka_unit_test(length_limit),
        cmocka_unit_test(output_buffer_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
