/* json-c's parse for json_libs.c (its headers clash with jansson's): strict
 * mode, UTF-8 checked, the whole input one object. */
#include <json-c/json.h>
int p_jsonc(const char *s, size_t n);
int p_jsonc(const char *s, size_t n){json_tokener *t=json_tokener_new();json_tokener_set_flags(t,JSON_TOKENER_STRICT|JSON_TOKENER_VALIDATE_UTF8);
 struct json_object *o=json_tokener_parse_ex(t,s,(int)n);int ok=o&&json_tokener_get_error(t)==json_tokener_success&&json_object_is_type(o,json_type_object)&&json_tokener_get_parse_end(t)==n;json_object_put(o);json_tokener_free(t);return ok;}
