#!/usr/bin/env bash
# End-to-end comparison of halb with HAProxy (mode tcp), nginx (stream) and no proxy at all,
# on loopback, in one run, bounded in time (about 12 minutes by default: 3 rounds of 8 s
# tests, figures are medians over the rounds; about 3 minutes with --quick: 1 round of 3 s).
#
#   lb-bench/compare.sh [--quick] [--rounds N] [--duration SECONDS]
#                       [--only halb,halb-log,haproxy,nginx,direct] [--tests tp,cps,rps,pp]
#
# halb-log is halb with its access log on (accessLog.format: json, to a file): its new
# connections/s against halb's is the cost of the access log, printed as a line of its own.
# The access log cost alone, in about 3 minutes:
#   lb-bench/compare.sh --only halb,halb-log --tests cps
#
# For every target it measures:
#   - iperf3 throughput with 1 and 4 parallel streams (Gbit/s);
#   - wrk new-connection rate with `Connection: close` (connections/s) to a small HTTP backend;
#   - wrk keep-alive requests/s with p50/p99 latency (64 connections);
#   - a 1-connection keep-alive ping-pong: p50/p99 latency, and what the proxy adds to direct;
#   - RSS of the proxy idle and its peak under load.
# and prints one table with the ratios halb/HAProxy.
#
# It installs what it needs from Debian's packages (haproxy, nginx with the stream module, iperf3,
# wrk) when they are missing (root or sudo), and builds lb-core/target/halb.jar if needed.
# halb runs through bin/halb, with its JVM options (override with HALB_JAVA_OPTS), and the transport
# halb selects (override with HALB_TRANSPORT=io_uring|epoll|nio).
set -euo pipefail

DURATION=8
ROUNDS=3
ONLY="direct,haproxy,nginx,halb,halb-log"
TESTS="tp,cps,rps,pp"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; ROUNDS=1; shift ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --tests) TESTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (expected --quick, --duration N, --rounds N, --only LIST, --tests LIST)" >&2; exit 2 ;;
  esac
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
events { worker_connections 16384; }
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
  maxconn 8000
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
pid $WORK/proxy/nginx.pid;
error_log $WORK/proxy/logs/error.log warn;
events { worker_connections 8000; }
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
    maxConnections: 8000
    backends: [ { address: 127.0.0.1, port: $HTTP_PORT } ]
drain: { delayMs: 0, timeoutMs: 1000 }
EOF
  # bin/halb holds the JVM settings we recommend (HALB_JAVA_OPTS overrides them); it execs java.
  "$ROOT/bin/halb" run --config "$WORK/$name.yaml" >"$WORK/$name.log" 2>&1 &
  echo $!
}

# ---------- measurements ----------
# iperf3 receiver throughput in Gbit/s
iperf_gbps() {
  local port=$1 streams=$2
  iperf3 -c 127.0.0.1 -p "$port" -P "$streams" -t "$DURATION" -f g 2>/dev/null \
    | awk '/receiver/ { v=$(NF-2); u=$(NF-1) } END { if (u=="Mbits/sec") v=v/1000; printf "%.1f", v }'
}

# wrk: prints "rps p50_ms p99_ms"
wrk_run() {
  local port=$1 conns=$2 threads=$3; shift 3
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$port/" 2>/dev/null | awk '
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
  local saved=$DURATION
  DURATION=5
  wrk_run "${HTTP_VIA[$name]}" 32 1 -H "Connection: close" >/dev/null
  wrk_run "${HTTP_VIA[$name]}" 32 1 >/dev/null
  iperf3 -c 127.0.0.1 -p "${IPERF_VIA[$name]}" -t 3 >/dev/null 2>&1 || true
  wrk_run "${HTTP_VIA[$name]}" 32 1 -H "Connection: close" >/dev/null
  DURATION=$saved
}

declare -A R PID_OF
# Every proxy runs for the whole comparison and each test visits every target in turn, so
# that a drift in the machine's load spreads over all of them instead of favouring one.
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
sleep 1
for t in "${TARGETS[@]}"; do
  # Idle: started, listening, no traffic yet.
  R[$t,rss_idle]=0
  [[ -n "${PID_OF[$t]}" ]] && R[$t,rss_idle]=$(rss_kib "${PID_OF[$t]}")
done
for t in "${TARGETS[@]}"; do
  [[ -n "${PID_OF[$t]}" ]] && sample_rss "$t" "${PID_OF[$t]}"
  warm_up "$t"
done
if [[ -n "${PID_OF[halb]:-}${PID_OF[halb-log]:-}" ]]; then
  first_halb=halb; [[ -n "${PID_OF[halb]:-}" ]] || first_halb=halb-log
  cp "/proc/${PID_OF[$first_halb]}/cmdline" "$WORK/halb.cmdline" 2>/dev/null || true
  transport=$(curl -s "http://127.0.0.1:${ADMIN_OF[$first_halb]}/api/v1/status" 2>/dev/null \
    | sed -n 's/.*"transport":"\([^"]*\)".*/\1/p')
fi

# Process CPU time (user + system) in clock ticks, summed over a proxy's processes.
cpu_ticks() {
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# The targets in turn, starting one further along for each test, so that no target always
# runs first (fresh) or last (after the others' TIME_WAIT sockets piled up).
ROUND=0
in_turn() {
  local n=${#TARGETS[@]} i
  for ((i = 0; i < n; i++)); do echo "${TARGETS[$(((i + ROUND) % n))]}"; done
  ROUND=$((ROUND + 1))
}

# One round of every test; values go to V[target,figure] as space-separated lists.
declare -A V
add() { V[$1,$2]="${V[$1,$2]:-} $3"; }
testing() { [[ ",$TESTS," == *",$1,"* ]]; }
one_round() {
  local t c0 c1 cps rps p50 p99
  if testing tp; then
    for t in $(in_turn); do log "round $1: $t iperf3 1 stream"; add "$t" tp1 "$(iperf_gbps "${IPERF_VIA[$t]}" 1)"; done
    for t in $(in_turn); do log "round $1: $t iperf3 4 streams"; add "$t" tp4 "$(iperf_gbps "${IPERF_VIA[$t]}" 4)"; done
  fi
  testing cps && for t in $(in_turn); do
    log "round $1: $t new connections/s"
    c0=0; [[ -n "${PID_OF[$t]}" ]] && c0=$(cpu_ticks "${PID_OF[$t]}")
    read -r cps _ _ < <(wrk_run "${HTTP_VIA[$t]}" 64 1 -H "Connection: close")
    add "$t" cps "$cps"
    if [[ -n "${PID_OF[$t]}" ]]; then
      c1=$(cpu_ticks "${PID_OF[$t]}")
      # proxy CPU microseconds per connection
      add "$t" cpu_conn "$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$cps" -v d="$DURATION" \
        'BEGIN { if (r > 0) printf "%.0f", t / hz * 1e6 / (r * d); else print 0 }')"
    fi
  done
  testing rps && for t in $(in_turn); do
    log "round $1: $t keep-alive requests/s"
    read -r rps p50 p99 < <(wrk_run "${HTTP_VIA[$t]}" 64 1)
    add "$t" rps "$rps"; add "$t" ka_p50 "$p50"; add "$t" ka_p99 "$p99"
  done
  testing pp && for t in $(in_turn); do
    log "round $1: $t 1-connection ping-pong"
    read -r _ p50 p99 < <(wrk_run "${HTTP_VIA[$t]}" 1 1)
    add "$t" pp_p50 "$p50"; add "$t" pp_p99 "$p99"
  done
  return 0
}
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for ((r = 1; r <= ROUNDS; r++)); do one_round "$r"; done
for key in tp1 tp4 cps cpu_conn rps ka_p50 ka_p99 pp_p50 pp_p99; do
  for t in "${TARGETS[@]}"; do R[$t,$key]=$(echo "${V[$t,$key]:-}" | median); done
done
for t in "${TARGETS[@]}"; do
  R[$t,rss_load]=$(cat "$WORK/$t.peak" 2>/dev/null || echo 0)
done

# ---------- report ----------
ratio() { # a/b, or - when either is missing or zero
  awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a == 0 || b == 0) print "-"; else printf "%.2f", a / b }'
}
added() { # proxy latency minus direct latency, ms
  awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { printf "%.3f", a - b }'
}
has() { [[ ",$ONLY," == *",$1,"* ]]; }

echo
echo "halb vs HAProxy vs nginx on loopback: medians of $ROUNDS round(s) of ${DURATION}s tests, $(nproc) cores, $(uname -r)"
[[ -n "${transport:-}" ]] && echo "halb transport: $transport; JVM: $(tr '\0' ' ' < "$WORK/halb.cmdline" 2>/dev/null)"
printf '\n%-34s' "figure"
for t in "${TARGETS[@]}"; do printf '%12s' "$t"; done
has halb && has haproxy && printf '%14s' "halb/HAProxy"
echo
row() {
  local label=$1 key=$2 fmt=$3
  printf '%-34s' "$label"
  for t in "${TARGETS[@]}"; do printf "%12${fmt}" "${R[$t,$key]:-0}"; done
  has halb && has haproxy && printf '%14s' "$(ratio "${R[halb,$key]:-0}" "${R[haproxy,$key]:-0}")"
  echo
}
row "iperf3 1 stream (Gbit/s)" tp1 s
row "iperf3 4 streams (Gbit/s)" tp4 s
row "new connections/s (close)" cps s
row "proxy CPU per connection (us)" cpu_conn s
row "keep-alive requests/s (64 conns)" rps s
row "keep-alive p50 (ms, 64 conns)" ka_p50 s
row "keep-alive p99 (ms, 64 conns)" ka_p99 s
row "ping-pong p50 (ms, 1 conn)" pp_p50 s
row "ping-pong p99 (ms, 1 conn)" pp_p99 s
if has direct; then
  for t in "${TARGETS[@]}"; do
    R[$t,add50]=$(added "${R[$t,pp_p50]:-0}" "${R[direct,pp_p50]:-0}")
    R[$t,add99]=$(added "${R[$t,pp_p99]:-0}" "${R[direct,pp_p99]:-0}")
  done
  row "ping-pong p50 added (ms)" add50 s
  row "ping-pong p99 added (ms)" add99 s
fi
for t in "${TARGETS[@]}"; do
  R[$t,rss_idle_mib]=$(awk -v k="${R[$t,rss_idle]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
  R[$t,rss_load_mib]=$(awk -v k="${R[$t,rss_load]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
done
row "RSS idle (MiB)" rss_idle_mib s
row "RSS peak under load (MiB)" rss_load_mib s
if has halb && has halb-log; then
  lines=$(wc -l < "$WORK/access.json" 2>/dev/null || echo 0)
  dropped=$(curl -s "http://127.0.0.1:${ADMIN_OF[halb-log]}/metrics" | awk '/^halb_access_log_dropped_total/ {print $2}')
  echo
  echo "access log cost: new connections/s with accessLog.format off ${R[halb,cps]:-0}, json to a file" \
    "${R[halb-log,cps]:-0} ($(awk -v a="${R[halb-log,cps]:-0}" -v b="${R[halb,cps]:-0}" \
      'BEGIN { if (b > 0) printf "%+.1f %%", (a / b - 1) * 100; else print "-" }')); $lines records written, ${dropped:-?} dropped"
  echo "  per round, connections/s off:${V[halb,cps]:-}; json:${V[halb-log,cps]:-}; proxy CPU us per connection off:${V[halb,cpu_conn]:-}; json:${V[halb-log,cpu_conn]:-}"
fi
