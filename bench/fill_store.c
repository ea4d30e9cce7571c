/* Item 7: fills the web app's session store with signed-in sessions, and
 * times lookups in it.
 *
 * The store is filled through the app's own store code (store.h) with the
 * app's own record format (record.h): the record of a real sign-in (the
 * template, made by signing in through the emulator) is copied under fresh
 * session ids, with created/seen set to now so the app neither expires them
 * nor rewrites them on first use. Ids already in IDS_FILE count; new ids are
 * appended there, so 1 -> 10,000 -> 100,000 adds 9,999 then 90,000.
 * Then LOOKUPS store_get() calls for ids drawn at random from IDS_FILE.
 * Prints: stored fill_seconds lookup_p50_us lookup_p99_us
 *   usage: fill_store SPEC DATA_DIR TEMPLATE_ID TARGET IDS_FILE LOOKUPS
 *          SPEC: sqlite | redis://127.0.0.1:PORT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"
#include "seal.h"
#include "store.h"
#include "timing.h"

/* As web/session.c names a record: "s:" + hex HMAC of the id. */
static void storage_key(const web_seal_key *seal, const char *id, char key[80])
{
    char hex[SEAL_ID_HEX_SIZE];
    seal_id(seal, id, hex);
    snprintf(key, 80, "s:%s", hex);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: fill_store SPEC DATA_DIR TEMPLATE_ID TARGET IDS_FILE LOOKUPS\n");
        return 2;
    }
    long target = strtol(argv[4], NULL, 10), lookups = strtol(argv[6], NULL, 10);
    char err[256];
    store *st = store_open(argv[1], argv[2], 0, err, sizeof err);
    if (!st)
        return fprintf(stderr, "store: %s\n", err), 1;
    /* The app's server key (DATA_DIR/session.key): records are stored
     * sealed, under the HMAC of their id (web/seal.h). */
    char key_path[4200];
    snprintf(key_path, sizeof key_path, "%s/session.key", argv[2]);
    web_seal_key seal;
    if (seal_key_load(getenv("KINDE_WEBAPP_SESSION_KEY"), key_path, &seal, err, sizeof err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    char key[80], *data = NULL, *plain = NULL;
    size_t len = 0, plain_len = 0;
    storage_key(&seal, argv[3], key);
    if (store_get(st, key, &data, &len, NULL) != 1)
        return fprintf(stderr, "template session %s not in the store\n", key), 1;
    web_record rec;
    if (seal_open(&seal, key, data, len, &plain, &plain_len) != 0 ||
        record_decode(plain, plain_len, &rec) != 0 || !rec.signed_in)
        return fprintf(stderr, "template record is not a signed-in session\n"), 1;
    free(data);
    free(plain);
    rec.created = rec.seen = (int64_t)time(NULL);
    strbuf b;
    strbuf_init(&b);
    record_encode(&rec, &b);
    if (!strbuf_ok(&b))
        return 1;

    /* ids already stored */
    long have = 0;
    char line[128];
    FILE *f = fopen(argv[5], "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            have++;
        fclose(f);
    }
    f = fopen(argv[5], "a");
    if (!f)
        return 1;
    double t0 = bench_now_us();
    for (; have < target; have++) {
        char id[TOKEN_SIZE];
        if (token_new(id) != 0)
            return 1;
        storage_key(&seal, id, key);
        strbuf sealed;
        strbuf_init(&sealed);
        seal_record(&seal, key, b.data, b.len, &sealed);
        if (!strbuf_ok(&sealed) || store_put(st, key, sealed.data, sealed.len, 3600, NULL) != 0)
            return fprintf(stderr, "store_put failed after %ld\n", have), 1;
        strbuf_free(&sealed);
        fprintf(f, "%s\n", id);
    }
    double fill = (bench_now_us() - t0) / 1e6;
    fclose(f);

    /* random lookups over every stored id */
    char (*ids)[TOKEN_SIZE] = malloc((size_t)(have > 0 ? have : 1) * sizeof *ids);
    double *t = malloc((size_t)(lookups > 0 ? lookups : 1) * sizeof *t);
    if (!ids || !t) {
        fprintf(stderr, "out of memory\n");
        free(ids);
        free(t);
        return 1;
    }
    long n = 0;
    f = fopen(argv[5], "r");
    while (f && n < have && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line) == TOKEN_CHARS)
            memcpy(ids[n++], line, TOKEN_SIZE);
    }
    if (f)
        fclose(f);
    /* A fixed seed: every run looks the same ids up in the same order. */
    srand(12345); // NOLINT(cert-msc32-c,cert-msc51-cpp): reproducible, not secret
    for (long i = 0; i < lookups && n > 0; i++) {
        // NOLINTNEXTLINE(cert-msc30-c,cert-msc50-cpp): a lookup order, not a secret
        long k = (long)(((unsigned long)rand() << 16 ^ (unsigned long)rand()) % (unsigned long)n);
        storage_key(&seal, ids[k], key);
        double a = bench_now_us();
        int found = store_get(st, key, &data, &len, NULL);
        t[i] = bench_now_us() - a;
        if (found != 1) {
            fprintf(stderr, "lookup of a stored id failed\n");
            free(ids);
            free(t);
            return 1;
        }
        free(data);
    }
    qsort(t, (size_t)lookups, sizeof *t, bench_cmp_double);
    printf("%ld %.2f %.1f %.1f\n", n, fill, lookups ? t[lookups / 2] : 0, lookups ? t[lookups * 99 / 100] : 0);
    free(t);
    free(ids);
    memset(b.data, 0, b.len);
    strbuf_free(&b);
    record_free(&rec);
    store_close(st);
    return 0;
}
