# The emulator's Management API (/api/v1/...) and its admin additions:
# auth refusals, validation errors, 404/405/501, paging bounds, the
# rate-limit fault, the api-log, and webhooks delivered to a loopback
# receiver (tests/emulator/webhook_sink.c) whose JWS is verified with
# openssl against the JWKS. Sourced by emulator_test.sh (its helpers: http,
# check, is, header, start_emulator, wait_ready) with $SINK set.

b64url_dec() { # base64url without padding -> bytes
  local s=$1
  while [ $((${#s} % 4)) != 0 ]; do s="$s="; done
  printf %s "$s" | basenc --base64url -d
}
api_error() { # status, code: Kinde's error body with that code
  [ "$STATUS" = "$1" ] && grep -qF "{\"errors\":[{\"code\":\"$2\",\"message\":" "$W/body"
}
api() { # METHOD PATH [curl options...] with the current Management API token
  local method=$1 path=$2; shift 2
  http "$method" "/api/v1$path" -H "Authorization: Bearer $MT" "$@"
}
json_api() { # METHOD PATH JSON
  api "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
m2m_token() { # client_id secret [audience]: the access token, or ""
  http POST /oauth2/token -d grant_type=client_credentials -d "client_id=$1" -d "client_secret=$2" \
    ${3:+-d "audience=$3"}
  json_str access_token
}
claims_of() { b64url_dec "$(printf %s "$1" | cut -d. -f2)"; }

cat >"$W/mgmt.json" <<'JSON'
{
  "applications": [
    {"name": "web", "client_id": "web", "client_secret": "web_secret",
     "callback_urls": ["http://127.0.0.1:9/cb"], "audiences": ["https://api.test"]},
    {"name": "m2m", "client_id": "m2m", "client_secret": "m2m_secret", "callback_urls": [],
     "grant_types": ["client_credentials"], "management_api": {}},
    {"name": "reader", "client_id": "reader", "client_secret": "reader_secret", "callback_urls": [],
     "management_api": {"scopes": ["read:users"]}}
  ],
  "permissions": ["read:todos", {"key": "write:todos", "id": "perm_w", "name": "Write"}],
  "roles": [{"key": "admin", "name": "Admin", "permissions": ["read:todos", "write:todos"]}],
  "feature_flags": {"theme": {"t": "s", "v": "pink"}, "dark": {"t": "b", "v": false}},
  "organizations": [{"code": "org_a", "name": "A"}],
  "users": [{"id": "kp_1", "email": "dave@test.io", "given_name": "Dave", "family_name": "Smith"}],
  "members": [{"user": "kp_1", "org": "org_a", "roles": ["admin"]}],
  "new_users": {"org": "org_a"}
}
JSON

run "$EMU" --check-data "$W/mgmt.json"
check "--check-data: management_api, permission objects and role permissions are valid" \
  eval '[ $RC = 0 ] && grep -q "valid (3 applications" "$W/out"'
for bad in \
  'management_api: an object, for an application with a client_secret|{"applications": [{"client_id": "a", "callback_urls": [], "management_api": {}}]}' \
  'management_api.scopes[0]: "read:everything" is no scope of the Management API|{"applications": [{"client_id": "a", "client_secret": "s", "callback_urls": [], "management_api": {"scopes": ["read:everything"]}}]}' \
  'roles[0].permissions[0]: no permission "nope"|{"roles": [{"key": "r", "permissions": ["nope"]}]}' \
  'permissions[1]: "p" appears twice|{"permissions": ["p", {"key": "p"}]}' \
  'webhooks: registered through the Management API only|{"webhooks": []}'; do
  printf %s "${bad#*|}" >"$W/bad.json"
  run "$EMU" --check-data "$W/bad.json"
  check "--check-data refuses: ${bad%%|*}" eval '[ $RC = 2 ] && grep -qF "${bad%%|*}" "$W/err"'
done

SAVED_URL=$URL
start_emulator "$W/mready" --data "$W/mgmt.json" --data-dir "$W/memu" --admin
MGMT_PID=$!
OTHER_PID="$OTHER_PID $MGMT_PID"
wait_ready "$W/mready" "$MGMT_PID"
URL="http://127.0.0.1:$(head -1 "$W/mready")"
AUD="$URL/api"

# ---- tokens and auth ---------------------------------------------------------
MT=$(m2m_token m2m m2m_secret "$AUD")
check "client_credentials for <issuer>/api: a token" eval '[ -n "$MT" ]'
C=$(claims_of "$MT")
check "... aud [<issuer>/api], gty [client_credentials], scp with the management scopes" \
  eval 'printf %s "$C" | grep -qF "\"aud\":[\"$AUD\"]" && printf %s "$C" | grep -qF "\"gty\":[\"client_credentials\"]" &&
        printf %s "$C" | grep -qF "\"create:users\"" && printf %s "$C" | grep -qF "\"read:organizations\""'
m2m_token web web_secret "$AUD" >/dev/null
check "an application not authorised for the Management API: 400 unauthorized_client" \
  oauth_error 400 unauthorized_client "this application is not authorised for the Management API"

http GET /api/v1/users
check "no token: 401 UNAUTHORIZED, Bearer challenge" \
  eval 'api_error 401 UNAUTHORIZED && [ "$(header WWW-Authenticate)" = "Bearer error=\"invalid_token\"" ]'
http GET /api/v1/users -H "Authorization: Bearer not.a.token"
check "a token that does not verify: 401" api_error 401 UNAUTHORIZED
OTHER=$(m2m_token web web_secret https://api.test)
http GET /api/v1/users -H "Authorization: Bearer $OTHER"
check "an M2M token for another audience: 403 FORBIDDEN" api_error 403 FORBIDDEN
http POST /_emulator/mint -H "Content-Type: application/json" -d "{\"claims\": {\"iss\": \"$URL\", \"sub\": \"kp_1\", \"aud\": [\"$AUD\"], \"exp\": 4102444800, \"scp\": [\"read:users\"]}}"
USER_TOKEN=$(json_str token)
http GET /api/v1/users -H "Authorization: Bearer $USER_TOKEN"
check "a user token (no gty client_credentials), even for <issuer>/api: 403" api_error 403 FORBIDDEN
http POST /_emulator/mint -H "Content-Type: application/json" -d "{\"claims\": {\"iss\": \"$URL\", \"sub\": \"m2m\", \"aud\": [\"$AUD\"], \"gty\": [\"client_credentials\"], \"exp\": 1000, \"scp\": []}}"
EXPIRED=$(json_str token)
http GET /api/v1/users -H "Authorization: Bearer $EXPIRED"
check "an expired token: 401" api_error 401 UNAUTHORIZED
RT=$(m2m_token reader reader_secret "$AUD")
check "the token answer's scope is the granted scopes (reader: read:users)" eval '[ "$(json_str scope)" = read:users ]'
http GET /api/v1/users -H "Authorization: Bearer $RT"
check "a token with the operation's scope (read:users): 200" eval '[ "$STATUS" = 200 ]'
http GET /api/v1/organizations -H "Authorization: Bearer $RT"
check "without it (read:organizations): 403 naming the scope" \
  eval 'api_error 403 FORBIDDEN && grep -qF "lacks the scope read:organizations" "$W/body"'

http POST /_emulator/expire-api-tokens -H "Content-Type: application/json"
api GET /users
check "expire-api-tokens: the token issued before answers 401" api_error 401 UNAUTHORIZED
MT=$(m2m_token m2m m2m_secret "$AUD")
api GET /users
check "... and a token issued after works" eval '[ "$STATUS" = 200 ]'

# ---- routing: 404, 405, 501 ----------------------------------------------------
api GET /api_keys
check "an operation the emulator does not model: 501, its documented error" \
  is 501 '{"errors":[{"code":"NOT_IMPLEMENTED_IN_EMULATOR","message":"GET /api/v1/api_keys is not modelled by kinde-emulator"}]}'
api POST /api_keys/verify -H 'Content-Type: application/json' -d '{}'
check "a literal segment beats a parameter (/api_keys/verify, not /api_keys/{key_id})" \
  eval 'api_error 501 NOT_IMPLEMENTED_IN_EMULATOR && grep -qF "POST /api/v1/api_keys/verify is" "$W/body"'
api GET /no_such_thing
check "a path of no operation: 404 ROUTE_NOT_FOUND" api_error 404 ROUTE_NOT_FOUND
api PUT /users
check "a known path with another method: 405" api_error 405 METHOD_NOT_ALLOWED
api GET "/user?id=kp_nope"
check "an unknown user: 404 USER_NOT_FOUND" api_error 404 USER_NOT_FOUND
api GET /roles/role_nope
check "an unknown role: 404 ROLE_NOT_FOUND" api_error 404 ROLE_NOT_FOUND
api GET /organization?code=org_nope
check "an unknown organization: 404 ORGANIZATION_NOT_FOUND" api_error 404 ORGANIZATION_NOT_FOUND
api GET /roles/%ff%fe
check "an id that is not UTF-8: still 404 ROLE_NOT_FOUND, the bytes shown as ?" \
  is 404 '{"errors":[{"code":"ROLE_NOT_FOUND","message":"no role \"??\""}]}'

# ---- validation ------------------------------------------------------------------
json_api POST /user '{"profile": {"given_name": "No"}}'
check "create user without an email identity: 400 EMAIL_REQUIRED" api_error 400 EMAIL_REQUIRED
json_api POST /user '{"identities": [{"type": "email", "details": {"email": "not-an-email"}}]}'
check "a malformed email: 400 INVALID_EMAIL" api_error 400 INVALID_EMAIL
json_api POST /user '{"identities": [{"type": "email", "details": {"email": "DAVE@test.io"}}]}'
check "an email that exists (any case): 409 USER_ALREADY_EXISTS" api_error 409 USER_ALREADY_EXISTS
json_api POST /user '{"profile": '
check "a body that is not JSON: 400 INVALID_JSON" api_error 400 INVALID_JSON
json_api POST /user '{"a": 1, "a": 2}'
check "duplicate members: 400 INVALID_JSON" api_error 400 INVALID_JSON
json_api POST /roles '{"name": "Bad", "key": "has space"}'
check "a role key with a space: 400" api_error 400 INVALID_REQUEST
json_api POST /roles '{"name": "Admin again", "key": "admin"}'
check "a role key that exists: 409 ROLE_KEY_EXISTS" api_error 409 ROLE_KEY_EXISTS
api PATCH "/organizations/org_a/feature_flags/dark?value=yes"
check "a bool flag override that is not true or false: 400 INVALID_FEATURE_FLAG_VALUE" \
  api_error 400 INVALID_FEATURE_FLAG_VALUE
api PATCH "/organizations/org_a/feature_flags/nope?value=1"
check "an override of an unknown flag: 404 FEATURE_FLAG_NOT_FOUND" api_error 404 FEATURE_FLAG_NOT_FOUND
json_api POST /feature_flags '{"key": "n", "name": "N", "type": "int", "default_value": "ten"}'
check "an int flag whose default is not an integer: 400" api_error 400 INVALID_REQUEST

# ---- paging ------------------------------------------------------------------------
for ps in 0 501 -1 abc 1.5; do
  api GET "/users?page_size=$ps"
  check "page_size=$ps: 400 INVALID_PAGE_SIZE" api_error 400 INVALID_PAGE_SIZE
done
api GET "/users?page_size=500"
check "page_size=500 (Kinde's maximum): 200" eval '[ "$STATUS" = 200 ]'
api GET "/users?next_token=forged"
check "a next_token the emulator did not give: 400 INVALID_NEXT_TOKEN" api_error 400 INVALID_NEXT_TOKEN
for i in 1 2 3 4 5 6; do
  json_api POST /user "{\"profile\": {\"given_name\": \"U$i\", \"family_name\": \"P\"}, \"identities\": [{\"type\": \"email\", \"details\": {\"email\": \"u$i@test.io\"}}]}"
done
check "six users created (200, created: true)" eval '[ "$STATUS" = 200 ] && grep -qF "\"created\":true" "$W/body"'
: >"$W/ids"; NT="" PAGES=0
while :; do
  api GET "/users?page_size=3${NT:+&next_token=$NT}"
  [ "$STATUS" = 200 ] || break
  PAGES=$((PAGES + 1))
  grep -oE '"id":"kp_[0-9a-f]+"' "$W/body" >>"$W/ids"
  NT=$(sed -nE 's/.*"next_token":"([^"]+)".*/\1/p' "$W/body")
  [ -n "$NT" ] && [ $PAGES -lt 10 ] || break
done
check "paging 7 users by 3: 3 pages, every user once, no next_token on the last" \
  eval '[ $PAGES = 3 ] && [ "$(wc -l <"$W/ids")" = 7 ] && [ "$(sort -u "$W/ids" | wc -l)" = 7 ]'
json_api POST /users/kp_1/identities '{"type": "email", "value": "u1@test.io"}'
check "an email identity another user has: 409 IDENTITY_ALREADY_EXISTS" api_error 409 IDENTITY_ALREADY_EXISTS
json_api POST /users/kp_1/identities '{"type": "email", "value": "dave.two@test.io"}'
check "a new email identity: 201 with its id" eval '[ "$STATUS" = 201 ] && grep -qF "\"identity\":{\"id\":\"identity_" "$W/body"'

# ---- the rate-limit fault --------------------------------------------------------------
http POST /_emulator/rate-limit -H "Content-Type: application/json" -d '{"after": 1, "count": 2, "reset_seconds": 7}'
check "rate-limit set" eval '[ "$STATUS" = 200 ]'
api GET /roles
check "rate-limit: the next call (after: 1) still answers 200" eval '[ "$STATUS" = 200 ]'
api GET /roles
check "then 429 TOO_MANY_REQUESTS with RateLimit-Reset: 7 and Retry-After: 7" \
  eval 'api_error 429 TOO_MANY_REQUESTS && [ "$(header RateLimit-Reset)" = 7 ] && [ "$(header Retry-After)" = 7 ]'
http GET /api/v1/roles
check "the second refused call is refused before auth too: 429" api_error 429 TOO_MANY_REQUESTS
api GET /roles
check "after count calls, 200 again" eval '[ "$STATUS" = 200 ]'
http POST /_emulator/rate-limit -H "Content-Type: application/json" -d '{"count": 1, "reset_seconds": 3601}'
check "rate-limit: reset_seconds over 3600 is refused (400)" eval '[ "$STATUS" = 400 ]'
http POST /_emulator/rate-limit -H "Content-Type: application/json" -d '{"count": 5, "reset_seconds": 0}'
http POST /_emulator/reset -H "Content-Type: application/json"
api GET /roles
check "reset clears the rate limit" eval '[ "$STATUS" = 200 ]'

# ---- the api-log ------------------------------------------------------------------------
http GET /_emulator/api-log -H "Content-Type: application/json"
check "reset cleared the api-log but for the call after it" \
  eval '[ "$(grep -o "\"method\"" "$W/body" | wc -l)" = 1 ]'
http DELETE /_emulator/api-log -H "Content-Type: application/json"
api PATCH "/user?id=kp_1&x=%20y" -H 'Content-Type: application/json' --data-binary '{"given_name":"David"}'
check "update user: 200 with the new name" eval '[ "$STATUS" = 200 ] && [ "$(json_str given_name)" = David ]'
http GET /_emulator/api-log -H "Content-Type: application/json"
check "api-log: method, path, raw query, content type and body as sent" \
  is 200 '{"requests":[{"method":"PATCH","path":"/api/v1/user","query":"id=kp_1&x=%20y","content_type":"application/json","body":"{\"given_name\":\"David\"}"}]}'
printf '{"a":"\377"}' >"$W/latin1.json"
api POST /user -H 'Content-Type: application/json' --data-binary @"$W/latin1.json"
LATIN1_STATUS=$STATUS
http GET /_emulator/api-log -H "Content-Type: application/json"
check "a body that is not UTF-8: 400 INVALID_JSON, logged with the byte shown as ?" \
  eval '[ "$LATIN1_STATUS" = 400 ] && grep -qF "\"body\":\"{\\\"a\\\":\\\"?\\\"}\"}" "$W/body"'
http GET /_emulator/api-log -H "Content-Type: application/json" -X POST
check "api-log takes GET and DELETE only: 405" eval '[ "$STATUS" = 405 ] && [ "$(header Allow)" = "GET, DELETE" ]'

# ---- webhooks -----------------------------------------------------------------------------
mkdir -p "$W/hooks"
"$SINK" "$W/sink.ready" "$W/hooks" 2 &
SINK_PID=$!
OTHER_PID="$OTHER_PID $SINK_PID"
wait_ready "$W/sink.ready" "$SINK_PID"
HOOK="http://127.0.0.1:$(head -1 "$W/sink.ready")/kinde"
for far in http://example.com/hook http://10.0.0.1/hook ftp://127.0.0.1/hook 'http://127.0.0.1.example.com/h'; do
  json_api POST /webhooks "{\"name\": \"far\", \"endpoint\": \"$far\", \"event_types\": [\"user.created\"]}"
  check "a webhook to $far is refused: 400 INVALID_ENDPOINT" api_error 400 INVALID_ENDPOINT
done
json_api POST /webhooks "{\"name\": \"x\", \"endpoint\": \"$HOOK\", \"event_types\": [\"user.exploded\"]}"
check "an unknown event type: 400 INVALID_EVENT_TYPE" api_error 400 INVALID_EVENT_TYPE
json_api POST /webhooks "{\"name\": \"sink\", \"endpoint\": \"$HOOK\", \"event_types\": [\"user.created\", \"role.deleted\"]}"
check "a loopback webhook is registered" eval '[ "$STATUS" = 200 ] && [ "$(json_str endpoint)" = "$HOOK" ]'
json_api POST /user '{"profile": {"given_name": "Hook", "family_name": "Test"}, "identities": [{"type": "email", "details": {"email": "hook@test.io"}}]}'
NEW_USER=$(json_str id)
for _ in $(seq 1 200); do [ -s "$W/hooks/3.req" ] && break; sleep 0.05; done
check "the sink answered 500 twice, the emulator retried, the third attempt is 200" \
  eval '[ -s "$W/hooks/1.req" ] && [ -s "$W/hooks/2.req" ] && [ -s "$W/hooks/3.req" ]'
REQ3="$W/hooks/3.req"
check "POST to the registered path, Content-Type: application/jwt" \
  eval 'head -1 "$REQ3" | grep -q "^POST /kinde HTTP/1.1" && grep -qi "^Content-Type: application/jwt" "$REQ3"'
WID=$(sed -nE 's/^[Ww]ebhook-[Ii]d: (.*)\r$/\1/p' "$REQ3")
JWS=$(sed '1,/^\r$/d' "$REQ3")
HDR=$(b64url_dec "$(printf %s "$JWS" | cut -d. -f1)")
PAY=$(b64url_dec "$(printf %s "$JWS" | cut -d. -f2)")
check "the body is a compact JWS, header alg RS256, typ JWT" \
  eval 'case "$HDR" in *"\"alg\":\"RS256\""*"\"typ\":\"JWT\""*) true;; *) false;; esac'
check "payload: type user.created, event_id = webhook-id, source api, data.user" \
  eval 'case "$PAY" in *"\"type\":\"user.created\""*) true;; *) false;; esac &&
        case "$PAY" in *"\"event_id\":\"$WID\""*) true;; *) false;; esac && case "$WID" in event_*) true;; *) false;; esac &&
        case "$PAY" in *"\"source\":\"api\""*"\"id\":\"$NEW_USER\""*) true;; *) false;; esac'
check "payload: a timestamp like 2026-12-01T10:00:00.123+00:00" \
  eval 'printf %s "$PAY" | grep -qE "\"timestamp\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+00:00\""'
check "payload: no iss, aud, exp or iat (Kinde's shape)" \
  eval '! printf %s "$PAY" | grep -qE "\"(iss|aud|exp|iat)\":"'
cmp -s "$W/hooks/1.req" "$W/hooks/3.req"
check "every retry sends the same event" eval '[ $? = 0 ] || [ "$(sed "1,/^\r$/d" "$W/hooks/1.req")" = "$JWS" ]'
http GET /_emulator/webhook-log -H "Content-Type: application/json"
check "webhook-log: attempts 1, 2 (500) and 3 (200) of that event" \
  eval 'grep -qF "\"attempt\":1" "$W/body" && grep -qF "\"attempt\":3" "$W/body" &&
        [ "$(grep -o "\"status\":500" "$W/body" | wc -l)" = 2 ] && grep -qF "\"status\":200" "$W/body"'

# The signature, checked with openssl against the public key of the JWKS.
KID=$(printf %s "$HDR" | sed -nE 's/.*"kid":"([^"]+)".*/\1/p')
http GET /.well-known/jwks.json
N=$(json_str n) E=$(json_str e)
{
  echo "asn1=SEQUENCE:rsa"
  echo "[rsa]"
  echo "n=INTEGER:0x$(b64url_dec "$N" | xxd -p | tr -d '\n')"
  echo "e=INTEGER:0x$(b64url_dec "$E" | xxd -p | tr -d '\n')"
} >"$W/jwk.cnf"
openssl asn1parse -genconf "$W/jwk.cnf" -out "$W/jwk.der" >/dev/null 2>&1 &&
  openssl rsa -RSAPublicKey_in -inform DER -in "$W/jwk.der" -pubout -out "$W/jwk.pem" 2>/dev/null
printf %s "$JWS" | cut -d. -f1-2 | tr -d '\n' >"$W/signed"
b64url_dec "$(printf %s "$JWS" | cut -d. -f3)" >"$W/sig"
check "the JWS kid is the JWKS key's, and its RS256 signature verifies with that key" \
  eval '[ "$KID" = "$(json_str kid)" ] && openssl dgst -sha256 -verify "$W/jwk.pem" -signature "$W/sig" "$W/signed" >/dev/null'
printf 'x' >>"$W/signed"
check "... and the same check fails on one byte more (the check can fail)" \
  eval '! openssl dgst -sha256 -verify "$W/jwk.pem" -signature "$W/sig" "$W/signed" >/dev/null 2>&1'

json_api POST /roles '{"name": "Temp", "key": "temp"}'
check "role created (201)" eval '[ "$STATUS" = 201 ]'
ROLE_ID=$(sed -nE 's/.*"role":\{"id":"([^"]+)".*/\1/p' "$W/body")
api DELETE "/roles/$ROLE_ID"
http GET /_emulator/stats -H "Content-Type: application/json"
check "stats count a Management API request under its path template" \
  eval 'grep -qF "\"/api/v1/roles/{role_id}\":1" "$W/body"'
for _ in $(seq 1 100); do [ -s "$W/hooks/4.req" ] && break; sleep 0.05; done
check "role.deleted goes to the sink; role.created (not subscribed) does not" \
  eval '[ -s "$W/hooks/4.req" ] && [ ! -e "$W/hooks/5.req" ] &&
        case "$(b64url_dec "$(sed "1,/^\r$/d" "$W/hooks/4.req" | cut -d. -f2)")" in
          *"\"type\":\"role.deleted\""*"\"key\":\"temp\""*) true;; *) false;; esac'

http GET "/oauth2/auth?client_id=web&redirect_uri=http://127.0.0.1:9/cb&response_type=code&state=s1&prompt=create"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /register/submit -d "request=$REQ" -d given_name=Sign -d family_name=Up -d email=signup@test.io
for _ in $(seq 1 100); do [ -s "$W/hooks/5.req" ] && break; sleep 0.05; done
check "a sign-up on the registration page sends user.created with source user" \
  eval '[ "$STATUS" = 302 ] && [ -s "$W/hooks/5.req" ] &&
        case "$(b64url_dec "$(sed "1,/^\r$/d" "$W/hooks/5.req" | cut -d. -f2)")" in
          *"\"type\":\"user.created\""*"\"source\":\"user\""*"\"email\":\"signup@test.io\""*) true;; *) false;; esac'

# A receiver that is gone: the API does not wait for it, and the delivery
# gives up after four attempts, each logged.
mkdir -p "$W/gone"
"$SINK" "$W/gone.ready" "$W/gone" &
GONE_PID=$!
wait_ready "$W/gone.ready" "$GONE_PID"
GONE="http://127.0.0.1:$(head -1 "$W/gone.ready")/gone"
kill "$GONE_PID"; wait "$GONE_PID" 2>/dev/null
json_api POST /webhooks "{\"name\": \"gone\", \"endpoint\": \"$GONE\", \"event_types\": [\"organization.created\"]}"
http DELETE /_emulator/webhook-log -H "Content-Type: application/json"
T0=$(date +%s%N)
json_api POST /organization '{"name": "Async"}'
T1=$(date +%s%N)
check "the API answers without waiting for the webhook (under 1 s; retries take 2.6 s)" \
  eval '[ "$STATUS" = 200 ] && [ $(( (T1 - T0) / 1000000 )) -lt 1000 ]'
for _ in $(seq 1 200); do
  http GET /_emulator/webhook-log -H "Content-Type: application/json"
  grep -qF '"pending":false' "$W/body" && grep -qF '"attempt":4' "$W/body" && break
  sleep 0.05
done
check "four attempts to the gone receiver, each logged with status 0 and the error" \
  eval '[ "$(grep -o "\"type\":\"organization.created\"" "$W/body" | wc -l)" = 4 ] &&
        [ "$(grep -o "\"status\":0" "$W/body" | wc -l)" = 4 ] && grep -qF "\"attempt\":4" "$W/body" &&
        ! grep -qF "\"error\":\"\"" "$W/body"'

# ---- suspended users ----------------------------------------------------------------------
json_api PATCH "/user?id=kp_1" '{"is_suspended": true}'
check "suspend a user: 200, is_suspended true" eval '[ "$STATUS" = 200 ] && grep -qF "\"is_suspended\":true" "$W/body"'
http GET "/oauth2/auth?client_id=web&redirect_uri=http://127.0.0.1:9/cb&response_type=code&state=s2"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /login/submit -d "request=$REQ" -d email=dave@test.io
check "a suspended user cannot sign in (422, the form says why)" \
  eval '[ "$STATUS" = 422 ] && grep -qF "This user is suspended." "$W/body"'
json_api PATCH "/user?id=kp_1" '{"is_suspended": false}'
http POST /login/submit -d "request=$REQ" -d email=dave@test.io
check "unsuspended, the same sign-in goes through" eval 'redirected_with "http://127.0.0.1:9/cb?code=" state=s2'

# ---- reach the next token ---------------------------------------------------------------
api PATCH "/users/$NEW_USER/feature_flags/theme?value=green"
check "a user flag override: 200" eval '[ "$STATUS" = 200 ]'
http GET "/oauth2/auth?client_id=web&redirect_uri=http://127.0.0.1:9/cb&response_type=code&state=m1&scope=openid%20offline"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /login/submit -d "request=$REQ" -d email=hook@test.io
CODE=$(param code)
http POST /oauth2/token -d grant_type=authorization_code -d "code=$CODE" -d redirect_uri=http://127.0.0.1:9/cb \
  -d client_id=web -d client_secret=web_secret
AT=$(json_str access_token)
C=$(claims_of "$AT")
check "the user created through the API signs in; their token has org_a and the override" \
  eval 'case "$C" in *"\"org_code\":\"org_a\""*) true;; *) false;; esac &&
        case "$C" in *"\"theme\":{\"t\":\"s\",\"v\":\"green\"}"*) true;; *) false;; esac'

api DELETE "/user?id=$NEW_USER"
check "delete user: 200" eval '[ "$STATUS" = 200 ]'
api GET "/user?id=$NEW_USER"
check "... then 404" api_error 404 USER_NOT_FOUND

# ---- every operation of the spec, against the README's table -------------------------------
README="$SRC/README.md"
sed -nE 's/^\| `([A-Za-z]+)` \| `([A-Z]+) ([^`]+)` \| (yes|501) \|$/\1 \2 \3 \4/p' "$README" >"$W/ops"
check "the README's table lists the spec's 183 operations" eval '[ "$(wc -l <"$W/ops")" = 183 ]'
: >"$W/ops.wrong"
while read -r op method tmpl want; do
  path=$(printf %s "$tmpl" | sed -E 's/\{[a-z_]+\}/x/g')
  case $method in POST|PUT|PATCH) api "$method" "${path#/api/v1}" -H 'Content-Type: application/json' -d '{}';;
                  *) api "$method" "${path#/api/v1}";; esac
  if [ "$want" = 501 ]; then
    is 501 "{\"errors\":[{\"code\":\"NOT_IMPLEMENTED_IN_EMULATOR\",\"message\":\"$method $tmpl is not modelled by kinde-emulator\"}]}" ||
      echo "$op: $STATUS $(head -c 200 "$W/body")" >>"$W/ops.wrong"
  elif [ "$STATUS" = 501 ] || [ "$STATUS" = 404 ] && grep -qF ROUTE_NOT_FOUND "$W/body"; then
    echo "$op: $STATUS (listed as modelled)" >>"$W/ops.wrong"
  fi
done <"$W/ops"
check "every operation answers as the README's table says (501 exactly when not modelled)" \
  eval '[ ! -s "$W/ops.wrong" ] || { cat "$W/ops.wrong"; false; }'

# API changes stay in memory: a restart still fits runtime.json to the data
# file even when the API gave a user who signed up a role the file lacks.
api GET "/search/users?query=signup@test.io"
SIGNUP_ID=$(grep -oE '"id":"kp_[0-9a-f]+"' "$W/body" | head -1 | cut -d'"' -f4)
json_api POST /roles '{"name": "API role", "key": "api_role"}'
json_api POST "/organizations/org_a/users/$SIGNUP_ID/roles" '{"role_id": "api_role"}'
check "the user who signed up gets a role created through the API" eval '[ "$STATUS" = 200 ] && [ -n "$SIGNUP_ID" ]'
http GET "/oauth2/auth?client_id=web&redirect_uri=http://127.0.0.1:9/cb&response_type=code&state=s3&prompt=create"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /register/submit -d "request=$REQ" -d given_name=Later -d family_name=Up -d email=later@test.io
check "a later sign-up writes runtime.json again" eval '[ "$STATUS" = 302 ]'

kill -TERM "$MGMT_PID"; wait "$MGMT_PID"; RC=$?
check "the emulator with webhooks and Management API state exits 0 on SIGTERM" eval '[ $RC = 0 ]'
start_emulator "$W/mready" --data "$W/mgmt.json" --data-dir "$W/memu" --admin
MGMT_PID=$!
OTHER_PID="$OTHER_PID $MGMT_PID"
wait_ready "$W/mready" "$MGMT_PID"
URL="http://127.0.0.1:$(head -1 "$W/mready")"
MT=$(m2m_token m2m m2m_secret "$URL/api")
api GET "/search/users?query=signup@test.io"
check "after a restart: the sign-up is back, the API's users and roles are not" \
  eval 'grep -qF "\"id\":\"$SIGNUP_ID\"" "$W/body" && api GET "/search/users?query=u1@test.io" &&
        ! grep -qF "u1@test.io" "$W/body" && api GET /roles/api_role && api_error 404 ROLE_NOT_FOUND'
kill -TERM "$MGMT_PID"; wait "$MGMT_PID"; RC=$?
check "... and it exits 0 again" eval '[ $RC = 0 ]'
kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null
OTHER_PID=${OTHER_PID// $MGMT_PID/}; OTHER_PID=${OTHER_PID// $SINK_PID/}
URL=$SAVED_URL
