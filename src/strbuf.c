/* libkinde's build of common/strbuf.c: internal.h defines STRBUF_LIBKINDE,
 * which selects the allocator hooks and the hidden kinde__strbuf_* names. */
#include "internal.h"

// NOLINTNEXTLINE(bugprone-suspicious-include): one source, built here a second time on purpose
#include "../common/strbuf.c"
