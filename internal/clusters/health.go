package clusters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// DefaultMaxBackoff is the longest an unreachable cluster is skipped by
// fan-outs before it is tried again; the wait starts at firstBackoff and
// doubles with each failure.
const (
	DefaultMaxBackoff = 30 * time.Second
	firstBackoff      = time.Second
)

// ErrSkipped means a fan-out left a cluster out because it was unreachable a
// moment ago; ErrTimeout that a cluster did not answer in time.
var (
	ErrSkipped = errors.New("skipped")
	ErrTimeout = errors.New("timed out")
)

// health remembers which clusters could not be reached, so that fan-outs
// skip them fast until their backoff ends.
type health struct {
	max time.Duration
	now func() time.Time // time.Now; tests move their own clock

	mu sync.Mutex
	by map[string]*seen
}

type seen struct {
	at       time.Time
	err      error // non-nil: unreachable
	failures int
	retryAt  time.Time
}

func newHealth(max time.Duration) *health {
	if max <= 0 {
		max = DefaultMaxBackoff
	}
	return &health{max: max, now: time.Now, by: map[string]*seen{}}
}

// observe records whether a cluster could be reached: err is nil when it
// could, and otherwise says why not.
func (h *health) observe(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.by[name]
	if s == nil {
		s = &seen{}
		h.by[name] = s
	}
	s.at = h.now()
	if err == nil {
		s.err, s.failures, s.retryAt = nil, 0, time.Time{}
		return
	}
	s.err = err
	s.failures++
	s.retryAt = s.at.Add(min(firstBackoff<<min(s.failures-1, 16), h.max))
}

// skip says why a fan-out should leave name out now, or nil to ask it.
func (h *health) skip(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.by[name]
	now := h.now()
	if s == nil || s.err == nil || !now.Before(s.retryAt) {
		return nil
	}
	return fmt.Errorf("%w: unreachable %s ago (%v); tried again after %s",
		ErrSkipped, now.Sub(s.at).Round(time.Second), s.err, s.retryAt.Sub(now).Round(100*time.Millisecond))
}

func (h *health) forget(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.by, name)
}

// unreachable tells a call that may not have reached its cluster (refused,
// reset, timed out, TLS failed) from one the cluster answered, even with an
// error such as forbidden.
func unreachable(err error) bool {
	var ne net.Error
	return errors.Is(err, ErrTimeout) || errors.As(err, &ne)
}

// probeTimeout bounds reach: a live apiserver answers /version in
// milliseconds, even when a call to it has just timed out.
const probeTimeout = time.Second

// reach asks name's apiserver for /version, anonymously so that only the way
// to it is tried, not a credential: any HTTP answer, even 401 or 500, means
// the cluster can be reached. It returns why it could not be, or nil.
func (m *Manager) reach(ctx context.Context, name string) error {
	cfg, ok := m.current().configs[name]
	if !ok {
		return nil // gone meanwhile: nothing to hold against it
	}
	dc, err := discovery.NewDiscoveryClientForConfig(rest.AnonymousClientConfig(cfg))
	if err != nil {
		return fmt.Errorf("probing the apiserver: %w", err)
	}
	limit := min(probeTimeout, m.timeout())
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	_, err = dc.RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	var answer apierrors.APIStatus
	switch {
	case err == nil || errors.As(err, &answer):
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%w: the apiserver did not answer GET /version within %s", ErrTimeout, limit)
	}
	return fmt.Errorf("GET /version: %w", err)
}

// Status is what is known of one cluster's health.
type Status struct {
	Cluster
	Reachable bool
	Latency   time.Duration // of the version request
	Version   string
	Nodes     int // -1: not known (the caller may not list nodes)
	Error     string
}

// Probe asks each named cluster (all when names is empty) for its version and
// node count, as the caller in ctx, in parallel; a cluster in backoff is
// asked too, so a cluster that came back is seen at once.
func (m *Manager) Probe(ctx context.Context, names []string) []Status {
	if len(names) == 0 {
		names = m.current().names()
	}
	byName := map[string]Cluster{}
	for _, c := range m.List() {
		byName[c.Name] = c
	}
	statuses, outcomes := fan(ctx, m, names, true, m.timeout(), func(ctx context.Context, name string) (Status, error) {
		return m.probe(ctx, name)
	}, nil)
	for i, o := range outcomes {
		statuses[i].Cluster = byName[o.Cluster]
		statuses[i].Name = o.Cluster
		if o.Err != nil {
			statuses[i].Error = o.Err.Error()
			statuses[i].Nodes = -1
		}
	}
	return statuses
}

func (m *Manager) probe(ctx context.Context, name string) (Status, error) {
	kc, err := m.Get(ctx, name)
	if err != nil {
		return Status{}, err
	}
	st := Status{Nodes: -1}
	start := time.Now()
	body, err := kc.Typed.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	if err != nil {
		return Status{}, err
	}
	var v version.Info
	if err := json.Unmarshal(body, &v); err != nil {
		return Status{}, fmt.Errorf("reading the apiserver's version: %w", err)
	}
	st.Reachable, st.Latency, st.Version = true, time.Since(start), v.GitVersion
	nodes, err := kc.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1})
	if err == nil {
		st.Nodes = len(nodes.Items)
		if n := nodes.RemainingItemCount; n != nil {
			st.Nodes += int(*n)
		}
	}
	return st, nil
}

// Ready reports each cluster's /readyz, asked with the server's credential,
// one line per cluster. kubemcp is ready when at least one cluster answers:
// it can serve the clusters that do, and says which do not.
func (m *Manager) Ready(ctx context.Context) (string, error) {
	names := m.current().names()
	_, outcomes := fan(ctx, m, names, true, min(m.timeout(), 5*time.Second), func(ctx context.Context, name string) (struct{}, error) {
		kc, _, err := m.base(name)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, kc.Ready(ctx)
	}, nil)
	var b strings.Builder
	ready := 0
	for _, o := range outcomes {
		if o.Err != nil {
			fmt.Fprintf(&b, "cluster %s: not ready: %v\n", o.Cluster, o.Err)
			continue
		}
		ready++
		fmt.Fprintf(&b, "cluster %s: ok (%s)\n", o.Cluster, o.Took.Round(time.Millisecond))
	}
	if ready == 0 {
		return b.String(), fmt.Errorf("no cluster is ready")
	}
	return b.String(), nil
}
