/* Differential: the token payload parser (src/jsonscan.c) against jansson on
 * the same bytes. Two parsers that disagree about a token are an attack, so
 * any disagreement aborts: one accepts what the other refuses, or both
 * accept and any value differs (type, integer, the bits of a real, string
 * bytes, member names and order), or the compact JSON text get_claim and
 * kinde_verify_token hand out differs from jansson's dump of the same value.
 *
 * jansson is asked what the library asked of it before jsonscan.c existed:
 * json_loadb with JSON_REJECT_DUPLICATES, an object at the top, nesting no
 * deeper than KINDE__JSON_DEPTH (jws.c checked that before parsing).
 *
 * One known difference, where jansson is wrong: its lexer loses a NUL byte
 * it pushes back after a number or a literal (its one-character push-back
 * buffer reads NUL as empty), so jansson 2.14 accepts {"exp":1<NUL>}. No
 * NUL byte is valid anywhere in JSON text (in a string it is a control
 * character, outside one it is not whitespace), so an input holding one
 * must be refused by jsonscan.c and is not compared with jansson. The
 * campaign's first finding; the input is in the corpus. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens are capped at 16 KiB, session records at 64 KiB. */
#define DIFF_MAX_INPUT (64 * 1024)

static void mismatch(const char *what, const uint8_t *data, size_t size)
{
    fprintf(stderr, "json_diff: %s on %zu bytes: %.*s\n", what, size, (int)(size > 200 ? 200 : size),
            (const char *)data);
    abort();
}

static int depth_of(const json_t *v)
{
    int deepest = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            int d = depth_of(m);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            int d = depth_of(m);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    return 0;
}

/* 1 when a and j hold the same value. */
static int same(const kinde__jval *a, const json_t *j)
{
    switch (a->type) {
    case KINDE__J_NULL:
        return json_is_null(j);
    case KINDE__J_TRUE:
        return json_is_true(j);
    case KINDE__J_FALSE:
        return json_is_false(j);
    case KINDE__J_INT:
        return json_is_integer(j) && json_integer_value(j) == a->v.i;
    case KINDE__J_REAL: {
        /* The same number with the same sign: 0 == -0, but "-0.0" must stay
         * negative. A NaN equals nothing: JSON has none and jansson refuses
         * to hold one, so a NaN from jsonscan.c is a mismatch. */
        double d = json_is_real(j) ? json_real_value(j) : 0;
        return json_is_real(j) && d == a->v.d && !signbit(d) == !signbit(a->v.d);
    }
    case KINDE__J_STRING:
        return json_is_string(j) && json_string_length(j) == a->n &&
               memcmp(json_string_value(j), a->v.s, a->n) == 0 && a->v.s[a->n] == '\0';
    case KINDE__J_ARRAY: {
        if (!json_is_array(j) || json_array_size(j) != a->n)
            return 0;
        const kinde__jval *e = a + 1;
        for (uint32_t i = 0; i < a->n; i++, e = kinde__jnext(e))
            if (!same(e, json_array_get(j, i)))
                return 0;
        return 1;
    }
    case KINDE__J_OBJECT: {
        if (!json_is_object(j) || json_object_size(j) != a->n)
            return 0;
        /* Both keep members in document order: walk them side by side. */
        const kinde__jval *k = a + 1;
        void *it = json_object_iter((json_t *)j);
        for (uint32_t m = 0; m < a->n; m++, k = kinde__jnext(k + 1), it = json_object_iter_next((json_t *)j, it)) {
            if (!it || k->type != KINDE__J_STRING || json_object_iter_key_len(it) != k->n ||
                memcmp(json_object_iter_key(it), k->v.s, k->n) != 0 ||
                !same(k + 1, json_object_iter_value(it)))
                return 0;
        }
        return it == NULL;
    }
    default:
        return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > DIFF_MAX_INPUT)
        return 0;
    /* jsonscan.c decodes strings in place: give it its own copy. */
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    kinde__jdoc *doc = NULL;
    const char *why = NULL;
    int rc = kinde__jdoc_parse(copy, size, &doc, &why);
    free(copy);

    if (memchr(data, '\0', size)) {
        if (rc == 0)
            mismatch("jsonscan accepts a NUL byte", data, size);
        kinde__jdoc_free(doc);
        return 0;
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    int j_ok = json_is_object(j) && depth_of(j) <= KINDE__JSON_DEPTH;

    if (rc == -2) /* out of memory: no answer to compare */
        goto done;
    if ((rc == 0) != j_ok)
        mismatch(rc == 0 ? "jsonscan accepts what jansson refuses" : "jsonscan refuses what jansson accepts",
                 data, size);
    if (rc == 0) {
        if (!same(kinde__jroot(doc), j))
            mismatch("the parsed values differ", data, size);
        char *ours = kinde__jtext(kinde__jroot(doc));
        char *theirs = json_dumps(j, JSON_COMPACT);
        if (ours && theirs && strcmp(ours, theirs) != 0) {
            fprintf(stderr, "ours:   %s\ntheirs: %s\n", ours, theirs);
            mismatch("the JSON texts differ", data, size);
        }
        kinde__free(ours);
        free(theirs);
        if (!kinde__jequal(kinde__jroot(doc), kinde__jroot(doc)))
            mismatch("a document is not equal to itself", data, size);
    }
done:
    kinde__jdoc_free(doc);
    json_decref(j);
    return 0;
}
