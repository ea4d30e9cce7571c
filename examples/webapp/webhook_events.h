/* The webhook events the demo app received: the last few, for the details
 * page, and the event ids already seen, so that a replayed event (a captured
 * body posted again, or Kinde retrying one whose answer it missed) is
 * answered but not recorded twice. kinde_verify_webhook() verifies a replay
 * as readily as the original: the event id is the idempotency key
 * (include/kinde/management.h). In memory only, gone at a restart; safe to
 * use from any thread. No libkinde or HTTP in here. */
#ifndef WEBAPP_WEBHOOK_EVENTS_H
#define WEBAPP_WEBHOOK_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* How many events the details page shows. */
#define WEBHOOK_EVENTS_KEPT 10
/* How many event ids are remembered at most. With a maximum age, an id is
 * forgotten once its event is too old to verify (WEBHOOK_FORGET_MARGIN later);
 * until then it is never dropped, and a new event that finds no room is
 * refused (WEBHOOK_FULL) so that the sender retries later. Without one, the
 * oldest id gives way: replays older than this many events are not caught. */
#define WEBHOOK_SEEN_MAX 4096
/* Seconds an id is kept past its event's maximum age: a wall clock set back
 * by less than this does not bring a forgotten id back to life. */
#define WEBHOOK_FORGET_MARGIN 60

typedef struct webhook_events webhook_events;

/* max_age: the seconds kinde_verify_webhook() is given (0 = no age check).
 * NULL when out of memory. */
webhook_events *webhook_events_new(long max_age);
/* The max_age it was made with. */
long webhook_events_max_age(const webhook_events *w);
/* NULL is ignored. */
void webhook_events_free(webhook_events *w);

/* One received event, as the details page shows it. */
typedef struct webhook_event_row {
    const char *type;
    const char *event_id;
    const char *timestamp; /* RFC 3339, as sent */
    const char *source;    /* NULL when the event had none */
} webhook_event_row;

typedef enum webhook_record_result {
    WEBHOOK_RECORDED = 0, /* a new event id: kept */
    WEBHOOK_REPLAY,       /* seen before: nothing changed */
    WEBHOOK_FULL,         /* WEBHOOK_SEEN_MAX ids none of which may be forgotten yet */
    WEBHOOK_NOMEM,
    WEBHOOK_INVALID,      /* type, event_id or timestamp NULL */
} webhook_record_result;

/* Records e (copied) unless its event_id was seen. timestamp_unix is the
 * event's time (seconds since the epoch), now the current time. */
webhook_record_result webhook_events_record(webhook_events *w, const webhook_event_row *e,
                                            int64_t timestamp_unix, int64_t now);

/* Calls fn with each kept event, newest first, and returns how many. fn runs
 * with the events locked: it must not call back into w. */
size_t webhook_events_each(webhook_events *w, void (*fn)(void *ctx, const webhook_event_row *e),
                           void *ctx);

#endif
