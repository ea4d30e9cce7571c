#include "pages.h"

static void head(strbuf *b, const char *title)
{
    strbuf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    strbuf_add_html(b, title);
    strbuf_adds(b, "</title>\n</head>\n<body>\n<main>\n<h1>");
    strbuf_add_html(b, title);
    strbuf_adds(b, "</h1>\n");
}

static void foot(strbuf *b)
{
    strbuf_adds(b, "</main>\n</body>\n</html>\n");
}

static void para(strbuf *b, const char *text)
{
    strbuf_adds(b, "<p>");
    strbuf_add_html(b, text);
    strbuf_adds(b, "</p>\n");
}

/* "Signed in as NAME (EMAIL)." */
static void who(strbuf *b, const gw_page_user *u)
{
    strbuf_adds(b, "<p id=\"user\">Signed in as <strong>");
    strbuf_add_html(b, u->name ? u->name : u->email ? u->email : "you");
    strbuf_adds(b, "</strong>");
    if (u->name && u->email) {
        strbuf_adds(b, " (");
        strbuf_add_html(b, u->email);
        strbuf_adds(b, ")");
    }
    strbuf_adds(b, ".</p>\n");
}

/* A POST form to PREFIX + action with the CSRF token, fields and a button. */
static void form(strbuf *b, const char *prefix, const char *action, const char *csrf,
                 const char *field, const char *value, const char *id, const char *button)
{
    strbuf_adds(b, "<form method=\"post\" action=\"");
    strbuf_add_html(b, prefix);
    strbuf_add_html(b, action);
    strbuf_adds(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
    strbuf_add_html(b, csrf);
    strbuf_adds(b, "\">\n");
    if (field && value) {
        strbuf_adds(b, "<input type=\"hidden\" name=\"");
        strbuf_add_html(b, field);
        strbuf_adds(b, "\" value=\"");
        strbuf_add_html(b, value);
        strbuf_adds(b, "\">\n");
    }
    strbuf_adds(b, "<button type=\"submit\" id=\"");
    strbuf_add_html(b, id);
    strbuf_adds(b, "\">");
    strbuf_add_html(b, button);
    strbuf_adds(b, "</button>\n</form>\n");
}

/* A link to PREFIXsign-in, back to rd (URL-encoded) when given. */
static void sign_in_link(strbuf *b, const char *prefix, const char *rd)
{
    strbuf_adds(b, "<p><a id=\"sign-in\" href=\"");
    strbuf_add_html(b, prefix);
    strbuf_adds(b, "sign-in");
    if (rd) {
        strbuf_adds(b, "?rd=");
        strbuf_add_urlenc(b, rd);
    }
    strbuf_adds(b, "\">Sign in</a></p>\n");
}

void gw_page_sign_out(strbuf *out, const char *prefix, const gw_page_user *user)
{
    if (!user) {
        head(out, "You are signed out");
        para(out, "You are not signed in here.");
        sign_in_link(out, prefix, NULL);
    } else {
        head(out, "Sign out");
        who(out, user);
        form(out, prefix, "sign-out", user->csrf, "return_to", user->return_to, "sign-out",
             "Sign out");
    }
    foot(out);
}

void gw_page_forbidden(strbuf *out, const char *prefix, const gw_page_user *user, const char *rd)
{
    head(out, "You do not have access");
    if (!user) {
        para(out, "This page needs you to be signed in.");
        sign_in_link(out, prefix, rd);
    } else {
        who(out, user);
        para(out, "Your account does not have what this page needs. If you were just given "
                  "access, check again.");
        form(out, prefix, "refresh", user->csrf, "rd", rd, "check-again", "Check again");
        form(out, prefix, "sign-out", user->csrf, "return_to", user->return_to, "sign-out",
             "Sign out");
    }
    foot(out);
}

void gw_page_unavailable(strbuf *out, const char *prefix)
{
    head(out, "Sign-in is briefly unavailable");
    para(out, "Sign-in is briefly unavailable; you are still signed in. Please try again in a "
              "few seconds.");
    foot(out);
}

void gw_page_failure(strbuf *out, const char *prefix, const web_failure *f)
{
    head(out, f->title);
    para(out, f->message);
    strbuf_adds(out, "<p>Reason: <code id=\"reason\">");
    strbuf_add_html(out, f->reason);
    strbuf_adds(out, "</code></p>\n");
    if (f->offer_sign_in)
        sign_in_link(out, prefix, NULL);
    foot(out);
}
