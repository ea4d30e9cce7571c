#!/usr/bin/env bash
# kinde-gateway behind nginx, over HTTP with curl: the nginx configuration of
# the README (gateway/nginx/kinde-gateway.conf) as written, Debian's nginx,
# the gateway, the Kinde emulator and an app that echoes what reached it
# (echo_upstream.c), all on loopback. Exact statuses for: public and
# protected paths, sign-in and back to the page asked for, identity headers
# equal to the token's claims, forged X-Kinde-* headers (G43), hostile
# original URIs (G44), the rules of SECURITY.md section E over the gateway's
# endpoints (state, nonce, iss, replay, CSRF, cookies, return URLs, no token
# request after a refusal), Check again (refresh, CSRF), Kinde briefly down,
# sign-out, two gateways sharing sessions through a real redis-server, and
# every gateway stopping cleanly with no sanitizer report.
#
# usage: gateway_nginx_test.sh KINDE_EMULATOR KINDE_GATEWAY ECHO_UPSTREAM
set -uo pipefail
EMU_BIN=${1:?kinde-emulator binary}
GW_BIN=${2:?kinde-gateway binary}
ECHO_BIN=${3:?echo_upstream binary (tests/gateway/echo_upstream.c)}
# Absolute: the gateway starts in the scratch directory.
EMU_BIN=$(readlink -f "$EMU_BIN") GW_BIN=$(readlink -f "$GW_BIN") ECHO_BIN=$(readlink -f "$ECHO_BIN")
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# GATEWAY_CONF: another copy of the snippet (to see this test fail on a broken one).
CONF=${GATEWAY_CONF:-$SRC/gateway/nginx/kinde-gateway.conf}
for tool in curl nginx redis-server jq base64; do
  command -v "$tool" >/dev/null || { echo "gateway_nginx_test: $tool is missing"; exit 1; }
done

. "$SRC/tests/common/testlib.sh" kinde-gateway-nginx
. "$SRC/tests/common/httplib.sh"
CURL_OPTS=(--path-as-is) # hostile paths go out as written
check_failed() {
  echo "   status=$STATUS location=$(hdr location)"
  head -c 600 "$W/body" | sed 's/^/   | /'; echo
}

# ---- helpers ---------------------------------------------------------------
COOKIE=kinde_gateway_session
setcookie_id() { # the session id the last response set, "" if none
  hdr set-cookie | sed -nE "s/^(__Host-)?$COOKIE=([^;]*).*/\2/p"
}
body_has_i() { grep -qiF -- "$1" "$W/body"; }

# What reached the app: the echo upstream's body is the request line, then
# one "Name: value" line per header received.
up_line() { head -1 "$W/body"; }
up_values() { # header name: every value received under it (any case), one a line
  tail -n +2 "$W/body" | grep -i "^$1: " | cut -d' ' -f2-
}
up_value() { # header name: its value, only if received exactly once
  [ "$(up_values "$1" | wc -l)" = 1 ] && up_values "$1"
}
up_is() { [ "$(up_value "$1")" = "$2" ]; }
no_kinde_headers() { # nothing named X-Kinde-* or X_Kinde_* reached the app
  is "$(tail -n +2 "$W/body" | grep -ciE '^x[-_]kinde[-_]')" 0
}
reached_app() { [ "$STATUS" = 200 ] && [ "$(hdr content-type)" = "text/plain; charset=utf-8" ] && up_line >/dev/null; }
UPLOG=$W/upstream.log
UPMARK=0
up_mark() { UPMARK=$(wc -l <"$UPLOG"); }
up_untouched() { [ "$(wc -l <"$UPLOG")" = "$UPMARK" ]; } # no request reached the app since up_mark


# ---- the parts ---------------------------------------------------------------
# nginx listens on a port chosen here (nginx cannot report a port it picked),
# so those are chosen first: the emulator must know the callback URLs.
P_MAIN=$(free_port) P_DOWN=$(free_port) P_RA=$(free_port) P_RB=$(free_port)
PUB="http://127.0.0.1:$P_MAIN"
PUB_DOWN="http://127.0.0.1:$P_DOWN"
PUB_R="http://127.0.0.1:$P_RA" # both Redis gateways answer as this one (a load balancer's address)
PUB_RB="http://127.0.0.1:$P_RB"

start_emulator() { # name [options...]; sets EMU_URL
  local name=$1; shift
  "$EMU_BIN" --port 0 --ready-file "$W/$name.ready" --data-dir "$W/$name" --quiet --admin "$@" \
    >"$W/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_file "$W/$name.ready" "$pid" || { echo "emulator $name did not start"; cat "$W/$name.log"; exit 1; }
  EMU_URL="http://127.0.0.1:$(head -1 "$W/$name.ready")"
}
start_emulator emu --add-callback "$PUB/_kinde/callback" --add-logout-url "$PUB/" \
  --add-callback "$PUB_R/_kinde/callback" --add-logout-url "$PUB_R/"
MAIN_EMU=$EMU_URL
emu_admin() { # method path [json]
  curl -s -o /dev/null --max-time 20 -X "$1" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$EMU_URL$2"
}
requests_to() { # path: how many requests reached the emulator there (its admin API)
  local n
  n=$(curl -s --max-time 20 "$EMU_URL/_emulator/stats" | jq -r --arg p "$1" '.requests[$p] // 0')
  echo "${n:-0}"
}
token_requests() { requests_to /oauth2/token; }
[ -n "$(curl -s --max-time 20 "$EMU_URL/_emulator/stats" | grep -F '"requests"')" ] ||
  { echo "the emulator's admin API does not answer"; exit 1; }

"$ECHO_BIN" --ready-file "$W/echo.ready" --log "$UPLOG" >"$W/echo.out" 2>&1 &
PIDS+=("$!")
wait_file "$W/echo.ready" "$!" || { echo "echo_upstream did not start"; cat "$W/echo.out"; exit 1; }
P_APP=$(head -1 "$W/echo.ready")

# The rules (gateway/RULES.md). The emulator's demo business: Dave Smith is
# an admin of org_1234 (every todos permission); Ava Chen a member (read:todos).
RULES=$W/rules.conf
cat >"$RULES" <<'RULES'
*          /                 signed-in
GET,HEAD   /public/          public
*          /admin/           role=admin
*          /todos/           permission=read:todos
*          /reports/         permission=create:todos
*          /billing/         permission=manage:billing
RULES

export KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret
export KINDE_GRANT_TYPE=authorization_code
unset KINDE_ISSUER_URL KINDE_REDIRECT_URL KINDE_CALLBACK_URL KINDE_POST_LOGOUT_REDIRECT_URL \
  KINDE_LOGOUT_URL KINDE_GATEWAY_SESSION_KEY
GW_PORT=0
GATEWAYS=() # name:pid of each gateway started
start_gateway() { # name public-url [options...]; sets GW_PORT (Kinde: $EMU_URL)
  local name=$1 public=$2; shift 2
  rm -f "$W/$name.ready"
  (cd "$W" && KINDE_HOST=$EMU_URL exec "$GW_BIN" --port 0 --ready-file "$W/$name.ready" \
     --public-url "$public" --rules "$RULES" --env-file /nonexistent \
     --access-log "$W/$name.access.log" "$@") >"$W/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  GATEWAYS+=("$name:$pid")
  wait_file "$W/$name.ready" "$pid" || { echo "gateway $name did not start"; cat "$W/$name.log"; exit 1; }
  GW_PORT=$(head -1 "$W/$name.ready")
}

# nginx runs the snippet exactly as written, except for its three addresses:
# 127.0.0.1:8080 (nginx), :8090 (the gateway) and :3000 (the app) become the
# ports of this run, by textual substitution. As the snippet goes in the http
# block, it is included by a minimal nginx.conf that puts everything nginx
# writes (pid, logs, temporary files) in this run's directory.
start_nginx() { # name port gateway-port app-port
  local name=$1 port=$2 gw=$3 app=$4 d=$W/$1
  mkdir -p "$d/tmp"
  sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$port/g" -e "s/127\.0\.0\.1:8090/127.0.0.1:$gw/g" \
      -e "s/127\.0\.0\.1:3000/127.0.0.1:$app/g" "$CONF" >"$d/kinde-gateway.conf"
  cat >"$d/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp; proxy_temp_path $d/tmp;
  fastcgi_temp_path $d/tmp; uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
  include $d/kinde-gateway.conf;
}
CONF
  nginx -c "$d/nginx.conf" -p "$d" >"$d/out.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.025
  done
  echo "nginx $name did not start"; cat "$d/out.log" "$d/error.log"; exit 1
}

# Signs in through nginx and the emulator's page. Sets PRE (the pre-login
# id), CB (the callback URL Kinde sent the browser to), SID (signed in), LOC
# (where the callback sent the browser), CB_HEADERS (the callback's headers).
JAR=$W/emu.jar
LOGIN_ARGS=()
login() { # url that starts it (a protected page, or the sign-in page) [callback base]
  local start=$1 base=${2:-$PUB}
  SID="" PRE="" LOC="" CB=""
  req "$start" "${LOGIN_ARGS[@]}" || return 1
  PRE=$(setcookie_id)
  local auth; auth=$(hdr location)
  [ "$STATUS" = 302 ] && [ -n "$PRE" ] && starts "$auth" "$EMU_URL/oauth2/auth?" ||
    { echo "   login: $start answered $STATUS to '$auth'"; return 1; }
  to_callback "$auth" || return 1
  req "$base${CB#"$PUB"}" -H "Cookie: $COOKIE=$PRE"
  cp "$W/headers" "$W/cb.headers"
  SID=$(setcookie_id)
  LOC=$(hdr location)
  [ "$STATUS" = 302 ] && [ -n "$SID" ]
}
to_callback() { # authorize URL: through the emulator's sign-in page; sets CB
  emulator_sign_in "$1" "$JAR" "${LOGIN_EMAIL:-dave@smith.com}" || return 1
  CB=$(hdr location)
  starts "$CB" "$PUB/_kinde/callback?" || { echo "   the emulator sent the browser to '$CB'"; return 1; }
}
login_with_header() { # url X-Kinde-Return-To-value: login with that header on its first request
  LOGIN_ARGS=(-H "X-Kinde-Return-To: $2")
  login "$1"
  local rc=$?
  LOGIN_ARGS=()
  return $rc
}
# A sign-in started and taken to the callback, not finished: PRE, CB, STATE.
begin_login() {
  req "$PUB/_kinde/sign-in"
  PRE=$(setcookie_id)
  local auth; auth=$(hdr location)
  STATE=$(sed -nE 's/.*[?&]state=([^&]*).*/\1/p' <<<"$auth")
  [ -n "$PRE" ] && [ -n "$STATE" ] && to_callback "$auth"
}
# A callback that must be refused before any token request: query status.
callback_refused() {
  local before; before=$(token_requests)
  req "$PUB/_kinde/callback?$1" -H "Cookie: $COOKIE=$PRE"
  TOKEN_DELTA=$(($(token_requests) - before))
  [ "$STATUS" = "$2" ] && [ "$TOKEN_DELTA" = 0 ] && [ -z "$(setcookie_id)" ]
}
signin_redirect() { # the last answer sends the browser to sign in at Kinde
  [ "$STATUS" = 302 ] && starts "$(hdr location)" "$EMU_URL/oauth2/auth?"
}
signed_in_as() { # base sid path user-id: the app reached, as that user
  req "$1$3" -H "Cookie: $COOKIE=$2"
  reached_app && up_is X-Kinde-User-Id "$4"
}
csrf_of() { sed -nE 's/.*name="csrf" value="([^"]*)".*/\1/p' "$W/body" | head -1; }
jwt_claims() { # a JWT's payload, as JSON
  local p; p=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  while [ $((${#p} % 4)) != 0 ]; do p="$p="; done
  base64 -d <<<"$p" 2>/dev/null
}

start_gateway gw "$PUB" --data-dir "$W/gw" --pass-access-token
GW_MAIN=$GW_PORT
GW_URL="http://127.0.0.1:$GW_MAIN"
start_nginx ngx "$P_MAIN" "$GW_MAIN" "$P_APP"
DAVE=kp_0ba7c433f3d54d1d
AVA=kp_5ce9f1d2a8b34c07

echo "# the snippet as written"
check "nginx -t accepts the snippet (in an http block)" \
  nginx -t -q -c "$W/ngx/nginx.conf" -p "$W/ngx"
check "only the three addresses differ from gateway/nginx/kinde-gateway.conf" \
  eval '[ "$(diff "$CONF" "$W/ngx/kinde-gateway.conf" | grep -c "^>")" -ge 3 ] &&
        ! diff "$CONF" "$W/ngx/kinde-gateway.conf" | grep "^>" | grep -vqE "127\.0\.0\.1:($P_MAIN|$GW_MAIN|$P_APP)"'

echo "# public and protected paths"
up_mark
req "$PUB/public/page?a=1"
check "anonymous, public path: 200 from the app" reached_app
check "... the app got the request as sent" is "$(up_line)" "GET /public/page?a=1"
check "... and no X-Kinde-* header" no_kinde_headers
FORGE=(-H "X-Kinde-User-Id: forged-id" -H "x-kinde-email: forged@evil.example"
       -H "X-KINDE-NAME: Forged Name" -H "X-Kinde-Org-Code: org_forged"
       -H "X-Kinde-Permissions: manage:billing" -H "X-Kinde-Roles: admin"
       -H "X-Kinde-Authorization: Bearer forged" -H "X_Kinde_User_Id: forged-underscore"
       -H "X-Kinde-User-Id: forged-twice")
req "$PUB/public/page" "${FORGE[@]}"
check "anonymous, public path, every X-Kinde-* header forged (G43): none reaches the app" \
  eval 'reached_app && no_kinde_headers && [ "$(grep -ci forged "$W/body")" = 0 ]'
# The rule for /public/ names GET and HEAD: the method nginx passes on must be
# the browser's, not its subrequest's (always GET).
up_mark
req "$PUB/public/page" -X POST -d a=b
check "anonymous POST to the public path (a GET,HEAD rule): to sign-in, the app not asked" \
  eval 'signin_redirect && up_untouched'
req "$PUB/public/page" -I
check "anonymous HEAD on the public path: 200 from the app" \
  eval '[ "$STATUS" = 200 ] && [ "$(hdr content-type)" = "text/plain; charset=utf-8" ]'
up_mark
req "$PUB/todos/list?x=1&y=2"
PRE_COOKIE=$(hdr set-cookie)
AUTH=$(hdr location)
check "anonymous, protected path: 302 straight to Kinde's authorize endpoint" signin_redirect
check "... the callback is the gateway's, under /_kinde/" \
  has "$AUTH" "redirect_uri=$(printf '%s' "$PUB/_kinde/callback" | jq -sRr @uri)"
check "... PKCE S256, state and nonce" \
  eval 'has "$AUTH" "code_challenge_method=S256" && has "$AUTH" "state=" && has "$AUTH" "nonce="'
check "... the app was not asked" up_untouched
check "cookie (E30): named $COOKIE, HttpOnly, SameSite=Lax, Path=/" \
  eval 'starts "$PRE_COOKIE" "$COOKIE=" && has "$PRE_COOKIE" "; HttpOnly" && has "$PRE_COOKIE" "; SameSite=Lax" && has "$PRE_COOKIE" "; Path=/"'
check "cookie over http: no Secure, no Domain" eval 'lacks "$PRE_COOKIE" "Secure" && lacks "$PRE_COOKIE" "Domain"'
check "cookie: an id of 43 base64url characters" eval '[[ "$(setcookie_id)" =~ ^[A-Za-z0-9_-]{43}$ ]]'
req "$PUB/_kinde/auth" -H "X-Original-URI: /public/x"
check "the auth endpoint is internal: 404 from outside" is "$STATUS" 404

echo "# signing in through nginx"
up_mark
check "sign in, starting at a protected page with a query" login "$PUB/todos/list?x=1&y=2"
check "... back to exactly that page, query kept" is "$LOC" "/todos/list?x=1&y=2"
check "... the callback: no-store and no-referrer (E35)" \
  eval 'grep -qi "^cache-control: no-store" "$W/cb.headers" && grep -qi "^referrer-policy: no-referrer" "$W/cb.headers"'
check "... a new session id at sign-in (E31)" isnt "$SID" "$PRE"
check "... the app was not asked during sign-in" up_untouched
DSID=$SID
DCB=$CB
req "$PUB$LOC" -H "Cookie: $COOKIE=$DSID"
check "signed in: the page reached the app, as asked for" \
  eval 'reached_app && [ "$(up_line)" = "GET /todos/list?x=1&y=2" ]'
TOKEN=$(up_value X-Kinde-Authorization | sed -n 's/^Bearer //p')
CLAIMS=$(jwt_claims "$TOKEN")
claim() { jq -r "$1" <<<"$CLAIMS"; }
check "--pass-access-token: X-Kinde-Authorization is Bearer and the emulator's access token" \
  eval '[ "$(claim .iss)" = "$EMU_URL" ] && [ "$(claim .sub)" = "$DAVE" ]'
check "X-Kinde-User-Id is the token's sub ($DAVE)" up_is X-Kinde-User-Id "$(claim .sub)"
check "X-Kinde-Org-Code is the token's org_code" up_is X-Kinde-Org-Code "$(claim .org_code)"
check "X-Kinde-Permissions is the token's permissions, comma-separated" \
  up_is X-Kinde-Permissions "$(claim '.permissions | join(",")')"
check "X-Kinde-Roles is the token's role keys, comma-separated" \
  up_is X-Kinde-Roles "$(claim '[.roles[].key] | join(",")')"
check "... which are Dave's in the data (org_1234, delete:todos, admin)" \
  eval 'up_is X-Kinde-Org-Code org_1234 && has ",$(up_value X-Kinde-Permissions)," ",delete:todos," && up_is X-Kinde-Roles admin'
check "X-Kinde-Email is the user's (ID token)" up_is X-Kinde-Email dave@smith.com
check "X-Kinde-Name is given and family name" up_is X-Kinde-Name "Dave Smith"
check "the pre-login id no longer signs anyone in (E31)" \
  eval 'req "$PUB/todos/x" -H "Cookie: $COOKIE=$PRE" && signin_redirect'
req "$PUB/todos/list" -H "Cookie: $COOKIE=$DSID" "${FORGE[@]}"
check "signed in, protected path, every X-Kinde-* forged (G43): the app sees only the gateway's, once each" \
  eval 'reached_app && up_is X-Kinde-User-Id "$DAVE" && up_is X-Kinde-Email dave@smith.com &&
        up_is X-Kinde-Name "Dave Smith" && up_is X-Kinde-Org-Code org_1234 &&
        up_is X-Kinde-Roles admin && up_is X-Kinde-Authorization "Bearer $TOKEN" &&
        [ "$(grep -ci forged "$W/body")" = 0 ] && [ "$(grep -ci "^x_kinde" "$W/body")" = 0 ]'
req "$PUB/public/page" -H "Cookie: $COOKIE=$DSID" "${FORGE[@]}"
check "signed in, public path, forged: the gateway's identity, no forged value" \
  eval 'reached_app && up_is X-Kinde-User-Id "$DAVE" && [ "$(grep -ci forged "$W/body")" = 0 ]'
req "$PUB/todos/list" -H "Cookie: $COOKIE=$DSID" -X POST -d 'a=b'
check "POST to a protected path: reaches the app with its body" \
  eval 'reached_app && [ "$(up_line)" = "POST /todos/list" ] && grep -q "^body-bytes: 3$" "$W/body"'

echo "# 403: signed in, not allowed"
up_mark
req "$PUB/billing/invoices?id=7" -H "Cookie: $COOKIE=$DSID"
check "a path needing a permission Dave lacks: 403, the gateway's page" \
  eval '[ "$STATUS" = 403 ] && body_has_i "have access" && [ "$(hdr content-type)" != "text/plain; charset=utf-8" ]'
check "... naming who is signed in" eval 'body_has "Dave Smith" || body_has "dave@smith.com"'
check "... with Check again (POST /_kinde/refresh, CSRF, back to the page) and sign-out" \
  eval 'body_has "action=\"/_kinde/refresh\"" && body_has "name=\"csrf\"" && body_has "/billing/invoices?id=7" && body_has "action=\"/_kinde/sign-out\""'
check "... no-store" has "$(hdr cache-control)" no-store
req "$PUB/billing/invoices" -H "Cookie: $COOKIE=$DSID" -X DELETE
check "... DELETE too: 403" is "$STATUS" 403
check "... the app was never asked" up_untouched
req "$PUB/billing/x" -H "Cookie: $COOKIE=$DSID" -H "X-Kinde-Permissions: manage:billing"
check "... a forged permission header changes nothing: 403" is "$STATUS" 403

echo "# Check again: POST /_kinde/refresh (G48)"
req "$PUB/billing/x" -H "Cookie: $COOKIE=$DSID"
DCSRF=$(csrf_of)
refresh() { # form-data [curl args...]: POST refresh as Dave; TOKEN_DELTA: token requests it made
  local data=$1 before; shift
  before=$(token_requests)
  req "$PUB/_kinde/refresh" -X POST -H "Cookie: $COOKIE=$DSID" -d "$data" "$@"
  TOKEN_DELTA=$(($(token_requests) - before))
}
refresh "rd=/billing/x" -H "Origin: $PUB"
check "without the CSRF token: 403, no token request" eval '[ "$STATUS" = 403 ] && [ "$TOKEN_DELTA" = 0 ]'
refresh "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&rd=/billing/x" -H "Origin: $PUB"
check "with a wrong CSRF token: 403, no token request" eval '[ "$STATUS" = 403 ] && [ "$TOKEN_DELTA" = 0 ]'
refresh "csrf=$DCSRF&rd=/billing/x" -H "Origin: https://evil.example"
check "from another Origin: 403, no token request" eval '[ "$STATUS" = 403 ] && [ "$TOKEN_DELTA" = 0 ]'
req "$PUB/_kinde/refresh" -H "Cookie: $COOKIE=$DSID"
check "GET refresh: 405, changes nothing" is "$STATUS" 405
refresh "csrf=$DCSRF&rd=/billing/x%3Fid%3D7" -H "Origin: $PUB"
check "with the token: one token request, 303 back to rd" \
  eval '[ "$STATUS" = 303 ] && [ "$(hdr location)" = "/billing/x?id=7" ] && [ "$TOKEN_DELTA" = 1 ]'
refresh "csrf=$DCSRF&rd=$(pct //evil.example)" -H "Origin: $PUB"
check "with rd=//evil.example: 303 to exactly / (E34)" \
  eval '[ "$STATUS" = 303 ] && [ "$(hdr location)" = / ]'
check "... still signed in as Dave after the refreshes" signed_in_as "$PUB" "$DSID" /todos/a "$DAVE"

echo "# hostile original URIs (G44): never a protected path of the app unauthorised"
# Each: the target as sent, and the exact answer to someone signed out: 403
# when the gateway refuses it as ambiguous (an encoded '/', '\' or '%', a
# control character, any dot segment: nginx reads /public/../admin as /admin,
# an app routing the raw path may not), 400 when nginx refuses it first.
G44=('/public/../admin/x 403' '/public/./../admin/x 403' '/public/%2e%2e/admin/x 403'
     '/public/%2E%2E/admin/x 403' '/public/.%2e/admin/x 403' '/public/%2e./admin/x 403'
     '/public/..%2fadmin/x 403' '/public/%2e%2e%2fadmin/x 403' '/admin%2f 403' '/admin%2F 403'
     '/admin%2fx 403' '/public/..%5cadmin/x 403' '/public/..\admin/x 403'
     '/public/%252e%252e/admin/x 403' '/public/%2e%2e%00/admin/x 400' '/public/..%0aadmin 403'
     '/public/../../admin/x 400' '/public/..//admin/x 403' '/public//../admin/x 403'
     '/public/.//../admin/x 403' '/admin/%2e%2e/public/x 403')
for t in "${G44[@]}"; do
  uri=${t% *} want=${t##* }
  up_mark
  req "$PUB$uri"
  check "signed out, $uri: $want, the app not asked" eval '[ "$STATUS" = "$want" ] && up_untouched'
done
ALOG=$W/gw.access.log
check "the gateway's access log: the original URI as sent, refused as bad_uri" \
  grep -qE 'endpoint=auth method=GET uri="/admin%2f" status=403 reason=bad_uri' "$ALOG"
check "... and /public/../admin/x as sent: 403 bad_uri" \
  grep -qE 'endpoint=auth method=GET uri="/public/\.\./admin/x" status=403 reason=bad_uri' "$ALOG"
# Ava is signed in but no admin: the same targets must not reach /admin/.
JAR_DAVE=$JAR
JAR=$W/emu-ava.jar
LOGIN_EMAIL=ava@example.com login "$PUB/_kinde/sign-in" || { echo "Ava could not sign in"; exit 1; }
ASID=$SID
JAR=$JAR_DAVE
check "Ava signed in: her own identity at the app" signed_in_as "$PUB" "$ASID" /todos/a "$AVA"
for t in "${G44[@]}"; do
  uri=${t% *} want=${t##* }
  up_mark
  req "$PUB$uri" -H "Cookie: $COOKIE=$ASID"
  check "signed in without admin, $uri: $want, the app not asked" \
    eval '[ "$STATUS" = "$want" ] && up_untouched'
done
req "$PUB/admin/x" -H "Cookie: $COOKIE=$ASID"
check "... and at /admin/x itself: 403" is "$STATUS" 403
check "Dave (role admin) at /admin/x: the app, as Dave" signed_in_as "$PUB" "$DSID" /admin/x "$DAVE"
req "$PUB/reports/q" -H "Cookie: $COOKIE=$ASID"
check "Ava on a path needing create:todos (she has read:todos only): 403" is "$STATUS" 403

echo "# the callback's refusals (E rules): exact status, no token request"
req "$PUB/_kinde/callback?code=abc&state=def"
check "callback without a session: 400" is "$STATUS" 400
begin_login
check "state mismatch: 400, no token request, no session" callback_refused "code=abc&state=wrong" 400
check "... the pre-login cookie cleared" cookie_cleared
begin_login
check "state missing: 400, no token request" callback_refused "code=abc" 400
begin_login
check "state twice: 400, no token request" callback_refused "code=a&state=$STATE&state=$STATE" 400
begin_login
check "code missing: 400, no token request" callback_refused "state=$STATE" 400
begin_login
EVIL_ISS=$(pct "https://evil.example")
WRONG_ISS=$(sed -E "s/(^|&)iss=[^&]*/\1iss=$EVIL_ISS/" <<<"${CB#*\?}")
check "the callback's iss replaced by another issuer's (RFC 9207): 400, no token request" \
  eval 'callback_refused "$WRONG_ISS" 400 && has "$WRONG_ISS" "iss=$EVIL_ISS" && lacks "$WRONG_ISS" "iss=http"'
begin_login
check "error=access_denied with the right state: 403, no token request" \
  callback_refused "error=access_denied&state=$STATE" 403
emu_admin POST /_emulator/id-token-nonce '{"mode": "wrong"}'
begin_login
T0=$(token_requests)
req "$CB" -H "Cookie: $COOKIE=$PRE"
check "an ID token with another login's nonce: 400 after exactly one token request" \
  eval '[ "$STATUS" = 400 ] && [ "$(($(token_requests) - T0))" = 1 ] && [ -z "$(setcookie_id)" ]'
check "... nobody signed in: the protected page sends to sign-in" \
  eval 'req "$PUB/todos/x" -H "Cookie: $COOKIE=$PRE" && signin_redirect'
emu_admin POST /_emulator/id-token-nonce '{"mode": "missing"}'
begin_login
req "$CB" -H "Cookie: $COOKIE=$PRE"
check "an ID token without a nonce: 400, no session" eval '[ "$STATUS" = 400 ] && [ -z "$(setcookie_id)" ]'
emu_admin POST /_emulator/id-token-nonce '{"mode": "normal"}'
# Replays of the successful callback of Dave's sign-in.
T0=$(token_requests)
req "$DCB" -H "Cookie: $COOKIE=$PRE"
check "the callback replayed with a dead pre-login id: 400, no token request" \
  eval '[ "$STATUS" = 400 ] && [ "$(token_requests)" = "$T0" ]'
req "$DCB"
check "the callback replayed without a cookie: 400, no token request" \
  eval '[ "$STATUS" = 400 ] && [ "$(token_requests)" = "$T0" ]'
req "$DCB" -H "Cookie: $COOKIE=$DSID"
check "the callback replayed signed in (the back button): 302 to /, no token request" \
  eval '[ "$STATUS" = 302 ] && [ "$(hdr location)" = / ] && [ "$(token_requests)" = "$T0" ]'
check "... still signed in" signed_in_as "$PUB" "$DSID" /todos/a "$DAVE"

echo "# where sign-in returns (E34, G47)"
# Every hostile target over both ways a return path reaches the gateway: the
# sign-in page's rd= and X-Kinde-Return-To (sent straight to the gateway: nginx
# replaces a browser's copy with the URI asked for).
e34_hostile "$PUB"
HOSTILE=("${E34_HOSTILE[@]}" "$PUB/todos/x"
         '/_kinde/sign-out' '/_kinde/callback?code=x&state=y' '/_kinde/')
for evil in "${HOSTILE[@]}"; do
  q=$(printf '%q' "$evil")
  check "sign-in with rd=$q: signed in, back at exactly /" \
    eval 'login "$PUB/_kinde/sign-in?rd=$(pct "$evil")" && [ "$LOC" = / ]'
  req "$PUB/_kinde/sign-in?rd=$(pct "$evil")" -H "Cookie: $COOKIE=$DSID"
  check "signed in, sign-in with rd=$q: 302 to exactly /, session untouched" \
    eval '[ "$STATUS" = 302 ] && [ "$(hdr location)" = / ] && [ -z "$(hdr set-cookie)" ]'
  case $evil in *$'\r'*|*$'\n'*) continue ;; esac # not a header value
  check "sign-in with X-Kinde-Return-To: $q (to the gateway): back at exactly /" \
    eval 'login_with_header "$GW_URL/_kinde/sign-in" "$evil" && [ "$LOC" = / ]'
done
check "sign-in with rd=/todos/ok?a=1: back there" \
  eval 'login "$PUB/_kinde/sign-in?rd=$(pct /todos/ok?a=1)" && [ "$LOC" = "/todos/ok?a=1" ]'
check "through nginx, a browser's own X-Kinde-Return-To is replaced: back at /" \
  eval 'login_with_header "$PUB/_kinde/sign-in" "/todos/secret" && [ "$LOC" = / ]'
check "through nginx, the page asked for wins over a forged X-Kinde-Return-To" \
  eval 'login_with_header "$PUB/todos/mine?b=2" "//evil.example" && [ "$LOC" = "/todos/mine?b=2" ]'
check "X-Kinde-Return-To: /todos/ok?a=1 (to the gateway): back there" \
  eval 'login_with_header "$GW_URL/_kinde/sign-in" "/todos/ok?a=1" && [ "$LOC" = "/todos/ok?a=1" ]'
# Hostile targets as the page asked for: $request_uri becomes X-Kinde-Return-To.
for t in '//evil.example signin' '///evil.example signin' '/\evil.example 403' \
         '/%2f%2fevil.example 403' '/%5Cevil.example 403' '/%09/evil.example 403' \
         '/%0d%0aSet-Cookie:x=1 403'; do
  uri=${t% *} want=${t##* }
  if [ "$want" = signin ]; then
    check "signed out, GET $uri: sign-in, then back at exactly /" \
      eval 'login "$PUB$uri" && [ "$LOC" = / ]'
  else
    req "$PUB$uri"
    check "signed out, GET $uri: $want (refused before any sign-in)" is "$STATUS" "$want"
  fi
done

echo "# sign-out and CSRF (E33, G48)"
login "$PUB/_kinde/sign-in" || { echo "cannot sign in"; exit 1; }
OSID=$SID
req "$PUB/_kinde/sign-out" -H "Cookie: $COOKIE=$OSID"
CSRF=$(csrf_of)
check "GET sign-out, signed in: 200, a confirmation form posting to sign-out with a CSRF token" \
  eval '[ "$STATUS" = 200 ] && body_has "action=\"/_kinde/sign-out\"" && body_has "method=\"post\"" && [[ "$CSRF" =~ ^[A-Za-z0-9_-]{43}$ ]]'
check "... signs nobody out" signed_in_as "$PUB" "$OSID" /todos/a "$DAVE"
T0=$(requests_to /oauth2/revoke)
req "$PUB/_kinde/sign-out" -X POST -H "Cookie: $COOKIE=$OSID" -H "Origin: $PUB"
check "POST sign-out without the CSRF token: 403" is "$STATUS" 403
req "$PUB/_kinde/sign-out" -X POST -H "Cookie: $COOKIE=$OSID" -H "Origin: $PUB" \
  -d "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
check "POST sign-out with a wrong token: 403" is "$STATUS" 403
req "$PUB/_kinde/sign-out" -X POST -H "Cookie: $COOKIE=$OSID" -H "Origin: https://evil.example" \
  -d "csrf=$CSRF"
check "POST sign-out with the right token from another Origin: 403" is "$STATUS" 403
check "... after all three: still signed in, nothing revoked at Kinde" \
  eval 'signed_in_as "$PUB" "$OSID" /todos/a "$DAVE" && [ "$(requests_to /oauth2/revoke)" = "$T0" ]'
req "$PUB/_kinde/sign-out" -X POST -H "Cookie: $COOKIE=$OSID" -H "Origin: $PUB" -d "csrf=$CSRF"
check "POST sign-out: 303 to Kinde's logout, returning to the site" \
  eval '[ "$STATUS" = 303 ] && starts "$(hdr location)" "$EMU_URL/logout?redirect=$(printf "%s" "$PUB/" | jq -sRr @uri)"'
check "... the cookie cleared" cookie_cleared
up_mark
req "$PUB/todos/a" -H "Cookie: $COOKIE=$OSID"
check "the old cookie after sign-out: to sign-in again (401), the app not asked" \
  eval 'signin_redirect && up_untouched'
req "$PUB/_kinde/sign-out" -H "Cookie: $COOKIE=$OSID"
check "GET sign-out, signed out: 200, no form" \
  eval '[ "$STATUS" = 200 ] && body_lacks "name=\"csrf\""'

echo "# https: Secure and __Host- (E30)"
start_gateway tls "https://app.example" --data-dir "$W/tls"
req "http://127.0.0.1:$GW_PORT/_kinde/sign-in"
check "--public-url https: 302 to Kinde with the cookie __Host-$COOKIE" \
  eval '[ "$STATUS" = 302 ] && starts "$(hdr set-cookie)" "__Host-$COOKIE="'
check "... Secure, HttpOnly, SameSite=Lax, Path=/, no Domain" \
  eval 'has "$(hdr set-cookie)" "; Secure" && has "$(hdr set-cookie)" "; HttpOnly" && has "$(hdr set-cookie)" "; SameSite=Lax" && has "$(hdr set-cookie)" "; Path=/" && lacks "$(hdr set-cookie)" "Domain"'
check "... its callback is the https one" \
  has "$(hdr location)" "redirect_uri=$(printf '%s' "https://app.example/_kinde/callback" | jq -sRr @uri)"

echo "# Kinde briefly unavailable while tokens expire (E41)"
start_emulator emu-down --access-ttl 2 --add-callback "$PUB_DOWN/_kinde/callback"
start_gateway down "$PUB_DOWN" --data-dir "$W/down" --kinde-timeout 1000
start_nginx ngx-down "$P_DOWN" "$GW_PORT" "$P_APP"
SAVED_PUB=$PUB SAVED_JAR=$JAR
PUB=$PUB_DOWN JAR=$W/emu-down.jar
check "sign in where access tokens live 2 s" login "$PUB/todos/a"
KSID=$SID
sleep 2.3
emu_admin POST /_emulator/faults '{"path": "/oauth2/token", "status": 503}'
up_mark
req "$PUB/todos/a" -H "Cookie: $COOKIE=$KSID"
check "token endpoint 503 at the refresh: 503, the unavailable page, Retry-After: 5" \
  eval '[ "$STATUS" = 503 ] && [ "$(hdr retry-after)" = 5 ] && body_has_i "still signed in"'
check "... not a sign-out: no cookie change, the app not asked" \
  eval '[ -z "$(hdr set-cookie)" ] && up_untouched'
req "$PUB/todos/a" -H "Cookie: $COOKIE=$KSID"
check "... the next request too: 503" is "$STATUS" 503
emu_admin DELETE /_emulator/faults
back=0
for _ in $(seq 1 20); do
  sleep 0.5
  signed_in_as "$PUB" "$KSID" /todos/a "$DAVE" && { back=1; break; }
done
check "Kinde back: the same session reaches the app again (refreshed, not signed out)" is "$back" 1
PUB=$SAVED_PUB JAR=$SAVED_JAR
EMU_URL=$MAIN_EMU

echo "# Redis: two gateways share sessions"
R_PORT=$(free_port)
redis-server --port "$R_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"$W/redis.log" 2>&1 &
R_PID=$!
PIDS+=("$R_PID")
for _ in $(seq 1 600); do
  grep -q 'Ready to accept connections' "$W/redis.log" && break
  kill -0 "$R_PID" 2>/dev/null || { echo "redis-server did not start"; cat "$W/redis.log"; exit 1; }
  sleep 0.05
done
# One --data-dir: the same session key (its session.key) for both.
start_gateway ra "$PUB_R" --data-dir "$W/redis-gw" --sessions "redis://127.0.0.1:$R_PORT"
start_nginx ngx-ra "$P_RA" "$GW_PORT" "$P_APP"
start_gateway rb "$PUB_R" --data-dir "$W/redis-gw" --sessions "redis://127.0.0.1:$R_PORT"
start_nginx ngx-rb "$P_RB" "$GW_PORT" "$P_APP"
SAVED_PUB=$PUB
PUB=$PUB_R
check "sign in through nginx and gateway A" login "$PUB_R/todos/r"
RSID=$SID
PUB=$SAVED_PUB
check "allowed through A" signed_in_as "$PUB_R" "$RSID" /todos/r "$DAVE"
check "allowed through B (the session is in Redis)" signed_in_as "$PUB_RB" "$RSID" /todos/r "$DAVE"
check "... without --pass-access-token, no X-Kinde-Authorization (a forged one neither)" \
  eval 'req "$PUB_RB/todos/r" -H "Cookie: $COOKIE=$RSID" -H "X-Kinde-Authorization: Bearer forged" && reached_app && [ -z "$(up_values X-Kinde-Authorization)" ]'
req "$PUB_RB/_kinde/sign-out" -H "Cookie: $COOKIE=$RSID"
RCSRF=$(csrf_of)
req "$PUB_RB/_kinde/sign-out" -X POST -H "Cookie: $COOKIE=$RSID" -H "Origin: $PUB_R" -d "csrf=$RCSRF"
check "sign out through B: 303" is "$STATUS" 303
req "$PUB_R/todos/r" -H "Cookie: $COOKIE=$RSID"
check "... signed out through A too" signin_redirect
req "$PUB_RB/todos/r" -H "Cookie: $COOKIE=$RSID"
check "... and through B" signin_redirect

echo "# every gateway stops cleanly, with nothing from the sanitizers"
for g in "${GATEWAYS[@]}"; do
  name=${g%%:*} pid=${g##*:}
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  check "gateway $name: exit 0 on SIGTERM, no sanitizer report in its log" \
    eval '[ "$rc" = 0 ] && ! grep -q "Sanitizer" "$W/$name.log"'
done
up_mark
req "$PUB/todos/a" -H "Cookie: $COOKIE=$DSID"
check "the gateway stopped: nginx fails closed, 502 on a protected path, the app not asked" \
  eval '[ "$STATUS" = 502 ] && up_untouched'
req "$PUB/public/page"
check "... and on a public one (nginx cannot know it is public)" \
  eval '[ "$STATUS" = 502 ] && up_untouched'
check "nginx logged no alert or critical error" \
  eval '! grep -hE "\[(alert|crit|emerg)\]" "$W"/ngx*/error.log'

echo
echo "gateway_nginx_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
