# shellcheck shell=bash
# Sourced by the benchmark scripts: `apt_need PKG…` installs the Debian packages given (as root),
# or, not root, says which are missing and exits 1. Callers pass only what is missing.
apt_need() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing: $* (apt-get install -y $*)" >&2
    exit 1
  fi
}
