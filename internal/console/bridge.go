package console

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
)

// bridge reaches the clusters the way an agent does: through kubemcp's own
// tools over MCP, so the console gets the same policy, redaction, audit and
// per-user access, and holds no cluster client of its own.
type bridge struct {
	server *mcp.Server
	remote *Remote // set: the kubemcp reached instead of server
}

// open starts an MCP session for id: in process (see mcpserver.Connect),
// where each call reaches the clusters as that user, or with a remote, the
// remote's, as its token's caller.
func (b *bridge) open(ctx context.Context, id *identity.Identity) (*mcp.ClientSession, error) {
	if b.remote != nil {
		return b.remote.connect(ctx)
	}
	return mcpserver.Connect(ctx, b.server, id, "kubemcp-console", nil)
}

// toolError is a tool's answer that it could not do what was asked (isError),
// in the tool's own words.
type toolError struct {
	tool string
	text string
}

func (e *toolError) Error() string { return e.tool + ": " + e.text }

// call calls tool with args and decodes its structuredContent into out.
// A result with isError is a *toolError unless it carries structured
// content (a fan-out across clusters that all failed still says how each
// did), which is then decoded as usual.
func call(ctx context.Context, cs *mcp.ClientSession, tool string, args, out any) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return fmt.Errorf("calling %s: %w", tool, err)
	}
	if res.StructuredContent == nil {
		if res.IsError {
			return &toolError{tool: tool, text: mcpserver.ResultText(res)}
		}
		return fmt.Errorf("%s returned no structured content", tool)
	}
	if err := mcpserver.Decode(res, out); err != nil {
		return fmt.Errorf("reading the structured result of %s: %w", tool, err)
	}
	return nil
}
