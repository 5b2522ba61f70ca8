#!/usr/bin/env bash
# CI's system step: the setup test/system needs, then the system tests, required to run.
#
#   bash scripts/ci/system-tests.sh [test paths…]     # default: test/system
#
# As root: installs the linux driver's host tools (nftables, iptables, iproute2, stress-ng) and tmux when
# missing and starts the Docker engine (scripts/ci/docker.sh). A setup step that fails ends the
# step with "CI setup failed at: <step>" and exit 1. When setup succeeded, the tests run with
# FAULTLINE_REQUIRE_SYSTEM=1 — a test that would skip fails with its reason instead — and the test
# runner's summary must show nothing skipped (scripts/ci/test-summary.mjs).
# Not root: nothing is set up, the tests skip with their reasons, and this says so (exit 0 unless a
# test fails). docs/testing.md describes what CI requires.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(test/system)
step() { printf '\n==> %s (%ss)\n' "$1" "$SECONDS"; }
setup_failed() { printf '\nCI setup failed at: %s\n' "$1" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
  step "system tests, not root: no setup; they skip with their reasons (CI runs this as root and requires them)"
  node scripts/run-tests.mjs "${tests[@]}"
  exit
fi

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
pkgs=()
has nft || pkgs+=(nftables)
has iptables-restore || pkgs+=(iptables)
has tc || pkgs+=(iproute2)
has nsenter || pkgs+=(util-linux)
has stress-ng || pkgs+=(stress-ng)
has tmux || pkgs+=(tmux) # a real pseudo-terminal for the dashboard test
if [ "${#pkgs[@]}" -gt 0 ]; then
  step "setup: apt-get install ${pkgs[*]} (linux driver and dashboard system tests)"
  apt-get update -qq || setup_failed "apt-get update (for ${pkgs[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null || setup_failed "apt-get install ${pkgs[*]}"
fi

step "setup: docker engine (scripts/ci/docker.sh)"
bash scripts/ci/docker.sh || setup_failed "docker engine (bash scripts/ci/docker.sh; its dockerd log: /var/log/faultline-dockerd.log)"

# The system tests run the built CLI. A dist/ newer than every source (npm test built it) is kept.
if [ -f dist/index.js ] && [ -z "$(find src -name '*.ts' -newer dist/index.js -print -quit)" ]; then
  step "setup: build: dist/ is up to date"
else
  step "setup: build (npm run build: the system tests run the built CLI)"
  npm run --silent build || setup_failed "npm run build"
fi

step "system tests (${tests[*]}; FAULTLINE_REQUIRE_SYSTEM=1: a skip is a failure)"
log=$(mktemp /tmp/faultline-system-tests.XXXXXX)
status=0
# scripts/run-tests.mjs prints each file's spec report and closes with the totals of every file,
# which the summary check reads (with each file's skip lines).
FAULTLINE_REQUIRE_SYSTEM=1 NO_COLOR=1 node scripts/run-tests.mjs "${tests[@]}" 2>&1 | tee "$log" || status=$?
summary=0
node scripts/ci/test-summary.mjs "$log" || summary=$?
rm -f "$log"
[ "$status" = 0 ] || { echo "system tests failed (exit $status)" >&2; exit "$status"; }
[ "$summary" = 0 ] || exit 1
