/* The Management API's operations, derived from Kinde's spec by
 * gen-mgmt-ops.sh: what the router matches, what the scope check asks for,
 * and what the data file's management_api.scopes may name. */
#include "emulator.h"

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
