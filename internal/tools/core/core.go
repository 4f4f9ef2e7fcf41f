// Package core is the toolset every kubemcp serves: namespaces, pods and any
// resource by kind, read from the caller's cluster.
package core

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Core is the core toolset.
type Core struct {
	deps toolset.Deps
}

var _ toolset.Toolset = (*Core)(nil)

// New returns the core toolset.
func New(deps toolset.Deps) *Core { return &Core{deps: deps} }

// Name implements toolset.Toolset.
func (c *Core) Name() string { return "core" }

// Description implements toolset.Toolset.
func (c *Core) Description() string {
	return "namespaces, pods and any resource (including custom resources) by kind"
}

// Tools implements toolset.Toolset.
func (c *Core) Tools() []toolset.Tool {
	return []toolset.Tool{c.namespacesList(), c.podsList(), c.resourcesGet()}
}

// readOnly are the annotations of a tool that only reads from the cluster.
func readOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:           title,
		ReadOnlyHint:    true,
		DestructiveHint: toolset.Bool(false),
		IdempotentHint:  true,
		OpenWorldHint:   toolset.Bool(true),
	}
}
