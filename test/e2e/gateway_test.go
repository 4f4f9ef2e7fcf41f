package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestReadyzWithUpstreams: a real kubemcp process with one upstream up
// (server-everything over stdio) and one down stays ready, the cluster
// being ready, and /readyz's detail says how each upstream is.
func TestReadyzWithUpstreams(t *testing.T) {
	node, script := testenv.NPMServer(t, "server-everything")
	cfg := filepath.Join(t.TempDir(), "kubemcp.yaml")
	body := "upstreams:\n- name: everything\n  command: [" + node + ", " + script + ", stdio]\n" +
		"- name: gone\n  url: http://127.0.0.1:1/mcp\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serveArgs(t, "--kubeconfig", env.Kubeconfig, "--config", cfg)
	resp, err := http.Get(strings.TrimSuffix(s.URL, "/mcp") + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	detail, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %s, want 200 with an upstream down:\n%s", resp.Status, detail)
	}
	for _, want := range []string{`(?m)^cluster \S+: ok`, `(?m)^upstream everything: connected, \d+ tools, tools/list [0-9.]+ms$`,
		`(?m)^upstream gone: down since \S+ \(not counted against readiness\): .*connection refused`} {
		if !regexp.MustCompile(want).Match(detail) {
			t.Errorf("/readyz detail lacks %s:\n%s", want, detail)
		}
	}
	t.Logf("/readyz:\n%s", detail)
}
