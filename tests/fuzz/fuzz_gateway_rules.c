/* The gateway's rules file: any text either parses or names FILE:LINE and
 * what is wrong on one line; what parses matches every request to a rule. */
/* fuzz-parser: rules.c */
#include <stdint.h>
#include <string.h>

#include "rules.h"

/* Requests made of the input itself: each field that starts with '/' as a
 * path, as it is, one segment below and one beside, with a few methods. */
static void match_paths(const gw_rules *rules, const char *text, size_t size, const kinde_session *ks)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "DELETE", "get"};
    static const char *const tails[] = {"", "/x", "x"};
    char path[GW_URI_MAX + 4];
    unsigned tried = 0;
    for (size_t i = 0; i < size && tried < 16; i++) {
        if (text[i] != '/' || (i > 0 && text[i - 1] != ' ' && text[i - 1] != '\t'))
            continue;
        size_t n = 0;
        while (i + n < size && n < GW_URI_MAX && text[i + n] && !strchr(" \t\r\n", text[i + n]))
            n++;
        tried++;
        for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
            memcpy(path, text + i, n);
            strcpy(path + n, tails[t]);
            for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
                const gw_rule *rule = gw_rules_match(rules, methods[m], path);
                const char *where = gw_rule_where(rule);
                if (!rule || !where || !*where)
                    __builtin_trap();
                /* Without tokens no rule holds (public is gw_rule_is_public's). */
                if (gw_rule_allows(rule, ks))
                    __builtin_trap();
                (void)gw_rule_is_public(rule);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[256];
    gw_rules *rules = gw_rules_parse(text, size, "f.rules", err, sizeof err);
    if (!rules) {
        /* FILE:LINE: message, one line. */
        if (strncmp(err, "f.rules:", 8) != 0 && strcmp(err, "out of memory") != 0)
            __builtin_trap();
        if (strpbrk(err, "\r\n"))
            __builtin_trap();
        return 0;
    }
    if (gw_rules_count(rules) > 10000 || gw_rules_count(rules) > size / 4)
        __builtin_trap();
    /* The root always gets a rule, the built-in one at least. */
    if (!gw_rules_match(rules, "GET", "/"))
        __builtin_trap();
    kinde_session *ks = kinde_session_new();
    if (ks) {
        match_paths(rules, text, size, ks);
        kinde_session_free(ks);
    }
    gw_rules_free(rules);
    return 0;
}
