package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestUpstreamsFromConfig: an upstream in the config file is served beside
// kubemcp's own tools, under the same read-only setting, with upstreams_list.
func TestUpstreamsFromConfig(t *testing.T) {
	srv := serveUpstreamConfig(t, "readOnly: true\n")
	var names []string
	for _, tool := range listTools(t, srv.MCP) {
		names = append(names, tool.Name)
	}
	for _, want := range []string{"pods_list", "upstreams_list", "fs__read_text_file"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools lack %s: %v", want, names)
		}
	}
	if slices.Contains(names, "fs__write_file") {
		t.Error("readOnly serves the upstream's write_file")
	}
}

// TestUpstreamConfirmAndReadiness: a confirmation rule may name upstream
// tools, which are not there when the rules are checked at start, and makes
// them advertise approval_token; /readyz's detail has the upstream's line.
func TestUpstreamConfirmAndReadiness(t *testing.T) {
	srv := serveUpstreamConfig(t, "policy:\n  confirm:\n  - tools: [fs__write_file]\n")
	for _, tool := range listTools(t, srv.MCP) {
		_, asks := tool.InputSchema.(map[string]any)["properties"].(map[string]any)["approval_token"]
		if tool.Name == "fs__write_file" && !asks || tool.Name == "fs__read_text_file" && asks {
			t.Errorf("%s: approval_token advertised %v", tool.Name, asks)
		}
	}
	report, _ := srv.Ready(context.Background()) // the offline cluster decides; see e2e for a ready one
	if !regexp.MustCompile(`(?m)^upstream fs: connected, \d+ tools`).MatchString(report) {
		t.Errorf("readiness detail lacks the upstream:\n%s", report)
	}
}

// serveUpstreamConfig starts the server a config file of these settings and
// one upstream, server-filesystem over stdio, makes.
func serveUpstreamConfig(t *testing.T, settings string) *Server {
	t.Helper()
	node, script := testenv.NPMServer(t, "@modelcontextprotocol/server-filesystem")
	path := filepath.Join(t.TempDir(), "kubemcp.yaml")
	body := settings + "upstreams:\n- name: fs\n  command: [" + node + ", " + script + ", " + t.TempDir() + "]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := serveCommand(Streams{})
	if err := cmd.Flags().Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, cmd)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kubeconfig = offlineKubeconfig(t)
	srv, err := NewServer(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestUpstreamToolsEnabledAndDisabled: enabledTools and disabledTools name
// upstream tools beside kubemcp's own, which Select cannot check at start.
func TestUpstreamToolsEnabledAndDisabled(t *testing.T) {
	names := func(srv *Server) []string {
		var out []string
		for _, tool := range listTools(t, srv.MCP) {
			out = append(out, tool.Name)
		}
		return out
	}
	got := names(serveUpstreamConfig(t, "disabledTools: [fs__write_file, pods_delete]\n"))
	if slices.Contains(got, "fs__write_file") || slices.Contains(got, "pods_delete") || !slices.Contains(got, "fs__read_text_file") {
		t.Errorf("disabledTools fs__write_file, pods_delete: %v", got)
	}
	got = names(serveUpstreamConfig(t, "enabledTools: [fs__read_text_file]\n"))
	if !slices.Equal(got, []string{"fs__read_text_file"}) {
		t.Errorf("enabledTools fs__read_text_file: %v", got)
	}
}

// TestUpstreamFlag: serve takes one-off upstreams from --upstream, beside
// the file's.
func TestUpstreamFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubemcp.yaml")
	if err := os.WriteFile(path, []byte("upstreams:\n- name: argo\n  url: http://argo-mcp:8080/mcp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := serveCommand(Streams{})
	if err := cmd.Flags().Parse([]string{"--upstream", "fs=node server.js /tmp", "--upstream", "hub=wss://hub.example.com/ws"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, cmd)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range cfg.Upstreams {
		got = append(got, u.Name+":"+u.TransportKind())
	}
	if want := []string{"argo:http", "fs:stdio", "hub:websocket"}; !slices.Equal(got, want) {
		t.Errorf("upstreams %v, want %v", got, want)
	}
}
