package mcpserver

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
)

// TestFailedCallsAreLoggedAndAudited calls a tool that does not exist through
// a real client: go-sdk answers a protocol error, and hands the middleware a
// nil *CallToolResult, which the call log and the audit log must read as a
// failure rather than panic on.
func TestFailedCallsAreLoggedAndAudited(t *testing.T) {
	var logs, records bytes.Buffer
	server := New(Options{Audit: audit.New(&records), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "nope"})
	if err == nil || strings.Contains(err.Error(), "internal error") {
		t.Fatalf("calling an unknown tool: %v, want go-sdk's unknown-tool error", err)
	}
	if strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), "tool=nope") || !strings.Contains(logs.String(), "isError=true") {
		t.Errorf("server log:\n%s", logs.String())
	}
	if !strings.Contains(records.String(), `"tool":"nope"`) || !strings.Contains(records.String(), `"result":"failed"`) {
		t.Errorf("audit log:\n%s", records.String())
	}
}

// TestMiddlewareTakesNilParams calls the middleware with a tools/call whose
// params are nil, which the type allows though go-sdk refuses it on the wire.
func TestMiddlewareTakesNilParams(t *testing.T) {
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) {
		return &mcp.CallToolResult{IsError: true}, nil
	}
	var records bytes.Buffer
	for name, mw := range map[string]mcp.Middleware{
		"call log":  logCalls(slog.New(slog.DiscardHandler)),
		"audit log": auditCalls(audit.New(&records), nil, nil, slog.New(slog.DiscardHandler)),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := mw(next)(context.Background(), "tools/call", &mcp.CallToolRequest{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if !strings.Contains(records.String(), `"result":"error"`) {
		t.Errorf("audit log:\n%s", records.String())
	}
}
