package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// TestPortForwardOnlyForOneLocalUser: port_forward is served to one local
// user (auth none) and to no one behind auth, where a forward would listen on
// kubemcp's host for any process there and out of the caller's reach. No
// cluster is needed: which tools are served is decided at start.
func TestPortForwardOnlyForOneLocalUser(t *testing.T) {
	for _, tt := range []struct {
		auth string
		want bool
	}{
		{config.AuthNone, true}, {config.AuthToken, false}, {config.AuthOIDC, false}, {config.AuthPassthrough, false},
	} {
		t.Run(tt.auth, func(t *testing.T) {
			cfg := config.Default()
			cfg.Kubeconfig, cfg.Auth = offlineKubeconfig(t), tt.auth
			srv, err := NewServer(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if got := slices.ContainsFunc(listTools(t, srv.MCP), func(tool *mcp.Tool) bool { return tool.Name == "port_forward" }); got != tt.want {
				t.Errorf("auth %s: port_forward served = %v, want %v", tt.auth, got, tt.want)
			}
		})
	}
}

// TestPortForwardNotCallableBehindAuth: alice and bob, over HTTP with static
// tokens, neither see port_forward nor can call it.
func TestPortForwardNotCallableBehindAuth(t *testing.T) {
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- {user: alice, token: ta}\n- {user: bob, token: tb}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	line := serveInProcess(t, "--listen", "127.0.0.1:0", "--auth", "token", "--auth-token-file", tokens, "--kubeconfig", offlineKubeconfig(t))
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	url := strings.Fields(rest)[0]
	for _, token := range []string{"ta", "tb"} {
		tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "v0"}, nil).Connect(t.Context(), tr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		list, err := cs.ListTools(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(list.Tools, func(tool *mcp.Tool) bool { return tool.Name == "port_forward" }) {
			t.Errorf("token %s: tools/list offers port_forward", token)
		}
		_, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "port_forward", Arguments: map[string]any{"action": "list"}})
		if err == nil || !strings.Contains(err.Error(), `unknown tool "port_forward"`) {
			t.Errorf("token %s: calling port_forward: %v, want the unknown-tool error", token, err)
		}
	}
}

// TestPortForwardInConfigBehindAuth: behind auth, a config that disables
// port_forward or asks to confirm it still starts (neither can matter), and
// one that enables it is told why it cannot have it.
func TestPortForwardInConfigBehindAuth(t *testing.T) {
	base := config.Default()
	base.Kubeconfig, base.Auth = offlineKubeconfig(t), config.AuthToken
	disabled, enabled := base, base
	disabled.DisabledTools = []string{"port_forward"}
	disabled.Policy.Confirm = []policy.ConfirmRule{{Tools: []string{"port_forward"}}}
	enabled.EnabledTools = []string{"pods_list", "port_forward"}
	srv, err := NewServer(disabled, nil, nil)
	if err != nil {
		t.Fatalf("disabling or confirming port_forward behind auth: %v", err)
	}
	srv.Close()
	if _, err := NewServer(enabled, nil, nil); err == nil || !strings.Contains(err.Error(), "offers only when it serves one local user") {
		t.Fatalf("enabling port_forward behind auth: %v", err)
	}
}
