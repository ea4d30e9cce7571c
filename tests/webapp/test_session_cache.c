/* web/session_cache.c: hit only on the very bytes cached, a miss once
 * another writer changed them, emptied by a drop, bounded by its slots, and
 * an entry a request still holds outlives its replacement (ASan and
 * valgrind would see a use after free). Through the sessions and the
 * gateway's auth answers: tests/gateway/test_routes.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_cache.h"

/* A Kinde session with no tokens (enough to own and free). */
static kinde_session *empty_session(void)
{
    static const char text[] = "kinde-session 1\n";
    kinde_session *ks = NULL;
    assert_int_equal(kinde_session_deserialize(text, sizeof text - 1, &ks, NULL), KINDE_OK);
    return ks;
}

static web_record record(const char *csrf, const char *kinde)
{
    web_record r;
    memset(&r, 0, sizeof r);
    r.signed_in = 1;
    r.created = r.seen = 1000;
    snprintf(r.csrf, sizeof r.csrf, "%s", csrf);
    r.kinde = (char *)kinde; /* borrowed: put copies it */
    r.kinde_len = strlen(kinde);
    return r;
}

static void put(session_cache *c, const char *key, const char *sealed, const char *csrf,
                kinde_session **ks_out)
{
    web_record r = record(csrf, "kinde-session 1\n");
    kinde_session *ks = empty_session();
    session_cache_entry *held = NULL;
    assert_int_equal(session_cache_put(c, key, sealed, strlen(sealed), &r, ks, &held), 0);
    assert_non_null(held);
    if (ks_out)
        *ks_out = ks;
    session_cache_release(held);
}

/* 1 hit (csrf copied out), 0 miss. */
static int get(session_cache *c, const char *key, const char *sealed, char *csrf,
               kinde_session **ks_out)
{
    web_record r;
    memset(&r, 0, sizeof r);
    kinde_session *ks = NULL;
    session_cache_entry *held = NULL;
    int hit = session_cache_get(c, key, sealed, strlen(sealed), &r, &ks, &held);
    assert_true(hit == 0 || hit == 1);
    if (hit) {
        assert_non_null(ks);
        assert_non_null(held);
        assert_string_equal(r.kinde, "kinde-session 1\n");
        if (csrf)
            strcpy(csrf, r.csrf);
        if (ks_out)
            *ks_out = ks;
        record_free(&r);
        session_cache_release(held);
    } else {
        assert_null(held);
        assert_null(ks);
    }
    return hit;
}

static void hit_only_on_the_same_bytes(void **state)
{
    (void)state;
    session_cache *c = session_cache_new(64);
    assert_non_null(c);
    char csrf[TOKEN_SIZE] = "";
    kinde_session *cached = NULL, *seen = NULL;
    assert_int_equal(get(c, "s:aa", "sealed-1", NULL, NULL), 0);
    put(c, "s:aa", "sealed-1", "token-one", &cached);
    assert_int_equal(get(c, "s:aa", "sealed-1", csrf, &seen), 1);
    assert_string_equal(csrf, "token-one");
    assert_ptr_equal(seen, cached); /* the opened session itself, shared */
    /* Another writer stored other bytes: a miss, never the old record. */
    assert_int_equal(get(c, "s:aa", "sealed-2", NULL, NULL), 0);
    assert_int_equal(get(c, "s:aa", "sealed-", NULL, NULL), 0);   /* a prefix */
    assert_int_equal(get(c, "s:aa", "sealed-11", NULL, NULL), 0); /* longer */
    assert_int_equal(get(c, "s:bb", "sealed-1", NULL, NULL), 0);  /* another key */
    put(c, "s:aa", "sealed-2", "token-two", NULL);
    assert_int_equal(get(c, "s:aa", "sealed-1", NULL, NULL), 0);
    assert_int_equal(get(c, "s:aa", "sealed-2", csrf, NULL), 1);
    assert_string_equal(csrf, "token-two");
    unsigned long hits, misses;
    session_cache_stats(c, &hits, &misses);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 6);
    session_cache_free(c);
}

/* A cache holding key s:aa with these sealed bytes, its entry held by the
 * caller as a request holds it (*r, *ks, *held as session_cache_get's). */
static session_cache *one_held(const char *sealed, web_record *r, kinde_session **ks,
                               session_cache_entry **held)
{
    session_cache *c = session_cache_new(8);
    assert_non_null(c);
    put(c, "s:aa", sealed, "token", NULL);
    assert_int_equal(session_cache_get(c, "s:aa", sealed, strlen(sealed), r, ks, held), 1);
    return c;
}

static void the_copy_is_the_callers(void **state)
{
    (void)state;
    web_record r;
    kinde_session *ks;
    session_cache_entry *held;
    session_cache *c = one_held("sealed", &r, &ks, &held);
    r.csrf[0] = 'X'; /* a request changing its record (a touch, a refresh) */
    r.kinde[0] = 'X';
    record_free(&r);
    session_cache_release(held);
    char csrf[TOKEN_SIZE];
    assert_int_equal(get(c, "s:aa", "sealed", csrf, NULL), 1);
    assert_string_equal(csrf, "token");
    session_cache_free(c);
}

static void drop_empties(void **state)
{
    (void)state;
    session_cache *c = session_cache_new(8);
    put(c, "s:aa", "sealed", "token", NULL);
    assert_int_equal(session_cache_count(c), 1);
    session_cache_drop(c, "s:zz"); /* another key (maybe of the same slot): kept */
    assert_int_equal(session_cache_count(c), 1);
    session_cache_drop(c, "s:aa");
    assert_int_equal(session_cache_count(c), 0);
    assert_int_equal(get(c, "s:aa", "sealed", NULL, NULL), 0);
    session_cache_free(c);
}

static void bounded_by_its_slots(void **state)
{
    (void)state;
    session_cache *c = session_cache_new(4);
    char key[32];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "s:%02x", i);
        put(c, key, "sealed", "token", NULL);
        assert_true(session_cache_count(c) <= 4);
    }
    /* The newest is always there. */
    assert_int_equal(get(c, key, "sealed", NULL, NULL), 1);
    session_cache_free(c);
    /* 0 is the default size, and a huge one is capped. */
    c = session_cache_new(0);
    assert_non_null(c);
    session_cache_free(c);
}

static void held_entry_outlives_its_replacement(void **state)
{
    (void)state;
    web_record r;
    kinde_session *ks;
    session_cache_entry *held;
    session_cache *c = one_held("sealed-1", &r, &ks, &held);
    put(c, "s:aa", "sealed-2", "token", NULL); /* replaced while held */
    session_cache_drop(c, "s:aa");             /* and dropped */
    /* Still readable: the request that holds it finishes with it. */
    char *ser = NULL;
    assert_int_equal(kinde_session_serialize(ks, &ser, NULL), KINDE_OK);
    kinde_free(ser);
    record_free(&r);
    session_cache_release(held);
    assert_int_equal(session_cache_count(c), 0);
    session_cache_free(c);
}

/* Threads getting, putting and dropping the same few keys (ASan, TSan). */
#define THREADS 4
#define ROUNDS 2000
static void *churn(void *arg)
{
    session_cache *c = arg;
    char key[16], sealed[16];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(key, sizeof key, "s:%d", i % 7);
        snprintf(sealed, sizeof sealed, "v%d", (i / 3) % 2);
        if (i % 5 == 0)
            session_cache_drop(c, key);
        else if (!get(c, key, sealed, NULL, NULL))
            put(c, key, sealed, "token", NULL);
    }
    return NULL;
}

static void threads_share_it(void **state)
{
    (void)state;
    session_cache *c = session_cache_new(4);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, churn, c), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    unsigned long hits, misses;
    session_cache_stats(c, &hits, &misses);
    assert_true(hits > 0);
    assert_int_equal(hits + misses, THREADS * ROUNDS - THREADS * (ROUNDS / 5));
    session_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hit_only_on_the_same_bytes),
        cmocka_unit_test(the_copy_is_the_callers),
        cmocka_unit_test(drop_empties),
        cmocka_unit_test(bounded_by_its_slots),
        cmocka_unit_test(held_entry_outlives_its_replacement),
        cmocka_unit_test(threads_share_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
