#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=N]: run every libFuzzer target for N seconds (default
# 60) from its committed corpus; new inputs go to build-fuzz/corpus-NAME, crashes
# to build-fuzz/crash-*. Prints how long each ran and whether it found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKINDE_FUZZ=ON -DKINDE_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 >/dev/null
status=0
for bin in $(find build-fuzz -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus=$(find tests -type d -path "*/corpus/$name" | head -1)
  work=build-fuzz/corpus-$name
  mkdir -p "$work"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="build-fuzz/crash-$name-" "$work" ${corpus:+"$corpus"} >build-fuzz/$name.log 2>&1; then
    echo "fuzz $name: ${seconds}s, $(grep -oE 'exec/s: [0-9]+' build-fuzz/$name.log | tail -1), no finding"
  else
    echo "fuzz $name: FINDING, see build-fuzz/$name.log"; status=1
  fi
done
exit $status
