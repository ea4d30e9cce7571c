/* The event threads (libmicrohttpd, epoll, a thread pool) and the worker
 * pool that answers requests while their connections are suspended. */
#include "serve.h"
#include "strbuf.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* Descriptors kept back from connections: the store, Kinde calls, logs. */
#define FD_RESERVE 64u
/* A connection's whole memory: read buffer, headers, response headers. The
 * largest request taken is a 4 KiB target with 4 KiB of cookies. */
#define CONN_MEMORY (32u * 1024)

enum { READING, QUEUED, ANSWERED };

typedef struct call {
    serve_request q;
    serve *s;
    char *target;          /* copy of the raw target */
    const char *target_at; /* where libmicrohttpd had it (check.c) */
    strbuf body;           /* up to cfg.body_max */
    int started, state;
    struct call *next;     /* the worker queue */
} call;

struct serve {
    serve_config cfg;
    struct MHD_Daemon *daemon;
    int port;
    char *unix_path; /* removed at stop */

    pthread_mutex_t lock;
    pthread_cond_t work;
    call *head, *tail;
    unsigned queued;   /* requests in the queue */
    unsigned idle;     /* workers waiting for one */
    unsigned nthreads;
    int stopping;
    pthread_t *threads;
};

/* ---- the worker pool ----------------------------------------------------- */

static void answer(call *k)
{
    k->q.body = k->body.data ? k->body.data : "";
    k->q.body_len = k->body.len;
    k->s->cfg.handle(k->s->cfg.cls, &k->q);
}

static void *worker(void *arg)
{
    serve *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stopping) {
            s->idle++;
            pthread_cond_wait(&s->work, &s->lock);
            s->idle--;
        }
        call *k = s->head;
        if (!k)
            break; /* stopping, and nothing left to answer */
        s->head = k->next;
        if (!s->head)
            s->tail = NULL;
        s->queued--;
        pthread_mutex_unlock(&s->lock);
        answer(k);
        /* The event thread reads what answer() wrote after it sees the
         * resumed connection: MHD_resume_connection takes the daemon's
         * lock, which orders the two. */
        k->state = ANSWERED;
        MHD_resume_connection(k->q.conn);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Suspends the connection and queues its request; a new worker is started
 * when the queue holds more requests than there are idle workers to take
 * them (an idle worker that was signalled but has not yet woken still
 * counts as idle, so the queue length is what tells) and the maximum is not
 * reached. -1: stopping or no thread at all (the connection is then left as
 * it was). */
static int submit(serve *s, call *k)
{
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    /* Suspended before it is queued, under the lock, so no worker can
     * resume it before it is suspended. */
    if (!s->stopping && s->queued + 1 > s->idle && s->nthreads < s->cfg.workers_max &&
        pthread_create(&s->threads[s->nthreads], NULL, worker, s) == 0)
        s->nthreads++;
    if (s->stopping || s->nthreads == 0)
        rc = -1;
    if (rc == 0) {
        MHD_suspend_connection(k->q.conn);
        k->state = QUEUED;
        k->next = NULL;
        if (s->tail)
            s->tail->next = k;
        else
            s->head = k;
        s->tail = k;
        s->queued++;
        pthread_cond_signal(&s->work);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- libmicrohttpd callbacks ---------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    call *k = calloc(1, sizeof *k);
    if (k) {
        k->s = cls;
        k->target = strdup(uri ? uri : "");
        k->target_at = uri;
    }
    return k;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    call *k = *req_cls;
    if (!k)
        return;
    /* Bodies carry CSRF tokens and targets carry codes and states (C26). */
    strbuf_free(&k->body); /* wipes it */
    if (k->target)
        OPENSSL_cleanse(k->target, strlen(k->target));
    free(k->target);
    free(k);
    *req_cls = NULL;
}

static enum MHD_Result send_answer(struct MHD_Connection *c, call *k)
{
    if (!k->q.response)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, k->q.status, k->q.response);
    MHD_destroy_response(k->q.response);
    k->q.response = NULL;
    return ret;
}

/* A framing or syntax error: 400, and the connection closed after it
 * (nothing after an ambiguous request can be trusted to start a request). */
static enum MHD_Result refuse(serve *s, struct MHD_Connection *c, const char *why)
{
    static const char text[] = "Bad request\n";
    if (s->cfg.log)
        fprintf(s->cfg.log, "%s: refused a request: %s\n", s->cfg.name, why);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof text - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_BAD_REQUEST, r);
    MHD_destroy_response(r);
    return ret;
}

static void body_add(call *k, const char *p, size_t n)
{
    if (k->body.len + n > k->s->cfg.body_max) {
        k->q.body_too_big = 1;
        return;
    }
    strbuf_add(&k->body, p, n);
    if (!strbuf_ok(&k->body))
        k->q.body_too_big = 1; /* out of memory: the handler answers 413, not a crash */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    serve *s = cls;
    call *k = *req_cls;
    if (!k || !k->target)
        return MHD_NO;
    if (!k->started) {
        /* Headers only: check them before any body is read. An answer
         * queued here closes the connection (libmicrohttpd 0.9.75), which
         * is what a refusal wants; every other answer waits for the body. */
        k->started = 1;
        const char *path = url;
        const char *why = serve_check_request(c, method, url, version, k->target, k->target_at, &path);
        if (why)
            return refuse(s, c, why);
        k->q.conn = c;
        k->q.method = method;
        k->q.path = path;
        k->q.target = k->target;
        return MHD_YES;
    }
    if (*upload_size) {
        body_add(k, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->state == ANSWERED)
        return send_answer(c, k);
    if (k->state == QUEUED)
        return MHD_YES; /* not ours to answer yet */
    if (s->cfg.runs_inline && s->cfg.runs_inline(s->cfg.cls, method, k->q.path)) {
        k->q.on_event_thread = 1;
        answer(k);
        k->q.on_event_thread = 0;
        if (!k->q.defer)
            return send_answer(c, k);
        k->q.defer = 0;
        if (k->q.response)
            MHD_destroy_response(k->q.response);
        k->q.response = NULL;
    }
    if (submit(s, k) != 0)
        return MHD_NO; /* stopping, or no thread could start */
    return MHD_YES;
}

/* ---- start and stop ------------------------------------------------------- */

/* As many descriptors as the hard limit allows; the connection limit that
 * leaves. */
static unsigned raise_fd_limit(const serve_config *cfg)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024 - FD_RESERVE;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
        struct rlimit up = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = want;
    }
    rlim_t n = rl.rlim_cur == RLIM_INFINITY ? 1048576 : rl.rlim_cur;
    if (n > 1048576)
        n = 1048576;
    unsigned limit = n > FD_RESERVE * 2 ? (unsigned)(n - FD_RESERVE) : FD_RESERVE;
    if (cfg->log && limit < 10000)
        fprintf(cfg->log,
                "%s: the descriptor limit is %lu (hard limit %lu): at most %u connections "
                "at once (raise it with ulimit -Hn)\n",
                cfg->name, (unsigned long)n, (unsigned long)rl.rlim_max, limit);
    return limit;
}

/* Event threads: four per core, at most 16. Pages rendered on them (static
 * files, the app's home page) are CPU work, and a few more threads than
 * cores keep one briefly slow render (a local SQLite read that waits for
 * the disk) from holding everyone on its thread; on a shared machine they
 * also get the process its share of the cores. Measured: BENCHMARKS.md 9. */
static unsigned event_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    n = n < 1 ? 4 : n * 4;
    return n > 16 ? 16 : (unsigned)n;
}

serve *serve_start(const serve_config *cfg)
{
    serve *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->cfg.unix_path = NULL;
    if (cfg->unix_path && !(s->unix_path = strdup(cfg->unix_path))) {
        free(s);
        return NULL;
    }
    if (!s->cfg.workers_max)
        s->cfg.workers_max = 64;
    if (!s->cfg.timeout)
        s->cfg.timeout = 10;
    s->threads = calloc(s->cfg.workers_max, sizeof *s->threads);
    if (!s->threads) {
        free(s->unix_path);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    unsigned limit = raise_fd_limit(cfg);

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     (cfg->log ? MHD_USE_ERROR_LOG : 0);
    struct MHD_OptionItem where[2] = {
        cfg->listen_fd >= 0
            ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, cfg->listen_fd, NULL}
            : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)cfg->addr},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        MHD_OPTION_ARRAY, where,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->event_threads ? cfg->event_threads : event_threads(),
        MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
        MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        /* Its strict mode drops a space in the target without an answer;
         * check.c answers 400 to that and to what strict mode checks. */
        MHD_OPTION_STRICT_FOR_CLIENT, (int)0,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        fprintf(stderr, "%s: cannot start the HTTP server\n", cfg->name);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->work);
        free(s->threads);
        free(s->unix_path);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

int serve_port(const serve *s)
{
    return s->port;
}

void serve_stop(serve *s)
{
    if (!s)
        return;
    /* Workers finish what is queued (each resumes its connection), then
     * the daemon stops with nothing suspended. */
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    for (unsigned i = 0; i < s->nthreads; i++)
        pthread_join(s->threads[i], NULL);
    MHD_stop_daemon(s->daemon);
    if (s->unix_path) {
        unlink(s->unix_path);
        free(s->unix_path);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    free(s->threads);
    free(s);
}
