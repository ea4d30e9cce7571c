/* serve: the serving model of the demo app and the emulator, on
 * libmicrohttpd (docs/design.md, "Serving model").
 *
 * A few event threads (epoll, four per core) read and write every
 * connection, so idle and trickling sockets cost a little memory each and no
 * thread. A request is checked against RFC 9112's framing rules before
 * anything else (check.c: refused with 400 and a closed connection), its
 * body collected up to a cap, then answered on the event thread if the
 * handler can do so without waiting, else handed to a worker pool while its
 * connection is suspended: whatever the handler waits for (Kinde, the
 * session store, an injected delay) holds a worker, never an event thread.
 * Workers are started on demand up to a maximum, so one slow request never
 * waits for another. The handler builds a libmicrohttpd response; the event
 * thread sends it once the connection is resumed. */
#ifndef KINDE_SERVE_H
#define KINDE_SERVE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

struct MHD_Connection;
struct MHD_Response;

/* One request, as the handler sees it. The strings live until the
 * response is sent. */
typedef struct serve_request {
    struct MHD_Connection *conn; /* for header and cookie lookups */
    const char *method;
    const char *path;   /* percent-decoded path, no query (origin-form) */
    const char *target; /* the raw request target, query included */
    const char *body;   /* "" when there is none */
    size_t body_len;
    int body_too_big;   /* more than body_max was sent (the rest dropped) */

    /* Set by serve: the handler runs on an event thread (runs_inline said
     * it may), where it must not wait. */
    int on_event_thread;

    /* Set by the handler: the answer. A NULL response closes the
     * connection without one. Or, on an event thread, defer = 1: this
     * request may wait after all; it is answered again on a worker. */
    unsigned status;
    struct MHD_Response *response;
    int defer;
} serve_request;

typedef void serve_handler(void *cls, serve_request *q);

typedef struct serve_config {
    const char *name;        /* for log lines ("kinde-webapp") */
    FILE *log;               /* refusals and limits; NULL: quiet */
    int listen_fd;           /* a listening socket (closed by serve_stop), or -1 */
    const char *unix_path;   /* listen_fd's socket file, removed by serve_stop; or NULL */
    const struct sockaddr *addr; /* else the address to listen on */
    size_t body_max;         /* bodies beyond this set body_too_big */
    unsigned workers_max;    /* 0: 64 */
    unsigned event_threads;  /* 0: four per core, at most 16 */
    unsigned timeout;        /* seconds a connection may stay silent; 0: 10 */
    serve_handler *handle;
    /* Whether a request may be tried on the event thread (the handler can
     * still defer it to a worker). NULL: every request goes to a worker. */
    int (*runs_inline)(void *cls, const char *method, const char *path);
    void *cls;
} serve_config;

typedef struct serve serve;

/* Starts the event threads; NULL (with a line on stderr) on failure. Raises
 * RLIMIT_NOFILE to its hard limit first (logged when that is low). */
serve *serve_start(const serve_config *cfg);
/* The port listened on. */
int serve_port(const serve *s);
/* Finishes the requests in the workers, then stops. */
void serve_stop(serve *s);

/* listen_unix.c: a listening Unix-domain socket at path, file mode mode
 * (e.g. 0660: the owner and its group, nginx's). A socket file left there by
 * a process that is gone is replaced; a live one, or another kind of file,
 * is refused. The descriptor, or -1 with the reason in err. */
int serve_listen_unix(const char *path, unsigned mode, char *err, size_t errlen);

/* check.c: RFC 9112 framing and syntax of a request whose headers are in
 * (called before any body is read). NULL when fine, else why it is refused
 * (a 400 and a closed connection). method, url and version are as
 * libmicrohttpd gives them to the access handler; raw_target is the
 * target as its URI log callback saw it, and raw_target_at that pointer. */
const char *serve_check_request(struct MHD_Connection *c, const char *method, const char *url,
                                const char *version, const char *raw_target,
                                const char *raw_target_at, const char **path);

#endif
