/* The details page: what the SDK reads from a signed-in session. */
#ifndef WEBAPP_DETAILS_H
#define WEBAPP_DETAILS_H

#include "pages.h"
#include "session.h"
#include "site.h"
#include "webhook_events.h"

/* Writes the page for s (signed in, tokens valid) into out. The profile is
 * fetched from Kinde now; when that fails the page says so in a plain
 * sentence and the log gets the detail. */
void details_page(const web_site *site, web_session *s, const page_user *user,
                  webhook_events *webhooks, strbuf *out);

#endif
