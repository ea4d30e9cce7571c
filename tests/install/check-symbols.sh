#!/usr/bin/env bash
# Every dynamic symbol the library defines is a kinde_ function declared in
# a public header, and every function the headers declare is exported.
#   usage: check-symbols.sh LIBRARY HEADER...
set -euo pipefail
lib=$1
shift
headers=("$@")
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u)
# The functions the headers declare: the name before the first "(" of each
# KINDE_API declaration (macros and comments name functions too, but declare none).
declared=$(perl -0ne 'while (/KINDE_API\b([^;]*);/g) { my $d = $1; print "$1\n" if $d =~ /\b(kinde_\w+)\s*\(/ }' "${headers[@]}" | sort -u)
bad=$(grep -vE '^kinde_' <<<"$exported" || true)
if [ -n "$bad" ]; then
  echo "symbols outside the kinde_ namespace are exported:"; echo "$bad"; exit 1
fi
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
[ -z "$extra" ] || { echo "exported but declared in no public header:"; echo "$extra"; exit 1; }
[ -z "$missing" ] || { echo "declared in a public header but not exported:"; echo "$missing"; exit 1; }
echo "exported symbols: $(wc -l <<<"$exported"), all kinde_ and all declared"
# A kinde_code ignored is an error ignored: every function returning one
# carries KINDE_WARN_UNUSED (warn_unused_result).
unmarked=$(perl -0ne 'while (/KINDE_API\b([^;(]*?)\b(kinde_\w+)\s*\(/g) { my ($pre, $n) = ($1, $2); print "$n\n" if $pre =~ /\bkinde_code\b/ && $pre !~ /KINDE_WARN_UNUSED/ }' "${headers[@]}")
[ -z "$unmarked" ] || { echo "return kinde_code without KINDE_WARN_UNUSED:"; echo "$unmarked"; exit 1; }
echo "every function returning kinde_code warns when its result is ignored"
