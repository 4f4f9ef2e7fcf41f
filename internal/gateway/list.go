package gateway

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ListIn takes no arguments.
type ListIn struct{}

// ListOut is the structured result of upstreams_list.
type ListOut struct {
	Upstreams []State `json:"upstreams"`
}

func (g *Gateway) listTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "upstreams_list",
		Description: "The upstream MCP servers kubemcp serves tools and prompts of (as <upstream>__<name>): connected or not, what they offer, last error, latency.",
		Annotations: &mcp.ToolAnnotations{Title: "List upstream MCP servers", ReadOnlyHint: true,
			DestructiveHint: toolset.Bool(false), IdempotentHint: true, OpenWorldHint: toolset.Bool(true)},
	}, g.list)
}

func (g *Gateway) list(context.Context, *mcp.CallToolRequest, ListIn) (string, ListOut, error) {
	out := ListOut{Upstreams: []State{}}
	table := render.Table{Header: []string{"NAME", "TRANSPORT", "CONNECTED", "TOOLS", "HIDDEN", "PROMPTS", "RESOURCES", "LATENCY", "LAST ERROR"}}
	for _, u := range g.all() {
		s := u.snapshot()
		out.Upstreams = append(out.Upstreams, s)
		table.Rows = append(table.Rows, []string{s.Name, s.Transport, fmt.Sprint(s.Connected), cmp.Or(strings.Join(s.Tools, ","), "<none>"),
			fmt.Sprint(s.Hidden), fmt.Sprint(len(s.Prompts)), fmt.Sprint(s.Resources + s.ResourceTemplates), fmt.Sprintf("%.1fms", s.LatencyMS), cmp.Or(s.LastError, "<none>")})
	}
	return table.Render(64<<10, "upstreams_list lists every upstream; its structured content has them all."), out, nil
}

// Report is a line per upstream for /readyz's detail: connected with its
// tools and latency, or down with its last error (redacted: the probes are
// served without auth, and an error may quote a URL with a credential).
func (g *Gateway) Report() string {
	var b strings.Builder
	for _, u := range g.all() {
		s := u.snapshot()
		if s.Connected {
			fmt.Fprintf(&b, "upstream %s: connected, %d tools, tools/list %.1fms\n", s.Name, len(s.Tools), s.LatencyMS)
			continue
		}
		fmt.Fprintf(&b, "upstream %s: down since %s (not counted against readiness): %s\n", s.Name,
			s.Since.Format(time.RFC3339), policy.RedactText(cmp.Or(s.LastError, "connecting")))
	}
	return b.String()
}
