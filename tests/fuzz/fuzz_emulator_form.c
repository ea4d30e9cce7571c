/* The emulator's query string and form body parser (tools/emulator/form.c),
 * with the escaping helpers its replies use.
 *
 * Checked on every input:
 *  - a rejected input leaves an empty form;
 *  - an accepted one has at most EMU_FORM_MAX_PAIRS pairs, non-empty keys,
 *    and no NUL inside any key or value;
 *  - emu_form_get finds the first value and flags repeats, emu_form_all
 *    returns every value in order;
 *  - re-encoding the pairs with strbuf_add_urlenc and parsing the result
 *    gives the same pairs back;
 *  - HTML escaping leaves no markup characters. */
/* fuzz-parser: form.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"

static void check_html(const char *s)
{
    strbuf h = {0};
    strbuf_add_html(&h, s);
    char *out = strbuf_take(&h, NULL);
    if (out && strpbrk(out, "<>\"'"))
        __builtin_trap();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emu_form f;
    if (emu_form_parse((const char *)data, size, &f) != 0) {
        if (f.count != 0 || f.items != NULL)
            __builtin_trap();
        return 0;
    }
    if (f.count > EMU_FORM_MAX_PAIRS)
        __builtin_trap();

    strbuf again = {0};
    for (size_t i = 0; i < f.count; i++) {
        const char *k = f.items[i].key, *v = f.items[i].value;
        if (!k || !v || !*k || strlen(k) > size || strlen(v) > size)
            __builtin_trap();
        int dup = -1;
        const char *first = emu_form_get(&f, k, &dup);
        size_t first_at = 0;
        while (strcmp(f.items[first_at].key, k) != 0)
            first_at++;
        if (first != f.items[first_at].value)
            __builtin_trap();
        const char *all[EMU_FORM_MAX_PAIRS];
        size_t n = emu_form_all(&f, k, all, EMU_FORM_MAX_PAIRS);
        if (n == 0 || all[0] != first || (dup == 1) != (n > 1))
            __builtin_trap();
        check_html(v);

        if (i)
            strbuf_adds(&again, "&");
        strbuf_add_urlenc(&again, k);
        strbuf_adds(&again, "=");
        strbuf_add_urlenc(&again, v);
    }
    if (emu_form_get(&f, "", NULL) != NULL) /* keys are never empty */
        __builtin_trap();

    size_t len = again.len;
    char *text = strbuf_take(&again, NULL);
    if (text) {
        emu_form g;
        if (emu_form_parse(text, len, &g) != 0 || g.count != f.count)
            __builtin_trap();
        for (size_t i = 0; i < f.count; i++)
            if (strcmp(f.items[i].key, g.items[i].key) != 0 || strcmp(f.items[i].value, g.items[i].value) != 0)
                __builtin_trap();
        emu_form_free(&g);
        free(text);
    }

    char *b = emu_b64url(data, size);
    if (b && strlen(b) != (size * 4 + 2) / 3)
        __builtin_trap();
    free(b);
    emu_form_free(&f);
    return 0;
}
