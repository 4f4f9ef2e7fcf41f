package e2e

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkToolCall measures whole tool calls through a real MCP client to a
// real apiserver: in memory, and over HTTP to a real kubemcp process in both
// protocol eras. Run with make bench.
func BenchmarkToolCall(b *testing.B) {
	url := startHTTP(b, env.Kubeconfig)
	clients := []struct {
		name string
		cs   *mcp.ClientSession
	}{
		{"inmemory", connectInMemory(b, env.Kubeconfig)},
		{"http-2026", connect(b, &mcp.StreamableClientTransport{Endpoint: url}, nil)},
		{"http-2025", connect(b, &mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})},
	}
	calls := []struct {
		name string
		tool string
		args map[string]any
	}{
		{"pods_list-all", "pods_list", nil},
		{"pods_list-ns", "pods_list", map[string]any{"namespace": "payments"}},
		{"resources_get-deploy", "resources_get", map[string]any{"resource": "deploy", "namespace": "shop", "name": "frontend"}},
	}
	for _, cl := range clients {
		for _, c := range calls {
			b.Run(cl.name+"/"+c.name, func(b *testing.B) {
				ctx := context.Background()
				for b.Loop() {
					res, err := cl.cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
					if err != nil || res.IsError {
						b.Fatalf("%s: %v %+v", c.tool, err, res)
					}
				}
			})
		}
	}
}
