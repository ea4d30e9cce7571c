/* POST /webhooks and the details page's list of events. What makes a body a
 * Kinde event (content type, signature, key, payload, age) is the SDK's
 * kinde_verify_webhook(); what is decided here is what to answer, what to
 * log and what to keep. */
#include "webhooks.h"

#include <string.h>
#include <time.h>

#include <kinde/management.h>

#include "pages.h"

/* s for one log line: bytes below 0x20 and DEL become '?' (a value cannot
 * start a line of its own), cut at outsz - 1 bytes. The SDK's error text
 * quotes parts of an unverified request (its Content-Type, a kid). */
static const char *loggable(const char *s, char *out, size_t outsz)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < outsz; i++) {
        char c = s[i];
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = '?';
        out[i] = c;
    }
    out[i] = '\0';
    return out;
}

static void answer(web_response *r, unsigned status, const char *text)
{
    r->status = status;
    strbuf_free(&r->body);
    strbuf_adds(&r->body, text);
    strbuf_adds(&r->body, "\n");
}

/* A refusal: the status and a plain reason to the sender, the SDK's code and
 * words to the log. */
static void refuse(const web_site *site, web_response *r, unsigned status, const char *reason,
                   const char *code, const char *detail)
{
    char safe[512];
    web_log(site, "webhook refused, %u: %s: %s", status, code,
            loggable(detail, safe, sizeof safe));
    answer(r, status, reason);
    if (status == 503)
        r->retry_after = WEB_RETRY_AFTER_SECONDS;
}

/* Where the SDK's code puts a refused body: the sender's fault (400), or
 * ours for now (503, so that Kinde sends it again). */
static void refuse_code(const web_site *site, web_response *r, kinde_code rc, const char *detail)
{
    const char *name = kinde_code_name(rc);
    switch (rc) {
    case KINDE_E_INVALID_ARGUMENT: /* every argument is set: the content type */
        refuse(site, r, 400, "refused: Content-Type must be application/jwt", name, detail);
        break;
    case KINDE_E_TOKEN_EXPIRED:
    case KINDE_E_TOKEN_NOT_YET_VALID:
        refuse(site, r, 400, "refused: the event's timestamp is outside the accepted window", name,
               detail);
        break;
    case KINDE_E_JWKS:
    case KINDE_E_NOMEM:
        refuse(site, r, 503, "cannot verify webhooks just now, send it again later", name, detail);
        break;
    default:
        refuse(site, r, 400, "refused: not a verified Kinde webhook", name, detail);
        break;
    }
}

static void record(const web_site *site, webhook_events *events, const kinde_webhook_event *ev,
                   web_response *r)
{
    char type[128], id[160], ts[96], source[64];
    loggable(ev->type, type, sizeof type);
    loggable(ev->event_id, id, sizeof id);
    loggable(ev->timestamp, ts, sizeof ts);
    loggable(ev->source ? ev->source : "(none)", source, sizeof source);
    webhook_event_row row = {ev->type, ev->event_id, ev->timestamp, ev->source};
    switch (webhook_events_record(events, &row, ev->timestamp_unix, (int64_t)time(NULL))) {
    case WEBHOOK_RECORDED:
        web_log(site, "webhook %s event_id=%s source=%s timestamp=%s", type, id, source, ts);
        answer(r, 200, "ok");
        break;
    case WEBHOOK_REPLAY:
        web_log(site, "webhook %s event_id=%s: already received (a replay or a retry), "
                      "answered 200, not recorded again", type, id);
        answer(r, 200, "ok (already received)");
        break;
    case WEBHOOK_FULL:
        refuse(site, r, 503, "too many recent events, send it again later", "full",
               "every remembered event id is still within the maximum age");
        break;
    case WEBHOOK_NOMEM:
    case WEBHOOK_INVALID: /* the SDK hands back no event without them */
        refuse(site, r, 503, "cannot verify webhooks just now, send it again later",
               "KINDE_E_NOMEM", "recording the event");
        break;
    }
}

void webhooks_route(const web_site *site, webhook_events *events, const web_request *q,
                    web_response *r)
{
    r->content_type = "text/plain; charset=utf-8";
    r->no_store = 1;
    if (strcmp(q->method, "POST") != 0) {
        answer(r, 405, "Kinde posts webhooks here: POST only");
        r->allow = "POST";
        return;
    }
    if (q->body_too_big) {
        refuse(site, r, 413, "refused: body too large", "too_large",
               "the body is over the server's limit");
        return;
    }
    const char *type = web_header(q, "Content-Type");
    kinde_webhook_event *ev = NULL;
    kinde_error err;
    memset(&err, 0, sizeof err);
    kinde_code rc = kinde_verify_webhook(site->client, type ? type : "", q->body ? q->body : "",
                                         q->body_len, webhook_events_max_age(events), &ev, &err);
    if (rc != KINDE_OK)
        refuse_code(site, r, rc, err.text);
    else
        record(site, events, ev, r);
    kinde_webhook_event_free(ev);
}

static void event_row(void *ctx, const webhook_event_row *e)
{
    page_section *t = ctx;
    page_cell(t, e->type);
    page_cell(t, e->event_id);
    page_cell(t, e->timestamp);
    page_cell(t, e->source);
}

void webhooks_section(webhook_events *events, strbuf *out)
{
    static const char *const headers[] = {"type", "event id", "time", "source"};
    page_section t;
    page_section_begin(&t, out, "webhooks", "Webhook events",
                       "The last events Kinde posted to /webhooks, each verified with "
                       "kinde_verify_webhook(), newest first.",
                       headers, 4);
    if (events)
        webhook_events_each(events, event_row, &t);
    page_section_end(&t, "No webhook event since the app started.");
}
