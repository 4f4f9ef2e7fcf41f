// Package kube is client-go access to one cluster: typed, dynamic and discovery
// clients, a cached RESTMapper, and the resolution of what a model calls a
// resource ("deploy", "Deployment", "deployments.apps", apiVersion+kind) into a
// GroupVersionResource.
package kube

import (
	"context"
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// Options tune the clients; the zero value means client-go's defaults except
// for the rate limit, which kubemcp always sets deliberately.
type Options struct {
	// QPS and Burst replace client-go's default of 5 and 10, which would throttle a
	// busy server to about five calls a second; zero means 200 and 400. The
	// apiserver's own priority and fairness does the real limiting.
	QPS   float32
	Burst int
	// Policy, if set, is enforced on every request by a RoundTripper beneath
	// all the clients.
	Policy *policy.Config
}

// The rate limit when Options say none: never client-go's own 5 and 10.
const (
	defaultQPS   = 200
	defaultBurst = 400
)

// Client is everything needed to talk to one cluster as one identity.
type Client struct {
	// Namespace is the default namespace for namespaced calls that name none:
	// the kubeconfig context's namespace, else "default".
	Namespace string
	Config    *rest.Config
	Typed     kubernetes.Interface
	Dynamic   dynamic.Interface
	Discovery discovery.CachedDiscoveryInterface
	Mapper    meta.ResettableRESTMapper

	refresh mapperRefresh
}

// New builds the clients for cfg. It does not contact the cluster.
func New(cfg *rest.Config, opts Options) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = defaultQPS, defaultBurst
	if opts.QPS > 0 {
		cfg.QPS = opts.QPS
	}
	if opts.Burst > 0 {
		cfg.Burst = opts.Burst
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kubemcp"
	}
	var c *Client // the guard asks c's mapper for kinds; no request runs before c is set
	if opts.Policy != nil {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return opts.Policy.RoundTripper(rt, func(g, v, r string) (string, bool, bool) { return c.kindOf(g, v, r) })
		})
	}
	// One HTTP client shared by the typed, dynamic and discovery clients, so
	// they share connections.
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("building HTTP client for %s: %w", cfg.Host, err)
	}
	c, err = newWithHTTPClient(cfg, hc)
	return c, err
}

func newWithHTTPClient(cfg *rest.Config, hc *http.Client) (*Client, error) {
	typed, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("building typed client for %s: %w", cfg.Host, err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("building dynamic client for %s: %w", cfg.Host, err)
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("building discovery client for %s: %w", cfg.Host, err)
	}
	cached := memory.NewMemCacheClient(disc)
	return &Client{
		Namespace: metav1.NamespaceDefault,
		Config:    cfg,
		Typed:     typed,
		Dynamic:   dyn,
		Discovery: cached,
		Mapper:    restmapper.NewDeferredDiscoveryRESTMapper(cached),
	}, nil
}

// kindOf maps a resource to its kind and scope from the cached RESTMapper.
func (c *Client) kindOf(group, version, resource string) (string, bool, bool) {
	gvk, err := c.Mapper.KindFor(schema.GroupVersionResource{Group: group, Version: version, Resource: resource})
	if err != nil {
		return "", false, false
	}
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return gvk.Kind, false, false
	}
	return gvk.Kind, m.Scope.Name() == meta.RESTScopeNameNamespace, true
}

// Ready asks the apiserver's /readyz; nil means the cluster serves requests.
func (c *Client) Ready(ctx context.Context) error {
	body, err := c.Typed.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("apiserver %s not ready: %w (%s)", c.Config.Host, err, trim(body, 200))
	}
	return nil
}

func trim(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
