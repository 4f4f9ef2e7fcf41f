package mcpserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestCallTimeout: a tool that outlives the per-call timeout is answered
// with a timeout error naming the bound and the flag, whether it heeds its
// context (and says only "context deadline exceeded") or ignores it; a
// client's own cancellation is not reported as a timeout.
func TestCallTimeout(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	handlers := map[string]mcp.ToolHandler{
		"heeds": func(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"ignores": func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			<-stuck
			return &mcp.CallToolResult{}, nil
		},
		"quick": func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		},
	}
	server := New(Options{CallTimeout: 300 * time.Millisecond})
	for name, h := range handlers {
		server.AddTool(&mcp.Tool{Name: name, InputSchema: map[string]any{"type": "object"}}, h)
	}
	cs := connect(t, server)
	for _, name := range []string{"heeds", "ignores"} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("answered after %s with a 300ms bound", took)
			}
			text := res.Content[0].(*mcp.TextContent).Text
			if !res.IsError || !strings.Contains(text, name+" did not finish within 300ms, kubemcp's per-call timeout") || !strings.Contains(text, "--call-timeout") {
				t.Errorf("isError %v: %s", res.IsError, text)
			}
		})
	}
	t.Run("within the bound", func(t *testing.T) {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "quick"})
		if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "done" {
			t.Errorf("%v %+v", err, res)
		}
	})
	t.Run("client cancels", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "heeds"}); err == nil || strings.Contains(err.Error(), "per-call timeout") {
			t.Errorf("want the client's own cancellation, got %v", err)
		}
	})
}

func connect(t *testing.T, server *mcp.Server) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}
