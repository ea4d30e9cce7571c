/* web/app_setup.c: the options the demo app and kinde-gateway share, the
 * public URL and the ready file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_setup.h"

/* Parses argv (NULL-terminated) as a program would: 0 all taken, else the
 * index of the first argument not taken (-index when refused; argv[0] is
 * always taken here). */
static int parse(web_app_options *o, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    for (int i = 0; i < argc; i++) {
        int taken = web_app_option(o, "test", argc, argv, &i);
        if (taken <= 0)
            return taken < 0 ? -i : i;
    }
    return 0;
}

static void defaults_and_every_option(void **state)
{
    (void)state;
    web_app_options o;
    web_app_options_init(&o, 8090);
    assert_string_equal(o.bind, "127.0.0.1");
    assert_int_equal(o.port, 8090);
    assert_string_equal(o.sessions, "sqlite");
    assert_int_equal(o.idle_timeout, 1800);
    assert_int_equal(o.absolute_timeout, 43200);
    assert_int_equal(o.login_ttl, 600);
    assert_int_equal(o.workers, 64);
    assert_int_equal(o.kinde_timeout_ms, 10000);
    assert_int_equal(o.store_timeout_ms, STORE_TIMEOUT_MS);
    assert_int_equal(o.session_cache, SESSION_CACHE_DEFAULT_SLOTS);
    assert_int_equal(o.event_threads, 0);
    char *argv[] = {"--port", "0", "--bind", "0.0.0.0", "--ready-file", "r", "--data-dir", "d",
                    "--sessions", "redis://127.0.0.1:6379", "--session-key-file", "k",
                    "--env-file", "e", "--public-url", "https://x.example/", "--idle-timeout",
                    "60", "--absolute-timeout", "120", "--login-timeout", "30", "--workers", "4",
                    "--store-timeout", "50", "--kinde-timeout", "1000", "--logout-return",
                    "https://x.example/bye", "--quiet", "--session-cache", "0",
                    "--event-threads", "2", NULL};
    assert_int_equal(parse(&o, argv), 0);
    assert_int_equal(o.port, 0);
    assert_string_equal(o.bind, "0.0.0.0");
    assert_string_equal(o.ready_file, "r");
    assert_string_equal(o.data_dir, "d");
    assert_string_equal(o.sessions, "redis://127.0.0.1:6379");
    assert_string_equal(o.key_file, "k");
    assert_string_equal(o.env_file, "e");
    assert_string_equal(o.public_url, "https://x.example/");
    assert_int_equal(o.idle_timeout, 60);
    assert_int_equal(o.absolute_timeout, 120);
    assert_int_equal(o.login_ttl, 30);
    assert_int_equal(o.workers, 4);
    assert_int_equal(o.store_timeout_ms, 50);
    assert_int_equal(o.kinde_timeout_ms, 1000);
    assert_int_equal(o.nlogout, 1);
    assert_string_equal(o.logout_urls[0], "https://x.example/bye");
    assert_int_equal(o.quiet, 1);
    assert_int_equal(o.session_cache, 0);
    assert_int_equal(o.event_threads, 2);

    web_site site;
    memset(&site, 0, sizeof site);
    web_app_site_init(&site, &o, "test");
    assert_null(site.log); /* quiet */
    assert_int_equal(site.idle_timeout, 60);
    assert_int_equal(site.logout_allow.count, 1);
    char *url = web_app_public_url(&o);
    assert_string_equal(url, "https://x.example");
    web_app_site_url(&site, url, "c", "__Host-c");
    assert_int_equal(site.secure, 1);
    assert_string_equal(site.cookie_name, "__Host-c");
    free(url);
    o.public_url = NULL;
    url = web_app_public_url(&o);
    assert_string_equal(url, "http://127.0.0.1:0"); /* 0.0.0.0 is reached on loopback */
    web_app_site_url(&site, url, "c", "__Host-c");
    assert_int_equal(site.secure, 0);
    assert_string_equal(site.cookie_name, "c");
    free(url);
}

static void refused_values(void **state)
{
    (void)state;
    char *bad[][3] = {{"--port", "65536", NULL},         {"--port", "-1", NULL},
                      {"--port", "80x", NULL},           {"--port", "", NULL},
                      {"--idle-timeout", "0", NULL},     {"--workers", "4097", NULL},
                      {"--store-timeout", "9", NULL},    {"--kinde-timeout", "99", NULL},
                      {"--login-timeout", "86401", NULL}, {"--port", NULL, NULL},
                      {"--bind", NULL, NULL},            {"--port", "99999999999999999999", NULL},
                      {"--event-threads", "0", NULL},    {"--event-threads", "65", NULL},
                      {"--session-cache", "-1", NULL},   {"--session-cache", "1048577", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        web_app_options o;
        web_app_options_init(&o, 8000);
        int argc = bad[i][1] ? 2 : 1, at = 0;
        assert_int_equal(web_app_option(&o, "test", argc, bad[i], &at), -1);
        assert_int_equal(o.port, 8000);
    }
    /* Not one of them: left to the program. */
    web_app_options o;
    web_app_options_init(&o, 8000);
    char *mine[] = {"--rules", "f", NULL};
    int at = 0;
    assert_int_equal(web_app_option(&o, "test", 2, mine, &at), 0);
    assert_int_equal(at, 0);
    /* More sign-out URLs than there is room for: refused, not dropped. */
    char *many[2 * WEB_APP_MAX_LOGOUT_URLS + 3];
    for (int i = 0; i <= WEB_APP_MAX_LOGOUT_URLS; i++) {
        many[2 * i] = "--logout-return";
        many[2 * i + 1] = "https://x.example/";
    }
    many[2 * WEB_APP_MAX_LOGOUT_URLS + 2] = NULL;
    assert_int_equal(parse(&o, many), -(2 * WEB_APP_MAX_LOGOUT_URLS));
    assert_int_equal(o.nlogout, WEB_APP_MAX_LOGOUT_URLS);
}

static void ready_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/app-setup-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64], tmp[64];
    snprintf(path, sizeof path, "%s/ready", dir);
    snprintf(tmp, sizeof tmp, "%s/ready.tmp", dir);
    assert_int_equal(web_app_write_ready_file(path, 41234), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[32] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "41234\n");
    assert_int_not_equal(access(tmp, F_OK), 0); /* renamed, not left behind */
    assert_int_equal(unlink(path), 0);
    char nowhere[96];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/ready", dir);
    assert_int_equal(web_app_write_ready_file(nowhere, 1), -1);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_every_option),
        cmocka_unit_test(refused_values),
        cmocka_unit_test(ready_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
