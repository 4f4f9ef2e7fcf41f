package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/metrics"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Options configure a Gateway.
type Options struct {
	Upstreams []config.Upstream
	// ReadOnly keeps only the upstream tools marked readOnlyHint (or listed
	// in the upstream's tools.readOnly); DisableDestructive drops those not
	// marked destructiveHint false. The same filter as kubemcp's own tools.
	ReadOnly           bool
	DisableDestructive bool
	// Enabled and Disabled are kubemcp's enabledTools and disabledTools:
	// an upstream tool is served only if Enabled is empty or names it, and
	// never if Disabled does, by its served name (<upstream>__<tool>).
	Enabled, Disabled []string
	Version           string                          // kubemcp's, told to upstreams
	LookupEnv         func(key string) (string, bool) // for fromEnv credentials; nil: os.LookupEnv
	// Probe is how often a connected upstream's tools are listed again,
	// which also shows it is alive and measures its latency (default 15s):
	// tools/list is a request every server answers, in both protocol eras,
	// where a ping before or without a session is not.
	Probe time.Duration
	// MinBackoff and MaxBackoff bound the wait before reconnecting
	// (default 1s and 30s), doubled at each failure, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// Confirm applies the confirmation rules to upstream tools that are not
	// read-only, as to kubemcp's own; nil: none.
	Confirm *confirm.Confirmer
	// Tracer, if set, makes a client span of each call to an upstream, and
	// the W3C trace context of it goes to HTTP upstreams (traceparent).
	Tracer trace.Tracer
	// Metrics, if set, record each upstream's connection, reconnects and
	// call latency.
	Metrics *metrics.Metrics
	Logger  *slog.Logger // nil: discard
}

// Gateway keeps kubemcp's server in step with its upstreams' tools. It is
// also the toolset of upstreams_list.
type Gateway struct {
	opts      Options
	lookupEnv func(string) (string, bool)
	logger    *slog.Logger
	progress  progress

	mu        sync.Mutex
	upstreams []*upstream // configured ones first, then attached ones
	server    *mcp.Server // set by Start
	ctx       context.Context
	cancel    context.CancelFunc
	done      sync.WaitGroup
}

var _ toolset.Toolset = (*Gateway)(nil)

// New returns a Gateway for the configured upstreams; Start connects them.
func New(opts Options) *Gateway {
	g := &Gateway{opts: opts, lookupEnv: opts.LookupEnv, logger: opts.Logger}
	if g.lookupEnv == nil {
		g.lookupEnv = os.LookupEnv
	}
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	if g.opts.Probe <= 0 {
		g.opts.Probe = 15 * time.Second
	}
	if g.opts.MinBackoff <= 0 {
		g.opts.MinBackoff = time.Second
	}
	if g.opts.MaxBackoff <= 0 {
		g.opts.MaxBackoff = 30 * time.Second
	}
	for _, cfg := range opts.Upstreams {
		g.upstreams = append(g.upstreams, newUpstream(g, cfg))
	}
	return g
}

func (g *Gateway) Name() string { return "gateway" }

func (g *Gateway) Description() string {
	return "The upstream MCP servers whose tools kubemcp serves as <upstream>__<tool>."
}

func (g *Gateway) Tools() []toolset.Tool { return []toolset.Tool{g.listTool()} }

// Start connects every upstream and keeps its tools on server until ctx
// ends or Close. It waits for each upstream's first attempt (bounded by its
// timeout) so that a client connecting right after start sees the tools of
// every upstream that is up; an upstream that is down does not stop kubemcp
// (it is retried), but one whose tools would be served under the same name
// does: that is a configuration to fix.
func (g *Gateway) Start(ctx context.Context, server *mcp.Server) error {
	ctx, cancel := context.WithCancel(ctx)
	g.mu.Lock()
	g.ctx, g.cancel, g.server = ctx, cancel, server
	firsts := make([]chan error, len(g.upstreams))
	for i, u := range g.upstreams {
		firsts[i] = make(chan error, 1)
		g.launch(u, firsts[i])
	}
	g.mu.Unlock()
	var errs []error
	for _, first := range firsts {
		errs = append(errs, <-first)
	}
	if err := errors.Join(errs...); err != nil {
		g.Close()
		return err
	}
	return nil
}

// launch runs u until the gateway closes or u is detached; the caller
// holds g.mu.
func (g *Gateway) launch(u *upstream, first chan<- error) {
	ctx, stop := context.WithCancel(g.ctx)
	u.stop, u.stopped = stop, make(chan struct{})
	g.done.Add(1)
	go func() {
		defer g.done.Done()
		defer close(u.stopped)
		u.run(ctx, g.server, first)
	}()
}

// Attach serves one more upstream from now on (the operator's MCPServer
// objects), replacing an attached one of the same name; it connects in the
// background, as a configured upstream that was down would. Attaching what
// is attached already, as it is, changes nothing: the operator attaches on
// every update of its object (its own status writes, each resync), and a
// new session each time would drop the upstream's calls and notify every
// client. A configured upstream's name cannot be taken.
func (g *Gateway) Attach(cfg config.Upstream) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if g.attachedAs(cfg) {
		return nil
	}
	g.Detach(cfg.Name)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.server == nil {
		return errors.New("the gateway has not started")
	}
	if slices.ContainsFunc(g.upstreams, func(u *upstream) bool { return u.cfg.Name == cfg.Name }) {
		return fmt.Errorf("upstream name %q is taken by one in kubemcp's configuration; choose another name", cfg.Name)
	}
	u := newUpstream(g, cfg)
	u.attached = true
	g.upstreams = append(g.upstreams, u)
	g.launch(u, nil)
	return nil
}

// attachedAs reports whether an upstream is attached with exactly cfg.
func (g *Gateway) attachedAs(cfg config.Upstream) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.ContainsFunc(g.upstreams, func(u *upstream) bool { return u.attached && reflect.DeepEqual(u.cfg, cfg) })
}

// Detach stops serving the attached upstream of that name, withdrawing its
// tools, prompts and resources and deleting its metrics' series, and waits
// until they are gone.
func (g *Gateway) Detach(name string) {
	g.mu.Lock()
	i := slices.IndexFunc(g.upstreams, func(u *upstream) bool { return u.attached && u.cfg.Name == name })
	if i < 0 {
		g.mu.Unlock()
		return
	}
	u := g.upstreams[i]
	g.upstreams = slices.Delete(g.upstreams, i, i+1)
	g.mu.Unlock()
	u.stop()
	<-u.stopped
	g.opts.Metrics.UpstreamGone(name)
}

// State is what upstreams_list shows of the upstream of that name.
func (g *Gateway) State(name string) (State, bool) {
	for _, u := range g.all() {
		if u.cfg.Name == name {
			return u.snapshot(), true
		}
	}
	return State{}, false
}

// Describe says of a tool the server has whether it is an upstream's, then
// whether it is marked read-only (the audit's verb) and the name the metrics
// count it under: "<upstream>__*", as many as there are upstreams, since an
// upstream names its tools, and could name any number of them.
func (g *Gateway) Describe(tool string) (label string, readOnly, ok bool) {
	for _, u := range g.all() {
		u.mu.Lock()
		readOnly, ok = u.served[tool]
		u.mu.Unlock()
		if ok {
			return u.cfg.Name + "__*", readOnly, true
		}
	}
	return "", false, false
}

// all is every upstream now.
func (g *Gateway) all() []*upstream {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.upstreams)
}

// Close disconnects every upstream (ending stdio ones) and waits for them.
func (g *Gateway) Close() error {
	g.mu.Lock()
	cancel := g.cancel
	g.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	g.done.Wait()
	return nil
}
