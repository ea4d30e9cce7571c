/* One client shared by 8 threads: verification in parallel, and 8 copies of
 * one session refreshing at once cause exactly one refresh request.
 * Also built with ThreadSanitizer by `make tsan`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

#define THREADS 8

static emulator emu;

typedef struct {
    kinde_client *client;
    kinde_session *session;
    pthread_barrier_t *barrier;
    const char *token;
    int shared;            /* the session is shared: don't read it after the refresh */
    kinde_code rc;
    char refresh_token[4096];
} job;

static void *refresh_job(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(j->barrier);
    kinde_error err;
    j->rc = kinde_refresh_token(j->client, j->session, &err);
    if (j->rc == KINDE_OK && !j->shared)
        snprintf(j->refresh_token, sizeof j->refresh_token, "%s",
                 kinde_session_refresh_token(j->session));
    return NULL;
}

static void *verify_job(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(j->barrier);
    j->rc = KINDE_OK;
    for (int i = 0; i < 200 && j->rc == KINDE_OK; i++)
        j->rc = kinde_verify_token(j->client, j->token, KINDE_ACCESS_TOKEN, NULL, NULL);
    return NULL;
}

static void shared_client(void **state)
{
    assert_int_equal(emulator_start(&emu, NULL), 0);
    kinde_client *c = emulator_client(&emu, KINDE_GRANT_AUTHORIZATION_CODE, NULL);
    browser *b = browser_new();
    kinde_session *s = emulator_login(&emu, c, b);
    assert_non_null(s);
    char *stored = NULL;
    assert_int_equal(kinde_session_serialize(s, &stored, NULL), KINDE_OK);

    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, THREADS);
    pthread_t t[THREADS];
    job jobs[THREADS];

    /* Parallel verification on the shared key cache. */
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.client = c, .barrier = &barrier, .token = kinde_session_access_token(s)};
        pthread_create(&t[i], NULL, verify_job, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].rc, KINDE_OK);
    }
    assert_int_equal(emulator_count(&emu, "/.well-known/jwks.json"), 1);

    /* Eight requests of one user, each with its own copy of the stored
     * session, all finding the token due for refresh at the same moment. */
    long before = emulator_count(&emu, "/oauth2/token");
    assert_true(before > 0);
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.client = c, .barrier = &barrier};
        assert_int_equal(kinde_session_deserialize(stored, strlen(stored), &jobs[i].session, NULL), KINDE_OK);
        pthread_create(&t[i], NULL, refresh_job, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(emulator_count(&emu, "/oauth2/token"), before + 1);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(jobs[i].rc, KINDE_OK);
        assert_string_equal(jobs[i].refresh_token, jobs[0].refresh_token);
        kinde_session_free(jobs[i].session);
    }
    /* And one session shared by threads: refresh serializes on it, so the
     * threads refresh one after another, each with the refresh token the
     * one before it left (docs/design.md, "One refresh per refresh token").
     * The first holds the token the eight copies above just spent, whose
     * answer is shared with late callers for 20 s: no request. Each of the
     * seven others holds a new token: one request each. */
    char *copies_rt = strdup(jobs[0].refresh_token);
    before = emulator_count(&emu, "/oauth2/token");
    assert_true(before > 0);
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.client = c, .barrier = &barrier, .session = s, .shared = 1};
        pthread_create(&t[i], NULL, refresh_job, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].rc, KINDE_OK);
    }
    assert_int_equal(emulator_count(&emu, "/oauth2/token"), before + THREADS - 1);
    assert_string_not_equal(kinde_session_refresh_token(s), copies_rt);
    /* The session ends with a live token: one more refresh is one more request. */
    kinde_error err;
    assert_int_equal(kinde_refresh_token(c, s, &err), KINDE_OK);
    assert_int_equal(emulator_count(&emu, "/oauth2/token"), before + THREADS);
    free(copies_rt);
    pthread_barrier_destroy(&barrier);
    kinde_free(stored);
    kinde_session_free(s);
    browser_free(b);
    kinde_client_free(c);
    assert_int_equal(emulator_stop(&emu), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
