/* The session store: opaque keys to opaque values, each with a lifetime.
 * Two backends behind one interface: SQLite (a file in the data directory,
 * the default, survives restarts) and Redis (several app instances share
 * sessions). Every function is safe to call from any thread.
 *
 * A failure is the backend's, never "out of memory": each call that can fail
 * takes a store_error (may be NULL) and fills it with the backend's own words
 * (sqlite3_errmsg, hiredis' errstr), for the log; users are told only that
 * sessions are unavailable. */
#ifndef KINDE_WEB_STORE_H
#define KINDE_WEB_STORE_H

#include <stddef.h>

typedef struct store store;

#define STORE_ERROR_SIZE 256
typedef struct store_error {
    char text[STORE_ERROR_SIZE]; /* "" when the last call did not fail */
} store_error;

typedef struct store_ops {
    /* 1 found (*value: caller frees with free()), 0 absent or expired, -1 error */
    int (*get)(store *s, const char *key, char **value, size_t *len, store_error *err);
    /* 0 ok, -1 error; the value lives ttl_seconds (> 0) */
    int (*put)(store *s, const char *key, const char *value, size_t len, long ttl_seconds,
               store_error *err);
    /* 0 ok (also when absent), -1 error */
    int (*del)(store *s, const char *key, store_error *err);
    /* 0 when the backend answers a real write and read back (and delete) of
     * a probe record, not just "SELECT 1" or PING */
    int (*ping)(store *s, store_error *err);
    void (*close)(store *s);
} store_ops;

struct store {
    const store_ops *ops;
    const char *name;  /* "sqlite" or "redis", for logs and /healthz */
};

/* The longest one store call may block a request, unless configured: Redis'
 * connect and command timeouts and the wait for a free connection, SQLite's
 * busy timeout. A frozen store costs each request this much, then a 503. */
#define STORE_TIMEOUT_MS 500

/* spec: "sqlite" (file sessions.db in data_dir, created 0600) or
 * "redis://host:port". timeout_ms: the budget above (0 = STORE_TIMEOUT_MS).
 * NULL on failure, with the reason in err. */
store *store_open(const char *spec, const char *data_dir, long timeout_ms, char *err,
                  size_t errlen);
store *store_sqlite_open(const char *path, long timeout_ms, char *err, size_t errlen);
store *store_redis_open(const char *url, long timeout_ms, char *err, size_t errlen);

/* For the backends: err->text = the formatted message (err may be NULL). */
void store_error_set(store_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void store_error_clear(store_error *e) { if (e) e->text[0] = '\0'; }

static inline int store_get(store *s, const char *k, char **v, size_t *n, store_error *e) { return s->ops->get(s, k, v, n, e); }
static inline int store_put(store *s, const char *k, const char *v, size_t n, long ttl, store_error *e) { return s->ops->put(s, k, v, n, ttl, e); }
static inline int store_delete(store *s, const char *k, store_error *e) { return s->ops->del(s, k, e); }
static inline int store_ping(store *s, store_error *e) { return s->ops->ping(s, e); }
static inline void store_close(store *s) { if (s) s->ops->close(s); }

#endif
