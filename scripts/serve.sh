#!/usr/bin/env bash
# Serve a large class: N app processes on loopback ports behind HAProxy, with sticky sessions by cookie.
#
#   scripts/serve.sh --replicas 2 --port 8501                  # http://127.0.0.1:8501
#   scripts/serve.sh --replicas 2 --port 8501 --host 0.0.0.0   # reachable from other machines
#   scripts/serve.sh --replicas 2 --redis                      # class rooms in a local redis-server it starts
#
# Each browser session stays on one replica (HAProxy inserts a cookie, so a lecture hall behind one campus address
# is still spread over all replicas); websockets pass through with long timeouts; /_stcore/health is the health
# check; every replica gets the same STREAMLIT_SERVER_COOKIE_SECRET (from the environment, generated if unset).
# A replica that exits is started again after a back-off (1 s, doubling to 60 s; back to 1 s once it has run for
# 10 minutes), each restart logged; serve.sh never gives up on a replica while HAProxy runs. Per source address,
# HAProxy limits new connections, open connections and HTTP requests (generous: a class of >= 200 behind one
# NAT address gets in; see README). Ctrl-C or SIGTERM stops HAProxy and every replica.
#
# Environment (defaults in brackets): RNN_SERVE_BACKOFF [1] and RNN_SERVE_BACKOFF_MAX [60] seconds,
# RNN_SERVE_HEALTHY [600] seconds of running that reset the back-off; per source address RNN_PROXY_CONN_RATE
# [3000] new connections and RNN_PROXY_REQ_RATE [20000] HTTP requests per 10 s, RNN_PROXY_CONN_CUR [3000] open.
# Class rooms live in RNN_STORE (default: one SQLite file all local replicas share); --redis starts a local
# redis-server (no persistence, loopback, a free port) and points every replica at it.
# The file watcher is off (--server.fileWatcherType none, also in .streamlit/config.toml): it cost each new session
# ~100 ms of the first page run under the one GIL.
set -uo pipefail
cd "$(dirname "$0")/.."

replicas=2 port=8501 host=127.0.0.1 redis=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --redis) redis=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "serve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$replicas" in ''|*[!0-9]*) echo "serve.sh: --replicas must be a number" >&2; exit 2 ;; esac
if [ "$replicas" -lt 1 ] || [ "$replicas" -gt 16 ]; then echo "serve.sh: --replicas must be 1..16" >&2; exit 2; fi
HAPROXY="${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
[ -x "$HAPROXY" ] || { echo "serve.sh: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }

number() {   # $1: name, $2: value, $3: default; a whole or decimal number, else the default
  case "$2" in ''|*[!0-9.]*|*.*.*) echo "$3" ;; *) echo "$2" ;; esac
}
backoff_start=$(number RNN_SERVE_BACKOFF "${RNN_SERVE_BACKOFF:-}" 1)
backoff_max=$(number RNN_SERVE_BACKOFF_MAX "${RNN_SERVE_BACKOFF_MAX:-}" 60)
healthy_after=$(number RNN_SERVE_HEALTHY "${RNN_SERVE_HEALTHY:-}" 600)
conn_rate=$(number RNN_PROXY_CONN_RATE "${RNN_PROXY_CONN_RATE:-}" 3000)
conn_cur=$(number RNN_PROXY_CONN_CUR "${RNN_PROXY_CONN_CUR:-}" 3000)
req_rate=$(number RNN_PROXY_REQ_RATE "${RNN_PROXY_REQ_RATE:-}" 20000)
conn_rate=${conn_rate%.*} conn_cur=${conn_cur%.*} req_rate=${req_rate%.*}

PY="${PYTHON:-python}"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}"
export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
run_dir="$(mktemp -d -t rnn-serve-XXXXXX)"
declare -a ports pids failures started next_start
haproxy_pid="" redis_pid=""

stop_all() {
  trap - INT TERM EXIT
  local p all=()
  for p in "$haproxy_pid" "${pids[@]}" "$redis_pid"; do
    [ -n "$p" ] && all+=("$p" $(pgrep -P "$p" 2>/dev/null))   # a replica's own children (a worker process)
  done
  [ ${#all[@]} -gt 0 ] && kill -TERM "${all[@]}" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "${all[@]}" 2>/dev/null || break
    sleep 0.2
  done
  [ ${#all[@]} -gt 0 ] && kill -KILL "${all[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$run_dir"
  echo "serve.sh: stopped" >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_replica() {   # $1: index
  local i="$1"
  "$PY" -m streamlit run streamlit_app.py --server.port "${ports[$i]}" --server.address 127.0.0.1 \
    --server.headless true --server.fileWatcherType none >"$run_dir/replica-$i.log" 2>&1 &
  pids[$i]=$!
}

now() { date +%s.%N; }
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }      # true if $1 >= $2 (decimal seconds)
log() { echo "serve.sh: $(date -u +%FT%TZ) $*" >&2; }

healthy() { "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' "$1" 2>/dev/null; }

# --- the class store: a local redis-server for every replica (--redis) ------------------------------------------
if [ "$redis" = 1 ]; then
  REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
  [ -x "$REDIS_SERVER" ] || { echo "serve.sh: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
  redis_port=$(free_port)
  "$REDIS_SERVER" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$run_dir" \
    >"$run_dir/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do
    "$PY" -c 'import sys, redis; redis.Redis(port=int(sys.argv[1])).ping()' "$redis_port" 2>/dev/null && break
    kill -0 "$redis_pid" 2>/dev/null || { echo "serve.sh: redis-server failed:" >&2; cat "$run_dir/redis.log" >&2; exit 1; }
    sleep 0.1
  done
  export RNN_STORE="redis://127.0.0.1:$redis_port/0"
  echo "serve.sh: class store $RNN_STORE" >&2
fi
# -----------------------------------------------------------------------------------------------------------------

for ((i = 0; i < replicas; i++)); do
  ports[$i]=$(free_port)
  failures[$i]=0
  next_start[$i]=""
  start_replica "$i"
  started[$i]=$(now)
done

{
  cat <<EOF
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 30s
    timeout tunnel 4h
    timeout client-fin 30s

frontend classroom
    bind ${host}:${port}
    # per source address (a whole class may share one NAT address): new connections and requests per 10 s
    stick-table type ip size 100k expire 60s store conn_rate(10s),conn_cur,http_req_rate(10s)
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc0_conn_rate gt ${conn_rate} }
    tcp-request connection reject if { sc0_conn_cur gt ${conn_cur} }
    http-request deny deny_status 429 if { sc0_http_req_rate gt ${req_rate} }
    # Streamlit's metrics are the server's business, whatever the spelling of the path
    http-request deny deny_status 404 if { path,url_dec,lower -m sub /_stcore/metrics }
    default_backend replicas

backend replicas
    # the replica with the fewest connections: a student's websocket lasts the whole lecture, so after a replica
    # was lost and came back, new and reconnecting students go to it until the class is even again
    balance leastconn
    cookie RNN_REPLICA insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    http-check expect status 200
    # a replica that refuses a connection (it died) is out at once, not after 3 checks: its students reconnect
    # straight to another one; it is back after 2 good checks (serve.sh restarts it and warms its pages first)
EOF
  for ((i = 0; i < replicas; i++)); do
    echo "    server r$i 127.0.0.1:${ports[$i]} check cookie r$i inter 2s fall 3 rise 2 observe layer4 error-limit 1 on-error mark-down"
  done
} >"$run_dir/haproxy.cfg"
"$HAPROXY" -c -q -f "$run_dir/haproxy.cfg" || { echo "serve.sh: bad HAProxy configuration" >&2; exit 1; }

serving=0
for ((i = 0; i < replicas; i++)); do     # wait for every replica before taking visitors
  for _ in $(seq 300); do
    healthy "http://127.0.0.1:${ports[$i]}/_stcore/health" && { serving=$((serving + 1)); break; }
    kill -0 "${pids[$i]}" 2>/dev/null || { log "replica $i failed to start:"; tail -20 "$run_dir/replica-$i.log" >&2; break; }
    sleep 0.3
  done
done
[ "$serving" -gt 0 ] || { log "no replica started"; exit 1; }      # else the loop below restarts the failed ones
for ((i = 0; i < replicas; i++)); do     # each replica's first page runs before a class can join (scripts/warm.py)
  kill -0 "${pids[$i]}" 2>/dev/null && "$PY" scripts/warm.py "http://127.0.0.1:${ports[$i]}" >>"$run_dir/replica-$i.log" 2>&1
done

"$HAPROXY" -db -f "$run_dir/haproxy.cfg" &
haproxy_pid=$!
echo "serve.sh: $replicas replica(s) on ports ${ports[*]}, HAProxy on http://${host}:${port} (logs in $run_dir)" >&2

while true; do
  sleep 1 & wait $!
  kill -0 "$haproxy_pid" 2>/dev/null || { log "HAProxy exited"; exit 1; }
  t=$(now)
  for ((i = 0; i < replicas; i++)); do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      if [ "${failures[$i]}" -gt 0 ] && later "$t" "$(awk -v a="${started[$i]}" -v b="$healthy_after" 'BEGIN { printf "%.3f", a + b }')"; then
        log "replica $i has run for ${healthy_after} s: its back-off starts again at ${backoff_start} s"
        failures[$i]=0
      fi
    elif [ -z "${next_start[$i]}" ]; then              # it has just exited: schedule its restart
      wait "${pids[$i]}" 2>/dev/null
      code=$?
      delay=$(awk -v s="$backoff_start" -v m="$backoff_max" -v n="${failures[$i]}" \
        'BEGIN { d = s * 2 ^ n; if (d > m) d = m; print d }')
      failures[$i]=$((failures[$i] + 1))
      next_start[$i]=$(awk -v a="$t" -v b="$delay" 'BEGIN { printf "%.3f", a + b }')
      log "replica $i exited (code $code); restart ${failures[$i]} in ${delay} s (log: $run_dir/replica-$i.log)"
    elif later "$t" "${next_start[$i]}"; then
      next_start[$i]=""
      start_replica "$i"
      started[$i]=$(now)
      ( for _ in $(seq 300); do healthy "http://127.0.0.1:${ports[$i]}/_stcore/health" && break; sleep 0.3; done
        "$PY" scripts/warm.py "http://127.0.0.1:${ports[$i]}" ) >>"$run_dir/replica-$i.log" 2>&1 &   # (HAProxy waits 2 checks)
      log "replica $i started again (restart ${failures[$i]}, pid ${pids[$i]})"
    fi
  done
done
