/* Sessions in one SQLite file, WAL mode. One connection behind a mutex: the
 * app's requests are short, and SQLite serializes writers anyway.
 *
 * When the file itself fails (corrupt pages, an I/O error, read-only, moved
 * or deleted) the connection is not trusted again: its page cache may hold
 * what was read from the bad file, and it holds the old file open if the
 * file was replaced. The next call opens a fresh connection, as soon as the
 * file at the path changed (restored: copied over, renamed into place,
 * writable again) and at most once a second otherwise, so service comes
 * back without a restart and a broken file costs no reopen per request. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What identifies the file at the path, to see that it was replaced or
 * changed (all zero when it cannot be read). */
typedef struct file_mark {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_mark;

typedef struct sqlite_store {
    store base;
    sqlite3 *db;               /* NULL after a reconnect failed */
    pthread_mutex_t lock;
    sqlite3_stmt *get, *put, *del, *purge;
    unsigned puts;
    char *path;
    long timeout_ms;
    int broken;                /* the file failed: reconnect before the next statement */
    file_mark broken_mark;     /* the file as it was when that was seen */
    time_t broken_tried;       /* the last reconnect attempt (or the failure) */
    char reconnect_error[200]; /* why the last reconnect failed */
} sqlite_store;

static void mark_of(const char *path, file_mark *m)
{
    struct stat st;
    memset(m, 0, sizeof *m);
    if (stat(path, &st) == 0) {
        m->dev = st.st_dev;
        m->ino = st.st_ino;
        m->size = st.st_size;
        m->mtime = st.st_mtim;
        m->ctime = st.st_ctim;
    }
}

static int same_mark(const file_mark *a, const file_mark *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Failures of the file, not of one statement: the connection is replaced. */
static int file_failed(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
        return 1;
    default:
        return 0;
    }
}

/* The connection's own words for its last failure; called with the lock held,
 * so no other thread's call can replace them first. */
static void failed(sqlite_store *q, store_error *err, const char *what)
{
    if (!q->db) {
        store_error_set(err, "sqlite %s: %s", what, q->reconnect_error);
        return;
    }
    store_error_set(err, "sqlite %s: %s", what, sqlite3_errmsg(q->db));
    if (!q->broken && file_failed(sqlite3_extended_errcode(q->db))) {
        q->broken = 1;
        mark_of(q->path, &q->broken_mark);
        q->broken_tried = time(NULL);
    }
}

static int connect_db(sqlite_store *q, char *err, size_t errlen);
static void disconnect_db(sqlite_store *q);

/* Lock held: a fresh connection if the file failed and it changed since, or
 * a second passed. The new one is opened before the old one is let go: while
 * the file cannot be opened for writing (read-only, immutable) the old
 * connection still serves reads, and the next try comes a second later.
 * 0 when there is a connection to use. */
static int usable(sqlite_store *q)
{
    if (q->broken) {
        file_mark now;
        mark_of(q->path, &now);
        time_t t = time(NULL);
        if (!same_mark(&now, &q->broken_mark) || t - q->broken_tried >= 1) {
            q->broken_tried = t;
            q->broken_mark = now;
            sqlite_store old = {.db = q->db, .get = q->get, .put = q->put, .del = q->del,
                                .purge = q->purge};
            q->db = NULL;
            q->get = q->put = q->del = q->purge = NULL;
            if (connect_db(q, q->reconnect_error, sizeof q->reconnect_error) == 0) {
                q->broken = 0;
                disconnect_db(&old);
            } else {
                q->db = old.db;
                q->get = old.get;
                q->put = old.put;
                q->del = old.del;
                q->purge = old.purge;
            }
        }
    }
    return q->db ? 0 : -1;
}

static int sq_get(store *s, const char *key, char **value, size_t *len, store_error *err)
{
    sqlite_store *q = (sqlite_store *)s;
    int found = -1;
    store_error_clear(err);
    pthread_mutex_lock(&q->lock);
    if (usable(q) != 0) {
        failed(q, err, "get");
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    sqlite3_bind_text(q->get, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q->get, 2, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(q->get);
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(q->get, 0);
        int n = sqlite3_column_bytes(q->get, 0);
        char *copy = malloc((size_t)n + 1);
        if (copy) {
            if (n > 0)
                memcpy(copy, blob, (size_t)n);
            copy[n] = '\0';
            *value = copy;
            if (len)
                *len = (size_t)n;
            found = 1;
        } else {
            store_error_set(err, "sqlite get: no memory for a %d-byte value", n);
        }
    } else if (rc == SQLITE_DONE) {
        found = 0;
    } else {
        failed(q, err, "get");
    }
    sqlite3_reset(q->get);
    sqlite3_clear_bindings(q->get);
    pthread_mutex_unlock(&q->lock);
    return found;
}

static int sq_put(store *s, const char *key, const char *value, size_t len, long ttl,
                  store_error *err)
{
    sqlite_store *q = (sqlite_store *)s;
    sqlite3_int64 now = (sqlite3_int64)time(NULL);
    store_error_clear(err);
    pthread_mutex_lock(&q->lock);
    if (usable(q) != 0) {
        failed(q, err, "put");
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    sqlite3_bind_text(q->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q->put, 2, value, (int)len, SQLITE_STATIC);
    /* Whole seconds: now is up to 1 s behind the clock, so a record written
     * with now + ttl could vanish up to 1 s before its time. One more second
     * makes the store never earlier than the app's own timeouts. */
    sqlite3_bind_int64(q->put, 3, now + ttl + 1);
    int rc = sqlite3_step(q->put);
    if (rc != SQLITE_DONE)
        failed(q, err, "put");
    sqlite3_reset(q->put);
    sqlite3_clear_bindings(q->put);
    /* Expired rows are unreadable already; sweep them now and then. */
    if (rc == SQLITE_DONE && ++q->puts % 64 == 0) {
        sqlite3_bind_int64(q->purge, 1, now);
        sqlite3_step(q->purge);
        sqlite3_reset(q->purge);
    }
    pthread_mutex_unlock(&q->lock);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_del(store *s, const char *key, store_error *err)
{
    sqlite_store *q = (sqlite_store *)s;
    store_error_clear(err);
    pthread_mutex_lock(&q->lock);
    if (usable(q) != 0) {
        failed(q, err, "delete");
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    sqlite3_bind_text(q->del, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q->del);
    if (rc != SQLITE_DONE)
        failed(q, err, "delete");
    sqlite3_reset(q->del);
    sqlite3_clear_bindings(q->del);
    pthread_mutex_unlock(&q->lock);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A real write, read back and delete of a probe row, in one transaction
 * rolled back: a file whose pages are corrupt, that became read-only or whose
 * disk is full fails here, where "SELECT 1" would still say ok. */
static int sq_ping(store *s, store_error *err)
{
    sqlite_store *q = (sqlite_store *)s;
    pthread_mutex_lock(&q->lock);
    store_error_clear(err);
    if (usable(q) != 0) {
        failed(q, err, "ping");
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    int rc = sqlite3_exec(q->db,
                          "BEGIN IMMEDIATE;"
                          "INSERT OR REPLACE INTO sessions(key, value, expires)"
                          " VALUES('healthz-probe', x'6f6b', 0);"
                          "SELECT count(*) FROM sessions WHERE key = 'healthz-probe';"
                          "DELETE FROM sessions WHERE key = 'healthz-probe';"
                          "COMMIT;",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        failed(q, err, "ping");
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&q->lock);
    return rc == SQLITE_OK ? 0 : -1;
}

static void disconnect_db(sqlite_store *q)
{
    sqlite3_finalize(q->get);
    sqlite3_finalize(q->put);
    sqlite3_finalize(q->del);
    sqlite3_finalize(q->purge);
    sqlite3_close(q->db);
    q->get = q->put = q->del = q->purge = NULL;
    q->db = NULL;
}

static void sq_close(store *s)
{
    sqlite_store *q = (sqlite_store *)s;
    disconnect_db(q);
    pthread_mutex_destroy(&q->lock);
    free(q->path);
    free(q);
}

static const store_ops sqlite_ops = {sq_get, sq_put, sq_del, sq_ping, sq_close};

/* The session file and its -wal, -shm and -journal companions are the
 * owner's alone (0600), also when they exist from an older, laxer start:
 * SQLite gives the companions the main file's mode, so the file is made
 * before SQLite opens it. */
static int private_files(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
        snprintf(err, errlen, "sqlite %s: cannot create it 0600: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    static const char *const companions[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof companions / sizeof *companions; i++) {
        char other[4200];
        snprintf(other, sizeof other, "%s%s", path, companions[i]);
        if (chmod(other, 0600) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "sqlite %s: cannot make it 0600: %s", other, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Opens the file (0600), sets WAL mode and the busy timeout, makes the
 * table and prepares the statements. 0, or -1 with why in err (and no
 * connection). */
static int connect_db(sqlite_store *q, char *err, size_t errlen)
{
    if (private_files(q->path, err, errlen) != 0)
        return -1;
    /* NOMUTEX: every call on the connection is made under q->lock already
     * (opened, replaced and closed under it too), so SQLite's own mutex
     * would only be a second lock taken per call. */
    int rc = sqlite3_open_v2(q->path, &q->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(q->db, (int)(q->timeout_ms > 0 ? q->timeout_ms
                                                                 : STORE_TIMEOUT_MS));
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db,
                          "PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=NORMAL;"
                          "CREATE TABLE IF NOT EXISTS sessions("
                          " key TEXT PRIMARY KEY, value BLOB NOT NULL, expires INTEGER NOT NULL);"
                          "CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires);",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(q->db,
                                "SELECT value FROM sessions WHERE key = ?1 AND expires > ?2", -1,
                                &q->get, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(q->db,
                                "INSERT INTO sessions(key, value, expires) VALUES(?1, ?2, ?3) "
                                "ON CONFLICT(key) DO UPDATE SET value = ?2, expires = ?3",
                                -1, &q->put, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(q->db, "DELETE FROM sessions WHERE key = ?1", -1, &q->del, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(q->db, "DELETE FROM sessions WHERE expires <= ?1", -1, &q->purge,
                                NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "sqlite %s: %s", q->path,
                 q->db ? sqlite3_errmsg(q->db) : "open failed");
        disconnect_db(q);
        return -1;
    }
    return 0;
}

store *store_sqlite_open(const char *path, long timeout_ms, char *err, size_t errlen)
{
    sqlite_store *q = calloc(1, sizeof *q);
    if (!q || !(q->path = strdup(path))) {
        free(q);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    q->base.ops = &sqlite_ops;
    q->base.name = "sqlite";
    q->timeout_ms = timeout_ms;
    pthread_mutex_init(&q->lock, NULL);
    if (connect_db(q, err, errlen) != 0) {
        sq_close(&q->base);
        return NULL;
    }
    return &q->base;
}
