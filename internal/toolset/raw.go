package toolset

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/confirm"
)

// RawHandler handles a tool whose schemas are someone else's (an upstream
// MCP server's, re-served by the gateway): it reads the request's arguments
// as they came, and returns the text and structured value for the gate.
type RawHandler func(ctx context.Context, req *mcp.CallToolRequest) (text string, structured json.RawMessage, err error)

// Raw makes a Tool from metadata whose input and output schemas are given,
// not inferred, and a handler that validates its own arguments. A call that
// is not read-only still passes the confirmation rules (confirmingRaw), and
// its answer the gate: its text is fenced as the upstream's (whatever the
// upstream put in it: never the upstream's to mark as kubemcp's), text and
// structuredContent are redacted, and an error becomes an isError result
// (WithOutput keeps structured).
func Raw(meta mcp.Tool, h RawHandler) Tool {
	return Tool{
		Meta: meta,
		install: func(s *mcp.Server, t *mcp.Tool, _ Tool, o InstallOptions) {
			if o.Confirm != nil && (t.Annotations == nil || !t.Annotations.ReadOnlyHint) {
				t.InputSchema, h = withApproval(t.InputSchema), confirmingRaw(o.Confirm, h)
			}
			s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				state := &callState{fence: "upstream tool " + t.Name, upstream: true}
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

// confirmingRaw wraps h so that the calls c's rules name are confirmed first.
// A raw tool's arguments do not say what it changes, so it is taken to act on
// any kind in any namespace: every rule whose tools cover it applies. The
// approval_token is taken out of the arguments h gets, which are checked
// against a schema that does not have it.
func confirmingRaw(c *confirm.Confirmer, h RawHandler) RawHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (string, json.RawMessage, error) {
		var args map[string]json.RawMessage
		_ = json.Unmarshal(req.Params.Arguments, &args)
		var token string
		_ = json.Unmarshal(args["approval_token"], &token)
		call := confirm.Call{Req: req, Token: token, ActsOn: func() (string, string) { return "*", "*" }}
		if err := c.Approve(ctx, call); err != nil {
			return "", nil, &confirmation{err}
		}
		if _, ok := args["approval_token"]; ok {
			delete(args, "approval_token")
			inner := *req
			params := *req.Params
			params.Arguments, _ = json.Marshal(args)
			inner.Params = &params
			req = &inner
		}
		return h(ctx, req)
	}
}

// withApproval is an input schema given as JSON (a map) with the
// approval_token property added, as Approval adds it to typed tools.
func withApproval(schema any) any {
	m, ok := schema.(map[string]any)
	if !ok {
		return schema
	}
	m = maps.Clone(m)
	props, _ := m["properties"].(map[string]any)
	props = maps.Clone(props)
	if props == nil {
		props = map[string]any{}
	}
	props["approval_token"] = map[string]any{"type": "string", "description": "from an answer that asked for confirmation"}
	m["properties"] = props
	return m
}
