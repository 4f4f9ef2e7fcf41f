package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/callclock"
)

// DefaultCallTimeout bounds a tool call when Options.CallTimeout is zero.
const DefaultCallTimeout = 30 * time.Second

// errCallTimeout is the cause of a call's context ending at the per-call
// timeout, told apart from the client cancelling it.
var errCallTimeout = errors.New("the per-call timeout passed")

// boundCalls ends every tool call after limit (not counting the time a person
// takes to approve it: see callclock): its context is cancelled then,
// which client-go requests and the tools' own timers (timeout_seconds, nested
// inside it, so they can only shorten it) heed. The answer does not wait for
// a handler that ignores its context, so a hung apiserver, or one that
// accepted the connection and went quiet, costs the caller limit at most.
func boundCalls(limit time.Duration) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if !ok {
				return next(ctx, method, req)
			}
			ctx, cancel := callclock.WithLimit(ctx, limit, errCallTimeout)
			defer cancel()
			type answer struct {
				res mcp.Result
				err error
			}
			done := make(chan answer, 1) // the handler may finish after we have answered
			go func() {
				res, err := next(ctx, method, req)
				done <- answer{res, err}
			}()
			select {
			case a := <-done: // an answer that came in time stands, even if the limit passed since
				return a.res, a.err
			case <-ctx.Done():
				if errors.Is(context.Cause(ctx), errCallTimeout) {
					return timedOut(params(call).Name, limit), nil
				}
				a := <-done // the client cancelled: the handler answers that
				return a.res, a.err
			}
		}
	}
}

// timedOut is the answer to a call that ran past the per-call timeout:
// whatever the handler said as its context ended ("context deadline
// exceeded") would not say what happened or what to do.
func timedOut(tool string, limit time.Duration) *mcp.CallToolResult {
	msg := fmt.Sprintf("%s did not finish within %s, kubemcp's per-call timeout, and was stopped: the cluster (or upstream server) "+
		"it asked did not answer in time, so it may be hung, unreachable or overloaded (clusters_list shows which clusters answer). "+
		"Retry later, or ask for less (a namespace, a label selector); a longer timeout_seconds cannot extend the call past %[2]s, "+
		"the administrator can raise it with --call-timeout", audit.Bound(tool, audit.MaxName), limit)
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
}
