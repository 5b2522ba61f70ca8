#!/usr/bin/env bash
# `npm run bench`: the two hot paths side by side with what users would pick instead — the fault
# proxy (vs direct, haproxy, a bare Node pipe, toxiproxy-server when on PATH, redis-benchmark -P16;
# then on one core vs two, beside haproxy nbthread 1 and 2) and the load generator (vs autocannon
# and wrk -t1, one thread and --workers 2). Each part installs what it needs from Debian when run
# as root, and prints the ratios issue 19 tracks.
# Record a run in bench/RESULTS.md with its command, the machine and its load average.
#   npm run bench -- [--seconds N] [--rounds N]        (both parts take these; defaults are theirs)
#   bash bench/proxy/run.sh …   /   bash bench/load/run.sh …   one part, with its own options
set -euo pipefail
cd "$(dirname "$0")/.."
printf '==> machine: %s, %s cores, load average %s\n' "$(node --version)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n==> the fault proxy (bench/proxy/run.sh)\n'
bash bench/proxy/run.sh "$@"
if [ "$(nproc)" -ge 2 ]; then
  printf '\n==> the fault proxy across cores (bench/proxy/run.sh --scaling)\n'
  bash bench/proxy/run.sh --scaling "$@"
fi
printf '\n==> the load generator (bench/load/run.sh)\n'
bash bench/load/run.sh "$@"
