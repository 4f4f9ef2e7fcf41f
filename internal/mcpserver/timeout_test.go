package mcpserver

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/toolset"
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

// confirmed is a server whose one tool, change, needs a person's approval;
// with hang it waits for its context to end. Its text holds nothing from
// outside, so it is Fenced: the tests read it as written.
func confirmed(opts Options) *mcp.Server {
	type in struct {
		Name string `json:"name"`
		Hang bool   `json:"hang,omitempty"`
	}
	server := New(opts)
	toolset.Install(server, []toolset.Tool{toolset.New(mcp.Tool{Name: "change", Annotations: toolset.Writes("Change", false, true)},
		func(ctx context.Context, _ *mcp.CallToolRequest, in in) (string, struct{}, error) {
			if in.Hang {
				<-ctx.Done()
				return "", struct{}{}, ctx.Err()
			}
			return "changed " + in.Name, struct{}{}, nil
		}).Fenced()}, toolset.InstallOptions{Confirm: confirm.New([]policy.ConfirmRule{{}}, nil)})
	return server
}

// connectAsking connects a client of version whose person answers with
// answer.
func connectAsking(t *testing.T, server *mcp.Server, version string, answer func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error)) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, &mcp.ClientOptions{ElicitationHandler: answer}).Connect(t.Context(), ct,
		&mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func approve(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}, nil
}

// TestApprovalTimeNotCounted: a person who takes three times the per-call
// timeout to approve a change still has it run, and the call's own work
// after the approval is still bounded. (A client of the era that elicits
// within the call.)
func TestApprovalTimeNotCounted(t *testing.T) {
	const limit = 300 * time.Millisecond
	slowPerson := func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		time.Sleep(3 * limit)
		return approve(ctx, req)
	}
	cs := connectAsking(t, confirmed(Options{CallTimeout: limit}), "2025-11-25", slowPerson)
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "change", Arguments: map[string]any{"name": "web"}})
	if err != nil || res.IsError || ResultText(res) != "changed web" {
		t.Fatalf("approved after %s with a %s call timeout: %v %s", 3*limit, limit, err, ResultText(res))
	}
	res, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "change", Arguments: map[string]any{"name": "web", "hang": true}})
	if err != nil || !res.IsError || !strings.Contains(ResultText(res), "per-call timeout") {
		t.Fatalf("an approved call that hangs was not ended by the call timeout: %v %+v", err, res)
	}
}

// TestAskedBetweenCallsAudited: a 2026-07-28 client's person is asked
// between two calls; the audit log says the first was asked, the second ok.
func TestAskedBetweenCallsAudited(t *testing.T) {
	var records bytes.Buffer
	cs := connectAsking(t, confirmed(Options{Audit: audit.New(&records)}), "2026-07-28", approve)
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "change", Arguments: map[string]any{"name": "web"}})
	if err != nil || res.IsError || ResultText(res) != "changed web" {
		t.Fatalf("%v %s", err, ResultText(res))
	}
	lines := strings.Split(strings.TrimSpace(records.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"result":"asked"`) || !strings.Contains(lines[1], `"result":"ok"`) {
		t.Errorf("audit log:\n%s", records.String())
	}
}
