/* The SQLite session store: put/get/delete, expiry, survival across a
 * reopen (an app restart), and many threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/webapp-store-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1; // NOLINT(cert-env33-c): our own mkdtemp folder
}

static void put_get_delete_and_reopen(void **state)
{
    char err[256];
    store *s = store_open("sqlite", dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_ping(s), 0);
    char *v = NULL;
    size_t n = 0;
    assert_int_equal(store_get(s, "k", &v, &n), 0);
    const char bin[] = "a\0b\nc";
    assert_int_equal(store_put(s, "k", bin, sizeof bin - 1, 60), 0);
    assert_int_equal(store_get(s, "k", &v, &n), 1);
    assert_int_equal(n, sizeof bin - 1);
    assert_memory_equal(v, bin, n);
    free(v);
    assert_int_equal(store_put(s, "k", "new", 3, 60), 0);
    assert_int_equal(store_get(s, "k", &v, &n), 1);
    assert_string_equal(v, "new");
    free(v);
    store_close(s);

    /* A restart finds it again. */
    s = store_open("sqlite", dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_get(s, "k", &v, &n), 1);
    assert_string_equal(v, "new");
    free(v);
    assert_int_equal(store_delete(s, "k"), 0);
    assert_int_equal(store_get(s, "k", &v, &n), 0);
    assert_int_equal(store_delete(s, "k"), 0);
    store_close(s);
}

static void expired_values_are_gone(void **state)
{
    char err[256];
    store *s = store_open("sqlite", dir, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_put(s, "short", "x", 1, 1), 0);
    char *v = NULL;
    size_t n;
    assert_int_equal(store_get(s, "short", &v, &n), 1);
    free(v);
    sleep(2);
    assert_int_equal(store_get(s, "short", &v, &n), 0);
    store_close(s);
}

/* One thread's work: its own keys ("t<index>-<0..6>", the index given by
 * many_threads, so no two threads share a key), each put, read back with the
 * value just written, and deleted every third round. */
typedef struct hammer_arg {
    store *s;
    int index;
} hammer_arg;

static void *hammer(void *arg)
{
    const hammer_arg *h = arg;
    store *s = h->s;
    char key[32], val[32], *v;
    size_t n;
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "t%d-%d", h->index, i % 7);
        snprintf(val, sizeof val, "%d", i);
        if (store_put(s, key, val, strlen(val), 60) != 0)
            return (void *)1;
        if (store_get(s, key, &v, &n) != 1)
            return (void *)1;
        /* Nobody else writes this key: the value is the one just put. */
        int same = n == strlen(val) && memcmp(v, val, n) == 0;
        free(v);
        if (!same)
            return (void *)1;
        if (i % 3 == 0 && store_delete(s, key) != 0)
            return (void *)1;
    }
    return NULL;
}

static void many_threads(void **state)
{
    char err[256];
    store *s = store_open("sqlite", dir, err, sizeof err);
    assert_non_null(s);
    pthread_t t[8];
    hammer_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (hammer_arg){s, i};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    /* What each thread left: for key t<k>-<j>, the last round i (193..199)
     * with i % 7 == j wrote i, then deleted it when i % 3 == 0. */
    for (int k = 0; k < 8; k++) {
        for (int i = 193; i < 200; i++) {
            char key[32], want[32], *v = NULL;
            size_t n = 0;
            snprintf(key, sizeof key, "t%d-%d", k, i % 7);
            snprintf(want, sizeof want, "%d", i);
            if (i % 3 == 0) {
                assert_int_equal(store_get(s, key, &v, &n), 0);
            } else {
                assert_int_equal(store_get(s, key, &v, &n), 1);
                assert_int_equal(n, strlen(want));
                assert_memory_equal(v, want, n);
                free(v);
            }
        }
    }
    store_close(s);
}

static void bad_specs(void **state)
{
    char err[256];
    assert_null(store_open("memcached://x", dir, err, sizeof err));
    assert_non_null(strstr(err, "unknown session store"));
    assert_null(store_open("redis://127.0.0.1:notaport", dir, err, sizeof err));
    assert_null(store_open("redis://127.0.0.1:1", dir, err, sizeof err)); /* nothing listens */
    assert_null(store_open("sqlite", "/proc/definitely/not/here", err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(put_get_delete_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_values_are_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(many_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_specs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
