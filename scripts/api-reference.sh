#!/usr/bin/env bash
# The public API reference (docs/API.md), generated from the comments of the
# public headers, which are the contract: nothing is written twice.
#
#   scripts/api-reference.sh include/kinde/kinde.h [more headers] > docs/API.md
#   (make api-reference)
#
# Each header is read as paragraphs (blank-line separated). A banner
#   /* ---- */ /* Title */ /* ---- */
# opens a section; a paragraph that declares something public (a KINDE_API
# function, a kinde_ function-like macro, a kinde_ type, KINDE_ constants)
# becomes an entry: its names as the heading, its leading comments as text,
# its declarations as code. The header's opening comment is the overview.
# tests/docs/api_reference_test.sh fails when docs/API.md is not what this
# prints, or when a function of a header is missing from it.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 HEADER..." >&2; exit 2; }
echo "# API reference"
echo
echo "Generated from the comments of the public headers by"
echo "\`scripts/api-reference.sh\` (\`make api-reference\`): edit the headers, not this file."
for header in "$@"; do
  echo
  echo "## \`${header#include/}\`"
  awk -f - "$header" <<'AWK'
function md(text) {
  gsub(/\*/, "\\*", text); gsub(/</, "\\&lt;", text); gsub(/>/, "\\&gt;", text)
  return text
}
function add(nm) {
  if (!(nm in seen)) { seen[nm] = 1; names[++n] = nm }
}
function flush(   i, line, text, closing, rest, decl, nm, m, first) {
  if (np == 0) return
  first = 1
  if (np >= 3 && para[1] ~ /^\/\* -+ \*\/$/ && para[3] ~ /^\/\* -+ \*\/$/) {
    text = para[2]; sub(/^\/\* */, "", text); sub(/ *\*\/$/, "", text)
    printf "\n### %s\n", text
    first = 4
  }
  comment = ""; code = ""; in_comment = 0; in_code = 0
  for (i = first; i <= np; i++) {
    line = para[i]
    if (!in_code && !in_comment && line ~ /^\/\*/) {
      in_comment = 1
      if (comment != "") comment = comment "\n"
    }
    if (in_comment) {
      text = line
      sub(/^\/\*+ ?/, "", text); sub(/^ \*( |$)/, "", text)
      closing = text ~ /\*\/ *$/
      sub(/ *\*\/ *$/, "", text)
      comment = comment text "\n"
      if (closing || line ~ /\*\//) in_comment = 0
      continue
    }
    in_code = 1
    code = code line "\n"
  }
  # The public names the paragraph declares, in order.
  n = 0; split("", seen); split("", names)
  rest = code
  while (match(rest, /KINDE_API[^;]*;/)) {
    decl = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
    if (match(decl, /kinde_[a-z0-9_]+[ \t\n]*\(/)) {
      nm = substr(decl, RSTART, RLENGTH); sub(/[ \t\n]*\($/, "", nm); add(nm)
    }
  }
  rest = code
  while (match(rest, /#define (kinde_[a-z0-9_]+\(|KINDE_[A-Z0-9_]+)/)) {
    nm = substr(rest, RSTART + 8, RLENGTH - 8); rest = substr(rest, RSTART + RLENGTH)
    sub(/\($/, "", nm)
    if (nm !~ /^KINDE_(API|WARN_UNUSED)$/) add(nm)
  }
  rest = code
  while (match(rest, /(typedef [^\n;]*|\}) kinde_[a-z0-9_]+;/)) {
    m = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
    match(m, /kinde_[a-z0-9_]+;$/); add(substr(m, RSTART, RLENGTH - 1))
  }
  if (n == 0) {
    if (!overview && comment != "") {
      # The header's opening comment, laid out as written.
      printf "\n```text\n%s```\n", comment; overview = 1
    } else if (first == 4 && comment != "") {
      printf "\n%s", md(comment)
    }
    np = 0; return
  }
  printf "\n#### "
  for (i = 1; i <= n; i++) printf "%s`%s`", (i > 1 ? ", " : ""), names[i]
  printf "\n\n"
  if (comment != "") printf "%s\n", md(comment)
  printf "```c\n%s```\n", code
  np = 0
}
/^[ \t]*$/ { flush(); next }
/^#(ifndef|endif|include|ifdef|if |else)/ { next }
/^#define [A-Z_]+_H$/ { next }
/^(extern "C" \{|\})$/ && np == 0 { next }
{ para[++np] = $0 }
END { flush() }
AWK
done
