/* Item 8: cold start and JWKS fetches, through the public API only.
 * A fresh process creates a client for the emulator and verifies one access
 * token (the keystore is empty: this fetches the JWKS), then verifies the
 * same token N more times on THREADS threads at once (the steady stream).
 * The script counts the emulator's JWKS requests around it (admin stats).
 * Prints, in microseconds unless named:
 *   exec_to_verified main_to_verified first_verify steady_ns_per_verify exec_to_main
 * exec_to_verified: with --spawn first, the program starts a copy of itself
 * (posix_spawn) and hands it CLOCK_MONOTONIC taken just before the spawn;
 * the copy measures from there (fork, exec, dynamic loading included).
 * Without --spawn it is -1.
 *   usage: cold_start [--spawn] EMU_URL TOKEN_FILE N THREADS */
#include <kinde/kinde.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static kinde_client *client;
static char token[16384];
static int per_thread, failed;

static void *stream(void *arg)
{
    (void)arg;
    for (int i = 0; i < per_thread; i++) {
        kinde_error err;
        if (kinde_verify_token(client, token, KINDE_ACCESS_TOKEN, NULL, &err) != KINDE_OK) {
            fprintf(stderr, "verification %d failed: %s\n", i, err.text);
            __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    double main_mono = clock_us(CLOCK_MONOTONIC);
    if (argc == 6 && strcmp(argv[1], "--spawn") == 0) {
        char t0[64];
        snprintf(t0, sizeof t0, "%.3f", clock_us(CLOCK_MONOTONIC));
        char *args[] = {argv[0], argv[2], argv[3], argv[4], argv[5], t0, NULL};
        pid_t pid;
        int status;
        if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0 ||
            waitpid(pid, &status, 0) != pid)
            return 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: cold_start [--spawn] EMU_URL TOKEN_FILE N THREADS\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f || !fgets(token, sizeof token, f))
        return fprintf(stderr, "cannot read %s\n", argv[2]), 2;
    fclose(f);
    token[strcspn(token, "\r\n")] = '\0';
    int n = (int)strtol(argv[3], NULL, 10), threads = (int)strtol(argv[4], NULL, 10);
    if (n < 1 || threads < 1 || threads > 64)
        return 2;

    kinde_config cfg;
    kinde_config_init(&cfg);
    cfg.domain = argv[1];
    cfg.client_id = "kinde_demo_client";
    cfg.client_secret = "kinde_demo_secret";
    cfg.callback_url = "http://127.0.0.1:8000/callback";
    cfg.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
    cfg.audience = "bench-api";
    kinde_error err;
    if (kinde_client_new(&cfg, &client, &err) != KINDE_OK)
        return fprintf(stderr, "client: %s\n", err.text), 1;
    double t0 = clock_us(CLOCK_MONOTONIC);
    if (kinde_verify_token(client, token, KINDE_ACCESS_TOKEN, NULL, &err) != KINDE_OK)
        return fprintf(stderr, "first verification: %s\n", err.text), 1;
    double t1 = clock_us(CLOCK_MONOTONIC);

    per_thread = n / threads;
    pthread_t th[64];
    double s0 = clock_us(CLOCK_MONOTONIC);
    for (int t = 0; t < threads; t++)
        pthread_create(&th[t], NULL, stream, NULL);
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    double s1 = clock_us(CLOCK_MONOTONIC);
    kinde_client_free(client);
    if (failed)
        return 1;
    double started = argc > 5 ? strtod(argv[5], NULL) : 0;
    double exec_us = argc > 5 ? t1 - started : -1;
    printf("%.0f %.0f %.0f %.0f %.0f\n", exec_us, t1 - main_mono, t1 - t0,
           (s1 - s0) * 1e3 / (per_thread * threads), argc > 5 ? main_mono - started : -1);
    return 0;
}
