/* A webhook receiver for tests/emulator/mgmt_test.sh: listens on a free
 * loopback port (written to READY_FILE), and saves each request it gets,
 * headers and body as received, to OUT_DIR/1.req, 2.req, ... The first
 * FAIL requests are answered 500 (to see the emulator retry), the others
 * 200. Runs until killed.
 *
 * usage: webhook_sink READY_FILE OUT_DIR [FAIL] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUEST (256 * 1024)

/* Reads one request (headers, then Content-Length bytes of body) into buf;
 * returns its length, or -1. */
static long read_request(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    long want = -1;
    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        if (want < 0) {
            buf[len < cap ? len : cap - 1] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            long body = 0;
            for (char *h = strstr(buf, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
                if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
                    body = strtol(h + 17, NULL, 10);
            want = (long)(end + 4 - buf) + body;
        }
        if (want >= 0 && (long)len >= want)
            return (long)len;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: webhook_sink READY_FILE OUT_DIR [FAIL]\n");
        return 2;
    }
    long fail = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t alen = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        perror("webhook_sink");
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s.tmp", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0 || rename(path, argv[1]) != 0) {
        perror("webhook_sink: ready file");
        return 1;
    }
    static char buf[MAX_REQUEST + 1];
    for (long n = 1;; n++) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        long len = read_request(c, buf, MAX_REQUEST);
        if (len > 0) {
            snprintf(path, sizeof path, "%s/%ld.req", argv[2], n);
            f = fopen(path, "wb");
            if (f) {
                fwrite(buf, 1, (size_t)len, f);
                fclose(f);
            }
        }
        const char *answer = n <= fail ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                       : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, answer, strlen(answer)) < 0)
            perror("webhook_sink: write");
        close(c);
    }
}
