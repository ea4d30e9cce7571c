# Sourced by the shell tests (through testlib.sh) and the benchmarks
# (bench/lib/common.sh): loopback ports and waiting for a program to start.

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# For servers that cannot report a port they picked: one that was free a
# moment ago, below Linux's ephemeral range (32768-60999), never the same
# one twice in a run.
PORTS_GIVEN=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [[ "$PORTS_GIVEN" == *" $p "* ]] && continue
    port_free "$p" && { PORTS_GIVEN="$PORTS_GIVEN$p "; echo "$p"; return; }
  done
  echo "no free port" >&2; exit 1
}

wait_file() { # file, pid: 0 once the file is there, 1 when the process died first
  # Up to 30 s: an ASan build starting beside other test runs on 2 shared
  # cores took more than 10 s once (a dead process still fails at once).
  for _ in $(seq 1 1200); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.025
  done
  return 1
}
