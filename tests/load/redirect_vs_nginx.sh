#!/usr/bin/env bash
# Throughput of the local stack's click redirect beside nginx answering a plain `return 302`,
# on this machine, with wrk (Debian packages; installed with apt-get when missing and root).
#
#   tests/load/redirect_vs_nginx.sh            # 10 s per run, 2 wrk threads, 64 connections
#   DURATION=30s CONNECTIONS=128 tests/load/redirect_vs_nginx.sh
#
# Runs (each against 127.0.0.1 only, bounded by DURATION):
#   1. the local stack, the same visitor every request (a repeat click: redirected, not counted)
#   2. the local stack, a new visitor every request (X-Forwarded-For varies: every request is a
#      counted click with a new click id, buffered and sent to the durable click queue)
#   3. nginx `return 302` (one worker per core, no access log)
# and prints requests/s of each and the ratios to nginx. Target: at least 0.7.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need wrk || ! need nginx; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing wrk and nginx-light with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
  else
    echo "wrk and nginx are needed (Debian: apt-get install wrk nginx-light)" >&2
    exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
STACK_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$STACK_PID" ] && kill -INT "$STACK_PID" 2>/dev/null && wait "$STACK_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

cargo build --release -q -p local-stack
STACK_PORT=$(free_port)
PARTNERLINE_DATA_DIR="$WORK/stack" PARTNERLINE_PORT=$STACK_PORT RUST_LOG=warn \
  "${CARGO_TARGET_DIR:-target}/release/local-stack" >"$WORK/stack.out" 2>&1 &
STACK_PID=$!
for _ in $(seq 100); do [ -f "$WORK/stack/demo.json" ] && break; sleep 0.1; done
LINK=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['demoLink'])" "$WORK/stack/demo.json")
DESTINATION=$(curl -s -o /dev/null -w '%{redirect_url}' "$LINK")
[ -n "$DESTINATION" ] || { echo "the demo link does not redirect" >&2; exit 1; }

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NGINX_PORT; location / { return 302 ${DESTINATION%%\?*}; } }
}
CONF
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
NGINX_PID=$!
sleep 0.5

cat >"$WORK/new-visitor.lua" <<'LUA'
-- A new visitor every request: a random client address.
request = function()
  local ip = math.random(1, 254) .. "." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", nil, { ["X-Forwarded-For"] = ip })
end
LUA

rps() { # url [wrk args...]: requests/s; fails when any answer was not a redirect
  local url=$1; shift
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" "$url")
  if grep -q "Non-2xx or 3xx" <<<"$out"; then
    echo "$out" >&2
    echo "some answers were not redirects" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
wrk -t1 -c4 -d1s "$LINK" >/dev/null # warm-up: cache and connections
REPEAT=$(rps "$LINK")
NEW=$(rps "$LINK" -s "$WORK/new-visitor.lua")
NGINX_RPS=$(rps "http://127.0.0.1:$NGINX_PORT/r/demo")

echo "redirect throughput on $(nproc) cores, $(date -u +%F), wrk -t$THREADS -c$CONNECTIONS -d$DURATION:"
ratio() { python3 -c "import sys;print(float(sys.argv[1])/float(sys.argv[2]))" "$1" "$NGINX_RPS"; }
printf '  local stack, repeat visitor:            %10.0f req/s  (%.2f of nginx)\n' "$REPEAT" "$(ratio "$REPEAT")"
printf '  local stack, new visitor (counted):     %10.0f req/s  (%.2f of nginx)\n' "$NEW" "$(ratio "$NEW")"
printf '  nginx return 302:                       %10.0f req/s\n' "$NGINX_RPS"
