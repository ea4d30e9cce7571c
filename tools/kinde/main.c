/* kinde: the SDK from a shell. Configuration comes from the same variables
 * and .env file as the library's kinde_client_new_from_env().
 *
 *   kinde login-url [--register|--create-org] [--org-code C] [--org-name N]
 *                   [--prompt P] [--login-hint H] [--lang L] [--audience A]
 *   kinde logout-url [--redirect URL]
 *   kinde m2m-token [--audience A]
 *   kinde verify [--id-token] TOKEN
 *   kinde decode TOKEN
 *   kinde api OPERATION [name=value ...] [--data JSON|@FILE] [--all]   (api.c)
 *
 * Errors go to stderr as "error: <CODE_NAME>: <detail>" with exit status 1;
 * usage errors exit 2. */
#include <kinde/kinde.h>

#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: kinde [--env FILE] COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  login-url [--register|--create-org] [--org-code C] [--org-name N] [--prompt P]\n"
    "            [--login-hint H] [--lang L] [--audience A]\n"
    "            [--session-out FILE]\n"
    "                       print a sign-in (or sign-up, create-org) URL; with\n"
    "                       --session-out, save the pending login (state, nonce,\n"
    "                       PKCE verifier) there as a serialized session\n"
    "  logout-url [--redirect URL]  print the sign-out URL\n"
    "  m2m-token [--audience A]     fetch a client-credentials token, print it as JSON\n"
    "  verify [--id-token] TOKEN    verify against the domain's JWKS, print the claims\n"
    "                               (needs only KINDE_HOST and, usually, KINDE_AUDIENCE)\n"
    "  decode TOKEN                 print header and payload WITHOUT verifying\n"
    "  api --list | api OPERATION [name=value ...] [--data JSON|@FILE] [--all]\n"
    "                               call the Management API (kinde api OPERATION --help)\n"
    "\n"
    "configuration: KINDE_HOST (or KINDE_ISSUER_URL), KINDE_CLIENT_ID, KINDE_CLIENT_SECRET,\n"
    "KINDE_REDIRECT_URL (or KINDE_CALLBACK_URL), KINDE_POST_LOGOUT_REDIRECT_URL (or\n"
    "KINDE_LOGOUT_URL), KINDE_AUDIENCE, KINDE_SCOPE, KINDE_ORG_CODE, KINDE_GRANT_TYPE,\n"
    "from the environment, then from ./.env (or --env FILE).\n";

static int fail(const kinde_error *err)
{
    fprintf(stderr, "error: %s: %s\n", kinde_code_name(err->code), err->text);
    return 1;
}

/* An error of the command itself, in the library's form, for fail(). */
static void cli_error(kinde_error *err, kinde_code code, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

static int usage_error(const char *what)
{
    fprintf(stderr, "kinde: %s\n\n%s", what, usage);
    return 2;
}

/* The value after argv[*i], or NULL (and a usage error) when missing. */
static const char *value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int new_client(const char *env_file, kinde_grant_type grant, int grant_given,
                      kinde_client **client)
{
    kinde_config base;
    kinde_config_init(&base);
    if (grant_given)
        base.grant_type = grant;
    kinde_error err;
    if (kinde_client_new_from_env(env_file, &base, client, &err) != KINDE_OK)
        return fail(&err);
    return 0;
}

/* The pending login is what a later fetch_token needs, the PKCE verifier
 * above all: only the user may read it. The file is created 0600; an
 * existing one must be the user's own regular file with no other name (a
 * symbolic link is refused, so nobody can point the secret elsewhere) and is
 * made 0600 before anything is written. A failed write leaves it empty. */
static int write_private(const char *path, const char *text, kinde_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat st;
    const char *why = NULL;
    if (fd < 0)
        why = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
    else if (fstat(fd, &st) != 0)
        why = strerror(errno); // NOLINT(bugprone-branch-clone): fstat's and fchmod's, in order
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (st.st_uid != geteuid() || st.st_nlink != 1)
        why = "not a file of this user's with a single name";
    else if (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0)
        why = strerror(errno);
    for (size_t done = 0, len = strlen(text); !why && done < len;) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno != EINTR)
            why = strerror(errno);
        else if (n > 0)
            done += (size_t)n;
    }
    int emptied = !why || fd < 0 || ftruncate(fd, 0) == 0;
    if (fd >= 0 && close(fd) != 0 && !why)
        why = strerror(errno);
    if (!why)
        return 0;
    cli_error(err, KINDE_E_INVALID_ARGUMENT, "cannot write %s: %s%s", path, why,
              emptied ? "" : " (and it could not be emptied)");
    return -1;
}

static int cmd_login_url(const char *env_file, int argc, char **argv)
{
    kinde_auth_params p = {0};
    int flow = 0; /* 0 login, 1 register, 2 create org */
    const char *session_out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--register") == 0) {
            flow = 1;
            continue;
        }
        if (strcmp(a, "--create-org") == 0) {
            flow = 2;
            continue;
        }
        if (strcmp(a, "--org-code") == 0) slot = &p.org_code;
        else if (strcmp(a, "--org-name") == 0) slot = &p.org_name;
        else if (strcmp(a, "--prompt") == 0) slot = &p.prompt;
        else if (strcmp(a, "--login-hint") == 0) slot = &p.login_hint;
        else if (strcmp(a, "--lang") == 0) slot = &p.lang;
        else if (strcmp(a, "--audience") == 0) slot = &p.audience;
        else if (strcmp(a, "--session-out") == 0) slot = &session_out;
        else return usage_error("unknown login-url option");
        if (!(*slot = value(argc, argv, &i)))
            return usage_error("option needs a value");
    }
    kinde_client *client;
    int rc = new_client(env_file, 0, 0, &client);
    if (rc)
        return rc;
    kinde_session *session = kinde_session_new();
    kinde_error err;
    if (!session)
        cli_error(&err, KINDE_E_NOMEM, "%s", kinde_strerror(KINDE_E_NOMEM));
    char *url = NULL;
    kinde_code code = !session ? KINDE_E_NOMEM
                      : flow == 0 ? kinde_get_login_url(client, session, &p, &url, &err)
                      : flow == 1 ? kinde_get_register_url(client, session, &p, &url, &err)
                                  : kinde_get_create_org_url(client, session, &p, &url, &err);
    if (code == KINDE_OK && session_out) {
        char *text = NULL;
        code = kinde_session_serialize(session, &text, &err);
        if (code == KINDE_OK && write_private(session_out, text, &err) != 0)
            code = err.code;
        kinde_free(text);
    }
    if (code == KINDE_OK)
        printf("%s\n", url);
    else
        rc = fail(&err);
    kinde_free(url);
    kinde_session_free(session);
    kinde_client_free(client);
    return rc;
}

static int cmd_logout_url(const char *env_file, int argc, char **argv)
{
    const char *redirect = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--redirect") == 0) {
            if (!(redirect = value(argc, argv, &i)))
                return usage_error("--redirect needs a value");
        } else {
            return usage_error("unknown logout-url option");
        }
    }
    kinde_client *client;
    int rc = new_client(env_file, 0, 0, &client);
    if (rc)
        return rc;
    kinde_error err;
    char *url = NULL;
    if (kinde_get_logout_url(client, redirect, &url, &err) == KINDE_OK)
        printf("%s\n", url);
    else
        rc = fail(&err);
    kinde_free(url);
    kinde_client_free(client);
    return rc;
}

static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int cmd_m2m_token(const char *env_file, int argc, char **argv)
{
    const char *audience = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--audience") == 0) {
            if (!(audience = value(argc, argv, &i)))
                return usage_error("--audience needs a value");
        } else {
            return usage_error("unknown m2m-token option");
        }
    }
    kinde_client *client;
    int rc = new_client(env_file, KINDE_GRANT_CLIENT_CREDENTIALS, 1, &client);
    if (rc)
        return rc;
    kinde_error err;
    char *token = NULL;
    int64_t expires_at = 0;
    if (kinde_get_m2m_token(client, audience, &token, &expires_at, &err) == KINDE_OK) {
        printf("{\"access_token\":");
        print_json_string(token);
        printf(",\"token_type\":\"bearer\",\"expires_at\":%" PRId64 "}\n", expires_at);
    } else {
        rc = fail(&err);
    }
    kinde_free(token);
    kinde_client_free(client);
    return rc;
}

static int cmd_verify(const char *env_file, int argc, char **argv)
{
    kinde_token_kind kind = KINDE_ACCESS_TOKEN;
    const char *token = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--id-token") == 0)
            kind = KINDE_ID_TOKEN;
        else if (!token && argv[i][0] != '-')
            token = argv[i];
        else
            return usage_error("verify takes [--id-token] TOKEN");
    }
    if (!token)
        return usage_error("verify needs a TOKEN");
    kinde_client *client;
    int rc = new_client(env_file, 0, 0, &client);
    if (rc)
        return rc;
    kinde_error err;
    char *claims = NULL;
    if (kinde_verify_token(client, token, kind, &claims, &err) == KINDE_OK)
        printf("%s\n", claims);
    else
        rc = fail(&err);
    kinde_free(claims);
    kinde_client_free(client);
    return rc;
}

static int cmd_decode(int argc, char **argv)
{
    if (argc != 1)
        return usage_error("decode takes one TOKEN");
    kinde_error err;
    char *header = NULL, *payload = NULL;
    if (kinde_decode_token(argv[0], &header, &payload, &err) != KINDE_OK)
        return fail(&err);
    fprintf(stderr, "warning: decoded WITHOUT verification; use 'kinde verify' to trust it\n");
    printf("{\"header\":%s,\n\"payload\":%s}\n", header, payload);
    kinde_free(header);
    kinde_free(payload);
    return 0;
}

int main(int argc, char **argv)
{
    const char *env_file = ".env";
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--env") == 0) {
        env_file = argv[i + 1];
        i += 2;
    }
    if (i >= argc)
        return usage_error("no command");
    const char *cmd = argv[i++];
    int rest = argc - i;
    char **args = argv + i;
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("kinde %s\n", KINDE_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "login-url") == 0)
        return cmd_login_url(env_file, rest, args);
    if (strcmp(cmd, "logout-url") == 0)
        return cmd_logout_url(env_file, rest, args);
    if (strcmp(cmd, "m2m-token") == 0)
        return cmd_m2m_token(env_file, rest, args);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(env_file, rest, args);
    if (strcmp(cmd, "decode") == 0)
        return cmd_decode(rest, args);
    if (strcmp(cmd, "api") == 0)
        return kinde_cli_api(env_file, rest, args);
    return usage_error("unknown command");
}
