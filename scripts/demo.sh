#!/usr/bin/env bash
# make demo: the demo app on http://127.0.0.1:8000 signing in against the
# local Kinde emulator on http://127.0.0.1:8001 (or a real Kinde business
# when .env names one). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
emulator="$build/tools/emulator/kinde-emulator"
webapp="$build/examples/webapp/kinde-webapp"
APP_PORT=${APP_PORT:-8000}
EMU_PORT=${EMU_PORT:-8001}
mkdir -p .demo

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_ready() { # file, what
  for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
  echo "demo: $2 did not start" >&2; exit 1
}

if [ -f .env ] && grep -qE '^(export +)?KINDE_(HOST|ISSUER_URL)=' .env; then
  echo "demo: using the Kinde business configured in .env"
else
  rm -f .demo/emulator.ready
  "$emulator" --port "$EMU_PORT" --data-dir .demo/emulator --ready-file .demo/emulator.ready \
    --add-callback "http://127.0.0.1:$APP_PORT/callback" \
    --add-logout-url "http://127.0.0.1:$APP_PORT/" --quiet &
  pids+=($!)
  wait_ready .demo/emulator.ready "the Kinde emulator"
  export KINDE_HOST="http://127.0.0.1:$EMU_PORT"
  export KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret
  export KINDE_GRANT_TYPE=authorization_code
  export KINDE_REDIRECT_URL="http://127.0.0.1:$APP_PORT/callback"
  export KINDE_POST_LOGOUT_REDIRECT_URL="http://127.0.0.1:$APP_PORT/"
  echo "demo: Kinde emulator on $KINDE_HOST (sign in as dave@smith.com, or sign up)"
  echo "demo: its Management API: client kinde_demo_m2m, secret kinde_demo_m2m_secret, audience $KINDE_HOST/api"
fi

rm -f .demo/webapp.ready
"$webapp" --port "$APP_PORT" --data-dir .demo/webapp --ready-file .demo/webapp.ready &
pids+=($!)
wait_ready .demo/webapp.ready "the demo app"
echo
echo "  kinde-c demo: open http://127.0.0.1:$APP_PORT/"
echo
echo "Ctrl-C stops it."
wait -n "${pids[@]}"
