/* The Management API inside the emulator (/api/v1/...): shared by mgmt.c
 * (routing, auth, paging, errors, the admin additions) and the files that
 * serve one group of resources each (mgmt_users.c, mgmt_orgs.c, ...).
 *
 * A handler runs with emu.lock held by the router (taken and released
 * there), changes emu.data, writes its reply and queues webhook events on
 * the call; the router hands the events to webhooks.c after unlocking. */
#ifndef KINDE_EMULATOR_MGMT_H
#define KINDE_EMULATOR_MGMT_H

#include "emulator.h"

#include <sys/types.h>

typedef struct mg_call {
    const emu_request *q;
    const emu_mgmt_op *op;
    char params[EMU_MGMT_MAX_PARAMS][EMU_MGMT_PARAM_MAX]; /* path parameters, in template order, percent-decoded */
    json_t *body;                    /* the JSON body: an object, or an empty one when none */
    json_t *events;                  /* [{type, data}] to deliver once the lock is released */
} mg_call;

typedef void (*mg_handler)(mg_call *c, emu_reply *r);
typedef struct mg_route {
    const char *operation_id;
    mg_handler handler;
} mg_route;

/* Each resource file's routes, NULL-terminated. */
extern const mg_route mg_user_routes[], mg_org_routes[], mg_role_routes[], mg_flag_routes[],
    mg_business_routes[], mg_webhook_routes[];

/* {"errors":[{"code","message"}]} with status. */
void mg_error(emu_reply *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 404 {CODE}_NOT_FOUND for what, e.g. mg_not_found(r, "USER", "user", id). */
void mg_not_found(emu_reply *r, const char *code_prefix, const char *what, const char *id);
/* The operation's success status and body (stolen), as is. */
void mg_reply(mg_call *c, emu_reply *r, json_t *body);
/* The same with "code": "OK" and "message": "Success" added (most of
 * Kinde's answers carry them). */
void mg_ok(mg_call *c, emu_reply *r, json_t *body);
void mg_success(mg_call *c, emu_reply *r); /* {"code":"OK","message":"Success"} */

const char *mg_query(const mg_call *c, const char *name);
/* A string member of the body: NULL when absent; *bad set when present but
 * not a string. */
const char *mg_str(const mg_call *c, const char *name, int *bad);
/* Reads page_size (1..500, default 10) and next_token; writes a 400 and
 * returns -1 when they are wrong. */
int mg_page(mg_call *c, emu_reply *r, size_t *from, size_t *size);
/* Copies items [from, from+size) of a list into out[member] and sets
 * next_token when more follow. */
void mg_page_fill(json_t *out, const char *member, json_t *items, size_t from, size_t size);
/* A whole list answer: the page of items (each rendered) under member, with
 * next_token, code and message. */
void mg_list(mg_call *c, emu_reply *r, const char *member, const json_t *items, json_t *(*render)(const json_t *));

/* A fresh id: prefix then 32 lowercase hex characters. NULL on failure. */
char *mg_new_id(const char *prefix);
/* RFC 3339 UTC text of the emulator's clock. */
void mg_now_text(char out[32]);
json_t *mg_find(const json_t *array, const char *field, const char *value);
/* Removes every occurrence of s from an array of strings. */
void mg_remove_string(json_t *array, const char *s);
/* owner[name], an empty object (or array) put there first when absent. */
json_t *mg_member(json_t *owner, const char *name, int array);
/* A new reference to v, or JSON null when v is NULL. */
json_t *mg_nullable(const json_t *v);
/* The organization, or NULL with a 404 written (lock held). */
json_t *mg_org_or_404(emu_reply *r, const char *code);
ssize_t mg_index(const json_t *array, const char *field, const char *value);
/* Queues a webhook event (type, data stolen) for after the lock. */
void mg_event(mg_call *c, const char *type, json_t *data);

/* The Management API's view of a user, an organization (lock held). */
json_t *mg_user_json(const json_t *user, int list_item);
/* What webhooks say about a user: Kinde's user.* data, {"user": {...}}. */
json_t *mg_user_event(const json_t *user);
/* Parses a flag value given as text for the flag's type; 0 or -1. */
int mg_flag_value(const char *type, const char *text, json_t **out);

int emu_webhook_endpoint_ok(const char *url); /* loopback http(s) URL */


#endif
