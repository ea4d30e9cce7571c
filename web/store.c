#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

store *store_open(const char *spec, const char *data_dir, long timeout_ms, char *err,
                  size_t errlen)
{
    if (!spec || strcmp(spec, "sqlite") == 0) {
        const char *dir = data_dir ? data_dir : ".";
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create data directory %s: %s", dir, strerror(errno));
            return NULL;
        }
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/sessions.db", dir) >= sizeof path) {
            snprintf(err, errlen, "data directory path too long");
            return NULL;
        }
        return store_sqlite_open(path, timeout_ms, err, errlen);
    }
    if (strncmp(spec, "redis://", 8) == 0)
        return store_redis_open(spec, timeout_ms, err, errlen);
    snprintf(err, errlen, "unknown session store '%s' (sqlite or redis://host:port)", spec);
    return NULL;
}

void store_error_set(store_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}
