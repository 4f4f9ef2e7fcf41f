// Package agent is `kubemcp agent`: a local server for the console in a
// browser and for coding agents on the same machine. It speaks a small
// message protocol over a WebSocket at /ws (health, clusters, kubectl
// through the guarded CLI tool, with a preview and a second, confirmed
// message for anything that changes the cluster) and serves MCP at /mcp. A
// browser page reaches it only from an allowed origin.
package agent

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultPort is where the agent listens without --port.
const DefaultPort = 8585

// PathWS is the agent's message socket.
const PathWS = "/ws"

// Options configure the agent. MCP is required.
type Options struct {
	MCP *mcp.Server // kubemcp's own server, with the CLI toolset
	// MCPHandler serves everything but /ws (MCP at /mcp, the probes);
	// nil serves only /ws.
	MCPHandler http.Handler
	// AllowedOrigins are browser origins allowed beside the localhost ones
	// (http or https on localhost, 127.0.0.1 or [::1], any port), e.g.
	// https://console.example.com.
	AllowedOrigins []string
	// Token, when set, must be presented by every request but /healthz: as
	// a bearer, or as the token query parameter (a browser cannot set
	// headers on a WebSocket).
	Token   string
	Version string
	Logger  *slog.Logger // nil: discard
}

// Agent serves the local agent's HTTP endpoints.
type Agent struct {
	opts     Options
	log      *slog.Logger
	upgrader websocket.Upgrader
}

// New makes an agent; Handler serves it.
func New(opts Options) *Agent {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{opts: opts, log: log}
	a.upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return a.originAllowed(r.Header.Get("Origin")) }}
	return a
}

// Handler serves /ws and, through MCPHandler, the rest; every request is
// checked for its origin and token first.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathWS, a.serveWS)
	if a.opts.MCPHandler != nil {
		mux.Handle("/", a.opts.MCPHandler)
	}
	return a.guard(mux)
}

// guard refuses, before anything is served or upgraded, a browser page from
// an origin not allowed (403), and a request without the token (401).
func (a *Agent) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); !a.originAllowed(o) {
			http.Error(w, fmt.Sprintf("origin %q may not use the kubemcp agent; start it with --allowed-origins %s (or KC_ALLOWED_ORIGINS) to allow it", o, o), http.StatusForbidden)
			return
		}
		if r.URL.Path != "/healthz" && !a.tokenPresented(r) {
			http.Error(w, "the kubemcp agent needs its token: Authorization: Bearer TOKEN, or ?token=TOKEN on the WebSocket URL", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed: no Origin (a client outside a browser), a localhost
// origin, or one of AllowedOrigins.
func (a *Agent) originAllowed(origin string) bool {
	if origin == "" {
		return true
	}
	if slices.Contains(a.opts.AllowedOrigins, strings.TrimSuffix(origin, "/")) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

func (a *Agent) tokenPresented(r *http.Request) bool {
	if a.opts.Token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.Token)) == 1
}

// ParseOrigins reads a comma-separated origin list (--allowed-origins,
// KC_ALLOWED_ORIGINS), each an absolute http or https origin.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port], e.g. https://console.example.com", o)
		}
		out = append(out, o)
	}
	return out, nil
}
