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
# Class rooms live in RNN_STORE (default: one SQLite file all local replicas share); --redis starts a local
# redis-server (no persistence, loopback, a free port) and points every replica at it.
# The file watcher is off (--server.fileWatcherType none, also in .streamlit/config.toml): it cost each new session
# ~100 ms of the first page run under the one GIL.
# A replica that exits is started again (up to 5 times). Ctrl-C or SIGTERM stops HAProxy and every replica.
set -uo pipefail
cd "$(dirname "$0")/.."

replicas=2 port=8501 host=127.0.0.1 redis=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --redis) redis=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "serve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$replicas" in ''|*[!0-9]*) echo "serve.sh: --replicas must be a number" >&2; exit 2 ;; esac
if [ "$replicas" -lt 1 ] || [ "$replicas" -gt 16 ]; then echo "serve.sh: --replicas must be 1..16" >&2; exit 2; fi
HAPROXY="${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
[ -x "$HAPROXY" ] || { echo "serve.sh: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }

PY="${PYTHON:-python}"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}"
export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
run_dir="$(mktemp -d -t rnn-serve-XXXXXX)"
declare -a ports pids restarts
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
  restarts[$i]=0
  start_replica "$i"
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
    default_backend replicas

backend replicas
    balance roundrobin
    cookie RNN_REPLICA insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
EOF
  for ((i = 0; i < replicas; i++)); do
    echo "    server r$i 127.0.0.1:${ports[$i]} check cookie r$i inter 2s fall 3 rise 2"
  done
} >"$run_dir/haproxy.cfg"
"$HAPROXY" -c -q -f "$run_dir/haproxy.cfg" || { echo "serve.sh: bad HAProxy configuration" >&2; exit 1; }

for ((i = 0; i < replicas; i++)); do     # wait for every replica before taking visitors
  for _ in $(seq 300); do
    healthy "http://127.0.0.1:${ports[$i]}/_stcore/health" && break
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "serve.sh: replica $i failed:" >&2; tail -20 "$run_dir/replica-$i.log" >&2; exit 1; }
    sleep 0.3
  done
done

"$HAPROXY" -db -f "$run_dir/haproxy.cfg" &
haproxy_pid=$!
echo "serve.sh: $replicas replica(s) on ports ${ports[*]}, HAProxy on http://${host}:${port} (logs in $run_dir)" >&2

while true; do
  sleep 2 & wait $!
  kill -0 "$haproxy_pid" 2>/dev/null || { echo "serve.sh: HAProxy exited" >&2; exit 1; }
  for ((i = 0; i < replicas; i++)); do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      if [ "${restarts[$i]}" -ge 5 ]; then echo "serve.sh: replica $i keeps failing" >&2; exit 1; fi
      restarts[$i]=$((restarts[$i] + 1))
      echo "serve.sh: replica $i exited; starting it again (${restarts[$i]}/5)" >&2
      start_replica "$i"
    fi
  done
done
