package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestUpstreamsFromConfig: an upstream in the config file is served beside
// kubemcp's own tools, under the same read-only setting, with upstreams_list.
func TestUpstreamsFromConfig(t *testing.T) {
	node, err := testenv.Node()
	if err != nil {
		t.Fatal(err)
	}
	nodeDir, err := testenv.NodeDir()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(nodeDir, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js")
	path := filepath.Join(t.TempDir(), "kubemcp.yaml")
	body := "readOnly: true\nupstreams:\n- name: fs\n  command: [" + node + ", " + script + ", " + t.TempDir() + "]\n"
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
	defer srv.Close()
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
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
