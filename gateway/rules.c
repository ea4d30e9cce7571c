/* The rules file (gateway/RULES.md) and the decision for one request.
 *
 * Parsing does the work once: every string of a rule set lives in one arena,
 * and the rules are grouped by path (trailing '/' dropped, "/" as "") in a
 * hash table. Matching then walks the request path once, left to right,
 * looking up each prefix that ends on a segment boundary; the last group
 * with a rule for the method holds the longest match. No allocation per
 * request, and the cost follows the path's length, not the number of rules. */
#include "rules.h"

#include "forms.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GW_LINE_MAX 4096
#define GW_RULES_MAX 10000
#define GW_FILE_MAX (64u << 20) /* far above GW_RULES_MAX lines of rules and comments */

enum req_kind {
    REQ_ALL_PERMISSIONS, /* permission=K, all-permissions=K,K */
    REQ_ANY_PERMISSION,
    REQ_ROLE,
    REQ_ORG,
    REQ_FLAG
};

typedef struct gw_req {
    enum req_kind kind;
    size_t n;
    const char **values;
} gw_req;

struct gw_rule {
    const char *where; /* "NAME:LINE" or "default" */
    const char *path; /* as written, for messages */
    int is_public;
    int any_method;
    int covers_head; /* GET is listed */
    size_t n_methods;
    const char **methods;
    size_t n_reqs;
    const gw_req *reqs;
    unsigned line;
    const gw_rule *next; /* the next rule naming methods on the same path */
};

/* The rules of one path. */
typedef struct group {
    uint64_t hash;
    const char *key; /* the path without its trailing '/': "/admin", "" for "/" */
    size_t key_len;
    const gw_rule *any; /* the "*" rule */
    const gw_rule *specific; /* rules naming methods, disjoint (checked at parse) */
} group;

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
} chunk;

struct gw_rules {
    chunk *arena;
    size_t n_rules;
    group *groups;
    size_t n_groups, cap_groups;
    size_t *slots; /* open addressing: group index + 1, 0 = empty */
    size_t n_slots;
};

static const gw_rule default_rule = {.where = "default", .path = "/", .any_method = 1};

/* ---- memory ------------------------------------------------------------ */

static void *arena_alloc(gw_rules *r, size_t n)
{
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    chunk *c = r->arena;
    if (!c || c->size - c->used < n) {
        size_t size = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->used = 0;
        c->size = size;
        c->next = r->arena;
        r->arena = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

static char *arena_strndup(gw_rules *r, const char *s, size_t n)
{
    char *p = arena_alloc(r, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void gw_rules_free(gw_rules *rules)
{
    if (!rules)
        return;
    for (chunk *c = rules->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(rules->groups);
    free(rules->slots);
    free(rules);
}

size_t gw_rules_count(const gw_rules *rules)
{
    return rules ? rules->n_rules : 0;
}

gw_rules *gw_rules_default(void)
{
    return calloc(1, sizeof(gw_rules));
}

/* ---- the path table ------------------------------------------------------ */

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv_add(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = fnv_add(h, (unsigned char)s[i]);
    return h;
}

/* FNV's low bits, which pick the slot, depend on the low bits of every byte
 * only; folding the high half in spreads paths that differ in one digit. */
static size_t slot_of(uint64_t h, size_t n_slots)
{
    return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & (n_slots - 1);
}

static const group *find_group(const gw_rules *r, uint64_t h, const char *key, size_t n)
{
    if (!r->n_slots)
        return NULL;
    for (size_t i = slot_of(h, r->n_slots);; i = (i + 1) & (r->n_slots - 1)) {
        size_t g = r->slots[i];
        if (!g)
            return NULL;
        const group *gr = &r->groups[g - 1];
        if (gr->hash == h && gr->key_len == n && memcmp(gr->key, key, n) == 0)
            return gr;
    }
}

/* The table stays at most half full. */
static int grow_slots(gw_rules *r)
{
    size_t n = r->n_slots ? r->n_slots * 2 : 64;
    size_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t g = 0; g < r->n_groups; g++) {
        size_t i = slot_of(r->groups[g].hash, n);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = g + 1;
    }
    free(r->slots);
    r->slots = slots;
    r->n_slots = n;
    return 0;
}

/* The group of key, created when new; NULL when out of memory. */
static group *get_group(gw_rules *r, const char *key, size_t n)
{
    uint64_t h = fnv(key, n);
    const group *found = find_group(r, h, key, n);
    if (found)
        return &r->groups[found - r->groups];
    if ((r->n_groups + 1) * 2 > r->n_slots && grow_slots(r) != 0)
        return NULL;
    if (r->n_groups == r->cap_groups) {
        size_t cap = r->cap_groups ? r->cap_groups * 2 : 16;
        group *g = realloc(r->groups, cap * sizeof *g);
        if (!g)
            return NULL;
        r->groups = g;
        r->cap_groups = cap;
    }
    group *g = &r->groups[r->n_groups++];
    *g = (group){.hash = h, .key = key, .key_len = n};
    size_t i = slot_of(h, r->n_slots);
    while (r->slots[i])
        i = (i + 1) & (r->n_slots - 1);
    r->slots[i] = r->n_groups;
    return g;
}

/* ---- methods --------------------------------------------------------------- */

static int rule_has_method(const gw_rule *rule, const char *method)
{
    if (rule->any_method)
        return 1;
    for (size_t i = 0; i < rule->n_methods; i++)
        if (strcmp(rule->methods[i], method) == 0)
            return 1;
    return rule->covers_head && strcmp(method, "HEAD") == 0;
}

/* A method both rules apply to, or NULL. */
static const char *shared_method(const gw_rule *a, const gw_rule *b)
{
    for (size_t i = 0; i < a->n_methods; i++)
        if (rule_has_method(b, a->methods[i]))
            return a->methods[i];
    return a->covers_head && rule_has_method(b, "HEAD") ? "HEAD" : NULL;
}

/* ---- parsing --------------------------------------------------------------- */

/* One field of a line: the fields of a line end at one that starts with '#'. */
typedef struct field {
    const char *s;
    size_t n;
} field;
#define FIELDS_MAX (GW_LINE_MAX / 2 + 1)

typedef struct parser {
    gw_rules *rules;
    field *fields; /* FIELDS_MAX */
    const char *name;
    unsigned line;
    char *err;
    size_t errlen;
} parser;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
fail(parser *ps, const char *fmt, ...)
{
    if (ps->err && ps->errlen) {
        int n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->name, ps->line);
        if (n >= 0 && (size_t)n < ps->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static int nomem(parser *ps)
{
    if (ps->err && ps->errlen)
        snprintf(ps->err, ps->errlen, "out of memory");
    return -1;
}

/* The line must be text: no NUL, no control character but tab, UTF-8. */
static int check_text(parser *ps, const char *s, size_t n)
{
    if (n > GW_LINE_MAX)
        return fail(ps, "line longer than %d bytes", GW_LINE_MAX);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\0')
            return fail(ps, "a NUL byte: not a text file");
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(ps, "control character 0x%02x: not a text file", c);
        size_t len = c < 0x80 ? 1 : utf8_seq_len((const unsigned char *)s + i, n - i);
        if (!len)
            return fail(ps, "not UTF-8 text");
        i += len;
    }
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static size_t split(const char *s, size_t n, field *f)
{
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i == n || s[i] == '#')
            break;
        size_t start = i;
        while (i < n && !is_blank(s[i]))
            i++;
        f[count++] = (field){s + start, i - start};
    }
    return count;
}

/* How much of a field a message quotes: at most max bytes, not ending inside
 * a UTF-8 sequence (the file is UTF-8, so is the message). */
static int shown(field f, size_t max)
{
    size_t n = f.n;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)f.s[n] & 0xc0) == 0x80)
            n--;
    }
    return (int)n;
}

static int method_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int parse_methods(parser *ps, gw_rule *rule, field f)
{
    if (f.n == 1 && f.s[0] == '*') {
        rule->any_method = 1;
        return 0;
    }
    size_t count = 1;
    for (size_t i = 0; i < f.n; i++)
        count += f.s[i] == ',';
    const char **m = arena_alloc(ps->rules, count * sizeof *m);
    if (!m)
        return nomem(ps);
    rule->methods = m;
    for (size_t i = 0, start = 0; i <= f.n; i++) {
        if (i < f.n && f.s[i] != ',') {
            if (!method_char(f.s[i]))
                return fail(ps, "bad method '%.*s': * or upper-case methods separated by commas",
                            shown(f, 64), f.s);
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > 32)
            return fail(ps, "bad method '%.*s': * or upper-case methods separated by commas",
                        shown(f, 64), f.s);
        const char *name = arena_strndup(ps->rules, f.s + start, len);
        if (!name)
            return nomem(ps);
        for (size_t k = 0; k < rule->n_methods; k++)
            if (strcmp(m[k], name) == 0)
                return fail(ps, "bad method '%.*s': %s is listed twice", shown(f, 64), f.s, name);
        m[rule->n_methods++] = name;
        rule->covers_head |= strcmp(name, "GET") == 0;
        start = i + 1;
    }
    return 0;
}

/* The path's key (no trailing '/', "" for "/") in *key_len. */
static int parse_path(parser *ps, gw_rule *rule, field f, size_t *key_len)
{
    const char *why = NULL;
    if (f.s[0] != '/')
        why = "it must start with '/'";
    for (size_t i = 0; !why && i < f.n; i++) {
        char c = f.s[i];
        if (c == '%')
            why = "'%' is not allowed: write the path decoded";
        else if (c == '?' || c == '#')
            why = "'?' and '#' are not allowed: a rule is for a path, without query";
        else if (c == '\\')
            why = "'\\' is not allowed";
        else if (c == '/' && i + 1 < f.n && f.s[i + 1] == '/')
            why = "'//' is not allowed";
        else if (c == '/') {
            size_t e = i + 1;
            while (e < f.n && f.s[e] != '/')
                e++;
            if ((e - i == 2 && f.s[i + 1] == '.') ||
                (e - i == 3 && f.s[i + 1] == '.' && f.s[i + 2] == '.'))
                why = "'.' and '..' segments are not allowed";
        }
    }
    if (why)
        return fail(ps, "bad path '%.*s': %s", shown(f, 128), f.s, why);
    if (!(rule->path = arena_strndup(ps->rules, f.s, f.n)))
        return nomem(ps);
    *key_len = f.s[f.n - 1] == '/' ? f.n - 1 : f.n;
    return 0;
}

static const struct {
    const char *name;
    enum req_kind kind;
    int single; /* takes exactly one value */
} req_names[] = {
    {"permission", REQ_ALL_PERMISSIONS, 1},
    {"all-permissions", REQ_ALL_PERMISSIONS, 0},
    {"any-permission", REQ_ANY_PERMISSION, 0},
    {"role", REQ_ROLE, 0},
    {"org", REQ_ORG, 0},
    {"flag", REQ_FLAG, 1},
};

static int value_char(char c)
{
    return c > 0x20 && c < 0x7f && c != ',' && c != '=';
}

static int parse_requirement(parser *ps, gw_req *req, field f)
{
    int quoted = shown(f, 128);
    const char *eq = memchr(f.s, '=', f.n);
    size_t name_len = eq ? (size_t)(eq - f.s) : f.n;
    size_t k = 0;
    while (k < sizeof req_names / sizeof *req_names &&
           !(strlen(req_names[k].name) == name_len && memcmp(req_names[k].name, f.s, name_len) == 0))
        k++;
    if (k == sizeof req_names / sizeof *req_names) {
        if ((name_len == 6 && memcmp(f.s, "public", 6) == 0) ||
            (name_len == 9 && memcmp(f.s, "signed-in", 9) == 0))
            return fail(ps, "'%.*s' takes no value", (int)name_len, f.s);
        return fail(ps, "unknown requirement '%.*s'", quoted, f.s);
    }
    if (!eq)
        return fail(ps, "'%s' needs a value (%s=...)", req_names[k].name, req_names[k].name);
    const char *v = eq + 1;
    size_t vn = f.n - name_len - 1, count = 1;
    for (size_t i = 0; i < vn; i++) {
        if (v[i] == ',')
            count++;
        else if (!value_char(v[i]))
            return fail(ps,
                        "bad value in '%.*s': values are printable ASCII without ',' '=' or spaces",
                        quoted, f.s);
    }
    if (count > 1 && req_names[k].single)
        return fail(ps, "'%s' takes one value (%s)", req_names[k].name,
                    req_names[k].kind == REQ_FLAG ? "one flag= per flag"
                                                  : "all-permissions=K,K for several");
    const char **values = arena_alloc(ps->rules, count * sizeof *values);
    if (!values)
        return nomem(ps);
    *req = (gw_req){.kind = req_names[k].kind, .values = values};
    for (size_t i = 0, start = 0; i <= vn; i++) {
        if (i < vn && v[i] != ',')
            continue;
        if (i == start)
            return fail(ps, "empty value in '%.*s'", quoted, f.s);
        if (!(values[req->n++] = arena_strndup(ps->rules, v + start, i - start)))
            return nomem(ps);
        start = i + 1;
    }
    return 0;
}

static int parse_requirements(parser *ps, gw_rule *rule, const field *f, size_t n)
{
    if (n == 0)
        return fail(ps,
                    "no requirement: public, signed-in, permission=, all-permissions=, "
                    "any-permission=, role=, org= or flag=");
    gw_req *reqs = arena_alloc(ps->rules, n * sizeof *reqs);
    if (!reqs)
        return nomem(ps);
    rule->reqs = reqs;
    int signed_in = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].n == 6 && memcmp(f[i].s, "public", 6) == 0)
            rule->is_public = 1;
        else if (f[i].n == 9 && memcmp(f[i].s, "signed-in", 9) == 0)
            signed_in = 1;
        else if (parse_requirement(ps, &reqs[rule->n_reqs++], f[i]) != 0)
            return -1;
    }
    if (rule->is_public && (n > 1 || signed_in))
        return fail(ps, "'public' cannot be combined with other requirements");
    return 0;
}

/* Files the rule under its path; a second rule for the same path and method
 * is refused, since which one holds would depend on the order of lines. */
static int add_rule(parser *ps, gw_rule *rule, size_t key_len)
{
    if (ps->rules->n_rules == GW_RULES_MAX)
        return fail(ps, "more than %d rules", GW_RULES_MAX);
    group *g = get_group(ps->rules, rule->path, key_len);
    if (!g)
        return nomem(ps);
    const gw_rule *other = NULL;
    const char *method = NULL;
    if (rule->any_method) {
        other = g->any;
        method = "*";
    }
    for (const gw_rule *o = g->specific; !rule->any_method && o && !other; o = o->next)
        if ((method = shared_method(rule, o)) != NULL)
            other = o;
    if (other)
        return fail(ps, "duplicate rule: %s %s is already given at line %u", method, rule->path,
                    other->line);
    if (rule->any_method) {
        g->any = rule;
    } else {
        rule->next = g->specific;
        g->specific = rule;
    }
    ps->rules->n_rules++;
    return 0;
}

static int parse_line(parser *ps, const char *s, size_t n)
{
    if (check_text(ps, s, n) != 0)
        return -1;
    field *f = ps->fields;
    size_t count = split(s, n, f);
    if (count == 0)
        return 0;
    if (count == 1)
        return fail(ps, "no path: METHODS PATH REQUIREMENT...");
    gw_rule *rule = arena_alloc(ps->rules, sizeof *rule);
    if (!rule)
        return nomem(ps);
    *rule = (gw_rule){.line = ps->line};
    char where[32];
    int wn = snprintf(where, sizeof where, ":%u", ps->line);
    size_t name_len = strlen(ps->name);
    char *w = arena_alloc(ps->rules, name_len + (size_t)wn + 1);
    if (!w)
        return nomem(ps);
    memcpy(w, ps->name, name_len);
    memcpy(w + name_len, where, (size_t)wn + 1);
    rule->where = w;
    size_t key_len = 0;
    if (parse_methods(ps, rule, f[0]) != 0 || parse_path(ps, rule, f[1], &key_len) != 0 ||
        parse_requirements(ps, rule, f + 2, count - 2) != 0)
        return -1;
    return add_rule(ps, rule, key_len);
}

gw_rules *gw_rules_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    parser ps = {.rules = calloc(1, sizeof(gw_rules)),
                 .fields = malloc(FIELDS_MAX * sizeof(field)),
                 .name = name ? name : "rules",
                 .err = err,
                 .errlen = errlen};
    if (!ps.rules || !ps.fields) {
        nomem(&ps);
        free(ps.fields);
        gw_rules_free(ps.rules);
        return NULL;
    }
    if (!text)
        len = 0;
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a byte order mark some editors write */
    while (i < len) {
        ps.line++;
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - i;
        if (n && text[i + n - 1] == '\r')
            n--; /* CRLF line ends */
        if (parse_line(&ps, text + i, n) != 0) {
            free(ps.fields);
            gw_rules_free(ps.rules);
            return NULL;
        }
        i = end + 1;
    }
    free(ps.fields);
    return ps.rules;
}

gw_rules *gw_rules_load(const char *path, char *err, size_t errlen)
{
    if (!path) {
        if (err && errlen)
            snprintf(err, errlen, "no rules file");
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int e = 0;
    if (!f) {
        e = errno;
    } else {
        for (;;) {
            if (len == cap) {
                char *grown = cap >= GW_FILE_MAX ? NULL : realloc(buf, cap ? cap * 2 : 8192);
                if (!grown) {
                    e = cap >= GW_FILE_MAX ? EFBIG : ENOMEM;
                    break;
                }
                buf = grown;
                cap = cap ? cap * 2 : 8192;
            }
            size_t got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (got == 0) {
                if (ferror(f))
                    e = errno ? errno : EIO;
                break;
            }
        }
        fclose(f);
    }
    if (e) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(e));
        free(buf);
        return NULL;
    }
    gw_rules *rules = gw_rules_parse(buf, len, path, err, errlen);
    free(buf);
    return rules;
}

/* ---- deciding ---------------------------------------------------------------- */

static const gw_rule *group_rule(const group *g, const char *method)
{
    for (const gw_rule *r = g->specific; method && r; r = r->next)
        if (rule_has_method(r, method))
            return r;
    return g->any;
}

const gw_rule *gw_rules_match(const gw_rules *rules, const char *method, const char *path)
{
    if (!rules || !rules->n_groups || !path)
        return &default_rule;
    const gw_rule *best = NULL, *r;
    const group *g;
    uint64_t h = FNV_OFFSET;
    if ((g = find_group(rules, h, "", 0)) && (r = group_rule(g, method)))
        best = r;
    size_t i = 0;
    for (; path[i]; i++) {
        if (i > 0 && path[i] == '/' && (g = find_group(rules, h, path, i)) &&
            (r = group_rule(g, method)))
            best = r;
        h = fnv_add(h, (unsigned char)path[i]);
    }
    if (i > 0 && (g = find_group(rules, h, path, i)) && (r = group_rule(g, method)))
        best = r;
    return best ? best : &default_rule;
}

int gw_rule_is_public(const gw_rule *rule)
{
    return rule && rule->is_public;
}

const char *gw_rule_where(const gw_rule *rule)
{
    return rule ? rule->where : default_rule.where;
}

static int listed(const kinde_strings *have, const char *want)
{
    for (size_t i = 0; i < have->count; i++)
        if (have->items[i] && strcmp(have->items[i], want) == 0)
            return 1;
    return 0;
}

static int any_listed(const kinde_strings *have, const gw_req *req)
{
    for (size_t i = 0; i < req->n; i++)
        if (listed(have, req->values[i]))
            return 1;
    return 0;
}

static int req_holds(const gw_req *req, const kinde_session *ks, const kinde_strings *perms)
{
    switch (req->kind) {
    case REQ_ALL_PERMISSIONS:
        for (size_t i = 0; i < req->n; i++)
            if (!listed(perms, req->values[i]))
                return 0;
        return 1;
    case REQ_ANY_PERMISSION:
        return any_listed(perms, req);
    case REQ_ROLE: {
        kinde_strings roles = {0};
        return kinde_get_roles(ks, &roles, NULL) == KINDE_OK && any_listed(&roles, req);
    }
    case REQ_ORG: {
        const char *org = NULL;
        if (kinde_get_organization(ks, &org, NULL) != KINDE_OK || !org)
            return 0;
        for (size_t i = 0; i < req->n; i++)
            if (strcmp(org, req->values[i]) == 0)
                return 1;
        return 0;
    }
    case REQ_FLAG: {
        int on = 0;
        /* No default: a flag the token lacks, or of another type, is not met. */
        return kinde_get_boolean_flag(ks, req->values[0], NULL, &on, NULL) == KINDE_OK && on;
    }
    }
    return 0;
}

int gw_rule_allows(const gw_rule *rule, const kinde_session *ks)
{
    if (!rule || !ks)
        return 0;
    kinde_strings perms = {0};
    /* Also the signed-in check: no verified tokens, no permissions. */
    if (kinde_get_permissions(ks, NULL, &perms, NULL) != KINDE_OK)
        return 0;
    for (size_t i = 0; i < rule->n_reqs; i++)
        if (!req_holds(&rule->reqs[i], ks, &perms))
            return 0;
    return 1;
}
