#!/usr/bin/env bash
# install-chromium.sh: install Debian's Chromium (/usr/bin/chromium) for the console's
# browser tests (Playwright drives it; npm's browser download is not reachable here).
# Does nothing when it is installed already. Uses sudo only when not root.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
command -v apt-get >/dev/null || { echo "install-chromium: no apt-get; install Chromium as /usr/bin/chromium yourself" >&2; exit 1; }
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "install-chromium: apt-get install chromium" >&2
"${sudo[@]}" apt-get update >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends chromium >&2
