#!/bin/sh
# The committed Management API table (include/kinde/management_ops.h,
# src/mgmt_ops.c) is what tools/gen-mgmt makes of Kinde's spec today.
# The spec is not in the repository (its prose is Kinde's): the test looks
# for it in $KINDE_MGMT_SPEC, then next to the source tree, and skips
# (exit 77) when there is none.
#   usage: mgmt_table_current.sh GEN_MGMT SOURCE_DIR
set -eu
gen=$1 src=$2
spec=${KINDE_MGMT_SPEC:-}
for c in "$src/kinde-mgmt-api-specs.yaml" "$src/../kinde-mgmt-api-specs.yaml"; do
  [ -n "$spec" ] || { [ -f "$c" ] && spec=$c; } || true
done
if [ -z "$spec" ] || [ ! -f "$spec" ]; then
  echo "SKIP: no kinde-mgmt-api-specs.yaml (set KINDE_MGMT_SPEC to Kinde's spec to run this check)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$gen" "$spec" "$out/management_ops.h" "$out/mgmt_ops.c" "$src/include/kinde/management_ops.h"
status=0
diff -u "$src/include/kinde/management_ops.h" "$out/management_ops.h" || status=1
diff -u "$src/src/mgmt_ops.c" "$out/mgmt_ops.c" || status=1
if [ $status -ne 0 ]; then
  echo "FAIL: the committed table differs from $spec: run make mgmt-table SPEC=$spec"
  exit 1
fi
echo "ok: the committed table is gen-mgmt's output for $spec"
