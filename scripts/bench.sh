#!/usr/bin/env bash
# make bench: every benchmark of bench/, in an optimised build of its own
# (never the sanitizer build). Prints the figures BENCHMARKS.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
build-bench/bench/bench_sdk
for script in bench/*.sh; do
  [ -e "$script" ] || continue
  echo
  BUILD=build-bench bash "$script"
done
