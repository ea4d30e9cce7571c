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
    strbuf_init(&r->headers);
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
}

void web_response_free(web_response *r)
{
    strbuf_free(&r->body);
    strbuf_free(&r->cookie);
    strbuf_free(&r->headers);
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

/* RFC 9110 5.6.2's tchar, the characters of a header name. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s)))
            return 0;
    return 1;
}

int web_response_header(web_response *r, const char *name, const char *value)
{
    if (!is_token(name))
        return -1;
    for (const unsigned char *v = (const unsigned char *)value; *v; v++)
        if (*v < 0x20 || *v == 0x7f)
            return -1;
    strbuf_add(&r->headers, name, strlen(name) + 1);
    strbuf_add(&r->headers, value, strlen(value) + 1);
    return 0;
}

int web_response_header_next(const web_response *r, size_t *at, const char **name,
                             const char **value)
{
    if (!strbuf_ok(&r->headers) || *at >= r->headers.len)
        return 0;
    *name = r->headers.data + *at;
    *value = *name + strlen(*name) + 1;
    *at = (size_t)(*value - r->headers.data) + strlen(*value) + 1;
    return 1;
}
