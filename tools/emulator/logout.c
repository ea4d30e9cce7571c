/* GET /logout: ends the browser session and goes back to the application,
 * if the redirect is on some application's logout_urls. */
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

void emu_logout(const emu_request *q, emu_reply *r)
{
    const char *redirect = emu_form_get(&q->query, "redirect", NULL);
    int allowed = 0;
    size_t i;
    const json_t *app;
    pthread_mutex_lock(&emu.lock);
    json_array_foreach(json_object_get(emu.data, "applications"), i, app)
        allowed |= redirect && emu_string_in(json_object_get(app, "logout_urls"), redirect);
    if (!redirect || allowed) /* a refused redirect keeps the session */
        emu_session_end(q->cookie_session);
    pthread_mutex_unlock(&emu.lock);
    if (redirect && !allowed) {
        emu_reply_page(r, 400, "Logout redirect not allowed",
                       "The redirect URL is not one of the business's allowed logout URLs (exact match).");
        return;
    }
    if (redirect)
        emu_reply_redirect(r, strdup(redirect));
    else
        emu_reply_page(r, 200, "Signed out", "You are signed out of the Kinde emulator.");
    r->set_cookie = strdup(EMU_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}
