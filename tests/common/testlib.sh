# Sourced by the shell tests that start programs (the demo app's and the
# gateway's): a scratch directory W, removed at exit with every process in
# PIDS; check(), which counts results in passed and failed; ports.sh's
# free_port() and wait_file().
#   . tests/common/testlib.sh NAME     (W is /tmp/NAME-XXXXXX)
# A test that wants to show why a check failed defines check_failed().
W=$(mktemp -d "/tmp/${1:?testlib.sh: a name}-XXXXXX")
PIDS=()
testlib_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap testlib_cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

passed=0
failed=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok - $what"
  else
    failed=$((failed + 1)); echo "not ok - $what"
    if declare -F check_failed >/dev/null; then check_failed; fi
  fi
}

