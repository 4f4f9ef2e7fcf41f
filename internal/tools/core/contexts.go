package core

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ContextsIn takes only the output cap.
type ContextsIn struct {
	toolset.TextCap
}

// KubeContext is one kubeconfig context (or the in-cluster identity).
type KubeContext struct {
	Name      string `json:"name"`
	Server    string `json:"server"`
	Namespace string `json:"namespace" jsonschema:"the context's default namespace"`
	Current   bool   `json:"current" jsonschema:"whether kubemcp's tools act on this context"`
}

// ContextsOut is the structured result of contexts_list.
type ContextsOut struct {
	Contexts []KubeContext `json:"contexts"`
}

func (c *Core) contextsList() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "contexts_list",
		Description: "Kubeconfig contexts: server, namespace, and which one the tools use.",
		Annotations: toolset.ReadOnly("List kubeconfig contexts"),
	}, c.listContexts)
}

func (c *Core) listContexts(_ context.Context, _ *mcp.CallToolRequest, in ContextsIn) (string, ContextsOut, error) {
	out := ContextsOut{Contexts: []KubeContext{}}
	table := render.Table{Header: []string{"CURRENT", "NAME", "SERVER", "NAMESPACE"}}
	for _, cl := range c.deps.Clusters.List() {
		kc := KubeContext{Name: cl.Name, Server: cl.Server, Namespace: cl.Namespace, Current: cl.Default}
		out.Contexts = append(out.Contexts, kc)
		current := ""
		if kc.Current {
			current = "*"
		}
		table.Rows = append(table.Rows, []string{current, kc.Name, kc.Server, orNone(kc.Namespace)})
	}
	return table.Render(c.deps.Budget(in.TextCap), "The list is longer than the budget; raise max_bytes."), out, nil
}
