#!/usr/bin/env bash
# Item 10: kinde-gateway (issue 13) under wrk, against nginx alone and
# against Apache + mod_auth_openidc, the same small page in every row:
#   a) nginx serving the page, no sign-in (the limit);
#   x) the snippet in front of a stub answering 200 at once (nginx itself):
#      the floor of auth_request, nothing checked;
#   b) nginx + kinde-gateway (auth_request, the README's snippet as written,
#      ports substituted), a signed-in user, SQLite sessions;
#   c) the same with Redis sessions;
#   u) b with nginx reaching the gateway over a Unix socket (kinde-gateway
#      --bind unix:PATH, the snippet's commented "server unix:" line);
#   v) c over a Unix socket;
#   o) with BENCH_GATEWAY_BASELINE=BIN, b with that kinde-gateway binary (an
#      older build: before and after behind the same nginx, in turn);
#   d) Apache 2.4 (event MPM) + mod_auth_openidc against the emulator, a
#      signed-in user, sessions in shared memory (the module's default cache);
#   e) the same with the sessions in Redis.
# Every signed-in row signs in through the real flow first (curl follows the
# redirects through the emulator's sign-in form) and checks that the cookie
# gets the page and that no cookie does not; after the load, that the session
# still gets the page. wrk -t2 at 32 and 256 connections; the rows take
# turns in every run (a drifting machine load touches them alike); medians
# of BENCH_RUNS runs of BENCH_WRK_SECONDS each. Answers that are not the
# page (a 302 to the sign-in included: wrk itself counts only >= 400) are
# counted by bench/lib/page_check.lua; any makes the item fail.
#   usage: BUILD=build-bench bash bench/10_gateway.sh
#   BENCH_GATEWAY_CONNS="32 256" (connection counts to run),
#   BENCH_GATEWAY_SNIPPET (another nginx snippet to measure, with the same
#   addresses as gateway/nginx/kinde-gateway.conf),
#   BENCH_GATEWAY_ROWS="a x b c u v d e o" (the rows to run; a is needed for
#   the ratios), BENCH_GATEWAY_BASELINE (row o's binary).
# The gateway rows also say the gateway's CPU time per answer ("gw us/ans":
# its user + system ticks over the run / the requests wrk sent), steadier
# than req/s on a busy machine; every row nginx's workers' ("nginx us/req").
source "$(dirname "$0")/lib/common.sh"
GW_BIN=$BUILD/gateway/kinde-gateway
SNIPPET=${BENCH_GATEWAY_SNIPPET:-gateway/nginx/kinde-gateway.conf}
PAGE=bench/gateway/index.html
CHECK_LUA=bench/lib/page_check.lua
export BENCH_PAGE_MARKER=bench-page-marker  # in bench/gateway/index.html
CONNS_LIST=${BENCH_GATEWAY_CONNS:-32 256}
APACHE_MOD=/usr/lib/apache2/modules/mod_auth_openidc.so

command -v wrk >/dev/null || { echo "10. skipped: wrk is missing (scripts/install-deps.sh)"; exit 0; }
command -v nginx >/dev/null || { echo "10. skipped: nginx is missing (scripts/install-deps.sh)"; exit 0; }
[ -x "$GW_BIN" ] || { echo "10. $GW_BIN is missing (cmake --build $BUILD --target kinde-gateway)"; exit 1; }
[ -f "$SNIPPET" ] || { echo "10. $SNIPPET is missing"; exit 1; }
APACHE=1
if ! command -v apache2 >/dev/null || [ ! -f "$APACHE_MOD" ]; then
  APACHE=0
fi

fail() { echo "   FAILED: $*"; exit 1; }
# cpu_ticks PID: the process's user + system clock ticks (0 without a PID).
HZ=$(getconf CLK_TCK)
cpu_ticks() {
  [ -n "$1" ] || { echo 0; return; }
  # Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
  sed -E 's/.*\) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
# nginx_ticks: the same for nginx's workers together.
nginx_ticks() {
  local t=0 p
  for p in $(pgrep -P "$NGINX_PID"); do t=$((t + $(cpu_ticks "$p"))); done
  echo "$t"
}

# The page, readable by nginx's and Apache's unprivileged workers.
mkdir -p "$W/www"
cp "$PAGE" "$W/www/index.html"
chmod o+x "$W"; chmod o+rx "$W/www"; chmod o+r "$W/www/index.html"

P_PLAIN=$(free_port); P_STUB=$(free_port); P_STUBSITE=$(free_port)
P_APS=$(free_port); P_APR=$(free_port)
ROWS_WANTED=" ${BENCH_GATEWAY_ROWS:-a x b c u v d e o} "
wanted() { [[ $ROWS_WANTED == *" $1 "* ]]; }
BASELINE=${BENCH_GATEWAY_BASELINE:-}
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "10. BENCH_GATEWAY_BASELINE=$BASELINE is not a program"; exit 1; }
# The gateway rows: the binary, its sessions, how nginx reaches it.
GW_ROWS=()
declare -A GW_BINARY GW_STORE GW_UNIX SITE_PORT GW_PID GW_ADDR
for r in b c u v o; do
  wanted "$r" || continue
  [ "$r" = o ] && [ -z "$BASELINE" ] && continue
  GW_ROWS+=("$r")
  GW_BINARY[$r]=$GW_BIN; GW_STORE[$r]=sqlite; GW_UNIX[$r]=0
  case $r in c|v) GW_STORE[$r]=redis ;; esac
  case $r in u|v) GW_UNIX[$r]=1 ;; esac
  [ "$r" = o ] && GW_BINARY[$r]=$BASELINE
  SITE_PORT[$r]=$(free_port)
done
emu_opts=()
for r in "${GW_ROWS[@]}"; do
  p=${SITE_PORT[$r]}
  emu_opts+=(--add-callback "http://127.0.0.1:$p/_kinde/callback" --add-logout-url "http://127.0.0.1:$p/")
done
for p in "$P_APS" "$P_APR"; do emu_opts+=(--add-callback "http://127.0.0.1:$p/redirect_uri"); done
start_emulator "${emu_opts[@]}"
start_redis

# start_gateway ROW: kinde-gateway for the site nginx serves on
# SITE_PORT[ROW], on a free port of its own or a Unix socket; sets
# GW_ADDR[ROW] (what the snippet's upstream names) and GW_PID[ROW].
start_gateway() {
  local r=$1 name=gw-$1 where=(--port 0) sock=$W/gw-$1.sock store=()
  mkdir -p "$W/$name"
  [ "${GW_UNIX[$r]}" = 1 ] && where=(--bind "unix:$sock")
  [ "${GW_STORE[$r]}" = redis ] && store=(--sessions "redis://127.0.0.1:$REDIS_PORT")
  (cd "$W/$name" && KINDE_HOST=$EMU_URL KINDE_CLIENT_ID=kinde_demo_client KINDE_CLIENT_SECRET=kinde_demo_secret \
     KINDE_GRANT_TYPE=authorization_code \
     exec "$(cd "$ROOT" && realpath "${GW_BINARY[$r]}")" --public-url "http://127.0.0.1:${SITE_PORT[$r]}" \
     "${where[@]}" --ready-file "$W/$name.ready" --data-dir "$W/$name" --env-file /nonexistent \
     --access-log off --quiet "${store[@]}") >"$W/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_file "$W/$name.ready" "$pid" || { echo "   kinde-gateway $name did not start"; cat "$W/$name.log"; exit 1; }
  GW_PID[$r]=$pid
  if [ "${GW_UNIX[$r]}" = 1 ]; then
    # The socket is 0660 (the gateway's user and group); nginx's workers
    # here run as nobody, so this test opens it to all (a deployment gives
    # nginx the gateway's group instead: gateway/README.md).
    chmod 0666 "$sock"
    GW_ADDR[$r]=unix:$sock
  else
    GW_ADDR[$r]=127.0.0.1:$(head -1 "$W/$name.ready")
  fi
}
for r in "${GW_ROWS[@]}"; do start_gateway "$r"; done

# site_conf NAME SITE_PORT UPSTREAM: the README's snippet as written, with
# this run's addresses (nginx listens on SITE_PORT, the gateway's upstream
# server is UPSTREAM: 127.0.0.1:PORT or unix:PATH), its upstream named for
# this copy, and the protected location serving the page from disk where
# the snippet proxies to the app.
site_conf() {
  sed -E -e "s#127\.0\.0\.1:8080#127.0.0.1:$2#g" -e "s#^( *)server 127\.0\.0\.1:8090;#\1server $3;#" \
    -e "s#\bkinde_gateway\b#kinde_gateway_$1#g" \
    -e "s#^( *)proxy_pass http://127\.0\.0\.1:3000;#\1root $W/www;#" "$SNIPPET" >"$W/nginx/site-$1.conf"
  grep -q "listen 127.0.0.1:$2;" "$W/nginx/site-$1.conf" && grep -q "root $W/www;" "$W/nginx/site-$1.conf" &&
    grep -q "server $3;" "$W/nginx/site-$1.conf" ||
    fail "$SNIPPET no longer has the addresses this script replaces (127.0.0.1:8080, server 127.0.0.1:8090, proxy_pass to :3000)"
}
mkdir -p "$W/nginx/tmp"
site_conf stub "$P_STUBSITE" "127.0.0.1:$P_STUB"
for r in "${GW_ROWS[@]}"; do site_conf "gw-$r" "${SITE_PORT[$r]}" "${GW_ADDR[$r]}"; done
sed -e "s#@DIR@#$W/nginx#g" -e "s#@WWW@#$W/www#g" -e "s#@PORT_PLAIN@#$P_PLAIN#g" -e "s#@PORT_STUB@#$P_STUB#g" \
    bench/gateway/nginx.conf.in >"$W/nginx/nginx.conf"
run_nginx "$W/nginx" "$P_PLAIN" || exit 1
for p in "$P_STUB" "$P_STUBSITE"; do
  wait_port "$p" "$NGINX_PID" || fail "nginx did not listen on port $p"
done
for r in "${GW_ROWS[@]}"; do
  wait_port "${SITE_PORT[$r]}" "$NGINX_PID" || fail "nginx did not listen on port ${SITE_PORT[$r]}"
done

# start_apache NAME PORT [-DBENCH_REDIS]: Apache + mod_auth_openidc with
# bench/gateway/apache.conf from a ServerRoot of its own.
start_apache() {
  local name=$1 port=$2; shift 2
  local dir=$W/$name as_root=()
  mkdir -p "$dir"; chmod 777 "$dir"  # the children (nobody, when started as root) write lock files
  [ "$(id -u)" = 0 ] && as_root=(-DBENCH_AS_ROOT)
  BENCH_APACHE_DIR=$dir BENCH_APACHE_PORT=$port BENCH_WWW=$W/www BENCH_EMU_URL=$EMU_URL \
    BENCH_PASSPHRASE=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') BENCH_REDIS_PORT=$REDIS_PORT \
    apache2 -f "$ROOT/bench/gateway/apache.conf" -DFOREGROUND "${as_root[@]}" "$@" >"$dir/out.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_port "$port" "$pid" || { echo "   Apache $name did not start"; cat "$dir/out.log" "$dir/error.log" 2>/dev/null; exit 1; }
}
wanted d || wanted e || APACHE=0
if [ "$APACHE" = 1 ]; then
  start_apache apache-shm "$P_APS"
  start_apache apache-redis "$P_APR" -DBENCH_REDIS
fi

# signin START_URL JAR: signs in as dave@smith.com the way a browser does,
# from the protected page through the emulator's sign-in form and back; the
# cookies end up in JAR. Fails unless the last answer is the page.
signin() {
  local start=$1 jar=$2 b=$W/signin.body out rid
  out=$(curl -s -L --max-redirs 10 --max-time 20 -b "$jar" -c "$jar" -o "$b" -w '%{http_code} %{url_effective}' "$start") ||
    { echo "$start: curl failed"; return 1; }
  case $out in
    "200 $EMU_URL/"*) ;;
    *) echo "$start did not lead to the emulator's sign-in form: $out"; return 1 ;;
  esac
  rid=$(sed -nE 's/.*name="request" value="([^"]*)".*/\1/p' "$b" | head -1)
  [ -n "$rid" ] || { echo "no sign-in request id in the emulator's form"; return 1; }
  out=$(curl -s -L --max-redirs 10 --max-time 20 -b "$jar" -c "$jar" -o "$b" -w '%{http_code} %{url_effective}' \
    --data-urlencode "request=$rid" --data-urlencode "email=dave@smith.com" "$EMU_URL/login/submit") ||
    { echo "sign-in form: curl failed"; return 1; }
  [ "${out%% *}" = 200 ] && grep -q bench-page-marker "$b" ||
    { echo "the sign-in did not end on the page: $out"; head -c 300 "$b"; echo; return 1; }
}
# jar_cookie JAR NAME: the value of cookie NAME in a curl cookie jar
jar_cookie() { awk -v n="$2" '!/^# / && $6 == n {v = $7} END {print v}' "$1"; }
# is_page URL [curl args...]: the answer is 200 and the page
is_page() {
  local url=$1; shift
  [ "$(curl -s --max-time 10 -o "$W/check.body" -w '%{http_code}' "$@" "$url")" = 200 ] &&
    grep -q bench-page-marker "$W/check.body"
}

# The rows: URL, cookie (empty: none), what they are. The page is asked for
# by name: "/" would go through the index lookup, an internal redirect after
# which nginx runs auth_request a second time.
ROWS=()
for r in a x; do wanted "$r" && ROWS+=("$r"); done
ROWS+=("${GW_ROWS[@]}")
declare -A URL CK DESC
URL[a]=http://127.0.0.1:$P_PLAIN/index.html; CK[a]=; DESC[a]="nginx, no sign-in (the limit)"
URL[x]=http://127.0.0.1:$P_STUBSITE/index.html; CK[x]=; DESC[x]="nginx + auth_request to a stub"
DESC[b]="nginx + kinde-gateway, SQLite"; DESC[c]="nginx + kinde-gateway, Redis"
DESC[u]="nginx + kinde-gateway, SQLite, unix"; DESC[v]="nginx + kinde-gateway, Redis, unix"
DESC[o]="nginx + baseline gateway, SQLite"
for r in "${GW_ROWS[@]}"; do URL[$r]=http://127.0.0.1:${SITE_PORT[$r]}/index.html; done
if [ "$APACHE" = 1 ]; then
  for r in d e; do wanted "$r" && ROWS+=("$r"); done
  URL[d]=http://127.0.0.1:$P_APS/index.html; DESC[d]="Apache + mod_auth_openidc, shm"
  URL[e]=http://127.0.0.1:$P_APR/index.html; DESC[e]="Apache + mod_auth_openidc, Redis"
fi

wanted a || fail "row a is the reference of every ratio: keep it in BENCH_GATEWAY_ROWS"
is_page "${URL[a]}" || fail "nginx does not serve the page on ${URL[a]}"
! wanted x || is_page "${URL[x]}" || fail "nginx does not serve the page through the stub on ${URL[x]}"
for r in "${ROWS[@]}"; do
  case $r in a|x) continue ;; esac
  jar=$W/jar-$r
  is_page "${URL[$r]}" && fail "row $r (${DESC[$r]}) serves the page to someone not signed in"
  signin "${URL[$r]}" "$jar" || fail "sign-in for row $r (${DESC[$r]})"
  case $r in d|e) cname=mod_auth_openidc_session ;; *) cname=kinde_gateway_session ;; esac
  v=$(jar_cookie "$jar" "$cname")
  [ -n "$v" ] || fail "row $r: no $cname cookie after the sign-in"
  CK[$r]="Cookie: $cname=$v"
  is_page "${URL[$r]}" -H "${CK[$r]}" || fail "row $r: the session cookie alone does not get the page"
done

echo "10. kinde-gateway under wrk (-t2, ${WRK_SECONDS}s x $RUNS runs, rows in turn, medians; load before: $(load))"
[ "$APACHE" = 1 ] || ! { wanted d || wanted e; } ||
  echo "   (apache2 or $APACHE_MOD missing: rows d and e skipped; scripts/install-deps.sh)"
printf '   %-1s %-36s %5s %9s %8s %8s %6s %6s %8s %6s %6s %9s %12s\n' "" server conns "req/s" "p50 ms" "p99 ms" non2xx errors "not page" "vs a" "vs d" "gw us/ans" "nginx us/req"
declare -A RPS P99_32 RPS_32 ERR_32 SENT
bad=0
for conns in $CONNS_LIST; do
  for r in "${ROWS[@]}"; do : >"$W/runs-$r"; done
  for _ in $(seq 1 "$RUNS"); do
    for r in "${ROWS[@]}"; do
      hdr=(); [ -n "${CK[$r]:-}" ] && hdr=(-H "${CK[$r]}")
      t0=$(cpu_ticks "${GW_PID[$r]:-}"); n0=$(nginx_ticks)
      line=$(wrk_run "${URL[$r]}" "$conns" -s "$CHECK_LUA" "${hdr[@]}")
      t1=$(cpu_ticks "${GW_PID[$r]:-}"); n1=$(nginx_ticks)
      wrong=$(sed -nE 's/^not the page: ([0-9]+)/\1/p' "$W/wrk.out")
      sent=$(awk '/ requests in / {print $1}' "$W/wrk.out")
      us=-; [ -n "${GW_PID[$r]:-}" ] && [ "${sent:-0}" -gt 0 ] &&
        us=$(awk -v t="$((t1 - t0))" -v hz="$HZ" -v n="$sent" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
      nus=-; [ "${sent:-0}" -gt 0 ] &&
        nus=$(awk -v t="$((n1 - n0))" -v hz="$HZ" -v n="$sent" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
      echo "$line ${wrong:-missing} ${sent:-0} $us $nus" >>"$W/runs-$r"
      SENT[$r]=$(( ${SENT[$r]:-0} + ${sent:-0} ))
    done
  done
  for r in "${ROWS[@]}"; do
    f=$W/runs-$r
    RPS[$r]=$(cut -d' ' -f1 "$f" | median)
  done
  for r in "${ROWS[@]}"; do
    f=$W/runs-$r
    p50=$(cut -d' ' -f2 "$f" | median); p99=$(cut -d' ' -f3 "$f" | median)
    non2xx=$(awk '{s += $4} END {print s}' "$f"); errs=$(awk '{s += $5} END {print s}' "$f")
    wrong=$(awk '$6 == "missing" {m = 1} {s += $6} END {print m ? "?" : s}' "$f")
    us=-; [ -n "${GW_PID[$r]:-}" ] && us=$(cut -d' ' -f8 "$f" | median)
    nus=$(cut -d' ' -f9 "$f" | median)
    rmin=$(cut -d' ' -f1 "$f" | sort -g | head -1); rmax=$(cut -d' ' -f1 "$f" | sort -g | tail -1)
    va=$(awk -v x="${RPS[$r]}" -v y="${RPS[a]}" 'BEGIN {printf "%.2fx", x / y}')
    vd=-; [ -n "${RPS[d]:-}" ] && vd=$(awk -v x="${RPS[$r]}" -v y="${RPS[d]}" 'BEGIN {printf "%.2fx", x / y}')
    printf '   %-1s %-36s %5s %9s %8s %8s %6s %6s %8s %6s %6s %9s %12s   (req/s min %s, max %s)\n' "$r" "${DESC[$r]}" "$conns" \
      "${RPS[$r]}" "$p50" "$p99" "$non2xx" "$errs" "$wrong" "$va" "$vd" "$us" "$nus" "$rmin" "$rmax"
    [ "$wrong" = 0 ] || bad=1
    [ "$conns" = 32 ] && { P99_32[$r]=$p99; RPS_32[$r]=${RPS[$r]}; ERR_32[$r]=$errs; }
  done
done

# After the load every session still gets the page (no error path was taken).
for r in "${ROWS[@]}"; do
  case $r in a|x) continue ;; esac
  is_page "${URL[$r]}" -H "${CK[$r]}" || { echo "   FAILED: row $r (${DESC[$r]}): the session no longer gets the page after the load"; bad=1; }
done
# What the gateways counted on their own port (nginx does not forward
# /metrics): one "allowed" per request wrk sent, plus the checks'.
for r in "${GW_ROWS[@]}"; do
  m=(http://127.0.0.1:${GW_ADDR[$r]#127.0.0.1:}/metrics)
  [ "${GW_UNIX[$r]}" = 1 ] && m=(--unix-socket "${GW_ADDR[$r]#unix:}" http://gw/metrics)
  allowed=$(curl -s --max-time 5 "${m[@]}" | sed -nE 's/^kinde_gateway_requests_total\{result="allowed"\} ([0-9]+).*/\1/p')
  echo "   row $r: wrk sent ${SENT[$r]} requests; the gateway counted ${allowed:-?} allowed"
done
echo "   goal: nginx + kinde-gateway >= 0.5x (a) and ahead of (d), p99 < 5 ms at 32 connections, 0 errors (load after: $(load))"
if [ -n "${RPS_32[a]:-}" ]; then
  for r in "${GW_ROWS[@]}"; do
    awk -v r="$r" -v x="${RPS_32[$r]}" -v a="${RPS_32[a]}" -v s="${RPS_32[x]:-0}" -v d="${RPS_32[d]:-}" -v p99="${P99_32[$r]}" -v e="${ERR_32[$r]}" 'BEGIN {
      v = sprintf("   %s at 32: %.2fx (a) %s", r, x / a, x / a >= 0.5 ? "met" : "MISSED")
      if (s > 0) v = v sprintf(" [%.2fx the auth_request floor (x)]", x / s)
      if (d != "") v = v sprintf(", %.2fx (d) %s", x / d, x > d ? "met" : "MISSED")
      v = v sprintf(", p99 %s ms %s, errors %d %s", p99, p99 < 5 ? "met" : "MISSED", e, e == 0 ? "met" : "MISSED")
      print v }'
  done
fi
[ "$bad" = 0 ] || fail "some answers were not the page (see 'not page'): those figures measured something else"
