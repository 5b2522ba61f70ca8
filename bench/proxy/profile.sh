#!/usr/bin/env bash
# Profiles faultline's proxy (one thread, no toxic) under the three workloads of run.ts, with
# `node --cpu-prof`, and prints where the time went (bench/proxy/profile-summary.mjs); with
# --syscalls, instead of profiling, the syscalls per request (perf trace -s). Needs wrk and nginx
# (run.sh installs them).
# --perf samples the whole process with perf record instead (kernel and libuv included).
#   bash bench/proxy/profile.sh [--seconds 5] [--transport raw|net] [--syscalls | --perf] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=5 transport=raw syscalls=0 mode=cpuprof out=$(mktemp -d /tmp/faultline-profile-XXXX)
while [ $# -gt 0 ]; do case $1 in --seconds) seconds=$2; shift 2;; --transport) transport=$2; shift 2;; --syscalls) syscalls=1; shift;; --perf) mode=perf; shift;; --out) out=$2; shift 2;; *) echo "unknown $1" >&2; exit 2;; esac; done
dir=$(mktemp -d /dev/shm/faultline-profile-XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "nothing on $1" >&2; exit 1; }

node_modules/.bin/esbuild bench/proxy/faultline-proxy.ts src/proxy/workers/worker-main.ts --bundle --platform=node --format=esm --outdir="$dir" --entry-names='[name]' --out-extension:.js=.mjs --log-level=warning
head -c 67108864 /dev/zero > "$dir/big.bin"; chmod 755 "$dir"; chmod 644 "$dir/big.bin"
nginx_port=$(free_port)
cat > "$dir/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $dir/nginx.pid; error_log $dir/nginx-error.log;
events { worker_connections 8192; }
http { access_log off; sendfile on; keepalive_requests 10000000;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi; uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
  server { listen 127.0.0.1:$nginx_port backlog=8192;
    location = /small { return 200 "hello\n"; }
    location = /big { alias $dir/big.bin; } } }
CONF
nginx -c "$dir/nginx.conf" & pids+=($!)
wait_port "$nginx_port"
mkdir -p "$out"
drive() { # workload port
  case $1 in
    small) wrk -t1 -d"${seconds}s" -c32 "http://127.0.0.1:$2/small" ;;
    bulk) wrk -t1 -d"${seconds}s" -c1 "http://127.0.0.1:$2/big" ;;
    conns) wrk -t1 -d"${seconds}s" -c32 -H 'Connection: close' "http://127.0.0.1:$2/small" ;;
  esac
}
for w in small bulk conns; do
  port=$(free_port)
  if [ "$mode" = perf ]; then
    # Whole-process samples (kernel, libuv, V8, JIT-ed JS with --perf-basic-prof): the CPU profile sees JS only.
    FAULTLINE_PROXY_TRANSPORT=$transport perf record -q -F 999 -o "$out/$w.perf.data" -- node --perf-basic-prof "$dir/faultline-proxy.mjs" "$port" "$nginx_port" > /dev/null 2>&1 & proxy=$!
  elif [ "$syscalls" = 1 ]; then
    # Traced from the start (perf trace runs the proxy), so every syscall of the run is counted.
    FAULTLINE_PROXY_TRANSPORT=$transport perf trace -s -o "$out/$w.syscalls" -- node "$dir/faultline-proxy.mjs" "$port" "$nginx_port" > /dev/null & proxy=$!
  else
    FAULTLINE_PROXY_TRANSPORT=$transport node --cpu-prof --cpu-prof-dir="$out/$w" "$dir/faultline-proxy.mjs" "$port" "$nginx_port" > /dev/null & proxy=$!
  fi
  wait_port "$port"
  result=$(drive "$w" "$port")
  kill -INT "$proxy"; wait "$proxy" || true
  requests=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' <<<"$result")
  echo "== $w ($transport): $(grep -E 'Requests/sec|Transfer/sec' <<<"$result" | tr -s ' ' | tr '\n' ' ') ($requests requests)"
  if [ "$mode" = perf ]; then
    sleep 1
    perf report -q -i "$out/$w.perf.data" --no-children --sort dso 2>/dev/null | head -6 | sed "s/^/    /" || true
    perf report -q -i "$out/$w.perf.data" --no-children --sort sym 2>/dev/null | head -22 | sed "s/^/    /" || true
  elif [ "$syscalls" = 1 ]; then
    echo "  syscalls per request (bulk: per 64 MiB response), main thread:"
    awk -v n="$requests" '/^ node \(/ { t++ } t == 1 && $1 ~ /^[a-z_0-9]+$/ && $2 ~ /^[0-9]+$/ { printf "    %-14s %10.2f\n", $1, $2 / n }' "$out/$w.syscalls" | sort -k2 -nr | head -10
  else
    node bench/proxy/profile-summary.mjs "$out/$w"/*.cpuprofile 14
  fi
done
echo "profiles in $out (open in Chrome DevTools or speedscope)"
