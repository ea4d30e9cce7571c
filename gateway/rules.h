/* The gateway's rules: which requests need what (gateway/RULES.md is the
 * file format), and the original URI as the rules see it. Parsing is strict
 * (every error names FILE:LINE) because a rule misread is a page left open;
 * matching reads only the verified claims of a kinde_session. */
#ifndef KINDE_GATEWAY_RULES_H
#define KINDE_GATEWAY_RULES_H

#include <stddef.h>

#include <kinde/kinde.h>

/* Longest original URI (and normalised path) the gateway accepts. */
#define GW_URI_MAX 4096

typedef struct gw_rules gw_rules;
typedef struct gw_rule gw_rule;

/* Parses the rules in text[0..len) (len bytes, may hold NUL bytes, which are
 * refused), naming them `name` in messages. NULL on error with
 * "NAME:LINE: what is wrong" in err (or "out of memory"). */
gw_rules *gw_rules_parse(const char *text, size_t len, const char *name, char *err,
                         size_t errlen);
/* The same, from a file: "PATH: cannot read: <strerror>" when unreadable. */
gw_rules *gw_rules_load(const char *path, char *err, size_t errlen);
/* Every path needs a signed-in user: what the gateway runs without --rules. */
gw_rules *gw_rules_default(void);
void gw_rules_free(gw_rules *rules);
size_t gw_rules_count(const gw_rules *rules);

/* The rule for a request: method as received ("GET"), path as returned by
 * gw_uri_normalize. Never NULL: the built-in "signed-in" rule when none
 * matches. The rule lives as long as rules. */
const gw_rule *gw_rules_match(const gw_rules *rules, const char *method, const char *path);

/* 1 when the rule lets anyone in, signed in or not. */
int gw_rule_is_public(const gw_rule *rule);
/* 1 when the signed-in session meets every requirement of the rule, 0 when
 * not (or when ks holds no verified tokens). */
int gw_rule_allows(const gw_rule *rule, const kinde_session *ks);
/* Where the rule comes from, for the access log: "rules.conf:7", or
 * "default" for the built-in rule. */
const char *gw_rule_where(const gw_rule *rule);

/* The original URI (X-Original-URI, nginx's raw $request_uri) as the path
 * the rules see: absolute-form authority skipped, query and fragment cut,
 * percent-decoded, runs of '/' merged. 0 with the path in out; -1 refused
 * (anything ambiguous: an encoded '/', '\', '%', '?', '#', NUL or control
 * character, a raw '\' or control character, a "." or ".." segment raw or
 * encoded, not a path, longer than GW_URI_MAX or than outsz allows: pass
 * GW_URI_MAX + 1), with *why a short reason for the log. */
int gw_uri_normalize(const char *raw, char *out, size_t outsz, const char **why);

#endif
