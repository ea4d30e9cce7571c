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

#include <sqlite3.h>

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
    store *s = store_open("sqlite", dir, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_ping(s, NULL), 0);
    char *v = NULL;
    size_t n = 0;
    assert_int_equal(store_get(s, "k", &v, &n, NULL), 0);
    const char bin[] = "a\0b\nc";
    assert_int_equal(store_put(s, "k", bin, sizeof bin - 1, 60, NULL), 0);
    assert_int_equal(store_get(s, "k", &v, &n, NULL), 1);
    assert_int_equal(n, sizeof bin - 1);
    assert_memory_equal(v, bin, n);
    free(v);
    assert_int_equal(store_put(s, "k", "new", 3, 60, NULL), 0);
    assert_int_equal(store_get(s, "k", &v, &n, NULL), 1);
    assert_string_equal(v, "new");
    free(v);
    store_close(s);

    /* A restart finds it again. */
    s = store_open("sqlite", dir, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_get(s, "k", &v, &n, NULL), 1);
    assert_string_equal(v, "new");
    free(v);
    assert_int_equal(store_delete(s, "k", NULL), 0);
    assert_int_equal(store_get(s, "k", &v, &n, NULL), 0);
    assert_int_equal(store_delete(s, "k", NULL), 0);
    store_close(s);
}

static void expired_values_are_gone(void **state)
{
    char err[256];
    store *s = store_open("sqlite", dir, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_put(s, "short", "x", 1, 1, NULL), 0);
    char *v = NULL;
    size_t n;
    assert_int_equal(store_get(s, "short", &v, &n, NULL), 1);
    free(v);
    sleep(2);
    assert_int_equal(store_get(s, "short", &v, &n, NULL), 0);
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
        if (store_put(s, key, val, strlen(val), 60, NULL) != 0)
            return (void *)1;
        if (store_get(s, key, &v, &n, NULL) != 1)
            return (void *)1;
        /* Nobody else writes this key: the value is the one just put. */
        int same = n == strlen(val) && memcmp(v, val, n) == 0;
        free(v);
        if (!same)
            return (void *)1;
        if (i % 3 == 0 && store_delete(s, key, NULL) != 0)
            return (void *)1;
    }
    return NULL;
}

static void many_threads(void **state)
{
    char err[256];
    store *s = store_open("sqlite", dir, 0, err, sizeof err);
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
                assert_int_equal(store_get(s, key, &v, &n, NULL), 0);
            } else {
                assert_int_equal(store_get(s, key, &v, &n, NULL), 1);
                assert_int_equal(n, strlen(want));
                assert_memory_equal(v, want, n);
                free(v);
            }
        }
    }
    store_close(s);
}

/* A store whose table went away under it (another process, a bad restore):
 * every call fails, and says so in SQLite's own words. */
static void failures_carry_sqlite_words(void **state)
{
    char err[256], path[128];
    store *s = store_open("sqlite", dir, 0, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_put(s, "k", "v", 1, 60, NULL), 0);
    snprintf(path, sizeof path, "%s/sessions.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE sessions", NULL, NULL, NULL), SQLITE_OK);

    store_error e;
    char *v = NULL;
    size_t n = 0;
    assert_int_equal(store_get(s, "k", &v, &n, &e), -1);
    assert_string_equal(e.text, "sqlite get: no such table: sessions");
    assert_int_equal(store_put(s, "k", "v", 1, 60, &e), -1);
    assert_string_equal(e.text, "sqlite put: no such table: sessions");
    assert_int_equal(store_delete(s, "k", &e), -1);
    assert_string_equal(e.text, "sqlite delete: no such table: sessions");
    assert_int_equal(store_ping(s, &e), -1);
    assert_string_equal(e.text, "sqlite ping: no such table: sessions");

    /* The table back: the same store works again, and clears its error. */
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE sessions(key TEXT PRIMARY KEY, value BLOB NOT "
                                  "NULL, expires INTEGER NOT NULL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_put(s, "k", "v", 1, 60, &e), 0);
    assert_string_equal(e.text, "");
    assert_int_equal(store_get(s, "k", &v, &n, &e), 1);
    free(v);
    assert_int_equal(store_ping(s, &e), 0);
    store_close(s);
}

static void bad_specs(void **state)
{
    char err[256];
    assert_null(store_open("memcached://x", dir, 0, err, sizeof err));
    assert_non_null(strstr(err, "unknown session store"));
    assert_null(store_open("redis://127.0.0.1:notaport", dir, 0, err, sizeof err));
    assert_null(store_open("redis://127.0.0.1:1", dir, 0, err, sizeof err)); /* nothing listens */
    assert_null(store_open("sqlite", "/proc/definitely/not/here", 0, err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(put_get_delete_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_values_are_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(many_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(failures_carry_sqlite_words, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_specs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
