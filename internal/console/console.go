package console

import (
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/store"
)

//go:embed web
var web embed.FS

// Clusters names the clusters there are, from a cluster argument as the
// tools take it ("*", names, patterns); clusters.Manager is one. The console
// uses it only to know which clusters a stream asks, not to reach them.
type Clusters interface {
	Select(spec string) ([]string, error)
}

// Options configure the console. Store, MCP and Clusters are required.
type Options struct {
	Store    *store.Store
	MCP      *mcp.Server // kubemcp's own server, reached in process
	Clusters Clusters
	// DevUser lets anyone who can reach the console sign in as the dev
	// user: only for a console listening on loopback with no sign-in
	// provider configured.
	DevUser        bool
	SessionTTL     time.Duration // zero: DefaultSessionTTL
	StreamDeadline time.Duration // zero: DefaultStreamDeadline
	Logger         *slog.Logger  // nil: discard
}

// Console serves the web app and its API.
type Console struct {
	opts   Options
	log    *slog.Logger
	key    []byte
	bridge bridge
}

// New makes a console; Register serves it.
func New(opts Options) (*Console, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.StreamDeadline <= 0 {
		opts.StreamDeadline = DefaultStreamDeadline
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	return &Console{opts: opts, log: log, key: key, bridge: bridge{server: opts.MCP}}, nil
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
	mux.Handle("GET /api/me", c.signedIn(c.me))
	mux.Handle("GET /api/dashboards", c.signedIn(c.listDashboards))
	mux.Handle("POST /api/dashboards", c.signedIn(c.createDashboard))
	mux.Handle("GET /api/dashboards/{id}", c.signedIn(c.getDashboard))
	mux.Handle("PUT /api/dashboards/{id}", c.signedIn(c.renameDashboard))
	mux.Handle("DELETE /api/dashboards/{id}", c.signedIn(c.deleteDashboard))
	mux.Handle("POST /api/dashboards/{id}/cards", c.signedIn(c.addCard))
	mux.Handle("PUT /api/dashboards/{id}/cards/{card}", c.signedIn(c.changeCard))
	mux.Handle("DELETE /api/dashboards/{id}/cards/{card}", c.signedIn(c.removeCard))
	mux.Handle("GET /api/clusters", c.signedIn(c.clusters))
	mux.Handle("GET /api/stream/{kind}", c.signedIn(c.stream))
	mux.Handle("/api/", c.handle(func(_ http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "not_found", "no API at %s %s", r.Method, r.URL.Path)
	}))
	return mux
}
