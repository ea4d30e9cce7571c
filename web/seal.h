/* Sessions unreadable at rest (SECURITY.md E42). One server key gives two:
 * an HMAC-SHA256 key that turns a session id into its storage key (the store
 * never sees an id a browser could present), and an AES-256-GCM key that seals
 * each record: a random 96-bit nonce per write, the storage key as associated
 * data, so a record copied under another key does not open. Whoever reads
 * the SQLite file or the Redis keys learns neither ids nor tokens. */
#ifndef KINDE_WEB_SEAL_H
#define KINDE_WEB_SEAL_H

#include <stddef.h>

#include "strbuf.h"

#define SEAL_KEY_BYTES 32
#define SEAL_KEY_HEX (2 * SEAL_KEY_BYTES)
/* Hex HMAC-SHA256 of a session id, with its NUL. */
#define SEAL_ID_HEX_SIZE 65

typedef struct web_seal_key {
    unsigned char id_key[SEAL_KEY_BYTES];     /* HMAC of session ids */
    unsigned char record_key[SEAL_KEY_BYTES]; /* AES-256-GCM of records */
} web_seal_key;

/* The two keys from a server key of 64 hex digits. 0 ok, -1 not 64 hex. */
int seal_key_from_hex(const char *hex, web_seal_key *k);

/* The server key: `hex` when given (configuration), else the 64 hex digits of
 * `path`, which is created 0600 with a fresh random key when absent (two
 * processes starting at once agree: the loser reads the winner's). An
 * existing file must be a regular file of this user's that group and others
 * can neither read nor write; else it is refused, saying why. 0 ok, -1
 * with the reason in err. */
int seal_key_load(const char *hex, const char *path, web_seal_key *k, char *err, size_t errlen);

/* The storage name of a session id: hex HMAC-SHA256(id_key, id). */
void seal_id(const web_seal_key *k, const char *id, char out[SEAL_ID_HEX_SIZE]);

/* Appends "kws1" nonce(12) ciphertext tag(16) of plain to out, bound to ad. */
void seal_record(const web_seal_key *k, const char *ad, const char *plain, size_t len, strbuf *out);

/* Opens seal_record() output bound to ad: 0 ok (*plain malloc'd, NUL-ended,
 * the caller wipes and frees it), -1 refused (wrong key, another storage key,
 * altered, truncated, or no memory). */
int seal_open(const web_seal_key *k, const char *ad, const char *data, size_t len, char **plain,
              size_t *plain_len);

#endif
