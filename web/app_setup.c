#include "app_setup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

void web_app_options_init(web_app_options *o, int port)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->port = port;
    o->data_dir = ".";
    o->sessions = "sqlite";
    o->env_file = ".env";
    o->idle_timeout = 1800;
    o->absolute_timeout = 43200;
    o->login_ttl = 600;
    o->workers = 64;
    o->kinde_timeout_ms = 10000;
    o->store_timeout_ms = STORE_TIMEOUT_MS;
    o->session_cache = SESSION_CACHE_DEFAULT_SLOTS;
}

int web_app_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The options that take a whole number, with their ranges. */
typedef struct number_option {
    const char *name;
    long min, max;
} number_option;

static const number_option numbers[] = {
    {"--port", 0, 65535},
    {"--idle-timeout", 1, 31536000},
    {"--absolute-timeout", 1, 31536000},
    {"--login-timeout", 1, 86400},
    {"--workers", 1, 4096},
    {"--store-timeout", 10, 60000},
    {"--kinde-timeout", 100, 600000},
    {"--session-cache", 0, SESSION_CACHE_MAX_SLOTS},
    {"--event-threads", 1, 64},
};

static void set_number(web_app_options *o, size_t which, long n)
{
    switch (which) {
    case 0: o->port = (int)n; break;
    case 1: o->idle_timeout = n; break;
    case 2: o->absolute_timeout = n; break;
    case 3: o->login_ttl = n; break;
    case 4: o->workers = (unsigned)n; break;
    case 5: o->store_timeout_ms = n; break;
    case 6: o->kinde_timeout_ms = n; break;
    case 7: o->session_cache = (size_t)n; break;
    default: o->event_threads = (unsigned)n; break;
    }
}

int web_app_option(web_app_options *o, const char *prog, int argc, char **argv, int *i)
{
    const char *name = argv[*i];
    if (strcmp(name, "--quiet") == 0) {
        o->quiet = 1;
        return 1;
    }
    struct {
        const char *name;
        const char **slot;
    } texts[] = {
        {"--bind", &o->bind},         {"--ready-file", &o->ready_file},
        {"--data-dir", &o->data_dir}, {"--sessions", &o->sessions},
        {"--env-file", &o->env_file}, {"--session-key-file", &o->key_file},
        {"--public-url", &o->public_url},
    };
    int number = -1, text = -1;
    for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
        if (strcmp(name, numbers[k].name) == 0)
            number = (int)k;
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        if (strcmp(name, texts[k].name) == 0)
            text = (int)k;
    int logout = strcmp(name, "--logout-return") == 0;
    if (number < 0 && text < 0 && !logout)
        return 0;
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!v) {
        fprintf(stderr, "%s: %s needs a value\n", prog, name);
        return -1;
    }
    long n;
    if (text >= 0) {
        *texts[text].slot = v;
    } else if (logout && o->nlogout < WEB_APP_MAX_LOGOUT_URLS) {
        o->logout_urls[o->nlogout++] = v;
    } else if (number >= 0 &&
               web_app_parse_long(v, numbers[number].min, numbers[number].max, &n) == 0) {
        set_number(o, (size_t)number, n);
    } else {
        fprintf(stderr, "%s: bad option or value: %s %s\n", prog, name, v);
        return -1;
    }
    *i += 1;
    return 1;
}

void web_app_usage(FILE *f, int default_port, const char *key_env)
{
    fprintf(f,
            "  --port N               listen port (default %d; 0 = any free port)\n"
            "  --bind ADDR            IPv4 address to listen on (default 127.0.0.1), or\n"
            "                         unix:PATH for a Unix-domain socket (mode 0660,\n"
            "                         removed at exit; --port then unused; give\n"
            "                         --public-url)\n"
            "  --ready-file PATH      write the port there once listening\n"
            "  --data-dir DIR         where the SQLite session file lives (default .)\n"
            "  --sessions SPEC        sqlite (default) or redis://HOST:PORT\n"
            "  --session-key-file F   the server key sealing stored sessions (64 hex\n"
            "                         digits; default DATA_DIR/session.key, made 0600\n"
            "                         at the first start); %s in\n"
            "                         the environment takes precedence\n"
            "  --store-timeout MS     longest a request waits for the session store\n"
            "                         (Redis connect/command, SQLite busy; default 500)\n"
            "  --session-cache N      sessions kept opened in memory, so a request whose\n"
            "                         record is unchanged in the store skips decrypting\n"
            "                         and parsing it (default %d; 0: none)\n"
            "  --idle-timeout S       end a session after S idle seconds (default 1800)\n"
            "  --absolute-timeout S   end a session S seconds after sign-in (default 43200)\n"
            "  --login-timeout S      time allowed to finish a sign-in (default 600)\n"
            "  --kinde-timeout MS     longest wait for one Kinde request (default 10000)\n"
            "  --env-file PATH        dotenv file for KINDE_* variables (default .env)\n"
            "  --logout-return URL    a URL sign-out may return to (repeatable, up to %d;\n"
            "                         must be registered with Kinde too)\n"
            "  --workers N            requests answered at once, each on its own thread\n"
            "                         (default 64; more wait their turn)\n"
            "  --event-threads N      threads reading and writing connections (default\n"
            "                         one per core, at most 16 by default)\n"
            "  --quiet                log nothing but start-up failures\n",
            default_port, key_env, SESSION_CACHE_DEFAULT_SLOTS, WEB_APP_MAX_LOGOUT_URLS);
}

void web_app_site_init(web_site *site, const web_app_options *o, const char *name)
{
    site->name = name;
    site->log = o->quiet ? NULL : stderr;
    site->idle_timeout = o->idle_timeout;
    site->absolute_timeout = o->absolute_timeout;
    site->login_ttl = o->login_ttl;
    site->logout_allow.urls = o->logout_urls;
    site->logout_allow.count = o->nlogout;
}

int web_app_open_store(web_site *site, const web_app_options *o, const char *key_env,
                       web_seal_key *seal)
{
    char err[512] = "";
    /* Files the site makes (sessions, key) are the owner's alone. */
    umask(077);
    if (mkdir(o->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", site->name, o->data_dir, strerror(errno));
        return -1;
    }
    strbuf default_key;
    strbuf_init(&default_key);
    strbuf_addf(&default_key, "%s/session.key", o->data_dir);
    int keyed = strbuf_ok(&default_key) &&
                seal_key_load(getenv(key_env), o->key_file ? o->key_file : default_key.data,
                              seal, err, sizeof err) == 0;
    strbuf_free(&default_key);
    if (!keyed) {
        fprintf(stderr, "%s: %s\n", site->name, err[0] ? err : "out of memory");
        return -1;
    }
    site->seal = seal;
    site->store = store_open(o->sessions, o->data_dir, o->store_timeout_ms, err, sizeof err);
    if (!site->store) {
        fprintf(stderr, "%s: session store: %s\n", site->name, err);
        return -1;
    }
    site->cache = NULL;
    if (o->session_cache && !(site->cache = session_cache_new(o->session_cache))) {
        fprintf(stderr, "%s: no memory for the session cache\n", site->name);
        web_app_close_store(site);
        return -1;
    }
    return 0;
}

char *web_app_public_url(const web_app_options *o)
{
    strbuf b;
    strbuf_init(&b);
    if (o->public_url) {
        size_t len = strlen(o->public_url);
        while (len > 0 && o->public_url[len - 1] == '/')
            len--;
        strbuf_add(&b, o->public_url, len);
    } else {
        strbuf_addf(&b, "http://%s:%d", strcmp(o->bind, "0.0.0.0") == 0 ? "127.0.0.1" : o->bind,
                    o->port);
    }
    return strbuf_take(&b, NULL);
}

void web_app_site_url(web_site *site, const char *url, const char *cookie_name,
                      const char *secure_cookie_name)
{
    site->public_url = url;
    site->secure = strncmp(url, "https://", 8) == 0;
    site->cookie_name = site->secure ? secure_cookie_name : cookie_name;
}

kinde_code web_app_client_new(const web_site *site, const web_app_options *o,
                              const char *callback_path, kinde_client **out, kinde_error *err)
{
    strbuf callback, home;
    strbuf_init(&callback);
    strbuf_init(&home);
    strbuf_addf(&callback, "%s%s", site->public_url, callback_path);
    strbuf_addf(&home, "%s/", site->public_url);
    kinde_code rc = KINDE_E_NOMEM;
    if (strbuf_ok(&callback) && strbuf_ok(&home)) {
        kinde_config base;
        kinde_config_init(&base);
        base.callback_url = callback.data;
        base.post_logout_redirect_url = home.data;
        base.grant_type = KINDE_GRANT_AUTHORIZATION_CODE;
        base.login_ttl_seconds = site->login_ttl;
        base.http_timeout_ms = o->kinde_timeout_ms;
        if (base.connect_timeout_ms > o->kinde_timeout_ms)
            base.connect_timeout_ms = o->kinde_timeout_ms;
        rc = kinde_client_new_from_env(o->env_file, &base, out, err);
    }
    strbuf_free(&callback);
    strbuf_free(&home);
    return rc;
}

int web_app_write_ready_file(const char *path, int port)
{
    strbuf tmp;
    strbuf_init(&tmp);
    strbuf_addf(&tmp, "%s.tmp", path);
    FILE *f = strbuf_ok(&tmp) ? fopen(tmp.data, "w") : NULL;
    int rc = -1;
    if (f) {
        fprintf(f, "%d\n", port);
        if (fclose(f) == 0)
            rc = rename(tmp.data, path);
    }
    strbuf_free(&tmp);
    return rc;
}

void web_app_close_store(web_site *site)
{
    store_close(site->store);
    site->store = NULL;
    session_cache_free(site->cache);
    site->cache = NULL;
}

unsigned web_app_event_threads(const web_app_options *o)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return o->event_threads ? o->event_threads : n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}
