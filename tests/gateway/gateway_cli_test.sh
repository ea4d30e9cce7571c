#!/usr/bin/env bash
# kinde-gateway as a program: --help, --check (ok, and each error: exit 2
# with FILE:LINE), the required --public-url, /healthz and /metrics, SIGHUP
# (a good file's new rule in effect and counted; a bad file keeps the old
# rules, logs FILE:LINE and is counted), the sign-in and refresh counters
# against the emulator, and a clean stop. Through nginx, in a browser and
# against SECURITY.md's E rules: the other tests of tests/gateway.
#   usage: gateway_cli_test.sh KINDE_GATEWAY KINDE_EMULATOR
set -uo pipefail
GW_BIN=${1:?kinde-gateway binary}
EMU_BIN=${2:?kinde-emulator binary}

. "$(dirname "$0")/../common/testlib.sh" kinde-gateway-cli
check_failed() { [ -s "$W/out" ] && sed 's/^/   | /' "$W/out" | head -20; }
has() { grep -qF -- "$2" "$1"; }

# run ARGS...: exit status in RC, stdout and stderr together in $W/out
RC=0
run() { "$GW_BIN" "$@" >"$W/out" 2>&1; RC=$?; }
# A Kinde configuration nobody answers on: enough for --check and start-up.
export KINDE_HOST=http://127.0.0.1:9 KINDE_CLIENT_ID=client KINDE_CLIENT_SECRET=secret
PUB=http://127.0.0.1:8080

# ---- --help, options ---------------------------------------------------------
run --help
check "--help: exit 0 with the usage" eval '[ $RC = 0 ] && has "$W/out" "usage: kinde-gateway --public-url URL"'
for opt in --public-url --rules --prefix --port --bind --ready-file --data-dir --sessions \
           --session-key-file --store-timeout --idle-timeout --absolute-timeout --login-timeout \
           --kinde-timeout --env-file --logout-return --workers --event-threads --session-cache --pass-access-token \
           --access-log --check --quiet --help; do
  has "$W/out" "  $opt " || { echo "   --help lacks $opt"; failed=$((failed + 1)); }
done
run --check
check "no --public-url: exit 2, says so" eval '[ $RC = 2 ] && has "$W/out" "--public-url is required"'
run --public-url ftp://x --check
check "a public URL that is not http(s): exit 2" eval '[ $RC = 2 ] && has "$W/out" "--public-url ftp://x"'
run --public-url "$PUB/app" --check
check "a public URL with a path: exit 2" eval '[ $RC = 2 ]'
for p in / _kinde/ /_kinde /a//b/ /../ "/a b/"; do
  run --public-url "$PUB" --prefix "$p" --check
  check "--prefix '$p': exit 2" eval '[ $RC = 2 ] && has "$W/out" "--prefix"'
done
run --public-url "$PUB" --port 70000 --check
check "--port 70000: exit 2" eval '[ $RC = 2 ]'
run --public-url "$PUB" --bogus --check
check "an unknown option: exit 2" eval '[ $RC = 2 ] && has "$W/out" "unknown option: --bogus"'

# ---- --check -------------------------------------------------------------------
printf '# rules\n*    /          signed-in\nGET  /pub/      public\n*    /admin/    permission=read:admin\n' >"$W/good.conf"
run --public-url "$PUB" --rules "$W/good.conf" --check
check "--check a good file: 'ok: 3 rules', exit 0" eval '[ $RC = 0 ] && [ "$(cat "$W/out")" = "ok: 3 rules" ]'
run --public-url "$PUB" --check
check "--check without --rules: the default (0 rules), exit 0" eval '[ $RC = 0 ] && [ "$(cat "$W/out")" = "ok: 0 rules" ]'
# Each error: FILE:LINE on the line that is wrong.
bad() { # name line content-with-escapes
  local file=$W/$1.conf line=$2
  printf "$3" >"$file"
  run --public-url "$PUB" --rules "$file" --check
  check "--check $1: exit 2, $1.conf:$line:" eval '[ $RC = 2 ] && has "$W/out" "$file:$line: "'
}
bad unknown_requirement 2 '* / signed-in\n* /x/ colour=blue\n'
bad empty_value 1 '* /x/ permission=\n'
bad bad_method 3 '\n\nget /x/ public\n'
bad bad_path 1 '* /x/../y signed-in\n'
bad duplicate 2 'GET /x/ public\nGET /x signed-in\n'
bad public_with_more 1 '* /x/ public permission=a\n'
bad nul_byte 1 '* /x/ pub\0lic\n'
run --public-url "$PUB" --rules "$W/missing.conf" --check
check "--check an unreadable file: exit 2, says which" eval '[ $RC = 2 ] && has "$W/out" "$W/missing.conf: cannot read"'
env -u KINDE_HOST -u KINDE_CLIENT_ID "$GW_BIN" --public-url "$PUB" --env-file /nonexistent --check >"$W/out" 2>&1
RC=$?
check "--check without a Kinde configuration: exit 2" eval '[ $RC = 2 ] && has "$W/out" "Kinde configuration"'

# ---- running: /healthz, /metrics, SIGHUP ------------------------------------------------
"$EMU_BIN" --port 0 --ready-file "$W/emu.ready" --data-dir "$W/emu" --quiet --admin \
  --add-callback "$PUB/_kinde/callback" --add-logout-url "$PUB/" >"$W/emu.log" 2>&1 &
EMU_PID=$!
PIDS+=("$EMU_PID")
wait_file "$W/emu.ready" "$EMU_PID" || { echo "emulator did not start"; cat "$W/emu.log"; exit 1; }
EMU=http://127.0.0.1:$(head -1 "$W/emu.ready")

cp "$W/good.conf" "$W/rules.conf"
KINDE_HOST=$EMU KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret \
  "$GW_BIN" --public-url "$PUB" --rules "$W/rules.conf" --port 0 --ready-file "$W/gw.ready" \
  --data-dir "$W/gw" --access-log "$W/access.log" --env-file /nonexistent >"$W/gw.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
wait_file "$W/gw.ready" "$GW_PID" || { echo "kinde-gateway did not start"; cat "$W/gw.log"; exit 1; }
GW=http://127.0.0.1:$(head -1 "$W/gw.ready")

get() { # url [curl args]: body in $W/out, status in ST
  local url=$1; shift
  ST=$(curl -s -o "$W/out" -D "$W/headers" -w '%{http_code}' --max-time 20 "$@" "$url")
}
reason() { grep -i '^x-kinde-reason:' "$W/headers" | cut -d' ' -f2 | tr -d '\r'; }
metric() { curl -s --max-time 20 "$GW/metrics" | grep -E "^$1 " | awk '{print $2}'; }
auth() { # method uri [curl args]
  local m=$1 u=$2; shift 2
  get "$GW/_kinde/auth" -H "X-Original-URI: $u" -H "X-Original-Method: $m" "$@"
}

get "$GW/healthz"
check "/healthz: 200 'ok sessions=sqlite'" eval '[ "$ST" = 200 ] && [ "$(cat "$W/out")" = "ok sessions=sqlite" ]'
get "$GW/metrics"
check "/metrics: 200, text format 0.0.4" eval '[ "$ST" = 200 ] && grep -qi "^content-type: text/plain; version=0.0.4" "$W/headers"'
for m in kinde_gateway_requests_total kinde_gateway_sign_ins_total kinde_gateway_refreshes_total \
         kinde_gateway_store_errors_total kinde_gateway_rules_reloads_total kinde_gateway_rules; do
  check "/metrics: $m with HELP and TYPE" eval 'has "$W/out" "# HELP $m " && has "$W/out" "# TYPE $m "'
done
check "/metrics: 3 rules in use" eval '[ "$(metric kinde_gateway_rules)" = 3 ]'

auth GET /open/x
check "before the reload: /open/x needs a signed-in user (401)" eval '[ "$ST" = 401 ] && [ "$(reason)" = not_signed_in ]'
printf '*    /          signed-in\nGET  /open/     public\n' >"$W/rules.conf"
kill -HUP "$GW_PID"
for _ in $(seq 1 100); do [ "$(metric 'kinde_gateway_rules_reloads_total\{result="ok"\}')" = 1 ] && break; sleep 0.05; done
check "SIGHUP with a good file: counted ok" eval '[ "$(metric "kinde_gateway_rules_reloads_total\\{result=\"ok\"\\}")" = 1 ]'
auth GET /open/x
check "... its new rule in effect (200 public)" eval '[ "$ST" = 200 ] && [ "$(reason)" = public ]'
check "... 2 rules in use" eval '[ "$(metric kinde_gateway_rules)" = 2 ]'
printf '*    /          signed-in\n*    /open/     public\nGET  /x/        flag=\n' >"$W/rules.conf"
kill -HUP "$GW_PID"
for _ in $(seq 1 100); do [ "$(metric 'kinde_gateway_rules_reloads_total\{result="failed"\}')" = 1 ] && break; sleep 0.05; done
check "SIGHUP with a bad file: counted failed" eval '[ "$(metric "kinde_gateway_rules_reloads_total\\{result=\"failed\"\\}")" = 1 ]'
check "... FILE:LINE in the log" eval 'grep -qF "rules not reloaded, the old ones stay: $W/rules.conf:3:" "$W/gw.log"'
auth GET /open/x
check "... the old rules still in effect" eval '[ "$ST" = 200 ] && [ "$(reason)" = public ] && [ "$(metric kinde_gateway_rules)" = 2 ]'
kill -0 "$GW_PID"
check "... and the gateway still running" eval '[ $? = 0 ]'

# ---- sign-in and refresh through the emulator: the counters -------------------------------
get "$GW/_kinde/sign-in?rd=/reports"
PRE=$(grep -i '^set-cookie:' "$W/headers" | sed -nE 's/.*kinde_gateway_session=([^;]*).*/\1/p')
AUTHZ=$(grep -i '^location:' "$W/headers" | cut -d' ' -f2 | tr -d '\r')
check "sign-in: 302 to Kinde with a pending-login cookie" eval '[ "$ST" = 302 ] && [ -n "$PRE" ] && [[ "$AUTHZ" == "$EMU/oauth2/auth?"* ]]'
get "$AUTHZ" -c "$W/jar" -b "$W/jar"
RID=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$W/out" | head -1)
get "$EMU/login/submit" -c "$W/jar" -b "$W/jar" --data-urlencode "request=$RID" \
  --data-urlencode "email=dave@smith.com"
CB=$(grep -i '^location:' "$W/headers" | cut -d' ' -f2 | tr -d '\r')
get "$GW${CB#"$PUB"}" -H "Cookie: kinde_gateway_session=$PRE"
SID=$(grep -i '^set-cookie:' "$W/headers" | sed -nE 's/.*kinde_gateway_session=([^;]*).*/\1/p')
check "callback: 302 back to rd, a new session id" eval '[ "$ST" = 302 ] && [ -n "$SID" ] && [ "$SID" != "$PRE" ] && grep -qi "^location: /reports" "$W/headers"'
check "... kinde_gateway_sign_ins_total 1" eval '[ "$(metric kinde_gateway_sign_ins_total)" = 1 ]'
auth GET /reports -H "Cookie: kinde_gateway_session=$SID"
check "auth for the signed-in user: 200 allowed, X-Kinde-Email" eval '[ "$ST" = 200 ] && [ "$(reason)" = allowed ] && grep -qi "^x-kinde-email: dave@smith.com" "$W/headers"'
# Only nginx reads auth answers: no-store, none of a page's headers.
check "... Cache-Control: no-store, no Content-Type, nosniff, Referrer-Policy or Pragma" eval 'grep -qi "^cache-control: no-store" "$W/headers" && ! grep -qiE "^(content-type|x-content-type-options|referrer-policy|pragma):" "$W/headers"'
get "$GW/_kinde/unavailable"
check "a page keeps them: nosniff, Referrer-Policy" eval 'grep -qi "^x-content-type-options: nosniff" "$W/headers" && grep -qi "^referrer-policy: same-origin" "$W/headers"'
get "$GW/_kinde/forbidden" -H "Cookie: kinde_gateway_session=$SID" -H "X-Kinde-Return-To: /reports"
CSRF=$(sed -nE 's/.*name="csrf" value="([^"]*)".*/\1/p' "$W/out" | head -1)
get "$GW/_kinde/refresh" -H "Cookie: kinde_gateway_session=$SID" -H "Origin: $PUB" \
  --data-urlencode "csrf=$CSRF" --data-urlencode "rd=/reports"
check "refresh: 303 to rd" eval '[ "$ST" = 303 ] && grep -qi "^location: /reports" "$W/headers"'
check "... kinde_gateway_refreshes_total 1" eval '[ "$(metric kinde_gateway_refreshes_total)" = 1 ]'
check "... kinde_gateway_requests_total{result=\"allowed\"} 1" eval '[ "$(metric "kinde_gateway_requests_total\\{result=\"allowed\"\\}")" = 1 ]'
check "access log: the auth line with its rule and user" eval 'grep -qE "endpoint=auth method=GET uri=\"/reports\" status=200 reason=allowed rule=\"$W/rules.conf:1\" user=kp_[0-9a-f]+ us=[0-9]+$" "$W/access.log"'

kill -TERM "$GW_PID"
wait "$GW_PID"
RC=$?
check "SIGTERM: exit 0" eval '[ $RC = 0 ]'

# ---- --bind unix:PATH -------------------------------------------------------------------
# The socket nginx reaches the gateway through on one machine: made 0660, a
# stale socket file replaced, a live one or another file refused, removed at
# exit.
SOCK=$W/gw.sock
start_unix() { # name: a gateway on $SOCK, its pid in UPID
  rm -f "$W/$1.ready"
  "$GW_BIN" --public-url "$PUB" --bind "unix:$SOCK" --ready-file "$W/$1.ready" --data-dir "$W/gw" \
    --access-log off --env-file /nonexistent >"$W/$1.log" 2>&1 &
  UPID=$!
  PIDS+=("$UPID")
  wait_file "$W/$1.ready" "$UPID"
}
# A stale socket file: bound by a process that is gone.
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die' "$SOCK"
check "a stale socket file is there before the start" test -S "$SOCK"
start_unix unix1
RC=$?
check "--bind unix:PATH: started over a stale socket file" eval '[ $RC = 0 ] && has "$W/unix1.log" "listening on unix:$SOCK "'
check "... the socket is mode 0660" eval '[ "$(stat -c %a "$SOCK")" = 660 ]'
ST=$(curl -s -o "$W/out" -w '%{http_code}' --max-time 20 --unix-socket "$SOCK" http://gw/healthz)
check "... /healthz through the socket: 200" eval '[ "$ST" = 200 ] && [ "$(cat "$W/out")" = "ok sessions=sqlite" ]'
ST=$(curl -s -o "$W/out" -D "$W/headers" -w '%{http_code}' --max-time 20 --unix-socket "$SOCK" \
  -H "X-Original-URI: /x" -H "X-Original-Method: GET" http://gw/_kinde/auth)
check "... auth through the socket: 401 not_signed_in" eval '[ "$ST" = 401 ] && [ "$(reason)" = not_signed_in ]'
"$GW_BIN" --public-url "$PUB" --bind "unix:$SOCK" --data-dir "$W/gw2" --access-log off --env-file /nonexistent >"$W/out" 2>&1
RC=$?
check "a second gateway on a live socket: refused, the first untouched" eval '[ $RC = 1 ] && has "$W/out" "another process is listening there" && test -S "$SOCK" && curl -sf --max-time 20 --unix-socket "$SOCK" http://gw/healthz >/dev/null'
kill -TERM "$UPID"
wait "$UPID"
RC=$?
check "SIGTERM: exit 0, the socket file removed" eval '[ $RC = 0 ] && [ ! -e "$SOCK" ]'
: >"$W/plain"
"$GW_BIN" --public-url "$PUB" --bind "unix:$W/plain" --data-dir "$W/gw2" --access-log off --env-file /nonexistent >"$W/out" 2>&1
RC=$?
check "--bind unix: on a file that is not a socket: refused, the file left" eval '[ $RC = 1 ] && has "$W/out" "is not a socket" && [ -f "$W/plain" ]'

echo "gateway_cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
