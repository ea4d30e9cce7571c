/* The gateway's rules (gateway/RULES.md): every parse error with its line,
 * which rule a request gets, and each requirement met and not met by real
 * sessions (signed access tokens with chosen claims, loaded the way the
 * gateway loads them from its store: kinde_session_deserialize). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"
#include "testutil.h"

static EVP_PKEY *key;

static int setup_key(void **state)
{
    (void)state;
    /* A stored session is read back without verifying its tokens again (they
     * were when stored), so the key's size does not matter: a small one is
     * generated in a second under valgrind, 2048 bits took a minute. */
    key = tu_rsa_key(1024);
    return key ? 0 : -1;
}

static int teardown_key(void **state)
{
    (void)state;
    EVP_PKEY_free(key);
    return 0;
}

static gw_rules *parse(const char *text)
{
    char err[512];
    gw_rules *r = gw_rules_parse(text, strlen(text), "t.rules", err, sizeof err);
    if (!r)
        fail_msg("does not parse: %s", err);
    return r;
}

/* ---- errors ------------------------------------------------------------------ */

typedef struct bad_case {
    const char *text;
    const char *err; /* the whole message */
} bad_case;

static const bad_case bad[] = {
    /* requirements */
    {"* / sigend-in\n", "t.rules:1: unknown requirement 'sigend-in'"},
    {"* / Public\n", "t.rules:1: unknown requirement 'Public'"},
    {"* / roles=a\n", "t.rules:1: unknown requirement 'roles=a'"},
    {"* / =a\n", "t.rules:1: unknown requirement '=a'"},
    {"* / role=\n", "t.rules:1: empty value in 'role='"},
    {"* / role=a,,b\n", "t.rules:1: empty value in 'role=a,,b'"},
    {"* / org=a,\n", "t.rules:1: empty value in 'org=a,'"},
    {"* / any-permission=,a\n", "t.rules:1: empty value in 'any-permission=,a'"},
    {"* / role\n", "t.rules:1: 'role' needs a value (role=...)"},
    {"* / flag\n", "t.rules:1: 'flag' needs a value (flag=...)"},
    {"* / public=yes\n", "t.rules:1: 'public' takes no value"},
    {"* / signed-in=1\n", "t.rules:1: 'signed-in' takes no value"},
    {"* / permission=a,b\n",
     "t.rules:1: 'permission' takes one value (all-permissions=K,K for several)"},
    {"* / flag=a,b\n", "t.rules:1: 'flag' takes one value (one flag= per flag)"},
    {"* / role=a=b\n",
     "t.rules:1: bad value in 'role=a=b': values are printable ASCII without ',' '=' or spaces"},
    {"* / role=caf\xc3\xa9\n",
     "t.rules:1: bad value in 'role=caf\xc3\xa9': values are printable "
     "ASCII without ',' '=' or spaces"},
    {"* / public signed-in\n", "t.rules:1: 'public' cannot be combined with other requirements"},
    {"* / role=a public\n", "t.rules:1: 'public' cannot be combined with other requirements"},
    {"* / public public\n", "t.rules:1: 'public' cannot be combined with other requirements"},
    {"GET /x\n",
     "t.rules:1: no requirement: public, signed-in, permission=, all-permissions=, "
     "any-permission=, role=, org= or flag="},
    {"GET /x # public\n",
     "t.rules:1: no requirement: public, signed-in, permission=, "
     "all-permissions=, any-permission=, role=, org= or flag="},
    /* methods */
    {"get / public\n", "t.rules:1: bad method 'get': * or upper-case methods separated by commas"},
    {"GET, / public\n", "t.rules:1: bad method 'GET,': * or upper-case methods separated by commas"},
    {",GET / public\n", "t.rules:1: bad method ',GET': * or upper-case methods separated by commas"},
    {"GET,* / public\n", "t.rules:1: bad method 'GET,*': * or upper-case methods separated by commas"},
    {"** / public\n", "t.rules:1: bad method '**': * or upper-case methods separated by commas"},
    {"G#T / public\n", "t.rules:1: bad method 'G#T': * or upper-case methods separated by commas"},
    {"GET,POST,GET / public\n", "t.rules:1: bad method 'GET,POST,GET': GET is listed twice"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / public\n",
     "t.rules:1: bad method 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG': * or upper-case methods "
     "separated by commas"},
    /* paths */
    {"GET\n", "t.rules:1: no path: METHODS PATH REQUIREMENT..."},
    {"GET admin public\n", "t.rules:1: bad path 'admin': it must start with '/'"},
    {"GET * public\n", "t.rules:1: bad path '*': it must start with '/'"},
    {"GET /a/../b public\n", "t.rules:1: bad path '/a/../b': '.' and '..' segments are not allowed"},
    {"GET /a/./b public\n", "t.rules:1: bad path '/a/./b': '.' and '..' segments are not allowed"},
    {"GET /.. public\n", "t.rules:1: bad path '/..': '.' and '..' segments are not allowed"},
    {"GET /a/. public\n", "t.rules:1: bad path '/a/.': '.' and '..' segments are not allowed"},
    {"GET /a/../ public\n", "t.rules:1: bad path '/a/../': '.' and '..' segments are not allowed"},
    {"GET /a%20b public\n",
     "t.rules:1: bad path '/a%20b': '%' is not allowed: write the path decoded"},
    {"GET /a?b public\n",
     "t.rules:1: bad path '/a?b': '?' and '#' are not allowed: a rule is for a path, without "
     "query"},
    {"GET /a#b public\n",
     "t.rules:1: bad path '/a#b': '?' and '#' are not allowed: a rule is for a path, without "
     "query"},
    {"GET /a\\b public\n", "t.rules:1: bad path '/a\\b': '\\' is not allowed"},
    {"GET /a//b public\n", "t.rules:1: bad path '/a//b': '//' is not allowed"},
    {"GET // public\n", "t.rules:1: bad path '//': '//' is not allowed"},
    /* duplicates: same path (trailing '/' or not), overlapping methods */
    {"GET /x public\nGET /x/ signed-in\n",
     "t.rules:2: duplicate rule: GET /x/ is already given at line 1"},
    {"* / public\n\n* / signed-in\n", "t.rules:3: duplicate rule: * / is already given at line 1"},
    {"GET /x public\nPOST,GET /x role=a\n",
     "t.rules:2: duplicate rule: GET /x is already given at line 1"},
    {"GET /x public\nHEAD /x role=a\n",
     "t.rules:2: duplicate rule: HEAD /x is already given at line 1"},
    {"HEAD /x public\nGET /x role=a\n",
     "t.rules:2: duplicate rule: HEAD /x is already given at line 1"},
    {"POST /x public\nPUT /x public\nPATCH,PUT /x role=a\n",
     "t.rules:3: duplicate rule: PUT /x is already given at line 2"},
    /* not text */
    {"* / public\n# fine\n\x1b[31m\n", "t.rules:3: control character 0x1b: not a text file"},
    {"* / pub\rlic\n", "t.rules:1: control character 0x0d: not a text file"},
    {"* / public\r\r\n", "t.rules:1: control character 0x0d: not a text file"},
    {"# \x7f\n", "t.rules:1: control character 0x7f: not a text file"},
    {"\n\n# caf\xe9\n", "t.rules:3: not UTF-8 text"},
    {"# \xc0\xaf\n", "t.rules:1: not UTF-8 text"},
    {"# \xed\xa0\x80\n", "t.rules:1: not UTF-8 text"},
    {"# \xf4\x90\x80\x80\n", "t.rules:1: not UTF-8 text"},
    {"# \xe2\x82\n", "t.rules:1: not UTF-8 text"},
    {"\xff\xfe*\x00", "t.rules:1: not UTF-8 text"},
    /* line numbers count every line: comments, blank, CRLF */
    {"# rules\r\n\r\n   \t\r\n* / signed-in # all\r\nGET /x nope\r\n",
     "t.rules:5: unknown requirement 'nope'"},
};

static void every_error_names_its_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[512];
        memset(err, 'X', sizeof err);
        gw_rules *r = gw_rules_parse(bad[i].text, strlen(bad[i].text), "t.rules", err, sizeof err);
        if (r || strcmp(err, bad[i].err) != 0)
            fail_msg("case %zu: want \"%s\", got %s \"%s\"", i, bad[i].err, r ? "rules" : "error",
                     r ? "" : err);
    }
}

/* A NUL byte anywhere (len counts it) refuses the file, with its line. */
static void nul_byte(void **state)
{
    (void)state;
    static const char text[] = "* / signed-in\n# a\0b\n";
    char err[256];
    assert_null(gw_rules_parse(text, sizeof text - 1, "t.rules", err, sizeof err));
    assert_string_equal(err, "t.rules:2: a NUL byte: not a text file");
    /* The NUL is seen even where a C string would have ended. */
    static const char late[] = "* / signed-in\n\0";
    assert_null(gw_rules_parse(late, sizeof late - 1, "t.rules", err, sizeof err));
    assert_string_equal(err, "t.rules:2: a NUL byte: not a text file");
}

/* A long field is quoted in part (128 bytes), never cut inside a UTF-8
 * character. */
static void long_field_quoted_whole_characters(void **state)
{
    (void)state;
    char text[512] = "GET /", want[512] = "t.rules:1: bad path '/", err[512];
    for (int i = 0; i < 65; i++)
        strcat(text, "\xc3\xa9");
    strcat(text, "/%zz public\n");
    for (int i = 0; i < 63; i++) /* '/' and 63 of them are 127 bytes */
        strcat(want, "\xc3\xa9");
    strcat(want, "': '%' is not allowed: write the path decoded");
    assert_null(gw_rules_parse(text, strlen(text), "t.rules", err, sizeof err));
    assert_string_equal(err, want);
}

static void line_length_limit(void **state)
{
    (void)state;
    char err[256];
    /* 4096 bytes pass (the newline and a CR before it are not counted). */
    char *text = malloc(4096 + 8);
    assert_non_null(text);
    static const char start[] = "* / role=";
    memset(text, 'x', 4096);
    memcpy(text, start, sizeof start - 1); /* the x's go on */
    strcpy(text + 4096, "\r\n");
    gw_rules *r = gw_rules_parse(text, strlen(text), "t.rules", err, sizeof err);
    assert_non_null(r);
    assert_int_equal(gw_rules_count(r), 1);
    gw_rules_free(r);
    memset(text, '#', 4096);
    strcpy(text + 4096, "#\n");
    assert_null(gw_rules_parse(text, strlen(text), "t.rules", err, sizeof err));
    assert_string_equal(err, "t.rules:1: line longer than 4096 bytes");
    free(text);
}

static void rule_count_limit(void **state)
{
    (void)state;
    char err[256];
    /* 10000 rules, on 10000 paths. */
    size_t n = 10000;
    char *text = malloc(n * 32 + 64);
    assert_non_null(text);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "GET /p/%zu role=r%zu\n", i, i);
    gw_rules *r = gw_rules_parse(text, len, "t.rules", err, sizeof err);
    assert_non_null(r);
    assert_int_equal(gw_rules_count(r), n);
    assert_string_equal(gw_rule_where(gw_rules_match(r, "GET", "/p/9999/x")), "t.rules:10000");
    assert_string_equal(gw_rule_where(gw_rules_match(r, "GET", "/p/0")), "t.rules:1");
    assert_string_equal(gw_rule_where(gw_rules_match(r, "GET", "/p/10000")), "default");
    gw_rules_free(r);
    /* The 10001st is refused, on its line. */
    len += (size_t)sprintf(text + len, "# one more\nGET /q public\n");
    assert_null(gw_rules_parse(text, len, "t.rules", err, sizeof err));
    assert_string_equal(err, "t.rules:10002: more than 10000 rules");
    free(text);
}

static void load_files(void **state)
{
    (void)state;
    char err[512];
    assert_null(gw_rules_load("/nonexistent/rules.conf", err, sizeof err));
    assert_string_equal(err, "/nonexistent/rules.conf: cannot read: No such file or directory");
    assert_null(gw_rules_load("/", err, sizeof err));
    assert_string_equal(err, "/: cannot read: Is a directory");
    assert_null(gw_rules_load(NULL, err, sizeof err));

    char path[] = "/tmp/gw_rules_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "* / signed-in\nGET /x public\nGET /y rôle=a\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    assert_null(gw_rules_load(path, err, sizeof err));
    char want[256];
    snprintf(want, sizeof want, "%s:3: unknown requirement 'rôle=a'", path);
    assert_string_equal(err, want);
    unlink(path);

    /* A tiny error buffer gets a truncated, terminated message. */
    char small[8];
    assert_null(gw_rules_parse("x", 1, "t.rules", small, sizeof small));
    assert_string_equal(small, "t.rules");
}

/* ---- which rule applies ---------------------------------------------------------- */

static const char *where(const gw_rules *r, const char *method, const char *path)
{
    return gw_rule_where(gw_rules_match(r, method, path));
}

/* The example of gateway/RULES.md, as shipped. */
static void example_file(void **state)
{
    (void)state;
    char err[512];
    gw_rules *r = gw_rules_load(GW_SOURCE_DIR "/gateway/rules.example", err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    assert_int_equal(gw_rules_count(r), 7);
#define EX(line) GW_SOURCE_DIR "/gateway/rules.example:" #line
    assert_string_equal(where(r, "GET", "/"), EX(3));
    assert_string_equal(where(r, "GET", "/static/app.css"), EX(4));
    assert_true(gw_rule_is_public(gw_rules_match(r, "HEAD", "/static/app.css")));
    assert_string_equal(where(r, "POST", "/static/x"), EX(3));
    assert_string_equal(where(r, "DELETE", "/admin/users/1"), EX(5));
    assert_string_equal(where(r, "GET", "/reports/2026"), EX(6));
    assert_string_equal(where(r, "POST", "/reports"), EX(3));
    assert_string_equal(where(r, "POST", "/billing/invoices"), EX(7));
    assert_string_equal(where(r, "GET", "/billing/invoices"), EX(3));
    assert_string_equal(where(r, "GET", "/acme"), EX(8));
    assert_string_equal(where(r, "PUT", "/beta/x"), EX(9));
    assert_false(gw_rule_is_public(gw_rules_match(r, "GET", "/")));
#undef EX
    gw_rules_free(r);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65535, f);
    fclose(f);
    assert_true(n > 0 && n < 65535);
    return text;
}

/* RULES.md shows rules.example as it is. */
static void example_in_the_docs(void **state)
{
    (void)state;
    char *doc = read_all(GW_SOURCE_DIR "/gateway/RULES.md");
    char *example = read_all(GW_SOURCE_DIR "/gateway/rules.example");
    char *block = malloc(strlen(example) + 16);
    assert_non_null(block);
    sprintf(block, "```\n%s```\n", example);
    if (!strstr(doc, block))
        fail_msg("gateway/RULES.md does not show gateway/rules.example as it is");
    free(block);
    free(example);
    free(doc);
}

static void longest_prefix_and_methods(void **state)
{
    (void)state;
    gw_rules *r = parse("*    /            signed-in\n" /* 1 */
                        "*    /a           role=a\n" /* 2 */
                        "GET  /a/b/        role=ab\n" /* 3 */
                        "*    /a/b/c       role=abc\n" /* 4 */
                        "POST /a/b/c/d     role=abcd\n" /* 5 */
                        "GET  /a/b/c       role=abc-get\n" /* 6 */
                        "HEAD /h           public\n" /* 7 */
                        "GET,POST /m       role=m\n" /* 8 */
                        "*    /m           role=m-any\n" /* 9 */
                        "*    /admin       role=admin\n" /* 10 */
                        "*    /x/y.z/      role=xyz\n"); /* 11 */
    /* the longest matching path */
    assert_string_equal(where(r, "GET", "/"), "t.rules:1");
    assert_string_equal(where(r, "GET", "/zzz"), "t.rules:1");
    assert_string_equal(where(r, "PUT", "/a"), "t.rules:2");
    assert_string_equal(where(r, "PUT", "/a/"), "t.rules:2");
    assert_string_equal(where(r, "PUT", "/a/b"), "t.rules:2"); /* rule 3 is GET only */
    assert_string_equal(where(r, "GET", "/a/b"), "t.rules:3");
    assert_string_equal(where(r, "GET", "/a/b/"), "t.rules:3");
    assert_string_equal(where(r, "GET", "/a/b/x/y"), "t.rules:3");
    assert_string_equal(where(r, "PUT", "/a/b/c/x"), "t.rules:4");
    /* on the same path the rule naming the method beats '*' */
    assert_string_equal(where(r, "GET", "/a/b/c"), "t.rules:6");
    assert_string_equal(where(r, "GET", "/a/b/c/x"), "t.rules:6");
    assert_string_equal(where(r, "DELETE", "/a/b/c"), "t.rules:4");
    /* a longer path beats a method named on a shorter one, both ways */
    assert_string_equal(where(r, "POST", "/a/b/c/d/e"), "t.rules:5");
    assert_string_equal(where(r, "GET", "/a/b/c/d/e"), "t.rules:6");
    /* GET covers HEAD; HEAD alone does not cover GET */
    assert_string_equal(where(r, "HEAD", "/a/b/c"), "t.rules:6");
    assert_string_equal(where(r, "HEAD", "/a/b"), "t.rules:3");
    assert_string_equal(where(r, "HEAD", "/h"), "t.rules:7");
    assert_string_equal(where(r, "GET", "/h"), "t.rules:1");
    assert_string_equal(where(r, "HEAD", "/m"), "t.rules:8");
    assert_string_equal(where(r, "POST", "/m"), "t.rules:8");
    assert_string_equal(where(r, "PUT", "/m"), "t.rules:9");
    /* methods are case-sensitive (RFC 9110 9.1): "get" is some other method */
    assert_string_equal(where(r, "get", "/m"), "t.rules:9");
    assert_string_equal(where(r, NULL, "/m"), "t.rules:9");
    /* segment boundaries */
    assert_string_equal(where(r, "GET", "/admin"), "t.rules:10");
    assert_string_equal(where(r, "GET", "/admin/"), "t.rules:10");
    assert_string_equal(where(r, "GET", "/admin/x"), "t.rules:10");
    assert_string_equal(where(r, "GET", "/administrator"), "t.rules:1");
    assert_string_equal(where(r, "GET", "/admin.php"), "t.rules:1");
    assert_string_equal(where(r, "GET", "/x/y.z"), "t.rules:11");
    assert_string_equal(where(r, "GET", "/x/y.zz"), "t.rules:1");
    assert_string_equal(where(r, "GET", "/x/y"), "t.rules:1");
    assert_string_equal(where(r, "GET", "/ab"), "t.rules:1");
    gw_rules_free(r);
}

/* What the gateway does per request: normalise X-Original-URI, then match.
 * Rule paths are written decoded, so encoded forms reach the same rule. */
static void normalised_then_matched(void **state)
{
    (void)state;
    gw_rules *r = parse("* / signed-in\n"
                        "GET /caf\xc3\xa9/ public\n"
                        "* /admin/ role=admin\n");
    static const struct {
        const char *raw, *where;
    } cases[] = {
        {"/caf%C3%A9/menu", "t.rules:2"},
        {"/caf\xc3\xa9", "t.rules:2"},
        {"/%61dmin/x", "t.rules:3"},
        {"//admin//x", "t.rules:3"},
        {"http://evil/admin?x=/public", "t.rules:3"},
        {"/public?/admin", "t.rules:1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[GW_URI_MAX + 1];
        const char *why = NULL;
        assert_int_equal(gw_uri_normalize(cases[i].raw, path, sizeof path, &why), 0);
        if (strcmp(where(r, "GET", path), cases[i].where) != 0)
            fail_msg("'%s' (%s): want %s, got %s", cases[i].raw, path, cases[i].where,
                     where(r, "GET", path));
    }
    gw_rules_free(r);
}

/* No rule matches: the built-in signed-in rule, "default". */
static void default_rule(void **state)
{
    (void)state;
    gw_rules *r = parse("GET /static/ public\n\n# only this\n");
    assert_int_equal(gw_rules_count(r), 1);
    const gw_rule *d = gw_rules_match(r, "GET", "/other");
    assert_non_null(d);
    assert_string_equal(gw_rule_where(d), "default");
    assert_false(gw_rule_is_public(d));
    assert_string_equal(where(r, "POST", "/static/x"), "default");
    assert_string_equal(where(r, "GET", "/static"), "t.rules:1");
    assert_string_equal(where(r, "GET", NULL), "default");
    gw_rules_free(r);

    gw_rules *empty = parse("# nothing\n\n");
    assert_int_equal(gw_rules_count(empty), 0);
    assert_string_equal(where(empty, "GET", "/"), "default");
    gw_rules_free(empty);

    /* No text at all is no rules, as an empty file. */
    char err[64];
    gw_rules *none = gw_rules_parse(NULL, 5, "t.rules", err, sizeof err);
    assert_non_null(none);
    assert_int_equal(gw_rules_count(none), 0);
    gw_rules_free(none);

    gw_rules *def = gw_rules_default();
    assert_non_null(def);
    assert_int_equal(gw_rules_count(def), 0);
    assert_string_equal(where(def, "GET", "/x"), "default");
    assert_false(gw_rule_is_public(gw_rules_match(def, "GET", "/x")));
    gw_rules_free(def);
    assert_string_equal(where(NULL, "GET", "/x"), "default");
    assert_int_equal(gw_rules_count(NULL), 0);
    gw_rules_free(NULL);
}

/* ---- requirements against real sessions ---------------------------------------- */

/* A session holding a signed access token with the claims every Kinde token
 * has plus `extra` (JSON members), read back as the gateway reads its store. */
static kinde_session *session_with(const char *extra)
{
    char payload[2048];
    long long now = (long long)kinde__now();
    snprintf(payload, sizeof payload,
             "{\"aud\":[],\"azp\":\"cid\",\"iss\":\"https://acme.kinde.com\",\"jti\":\"j1\","
             "\"sub\":\"kp_1\",\"iat\":%lld,\"exp\":%lld%s%s}",
             now, now + 3600, extra[0] ? "," : "", extra);
    char *at = tu_sign_rs256("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", payload, key);
    assert_non_null(at);
    size_t n = strlen(at) + 64;
    char *record = malloc(n);
    assert_non_null(record);
    snprintf(record, n, "kinde-session 1\nat %s\n", at);
    kinde_session *s = NULL;
    kinde_error err;
    if (kinde_session_deserialize(record, strlen(record), &s, &err) != KINDE_OK)
        fail_msg("session: %s", err.text);
    free(record);
    free(at);
    return s;
}

static int allows(const char *rule_text, const char *claims)
{
    gw_rules *r = parse(rule_text);
    kinde_session *s = session_with(claims);
    int ok = gw_rule_allows(gw_rules_match(r, "GET", "/x"), s);
    kinde_session_free(s);
    gw_rules_free(r);
    return ok;
}

static void signed_in_and_public(void **state)
{
    (void)state;
    gw_rules *r = parse("* /x signed-in\n* /p public\n");
    kinde_session *in = session_with("");
    kinde_session *out = kinde_session_new();
    const gw_rule *x = gw_rules_match(r, "GET", "/x");
    assert_int_equal(gw_rule_allows(x, in), 1);
    assert_int_equal(gw_rule_allows(x, out), 0);
    assert_int_equal(gw_rule_allows(x, NULL), 0);
    assert_int_equal(gw_rule_allows(NULL, in), 0);
    assert_false(gw_rule_is_public(x));
    /* the built-in rule is signed-in */
    const gw_rule *d = gw_rules_match(r, "GET", "/elsewhere");
    assert_int_equal(gw_rule_allows(d, in), 1);
    assert_int_equal(gw_rule_allows(d, out), 0);
    /* public: anyone; allows still says whether the signed-in part holds */
    const gw_rule *p = gw_rules_match(r, "GET", "/p/1");
    assert_true(gw_rule_is_public(p));
    assert_int_equal(gw_rule_allows(p, in), 1);
    /* signed out again: nothing holds */
    kinde_session_clear(in);
    assert_int_equal(gw_rule_allows(x, in), 0);
    kinde_session_free(in);
    kinde_session_free(out);
    gw_rules_free(r);
}

/* Each requirement met and not met: the rule for GET /x, the access token's
 * claims beyond the usual ones, and whether the session is let in. */
#define PERMS "\"permissions\":[\"read:admin\",\"write:admin\",\"read:reports\"]"
#define ROLES                                                                                      \
    "\"roles\":[{\"id\":\"r1\",\"key\":\"billing-admin\",\"name\":\"Billing\"},"                   \
    "{\"id\":\"r2\",\"key\":\"member\",\"name\":\"Member\"}]"
#define FLAGS                                                                                      \
    "\"feature_flags\":{\"new_ui\":{\"t\":\"b\",\"v\":true},\"old_ui\":{\"t\":\"b\",\"v\":false}," \
    "\"theme\":{\"t\":\"s\",\"v\":\"true\"},\"limit\":{\"t\":\"i\",\"v\":1}}"
static const struct {
    const char *rule, *claims;
    int allowed;
} requirement_cases[] = {
    /* permissions */
    {"* /x permission=read:admin\n", PERMS, 1},
    {"* /x permission=delete:admin\n", PERMS, 0},
    {"* /x permission=read:admin permission=write:admin\n", PERMS, 1},
    {"* /x permission=read:admin permission=x\n", PERMS, 0},
    {"* /x all-permissions=read:admin,write:admin\n", PERMS, 1},
    {"* /x all-permissions=read:admin,delete:admin\n", PERMS, 0},
    {"* /x any-permission=view:reports,read:reports\n", PERMS, 1},
    {"* /x any-permission=view:reports,edit:reports\n", PERMS, 0},
    /* a prefix or another case is another key */
    {"* /x permission=read\n", PERMS, 0},
    {"* /x permission=READ:admin\n", PERMS, 0},
    /* no permissions claim, an empty one, or one of another type */
    {"* /x permission=read:admin\n", "", 0},
    {"* /x any-permission=read:admin\n", "\"permissions\":[]", 0},
    {"* /x permission=read:admin\n", "\"permissions\":\"read:admin\"", 0},
    /* roles */
    {"* /x role=billing-admin\n", ROLES, 1},
    {"* /x role=owner,member\n", ROLES, 1},
    {"* /x role=owner,admin\n", ROLES, 0},
    /* the role's name or id is not its key */
    {"* /x role=Billing\n", ROLES, 0},
    {"* /x role=r1\n", ROLES, 0},
    /* each role= must hold */
    {"* /x role=member role=billing-admin\n", ROLES, 1},
    {"* /x role=member role=owner\n", ROLES, 0},
    {"* /x role=member\n", "", 0},
    /* organizations */
    {"* /x org=org_123,org_456\n", "\"org_code\":\"org_456\"", 1},
    {"* /x org=org_123\n", "\"org_code\":\"org_123\"", 1},
    {"* /x org=org_123,org_456\n", "\"org_code\":\"org_789\"", 0},
    {"* /x org=org_123\n", "\"org_code\":\"org_1234\"", 0},
    {"* /x org=org_123\n", "", 0},
    {"* /x org=org_123\n", "\"org_code\":123", 0},
    /* the ID token's org_codes (where the user belongs) is not the access token's org */
    {"* /x org=org_123\n", "\"org_codes\":[\"org_123\"]", 0},
    /* flags */
    {"* /x flag=new_ui\n", FLAGS, 1},
    {"* /x flag=old_ui\n", FLAGS, 0},
    {"* /x flag=missing\n", FLAGS, 0},
    {"* /x flag=theme\n", FLAGS, 0}, /* a string, even "true" */
    {"* /x flag=limit\n", FLAGS, 0}, /* an integer, even 1 */
    {"* /x flag=new_ui\n", "", 0},
    {"* /x flag=new_ui flag=old_ui\n", FLAGS, 0},
};

static void each_requirement(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof requirement_cases / sizeof *requirement_cases; i++)
        if (allows(requirement_cases[i].rule, requirement_cases[i].claims) !=
            requirement_cases[i].allowed)
            fail_msg("case %zu: %s with {%s}: want %s", i, requirement_cases[i].rule,
                     requirement_cases[i].claims,
                     requirement_cases[i].allowed ? "allowed" : "refused");
}

/* Every requirement of a rule must hold. */
static void all_requirements(void **state)
{
    (void)state;
    const char *rule = "* /x flag=new_ui permission=use:beta org=org_1 role=tester\n";
    const char *flag = "\"feature_flags\":{\"new_ui\":{\"t\":\"b\",\"v\":true}}";
    const char *perm = "\"permissions\":[\"use:beta\"]";
    const char *org = "\"org_code\":\"org_1\"";
    const char *role = "\"roles\":[{\"key\":\"tester\"}]";
    const char *parts[] = {flag, perm, org, role};
    for (unsigned mask = 0; mask < 16; mask++) {
        char claims[1024] = "";
        for (unsigned i = 0; i < 4; i++) {
            if (!(mask & (1u << i)))
                continue;
            if (claims[0])
                strcat(claims, ",");
            strcat(claims, parts[i]);
        }
        assert_int_equal(allows(rule, claims), mask == 15);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_error_names_its_line),
        cmocka_unit_test(nul_byte),
        cmocka_unit_test(long_field_quoted_whole_characters),
        cmocka_unit_test(line_length_limit),
        cmocka_unit_test(rule_count_limit),
        cmocka_unit_test(load_files),
        cmocka_unit_test(example_file),
        cmocka_unit_test(example_in_the_docs),
        cmocka_unit_test(longest_prefix_and_methods),
        cmocka_unit_test(normalised_then_matched),
        cmocka_unit_test(default_rule),
        cmocka_unit_test(signed_in_and_public),
        cmocka_unit_test(each_requirement),
        cmocka_unit_test(all_requirements),
    };
    return cmocka_run_group_tests(tests, setup_key, teardown_key);
}
