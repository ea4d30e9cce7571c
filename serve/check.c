/* What libmicrohttpd 0.9.75 lets through and RFC 9112 says must not be:
 * every request whose framing or syntax is ambiguous is refused before its
 * body is read (400, connection closed). A proxy in front that frames a
 * request differently from us would otherwise smuggle a second request in
 * the first one's body (RFC 9112 section 6.3, 11.2). Each check names the
 * case of tests/e2e/http_test.sh's hostile-request table it answers. */
#include "serve.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2 token characters. */
static int is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int is_token(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)p[i]))
            return 0;
    return 1;
}

/* A Host value (RFC 3986 host [":" port]): no spaces, slashes, '@'... */
static int is_host(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr("-._~!$&'()*+,;=:[]%", ch)))
            return 0;
    }
    return 1;
}

typedef struct seen {
    const char *why;
    unsigned host, content_length, transfer_encoding;
    const char *host_value, *te_value;
} seen;

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    seen *v = cls;
    if (!is_token(key, key_size) || strlen(key) != key_size) {
        /* "X : a", "X(y: a", ": a" */
        v->why = "a header name that is not a token";
        return MHD_NO;
    }
    if (!value || strlen(value) != value_size) {
        v->why = "a NUL in a header value";
        return MHD_NO;
    }
    for (size_t i = 0; i < value_size; i++) {
        unsigned char ch = (unsigned char)value[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            /* a bare CR, a folded line kept with its CRLF, a control */
            v->why = "a control character in a header value";
            return MHD_NO;
        }
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        v->host++;
        v->host_value = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        v->content_length++;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        v->transfer_encoding++;
        v->te_value = value;
    }
    return MHD_YES;
}

/* The request line was "METHOD SP target SP version" with single spaces and
 * no NUL. libmicrohttpd 0.9.75 tolerates runs of spaces and cuts the target
 * at a NUL without a word; its parser leaves method, target and version in
 * place in the one read buffer (the separators overwritten with NULs), so
 * the distances between them tell. Anything else about the layout is
 * refused rather than trusted. */
static const char *request_line(const char *method, const char *raw_target,
                                const char *raw_target_at, const char *version)
{
    size_t mlen = strlen(method);
    size_t tlen = strlen(raw_target);
    if (!is_token(method, mlen))
        return "a method that is not a token";
    if (raw_target_at != method + mlen + 1)
        return "more than one space after the method";
    if (version != raw_target_at + tlen + 1)
        return "a NUL or more than one space in the request target";
    for (size_t i = 0; i < tlen; i++) {
        unsigned char ch = (unsigned char)raw_target[i];
        if (ch <= 0x20 || ch >= 0x7f)
            return "a control, space or non-ASCII byte in the request target";
    }
    return NULL;
}

/* The target's form (RFC 9112 3.2): origin-form; absolute-form naming this
 * Host (then *path is what follows the authority); '*' for OPTIONS and
 * authority-form for CONNECT are left to the routes to refuse. */
static const char *target_form(const char *method, const char *url, const char *host,
                               const char **path)
{
    if (url[0] == '/')
        return NULL;
    if (strcmp(url, "*") == 0 || strcmp(method, MHD_HTTP_METHOD_CONNECT) == 0)
        return NULL;
    size_t skip = strncasecmp(url, "http://", 7) == 0    ? 7
                  : strncasecmp(url, "https://", 8) == 0 ? 8
                                                         : 0;
    if (!skip)
        return "a request target in no known form";
    const char *authority = url + skip;
    const char *slash = strchr(authority, '/');
    size_t alen = slash ? (size_t)(slash - authority) : strlen(authority);
    if (!host || strlen(host) != alen || strncasecmp(authority, host, alen) != 0)
        return "an absolute-form target naming another host";
    *path = slash ? slash : "/";
    return NULL;
}

const char *serve_check_request(struct MHD_Connection *c, const char *method, const char *url,
                                const char *version, const char *raw_target,
                                const char *raw_target_at, const char **path)
{
    const char *why = request_line(method, raw_target, raw_target_at, version);
    if (why)
        return why;
    seen v;
    memset(&v, 0, sizeof v);
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, each_header, &v);
    if (v.why)
        return v.why;
    int http11 = strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
    if (v.host > 1 || (http11 && v.host == 0))
        return "HTTP/1.1 needs exactly one Host header";
    if (v.host && !is_host(v.host_value, strlen(v.host_value)))
        return "a Host header that is not a host";
    if (v.content_length > 1)
        return "more than one Content-Length header";
    if (v.transfer_encoding) {
        if (!http11)
            return "Transfer-Encoding in an HTTP/1.0 request";
        if (v.content_length)
            return "both Content-Length and Transfer-Encoding";
        if (v.transfer_encoding > 1 || strcasecmp(v.te_value, "chunked") != 0)
            return "a transfer coding other than chunked alone";
    }
    return target_form(method, url, v.host_value, path);
}
