#!/usr/bin/env bash
# The demo web app over HTTP, with curl: every route and its errors, the
# session rules of SECURITY.md section E, SQLite persistence across a restart
# and two instances sharing sessions through a real redis-server.
#
# usage: http_test.sh KINDE_EMULATOR KINDE_WEBAPP
set -uo pipefail
EMU_BIN=${1:?kinde-emulator binary}
APP_BIN=${2:?kinde-webapp binary}
for tool in curl redis-server; do
  command -v "$tool" >/dev/null || { echo "http_test: $tool is missing"; exit 1; }
done

W=$(mktemp -d /tmp/kinde-webapp-http-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

passed=0
failed=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok - $what"
  else
    failed=$((failed + 1)); echo "not ok - $what"
    echo "   status=$STATUS location=$(hdr location)"
    head -c 600 "$W/body" | sed 's/^/   | /'; echo
  fi
}

# ---- helpers ---------------------------------------------------------------
STATUS=0
req() { # url [curl args...]: headers in $W/headers, body in $W/body, status in $STATUS
  local url=$1; shift
  STATUS=$(curl -s -o "$W/body" -D "$W/headers" -w '%{http_code}' --max-time 20 "$@" "$url")
}
hdr() { # header value of the last response (first one), case-insensitive
  grep -i "^$1:" "$W/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'
}
setcookie_id() { # the session id the last response set, "" if none
  hdr set-cookie | sed -nE 's/^(__Host-)?kinde_session=([^;]*).*/\2/p'
}
body_has() { grep -qF -- "$1" "$W/body"; }
body_lacks() { ! grep -qF -- "$1" "$W/body"; }
is() { [ "$1" = "$2" ]; }
isnt() { [ "$1" != "$2" ]; }
has() { [[ "$1" == *"$2"* ]]; }
lacks() { [[ "$1" != *"$2"* ]]; }
starts() { [[ "$1" == "$2"* ]]; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_free "$p" && { echo "$p"; return; }
  done
  echo "no free port" >&2; exit 1
}
wait_file() { # file, pid
  for _ in $(seq 1 200); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# ---- the emulator ------------------------------------------------------------
P_MAIN=$(free_port)
APP_URL="http://127.0.0.1:$P_MAIN"
"$EMU_BIN" --port 0 --ready-file "$W/emu.ready" --data-dir "$W/emu" --quiet \
  --add-callback "$APP_URL/callback" --add-logout-url "$APP_URL/" >"$W/emu.log" 2>&1 &
EMU_PID=$!
PIDS+=("$EMU_PID")
wait_file "$W/emu.ready" "$EMU_PID" || { echo "emulator did not start"; cat "$W/emu.log"; exit 1; }
EMU_URL="http://127.0.0.1:$(head -1 "$W/emu.ready")"

# Every instance answers as $APP_URL (one address, several processes).
export KINDE_HOST=$EMU_URL KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret
export KINDE_REDIRECT_URL="$APP_URL/callback" KINDE_POST_LOGOUT_REDIRECT_URL="$APP_URL/"
export KINDE_GRANT_TYPE=authorization_code
LAST_PID=0
start_app() { # name port [options...]; sets LAST_PID
  local name=$1 port=$2; shift 2
  rm -f "$W/$name.ready"
  (cd "$W" && exec "$APP_BIN" --port "$port" --ready-file "$W/$name.ready" \
     --public-url "$APP_URL" --env-file /nonexistent --quiet "$@") >"$W/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  wait_file "$W/$name.ready" "$LAST_PID" || { echo "app $name did not start"; cat "$W/$name.log"; exit 1; }
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# Signs in through the emulator. Sets SID (signed-in id), PRE (pre-login id)
# and LOC (where the callback sent the browser). base: the instance to start
# on; cb_base: the one the callback reaches (may differ: shared sessions).
JAR=$W/emu.jar
login() { # base [cb_base] [path]
  local base=$1 cb_base=${2:-$1} path=${3:-/login}
  SID="" PRE="" LOC=""
  req "$base$path" || return 1
  PRE=$(setcookie_id)
  local auth; auth=$(hdr location)
  [ "$STATUS" = 302 ] && [ -n "$PRE" ] && starts "$auth" "$EMU_URL/" || return 1
  req "$auth" -b "$JAR" -c "$JAR"
  local cb
  if [ "$STATUS" = 200 ]; then
    local rid; rid=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$W/body" | head -1)
    [ -n "$rid" ] || return 1
    req "$EMU_URL/login/submit" -b "$JAR" -c "$JAR" --data-urlencode "request=$rid" \
      --data-urlencode "email=${LOGIN_EMAIL:-dave@smith.com}"
  fi
  cb=$(hdr location)
  starts "$cb" "$APP_URL/callback?" || return 1
  req "$cb_base${cb#"$APP_URL"}" -H "Cookie: kinde_session=$PRE"
  SID=$(setcookie_id)
  LOC=$(hdr location)
  [ "$STATUS" = 302 ] && [ -n "$SID" ]
}
# A login started but not finished: PRE and STATE of the pending login.
begin_login() { # base
  req "$1/login"
  PRE=$(setcookie_id)
  STATE=$(hdr location | sed -nE 's/.*[?&]state=([^&]*).*/\1/p')
  [ -n "$PRE" ] && [ -n "$STATE" ]
}
csrf_of() { sed -nE 's/.*name="csrf" value="([^"]*)".*/\1/p' "$W/body" | head -1; }
signed_in_as() { # base sid name
  req "$1/" -H "Cookie: kinde_session=$2"
  [ "$STATUS" = 200 ] && body_has "$3" && body_has 'action="/logout"'
}
anonymous() { # base sid
  req "$1/" -H "Cookie: kinde_session=$2"
  [ "$STATUS" = 200 ] && body_has 'href="/login"' && body_lacks 'action="/logout"'
}

# ---- the main instance (SQLite) ----------------------------------------------
start_app main "$P_MAIN" --data-dir "$W/main"
MAIN_PID=$LAST_PID
B=$APP_URL

echo "# routes"
req "$B/healthz"; check "healthz answers ok with the store's name" is "$STATUS" 200
check "healthz names sqlite" body_has "sessions=sqlite"
req "$B/"
check "home signed out: 200 with Sign in and Sign up" \
  eval '[ "$STATUS" = 200 ] && body_has "href=\"/login\"" && body_has "href=\"/register\""'
check "home: Cache-Control no-store" is "$(hdr cache-control)" "no-store"
check "home: a Content-Security-Policy" has "$(hdr content-security-policy)" "default-src 'none'"
check "home signed out sets no cookie" is "$(hdr set-cookie)" ""
req "$B/static/styles.css"
check "static CSS served with long caching" \
  eval '[ "$STATUS" = 200 ] && has "$(hdr cache-control)" "max-age" && has "$(hdr content-type)" "text/css"'
ETAG=$(hdr etag)
req "$B/static/styles.css" -H "If-None-Match: $ETAG"
check "static CSS: If-None-Match gives 304" is "$STATUS" 304
req "$B/static/../main.c"; check "static: no path traversal" is "$STATUS" 404
req "$B/static/nope.css"; check "static: unknown file 404" is "$STATUS" 404
req "$B/no-such-page"; check "unknown page: 404 page" eval '[ "$STATUS" = 404 ] && body_has "Page not found"'
req "$B/" -X POST; check "POST / is 405" is "$STATUS" 405
req "$B/logout"
check "GET /logout is refused (405, Allow: POST)" eval '[ "$STATUS" = 405 ] && [ "$(hdr allow)" = POST ]'
req "$B/details"; check "details signed out: to sign-in, coming back after" \
  eval '[ "$STATUS" = 302 ] && [ "$(hdr location)" = "/login?next=/details" ]'

echo "# starting a login"
req "$B/login"
LOGIN_COOKIE=$(hdr set-cookie)
AUTH=$(hdr location)
check "login: 302 to the emulator's authorize endpoint" \
  eval '[ "$STATUS" = 302 ] && starts "$AUTH" "$EMU_URL/oauth2/auth?"'
check "login: PKCE S256, state and nonce in the URL" \
  eval 'has "$AUTH" "code_challenge_method=S256" && has "$AUTH" "state=" && has "$AUTH" "nonce="'
check "cookie: HttpOnly" has "$LOGIN_COOKIE" "; HttpOnly"
check "cookie: SameSite=Lax" has "$LOGIN_COOKIE" "; SameSite=Lax"
check "cookie: Path=/" has "$LOGIN_COOKIE" "; Path=/"
check "cookie over http: no Secure, no __Host- prefix" \
  eval 'lacks "$LOGIN_COOKIE" "Secure" && starts "$LOGIN_COOKIE" "kinde_session="'
check "cookie: id of 43 base64url characters (256 bits)" \
  eval '[[ "$(setcookie_id)" =~ ^[A-Za-z0-9_-]{43}$ ]]'
check "login: no-store" is "$(hdr cache-control)" "no-store"
req "$B/register"
check "register: the sign-up URL (prompt=create)" has "$(hdr location)" "prompt=create"
req "$B/create-org?org_name=Acme%20Co"
check "create-org: is_create_org and org_name" \
  eval 'has "$(hdr location)" "is_create_org=true" && has "$(hdr location)" "org_name=Acme"'
PLANTED=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
req "$B/login" -H "Cookie: kinde_session=$PLANTED"
check "an unknown id sent to /login is never adopted" \
  eval 'isnt "$(setcookie_id)" "$PLANTED" && [ -n "$(setcookie_id)" ]'

echo "# signing in"
check "sign in through the emulator" login "$B"
check "callback: back home" is "$LOC" "/"
check "fixation: the id changes at sign-in" isnt "$SID" "$PRE"
check "fixation: the pre-login id no longer works" anonymous "$B" "$PRE"
check "signed in: full name shown" signed_in_as "$B" "$SID" "Dave Smith"
check "signed in: initials in the avatar" body_has '<span class="avatar" id="avatar" aria-hidden="true">DS</span>'
check "signed in: the all-sorted card" body_has "Your authentication is all sorted"
check "signed in: home is no-store" is "$(hdr cache-control)" "no-store"
check "tokens stay on the server: no JWT in the page" body_lacks "eyJ"
CSRF=$(csrf_of)
check "sign-out form carries a CSRF token" eval '[[ "$CSRF" =~ ^[A-Za-z0-9_-]{43}$ ]]'
req "$B/details" -H "Cookie: kinde_session=$SID"
check "details: 200, no-store" eval '[ "$STATUS" = 200 ] && [ "$(hdr cache-control)" = no-store ]'
for want in 'id="permissions"' 'read:todos' 'create:todos' 'delete:todos' 'update:todos' \
            'id="organizations"' 'org_1234' 'id="roles"' 'id="flags"' 'theme' 'is_dark_mode' \
            'competitions_limit' 'id="access-claims"' 'id="id-claims"' 'id="profile"' \
            'dave@smith.com' '<code>iss</code>' '<code>org_codes</code>'; do
  check "details shows $want" body_has "$want"
done
check "details: no raw token" body_lacks "eyJ"
req "$B/login" -H "Cookie: kinde_session=$SID"
check "login while signed in: straight home, same session" \
  eval '[ "$STATUS" = 302 ] && [ "$(hdr location)" = / ] && [ -z "$(setcookie_id)" ]'
req "$B/callback?code=x&state=y" -H "Cookie: kinde_session=$SID"
check "an old callback with a signed-in session goes home" \
  eval '[ "$STATUS" = 302 ] && [ "$(hdr location)" = / ]'
check "... and the session survives it" signed_in_as "$B" "$SID" "Dave Smith"

echo "# callback errors"
req "$B/callback?code=abc&state=def"
check "callback without a session: 400 page, reason unknown_session" \
  eval '[ "$STATUS" = 400 ] && body_has "unknown_session" && body_has "href=\"/login\""'
check "callback: Referrer-Policy no-referrer" is "$(hdr referrer-policy)" "no-referrer"
check "callback: no-store" is "$(hdr cache-control)" "no-store"
req "$B/callback?code=abc&state=def" -H "Cookie: kinde_session=$PLANTED"
check "callback with an unknown id: 400, nothing adopted" \
  eval '[ "$STATUS" = 400 ] && [ -z "$(setcookie_id)" ]'
begin_login "$B"
req "$B/callback?code=abc&state=wrong-state" -H "Cookie: kinde_session=$PRE"
check "bad state: 400, reason invalid_state" eval '[ "$STATUS" = 400 ] && body_has "invalid_state"'
check "bad state: Referrer-Policy no-referrer" is "$(hdr referrer-policy)" "no-referrer"
check "bad state: the pending login is gone" anonymous "$B" "$PRE"
begin_login "$B"
req "$B/callback?state=$STATE" -H "Cookie: kinde_session=$PRE"
check "missing code: 400 error page" eval '[ "$STATUS" = 400 ] && body_has "id=\"reason\""'
begin_login "$B"
req "$B/callback?code=a&state=$STATE&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "state twice: 400 error page" eval '[ "$STATUS" = 400 ] && body_has "id=\"reason\""'
begin_login "$B"
req "$B/callback?error=access_denied&error_description=no&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "error=access_denied: 403, reason access_denied" \
  eval '[ "$STATUS" = 403 ] && body_has ">access_denied<"'
begin_login "$B"
req "$B/callback?error=login_required&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "error=login_required: 401, reason login_required" \
  eval '[ "$STATUS" = 401 ] && body_has ">login_required<"'
begin_login "$B"
req "$B/callback?error=organization_suspended&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "another Kinde error: its name shown" eval '[ "$STATUS" = 400 ] && body_has "organization_suspended"'
begin_login "$B"
req "$B/callback?error=%3Cscript%3Ealert(1)%3C/script%3E&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "a hostile error value is escaped" eval 'body_lacks "<script>" && [ "$STATUS" -ge 400 ]'
begin_login "$B"
req "$B/callback?code=not-a-real-code&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "a code Kinde refuses: an error page, not a crash" \
  eval '[ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 600 ] && body_has "id=\"reason\""'

echo "# sizes"
BIG=$(head -c 5000 /dev/zero | tr '\0' a)
req "$B/" -H "Cookie: kinde_session=$BIG"
check "a 5 KB cookie: 431" is "$STATUS" 431
HUGE=$(head -c 100000 /dev/zero | tr '\0' a)
req "$B/" -H "X-Big: $HUGE"
check "a 100 KB header: refused (4xx)" eval '[ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ]'
req "$B/?q=$BIG"
check "a 5 KB URL: 414" is "$STATUS" 414
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" --data-binary "csrf=$CSRF&pad=$(head -c 20000 /dev/zero | tr '\0' a)"
check "a 20 KB form: 413" is "$STATUS" 413
req "$B/" -H "Cookie: kinde_session=$SID; kinde_session=$PLANTED"
check "the cookie sent twice with two values: anonymous" body_lacks 'action="/logout"'
req "$B/healthz"; check "still alive after all that" is "$STATUS" 200
check "... and the session too" signed_in_as "$B" "$SID" "Dave Smith"

echo "# open redirects"
for evil in '//evil.example' '/\evil.example' 'https:evil.example' '%2f%2fevil.example' \
            '/%2f%2fevil.example' $'/\t/evil.example' 'https://evil.example/' '\\evil.example'; do
  enc=$(printf '%s' "$evil" | od -An -tx1 | tr -s ' ' | tr ' ' '%' | tr -d '\n' | sed 's/%$//')
  LOGIN_PATH="/login?next=$enc"
  login "$B" "$B" "$LOGIN_PATH" >/dev/null
  check "after sign-in, next=$(printf '%q' "$evil") stays home" is "$LOC" "/"
done
login "$B" "$B" "/login?next=/details%3Ftab%3Dflags"
check "after sign-in, next=/details?tab=flags is honoured" is "$LOC" "/details?tab=flags"
SID2=$SID
req "$B/" -H "Cookie: kinde_session=$SID2"; CSRF2=$(csrf_of)
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID2" \
  --data-urlencode "csrf=$CSRF2" --data-urlencode "return_to=https://evil.example/"
check "logout return_to off the allow-list: Kinde's logout with the registered URL" \
  eval '[ "$STATUS" = 303 ] && starts "$(hdr location)" "$EMU_URL/logout" && lacks "$(hdr location)" "evil"'

echo "# sign-out and CSRF"
# A fresh sign-in: the logins above replaced SID and signed SID2 out.
login "$B"
req "$B/" -H "Cookie: kinde_session=$SID"; CSRF=$(csrf_of)
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID"
check "logout without a CSRF token: 403" is "$STATUS" 403
check "... the session is intact" signed_in_as "$B" "$SID" "Dave Smith"
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" -d "csrf=$PLANTED"
check "logout with a wrong token: 403" is "$STATUS" 403
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" -d "csrf=$CSRF" -d "csrf=$CSRF"
check "logout with the token twice: 403" is "$STATUS" 403
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" -H "Origin: https://evil.example" -d "csrf=$CSRF"
check "logout from another origin: 403" is "$STATUS" 403
check "... still signed in" signed_in_as "$B" "$SID" "Dave Smith"
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" -H "Origin: $APP_URL" -d "csrf=$CSRF"
check "logout: 303 to Kinde's logout with the return URL" \
  eval '[ "$STATUS" = 303 ] && starts "$(hdr location)" "$EMU_URL/logout?redirect=http%3A%2F%2F127.0.0.1%3A$P_MAIN%2F"'
check "logout: the cookie is cleared" has "$(hdr set-cookie)" "Max-Age=0"
check "replaying the old cookie after logout: anonymous" anonymous "$B" "$SID"
req "$B/details" -H "Cookie: kinde_session=$SID"
check "replay on details: back to sign-in" is "$STATUS" 302
req "$B/logout" -X POST -H "Cookie: kinde_session=$SID" -d "csrf=$CSRF"
check "logout again with the dead session: harmless 303 home" \
  eval '[ "$STATUS" = 303 ] && [ "$(hdr location)" = / ]'

echo "# escaping what Kinde says about the user"
rm -f "$JAR"
req "$B/register"; PRE=$(setcookie_id); AUTH=$(hdr location)
req "$AUTH" -b "$JAR" -c "$JAR"
RID=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$W/body" | head -1)
req "$EMU_URL/register/submit" -b "$JAR" -c "$JAR" --data-urlencode "request=$RID" \
  --data-urlencode 'given_name=<script>alert(1)</script>' --data-urlencode 'family_name=O"Brien&Co' \
  --data-urlencode "email=xss-$RANDOM@example.com"
CB=$(hdr location)
req "$B${CB#"$APP_URL"}" -H "Cookie: kinde_session=$PRE"
XSID=$(setcookie_id)
req "$B/" -H "Cookie: kinde_session=$XSID"
check "sign up with a hostile name: signed in" body_has 'action="/logout"'
check "... the name is escaped" eval 'body_lacks "<script>alert(1)" && body_has "&lt;script&gt;alert(1)&lt;/script&gt; O&quot;Brien&amp;Co"'
req "$B/details" -H "Cookie: kinde_session=$XSID"
check "... escaped on the details page too" eval '[ "$STATUS" = 200 ] && body_lacks "<script>alert(1)"'
rm -f "$JAR"

echo "# SQLite: sessions survive a restart"
login "$B"
KEEP=$SID
stop_pid "$MAIN_PID"
start_app main "$P_MAIN" --data-dir "$W/main"
MAIN_PID=$LAST_PID
check "after a restart the session is still signed in" signed_in_as "$B" "$KEEP" "Dave Smith"
check "the store is in WAL mode" test -f "$W/main/sessions.db-wal"

echo "# timeouts"
P_IDLE=$(free_port)
start_app idle "$P_IDLE" --data-dir "$W/idle" --idle-timeout 2
login "http://127.0.0.1:$P_IDLE" "http://127.0.0.1:$P_IDLE"
check "idle: signed in" signed_in_as "http://127.0.0.1:$P_IDLE" "$SID" "Dave Smith"
sleep 3.2
check "idle timeout: anonymous after 3 s idle" anonymous "http://127.0.0.1:$P_IDLE" "$SID"
P_ABS=$(free_port)
start_app abs "$P_ABS" --data-dir "$W/abs" --idle-timeout 100 --absolute-timeout 5
login "http://127.0.0.1:$P_ABS" "http://127.0.0.1:$P_ABS"
ok_during=1
for _ in 1 2; do
  sleep 1
  signed_in_as "http://127.0.0.1:$P_ABS" "$SID" "Dave Smith" || { ok_during=0; echo "   at $(date +%s.%N): $STATUS"; }
done
check "absolute: signed in while active" is "$ok_during" 1
sleep 4.2
check "absolute timeout: anonymous 6 s after sign-in, active or not" anonymous "http://127.0.0.1:$P_ABS" "$SID"
P_TTL=$(free_port)
start_app ttl "$P_TTL" --data-dir "$W/ttl" --login-timeout 1
begin_login "http://127.0.0.1:$P_TTL"
sleep 2.2
req "http://127.0.0.1:$P_TTL/callback?code=abc&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "a login left too long: 400 page, not a crash" \
  eval '[ "$STATUS" = 400 ] && body_has "id=\"reason\""'

echo "# Kinde unreachable"
P_DOWN=$(free_port)
DEAD=$(free_port)
KINDE_HOST="http://127.0.0.1:$DEAD" start_app down "$P_DOWN" --data-dir "$W/down"
begin_login "http://127.0.0.1:$P_DOWN"
req "http://127.0.0.1:$P_DOWN/callback?code=abc&state=$STATE" -H "Cookie: kinde_session=$PRE"
check "Kinde down: 502 page, reason kinde_unavailable" \
  eval '[ "$STATUS" = 502 ] && body_has "kinde_unavailable" && body_has "href=\"/login\""'

echo "# https: Secure and __Host-"
P_TLS=$(free_port)
start_app tls "$P_TLS" --data-dir "$W/tls" --public-url "https://app.example"
req "http://127.0.0.1:$P_TLS/login"
check "https: cookie named __Host-kinde_session" starts "$(hdr set-cookie)" "__Host-kinde_session="
check "https: cookie Secure; Path=/; no Domain" \
  eval 'has "$(hdr set-cookie)" "; Secure" && has "$(hdr set-cookie)" "Path=/" && lacks "$(hdr set-cookie)" "Domain"'
req "http://127.0.0.1:$P_TLS/" -H "Cookie: kinde_session=$SID"
check "https: the plain-named cookie is ignored" body_lacks 'action="/logout"'

echo "# Redis: two instances share sessions"
R_PORT=$(free_port)
redis-server --port "$R_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"$W/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$R_PORT") 2>/dev/null && break
  sleep 0.05
done
P_RA=$(free_port)
P_RB=$(free_port)
# The Django tutorial's variable names on these two.
(
  unset KINDE_HOST KINDE_REDIRECT_URL KINDE_POST_LOGOUT_REDIRECT_URL
  export KINDE_ISSUER_URL=$EMU_URL KINDE_CALLBACK_URL="$APP_URL/callback" KINDE_LOGOUT_URL="$APP_URL/"
  start_app ra "$P_RA" --sessions "redis://127.0.0.1:$R_PORT"
  echo "$LAST_PID" >"$W/ra.pid"
  start_app rb "$P_RB" --sessions "redis://127.0.0.1:$R_PORT"
  echo "$LAST_PID" >"$W/rb.pid"
)
PIDS+=("$(cat "$W/ra.pid")" "$(cat "$W/rb.pid")")
RA="http://127.0.0.1:$P_RA"
RB="http://127.0.0.1:$P_RB"
req "$RA/healthz"; check "redis instance: healthz names redis" body_has "sessions=redis"
check "login started on A completes on B" login "$RA" "$RB"
check "signed in on A" signed_in_as "$RA" "$SID" "Dave Smith"
check "signed in on B" signed_in_as "$RB" "$SID" "Dave Smith"
check "pre-login id dead on A too" anonymous "$RA" "$PRE"
req "$RA/" -H "Cookie: kinde_session=$SID"; RCSRF=$(csrf_of)
req "$RB/logout" -X POST -H "Cookie: kinde_session=$SID" -d "csrf=$RCSRF"
check "sign out on B" is "$STATUS" 303
check "... anonymous on A" anonymous "$RA" "$SID"
kill "$(cat "$W/ra.pid")" 2>/dev/null
req "$RB/healthz"; check "B keeps serving when A stops" is "$STATUS" 200

echo
echo "http_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
