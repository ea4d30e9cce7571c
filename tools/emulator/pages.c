/* The emulator's pages: plain HTML forms that work in a browser and with
 * curl (no JavaScript). Every value from outside is HTML-escaped. */
#include "emulator.h"

#include <stdlib.h>

static void head(strbuf *s, const char *title)
{
    strbuf_adds(s, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    strbuf_add_html(s, title);
    strbuf_adds(s,
        " - Kinde emulator</title><style>"
        "body{font-family:system-ui,sans-serif;background:#f6f6f4;color:#1b1b1b;margin:0}"
        "main{max-width:26rem;margin:4rem auto;background:#fff;border-radius:1rem;padding:2rem;"
        "box-shadow:0 2px 12px rgba(0,0,0,.08)}"
        "h1{font-size:1.5rem;margin:0 0 .25rem}p.sub{color:#666;margin:0 0 1.5rem}"
        "label{display:block;font-weight:600;margin:.75rem 0 .25rem}"
        "input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #bbb;border-radius:.5rem;"
        "font-size:1rem}"
        "button{margin-top:1rem;width:100%;padding:.7rem;border:0;border-radius:.5rem;background:#111;"
        "color:#fff;font-size:1rem;cursor:pointer}"
        "button.user{background:#fff;color:#111;border:1px solid #ccc;text-align:left;margin-top:.5rem}"
        ".error{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:.5rem}"
        ".note{font-size:.85rem;color:#777;margin-top:1.5rem}"
        "</style></head><body><main>\n");
}

static char *finish(strbuf *s)
{
    strbuf_adds(s, "<p class=\"note\">This is the kinde-c Kinde emulator, not Kinde.</p>"
                   "</main></body></html>\n");
    return strbuf_take(s, NULL);
}

static void error_line(strbuf *s, const char *error)
{
    if (error) {
        strbuf_adds(s, "<p class=\"error\" role=\"alert\">");
        strbuf_add_html(s, error);
        strbuf_adds(s, "</p>\n");
    }
}

static void hidden_request(strbuf *s, const char *id)
{
    strbuf_adds(s, "<input type=\"hidden\" name=\"request\" value=\"");
    strbuf_add_html(s, id);
    strbuf_adds(s, "\">\n");
}

char *emu_page_sign_in(const emu_page_ctx *c)
{
    strbuf s = {0};
    head(&s, "Sign in");
    strbuf_adds(&s, "<h1>Sign in</h1><p class=\"sub\">to ");
    strbuf_add_html(&s, c->app_name);
    strbuf_adds(&s, "</p>\n");
    error_line(&s, c->error);
    strbuf_adds(&s, "<form method=\"post\" action=\"/login/submit\" id=\"sign-in\">\n");
    hidden_request(&s, c->request_id);
    strbuf_adds(&s, "<label for=\"email\">Email</label>"
                    "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"");
    strbuf_add_html(&s, c->email);
    strbuf_adds(&s, "\">\n<button type=\"submit\">Continue</button>\n</form>\n");
    if (json_array_size(c->users) > 0) {
        strbuf_adds(&s, "<p class=\"note\">Or pick a user of this business:</p>"
                        "<form method=\"post\" action=\"/login/submit\" id=\"pick-user\">\n");
        hidden_request(&s, c->request_id);
        size_t i;
        const json_t *u;
        json_array_foreach(c->users, i, u) {
            if (i == 20)
                break;
            strbuf_adds(&s, "<button class=\"user\" type=\"submit\" name=\"email\" value=\"");
            strbuf_add_html(&s, json_string_value(json_object_get(u, "email")));
            strbuf_adds(&s, "\">");
            strbuf_add_html(&s, json_string_value(json_object_get(u, "given_name")));
            strbuf_adds(&s, " ");
            strbuf_add_html(&s, json_string_value(json_object_get(u, "family_name")));
            strbuf_adds(&s, " &middot; ");
            strbuf_add_html(&s, json_string_value(json_object_get(u, "email")));
            strbuf_adds(&s, "</button>\n");
        }
        strbuf_adds(&s, "</form>\n");
    }
    strbuf_adds(&s, "<p class=\"note\">No account? <a href=\"/register/form?request=");
    strbuf_add_urlenc(&s, c->request_id);
    strbuf_adds(&s, "\">Create one</a></p>\n");
    return finish(&s);
}

char *emu_page_register(const emu_page_ctx *c)
{
    strbuf s = {0};
    head(&s, "Create your account");
    strbuf_adds(&s, c->org_name ? "<h1>Create your organization</h1><p class=\"sub\">"
                                : "<h1>Create your account</h1><p class=\"sub\">for ");
    strbuf_add_html(&s, c->org_name ? c->org_name : c->app_name);
    strbuf_adds(&s, "</p>\n");
    error_line(&s, c->error);
    strbuf_adds(&s, "<form method=\"post\" action=\"/register/submit\" id=\"register\">\n");
    hidden_request(&s, c->request_id);
    strbuf_adds(&s,
        "<label for=\"given_name\">First name</label>"
        "<input id=\"given_name\" name=\"given_name\" autocomplete=\"given-name\" required>\n"
        "<label for=\"family_name\">Last name</label>"
        "<input id=\"family_name\" name=\"family_name\" autocomplete=\"family-name\" required>\n"
        "<label for=\"email\">Email</label>"
        "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required>\n"
        "<button type=\"submit\">Continue</button>\n</form>\n"
        "<p class=\"note\">Already have an account? <a href=\"/login/form?request=");
    strbuf_add_urlenc(&s, c->request_id);
    strbuf_adds(&s, "\">Sign in</a></p>\n");
    return finish(&s);
}

char *emu_page_message(const char *title, const char *text)
{
    strbuf s = {0};
    head(&s, title);
    strbuf_adds(&s, "<h1>");
    strbuf_add_html(&s, title);
    strbuf_adds(&s, "</h1>\n<p>");
    strbuf_add_html(&s, text);
    strbuf_adds(&s, "</p>\n");
    return finish(&s);
}
