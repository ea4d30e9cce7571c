/* What the app keeps server-side for one browser: the session record, and
 * the random tokens that name it (cookie id) and guard it (CSRF). */
#ifndef KINDE_WEB_RECORD_H
#define KINDE_WEB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "redirects.h"

/* 32 random bytes in base64url: 256 bits, 43 characters. */
#define TOKEN_CHARS 43
#define TOKEN_SIZE (TOKEN_CHARS + 1)

/* Fills out with a fresh token from OpenSSL's CSPRNG. 0 ok, -1 failure. */
int token_new(char out[TOKEN_SIZE]);

/* 1 when s has the exact shape of a token (length and alphabet). Anything
 * else is never looked up in the store. */
int token_is_wellformed(const char *s);

/* Constant-time comparison of two tokens; 1 when equal and well-formed. */
int token_equal(const char *a, const char *b);

typedef struct web_record {
    int signed_in;          /* 0: a login in progress; 1: tokens held */
    int64_t created;        /* when this id was issued (login start or sign-in) */
    int64_t seen;           /* the last request that used it */
    char csrf[TOKEN_SIZE];  /* the token every state-changing form carries */
    char next[REDIRECT_PATH_MAX + 1]; /* where to go after sign-in ("" = home) */
    char *kinde;            /* kinde_session_serialize() output, owned (malloc) */
    size_t kinde_len;
    char *profile;          /* Kinde's user profile (JSON) as last fetched, owned; NULL none */
    size_t profile_len;
    int64_t profile_at;     /* when it was fetched (0: none) */
} web_record;

/* "kwa2 <signed_in> <created> <seen> <csrf> <next|-> <profile_at> <profile_len>\n"
 * then the profile's bytes, then the kinde session. Stored sealed (seal.h). */
void record_encode(const web_record *r, strbuf *out);

/* Parses record_encode() output. 0 ok (free r with record_free), -1 corrupt. */
int record_decode(const char *data, size_t len, web_record *r);

/* Frees r->kinde and r->profile, wiping them first: tokens, personal data. */
void record_free(web_record *r);

#endif
