#!/usr/bin/env bash
# The README's Management API example compiles as written (-Wall -Wextra
# -Werror): the first ```c block after "## Management API", wrapped in a
# function that gets the client the quickstart made.
#   usage: readme_mgmt_test.sh README.md INCLUDE_DIR CC
set -euo pipefail
readme=$1 include=$2 cc=${3:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^## Management API/ {q = 1} q && /^```c$/ {c = 1; next} c && /^```$/ {exit} c {print}' "$readme" >"$work/block.c"
[ -s "$work/block.c" ] || { echo "no C block under ## Management API in $readme"; exit 1; }
{
  grep '^#include' "$work/block.c"
  echo '#include <stdio.h>'
  echo 'int example(kinde_client *client);'
  echo 'int example(kinde_client *client)'
  echo '{'
  grep -v '^#include' "$work/block.c"
  echo '    return 0;'
  echo '}'
} >"$work/mgmt.c"
if "$cc" -std=c11 -Wall -Wextra -Werror -I"$include" -c "$work/mgmt.c" -o "$work/mgmt.o"; then
  echo "README Management API example: $(wc -l <"$work/block.c") lines compile cleanly"
else
  echo "README Management API example does not compile (wrapped source follows)"; cat -n "$work/mgmt.c"; exit 1
fi
