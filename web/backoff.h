/* Backing off from a failing Kinde, per process. After a refresh failed for
 * a reason that may pass (a 503, a timeout, a refused connection, an answer
 * of the wrong shape), the next requests that need a refresh do not each wait
 * for Kinde again: they are told at once that Kinde is briefly unavailable,
 * until the delay is over. Then one request (the probe) tries; the others
 * keep being told until it answers. A success ends the back-off at once, so
 * service is normal from the first request after Kinde recovered and the
 * current delay ran out. The delay starts at `initial_ms` and doubles per
 * failure up to `max_ms`.
 *
 * Per process, not per session: a Kinde outage is everyone's, and one probe
 * per delay is all the load a recovering Kinde gets from this process.
 * Signed-in pages whose access token has not expired never ask (nothing to
 * refresh), so they keep working through an outage. */
#ifndef KINDE_WEB_BACKOFF_H
#define KINDE_WEB_BACKOFF_H

#include <pthread.h>
#include <stdint.h>

typedef struct web_backoff {
    pthread_mutex_t lock;
    long initial_ms, max_ms;
    int failing;     /* the last answer was a failure that may pass */
    int probing;     /* a request is asking Kinde now, while failing */
    long delay_ms;   /* the current delay */
    int64_t next_ms; /* monotonic time before which nobody asks */
} web_backoff;

void web_backoff_init(web_backoff *b, long initial_ms, long max_ms);
void web_backoff_destroy(web_backoff *b);

/* 1: ask Kinde now (the caller must then report with web_backoff_done);
 * 0: do not, Kinde failed recently. b NULL: always 1. */
int web_backoff_may_try(web_backoff *b);
/* The outcome of an attempt allowed by web_backoff_may_try: ok 1 for an
 * answer (good or definitive), 0 for a failure that may pass. */
void web_backoff_done(web_backoff *b, int ok);

/* Milliseconds left before the next attempt (0 when none is pending). */
long web_backoff_wait_ms(web_backoff *b);

#endif
