package console

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/sync/singleflight"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/tracker"
	"github.com/kubemcp/kubemcp/internal/transport"
)

//go:embed web
var web embed.FS

// Clusters names the clusters there are, from a cluster argument as the
// tools take it ("*", names, patterns); clusters.Manager is one. The console
// uses it only to know which clusters a stream asks, not to reach them.
type Clusters interface {
	Select(spec string) ([]string, error)
}

// Options configure the console. Store is required, and MCP and Clusters
// unless Remote is set.
type Options struct {
	Store    *store.Store
	MCP      *mcp.Server // kubemcp's own server, reached in process
	Clusters Clusters
	// Watches is the server's shared watch pool, which /api/live watches
	// in as each user; nil (with Remote): no live updates.
	Watches *tracker.Pool
	// Remote, when set, is the kubemcp the console reads clusters through
	// instead of MCP; its clusters_list names the clusters.
	Remote *Remote
	// DevUser lets anyone who can reach the console sign in as the dev
	// user: only for a console listening on loopback with no sign-in
	// provider configured.
	DevUser bool
	// Sign-in providers; nil: not offered.
	GitHub *GitHub
	OIDC   *OIDC
	// Rules map who signed in to whom they reach Kubernetes as.
	Rules []Rule
	// PublicURL is where people reach the console, as registered with the
	// providers (the callback is PublicURL/api/auth/PROVIDER/callback);
	// empty: the origin each request reached.
	PublicURL      string
	SessionTTL     time.Duration // zero: DefaultSessionTTL
	StreamDeadline time.Duration // zero: DefaultStreamDeadline
	// StreamStall is how long one write to an event stream may wait for a
	// reader that does not take it; past it the stream ends. Zero:
	// transport.DefaultStreamStall.
	StreamStall time.Duration
	Logger      *slog.Logger // nil: discard
	// AI is the model missions and recommendations use; nil: none.
	AI *ai.Client
	// TokenLimit caps the tokens any user may spend a day, whatever their
	// settings say; 0: no cap beyond their settings.
	TokenLimit int64
}

// Console serves the web app and its API.
type Console struct {
	opts    Options
	log     *slog.Logger
	key     []byte
	bridge  bridge
	signIns map[string]provider
	catalog catalog

	missions  hub
	holds     holds              // tokens reserved by calls of the model in flight
	proactive singleflight.Group // one proactive summary made a user at a time
}

// New makes a console; Register serves it.
func New(ctx context.Context, opts Options) (*Console, error) {
	if opts.Remote != nil && opts.AI != nil {
		// A mission applies its plans through kubemcp in process, as the
		// person who approved them; a remote kubemcp knows only its token.
		return nil, errors.New("AI missions need the console's own kubemcp: leave out --mcp-url, or the --ai-* settings")
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.StreamDeadline <= 0 {
		opts.StreamDeadline = DefaultStreamDeadline
	}
	if opts.StreamStall <= 0 {
		opts.StreamStall = transport.DefaultStreamStall
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := sessionKey(ctx, opts.Store)
	if err != nil {
		return nil, err
	}
	cat, err := newCatalog()
	if err != nil {
		return nil, err
	}
	c := &Console{opts: opts, log: log, key: key, bridge: bridge{server: opts.MCP, remote: opts.Remote}, signIns: map[string]provider{}, catalog: cat}
	if opts.Remote != nil {
		c.opts.Clusters = &remoteClusters{bridge: &c.bridge}
	}
	if opts.GitHub != nil {
		c.signIns["github"] = githubProvider{*opts.GitHub}
	}
	if opts.OIDC != nil {
		c.signIns["oidc"] = oidcProvider{*opts.OIDC}
	}
	if opts.DevUser && len(c.signIns) > 0 {
		return nil, errors.New("the dev user is only for a console with no sign-in provider")
	}
	if err := c.endInterrupted(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Register serves the web app at / (and its client-side routes) and the
// API under /api/ on mux, beside what else mux serves (MCP at /mcp).
func (c *Console) Register(mux *http.ServeMux) {
	mux.Handle("/", spa(appFiles()))
	mux.Handle("/api/", c.guard(c.api()))
}

func (c *Console) api() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST /api/login", c.handle(c.login))
	mux.Handle("POST /api/logout", c.handle(c.logout))
	mux.Handle("GET /api/auth/providers", c.handle(c.providers))
	mux.Handle("GET /api/auth/{provider}/login", c.handle(c.startSignIn))
	mux.Handle("GET /api/auth/{provider}/callback", c.handle(c.finishSignIn))
	mux.Handle("GET /api/me", c.signedIn(c.me))
	mux.Handle("GET /api/dashboards", c.signedIn(c.listDashboards))
	mux.Handle("POST /api/dashboards", c.signedIn(c.createDashboard))
	mux.Handle("GET /api/dashboards/{id}", c.signedIn(c.getDashboard))
	mux.Handle("PUT /api/dashboards/{id}", c.signedIn(c.renameDashboard))
	mux.Handle("DELETE /api/dashboards/{id}", c.signedIn(c.deleteDashboard))
	mux.Handle("POST /api/dashboards/{id}/cards", c.signedIn(c.addCard))
	mux.Handle("PUT /api/dashboards/{id}/cards/{card}", c.signedIn(c.changeCard))
	mux.Handle("DELETE /api/dashboards/{id}/cards/{card}", c.signedIn(c.removeCard))
	mux.Handle("POST /api/dashboards/{id}/cards/{card}/swap", c.signedIn(c.swapCard))
	mux.Handle("GET /api/cards/catalog", c.signedIn(c.cardCatalog))
	mux.Handle("GET /api/settings", c.signedIn(c.getSettings))
	mux.Handle("PUT /api/settings", c.signedIn(c.putSettings))
	mux.Handle("GET /api/onboarding", c.signedIn(c.getOnboarding))
	mux.Handle("POST /api/onboarding", c.signedIn(c.answerOnboarding))
	mux.Handle("GET /api/clusters", c.signedIn(c.clusters))
	mux.Handle("GET /api/clusters/{name}", c.signedIn(c.clusterDetail))
	mux.Handle("GET /api/stream/{kind}", c.signedIn(c.stream))
	mux.Handle("GET /api/live", c.signedIn(c.live))
	mux.Handle("GET /api/recommendations", c.signedIn(c.recommend))
	mux.Handle("POST /api/recommendations/rank", c.signedIn(c.rankRecommendations))
	mux.Handle("POST /api/recommendations/{id}/accept", c.signedIn(c.acceptRecommendation))
	mux.Handle("POST /api/recommendations/{id}/snooze", c.signedIn(c.snoozeRecommendation))
	mux.Handle("GET /api/clusters/{cluster}/pods/{namespace}/{name}/log", c.signedIn(c.podLogs))
	mux.Handle("GET /api/clusters/{cluster}/objects", c.signedIn(c.object))
	mux.Handle("GET /api/insights/{kind}", c.signedIn(c.insights))
	mux.Handle("POST /api/ai/summary", c.signedIn(c.summarize))
	mux.Handle("GET /api/ai/summary", c.signedIn(c.proactiveSummary))
	mux.Handle("POST /api/missions", c.signedIn(c.createMission))
	mux.Handle("GET /api/missions", c.signedIn(c.listMissions))
	mux.Handle("GET /api/missions/{id}", c.signedIn(c.getMission))
	mux.Handle("GET /api/missions/{id}/stream", c.signedIn(c.streamMission))
	mux.Handle("POST /api/missions/{id}/approve", c.signedIn(c.approveMission))
	mux.Handle("POST /api/missions/{id}/refuse", c.signedIn(c.refuseMission))
	mux.Handle("/api/", c.handle(func(_ http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "not_found", "no API at %s %s", r.Method, r.URL.Path)
	}))
	return mux
}
