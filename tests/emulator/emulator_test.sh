#!/usr/bin/env bash
# kinde-emulator's own error handling, over HTTP and on its command line:
# every bad request gets the exact status and body Kinde would give (or the
# emulator documents), bad data files and options stop it with exit status 2
# and one clear line, and after all of it the emulator still answers and
# exits 0 on SIGTERM (under ASan, a leak would make that exit non-zero).
#
# usage: emulator_test.sh KINDE_EMULATOR EMULATOR_SOURCE_DIR WEBHOOK_SINK
set -uo pipefail
EMU=${1:?kinde-emulator} SRC=${2:?tools/emulator source folder} SINK=${3:-}
W=$(mktemp -d /tmp/kinde-emu-test-XXXXXX)
EMU_PID="" OTHER_PID="" EMU5_PID=""
cleanup() {
  for p in $EMU_PID $OTHER_PID $EMU5_PID; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null; rm -rf "$W"
}
trap cleanup EXIT

passed=0 failed=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"
    echo "   status=$STATUS rc=$RC body=$(head -c 300 "$W/body" 2>/dev/null) err=$(head -c 300 "$W/err" 2>/dev/null)"
    echo "   location=$(location)"
  fi
}
STATUS="" RC=0
: >"$W/body"; : >"$W/headers"; : >"$W/err"

# http METHOD PATH [curl options...]: the answer's status in $STATUS, its
# body in $W/body, its headers in $W/headers. A cookie jar keeps the
# browser session between calls that pass -b/-c "$W/jar".
http() {
  local method=$1 path=$2; shift 2
  STATUS=$(curl -s -X "$method" -o "$W/body" -D "$W/headers" -w '%{http_code}' "$@" "$URL$path")
}
body() { cat "$W/body"; }
body_is() { [ "$(body)" = "$1" ]; }
header() { # the value of one response header, without the CR
  sed -nE "s/^$1: (.*)\r?$/\1/Ip" "$W/headers" | tr -d '\r' | head -1
}
location() { header Location; }
is() { [ "$STATUS" = "$1" ] && body_is "$2"; }              # status, exact body
oauth_error() { # status, error, description: exact OAuth JSON, not cached
  is "$1" "{\"error\":\"$2\",\"error_description\":\"$3\"}" && [ "$(header Cache-Control)" = no-store ]
}
page_is() { # status, title: an HTML page and no redirect
  [ "$STATUS" = "$1" ] && grep -qF "<title>$2 - Kinde emulator</title>" "$W/body" &&
    [ -z "$(location)" ] && case "$(header Content-Type)" in text/html*) true;; *) false;; esac
}
redirected_with() { # prefix of the Location, then the parameters it must carry
  local loc; loc=$(location)
  [ "$STATUS" = 302 ] && case "$loc" in "$1"*) true;; *) false;; esac || return 1
  shift
  for kv in "$@"; do case "&${loc#*\?}&" in *"&$kv&"*) ;; *) return 1;; esac; done
}
json_str() { # a string member of the (compact) JSON body, by name
  sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p" "$W/body"
}
kid_count() { grep -o '"kid":' "$W/body" | wc -l; }
param() { # a parameter of the Location's query, as sent (still encoded)
  location | sed -nE "s/.*[?&]$1=([^&]*).*/\1/p"
}

start_emulator() { # ready file, then options; sets $! to the emulator
  rm -f "$1"
  "$EMU" --port 0 --ready-file "$@" --quiet &
}
wait_ready() { # ready file, pid: RSA key generation can be slow under sanitizers
  for _ in $(seq 1 1200); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "emulator exited before listening" >&2; exit 1; }
    sleep 0.05
  done
  echo "emulator did not start within 60 s" >&2; exit 1
}

# ---- the business under test -------------------------------------------
CB=http://127.0.0.1:9/cb SPA=http://127.0.0.1:9/spa
cat >"$W/data.json" <<'JSON'
{
  "applications": [
    {"name": "web", "client_id": "web", "client_secret": "web_secret",
     "callback_urls": ["http://127.0.0.1:9/cb"], "logout_urls": ["http://127.0.0.1:9/bye"],
     "audiences": ["https://api.test"]},
    {"name": "spa", "client_id": "spa", "callback_urls": ["http://127.0.0.1:9/spa"]},
    {"name": "site only", "client_id": "site", "client_secret": "site_secret",
     "callback_urls": ["http://127.0.0.1:9/site"], "grant_types": ["authorization_code", "refresh_token"]}
  ],
  "roles": [{"id": "r1", "key": "admin", "name": "Admin"}],
  "organizations": [{"code": "org_a", "name": "A"}, {"code": "org_b", "name": "B"}],
  "users": [{"id": "kp_1", "email": "dave@test.io", "given_name": "Dave", "family_name": "Smith"}],
  "members": [{"user": "kp_1", "org": "org_a", "roles": ["admin"]}],
  "new_users": {"org": "org_b", "permissions": ["read"], "roles": ["admin"]}
}
JSON

start_emulator "$W/ready" --data "$W/data.json" --data-dir "$W/emu" --admin
EMU_PID=$!
wait_ready "$W/ready" "$EMU_PID"
URL="http://127.0.0.1:$(head -1 "$W/ready")"

http GET /.well-known/openid-configuration
check "discovery answers before anything else" eval '[ "$STATUS" = 200 ]'

# ---- bodies, query strings, paths, methods ------------------------------
FORM=(-H 'Content-Type: application/x-www-form-urlencoded')
head -c 65537 /dev/zero | tr '\0' a >"$W/over"
head -c 65536 /dev/zero | tr '\0' a >"$W/limit"
http POST /oauth2/token "${FORM[@]}" --data-binary @"$W/over"
check "a body of 64 KiB + 1 byte: 413 invalid_request" \
  oauth_error 413 invalid_request "request body too large"
http POST /oauth2/token -H 'Content-Type: application/json' --data-binary @"$W/over"
check "an oversized body that is not a form: 413 too" oauth_error 413 invalid_request "request body too large"
http POST /oauth2/token "${FORM[@]}" --data-binary @"$W/limit"
check "a body of exactly 64 KiB is read (then lacks grant_type)" \
  oauth_error 400 invalid_request "grant_type is required, once"

for q in 'a=%zz' 'a=%4' 'a=%' 'a=x%00y' '=v' 'a=1&=2' "$(seq -s '&' -f 'k%g=v' 1 65)"; do
  http GET "/oauth2/auth?$q"
  check "query string '${q:0:20}': 400 malformed" oauth_error 400 invalid_request "malformed query string"
done
http GET "/.well-known/openid-configuration?$(seq -s '&' -f 'k%g=v' 1 64)"
check "64 query parameters are still fine" eval '[ "$STATUS" = 200 ]'
for f in 'grant_type=%G1' 'grant_type=client_credentials&=x' 'a=%0' 'client_id=%00'; do
  http POST /oauth2/token "${FORM[@]}" --data-binary "$f"
  check "form body '$f': 400 malformed" oauth_error 400 invalid_request "malformed form body"
done
printf 'grant_type=client_credentials\0&client_id=web' >"$W/nul"
http POST /oauth2/token "${FORM[@]}" --data-binary @"$W/nul"
check "a raw NUL byte in a form body: 400 malformed" oauth_error 400 invalid_request "malformed form body"
http POST /oauth2/token -H 'Content-Type: text/plain' --data-binary 'a=%zz'
check "a body that is not a form is not parsed as one" \
  oauth_error 400 invalid_request "grant_type is required, once"

NOT_FOUND='{"error":"not_found","error_description":"no such endpoint on this Kinde emulator"}'
for p in / /nope /oauth2 /oauth2/ /oauth2/token/x /oauth2/tokens /.well-known/ /OAUTH2/TOKEN /logout/; do
  http GET "$p"
  check "GET $p: 404" is 404 "$NOT_FOUND"
done
http DELETE /nope
check "DELETE /nope: 404 too" is 404 "$NOT_FOUND"

for p in /oauth2/token /oauth2/revoke /oauth2/introspect; do
  for m in GET PUT DELETE; do
    http $m $p
    check "$m $p: 405, Allow: POST" eval 'oauth_error 405 invalid_request "use POST" && [ "$(header Allow)" = POST ]'
  done
done
for p in /.well-known/openid-configuration /.well-known/jwks.json /.well-known/jwks; do
  http POST $p
  check "POST $p: 405, Allow: GET, HEAD" \
    eval 'oauth_error 405 invalid_request "use GET" && [ "$(header Allow)" = "GET, HEAD" ]'
done
http HEAD /.well-known/jwks.json -I
check "HEAD /.well-known/jwks.json: 200" eval '[ "$STATUS" = 200 ]'
http POST /oauth2/auth
check "POST /oauth2/auth: a 405 page" eval 'page_is 405 "Method not allowed" && [ "$(header Allow)" = GET ]'
for p in /login/submit /register/submit; do
  http GET $p
  check "GET $p: a 405 page" eval 'page_is 405 "Method not allowed" && [ "$(header Allow)" = POST ]'
done
for p in /login/form /register/form /logout; do
  http POST $p
  check "POST $p: a 405 page" eval 'page_is 405 "Method not allowed" && [ "$(header Allow)" = "GET, HEAD" ]'
done
raw() { # the status line the server answers a raw request with
  (exec 3<>"/dev/tcp/127.0.0.1/${URL##*:}" && printf "$1" >&3 && timeout 5 head -1 <&3 | tr -d '\r')
}
STATUS=$(raw 'GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')
check "a Content-Length that is not a number: 400 from the server" eval '[ "$STATUS" = "HTTP/1.1 400 Bad Request" ]'

# ---- the token endpoint --------------------------------------------------
WEB=(-d client_id=web -d client_secret=web_secret)
token() { http POST /oauth2/token "$@"; }

token -d grant_type=password "${WEB[@]}"
check "grant_type=password: 400 unsupported_grant_type" \
  oauth_error 400 unsupported_grant_type "grant_type is not supported"
token "${WEB[@]}"
check "no grant_type: 400 invalid_request" oauth_error 400 invalid_request "grant_type is required, once"
token -d grant_type=client_credentials -d grant_type=client_credentials "${WEB[@]}"
check "grant_type twice: 400 invalid_request" oauth_error 400 invalid_request "grant_type is required, once"
token -d grant_type=client_credentials -d client_id=web -d client_secret=wrong
check "a wrong client secret: 401 invalid_client with WWW-Authenticate" \
  eval 'oauth_error 401 invalid_client "unknown client or wrong client secret" && [ -n "$(header WWW-Authenticate)" ]'
token -d grant_type=client_credentials -d client_id=nobody -d client_secret=x
check "an unknown client: 401 invalid_client" oauth_error 401 invalid_client "unknown client or wrong client secret"
token -d grant_type=client_credentials -d client_secret=web_secret
check "no client_id: 401 invalid_client" oauth_error 401 invalid_client "unknown client or wrong client secret"
token -d grant_type=client_credentials -d client_id=web -d client_id=web -d client_secret=web_secret
check "client_id twice: 400 invalid_request" oauth_error 400 invalid_request "client_id or client_secret repeated"
token -d grant_type=client_credentials -u web:wrong
check "a wrong secret by HTTP Basic: 401 invalid_client" \
  oauth_error 401 invalid_client "unknown client or wrong client secret"
token -d grant_type=client_credentials -H 'Authorization: Basic %%%%'
check "a Basic header that is not base64: 400 invalid_request" \
  oauth_error 400 invalid_request "malformed or second client authentication"
token -d grant_type=client_credentials -u web:web_secret -d client_secret=web_secret
check "Basic and client_secret both: 400 invalid_request" \
  oauth_error 400 invalid_request "malformed or second client authentication"
token -d grant_type=client_credentials -d client_id=spa
check "client_credentials without a secret: 401 invalid_client" \
  oauth_error 401 invalid_client "client_credentials needs the client secret"
token -d grant_type=client_credentials -d client_id=site -d client_secret=site_secret
check "client_credentials for an app without that grant: 400 unauthorized_client" \
  oauth_error 400 unauthorized_client "this application may not use client_credentials"
token -d grant_type=client_credentials "${WEB[@]}" -d audience=https://other.test
check "client_credentials for an API not of the app: 400 invalid_request" \
  oauth_error 400 invalid_request "audience is not an API of this application"
token -d grant_type=client_credentials "${WEB[@]}" -d audience=https://api.test
check "client_credentials done right: 200 and a bearer token" \
  eval '[ "$STATUS" = 200 ] && [ "$(json_str token_type)" = bearer ]'
token -d grant_type=authorization_code "${WEB[@]}" -d redirect_uri=$CB
check "authorization_code without code: 400 invalid_request" \
  oauth_error 400 invalid_request "code and redirect_uri are required, once each"
token -d grant_type=authorization_code "${WEB[@]}" -d code=abc
check "authorization_code without redirect_uri: 400 invalid_request" \
  oauth_error 400 invalid_request "code and redirect_uri are required, once each"
token -d grant_type=authorization_code "${WEB[@]}" -d code=nope -d redirect_uri=$CB
check "an unknown code: 400 invalid_grant" oauth_error 400 invalid_grant "unknown authorization code"
token -d grant_type=refresh_token "${WEB[@]}"
check "refresh_token grant without the token: 400 invalid_request" \
  oauth_error 400 invalid_request "refresh_token is required, once"
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token=nope
check "an unknown refresh token: 400 invalid_grant" oauth_error 400 invalid_grant "unknown refresh token"

# A user signs in (the browser part, by hand): $CODE is the code it got.
# login CLIENT REDIRECT_URI [more query parameters, already encoded]
login() {
  local client=$1 redirect=$2 extra=${3:-}
  http GET "/oauth2/auth?client_id=$client&redirect_uri=$redirect&response_type=code&state=st&scope=openid+offline$extra" \
    -b "$W/jar" -c "$W/jar"
  if [ "$STATUS" = 200 ]; then # the sign-in form; with a session it is skipped
    local id; id=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
    http POST /login/submit -d "request=$id" -d email=dave@test.io -b "$W/jar" -c "$W/jar"
  fi
  CODE=$(param code)
}
login web $CB
check "sign-in gives a code" eval '[ -n "$CODE" ] && redirected_with "$CB?" state=st'
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB/other
check "a redirect_uri other than the login's: 400 invalid_grant" \
  oauth_error 400 invalid_grant "redirect_uri differs from the authorization request"
login web $CB
token -d grant_type=authorization_code -d client_id=site -d client_secret=site_secret -d code="$CODE" \
  -d redirect_uri=$CB
check "another client's code: 400 invalid_grant" \
  oauth_error 400 invalid_grant "authorization code issued to another client"
login web $CB
token -d grant_type=authorization_code -d client_id=web -d code="$CODE" -d redirect_uri=$CB
check "a confidential login without secret or PKCE: 401 invalid_client" \
  oauth_error 401 invalid_client "client_secret required without PKCE"
login web $CB
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB -d code_verifier=abc
check "a code_verifier for a login without PKCE: 400 invalid_grant" \
  oauth_error 400 invalid_grant "code_verifier sent for a login without PKCE"
login web $CB
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
REFRESH=$(json_str refresh_token)
check "the code exchanged once: 200 with a refresh token" eval '[ "$STATUS" = 200 ] && [ -n "$REFRESH" ]'
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
check "the same code again: 400 invalid_grant" oauth_error 400 invalid_grant "authorization code already used"
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
check "the replayed code revoked what it granted" oauth_error 400 invalid_grant "refresh token revoked"

# Replay detection must not depend on when the emulator tidies up: it
# forgets what expired every 512 logins, and a used code must outlive that.
login web $CB
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
REFRESH=$(json_str refresh_token)
curl -s -o /dev/null -b "$W/jar" \
  "$URL/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&prompt=none&state=[1-512]" >/dev/null
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
check "a code replayed after 512 more logins: still 'already used'" \
  oauth_error 400 invalid_grant "authorization code already used"
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
check "and what it granted is revoked" oauth_error 400 invalid_grant "refresh token revoked"

# Refresh tokens: rotation with an overlap, expiry, the wrong client.
login web $CB
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
REFRESH=$(json_str refresh_token)
token -d grant_type=refresh_token -d client_id=site -d client_secret=site_secret -d refresh_token="$REFRESH"
check "another client's refresh token: 400 invalid_grant" \
  oauth_error 400 invalid_grant "refresh token issued to another client"
token -d grant_type=refresh_token -d client_id=web -d refresh_token="$REFRESH"
check "a confidential client's refresh without its secret: 401 invalid_client" \
  oauth_error 401 invalid_client "client_secret required"
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
check "a refresh: 200 and a new refresh token" \
  eval '[ "$STATUS" = 200 ] && [ "$(json_str refresh_token)" != "$REFRESH" ]'
NEXT=$(json_str refresh_token)
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
check "the old refresh token within the overlap (30 s): 200" eval '[ "$STATUS" = 200 ]'
http POST /_emulator/clock -H "Content-Type: application/json" -d '{"skew_seconds": 31}'
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
check "the old refresh token after the overlap: 400 invalid_grant" \
  oauth_error 400 invalid_grant "refresh token already used"
http POST /_emulator/clock -H "Content-Type: application/json" -d '{"skew_seconds": 1296001}'
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$NEXT"
check "a refresh token past its 15 days: 400 invalid_grant" oauth_error 400 invalid_grant "refresh token expired"
http POST /_emulator/reset -H "Content-Type: application/json"

# Revoke, introspect, the profile endpoints.
http POST /oauth2/revoke "${WEB[@]}"
check "revoke without token: 400 invalid_request" oauth_error 400 invalid_request "token is required, once"
http POST /oauth2/revoke -d token=x -d client_id=web -d client_secret=wrong
check "revoke with a wrong secret: 401 invalid_client" \
  oauth_error 401 invalid_client "unknown client or wrong client secret"
http POST /oauth2/revoke -d token=no-such-token "${WEB[@]}"
check "revoking an unknown token: 200 and no body (RFC 7009)" eval '[ "$STATUS" = 200 ] && [ ! -s "$W/body" ]'
http POST /oauth2/revoke -d token="$NEXT" "${WEB[@]}"
token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$NEXT"
check "a revoked refresh token: 400 invalid_grant" oauth_error 400 invalid_grant "refresh token revoked"
http POST /oauth2/introspect -d token=a.b.c
check "introspecting a token that is not one: 200 active false" is 200 '{"active":false}'
http POST /oauth2/introspect -d token="$NEXT"
check "introspecting a revoked refresh token: 200 active false" is 200 '{"active":false}'
http POST /oauth2/introspect -d token=x -d client_id=web -d client_secret=wrong
check "introspect with a wrong secret: 401 invalid_client" \
  oauth_error 401 invalid_client "unknown client or wrong client secret"
PROFILE_401='{"error":"invalid_token","error_description":"a valid user access token is required"}'
for a in "" "Bearer" "Bearer not-a-token" "Basic d2ViOndlYl9zZWNyZXQ="; do
  http GET /oauth2/v2/user_profile ${a:+-H "Authorization: $a"}
  check "user profile with '${a:-no Authorization}': 401 invalid_token" \
    eval 'is 401 "$PROFILE_401" && [ "$(header WWW-Authenticate)" = "Bearer error=\"invalid_token\"" ]'
done
token -d grant_type=client_credentials "${WEB[@]}"
http GET /oauth2/user_profile -H "Authorization: Bearer $(json_str access_token)"
check "user profile with an M2M token (no user): 401 invalid_token" is 401 "$PROFILE_401"

# PKCE: a verifier and its S256 challenge.
VERIFIER=kinde-emulator-test-verifier-0123456789-abcdef CHALLENGE=VYdwbQYvJExxLlMLha5boTWlpmMGNfBqpgysIHF6Lxk
PKCE="&code_challenge=$CHALLENGE&code_challenge_method=S256"
login spa $SPA "$PKCE"
token -d grant_type=authorization_code -d client_id=spa -d code="$CODE" -d redirect_uri=$SPA \
  -d code_verifier="${VERIFIER%?}x"
check "a wrong PKCE verifier: 400 invalid_grant" \
  oauth_error 400 invalid_grant "code_verifier does not match the code_challenge"
token -d grant_type=authorization_code -d client_id=spa -d code="$CODE" -d redirect_uri=$SPA \
  -d code_verifier=$VERIFIER
check "the code after a failed verifier is spent" oauth_error 400 invalid_grant "authorization code already used"
login spa $SPA "$PKCE"
token -d grant_type=authorization_code -d client_id=spa -d code="$CODE" -d redirect_uri=$SPA
check "no verifier for a PKCE login: 400 invalid_grant" \
  oauth_error 400 invalid_grant "code_verifier does not match the code_challenge"
login spa $SPA "$PKCE"
token -d grant_type=authorization_code -d client_id=spa -d code="$CODE" -d redirect_uri=$SPA \
  -d code_verifier=$VERIFIER
check "the right verifier: 200" eval '[ "$STATUS" = 200 ]'

# An expired code: the admin clock moves past the code lifetime (120 s).
login web $CB
http POST /_emulator/clock -H "Content-Type: application/json" -d '{"skew_seconds": 121}'
check "admin clock set" is 200 '{"ok":true}'
token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
check "an expired code: 400 invalid_grant" oauth_error 400 invalid_grant "authorization code expired"
http POST /_emulator/reset -H "Content-Type: application/json"
check "admin reset" is 200 '{"ok":true}'

# ---- /oauth2/auth: where front-channel errors go -------------------------
rm -f "$W/jar"
AUTH="/oauth2/auth?response_type=code&state=s%201"
http GET "$AUTH&redirect_uri=$CB"
check "no client_id: a 400 page, no redirect" page_is 400 "Unknown application"
http GET "$AUTH&client_id=ghost&redirect_uri=$CB"
check "an unknown client_id: a 400 page, no redirect" page_is 400 "Unknown application"
http GET "$AUTH&client_id=web&redirect_uri=http://evil.test/cb"
check "an unregistered redirect_uri: a 400 page, no redirect" page_is 400 "Callback URL not allowed"
http GET "$AUTH&client_id=web&redirect_uri=$CB/"
check "a redirect_uri with one more slash is not registered" page_is 400 "Callback URL not allowed"
http GET "$AUTH&client_id=web"
check "no redirect_uri: a 400 page" page_is 400 "Callback URL not allowed"
http GET "$AUTH&client_id=web&redirect_uri=$CB&redirect_uri=$CB"
check "redirect_uri twice: to the callback, invalid_request" \
  redirected_with "$CB?error=invalid_request&" "error_description=a%20parameter%20appears%20more%20than%20once" \
  "state=s%201" "iss=$(sed 's/:/%3A/g; s#/#%2F#g' <<<"$URL")"
bad_auth() { # extra query, error, description (encoded), what
  http GET "/oauth2/auth?client_id=${CLIENT:-web}&redirect_uri=${REDIRECT:-$CB}&state=s%201$1"
  check "$4: to the callback with error=$2" \
    redirected_with "${REDIRECT:-$CB}?error=$2&" "error_description=$3" "state=s%201"
}
bad_auth "" unsupported_response_type "only%20response_type%3Dcode%20is%20supported" "no response_type"
bad_auth "&response_type=token" unsupported_response_type "only%20response_type%3Dcode%20is%20supported" \
  "response_type=token"
bad_auth "&response_type=code&code_challenge=$CHALLENGE&code_challenge_method=plain" invalid_request \
  "PKCE%20needs%20a%2043-character%20code_challenge%20with%20method%20S256" "code_challenge_method=plain"
bad_auth "&response_type=code&code_challenge=short&code_challenge_method=S256" invalid_request \
  "PKCE%20needs%20a%2043-character%20code_challenge%20with%20method%20S256" "a short code_challenge"
bad_auth "&response_type=code&prompt=consent" invalid_request "prompt%20must%20be%20none%2C%20login%20or%20create" \
  "prompt=consent"
bad_auth "&response_type=code&org_code=org_zzz" invalid_request "org_code%20names%20no%20organization" \
  "an unknown org_code"
bad_auth "&response_type=code&audience=https://other.test" invalid_request \
  "audience%20is%20not%20an%20API%20of%20this%20application" "an audience not of the app"
bad_auth "&response_type=code&state=again" invalid_request "a%20parameter%20appears%20more%20than%20once" \
  "state twice"
CLIENT=spa REDIRECT=$SPA bad_auth "&response_type=code" invalid_request \
  "a%20public%20application%20must%20use%20PKCE" "a public app without PKCE"
bad_auth "&response_type=code&prompt=none" login_required "the%20user%20is%20not%20signed%20in" \
  "prompt=none without a session"
login web $CB
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=s2&prompt=none" -b "$W/jar"
check "prompt=none with a session: a code, no form" eval 'redirected_with "$CB?code=" state=s2'
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=s3&org_code=org_b" -b "$W/jar"
check "a session user outside the asked organization: access_denied" \
  redirected_with "$CB?error=access_denied&" state=s3
http GET /login/form?request=stale
check "a sign-in form that does not exist: a 400 page" page_is 400 "This sign-in has expired"
http POST /login/submit -d request=stale -d email=dave@test.io
check "a sign-in posted for no request: a 400 page" page_is 400 "This sign-in has expired"

# ---- the sign-in and sign-up pages ------------------------------------------
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=r1&prompt=create"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
check "prompt=create: the sign-up page" eval '[ "$STATUS" = 200 ] && [ -n "$REQ" ] && grep -q "/register/submit" "$W/body"'
register() { http POST /register/submit -d "request=$REQ" "$@"; }
shown_error() { # the page again, 422, with this message
  [ "$STATUS" = 422 ] && grep -qF "role=\"alert\">$1</p>" "$W/body" && [ -z "$(location)" ]
}
register -d given_name=Zoe -d email=zoe@test.io
check "sign-up without a last name: 422, the form again" \
  shown_error "First name, last name and email are all required."
register -d given_name=Zoe -d family_name=Li -d email=zoe.test.io
check "sign-up with a bad email: 422" shown_error "That does not look like an email address."
register -d given_name=Zoe -d family_name=Li -d email=zoe@a@test.io
check "sign-up with two @: 422" shown_error "That does not look like an email address."
register -d given_name=$'Zo\te' -d family_name=Li -d email=zoe@test.io
check "sign-up with a control character: 422" shown_error "Control characters are not allowed."
register -d given_name="$(head -c 255 /dev/zero | tr '\0' z)" -d family_name=Li -d email=zoe@test.io
check "sign-up with a 255-character name: 422" shown_error "Each field must be shorter than 255 characters."
register -d given_name=Dave -d family_name=Again -d email=DAVE@test.io
check "sign-up with an email that exists (any case): 422" \
  shown_error "An account with this email exists already: sign in instead."
register -d given_name=Zoe -d family_name=Li -d email=zoe@test.io
check "sign-up done right: back to the callback with a code" eval 'redirected_with "$CB?code=" state=r1'
register -d given_name=Zoe -d family_name=Li -d email=zoe2@test.io
check "the same sign-up request twice: a 400 page" page_is 400 "This sign-in has expired"
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=r2"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /login/submit -d "request=$REQ" -d email=nobody@test.io
check "sign-in with an unknown email: 422, the form again" \
  shown_error "No user of this business has that email. Create an account instead?"

# ---- logout ---------------------------------------------------------------
for r in http://evil.test/ http://127.0.0.1:9/bye/ http://127.0.0.1:9/byebye http://127.0.0.1:9/cb; do
  http GET "/logout?redirect=$r" -b "$W/jar"
  check "logout to $r (not allow-listed): a 400 page" page_is 400 "Logout redirect not allowed"
done
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=s4&prompt=none" -b "$W/jar"
check "a refused logout keeps the session" eval 'redirected_with "$CB?code=" state=s4'
http GET "/logout?redirect=http://127.0.0.1:9/bye" -b "$W/jar" -c "$W/jar"
check "logout to the allow-listed URL: 302 there, the cookie cleared" \
  eval '[ "$STATUS" = 302 ] && [ "$(location)" = http://127.0.0.1:9/bye ] && header Set-Cookie | grep -q "Max-Age=0"'
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=s5&prompt=none" -b "$W/jar"
check "after logout prompt=none is login_required" redirected_with "$CB?error=login_required&" state=s5

# ---- the admin API's own errors (this emulator has --admin) --------------
http GET /_emulator/nope
check "an unknown admin endpoint: 404" is 404 '{"error":"no such admin endpoint"}'
http GET /_emulator/clock
check "GET /_emulator/clock: 405, Allow: POST" \
  eval 'is 405 "{\"error\":\"method not allowed\"}" && [ "$(header Allow)" = POST ]'
http POST /_emulator/stats -H "Content-Type: application/json"
check "POST /_emulator/stats: 405, Allow: GET" \
  eval 'is 405 "{\"error\":\"method not allowed\"}" && [ "$(header Allow)" = GET ]'
http PUT /_emulator/faults
check "PUT /_emulator/faults: 405, Allow: POST, DELETE" eval '[ "$STATUS" = 405 ] && [ "$(header Allow)" = "POST, DELETE" ]'
# A web page the developer visits can POST here: a cross-origin request is
# 403, a body that is not JSON 415, and neither changes anything.
http GET /_emulator/stats
STATS_BEFORE=$(body | grep -oE '"/oauth2/token":[0-9]+')
for ctype in text/plain application/x-www-form-urlencoded multipart/form-data; do
  http POST /_emulator/faults -H "Content-Type: $ctype" -d '{"path": "/oauth2/token", "status": 503}'
  check "admin POST with Content-Type $ctype: 415" is 415 '{"error":"the admin API takes Content-Type: application/json"}'
done
http POST /_emulator/faults -d '{"path": "/oauth2/token", "status": 503}' -H 'Content-Type:'
check "admin POST without a Content-Type: 415" is 415 '{"error":"the admin API takes Content-Type: application/json"}'
http POST /_emulator/faults -H "Origin: http://evil.example" -H "Content-Type: application/json" \
  -d '{"path": "/oauth2/token", "status": 503}'
check "admin POST from another origin: 403" is 403 '{"error":"the admin API refuses cross-origin requests"}'
http DELETE /_emulator/faults -H "Origin: http://evil.example"
check "admin DELETE from another origin: 403" is 403 '{"error":"the admin API refuses cross-origin requests"}'
http POST /_emulator/reset -H "Origin: http://127.0.0.1:1" -H "Content-Type: application/json"
check "admin POST from another port of the same host: 403" is 403 '{"error":"the admin API refuses cross-origin requests"}'
http POST /_emulator/faults -H "Origin: $URL" -H "Content-Type: application/json; charset=utf-8" \
  -d '{"path": "/nothing-here", "status": 503, "count": 1}'
check "admin POST from the emulator's own origin, JSON with a charset: 200" is 200 '{"ok":true}'
http POST /oauth2/token -d 'grant_type=client_credentials'
check "... the refused fault was never set: the token endpoint is not 503" eval '[ "$STATUS" != 503 ]'
admin_refuses() { # what, endpoint, request body, error_description: a 400 invalid_request
  http POST "/_emulator/$2" -H "Content-Type: application/json" -d "$3"
  check "$1: 400" is 400 "{\"error\":\"invalid_request\",\"error_description\":\"$4\"}"
}
admin_refuses "an admin body that is not JSON" clock 'not json' "the body must be a JSON object"
admin_refuses "a clock skew beyond 100 days" clock '{"skew_seconds": 99999999}' \
  "skew_seconds: an integer within 100 days"
admin_refuses "a fault without an absolute path" faults '{"path": "relative"}' \
  "path: an absolute path is required"

admin_refuses "a fault with a 1xx status" faults '{"path": "/oauth2/token", "status": 100}' \
  "status 200-599, delay_ms 0-60000, body a string, count 1 or more"
NONCE_MODES='mode: \"normal\", \"wrong\" or \"missing\"'
admin_refuses "an ID token nonce mode it does not know" id-token-nonce '{"mode": "other"}' "$NONCE_MODES"
admin_refuses "an ID token nonce mode that is not a string" id-token-nonce '{"mode": 1}' "$NONCE_MODES"
admin_refuses "an ID token nonce fault without a mode" id-token-nonce '{}' "$NONCE_MODES"
http GET /_emulator/id-token-nonce
check "GET /_emulator/id-token-nonce: 405, Allow: POST" \
  eval 'is 405 "{\"error\":\"method not allowed\"}" && [ "$(header Allow)" = POST ]'
id_token_claims() { # the payload of the id_token of the token response in $W/body
  local p; p=$(json_str id_token | cut -d. -f2 | tr '_-' '/+')
  while [ $(( ${#p} % 4 )) != 0 ]; do p="$p="; done
  printf '%s' "$p" | base64 -d 2>/dev/null
}
nonce_exchange() { # a login that sends nonce n-42, and its code exchanged
  login web $CB '&nonce=n-42'
  token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
}
for mode in wrong missing normal; do
  http POST /_emulator/id-token-nonce -H "Content-Type: application/json" -d "{\"mode\": \"$mode\"}"
  check "id-token-nonce $mode: 200" is 200 '{"ok":true}'
  nonce_exchange
  case $mode in
    wrong) check "with the wrong-nonce fault the ID token's nonce is not the login's" \
             eval 'id_token_claims | grep -q "\"sub\":\"kp_1\"" && id_token_claims | grep -q "\"nonce\":\"" &&
                   ! id_token_claims | grep -q "\"nonce\":\"n-42\""' ;;
    missing) check "with the missing-nonce fault the ID token has no nonce" \
             eval 'id_token_claims | grep -q "\"sub\":\"kp_1\"" && ! id_token_claims | grep -q "\"nonce\""' ;;
    normal) check "with mode normal the ID token's nonce is the login's again" \
             eval 'id_token_claims | grep -q "\"nonce\":\"n-42\""' ;;
  esac
done
http POST /_emulator/id-token-nonce -H "Content-Type: application/json" -d '{"mode": "missing"}'
http POST /_emulator/reset -H "Content-Type: application/json"
nonce_exchange
check "a reset puts the ID token's nonce back" eval 'id_token_claims | grep -q "\"nonce\":\"n-42\""'
http POST /_emulator/faults -H "Content-Type: application/json" -d '{"path": "/.well-known/jwks.json", "status": 503, "body": "garbage", "count": 1}'
http GET /.well-known/jwks.json
check "a fault applies once: 503 and an HTML body" \
  is 503 "<html><body>502 Bad Gateway</body></html>"
http GET /.well-known/jwks.json
check "then the JWKS is back" eval '[ "$STATUS" = 200 ]'

# ---- a second emulator, without --admin ----------------------------------
start_emulator "$W/ready2" --data "$W/data.json" --data-dir "$W/emu2" --key "$W/emu/signing-key.pem"
OTHER_PID=$!
wait_ready "$W/ready2" "$OTHER_PID"
MAIN_URL=$URL URL="http://127.0.0.1:$(head -1 "$W/ready2")"
ADMIN_OFF='{"error":"not_found","error_description":"the admin API is off (start with --admin)"}'
for p in stats reset faults rotate-key sign-with-wrong-key clock mint id-token-nonce; do
  http POST /_emulator/$p -H "Content-Type: application/json" -d '{}'
  check "without --admin, POST /_emulator/$p: 404" is 404 "$ADMIN_OFF"
done
http GET /_emulator/stats
check "without --admin, GET /_emulator/stats: 404" is 404 "$ADMIN_OFF"
kill -TERM "$OTHER_PID"; wait "$OTHER_PID"; RC=$?; OTHER_PID=""
check "the second emulator exits 0 on SIGTERM" eval '[ $RC = 0 ]'
URL=$MAIN_URL

# ---- data files --------------------------------------------------------------
run() { "$@" >"$W/out" 2>"$W/err"; RC=$?; }
one_error_line() { # the whole of stderr is one line, starting so
  [ "$(wc -l <"$W/err")" = 1 ] && case "$(cat "$W/err")" in "$1"*) true;; *) false;; esac
}
bad_data() { # name, expected error after "kinde-emulator: FILE: ", JSON text
  local name=$1 want=$2
  printf '%s' "$3" >"$W/$name.json"
  run "$EMU" --check-data "$W/$name.json"
  check "--check-data $name: exit 2, one line" \
    eval '[ $RC = 2 ] && one_error_line "kinde-emulator: $W/$name.json: $want" && [ ! -s "$W/out" ]'
}
run "$EMU" --check-data "$W/data.json"
check "--check-data on a good file: exit 0 and a summary" \
  eval '[ $RC = 0 ] && [ "$(cat "$W/out")" = "$W/data.json: valid (3 applications, 1 users, 2 organizations)" ]'
run "$EMU" --check-data "$SRC/data/default.json"
check "--check-data on the built-in demo business: valid" eval '[ $RC = 0 ]'
bad_data broken 'line 1, column ' '{"applications": ['
bad_data not-object 'the data file must hold a JSON object' '[1, 2]'
bad_data empty 'line 1, column 0: ' ''
bad_data dup-json-key 'line 1, column ' '{"users": [], "users": []}'
bad_data no-callbacks 'applications[0].callback_urls: must be an array of strings' \
  '{"applications": [{"client_id": "a"}]}'
bad_data no-client-id 'applications[0].client_id: must be a non-empty string' \
  '{"applications": [{"callback_urls": []}]}'
bad_data dup-client 'applications[1].client_id: "a" appears twice' \
  '{"applications": [{"client_id": "a", "callback_urls": []}, {"client_id": "a", "callback_urls": []}]}'
bad_data dup-user 'users[1].id: "u" appears twice' \
  '{"users": [{"id": "u", "email": "a@x"}, {"id": "u", "email": "b@x"}]}'
bad_data dup-email 'users[1].email: "A@X" appears twice' \
  '{"users": [{"id": "u", "email": "a@x"}, {"id": "v", "email": "A@X"}]}'
bad_data no-email 'users[0].email: must be a non-empty string' '{"users": [{"id": "u"}]}'
bad_data dup-org 'organizations[1].code: "o" appears twice' '{"organizations": [{"code": "o"}, {"code": "o"}]}'
bad_data member-user 'members[0].user: no user with that id' \
  '{"organizations": [{"code": "o"}], "members": [{"user": "ghost", "org": "o"}]}'
bad_data member-role 'members[0].roles[0]: no role "owner"' \
  '{"users": [{"id": "u", "email": "u@x"}], "organizations": [{"code": "o"}], "members": [{"user": "u", "org": "o", "roles": ["owner"]}]}'
bad_data flag-type 'feature_flags.limit: needs "t" of s, b or i and a "v" of that type' \
  '{"feature_flags": {"limit": {"t": "i", "v": "ten"}}}'
bad_data flag-newline 'feature_flags.a?b: needs "t" of s, b or i' '{"feature_flags": {"a\nb": {"t": "x"}}}'
bad_data new-users-org 'new_users: needs "org", the code of an organization' '{"new_users": {}}'
bad_data new-users-role 'new_users.roles[0]: no role "owner"' \
  '{"organizations": [{"code": "o"}], "new_users": {"org": "o", "roles": ["owner"]}}'
run "$EMU" --check-data "$W/missing.json"
check "--check-data on a missing file: exit 2, cannot open" \
  eval '[ $RC = 2 ] && one_error_line "kinde-emulator: $W/missing.json: cannot open"'

start_bad() { # what, expected stderr start, options...
  local what=$1 want=$2; shift 2
  rm -f "$W/ready3"
  run timeout 20 "$EMU" --port 0 --ready-file "$W/ready3" --quiet "$@"
  check "$what: exit 2, one line, never listening" \
    eval '[ $RC = 2 ] && one_error_line "$want" && [ ! -e "$W/ready3" ]'
}
start_bad "start with a broken data file" "kinde-emulator: data: $W/broken.json: line 1" \
  --data "$W/broken.json" --data-dir "$W/emu3"
start_bad "start with duplicate user ids" "kinde-emulator: data: $W/dup-user.json: users[1].id" \
  --data "$W/dup-user.json" --data-dir "$W/emu3"
start_bad "start with a missing data file" "kinde-emulator: data: $W/missing.json: cannot open" \
  --data "$W/missing.json" --data-dir "$W/emu3"
mkdir -p "$W/emu4" && echo '{"users": [' >"$W/emu4/runtime.json"
start_bad "start with a corrupt runtime.json" "kinde-emulator: $W/emu4/runtime.json: not a JSON object" \
  --data "$W/data.json" --data-dir "$W/emu4"
echo '{"users": [{"id": "kp_1", "email": "again@test.io"}]}' >"$W/emu4/runtime.json"
start_bad "start with a runtime.json that repeats a user" "kinde-emulator: $W/emu4/runtime.json does not fit" \
  --data "$W/data.json" --data-dir "$W/emu4"
printf '{}' >"$W/empty-object.json"
start_bad "start with --add-callback and no application" "kinde-emulator: --add-callback/--add-logout-url" \
  --data "$W/empty-object.json" --data-dir "$W/emu3" --add-callback http://x/cb
: >"$W/a-file"
start_bad "a --data-dir that is a file" "kinde-emulator: --data-dir $W/a-file/sub: cannot create it" \
  --data-dir "$W/a-file/sub"
echo 'not a key' >"$W/bad.pem"
start_bad "a --key that is not a PEM key" "kinde-emulator: key: " --data-dir "$W/emu3" --key "$W/bad.pem"
echo '{"refresh": [' >"$W/bad-state.json"
start_bad "a --state file that is not JSON" "kinde-emulator: --state $W/bad-state.json: " \
  --data "$W/data.json" --data-dir "$W/emu3" --state "$W/bad-state.json"
echo '{"refresh": []}' >"$W/bad-state.json"
start_bad "a --state file whose refresh is not an object" \
  "kinde-emulator: --state $W/bad-state.json: 'refresh' is not an object; remove it to start afresh" \
  --data "$W/data.json" --data-dir "$W/emu3" --state "$W/bad-state.json"

# ---- --state: a restart that forgets nothing a real Kinde keeps --------------
# The same --state, --data-dir and port: refresh tokens, codes and the browser
# session survive; without --state the same restart forgets them (the control).
# Its own emulator (the main one keeps running): started on a free port,
# then restarted on that port.
start_on_port() { # port, options...: sets EMU5_PID, and URL to it
  rm -f "$W/ready5"
  "$EMU" --port "$1" --ready-file "$W/ready5" --quiet --data "$W/data.json" "${@:2}" &
  EMU5_PID=$!
  wait_ready "$W/ready5" "$EMU5_PID"
  URL="http://127.0.0.1:$(head -1 "$W/ready5")"
}
MAIN_URL=$URL
cp "$W/jar" "$W/jar.main" 2>/dev/null # the browser of the main emulator, kept aside
for kept in with without; do
  STATE=()
  [ "$kept" = with ] && STATE=(--state "$W/emu5.state")
  rm -rf "$W/emu5" "$W/emu5.state" "$W/jar"
  start_on_port 0 --data-dir "$W/emu5" "${STATE[@]}"
  PORT5=${URL##*:}
  login web $CB
  token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE" -d redirect_uri=$CB
  REFRESH=$(json_str refresh_token)
  login web $CB # a second code, not exchanged yet
  CODE2=$CODE
  if [ "$kept" = with ]; then
    check "--state: the file is written 0600 once a refresh token is issued" \
      eval '[ -n "$REFRESH" ] && [ "$(stat -c %a "$W/emu5.state")" = 600 ] &&
            grep -qF "$REFRESH" "$W/emu5.state"'
  fi
  kill "$EMU5_PID"; wait "$EMU5_PID" 2>/dev/null
  start_on_port "$PORT5" --data-dir "$W/emu5" "${STATE[@]}"
  token -d grant_type=refresh_token "${WEB[@]}" -d refresh_token="$REFRESH"
  if [ "$kept" = with ]; then
    check "--state: after a restart the refresh token it issued still refreshes (200)" \
      eval '[ "$STATUS" = 200 ] && [ -n "$(json_str access_token)" ]'
    token -d grant_type=authorization_code "${WEB[@]}" -d code="$CODE2" -d redirect_uri=$CB
    check "--state: ... an authorization code issued before it still exchanges" eval '[ "$STATUS" = 200 ]'
    http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=st&scope=openid" \
      -b "$W/jar" -c "$W/jar"
    check "--state: ... and the browser session still signs in without the form" \
      eval '[ "$STATUS" = 302 ] && [ -n "$(param code)" ]'
  else
    check "without --state the same restart forgets the refresh token (the control)" \
      oauth_error 400 invalid_grant "unknown refresh token"
  fi
  kill "$EMU5_PID"; wait "$EMU5_PID" 2>/dev/null
done
EMU5_PID="" URL=$MAIN_URL
rm -f "$W/jar"; cp "$W/jar.main" "$W/jar" 2>/dev/null

# ---- options ----------------------------------------------------------------
bad_option() { # expected stderr, options...
  local want=$1; shift
  run "$EMU" "$@"
  check "option $*: exit 2, '$want'" eval '[ $RC = 2 ] && [ "$(cat "$W/err")" = "kinde-emulator: $want" ] && [ ! -s "$W/out" ]'
}
bad_option "--bogus: unknown option (see --help)" --bogus x
bad_option "--bogus: unknown option, or its value is missing (see --help)" --bogus
bad_option "--port: unknown option, or its value is missing (see --help)" --port
bad_option "--port: 70000 is not a port number" --port 70000
bad_option "--port: -1 is not a port number" --port -1
bad_option "--port: 80x is not a port number" --port 80x
bad_option "--port:  is not a port number" --port ""
bad_option "--code-ttl: out of range" --code-ttl 0
bad_option "--code-ttl: out of range" --code-ttl 3601
bad_option "--access-ttl: out of range" --access-ttl 1e3
bad_option "--refresh-overlap: out of range" --refresh-overlap -1
bad_option "--id-ttl: out of range" --id-ttl 99999999999999999999
many=(); for i in $(seq 1 17); do many+=(--add-callback "http://x/$i"); done
bad_option "--add-callback: at most 16" "${many[@]}"
run "$EMU" --port 0 --bind 999.1.1.1 --data-dir "$W/emu3" --quiet
check "--bind to an address that is not IPv4: exit 2" \
  eval '[ $RC = 2 ] && one_error_line "kinde-emulator: cannot listen on 999.1.1.1:0"'

run "$EMU" --help
check "--help: exit 0, usage on stdout" eval '[ $RC = 0 ] && head -1 "$W/out" | grep -q "^usage: kinde-emulator" && [ ! -s "$W/err" ]'
grep -oE -- '--[a-z][a-z-]+' "$W/out" | sort -u >"$W/help-options"
sed -n '/^static int parse_args/,/^}/p' "$SRC/main.c" | grep -oE -- '"--[a-z][a-z-]+"' | tr -d '"' | sort -u \
  >"$W/main-options"
check "main.c accepts options (the list was found)" eval '[ "$(wc -l <"$W/main-options")" -ge 15 ]'
check "--help mentions every option main.c accepts, and no other" \
  eval 'diff "$W/main-options" "$W/help-options" >"$W/err"'
# The locking rule of emulator.h, in every source file; and the check itself
# finds both kinds of breach in a sample.
LOCK_RULE="$(dirname "$0")/lock_rule.awk"
awk -f "$LOCK_RULE" "$SRC"/*.c >"$W/err"
check "every emulator function that locks unlocks once, itself, before any return" \
  eval '[ -n "$(ls "$SRC"/*.c)" ] && [ ! -s "$W/err" ]'
printf '%s\n' 'static void f(void)' '{' '    pthread_mutex_lock(&emu.lock);' '    if (x)' '        return;' \
  '    pthread_mutex_unlock(&emu.lock);' '}' 'static void g(void)' '{' '    pthread_mutex_unlock(&emu.lock);' '}' \
  >"$W/breach.c"
awk -f "$LOCK_RULE" "$W/breach.c" >"$W/out"
check "the lock check finds a return with the lock held and an unlock of another's lock" \
  eval 'grep -q "breach.c:5: f: returns with the lock held" "$W/out" && grep -q "breach.c:10: g: unlocks" "$W/out"'
run "$EMU" --version
check "--version: 'kinde-emulator X.Y.Z', exit 0" \
  eval '[ $RC = 0 ] && grep -qxE "kinde-emulator [0-9]+\.[0-9]+\.[0-9]+" "$W/out"'

# ---- the Management API (mgmt_test.sh, with its own emulator) ----------------
if [ -n "$SINK" ]; then
  . "$(dirname "$0")/mgmt_test.sh"
else
  check "the webhook receiver was given (third argument)" false
fi

# ---- still healthy, then a clean exit ----------------------------------------
http GET /.well-known/openid-configuration
check "after all that, discovery still answers 200 with the issuer" \
  eval '[ "$STATUS" = 200 ] && [ "$(json_str issuer)" = "$URL" ]'
http GET /.well-known/jwks.json
check "and the JWKS has the key" eval '[ "$STATUS" = 200 ] && [ "$(kid_count)" = 1 ]'
token -d grant_type=client_credentials "${WEB[@]}"
check "and the token endpoint still issues tokens" eval '[ "$STATUS" = 200 ]'
kill -TERM "$EMU_PID"; wait "$EMU_PID"; RC=$?; EMU_PID=""
check "the emulator exits 0 on SIGTERM" eval '[ $RC = 0 ]'

# What signed up survives a restart, and still fits the data file.
start_emulator "$W/ready" --data "$W/data.json" --data-dir "$W/emu"
EMU_PID=$!
wait_ready "$W/ready" "$EMU_PID"
URL="http://127.0.0.1:$(head -1 "$W/ready")"
http GET "/oauth2/auth?client_id=web&redirect_uri=$CB&response_type=code&state=r3"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/body" | head -1)
http POST /login/submit -d "request=$REQ" -d email=zoe@test.io
check "after a restart the user who signed up can sign in" eval 'redirected_with "$CB?code=" state=r3'
kill -TERM "$EMU_PID"; wait "$EMU_PID"; RC=$?; EMU_PID=""
check "and the restarted emulator exits 0 on SIGTERM" eval '[ $RC = 0 ]'

echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
