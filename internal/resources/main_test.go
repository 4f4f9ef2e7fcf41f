package resources

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tracker"
	"github.com/kubemcp/kubemcp/internal/transport"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// flavour is a way a client reaches kubemcp.
type flavour struct {
	name    string
	http    string // "", "streamable" or "sse"
	version string
}

var flavours = []flavour{
	{"in-memory 2025-11-25", "", "2025-11-25"},
	{"in-memory 2026-07-28", "", "2026-07-28"},
	{"streamable 2025-11-25", "streamable", "2025-11-25"},
	{"streamable 2026-07-28", "streamable", "2026-07-28"},
	{"legacy sse", "sse", "2024-11-05"},
}

// stateless says whether each request is a session of its own (go-sdk opens
// one subscriptions/listen stream per subscribed URI).
func (f flavour) stateless() bool { return f.http == "streamable" && f.version >= "2026-07-28" }

// eachFlavour runs test once per flavour.
func eachFlavour(t *testing.T, test func(t *testing.T, f flavour)) {
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) { test(t, f) })
	}
}

// rig serves the live resources as kubemcp does: each caller reaches the test
// cluster as themselves by impersonation, through a shared pool.
type rig struct {
	f    flavour
	res  *Resources
	pool *tracker.Pool
	srv  *mcp.Server
	url  string // of the HTTP mux, for the HTTP flavours

	mu  sync.Mutex
	ids map[*mcp.ServerSession]*identity.Identity // in memory, where no bearer says who calls
}

func newRig(t *testing.T, f flavour, opts Options) *rig {
	t.Helper()
	return newLimitedRig(t, f, opts, limits{})
}

// limits are the server-wide and per-user bounds a rig serves with, as
// kubemcp serve wires them; zero means the defaults (no per-user limits in
// identity's).
type limits struct {
	pool tracker.PoolOptions
	user identity.Limits
	// http bounds the HTTP flavours' streams; tight serves them with small
	// socket buffers (testenv.TightListener).
	http  transport.HTTPOptions
	tight bool
}

func newLimitedRig(t *testing.T, f flavour, opts Options, l limits) *rig {
	t.Helper()
	m, err := clusters.New(clusters.Options{Kubeconfig: env.Kubeconfig, Credentials: clusters.Impersonate})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{f: f, pool: tracker.NewPool(m, l.pool), ids: map[*mcp.ServerSession]*identity.Identity{}}
	t.Cleanup(r.pool.Close)
	opts.Clusters, opts.Pool = m, r.pool
	r.res = New(opts)
	t.Cleanup(r.res.Close)
	r.srv = mcpserver.New(mcpserver.Options{Features: []mcpserver.Feature{r.res}, Bind: r.bind(),
		Admit: identity.Fair(identity.NewLimiter(l.user))})
	if f.http != "" {
		r.url = r.serveHTTP(t, l)
	}
	return r
}

// serveKubeconfig serves the live resources in memory with the server's
// credential from kubeconfig, and connects a client speaking version (""
// for the newest); all close when the test ends.
func serveKubeconfig(t *testing.T, kubeconfig, version string) (*mcp.ClientSession, *tracker.Pool) {
	t.Helper()
	m, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	pool := tracker.NewPool(m, tracker.PoolOptions{})
	t.Cleanup(pool.Close)
	res := New(Options{Clusters: m, Pool: pool})
	t.Cleanup(res.Close)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := mcpserver.New(mcpserver.Options{Features: []mcpserver.Feature{res}}).Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, nil).Connect(t.Context(), ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs, pool
}

// bind is identity.Bind, and in memory the identity each session was opened
// with: the in-memory transport has no HTTP request to carry a bearer.
func (r *rig) bind() mcp.Middleware {
	inMemory := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			r.mu.Lock()
			id := r.ids[req.GetSession().(*mcp.ServerSession)]
			r.mu.Unlock()
			if id != nil {
				ctx = identity.NewContext(ctx, id)
			}
			return next(ctx, method, req)
		}
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler { return identity.Bind()(inMemory(next)) }
}

// serveHTTP serves the transport's mux with static tokens, one per user.
func (r *rig) serveHTTP(t *testing.T, l limits) string {
	t.Helper()
	var entries []identity.TokenEntry
	for name, u := range env.Users {
		entries = append(entries, identity.TokenEntry{User: name, Groups: u.Groups, Token: "token-" + name})
	}
	tokens, err := identity.NewTokens(identity.TokenFile{Tokens: entries})
	if err != nil {
		t.Fatal(err)
	}
	opts := l.http
	opts.Auth = identity.Middleware(tokens, identity.HTTPOptions{})
	hs := httptest.NewUnstartedServer(transport.Mux(r.srv, opts))
	if l.tight {
		hs.Listener = testenv.TightListener(hs.Listener)
	}
	hs.Start()
	t.Cleanup(hs.Close)
	return hs.URL
}

// client is an MCP client connected as one user, recording what it is told.
type client struct {
	*mcp.ClientSession
	f       flavour
	updates chan string // URIs of notifications/resources/updated
	acks    chan struct{}
}

func (r *rig) connect(t *testing.T, user string) *client {
	t.Helper()
	c := &client{f: r.f, updates: make(chan string, 100), acks: make(chan struct{}, 100)}
	mc := mcp.NewClient(&mcp.Implementation{Name: "resources-test", Version: "v0"}, &mcp.ClientOptions{
		ResourceUpdatedHandler: func(_ context.Context, req *mcp.ResourceUpdatedNotificationRequest) { c.updates <- req.Params.URI },
	})
	mc.AddReceivingMiddleware(c.noteAcks)
	cs, err := mc.Connect(t.Context(), r.transport(t, user), &mcp.ClientSessionOptions{ProtocolVersion: r.f.version})
	if err != nil {
		t.Fatalf("connecting as %s: %v", user, err)
	}
	t.Cleanup(func() { cs.Close() })
	if got := cs.InitializeResult().ProtocolVersion; got != r.f.version {
		t.Fatalf("negotiated %s, want %s", got, r.f.version)
	}
	c.ClientSession = cs
	return c
}

func (r *rig) transport(t *testing.T, user string) mcp.Transport {
	t.Helper()
	return r.transportOver(t, user, http.DefaultTransport)
}

// transportOver is transport with HTTP requests sent through rt.
func (r *rig) transportOver(t *testing.T, user string, rt http.RoundTripper) mcp.Transport {
	t.Helper()
	hc := &http.Client{Transport: bearer{"token-" + user, rt}}
	switch r.f.http {
	case "streamable":
		return &mcp.StreamableClientTransport{Endpoint: r.url + transport.PathMCP, HTTPClient: hc}
	case "sse":
		return &mcp.SSEClientTransport{Endpoint: r.url + transport.PathSSE, HTTPClient: hc}
	}
	ct, st := mcp.NewInMemoryTransports()
	ss, err := r.srv.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.ids[ss] = &identity.Identity{User: user, Groups: env.Users[user].Groups}
	r.mu.Unlock()
	return ct
}

// bearer sends requests through rt with token.
type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(req)
}

// noteAcks records each subscriptions/listen acknowledgement: go-sdk sends
// it once the listen's subscriptions are in place.
func (c *client) noteAcks(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method == "notifications/subscriptions/acknowledged" {
			c.acks <- struct{}{}
		}
		return next(ctx, method, req)
	}
}

// subscribe subscribes to uri and returns once the subscription holds. A
// 2026-07-28 client's Subscribe opens a subscriptions/listen stream without
// waiting for it, so that waits for the server's acknowledgement; a refused
// listen is never acknowledged, and go-sdk does not hand its error back.
func (c *client) subscribe(t *testing.T, uri string) error {
	t.Helper()
	if err := c.Subscribe(t.Context(), &mcp.SubscribeParams{URI: uri}); err != nil {
		return err
	}
	if c.f.version < "2026-07-28" {
		return nil
	}
	select {
	case <-c.acks:
		return nil
	case <-time.After(3 * time.Second):
		return errNoAck
	}
}

var errNoAck = errors.New("the subscriptions/listen stream was not acknowledged within 3 s")

// update waits at most 2 s, the bound a subscriber is promised, for a
// notification about uri.
func (c *client) update(t *testing.T, uri string) {
	t.Helper()
	c.updateWithin(t, uri, 2*time.Second)
}

// updateWithin waits at most d for a notification about uri.
func (c *client) updateWithin(t *testing.T, uri string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case got := <-c.updates:
			if got == uri {
				return
			}
		case <-deadline:
			t.Fatalf("no notifications/resources/updated for %s within %s", uri, d)
		}
	}
}

// noUpdate fails on any notification within wait.
func (c *client) noUpdate(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case got := <-c.updates:
		t.Fatalf("unexpected notifications/resources/updated for %s", got)
	case <-time.After(wait):
	}
}

func createConfigMap(t *testing.T, ns, name string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"greeting": "hello"}}
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func contains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// grantConfigMaps lets user read and watch the ConfigMaps of ns.
func grantConfigMaps(t *testing.T, ns, user string) {
	t.Helper()
	rule := rbacv1.PolicyRule{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}
	if err := env.Grant(t.Context(), ns, "read-configmaps-"+user, rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, rule); err != nil {
		t.Fatal(err)
	}
}
