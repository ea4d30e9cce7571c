/* --state FILE: what a restart would otherwise forget and a real Kinde
 * keeps: authorization codes, refresh tokens (with their rotation state),
 * browser sessions, pending sign-in forms and revoked access-token ids. Read
 * at start; written after every request that changed them, whole, to a
 * private (0600) temporary file renamed over FILE, so FILE is always one
 * complete state. The signing key already persists in --data-dir. */
#include "emulator.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tables kept, by their name in the file. */
static json_t **table(size_t i, const char **name)
{
    static const char *const names[] = {"codes", "refresh", "sessions", "requests", "revoked_jti"};
    json_t **tables[] = {&emu.codes, &emu.refresh, &emu.sessions, &emu.requests, &emu.revoked_jti};
    if (i >= sizeof names / sizeof *names)
        return NULL;
    *name = names[i];
    return tables[i];
}

static char *last_dump;          /* what was last handed out to write; lock held */
static unsigned long dumps;      /* its generation; lock held */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long written;    /* the newest generation on disk; write_lock */

int emu_write_private(const char *path, const char *text)
{
    char tmp[600];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text), off = 0;
    int ok = fchmod(fd, 0600) == 0; /* an older, laxer temporary file */
    while (ok && off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        off += ok ? (size_t)n : 0;
    }
    ok &= close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int emu_state_load(const char *path, char *why, size_t whylen)
{
    if (access(path, F_OK) != 0)
        return 0; /* the first start: nothing kept yet */
    json_error_t jerr;
    json_t *all = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(all)) {
        snprintf(why, whylen, "%s: %s", path, all ? "not a JSON object" : jerr.text);
        json_decref(all);
        return -1;
    }
    const char *name;
    json_t **t;
    for (size_t i = 0; (t = table(i, &name)); i++) {
        json_t *v = json_object_get(all, name);
        if (v && !json_is_object(v)) {
            snprintf(why, whylen, "%s: '%s' is not an object", path, name);
            json_decref(all);
            return -1;
        }
        if (v) {
            json_decref(*t);
            *t = json_incref(v);
        }
    }
    json_decref(all);
    return 0;
}

char *emu_state_dump(unsigned long *generation)
{
    if (!emu.cfg.state_file)
        return NULL;
    json_t *all = json_object();
    const char *name;
    json_t **t;
    for (size_t i = 0; (t = table(i, &name)); i++)
        json_object_set(all, name, *t);
    char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    if (!text || (last_dump && strcmp(text, last_dump) == 0)) {
        free(text);
        return NULL; /* unchanged (or no memory: the next change writes it) */
    }
    free(last_dump);
    last_dump = strdup(text);
    *generation = ++dumps;
    return text;
}

void emu_state_write(char *text, unsigned long generation)
{
    if (!text)
        return;
    /* Dumps are numbered under emu.lock; an older one that reaches here
     * after a newer one was written is dropped, so the file only moves
     * forward. */
    pthread_mutex_lock(&write_lock);
    if (generation > written) {
        if (emu_write_private(emu.cfg.state_file, text) == 0)
            written = generation;
        else
            fprintf(stderr, "kinde-emulator: cannot write %s: %s\n", emu.cfg.state_file,
                    strerror(errno));
    }
    pthread_mutex_unlock(&write_lock);
    free(text);
}

void emu_state_free(void)
{
    free(last_dump);
    last_dump = NULL;
}
