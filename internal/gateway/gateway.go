package gateway

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
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
	Version            string                          // kubemcp's, told to upstreams
	LookupEnv          func(key string) (string, bool) // for fromEnv credentials; nil: os.LookupEnv
	// Probe is how often a connected upstream's tools are listed again,
	// which also shows it is alive and measures its latency (default 15s):
	// tools/list is a request every server answers, in both protocol eras,
	// where a ping before or without a session is not.
	Probe time.Duration
	// MinBackoff and MaxBackoff bound the wait before reconnecting
	// (default 1s and 30s), doubled at each failure, with jitter.
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger // nil: discard
}

// Gateway keeps kubemcp's server in step with its upstreams' tools. It is
// also the toolset of upstreams_list.
type Gateway struct {
	opts      Options
	lookupEnv func(string) (string, bool)
	logger    *slog.Logger
	upstreams []*upstream
	progress  progress

	mu     sync.Mutex
	cancel context.CancelFunc
	done   sync.WaitGroup
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
	g.cancel = cancel
	g.mu.Unlock()
	firsts := make([]chan error, len(g.upstreams))
	for i, u := range g.upstreams {
		firsts[i] = make(chan error, 1)
		g.done.Add(1)
		go func() {
			defer g.done.Done()
			u.run(ctx, server, firsts[i])
		}()
	}
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
