package workloads

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Workloads is the workloads toolset.
type Workloads struct {
	deps toolset.Deps
}

var _ toolset.Toolset = (*Workloads)(nil)

// New returns the workloads toolset.
func New(deps toolset.Deps) *Workloads { return &Workloads{deps: deps} }

// Name implements toolset.Toolset.
func (w *Workloads) Name() string { return "workloads" }

// Description implements toolset.Toolset.
func (w *Workloads) Description() string {
	return "scale Deployments and StatefulSets; rollout status, history, restart, undo, pause and resume"
}

// Tools implements toolset.Toolset.
func (w *Workloads) Tools() []toolset.Tool {
	return []toolset.Tool{
		w.scaleTool(), w.statusTool(), w.historyTool(), w.restartTool(),
		w.undoTool(), w.pauseTool(), w.resumeTool(),
	}
}

// annotations are a tool's hints. Every workloads tool talks to a cluster, a
// world outside the server, so OpenWorldHint is always true.
func annotations(title string, readOnly, destructive, idempotent bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:           title,
		ReadOnlyHint:    readOnly,
		DestructiveHint: toolset.Bool(destructive),
		IdempotentHint:  idempotent,
		OpenWorldHint:   toolset.Bool(true),
	}
}
