package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// connectInMemory serves kubemcp in this process, wired exactly as serve wires
// it, for the given kubeconfig.
func connectInMemory(t testing.TB, kubeconfig string) *mcp.ClientSession {
	t.Helper()
	cfg := config.Default()
	cfg.Kubeconfig = kubeconfig
	return connectConfig(t, cfg)
}

// connectConfig serves kubemcp in this process with cfg.
func connectConfig(t testing.TB, cfg config.Config) *mcp.ClientSession {
	t.Helper()
	return connectServer(t, newServer(t, cfg), nil, nil)
}

// newServer builds kubemcp in this process, wired exactly as serve wires it,
// and closes it when the test ends.
func newServer(t testing.TB, cfg config.Config) *app.Server {
	t.Helper()
	srv, err := app.NewServer(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// connectServer connects client (nil: a plain one) to srv in memory.
func connectServer(t testing.TB, srv *app.Server, client *mcp.Client, opts *mcp.ClientSessionOptions) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := srv.MCP.Connect(testContext(t), st, nil); err != nil {
		t.Fatal(err)
	}
	return connectWith(t, client, ct, opts)
}

// connect connects a plain client over tr.
func connect(t testing.TB, tr mcp.Transport, opts *mcp.ClientSessionOptions) *mcp.ClientSession {
	t.Helper()
	return connectWith(t, nil, tr, opts)
}

// connectWith connects client (nil: a plain one) over tr; the session closes
// when the test ends.
func connectWith(t testing.TB, client *mcp.Client, tr mcp.Transport, opts *mcp.ClientSessionOptions) *mcp.ClientSession {
	t.Helper()
	if client == nil {
		client = mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil)
	}
	cs, err := client.Connect(testContext(t), tr, opts)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) (result, *mcp.CallToolResult) {
	t.Helper()
	res, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	if res.StructuredContent != nil {
		// kubemcp does not check structured results against their schema
		// on every call; every result the e2e suite sees is checked here,
		// against the schemas the server advertises right now.
		raw, _ := json.Marshal(res.StructuredContent)
		toolsettest.CheckOutput(t, toolsettest.OutputSchemas(t, cs), tool, raw)
	}
	return result{Text: textOf(res), IsError: res.IsError}, res
}

func runCases(t *testing.T, cs *mcp.ClientSession) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			got, res := call(t, cs, c.tool, c.args)
			c.check(t, got)
			if !c.isError && res.StructuredContent == nil {
				t.Errorf("%s: no structuredContent", c.tool)
			}
		})
	}
}

func TestGoSDKInMemory(t *testing.T) {
	runCases(t, connectInMemory(t, env.Kubeconfig))
}

// TestGoSDKHTTP runs the cases through a real kubemcp process over each HTTP
// flavour: a 2026-07-28 client (stateless, server/discover), a 2025-11-25 client
// (sessions) and a legacy SSE client.
func TestGoSDKHTTP(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	base := strings.TrimSuffix(url, "/mcp")
	tests := []struct {
		name    string
		tr      mcp.Transport
		opts    *mcp.ClientSessionOptions
		version string
	}{
		{"streamable 2026-07-28", &mcp.StreamableClientTransport{Endpoint: url}, nil, "2026-07-28"},
		{"streamable 2025-11-25", &mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"}, "2025-11-25"},
		{"legacy sse", &mcp.SSEClientTransport{Endpoint: base + "/sse"}, &mcp.ClientSessionOptions{ProtocolVersion: "2024-11-05"}, "2024-11-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := connect(t, tt.tr, tt.opts)
			if got := cs.InitializeResult().ProtocolVersion; got != tt.version {
				t.Fatalf("negotiated %s, want %s", got, tt.version)
			}
			if got := cs.InitializeResult().ServerInfo.Name; got != "kubemcp" {
				t.Fatalf("server name %q", got)
			}
			runCases(t, cs)
		})
	}
}

// TestStructuredPods checks that structuredContent carries the same facts as
// the table, typed, for programs that read it.
func TestStructuredPods(t *testing.T) {
	cs := connectInMemory(t, env.Kubeconfig)
	_, res := call(t, cs, "pods_list", map[string]any{"namespace": "payments"})
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Pods []struct {
			Name     string `json:"name"`
			Status   string `json:"status"`
			Restarts int    `json:"restarts"`
		} `json:"pods"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range out.Pods {
		if p.Status == "CrashLoopBackOff" && p.Restarts >= 7 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no CrashLoopBackOff pod with 7+ restarts in %s", raw)
	}
}

// TestForbiddenIsActionable runs kubemcp as alice, who has no RBAC grants: the
// refusal must name the verb, the resource and the namespace.
func TestForbiddenIsActionable(t *testing.T) {
	cs := connectInMemory(t, env.Users["alice"].Kubeconfig)
	got, _ := call(t, cs, "pods_list", map[string]any{"namespace": "shop"})
	c := toolCase{tool: "pods_list", isError: true, want: []string{"forbidden", `"list"`, "pods", `namespace "shop"`, "alice"}}
	c.check(t, got)
}

// TestUnreachableCluster points kubemcp at a closed port: the answer says the
// apiserver cannot be reached, not a bare transport error.
func TestUnreachableCluster(t *testing.T) {
	cs := connectInMemory(t, writeKubeconfig(t, "https://127.0.0.1:1"))
	got, _ := call(t, cs, "namespaces_list", nil)
	c := toolCase{tool: "namespaces_list", isError: true, want: []string{"cannot reach the cluster"}}
	c.check(t, got)
}

// writeKubeconfig writes a kubeconfig for server with a token nobody checks.
func writeKubeconfig(t testing.TB, server string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	body := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`, server)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHTTPProbesAndRebinding checks the probes of a real kubemcp process
// against a live cluster, and that a browser tricked by DNS rebinding (a
// foreign Host header on a loopback listener) is refused.
func TestHTTPProbesAndRebinding(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	base := strings.TrimSuffix(url, "/mcp")
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, base+path); code != http.StatusOK {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example.com"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host header: %d, want 403", resp.StatusCode)
	}
}

// TestReadyzReportsDeadCluster runs kubemcp against a closed port: the process
// still starts (start-up never waits on a cluster) and /readyz says why it is not ready.
func TestReadyzReportsDeadCluster(t *testing.T) {
	url := startHTTP(t, writeKubeconfig(t, "https://127.0.0.1:1"))
	if code, body := httpGet(t, strings.TrimSuffix(url, "/mcp")+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "127.0.0.1:1") {
		t.Fatalf("/readyz: %d %s", code, body)
	}
}

// TestStructuredBoundedLikeText: when the text is cut, structuredContent holds
// exactly the rows the text shows and says how many matched, so neither form
// of an answer can flood a client's context.
func TestStructuredBoundedLikeText(t *testing.T) {
	cs := connectInMemory(t, env.Kubeconfig)
	got, res := call(t, cs, "pods_list", map[string]any{"max_bytes": 1024})
	raw, _ := json.Marshal(res.StructuredContent)
	var out struct {
		Pods    []struct{ Name string } `json:"pods"`
		Matched int                     `json:"matched"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Pods) == 0 || len(out.Pods) >= out.Matched || !strings.Contains(got.Text, "rows not shown") {
		t.Fatalf("%d pods of %d matched; text:\n%s", len(out.Pods), out.Matched, got.Text)
	}
	for _, p := range out.Pods {
		if !strings.Contains(got.Text, p.Name) {
			t.Errorf("structured row %s is not in the text", p.Name)
		}
	}
	if len(got.Text) > 1024 {
		t.Errorf("text is %d bytes, budget 1024", len(got.Text))
	}
}
