/* backoff.c: after a failure that may pass, nobody asks Kinde until the
 * delay is over, then one probe at a time; a success ends it at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "backoff.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void healthy_never_holds_anyone(void **state)
{
    (void)state;
    web_backoff b;
    web_backoff_init(&b, 50, 200);
    for (int i = 0; i < 5; i++) /* many at once, none reporting yet */
        assert_int_equal(web_backoff_may_try(&b), 1);
    web_backoff_done(&b, 1);
    assert_int_equal(web_backoff_may_try(&b), 1);
    assert_int_equal(web_backoff_wait_ms(&b), 0);
    assert_int_equal(web_backoff_may_try(NULL), 1); /* no back-off configured */
    web_backoff_destroy(&b);
}

static void failure_holds_then_one_probe(void **state)
{
    (void)state;
    web_backoff b;
    web_backoff_init(&b, 300, 1000);
    assert_int_equal(web_backoff_may_try(&b), 1);
    web_backoff_done(&b, 0);
    assert_int_equal(web_backoff_may_try(&b), 0); /* told at once */
    assert_in_range(web_backoff_wait_ms(&b), 1, 300);
    sleep_ms(350);
    assert_int_equal(web_backoff_may_try(&b), 1); /* the probe */
    assert_int_equal(web_backoff_may_try(&b), 0); /* the others, while it asks */
    web_backoff_done(&b, 0);                      /* failed again: twice as long */
    assert_in_range(web_backoff_wait_ms(&b), 301, 600);
    sleep_ms(650);
    assert_int_equal(web_backoff_may_try(&b), 1);
    web_backoff_done(&b, 1); /* Kinde is back: everyone at once */
    assert_int_equal(web_backoff_may_try(&b), 1);
    assert_int_equal(web_backoff_may_try(&b), 1);
    assert_int_equal(web_backoff_wait_ms(&b), 0);
    web_backoff_destroy(&b);
}

static void delay_is_capped_and_late_reports_do_not_grow_it(void **state)
{
    (void)state;
    web_backoff b;
    web_backoff_init(&b, 100, 250);
    web_backoff_done(&b, 0);
    web_backoff_done(&b, 0); /* requests already waiting on Kinde report too */
    web_backoff_done(&b, 0);
    assert_in_range(web_backoff_wait_ms(&b), 1, 100);
    for (int i = 0; i < 4; i++) {
        sleep_ms(300);
        assert_int_equal(web_backoff_may_try(&b), 1);
        web_backoff_done(&b, 0);
    }
    assert_in_range(web_backoff_wait_ms(&b), 101, 250); /* 100, 200, then 250 at most */
    web_backoff_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthy_never_holds_anyone),
        cmocka_unit_test(failure_holds_then_one_probe),
        cmocka_unit_test(delay_is_capped_and_late_reports_do_not_grow_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
