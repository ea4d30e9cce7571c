/* A Unix-domain listening socket for serve (serve.h): what nginx reaches
 * kinde-gateway through on one machine, without loopback TCP's per-request
 * kernel work (BENCHMARKS.md item 10). */
#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A socket file left by a process that is gone is removed; one a live
 * process still listens on, or any other kind of file, is never touched. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket (left alone)", path);
        return -1;
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int live = connect(probe, (struct sockaddr *)&a, sizeof a) == 0;
    int why = errno;
    close(probe);
    if (live) {
        snprintf(err, errlen, "%s: another process is listening there", path);
        return -1;
    }
    if (why != ECONNREFUSED) {
        snprintf(err, errlen, "%s: %s", path, strerror(why));
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove the stale socket %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int serve_listen_unix(const char *path, unsigned mode, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof a.sun_path) {
        snprintf(err, errlen, "unix socket path must be 1 to %zu bytes", sizeof a.sun_path - 1);
        return -1;
    }
    memcpy(a.sun_path, path, len + 1);
    if (clear_stale(path, err, errlen) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* bind creates the file under the umask (0600 from web_app_open_store's
     * 077): never wider than asked, widened to mode only after. */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (chmod(path, (mode_t)mode) != 0 || listen(fd, 4096) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(path);
        close(fd);
        return -1;
    }
    return fd;
}
