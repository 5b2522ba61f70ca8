#!/usr/bin/env bash
# The Docker engine the docker driver's system tests (test/system/docker) run against.
# Idempotent: installs docker.io, docker-compose (v1) and busybox-static from Debian when missing,
# starts dockerd when it is not answering, and builds the local images the tests and
# examples/compose use. Nothing is ever pulled: there is no image registry here, so images are
# made with `docker import` from busybox-static.
#
#   bash scripts/ci/docker.sh          # as root; prints what it did and how long it took
#
# An engine that already answers is used as it is (e.g. one started with default options: the
# system tests pass against it too). The one started here runs with --iptables=false so that it
# never touches the host's packet filter (the linux driver's system tests compare the host's
# ruleset before and after); containers reach each other on the bridge networks docker creates,
# and the host reaches them by their addresses.
# Its log is /var/log/faultline-dockerd.log. Leaving it running is fine.
set -euo pipefail

start=$SECONDS
log() { printf '[docker.sh %3ss] %s\n' "$((SECONDS - start))" "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "scripts/ci/docker.sh needs root (it installs packages and starts dockerd)" >&2
  exit 1
fi

# Debian's client is /usr/bin/docker; another one earlier on PATH would do too, but be explicit.
DOCKER=/usr/bin/docker

pkgs=()
[ -x /usr/sbin/dockerd ] || [ -x /usr/bin/dockerd ] || pkgs+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || pkgs+=(docker-compose)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || pkgs+=(busybox-static)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "apt-get install ${pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)

if ! "$DOCKER" version >/dev/null 2>&1; then
  log "starting dockerd"
  # containerd is started by dockerd itself when none is running.
  nohup dockerd --iptables=false --ip-masq=false >>/var/log/faultline-dockerd.log 2>&1 &
  for _ in $(seq 1 300); do
    "$DOCKER" version >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$DOCKER" version >/dev/null 2>&1 || { echo "dockerd did not answer within 30 s; its log:" >&2; tail -30 /var/log/faultline-dockerd.log >&2; exit 1; }
fi
log "engine $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)"

# local/busybox:1 — a busybox-static rootfs (httpd, wget, nc, sh, …), about 2 MB.
if ! "$DOCKER" image inspect local/busybox:1 >/dev/null 2>&1; then
  log "docker import local/busybox:1"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,sbin,etc,tmp,www,proc,sys,dev,root,var/run}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  tar -C "$root" -c . | "$DOCKER" import -c 'ENV PATH=/bin:/sbin' -c 'CMD ["/bin/sh"]' - local/busybox:1 >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

# local/httpd:1 — busybox httpd on :8080 serving /www (with /www/cgi-bin) and a health check.
# httpd is the container's PID 1 and has no SIGTERM handler, so the kernel drops SIGTERM: docker
# stop/restart wait out the stop timeout (10 s by default) and then SIGKILL it.
if ! "$DOCKER" image inspect local/httpd:1 >/dev/null 2>&1; then
  log "docker build local/httpd:1"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cat >"$ctx/Dockerfile" <<'EOF'
FROM local/busybox:1
RUN mkdir -p /www/cgi-bin && echo ok > /www/index.html && echo ok > /www/health
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=1s --timeout=1s --start-period=1s --retries=2 CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
  "$DOCKER" build -q -t local/httpd:1 "$ctx" >/dev/null
  rm -rf "$ctx"
  trap - EXIT
fi

log "ready: $("$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^local/' | tr '\n' ' ')"
