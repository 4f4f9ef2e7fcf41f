package core

import (
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Core is the core toolset.
type Core struct {
	deps    toolset.Deps
	schemas schemaCache // parsed OpenAPI v3 documents, for resources_explain
}

var _ toolset.Toolset = (*Core)(nil)

// New returns the core toolset.
func New(deps toolset.Deps) *Core { return &Core{deps: deps} }

// Name implements toolset.Toolset.
func (c *Core) Name() string { return "core" }

// Description implements toolset.Toolset.
func (c *Core) Description() string {
	return "any resource (including custom resources) by kind: list, get, describe, explain, apply, patch, delete; events, API resources, contexts and cluster info"
}

// Tools implements toolset.Toolset.
func (c *Core) Tools() []toolset.Tool {
	// resources_explain prints a CRD's own descriptions: the gate fences its
	// whole text.
	return append(toolset.AllFenced(
		c.namespacesList(),
		c.resourcesList(), c.resourcesGet(), c.resourcesDescribe(), c.eventsList(), c.apiResourcesList(),
		c.clustersList(), c.clusterInfo(),
		c.resourcesApply(), c.resourcesPatch(), c.resourcesDelete(),
	), c.resourcesExplain())
}
