// Package clusters knows where kubemcp's clusters come from (kubeconfig contexts
// or the in-cluster service account) and hands out clients for them: one per
// cluster with the server's credential, and, when callers reach the cluster as
// themselves (impersonation or passthrough), one per cluster and caller from a
// bounded cache, all sharing the cluster's discovery cache and RESTMapper.
package clusters

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// InClusterName is the cluster name used when kubemcp runs in a pod without a kubeconfig.
const InClusterName = "in-cluster"

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// ErrUnknownCluster is returned for a cluster name no source provides.
var ErrUnknownCluster = errors.New("unknown cluster")

// ErrNoClusters means neither a kubeconfig nor an in-cluster service account was found.
var ErrNoClusters = errors.New("no cluster configured: no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config) and not running inside a cluster; pass --kubeconfig PATH")

// Options say where to look. The zero value uses $KUBECONFIG or ~/.kube/config,
// then the in-cluster service account.
type Options struct {
	Kubeconfig string // explicit kubeconfig path; wins over $KUBECONFIG
	Context    string // default context; empty means the kubeconfig's current context
	Client     kube.Options
	Logger     *slog.Logger
	// Credentials say whose credential a call reaches the cluster with; empty
	// means Server.
	Credentials Credentials
	// CacheSize bounds the per-caller clients kept (DefaultCacheSize when
	// zero), and CacheTTL how long one is kept after it is built
	// (DefaultCacheTTL when zero). Either negative: no cache, a client per call.
	CacheSize int
	CacheTTL  time.Duration
}

// Cluster describes one configured cluster.
type Cluster struct {
	Name    string // the kubeconfig context name, or InClusterName
	Server  string
	Default bool
}

// Manager holds the configured clusters and their clients.
type Manager struct {
	opts     Options
	clusters []Cluster
	def      string
	configs  map[string]*rest.Config
	ns       map[string]string // default namespace per cluster

	mu      sync.Mutex
	clients map[string]*kube.Client // with the server's credential, by cluster
	cache   *clientCache            // per caller
}

// New reads the cluster sources. It does not contact any cluster.
func New(opts Options) (*Manager, error) {
	m := &Manager{opts: opts, configs: map[string]*rest.Config{}, ns: map[string]string{}, clients: map[string]*kube.Client{},
		cache: newClientCache(opts.CacheSize, opts.CacheTTL)}
	raw, rules, err := loadKubeconfig(opts.Kubeconfig)
	if err != nil {
		return nil, err
	}
	if len(raw.Contexts) == 0 {
		return m, m.addInCluster()
	}
	return m, m.addKubeconfig(raw, rules)
}

func loadKubeconfig(path string) (*clientcmdapi.Config, *clientcmd.ClientConfigLoadingRules, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	raw, err := rules.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	return raw, rules, nil
}

func (m *Manager) addInCluster() error {
	if m.opts.Context != "" {
		return fmt.Errorf("--context %q given but no kubeconfig was found: %w", m.opts.Context, ErrNoClusters)
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return ErrNoClusters
	}
	m.def = InClusterName
	m.configs[InClusterName] = cfg
	if ns, err := os.ReadFile(serviceAccountNamespace); err == nil {
		m.ns[InClusterName] = strings.TrimSpace(string(ns))
	}
	m.clusters = []Cluster{{Name: InClusterName, Server: cfg.Host, Default: true}}
	return nil
}

func (m *Manager) addKubeconfig(raw *clientcmdapi.Config, rules clientcmd.ClientConfigLoader) error {
	m.def = raw.CurrentContext
	if m.opts.Context != "" {
		m.def = m.opts.Context
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range raw.Contexts {
			if !yield(n) {
				return
			}
		}
	})
	if m.def == "" {
		return fmt.Errorf("the kubeconfig has no current context; pass --context (one of: %s)", strings.Join(names, ", "))
	}
	if _, ok := raw.Contexts[m.def]; !ok {
		return fmt.Errorf("context %q: %w; the kubeconfig has: %s", m.def, ErrUnknownCluster, strings.Join(names, ", "))
	}
	var errs []error
	for _, name := range names {
		cc := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules)
		cfg, err := cc.ClientConfig()
		if err == nil {
			m.ns[name], _, err = cc.Namespace()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("context %q: %w", name, err))
			continue
		}
		m.configs[name] = cfg
		m.clusters = append(m.clusters, Cluster{Name: name, Server: cfg.Host, Default: name == m.def})
	}
	if _, ok := m.configs[m.def]; !ok {
		return errors.Join(errs...)
	}
	for _, err := range errs {
		m.logger().Warn("skipping kubeconfig context", "error", err)
	}
	return nil
}

func (m *Manager) logger() *slog.Logger {
	if m.opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.opts.Logger
}

// List returns the configured clusters, sorted by name.
func (m *Manager) List() []Cluster { return slices.Clone(m.clusters) }

// DefaultName is the cluster used when a call names none.
func (m *Manager) DefaultName() string { return m.def }

// Get returns the client for the named cluster ("" is the default) and the
// caller in ctx (identity.FromContext), building it on first use: with the
// server's credential, or as the caller (see Credentials). Without a caller
// in ctx, impersonate and passthrough refuse with ErrNoIdentity.
func (m *Manager) Get(ctx context.Context, name string) (*kube.Client, error) {
	base, err := m.base(name)
	if err != nil {
		return nil, err
	}
	return m.clientFor(ctx, cmp.Or(name, m.def), base)
}

// base returns the named cluster's client with the server's credential.
func (m *Manager) base(name string) (*kube.Client, error) {
	if name == "" {
		name = m.def
	}
	cfg, ok := m.configs[name]
	if !ok {
		names := make([]string, 0, len(m.clusters))
		for _, c := range m.clusters {
			names = append(names, c.Name)
		}
		return nil, fmt.Errorf("cluster %q: %w; configured clusters: %s", name, ErrUnknownCluster, strings.Join(names, ", "))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.clients[name]; ok {
		return c, nil
	}
	c, err := kube.New(cfg, m.opts.Client)
	if err != nil {
		return nil, fmt.Errorf("cluster %q: %w", name, err)
	}
	if ns := m.ns[name]; ns != "" {
		c.Namespace = ns
	}
	m.clients[name] = c
	return c, nil
}

// Ready reports whether the default cluster's apiserver answers /readyz,
// asked with the server's credential.
func (m *Manager) Ready(ctx context.Context) error {
	c, err := m.base("")
	if err != nil {
		return err
	}
	return c.Ready(ctx)
}
