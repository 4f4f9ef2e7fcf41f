package pods

import (
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Pods is the pods toolset.
type Pods struct {
	deps     toolset.Deps
	forwards *forwards // port-forward sessions
}

var _ toolset.Toolset = (*Pods)(nil)

// New returns the pods toolset.
func New(deps toolset.Deps) *Pods {
	return &Pods{deps: deps, forwards: newForwards()}
}

// Name implements toolset.Toolset.
func (p *Pods) Name() string { return "pods" }

// Description implements toolset.Toolset.
func (p *Pods) Description() string {
	return "pods: list, get with a status summary, logs (one pod or many by label), delete, exec, port-forward sessions; CPU and memory usage of pods and nodes"
}

// Tools implements toolset.Toolset.
func (p *Pods) Tools() []toolset.Tool {
	return []toolset.Tool{p.podsList(), p.podsGet(), p.podsLogs(), p.podsDelete().On("Pod"), p.podsTop(), p.nodesTop(), p.podsExec().On("Pod"),
		p.portForward()}
}
