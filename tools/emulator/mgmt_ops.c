/* The Management API's operations, derived from Kinde's spec by
 * gen-mgmt-ops.sh: what the router matches, what the scope check asks for,
 * and what the data file's management_api.scopes may name. */
#include "emulator.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const emu_mgmt_op emu_mgmt_ops[] = {
#include "mgmt_ops.inc"
};
const size_t emu_mgmt_n_ops = sizeof emu_mgmt_ops / sizeof emu_mgmt_ops[0];

int emu_mgmt_known_scope(const char *scope)
{
    for (size_t i = 0; scope && *scope && i < emu_mgmt_n_ops; i++)
        if (strcmp(emu_mgmt_ops[i].scope, scope) == 0)
            return 1;
    return 0;
}

/* How well path matches the template: -1 not at all, else the number of
 * literal segments (so /api_keys/verify beats /api_keys/{key_id}). The
 * parameters are copied into params. */
static int match(const char *tmpl, const char *path, char params[][EMU_MGMT_PARAM_MAX])
{
    int literal = 0, np = 0;
    while (*tmpl && *path) {
        if (*tmpl++ != '/' || *path++ != '/')
            return -1;
        size_t tl = strcspn(tmpl, "/"), pl = strcspn(path, "/");
        if (pl == 0)
            return -1;
        if (tmpl[0] == '{') {
            if (np == EMU_MGMT_MAX_PARAMS || pl >= EMU_MGMT_PARAM_MAX)
                return -1;
            memcpy(params[np], path, pl);
            params[np++][pl] = '\0';
        } else if (tl == pl && memcmp(tmpl, path, tl) == 0) {
            literal++;
        } else {
            return -1;
        }
        tmpl += tl;
        path += pl;
    }
    return *tmpl || *path ? -1 : literal;
}

const emu_mgmt_op *emu_mgmt_find(const char *method, const char *path,
                                 char params[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX], int *path_known)
{
    const emu_mgmt_op *op = NULL;
    int best = -1;
    char found[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX];
    *path_known = 0;
    for (size_t i = 0; i < emu_mgmt_n_ops; i++) {
        int score = match(emu_mgmt_ops[i].path, path, found);
        if (score < 0)
            continue;
        *path_known = 1;
        if (strcmp(emu_mgmt_ops[i].method, method) == 0 && score > best) {
            best = score;
            op = &emu_mgmt_ops[i];
            memcpy(params, found, sizeof found);
        }
    }
    return op;
}

int emu_mgmt_page_params(const char *page_size, const char *next_token, size_t *from, size_t *size)
{
    char *end;
    *size = EMU_MGMT_PAGE_DEFAULT;
    *from = 0;
    if (page_size && *page_size) {
        long v = strtol(page_size, &end, 10);
        if (*end || end == page_size || v < 1 || v > EMU_MGMT_PAGE_MAX)
            return -1;
        *size = (size_t)v;
    }
    if (next_token && *next_token) {
        /* Opaque to clients; here "p" and the offset of the next item. */
        if (next_token[0] != 'p' || next_token[1] < '0' || next_token[1] > '9')
            return -2;
        errno = 0;
        unsigned long long v = strtoull(next_token + 1, &end, 10);
        if (*end || errno || v > (unsigned long long)(SIZE_MAX / 2))
            return -2;
        *from = (size_t)v;
    }
    return 0;
}

const char *emu_mgmt_template(const char *path)
{
    const char *best = NULL;
    int best_score = -1;
    char found[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX];
    for (size_t i = 0; i < emu_mgmt_n_ops; i++) {
        int score = match(emu_mgmt_ops[i].path, path, found);
        if (score > best_score) {
            best_score = score;
            best = emu_mgmt_ops[i].path;
        }
    }
    return best;
}
