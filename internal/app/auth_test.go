package app

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeAuthRefusals(t *testing.T) {
	kc := offlineKubeconfig(t)
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"oidc passthrough", []string{"--listen", "0.0.0.0:0", "--auth", "oidc", "--oidc-issuer", "https://idp.example.com",
			"--public-url", "https://kubemcp.example.com", "--credentials", "passthrough"}, "MCP specification forbids"},
		{"auth over stdio", []string{"--auth", "passthrough"}, "over stdio"},
		{"impersonate without auth", []string{"--listen", "127.0.0.1:0", "--credentials", "impersonate"}, "no verified caller"},
		{"bad token file", []string{"--listen", "127.0.0.1:0", "--auth", "token", "--auth-token-file", tokens}, `tokens[0] (user "alice"): no token or sha256`},
		{"oidc without audience", []string{"--listen", "127.0.0.1:0", "--auth", "oidc", "--oidc-issuer", "https://idp.example.com"}, "oidcAudience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, nil, append(tt.args, "--kubeconfig", kc)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v (output %q)", tt.want, err, out)
			}
		})
	}
}

// TestServeBeyondLoopbackWithAuth: with auth, kubemcp binds any address.
func TestServeBeyondLoopbackWithAuth(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"--listen", "0.0.0.0:0", "--auth", "passthrough", "--kubeconfig", offlineKubeconfig(t)},
			Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: pw})
		pw.Close()
	}()
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "serving MCP at") {
				line <- sc.Text()
			}
		}
	}()
	select {
	case l := <-line:
		if !strings.Contains(l, "auth passthrough, credentials passthrough") {
			t.Errorf("start line: %q", l)
		}
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no start line within 10s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
