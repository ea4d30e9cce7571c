#!/usr/bin/env bash
# The README's C examples compile as written (-Wall -Wextra -Werror): the
# first ```c block after "## SECTION", wrapped so that it compiles alone:
#   Quickstart       in main(), with the two names it leaves to the reader defined;
#   Management API   in a function given the kinde_client the quickstart made.
#   usage: readme_quickstart_test.sh README.md INCLUDE_DIR CC [SECTION]
set -euo pipefail
readme=$1 include=$2 cc=${3:-cc} section=${4:-Quickstart}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v h="## $section" 'index($0, h) == 1 {q = 1} q && /^```c$/ {c = 1; next} c && /^```$/ {exit} c {print}' "$readme" >"$work/block.c"
[ -s "$work/block.c" ] || { echo "no C block under ## $section in $readme"; exit 1; }
{
  grep '^#include' "$work/block.c"
  echo '#include <stdio.h>'
  echo '#include <string.h>'
  case $section in
    Quickstart)
      echo '#define KINDE_CLIENT_ID "client-id"'
      echo '#define KINDE_CLIENT_SECRET "client-secret"'
      echo 'int main(void)'
      echo '{'
      echo '    const char *full_callback_url = "http://localhost:8000/callback?code=c&state=s";' ;;
    *)
      echo 'int example(kinde_client *client);'
      echo 'int example(kinde_client *client)'
      echo '{' ;;
  esac
  grep -v '^#include' "$work/block.c"
  echo '    return 0;'
  echo '}'
} >"$work/example.c"
if "$cc" -std=c11 -Wall -Wextra -Werror -I"$include" -c "$work/example.c" -o "$work/example.o"; then
  echo "README $section: $(wc -l <"$work/block.c") lines compile cleanly"
else
  echo "README $section does not compile (wrapped source follows)"; cat -n "$work/example.c"; exit 1
fi
