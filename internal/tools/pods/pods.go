package pods

import (
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Pods is the pods toolset.
type Pods struct {
	deps     toolset.Deps
	opts     Options
	forwards *forwards // port-forward sessions
}

// Options say what the pods toolset offers beyond what every server does.
type Options struct {
	// PortForward offers port_forward. A forward listens on kubemcp's host,
	// where any process there may connect without a credential and use the
	// caller's Kubernetes access, and which a remote caller cannot reach: it
	// is for a server of one local user only (stdio, or HTTP without auth).
	PortForward bool
}

var _ toolset.Toolset = (*Pods)(nil)

// New returns the pods toolset, offering what o says.
func New(deps toolset.Deps, o Options) *Pods {
	return &Pods{deps: deps, opts: o, forwards: newForwards()}
}

// Name implements toolset.Toolset.
func (p *Pods) Name() string { return "pods" }

// Description implements toolset.Toolset.
func (p *Pods) Description() string {
	forward := ""
	if p.opts.PortForward {
		forward = ", port-forward sessions"
	}
	return "pods: list, get with a status summary, logs (one pod or many by label), delete, exec" + forward + "; CPU and memory usage of pods and nodes"
}

// Tools implements toolset.Toolset.
func (p *Pods) Tools() []toolset.Tool {
	tools := []toolset.Tool{p.podsList(), p.podsGet(), p.podsLogs(), p.podsDelete().On("Pod"), p.podsTop(), p.nodesTop(), p.podsExec().On("Pod")}
	if p.opts.PortForward {
		tools = append(tools, p.portForward())
	}
	return toolset.AllFenced(tools...)
}
