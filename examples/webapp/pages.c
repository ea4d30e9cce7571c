#include "pages.h"

#include <string.h>

/* Length of the UTF-8 sequence starting at s (1 for anything malformed). */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = 1;
    if (s[0] >= 0xf0)
        n = 4;
    else if (s[0] >= 0xe0)
        n = 3;
    else if (s[0] >= 0xc0)
        n = 2;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

static size_t first_char(const char *s, char *out, size_t room)
{
    if (!s || !*s)
        return 0;
    size_t n = utf8_len((const unsigned char *)s);
    if (n >= room)
        return 0;
    memcpy(out, s, n);
    if (n == 1 && out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    return n;
}

void page_initials(const char *given, const char *family, const char *email, char *out,
                   size_t outsz)
{
    if (!out || outsz == 0)
        return;
    size_t o = first_char(given, out, outsz);
    o += first_char(family, out + o, outsz - o);
    if (o == 0)
        o = first_char(email, out, outsz);
    if (o == 0 && outsz > 1)
        out[o++] = '?';
    out[o < outsz ? o : outsz - 1] = '\0';
}

static void head(strbuf *b, const char *title, const page_user *user)
{
    strbuf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    strbuf_add_html(b, title);
    strbuf_adds(b, " · kinde-c</title>\n"
                "<link rel=\"stylesheet\" href=\"/static/styles.css\">\n"
                "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
                "</head>\n<body>\n<header class=\"topbar\">\n<nav class=\"nav wrap\">\n"
                "<a class=\"brand\" href=\"/\"><span class=\"brand-mark\">K</span>kinde-c</a>\n");
    if (!user) {
        strbuf_adds(b, "<div class=\"nav-actions\" data-view=\"signed-out\">\n"
                    "<a id=\"login\" class=\"button button-quiet\" href=\"/login\">Sign in</a>\n"
                    "<a id=\"register\" class=\"button button-dark\" href=\"/register\">Sign up</a>\n"
                    "</div>\n");
    } else {
        strbuf_adds(b, "<div class=\"nav-actions profile\" data-view=\"signed-in\">\n"
                    "<span class=\"avatar\" id=\"avatar\" aria-hidden=\"true\">");
        strbuf_add_html(b, user->initials);
        strbuf_adds(b, "</span>\n<div class=\"profile-text\">\n<span class=\"profile-name\" id=\"user-name\">");
        strbuf_add_html(b, user->full_name);
        strbuf_adds(b, "</span>\n<form method=\"post\" action=\"/logout\" class=\"logout-form\">\n"
                    "<input type=\"hidden\" name=\"csrf\" value=\"");
        strbuf_add_html(b, user->csrf);
        strbuf_adds(b, "\">\n<button id=\"logout\" type=\"submit\" class=\"link-button\">Sign out</button>\n"
                    "</form>\n</div>\n</div>\n");
    }
    strbuf_adds(b, "</nav>\n</header>\n<main class=\"wrap\">\n");
}

static void foot(strbuf *b)
{
    strbuf_adds(b, "</main>\n<footer class=\"footer wrap\">\n<strong>kinde-c</strong>\n"
                "<p>The Kinde SDK for C. Read the <a class=\"link\" href=\"https://docs.kinde.com\" "
                "rel=\"noreferrer\">Kinde docs</a>.</p>\n"
                "<small>Demo app: sessions stay on the server, the browser holds only an "
                "opaque id.</small>\n</footer>\n</body>\n</html>\n");
}

void page_home(strbuf *out, const page_user *user)
{
    head(out, user ? "Home" : "Sign in", user);
    if (!user) {
        strbuf_adds(out,
                 "<section class=\"card hero\" id=\"hero\">\n"
                 "<p class=\"eyebrow\">kinde-c demo</p>\n"
                 "<h1 class=\"display\">Let's start authenticating<br>with Kinde</h1>\n"
                 "<p class=\"tagline\">A C web app, signed in by the Kinde SDK for C.</p>\n"
                 "<div class=\"hero-actions\">\n"
                 "<a class=\"button button-light button-big\" href=\"/login\">Sign in</a>\n"
                 "<a class=\"button button-outline button-big\" href=\"/register\">Sign up</a>\n"
                 "</div>\n"
                 "<p class=\"hero-more\"><a class=\"link\" href=\"/create-org\">"
                 "Or create an organization</a></p>\n"
                 "</section>\n");
    } else {
        strbuf_adds(out, "<section class=\"card welcome\" id=\"welcome\">\n"
                      "<p class=\"eyebrow\">Woohoo, ");
        strbuf_add_html(out, user->full_name);
        strbuf_adds(out, "!</p>\n<h1 class=\"display\">Your authentication is all sorted.<br>"
                      "Build the important stuff.</h1>\n</section>\n"
                      "<section class=\"next\">\n<h2>Next steps for you</h2>\n<ul class=\"tiles\">\n"
                      "<li><a class=\"tile\" id=\"details-link\" href=\"/details\"><strong>"
                      "Your tokens, up close</strong><span>Claims, permissions, organizations, "
                      "roles, feature flags and your profile.</span></a></li>\n"
                      "<li><a class=\"tile\" href=\"/create-org\"><strong>Create an organization"
                      "</strong><span>Sign up again with a new organization.</span></a></li>\n"
                      "</ul>\n</section>\n");
    }
    foot(out);
}

void page_details_begin(strbuf *out, const page_user *user)
{
    head(out, "Details", user);
    strbuf_adds(out, "<section class=\"card banner\">\n<h1 class=\"display-small\">What Kinde told us "
                  "about you</h1>\n<p>Read from your verified tokens by the SDK, on the server. "
                  "The tokens themselves never reach your browser.</p>\n</section>\n");
}

void page_details_end(strbuf *out)
{
    foot(out);
}

void page_section_begin(page_section *t, strbuf *out, const char *id, const char *title,
                        const char *intro, const char *const *headers, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    t->headers = headers;
    t->ncols = ncols ? ncols : 1;
    strbuf_adds(out, "<section class=\"panel\" id=\"");
    strbuf_add_html(out, id);
    strbuf_adds(out, "\">\n<h2>");
    strbuf_add_html(out, title);
    strbuf_adds(out, "</h2>\n");
    if (intro) {
        strbuf_adds(out, "<p class=\"muted\">");
        strbuf_add_html(out, intro);
        strbuf_adds(out, "</p>\n");
    }
}

/* Opens a cell: the table's head before the first row, <tr> before each. */
static void cell_open(page_section *t)
{
    strbuf *out = t->out;
    if (t->col == 0) {
        if (t->nrows == 0) {
            strbuf_adds(out, "<table>\n<thead><tr>");
            for (size_t c = 0; c < t->ncols; c++) {
                strbuf_adds(out, "<th>");
                strbuf_add_html(out, t->headers ? t->headers[c] : NULL);
                strbuf_adds(out, "</th>");
            }
            strbuf_adds(out, "</tr></thead>\n<tbody>\n");
        }
        strbuf_adds(out, "<tr>");
    }
    strbuf_adds(out, t->col == 0 ? "<th scope=\"row\"><code>" : "<td>");
}

static void cell_close(page_section *t)
{
    strbuf_adds(t->out, t->col == 0 ? "</code></th>" : "</td>");
    if (++t->col == t->ncols) {
        strbuf_adds(t->out, "</tr>\n");
        t->col = 0;
        t->nrows++;
    }
}

void page_cell(page_section *t, const char *text)
{
    cell_open(t);
    strbuf_add_html(t->out, text ? text : "(none)");
    cell_close(t);
}

void page_cell2(page_section *t, const char *text, const char *end)
{
    cell_open(t);
    strbuf_add_html(t->out, text);
    strbuf_add_html(t->out, end);
    cell_close(t);
}

void page_section_end(page_section *t, const char *empty)
{
    strbuf *out = t->out;
    while (t->col != 0) /* a short last row: filled, so the table stays square */
        page_cell(t, "");
    if (t->nrows == 0) {
        strbuf_adds(out, "<p class=\"empty\">");
        strbuf_add_html(out, empty ? empty : "Nothing here.");
        strbuf_adds(out, "</p>\n</section>\n");
        return;
    }
    strbuf_adds(out, "</tbody>\n</table>\n</section>\n");
}

void page_error(strbuf *out, const page_user *user, const char *title, const char *message,
                const char *reason, int offer_sign_in)
{
    head(out, title, user);
    strbuf_adds(out, "<section class=\"card problem\" id=\"error\">\n<p class=\"eyebrow\">"
                  "Something went wrong</p>\n<h1 class=\"display-small\">");
    strbuf_add_html(out, title);
    strbuf_adds(out, "</h1>\n<p class=\"tagline\">");
    strbuf_add_html(out, message);
    strbuf_adds(out, "</p>\n");
    if (reason && *reason) {
        strbuf_adds(out, "<p class=\"reason\">Reason: <code id=\"reason\">");
        strbuf_add_html(out, reason);
        strbuf_adds(out, "</code></p>\n");
    }
    strbuf_adds(out, "<div class=\"hero-actions\">\n");
    if (offer_sign_in)
        strbuf_adds(out, "<a class=\"button button-light\" href=\"/login\">Try signing in again</a>\n");
    strbuf_adds(out, "<a class=\"button button-outline\" href=\"/\">Back to the home page</a>\n"
                  "</div>\n</section>\n");
    foot(out);
}
