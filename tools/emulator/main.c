/* kinde-emulator: options, start-up and shutdown. See README.md. */
#include "emulator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char emu_default_data[]; /* data/default.json, embedded at build time */
extern const size_t emu_default_data_len;

struct emu_state emu = {.lock = PTHREAD_MUTEX_INITIALIZER};

int64_t emu_now(void)
{
    return (int64_t)time(NULL) + emu.clock_skew;
}

static const char usage[] =
    "usage: kinde-emulator [options]\n"
    "A local Kinde business on loopback, for development, demos and tests.\n"
    "\n"
    "  --port N              port to listen on (default 8001; 0 picks a free one)\n"
    "  --bind ADDR           IPv4 address to listen on (default 127.0.0.1)\n"
    "  --issuer URL          the issuer/domain in tokens (default http://ADDR:PORT)\n"
    "  --data FILE           the business: applications, users, organizations\n"
    "                        (default: the built-in demo business, see README)\n"
    "  --data-dir DIR        where the signing key and users registered at run time\n"
    "                        are kept (default ./kinde-emulator-data)\n"
    "  --key FILE            PEM RSA private key to sign with (default DIR/signing-key.pem,\n"
    "                        made at first start)\n"
    "  --add-callback URL    allow another callback URL for the first application\n"
    "  --add-logout-url URL  allow another logout redirect URL for the first application\n"
    "  --access-ttl S        access token lifetime in seconds (default 86400)\n"
    "  --id-ttl S            ID token lifetime (default 3600)\n"
    "  --refresh-ttl S       refresh token lifetime (default 1296000, 15 days)\n"
    "  --code-ttl S          authorization code lifetime (default 120)\n"
    "  --refresh-overlap S   how long a rotated refresh token still works (default 30)\n"
    "  --admin               serve /_emulator/... (faults, clock, keys; loopback only)\n"
    "  --ready-file FILE     write the port there once listening\n"
    "  --state FILE          keep codes, refresh tokens and sessions in FILE (0600),\n"
    "                        read at start: a restart signs nobody out\n"
    "  --check-data FILE     check a data file, print what is wrong, and exit\n"
    "  --quiet               no request log\n"
    "  --help, --version\n";

static int die(const char *fmt, const char *arg)
{
    fprintf(stderr, "kinde-emulator: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 2;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int mkdirs(const char *path)
{
    char tmp[512];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

void emu_persist(void)
{
    char *text = json_dumps(emu.runtime, JSON_INDENT(2));
    if (!text || emu_write_private(emu.runtime_path, text) != 0)
        fprintf(stderr, "kinde-emulator: cannot write %s\n", emu.runtime_path);
    free(text);
}

static int parse_args(int argc, char **argv, emu_settings *s, const char **check)
{
    struct { const char *name; long *value; long min, max; } nums[] = {
        {"--access-ttl", &s->access_ttl, 1, 365L * 86400}, {"--id-ttl", &s->id_ttl, 1, 365L * 86400},
        {"--refresh-ttl", &s->refresh_ttl, 1, 3650L * 86400}, {"--code-ttl", &s->code_ttl, 1, 3600},
        {"--refresh-overlap", &s->refresh_overlap, 0, 3600},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        long port;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            puts("kinde-emulator " KINDE_EMULATOR_VERSION);
            exit(0);
        } else if (strcmp(a, "--admin") == 0) {
            s->admin = 1, takes = 0;
        } else if (strcmp(a, "--quiet") == 0) {
            s->quiet = 1, takes = 0;
        } else if (!v) {
            return die("%s: unknown option, or its value is missing (see --help)", a);
        } else if (strcmp(a, "--port") == 0) {
            if (parse_long(v, 0, 65535, &port) != 0)
                return die("--port: %s is not a port number", v);
            s->port = (int)port;
        } else if (strcmp(a, "--bind") == 0) {
            s->bind = v;
        } else if (strcmp(a, "--issuer") == 0) {
            s->issuer = v;
        } else if (strcmp(a, "--data") == 0) {
            s->data_file = v;
        } else if (strcmp(a, "--data-dir") == 0) {
            s->data_dir = v;
        } else if (strcmp(a, "--key") == 0) {
            s->key_file = v;
        } else if (strcmp(a, "--ready-file") == 0) {
            s->ready_file = v;
        } else if (strcmp(a, "--state") == 0) {
            s->state_file = v;
        } else if (strcmp(a, "--check-data") == 0) {
            *check = v;
        } else if (strcmp(a, "--add-callback") == 0) {
            if (s->n_callbacks == 16)
                return die("%s: at most 16", a);
            s->add_callbacks[s->n_callbacks++] = v;
        } else if (strcmp(a, "--add-logout-url") == 0) {
            if (s->n_logout_urls == 16)
                return die("%s: at most 16", a);
            s->add_logout_urls[s->n_logout_urls++] = v;
        } else {
            size_t k = 0;
            while (k < sizeof nums / sizeof nums[0] && strcmp(a, nums[k].name) != 0)
                k++;
            if (k == sizeof nums / sizeof nums[0])
                return die("%s: unknown option (see --help)", a);
            if (parse_long(v, nums[k].min, nums[k].max, nums[k].value) != 0)
                return die("%s: out of range", a);
        }
        i += takes;
    }
    return 0;
}

static int load_business(void)
{
    char why[300];
    emu.data = emu.cfg.data_file
                   ? emu_data_load_file(emu.cfg.data_file, why, sizeof why)
                   : emu_data_load_text(emu_default_data, emu_default_data_len, why, sizeof why);
    if (!emu.data)
        return die("data: %s", why);
    json_t *first = json_array_get(json_object_get(emu.data, "applications"), 0);
    if ((emu.cfg.n_callbacks || emu.cfg.n_logout_urls) && !first)
        return die("%s", "--add-callback/--add-logout-url: the data has no application");
    for (int i = 0; i < emu.cfg.n_callbacks; i++)
        json_array_append_new(json_object_get(first, "callback_urls"), json_string(emu.cfg.add_callbacks[i]));
    if (emu.cfg.n_logout_urls && !json_object_get(first, "logout_urls"))
        json_object_set_new(first, "logout_urls", json_array());
    for (int i = 0; i < emu.cfg.n_logout_urls; i++)
        json_array_append_new(json_object_get(first, "logout_urls"), json_string(emu.cfg.add_logout_urls[i]));

    snprintf(emu.runtime_path, sizeof emu.runtime_path, "%s/runtime.json", emu.cfg.data_dir);
    if (access(emu.runtime_path, F_OK) == 0) {
        /* users, organizations and members only: checked once merged */
        json_error_t jerr;
        emu.runtime = json_load_file(emu.runtime_path, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(emu.runtime))
            return die("%s: not a JSON object; remove it to start afresh", emu.runtime_path);
        static const char *const lists[] = {"users", "organizations", "members"};
        for (int i = 0; i < 3; i++)
            if (!json_is_array(json_object_get(emu.runtime, lists[i])))
                json_object_set_new(emu.runtime, lists[i], json_array());
    } else {
        emu.runtime = json_pack("{s:[], s:[], s:[]}", "users", "organizations", "members");
    }
    json_t *copy = json_deep_copy(emu.runtime);
    int rc = emu_data_merge(emu.data, copy, why, sizeof why);
    json_decref(copy);
    if (rc != 0)
        return die("%s/runtime.json does not fit the data file; remove it to start afresh", emu.cfg.data_dir);
    emu_data_prepare(emu.data); /* ids and lists the Management API works with */
    return 0;
}

static int listen_on(const char *bind_addr, int port, int *bound)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, SOMAXCONN) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *bound = ntohs(a.sin_port);
    return fd;
}

int main(int argc, char **argv)
{
    emu_settings *s = &emu.cfg;
    *s = (emu_settings){.bind = "127.0.0.1", .port = 8001, .data_dir = "kinde-emulator-data",
                        .access_ttl = 86400, .id_ttl = 3600, .refresh_ttl = 15L * 86400,
                        .code_ttl = 120, .refresh_overlap = 30, .login_ttl = 600};
    const char *check = NULL;
    int rc = parse_args(argc, argv, s, &check);
    if (rc != 0)
        return rc;
    if (check) {
        char why[300];
        json_t *d = emu_data_load_file(check, why, sizeof why);
        if (!d)
            return die("%s", why);
        printf("%s: valid (%zu applications, %zu users, %zu organizations)\n", check,
               json_array_size(json_object_get(d, "applications")), json_array_size(json_object_get(d, "users")),
               json_array_size(json_object_get(d, "organizations")));
        json_decref(d);
        return 0;
    }
    if (mkdirs(s->data_dir) != 0)
        return die("--data-dir %s: cannot create it", s->data_dir);
    if ((rc = load_business()) != 0)
        return rc;

    char why[300], key_path[512];
    snprintf(key_path, sizeof key_path, "%s/signing-key.pem", s->data_dir);
    if (emu_key_load_or_create(s->key_file ? s->key_file : key_path, &emu.keys[0], why, sizeof why) != 0)
        return die("key: %s", why);
    emu.n_keys = 1;
    emu.requests = json_object();
    emu.codes = json_object();
    emu.refresh = json_object();
    emu.sessions = json_object();
    emu.revoked_jti = json_object();
    if (s->state_file && emu_state_load(s->state_file, why, sizeof why) != 0)
        return die("--state %s; remove it to start afresh", why);

    int port = 0;
    int fd = listen_on(s->bind, s->port, &port);
    if (fd < 0) {
        fprintf(stderr, "kinde-emulator: cannot listen on %s:%d: %s\n", s->bind, s->port, strerror(errno));
        return 2;
    }
    if (s->issuer)
        snprintf(emu.issuer, sizeof emu.issuer, "%s", s->issuer);
    else
        snprintf(emu.issuer, sizeof emu.issuer, "http://%s:%d",
                 strcmp(s->bind, "0.0.0.0") == 0 ? "127.0.0.1" : s->bind, port);
    size_t il = strlen(emu.issuer);
    if (il > 0 && emu.issuer[il - 1] == '/') /* the issuer never ends in a slash */
        emu.issuer[il - 1] = '\0';

    /* Signals are taken by this thread alone, with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct serve *d = emu_server_start(fd);
    if (!d) {
        close(fd);
        return die("%s", "cannot start the HTTP server");
    }
    if (s->ready_file) {
        char text[32];
        snprintf(text, sizeof text, "%d\n", port);
        if (emu_write_private(s->ready_file, text) != 0)
            fprintf(stderr, "kinde-emulator: cannot write %s\n", s->ready_file);
    }
    if (!s->quiet)
        fprintf(stderr, "kinde-emulator: %s (key %s%s)\n", emu.issuer, emu.keys[0].kid,
                s->admin ? ", admin API on" : "");

    int sig;
    sigwait(&set, &sig);
    emu.stopping = 1;
    emu_server_stop(d); /* closes the listening socket too */
    emu_webhooks_stop();
    emu_mgmt_free();
    for (int i = 0; i < emu.n_keys; i++)
        emu_key_free(&emu.keys[i]);
    emu_key_free(&emu.wrong_key);
    json_decref(emu.data);
    json_decref(emu.runtime);
    json_decref(emu.requests);
    json_decref(emu.codes);
    json_decref(emu.refresh);
    json_decref(emu.sessions);
    json_decref(emu.revoked_jti);
    emu_state_free();
    for (int i = 0; i < emu.n_faults; i++)
        free(emu.faults[i].body);
    return 0;
}
