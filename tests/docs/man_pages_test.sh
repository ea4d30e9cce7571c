#!/usr/bin/env bash
# The man pages render without a single groff warning (-ww: all of them),
# and man(1) shows each with its sections.
#   usage: man_pages_test.sh PAGE...
set -uo pipefail
export LC_ALL=C.UTF-8 MANWIDTH=80
bad=0
for page in "$@"; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$warnings" ]; then
    echo "$page: groff warnings:"; echo "$warnings"; bad=1; continue
  fi
  text=$(man -l "$page" 2>&1) || { echo "$page: man -l failed"; echo "$text"; bad=1; continue; }
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "SEE ALSO"; do
    grep -q "^$section\$" <<<"$text" || { echo "$page: no $section section"; bad=1; }
  done
  echo "$page: renders cleanly"
done
exit $bad
