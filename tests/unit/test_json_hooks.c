/* A program that gave jansson an allocator of its own keeps it: the library
 * does not replace jansson's process-wide functions (it would otherwise
 * free the program's blocks with the wrong function). Its own binary, since
 * the setting is process-wide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static long program_frees;

static void *program_malloc(size_t n)
{
    return malloc(n);
}

static void program_free(void *p)
{
    if (p)
        program_frees++;
    free(p);
}

static void programs_jansson_allocator_is_kept(void **state)
{
    json_set_alloc_funcs(program_malloc, program_free);
    json_t *mine = json_pack("{s:s}", "program", "value"); /* made before the library runs */
    assert_non_null(mine);

    const char *body = "{\"access_token\":\"a.b.c\",\"token_type\":\"Bearer\",\"expires_in\":60}";
    kinde__token_response tr;
    kinde_error err;
    assert_int_equal(kinde__token_response_parse(200, body, strlen(body), &tr, &err), KINDE_OK);
    kinde__token_response_clear(&tr);

    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    assert_ptr_equal(m, program_malloc);
    assert_ptr_equal(f, program_free);
    long before = program_frees;
    json_decref(mine); /* freed by the program's own function, as it was made */
    assert_true(program_frees > before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(programs_jansson_allocator_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
