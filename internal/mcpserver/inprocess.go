package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/identity"
)

// Connect opens an in-process MCP client session to server, named client,
// ended with the session's Close. The server side runs in a context carrying
// id (nil: none, so calls reach the clusters with the server's own
// credentials), where identity.Bind leaves it and clusters.Manager.Get finds
// it: each call reaches the clusters as that user. The console and the
// local agent reach kubemcp's tools this way, with the same policy,
// confirmation, redaction and audit as any client. opts may be nil.
func Connect(ctx context.Context, server *mcp.Server, id *identity.Identity, client string, opts *mcp.ClientOptions) (*mcp.ClientSession, error) {
	if id != nil {
		ctx = identity.NewContext(ctx, id)
	}
	ct, st := mcp.NewInMemoryTransports()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to kubemcp in process: %w", err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: client}, opts).Connect(ctx, ct, nil)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("connecting to kubemcp in process: %w", err), ss.Close())
	}
	return cs, nil
}

// ResultText is a tool result's text, its text parts joined: what a client
// shows of it, and a tool's own words when it could not do what was asked.
func ResultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// Decode reads a tool result's structured content into out.
func Decode(res *mcp.CallToolResult, out any) error {
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}
