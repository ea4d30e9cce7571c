#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=N]: run every libFuzzer target for N seconds (default
# 60), one after the other, from its committed corpus; new inputs go to
# build-fuzz/corpus-NAME, crashes to build-fuzz/crash-*. The code under test is
# instrumented too (KINDE_FUZZ_INSTRUMENTED in CMakeLists.txt), so the counts
# are edges of the parsers, not only of the fuzz targets.
#
# Then a table, one row per target: time, edges (cov:), features (ft:), corpus
# size, and the share of the lines of its parser (the files named on the
# target's "fuzz-parser:" line) that the corpus reaches, measured by replaying
# committed + new inputs in a gcov build (build-fuzz-cov).
#
#   FUZZ_TARGETS="jws jwks"  only these targets
#   FUZZ_MERGE=1             afterwards, merge the new inputs that add coverage
#                            and are at most 4 KiB into tests/fuzz/corpus/NAME
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
max_input=4096
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKINDE_FUZZ=ON -DKINDE_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 >/dev/null

names=()
for bin in $(find build-fuzz/tests/fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$bin"); name=${name#fuzz_}
  if [ -n "${FUZZ_TARGETS:-}" ] && ! grep -qw -- "$name" <<<"$FUZZ_TARGETS"; then continue; fi
  names+=("$name")
done

status=0
declare -A row
for name in "${names[@]}"; do
  bin=build-fuzz/tests/fuzz/fuzz_$name
  corpus=tests/fuzz/corpus/$name
  work=build-fuzz/corpus-$name
  log=build-fuzz/$name.log
  mkdir -p "$work"
  start=$(date +%s)
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=$max_input \
      -artifact_prefix="build-fuzz/crash-$name-" "$work" "$corpus" >"$log" 2>&1; then
    result="no finding"
  else
    result="FINDING, see $log"; status=1
  fi
  took=$(($(date +%s) - start))
  # The last status line: "#N  DONE  cov: E ft: F corp: C/S ... exec/s: X".
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | cut -d' ' -f2)
  corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$last" | cut -d' ' -f2)
  execs=$(grep -oE 'exec/s: [0-9]+' <<<"$last" | cut -d' ' -f2)
  echo "fuzz $name: ${took}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, ${execs:-?} exec/s, $result"
  row[$name]="${took} s | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${execs:-?}"
  if [ "$result" = "no finding" ] && [ "${FUZZ_MERGE:-0}" = 1 ]; then
    small=build-fuzz/small-$name
    rm -rf "$small"; mkdir -p "$small"
    find "$work" -type f -size -$((max_input + 1))c -exec cp -t "$small" {} +
    before=$(ls "$corpus" | wc -l)
    "$bin" -merge=1 -timeout=10 -max_len=$max_input "$corpus" "$small" >"build-fuzz/$name.merge.log" 2>&1
    echo "  merged into $corpus: $before -> $(ls "$corpus" | wc -l) files"
  fi
done

# Line coverage of each parser by its corpus (committed + new), gcc + gcov.
cmake -S . -B build-fuzz-cov -DCMAKE_BUILD_TYPE=Debug -DKINDE_COVERAGE=ON >/dev/null
cmake --build build-fuzz-cov -j2 --target $(printf 'replay_%s ' "${names[@]}") >/dev/null
echo
echo "| target | parser | time | edges (cov) | features (ft) | corpus (files/bytes) | exec/s | parser lines reached |"
echo "|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  files=$(sed -nE 's|.*fuzz-parser: (.*) \*/.*|\1|p' "tests/fuzz/fuzz_$name.c")
  filter=$(sed -E 's/\./\\./g; s/ /|/g' <<<"$files")
  find build-fuzz-cov -name '*.gcda' -delete
  build-fuzz-cov/tests/fuzz/replay_$name "tests/fuzz/corpus/$name" "build-fuzz/corpus-$name" >/dev/null 2>&1 || true
  share=$(gcovr --root . --object-directory build-fuzz-cov --filter "(.*/)?($filter)\$" \
            --txt - 2>/dev/null | awk '/^TOTAL/ {print $4 " of " $2}')
  echo "| $name | $files | ${row[$name]} | ${share:-?} |"
done
exit $status
