/* echo_upstream: the "app" behind nginx in kinde-gateway's end-to-end tests.
 * It answers every request 200 with a plain-text body that shows exactly
 * what reached it: the request line (method and the request target as sent,
 * raw, query included), then every header in the order received, one per
 * line, duplicates kept:
 *
 *   GET /admin/x?y=1
 *   Host: 127.0.0.1:8080
 *   X-Kinde-User-Id: kp_0ba7c433f3d54d1d
 *   ...
 *
 * Bytes outside printable ASCII (and '\') are written as \xNN, so a line
 * is always one header. With --log FILE it also appends "METHOD TARGET" for
 * each request, so a test can say that a request never reached the app.
 *
 *   usage: echo_upstream --ready-file FILE [--port N] [--log FILE]
 *
 * Listens on 127.0.0.1 (port 0 by default: any free port, written to the
 * ready file once listening). Stops on SIGINT/SIGTERM. */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one request accumulates between MHD's calls. */
struct exchange {
    char *target; /* the request target as sent (MHD's URI log callback) */
    int headers_seen; /* MHD's first call: the headers, before any body */
    size_t body_bytes;
};

struct text {
    char *p;
    size_t len, cap;
};

static FILE *request_log;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static int text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return -1;
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
    return 0;
}

/* Printable ASCII as is; everything else, and '\', as \xNN: a header value
 * with a CR or a NUL in it must show up, not split or end the line. */
static int text_add_escaped(struct text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            if (text_add(t, (const char *)&c, 1) != 0)
                return -1;
        } else {
            char esc[5];
            snprintf(esc, sizeof esc, "\\x%02x", c);
            if (text_add(t, esc, 4) != 0)
                return -1;
        }
    }
    return 0;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    struct text *t = cls;
    (void)kind;
    if (text_add_escaped(t, key, key_size) != 0 || text_add(t, ": ", 2) != 0 ||
        text_add_escaped(t, value ? value : "", value ? value_size : 0) != 0 ||
        text_add(t, "\n", 1) != 0)
        return MHD_NO;
    return MHD_YES;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    (void)connection;
    struct exchange *x = calloc(1, sizeof *x);
    if (x)
        x->target = strdup(uri ? uri : "");
    return x;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    struct exchange *x = *req_cls;
    if (x) {
        free(x->target);
        free(x);
    }
    *req_cls = NULL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    (void)upload_data;
    struct exchange *x = *req_cls;
    if (!x || !x->target)
        return MHD_NO;
    /* A body (a POST through nginx) is read and counted, not shown. The
     * answer goes once MHD calls with nothing more to read. */
    if (!x->headers_seen) {
        x->headers_seen = 1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        x->body_bytes += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }

    struct text t = {0};
    char line[64];
    snprintf(line, sizeof line, "\nbody-bytes: %zu\n", x->body_bytes);
    if (text_add_escaped(&t, method, strlen(method)) != 0 || text_add(&t, " ", 1) != 0 ||
        text_add_escaped(&t, x->target, strlen(x->target)) != 0 || text_add(&t, "\n", 1) != 0 ||
        MHD_get_connection_values_n(connection, MHD_HEADER_KIND, add_header, &t) < 0 ||
        text_add(&t, line, strlen(line)) != 0) {
        free(t.p);
        return MHD_NO;
    }
    if (request_log) {
        struct text l = {0};
        if (text_add_escaped(&l, method, strlen(method)) == 0 && text_add(&l, " ", 1) == 0 &&
            text_add_escaped(&l, x->target, strlen(x->target)) == 0 && text_add(&l, "\n", 1) == 0) {
            pthread_mutex_lock(&log_lock);
            fputs(l.p, request_log);
            fflush(request_log);
            pthread_mutex_unlock(&log_lock);
        }
        free(l.p);
    }

    struct MHD_Response *res = MHD_create_response_from_buffer(t.len, t.p, MHD_RESPMEM_MUST_FREE);
    if (!res) {
        free(t.p);
        return MHD_NO;
    }
    MHD_add_response_header(res, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(res, "Cache-Control", "no-store");
    enum MHD_Result r = MHD_queue_response(connection, MHD_HTTP_OK, res);
    MHD_destroy_response(res);
    return r;
}

static void usage(void)
{
    fputs("usage: echo_upstream --ready-file FILE [--port N] [--log FILE]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *ready = NULL, *log_path = NULL;
    long port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--ready-file") == 0 && i + 1 < argc) {
            ready = argv[++i];
        } else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
            log_path = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535)
                usage();
        } else {
            usage();
        }
    }
    if (!ready)
        usage();
    if (log_path && !(request_log = fopen(log_path, "a"))) {
        perror(log_path);
        return 2;
    }

    /* Block the stop signals in every thread MHD starts; main waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        fputs("echo_upstream: cannot listen on 127.0.0.1\n", stderr);
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    FILE *f = info ? fopen(ready, "w") : NULL;
    if (!f || fprintf(f, "%u\n", (unsigned)info->port) < 0 || fclose(f) != 0) {
        fputs("echo_upstream: cannot write the ready file\n", stderr);
        MHD_stop_daemon(d);
        return 2;
    }
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    if (request_log)
        fclose(request_log);
    return 0;
}
