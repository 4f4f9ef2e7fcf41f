// Package apps offers kubemcp's MCP Apps views (the io.modelcontextprotocol/ui
// extension): cards for cluster_health, find_issues, nodes_top and
// namespace_overview that a host renders from the tool's structuredContent,
// and the app-only tool their refresh button calls. Only a client that
// declares the extension sees any of it; to every other client the server is
// as it was, so their tools/list costs a model nothing more.
package apps

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

const (
	// Extension is the MCP Apps extension's name in capabilities.
	Extension = "io.modelcontextprotocol/ui"
	// MIMEType is what a view's resource is served as.
	MIMEType = "text/html;profile=mcp-app"
	// RefreshTool is the app-only tool a view calls to show a fresh answer.
	RefreshTool = "view_refresh"
)

// Apps is the MCP Apps feature of the server.
type Apps struct {
	pages   map[string]string // by URI
	links   map[string]string // the view's URI by tool name
	refresh *mcp.Tool
}

var _ mcpserver.Feature = (*Apps)(nil)

// New builds the views' pages once.
func New() *Apps {
	a := &Apps{pages: map[string]string{}, links: map[string]string{}, refresh: refreshTool()}
	for _, v := range catalog {
		a.pages[v.uri()] = v.page()
		a.links[v.tool] = v.uri()
	}
	return a
}

// RefreshIn names the tool to run again and its arguments, as the view
// received them with the tool's answer.
type RefreshIn struct {
	Tool      string         `json:"tool" jsonschema:"the tool whose answer the view shows"`
	Arguments map[string]any `json:"arguments,omitempty" jsonschema:"the arguments of the call the view shows"`
}

// refreshTool is what a view's host lists for the refresh: visible to views
// alone, so the model is never offered it.
func refreshTool() *mcp.Tool {
	in, err := jsonschema.For[RefreshIn](nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", RefreshTool, err)) // a programming error, caught by every test
	}
	in.Properties["tool"].Enum = []any{}
	for _, v := range catalog {
		in.Properties["tool"].Enum = append(in.Properties["tool"].Enum, v.tool)
	}
	return &mcp.Tool{
		Name:        RefreshTool,
		Description: "Runs the tool a kubemcp view shows again, with the same arguments, and returns its answer.",
		InputSchema: in,
		Annotations: toolset.ReadOnly("Refresh a view"),
		Meta:        mcp.Meta{"ui": map[string]any{"visibility": []string{"app"}}},
	}
}

// Configure declares the extension in the server's capabilities.
func (a *Apps) Configure(so *mcp.ServerOptions) {
	if so.Capabilities == nil {
		so.Capabilities = &mcp.ServerCapabilities{Logging: &mcp.LoggingCapabilities{}} // the SDK's default
	}
	so.Capabilities.AddExtension(Extension, map[string]any{})
}

// Install adds the views to what a declaring client sees. The middleware is
// the outermost, so a refresh reaches audit, limits and the output gate as a
// call of the tool it names.
func (a *Apps) Install(s *mcp.Server) {
	s.AddReceivingMiddleware(a.middleware)
}

func (a *Apps) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		// Which requests it changes first, whose client declared the
		// extension second: a tool call, the hot path, is looked at only
		// when it names the refresh tool.
		switch r := req.(type) {
		case *mcp.ListToolsRequest:
			if !declares(req.GetSession()) {
				break
			}
			res, err := next(ctx, method, req)
			if list, ok := res.(*mcp.ListToolsResult); ok && err == nil {
				a.linkTools(list)
			}
			return res, err
		case *mcp.CallToolRequest:
			if r.Params != nil && r.Params.Name == RefreshTool && declares(req.GetSession()) {
				return a.refreshCall(ctx, method, r, next)
			}
		case *mcp.ListResourcesRequest:
			if !declares(req.GetSession()) {
				break
			}
			res, err := next(ctx, method, req)
			if list, ok := res.(*mcp.ListResourcesResult); ok && err == nil && list.NextCursor == "" {
				list.Resources = append(list.Resources, a.resources()...)
			}
			return res, err
		case *mcp.ReadResourceRequest:
			if page, ok := a.pages[r.Params.URI]; ok && declares(req.GetSession()) {
				return read(r.Params.URI, page), nil
			}
		}
		return next(ctx, method, req)
	}
}

// declares reports whether the session's client declared the extension with
// the MIME type of kubemcp's views.
func declares(s mcp.Session) bool {
	ss, ok := s.(*mcp.ServerSession)
	if !ok {
		return false
	}
	ip := ss.InitializeParams()
	if ip == nil || ip.Capabilities == nil {
		return false
	}
	settings, ok := ip.Capabilities.Extensions[Extension]
	if !ok {
		return false
	}
	raw, err := json.Marshal(settings)
	var ui struct {
		MIMETypes []string `json:"mimeTypes"`
	}
	return err == nil && json.Unmarshal(raw, &ui) == nil && slices.Contains(ui.MIMETypes, MIMEType)
}

// linkTools points each tool that has a view at it, on copies: the listed
// tools are the server's own, shared by every session. The refresh tool goes
// on the last page.
func (a *Apps) linkTools(list *mcp.ListToolsResult) {
	for i, t := range list.Tools {
		uri, ok := a.links[t.Name]
		if !ok {
			continue
		}
		c := *t
		c.Meta = maps.Clone(t.Meta)
		if c.Meta == nil {
			c.Meta = mcp.Meta{}
		}
		c.Meta["ui"] = map[string]any{"resourceUri": uri}
		list.Tools[i] = &c
	}
	if list.NextCursor == "" {
		list.Tools = append(list.Tools, a.refresh)
	}
}

// refreshCall runs the tool a refresh names, as if the view had called it.
func (a *Apps) refreshCall(ctx context.Context, method string, r *mcp.CallToolRequest, next mcp.MethodHandler) (mcp.Result, error) {
	var in RefreshIn
	if err := json.Unmarshal(r.Params.Arguments, &in); err != nil || a.links[in.Tool] == "" {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{
			Text: fmt.Sprintf("%s takes {\"tool\": one of %s, \"arguments\": the call's arguments}", RefreshTool, strings.Join(slices.Sorted(maps.Keys(a.links)), ", ")),
		}}}, nil
	}
	args, err := json.Marshal(in.Arguments)
	if err != nil {
		return nil, fmt.Errorf("encoding the arguments of %s: %w", in.Tool, err)
	}
	params := *r.Params
	params.Name, params.Arguments = in.Tool, args
	return next(ctx, method, &mcp.CallToolRequest{Session: r.Session, Params: &params, Extra: r.Extra})
}

// resources are the views as resources/list gives them.
func (a *Apps) resources() []*mcp.Resource {
	var out []*mcp.Resource
	for _, v := range catalog {
		out = append(out, &mcp.Resource{URI: v.uri(), Name: v.name, Title: v.title + " view", MIMEType: MIMEType,
			Description: fmt.Sprintf("The card %s's answers show in, for MCP Apps hosts.", v.tool)})
	}
	return out
}

func read(uri, page string) *mcp.ReadResourceResult {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI: uri, MIMEType: MIMEType, Text: page,
		Meta: mcp.Meta{"ui": map[string]any{"prefersBorder": true}},
	}}}
}
