#!/usr/bin/env bash
# Item 9 (issue 11): page views while connections that do nothing useful are
# held open: half silent, half sending one header line every 5 s and never
# finishing (reopened whenever the server drops them). The demo app with
# BENCH_FLOOD_APP (10000) of them, measured on the signed-in home page; the
# emulator with BENCH_FLOOD_EMU (2000), measured on its discovery document.
# p50/p99 of views on fresh connections, and the server's RSS with the
# connections held. Goal: p99 < 50 ms.
#   usage: BUILD=build-bench bash bench/9_idle_flood.sh
source "$(dirname "$0")/lib/common.sh"
N_APP=${BENCH_FLOOD_APP:-10000}
N_EMU=${BENCH_FLOOD_EMU:-2000}
SECONDS_VIEW=${BENCH_FLOOD_SECONDS:-15}   # past the servers' 10 s timeout: reopening is measured too
FLOOD=$BUILD/bench/bench_idle_flood
# The flood tool raises its own limit; the servers raise theirs to the hard
# limit at start. Both need the hard limit above N.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $((N_APP + 200)) ]; then
  echo "9. descriptor hard limit $(ulimit -Hn) is below $((N_APP + 200)): holding $(( $(ulimit -Hn) - 200 )) instead"
  N_APP=$(( $(ulimit -Hn) - 200 ))
fi

P_APP=$(free_port)
APP_URL="http://127.0.0.1:$P_APP"
start_emulator
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
# flood PID PORT N PATH [COOKIE]: the tool's line, plus the RSS 5 s in
flood() {
  local pid=$1 port=$2 n=$3 path=$4; shift 4
  local before; before=$(rss "$pid")
  (sleep 6; rss "$pid" >"$W/rss") &
  local sampler=$!
  local line; line=$("$FLOOD" "$port" "$n" "$SECONDS_VIEW" "$path" "$@")
  wait "$sampler"
  echo "$line rss_idle=$before rss_held=$(cat "$W/rss")"
}

echo "9. idle flood (load before: $(load))"
mkdir -p "$W/app-sqlite"
start_app app-flood "$P_APP" --data-dir "$W/app-sqlite"
login "$APP_URL" || { echo "   sign-in through the emulator failed"; exit 1; }
echo "   app, $N_APP connections, signed-in home page:"
echo "     $(flood "$APP_PID" "$P_APP" "$N_APP" / "kinde_session=$SID")"
curl -s -H "Cookie: kinde_session=$SID" "$APP_URL/" | grep -q 'action="/logout"' ||
  echo "   WARNING: session lost during the flood"
stop_pid "$APP_PID"
EMU_PORT=${EMU_URL##*:}
echo "   emulator, $N_EMU connections, /.well-known/openid-configuration:"
echo "     $(flood "$EMU_PID" "$EMU_PORT" "$N_EMU" /.well-known/openid-configuration)"
echo "   goal: p99 < 50 ms with the connections held, no failed view (load after: $(load))"
