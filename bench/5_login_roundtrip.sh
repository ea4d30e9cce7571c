#!/usr/bin/env bash
# Item 5: the full login round trip on loopback (login redirect -> emulator
# sign-in with an existing emulator session -> callback -> token exchange ->
# verification -> session stored), SQLite store. p50 and p99 of
# BENCH_LOGINS round trips, repeated BENCH_RUNS times.
#   usage: BUILD=build-bench bash bench/5_login_roundtrip.sh
source "$(dirname "$0")/lib/common.sh"
N=${BENCH_LOGINS:-300}
P_APP=$(free_port)
APP_URL="http://127.0.0.1:$P_APP"
start_emulator
mkdir -p "$W/app"
start_app app "$P_APP" --data-dir "$W/app"
echo "5. login round trip, app (SQLite) + emulator on loopback, $N round trips x $RUNS runs (load before: $(load))"
: >"$W/runs"
for _ in $(seq 1 "$RUNS"); do
  "$BUILD/bench/bench_login_roundtrip" "$APP_URL" "$EMU_URL" "$N" >>"$W/runs" || { echo "   round trip failed"; exit 1; }
done
us2ms() { awk '{printf "%.2f\n", $1 / 1000}'; }
echo "   p50        $(cut -d' ' -f1 "$W/runs" | us2ms | stats) ms   (goal < 5 ms)"
echo "   p99        $(cut -d' ' -f2 "$W/runs" | us2ms | stats) ms"
echo "   min        $(cut -d' ' -f3 "$W/runs" | us2ms | median) ms, max $(cut -d' ' -f4 "$W/runs" | us2ms | median) ms"
echo "   sequential $(cut -d' ' -f5 "$W/runs" | stats) logins/s (one client)"
