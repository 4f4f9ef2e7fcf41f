# kubemcp: the two commands a newcomer needs are `make demo` and `make test`.

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/kubemcp/kubemcp/internal/app.version=$(VERSION)
LISTEN ?= 127.0.0.1:8080

.PHONY: all build web browser image demo test bench soak fuzz vet cluster-bin node-deps haproxy clean

all: build

## build: compile bin/kubemcp, with the console's web app embedded
build: web
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/kubemcp ./cmd/kubemcp

REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
IMAGE_REPOSITORY ?= ghcr.io/kubemcp/kubemcp

## image: build the container image without a container engine (as the Dockerfile would): bin/kubemcp-image.tar for docker/podman load or kind load image-archive, bin/kubemcp-oci for skopeo copy oci:bin/kubemcp-oci
image: web
	@mkdir -p bin
	$(GO) run ./cmd/kubemcp-image --version $(VERSION) --revision $(REVISION) --repository $(IMAGE_REPOSITORY) --tar bin/kubemcp-image.tar --oci bin/kubemcp-oci
	@echo "bin/kubemcp-image.tar: $(IMAGE_REPOSITORY):$(VERSION)"

# The test cluster's binaries, plus kubectl and helm for the CLI toolset's tests.
CLUSTER_BIN = test/cluster/build.sh kubectl helm

## cluster-bin: build etcd, kube-apiserver, kubectl and helm from the Go module proxy (cached; cold 7-10 min on 2 cores)
cluster-bin:
	@$(CLUSTER_BIN) >/dev/null

## web: build the console's web app (web/) into internal/console/web/app for go:embed; skipped when web/ is unchanged
web:
	@scripts/build-web.sh

## browser: install Debian's Chromium for the console's browser tests, when /usr/bin/chromium is missing
browser:
	@scripts/install-chromium.sh

## node-deps: install Node 22, the TypeScript MCP SDK and the Inspector CLI for the e2e tests
node-deps:
	@scripts/install-node.sh >/dev/null

## haproxy: install Debian's HAProxy for the e2e test of replicas behind a load balancer
haproxy:
	@scripts/install-haproxy.sh >/dev/null

## demo: a seeded local cluster and kubemcp serving MCP on http://$(LISTEN)/mcp; Ctrl-C stops all
demo: build cluster-bin
	$(GO) build -o bin/kubemcp-demo ./cmd/kubemcp-demo
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) exec bin/kubemcp-demo --kubemcp bin/kubemcp --listen $(LISTEN)

## vet: gofmt and go vet
vet:
	@unformatted=$$(gofmt -l cmd internal test); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## test: everything, against a real kube-apiserver and real MCP clients
test: vet web browser cluster-bin node-deps haproxy
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -count=1 -timeout 15m ./...

## bench: benchmarks through a real MCP client against a real cluster
bench: cluster-bin
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench . -skip 'FanOut|MultiUser|PodsList|CachedReadRequests|Memory10kPods|CacheRSS10kPods|SharedWatches' -benchtime 200x -count 1 ./...
	# A fan-out iteration makes 6 calls to 5 clusters, some 100 ms away: fewer of them.
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench FanOut -benchtime 20x -count 1 ./test/e2e
	# 50 users: 1,000 calls, 20 each, so that a user's first call (its client, its access review)
	# weighs little; at 200, 4 each, the calls/s came out at half.
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench 'MultiUser|PodsList' -benchtime 1000x -count 1 ./test/e2e
	# The apiserver's requests for 1,000 reads, cached and direct.
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench CachedReadRequests -benchtime 1000x -count 1 ./test/e2e
	# The watch cache's heap for 10,000 pods, once (seeding them takes a minute or two).
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench Memory10kPods -benchtime 1x -count 1 ./internal/cache
	# The real binary's resident memory with those 10,000 pods cached, once (it waits for a GC: up to 2 min more).
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench CacheRSS10kPods -benchtime 1x -count 1 ./test/e2e
	# The apiserver's watches for 20 users x 5 kinds, shared and direct (a direct set-up takes 10 s).
	KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) $(GO) test -run '^$$' -bench SharedWatches -benchtime 3x -count 1 ./internal/cache

SOAK ?= 60s
SOAK_FLAGS ?=
## soak: 200 MCP sessions of mixed read calls on the real binary for SOAK (60s); SOAK_FLAGS adds serve flags (e.g. --cache)
soak: cluster-bin
	set -o pipefail; KUBEMCP_BIN_DIR=$$($(CLUSTER_BIN)) KUBEMCP_SOAK=$(SOAK) KUBEMCP_SOAK_FLAGS="$(SOAK_FLAGS)" $(GO) test -count=1 -timeout 10m -run '^TestSoak$$' -v ./test/e2e | grep -E '^(---|ok|FAIL|PASS)|soak:'

FUZZTIME ?= 60s
## fuzz: run every fuzz target for FUZZTIME each (make test runs their seed corpora only)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin .cache
