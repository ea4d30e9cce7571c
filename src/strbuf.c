/* libkinde's build of common/strbuf.c: internal.h defines STRBUF_LIBKINDE,
 * which selects the allocator hooks and the hidden kinde__strbuf_* names. */
#include "internal.h"

#include "../common/strbuf.c"
