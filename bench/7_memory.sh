#!/usr/bin/env bash
# Item 7 (the part outside bench_sdk, which prints heap bytes per client and
# per session): the web app's RSS with 1, 10,000 and 100,000 stored signed-in
# sessions, and session lookup time as the store grows, SQLite and Redis.
# The store is filled by bench_fill_store through the app's own store and
# record code: the record of one real sign-in copied under fresh ids. Lookup
# time is measured twice: store_get() alone (random stored ids, in the
# filler), and through the app (wrk, signed-in home page, each request with
# the cookie of a random stored session: bench/lib/page_check.lua).
#   usage: BUILD=build-bench bash bench/7_memory.sh
source "$(dirname "$0")/lib/common.sh"
command -v wrk >/dev/null || { echo "7. skipped: wrk is missing (scripts/install-deps.sh)"; exit 0; }
LOOKUPS=${BENCH_LOOKUPS:-20000}
P_APP=$(free_port)
APP_URL="http://127.0.0.1:$P_APP"
start_emulator
start_redis
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
echo "7. memory and session lookup vs stored sessions (load before: $(load))"
echo "   app RSS idle after start: measured per store below; heap per client/session: see bench_sdk above"
printf '   %-7s %8s %10s %9s %10s %10s %10s %10s %8s %9s\n' store sessions "fill s" "app RSS" "store RSS" \
  "get p50 us" "get p99 us" "app p50 ms" "app p99" "req/s"
for store in sqlite redis; do
  if [ "$store" = sqlite ]; then spec=sqlite; opts=(--data-dir "$W/app-sqlite"); mkdir -p "$W/app-sqlite"
  else spec="redis://127.0.0.1:$REDIS_PORT"; mkdir -p "$W/app-sqlite"
    # bench_fill_store seals with the key in the directory it is given.
    opts=(--sessions "$spec" --session-key-file "$W/app-sqlite/session.key"); fi
  start_app "app-$store" "$P_APP" "${opts[@]}"
  idle=$(rss_kib "$APP_PID")
  login "$APP_URL" || { echo "   sign-in through the emulator failed"; exit 1; }
  ids=$W/ids-$store
  echo "$SID" >"$ids"
  for n in 1 10000 100000; do
    out=$("$BUILD/bench/bench_fill_store" "$spec" "$W/app-sqlite" "$SID" "$n" "$ids" "$LOOKUPS") ||
      { echo "   filling the $store store failed"; exit 1; }
    read -r stored fill gp50 gp99 <<<"$out"
    BENCH_IDS=$ids BENCH_PAGE_MARKER='action="/logout"' wrk -t2 -c8 -d"${WRK_SECONDS}s" --latency \
      --timeout 10s -s bench/lib/page_check.lua "$APP_URL/" >"$W/wrk.out" 2>&1
    read -r rps p50 p99 <<<"$(awk '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      /Requests\/sec:/ { rps = $2 } /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
      END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }' "$W/wrk.out")"
    miss=$(sed -nE 's/^not the page: ([0-9]+)/\1/p' "$W/wrk.out")
    if [ "$store" = sqlite ]; then srss="$(du -k "$W/app-sqlite/sessions.db" | cut -f1) KiB db"
    else srss="$(( $(rss_kib "$REDIS_PID") / 1024 )) MiB"; fi
    printf '   %-7s %8s %10s %6s MiB %10s %10s %10s %10s %8s %9s%s\n' "$store" "$stored" "$fill" \
      "$(( $(rss_kib "$APP_PID") / 1024 ))" "$srss" "$gp50" "$gp99" "$p50" "$p99" "$rps" \
      "$([ "${miss:-0}" != 0 ] && echo "   ($miss answers not signed in!)")"
  done
  echo "   $store: app RSS right after start $((idle / 1024)) MiB"
  stop_pid "$APP_PID"
done
echo "   (store RSS: the SQLite file's size / redis-server's RSS; wrk -t2 -c8, ${WRK_SECONDS}s per row; load after: $(load))"
