/* The events ring and the seen ids behind one mutex. The seen ids are a
 * plain array in arrival order, searched linearly: a few thousand short
 * strings compare in microseconds, far below one signature check. */
#include "webhook_events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct kept_event {
    char *type, *event_id, *timestamp, *source;
} kept_event;

typedef struct seen_id {
    char *id;
    int64_t forget_at; /* INT64_MAX: only room running out forgets it */
} seen_id;

struct webhook_events {
    pthread_mutex_t lock;
    long max_age;
    kept_event kept[WEBHOOK_EVENTS_KEPT];
    size_t nkept, next; /* next: the slot the next event takes */
    seen_id *seen;      /* WEBHOOK_SEEN_MAX slots, oldest first */
    size_t nseen;
};

webhook_events *webhook_events_new(long max_age)
{
    webhook_events *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->seen = calloc(WEBHOOK_SEEN_MAX, sizeof *w->seen);
    if (!w->seen || pthread_mutex_init(&w->lock, NULL) != 0) {
        free(w->seen);
        free(w);
        return NULL;
    }
    w->max_age = max_age;
    return w;
}

long webhook_events_max_age(const webhook_events *w)
{
    return w->max_age;
}

static void kept_clear(kept_event *k)
{
    free(k->type);
    free(k->event_id);
    free(k->timestamp);
    free(k->source);
    memset(k, 0, sizeof *k);
}

void webhook_events_free(webhook_events *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < WEBHOOK_EVENTS_KEPT; i++)
        kept_clear(&w->kept[i]);
    for (size_t i = 0; i < w->nseen; i++)
        free(w->seen[i].id);
    free(w->seen);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* Drops the ids whose events can no longer verify, keeping the order. */
static void forget_expired(webhook_events *w, int64_t now)
{
    size_t out = 0;
    for (size_t i = 0; i < w->nseen; i++) {
        if (now > w->seen[i].forget_at)
            free(w->seen[i].id);
        else
            w->seen[out++] = w->seen[i];
    }
    w->nseen = out;
}

static int seen_before(const webhook_events *w, const char *id)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (strcmp(w->seen[i].id, id) == 0)
            return 1;
    return 0;
}

static char *copy_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        *failed = 1;
    return c;
}

webhook_record_result webhook_events_record(webhook_events *w, const webhook_event_row *e,
                                            int64_t timestamp_unix, int64_t now)
{
    if (!e->type || !e->event_id || !e->timestamp)
        return WEBHOOK_INVALID;
    int failed = 0;
    kept_event k = {
        .type = copy_or_null(e->type, &failed),
        .event_id = copy_or_null(e->event_id, &failed),
        .timestamp = copy_or_null(e->timestamp, &failed),
        .source = copy_or_null(e->source, &failed),
    };
    char *id = copy_or_null(e->event_id, &failed);
    webhook_record_result rc = WEBHOOK_NOMEM;
    if (failed)
        goto done;

    pthread_mutex_lock(&w->lock);
    if (w->max_age > 0)
        forget_expired(w, now);
    if (seen_before(w, e->event_id)) {
        rc = WEBHOOK_REPLAY;
    } else if (w->nseen == WEBHOOK_SEEN_MAX && w->max_age > 0) {
        rc = WEBHOOK_FULL;
    } else {
        if (w->nseen == WEBHOOK_SEEN_MAX) {
            free(w->seen[0].id);
            memmove(w->seen, w->seen + 1, (w->nseen - 1) * sizeof *w->seen);
            w->nseen--;
        }
        w->seen[w->nseen].id = id;
        w->seen[w->nseen].forget_at = w->max_age > 0
                                          ? timestamp_unix + w->max_age + WEBHOOK_FORGET_MARGIN
                                          : INT64_MAX;
        w->nseen++;
        id = NULL;
        kept_clear(&w->kept[w->next]);
        w->kept[w->next] = k;
        memset(&k, 0, sizeof k);
        w->next = (w->next + 1) % WEBHOOK_EVENTS_KEPT;
        if (w->nkept < WEBHOOK_EVENTS_KEPT)
            w->nkept++;
        rc = WEBHOOK_RECORDED;
    }
    pthread_mutex_unlock(&w->lock);
done:
    kept_clear(&k);
    free(id);
    return rc;
}

size_t webhook_events_each(webhook_events *w, void (*fn)(void *ctx, const webhook_event_row *e),
                           void *ctx)
{
    pthread_mutex_lock(&w->lock);
    size_t n = w->nkept;
    for (size_t i = 0; i < n; i++) {
        const kept_event *k =
            &w->kept[(w->next + WEBHOOK_EVENTS_KEPT - 1 - i) % WEBHOOK_EVENTS_KEPT];
        webhook_event_row row = {k->type, k->event_id, k->timestamp, k->source};
        fn(ctx, &row);
    }
    pthread_mutex_unlock(&w->lock);
    return n;
}
