package app

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestServeUserSessions: --user-sessions reaches the server: alice's second
// session is refused, naming the flag, and bob's is not. Clients of
// 2026-07-28 have no sessions to count, so these speak 2025-11-25.
func TestServeUserSessions(t *testing.T) {
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- {user: alice, token: ta}\n- {user: bob, token: tb}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	line := serveInProcess(t, "--listen", "127.0.0.1:0", "--auth", "token", "--auth-token-file", tokens,
		"--user-sessions", "1", "--kubeconfig", offlineKubeconfig(t))
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	url := strings.Fields(rest)[0]
	connect := func(token string) (*mcp.ClientSession, error) {
		tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}}
		return mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, nil).Connect(t.Context(), tr, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	}
	first, err := connect("ta")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if cs, err := connect("ta"); err == nil || !strings.Contains(err.Error(), "alice has 1 MCP sessions open already") || !strings.Contains(err.Error(), "--user-sessions") {
		if cs != nil {
			cs.Close()
		}
		t.Errorf("alice's second session: %v", err)
	}
	bob, err := connect("tb")
	if err != nil {
		t.Fatalf("bob, with alice at her cap: %v", err)
	}
	bob.Close()
}
