package nodes

import (
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Nodes is the nodes toolset.
type Nodes struct {
	deps toolset.Deps
}

var _ toolset.Toolset = (*Nodes)(nil)

// New returns the nodes toolset.
func New(deps toolset.Deps) *Nodes { return &Nodes{deps: deps} }

// Name implements toolset.Toolset.
func (n *Nodes) Name() string { return "nodes" }

// Description implements toolset.Toolset.
func (n *Nodes) Description() string {
	return "list nodes with their problems, cordon, uncordon and drain them"
}

// Tools implements toolset.Toolset.
func (n *Nodes) Tools() []toolset.Tool {
	// A drain reports why each pod could not be evicted in the apiserver's
	// and its PodDisruptionBudgets' words: the gate fences its whole text.
	return append(toolset.AllFenced(n.listTool(), n.cordonTool().On("Node")), n.drainTool().On("Node"))
}

// explain passes an API error about a node through toolset.Explain.
func explain(err error, verb, name string) error {
	return toolset.Explain(err, toolset.Op{Verb: verb, Resource: "nodes", Name: name, ListCall: "nodes_list"})
}
