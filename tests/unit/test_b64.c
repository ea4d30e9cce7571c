/* base64url: RFC 4648 vectors, and the strictness that keeps one token from
 * having two spellings (SECURITY.md A3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"

static int decodes(const char *in)
{
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = kinde__b64url_decode(in, strlen(in), &out, &len);
    kinde__free(out);
    return rc;
}

static void rfc4648_vectors(void **state)
{
    /* RFC 4648 section 10, padding removed. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *e = kinde__b64url_encode((const unsigned char *)plain[i], strlen(plain[i]));
        assert_string_equal(e, coded[i]);
        kinde__free(e);
        unsigned char *d = NULL;
        size_t len = 99;
        assert_int_equal(kinde__b64url_decode(coded[i], strlen(coded[i]), &d, &len), 0);
        assert_int_equal(len, strlen(plain[i]));
        assert_memory_equal(d, plain[i], len);
        assert_int_equal(d[len], '\0'); /* the documented extra NUL */
        kinde__free(d);
    }
}

static void url_alphabet(void **state)
{
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf, 0xfe};
    char *e = kinde__b64url_encode(bytes, sizeof bytes);
    assert_string_equal(e, "-_-__g");
    kinde__free(e);
    unsigned char *d = NULL;
    size_t len;
    assert_int_equal(kinde__b64url_decode("-_-__g", 6, &d, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(d, bytes, 4);
    kinde__free(d);
}

static void round_trip_all_lengths(void **state)
{
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof buf; n++) {
        char *e = kinde__b64url_encode(buf, n);
        assert_non_null(e);
        unsigned char *d = NULL;
        size_t len;
        assert_int_equal(kinde__b64url_decode(e, strlen(e), &d, &len), 0);
        assert_int_equal(len, n);
        assert_memory_equal(d, buf, n);
        kinde__free(d);
        kinde__free(e);
    }
}

static void refuses_other_alphabets_and_padding(void **state)
{
    assert_int_equal(decodes("Zg=="), -1);     /* padding */
    assert_int_equal(decodes("Zm8="), -1);
    assert_int_equal(decodes("Zm9v="), -1);
    assert_int_equal(decodes("+/+/"), -1);     /* standard base64 alphabet */
    assert_int_equal(decodes("Zm 9v"), -1);    /* whitespace */
    assert_int_equal(decodes("Zm9v\n"), -1);
    assert_int_equal(decodes("Zm9.v"), -1);
    assert_int_equal(decodes("Zm9\xc3\xa9"), -1); /* non-ASCII */
    assert_int_equal(decodes("Z"), -1);        /* 1 mod 4: not a whole byte */
    assert_int_equal(decodes("Zm9vY"), -1);
    /* An embedded NUL ends nothing: the length says where the input stops. */
    unsigned char *d = NULL;
    size_t len;
    assert_int_equal(kinde__b64url_decode("Zm\0v", 4, &d, &len), -1);
}

static void refuses_non_canonical(void **state)
{
    /* "Zg" is the only spelling of "f"; "Zh".."Zv" differ only in unused bits. */
    assert_int_equal(decodes("Zg"), 0);
    assert_int_equal(decodes("Zh"), -1);
    assert_int_equal(decodes("Zv"), -1);
    assert_int_equal(decodes("Zm8"), 0);
    assert_int_equal(decodes("Zm9"), -1);
    assert_int_equal(decodes("Zm-"), -1);
    for (int c = 0; c < 256; c++) {
        char two[3] = {'Q', (char)c, 0};
        if (c == 0)
            continue;
        int expect = (c == 'A' || c == 'Q' || c == 'g' || c == 'w') ? 0 : -1;
        assert_int_equal(decodes(two), expect);
    }
}

static void empty_input(void **state)
{
    unsigned char *d = NULL;
    size_t len = 5;
    assert_int_equal(kinde__b64url_decode("", 0, &d, &len), 0);
    assert_int_equal(len, 0);
    assert_non_null(d);
    kinde__free(d);
    assert_int_equal(kinde__b64url_decode(NULL, 3, &d, &len), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(url_alphabet),
        cmocka_unit_test(round_trip_all_lengths),
        cmocka_unit_test(refuses_other_alphabets_and_padding),
        cmocka_unit_test(refuses_non_canonical),
        cmocka_unit_test(empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
