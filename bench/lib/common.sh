# Shared by the bench/*.sh scripts (sourced, never run on its own).
# Every process a script starts is stopped on exit; ports are free loopback
# ports; all files live in one temporary directory.
set -uo pipefail
BUILD=${BUILD:-build-bench}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
EMU_BIN=$BUILD/tools/emulator/kinde-emulator
APP_BIN=$BUILD/examples/webapp/kinde-webapp
RUNS=${BENCH_RUNS:-3}            # repetitions; medians are reported
WRK_SECONDS=${BENCH_WRK_SECONDS:-4}

W=$(mktemp -d /tmp/kinde-bench-XXXXXX)
PIDS=()
bench_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$W"
}
trap bench_cleanup EXIT

. "$ROOT/tests/common/ports.sh" # free_port, wait_file

# median / min / max of numbers on stdin, one per line
stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "n/a"; exit} printf "%s (min %s, max %s)", v[int((NR+1)/2)], v[1], v[NR]}'; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }

load() { cut -d' ' -f1 /proc/loadavg; }

# start_emulator [extra options...]: sets EMU_URL, EMU_PID. The web app's
# callback (APP_URL) is registered when APP_URL is set.
start_emulator() {
  local extra=()
  [ -n "${APP_URL:-}" ] && extra+=(--add-callback "$APP_URL/callback" --add-logout-url "$APP_URL/")
  "$EMU_BIN" --port 0 --ready-file "$W/emu.ready" --data-dir "$W/emu" --quiet \
    "${extra[@]}" "$@" >"$W/emu.log" 2>&1 &
  EMU_PID=$!
  PIDS+=("$EMU_PID")
  wait_file "$W/emu.ready" "$EMU_PID" || { echo "emulator did not start"; cat "$W/emu.log"; exit 1; }
  EMU_URL="http://127.0.0.1:$(head -1 "$W/emu.ready")"
}

# start_app name port [options...]: sets APP_PID (APP_URL must be http://127.0.0.1:port)
start_app() {
  local name=$1 port=$2; shift 2
  rm -f "$W/$name.ready"
  (cd "$W" && KINDE_HOST=$EMU_URL KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret \
     KINDE_REDIRECT_URL="$APP_URL/callback" KINDE_POST_LOGOUT_REDIRECT_URL="$APP_URL/" \
     KINDE_GRANT_TYPE=authorization_code \
     exec "$(cd "$ROOT" && realpath "$APP_BIN")" --port "$port" --ready-file "$W/$name.ready" \
     --public-url "$APP_URL" --env-file /nonexistent --quiet "$@") >"$W/$name.log" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
  wait_file "$W/$name.ready" "$APP_PID" || { echo "app $name did not start"; cat "$W/$name.log"; exit 1; }
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# start_redis: sets REDIS_PORT, REDIS_PID (no persistence)
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --logfile "$W/redis.log" --dir "$W" >/dev/null 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 200); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && return 0
    sleep 0.025
  done
  echo "redis did not start"; exit 1
}

# login BASE: signs in through the emulator with curl (as tests/e2e/http_test.sh
# does); sets SID, the signed-in session id.
JAR=$W/emu.jar
login() {
  local base=$1 h=$W/login.h b=$W/login.b pre auth cb rid
  curl -s -o "$b" -D "$h" --max-time 20 "$base/login" || return 1
  pre=$(grep -i '^set-cookie:' "$h" | sed -nE 's/^[^:]*: *(__Host-)?kinde_session=([^;]*).*/\2/p' | head -1)
  auth=$(grep -i '^location:' "$h" | head -1 | cut -d' ' -f2- | tr -d '\r')
  curl -s -o "$b" -D "$h" --max-time 20 -b "$JAR" -c "$JAR" "$auth" || return 1
  if grep -q '^HTTP/1.1 200' "$h"; then
    rid=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$b" | head -1)
    curl -s -o "$b" -D "$h" --max-time 20 -b "$JAR" -c "$JAR" --data-urlencode "request=$rid" \
      --data-urlencode "email=dave@smith.com" "$EMU_URL/login/submit" || return 1
  fi
  cb=$(grep -i '^location:' "$h" | head -1 | cut -d' ' -f2- | tr -d '\r')
  curl -s -o "$b" -D "$h" --max-time 20 -H "Cookie: kinde_session=$pre" "$base${cb#"$APP_URL"}" || return 1
  SID=$(grep -i '^set-cookie:' "$h" | sed -nE 's/^[^:]*: *(__Host-)?kinde_session=([^;]*).*/\2/p' | head -1)
  [ -n "$SID" ]
}

# wrk_run url conns [wrk args...]: prints "req/s p50_ms p99_ms non2xx errors"
wrk_run() {
  local url=$1 conns=$2; shift 2
  wrk -t2 -c"$conns" -d"${WRK_SECONDS}s" --latency --timeout 10s "$@" "$url" >"$W/wrk.out" 2>&1
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, non2xx, err }' "$W/wrk.out"
}

# start_nginx PORT FILE: nginx (nginx-light) serving FILE as / on PORT, as the
# static-page reference for the web app's figures; sets NGINX_PID.
start_nginx() {
  local port=$1 file=$2
  mkdir -p "$W/nginx/www" "$W/nginx/tmp"
  cp "$file" "$W/nginx/www/index.html"
  # nginx's workers run as an unprivileged user: they must reach the file.
  chmod o+x "$W" "$W/nginx"; chmod o+rx "$W/nginx/www"; chmod o+r "$W/nginx/www/index.html"
  cat >"$W/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $W/nginx/tmp; proxy_temp_path $W/nginx/tmp;
  fastcgi_temp_path $W/nginx/tmp; uwsgi_temp_path $W/nginx/tmp; scgi_temp_path $W/nginx/tmp;
  server { listen 127.0.0.1:$port; root $W/nginx/www; }
}
CONF
  run_nginx "$W/nginx" "$port"
}

# run_nginx DIR PORT: nginx with DIR/nginx.conf (prefix DIR, errors in
# DIR/error.log), waits until PORT answers; sets NGINX_PID.
run_nginx() {
  local dir=$1 port=$2
  nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/out.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_port "$port" "$NGINX_PID" && return 0
  echo "nginx did not start"; cat "$dir/out.log" "$dir/error.log" 2>/dev/null; return 1
}

# wait_port PORT PID: until something listens on PORT (5 s), or PID exits
wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.025
  done
  return 1
}
