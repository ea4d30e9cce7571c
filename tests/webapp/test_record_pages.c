/* Session ids and CSRF tokens, the stored record format, and the pages:
 * every value escaped, initials from names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "record.h"

static void tokens_are_random_and_wellformed(void **state)
{
    char a[TOKEN_SIZE], b[TOKEN_SIZE];
    assert_int_equal(token_new(a), 0);
    assert_int_equal(token_new(b), 0);
    assert_int_equal(strlen(a), 43); /* 256 bits of CSPRNG output */
    assert_true(token_is_wellformed(a));
    assert_string_not_equal(a, b);
    assert_true(token_equal(a, a));
    assert_false(token_equal(a, b));
    assert_false(token_is_wellformed(""));
    assert_false(token_is_wellformed(NULL));
    char bad[TOKEN_SIZE + 1];
    memcpy(bad, a, TOKEN_SIZE);
    bad[5] = '=';
    assert_false(token_is_wellformed(bad));
    bad[5] = 'A';
    bad[TOKEN_CHARS] = 'A';
    bad[TOKEN_CHARS + 1] = '\0';
    assert_false(token_is_wellformed(bad)); /* one too long */
    a[TOKEN_CHARS - 1] = '\0';
    assert_false(token_is_wellformed(a)); /* one too short */
    assert_false(token_equal(a, a));
}

static void record_round_trip(void **state)
{
    web_record r, back;
    memset(&r, 0, sizeof r);
    r.signed_in = 1;
    r.created = 1700000000;
    r.seen = 1700000100;
    assert_int_equal(token_new(r.csrf), 0);
    strcpy(r.next, "/details");
    r.kinde = "opaque session text\nwith lines and spaces";
    r.kinde_len = strlen(r.kinde);
    strbuf b;
    strbuf_init(&b);
    record_encode(&r, &b);
    assert_true(strbuf_ok(&b));
    assert_int_equal(record_decode(b.data, b.len, &back), 0);
    assert_int_equal(back.signed_in, 1);
    assert_int_equal(back.created, 1700000000);
    assert_int_equal(back.seen, 1700000100);
    assert_string_equal(back.csrf, r.csrf);
    assert_string_equal(back.next, "/details");
    assert_string_equal(back.kinde, r.kinde);
    assert_null(back.profile);
    record_free(&back);
    strbuf_free(&b);

    /* The cached profile, any bytes but NUL (newlines, spaces), kept apart
     * from the kinde session that follows it. */
    r.profile = "{\"id\": \"kp_1\",\n \"name\": \"D S\"}";
    r.profile_len = strlen(r.profile);
    r.profile_at = 1700000200;
    strbuf_init(&b);
    record_encode(&r, &b);
    assert_int_equal(record_decode(b.data, b.len, &back), 0);
    assert_string_equal(back.profile, r.profile);
    assert_int_equal(back.profile_len, r.profile_len);
    assert_int_equal(back.profile_at, 1700000200);
    assert_string_equal(back.kinde, r.kinde);
    record_free(&back);
    assert_null(back.profile);
    strbuf_free(&b);
    r.profile = NULL;
    r.profile_len = 0;
    r.profile_at = 0;

    r.next[0] = '\0';
    r.signed_in = 0;
    record_encode(&r, &b);
    assert_int_equal(record_decode(b.data, b.len, &back), 0);
    assert_string_equal(back.next, "");
    assert_int_equal(back.signed_in, 0);
    record_free(&back);
    strbuf_free(&b);
}

static void corrupt_records_are_refused(void **state)
{
    char csrf[TOKEN_SIZE];
    assert_int_equal(token_new(csrf), 0);
    char good[256];
    snprintf(good, sizeof good, "kwa2 1 10 20 %s /x 0 0\nk", csrf);
    web_record r;
    assert_int_equal(record_decode(good, strlen(good), &r), 0);
    record_free(&r);
    snprintf(good, sizeof good, "kwa2 1 10 20 %s /x 30 2\n{}k", csrf);
    assert_int_equal(record_decode(good, strlen(good), &r), 0);
    assert_string_equal(r.profile, "{}");
    assert_string_equal(r.kinde, "k");
    record_free(&r);
    const char *bad[] = {"", "kwa2", "kwa1 1 10 20 %s /x 0 0\nk", "kwa2 2 10 20 %s /x 0 0\nk",
                         "kwa2 1 -10 20 %s /x 0 0\nk", "kwa2 1 10 2x %s /x 0 0\nk",
                         "kwa2 1 10 20 short /x 0 0\nk", "kwa2 1 10 20 %s //evil 0 0\nk",
                         "kwa2 1 10 20 %s /x 0 0", "kwa2 1 99999999999999999999 20 %s /x 0 0\nk",
                         "kwa2  1 10 20 %s /x 0 0\nk", "kwa2 1 10 20 %s /x\nk",
                         "kwa2 1 10 20 %s /x 30 9\n{}k", "kwa2 1 10 20 %s /x 0 2\n{}k",
                         "kwa2 1 10 20 %s /x 30 0\nk", "kwa2 1 10 20 %s /x 30 02\n{}k",
                         "kwa2 1 10 20 %s /x 30 -2\n{}k"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[256];
        snprintf(text, sizeof text, bad[i], csrf);
        assert_int_equal(record_decode(text, strlen(text), &r), -1);
        record_free(&r);
    }
}

static void initials(void **state)
{
    char out[16];
    page_initials("Dave", "Smith", "dave@smith.com", out, sizeof out);
    assert_string_equal(out, "DS");
    page_initials("dave", NULL, NULL, out, sizeof out);
    assert_string_equal(out, "D");
    page_initials(NULL, NULL, "zoe@x", out, sizeof out);
    assert_string_equal(out, "Z");
    page_initials(NULL, "", NULL, out, sizeof out);
    assert_string_equal(out, "?");
    page_initials("\xc3\x89lodie", "\xc3\x9f", NULL, out, sizeof out); /* Élodie ß */
    assert_string_equal(out, "\xc3\x89\xc3\x9f");
    page_initials("\xc3", "x", NULL, out, sizeof out); /* truncated UTF-8: one byte */
    assert_string_equal(out, "\xc3X");
}

static void every_value_is_escaped(void **state)
{
    const char *evil = "<script>alert('x')</script>\"&";
    page_user u = {evil, "<b>", evil, "tok\"en"};
    strbuf b;
    strbuf_init(&b);
    page_home(&b, &u);
    assert_true(strbuf_ok(&b));
    assert_null(strstr(b.data, "<script>"));
    assert_null(strstr(b.data, "<b>"));
    assert_null(strstr(b.data, "tok\"en"));
    assert_non_null(strstr(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"));
    assert_non_null(strstr(b.data, "Your authentication is all sorted"));
    assert_non_null(strstr(b.data, "action=\"/logout\""));
    assert_non_null(strstr(b.data, "method=\"post\""));
    strbuf_free(&b);

    const char *const headers[] = {evil, evil, evil, evil};
    page_section t;
    page_details_begin(&b, &u);
    page_section_begin(&t, &b, "x\"y", evil, evil, headers, 4);
    for (int i = 0; i < 3; i++)
        page_cell(&t, evil);
    page_cell2(&t, evil, evil);
    page_section_end(&t, evil);
    page_details_end(&b);
    assert_true(strbuf_ok(&b));
    assert_null(strstr(b.data, "<script>"));
    assert_null(strstr(b.data, "x\"y"));
    strbuf_free(&b);

    page_error(&b, NULL, evil, evil, evil, 1);
    assert_null(strstr(b.data, "<script>"));
    assert_non_null(strstr(b.data, "href=\"/login\""));
    strbuf_free(&b);

    page_home(&b, NULL);
    assert_non_null(strstr(b.data, "href=\"/login\""));
    assert_non_null(strstr(b.data, "href=\"/register\""));
    assert_null(strstr(b.data, "/logout"));
    strbuf_free(&b);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The details page's sections as the app writes them: a head once, then any
 * number of rows; a short last row filled; no rows, the empty sentence. */
static void details_sections(void **state)
{
    static const char *const headers[] = {"claim", "value"};
    strbuf b;
    strbuf_init(&b);
    page_section t;
    page_section_begin(&t, &b, "none", "Nothing", NULL, headers, 2);
    page_section_end(&t, "No claims.");
    assert_true(strbuf_ok(&b));
    assert_string_equal(b.data, "<section class=\"panel\" id=\"none\">\n<h2>Nothing</h2>\n"
                                "<p class=\"empty\">No claims.</p>\n</section>\n");
    strbuf_free(&b);

    page_section_begin(&t, &b, "c", "Claims", "intro", headers, 2);
    for (int i = 0; i < 100; i++) {
        page_cell(&t, "iss");
        page_cell(&t, NULL);
    }
    page_cell2(&t, "5", " (default)");
    page_section_end(&t, "No claims.");
    assert_true(strbuf_ok(&b));
    assert_int_equal(count(b.data, "<thead>"), 1);
    assert_int_equal(count(b.data, "<tr>"), 1 + 101);
    assert_int_equal(count(b.data, "<th scope=\"row\"><code>iss</code></th><td>(none)</td>"), 100);
    assert_non_null(strstr(b.data, "<th scope=\"row\"><code>5 (default)</code></th><td></td></tr>\n"
                                   "</tbody>\n</table>\n</section>\n"));
    assert_non_null(strstr(b.data, "<p class=\"muted\">intro</p>"));
    assert_null(strstr(b.data, "class=\"empty\""));
    strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_are_random_and_wellformed),
        cmocka_unit_test(record_round_trip),
        cmocka_unit_test(corrupt_records_are_refused),
        cmocka_unit_test(initials),
        cmocka_unit_test(every_value_is_escaped),
        cmocka_unit_test(details_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
