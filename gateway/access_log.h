/* The access log: one line per request, key=value, written with one write()
 * (lines from many threads never interleave), e.g.
 *   ts=2026-12-01T12:00:00.123Z endpoint=auth method=GET uri="/admin/x"
 *   status=403 reason=forbidden rule="rules.conf:7" user=kp_123 us=412
 * (one line). Values that are not plain words are quoted, with ", \ and
 * control characters escaped, so a request cannot forge a line or a field. */
#ifndef KINDE_GATEWAY_ACCESS_LOG_H
#define KINDE_GATEWAY_ACCESS_LOG_H

#include <stddef.h>
#include <time.h>

typedef struct gw_access_log {
    int fd;      /* -1: off */
    int owned;   /* a file we opened (closed at the end) */
} gw_access_log;

/* spec: NULL = stderr, "-" = stdout, "off" = none, else a file appended to
 * (created 0600). 0 ok; -1 with the reason in err. */
int gw_access_log_open(gw_access_log *l, const char *spec, char *err, size_t errlen);
void gw_access_log_close(gw_access_log *l);

/* One request. NULL fields are left out. */
typedef struct gw_access {
    const char *endpoint;  /* "auth", "sign-in", ... */
    const char *method;    /* for auth: X-Original-Method */
    const char *uri;       /* for auth: X-Original-URI, else the target */
    unsigned status;
    const char *reason;    /* X-Kinde-Reason, or the failure's reason */
    const char *rule;      /* gw_rule_where */
    const char *user;      /* sub */
    long us;               /* microseconds spent answering */
} gw_access;

/* The line (with its newline, NUL-terminated) into out[0..outsz), cut short
 * (ending "...\n") when it does not fit; its length. ts: the wall-clock time
 * to show. */
size_t gw_access_format(const gw_access *a, const struct timespec *ts, char *out, size_t outsz);
/* Formats a with the time now and writes it (nothing when off). */
void gw_access_log_write(const gw_access_log *l, const gw_access *a);

#endif
