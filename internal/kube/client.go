// Package kube is client-go access to one cluster: typed, dynamic and discovery
// clients, a cached RESTMapper, and the resolution of what a model calls a
// resource ("deploy", "Deployment", "deployments.apps", apiVersion+kind) into a
// GroupVersionResource.
package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
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
	// Observe, if set, is told of every request that passes the policy.
	Observe Observer
	// Wrap, if set, wraps the transport of every client above the policy
	// guard, so it sees only requests the policy let through (the watch
	// cache records callers' writes there).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// Observer is told of a request sent to the apiserver: its verb as the
// apiserver reads it, the status code (0: no response came) and how long the
// response took to begin (a watch or a log stream counts until its headers).
type Observer func(verb string, code int, took time.Duration)

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

	refresh *mapperRefresh // shared with the clients For makes
	base    *rest.Config   // the server's own config, before the policy guard
	policy  *policy.Config
	observe Observer
	wrap    func(http.RoundTripper) http.RoundTripper
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
	c := &Client{Namespace: metav1.NamespaceDefault, refresh: &mapperRefresh{}, base: rest.CopyConfig(cfg), policy: opts.Policy, observe: opts.Observe, wrap: opts.Wrap}
	hc, err := c.build(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("building discovery client for %s: %w", cfg.Host, err)
	}
	c.Discovery = memory.NewMemCacheClient(disc)
	c.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(c.Discovery)
	return c, nil
}

// OwnConfig is the server's own credential with no policy guard beneath:
// for kubemcp's own bookkeeping (the operator's watch and status writes, the
// watch cache), which read-only mode and deny rules, made for callers, must
// not stop. Never for a caller's request. The Observer is beneath it too:
// those requests reach the apiserver as much as a caller's.
func (c *Client) OwnConfig() *rest.Config {
	cfg := rest.CopyConfig(c.base)
	if c.observe != nil {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return observed{rt, c.observe} })
	}
	return cfg
}

// build puts the observer and the policy guard beneath cfg and sets c's Config, Typed and
// Dynamic on one HTTP client, which it returns for the discovery client.
func (c *Client) build(cfg *rest.Config) (*http.Client, error) {
	if c.observe != nil {
		// Beneath the guard: what it refuses never reaches the apiserver.
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return observed{rt, c.observe} })
	}
	if c.policy != nil {
		// The guard asks the cluster's shared mapper for kinds; no request runs before it is set.
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return c.policy.RoundTripper(rt, func(g, v, r string) (string, bool, bool) { return c.kindOf(g, v, r) })
		})
	}
	if c.wrap != nil {
		cfg.Wrap(c.wrap)
	}
	// One HTTP client shared by the typed, dynamic and discovery clients, so
	// they share connections.
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("building HTTP client for %s: %w", cfg.Host, err)
	}
	typed, err := kubernetes.NewForConfigAndClient(protobuf(cfg), hc)
	if err != nil {
		return nil, fmt.Errorf("building typed client for %s: %w", cfg.Host, err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("building dynamic client for %s: %w", cfg.Host, err)
	}
	c.Config, c.Typed, c.Dynamic = cfg, typed, dyn
	return hc, nil
}

// protobuf is cfg for the typed client, which can speak the apiserver's
// protobuf encoding: decoding a list of pods from it costs a fraction of
// decoding JSON. The dynamic and discovery clients need JSON.
func protobuf(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	return cfg
}

// Credential is how a client made by For authenticates.
type Credential struct {
	// Impersonate: the server's own credential, acting as this user and groups.
	Impersonate rest.ImpersonationConfig
	// BearerToken: the caller's own credential, sent alone (passthrough);
	// nothing of the server's credential goes with it.
	BearerToken string
}

// For returns a client for the same cluster that authenticates with cred
// instead of c's credential. It shares c's discovery cache and RESTMapper
// (what the cluster serves does not depend on who asks, and those stay
// fetched with the server's own credential: so whoever hands the client out
// must know, by ReadDiscovery, that the cluster lets cred read them), so it
// makes no request; every request it sends passes the same policy guard.
// The TLS connections to the apiserver are client-go's, shared by all
// clients with the same TLS settings; the credential is per request.
func (c *Client) For(cred Credential) (*Client, error) {
	var cfg *rest.Config
	switch {
	case cred.BearerToken != "":
		cfg = rest.AnonymousClientConfig(c.base)
		cfg.BearerToken = cred.BearerToken
	case cred.Impersonate.UserName != "":
		cfg = rest.CopyConfig(c.base)
		cfg.Impersonate = cred.Impersonate
	default:
		return nil, errors.New("kube.Credential: give a bearer token or a user to impersonate")
	}
	d := &Client{Namespace: c.Namespace, Discovery: c.Discovery, Mapper: c.Mapper, refresh: c.refresh, base: c.base, policy: c.policy, observe: c.observe, wrap: c.wrap}
	if _, err := d.build(cfg); err != nil {
		return nil, err
	}
	return d, nil
}

// kindOf maps a resource to its kind and scope from the cached RESTMapper.
func (c *Client) kindOf(group, version, resource string) (string, bool, bool) {
	gvk, namespaced, err := c.mapping(schema.GroupVersionResource{Group: group, Version: version, Resource: resource})
	return gvk.Kind, namespaced, err == nil
}

// mapping is the kind and scope of an exact resource, from the cached
// RESTMapper; the kind is set if it was found, even when the scope was not.
func (c *Client) mapping(gvr schema.GroupVersionResource) (schema.GroupVersionKind, bool, error) {
	gvk, err := c.Mapper.KindFor(gvr)
	if err != nil {
		return schema.GroupVersionKind{}, false, err
	}
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return gvk, false, err
	}
	return gvk, m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// ReadDiscovery asks the apiserver for /api with c's own credential: nil
// means the cluster accepts the credential (a revoked token is 401) and lets
// it read API discovery, which is what the shared discovery cache and
// RESTMapper hold (a caller denied it is 403). The answer is small and the
// same for everyone, so this is cheap.
func (c *Client) ReadDiscovery(ctx context.Context) error {
	if err := c.Typed.Discovery().RESTClient().Get().AbsPath("/api").Do(ctx).Error(); err != nil {
		return fmt.Errorf("reading the apiserver's API discovery (/api): %w", err)
	}
	return nil
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

// observed tells an Observer of each request rt sends.
type observed struct {
	rt      http.RoundTripper
	observe Observer
}

func (o observed) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := o.rt.RoundTrip(req)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	o.observe(policy.ParseRequest(req.Method, req.URL).Verb, code, time.Since(start))
	return resp, err
}

// WrappedRoundTripper lets client-go reach the transport beneath, as it does
// to close idle connections.
func (o observed) WrappedRoundTripper() http.RoundTripper { return o.rt }
