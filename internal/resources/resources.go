package resources

import (
	"context"
	"log/slog"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// How many subscriptions a session, and one authenticated user across all
// their sessions, may hold unless Options say otherwise.
const (
	DefaultMaxPerSession = 100
	DefaultMaxPerUser    = 500
)

// Options configure the live resources.
type Options struct {
	// Clusters hands out clients as the caller in ctx (*clusters.Manager)
	// and names the default cluster, which refusals leave out of the tool
	// calls they suggest.
	Clusters tracker.Clusters
	// Pool is where subscriptions watch, shared with the tools that watch.
	Pool *tracker.Pool
	// MaxPerSession bounds a session's subscriptions; zero means
	// DefaultMaxPerSession.
	MaxPerSession int
	// MaxPerUser bounds the subscriptions of one user (by identity) across
	// their sessions; zero means DefaultMaxPerUser, negative no bound. A
	// caller without an identity is the one local user and has none.
	MaxPerUser int
}

// Resources is the live-resources feature of the MCP server.
type Resources struct {
	opts   Options
	logger *slog.Logger

	mu       sync.Mutex
	server   *mcp.Server
	sessions map[*mcp.ServerSession]*session
	users    map[string]int // subscriptions by user
	uris     map[string]*watched
	closed   bool
}

var _ mcpserver.Feature = (*Resources)(nil)

// New returns the live resources; Close ends their subscriptions.
func New(opts Options) *Resources {
	if opts.MaxPerSession <= 0 {
		opts.MaxPerSession = DefaultMaxPerSession
	}
	if opts.MaxPerUser == 0 {
		opts.MaxPerUser = DefaultMaxPerUser
	}
	return &Resources{opts: opts, logger: slog.New(slog.DiscardHandler),
		sessions: map[*mcp.ServerSession]*session{}, users: map[string]int{}, uris: map[string]*watched{}}
}

// Configure sets the subscribe and unsubscribe handlers; URIs that are not
// k8s:// go to the handlers set before, if any.
func (r *Resources) Configure(so *mcp.ServerOptions) {
	if so.Logger != nil {
		r.logger = so.Logger
	}
	nextSub, nextUnsub := so.SubscribeHandler, so.UnsubscribeHandler
	so.SubscribeHandler = func(ctx context.Context, req *mcp.SubscribeRequest) error {
		if isOurs(req.Params.URI) || nextSub == nil {
			return r.subscribe(ctx, req)
		}
		return nextSub(ctx, req)
	}
	so.UnsubscribeHandler = func(ctx context.Context, req *mcp.UnsubscribeRequest) error {
		if isOurs(req.Params.URI) || nextUnsub == nil {
			r.unsubscribe(req.Session, req.Params.URI)
			return nil
		}
		return nextUnsub(ctx, req)
	}
}

// Install adds the templates to s, which subscriptions notify.
func (r *Resources) Install(s *mcp.Server) {
	r.mu.Lock()
	r.server = s
	r.mu.Unlock()
	s.AddResourceTemplate(&mcp.ResourceTemplate{
		Name:        "kubernetes-object",
		Title:       "Kubernetes object",
		URITemplate: NamespacedTemplate,
		Description: "A namespaced object as YAML (Secret values redacted), read as you beneath RBAC. cluster is a context name (clusters_list); resource any kubectl spelling: pods, deploy, widgets.example.com. Subscribe to hear of each change within a second.",
		MIMEType:    MIMEType,
	}, r.read)
	s.AddResourceTemplate(&mcp.ResourceTemplate{
		Name:        "kubernetes-cluster-object",
		Title:       "Kubernetes cluster-scoped object",
		URITemplate: ClusterTemplate,
		Description: "A cluster-scoped object (nodes, namespaces, clusterroles...) as YAML, read as you beneath RBAC. Subscribe to hear of each change within a second.",
		MIMEType:    MIMEType,
	}, r.read)
}

// Subscriptions is how many subscriptions all sessions hold.
func (r *Resources) Subscriptions() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.sessions {
		n += len(s.subs)
	}
	return n
}

// Close ends every subscription; later ones are refused.
func (r *Resources) Close() {
	r.mu.Lock()
	r.closed = true
	var stops []func()
	for ss, s := range r.sessions {
		stops = append(stops, r.dropLocked(ss, s)...)
	}
	r.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}
