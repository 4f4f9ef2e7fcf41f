package workloads

import (
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
	return toolset.AllFenced(w.scaleTool(), w.statusTool(), w.historyTool(), w.rolloutTool())
}
