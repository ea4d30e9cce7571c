#!/usr/bin/env bash
# The `kinde` command and the quickstart against a real kinde-emulator on
# loopback: every command, its output, its exit status and its error line.
#
# usage: cli_test.sh KINDE_EMULATOR KINDE_CLI QUICKSTART [FAILALLOC_SHIM]
set -uo pipefail
EMU=${1:?kinde-emulator} CLI=${2:?kinde} QUICK=${3:?quickstart} FAILALLOC=${4:-}
W=$(mktemp -d /tmp/kinde-cli-XXXXXX)
EMU_PID=""
cleanup() { [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

passed=0 failed=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; echo "   rc=$RC out=$(head -c 300 "$W/out") err=$(head -c 300 "$W/err")"; fi
}
RC=0
run() { "$@" >"$W/out" 2>"$W/err"; RC=$?; }
out_has() { grep -qF -- "$1" "$W/out"; }
err_is() { [ "$(cat "$W/err")" = "$1" ]; }
err_starts() { case "$(head -1 "$W/err")" in "$1"*) return 0;; *) return 1;; esac; }

"$EMU" --port 0 --ready-file "$W/ready" --data-dir "$W/emu" --admin --quiet &
EMU_PID=$!
for _ in $(seq 1 100); do [ -s "$W/ready" ] && break; sleep 0.05; done
EMU_URL="http://127.0.0.1:$(head -1 "$W/ready")"

# Configuration as users have it: the tutorial's variable names in a .env.
cat >"$W/.env" <<ENV
KINDE_ISSUER_URL=$EMU_URL
KINDE_CLIENT_ID=kinde_demo_client
KINDE_CLIENT_SECRET=kinde_demo_secret
KINDE_CALLBACK_URL=http://127.0.0.1:8000/callback
KINDE_LOGOUT_URL=http://127.0.0.1:8000/
ENV
unset KINDE_HOST KINDE_ISSUER_URL KINDE_CLIENT_ID KINDE_CLIENT_SECRET KINDE_REDIRECT_URL \
      KINDE_CALLBACK_URL KINDE_POST_LOGOUT_REDIRECT_URL KINDE_LOGOUT_URL KINDE_AUDIENCE KINDE_GRANT_TYPE
K=("$CLI" --env "$W/.env")

run "${K[@]}" login-url
check "login-url: an authorization URL with state, nonce and S256 challenge" \
  eval '[ $RC = 0 ] && out_has "$EMU_URL/oauth2/auth?" && out_has "state=" && out_has "nonce=" && out_has "code_challenge_method=S256"'
run "${K[@]}" login-url --register
check "login-url --register: prompt=create" eval '[ $RC = 0 ] && out_has "prompt=create"'
run "${K[@]}" login-url --create-org --org-name "Acme & Co"
check "login-url --create-org: is_create_org and the name encoded" \
  eval '[ $RC = 0 ] && out_has "is_create_org=true" && out_has "org_name=Acme%20%26%20Co"'
run "${K[@]}" logout-url
check "logout-url: the configured return URL, encoded" \
  eval '[ $RC = 0 ] && out_has "$EMU_URL/logout?redirect=http%3A%2F%2F127.0.0.1%3A8000%2F"'

run "${K[@]}" m2m-token --audience https://api.example.com
check "m2m-token: JSON with the token" eval '[ $RC = 0 ] && out_has "\"access_token\""'
TOKEN=$(sed -nE 's/.*"access_token": *"([^"]+)".*/\1/p' "$W/out")
check "m2m-token: a JWT" eval '[ "$(tr -cd . <<<"$TOKEN" | wc -c)" = 2 ]'

run "${K[@]}" verify "$TOKEN"
check "verify: exit 0 and the claims" \
  eval '[ $RC = 0 ] && out_has "\"azp\"" && out_has "kinde_demo_client" && out_has "https://api.example.com"'
FORGED="${TOKEN%.*}.$(printf 'AAAA%.0s' $(seq 1 86))"
run "${K[@]}" verify "$FORGED"
check "verify a forged signature: exit 1, error: KINDE_E_TOKEN_SIGNATURE" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_TOKEN_SIGNATURE: "'
run "${K[@]}" verify "not-a-token"
check "verify garbage: exit 1, error: KINDE_E_TOKEN_MALFORMED" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_TOKEN_MALFORMED: "'
run "${K[@]}" verify --id-token "$TOKEN"
check "verify an access token as an ID token: refused" eval '[ $RC = 1 ] && err_starts "error: KINDE_E_TOKEN_"'
run "${K[@]}" decode "$TOKEN"
check "decode: the claims, and it says it did not verify" \
  eval '[ $RC = 0 ] && out_has "kinde_demo_client" && grep -q "WITHOUT verification" "$W/err"'

# --session-out holds the pending login (the PKCE verifier): only the user
# may read it, nothing is written through a link, a failed write is an error.
umask 022
run "${K[@]}" login-url --session-out "$W/pending"
check "login-url --session-out: the session in a 0600 file" \
  eval '[ $RC = 0 ] && [ "$(stat -c %a "$W/pending")" = 600 ] && [ -s "$W/pending" ]'
echo old >"$W/existing"; chmod 644 "$W/existing"
run "${K[@]}" login-url --session-out "$W/existing"
check "--session-out over an existing 0644 file: made 0600 and rewritten" \
  eval '[ $RC = 0 ] && [ "$(stat -c %a "$W/existing")" = 600 ] && ! grep -qx old "$W/existing"'
ln -s "$W/target" "$W/link"
run "${K[@]}" login-url --session-out "$W/link"
check "--session-out to a symbolic link: refused, nothing written through it" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_INVALID_ARGUMENT: cannot write $W/link" && [ ! -e "$W/target" ]'
# No file may grow (ulimit -f 0): the write fails, and the command says so.
(trap '' XFSZ; ulimit -f 0; exec "${K[@]}" login-url --session-out "$W/nospace" 2>&1 >/dev/null) |
  cat >"$W/err"; RC=${PIPESTATUS[0]}
check "--session-out when the write fails: exit 1 and the reason, not a silent success" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_INVALID_ARGUMENT: cannot write $W/nospace" && [ ! -s "$W/nospace" ]'

# Every allocation the library makes failing in turn (an LD_PRELOAD shim):
# each run ends with the library's out-of-memory error, never a crash and
# never an error that was not filled in.
if [ -n "$FAILALLOC" ]; then
  n=1 nomem=0 bad=0
  while [ $n -le 3000 ]; do
    KINDE_FAIL_ALLOC=$n LD_PRELOAD=$FAILALLOC "${K[@]}" login-url --session-out "$W/s" \
      >"$W/out" 2>"$W/err"; RC=$?
    [ $RC = 0 ] && break
    if [ $RC = 1 ] && [ "$(head -1 "$W/err")" = "error: KINDE_E_NOMEM: out of memory" ]; then
      nomem=$((nomem + 1))
    else
      bad=$((bad + 1)); echo "   allocation $n failing: rc=$RC $(head -c 200 "$W/err")"
    fi
    n=$((n + 1))
  done
  check "login-url with the n-th library allocation failing, each n: KINDE_E_NOMEM ($nomem runs)" \
    eval '[ $bad = 0 ] && [ $nomem -gt 0 ] && [ $RC = 0 ]'
fi

# A verify-only configuration (an API: the domain and its audience, no client).
printf 'KINDE_ISSUER_URL=%s\nKINDE_AUDIENCE=https://api.example.com\n' "$EMU_URL" >"$W/api.env"
V=("$CLI" --env "$W/api.env")
run "${V[@]}" verify "$TOKEN"
check "verify with only KINDE_ISSUER_URL and KINDE_AUDIENCE: exit 0 and the claims" \
  eval '[ $RC = 0 ] && out_has "https://api.example.com"'
run "${V[@]}" login-url
check "login-url without a client: exit 1, KINDE_E_CONFIG naming client_id" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_CONFIG: client_id is required"'
run "${V[@]}" verify --id-token "$TOKEN"
check "verify --id-token without a client: KINDE_E_CONFIG naming client_id" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_CONFIG: client_id is required"'

# kinde api: the Management API with the emulator's M2M application.
cat >"$W/m2m.env" <<ENV
KINDE_HOST=$EMU_URL
KINDE_CLIENT_ID=kinde_demo_m2m
KINDE_CLIENT_SECRET=kinde_demo_m2m_secret
ENV
A=("$CLI" --env "$W/m2m.env" api)
run "${A[@]}" --list
check "api --list: every operation, one a line" \
  eval '[ $RC = 0 ] && [ "$(wc -l <"$W/out")" = 183 ] && out_has "createUser " && out_has "/api/v1/organizations/{org_code}/users"'
run "${A[@]}" createUser --help
check "api OPERATION --help: method, path, scope" \
  eval '[ $RC = 0 ] && out_has "POST /api/v1/user" && out_has "create:users"'
run "${A[@]}" createOrganization --data '{"name":"CLI Org"}'
check "api createOrganization --data JSON: the answer with the new code" \
  eval '[ $RC = 0 ] && out_has "\"code\""'
ORG=$(sed -nE 's/.*"organization":\{?"?code"?: *"([^"]+)".*/\1/p; s/.*"code": *"(org_[^"]+)".*/\1/p' "$W/out" | head -1)
check "api createOrganization: an org code came back" eval '[ -n "$ORG" ]'
run "${A[@]}" getOrganization code="$ORG"
check "api getOrganization code=...: the organization" eval '[ $RC = 0 ] && out_has "CLI Org"'
printf '{"profile":{"given_name":"Cli","family_name":"User"},"identities":[{"type":"email","details":{"email":"cli@example.com"}}]}' >"$W/user.json"
run "${A[@]}" CREATE_USER --data @"$W/user.json"
check "api CREATE_USER --data @FILE (enum spelling)" eval '[ $RC = 0 ] && out_has "\"id\""'
run "${A[@]}" getUsers page_size=1 --all
check "api getUsers page_size=1 --all: every page joined, no next_token" \
  eval '[ $RC = 0 ] && out_has "cli@example.com" && out_has "dave@smith.com" && ! out_has "next_token"'
run "${A[@]}" getUsers page_size=1
check "api getUsers page_size=1: one page with a next_token" eval '[ $RC = 0 ] && out_has "next_token"'
run "${A[@]}" getUserData id=kp_nobody
check "api on a missing user: error: KINDE_E_HTTP_STATUS with Kinde's code, exit 1" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_HTTP_STATUS: getUserData: HTTP 404 "'
run "${A[@]}" getUserData
check "api without a required parameter: refused, naming it" \
  eval '[ $RC = 1 ] && err_is "error: KINDE_E_INVALID_ARGUMENT: getUserData needs parameter '"'"'id'"'"'"'
run "${A[@]}" getUserData id=a colour=red
check "api with an unknown parameter: refused, naming it" \
  eval '[ $RC = 1 ] && err_is "error: KINDE_E_INVALID_ARGUMENT: getUserData has no parameter '"'"'colour'"'"'"'
run "${A[@]}" getUsr
check "api with a misspelt operation: refused" \
  eval '[ $RC = 1 ] && err_is "error: KINDE_E_INVALID_ARGUMENT: no Management API operation '"'"'getUsr'"'"'"'
run "${A[@]}" getBusiness --all
check "api --all on an operation that does not page: refused" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_INVALID_ARGUMENT: getBusiness does not page"'
run "${A[@]}" getBusiness stray
check "api with a stray argument: usage, exit 2" eval '[ $RC = 2 ] && grep -q "usage: kinde api" "$W/err"'
run "${A[@]}" getTimezones
check "api on an operation the emulator does not model: its 501" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_HTTP_STATUS: getTimezones: HTTP 501 NOT_IMPLEMENTED_IN_EMULATOR"'
run "$CLI" --env "$W/.env" api getUsers
check "api with a client not authorised for the API: refused" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_"'

# What goes wrong on the user's side.
run "$CLI" --env /nonexistent login-url
check "no configuration: exit 1, error: KINDE_E_CONFIG naming the domain" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_CONFIG: " && grep -qi "domain\|KINDE_HOST" "$W/err"'
sed 's#^KINDE_ISSUER_URL=.*#KINDE_ISSUER_URL=http://example.com#' "$W/.env" >"$W/plain.env"
run "$CLI" --env "$W/plain.env" login-url
check "http:// to a non-loopback host: refused at start" eval '[ $RC = 1 ] && err_starts "error: KINDE_E_CONFIG: "'
run "${K[@]}" frobnicate
check "unknown command: usage, exit 2" eval '[ $RC = 2 ] && grep -q "usage: kinde" "$W/err"'
run "${K[@]}" m2m-token --audience https://not-an-api.example.com
check "m2m-token for an audience the app may not use: the OAuth error" \
  eval '[ $RC = 1 ] && err_starts "error: KINDE_E_OAUTH: "'
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null; EMU_PID=""
run "${K[@]}" m2m-token
check "Kinde unreachable: exit 1, error: KINDE_E_HTTP" eval '[ $RC = 1 ] && err_starts "error: KINDE_E_HTTP: "'

# The README's quickstart, built against the library, checks its configuration.
(cd "$W" && KINDE_HOST=http://127.0.0.1:9 KINDE_CLIENT_ID=x KINDE_CLIENT_SECRET=y \
  KINDE_REDIRECT_URL=http://127.0.0.1:8000/callback "$QUICK" --check) >"$W/out" 2>"$W/err"; RC=$?
check "quickstart --check: a client and a login URL from the environment" \
  eval '[ $RC = 0 ] && out_has "/oauth2/auth?"'

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
