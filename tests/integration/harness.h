/* A real kinde-emulator on loopback for the integration tests, and a tiny
 * "browser" (libcurl with a cookie jar) that fills in its sign-in forms. */
#ifndef KINDE_TEST_HARNESS_H
#define KINDE_TEST_HARNESS_H

#include <kinde/kinde.h>
#include <sys/types.h>

typedef struct emulator {
    pid_t pid;
    int port;
    char base[64];       /* http://127.0.0.1:PORT */
    char dir[256];       /* temporary data dir */
} emulator;

/* Start the emulator (path from $KINDE_EMULATOR) with --admin and extra
 * arguments (NULL-terminated). Returns 0 when it is listening. */
int emulator_start(emulator *e, const char *const *extra_args);
/* Stops it; -1 when it did not exit cleanly with status 0 (a sanitizer
 * finding in the emulator fails the test group). */
int emulator_stop(emulator *e);

/* cmocka fixtures for a test file that shares one emulator (it_emu) across
 * its group: start it, stop it, and put it (and the SDK's test clock) back
 * to a clean state before each test. */
extern emulator it_emu;
int it_group_start(void **state);
int it_group_stop(void **state);
int it_reset(void **state);

/* POST JSON to an admin path (e.g. "/_emulator/faults"); returns the HTTP status. */
long emulator_admin(const emulator *e, const char *method, const char *path, const char *json);
/* Any admin request (json NULL: no body); the answer's body (malloc'd, ""
 * when none) and *status (may be NULL). */
char *emulator_admin_text(const emulator *e, const char *method, const char *path,
                          const char *json, long *status);
/* A token signed by the emulator's current key with the given header members
 * and claims (JSON objects). malloc'd, NULL on failure. */
char *emulator_mint(const emulator *e, const char *header_json, const char *claims_json);
/* Requests the emulator has seen on a path since start or reset; -1 when
 * the stats cannot be read or do not list the path (never requested since
 * the reset, or mistyped): callers treat -1 as a failure. */
long emulator_count(const emulator *e, const char *path);
/* Sends one GET to path (before any fault is set: faults would apply) so
 * that the stats list it, and returns its count (>= 1), or -1 when the
 * emulator has no such endpoint (404) or does not answer. Use it before
 * counting a path that may not have been requested yet. */
long emulator_prime(const emulator *e, const char *path);

typedef struct browser browser;
browser *browser_new(void);
void browser_free(browser *b);
/* Open an authorization URL and, if a form is shown, sign in with email (or
 * register with given/family/email when given is not NULL). *callback gets
 * the URL the emulator redirects back to (malloc'd). Returns 0 on success. */
int browser_authorize(browser *b, const char *auth_url, const char *email, const char *given,
                      const char *family, char **callback);
/* GET a URL with the browser's cookies; returns the status, *location the
 * Location header (malloc'd) or NULL. */
long browser_get(browser *b, const char *url, char **location);

/* A client configured for the emulator's default application. */
kinde_client *emulator_client(const emulator *e, kinde_grant_type grant, const char *audience);

/* A client of the emulator's machine-to-machine application authorised for
 * the Management API (kinde_demo_m2m). */
kinde_client *emulator_m2m_client(const emulator *e);

/* Full sign-in of dave@smith.com into a new session. */
kinde_session *emulator_login(const emulator *e, kinde_client *c, browser *b);

#endif
