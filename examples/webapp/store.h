/* The session store: opaque keys to opaque values, each with a lifetime.
 * Two backends behind one interface: SQLite (a file in the data directory,
 * the default, survives restarts) and Redis (several app instances share
 * sessions). Every function is safe to call from any thread. */
#ifndef WEBAPP_STORE_H
#define WEBAPP_STORE_H

#include <stddef.h>

typedef struct store store;

typedef struct store_ops {
    /* 1 found (*value: caller frees with free()), 0 absent or expired, -1 error */
    int (*get)(store *s, const char *key, char **value, size_t *len);
    /* 0 ok, -1 error; the value lives ttl_seconds (> 0) */
    int (*put)(store *s, const char *key, const char *value, size_t len, long ttl_seconds);
    /* 0 ok (also when absent), -1 error */
    int (*del)(store *s, const char *key);
    /* 0 when the backend answers */
    int (*ping)(store *s);
    void (*close)(store *s);
} store_ops;

struct store {
    const store_ops *ops;
    const char *name;  /* "sqlite" or "redis", for logs and /healthz */
};

/* spec: "sqlite" (file sessions.db in data_dir) or "redis://host:port".
 * NULL on failure, with the reason in err. */
store *store_open(const char *spec, const char *data_dir, char *err, size_t errlen);
store *store_sqlite_open(const char *path, char *err, size_t errlen);
store *store_redis_open(const char *url, char *err, size_t errlen);

static inline int store_get(store *s, const char *k, char **v, size_t *n) { return s->ops->get(s, k, v, n); }
static inline int store_put(store *s, const char *k, const char *v, size_t n, long ttl) { return s->ops->put(s, k, v, n, ttl); }
static inline int store_delete(store *s, const char *k) { return s->ops->del(s, k); }
static inline int store_ping(store *s) { return s->ops->ping(s); }
static inline void store_close(store *s) { if (s) s->ops->close(s); }

#endif
