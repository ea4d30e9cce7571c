#include "session_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* Locks shared by the slots: enough that threads answering different
 * browsers seldom wait for each other, few enough to stay small. */
#define STRIPES 64

struct session_cache_entry {
    unsigned refs;      /* the slot's one, and each request's (atomic) */
    char *key;
    char *sealed;
    size_t sealed_len;
    web_record rec;
    kinde_session *ks;
};

struct session_cache {
    size_t nslots;
    session_cache_entry **slots;
    pthread_mutex_t locks[STRIPES];
    unsigned long hits, misses; /* atomic */
};

session_cache *session_cache_new(size_t slots)
{
    if (slots == 0)
        slots = SESSION_CACHE_DEFAULT_SLOTS;
    if (slots > SESSION_CACHE_MAX_SLOTS)
        slots = SESSION_CACHE_MAX_SLOTS;
    session_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->slots = calloc(slots, sizeof(session_cache_entry *));
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->nslots = slots;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

static void entry_free(session_cache_entry *e)
{
    if (e->sealed)
        OPENSSL_cleanse(e->sealed, e->sealed_len);
    free(e->sealed);
    free(e->key);
    record_free(&e->rec);
    kinde_session_free(e->ks);
    free(e);
}

void session_cache_release(session_cache_entry *e)
{
    if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
        entry_free(e);
}

void session_cache_free(session_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nslots; i++)
        session_cache_release(c->slots[i]);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->slots);
    free(c);
}

/* The keys are "s:" + a hex HMAC (session.c): any bytes of them spread well. */
static size_t slot_of(const session_cache *c, const char *key)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % c->nslots);
}

static pthread_mutex_t *lock_of(session_cache *c, size_t slot)
{
    return &c->locks[slot % STRIPES];
}

static char *copy_bytes(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* A copy of r the caller owns (record_free). -1 out of memory. */
static int record_copy(const web_record *r, web_record *out)
{
    *out = *r;
    out->kinde = NULL;
    out->profile = NULL;
    if (r->kinde && !(out->kinde = copy_bytes(r->kinde, r->kinde_len)))
        return -1;
    if (r->profile && !(out->profile = copy_bytes(r->profile, r->profile_len))) {
        record_free(out);
        return -1;
    }
    return 0;
}

int session_cache_get(session_cache *c, const char *key, const char *sealed, size_t len,
                      web_record *rec, kinde_session **ks, session_cache_entry **held)
{
    size_t slot = slot_of(c, key);
    pthread_mutex_t *lock = lock_of(c, slot);
    pthread_mutex_lock(lock);
    session_cache_entry *e = c->slots[slot];
    /* memcmp, not a constant-time compare (4 % of the gateway's time,
     * measured): both sides are what the store holds, sealed, never
     * anything a browser sent. */
    int same = e && strcmp(e->key, key) == 0 && e->sealed_len == len &&
               memcmp(e->sealed, sealed, len) == 0;
    if (same)
        __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(lock);
    if (!same) {
        __atomic_add_fetch(&c->misses, 1, __ATOMIC_RELAXED);
        return 0;
    }
    /* Copied outside the lock: the entry cannot change, only be replaced. */
    if (record_copy(&e->rec, rec) != 0) {
        session_cache_release(e);
        return -1;
    }
    __atomic_add_fetch(&c->hits, 1, __ATOMIC_RELAXED);
    *ks = e->ks;
    *held = e;
    return 1;
}

int session_cache_put(session_cache *c, const char *key, const char *sealed, size_t len,
                      const web_record *rec, kinde_session *ks, session_cache_entry **held)
{
    *held = NULL;
    session_cache_entry *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->key = strdup(key);
    e->sealed = copy_bytes(sealed, len);
    e->sealed_len = len;
    if (!e->key || !e->sealed || record_copy(rec, &e->rec) != 0) {
        entry_free(e); /* ks not yet its own */
        return -1;
    }
    e->ks = ks;
    e->refs = 2; /* the slot's and the caller's */
    size_t slot = slot_of(c, key);
    pthread_mutex_t *lock = lock_of(c, slot);
    pthread_mutex_lock(lock);
    session_cache_entry *old = c->slots[slot];
    c->slots[slot] = e;
    pthread_mutex_unlock(lock);
    session_cache_release(old);
    *held = e;
    return 0;
}

void session_cache_drop(session_cache *c, const char *key)
{
    size_t slot = slot_of(c, key);
    pthread_mutex_t *lock = lock_of(c, slot);
    pthread_mutex_lock(lock);
    session_cache_entry *e = c->slots[slot];
    if (e && strcmp(e->key, key) == 0)
        c->slots[slot] = NULL;
    else
        e = NULL;
    pthread_mutex_unlock(lock);
    session_cache_release(e);
}

size_t session_cache_count(session_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nslots; i++) {
        pthread_mutex_t *lock = lock_of(c, i);
        pthread_mutex_lock(lock);
        n += c->slots[i] != NULL;
        pthread_mutex_unlock(lock);
    }
    return n;
}

void session_cache_stats(session_cache *c, unsigned long *hits, unsigned long *misses)
{
    *hits = __atomic_load_n(&c->hits, __ATOMIC_RELAXED);
    *misses = __atomic_load_n(&c->misses, __ATOMIC_RELAXED);
}
