#!/usr/bin/env bash
# docs/API.md is what scripts/api-reference.sh makes of the public headers
# today, and names every function and function-like macro they declare.
#   usage: api_reference_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
headers=(include/kinde/*.h)
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
scripts/api-reference.sh "${headers[@]}" >"$fresh"
if ! diff -u docs/API.md "$fresh" >/dev/null; then
  diff -u docs/API.md "$fresh" | head -40 || true
  echo "docs/API.md is out of date with ${headers[*]}: run 'make api-reference'"
  exit 1
fi
# Independently of the generator: every function a header declares
# (KINDE_API) and every kinde_ function-like macro has an entry.
missing=0 count=0
for name in $(perl -0ne 'while (/KINDE_API\b([^;]*);/g) { my $d = $1; print "$1\n" if $d =~ /\b(kinde_\w+)\s*\(/ }' "${headers[@]}";
              grep -ohE '^#define kinde_[a-z0-9_]+\(' "${headers[@]}" | sed -E 's/^#define //; s/\($//'); do
  count=$((count + 1))
  grep -qE "^#### .*\`$name\`" docs/API.md || { echo "no entry for $name in docs/API.md"; missing=1; }
done
[ "$missing" = 0 ]
echo "docs/API.md: in sync, $count functions and macros each with an entry"
