/* Feature flags, with the seed SDK's exact semantics and messages. */
#include "internal.h"

#include <string.h>

static const char *type_name(kinde_flag_type t)
{
    switch (t) {
    case KINDE_FLAG_STRING: return "string";
    case KINDE_FLAG_BOOLEAN: return "boolean";
    case KINDE_FLAG_INTEGER: return "integer";
    default: return "unknown";
    }
}

/* A flag entry {"t": "s"|"b"|"i", "v": value} of the right JSON shape, or
 * 0 when the entry is not one we can read. */
static int read_entry(const kinde__jval *entry, kinde_flag *out)
{
    const char *t = kinde__jget_str(entry, "t");
    const kinde__jval *v = kinde__jget(entry, "v");
    if (!t || !v || t[0] == '\0' || t[1] != '\0')
        return 0;
    switch (t[0]) {
    case 's':
        if (v->type != KINDE__J_STRING)
            return 0;
        out->type = KINDE_FLAG_STRING;
        out->string_value = v->v.s;
        return 1;
    case 'b':
        if (v->type != KINDE__J_TRUE && v->type != KINDE__J_FALSE)
            return 0;
        out->type = KINDE_FLAG_BOOLEAN;
        out->bool_value = v->type == KINDE__J_TRUE;
        return 1;
    case 'i':
        if (v->type != KINDE__J_INT)
            return 0;
        out->type = KINDE_FLAG_INTEGER;
        out->int_value = v->v.i;
        return 1;
    default:
        return 0;
    }
}

kinde_code kinde_get_flag(const kinde_session *s, const char *code,
                          const kinde_flag *default_value, kinde_flag_type requested,
                          kinde_flag *out, kinde_error *err)
{
    if (!s || !code || !out)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT, "session, code and out are required");
    if (!s->access_claims)
        return kinde__fail(err, KINDE_E_NOT_AUTHENTICATED, "no tokens in this session");
    kinde_flag found;
    memset(&found, 0, sizeof found);
    const kinde__jval *entry = kinde__jget(s->flags, code);
    if (entry && read_entry(entry, &found)) {
        if (requested != KINDE_FLAG_ANY && requested != found.type)
            return kinde__fail(err, KINDE_E_FLAG_TYPE, "Flag %s is of type %s - requested type %s",
                               code, type_name(found.type), type_name(requested));
        found.code = code;
        found.is_default = 0;
        *out = found;
        return KINDE_OK;
    }
    if (!default_value)
        return kinde__fail(err, KINDE_E_FLAG_NOT_FOUND,
                           "Flag %s was not found, and no default value has been provided", code);
    if (requested != KINDE_FLAG_ANY && requested != default_value->type)
        return kinde__fail(err, KINDE_E_FLAG_TYPE, "Flag %s is of type %s - requested type %s",
                           code, type_name(default_value->type), type_name(requested));
    *out = *default_value;
    out->code = code;
    out->is_default = 1;
    return KINDE_OK;
}

kinde_code kinde_get_boolean_flag(const kinde_session *s, const char *code,
                                  const int *default_value, int *value, kinde_error *err)
{
    kinde_flag def = {.type = KINDE_FLAG_BOOLEAN}, out = {0};
    if (default_value)
        def.bool_value = *default_value != 0;
    kinde_code rc = kinde_get_flag(s, code, default_value ? &def : NULL, KINDE_FLAG_BOOLEAN, &out, err);
    if (rc == KINDE_OK && value)
        *value = out.bool_value;
    return rc;
}

kinde_code kinde_get_string_flag(const kinde_session *s, const char *code,
                                 const char *default_value, const char **value, kinde_error *err)
{
    kinde_flag def = {.type = KINDE_FLAG_STRING, .string_value = default_value}, out = {0};
    kinde_code rc = kinde_get_flag(s, code, default_value ? &def : NULL, KINDE_FLAG_STRING, &out, err);
    if (rc == KINDE_OK && value)
        *value = out.string_value;
    return rc;
}

kinde_code kinde_get_integer_flag(const kinde_session *s, const char *code,
                                  const int64_t *default_value, int64_t *value, kinde_error *err)
{
    kinde_flag def = {.type = KINDE_FLAG_INTEGER}, out = {0};
    if (default_value)
        def.int_value = *default_value;
    kinde_code rc = kinde_get_flag(s, code, default_value ? &def : NULL, KINDE_FLAG_INTEGER, &out, err);
    if (rc == KINDE_OK && value)
        *value = out.int_value;
    return rc;
}
