/* A per-process cache of opened session records (docs/design.md, "Session
 * cache"): the sealed bytes last read from the store under a key, and what
 * opening them gave (the record, the Kinde session). The store is still read
 * for every request, so a sign-out or refresh by another process sharing the
 * store is seen at once; only when the bytes read are byte for byte the ones
 * cached are the decryption and the parsing skipped (they would give the
 * same result: the seal binds the bytes to the key).
 *
 * A fixed table of slots (one entry per slot, a newer key replaces an older
 * one in its slot: bounded memory), each slot under one of a set of striped
 * locks. An entry is immutable once made and reference-counted: a request
 * that found it holds its Kinde session read-only until it releases it, while
 * the slot may already hold a newer entry; whoever wants to change a session
 * (a refresh, sign-out) takes a private copy first (web_session_own). */
#ifndef KINDE_WEB_SESSION_CACHE_H
#define KINDE_WEB_SESSION_CACHE_H

#include <stddef.h>

#include <kinde/kinde.h>

#include "record.h"

typedef struct session_cache session_cache;
typedef struct session_cache_entry session_cache_entry;

/* Slots when none are asked for: about a thousand signed-in browsers stay
 * opened at once, roughly 10 KB each (estimated with the emulator's tokens:
 * 2.5 KB sealed, the record, the tokens and their parsed claims). */
#define SESSION_CACHE_DEFAULT_SLOTS 1024
#define SESSION_CACHE_MAX_SLOTS (1u << 20)

/* A cache of slots entries (0: the default; at most the maximum). NULL when
 * out of memory. */
session_cache *session_cache_new(size_t slots);
/* Frees c and its entries (none may still be held). NULL is fine. */
void session_cache_free(session_cache *c);

/* key's entry when it holds exactly these sealed bytes: 1 with *rec a copy
 * of its record (the caller's: record_free), *ks its Kinde session (shared:
 * read it, never change it) and *held the reference to release; 0 when not
 * (*rec, *ks, *held untouched); -1 out of memory copying the record. */
int session_cache_get(session_cache *c, const char *key, const char *sealed, size_t len,
                      web_record *rec, kinde_session **ks, session_cache_entry **held);

/* Keeps key -> (sealed, rec, ks), replacing what its slot held. ks is taken
 * (freed with the entry); the caller gets a reference to release in *held
 * and may go on reading ks. sealed and rec are copied. -1 out of memory:
 * nothing kept, ks still the caller's, *held NULL. */
int session_cache_put(session_cache *c, const char *key, const char *sealed, size_t len,
                      const web_record *rec, kinde_session *ks, session_cache_entry **held);

/* Forgets key's entry (a session deleted or rewritten). */
void session_cache_drop(session_cache *c, const char *key);

/* Gives back a reference from get or put; the last one frees the entry
 * (tokens and record wiped). NULL is fine. */
void session_cache_release(session_cache_entry *e);

/* For tests: the entries held now, and the hits and misses counted so far. */
size_t session_cache_count(session_cache *c);
void session_cache_stats(session_cache *c, unsigned long *hits, unsigned long *misses);

#endif
