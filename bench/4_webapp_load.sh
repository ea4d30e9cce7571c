#!/usr/bin/env bash
# Item 4: the demo web app under wrk on loopback (2 threads; 32 and 256
# connections): home page signed out, home page signed in (session lookup +
# session check), details page signed in; SQLite and Redis stores.
# Medians of BENCH_RUNS runs of BENCH_WRK_SECONDS each.
#   usage: BUILD=build-bench bash bench/4_webapp_load.sh
source "$(dirname "$0")/lib/common.sh"
command -v wrk >/dev/null || { echo "4. skipped: wrk is missing (scripts/install-deps.sh)"; exit 0; }

P_APP=$(free_port)
APP_URL="http://127.0.0.1:$P_APP"
start_emulator
start_redis

echo "4. web app under wrk (-t2, ${WRK_SECONDS}s x $RUNS runs, medians; load before: $(load))"
printf '   %-7s %-22s %5s %9s %9s %9s %7s %6s\n' store page conns "req/s" "p50 ms" "p99 ms" non2xx errors
for store in sqlite redis; do
  if [ "$store" = sqlite ]; then opts=(--data-dir "$W/app-sqlite"); mkdir -p "$W/app-sqlite"
  else opts=(--sessions "redis://127.0.0.1:$REDIS_PORT"); fi
  start_app "app-$store" "$P_APP" "${opts[@]}"
  login "$APP_URL" || { echo "   sign-in through the emulator failed"; exit 1; }
  CK="Cookie: kinde_session=$SID"
  # The pages answer 200 and say what they should before any load.
  curl -s "$APP_URL/" | grep -q 'href="/login"' || { echo "   signed-out home page unexpected"; exit 1; }
  curl -s -H "$CK" "$APP_URL/" | grep -q 'action="/logout"' || { echo "   signed-in home page unexpected"; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$CK" "$APP_URL/details")" = 200 ] || { echo "   details page unexpected"; exit 1; }
  for page in home-signed-out home-signed-in details; do
    case $page in
      home-signed-out) url=$APP_URL/; hdr=() ;;
      home-signed-in) url=$APP_URL/; hdr=(-H "$CK") ;;
      details) url=$APP_URL/details; hdr=(-H "$CK") ;;
    esac
    for conns in 32 256; do
      : >"$W/runs"
      for _ in $(seq 1 "$RUNS"); do wrk_run "$url" "$conns" "${hdr[@]}" >>"$W/runs"; done
      rps=$(cut -d' ' -f1 "$W/runs" | median); rmin=$(cut -d' ' -f1 "$W/runs" | sort -g | head -1); rmax=$(cut -d' ' -f1 "$W/runs" | sort -g | tail -1)
      p50=$(cut -d' ' -f2 "$W/runs" | median); p99=$(cut -d' ' -f3 "$W/runs" | median)
      non2xx=$(awk '{s += $4} END {print s}' "$W/runs"); errs=$(awk '{s += $5} END {print s}' "$W/runs")
      printf '   %-7s %-22s %5s %9s %9s %9s %7s %6s   (req/s min %s, max %s)\n' "$store" "$page" "$conns" \
        "$rps" "$p50" "$p99" "$non2xx" "$errs" "$rmin" "$rmax"
    done
  done
  [ "$store" = sqlite ] && curl -s -H "$CK" "$APP_URL/" >"$W/home-signed-in.html"
  # The session is still good after the load (no error path was taken).
  curl -s -H "$CK" "$APP_URL/" | grep -q 'action="/logout"' || echo "   WARNING: session lost during the load"
  stop_pid "$APP_PID"
done
# The reference: nginx serving the signed-in home page's bytes as a static
# file, in the same run, on the same two cores (issue 11 asks for 0.5x).
if command -v nginx >/dev/null; then
  P_NGINX=$(free_port)
  if start_nginx "$P_NGINX" "$W/home-signed-in.html"; then
    : >"$W/runs"
    for _ in $(seq 1 "$RUNS"); do wrk_run "http://127.0.0.1:$P_NGINX/" 32 >>"$W/runs"; done
    printf '   %-7s %-22s %5s %9s %9s %9s %7s %6s\n' nginx "static copy of home" 32 \
      "$(cut -d' ' -f1 "$W/runs" | median)" "$(cut -d' ' -f2 "$W/runs" | median)" \
      "$(cut -d' ' -f3 "$W/runs" | median)" "$(awk '{s += $4} END {print s}' "$W/runs")" \
      "$(awk '{s += $5} END {print s}' "$W/runs")"
    stop_pid "$NGINX_PID"
  fi
else
  echo "   (nginx missing: no static-page reference)"
fi
echo "   goal: signed-in home page > 20000 req/s, p99 < 5 ms at 32 connections, zero errors (load after: $(load))"
