#!/usr/bin/env bash
# make coverage: the suite with gcov instrumentation, then line coverage of
# src/ and common/ (the library and the string buffer it builds in) printed
# by gcovr.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-coverage -DCMAKE_BUILD_TYPE=Debug -DKINDE_COVERAGE=ON >/dev/null
cmake --build build-coverage -j2 >/dev/null
ctest --test-dir build-coverage -j2 -LE 'e2e' >/dev/null || true
gcovr --root . --filter 'src/' --filter 'common/' --object-directory build-coverage --print-summary \
  --txt build-coverage/coverage.txt | tail -3
