package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/transport"
)

var update = flag.Bool("update", false, "rewrite golden files")

// offlineKubeconfig points at a cluster that is never contacted: building the
// server and listing tools must not need one.
func offlineKubeconfig(t testing.TB) string {
	return writeKubeconfig(t, "[{name: offline, context: {cluster: c, user: u, namespace: shop}}]", "offline")
}

// writeKubeconfig writes a kubeconfig of these contexts of one unreachable cluster.
func writeKubeconfig(t testing.TB, contexts, current string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	body := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: ` + contexts + `
current-context: ` + current + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{&out}, Err: &errb})
	return out.String() + errb.String(), err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func TestVersion(t *testing.T) {
	out, err := run(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "kubemcp ") {
		t.Fatalf("version: %q, %v", out, err)
	}
}

func TestServeRefusals(t *testing.T) {
	home := t.TempDir()
	kc := offlineKubeconfig(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"non-loopback", nil, []string{"--listen", "0.0.0.0:8080", "--kubeconfig", kc}, "beyond loopback"},
		{"no cluster", map[string]string{"HOME": home, "KUBECONFIG": filepath.Join(home, "none")}, []string{"--listen", "127.0.0.1:0"}, "no cluster configured"},
		{"unknown context", nil, []string{"--kubeconfig", kc, "--context", "nope"}, `context "nope"`},
		{"bad env", map[string]string{"KUBEMCP_LOG_LEVEL": "loud"}, []string{"--kubeconfig", kc}, "logLevel"},
		{"unknown flag", nil, []string{"--kubeconfg", kc}, "unknown flag"},
		{"no approval key file", nil, []string{"--kubeconfig", kc, "--approval-key-file", filepath.Join(home, "none")}, "approval key file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v (output %q)", tt.want, err, out)
			}
		})
	}
	if _, err := run(t, map[string]string{"HOME": home, "KUBECONFIG": filepath.Join(home, "none")}, "--listen", "127.0.0.1:0"); !errors.Is(err, clusters.ErrNoClusters) {
		t.Fatalf("want ErrNoClusters, got %v", err)
	}
	if _, err := run(t, nil, "--listen", "0.0.0.0:1", "--kubeconfig", kc); !errors.Is(err, transport.ErrNotLoopback) {
		t.Fatalf("want ErrNotLoopback, got %v", err)
	}
}

// TestToolsListGolden snapshots the whole tools/list a client sees: names,
// descriptions, annotations and schemas are kubemcp's public API. Regenerate
// with go test ./internal/app -run Golden -update.
func TestToolsListGolden(t *testing.T) {
	cfg := config.Default()
	cfg.Kubeconfig = offlineKubeconfig(t)
	srv, err := NewServer(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := listTools(t, srv.MCP)
	got, err := json.MarshalIndent(tools, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "tools.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Fatalf("tools/list changed; if intended, run go test ./internal/app -run Golden -update and review the diff.\ngot:\n%s", got)
	}
	for _, tool := range tools {
		if tool.Annotations == nil || tool.OutputSchema == nil {
			t.Errorf("tool %s lacks annotations or an output schema", tool.Name)
		}
	}
}

// TestAuditEndToEnd records real tool calls (against an unreachable cluster,
// so they fail: failures are audited too), then checks the file with
// `kubemcp audit verify`, before and after tampering.
func TestAuditEndToEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Kubeconfig = offlineKubeconfig(t)
	srv, err := NewServer(cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := srv.MCP.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "audit"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	secretArg := "token-abcdefgh-should-not-be-logged"
	for _, args := range []map[string]any{{"namespace": "shop", "label_selector": secretArg}, {"namespace": "payments"}} {
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "pods_list", Arguments: args}); err != nil {
			t.Fatal(err)
		}
	}
	cs.Close()
	log.Close()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"tool":"pods_list"`) || !strings.Contains(lines[0], `"namespace":"shop"`) ||
		!strings.Contains(lines[0], `"result":"error"`) || !strings.Contains(lines[0], `"verb":"read"`) {
		t.Fatalf("audit lines:\n%s", data)
	}
	if strings.Contains(string(data), secretArg) {
		t.Fatal("an argument value reached the audit log")
	}
	out, err := run(t, nil, "audit", "verify", path)
	if err != nil || !strings.Contains(out, "2 lines, chain intact") {
		t.Fatalf("verify: %q %v", out, err)
	}
	os.WriteFile(path, []byte(strings.Replace(string(data), `"payments"`, `"prod"`, 1)), 0o600)
	if _, err := run(t, nil, "audit", "verify", path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("tampered log: %v", err)
	}
}
