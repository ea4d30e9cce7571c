/* src/jsonscan.c: the token payload parser, its accessors and its JSON
 * text. What it accepts and refuses is also held to jansson's answers by
 * tests/fuzz/fuzz_json_diff.c; here each rule is named once, with the values
 * and texts it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* Parse len bytes (a private copy: the parser writes into its text). */
static int parse_n(const char *text, size_t len, kinde__jdoc **out, const char **why)
{
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *w = NULL;
    int rc = kinde__jdoc_parse(copy, len, out, why ? why : &w);
    free(copy);
    return rc;
}

static int refused(const char *text, size_t len, const char *want_why)
{
    kinde__jdoc *d = (kinde__jdoc *)1;
    const char *why = NULL;
    int rc = parse_n(text, len, &d, &why);
    if (rc != -1)
        fail_msg("accepted: %.*s", (int)len, text);
    assert_null(d);
    assert_non_null(why);
    if (want_why && !strstr(why, want_why))
        fail_msg("refused '%.*s' for '%s', expected '%s'", (int)len, text, why, want_why);
    return 1;
}

#define REFUSED(lit, why) refused(lit, sizeof(lit) - 1, why)

static void refuses_what_is_not_strict_json(void **state)
{
    REFUSED("", "not a JSON object");
    REFUSED("   ", "not a JSON object");
    REFUSED("[1]", "not a JSON object");
    REFUSED("\"a\"", "not a JSON object");
    REFUSED("1", "not a JSON object");
    REFUSED("\xef\xbb\xbf{}", "not a JSON object");          /* BOM */
    REFUSED("{}x", "data after the object");
    REFUSED("{}{}", "data after the object");
    REFUSED("{}\0", "data after the object");
    REFUSED("{\"a\":1,\"a\":2}", "duplicate");
    REFUSED("{\"a\":1,\"\\u0061\":2}", "duplicate");            /* same name decoded */
    REFUSED("{\"x\":{\"k\":[],\"k\":{}}}", "duplicate");
    REFUSED("{\"a\":01}", "leading zero");
    REFUSED("{\"a\":-01}", "leading zero");
    REFUSED("{\"a\":00}", "leading zero");
    REFUSED("{\"a\":+1}", "invalid token");
    REFUSED("{\"a\":1.}", "invalid number");
    REFUSED("{\"a\":.5}", "invalid token");
    REFUSED("{\"a\":1e}", "invalid number");
    REFUSED("{\"a\":1e+}", "invalid number");
    REFUSED("{\"a\":-}", "invalid number");
    REFUSED("{\"a\":-a}", "invalid number");
    REFUSED("{\"a\":9223372036854775808}", "integer out of range");
    REFUSED("{\"a\":-9223372036854775809}", "integer out of range");
    REFUSED("{\"a\":99999999999999999999}", "integer out of range");
    REFUSED("{\"a\":1e309}", "overflow");
    REFUSED("{\"a\":-1e309}", "overflow");
    REFUSED("{\"a\":NaN}", "invalid token");
    REFUSED("{\"a\":tru}", "invalid token");
    REFUSED("{\"a\":nul}", "invalid token");
    REFUSED("{\"a\":fals}", "invalid token");
    REFUSED("{\"a\":\"\x01\"}", "control character");
    REFUSED("{\"a\":\"\n\"}", "control character");
    REFUSED("{\"a\":\"x\0\"}", "control character");
    REFUSED("{\"a\":\"\\u0000\"}", "\\u0000");
    REFUSED("{\"\\u0000\":1}", "\\u0000");
    REFUSED("{\"a\":\"\\ud800\"}", "lone surrogate");
    REFUSED("{\"a\":\"\\ud800x\"}", "lone surrogate");
    REFUSED("{\"a\":\"\\udc00\"}", "lone surrogate");
    REFUSED("{\"a\":\"\\ud800\\u0041\"}", "lone surrogate");
    REFUSED("{\"a\":\"\\ud800\\uzzzz\"}", "invalid escape");
    REFUSED("{\"a\":\"\\x\"}", "invalid escape");
    REFUSED("{\"a\":\"\\u12\"}", "invalid escape");
    REFUSED("{\"a\":\"\\u12g4\"}", "invalid escape");
    REFUSED("{\"a\":\"\\", "unterminated");
    REFUSED("{\"a\":\"abc", "unterminated string");
    REFUSED("{\"a\":\"\xc3(\"}", "UTF-8");                     /* bad continuation */
    REFUSED("{\"a\":\"\xc0\xaf\"}", "UTF-8");                  /* overlong */
    REFUSED("{\"a\":\"\xe0\x80\xaf\"}", "UTF-8");              /* overlong */
    REFUSED("{\"a\":\"\xf0\x80\x80\xaf\"}", "UTF-8");          /* overlong */
    REFUSED("{\"a\":\"\xed\xa0\x80\"}", "UTF-8");              /* surrogate */
    REFUSED("{\"a\":\"\xf4\x90\x80\x80\"}", "UTF-8");          /* above U+10FFFF */
    REFUSED("{\"a\":\"\xf5\x80\x80\x80\"}", "UTF-8");
    REFUSED("{\"a\":\"\xe2\x82\"}", "UTF-8");                  /* truncated */
    REFUSED("{\"a\":\"\xe2\x82", "UTF-8");                     /* truncated at the end */
    REFUSED("{\"a\":\"\xe9\"}", "UTF-8");                      /* Latin-1 */
    REFUSED("{\"a\":1\xc3\xa9}", "',' or end");
    REFUSED("{\"a\":1", "unterminated container");
    REFUSED("{\"a\":", "premature end");
    REFUSED("{\"a\"", "':' expected");
    REFUSED("{\"a\" 1}", "':' expected");
    REFUSED("{1:2}", "member name expected");
    REFUSED("{'a':1}", "member name expected");
    REFUSED("{\"a\":1,}", "member name expected");
    REFUSED("{\"a\":[1,]}", "invalid token");
    REFUSED("{\"a\":[1 2]}", "',' or end");
    REFUSED("{\"a\":1/*c*/}", "',' or end");
    REFUSED("{\"a\":\x0b" "1}", "invalid token");               /* not JSON whitespace */
}

/* KINDE__JSON_DEPTH levels of containers, the object at the top included. */
static void depth_is_capped(void **state)
{
    char text[256];
    for (int levels = KINDE__JSON_DEPTH; levels <= KINDE__JSON_DEPTH + 1; levels++) {
        size_t n = 0;
        for (const char *open = "{\"a\":"; *open; open++)
            text[n++] = *open;
        for (int i = 1; i < levels; i++)
            text[n++] = '[';
        for (int i = 1; i < levels; i++)
            text[n++] = ']';
        text[n++] = '}';
        kinde__jdoc *d = NULL;
        const char *why = NULL;
        int rc = parse_n(text, n, &d, &why);
        if (levels <= KINDE__JSON_DEPTH) {
            assert_int_equal(rc, 0);
            kinde__jdoc_free(d);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(why, "nested too deeply");
        }
    }
}

static kinde__jdoc *ok(const char *text)
{
    return tu_jdoc(text);
}

static void values_are_decoded_exactly(void **state)
{
    kinde__jdoc *d = ok(" \t\r\n{ \"i\" : -9223372036854775808 , \"j\":9223372036854775807,\"z\":-0,"
                        "\"r\":-0.0,\"e\":1E-5,\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\","
                        "\"u\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\",\"t\":true,\"f\":false,\"n\":null,"
                        "\"a\":[1,[2,{\"k\":\"v\"}],3],\"o\":{},\"\":\"empty name\"} \n");
    const kinde__jval *r = kinde__jroot(d);
    assert_int_equal(r->type, KINDE__J_OBJECT);
    assert_int_equal(r->n, 13);
    assert_true(kinde__jget(r, "i")->v.i == INT64_MIN);
    assert_true(kinde__jget(r, "j")->v.i == INT64_MAX);
    assert_int_equal(kinde__jget(r, "z")->type, KINDE__J_INT);
    assert_int_equal(kinde__jget(r, "z")->v.i, 0);
    const kinde__jval *neg0 = kinde__jget(r, "r");
    assert_int_equal(neg0->type, KINDE__J_REAL);
    assert_true(neg0->v.d == 0.0 && 1 / neg0->v.d < 0); /* the sign is kept */
    assert_true(kinde__jget(r, "e")->v.d == 1e-5);
    const kinde__jval *s = kinde__jget(r, "s");
    static const char want[] = "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    assert_int_equal(s->n, sizeof want - 1);
    assert_memory_equal(s->v.s, want, sizeof want);       /* NUL-terminated too */
    assert_string_equal(kinde__jget_str(r, "u"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f");
    assert_int_equal(kinde__jget(r, "t")->type, KINDE__J_TRUE);
    assert_int_equal(kinde__jget(r, "f")->type, KINDE__J_FALSE);
    assert_int_equal(kinde__jget(r, "n")->type, KINDE__J_NULL);
    assert_string_equal(kinde__jget_str(r, ""), "empty name");
    /* Walking an array skips over what is nested in it. */
    const kinde__jval *a = kinde__jget(r, "a"), *e = a + 1;
    assert_int_equal(a->n, 3);
    assert_int_equal(e->v.i, 1);
    e = kinde__jnext(e);
    assert_int_equal(e->type, KINDE__J_ARRAY);
    assert_string_equal(kinde__jget_str(e + 2, "k"), "v");
    e = kinde__jnext(e);
    assert_int_equal(e->v.i, 3);
    assert_int_equal(kinde__jget(r, "o")->n, 0);
    /* Absent, wrong type, not an object: NULL. */
    assert_null(kinde__jget(r, "missing"));
    assert_null(kinde__jget(r, "I"));
    assert_null(kinde__jget_str(r, "i"));
    assert_null(kinde__jget(a, "k"));
    assert_null(kinde__jget(NULL, "k"));
    assert_null(kinde__jget(r, NULL));
    assert_null(kinde__jstr(NULL));
    assert_null(kinde__jroot(NULL));
    kinde__jdoc_free(d);
    kinde__jdoc_free(NULL);
}

static void text_is_janssons_compact_dump(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"{\"a\": [1, -2, {\"b\": null}], \"t\": true, \"f\": false, \"e\": {}, \"l\": []}",
         "{\"a\":[1,-2,{\"b\":null}],\"t\":true,\"f\":false,\"e\":{},\"l\":[]}"},
        {"{\"s\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\/\\u00e9\\ud83d\\ude00\\u007f\"}",
         "{\"s\":\"\\u0001\\u001F\\b\\f\\n\\r\\t\\\"\\\\/\xc3\xa9\xf0\x9f\x98\x80\x7f\"}"},
        {"{\"r\":[1.0,0.1,1e21,1e-7,-0.0,2.5E+3,1e100,123456789.125]}",
         "{\"r\":[1.0,0.10000000000000001,1e21,9.9999999999999995e-8,-0.0,2500.0,1e100,123456789.125]}"},
        {"{\"i\":[0,-9223372036854775808,9223372036854775807]}",
         "{\"i\":[0,-9223372036854775808,9223372036854775807]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kinde__jdoc *d = ok(cases[i].in);
        char *t = kinde__jtext(kinde__jroot(d));
        assert_non_null(t);
        assert_string_equal(t, cases[i].out);
        kinde_free(t);
        /* A member alone, as kinde_get_claim hands it out. */
        const kinde__jval *first = kinde__jroot(d) + 2;
        t = kinde__jtext(first);
        assert_non_null(t);
        assert_non_null(strstr(cases[i].out, t));
        kinde_free(t);
        kinde__jdoc_free(d);
    }
    assert_null(kinde__jtext(NULL));
    /* A real too long for the stack buffer is read through a heap copy. */
    char text[200] = "{\"r\":1.";
    memset(text + 7, '0', 150);
    strcpy(text + 157, "5}");
    kinde__jdoc *d = ok(text);
    assert_true(kinde__jget(kinde__jroot(d), "r")->v.d == 1.0);
    kinde__jdoc_free(d);
}

static void equality_is_janssons(void **state)
{
    kinde__jdoc *a = ok("{\"x\":{\"p\":1,\"q\":[\"s\",2.5,true,null]},\"y\":1,\"z\":1.0,\"w\":\"ab\",\"f\":false}");
    kinde__jdoc *b = ok("{\"x\":{\"q\":[\"s\",2.5,true,null],\"p\":1},\"y\":1,\"z\":1.0,\"w\":\"ab\",\"f\":false}");
    const kinde__jval *ra = kinde__jroot(a), *rb = kinde__jroot(b);
    assert_true(kinde__jequal(ra, rb));                    /* members in any order */
    assert_true(kinde__jequal(kinde__jget(ra, "x"), kinde__jget(rb, "x")));
    assert_false(kinde__jequal(kinde__jget(ra, "y"), kinde__jget(rb, "z"))); /* 1 is not 1.0 */
    assert_false(kinde__jequal(kinde__jget(ra, "x"), kinde__jget(rb, "y")));
    assert_false(kinde__jequal(kinde__jget(ra, "w"), kinde__jget(rb, "x")));
    assert_false(kinde__jequal(NULL, NULL));                /* as json_equal(NULL, NULL) */
    assert_false(kinde__jequal(ra, NULL));
    kinde__jdoc *c = ok("{\"x\":{\"p\":1,\"q\":[\"s\",2.5,true,false]},\"y\":1,\"z\":1.0,\"w\":\"ab\",\"f\":false}");
    kinde__jdoc *e = ok("{\"x\":{\"p\":1,\"q\":[\"s\",2.5,true]},\"y\":1,\"z\":1.0,\"w\":\"ac\",\"f\":false}");
    kinde__jdoc *g = ok("{\"x\":{\"p\":1,\"r\":[\"s\",2.5,true,null]},\"y\":2,\"z\":1.5,\"w\":\"ab\",\"f\":true}");
    kinde__jdoc *h = ok("{\"x\":{\"p\":1}}");
    assert_false(kinde__jequal(ra, kinde__jroot(c)));       /* null against false */
    assert_false(kinde__jequal(ra, kinde__jroot(e)));       /* array length, string */
    assert_false(kinde__jequal(ra, kinde__jroot(g)));       /* a name differs */
    assert_false(kinde__jequal(ra, kinde__jroot(h)));       /* member count */
    const kinde__jval *rg = kinde__jroot(g);
    assert_false(kinde__jequal(kinde__jget(ra, "y"), kinde__jget(rg, "y")));
    assert_false(kinde__jequal(kinde__jget(ra, "z"), kinde__jget(rg, "z")));
    assert_false(kinde__jequal(kinde__jget(ra, "f"), kinde__jget(rg, "f")));
    assert_false(kinde__jequal(kinde__jget(ra, "w"), kinde__jget(kinde__jroot(e), "w")));
    kinde__jdoc_free(a);
    kinde__jdoc_free(b);
    kinde__jdoc_free(c);
    kinde__jdoc_free(e);
    kinde__jdoc_free(g);
    kinde__jdoc_free(h);
}

/* A copy stands alone: its strings point into itself. */
static void copies_are_independent(void **state)
{
    kinde__jdoc *d = ok("{\"sub\":\"kp_1\",\"aud\":[\"a\",\"b\"]}");
    kinde__jdoc *c = kinde__jdoc_dup(d);
    assert_non_null(c);
    kinde__jdoc_free(d);
    assert_string_equal(kinde__jget_str(kinde__jroot(c), "sub"), "kp_1");
    assert_string_equal(kinde__jstr(kinde__jget(kinde__jroot(c), "aud") + 2), "b");
    kinde__jdoc_free(c);
    assert_null(kinde__jdoc_dup(NULL));
}

/* Past the sizes kept on the stack: many values, objects with many members
 * (names checked for duplicates by sorting, not pairwise). */
static void large_documents(void **state)
{
    for (int dup = 0; dup <= 1; dup++) {
        char text[8192];
        size_t n = 0;
        n += (size_t)snprintf(text + n, sizeof text - n, "{");
        for (int i = 0; i < 300; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s\"k%d\":[%d]", i ? "," : "", i, i);
        n += (size_t)snprintf(text + n, sizeof text - n, dup ? ",\"k150\":0}" : ",\"k\":{\"k\":1}}");
        kinde__jdoc *d = NULL;
        const char *why = NULL;
        int rc = parse_n(text, n, &d, &why);
        if (dup) {
            assert_int_equal(rc, -1);
            assert_string_equal(why, "duplicate member name");
            continue;
        }
        assert_int_equal(rc, 0);
        const kinde__jval *r = kinde__jroot(d);
        assert_int_equal(r->n, 301);
        assert_int_equal(kinde__jget(r, "k299")[1].v.i, 299);
        assert_int_equal(d->n, 1 + 300 * 3 + 4);
        char *t = kinde__jtext(r);
        assert_non_null(t);
        assert_int_equal(strlen(t), n);
        assert_memory_equal(t, text, n);
        kinde_free(t);
        kinde__jdoc_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_what_is_not_strict_json),
        cmocka_unit_test(depth_is_capped),
        cmocka_unit_test(values_are_decoded_exactly),
        cmocka_unit_test(text_is_janssons_compact_dump),
        cmocka_unit_test(equality_is_janssons),
        cmocka_unit_test(copies_are_independent),
        cmocka_unit_test(large_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
