package identity

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// FromRequest returns the identity verified for the HTTP request that carried
// req (streamable HTTP), or nil.
func FromRequest(req mcp.Request) *Identity {
	if ex := req.GetExtra(); ex != nil {
		return fromTokenInfo(ex.TokenInfo)
	}
	return nil
}

// Bind puts the caller's identity into the context of every MCP request, where
// clusters.Manager.Get finds it: the identity verified for the HTTP request
// that carried the message (streamable HTTP), else the one already in the
// context, which for legacy SSE is the identity of the GET that opened the
// session (the transport keeps each caller's SSE sessions apart).
func Bind() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if id := FromRequest(req); id != nil {
				ctx = NewContext(ctx, id)
			}
			return next(ctx, method, req)
		}
	}
}
