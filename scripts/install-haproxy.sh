#!/usr/bin/env bash
# install-haproxy.sh: make sure HAProxy (Debian's package) is installed, for the e2e test that
# runs three kubemcp replicas behind it (test/e2e/replicas_test.go), and print its path as the
# last line of stdout. Installs with apt-get, through sudo unless already root.
#
# Usage: scripts/install-haproxy.sh
set -euo pipefail

find_haproxy() { PATH="$PATH:/usr/sbin:/sbin" command -v haproxy; }

if ! find_haproxy >/dev/null; then
  echo "install-haproxy: installing Debian's haproxy package" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get install -y haproxy >&2 || {
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" apt-get install -y haproxy >&2
  }
fi
find_haproxy
