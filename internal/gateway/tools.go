package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// collisionError is two upstream tools that would be served under one name.
type collisionError struct{ upstream, a, b, served string }

func (e *collisionError) Error() string {
	return fmt.Sprintf("upstream %q: tools %q and %q would both be served as %q; deny one of them in the upstream's tools.deny",
		e.upstream, e.a, e.b, e.served)
}

// sync lists u's tools and makes the server serve exactly those that pass
// the filters, under their served names; tools that went are removed. The
// listing is also the probe: its latency is recorded.
func (u *upstream) sync(ctx context.Context, server *mcp.Server, cs *mcp.ClientSession) error {
	start := time.Now()
	listed, err := u.list(ctx, cs)
	if err != nil {
		return err
	}
	latency := time.Since(start)
	tools, collide := u.expose(listed)
	kept, err := toolset.Select([]toolset.Toolset{set(tools)}, toolset.Filter{ReadOnly: u.g.opts.ReadOnly, DisableDestructive: u.g.opts.DisableDestructive})
	if err != nil {
		return err // expose leaves no duplicate names, so this is a bug
	}
	u.install(server, kept, len(listed)-len(kept), latency)
	if err := u.syncCatalog(ctx, server, cs); err != nil {
		u.setError(err) // its tools stay served
	}
	if collide != nil {
		return collide
	}
	return nil
}

func (u *upstream) list(ctx context.Context, cs *mcp.ClientSession) ([]*mcp.Tool, error) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout())
	defer cancel()
	var tools []*mcp.Tool
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("listing its tools: %w", err)
		}
		tools = append(tools, t)
	}
	return tools, nil
}

// install serves kept and removes what u served before and no longer does.
// Install replaces a tool of the same name; both tell clients the list
// changed.
func (u *upstream) install(server *mcp.Server, kept []toolset.Tool, hidden int, latency time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := map[string]bool{}
	names := []string{}
	for _, t := range kept {
		now[t.Meta.Name] = t.Meta.Annotations.ReadOnlyHint // meta sets Annotations
		names = append(names, t.Meta.Name)
	}
	var gone []string
	for n := range u.served {
		if !now[n] {
			gone = append(gone, n)
		}
	}
	if len(gone) > 0 {
		server.RemoveTools(gone...)
	}
	toolset.Install(server, kept, toolset.InstallOptions{Confirm: u.g.opts.Confirm})
	slices.Sort(names)
	u.served = now
	// Connected once its tools are listed and served: a status read in
	// between would say connected with no tools.
	u.state.Connected = true
	u.state.Tools, u.state.Hidden, u.state.LatencyMS = names, hidden, float64(latency.Microseconds())/1000
}

// expose makes the tools kubemcp would serve of what the upstream listed,
// in the upstream's order, leaving out those configuration denies, those
// it cannot serve, and both of any two that would share a served name.
func (u *upstream) expose(listed []*mcp.Tool) ([]toolset.Tool, *collisionError) {
	var out []toolset.Tool
	var collide *collisionError
	by := map[string]string{} // served name -> upstream tool name
	for _, t := range listed {
		name := servedName(u.cfg.Name, t.Name)
		if !u.allowed(t.Name) || !u.g.enabled(name) || !objectSchema(t.InputSchema) {
			continue
		}
		if other, dup := by[name]; dup {
			collide = &collisionError{upstream: u.cfg.Name, a: other, b: t.Name, served: name}
			out = slices.DeleteFunc(out, func(x toolset.Tool) bool { return x.Meta.Name == name })
			continue
		}
		by[name] = t.Name
		out = append(out, toolset.Raw(u.meta(t, name), u.forward(t.Name)))
	}
	return out, collide
}

func (u *upstream) allowed(tool string) bool {
	match := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { ok, _ := path.Match(p, tool); return ok })
	}
	return (len(u.cfg.Tools.Allow) == 0 || match(u.cfg.Tools.Allow)) && !match(u.cfg.Tools.Deny)
}

// enabled applies kubemcp's enabledTools and disabledTools to a served name.
func (g *Gateway) enabled(served string) bool {
	return (len(g.opts.Enabled) == 0 || slices.Contains(g.opts.Enabled, served)) && !slices.Contains(g.opts.Disabled, served)
}

// objectSchema reports whether an input schema is one the MCP server can
// serve (the specification wants type object; go-sdk refuses any other).
func objectSchema(s any) bool {
	m, ok := s.(map[string]any)
	return ok && m["type"] == "object"
}

// meta is how kubemcp describes an upstream tool: its own schemas and
// annotations, under its served name, its description saying where it is
// from. Tools configured as read-only are marked so; a read-only tool is
// marked not destructive, which the specification says it is.
func (u *upstream) meta(t *mcp.Tool, name string) mcp.Tool {
	m := mcp.Tool{
		Name:         name,
		Title:        t.Title,
		Description:  strings.TrimSpace(fmt.Sprintf("[from upstream MCP server %s] %s", u.cfg.Name, t.Description)),
		InputSchema:  t.InputSchema,
		OutputSchema: t.OutputSchema,
		Icons:        t.Icons,
	}
	a := mcp.ToolAnnotations{}
	if t.Annotations != nil {
		a = *t.Annotations
	}
	if slices.ContainsFunc(u.cfg.Tools.ReadOnly, func(p string) bool { ok, _ := path.Match(p, t.Name); return ok }) {
		a.ReadOnlyHint = true
	}
	if a.ReadOnlyHint {
		a.DestructiveHint = toolset.Bool(false)
	}
	m.Annotations = &a
	return m
}

// set is the tools of one listing, as a toolset for toolset.Select, so that
// upstream tools pass the read-only and destructive filters kubemcp's own do.
type set []toolset.Tool

func (s set) Name() string          { return "upstream" }
func (s set) Description() string   { return "" }
func (s set) Tools() []toolset.Tool { return s }

// forward calls tool on the upstream with the caller's arguments as they
// came (the upstream validates them against its own schema), within the
// upstream's timeout; the caller's cancellation reaches the upstream with
// ctx, its progress comes back through relay.
func (u *upstream) forward(tool string) toolset.RawHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (string, json.RawMessage, error) {
		cs, ctx, cancel, err := u.callable(ctx, req.Extra)
		if err != nil {
			return "", nil, err
		}
		defer cancel()
		params := &mcp.CallToolParams{Name: tool}
		if args := req.Params.Arguments; len(args) > 0 {
			params.Arguments = args
		}
		if token := req.Params.GetProgressToken(); token != nil && req.Session != nil {
			ours, done := u.g.progress.track(req.Session, token)
			defer done()
			params.SetProgressToken(ours)
		}
		ctx, span := u.span(ctx, tool)
		defer span.End()
		start := time.Now()
		res, err := callWithin(ctx, cs, params)
		u.g.opts.Metrics.UpstreamCall(u.cfg.Name, time.Since(start))
		endSpan(span, res, err)
		if err != nil {
			// %v, not %w: an upstream's protocol error is a tool error
			// here, one that names the upstream, not kubemcp's own.
			return "", nil, fmt.Errorf("upstream %q failed %s: %v", u.cfg.Name, tool, u.callError(ctx, err))
		}
		return u.answer(tool, res)
	}
}

// callWithin is cs.CallTool, answered by ctx's end at the latest: go-sdk's
// call can outlive its context while the session closes under it (closing a
// stdio upstream that does not exit waits 5 s before SIGTERM and 5 s more
// before SIGKILL), and the caller was promised the upstream's timeout. The
// call left behind ends with the session.
func callWithin(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams) (*mcp.CallToolResult, error) {
	type outcome struct {
		res *mcp.CallToolResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := cs.CallTool(ctx, params)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		select {
		case o := <-done: // it answered as the time ran out
			return o.res, o.err
		default:
			return nil, ctx.Err()
		}
	}
}

func (u *upstream) callError(ctx context.Context, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s (the upstream's timeout)", u.timeout())
	}
	return err
}
