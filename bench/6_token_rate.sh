#!/usr/bin/env bash
# Item 6: logins per second at the emulator's token endpoint (one login = one
# authorization-code exchange = an access token and an ID token signed, two
# RSA-2048 signatures), against `openssl speed -seconds 3 rsa2048` signing on
# this machine. Codes are collected first through /oauth2/auth with an
# emulator session, then exchanged on 1 and on 2 keep-alive connections.
#   usage: BUILD=build-bench bash bench/6_token_rate.sh
source "$(dirname "$0")/lib/common.sh"
N=${BENCH_LOGINS:-1000}
start_emulator
echo "6. emulator token endpoint, $N code exchanges x $RUNS runs per column (load before: $(load))"
sign=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '$1 == "rsa" && $2 == "2048" {print $6; exit}')
[ -n "$sign" ] || { echo "   openssl speed gave no figure"; exit 1; }
for threads in 1 2; do
  : >"$W/runs"
  for _ in $(seq 1 "$RUNS"); do
    "$BUILD/bench/bench_token_rate" "$EMU_URL" "$N" "$threads" >>"$W/runs" || { echo "   token exchange failed"; exit 1; }
  done
  rate=$(cut -d' ' -f1 "$W/runs" | median)
  printf '   %d connection(s)  %s logins/s   = %s signatures/s, %.2f x the openssl signing rate\n' \
    "$threads" "$(cut -d' ' -f1 "$W/runs" | stats)" "$(awk -v r="$rate" 'BEGIN {printf "%.0f", 2 * r}')" \
    "$(awk -v r="$rate" -v s="$sign" 'BEGIN {print 2 * r / s}')"
done
printf '   openssl speed rsa2048 sign: %s/s on one core; bound %.0f logins/s per core (2 signatures each)\n' \
  "$sign" "$(awk -v s="$sign" 'BEGIN {print s / 2}')"
echo "   (load after: $(load))"

# Start-up: exec -> listening (its --ready-file written), with a fresh data
# directory (a 2048-bit key is generated and stored) and with the key kept.
ready_ms() { # data dir: milliseconds until the ready file appears, then stops it
  local t0 t1 pid
  rm -f "$W/startup.ready"
  t0=$(date +%s%N)
  "$EMU_BIN" --port 0 --ready-file "$W/startup.ready" --data-dir "$1" --quiet >/dev/null 2>&1 &
  pid=$!
  while [ ! -s "$W/startup.ready" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "n/a"; return; }
    sleep 0.002
  done
  t1=$(date +%s%N)
  stop_pid "$pid"
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", (b - a) / 1e6}'
}
: >"$W/fresh"; : >"$W/kept"
for i in $(seq 1 5); do
  ready_ms "$W/startup-$i" >>"$W/fresh"
  ready_ms "$W/startup-$i" >>"$W/kept"
done
echo "   emulator start-up to listening: new data dir (key generated) $(stats <"$W/fresh") ms;"
echo "   existing data dir $(stats <"$W/kept") ms (5 starts each, 2 ms polling)"
