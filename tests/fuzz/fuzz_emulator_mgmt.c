/* The emulator's Management API request parsing (tools/emulator/mgmt_ops.c):
 * the operation a method and path match, and the paging parameters.
 *
 * Input: "METHOD PATH" on the first line, then page_size and next_token on
 * the next two (each may be absent). Checked on every input:
 *  - a matched operation has the method asked for, and its path template
 *    with the parameters put back gives exactly the path (so parameters
 *    never swallow a '/' and literal segments match whole);
 *  - page parameters accepted are within 1..500, and a next_token accepted
 *    is "p" and digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"

/* The line at *p (up to '\n' or the end) as a NUL-terminated copy; NULL at the end. */
static char *line(const uint8_t **p, const uint8_t *end)
{
    if (*p >= end)
        return NULL;
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = (size_t)((nl ? nl : end) - *p);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, *p, n);
        s[n] = '\0';
    }
    *p = nl ? nl + 1 : end;
    return s;
}

static void check_rebuild(const emu_mgmt_op *op, char params[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX],
                          const char *path)
{
    strbuf s = {0};
    int np = 0;
    for (const char *t = op->path; *t;) {
        if (*t == '{') {
            const char *close = strchr(t, '}');
            if (!close || np == EMU_MGMT_MAX_PARAMS || strchr(params[np], '/') || !params[np][0])
                __builtin_trap();
            strbuf_adds(&s, params[np++]);
            t = close + 1;
        } else {
            strbuf_add(&s, t, 1);
            t++;
        }
    }
    char *rebuilt = strbuf_take(&s, NULL);
    if (rebuilt && strcmp(rebuilt, path) != 0)
        __builtin_trap();
    free(rebuilt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *first = line(&p, end);
    char *page_size = line(&p, end);
    char *next_token = line(&p, end);
    char *space = first ? strchr(first, ' ') : NULL;
    if (space) {
        *space = '\0';
        const char *method = first, *path = space + 1;
        char params[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX];
        int known = 0;
        const emu_mgmt_op *op = emu_mgmt_find(method, path, params, &known);
        if (op) {
            if (!known || strcmp(op->method, method) != 0)
                __builtin_trap();
            check_rebuild(op, params, path);
        }
    }
    size_t from = 0, n = 0;
    int rc = emu_mgmt_page_params(page_size, next_token, &from, &n);
    if (rc == 0 && (n < 1 || n > EMU_MGMT_PAGE_MAX))
        __builtin_trap();
    if (rc == 0 && next_token && *next_token && (next_token[0] != 'p' || strspn(next_token + 1, "0123456789") != strlen(next_token + 1)))
        __builtin_trap();
    if (rc != 0 && rc != -1 && rc != -2)
        __builtin_trap();
    free(first);
    free(page_size);
    free(next_token);
    return 0;
}
