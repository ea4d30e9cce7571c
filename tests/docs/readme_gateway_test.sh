#!/usr/bin/env bash
# The README's "Protect any app with kinde-gateway" is what is tested: its
# nginx block is gateway/nginx/kinde-gateway.conf byte for byte (the file
# tests/gateway/gateway_nginx_test.sh and the browser test run), and its
# rules block passes `kinde-gateway --check`.
#   usage: readme_gateway_test.sh README.md CONF [KINDE_GATEWAY]
set -euo pipefail
readme=$1 conf=$2 gateway=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
section="## Protect any app with kinde-gateway"
# The first block opened by exactly FENCE after the section's heading.
block() {
  awk -v h="$section" -v f="$1" 'index($0, h) == 1 {q = 1; next}
    q && /^## / {exit} q && !c && $0 == f {c = 1; next} c && /^```$/ {exit} c {print}' "$readme"
}
block '```nginx' >"$work/snippet"
[ -s "$work/snippet" ] || { echo "no \`\`\`nginx block under '$section' in $readme"; exit 1; }
if ! cmp -s "$work/snippet" "$conf"; then
  echo "README's nginx snippet differs from $conf (copy the file into the README):"
  diff "$conf" "$work/snippet" || true
  exit 1
fi
echo "README nginx snippet: $(wc -l <"$conf") lines, identical to $conf"
block '```' >"$work/rules.conf"
[ -s "$work/rules.conf" ] || { echo "no rules block under '$section' in $readme"; exit 1; }
if [ -n "$gateway" ]; then
  out=$(KINDE_HOST=http://127.0.0.1:9 KINDE_CLIENT_ID=c KINDE_CLIENT_SECRET=s \
        "$gateway" --public-url http://127.0.0.1:8080 --rules "$work/rules.conf" \
        --env-file /nonexistent --check 2>&1) ||
    { echo "README rules example refused by kinde-gateway --check: $out"; exit 1; }
  echo "README rules example: $out"
fi
