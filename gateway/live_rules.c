/* The rules in use, and their replacement on SIGHUP. A request holds the
 * read side of rules_lock from matching to the last use of the rule it
 * matched; a reload parses the new file first (no lock), then swaps under
 * the write side, so no request ever sees rules being freed, and a file that
 * does not parse never replaces anything (SECURITY.md G45). */
/* pthread_rwlockattr_setkind_np (writer preference) is a GNU extension. */
#define _GNU_SOURCE
#include <string.h>

#include "gateway.h"

void gw_init(gateway *g, gw_rules *rules)
{
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* A reload must not wait behind an endless stream of auth requests. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&g->rules_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    g->rules = rules;
    g->prefix_len = strlen(g->prefix);
}

void gw_destroy(gateway *g)
{
    gw_rules_free(g->rules);
    g->rules = NULL;
    pthread_rwlock_destroy(&g->rules_lock);
}

void gw_rules_replace(gateway *g, gw_rules *rules)
{
    pthread_rwlock_wrlock(&g->rules_lock);
    gw_rules *old = g->rules;
    g->rules = rules;
    pthread_rwlock_unlock(&g->rules_lock);
    gw_rules_free(old);
}

int gw_rules_reload(gateway *g)
{
    if (!g->rules_file) {
        web_log(&g->site, "SIGHUP: no --rules file, nothing to reload");
        return 1;
    }
    char err[512] = "";
    gw_rules *rules = gw_rules_load(g->rules_file, err, sizeof err);
    if (!rules) {
        web_count(&g->metrics.reloads_failed);
        web_log(&g->site, "rules not reloaded, the old ones stay: %s", err);
        return -1;
    }
    size_t n = gw_rules_count(rules);
    gw_rules_replace(g, rules);
    web_count(&g->metrics.reloads_ok);
    web_log(&g->site, "rules reloaded from %s: %zu rules", g->rules_file, n);
    return 0;
}

size_t gw_rules_in_use(gateway *g)
{
    pthread_rwlock_rdlock(&g->rules_lock);
    size_t n = gw_rules_count(g->rules);
    pthread_rwlock_unlock(&g->rules_lock);
    return n;
}

static int segment_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

int gw_prefix_ok(const char *p)
{
    size_t len = strlen(p);
    if (len < 3 || len > GW_PREFIX_MAX || p[0] != '/' || p[len - 1] != '/')
        return 0;
    /* Each segment between two slashes: non-empty, not . or .., plain. */
    for (const char *s = p + 1; *s;) {
        const char *e = strchr(s, '/');
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!segment_char(s[i]))
                return 0;
        s = e + 1;
    }
    return 1;
}
