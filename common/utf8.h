/*
 * utf8.h - well-formed UTF-8 (RFC 3629), for everything in kinde-c that must
 * tell text from bytes: libkinde's JSON scanner (src/jsonscan.c) and the
 * gateway's rules file (gateway/rules.c).
 *
 * Header-only (static inline) so that libkinde, whose internals are hidden,
 * and the programs beside it each compile their own copy with no symbol to
 * share or clash, and the scanner's hot loop keeps it inlined.
 */
#ifndef KINDE_COMMON_UTF8_H
#define KINDE_COMMON_UTF8_H

#include <stddef.h>

/* Length (2-4) of the well-formed multi-byte sequence at s, of which avail
 * bytes may be read; 0 when it is not one: an ASCII or continuation byte
 * first, a truncated sequence, an overlong form, a surrogate, or a code
 * point above U+10FFFF. */
static inline size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1Fu, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07u, min = 0x10000;
    else
        return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

#endif
