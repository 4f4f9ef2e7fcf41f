package toolset

import (
	"context"
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// RawHandler handles a tool whose schemas are someone else's (an upstream
// MCP server's, re-served by the gateway): it reads the request's arguments
// as they came, and returns the text and structured value for the gate.
type RawHandler func(ctx context.Context, req *mcp.CallToolRequest) (text string, structured json.RawMessage, err error)

// Raw makes a Tool from metadata whose input and output schemas are given,
// not inferred, and a handler that validates its own arguments. Its answer
// still goes through the gate: redaction of text and structuredContent, and
// an error becomes an isError result (WithOutput keeps structured).
func Raw(meta mcp.Tool, h RawHandler) Tool {
	return Tool{
		Meta: meta,
		install: func(s *mcp.Server, t *mcp.Tool, _ string, _ InstallOptions) {
			s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				state := &callState{}
				text, structured, err := h(context.WithValue(ctx, stateKey{}, state), req)
				var out any // a nil RawMessage must stay a nil interface: no structuredContent
				if structured != nil {
					out = structured
				}
				return state.answer(text, out, err)
			})
		},
	}
}
