#!/usr/bin/env bash
# Builds the differential fuzz target (fuzz_json_diff.c) for a campaign with
# BOTH parsers instrumented for coverage feedback: src/jsonscan.c (and the
# allocation hooks it uses) and jansson built from its own sources, so that
# libFuzzer is steered by new paths in either parser. The build of
# tests/fuzz/CMakeLists.txt links Debian's uninstrumented libjansson, which
# is right for replaying the corpus but blind for a campaign.
#
#   tests/fuzz/json_diff_campaign.sh JANSSON_SRC [SECONDS]
#
# JANSSON_SRC: a jansson source tree of the version the library links
# (Debian 12: 2.14; e.g. `git archive v2.14` of github.com/akheron/jansson).
# Builds into build-campaign/, then runs SECONDS (default 1800) from
# tests/fuzz/corpus/json_diff into build-campaign/corpus (new inputs land
# there, not in the committed seeds) and prints libFuzzer's final stats.
set -euo pipefail
src=${1:?jansson source tree}
seconds=${2:-1800}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build-campaign
san="-fsanitize=address,undefined"
mkdir -p "$out/corpus"
cmake -S "$src" -B "$out/jansson-build" -DCMAKE_C_COMPILER=clang \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link $san" \
  -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON -DJANSSON_EXAMPLES=OFF \
  -DJANSSON_BUILD_SHARED_LIBS=OFF >/dev/null
cmake --build "$out/jansson-build" -j2 >/dev/null
# jansson's generated headers first, so the target and jansson agree.
clang -std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
  -I"$out/jansson-build/include" -I"$root/include" -I"$root/src" \
  -fsanitize=fuzzer $san \
  "$root/tests/fuzz/fuzz_json_diff.c" "$root/src/jsonscan.c" "$root/src/alloc.c" \
  "$out/jansson-build/lib/libjansson.a" -lcrypto -lpthread \
  -o "$out/fuzz_json_diff"
cd "$out"
./fuzz_json_diff -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 \
  corpus "$root/tests/fuzz/corpus/json_diff" 2>&1 | tee fuzz_json_diff.log | tail -40
