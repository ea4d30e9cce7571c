/* gen-mgmt: derives the Management API operation table from Kinde's OpenAPI
 * spec (kinde-mgmt-api-specs.yaml) and writes the two committed files:
 *
 *   gen-mgmt SPEC.yaml OUT_HEADER.h OUT_TABLE.c [PREVIOUS_HEADER.h]
 *
 * Only facts are taken from the spec (operation ids, methods, path templates,
 * parameter names and places, which are required, paging, body kind, scope,
 * the list member of paged answers); none of its prose.
 *
 * The enum's values are part of the library's ABI, so they are append-only:
 * given the previous header, an operation keeps the number it had, new ones
 * get the next numbers (in the spec's order), and one the spec dropped
 * leaves its number unused (a comment in the header, a hole in the table).
 * Without a previous header the numbers follow the spec's order.
 *
 * Built with libyaml (Debian libyaml-dev), only for `make mgmt-table` and the
 * test that checks the committed table is current. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static yaml_document_t doc;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen-mgmt: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static yaml_node_t *node(int id)
{
    return id ? yaml_document_get_node(&doc, id) : NULL;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *get(const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(p->key));
        if (k && strcmp(k, key) == 0)
            return node(p->value);
    }
    return NULL;
}

/* Follow a local "$ref: '#/a/b/c'" (repeatedly); other nodes as they are. */
static yaml_node_t *deref(yaml_node_t *n)
{
    for (int hops = 0; n && hops < 16; hops++) {
        const char *ref = scalar(get(n, "$ref"));
        if (!ref)
            return n;
        if (strncmp(ref, "#/", 2) != 0)
            die("unsupported $ref %s", ref);
        char *copy = strdup(ref + 2), *save = NULL;
        yaml_node_t *cur = yaml_document_get_root_node(&doc);
        for (char *part = strtok_r(copy, "/", &save); part && cur; part = strtok_r(NULL, "/", &save))
            cur = get(cur, part);
        free(copy);
        if (!cur)
            die("dangling $ref %s", ref);
        n = cur;
    }
    return n;
}

static int is_true(const yaml_node_t *n)
{
    const char *s = scalar(n);
    return s && strcmp(s, "true") == 0;
}

#define MAX_PARAMS 32
#define MAX_OPS 1024

typedef struct {
    char name[96];
    int in_path, required, deep_object;
} param;

typedef struct {
    char id[96], enum_name[128], method[8], path[256], scope[96], list_member[64];
    int value;       /* the enum value */
    int paged, body; /* body: 0 none, 1 JSON, 2 multipart */
    int body_required;
    param params[MAX_PARAMS];
    int n_params;
} operation;

static operation ops[MAX_OPS];
static int n_ops;

static void copy(char *dst, size_t size, const char *src, const char *what)
{
    if (!src)
        die("%s missing", what);
    if (strlen(src) >= size)
        die("%s too long: %s", what, src);
    strcpy(dst, src);
}

/* getUsers -> GET_USERS, GetOrganizationUsers -> GET_ORGANIZATION_USERS. */
static void enum_name(const char *id, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; id[i]; i++) {
        unsigned char ch = (unsigned char)id[i];
        if (!isalnum(ch) && ch != '_')
            die("operationId %s has a character an identifier cannot", id);
        /* A word starts at an upper-case letter after a lower-case one, or
         * at the last capital of an acronym followed by a word ("URLRedirect"),
         * but an acronym's plural "s" stays with it ("getAPIs" -> GET_APIS). */
        int next_lower = id[i + 1] && islower((unsigned char)id[i + 1]);
        int plural_s = id[i + 1] == 's' && (!id[i + 2] || isupper((unsigned char)id[i + 2]));
        if (i > 0 && isupper(ch) &&
            (islower((unsigned char)id[i - 1]) || isdigit((unsigned char)id[i - 1]) ||
             (next_lower && !plural_s && isupper((unsigned char)id[i - 1]))))
            out[o++] = '_';
        out[o++] = (char)toupper(ch);
        if (o + 2 >= size)
            die("operationId too long: %s", id);
    }
    out[o] = '\0';
}

static void add_params(operation *op, yaml_node_t *list)
{
    if (!list)
        return;
    if (list->type != YAML_SEQUENCE_NODE)
        die("%s: parameters is not a list", op->id);
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++) {
        yaml_node_t *p = deref(node(*it));
        const char *in = scalar(get(p, "in"));
        const char *name = scalar(get(p, "name"));
        if (!in || !name)
            die("%s: parameter without name or in", op->id);
        if (strcmp(in, "path") != 0 && strcmp(in, "query") != 0)
            die("%s: parameter %s is in %s, which the client does not send", op->id, name, in);
        /* An operation's own parameter overrides the path item's of the same name. */
        param *slot = NULL;
        for (int i = 0; i < op->n_params; i++)
            if (strcmp(op->params[i].name, name) == 0)
                slot = &op->params[i];
        if (!slot) {
            if (op->n_params == MAX_PARAMS)
                die("%s: too many parameters", op->id);
            slot = &op->params[op->n_params++];
        }
        copy(slot->name, sizeof slot->name, name, "parameter name");
        slot->in_path = strcmp(in, "path") == 0;
        slot->required = slot->in_path || is_true(get(p, "required"));
        const char *style = scalar(get(p, "style"));
        slot->deep_object = style && strcmp(style, "deepObject") == 0;
    }
}

/* The scope: x-scope, else the one <code>...</code> in the description. */
static void find_scope(operation *op, yaml_node_t *o)
{
    const char *x = scalar(get(o, "x-scope"));
    if (x) {
        copy(op->scope, sizeof op->scope, x, "x-scope");
        return;
    }
    const char *d = scalar(get(o, "description"));
    const char *a = d ? strstr(d, "<code>") : NULL;
    const char *b = a ? strstr(a, "</code>") : NULL;
    if (!a || !b)
        return; /* an operation that needs no scope (e.g. verifying an API key) */
    a += strlen("<code>");
    if ((size_t)(b - a) >= sizeof op->scope)
        die("%s: scope too long", op->id);
    memcpy(op->scope, a, (size_t)(b - a));
    op->scope[b - a] = '\0';
}

/* The list member of a paged answer: the array property of the success schema. */
static void find_list_member(operation *op, yaml_node_t *o)
{
    yaml_node_t *responses = get(o, "responses");
    yaml_node_t *ok = NULL;
    for (yaml_node_pair_t *p = responses ? responses->data.mapping.pairs.start : NULL;
         p && p < responses->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(p->key));
        if (k && k[0] == '2') {
            ok = deref(node(p->value));
            break;
        }
    }
    yaml_node_t *schema = deref(get(get(get(ok, "content"), "application/json"), "schema"));
    yaml_node_t *props = get(schema, "properties");
    const char *found = NULL;
    for (yaml_node_pair_t *p = props ? props->data.mapping.pairs.start : NULL;
         p && p < props->data.mapping.pairs.top; p++) {
        const char *t = scalar(get(deref(node(p->value)), "type"));
        if (t && strcmp(t, "array") == 0) {
            if (found)
                die("%s: paged answer with two arrays", op->id);
            found = scalar(node(p->key));
        }
    }
    if (!found)
        die("%s: paged answer without an array member", op->id);
    copy(op->list_member, sizeof op->list_member, found, "list member");
}

static void add_operation(const char *path, const char *method, yaml_node_t *path_params,
                          yaml_node_t *o)
{
    if (n_ops == MAX_OPS)
        die("too many operations");
    operation *op = &ops[n_ops++];
    memset(op, 0, sizeof *op);
    copy(op->id, sizeof op->id, scalar(get(o, "operationId")), "operationId");
    enum_name(op->id, op->enum_name, sizeof op->enum_name);
    for (int i = 0; method[i]; i++)
        op->method[i] = (char)toupper((unsigned char)method[i]);
    copy(op->path, sizeof op->path, path, "path");
    add_params(op, path_params);
    add_params(op, get(o, "parameters"));
    find_scope(op, o);
    int has_size = 0, has_token = 0;
    for (int i = 0; i < op->n_params; i++) {
        has_size |= !op->params[i].in_path && strcmp(op->params[i].name, "page_size") == 0;
        has_token |= !op->params[i].in_path && strcmp(op->params[i].name, "next_token") == 0;
    }
    op->paged = has_size && has_token;
    if (op->paged)
        find_list_member(op, o);
    yaml_node_t *rb = deref(get(o, "requestBody"));
    if (rb) {
        yaml_node_t *content = get(rb, "content");
        op->body = get(content, "application/json") ? 1 : get(content, "multipart/form-data") ? 2 : 0;
        if (!op->body)
            die("%s: request body of an unknown content type", op->id);
        op->body_required = is_true(get(rb, "required"));
    }
    for (int i = 0; i < n_ops - 1; i++)
        if (strcmp(ops[i].enum_name, op->enum_name) == 0)
            die("operations %s and %s give the same name", ops[i].id, op->id);
}

static int is_method(const char *k)
{
    static const char *const methods[] = {"get", "put", "post", "delete", "patch", NULL};
    for (int i = 0; methods[i]; i++)
        if (strcmp(k, methods[i]) == 0)
            return 1;
    if (strcmp(k, "head") == 0 || strcmp(k, "options") == 0 || strcmp(k, "trace") == 0)
        die("method %s is not supported by the client", k);
    return 0;
}

/* Names of the previous header that the spec no longer has. */
static struct {
    char name[128];
    int value;
} removed[MAX_OPS];
static int n_removed, n_values;

/* Give every operation its number (see the top of this file). */
static void number(const char *previous)
{
    int next = 0;
    FILE *f = previous ? fopen(previous, "r") : NULL;
    char line[512], name[128], num[16];
    for (int i = 0; i < n_ops; i++)
        ops[i].value = -1;
    while (f && fgets(line, sizeof line, f)) {
        /* An operation's line, or the comment line of a dropped one. The
         * number is taken as text and converted by strtol, which reports
         * what sscanf's %d would let pass (overflow, no digits). */
        if (sscanf(line, " KINDE_MGMT_%127[A-Z0-9_] = %15[-+0-9]", name, num) != 2 &&
            sscanf(line, " /* KINDE_MGMT_%127[A-Z0-9_] = %15[-+0-9]", name, num) != 2)
            continue;
        if (strcmp(name, "OP_COUNT") == 0)
            continue;
        char *end;
        errno = 0;
        long lv = strtol(num, &end, 10);
        if (end == num || *end || errno || lv < 0 || lv >= MAX_OPS)
            die("%s: value %s of %s out of range", previous, num, name);
        int v = (int)lv;
        if (v + 1 > next)
            next = v + 1;
        int found = 0;
        for (int i = 0; i < n_ops; i++) {
            if (strcmp(ops[i].enum_name, name) == 0) {
                ops[i].value = v;
                found = 1;
            }
        }
        if (!found) {
            snprintf(removed[n_removed].name, sizeof removed[n_removed].name, "%s", name);
            removed[n_removed++].value = v;
        }
    }
    if (f)
        fclose(f);
    for (int i = 0; i < n_ops; i++)
        if (ops[i].value < 0)
            ops[i].value = next++;
    n_values = next;
}

static const operation *op_of_value(int v)
{
    for (int i = 0; i < n_ops; i++)
        if (ops[i].value == v)
            return &ops[i];
    return NULL;
}

static const char *removed_name(int v)
{
    for (int i = 0; i < n_removed; i++)
        if (removed[i].value == v)
            return removed[i].name;
    return NULL;
}

static void write_header(FILE *f, const char *spec_version)
{
    fprintf(f,
            "/* management_ops.h - GENERATED by tools/gen-mgmt from Kinde's Management API\n"
            " * spec (info.version %s). Do not edit: run `make mgmt-table SPEC=...`.\n"
            " * One value per operationId. Values are append-only: an operation keeps\n"
            " * its number when the spec changes, new ones are added at the end, one\n"
            " * the spec dropped leaves its number unused. Included by management.h. */\n"
            "#ifndef KINDE_MANAGEMENT_OPS_H\n"
            "#define KINDE_MANAGEMENT_OPS_H\n\n"
            "typedef enum kinde_mgmt_op {\n",
            spec_version);
    for (int v = 0; v < n_values; v++) {
        const operation *op = op_of_value(v);
        if (op)
            fprintf(f, "    KINDE_MGMT_%s = %d, /* %s %s */\n", op->enum_name, v, op->method,
                    op->path);
        else if (removed_name(v))
            fprintf(f, "    /* KINDE_MGMT_%s = %d: no longer in the spec */\n", removed_name(v), v);
    }
    fprintf(f, "    KINDE_MGMT_OP_COUNT = %d\n} kinde_mgmt_op;\n\n#endif /* KINDE_MANAGEMENT_OPS_H */\n",
            n_values);
}

static void write_table(FILE *f, const char *spec_version)
{
    fprintf(f,
            "/* mgmt_ops.c - GENERATED by tools/gen-mgmt from Kinde's Management API spec\n"
            " * (info.version %s). Do not edit: run `make mgmt-table SPEC=...`. */\n"
            "#include \"mgmt_internal.h\"\n\n",
            spec_version);
    for (int v = 0; v < n_values; v++) {
        const operation *op = op_of_value(v);
        if (!op || !op->n_params)
            continue;
        fprintf(f, "static const kinde_mgmt_param_info p%d[] = {\n", v);
        for (int j = 0; j < op->n_params; j++) {
            const param *p = &op->params[j];
            fprintf(f, "    {\"%s\", %s, %d, %d},\n", p->name,
                    p->in_path ? "KINDE_MGMT_IN_PATH" : "KINDE_MGMT_IN_QUERY", p->required,
                    p->deep_object);
        }
        fprintf(f, "};\n");
    }
    fprintf(f, "\nconst kinde_mgmt_op_info kinde__mgmt_ops[KINDE_MGMT_OP_COUNT] = {\n");
    static const char *const bodies[] = {"KINDE_MGMT_BODY_NONE", "KINDE_MGMT_BODY_JSON",
                                         "KINDE_MGMT_BODY_MULTIPART"};
    for (int v = 0; v < n_values; v++) {
        const operation *op = op_of_value(v);
        if (!op)
            continue; /* a number of a dropped operation: a zero entry */
        fprintf(f, "    [KINDE_MGMT_%s] = {\"%s\", \"%s\", \"%s\", ", op->enum_name, op->id,
                op->method, op->path);
        if (op->scope[0])
            fprintf(f, "\"%s\", ", op->scope);
        else
            fprintf(f, "NULL, ");
        fprintf(f, "%d, ", op->paged);
        if (op->list_member[0])
            fprintf(f, "\"%s\", ", op->list_member);
        else
            fprintf(f, "NULL, ");
        fprintf(f, "%s, %d, %d, ", bodies[op->body], op->body_required, op->n_params);
        if (op->n_params)
            fprintf(f, "p%d},\n", v);
        else
            fprintf(f, "NULL},\n");
    }
    fprintf(f, "};\n");
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5)
        die("usage: gen-mgmt SPEC.yaml OUT_HEADER.h OUT_TABLE.c [PREVIOUS_HEADER.h]");
    FILE *in = fopen(argv[1], "rb");
    if (!in)
        die("cannot open %s", argv[1]);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        die("out of memory");
    yaml_parser_set_input_file(&parser, in);
    if (!yaml_parser_load(&parser, &doc))
        die("%s: YAML error at line %lu: %s", argv[1], (unsigned long)parser.problem_mark.line + 1,
            parser.problem ? parser.problem : "?");
    yaml_parser_delete(&parser);
    fclose(in);

    yaml_node_t *root = yaml_document_get_root_node(&doc);
    const char *version = scalar(get(get(root, "info"), "version"));
    yaml_node_t *paths = get(root, "paths");
    if (!paths || paths->type != YAML_MAPPING_NODE)
        die("%s has no paths", argv[1]);
    for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top;
         p++) {
        const char *path = scalar(node(p->key));
        yaml_node_t *item = deref(node(p->value));
        yaml_node_t *path_params = get(item, "parameters");
        for (yaml_node_pair_t *q = item->data.mapping.pairs.start; q < item->data.mapping.pairs.top;
             q++) {
            const char *k = scalar(node(q->key));
            if (k && is_method(k))
                add_operation(path, k, path_params, deref(node(q->value)));
        }
    }
    if (!n_ops)
        die("%s has no operations", argv[1]);

    /* Read before the outputs are opened: the previous header may be OUT_HEADER. */
    number(argc == 5 ? argv[4] : NULL);
    FILE *h = fopen(argv[2], "w"), *c = fopen(argv[3], "w");
    if (!h || !c)
        die("cannot write the outputs");
    write_header(h, version ? version : "?");
    write_table(c, version ? version : "?");
    if (fclose(h) || fclose(c))
        die("write failed");
    yaml_document_delete(&doc);
    fprintf(stderr, "gen-mgmt: %d operations\n", n_ops);
    return 0;
}
