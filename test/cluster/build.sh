#!/usr/bin/env bash
# build.sh [component...] builds the real control-plane binaries from the Go module
# proxy and prints the folder that holds them.
#
# Components: etcd kube-apiserver (always), kube-controller-manager kube-scheduler
# kubectl helm (on request; helm from its own module in helm/). The folder is keyed by a hash of everything that decides the
# output (go.mod, go.sum, this script, the etcd main, `go version`), so a second run
# with nothing changed takes a second or two. Override the cache root with
# KUBEMCP_BIN_CACHE. Concurrent runs are serialised with flock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
k8s_version=v1.34.4

want=(etcd kube-apiserver)
for c in "$@"; do
  case "$c" in
    etcd|kube-apiserver) ;;
    kube-controller-manager|kube-scheduler|kubectl|helm) want+=("$c") ;;
    *) echo "build.sh: unknown component \"$c\" (known: etcd kube-apiserver kube-controller-manager kube-scheduler kubectl helm)" >&2; exit 2 ;;
  esac
done

key=$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here/cmd/etcd/main.go" "$here/helm/go.mod" "$here/helm/go.sum"; go version; } | sha256sum | cut -c1-16)
root=${KUBEMCP_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubemcp/bin}
dir="$root/$key"
mkdir -p "$dir"

exec 9>"$dir/.lock"
flock 9

missing=()
for c in "${want[@]}"; do [ -x "$dir/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$dir"; exit 0; fi

pkgs=()
helm=false
for c in "${missing[@]}"; do
  case "$c" in
    etcd) pkgs+=(./cmd/etcd) ;;
    helm) helm=true ;;
    *) pkgs+=("k8s.io/kubernetes/cmd/$c") ;;
  esac
done

ldflags="-s -w"
major=${k8s_version#v}; major=${major%%.*}
minor=${k8s_version#v$major.}; minor=${minor%%.*}
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

echo "build.sh: building ${missing[*]} into $dir (cold: 5-7 minutes on 2 cores)" >&2
tmp=$(mktemp -d "$dir/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
if [ ${#pkgs[@]} -gt 0 ]; then
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}")
fi
if $helm; then
  (cd "$here/helm" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/" helm.sh/helm/v3/cmd/helm)
fi
for c in "${missing[@]}"; do mv "$tmp/$c" "$dir/$c"; done
echo "build.sh: built ${missing[*]} in $(( $(date +%s) - start ))s" >&2
echo "$dir"
