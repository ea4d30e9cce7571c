#include "access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int gw_access_log_open(gw_access_log *l, const char *spec, char *err, size_t errlen)
{
    l->owned = 0;
    if (!spec) {
        l->fd = STDERR_FILENO;
    } else if (strcmp(spec, "-") == 0) {
        l->fd = STDOUT_FILENO;
    } else if (strcmp(spec, "off") == 0) {
        l->fd = -1;
    } else {
        l->fd = open(spec, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (l->fd < 0) {
            snprintf(err, errlen, "%s: cannot open: %s", spec, strerror(errno));
            return -1;
        }
        l->owned = 1;
    }
    return 0;
}

void gw_access_log_close(gw_access_log *l)
{
    if (l->owned && l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->owned = 0;
}

/* A line being written into a fixed buffer; what does not fit is dropped
 * and the line marked cut. */
typedef struct line {
    char *p;
    size_t len, cap;
    int cut;
} line;

static void put(line *l, const char *s, size_t n)
{
    if (l->len + n > l->cap) {
        n = l->cap - l->len;
        l->cut = 1;
    }
    memcpy(l->p + l->len, s, n);
    l->len += n;
}

static void puts_(line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* A value is written bare when it is a plain word, else quoted. */
static int plain(const char *v)
{
    if (!*v)
        return 0;
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
              strchr("_-.:/@+", *v)))
            return 0;
    return 1;
}

static void field(line *l, const char *key, const char *v, int quote)
{
    if (!v)
        return;
    if (l->len)
        puts_(l, " ");
    puts_(l, key);
    puts_(l, "=");
    if (!quote && plain(v)) {
        puts_(l, v);
        return;
    }
    puts_(l, "\"");
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        char esc[8];
        if (*c == '"' || *c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*c;
            put(l, esc, 2);
        } else if (*c < 0x20 || *c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", *c);
            put(l, esc, 4);
        } else {
            put(l, (const char *)c, 1);
        }
    }
    puts_(l, "\"");
}

size_t gw_access_format(const gw_access *a, const struct timespec *ts, char *out, size_t outsz)
{
    if (outsz < 8)
        return 0;
    line l = {out, 0, outsz - 5, 0}; /* room kept for "...\n" and the NUL */
    struct tm tm;
    char t[64], num[32];
    gmtime_r(&ts->tv_sec, &tm);
    size_t n = strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(t + n, sizeof t - n, ".%03ldZ", ts->tv_nsec / 1000000);
    field(&l, "ts", t, 0);
    field(&l, "endpoint", a->endpoint, 0);
    field(&l, "method", a->method, 0);
    field(&l, "uri", a->uri, 1);
    snprintf(num, sizeof num, "%u", a->status);
    field(&l, "status", num, 0);
    field(&l, "reason", a->reason, 0);
    field(&l, "rule", a->rule, 1);
    field(&l, "user", a->user, 0);
    snprintf(num, sizeof num, "%ld", a->us);
    field(&l, "us", num, 0);
    if (l.cut) {
        memcpy(out + l.len, "...", 3);
        l.len += 3;
    }
    out[l.len++] = '\n';
    out[l.len] = '\0';
    return l.len;
}

void gw_access_log_write(const gw_access_log *l, const gw_access *a)
{
    if (l->fd < 0)
        return;
    /* A URI of GW_URI_MAX bytes, each escaped to 4, fits. */
    char buf[20480];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    size_t n = gw_access_format(a, &ts, buf, sizeof buf);
    /* One write: lines from other threads never land inside this one. A
     * full disk or a closed pipe loses the line, never the request. */
    ssize_t w = write(l->fd, buf, n);
    (void)w;
}
