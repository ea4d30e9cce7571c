/* The original URI as the rules see it (SECURITY G44). nginx hands over its
 * raw $request_uri; the upstream behind it may decode and resolve it in its
 * own way, so whatever two readers could take for different paths is
 * refused rather than guessed. */
#include "rules.h"

#include "forms.h"

#include <string.h>
#include <strings.h>

static int refuse(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

/* Length of "http://authority" or "https://authority" at the start of raw
 * (absolute-form, RFC 9112 3.2.2), 0 when raw is not in that form. */
static size_t authority_prefix(const char *raw)
{
    size_t n;
    if (strncasecmp(raw, "http://", 7) == 0)
        n = 7;
    else if (strncasecmp(raw, "https://", 8) == 0)
        n = 8;
    else
        return 0;
    while (raw[n] && raw[n] != '/' && raw[n] != '?' && raw[n] != '#')
        n++;
    return n;
}

/* A byte a segment may not hold raw: the upstream would read it another way. */
static const char *raw_refusal(unsigned char c)
{
    if (c == '\\')
        return "a '\\' in the path";
    if (c < 0x20 || c == 0x7f)
        return "a control character in the path";
    return NULL;
}

/* A byte a segment may not hold once decoded: it would change the path's
 * shape (an encoded '/', '\', '%', '?', '#' reads differently decoded once or
 * twice, which also keeps the result the same when normalised again). */
static const char *decoded_refusal(unsigned char c)
{
    if (c == '/' || c == '\\')
        return "an encoded '/' or '\\'";
    if (c == '%')
        return "an encoded '%'";
    if (c == '?' || c == '#')
        return "an encoded '?' or '#'";
    if (c < 0x20 || c == 0x7f)
        return "an encoded control character";
    return NULL;
}

int gw_uri_normalize(const char *raw, char *out, size_t outsz, const char **why)
{
    if (!raw || !out || outsz < 2)
        return refuse(why, "no URI");
    const char *p = raw + authority_prefix(raw);
    /* The authority is skipped, not read, but must not smuggle anything in. */
    for (const char *a = raw; a < p; a++)
        if (raw_refusal((unsigned char)*a))
            return refuse(why, "a control character or '\\' in the authority");
    if (*p != '/')
        return refuse(why, "not a path");
    size_t end = strcspn(p, "?#");
    if (end > GW_URI_MAX)
        return refuse(why, "longer than GW_URI_MAX");

    /* Segment by segment: out holds "/seg/seg" (w bytes, "" for the root),
     * each segment decoded as it is copied. A "." or ".." segment, raw or
     * encoded, is refused rather than resolved: browsers resolve them (and
     * their %2e forms) before sending, so only a hand-made request has one,
     * and an upstream that routes on the raw path would place
     * "/admin/%2e%2e/public" under /admin/ while the rules saw /public.
     * Runs of '/' are merged, as nginx does before choosing a location. */
    size_t w = 0;
    int trailing = 0; /* the path ends in '/' */
    size_t i = 1;
    for (;;) {
        size_t seg = w + 1, k = 0;
        for (; i < end && p[i] != '/'; i++) {
            unsigned char c = (unsigned char)p[i];
            const char *bad = raw_refusal(c);
            if (bad)
                return refuse(why, bad);
            if (c == '%') {
                int hi = i + 1 < end ? hex_digit_value(p[i + 1]) : -1;
                int lo = hi >= 0 && i + 2 < end ? hex_digit_value(p[i + 2]) : -1;
                if (hi < 0 || lo < 0)
                    return refuse(why, "a bad percent escape");
                c = (unsigned char)(hi * 16 + lo);
                if ((bad = decoded_refusal(c)) != NULL)
                    return refuse(why, bad);
                i += 2;
            }
            /* Room for this byte and the NUL. */
            if (seg + k + 1 >= outsz)
                return refuse(why, "longer than the output buffer");
            out[seg + k++] = (char)c;
        }
        int last = i >= end;
        if ((k == 1 && out[seg] == '.') || (k == 2 && out[seg] == '.' && out[seg + 1] == '.'))
            return refuse(why, "a dot segment");
        if (k == 0) {
            trailing = last;
        } else {
            out[w] = '/';
            w = seg + k;
            trailing = 0;
        }
        if (last)
            break;
        i++; /* the '/' */
    }
    if (w == 0 || trailing) {
        if (w + 1 >= outsz)
            return refuse(why, "longer than the output buffer");
        out[w++] = '/';
    }
    out[w] = '\0';
    return 0;
}
