/* idle_flood: what a page view costs while N connections sit on a server
 * doing nothing useful (issue 11, item 1).
 *
 *   usage: bench_idle_flood PORT N SECONDS PATH [COOKIE]
 *
 * Holds N connections to 127.0.0.1:PORT: half send nothing at all, half
 * send a request's first line and then one header line every 5 seconds and
 * never finish it (a slowloris). A connection the server closes is opened
 * again at once, so N stay held the whole time. Once all N are open, a
 * second thread views PATH (with "Cookie: COOKIE") for SECONDS, one request
 * at a time, each on a fresh connection as a new visitor's would be, and the
 * latency of each is recorded from connect to the last byte of the answer.
 * Prints one line:
 *   held=N reopened=R views=V failed=F p50_ms=.. p99_ms=.. max_ms=..
 * A view fails when it gets no complete 200 within 5 seconds. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "timing.h"

#define VIEW_TIMEOUT_MS 5000
#define TRICKLE_EVERY_S 5.0

static int port;
static const char *path, *cookie;
static volatile int probing_done;

static struct sockaddr_in server_addr(void)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* ---- the held connections ------------------------------------------------- */

typedef struct held {
    int fd;
    int trickle;
    int started; /* the request line is sent */
    double next; /* when the next header line is due */
} held;

static int open_held(held *h, int ep)
{
    struct sockaddr_in a = server_addr();
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (h->fd < 0)
        return -1;
    if (connect(h->fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(h->fd);
        h->fd = -1;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLIN, .data.ptr = h};
    epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev);
    h->started = 0;
    h->next = (bench_now_us() / 1e6) + (h->trickle ? 0.5 : 1e18);
    return 0;
}

/* ---- the visitor ---------------------------------------------------------- */

/* One view on a fresh connection; seconds taken, or -1 when it failed. */
static double view(void)
{
    double t0 = (bench_now_us() / 1e6);
    struct sockaddr_in a = server_addr();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {VIEW_TIMEOUT_MS / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char req[8192];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%s%s\r\n", path,
                     port, cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || send(fd, req, (size_t)n, 0) != n) {
        close(fd);
        return -1;
    }
    static __thread char buf[1 << 17];
    size_t got = 0;
    long want = -1;
    int ok = 0;
    while (got < sizeof buf - 1) {
        ssize_t k = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (k <= 0)
            break;
        got += (size_t)k;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        if (want < 0) {
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            if (!cl || cl > end)
                break;
            want = (end + 4 - buf) + strtol(cl + 17, NULL, 10);
        }
        if ((long)got >= want) {
            ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
            break;
        }
    }
    close(fd);
    return ok ? (bench_now_us() / 1e6) - t0 : -1;
}

typedef struct probe_result {
    double seconds;
    double *lat;
    size_t n, cap, failed;
} probe_result;

static void *probe(void *arg)
{
    probe_result *r = arg;
    double end = (bench_now_us() / 1e6) + r->seconds;
    while ((bench_now_us() / 1e6) < end) {
        double t = view();
        if (t < 0) {
            r->failed++;
            continue;
        }
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 4096;
            r->lat = realloc(r->lat, r->cap * sizeof *r->lat);
            if (!r->lat)
                exit(1);
        }
        r->lat[r->n++] = t;
    }
    probing_done = 1;
    return NULL;
}


int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_idle_flood PORT N SECONDS PATH [COOKIE]\n");
        return 2;
    }
    char *e1, *e2, *e3;
    long port_arg = strtol(argv[1], &e1, 10);
    long n_arg = strtol(argv[2], &e2, 10);
    double seconds = strtod(argv[3], &e3);
    if (*e1 || *e2 || *e3 || port_arg < 1 || port_arg > 65535 || n_arg < 0 || n_arg > 1000000 ||
        seconds <= 0) {
        fprintf(stderr, "idle_flood: PORT 1-65535, N 0-1000000, SECONDS > 0\n");
        return 2;
    }
    port = (int)port_arg;
    int n = (int)n_arg;
    path = argv[4];
    cookie = argc > 5 ? argv[5] : NULL;

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n + 64) {
        fprintf(stderr, "idle_flood: %d connections need a descriptor limit of %d (have %lu)\n", n,
                n + 64, (unsigned long)rl.rlim_cur);
        return 2;
    }

    int ep = epoll_create1(0);
    held *hs = calloc((size_t)n, sizeof *hs);
    if (ep < 0 || !hs) {
        free(hs);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        hs[i].trickle = i % 2;
        if (open_held(&hs[i], ep) != 0) {
            fprintf(stderr, "idle_flood: connection %d: %s\n", i, strerror(errno));
            free(hs);
            return 1;
        }
    }
    /* Let the server accept them all before the first view. */
    sleep(1);

    probe_result r = {.seconds = seconds};
    pthread_t t;
    pthread_create(&t, NULL, probe, &r);
    long reopened = 0;
    struct epoll_event evs[256];
    while (!probing_done) {
        int k = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < k; i++) {
            held *h = evs[i].data.ptr;
            char sink[4096];
            ssize_t got = recv(h->fd, sink, sizeof sink, 0);
            if (got > 0 && !(evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                continue; /* an answer (a timeout's 408, say): the close follows */
            epoll_ctl(ep, EPOLL_CTL_DEL, h->fd, NULL);
            close(h->fd);
            if (open_held(h, ep) == 0)
                reopened++;
        }
        double now = (bench_now_us() / 1e6);
        for (int i = 0; i < n; i++) {
            held *h = &hs[i];
            if (h->fd < 0 || now < h->next)
                continue;
            /* The first line once, then a header line every few seconds. */
            const char *line = h->started ? "X-Slow: 1\r\n" : "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            h->started = 1;
            send(h->fd, line, strlen(line), MSG_NOSIGNAL);
            h->next = now + TRICKLE_EVERY_S;
        }
    }
    pthread_join(t, NULL);

    int held_now = 0;
    for (int i = 0; i < n; i++) {
        if (hs[i].fd >= 0) {
            struct pollfd p = {hs[i].fd, POLLRDHUP, 0};
            if (poll(&p, 1, 0) == 0)
                held_now++;
        }
    }
    qsort(r.lat, r.n, sizeof *r.lat, bench_cmp_double);
    double p50 = r.n ? r.lat[r.n / 2] : 0, p99 = r.n ? r.lat[(size_t)((double)r.n * 0.99)] : 0;
    double mx = r.n ? r.lat[r.n - 1] : 0;
    printf("held=%d reopened=%ld views=%zu failed=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
           held_now, reopened, r.n, r.failed, p50 * 1e3, p99 * 1e3, mx * 1e3);
    free(r.lat);
    free(hs);
    return 0;
}
