package diagnostics

import (
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Diagnostics is the diagnostics toolset.
type Diagnostics struct {
	deps toolset.Deps
}

var _ toolset.Toolset = (*Diagnostics)(nil)

// New returns the diagnostics toolset.
func New(deps toolset.Deps) *Diagnostics { return &Diagnostics{deps: deps} }

// Name implements toolset.Toolset.
func (d *Diagnostics) Name() string { return "diagnostics" }

// Description implements toolset.Toolset.
func (d *Diagnostics) Description() string {
	return "what is wrong and why: issues with evidence and next steps, namespace overview, cluster health, security scan, resource usage and cost, RBAC questions"
}

// Tools implements toolset.Toolset.
func (d *Diagnostics) Tools() []toolset.Tool {
	// The RBAC answers name subjects and roles as the cluster spells them,
	// not fenced by render: the gate fences their whole text.
	return append(toolset.AllFenced(
		d.findIssues(), d.namespaceOverview(), d.clusterHealth(),
		d.securityScan(), d.resourceUsage(), d.rbacCanI(),
	), d.rbacWhoCan(), d.rbacSubjectPermissions())
}
