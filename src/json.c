/* jansson with the limits that outside input needs. */
#include "internal.h"

#include <string.h>

/* Kinde's largest answers (token responses with three tokens) are a few KiB;
 * anything near this is hostile or broken. */
#define KINDE_JSON_MAX (256 * 1024)

json_t *kinde__json_parse_object(const char *text, size_t len, kinde_code code,
                                 const char *what, kinde_error *err)
{
    return kinde__json_parse_object_max(text, len, KINDE_JSON_MAX, code, what, err);
}

json_t *kinde__json_parse_object_max(const char *text, size_t len, size_t max, kinde_code code,
                                     const char *what, kinde_error *err)
{
    if (!text) {
        kinde__fail(err, code, "%s: no body", what);
        return NULL;
    }
    if (len > max) {
        kinde__fail(err, code, "%s: %zu bytes is too large", what, len);
        return NULL;
    }
    json_error_t jerr;
    kinde__json_hooks();
    kinde__json_alloc_failed(1);
    /* jansson caps nesting depth itself (JSON_PARSER_MAX_DEPTH, 2048). */
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    /* Checked even on success: jansson's lexer drops characters it could not
     * allocate room for and carries on, returning a silently altered value. */
    if (kinde__json_alloc_failed(1) || (!v && json_error_code(&jerr) == json_error_out_of_memory)) {
        json_decref(v);
        kinde__fail(err, KINDE_E_NOMEM, "%s: out of memory while parsing", what);
        return NULL;
    }
    if (!v) {
        kinde__fail(err, code, "%s: not JSON (%s at %d)", what, jerr.text, jerr.position);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        kinde__fail(err, code, "%s: not a JSON object", what);
        return NULL;
    }
    return v;
}

const char *kinde__json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *kinde__json_text(const json_t *v, size_t flags)
{
    /* Written into a block of the library's own: jansson's blocks carry a
     * header of its hooks (alloc.c) and must not be handed out to be freed
     * with kinde_free(). Most claims fit the stack buffer, so one encoding
     * pass; a larger value is measured by the first pass and written by a
     * second. */
    char small[512];
    size_t n = v ? json_dumpb(v, small, sizeof small, flags) : 0;
    char *out = n ? kinde__malloc(n + 1) : NULL;
    if (!out)
        return NULL;
    if (n <= sizeof small)
        memcpy(out, small, n);
    else if (json_dumpb(v, out, n, flags) != n) {
        kinde__free_wiped(out, n);
        return NULL;
    }
    out[n] = '\0';
    kinde__wipe(small, n < sizeof small ? n : sizeof small); /* claims may be personal data */
    return out;
}
