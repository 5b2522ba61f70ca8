#!/usr/bin/env bash
# The load generator benchmark: faultline load (one thread and --workers 2) vs autocannon vs wrk -t1
# (and hey when installed), on a plain Node target and on nginx; then the coordinated-omission case.
# Installs what it needs from Debian when missing (as root), builds dist/, then runs bench/load/bench.mjs.
#   bash bench/load/run.sh [--seconds 10] [--rounds 3] [--only throughput|co] [--targets node,nginx] [--connections 10,50] [--no-pin]
# Memory over time of an open-model run: node bench/load/memory.mjs [--minutes 10] [--rate 2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
[ -x /usr/bin/time ] || need+=(time)
. bench/apt-need.sh
apt_need ${need[@]+"${need[@]}"}
npm run --silent build
node bench/load/bench.mjs "$@"
