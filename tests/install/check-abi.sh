#!/usr/bin/env bash
# The library's ABI against the committed baseline, abi/libkinde.abi
# (docs/ABI.md). Compatible, and passing: new functions, enumerators appended
# to an enum, members appended to the structs that grow (kinde_config,
# kinde_auth_params, kinde_user: they travel with the caller's size). Any
# other change to what the baseline has fails: a function removed or changed,
# a member removed, moved, retyped or inserted before the end, another struct
# changed, the soname changed.
#
# usage: check-abi.sh LIBRARY BASELINE HEADERS_DIR           check
#        check-abi.sh --update LIBRARY BASELINE HEADERS_DIR  write the baseline
set -euo pipefail
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
lib=$1 baseline=$2 headers=$3
growing="kinde_config kinde_auth_params kinde_user"

# The public interface only: exported functions and the types they reach, as
# the public headers declare them (internal types stay out of the baseline).
dump() {
  abidw --no-corpus-path --short-locs --no-show-locs --drop-private-types \
        --exported-interfaces-only --headers-dir "$headers" "$lib"
}
if [ "$update" = 1 ]; then
  dump >"$baseline.tmp" && mv "$baseline.tmp" "$baseline"
  echo "check-abi: wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump >"$tmp/current.abi"

# Members appended to a growing struct are compatible: drop from the current
# dump every member at or past the baseline's size, and give the struct the
# baseline's size back. What remains must then be what the baseline has.
sizes=""
for s in $growing; do
  bits=$(sed -nE "s/.*<class-decl name='$s' size-in-bits='([0-9]+)'.*/\1/p" "$baseline" | head -1)
  [ -n "$bits" ] || { echo "check-abi: $s is not in $baseline"; exit 1; }
  sizes="$sizes $s=$bits"
done
awk -v sizes="$sizes" '
  BEGIN { n = split(sizes, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); limit[p[1]] = p[2] } }
  /<class-decl / && match($0, /name=\x27[a-z_]+\x27/) {
    name = substr($0, RSTART + 6, RLENGTH - 7)
    if (name in limit) { inside = 1; cap = limit[name]
      sub(/size-in-bits=\x27[0-9]+\x27/, "size-in-bits=\x27" cap "\x27") }
  }
  inside && /<data-member / && match($0, /layout-offset-in-bits=\x27[0-9]+\x27/) {
    if (substr($0, RSTART + 23, RLENGTH - 24) + 0 >= cap) skip = 1
  }
  !skip { print }
  skip && /<\/data-member>/ { skip = 0 }
  inside && /<\/class-decl>/ { inside = 0 }
' "$tmp/current.abi" >"$tmp/trimmed.abi"

rc=0
abidiff --no-added-syms "$baseline" "$tmp/trimmed.abi" >"$tmp/report" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$tmp/report"
  echo
  echo "check-abi: $lib is not compatible with $baseline (abidiff exit $rc)."
  echo "If the break is intended: raise the MINOR version in CMakeLists.txt (0.x: the"
  echo "soname changes with it), run 'make abi-baseline' and commit both (docs/ABI.md)."
  exit 1
fi
# What was added, for the log.
abidiff "$baseline" "$tmp/current.abi" | grep -E 'changes summary|^  \[A\]|data member insertion' || true
echo "check-abi: compatible with $baseline"
