/* common/strbuf.c as libkinde builds it (src/strbuf.c): the allocator hooks,
 * wipe before free, a failure that sticks, and the escapes web/ and the
 * emulator rely on (their copy is the same source with malloc/free). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#define MARKER "Qs4STRBUFk2"

static long fail_in = -1; /* the n-th allocation from now fails (0: the next) */
static long unwiped;      /* freed blocks still holding MARKER */

static int fail_hook(void)
{
    return fail_in >= 0 && fail_in-- == 0;
}

static void look_into(const void *p, size_t n)
{
    const char *c = p;
    size_t m = strlen(MARKER);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(c + i, MARKER, m) == 0) {
            unwiped++;
            return;
        }
}

static void appends_and_takes(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_add(&b, "ab\0cd", 5);
    strbuf_adds(&b, NULL); /* nothing */
    strbuf_adds(&b, "e");
    strbuf_addf(&b, "-%d-%s", 42, "x");
    assert_true(strbuf_ok(&b));
    size_t len = 0;
    char *s = strbuf_take(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, 11);
    assert_memory_equal(s, "ab\0cde-42-x", 12);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    kinde__free(s);

    s = strbuf_take(&b, &len); /* nothing appended: "" */
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    kinde__free(s);
}

static void grows_past_many_blocks(void **state)
{
    (void)state;
    strbuf b = {0};
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    strbuf_addf(&b, "<%s>", big); /* larger than any first block */
    for (int i = 0; i < 1000; i++)
        strbuf_add(&b, "0123456789", 10);
    char *s = strbuf_take(&b, NULL);
    assert_non_null(s);
    assert_int_equal(strlen(s), 5001 + 10000);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[5000], '>');
    assert_string_equal(s + 5001 + 9990, "0123456789");
    kinde__free(s);
}

static void escapes(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_add_html(&b, "a<b>&\"c\"'d'");
    strbuf_add_html(&b, NULL);
    strbuf_adds(&b, "|");
    strbuf_add_urlenc(&b, "a b/c?d=e&f~g-h_i.j\xc3\xa9");
    strbuf_add_urlenc(&b, NULL);
    char *s = strbuf_take(&b, NULL);
    assert_string_equal(s, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;"
                           "|a%20b%2Fc%3Fd%3De%26f~g-h_i.j%C3%A9");
    kinde__free(s);
}

/* Every allocation goes through the hooks: failing any one of them makes the
 * buffer fail for good, take() returns NULL, and nothing leaks. */
static void allocation_failure_sticks(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        long live = tu_alloc_live();
        strbuf b = {0};
        fail_in = n;
        for (int i = 0; i < 100; i++)
            strbuf_addf(&b, "%d:%s;", i, "some text to grow the buffer");
        int failed = fail_in < 0; /* the n-th allocation happened and failed */
        fail_in = -1;
        strbuf_adds(&b, "after"); /* ignored once failed */
        assert_int_equal(strbuf_ok(&b), !failed);
        char *s = strbuf_take(&b, NULL);
        if (!failed) {
            assert_non_null(s);
            kinde__free(s);
            assert_true(n > 0);
            break;
        }
        assert_null(s);
        assert_null(b.data);
        assert_int_equal(tu_alloc_live(), live);
    }
}

/* SECURITY.md C26: the blocks left behind as it grows, and the last one on
 * strbuf_free, are wiped. */
static void wipes_what_it_frees(void **state)
{
    (void)state;
    unwiped = 0;
    strbuf b = {0};
    strbuf_adds(&b, "secret=" MARKER);
    for (int i = 0; i < 200; i++)
        strbuf_adds(&b, "padding padding padding ");
    strbuf_free(&b);
    assert_null(b.data);
    assert_int_equal(unwiped, 0);
    char *p = kinde__strdup(MARKER); /* the detector sees an unwiped block */
    kinde__free(p);
    assert_int_equal(unwiped, 1);
}

int main(void)
{
    tu_alloc.fail = fail_hook;
    tu_alloc.freeing = look_into;
    assert_int_equal(kinde_set_allocator(tu_malloc, tu_realloc, tu_free), KINDE_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends_and_takes),
        cmocka_unit_test(grows_past_many_blocks),
        cmocka_unit_test(escapes),
        cmocka_unit_test(allocation_failure_sticks),
        cmocka_unit_test(wipes_what_it_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
