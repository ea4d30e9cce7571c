/* A stored session record, as a corrupted or hostile store might return it;
 * whatever loads is used the way an app would use it. */
/* fuzz-parser: session.c */
#include "internal.h"

#include <stdlib.h>

/* Every argument below is valid: whatever the record held, a getter may say
 * "not there" but never that it was called wrongly. */
static void getter(kinde_code rc)
{
    if (rc == KINDE_E_INVALID_ARGUMENT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kinde_session *s = NULL;
    if (kinde_session_deserialize((const char *)data, size, &s, NULL) != KINDE_OK)
        return 0;
    const char *org;
    kinde_strings list;
    kinde_user user;
    kinde_flag flag;
    char *json = NULL;
    int granted;
    getter(kinde_get_organization(s, &org, NULL));
    getter(kinde_get_permissions(s, &org, &list, NULL));
    getter(kinde_get_permission(s, "read:todos", &granted, &org, NULL));
    getter(kinde_get_user_organizations(s, &list, NULL));
    getter(kinde_get_roles(s, &list, NULL));
    getter(kinde_get_user_details(s, &user, NULL));
    getter(kinde_get_flag(s, "theme", NULL, KINDE_FLAG_ANY, &flag, NULL));
    if (kinde_get_claim(s, "sub", KINDE_ID_TOKEN, &json, NULL) == KINDE_OK)
        kinde_free(json);
    if (kinde_session_serialize(s, &json, NULL) == KINDE_OK)
        kinde_free(json);
    kinde_session_free(s);
    return 0;
}
