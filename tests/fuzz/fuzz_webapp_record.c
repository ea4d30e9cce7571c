/* The web app's stored session record (what a tampered store could hold). */
/* fuzz-parser: record.c */
#include <stdint.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    web_record r;
    if (record_decode((const char *)data, size, &r) == 0) {
        /* What decodes must encode back to the same bytes. */
        buf b;
        buf_init(&b);
        record_encode(&r, &b);
        if (buf_ok(&b) && (b.len != size || memcmp(b.data, data, size) != 0))
            __builtin_trap();
        buf_free(&b);
    }
    record_free(&r);
    return 0;
}
