# Sourced by http_test.sh (its helpers, its emulator started with --admin):
# the demo app's POST /webhooks against events the emulator sends when the
# Management API changes something, and against bodies made to be refused.
#
# An instance of its own, with its log (LOUD), its own events and
# --webhook-max-age 300, registered twice as a webhook endpoint (by
# 127.0.0.1 and by localhost): the emulator then delivers each event to it
# twice, the same signed body, and the second must be taken as a replay.

echo "# webhooks"
LOUD=1 start_app hooks 0 --data-dir "$W/hooks" --webhook-max-age 300
HOOKS_PORT=$LAST_PORT HOOKS_PID=$LAST_PID
BH="http://127.0.0.1:$HOOKS_PORT"
HOOKS_LOG=$W/hooks.log

json_str() { # name: the first string member of that name in $W/body
  sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\\1/p" "$W/body" | head -1
}
req "$EMU_URL/oauth2/token" -d grant_type=client_credentials -d client_id=kinde_demo_m2m \
  -d client_secret=kinde_demo_m2m_secret --data-urlencode "audience=$EMU_URL/api"
M2M=$(json_str access_token)
check "an M2M token for the Management API (kinde_demo_m2m, audience <issuer>/api)" test -n "$M2M"
mgmt() { # method path json
  req "$EMU_URL/api/v1$2" -X "$1" -H "Authorization: Bearer $M2M" \
    -H 'Content-Type: application/json' -d "$3"
}
for endpoint in "$BH/webhooks" "http://localhost:$HOOKS_PORT/webhooks"; do
  mgmt POST /webhooks "{\"endpoint\": \"$endpoint\", \"event_types\": [\"user.created\"],
                        \"name\": \"kinde-webapp $endpoint\"}"
  check "the app's $endpoint registered as a webhook through the Management API" \
    eval '[ "$STATUS" = 200 ] || [ "$STATUS" = 201 ]'
done

HOOK_EMAIL="hooked-$RANDOM$RANDOM@example.com"
mgmt POST /user "{\"profile\": {\"given_name\": \"Hook\", \"family_name\": \"Receiver\"},
                  \"identities\": [{\"type\": \"email\", \"details\": {\"email\": \"$HOOK_EMAIL\"}}]}"
check "a user created through the Management API" eval '[ "$STATUS" = 200 ] || [ "$STATUS" = 201 ]'
# Both deliveries answered (the emulator's log of them), up to 20 s.
delivered() { # event-type count: that many deliveries of that type answered 200
  local n
  for _ in $(seq 1 200); do
    req "$EMU_URL/_emulator/webhook-log"
    n=$(grep -oE "\"type\": ?\"$1\"[^}]*\"status\": ?200" "$W/body" | wc -l)
    [ "$n" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
check "the emulator delivered user.created to both endpoints, each answered 200" \
  delivered user.created 2
HOOK_IDS=$(grep -oE '"event_id": ?"[^"]*"' "$W/body" | sed -E 's/.*"([^"]*)"$/\1/' | sort -u)
HOOK_EVENT=$(echo "$HOOK_IDS" | head -1)
check "... the same event (one event id) to both" \
  eval '[ -n "$HOOK_EVENT" ] && [ "$(echo "$HOOK_IDS" | wc -l)" = 1 ]'
check "the app logged the verified event: type, event_id, source, timestamp" \
  grep -qE "^kinde-webapp: webhook user\.created event_id=$HOOK_EVENT source=api timestamp=[0-9]{4}-[0-9]{2}-[0-9]{2}T" "$HOOKS_LOG"
check "... once; the second delivery logged as already received, not recorded again" \
  eval '[ "$(grep -c "webhook user.created event_id=$HOOK_EVENT source=" "$HOOKS_LOG")" = 1 ] &&
        grep -qF "webhook user.created event_id=$HOOK_EVENT: already received (a replay or a retry), answered 200, not recorded again" "$HOOKS_LOG"'

echo "# webhooks: the details page"
req "$BH/details"
check "details signed out: still to sign-in (the events are not public)" is "$STATUS" 302
check "sign in on the webhook instance" login "$BH"
HOOK_SID=$SID
# How many rows of the webhook section name $1 (0 when the section is absent).
webhook_rows() {
  sed -n '/<section class="panel" id="webhooks">/,/<\/section>/p' "$W/body" | grep -oF -- "$1" | wc -l
}
req "$BH/details" -H "Cookie: kinde_session=$HOOK_SID"
check "details: the webhook section lists the event once, with its type and source" \
  eval '[ "$STATUS" = 200 ] && [ "$(webhook_rows "$HOOK_EVENT")" = 1 ] &&
        [ "$(webhook_rows "<code>user.created</code>")" = 1 ] && [ "$(webhook_rows "<td>api</td>")" = 1 ]'

# Events minted by the emulator's admin API: its signing key (or the wrong
# one), any payload and header.
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S+00:00; }
mint() { # event_id [seconds from now] [header json]: MINTED, the compact JWS
  local ts header=${3:-"{}"}
  ts=$(rfc3339 $(($(date +%s) + ${2:-0})))
  req "$EMU_URL/_emulator/mint" -H 'Content-Type: application/json' -d "{\"header\": $header,
    \"claims\": {\"type\": \"user.updated\", \"event_id\": \"$1\", \"timestamp\": \"$ts\",
                 \"source\": \"api\", \"data\": {\"user\": {\"id\": \"kp_minted\"}}}}"
  MINTED=$(json_str token)
  [ -n "$MINTED" ]
}
hook() { # body [content-type]: POST it to the app's /webhooks
  req "$BH/webhooks" -H "Content-Type: ${2-application/jwt}" --data-binary "$1"
}
# The event is on the details page this many times.
shown() { # event_id count
  req "$BH/details" -H "Cookie: kinde_session=$HOOK_SID"
  [ "$STATUS" = 200 ] && [ "$(webhook_rows "$1")" = "$2" ]
}
log_lines() { grep -c -- "$1" "$HOOKS_LOG"; }
# A refusal: 400, a plain sentence, none of the SDK's words; one line in the
# log with the code's name; the event not on the details page.
refused() { # event_id kinde-code
  local before=$REFUSALS_BEFORE
  [ "$STATUS" = 400 ] && starts "$(cat "$W/body")" "refused: " && body_lacks "KINDE_E_" &&
    has "$(hdr content-type)" "text/plain" &&
    [ "$(log_lines "webhook refused, 400: $2: ")" = $((before + 1)) ] &&
    shown "$1" 0
}
before_refusal() { REFUSALS_BEFORE=$(log_lines "webhook refused, 400: $1: "); }

echo "# webhooks: a replay of the same body"
REPLAY_ID=event_e2e_replay_$RANDOM
mint "$REPLAY_ID"
REPLAY_BODY=$MINTED
hook "$REPLAY_BODY"
check "a minted event (the emulator's key, no iss/aud/exp/iat): 200 ok, recorded" \
  eval '[ "$STATUS" = 200 ] && body_has "ok" && shown "$REPLAY_ID" 1'
hook "$REPLAY_BODY"
check "the same body again: 200 (Kinde must not retry it), already received" \
  eval '[ "$STATUS" = 200 ] && body_has "already received"'
check "... not recorded twice: once on the details page, once in the log as received" \
  eval 'shown "$REPLAY_ID" 1 && [ "$(log_lines "event_id=$REPLAY_ID source=")" = 1 ] &&
        [ "$(log_lines "event_id=$REPLAY_ID: already received")" = 1 ]'

echo "# webhooks: refused"
ID=event_e2e_wrong_type_$RANDOM; mint "$ID"
for ct in application/json text/plain application/x-www-form-urlencoded ''; do
  before_refusal KINDE_E_INVALID_ARGUMENT
  hook "$MINTED" "$ct"
  check "a valid event sent as Content-Type '${ct}': 400, logged, not recorded" \
    eval 'body_has "Content-Type must be application/jwt" && refused "$ID" KINDE_E_INVALID_ARGUMENT'
done

ID=event_e2e_garbage_$RANDOM
for body in 'garbage' 'eyJhbGciOiJSUzI1NiJ9.e30' "$(printf '%s' "{\"event_id\":\"$ID\"}" | base64 -w0)"; do
  before_refusal KINDE_E_TOKEN_MALFORMED
  hook "$body"
  check "garbage ($(printf '%.24s' "$body")): 400, logged KINDE_E_TOKEN_MALFORMED" \
    refused "$ID" KINDE_E_TOKEN_MALFORMED
done

# Another key under the published kid, signed here with openssl (/_emulator/mint
# always signs with the emulator's key, whatever sign-with-wrong-key says).
# The same script signing with the emulator's own key (its --data-dir file)
# is the control: only the key differs.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
sign_event() { # key.pem event_id: SIGNED, a compact JWS of a user.updated event
  local kid h p s
  kid=$(curl -s --max-time 20 "$EMU_URL/.well-known/jwks.json" | grep -oE '"kid": ?"[^"]*"' |
        head -1 | sed -E 's/.*"([^"]*)"$/\1/')
  h=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$kid" | b64url)
  p=$(printf '{"type":"user.updated","event_id":"%s","timestamp":"%s","source":"api","data":{}}' \
        "$2" "$(rfc3339 "$(date +%s)")" | b64url)
  s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$1" | b64url)
  SIGNED="$h.$p.$s"
  [ -n "$kid" ] && [ -n "$s" ]
}
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/other-key.pem" 2>/dev/null
ID=event_e2e_wrong_key_$RANDOM
sign_event "$W/other-key.pem" "$ID"
before_refusal KINDE_E_TOKEN_SIGNATURE
hook "$SIGNED"
check "signed by another key under the published kid: 400, logged KINDE_E_TOKEN_SIGNATURE" \
  refused "$ID" KINDE_E_TOKEN_SIGNATURE
ID=event_e2e_own_key_$RANDOM
sign_event "$W/emu/signing-key.pem" "$ID"
hook "$SIGNED"
check "... the same event signed the same way with the emulator's key: 200, recorded" \
  eval '[ "$STATUS" = 200 ] && shown "$ID" 1'

ID=event_e2e_other_kid_$RANDOM
mint "$ID" 0 '{"kid": "a-kid-of-another-domain"}'
before_refusal KINDE_E_TOKEN_KEY
hook "$MINTED"
check "a kid not in the domain's JWKS: 400, logged KINDE_E_TOKEN_KEY" refused "$ID" KINDE_E_TOKEN_KEY

# The key set unavailable (Kinde's JWKS answering 503) when an event comes
# signed with a kid the app has not seen (a rotation): not the sender's
# fault, so 503 with Retry-After and Kinde sends it again; never 400, which
# would drop a genuine event. A fresh instance: its first refetch is allowed.
LOUD=1 start_app hooks2 0 --data-dir "$W/hooks2" --webhook-max-age 300
BH2="http://127.0.0.1:$LAST_PORT" HOOKS2_PID=$LAST_PID
ID=event_e2e_fresh_$RANDOM; mint "$ID"
req "$BH2/webhooks" -H "Content-Type: application/jwt" --data-binary "$MINTED"
check "a second instance takes an event (its key set fetched)" is "$STATUS" 200
emu_admin POST /_emulator/faults '{"path": "/.well-known/jwks.json", "status": 503, "count": 1}'
ID=event_e2e_rotated_$RANDOM; mint "$ID" 0 '{"kid": "a-rotated-kid"}'
req "$BH2/webhooks" -H "Content-Type: application/jwt" --data-binary "$MINTED"
check "an unseen kid while the JWKS answers 503: 503 with Retry-After, send it again" \
  eval '[ "$STATUS" = 503 ] && body_has "send it again later" && [ "$(hdr retry-after)" = 5 ]'
check "... logged as the key set unavailable (KINDE_E_JWKS), the refresh's failure named" \
  grep -qE "webhook refused, 503: KINDE_E_JWKS: no key for kid 'a-rotated-kid'.*refreshing the key set failed" \
  "$W/hooks2.log"
req "$BH2/webhooks" -H "Content-Type: application/jwt" --data-binary "$MINTED"
check "... and again within the refetch cooldown (no new fetch, the last one failed): 503" is "$STATUS" 503
emu_admin DELETE /_emulator/faults
stop_pid "$HOOKS2_PID"

ID=event_e2e_stale_$RANDOM
mint "$ID" -3600
before_refusal KINDE_E_TOKEN_EXPIRED
hook "$MINTED"
check "an event an hour old (--webhook-max-age 300): 400, logged KINDE_E_TOKEN_EXPIRED" \
  eval 'body_has "timestamp is outside the accepted window" && refused "$ID" KINDE_E_TOKEN_EXPIRED'
ID=event_e2e_recent_$RANDOM
mint "$ID" -200
hook "$MINTED"
check "... while one 200 s old is taken" eval '[ "$STATUS" = 200 ] && shown "$ID" 1'
ID=event_e2e_future_$RANDOM
mint "$ID" 3600
before_refusal KINDE_E_TOKEN_NOT_YET_VALID
hook "$MINTED"
check "an event an hour ahead: 400, logged KINDE_E_TOKEN_NOT_YET_VALID" \
  refused "$ID" KINDE_E_TOKEN_NOT_YET_VALID

echo "# webhooks: no session, and the browser rules unchanged"
ID=event_e2e_with_cookie_$RANDOM
mint "$ID"
req "$BH/webhooks" -H "Content-Type: application/jwt" -H "Cookie: kinde_session=$HOOK_SID" \
  -H "Origin: https://evil.example" --data-binary "$MINTED"
check "a webhook with a browser's cookie and another Origin: judged by its signature alone (200), no Set-Cookie" \
  eval '[ "$STATUS" = 200 ] && [ -z "$(hdr set-cookie)" ] && shown "$ID" 1'
req "$BH/webhooks" -H "Content-Type: application/jwt"
check "GET /webhooks: 405, Allow: POST" eval '[ "$STATUS" = 405 ] && [ "$(hdr allow)" = POST ]'
for path in /webhooks/ /webhooksx /webhooks/../logout; do
  mint "event_e2e_path_$RANDOM"
  req "$BH$path" --path-as-is -H "Content-Type: application/jwt" --data-binary "$MINTED"
  check "POST $path: not the webhook route (405)" is "$STATUS" 405
done
req "$BH/" -H "Cookie: kinde_session=$HOOK_SID"; HOOK_CSRF=$(csrf_of)
mint "event_e2e_logout_$RANDOM"
req "$BH/logout" -X POST -H "Cookie: kinde_session=$HOOK_SID" -H "Content-Type: application/jwt" \
  --data-binary "$MINTED"
check "POST /logout with a signed webhook body and no CSRF token: 403, still signed in" \
  eval '[ "$STATUS" = 403 ] && signed_in_as "$BH" "$HOOK_SID" "Dave Smith"'
req "$BH/logout" -X POST -H "Cookie: kinde_session=$HOOK_SID" -H "Origin: https://evil.example" \
  -d "csrf=$HOOK_CSRF"
check "POST /logout from another Origin: still 403" is "$STATUS" 403
check "... no refusal of a webhook logged for either" \
  eval '! grep -q "webhook refused, 403" "$HOOKS_LOG"'

# Bodies up to the SDK's webhook limit (KINDE_WEBHOOK_BODY_MAX, 16 KiB and a
# line end) are read whole and judged by the SDK; the sign-out form keeps the
# forms' 8 KiB.
before_refusal KINDE_E_TOKEN_MALFORMED
hook "$(head -c 12000 /dev/zero | tr '\0' a)"
check "a 12 KB body (over the forms' 8 KiB, within the webhook limit): read, judged by the SDK (400 MALFORMED)" \
  refused none KINDE_E_TOKEN_MALFORMED
hook "$(head -c 16386 /dev/zero | tr '\0' a)"
check "... 16 KiB + 2 bytes, the limit itself: read and judged (400)" \
  eval '[ "$STATUS" = 400 ] && body_has "not a verified Kinde webhook"'
hook "$(head -c 16387 /dev/zero | tr '\0' a)"
check "a body over the webhook limit (16 KiB + 2): 413" eval '[ "$STATUS" = 413 ] && body_has "too large"'
req "$BH/logout" -X POST -H "Cookie: kinde_session=$HOOK_SID" -H "Origin: $APP_URL" \
  --data-binary "csrf=x&pad=$(head -c 9000 /dev/zero | tr '\0' a)"
check "a sign-out form over 8 KiB: still 413" eval '[ "$STATUS" = 413 ] && error_page_is 413 body_too_large'
check "--webhook-max-age takes whole seconds, 0 or more" \
  eval '"$APP_BIN" --webhook-max-age -1 >/dev/null 2>&1; [ $? = 2 ]'

kill "$HOOKS_PID" 2>/dev/null; wait "$HOOKS_PID" 2>/dev/null; HOOKS_RC=$?
check "the webhook instance stops cleanly (exit 0, no ASan/UBSan report)" \
  eval '[ "$HOOKS_RC" = 0 ] && ! grep -qE "Sanitizer|runtime error" "$HOOKS_LOG"'
