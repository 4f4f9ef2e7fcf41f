package app

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
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

// TestServeAddressSessions: --address-sessions caps the sessions from one
// address without auth too: the third from loopback is refused, naming the
// flag, and a session closed makes room for another.
func TestServeAddressSessions(t *testing.T) {
	line := serveInProcess(t, "--listen", "127.0.0.1:0", "--address-sessions", "2", "--kubeconfig", offlineKubeconfig(t))
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	url := strings.Fields(rest)[0]
	connect := func() (*mcp.ClientSession, error) {
		return mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, nil).Connect(t.Context(),
			&mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	}
	var open []*mcp.ClientSession
	for range 2 {
		cs, err := connect()
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, cs)
	}
	defer func() {
		for _, cs := range open {
			cs.Close()
		}
	}()
	if cs, err := connect(); err == nil || !strings.Contains(err.Error(), "127.0.0.1 has 2 MCP sessions open already") || !strings.Contains(err.Error(), "--address-sessions") {
		if cs != nil {
			cs.Close()
		}
		t.Fatalf("the third session: %v", err)
	}
	open[0].Close()
	testenv.Eventually(t, 5*time.Second, "a closed session to make room", func() bool {
		cs, err := connect()
		if err == nil {
			open[0] = cs
		}
		return err == nil
	})
}
