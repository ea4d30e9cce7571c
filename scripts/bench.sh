#!/usr/bin/env bash
# make bench: every benchmark of bench/, in an optimised build of its own
# (never the sanitizer build). Prints the figures BENCHMARKS.md records.
# bench_sdk first (items 1, 2, 3 and the heap part of 7), then every
# bench/*.sh in order (4 to 10; bench/lib/ holds what they share). A script
# that fails is reported and the others still run; the exit status says.
#   BENCH_RUNS (default 3), BENCH_WRK_SECONDS (4) and the per-script knobs
#   at the top of each script shorten or lengthen a run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
# Only what the benchmarks run: the library, the emulator, the web app, the
# gateway and the bench programs (the test suite is not needed here).
cmake --build build-bench -j2 --target bench_sdk bench_login_roundtrip bench_token_rate bench_idle_flood \
  bench_cold_start bench_fill_store kinde-emulator kinde-webapp kinde-gateway >/dev/null
built=$(date +%s)

echo "kinde-c benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "kernel:  $(uname -sr); compiler: $(cc --version | head -1); $(openssl version)"
echo "build:   Release (-O2), build-bench, $((built - start)) s"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

failed=()
build-bench/bench/bench_sdk || failed+=(bench_sdk)
# In item order (a plain glob would run 10 before 4).
for script in $(printf '%s\n' bench/*.sh | sort -V); do
  [ -e "$script" ] || continue
  echo
  BUILD=build-bench bash "$script" || { echo "   $script FAILED"; failed+=("$script"); }
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); make bench took $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
