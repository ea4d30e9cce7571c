/* The HTML of every page. Pages take plain view structs, not SDK objects,
 * and escape every value they print. */
#ifndef WEBAPP_PAGES_H
#define WEBAPP_PAGES_H

#include <stddef.h>

#include "strbuf.h"

/* Who is signed in, as the navigation bar shows it; NULL = signed out. */
typedef struct page_user {
    const char *full_name;
    const char *initials;
    const char *email;
    const char *csrf;      /* for the sign-out form */
} page_user;

/* "DS" for Dave Smith: the first character (a whole UTF-8 sequence) of the
 * given and the family name, upper-cased when ASCII; falls back to the
 * email, then "?". out must hold at least 16 bytes. */
void page_initials(const char *given, const char *family, const char *email, char *out,
                   size_t outsz);

/* Home: the hero with Sign in / Sign up when user is NULL, else the
 * "all sorted" card and a link to /details. */
void page_home(strbuf *out, const page_user *user);

/* The details page, written as it is read: page_details_begin, then for
 * each section page_section_begin, its rows, page_section_end, then
 * page_details_end. Rows are any number of cells, each escaped; no sizes to
 * count and no arrays to fill. */
void page_details_begin(strbuf *out, const page_user *user);
void page_details_end(strbuf *out);

typedef struct page_section {
    strbuf *out;
    const char *const *headers;
    size_t ncols;
    size_t nrows;
    size_t col;      /* cells written in the current row */
} page_section;

/* <section id=...><h2>title</h2> and the intro (NULL: none), all escaped.
 * headers: ncols column names, borrowed until page_section_end. */
void page_section_begin(page_section *t, strbuf *out, const char *id, const char *title,
                        const char *intro, const char *const *headers, size_t ncols);
/* The next cell; a new row starts after ncols of them. NULL shows "(none)". */
void page_cell(page_section *t, const char *text);
/* A cell whose text is a copy of text with the end appended ("5 (default)"). */
void page_cell2(page_section *t, const char *text, const char *end);
/* Closes the table, or says `empty` when no row was written. */
void page_section_end(page_section *t, const char *empty);

/* A friendly error: what happened, the reason code, and the ways back. */
void page_error(strbuf *out, const page_user *user, const char *title, const char *message,
                const char *reason, int offer_sign_in);

#endif
