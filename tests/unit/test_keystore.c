/* The JWKS cache (SECURITY.md A7): fetch on first use, refetch once for an
 * unknown kid, never more often than the cooldown, keep the old set when a
 * fetch fails, one fetch for many threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static EVP_PKEY *k1, *k2;
static char *jwks1;        /* k1 as "one" */
static char *jwks12;       /* k1 as "one", k2 as "two" */

static int setup(void **state)
{
    k1 = tu_rsa_key(2048);
    k2 = tu_rsa_key(2048);
    EVP_PKEY *both[] = {k1, k2};
    jwks1 = tu_jwks_json(both, (const char *[]){"one"}, 1);
    jwks12 = tu_jwks_json(both, (const char *[]){"one", "two"}, 2);
    return k1 && k2 && jwks1 && jwks12 ? 0 : -1;
}

static int teardown(void **state)
{
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    free(jwks1);
    free(jwks12);
    return 0;
}

static int reset_clock(void **state)
{
    kinde__clock_offset = 0;
    return 0;
}

/* get(kid) and drop the key: the code only. */
static kinde_code get(kinde__keystore *ks, const char *kid)
{
    EVP_PKEY *key = NULL;
    kinde_error err;
    kinde_code rc = kinde__keystore_get(ks, kid, &key, &err);
    if (rc == KINDE_OK)
        assert_non_null(key);
    else {
        assert_null(key);
        assert_int_equal(err.code, rc);
    }
    EVP_PKEY_free(key);
    return rc;
}

static void first_use_fetches_once(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(tu_source_calls(&src), 0); /* nothing until needed */
    for (int i = 0; i < 10; i++)
        assert_int_equal(get(ks, "one"), KINDE_OK);
    assert_int_equal(get(ks, NULL), KINDE_OK); /* no kid, one key */
    assert_int_equal(tu_source_calls(&src), 1);
    assert_int_equal(kinde__keystore_fetches(ks), 1);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void key_outlives_store(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    EVP_PKEY *key = NULL;
    assert_int_equal(kinde__keystore_get(ks, "one", &key, NULL), KINDE_OK);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
    /* Our reference keeps it alive and usable. */
    char *t = tu_sign_rs256("{\"alg\":\"RS256\"}", "{}", k1);
    kinde__jws jws;
    assert_int_equal(kinde__jws_parse(t, &jws, NULL), KINDE_OK);
    assert_int_equal(kinde__jws_verify(&jws, key, NULL), KINDE_OK);
    kinde__jws_clear(&jws);
    free(t);
    EVP_PKEY_free(key);
}

static void unknown_kid_flood_one_fetch_per_cooldown(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    assert_int_equal(tu_source_calls(&src), 1);
    /* The first unknown kid refetches (keys rotate), then the flood gets
     * nothing more within the cooldown. */
    char kid[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(kid, sizeof kid, "made-up-%d", i);
        assert_int_equal(get(ks, kid), KINDE_E_TOKEN_KEY);
    }
    assert_int_equal(tu_source_calls(&src), 2);
    assert_int_equal(get(ks, "one"), KINDE_OK); /* known keys unaffected */
    kinde__clock_offset += 29;
    assert_int_equal(get(ks, "made-up-x"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 2);
    kinde__clock_offset += 1;  /* the cooldown has passed */
    for (int i = 0; i < 100; i++)
        assert_int_equal(get(ks, "made-up-y"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 3);
    assert_int_equal(kinde__keystore_fetches(ks), 3);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void rotation_is_picked_up(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    assert_int_equal(get(ks, "two"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 2);
    /* Kinde publishes key two: too late for this cooldown... */
    tu_source_set_body(&src, jwks12);
    assert_int_equal(get(ks, "two"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 2);
    /* ...found on the next refetch. */
    kinde__clock_offset += 30;
    assert_int_equal(get(ks, "two"), KINDE_OK);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    assert_int_equal(tu_source_calls(&src), 3);
    /* Without a kid, two keys are ambiguous. */
    assert_int_equal(get(ks, NULL), KINDE_E_TOKEN_KEY);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);

    /* The common case: the cache is fresh and the very first token after a
     * rotation carries the new kid: one refetch finds it at once. */
    tu_source_init(&src, jwks1);
    ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    tu_source_set_body(&src, jwks12);
    assert_int_equal(get(ks, "two"), KINDE_OK);
    assert_int_equal(tu_source_calls(&src), 2);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void failed_fetch_keeps_old_set(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    tu_source_set_fail(&src, KINDE_E_HTTP);
    EVP_PKEY *key = NULL;
    kinde_error err;
    /* A kid the cached set lacks while the set cannot be refreshed: the set
     * is unavailable (it may hold the kid), not "no key for the token". */
    assert_int_equal(kinde__keystore_get(ks, "two", &key, &err), KINDE_E_JWKS);
    assert_non_null(strstr(err.text, "refreshing the key set failed"));
    assert_int_equal(tu_source_calls(&src), 2);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    /* ... also within the cooldown, with no new fetch: the last one failed. */
    assert_int_equal(get(ks, "two"), KINDE_E_JWKS);
    assert_int_equal(tu_source_calls(&src), 2);
    /* A garbage answer is a failed fetch too. */
    tu_source_set_fail(&src, KINDE_OK);
    tu_source_set_body(&src, "<html>502 Bad Gateway</html>");
    kinde__clock_offset += 31;
    assert_int_equal(get(ks, "two"), KINDE_E_JWKS);
    assert_int_equal(tu_source_calls(&src), 3);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    /* An empty set is a successful fetch: it replaces the old one. */
    tu_source_set_body(&src, "{\"keys\":[]}");
    kinde__clock_offset += 31;
    assert_int_equal(get(ks, "two"), KINDE_E_TOKEN_KEY);
    assert_int_equal(get(ks, "one"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 4);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void first_fetch_fails(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks1);
    tu_source_set_fail(&src, KINDE_E_HTTP);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    EVP_PKEY *key = NULL;
    kinde_error err;
    assert_int_equal(kinde__keystore_get(ks, "one", &key, &err), KINDE_E_JWKS);
    assert_non_null(strstr(err.text, "test source"));
    assert_int_equal(tu_source_calls(&src), 1);
    /* One retry, then the cooldown holds even while there is no set at all. */
    assert_int_equal(get(ks, "one"), KINDE_E_JWKS);
    assert_int_equal(tu_source_calls(&src), 2);
    for (int i = 0; i < 50; i++)
        assert_int_equal(get(ks, "one"), KINDE_E_JWKS);
    assert_int_equal(tu_source_calls(&src), 2);
    tu_source_set_fail(&src, KINDE_OK);
    kinde__clock_offset += 30;
    assert_int_equal(get(ks, "one"), KINDE_OK);
    assert_int_equal(tu_source_calls(&src), 3);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);

    /* Garbage from the start: KINDE_E_JWKS with the parser's reason. */
    tu_source_init(&src, "garbage");
    ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(kinde__keystore_get(ks, "one", &key, &err), KINDE_E_JWKS);
    assert_non_null(strstr(err.text, "JWKS"));
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void cooldown_has_a_floor(void **state)
{
    /* Asked for no cooldown, the cache still waits a second between
     * refetches: a burst of unknown kids is one request, not one each. */
    tu_source src;
    tu_source_init(&src, jwks1);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 0);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(get(ks, "nope"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 2);
    kinde__clock_offset += 1;
    assert_int_equal(get(ks, "nope"), KINDE_E_TOKEN_KEY);
    assert_int_equal(tu_source_calls(&src), 3);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

/* ---- threads -------------------------------------------------------------- */

#define N_THREADS 8

struct worker {
    kinde__keystore *ks;
    const char *kid;
    pthread_barrier_t *start;
    kinde_code rc[20];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(w->start);
    for (int i = 0; i < 20; i++) {
        EVP_PKEY *key = NULL;
        w->rc[i] = kinde__keystore_get(w->ks, w->kid, &key, NULL);
        EVP_PKEY_free(key);
    }
    return NULL;
}

static void run_threads(kinde__keystore *ks, const char *const *kids)
{
    pthread_t th[N_THREADS];
    struct worker w[N_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, N_THREADS);
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (struct worker){.ks = ks, .kid = kids[i], .start = &start};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < N_THREADS; i++)
        for (int j = 0; j < 20; j++) {
            kinde_code want = strcmp(kids[i], "one") == 0 || strcmp(kids[i], "two") == 0
                                  ? KINDE_OK
                                  : KINDE_E_TOKEN_KEY;
            if (w[i].rc[j] != want)
                fail_msg("thread %d call %d (%s): %s", i, j, kids[i], kinde_code_name(w[i].rc[j]));
        }
}

static void eight_threads_one_fetch(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks12);
    src.delay_ms = 200; /* a slow network, so the threads really overlap */
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    const char *kids[N_THREADS] = {"one", "two", "one", "two", "one", "two", "one", "two"};
    run_threads(ks, kids);
    assert_int_equal(tu_source_calls(&src), 1);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void eight_threads_unknown_kids_one_refetch(void **state)
{
    tu_source src;
    tu_source_init(&src, jwks12);
    kinde__keystore *ks = kinde__keystore_new(tu_fetch, &src, 30);
    assert_int_equal(get(ks, "one"), KINDE_OK);
    src.delay_ms = 200;
    const char *kids[N_THREADS] = {"x1", "x2", "x3", "x4", "one", "x6", "two", "x8"};
    run_threads(ks, kids);
    assert_int_equal(tu_source_calls(&src), 2);
    kinde__keystore_free(ks);
    tu_source_destroy(&src);
}

static void arguments(void **state)
{
    assert_null(kinde__keystore_new(NULL, NULL, 30));
    EVP_PKEY *key;
    assert_int_equal(kinde__keystore_get(NULL, "k", &key, NULL), KINDE_E_INVALID_ARGUMENT);
    assert_int_equal(kinde__keystore_fetches(NULL), 0);
    kinde__keystore_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(first_use_fetches_once, reset_clock),
        cmocka_unit_test_setup(key_outlives_store, reset_clock),
        cmocka_unit_test_setup(unknown_kid_flood_one_fetch_per_cooldown, reset_clock),
        cmocka_unit_test_setup(rotation_is_picked_up, reset_clock),
        cmocka_unit_test_setup(failed_fetch_keeps_old_set, reset_clock),
        cmocka_unit_test_setup(first_fetch_fails, reset_clock),
        cmocka_unit_test_setup(cooldown_has_a_floor, reset_clock),
        cmocka_unit_test_setup(eight_threads_one_fetch, reset_clock),
        cmocka_unit_test_setup(eight_threads_unknown_kids_one_refetch, reset_clock),
        cmocka_unit_test(arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
