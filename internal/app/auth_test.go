package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
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
	line := serveInProcess(t, "--listen", "0.0.0.0:0", "--auth", "passthrough", "--kubeconfig", offlineKubeconfig(t))
	if !strings.Contains(line, "auth passthrough, credentials passthrough") {
		t.Errorf("start line: %q", line)
	}
}

// TestServeOIDCMetadata: with OIDC, a 401 points at the protected-resource
// metadata, which names the issuer for this server's /mcp.
func TestServeOIDCMetadata(t *testing.T) {
	line := serveInProcess(t, "--listen", "127.0.0.1:0", "--auth", "oidc", "--oidc-issuer", "https://idp.example.com",
		"--public-url", "https://kubemcp.example.com/", "--oidc-scopes", "openid,groups", "--kubeconfig", offlineKubeconfig(t))
	_, rest, _ := strings.Cut(line, "serving MCP at ")
	url := strings.Fields(rest)[0]
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := `Bearer resource_metadata="https://kubemcp.example.com/.well-known/oauth-protected-resource/mcp"`
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != want {
		t.Errorf("no token: %d %q, want 401 %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
	}
	resp, err = http.Get(strings.TrimSuffix(url, "/mcp") + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		Scopes               []string `json:"scopes_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.Resource != "https://kubemcp.example.com/mcp" || strings.Join(md.AuthorizationServers, ",") != "https://idp.example.com" ||
		strings.Join(md.Scopes, ",") != "openid,groups" {
		t.Errorf("metadata: %+v", md)
	}
}

// serveInProcess runs `kubemcp serve args...` in this process until the test
// ends, and returns its start line.
func serveInProcess(t *testing.T, args ...string) string {
	t.Helper()
	line, stop := startServe(t, io.Discard, args...)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return line
}

// startServe runs `kubemcp serve args...` in this process and returns its
// start line and a stop that ends it and returns serve's error. Everything
// serve writes to stderr goes to log, lines of any length, all of it by the
// time stop returns.
func startServe(t *testing.T, log io.Writer, args ...string) (line string, stop func() error) {
	t.Helper()
	return startServeOn(t, io.NopCloser(strings.NewReader("")), nopCloser{io.Discard}, log, args...)
}

// startServeOn is startServe with stdin and stdout given, for --stdio.
func startServeOn(t *testing.T, in io.ReadCloser, out io.WriteCloser, log io.Writer, args ...string) (line string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, args, Streams{In: in, Out: out, Err: pw})
		pw.Close()
	}()
	started, drained := make(chan string, 1), make(chan struct{})
	stop = func() error {
		cancel()
		err := <-done
		<-drained
		return err
	}
	go func() {
		defer close(drained)
		r := bufio.NewReader(pr)
		for {
			l, err := r.ReadString('\n')
			log.Write([]byte(l))
			if strings.Contains(l, "serving MCP at") {
				started <- l
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case l := <-started:
		return l, stop
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("no start line within 10s")
	}
	return "", stop
}
