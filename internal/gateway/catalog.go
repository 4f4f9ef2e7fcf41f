package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// uriScheme prefixes the URI of every upstream resource kubemcp serves:
// kubemcp-upstream://<upstream>/<the upstream's own URI>, so the upstream
// is named and its URI comes back unchanged when the resource is read.
const uriScheme = "kubemcp-upstream://"

// maxCatalog bounds how many prompts, resources and templates of one
// upstream kubemcp serves: an upstream cannot grow kubemcp's lists without end.
const maxCatalog = 1000

// catalog is what of an upstream besides its tools kubemcp serves: by
// kind, each entry's served name or URI and the definition it was served
// with, so that an unchanged entry is not served again (which would tell
// every client the list changed at each probe).
type catalog [kinds]map[string]string

const (
	kindPrompt = iota
	kindResource
	kindTemplate
	kinds
)

func newCatalog() catalog {
	return catalog{{}, {}, {}}
}

// pending is an entry to serve if its definition changed.
type pending struct {
	kind int
	key  string
	add  func()
}

// servedURI is the URI kubemcp serves an upstream's resource (or template) under.
func servedURI(upstream, uri string) string {
	return uriScheme + url.PathEscape(upstream) + "/" + uri
}

// syncCatalog serves the prompts, resources and resource templates the
// upstream has now, and withdraws those it no longer has.
func (u *upstream) syncCatalog(ctx context.Context, server *mcp.Server, cs *mcp.ClientSession) error {
	ctx, cancel := context.WithTimeout(ctx, u.timeout())
	defer cancel()
	caps := cs.InitializeResult().Capabilities
	next := newCatalog()
	var adds []pending
	keep := func(kind int, key string, def any, add func()) {
		next[kind][key] = definition(def)
		adds = append(adds, pending{kind, key, add})
	}
	if caps.Prompts != nil {
		for p, err := range cs.Prompts(ctx, nil) {
			if err != nil {
				return fmt.Errorf("listing its prompts: %w", err)
			}
			if len(next[kindPrompt]) == maxCatalog {
				break
			}
			served := &mcp.Prompt{Name: servedName(u.cfg.Name, p.Name), Title: p.Title, Arguments: p.Arguments, Icons: p.Icons,
				Description: u.from(p.Description)}
			keep(kindPrompt, served.Name, served, func() { server.AddPrompt(served, u.getPrompt(p.Name)) })
		}
	}
	if caps.Resources != nil {
		for r, err := range cs.Resources(ctx, nil) {
			if err != nil {
				return fmt.Errorf("listing its resources: %w", err)
			}
			if len(next[kindResource]) == maxCatalog {
				break
			}
			served := *r
			served.URI, served.Description = servedURI(u.cfg.Name, r.URI), u.from(r.Description)
			keep(kindResource, served.URI, served, func() { server.AddResource(&served, u.readResource()) })
		}
		for rt, err := range cs.ResourceTemplates(ctx, nil) {
			if err != nil {
				return fmt.Errorf("listing its resource templates: %w", err)
			}
			if len(next[kindTemplate]) == maxCatalog {
				break
			}
			served := *rt
			served.URITemplate, served.Description = servedURI(u.cfg.Name, rt.URITemplate), u.from(rt.Description)
			keep(kindTemplate, served.URITemplate, served, func() { server.AddResourceTemplate(&served, u.readResource()) })
		}
	}
	u.serveCatalog(server, next, adds)
	return nil
}

// serveCatalog serves what changed and removes what went, under u's lock
// so that a withdraw does not interleave.
func (u *upstream) serveCatalog(server *mcp.Server, next catalog, adds []pending) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.session == nil {
		return // withdrawn while listing
	}
	u.removeCatalog(server, func(kind int, key string) bool { _, ok := next[kind][key]; return !ok })
	for _, p := range adds {
		if u.catalog[p.kind][p.key] != next[p.kind][p.key] {
			p.add()
		}
	}
	u.catalog = next
	u.state.Prompts = slices.Sorted(maps.Keys(next[kindPrompt]))
	u.state.Resources, u.state.ResourceTemplates = len(next[kindResource]), len(next[kindTemplate])
}

// withdrawCatalog takes all of the upstream's prompts and resources off
// the server; the caller holds u.mu.
func (u *upstream) withdrawCatalog(server *mcp.Server) {
	u.removeCatalog(server, func(int, string) bool { return true })
	u.catalog = newCatalog()
	u.state.Prompts, u.state.Resources, u.state.ResourceTemplates = []string{}, 0, 0
}

// removeCatalog removes the served entries gone says are gone.
func (u *upstream) removeCatalog(server *mcp.Server, gone func(kind int, key string) bool) {
	remove := [kinds]func(...string){server.RemovePrompts, server.RemoveResources, server.RemoveResourceTemplates}
	for kind, served := range u.catalog {
		var keys []string
		for key := range served {
			if gone(kind, key) {
				keys = append(keys, key)
			}
		}
		if len(keys) > 0 {
			remove[kind](keys...)
		}
	}
}

func definition(v any) string {
	b, _ := json.Marshal(v) // plain protocol types always marshal
	return string(b)
}

// from is an upstream's description, saying where it is from.
func (u *upstream) from(description string) string {
	return strings.TrimSpace(fmt.Sprintf("[from upstream MCP server %s] %s", u.cfg.Name, description))
}

// getPrompt forwards prompts/get to the upstream, its text redacted like
// every answer kubemcp gives.
func (u *upstream) getPrompt(name string) mcp.PromptHandler {
	return func(ctx context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		cs, ctx, cancel, err := u.callable(ctx, req.Extra)
		if err != nil {
			return nil, err
		}
		defer cancel()
		res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: name, Arguments: req.Params.Arguments})
		if err != nil {
			return nil, fmt.Errorf("upstream %q failed prompt %s: %v", u.cfg.Name, name, u.callError(ctx, err))
		}
		res.Description = policy.RedactText(res.Description)
		for _, m := range res.Messages {
			if t, ok := m.Content.(*mcp.TextContent); ok {
				t.Text = policy.RedactText(t.Text)
			}
		}
		return res, nil
	}
}

// readResource forwards resources/read to the upstream with its own URI,
// and serves the contents under kubemcp's URI, the text redacted.
func (u *upstream) readResource() mcp.ResourceHandler {
	prefix := servedURI(u.cfg.Name, "")
	return func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		cs, ctx, cancel, err := u.callable(ctx, req.Extra)
		if err != nil {
			return nil, err
		}
		defer cancel()
		uri := strings.TrimPrefix(req.Params.URI, prefix)
		res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		if err != nil {
			return nil, fmt.Errorf("upstream %q failed to read %s: %v", u.cfg.Name, uri, u.callError(ctx, err))
		}
		for _, c := range res.Contents {
			c.URI = servedURI(u.cfg.Name, c.URI)
			c.Text = policy.RedactText(c.Text)
		}
		return res, nil
	}
}

// callable is the upstream's session and a context bounded by its timeout,
// or an error that says it is not connected. The context carries the
// caller's Authorization (from extra, the caller's HTTP request) only for an
// upstream configured to receive it.
func (u *upstream) callable(ctx context.Context, extra *mcp.RequestExtra) (*mcp.ClientSession, context.Context, context.CancelFunc, error) {
	cs := u.current()
	if cs == nil {
		return nil, nil, nil, fmt.Errorf("upstream %q is not connected; upstreams_list shows its last error. Try again once it is back", u.cfg.Name)
	}
	if u.cfg.ForwardAuthorization && extra != nil {
		if auth := extra.Header.Get("Authorization"); auth != "" {
			ctx = context.WithValue(ctx, callerAuthorization{}, auth)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, u.timeout())
	return cs, ctx, cancel, nil
}
