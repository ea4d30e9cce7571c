#!/usr/bin/env bash
# make test: the whole suite under ASan+UBSan (a clang -Werror build), cppcheck
# and clang-tidy (scripts/lint.sh), the unit and integration tests under
# valgrind (a gcc -Werror build), a ThreadSanitizer run, line coverage of src/,
# then the installed-library checks. Ends with one summary line.
#
#   scripts/test.sh --repeat N   (make test REPEAT=N): only the fast suites
#     (unit, attacks, integration) under ASan+UBSan, N times over; fails on the
#     first failure. For flaky tests: one failure in N runs is a bug.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
repeat=${REPEAT:-}
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=${2:?--repeat N}; shift 2 ;;
    --repeat=*) repeat=${1#--repeat=}; shift ;;
    *) echo "usage: scripts/test.sh [--repeat N]" >&2; exit 2 ;;
  esac
done
if [ -n "$repeat" ] && ! [[ "$repeat" =~ ^[1-9][0-9]*$ ]]; then
  echo "--repeat wants a count, not '$repeat'" >&2; exit 2
fi
passed=0
failed=0
failures=()

tally() { # name, ctest log
  local line
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$2" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); failures+=("$1: no tests ran"); return
  fi
  local total bad
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - bad)); failed=$((failed + bad))
  [ "$bad" -eq 0 ] || failures+=("$1: $bad failed")
}

# Both compilers' warnings are errors (KINDE_WERROR): a warning stops the run
# here, with the compiler's message.
echo "== ASan+UBSan build (clang, -Werror), whole suite"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKINDE_SANITIZE=ON -DCMAKE_C_COMPILER=clang \
  -DKINDE_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null &&
  cmake --build build-asan -j"$JOBS" >build-asan.log 2>&1 ||
  { grep -E 'error|warning' build-asan.log | head -30; tail -20 build-asan.log; echo "FAILED: the clang -Werror build"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ -n "$repeat" ]; then
  echo "== unit, attacks and integration tests, $repeat times"
  ctest --test-dir build-asan -L 'unit|attacks|integration' --output-on-failure -j"$JOBS" \
    --repeat until-fail:"$repeat" 2>&1 | tee build-asan/ctest-repeat.log
  tally "asan x$repeat" build-asan/ctest-repeat.log
  [ ${#failures[@]} -eq 0 ] || printf 'FAILED: %s\n' "${failures[@]}"
  echo "make test REPEAT=$repeat: $passed passed (each $repeat times), $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi
ctest --test-dir build-asan --output-on-failure -j"$JOBS" 2>&1 | tee build-asan/ctest.log
tally asan build-asan/ctest.log
unset ASAN_OPTIONS UBSAN_OPTIONS

echo "== static checks over build-asan's compile database: cppcheck, clang-tidy"
for tool in cppcheck clang-tidy; do
  if scripts/lint.sh "$tool" build-asan >"build-asan/$tool.log" 2>&1; then
    passed=$((passed + 1)); echo "$tool: no finding"
  else
    failed=$((failed + 1)); failures+=("$tool: findings (build-asan/$tool.log)")
    grep -E '(error|warning):' "build-asan/$tool.log" | head -30
  fi
done

echo "== plain build (gcc, -Werror), unit and integration tests under valgrind"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DKINDE_WERROR=ON >/dev/null &&
  cmake --build build -j"$JOBS" >build.log 2>&1 ||
  { grep -E 'error|warning' build.log | head -30; tail -20 build.log; echo "FAILED: the gcc -Werror build"; exit 1; }
ctest --test-dir build -L 'unit|integration' --output-on-failure -j"$JOBS" \
  --overwrite MemoryCheckCommand=/usr/bin/valgrind \
  --overwrite "MemoryCheckCommandOptions=--error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible --track-origins=yes" \
  -T memcheck 2>&1 | tee build/valgrind.log
tally valgrind build/valgrind.log
if grep -qE 'Memory checking results:' build/valgrind.log && grep -A20 'Memory checking results:' build/valgrind.log | grep -qE '^ *[A-Za-z ]+ - [1-9]'; then
  failed=$((failed + 1)); failures+=("valgrind: defects reported (see build/valgrind.log)")
fi

echo "== ThreadSanitizer: 8 threads sharing one client, and one Management API handle (the emulator runs uninstrumented);"
echo "   web/'s session cache: threads churning it, and the gateway's routes (threads reading one cached session)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
  -DCMAKE_C_FLAGS="-fsanitize=thread -O1" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null &&
  cmake --build build-tsan -j"$JOBS" --target it_test_concurrency it_test_mgmt webapp_test_session_cache \
    gateway_test_routes >build-tsan.log 2>&1 ||
  { tail -30 build-tsan.log; exit 1; }
for t in integration/it_test_concurrency integration/it_test_mgmt e2e/webapp/webapp_test_session_cache \
         gateway/gateway_test_routes; do
  if TSAN_OPTIONS="halt_on_error=1" KINDE_EMULATOR=build/tools/emulator/kinde-emulator \
      build-tsan/tests/$t; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("tsan: $t")
  fi
done

echo "== line coverage of src/ (gcov), at least 90%"
cmake -S . -B build-coverage -DCMAKE_BUILD_TYPE=Debug -DKINDE_COVERAGE=ON >/dev/null &&
  cmake --build build-coverage -j"$JOBS" >build-coverage.log 2>&1 || { tail -30 build-coverage.log; exit 1; }
find build-coverage -name '*.gcda' -delete
ctest --test-dir build-coverage -L 'unit|integration|attacks|fuzz|interop' -j"$JOBS" >build-coverage/ctest.log 2>&1
if gcovr --root . --filter 'src/' --object-directory build-coverage --print-summary \
     --txt build-coverage/coverage.txt --fail-under-line 90 | tail -3; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); failures+=("coverage: src/ line coverage under 90% (build-coverage/coverage.txt)")
fi

echo "== plain build, the installed library"
ctest --test-dir build -L install --output-on-failure 2>&1 | tee build/install.log
tally install build/install.log

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
fi
echo "make test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
