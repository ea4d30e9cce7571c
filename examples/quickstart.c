/* quickstart: sign a user in from a terminal, the seed's Python snippets in C.
 *
 *   export KINDE_HOST=https://yourapp.kinde.com KINDE_CLIENT_ID=... \
 *          KINDE_CLIENT_SECRET=... KINDE_REDIRECT_URL=http://localhost:8000/callback
 *   ./quickstart
 *
 * It prints the sign-in URL; open it, sign in, and paste the URL the browser
 * was sent back to (the callback, even if nothing listens there).
 * `./quickstart --check` only builds a client and a login URL (used by the
 * install tests). */
#include <kinde/kinde.h>

#include <stdio.h>
#include <string.h>

static int die(const char *what, const kinde_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", what, kinde_code_name(err->code), err->text);
    return 1;
}

int main(int argc, char **argv)
{
    kinde_error err;
    kinde_client *client = NULL;
    kinde_config cfg;
    kinde_config_init(&cfg);

    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        cfg.domain = "https://yourapp.kinde.com";
        cfg.client_id = "client_id";
        cfg.callback_url = "http://localhost:8000/callback";
        if (kinde_client_new(&cfg, &client, &err) != KINDE_OK)
            return die("configuration", &err);
    } else if (kinde_client_new_from_env(".env", &cfg, &client, &err) != KINDE_OK) {
        return die("configuration", &err);
    }

    /* kinde_client.get_login_url() */
    kinde_session *session = kinde_session_new();
    char *url = NULL;
    if (kinde_get_login_url(client, session, NULL, &url, &err) != KINDE_OK)
        return die("login url", &err);
    printf("Sign in at:\n%s\n", url);
    kinde_free(url);
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        kinde_session_free(session);
        kinde_client_free(client);
        return 0;
    }

    /* kinde_client.fetch_token(authorization_response=request.url) */
    char callback[8192];
    printf("Paste the callback URL: ");
    fflush(stdout);
    if (!fgets(callback, sizeof callback, stdin))
        return 1;
    callback[strcspn(callback, "\r\n")] = '\0';
    if (kinde_fetch_token(client, session, callback, &err) != KINDE_OK)
        return die("sign in", &err);

    /* kinde_client.is_authenticated(), get_user_details() */
    if (kinde_is_authenticated(client, session, &err)) {
        kinde_user user;
        if (kinde_get_user_details(session, &user, &err) != KINDE_OK)
            return die("user details", &err);
        printf("Signed in as %s %s <%s> (%s)\n", user.given_name ? user.given_name : "",
               user.family_name ? user.family_name : "", user.email ? user.email : "", user.id);
    }

    /* get_permission("create:todos").get("is_granted") */
    int granted = 0;
    const char *org = NULL;
    if (kinde_get_permission(session, "create:todos", &granted, &org, NULL) == KINDE_OK)
        printf("create:todos in %s: %s\n", org ? org : "(no org)", granted ? "granted" : "not granted");

    /* get_flag("theme"), get_boolean_flag("is_dark_mode", False) */
    const char *theme = NULL;
    int dark = 0, no = 0;
    if (kinde_get_string_flag(session, "theme", "light", &theme, &err) == KINDE_OK)
        printf("theme: %s\n", theme);
    if (kinde_get_boolean_flag(session, "is_dark_mode", &no, &dark, &err) == KINDE_OK)
        printf("is_dark_mode: %s\n", dark ? "true" : "false");

    /* get_claim("aud") */
    char *aud = NULL;
    if (kinde_get_claim(session, "aud", KINDE_ACCESS_TOKEN, &aud, NULL) == KINDE_OK)
        printf("aud: %s\n", aud);
    kinde_free(aud);

    /* logout(redirect_to=KINDE_POST_LOGOUT_REDIRECT_URL) */
    char *logout = NULL;
    if (kinde_logout(client, session, NULL, &logout, &err) != KINDE_OK)
        fprintf(stderr, "revocation: %s\n", err.text); /* the session is cleared anyway */
    printf("Sign out at: %s\n", logout ? logout : "");
    kinde_free(logout);
    kinde_session_free(session);
    kinde_client_free(client);
    return 0;
}
