/* kinde api: the Management API from a shell.
 *
 *   kinde api --list
 *   kinde api OPERATION --help
 *   kinde api OPERATION [name=value ...] [--data JSON|@FILE] [--all]
 *
 * OPERATION is an operationId of Kinde's spec (createUser) or the enum's
 * name (CREATE_USER, create_user). The answer is printed as JSON; with --all
 * a paged operation's pages are fetched and their lists joined into one
 * answer. The client is the configured one (KINDE_CLIENT_ID and
 * KINDE_CLIENT_SECRET of a machine-to-machine application). Errors:
 * "error: CODE: detail", exit 1; usage errors exit 2. */
#include "api.h"

#include <kinde/management.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int api_fail(const kinde_error *err)
{
    fprintf(stderr, "error: %s: %s\n", kinde_code_name(err->code), err->text);
    return 1;
}

static int api_usage(const char *what)
{
    fprintf(stderr,
            "kinde api: %s\n"
            "usage: kinde api --list\n"
            "       kinde api OPERATION --help\n"
            "       kinde api OPERATION [name=value ...] [--data JSON|@FILE] [--all]\n",
            what);
    return 2;
}

static void list_operations(void)
{
    for (int i = 0; i < KINDE_MGMT_OP_COUNT; i++) {
        const kinde_mgmt_op_info *op = kinde_mgmt_op_info_get((kinde_mgmt_op)i);
        if (!op)
            continue; /* a number the spec no longer uses */
        printf("%-44s %-6s %s%s%s\n", op->operation_id, op->method, op->path,
               op->paged ? "  (paged)" : "", op->body == KINDE_MGMT_BODY_JSON ? "  (--data)" : "");
    }
}

static void describe(const kinde_mgmt_op_info *op)
{
    printf("%s: %s %s\n", op->operation_id, op->method, op->path);
    printf("scope: %s\n", op->scope ? op->scope : "(none)");
    for (size_t i = 0; i < op->n_params; i++) {
        const kinde_mgmt_param_info *p = &op->params[i];
        printf("  %s%s=VALUE  (%s%s)\n", p->name, p->deep_object ? "[KEY]" : "",
               p->in == KINDE_MGMT_IN_PATH ? "path" : "query", p->required ? ", required" : "");
    }
    if (op->body != KINDE_MGMT_BODY_NONE)
        printf("  --data JSON|@FILE  (%s%s)\n",
               op->body == KINDE_MGMT_BODY_JSON ? "JSON body" : "multipart/form-data: not supported",
               op->body_required ? ", required" : "");
    if (op->paged)
        printf("  --all  every page, the '%s' lists joined\n", op->list_member);
}

/* The text of @FILE, or NULL (and a message) when it cannot be read. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kinde api: cannot read %s\n", path);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Every page, the list member of each appended to the first page's. */
static int all_pages(kinde_mgmt *m, kinde_mgmt_op op, const kinde_mgmt_param *params)
{
    const kinde_mgmt_op_info *info = kinde_mgmt_op_info_get(op);
    kinde_error err;
    kinde_mgmt_pages *it = NULL;
    if (kinde_mgmt_pages_new(m, op, params, &it, &err) != KINDE_OK)
        return api_fail(&err);
    json_t *joined = NULL;
    char *page = NULL;
    kinde_code rc;
    int status = 0;
    while ((rc = kinde_mgmt_pages_next(it, &page, &err)) == KINDE_OK && page) {
        json_t *j = json_loads(page, 0, NULL);
        kinde_free(page);
        json_t *list = json_object_get(j, info->list_member);
        if (!joined) {
            joined = j;
            if (!json_is_array(list))
                json_object_set_new(joined, info->list_member, json_array());
        } else {
            if (json_is_array(list))
                json_array_extend(json_object_get(joined, info->list_member), list);
            json_decref(j);
        }
    }
    if (rc != KINDE_OK) {
        status = api_fail(&err);
    } else if (joined) {
        json_object_del(joined, "next_token");
        char *text = json_dumps(joined, JSON_COMPACT | JSON_PRESERVE_ORDER);
        /* jansson's text goes back to jansson's free function: the library
         * may have set jansson's allocation functions (kinde.h). */
        json_free_t jfree = free;
        json_get_alloc_funcs(NULL, &jfree);
        if (text)
            printf("%s\n", text);
        jfree(text);
    }
    json_decref(joined);
    kinde_mgmt_pages_free(it);
    return status;
}

int kinde_cli_api(const char *env_file, int argc, char **argv)
{
    if (argc < 1)
        return api_usage("no operation (kinde api --list shows them)");
    if (strcmp(argv[0], "--list") == 0) {
        if (argc != 1)
            return api_usage("--list takes nothing else");
        list_operations();
        return 0;
    }
    kinde_error err;
    kinde_mgmt_op op;
    if (kinde_mgmt_op_find(argv[0], &op, &err) != KINDE_OK)
        return api_fail(&err);
    const kinde_mgmt_op_info *info = kinde_mgmt_op_info_get(op);

    kinde_mgmt_param *params = calloc((size_t)argc + 1, sizeof *params);
    const char *data = NULL;
    int all = 0, status = 0, n = 0;
    char *owned_data = NULL;
    if (!params)
        return api_usage("out of memory");
    for (int i = 1; i < argc && !status; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        if (strcmp(a, "--help") == 0) {
            describe(info);
            free(params);
            return 0;
        } else if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (strcmp(a, "--data") == 0) {
            if (i + 1 >= argc)
                status = api_usage("--data needs JSON or @FILE");
            else
                data = argv[++i];
        } else if (a[0] != '-' && eq && eq != a) {
            /* name=value: the name is split off in place (argv is ours). */
            argv[i][eq - a] = '\0';
            params[n].name = a;
            params[n].value = eq + 1;
            n++;
        } else {
            status = api_usage("arguments are name=value, --data or --all");
        }
    }
    if (!status && data && data[0] == '@' && !(data = owned_data = read_file(data + 1)))
        status = 1;
    kinde_client *client = NULL;
    kinde_mgmt *m = NULL;
    if (!status) {
        kinde_config base;
        kinde_config_init(&base);
        base.grant_type = KINDE_GRANT_CLIENT_CREDENTIALS;
        if (kinde_client_new_from_env(env_file, &base, &client, &err) != KINDE_OK ||
            kinde_mgmt_new(client, NULL, &m, &err) != KINDE_OK)
            status = api_fail(&err);
    }
    if (!status && all) {
        status = data ? api_usage("--all takes no --data") : all_pages(m, op, params);
    } else if (!status) {
        char *answer = NULL;
        if (kinde_mgmt_call(m, op, params, data, &answer, &err) == KINDE_OK) {
            if (answer) /* nothing for an answer without a body (204) */
                printf("%s\n", answer);
        } else
            status = api_fail(&err);
        kinde_free(answer);
    }
    kinde_mgmt_free(m);
    kinde_client_free(client);
    free(owned_data);
    free(params);
    return status;
}
