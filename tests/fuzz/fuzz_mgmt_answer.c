/* A Management API answer: the first byte picks the HTTP status, the rest
 * is the body, read as an error answer (Kinde's errors:[{code,message}])
 * or a success answer (a JSON object, next_token). */
#include "mgmt_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const long statuses[] = {200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 501};
    long status = statuses[data[0] % 11];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    kinde_error err;
    if (status >= 200 && status <= 299) {
        char *answer = NULL, *next = NULL;
        if (kinde__mgmt_success_answer(body, len, &answer, &next, &err) == KINDE_OK) {
            kinde_free(answer);
            kinde_free(next);
        }
    } else {
        (void)kinde__mgmt_error_answer(status, body, len, "fuzz", &err);
    }
    return 0;
}
