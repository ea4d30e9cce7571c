#!/usr/bin/env bash
# examples/management.c against the emulator's demo business: it creates a
# user in an organization with the role admin and a flag override, lists
# every user page by page, and prints a sign-in URL; this script signs the
# user in on the emulator's page (as a browser would) and pastes the
# callback back; the example then shows the role and the flag in the token.
#   usage: management_example_test.sh KINDE_EMULATOR MANAGEMENT_EXAMPLE
set -uo pipefail
EMU=${1:?kinde-emulator} EXAMPLE=${2:?management example}
W=$(mktemp -d /tmp/kinde-mgmt-example-XXXXXX)
EMU_PID=""
cleanup() { [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "not ok - $*"; echo "--- example output:"; cat "$W/out" 2>/dev/null; exit 1; }

"$EMU" --port 0 --ready-file "$W/ready" --data-dir "$W/emu" --quiet &
EMU_PID=$!
for _ in $(seq 1 1200); do [ -s "$W/ready" ] && break; sleep 0.05; done
[ -s "$W/ready" ] || fail "the emulator did not start"
HOST="http://127.0.0.1:$(head -1 "$W/ready")"

# The example reads the callback from a FIFO, so it waits for it.
mkfifo "$W/in"
KINDE_HOST=$HOST EXAMPLE_EMAIL=example.user@example.com "$EXAMPLE" <"$W/in" >"$W/out" 2>&1 &
EX_PID=$!
exec 3>"$W/in"
URL=""
for _ in $(seq 1 600); do
  URL=$(grep -m1 "^$HOST/oauth2/auth?" "$W/out")
  [ -n "$URL" ] && break
  kill -0 "$EX_PID" 2>/dev/null || break
  sleep 0.05
done
[ -n "$URL" ] || fail "no sign-in URL"

# The emulator's sign-in page, filled in as a browser would.
curl -s -o "$W/form" "$URL"
REQ=$(sed -nE 's/.*name="request" value="([^"]+)".*/\1/p' "$W/form" | head -1)
[ -n "$REQ" ] || fail "no sign-in form"
CB=$(curl -s -o /dev/null -w '%{redirect_url}' "$HOST/login/submit" -d "request=$REQ" \
       --data-urlencode email=example.user@example.com)
case "$CB" in http://127.0.0.1:8000/callback\?code=*) ;; *) fail "sign-in did not return a code: $CB";; esac
echo "$CB" >&3
exec 3>&-
wait "$EX_PID"; RC=$?

grep -q '^created user kp_[0-9a-f]* <example.user@example.com>$' "$W/out" || fail "the user was not created"
grep -q '^added to org_[0-9a-f]* with the role admin$' "$W/out" || fail "not added to an organization"
grep -qE '^3 users on 2 pages$' "$W/out" || fail "not every user page by page (3 users, page_size 2)"
grep -q 'page 2: example.user@example.com' "$W/out" || fail "the new user is not on the second page"
grep -q 'the token has the role admin: yes$' "$W/out" || fail "the role is not in the token"
grep -q "^the token's theme: example-teal$" "$W/out" || fail "the flag override is not in the token"
[ "$RC" = 0 ] || fail "the example exited $RC"
kill -TERM "$EMU_PID"; wait "$EMU_PID"; RC=$?; EMU_PID=""
[ "$RC" = 0 ] || fail "the emulator exited $RC"
echo "ok - examples/management: user, organization with a role, flag override, every page, and the next token"
