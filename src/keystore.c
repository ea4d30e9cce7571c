/* The client's JWKS cache (SECURITY.md A7).
 *
 * Readers only ever hold the mutex for a lookup. The network fetch runs
 * unlocked; a `fetching` flag makes it single-flight, so threads that miss
 * while a fetch is under way wait for its result instead of starting their
 * own. The set is replaced whole, and every key handed out carries its own
 * reference, so replacing it never pulls a key from under a verifier.
 *
 * Rate limit: the first fetch happens on first use. After that, a fetch is
 * made only for a miss (unknown kid, or no set because fetching failed), and
 * such refetches are at least `cooldown` seconds apart. So a key rotation is
 * picked up at once, and a flood of tokens with made-up kids costs at most
 * one request per cooldown. */
#include "internal.h"

#include <string.h>

struct kinde__keystore {
    pthread_mutex_t lock;
    pthread_cond_t fetched;        /* broadcast when a fetch ends */
    kinde__fetch_fn fetch;
    void *ctx;
    long cooldown;
    kinde__jwks *set;              /* NULL until a fetch succeeded */
    int fetching;
    int attempted;                 /* a first fetch was made (even if it failed) */
    int refetched;                 /* last_refetch is meaningful */
    int64_t last_refetch;
    unsigned long fetches;
    kinde_error last_error;        /* why the last fetch failed */
    int last_failed;
};

kinde__keystore *kinde__keystore_new(kinde__fetch_fn fetch, void *ctx, long cooldown_seconds)
{
    if (!fetch)
        return NULL;
    kinde__keystore *ks = kinde__calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    if (pthread_mutex_init(&ks->lock, NULL) != 0) {
        kinde__free(ks);
        return NULL;
    }
    if (pthread_cond_init(&ks->fetched, NULL) != 0) {
        pthread_mutex_destroy(&ks->lock);
        kinde__free(ks);
        return NULL;
    }
    ks->fetch = fetch;
    ks->ctx = ctx;
    ks->cooldown = cooldown_seconds > 1 ? cooldown_seconds : 1; /* never a fetch per miss (A7) */
    return ks;
}

void kinde__keystore_free(kinde__keystore *ks)
{
    if (!ks)
        return;
    kinde__jwks_free(ks->set);
    pthread_cond_destroy(&ks->fetched);
    pthread_mutex_destroy(&ks->lock);
    kinde__free(ks);
}

unsigned long kinde__keystore_fetches(kinde__keystore *ks)
{
    if (!ks)
        return 0;
    pthread_mutex_lock(&ks->lock);
    unsigned long n = ks->fetches;
    pthread_mutex_unlock(&ks->lock);
    return n;
}

/* Called and returns with ks->lock held; drops it around the fetch. */
static void fetch_locked(kinde__keystore *ks)
{
    ks->fetching = 1;
    ks->fetches++;
    if (ks->attempted) {
        ks->refetched = 1;
        ks->last_refetch = kinde__now();
    }
    ks->attempted = 1;
    pthread_mutex_unlock(&ks->lock);

    char *body = NULL;
    size_t len = 0;
    kinde_error ferr;
    memset(&ferr, 0, sizeof ferr);
    kinde__jwks *set = NULL;
    kinde_code rc = ks->fetch(ks->ctx, &body, &len, &ferr);
    if (rc == KINDE_OK) {
        rc = kinde__jwks_parse(body, len, &set, &ferr);
        kinde__free(body);
    }
    if (rc != KINDE_OK && ferr.code != rc)
        kinde__fail(&ferr, rc, NULL);

    pthread_mutex_lock(&ks->lock);
    kinde__jwks *old = NULL;
    if (rc == KINDE_OK) {
        old = ks->set;
        ks->set = set;
        ks->last_failed = 0;
    } else {
        /* The old set stays: a provider outage must not lock everyone out. */
        ks->last_error = ferr;
        ks->last_failed = 1;
    }
    ks->fetching = 0;
    pthread_cond_broadcast(&ks->fetched);
    kinde__jwks_free(old);
}

/* The last fetch's failure as the caller's error: out of memory stays that,
 * any other reason is a key set that could not be had. */
static kinde_code fetch_failure(const kinde__keystore *ks, kinde_error *err)
{
    const kinde_error *e = &ks->last_error;
    if (e->code == KINDE_E_NOMEM)
        return kinde__fail(err, KINDE_E_NOMEM, NULL);
    kinde_code rc = kinde__fail(err, KINDE_E_JWKS, "%s", e->text);
    if (err)
        err->http_status = e->http_status;
    return rc;
}

kinde_code kinde__keystore_get(kinde__keystore *ks, const char *kid, EVP_PKEY **key,
                               kinde_error *err)
{
    if (!ks || !key)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "keystore and key are required");
    *key = NULL;
    pthread_mutex_lock(&ks->lock);
    int fetched_here = 0;
    for (;;) {
        EVP_PKEY *found = NULL;
        if (ks->set && kinde__jwks_find(ks->set, kid, &found, NULL) == KINDE_OK) {
            EVP_PKEY_up_ref(found);
            pthread_mutex_unlock(&ks->lock);
            *key = found;
            return KINDE_OK;
        }
        if (ks->fetching) {
            /* Someone else is already asking: their answer is ours too. */
            while (ks->fetching)
                pthread_cond_wait(&ks->fetched, &ks->lock);
            fetched_here = 1;
            continue;
        }
        int may_fetch = !ks->attempted ||
                        (!fetched_here && (!ks->refetched ||
                                           kinde__now() - ks->last_refetch >= ks->cooldown));
        if (may_fetch) {
            fetch_locked(ks);
            fetched_here = 1;
            continue;
        }
        /* No fetch allowed (or one was just made): report the miss. */
        kinde_code rc;
        if (!ks->set)
            rc = fetch_failure(ks, err);
        else if (ks->last_failed)
            /* The kid may well be in the set that could not be fetched (a
             * rotation): say the set is unavailable, a failure that passes,
             * not that the token has no key. */
            rc = kinde__fail(err, KINDE_E_JWKS, "no key for kid '%.64s' in the cached set, "
                             "and refreshing the key set failed: %.120s",
                             kid ? kid : "(none)", ks->last_error.text);
        else
            /* The set's own words: which kid, or why no kid is ambiguous. */
            rc = kinde__jwks_find(ks->set, kid, &found, err);
        pthread_mutex_unlock(&ks->lock);
        return rc;
    }
}
