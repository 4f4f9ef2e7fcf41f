package clusters

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// InClusterName is the cluster name used when kubemcp runs in a pod without a kubeconfig.
const InClusterName = "in-cluster"

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// ErrUnknownCluster is returned for a cluster name no source provides.
var ErrUnknownCluster = errors.New("unknown cluster")

// ErrNoClusters means neither a kubeconfig nor an in-cluster service account was found.
var ErrNoClusters = errors.New("no cluster configured: no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config) and not running inside a cluster; pass --kubeconfig PATH")

// Options say where to look. The zero value reads $KUBECONFIG or
// ~/.kube/config, and adds the cluster kubemcp runs in when it runs in a pod.
type Options struct {
	// Kubeconfig lists kubeconfig files or directories of them, separated like
	// $PATH; it wins over $KUBECONFIG.
	Kubeconfig string
	Context    string // default context; empty means the kubeconfig's current context
	// Include and Exclude are name patterns (path.Match: *, ?, [a-z]): a
	// cluster is served when it matches an include pattern (or there are
	// none) and no exclude pattern.
	Include, Exclude []string
	Client           kube.Options
	Logger           *slog.Logger
	// Observe, if set, gives the kube.Observer of each cluster's clients,
	// by the cluster's name.
	Observe func(cluster string) kube.Observer
	// Trace, if set, gives a wrapper of each cluster's transport by the
	// cluster's name, outermost, so that it sees what the policy refuses too
	// (tracing.Tracing.Kube).
	Trace func(cluster string) func(http.RoundTripper) http.RoundTripper
	// Credentials say whose credential a call reaches the cluster with; empty
	// means Server.
	Credentials Credentials
	// CacheSize bounds the per-caller clients kept (DefaultCacheSize when
	// zero), and CacheTTL how long one is kept after it is built
	// (DefaultCacheTTL when zero). Either negative: no cache, a client per call.
	CacheSize int
	CacheTTL  time.Duration
	// Timeout bounds each cluster's part of a fan-out (DefaultTimeout when
	// zero), and Concurrency how many clusters a fan-out asks at once
	// (DefaultConcurrency when zero).
	Timeout     time.Duration
	Concurrency int
	// MaxBackoff is the longest an unreachable cluster is skipped before it is
	// tried again (DefaultMaxBackoff when zero).
	MaxBackoff time.Duration
	// InCluster returns the config of the cluster kubemcp runs in;
	// nil means rest.InClusterConfig. Tests set it.
	InCluster func() (*rest.Config, error)
}

// Cluster describes one configured cluster.
type Cluster struct {
	Name      string // the kubeconfig context name, or InClusterName
	Server    string
	Namespace string // what a call that names no namespace acts in
	Default   bool
}

// Manager holds the configured clusters and their clients. The clusters can
// change while it runs (Reload, Watch); a call sees one consistent set.
type Manager struct {
	opts     Options
	cache    *clientCache // per caller
	accepted *accepted    // per caller: when the cluster last let the caller read discovery
	health   *health

	mu       sync.Mutex
	snap     *snapshot
	clients  map[string]*kube.Client // with the server's credential, by cluster
	onChange []func(Change)
}

// New reads the cluster sources. It does not contact any cluster.
func New(opts Options) (*Manager, error) {
	if err := policy.CheckPatterns("cluster include and exclude lists", opts.Include, opts.Exclude); err != nil {
		return nil, err
	}
	snap, warnings, err := opts.load()
	if err != nil {
		return nil, err
	}
	m := &Manager{opts: opts, snap: snap, clients: map[string]*kube.Client{},
		cache: newClientCache(opts.CacheSize, opts.CacheTTL), accepted: newAccepted(), health: newHealth(opts.MaxBackoff)}
	for _, w := range warnings {
		m.logger().Warn("skipping kubeconfig context", "error", w)
	}
	return m, nil
}

func (m *Manager) logger() *slog.Logger {
	if m.opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.opts.Logger
}

func (m *Manager) current() *snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap
}

// List returns the configured clusters, sorted by name.
func (m *Manager) List() []Cluster { return slices.Clone(m.current().clusters) }

// Names are the configured clusters' names, sorted.
func (m *Manager) Names() []string { return m.current().names() }

// CachedClients is how many per-caller clients the cache holds.
func (m *Manager) CachedClients() int { return m.cache.len() }

// DefaultName is the cluster used when a call names none.
func (m *Manager) DefaultName() string { return m.current().def }

// Get returns the client for the named cluster ("" is the default) and the
// caller in ctx (identity.FromContext), building it on first use: with the
// server's credential, or as the caller (see Credentials). Without a caller
// in ctx, impersonate and passthrough refuse with ErrNoIdentity. A caller's
// client comes only after the cluster let the caller read its API discovery
// within the last ten seconds (asking it if not): the client answers from
// discovery the server's credential read, which a caller the cluster no
// longer accepts must not see.
func (m *Manager) Get(ctx context.Context, name string) (*kube.Client, error) {
	base, name, err := m.base(name)
	if err != nil {
		return nil, err
	}
	return m.clientFor(ctx, name, base)
}

// Server returns the named cluster's client with the server's own
// credential, whatever the credentials mode, and the cluster's name. It is
// for kubemcp's own machinery (the shared watch cache and the access reviews
// behind it), never for a caller's request: tools use Get.
func (m *Manager) Server(name string) (*kube.Client, string, error) { return m.base(name) }

// base returns the named cluster's client with the server's credential, and
// the cluster's name ("" is the default).
func (m *Manager) base(name string) (*kube.Client, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = cmp.Or(name, m.snap.def)
	cfg, ok := m.snap.configs[name]
	if !ok {
		return nil, name, m.unknown(name)
	}
	if c, ok := m.clients[name]; ok {
		return c, name, nil
	}
	opts := m.opts.Client
	if m.opts.Observe != nil {
		opts.Observe = m.opts.Observe(name)
	}
	if m.opts.Trace != nil {
		opts.Wrap = outermost(opts.Wrap, m.opts.Trace(name))
	}
	c, err := kube.New(cfg, opts)
	if err != nil {
		return nil, name, fmt.Errorf("cluster %q: %w", name, err)
	}
	c.Namespace = m.snap.namespace(name)
	m.clients[name] = c
	return c, name, nil
}

// outermost wraps a transport in inner, then in outer; either may be nil.
func outermost(inner, outer func(http.RoundTripper) http.RoundTripper) func(http.RoundTripper) http.RoundTripper {
	switch {
	case inner == nil:
		return outer
	case outer == nil:
		return inner
	}
	return func(rt http.RoundTripper) http.RoundTripper { return outer(inner(rt)) }
}

// unknown is the error for a name no source provides; m.mu is held.
func (m *Manager) unknown(name string) error {
	if strings.ContainsAny(name, ",*") {
		return fmt.Errorf("cluster %q: this tool acts on one cluster at a time; name one of: %s", name, strings.Join(m.snap.names(), ", "))
	}
	return fmt.Errorf("cluster %q: %w; configured clusters: %s", name, ErrUnknownCluster, strings.Join(m.snap.names(), ", "))
}
