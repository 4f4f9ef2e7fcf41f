package prompts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
)

// Clusters hands out clients as the caller in ctx ("" is the default
// cluster) and names the configured clusters; *clusters.Manager is one.
type Clusters interface {
	Get(ctx context.Context, name string) (*kube.Client, error)
	List() []clusters.Cluster
}

// Prompts is the prompts feature of the MCP server.
type Prompts struct {
	clusters Clusters
	defs     []*definition
	scan     scan
	logger   *slog.Logger
}

var _ mcpserver.Feature = (*Prompts)(nil)

// New returns the prompts, completing their arguments from c.
func New(c Clusters) *Prompts {
	return &Prompts{clusters: c, defs: catalog(), scan: defaultScan, logger: slog.New(slog.DiscardHandler)}
}

// Configure sets the completion handler; completions that are not for our
// prompts go to the handler that was set before, if any.
func (p *Prompts) Configure(so *mcp.ServerOptions) {
	if so.Logger != nil {
		p.logger = so.Logger
	}
	next := so.CompletionHandler
	so.CompletionHandler = func(ctx context.Context, req *mcp.CompleteRequest) (*mcp.CompleteResult, error) {
		if def := p.lookup(req.Params.Ref); def != nil {
			return p.complete(ctx, def, req.Params), nil
		}
		if next != nil {
			return next(ctx, req)
		}
		return empty(), nil
	}
}

// Install adds the prompts to s.
func (p *Prompts) Install(s *mcp.Server) {
	for _, def := range p.defs {
		s.AddPrompt(def.prompt(), p.handler(def))
	}
}

// lookup returns our prompt that ref names, or nil.
func (p *Prompts) lookup(ref *mcp.CompleteReference) *definition {
	if ref == nil || ref.Type != "ref/prompt" {
		return nil
	}
	i := slices.IndexFunc(p.defs, func(d *definition) bool { return d.name == ref.Name })
	if i < 0 {
		return nil
	}
	return p.defs[i]
}

func (p *Prompts) handler(def *definition) mcp.PromptHandler {
	return func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		a, err := p.check(def, req.Params.Arguments)
		if err != nil {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: err.Error()}
		}
		return &mcp.GetPromptResult{
			Description: def.description,
			Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: def.build(a).String()}}},
		}, nil
	}
}

// check returns the arguments once each is known, given where required and
// well formed, or an error that names the first that is not.
func (p *Prompts) check(def *definition, given map[string]string) (args, error) {
	for name := range given {
		if def.arg(name) == nil {
			return nil, fmt.Errorf("prompt %s has no argument %s; it takes: %s", def.name, quote(name), strings.Join(def.argNames(), ", "))
		}
	}
	checked := args{}
	for _, a := range def.args {
		v := strings.TrimSpace(given[a.name])
		if v == "" && a.required {
			return nil, fmt.Errorf("prompt %s needs argument %q (%s)", def.name, a.name, a.description)
		}
		if v == "" {
			continue
		}
		if err := a.check(p, v); err != nil {
			return nil, fmt.Errorf("prompt %s, argument %q: %w", def.name, a.name, err)
		}
		checked[a.name] = v
	}
	return checked, nil
}

// clusterNames are the configured clusters' names, sorted.
func (p *Prompts) clusterNames() []string {
	var names []string
	for _, c := range p.clusters.List() {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// args are a prompt's arguments by name, checked; missing ones are "".
type args map[string]string
