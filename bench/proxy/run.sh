#!/usr/bin/env bash
# The proxy benchmark: direct vs haproxy vs a bare Node pipe vs faultline's proxy (one thread and
# --workers 2) vs toxiproxy-server (when on PATH), on loopback; then redis-benchmark -P16 through them.
# Installs what it needs from Debian when missing (as root), then runs bench/proxy/run.ts; with
# --scaling, bench/proxy/scaling.ts instead (the proxy on one core vs both, nginx and wrk pinned).
#   bash bench/proxy/run.sh [--seconds 3] [--rounds 3]
#   bash bench/proxy/run.sh --scaling [--seconds 3] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || need+=(nginx-light)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
. bench/apt-need.sh
apt_need ${need[@]+"${need[@]}"}
# faultline's proxy runs as plain JS, as the installed CLI does (tsx's loader would add GC work);
# worker-main.mjs beside it serves --workers (src/proxy/workers/pool.ts looks for it there).
out="$(mktemp -d)"
if node_modules/.bin/esbuild bench/proxy/faultline-proxy.ts src/proxy/workers/worker-main.ts --bundle --platform=node --format=esm --outdir="$out" --entry-names='[name]' --out-extension:.js=.mjs --log-level=warning; then
  export FAULTLINE_BENCH_PROXY="$out/faultline-proxy.mjs"
fi
script=bench/proxy/run.ts
if [ "${1:-}" = --scaling ]; then script=bench/proxy/scaling.ts; shift; fi
node --import tsx "$script" "$@"
