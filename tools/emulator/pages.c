/* The emulator's pages: plain HTML forms that work in a browser and with
 * curl (no JavaScript). Every value from outside is HTML-escaped. */
#include "emulator.h"

#include <stdlib.h>

static void head(emu_str *s, const char *title)
{
    emu_str_adds(s, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    emu_str_add_html(s, title);
    emu_str_adds(s,
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

static char *finish(emu_str *s)
{
    emu_str_adds(s, "<p class=\"note\">This is the kinde-c Kinde emulator, not Kinde.</p>"
                    "</main></body></html>\n");
    return emu_str_take(s);
}

static void error_line(emu_str *s, const char *error)
{
    if (error) {
        emu_str_adds(s, "<p class=\"error\" role=\"alert\">");
        emu_str_add_html(s, error);
        emu_str_adds(s, "</p>\n");
    }
}

static void hidden_request(emu_str *s, const char *id)
{
    emu_str_adds(s, "<input type=\"hidden\" name=\"request\" value=\"");
    emu_str_add_html(s, id);
    emu_str_adds(s, "\">\n");
}

char *emu_page_sign_in(const emu_page_ctx *c)
{
    emu_str s = {0};
    head(&s, "Sign in");
    emu_str_adds(&s, "<h1>Sign in</h1><p class=\"sub\">to ");
    emu_str_add_html(&s, c->app_name);
    emu_str_adds(&s, "</p>\n");
    error_line(&s, c->error);
    emu_str_adds(&s, "<form method=\"post\" action=\"/login/submit\" id=\"sign-in\">\n");
    hidden_request(&s, c->request_id);
    emu_str_adds(&s, "<label for=\"email\">Email</label>"
                     "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"");
    emu_str_add_html(&s, c->email);
    emu_str_adds(&s, "\">\n<button type=\"submit\">Continue</button>\n</form>\n");
    if (json_array_size(c->users) > 0) {
        emu_str_adds(&s, "<p class=\"note\">Or pick a user of this business:</p>"
                         "<form method=\"post\" action=\"/login/submit\" id=\"pick-user\">\n");
        hidden_request(&s, c->request_id);
        size_t i;
        const json_t *u;
        json_array_foreach(c->users, i, u) {
            if (i == 20)
                break;
            emu_str_adds(&s, "<button class=\"user\" type=\"submit\" name=\"email\" value=\"");
            emu_str_add_html(&s, json_string_value(json_object_get(u, "email")));
            emu_str_adds(&s, "\">");
            emu_str_add_html(&s, json_string_value(json_object_get(u, "given_name")));
            emu_str_adds(&s, " ");
            emu_str_add_html(&s, json_string_value(json_object_get(u, "family_name")));
            emu_str_adds(&s, " &middot; ");
            emu_str_add_html(&s, json_string_value(json_object_get(u, "email")));
            emu_str_adds(&s, "</button>\n");
        }
        emu_str_adds(&s, "</form>\n");
    }
    emu_str_adds(&s, "<p class=\"note\">No account? <a href=\"/register/form?request=");
    emu_str_add_urlenc(&s, c->request_id);
    emu_str_adds(&s, "\">Create one</a></p>\n");
    return finish(&s);
}

char *emu_page_register(const emu_page_ctx *c)
{
    emu_str s = {0};
    head(&s, "Create your account");
    emu_str_adds(&s, c->org_name ? "<h1>Create your organization</h1><p class=\"sub\">"
                                 : "<h1>Create your account</h1><p class=\"sub\">for ");
    emu_str_add_html(&s, c->org_name ? c->org_name : c->app_name);
    emu_str_adds(&s, "</p>\n");
    error_line(&s, c->error);
    emu_str_adds(&s, "<form method=\"post\" action=\"/register/submit\" id=\"register\">\n");
    hidden_request(&s, c->request_id);
    emu_str_adds(&s,
        "<label for=\"given_name\">First name</label>"
        "<input id=\"given_name\" name=\"given_name\" autocomplete=\"given-name\" required>\n"
        "<label for=\"family_name\">Last name</label>"
        "<input id=\"family_name\" name=\"family_name\" autocomplete=\"family-name\" required>\n"
        "<label for=\"email\">Email</label>"
        "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required>\n"
        "<button type=\"submit\">Continue</button>\n</form>\n"
        "<p class=\"note\">Already have an account? <a href=\"/login/form?request=");
    emu_str_add_urlenc(&s, c->request_id);
    emu_str_adds(&s, "\">Sign in</a></p>\n");
    return finish(&s);
}

char *emu_page_message(const char *title, const char *text)
{
    emu_str s = {0};
    head(&s, title);
    emu_str_adds(&s, "<h1>");
    emu_str_add_html(&s, title);
    emu_str_adds(&s, "</h1>\n<p>");
    emu_str_add_html(&s, text);
    emu_str_adds(&s, "</p>\n");
    return finish(&s);
}
