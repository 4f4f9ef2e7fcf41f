package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// nodeDir is test/e2e/node, where the TypeScript SDK client and the Inspector live.
func nodeDir(t *testing.T) string {
	t.Helper()
	dir, err := testenv.NodeDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// nodeBinary is Node 22 with the pinned npm packages installed (testenv.Node).
func nodeBinary(t *testing.T) string {
	t.Helper()
	node, err := testenv.Node()
	if err != nil {
		t.Fatal(err)
	}
	return node
}

// tsResult is what client.mjs prints.
type tsResult struct {
	ProtocolVersion string   `json:"protocolVersion"`
	Tools           []string `json:"tools"`
	Calls           []struct {
		Name    string `json:"name"`
		IsError bool   `json:"isError"`
		Text    string `json:"text"`
		Error   any    `json:"error"`
	} `json:"calls"`
	Error *string `json:"error"`
}

// runTS runs every case through the TypeScript SDK in one client session;
// target is either --url URL or --stdio -- kubemcp args.
func runTS(t *testing.T, target ...string) {
	t.Helper()
	all := cases()
	args := []string{filepath.Join(nodeDir(t), "client.mjs"), "--list-tools"}
	for _, c := range all {
		a, err := json.Marshal(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if c.args == nil {
			a = []byte("{}")
		}
		args = append(args, "--call", c.tool, "--args", string(a))
	}
	args = append(args, target...)
	var stderr bytes.Buffer
	cmd := exec.Command(nodeBinary(t), args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var got tsResult
	if jerr := json.Unmarshal(out, &got); jerr != nil {
		t.Fatalf("client.mjs: %v / %v\nstdout: %s\nstderr: %s", err, jerr, out, stderr.String())
	}
	if err != nil || got.Error != nil {
		t.Fatalf("client.mjs failed: %v %v\nstderr: %s", err, got.Error, stderr.String())
	}
	if got.ProtocolVersion != "2025-11-25" {
		t.Errorf("negotiated %q, want 2025-11-25", got.ProtocolVersion)
	}
	for _, want := range []string{"namespaces_list", "pods_list", "resources_get"} {
		if !strings.Contains(strings.Join(got.Tools, ","), want) {
			t.Errorf("tools/list lacks %s: %v", want, got.Tools)
		}
	}
	if len(got.Calls) != len(all) {
		t.Fatalf("%d call results for %d calls", len(got.Calls), len(all))
	}
	for i, c := range all {
		t.Run(c.name, func(t *testing.T) {
			r := got.Calls[i]
			if r.Error != nil {
				t.Fatalf("%s: JSON-RPC error %v", c.tool, r.Error)
			}
			c.check(t, result{Text: r.Text, IsError: r.IsError})
		})
	}
}

func TestTypeScriptSDKStdio(t *testing.T) {
	runTS(t, "--stdio", "--", kubemcpBinary(t), "serve", "--kubeconfig", env.Kubeconfig)
}

func TestTypeScriptSDKHTTP(t *testing.T) {
	runTS(t, "--url", startHTTP(t, env.Kubeconfig))
}

// TestTypeScriptSDKWebSocket: the SDK's WebSocketClientTransport (subprotocol
// mcp, a message per text frame; it sends no Origin and no headers) at /ws.
func TestTypeScriptSDKWebSocket(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	runTS(t, "--url", "ws"+strings.TrimSuffix(strings.TrimPrefix(url, "http"), transport.PathMCP)+transport.PathWS)
}

// inspector runs the MCP Inspector CLI with Node 22 and returns its stdout and exit code.
func inspector(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cli := filepath.Join(nodeDir(t), "node_modules", ".bin", "inspector")
	cmd := exec.Command(nodeBinary(t), append([]string{cli, "--cli"}, args...)...)
	cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Logf("inspector exit %d, stderr: %s", code, stderr.String())
	}
	return string(out), code
}

// TestInspectorCLI is the check a newcomer runs by hand: the Inspector lists
// kubemcp's tools and its pods, over HTTP (both protocol eras) and stdio.
func TestInspectorCLI(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	stdio := []string{"--", kubemcpBinary(t), "serve", "--kubeconfig", env.Kubeconfig}
	targets := map[string][]string{
		"http legacy": {url},
		"http modern": {url, "--protocol-era", "modern"},
		"stdio":       nil,
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			withTarget := func(args ...string) []string {
				if target == nil {
					return append(args, stdio...)
				}
				return append(append([]string{}, target...), args...)
			}
			out, code := inspector(t, withTarget("--method", "tools/list", "--format", "json")...)
			if code != 0 || !strings.Contains(out, `"pods_list"`) || !strings.Contains(out, `"resources_get"`) {
				t.Fatalf("tools/list: exit %d\n%s", code, out)
			}
			out, code = inspector(t, withTarget("--method", "tools/call", "--tool-name", "pods_list",
				"--tool-args-json", `{"namespace":"payments"}`, "--format", "json")...)
			if code != 0 || !strings.Contains(out, "CrashLoopBackOff") {
				t.Fatalf("tools/call pods_list: exit %d\n%s", code, out)
			}
			_, code = inspector(t, withTarget("--method", "tools/call", "--tool-name", "resources_get",
				"--tool-args-json", `{"resource":"pods","namespace":"shop","name":"nope"}`, "--format", "json")...)
			if code != 5 {
				t.Fatalf("an isError result should exit 5, got %d", code)
			}
		})
	}
}
