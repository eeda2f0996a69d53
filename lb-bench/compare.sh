#!/usr/bin/env bash
# End-to-end comparison of halb with HAProxy (mode tcp), nginx (stream) and no proxy at all,
# on loopback, in one run, bounded in time (about 10 minutes by default: 3 rounds of 5 s tests,
# figures are medians over the rounds; about 3 minutes with --quick: 1 round of 3 s, 2 000 idle
# connections).
#
#   lb-bench/compare.sh [--quick] [--rounds N] [--duration SECONDS] [--idle-conns N]
#                       [--only direct,haproxy,nginx,halb,halb-log]
#                       [--tests tp,cps,cps2,rps,rps2,pp,idle]
#   (or the same as environment variables: ROUNDS, DURATION, IDLE_CONNS, ONLY, TESTS)
#
# Two modes, both in the default run:
#   - light: wrk with one thread (cps, rps), which leaves the machine's second core mostly idle,
#     so each proxy gets the CPU it wants;
#   - saturated: wrk -t2 -c50 (cps2, rps2), the client and the proxy competing for 2 cores, where
#     the CPU a proxy spends per connection or per request decides its rate.
# The tests:
#   tp    iperf3 throughput with 1 and 4 parallel streams (Gbit/s), and proxy CPU per GB;
#   cps   new connections/s, `Connection: close`, wrk -t1 -c64, and proxy CPU per connection;
#   cps2  the same saturated: wrk -t2 -c50 -H 'Connection: close';
#   rps   keep-alive requests/s with p50/p99 (wrk -t1 -c64), and proxy CPU per request;
#   rps2  the same saturated: wrk -t2 -c50;
#   pp    a 1-connection keep-alive ping-pong: p50/p99 latency, and what the proxy adds to direct;
#   idle  RSS with 10 000 idle proxied connections open (lower with a lower open-file limit);
# and each proxy's RSS idle (5 s after start) and at its peak under load. The report has one column per target and
# halb's ratio to the better of HAProxy and nginx on each figure ("better": higher rates, lower
# CPU, latency and memory).
#
# halb-log is halb with its access log on (accessLog.format: json, to a file); it runs the cps
# tests only, and its connections/s against halb's is the cost of the access log, printed on a
# line of its own. The access log's cost alone, in about 3 minutes:
#   lb-bench/compare.sh --only halb,halb-log --tests cps,cps2 --rounds 5
#
# It installs what it needs from Debian's packages (haproxy, nginx with the stream module, iperf3,
# wrk) when they are missing (root or sudo), and builds lb-core/target/halb.jar if needed.
# halb runs through bin/halb, with its JVM options (override with HALB_JAVA_OPTS), and the transport
# halb selects (override with HALB_TRANSPORT=io_uring|epoll|nio). CPU is user + system time of the
# proxy's processes from /proc, over the test; per connection and per request the report also
# gives the system (kernel) part of it.
set -euo pipefail

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-direct,haproxy,nginx,halb,halb-log}
TESTS=${TESTS:-tp,cps,cps2,rps,rps2,pp,idle}
IDLE_CONNS=${IDLE_CONNS:-10000}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; ROUNDS=1; IDLE_CONNS=2000; shift ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --idle-conns) IDLE_CONNS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --tests) TESTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (expected --quick, --duration N, --rounds N, --idle-conns N, --only LIST, --tests LIST)" >&2; exit 2 ;;
  esac
done
for n in "$DURATION" "$ROUNDS" "$IDLE_CONNS"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "compare.sh: '$n' is not a positive whole number" >&2; exit 2; }
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/halb-compare.XXXXXX)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---------- prerequisites ----------
need_install=()
command -v haproxy >/dev/null || need_install+=(haproxy)
command -v nginx >/dev/null || need_install+=(nginx)
[[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || need_install+=(libnginx-mod-stream)
command -v iperf3 >/dev/null || need_install+=(iperf3)
command -v wrk >/dev/null || need_install+=(wrk)
if [[ ${#need_install[@]} -gt 0 ]]; then
  log "installing ${need_install[*]} from Debian's packages"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_install[@]}" >/dev/null
fi
JAR="$ROOT/lb-core/target/halb.jar"
if [[ ! -f "$JAR" ]]; then
  log "building halb.jar"
  (cd "$ROOT" && mvn -B -q -DskipTests -pl lb-core -am package)
fi

# ---------- open-file limit ----------
# The idle test holds IDLE_CONNS connections: two descriptors each in a proxy, one in the client
# and one in the backend. Raise the soft limit as far as the hard one allows (root may be allowed
# to raise both), and hold fewer connections when even that is not enough.
want_fds=$((2 * IDLE_CONNS + 600))
if (( $(ulimit -n) < want_fds )); then
  ulimit -Hn "$want_fds" 2>/dev/null || true
  ulimit -n "$want_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
FDS=$(ulimit -n)
if (( FDS < want_fds )); then
  IDLE_CONNS=$(((FDS - 600) / 2))
  [[ ",$TESTS," == *",idle,"* ]] && \
    echo "compare.sh: the open-file limit is $FDS (ulimit -Hn); the idle test holds $IDLE_CONNS connections" >&2
fi
# Each proxy's connection limit: room for the idle test, within the descriptors it may open.
MAXCONN=$((IDLE_CONNS + 2000))
(( MAXCONN > (FDS - 200) / 2 )) && MAXCONN=$(((FDS - 200) / 2))

# ---------- ports ----------
IPERF_PORT=25201      # iperf3 server
HTTP_PORT=28080       # HTTP backend (nginx)
declare -A IPERF_VIA HTTP_VIA
IPERF_VIA[direct]=$IPERF_PORT; HTTP_VIA[direct]=$HTTP_PORT
IPERF_VIA[haproxy]=22001;      HTTP_VIA[haproxy]=22002
IPERF_VIA[nginx]=23001;        HTTP_VIA[nginx]=23002
IPERF_VIA[halb]=21001;         HTTP_VIA[halb]=21002
IPERF_VIA[halb-log]=24001;     HTTP_VIA[halb-log]=24002
declare -A ADMIN_OF
ADMIN_OF[halb]=21090;          ADMIN_OF[halb-log]=24090

wait_port() {
  local port=$1
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "compare.sh: nothing listens on 127.0.0.1:$port" >&2
  return 1
}

# Sum of VmRSS (KiB) of a process and its children.
rss_kib() {
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    local v
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# ---------- backends ----------
mkdir -p "$WORK/backend/logs"
cat > "$WORK/backend/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/backend/nginx.pid;
error_log $WORK/backend/logs/error.log warn;
events { worker_connections $((IDLE_CONNS + 1000)); }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$HTTP_PORT backlog=4096 reuseport;
    location / { return 200 "ok\n"; }
  }
}
EOF
nginx -c "$WORK/backend/nginx.conf" -p "$WORK/backend" -g 'daemon off;' &
PIDS+=($!)
iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$HTTP_PORT"
wait_port "$IPERF_PORT"

# ---------- proxies ----------
start_haproxy() {
  cat > "$WORK/haproxy.cfg" <<EOF
global
  maxconn $MAXCONN
  nbthread 2
defaults
  mode tcp
  timeout connect 1s
  timeout client 600s
  timeout server 600s
frontend iperf
  bind 127.0.0.1:${IPERF_VIA[haproxy]}
  default_backend iperf
backend iperf
  server s1 127.0.0.1:$IPERF_PORT
frontend http
  bind 127.0.0.1:${HTTP_VIA[haproxy]}
  default_backend http
backend http
  server s1 127.0.0.1:$HTTP_PORT
EOF
  haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
  echo $!
}

start_nginx() {
  mkdir -p "$WORK/proxy/logs"
  cat > "$WORK/proxy/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 2;
worker_rlimit_nofile $((2 * MAXCONN + 100));
pid $WORK/proxy/nginx.pid;
error_log $WORK/proxy/logs/error.log warn;
events { worker_connections $((2 * MAXCONN)); }
stream {
  server { listen 127.0.0.1:${IPERF_VIA[nginx]}; proxy_pass 127.0.0.1:$IPERF_PORT; }
  server { listen 127.0.0.1:${HTTP_VIA[nginx]} backlog=4096; proxy_pass 127.0.0.1:$HTTP_PORT; }
}
EOF
  nginx -c "$WORK/proxy/nginx.conf" -p "$WORK/proxy" -g 'daemon off;' >"$WORK/nginx-proxy.log" 2>&1 &
  echo $!
}

# start_halb NAME: halb, or halb-log (the same with the access log on, JSON to a file).
start_halb() {
  local name=$1 format=off path=""
  [[ "$name" == halb-log ]] && format=json && path="$WORK/access.json"
  cat > "$WORK/$name.yaml" <<EOF
replica: { id: $name }
admin: { bind: 127.0.0.1:${ADMIN_OF[$name]} }
accessLog: { format: $format, path: "$path" }
vips:
  - name: iperf
    bind: 127.0.0.1:${IPERF_VIA[$name]}
    healthCheck: { type: tcp }
    maxConnections: 100
    backends: [ { address: 127.0.0.1, port: $IPERF_PORT } ]
  - name: http
    bind: 127.0.0.1:${HTTP_VIA[$name]}
    healthCheck: { type: tcp }
    maxConnections: $MAXCONN
    backends: [ { address: 127.0.0.1, port: $HTTP_PORT } ]
drain: { delayMs: 0, timeoutMs: 1000 }
EOF
  # bin/halb holds the JVM settings we recommend (HALB_JAVA_OPTS overrides them); it execs java.
  "$ROOT/bin/halb" run --config "$WORK/$name.yaml" >"$WORK/$name.log" 2>&1 &
  echo $!
}

# ---------- measurements ----------
# Process CPU time in clock ticks, summed over a proxy's processes: "TOTAL SYSTEM", user plus
# system time and the system (kernel) part of it, read in one pass.
cpu_ticks() {
  local pid=$1 total=0 sys=0 p u s
  [[ -n "$pid" ]] || { echo "0 0"; return; }
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    read -r u s < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo "0 0")
    total=$((total + u + s))
    sys=$((sys + s))
  done
  echo "$total $sys"
}
HZ=$(getconf CLK_TCK)

# iperf3 receiver throughput in Gbit/s
iperf_gbps() {
  local port=$1 streams=$2
  iperf3 -c 127.0.0.1 -p "$port" -P "$streams" -t "$DURATION" -f g 2>/dev/null \
    | awk '/receiver/ { v=$(NF-2); u=$(NF-1) } END { if (u=="Mbits/sec") v=v/1000; printf "%.1f", v }'
}

# wrk_run PORT CONNS THREADS SECONDS [wrk args]: prints "rps p50_ms p99_ms"
wrk_run() {
  local port=$1 conns=$2 threads=$3 seconds=$4; shift 4
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "$@" "http://127.0.0.1:$port/" 2>/dev/null | awk '
    function ms(x) { if (x ~ /us$/) { sub(/us$/, "", x); return x / 1000 }
                     if (x ~ /ms$/) { sub(/ms$/, "", x); return x + 0 }
                     if (x ~ /s$/)  { sub(/s$/, "", x);  return x * 1000 } return x }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }'
}

warm_up() {
  local name=$1
  [[ "$name" == halb* ]] || return 0
  log "warming up $name (connection churn and keep-alive, JIT)"
  # C2 takes 15-25 s of churn on 2 cores to compile the connection path to its steady state.
  wrk_run "${HTTP_VIA[$name]}" 50 2 12 -H "Connection: close" >/dev/null
  wrk_run "${HTTP_VIA[$name]}" 50 2 4 >/dev/null
  iperf3 -c 127.0.0.1 -p "${IPERF_VIA[$name]}" -t 2 >/dev/null 2>&1 || true
  wrk_run "${HTTP_VIA[$name]}" 64 1 4 -H "Connection: close" >/dev/null
}

declare -A R PID_OF
sample_rss() {
  local name=$1 pid=$2
  ( peak=0; while kill -0 "$pid" 2>/dev/null; do
      v=$(rss_kib "$pid"); (( v > peak )) && peak=$v && echo "$peak" > "$WORK/$name.peak"
      sleep 0.25; done ) &
  PIDS+=($!)
}

TARGETS=()
IFS=',' read -r -a TARGETS <<< "$ONLY"
for t in "${TARGETS[@]}"; do
  case "$t" in
    direct) PID_OF[direct]="" ;;
    haproxy) PID_OF[haproxy]=$(start_haproxy); log "HAProxy $(haproxy -v | head -1 | awk '{print $3}') pid ${PID_OF[haproxy]}" ;;
    nginx) PID_OF[nginx]=$(start_nginx); log "nginx $(nginx -v 2>&1 | awk -F/ '{print $2}') stream pid ${PID_OF[nginx]}" ;;
    halb|halb-log) PID_OF[$t]=$(start_halb "$t"); log "$t pid ${PID_OF[$t]}" ;;
    *) echo "compare.sh: unknown target '$t' (expected direct, haproxy, nginx, halb, halb-log)" >&2; exit 2 ;;
  esac
  [[ -n "${PID_OF[$t]}" ]] && PIDS+=("${PID_OF[$t]}")
done
for t in "${TARGETS[@]}"; do
  wait_port "${IPERF_VIA[$t]}"
  wait_port "${HTTP_VIA[$t]}"
done
# Idle: started, listening, no traffic yet, and settled: 5 s after the last target's ports opened
# (so at least 5 s for each), by when a JVM has returned the native memory its start-up freed
# (bin/halb trims every second).
sleep 5
for t in "${TARGETS[@]}"; do
  R[$t,rss_idle]=0
  [[ -n "${PID_OF[$t]}" ]] && R[$t,rss_idle]=$(rss_kib "${PID_OF[$t]}")
done
for t in "${TARGETS[@]}"; do
  [[ -n "${PID_OF[$t]}" ]] && sample_rss "$t" "${PID_OF[$t]}"
  warm_up "$t"
done
for first_halb in halb halb-log; do [[ -n "${PID_OF[$first_halb]:-}" ]] && break; done
if [[ -n "${PID_OF[$first_halb]:-}" ]]; then
  cp "/proc/${PID_OF[$first_halb]}/cmdline" "$WORK/halb.cmdline" 2>/dev/null || true
  transport=$(curl -s "http://127.0.0.1:${ADMIN_OF[$first_halb]}/api/v1/status" 2>/dev/null \
    | sed -n 's/.*"transport":"\([^"]*\)".*/\1/p')
fi

# The targets a test runs on, starting one further along for each test, so that no target
# always runs first (fresh) or last (after the others' TIME_WAIT sockets piled up). halb-log
# only runs the connection-rate tests: its figure there is the access log's cost. in_turn runs
# in a command substitution (a subshell), so the test functions move ROUND on themselves, and
# each round sets its start.
ROUND=0
in_turn() {
  local test=$1 n=${#TARGETS[@]} i t
  for ((i = 0; i < n; i++)); do
    t=${TARGETS[$(((i + ROUND) % n))]}
    [[ "$t" == halb-log && "$test" != cps* ]] && continue
    echo "$t"
  done
}

# One round of every test; values go to V[target,figure] as space-separated lists.
declare -A V
add() { V[$1,$2]="${V[$1,$2]:-} $3"; }
testing() { [[ ",$TESTS," == *",$1,"* ]]; }
# per_unit TICKS RATE SCALE: CPU per unit of work, TICKS of CPU over DURATION at RATE units/s,
# in 1/SCALE seconds (1e6: microseconds, 1e3: milliseconds).
per_unit() {
  awk -v t="$1" -v r="$2" -v s="$3" -v hz="$HZ" -v d="$DURATION" \
    'BEGIN { if (r > 0) printf "%.0f", t / hz * s / (r * d); else print 0 }'
}
tp_test() { # tp_test STREAMS SUFFIX
  local t c0 c1 gbps
  for t in $(in_turn tp); do
    log "round $r: $t iperf3 $1 stream(s)"
    read -r c0 _ < <(cpu_ticks "${PID_OF[$t]}")
    gbps=$(iperf_gbps "${IPERF_VIA[$t]}" "$1")
    read -r c1 _ < <(cpu_ticks "${PID_OF[$t]}")
    add "$t" "tp$2" "$gbps"
    # CPU milliseconds per GB moved (GB/s = Gbit/s / 8)
    [[ -n "${PID_OF[$t]}" ]] && add "$t" "cpu_gb$2" \
      "$(per_unit $((c1 - c0)) "$(awk -v g="$gbps" 'BEGIN { print g / 8 }')" 1e3)"
  done
  ROUND=$((ROUND + 1))
  return 0
}
wrk_test() { # wrk_test TEST CONNS THREADS RATE-KEY CPU-KEY P50-KEY P99-KEY [wrk args]
  local test=$1 conns=$2 threads=$3 rk=$4 ck=$5 k50=$6 k99=$7 t c0 s0 c1 s1 rate p50 p99; shift 7
  for t in $(in_turn "$test"); do
    log "round $r: $t $test (wrk -t$threads -c$conns $*)"
    read -r c0 s0 < <(cpu_ticks "${PID_OF[$t]}")
    read -r rate p50 p99 < <(wrk_run "${HTTP_VIA[$t]}" "$conns" "$threads" "$DURATION" "$@")
    read -r c1 s1 < <(cpu_ticks "${PID_OF[$t]}")
    add "$t" "$rk" "$rate"
    [[ -n "$k50" ]] && add "$t" "$k50" "$p50" && add "$t" "$k99" "$p99"
    if [[ -n "$ck" && -n "${PID_OF[$t]}" ]]; then
      add "$t" "$ck" "$(per_unit $((c1 - c0)) "$rate" 1e6)"
      add "$t" "${ck}_sys" "$(per_unit $((s1 - s0)) "$rate" 1e6)"
    fi
  done
  ROUND=$((ROUND + 1))
  return 0
}
one_round() {
  # Round r starts its k-th test k targets along from round r - 1's: every test rotates whatever
  # the counts of tests and targets.
  ROUND=$((r - 1))
  testing tp && { tp_test 1 1; tp_test 4 4; }
  testing cps && wrk_test cps 64 1 cps cpu_conn "" "" -H "Connection: close"
  testing cps2 && wrk_test cps2 50 2 cps2 cpu_conn2 "" "" -H "Connection: close"
  testing rps && wrk_test rps 64 1 rps cpu_req ka_p50 ka_p99
  testing rps2 && wrk_test rps2 50 2 rps2 cpu_req2 ka2_p50 ka2_p99
  testing pp && wrk_test pp 1 1 pp_rate "" pp_p50 pp_p99
  return 0
}
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for ((r = 1; r <= ROUNDS; r++)); do one_round; done
KEYS="tp1 tp4 cpu_gb1 cpu_gb4 cps cpu_conn cpu_conn_sys cps2 cpu_conn2 cpu_conn2_sys rps ka_p50 ka_p99 cpu_req cpu_req_sys rps2 ka2_p50 ka2_p99 cpu_req2 cpu_req2_sys pp_p50 pp_p99"
for key in $KEYS; do
  for t in "${TARGETS[@]}"; do R[$t,$key]=$(echo "${V[$t,$key]:-}" | median); done
done
# The peak under load is read before the idle test, whose connections have a row of their own.
for t in "${TARGETS[@]}"; do
  R[$t,rss_load]=$(cat "$WORK/$t.peak" 2>/dev/null || echo "")
done

# ---------- idle connections ----------
# A client opens IDLE_CONNS connections through the proxy to the HTTP backend and sends nothing;
# once the backend holds them all (or after 30 s), the proxy's RSS is read; then all close.
cat > "$WORK/idle.py" <<'PY'
import os, socket, sys, time
host, port, n, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
socks, failures = [], 0
deadline = time.monotonic() + 60
while len(socks) < n and time.monotonic() < deadline and failures < 100:
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        socks.append(s)
    except OSError:
        s.close()
        failures += 1
        time.sleep(0.05)
with open(base + ".tmp", "w") as f:
    f.write(str(len(socks)))
os.rename(base + ".tmp", base + ".open")
stop = time.monotonic() + 90
while time.monotonic() < stop and not os.path.exists(base + ".stop"):
    time.sleep(0.1)
for s in socks:
    s.close()
PY
backend_conns() { ss -Htn state established "( sport = :$HTTP_PORT )" 2>/dev/null | wc -l; }
idle_test() {
  local t=$1 pid=${PID_OF[$1]} base="$WORK/idle.$1" cpid opened held=0 i
  log "$t: $IDLE_CONNS idle connections"
  python3 "$WORK/idle.py" 127.0.0.1 "${HTTP_VIA[$t]}" "$IDLE_CONNS" "$base" &
  cpid=$!
  for ((i = 0; i < 900; i++)); do [[ -e "$base.open" ]] && break; sleep 0.1; done
  opened=$(cat "$base.open" 2>/dev/null || echo 0)
  for ((i = 0; i < 300; i++)); do
    held=$(backend_conns)
    (( held >= opened )) && break
    sleep 0.1
  done
  sleep 1
  R[$t,idle_open]=$held
  R[$t,rss_conns]=$(rss_kib "$pid")
  R[$t,kib_conn]=$(awk -v a="${R[$t,rss_conns]}" -v base="${R[$t,rss_before]}" -v n="$held" \
    'BEGIN { if (n > 0) printf "%.1f", (a - base) / n; else print "" }')
  touch "$base.stop"
  wait "$cpid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do (( $(backend_conns) > 0 )) || break; sleep 0.1; done
  (( held < IDLE_CONNS )) && echo "compare.sh: $t held $held of $IDLE_CONNS idle connections" >&2
  return 0
}
if testing idle; then
  for t in "${TARGETS[@]}"; do
    [[ "$t" == direct || "$t" == halb-log ]] && continue
    R[$t,rss_before]=$(rss_kib "${PID_OF[$t]}")
    idle_test "$t"
  done
fi

# ---------- report ----------
has() { [[ ",$ONLY," == *",$1,"* ]]; }
PEERS=()
has haproxy && PEERS+=(haproxy)
has nginx && PEERS+=(nginx)
# halb_vs KEY DIRECTION: halb's figure over the better peer's (DIRECTION high: the larger is
# better; low: the smaller), or - when a figure is missing.
halb_vs() {
  local key=$1 dir=$2 best="" p v
  has halb || { echo "-"; return; }
  for p in "${PEERS[@]}"; do
    v=${R[$p,$key]:-}
    [[ -z "$v" || "$v" == 0 ]] && continue
    if [[ -z "$best" ]] || awk -v v="$v" -v b="$best" -v d="$dir" 'BEGIN { exit !((d == "high") ? v > b : v < b) }'; then
      best=$v
    fi
  done
  ratio "${R[halb,$key]:-0}" "${best:-0}"
}
# ratio A B: A / B to two decimals, or - when either is missing or 0.
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a == 0 || b == 0) print "-"; else printf "%.2f", a / b }'; }
mib() { awk -v k="${1:-}" 'BEGIN { if (k == "") print ""; else printf "%.1f", k / 1024 }'; }
added() { # proxy latency minus direct latency, ms
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.3f", a - b }'
}

echo
echo "halb vs HAProxy vs nginx on loopback: medians of $ROUNDS round(s) of ${DURATION}s tests, $(nproc) cores, $(uname -r)"
[[ -n "${transport:-}" ]] && echo "halb transport: $transport; JVM: $(tr '\0' ' ' < "$WORK/halb.cmdline" 2>/dev/null)"
printf '\n%-44s' "figure"
for t in "${TARGETS[@]}"; do printf '%11s' "$t"; done
[[ ${#PEERS[@]} -gt 0 ]] && has halb && printf '%13s' "halb/best"
echo
row() { # row LABEL KEY DIRECTION
  local label=$1 key=$2 dir=$3 t any=""
  for t in "${TARGETS[@]}"; do [[ -n "${R[$t,$key]:-}" ]] && any=1; done
  [[ -n "$any" ]] || return 0
  printf '%-44s' "$label"
  for t in "${TARGETS[@]}"; do printf '%11s' "${R[$t,$key]:-.}"; done
  [[ ${#PEERS[@]} -gt 0 ]] && has halb && printf '%13s' "$(halb_vs "$key" "$dir")"
  echo
}
row "iperf3 1 stream (Gbit/s)" tp1 high
row "  proxy CPU per GB (ms)" cpu_gb1 low
row "iperf3 4 streams (Gbit/s)" tp4 high
row "  proxy CPU per GB (ms)" cpu_gb4 low
row "new connections/s, light (-t1 -c64)" cps high
row "  proxy CPU per connection (us)" cpu_conn low
row "    of which in the kernel (us)" cpu_conn_sys low
row "new connections/s, saturated (-t2 -c50)" cps2 high
row "  proxy CPU per connection (us)" cpu_conn2 low
row "    of which in the kernel (us)" cpu_conn2_sys low
row "keep-alive requests/s, light (-t1 -c64)" rps high
row "  p50 (ms)" ka_p50 low
row "  p99 (ms)" ka_p99 low
row "  proxy CPU per request (us)" cpu_req low
row "    of which in the kernel (us)" cpu_req_sys low
row "keep-alive requests/s, saturated (-t2 -c50)" rps2 high
row "  p50 (ms)" ka2_p50 low
row "  p99 (ms)" ka2_p99 low
row "  proxy CPU per request (us)" cpu_req2 low
row "    of which in the kernel (us)" cpu_req2_sys low
row "ping-pong p50 (ms, 1 connection)" pp_p50 low
row "ping-pong p99 (ms, 1 connection)" pp_p99 low
if has direct && [[ -n "${R[direct,pp_p50]:-}" ]]; then
  for t in "${TARGETS[@]}"; do
    [[ "$t" == direct ]] && continue
    R[$t,add50]=$(added "${R[$t,pp_p50]:-}" "${R[direct,pp_p50]}")
    R[$t,add99]=$(added "${R[$t,pp_p99]:-}" "${R[direct,pp_p99]}")
  done
  row "ping-pong p50 added (ms)" add50 low
  row "ping-pong p99 added (ms)" add99 low
fi
for t in "${TARGETS[@]}"; do
  [[ "$t" == direct ]] && continue
  R[$t,rss_idle_mib]=$(mib "${R[$t,rss_idle]:-}")
  R[$t,rss_load_mib]=$(mib "${R[$t,rss_load]:-}")
  R[$t,rss_conns_mib]=$(mib "${R[$t,rss_conns]:-}")
done
row "RSS idle, 5 s after start (MiB)" rss_idle_mib low
row "RSS peak under load (MiB)" rss_load_mib low
if testing idle; then
  row "RSS with ${IDLE_CONNS} idle connections (MiB)" rss_conns_mib low
  row "  per idle connection (KiB)" kib_conn low
  row "  connections held" idle_open high
fi
# The ping-pong's added latency is also worth reading against HAProxy alone, the usual yardstick.
if has halb && has haproxy && [[ -n "${R[halb,add99]:-}" ]]; then
  echo
  echo "ping-pong latency added, halb / HAProxy: p50 $(ratio "${R[halb,add50]}" "${R[haproxy,add50]:-}")," \
    "p99 $(ratio "${R[halb,add99]}" "${R[haproxy,add99]:-}")"
fi
if has halb && has halb-log && [[ -n "${R[halb,cps]:-}${R[halb,cps2]:-}" ]]; then
  lines=$(wc -l < "$WORK/access.json" 2>/dev/null || echo 0)
  dropped=$(curl -s "http://127.0.0.1:${ADMIN_OF[halb-log]}/metrics" | awk '/^halb_access_log_dropped_total/ {print $2}')
  pct() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%+.1f %%", (a / b - 1) * 100; else print "-" }'; }
  echo
  echo "access log cost (new connections/s, accessLog.format off against json to a file):" \
    "light ${R[halb,cps]:-.} / ${R[halb-log,cps]:-.} ($(pct "${R[halb-log,cps]:-}" "${R[halb,cps]:-}")), saturated" \
    "${R[halb,cps2]:-.} / ${R[halb-log,cps2]:-.} ($(pct "${R[halb-log,cps2]:-}" "${R[halb,cps2]:-}")); $lines records written, ${dropped:-?} dropped"
  echo "  per round, light off:${V[halb,cps]:-}; json:${V[halb-log,cps]:-}; saturated off:${V[halb,cps2]:-}; json:${V[halb-log,cps2]:-}"
fi
