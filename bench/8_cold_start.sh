#!/usr/bin/env bash
# Item 8: cold start (process start -> first verified token, JWKS fetch
# included) and the number of JWKS requests that a steady stream of
# verifications causes (goal: exactly one). The emulator runs with --admin:
# tokens come from POST /_emulator/mint, request counts from
# GET /_emulator/stats, reset between runs by POST /_emulator/reset.
#   usage: BUILD=build-bench bash bench/8_cold_start.sh
source "$(dirname "$0")/lib/common.sh"
N=${BENCH_VERIFICATIONS:-10000}
start_emulator --admin
now=$(date +%s)
curl -s -X POST -H 'Content-Type: application/json' "$EMU_URL/_emulator/mint" \
  -d "{\"claims\": {\"iss\": \"$EMU_URL\", \"sub\": \"kp_bench\", \"aud\": [\"bench-api\"],
       \"azp\": \"kinde_demo_client\", \"iat\": $now, \"exp\": $((now + 3600)),
       \"scp\": [\"openid\"], \"permissions\": [], \"jti\": \"bench-cold-start\"}}" |
  sed -nE 's/.*"token": *"([^"]*)".*/\1/p' >"$W/token"
[ -s "$W/token" ] || { echo "8. skipped: could not mint a token (is --admin on?)"; exit 1; }
# count PATH: requests for that path since the last reset
count() { curl -s "$EMU_URL/_emulator/stats" | tr -d ' \n' | sed -nE "s#.*\"$1\":([0-9]+).*#\1#p" | grep . || echo 0; }
echo "8. cold start and JWKS fetches, $RUNS fresh processes, $N verifications each on 2 threads (load before: $(load))"
: >"$W/runs"
for _ in $(seq 1 "$RUNS"); do
  curl -s -X POST -H 'Content-Type: application/json' "$EMU_URL/_emulator/reset" >/dev/null
  out=$("$BUILD/bench/bench_cold_start" --spawn "$EMU_URL" "$W/token" "$N" 2) || { echo "   verification failed"; exit 1; }
  all=$(curl -s "$EMU_URL/_emulator/stats" | tr -d ' \n' | grep -o '"/[^"]*":[0-9]*' | grep -v '^"/_emulator/' | awk -F: '{s += $2} END {print s + 0}')
  read -r a b c d e <<<"$out"
  echo "$a $b $c $d $e $(count '/.well-known/jwks.json') $all" >>"$W/runs"
done
us2ms() { awk '{printf "%.2f\n", $1 / 1000}'; }
echo "   exec -> first verified token   $(cut -d' ' -f1 "$W/runs" | us2ms | stats) ms (posix_spawn -> libraries loaded -> client made -> JWKS fetched -> token verified)"
echo "     of which spawn -> main()     $(cut -d' ' -f5 "$W/runs" | us2ms | stats) ms (the kernel and the dynamic loader: 35 shared libraries)"
echo "   main() -> first verified token $(cut -d' ' -f2 "$W/runs" | us2ms | stats) ms"
echo "   first verification alone      $(cut -d' ' -f3 "$W/runs" | us2ms | stats) ms (JWKS fetch + key import + verify)"
echo "   steady stream                  $(cut -d' ' -f4 "$W/runs" | stats) ns per verification (2 threads, wall time / count)"
echo "   JWKS requests per process      $(cut -d' ' -f6 "$W/runs" | tr '\n' ' ')(goal: exactly 1 for 1 + $N verifications)"
echo "   HTTP requests per process      $(cut -d' ' -f7 "$W/runs" | tr '\n' ' ')(every path but the admin API, as the emulator counted them)"
