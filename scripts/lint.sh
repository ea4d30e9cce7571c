#!/usr/bin/env bash
# The static checks of make test, over a compile database (a build directory
# configured with CMAKE_EXPORT_COMPILE_COMMANDS=ON; scripts/test.sh passes
# build-asan). Each prints its findings and fails on any:
#
#   scripts/lint.sh cppcheck   BUILD_DIR
#   scripts/lint.sh clang-tidy BUILD_DIR   (checks and reasons: .clang-tidy)
#
# clang-tidy's analyzer takes seconds per file, so a file that passed is not
# analysed again until it, a header of the repository, its compile command,
# .clang-tidy or clang-tidy itself changes (stamps in BUILD_DIR/lint-stamps).
# The -Werror builds are the suite's own builds (KINDE_WERROR=ON).
set -uo pipefail
cd "$(dirname "$0")/.."
tool=${1:?usage: scripts/lint.sh cppcheck|clang-tidy BUILD_DIR}
build=${2:?usage: scripts/lint.sh cppcheck|clang-tidy BUILD_DIR}
db=$build/compile_commands.json
[ -f "$db" ] || { echo "lint: no $db (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)"; exit 1; }
JOBS=${JOBS:-2}
root=$PWD

# The repository's own sources in the database: not what a build generates.
sources() {
  jq -r '.[].file' "$db" | grep -v "^$root/build" | sort -u
}

case $tool in
cppcheck)
  # warning: real bugs (leaks, null dereferences, uninitialised reads);
  # style is left to clang-format and clang-tidy. Suppressions: inline
  # (// cppcheck-suppress id) with the reason beside them. cppcheck does not
  # read system headers: the macros it must expand are in scripts/cppcheck/.
  cppcheck --project="$db" -i"$root/$build" --std=c11 -j"$JOBS" -q --inline-suppr \
    --library="$root/scripts/cppcheck/jansson.cfg" \
    --enable=warning,performance,portability --error-exitcode=1 \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]'
  ;;
clang-tidy)
  stamps=$build/lint-stamps
  mkdir -p "$stamps"
  common=$( { clang-tidy --version; cat .clang-tidy; git ls-files -z '*.h' | xargs -0 cat; } | sha1sum | cut -c1-40)
  todo=()
  for f in $(sources); do
    key=$( { echo "$common"; jq -r --arg f "$f" '.[] | select(.file == $f) | .command' "$db"; cat "$f"; } |
           sha1sum | cut -c1-40)
    [ -e "$stamps/$key" ] || todo+=("$f:$key")
  done
  echo "clang-tidy: $(( $(sources | wc -l) - ${#todo[@]} )) files unchanged since they passed, ${#todo[@]} to check"
  [ ${#todo[@]} -gt 0 ] || exit 0
  # One clang-tidy per file, JOBS at a time; a stamp only for a clean file.
  printf '%s\n' "${todo[@]}" | xargs -P"$JOBS" -I{} sh -c '
    f=${1%:*}; key=${1##*:}
    if out=$(clang-tidy -p "$2" --quiet --warnings-as-errors="*" "$f" 2>/dev/null); then
      touch "$3/$key"
    else
      printf "%s\n" "$out"; exit 1
    fi' lint {} "$build" "$stamps"
  ;;
*)
  echo "lint: unknown tool $tool" >&2; exit 2
  ;;
esac
