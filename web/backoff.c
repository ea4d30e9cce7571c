#include "backoff.h"

#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void web_backoff_init(web_backoff *b, long initial_ms, long max_ms)
{
    pthread_mutex_init(&b->lock, NULL);
    b->initial_ms = initial_ms > 0 ? initial_ms : 1;
    b->max_ms = max_ms > b->initial_ms ? max_ms : b->initial_ms;
    b->failing = b->probing = 0;
    b->delay_ms = 0;
    b->next_ms = 0;
}

void web_backoff_destroy(web_backoff *b)
{
    pthread_mutex_destroy(&b->lock);
}

int web_backoff_may_try(web_backoff *b)
{
    if (!b)
        return 1;
    pthread_mutex_lock(&b->lock);
    int ok = !b->failing || (!b->probing && now_ms() >= b->next_ms);
    if (ok && b->failing)
        b->probing = 1;
    pthread_mutex_unlock(&b->lock);
    return ok;
}

void web_backoff_done(web_backoff *b, int ok)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    int64_t now = now_ms();
    if (ok) {
        b->failing = 0;
        b->delay_ms = 0;
        b->next_ms = 0;
    } else if (!b->failing || now >= b->next_ms) {
        /* Requests that were already waiting on Kinde when it failed report
         * too; only one failure per delay makes it longer. */
        long d = b->failing ? b->delay_ms * 2 : b->initial_ms;
        b->delay_ms = d > b->max_ms ? b->max_ms : d;
        b->next_ms = now + b->delay_ms;
        b->failing = 1;
    }
    b->probing = 0;
    pthread_mutex_unlock(&b->lock);
}

long web_backoff_wait_ms(web_backoff *b)
{
    if (!b)
        return 0;
    pthread_mutex_lock(&b->lock);
    int64_t left = b->failing ? b->next_ms - now_ms() : 0;
    pthread_mutex_unlock(&b->lock);
    return left > 0 ? (long)left : 0;
}
