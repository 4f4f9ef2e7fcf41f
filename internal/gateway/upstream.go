package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/backoff"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// upstream is one upstream MCP server and the session kubemcp holds to it.
type upstream struct {
	g      *Gateway
	cfg    config.Upstream
	client *mcp.Client
	relist chan struct{} // the upstream said its tools changed
	stderr tail
	// attached says it came from Attach, not kubemcp's configuration;
	// stop and stopped end its run (set by launch).
	attached bool
	stop     context.CancelFunc
	stopped  chan struct{}
	// idle is the session's own HTTP transport (with its TLS), if it has
	// one: its connections are closed when the session ends. Only run's
	// goroutine uses it.
	idle *http.Transport

	mu      sync.Mutex
	session *mcp.ClientSession // nil while disconnected
	served  map[string]bool    // the names its tools are served under now: whether each is read-only
	catalog catalog            // its prompts and resources served now
	state   State
}

// State is what upstreams_list shows of an upstream.
type State struct {
	Name              string    `json:"name"`
	Transport         string    `json:"transport"`
	Connected         bool      `json:"connected"`
	Tools             []string  `json:"tools" jsonschema:"the names kubemcp serves its tools under"`
	Hidden            int       `json:"hidden" jsonschema:"tools it has that configuration or the read-only and destructive filters keep out"`
	Prompts           []string  `json:"prompts" jsonschema:"the names kubemcp serves its prompts under"`
	Resources         int       `json:"resources" jsonschema:"its resources kubemcp serves, as kubemcp-upstream://<name>/<its URI>"`
	ResourceTemplates int       `json:"resource_templates"`
	LastError         string    `json:"last_error,omitempty"`
	LatencyMS         float64   `json:"latency_ms" jsonschema:"of its last tools/list"`
	Since             time.Time `json:"since" jsonschema:"when it last connected or disconnected"`
}

func newUpstream(g *Gateway, cfg config.Upstream) *upstream {
	u := &upstream{g: g, cfg: cfg, relist: make(chan struct{}, 1), served: map[string]bool{}, catalog: newCatalog(),
		state: State{Name: cfg.Name, Transport: cfg.TransportKind(), Tools: []string{}, Prompts: []string{}}}
	relist := func() {
		select {
		case u.relist <- struct{}{}:
		default: // one pending relist covers any number of changes
		}
	}
	u.client = mcp.NewClient(&mcp.Implementation{Name: "kubemcp-gateway", Version: g.opts.Version}, &mcp.ClientOptions{
		Logger:                     g.logger.With("upstream", cfg.Name),
		ToolListChangedHandler:     func(context.Context, *mcp.ToolListChangedRequest) { relist() },
		PromptListChangedHandler:   func(context.Context, *mcp.PromptListChangedRequest) { relist() },
		ResourceListChangedHandler: func(context.Context, *mcp.ResourceListChangedRequest) { relist() },
		ProgressNotificationHandler: func(ctx context.Context, req *mcp.ProgressNotificationClientRequest) {
			g.progress.relay(ctx, req.Params)
		},
	})
	return u
}

func (u *upstream) timeout() time.Duration {
	if d := u.cfg.Timeout.Duration; d > 0 {
		return d
	}
	return config.DefaultUpstreamTimeout
}

// run keeps u connected until ctx ends: connect, serve its tools, and when
// the session ends withdraw them and try again after a backoff. The first
// attempt's outcome goes to first: a name collision there stops kubemcp
// from starting, an unreachable upstream does not.
func (u *upstream) run(ctx context.Context, server *mcp.Server, first chan<- error) {
	wait := backoff.Backoff{Min: u.g.opts.MinBackoff, Max: u.g.opts.MaxBackoff}
	for {
		connected, err := u.serve(ctx, server, first)
		first = nil
		u.withdraw(server, err)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait.Reset()
		}
		delay := wait.Next()
		u.g.logger.Warn("upstream disconnected; reconnecting", "upstream", u.cfg.Name, "error", err, "after", delay)
		if !backoff.Sleep(ctx, delay) {
			return
		}
		u.g.opts.Metrics.UpstreamReconnect(u.cfg.Name)
	}
}

// serve is one session: connect, serve the tools, follow changes, and
// return why it ended. connected says whether it got as far as the tools.
func (u *upstream) serve(ctx context.Context, server *mcp.Server, first chan<- error) (connected bool, err error) {
	report := func(err error) {
		if first != nil {
			first <- err
			first = nil
		}
	}
	defer func() { report(nil) }()
	ctx, end := context.WithCancel(ctx) // the session's: what its transport opens ends with it
	defer end()
	defer u.closeIdle()
	cs, err := u.connect(ctx)
	if err != nil {
		return false, err
	}
	defer cs.Close()
	u.connected(cs)
	if err := u.sync(ctx, server, cs); err != nil {
		var collide *collisionError
		if errors.As(err, &collide) {
			report(err)
		}
		return false, err
	}
	report(nil)
	u.g.opts.Metrics.UpstreamConnected(u.cfg.Name, true)
	return true, u.follow(ctx, server, cs)
}

func (u *upstream) connect(ctx context.Context) (*mcp.ClientSession, error) {
	t, err := u.transport()
	if err != nil {
		return nil, err
	}
	handshake, cancel := context.WithTimeout(ctx, u.timeout())
	defer cancel()
	cs, err := u.client.Connect(handshake, sessionScoped{Transport: t, session: ctx}, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", u.why(explainTLS(err)))
	}
	return cs, nil
}

// sessionScoped opens its transport's connection in the session's context,
// the handshake's deadline bounding only the opening: go-sdk's legacy SSE
// client reads its event stream from the GET request its Connect makes, so
// with the handshake's context the stream, and the session, would end as
// soon as the handshake did.
type sessionScoped struct {
	mcp.Transport
	session context.Context
}

func (s sessionScoped) Connect(handshake context.Context) (mcp.Connection, error) {
	ctx, cancel := context.WithCancel(s.session)
	stop := context.AfterFunc(handshake, cancel)
	conn, err := s.Transport.Connect(ctx)
	if err == nil && stop() {
		return conn, nil // cancelled when the session's context ends
	}
	cancel()
	if err == nil {
		conn.Close()
		err = handshake.Err()
	}
	return nil, err
}

// follow keeps the tools in step until the session ends: on the upstream's
// list_changed, and at each probe, which also finds an upstream that went
// away without closing the connection.
func (u *upstream) follow(ctx context.Context, server *mcp.Server, cs *mcp.ClientSession) error {
	closed := make(chan error, 1)
	go func() { closed <- cs.Wait() }()
	probe := time.NewTicker(u.g.opts.Probe)
	defer probe.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-closed:
			return fmt.Errorf("connection closed: %w", u.why(err))
		case <-u.relist:
		case <-probe.C:
		}
		if err := u.sync(ctx, server, cs); err != nil {
			var collide *collisionError
			if !errors.As(err, &collide) {
				return err
			}
			u.setError(err) // the other tools stay served
		}
	}
}

// why adds what a stdio upstream last wrote to stderr to err, which is
// where a program says why it exited or would not start.
func (u *upstream) why(err error) error {
	if err == nil {
		err = errors.New("the upstream ended the session")
	}
	if u.cfg.TransportKind() != config.TransportStdio {
		return err
	}
	if last := u.stderr.last(); last != "" {
		return fmt.Errorf("%w (its stderr: %s)", err, last)
	}
	return err
}

func (u *upstream) connected(cs *mcp.ClientSession) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.session = cs // Connected waits for the first listing, in install
	u.state.LastError, u.state.Since = "", time.Now().UTC()
	u.g.logger.Info("upstream connected", "upstream", u.cfg.Name)
}

// withdraw takes u's tools off the server (the SDK tells clients the list
// changed) and records why.
func (u *upstream) withdraw(server *mcp.Server, why error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	names := make([]string, 0, len(u.served))
	for n := range u.served {
		names = append(names, n)
	}
	if len(names) > 0 {
		server.RemoveTools(names...)
	}
	u.withdrawCatalog(server)
	u.g.opts.Metrics.UpstreamConnected(u.cfg.Name, false)
	u.session, u.served = nil, map[string]bool{}
	u.state.Connected, u.state.Tools, u.state.Since = false, []string{}, time.Now().UTC()
	if why != nil && !errors.Is(why, context.Canceled) {
		u.state.LastError = safeError(why)
	}
}

func (u *upstream) setError(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.state.LastError = safeError(err)
}

// anyURL is a URL as net/http and go-sdk quote them in errors.
var anyURL = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>]+`)

// safeError is err's text as upstreams_list, /readyz and an MCPServer's
// status show it: every URL in it without user-info, query or fragment (a
// token kept in an upstream's URL, or a session id go-sdk added), and any
// credential redacted.
func safeError(err error) string {
	return policy.RedactText(anyURL.ReplaceAllStringFunc(err.Error(), func(u string) string {
		bare := strings.TrimRight(u, ".,;:)]}") // the sentence's, not the URL's
		return config.SafeURL(bare) + u[len(bare):]
	}))
}

func (u *upstream) current() *mcp.ClientSession {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.session
}

func (u *upstream) snapshot() State {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.state
	s.Tools = append([]string{}, s.Tools...)
	s.Prompts = append([]string{}, s.Prompts...)
	return s
}
