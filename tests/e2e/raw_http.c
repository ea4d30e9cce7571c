/* raw_http: sends bytes exactly as given to a server on 127.0.0.1 and says
 * what came back, for the hostile-request table of http_test.sh (curl
 * cannot send a NUL, a bare CR or two Content-Lengths).
 *
 *   usage: raw_http PORT WAIT_MS < request-bytes
 *
 * Writes every byte of stdin, never half-closes (a server must decide on
 * what it has), then reads until the server closes or WAIT_MS pass with
 * nothing new. Prints the status of each response in order, then "closed"
 * or "open":  "400 closed", "200 200 open", "none open" (no answer). Bodies
 * are skipped by their Content-Length, so a pipelined second response is
 * counted as its own. Exit 0 when it could talk to the server, 2 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_IN (1u << 20)
#define MAX_OUT (1u << 20)

static size_t read_all(unsigned char *p, size_t cap)
{
    size_t n = 0;
    ssize_t k;
    while (n < cap && (k = read(0, p + n, cap - n)) > 0)
        n += (size_t)k;
    return n;
}

/* The value of Content-Length in a response head, 0 when absent. */
static size_t content_length(const char *head, size_t len)
{
    const char *p = head;
    const char *end = head + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            break;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
            return (size_t)strtoul(p + 15, NULL, 10);
        p = eol + 1;
    }
    return 0;
}

/* Prints the status of each complete response in buf. */
static int print_statuses(const char *buf, size_t len)
{
    size_t at = 0;
    int count = 0;
    while (at + 12 <= len && strncmp(buf + at, "HTTP/1.", 7) == 0) {
        const char *status = buf + at + 9;
        const char *headend = NULL;
        for (size_t i = at; i + 3 < len; i++)
            if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
                headend = buf + i + 4;
                break;
            }
        printf("%s%.3s", count ? " " : "", status);
        count++;
        if (!headend)
            break;
        size_t body = content_length(buf + at, (size_t)(headend - (buf + at)));
        int no_body = strncmp(status, "304", 3) == 0 || strncmp(status, "1", 1) == 0;
        at = (size_t)(headend - buf) + (no_body ? 0 : body);
    }
    return count;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: raw_http PORT WAIT_MS < request-bytes\n");
        return 2;
    }
    char *end1, *end2;
    long port = strtol(argv[1], &end1, 10);
    long wait_ms = strtol(argv[2], &end2, 10);
    if (*end1 || *end2 || port < 1 || port > 65535 || wait_ms < 0 || wait_ms > 600000) {
        fprintf(stderr, "raw_http: PORT is 1-65535, WAIT_MS 0-600000\n");
        return 2;
    }
    static unsigned char in[MAX_IN];
    static char out[MAX_OUT];
    size_t in_len = read_all(in, sizeof in);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("raw_http: connect");
        return 2;
    }
    /* The server may answer and close before it has read everything (an
     * over-long line): a failed write is not an error here. */
    size_t sent = 0;
    while (sent < in_len) {
        ssize_t k = send(fd, in + sent, in_len - sent, MSG_NOSIGNAL);
        if (k <= 0)
            break;
        sent += (size_t)k;
    }
    size_t got = 0;
    int closed = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t k = recv(fd, out + got, sizeof out - 1 - got, 0);
        if (k <= 0) {
            closed = 1; /* EOF or reset: either way the server ended it */
            break;
        }
        got += (size_t)k;
        if (got == sizeof out - 1)
            break;
    }
    close(fd);
    if (!print_statuses(out, got))
        printf("none");
    printf(" %s\n", closed ? "closed" : "open");
    return 0;
}
