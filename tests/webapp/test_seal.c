#define _GNU_SOURCE
/* seal.c: session ids named by HMAC, records sealed with AES-256-GCM bound
 * to their storage key (SECURITY.md E42). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "seal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char key_a[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char key_b[] = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char secret[] = "kwa1 1 1 1 csrf -\n{\"access_token\":\"eyJsecret\"}";

static void sealed(const web_seal_key *k, const char *ad, strbuf *out)
{
    strbuf_init(out);
    seal_record(k, ad, secret, strlen(secret), out);
    assert_true(strbuf_ok(out));
}

static void round_trip_and_nothing_readable(void **state)
{
    (void)state;
    web_seal_key k;
    assert_int_equal(seal_key_from_hex(key_a, &k), 0);
    strbuf b;
    sealed(&k, "s:abc", &b);
    assert_null(memmem(b.data, b.len, "eyJsecret", 9));
    assert_null(memmem(b.data, b.len, "kwa1", 4));
    char *plain = NULL;
    size_t n = 0;
    assert_int_equal(seal_open(&k, "s:abc", b.data, b.len, &plain, &n), 0);
    assert_int_equal(n, strlen(secret));
    assert_string_equal(plain, secret);
    free(plain);
    /* A fresh nonce per write: the same record twice seals differently. */
    strbuf c;
    sealed(&k, "s:abc", &c);
    assert_true(b.len == c.len && memcmp(b.data, c.data, b.len) != 0);
    strbuf_free(&b);
    strbuf_free(&c);
}

static void refused_elsewhere(void **state)
{
    (void)state;
    web_seal_key k, other;
    assert_int_equal(seal_key_from_hex(key_a, &k), 0);
    assert_int_equal(seal_key_from_hex(key_b, &other), 0);
    strbuf b;
    sealed(&k, "s:abc", &b);
    char *plain = NULL;
    size_t n = 0;
    assert_int_equal(seal_open(&k, "s:abd", b.data, b.len, &plain, &n), -1); /* moved */
    assert_int_equal(seal_open(&other, "s:abc", b.data, b.len, &plain, &n), -1); /* wrong key */
    assert_null(plain);
    for (size_t i = 0; i < b.len; i++) { /* any byte altered */
        b.data[i] ^= 1;
        assert_int_equal(seal_open(&k, "s:abc", b.data, b.len, &plain, &n), -1);
        b.data[i] ^= 1;
    }
    for (size_t len = 0; len < b.len; len++) /* any truncation */
        assert_int_equal(seal_open(&k, "s:abc", b.data, len, &plain, &n), -1);
    assert_int_equal(seal_open(&k, "s:abc", b.data, b.len, &plain, &n), 0);
    free(plain);
    strbuf_free(&b);
}

static void ids_are_hashed_per_key(void **state)
{
    (void)state;
    web_seal_key k, other;
    assert_int_equal(seal_key_from_hex(key_a, &k), 0);
    assert_int_equal(seal_key_from_hex(key_b, &other), 0);
    char h1[SEAL_ID_HEX_SIZE], h2[SEAL_ID_HEX_SIZE], h3[SEAL_ID_HEX_SIZE];
    seal_id(&k, "some-session-id", h1);
    seal_id(&k, "some-session-id", h2);
    seal_id(&other, "some-session-id", h3);
    assert_int_equal(strlen(h1), 64);
    assert_string_equal(h1, h2);
    assert_string_not_equal(h1, h3);
    assert_null(strstr(h1, "some"));
    /* The exact storage key, computed apart with openssl dgst -mac HMAC:
     * stored sessions are found by it, so its spelling (lower-case hex)
     * must never change. */
    assert_string_equal(h1, "7366d9d12d8e09228fd64a049d9bb9c4642fed3bd88cea6c50d02d0f90ce0cf3");
}

/* seal_id computes HMAC-SHA256 from states it keeps per key (a few keys; past
 * them, HMAC() itself): the same answer as HMAC() for ids of lengths around
 * SHA-256's block and for more keys than it keeps. */
static void ids_are_hmac_sha256(void **state)
{
    (void)state;
    for (int key = 0; key < 12; key++) {
        char hex[SEAL_KEY_HEX + 1];
        for (int i = 0; i < SEAL_KEY_HEX; i++)
            hex[i] = "0123456789abcdef"[(i * 7 + key) % 16];
        hex[SEAL_KEY_HEX] = '\0';
        web_seal_key k;
        assert_int_equal(seal_key_from_hex(hex, &k), 0);
        for (size_t len = 0; len < 200; len += 7) {
            char id[200], got[SEAL_ID_HEX_SIZE], want[SEAL_ID_HEX_SIZE];
            memset(id, 'a' + (int)(len % 26), len);
            id[len] = '\0';
            unsigned char mac[32];
            unsigned int n = sizeof mac;
            HMAC(EVP_sha256(), k.id_key, sizeof k.id_key, (const unsigned char *)id, len, mac, &n);
            for (size_t i = 0; i < sizeof mac; i++)
                snprintf(want + 2 * i, 3, "%02x", mac[i]);
            seal_id(&k, id, got);
            assert_string_equal(got, want);
        }
    }
}

static void key_file_made_0600_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/kinde-seal-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/session.key", dir);
    web_seal_key k1, k2;
    char err[256] = "";
    assert_int_equal(seal_key_load(NULL, path, &k1, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(seal_key_load(NULL, path, &k2, err, sizeof err), 0); /* read back */
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_equal(seal_key_load("nothex", path, &k2, err, sizeof err), -1);
    assert_int_equal(seal_key_load(key_b, path, &k2, err, sizeof err), 0); /* configured wins */
    assert_memory_not_equal(&k1, &k2, sizeof k1);
    FILE *f = fopen(path, "w");
    fputs("short\n", f);
    fclose(f);
    assert_int_equal(seal_key_load(NULL, path, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "not 64 hex digits"));
    unlink(path);
    rmdir(dir);
}

/* An existing key file that others could read (ride every session) or write
 * (swap the key), or that another user owns, is refused, saying why. */
static void key_file_of_others_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/kinde-seal-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/session.key", dir);
    web_seal_key k;
    char err[512] = "";
    assert_int_equal(seal_key_load(NULL, path, &k, err, sizeof err), 0);
    static const mode_t lax[] = {0640, 0604, 0620, 0602, 0644, 0666};
    for (size_t i = 0; i < sizeof lax / sizeof *lax; i++) {
        assert_int_equal(chmod(path, lax[i]), 0);
        err[0] = '\0';
        assert_int_equal(seal_key_load(NULL, path, &k, err, sizeof err), -1);
        char want[64];
        snprintf(want, sizeof want, "mode %04o lets group or others read or write it", lax[i]);
        assert_non_null(strstr(err, want));
        assert_non_null(strstr(err, "chmod 600"));
    }
    assert_int_equal(chmod(path, 0400), 0); /* the owner's alone, read-only: fine */
    assert_int_equal(seal_key_load(NULL, path, &k, err, sizeof err), 0);
    assert_int_equal(chmod(path, 0600), 0);
    /* Another owner: only root can make one; elsewhere this part is skipped. */
    if (geteuid() == 0) {
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(seal_key_load(NULL, path, &k, err, sizeof err), -1);
        assert_non_null(strstr(err, "owned by uid 65534, not by this user (uid 0)"));
    } else {
        print_message("key_file_of_others_refused: not root, another owner not tried\n");
    }
    /* Not a regular file (a directory where the key should be). */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(seal_key_load(NULL, path, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a regular file"));
    rmdir(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_and_nothing_readable),
        cmocka_unit_test(refused_elsewhere),
        cmocka_unit_test(ids_are_hashed_per_key),
        cmocka_unit_test(ids_are_hmac_sha256),
        cmocka_unit_test(key_file_made_0600_once),
        cmocka_unit_test(key_file_of_others_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
