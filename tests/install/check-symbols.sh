#!/usr/bin/env bash
# Every dynamic symbol the library defines is a kinde_ function declared in
# a public header, and every function the headers declare is exported.
#   usage: check-symbols.sh LIBRARY HEADER...
set -euo pipefail
lib=$1
shift
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u)
declared=$(cat "$@" | grep -oE '\bkinde_[a-z0-9_]+\s*\(' | sed -E 's/\s*\($//' | sort -u)
bad=$(grep -vE '^kinde_' <<<"$exported" || true)
if [ -n "$bad" ]; then
  echo "symbols outside the kinde_ namespace are exported:"; echo "$bad"; exit 1
fi
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
[ -z "$extra" ] || { echo "exported but not in a public header:"; echo "$extra"; exit 1; }
[ -z "$missing" ] || { echo "declared in a public header but not exported:"; echo "$missing"; exit 1; }
echo "exported symbols: $(wc -l <<<"$exported"), all kinde_ and all declared"
