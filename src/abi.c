/* The structs that grow (docs/ABI.md): the caller passes the size of the
 * struct as its kinde.h defined it, which may be older or newer than ours.
 * Only the bytes both sides know are exchanged. */
#include "internal.h"

#include <string.h>

kinde_code kinde__struct_in(void *ours, size_t our_size, const void *theirs, size_t their_size,
                            size_t first_size, kinde_code code, const char *what,
                            kinde_error *err)
{
    /* Smaller than the first published layout: not a size from any kinde.h. */
    if (their_size < first_size)
        return kinde__fail(err, KINDE_E_INVALID_ARGUMENT,
                           "%s: size %zu is smaller than any version of the struct", what,
                           their_size);
    /* A newer program: what it set beyond our layout would be ignored, so it
     * must be nothing (the rule of Linux's extensible system-call structs). */
    const unsigned char *p = theirs;
    for (size_t i = our_size; i < their_size; i++)
        if (p[i])
            return kinde__fail(err, code,
                               "%s: a member at byte %zu is set that this libkinde %s does "
                               "not know; the program needs a newer libkinde",
                               what, i, KINDE_VERSION_STRING);
    memcpy(ours, theirs, their_size < our_size ? their_size : our_size);
    return KINDE_OK;
}

void kinde__struct_out(void *theirs, size_t their_size, const void *ours, size_t our_size)
{
    memcpy(theirs, ours, their_size < our_size ? their_size : our_size);
    if (their_size > our_size)
        memset((unsigned char *)theirs + our_size, 0, their_size - our_size);
}
