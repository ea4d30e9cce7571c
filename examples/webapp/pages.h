/* The HTML of every page. Pages take plain view structs, not SDK objects,
 * and escape every value they print. */
#ifndef WEBAPP_PAGES_H
#define WEBAPP_PAGES_H

#include <stddef.h>

#include "buf.h"

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
void page_home(buf *out, const page_user *user);

/* A table on the details page: up to 4 columns, every cell escaped. */
#define PAGE_COLS 4
typedef struct page_row {
    const char *cells[PAGE_COLS];
} page_row;

typedef struct page_table {
    const char *id;          /* HTML id of the section, for tests and links */
    const char *title;
    const char *intro;       /* may be NULL */
    const char *headers[PAGE_COLS];
    size_t ncols;
    const page_row *rows;
    size_t nrows;
    const char *empty;       /* shown when nrows == 0 */
} page_table;

void page_details(buf *out, const page_user *user, const page_table *tables, size_t ntables);

/* A friendly error: what happened, the reason code, and the ways back. */
void page_error(buf *out, const page_user *user, const char *title, const char *message,
                const char *reason, int offer_sign_in);

#endif
