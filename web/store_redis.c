/* Sessions in Redis, so that app instances behind one address share them.
 * A hiredis context is not thread-safe: up to 32 connections (one per busy
 * request thread at the load bench/4 puts on it), each behind its
 * own mutex (one connection serialised every request of the app on one
 * round trip at a time), each reconnected once when a command fails. */
#include "store.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_PREFIX "kinde-webapp:"

#define REDIS_CONNECTIONS 32

typedef struct redis_conn {
    redisContext *ctx; /* NULL until first used */
    pthread_mutex_t lock;
} redis_conn;

typedef struct redis_store {
    store base;
    char host[256];
    int port;
    long timeout_ms; /* the most one call may take: connect, wait for a connection, answer */
    unsigned next; /* where the search for a free connection starts */
    redis_conn conn[REDIS_CONNECTIONS];
} redis_store;

static int connect_locked(redis_store *r, redis_conn *c)
{
    if (c->ctx && !c->ctx->err)
        return 0;
    if (c->ctx)
        redisFree(c->ctx);
    struct timeval tv = {r->timeout_ms / 1000, (r->timeout_ms % 1000) * 1000};
    c->ctx = redisConnectWithTimeout(r->host, r->port, tv);
    if (!c->ctx || c->ctx->err)
        return -1;
    redisSetTimeout(c->ctx, tv);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection, locked: the first free one, else wait for one in turn, but
 * no longer than the budget (a frozen Redis holds every connection for its
 * timeout; the requests queued behind them must not wait for each in turn).
 * NULL when none came free in time. */
static redis_conn *conn_acquire(redis_store *r)
{
    unsigned start = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < REDIS_CONNECTIONS; i++) {
        redis_conn *c = &r->conn[(start + i) % REDIS_CONNECTIONS];
        if (pthread_mutex_trylock(&c->lock) == 0)
            return c;
    }
    redis_conn *c = &r->conn[start % REDIS_CONNECTIONS];
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += r->timeout_ms / 1000;
    until.tv_nsec += (r->timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return pthread_mutex_timedlock(&c->lock, &until) == 0 ? c : NULL;
}

/* Runs one command on a pooled connection, reconnecting and retrying once
 * when a command fails fast (a connection Redis closed, say, after a
 * restart); one that timed out is not tried again, so a call takes at most
 * about the budget. NULL on failure, with hiredis' words in err. */
static redisReply *command(redis_store *r, int argc, const char **argv, const size_t *lens,
                           store_error *err)
{
    store_error_clear(err);
    redis_conn *c = conn_acquire(r);
    if (!c) {
        store_error_set(err, "redis %s at %s:%d: no connection free within %ld ms", argv[0],
                        r->host, r->port, r->timeout_ms);
        return NULL;
    }
    redisReply *reply = NULL;
    int64_t t0 = now_ms();
    for (int attempt = 0; attempt < 2 && !reply; attempt++) {
        if (attempt && now_ms() - t0 >= r->timeout_ms / 2)
            break;
        if (connect_locked(r, c) == 0)
            reply = redisCommandArgv(c->ctx, argc, argv, lens);
        if (!reply)
            store_error_set(err, "redis %s at %s:%d: %s", argv[0], r->host, r->port,
                            c->ctx && c->ctx->errstr[0] ? c->ctx->errstr : "cannot connect");
    }
    pthread_mutex_unlock(&c->lock);
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        store_error_set(err, "redis %s: %s", argv[0], reply->str);
        freeReplyObject(reply);
        reply = NULL;
    }
    return reply;
}

/* A reply of a type the command never gives: a -1 with words for the log. */
static int unexpected(const char *cmd, const redisReply *reply, store_error *err)
{
    store_error_set(err, "redis %s: unexpected reply type %d", cmd, reply->type);
    return -1;
}

/* A command whose answer matters only by its type. 0 when it is `type`. */
static int command_expect(redis_store *r, int argc, const char **argv, const size_t *lens,
                          int type, store_error *err)
{
    redisReply *reply = command(r, argc, argv, lens, err);
    if (!reply)
        return -1;
    int rc = reply->type == type ? 0 : unexpected(argv[0], reply, err);
    freeReplyObject(reply);
    return rc;
}

static int rd_get(store *s, const char *key, char **value, size_t *len, store_error *err)
{
    redis_store *r = (redis_store *)s;
    char k[512];
    snprintf(k, sizeof k, KEY_PREFIX "%s", key);
    const char *argv[] = {"GET", k};
    size_t lens[] = {3, strlen(k)};
    redisReply *reply = command(r, 2, argv, lens, err);
    int found = -1;
    if (!reply)
        return -1;
    if (reply->type == REDIS_REPLY_NIL) {
        found = 0;
    } else if (reply->type == REDIS_REPLY_STRING) {
        char *copy = malloc(reply->len + 1);
        if (copy) {
            memcpy(copy, reply->str, reply->len);
            copy[reply->len] = '\0';
            *value = copy;
            if (len)
                *len = reply->len;
            found = 1;
        } else {
            store_error_set(err, "redis GET: no memory for a %zu-byte value", reply->len);
        }
    } else {
        unexpected("GET", reply, err);
    }
    freeReplyObject(reply);
    return found;
}

static int rd_put(store *s, const char *key, const char *value, size_t len, long ttl,
                  store_error *err)
{
    redis_store *r = (redis_store *)s;
    char k[512], ex[32];
    snprintf(k, sizeof k, KEY_PREFIX "%s", key);
    snprintf(ex, sizeof ex, "%ld", ttl > 0 ? ttl : 1);
    const char *argv[] = {"SET", k, value, "EX", ex};
    size_t lens[] = {3, strlen(k), len, 2, strlen(ex)};
    return command_expect(r, 5, argv, lens, REDIS_REPLY_STATUS, err);
}

static int rd_del(store *s, const char *key, store_error *err)
{
    redis_store *r = (redis_store *)s;
    char k[512];
    snprintf(k, sizeof k, KEY_PREFIX "%s", key);
    const char *argv[] = {"DEL", k};
    size_t lens[] = {3, strlen(k)};
    return command_expect(r, 2, argv, lens, REDIS_REPLY_INTEGER, err);
}

/* A real write, read back and delete of a probe key (the sessions are keyed
 * by hex digests, which never look like it): a Redis that answers PING but
 * refuses writes (out of memory, a read-only replica) is not healthy. */
static int rd_ping(store *s, store_error *err)
{
    static const char probe[] = "healthz-probe";
    char *value = NULL;
    size_t len = 0;
    if (rd_put(s, probe, "ok", 2, 10, err) != 0)
        return -1;
    int found = rd_get(s, probe, &value, &len, err);
    int same = found == 1 && len == 2 && memcmp(value, "ok", 2) == 0;
    free(value);
    if (found < 0)
        return -1;
    if (!same) {
        store_error_set(err, "redis: the probe written was not read back");
        return -1;
    }
    return rd_del(s, probe, err);
}

static void rd_close(store *s)
{
    redis_store *r = (redis_store *)s;
    for (int i = 0; i < REDIS_CONNECTIONS; i++) {
        if (r->conn[i].ctx)
            redisFree(r->conn[i].ctx);
        pthread_mutex_destroy(&r->conn[i].lock);
    }
    free(r);
}

static const store_ops redis_ops = {rd_get, rd_put, rd_del, rd_ping, rd_close};

store *store_redis_open(const char *url, long timeout_ms, char *err, size_t errlen)
{
    /* redis://host[:port][/] */
    const char *p = url + strlen("redis://");
    const char *colon = strchr(p, ':');
    const char *slash = strchr(p, '/');
    size_t hlen = colon ? (size_t)(colon - p) : slash ? (size_t)(slash - p) : strlen(p);
    long port = 6379;
    if (colon) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || (*end && *end != '/') || port <= 0 || port > 65535) {
            snprintf(err, errlen, "bad port in %s", url);
            return NULL;
        }
    }
    redis_store *r = calloc(1, sizeof *r);
    if (!r || hlen == 0 || hlen >= sizeof r->host) {
        snprintf(err, errlen, "bad redis URL %s", url);
        free(r);
        return NULL;
    }
    r->base.ops = &redis_ops;
    r->base.name = "redis";
    memcpy(r->host, p, hlen);
    r->port = (int)port;
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : STORE_TIMEOUT_MS;
    for (int i = 0; i < REDIS_CONNECTIONS; i++)
        pthread_mutex_init(&r->conn[i].lock, NULL);
    /* One connection up front, to report an unreachable server at start. */
    store_error why;
    if (rd_ping(&r->base, &why) != 0) {
        snprintf(err, errlen, "cannot reach redis: %s", why.text);
        rd_close(&r->base);
        return NULL;
    }
    return &r->base;
}
