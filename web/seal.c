#include "seal.h"
#include "forms.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define MAGIC "kws1"
#define MAGIC_LEN 4
#define NONCE_LEN 12
#define TAG_LEN 16

/* Lower-case hex of n bytes, 2n digits (no NUL). A table, not snprintf:
 * seal_id runs on every signed-in request, and 32 snprintf calls were a
 * tenth of kinde-gateway's instructions per auth answer (bench item 10's
 * callgrind profile). */
static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

/* One key per use, derived from the server key, so neither use can be turned
 * against the other. */
static void derive(const unsigned char *master, const char *label, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), master, SEAL_KEY_BYTES, (const unsigned char *)label, strlen(label), out,
         &n);
}

int seal_key_from_hex(const char *hex, web_seal_key *k)
{
    unsigned char master[SEAL_KEY_BYTES];
    if (!hex || strlen(hex) != SEAL_KEY_HEX)
        return -1;
    for (size_t i = 0; i < SEAL_KEY_BYTES; i++) {
        int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(master, sizeof master);
            return -1;
        }
        master[i] = (unsigned char)(hi << 4 | lo);
    }
    derive(master, "kinde-web session id", k->id_key);
    derive(master, "kinde-web session record", k->record_key);
    OPENSSL_cleanse(master, sizeof master);
    return 0;
}

/* An existing key file is trusted only as the file this process would have
 * made: a regular file of this user's, that nobody else may read (they
 * could then ride every session) or write (they could swap in a key of
 * theirs, or lock everybody out). 0 fine, else -1 with why in err. */
static int key_file_private(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "session key %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "session key %s: not a regular file", path);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen,
                 "session key %s: owned by uid %ld, not by this user (uid %ld); "
                 "chown it or remove it to make a new one",
                 path, (long)st.st_uid, (long)geteuid());
        return -1;
    }
    if (st.st_mode & 066) {
        snprintf(err, errlen,
                 "session key %s: mode %04o lets group or others read or write it; "
                 "chmod 600 it (and make a new key if others could read it)",
                 path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

static int read_key_file(const char *path, web_seal_key *k, char *err, size_t errlen)
{
    char hex[SEAL_KEY_HEX + 2];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "session key %s: %s", path, strerror(errno));
        return -1;
    }
    if (key_file_private(fd, path, err, errlen) != 0) {
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "session key %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[n] = '\0';
    if (n > 0 && hex[n - 1] == '\n')
        hex[--n] = '\0';
    int rc = seal_key_from_hex(hex, k);
    OPENSSL_cleanse(hex, sizeof hex);
    if (rc != 0)
        snprintf(err, errlen, "session key %s: not 64 hex digits", path);
    return rc;
}

int seal_key_load(const char *hex, const char *path, web_seal_key *k, char *err, size_t errlen)
{
    if (hex) {
        if (seal_key_from_hex(hex, k) == 0)
            return 0;
        snprintf(err, errlen, "the configured session key is not 64 hex digits");
        return -1;
    }
    /* A new key is written whole to a private temporary file, then linked
     * to its name: a process starting at the same moment sees either no
     * file or the whole key (never an empty one), and a crash leaves no
     * half-written key behind. The loser of the race reads the winner's. */
    if (access(path, F_OK) == 0)
        return read_key_file(path, k, err, errlen);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "session key %s: path too long", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "session key %s: %s", tmp, strerror(errno));
        return -1;
    }
    unsigned char raw[SEAL_KEY_BYTES];
    char text[SEAL_KEY_HEX + 2];
    int rc = RAND_bytes(raw, sizeof raw) == 1 ? 0 : -1;
    hex_encode(raw, sizeof raw, text);
    text[SEAL_KEY_HEX] = '\n';
    if (rc == 0 && write(fd, text, SEAL_KEY_HEX + 1) != SEAL_KEY_HEX + 1)
        rc = -1;
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    int raced = 0;
    if (rc == 0 && link(tmp, path) != 0) {
        if (errno == EEXIST)
            raced = 1;
        else
            rc = -1;
    }
    unlink(tmp);
    text[SEAL_KEY_HEX] = '\0';
    if (rc == 0 && !raced)
        rc = seal_key_from_hex(text, k);
    else if (rc != 0)
        snprintf(err, errlen, "session key %s: cannot write a new key", path);
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(text, sizeof text);
    if (raced)
        return read_key_file(path, k, err, errlen);
    return rc;
}

/* HMAC-SHA256 (RFC 2104) of session ids from the SHA-256 states after the
 * key's inner and outer blocks, made once per id key and kept for the life
 * of the process: seal_id runs on every signed-in request, and OpenSSL 3's
 * one-shot HMAC() fetches the MAC and the digest on every call (~6 us
 * against ~0.6 in a loop; bench item 10). A process has one key (tests a
 * few); past ID_KEYS keys, seal_id falls back to HMAC(). Entries are written
 * once, under the lock, then published by the count. */
#define ID_KEYS 8
typedef struct id_hmac {
    unsigned char key[SEAL_KEY_BYTES];
    EVP_MD_CTX *inner, *outer;
} id_hmac;
static id_hmac id_hmacs[ID_KEYS];
static unsigned id_hmacs_ready;
static pthread_mutex_t id_hmacs_lock = PTHREAD_MUTEX_INITIALIZER;

/* The key is shorter than SHA-256's 64-byte block: no hashing of it first. */
static int id_hmac_make(const unsigned char key[SEAL_KEY_BYTES], id_hmac *h)
{
    unsigned char pad[2][64];
    memset(pad[0], 0x36, sizeof pad[0]);
    memset(pad[1], 0x5c, sizeof pad[1]);
    for (size_t i = 0; i < SEAL_KEY_BYTES; i++) {
        pad[0][i] ^= key[i];
        pad[1][i] ^= key[i];
    }
    EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->inner = EVP_MD_CTX_new();
    h->outer = EVP_MD_CTX_new();
    int ok = sha256 && h->inner && h->outer && EVP_DigestInit_ex(h->inner, sha256, NULL) == 1 &&
             EVP_DigestUpdate(h->inner, pad[0], sizeof pad[0]) == 1 &&
             EVP_DigestInit_ex(h->outer, sha256, NULL) == 1 &&
             EVP_DigestUpdate(h->outer, pad[1], sizeof pad[1]) == 1;
    EVP_MD_free(sha256); /* the contexts hold their own reference */
    OPENSSL_cleanse(pad, sizeof pad);
    if (!ok) {
        EVP_MD_CTX_free(h->inner);
        EVP_MD_CTX_free(h->outer);
        h->inner = h->outer = NULL;
        return -1;
    }
    memcpy(h->key, key, SEAL_KEY_BYTES);
    return 0;
}

static const id_hmac *id_hmac_find(const unsigned char key[SEAL_KEY_BYTES], unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (CRYPTO_memcmp(id_hmacs[i].key, key, SEAL_KEY_BYTES) == 0)
            return &id_hmacs[i];
    return NULL;
}

static const id_hmac *id_hmac_for(const unsigned char key[SEAL_KEY_BYTES])
{
    const id_hmac *h = id_hmac_find(key, __atomic_load_n(&id_hmacs_ready, __ATOMIC_ACQUIRE));
    if (h)
        return h;
    pthread_mutex_lock(&id_hmacs_lock);
    unsigned n = id_hmacs_ready;
    h = id_hmac_find(key, n);
    if (!h && n < ID_KEYS && id_hmac_make(key, &id_hmacs[n]) == 0) {
        h = &id_hmacs[n];
        __atomic_store_n(&id_hmacs_ready, n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&id_hmacs_lock);
    return h;
}

void seal_id(const web_seal_key *k, const char *id, char out[SEAL_ID_HEX_SIZE])
{
    unsigned char inner[32], mac[32];
    unsigned int n = sizeof mac;
    const id_hmac *h = id_hmac_for(k->id_key);
    EVP_MD_CTX *c = h ? EVP_MD_CTX_new() : NULL;
    int ok = c && EVP_MD_CTX_copy_ex(c, h->inner) == 1 &&
             EVP_DigestUpdate(c, id, strlen(id)) == 1 && EVP_DigestFinal_ex(c, inner, &n) == 1 &&
             EVP_MD_CTX_copy_ex(c, h->outer) == 1 &&
             EVP_DigestUpdate(c, inner, sizeof inner) == 1 && EVP_DigestFinal_ex(c, mac, &n) == 1;
    EVP_MD_CTX_free(c);
    if (!ok) /* past ID_KEYS keys, or no memory: the same HMAC the slow way */
        HMAC(EVP_sha256(), k->id_key, SEAL_KEY_BYTES, (const unsigned char *)id, strlen(id), mac,
             &n);
    hex_encode(mac, sizeof mac, out);
    out[2 * sizeof mac] = '\0';
}

/* AES-256-GCM fetched once: EVP_aes_256_gcm() makes OpenSSL 3 look the
 * cipher up again at every init, and records are opened on every signed-in
 * request (bench item 10). */
static EVP_CIPHER *gcm_fetched;
static pthread_once_t gcm_once = PTHREAD_ONCE_INIT;
static void gcm_fetch(void) { gcm_fetched = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL); }
static const EVP_CIPHER *gcm(void)
{
    pthread_once(&gcm_once, gcm_fetch);
    return gcm_fetched ? gcm_fetched : EVP_aes_256_gcm();
}

void seal_record(const web_seal_key *k, const char *ad, const char *plain, size_t len, strbuf *out)
{
    unsigned char nonce[NONCE_LEN], tag[TAG_LEN];
    unsigned char *ct = malloc(len ? len : 1);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = ct && c && RAND_bytes(nonce, sizeof nonce) == 1 && len <= INT32_MAX &&
                    EVP_EncryptInit_ex(c, gcm(), NULL, k->record_key, nonce) == 1 &&
                    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)ad, (int)strlen(ad)) == 1 &&
                    EVP_EncryptUpdate(c, ct, &n, (const unsigned char *)plain, (int)len) == 1 &&
                    EVP_EncryptFinal_ex(c, ct + n, &n) == 1 &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    if (ok) {
        strbuf_add(out, MAGIC, MAGIC_LEN);
        strbuf_add(out, (const char *)nonce, NONCE_LEN);
        strbuf_add(out, (const char *)ct, len);
        strbuf_add(out, (const char *)tag, TAG_LEN);
    } else {
        out->failed = 1;
    }
    EVP_CIPHER_CTX_free(c);
    free(ct);
}

int seal_open(const web_seal_key *k, const char *ad, const char *data, size_t len, char **plain,
              size_t *plain_len)
{
    *plain = NULL;
    if (len < MAGIC_LEN + NONCE_LEN + TAG_LEN || memcmp(data, MAGIC, MAGIC_LEN) != 0 ||
        len > INT32_MAX)
        return -1;
    const unsigned char *nonce = (const unsigned char *)data + MAGIC_LEN;
    const unsigned char *ct = nonce + NONCE_LEN;
    size_t ct_len = len - MAGIC_LEN - NONCE_LEN - TAG_LEN;
    unsigned char tag[TAG_LEN];
    memcpy(tag, ct + ct_len, TAG_LEN);
    char *out = malloc(ct_len + 1);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = out && c &&
                    EVP_DecryptInit_ex(c, gcm(), NULL, k->record_key, nonce) == 1 &&
                    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)ad, (int)strlen(ad)) == 1 &&
                    EVP_DecryptUpdate(c, (unsigned char *)out, &n, ct, (int)ct_len) == 1 &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1 &&
                    EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &n) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok) {
        if (out) {
            OPENSSL_cleanse(out, ct_len);
            free(out);
        }
        return -1;
    }
    out[ct_len] = '\0';
    *plain = out;
    *plain_len = ct_len;
    return 0;
}
