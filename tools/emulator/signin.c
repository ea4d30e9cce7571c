/* The sign-in and sign-up pages of a pending authorization request
 * (GET /login/form, /register/form) and what they post (POST /login/submit,
 * /register/submit). A pending request is used once: a submission that
 * signs someone in ends it. */
#include "emulator.h"

#include <stdio.h>
#include <string.h>

void emu_show_form(const char *request_id, const json_t *req, const char *error, const char *email,
                   int register_form, emu_reply *r)
{
    const json_t *app = emu_app(emu.data, json_string_value(json_object_get(req, "client_id")));
    const char *app_name = json_string_value(json_object_get(app, "name"));
    emu_page_ctx c = {
        .request_id = request_id,
        .app_name = app_name ? app_name : json_string_value(json_object_get(app, "client_id")),
        .error = error,
        .users = json_object_get(emu.data, "users"),
        .email = email ? email : json_string_value(json_object_get(req, "login_hint")),
        .org_name = NULL,
    };
    if (json_is_true(json_object_get(req, "create_org"))) {
        c.org_name = json_string_value(json_object_get(req, "org_name"));
        if (!c.org_name)
            c.org_name = "a new organization";
    }
    char *html = register_form ? emu_page_register(&c) : emu_page_sign_in(&c);
    emu_reply_html(r, error ? 422 : 200, html);
}

/* The pending request named by the form's `request` field, or NULL with
 * the error page written (lock held). */
static json_t *pending_request(const emu_form *f, const char **id, emu_reply *r)
{
    *id = emu_form_get(f, "request", NULL);
    json_t *req = *id ? json_object_get(emu.requests, *id) : NULL;
    if (req && json_integer_value(json_object_get(req, "expires")) < emu_now()) {
        json_object_del(emu.requests, *id);
        req = NULL;
    }
    if (!req)
        emu_reply_page(r, 400, "This sign-in has expired",
                       "Start again from the application: sign-in pages are valid for a few minutes and once.");
    return req;
}

/* Ends the pending request and signs user_id in (lock held). */
static void sign_in(const char *id, json_t *req, const char *user_id, const emu_request *q, emu_reply *r)
{
    json_incref(req);
    json_object_del(emu.requests, id); /* single use */
    emu_finish_login(req, user_id, q->cookie_session, r);
    json_decref(req);
}

static void form_page(const emu_request *q, emu_reply *r, int register_form)
{
    const char *id;
    pthread_mutex_lock(&emu.lock);
    json_t *req = pending_request(&q->query, &id, r);
    if (req)
        emu_show_form(id, req, NULL, NULL, register_form, r);
    pthread_mutex_unlock(&emu.lock);
}

void emu_login_form(const emu_request *q, emu_reply *r)
{
    form_page(q, r, 0);
}

void emu_register_form(const emu_request *q, emu_reply *r)
{
    form_page(q, r, 1);
}

void emu_login_submit(const emu_request *q, emu_reply *r)
{
    const char *id;
    pthread_mutex_lock(&emu.lock);
    json_t *req = pending_request(&q->form, &id, r);
    if (req) {
        const char *email = emu_form_get(&q->form, "email", NULL);
        const json_t *user = email ? emu_user_by_email(emu.data, email) : NULL;
        if (!user)
            emu_show_form(id, req, "No user of this business has that email. Create an account instead?", email, 0, r);
        else if (json_is_true(json_object_get(user, "is_suspended"))) /* through the Management API */
            emu_show_form(id, req, "This user is suspended.", email, 0, r);
        else
            sign_in(id, req, json_string_value(json_object_get(user, "id")), q, r);
    }
    pthread_mutex_unlock(&emu.lock);
}

static const char *check_person(const char *given, const char *family, const char *email)
{
    const char *fields[] = {given, family, email};
    for (int i = 0; i < 3; i++) {
        if (!fields[i] || !*fields[i])
            return "First name, last name and email are all required.";
        if (strlen(fields[i]) > 254)
            return "Each field must be shorter than 255 characters.";
        for (const char *p = fields[i]; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return "Control characters are not allowed.";
    }
    const char *at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@') || strchr(email, ' '))
        return "That does not look like an email address.";
    return NULL;
}

/* Returns the webhook deliveries of the sign-up, or NULL. */
static json_t *register_locked(const emu_request *q, emu_reply *r)
{
    const char *id;
    json_t *req = pending_request(&q->form, &id, r);
    if (!req)
        return NULL;
    const char *given = emu_form_get(&q->form, "given_name", NULL);
    const char *family = emu_form_get(&q->form, "family_name", NULL);
    const char *email = emu_form_get(&q->form, "email", NULL);
    const char *bad = check_person(given, family, email);
    if (!bad && emu_user_by_email(emu.data, email))
        bad = "An account with this email exists already: sign in instead.";
    if (bad) {
        emu_show_form(id, req, bad, email, 1, r);
        return NULL;
    }
    char uid[40];
    emu_user_create(given, family, email, uid, sizeof uid);
    if (json_is_true(json_object_get(req, "create_org"))) {
        const char *name = json_string_value(json_object_get(req, "org_name"));
        char fallback[300];
        snprintf(fallback, sizeof fallback, "%s's organization", given);
        const char *code = emu_org_create(uid, name ? name : fallback);
        if (code)
            json_object_set_new(req, "org_code", json_string(code));
    }
    sign_in(id, req, uid, q, r);
    return emu_signup_event(uid);
}

void emu_register_submit(const emu_request *q, emu_reply *r)
{
    pthread_mutex_lock(&emu.lock);
    json_t *deliveries = register_locked(q, r);
    pthread_mutex_unlock(&emu.lock);
    if (deliveries) /* webhooks go out with the lock released */
        emu_webhooks_enqueue(deliveries);
}
