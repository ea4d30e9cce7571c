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
        strbuf b;
        strbuf_init(&b);
        record_encode(&r, &b);
        if (strbuf_ok(&b) && (b.len != size || memcmp(b.data, data, size) != 0))
            __builtin_trap();
        strbuf_free(&b);
    }
    record_free(&r);
    return 0;
}
