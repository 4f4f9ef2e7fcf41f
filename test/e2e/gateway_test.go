package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestReadyzWithUpstreams: a real kubemcp process with one upstream up
// (server-everything over stdio) and one down stays ready, the cluster
// being ready, and /readyz's detail says how each upstream is.
func TestReadyzWithUpstreams(t *testing.T) {
	node, script := testenv.NPMServer(t, "@modelcontextprotocol/server-everything")
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

// TestMCPInstallConfirmed: mcp_install is a write the confirmation rules
// cover: the first call answers with the dry-run plan and a token and
// installs nothing; the call that presents the token installs.
func TestMCPInstallConfirmed(t *testing.T) {
	env.InstallChartCRD(t)
	ns := env.Namespace(t, "mcp-install")
	cfg := config.Default()
	cfg.Kubeconfig, cfg.MCPInstall = env.Kubeconfig, true
	cfg.Policy.Confirm = []policy.ConfirmRule{{Tools: []string{"mcp_install"}}}
	cs := connectServer(t, newServer(t, cfg), nil, nil) // cannot be asked: the token path
	args := map[string]any{"namespace": ns, "mcp_token": "argo-token-4d5e6f"}

	got, _ := call(t, cs, "mcp_install", args)
	m := approvalRE.FindStringSubmatch(got.Text)
	toolCase{tool: "mcp_install", isError: true, want: []string{"Confirmation required", "Deployment argocd-mcp in namespace " + ns + " would create"}}.check(t, got)
	deployments := env.Clientset("admin").AppsV1().Deployments(ns)
	if _, err := deployments.Get(context.Background(), "argocd-mcp", metav1.GetOptions{}); m == nil || err == nil {
		t.Fatalf("want a token and nothing installed:\n%s", got.Text)
	}
	args["approval_token"] = m[1]
	got, _ = call(t, cs, "mcp_install", args)
	toolCase{tool: "mcp_install", want: []string{"Deployment argocd-mcp in namespace " + ns + " created"}}.check(t, got)
	if _, err := deployments.Get(context.Background(), "argocd-mcp", metav1.GetOptions{}); err != nil {
		t.Fatalf("the approved install did not happen: %v", err)
	}
}
