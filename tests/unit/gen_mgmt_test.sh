#!/bin/sh
# tools/gen-mgmt on small specs of its own: what it derives (places,
# required, paging, list member, body, scope from x-scope or the
# description), and that enum values are append-only across spec versions
# (kept, new ones appended, a dropped one's number left unused).
#   usage: gen_mgmt_test.sh GEN_MGMT
set -eu
gen=$1
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$w/v1.yaml" <<'YAML'
openapi: 3.0.0
info: {version: '1'}
paths:
  /api/v1/things:
    get:
      operationId: getThings
      x-scope: read:things
      parameters:
        - {name: page_size, in: query, schema: {type: integer}}
        - {name: next_token, in: query, schema: {type: string}}
        - {name: sort, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/things'}
    post:
      operationId: createThing
      description: "Make one. <code>create:things</code>"
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}}}
      responses: {'201': {description: made}}
  /api/v1/things/{thing_id}:
    parameters:
      - $ref: '#/components/parameters/thing_id'
    delete:
      operationId: deleteThing
      responses: {'204': {description: gone}}
components:
  parameters:
    thing_id: {name: thing_id, in: path, required: true, schema: {type: string}}
  schemas:
    things:
      type: object
      properties:
        code: {type: string}
        things: {type: array, items: {type: object}}
        next_token: {type: string}
YAML
"$gen" "$w/v1.yaml" "$w/v1.h" "$w/v1.c" 2>/dev/null
grep -q 'KINDE_MGMT_GET_THINGS = 0, /\* GET /api/v1/things \*/' "$w/v1.h" || fail "getThings = 0"
grep -q 'KINDE_MGMT_CREATE_THING = 1,' "$w/v1.h" || fail "createThing = 1"
grep -q 'KINDE_MGMT_DELETE_THING = 2,' "$w/v1.h" || fail "deleteThing = 2"
grep -q 'KINDE_MGMT_OP_COUNT = 3$' "$w/v1.h" || fail "count 3"
grep -q '{"sort", KINDE_MGMT_IN_QUERY, 1, 0}' "$w/v1.c" || fail "sort: required query"
grep -q '{"page_size", KINDE_MGMT_IN_QUERY, 0, 0}' "$w/v1.c" || fail "page_size: optional query"
grep -q '\[KINDE_MGMT_GET_THINGS\] = {"getThings", "GET", "/api/v1/things", "read:things", 1, "things", KINDE_MGMT_BODY_NONE, 0, 3, p0}' "$w/v1.c" || fail "getThings row"
grep -q '\[KINDE_MGMT_CREATE_THING\] = {"createThing", "POST", "/api/v1/things", "create:things", 0, NULL, KINDE_MGMT_BODY_JSON, 1, 0, NULL}' "$w/v1.c" || fail "createThing row (scope from the description)"
grep -q '{"thing_id", KINDE_MGMT_IN_PATH, 1, 0}' "$w/v1.c" || fail "thing_id: a path-item parameter by \$ref"
grep -q 'Make one' "$w/v1.c" "$w/v1.h" && fail "prose copied"

# v2: createThing dropped, a new operation first in the file, the rest moved.
cat >"$w/v2.yaml" <<'YAML'
openapi: 3.0.0
info: {version: '2'}
paths:
  /api/v1/gadgets:
    get:
      operationId: getGadgets
      responses: {'200': {description: ok}}
  /api/v1/things/{thing_id}:
    delete:
      operationId: deleteThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: gone}}
  /api/v1/things:
    get:
      operationId: getThings
      responses: {'200': {description: ok}}
YAML
"$gen" "$w/v2.yaml" "$w/v2.h" "$w/v2.c" "$w/v1.h" 2>/dev/null
grep -q 'KINDE_MGMT_GET_THINGS = 0,' "$w/v2.h" || fail "getThings kept 0"
grep -q '/\* KINDE_MGMT_CREATE_THING = 1: no longer in the spec \*/' "$w/v2.h" || fail "createThing's 1 left unused"
grep -q 'KINDE_MGMT_DELETE_THING = 2,' "$w/v2.h" || fail "deleteThing kept 2"
grep -q 'KINDE_MGMT_GET_GADGETS = 3,' "$w/v2.h" || fail "getGadgets appended as 3"
grep -q 'KINDE_MGMT_OP_COUNT = 4$' "$w/v2.h" || fail "count 4"
grep -q 'CREATE_THING\]' "$w/v2.c" && fail "a row for the dropped operation"
# v3 from v2: the dropped number stays unused, nothing renumbered.
"$gen" "$w/v2.yaml" "$w/v3.h" "$w/v3.c" "$w/v2.h" 2>/dev/null
cmp -s "$w/v2.h" "$w/v3.h" || fail "regenerating from its own output changed the header"
cmp -s "$w/v2.c" "$w/v3.c" || fail "regenerating from its own output changed the table"
# Without a previous header: the spec's order.
"$gen" "$w/v2.yaml" "$w/fresh.h" "$w/fresh.c" 2>/dev/null
grep -q 'KINDE_MGMT_GET_GADGETS = 0,' "$w/fresh.h" || fail "fresh numbering follows the spec"
# Broken input is an error, not a table.
printf 'openapi: 3.0.0\npaths: [\n' >"$w/bad.yaml"
if "$gen" "$w/bad.yaml" "$w/bad.h" "$w/bad.c" 2>/dev/null; then fail "broken YAML accepted"; fi
echo "ok: gen-mgmt derives the table and keeps enum values append-only"
