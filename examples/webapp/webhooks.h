/* Kinde's webhooks in the demo app: POST /webhooks verifies each event with
 * kinde_verify_webhook() and keeps the last few (webhook_events.h) for the
 * details page. A server-to-server request authenticated by its signature:
 * no session, no cookie, no CSRF token. */
#ifndef WEBAPP_WEBHOOKS_H
#define WEBAPP_WEBHOOKS_H

#include "strbuf.h"
#include "http.h"
#include "site.h"
#include "webhook_events.h"

/* --webhook-max-age's default, in seconds. */
#define WEBHOOK_DEFAULT_MAX_AGE 300

/* Answers a request to /webhooks (any method) in plain text: 200 for a
 * verified event (a replay too, recorded once), 400 for a body that is not
 * one (wrong Content-Type, malformed, another key, too old), 413 past the
 * server's body limit, 405 for another method, 503 when it cannot tell now
 * (Kinde's keys unreachable, out of memory, no room for one more id), so that
 * Kinde sends it again later. One line per event in site's log; the reason
 * for a refusal, with the SDK's code name, goes there too, never in the
 * answer. Events are verified with site->client and the max age events was
 * made with. */
void webhooks_route(const web_site *site, webhook_events *events, const web_request *q,
                    web_response *r);

/* The details page's section: the kept events, newest first, escaped.
 * events NULL: an empty section. */
void webhooks_section(webhook_events *events, strbuf *out);

#endif
