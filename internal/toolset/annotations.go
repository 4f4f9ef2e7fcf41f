package toolset

import "github.com/modelcontextprotocol/go-sdk/mcp"

// ReadOnly are the annotations of a tool that only reads from the cluster.
// Every kubemcp tool talks to a cluster, a world outside the server, so
// OpenWorldHint is always true.
func ReadOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:           title,
		ReadOnlyHint:    true,
		DestructiveHint: Bool(false),
		IdempotentHint:  true,
		OpenWorldHint:   Bool(true),
	}
}

// Writes are the annotations of a tool that changes the cluster: destructive
// if it can delete or replace what is there, idempotent if calling it again
// with the same arguments changes nothing more.
func Writes(title string, destructive, idempotent bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{
		Title:           title,
		ReadOnlyHint:    false,
		DestructiveHint: Bool(destructive),
		IdempotentHint:  idempotent,
		OpenWorldHint:   Bool(true),
	}
}
