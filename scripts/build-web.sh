#!/usr/bin/env bash
# build-web.sh: build the console's web app (web/) into internal/console/web/app, where
# internal/console embeds it (go:embed), so the next `go build` serves it.
#
# - Skipped when web/'s sources, lockfile and configs are unchanged since the last build
#   (a stamp beside the build holds their hash; embed skips dot files).
# - Node 22 comes from scripts/install-node.sh; `npm ci` runs only when package-lock.json
#   changed (its own stamp in web/node_modules).
# - PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the e2e tests use Debian's Chromium (scripts/install-chromium.sh).
# - Safe to run concurrently (flock when it exists).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
web="$repo_root/web"
out="$repo_root/internal/console/web/app"
build_stamp="$out/.kubemcp-build-stamp"
deps_stamp="$web/node_modules/.kubemcp-install-stamp"

log() { echo "build-web: $*" >&2; }

deps_hash() { cat "$web/package.json" "$web/package-lock.json" | sha256sum | cut -d' ' -f1; }

# src_hash covers everything the build reads: the sources, configs and lockfile.
src_hash() {
  (cd "$web" && find src index.html package.json package-lock.json tsconfig.json vite.config.ts -type f ! -name '*.test.ts' -print0 |
    sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

if command -v flock >/dev/null; then
  exec 9>"$web/.build.lock"
  flock 9
fi

if [[ -f "$build_stamp" && "$(cat "$build_stamp")" == "$(src_hash)" ]]; then
  log "internal/console/web/app is current, skipping the build"
  exit 0
fi

node22=$("$repo_root/scripts/install-node.sh" | tail -n1)
export PATH="$(dirname "$node22"):$PATH"

if [[ ! -f "$deps_stamp" || "$(cat "$deps_stamp")" != "$(deps_hash)" ]]; then
  log "npm ci in $web"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline --no-update-notifier --loglevel=error) >&2
  deps_hash >"$deps_stamp"
fi

log "vite build into $out"
(cd "$web" && npm run --silent build) >&2
src_hash >"$build_stamp"
