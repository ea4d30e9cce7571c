#include "http.h"

#include <stdlib.h>
#include <string.h>

#include "forms.h"

const char *web_header(const web_request *q, const char *name)
{
    return q->header ? q->header(q->ctx, name) : NULL;
}

int web_query(const web_request *q, const char *name, char *out, size_t outsz)
{
    const char *query = q->target ? strchr(q->target, '?') : NULL;
    if (!query) {
        if (out && outsz)
            out[0] = '\0';
        return 0;
    }
    query++;
    return form_get(query, strlen(query), name, out, outsz);
}

void web_response_init(web_response *r)
{
    memset(r, 0, sizeof *r);
    strbuf_init(&r->body);
    strbuf_init(&r->cookie);
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
}

void web_response_free(web_response *r)
{
    strbuf_free(&r->body);
    strbuf_free(&r->cookie);
    free(r->location);
    r->location = NULL;
}

void web_redirect(web_response *r, unsigned status, const char *location)
{
    r->status = status;
    free(r->location);
    r->location = strdup(location);
    if (!r->location)
        r->body.failed = 1;
}
