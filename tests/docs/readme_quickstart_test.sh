#!/usr/bin/env bash
# The README's C quickstart compiles as written (-Wall -Wextra -Werror): the
# first ```c block after "## Quickstart", wrapped in main() with the two
# names it leaves to the reader defined.
#   usage: readme_quickstart_test.sh README.md INCLUDE_DIR CC
set -euo pipefail
readme=$1 include=$2 cc=${3:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^## Quickstart/ {q = 1} q && /^```c$/ {c = 1; next} c && /^```$/ {exit} c {print}' "$readme" >"$work/block.c"
[ -s "$work/block.c" ] || { echo "no C block under ## Quickstart in $readme"; exit 1; }
{
  grep '^#include' "$work/block.c"
  echo '#include <stdio.h>'
  echo '#include <string.h>'
  echo '#define KINDE_CLIENT_ID "client-id"'
  echo '#define KINDE_CLIENT_SECRET "client-secret"'
  echo 'int main(void)'
  echo '{'
  echo '    const char *full_callback_url = "http://localhost:8000/callback?code=c&state=s";'
  grep -v '^#include' "$work/block.c"
  echo '    return 0;'
  echo '}'
} >"$work/quickstart.c"
if "$cc" -std=c11 -Wall -Wextra -Werror -I"$include" -c "$work/quickstart.c" -o "$work/quickstart.o"; then
  echo "README quickstart: $(wc -l <"$work/block.c") lines compile cleanly"
else
  echo "README quickstart does not compile (wrapped source follows)"; cat -n "$work/quickstart.c"; exit 1
fi
